/*
 * test_jschema.c — the JSON Schema subset validator (base/jschema.c): each
 * keyword, the JSON Pointer of each problem (with ~0 and ~1), the problem
 * cap, refusal of keywords outside the subset, and the published instrument
 * schema compiled in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jschema.h"
#include "domain/instrument.h"

/* The problems of one validation, as "path: message" lines. */
struct seen {
	char text[4096];
	size_t n;
};

static void collect(void *ctx, const char *path, const char *message)
{
	struct seen *s = ctx;
	size_t used = strlen(s->text);
	snprintf(s->text + used, sizeof s->text - used, "%s: %s\n", path, message);
	s->n++;
}

static struct jschema *load(const char *schema_text)
{
	json_error_t jerr;
	json_t *doc = json_loads(schema_text, 0, &jerr);
	assert_non_null(doc);
	char err[256];
	struct jschema *s = jschema_load(doc, err, sizeof err);
	if (!s)
		fail_msg("schema refused: %s", err);
	json_decref(doc); /* the schema keeps its own reference */
	return s;
}

/* Validates instance_text; returns the problems found and fills seen. */
static size_t run(const struct jschema *s, const char *instance_text, struct seen *seen)
{
	json_error_t jerr;
	json_t *x = json_loads(instance_text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!x)
		fail_msg("bad test JSON %s: %s", instance_text, jerr.text);
	memset(seen, 0, sizeof *seen);
	size_t n = jschema_validate(s, x, collect, seen, 0);
	json_decref(x);
	assert_int_equal(n, seen->n);
	return n;
}

static void expect_one(const struct jschema *s, const char *instance, const char *line)
{
	struct seen seen;
	size_t n = run(s, instance, &seen);
	if (n != 1 || strcmp(seen.text, line) != 0)
		fail_msg("%s: expected \"%s\", got %zu: \"%s\"", instance, line, n, seen.text);
}

static void expect_valid(const struct jschema *s, const char *instance)
{
	struct seen seen;
	if (run(s, instance, &seen) != 0)
		fail_msg("%s: expected valid, got \"%s\"", instance, seen.text);
}

static void refused(const char *schema_text, const char *why)
{
	json_t *doc = json_loads(schema_text, 0, NULL);
	assert_non_null(doc);
	char err[256] = "";
	struct jschema *s = jschema_load(doc, err, sizeof err);
	json_decref(doc);
	if (s) {
		jschema_free(s);
		fail_msg("schema accepted: %s", schema_text);
	}
	if (!strstr(err, why))
		fail_msg("refusal \"%s\" does not say \"%s\"", err, why);
}

static void types(void **state)
{
	(void)state;
	struct jschema *s = load("{\"type\": \"string\"}");
	expect_valid(s, "\"x\"");
	expect_one(s, "3", ": must be a string\n");
	jschema_free(s);
	s = load("{\"type\": \"integer\"}");
	expect_valid(s, "3");
	/* A number with no fractional part is an integer, as JSON Schema (and ajv) say. */
	expect_valid(s, "3.0");
	expect_valid(s, "-180.0");
	expect_valid(s, "1e300");
	expect_one(s, "3.5", ": must be an integer\n");
	expect_one(s, "\"3\"", ": must be an integer\n");
	jschema_free(s);
	s = load("{\"type\": \"integer\", \"minimum\": 1, \"maximum\": 1096}");
	expect_valid(s, "180.0");
	expect_one(s, "1096.5", ": must be an integer\n");
	expect_one(s, "1097.0", ": must be at most 1096\n");
	jschema_free(s);
	s = load("{\"type\": \"array\", \"maxItems\": 1.0}"); /* counts may be written 1.0 too */
	expect_one(s, "[1, 2]", ": must have at most 1 item\n");
	jschema_free(s);
	s = load("{\"type\": \"number\"}");
	expect_valid(s, "3");
	expect_valid(s, "3.5");
	expect_one(s, "true", ": must be a number\n");
	jschema_free(s);
	s = load("{\"type\": [\"string\", \"null\"]}");
	expect_valid(s, "null");
	expect_valid(s, "\"\"");
	expect_one(s, "[]", ": must be a string or null\n");
	jschema_free(s);
	s = load("{\"type\": [\"object\", \"array\", \"boolean\"]}");
	expect_valid(s, "false");
	expect_one(s, "1", ": must be an object, an array or true or false\n");
	jschema_free(s);
	refused("{\"type\": \"text\"}", "type must name JSON types");
	refused("{\"type\": []}", "empty");
}

