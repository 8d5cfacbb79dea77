/*
 * release.c — release planning (penitentiary probation): the prison's and
 * the receiving unit's planning lists, a case's release plan (receiving
 * probation unit, address, transport, documents, first appointment,
 * programmes), its actions, multi-agency panel meetings with printable
 * minutes in ky/ru/en, and the handover from prison to probation.
 *
 * Staff reach a plan, an action or a meeting through its case (scope_case:
 * the case's unit, or the receiving unit while the plan is live); changes
 * need scope_may_change. Every record with a version answers an ETag and
 * needs If-Match to change. Every read and change writes the processing
 * log; every change adds a timeline event. The rules of dates, the handover's
 * moves and the minutes' page are in domain/release.c.
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "domain/person.h"
#include "domain/recurrence.h"
#include "domain/release.h"

/* ---- bodies ----------------------------------------------------------------------------- */

static const char *const plan_statuses[] = {"draft", "agreed", NULL};
static const char *const document_kinds[] = {"passport", "id_card", "birth_certificate", "military_record", "other",
                                             NULL};
static const char *const document_statuses[] = {"have", "applied", "needed", NULL};
static const char *const action_statuses[] = {"open", "done", "cancelled", NULL};
static const char *const handover_kinds[] = {"executive", "post_penitentiary", NULL};

#define MAX_DOCUMENTS 10
#define MAX_REFERRALS 20
#define MAX_ATTENDEES 40
#define MAX_MEETING_ACTIONS 40

static const struct field_rule plan_rules[] = {
	{"receiving_unit_id", FIELD_UUID, true, 0, 0, NULL},
	{"address", FIELD_STRING, false, 0, 500, NULL},
	{"transport", FIELD_STRING, false, 0, 1000, NULL},
	{"documents", FIELD_ARRAY, false, 0, MAX_DOCUMENTS, NULL},
	{"first_appointment_at", FIELD_STRING, false, 0, 16, NULL},
	{"first_appointment_place", FIELD_STRING, false, 0, 300, NULL},
	{"notes", FIELD_STRING, false, 0, 4000, NULL},
	{"referral_ids", FIELD_ARRAY, false, 0, MAX_REFERRALS, NULL},
	{"status", FIELD_ENUM, false, 0, 0, plan_statuses},
};
static const struct field_rule document_rules[] = {
	{"kind", FIELD_ENUM, true, 0, 0, document_kinds},
	{"status", FIELD_ENUM, true, 0, 0, document_statuses},
	{"note", FIELD_STRING, false, 0, 500, NULL},
};
static const struct field_rule action_rules[] = {
	{"description", FIELD_STRING, true, 3, 2000, NULL},
	{"owner_agency_id", FIELD_UUID, true, 0, 0, NULL},
	{"owner_name", FIELD_STRING, false, 0, 200, NULL},
	{"due_on", FIELD_DATE, true, 0, 0, NULL},
};
static const struct field_rule action_update_rules[] = {
	{"description", FIELD_STRING, false, 3, 2000, NULL},
	{"owner_agency_id", FIELD_UUID, false, 0, 0, NULL},
	{"owner_name", FIELD_STRING, false, 0, 200, NULL},
	{"due_on", FIELD_DATE, false, 0, 0, NULL},
	{"status", FIELD_ENUM, false, 0, 0, action_statuses},
};
/* A meeting; its update has the same fields but actions (changed through the action routes). */
static const struct field_rule meeting_rules[] = {
	{"held_on", FIELD_DATE, true, 0, 0, NULL},
	{"place", FIELD_STRING, false, 0, 300, NULL},
	{"agenda", FIELD_STRING, true, 3, 4000, NULL},
	{"decisions", FIELD_STRING, true, 3, 8000, NULL},
	{"attendees", FIELD_ARRAY, true, 1, MAX_ATTENDEES, NULL},
	{"actions", FIELD_ARRAY, false, 0, MAX_MEETING_ACTIONS, NULL},
};
static const struct field_rule attendee_rules[] = {
	{"agency_id", FIELD_UUID, true, 0, 0, NULL},
	{"name", FIELD_STRING, true, 1, 200, NULL},
	{"role_title", FIELD_STRING, false, 0, 200, NULL},
	{"present", FIELD_BOOL, true, 0, 0, NULL},
};
static const struct field_rule handover_rules[] = {
	{"released_on", FIELD_DATE, true, 0, 0, NULL},
	{"kind", FIELD_ENUM, true, 0, 0, handover_kinds},
	{"consent_on", FIELD_DATE, false, 0, 0, NULL},
	{"officer_id", FIELD_UUID, false, 0, 0, NULL},
};

/* Each item of array member `name` of b checked against rules, errors naming "<name>[i].<field>". */
static void items_check(const json_t *b, const char *name, const struct field_rule *rules, size_t n,
                        struct field_errors *fe)
{
	const json_t *items = json_object_get(b, name);
	if (!json_is_array(items))
		return;
	size_t i;
	const json_t *item;
	json_array_foreach(items, i, item) {
		char prefix[48];
		snprintf(prefix, sizeof prefix, "%s[%zu]", name, i);
		validate_object_at(item, prefix, rules, n, fe);
	}
}

static void plan_check(const json_t *b, struct field_errors *fe)
{
	validate_object(b, plan_rules, NRULES(plan_rules), fe);
	if (!json_is_object(b))
		return;
	items_check(b, "documents", document_rules, NRULES(document_rules), fe);
	const char *at = json_str(b, "first_appointment_at");
	if (at && utf8_length(at) <= 16 && !local_time_valid(at))
		field_error(fe, "first_appointment_at", "must be a local date and time (YYYY-MM-DDTHH:MM)");
	const json_t *ids = json_object_get(b, "referral_ids");
	if (!json_is_array(ids))
		return;
	size_t i, j;
	const json_t *v;
	json_array_foreach(ids, i, v) {
		char name[48];
		snprintf(name, sizeof name, "referral_ids[%zu]", i);
		if (!json_is_string(v) || !uuid_valid(json_string_value(v))) {
			field_error(fe, name, "must be an id");
			continue;
		}
		for (j = 0; j < i; j++)
			if (json_equal(v, json_array_get(ids, j))) {
				field_error(fe, name, "is named twice");
				break;
			}
	}
}

static void action_update_check(const json_t *b, struct field_errors *fe)
{
	if (validate_object(b, action_update_rules, NRULES(action_update_rules), fe) && json_object_size(b) == 0)
		field_error(fe, "status", "nothing to change: give description, owner_agency_id, owner_name, due_on or status");
}

static void meeting_check(const json_t *b, const char *today, bool update, struct field_errors *fe)
{
	validate_object(b, meeting_rules, NRULES(meeting_rules) - (update ? 1 : 0), fe);
	if (!json_is_object(b))
		return;
	validate_not_future(b, "held_on", NULL, today, fe);
	items_check(b, "attendees", attendee_rules, NRULES(attendee_rules), fe);
	if (!update)
		items_check(b, "actions", action_rules, NRULES(action_rules), fe);
}

static void handover_check(const json_t *b, const char *today, struct field_errors *fe)
{
	if (!validate_object(b, handover_rules, NRULES(handover_rules), fe))
		return;
	validate_not_future(b, "released_on", NULL, today, fe);
	validate_not_future(b, "consent_on", NULL, today, fe);
	bool post = strcmp(json_str(b, "kind"), "post_penitentiary") == 0;
	if (post && !json_str(b, "consent_on"))
		field_error(fe, "consent_on", "is required: post-penitentiary help is given at the person's own request");
	if (!post && json_str(b, "consent_on"))
		field_error(fe, "consent_on", "is only for post-penitentiary cases");
}

