/*
 * names.c — search keys and Latin/Cyrillic spellings of people's names, built
 * on ICU transliterators so that the people search finds a person however the
 * name was typed.
 *
 * THE KEY. names_key() cuts the input at ASCII white space and keys each
 * word on its own (no rule looks across white space), through a small cache
 * of recent words. A word goes through two transliterators and a little C:
 *
 *   1. Script: NFC (unorm2) and lower case, then TR_KEY_SCRIPT: ъ and ь
 *      dropped; the Kazakh, Uzbek, Tajik and Ukrainian letters that ICU
 *      leaves alone or marks (қ ғ ұ ҳ ҷ ә і ...); ICU's Kirghiz-Latin/BGN for
 *      Kyrgyz and Russian Cyrillic; the Latin letters whose diacritic is a
 *      sound of its own spelt out (ž→zh, č→ch, š→sh, ŝ→shch, ş→sh, ç→ch; ISO 9
 *      â→ja, û→ju); BGN's ö ü ĭ ë, marks and apostrophes dropped. If anything
 *      but ASCII is left (é, Greek, Han), TR_KEY_OTHER: Any-Latin, the same
 *      letter rules, Latin-ASCII. A word in ASCII skips the stage, which
 *      would only lower-case it.
 *   2. Tokens (C): runs of a-z and 0-9; apostrophes, marks and modifier
 *      letters vanish without splitting a token, anything else separates
 *      tokens (so Ибраимова-Кыдыралиева gives two). A token with a digit is a
 *      document number and is kept as it is (AN1234567 → an1234567).
 *   3. Skeleton (TR_KEY_CANON), on the letter tokens, in two passes:
 *      a. Iotated е and ё: ye→e everywhere, yo→e at the start of a word or
 *         after a consonant (Berdibayev = Berdibaev, Yoldoshev = Eldoshev =
 *         Ёлдошев); then y→i (ы, й and the y-glide alike).
 *      b. One letter per sound, in the same pass: shch, sch, sh→x (щ, ш);
 *         dzh, dj, zh→j (ж); ch→q (ч); kh→h (х); ts→c (ц); c→c before e, i,
 *         y, else k (Victor = Viktor); x→h at the start of a word (Uzbek
 *         Latin Xasanov), else ks (Maxim); q→k; w→v; ph→f; gh→g.
 *      c. The glide: runs of i shrink to one; j before a consonant or at
 *         the end is й, so i (Ajbek = Aibek, Nikolaj = Nikolai); i before a,
 *         o, u at the start of a word or between vowels is the glide, so j
 *         (Iusupov = Yusupov = Jusupov = Юсупов; Aiana = Ayana = Аяна).
 *         Word-initial j thus stands for both ж and the glide (Zhusupov =
 *         Yusupov, which are one name), but Жанара ≠ Анара.
 *   4. Doubled letters collapse (Kirill = Kiril, Chynggyz = Chyngyz).
 *
 *   What stays apart: the five vowels a e i o u (Asanov ≠ Usenov), х
 *   against nothing (Asanov ≠ Hasanov), ш against с (Shamil ≠ Samil), ч
 *   against ш, every other consonant. What merges on purpose: ы = и, ө = о,
 *   ү = у, ш = щ, х = h = kh, ж = zh = j = дж, ё = е, ң = ng, a y-glide before
 *   е or nothing, ъ and ь or nothing, doubled letters or single. Not handled:
 *   German-style oe/ue for ö/ü (Зуев is Zuev), x inside Uzbek Latin words
 *   (Raxmonov ≠ Rakhmonov). The key is not a fixed point of names_key (its x,
 *   q and c are read again as input letters), so always key raw names; nor is
 *   the key of a prefix always a prefix of the key (Zh alone keys as i).
 *
 * THE SPELLINGS. names_latin() and names_cyrillic() work word by word: a word
 * with letters of the other script is lower-cased, transliterated (with a
 * space on either side, so that rules can see where the word starts and
 * ends) and given back the capitals of the original word: all capitals, a
 * capital first letter, or none.
 *
 * THREADS. A UTransliterator must not be used by two threads at once, so the
 * pool below lends each call a whole set of its own, cloned from a prototype
 * compiled once; the set carries its own word cache, so no lock is held while
 * keying. The pool grows to the number of threads inside the module at the
 * same moment and is freed by names_shutdown(). ICU itself runs every
 * rule-based transliteration in the process under one global mutex, so keys
 * of new words do not get faster with more threads; the cache is what scales.
 */
#include "domain/names.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>

#include "base/buf.h"
#include "base/log.h"

/* ---- The rules ------------------------------------------------------------------------------------------- */

/* Letters of the other Cyrillic alphabets of Central Asia (Kazakh, Uzbek, Tajik) and Ukraine that Kirghiz-Latin/BGN
   leaves alone and Any-Latin spells with diacritics or leaves too. Input is lower case. */
