/* Unit tests for src/domain/names: search keys across scripts and romanisations, Latin and Cyrillic spellings,
   the edit distance, and the module under several threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/names.h"

/* ---- Helpers --------------------------------------------------------------------------------------------- */

static void expect_key(const char *name, const char *key)
{
	char out[NAMES_KEY_MAX];
	if (!names_key(name, out, sizeof out))
		fail_msg("names_key(\"%s\") failed", name);
	if (strcmp(out, key) != 0)
		fail_msg("names_key(\"%s\") = \"%s\", expected \"%s\"", name, out, key);
}

/* Every spelling in the NULL-terminated list has the key of the first. */
static void expect_same_key(const char *const *names)
{
	char first[NAMES_KEY_MAX];
	assert_true(names_key(names[0], first, sizeof first));
	assert_true(first[0] != '\0');
	for (size_t i = 1; names[i]; i++)
		expect_key(names[i], first);
}

static void expect_different_keys(const char *a, const char *b)
{
	char ka[NAMES_KEY_MAX], kb[NAMES_KEY_MAX];
	assert_true(names_key(a, ka, sizeof ka));
	assert_true(names_key(b, kb, sizeof kb));
	if (strcmp(ka, kb) == 0)
		fail_msg("\"%s\" and \"%s\" share the key \"%s\"", a, b, ka);
}

static void expect_latin(const char *name, const char *latin)
{
	char out[NAMES_KEY_MAX];
	if (!names_latin(name, out, sizeof out))
		fail_msg("names_latin(\"%s\") failed", name);
	if (strcmp(out, latin) != 0)
		fail_msg("names_latin(\"%s\") = \"%s\", expected \"%s\"", name, out, latin);
}

static void expect_cyrillic(const char *name, const char *cyrillic)
{
	char out[NAMES_KEY_MAX];
	if (!names_cyrillic(name, out, sizeof out))
		fail_msg("names_cyrillic(\"%s\") failed", name);
	if (strcmp(out, cyrillic) != 0)
		fail_msg("names_cyrillic(\"%s\") = \"%s\", expected \"%s\"", name, out, cyrillic);
}

#define SAME_KEY(...) expect_same_key((const char *const[]){__VA_ARGS__, NULL})

/* ---- One key for every spelling of a name ---------------------------------------------------------------- */

static void key_berdibaev(void **state)
{
	SAME_KEY("Бердибаев", "Berdibaev", "Berdibayev", "BERDIBAEV", "бердибаев");
	expect_key("Бердибаев", "berdibaev");
}

static void key_yusupov(void **state)
{
	SAME_KEY("Юсупов", "Yusupov", "Iusupov", "Jusupov", "Ûsupov");
}

static void key_zhumabekov(void **state)
{
	SAME_KEY("Жумабеков", "Zhumabekov", "Jumabekov", "Žumabekov");
}

static void key_omurbekov(void **state)
{
	/* German-style Oemuerbekov is not folded: oe and ue are too common elsewhere (Зуев = Zuev). */
	SAME_KEY("Өмүрбеков", "Omurbekov", "Ömürbekov", "ÖMÜRBEKOV");
}

static void key_chyngyz(void **state)
{
	SAME_KEY("Чыңгыз", "Chyngyz", "Chingiz", "Čyngyz", "Chynggyz");
}

static void key_shcherbakov(void **state)
{
	SAME_KEY("Щербаков", "Shcherbakov", "Sherbakov", "Ščerbakov", "Ŝerbakov");
}

static void key_khasanov(void **state)
{
	SAME_KEY("Хасанов", "Khasanov", "Hasanov", "Xasanov");
}

static void key_tsoy(void **state)
{
	SAME_KEY("Цой", "Tsoy", "Tsoi", "Tsoj");
}

static void key_yoldoshev(void **state)
{
	SAME_KEY("Ёлдошев", "Yoldoshev", "Eldoshev", "Ëldošev");
}

static void key_aibek(void **state)
{
	SAME_KEY("Айбек", "Aibek", "Aybek", "Ajbek");
}

static void key_erlan(void **state)
{
	SAME_KEY("Эрлан", "Erlan", "Ерлан");
}

static void key_mamyrov(void **state)
{
	SAME_KEY("Мамыров", "Mamyrov", "Mamirov", "Мамиров");
}

static void key_nurlanovich(void **state)
{
	SAME_KEY("Нурланович", "Nurlanovich");
}

