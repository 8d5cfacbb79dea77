/*
 * jschema.h — checks a JSON value against a JSON Schema (draft 2020-12), for
 * the subset of keywords Kadam's published schemas use: type, properties,
 * required, additionalProperties (false or a schema), items, minItems,
 * maxItems, minLength, maxLength (code points), pattern (the part of
 * ECMA-262 that POSIX extended expressions read the same way: `.`, `[^`,
 * backslashes inside brackets and non-ASCII bytes are refused), enum,
 * const, minimum, maximum (a number with no fractional part, such as 180.0,
 * is an integer), $ref to
 * "#/$defs/<name>", $defs; and the annotations $schema, $id, title,
 * description. A schema using any other keyword is refused when loaded, so
 * no constraint is ever silently ignored. Problems are reported with the
 * JSON Pointer (RFC 6901) of the value at fault.
 */
#ifndef KADAM_BASE_JSCHEMA_H
#define KADAM_BASE_JSCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct jschema;

/* Compiles schema (borrowed; a reference is kept). NULL with err filled when it uses an unknown keyword,
 * a bad pattern or a $ref that does not resolve. */
struct jschema *jschema_load(json_t *schema, char *err, size_t errsize);
void jschema_free(struct jschema *s);

/* Called once per problem: path is a JSON Pointer ("" for the root), message a short English phrase. */
typedef void (*jschema_report)(void *ctx, const char *path, const char *message);

/* Checks instance; reports at most max problems (0: no limit); returns the number of problems found
 * (counting past max). */
size_t jschema_validate(const struct jschema *s, const json_t *instance, jschema_report report, void *ctx,
                        size_t max);

#endif
