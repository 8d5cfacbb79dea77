/*
 * Unit tests for src/domain/catalogue: the checks on a catalogue file (each
 * problem named by its JSON path), the checks on parameter values (zones
 * through GEOS), rendering in ky, ru and en, and loading versions into an
 * in-memory SQLite database, where active conditions follow a new version's
 * code mapping or the load is refused naming what stops it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/catalogue.h"

/* ---- helpers ------------------------------------------------------------ */

static json_t *parse_line(const char *text, int line)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!v)
		fail_msg("line %d: bad test JSON: %s", line, err.text);
	return v;
}
#define PARSE(text) parse_line(text, __LINE__)

/* A small valid file: one condition with an address and a time window. */
static const char minimal[] =
	"{\"version\": 1, \"label\": \"Test\", \"conditions\": [{\"code\": \"curfew\", \"category\": \"residence\","
	" \"duty\": \"curfew\", \"standard\": false, \"em\": true,"
	" \"title\": {\"ky\": \"Комендант сааты\", \"ru\": \"Комендантский час\", \"en\": \"Curfew\"},"
	" \"text\": {\"ky\": \"{address} дареги боюнча {hours}\", \"ru\": \"По адресу {address} в период {hours}\","
	"            \"en\": \"At {address} during {hours}\"},"
	" \"params\": [{\"name\": \"address\", \"type\": \"address\", \"required\": true,"
	"               \"label\": {\"ky\": \"Дарек\", \"ru\": \"Адрес\", \"en\": \"Address\"}},"
	"              {\"name\": \"hours\", \"type\": \"time_window\", \"required\": true,"
	"               \"label\": {\"ky\": \"Сааттар\", \"ru\": \"Часы\", \"en\": \"Hours\"}}]}]}";

static json_t *cond0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "conditions"), 0);
}

/* Asserts that catalogue_check refuses doc naming field, with a problem containing word. */
static void refused_line(json_t *doc, const char *field, const char *word, int line)
{
	struct catalogue_error err = {{0}, {0}};
	if (catalogue_check(doc, &err))
		fail_msg("line %d: accepted, expected a problem at %s", line, field);
	if (strcmp(err.field, field) != 0 || (word && !strstr(err.problem, word)))
		fail_msg("line %d: got %s: %s; expected %s (%s)", line, err.field, err.problem, field, word ? word : "");
	json_decref(doc);
}
#define REFUSED(doc, field, word) refused_line(doc, field, word, __LINE__)

/* ---- the shipped file --------------------------------------------------- */

static void shipped_catalogue_is_valid_and_complete(void **state)
{
	(void)state;
	json_t *doc = json_loadb(catalogue_shipped_json, catalogue_shipped_json_len, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(doc);
	struct catalogue_error err = {{0}, {0}};
	if (!catalogue_check(doc, &err))
		fail_msg("%s: %s", err.field, err.problem);
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(doc, "label")), "Kadam standard catalogue (2026)");
	static const char *const duties[] = {"report", "residence", "curfew", "exclusion", "travel", "no_contact",
	                                     "programme", "work_study", "documents", "electronic_monitoring", "internet"};
	for (size_t d = 0; d < sizeof duties / sizeof duties[0]; d++) {
		bool found = false;
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(doc, "conditions"), i, c)
			found |= strcmp(json_string_value(json_object_get(c, "duty")), duties[d]) == 0;
		if (!found)
			fail_msg("no condition for the duty %s", duties[d]);
	}
	/* Kyrgyz texts are in Cyrillic: each has Cyrillic letters. */
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "conditions"), i, c) {
		const char *ky = json_string_value(json_object_get(json_object_get(c, "text"), "ky"));
		assert_non_null(strstr(ky, "\xD0") ? ky : NULL);
		if (json_is_true(json_object_get(c, "em")))
			assert_non_null(strstr(json_string_value(json_object_get(json_object_get(c, "text"), "en")),
			                       "electronic"));
	}
	json_decref(doc);
}

/* ---- catalogue_check ---------------------------------------------------- */

static void check_accepts_a_minimal_file(void **state)
{
	(void)state;
	json_t *doc = PARSE(minimal);
	struct catalogue_error err = {{0}, {0}};
	if (!catalogue_check(doc, &err))
		fail_msg("%s: %s", err.field, err.problem);
	json_decref(doc);
}

