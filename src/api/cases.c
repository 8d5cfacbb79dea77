/*
 * cases.c — cases: the list and caseloads within one's units, opening,
 * reading (with decisions, key dates and allocation history), closing,
 * allocation and transfer, and the timeline.
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/person.h"


static const char *const statuses[] = {"open", "suspended", "closed", NULL};

void api_cases_list(struct http_request *req, struct http_response *resp)
{
	const char *unit = http_request_query(req, "unit_id"), *officer = http_request_query(req, "officer_id");
	const char *kind = http_request_query(req, "kind"), *status = http_request_query(req, "status");
	const char *cursor = http_request_query(req, "cursor");
	struct field_errors fe = {0};
	long limit = api_limit(req, &fe);
	if (unit && !uuid_valid(unit))
		field_error(&fe, "unit_id", "must be an id");
	if (officer && strcmp(officer, "me") != 0 && !uuid_valid(officer))
		field_error(&fe, "officer_id", "must be an id or \"me\"");
	if (kind && !in_list(kind, case_kinds))
		field_error(&fe, "kind", "must be one of: pre_trial, executive, penitentiary, post_penitentiary");
	if (status && !in_list(status, statuses))
		field_error(&fe, "status", "must be one of: open, suspended, closed");
	if (cursor && strlen(cursor) > 60)
		field_error(&fe, "cursor", "is not a cursor this server gave");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	if (officer && strcmp(officer, "me") == 0)
		officer = req->principal.account_id;
	/* Cursor: "<opened_on>|<id>" of the last row, newest first. */
	char after_date[16] = "", after_id[UUID_STR_LEN] = "";
	if (cursor && sscanf(cursor, "%10[0-9-]|%36s", after_date, after_id) != 2)
		after_date[0] = after_id[0] = '\0';
	const struct principal *p = &req->principal;
	json_t *items = api_select(req->db,
		REACH_CTE
		" SELECT c.id, c.number, c.kind, c.status, c.person_id,"
		" " PERSON_NAME_SQL("p") " AS person_name, p.birth_date,"
		" c.unit_id, u.name AS unit_name, c.officer_id, a.display_name AS officer_name, c.opened_on, c.closed_on"
		" FROM case_file c JOIN person p ON p.id = c.person_id JOIN unit u ON u.id = c.unit_id"
		" LEFT JOIN account a ON a.id = c.officer_id"
		" WHERE c.unit_id IN (SELECT id FROM reach)"
		" AND (CAST(? AS TEXT) IS NULL OR c.unit_id = ?) AND (CAST(? AS TEXT) IS NULL OR c.officer_id = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR c.kind = ?) AND (CAST(? AS TEXT) IS NULL OR c.status = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR c.opened_on < ? OR (c.opened_on = ? AND c.id < ?))"
		" ORDER BY c.opened_on DESC, c.id DESC LIMIT ?",
		"ttitttttttttttti", p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), unit, unit, officer,
		officer, kind, kind, status, status, after_date[0] ? after_date : NULL, after_date, after_date, after_id,
		(int64_t)limit);
	if (!items) {
		api_db_failed(req, resp, "listing cases");
		return;
	}
	bool logged = api_audit_list(req, "case", items, NULL);
	if (!logged) {
		json_decref(items);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	json_t *next = json_null();
	if ((long)json_array_size(items) == limit) {
		json_t *last = json_array_get(items, json_array_size(items) - 1);
		char *c = xasprintf("%s|%s", json_string_value(json_object_get(last, "opened_on")),
		                    json_string_value(json_object_get(last, "id")));
		next = json_string(c);
		free(c);
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(next);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* The case page: the case, its person, decisions with key dates, allocation history. */
static json_t *case_json(db *c, const char *id, bool *failed_r)
{
	json_t *k = api_select_one(c, failed_r,
		"SELECT c.id, c.number, c.kind, c.status, c.opened_on, c.open_reason, c.closed_on, c.close_reason,"
		" c.consent_on, c.version, c.created_at, c.updated_at, c.unit_id, u.name AS unit_name, c.officer_id,"
		" a.display_name AS officer_name, c.person_id FROM case_file c JOIN unit u ON u.id = c.unit_id"
		" LEFT JOIN account a ON a.id = c.officer_id WHERE c.id = ?", "t", id);
	if (!k) {
		*failed_r = true;
		return NULL;
	}
	json_t *person = api_select_one(c, failed_r,
		"SELECT id, surname, given_name, patronymic, surname_latin, given_name_latin, patronymic_latin, birth_date,"
		" preferred_language, (SELECT COUNT(*) FROM person_photo ph WHERE ph.person_id = person.id) AS is_has_photo"
		" FROM person WHERE id = ?", "t", json_string_value(json_object_get(k, "person_id")));
	json_t *decisions = api_select(c,
		"SELECT id, authority, number, decided_on, measure, start_on, term, remand_days, duties, status, version,"
		" created_at FROM decision WHERE case_id = ? ORDER BY decided_on, created_at", "t", id);
	json_t *assignments = api_select(c,
		"SELECT s.unit_id, u.name AS unit_name, s.officer_id, a.display_name AS officer_name, s.from_at, s.to_at,"
		" s.reason, b.display_name AS by_name FROM case_assignment s JOIN unit u ON u.id = s.unit_id"
		" LEFT JOIN account a ON a.id = s.officer_id LEFT JOIN account b ON b.id = s.by_account"
		" WHERE s.case_id = ? ORDER BY s.from_at DESC", "t", id);
	bool none = false;
	json_t *pretrial = api_select_one(c, &none, "SELECT id FROM pretrial_request WHERE case_id = ?", "t", id);
	if (!person || !decisions || !assignments || none) {
		json_decref(k), json_decref(person), json_decref(decisions), json_decref(assignments);
		json_decref(pretrial);
		*failed_r = true;
		return NULL;
	}
	size_t i;
	json_t *d;
	json_array_foreach(decisions, i, d) {
		if (!decision_json_fill(c, d)) {
			json_decref(k), json_decref(person), json_decref(decisions), json_decref(assignments);
			json_decref(pretrial);
			*failed_r = true;
			return NULL;
		}
	}
	json_object_set_new(k, "person", person);
	json_object_set_new(k, "decisions", decisions);
	json_object_set_new(k, "assignments", assignments);
	json_object_set_new(k, "pretrial_report_id", pretrial ? json_incref(json_object_get(pretrial, "id")) : json_null());
	json_decref(pretrial);
	*failed_r = false;
	return k;
}

/* Answers the case; may_change says whether the caller may change it (their own units or a grant: not a stated
 * purpose, and not the receiving unit of its release plan before the handover), so the UI offers only what works. */
static void answer_case(struct http_request *req, struct http_response *resp, const char *id, int status,
                        bool may_change)
{
	bool failed = false;
	json_t *k = case_json(req->db, id, &failed);
	if (!k) {
		api_db_failed(req, resp, "reading a case");
		return;
	}
	json_object_set_new(k, "may_change", json_boolean(may_change));
	api_commit_send(req, resp, status, k);
}

void api_case_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	if (!scope_audit(req, &s, AUDIT_CONSULT, "case", id, NULL)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	bool may_change = s.access == UNIT_ACCESS_OWN ||
	                  (s.access == UNIT_ACCESS_GRANTED && strcmp(s.grant.kind, RECEIVING_GRANT_KIND) != 0);
	answer_case(req, resp, id, 200, may_change);
}

static const struct field_rule create_rules[] = {
	{"person_id", FIELD_UUID, true, 0, 0, NULL},
	{"kind", FIELD_ENUM, true, 0, 0, case_kinds},
	{"unit_id", FIELD_UUID, false, 0, 0, NULL},
	{"officer_id", FIELD_UUID, false, 0, 0, NULL},
	{"opened_on", FIELD_DATE, true, 0, 0, NULL},
	{"open_reason", FIELD_STRING, true, 3, 500, NULL},
	{"consent_on", FIELD_DATE, false, 0, 0, NULL},
};

/* True when the officer is an active account of the unit; answers 422 naming field otherwise. */
static bool officer_of_unit(struct http_request *req, struct http_response *resp, const char *officer,
                            const char *unit, const char *field)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT id FROM account WHERE id = ? AND unit_id = ? AND status = 'active'", "tt", officer, unit);
	if (failed) {
		api_db_failed(req, resp, "reading an account");
		return false;
	}
	if (!row) {
		api_field_problem(req, resp, field, "must be an active account of the case's unit");
		return false;
	}
	json_decref(row);
	return true;
}

void api_case_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	const json_t *b = req->json;
	if (validate_object(b, create_rules, NRULES(create_rules), &fe)) {
		const char *kind = json_str(b, "kind");
		if (strcmp(kind, "post_penitentiary") == 0 && !json_str(b, "consent_on"))
			field_error(&fe, "consent_on", "is required: post-penitentiary help is given at the person's own request");
		if (strcmp(kind, "post_penitentiary") != 0 && json_str(b, "consent_on"))
			field_error(&fe, "consent_on", "is only for post-penitentiary cases");
	}
	if (field_errors_respond(&fe, resp, req))
		return;
	const char *unit = json_str(b, "unit_id");
	if (!unit)
		unit = req->principal.unit_id[0] ? req->principal.unit_id : NULL;
	if (!unit) {
		field_error(&fe, "unit_id", "is required: your account has no unit");
		field_errors_respond(&fe, resp, req);
		return;
	}
	struct record_scope ps;
	if (!api_begin(req, resp) || !scope_person(req, resp, json_str(b, "person_id"), &ps))
		return;
	if (ps.merged) {
		api_field_problem(req, resp, "person_id", "was merged into another record: open the case there");
		return;
	}
	enum unit_access a = scope_unit(req, unit, false, NULL);
	if (a == UNIT_ACCESS_ERROR) {
		api_db_failed(req, resp, "deciding access");
		return;
	}
	if (a != UNIT_ACCESS_OWN) {
		api_field_problem(req, resp, "unit_id", "must be your own unit or one below it");
		return;
	}
	const char *officer = json_str(b, "officer_id");
	if (officer && !officer_of_unit(req, resp, officer, unit, "officer_id"))
		return;
	struct case_fields f = {.person_id = json_str(b, "person_id"), .kind = json_str(b, "kind"), .unit_id = unit,
	                        .officer_id = officer, .opened_on = json_str(b, "opened_on"),
	                        .open_reason = json_str(b, "open_reason"), .consent_on = json_str(b, "consent_on")};
	char id[UUID_STR_LEN], number[16];
	if (case_open(req->db, &f, req->principal.account_id, clock_now_ms(), id, number) != DB_OK ||
	    !api_audit(req, AUDIT_COLLECT, "case", id, AUDIT_OUTCOME_SUCCESS, number)) {
		api_db_failed(req, resp, "opening a case");
		return;
	}
	answer_case(req, resp, id, 201, true);
}

