/*
 * catalogue.c — the condition catalogue: checking a catalogue file, loading
 * it as a new version (with the recoding of the active conditions it maps),
 * checking an imposed condition's parameter values (zones through GEOS) and
 * rendering a condition's text in ky, ru or en.
 *
 * Nothing here trusts its input: the same checks serve the shipped file, an
 * administrator's import and the fuzz targets.
 */
#include "domain/catalogue.h"

#include <geos_c.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "domain/casefile.h"
#include "domain/keydates.h"

#define TITLE_MAX 200        /* characters of a title or a parameter label */
#define TEXT_MAX 2000        /* characters of a text template */
#define LABEL_MAX 200        /* characters of the catalogue's label */
#define ZONE_MAX_POINTS 2000 /* positions in all the rings of a zone */
#define ZONE_MAX_RINGS 50    /* the outer ring and its holes */
#define NUMBER_LIMIT 1000000000LL

static const char *const langs[] = {"ky", "ru", "en", NULL};
static const char *const param_types[] = {"address", "zone", "time_window", "weekly", "person", "organisation",
                                          "date", "number", "text", NULL};
static const char *const categories[] = {"reporting", "residence", "movement", "contact", "activity",
                                         "documents", "monitoring", "digital", NULL};
static const char *const weekdays[] = {"mo", "tu", "we", "th", "fr", "sa", "su", NULL};

/* ---- small helpers ------------------------------------------------------ */

/* Fills *err (when given) and returns false, so checks read `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static bool fail(struct catalogue_error *err, const char *field,
                                                         const char *fmt, ...)
{
	if (!err)
		return false;
	snprintf(err->field, sizeof err->field, "%s", field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->problem, sizeof err->problem, fmt, ap);
	va_end(ap);
	return false;
}

/* Writes a JSON path (truncated to size; paths are short, but input names them). */
__attribute__((format(printf, 3, 4))) static void at(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, size, fmt, ap);
	va_end(ap);
}

static int index_of(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return i;
	return -1;
}

/* Characters (code points) of a UTF-8 string (jansson strings are valid UTF-8). */
static size_t chars(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		n += (*p & 0xC0) != 0x80;
	return n;
}

/* True when s has no control characters (a newline too, unless allowed) and is not only spaces. */
static bool printable(const char *s, bool newline_ok)
{
	bool seen = false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p < 0x20 && !(newline_ok && *p == '\n')) || *p == 0x7F)
			return false;
		seen |= *p > 0x20;
	}
	return seen;
}

/* A string of min..max characters, printable; false with *err naming path. */
static bool text_ok(const json_t *v, const char *path, size_t min, size_t max, bool newline_ok,
                    struct catalogue_error *err)
{
	if (!json_is_string(v))
		return fail(err, path, "must be a string");
	const char *s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return fail(err, path, "must not contain NUL characters");
	size_t n = chars(s);
	if (n < min || n > max)
		return fail(err, path, "must be %zu to %zu characters", min, max);
	if (!printable(s, newline_ok))
		return fail(err, path, "must be text without control characters");
	return true;
}

/* [a-z0-9_]{2,40} */
static bool code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n < 2 || n > 40)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* [a-z_]{1,30} */
static bool name_ok(const char *s, size_t n)
{
	if (n < 1 || n > 30)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_'))
			return false;
	return true;
}

/* Fails on the first member of o that is not in allowed. */
static bool only_members(const json_t *o, const char *const *allowed, const char *path, struct catalogue_error *err)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)o, key, v) {
		if (index_of(allowed, key) < 0) {
			char field[128];
			at(field, sizeof field, "%s%s%s", path, *path ? "." : "", key);
			return fail(err, field, "is not a known member");
		}
	}
	return true;
}

/* The parameter spec called name (name_len bytes) in a parameter list, or NULL. */
static const json_t *spec_find(const json_t *spec, const char *name, size_t name_len)
{
	size_t i;
	const json_t *p;
	json_array_foreach(spec, i, p) {
		const char *n = json_string_value(json_object_get(p, "name"));
		if (n && strlen(n) == name_len && memcmp(n, name, name_len) == 0)
			return p;
	}
	return NULL;
}

/* ---- checking a file ----------------------------------------------------- */

/* {"ky": ..., "ru": ..., "en": ...}: every language, nothing else. */
static bool languages_ok(const json_t *o, const char *path, size_t max, bool newline_ok, struct catalogue_error *err)
{
	if (!json_is_object(o))
		return fail(err, path, "must be an object with ky, ru and en");
	if (!only_members(o, langs, path, err))
		return false;
	for (const char *const *l = langs; *l; l++) {
		char field[128];
		at(field, sizeof field, "%s.%s", path, *l);
		const json_t *v = json_object_get(o, *l);
		if (!v)
			return fail(err, field, "is missing: every text is needed in ky, ru and en");
		if (!text_ok(v, field, 1, max, newline_ok, err))
			return false;
	}
	return true;
}

/* A title or label: no placeholders (they are never rendered). */
static bool no_braces(const json_t *o, const char *path, struct catalogue_error *err)
{
	for (const char *const *l = langs; *l; l++) {
		if (strpbrk(json_string_value(json_object_get(o, *l)), "{}")) {
			char field[128];
			at(field, sizeof field, "%s.%s", path, *l);
			return fail(err, field, "must not contain { or }");
		}
	}
	return true;
}

