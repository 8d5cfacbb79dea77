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
	FIELD_DATE,    /* a real calendar date, YYYY-MM-DD (1900..2200) */
	FIELD_BOOL,    /* true or false */
	FIELD_ARRAY,   /* min/max bound the number of items; the caller checks the items */
	FIELD_UUID,    /* an id as Kadam makes them */
	FIELD_OBJECT,  /* a JSON object; the caller checks its members */
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
/* The same for an object inside the body: errors name their field as "<prefix>.<name>" (e.g. "documents[0].number"). */
bool validate_object_at(const json_t *body, const char *prefix, const struct field_rule *rules, size_t nrules,
                        struct field_errors *fe);
/* Checks that every item of array is a string of min..max characters; errors name "<field>[i]". */
bool validate_strings(const json_t *array, const char *field, long long min, long long max,
                      struct field_errors *fe);
/* The number of rules in a rule array. */
#define NRULES(r) (sizeof(r) / sizeof(r)[0])
/* A non-empty string member of a JSON object, or NULL (absent, null, not a string, or ""). */
const char *json_str(const json_t *o, const char *name);
/* True when s is NULL or holds nothing but white space (spaces, tabs, line breaks). */
bool text_blank(const char *s);
/* True when s (not NULL) is one of the NULL-terminated list. */
bool in_list(const char *s, const char *const *list);
/* Adds "must not be in the future" on field (NULL: name) when the date member name of o is after today
 * (YYYY-MM-DD); nothing when either is missing or not a date (the field rules report that). */
void validate_not_future(const json_t *o, const char *name, const char *field, const char *today,
                         struct field_errors *fe);
/* Characters (code points) in a UTF-8 string. */
size_t utf8_length(const char *s);
/* True when s is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
bool utf8_valid(const char *s);

#endif
