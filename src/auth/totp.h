/*
 * totp.h — the second factor (SAFEGUARDS S19): TOTP (RFC 6238) and recovery codes.
 *
 * TOTP as authenticator apps expect it: HMAC-SHA1, 6 digits, 30-second steps,
 * a 160-bit secret shown as base32 (RFC 4648, no padding) or as an otpauth://
 * URI in a QR code. The HMAC comes from liboath. A code is accepted for the
 * step before, the current one and the one after (clock drift); the accepted
 * step is returned so the caller can store it (account.totp_last_step) and
 * refuse that step and every earlier one next time: each code works once.
 *
 * Recovery codes replace a lost authenticator, once each. Only their hashes
 * are stored (recovery_code.code_hash).
 */
#ifndef KADAM_AUTH_TOTP_H
#define KADAM_AUTH_TOTP_H

#include <stdint.h>

#define TOTP_SECRET_BYTES 20 /* 160 bits, RFC 4226's recommendation */
#define TOTP_SECRET_B32_SIZE 33 /* 32 base32 characters and the NUL */
#define TOTP_DIGITS 6
#define TOTP_PERIOD_S 30

enum totp_result {
	TOTP_OK = 0,
	TOTP_BAD_FORMAT, /* not exactly 6 ASCII digits */
	TOTP_WRONG,      /* no step in the window has this code */
	TOTP_REPLAYED,   /* right code, but for a step at or before last_step */
	TOTP_ERROR,      /* the secret is not valid base32, or liboath failed */
};

/* Writes a new random secret, 32 base32 characters ([A-Z2-7]) and a NUL. */
void totp_secret_generate(char out_base32[TOTP_SECRET_B32_SIZE]);

/*
 * The key URI for a QR code:
 *   otpauth://totp/ISSUER:ACCOUNT?secret=S&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
 * issuer and account are percent-encoded as UTF-8 (everything but A-Z a-z
 * 0-9 - . _ ~; a space is %20). Returns a malloc'd string the caller frees.
 */
char *totp_uri(const char *secret_b32, const char *issuer, const char *account);

/*
 * Checks code against the secret at now_ms (clock_now_ms()), one step either
 * side. Steps at or before last_step are refused (TOTP_REPLAYED); pass the
 * stored account.totp_last_step, 0 for none. On TOTP_OK, *step_r is the
 * accepted step (unix seconds / 30), to be stored as the new last_step.
 */
enum totp_result totp_verify(const char *secret_b32, const char *code, int64_t now_ms, int64_t last_step,
                             int64_t *step_r);

/* Recovery codes: RECOVERY_CODE_COUNT of them, "7KQ2-M9XD-4HTP" (12 symbols of 32, 60 bits). */
#define RECOVERY_CODE_COUNT 10
#define RECOVERY_CODE_SIZE 20 /* room for a code and its NUL; codes are 14 characters */
#define RECOVERY_CODE_HASH_SIZE 65

/* Writes RECOVERY_CODE_COUNT distinct codes, from an alphabet without 0/O and 1/I. */
void recovery_codes_generate(char codes[RECOVERY_CODE_COUNT][RECOVERY_CODE_SIZE]);
/*
 * The stored form of a code: hex BLAKE2b-256 of the code with spaces, tabs
 * and dashes removed and letters upper-cased, so "7kq2 m9xd 4htp" and
 * "7KQ2-M9XD-4HTP" hash alike. Compare stored hashes, not codes.
 */
void recovery_code_hash(const char *code, char out_hex[RECOVERY_CODE_HASH_SIZE]);

#endif
