/*
 * appointments.c — a case's appointments (single or repeating by an RFC 5545
 * rule, in the deployment's local time), the exceptions that move or cancel
 * one occurrence, the outcome of each occurrence, and unscheduled contacts.
 * An occurrence is known by where its rule puts it (occurrence_local); moving
 * it keeps that identity. Expansion and the window rules are in
 * domain/appointments.c; every change adds a timeline event and a
 * processing-log entry, every read a consult entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "domain/appointments.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "domain/person.h"
#include "domain/recurrence.h"
#include "engine/rules.h"

static const char *const kinds[] = {"office", "home_visit", "phone", "video", NULL};
static const char *const contact_kinds[] = {"office", "home_visit", "phone", "video", "other", NULL};
static const char *const outcomes[] = {"attended_complied", "attended_failed_to_comply", "sent_home",
                                       "acceptable_absence", "unacceptable_absence", "failed_to_attend", NULL};
static const char *const absence_reasons[] = {"court", "employment", "family", "medical", "religious", "other",
                                              NULL};

static const struct field_rule create_rules[] = {
	{"kind", FIELD_ENUM, true, 0, 0, kinds},
	{"location", FIELD_STRING, false, 0, 300, NULL},
	{"purpose", FIELD_STRING, true, 1, 500, NULL},
	{"condition_id", FIELD_UUID, false, 0, 0, NULL},
	{"starts_local", FIELD_STRING, true, 16, 16, NULL},
	{"duration_min", FIELD_INTEGER, true, 5, 720, NULL},
	{"officer_id", FIELD_UUID, false, 0, 0, NULL},
	{"rrule", FIELD_STRING, false, 1, RECURRENCE_MAX_RULE, NULL},
};

static const struct field_rule update_rules[] = {
	{"kind", FIELD_ENUM, false, 0, 0, kinds},
	{"location", FIELD_STRING, false, 0, 300, NULL},
	{"purpose", FIELD_STRING, false, 1, 500, NULL},
	{"starts_local", FIELD_STRING, false, 16, 16, NULL},
	{"duration_min", FIELD_INTEGER, false, 5, 720, NULL},
	{"rrule", FIELD_STRING, false, 0, RECURRENCE_MAX_RULE, NULL},
	{"reason", FIELD_STRING, false, 3, 500, NULL},
};

static const struct field_rule reschedule_rules[] = {
	{"occurrence_local", FIELD_STRING, true, 16, 16, NULL},
	{"new_starts_local", FIELD_STRING, false, 16, 16, NULL},
	{"reason", FIELD_STRING, true, 3, 500, NULL},
};

static const struct field_rule cancel_rules[] = {
	{"reason", FIELD_STRING, true, 3, 500, NULL},
};

static const struct field_rule outcome_rules[] = {
	{"occurrence_local", FIELD_STRING, true, 16, 16, NULL},
	{"outcome", FIELD_ENUM, true, 0, 0, outcomes},
	{"absence_reason", FIELD_ENUM, false, 0, 0, absence_reasons},
	{"absence_detail", FIELD_STRING, false, 1, 500, NULL},
	{"duration_min", FIELD_INTEGER, false, 0, 720, NULL},
	{"notes", FIELD_STRING, false, 0, 4000, NULL},
	{"condition_id", FIELD_UUID, false, 0, 0, NULL},
};

static const struct field_rule contact_rules[] = {
	{"kind", FIELD_ENUM, true, 0, 0, contact_kinds},
	{"happened_local", FIELD_STRING, true, 16, 16, NULL},
	{"duration_min", FIELD_INTEGER, false, 0, 720, NULL},
	{"outcome", FIELD_ENUM, true, 0, 0, outcomes},
	{"absence_reason", FIELD_ENUM, false, 0, 0, absence_reasons},
	{"absence_detail", FIELD_STRING, false, 1, 500, NULL},
	{"notes", FIELD_STRING, false, 0, 4000, NULL},
	{"condition_id", FIELD_UUID, false, 0, 0, NULL},
};

#define APPOINTMENT_COLUMNS \
	"SELECT ap.id, ap.case_id, c.number AS case_number," \
	" " PERSON_NAME_SQL("p") " AS person_name," \
	" ap.officer_id, a.display_name AS officer_name, ap.kind, ap.location, ap.purpose, ap.condition_id," \
	" ap.starts_local, ap.duration_min, ap.rrule, ap.status, ap.cancel_reason, ap.created_at, ap.updated_at," \
	" ap.version FROM appointment ap JOIN case_file c ON c.id = ap.case_id JOIN person p ON p.id = c.person_id" \
	" JOIN account a ON a.id = ap.officer_id"

#define CONTACT_COLUMNS \
	"SELECT k.id, k.case_id, k.appointment_id, k.occurrence_local, k.kind, k.happened_local, k.duration_min," \
	" k.outcome, k.absence_reason, k.absence_detail, k.notes, k.condition_id, r.display_name AS recorded_by_name," \
	" k.recorded_at FROM contact k JOIN account r ON r.id = k.recorded_by"

/* ---- shared checks -------------------------------------------------- */

