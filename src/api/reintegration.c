/*
 * reintegration.c — reintegration needs as tasks, and the children of
 * returnee families with a child-protection referral.
 *
 * A need (identity documents, housing, work, ...) belongs to a case, has an
 * owning agency (and optionally an account of it), a due date not before the
 * case was opened, and a status that moves open → in_progress → done |
 * cancelled; done and cancelled are final and carry an outcome note. Staff
 * reach needs through their case (scope_case; writes need scope_may_change).
 *
 * Family members themselves (third parties, S15) are handled with the rest of
 * a person's record in person_details.c, which uses the body checks below;
 * the child-protection list is here. A restricted family member is listed
 * only to callers whose own units hold the person, never under a grant or a
 * stated purpose.
 *
 * Body kinds of reintegration_body_validate: "need", "need_update",
 * "third_party" (a whole family member: POST, and a PUT merged with the stored
 * row), "third_party_update" (the members a PUT may carry).
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

/* ---- body checks -------------------------------------------------------------------------- */

static const char *const areas[] = {"identity_documents", "housing", "work", "education", "health", "family",
                                    "finances", "debts", "community_religious_support", NULL};
static const char *const need_statuses[] = {"open", "in_progress", "done", "cancelled", NULL};
static const char *const relationships[] = {"spouse", "child", "parent", "sibling", "relative", "associate",
                                            "victim", "other", NULL};

static const struct field_rule need_rules[] = {
	{"area", FIELD_ENUM, true, 0, 0, areas},
	{"description", FIELD_STRING, true, 3, 2000, NULL},
	{"owner_agency_id", FIELD_UUID, true, 0, 0, NULL},
	{"owner_account_id", FIELD_UUID, false, 0, 0, NULL},
	{"due_on", FIELD_DATE, true, 0, 0, NULL},
};
static const struct field_rule need_update_rules[] = {
	{"area", FIELD_ENUM, false, 0, 0, areas},
	{"description", FIELD_STRING, false, 3, 2000, NULL},
	{"owner_agency_id", FIELD_UUID, false, 0, 0, NULL},
	{"owner_account_id", FIELD_UUID, false, 0, 0, NULL},
	{"due_on", FIELD_DATE, false, 0, 0, NULL},
	{"status", FIELD_ENUM, false, 0, 0, need_statuses},
	{"outcome_note", FIELD_STRING, false, 3, 2000, NULL},
};

/* POST (required as marked) and, with nothing required, the members of a PUT. */
#define THIRD_PARTY_RULES(req) \
	{"relationship", FIELD_ENUM, req, 0, 0, relationships}, \
	{"full_name", FIELD_STRING, req, 1, 200, NULL}, \
	{"birth_date", FIELD_DATE, false, 0, 0, NULL}, \
	{"contact", FIELD_STRING, false, 0, 200, NULL}, \
	{"note", FIELD_STRING, false, 0, 1000, NULL}, \
	{"linked_person_id", FIELD_UUID, false, 0, 0, NULL}, \
	{"returnee", FIELD_BOOL, false, 0, 0, NULL}, \
	{"returned_from", FIELD_STRING, false, 2, 2, NULL}, \
	{"restricted", FIELD_BOOL, false, 0, 0, NULL}, \
	{"child_protection", FIELD_BOOL, false, 0, 0, NULL}, \
	{"child_protection_on", FIELD_DATE, false, 0, 0, NULL}, \
	{"child_protection_agency_id", FIELD_UUID, false, 0, 0, NULL}, \
	{"child_protection_note", FIELD_STRING, false, 10, 2000, NULL}
static const struct field_rule third_party_rules[] = {THIRD_PARTY_RULES(true)};
static const struct field_rule third_party_update_rules[] = {THIRD_PARTY_RULES(false)};

static bool present(const json_t *b, const char *name)
{
	const json_t *v = json_object_get(b, name);
	return v && !json_is_null(v);
}

/* True when fe already names field. */
static bool has_error(const struct field_errors *fe, const char *field)
{
	size_t i;
	const json_t *e;
	json_array_foreach(fe->list, i, e)
		if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
			return true;
	return false;
}

/* Adds "must not be blank" when a string member holds only white space (and nothing else was said of it). */
static void not_blank(const json_t *b, const char *name, struct field_errors *fe)
{
	const json_t *v = json_object_get(b, name);
	if (json_is_string(v) && json_string_length(v) > 0 && text_blank(json_string_value(v)) && !has_error(fe, name))
		field_error(fe, name, "must not be blank");
}

