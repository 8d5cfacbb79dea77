/*
 * plans.c — a case's supervision plan: objectives linked to the person's
 * needs, actions with an owner (the officer, the person, or a partner
 * agency) and a due date, and periodic reviews that set the next review.
 * One plan per case. Objectives and actions carry their own versions
 * (If-Match); every change answers with the whole plan, adds a timeline
 * event and writes the processing log.
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/keydates.h"

static const char *const needs[] = {"accommodation", "employment", "education", "health", "substance_use", "family",
                                    "finances", "attitudes", "disengagement", "identity_documents", "risk_management",
                                    "reintegration", "other", NULL};
static const char *const objective_statuses[] = {"open", "achieved", "partly_achieved", "not_achieved", "dropped",
                                                 NULL};
static const char *const owner_kinds[] = {"officer", "person", "partner", NULL};
static const char *const action_statuses[] = {"open", "done", "cancelled", NULL};

#define MAX_REVIEW_AHEAD_DAYS 366

/* ---- bodies ------------------------------------------------------------------------ */

static const struct field_rule plan_rules[] = {
	{"review_every_days", FIELD_INTEGER, true, 7, 366, NULL},
};
static const struct field_rule objective_rules[] = {
	{"need", FIELD_ENUM, true, 0, 0, needs},
	{"description", FIELD_STRING, true, 1, 2000, NULL},
};
static const struct field_rule objective_update_rules[] = {
	{"need", FIELD_ENUM, false, 0, 0, needs},
	{"description", FIELD_STRING, false, 1, 2000, NULL},
	{"status", FIELD_ENUM, false, 0, 0, objective_statuses},
};
static const struct field_rule action_rules[] = {
	{"description", FIELD_STRING, true, 1, 2000, NULL},
	{"owner_kind", FIELD_ENUM, true, 0, 0, owner_kinds},
	{"owner_account_id", FIELD_UUID, false, 0, 0, NULL},
	{"owner_agency_id", FIELD_UUID, false, 0, 0, NULL},
	{"due_on", FIELD_DATE, true, 0, 0, NULL},
};
static const struct field_rule action_update_rules[] = {
	{"description", FIELD_STRING, false, 1, 2000, NULL},
	{"owner_kind", FIELD_ENUM, false, 0, 0, owner_kinds},
	{"owner_account_id", FIELD_UUID, false, 0, 0, NULL},
	{"owner_agency_id", FIELD_UUID, false, 0, 0, NULL},
	{"due_on", FIELD_DATE, false, 0, 0, NULL},
	{"status", FIELD_ENUM, false, 0, 0, action_statuses},
	{"done_on", FIELD_DATE, false, 0, 0, NULL},
};
static const struct field_rule review_rules[] = {
	{"reviewed_on", FIELD_DATE, false, 0, 0, NULL},
	{"summary", FIELD_STRING, true, 1, 4000, NULL},
	{"next_review_on", FIELD_DATE, false, 0, 0, NULL},
};

static bool present(const json_t *b, const char *name)
{
	const json_t *v = json_object_get(b, name);
	return v && !json_is_null(v);
}

/* The owner fields agree with owner_kind: officer needs an account, partner an agency, person neither. */
static void owner_check(const json_t *b, struct field_errors *fe)
{
	const char *kind = json_str(b, "owner_kind");
	if (present(b, "owner_kind") && (!kind || (strcmp(kind, "officer") != 0 && strcmp(kind, "partner") != 0 &&
	                                           strcmp(kind, "person") != 0)))
		return; /* already named by the field checks */
	bool account = present(b, "owner_account_id"), agency = present(b, "owner_agency_id");
	if (!kind) {
		if (account || agency)
			field_error(fe, "owner_kind", "is required when the owner changes");
		return;
	}
	bool officer = strcmp(kind, "officer") == 0, partner = strcmp(kind, "partner") == 0;
	if (officer && !account)
		field_error(fe, "owner_account_id", "is required when the owner is an officer");
	if (!officer && account)
		field_error(fe, "owner_account_id", "is only for an officer as owner");
	if (partner && !agency)
		field_error(fe, "owner_agency_id", "is required when the owner is a partner agency");
	if (!partner && agency)
		field_error(fe, "owner_agency_id", "is only for a partner agency as owner");
}

