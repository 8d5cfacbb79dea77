/*
 * instruments.c — risk and needs instruments over HTTP: the published schema
 * every file follows, the loaded versions (the current one of each code
 * marked) with their definitions, the import of a new file (refused with
 * every problem named by its JSON Pointer), and the table that suggests a
 * supervision level from each instrument's final judgement. Instruments hold
 * no personal data: reading them is not logged; loading one and changing a
 * suggestion are (alter), since they change how people are assessed and
 * supervised.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/catalogue.h"
#include "domain/instrument.h"

#define INSTRUMENT_COLUMNS                                                                                        \
	"SELECT i.id, i.code, i.version, i.name_ky, i.name_ru, i.name_en, i.publisher, i.licence, i.is_validated,"   \
	" i.certification_required, i.reassessment_days, i.sha256, i.loaded_at, a.display_name AS loaded_by_name," \
	" i.is_current, i.definition FROM instrument i LEFT JOIN account a ON a.id = i.loaded_by"

/* A loaded instrument row as the contract's Instrument; with_definition keeps the file as loaded. */
static void instrument_json(json_t *row, bool with_definition)
{
	api_texts_fold(row, "name", "name");
	json_object_set_new(row, "certification_required",
	                    json_boolean(json_integer_value(json_object_get(row, "certification_required")) != 0));
	json_t *def = json_loads(json_string_value(json_object_get(row, "definition")), 0, NULL);
	size_t items = 0, i;
	const json_t *d;
	json_array_foreach(json_object_get(def, "domains"), i, d)
		items += json_array_size(json_object_get(d, "items"));
	/* An integer by the schema; a 365.0 stored before loading normalised numbers reads as 365. */
	const json_t *valid_days = json_object_get(json_object_get(def, "certification"), "valid_days");
	json_object_set_new(row, "certification_valid_days",
	                    json_is_number(valid_days) ? json_integer((json_int_t)json_number_value(valid_days))
	                                               : json_null());
	json_object_set_new(row, "domain_count", json_integer((json_int_t)json_array_size(json_object_get(def, "domains"))));
	json_object_set_new(row, "item_count", json_integer((json_int_t)items));
	const json_t *notice = json_object_get(def, "notice");
	json_object_set(row, "notice", notice ? (json_t *)notice : json_null());
	if (with_definition)
		json_object_set_new(row, "definition", def ? def : json_null());
	else {
		json_object_del(row, "definition");
		json_decref(def);
	}
}

void api_instrument_schema(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_response_text(resp, 200, "application/json", instrument_schema_json, strlen(instrument_schema_json));
}

void api_instruments_list(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	json_t *items = api_select(conn, INSTRUMENT_COLUMNS " ORDER BY i.code, i.loaded_at DESC, i.id DESC", "");
	if (!items) {
		api_internal_error(req, resp, "reading the instruments");
		return;
	}
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row)
		instrument_json(row, false);
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_instrument_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	bool failed = false;
	json_t *row = api_select_one(conn, &failed, INSTRUMENT_COLUMNS " WHERE i.id = ?", "t", id);
	if (!row) {
		if (failed)
			api_internal_error(req, resp, "reading an instrument");
		else
			api_not_found(req, resp, "instrument");
		return;
	}
	instrument_json(row, true);
	http_response_json(resp, 200, row);
}

/* Answers 422 instrument-invalid with every problem of the file. */
static void answer_problems(struct http_request *req, struct http_response *resp, struct instrument_problems *p)
{
	json_t *errors = json_array();
	size_t i;
	const json_t *one;
	json_array_foreach(p->list, i, one)
		json_array_append_new(errors, json_pack("{s:O, s:O}", "field", json_object_get(one, "path"), "message",
		                                        json_object_get(one, "message")));
	size_t more = p->count - json_array_size(p->list);
	char detail[200];
	if (more)
		snprintf(detail, sizeof detail, "%zu problems: the first %zu are listed, and %zu more are not.", p->count,
		         json_array_size(p->list), more);
	else
		snprintf(detail, sizeof detail, "%zu problem%s, each named by the JSON Pointer of the value at fault.",
		         p->count, p->count == 1 ? "" : "s");
	http_problem(resp, req, 422, "instrument-invalid", "The instrument file has problems", detail, errors);
}