/*
 * The checks on this file's bodies that need no database, shared with the fuzz target. kind: "plan" (PUT
 * .../release-plan), "action" (POST .../actions), "action_update" (PUT /release-actions/{id}), "meeting" (POST
 * .../panel-meetings), "meeting_update" (PUT /panel-meetings/{id}: no actions), "handover"; today: YYYY-MM-DD.
 */
bool release_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	if (strcmp(kind, "plan") == 0)
		plan_check(body, fe);
	else if (strcmp(kind, "action") == 0)
		validate_object(body, action_rules, NRULES(action_rules), fe);
	else if (strcmp(kind, "action_update") == 0)
		action_update_check(body, fe);
	else if (strcmp(kind, "meeting") == 0)
		meeting_check(body, today, false, fe);
	else if (strcmp(kind, "meeting_update") == 0)
		meeting_check(body, today, true, fe);
	else if (strcmp(kind, "handover") == 0)
		handover_check(body, today, fe);
	else
		field_error(fe, "body", "unknown body");
	return fe->list == NULL;
}

/* ---- shared steps ----------------------------------------------------------------------- */

/* Opens the transaction, reads today and checks the body (422 naming each field); false after answering. */
static bool begin_checked(struct http_request *req, struct http_response *resp, const char *kind, char today[11])
{
	struct field_errors fe = {0};
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return false;
	release_body_validate(kind, req->json, today, &fe);
	return !api_errors_answer(req, resp, &fe);
}

/* If-Match inside an open transaction: rolls back when it answers. */
static bool if_match(struct http_request *req, struct http_response *resp, int64_t *version_r)
{
	if (api_if_match(req, resp, version_r))
		return true;
	db_rollback(req->db);
	return false;
}

static void stale(struct http_request *req, struct http_response *resp, const char *what)
{
	db_rollback(req->db);
	char *detail = xasprintf("Someone changed this %s since you read it: reload it and try again.", what);
	http_problem(resp, req, 412, "precondition-failed", "The record has changed", detail, NULL);
	free(detail);
}

static bool live(const char *status)
{
	return strcmp(status, "draft") == 0 || strcmp(status, "agreed") == 0;
}

/* 409 for a plan that is no longer live: handed over or cancelled. */
static void plan_closed(struct http_request *req, struct http_response *resp, const char *status)
{
	if (strcmp(status, "handed_over") == 0)
		api_conflict(req, resp, "handed-over", "The case has been handed over",
		             "The release plan was handed over to probation: its actions are now in the supervision plan.");
	else
		api_conflict(req, resp, "plan-closed", "The release plan is closed", "A cancelled release plan is not changed.");
}

/* A release plan's row as the routes need it. */
struct plan_row {
	char id[UUID_STR_LEN];
	char case_id[UUID_STR_LEN];
	char receiving_unit_id[UUID_STR_LEN];
	char status[16];
	int64_t version;
};

/* Reads a plan by its id (by_case false) or its case's id; *found_r false when there is none. False on error. */
static bool plan_read(db *conn, const char *key, bool by_case, struct plan_row *p, bool *found_r)
{
	memset(p, 0, sizeof *p);
	*found_r = false;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		by_case ? "SELECT id, case_id, receiving_unit_id, status, version FROM release_plan WHERE case_id = ?"
		        : "SELECT id, case_id, receiving_unit_id, status, version FROM release_plan WHERE id = ?",
		"t", key);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		snprintf(p->id, sizeof p->id, "%s", db_column_text(st, 0, NULL));
		snprintf(p->case_id, sizeof p->case_id, "%s", db_column_text(st, 1, NULL));
		snprintf(p->receiving_unit_id, sizeof p->receiving_unit_id, "%s", db_column_text(st, 2, NULL));
		snprintf(p->status, sizeof p->status, "%s", db_column_text(st, 3, NULL));
		p->version = db_column_int64(st, 4);
		*found_r = true;
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE;
}

/* The plan with id within the caller's reach (scope_case on its case); false after answering (404 unknown). */
static bool plan_load(struct http_request *req, struct http_response *resp, const char *id, struct plan_row *p,
                      struct record_scope *s)
{
	bool found = false;
	if (!plan_read(req->db, id, false, p, &found)) {
		api_db_failed(req, resp, "reading a release plan");
		return false;
	}
	if (!found) {
		db_rollback(req->db);
		api_not_found(req, resp, "release plan");
		return false;
	}
	return scope_case(req, resp, p->case_id, s);
}

/* The row of sql (one parameter: id) or NULL after answering: 404 naming what when there is none, 500 on error. */
static json_t *select_known(struct http_request *req, struct http_response *resp, const char *what, const char *sql,
                            const char *id)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, sql, "t", id);
	if (row)
		return row;
	if (failed) {
		char *doing = xasprintf("reading a %s", what);
		api_db_failed(req, resp, doing);
		free(doing);
	} else {
		db_rollback(req->db);
		api_not_found(req, resp, what);
	}
	return NULL;
}

/* True when an agency exists; *exists_r. False on a database error (after answering). */
static bool agency_exists(struct http_request *req, struct http_response *resp, const char *id, bool *exists_r)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT id FROM agency WHERE id = ?", "t", id);
	*exists_r = row != NULL;
	json_decref(row);
	if (failed)
		api_db_failed(req, resp, "reading an agency");
	return !failed;
}

/* Adds "must be a known agency" on field for each unknown owner_agency_id/agency_id of the items. */
static bool agencies_check(struct http_request *req, struct http_response *resp, const json_t *items,
                           const char *list, const char *member, struct field_errors *fe)
{
	size_t i;
	const json_t *item;
	json_array_foreach(items, i, item) {
		bool exists = false;
		if (!agency_exists(req, resp, json_str(item, member), &exists))
			return false;
		if (!exists) {
			char name[64];
			snprintf(name, sizeof name, "%s[%zu].%s", list, i, member);
			field_error(fe, name, "must be a known agency");
		}
	}
	return true;
}

/* Adds a timeline event with a JSON detail (taken). */
static bool timeline(struct http_request *req, const char *case_id, int64_t now, const char *kind,
                     const char *summary, json_t *detail, const char *record_type, const char *record_id)
{
	char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(detail);
	bool ok = text && case_event_add(req->db, case_id, now, kind, req->principal.account_id, summary, text,
	                                 record_type, record_id) == DB_OK;
	free(text);
	return ok;
}

/* ---- reading ---------------------------------------------------------------------------- */

#define ACTION_COLUMNS \
	"SELECT ra.id, ra.meeting_id, ra.description, ra.owner_agency_id, g.name AS owner_agency_name, ra.owner_name," \
	" ra.due_on, ra.status, ra.plan_action_id, ra.version FROM release_action ra" \
	" JOIN agency g ON g.id = ra.owner_agency_id"

/* Renames a "<x>_local" member (a local time kept as text, which a *_at column name would read as an instant). */
static void rename_member(json_t *o, const char *from, const char *to)
{
	json_t *v = json_object_get(o, from);
	json_object_set(o, to, v ? v : json_null());
	json_object_del(o, from);
}

