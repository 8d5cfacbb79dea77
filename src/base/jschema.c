/*
 * jschema.c — a JSON Schema (draft 2020-12) validator for the keyword subset
 * Kadam's published schemas use (see jschema.h). A schema is compiled once
 * into a tree of nodes: patterns compiled with POSIX regcomp, $refs resolved
 * to the nodes of the root's $defs. Every keyword outside the subset is
 * refused at load, so a constraint the publisher wrote is never silently
 * ignored. Validation walks the instance along the schema, building the JSON
 * Pointer of each value, and reports every problem; recursion (nesting, and
 * $ref hops that consume no nesting) stops at JSCHEMA_MAX_DEPTH, so neither a
 * hostile schema nor a hostile document can exhaust the stack.
 */
#include "base/jschema.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define JSCHEMA_MAX_DEPTH 64

enum {
	T_NULL = 1 << 0,
	T_BOOLEAN = 1 << 1,
	T_OBJECT = 1 << 2,
	T_ARRAY = 1 << 3,
	T_NUMBER = 1 << 4,
	T_STRING = 1 << 5,
	T_INTEGER = 1 << 6,
};

static const struct {
	const char *name;
	unsigned bit;
	const char *phrase; /* completes "must be ..." */
} type_names[] = {
	{"string", T_STRING, "a string"},     {"integer", T_INTEGER, "an integer"}, {"number", T_NUMBER, "a number"},
	{"object", T_OBJECT, "an object"},    {"array", T_ARRAY, "an array"},       {"boolean", T_BOOLEAN, "true or false"},
	{"null", T_NULL, "null"},
};
#define NTYPES (sizeof type_names / sizeof type_names[0])

struct node;

/* One member of "properties"; name owned. */
struct prop {
	char *name;
	struct node *schema;
};

/* One compiled (sub)schema. Owned by the jschema's list of nodes (next); the json values are borrowed from the
 * schema document, which the jschema holds a reference to. */
struct node {
	struct node *next;        /* every node of a jschema, for freeing */
	bool reject_all;          /* the boolean schema false */
	unsigned types;           /* bits of T_*; 0: any type */
	struct prop *props;       /* owned */
	size_t nprops;
	const char **required;    /* owned array of borrowed names */
	size_t nrequired;
	bool no_additional;       /* additionalProperties: false */
	struct node *additional;  /* additionalProperties: a schema */
	struct node *items;
	long long min_items, max_items, min_length, max_length; /* -1: none */
	bool has_pattern;
	regex_t re;
	const char *pattern;      /* borrowed */
	const json_t *enum_values;
	const json_t *const_value;
	const json_t *minimum, *maximum;
	struct node *ref;         /* the $defs node a $ref names */
};

/* A named member of the root's $defs; name owned. */
struct def {
	char *name;
	struct node *node;
};

struct jschema {
	json_t *schema; /* a reference */
	struct node *root;
	struct node *nodes;
	struct def *defs; /* owned */
	size_t ndefs;
};

/* ---- loading ------------------------------------------------------------ */

/* Where compilation is: the schema's JSON Pointer and the error buffer. */
struct compiler {
	struct jschema *s;
	struct buf path;
	char *err;
	size_t errsize;
};

/* Drops an incomplete UTF-8 sequence at the end of s (left by a cut): messages stay UTF-8. */
static void utf8_end(char *s)
{
	size_t end = strlen(s);
	if (end == 0)
		return;
	size_t lead = end - 1;
	while (lead > 0 && ((unsigned char)s[lead] & 0xC0) == 0x80)
		lead--;
	unsigned char c = (unsigned char)s[lead];
	size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (lead + need > end)
		s[lead] = '\0';
}