/* 409 instrument-loaded (the transaction rolled back). */
static void already_loaded(struct http_request *req, struct http_response *resp, const char *code,
                           const char *version)
{
	char detail[200];
	snprintf(detail, sizeof detail, "%s version %s is already loaded; give the file a new version.", code, version);
	api_conflict(req, resp, "instrument-loaded", "This instrument version is already loaded", detail);
}

void api_instrument_import(struct http_request *req, struct http_response *resp)
{
	struct instrument_problems problems = {NULL, 0};
	if (!instrument_check(req->json, &problems)) {
		answer_problems(req, resp, &problems);
		instrument_problems_free(&problems);
		return;
	}
	const char *code = json_string_value(json_object_get(req->json, "id"));
	const char *version = json_string_value(json_object_get(req->json, "version"));
	/* The hash of the body as parsed and re-serialised; the command line hashes the file's bytes. */
	char *canonical = json_dumps(req->json, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char sha[65];
	catalogue_sha256_hex(canonical ? canonical : "", canonical ? strlen(canonical) : 0, sha);
	free(canonical);
	if (!api_begin(req, resp))
		return;
	bool failed = false;
	json_t *old = api_select_one(req->db, &failed, "SELECT id FROM instrument WHERE code = ? AND version = ?", "tt",
	                             code, version);
	if (old || failed) {
		json_decref(old);
		if (failed) {
			api_db_failed(req, resp, "reading the instruments");
			return;
		}
		already_loaded(req, resp, code, version);
		return;
	}
	char id[UUID_STR_LEN], detail[200];
	enum db_status rc = instrument_load(req->db, req->json, sha, req->principal.account_id, clock_now_ms(), id);
	if (rc == DB_CONSTRAINT) {
		/* Someone loaded the same code and version since the check above. */
		already_loaded(req, resp, code, version);
		return;
	}
	snprintf(detail, sizeof detail, "loaded %.63s version %.32s, sha256 %.16s...", code, version, sha);
	if (rc != DB_OK || !api_audit(req, AUDIT_ALTER, "instrument", id, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "loading an instrument");
		return;
	}
	json_t *row = api_select_one(req->db, &failed, INSTRUMENT_COLUMNS " WHERE i.id = ?", "t", id);
	if (!row) {
		api_db_failed(req, resp, "reading an instrument");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	instrument_json(row, true);
	http_response_json(resp, 201, row);
}

/* ---- level suggestions --------------------------------------------------- */

#define SUGGESTION_SQL                                                                                           \
	"SELECT s.instrument_code, s.judgement, s.level, s.version, s.updated_at, a.display_name AS updated_by_name," \
	" i.name_ky, i.name_ru, i.name_en, i.definition, r.title_ky AS level_title_ky, r.title_ru AS level_title_ru," \
	" r.title_en AS level_title_en FROM level_suggestion s"                                                       \
	" LEFT JOIN instrument i ON i.code = s.instrument_code AND i.is_current = 1"                                 \
	" LEFT JOIN account a ON a.id = s.updated_by LEFT JOIN ref_supervision_level r ON r.code = s.level"          \
	" WHERE (CAST(? AS TEXT) IS NULL OR s.instrument_code = ?) AND (CAST(? AS TEXT) IS NULL OR s.judgement = ?)" \
	" ORDER BY s.instrument_code, s.judgement"

static int by_code_then_position(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(json_string_value(json_object_get(x, "instrument_code")),
	               json_string_value(json_object_get(y, "instrument_code")));
	if (c)
		return c;
	json_int_t px = json_integer_value(json_object_get(x, "position"));
	json_int_t py = json_integer_value(json_object_get(y, "position"));
	return px < py ? -1 : px > py;
}

/* The suggestion rows (all, or one code and judgement), each with the current version's names and the judgement's
 * position in it, ordered by code and position; NULL on a database error. */
static json_t *suggestions(db *conn, const char *code, const char *judgement)
{
	json_t *rows = api_select(conn, SUGGESTION_SQL, "tttt", code, code, judgement, judgement);
	if (!rows)
		return NULL;
	size_t n = json_array_size(rows), i;
	json_t **sorted = xcalloc(n + 1, sizeof *sorted);
	json_t *def = NULL;
	const char *def_code = NULL;
	for (i = 0; i < n; i++) {
		json_t *row = json_array_get(rows, i);
		const char *row_code = json_string_value(json_object_get(row, "instrument_code"));
		/* One parse per instrument: the rows of a code are together. */
		if (!def_code || strcmp(def_code, row_code) != 0) {
			json_decref(def);
			def = json_loads(json_string_value(json_object_get(row, "definition")), 0, NULL);
			def_code = row_code;
		}
		json_object_del(row, "definition");
		api_texts_fold(row, "name", "instrument_name");
		api_texts_fold(row, "level_title", "level_title");
		const char *j = json_string_value(json_object_get(row, "judgement"));
		int position = def ? instrument_judgement_position(def, j) : -1;
		const json_t *label = position >= 0
			? json_object_get(json_array_get(json_object_get(def, "judgements"), (size_t)position), "label")
			: NULL;
		json_object_set(row, "judgement_label", label ? (json_t *)label : json_null());
		json_object_set_new(row, "position", json_integer(position));
		sorted[i] = json_incref(row);
	}
	json_decref(def);
	json_decref(rows);
	qsort(sorted, n, sizeof *sorted, by_code_then_position);
	rows = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(rows, sorted[i]);
	free(sorted);
	return rows;
}

void api_level_suggestions_list(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	json_t *items = suggestions(conn, NULL, NULL);
	if (!items) {
		api_internal_error(req, resp, "reading the level suggestions");
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_level_suggestion_put(struct http_request *req, struct http_response *resp)
{
	const char *code = http_request_param(req, "code");
	const char *judgement = http_request_param(req, "judgement");
	struct field_errors fe = {0};
	const json_t *level_v = json_object_get(req->json, "level");
	if (!json_is_object(req->json)) {
		field_error(&fe, "body", "must be a JSON object");
	} else {
		const char *key;
		json_t *v;
		json_object_foreach(req->json, key, v)
			if (strcmp(key, "level") != 0)
				field_error(&fe, key, "is not a known field");
		if (!level_v)
			field_error(&fe, "level", "is required (a supervision level code, or null for no suggestion)");
		else if (!json_is_null(level_v) && (!json_is_string(level_v) || json_string_length(level_v) == 0 ||
		                                    json_string_length(level_v) > 30))
			field_error(&fe, "level", "must be a supervision level code or null");
	}
	int64_t version = 0;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	const char *level = json_string_value(level_v);
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT version FROM level_suggestion WHERE instrument_code = ? AND judgement = ?", "tt", code, judgement);
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a level suggestion");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "level suggestion");
		}
		return;
	}
	int64_t current = json_integer_value(json_object_get(row, "version"));
	json_decref(row);
	if (current != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this level suggestion since you read it; read it again.", NULL);
		return;
	}
	if (level) {
		json_t *known = api_select_one(req->db, &failed,
			"SELECT code FROM ref_supervision_level WHERE code = ? AND is_active = 1", "t", level);
		if (!known) {
			if (failed)
				api_db_failed(req, resp, "reading the supervision levels");
			else
				api_field_problem(req, resp, "level", "is not an active supervision level");
			return;
		}
		json_decref(known);
	}
	char record[160], detail[160];
	snprintf(record, sizeof record, "%.63s/%.40s", code, judgement);
	snprintf(detail, sizeof detail, "suggests %s", level ? level : "no level");
	int64_t changed = 0;
	enum db_status rc = db_run(req->db, &changed,
		"UPDATE level_suggestion SET level = ?, updated_at = ?, updated_by = ?, version = version + 1"
		" WHERE instrument_code = ? AND judgement = ? AND version = ?",
		"tittti", level, clock_now_ms(), req->principal.account_id, code, judgement, version);
	if (rc != DB_OK || changed != 1 ||
	    !api_audit(req, AUDIT_ALTER, "level_suggestion", record, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "changing a level suggestion");
		return;
	}
	json_t *rows = suggestions(req->db, code, judgement);
	if (!rows || json_array_size(rows) != 1) {
		json_decref(rows);
		api_db_failed(req, resp, "reading a level suggestion");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	json_t *out = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	api_etag(resp, version + 1);
	http_response_json(resp, 200, out);
}