static void objects(void **state)
{
	(void)state;
	struct jschema *s = load("{\"type\": \"object\", \"required\": [\"a\", \"b\"], \"additionalProperties\": false,"
	                         " \"properties\": {\"a\": {\"type\": \"string\"}, \"b\": true}}");
	expect_valid(s, "{\"a\": \"x\", \"b\": [1]}");
	struct seen seen;
	assert_int_equal(run(s, "{\"c\": 1}", &seen), 3);
	assert_string_equal(seen.text, "/a: is required\n/b: is required\n/c: is not allowed here\n");
	expect_one(s, "{\"a\": 1, \"b\": 2}", "/a: must be a string\n");
	jschema_free(s);
	/* additionalProperties as a schema checks each other member. */
	s = load("{\"properties\": {\"a\": {}}, \"additionalProperties\": {\"type\": \"integer\"}}");
	expect_valid(s, "{\"a\": \"x\", \"z\": 1}");
	expect_one(s, "{\"a\": \"x\", \"z\": \"1\"}", "/z: must be an integer\n");
	expect_valid(s, "\"not an object: properties do not apply\"");
	jschema_free(s);
	/* The boolean schema false refuses anything. */
	s = load("{\"properties\": {\"never\": false}}");
	expect_one(s, "{\"never\": null}", "/never: is not allowed here\n");
	jschema_free(s);
}

static void arrays(void **state)
{
	(void)state;
	struct jschema *s = load("{\"type\": \"array\", \"minItems\": 1, \"maxItems\": 2, \"items\": {\"type\": \"integer\"}}");
	expect_valid(s, "[1, 2]");
	expect_one(s, "[]", ": must have at least 1 item\n");
	expect_one(s, "[1, 2, 3]", ": must have at most 2 items\n");
	expect_one(s, "[1, \"x\"]", "/1: must be an integer\n");
	jschema_free(s);
	refused("{\"items\": [{}, {}]}", "prefixItems");
	refused("{\"minItems\": -1}", "non-negative integer");
}

static void strings(void **state)
{
	(void)state;
	/* Lengths count code points: "Кыргыз" is 6 characters in 12 bytes. */
	struct jschema *s = load("{\"minLength\": 2, \"maxLength\": 6}");
	expect_valid(s, "\"Кыргыз\"");
	expect_one(s, "\"Кыргызча\"", ": must be at most 6 characters\n");
	expect_one(s, "\"ы\"", ": must be at least 2 characters\n");
	expect_valid(s, "7"); /* not a string: lengths do not apply */
	jschema_free(s);
	s = load("{\"minLength\": 1}");
	expect_one(s, "\"\"", ": must not be empty\n");
	jschema_free(s);
	s = load("{\"pattern\": \"^[a-z0-9][a-z0-9._-]*$\"}");
	expect_valid(s, "\"kadam.needs-screening\"");
	expect_one(s, "\"Kadam\"", ": must match ^[a-z0-9][a-z0-9._-]*$\n");
	expect_one(s, "\"ab\\u0000cd\"", ": must match ^[a-z0-9][a-z0-9._-]*$\n"); /* a NUL does not end the text */
	jschema_free(s);
	/* Unanchored, a pattern matches anywhere, as in ECMA-262. */
	s = load("{\"pattern\": \"b+\"}");
	expect_valid(s, "\"abba\"");
	expect_one(s, "\"a\"", ": must match b+\n");
	jschema_free(s);
	/* "." outside brackets is refused, an escaped one or one inside [...] is the same in both dialects. */
	s = load("{\"pattern\": \"^a\\\\.[.b]$\"}");
	expect_valid(s, "\"a.b\"");
	expect_valid(s, "\"a..\"");
	expect_one(s, "\"axb\"", ": must match ^a\\.[.b]$\n");
	jschema_free(s);
	/* What ECMA-262 and POSIX (byte by byte) read differently is refused, each with its reason. */
	refused("{\"pattern\": \"^a.b$\"}", "POSIX extended subset: \".\"");
	refused("{\"pattern\": \"[\\\\]a]\"}", "a backslash inside [...]");
	refused("{\"pattern\": \"[a\\\\-z]\"}", "a backslash inside [...]");
	refused("{\"pattern\": \"[^a]\"}", "a negated bracket");
	refused("{\"pattern\": \"[]a]\"}", "first in a bracket");
	refused("{\"pattern\": \"[[:alpha:]]\"}", "a POSIX class");
	refused("{\"pattern\": \"a{,3}\"}", "{,");
	refused("{\"pattern\": \"ы+\"}", "outside ASCII");
	refused("{\"pattern\": \"^\\\\d+$\"}", "POSIX extended subset");
	refused("{\"pattern\": \"(?:a)\"}", "POSIX extended subset");
	refused("{\"pattern\": \"[a-\"}", "does not compile");
	refused("{\"pattern\": 3}", "pattern must be a string");
}

