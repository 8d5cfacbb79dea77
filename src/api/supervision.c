/*
 * supervision.c — a case's supervision level (chosen by the officer with a
 * written reason, S5) and whether the level's policy minimum is met: the
 * contacts and home visits recorded in the policy's period up to today, and
 * when the case falls due for reassessment (domain/reassessment.c). The
 * latest countersigned assessment's judgement suggests a level
 * (level_suggestion); the officer still decides, and a departure from the
 * suggestion needs a longer reason. The policy table itself
 * (ref_supervision_level) is a reference list the administrator changes.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/assessments.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/appointments.h"
#include "domain/assessment.h"
#include "domain/casefile.h"
#include "domain/keydates.h"

#define LEVEL_COLUMNS \
	"SELECT code, rank, title_ky, title_ru, title_en, min_contacts, contacts_period_days, min_home_visits," \
	" home_visits_period_days, reassessment_days, is_active FROM ref_supervision_level"

/* A ref_supervision_level row (LEVEL_COLUMNS) as the API shows it; takes the row. */
static json_t *level_json(json_t *row)
{
	if (row)
		api_texts_fold(row, "title", "title");
	return row;
}

/* The number of contacts of a case (of one kind, or any when kind is NULL) held from..to, both inclusive. */
static bool contacts_held(db *conn, const char *case_id, const char *kind, struct civil_date from,
                          struct civil_date to, int64_t *n_r)
{
	/* happened_local is "YYYY-MM-DDTHH:MM": compared as text with the first day and the day after the last. */
	char lo[11], hi[11];
	civil_date_format(from, lo);
	civil_date_format(civil_date_add_days(to, 1), hi);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT COUNT(*) FROM contact WHERE case_id = ? AND outcome IN " CONTACT_HELD_OUTCOMES
		" AND (CAST(? AS TEXT) IS NULL OR kind = ?) AND happened_local >= ? AND happened_local < ?",
		"ttttt", case_id, kind, kind, lo, hi);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		*n_r = db_column_int64(st, 0);
	db_finalize(&st);
	return rc == DB_ROW;
}

/* {required, period_days, done, met, from, to} for a minimum over the last period_days days up to today. */
static json_t *minimum_json(db *conn, const char *case_id, const char *kind, int64_t required, int64_t period,
                            struct civil_date today, bool *met_r)
{
	struct civil_date from = civil_date_add_days(today, -(int)period + 1);
	int64_t done = 0;
	if (!contacts_held(conn, case_id, kind, from, today, &done))
		return NULL;
	char f[11], t[11];
	civil_date_format(from, f);
	civil_date_format(today, t);
	bool met = done >= required;
	*met_r = *met_r && met;
	return json_pack("{s:I, s:I, s:I, s:b, s:s, s:s}", "required", (json_int_t)required, "period_days",
	                 (json_int_t)period, "done", (json_int_t)done, "met", met, "from", f, "to", t);
}

/* The compliance of a case with its level's policy (policy: a level_json object); NULL on a database error. */
static json_t *compliance_json(db *conn, const char *case_id, const json_t *policy, struct civil_date today)
{
	bool met = true;
	json_t *contacts = minimum_json(conn, case_id, NULL, json_integer_value(json_object_get(policy, "min_contacts")),
	                                json_integer_value(json_object_get(policy, "contacts_period_days")), today, &met);
	json_t *visits = contacts ? minimum_json(conn, case_id, "home_visit",
	                                         json_integer_value(json_object_get(policy, "min_home_visits")),
	                                         json_integer_value(json_object_get(policy, "home_visits_period_days")),
	                                         today, &met)
	                          : NULL;
	if (!contacts || !visits) {
		json_decref(contacts);
		json_decref(visits);
		return NULL;
	}
	/* The earliest of the case's reassessment due dates (domain/reassessment.c). */
	struct reassessment_due *due = NULL;
	size_t n = 0;
	if (reassessment_due_case(conn, case_id, &due, &n) != DB_OK || n == 0) {
		free(due);
		json_decref(contacts);
		json_decref(visits);
		return NULL;
	}
	struct civil_date due_on;
	bool overdue = civil_date_parse(due[0].due_on, &due_on) && civil_date_compare(due_on, today) < 0;
	json_t *reassessment = json_pack("{s:I, s:s?, s:s, s:b, s:s, s:s?}", "interval_days",
	                                 (json_int_t)due[0].interval_days, "last_on",
	                                 due[0].last_on[0] ? due[0].last_on : NULL, "due_on", due[0].due_on, "overdue",
	                                 overdue, "basis", due[0].basis, "instrument_code",
	                                 due[0].instrument_code[0] ? due[0].instrument_code : NULL);
	free(due);
	return json_pack("{s:o, s:o, s:o, s:b}", "contacts", contacts, "home_visits", visits, "reassessment",
	                 reassessment, "met", met && !overdue);
}