static bool fail(struct compiler *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct compiler *c, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	utf8_end(what);
	/* A long path keeps its end, so that the reason always fits; the cut falls on a character boundary (the
	 * message stays UTF-8: a key may be any text). */
	const char *path = c->path.len ? c->path.data : "/";
	const char *tail = path;
	size_t len = strlen(path);
	if (len > 96) {
		tail = path + len - 96;
		while (*tail && ((unsigned char)*tail & 0xC0) == 0x80)
			tail++;
	}
	if (c->errsize) {
		snprintf(c->err, c->errsize, "%s%s: %s", tail != path ? "..." : "", tail, what);
		utf8_end(c->err);
	}
	return false;
}

/* Appends "/" and token (escaped as RFC 6901 says) to a pointer. */
static void pointer_push(struct buf *b, const char *token)
{
	buf_putc(b, '/');
	for (const char *p = token; *p; p++) {
		if (*p == '~')
			buf_puts(b, "~0");
		else if (*p == '/')
			buf_puts(b, "~1");
		else
			buf_putc(b, *p);
	}
}

static void pointer_pop(struct buf *b, size_t len)
{
	b->len = len;
	if (b->data)
		b->data[len] = '\0';
}

static struct node *node_new(struct jschema *s)
{
	struct node *n = xcalloc(1, sizeof *n);
	n->min_items = n->max_items = n->min_length = n->max_length = -1;
	n->next = s->nodes;
	s->nodes = n;
	return n;
}

static struct node *def_find(const struct jschema *s, const char *name)
{
	for (size_t i = 0; i < s->ndefs; i++)
		if (strcmp(s->defs[i].name, name) == 0)
			return s->defs[i].node;
	return NULL;
}

/* Whether x is an integer in JSON Schema's sense: an integer, or a number with no fractional part (180.0). */
static bool integral(const json_t *x)
{
	if (json_is_integer(x))
		return true;
	if (!json_is_real(x))
		return false;
	double d = json_real_value(x);
	/* Past 2^53 a double has no fractional bits (jansson never holds an infinity or a NaN). */
	if (d >= 9007199254740992.0 || d <= -9007199254740992.0)
		return true;
	return d == (double)(long long)d;
}

/* A non-negative integer keyword value into *out (1.0 counts as 1). */
static bool count_value(struct compiler *c, const char *kw, const json_t *v, long long *out)
{
	if (!integral(v) || json_number_value(v) < 0)
		return fail(c, "%s must be a non-negative integer", kw);
	double d = json_number_value(v);
	*out = d > 1e15 ? (long long)1e15 : (long long)d; /* past any real count */
	return true;
}

/*
 * NULL when p means the same as an ECMA-262 pattern (with the u flag, as
 * validators use it) and as a POSIX extended expression matched byte by byte
 * (the C locale); otherwise what differs. Refused: escapes of letters and
 * digits (\d, \w, \b, backreferences ...), groups with "(?", "{," (a literal in
 * ECMA, {0,n} in glibc), "." (ECMA's excludes line terminators, POSIX's takes
 * one byte of a character), negated brackets "[^" (a byte, not a character),
 * any backslash inside [...] (an escape in ECMA, a literal in POSIX), "]"
 * first in a bracket and "[:", "[." and "[=" inside one (POSIX classes), and
 * any byte outside ASCII (POSIX would read a character as bytes). An escaped
 * punctuation character outside brackets is the same in both.
 */
static const char *pattern_unportable(const char *p)
{
	bool bracket = false;
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch >= 0x80)
			return "a character outside ASCII";
		if (bracket) {
			if (ch == '\\')
				return "a backslash inside [...]";
			if (ch == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '='))
				return "a POSIX class inside [...]";
			if (ch == ']')
				bracket = false;
			continue;
		}
		if (ch == '\\') {
			unsigned char next = (unsigned char)p[1];
			if (!next || (next >= '0' && next <= '9') || (next >= 'a' && next <= 'z') ||
			    (next >= 'A' && next <= 'Z'))
				return "an escape of a letter or a digit";
			if (next >= 0x80)
				return "a character outside ASCII";
			p++;
		} else if (ch == '(' && p[1] == '?') {
			return "a group with (?";
		} else if (ch == '{' && p[1] == ',') {
			return "{,";
		} else if (ch == '.') {
			return "\".\" (write the characters it may be, in [...])";
		} else if (ch == '[') {
			if (p[1] == '^')
				return "a negated bracket [^...]";
			if (p[1] == ']')
				return "\"]\" first in a bracket";
			bracket = true;
		}
	}
	return NULL;
}

