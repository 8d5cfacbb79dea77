#include "api/validate.h"

#include <stdio.h>
#include <string.h>

#include "base/uuid.h"
#include "domain/keydates.h"

const char *json_str(const json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));
	return s && *s ? s : NULL;
}

size_t utf8_length(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

bool utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		int extra = c < 0x80 ? 0 : (c & 0xE0) == 0xC0 ? 1 : (c & 0xF0) == 0xE0 ? 2 : (c & 0xF8) == 0xF0 ? 3 : -1;
		if (extra < 0 || (extra == 1 && c < 0xC2) || (extra == 3 && c > 0xF4))
			return false;
		unsigned cp = extra ? c & (0x3F >> extra) : c;
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i] & 0x3F);
		}
		if ((extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		p += extra + 1;
	}
	return true;
}

static void check_field(const json_t *v, const struct field_rule *r, const char *name, struct field_errors *fe)
{
	switch (r->kind) {
	case FIELD_DATE: {
		struct civil_date d;
		if (!json_is_string(v) || !civil_date_parse(json_string_value(v), &d))
			field_error(fe, name, "must be a date (YYYY-MM-DD)");
		return;
	}
	case FIELD_BOOL:
		if (!json_is_boolean(v))
			field_error(fe, name, "must be true or false");
		return;
	case FIELD_ARRAY:
		if (!json_is_array(v))
			field_error(fe, name, "must be an array");
		else if ((long long)json_array_size(v) < r->min)
			field_error(fe, name, "must have at least %lld items", r->min);
		else if ((long long)json_array_size(v) > r->max)
			field_error(fe, name, "must have at most %lld items", r->max);
		return;
	case FIELD_UUID:
		if (!json_is_string(v) || !uuid_valid(json_string_value(v)))
			field_error(fe, name, "must be an id");
		return;
	case FIELD_OBJECT:
		if (!json_is_object(v))
			field_error(fe, name, "must be an object");
		return;
	case FIELD_STRING: {
		if (!json_is_string(v)) {
			field_error(fe, name, "must be a string");
			return;
		}
		const char *s = json_string_value(v);
		if (strlen(s) != json_string_length(v)) {
			field_error(fe, name, "must not contain NUL characters");
			return;
		}
		size_t len = utf8_length(s);
		if ((long long)len < r->min)
			field_error(fe, name, "must have at least %lld characters", r->min);
		else if ((long long)len > r->max)
			field_error(fe, name, "must have at most %lld characters", r->max);
		return;
	}
	case FIELD_INTEGER: {
		if (!json_is_integer(v)) {
			field_error(fe, name, "must be a whole number");
			return;
		}
		long long x = json_integer_value(v);
		if (x < r->min || x > r->max)
			field_error(fe, name, "must be between %lld and %lld", r->min, r->max);
		return;
	}
	case FIELD_ENUM: {
		const char *s = json_string_value(v);
		for (const char *const *c = r->choices; s && *c; c++)
			if (strcmp(*c, s) == 0)
				return;
		struct buf list = {0};
		for (const char *const *c = r->choices; *c; c++) {
			if (list.len)
				buf_puts(&list, ", ");
			buf_puts(&list, *c);
		}
		field_error(fe, name, "must be one of: %s", list.data ? list.data : "");
		buf_free(&list);
		return;
	}
	}
}

bool validate_object(const json_t *body, const struct field_rule *rules, size_t nrules,
                     struct field_errors *fe)
{
	return validate_object_at(body, NULL, rules, nrules, fe);
}

bool validate_strings(const json_t *array, const char *field, long long min, long long max,
                      struct field_errors *fe)
{
	bool ok = true;
	size_t i;
	const json_t *v;
	json_array_foreach(array, i, v) {
		char name[96];
		snprintf(name, sizeof name, "%s[%zu]", field, i);
		const struct field_rule r = {name, FIELD_STRING, true, min, max, NULL};
		size_t before = fe->list ? json_array_size(fe->list) : 0;
		check_field(v, &r, name, fe);
		ok &= (fe->list ? json_array_size(fe->list) : 0) == before;
	}
	return ok;
#undef NAME
}

bool validate_object_at(const json_t *body, const char *prefix, const struct field_rule *rules, size_t nrules,
                        struct field_errors *fe)
{
	char name[128];
#define NAME(n) (prefix ? (snprintf(name, sizeof name, "%s.%s", prefix, (n)), name) : (n))
	if (!json_is_object(body)) {
		field_error(fe, prefix ? prefix : "body", "must be a JSON object");
		return false;
	}
	bool ok = true;
	const char *key;
	const json_t *value;
	json_object_foreach((json_t *)body, key, value) {
		bool known = false;
		for (size_t i = 0; i < nrules && !known; i++)
			known = strcmp(rules[i].name, key) == 0;
		if (!known) {
			field_error(fe, NAME(key), "is not a known field");
			ok = false;
		}
	}
	for (size_t i = 0; i < nrules; i++) {
		const json_t *v = json_object_get(body, rules[i].name);
		if (!v || json_is_null(v)) {
			if (rules[i].required) {
				field_error(fe, NAME(rules[i].name), "is required");
				ok = false;
			}
			continue;
		}
		json_t *before = fe->list;
		size_t count = before ? json_array_size(before) : 0;
		check_field(v, &rules[i], NAME(rules[i].name), fe);
		ok &= (fe->list ? json_array_size(fe->list) : 0) == count;
	}
	return ok;
#undef NAME
}

bool text_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

bool in_list(const char *s, const char *const *list)
{
	for (; s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

void validate_not_future(const json_t *o, const char *name, const char *field, const char *today,
                         struct field_errors *fe)
{
	const char *on = json_str(o, name);
	struct civil_date d, t;
	if (on && today && civil_date_parse(on, &d) && civil_date_parse(today, &t) && civil_date_compare(d, t) > 0)
		field_error(fe, field ? field : name, "must not be in the future");
}
