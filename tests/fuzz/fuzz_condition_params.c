/*
 * Fuzz target: an imposed condition's parameter values (the `params` of
 * POST /api/v1/cases/{id}/conditions) through catalogue_params_check (zones
 * through GEOS) and catalogue_render in each language. The input is either
 * the values object, checked against a parameter list with every type, or
 * {"spec": [...], "values": ...} to vary the list as well.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/catalogue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char spec_all[] =
	"[{\"name\": \"address\", \"type\": \"address\", \"required\": true},"
	" {\"name\": \"zone\", \"type\": \"zone\", \"required\": false},"
	" {\"name\": \"hours\", \"type\": \"time_window\", \"required\": false},"
	" {\"name\": \"schedule\", \"type\": \"weekly\", \"required\": false},"
	" {\"name\": \"person\", \"type\": \"person\", \"required\": false},"
	" {\"name\": \"office\", \"type\": \"organisation\", \"required\": false},"
	" {\"name\": \"by\", \"type\": \"date\", \"required\": false},"
	" {\"name\": \"days\", \"type\": \"number\", \"required\": false, \"min\": 2, \"max\": 20},"
	" {\"name\": \"note\", \"type\": \"text\", \"required\": false}]";

static const char template_all[] =
	"{address} {zone} {hours} {schedule} {person} {office} {by} {days} {note} {missing} {";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 256 * 1024)
		return 0;
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	if (!in)
		return 0;
	json_t *spec = NULL;
	const json_t *values = in;
	if (json_is_object(in) && json_is_array(json_object_get(in, "spec")) && json_object_get(in, "values")) {
		spec = json_incref(json_object_get(in, "spec"));
		values = json_object_get(in, "values");
	} else {
		spec = json_loads(spec_all, 0, NULL);
	}
	struct catalogue_error err = {{0}, {0}};
	if (!catalogue_params_check(spec, values, &err) && !*err.problem)
		__builtin_trap(); /* a refusal always says why */
	static const char *const langs[] = {"ky", "ru", "en", "xx"};
	for (int l = 0; l < 4; l++) {
		char *out = catalogue_render(template_all, spec, values, langs[l]);
		if (!out)
			__builtin_trap();
		free(out);
	}
	json_decref(spec);
	json_decref(in);
	return 0;
}