/* The checks of a family member's members that hold in any body, whole or partial. */
static void third_party_members(const json_t *b, const char *today, struct field_errors *fe)
{
	not_blank(b, "full_name", fe);
	validate_not_future(b, "birth_date", NULL, today, fe);
	validate_not_future(b, "child_protection_on", NULL, today, fe);
	const char *from = json_string_value(json_object_get(b, "returned_from"));
	if (from && strlen(from) == 2 && !(from[0] >= 'A' && from[0] <= 'Z' && from[1] >= 'A' && from[1] <= 'Z'))
		field_error(fe, "returned_from", "must be a country code of two capital letters (ISO 3166-1 alpha-2)");
	not_blank(b, "child_protection_note", fe);
}

/* The rules between members of a whole family member (a POST body, or a stored row merged with a PUT). */
static void third_party_whole(const json_t *b, struct field_errors *fe)
{
	if (present(b, "returned_from") && !json_is_true(json_object_get(b, "returnee")))
		field_error(fe, "returned_from", "is only for a returnee");
	if (json_is_true(json_object_get(b, "child_protection"))) {
		const char *rel = json_str(b, "relationship");
		if (rel && strcmp(rel, "child") != 0)
			field_error(fe, "child_protection", "is only for a child");
		if (!present(b, "child_protection_on"))
			field_error(fe, "child_protection_on", "is required with a child-protection referral");
		if (!present(b, "child_protection_note"))
			field_error(fe, "child_protection_note", "is required with a child-protection referral");
	} else {
		static const char *const only[] = {"child_protection_on", "child_protection_agency_id",
		                                   "child_protection_note", NULL};
		for (const char *const *m = only; *m; m++)
			if (present(b, *m))
				field_error(fe, *m, "is only with a child-protection referral (child_protection true)");
	}
}

bool reintegration_body_validate(const char *kind, const json_t *b, const char *today, struct field_errors *fe)
{
	if (strcmp(kind, "need") == 0) {
		validate_object(b, need_rules, NRULES(need_rules), fe);
		not_blank(b, "description", fe);
	} else if (strcmp(kind, "need_update") == 0) {
		if (validate_object(b, need_update_rules, NRULES(need_update_rules), fe) && json_object_size(b) == 0)
			field_error(fe, "body", "nothing to change: give area, description, owner_agency_id, owner_account_id,"
			                        " due_on, status or outcome_note");
		if (json_is_object(b)) {
			static const char *const kept[] = {"area", "description", "owner_agency_id", "due_on", "status",
			                                   NULL};
			for (const char *const *m = kept; *m; m++)
				if (json_object_get(b, *m) && json_is_null(json_object_get(b, *m)))
					field_error(fe, *m, "cannot be removed");
			not_blank(b, "description", fe);
			not_blank(b, "outcome_note", fe);
			const char *status = json_str(b, "status");
			bool closing = status && (strcmp(status, "done") == 0 || strcmp(status, "cancelled") == 0);
			if (closing && !present(b, "outcome_note"))
				field_error(fe, "outcome_note", "is required to mark a need done or cancelled");
			if (!closing && present(b, "outcome_note"))
				field_error(fe, "outcome_note", "is only for a need marked done or cancelled");
		}
	} else if (strcmp(kind, "third_party") == 0) {
		validate_object(b, third_party_rules, NRULES(third_party_rules), fe);
		if (json_is_object(b)) {
			third_party_members(b, today, fe);
			third_party_whole(b, fe);
		}
	} else if (strcmp(kind, "third_party_update") == 0) {
		if (validate_object(b, third_party_update_rules, NRULES(third_party_update_rules), fe) &&
		    json_object_size(b) == 0)
			field_error(fe, "body", "nothing to change");
		if (json_is_object(b)) {
			static const char *const kept[] = {"relationship", "full_name", "returnee", "restricted",
			                                   "child_protection", NULL};
			for (const char *const *m = kept; *m; m++)
				if (json_object_get(b, *m) && json_is_null(json_object_get(b, *m)))
					field_error(fe, *m, "cannot be removed");
			third_party_members(b, today, fe);
		}
	} else {
		field_error(fe, "body", "unknown body");
	}
	return fe->list == NULL;
}

/* ---- needs -------------------------------------------------------------------------------- */