static bool param_ok(const json_t *p, const char *path, struct catalogue_error *err)
{
	static const char *const members[] = {"name", "type", "required", "label", "min", "max", NULL};
	char field[128];
	if (!json_is_object(p))
		return fail(err, path, "must be an object");
	if (!only_members(p, members, path, err))
		return false;
	const json_t *name = json_object_get(p, "name");
	at(field, sizeof field, "%s.name", path);
	if (!json_is_string(name) || !name_ok(json_string_value(name), json_string_length(name)))
		return fail(err, field, "must be 1-30 lowercase letters or '_'");
	at(field, sizeof field, "%s.type", path);
	const char *type = json_string_value(json_object_get(p, "type"));
	if (index_of(param_types, type) < 0)
		return fail(err, field, "must be one of address, zone, time_window, weekly, person, organisation, date,"
		                        " number, text");
	at(field, sizeof field, "%s.required", path);
	if (!json_is_boolean(json_object_get(p, "required")))
		return fail(err, field, "must be true or false");
	at(field, sizeof field, "%s.label", path);
	if (!languages_ok(json_object_get(p, "label"), field, TITLE_MAX, false, err) ||
	    !no_braces(json_object_get(p, "label"), field, err))
		return false;
	const json_t *min = json_object_get(p, "min"), *max = json_object_get(p, "max");
	const char *bounds[] = {"min", "max"};
	const json_t *values[] = {min, max};
	for (int i = 0; i < 2; i++) {
		if (!values[i])
			continue;
		at(field, sizeof field, "%s.%s", path, bounds[i]);
		if (strcmp(type, "number") != 0)
			return fail(err, field, "is only for parameters of type number");
		if (!json_is_integer(values[i]) || json_integer_value(values[i]) < -NUMBER_LIMIT ||
		    json_integer_value(values[i]) > NUMBER_LIMIT)
			return fail(err, field, "must be an integer from -%lld to %lld", NUMBER_LIMIT, NUMBER_LIMIT);
	}
	if (min && max && json_integer_value(min) > json_integer_value(max)) {
		at(field, sizeof field, "%s.min", path);
		return fail(err, field, "must not be above max");
	}
	return true;
}

/*
 * A text template: every "{name}" names a declared parameter, braces appear
 * only in placeholders, and every required parameter is used.
 */
static bool template_ok(const char *text, const json_t *spec, const char *path, struct catalogue_error *err)
{
	bool used[CATALOGUE_MAX_PARAMS] = {false};
	for (const char *p = text; *p; p++) {
		if (*p == '}')
			return fail(err, path, "has a '}' that closes no placeholder");
		if (*p != '{')
			continue;
		const char *end = strchr(p + 1, '}');
		const char *open = strchr(p + 1, '{');
		if (!end || (open && open < end))
			return fail(err, path, "has a '{' that opens no placeholder");
		size_t n = (size_t)(end - p - 1);
		if (!name_ok(p + 1, n))
			return fail(err, path, "has a placeholder {%.*s} that is not a parameter name", (int)(n > 40 ? 40 : n),
			            p + 1);
		const json_t *param = spec_find(spec, p + 1, n);
		if (!param)
			return fail(err, path, "uses {%.*s}, which is not a declared parameter", (int)n, p + 1);
		for (size_t i = 0; i < json_array_size(spec); i++)
			if (json_array_get(spec, i) == param)
				used[i] = true;
		p = end;
	}
	for (size_t i = 0; i < json_array_size(spec); i++) {
		const json_t *param = json_array_get(spec, i);
		if (json_is_true(json_object_get(param, "required")) && !used[i])
			return fail(err, path, "does not use the required parameter {%s}",
			            json_string_value(json_object_get(param, "name")));
	}
	return true;
}

static bool condition_ok(const json_t *c, const char *path, struct catalogue_error *err)
{
	static const char *const members[] = {"code", "category", "duty", "standard", "em", "title", "text", "params",
	                                      NULL};
	char field[128];
	if (!json_is_object(c))
		return fail(err, path, "must be an object");
	if (!only_members(c, members, path, err))
		return false;
	at(field, sizeof field, "%s.code", path);
	if (!code_ok(json_string_value(json_object_get(c, "code"))))
		return fail(err, field, "must be 2-40 lowercase letters, digits or '_'");
	at(field, sizeof field, "%s.category", path);
	if (index_of(categories, json_string_value(json_object_get(c, "category"))) < 0)
		return fail(err, field, "must be one of reporting, residence, movement, contact, activity, documents,"
		                        " monitoring, digital");
	at(field, sizeof field, "%s.duty", path);
	if (!code_ok(json_string_value(json_object_get(c, "duty"))))
		return fail(err, field, "must be a duty code (2-40 lowercase letters, digits or '_')");
	at(field, sizeof field, "%s.standard", path);
	if (!json_is_boolean(json_object_get(c, "standard")))
		return fail(err, field, "must be true or false");
	at(field, sizeof field, "%s.em", path);
	if (!json_is_boolean(json_object_get(c, "em")))
		return fail(err, field, "must be true or false");
	at(field, sizeof field, "%s.title", path);
	if (!languages_ok(json_object_get(c, "title"), field, TITLE_MAX, false, err) ||
	    !no_braces(json_object_get(c, "title"), field, err))
		return false;
	const json_t *params = json_object_get(c, "params");
	at(field, sizeof field, "%s.params", path);
	if (!json_is_array(params))
		return fail(err, field, "must be an array (it may be empty)");
	if (json_array_size(params) > CATALOGUE_MAX_PARAMS)
		return fail(err, field, "must have at most %d parameters", CATALOGUE_MAX_PARAMS);
	size_t i;
	const json_t *p;
	json_array_foreach(params, i, p) {
		at(field, sizeof field, "%s.params[%zu]", path, i);
		if (!param_ok(p, field, err))
			return false;
		const char *name = json_string_value(json_object_get(p, "name"));
		for (size_t j = 0; j < i; j++)
			if (strcmp(name, json_string_value(json_object_get(json_array_get(params, j), "name"))) == 0) {
				at(field, sizeof field, "%s.params[%zu].name", path, i);
				return fail(err, field, "repeats params[%zu].name", j);
			}
	}
	at(field, sizeof field, "%s.text", path);
	const json_t *text = json_object_get(c, "text");
	if (!languages_ok(text, field, TEXT_MAX, true, err))
		return false;
	for (const char *const *l = langs; *l; l++) {
		at(field, sizeof field, "%s.text.%s", path, *l);
		if (!template_ok(json_string_value(json_object_get(text, *l)), params, field, err))
			return false;
	}
	return true;
}

