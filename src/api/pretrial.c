/*
 * pretrial.c — pre-trial reports: a court asks for a social inquiry on an
 * accused person (a case of kind pre_trial); the officer makes four inquiries
 * (family, neighbours, employer, living conditions), writes the report's
 * sections from the template (facts apart from assessments, S14) and submits
 * it by its due date. The list shows what is due and overdue within the
 * caller's units; the document is a printable HTML page in ky, ru or en.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "domain/pretrial.h"

static const char *const languages[] = {"ky", "ru", "en", NULL};
static const char *const task_statuses[] = {"open", "done", "not_possible", NULL};

#define DUE_SOON_DAYS 7

/* ---- shared steps ------------------------------------------------------------------ */

/* True when s is a YYYY-MM-DD date; fills *d. */
static bool date_value(const char *s, struct civil_date *d)
{
	return s && civil_date_parse(s, d);
}

/* A change needs the case within the caller's units or a live grant; a stated purpose allows reading only. */
/* Finds the case of a request and checks the caller's reach over it. False after answering. */
static bool request_scope(struct http_request *req, struct http_response *resp, const char *id,
                          struct record_scope *s)
{
	bool failed = false;
	json_t *row = uuid_valid(id) ? api_select_one(req->db, &failed,
	                                              "SELECT case_id FROM pretrial_request WHERE id = ?", "t", id)
	                             : NULL;
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a pre-trial report");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "pre-trial report");
		}
		return false;
	}
	char case_id[UUID_STR_LEN];
	snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(row, "case_id")));
	json_decref(row);
	return scope_case(req, resp, case_id, s);
}

/* Adds days_left and is_overdue to an object with due_on and status. */
static void add_deadline(json_t *o, struct civil_date now)
{
	struct civil_date due;
	const char *status = json_string_value(json_object_get(o, "status"));
	bool open = status && (strcmp(status, "requested") == 0 || strcmp(status, "in_progress") == 0);
	if (!date_value(json_string_value(json_object_get(o, "due_on")), &due)) {
		json_object_set_new(o, "days_left", json_null());
		json_object_set_new(o, "is_overdue", json_false());
		return;
	}
	int left = civil_date_diff_days(now, due);
	json_object_set_new(o, "days_left", json_integer(left));
	json_object_set_new(o, "is_overdue", json_boolean(open && left < 0));
}

/* "Surname Given Patronymic" from the three columns, which it removes from o. */
static void person_name(json_t *o, const char *key)
{
	struct buf b = {0};
	const char *parts[] = {"surname", "given_name", "patronymic"};
	for (size_t i = 0; i < 3; i++) {
		const char *s = json_string_value(json_object_get(o, parts[i]));
		if (s && *s) {
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, s);
		}
		json_object_del(o, parts[i]);
	}
	json_object_set_new(o, key, json_string(b.data ? b.data : ""));
	buf_free(&b);
}

/* The template as the API shows it: id, version, title and each section. */
static json_t *template_json(void)
{
	const json_t *t = pretrial_template();
	json_t *out = json_object();
	json_object_set_new(out, "id", json_deep_copy(json_object_get(t, "id")));
	json_object_set_new(out, "version", json_deep_copy(json_object_get(t, "version")));
	json_object_set_new(out, "title", json_deep_copy(json_object_get(t, "title")));
	json_object_set_new(out, "sections", json_deep_copy(json_object_get(t, "sections")));
	return out;
}

