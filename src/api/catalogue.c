/*
 * catalogue.c — the condition catalogue over HTTP: the current version (or
 * any loaded one) with its texts in ky, ru and en, the list of versions with
 * their code mappings, and the import of a new version. The catalogue holds
 * no personal data: reading it is not logged; loading a version is (alter,
 * on the catalogue), in the transaction that also moves the active
 * conditions it maps (each a `condition.recoded` timeline event).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/catalogue.h"

/* Categories in the order a form offers them. */
#define CATEGORY_ORDER                                                                                            \
	"CASE category WHEN 'reporting' THEN 1 WHEN 'residence' THEN 2 WHEN 'movement' THEN 3 WHEN 'contact' THEN 4" \
	" WHEN 'activity' THEN 5 WHEN 'documents' THEN 6 WHEN 'monitoring' THEN 7 WHEN 'digital' THEN 8 ELSE 9 END"

/* {"ky": row[prefix_ky], "ru": ..., "en": ...} */
static json_t *languages(db_stmt *st, int first_column)
{
	return json_pack("{s:s?, s:s?, s:s?}", "ky", db_column_text(st, first_column, NULL), "ru",
	                 db_column_text(st, first_column + 1, NULL), "en", db_column_text(st, first_column + 2, NULL));
}

/* The condition types of a version, in category order; NULL on a database error. */
static json_t *version_conditions(db *conn, int64_t version)
{
	db_stmt *st = NULL;
	json_t *items = json_array();
	enum db_status rc = db_query(conn, &st,
		"SELECT code, category, duty, is_standard, is_em, title_ky, title_ru, title_en, template_ky, template_ru,"
		" template_en, params FROM condition_type WHERE version = ? ORDER BY " CATEGORY_ORDER ", code",
		"i", version);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_t *params = json_loads(db_column_text(st, 11, NULL), 0, NULL);
		json_array_append_new(items,
			json_pack("{s:s, s:s, s:s, s:b, s:b, s:o, s:o, s:o}", "code", db_column_text(st, 0, NULL), "category",
			          db_column_text(st, 1, NULL), "duty", db_column_text(st, 2, NULL), "standard",
			          db_column_int64(st, 3) != 0, "em", db_column_int64(st, 4) != 0, "title", languages(st, 5),
			          "text", languages(st, 8), "params", params ? params : json_array()));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(items);
		return NULL;
	}
	return items;
}

/* ?version=N: 1..1000000, or absent (*version_r 0). False after answering 422. */
static bool version_query(struct http_request *req, struct http_response *resp, int64_t *version_r)
{
	const char *q = http_request_query(req, "version");
	*version_r = 0;
	if (!q)
		return true;
	size_t n = strlen(q);
	bool digits = n >= 1 && n <= 7 && strspn(q, "0123456789") == n;
	long v = digits ? strtol(q, NULL, 10) : 0;
	if (v < 1 || v > 1000000) {
		api_field_problem(req, resp, "version", "must be a catalogue version number");
		return false;
	}
	*version_r = v;
	return true;
}

void api_catalogue_get(struct http_request *req, struct http_response *resp)
{
	int64_t version = 0;
	if (!version_query(req, resp, &version))
		return;
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	bool failed = false;
	json_t *head = api_select_one(conn, &failed,
		"SELECT version, label, loaded_at, is_current FROM condition_catalogue"
		" WHERE (? = 0 AND is_current = 1) OR version = ?", "ii", version, version);
	if (!head) {
		if (failed)
			api_internal_error(req, resp, "reading the condition catalogue");
		else
			api_not_found(req, resp, "catalogue version");
		return;
	}
	json_t *conditions = version_conditions(conn, json_integer_value(json_object_get(head, "version")));
	if (!conditions) {
		json_decref(head);
		api_internal_error(req, resp, "reading the condition catalogue");
		return;
	}
	/* api_row_json turns is_current into "current"; the contract names it is_current. */
	json_object_set(head, "is_current", json_object_get(head, "current"));
	json_object_del(head, "current");
	json_object_set_new(head, "conditions", conditions);
	http_response_json(resp, 200, head);
}