#define OTHER_CYRILLIC_RULES \
	"ә > a ; ғ > g ; қ > k ; ұ > u ; һ > h ; ҳ > h ; ҷ > dzh ; ў > u ; і > i ; ӣ > i ; ӯ > u ;" \
	" є > ye ; ї > yi ; ґ > g ;"

/* Latin letters whose diacritic makes a sound of its own (ISO 9, Czech-style and Turkic spellings), spelt out before
   the diacritics go. Input is lower case and NFC. */
#define LATIN_SOUND_RULES \
	"ž > zh ; č > ch ; š > sh ; ŝ > shch ; ş > sh ; ç > ch ; â > ja ; û > ju ; ə > a ; ŋ > ng ;"

/* The letters with diacritics that BGN writes (for ө ү й ё), composed or not; apostrophes, BGN's t·s, ʹ for ь
   and ʺ for ъ. */
#define SILENT_RULES \
	"ö > o ; ü > u ; ĭ > i ; ë > e ; [[:Mn:]\\u0027\\u00B7\\u02B9\\u02BA\\u02BB\\u02BC\\u2018\\u2019] > ;"

/* Stage 1 of the key, for lower-case NFC text: Kyrgyz and Russian Cyrillic and Latin to ASCII. */
static const char key_script_rules[] =
	"[ъь] > ;"
	OTHER_CYRILLIC_RULES
	"::Kirghiz-Latin/BGN ;"
	LATIN_SOUND_RULES
	SILENT_RULES;

/* Stage 1, second half, only when the first half left something that is not ASCII: every other script. */
static const char key_other_rules[] =
	"::Any-Latin ; ::NFC ;"
	LATIN_SOUND_RULES
	SILENT_RULES
	"::Latin-ASCII ; ::Lower ;";

/* Stage 3 of the key: romanisations to one skeleton. The input is lower-case ASCII letter tokens joined by single
   spaces, with a space at either end, so $b marks the start and the end of a word. */
static const char key_canon_rules[] =
	"$b = [\\u0020] ;"
	"$cons = [b-df-hj-np-tv-xz] ;" /* consonants, y excepted; the left context sees letters already rewritten */
	/* a, b. One letter per sound: ш щ → x, ж → j, ч → q, х → h, ц → c, ы and й → i. */
	"ye > e ;"
	"$b { yo > e ;"
	"$cons { yo > e ;"
	"y > i ;"
	"shch > x ; sch > x ; sh > x ;"
	"dzh > j ; dj > j ; zh > j ;"
	"ch > q ;"
	"c } [eiy] > c ;"
	"c > k ;"
	"kh > h ;"
	"ts > c ;"
	"$b { x > h ;"
	"x > ks ;"
	"q > k ;"
	"w > v ;"
	"ph > f ;"
	"gh > g ;"
	"::Null ;"
	/* c. The y-glide. */
	"i } i > ;"
	"j } j > ;"
	"j } [^aeiou] > i ;"
	"$b { i } [aou] > j ;"
	"[aeou] { i } [aou] > j ;";

/* names_latin(): one lower-case word with Cyrillic letters, a space either side, to passport-style Latin. */
static const char latin_rules[] =
	"[ъь] > ;"
	"ң } [гкғқ] > n ;"
	OTHER_CYRILLIC_RULES
	"::Kirghiz-Latin/BGN ;"
	"::Any-Latin ; ::NFC ;"
	"j > zh ; ĭ > i ; ö > o ; ü > u ;"
	"[\\u0020 aeiouy] { ë > yo ;"
	"ë > e ;"
	"[\\u00B7\\u02B9\\u02BA] > ;";

/* names_cyrillic(): one lower-case word with Latin letters, a space either side, to Russian-style Cyrillic. The
   left context of a rule sees Cyrillic already written, the right context Latin still to come. */
static const char cyrillic_rules[] =
	"ŝ > shch ; š > sh ; č > ch ; ž > zh ; ş > sh ; ç > ch ;"
	"ö > ө ; ü > ү ; ë > ё ; ĭ > й ; û > ю ; â > я ; ŋ > ң ;"
	"\\u02B9 > ь ; \\u02BA > ъ ;"
	"::Latin-ASCII ;"
	"$b = [\\u0020] ;"
	"$v = [aeiouаеёиоуыэюяөү] ;"
	"[бвгджзклмнпрстфхцчшщ] { \\u0027 > ь ;" /* an apostrophe after a consonant is ь (Natal'ya) */
	"shch > щ ; sch > щ ; zh > ж ; kh > х ; ts > ц ; ch > ч ; sh > ш ; ph > ф ; ck > к ;"
	"yo > ё ; yu > ю ; ya > я ; ye > е ;"
	"iu > ю ;"
	"ii } $b > ий ;"
	"iia > ия ;"
	"$v { ia > я ;"
	"$b { ia > я ;"
	"$b { e > э ;"
	"$v { y > й ;"
	"y > ы ;"
	"$v { i } [^aeiou] > й ;"
	"$v { j } [^aeiou] > й ;"
	"j > ж ;"
	"$b { x > х ;"
	"x > кс ;"
	"h > х ;"
	"c } [eiy] > ц ;"
	"c > к ; q > к ; w > в ;"
	"a > а ; b > б ; d > д ; e > е ; f > ф ; g > г ; i > и ; k > к ; l > л ; m > м ; n > н ; o > о ;"
	"p > п ; r > р ; s > с ; t > т ; u > у ; v > в ; z > з ;"
	"::Latin-Cyrillic ;";