static void enums_consts_numbers(void **state)
{
	(void)state;
	struct jschema *s = load("{\"enum\": [\"a\", \"b\", 1, null]}");
	expect_valid(s, "\"b\"");
	expect_valid(s, "1.0"); /* 1 and 1.0 are the same number */
	expect_valid(s, "null");
	expect_one(s, "\"c\"", ": must be one of: a, b, 1, null\n");
	jschema_free(s);
	s = load("{\"const\": {\"k\": [1, \"x\"]}}");
	expect_valid(s, "{\"k\": [1, \"x\"]}");
	expect_one(s, "{\"k\": [1]}", ": must be {\"k\":[1,\"x\"]}\n");
	jschema_free(s);
	s = load("{\"type\": \"integer\", \"minimum\": 1, \"maximum\": 3660}");
	expect_valid(s, "1");
	expect_valid(s, "3660");
	expect_one(s, "0", ": must be at least 1\n");
	expect_one(s, "3661", ": must be at most 3660\n");
	jschema_free(s);
	s = load("{\"minimum\": 0.5}");
	expect_one(s, "0.25", ": must be at least 0.5\n");
	jschema_free(s);
	/* A message too long for its buffer is cut on a character boundary: still UTF-8. */
	char sch[2000] = "{\"enum\": [\"";
	for (int i = 0; i < 301; i++)
		strcat(sch, "ы");
	strcat(sch, "\"]}");
	s = load(sch);
	struct seen seen;
	assert_int_equal(run(s, "\"x\"", &seen), 1);
	json_t *text = json_string(seen.text);
	assert_non_null(text); /* json_string refuses text that is not UTF-8 */
	json_decref(text);
	jschema_free(s);
	/* A refusal keeps the end of a long schema path, cut on a character boundary: still UTF-8. */
	char key[200] = "";
	for (int i = 0; i < 60; i++)
		strcat(key, "ы");
	strcat(key, "z");
	char bad[400];
	snprintf(bad, sizeof bad, "{\"properties\": {\"%s\": {\"format\": \"x\"}}}", key);
	json_t *bad_doc = json_loads(bad, 0, NULL);
	assert_non_null(bad_doc);
	char err[256] = "";
	assert_null(jschema_load(bad_doc, err, sizeof err));
	json_decref(bad_doc);
	assert_non_null(strstr(err, "...ы"));
	assert_non_null(strstr(err, "z: the keyword \"format\" is not supported"));
	json_t *err_text = json_string(err);
	assert_non_null(err_text);
	json_decref(err_text);
	refused("{\"enum\": \"a\"}", "enum must be an array");
	refused("{\"maximum\": \"3\"}", "maximum must be a number");
}

static void refs_and_paths(void **state)
{
	(void)state;
	struct jschema *s = load(
		"{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"$id\": \"urn:test\", \"title\": \"t\","
		" \"type\": \"object\", \"properties\": {\"a/b\": {\"$ref\": \"#/$defs/id\"},"
		" \"m~n\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/pair\"}}},"
		" \"$defs\": {\"id\": {\"type\": \"string\", \"maxLength\": 3},"
		" \"pair\": {\"type\": \"object\", \"properties\": {\"id\": {\"$ref\": \"#/$defs/id\"}}}}}");
	expect_valid(s, "{\"a/b\": \"abc\", \"m~n\": [{\"id\": \"x\"}]}");
	expect_one(s, "{\"a/b\": \"abcd\"}", "/a~1b: must be at most 3 characters\n");
	expect_one(s, "{\"m~n\": [{}, {\"id\": 7}]}", "/m~0n/1/id: must be a string\n");
	jschema_free(s);
	/* $ref beside other keywords: both apply. */
	s = load("{\"$defs\": {\"short\": {\"maxLength\": 2}}, \"$ref\": \"#/$defs/short\", \"minLength\": 2}");
	expect_valid(s, "\"ab\"");
	expect_one(s, "\"abc\"", ": must be at most 2 characters\n");
	expect_one(s, "\"a\"", ": must be at least 2 characters\n");
	jschema_free(s);
	refused("{\"$ref\": \"#/$defs/missing\"}", "names no member");
	refused("{\"$ref\": \"other.json#/x\"}", "$ref must be");
	refused("{\"properties\": {\"x\": {\"$defs\": {}}}}", "only supported at the root");
	refused("{\"properties\": {\"x\": {\"$id\": \"urn:x\"}}}", "only supported at the root");
	refused("{\"$schema\": \"http://json-schema.org/draft-07/schema#\"}", "2020-12");
}