/* The whole report as GET shows it; NULL when missing (*failed_r false) or on error. */
static json_t *report_json(db *conn, const char *id, struct civil_date now, bool *failed_r)
{
	json_t *r = api_select_one(conn, failed_r,
		"SELECT p.id, p.case_id, c.number AS case_number, c.person_id, c.unit_id, p.court, p.court_reference,"
		" p.received_on, p.due_on, p.status, p.language, p.template AS template_ref, p.report,"
		" p.submitted_at, a.display_name AS submitted_by_name, p.version"
		" FROM pretrial_request p JOIN case_file c ON c.id = p.case_id"
		" LEFT JOIN account a ON a.id = p.submitted_by WHERE p.id = ?",
		"t", id);
	if (!r)
		return NULL;
	bool failed = false;
	json_t *person = api_select_one(conn, &failed,
		"SELECT id, surname, given_name, patronymic, birth_date FROM person WHERE id = ?", "t",
		json_string_value(json_object_get(r, "person_id")));
	json_t *tasks = failed ? NULL : api_select(conn,
		"SELECT t.id, t.kind, t.status, t.due_on, t.findings, t.done_at, a.display_name AS done_by_name, t.version"
		" FROM pretrial_task t LEFT JOIN account a ON a.id = t.done_by WHERE t.request_id = ?"
		" ORDER BY CASE t.kind WHEN 'family' THEN 1 WHEN 'neighbours' THEN 2 WHEN 'employer' THEN 3"
		" WHEN 'living_conditions' THEN 4 WHEN 'school' THEN 5 ELSE 6 END, t.created_at, t.id",
		"t", id);
	if (!person || !tasks) {
		json_decref(r);
		json_decref(person);
		json_decref(tasks);
		*failed_r = true;
		return NULL;
	}
	json_t *report = json_loads(json_string_value(json_object_get(r, "report")), 0, NULL);
	json_object_set_new(r, "report", json_is_object(report) ? report : json_object());
	if (!json_is_object(report))
		json_decref(report);
	json_object_del(r, "person_id");
	json_object_set_new(r, "person", person);
	json_object_set_new(r, "template", template_json());
	json_object_set_new(r, "tasks", tasks);
	add_deadline(r, now);
	return r;
}

/* Reads the report after a change or for GET, commits and answers with it and its ETag. */
static void answer_report(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	struct civil_date now;
	if (!api_today_date(req, resp, &now, NULL))
		return;
	bool failed = false;
	json_t *r = report_json(req->db, id, now, &failed);
	if (!r) {
		api_db_failed(req, resp, "reading a pre-trial report");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(r);
		return;
	}
	api_etag(resp, json_integer_value(json_object_get(r, "version")));
	json_object_del(r, "unit_id");
	json_object_del(r, "template_ref");
	http_response_json(resp, status, r);
}

/* A timeline event on the report's case, with a detail object (taken). */
static bool event(struct http_request *req, const char *case_id, const char *kind, const char *summary,
                  json_t *detail, const char *record_type, const char *record_id)
{
	char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(detail);
	bool ok = text && case_event_add(req->db, case_id, clock_now_ms(), kind, req->principal.account_id, summary,
	                                 text, record_type, record_id) == DB_OK;
	free(text);
	return ok;
}

/* ---- the list -------------------------------------------------------------------------- */