static const struct field_rule close_rules[] = {
	{"closed_on", FIELD_DATE, true, 0, 0, NULL},
	{"reason", FIELD_STRING, true, 3, 500, NULL},
};

void api_case_close(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, close_rules, NRULES(close_rules), &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "case", id))
		return;
	if (strcmp(s.status, "closed") == 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "closed", "Already closed", "This case is closed already.", NULL);
		return;
	}
	bool failed = false;
	json_t *opened = api_select_one(req->db, &failed, "SELECT opened_on FROM case_file WHERE id = ?", "t", id);
	const char *closed_on = json_str(req->json, "closed_on");
	if (opened && strcmp(closed_on, json_string_value(json_object_get(opened, "opened_on"))) < 0) {
		json_decref(opened);
		api_field_problem(req, resp, "closed_on", "must not be before the case was opened");
		return;
	}
	json_decref(opened);
	int64_t now = clock_now_ms();
	struct buf detail = {0};
	buf_puts(&detail, "{\"reason\":");
	buf_json_string(&detail, json_str(req->json, "reason"));
	buf_puts(&detail, ",\"closed_on\":");
	buf_json_string(&detail, closed_on);
	buf_putc(&detail, '}');
	bool ok = db_run(req->db, NULL,
	                 "UPDATE case_file SET status = 'closed', closed_on = ?, close_reason = ?, updated_at = ?,"
	                 " version = version + 1 WHERE id = ?",
	                 "ttit", closed_on, json_str(req->json, "reason"), now, id) == DB_OK &&
	          db_run(req->db, NULL, "UPDATE case_assignment SET to_at = ? WHERE case_id = ? AND to_at IS NULL", "it",
	                 now, id) == DB_OK &&
	          case_event_add(req->db, id, now, "case.closed", req->principal.account_id, "Case closed", detail.data,
	                         "case", id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_ALTER, "case", id, "closed");
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "closing a case");
		return;
	}
	answer_case(req, resp, id, 200, true);
}