/* GET /cases/{id}/supervision as an object; NULL on a database error. */
static json_t *supervision_json(db *conn, const char *case_id, struct civil_date today)
{
	json_t *history = api_select(conn,
		"SELECT l.id, l.level, r.title_ky, r.title_ru, r.title_en, l.reason, l.effective_from,"
		" a.display_name AS set_by_name, l.set_at, l.assessment_id, l.suggested_level FROM case_supervision_level l"
		" JOIN ref_supervision_level r ON r.code = l.level JOIN account a ON a.id = l.set_by"
		" WHERE l.case_id = ? ORDER BY l.set_at DESC, l.id DESC", "t", case_id);
	if (!history)
		return NULL;
	size_t i;
	json_t *h;
	json_array_foreach(history, i, h) {
		api_texts_fold(h, "title", "level_title");
		/* Whether the officer chose the level the assessment suggested (null: nothing was suggested). */
		const char *suggested = json_string_value(json_object_get(h, "suggested_level"));
		json_object_set_new(h, "follows_suggestion",
		                    suggested ? json_boolean(strcmp(suggested, json_string_value(json_object_get(h, "level")))
		                                             == 0)
		                              : json_null());
	}
	bool failed = false;
	json_t *suggestion = assessment_suggestion_json(conn, case_id, &failed);
	if (!suggestion) {
		json_decref(history);
		return NULL;
	}
	json_t *out = json_pack("{s:n, s:o, s:n, s:n, s:o}", "level", "history", history, "policy", "compliance",
	                        "suggestion", suggestion);
	json_t *latest = json_array_get(history, 0);
	if (!latest)
		return out;
	json_t *level = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O}", "level", json_object_get(latest, "level"),
	                          "title", json_object_get(latest, "level_title"), "reason",
	                          json_object_get(latest, "reason"), "effective_from",
	                          json_object_get(latest, "effective_from"), "set_by_name",
	                          json_object_get(latest, "set_by_name"), "set_at", json_object_get(latest, "set_at"));
	json_object_set_new(out, "level", level);
	json_t *policy = level_json(api_select_one(conn, &failed, LEVEL_COLUMNS " WHERE code = ?", "t",
	                                           json_string_value(json_object_get(latest, "level"))));
	json_t *compliance = policy ? compliance_json(conn, case_id, policy, today) : NULL;
	if (!policy || !compliance) {
		json_decref(policy);
		json_decref(out);
		return NULL;
	}
	json_object_set_new(out, "policy", policy);
	json_object_set_new(out, "compliance", compliance);
	return out;
}

void api_supervision_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	struct civil_date today;
	char today_s[11];
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s) || !api_today_date(req, resp, &today, today_s))
		return;
	json_t *out = supervision_json(req->db, id, today);
	if (!out || !scope_audit(req, &s, AUDIT_CONSULT, "case_supervision", id, NULL)) {
		json_decref(out);
		api_db_failed(req, resp, "reading the supervision level");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 200, out);
}

static const struct field_rule level_set_rules[] = {
	{"level", FIELD_STRING, true, 1, 30, NULL},
	{"reason", FIELD_STRING, true, 10, 2000, NULL},
	{"effective_from", FIELD_DATE, false, 0, 0, NULL},
	{"assessment_id", FIELD_UUID, false, 0, 0, NULL},
};

/* The reason's length when the level departs from the suggested one. */
#define DEPARTURE_REASON_MIN 30