void api_pretrial_list(struct http_request *req, struct http_response *resp)
{
	const char *status = http_request_query(req, "status");
	static const char *const filters[] = {"open", "due", "overdue", "submitted", "all", NULL};
	size_t which = 0;
	if (status) {
		while (filters[which] && strcmp(filters[which], status) != 0)
			which++;
		if (!filters[which]) {
			struct field_errors fe = {0};
			field_error(&fe, "status", "must be one of: open, due, overdue, submitted, all");
			field_errors_respond(&fe, resp, req);
			return;
		}
	}
	struct civil_date now;
	if (!api_begin(req, resp) || !api_today_date(req, resp, &now, NULL))
		return;
	char today_text[11], soon_text[11];
	civil_date_format(now, today_text);
	civil_date_format(civil_date_add_days(now, DUE_SOON_DAYS), soon_text);
	static const char *const where[] = {
		" AND p.status IN ('requested', 'in_progress')",
		" AND p.status IN ('requested', 'in_progress') AND p.due_on >= ? AND p.due_on <= ?",
		" AND p.status IN ('requested', 'in_progress') AND p.due_on < ?",
		" AND p.status = 'submitted'",
		"",
	};
	/* Cases of the caller's unit and the units below it, and of units under a live grant (S16). */
	char *sql = xasprintf(
		"WITH RECURSIVE reach(id) AS (SELECT id FROM unit WHERE id = ?"
		" UNION SELECT u.id FROM unit u JOIN reach r ON u.parent_id = r.id)"
		" SELECT p.id, p.case_id, c.number AS case_number, c.person_id, pe.surname, pe.given_name,"
		" pe.patronymic, p.court, p.received_on, p.due_on, p.status"
		" FROM pretrial_request p JOIN case_file c ON c.id = p.case_id JOIN person pe ON pe.id = c.person_id"
		" WHERE (c.unit_id IN (SELECT id FROM reach) OR c.unit_id IN (SELECT g.unit_id FROM access_grant g"
		" WHERE g.account_id = ? AND g.revoked_at IS NULL AND g.expires_at > ?))%s"
		" ORDER BY p.due_on, p.id LIMIT 1000",
		where[which]);
	const struct principal *p = &req->principal;
	const char *unit = p->unit_id[0] ? p->unit_id : NULL;
	int64_t ms = clock_now_ms();
	json_t *items = which == 1   ? api_select(req->db, sql, "ttitt", unit, p->account_id, ms, today_text, soon_text)
	                : which == 2 ? api_select(req->db, sql, "ttit", unit, p->account_id, ms, today_text)
	                             : api_select(req->db, sql, "tti", unit, p->account_id, ms);
	free(sql);
	char detail[64];
	snprintf(detail, sizeof detail, "list status=%s", filters[which]);
	if (!items || !api_audit(req, AUDIT_CONSULT, "pretrial_request", NULL, AUDIT_OUTCOME_SUCCESS, detail)) {
		json_decref(items);
		api_db_failed(req, resp, "listing pre-trial reports");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		person_name(item, "person_name");
		add_deadline(item, now);
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* ---- a new request ----------------------------------------------------------------------- */

static const struct field_rule create_rules[] = {
	{"court", FIELD_STRING, true, 1, 200, NULL},
	{"court_reference", FIELD_STRING, false, 0, 100, NULL},
	{"received_on", FIELD_DATE, true, 0, 0, NULL},
	{"due_on", FIELD_DATE, false, 0, 0, NULL},
	{"language", FIELD_ENUM, true, 0, 0, languages},
};

void api_pretrial_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	struct civil_date received = {0}, due = {0};
	validate_object(req->json, create_rules, sizeof create_rules / sizeof create_rules[0], &fe);
	if (api_str(req, "court") && *api_str(req, "court") && text_blank(api_str(req, "court")))
		field_error(&fe, "court", "must not be blank");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool has_due = date_value(api_str(req, "due_on"), &due);
	date_value(api_str(req, "received_on"), &received);
	struct record_scope s;
	struct civil_date now;
	if (!scope_case(req, resp, case_id, &s) || !scope_may_change(req, resp, &s, "case", case_id) ||
	    !api_today_date(req, resp, &now, NULL))
		return;
	if (strcmp(s.kind, "pre_trial") != 0 || strcmp(s.status, "closed") == 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "not-pre-trial",
		             strcmp(s.kind, "pre_trial") != 0 ? "Not a pre-trial case" : "The case is closed",
		             strcmp(s.kind, "pre_trial") != 0
		                 ? "A pre-trial report is prepared only in a case of kind pre_trial."
		                 : "A closed case takes no new pre-trial report.",
		             NULL);
		return;
	}
	bool failed = false;
	json_t *existing = api_select_one(req->db, &failed, "SELECT id FROM pretrial_request WHERE case_id = ?", "t",
	                                  case_id);
	if (failed) {
		api_db_failed(req, resp, "reading a pre-trial report");
		return;
	}
	if (existing) {
		json_decref(existing);
		db_rollback(req->db);
		http_problem(resp, req, 409, "already-requested", "This case already has a pre-trial report",
		             "A case carries one court request for a pre-trial report; open the existing one.", NULL);
		return;
	}
	long due_days = 30;
	if (civil_date_compare(received, now) > 0)
		field_error(&fe, "received_on", "must not be in the future");
	if (!has_due && setting_number(req->db, "pretrial.due_days", &due_days) != DB_OK) {
		api_db_failed(req, resp, "reading a setting");
		return;
	}
	if (!has_due)
		due = civil_date_add_days(received, (int)due_days);
	else if (civil_date_compare(due, received) < 0)
		field_error(&fe, "due_on", "must not be before received_on");
	if (fe.list) {
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	char received_text[11], due_text[11], id[UUID_STR_LEN];
	civil_date_format(received, received_text);
	civil_date_format(due, due_text);
	const char *reference = api_str(req, "court_reference");
	struct pretrial_fields f = {
		.court = api_str(req, "court"),
		.court_reference = reference && *reference ? reference : NULL,
		.received_on = received_text,
		.due_on = due_text,
		.language = api_str(req, "language"),
	};
	char summary[96];
	snprintf(summary, sizeof summary, "Pre-trial report requested by the court, due %s", due_text);
	if (!pretrial_template()) {
		db_rollback(req->db);
		api_internal_error(req, resp, "the pre-trial report template is not usable");
		return;
	}
	if (pretrial_create(req->db, case_id, &f, clock_now_ms(), id) != DB_OK ||
	    !event(req, case_id, "pretrial.requested", summary,
	           json_pack("{s:s, s:s, s:s}", "request_id", id, "received_on", received_text, "due_on", due_text),
	           "pretrial_request", id) ||
	    !scope_audit(req, &s, AUDIT_COLLECT, "pretrial_request", id, case_id)) {
		api_db_failed(req, resp, "recording a pre-trial report");
		return;
	}
	answer_report(req, resp, id, 201);
}

/* ---- reading ------------------------------------------------------------------------------ */

void api_pretrial_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !request_scope(req, resp, id, &s))
		return;
	if (!scope_audit(req, &s, AUDIT_CONSULT, "pretrial_request", id, NULL)) {
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	answer_report(req, resp, id, 200);
}

