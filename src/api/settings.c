/*
 * settings.c — Administration → Settings over HTTP: the deployment's numeric
 * settings (domain/settings.h) with their bounds, defaults and current values,
 * and changing one. A value's version is the time it was last stored (ms; 1
 * when never changed), sent as its ETag and required back in If-Match, so two
 * administrators cannot overwrite each other's change unseen. Every change is
 * logged with the old and the new value.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/settings.h"

/* One setting as JSON: key, value, default, bounds, unit, about, version, updated_at; NULL on a database error. */
static json_t *setting_json(db *conn, const struct setting_info *s)
{
	long value = 0;
	if (setting_number(conn, s->key, &value) != DB_OK)
		return NULL;
	db_stmt *st = NULL;
	int64_t updated = 0;
	enum db_status rc = db_query(conn, &st, "SELECT updated_at FROM setting WHERE key = ?", "t", s->key);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		updated = db_column_int64(st, 0);
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE)
		return NULL;
	int64_t version = updated > 0 ? updated : 1;
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:s, s:s, s:I}", "key", s->key, "value", (json_int_t)value,
	                      "default", (json_int_t)s->def, "min", (json_int_t)s->min, "max", (json_int_t)s->max,
	                      "unit", s->unit, "about", s->about, "version", (json_int_t)version);
	if (updated > 0) {
		char at[32];
		clock_format_rfc3339(updated, at);
		json_object_set_new(o, "updated_at", json_string(at));
	} else {
		json_object_set_new(o, "updated_at", json_null());
	}
	return o;
}

void api_settings_list(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	size_t n = 0;
	const struct setting_info *reg = settings_registry(&n);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = setting_json(req->db, &reg[i]);
		if (!o) {
			json_decref(items);
			api_db_failed(req, resp, "reading the settings");
			return;
		}
		json_array_append_new(items, o);
	}
	if (!api_audit(req, AUDIT_CONSULT, "setting", NULL, AUDIT_OUTCOME_SUCCESS, "list")) {
		json_decref(items);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

bool settings_body_validate(const char *key, const json_t *body, struct field_errors *fe)
{
	static const struct field_rule rules[] = {
		{"value", FIELD_INTEGER, true, -1000000, 1000000, NULL},
	};
	if (!validate_object(body, rules, NRULES(rules), fe))
		return false;
	const struct setting_info *s = setting_info_find(key);
	json_int_t v = json_integer_value(json_object_get(body, "value"));
	if (s && (v < s->min || v > s->max)) {
		field_error(fe, "value", "must be from %ld to %ld", s->min, s->max);
		return false;
	}
	return true;
}

static void stale(struct http_request *req, struct http_response *resp)
{
	db_rollback(req->db);
	http_problem(resp, req, 412, "precondition-failed", "The record has changed",
	             "Someone changed this setting after you read it: reload and decide again.", NULL);
}

void api_setting_put(struct http_request *req, struct http_response *resp)
{
	const char *key = http_request_param(req, "key");
	const struct setting_info *s = setting_info_find(key);
	if (!s) {
		api_not_found(req, resp, "setting");
		return;
	}
	struct field_errors fe = {0};
	settings_body_validate(key, req->json, &fe);
	if (field_errors_respond(&fe, resp, req))
		return;
	int64_t version = 0;
	if (!api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	json_t *before = setting_json(req->db, s);
	if (!before) {
		api_db_failed(req, resp, "reading a setting");
		return;
	}
	json_int_t old = json_integer_value(json_object_get(before, "value"));
	json_int_t stored = json_integer_value(json_object_get(before, "version"));
	json_decref(before);
	if (stored != version) {
		stale(req, resp);
		return;
	}
	long value = (long)json_integer_value(json_object_get(req->json, "value"));
	int64_t now = clock_now_ms();
	if (now <= stored)
		now = stored + 1; /* the version moves on even within one millisecond */
	char detail[160];
	snprintf(detail, sizeof detail, "%s: %lld -> %ld", s->key, (long long)old, value);
	/* Claim the stored row at the version read: of two changes at once (PostgreSQL reads committed rows), the
	 * second waits for the first and then finds a newer version. A setting never stored has no row to claim. */
	int64_t claimed = 0;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT key FROM setting WHERE key = ?", "t", s->key);
	bool exists = row != NULL;
	json_decref(row);
	if (failed || (exists && db_run(req->db, &claimed,
	                                "UPDATE setting SET updated_at = ? WHERE key = ?"
	                                " AND CASE WHEN updated_at > 0 THEN updated_at ELSE 1 END = ?",
	                                "iti", now, s->key, (int64_t)stored) != DB_OK)) {
		api_db_failed(req, resp, "changing a setting");
		return;
	}
	if (exists && claimed != 1) {
		stale(req, resp);
		return;
	}
	if (setting_store(req->db, s->key, value, now) != DB_OK ||
	    !api_audit(req, AUDIT_ALTER, "setting", s->key, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "changing a setting");
		return;
	}
	json_t *after = setting_json(req->db, s);
	if (!after) {
		api_db_failed(req, resp, "reading a setting");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(after);
		return;
	}
	api_etag(resp, now);
	http_response_json(resp, 200, after);
}
