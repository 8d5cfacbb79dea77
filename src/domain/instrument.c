/*
 * instrument.c — risk and needs instruments as data: checking a file against
 * the published schema and what a schema cannot say, loading it as a new
 * version, the instruments shipped with the program, and reading a loaded
 * definition.
 */
#include "domain/instrument.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jschema.h"
#include "base/log.h"
#include "domain/catalogue.h"

extern const char instrument_needs_screening_json[];
extern const size_t instrument_needs_screening_json_len;
extern const char instrument_disengagement_review_json[];
extern const size_t instrument_disengagement_review_json_len;

void instrument_problems_free(struct instrument_problems *p)
{
	json_decref(p->list);
	p->list = NULL;
	p->count = 0;
}

/* ---- checking ----------------------------------------------------------- */

/* The published schema, compiled once for the life of the process (instrument files are rare, but a server
 * checks them on several threads). NULL when it does not load: every file is then refused. */
static struct jschema *schema;
static char schema_error[256];
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void schema_compile(void)
{
	json_error_t jerr;
	json_t *doc = json_loads(instrument_schema_json, 0, &jerr);
	if (!doc) {
		snprintf(schema_error, sizeof schema_error, "not JSON: %s", jerr.text);
		return;
	}
	schema = jschema_load(doc, schema_error, sizeof schema_error);
	json_decref(doc);
}

static void problem_add(struct instrument_problems *p, const char *path, const char *message)
{
	if (p->count < INSTRUMENT_MAX_PROBLEMS) {
		if (!p->list)
			p->list = json_array();
		json_array_append_new(p->list, json_pack("{s:s, s:s}", "path", path, "message", message));
	}
	p->count++;
}

static void schema_problem(void *ctx, const char *path, const char *message)
{
	problem_add(ctx, path, message);
}

static void ignore_problem(void *ctx, const char *path, const char *message)
{
	(void)ctx, (void)path, (void)message;
}

/* An id as a message quotes it: at most 40 characters, cut on a character boundary (messages stay UTF-8). */
static void quoted_id(const char *id, char out[200])
{
	size_t n = 0, chars = 0;
	while (id[n] && n < 190) {
		if (((unsigned char)id[n] & 0xC0) != 0x80 && ++chars > 40)
			break;
		n++;
	}
	while (n > 0 && n < strlen(id) && ((unsigned char)id[n] & 0xC0) == 0x80)
		n--; /* never end inside a character */
	snprintf(out, 200, "\"%.*s%s\"", (int)n, id, id[n] ? "..." : "");
}

/* Adds "repeats the <what> id ... of <first>" for each member of array (at path) whose "id" an earlier member
 * has. Members that are not objects and ids that are not strings were reported by the schema. A JSON object maps
 * each id to the index of its first member, so a hostile file of many members costs linear time. */
static void unique_ids(const json_t *array, const char *path, const char *what, struct instrument_problems *p)
{
	json_t *seen = json_object();
	size_t i;
	const json_t *a;
	json_array_foreach(array, i, a) {
		const char *id = json_string_value(json_object_get(a, "id"));
		if (!id)
			continue;
		const json_t *first = json_object_get(seen, id);
		if (!first) {
			json_object_set_new(seen, id, json_integer((json_int_t)i));
			continue;
		}
		char at[128], quoted[200], message[400];
		snprintf(at, sizeof at, "%s/%zu/id", path, i);
		quoted_id(id, quoted);
		snprintf(message, sizeof message, "repeats the %s id %s of %s/%lld", what, quoted, path,
		         (long long)json_integer_value(first));
		problem_add(p, at, message);
	}
	json_decref(seen);
}