/* A date member not after today (both YYYY-MM-DD, so they compare as text). */
static void not_future(const json_t *b, const char *name, const char *today, struct field_errors *fe)
{
	const char *d = json_str(b, name);
	struct civil_date valid;
	if (d && today && civil_date_parse(d, &valid) && strcmp(d, today) > 0)
		field_error(fe, name, "must not be in the future");
}

/*
 * The checks on the plan's bodies that need no database, shared with the
 * fuzz target. kind: "plan", "objective", "objective_update", "action",
 * "action_update", "review"; today: YYYY-MM-DD.
 */
bool plan_body_validate(const char *kind, const json_t *b, const char *today, struct field_errors *fe)
{
	if (strcmp(kind, "plan") == 0) {
		validate_object(b, plan_rules, NRULES(plan_rules), fe);
	} else if (strcmp(kind, "objective") == 0) {
		validate_object(b, objective_rules, NRULES(objective_rules), fe);
	} else if (strcmp(kind, "objective_update") == 0) {
		if (validate_object(b, objective_update_rules, NRULES(objective_update_rules), fe) &&
		    !present(b, "need") && !present(b, "description") && !present(b, "status"))
			field_error(fe, "status", "nothing to change: give need, description or status");
	} else if (strcmp(kind, "action") == 0) {
		validate_object(b, action_rules, NRULES(action_rules), fe);
		if (json_is_object(b))
			owner_check(b, fe);
	} else if (strcmp(kind, "action_update") == 0) {
		validate_object(b, action_update_rules, NRULES(action_update_rules), fe);
		if (json_is_object(b)) {
			if (json_object_size(b) == 0)
				field_error(fe, "status", "nothing to change");
			owner_check(b, fe);
			const char *status = json_str(b, "status");
			bool known = status && (strcmp(status, "open") == 0 || strcmp(status, "cancelled") == 0);
			if (known && present(b, "done_on"))
				field_error(fe, "done_on", "is only for a done action");
			else
				not_future(b, "done_on", today, fe);
		}
	} else if (strcmp(kind, "review") == 0) {
		validate_object(b, review_rules, NRULES(review_rules), fe);
		if (json_is_object(b)) {
			not_future(b, "reviewed_on", today, fe);
			const char *on = json_str(b, "reviewed_on"), *next = json_str(b, "next_review_on");
			struct civil_date from, to;
			if (!on)
				on = today;
			if (next && on && civil_date_parse(on, &from) && civil_date_parse(next, &to)) {
				int days = civil_date_diff_days(from, to);
				if (days < 1)
					field_error(fe, "next_review_on", "must be after the review");
				else if (days > MAX_REVIEW_AHEAD_DAYS)
					field_error(fe, "next_review_on", "must be within %d days of the review",
					            MAX_REVIEW_AHEAD_DAYS);
			}
		}
	} else {
		field_error(fe, "body", "unknown body");
	}
	return fe->list == NULL;
}

/* ---- shared steps ------------------------------------------------------------------ */

/* A change needs the case within the caller's units or a live grant; a stated purpose allows reading only. */
/* iso + days, as YYYY-MM-DD. */
static void date_plus(const char *iso, long days, char out[11])
{
	struct civil_date d;
	if (!civil_date_parse(iso, &d)) {
		snprintf(out, 11, "%s", iso);
		return;
	}
	civil_date_format(civil_date_add_days(d, (int)days), out);
}