static void check_names_a_missing_language(void **state)
{
	(void)state;
	json_t *doc = PARSE(minimal);
	json_object_del(json_object_get(cond0(doc), "text"), "ru");
	REFUSED(doc, "conditions[0].text.ru", "missing");
	doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "title"), "ky", json_string(""));
	REFUSED(doc, "conditions[0].title.ky", "characters");
	doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "title"), "de", json_string("Ausgangssperre"));
	REFUSED(doc, "conditions[0].title.de", "not a known member");
	doc = PARSE(minimal);
	json_object_del(json_object_get(json_array_get(json_object_get(cond0(doc), "params"), 1), "label"), "en");
	REFUSED(doc, "conditions[0].params[1].label.en", "missing");
}

static void check_names_an_unknown_type_or_category(void **state)
{
	(void)state;
	json_t *doc = PARSE(minimal);
	json_object_set_new(json_array_get(json_object_get(cond0(doc), "params"), 0), "type", json_string("colour"));
	REFUSED(doc, "conditions[0].params[0].type", "address, zone");
	doc = PARSE(minimal);
	json_object_set_new(cond0(doc), "category", json_string("leisure"));
	REFUSED(doc, "conditions[0].category", NULL);
	doc = PARSE(minimal);
	json_object_set_new(cond0(doc), "em", json_string("yes"));
	REFUSED(doc, "conditions[0].em", "true or false");
	doc = PARSE(minimal);
	json_object_set_new(cond0(doc), "colour", json_string("red"));
	REFUSED(doc, "conditions[0].colour", "not a known member");
	doc = PARSE(minimal);
	json_object_set_new(json_array_get(json_object_get(cond0(doc), "params"), 0), "min", json_integer(1));
	REFUSED(doc, "conditions[0].params[0].min", "number");
}

static void check_names_undeclared_and_unused_placeholders(void **state)
{
	(void)state;
	json_t *doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "text"), "en", json_string("At {address} during {hours} near {where}"));
	REFUSED(doc, "conditions[0].text.en", "{where}");
	doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "text"), "ky", json_string("{hours} аралыгында үйдө болуу"));
	REFUSED(doc, "conditions[0].text.ky", "{address}");
	doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "text"), "ru", json_string("По адресу {address} {hours} {"));
	REFUSED(doc, "conditions[0].text.ru", "'{'");
	doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "text"), "ru", json_string("По адресу {address} {hours} }"));
	REFUSED(doc, "conditions[0].text.ru", "'}'");
	doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "text"), "en", json_string("At {Address} {address} {hours}"));
	REFUSED(doc, "conditions[0].text.en", "not a parameter name");
	doc = PARSE(minimal);
	json_object_set_new(json_object_get(cond0(doc), "title"), "en", json_string("Curfew {hours}"));
	REFUSED(doc, "conditions[0].title.en", "{");
	/* An optional parameter need not appear. */
	doc = PARSE(minimal);
	json_object_set_new(json_array_get(json_object_get(cond0(doc), "params"), 1), "required", json_false());
	json_object_set_new(json_object_get(cond0(doc), "text"), "en", json_string("At {address}"));
	assert_true(catalogue_check(doc, NULL));
	json_decref(doc);
}

static void check_names_bad_codes_and_names(void **state)
{
	(void)state;
	json_t *doc = PARSE(minimal);
	json_object_set_new(cond0(doc), "code", json_string("Curfew-1"));
	REFUSED(doc, "conditions[0].code", "lowercase");
	doc = PARSE(minimal);
	json_object_set_new(cond0(doc), "code", json_string("c"));
	REFUSED(doc, "conditions[0].code", NULL);
	doc = PARSE(minimal);
	json_object_set_new(cond0(doc), "code", json_string("a_code_that_is_much_longer_than_forty_chars"));
	REFUSED(doc, "conditions[0].code", NULL);
	doc = PARSE(minimal);
	json_object_set_new(json_array_get(json_object_get(cond0(doc), "params"), 0), "name", json_string("addr1"));
	REFUSED(doc, "conditions[0].params[0].name", NULL);
	doc = PARSE(minimal);
	json_array_append_new(json_object_get(doc, "conditions"), json_deep_copy(cond0(doc)));
	REFUSED(doc, "conditions[1].code", "repeats conditions[0]");
	doc = PARSE(minimal);
	json_t *params = json_object_get(cond0(doc), "params");
	json_array_append_new(params, json_deep_copy(json_array_get(params, 0)));
	REFUSED(doc, "conditions[0].params[2].name", "repeats");
}