static void key_kydyralieva(void **state)
{
	SAME_KEY("Кыдыралиева", "Kydyralieva", "Kydyraliyeva");
}

static void key_ibraimov(void **state)
{
	SAME_KEY("Ибраимов", "Ibraimov");
}

static void key_azamat(void **state)
{
	SAME_KEY("Азамат", "Azamat");
}

static void key_more_romanisations(void **state)
{
	SAME_KEY("Николай", "Nikolay", "Nikolai", "Nikolaj", "Nicolai");
	SAME_KEY("Юрий", "Yuriy", "Yuri", "Iurii", "Jurij");
	SAME_KEY("Джамиля", "Dzhamilya", "Djamilya", "Jamilya", "Жамиля");
	SAME_KEY("Айжан", "Aizhan", "Ayjan", "Aijan");
	SAME_KEY("Мария", "Maria", "Mariya", "Mariia");
	SAME_KEY("Майя", "Maya", "Mayya", "Maiia");
	SAME_KEY("Евгений", "Yevgeniy", "Evgenii", "Evgeny");
	SAME_KEY("Афанасьев", "Afanasyev", "Afanasev", "Afanas'yev");
	SAME_KEY("Жээнбеков", "Jeenbekov", "Zheenbekov");
	SAME_KEY("Кирилл", "Kirill", "Kiril");
	SAME_KEY("Виктор", "Victor", "Viktor");
	SAME_KEY("Пётр", "Петр", "Pyotr", "Petr");
	SAME_KEY("Айгүл", "Айгуль", "Aigul", "Aygul");
	SAME_KEY("Қасым", "Касым", "Kasym", "Qasym");
	SAME_KEY("Ҷамшед", "Джамшед", "Jamshed", "Dzhamshed");
}

static void key_ignores_normalisation_form(void **state)
{
	/* The same names typed with combining marks (NFD), as some keyboards and PDF copies give them. */
	SAME_KEY("Čyngyz", "C\xcc\x8cyngyz");
	SAME_KEY("Айбек", "\xd0\x90\xd0\xb8\xcc\x86\xd0\xb1\xd0\xb5\xd0\xba"); /* и + U+0306 */
	SAME_KEY("Ёлдошев", "\xd0\x95\xcc\x88\xd0\xbb\xd0\xb4\xd0\xbe\xd1\x88\xd0\xb5\xd0\xb2");
}

/* ---- Names that must stay apart -------------------------------------------------------------------------- */

static void key_keeps_distinct_names_apart(void **state)
{
	expect_different_keys("Иванов", "Иванова");
	expect_different_keys("Асанов", "Усенов");
	expect_different_keys("Асанов", "Хасанов");
	expect_different_keys("Жанара", "Анара");
	expect_different_keys("Шамиль", "Самиль");
	expect_different_keys("Чынара", "Шынара");
	expect_different_keys("Алиева", "Алеева");
	expect_different_keys("Айбек", "Айдар");
	expect_different_keys("Тимур", "Темир");
	expect_different_keys("Sulaiman", "Suleiman");

	char a[NAMES_KEY_MAX], b[NAMES_KEY_MAX];
	assert_true(names_key("Иванов", a, sizeof a));
	assert_true(names_key("Ivanova", b, sizeof b));
	assert_int_equal(names_distance(a, b, 3), 1);
}

/* ---- Whole queries --------------------------------------------------------------------------------------- */

static void key_of_a_query_keeps_tokens_in_order(void **state)
{
	expect_key("Ибраимова-Кыдыралиева Айгүл Бакытовна", "ibraimova kidiralieva aigul bakitovna");
	expect_key("Petrov Ivan", "petrov ivan");
	expect_key("Ivan Petrov", "ivan petrov");
	expect_key("  Иванов \t\n Пётр  ", "ivanov petr");
	expect_key("Иванов,Пётр;Сидорович", "ivanov petr sidoroviq");
	expect_key("Иванов  —  Пётр", "ivanov petr");
}

static void key_drops_apostrophes_and_signs(void **state)
{
	expect_key("O'Brien", "obrien");
	expect_key("O’Brien", "obrien");
	expect_key("Д'Артаньян", "dartanian");
	SAME_KEY("Объедков", "Обедков", "Obedkov", "Ob'edkov", "Obʺedkov");
	SAME_KEY("Ильяс", "Илъяс", "Il'yas", "Ilʹyas", "Ilyas", "Ilias");
}

