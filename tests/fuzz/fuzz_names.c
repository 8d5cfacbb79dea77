/* Fuzz target: a name typed into the people search, through every function of domain/names. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_INPUT_MAX 4096 /* beyond NAMES_INPUT_MAX, so the refusal of long input is reached too */

/* A key is tokens of a-z and 0-9 joined by single spaces, with nothing before the first or after the last. */
static void check_key(const char *key)
{
	for (const char *p = key; *p; p++) {
		bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9');
		if (!alnum && !(*p == ' ' && p > key && p[-1] != ' ' && p[1] != '\0'))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_INPUT_MAX)
		size = FUZZ_INPUT_MAX;
	/* Exactly size bytes and a NUL, so a sanitizer sees any read past the end. */
	char *in = xmalloc(size + 1);
	if (size)
		memcpy(in, data, size);
	in[size] = '\0';

	char key[NAMES_KEY_MAX], small[8], latin[NAMES_KEY_MAX], cyrillic[NAMES_KEY_MAX], again[NAMES_KEY_MAX];
	bool ok = names_key(in, key, sizeof key);
	if (!ok && key[0] != '\0')
		__builtin_trap(); /* a refusal leaves an empty string, never half a key */
	if (ok) {
		check_key(key);
		/* The same input gives the same key, from the cache or not. */
		if (!names_key(in, again, sizeof again) || strcmp(key, again) != 0)
			__builtin_trap();
		/* A buffer that is too small refuses; one that is big enough gives the same key. */
		if (names_key(in, small, sizeof small) != (strlen(key) < sizeof small))
			__builtin_trap();
		if (strlen(key) < sizeof small && strcmp(small, key) != 0)
			__builtin_trap();
		/* A key is plain ASCII, so it has a key too. */
		if (!names_key(key, again, sizeof again))
			__builtin_trap();
		check_key(again);
		if (names_distance(key, key, 0) != 0)
			__builtin_trap();
		int d = names_distance(key, again, 3);
		if (d < 0 || d > 4 || d != names_distance(again, key, 3))
			__builtin_trap();
	}

	/* The spellings accept what names_key accepts, whenever their result fits. */
	bool lok = names_latin(in, latin, sizeof latin);
	bool cok = names_cyrillic(in, cyrillic, sizeof cyrillic);
	if ((lok || cok) && !ok && size < NAMES_KEY_MAX / 16) /* short input: its key fits */
		__builtin_trap();
	if (lok && names_key(latin, again, sizeof again))
		check_key(again);
	if (cok && names_key(cyrillic, again, sizeof again))
		check_key(again);

	/* The two halves of the input as raw byte strings. */
	char *half = xstrndup(in, size / 2);
	int d = names_distance(in, half, 2);
	if (d < 0 || d > 3)
		__builtin_trap();
	free(half);
	free(in);
	return 0;
}