/* A string member naming a scale must name one of scales (an object whose keys are the scale ids). */
static void scale_named(const json_t *scales, const json_t *o, const char *member, const char *path,
                        struct instrument_problems *p)
{
	const char *id = json_string_value(json_object_get(o, member));
	if (!id || json_object_get(scales, id))
		return;
	char at[160], quoted[200], message[300];
	snprintf(at, sizeof at, "%s/%s", path, member);
	quoted_id(id, quoted);
	snprintf(message, sizeof message, "names no scale of the instrument (%s)", quoted);
	problem_add(p, at, message);
}

/* What a schema cannot say: ids unique (items across the whole instrument), scales named exist. */
static void semantic_checks(const json_t *doc, struct instrument_problems *p)
{
	const json_t *scales = json_object_get(doc, "scales"), *domains = json_object_get(doc, "domains");
	char path[96];
	size_t i, j;
	const json_t *s, *d, *item;
	unique_ids(scales, "/scales", "scale", p);
	/* The scale ids; without a list of scales (the schema reported that) no name can be checked. */
	json_t *scale_ids = json_is_array(scales) ? json_object() : NULL;
	json_array_foreach(scales, i, s) {
		const char *id = json_string_value(json_object_get(s, "id"));
		if (id)
			json_object_set_new(scale_ids, id, json_true());
		snprintf(path, sizeof path, "/scales/%zu/values", i);
		unique_ids(json_object_get(s, "values"), path, "value", p);
	}
	unique_ids(domains, "/domains", "domain", p);
	/* Item ids across the whole instrument: each id's first path. */
	json_t *items_seen = json_object();
	json_array_foreach(domains, i, d) {
		snprintf(path, sizeof path, "/domains/%zu", i);
		if (scale_ids)
			scale_named(scale_ids, d, "rating_scale", path, p);
		json_array_foreach(json_object_get(d, "items"), j, item) {
			snprintf(path, sizeof path, "/domains/%zu/items/%zu", i, j);
			if (scale_ids)
				scale_named(scale_ids, item, "scale", path, p);
			const char *id = json_string_value(json_object_get(item, "id"));
			if (!id)
				continue;
			const json_t *first = json_object_get(items_seen, id);
			if (!first) {
				json_object_set_new(items_seen, id, json_string(path));
				continue;
			}
			char at[128], quoted[200], message[400];
			snprintf(at, sizeof at, "%s/id", path);
			quoted_id(id, quoted);
			snprintf(message, sizeof message, "repeats the item id %s of %s", quoted, json_string_value(first));
			problem_add(p, at, message);
		}
	}
	json_decref(items_seen);
	json_decref(scale_ids);
	unique_ids(json_object_get(doc, "judgements"), "/judgements", "judgement", p);
}

bool instrument_check(const json_t *doc, struct instrument_problems *p)
{
	size_t before = p->count;
	pthread_once(&schema_once, schema_compile);
	if (!schema) {
		log_error("the instrument schema does not load: %s", schema_error);
		problem_add(p, "", "cannot be checked: the instrument schema does not load");
		return false;
	}
	/* The validator reports up to the room left in the list (problem_add counts each report) and counts the
	 * rest; with no room left it reports nothing. */
	size_t room = p->count < INSTRUMENT_MAX_PROBLEMS ? INSTRUMENT_MAX_PROBLEMS - p->count : 0;
	size_t found = jschema_validate(schema, doc, room ? schema_problem : ignore_problem, p, room ? room : 1);
	size_t listed = room ? (found < room ? found : room) : 0;
	p->count += found - listed;
	if (json_is_object(doc))
		semantic_checks(doc, p);
	return p->count == before;
}

/* ---- loading ------------------------------------------------------------ */

static const char *text_in(const json_t *o, const char *member, const char *lang)
{
	return json_string_value(json_object_get(json_object_get(o, member), lang));
}

/* A copy of x with every number that has no fractional part as an integer (a checked file is bounded in depth by
 * the schema, and jansson bounds any parsed document). */
