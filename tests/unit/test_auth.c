/* Unit tests for src/auth: the password policy and hashing, TOTP and recovery codes, tokens and cookies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <liboath/oath.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "auth/token.h"
#include "auth/totp.h"
#include "base/buf.h"

/* s repeated n times (a malloc'd string). */
static char *repeat(const char *s, int n)
{
	struct buf b = {0};
	for (int i = 0; i < n; i++)
		buf_puts(&b, s);
	return buf_steal(&b);
}

/* ------------------------------------------------------------ passwords */

static void password_length_counts_code_points(void **state)
{
	assert_int_equal(password_check("Zq7!pLm2xR9", NULL, NULL), PASSWORD_TOO_SHORT);  /* 11 */
	assert_int_equal(password_check("Zq7!pLm2xR9w", NULL, NULL), PASSWORD_OK);        /* 12 */
	assert_int_equal(password_check("", NULL, NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(password_check(NULL, NULL, NULL), PASSWORD_TOO_SHORT);
	/* 11 Cyrillic letters are 22 bytes but 11 characters; 12 are enough. */
	assert_int_equal(password_check("ёлкипалкидв", NULL, NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(password_check("ёлкипалкидва", NULL, NULL), PASSWORD_OK);
	/* 64 must be allowed (S18); 128 is the limit, counted in characters, not bytes. */
	char *s = repeat("ж", 64);
	assert_int_equal(password_check(s, NULL, NULL), PASSWORD_OK);
	free(s);
	s = repeat("ж", 128);
	assert_int_equal(strlen(s), 256);
	assert_int_equal(password_check(s, NULL, NULL), PASSWORD_OK);
	free(s);
	s = repeat("ж", 129);
	assert_int_equal(password_check(s, NULL, NULL), PASSWORD_TOO_LONG);
	free(s);
	s = repeat("😀", 12); /* four-byte sequences count once too */
	assert_int_equal(password_check(s, NULL, NULL), PASSWORD_OK);
	free(s);
}

static void password_must_be_utf8(void **state)
{
	assert_int_equal(password_check("abcdefghijk\xff", NULL, NULL), PASSWORD_NOT_UTF8);
	assert_int_equal(password_check("abcdefghijk\xc0\xaf", NULL, NULL), PASSWORD_NOT_UTF8);  /* overlong '/' */
	assert_int_equal(password_check("abcdefghijk\xed\xa0\x80", NULL, NULL), PASSWORD_NOT_UTF8); /* surrogate */
	assert_int_equal(password_check("abcdefghijkl\xd0", NULL, NULL), PASSWORD_NOT_UTF8);      /* cut short */
	assert_int_equal(password_check("abcdefghijk\xf4\x90\x80\x80", NULL, NULL), PASSWORD_NOT_UTF8); /* > U+10FFFF */
}

static void password_common_ones_are_refused(void **state)
{
	/* Entries of data/common-passwords.txt that are long enough to pass the length rule. */
	assert_int_equal(password_check("password1234", NULL, NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("qwertyuiop123", NULL, NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("1qaz2wsx3edc", NULL, NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("administrator", NULL, NULL), PASSWORD_COMMON);
	/* ASCII case and surrounding white space do not help. */
	assert_int_equal(password_check("PassWord1234", NULL, NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("  QWERTYUIOP123\t", NULL, NULL), PASSWORD_COMMON);
	/* Near misses are not on the list. */
	assert_int_equal(password_check("password12345x", NULL, NULL), PASSWORD_OK);
	assert_int_equal(password_check("pass word1234", NULL, NULL), PASSWORD_OK);
}

static void password_equal_to_login_or_name_is_refused(void **state)
{
	const char *login = "aigul.berdibaeva", *name = "Айгуль Бердибаева";
	assert_int_equal(password_check("aigul.berdibaeva", login, name), PASSWORD_CONTAINS_LOGIN);
	assert_int_equal(password_check(" Aigul.Berdibaeva ", login, name), PASSWORD_CONTAINS_LOGIN);
	assert_int_equal(password_check("Айгуль Бердибаева", login, name), PASSWORD_CONTAINS_LOGIN);
	assert_int_equal(password_check("АЙГУЛЬ БЕРДИБАЕВА", login, name), PASSWORD_CONTAINS_LOGIN);
	assert_int_equal(password_check("үмүт өмүрбекова", "umut", "ҮМҮТ ӨМҮРБЕКОВА"), PASSWORD_CONTAINS_LOGIN);
	assert_int_equal(password_check("aigul.berdibaeva1", login, name), PASSWORD_OK);
	assert_int_equal(password_check("aigul.berdibaeva", NULL, ""), PASSWORD_OK);
}

static void password_problems_have_messages(void **state)
{
	for (int p = PASSWORD_OK; p <= PASSWORD_NOT_UTF8; p++) {
		const char *m = password_problem_message((enum password_problem)p);
		assert_non_null(m);
		assert_true(strlen(m) > 5);
	}
	assert_string_equal(password_problem_message(PASSWORD_TOO_SHORT), "must be at least 12 characters");
}

static void password_hash_round_trip(void **state)
{
	char hash[crypto_pwhash_STRBYTES];
	assert_true(password_hash("correct horse battery staple", hash));
	assert_true(strncmp(hash, "$argon2id$", 10) == 0);
	assert_true(password_verify(hash, "correct horse battery staple"));
	assert_false(password_verify(hash, "correct horse battery stapl"));
	assert_false(password_verify(hash, "Correct horse battery staple"));
	assert_false(password_verify(hash, ""));
	assert_false(password_needs_rehash(hash));

	char again[crypto_pwhash_STRBYTES];
	assert_true(password_hash("correct horse battery staple", again));
	assert_string_not_equal(hash, again); /* salted */

	assert_false(password_verify("not a hash", "x"));
	assert_false(password_verify(NULL, "x"));
	assert_false(password_verify(hash, NULL));
	assert_true(password_needs_rehash("not a hash"));
	assert_true(password_needs_rehash(NULL));

	/* A hash made with other limits still verifies, and asks to be redone. */
	char weak[crypto_pwhash_STRBYTES];
	assert_int_equal(crypto_pwhash_str_alg(weak, "tiny", 4, crypto_pwhash_argon2id_OPSLIMIT_MIN,
	                                       crypto_pwhash_argon2id_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13),
	                 0);
	assert_true(password_verify(weak, "tiny"));
	assert_true(password_needs_rehash(weak));
}

static void onetime_passwords_pass_the_policy(void **state)
{
	char seen[50][PASSWORD_ONETIME_SIZE];
	for (int i = 0; i < 50; i++) {
		password_generate_onetime(seen[i]);
		assert_int_equal(strlen(seen[i]), PASSWORD_ONETIME_LEN);
		assert_int_equal(password_check(seen[i], "admin", "Administrator"), PASSWORD_OK);
		assert_int_equal(strspn(seen[i], "23456789abcdefghjkmnpqrstuvwxyz"), PASSWORD_ONETIME_LEN);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(seen[i], seen[j]);
	}
}

/* ----------------------------------------------------------------- TOTP */

/* RFC 6238 appendix B: the SHA1 key "12345678901234567890" in base32. */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static int64_t seconds(int64_t s)
{
	return s * 1000;
}

static void totp_rfc6238_vectors(void **state)
{
	static const struct {
		int64_t t;
		const char *code;
	} vectors[] = {
		{59, "287082"},          {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"},  {2000000000, "279037"}, {20000000000, "353130"},
	};
	for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
		int64_t step = -1;
		assert_int_equal(totp_verify(RFC_SECRET, vectors[i].code, seconds(vectors[i].t), 0, &step), TOTP_OK);
		assert_int_equal(step, vectors[i].t / 30);
	}
	/* Lower-case base32 is the same secret. */
	int64_t step;
	assert_int_equal(totp_verify("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "005924", seconds(1234567890), 0, &step),
	                 TOTP_OK);
}

static void totp_window_is_one_step(void **state)
{
	const int64_t step = 1111111109 / 30; /* the step of "081804" */
	int64_t got = 0;
	assert_int_equal(totp_verify(RFC_SECRET, "081804", seconds((step + 1) * 30 + 29), 0, &got), TOTP_OK);
	assert_int_equal(got, step);
	assert_int_equal(totp_verify(RFC_SECRET, "081804", seconds((step - 1) * 30), 0, &got), TOTP_OK);
	assert_int_equal(got, step);
	assert_int_equal(totp_verify(RFC_SECRET, "081804", seconds((step + 2) * 30), 0, &got), TOTP_WRONG);
	assert_int_equal(totp_verify(RFC_SECRET, "081804", seconds((step - 2) * 30 + 29), 0, &got), TOTP_WRONG);
	assert_int_equal(totp_verify(RFC_SECRET, "123456", seconds(step * 30), 0, &got), TOTP_WRONG);
	/* Near the epoch there is no step -1. */
	assert_int_equal(totp_verify(RFC_SECRET, "287082", 0, 0, &got), TOTP_OK);
	assert_int_equal(got, 1);
	assert_int_equal(totp_verify(RFC_SECRET, "287082", -seconds(30), -5, &got), TOTP_WRONG);
}

static void totp_code_is_used_once(void **state)
{
	const int64_t step = 1234567890 / 30; /* "005924" */
	int64_t got = 0;
	assert_int_equal(totp_verify(RFC_SECRET, "005924", seconds(1234567890), step - 1, &got), TOTP_OK);
	assert_int_equal(got, step);
	/* The same code again, or an earlier one after a later one was used, is refused. */
	assert_int_equal(totp_verify(RFC_SECRET, "005924", seconds(1234567890), got, &got), TOTP_REPLAYED);
	assert_int_equal(totp_verify(RFC_SECRET, "005924", seconds(1234567890 + 30), step + 1, &got), TOTP_REPLAYED);
}

static void totp_bad_formats_are_refused(void **state)
{
	static const char *const bad[] = {"12345", "1234567", "12a456", " 123456", "123456 ", "", "１２３４５６", "-12345"};
	int64_t got;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(totp_verify(RFC_SECRET, bad[i], seconds(59), 0, &got), TOTP_BAD_FORMAT);
	assert_int_equal(totp_verify(RFC_SECRET, NULL, seconds(59), 0, &got), TOTP_BAD_FORMAT);
	assert_int_equal(totp_verify("not base32!", "287082", seconds(59), 0, &got), TOTP_ERROR);
	assert_int_equal(totp_verify(NULL, "287082", seconds(59), 0, &got), TOTP_ERROR);
}

static void totp_new_secrets_work_with_an_authenticator(void **state)
{
	char a[TOTP_SECRET_B32_SIZE], b[TOTP_SECRET_B32_SIZE];
	totp_secret_generate(a);
	totp_secret_generate(b);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	assert_string_not_equal(a, b);
	/* What an authenticator app would show, computed by liboath independently. */
	char *key = NULL;
	size_t key_len = 0;
	assert_int_equal(oath_base32_decode(a, strlen(a), &key, &key_len), OATH_OK);
	assert_int_equal(key_len, TOTP_SECRET_BYTES);
	char code[7];
	assert_int_equal(oath_totp_generate(key, key_len, 1764394270, 30, 0, 6, code), OATH_OK);
	free(key);
	int64_t got;
	assert_int_equal(totp_verify(a, code, 1764394270123, 0, &got), TOTP_OK);
	assert_int_equal(got, 1764394270 / 30);
}

static void totp_uri_is_percent_encoded(void **state)
{
	char *uri = totp_uri(RFC_SECRET, "Kadam Бишкек", "aigul.b@example.kg");
	assert_string_equal(uri, "otpauth://totp/Kadam%20%D0%91%D0%B8%D1%88%D0%BA%D0%B5%D0%BA:aigul.b%40example.kg"
	                         "?secret=" RFC_SECRET "&issuer=Kadam%20%D0%91%D0%B8%D1%88%D0%BA%D0%B5%D0%BA"
	                         "&algorithm=SHA1&digits=6&period=30");
	free(uri);
	uri = totp_uri(RFC_SECRET, "Ош: офис", "a&b=c?d/e");
	assert_string_equal(uri, "otpauth://totp/%D0%9E%D1%88%3A%20%D0%BE%D1%84%D0%B8%D1%81:a%26b%3Dc%3Fd%2Fe"
	                         "?secret=" RFC_SECRET "&issuer=%D0%9E%D1%88%3A%20%D0%BE%D1%84%D0%B8%D1%81"
	                         "&algorithm=SHA1&digits=6&period=30");
	free(uri);
}

static void recovery_codes_are_unique_and_normalised(void **state)
{
	char codes[RECOVERY_CODE_COUNT][RECOVERY_CODE_SIZE];
	recovery_codes_generate(codes);
	for (int i = 0; i < RECOVERY_CODE_COUNT; i++) {
		assert_int_equal(strlen(codes[i]), 14);
		for (int j = 0; j < 14; j++) {
			if (j == 4 || j == 9)
				assert_int_equal(codes[i][j], '-');
			else
				assert_non_null(strchr("23456789ABCDEFGHJKLMNPQRSTUVWXYZ", codes[i][j]));
		}
		for (int j = 0; j < i; j++)
			assert_string_not_equal(codes[i], codes[j]);
	}
	char h1[RECOVERY_CODE_HASH_SIZE], h2[RECOVERY_CODE_HASH_SIZE];
	recovery_code_hash("7KQ2-M9XD-4HTP", h1);
	assert_string_equal(h1, "9f3d7edd84c4715e1475f917034534bbd51ec8b3b1d5d052f3bc6c306adb3847");
	recovery_code_hash(" 7kq2 m9xd-4Htp\n", h2);
	assert_string_equal(h1, h2);
	recovery_code_hash("7KQ2M9XD4HTP", h2);
	assert_string_equal(h1, h2);
	recovery_code_hash("7KQ2-M9XD-4HTQ", h2);
	assert_string_not_equal(h1, h2);
	char *lng = repeat("ab-", 100); /* longer than the normalisation chunk */
	recovery_code_hash(lng, h2);
	free(lng);
	assert_int_equal(strlen(h2), 64);
}

/* --------------------------------------------------------------- tokens */

static void tokens_have_their_format(void **state)
{
	char a[TOKEN_SIZE], b[TOKEN_SIZE];
	token_generate(TOKEN_PREFIX_SESSION, a);
	token_generate(TOKEN_PREFIX_SESSION, b);
	assert_int_equal(strlen(a), 4 + TOKEN_BODY_LEN);
	assert_true(strncmp(a, "kds_", 4) == 0);
	assert_string_not_equal(a, b);
	assert_true(token_well_formed(a, TOKEN_PREFIX_SESSION));
	assert_false(token_well_formed(a, TOKEN_PREFIX_API));
	token_generate(TOKEN_PREFIX_API, b);
	assert_true(token_well_formed(b, TOKEN_PREFIX_API));
	for (int i = 0; i < 200; i++) { /* every generated token, whatever its last symbol */
		token_generate(TOKEN_PREFIX_API, b);
		assert_true(token_well_formed(b, TOKEN_PREFIX_API));
	}

	const char *good = "kds_0123456789abcdefghijklmnopqrstuvwxyz-_ABCDE";
	assert_true(token_well_formed(good, "kds_"));
	assert_false(token_well_formed("kds_0123456789abcdefghijklmnopqrstuvwxyz-_ABCD", "kds_"));   /* short */
	assert_false(token_well_formed("kds_0123456789abcdefghijklmnopqrstuvwxyz-_ABCDEA", "kds_")); /* long */
	assert_false(token_well_formed("kds_0123456789abcdefghijklmnopqrstuvwxyz+/ABCDE", "kds_"));  /* not url-safe */
	assert_false(token_well_formed("kds_0123456789abcdefghijklmnopqrstuvwxyz-_ABCD=", "kds_"));  /* padding */
	assert_false(token_well_formed("kds_0123456789abcdefghijklmnopqrstuvwxyz-_ABCDF", "kds_"));  /* not canonical */
	assert_false(token_well_formed("KDS_0123456789abcdefghijklmnopqrstuvwxyz-_ABCDE", "kds_"));
	assert_false(token_well_formed("", "kds_"));
	assert_false(token_well_formed(NULL, "kds_"));
}

static void token_hash_is_stable(void **state)
{
	char h[TOKEN_HASH_SIZE], again[TOKEN_HASH_SIZE];
	token_hash("kds_abc", h);
	assert_string_equal(h, "e4df956450a75250a2f9a326e55f46f7e59fd1d91d282218b1e4725422d466ae");
	char t[TOKEN_SIZE];
	token_generate(TOKEN_PREFIX_API, t);
	token_hash(t, h);
	token_hash(t, again);
	assert_string_equal(h, again);
	assert_int_equal(strlen(h), 64);
}

static void token_equal_compares_whole_tokens(void **state)
{
	assert_true(token_equal("kds_abc", "kds_abc"));
	assert_false(token_equal("kds_abc", "kds_abd"));
	assert_false(token_equal("kds_abc", "kds_ab"));
	assert_false(token_equal("kds_ab", "kds_abc"));
	assert_false(token_equal(NULL, "kds_abc"));
	assert_false(token_equal(NULL, NULL));
	assert_true(token_equal("", ""));
}

#define SESSION "kds_0123456789abcdefghijklmnopqrstuvwxyz-_ABCDE"

static void cookies_are_parsed(void **state)
{
	char out[TOKEN_SIZE];
	assert_true(token_from_cookie("kadam_session=" SESSION, "kadam_session", out, sizeof out));
	assert_string_equal(out, SESSION);
	assert_true(token_from_cookie("lang=ky; theme=dark; kadam_session=" SESSION "; z=1", "kadam_session", out,
	                              sizeof out));
	assert_string_equal(out, SESSION);
	assert_true(token_from_cookie("a=1;kadam_session=" SESSION ";b=2", "kadam_session", out, sizeof out));
	assert_string_equal(out, SESSION);
	assert_true(token_from_cookie("  a=1 ;\t kadam_session = " SESSION " ; b=2", "kadam_session", out,
	                              sizeof out));
	assert_string_equal(out, SESSION);
	assert_true(token_from_cookie("kadam_session=\"" SESSION "\"", "kadam_session", out, sizeof out));
	assert_string_equal(out, SESSION);
	/* The first of two counts. */
	assert_true(token_from_cookie("kadam_session=first; kadam_session=second", "kadam_session", out, sizeof out));
	assert_string_equal(out, "first");
	/* Names are whole and case-sensitive. */
	assert_false(token_from_cookie("xkadam_session=" SESSION, "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("kadam_sessionx=" SESSION, "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("Kadam_Session=" SESSION, "kadam_session", out, sizeof out));
	assert_true(token_from_cookie("xkadam_session=evil; kadam_session=good", "kadam_session", out, sizeof out));
	assert_string_equal(out, "good");
	/* A name inside another cookie's value is not a cookie. */
	assert_false(token_from_cookie("a=kadam_session=evil", "kadam_session", out, sizeof out));
}

static void cookie_refusals(void **state)
{
	char out[TOKEN_SIZE];
	assert_false(token_from_cookie("", "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("lang=ky", "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("kadam_session", "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("kadam_session=", "kadam_session", out, sizeof out));       /* empty */
	assert_false(token_from_cookie("kadam_session=\"\"", "kadam_session", out, sizeof out));   /* empty */
	assert_false(token_from_cookie("kadam_session=; kadam_session=x", "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("kadam_session=a b", "kadam_session", out, sizeof out));    /* bad octets */
	assert_false(token_from_cookie("kadam_session=a\\b", "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("kadam_session=\"abc", "kadam_session", out, sizeof out));
	assert_false(token_from_cookie("kadam_session=\xd0\xb6", "kadam_session", out, sizeof out));
	assert_false(token_from_cookie(NULL, "kadam_session", out, sizeof out));
	/* A value that does not fit is refused, not cut. */
	assert_false(token_from_cookie("kadam_session=" SESSION "x" SESSION, "kadam_session", out, sizeof out));
	char small[5];
	assert_false(token_from_cookie("kadam_session=abcde", "kadam_session", small, sizeof small));
	assert_true(token_from_cookie("kadam_session=abcd", "kadam_session", small, sizeof small));
	assert_string_equal(small, "abcd");
	/* Headers over 8192 bytes are not read at all. */
	char *pad = repeat("a", TOKEN_HEADER_MAX);
	char *header = xasprintf("kadam_session=ok; x=%s", pad);
	assert_false(token_from_cookie(header, "kadam_session", out, sizeof out));
	free(header);
	header = xasprintf("kadam_session=ok; x=%.*s", TOKEN_HEADER_MAX - 20, pad);
	assert_int_equal(strlen(header), TOKEN_HEADER_MAX);
	assert_true(token_from_cookie(header, "kadam_session", out, sizeof out));
	assert_string_equal(out, "ok");
	free(header);
	free(pad);
}

static void bearer_tokens_are_parsed(void **state)
{
	char out[TOKEN_SIZE];
	assert_true(token_from_bearer("Bearer kdt_abc", out, sizeof out));
	assert_string_equal(out, "kdt_abc");
	assert_true(token_from_bearer("bearer kdt_abc", out, sizeof out));
	assert_true(token_from_bearer("BEARER    kdt_abc", out, sizeof out));
	assert_string_equal(out, "kdt_abc");
	assert_true(token_from_bearer("Bearer abc+/.~_-==", out, sizeof out));
	assert_string_equal(out, "abc+/.~_-==");

	assert_false(token_from_bearer("Bearer", out, sizeof out));
	assert_false(token_from_bearer("Bearer ", out, sizeof out));
	assert_false(token_from_bearer("Bearerkdt_abc", out, sizeof out));
	assert_false(token_from_bearer("Bearer\tkdt_abc", out, sizeof out));
	assert_false(token_from_bearer(" Bearer kdt_abc", out, sizeof out));
	assert_false(token_from_bearer("Bearer kdt_abc ", out, sizeof out));
	assert_false(token_from_bearer("Bearer kdt_abc extra", out, sizeof out));
	assert_false(token_from_bearer("Bearer kdt_a=bc", out, sizeof out));
	assert_false(token_from_bearer("Bearer ==", out, sizeof out));
	assert_false(token_from_bearer("Basic dXNlcjpwYXNz", out, sizeof out));
	assert_false(token_from_bearer("Bearers kdt_abc", out, sizeof out));
	assert_false(token_from_bearer("", out, sizeof out));
	assert_false(token_from_bearer(NULL, out, sizeof out));
	char small[4];
	assert_false(token_from_bearer("Bearer abcd", small, sizeof small));
	assert_true(token_from_bearer("Bearer abc", small, sizeof small));
}

static void session_cookie_headers(void **state)
{
	char *h = cookie_session_header(SESSION_COOKIE_NAME, SESSION, 43200, true);
	assert_string_equal(h, "kadam_session=" SESSION "; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure");
	free(h);
	h = cookie_session_header(SESSION_COOKIE_NAME, SESSION, 1800, false);
	assert_string_equal(h, "kadam_session=" SESSION "; Path=/; HttpOnly; SameSite=Strict; Max-Age=1800");
	free(h);
	h = cookie_session_clear_header(SESSION_COOKIE_NAME, true);
	assert_string_equal(h, "kadam_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure");
	free(h);
	h = cookie_session_clear_header(SESSION_COOKIE_NAME, false);
	assert_string_equal(h, "kadam_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	free(h);
	assert_null(cookie_session_header("kadam_session", "a;b", 10, true));
	assert_null(cookie_session_header("kadam session", SESSION, 10, true));
	h = cookie_session_header(SESSION_COOKIE_NAME, "", 0, false); /* the clearing form, spelt the long way */
	assert_string_equal(h, "kadam_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	free(h);
	assert_null(cookie_session_header("kadam_session", NULL, 10, true));
	assert_null(cookie_session_clear_header("", true));
	assert_null(cookie_session_header("kadam_session", SESSION, -1, true));
	/* What we set, we read back. */
	char token[TOKEN_SIZE], out[TOKEN_SIZE];
	token_generate(TOKEN_PREFIX_SESSION, token);
	h = cookie_session_header(SESSION_COOKIE_NAME, token, 60, true);
	*strchr(h, ';') = '\0';
	assert_true(token_from_cookie(h, SESSION_COOKIE_NAME, out, sizeof out));
	assert_true(token_equal(out, token));
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(password_length_counts_code_points),
		cmocka_unit_test(password_must_be_utf8),
		cmocka_unit_test(password_common_ones_are_refused),
		cmocka_unit_test(password_equal_to_login_or_name_is_refused),
		cmocka_unit_test(password_problems_have_messages),
		cmocka_unit_test(password_hash_round_trip),
		cmocka_unit_test(onetime_passwords_pass_the_policy),
		cmocka_unit_test(totp_rfc6238_vectors),
		cmocka_unit_test(totp_window_is_one_step),
		cmocka_unit_test(totp_code_is_used_once),
		cmocka_unit_test(totp_bad_formats_are_refused),
		cmocka_unit_test(totp_new_secrets_work_with_an_authenticator),
		cmocka_unit_test(totp_uri_is_percent_encoded),
		cmocka_unit_test(recovery_codes_are_unique_and_normalised),
		cmocka_unit_test(tokens_have_their_format),
		cmocka_unit_test(token_hash_is_stable),
		cmocka_unit_test(token_equal_compares_whole_tokens),
		cmocka_unit_test(cookies_are_parsed),
		cmocka_unit_test(cookie_refusals),
		cmocka_unit_test(bearer_tokens_are_parsed),
		cmocka_unit_test(session_cookie_headers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