/* The plan as the API shows it; NULL on a database error. */
static json_t *plan_json(db *conn, const char *plan_id)
{
	bool failed = false;
	json_t *p = api_select_one(conn, &failed,
		"SELECT rp.id, rp.case_id, c.number AS case_number, rp.receiving_unit_id, u.name AS receiving_unit_name,"
		" rp.status, rp.address, rp.transport, rp.documents, rp.first_appointment_at AS first_appointment_local,"
		" rp.first_appointment_place, rp.notes, rp.version, rp.handed_over_at, rp.created_at, rp.updated_at"
		" FROM release_plan rp JOIN case_file c ON c.id = rp.case_id JOIN unit u ON u.id = rp.receiving_unit_id"
		" WHERE rp.id = ?", "t", plan_id);
	if (!p)
		return NULL;
	rename_member(p, "first_appointment_local", "first_appointment_at");
	const char *stored_docs = json_string_value(json_object_get(p, "documents"));
	json_t *documents = json_loads(stored_docs ? stored_docs : "[]", 0, NULL);
	json_object_set_new(p, "documents", json_is_array(documents) ? documents : json_array());
	if (!json_is_array(documents))
		json_decref(documents);
	char release_on[11] = "", limit[11] = "";
	long days = 0;
	const char *case_id = json_string_value(json_object_get(p, "case_id"));
	json_t *referrals = api_select(conn,
		"SELECT r.id, g.name AS programme_name, a.name AS partner_name, r.status FROM release_plan_referral x"
		" JOIN referral r ON r.id = x.referral_id JOIN programme g ON g.id = r.programme_id"
		" JOIN agency a ON a.id = r.partner_agency_id WHERE x.plan_id = ? ORDER BY r.referred_on, r.id", "t", plan_id);
	json_t *actions = api_select(conn, ACTION_COLUMNS " WHERE ra.plan_id = ? ORDER BY ra.due_on, ra.created_at, ra.id",
	                             "t", plan_id);
	json_t *meetings = api_select(conn,
		"SELECT m.id, m.held_on, m.place, (SELECT COUNT(*) FROM panel_attendee a WHERE a.meeting_id = m.id)"
		" AS attendees FROM panel_meeting m WHERE m.plan_id = ? ORDER BY m.held_on DESC, m.created_at DESC, m.id",
		"t", plan_id);
	if (!referrals || !actions || !meetings || release_date_of_case(conn, case_id, release_on) != DB_OK ||
	    release_first_appointment_limit(conn, release_on, limit, &days) != DB_OK) {
		json_decref(p);
		json_decref(referrals);
		json_decref(actions);
		json_decref(meetings);
		return NULL;
	}
	json_object_set_new(p, "release_on", release_on[0] ? json_string(release_on) : json_null());
	json_object_set_new(p, "first_appointment_limit", limit[0] ? json_string(limit) : json_null());
	json_object_set_new(p, "first_appointment_days", json_integer(days));
	json_object_set_new(p, "referrals", referrals);
	json_object_set_new(p, "actions", actions);
	json_object_set_new(p, "meetings", meetings);
	return p;
}

/* Reads the plan, commits and answers it with its ETag. */
static void plan_respond(struct http_request *req, struct http_response *resp, const char *plan_id, int status)
{
	json_t *p = plan_json(req->db, plan_id);
	if (!p) {
		api_db_failed(req, resp, "reading a release plan");
		return;
	}
	api_commit_send(req, resp, status, p);
}

/* A meeting as the API shows it (with_minutes: also the person's name, the release date and the receiving
 * unit, for the minutes); NULL on error or when there is none (*failed_r tells which). */
static json_t *meeting_json(db *conn, const char *id, bool with_minutes, bool *failed_r)
{
	json_t *m = api_select_one(conn, failed_r,
		"SELECT m.id, m.plan_id, rp.case_id, c.number AS case_number, m.held_on, m.place, m.agenda, m.decisions,"
		" m.version, m.created_at, m.updated_at,"
		" " PERSON_NAME_SQL("p") " AS person_name,"
		" u.name AS receiving_unit_name"
		" FROM panel_meeting m JOIN release_plan rp ON rp.id = m.plan_id JOIN case_file c ON c.id = rp.case_id"
		" JOIN person p ON p.id = c.person_id JOIN unit u ON u.id = rp.receiving_unit_id WHERE m.id = ?", "t", id);
	if (!m)
		return NULL;
	json_t *attendees = api_select(conn,
		"SELECT a.agency_id, g.name AS agency_name, a.name, a.role_title, a.present AS is_present"
		" FROM panel_attendee a JOIN agency g ON g.id = a.agency_id WHERE a.meeting_id = ? ORDER BY a.position, a.id",
		"t", id);
	json_t *actions = api_select(conn, ACTION_COLUMNS " WHERE ra.meeting_id = ? ORDER BY ra.created_at, ra.id", "t",
	                             id);
	char release_on[11] = "";
	if (!attendees || !actions ||
	    (with_minutes &&
	     release_date_of_case(conn, json_string_value(json_object_get(m, "case_id")), release_on) != DB_OK)) {
		json_decref(m);
		json_decref(attendees);
		json_decref(actions);
		*failed_r = true;
		return NULL;
	}
	if (with_minutes) {
		json_object_set_new(m, "release_on", release_on[0] ? json_string(release_on) : json_null());
	} else {
		json_object_del(m, "person_name");
		json_object_del(m, "receiving_unit_name");
	}
	json_object_set_new(m, "attendees", attendees);
	json_object_set_new(m, "actions", actions);
	return m;
}

static void meeting_respond(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *m = meeting_json(req->db, id, false, &failed);
	if (!m) {
		api_db_failed(req, resp, "reading a panel meeting");
		return;
	}
	api_commit_send(req, resp, status, m);
}

static void action_respond(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *a = api_select_one(req->db, &failed, ACTION_COLUMNS " WHERE ra.id = ?", "t", id);
	if (!a) {
		api_db_failed(req, resp, "reading a release action");
		return;
	}
	api_commit_send(req, resp, status, a);
}

/* ---- the planning lists ----------------------------------------------------------------- */

#define PLANNING_CTE \
	REACH_CTE ", rel(case_id, release_on) AS (SELECT x.case_id, MAX(x.date) FROM key_date x" \
	" JOIN decision d ON d.id = x.decision_id AND d.status = 'in_force'" \
	" WHERE x.kind = 'release' AND x.date IS NOT NULL GROUP BY x.case_id)"
#define PLANNING_COLUMNS \
	" SELECT c.id AS case_id, c.number AS case_number," \
	" " PERSON_NAME_SQL("p") " AS person_name, u.name AS unit_name," \
	" rel.release_on, rp.id AS plan_id, rp.status AS plan_status, rp.receiving_unit_id AS plan_receiving_unit_id," \
	" ru.name AS plan_receiving_unit_name, rp.first_appointment_at AS plan_first_appointment_local," \
	" (SELECT COUNT(*) FROM release_action a WHERE a.plan_id = rp.id AND a.status = 'open') AS plan_actions_open," \
	" (SELECT COUNT(*) FROM panel_meeting m WHERE m.plan_id = rp.id) AS plan_meetings" \
	" FROM case_file c JOIN person p ON p.id = c.person_id JOIN unit u ON u.id = c.unit_id"

