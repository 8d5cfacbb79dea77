/*
 * validate.h — declarative checks for JSON request bodies. A handler lists
 * its fields once (name, kind, required, limits) and gets every problem back
 * at once, each naming its field, before it touches anything.
 */
#ifndef KADAM_API_VALIDATE_H
#define KADAM_API_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

enum field_kind {
	FIELD_STRING,  /* min/max count characters (code points) */
	FIELD_INTEGER, /* min/max bound the value */
	FIELD_ENUM,    /* one of choices */
};

/* One field of a JSON object body. */
struct field_rule {
	const char *name;
	enum field_kind kind;
	bool required;
	long long min, max;
	const char *const *choices; /* NULL-terminated, for FIELD_ENUM */
};

/*
 * Checks that body is an object whose fields follow rules and that it has no
 * other fields. Adds one error per problem to fe; returns true if none.
 */
bool validate_object(const json_t *body, const struct field_rule *rules, size_t nrules,
                     struct field_errors *fe);
/* Characters (code points) in a UTF-8 string. */
size_t utf8_length(const char *s);
/* True when s is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
bool utf8_valid(const char *s);

#endif