void api_supervision_level_put(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, level_set_rules, NRULES(level_set_rules), &fe);
	struct record_scope s;
	struct civil_date today;
	char today_s[11];
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "case", id) || !api_today_date(req, resp, &today, today_s))
		return;
	const char *level = api_str(req, "level"), *from = api_str(req, "effective_from");
	if (!from)
		from = today_s;
	/* The latest level is the one in force: a level is set when it takes effect, not in advance. */
	if (strcmp(from, today_s) > 0) {
		api_field_problem(req, resp, "effective_from", "must not be in the future");
		return;
	}
	bool failed = false;
	json_t *ref = api_select_one(req->db, &failed, "SELECT is_active FROM ref_supervision_level WHERE code = ?",
	                             "t", level);
	if (failed) {
		api_db_failed(req, resp, "reading a supervision level");
		return;
	}
	bool known = ref != NULL, active = known && json_is_true(json_object_get(ref, "active"));
	json_decref(ref);
	if (!active) {
		api_field_problem(req, resp, "level", known ? "is no longer in use" : "is not a supervision level");
		return;
	}
	/* The suggestion of the latest countersigned assessment: the officer decides, and explains a departure. */
	struct level_suggested sg;
	if (assessment_level_suggestion(req->db, id, &sg) != DB_OK) {
		api_db_failed(req, resp, "reading the suggested level");
		return;
	}
	const char *assessment_id = json_str(req->json, "assessment_id"), *reason = api_str(req, "reason");
	if (assessment_id && (!sg.found || strcmp(assessment_id, sg.assessment_id) != 0))
		field_error(&fe, "assessment_id", "is not the assessment whose judgement suggests the level now");
	if (sg.found && strcmp(level, sg.level) != 0 && utf8_length(reason) < DEPARTURE_REASON_MIN)
		field_error(&fe, "reason", "explain why the level differs from the suggested %s (at least %d characters)",
		            sg.level, DEPARTURE_REASON_MIN);
	if (api_errors_answer(req, resp, &fe))
		return;
	/* The level before, for the timeline. */
	json_t *prev = api_select_one(req->db, &failed,
		"SELECT level FROM case_supervision_level WHERE case_id = ? ORDER BY set_at DESC, id DESC LIMIT 1", "t", id);
	if (failed) {
		api_db_failed(req, resp, "reading the supervision level");
		return;
	}
	const char *prev_level = prev ? json_string_value(json_object_get(prev, "level")) : NULL;
	char row_id[UUID_STR_LEN];
	uuid_v7(row_id);
	int64_t now = clock_now_ms();
	const char *suggested = sg.found ? sg.level : NULL;
	json_t *detail = json_pack("{s:s, s:s?, s:s, s:s*, s:s*}", "level", level, "previous", prev_level,
	                           "effective_from", from, "suggested_level", suggested, "assessment_id", assessment_id);
	char *detail_s = json_dumps(detail, JSON_COMPACT);
	char *summary = prev_level ? xasprintf("Supervision level changed from %s to %s", prev_level, level)
	                           : xasprintf("Supervision level set to %s", level);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO case_supervision_level (id, case_id, level, reason, effective_from, set_by, set_at,"
	                 " assessment_id, suggested_level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                 "tttttti" "tt", row_id, id, level, reason, from, req->principal.account_id, now, assessment_id,
	                 suggested) == DB_OK &&
	          case_event_add(req->db, id, now, "supervision.level_set", req->principal.account_id, summary, detail_s,
	                         "case_supervision_level", row_id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "case_supervision_level", row_id, id);
	free(summary);
	free(detail_s);
	json_decref(detail);
	json_decref(prev);
	json_t *out = ok ? supervision_json(req->db, id, today) : NULL;
	if (!out) {
		api_db_failed(req, resp, "setting the supervision level");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 200, out);
}

/* ---- the policy table ------------------------------------------------------------ */

static const struct field_rule level_rules[] = {
	{"title", FIELD_OBJECT, true, 0, 0, NULL},
	{"min_contacts", FIELD_INTEGER, true, 0, 100, NULL},
	{"contacts_period_days", FIELD_INTEGER, true, 1, 366, NULL},
	{"min_home_visits", FIELD_INTEGER, true, 0, 100, NULL},
	{"home_visits_period_days", FIELD_INTEGER, true, 1, 366, NULL},
	{"reassessment_days", FIELD_INTEGER, true, 1, 1096, NULL},
	{"active", FIELD_BOOL, false, 0, 0, NULL},
};