static const struct field_rule allocate_rules[] = {
	{"officer_id", FIELD_UUID, false, 0, 0, NULL},
	{"unit_id", FIELD_UUID, false, 0, 0, NULL},
	{"reason", FIELD_STRING, true, 3, 500, NULL},
};

void api_case_allocate(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, allocate_rules, NRULES(allocate_rules), &fe) && !json_str(req->json, "officer_id") &&
	    !json_str(req->json, "unit_id"))
		field_error(&fe, "officer_id", "or unit_id is required");
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	if (s.access != UNIT_ACCESS_OWN) {
		db_rollback(req->db);
		api_audit_denied(req, "case", id, "allocation outside the caller's units");
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             "Only a case of your own unit (or one below it) can be allocated or transferred.", NULL);
		return;
	}
	if (strcmp(s.status, "closed") == 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "closed", "The case is closed", "A closed case is not allocated.", NULL);
		return;
	}
	const char *unit = json_str(req->json, "unit_id");
	const char *officer = json_str(req->json, "officer_id");
	bool transfer = unit && strcmp(unit, s.unit_id) != 0;
	if (!unit)
		unit = s.unit_id;
	if (transfer) {
		/* A transfer goes to a unit of the same agency. */
		bool failed = false;
		json_t *same = api_select_one(req->db, &failed,
			"SELECT a.id FROM unit a JOIN unit b ON b.agency_id = a.agency_id WHERE a.id = ? AND b.id = ?", "tt", unit,
			s.unit_id);
		if (failed) {
			api_db_failed(req, resp, "reading a unit");
			return;
		}
		if (!same) {
			api_field_problem(req, resp, "unit_id", "must be a unit of the case's agency");
			return;
		}
		json_decref(same);
	}
	if (officer && !officer_of_unit(req, resp, officer, unit, "officer_id"))
		return;
	int64_t now = clock_now_ms();
	char aid[UUID_STR_LEN];
	uuid_v7(aid);
	const char *reason = json_str(req->json, "reason");
	struct buf detail = {0};
	buf_printf(&detail, "{\"unit_id\":\"%s\",\"officer_id\":", unit);
	buf_json_string(&detail, officer);
	buf_puts(&detail, ",\"reason\":");
	buf_json_string(&detail, reason);
	buf_printf(&detail, ",\"from_unit_id\":\"%s\"}", s.unit_id);
	bool ok = db_run(req->db, NULL, "UPDATE case_assignment SET to_at = ? WHERE case_id = ? AND to_at IS NULL", "it",
	                 now, id) == DB_OK &&
	          db_run(req->db, NULL,
	                 "INSERT INTO case_assignment (id, case_id, unit_id, officer_id, from_at, reason, by_account)"
	                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
	                 "ttttitt", aid, id, unit, officer, now, reason, req->principal.account_id) == DB_OK &&
	          db_run(req->db, NULL,
	                 "UPDATE case_file SET unit_id = ?, officer_id = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ?",
	                 "ttit", unit, officer, now, id) == DB_OK &&
	          case_event_add(req->db, id, now, transfer ? "case.transferred" : "case.allocated",
	                         req->principal.account_id, transfer ? "Case transferred to another unit" : "Case allocated",
	                         detail.data, "case_assignment", aid) == DB_OK &&
	          scope_audit(req, &s, AUDIT_ALTER, "case", id, transfer ? "transferred" : "allocated");
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "allocating a case");
		return;
	}
	answer_case(req, resp, id, 200, true);
}