static void key_folds_case(void **state)
{
	SAME_KEY("ИВАНОВ", "иванов", "Иванов", "IVANOV", "ivanov", "iVaNoV");
	expect_key("ЧЫҢГЫЗ", "qingiz");
}

static void key_keeps_document_numbers(void **state)
{
	expect_key("AN1234567", "an1234567");
	expect_key("АН1234567", "an1234567"); /* Cyrillic letters in a passport series */
	expect_key("AC1234567", "ac1234567"); /* not canonicalised: c stays c, x stays x */
	expect_key("Паспорт ID0123456 Иванов", "pasport id0123456 ivanov");
	expect_key("KH-12", "h 12");
	expect_key("2024", "2024");
}

static void key_of_empty_and_blank_input_is_empty(void **state)
{
	char out[NAMES_KEY_MAX] = "junk";
	assert_true(names_key("", out, sizeof out));
	assert_string_equal(out, "");
	strcpy(out, "junk");
	assert_true(names_key("  \t - ,, ' ", out, sizeof out));
	assert_string_equal(out, "");
	char one[1];
	assert_true(names_key("", one, sizeof one));
	assert_string_equal(one, "");
}

static void key_refuses_invalid_utf8(void **state)
{
	char out[NAMES_KEY_MAX];
	const char *bad[] = {
		"\xff", "Ив\xd0", "\xd0 Ivanov", "Ivanov \x80",
		"\xc0\xaf",         /* overlong */
		"\xed\xa0\x80",     /* a surrogate */
		"\xf4\x90\x80\x80", /* past U+10FFFF */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		strcpy(out, "junk");
		assert_false(names_key(bad[i], out, sizeof out));
		assert_string_equal(out, "");
		assert_false(names_latin(bad[i], out, sizeof out));
		assert_false(names_cyrillic(bad[i], out, sizeof out));
	}
	assert_false(names_key(NULL, out, sizeof out));
	assert_false(names_key("Ivanov", NULL, 10));
	assert_false(names_key("Ivanov", out, 0));
}

static void key_refuses_long_input_and_small_buffers(void **state)
{
	char *in = malloc(NAMES_INPUT_MAX + 2);
	memset(in, 'a', NAMES_INPUT_MAX + 1);
	in[NAMES_INPUT_MAX + 1] = '\0';
	char *out = malloc(4 * NAMES_INPUT_MAX);
	assert_false(names_key(in, out, 4 * NAMES_INPUT_MAX));
	assert_false(names_latin(in, out, 4 * NAMES_INPUT_MAX));
	assert_false(names_cyrillic(in, out, 4 * NAMES_INPUT_MAX));
	in[NAMES_INPUT_MAX] = '\0'; /* at the limit: accepted, if out can hold the key */
	assert_true(names_key(in, out, 4 * NAMES_INPUT_MAX));
	assert_string_equal(out, "a"); /* doubled letters collapse */
	for (size_t i = 0; i < NAMES_INPUT_MAX; i += 2)
		in[i + 1] = i % 4 ? ' ' : '1';
	assert_false(names_key(in, out, NAMES_KEY_MAX)); /* 512 tokens do not fit */
	free(in);
	free(out);

	char small[10];
	assert_false(names_key("Berdibaev", small, 9));
	assert_string_equal(small, "");
	assert_true(names_key("Berdibaev", small, 10));
	assert_string_equal(small, "berdibaev");
	assert_false(names_key("Berdibaev Ivan", small, sizeof small));
	assert_false(names_latin("Бердибаев", small, 9));
	assert_true(names_latin("Бердибаев", small, 10));
	assert_false(names_cyrillic("Berdibaev", small, sizeof small)); /* 18 bytes of UTF-8 */
}

static void key_is_the_same_from_the_cache(void **state)
{
	/* Enough distinct words to evict cached ones, then the first words again: the keys do not change. */
	char first[NAMES_KEY_MAX], again[NAMES_KEY_MAX], word[64];
	assert_true(names_key("Кыдыралиева Жумабеков", first, sizeof first));
	for (int i = 0; i < 20000; i++) {
		snprintf(word, sizeof word, "Бекназаров%dа Zh%dov", i, i);
		assert_true(names_key(word, again, sizeof again));
	}
	assert_true(names_key("Кыдыралиева Жумабеков", again, sizeof again));
	assert_string_equal(first, again);
	assert_string_equal(first, "kidiralieva jumabekov");
	/* Longer than a cache slot holds. */
	expect_key("Абдыкадыровна-Кыдыралиева-Тойчубекова", "abdikadirovna kidiralieva toiqubekova");
}