static void local_time_check(const json_t *body, const char *field, struct field_errors *fe)
{
	const json_t *v = json_object_get(body, field);
	if (json_is_string(v) && !local_time_valid(json_string_value(v)))
		field_error(fe, field, "must be a local time YYYY-MM-DDTHH:MM that exists");
}

/* tz NULL: a UTC UNTIL is read as local time (the body check, before the zone is known). */
static void rrule_check(const char *rrule, const char *starts_local, const char *tz, struct field_errors *fe)
{
	char err[200];
	if (rrule && *rrule && local_time_valid(starts_local) &&
	    !recurrence_rule_check_tz(rrule, starts_local, tz, err, sizeof err))
		field_error(fe, "rrule", "%s", err);
}

bool appointment_body_validate(const json_t *body, struct field_errors *fe)
{
	bool ok = validate_object(body, create_rules, NRULES(create_rules), fe);
	if (!json_is_object(body))
		return false;
	size_t before = fe->list ? json_array_size(fe->list) : 0;
	local_time_check(body, "starts_local", fe);
	const json_t *rule = json_object_get(body, "rrule");
	if (json_is_string(rule) && json_string_length(rule) <= RECURRENCE_MAX_RULE)
		rrule_check(json_string_value(rule), json_str(body, "starts_local"), NULL, fe);
	return ok && (fe->list ? json_array_size(fe->list) : 0) == before;
}

/* Absence reason and detail go together with the outcome. */
static void absence_check(const json_t *body, struct field_errors *fe)
{
	const char *outcome = json_str(body, "outcome"), *reason = json_str(body, "absence_reason");
	if (!outcome)
		return;
	bool absence = strcmp(outcome, "acceptable_absence") == 0 || strcmp(outcome, "unacceptable_absence") == 0 ||
	               strcmp(outcome, "failed_to_attend") == 0;
	if (strcmp(outcome, "acceptable_absence") == 0 && !reason)
		field_error(fe, "absence_reason", "is required for an acceptable absence");
	if (reason && !absence)
		field_error(fe, "absence_reason", "is only for an absence");
	if (reason && strcmp(reason, "other") == 0 && !json_str(body, "absence_detail"))
		field_error(fe, "absence_detail", "is required when the absence reason is other");
	if (json_str(body, "absence_detail") && !reason)
		field_error(fe, "absence_detail", "goes with an absence reason");
}

static bool zone(struct http_request *req, struct http_response *resp, char tz[APPOINTMENT_ZONE_LEN])
{
	if (!appointments_zone(req->db, tz)) {
		api_db_failed(req, resp, "reading the time zone");
		return false;
	}
	return true;
}

/* A JSON detail for the timeline; the caller frees it. */
static char *detail_json(json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	return s;
}

/* ---- reading ------------------------------------------------------- */

/* An Appointment (with its exceptions), or NULL (*failed_r tells a database error from none). */
static json_t *appointment_read(db *conn, const char *id, bool *failed_r)
{
	json_t *ap = api_select_one(conn, failed_r, APPOINTMENT_COLUMNS " WHERE ap.id = ?", "t", id);
	if (!ap)
		return NULL;
	json_t *ex = api_select(conn,
		"SELECT e.occurrence_local, e.new_starts_local, e.reason, x.display_name AS changed_by_name, e.changed_at"
		" FROM appointment_exception e JOIN account x ON x.id = e.changed_by WHERE e.appointment_id = ?"
		" ORDER BY e.occurrence_local", "t", id);
	if (!ex) {
		json_decref(ap);
		*failed_r = true;
		return NULL;
	}
	json_object_set_new(ap, "exceptions", ex);
	return ap;
}

/*
 * Opens the transaction, finds the appointment and checks the caller's reach
 * over its case (for a change: within the caller's units or a grant, not
 * through a stated purpose). On false the request has been answered.
 */
static bool appointment_scope(struct http_request *req, struct http_response *resp, const char *id, bool change,
                              struct record_scope *s, json_t **ap_r)
{
	*ap_r = NULL;
	if (!api_begin(req, resp))
		return false;
	bool failed = false;
	json_t *ap = appointment_read(req->db, id, &failed);
	if (!ap) {
		if (failed) {
			api_db_failed(req, resp, "reading an appointment");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "appointment");
		}
		return false;
	}
	if (!scope_case(req, resp, json_string_value(json_object_get(ap, "case_id")), s) ||
	    (change && !scope_may_change(req, resp, s, "appointment", id))) {
		json_decref(ap);
		return false;
	}
	*ap_r = ap;
	return true;
}

static void answer_appointment(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *ap = appointment_read(req->db, id, &failed);
	if (!ap) {
		api_db_failed(req, resp, "reading an appointment");
		return;
	}
	api_commit_send(req, resp, status, ap);
}