/* The index of the condition with a code in a checked file, or -1. */
static int condition_index(const json_t *conditions, const char *code)
{
	size_t i;
	const json_t *c;
	json_array_foreach(conditions, i, c)
		if (strcmp(json_string_value(json_object_get(c, "code")), code) == 0)
			return (int)i;
	return -1;
}

bool catalogue_check(const json_t *doc, struct catalogue_error *err)
{
	static const char *const members[] = {"version", "label", "replaces", "conditions", NULL};
	if (!json_is_object(doc))
		return fail(err, "", "a catalogue file must be a JSON object");
	if (!only_members(doc, members, "", err))
		return false;
	const json_t *version = json_object_get(doc, "version");
	if (!json_is_integer(version) || json_integer_value(version) < 1 || json_integer_value(version) > 1000000)
		return fail(err, "version", "must be an integer from 1 to 1000000");
	if (!json_object_get(doc, "label"))
		return fail(err, "label", "is required");
	if (!text_ok(json_object_get(doc, "label"), "label", 1, LABEL_MAX, false, err))
		return false;
	const json_t *conditions = json_object_get(doc, "conditions");
	if (!json_is_array(conditions) || json_array_size(conditions) < 1 ||
	    json_array_size(conditions) > CATALOGUE_MAX_CONDITIONS)
		return fail(err, "conditions", "must be an array of 1 to %d conditions", CATALOGUE_MAX_CONDITIONS);
	size_t i;
	const json_t *c;
	json_array_foreach(conditions, i, c) {
		char path[64];
		at(path, sizeof path, "conditions[%zu]", i);
		if (!condition_ok(c, path, err))
			return false;
		int first = condition_index(conditions, json_string_value(json_object_get(c, "code")));
		if (first >= 0 && (size_t)first < i) {
			at(path, sizeof path, "conditions[%zu].code", i);
			return fail(err, path, "repeats conditions[%d].code", first);
		}
	}
	const json_t *replaces = json_object_get(doc, "replaces");
	if (!replaces || json_is_null(replaces))
		return true;
	if (!json_is_object(replaces) || json_object_size(replaces) > CATALOGUE_MAX_CONDITIONS)
		return fail(err, "replaces", "must be an object of at most %d old codes, each naming its new code",
		            CATALOGUE_MAX_CONDITIONS);
	const char *old;
	const json_t *target;
	json_object_foreach((json_t *)replaces, old, target) {
		char field[128];
		at(field, sizeof field, "replaces.%s", old);
		if (!code_ok(old))
			return fail(err, field, "the old code must be 2-40 lowercase letters, digits or '_'");
		if (condition_index(conditions, old) >= 0)
			return fail(err, field, "'%s' is a code of this version: a kept code cannot also be mapped", old);
		if (!json_is_string(target) || condition_index(conditions, json_string_value(target)) < 0)
			return fail(err, field, "must name a code of this version");
	}
	return true;
}

/* ---- parameter values ---------------------------------------------------- */

/* "HH:MM", 00:00..23:59; minutes since midnight in *min_r. */
static bool hhmm(const json_t *v, int *min_r)
{
	const char *s = json_string_value(v);
	if (!s || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return false;
	*min_r = h * 60 + m;
	return true;
}

/* "YYYY-MM-DD", a real calendar date from 1900 to 2200. */
static bool date_parse(const char *s, int *y, int *m, int *d)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	*y = atoi(s);
	*m = atoi(s + 5);
	*d = atoi(s + 8);
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (*y < 1900 || *y > 2200 || *m < 1 || *m > 12 || *d < 1)
		return false;
	bool leap = (*y % 4 == 0 && *y % 100 != 0) || *y % 400 == 0;
	return *d <= days[*m - 1] + (*m == 2 && leap);
}

static bool time_window_ok(const json_t *v, const char *path, struct catalogue_error *err)
{
	static const char *const members[] = {"from", "to", NULL};
	char field[128];
	if (!json_is_object(v))
		return fail(err, path, "must be an object {\"from\": \"HH:MM\", \"to\": \"HH:MM\"}");
	if (!only_members(v, members, path, err))
		return false;
	int from = 0, to = 0;
	at(field, sizeof field, "%s.from", path);
	if (!hhmm(json_object_get(v, "from"), &from))
		return fail(err, field, "must be a time HH:MM");
	at(field, sizeof field, "%s.to", path);
	if (!hhmm(json_object_get(v, "to"), &to))
		return fail(err, field, "must be a time HH:MM");
	if (from == to)
		return fail(err, field, "must differ from the start");
	return true;
}