static bool compile(struct compiler *c, const json_t *sch, struct node *n, int depth);

/* Compiles the schema at member kw of the current schema (token appended to the path). */
static struct node *compile_sub(struct compiler *c, const json_t *sch, const char *token1, const char *token2,
                                int depth)
{
	size_t len = c->path.len;
	pointer_push(&c->path, token1);
	if (token2)
		pointer_push(&c->path, token2);
	struct node *n = node_new(c->s);
	bool ok = compile(c, sch, n, depth + 1);
	pointer_pop(&c->path, len);
	return ok ? n : NULL;
}

static bool compile_type(struct compiler *c, const json_t *v, struct node *n)
{
	const json_t *one = v;
	size_t i = 0;
	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			return fail(c, "type must not be an empty list");
		one = json_array_get(v, 0);
	}
	for (;;) {
		const char *name = json_string_value(one);
		unsigned bit = 0;
		for (size_t t = 0; name && t < NTYPES && !bit; t++)
			if (strcmp(type_names[t].name, name) == 0)
				bit = type_names[t].bit;
		if (!bit)
			return fail(c, "type must name JSON types (string, integer, number, object, array, boolean, null)");
		n->types |= bit;
		if (!json_is_array(v) || ++i >= json_array_size(v))
			return true;
		one = json_array_get(v, i);
	}
}

static bool compile_properties(struct compiler *c, const json_t *v, struct node *n, int depth)
{
	if (!json_is_object(v))
		return fail(c, "properties must be an object");
	n->props = xcalloc(json_object_size(v) + 1, sizeof *n->props);
	const char *key;
	json_t *sub;
	json_object_foreach((json_t *)v, key, sub) {
		struct node *p = compile_sub(c, sub, "properties", key, depth);
		if (!p)
			return false;
		n->props[n->nprops].name = xstrdup(key);
		n->props[n->nprops++].schema = p;
	}
	return true;
}

static bool compile_required(struct compiler *c, const json_t *v, struct node *n)
{
	if (!json_is_array(v))
		return fail(c, "required must be an array of strings");
	n->required = xcalloc(json_array_size(v) + 1, sizeof *n->required);
	size_t i;
	const json_t *name;
	json_array_foreach(v, i, name) {
		if (!json_is_string(name))
			return fail(c, "required must be an array of strings");
		n->required[n->nrequired++] = json_string_value(name);
	}
	return true;
}

static bool compile_pattern(struct compiler *c, const json_t *v, struct node *n)
{
	const char *p = json_string_value(v);
	if (!p || strlen(p) != json_string_length(v))
		return fail(c, "pattern must be a string");
	const char *unportable = pattern_unportable(p);
	if (unportable)
		return fail(c, "pattern %s uses a feature outside the POSIX extended subset: %s", p, unportable);
	int rc = regcomp(&n->re, p, REG_EXTENDED | REG_NOSUB);
	if (rc != 0) {
		char why[128];
		regerror(rc, &n->re, why, sizeof why);
		return fail(c, "pattern %s does not compile: %s", p, why);
	}
	n->has_pattern = true;
	n->pattern = p;
	return true;
}