static const char *jstr(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

/* The appointment's cancellation instant (ms), or 0 while it is active; false on a database error. */
static bool cancelled_ms(db *conn, const json_t *ap, int64_t *ms_r)
{
	*ms_r = 0;
	if (strcmp(json_string_value(json_object_get(ap, "status")), "cancelled") != 0)
		return true;
	db_stmt *st = NULL;
	if (db_query(conn, &st, "SELECT updated_at FROM appointment WHERE id = ?", "t",
	             json_string_value(json_object_get(ap, "id"))) != DB_OK)
		return false;
	bool ok = db_step(st) == DB_ROW;
	if (ok)
		*ms_r = db_column_int64(st, 0);
	db_finalize(&st);
	return ok;
}

/* The exception row for an occurrence: 1 found, 0 none, -1 error. new_r "" when it cancels. */
static int exception_of(db *conn, const char *appointment_id, const char *occurrence_local,
                        char new_r[LOCAL_TIME_LEN])
{
	db_stmt *st = NULL;
	if (db_query(conn, &st,
	             "SELECT new_starts_local FROM appointment_exception WHERE appointment_id = ? AND occurrence_local = ?",
	             "tt", appointment_id, occurrence_local) != DB_OK)
		return -1;
	enum db_status rc = db_step(st);
	int found = rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
	new_r[0] = '\0';
	if (found == 1) {
		const char *v = db_column_text(st, 0, NULL);
		snprintf(new_r, LOCAL_TIME_LEN, "%s", v ? v : "");
	}
	db_finalize(&st);
	return found;
}

/* 1 when a contact records the occurrence, 0 not, -1 error. */
static int contact_of(db *conn, const char *appointment_id, const char *occurrence_local)
{
	db_stmt *st = NULL;
	if (db_query(conn, &st, "SELECT id FROM contact WHERE appointment_id = ? AND occurrence_local = ?", "tt",
	             appointment_id, occurrence_local) != DB_OK)
		return -1;
	enum db_status rc = db_step(st);
	db_finalize(&st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* 1 when condition_id is a condition of the case (active only, or active or ended), 0 not, -1 error. */
static int condition_of_case(db *conn, const char *condition_id, const char *case_id, bool active_only)
{
	db_stmt *st = NULL;
	if (db_query(conn, &st,
	             "SELECT id FROM case_condition WHERE id = ? AND case_id = ? AND (status = 'active' OR ? = 0)", "tti",
	             condition_id, case_id, (int64_t)active_only) != DB_OK)
		return -1;
	enum db_status rc = db_step(st);
	db_finalize(&st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* ---- list, get ------------------------------------------------------ */

void api_appointments_list(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	const char *from_q = http_request_query(req, "from"), *to_q = http_request_query(req, "to");
	struct field_errors fe = {0};
	struct civil_date from = {0, 0, 0}, to = {0, 0, 0};
	if (from_q && !civil_date_parse(from_q, &from))
		field_error(&fe, "from", "must be a date YYYY-MM-DD");
	if (to_q && !civil_date_parse(to_q, &to))
		field_error(&fe, "to", "must be a date YYYY-MM-DD");
	if (field_errors_respond(&fe, resp, req))
		return;
	struct record_scope s;
	char tz[APPOINTMENT_ZONE_LEN], today_s[11];
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s) || !zone(req, resp, tz))
		return;
	if (!api_today(req->db, today_s)) {
		api_db_failed(req, resp, "reading the date");
		return;
	}
	struct civil_date today;
	civil_date_parse(today_s, &today);
	if (!from_q)
		from = civil_date_add_days(to_q ? to : today, to_q ? -90 : -30);
	if (!to_q)
		to = civil_date_add_days(from_q ? from : today, from_q ? 90 : 60);
	if (civil_date_compare(from, to) > 0) {
		api_field_problem(req, resp, "to", "must not be before from");
		return;
	}
	if (civil_date_diff_days(from, to) > 400) {
		api_field_problem(req, resp, "to", "must be at most 400 days after from");
		return;
	}
	char from_s[11], to_s[11], from_local[LOCAL_TIME_LEN], to_local[LOCAL_TIME_LEN];
	civil_date_format(from, from_s);
	civil_date_format(to, to_s);
	char after[11];
	civil_date_format(civil_date_add_days(to, 1), after);
	snprintf(from_local, sizeof from_local, "%sT00:00", from_s);
	snprintf(to_local, sizeof to_local, "%sT00:00", after);
	json_t *items = NULL;
	if (!appointments_occurrences(req->db, id, NULL, from_local, to_local, tz, &items)) {
		api_db_failed(req, resp, "listing appointments");
		return;
	}
	json_t *aps = api_select(req->db, "SELECT id FROM appointment WHERE case_id = ? ORDER BY starts_local, id", "t",
	                         id);
	json_t *full = json_array();
	bool ok = aps != NULL;
	size_t i;
	json_t *row;
	if (ok) {
		json_array_foreach(aps, i, row) {
			bool failed = false;
			json_t *ap = appointment_read(req->db, jstr(row, "id"), &failed);
			if (!ap) {
				ok = false;
				break;
			}
			json_array_append_new(full, ap);
		}
	}
	json_decref(aps);
	char *detail = xasprintf("{\"from\":\"%s\",\"to\":\"%s\"}", from_s, to_s);
	ok = ok && scope_audit(req, &s, AUDIT_CONSULT, "case_appointments", id, detail);
	free(detail);
	if (!ok) {
		json_decref(items);
		json_decref(full);
		api_db_failed(req, resp, "listing appointments");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(full);
		return;
	}
	http_response_json(resp, 200,
	                   json_pack("{s:s, s:s, s:s, s:o, s:o}", "from", from_s, "to", to_s, "timezone", tz, "items",
	                             items, "appointments", full));
}

void api_appointment_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	json_t *ap;
	if (!appointment_scope(req, resp, id, false, &s, &ap))
		return;
	if (!scope_audit(req, &s, AUDIT_CONSULT, "appointment", id, jstr(ap, "case_id"))) {
		json_decref(ap);
		api_db_failed(req, resp, "logging an appointment read");
		return;
	}
	api_commit_send(req, resp, 200, ap);
}

/* ---- create, change, cancel ----------------------------------------- */

void api_appointment_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	appointment_body_validate(req->json, &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, case_id, &s) ||
	    !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.status, "closed") == 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "closed", "The case is closed", "Appointments are made on open cases.", NULL);
		return;
	}
	const char *condition_id = api_str(req, "condition_id");
	if (condition_id) {
		int found = condition_of_case(req->db, condition_id, case_id, true);
		if (found < 0) {
			api_db_failed(req, resp, "reading a condition");
			return;
		}
		if (found == 0) {
			api_field_problem(req, resp, "condition_id", "is not an active condition of this case");
			return;
		}
	}
	const char *officer_id = api_str(req, "officer_id");
	if (officer_id) {
		bool failed = false;
		/* The appointment goes into that account's diary and calendar feed: only staff of the case's unit
		   (or its officer, or the caller) who keep a diary. */
		json_t *a = api_select_one(req->db, &failed,
			"SELECT a.id FROM account a WHERE a.id = ? AND a.status = 'active' AND (a.unit_id = ? OR a.id = ?"
			" OR a.id = ?) AND EXISTS (SELECT 1 FROM account_role r JOIN role_permission p ON p.role = r.role"
			" WHERE r.account_id = a.id AND p.permission = 'diary.read')",
			"tttt", officer_id, s.unit_id, s.officer_id, req->principal.account_id);
		if (!a) {
			if (failed)
				api_db_failed(req, resp, "reading an account");
			else
				api_field_problem(req, resp, "officer_id",
				                  "is not an active member of the case's unit who keeps a diary");
			return;
		}
		json_decref(a);
	} else {
		officer_id = s.officer_id[0] ? s.officer_id : req->principal.account_id;
	}
	const char *kind = api_str(req, "kind"), *rrule = api_str(req, "rrule");
	const char *location = api_str(req, "location");
	char tz[APPOINTMENT_ZONE_LEN], stored_rule[RECURRENCE_MAX_RULE + 16];
	if (!zone(req, resp, tz))
		return;
	if (rrule && *rrule) {
		if (!recurrence_rule_normalize(rrule, tz, stored_rule, sizeof stored_rule)) {
			api_field_problem(req, resp, "rrule", "is not a valid recurrence rule");
			return;
		}
		rrule = stored_rule;
	} else {
		rrule = NULL;
	}
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	json_int_t duration = json_integer_value(json_object_get(req->json, "duration_min"));
	char *detail = detail_json(json_pack("{s:s, s:s, s:b, s:s}", "appointment_id", id, "kind", kind, "recurring",
	                                     rrule != NULL, "starts_local", api_str(req, "starts_local")));
	char *summary = xasprintf("Appointment scheduled (%s, %s)", strcmp(kind, "home_visit") == 0 ? "home visit" : kind,
	                          rrule ? "repeating" : "once");
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO appointment (id, case_id, officer_id, kind, location, purpose, condition_id,"
	                 " starts_local, duration_min, rrule, status, cancel_reason, created_at, created_by, updated_at,"
	                 " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, ?, ?, ?, 1)",
	                 "ttttttttititi", id, case_id, officer_id, kind, location && *location ? location : NULL,
	                 api_str(req, "purpose"), condition_id, api_str(req, "starts_local"), (int64_t)duration, rrule,
	                 now, req->principal.account_id, now) == DB_OK &&
	          case_event_add(req->db, case_id, now, "appointment.scheduled", req->principal.account_id, summary,
	                         detail, "appointment", id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "appointment", id, case_id);
	free(detail);
	free(summary);
	if (!ok) {
		api_db_failed(req, resp, "scheduling an appointment");
		return;
	}
	answer_appointment(req, resp, id, 201);
}