static bool weekly_ok(const json_t *v, const char *path, struct catalogue_error *err)
{
	static const char *const members[] = {"days", "from", "to", NULL};
	char field[128];
	if (!json_is_object(v))
		return fail(err, path, "must be an object {\"days\": [\"mo\", ...], \"from\": \"HH:MM\", \"to\": \"HH:MM\"}");
	if (!only_members(v, members, path, err))
		return false;
	const json_t *days = json_object_get(v, "days");
	at(field, sizeof field, "%s.days", path);
	if (!json_is_array(days) || json_array_size(days) < 1 || json_array_size(days) > 7)
		return fail(err, field, "must list 1 to 7 days");
	unsigned seen = 0;
	size_t i;
	const json_t *day;
	json_array_foreach(days, i, day) {
		int d = index_of(weekdays, json_string_value(day));
		at(field, sizeof field, "%s.days[%zu]", path, i);
		if (d < 0)
			return fail(err, field, "must be one of mo, tu, we, th, fr, sa, su");
		if (seen & (1u << d))
			return fail(err, field, "repeats a day");
		seen |= 1u << d;
	}
	int from = 0, to = 0;
	at(field, sizeof field, "%s.from", path);
	if (!hhmm(json_object_get(v, "from"), &from))
		return fail(err, field, "must be a time HH:MM");
	at(field, sizeof field, "%s.to", path);
	if (!hhmm(json_object_get(v, "to"), &to))
		return fail(err, field, "must be a time HH:MM");
	if (to <= from)
		return fail(err, field, "must be after the start, on the same day");
	return true;
}

/* Collects GEOS's last message (a context's error handler). */
static void geos_message(const char *message, void *userdata)
{
	snprintf((char *)userdata, 200, "%s", message ? message : "");
}

/* The checks GEOS makes on a structurally sound polygon: it reads, is valid and has an area. */
static bool geos_polygon_ok(const json_t *geometry, const char *path, struct catalogue_error *err)
{
	char message[200] = "";
	GEOSContextHandle_t h = GEOS_init_r();
	if (!h)
		return fail(err, path, "cannot be checked now");
	GEOSContext_setErrorMessageHandler_r(h, geos_message, message);
	char *text = json_dumps(geometry, JSON_COMPACT);
	GEOSGeoJSONReader *reader = GEOSGeoJSONReader_create_r(h);
	GEOSGeometry *g = reader && text ? GEOSGeoJSONReader_readGeometry_r(h, reader, text) : NULL;
	bool ok = false;
	double area = 0;
	if (!g) {
		fail(err, path, "is not a readable polygon%s%s", *message ? ": " : "", message);
	} else if (GEOSGeomTypeId_r(h, g) != GEOS_POLYGON) {
		fail(err, path, "must be a Polygon");
	} else if (GEOSisValid_r(h, g) != 1) {
		char *reason = GEOSisValidReason_r(h, g);
		fail(err, path, "is not a valid polygon: %s", reason ? reason : "invalid");
		if (reason)
			GEOSFree_r(h, reason);
	} else if (GEOSArea_r(h, g, &area) != 1 || !(area > 0)) {
		fail(err, path, "must enclose an area");
	} else {
		ok = true;
	}
	if (g)
		GEOSGeom_destroy_r(h, g);
	if (reader)
		GEOSGeoJSONReader_destroy_r(h, reader);
	free(text);
	GEOS_finish_r(h);
	return ok;
}

/* A GeoJSON Polygon (lon, lat): closed rings of 4+ positions, <= 2000 positions in all, then GEOS. */
static bool geometry_ok(const json_t *g, const char *path, struct catalogue_error *err)
{
	static const char *const members[] = {"type", "coordinates", NULL};
	char field[160];
	if (!json_is_object(g))
		return fail(err, path, "must be a GeoJSON Polygon object");
	if (!only_members(g, members, path, err))
		return false;
	const char *type = json_string_value(json_object_get(g, "type"));
	at(field, sizeof field, "%s.type", path);
	if (!type || strcmp(type, "Polygon") != 0)
		return fail(err, field, "must be \"Polygon\"");
	const json_t *rings = json_object_get(g, "coordinates");
	at(field, sizeof field, "%s.coordinates", path);
	if (!json_is_array(rings) || json_array_size(rings) < 1 || json_array_size(rings) > ZONE_MAX_RINGS)
		return fail(err, field, "must be an array of 1 to %d linear rings", ZONE_MAX_RINGS);
	size_t points = 0, r;
	const json_t *ring;
	json_array_foreach(rings, r, ring) {
		at(field, sizeof field, "%s.coordinates[%zu]", path, r);
		if (!json_is_array(ring) || json_array_size(ring) < 4)
			return fail(err, field, "must be a ring of at least 4 positions");
		points += json_array_size(ring);
		if (points > ZONE_MAX_POINTS)
			return fail(err, path, "must have at most %d points", ZONE_MAX_POINTS);
		size_t i;
		const json_t *pos;
		json_array_foreach(ring, i, pos) {
			at(field, sizeof field, "%s.coordinates[%zu][%zu]", path, r, i);
			if (!json_is_array(pos) || json_array_size(pos) != 2 || !json_is_number(json_array_get(pos, 0)) ||
			    !json_is_number(json_array_get(pos, 1)))
				return fail(err, field, "must be a position [longitude, latitude]");
			double lon = json_number_value(json_array_get(pos, 0));
			double lat = json_number_value(json_array_get(pos, 1));
			if (!(lon >= -180 && lon <= 180))
				return fail(err, field, "longitude must be from -180 to 180");
			if (!(lat >= -90 && lat <= 90))
				return fail(err, field, "latitude must be from -90 to 90");
		}
		const json_t *first = json_array_get(ring, 0), *last = json_array_get(ring, json_array_size(ring) - 1);
		if (json_number_value(json_array_get(first, 0)) != json_number_value(json_array_get(last, 0)) ||
		    json_number_value(json_array_get(first, 1)) != json_number_value(json_array_get(last, 1))) {
			at(field, sizeof field, "%s.coordinates[%zu]", path, r);
			return fail(err, field, "must be closed: the last position must repeat the first");
		}
	}
	return geos_polygon_ok(g, path, err);
}