static void key_of_other_scripts(void **state)
{
	SAME_KEY("Ελένη", "Elene");
	SAME_KEY("Renée", "Renee", "RENEE");
	SAME_KEY("Müller", "Muller");
	char out[NAMES_KEY_MAX];
	assert_true(names_key("王小明", out, sizeof out));
	assert_true(out[0] != '\0');
	assert_true(names_key("😀 Иванов", out, sizeof out));
	assert_string_equal(out, "ivanov");
}

/* ---- Readable spellings ---------------------------------------------------------------------------------- */

static void latin_spells_like_a_kyrgyz_passport(void **state)
{
	expect_latin("Бердибаев", "Berdibaev");
	expect_latin("Жумабеков", "Zhumabekov");
	expect_latin("Өмүрбеков", "Omurbekov");
	expect_latin("Чыңгыз", "Chyngyz");
	expect_latin("Юсупов", "Yusupov");
	expect_latin("Айбек", "Aibek");
	expect_latin("Цой", "Tsoi");
	expect_latin("Щербаков", "Shcherbakov");
	expect_latin("Хасанов", "Khasanov");
	expect_latin("Ёлдошев", "Yoldoshev");
	expect_latin("Пётр", "Petr");
	expect_latin("Эрлан", "Erlan");
	expect_latin("Кыдыралиева", "Kydyralieva");
	expect_latin("Нурланович", "Nurlanovich");
	expect_latin("Ильяс", "Ilyas");
	expect_latin("Объедков", "Obedkov");
}

static void latin_keeps_capitals_punctuation_and_latin(void **state)
{
	expect_latin("ИВАНОВ Пётр", "IVANOV Petr");
	expect_latin("ЖУМАБЕКОВ Ж.", "ZHUMABEKOV Zh.");
	expect_latin("Ибраимова-Кыдыралиева", "Ibraimova-Kydyralieva");
	expect_latin("Иванов, 1990 г.р.", "Ivanov, 1990 g.r.");
	expect_latin("Ömürbekov J. Smith", "Ömürbekov J. Smith");
	expect_latin("C\xcc\x8cyngyz", "Čyngyz"); /* NFC */
	expect_latin("", "");
}

static void cyrillic_spells_russian_style(void **state)
{
	expect_cyrillic("Berdibaev", "Бердибаев");
	expect_cyrillic("Berdibayev", "Бердибаев");
	expect_cyrillic("Zhumabekov", "Жумабеков");
	expect_cyrillic("Jumabekov", "Жумабеков");
	expect_cyrillic("Yusupov", "Юсупов");
	expect_cyrillic("Iusupov", "Юсупов");
	expect_cyrillic("Ömürbekov", "Өмүрбеков");
	expect_cyrillic("Shcherbakov", "Щербаков");
	expect_cyrillic("Ščerbakov", "Щербаков");
	expect_cyrillic("Khasanov", "Хасанов");
	expect_cyrillic("Xasanov", "Хасанов");
	expect_cyrillic("Tsoy", "Цой");
	expect_cyrillic("Yoldoshev", "Ёлдошев");
	expect_cyrillic("Aibek", "Айбек");
	expect_cyrillic("Erlan", "Эрлан");
	expect_cyrillic("Mamyrov", "Мамыров");
	expect_cyrillic("Kydyraliyeva", "Кыдыралиева");
	expect_cyrillic("Nurlanovich", "Нурланович");
	expect_cyrillic("Nikolaj", "Николай");
	expect_cyrillic("Iurii", "Юрий");
	expect_cyrillic("Natal'ya", "Наталья");
}

static void cyrillic_keeps_capitals_punctuation_and_cyrillic(void **state)
{
	expect_cyrillic("BERDIBAEV Aibek", "БЕРДИБАЕВ Айбек");
	expect_cyrillic("Chyngyz-Aitmatov", "Чынгыз-Айтматов");
	expect_cyrillic("Чыңгыз Aitmatov", "Чыңгыз Айтматов");
	expect_cyrillic("Zh. 1990", "Ж. 1990");
	expect_cyrillic("", "");
}