/* A need as JSON; the first parameter is today (for `overdue`). */
#define NEED_COLUMNS \
	"SELECT n.id, n.case_id, c.number AS case_number, n.area, n.description, n.owner_agency_id," \
	" ag.name AS owner_agency_name, n.owner_account_id, ac.display_name AS owner_account_name, n.due_on, n.status," \
	" CASE WHEN n.due_on < ? AND n.status IN ('open', 'in_progress') THEN 1 ELSE 0 END AS is_overdue," \
	" n.outcome_note, n.closed_on, n.created_at, n.updated_at, n.version" \
	" FROM reintegration_need n JOIN case_file c ON c.id = n.case_id JOIN agency ag ON ag.id = n.owner_agency_id" \
	" LEFT JOIN account ac ON ac.id = n.owner_account_id"

static bool body_ok(struct http_request *req, struct http_response *resp, const char *kind, char today[11])
{
	if (!api_today_date(req, resp, NULL, today))
		return false;
	struct field_errors fe = {0};
	reintegration_body_validate(kind, req->json, today, &fe);
	return !field_errors_respond(&fe, resp, req);
}

/* Checks the owner (an existing agency; an active account of it) and the due date (not before the case was
 * opened), adding an error per bad field to fe. False on a database error (answered). */
static bool need_refs_check(struct http_request *req, struct http_response *resp, const char *case_id,
                            const char *agency, const char *account, const char *due_on, struct field_errors *fe)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT (SELECT COUNT(*) FROM agency WHERE id = ?) AS agencies,"
		" (SELECT COUNT(*) FROM account WHERE id = ? AND agency_id = ? AND status = 'active') AS accounts,"
		" (SELECT opened_on FROM case_file WHERE id = ?) AS opened_on",
		"tttt", agency, account ? account : "", agency, case_id);
	if (!row) {
		api_db_failed(req, resp, "checking a need's owner");
		return false;
	}
	if (json_integer_value(json_object_get(row, "agencies")) == 0)
		field_error(fe, "owner_agency_id", "is not a known agency");
	else if (account && json_integer_value(json_object_get(row, "accounts")) == 0)
		field_error(fe, "owner_account_id", "must be an active account of the owning agency");
	const char *opened = json_string_value(json_object_get(row, "opened_on"));
	if (due_on && opened && strcmp(due_on, opened) < 0)
		field_error(fe, "due_on", "must not be before the case was opened (%s)", opened);
	json_decref(row);
	return true;
}

/* Reads one need and answers with it (and its ETag), committing. */
static void answer_need(struct http_request *req, struct http_response *resp, const char *id, const char *today,
                        int status)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, NEED_COLUMNS " WHERE n.id = ?", "tt", today, id);
	if (!row) {
		api_db_failed(req, resp, "reading a need");
		return;
	}
	api_commit_send(req, resp, status, row);
}

void api_case_reintegration_needs(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct record_scope s;
	char today[11];
	if (!api_begin(req, resp) || !scope_case(req, resp, case_id, &s) || !api_today_date(req, resp, NULL, today))
		return;
	json_t *items = api_select(req->db,
		NEED_COLUMNS " WHERE n.case_id = ?"
		" ORDER BY CASE WHEN n.status IN ('open', 'in_progress') THEN 0 ELSE 1 END, n.due_on, n.id",
		"tt", today, case_id);
	scope_send_items(req, resp, &s, "case_reintegration_needs", case_id, items, "reading needs");
}

void api_reintegration_need_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	char today[11];
	struct record_scope s;
	if (!body_ok(req, resp, "need", today) || !api_begin(req, resp) || !scope_case(req, resp, case_id, &s) ||
	    !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.status, "closed") == 0) {
		api_conflict(req, resp, "case-closed", "The case is closed", "Needs are recorded on open cases.");
		return;
	}
	const json_t *b = req->json;
	const char *agency = json_str(b, "owner_agency_id"), *account = json_str(b, "owner_account_id");
	const char *area = json_str(b, "area"), *due_on = json_str(b, "due_on");
	struct field_errors fe = {0};
	if (!need_refs_check(req, resp, case_id, agency, account, due_on, &fe) || api_errors_answer(req, resp, &fe))
		return;
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	char *summary = xasprintf("Reintegration need added (%s)", area);
	char *detail = xasprintf("{\"need_id\":\"%s\",\"area\":\"%s\",\"owner_agency_id\":\"%s\",\"due_on\":\"%s\"}", id,
	                         area, agency, due_on);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO reintegration_need (id, case_id, area, description, owner_agency_id,"
	                 " owner_account_id, due_on, status, created_at, created_by, updated_at)"
	                 " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
	                 "ttttttt" "iti", id, case_id, area, json_str(b, "description"), agency, account, due_on, now,
	                 req->principal.account_id, now) == DB_OK &&
	          case_event_add(req->db, case_id, now, "need.added", req->principal.account_id, summary, detail,
	                         "reintegration_need", id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "reintegration_need", id, case_id);
	free(summary);
	free(detail);
	if (!ok) {
		api_db_failed(req, resp, "adding a need");
		return;
	}
	answer_need(req, resp, id, today, 201);
}