static bool same_text(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

void api_appointment_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, update_rules, NRULES(update_rules), &fe);
	local_time_check(req->json, "starts_local", &fe);
	int64_t version = 0;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version))
		return;
	struct record_scope s;
	json_t *ap;
	char tz[APPOINTMENT_ZONE_LEN];
	if (!appointment_scope(req, resp, id, true, &s, &ap))
		return;
	const char *case_id = jstr(ap, "case_id");
	if (!zone(req, resp, tz)) {
		json_decref(ap);
		return;
	}
	if (json_integer_value(json_object_get(ap, "version")) != version) {
		json_decref(ap);
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this appointment since you read it; read it again.", NULL);
		return;
	}
	if (strcmp(jstr(ap, "status"), "active") != 0) {
		json_decref(ap);
		db_rollback(req->db);
		http_problem(resp, req, 409, "cancelled", "The appointment is cancelled",
		             "A cancelled appointment does not change; make a new one.", NULL);
		return;
	}
	/* The new values: what the body gives, else what is stored. rrule "" or null makes it a single one. */
	const json_t *body = req->json;
	const char *kind = json_str(body, "kind") ? json_str(body, "kind") : jstr(ap, "kind");
	const char *location = json_object_get(body, "location") ? json_str(body, "location") : jstr(ap, "location");
	const char *purpose = json_str(body, "purpose") ? json_str(body, "purpose") : jstr(ap, "purpose");
	const char *starts = json_str(body, "starts_local") ? json_str(body, "starts_local") : jstr(ap, "starts_local");
	json_int_t duration = json_is_integer(json_object_get(body, "duration_min"))
	                          ? json_integer_value(json_object_get(body, "duration_min"))
	                          : json_integer_value(json_object_get(ap, "duration_min"));
	const char *rrule = json_object_get(body, "rrule") ? json_str(body, "rrule") : jstr(ap, "rrule");
	if (rrule && !*rrule)
		rrule = NULL;
	bool time_changed = strcmp(starts, jstr(ap, "starts_local")) != 0;
	bool duration_changed = duration != json_integer_value(json_object_get(ap, "duration_min"));
	char stored_rule[RECURRENCE_MAX_RULE + 16] = "";
	if (rrule) {
		rrule_check(rrule, starts, tz, &fe);
		if (!fe.list && !recurrence_rule_normalize(rrule, tz, stored_rule, sizeof stored_rule))
			field_error(&fe, "rrule", "is not a valid recurrence rule");
		rrule = stored_rule;
	}
	bool rule_changed = !same_text(rrule, jstr(ap, "rrule"));
	if ((time_changed || duration_changed || rule_changed) && !json_str(body, "reason"))
		field_error(&fe, "reason", "is required when the time, duration or rule changes");
	if (fe.list) {
		json_decref(ap);
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	/* Exceptions of occurrences the new rule no longer makes go, unless an outcome records one. */
	int64_t removed = 0;
	if (time_changed || rule_changed) {
		json_t *ex;
		size_t i;
		json_array_foreach(json_object_get(ap, "exceptions"), i, ex) {
			const char *occ = jstr(ex, "occurrence_local");
			if (appointment_generates(starts, rrule, tz, occ))
				continue;
			int has = contact_of(req->db, id, occ);
			if (has < 0) {
				json_decref(ap);
				api_db_failed(req, resp, "reading contacts");
				return;
			}
			if (has) {
				char *msg = xasprintf("The occurrence %s, which was moved or cancelled, has a recorded outcome and "
				                      "the new time or rule would no longer make it. Keep it, or end this "
				                      "appointment and make a new one.",
				                      occ);
				json_decref(ap);
				db_rollback(req->db);
				http_problem(resp, req, 409, "occurrence-has-outcome", "An outcome records an occurrence", msg, NULL);
				free(msg);
				return;
			}
			if (db_run(req->db, NULL,
			           "DELETE FROM appointment_exception WHERE appointment_id = ? AND occurrence_local = ?", "tt",
			           id, occ) != DB_OK) {
				json_decref(ap);
				api_db_failed(req, resp, "removing an exception");
				return;
			}
			removed++;
		}
	}
	int64_t now = clock_now_ms();
	json_t *fields = json_array();
	if (strcmp(kind, jstr(ap, "kind")) != 0)
		json_array_append_new(fields, json_string("kind"));
	if (!same_text(location, jstr(ap, "location")))
		json_array_append_new(fields, json_string("location"));
	if (strcmp(purpose, jstr(ap, "purpose")) != 0)
		json_array_append_new(fields, json_string("purpose"));
	if (time_changed)
		json_array_append_new(fields, json_string("starts_local"));
	if (duration_changed)
		json_array_append_new(fields, json_string("duration_min"));
	if (rule_changed)
		json_array_append_new(fields, json_string("rrule"));
	const char *reason = json_str(body, "reason");
	json_t *d = json_pack("{s:s, s:O, s:I}", "appointment_id", id, "fields", fields, "exceptions_removed",
	                      (json_int_t)removed);
	if (reason)
		json_object_set_new(d, "reason", json_string(reason));
	char *detail = detail_json(d);
	char *summary = xasprintf("Appointment changed (%zu field%s)", json_array_size(fields),
	                          json_array_size(fields) == 1 ? "" : "s");
	json_decref(fields);
	int64_t changes = 0;
	bool ok = db_run(req->db, &changes,
	                 "UPDATE appointment SET kind = ?, location = ?, purpose = ?, starts_local = ?, duration_min = ?,"
	                 " rrule = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
	                 "ttttititi", kind, location && *location ? location : NULL, purpose, starts, (int64_t)duration,
	                 rrule && *rrule ? rrule : NULL, now, id, version) == DB_OK &&
	          changes == 1 &&
	          case_event_add(req->db, case_id, now, "appointment.changed", req->principal.account_id, summary, detail,
	                         "appointment", id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_ALTER, "appointment", id, case_id);
	free(detail);
	free(summary);
	json_decref(ap);
	if (!ok) {
		api_db_failed(req, resp, "changing an appointment");
		return;
	}
	answer_appointment(req, resp, id, 200);
}

