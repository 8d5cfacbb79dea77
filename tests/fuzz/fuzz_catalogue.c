/*
 * Fuzz target: a condition catalogue file (POST /api/v1/condition-catalogue,
 * kadam catalogue check) through jansson and catalogue_check; a file that
 * passes has each text rendered in every language with no values, which must
 * leave no placeholder unreplaced, and each condition's parameter list used
 * to check an empty set of values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/catalogue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const json_t *doc)
{
	static const char *const langs[] = {"ky", "ru", "en"};
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(doc, "conditions"), i, c) {
		const json_t *spec = json_object_get(c, "params");
		json_t *empty = json_object();
		struct catalogue_error err;
		bool ok = catalogue_params_check(spec, empty, &err);
		/* Empty values pass exactly when no parameter is required. */
		bool required = false;
		size_t j;
		const json_t *p;
		json_array_foreach(spec, j, p)
			required |= json_is_true(json_object_get(p, "required"));
		if (ok == required)
			__builtin_trap();
		for (int l = 0; l < 3; l++) {
			const char *text = json_string_value(json_object_get(json_object_get(c, "text"), langs[l]));
			char *out = catalogue_render(text, spec, empty, langs[l]);
			if (!out || strchr(out, '{') || strchr(out, '}'))
				__builtin_trap();
			free(out);
		}
		json_decref(empty);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > CATALOGUE_MAX_BYTES)
		return 0;
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	struct catalogue_error err = {{0}, {0}};
	if (doc && catalogue_check(doc, &err))
		exercise(doc);
	else if (doc && !*err.problem)
		__builtin_trap(); /* a refusal always says why */
	json_decref(doc);
	return 0;
}