void api_catalogue_versions(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	json_t *items = api_select(conn,
		"SELECT c.version, c.label, c.sha256, c.loaded_at, a.display_name AS loaded_by_name, c.is_current"
		" FROM condition_catalogue c LEFT JOIN account a ON a.id = c.loaded_by ORDER BY c.version DESC", "");
	json_t *maps = api_select(conn, "SELECT version, old_code, new_code FROM condition_code_map"
	                                " ORDER BY version, old_code", "");
	if (!items || !maps) {
		json_decref(items);
		json_decref(maps);
		api_internal_error(req, resp, "reading the catalogue versions");
		return;
	}
	size_t i, j;
	json_t *item, *map;
	json_array_foreach(items, i, item) {
		json_object_set(item, "is_current", json_object_get(item, "current"));
		json_object_del(item, "current");
		json_t *mapping = json_object();
		json_int_t v = json_integer_value(json_object_get(item, "version"));
		json_array_foreach(maps, j, map)
			if (json_integer_value(json_object_get(map, "version")) == v)
				json_object_set(mapping, json_string_value(json_object_get(map, "old_code")),
				                json_object_get(map, "new_code"));
		json_object_set_new(item, "mapping", mapping);
	}
	json_decref(maps);
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_catalogue_import(struct http_request *req, struct http_response *resp)
{
	struct catalogue_error err = {{0}, {0}};
	if (!catalogue_check(req->json, &err)) {
		api_field_problem(req, resp, *err.field ? err.field : "body", err.problem);
		return;
	}
	char sha[65];
	catalogue_sha256_hex(req->body, req->body_len, sha);
	if (!api_begin(req, resp))
		return;
	int64_t version = 0, recoded = 0;
	json_t *ids = json_array();
	enum db_status rc = catalogue_load_counted(req->db, req->json, sha, req->principal.account_id, clock_now_ms(),
	                                           &err, &version, &recoded, ids);
	if (rc == DB_CONSTRAINT && strcmp(err.field, "version") == 0) {
		json_decref(ids);
		db_rollback(req->db);
		json_t *errors = json_pack("[{s:s, s:s}]", "field", "version", "message", err.problem);
		http_problem(resp, req, 409, "version-not-newer", "This catalogue version is not above the current one",
		             err.problem, errors);
		return;
	}
	if (rc == DB_CONSTRAINT) {
		json_decref(ids);
		api_field_problem(req, resp, err.field, err.problem);
		return;
	}
	char record[24], detail[160];
	snprintf(record, sizeof record, "%lld", (long long)version);
	snprintf(detail, sizeof detail, "version %lld, sha256 %.16s...; %lld active conditions recoded", (long long)version,
	         sha, (long long)recoded);
	bool logged = rc == DB_OK &&
	              api_audit(req, AUDIT_ALTER, "condition_catalogue", record, AUDIT_OUTCOME_SUCCESS, detail);
	/* Each recoded condition is an alteration of a person's record (S10). */
	snprintf(detail, sizeof detail, "recoded by condition catalogue version %lld", (long long)version);
	size_t i;
	json_t *id;
	json_array_foreach(ids, i, id)
		logged = logged && api_audit(req, AUDIT_ALTER, "condition", json_string_value(id), AUDIT_OUTCOME_SUCCESS,
		                             detail);
	json_decref(ids);
	if (!logged) {
		api_db_failed(req, resp, "loading a condition catalogue");
		return;
	}
	if (api_commit(req, resp))
		http_response_json(resp, 201, json_pack("{s:I, s:s, s:I}", "version", (json_int_t)version, "label",
		                                        json_string_value(json_object_get(req->json, "label")), "recoded",
		                                        (json_int_t)recoded));
}