void api_appointment_reschedule(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, reschedule_rules, NRULES(reschedule_rules), &fe);
	local_time_check(req->json, "occurrence_local", &fe);
	local_time_check(req->json, "new_starts_local", &fe);
	if (json_is_object(req->json) && !json_object_get(req->json, "new_starts_local"))
		field_error(&fe, "new_starts_local", "is required (null cancels the occurrence)");
	struct record_scope s;
	json_t *ap;
	char tz[APPOINTMENT_ZONE_LEN];
	if (field_errors_respond(&fe, resp, req) || !appointment_scope(req, resp, id, true, &s, &ap))
		return;
	const char *case_id = jstr(ap, "case_id");
	const char *occ = api_str(req, "occurrence_local"), *moved_to = api_str(req, "new_starts_local");
	const char *reason = api_str(req, "reason");
	if (!zone(req, resp, tz)) {
		json_decref(ap);
		return;
	}
	if (strcmp(jstr(ap, "status"), "active") != 0) {
		json_decref(ap);
		db_rollback(req->db);
		http_problem(resp, req, 409, "cancelled", "The appointment is cancelled",
		             "Occurrences of a cancelled appointment do not move.", NULL);
		return;
	}
	if (!appointment_generates(jstr(ap, "starts_local"), jstr(ap, "rrule"), tz, occ)) {
		json_decref(ap);
		api_field_problem(req, resp, "occurrence_local", "is not an occurrence of this appointment");
		return;
	}
	int has = contact_of(req->db, id, occ);
	if (has != 0) {
		json_decref(ap);
		if (has < 0) {
			api_db_failed(req, resp, "reading contacts");
		} else {
			db_rollback(req->db);
			http_problem(resp, req, 409, "occurrence-has-outcome", "The occurrence has an outcome",
			             "An occurrence whose outcome is recorded does not move.", NULL);
		}
		return;
	}
	char existing[LOCAL_TIME_LEN];
	int found = exception_of(req->db, id, occ, existing);
	int64_t now = clock_now_ms();
	bool ok = found >= 0;
	if (ok && found)
		ok = db_run(req->db, NULL,
		            "UPDATE appointment_exception SET new_starts_local = ?, reason = ?, changed_by = ?, changed_at = ?"
		            " WHERE appointment_id = ? AND occurrence_local = ?",
		            "tttitt", moved_to, reason, req->principal.account_id, now, id, occ) == DB_OK;
	else if (ok) {
		char ex_id[UUID_STR_LEN];
		uuid_v7(ex_id);
		ok = db_run(req->db, NULL,
		            "INSERT INTO appointment_exception (id, appointment_id, occurrence_local, new_starts_local, reason,"
		            " changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		            "tttttti", ex_id, id, occ, moved_to, reason, req->principal.account_id, now) == DB_OK;
	}
	const char *kind = moved_to ? "appointment.rescheduled" : "appointment.cancelled";
	json_t *d = json_pack("{s:s, s:s, s:s, s:o, s:s, s:b}", "appointment_id", id, "scope", "occurrence",
	                      "occurrence_local", occ, "new_starts_local", moved_to ? json_string(moved_to) : json_null(),
	                      "reason", reason, "changed_again", found == 1);
	char *detail = detail_json(d);
	ok = ok &&
	     db_run(req->db, NULL, "UPDATE appointment SET updated_at = ?, version = version + 1 WHERE id = ?", "it", now,
	            id) == DB_OK &&
	     case_event_add(req->db, case_id, now, kind, req->principal.account_id,
	                    moved_to ? "Appointment occurrence moved" : "Appointment occurrence cancelled", detail,
	                    "appointment", id) == DB_OK &&
	     scope_audit(req, &s, AUDIT_ALTER, "appointment", id, case_id);
	free(detail);
	json_decref(ap);
	if (!ok) {
		api_db_failed(req, resp, "rescheduling an appointment");
		return;
	}
	answer_appointment(req, resp, id, 200);
}