static void check_enforces_limits(void **state)
{
	(void)state;
	json_t *doc = PARSE(minimal);
	char *long_text = malloc(2100);
	memcpy(long_text, "{address}{hours}", 16);
	memset(long_text + 16, 'x', 2100 - 17);
	long_text[2099] = '\0';
	json_object_set_new(json_object_get(cond0(doc), "text"), "en", json_string(long_text));
	free(long_text);
	REFUSED(doc, "conditions[0].text.en", "2000");
	doc = PARSE(minimal);
	json_t *params = json_object_get(cond0(doc), "params");
	for (int i = 0; i < CATALOGUE_MAX_PARAMS; i++) {
		char name[8] = "extra_";
		name[6] = (char)('a' + i);
		json_t *p = json_deep_copy(json_array_get(params, 0));
		json_object_set_new(p, "name", json_string(name));
		json_object_set_new(p, "required", json_false());
		json_array_append_new(params, p);
	}
	REFUSED(doc, "conditions[0].params", "at most");
	doc = PARSE(minimal);
	json_t *list = json_object_get(doc, "conditions");
	for (int i = 1; i <= CATALOGUE_MAX_CONDITIONS; i++) {
		json_t *c = json_deep_copy(cond0(doc));
		char code[16];
		snprintf(code, sizeof code, "c%d", i);
		json_object_set_new(c, "code", json_string(code));
		json_array_append_new(list, c);
	}
	REFUSED(doc, "conditions", "200");
	REFUSED(PARSE("{\"version\": 0, \"label\": \"x\", \"conditions\": []}"), "version", NULL);
	REFUSED(PARSE("{\"version\": 2, \"conditions\": []}"), "label", "required");
	REFUSED(PARSE("{\"version\": 2, \"label\": \"x\", \"conditions\": []}"), "conditions", NULL);
	REFUSED(PARSE("[]"), "", "object");
	doc = PARSE(minimal);
	json_object_set_new(doc, "replaces", PARSE("{\"old_curfew\": \"curfew_new\"}"));
	REFUSED(doc, "replaces.old_curfew", "code of this version");
	doc = PARSE(minimal);
	json_object_set_new(doc, "replaces", PARSE("{\"curfew\": \"curfew\"}"));
	REFUSED(doc, "replaces.curfew", "kept code");
	doc = PARSE(minimal);
	json_object_set_new(doc, "replaces", PARSE("{\"old_curfew\": \"curfew\"}"));
	assert_true(catalogue_check(doc, NULL));
	json_decref(doc);
}

/* ---- catalogue_params_check --------------------------------------------- */

static const char spec_all[] =
	"[{\"name\": \"address\", \"type\": \"address\", \"required\": true},"
	" {\"name\": \"area\", \"type\": \"zone\", \"required\": false},"
	" {\"name\": \"hours\", \"type\": \"time_window\", \"required\": false},"
	" {\"name\": \"schedule\", \"type\": \"weekly\", \"required\": false},"
	" {\"name\": \"person\", \"type\": \"person\", \"required\": false},"
	" {\"name\": \"office\", \"type\": \"organisation\", \"required\": false},"
	" {\"name\": \"by\", \"type\": \"date\", \"required\": false},"
	" {\"name\": \"days\", \"type\": \"number\", \"required\": false, \"min\": 2, \"max\": 20},"
	" {\"name\": \"note\", \"type\": \"text\", \"required\": false}]";

static const char square[] =
	"{\"type\": \"Polygon\", \"coordinates\": [[[74.59, 42.87], [74.60, 42.87], [74.60, 42.88], [74.59, 42.88],"
	" [74.59, 42.87]]]}";

/* Checks values (JSON text) against spec_all; expected_field NULL means accepted. */
static void params_line(const char *values, const char *expected_field, const char *word, int line)
{
	json_t *spec = PARSE(spec_all);
	json_t *v = parse_line(values, line);
	struct catalogue_error err = {{0}, {0}};
	bool ok = catalogue_params_check(spec, v, &err);
	if (!expected_field && !ok)
		fail_msg("line %d: refused %s: %s", line, err.field, err.problem);
	if (expected_field && ok)
		fail_msg("line %d: accepted, expected a problem at %s", line, expected_field);
	if (expected_field && (strcmp(err.field, expected_field) != 0 || (word && !strstr(err.problem, word))))
		fail_msg("line %d: got %s: %s; expected %s (%s)", line, err.field, err.problem, expected_field,
		         word ? word : "");
	json_decref(spec);
	json_decref(v);
}
#define PARAMS_OK(values) params_line(values, NULL, NULL, __LINE__)
#define PARAMS_BAD(values, field, word) params_line(values, field, word, __LINE__)