static bool compile_ref(struct compiler *c, const json_t *v, struct node *n)
{
	const char *ref = json_string_value(v);
	static const char prefix[] = "#/$defs/";
	if (!ref || strncmp(ref, prefix, sizeof prefix - 1) != 0)
		return fail(c, "$ref must be \"#/$defs/<name>\"");
	/* The name is one pointer token: ~1 is "/", ~0 is "~". */
	struct buf name = {0};
	for (const char *p = ref + sizeof prefix - 1; *p; p++) {
		if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
			buf_putc(&name, p[1] == '0' ? '~' : '/');
			p++;
		} else if (*p == '/' || *p == '~' || *p == '%') {
			buf_free(&name);
			return fail(c, "$ref %s must name one member of the root's $defs", ref);
		} else {
			buf_putc(&name, *p);
		}
	}
	n->ref = name.len ? def_find(c->s, name.data) : NULL;
	buf_free(&name);
	if (!n->ref)
		return fail(c, "$ref %s names no member of the root's $defs", ref);
	return true;
}

/* Compiles one keyword of sch into n. */
static bool compile_keyword(struct compiler *c, const char *kw, const json_t *v, struct node *n, int depth)
{
	if (strcmp(kw, "title") == 0 || strcmp(kw, "description") == 0)
		return json_is_string(v) || fail(c, "%s must be a string", kw);
	if (strcmp(kw, "$schema") == 0 || strcmp(kw, "$id") == 0 || strcmp(kw, "$defs") == 0) {
		/* The root handles these; elsewhere they would change how $ref resolves. */
		if (depth > 0)
			return fail(c, "%s is only supported at the root", kw);
		return true;
	}
	if (strcmp(kw, "type") == 0)
		return compile_type(c, v, n);
	if (strcmp(kw, "properties") == 0)
		return compile_properties(c, v, n, depth);
	if (strcmp(kw, "required") == 0)
		return compile_required(c, v, n);
	if (strcmp(kw, "additionalProperties") == 0) {
		if (json_is_false(v)) {
			n->no_additional = true;
			return true;
		}
		return (n->additional = compile_sub(c, v, kw, NULL, depth)) != NULL;
	}
	if (strcmp(kw, "items") == 0) {
		if (json_is_array(v))
			return fail(c, "items must be one schema (an array of schemas is prefixItems in 2020-12)");
		return (n->items = compile_sub(c, v, kw, NULL, depth)) != NULL;
	}
	if (strcmp(kw, "minItems") == 0)
		return count_value(c, kw, v, &n->min_items);
	if (strcmp(kw, "maxItems") == 0)
		return count_value(c, kw, v, &n->max_items);
	if (strcmp(kw, "minLength") == 0)
		return count_value(c, kw, v, &n->min_length);
	if (strcmp(kw, "maxLength") == 0)
		return count_value(c, kw, v, &n->max_length);
	if (strcmp(kw, "pattern") == 0)
		return compile_pattern(c, v, n);
	if (strcmp(kw, "enum") == 0) {
		if (!json_is_array(v))
			return fail(c, "enum must be an array");
		n->enum_values = v;
		return true;
	}
	if (strcmp(kw, "const") == 0) {
		n->const_value = v;
		return true;
	}
	if (strcmp(kw, "minimum") == 0 || strcmp(kw, "maximum") == 0) {
		if (!json_is_number(v))
			return fail(c, "%s must be a number", kw);
		*(kw[1] == 'i' ? &n->minimum : &n->maximum) = v;
		return true;
	}
	if (strcmp(kw, "$ref") == 0)
		return compile_ref(c, v, n);
	return fail(c, "the keyword \"%s\" is not supported", kw);
}

static bool compile(struct compiler *c, const json_t *sch, struct node *n, int depth)
{
	if (depth > JSCHEMA_MAX_DEPTH)
		return fail(c, "the schema is nested too deeply");
	if (json_is_true(sch))
		return true;
	if (json_is_false(sch)) {
		n->reject_all = true;
		return true;
	}
	if (!json_is_object(sch))
		return fail(c, "a schema must be an object or a boolean");
	const char *kw;
	json_t *v;
	json_object_foreach((json_t *)sch, kw, v) {
		if (!compile_keyword(c, kw, v, n, depth))
			return false;
	}
	return true;
}