void api_appointment_cancel(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, cancel_rules, NRULES(cancel_rules), &fe);
	struct record_scope s;
	json_t *ap;
	if (field_errors_respond(&fe, resp, req) || !appointment_scope(req, resp, id, true, &s, &ap))
		return;
	if (strcmp(jstr(ap, "status"), "active") != 0) {
		json_decref(ap);
		db_rollback(req->db);
		http_problem(resp, req, 409, "cancelled", "The appointment is already cancelled", NULL, NULL);
		return;
	}
	char case_id[UUID_STR_LEN];
	snprintf(case_id, sizeof case_id, "%s", jstr(ap, "case_id"));
	json_decref(ap);
	int64_t now = clock_now_ms();
	const char *reason = api_str(req, "reason");
	char *detail = detail_json(
		json_pack("{s:s, s:s, s:s}", "appointment_id", id, "scope", "series", "reason", reason));
	bool ok = db_run(req->db, NULL,
	                 "UPDATE appointment SET status = 'cancelled', cancel_reason = ?, updated_at = ?,"
	                 " version = version + 1 WHERE id = ?",
	                 "tit", reason, now, id) == DB_OK &&
	          case_event_add(req->db, case_id, now, "appointment.cancelled", req->principal.account_id,
	                         "Appointment cancelled", detail, "appointment", id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_ALTER, "appointment", id, case_id);
	free(detail);
	if (!ok) {
		api_db_failed(req, resp, "cancelling an appointment");
		return;
	}
	answer_appointment(req, resp, id, 200);
}