/* The moves a need's status may make (a status kept as it is is no move). */
static bool need_move_allowed(const char *from, const char *to)
{
	if (strcmp(from, to) == 0)
		return true;
	if (strcmp(from, "open") == 0)
		return strcmp(to, "in_progress") == 0 || strcmp(to, "done") == 0 || strcmp(to, "cancelled") == 0;
	if (strcmp(from, "in_progress") == 0)
		return strcmp(to, "done") == 0 || strcmp(to, "cancelled") == 0;
	return false;
}

static void precondition_failed(struct http_request *req, struct http_response *resp)
{
	db_rollback(req->db);
	http_problem(resp, req, 412, "precondition-failed", "The need has changed",
	             "Someone changed this need since you read it: reload it and try again.", NULL);
}

void api_reintegration_need_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	char today[11];
	int64_t version = 0;
	if (!body_ok(req, resp, "need_update", today) || !api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT case_id, status, owner_agency_id, owner_account_id, due_on, version FROM reintegration_need"
		" WHERE id = ?", "t", uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a need");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "reintegration need");
		}
		return;
	}
	char case_id[UUID_STR_LEN], status[16], agency[UUID_STR_LEN], account[UUID_STR_LEN], due_on[11];
	snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(row, "case_id")));
	snprintf(status, sizeof status, "%s", json_string_value(json_object_get(row, "status")));
	snprintf(agency, sizeof agency, "%s", json_string_value(json_object_get(row, "owner_agency_id")));
	const char *stored_account = json_string_value(json_object_get(row, "owner_account_id"));
	snprintf(account, sizeof account, "%s", stored_account ? stored_account : "");
	snprintf(due_on, sizeof due_on, "%s", json_string_value(json_object_get(row, "due_on")));
	int64_t stored = json_integer_value(json_object_get(row, "version"));
	json_decref(row);
	struct record_scope s;
	if (!scope_case(req, resp, case_id, &s) || !scope_may_change(req, resp, &s, "reintegration_need", id))
		return;
	if (stored != version) {
		precondition_failed(req, resp);
		return;
	}
	if (strcmp(status, "done") == 0 || strcmp(status, "cancelled") == 0) {
		api_conflict(req, resp, "need-closed", "The need is closed",
		             strcmp(status, "done") == 0 ? "The need is done: a closed need is not changed. Record a new one."
		                                         : "The need was cancelled: a closed need is not changed."
		                                           " Record a new one.");
		return;
	}
	const json_t *b = req->json;
	const char *to = json_str(b, "status");
	if (to && !need_move_allowed(status, to)) {
		char *why = xasprintf("A need %s cannot go back to %s: it moves open, in_progress, then done or cancelled.",
		                      strcmp(status, "in_progress") == 0 ? "in progress" : status, to);
		api_conflict(req, resp, "need-move", "Not a move this need can make", why);
		free(why);
		return;
	}
	/* The owner as it will be: a new agency without an account of its own clears the old account. */
	const char *new_agency = json_str(b, "owner_agency_id");
	const json_t *account_v = json_object_get(b, "owner_account_id");
	const char *new_account = account_v ? json_str(b, "owner_account_id")
	                          : new_agency && strcmp(new_agency, agency) != 0 ? NULL
	                          : account[0] ? account : NULL;
	const char *new_due = json_str(b, "due_on");
	/* The account is checked when it is set; one kept as it was stays even if it was disabled since. */
	const char *check_account = account_v ? new_account : NULL;
	struct field_errors fe = {0};
	if (!need_refs_check(req, resp, case_id, new_agency ? new_agency : agency, check_account, new_due, &fe) ||
	    api_errors_answer(req, resp, &fe))
		return;
	bool closing = to && (strcmp(to, "done") == 0 || strcmp(to, "cancelled") == 0);
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE reintegration_need SET area = COALESCE(?, area), description = COALESCE(?, description),"
	                 " owner_agency_id = COALESCE(?, owner_agency_id), owner_account_id = ?,"
	                 " due_on = COALESCE(?, due_on), status = COALESCE(?, status),"
	                 " outcome_note = CASE WHEN ? = 1 THEN ? ELSE outcome_note END,"
	                 " closed_on = CASE WHEN ? = 1 THEN ? ELSE closed_on END,"
	                 " updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND version = ? AND status IN ('open', 'in_progress')",
	                 "tttttt" "it" "it" "i" "ti",
	                 json_str(b, "area"), json_str(b, "description"), new_agency, new_account, new_due, to,
	                 (int64_t)closing, json_str(b, "outcome_note"), (int64_t)closing, today, now, id,
	                 version) == DB_OK;
	if (ok && changed != 1) {
		precondition_failed(req, resp);
		return;
	}
	bool moved = to && strcmp(to, status) != 0;
	char kind[32];
	snprintf(kind, sizeof kind, "need.%s", moved ? to : "changed");
	char *summary = moved ? xasprintf("Reintegration need marked %s", strcmp(to, "in_progress") == 0
	                                                                     ? "in progress" : to)
	                      : xasprintf("Reintegration need changed");
	struct buf detail = {0};
	buf_printf(&detail, "{\"need_id\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"changed\":[", id, status,
	           moved ? to : status);
	const char *key;
	json_t *v;
	bool first = true;
	json_object_foreach((json_t *)b, key, v) {
		buf_printf(&detail, "%s\"%s\"", first ? "" : ",", key); /* member names the rules know: no quoting needed */
		first = false;
	}
	buf_puts(&detail, "]}");
	ok = ok &&
	     case_event_add(req->db, case_id, now, kind, req->principal.account_id, summary, detail.data,
	                    "reintegration_need", id) == DB_OK &&
	     scope_audit(req, &s, AUDIT_ALTER, "reintegration_need", id, moved ? to : "changed");
	free(summary);
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "changing a need");
		return;
	}
	answer_need(req, resp, id, today, 200);
}

