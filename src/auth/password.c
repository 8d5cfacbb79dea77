/*
 * password.c — the password policy (S18) and Argon2id storage. See password.h.
 */
#include "auth/password.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Generated from data/common-passwords.txt by scripts/embed-list.py: sorted bytewise, ASCII-lowercased. */
extern const char *const common_passwords[];
extern const size_t common_passwords_count;

/* ---------------------------------------------------------------- UTF-8 */

/*
 * Decodes one code point at *p (not past end) and advances *p. Strict UTF-8
 * (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
 * Returns false on a malformed sequence.
 */
static bool utf8_next(const unsigned char **p, const unsigned char *end, uint32_t *cp_r)
{
	const unsigned char *s = *p;
	uint32_t c = s[0];
	size_t n;
	uint32_t min;
	if (c < 0x80) {
		*cp_r = c;
		*p = s + 1;
		return true;
	} else if (c >= 0xC2 && c <= 0xDF) {
		n = 1, min = 0x80, c &= 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2, min = 0x800, c &= 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3, min = 0x10000, c &= 0x07;
	} else {
		return false;
	}
	if ((size_t)(end - s) <= n)
		return false;
	for (size_t i = 1; i <= n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return false;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return false;
	*cp_r = c;
	*p = s + n + 1;
	return true;
}

/* The number of code points in s[0..len), or -1 if it is not valid UTF-8. */
static long utf8_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	long count = 0;
	uint32_t cp;
	while (p < end) {
		if (!utf8_next(&p, end, &cp))
			return -1;
		count++;
	}
	return count;
}

/*
 * Simple lower-casing for the letters Kadam's users write: ASCII, Latin-1,
 * and Cyrillic including the Kyrgyz Ң, Ө, Ү. Enough to see that "АЙГУЛЬ"
 * is the display name "Айгуль"; not full Unicode case folding.
 */
static uint32_t fold_case(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
		return c + 0x20;
	if (c >= 0x410 && c <= 0x42F)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40F)
		return c + 0x50;
	if (((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || (c >= 0x4D0 && c <= 0x52F)) && c % 2 == 0)
		return c + 1;
	if (c >= 0x4C1 && c <= 0x4CE && c % 2 == 1)
		return c + 1;
	return c;
}

/* ----------------------------------------------------------- the policy */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Sets *start and *len to s without leading and trailing ASCII white space. */
static void trim(const char *s, const char **start, size_t *len)
{
	size_t n = strlen(s);
	while (n && is_space(*s))
		s++, n--;
	while (n && is_space(s[n - 1]))
		n--;
	*start = s;
	*len = n;
}

/* True if a and b are equal ignoring case (fold_case) and surrounding white space. */
static bool same_name(const char *a, const char *b)
{
	const char *as, *bs;
	size_t alen, blen;
	trim(a, &as, &alen);
	trim(b, &bs, &blen);
	if (alen == 0 || blen == 0)
		return false;
	const unsigned char *p = (const unsigned char *)as, *pend = p + alen;
	const unsigned char *q = (const unsigned char *)bs, *qend = q + blen;
	while (p < pend && q < qend) {
		uint32_t x, y;
		const unsigned char *p0 = p, *q0 = q;
		if (!utf8_next(&p, pend, &x)) /* not UTF-8: compare this byte as it is */
			x = *p0, p = p0 + 1;
		if (!utf8_next(&q, qend, &y))
			y = *q0, q = q0 + 1;
		if (fold_case(x) != fold_case(y))
			return false;
	}
	return p == pend && q == qend;
}

