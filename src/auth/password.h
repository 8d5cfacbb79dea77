/*
 * password.h — the password policy and password storage (SAFEGUARDS S18).
 *
 * Policy: at least 12 and at most 128 characters (Unicode code points, so a
 * Cyrillic letter counts once), valid UTF-8, not on the bundled list of
 * common passwords (data/common-passwords.txt), not the account's login or
 * display name. No composition rules and no forced rotation, as NIST SP
 * 800-63B and ASVS 6.2 ask.
 *
 * Storage: Argon2id through libsodium's crypto_pwhash_str, with the
 * "interactive" limits; the result is a self-describing string
 * ("$argon2id$v=19$m=...,t=...,p=...$salt$hash") that password_verify()
 * reads back, so the limits can be raised later and old hashes upgraded on
 * the next successful login (password_needs_rehash()).
 */
#ifndef KADAM_AUTH_PASSWORD_H
#define KADAM_AUTH_PASSWORD_H

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_MIN_CHARS 12  /* code points */
#define PASSWORD_MAX_CHARS 128 /* code points; S18 asks for at least 64 */

/* Why password_check() refused a password. Stable: API field errors use it. */
enum password_problem {
	PASSWORD_OK = 0,
	PASSWORD_TOO_SHORT,      /* fewer than PASSWORD_MIN_CHARS code points */
	PASSWORD_TOO_LONG,       /* more than PASSWORD_MAX_CHARS code points */
	PASSWORD_COMMON,         /* on the common-password list */
	PASSWORD_CONTAINS_LOGIN, /* the login or the display name itself */
	PASSWORD_NOT_UTF8,       /* not valid UTF-8 */
};

/*
 * Checks a proposed password against the policy. login and display_name may
 * be NULL or empty (not compared). The comparison with them ignores case
 * (ASCII and Cyrillic letters) and surrounding white space; the common-list
 * lookup ignores ASCII case and surrounding white space.
 */
enum password_problem password_check(const char *password, const char *login, const char *display_name);
/* An English sentence for a problem+json field error, e.g. "must be at least 12 characters". Static. */
const char *password_problem_message(enum password_problem problem);

/* Writes the Argon2id hash string of password into out. False only if libsodium fails (out of memory). */
bool password_hash(const char *password, char out[crypto_pwhash_STRBYTES]);
/* True when password matches hash. A NULL or empty hash is checked against a dummy
 * (always false) so that refusing an unknown login costs as much as a wrong password. */
bool password_verify(const char *hash, const char *password);
/* True if hash was made with other limits than password_hash() uses now (or is not a valid hash). */
bool password_needs_rehash(const char *hash);

/*
 * A random one-time password for `kadam admin create` and password resets:
 * PASSWORD_ONETIME_LEN characters from an alphabet without look-alikes
 * (no 0/o, 1/l/i), about 99 bits. It passes password_check().
 */
#define PASSWORD_ONETIME_LEN 20
#define PASSWORD_ONETIME_SIZE (PASSWORD_ONETIME_LEN + 1)
void password_generate_onetime(char out[PASSWORD_ONETIME_SIZE]);

#endif