/* The cases a list covers: their unit, or the receiving unit of their live release plan, within reach. */
#define CASE_IN_REACH \
	" (c.unit_id IN (SELECT id FROM reach) OR (c.status = 'open' AND c.kind = 'penitentiary' AND EXISTS (SELECT 1" \
	"  FROM release_plan rp WHERE rp.case_id = c.id AND rp.status IN " RELEASE_PLAN_LIVE \
	"  AND rp.receiving_unit_id IN (SELECT id FROM below))))"

void api_reintegration_needs_list(struct http_request *req, struct http_response *resp)
{
	const char *view = http_request_query(req, "view"), *status = http_request_query(req, "status");
	const char *overdue = http_request_query(req, "overdue");
	struct field_errors fe = {0};
	if (view && strcmp(view, "mine") != 0 && strcmp(view, "unit") != 0)
		field_error(&fe, "view", "must be one of: mine, unit");
	if (status && strcmp(status, "open") != 0 && strcmp(status, "all") != 0)
		field_error(&fe, "status", "must be one of: open, all");
	if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0)
		field_error(&fe, "overdue", "must be true or false");
	long limit = api_limit(req, &fe);
	char today[11];
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	if (!view)
		view = "mine";
	int64_t mine = strcmp(view, "mine") == 0;
	int64_t only_open = !status || strcmp(status, "open") == 0;
	int64_t only_overdue = overdue && strcmp(overdue, "true") == 0;
	const struct principal *p = &req->principal;
	json_t *items = api_select(req->db,
		REACH_CTE " " NEED_COLUMNS " WHERE" CASE_IN_REACH
		" AND (? = 0 OR n.owner_account_id = ? OR c.officer_id = ?)"
		" AND (? = 0 OR n.status IN ('open', 'in_progress'))"
		" AND (? = 0 OR (n.due_on < ? AND n.status IN ('open', 'in_progress')))"
		" ORDER BY n.due_on, n.id LIMIT ?",
		"tti" "t" "itt" "i" "it" "i",
		p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), today, mine, p->account_id,
		p->account_id, only_open, only_overdue, today, (int64_t)limit);
	if (!items) {
		api_db_failed(req, resp, "listing needs");
		return;
	}
	char what[48];
	snprintf(what, sizeof what, "%s%s", view, only_overdue ? " overdue" : "");
	if (!api_audit_list(req, "reintegration_need", items, what)) {
		json_decref(items);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:s}", "items", items, "view", view));
}