static json_t *integers_normalised(const json_t *x)
{
	if (json_is_real(x)) {
		double d = json_real_value(x);
		if (d >= -9007199254740992.0 && d <= 9007199254740992.0 && d == (double)(json_int_t)d)
			return json_integer((json_int_t)d);
		return json_real(d);
	}
	if (json_is_array(x)) {
		json_t *out = json_array();
		size_t i;
		const json_t *v;
		json_array_foreach(x, i, v)
			json_array_append_new(out, integers_normalised(v));
		return out;
	}
	if (json_is_object(x)) {
		json_t *out = json_object();
		const char *key;
		json_t *v;
		json_object_foreach((json_t *)x, key, v)
			json_object_set_new(out, key, integers_normalised(v));
		return out;
	}
	return json_deep_copy(x);
}

enum db_status instrument_load(db *conn, const json_t *file, const char *sha256_hex, const char *loaded_by,
                               int64_t now, char id_r[UUID_STR_LEN])
{
	json_t *doc = integers_normalised(file);
	const char *code = json_string_value(json_object_get(doc, "id"));
	const char *version = json_string_value(json_object_get(doc, "version"));
	const json_t *cert = json_object_get(doc, "certification");
	char *definition = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!code || !version || !definition) {
		free(definition);
		json_decref(doc);
		return DB_ERROR;
	}
	uuid_v7(id_r);
	enum db_status rc = db_run(conn, NULL, "UPDATE instrument SET is_current = 0 WHERE code = ? AND is_current = 1",
	                           "t", code);
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"INSERT INTO instrument (id, code, version, name_ky, name_ru, name_en, publisher, licence, is_validated,"
			" certification_required, reassessment_days, definition, sha256, loaded_at, loaded_by, is_current)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
			"ttttttttiiittit", id_r, code, version, text_in(doc, "name", "ky"), text_in(doc, "name", "ru"),
			text_in(doc, "name", "en"), json_string_value(json_object_get(doc, "publisher")),
			json_string_value(json_object_get(doc, "licence")),
			(int64_t)json_is_true(json_object_get(doc, "validated")),
			(int64_t)json_is_true(json_object_get(cert, "required")),
			(int64_t)json_integer_value(json_object_get(doc, "reassessment_days")), definition, sha256_hex, now,
			loaded_by);
	free(definition);
	size_t i;
	const json_t *j;
	json_array_foreach(json_object_get(doc, "judgements"), i, j) {
		if (rc != DB_OK)
			break;
		const char *judgement = json_string_value(json_object_get(j, "id"));
		rc = db_run(conn, NULL,
			"INSERT INTO level_suggestion (instrument_code, judgement, level, updated_at)"
			" SELECT CAST(? AS TEXT), CAST(? AS TEXT), NULL, CAST(? AS BIGINT) WHERE NOT EXISTS"
			" (SELECT 1 FROM level_suggestion WHERE instrument_code = ? AND judgement = ?)",
			"ttitt", code, judgement, now, code, judgement);
	}
	json_decref(doc);
	return rc;
}

struct shipped {
	const char *name;
	const char *text;
	const size_t *len;
};