/* ---- outcomes and contacts ------------------------------------------ */

/* Inserts a contact from the body, its timeline event and its log entry; false on a database error. */
static bool contact_insert(struct http_request *req, const struct record_scope *s, const char *case_id,
                           const char *appointment_id, const char *occurrence_local, const char *kind,
                           const char *happened_local, char id_r[UUID_STR_LEN])
{
	const json_t *body = req->json;
	uuid_v7(id_r);
	int64_t now = clock_now_ms();
	const json_t *duration = json_object_get(body, "duration_min");
	const char *outcome = json_str(body, "outcome"), *notes = json_str(body, "notes");
	const char *absence = json_str(body, "absence_reason");
	json_t *d = json_pack("{s:s, s:s, s:s, s:o}", "contact_id", id_r, "kind", kind, "outcome", outcome,
	                      "appointment_id", appointment_id ? json_string(appointment_id) : json_null());
	if (absence)
		json_object_set_new(d, "absence_reason", json_string(absence));
	char *detail = detail_json(d);
	char *summary = xasprintf("Contact recorded (%s, %s)", kind, outcome);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO contact (id, case_id, appointment_id, occurrence_local, kind, happened_local,"
	                 " duration_min, outcome, absence_reason, absence_detail, notes, condition_id, recorded_by,"
	                 " recorded_at) VALUES (?, ?, ?, ?, ?, ?, NULLIF(?, -1), ?, ?, ?, ?, ?, ?, ?)",
	                 "ttttttitttttti", id_r, case_id, appointment_id, occurrence_local, kind, happened_local,
	                 json_is_integer(duration) ? (int64_t)json_integer_value(duration) : (int64_t)-1, outcome, absence,
	                 json_str(body, "absence_detail"), notes, json_str(body, "condition_id"),
	                 req->principal.account_id, now) == DB_OK &&
	          case_event_add(req->db, case_id, now, "contact.recorded", req->principal.account_id, summary, detail,
	                         "contact", id_r) == DB_OK &&
	          scope_audit(req, s, AUDIT_COLLECT, "contact", id_r, case_id) &&
	          /* The event rule: a failed contact raises its alert in this transaction. */
	          rules_on_contact(req->db, id_r, now) == DB_OK;
	free(detail);
	free(summary);
	return ok;
}

static void answer_contact(struct http_request *req, struct http_response *resp, const char *id)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, CONTACT_COLUMNS " WHERE k.id = ?", "t", id);
	if (!row) {
		api_db_failed(req, resp, "reading a contact");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	http_response_json(resp, 201, row);
}

