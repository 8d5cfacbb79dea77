/*
 * token.c — session and API tokens, and reading them from requests. See token.h.
 */
#include "auth/token.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* ------------------------------------------------------------- tokens */

void token_generate(const char *prefix, char out[TOKEN_SIZE])
{
	size_t plen = strlen(prefix);
	if (plen > TOKEN_PREFIX_MAX)
		abort(); /* a programming error: prefixes are constants */
	unsigned char random[TOKEN_RANDOM_BYTES];
	randombytes_buf(random, sizeof random);
	memcpy(out, prefix, plen);
	sodium_bin2base64(out + plen, TOKEN_SIZE - plen, random, sizeof random,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(random, sizeof random);
}

/*
 * No salt and no slow hash: a token carries 256 random bits, so neither a
 * dictionary nor a precomputed table can find one from its hash, and a fast
 * hash lets every request look its token up by an indexed equality.
 */
void token_hash(const char *token, char out_hex[TOKEN_HASH_SIZE])
{
	unsigned char digest[32];
	const char *t = token ? token : "";
	crypto_generichash(digest, sizeof digest, (const unsigned char *)t, strlen(t), NULL, 0);
	sodium_bin2hex(out_hex, TOKEN_HASH_SIZE, digest, sizeof digest);
}

/* The index of c in the base64url alphabet, or -1. */
static int base64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

bool token_well_formed(const char *token, const char *prefix)
{
	if (!token || !prefix)
		return false;
	size_t plen = strlen(prefix);
	if (strnlen(token, plen + TOKEN_BODY_LEN + 1) != plen + TOKEN_BODY_LEN || memcmp(token, prefix, plen) != 0)
		return false;
	const char *body = token + plen;
	for (size_t i = 0; i < TOKEN_BODY_LEN; i++)
		if (base64url_value(body[i]) < 0)
			return false;
	/* 43 symbols carry 258 bits for 256: the last symbol's two low bits are zero in an encoding. */
	return base64url_value(body[TOKEN_BODY_LEN - 1]) % 4 == 0;
}

bool token_equal(const char *a, const char *b)
{
	if (!a || !b)
		return false;
	size_t len = strlen(a);
	if (strlen(b) != len)
		return false; /* lengths are public: every token of a kind has the same one */
	return sodium_memcmp(a, b, len) == 0;
}

/* ------------------------------------------------------------ headers */

static bool is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* RFC 6265 cookie-octet: printable ASCII except space, DQUOTE, comma, semicolon and backslash. */
static bool is_cookie_octet(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) || (c >= 0x3C && c <= 0x5B) ||
	       (c >= 0x5D && c <= 0x7E);
}

/* RFC 9110 tchar: what a cookie name (a token) may contain. */
static bool is_tchar(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* Copies the cookie value in [start, end) to out: white space and one pair of quotes removed, checked. */
static bool copy_cookie_value(const char *start, const char *end, char *out, size_t out_size)
{
	while (start < end && is_ows(*start))
		start++;
	while (end > start && is_ows(end[-1]))
		end--;
	if (end - start >= 2 && start[0] == '"' && end[-1] == '"')
		start++, end--;
	size_t len = (size_t)(end - start);
	if (len == 0 || len >= out_size)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_cookie_octet((unsigned char)start[i]))
			return false;
	memcpy(out, start, len);
	out[len] = '\0';
	return true;
}

bool token_from_cookie(const char *cookie_header, const char *name, char *out, size_t out_size)
{
	if (!cookie_header || !name || !out || out_size == 0)
		return false;
	size_t header_len = strnlen(cookie_header, TOKEN_HEADER_MAX + 1);
	size_t name_len = strlen(name);
	if (header_len > TOKEN_HEADER_MAX || name_len == 0)
		return false;
	const char *p = cookie_header, *end = cookie_header + header_len;
	while (p < end) {
		/* One pair runs to the next ';' (a valid value, quoted or not, never holds one). */
		const char *semi = memchr(p, ';', (size_t)(end - p));
		const char *pair_end = semi ? semi : end;
		while (p < pair_end && is_ows(*p))
			p++;
		const char *eq = memchr(p, '=', (size_t)(pair_end - p));
		if (eq) {
			const char *name_end = eq;
			while (name_end > p && is_ows(name_end[-1]))
				name_end--;
			if ((size_t)(name_end - p) == name_len && memcmp(p, name, name_len) == 0)
				return copy_cookie_value(eq + 1, pair_end, out, out_size); /* the first one counts */
		}
		p = semi ? semi + 1 : end;
	}
	return false;
}

/* RFC 7235 token68 characters, before any trailing '='. */
static bool is_token68(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_' || c == '~' || c == '+' || c == '/';
}

bool token_from_bearer(const char *authorization_header, char *out, size_t out_size)
{
	static const char scheme[] = "bearer";
	const char *h = authorization_header;
	if (!h || !out || out_size == 0 || strnlen(h, TOKEN_HEADER_MAX + 1) > TOKEN_HEADER_MAX)
		return false;
	for (size_t i = 0; i < sizeof scheme - 1; i++) /* ASCII case-insensitive, whatever the locale */
		if (h[i] == '\0' || (h[i] | 0x20) != scheme[i])
			return false;
	const char *p = h + sizeof scheme - 1;
	if (*p != ' ')
		return false;
	while (*p == ' ')
		p++;
	const char *start = p;
	while (is_token68(*p))
		p++;
	if (p == start)
		return false;
	while (*p == '=')
		p++;
	size_t len = (size_t)(p - start);
	if (*p != '\0' || len >= out_size)
		return false;
	memcpy(out, start, len);
	out[len] = '\0';
	return true;
}

static bool cookie_name_valid(const char *name)
{
	if (!name || !*name)
		return false;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (!is_tchar(*p))
			return false;
	return true;
}

char *cookie_session_header(const char *name, const char *token, int max_age_s, bool secure)
{
	if (!cookie_name_valid(name) || !token || max_age_s < 0)
		return NULL;
	for (const unsigned char *p = (const unsigned char *)token; *p; p++)
		if (!is_cookie_octet(*p))
			return NULL;
	return xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s", name, token, max_age_s,
	                 secure ? "; Secure" : "");
}

char *cookie_session_clear_header(const char *name, bool secure)
{
	return cookie_session_header(name, "", 0, secure);
}
