/*
 * Fuzz target: an instrument file (POST /api/v1/instruments, kadam instrument
 * check) through jansson and instrument_check (the published schema, then the
 * checks a schema cannot say). A refusal must list at least one problem,
 * never more than INSTRUMENT_MAX_PROBLEMS, each with a JSON Pointer path;
 * a file that passes is read back through the readers the assessments use:
 * every item and domain is found by its id, every scale value and judgement
 * has its own position, and every item's and domain's scale exists.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/instrument.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void refused(const struct instrument_problems *p)
{
	size_t n = json_array_size(p->list);
	if (p->count == 0 || n == 0 || n > INSTRUMENT_MAX_PROBLEMS || n > p->count ||
	    (p->count > n && n != INSTRUMENT_MAX_PROBLEMS))
		__builtin_trap();
	size_t i;
	const json_t *one;
	json_array_foreach(p->list, i, one) {
		const char *path = json_string_value(json_object_get(one, "path"));
		const char *message = json_string_value(json_object_get(one, "message"));
		if (!path || !message || !*message || (*path && *path != '/'))
			__builtin_trap();
	}
}

/* The scale named by id exists: its first value is at position 0. */
static bool scale_exists(const json_t *doc, const json_t *id)
{
	size_t i;
	const json_t *s;
	json_array_foreach(json_object_get(doc, "scales"), i, s)
		if (json_equal(json_object_get(s, "id"), (json_t *)id))
			return instrument_scale_position(doc, json_string_value(id),
			                                 json_string_value(json_object_get(
			                                         json_array_get(json_object_get(s, "values"), 0), "id"))) == 0;
	return false;
}

static void exercise(const json_t *doc)
{
	size_t i, j;
	const json_t *s, *v, *d, *item, *domain;
	json_array_foreach(json_object_get(doc, "scales"), i, s) {
		const char *scale = json_string_value(json_object_get(s, "id"));
		json_array_foreach(json_object_get(s, "values"), j, v)
			if (instrument_scale_position(doc, scale, json_string_value(json_object_get(v, "id"))) != (int)j)
				__builtin_trap();
		if (instrument_scale_position(doc, scale, "\x01not an id") != -1)
			__builtin_trap();
	}
	json_array_foreach(json_object_get(doc, "domains"), i, d) {
		const char *did = json_string_value(json_object_get(d, "id"));
		if (instrument_domain(doc, did) != d || !scale_exists(doc, json_object_get(d, "rating_scale")))
			__builtin_trap();
		json_array_foreach(json_object_get(d, "items"), j, item) {
			domain = NULL;
			if (instrument_item(doc, json_string_value(json_object_get(item, "id")), &domain) != item || domain != d ||
			    !scale_exists(doc, json_object_get(item, "scale")))
				__builtin_trap();
		}
	}
	json_array_foreach(json_object_get(doc, "judgements"), i, v)
		if (instrument_judgement_position(doc, json_string_value(json_object_get(v, "id"))) != (int)i)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > INSTRUMENT_MAX_BYTES)
		return 0;
	json_t *doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!doc)
		return 0;
	struct instrument_problems p = {NULL, 0};
	if (instrument_check(doc, &p)) {
		if (p.count || p.list)
			__builtin_trap();
		exercise(doc);
	} else {
		refused(&p);
	}
	instrument_problems_free(&p);
	json_decref(doc);
	return 0;
}