/* The case's plan as the API shows it; NULL when there is none (*failed_r false) or on error. */
static json_t *plan_json(db *conn, const char *case_id, const char *today, bool *failed_r)
{
	json_t *plan = api_select_one(conn, failed_r,
		"SELECT id, case_id, review_every_days, next_review_on, version FROM supervision_plan WHERE case_id = ?",
		"t", case_id);
	if (!plan)
		return NULL;
	const char *plan_id = json_string_value(json_object_get(plan, "id"));
	const char *next = json_string_value(json_object_get(plan, "next_review_on"));
	json_object_set_new(plan, "review_due", json_boolean(strcmp(next, today) <= 0));
	json_t *objectives = api_select(conn,
		"SELECT id, need, description, status, position, version FROM plan_objective WHERE plan_id = ?"
		" ORDER BY position, id", "t", plan_id);
	json_t *actions = api_select(conn,
		"SELECT t.id, t.objective_id, t.description, t.owner_kind, t.owner_account_id,"
		" CASE t.owner_kind WHEN 'officer' THEN a.display_name WHEN 'partner' THEN g.name END AS owner_name,"
		" t.owner_agency_id, t.due_on, t.status, t.done_on, t.version FROM plan_action t"
		" JOIN plan_objective o ON o.id = t.objective_id LEFT JOIN account a ON a.id = t.owner_account_id"
		" LEFT JOIN agency g ON g.id = t.owner_agency_id WHERE o.plan_id = ? ORDER BY t.due_on, t.created_at, t.id",
		"t", plan_id);
	json_t *reviews = api_select(conn,
		"SELECT r.id, r.reviewed_on, a.display_name AS reviewed_by_name, r.summary, r.next_review_on"
		" FROM plan_review r JOIN account a ON a.id = r.reviewed_by WHERE r.plan_id = ?"
		" ORDER BY r.reviewed_on DESC, r.created_at DESC, r.id DESC", "t", plan_id);
	if (!objectives || !actions || !reviews) {
		json_decref(plan);
		json_decref(objectives);
		json_decref(actions);
		json_decref(reviews);
		*failed_r = true;
		return NULL;
	}
	size_t i, j;
	json_t *o, *a;
	json_array_foreach(objectives, i, o)
		json_object_set_new(o, "actions", json_array());
	json_array_foreach(actions, j, a) {
		const char *due = json_string_value(json_object_get(a, "due_on"));
		const char *status = json_string_value(json_object_get(a, "status"));
		json_object_set_new(a, "overdue", json_boolean(strcmp(status, "open") == 0 && strcmp(due, today) < 0));
		const char *objective = json_string_value(json_object_get(a, "objective_id"));
		json_array_foreach(objectives, i, o) {
			if (strcmp(json_string_value(json_object_get(o, "id")), objective) == 0) {
				json_array_append(json_object_get(o, "actions"), a);
				break;
			}
		}
	}
	json_decref(actions);
	json_object_set_new(plan, "objectives", objectives);
	json_object_set_new(plan, "reviews", reviews);
	return plan;
}

/* Reads the plan, commits and answers it with its ETag. */
static void plan_respond(struct http_request *req, struct http_response *resp, const char *case_id,
                         const char *today, int status)
{
	bool failed = false;
	json_t *plan = plan_json(req->db, case_id, today, &failed);
	if (!plan) {
		api_db_failed(req, resp, "reading the supervision plan");
		return;
	}
	api_commit_send(req, resp, status, plan);
}

/* The plan of a case: *plan_r = {id, review_every_days, version}, NULL when none; false after answering. */
static bool plan_of_case(struct http_request *req, struct http_response *resp, const char *case_id,
                         json_t **plan_r)
{
	bool failed = false;
	*plan_r = api_select_one(req->db, &failed,
		"SELECT id, review_every_days, version, created_at AS created_ms FROM supervision_plan WHERE case_id = ?",
		"t", case_id);
	if (failed)
		api_db_failed(req, resp, "reading the supervision plan");
	return !failed;
}

