/*
 * alerts.c — the alert queues and an alert's lifecycle, and the tasks alerts
 * become (the steps themselves are in domain/alerts.c, alert_steps.h):
 *
 *   open -> acknowledged -> verified (a breach allegation or a task) | dismissed
 *
 * An alert is a signal a person verifies (S6, S25): only verification opens a
 * breach allegation, and nothing here touches a measure (S7). An alert or
 * task is read and worked by whoever reaches its case (scope_case); reads are
 * logged as consultations, one entry per alert and one per list.
 * Acknowledging, verifying and dismissing are for the one it is assigned to
 * or a head of the case's unit; assigning is for whoever reaches the case.
 * Each step takes If-Match and is status- and version-guarded, so of two
 * concurrent actions one applies and the other gets 412 (or 409 when the
 * alert's state no longer allows the step).
 *
 * Device alerts (source 'device', S25) are also the monitoring centre's: a
 * holder of em.operate lists, reads, acknowledges, verifies and dismisses
 * them in every unit, logged with the centre as the basis (em_scope.h). The
 * centre verifies as a task for the supervising officer; verifying as a
 * breach allegation needs breaches.write, which only officers and unit heads
 * hold.
 */
#include "api/alerts.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/em_scope.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/alert_steps.h"
#include "domain/alerts.h"
#include "domain/assessment.h"
#include "domain/breaches.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "domain/person.h"

#define MAX_CONDITIONS 20

/* An alert's members (one parameter: now, for ack_overdue); the trailing _ columns are removed by alerts_fill. */
#define ALERT_COLUMNS \
	"SELECT al.id, al.case_id, c.number AS case_number, c.person_id," \
	" " PERSON_NAME_SQL("p") " AS person_name," \
	" al.unit_id, u.name AS unit_name, al.rule_code, r.title_ky AS rule_ky_, r.title_ru AS rule_ru_," \
	" r.title_en AS rule_en_, al.source, al.severity, al.summary, al.evidence, al.due_on, al.status, al.outcome," \
	" al.assigned_to, aa.display_name AS assigned_to_name, al.raised_at, rb.display_name AS raised_by_name," \
	" al.ack_due_at, CASE WHEN al.status = 'open' AND al.ack_due_at <= ? THEN 1 ELSE 0 END AS is_ack_overdue," \
	" al.escalation_level, al.escalated_at, al.acknowledged_at, ka.display_name AS acknowledged_by_name," \
	" al.closed_at, ca.display_name AS closed_by_name, al.close_reason, al.breach_id, al.task_id, al.version," \
	" CASE al.status WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 10 ELSE 20 END" \
	"  + CASE al.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END AS sort_key_," \
	" al.raised_at AS raised_ms_"
#define ALERT_FROM \
	" FROM alert al JOIN case_file c ON c.id = al.case_id JOIN person p ON p.id = c.person_id" \
	" JOIN unit u ON u.id = al.unit_id LEFT JOIN compliance_rule r ON r.code = al.rule_code" \
	" LEFT JOIN account aa ON aa.id = al.assigned_to LEFT JOIN account rb ON rb.id = al.raised_by" \
	" LEFT JOIN account ka ON ka.id = al.acknowledged_by LEFT JOIN account ca ON ca.id = al.closed_by"
/* Open first, by severity, newest first. */
#define ALERT_ORDER " ORDER BY sort_key_, raised_ms_ DESC, id DESC"

/* A task's members (two parameters: today for overdue, then nothing else). */
#define TASK_COLUMNS \
	"SELECT t.id, t.case_id, c.number AS case_number," \
	" " PERSON_NAME_SQL("p") " AS person_name, t.unit_id, t.title," \
	" t.detail, t.due_on, CASE WHEN t.status = 'open' AND t.due_on IS NOT NULL AND t.due_on < ? THEN 1 ELSE 0 END" \
	" AS is_overdue, t.assigned_to, aa.display_name AS assigned_to_name, t.status, t.source_alert_id," \
	" t.created_at, cb.display_name AS created_by_name, t.closed_at, cl.display_name AS closed_by_name," \
	" t.close_note, t.version, CASE t.status WHEN 'open' THEN 0 ELSE 1 END AS sort_key_," \
	" COALESCE(t.due_on, '9999-12-31') AS due_key_"
#define TASK_FROM \
	" FROM task t JOIN case_file c ON c.id = t.case_id JOIN person p ON p.id = c.person_id" \
	" LEFT JOIN account aa ON aa.id = t.assigned_to LEFT JOIN account cb ON cb.id = t.created_by" \
	" LEFT JOIN account cl ON cl.id = t.closed_by"
/* Open first, soonest due first (no due date last). */
#define TASK_ORDER " ORDER BY sort_key_, due_key_, id"

static const char *const outcomes[] = {"breach", "task", NULL};
static const char *const severities[] = {"low", "medium", "high", NULL};
static const char *const task_statuses[] = {"open", "done", "cancelled", NULL};

/* ---- body checks (shared with the fuzz target) ----------------------------------------- */

static const struct field_rule verification_rules[] = {
	{"outcome", FIELD_ENUM, true, 0, 0, outcomes},
	{"reasons", FIELD_STRING, true, 1, 2000, NULL},
	{"breach", FIELD_OBJECT, false, 0, 0, NULL},
	{"task", FIELD_OBJECT, false, 0, 0, NULL},
};
static const struct field_rule breach_rules[] = {
	{"allegation", FIELD_STRING, true, 1, 2000, NULL},
	{"occurred_on", FIELD_DATE, true, 0, 0, NULL},
	{"condition_ids", FIELD_ARRAY, false, 0, MAX_CONDITIONS, NULL},
};
static const struct field_rule task_rules[] = {
	{"title", FIELD_STRING, true, 1, 200, NULL},
	{"detail", FIELD_STRING, false, 0, 2000, NULL},
	{"due_on", FIELD_DATE, false, 0, 0, NULL},
	{"assigned_to", FIELD_UUID, false, 0, 0, NULL},
};
static const struct field_rule verification_task_rules[] = {
	{"title", FIELD_STRING, true, 1, 200, NULL},
	{"due_on", FIELD_DATE, false, 0, 0, NULL},
	{"assigned_to", FIELD_UUID, false, 0, 0, NULL},
};
static const struct field_rule dismissal_rules[] = {
	{"reason", FIELD_STRING, true, 1, 2000, NULL},
};
static const struct field_rule assignment_rules[] = {
	{"assignee_id", FIELD_UUID, true, 0, 0, NULL},
	{"reason", FIELD_STRING, true, 1, 2000, NULL},
};
static const struct field_rule alert_rules[] = {
	{"summary", FIELD_STRING, true, 1, 500, NULL},
	{"severity", FIELD_ENUM, true, 0, 0, severities},
	{"evidence_note", FIELD_STRING, false, 0, 2000, NULL},
};
static const struct field_rule task_update_rules[] = {
	{"title", FIELD_STRING, false, 1, 200, NULL},
	{"detail", FIELD_STRING, false, 0, 2000, NULL},
	{"due_on", FIELD_DATE, false, 0, 0, NULL},
	{"assigned_to", FIELD_UUID, false, 0, 0, NULL},
	{"status", FIELD_ENUM, false, 0, 0, task_statuses},
	{"close_note", FIELD_STRING, false, 1, 2000, NULL},
};