enum translit {
	TR_KEY_SCRIPT, /* Cyrillic and Latin → lower-case ASCII letters, digits and separators */
	TR_KEY_OTHER,  /* any script → the same, when TR_KEY_SCRIPT left something that is not ASCII */
	TR_KEY_CANON,  /* ASCII romanisations → the key's skeleton */
	TR_LATIN,      /* a lower-case word with Cyrillic → passport-style Latin */
	TR_CYRILLIC,   /* a lower-case word with Latin → Cyrillic */
	TR__COUNT,
};

static const char *const translit_rules[TR__COUNT] = {key_script_rules, key_other_rules, key_canon_rules,
                                                      latin_rules, cyrillic_rules};
static const char *const translit_ids[TR__COUNT] = {"Kadam-NameKeyScript", "Kadam-NameKeyOther",
                                                    "Kadam-NameKeyCanon", "Kadam-NameLatin", "Kadam-NameCyrillic"};

/* ---- The pool of transliterators ------------------------------------------------------------------------- */

/*
 * The keys of recently seen words, so that a name met again (the same surnames come back all the time, and demo
 * data is made of a few lists) costs a hash instead of three transliterations. Two-way set-associative: a word
 * may sit in either slot of the pair its hash picks. A word is a run of the input between ASCII white space,
 * which the rules never look across, so its key does not depend on its neighbours.
 */
#define KEY_CACHE_SLOTS 4096 /* a power of two; 64 bytes each */
#define KEY_CACHE_WORD 38    /* longest word cached, in bytes of UTF-8 (19 Cyrillic letters) */
#define KEY_CACHE_KEY 24     /* longest key of a word cached */

struct key_cache_slot {
	uint8_t word_len;          /* 0: the slot is empty */
	uint8_t key_len;           /* 0 for a word with no letters or digits */
	char word[KEY_CACHE_WORD]; /* the word as it was given, not NUL-terminated */
	char key[KEY_CACHE_KEY];   /* its key, not NUL-terminated */
};

/*
 * One set of transliterators, used by one call at a time. Owner: the pool (all_sets); a call borrows the set from
 * free_sets and puts it back before returning.
 */
struct translit_set {
	UTransliterator *t[TR__COUNT];  /* owned; closed by names_shutdown() */
	struct key_cache_slot *cache;   /* KEY_CACHE_SLOTS, owned; NULL in the prototype */
	struct translit_set *next;      /* in all_sets */
	struct translit_set *next_free; /* in free_sets while nobody has borrowed the set */
};

/* prototype is compiled from the rules on first use and is only ever cloned, under pool_lock, never used itself. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct translit_set *prototype; /* NULL until first use, or after names_shutdown() */
static struct translit_set *all_sets;  /* every clone, borrowed or not */
static struct translit_set *free_sets; /* the clones nobody has borrowed */

static void set_close(struct translit_set *s)
{
	for (int i = 0; i < TR__COUNT; i++)
		if (s->t[i])
			utrans_close(s->t[i]);
	free(s->cache);
	free(s);
}

static UTransliterator *compile(enum translit which)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t n = 0;
	u_strFromUTF8(NULL, 0, &n, translit_rules[which], -1, &err);
	UChar *rules = xmalloc(((size_t)n + 1) * sizeof *rules);
	err = U_ZERO_ERROR;
	u_strFromUTF8(rules, n + 1, NULL, translit_rules[which], -1, &err);
	UChar id[64];
	u_uastrcpy(id, translit_ids[which]);
	UParseError pe = {0};
	UTransliterator *t = U_SUCCESS(err) ? utrans_openU(id, -1, UTRANS_FORWARD, rules, n, &pe, &err) : NULL;
	free(rules);
	if (U_FAILURE(err)) {
		/* A mistake in the rules above or an ICU without the transforms: no name function can work. */
		log_error("names: cannot compile %s: %s (rule %d, offset %d)", translit_ids[which], u_errorName(err),
		          (int)pe.line, (int)pe.offset);
		if (t)
			utrans_close(t);
		return NULL;
	}
	return t;
}