/* Folds a list row's plan_* members into plan (null without a plan) and counts the days to release. */
static void planning_row(json_t *row, struct civil_date today)
{
	static const char *const members[][2] = {
		{"plan_id", "id"}, {"plan_status", "status"}, {"plan_receiving_unit_id", "receiving_unit_id"},
		{"plan_receiving_unit_name", "receiving_unit_name"}, {"plan_first_appointment_local", "first_appointment_at"},
		{"plan_actions_open", "actions_open"}, {"plan_meetings", "meetings"}};
	bool has_plan = json_is_string(json_object_get(row, "plan_id"));
	json_t *plan = has_plan ? json_object() : json_null();
	for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
		if (has_plan)
			json_object_set(plan, members[i][1], json_object_get(row, members[i][0]));
		json_object_del(row, members[i][0]);
	}
	json_object_set_new(row, "plan", plan);
	struct civil_date d;
	const char *on = json_string_value(json_object_get(row, "release_on"));
	json_object_set_new(row, "days_to_release",
	                    on && civil_date_parse(on, &d) ? json_integer(civil_date_diff_days(today, d)) : json_null());
}

/* The default view: the prison's list for a prison case worker, the receiving unit's otherwise. */
static bool default_view_prison(struct http_request *req, bool *failed_r)
{
	json_t *row = api_select_one(req->db, failed_r,
		"SELECT 1 AS x FROM account_role WHERE account_id = ? AND role = 'prison_case_worker'", "t",
		req->principal.account_id);
	bool prison = row != NULL;
	json_decref(row);
	return prison;
}

void api_release_planning_list(struct http_request *req, struct http_response *resp)
{
	const char *view = http_request_query(req, "view");
	if (view && strcmp(view, "prison") != 0 && strcmp(view, "receiving") != 0) {
		api_field_problem(req, resp, "view", "must be one of: prison, receiving");
		return;
	}
	struct civil_date today;
	char today_iso[11], from[11], to[11];
	long months = 0;
	if (!api_begin(req, resp) || !api_today_date(req, resp, &today, today_iso))
		return;
	bool failed = false;
	bool prison = view ? strcmp(view, "prison") == 0 : default_view_prison(req, &failed);
	if (failed || release_window(req->db, today_iso, &months, from, to) != DB_OK) {
		api_db_failed(req, resp, "reading the planning window");
		return;
	}
	const struct principal *p = &req->principal;
	const char *unit = p->unit_id[0] ? p->unit_id : NULL;
	json_t *items = prison
		? api_select(req->db, PLANNING_CTE PLANNING_COLUMNS
		             " JOIN rel ON rel.case_id = c.id LEFT JOIN release_plan rp ON rp.case_id = c.id"
		             " LEFT JOIN unit ru ON ru.id = rp.receiving_unit_id"
		             " WHERE c.kind = 'penitentiary' AND c.status = 'open' AND c.unit_id IN (SELECT id FROM reach)"
		             " AND rel.release_on >= ? AND rel.release_on <= ? ORDER BY rel.release_on, c.number LIMIT 500",
		             "ttitt", unit, p->account_id, clock_now_ms(), from, to)
		: api_select(req->db, PLANNING_CTE PLANNING_COLUMNS
		             " JOIN release_plan rp ON rp.case_id = c.id JOIN unit ru ON ru.id = rp.receiving_unit_id"
		             " LEFT JOIN rel ON rel.case_id = c.id"
		             " WHERE rp.status IN " RELEASE_PLAN_LIVE " AND rp.receiving_unit_id IN (SELECT id FROM below)"
		             " AND c.status = 'open' AND c.kind = 'penitentiary'"
		             " ORDER BY rel.release_on IS NULL, rel.release_on, c.number LIMIT 500",
		             "tti", unit, p->account_id, clock_now_ms());
	if (!items) {
		api_db_failed(req, resp, "listing release planning");
		return;
	}
	/* One log entry naming the cases shown. */
	json_t *shown = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row) {
		planning_row(row, today);
		json_array_append_new(shown, json_pack("{s:O}", "id", json_object_get(row, "case_id")));
	}
	bool logged = api_audit_list(req, "case", shown, prison ? "release planning: prison" : "release planning: receiving");
	json_decref(shown);
	if (!logged) {
		json_decref(items);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:s, s:I, s:s, s:s, s:o}", "view", prison ? "prison" : "receiving",
	                                        "months_before", (json_int_t)months, "window_from", from, "window_to", to,
	                                        "items", items));
}

/* ---- the plan --------------------------------------------------------------------------- */

void api_release_plan_get(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, case_id, &s))
		return;
	struct plan_row p;
	bool found = false;
	if (!plan_read(req->db, case_id, true, &p, &found)) {
		api_db_failed(req, resp, "reading a release plan");
		return;
	}
	if (!found) {
		/* None yet (as the supervision plan answers): {plan: null} with what a new plan starts from. */
		char release_on[11] = "", limit[11] = "";
		long days = 0;
		if (release_date_of_case(req->db, case_id, release_on) != DB_OK ||
		    release_first_appointment_limit(req->db, release_on, limit, &days) != DB_OK ||
		    !scope_audit(req, &s, AUDIT_CONSULT, "release_plan", NULL, "none yet")) {
			api_db_failed(req, resp, "reading a release plan");
			return;
		}
		if (!api_commit(req, resp))
			return;
		http_response_json(resp, 200,
		                   json_pack("{s:n, s:s, s:s, s:o, s:o, s:I}", "plan", "case_id", case_id, "case_kind", s.kind,
		                             "release_on", release_on[0] ? json_string(release_on) : json_null(),
		                             "first_appointment_limit", limit[0] ? json_string(limit) : json_null(),
		                             "first_appointment_days", (json_int_t)days));
		return;
	}
	if (!scope_audit(req, &s, AUDIT_CONSULT, "release_plan", p.id, case_id)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	plan_respond(req, resp, p.id, 200);
}

/* The receiving unit must be a unit of a probation agency. False after answering. */
static bool receiving_unit_check(struct http_request *req, struct http_response *resp, const char *unit,
                                 struct field_errors *fe)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT a.kind FROM unit u JOIN agency a ON a.id = u.agency_id WHERE u.id = ?", "t", unit);
	if (failed) {
		api_db_failed(req, resp, "reading a unit");
		return false;
	}
	const char *kind = json_string_value(json_object_get(row, "kind"));
	if (!row)
		field_error(fe, "receiving_unit_id", "must be a known unit");
	else if (strcmp(kind, "probation") != 0)
		field_error(fe, "receiving_unit_id", "must be a unit of a probation agency");
	json_decref(row);
	return true;
}

/* first_appointment_at within [release, release + N days]; refused when the case has no release date. */
static bool first_appointment_check(struct http_request *req, struct http_response *resp, const char *case_id,
                                    const char *at, struct field_errors *fe)
{
	char release_on[11] = "", limit[11] = "";
	long days = 0;
	if (release_date_of_case(req->db, case_id, release_on) != DB_OK ||
	    release_first_appointment_limit(req->db, release_on, limit, &days) != DB_OK) {
		api_db_failed(req, resp, "reading the release date");
		return false;
	}
	char date[11];
	snprintf(date, sizeof date, "%.10s", at);
	if (!release_on[0])
		field_error(fe, "first_appointment_at",
		            "cannot be set yet: the case has no release date (record its custodial decision in force first)");
	else if (strcmp(date, release_on) < 0)
		field_error(fe, "first_appointment_at", "must not be before the release date (%s)", release_on);
	else if (strcmp(date, limit) > 0)
		field_error(fe, "first_appointment_at", "must be on or before %s (within %ld days of the release on %s)",
		            limit, days, release_on);
	return true;
}