/* A text the rules accepted must say something: not only spaces. */
static void not_blank(const json_t *o, const char *prefix, const char *name, struct field_errors *fe)
{
	const json_t *v = json_object_get(o, name);
	if (json_is_string(v) && json_string_length(v) > 0 && text_blank(json_string_value(v))) {
		char field[64];
		snprintf(field, sizeof field, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", name);
		field_error(fe, field, "must not be blank");
	}
}

static bool present(const json_t *o, const char *name)
{
	const json_t *v = json_object_get(o, name);
	return v && !json_is_null(v);
}

static void verification_check(const json_t *b, const char *today, struct field_errors *fe)
{
	if (!validate_object(b, verification_rules, NRULES(verification_rules), fe) && !json_is_object(b))
		return;
	not_blank(b, NULL, "reasons", fe);
	const char *outcome = json_str(b, "outcome");
	bool breach = outcome && strcmp(outcome, "breach") == 0, task = outcome && strcmp(outcome, "task") == 0;
	const json_t *bo = json_object_get(b, "breach"), *to = json_object_get(b, "task");
	if (breach && !present(b, "breach"))
		field_error(fe, "breach", "is required when the outcome is a breach allegation");
	if (task && !present(b, "task"))
		field_error(fe, "task", "is required when the outcome is a task");
	if (task && present(b, "breach"))
		field_error(fe, "breach", "must be absent when the outcome is a task");
	if (breach && present(b, "task"))
		field_error(fe, "task", "must be absent when the outcome is a breach allegation");
	if (breach && json_is_object(bo)) {
		validate_object_at(bo, "breach", breach_rules, NRULES(breach_rules), fe);
		not_blank(bo, "breach", "allegation", fe);
		validate_not_future(bo, "occurred_on", "breach.occurred_on", today, fe);
		const json_t *ids = json_object_get(bo, "condition_ids");
		if (json_is_array(ids) && json_array_size(ids) <= MAX_CONDITIONS) {
			size_t i, j;
			const json_t *id;
			json_array_foreach(ids, i, id) {
				char field[48];
				snprintf(field, sizeof field, "breach.condition_ids[%zu]", i);
				if (!json_is_string(id) || !uuid_valid(json_string_value(id))) {
					field_error(fe, field, "must be an id");
					continue;
				}
				for (j = 0; j < i; j++)
					if (json_equal(json_array_get(ids, j), id))
						break;
				if (j < i)
					field_error(fe, field, "is named twice");
			}
		}
	}
	if (task && json_is_object(to)) {
		validate_object_at(to, "task", verification_task_rules, NRULES(verification_task_rules), fe);
		not_blank(to, "task", "title", fe);
	}
}

bool alert_body_validate(const char *kind, const json_t *b, const char *today, struct field_errors *fe)
{
	if (strcmp(kind, "verification") == 0) {
		verification_check(b, today, fe);
	} else if (strcmp(kind, "dismissal") == 0) {
		validate_object(b, dismissal_rules, NRULES(dismissal_rules), fe);
		not_blank(b, NULL, "reason", fe);
	} else if (strcmp(kind, "assignment") == 0) {
		validate_object(b, assignment_rules, NRULES(assignment_rules), fe);
		not_blank(b, NULL, "reason", fe);
	} else if (strcmp(kind, "alert") == 0) {
		validate_object(b, alert_rules, NRULES(alert_rules), fe);
		not_blank(b, NULL, "summary", fe);
	} else if (strcmp(kind, "task") == 0) {
		validate_object(b, task_rules, NRULES(task_rules), fe);
		not_blank(b, NULL, "title", fe);
	} else if (strcmp(kind, "task_update") == 0) {
		if (validate_object(b, task_update_rules, NRULES(task_update_rules), fe) && json_object_size(b) == 0)
			field_error(fe, "body", "nothing to change: give title, detail, due_on, assigned_to or status");
		if (json_is_object(b)) {
			not_blank(b, NULL, "title", fe);
			not_blank(b, NULL, "close_note", fe);
			if (present(b, "title") && json_is_null(json_object_get(b, "title")))
				field_error(fe, "title", "cannot be removed");
			const char *status = json_str(b, "status");
			if (status && strcmp(status, "cancelled") == 0 && !present(b, "close_note"))
				field_error(fe, "close_note", "is required to cancel a task");
			if (present(b, "close_note") && !(status && strcmp(status, "open") != 0))
				field_error(fe, "close_note", "is only for a task marked done or cancelled");
		}
	} else {
		field_error(fe, "body", "unknown body");
	}
	return fe->list == NULL;
}

/* ---- small helpers ---------------------------------------------------------------------- */

static bool is_unit_head(struct http_request *req, bool *yes_r)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT COUNT(*) AS n FROM account_role WHERE account_id = ? AND role = 'unit_head'", "t",
		req->principal.account_id);
	*yes_r = row && json_integer_value(json_object_get(row, "n")) > 0;
	json_decref(row);
	return !failed;
}

/* ---- an alert as JSON ------------------------------------------------------------------- */

/* Completes rows of ALERT_COLUMNS: the rule's title in three languages, the evidence as an object. */
static void alerts_fill(json_t *rows)
{
	size_t i;
	json_t *a;
	json_array_foreach(rows, i, a) {
		json_t *ky = json_object_get(a, "rule_ky_");
		if (json_is_string(ky))
			json_object_set_new(a, "rule_title", json_pack("{s:O, s:O, s:O}", "ky", ky, "ru",
			                                               json_object_get(a, "rule_ru_"), "en",
			                                               json_object_get(a, "rule_en_")));
		else
			json_object_set_new(a, "rule_title", json_null());
		api_member_object(a, "evidence");
		const char *drop[] = {"rule_ky_", "rule_ru_", "rule_en_", "sort_key_", "raised_ms_"};
		for (size_t k = 0; k < sizeof drop / sizeof drop[0]; k++)
			json_object_del(a, drop[k]);
	}
}

/*
 * Device alerts carry the fixes around the event as evidence (S12: locations tied to an incident), also for an
 * order whose decision orders only a curfew (S23): the locations are shown to the monitoring centre (em.operate)
 * and to those who hold em.read and reach the case through their own units or a grant (the supervising officer,
 * the heads of the case's unit). Anyone else who reaches the alert (a stated purpose, a role without em.read)
 * gets the evidence without coordinates, marked locations_withheld.
 */