/* Called with pool_lock held. */
static struct translit_set *set_create_locked(void)
{
	if (!prototype) {
		struct translit_set *p = xcalloc(1, sizeof *p);
		for (int i = 0; i < TR__COUNT; i++) {
			if (!(p->t[i] = compile(i))) {
				set_close(p);
				return NULL;
			}
		}
		prototype = p;
	}
	struct translit_set *s = xcalloc(1, sizeof *s);
	s->cache = xcalloc(KEY_CACHE_SLOTS, sizeof *s->cache);
	for (int i = 0; i < TR__COUNT; i++) {
		UErrorCode err = U_ZERO_ERROR;
		s->t[i] = utrans_clone(prototype->t[i], &err);
		if (U_FAILURE(err)) {
			set_close(s);
			return NULL;
		}
	}
	s->next = all_sets;
	all_sets = s;
	return s;
}

/* A set for the calling thread alone until set_return(); NULL when ICU cannot build one. */
static struct translit_set *set_borrow(void)
{
	pthread_mutex_lock(&pool_lock);
	struct translit_set *s = free_sets;
	if (s)
		free_sets = s->next_free;
	else
		s = set_create_locked();
	pthread_mutex_unlock(&pool_lock);
	return s;
}

static void set_return(struct translit_set *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&pool_lock);
	s->next_free = free_sets;
	free_sets = s;
	pthread_mutex_unlock(&pool_lock);
}

void names_shutdown(void)
{
	pthread_mutex_lock(&pool_lock);
	while (all_sets) {
		struct translit_set *s = all_sets;
		all_sets = s->next;
		set_close(s);
	}
	free_sets = NULL;
	if (prototype)
		set_close(prototype);
	prototype = NULL;
	pthread_mutex_unlock(&pool_lock);
}

/* ---- UTF-16 scratch strings ------------------------------------------------------------------------------ */

/*
 * A UTF-16 string being built: in the caller's stack array while it fits, on the heap after. Owner: the function
 * that declares it; ustr_free() releases the heap copy.
 */
struct ustr {
	UChar *p;    /* the stack array or a heap block */
	int32_t len; /* code units used */
	int32_t cap; /* code units available */
	bool heap;   /* p was allocated here */
};

#define USTR_STACK 256

static void ustr_init(struct ustr *u, UChar *stack, int32_t cap)
{
	*u = (struct ustr){.p = stack, .cap = cap};
}

static void ustr_reserve(struct ustr *u, int32_t need)
{
	if (need <= u->cap)
		return;
	int32_t cap = need + need / 2 + 16;
	UChar *p = xmalloc((size_t)cap * sizeof *p);
	memcpy(p, u->p, (size_t)u->len * sizeof *p);
	if (u->heap)
		free(u->p);
	*u = (struct ustr){.p = p, .len = u->len, .cap = cap, .heap = true};
}

static void ustr_append(struct ustr *u, const UChar *s, int32_t n)
{
	ustr_reserve(u, u->len + n);
	memcpy(u->p + u->len, s, (size_t)n * sizeof *s);
	u->len += n;
}

static void ustr_putc(struct ustr *u, UChar c)
{
	ustr_append(u, &c, 1);
}

static void ustr_free(struct ustr *u)
{
	if (u->heap)
		free(u->p);
	u->p = NULL;
	u->heap = false;
}

/* dst = t applied to src[0..n). False only when ICU fails. */
static bool transliterate(UTransliterator *t, const UChar *src, int32_t n, struct ustr *dst)
{
	ustr_reserve(dst, 2 * n + 16);
	for (int attempt = 0; attempt < 2; attempt++) {
		memcpy(dst->p, src, (size_t)n * sizeof *src);
		int32_t len = n, limit = n;
		UErrorCode err = U_ZERO_ERROR;
		utrans_transUChars(t, dst->p, &len, dst->cap, 0, &limit, &err);
		if (U_SUCCESS(err)) {
			dst->len = len;
			return true;
		}
		if (err != U_BUFFER_OVERFLOW_ERROR)
			break;
		dst->len = 0;
		ustr_reserve(dst, len + 1); /* len is the length the result needs */
	}
	dst->len = 0;
	return false;
}

/* UTF-8 to UTF-16; false when it is not UTF-8. */
static bool from_utf8(const char *utf8, size_t n, struct ustr *u)
{
	ustr_reserve(u, (int32_t)n + 1); /* UTF-16 never needs more units than UTF-8 has bytes */
	UErrorCode err = U_ZERO_ERROR;
	int32_t len = 0;
	u_strFromUTF8(u->p, u->cap, &len, utf8, (int32_t)n, &err);
	u->len = U_SUCCESS(err) ? len : 0;
	return U_SUCCESS(err);
}