static void params_of_each_type(void **state)
{
	(void)state;
	char all[1024];
	snprintf(all, sizeof all,
	         "{\"address\": \"Бишкек ш., Чүй пр., 1\", \"area\": {\"name\": \"Ош базары\", \"geometry\": %s},"
	         " \"hours\": {\"from\": \"22:00\", \"to\": \"06:00\"},"
	         " \"schedule\": {\"days\": [\"th\", \"mo\"], \"from\": \"09:00\", \"to\": \"12:00\"},"
	         " \"person\": \"Асанов Бакыт\", \"office\": \"Бишкек шаардык пробация бөлүмү\", \"by\": \"2026-03-05\","
	         " \"days\": 3, \"note\": \"Any text\"}",
	         square);
	PARAMS_OK(all);
	PARAMS_OK("{\"address\": \"x\", \"hours\": null}");
	PARAMS_BAD("{}", "params.address", "required");
	PARAMS_BAD("[]", "params", "object");
	PARAMS_BAD("{\"address\": \"x\", \"colour\": \"red\"}", "params.colour", "not a parameter");
	PARAMS_BAD("{\"address\": \"\"}", "params.address", "characters");
	PARAMS_BAD("{\"address\": \"line\\nbreak\"}", "params.address", "control");
	PARAMS_BAD("{\"address\": 12}", "params.address", "string");
	PARAMS_BAD("{\"address\": \"x\", \"person\": \"   \"}", "params.person", NULL);
	PARAMS_BAD("{\"address\": \"x\", \"hours\": {\"from\": \"22:00\", \"to\": \"22:00\"}}", "params.hours.to", "differ");
	PARAMS_BAD("{\"address\": \"x\", \"hours\": {\"from\": \"24:00\", \"to\": \"06:00\"}}", "params.hours.from", "HH:MM");
	PARAMS_BAD("{\"address\": \"x\", \"hours\": {\"from\": \"22:00\"}}", "params.hours.to", "HH:MM");
	PARAMS_BAD("{\"address\": \"x\", \"hours\": \"22-06\"}", "params.hours", "object");
	PARAMS_BAD("{\"address\": \"x\", \"schedule\": {\"days\": [], \"from\": \"09:00\", \"to\": \"12:00\"}}",
	           "params.schedule.days", "1 to 7");
	PARAMS_BAD("{\"address\": \"x\", \"schedule\": {\"days\": [\"mo\", \"mo\"], \"from\": \"09:00\", \"to\": \"12:00\"}}",
	           "params.schedule.days[1]", "repeats");
	PARAMS_BAD("{\"address\": \"x\", \"schedule\": {\"days\": [\"monday\"], \"from\": \"09:00\", \"to\": \"12:00\"}}",
	           "params.schedule.days[0]", NULL);
	PARAMS_BAD("{\"address\": \"x\", \"schedule\": {\"days\": [\"mo\"], \"from\": \"12:00\", \"to\": \"09:00\"}}",
	           "params.schedule.to", "after");
	PARAMS_BAD("{\"address\": \"x\", \"by\": \"2026-02-30\"}", "params.by", "YYYY-MM-DD");
	PARAMS_BAD("{\"address\": \"x\", \"by\": \"05.03.2026\"}", "params.by", NULL);
	PARAMS_OK("{\"address\": \"x\", \"by\": \"2028-02-29\"}");
	PARAMS_BAD("{\"address\": \"x\", \"days\": 1}", "params.days", "2 to 20");
	PARAMS_BAD("{\"address\": \"x\", \"days\": 21}", "params.days", "2 to 20");
	PARAMS_BAD("{\"address\": \"x\", \"days\": 3.5}", "params.days", "integer");
	PARAMS_BAD("{\"address\": \"x\", \"days\": \"3\"}", "params.days", "integer");
	PARAMS_BAD("{\"address\": \"x\", \"area\": {\"name\": \"\", \"geometry\": {}}}", "params.area.name", NULL);
	PARAMS_BAD("{\"address\": \"x\", \"area\": {\"name\": \"Zone\"}}", "params.area.geometry", "Polygon");
}

/* A zone value with the given geometry (JSON text); expected_field NULL means accepted. */
static void zone_line(const char *geometry, const char *expected_field, const char *word, int line)
{
	struct buf b = {0};
	buf_printf(&b, "{\"address\": \"x\", \"area\": {\"name\": \"Zone\", \"geometry\": %s}}", geometry);
	params_line(b.data, expected_field, word, line);
	buf_free(&b);
}
#define ZONE_OK(g) zone_line(g, NULL, NULL, __LINE__)
#define ZONE_BAD(g, field, word) zone_line(g, field, word, __LINE__)