static bool sees_locations(const struct http_request *req, const struct record_scope *s)
{
	if (policy_has(&req->principal, "em.operate"))
		return true;
	if (!policy_has(&req->principal, "em.read"))
		return false;
	return !s || s->access == UNIT_ACCESS_OWN || s->access == UNIT_ACCESS_GRANTED;
}

/* Removes the coordinates from the evidence of device alerts among rows unless the caller sees locations. */
static void alerts_locations(json_t *rows, bool locations)
{
	if (locations)
		return;
	size_t i;
	json_t *a;
	json_array_foreach(rows, i, a) {
		const char *source = json_string_value(json_object_get(a, "source"));
		json_t *ev = json_object_get(a, "evidence");
		if (!source || strcmp(source, "device") != 0 || !json_is_object(ev))
			continue;
		size_t j;
		json_t *f;
		json_array_foreach(json_object_get(ev, "fixes"), j, f) {
			json_object_del(f, "lat");
			json_object_del(f, "lon");
			json_object_del(f, "accuracy_m");
		}
		json_object_del(ev, "lat");
		json_object_del(ev, "lon");
		json_object_set_new(ev, "locations_withheld", json_true());
	}
}

/* One alert with its history; NULL on a database error. */
static json_t *alert_json(db *conn, const char *id, bool locations)
{
	json_t *rows = api_select(conn, ALERT_COLUMNS ALERT_FROM " WHERE al.id = ?", "it", clock_now_ms(), id);
	if (!rows || json_array_size(rows) != 1) {
		json_decref(rows);
		return NULL;
	}
	alerts_fill(rows);
	alerts_locations(rows, locations);
	json_t *a = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	json_t *events = api_select(conn,
		"SELECT e.at, x.display_name AS actor_name, e.action, e.reason, e.detail FROM alert_event e"
		" LEFT JOIN account x ON x.id = e.actor_id WHERE e.alert_id = ? ORDER BY e.at, e.id", "t", id);
	if (!events) {
		json_decref(a);
		return NULL;
	}
	size_t i;
	json_t *e;
	json_array_foreach(events, i, e)
		api_member_object(e, "detail");
	json_object_set_new(a, "events", events);
	return a;
}

/* Commits and answers with the alert and its ETag. */
static void answer_alert(struct http_request *req, struct http_response *resp, const char *id, int status,
                         const struct record_scope *s)
{
	json_t *a = alert_json(req->db, id, sees_locations(req, s));
	if (!a) {
		api_db_failed(req, resp, "reading an alert");
		return;
	}
	api_commit_send(req, resp, status, a);
}

/* What the actions need of a stored alert. */
struct alert_row {
	char id[UUID_STR_LEN];
	char case_id[UUID_STR_LEN];
	char status[16];
	char assigned_to[UUID_STR_LEN]; /* "" when nobody has it */
	int64_t version;
	bool centre;                    /* a device alert reached by the monitoring centre (em.operate) */
};

/* Logs an action on an alert: with the centre's basis when the monitoring centre reached it, else as scope found. */
static bool alert_audit(struct http_request *req, const struct alert_row *a, const struct record_scope *s,
                        const char *action, const char *record_type, const char *record_id, const char *detail)
{
	if (a->centre)
		return api_audit_why(req, action, record_type, record_id, AUDIT_OUTCOME_SUCCESS, detail, EM_CENTRE_PURPOSE,
		                     EM_CENTRE_BASIS);
	return scope_audit(req, s, action, record_type, record_id, detail);
}

/* Loads an alert and checks the caller reaches its case; false after answering (404, 403, 428, 500). */
static bool alert_load(struct http_request *req, struct http_response *resp, const char *id, struct alert_row *a,
                       struct record_scope *s)
{
	memset(a, 0, sizeof *a);
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
	                             "SELECT id, case_id, status, assigned_to, version, source FROM alert WHERE id = ?",
	                             "t", uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading an alert");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "alert");
		}
		return false;
	}
	const char *assigned = json_string_value(json_object_get(row, "assigned_to"));
	snprintf(a->id, sizeof a->id, "%s", json_string_value(json_object_get(row, "id")));
	snprintf(a->case_id, sizeof a->case_id, "%s", json_string_value(json_object_get(row, "case_id")));
	snprintf(a->status, sizeof a->status, "%s", json_string_value(json_object_get(row, "status")));
	snprintf(a->assigned_to, sizeof a->assigned_to, "%s", assigned ? assigned : "");
	a->version = json_integer_value(json_object_get(row, "version"));
	const char *source = json_string_value(json_object_get(row, "source"));
	bool device = source && strcmp(source, "device") == 0;
	json_decref(row);
	if (device && policy_has(&req->principal, "em.operate")) {
		struct em_order_ref ref;
		if (!em_case_scope(req, resp, a->case_id, false, &ref))
			return false;
		*s = ref.scope;
		a->centre = ref.via_centre;
		return true;
	}
	return scope_case(req, resp, a->case_id, s);
}

/* What must happen first, for a 409 on an alert's state. */
static void state_conflict(struct http_request *req, struct http_response *resp, const char *status,
                           const char *wanted)
{
	const char *detail;
	if (strcmp(status, "verified") == 0 || strcmp(status, "dismissed") == 0)
		detail = strcmp(status, "verified") == 0 ? "The alert has already been verified: nothing more can be done with it."
		                                         : "The alert has already been dismissed: nothing more can be done with it.";
	else if (strcmp(status, "acknowledged") == 0)
		detail = "The alert has already been acknowledged: verify it or dismiss it.";
	else
		detail = "The alert is not in a state that allows this.";
	char *title = xasprintf("The alert cannot be %s", wanted);
	api_conflict(req, resp, "alert-state", title, detail);
	free(title);
}

/* A step of the lifecycle: the states it starts from and how it is named in answers and the log. */
struct step {
	const char *const *from; /* the states that allow it */
	const char *done;        /* "acknowledged": the alert cannot be <done> */
	const char *verb;        /* "acknowledge": not yours to <verb> */
	const char *noun;        /* "acknowledgement": logged as a refused <noun> */
	bool worker_only;        /* only the assignee or a head of the case's unit (may_work) */
};

static const char *const from_open[] = {"open", NULL};
static const char *const from_active[] = {"open", "acknowledged", NULL};
static const struct step step_acknowledge = {from_open, "acknowledged", "acknowledge", "acknowledgement", true};
static const struct step step_assign = {from_active, "assigned", "assign", "assignment", false};
static const struct step step_verify = {from_active, "verified", "verify", "verification", true};
static const struct step step_dismiss = {from_active, "dismissed", "dismiss", "dismissal", true};

static void alert_changed(struct http_request *req, struct http_response *resp)
{
	db_rollback(req->db);
	http_problem(resp, req, 412, "precondition-failed", "The alert has changed",
	             "Someone changed this alert since you read it: reload it and try again.", NULL);
}

/* Whether the caller may work the alert: the one it is assigned to, or a unit head whose units include the case's
   unit. False after answering 403 `not-assignee` (the refusal logged) or 500. */