/* dst = NFC of src. */
static bool to_nfc(const struct ustr *src, struct ustr *dst)
{
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
	if (U_FAILURE(err))
		return false;
	dst->len = 0;
	if (unorm2_quickCheck(nfc, src->p, src->len, &err) == UNORM_YES && U_SUCCESS(err)) {
		ustr_append(dst, src->p, src->len);
		return true;
	}
	err = U_ZERO_ERROR;
	ustr_reserve(dst, 3 * src->len + 1); /* NFC makes a string at most three times longer */
	dst->len = unorm2_normalize(nfc, src->p, src->len, dst->p, dst->cap, &err);
	if (U_FAILURE(err))
		dst->len = 0;
	return U_SUCCESS(err);
}

/* dst = src in lower case (root locale). */
static bool to_lower(const UChar *src, int32_t n, struct ustr *dst)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		UErrorCode err = U_ZERO_ERROR;
		int32_t len = u_strToLower(dst->p, dst->cap, src, n, "", &err);
		if (U_SUCCESS(err) && len <= dst->cap) {
			dst->len = len;
			return true;
		}
		if (err != U_BUFFER_OVERFLOW_ERROR)
			break;
		dst->len = 0;
		ustr_reserve(dst, len + 1);
	}
	dst->len = 0;
	return false;
}

static bool to_utf8(const struct ustr *u, char *out, size_t outsz)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t cap = outsz > INT32_MAX ? INT32_MAX : (int32_t)outsz;
	u_strToUTF8(out, cap, NULL, u->p, u->len, &err);
	if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING) {
		out[0] = '\0';
		return false;
	}
	return true;
}

/* ---- The key --------------------------------------------------------------------------------------------- */

/* Characters that vanish between the script stage and the tokens without splitting a token: apostrophes, marks,
   modifier letters (ICU writes қ as Kˌ) and letters with no ASCII spelling. */
static bool is_silent(UChar32 c)
{
	if (c == '\'' || c == '`')
		return true;
	if (c < 0x80)
		return false;
	switch (u_charType(c)) {
	case U_NON_SPACING_MARK:
	case U_ENCLOSING_MARK:
	case U_COMBINING_SPACING_MARK:
	case U_MODIFIER_LETTER:
	case U_FORMAT_CHAR:
	case U_UPPERCASE_LETTER:
	case U_LOWERCASE_LETTER:
	case U_TITLECASE_LETTER:
	case U_OTHER_LETTER:
		return true;
	default:
		return false;
	}
}

/*
 * Splits the output of the script stage into tokens. raw (room for s->len + 2 chars) gets every token, joined by
 * single spaces; canon_in gets a space and then each token without a digit followed by a space: the input of
 * TR_KEY_CANON, where a space marks both ends of every word.
 */
static void tokenise(const struct ustr *s, char *raw, struct ustr *canon_in)
{
	size_t len = 0, start = 0; /* the open token is raw[start..len) */
	bool digit = false;
	ustr_putc(canon_in, ' ');
	for (int32_t i = 0; i <= s->len;) {
		UChar32 c = ' '; /* after the last character, to close the last token */
		if (i < s->len)
			U16_NEXT(s->p, i, s->len, c);
		else
			i++;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			raw[len++] = (char)c;
			digit |= c <= '9';
		} else if (!is_silent(c) && len > start) {
			if (!digit) {
				for (size_t k = start; k < len; k++)
					ustr_putc(canon_in, (UChar)raw[k]);
				ustr_putc(canon_in, ' ');
			}
			raw[len++] = ' ';
			start = len;
			digit = false;
		}
	}
	if (len > 0)
		len--; /* the space after the last token */
	raw[len] = '\0';
}

/* Appends the next word of the skeleton (from *pos in canon) to out, doubled letters collapsed. */
static bool put_canon_token(const struct ustr *canon, int32_t *pos, char *out, size_t outsz, size_t *len)
{
	while (*pos < canon->len && !(canon->p[*pos] >= 'a' && canon->p[*pos] <= 'z'))
		(*pos)++;
	char last = 0;
	for (; *pos < canon->len && canon->p[*pos] >= 'a' && canon->p[*pos] <= 'z'; (*pos)++) {
		char c = (char)canon->p[*pos];
		if (c == last)
			continue;
		if (*len + 1 >= outsz)
			return false;
		out[(*len)++] = last = c;
	}
	return true;
}

/* Appends the key of one word at *len: every raw token in order, a document number as it is, a word as its
   skeleton from canon; tokens are separated by single spaces. */
