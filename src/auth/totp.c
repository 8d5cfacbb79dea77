/*
 * totp.c — TOTP (RFC 6238) over liboath's HOTP, and recovery codes. See totp.h.
 */
#include "auth/totp.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* ---------------------------------------------------------------- TOTP */

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_init_rc = OATH_OK; /* written once, under oath_once */

static void oath_start(void)
{
	oath_init_rc = oath_init();
}

void totp_secret_generate(char out_base32[TOTP_SECRET_B32_SIZE])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char key[TOTP_SECRET_BYTES];
	randombytes_buf(key, sizeof key);
	/* 20 bytes are exactly 32 symbols of 5 bits: no padding. */
	char *o = out_base32;
	for (size_t i = 0; i < sizeof key; i += 5) {
		uint64_t group = 0;
		for (size_t j = 0; j < 5; j++)
			group = group << 8 | key[i + j];
		for (int j = 7; j >= 0; j--)
			*o++ = alphabet[(group >> (5 * j)) & 31];
	}
	*o = '\0';
	sodium_memzero(key, sizeof key);
}

/* Appends s percent-encoded: RFC 3986 unreserved characters stay, every other byte becomes %XX. */
static void put_encoded(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			buf_putc(b, (char)c);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			buf_append(b, esc, sizeof esc);
		}
	}
}

char *totp_uri(const char *secret_b32, const char *issuer, const char *account)
{
	struct buf b = {0};
	buf_puts(&b, "otpauth://totp/");
	put_encoded(&b, issuer ? issuer : "");
	buf_putc(&b, ':');
	put_encoded(&b, account ? account : "");
	buf_puts(&b, "?secret=");
	put_encoded(&b, secret_b32 ? secret_b32 : "");
	buf_puts(&b, "&issuer=");
	put_encoded(&b, issuer ? issuer : "");
	buf_printf(&b, "&algorithm=SHA1&digits=%d&period=%d", TOTP_DIGITS, TOTP_PERIOD_S);
	return buf_steal(&b);
}

static bool code_well_formed(const char *code)
{
	if (!code || strnlen(code, TOTP_DIGITS + 1) != TOTP_DIGITS)
		return false;
	for (int i = 0; i < TOTP_DIGITS; i++)
		if (code[i] < '0' || code[i] > '9')
			return false;
	return true;
}

/* floor(ms / 1000 / period), also for times before 1970. */
static int64_t step_at(int64_t now_ms)
{
	const int64_t period_ms = (int64_t)TOTP_PERIOD_S * 1000;
	int64_t q = now_ms / period_ms;
	return (now_ms % period_ms < 0) ? q - 1 : q;
}

enum totp_result totp_verify(const char *secret_b32, const char *code, int64_t now_ms, int64_t last_step,
                             int64_t *step_r)
{
	if (!code_well_formed(code))
		return TOTP_BAD_FORMAT;
	if (!secret_b32 || pthread_once(&oath_once, oath_start) != 0 || oath_init_rc != OATH_OK)
		return TOTP_ERROR;
	char *key = NULL;
	size_t key_len = 0;
	if (oath_base32_decode(secret_b32, strlen(secret_b32), &key, &key_len) != OATH_OK || key_len == 0) {
		free(key);
		return TOTP_ERROR;
	}
	/*
	 * Every step of the window is computed and compared in constant time, so
	 * the time taken says nothing about which step (if any) matched. Of
	 * several matches (a one-in-a-million coincidence) the earliest step after
	 * last_step is taken, which uses up the fewest future codes.
	 */
	int64_t now_step = step_at(now_ms);
	int64_t accepted = -1;
	bool matched = false, failed = false;
	for (int64_t s = now_step - 1; s <= now_step + 1; s++) {
		if (s < 0)
			continue;
		char otp[TOTP_DIGITS + 1];
		if (oath_hotp_generate(key, key_len, (uint64_t)s, TOTP_DIGITS, false, OATH_HOTP_DYNAMIC_TRUNCATION,
		                       otp) != OATH_OK) {
			failed = true;
			continue;
		}
		if (sodium_memcmp(otp, code, TOTP_DIGITS) == 0) {
			matched = true;
			if (s > last_step && accepted < 0)
				accepted = s;
		}
		sodium_memzero(otp, sizeof otp);
	}
	sodium_memzero(key, key_len);
	free(key);
	if (accepted >= 0) {
		if (step_r)
			*step_r = accepted;
		return TOTP_OK;
	}
	if (matched)
		return TOTP_REPLAYED;
	return failed ? TOTP_ERROR : TOTP_WRONG;
}

/* ------------------------------------------------------ recovery codes */

void recovery_codes_generate(char codes[RECOVERY_CODE_COUNT][RECOVERY_CODE_SIZE])
{
	/* 32 symbols (5 bits each), without 0/O and 1/I. */
	static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
	for (int i = 0; i < RECOVERY_CODE_COUNT; i++) {
		bool repeated;
		do {
			char *o = codes[i];
			for (int j = 0; j < 12; j++) {
				if (j && j % 4 == 0)
					*o++ = '-';
				*o++ = alphabet[randombytes_uniform(sizeof alphabet - 1)];
			}
			*o = '\0';
			repeated = false;
			for (int k = 0; k < i; k++)
				repeated = repeated || strcmp(codes[k], codes[i]) == 0;
		} while (repeated);
	}
}

void recovery_code_hash(const char *code, char out_hex[RECOVERY_CODE_HASH_SIZE])
{
	unsigned char digest[32];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof digest);
	/* Normalised in chunks, so input of any length is hashed without an allocation. */
	char chunk[64];
	size_t n = 0;
	for (const char *p = code ? code : ""; *p; p++) {
		char c = *p;
		if (c == '-' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			continue;
		chunk[n++] = (c >= 'a' && c <= 'z') ? (char)(c - 0x20) : c;
		if (n == sizeof chunk) {
			crypto_generichash_update(&st, (const unsigned char *)chunk, n);
			n = 0;
		}
	}
	crypto_generichash_update(&st, (const unsigned char *)chunk, n);
	crypto_generichash_final(&st, digest, sizeof digest);
	sodium_bin2hex(out_hex, RECOVERY_CODE_HASH_SIZE, digest, sizeof digest);
	sodium_memzero(chunk, sizeof chunk);
}