/* The optional condition_id of an outcome or contact: a condition of the case, active or ended. */
static bool contact_condition_ok(struct http_request *req, struct http_response *resp, const char *case_id)
{
	const char *condition_id = api_str(req, "condition_id");
	if (!condition_id)
		return true;
	int found = condition_of_case(req->db, condition_id, case_id, false);
	if (found < 0)
		api_db_failed(req, resp, "reading a condition");
	else if (found == 0)
		api_field_problem(req, resp, "condition_id", "is not a condition of this case");
	return found == 1;
}

void api_appointment_outcome(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, outcome_rules, NRULES(outcome_rules), &fe);
	local_time_check(req->json, "occurrence_local", &fe);
	absence_check(req->json, &fe);
	struct record_scope s;
	json_t *ap;
	char tz[APPOINTMENT_ZONE_LEN];
	if (field_errors_respond(&fe, resp, req) || !appointment_scope(req, resp, id, true, &s, &ap))
		return;
	char case_id[UUID_STR_LEN], kind[16];
	snprintf(case_id, sizeof case_id, "%s", jstr(ap, "case_id"));
	snprintf(kind, sizeof kind, "%s", jstr(ap, "kind"));
	const char *occ = api_str(req, "occurrence_local");
	if (!zone(req, resp, tz)) {
		json_decref(ap);
		return;
	}
	if (!appointment_generates(jstr(ap, "starts_local"), jstr(ap, "rrule"), tz, occ)) {
		json_decref(ap);
		api_field_problem(req, resp, "occurrence_local", "is not an occurrence of this appointment");
		return;
	}
	char moved_to[LOCAL_TIME_LEN];
	int64_t cancel_at = 0;
	int found = exception_of(req->db, id, occ, moved_to);
	bool ok = found >= 0 && cancelled_ms(req->db, ap, &cancel_at);
	json_decref(ap);
	if (!ok) {
		api_db_failed(req, resp, "reading an appointment");
		return;
	}
	/* happened_local: the occurrence's start, moved or as the zone places it. */
	char happened[LOCAL_TIME_LEN];
	int64_t start_ms = 0;
	if (!local_to_utc_ms(found == 1 && moved_to[0] ? moved_to : occ, tz, &start_ms) ||
	    !utc_ms_to_local(start_ms, tz, happened)) {
		api_internal_error(req, resp, "placing an occurrence in the zone");
		return;
	}
	if ((found == 1 && !moved_to[0]) || (cancel_at && start_ms >= cancel_at)) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "occurrence-cancelled", "The occurrence is cancelled",
		             "A cancelled occurrence has no outcome; record an unscheduled contact instead.", NULL);
		return;
	}
	/* What happened is recorded once it could have: only an acceptable absence (a court date, an illness) may be
	   known beforehand. Counting future attendance would fake the supervision minimum. */
	if (start_ms > clock_now_ms() && strcmp(api_str(req, "outcome"), "acceptable_absence") != 0) {
		api_field_problem(req, resp, "outcome", "is for an occurrence that has not started yet; only an acceptable"
		                  " absence may be recorded in advance");
		return;
	}
	int has = contact_of(req->db, id, occ);
	if (has != 0) {
		if (has < 0) {
			api_db_failed(req, resp, "reading contacts");
		} else {
			db_rollback(req->db);
			http_problem(resp, req, 409, "outcome-exists", "The occurrence already has an outcome",
			             "Each occurrence has one outcome.", NULL);
		}
		return;
	}
	if (!contact_condition_ok(req, resp, case_id))
		return;
	char contact[UUID_STR_LEN];
	if (!contact_insert(req, &s, case_id, id, occ, kind, happened, contact)) {
		api_db_failed(req, resp, "recording an outcome");
		return;
	}
	answer_contact(req, resp, contact);
}

void api_contacts_list(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	json_t *items = api_select(req->db,
		CONTACT_COLUMNS " WHERE k.case_id = ? ORDER BY k.happened_local DESC, k.recorded_at DESC, k.id DESC", "t",
		id);
	scope_send_items(req, resp, &s, "case_contacts", id, items, "reading contacts");
}

void api_contact_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, contact_rules, NRULES(contact_rules), &fe);
	local_time_check(req->json, "happened_local", &fe);
	absence_check(req->json, &fe);
	struct record_scope s;
	char tz[APPOINTMENT_ZONE_LEN], now_local[LOCAL_TIME_LEN];
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "case", id) || !zone(req, resp, tz))
		return;
	const char *happened = api_str(req, "happened_local");
	if (!utc_ms_to_local(clock_now_ms(), tz, now_local)) {
		api_internal_error(req, resp, "reading the local time");
		return;
	}
	if (strcmp(happened, now_local) > 0) {
		api_field_problem(req, resp, "happened_local", "must not be in the future");
		return;
	}
	if (!contact_condition_ok(req, resp, id))
		return;
	char contact[UUID_STR_LEN];
	if (!contact_insert(req, &s, id, NULL, NULL, api_str(req, "kind"), happened, contact)) {
		api_db_failed(req, resp, "recording a contact");
		return;
	}
	answer_contact(req, resp, contact);
}
