#include "api/validate.h"

#include <string.h>

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

static void check_field(const json_t *v, const struct field_rule *r, struct field_errors *fe)
{
	switch (r->kind) {
	case FIELD_STRING: {
		if (!json_is_string(v)) {
			field_error(fe, r->name, "must be a string");
			return;
		}
		const char *s = json_string_value(v);
		if (strlen(s) != json_string_length(v)) {
			field_error(fe, r->name, "must not contain NUL characters");
			return;
		}
		size_t len = utf8_length(s);
		if ((long long)len < r->min)
			field_error(fe, r->name, "must have at least %lld characters", r->min);
		else if ((long long)len > r->max)
			field_error(fe, r->name, "must have at most %lld characters", r->max);
		return;
	}
	case FIELD_INTEGER: {
		if (!json_is_integer(v)) {
			field_error(fe, r->name, "must be a whole number");
			return;
		}
		long long x = json_integer_value(v);
		if (x < r->min || x > r->max)
			field_error(fe, r->name, "must be between %lld and %lld", r->min, r->max);
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
		field_error(fe, r->name, "must be one of: %s", list.data ? list.data : "");
		buf_free(&list);
		return;
	}
	}
}

bool validate_object(const json_t *body, const struct field_rule *rules, size_t nrules,
                     struct field_errors *fe)
{
	if (!json_is_object(body)) {
		field_error(fe, "body", "must be a JSON object");
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
			field_error(fe, key, "is not a known field");
			ok = false;
		}
	}
	for (size_t i = 0; i < nrules; i++) {
		const json_t *v = json_object_get(body, rules[i].name);
		if (!v || json_is_null(v)) {
			if (rules[i].required) {
				field_error(fe, rules[i].name, "is required");
				ok = false;
			}
			continue;
		}
		json_t *before = fe->list;
		size_t count = before ? json_array_size(before) : 0;
		check_field(v, &rules[i], fe);
		ok &= (fe->list ? json_array_size(fe->list) : 0) == count;
	}
	return ok;
}