static bool zone_ok(const json_t *v, const char *path, struct catalogue_error *err)
{
	static const char *const members[] = {"name", "geometry", NULL};
	char field[128];
	if (!json_is_object(v))
		return fail(err, path, "must be an object {\"name\": ..., \"geometry\": GeoJSON Polygon}");
	if (!only_members(v, members, path, err))
		return false;
	at(field, sizeof field, "%s.name", path);
	if (!text_ok(json_object_get(v, "name"), field, 1, 200, false, err))
		return false;
	at(field, sizeof field, "%s.geometry", path);
	return geometry_ok(json_object_get(v, "geometry"), field, err);
}

/* One value against its parameter spec p (checked when its catalogue was loaded). */
static bool value_ok(const json_t *p, const json_t *v, const char *path, struct catalogue_error *err)
{
	const char *type = json_string_value(json_object_get(p, "type"));
	switch (index_of(param_types, type)) {
	case 0: /* address */
		return text_ok(v, path, 1, 300, false, err);
	case 1:
		return zone_ok(v, path, err);
	case 2:
		return time_window_ok(v, path, err);
	case 3:
		return weekly_ok(v, path, err);
	case 4: /* person */
	case 5: /* organisation */
		return text_ok(v, path, 1, 200, false, err);
	case 6: {
		int y, m, d;
		if (!date_parse(json_string_value(v), &y, &m, &d))
			return fail(err, path, "must be a date YYYY-MM-DD");
		return true;
	}
	case 7: {
		const json_t *min = json_object_get(p, "min"), *max = json_object_get(p, "max");
		if (!json_is_integer(v))
			return fail(err, path, "must be an integer");
		json_int_t n = json_integer_value(v);
		if (min && max && (n < json_integer_value(min) || n > json_integer_value(max)))
			return fail(err, path, "must be from %lld to %lld", (long long)json_integer_value(min),
			            (long long)json_integer_value(max));
		if (min && n < json_integer_value(min))
			return fail(err, path, "must be at least %lld", (long long)json_integer_value(min));
		if (max && n > json_integer_value(max))
			return fail(err, path, "must be at most %lld", (long long)json_integer_value(max));
		if (n < -NUMBER_LIMIT || n > NUMBER_LIMIT)
			return fail(err, path, "is out of range");
		return true;
	}
	case 8: /* text */
		return text_ok(v, path, 1, 500, true, err);
	default:
		return fail(err, path, "has an unknown parameter type");
	}
}

bool catalogue_params_check(const json_t *spec, const json_t *values, struct catalogue_error *err)
{
	if (!json_is_array(spec))
		return fail(err, "params", "the condition type has no parameter list");
	if (values && !json_is_null(values) && !json_is_object(values))
		return fail(err, "params", "must be an object of parameter values");
	char field[128];
	const char *key;
	const json_t *v;
	if (json_is_object(values)) {
		json_object_foreach((json_t *)values, key, v) {
			if (!spec_find(spec, key, strlen(key))) {
				at(field, sizeof field, "params.%s", key);
				return fail(err, field, "is not a parameter of this condition");
			}
		}
	}
	size_t i;
	const json_t *p;
	json_array_foreach(spec, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		if (!name)
			return fail(err, "params", "the condition type has a parameter without a name");
		at(field, sizeof field, "params.%s", name);
		v = json_is_object(values) ? json_object_get(values, name) : NULL;
		if (!v || json_is_null(v)) {
			if (json_is_true(json_object_get(p, "required")))
				return fail(err, field, "is required");
			continue;
		}
		if (!value_ok(p, v, field, err))
			return false;
	}
	return true;
}

/* ---- rendering ----------------------------------------------------------- */