static bool may_work(struct http_request *req, struct http_response *resp, const struct alert_row *a,
                     const struct record_scope *s, const struct step *step)
{
	if (strcmp(a->assigned_to, req->principal.account_id) == 0 || a->centre)
		return true;
	bool head = false;
	if (!is_unit_head(req, &head)) {
		api_db_failed(req, resp, "reading roles");
		return false;
	}
	if (head && s->access == UNIT_ACCESS_OWN)
		return true;
	db_rollback(req->db);
	char *why = xasprintf("%s by neither the assignee nor a unit head", step->noun);
	char *title = xasprintf("Not yours to %s", step->verb);
	char *detail = xasprintf("Only the officer this alert is assigned to, or a head of the case's unit, can %s it."
	                         " Ask for it to be assigned to you.", step->verb);
	api_audit_denied(req, "alert", a->id, why);
	http_problem(resp, req, 403, "not-assignee", title, detail, NULL);
	free(why);
	free(title);
	free(detail);
	return false;
}

/* Checks the step may run now: 409 `alert-state` when the alert's state does not allow it, 403 when the caller
   may not work it, 412 when If-Match's version is not the stored one. False after answering. */
static bool step_ok(struct http_request *req, struct http_response *resp, const struct alert_row *a,
                    const struct record_scope *s, const struct step *step, int64_t version)
{
	if (!in_list(a->status, step->from)) {
		state_conflict(req, resp, a->status, step->done);
		return false;
	}
	if (step->worker_only && !may_work(req, resp, a, s, step))
		return false;
	if (a->version != version) {
		alert_changed(req, resp);
		return false;
	}
	return true;
}

/* Runs a step's result: DB_DONE means the alert moved on meanwhile: 412 when its state still allows the step,
   else 409. False after answering. */
static bool step_done(struct http_request *req, struct http_response *resp, enum db_status rc,
                      const struct step *step, const char *what)
{
	if (rc == DB_OK)
		return true;
	if (rc == DB_DONE) {
		bool failed = false;
		json_t *row = api_select_one(req->db, &failed, "SELECT status FROM alert WHERE id = ?", "t",
		                             http_request_param(req, "id"));
		char status[16] = "";
		if (row)
			snprintf(status, sizeof status, "%s", json_string_value(json_object_get(row, "status")));
		json_decref(row);
		if (in_list(status, step->from))
			alert_changed(req, resp);
		else
			state_conflict(req, resp, status, step->done);
		return false;
	}
	api_db_failed(req, resp, what);
	return false;
}

/* The caller's body checks; false after answering 422 (or 500 for the date). */
static bool body_ok(struct http_request *req, struct http_response *resp, const char *kind)
{
	char today[11];
	if (!api_today_date(req, resp, NULL, today))
		return false;
	struct field_errors fe = {0};
	alert_body_validate(kind, req->json, today, &fe);
	return !field_errors_respond(&fe, resp, req);
}

/* The default assignee of a new task: the case's officer, else the caller. */
static const char *default_assignee(struct http_request *req, const struct record_scope *s)
{
	return s->officer_id[0] ? s->officer_id : req->principal.account_id;
}

/* Checks an assignee reaches the case's unit; false after answering 422 on field (or 500). */
static bool assignee_ok(struct http_request *req, struct http_response *resp, const char *account_id,
                        const struct record_scope *s, const char *field)
{
	bool ok = false;
	if (alert_assignee_reaches(req->db, account_id, s->unit_id, &ok) != DB_OK) {
		api_db_failed(req, resp, "checking an assignee");
		return false;
	}
	if (!ok)
		api_field_problem(req, resp, field,
		                  "must be an active officer or unit head whose units include the case's unit");
	return ok;
}

/* ---- the queues ------------------------------------------------------------------------- */

/* The cursor after a full page: "<sort_key_>|<middle>|<id>" of its last row (middle: a number or a text column);
   JSON null when the page is not full. */
static json_t *next_cursor(const json_t *items, long limit, const char *middle)
{
	if ((long)json_array_size(items) != limit)
		return json_null();
	const json_t *last = json_array_get(items, json_array_size(items) - 1);
	const json_t *m = json_object_get(last, middle);
	long long key = (long long)json_integer_value(json_object_get(last, "sort_key_"));
	const char *id = json_string_value(json_object_get(last, "id"));
	char *c = json_is_integer(m) ? xasprintf("%lld|%lld|%s", key, (long long)json_integer_value(m), id)
	                             : xasprintf("%lld|%s|%s", key, json_string_value(m), id);
	json_t *next = json_string(c);
	free(c);
	return next;
}

/* Logs a queue's page as one list read, commits and answers {items, next_cursor, queue}; takes items and next. */
static void answer_queue(struct http_request *req, struct http_response *resp, const char *record_type,
                         json_t *items, json_t *next, const char *queue)
{
	/* The monitoring centre reads device alerts of every unit: its list is logged with the centre's basis. */
	bool ok;
	if (strcmp(record_type, "alert") == 0 && policy_has(&req->principal, "em.operate")) {
		struct buf d = {0};
		buf_printf(&d, "list %s: %zu shown", queue, json_array_size(items));
		size_t i;
		const json_t *row;
		json_array_foreach(items, i, row) {
			if (d.len > 1800)
				break;
			buf_puts(&d, i ? "," : ": ");
			buf_puts(&d, json_string_value(json_object_get(row, "id")));
		}
		ok = api_audit_why(req, AUDIT_CONSULT, record_type, NULL, AUDIT_OUTCOME_SUCCESS, d.data, EM_CENTRE_PURPOSE,
		                   EM_CENTRE_BASIS);
		buf_free(&d);
	} else {
		ok = api_audit_list(req, record_type, items, queue);
	}
	if (!ok) {
		json_decref(items);
		json_decref(next);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(next);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:o, s:s}", "items", items, "next_cursor", next, "queue", queue));
}

/* The status filter as the two states it allows (a == NULL: all). False when unknown. */
static bool status_filter(const char *status, const char **a_r, const char **b_r)
{
	static const struct {
		const char *name, *a, *b;
	} map[] = {
		{"active", "open", "acknowledged"}, {"open", "open", "open"},
		{"acknowledged", "acknowledged", "acknowledged"}, {"closed", "verified", "dismissed"}, {"all", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
		if (strcmp(map[i].name, status) == 0) {
			*a_r = map[i].a;
			*b_r = map[i].b;
			return true;
		}
	}
	return false;
}

static bool code_like(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || s[n] == '.' || s[n] == '_'))
			return false;
	return n > 0 && n <= 64;
}