/* 409 when a case has no plan yet. */
static void no_plan(struct http_request *req, struct http_response *resp)
{
	db_rollback(req->db);
	http_problem(resp, req, 409, "no-plan", "No supervision plan",
	             "Start the case's supervision plan (PUT /api/v1/cases/{id}/plan) first.", NULL);
}

static void stale(struct http_request *req, struct http_response *resp, const char *what)
{
	db_rollback(req->db);
	char *detail = xasprintf("Someone changed this %s since you read it; read the plan again.", what);
	http_problem(resp, req, 412, "precondition-failed", "The record has changed", detail, NULL);
	free(detail);
}

/* Adds the timeline event and the log entry of a change. detail: a JSON object (borrowed). */
static bool plan_record(struct http_request *req, const struct record_scope *s, const char *case_id, int64_t now,
                        const char *kind, const char *summary, const json_t *detail, const char *action,
                        const char *record_type, const char *record_id)
{
	char *detail_s = json_dumps(detail, JSON_COMPACT);
	bool ok = case_event_add(req->db, case_id, now, kind, req->principal.account_id, summary, detail_s, record_type,
	                         record_id) == DB_OK &&
	          scope_audit(req, s, action, record_type, record_id, case_id);
	free(detail_s);
	return ok;
}

/* The owner named in a body exists: an account of the case's agency, or a partner agency. */
static bool owner_exists(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                         const char *kind, const char *account, const char *agency)
{
	bool failed = false;
	json_t *row = NULL;
	const char *field = NULL;
	if (strcmp(kind, "officer") == 0) {
		field = "owner_account_id";
		row = api_select_one(req->db, &failed,
			"SELECT a.id FROM account a JOIN unit u ON u.agency_id = a.agency_id"
			" WHERE a.id = ? AND u.id = ? AND a.status = 'active'", "tt", account, s->unit_id);
	} else if (strcmp(kind, "partner") == 0) {
		field = "owner_agency_id";
		row = api_select_one(req->db, &failed, "SELECT id FROM agency WHERE id = ? AND kind = 'partner'", "t",
		                     agency);
	} else {
		return true;
	}
	if (failed) {
		api_db_failed(req, resp, "reading an owner");
		return false;
	}
	if (!row) {
		api_field_problem(req, resp, field,
		                  strcmp(kind, "officer") == 0 ? "is not an active account of the case's agency"
		                                                : "is not a partner agency");
		return false;
	}
	json_decref(row);
	return true;
}

/* ---- handlers ---------------------------------------------------------------------- */

void api_plan_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	char today[11];
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s) || !api_today_date(req, resp, NULL, today))
		return;
	bool failed = false;
	json_t *plan = plan_json(req->db, id, today, &failed);
	if (failed || !scope_audit(req, &s, AUDIT_CONSULT, "case_plan", id, NULL)) {
		json_decref(plan);
		api_db_failed(req, resp, "reading the supervision plan");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(plan);
		return;
	}
	if (!plan) {
		http_response_json(resp, 200, json_pack("{s:n}", "plan"));
		return;
	}
	api_etag(resp, json_integer_value(json_object_get(plan, "version")));
	http_response_json(resp, 200, plan);
}