/* ---- writing the report ----------------------------------------------------------------------- */

/* Checks the report object against the template; every problem names "report.<section>". */
static void check_report(const json_t *report, struct field_errors *fe)
{
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)report, key, v) {
		char *field = xasprintf("report.%s", key);
		const json_t *section = pretrial_template_section(key);
		if (!section) {
			field_error(fe, field, "is not a section of the report template");
		} else if (!json_is_null(v) && !json_is_string(v)) {
			field_error(fe, field, "must be a string");
		} else if (json_is_string(v)) {
			const char *s = json_string_value(v);
			json_int_t max = json_integer_value(json_object_get(section, "max_length"));
			if (strlen(s) != json_string_length(v))
				field_error(fe, field, "must not contain NUL characters");
			else if ((json_int_t)utf8_length(s) > max)
				field_error(fe, field, "must have at most %lld characters", (long long)max);
		}
		free(field);
	}
}

static const struct field_rule update_rules[] = {
	{"report", FIELD_OBJECT, true, 0, 0, NULL},
	{"language", FIELD_ENUM, false, 0, 0, languages},
};

void api_pretrial_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	const json_t *report = json_object_get(req->json, "report");
	validate_object(req->json, update_rules, 2, &fe);
	if (json_is_object(report))
		check_report(report, &fe);
	int64_t version = 0;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	struct record_scope s;
	if (!request_scope(req, resp, id, &s) || !scope_may_change(req, resp, &s, "pretrial_request", id))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT case_id, status, report, language, version FROM pretrial_request WHERE id = ?", "t", id);
	if (!row) {
		api_db_failed(req, resp, "reading a pre-trial report");
		return;
	}
	const char *status = json_string_value(json_object_get(row, "status"));
	if (strcmp(status, "requested") != 0 && strcmp(status, "in_progress") != 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "report-closed", "The report can no longer change",
		             strcmp(status, "submitted") == 0 ? "The report has been submitted to the court."
		                                               : "The court withdrew its request.",
		             NULL);
		json_decref(row);
		return;
	}
	if (json_integer_value(json_object_get(row, "version")) != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this report since you read it; read it again.", NULL);
		json_decref(row);
		return;
	}
	/* The new report keeps the non-empty texts; the sections whose text changed go to the timeline. */
	json_t *old = json_loads(json_string_value(json_object_get(row, "report")), 0, NULL);
	json_t *next = json_object(), *changed = json_array();
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)report, key, v) {
		if (json_is_string(v) && json_string_length(v) > 0)
			json_object_set(next, key, v);
	}
	size_t i;
	const json_t *section;
	json_array_foreach(json_object_get(pretrial_template(), "sections"), i, section) {
		const char *sid = json_string_value(json_object_get(section, "id"));
		const char *a = json_string_value(json_object_get(old, sid)), *b = json_string_value(json_object_get(next, sid));
		if (strcmp(a ? a : "", b ? b : "") != 0)
			json_array_append_new(changed, json_string(sid));
	}
	json_decref(old);
	char *text = json_dumps(next, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(next);
	char language[3];
	snprintf(language, sizeof language, "%s",
	         api_str(req, "language") ? api_str(req, "language") : json_string_value(json_object_get(row, "language")));
	char case_id[UUID_STR_LEN];
	snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(row, "case_id")));
	int64_t changes = 0, now = clock_now_ms();
	bool ok = text && db_run(req->db, &changes,
		"UPDATE pretrial_request SET report = ?, language = ?, updated_at = ?, version = version + 1,"
		" status = CASE status WHEN 'requested' THEN 'in_progress' ELSE status END WHERE id = ? AND version = ?",
		"ttiti", text, language, now, id, version) == DB_OK;
	free(text);
	json_decref(row);
	struct buf detail = {0};
	buf_puts(&detail, "sections changed:");
	json_array_foreach(changed, i, v) {
		buf_putc(&detail, i ? ',' : ' ');
		buf_puts(&detail, json_string_value(v));
	}
	size_t nchanged = json_array_size(changed);
	ok = ok && changes == 1 &&
	     event(req, case_id, "pretrial.report_edited", "Pre-trial report edited",
	           json_pack("{s:s, s:o, s:s}", "request_id", id, "sections", changed, "language", language),
	           "pretrial_request", id) &&
	     scope_audit(req, &s, AUDIT_ALTER, "pretrial_request", id, nchanged ? detail.data : "no section changed");
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "changing a pre-trial report");
		return;
	}
	answer_report(req, resp, id, 200);
}