/* Each referral named must be one of the case's. */
static bool referrals_check(struct http_request *req, struct http_response *resp, const char *case_id,
                            const json_t *ids, struct field_errors *fe)
{
	size_t i;
	const json_t *v;
	json_array_foreach(ids, i, v) {
		bool failed = false;
		json_t *row = api_select_one(req->db, &failed, "SELECT id FROM referral WHERE id = ? AND case_id = ?", "tt",
		                             json_string_value(v), case_id);
		if (failed) {
			api_db_failed(req, resp, "reading a referral");
			return false;
		}
		if (!row) {
			char name[48];
			snprintf(name, sizeof name, "referral_ids[%zu]", i);
			field_error(fe, name, "must be a referral of this case");
		}
		json_decref(row);
	}
	return true;
}

/* A member of the body when given (null or "": cleared), else the stored value. */
static const char *given_or(const json_t *body, const char *name, const json_t *stored)
{
	const json_t *v = json_object_get(body, name);
	if (v)
		return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
	const char *s = json_string_value(json_object_get(stored, name));
	return s && *s ? s : NULL;
}

/* The same for a member that cannot be cleared: null keeps the stored value. */
static const char *given_kept(const json_t *body, const char *name, const json_t *stored)
{
	const char *s = json_str(body, name);
	return s ? s : json_string_value(json_object_get(stored, name));
}

static bool referrals_replace(db *conn, const char *plan_id, const json_t *ids)
{
	if (db_run(conn, NULL, "DELETE FROM release_plan_referral WHERE plan_id = ?", "t", plan_id) != DB_OK)
		return false;
	size_t i;
	const json_t *v;
	json_array_foreach(ids, i, v) {
		if (db_run(conn, NULL, "INSERT INTO release_plan_referral (plan_id, referral_id) VALUES (?, ?)", "tt", plan_id,
		           json_string_value(v)) != DB_OK)
			return false;
	}
	return true;
}

void api_release_plan_put(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	const json_t *b = req->json;
	char today[11];
	struct record_scope s;
	if (!begin_checked(req, resp, "plan", today) || !scope_case(req, resp, case_id, &s) ||
	    !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.kind, "penitentiary") != 0) {
		api_conflict(req, resp, "not-penitentiary", "Not a penitentiary case",
		             "Release plans are made for penitentiary cases (people in custody preparing for release).");
		return;
	}
	if (strcmp(s.status, "open") != 0) {
		api_conflict(req, resp, "closed", "The case is not open", "Release plans are made on open cases.");
		return;
	}
	struct plan_row p;
	bool exists = false;
	if (!plan_read(req->db, case_id, true, &p, &exists)) {
		api_db_failed(req, resp, "reading a release plan");
		return;
	}
	int64_t version = 0;
	if (exists) {
		if (!if_match(req, resp, &version))
			return;
		if (!live(p.status)) {
			plan_closed(req, resp, p.status);
			return;
		}
		if (version != p.version) {
			stale(req, resp, "release plan");
			return;
		}
	}
	struct field_errors fe = {0};
	const char *at = json_str(b, "first_appointment_at");
	const json_t *ids = json_object_get(b, "referral_ids");
	if (!receiving_unit_check(req, resp, json_str(b, "receiving_unit_id"), &fe) ||
	    (at && !first_appointment_check(req, resp, case_id, at, &fe)) ||
	    (json_is_array(ids) && !referrals_check(req, resp, case_id, ids, &fe)))
		return;
	if (api_errors_answer(req, resp, &fe))
		return;
	bool failed = false;
	json_t *stored = exists ? api_select_one(req->db, &failed,
		"SELECT address, transport, documents, first_appointment_at AS first_appointment_local,"
		" first_appointment_place, notes, status FROM release_plan WHERE id = ?", "t", p.id) : json_object();
	if (!stored) {
		api_db_failed(req, resp, "reading a release plan");
		return;
	}
	rename_member(stored, "first_appointment_local", "first_appointment_at");
	/* documents: replaced when given, emptied by null, kept when absent. */
	const json_t *docs = json_object_get(b, "documents");
	const char *kept_docs = json_string_value(json_object_get(stored, "documents"));
	char *documents = json_is_array(docs) ? json_dumps(docs, JSON_COMPACT | JSON_PRESERVE_ORDER)
	                                      : xstrdup(docs || !kept_docs ? "[]" : kept_docs);
	const char *status = given_kept(b, "status", stored);
	if (!status)
		status = "draft";
	const char *receiving = json_str(b, "receiving_unit_id");
	int64_t now = clock_now_ms();
	bool ok;
	if (!exists) {
		uuid_v7(p.id);
		ok = db_run(req->db, NULL,
		            "INSERT INTO release_plan (id, case_id, receiving_unit_id, status, address, transport, documents,"
		            " first_appointment_at, first_appointment_place, notes, created_at, created_by, updated_at, version)"
		            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
		            "tttttttttt" "iti", p.id, case_id, receiving, status, given_or(b, "address", stored),
		            given_or(b, "transport", stored), documents, given_or(b, "first_appointment_at", stored),
		            given_or(b, "first_appointment_place", stored), given_or(b, "notes", stored), now,
		            req->principal.account_id, now) == DB_OK;
	} else {
		int64_t changed = 0;
		ok = db_run(req->db, &changed,
		            "UPDATE release_plan SET receiving_unit_id = ?, status = ?, address = ?, transport = ?, documents = ?,"
		            " first_appointment_at = ?, first_appointment_place = ?, notes = ?, updated_at = ?,"
		            " version = version + 1 WHERE id = ? AND version = ? AND status IN " RELEASE_PLAN_LIVE,
		            "tttttttt" "iti", receiving, status, given_or(b, "address", stored), given_or(b, "transport", stored),
		            documents, given_or(b, "first_appointment_at", stored),
		            given_or(b, "first_appointment_place", stored), given_or(b, "notes", stored), now, p.id,
		            version) == DB_OK;
		if (ok && changed != 1) {
			free(documents);
			json_decref(stored);
			stale(req, resp, "release plan");
			return;
		}
	}
	bool receiving_changed = exists && strcmp(p.receiving_unit_id, receiving) != 0;
	json_t *detail = json_pack("{s:s, s:s, s:b, s:b, s:b}", "receiving_unit_id", receiving, "status", status,
	                           "receiving_unit_changed", receiving_changed, "first_appointment",
	                           given_or(b, "first_appointment_at", stored) != NULL, "referrals_changed",
	                           json_is_array(ids));
	ok = ok && (!json_is_array(ids) || referrals_replace(req->db, p.id, ids)) &&
	     timeline(req, case_id, now, exists ? "release_plan.changed" : "release_plan.started",
	              exists ? "Release plan changed" : "Release plan started", detail, "release_plan", p.id) &&
	     scope_audit(req, &s, exists ? AUDIT_ALTER : AUDIT_COLLECT, "release_plan", p.id, case_id);
	free(documents);
	json_decref(stored);
	if (!ok) {
		api_db_failed(req, resp, "saving a release plan");
		return;
	}
	plan_respond(req, resp, p.id, exists ? 200 : 201);
}

/* ---- actions ---------------------------------------------------------------------------- */