static void zones_are_checked_by_geos(void **state)
{
	(void)state;
	ZONE_OK(square);
	/* A square with a hole. */
	ZONE_OK("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],"
	        " [[2, 2], [2, 4], [4, 4], [4, 2], [2, 2]]]}");
	/* A bow tie crosses itself. */
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 10], [10, 0], [0, 10], [0, 0]]]}",
	         "params.area.geometry", "Self-intersection");
	/* An open ring. */
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 0], [10, 10], [0, 10]]]}",
	         "params.area.geometry.coordinates[0]", "closed");
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 1]]]}",
	         "params.area.geometry.coordinates[0]", "closed");
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 0], [0, 0]]]}",
	         "params.area.geometry.coordinates[0]", "4 positions");
	/* No area: every point on one line. */
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [5, 0], [10, 0], [0, 0]]]}", "params.area.geometry",
	         NULL);
	ZONE_BAD("{\"type\": \"Point\", \"coordinates\": [74.59, 42.87]}", "params.area.geometry.type", "Polygon");
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[190, 0], [10, 0], [10, 10], [190, 0]]]}",
	         "params.area.geometry.coordinates[0][0]", "longitude");
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 95], [10, 10], [0, 0]]]}",
	         "params.area.geometry.coordinates[0][1]", "latitude");
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 0, 3], [10, 10], [0, 0]]]}",
	         "params.area.geometry.coordinates[0][1]", "position");
	ZONE_BAD("{\"type\": \"Polygon\", \"coordinates\": [[[0, 0], [10, 0], [10, 10], [0, 0]]], \"crs\": 4326}",
	         "params.area.geometry.crs", "not a known member");
	/* 2000 positions in all is allowed: a saw-toothed bottom edge, then the right, top and left sides. */
	struct buf g = {0};
	buf_puts(&g, "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0]");
	for (int i = 1; i <= 1996; i++)
		buf_printf(&g, ", [%.2f, %d]", i * 0.05, i % 2 ? 1 : 2);
	buf_puts(&g, ", [99.8, 10], [0, 10], [0, 0]]]}");
	ZONE_OK(g.data);
	buf_free(&g);
	/* One more position is too many (counted before GEOS sees it). */
	buf_puts(&g, "{\"type\": \"Polygon\", \"coordinates\": [[[0, 0]");
	for (int i = 1; i <= 1997; i++)
		buf_printf(&g, ", [%.2f, %d]", i * 0.05, i % 2 ? 1 : 2);
	buf_puts(&g, ", [99.85, 10], [0, 10], [0, 0]]]}");
	ZONE_BAD(g.data, "params.area.geometry", "2000");
	buf_free(&g);
}

/* ---- catalogue_render --------------------------------------------------- */

static char *render(const char *tpl, const char *values, const char *lang)
{
	json_t *spec = PARSE(spec_all), *v = PARSE(values);
	char *out = catalogue_render(tpl, spec, v, lang);
	json_decref(spec);
	json_decref(v);
	return out;
}

static void render_line(const char *tpl, const char *values, const char *lang, const char *expected, int line)
{
	char *out = render(tpl, values, lang);
	if (strcmp(out, expected) != 0)
		fail_msg("line %d: rendered \"%s\", expected \"%s\"", line, out, expected);
	free(out);
}
#define RENDERS(tpl, values, lang, expected) render_line(tpl, values, lang, expected, __LINE__)