void api_plan_put(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	plan_body_validate("plan", req->json, NULL, &fe);
	struct record_scope s;
	char today[11];
	json_t *plan = NULL;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "case", id) || !api_today_date(req, resp, NULL, today) || !plan_of_case(req, resp, id, &plan))
		return;
	int64_t every = json_integer_value(json_object_get(req->json, "review_every_days"));
	int64_t now = clock_now_ms();
	char next[11];
	if (!plan) {
		char plan_id[UUID_STR_LEN];
		uuid_v7(plan_id);
		date_plus(today, (long)every, next);
		json_t *detail = json_pack("{s:I, s:s}", "review_every_days", (json_int_t)every, "next_review_on", next);
		char *summary = xasprintf("Supervision plan started (review every %lld days)", (long long)every);
		bool ok = db_run(req->db, NULL,
		                 "INSERT INTO supervision_plan (id, case_id, review_every_days, next_review_on, created_at,"
		                 " created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		                 "ttititi", plan_id, id, every, next, now, req->principal.account_id, now) == DB_OK &&
		          plan_record(req, &s, id, now, "plan.started", summary, detail, AUDIT_COLLECT, "supervision_plan",
		                      plan_id);
		free(summary);
		json_decref(detail);
		if (!ok) {
			api_db_failed(req, resp, "starting a supervision plan");
			return;
		}
		plan_respond(req, resp, id, today, 201);
		return;
	}
	int64_t version = 0;
	if (!api_if_match(req, resp, &version)) {
		db_rollback(req->db);
		json_decref(plan);
		return;
	}
	if (json_integer_value(json_object_get(plan, "version")) != version) {
		json_decref(plan);
		stale(req, resp, "plan");
		return;
	}
	/* The next review is counted again from the last review (or the plan's start) with the new interval. */
	char plan_id[UUID_STR_LEN], anchor[11];
	snprintf(plan_id, sizeof plan_id, "%s", json_string_value(json_object_get(plan, "id")));
	int64_t before = json_integer_value(json_object_get(plan, "review_every_days"));
	bool failed = false;
	json_t *last = api_select_one(req->db, &failed,
		"SELECT reviewed_on FROM plan_review WHERE plan_id = ? ORDER BY reviewed_on DESC, created_at DESC LIMIT 1",
		"t", plan_id);
	bool ok = !failed;
	if (ok && last)
		snprintf(anchor, sizeof anchor, "%s", json_string_value(json_object_get(last, "reviewed_on")));
	else if (ok)
		ok = api_local_date(req->db, json_integer_value(json_object_get(plan, "created_ms")), anchor);
	json_decref(last);
	json_decref(plan);
	if (ok)
		date_plus(anchor, (long)every, next);
	json_t *detail = ok ? json_pack("{s:I, s:I, s:s}", "review_every_days", (json_int_t)every, "previous",
	                                (json_int_t)before, "next_review_on", next)
	                    : NULL;
	char *summary = xasprintf("Supervision plan review interval changed to %lld days", (long long)every);
	ok = ok &&
	     db_run(req->db, NULL,
	            "UPDATE supervision_plan SET review_every_days = ?, next_review_on = ?, updated_at = ?,"
	            " version = version + 1 WHERE id = ? AND version = ?",
	            "ititi", every, next, now, plan_id, version) == DB_OK &&
	     plan_record(req, &s, id, now, "plan.changed", summary, detail, AUDIT_ALTER, "supervision_plan", plan_id);
	free(summary);
	json_decref(detail);
	if (!ok) {
		api_db_failed(req, resp, "changing the supervision plan");
		return;
	}
	plan_respond(req, resp, id, today, 200);
}

void api_plan_objective_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	plan_body_validate("objective", req->json, NULL, &fe);
	struct record_scope s;
	char today[11];
	json_t *plan = NULL;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "case", id) || !api_today_date(req, resp, NULL, today) || !plan_of_case(req, resp, id, &plan))
		return;
	if (!plan) {
		no_plan(req, resp);
		return;
	}
	char plan_id[UUID_STR_LEN], objective[UUID_STR_LEN];
	snprintf(plan_id, sizeof plan_id, "%s", json_string_value(json_object_get(plan, "id")));
	json_decref(plan);
	bool failed = false;
	json_t *pos = api_select_one(req->db, &failed,
		"SELECT COALESCE(MAX(position), 0) AS n FROM plan_objective WHERE plan_id = ?", "t", plan_id);
	if (!pos) {
		api_db_failed(req, resp, "reading the plan's objectives");
		return;
	}
	int64_t position = json_integer_value(json_object_get(pos, "n")) + 1;
	json_decref(pos);
	uuid_v7(objective);
	int64_t now = clock_now_ms();
	const char *need = api_str(req, "need");
	json_t *detail = json_pack("{s:s, s:I}", "need", need, "position", (json_int_t)position);
	char *summary = xasprintf("Plan objective added (need: %s)", need);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO plan_objective (id, plan_id, need, description, status, position, created_at,"
	                 " updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?)",
	                 "ttttiii", objective, plan_id, need, api_str(req, "description"), position, now, now) == DB_OK &&
	          db_run(req->db, NULL, "UPDATE supervision_plan SET updated_at = ? WHERE id = ?", "it", now,
	                 plan_id) == DB_OK &&
	          plan_record(req, &s, id, now, "plan.objective_added", summary, detail, AUDIT_COLLECT, "plan_objective",
	                      objective);
	free(summary);
	json_decref(detail);
	if (!ok) {
		api_db_failed(req, resp, "adding an objective");
		return;
	}
	plan_respond(req, resp, id, today, 201);
}