void api_release_action_create(struct http_request *req, struct http_response *resp)
{
	const char *plan_id = http_request_param(req, "id");
	char today[11];
	struct plan_row p;
	struct record_scope s;
	if (!begin_checked(req, resp, "action", today) || !plan_load(req, resp, plan_id, &p, &s) ||
	    !scope_may_change(req, resp, &s, "release_plan", p.id))
		return;
	if (!live(p.status)) {
		plan_closed(req, resp, p.status);
		return;
	}
	bool exists = false;
	if (!agency_exists(req, resp, json_str(req->json, "owner_agency_id"), &exists))
		return;
	if (!exists) {
		api_field_problem(req, resp, "owner_agency_id", "must be a known agency");
		return;
	}
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	const char *owner_name = json_str(req->json, "owner_name");
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO release_action (id, plan_id, meeting_id, description, owner_agency_id, owner_name,"
	                 " due_on, status, plan_action_id, created_at, updated_at, version)"
	                 " VALUES (?, ?, NULL, ?, ?, ?, ?, 'open', NULL, ?, ?, 1)",
	                 "ttttttii", id, p.id, json_str(req->json, "description"), json_str(req->json, "owner_agency_id"),
	                 owner_name, json_str(req->json, "due_on"), now, now) == DB_OK &&
	          db_run(req->db, NULL, "UPDATE release_plan SET updated_at = ? WHERE id = ?", "it", now, p.id) == DB_OK &&
	          timeline(req, p.case_id, now, "release_plan.changed", "Release plan action added",
	                   json_pack("{s:s, s:s, s:s}", "change", "action_added", "action_id", id, "due_on",
	                             json_str(req->json, "due_on")),
	                   "release_action", id) &&
	          scope_audit(req, &s, AUDIT_COLLECT, "release_action", id, p.case_id);
	if (!ok) {
		api_db_failed(req, resp, "adding a release action");
		return;
	}
	action_respond(req, resp, id, 201);
}

void api_release_action_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	const json_t *b = req->json;
	char today[11];
	if (!begin_checked(req, resp, "action_update", today))
		return;
	int64_t version = 0;
	if (!if_match(req, resp, &version))
		return;
	json_t *row = select_known(req, resp, "release action",
		"SELECT plan_id, description, owner_agency_id, owner_name, due_on, status, version FROM release_action"
		" WHERE id = ?", id);
	if (!row)
		return;
	struct plan_row p;
	struct record_scope s;
	if (!plan_load(req, resp, json_string_value(json_object_get(row, "plan_id")), &p, &s) ||
	    !scope_may_change(req, resp, &s, "release_action", id)) {
		json_decref(row);
		return;
	}
	if (!live(p.status)) {
		json_decref(row);
		plan_closed(req, resp, p.status);
		return;
	}
	if (version != json_integer_value(json_object_get(row, "version"))) {
		json_decref(row);
		stale(req, resp, "action");
		return;
	}
	const char *agency = json_str(b, "owner_agency_id");
	bool exists = true;
	if (agency && !agency_exists(req, resp, agency, &exists)) {
		json_decref(row);
		return;
	}
	if (!exists) {
		json_decref(row);
		api_field_problem(req, resp, "owner_agency_id", "must be a known agency");
		return;
	}
	const char *status = given_kept(b, "status", row);
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE release_action SET description = ?, owner_agency_id = ?, owner_name = ?, due_on = ?,"
	                 " status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?"
	                 " AND plan_action_id IS NULL",
	                 "tttttiti", given_kept(b, "description", row), given_kept(b, "owner_agency_id", row),
	                 given_or(b, "owner_name", row), given_kept(b, "due_on", row), status, now, id, version) == DB_OK;
	if (ok && changed != 1) {
		json_decref(row);
		stale(req, resp, "action");
		return;
	}
	json_t *detail = json_pack("{s:s, s:s, s:s, s:s}", "change", "action_changed", "action_id", id, "status", status,
	                           "from_status", json_string_value(json_object_get(row, "status")));
	ok = ok && db_run(req->db, NULL, "UPDATE release_plan SET updated_at = ? WHERE id = ?", "it", now, p.id) == DB_OK &&
	     timeline(req, p.case_id, now, "release_plan.changed", "Release plan action changed", detail, "release_action",
	              id) &&
	     scope_audit(req, &s, AUDIT_ALTER, "release_action", id, p.case_id);
	json_decref(row);
	if (!ok) {
		api_db_failed(req, resp, "changing a release action");
		return;
	}
	action_respond(req, resp, id, 200);
}

/* ---- panel meetings --------------------------------------------------------------------- */

static bool attendees_insert(db *conn, const char *meeting_id, const json_t *attendees)
{
	size_t i;
	const json_t *a;
	json_array_foreach(attendees, i, a) {
		char id[UUID_STR_LEN];
		uuid_v7(id);
		if (db_run(conn, NULL,
		           "INSERT INTO panel_attendee (id, meeting_id, agency_id, name, role_title, present, position)"
		           " VALUES (?, ?, ?, ?, ?, ?, ?)", "tttttii", id, meeting_id, json_str(a, "agency_id"),
		           json_str(a, "name"), json_str(a, "role_title"), (int64_t)json_is_true(json_object_get(a, "present")),
		           (int64_t)(i + 1)) != DB_OK)
			return false;
	}
	return true;
}

static bool meeting_actions_insert(db *conn, const char *plan_id, const char *meeting_id, const json_t *actions,
                                   int64_t now)
{
	size_t i;
	const json_t *a;
	json_array_foreach(actions, i, a) {
		char id[UUID_STR_LEN];
		uuid_v7(id);
		if (db_run(conn, NULL,
		           "INSERT INTO release_action (id, plan_id, meeting_id, description, owner_agency_id, owner_name,"
		           " due_on, status, plan_action_id, created_at, updated_at, version)"
		           " VALUES (?, ?, ?, ?, ?, ?, ?, 'open', NULL, ?, ?, 1)",
		           "tttttttii", id, plan_id, meeting_id, json_str(a, "description"), json_str(a, "owner_agency_id"),
		           json_str(a, "owner_name"), json_str(a, "due_on"), now, now) != DB_OK)
			return false;
	}
	return true;
}

static unsigned present_count(const json_t *attendees)
{
	unsigned n = 0;
	size_t i;
	const json_t *a;
	json_array_foreach(attendees, i, a)
		n += json_is_true(json_object_get(a, "present"));
	return n;
}

void api_panel_meeting_create(struct http_request *req, struct http_response *resp)
{
	const char *plan_id = http_request_param(req, "id");
	const json_t *b = req->json;
	char today[11];
	struct plan_row p;
	struct record_scope s;
	if (!begin_checked(req, resp, "meeting", today) || !plan_load(req, resp, plan_id, &p, &s) ||
	    !scope_may_change(req, resp, &s, "release_plan", p.id))
		return;
	if (!live(p.status)) {
		plan_closed(req, resp, p.status);
		return;
	}
	const json_t *attendees = json_object_get(b, "attendees"), *actions = json_object_get(b, "actions");
	struct field_errors fe = {0};
	if (!agencies_check(req, resp, attendees, "attendees", "agency_id", &fe) ||
	    !agencies_check(req, resp, actions, "actions", "owner_agency_id", &fe) || api_errors_answer(req, resp, &fe))
		return;
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	json_t *detail = json_pack("{s:s, s:s, s:I, s:I, s:I}", "meeting_id", id, "held_on", json_str(b, "held_on"),
	                           "attendees", (json_int_t)json_array_size(attendees), "present",
	                           (json_int_t)present_count(attendees), "actions", (json_int_t)json_array_size(actions));
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO panel_meeting (id, plan_id, held_on, place, agenda, decisions, chaired_by, created_at,"
	                 " created_by, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, 1)",
	                 "ttttttiti", id, p.id, json_str(b, "held_on"), json_str(b, "place"), json_str(b, "agenda"),
	                 json_str(b, "decisions"), now, req->principal.account_id, now) == DB_OK &&
	          attendees_insert(req->db, id, attendees) && meeting_actions_insert(req->db, p.id, id, actions, now) &&
	          db_run(req->db, NULL, "UPDATE release_plan SET updated_at = ? WHERE id = ?", "it", now, p.id) == DB_OK &&
	          timeline(req, p.case_id, now, "panel.meeting", "Multi-agency panel meeting recorded", detail,
	                   "panel_meeting", id) &&
	          scope_audit(req, &s, AUDIT_COLLECT, "panel_meeting", id, p.case_id);
	if (!ok) {
		api_db_failed(req, resp, "recording a panel meeting");
		return;
	}
	meeting_respond(req, resp, id, 201);
}