void api_alerts_list(struct http_request *req, struct http_response *resp)
{
	const char *queue = http_request_query(req, "queue"), *status = http_request_query(req, "status");
	const char *severity = http_request_query(req, "severity"), *rule = http_request_query(req, "rule");
	const char *case_id = http_request_query(req, "case_id"), *cursor = http_request_query(req, "cursor");
	struct field_errors fe = {0};
	const char *sa = "open", *sb = "acknowledged";
	if (queue && strcmp(queue, "mine") != 0 && strcmp(queue, "unit") != 0 && strcmp(queue, "escalated") != 0)
		field_error(&fe, "queue", "must be one of: mine, unit, escalated");
	if (status && !status_filter(status, &sa, &sb))
		field_error(&fe, "status", "must be one of: active, open, acknowledged, closed, all");
	if (severity && !in_list(severity, severities))
		field_error(&fe, "severity", "must be one of: low, medium, high");
	if (rule && !code_like(rule))
		field_error(&fe, "rule", "must be a rule code");
	if (case_id && !uuid_valid(case_id))
		field_error(&fe, "case_id", "must be an id");
	long limit = api_limit(req, &fe);
	/* Cursor: "<sort key>|<raised ms>|<id>" of the last row. */
	long long after_key = 0, after_ms = 0;
	char after_id[UUID_STR_LEN] = "";
	if (cursor && (strlen(cursor) > 80 || sscanf(cursor, "%lld|%lld|%36s", &after_key, &after_ms, after_id) != 3 ||
	               !uuid_valid(after_id)))
		field_error(&fe, "cursor", "is not a cursor this server gave");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool head = false;
	if (!queue && !is_unit_head(req, &head)) {
		api_db_failed(req, resp, "reading roles");
		return;
	}
	if (!queue)
		queue = head ? "unit" : "mine";
	const struct principal *p = &req->principal;
	int64_t now = clock_now_ms();
	json_t *items = api_select(req->db,
		REACH_CTE
		" SELECT x.* FROM (" ALERT_COLUMNS ALERT_FROM
		"  WHERE (c.unit_id IN (SELECT id FROM reach) OR (? = 1 AND al.source = 'device'))"
		"  AND (? = 0 OR al.assigned_to = ?) AND (? = 0 OR al.escalation_level > 0)"
		"  AND (CAST(? AS TEXT) IS NULL OR al.status IN (?, ?))"
		"  AND (CAST(? AS TEXT) IS NULL OR al.severity = ?) AND (CAST(? AS TEXT) IS NULL OR al.rule_code = ?)"
		"  AND (CAST(? AS TEXT) IS NULL OR al.case_id = ?)) x"
		" WHERE (CAST(? AS TEXT) IS NULL OR x.sort_key_ > ? OR (x.sort_key_ = ?"
		"  AND (x.raised_ms_ < ? OR (x.raised_ms_ = ? AND x.id < ?))))"
		" ORDER BY x.sort_key_, x.raised_ms_ DESC, x.id DESC LIMIT ?",
		"tti" "i" "i" "iti" "ttt" "tttt" "tt" "tiiiit" "i",
		p->unit_id[0] ? p->unit_id : NULL, p->account_id, now, now, (int64_t)policy_has(p, "em.operate"),
		(int64_t)(strcmp(queue, "mine") == 0), p->account_id, (int64_t)(strcmp(queue, "escalated") == 0),
		sa, sa, sb, severity, severity, rule, rule, case_id, case_id,
		cursor, (int64_t)after_key, (int64_t)after_key, (int64_t)after_ms, (int64_t)after_ms, after_id,
		(int64_t)limit);
	if (!items) {
		api_db_failed(req, resp, "listing alerts");
		return;
	}
	json_t *next = next_cursor(items, limit, "raised_ms_");
	alerts_fill(items);
	alerts_locations(items, sees_locations(req, NULL));
	answer_queue(req, resp, "alert", items, next, queue);
}

void api_alerts_summary(struct http_request *req, struct http_response *resp)
{
	char today[11];
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	const struct principal *p = &req->principal;
	int64_t now = clock_now_ms();
	const char *me = p->account_id;
	bool failed = false;
#define IN_REACH " JOIN case_file c ON c.id = al.case_id WHERE c.unit_id IN (SELECT id FROM reach)"
#define ACTIVE " AND al.status IN ('open', 'acknowledged')"
#define TASK_REACH " FROM task t JOIN case_file c ON c.id = t.case_id WHERE c.unit_id IN (SELECT id FROM reach)"
	json_t *n = api_select_one(req->db, &failed,
		REACH_CTE " SELECT"
		" (SELECT COUNT(*) FROM alert al" IN_REACH ACTIVE " AND al.assigned_to = ?) AS mine_active,"
		" (SELECT COUNT(*) FROM alert al" IN_REACH " AND al.status = 'open' AND al.assigned_to = ?) AS mine_open,"
		" (SELECT COUNT(*) FROM alert al" IN_REACH " AND al.status = 'open' AND al.assigned_to = ?"
		"  AND al.ack_due_at <= ?) AS mine_overdue,"
		" (SELECT COUNT(*) FROM alert al" IN_REACH ACTIVE ") AS unit_active,"
		" (SELECT COUNT(*) FROM alert al" IN_REACH ACTIVE " AND al.escalation_level > 0) AS unit_escalated,"
		" (SELECT COUNT(*)" TASK_REACH " AND t.status = 'open' AND t.assigned_to = ?) AS tasks_mine,"
		" (SELECT COUNT(*)" TASK_REACH " AND t.status = 'open' AND t.assigned_to = ? AND t.due_on < ?)"
		"  AS tasks_mine_overdue,"
		" (SELECT COUNT(*)" TASK_REACH " AND t.status = 'open') AS tasks_unit",
		"tti" "ttti" "tt" "t",
		p->unit_id[0] ? p->unit_id : NULL, me, now, me, me, me, now, me, me, today);
	json_t *by_rule = n ? api_select(req->db,
		REACH_CTE " SELECT al.rule_code, COUNT(*) AS count FROM alert al" IN_REACH ACTIVE
		" GROUP BY al.rule_code ORDER BY COUNT(*) DESC, al.rule_code", "tti",
		p->unit_id[0] ? p->unit_id : NULL, me, now) : NULL;
#undef IN_REACH
#undef ACTIVE
#undef TASK_REACH
	if (!n || !by_rule || !api_audit(req, AUDIT_CONSULT, "alert", NULL, AUDIT_OUTCOME_SUCCESS, "summary counts")) {
		json_decref(n);
		json_decref(by_rule);
		api_db_failed(req, resp, "counting alerts");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(n);
		json_decref(by_rule);
		return;
	}
#define N(name) json_object_get(n, name)
	json_t *out = json_pack("{s:{s:O, s:O, s:O}, s:{s:O, s:O}, s:{s:O, s:O, s:O}, s:o}",
		"mine", "active", N("mine_active"), "unacknowledged", N("mine_open"), "ack_overdue", N("mine_overdue"),
		"unit", "active", N("unit_active"), "escalated", N("unit_escalated"),
		"tasks", "mine_open", N("tasks_mine"), "mine_overdue", N("tasks_mine_overdue"), "unit_open", N("tasks_unit"),
		"by_rule", by_rule);
#undef N
	json_decref(n);
	http_response_json(resp, 200, out);
}