static bool put_key(const char *raw, const struct ustr *canon, char *out, size_t outsz, size_t *len)
{
	size_t start = *len;
	int32_t pos = 0;
	for (const char *p = raw; *p; p += strspn(p, " ")) {
		size_t n = strcspn(p, " ");
		size_t before = *len;
		if (*len > start) {
			if (*len + 1 >= outsz)
				return false;
			out[(*len)++] = ' ';
		}
		size_t token = *len;
		if (strcspn(p, "0123456789") < n) {
			if (*len + n >= outsz)
				return false;
			memcpy(out + *len, p, n);
			*len += n;
		} else if (!put_canon_token(canon, &pos, out, outsz, len)) {
			return false;
		}
		if (*len == token)
			*len = before; /* nothing was left of the token: take its space back */
		p += n;
	}
	return true;
}

static bool is_ascii(const UChar *s, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		if (s[i] >= 0x80)
			return false;
	return true;
}

/* Appends the key of the word w[0..n) (no ASCII white space in it) at *len. */
static bool key_word(struct translit_set *set, const char *w, size_t n, char *out, size_t outsz, size_t *len)
{
	UChar stack_a[USTR_STACK], stack_b[USTR_STACK], stack_canon_in[USTR_STACK], stack_canon[USTR_STACK];
	char stack_raw[USTR_STACK + 2];
	struct ustr a, b, canon_in, canon;
	ustr_init(&a, stack_a, USTR_STACK);
	ustr_init(&b, stack_b, USTR_STACK);
	ustr_init(&canon_in, stack_canon_in, USTR_STACK);
	ustr_init(&canon, stack_canon, USTR_STACK);
	struct ustr *script = &a;
	char *raw = NULL;
	bool ok = false;

	bool ascii = true;
	for (size_t i = 0; i < n && ascii; i++)
		ascii = (unsigned char)w[i] < 0x80;
	if (ascii) {
		/* For ASCII stage 1 would only lower-case, which tokenise() does anyway. */
		ustr_reserve(&a, (int32_t)n);
		for (size_t i = 0; i < n; i++)
			a.p[i] = (UChar)w[i];
		a.len = (int32_t)n;
	} else {
		if (!from_utf8(w, n, &a) || !to_nfc(&a, &b) || !to_lower(b.p, b.len, &a) ||
		    !transliterate(set->t[TR_KEY_SCRIPT], a.p, a.len, &b))
			goto done;
		script = &b;
		if (!is_ascii(b.p, b.len)) {
			if (!transliterate(set->t[TR_KEY_OTHER], b.p, b.len, &a))
				goto done;
			script = &a;
		}
	}

	raw = script->len <= USTR_STACK ? stack_raw : xmalloc((size_t)script->len + 2);
	tokenise(script, raw, &canon_in);
	if (canon_in.len > 1 && !transliterate(set->t[TR_KEY_CANON], canon_in.p, canon_in.len, &canon))
		goto done;
	ok = put_key(raw, &canon, out, outsz, len);

done:
	if (raw != stack_raw)
		free(raw);
	ustr_free(&a);
	ustr_free(&b);
	ustr_free(&canon_in);
	ustr_free(&canon);
	return ok;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* key_word() through the set's cache; the key goes after a space when out already holds something. */
static bool key_word_cached(struct translit_set *set, const char *w, size_t n, char *out, size_t outsz,
                            size_t *len)
{
	size_t start = *len;
	if (start > 0 && start + 1 >= outsz) {
		/* No room even for a space: all right if the word has no key at all (a lone mark, a dash). */
		char none[1];
		size_t none_len = 0;
		return key_word_cached(set, w, n, none, sizeof none, &none_len);
	}
	if (start > 0)
		out[(*len)++] = ' ';
	size_t key = *len;
	struct key_cache_slot *pair = NULL, *hit = NULL;
	uint32_t h = hash_bytes(w, n);
	if (n <= KEY_CACHE_WORD) {
		pair = &set->cache[h & (KEY_CACHE_SLOTS - 2)];
		for (int i = 0; i < 2 && !hit; i++)
			if (pair[i].word_len == n && memcmp(pair[i].word, w, n) == 0)
				hit = &pair[i];
	}
	if (hit) {
		if (*len + hit->key_len >= outsz)
			return false;
		memcpy(out + *len, hit->key, hit->key_len);
		*len += hit->key_len;
	} else {
		if (!key_word(set, w, n, out, outsz, len))
			return false;
		if (pair && *len - key <= KEY_CACHE_KEY) {
			/* An empty slot of the pair, or else one of the two picked by another bit of the hash. */
			struct key_cache_slot *slot = !pair[0].word_len ? &pair[0]
			                              : !pair[1].word_len ? &pair[1]
			                                                  : &pair[(h >> 16) & 1];
			slot->word_len = (uint8_t)n;
			memcpy(slot->word, w, n);
			slot->key_len = (uint8_t)(*len - key);
			memcpy(slot->key, out + key, slot->key_len);
		}
	}
	if (*len == key)
		*len = start; /* the word had no letters or digits: take its space back */
	return true;
}

bool names_key(const char *utf8, char *out, size_t outsz)
{
	if (!out || outsz == 0)
		return false;
	out[0] = '\0';
	if (!utf8)
		return false;
	size_t n = strnlen(utf8, NAMES_INPUT_MAX + 1);
	if (n > NAMES_INPUT_MAX)
		return false;
	struct translit_set *set = set_borrow();
	if (!set)
		return false;
	static const char space[] = " \t\n\v\f\r";
	size_t len = 0;
	bool ok = true;
	for (const char *p = utf8 + strspn(utf8, space); ok && *p; p += strspn(p, space)) {
		size_t w = strcspn(p, space);
		ok = key_word_cached(set, p, w, out, outsz, &len);
		p += w;
	}
	set_return(set);
	out[ok ? len : 0] = '\0';
	return ok;
}

/* ---- The spellings --------------------------------------------------------------------------------------- */

/* The capitals a word had, to give back to its transliteration. */
enum word_case {
	CASE_LOWER, /* no capitals, or an unusual mix */
	CASE_TITLE, /* a capital first letter (Иванов, Ж.) */
	CASE_UPPER, /* two letters or more, all capitals (ИВАНОВ) */
};

static bool is_apostrophe(UChar32 c)
{
	return c == 0x27 || c == 0x2019 || c == 0x02BC || c == 0x02B9 || c == 0x02BA;
}

/* Letters, the marks on them and apostrophes make words; everything else is copied as it is. */
static bool is_word_char(UChar32 c)
{
	return u_isalpha(c) || is_apostrophe(c) || (U_GET_GC_MASK(c) & U_GC_M_MASK);
}

static enum word_case word_case_of(const UChar *w, int32_t n)
{
	int letters = 0, upper = 0;
	bool first_upper = false;
	for (int32_t i = 0; i < n;) {
		UChar32 c;
		U16_NEXT(w, i, n, c);
		if (!u_isalpha(c))
			continue;
		bool up = u_isupper(c) || u_istitle(c);
		if (letters++ == 0)
			first_upper = up;
		upper += up;
	}
	if (letters >= 2 && upper == letters)
		return CASE_UPPER;
	return first_upper ? CASE_TITLE : CASE_LOWER;
}

/* Transliterates one word w[0..n) with t and appends it to out with the capitals of w. */
static bool respell_word(UTransliterator *t, const UChar *w, int32_t n, struct ustr *out)
{
	UChar stack_lower[USTR_STACK], stack_done[USTR_STACK];
	struct ustr lower, done;
	ustr_init(&lower, stack_lower, USTR_STACK);
	ustr_init(&done, stack_done, USTR_STACK);
	bool ok = false;

	/* " word ": the spaces let the rules see where the word starts and ends. */
	UErrorCode err = U_ZERO_ERROR;
	ustr_reserve(&lower, n + 2);
	int32_t len = u_strToLower(lower.p + 1, lower.cap - 2, w, n, "", &err);
	if (err == U_BUFFER_OVERFLOW_ERROR) {
		ustr_reserve(&lower, len + 2);
		err = U_ZERO_ERROR;
		len = u_strToLower(lower.p + 1, lower.cap - 2, w, n, "", &err);
	}
	if (U_FAILURE(err))
		goto done;
	lower.p[0] = lower.p[len + 1] = ' ';
	lower.len = len + 2;
	if (!transliterate(t, lower.p, lower.len, &done))
		goto done;
	int32_t from = 0, to = done.len;
	if (from < to && done.p[from] == ' ')
		from++;
	if (to > from && done.p[to - 1] == ' ')
		to--;

	enum word_case wc = word_case_of(w, n);
	if (wc == CASE_UPPER) {
		err = U_ZERO_ERROR;
		ustr_reserve(out, out->len + 3 * (to - from) + 4); /* full upper case at most triples a string */
		len = u_strToUpper(out->p + out->len, out->cap - out->len, done.p + from, to - from, "", &err);
		if (U_FAILURE(err))
			goto done;
		out->len += len;
	} else {
		/* CASE_TITLE: the first letter in capitals; a mark or an apostrophe before it stays as it is. */
		int32_t rest = from;
		while (wc == CASE_TITLE && rest < to) {
			int32_t at = rest;
			UChar32 c;
			U16_NEXT(done.p, rest, to, c);
			if (!u_isalpha(c))
				continue;
			ustr_append(out, done.p + from, at - from);
			UChar up[U16_MAX_LENGTH];
			int32_t k = 0;
			UBool bad = false;
			U16_APPEND(up, k, U16_MAX_LENGTH, u_toupper(c), bad);
			(void)bad; /* a code point always fits in U16_MAX_LENGTH units */
			ustr_append(out, up, k);
			from = rest;
			break;
		}
		ustr_append(out, done.p + from, to - from);
	}
	ok = true;
done:
	ustr_free(&lower);
	ustr_free(&done);
	return ok;
}

/* names_latin() and names_cyrillic(): the words with a letter of script are respelt by the transliterator which. */
static bool respell(const char *utf8, char *out, size_t outsz, enum translit which, UScriptCode script)
{
	if (!out || outsz == 0)
		return false;
	out[0] = '\0';
	if (!utf8)
		return false;
	UChar stack_src[USTR_STACK], stack_nfc[USTR_STACK], stack_out[USTR_STACK];
	struct ustr src, nfc, res;
	ustr_init(&src, stack_src, USTR_STACK);
	ustr_init(&nfc, stack_nfc, USTR_STACK);
	ustr_init(&res, stack_out, USTR_STACK);
	struct translit_set *set = NULL;
	bool ok = false;

	size_t n = strnlen(utf8, NAMES_INPUT_MAX + 1);
	if (n > NAMES_INPUT_MAX || !from_utf8(utf8, n, &src) || !to_nfc(&src, &nfc))
		goto done;

	for (int32_t i = 0; i < nfc.len;) {
		/* A run of word characters is a word, anything else is copied as it is. */
		int32_t start = i, end = i;
		bool wanted = false;
		while (end < nfc.len) {
			int32_t next = end;
			UChar32 c;
			U16_NEXT(nfc.p, next, nfc.len, c);
			if (!is_word_char(c))
				break;
			UErrorCode err = U_ZERO_ERROR;
			wanted |= uscript_getScript(c, &err) == script;
			end = next;
		}
		if (end == start) {
			U16_FWD_1(nfc.p, end, nfc.len);
			ustr_append(&res, nfc.p + start, end - start);
		} else if (!wanted) {
			ustr_append(&res, nfc.p + start, end - start);
		} else {
			if (!set && !(set = set_borrow()))
				goto done;
			if (!respell_word(set->t[which], nfc.p + start, end - start, &res))
				goto done;
		}
		i = end;
	}
	ok = to_utf8(&res, out, outsz);

done:
	set_return(set);
	ustr_free(&src);
	ustr_free(&nfc);
	ustr_free(&res);
	return ok;
}

bool names_latin(const char *utf8, char *out, size_t outsz)
{
	return respell(utf8, out, outsz, TR_LATIN, USCRIPT_CYRILLIC);
}

bool names_cyrillic(const char *utf8, char *out, size_t outsz)
{
	return respell(utf8, out, outsz, TR_CYRILLIC, USCRIPT_LATIN);
}

/* ---- Distance -------------------------------------------------------------------------------------------- */

/*
 * Optimal string alignment over bytes, three rows of the usual table. Stopping when a whole row exceeds max is
 * safe: every cell is at most one more than its upper-left neighbour, so the row above is then at least max,
 * and a swap (two rows up, plus one) cannot bring a later row back to max.
 */
int names_distance(const char *a, const char *b, int max)
{
	if (max < 0)
		max = 0;
	if (!a)
		a = "";
	if (!b)
		b = "";
	size_t la = strlen(a), lb = strlen(b);
	if ((la > lb ? la - lb : lb - la) > (size_t)max)
		return max + 1;
	int stack[3][NAMES_KEY_MAX + 1];
	int *heap = NULL;
	int *row[3] = {stack[0], stack[1], stack[2]}; /* two rows up, the row above, this row */
	if (lb > NAMES_KEY_MAX) {
		heap = xmalloc(3 * (lb + 1) * sizeof *heap);
		for (int k = 0; k < 3; k++)
			row[k] = heap + (size_t)k * (lb + 1);
	}
	for (size_t j = 0; j <= lb; j++)
		row[1][j] = (int)(j < (size_t)max + 1 ? j : (size_t)max + 1);
	int result = -1;
	for (size_t i = 1; i <= la && result < 0; i++) {
		int *cur = row[2], *up = row[1], *up2 = row[0];
		cur[0] = (int)(i < (size_t)max + 1 ? i : (size_t)max + 1);
		int best = cur[0];
		for (size_t j = 1; j <= lb; j++) {
			int d = up[j - 1] + (a[i - 1] != b[j - 1]);
			if (up[j] + 1 < d)
				d = up[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && up2[j - 2] + 1 < d)
				d = up2[j - 2] + 1;
			cur[j] = d;
			if (d < best)
				best = d;
		}
		if (best > max)
			result = max + 1;
		row[0] = up;
		row[1] = cur;
		row[2] = up2;
	}
	if (result < 0)
		result = row[1][lb] > max ? max + 1 : row[1][lb];
	free(heap);
	return result;
}