/* A spelling in the other script has the key of the original, so a record found by either is found by both. */
static void spellings_keep_the_key(void **state)
{
	const char *cyrillic[] = {"Бердибаев", "Жумабеков", "Өмүрбеков", "Чыңгыз",    "Юсупов",     "Щербаков",
	                          "Хасанов",   "Цой",       "Ёлдошев",   "Айбек",     "Эрлан",      "Мамыров",
	                          "Нурланович", "Кыдыралиева", "Ибраимов", "Азамат", "Айжан Жээнбекова"};
	const char *latin[] = {"Berdibayev", "Zhumabekov", "Ömürbekov", "Chingiz", "Iusupov", "Shcherbakov", "Khasanov",
	                       "Tsoy",       "Yoldoshev",  "Aybek",     "Erlan",   "Mamirov", "Kydyraliyeva"};
	char spelt[NAMES_KEY_MAX], k1[NAMES_KEY_MAX], k2[NAMES_KEY_MAX];
	for (size_t i = 0; i < sizeof cyrillic / sizeof *cyrillic; i++) {
		assert_true(names_latin(cyrillic[i], spelt, sizeof spelt));
		assert_true(names_key(cyrillic[i], k1, sizeof k1));
		assert_true(names_key(spelt, k2, sizeof k2));
		if (strcmp(k1, k2) != 0)
			fail_msg("%s → %s: keys %s and %s", cyrillic[i], spelt, k1, k2);
	}
	for (size_t i = 0; i < sizeof latin / sizeof *latin; i++) {
		assert_true(names_cyrillic(latin[i], spelt, sizeof spelt));
		assert_true(names_key(latin[i], k1, sizeof k1));
		assert_true(names_key(spelt, k2, sizeof k2));
		if (strcmp(k1, k2) != 0)
			fail_msg("%s → %s: keys %s and %s", latin[i], spelt, k1, k2);
	}
}

/* ---- Distance -------------------------------------------------------------------------------------------- */

static void distance_counts_edits(void **state)
{
	assert_int_equal(names_distance("ivanov", "ivanov", 2), 0);
	assert_int_equal(names_distance("ivanov", "ivaonv", 2), 1);  /* a swap */
	assert_int_equal(names_distance("ivanov", "ivanova", 2), 1); /* an insertion */
	assert_int_equal(names_distance("ivanova", "ivanov", 2), 1); /* a deletion */
	assert_int_equal(names_distance("ivanov", "ivonov", 2), 1);  /* a substitution */
	assert_int_equal(names_distance("qingiz", "qignzi", 5), 2);
	assert_int_equal(names_distance("ca", "abc", 5), 3); /* optimal string alignment, not full Damerau */
	assert_int_equal(names_distance("", "abc", 5), 3);
	assert_int_equal(names_distance("abc", "", 5), 3);
	assert_int_equal(names_distance("", "", 0), 0);
	assert_int_equal(names_distance(NULL, "ab", 5), 2);
	assert_int_equal(names_distance("ab", NULL, 5), 2);
}

static void distance_stops_early(void **state)
{
	assert_int_equal(names_distance("abcdef", "uvwxyz", 2), 3);
	assert_int_equal(names_distance("abcdef", "uvwxyz", 6), 6);
	assert_int_equal(names_distance("a", "abcdefgh", 2), 3); /* the lengths alone tell */
	assert_int_equal(names_distance("ivanov", "ivanov", 0), 0);
	assert_int_equal(names_distance("ivanov", "ivanova", 0), 1);
	assert_int_equal(names_distance("ivanov", "petrov", -5), 1); /* a negative max counts as 0 */
	assert_int_equal(names_distance("berdibaev", "berdibaeva", 1), 1);
	assert_int_equal(names_distance("berdibaev", "berdibaevaa", 1), 2);

	/* Keys longer than NAMES_KEY_MAX still work. */
	size_t n = 3 * NAMES_KEY_MAX;
	char *a = malloc(n + 1), *b = malloc(n + 2);
	memset(a, 'x', n);
	a[n] = '\0';
	memcpy(b, a, n + 1);
	b[n / 2] = 'y';
	assert_int_equal(names_distance(a, b, 3), 1);
	b[n] = 'z';
	b[n + 1] = '\0';
	assert_int_equal(names_distance(a, b, 3), 2);
	assert_int_equal(names_distance(a, b, 1), 2);
	free(a);
	free(b);
}

/* ---- Threads and shutdown -------------------------------------------------------------------------------- */