/* ---- one alert and its steps ------------------------------------------------------------ */

void api_alert_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct alert_row a;
	struct record_scope s;
	if (!api_begin(req, resp) || !alert_load(req, resp, id, &a, &s))
		return;
	if (!alert_audit(req, &a, &s, AUDIT_CONSULT, "alert", a.id, a.case_id)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	answer_alert(req, resp, a.id, 200, &s);
}

/* The prelude of every step: its body (body_kind NULL: none), If-Match, the alert, the caller's reach (never
   by a stated purpose alone) and step_ok. False after answering. */
static bool step_begin(struct http_request *req, struct http_response *resp, const char *body_kind,
                       const struct step *step, struct alert_row *a, struct record_scope *s, int64_t *version_r)
{
	return (!body_kind || body_ok(req, resp, body_kind)) && api_if_match(req, resp, version_r) &&
	       api_begin(req, resp) && alert_load(req, resp, http_request_param(req, "id"), a, s) &&
	       scope_may_change(req, resp, s, "alert", a->id) && step_ok(req, resp, a, s, step, *version_r);
}

void api_alert_acknowledge(struct http_request *req, struct http_response *resp)
{
	struct alert_row a;
	struct record_scope s;
	int64_t version = 0;
	if (!step_begin(req, resp, NULL, &step_acknowledge, &a, &s, &version))
		return;
	int64_t now = clock_now_ms();
	if (!step_done(req, resp, alert_acknowledge_if(req->db, a.id, version, req->principal.account_id, now),
	               &step_acknowledge, "acknowledging an alert"))
		return;
	if (!alert_audit(req, &a, &s, AUDIT_ALTER, "alert", a.id, "acknowledged")) {
		api_db_failed(req, resp, "logging a change");
		return;
	}
	answer_alert(req, resp, a.id, 200, &s);
}

void api_alert_assign(struct http_request *req, struct http_response *resp)
{
	struct alert_row a;
	struct record_scope s;
	int64_t version = 0;
	if (!step_begin(req, resp, "assignment", &step_assign, &a, &s, &version))
		return;
	const char *assignee = api_str(req, "assignee_id");
	if (strcmp(assignee, a.assigned_to) == 0) {
		api_field_problem(req, resp, "assignee_id", "already has this alert");
		return;
	}
	if (!assignee_ok(req, resp, assignee, &s, "assignee_id"))
		return;
	int64_t now = clock_now_ms();
	if (!step_done(req, resp,
	               alert_assign_if(req->db, a.id, version, assignee, req->principal.account_id,
	                               api_str(req, "reason"), now),
	               &step_assign, "assigning an alert"))
		return;
	if (!alert_audit(req, &a, &s, AUDIT_ALTER, "alert", a.id, "assigned")) {
		api_db_failed(req, resp, "logging a change");
		return;
	}
	answer_alert(req, resp, a.id, 200, &s);
}

/* Checks that every condition named is an active condition of the case; false after answering 422 or 500. */
static bool conditions_ok(struct http_request *req, struct http_response *resp, const char *case_id,
                          const json_t *ids)
{
	struct field_errors fe = {0};
	size_t i;
	const json_t *id;
	json_array_foreach(ids, i, id) {
		bool failed = false;
		json_t *c = api_select_one(req->db, &failed,
			"SELECT status FROM case_condition WHERE id = ? AND case_id = ?", "tt", json_string_value(id), case_id);
		if (failed) {
			api_db_failed(req, resp, "reading a condition");
			return false;
		}
		char field[48];
		snprintf(field, sizeof field, "breach.condition_ids[%zu]", i);
		if (!c)
			field_error(&fe, field, "is not a condition of this case");
		else if (strcmp(json_string_value(json_object_get(c, "status")), "active") != 0)
			field_error(&fe, field, "is not an active condition of this case");
		json_decref(c);
	}
	if (!fe.list)
		return true;
	db_rollback(req->db);
	field_errors_respond(&fe, resp, req);
	return false;
}