/* The root's $defs: a node for each name first, so that $refs between them resolve in any order. */
static bool compile_defs(struct compiler *c, const json_t *defs)
{
	if (!defs)
		return true;
	if (!json_is_object(defs))
		return fail(c, "$defs must be an object");
	c->s->defs = xcalloc(json_object_size(defs) + 1, sizeof *c->s->defs);
	const char *name;
	json_t *sub;
	json_object_foreach((json_t *)defs, name, sub) {
		c->s->defs[c->s->ndefs].name = xstrdup(name);
		c->s->defs[c->s->ndefs++].node = node_new(c->s);
	}
	for (size_t i = 0; i < c->s->ndefs; i++) {
		size_t len = c->path.len;
		pointer_push(&c->path, "$defs");
		pointer_push(&c->path, c->s->defs[i].name);
		bool ok = compile(c, json_object_get(defs, c->s->defs[i].name), c->s->defs[i].node, 1);
		pointer_pop(&c->path, len);
		if (!ok)
			return false;
	}
	return true;
}

struct jschema *jschema_load(json_t *schema, char *err, size_t errsize)
{
	struct jschema *s = xcalloc(1, sizeof *s);
	s->schema = json_incref(schema);
	struct compiler c = {s, {0}, err, errsize};
	if (errsize)
		err[0] = '\0';
	bool ok = true;
	if (json_is_object(schema)) {
		const json_t *id = json_object_get(schema, "$id"), *meta = json_object_get(schema, "$schema");
		if ((id && !json_is_string(id)) || (meta && !json_is_string(meta)))
			ok = fail(&c, "$id and $schema must be strings");
		else if (meta && strcmp(json_string_value(meta), "https://json-schema.org/draft/2020-12/schema") != 0)
			ok = fail(&c, "$schema must be https://json-schema.org/draft/2020-12/schema");
		ok = ok && compile_defs(&c, json_object_get(schema, "$defs"));
	}
	if (ok) {
		s->root = node_new(s);
		ok = compile(&c, schema, s->root, 0);
	}
	buf_free(&c.path);
	if (!ok) {
		jschema_free(s);
		return NULL;
	}
	return s;
}

void jschema_free(struct jschema *s)
{
	if (!s)
		return;
	while (s->nodes) {
		struct node *n = s->nodes;
		s->nodes = n->next;
		for (size_t i = 0; i < n->nprops; i++)
			free(n->props[i].name);
		free(n->props);
		free(n->required);
		if (n->has_pattern)
			regfree(&n->re);
		free(n);
	}
	for (size_t i = 0; i < s->ndefs; i++)
		free(s->defs[i].name);
	free(s->defs);
	json_decref(s->schema);
	free(s);
}

/* ---- validating --------------------------------------------------------- */

struct validation {
	jschema_report report;
	void *ctx;
	size_t max, count;
	struct buf path; /* the JSON Pointer of the value being checked */
};