/* ---- an inquiry task -------------------------------------------------------------------------- */

static const struct field_rule task_rules[] = {
	{"status", FIELD_ENUM, true, 0, 0, task_statuses},
	{"findings", FIELD_STRING, false, 0, 4000, NULL},
};

void api_pretrial_task_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *task = http_request_param(req, "task");
	struct field_errors fe = {0};
	validate_object(req->json, task_rules, 2, &fe);
	const char *status = api_str(req, "status"), *findings = api_str(req, "findings");
	if (findings && text_blank(findings))
		findings = NULL;
	if (!fe.list && strcmp(status, "open") != 0 && !findings)
		field_error(&fe, "findings", "is required when the inquiry is done or was not possible: say what was found, or why not");
	int64_t version = 0;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	struct record_scope s;
	if (!request_scope(req, resp, id, &s) || !scope_may_change(req, resp, &s, "pretrial_request", id))
		return;
	bool failed = false;
	json_t *row = uuid_valid(task) ? api_select_one(req->db, &failed,
		"SELECT t.kind, t.version, p.status AS request_status, p.case_id FROM pretrial_task t"
		" JOIN pretrial_request p ON p.id = t.request_id WHERE t.id = ? AND t.request_id = ?",
		"tt", task, id) : NULL;
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading an inquiry task");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "inquiry task of this report");
		}
		return;
	}
	const char *request_status = json_string_value(json_object_get(row, "request_status"));
	if (strcmp(request_status, "requested") != 0 && strcmp(request_status, "in_progress") != 0) {
		db_rollback(req->db);
		json_decref(row);
		http_problem(resp, req, 409, "report-closed", "The report can no longer change",
		             "The report's inquiries are closed once it is submitted or withdrawn.", NULL);
		return;
	}
	if (json_integer_value(json_object_get(row, "version")) != version) {
		db_rollback(req->db);
		json_decref(row);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this inquiry since you read it; read it again.", NULL);
		return;
	}
	char case_id[UUID_STR_LEN], kind[32], summary[96];
	snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(row, "case_id")));
	snprintf(kind, sizeof kind, "%s", json_string_value(json_object_get(row, "kind")));
	json_decref(row);
	int64_t changes = 0, now = clock_now_ms();
	enum db_status rc = strcmp(status, "open") == 0
		? db_run(req->db, &changes,
		         "UPDATE pretrial_task SET status = ?, findings = ?, done_at = NULL, done_by = NULL,"
		         " version = version + 1 WHERE id = ? AND version = ?",
		         "ttti", status, findings, task, version)
		: db_run(req->db, &changes,
		         "UPDATE pretrial_task SET status = ?, findings = ?, done_at = ?, done_by = ?,"
		         " version = version + 1 WHERE id = ? AND version = ?",
		         "ttitti", status, findings, now, req->principal.account_id, task, version);
	snprintf(summary, sizeof summary, "Inquiry '%s' of the pre-trial report marked %s", kind, status);
	if (rc != DB_OK || changes != 1 ||
	    !event(req, case_id, "pretrial.task_updated", summary,
	           json_pack("{s:s, s:s, s:s, s:s}", "request_id", id, "task_id", task, "kind", kind, "status", status),
	           "pretrial_task", task) ||
	    !scope_audit(req, &s, AUDIT_ALTER, "pretrial_task", task, status)) {
		api_db_failed(req, resp, "changing an inquiry task");
		return;
	}
	json_t *out = api_select_one(req->db, &failed,
		"SELECT t.id, t.kind, t.status, t.due_on, t.findings, t.done_at, a.display_name AS done_by_name, t.version"
		" FROM pretrial_task t LEFT JOIN account a ON a.id = t.done_by WHERE t.id = ?",
		"t", task);
	if (!out) {
		api_db_failed(req, resp, "reading an inquiry task");
		return;
	}
	api_commit_send(req, resp, 200, out);
}