static const struct field_rule title_rules[] = {
	{"ky", FIELD_STRING, true, 1, 100, NULL},
	{"ru", FIELD_STRING, true, 1, 100, NULL},
	{"en", FIELD_STRING, true, 1, 100, NULL},
};

/* [a-z_]{2,30} */
static bool level_code_valid(const char *code)
{
	size_t n = code ? strlen(code) : 0;
	if (n < 2 || n > 30)
		return false;
	for (const char *p = code; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	return true;
}

void api_reference_supervision_level_put(struct http_request *req, struct http_response *resp)
{
	const char *code = http_request_param(req, "code");
	struct field_errors fe = {0};
	if (!level_code_valid(code))
		field_error(&fe, "code", "must be 2-30 lowercase letters or '_'");
	if (validate_object(req->json, level_rules, NRULES(level_rules), &fe))
		validate_object_at(json_object_get(req->json, "title"), "title", title_rules, NRULES(title_rules), &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	const json_t *b = req->json, *title = json_object_get(b, "title");
	const json_t *active_v = json_object_get(b, "active");
	int64_t active = !active_v || json_is_null(active_v) || json_is_true(active_v);
	bool failed = false;
	json_t *old = api_select_one(req->db, &failed, "SELECT code FROM ref_supervision_level WHERE code = ?", "t",
	                             code);
	if (failed) {
		api_db_failed(req, resp, "reading a supervision level");
		return;
	}
	bool created = old == NULL;
	json_decref(old);
	const char *ky = json_str(title, "ky"), *ru = json_str(title, "ru"), *en = json_str(title, "en");
	int64_t mc = json_integer_value(json_object_get(b, "min_contacts"));
	int64_t cp = json_integer_value(json_object_get(b, "contacts_period_days"));
	int64_t mh = json_integer_value(json_object_get(b, "min_home_visits"));
	int64_t hp = json_integer_value(json_object_get(b, "home_visits_period_days"));
	int64_t rd = json_integer_value(json_object_get(b, "reassessment_days"));
	enum db_status rc;
	if (created) {
		/* A new level comes after the others (rank 1 is the most intensive). */
		json_t *last = api_select_one(req->db, &failed,
			"SELECT COALESCE(MAX(rank), 0) AS n FROM ref_supervision_level", "");
		int64_t rank = last ? json_integer_value(json_object_get(last, "n")) + 1 : 0;
		json_decref(last);
		rc = rank < 1 ? DB_ERROR : db_run(req->db, NULL,
			"INSERT INTO ref_supervision_level (code, rank, title_ky, title_ru, title_en, min_contacts,"
			" contacts_period_days, min_home_visits, home_visits_period_days, reassessment_days, is_active)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"titttiiiiii", code, rank, ky, ru, en, mc, cp, mh, hp, rd, active);
	} else
		rc = db_run(req->db, NULL,
			"UPDATE ref_supervision_level SET title_ky = ?, title_ru = ?, title_en = ?, min_contacts = ?,"
			" contacts_period_days = ?, min_home_visits = ?, home_visits_period_days = ?, reassessment_days = ?,"
			" is_active = ? WHERE code = ?",
			"tttiiiiiit", ky, ru, en, mc, cp, mh, hp, rd, active, code);
	char detail[160];
	snprintf(detail, sizeof detail,
	         "%s; contacts %lld/%lld days, home visits %lld/%lld days, reassessment %lld days, %s",
	         created ? "created" : "changed", (long long)mc, (long long)cp, (long long)mh, (long long)hp,
	         (long long)rd, active ? "active" : "inactive");
	if (rc != DB_OK ||
	    !api_audit(req, AUDIT_ALTER, "ref_supervision_level", code, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "changing a supervision level");
		return;
	}
	json_t *row = level_json(api_select_one(req->db, &failed, LEVEL_COLUMNS " WHERE code = ?", "t", code));
	if (!row) {
		api_db_failed(req, resp, "reading a supervision level");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	http_response_json(resp, created ? 201 : 200, row);
}