/* The meeting's plan within reach; false after answering (404 unknown). */
static bool meeting_load(struct http_request *req, struct http_response *resp, const char *id, struct plan_row *p,
                         struct record_scope *s, int64_t *version_r)
{
	json_t *m = select_known(req, resp, "panel meeting", "SELECT plan_id, version FROM panel_meeting WHERE id = ?", id);
	if (!m)
		return false;
	char plan_id[UUID_STR_LEN];
	snprintf(plan_id, sizeof plan_id, "%s", json_string_value(json_object_get(m, "plan_id")));
	if (version_r)
		*version_r = json_integer_value(json_object_get(m, "version"));
	json_decref(m);
	return plan_load(req, resp, plan_id, p, s);
}

void api_panel_meeting_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct plan_row p;
	struct record_scope s;
	if (!api_begin(req, resp) || !meeting_load(req, resp, id, &p, &s, NULL))
		return;
	if (!scope_audit(req, &s, AUDIT_CONSULT, "panel_meeting", id, p.case_id)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	meeting_respond(req, resp, id, 200);
}

void api_panel_meeting_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	const json_t *b = req->json;
	char today[11];
	if (!begin_checked(req, resp, "meeting_update", today))
		return;
	int64_t version = 0, stored = 0;
	struct plan_row p;
	struct record_scope s;
	if (!if_match(req, resp, &version) || !meeting_load(req, resp, id, &p, &s, &stored) ||
	    !scope_may_change(req, resp, &s, "panel_meeting", id))
		return;
	if (version != stored) {
		stale(req, resp, "panel meeting");
		return;
	}
	const json_t *attendees = json_object_get(b, "attendees");
	struct field_errors fe = {0};
	if (!agencies_check(req, resp, attendees, "attendees", "agency_id", &fe) || api_errors_answer(req, resp, &fe))
		return;
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE panel_meeting SET held_on = ?, place = ?, agenda = ?, decisions = ?, updated_at = ?,"
	                 " version = version + 1 WHERE id = ? AND version = ?",
	                 "ttttiti", json_str(b, "held_on"), json_str(b, "place"), json_str(b, "agenda"),
	                 json_str(b, "decisions"), now, id, version) == DB_OK;
	if (ok && changed != 1) {
		stale(req, resp, "panel meeting");
		return;
	}
	json_t *detail = json_pack("{s:s, s:b, s:s, s:I, s:I}", "meeting_id", id, "changed", 1, "held_on",
	                           json_str(b, "held_on"), "attendees", (json_int_t)json_array_size(attendees), "present",
	                           (json_int_t)present_count(attendees));
	ok = ok && db_run(req->db, NULL, "DELETE FROM panel_attendee WHERE meeting_id = ?", "t", id) == DB_OK &&
	     attendees_insert(req->db, id, attendees) &&
	     timeline(req, p.case_id, now, "panel.meeting", "Panel meeting record corrected", detail, "panel_meeting", id) &&
	     scope_audit(req, &s, AUDIT_ALTER, "panel_meeting", id, p.case_id);
	if (!ok) {
		api_db_failed(req, resp, "correcting a panel meeting");
		return;
	}
	meeting_respond(req, resp, id, 200);
}

void api_panel_minutes(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *lang = NULL;
	if (!api_lang_query(req, resp, &lang))
		return;
	if (!lang)
		lang = api_language_valid(req->principal.preferred_language) ? req->principal.preferred_language : "ky";
	char today[11];
	struct plan_row p;
	struct record_scope s;
	if (!api_begin(req, resp) || !meeting_load(req, resp, id, &p, &s, NULL) ||
	    !api_today_date(req, resp, NULL, today))
		return;
	bool failed = false;
	json_t *m = meeting_json(req->db, id, true, &failed);
	if (!m) {
		api_db_failed(req, resp, "reading a panel meeting");
		return;
	}
	struct buf doc = {0};
	release_minutes_html(&doc, m, lang, today);
	json_decref(m);
	char detail[64];
	snprintf(detail, sizeof detail, "minutes lang=%s", lang);
	scope_send_document(req, resp, &s, "panel_meeting", id, detail, &doc);
}

/* ---- the handover ----------------------------------------------------------------------- */

/* Who may hand over: a prison case worker whose own units include the case's unit (not under a grant), or a unit
 * head whose own units include the receiving unit. */
static bool may_hand_over(struct http_request *req, const struct record_scope *s, const struct plan_row *p,
                          bool *failed_r)
{
	json_t *roles = api_select(req->db, "SELECT role FROM account_role WHERE account_id = ?", "t",
	                           req->principal.account_id);
	if (!roles) {
		*failed_r = true;
		return false;
	}
	bool worker = false, head = false;
	size_t i;
	const json_t *r;
	json_array_foreach(roles, i, r) {
		const char *role = json_string_value(json_object_get(r, "role"));
		worker |= strcmp(role, "prison_case_worker") == 0;
		head |= strcmp(role, "unit_head") == 0;
	}
	json_decref(roles);
	struct unit_grant g = {0};
	if (worker) {
		enum unit_access a = scope_unit(req, s->unit_id, false, &g);
		*failed_r = a == UNIT_ACCESS_ERROR;
		if (a == UNIT_ACCESS_OWN)
			return true;
	}
	if (head && !*failed_r) {
		enum unit_access a = scope_unit(req, p->receiving_unit_id, false, &g);
		*failed_r = a == UNIT_ACCESS_ERROR;
		return a == UNIT_ACCESS_OWN;
	}
	return false;
}

/* The receiving officer: the one named (an active account of the receiving unit), else the caller when a member of
 * it, else (a prison case worker, who does not see the receiving unit's staff) the receiving unit's head, who
 * allocates the case on. NULL after answering. head_r: room for the head's id. */