/* Finds the case of an objective or an action (query selects case_id first) and checks the caller's reach. */
static json_t *item_scope(struct http_request *req, struct http_response *resp, const char *sql, const char *id,
                          const char *what, struct record_scope *s, char case_id[UUID_STR_LEN])
{
	bool failed = false;
	json_t *row = uuid_valid(id) ? api_select_one(req->db, &failed, sql, "t", id) : NULL;
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading the supervision plan");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, what);
		}
		return NULL;
	}
	snprintf(case_id, UUID_STR_LEN, "%s", json_string_value(json_object_get(row, "case_id")));
	if (!scope_case(req, resp, case_id, s) || !scope_may_change(req, resp, s, what, id)) {
		json_decref(row);
		return NULL;
	}
	return row;
}

void api_plan_objective_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	plan_body_validate("objective_update", req->json, NULL, &fe);
	int64_t version = 0;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	struct record_scope s;
	char case_id[UUID_STR_LEN], today[11];
	json_t *row = item_scope(req, resp,
		"SELECT p.case_id, o.plan_id, o.need, o.description, o.status, o.version FROM plan_objective o"
		" JOIN supervision_plan p ON p.id = o.plan_id WHERE o.id = ?", id, "plan_objective", &s, case_id);
	if (!row)
		return;
	if (!api_today_date(req, resp, NULL, today)) {
		json_decref(row);
		return;
	}
	if (json_integer_value(json_object_get(row, "version")) != version) {
		json_decref(row);
		stale(req, resp, "objective");
		return;
	}
	const char *need = json_str(req->json, "need"), *description = json_str(req->json, "description");
	const char *status = json_str(req->json, "status");
	if (!need)
		need = json_string_value(json_object_get(row, "need"));
	if (!description)
		description = json_string_value(json_object_get(row, "description"));
	if (!status)
		status = json_string_value(json_object_get(row, "status"));
	/* The timeline names which fields changed and the codes, never the description. */
	json_t *changed = json_array();
	static const char *const fields[] = {"need", "description", "status"};
	const char *values[] = {need, description, status};
	for (size_t i = 0; i < 3; i++)
		if (strcmp(values[i], json_string_value(json_object_get(row, fields[i]))) != 0)
			json_array_append_new(changed, json_string(fields[i]));
	json_t *detail = json_pack("{s:s, s:s, s:o}", "need", need, "status", status, "changed", changed);
	char *summary = xasprintf("Plan objective changed (need: %s, status: %s)", need, status);
	int64_t now = clock_now_ms();
	bool ok = db_run(req->db, NULL,
	                 "UPDATE plan_objective SET need = ?, description = ?, status = ?, updated_at = ?,"
	                 " version = version + 1 WHERE id = ? AND version = ?",
	                 "tttiti", need, description, status, now, id, version) == DB_OK &&
	          plan_record(req, &s, case_id, now, "plan.objective_changed", summary, detail, AUDIT_ALTER,
	                      "plan_objective", id);
	free(summary);
	json_decref(detail);
	json_decref(row);
	if (!ok) {
		api_db_failed(req, resp, "changing an objective");
		return;
	}
	plan_respond(req, resp, case_id, today, 200);
}