void api_case_timeline(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *order = http_request_query(req, "order");
	if (order && strcmp(order, "asc") != 0 && strcmp(order, "desc") != 0) {
		struct field_errors fe = {0};
		field_error(&fe, "order", "must be asc or desc");
		field_errors_respond(&fe, resp, req);
		return;
	}
	bool asc = order && strcmp(order, "asc") == 0;
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	json_t *items = api_select(req->db,
		asc ? "SELECT e.id, e.at, e.kind, a.display_name AS actor_name, e.summary, e.detail, e.record_type,"
		      " e.record_id FROM case_event e LEFT JOIN account a ON a.id = e.actor_id WHERE e.case_id = ?"
		      " ORDER BY e.at, e.id LIMIT 1000"
		    : "SELECT e.id, e.at, e.kind, a.display_name AS actor_name, e.summary, e.detail, e.record_type,"
		      " e.record_id FROM case_event e LEFT JOIN account a ON a.id = e.actor_id WHERE e.case_id = ?"
		      " ORDER BY e.at DESC, e.id DESC LIMIT 1000",
		"t", id);
	if (!items || !scope_audit(req, &s, AUDIT_CONSULT, "case_timeline", id, NULL)) {
		json_decref(items);
		api_db_failed(req, resp, "reading a timeline");
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(items, i, e) {
		api_member_object(e, "detail");
		char when[32]; /* "at" is not an *_at column, so api_row_json left it a number */
		clock_format_rfc3339(json_integer_value(json_object_get(e, "at")), when);
		json_object_set_new(e, "at", json_string(when));
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* Counts by kind and status as objects, from rows (key, kind, status, n). */
static void add_count(json_t *o, const char *kind, const char *status, json_int_t n)
{
	json_t *by_kind = json_object_get(o, "by_kind"), *by_status = json_object_get(o, "by_status");
	json_object_set_new(by_kind, kind, json_integer(json_integer_value(json_object_get(by_kind, kind)) + n));
	json_object_set_new(by_status, status, json_integer(json_integer_value(json_object_get(by_status, status)) + n));
	json_object_set_new(o, "total", json_integer(json_integer_value(json_object_get(o, "total")) + n));
}

static json_t *counts(void)
{
	json_t *o = json_pack("{s:{}, s:{}, s:i}", "by_kind", "by_status", "total", 0);
	for (const char *const *k = case_kinds; *k; k++)
		json_object_set_new(json_object_get(o, "by_kind"), *k, json_integer(0));
	for (const char *const *st = statuses; *st; st++)
		json_object_set_new(json_object_get(o, "by_status"), *st, json_integer(0));
	return o;
}

void api_caseload(struct http_request *req, struct http_response *resp)
{
	const char *unit = http_request_query(req, "unit_id"), *officer = http_request_query(req, "officer_id");
	struct field_errors fe = {0};
	if (unit && !uuid_valid(unit))
		field_error(&fe, "unit_id", "must be an id");
	if (officer && strcmp(officer, "me") != 0)
		field_error(&fe, "officer_id", "must be \"me\"");
	if (unit && officer)
		field_error(&fe, "officer_id", "cannot be given with unit_id");
	if (field_errors_respond(&fe, resp, req))
		return;
	if (!officer && !unit)
		unit = req->principal.unit_id[0] ? req->principal.unit_id : NULL;
	if (!officer && !unit) {
		field_error(&fe, "unit_id", "is required: your account has no unit");
		field_errors_respond(&fe, resp, req);
		return;
	}
	bool purpose = false;
	if (!api_purpose(req, resp, &purpose) || !api_begin(req, resp))
		return;
	json_t *unit_json = json_null();
	json_t *rows;
	if (officer) {
		rows = api_select(req->db,
			"SELECT c.officer_id, a.display_name AS officer_name, c.kind, c.status, COUNT(*) AS n FROM case_file c"
			" JOIN account a ON a.id = c.officer_id WHERE c.officer_id = ? GROUP BY c.officer_id, a.display_name,"
			" c.kind, c.status", "t", req->principal.account_id);
	} else {
		struct unit_grant g = {0};
		enum unit_access a = scope_unit(req, unit, purpose, &g);
		if (a == UNIT_ACCESS_ERROR) {
			api_db_failed(req, resp, "deciding access");
			return;
		}
		if (a == UNIT_ACCESS_NEED_PURPOSE || a == UNIT_ACCESS_DENIED) {
			db_rollback(req->db);
			api_audit_denied(req, "unit", unit, "caseload of a unit outside the caller's scope");
			http_problem(resp, req, 403, "forbidden", "Not permitted", "This unit is outside your own.", NULL);
			return;
		}
		bool failed = false;
		unit_json = api_select_one(req->db, &failed, "SELECT id, name FROM unit WHERE id = ?", "t", unit);
		if (!unit_json)
			unit_json = json_null();
		/* The unit and the units below it. */
		rows = api_select(req->db,
			UNITS_BELOW_CTE
			" SELECT c.officer_id, a.display_name AS officer_name, c.kind, c.status, COUNT(*) AS n FROM case_file c"
			" LEFT JOIN account a ON a.id = c.officer_id WHERE c.unit_id IN (SELECT id FROM below)"
			" GROUP BY c.officer_id, a.display_name, c.kind, c.status", "t", unit);
	}
	if (!rows) {
		json_decref(unit_json);
		api_db_failed(req, resp, "counting cases");
		return;
	}
	json_t *out = counts(), *officers = json_object();
	json_int_t unallocated = 0;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *oid = json_string_value(json_object_get(r, "officer_id"));
		const char *kind = json_string_value(json_object_get(r, "kind"));
		const char *status = json_string_value(json_object_get(r, "status"));
		json_int_t n = json_integer_value(json_object_get(r, "n"));
		add_count(out, kind, status, n);
		if (!oid) {
			if (strcmp(status, "closed") != 0)
				unallocated += n;
			continue;
		}
		json_t *o = json_object_get(officers, oid);
		if (!o) {
			o = counts();
			json_object_set_new(o, "officer_id", json_string(oid));
			json_object_set(o, "officer_name", json_object_get(r, "officer_name"));
			json_object_set_new(officers, oid, o);
		}
		add_count(o, kind, status, n);
	}
	json_decref(rows);
	json_t *list = json_array();
	const char *key;
	json_t *o;
	json_object_foreach(officers, key, o)
		json_array_append(list, o);
	json_decref(officers);
	json_object_set_new(out, "officers", list);
	json_object_set_new(out, "unallocated", json_integer(unallocated));
	json_object_set_new(out, "unit", unit_json);
	if (!api_audit(req, AUDIT_CONSULT, "caseload", unit ? unit : req->principal.account_id, AUDIT_OUTCOME_SUCCESS,
	               "counts only")) {
		json_decref(out);
		api_db_failed(req, resp, "logging a read");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 200, out);
}