static const char *receiving_officer(struct http_request *req, struct http_response *resp, const struct plan_row *p,
                                     char head_r[UUID_STR_LEN])
{
	const char *officer = json_str(req->json, "officer_id");
	if (!officer) {
		if (strcmp(req->principal.unit_id, p->receiving_unit_id) == 0)
			return req->principal.account_id;
		bool failed = false;
		json_t *head = api_select_one(req->db, &failed,
			"SELECT a.id FROM account a JOIN account_role r ON r.account_id = a.id AND r.role = 'unit_head'"
			" WHERE a.unit_id = ? AND a.status = 'active' ORDER BY a.created_at, a.id", "t", p->receiving_unit_id);
		if (failed) {
			api_db_failed(req, resp, "reading the receiving unit's head");
			return NULL;
		}
		if (!head) {
			api_field_problem(req, resp, "officer_id",
			                  "is required: the receiving unit has no head to take the case, so name its officer");
			return NULL;
		}
		snprintf(head_r, UUID_STR_LEN, "%s", json_string_value(json_object_get(head, "id")));
		json_decref(head);
		return head_r;
	}
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT id FROM account WHERE id = ? AND unit_id = ? AND status = 'active'", "tt", officer,
		p->receiving_unit_id);
	if (failed) {
		api_db_failed(req, resp, "reading an account");
		return NULL;
	}
	if (!row) {
		api_field_problem(req, resp, "officer_id", "must be an active account of the receiving unit");
		return NULL;
	}
	json_decref(row);
	return officer;
}

void api_release_handover(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	const json_t *b = req->json;
	char today[11];
	if (!begin_checked(req, resp, "handover", today))
		return;
	int64_t version = 0;
	struct plan_row p;
	struct record_scope s;
	if (!if_match(req, resp, &version) || !plan_load(req, resp, id, &p, &s))
		return;
	if (!live(p.status)) {
		plan_closed(req, resp, p.status);
		return;
	}
	if (version != p.version) {
		stale(req, resp, "release plan");
		return;
	}
	if (strcmp(s.status, "open") != 0 || strcmp(s.kind, "penitentiary") != 0) {
		api_conflict(req, resp, "not-penitentiary", "Not an open penitentiary case",
		             "Only an open penitentiary case is handed over to probation on release.");
		return;
	}
	/* A plan may be made after the release (the prison's list keeps releases of the last 30 days): the release
	   date is checked against the case, not the plan. */
	const char *released_on = json_str(b, "released_on");
	bool failed_open = false;
	json_t *opened = api_select_one(req->db, &failed_open, "SELECT opened_on FROM case_file WHERE id = ?", "t",
	                                p.case_id);
	if (!opened) {
		api_db_failed(req, resp, "reading a case");
		return;
	}
	const char *opened_on = json_string_value(json_object_get(opened, "opened_on"));
	if (opened_on && strcmp(released_on, opened_on) < 0) {
		char *message = xasprintf("must not be before the case was opened (%s)", opened_on);
		json_decref(opened);
		api_field_problem(req, resp, "released_on", message);
		free(message);
		return;
	}
	json_decref(opened);
	char head[UUID_STR_LEN] = "";
	const char *officer = receiving_officer(req, resp, &p, head);
	if (!officer)
		return;
	bool failed = false;
	if (!may_hand_over(req, &s, &p, &failed)) {
		if (failed) {
			api_db_failed(req, resp, "deciding who may hand over");
			return;
		}
		db_rollback(req->db);
		api_audit_denied(req, "release_plan", p.id, "handover by neither the prison nor the receiving unit's head");
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             "A case is handed over by a prison case worker of its unit or by a head of the receiving unit.",
		             NULL);
		return;
	}
	bool failed_read = false;
	json_t *plan = api_select_one(req->db, &failed_read,
		"SELECT first_appointment_at AS first_appointment_local, first_appointment_place FROM release_plan"
		" WHERE id = ?", "t", p.id);
	if (!plan) {
		api_db_failed(req, resp, "reading a release plan");
		return;
	}
	/* The first appointment is booked as the plan set it: never before the day the person was released. */
	const char *first_at = json_string_value(json_object_get(plan, "first_appointment_local"));
	if (first_at && strncmp(first_at, released_on, 10) < 0) {
		char *detail = xasprintf("The plan's first appointment (%s) is before the release on %s: change it in the"
		                         " release plan, then hand over.", first_at, released_on);
		json_decref(plan);
		api_conflict(req, resp, "first-appointment-before-release", "The first appointment is before the release",
		             detail);
		free(detail);
		return;
	}
	const char *kind = json_str(b, "kind");
	int64_t now = clock_now_ms(), changed = 0;
	/* The plan first, guarded by its version and status: of two handovers at once, one moves the case. */
	bool ok = db_run(req->db, &changed,
	                 "UPDATE release_plan SET status = 'handed_over', handed_over_at = ?, handed_over_by = ?,"
	                 " updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status IN "
	                 RELEASE_PLAN_LIVE, "ititi", now, req->principal.account_id, now, p.id, version) == DB_OK;
	if (ok && changed != 1) {
		json_decref(plan);
		stale(req, resp, "release plan");
		return;
	}
	struct release_move move = {.case_id = p.case_id, .to_unit_id = p.receiving_unit_id, .officer_id = officer,
	                             .kind = kind, .consent_on = json_str(b, "consent_on"), .released_on = released_on,
	                             .actor_id = req->principal.account_id};
	char from_unit[UUID_STR_LEN] = "", appointment[UUID_STR_LEN] = "";
	struct release_carry carry = {0};
	const char *first = json_string_value(json_object_get(plan, "first_appointment_local"));
	enum db_status moved = release_case_move(req->db, &move, now, from_unit);
	if (moved == DB_CONSTRAINT) {
		json_decref(plan);
		api_conflict(req, resp, "not-penitentiary", "Not an open penitentiary case",
		             "The case was closed or changed while it was being handed over: reload it.");
		return;
	}
	ok = ok && moved == DB_OK &&
	     release_actions_into_plan(req->db, p.id, p.case_id, officer, req->principal.account_id, today, now, &carry) ==
	         DB_OK &&
	     (!first || release_first_appointment(req->db, p.case_id, officer, first,
	                                          json_string_value(json_object_get(plan, "first_appointment_place")),
	                                          req->principal.account_id, now, appointment) == DB_OK);
	json_t *detail = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "plan_id", p.id, "released_on",
	                           released_on, "from_unit_id", from_unit, "to_unit_id", p.receiving_unit_id, "officer_id",
	                           officer, "from_kind", "penitentiary", "kind", kind, "plan_actions",
	                           (json_int_t)carry.actions,
	                           "appointment_id", appointment[0] ? json_string(appointment) : json_null());
	char *case_detail = xasprintf("handed over on release to unit %s (kind %s)", p.receiving_unit_id, kind);
	ok = ok &&
	     timeline(req, p.case_id, now, "release.handover",
	              strcmp(kind, "executive") == 0 ? "Handed over from prison to probation on release (executive)"
	                                             : "Handed over from prison to probation on release (post-penitentiary)",
	              detail, "release_plan", p.id) &&
	     scope_audit(req, &s, AUDIT_ALTER, "release_plan", p.id, "handed over") &&
	     scope_audit(req, &s, AUDIT_ALTER, "case", p.case_id, case_detail) &&
	     (!carry.plan_id[0] ||
	      scope_audit(req, &s, carry.plan_created ? AUDIT_COLLECT : AUDIT_ALTER, "supervision_plan", carry.plan_id,
	                  "actions from the release plan")) &&
	     (!appointment[0] || scope_audit(req, &s, AUDIT_COLLECT, "appointment", appointment, p.case_id));
	free(case_detail);
	json_decref(plan);
	if (!ok) {
		api_db_failed(req, resp, "handing a case over");
		return;
	}
	if (!api_commit(req, resp))
		return;
	http_response_json(resp, 200, json_pack("{s:s, s:s, s:I, s:o}", "case_id", p.case_id, "plan_id", p.id,
	                                        "plan_actions", (json_int_t)carry.actions, "appointment_id",
	                                        appointment[0] ? json_string(appointment) : json_null()));
}