/* ---- submission --------------------------------------------------------------------------------- */

void api_pretrial_submit(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	int64_t version = 0;
	/* If-Match is optional here: when sent, only the version the officer read is submitted. */
	if (http_request_header(req, "If-Match") && !api_if_match(req, resp, &version))
		return;
	struct record_scope s;
	if (!api_begin(req, resp) || !request_scope(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "pretrial_request", id))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT case_id, court, court_reference, status, report, version FROM pretrial_request WHERE id = ?", "t", id);
	if (!row) {
		api_db_failed(req, resp, "reading a pre-trial report");
		return;
	}
	const char *status = json_string_value(json_object_get(row, "status"));
	if (strcmp(status, "requested") != 0 && strcmp(status, "in_progress") != 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, strcmp(status, "submitted") == 0 ? "already-submitted" : "report-closed",
		             "The report cannot be submitted",
		             strcmp(status, "submitted") == 0 ? "The report has already been submitted to the court."
		                                               : "The court withdrew its request.",
		             NULL);
		json_decref(row);
		return;
	}
	if (version && json_integer_value(json_object_get(row, "version")) != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this report since you read it; read it again before submitting.", NULL);
		json_decref(row);
		return;
	}
	/* What is missing: required sections without text, inquiries still open. */
	json_t *missing = json_array();
	json_t *report = json_loads(json_string_value(json_object_get(row, "report")), 0, NULL);
	size_t i;
	const json_t *section;
	json_array_foreach(json_object_get(pretrial_template(), "sections"), i, section) {
		const char *sid = json_string_value(json_object_get(section, "id"));
		if (json_is_true(json_object_get(section, "required")) &&
		    text_blank(json_string_value(json_object_get(report, sid)))) {
			char *field = xasprintf("report.%s", sid);
			json_array_append_new(missing, json_pack("{s:s, s:s}", "field", field, "message",
			                                         "is required before the report is submitted"));
			free(field);
		}
	}
	json_decref(report);
	json_t *open = api_select(req->db,
		"SELECT kind FROM pretrial_task WHERE request_id = ? AND status = 'open' ORDER BY created_at, id", "t", id);
	json_t *t;
	json_array_foreach(open, i, t) {
		char *field = xasprintf("tasks.%s", json_string_value(json_object_get(t, "kind")));
		json_array_append_new(missing, json_pack("{s:s, s:s}", "field", field, "message",
		                                         "is still open: record its findings or mark it not possible"));
		free(field);
	}
	if (!open) {
		json_decref(missing);
		json_decref(row);
		api_db_failed(req, resp, "reading inquiry tasks");
		return;
	}
	json_decref(open);
	if (json_array_size(missing)) {
		db_rollback(req->db);
		char detail[96];
		snprintf(detail, sizeof detail, "%zu thing%s must be done before the report can be submitted.",
		         json_array_size(missing), json_array_size(missing) == 1 ? "" : "s");
		http_problem(resp, req, 409, "report-incomplete", "The report is not complete", detail, missing);
		json_decref(row);
		return;
	}
	json_decref(missing);
	char case_id[UUID_STR_LEN];
	snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(row, "case_id")));
	const char *reference = json_string_value(json_object_get(row, "court_reference"));
	char *recipient = xasprintf("the court: %s", json_string_value(json_object_get(row, "court")));
	char *why = xasprintf("pre-trial report requested by the court%s%s", reference ? ", reference " : "",
	                      reference ? reference : "");
	int64_t changes = 0, now = clock_now_ms();
	bool ok = db_run(req->db, &changes,
		"UPDATE pretrial_request SET status = 'submitted', submitted_at = ?, submitted_by = ?, updated_at = ?,"
		" version = version + 1 WHERE id = ? AND version = ?",
		"ititi", now, req->principal.account_id, now, id, json_integer_value(json_object_get(row, "version"))) == DB_OK;
	json_decref(row);
	ok = ok && changes == 1 &&
	     event(req, case_id, "pretrial.submitted", "Pre-trial report submitted to the court",
	           json_pack("{s:s}", "request_id", id), "pretrial_request", id) &&
	     scope_audit(req, &s, AUDIT_ALTER, "pretrial_request", id, "submitted") &&
	     api_audit_disclose(req, "pretrial_request", id, recipient, why, "pre-trial report submitted");
	free(recipient);
	free(why);
	if (!ok) {
		api_db_failed(req, resp, "submitting a pre-trial report");
		return;
	}
	answer_report(req, resp, id, 200);
}