static void render_each_type_in_each_language(void **state)
{
	(void)state;
	const char *v = "{\"address\": \"Чүй пр., 1\", \"area\": {\"name\": \"Ош базары\", \"geometry\": {}},"
	                " \"hours\": {\"from\": \"22:00\", \"to\": \"06:00\"},"
	                " \"schedule\": {\"days\": [\"th\", \"mo\", \"fr\"], \"from\": \"09:00\", \"to\": \"12:00\"},"
	                " \"person\": \"А. Б.\", \"office\": \"Office\", \"by\": \"2026-03-05\", \"days\": 3,"
	                " \"note\": \"text\"}";
	RENDERS("{address} / {area} / {person} / {office} / {note} / {days}", v, "ru",
	        "Чүй пр., 1 / Ош базары / А. Б. / Office / text / 3");
	RENDERS("{hours}", v, "ky", "22:00\xE2\x80\x93" "06:00");
	RENDERS("{schedule}", v, "ky", "дүйшөмбү, бейшемби жана жума, 09:00\xE2\x80\x93" "12:00");
	RENDERS("{schedule}", v, "ru", "понедельник, четверг и пятница, 09:00\xE2\x80\x93" "12:00");
	RENDERS("{schedule}", v, "en", "Monday, Thursday and Friday, 09:00\xE2\x80\x93" "12:00");
	RENDERS("{schedule}", "{\"schedule\": {\"days\": [\"su\"], \"from\": \"09:00\", \"to\": \"12:00\"}}", "ru",
	        "воскресенье, 09:00\xE2\x80\x93" "12:00");
	RENDERS("{by}", v, "ky", "05.03.2026");
	RENDERS("{by}", v, "ru", "05.03.2026");
	RENDERS("{by}", v, "en", "5 March 2026");
	RENDERS("until {by}.", "{\"by\": \"2026-12-31\"}", "en", "until 31 December 2026.");
	/* Missing values, unknown placeholders and stray braces. */
	RENDERS("At {address}, {note}.", "{\"address\": \"x\"}", "en", "At x, \xE2\x80\x94.");
	RENDERS("{unknown} {Address} { } {", "{}", "en", "{unknown} {Address} { } {");
	RENDERS("{days}", "{\"days\": \"three\"}", "en", "\xE2\x80\x94");
	/* An unknown language renders as English. */
	RENDERS("{by}", v, "de", "5 March 2026");
	char *out = catalogue_render(NULL, NULL, NULL, NULL);
	assert_string_equal(out, "");
	free(out);
}

static void render_the_shipped_texts(void **state)
{
	(void)state;
	json_t *doc = json_loadb(catalogue_shipped_json, catalogue_shipped_json_len, 0, NULL);
	json_t *curfew = NULL;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "conditions"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "code")), "curfew") == 0)
			curfew = c;
	assert_non_null(curfew);
	json_t *v = PARSE("{\"address\": \"Бишкек ш., Ахунбаев к., 12\", \"hours\": {\"from\": \"22:00\", \"to\": \"06:00\"}}");
	assert_true(catalogue_params_check(json_object_get(curfew, "params"), v, NULL));
	for (const char *const *l = (const char *const[]){"ky", "ru", "en", NULL}; *l; l++) {
		char *out = catalogue_render(json_string_value(json_object_get(json_object_get(curfew, "text"), *l)),
		                             json_object_get(curfew, "params"), v, *l);
		assert_non_null(strstr(out, "Ахунбаев к., 12"));
		assert_non_null(strstr(out, "22:00\xE2\x80\x93" "06:00"));
		assert_null(strchr(out, '{'));
		free(out);
	}
	json_decref(v);
	json_decref(doc);
}

/* ---- loading versions --------------------------------------------------- */

static db *fresh_db(void)
{
	db *conn = NULL;
	char *error = NULL;
	if (db_open("sqlite::memory:", &conn, &error) != DB_OK || db_migrate(conn, NULL, &error) != DB_OK)
		fail_msg("cannot open a database: %s", error ? error : "");
	/* The conditions below stand alone: no person, case or account rows behind them. */
	assert_int_equal(db_exec(conn, "PRAGMA foreign_keys = OFF"), DB_OK);
	return conn;
}

