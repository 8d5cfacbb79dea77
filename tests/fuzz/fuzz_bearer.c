/* Fuzz target: an Authorization header, read for an API token. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/token.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *header, size_t out_size)
{
	char *out = xmalloc(out_size);
	if (token_from_bearer(header, out, out_size)) {
		size_t len = strnlen(out, out_size);
		/* A token found is non-empty, fits, and is the header's tail. */
		if (len == 0 || len >= out_size || strlen(header) < len || strcmp(header + strlen(header) - len, out) != 0)
			__builtin_trap();
		token_well_formed(out, TOKEN_PREFIX_API);
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *header = xmalloc(size + 1);
	if (size)
		memcpy(header, data, size);
	header[size] = '\0';
	check(header, TOKEN_SIZE);
	check(header, 2);
	check(header, TOKEN_HEADER_MAX + 1);
	free(header);
	return 0;
}