/* ---- the document ------------------------------------------------------------------------------ */

/* A date as people read it in the language (civil_date_human). */
static void put_date(struct buf *b, const char *lang, const char *iso)
{
	struct civil_date d;
	if (!date_value(iso, &d)) {
		html_escape(b, iso);
		return;
	}
	char text[48];
	civil_date_human(d, lang, false, text);
	html_escape(b, text);
}

static void row_text(struct buf *b, const char *lang, const char *label, const char *value)
{
	buf_puts(b, "<tr><th>");
	html_escape(b, pretrial_label(label, lang));
	buf_puts(b, "</th><td>");
	html_escape(b, value && *value ? value : "—");
	buf_puts(b, "</td></tr>\n");
}

static void row_date(struct buf *b, const char *lang, const char *label, const char *iso)
{
	buf_puts(b, "<tr><th>");
	html_escape(b, pretrial_label(label, lang));
	buf_puts(b, "</th><td>");
	put_date(b, lang, iso);
	buf_puts(b, "</td></tr>\n");
}

static const char *text_in(const json_t *texts, const char *lang)
{
	const char *s = json_string_value(json_object_get(texts, lang));
	return s ? s : "";
}

/* The date of an instant in the deployment's time zone. */
static void put_instant_date(struct buf *b, db *conn, const char *lang, int64_t ms)
{
	char iso[11];
	if (api_local_date(conn, ms, iso))
		put_date(b, lang, iso);
	else
		buf_puts(b, "—");
}