/* The open task an alert's rule made with it ("" when none). */
static enum db_status open_task_of(db *conn, const char *alert_id, char task_id_r[UUID_STR_LEN])
{
	task_id_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id FROM task WHERE source_alert_id = ? AND status = 'open' ORDER BY created_at, id", "t", alert_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		snprintf(task_id_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

void api_alert_verify(struct http_request *req, struct http_response *resp)
{
	struct alert_row a;
	struct record_scope s;
	int64_t version = 0;
	if (!step_begin(req, resp, "verification", &step_verify, &a, &s, &version))
		return;
	const char *reasons = api_str(req, "reasons"), *actor = req->principal.account_id;
	bool breach = strcmp(api_str(req, "outcome"), "breach") == 0;
	/* S25: only an officer starts a breach; the monitoring centre verifies as a task for them. */
	if (breach && !policy_has(&req->principal, "breaches.write")) {
		db_rollback(req->db);
		api_audit_denied(req, "alert", a.id, "verification as a breach without breaches.write");
		http_problem(resp, req, 403, "breach-not-permitted", "Not permitted to start a breach",
		             "Only the supervising officer or a unit head can verify an alert as a breach allegation."
		             " Verify it as a task for the officer, with the evidence, or dismiss it.", NULL);
		return;
	}
	int64_t now = clock_now_ms();
	char made[UUID_STR_LEN] = "";
	enum db_status rc;
	if (breach) {
		const json_t *b = json_object_get(req->json, "breach");
		const json_t *ids = json_object_get(b, "condition_ids");
		if (!conditions_ok(req, resp, a.case_id, ids))
			return;
		const char *list[MAX_CONDITIONS];
		size_t n = 0;
		for (; ids && n < json_array_size(ids) && n < MAX_CONDITIONS; n++)
			list[n] = json_string_value(json_array_get(ids, n));
		struct breach_new bn = {.allegation = json_str(b, "allegation"), .occurred_on = json_str(b, "occurred_on"),
		                        .condition_ids = list, .nconditions = n};
		rc = alert_verify_breach_if(req->db, a.id, version, actor, reasons, &bn, now, made);
		/* A verified breach calls for a reassessment (its trigger, alert and task), recorded by the engine: the
		   officer's part is the verification, in the alert's own log. */
		if (rc == DB_OK) {
			struct trigger_new t = {.case_id = a.case_id, .kind = "breach", .occurred_on = bn.occurred_on,
			                        .summary = "A breach allegation was reported", .record_type = "breach",
			                        .record_id = made, .recorded_by = NULL};
			char trigger[UUID_STR_LEN];
			bool created = false;
			rc = reassessment_trigger_add(req->db, &t, now, trigger, &created);
		}
	} else {
		const json_t *t = json_object_get(req->json, "task");
		const char *assignee = json_str(t, "assigned_to");
		if (assignee && !assignee_ok(req, resp, assignee, &s, "task.assigned_to"))
			return;
		/* A rule that raises with a task of its own (reassessment) has opened it already: the verification
		   takes that task rather than making a second one for the same work. */
		rc = open_task_of(req->db, a.id, made);
		if (rc == DB_OK && made[0]) {
			rc = alert_verify_existing_task_if(req->db, a.id, version, actor, reasons, made, now);
		} else if (rc == DB_OK) {
			/* The centre's task goes to the supervising officer; with none allocated it waits unassigned in the
			   unit's queue (never with the operator, who does not reach the case's tasks). */
			const char *to = assignee ? assignee : a.centre && !s.officer_id[0] ? NULL : default_assignee(req, &s);
			struct task_new tn = {.title = json_str(t, "title"), .due_on = json_str(t, "due_on"),
			                      .assigned_to = to,
			                      .created_by = actor};
			rc = alert_verify_task_if(req->db, a.id, version, actor, reasons, &tn, now, made);
		}
	}
	if (!step_done(req, resp, rc, &step_verify, "verifying an alert"))
		return;
	if (!alert_audit(req, &a, &s, AUDIT_ALTER, "alert", a.id, breach ? "verified: breach" : "verified: task") ||
	    !alert_audit(req, &a, &s, AUDIT_COLLECT, breach ? "breach" : "task", made, a.case_id)) {
		api_db_failed(req, resp, "logging a change");
		return;
	}
	answer_alert(req, resp, a.id, 200, &s);
}

void api_alert_dismiss(struct http_request *req, struct http_response *resp)
{
	struct alert_row a;
	struct record_scope s;
	int64_t version = 0;
	if (!step_begin(req, resp, "dismissal", &step_dismiss, &a, &s, &version))
		return;
	int64_t now = clock_now_ms();
	if (!step_done(req, resp,
	               alert_dismiss_if(req->db, a.id, version, req->principal.account_id, api_str(req, "reason"), now),
	               &step_dismiss, "dismissing an alert"))
		return;
	if (!alert_audit(req, &a, &s, AUDIT_ALTER, "alert", a.id, "dismissed")) {
		api_db_failed(req, resp, "logging a change");
		return;
	}
	answer_alert(req, resp, a.id, 200, &s);
}

/* ---- a case's alerts -------------------------------------------------------------------- */

void api_case_alerts(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id"), *status = http_request_query(req, "status");
	const char *sa = NULL, *sb = NULL;
	if (status && !status_filter(status, &sa, &sb)) {
		api_field_problem(req, resp, "status", "must be one of: active, open, acknowledged, closed, all");
		return;
	}
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, case_id, &s))
		return;
	json_t *items = api_select(req->db,
		"SELECT x.* FROM (" ALERT_COLUMNS ALERT_FROM " WHERE al.case_id = ?"
		" AND (CAST(? AS TEXT) IS NULL OR al.status IN (?, ?))) x" ALERT_ORDER " LIMIT 500",
		"itttt", clock_now_ms(), case_id, sa, sa, sb);
	if (items) {
		alerts_fill(items);
		alerts_locations(items, sees_locations(req, &s));
	}
	scope_send_items(req, resp, &s, "case_alerts", case_id, items, "reading alerts");
}

void api_case_alert_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct record_scope s;
	if (!body_ok(req, resp, "alert") || !api_begin(req, resp) || !scope_case(req, resp, case_id, &s) ||
	    !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.status, "closed") == 0) {
		api_conflict(req, resp, "case-closed", "The case is closed", "Alerts are raised on open cases.");
		return;
	}
	const char *note = json_str(req->json, "evidence_note");
	char *evidence = NULL;
	if (note) {
		json_t *e = json_pack("{s:s}", "note", note);
		evidence = json_dumps(e, JSON_COMPACT);
		json_decref(e);
	}
	struct alert_new an = {.case_id = case_id, .source = "officer", .severity = api_str(req, "severity"),
	                       .summary = api_str(req, "summary"), .evidence = evidence,
	                       .raised_by = req->principal.account_id};
	char id[UUID_STR_LEN];
	bool created = false;
	enum db_status rc = alert_raise(req->db, &an, clock_now_ms(), id, &created);
	free(evidence);
	if (rc != DB_OK || !created) {
		api_db_failed(req, resp, "raising an alert");
		return;
	}
	answer_alert(req, resp, id, 201, &s);
}

/* ---- tasks ------------------------------------------------------------------------------ */

static void tasks_fill(json_t *rows)
{
	size_t i;
	json_t *t;
	json_array_foreach(rows, i, t) {
		json_object_del(t, "sort_key_");
		json_object_del(t, "due_key_");
	}
}

/* One task (committed and answered with its ETag). */
static void answer_task(struct http_request *req, struct http_response *resp, const char *id, const char *today,
                        int status)
{
	bool failed = false;
	json_t *t = api_select_one(req->db, &failed, TASK_COLUMNS TASK_FROM " WHERE t.id = ?", "tt", today, id);
	if (!t) {
		api_db_failed(req, resp, "reading a task");
		return;
	}
	json_object_del(t, "sort_key_");
	json_object_del(t, "due_key_");
	api_commit_send(req, resp, status, t);
}

void api_tasks_list(struct http_request *req, struct http_response *resp)
{
	const char *queue = http_request_query(req, "queue"), *status = http_request_query(req, "status");
	const char *cursor = http_request_query(req, "cursor");
	struct field_errors fe = {0};
	if (queue && strcmp(queue, "mine") != 0 && strcmp(queue, "unit") != 0)
		field_error(&fe, "queue", "must be one of: mine, unit");
	if (status && strcmp(status, "all") != 0 && !in_list(status, task_statuses))
		field_error(&fe, "status", "must be one of: open, done, cancelled, all");
	long limit = api_limit(req, &fe);
	/* Cursor: "<sort key>|<due key>|<id>" of the last row. */
	long long after_key = 0;
	char after_due[11] = "", after_id[UUID_STR_LEN] = "";
	if (cursor && (strlen(cursor) > 80 || sscanf(cursor, "%lld|%10[0-9-]|%36s", &after_key, after_due, after_id) != 3 ||
	               !uuid_valid(after_id)))
		field_error(&fe, "cursor", "is not a cursor this server gave");
	char today[11];
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	bool head = false;
	if (!queue && !is_unit_head(req, &head)) {
		api_db_failed(req, resp, "reading roles");
		return;
	}
	if (!queue)
		queue = head ? "unit" : "mine";
	if (!status)
		status = "open";
	const char *only = strcmp(status, "all") == 0 ? NULL : status;
	const struct principal *p = &req->principal;
	json_t *items = api_select(req->db,
		REACH_CTE
		" SELECT x.* FROM (" TASK_COLUMNS TASK_FROM
		"  WHERE c.unit_id IN (SELECT id FROM reach) AND (? = 0 OR t.assigned_to = ?)"
		"  AND (CAST(? AS TEXT) IS NULL OR t.status = ?)) x"
		" WHERE (CAST(? AS TEXT) IS NULL OR x.sort_key_ > ? OR (x.sort_key_ = ?"
		"  AND (x.due_key_ > ? OR (x.due_key_ = ? AND x.id > ?))))"
		TASK_ORDER " LIMIT ?",
		"tti" "t" "it" "tt" "tiittt" "i",
		p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), today,
		(int64_t)(strcmp(queue, "mine") == 0), p->account_id, only, only,
		cursor, (int64_t)after_key, (int64_t)after_key, after_due, after_due, after_id, (int64_t)limit);
	if (!items) {
		api_db_failed(req, resp, "listing tasks");
		return;
	}
	json_t *next = next_cursor(items, limit, "due_key_");
	tasks_fill(items);
	answer_queue(req, resp, "task", items, next, queue);
}

