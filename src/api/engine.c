/*
 * engine.c — the scheduler's jobs (list, run the due ones now), the clock
 * (tests and simulations move it; only with config clock_control = 1), and
 * the compliance rules' settings.
 *
 * POST /system/jobs/run runs the jobs on the request's thread with
 * connections of its own from the pool: the request gives its connection back
 * first, so many concurrent calls cannot hold every connection while each
 * waits for one more.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "app.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "engine/rules.h"
#include "engine/scheduler.h"

#define MAX_RUNS_SHOWN 20

static json_t *instant(int64_t ms)
{
	char when[32];
	clock_format_rfc3339(ms, when);
	return json_string(when);
}

static json_t *nullable_instant(db_stmt *st, int column)
{
	return db_column_type(st, column) == DB_TYPE_NULL ? json_null() : instant(db_column_int64(st, column));
}

static json_t *nullable_text(db_stmt *st, int column)
{
	const char *t = db_column_text(st, column, NULL);
	return t ? json_string(t) : json_null();
}

/* The runs of one job, newest first; NULL on a database error. */
static json_t *job_runs(db *conn, const char *job)
{
	db_stmt *st = NULL;
	if (db_query(conn, &st,
	             "SELECT slot_at, server, started_at, finished_at, status, detail FROM job_run WHERE job = ?"
	             " ORDER BY slot_at DESC LIMIT 20", "t", job) != DB_OK)
		return NULL;
	json_t *runs = json_array();
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(runs, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "slot_at",
		                                      instant(db_column_int64(st, 0)), "server", nullable_text(st, 1),
		                                      "started_at", instant(db_column_int64(st, 2)), "finished_at",
		                                      instant(db_column_int64(st, 3)), "status", nullable_text(st, 4),
		                                      "detail", api_object_from(db_column_text(st, 5, NULL))));
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(runs);
		return NULL;
	}
	return runs;
}

void api_jobs_list(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	db_stmt *st = NULL;
	if (db_query(conn, &st,
	             "SELECT name, interval_s, next_run_at, last_run_at, last_server, last_status, last_detail FROM job"
	             " ORDER BY name", "") != DB_OK) {
		api_db_failed(req, resp, "reading the jobs");
		return;
	}
	json_t *items = json_array();
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *detail = db_column_text(st, 6, NULL);
		json_array_append_new(items, json_pack("{s:o, s:I, s:o, s:o, s:o, s:o, s:o}", "name", nullable_text(st, 0),
		                                       "interval_s", (json_int_t)db_column_int64(st, 1), "next_run_at",
		                                       instant(db_column_int64(st, 2)), "last_run_at", nullable_instant(st, 3),
		                                       "last_server", nullable_text(st, 4), "last_status",
		                                       nullable_text(st, 5), "last_detail",
		                                       detail ? api_object_from(detail) : json_null()));
	}
	db_finalize(&st);
	size_t i;
	json_t *job;
	json_array_foreach(items, i, job) {
		if (rc != DB_DONE)
			break;
		json_t *runs = job_runs(conn, json_string_value(json_object_get(job, "name")));
		if (!runs)
			rc = DB_ERROR;
		else
			json_object_set_new(job, "runs", runs);
	}
	if (rc != DB_DONE) {
		json_decref(items);
		api_db_failed(req, resp, "reading the jobs");
		return;
	}
	http_response_json(resp, 200, json_pack("{s:s, s:o, s:o}", "server", req->app->server_name, "now",
	                                        instant(clock_now_ms()), "items", items));
}