static void render_document(struct buf *b, db *conn, const json_t *r, const char *lang, int64_t submitted_ms)
{
	const json_t *t = pretrial_template();
	const json_t *person = json_object_get(r, "person");
	const char *status = json_string_value(json_object_get(r, "status"));
	html_document_begin(b, lang, text_in(json_object_get(t, "title"), lang));
	buf_puts(b, "<h1>");
	html_escape(b, text_in(json_object_get(t, "title"), lang));
	buf_puts(b, "</h1>\n");
	if (strcmp(status, "submitted") != 0) {
		buf_puts(b, "<p class=\"draft\">");
		html_escape(b, pretrial_label("draft", lang));
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<p class=\"notice\">");
	html_escape(b, pretrial_label("innocence", lang));
	buf_puts(b, "</p>\n<table>\n");
	row_text(b, lang, "case_number", json_string_value(json_object_get(r, "case_number")));
	row_text(b, lang, "court", json_string_value(json_object_get(r, "court")));
	row_text(b, lang, "court_reference", json_string_value(json_object_get(r, "court_reference")));
	row_date(b, lang, "received_on", json_string_value(json_object_get(r, "received_on")));
	row_date(b, lang, "due_on", json_string_value(json_object_get(r, "due_on")));
	char key[48];
	snprintf(key, sizeof key, "status.%s", status);
	row_text(b, lang, "status", pretrial_label(key, lang));
	buf_puts(b, "</table>\n<h2>");
	html_escape(b, pretrial_label("person", lang));
	buf_puts(b, "</h2>\n<table>\n");
	struct buf name = {0};
	const char *parts[] = {"surname", "given_name", "patronymic"};
	for (size_t i = 0; i < 3; i++) {
		const char *s = json_string_value(json_object_get(person, parts[i]));
		if (s && *s) {
			if (name.len)
				buf_putc(&name, ' ');
			buf_puts(&name, s);
		}
	}
	row_text(b, lang, "full_name", name.data);
	buf_free(&name);
	row_date(b, lang, "birth_date", json_string_value(json_object_get(person, "birth_date")));
	buf_puts(b, "</table>\n<h2>");
	html_escape(b, pretrial_label("report", lang));
	buf_puts(b, "</h2>\n");
	const json_t *report = json_object_get(r, "report");
	size_t i;
	const json_t *section;
	json_array_foreach(json_object_get(t, "sections"), i, section) {
		const char *sid = json_string_value(json_object_get(section, "id"));
		const char *text = json_string_value(json_object_get(report, sid));
		buf_printf(b, "<section>\n<h3>%zu. ", i + 1);
		html_escape(b, text_in(json_object_get(section, "title"), lang));
		buf_puts(b, "</h3>\n<p class=\"label\">");
		html_escape(b, pretrial_label(json_string_value(json_object_get(section, "nature")), lang));
		if (json_is_true(json_object_get(section, "special_category"))) {
			buf_puts(b, " · ");
			html_escape(b, pretrial_label("special_category", lang));
		}
		buf_puts(b, "</p>\n");
		if (text && *text) {
			buf_puts(b, "<div class=\"text\">");
			html_escape(b, text);
			buf_puts(b, "</div>\n");
		} else {
			buf_puts(b, "<p class=\"muted\">");
			html_escape(b, pretrial_label("not_written", lang));
			buf_puts(b, "</p>\n");
		}
		buf_puts(b, "</section>\n");
	}
	buf_puts(b, "<h2>");
	html_escape(b, pretrial_label("inquiries", lang));
	buf_puts(b, "</h2>\n<table class=\"list\">\n<thead><tr><th>");
	html_escape(b, pretrial_label("inquiry", lang));
	buf_puts(b, "</th><th>");
	html_escape(b, pretrial_label("status", lang));
	buf_puts(b, "</th><th>");
	html_escape(b, pretrial_label("findings", lang));
	buf_puts(b, "</th></tr></thead>\n<tbody>\n");
	const json_t *task;
	json_array_foreach(json_object_get(r, "tasks"), i, task) {
		snprintf(key, sizeof key, "task.%s", json_string_value(json_object_get(task, "kind")));
		buf_puts(b, "<tr><td>");
		html_escape(b, pretrial_label(key, lang));
		snprintf(key, sizeof key, "task_status.%s", json_string_value(json_object_get(task, "status")));
		buf_puts(b, "</td><td>");
		html_escape(b, pretrial_label(key, lang));
		buf_puts(b, "</td><td class=\"text\">");
		html_escape(b, json_string_value(json_object_get(task, "findings")));
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n<footer>\n");
	if (strcmp(status, "submitted") == 0) {
		buf_puts(b, "<p>");
		html_escape(b, pretrial_label("submitted_at", lang));
		buf_puts(b, ": ");
		put_instant_date(b, conn, lang, submitted_ms);
		buf_puts(b, "<br>");
		html_escape(b, pretrial_label("submitted_by", lang));
		buf_puts(b, ": ");
		html_escape(b, json_string_value(json_object_get(r, "submitted_by_name")));
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<p class=\"muted\">");
	html_escape(b, pretrial_label("generated", lang));
	buf_puts(b, ": ");
	put_instant_date(b, conn, lang, clock_now_ms());
	buf_puts(b, " · Kadam · ");
	html_escape(b, json_string_value(json_object_get(r, "template_ref")));
	buf_puts(b, "</p>\n</footer>\n");
	html_document_end(b);
}

void api_pretrial_document(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *lang = http_request_query(req, "lang");
	if (lang && !api_language_valid(lang)) {
		api_field_problem(req, resp, "lang", "must be one of: ky, ru, en");
		return;
	}
	struct record_scope s;
	struct civil_date now;
	if (!api_begin(req, resp) || !request_scope(req, resp, id, &s) || !api_today_date(req, resp, &now, NULL))
		return;
	bool failed = false;
	json_t *r = report_json(req->db, id, now, &failed);
	json_t *submitted = r ? api_select_one(req->db, &failed,
		"SELECT submitted_at AS ms FROM pretrial_request WHERE id = ?", "t", id) : NULL;
	if (!r || !submitted || !pretrial_template()) {
		json_decref(r);
		json_decref(submitted);
		api_db_failed(req, resp, "reading a pre-trial report");
		return;
	}
	if (!lang)
		lang = json_string_value(json_object_get(r, "language"));
	/* submitted_at came back as text (an *_at column); "ms" is the raw number. */
	int64_t submitted_ms = json_integer_value(json_object_get(submitted, "ms"));
	json_decref(submitted);
	struct buf doc = {0};
	char detail[48];
	snprintf(detail, sizeof detail, "document lang=%s", lang);
	render_document(&doc, req->db, r, lang, submitted_ms);
	json_decref(r);
	scope_send_document(req, resp, &s, "pretrial_request", id, detail, &doc);
}