static const char *const weekday_names[3][7] = {
	{"дүйшөмбү", "шейшемби", "шаршемби", "бейшемби", "жума", "ишемби", "жекшемби"},
	{"понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"},
	{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
};
static const char *const and_word[3] = {" жана ", " и ", " and "};
static const char dash[] = "\xE2\x80\x94";   /* — : a missing value */
static const char en_dash[] = "\xE2\x80\x93"; /* – : between two times */

/* "22:00–06:00", or false when either end is not a time. */
static bool put_hours(struct buf *b, const json_t *v)
{
	int from, to;
	if (!hhmm(json_object_get(v, "from"), &from) || !hhmm(json_object_get(v, "to"), &to))
		return false;
	buf_printf(b, "%02d:%02d%s%02d:%02d", from / 60, from % 60, en_dash, to / 60, to % 60);
	return true;
}

/* "Monday and Thursday, 09:00–12:00": the days in week order, then the hours. */
static bool put_weekly(struct buf *b, const json_t *v, int lang)
{
	const json_t *days = json_object_get(v, "days");
	unsigned set = 0;
	size_t i;
	const json_t *day;
	json_array_foreach(days, i, day) {
		int d = index_of(weekdays, json_string_value(day));
		if (d >= 0)
			set |= 1u << d;
	}
	if (!set)
		return false;
	int total = __builtin_popcount(set), done = 0;
	for (int d = 0; d < 7; d++) {
		if (!(set & (1u << d)))
			continue;
		if (done)
			buf_puts(b, done == total - 1 ? and_word[lang] : ", ");
		buf_puts(b, weekday_names[lang][d]);
		done++;
	}
	struct buf hours = {0};
	if (put_hours(&hours, v)) {
		buf_puts(b, ", ");
		buf_puts(b, hours.data);
	}
	buf_free(&hours);
	return true;
}

/* One value in a language; false when it has no usable shape (the caller writes "—"). */
static bool put_value(struct buf *b, const json_t *p, const json_t *v, int lang)
{
	const char *type = json_string_value(json_object_get(p, "type"));
	switch (index_of(param_types, type)) {
	case 0:
	case 4:
	case 5:
	case 8:
		if (!json_is_string(v))
			return false;
		buf_puts(b, json_string_value(v));
		return true;
	case 1:
		if (!json_is_string(json_object_get(v, "name")))
			return false;
		buf_puts(b, json_string_value(json_object_get(v, "name")));
		return true;
	case 2:
		return put_hours(b, v);
	case 3:
		return put_weekly(b, v, lang);
	case 6: {
		int y, m, d;
		if (!date_parse(json_string_value(v), &y, &m, &d))
			return false;
		char text[48];
		civil_date_human((struct civil_date){y, m, d}, lang == 0 ? "ky" : lang == 1 ? "ru" : "en", false, text);
		buf_puts(b, text);
		return true;
	}
	case 7:
		if (!json_is_integer(v))
			return false;
		buf_printf(b, "%lld", (long long)json_integer_value(v));
		return true;
	default:
		return false;
	}
}

char *catalogue_render(const char *template_text, const json_t *spec, const json_t *values, const char *lang)
{
	struct buf b = {0};
	int l = index_of(langs, lang);
	if (l < 0)
		l = 2;
	for (const char *p = template_text ? template_text : ""; *p; p++) {
		const char *end = *p == '{' ? strchr(p + 1, '}') : NULL;
		size_t n = end ? (size_t)(end - p - 1) : 0;
		const json_t *param = end && name_ok(p + 1, n) && json_is_array(spec) ? spec_find(spec, p + 1, n) : NULL;
		if (!param) {
			buf_putc(&b, *p);
			continue;
		}
		const char *name = json_string_value(json_object_get(param, "name"));
		const json_t *v = json_is_object(values) ? json_object_get(values, name) : NULL;
		if (!v || json_is_null(v) || !put_value(&b, param, v, l))
			buf_puts(&b, dash);
		p = end;
	}
	return buf_steal(&b);
}

/* ---- loading a version --------------------------------------------------- */

/* An active condition under a catalogue code, as read before a new version moves it. */
struct active_condition {
	char *id, *case_id, *decision_id, *code, *duty; /* owned */
	json_t *params;                                 /* owned; the stored values */
	int64_t from_version;
	const json_t *target;                           /* the new version's type it moves to (borrowed) */
	json_t *dropped;                                /* owned: names of values the new type does not declare */
};

static void actives_free(struct active_condition *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(a[i].id);
		free(a[i].case_id);
		free(a[i].decision_id);
		free(a[i].code);
		free(a[i].duty);
		json_decref(a[i].params);
		json_decref(a[i].dropped);
	}
	free(a);
}

static char *column_dup(db_stmt *st, int col)
{
	const char *s = db_column_text(st, col, NULL);
	return xstrdup(s ? s : "");
}

/* The active conditions that carry a catalogue code. */
static enum db_status actives_read(db *conn, struct active_condition **a_r, size_t *n_r)
{
	db_stmt *st = NULL;
	struct active_condition *a = NULL;
	size_t n = 0, cap = 0;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, case_id, decision_id, code, duty, params, catalogue_version FROM case_condition"
		" WHERE status = 'active' AND code IS NOT NULL ORDER BY id", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			a = xrealloc(a, cap * sizeof *a);
		}
		const char *params = db_column_text(st, 5, NULL);
		json_t *values = params ? json_loads(params, 0, NULL) : NULL;
		if (!json_is_object(values)) {
			json_decref(values);
			values = json_object();
		}
		a[n++] = (struct active_condition){
			.id = column_dup(st, 0), .case_id = column_dup(st, 1), .decision_id = column_dup(st, 2),
			.code = column_dup(st, 3), .duty = column_dup(st, 4), .params = values,
			.from_version = db_column_int64(st, 6), .dropped = json_array(),
		};
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE)
		rc = DB_OK;
	if (rc != DB_OK) {
		actives_free(a, n);
		return rc;
	}
	*a_r = a;
	*n_r = n;
	return DB_OK;
}