void api_jobs_run(struct http_request *req, struct http_response *resp)
{
	/* Give the request's connection back: the jobs take their own (see the file's comment). */
	api_db_release(req);
	int64_t now = clock_now_ms();
	struct scheduler_run runs[32];
	int ran = 0;
	enum db_status rc = scheduler_run_due_list(req->app->pool, req->app->server_name, now, runs, 32, &ran);
	if (rc != DB_OK && ran == 0) {
		http_problem(resp, req, 503, "jobs-unavailable", "The jobs could not run",
		             "The database did not answer in time; the jobs stay due. Try again.", NULL);
		http_response_header(resp, "Retry-After", "1");
		return;
	}
	json_t *items = json_array();
	for (int i = 0; i < ran && i < 32; i++)
		json_array_append_new(items, json_pack("{s:s, s:o, s:s, s:o}", "job", runs[i].job, "slot_at",
		                                       instant(runs[i].slot_at), "status", runs[i].ok ? "ok" : "failed",
		                                       "detail", api_object_from(runs[i].detail)));
	http_response_json(resp, 200, json_pack("{s:s, s:o, s:o}", "server", req->app->server_name, "now", instant(now),
	                                        "ran", items));
}

/* ---- the clock --------------------------------------------------------- */

/* The offset this process gave the clock (it starts at the system's time). */
static pthread_mutex_t offset_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t offset_set;

void api_clock_set(struct http_request *req, struct http_response *resp)
{
	if (!req->app->clock_control) {
		/* Like an unknown route: a deployment without clock control has no such thing. */
		http_problem(resp, req, 404, "not-found", "Not found", "No such API path.", NULL);
		return;
	}
	static const struct field_rule rules[] = {{"now", FIELD_STRING, true, 20, 40, NULL}};
	struct field_errors fe = {0};
	int64_t want = 0;
	if (validate_object(req->json, rules, NRULES(rules), &fe) && !clock_parse_rfc3339(api_str(req, "now"), &want))
		field_error(&fe, "now", "must be an RFC 3339 time such as 2026-03-01T09:00:00Z");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	int64_t before = clock_now_ms();
	char detail[96], was[32], to[32];
	clock_format_rfc3339(before, was);
	clock_format_rfc3339(want, to);
	snprintf(detail, sizeof detail, "clock set from %s to %s", was, to);
	if (!api_audit_why(req, AUDIT_ALTER, "system_clock", NULL, AUDIT_OUTCOME_SUCCESS, detail, "administration",
	                   NULL)) {
		api_db_failed(req, resp, "logging the clock change");
		return;
	}
	if (!api_commit(req, resp))
		return;
	/* The offset from the system clock: time keeps running from `now`. */
	pthread_mutex_lock(&offset_lock);
	int64_t real = clock_now_ms() - offset_set;
	offset_set = want - real;
	clock_set_offset(offset_set);
	pthread_mutex_unlock(&offset_lock);
	log_info("clock set to %s", to);
	http_response_json(resp, 200, json_pack("{s:o}", "now", instant(clock_now_ms())));
}

/* ---- the compliance rules ---------------------------------------------- */

#define RULE_COLUMNS \
	"SELECT r.code, r.rank, r.fires_on, r.is_enabled, r.severity, r.threshold, r.threshold_unit," \
	" r.escalate_after_hours, r.title_ky, r.title_ru, r.title_en, r.updated_at, a.display_name AS updated_by_name," \
	" r.version FROM compliance_rule r LEFT JOIN account a ON a.id = r.updated_by"

/* A rule row as the API shows it: {title: {ky, ru, en}}; takes the row. */
static json_t *rule_json(json_t *row)
{
	if (!row)
		return NULL;
	json_t *title = json_object();
	static const char *const langs[] = {"ky", "ru", "en"};
	for (int i = 0; i < 3; i++) {
		char key[16];
		snprintf(key, sizeof key, "title_%s", langs[i]);
		json_t *v = json_object_get(row, key);
		json_object_set(title, langs[i], v ? v : json_null());
		json_object_del(row, key);
	}
	json_object_set_new(row, "title", title);
	return row;
}