void api_plan_action_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	plan_body_validate("action", req->json, NULL, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	struct record_scope s;
	char case_id[UUID_STR_LEN], today[11];
	json_t *row = item_scope(req, resp,
		"SELECT p.case_id, o.plan_id FROM plan_objective o JOIN supervision_plan p ON p.id = o.plan_id"
		" WHERE o.id = ?", id, "plan_objective", &s, case_id);
	if (!row)
		return;
	json_decref(row);
	const char *kind = api_str(req, "owner_kind");
	const char *account = json_str(req->json, "owner_account_id"), *agency = json_str(req->json, "owner_agency_id");
	if (!api_today_date(req, resp, NULL, today) || !owner_exists(req, resp, &s, kind, account, agency))
		return;
	char action[UUID_STR_LEN];
	uuid_v7(action);
	int64_t now = clock_now_ms();
	const char *due = api_str(req, "due_on");
	json_t *detail = json_pack("{s:s, s:s, s:s}", "objective_id", id, "owner_kind", kind, "due_on", due);
	char *summary = xasprintf("Plan action added (owner: %s, due %s)", kind, due);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO plan_action (id, objective_id, description, owner_kind, owner_account_id,"
	                 " owner_agency_id, due_on, status, created_at, updated_at)"
	                 " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)",
	                 "tttttttii", action, id, api_str(req, "description"), kind, account, agency, due, now,
	                 now) == DB_OK &&
	          plan_record(req, &s, case_id, now, "plan.action_added", summary, detail, AUDIT_COLLECT, "plan_action",
	                      action);
	free(summary);
	json_decref(detail);
	if (!ok) {
		api_db_failed(req, resp, "adding an action");
		return;
	}
	plan_respond(req, resp, case_id, today, 201);
}

void api_plan_action_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	char today[11] = "";
	int64_t version = 0;
	/* The checks on dates need today, which needs the database. */
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	if (!plan_body_validate("action_update", req->json, today, &fe)) {
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (!api_if_match(req, resp, &version)) {
		db_rollback(req->db);
		return;
	}
	struct record_scope s;
	char case_id[UUID_STR_LEN];
	json_t *row = item_scope(req, resp,
		"SELECT p.case_id, t.objective_id, t.description, t.owner_kind, t.owner_account_id, t.owner_agency_id,"
		" t.due_on, t.status, t.done_on, t.version FROM plan_action t JOIN plan_objective o ON o.id = t.objective_id"
		" JOIN supervision_plan p ON p.id = o.plan_id WHERE t.id = ?", id, "plan_action", &s, case_id);
	if (!row)
		return;
	if (json_integer_value(json_object_get(row, "version")) != version) {
		json_decref(row);
		stale(req, resp, "action");
		return;
	}
	const json_t *b = req->json;
	const char *description = json_str(b, "description"), *kind = json_str(b, "owner_kind");
	const char *account = NULL, *agency = NULL, *due = json_str(b, "due_on"), *status = json_str(b, "status");
	const char *done = json_str(b, "done_on");
	bool owner_changes = kind != NULL;
	if (owner_changes) {
		account = json_str(b, "owner_account_id");
		agency = json_str(b, "owner_agency_id");
		if (!owner_exists(req, resp, &s, kind, account, agency)) {
			json_decref(row);
			return;
		}
	} else {
		kind = json_string_value(json_object_get(row, "owner_kind"));
		account = json_string_value(json_object_get(row, "owner_account_id"));
		agency = json_string_value(json_object_get(row, "owner_agency_id"));
	}
	if (!description)
		description = json_string_value(json_object_get(row, "description"));
	if (!due)
		due = json_string_value(json_object_get(row, "due_on"));
	const char *old_status = json_string_value(json_object_get(row, "status"));
	if (!status)
		status = old_status;
	if (strcmp(status, "done") != 0) {
		if (done) {
			json_decref(row);
			api_field_problem(req, resp, "done_on", "is only for a done action");
			return;
		}
	} else if (!done) {
		/* Done now, or kept as done on the day recorded before. */
		done = strcmp(old_status, "done") == 0 ? json_string_value(json_object_get(row, "done_on")) : today;
		if (!done)
			done = today;
	}
	json_t *changed = json_array();
	static const char *const fields[] = {"description", "owner_kind", "owner_account_id", "owner_agency_id", "due_on",
	                                     "status", "done_on"};
	const char *values[] = {description, kind, account, agency, due, status, done};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *was = json_string_value(json_object_get(row, fields[i]));
		if ((was == NULL) != (values[i] == NULL) || (was && strcmp(was, values[i]) != 0))
			json_array_append_new(changed, json_string(fields[i]));
	}
	json_t *detail = json_pack("{s:s, s:s, s:s, s:o}", "owner_kind", kind, "status", status, "due_on", due,
	                           "changed", changed);
	char *summary = xasprintf("Plan action changed (status: %s, due %s)", status, due);
	int64_t now = clock_now_ms();
	bool ok = db_run(req->db, NULL,
	                 "UPDATE plan_action SET description = ?, owner_kind = ?, owner_account_id = ?, owner_agency_id = ?,"
	                 " due_on = ?, status = ?, done_on = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND version = ?",
	                 "tttttttiti", description, kind, account, agency, due, status, done, now, id, version) == DB_OK &&
	          plan_record(req, &s, case_id, now, "plan.action_changed", summary, detail, AUDIT_ALTER, "plan_action",
	                      id);
	free(summary);
	json_decref(detail);
	json_decref(row);
	if (!ok) {
		api_db_failed(req, resp, "changing an action");
		return;
	}
	plan_respond(req, resp, case_id, today, 200);
}

