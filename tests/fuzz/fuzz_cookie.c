/* Fuzz target: a Cookie header, read for the session token. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A value found must fit, be non-empty, and appear in the header as it was given. */
static void check(const char *header, const char *name, size_t out_size)
{
	char *out = xmalloc(out_size);
	if (token_from_cookie(header, name, out, out_size)) {
		size_t len = strnlen(out, out_size);
		if (len == 0 || len >= out_size || !strstr(header, out))
			__builtin_trap();
		if (token_well_formed(out, TOKEN_PREFIX_SESSION) && len != strlen(TOKEN_PREFIX_SESSION) + TOKEN_BODY_LEN)
			__builtin_trap();
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes and a NUL, so a sanitizer sees any read past the header's end. */
	char *header = xmalloc(size + 1);
	if (size)
		memcpy(header, data, size);
	header[size] = '\0';
	check(header, SESSION_COOKIE_NAME, TOKEN_SIZE);
	check(header, SESSION_COOKIE_NAME, 1);
	check(header, "a", TOKEN_HEADER_MAX + 1);
	token_well_formed(header, TOKEN_PREFIX_SESSION);
	free(header);
	return 0;
}