void api_rules_list(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	json_t *items = api_select(req->db, RULE_COLUMNS " ORDER BY r.rank, r.code", "");
	if (!items || !api_audit(req, AUDIT_CONSULT, "compliance_rule", NULL, AUDIT_OUTCOME_SUCCESS, "list")) {
		json_decref(items);
		api_db_failed(req, resp, "reading the compliance rules");
		return;
	}
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row)
		rule_json(row);
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

static const char *const severities[] = {"low", "medium", "high", NULL};

bool rule_body_validate(const json_t *body, bool has_threshold, struct field_errors *fe)
{
	static const struct field_rule rules[] = {
		{"enabled", FIELD_BOOL, true, 0, 0, NULL},
		{"severity", FIELD_ENUM, true, 0, 0, severities},
		{"threshold", FIELD_INTEGER, false, 0, 8784, NULL},
		{"escalate_after_hours", FIELD_INTEGER, true, 1, 720, NULL},
	};
	if (!validate_object(body, rules, NRULES(rules), fe))
		return false;
	const json_t *threshold = json_object_get(body, "threshold");
	bool given = threshold && !json_is_null(threshold);
	if (has_threshold && !given)
		field_error(fe, "threshold", "is required: this rule has a threshold");
	else if (!has_threshold && given)
		field_error(fe, "threshold", "must be null: this rule has no threshold");
	return fe->list == NULL;
}

void api_rule_update(struct http_request *req, struct http_response *resp)
{
	const char *code = http_request_param(req, "code");
	int64_t version = 0;
	if (!api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *old = api_select_one(req->db, &failed,
		"SELECT threshold_unit, version, is_enabled, severity, threshold, escalate_after_hours FROM compliance_rule"
		" WHERE code = ?", "t", code);
	if (!old) {
		if (failed) {
			api_db_failed(req, resp, "reading a compliance rule");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "compliance rule");
		}
		return;
	}
	bool has_threshold = json_is_string(json_object_get(old, "threshold_unit"));
	int64_t current = json_integer_value(json_object_get(old, "version"));
	json_decref(old);
	struct field_errors fe = {0};
	rule_body_validate(req->json, has_threshold, &fe);
	if (fe.list) {
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (current != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this rule since you read it; read it again.", NULL);
		return;
	}
	const json_t *b = req->json;
	bool enabled = json_is_true(json_object_get(b, "enabled"));
	const char *severity = json_str(b, "severity");
	const json_t *threshold = json_object_get(b, "threshold");
	int64_t thr = has_threshold ? (int64_t)json_integer_value(threshold) : -1;
	int64_t escalate = (int64_t)json_integer_value(json_object_get(b, "escalate_after_hours"));
	int64_t changed = 0;
	enum db_status rc = db_run(req->db, &changed,
		"UPDATE compliance_rule SET is_enabled = ?, severity = ?, threshold = CASE WHEN CAST(? AS BIGINT) < 0 THEN NULL"
		" ELSE CAST(? AS BIGINT) END,"
		" escalate_after_hours = ?, updated_at = ?, updated_by = ?, version = version + 1"
		" WHERE code = ? AND version = ?",
		"itiiiitti", (int64_t)enabled, severity, thr, thr, escalate, clock_now_ms(), req->principal.account_id,
		code, version);
	char detail[160];
	snprintf(detail, sizeof detail, "%s; %s; threshold %lld; escalate after %lld h", enabled ? "enabled" : "disabled",
	         severity, (long long)thr, (long long)escalate);
	if (rc != DB_OK || changed != 1 ||
	    !api_audit_why(req, AUDIT_ALTER, "compliance_rule", code, AUDIT_OUTCOME_SUCCESS, detail, "administration",
	                   NULL)) {
		api_db_failed(req, resp, "changing a compliance rule");
		return;
	}
	json_t *row = rule_json(api_select_one(req->db, &failed, RULE_COLUMNS " WHERE r.code = ?", "t", code));
	if (!row) {
		api_db_failed(req, resp, "reading a compliance rule");
		return;
	}
	api_commit_send(req, resp, 200, row);
}