void api_plan_review_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	struct record_scope s;
	char today[11];
	json_t *plan = NULL;
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	if (!plan_body_validate("review", req->json, today, &fe)) {
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (!scope_case(req, resp, id, &s) || !scope_may_change(req, resp, &s, "case", id) || !plan_of_case(req, resp, id, &plan))
		return;
	if (!plan) {
		no_plan(req, resp);
		return;
	}
	char plan_id[UUID_STR_LEN], review[UUID_STR_LEN], next[11];
	snprintf(plan_id, sizeof plan_id, "%s", json_string_value(json_object_get(plan, "id")));
	int64_t every = json_integer_value(json_object_get(plan, "review_every_days"));
	json_decref(plan);
	const char *on = json_str(req->json, "reviewed_on");
	if (!on)
		on = today;
	if (json_str(req->json, "next_review_on"))
		snprintf(next, sizeof next, "%s", json_str(req->json, "next_review_on"));
	else
		date_plus(on, (long)every, next);
	uuid_v7(review);
	int64_t now = clock_now_ms();
	json_t *detail = json_pack("{s:s, s:s}", "reviewed_on", on, "next_review_on", next);
	char *summary = xasprintf("Supervision plan reviewed (next review on %s)", next);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO plan_review (id, plan_id, reviewed_on, reviewed_by, summary, next_review_on,"
	                 " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	                 "tttttti", review, plan_id, on, req->principal.account_id, api_str(req, "summary"), next,
	                 now) == DB_OK &&
	          db_run(req->db, NULL,
	                 "UPDATE supervision_plan SET next_review_on = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ?", "tit", next, now, plan_id) == DB_OK &&
	          plan_record(req, &s, id, now, "plan.reviewed", summary, detail, AUDIT_COLLECT, "plan_review", review);
	free(summary);
	json_decref(detail);
	if (!ok) {
		api_db_failed(req, resp, "recording a plan review");
		return;
	}
	plan_respond(req, resp, id, today, 201);
}