/* True when a decision's comma-separated duties include duty. */
static enum db_status decision_authorises(db *conn, const char *decision_id, const char *duty, bool *yes_r)
{
	db_stmt *st = NULL;
	*yes_r = false;
	enum db_status rc = db_query(conn, &st, "SELECT duties FROM decision WHERE id = ?", "t", decision_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *duties = db_column_text(st, 0, NULL);
		size_t n = strlen(duty);
		for (const char *p = duties ? duties : ""; *p;) {
			const char *comma = strchr(p, ',');
			size_t len = comma ? (size_t)(comma - p) : strlen(p);
			if (len == n && memcmp(p, duty, n) == 0)
				*yes_r = true;
			p += len + (comma != NULL);
		}
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/*
 * Where each active condition goes in the new version: its mapped code, or
 * its own when the version keeps it; its values must satisfy the new type
 * and the new type's duty must be authorised by its decision (S1).
 */
static enum db_status actives_plan(db *conn, const json_t *doc, struct active_condition *a, size_t n,
                                   struct catalogue_error *err)
{
	const json_t *conditions = json_object_get(doc, "conditions");
	const json_t *replaces = json_object_get(doc, "replaces");
	for (size_t i = 0; i < n; i++) {
		char field[128];
		const json_t *mapped = json_is_object(replaces) ? json_object_get(replaces, a[i].code) : NULL;
		const char *code = mapped ? json_string_value(mapped) : a[i].code;
		int k = condition_index(conditions, code);
		if (mapped)
			at(field, sizeof field, "replaces.%s", a[i].code);
		else
			at(field, sizeof field, "conditions[%d].params", k);
		if (k < 0) {
			at(field, sizeof field, "replaces.%s", a[i].code);
			fail(err, field, "'%s' is the code of active conditions: keep it in this version or map it to a new code",
			     a[i].code);
			return DB_CONSTRAINT;
		}
		a[i].target = json_array_get(conditions, (size_t)k);
		const json_t *spec = json_object_get(a[i].target, "params");
		const char *key;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(a[i].params, tmp, key, v) {
			if (!spec_find(spec, key, strlen(key))) {
				json_array_append_new(a[i].dropped, json_string(key));
				json_object_del(a[i].params, key);
			}
		}
		struct catalogue_error perr;
		if (!catalogue_params_check(spec, a[i].params, &perr)) {
			if (mapped)
				fail(err, field, "an active condition under '%s' cannot move to '%s': %s %s", a[i].code, code,
				     perr.field, perr.problem);
			else
				fail(err, field, "an active condition under '%s' does not fit its new parameters: %s %s", code,
				     perr.field, perr.problem);
			return DB_CONSTRAINT;
		}
		const char *duty = json_string_value(json_object_get(a[i].target, "duty"));
		if (strcmp(duty, a[i].duty) != 0) {
			bool yes = false;
			enum db_status rc = decision_authorises(conn, a[i].decision_id, duty, &yes);
			if (rc != DB_OK)
				return rc;
			if (!yes) {
				if (mapped)
					at(field, sizeof field, "replaces.%s", a[i].code);
				else
					at(field, sizeof field, "conditions[%d].duty", k);
				fail(err, field, "the decision behind an active condition under '%s' does not authorise the duty '%s'",
				     a[i].code, duty);
				return DB_CONSTRAINT;
			}
		}
	}
	return DB_OK;
}

/* Every duty of the file is a known, active one. */
static enum db_status duties_known(db *conn, const json_t *doc, struct catalogue_error *err)
{
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(doc, "conditions"), i, c) {
		db_stmt *st = NULL;
		const char *duty = json_string_value(json_object_get(c, "duty"));
		enum db_status rc = db_query(conn, &st, "SELECT 1 FROM ref_duty WHERE code = ? AND is_active = 1", "t", duty);
		if (rc == DB_OK)
			rc = db_step(st);
		db_finalize(&st);
		if (rc == DB_DONE) {
			char field[64];
			at(field, sizeof field, "conditions[%zu].duty", i);
			fail(err, field, "'%s' is not a known duty", duty);
			return DB_CONSTRAINT;
		}
		if (rc != DB_ROW)
			return rc;
	}
	return DB_OK;
}

static enum db_status latest_version(db *conn, int64_t *latest_r)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT COALESCE(MAX(version), 0) FROM condition_catalogue", "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*latest_r = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERROR;
	}
	db_finalize(&st);
	return rc;
}

/* The version's rows: the catalogue (made current), its types and its code map. */
static enum db_status version_write(db *conn, const json_t *doc, int64_t version, const char *sha256_hex,
                                    const char *actor_id, int64_t now)
{
	enum db_status rc = db_run(conn, NULL, "UPDATE condition_catalogue SET is_current = 0 WHERE is_current = 1", "");
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"INSERT INTO condition_catalogue (version, label, sha256, loaded_at, loaded_by, is_current)"
			" VALUES (?, ?, ?, ?, ?, 1)",
			"ittit", version, json_string_value(json_object_get(doc, "label")), sha256_hex, now, actor_id);
	size_t i;
	const json_t *c;
	json_array_foreach(json_object_get(doc, "conditions"), i, c) {
		if (rc != DB_OK)
			break;
		const json_t *title = json_object_get(c, "title"), *text = json_object_get(c, "text");
		char *params = json_dumps(json_object_get(c, "params"), JSON_COMPACT);
		if (!params)
			return DB_ERROR;
		rc = db_run(conn, NULL,
			"INSERT INTO condition_type (version, code, category, duty, is_standard, is_em, title_ky, title_ru,"
			" title_en, template_ky, template_ru, template_en, params) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"itttiittttttt", version, json_string_value(json_object_get(c, "code")),
			json_string_value(json_object_get(c, "category")), json_string_value(json_object_get(c, "duty")),
			(int64_t)json_is_true(json_object_get(c, "standard")), (int64_t)json_is_true(json_object_get(c, "em")),
			json_string_value(json_object_get(title, "ky")), json_string_value(json_object_get(title, "ru")),
			json_string_value(json_object_get(title, "en")), json_string_value(json_object_get(text, "ky")),
			json_string_value(json_object_get(text, "ru")), json_string_value(json_object_get(text, "en")), params);
		free(params);
	}
	const char *old;
	const json_t *target;
	const json_t *replaces = json_object_get(doc, "replaces");
	if (json_is_object(replaces)) {
		json_object_foreach((json_t *)replaces, old, target) {
			if (rc != DB_OK)
				break;
			rc = db_run(conn, NULL, "INSERT INTO condition_code_map (version, old_code, new_code) VALUES (?, ?, ?)",
			            "itt", version, old, json_string_value(target));
		}
	}
	return rc;
}