static void problem(struct validation *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct validation *v, const char *fmt, ...)
{
	if (v->report && (v->max == 0 || v->count < v->max)) {
		char message[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(message, sizeof message, fmt, ap);
		va_end(ap);
		/* A long message (an enum of long texts) is cut on a character boundary: messages stay UTF-8. */
		utf8_end(message);
		v->report(v->ctx, v->path.len ? v->path.data : "", message);
	}
	v->count++;
}

static unsigned type_of(const json_t *x)
{
	switch (json_typeof(x)) {
	case JSON_OBJECT: return T_OBJECT;
	case JSON_ARRAY: return T_ARRAY;
	case JSON_STRING: return T_STRING;
	case JSON_INTEGER: return T_INTEGER;
	case JSON_REAL: return T_NUMBER;
	case JSON_TRUE:
	case JSON_FALSE: return T_BOOLEAN;
	default: return T_NULL;
	}
}

/* Whether x is of one of the types (an integer is also a number; a number with no fractional part, 180.0, is an
 * integer, as JSON Schema says). */
static bool type_matches(unsigned types, const json_t *x)
{
	unsigned t = type_of(x);
	return (types & t) || (t == T_INTEGER && (types & T_NUMBER)) || ((types & T_INTEGER) && integral(x));
}

/* "a string", "a string or null", "an object, an array or null" */
static void type_phrase(unsigned types, char *out, size_t size)
{
	size_t n = 0, total = 0;
	for (size_t t = 0; t < NTYPES; t++)
		total += (types & type_names[t].bit) != 0;
	out[0] = '\0';
	for (size_t t = 0; t < NTYPES; t++) {
		if (!(types & type_names[t].bit))
			continue;
		const char *sep = n == 0 ? "" : n + 1 == total ? " or " : ", ";
		size_t used = strlen(out);
		snprintf(out + used, size - used, "%s%s", sep, type_names[t].phrase);
		n++;
	}
}

/* JSON equality where 1 and 1.0 are the same number (as JSON Schema says). */
static bool same_value(const json_t *a, const json_t *b, int depth)
{
	if (depth > JSCHEMA_MAX_DEPTH)
		return false;
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b) &&
		       (!json_is_integer(a) || !json_is_integer(b) || json_integer_value(a) == json_integer_value(b));
	if (json_typeof(a) != json_typeof(b))
		return false;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return false;
		for (size_t i = 0; i < json_array_size(a); i++)
			if (!same_value(json_array_get(a, i), json_array_get(b, i), depth + 1))
				return false;
		return true;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return false;
		const char *key;
		json_t *va;
		json_object_foreach((json_t *)a, key, va) {
			const json_t *vb = json_object_get(b, key);
			if (!vb || !same_value(va, vb, depth + 1))
				return false;
		}
		return true;
	}
	return json_equal((json_t *)a, (json_t *)b);
}

/* A value as a message shows it: a string bare, anything else as compact JSON. */
static void value_text(struct buf *b, const json_t *x)
{
	if (json_is_string(x)) {
		buf_puts(b, json_string_value(x));
		return;
	}
	char *s = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
	buf_puts(b, s ? s : "?");
	free(s);
}

static size_t code_points(const json_t *x)
{
	size_t n = 0, len = json_string_length(x);
	const unsigned char *s = (const unsigned char *)json_string_value(x);
	for (size_t i = 0; i < len; i++)
		n += (s[i] & 0xC0) != 0x80;
	return n;
}

static bool pattern_matches(const struct node *n, const json_t *x)
{
	/* REG_STARTEND: the whole string, NUL characters included (glibc reads the range even with REG_NOSUB). */
	regmatch_t range[1] = {{0, (regoff_t)json_string_length(x)}};
	return regexec(&n->re, json_string_value(x), 1, range, REG_STARTEND) == 0;
}

static const char *plural(long long n)
{
	return n == 1 ? "" : "s";
}

static void check(const struct node *n, const json_t *x, struct validation *v, int depth);

static void check_child(const struct node *n, const json_t *x, const char *token, struct validation *v, int depth)
{
	size_t len = v->path.len;
	pointer_push(&v->path, token);
	check(n, x, v, depth + 1);
	pointer_pop(&v->path, len);
}

static void check_object(const struct node *n, const json_t *x, struct validation *v, int depth)
{
	for (size_t i = 0; i < n->nrequired; i++) {
		if (!json_object_get(x, n->required[i])) {
			size_t len = v->path.len;
			pointer_push(&v->path, n->required[i]);
			problem(v, "is required");
			pointer_pop(&v->path, len);
		}
	}
	const char *key;
	json_t *member;
	json_object_foreach((json_t *)x, key, member) {
		const struct node *p = NULL;
		for (size_t i = 0; i < n->nprops && !p; i++)
			if (strcmp(n->props[i].name, key) == 0)
				p = n->props[i].schema;
		if (p) {
			check_child(p, member, key, v, depth);
		} else if (n->no_additional) {
			size_t len = v->path.len;
			pointer_push(&v->path, key);
			problem(v, "is not allowed here");
			pointer_pop(&v->path, len);
		} else if (n->additional) {
			check_child(n->additional, member, key, v, depth);
		}
	}
}