static int compare_entry(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

/* True if the password, trimmed and ASCII-lowercased, is on the common list. len < sizeof lower below. */
static bool is_common(const char *password)
{
	char lower[4 * PASSWORD_MAX_CHARS + 1];
	const char *s;
	size_t len;
	trim(password, &s, &len);
	if (len >= sizeof lower)
		return false; /* longer than any entry can be */
	for (size_t i = 0; i < len; i++)
		lower[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 0x20) : s[i];
	lower[len] = '\0';
	return bsearch(lower, common_passwords, common_passwords_count, sizeof common_passwords[0],
	               compare_entry) != NULL;
}

enum password_problem password_check(const char *password, const char *login, const char *display_name)
{
	if (!password)
		return PASSWORD_TOO_SHORT;
	long chars = utf8_count(password, strlen(password));
	if (chars < 0)
		return PASSWORD_NOT_UTF8;
	if (chars < PASSWORD_MIN_CHARS)
		return PASSWORD_TOO_SHORT;
	if (chars > PASSWORD_MAX_CHARS)
		return PASSWORD_TOO_LONG;
	if ((login && same_name(password, login)) || (display_name && same_name(password, display_name)))
		return PASSWORD_CONTAINS_LOGIN;
	if (is_common(password))
		return PASSWORD_COMMON;
	return PASSWORD_OK;
}

const char *password_problem_message(enum password_problem problem)
{
	switch (problem) {
	case PASSWORD_OK:
		return "is acceptable";
	case PASSWORD_TOO_SHORT:
		return "must be at least 12 characters";
	case PASSWORD_TOO_LONG:
		return "must be at most 128 characters";
	case PASSWORD_COMMON:
		return "is too common; choose a less predictable password, for example a few unrelated words";
	case PASSWORD_CONTAINS_LOGIN:
		return "must not be your login or your name";
	case PASSWORD_NOT_UTF8:
		return "must be valid UTF-8 text";
	}
	return "is not acceptable";
}

/* ------------------------------------------------------------- storage */

/* The limits of new hashes. Raising them makes password_needs_rehash() true for older hashes. */
#define HASH_OPSLIMIT crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE
#define HASH_MEMLIMIT crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE

/*
 * Each Argon2id run holds HASH_MEMLIMIT (64 MiB) for about 0.1 s. With a
 * thread per connection, a burst of logins could otherwise take gigabytes:
 * at most HASH_CONCURRENCY run at once, the rest wait their turn.
 */
#define HASH_CONCURRENCY 4
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_free = PTHREAD_COND_INITIALIZER;
static int slots_used;

static void slot_take(void)
{
	pthread_mutex_lock(&slots_lock);
	while (slots_used >= HASH_CONCURRENCY)
		pthread_cond_wait(&slots_free, &slots_lock);
	slots_used++;
	pthread_mutex_unlock(&slots_lock);
}

static void slot_give(void)
{
	pthread_mutex_lock(&slots_lock);
	slots_used--;
	pthread_cond_signal(&slots_free);
	pthread_mutex_unlock(&slots_lock);
}

bool password_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
	if (!password || sodium_init() < 0)
		return false;
	slot_take();
	bool ok = crypto_pwhash_str_alg(out, password, strlen(password), HASH_OPSLIMIT, HASH_MEMLIMIT,
	                                crypto_pwhash_ALG_ARGON2ID13) == 0;
	slot_give();
	return ok;
}

/* A hash of nothing anyone knows, checked when there is no real one, so that an
 * unknown login takes as long to refuse as a wrong password. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	char random[33];
	unsigned char bytes[16];
	randombytes_buf(bytes, sizeof bytes);
	sodium_bin2hex(random, sizeof random, bytes, sizeof bytes);
	if (!password_hash(random, dummy_hash))
		dummy_hash[0] = '\0';
}

bool password_verify(const char *hash, const char *password)
{
	if (!password || sodium_init() < 0)
		return false;
	bool real = hash && hash[0] && strnlen(hash, crypto_pwhash_STRBYTES) < crypto_pwhash_STRBYTES;
	if (!real) {
		pthread_once(&dummy_once, make_dummy);
		hash = dummy_hash;
		if (!hash[0])
			return false;
	}
	slot_take();
	bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	slot_give();
	return ok && real;
}

bool password_needs_rehash(const char *hash)
{
	if (!hash || strnlen(hash, crypto_pwhash_STRBYTES) >= crypto_pwhash_STRBYTES)
		return true;
	/* -1 (not an Argon2id string, e.g. Argon2i) counts as "needs rehash" too. */
	return crypto_pwhash_argon2id_str_needs_rehash(hash, HASH_OPSLIMIT, HASH_MEMLIMIT) != 0;
}

void password_generate_onetime(char out[PASSWORD_ONETIME_SIZE])
{
	/* No 0/o, 1/l/i: read aloud or copied from a screen without mistakes. 31 symbols, ~4.95 bits each. */
	static const char alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";
	do {
		for (size_t i = 0; i < PASSWORD_ONETIME_LEN; i++)
			out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
		out[PASSWORD_ONETIME_LEN] = '\0';
	} while (password_check(out, NULL, NULL) != PASSWORD_OK); /* practically never repeats */
}
