/*
 * instrument.c — risk and needs instruments as data: checking a file against
 * the published schema and what a schema cannot say, loading it as a new
 * version, the instruments shipped with the program, and reading a loaded
 * definition.
 */
#include "domain/instrument.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* PLACEHOLDER: the schema and semantic checks (instruments engineer). */
bool instrument_check(const json_t *doc, struct instrument_problems *p)
{
	(void)p;
	return json_is_object(doc);
}

/* ---- loading ------------------------------------------------------------ */

static const char *text_in(const json_t *o, const char *member, const char *lang)
{
	return json_string_value(json_object_get(json_object_get(o, member), lang));
}

enum db_status instrument_load(db *conn, const json_t *doc, const char *sha256_hex, const char *loaded_by,
                               int64_t now, char id_r[UUID_STR_LEN])
{
	const char *code = json_string_value(json_object_get(doc, "id"));
	const char *version = json_string_value(json_object_get(doc, "version"));
	const json_t *cert = json_object_get(doc, "certification");
	char *definition = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!code || !version || !definition) {
		free(definition);
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

int instrument_scale_position(const json_t *def, const char *scale_id, const char *value)
{
	const json_t *scale = by_id(json_object_get(def, "scales"), scale_id);
	return scale ? position_of(json_object_get(scale, "values"), value) : -1;
}

int instrument_judgement_position(const json_t *def, const char *judgement)
{
	return position_of(json_object_get(def, "judgements"), judgement);
}