/* Moves one active condition to the new version; a changed code is a timeline event. */
static enum db_status active_move(db *conn, const struct active_condition *a, int64_t version, const char *actor_id,
                                  int64_t now, bool *recoded_r)
{
	const char *code = json_string_value(json_object_get(a->target, "code"));
	const char *duty = json_string_value(json_object_get(a->target, "duty"));
	char *params = json_dumps(a->params, JSON_COMPACT);
	if (!params)
		return DB_ERROR;
	/* A new code, a new duty (the legal basis it is checked against, S1), or values the new type no longer
	   declares (they would silently vanish from the text). */
	*recoded_r = strcmp(code, a->code) != 0 || strcmp(duty, a->duty) != 0 || json_array_size(a->dropped) > 0;
	int64_t bump = *recoded_r;
	enum db_status rc = db_run(conn, NULL,
		"UPDATE case_condition SET catalogue_version = ?, code = ?, duty = ?, params = ?, updated_at = ?,"
		" version = version + ? WHERE id = ?",
		"itttiit", version, code, duty, params, now, bump, a->id);
	free(params);
	if (rc != DB_OK || !*recoded_r)
		return rc;
	json_t *detail = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:O}", "condition_id", a->id, "from_code",
	                           a->code, "to_code", code, "from_duty", a->duty, "to_duty", duty, "from_version",
	                           (json_int_t)a->from_version, "to_version", (json_int_t)version, "dropped", a->dropped);
	char *detail_text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	json_decref(detail);
	char summary[160];
	if (strcmp(code, a->code) != 0)
		snprintf(summary, sizeof summary, "Condition recoded from %s to %s by condition catalogue version %lld",
		         a->code, code, (long long)version);
	else if (strcmp(duty, a->duty) != 0)
		snprintf(summary, sizeof summary, "Condition %s now answers to the duty %s (was %s) in condition catalogue"
		         " version %lld", code, duty, a->duty, (long long)version);
	else
		snprintf(summary, sizeof summary, "Condition %s lost values its type no longer has in condition catalogue"
		         " version %lld", code, (long long)version);
	rc = detail_text ? case_event_add(conn, a->case_id, now, "condition.recoded", actor_id, summary, detail_text,
	                                  "condition", a->id)
	                 : DB_ERROR;
	free(detail_text);
	return rc;
}

enum db_status catalogue_load_counted(db *conn, const json_t *doc, const char *sha256_hex, const char *actor_id,
                                      int64_t now, struct catalogue_error *err, int64_t *version_r,
                                      int64_t *recoded_r, json_t *recoded_ids)
{
	struct catalogue_error scratch;
	if (!err)
		err = &scratch;
	*err = (struct catalogue_error){{0}, {0}};
	if (recoded_r)
		*recoded_r = 0;
	if (!catalogue_check(doc, err))
		return DB_CONSTRAINT;
	int64_t version = json_integer_value(json_object_get(doc, "version")), latest = 0;
	enum db_status rc = latest_version(conn, &latest);
	if (rc != DB_OK)
		return rc;
	if (version <= latest) {
		fail(err, "version", "must be above %lld, the latest version loaded", (long long)latest);
		return DB_CONSTRAINT;
	}
	if ((rc = duties_known(conn, doc, err)) != DB_OK)
		return rc;
	struct active_condition *a = NULL;
	size_t n = 0;
	if ((rc = actives_read(conn, &a, &n)) != DB_OK)
		return rc;
	rc = actives_plan(conn, doc, a, n, err);
	if (rc == DB_OK) {
		rc = version_write(conn, doc, version, sha256_hex, actor_id, now);
		/* Two loads of one version at once: the second finds the first's row. */
		if (rc == DB_CONSTRAINT)
			fail(err, "version", "version %lld was loaded meanwhile", (long long)version);
	}
	int64_t recoded = 0;
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		bool moved = false;
		rc = active_move(conn, &a[i], version, actor_id, now, &moved);
		recoded += moved;
		if (moved && json_is_array(recoded_ids))
			json_array_append_new(recoded_ids, json_string(a[i].id));
		if (rc == DB_CONSTRAINT)
			rc = DB_ERROR; /* not the file's fault */
	}
	actives_free(a, n);
	if (rc == DB_OK) {
		if (version_r)
			*version_r = version;
		if (recoded_r)
			*recoded_r = recoded;
	}
	return rc;
}

enum db_status catalogue_load(db *conn, const json_t *doc, const char *sha256_hex, const char *actor_id,
                              int64_t now, struct catalogue_error *err, int64_t *version_r)
{
	return catalogue_load_counted(conn, doc, sha256_hex, actor_id, now, err, version_r, NULL, NULL);
}

void catalogue_sha256_hex(const void *data, size_t len, char hex_r[65])
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, data, len);
	sodium_bin2hex(hex_r, 65, hash, sizeof hash);
}

static enum db_status catalogue_count(db *conn, int64_t *n_r)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT COUNT(*) FROM condition_catalogue", "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*n_r = db_column_int64(st, 0);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERROR;
	}
	db_finalize(&st);
	return rc;
}

enum db_status catalogue_ensure_shipped(db *conn, int64_t now)
{
	bool own = !db_in_transaction(conn);
	enum db_status rc = own ? db_begin(conn) : DB_OK;
	int64_t loaded = 0;
	if (rc == DB_OK)
		rc = catalogue_count(conn, &loaded);
	if (rc == DB_OK && loaded == 0) {
		json_error_t jerr;
		json_t *doc = json_loadb(catalogue_shipped_json, catalogue_shipped_json_len, JSON_REJECT_DUPLICATES, &jerr);
		struct catalogue_error err = {{0}, {0}};
		char hex[65];
		catalogue_sha256_hex(catalogue_shipped_json, catalogue_shipped_json_len, hex);
		if (!doc) {
			log_error("the shipped condition catalogue is not JSON: %s", jerr.text);
			rc = DB_ERROR;
		} else {
			rc = catalogue_load(conn, doc, hex, NULL, now, &err, NULL);
			if (rc == DB_CONSTRAINT)
				log_error("the shipped condition catalogue is refused: %s: %s", err.field, err.problem);
			else if (rc != DB_OK)
				log_error("loading the shipped condition catalogue: %s", db_errmsg(conn));
			else
				log_info("loaded the shipped condition catalogue (version %lld)",
				         (long long)json_integer_value(json_object_get(doc, "version")));
		}
		json_decref(doc);
	}
	if (!own)
		return rc;
	if (rc == DB_OK)
		return db_commit(conn);
	db_rollback(conn);
	/* Another process loaded it at the same time: what counts is that a version exists. */
	if (rc == DB_CONSTRAINT && catalogue_count(conn, &loaded) == DB_OK && loaded > 0)
		return DB_OK;
	return rc;
}
