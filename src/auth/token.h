/*
 * token.h — bearer secrets: session tokens (cookie) and API tokens (header).
 *
 * A token is a short prefix naming its kind and 32 random bytes in base64url
 * without padding (43 characters):
 *
 *   kds_<43>  a browser session, sent in the kadam_session cookie
 *   kdt_<43>  an API token, sent as "Authorization: Bearer kdt_..."
 *
 * The prefix lets a leaked token be recognised (secret scanners, logs) and a
 * token of one kind be refused where the other is expected. Only
 * token_hash() of a token is stored (session.token_hash, api_token.token_hash).
 */
#ifndef KADAM_AUTH_TOKEN_H
#define KADAM_AUTH_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

#define TOKEN_PREFIX_SESSION "kds_"
#define TOKEN_PREFIX_API "kdt_"
#define TOKEN_PREFIX_MAX 16   /* longest prefix token_generate() accepts */
#define TOKEN_RANDOM_BYTES 32 /* 256 bits */
#define TOKEN_BODY_LEN 43     /* base64url of 32 bytes, no padding */
#define TOKEN_SIZE 64         /* enough for any prefix, the body and the NUL */
#define TOKEN_HASH_SIZE 65    /* 64 hex digits and the NUL */
#define TOKEN_HEADER_MAX 8192 /* longest Cookie / Authorization value parsed */

#define SESSION_COOKIE_NAME "kadam_session"

/* Writes prefix + 43 random base64url characters. prefix is at most TOKEN_PREFIX_MAX characters (aborts otherwise). */
void token_generate(const char *prefix, char out[TOKEN_SIZE]);
/* Hex BLAKE2b-256 of the whole token: the form that is stored and looked up. */
void token_hash(const char *token, char out_hex[TOKEN_HASH_SIZE]);
/* True if token is prefix followed by exactly 43 base64url characters (as token_generate makes them). */
bool token_well_formed(const char *token, const char *prefix);
/* Compares two tokens in time that depends only on their lengths. NULL is equal to nothing. */
bool token_equal(const char *a, const char *b);

/*
 * Finds cookie name in a Cookie header ("a=b; c=d", RFC 6265 section 4.2)
 * and copies its value (without surrounding double quotes) into out. False
 * if the header is NULL or longer than TOKEN_HEADER_MAX, the cookie is
 * absent, its value is empty or has bytes a cookie value may not have, or it
 * does not fit out with its NUL. If the name appears twice, the first one
 * counts (browsers send the most specific path first). Names are
 * case-sensitive and whole: "xkadam_session" is not "kadam_session".
 */
bool token_from_cookie(const char *cookie_header, const char *name, char *out, size_t out_size);
/*
 * Reads the token of an Authorization header "Bearer TOKEN" (RFC 6750): the
 * scheme in any case, one or more spaces, a token68 and nothing after it.
 * False otherwise, or if the token does not fit out with its NUL.
 */
bool token_from_bearer(const char *authorization_header, char *out, size_t out_size);

/*
 * The Set-Cookie value that stores a session token:
 *   NAME=TOKEN; Path=/; HttpOnly; SameSite=Strict; Max-Age=N[; Secure]
 * Secure belongs on every cookie served over TLS (S20). token "" with
 * max_age_s 0 is the clearing form (cookie_session_clear_header). Returns a
 * malloc'd string, or NULL if name or token has characters a cookie may not
 * have, or max_age_s is negative.
 */
char *cookie_session_header(const char *name, const char *token, int max_age_s, bool secure);
/*
 * The Set-Cookie value that removes it: NAME=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0[; Secure].
 * Pass the same secure as when the cookie was set (under TLS: true).
 */
char *cookie_session_clear_header(const char *name, bool secure);

#endif