static void unknown_keywords_refused(void **state)
{
	(void)state;
	refused("{\"format\": \"date\"}", "/: the keyword \"format\" is not supported");
	refused("{\"properties\": {\"x\": {\"oneOf\": []}}}", "/properties/x: the keyword \"oneOf\" is not supported");
	refused("{\"$defs\": {\"d\": {\"uniqueItems\": true}}}", "/$defs/d: the keyword \"uniqueItems\"");
	refused("{\"items\": {\"prefixItems\": []}}", "/items: the keyword \"prefixItems\"");
	refused("[]", "a schema must be an object or a boolean");
}

static void cap_and_depth(void **state)
{
	(void)state;
	struct jschema *s = load("{\"items\": {\"type\": \"string\"}}");
	json_t *x = json_loads("[1, 2, 3, 4, 5]", 0, NULL);
	struct seen seen = {{0}, 0};
	assert_int_equal(jschema_validate(s, x, collect, &seen, 2), 5); /* counts on past the cap */
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.text, "/0: must be a string\n/1: must be a string\n");
	json_decref(x);
	jschema_free(s);
	/* A $ref to itself consumes no nesting: the depth limit stops it. */
	s = load("{\"$defs\": {\"loop\": {\"$ref\": \"#/$defs/loop\"}}, \"$ref\": \"#/$defs/loop\"}");
	struct seen deep;
	assert_int_equal(run(s, "1", &deep), 1);
	assert_non_null(strstr(deep.text, "nested too deeply"));
	jschema_free(s);
	/* A recursive schema over a deep document stops at the limit instead of exhausting the stack. */
	s = load("{\"$defs\": {\"t\": {\"type\": \"array\", \"items\": {\"$ref\": \"#/$defs/t\"}}}, \"$ref\": \"#/$defs/t\"}");
	char doc[2100];
	memset(doc, '[', 1000);
	memset(doc + 1000, ']', 1000);
	doc[2000] = '\0';
	x = json_loads(doc, 0, NULL);
	assert_non_null(x);
	memset(&seen, 0, sizeof seen);
	assert_true(jschema_validate(s, x, collect, &seen, 0) >= 1);
	assert_non_null(strstr(seen.text, "nested too deeply"));
	json_decref(x);
	jschema_free(s);
	/* A schema nested past the limit is refused at load. */
	char sch[4000] = "";
	for (int i = 0; i < 80; i++)
		strcat(sch, "{\"items\": ");
	strcat(sch, "{}");
	for (int i = 0; i < 80; i++)
		strcat(sch, "}");
	refused(sch, "nested too deeply");
}

static void instrument_schema(void **state)
{
	(void)state;
	struct jschema *s = load(instrument_schema_json);
	struct seen seen;
	assert_true(run(s, "{}", &seen) >= 12);
	assert_non_null(strstr(seen.text, "/id: is required\n"));
	assert_non_null(strstr(seen.text, "/judgements: is required\n"));
	assert_int_equal(run(s, "{\"id\": \"X\", \"version\": \"\", \"extra\": 1}", &seen) >= 3, 1);
	assert_non_null(strstr(seen.text, "/id: must be at least 2 characters\n"));
	assert_non_null(strstr(seen.text, "/version: must not be empty\n"));
	assert_non_null(strstr(seen.text, "/extra: is not allowed here\n"));
	jschema_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(types),
		cmocka_unit_test(objects),
		cmocka_unit_test(arrays),
		cmocka_unit_test(strings),
		cmocka_unit_test(enums_consts_numbers),
		cmocka_unit_test(refs_and_paths),
		cmocka_unit_test(unknown_keywords_refused),
		cmocka_unit_test(cap_and_depth),
		cmocka_unit_test(instrument_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