/* ---- child protection --------------------------------------------------------------------- */

/* The units a person is held by: the registering unit and each case's unit. */
#define PERSON_UNITS(col) \
	" (SELECT p2.unit_id FROM person p2 WHERE p2.id = " col \
	"  UNION SELECT c.unit_id FROM case_file c WHERE c.person_id = " col ")"
/* The receiving units of the live release plans of a person's open penitentiary cases (scope.c). */
#define PERSON_RECEIVING_UNITS(col) \
	" (SELECT rp.receiving_unit_id FROM release_plan rp JOIN case_file c ON c.id = rp.case_id" \
	"  WHERE c.person_id = " col " AND c.status = 'open' AND c.kind = 'penitentiary' AND rp.status IN " \
	RELEASE_PLAN_LIVE ")"
#define RESTRICTED_DETAIL "restricted family member (S15)"
#define CHILD_PROTECTION_MAX 500

void api_child_protection_list(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	const struct principal *p = &req->principal;
	const char *unit = p->unit_id[0] ? p->unit_id : NULL;
	/* A restricted family member only where the person is held within the caller's own units (not a grant). */
	json_t *items = api_select(req->db,
		REACH_CTE ", x AS (SELECT t.id, t.person_id, t.full_name, t.birth_date, t.child_protection_on,"
		"  t.child_protection_note, t.restricted, ag.name AS agency_name,"
		"  p.surname, p.given_name, p.patronymic,"
		"  CASE WHEN EXISTS (SELECT 1 FROM below WHERE below.id IN" PERSON_UNITS("t.person_id") ") THEN 1 ELSE 0 END"
		"  AS own_"
		"  FROM third_party t JOIN person p ON p.id = t.person_id"
		"  LEFT JOIN agency ag ON ag.id = t.child_protection_agency_id"
		"  WHERE t.child_protection = 1 AND (EXISTS (SELECT 1 FROM reach WHERE reach.id IN" PERSON_UNITS("t.person_id")
		"  ) OR EXISTS (SELECT 1 FROM below WHERE below.id IN" PERSON_RECEIVING_UNITS("t.person_id") ")))"
		" SELECT x.id, x.id AS third_party_id, x.person_id,"
		" " PERSON_NAME_SQL("x") " AS person_name,"
		" (SELECT c.number FROM case_file c WHERE c.person_id = x.person_id"
		"  ORDER BY CASE WHEN c.status = 'open' THEN 0 ELSE 1 END, c.opened_on DESC, c.id LIMIT 1) AS case_number,"
		" x.full_name, x.birth_date, x.child_protection_on, x.agency_name, x.child_protection_note AS note,"
		" x.restricted AS is_restricted, x.own_"
		" FROM x ORDER BY x.child_protection_on DESC, x.id LIMIT ?",
		"tti" "i", unit, p->account_id, clock_now_ms(), (int64_t)CHILD_PROTECTION_MAX);
	if (!items) {
		api_db_failed(req, resp, "listing child-protection referrals");
		return;
	}
	json_t *shown = json_array();
	int64_t hidden = 0;
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row) {
		bool own = json_integer_value(json_object_get(row, "own_")) != 0;
		json_object_del(row, "own_");
		if (json_is_true(json_object_get(row, "restricted")) && !own)
			hidden++;
		else
			json_array_append(shown, row);
	}
	json_decref(items);
	/* Each restricted family member shown is a consult of its own (S15), besides the list's entry. */
	bool ok = api_audit_list(req, "third_party", shown, "child protection");
	json_array_foreach(shown, i, row)
		if (ok && json_is_true(json_object_get(row, "restricted")))
			ok = api_audit(req, AUDIT_CONSULT, "third_party", json_string_value(json_object_get(row, "id")),
			               AUDIT_OUTCOME_SUCCESS, RESTRICTED_DETAIL);
	if (!ok) {
		json_decref(shown);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(shown);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:I}", "items", shown, "restricted_hidden", (json_int_t)hidden));
}