static int64_t count(db *conn, const char *sql)
{
	db_stmt *st = NULL;
	assert_int_equal(db_query(conn, &st, sql, ""), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	db_finalize(&st);
	return n;
}

static char *text_of(db *conn, const char *sql)
{
	db_stmt *st = NULL;
	assert_int_equal(db_query(conn, &st, sql, ""), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	char *s = strdup(db_column_text(st, 0, NULL));
	db_finalize(&st);
	return s;
}

static void add_condition(db *conn, const char *id, const char *code, const char *duty, const char *params)
{
	assert_int_equal(db_run(conn, NULL,
		"INSERT INTO case_condition (id, case_id, decision_id, catalogue_version, code, duty, params, answers,"
		" answers_detail, review_on, effective_from, status, created_at, updated_at)"
		" VALUES (?, 'case-1', 'decision-1', 1, ?, ?, ?, 'risk', 'why', '2026-06-01', '2026-01-10', 'active', 1, 1)",
		"tttt", id, code, duty, params), DB_OK);
}

/* Loads doc (JSON text) in a transaction; returns the status (rolled back unless DB_OK). */
static enum db_status load(db *conn, const char *text, struct catalogue_error *err, int64_t *recoded_r)
{
	json_t *doc = PARSE(text);
	int64_t version = 0;
	assert_int_equal(db_begin(conn), DB_OK);
	enum db_status rc = catalogue_load_counted(conn, doc, "0000", NULL, 1000, err, &version, recoded_r, NULL);
	if (rc == DB_OK) {
		assert_int_equal(version, json_integer_value(json_object_get(doc, "version")));
		assert_int_equal(db_commit(conn), DB_OK);
	} else {
		db_rollback(conn);
	}
	json_decref(doc);
	return rc;
}

/* A version-N file: the shipped one with another version, a renamed curfew, a mapping and (extra) more. */
static char *variant(int version, const char *curfew_code, const char *replaces, const char *extra_param,
                     const char *drop_code)
{
	json_t *doc = json_loadb(catalogue_shipped_json, catalogue_shipped_json_len, 0, NULL);
	json_object_set_new(doc, "version", json_integer(version));
	json_t *list = json_object_get(doc, "conditions");
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *c = json_array_get(list, i);
		const char *code = json_string_value(json_object_get(c, "code"));
		if (drop_code && strcmp(code, drop_code) == 0) {
			json_array_remove(list, i--);
			continue;
		}
		if (strcmp(code, "curfew") != 0)
			continue;
		json_object_set_new(c, "code", json_string(curfew_code));
		if (extra_param) {
			json_t *p = json_pack("{s:s, s:s, s:b, s:{s:s, s:s, s:s}}", "name", extra_param, "type", "text",
			                      "required", 1, "label", "ky", "Эскертүү", "ru", "Примечание", "en", "Note");
			json_array_append_new(json_object_get(c, "params"), p);
			json_t *text = json_object_get(c, "text");
			const char *key;
			json_t *t;
			json_object_foreach(text, key, t) {
				char *s = xasprintf("%s {%s}", json_string_value(t), extra_param);
				json_object_set_new(text, key, json_string(s));
				free(s);
			}
		}
	}
	if (replaces)
		json_object_set_new(doc, "replaces", PARSE(replaces));
	char *out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return out;
}

static void load_maps_active_conditions(void **state)
{
	(void)state;
	db *conn = fresh_db();
	assert_int_equal(catalogue_ensure_shipped(conn, 500), DB_OK);
	assert_int_equal(catalogue_ensure_shipped(conn, 600), DB_OK); /* once only */
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM condition_catalogue"), 1);
	assert_int_equal(count(conn, "SELECT version FROM condition_catalogue WHERE is_current = 1"), 1);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM condition_type WHERE version = 1"), 14);
	char *sha = text_of(conn, "SELECT sha256 FROM condition_catalogue");
	char expected[65];
	catalogue_sha256_hex(catalogue_shipped_json, catalogue_shipped_json_len, expected);
	assert_string_equal(sha, expected);
	free(sha);
	assert_int_equal(db_run(conn, NULL,
		"INSERT INTO decision (id, case_id, authority, decided_on, measure, start_on, term, duties, created_at,"
		" updated_at) VALUES ('decision-1', 'case-1', 'Court', '2026-01-05', 'probation', '2026-01-10', '2y',"
		" 'report,residence,curfew', 1, 1)", ""), DB_OK);
	add_condition(conn, "cond-curfew", "curfew", "curfew",
	              "{\"address\": \"Чүй пр., 1\", \"hours\": {\"from\": \"22:00\", \"to\": \"06:00\"}}");
	add_condition(conn, "cond-home", "live_at_address", "residence", "{\"address\": \"Чүй пр., 1\", \"old\": 1}");
	struct catalogue_error err;
	int64_t recoded = -1;

	/* The version must be above the latest. */
	char *v1 = variant(1, "curfew", NULL, NULL, NULL);
	assert_int_equal(load(conn, v1, &err, NULL), DB_CONSTRAINT);
	assert_string_equal(err.field, "version");
	free(v1);

	/* A code in use must be kept or mapped. */
	char *unmapped = variant(2, "curfew_em", NULL, NULL, NULL);
	assert_int_equal(load(conn, unmapped, &err, NULL), DB_CONSTRAINT);
	assert_string_equal(err.field, "replaces.curfew");
	free(unmapped);

	/* The mapped type requires a parameter the active condition lacks: refused, naming it. */
	char *needs = variant(2, "curfew_em", "{\"curfew\": \"curfew_em\"}", "reason", NULL);
	assert_int_equal(load(conn, needs, &err, NULL), DB_CONSTRAINT);
	assert_string_equal(err.field, "replaces.curfew");
	assert_non_null(strstr(err.problem, "params.reason"));
	free(needs);

	/* A duty must exist. */
	char *bad_duty = variant(2, "curfew_em", "{\"curfew\": \"curfew_em\"}", NULL, NULL);
	json_t *doc = PARSE(bad_duty);
	json_object_set_new(json_array_get(json_object_get(doc, "conditions"), 3), "duty", json_string("dancing"));
	char *text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(load(conn, text, &err, NULL), DB_CONSTRAINT);
	assert_string_equal(err.field, "conditions[3].duty");
	free(text);
	json_decref(doc);
	free(bad_duty);

	/* A new duty the decision did not authorise (S1). */
	char *unauthorised = variant(2, "curfew", NULL, NULL, NULL);
	doc = PARSE(unauthorised);
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "conditions"), i, c)
		if (strcmp(json_string_value(json_object_get(c, "code")), "live_at_address") == 0)
			json_object_set_new(c, "duty", json_string("electronic_monitoring"));
	text = json_dumps(doc, JSON_COMPACT);
	assert_int_equal(load(conn, text, &err, NULL), DB_CONSTRAINT);
	assert_non_null(strstr(err.field, ".duty"));
	assert_non_null(strstr(err.problem, "electronic_monitoring"));
	free(text);
	json_decref(doc);
	free(unauthorised);

	/* Nothing of the refused loads remains. */
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM condition_catalogue"), 1);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM case_event"), 0);

	/* The mapping moves the curfew, keeps the rest and drops undeclared values. */
	char *v2 = variant(2, "curfew_em", "{\"curfew\": \"curfew_em\"}", NULL, NULL);
	assert_int_equal(load(conn, v2, &err, &recoded), DB_OK);
	assert_int_equal(recoded, 2); /* the curfew's code, the residence's dropped value */
	free(v2);
	assert_int_equal(count(conn, "SELECT version FROM condition_catalogue WHERE is_current = 1"), 2);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM condition_code_map WHERE version = 2 AND old_code = 'curfew'"
	                             " AND new_code = 'curfew_em'"), 1);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM case_condition WHERE id = 'cond-curfew' AND code = 'curfew_em'"
	                             " AND catalogue_version = 2 AND version = 2"), 1);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM case_condition WHERE id = 'cond-home'"
	                             " AND code = 'live_at_address' AND catalogue_version = 2"), 1);
	char *params = text_of(conn, "SELECT params FROM case_condition WHERE id = 'cond-home'");
	assert_null(strstr(params, "old"));
	free(params);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM case_event WHERE kind = 'condition.recoded'"
	                             " AND case_id = 'case-1' AND record_id = 'cond-curfew'"), 1);
	char *detail = text_of(conn, "SELECT detail FROM case_event WHERE record_id = 'cond-curfew'");
	assert_non_null(strstr(detail, "\"from_code\":\"curfew\""));
	assert_non_null(strstr(detail, "\"to_code\":\"curfew_em\""));
	free(detail);
	detail = text_of(conn, "SELECT detail FROM case_event WHERE record_id = 'cond-home'");
	assert_non_null(strstr(detail, "\"dropped\":[\"old\"]"));
	free(detail);

	/* An ended condition does not hold a code back. */
	assert_int_equal(db_exec(conn, "UPDATE case_condition SET status = 'ended' WHERE id = 'cond-curfew'"), DB_OK);
	char *v3 = variant(3, "curfew_new", NULL, NULL, NULL);
	assert_int_equal(load(conn, v3, &err, &recoded), DB_OK);
	assert_int_equal(recoded, 0);
	free(v3);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM case_condition WHERE id = 'cond-curfew' AND catalogue_version = 2"),
	                 1);
	db_close(&conn);
}

static void ensure_shipped_joins_an_open_transaction(void **state)
{
	(void)state;
	db *conn = fresh_db();
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(catalogue_ensure_shipped(conn, 1), DB_OK);
	assert_true(db_in_transaction(conn));
	assert_int_equal(db_rollback(conn), DB_OK);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM condition_catalogue"), 0);
	db_close(&conn);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shipped_catalogue_is_valid_and_complete),
		cmocka_unit_test(check_accepts_a_minimal_file),
		cmocka_unit_test(check_names_a_missing_language),
		cmocka_unit_test(check_names_an_unknown_type_or_category),
		cmocka_unit_test(check_names_undeclared_and_unused_placeholders),
		cmocka_unit_test(check_names_bad_codes_and_names),
		cmocka_unit_test(check_enforces_limits),
		cmocka_unit_test(params_of_each_type),
		cmocka_unit_test(zones_are_checked_by_geos),
		cmocka_unit_test(render_each_type_in_each_language),
		cmocka_unit_test(render_the_shipped_texts),
		cmocka_unit_test(load_maps_active_conditions),
		cmocka_unit_test(ensure_shipped_joins_an_open_transaction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