static const char *const thread_names[] = {"Бердибаев Айбек", "Zhumabekov Chyngyz", "Өмүрбеков Ёлдошев",
                                           "Щербаков-Цой",    "Kydyraliyeva",       "Ελένη Юсупова"};
#define THREAD_NAMES (sizeof thread_names / sizeof *thread_names)

struct thread_job {
	char expected[THREAD_NAMES][NAMES_KEY_MAX]; /* keys computed by the main thread */
	int failures;                                /* written by the worker */
};

static void *thread_work(void *arg)
{
	struct thread_job *job = arg;
	char key[NAMES_KEY_MAX], latin[NAMES_KEY_MAX], cyrillic[NAMES_KEY_MAX];
	for (int round = 0; round < 300; round++) {
		size_t i = (size_t)round % THREAD_NAMES;
		if (!names_key(thread_names[i], key, sizeof key) || strcmp(key, job->expected[i]) != 0)
			job->failures++;
		if (!names_latin(thread_names[i], latin, sizeof latin))
			job->failures++;
		if (!names_cyrillic(latin, cyrillic, sizeof cyrillic))
			job->failures++;
	}
	return NULL;
}

static void works_from_many_threads(void **state)
{
	enum { THREADS = 8 };
	static struct thread_job jobs[THREADS];
	for (size_t i = 0; i < THREAD_NAMES; i++)
		assert_true(names_key(thread_names[i], jobs[0].expected[i], NAMES_KEY_MAX));
	pthread_t tid[THREADS];
	for (int t = 0; t < THREADS; t++) {
		if (t)
			memcpy(jobs[t].expected, jobs[0].expected, sizeof jobs[t].expected);
		jobs[t].failures = 0;
		assert_int_equal(pthread_create(&tid[t], NULL, thread_work, &jobs[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		pthread_join(tid[t], NULL);
		assert_int_equal(jobs[t].failures, 0);
	}
}

static void shutdown_frees_and_can_be_repeated(void **state)
{
	char key[NAMES_KEY_MAX];
	names_shutdown();
	names_shutdown();
	assert_true(names_key("Жумабеков", key, sizeof key)); /* compiled again */
	assert_string_equal(key, "jumabekov");
	names_shutdown();
}

static int teardown(void **state)
{
	names_shutdown();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(key_berdibaev),
		cmocka_unit_test(key_yusupov),
		cmocka_unit_test(key_zhumabekov),
		cmocka_unit_test(key_omurbekov),
		cmocka_unit_test(key_chyngyz),
		cmocka_unit_test(key_shcherbakov),
		cmocka_unit_test(key_khasanov),
		cmocka_unit_test(key_tsoy),
		cmocka_unit_test(key_yoldoshev),
		cmocka_unit_test(key_aibek),
		cmocka_unit_test(key_erlan),
		cmocka_unit_test(key_mamyrov),
		cmocka_unit_test(key_nurlanovich),
		cmocka_unit_test(key_kydyralieva),
		cmocka_unit_test(key_ibraimov),
		cmocka_unit_test(key_azamat),
		cmocka_unit_test(key_more_romanisations),
		cmocka_unit_test(key_ignores_normalisation_form),
		cmocka_unit_test(key_keeps_distinct_names_apart),
		cmocka_unit_test(key_of_a_query_keeps_tokens_in_order),
		cmocka_unit_test(key_drops_apostrophes_and_signs),
		cmocka_unit_test(key_folds_case),
		cmocka_unit_test(key_keeps_document_numbers),
		cmocka_unit_test(key_of_empty_and_blank_input_is_empty),
		cmocka_unit_test(key_refuses_invalid_utf8),
		cmocka_unit_test(key_refuses_long_input_and_small_buffers),
		cmocka_unit_test(key_is_the_same_from_the_cache),
		cmocka_unit_test(key_of_other_scripts),
		cmocka_unit_test(latin_spells_like_a_kyrgyz_passport),
		cmocka_unit_test(latin_keeps_capitals_punctuation_and_latin),
		cmocka_unit_test(cyrillic_spells_russian_style),
		cmocka_unit_test(cyrillic_keeps_capitals_punctuation_and_cyrillic),
		cmocka_unit_test(spellings_keep_the_key),
		cmocka_unit_test(distance_counts_edits),
		cmocka_unit_test(distance_stops_early),
		cmocka_unit_test(works_from_many_threads),
		cmocka_unit_test(shutdown_frees_and_can_be_repeated),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