void api_case_tasks(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct record_scope s;
	char today[11];
	if (!api_begin(req, resp) || !scope_case(req, resp, case_id, &s) || !api_today_date(req, resp, NULL, today))
		return;
	json_t *items = api_select(req->db,
		"SELECT x.* FROM (" TASK_COLUMNS TASK_FROM " WHERE t.case_id = ?) x" TASK_ORDER " LIMIT 500", "tt", today,
		case_id);
	if (items)
		tasks_fill(items);
	scope_send_items(req, resp, &s, "case_tasks", case_id, items, "reading tasks");
}

void api_task_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct record_scope s;
	char today[11];
	if (!body_ok(req, resp, "task") || !api_begin(req, resp) || !scope_case(req, resp, case_id, &s) ||
	    !scope_may_change(req, resp, &s, "case", case_id) || !api_today_date(req, resp, NULL, today))
		return;
	if (strcmp(s.status, "closed") == 0) {
		api_conflict(req, resp, "case-closed", "The case is closed", "Tasks are added to open cases.");
		return;
	}
	const char *assignee = json_str(req->json, "assigned_to");
	if (assignee && !assignee_ok(req, resp, assignee, &s, "assigned_to"))
		return;
	struct task_new t = {.case_id = case_id, .title = api_str(req, "title"), .detail = json_str(req->json, "detail"),
	                     .due_on = json_str(req->json, "due_on"),
	                     .assigned_to = assignee ? assignee : default_assignee(req, &s),
	                     .created_by = req->principal.account_id};
	char id[UUID_STR_LEN];
	if (task_add(req->db, &t, clock_now_ms(), id) != DB_OK ||
	    !scope_audit(req, &s, AUDIT_COLLECT, "task", id, case_id)) {
		api_db_failed(req, resp, "adding a task");
		return;
	}
	answer_task(req, resp, id, today, 201);
}

/* The timeline event of a task change: done, cancelled, or changed (which fields, no text). */
static bool task_event(struct http_request *req, const char *case_id, const char *task_id, const char *status,
                       int64_t now)
{
	struct buf detail = {0};
	buf_puts(&detail, "{\"task_id\":");
	buf_json_string(&detail, task_id);
	buf_puts(&detail, ",\"fields\":[");
	const char *fields[] = {"title", "detail", "due_on", "assigned_to", "status"};
	bool first = true;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (!json_object_get(req->json, fields[i]))
			continue;
		if (!first)
			buf_putc(&detail, ',');
		buf_json_string(&detail, fields[i]);
		first = false;
	}
	buf_puts(&detail, "]}");
	const char *kind = "task.changed", *summary = "Task changed";
	if (status && strcmp(status, "done") == 0)
		kind = "task.done", summary = "Task done";
	else if (status && strcmp(status, "cancelled") == 0)
		kind = "task.cancelled", summary = "Task cancelled";
	bool ok = case_event_add(req->db, case_id, now, kind, req->principal.account_id, summary, detail.data, "task",
	                         task_id) == DB_OK;
	buf_free(&detail);
	return ok;
}

void api_task_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	int64_t version = 0;
	char today[11];
	if (!body_ok(req, resp, "task_update") || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !api_today_date(req, resp, NULL, today))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT case_id, status, version FROM task WHERE id = ?", "t",
	                             uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a task");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "task");
		}
		return;
	}
	char case_id[UUID_STR_LEN], status[16];
	snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(row, "case_id")));
	snprintf(status, sizeof status, "%s", json_string_value(json_object_get(row, "status")));
	int64_t stored = json_integer_value(json_object_get(row, "version"));
	json_decref(row);
	struct record_scope s;
	if (!scope_case(req, resp, case_id, &s) || !scope_may_change(req, resp, &s, "task", id))
		return;
	if (stored != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The task has changed",
		             "Someone changed this task since you read it: reload it and try again.", NULL);
		return;
	}
	if (strcmp(status, "open") != 0) {
		api_conflict(req, resp, "task-state", "The task is closed",
		         strcmp(status, "done") == 0 ? "The task is done: only an open task can be changed."
		                                     : "The task was cancelled: only an open task can be changed.");
		return;
	}
	const char *assignee = json_str(req->json, "assigned_to");
	if (assignee && !assignee_ok(req, resp, assignee, &s, "assigned_to"))
		return;
	const char *new_status = json_str(req->json, "status");
	int64_t closing = new_status && strcmp(new_status, "open") != 0;
	const json_t *detail = json_object_get(req->json, "detail"), *due = json_object_get(req->json, "due_on");
	int64_t now = clock_now_ms();
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE task SET title = COALESCE(?, title),"
	                 " detail = CASE WHEN ? = 1 THEN ? ELSE detail END,"
	                 " due_on = CASE WHEN ? = 1 THEN ? ELSE due_on END,"
	                 " assigned_to = COALESCE(?, assigned_to), status = COALESCE(?, status),"
	                 " closed_at = CASE WHEN ? = 1 THEN ? ELSE closed_at END,"
	                 " closed_by = CASE WHEN ? = 1 THEN ? ELSE closed_by END,"
	                 " close_note = CASE WHEN ? = 1 THEN ? ELSE close_note END,"
	                 " version = version + 1 WHERE id = ? AND version = ? AND status = 'open'",
	                 "t" "it" "it" "tt" "ii" "it" "it" "ti",
	                 json_str(req->json, "title"), (int64_t)(detail != NULL), json_str(req->json, "detail"),
	                 (int64_t)(due != NULL), json_str(req->json, "due_on"), assignee, new_status, closing, now,
	                 closing, req->principal.account_id, closing, json_str(req->json, "close_note"), id,
	                 version) == DB_OK;
	if (ok && changed != 1) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The task has changed",
		             "Someone changed this task since you read it: reload it and try again.", NULL);
		return;
	}
	ok = ok && task_event(req, case_id, id, new_status, now) &&
	     scope_audit(req, &s, AUDIT_ALTER, "task", id, new_status ? new_status : "changed");
	if (!ok) {
		api_db_failed(req, resp, "changing a task");
		return;
	}
	answer_task(req, resp, id, today, 200);
}