enum db_status instruments_ensure_shipped(db *conn, int64_t now)
{
	const struct shipped files[] = {
		{"kadam-needs-screening.json", instrument_needs_screening_json, &instrument_needs_screening_json_len},
		{"kadam-disengagement-review.json", instrument_disengagement_review_json,
		 &instrument_disengagement_review_json_len},
	};
	bool own = !db_in_transaction(conn);
	enum db_status rc = own ? db_begin(conn) : DB_OK;
	for (size_t f = 0; f < sizeof files / sizeof files[0] && rc == DB_OK; f++) {
		json_error_t jerr;
		json_t *doc = json_loadb(files[f].text, *files[f].len, JSON_REJECT_DUPLICATES, &jerr);
		struct instrument_problems problems = {NULL, 0};
		if (!doc || !instrument_check(doc, &problems)) {
			const json_t *first = json_array_get(problems.list, 0);
			log_error("the shipped instrument %s is refused: %s %s", files[f].name,
			          doc ? json_string_value(json_object_get(first, "path")) : jerr.text,
			          doc ? json_string_value(json_object_get(first, "message")) : "");
			instrument_problems_free(&problems);
			json_decref(doc);
			rc = DB_ERROR;
			break;
		}
		db_stmt *st = NULL;
		rc = db_query(conn, &st, "SELECT 1 FROM instrument WHERE code = ? AND version = ?", "tt",
		              json_string_value(json_object_get(doc, "id")),
		              json_string_value(json_object_get(doc, "version")));
		bool loaded = rc == DB_OK && (rc = db_step(st)) == DB_ROW;
		db_finalize(&st);
		if (rc == DB_ROW || rc == DB_DONE)
			rc = DB_OK;
		if (rc == DB_OK && !loaded) {
			char hex[65], id[UUID_STR_LEN];
			catalogue_sha256_hex(files[f].text, *files[f].len, hex);
			rc = instrument_load(conn, doc, hex, NULL, now, id);
			if (rc == DB_OK)
				log_info("loaded the shipped instrument %s version %s",
				         json_string_value(json_object_get(doc, "id")),
				         json_string_value(json_object_get(doc, "version")));
		}
		json_decref(doc);
	}
	if (!own)
		return rc;
	if (rc == DB_OK)
		return db_commit(conn);
	db_rollback(conn);
	return rc;
}

/* ---- reading a loaded definition ---------------------------------------- */

enum db_status instrument_definition(db *conn, const char *instrument_id, json_t **def_r,
                                     char code_r[INSTRUMENT_CODE_LEN])
{
	*def_r = NULL;
	if (code_r)
		code_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT definition, code FROM instrument WHERE id = ?", "t",
	                             instrument_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		json_error_t jerr;
		*def_r = json_loads(db_column_text(st, 0, NULL), 0, &jerr);
		if (code_r)
			snprintf(code_r, INSTRUMENT_CODE_LEN, "%s", db_column_text(st, 1, NULL));
		rc = *def_r ? DB_OK : DB_ERROR;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

/* The member of array whose "id" is id, or NULL. */
static const json_t *by_id(const json_t *array, const char *id)
{
	size_t i;
	const json_t *o;
	if (!id)
		return NULL;
	json_array_foreach(array, i, o) {
		const char *s = json_string_value(json_object_get(o, "id"));
		if (s && strcmp(s, id) == 0)
			return o;
	}
	return NULL;
}

/* The position of the member of array whose "id" is id, or -1. */
static int position_of(const json_t *array, const char *id)
{
	const json_t *o = by_id(array, id);
	if (!o)
		return -1;
	size_t i;
	const json_t *x;
	json_array_foreach(array, i, x) {
		if (x == o)
			return (int)i;
	}
	return -1;
}

const json_t *instrument_item(const json_t *def, const char *item_id, const json_t **domain_r)
{
	size_t i;
	const json_t *d;
	json_array_foreach(json_object_get(def, "domains"), i, d) {
		const json_t *item = by_id(json_object_get(d, "items"), item_id);
		if (item) {
			if (domain_r)
				*domain_r = d;
			return item;
		}
	}
	return NULL;
}

const json_t *instrument_domain(const json_t *def, const char *domain_id)
{
	return by_id(json_object_get(def, "domains"), domain_id);
}

const json_t *instrument_scale(const json_t *def, const char *scale_id)
{
	return by_id(json_object_get(def, "scales"), scale_id);
}

int instrument_scale_position(const json_t *def, const char *scale_id, const char *value)
{
	const json_t *scale = instrument_scale(def, scale_id);
	return scale ? position_of(json_object_get(scale, "values"), value) : -1;
}

int instrument_judgement_position(const json_t *def, const char *judgement)
{
	return position_of(json_object_get(def, "judgements"), judgement);
}