static void check_array(const struct node *n, const json_t *x, struct validation *v, int depth)
{
	long long size = (long long)json_array_size(x);
	if (n->min_items >= 0 && size < n->min_items)
		problem(v, "must have at least %lld item%s", n->min_items, plural(n->min_items));
	if (n->max_items >= 0 && size > n->max_items)
		problem(v, "must have at most %lld item%s", n->max_items, plural(n->max_items));
	if (!n->items)
		return;
	size_t i;
	const json_t *item;
	json_array_foreach(x, i, item) {
		char token[24];
		snprintf(token, sizeof token, "%zu", i);
		check_child(n->items, item, token, v, depth);
	}
}

static void check_string(const struct node *n, const json_t *x, struct validation *v)
{
	long long len = (long long)code_points(x);
	if (n->min_length >= 0 && len < n->min_length) {
		if (n->min_length == 1)
			problem(v, "must not be empty");
		else
			problem(v, "must be at least %lld character%s", n->min_length, plural(n->min_length));
	}
	if (n->max_length >= 0 && len > n->max_length)
		problem(v, "must be at most %lld character%s", n->max_length, plural(n->max_length));
	if (n->has_pattern && !pattern_matches(n, x))
		problem(v, "must match %s", n->pattern);
}

static void check_number(const struct node *n, const json_t *x, struct validation *v)
{
	double d = json_number_value(x);
	struct buf bound = {0};
	if (n->minimum && d < json_number_value(n->minimum)) {
		value_text(&bound, n->minimum);
		problem(v, "must be at least %s", bound.data);
	}
	buf_reset(&bound);
	if (n->maximum && d > json_number_value(n->maximum)) {
		value_text(&bound, n->maximum);
		problem(v, "must be at most %s", bound.data);
	}
	buf_free(&bound);
}

static void check_enum(const struct node *n, const json_t *x, struct validation *v)
{
	size_t i;
	const json_t *choice;
	json_array_foreach(n->enum_values, i, choice)
		if (same_value(x, choice, 0))
			return;
	struct buf list = {0};
	json_array_foreach(n->enum_values, i, choice) {
		if (i)
			buf_puts(&list, ", ");
		value_text(&list, choice);
	}
	problem(v, "must be one of: %s", list.len ? list.data : "(nothing)");
	buf_free(&list);
}

static void check(const struct node *n, const json_t *x, struct validation *v, int depth)
{
	if (depth > JSCHEMA_MAX_DEPTH) {
		problem(v, "is nested too deeply");
		return;
	}
	if (n->reject_all) {
		problem(v, "is not allowed here");
		return;
	}
	if (n->ref)
		check(n->ref, x, v, depth + 1);
	if (n->types && !type_matches(n->types, x)) {
		char phrase[128];
		type_phrase(n->types, phrase, sizeof phrase);
		problem(v, "must be %s", phrase);
		return; /* the other keywords speak of a value of the right type */
	}
	if (n->enum_values)
		check_enum(n, x, v);
	if (n->const_value && !same_value(x, n->const_value, 0)) {
		struct buf text = {0};
		value_text(&text, n->const_value);
		problem(v, "must be %s", text.data ? text.data : "");
		buf_free(&text);
	}
	switch (type_of(x)) {
	case T_OBJECT: check_object(n, x, v, depth); break;
	case T_ARRAY: check_array(n, x, v, depth); break;
	case T_STRING: check_string(n, x, v); break;
	case T_INTEGER:
	case T_NUMBER: check_number(n, x, v); break;
	default: break;
	}
}

size_t jschema_validate(const struct jschema *s, const json_t *instance, jschema_report report, void *ctx,
                        size_t max)
{
	struct validation v = {report, ctx, max, 0, {0}};
	check(s->root, instance, &v, 0);
	buf_free(&v.path);
	return v.count;
}
