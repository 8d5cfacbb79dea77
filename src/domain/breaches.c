/*
 * breaches.c — breach allegations by due process (S6-S9). The transitions are
 * one table (breach_transitions): which states each starts from, where it
 * leads, the route's permission, the body's fields and, in English, what must
 * happen first when the allegation is in another state. One path applies any
 * of them (breach_move): a status- and version-guarded UPDATE, a
 * breach_event row with who, when and why, and the timeline. Nothing here
 * runs by itself (S7): only a person's request or the demo moves a breach.
 */
#include "domain/breaches.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "api/validate.h"
#include "base/buf.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "http/http.h"

enum db_status breach_open(db *conn, const struct breach_new *b, int64_t now, char id_r[UUID_STR_LEN])
{
	char id[UUID_STR_LEN], event[UUID_STR_LEN];
	uuid_v7(id);
	uuid_v7(event);
	enum db_status rc = db_run(conn, NULL,
	                           "INSERT INTO breach (id, case_id, alert_id, state, allegation, occurred_on, reported_at,"
	                           " reported_by, updated_at) VALUES (?, ?, ?, 'reported', ?, ?, ?, ?, ?)",
	                           "tttttiti", id, b->case_id, b->alert_id, b->allegation, b->occurred_on, now,
	                           b->actor_id, now);
	for (size_t i = 0; rc == DB_OK && i < b->nconditions; i++)
		rc = db_run(conn, NULL, "INSERT INTO breach_condition (breach_id, condition_id) VALUES (?, ?)", "tt", id,
		            b->condition_ids[i]);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_printf(&detail, "{\"alert_id\":\"%s\",\"conditions\":%zu}", b->alert_id, b->nconditions);
	rc = db_run(conn, NULL,
	            "INSERT INTO breach_event (id, breach_id, at, actor_id, action, from_state, to_state, detail)"
	            " VALUES (?, ?, ?, ?, 'report', NULL, 'reported', ?)",
	            "ttitt", event, id, now, b->actor_id, detail.data);
	if (rc == DB_OK)
		rc = case_event_add(conn, b->case_id, now, "breach.reported", b->actor_id,
		                    "Breach allegation reported from a verified alert", detail.data, "breach", id);
	buf_free(&detail);
	if (rc == DB_OK)
		snprintf(id_r, UUID_STR_LEN, "%s", id);
	return rc;
}

/* ---- the table ------------------------------------------------------------------------ */

const char *const breach_states[BREACH_NSTATES + 1] = {
	"reported", "notified", "account_recorded", "assessed", "countersigned", "referred", "decided", "appealed",
	"appeal_decided", "closed", "withdrawn", NULL};

enum {
	S_REPORTED = 1u << 0,
	S_NOTIFIED = 1u << 1,
	S_ACCOUNT = 1u << 2,
	S_ASSESSED = 1u << 3,
	S_COUNTERSIGNED = 1u << 4,
	S_REFERRED = 1u << 5,
	S_DECIDED = 1u << 6,
	S_APPEALED = 1u << 7,
};

int breach_state_index(const char *state)
{
	for (int i = 0; state && breach_states[i]; i++)
		if (strcmp(breach_states[i], state) == 0)
			return i;
	return -1;
}

static const char *const notice_methods[] = {"in_person", "letter", "phone", "representative", NULL};
static const char *const languages[] = {"ky", "ru", "en", NULL};
static const char *const account_kinds[] = {"given", "declined", "none_by_deadline", NULL};
static const char *const countersign_decisions[] = {"countersign", "return", NULL};
static const char *const decision_outcomes[] = {"no_action", "warning", "vary_conditions", "revoke", "other", NULL};
static const char *const appeal_parties[] = {"person", "defender", "prosecutor", "service", NULL};
static const char *const appeal_outcomes[] = {"upheld", "overturned", "varied", NULL};

static const struct field_rule notification_fields[] = {
	{"notified_on", FIELD_DATE, true, 0, 0, NULL},
	{"method", FIELD_ENUM, true, 0, 0, notice_methods},
	{"language", FIELD_ENUM, true, 0, 0, languages},
	{"account_due_on", FIELD_DATE, false, 0, 0, NULL},
};
static const struct field_rule account_fields[] = {
	{"kind", FIELD_ENUM, true, 0, 0, account_kinds},
	{"text", FIELD_STRING, false, 1, 4000, NULL},
	{"account_on", FIELD_DATE, true, 0, 0, NULL},
};
static const struct field_rule assessment_fields[] = {
	{"facts", FIELD_STRING, true, 1, 4000, NULL},
	{"alternatives", FIELD_STRING, true, 1, 4000, NULL},
	{"recommended_response", FIELD_STRING, true, 1, 40, NULL},
};
static const struct field_rule countersignature_fields[] = {
	{"decision", FIELD_ENUM, true, 0, 0, countersign_decisions},
	{"note", FIELD_STRING, false, 1, 2000, NULL},
};
static const struct field_rule referral_fields[] = {
	{"authority", FIELD_STRING, true, 1, 200, NULL},
	{"note", FIELD_STRING, false, 1, 2000, NULL},
};
static const struct field_rule closure_fields[] = {
	{"response", FIELD_STRING, false, 1, 40, NULL},
	{"reasons", FIELD_STRING, true, 1, 2000, NULL},
};
static const struct field_rule decision_fields[] = {
	{"outcome", FIELD_ENUM, true, 0, 0, decision_outcomes},
	{"reasons", FIELD_STRING, true, 1, 4000, NULL},
	{"alternatives_considered", FIELD_STRING, true, 1, 4000, NULL},
	{"authority_reference", FIELD_STRING, true, 1, 100, NULL},
	{"decided_on", FIELD_DATE, true, 0, 0, NULL},
	{"appeal_route", FIELD_STRING, true, 1, 1000, NULL},
	{"appeal_deadline_on", FIELD_DATE, false, 0, 0, NULL},
};
static const struct field_rule appeal_fields[] = {
	{"appealed_on", FIELD_DATE, true, 0, 0, NULL},
	{"by", FIELD_ENUM, true, 0, 0, appeal_parties},
	{"grounds", FIELD_STRING, true, 1, 4000, NULL},
};
static const struct field_rule appeal_decision_fields[] = {
	{"outcome", FIELD_ENUM, true, 0, 0, appeal_outcomes},
	{"decided_on", FIELD_DATE, true, 0, 0, NULL},
	{"reasons", FIELD_STRING, true, 1, 4000, NULL},
};
static const struct field_rule withdrawal_fields[] = {
	{"reason", FIELD_STRING, true, 1, 2000, NULL},
};

#define FIELDS(a) (a), NRULES(a)

const struct breach_transition breach_transitions[] = {
	{"notification", S_REPORTED, "notified", "breaches.write", FIELDS(notification_fields),
	 "notified_on,method,language", "Notify the person of the allegation",
	 "The person is notified once, while the allegation is reported."},
	{"account", S_NOTIFIED, "account_recorded", "breaches.write", FIELDS(account_fields), "kind,account_on",
	 "Record the person's account",
	 "The person must be notified of the allegation before their account is recorded."},
	{"assessment", S_ACCOUNT, "assessed", "breaches.write", FIELDS(assessment_fields),
	 "facts,alternatives,recommended_response", "Assess the facts, the alternatives and the response",
	 "The person's account (or that they declined, or gave none by the deadline) must be recorded before the "
	 "officer's assessment."},
	{"countersignature", S_ASSESSED, "countersigned", "breaches.countersign", FIELDS(countersignature_fields),
	 "decision", "Countersign or return the officer's assessment",
	 "The officer must assess the allegation before a unit head countersigns or returns the assessment."},
	{"referral", S_COUNTERSIGNED, "referred", "breaches.write", FIELDS(referral_fields), "authority",
	 "Refer the allegation to the competent authority",
	 "A unit head must countersign the assessment before the allegation is referred."},
	{"closure", S_COUNTERSIGNED, "closed", "breaches.write", FIELDS(closure_fields), "reasons",
	 "Close the allegation with the service's own response",
	 "A unit head must countersign the assessment before the allegation is closed."},
	{"decision", S_REFERRED, "decided", "breaches.decide", FIELDS(decision_fields),
	 "outcome,reasons,alternatives_considered,authority_reference,decided_on,appeal_route",
	 "Decide the allegation as the competent authority",
	 "The allegation must be referred to the competent authority before it is decided."},
	{"appeal", S_DECIDED, "appealed", "breaches.write", FIELDS(appeal_fields), "appealed_on,by,grounds",
	 "Record an appeal against the decision",
	 "The competent authority must decide the allegation before an appeal is recorded."},
	{"appeal-decision", S_APPEALED, "appeal_decided", "breaches.decide", FIELDS(appeal_decision_fields),
	 "outcome,decided_on,reasons", "Record the outcome of the appeal",
	 "An appeal must be lodged before its outcome is recorded."},
	{"withdrawal", S_REPORTED | S_NOTIFIED | S_ACCOUNT | S_ASSESSED | S_COUNTERSIGNED | S_REFERRED, "withdrawn",
	 "breaches.write", FIELDS(withdrawal_fields), "reason", "Withdraw the allegation",
	 "Only an allegation not yet decided, closed or withdrawn can be withdrawn."},
};
const size_t breach_ntransitions = sizeof breach_transitions / sizeof breach_transitions[0];

const struct breach_transition *breach_transition_find(const char *action)
{
	for (size_t i = 0; action && i < breach_ntransitions; i++)
		if (strcmp(breach_transitions[i].action, action) == 0)
			return &breach_transitions[i];
	return NULL;
}

bool breach_transition_allows(const struct breach_transition *t, const char *state)
{
	int i = breach_state_index(state);
	return t && i >= 0 && (t->from & (1u << i)) != 0;
}

/* ---- the body --------------------------------------------------------------------------- */

/* A valid date member, or NULL (absent or already reported by the field rules). */
static const char *date_of(const json_t *b, const char *name)
{
	const char *s = json_str(b, name);
	struct civil_date d;
	return s && strlen(s) == 10 && civil_date_parse(s, &d) ? s : NULL;
}

static void not_after(struct field_errors *fe, const json_t *b, const char *name, const char *limit,
                      const char *what)
{
	const char *s = date_of(b, name);
	if (s && limit && strcmp(s, limit) > 0)
		field_error(fe, name, "must not be after %s", what);
}

bool breach_body_validate(const char *action, const json_t *body, const char *today, struct field_errors *fe)
{
	const struct breach_transition *t = breach_transition_find(action);
	if (!t) {
		field_error(fe, "action", "is not a transition of a breach allegation");
		return false;
	}
	validate_object(body, t->fields, t->nfields, fe);
	if (!json_is_object(body))
		return fe->list == NULL;
	/* A required text of blanks only says nothing: it is not on file. */
	for (size_t i = 0; i < t->nfields; i++) {
		const json_t *v = json_object_get(body, t->fields[i].name);
		if (t->fields[i].kind == FIELD_STRING && json_is_string(v) && json_string_length(v) > 0 &&
		    text_blank(json_string_value(v)))
			field_error(fe, t->fields[i].name, "must not be blank");
	}
	if (strcmp(action, "notification") == 0) {
		not_after(fe, body, "notified_on", today, "today");
		const char *on = date_of(body, "notified_on"), *due = date_of(body, "account_due_on");
		if (on && due && strcmp(due, on) < 0)
			field_error(fe, "account_due_on", "must not be before notified_on");
	} else if (strcmp(action, "account") == 0) {
		not_after(fe, body, "account_on", today, "today");
		const char *kind = json_str(body, "kind");
		if (kind && strcmp(kind, "given") == 0 && !json_str(body, "text"))
			field_error(fe, "text", "is required when the person gave an account");
		if (kind && strcmp(kind, "given") != 0 && json_str(body, "text"))
			field_error(fe, "text", "must be absent unless the person gave an account");
	} else if (strcmp(action, "countersignature") == 0) {
		const char *decision = json_str(body, "decision");
		if (decision && strcmp(decision, "return") == 0 && !json_str(body, "note"))
			field_error(fe, "note", "is required when the assessment is returned");
	} else if (strcmp(action, "decision") == 0) {
		not_after(fe, body, "decided_on", today, "today");
		const char *on = date_of(body, "decided_on"), *deadline = date_of(body, "appeal_deadline_on");
		if (on && deadline && strcmp(deadline, on) < 0)
			field_error(fe, "appeal_deadline_on", "must not be before decided_on");
	} else if (strcmp(action, "appeal") == 0) {
		not_after(fe, body, "appealed_on", today, "today");
	} else if (strcmp(action, "appeal-decision") == 0) {
		not_after(fe, body, "decided_on", today, "today");
	}
	return fe->list == NULL;
}

/* ---- what comes next ---------------------------------------------------------------------- */

static void next_add(struct breach_next *n, const char *action)
{
	if (n->nactions < sizeof n->actions / sizeof n->actions[0])
		n->actions[n->nactions++] = action;
}

void breach_next(const char *state, bool needs_authority, const char *account_due_on, const char *appeal_deadline_on,
                 const char *today, struct breach_next *n)
{
	memset(n, 0, sizeof *n);
	/* The actions the table allows from this state; countersigned goes one way only, by the response. */
	for (size_t i = 0; i < breach_ntransitions; i++) {
		const struct breach_transition *t = &breach_transitions[i];
		if (!breach_transition_allows(t, state))
			continue;
		if (strcmp(t->action, "referral") == 0 && !needs_authority)
			continue;
		if (strcmp(t->action, "closure") == 0 && needs_authority)
			continue;
		if (strcmp(t->action, "appeal") == 0 && appeal_deadline_on && today && strcmp(today, appeal_deadline_on) > 0)
			continue;
		next_add(n, t->action);
	}
	n->step = n->nactions && strcmp(n->actions[0], "withdrawal") != 0 ? n->actions[0] : NULL;
	const char *s = state ? state : "";
	if (strcmp(s, "reported") == 0)
		snprintf(n->message, sizeof n->message,
		         "Notify the person of the allegation: what is alleged, which conditions, and how and by when "
		         "they may give their account.");
	else if (strcmp(s, "notified") == 0)
		snprintf(n->message, sizeof n->message,
		         "Record the person's account: given, declined, or none given by the deadline (%s).",
		         account_due_on ? account_due_on : "not set");
	else if (strcmp(s, "account_recorded") == 0)
		snprintf(n->message, sizeof n->message,
		         "The officer assesses the allegation: the facts, the alternatives considered and the response "
		         "to recommend.");
	else if (strcmp(s, "assessed") == 0)
		snprintf(n->message, sizeof n->message,
		         "A unit head who did not make the assessment countersigns it or returns it with a note.");
	else if (strcmp(s, "countersigned") == 0)
		snprintf(n->message, sizeof n->message, "%s",
		         needs_authority ? "Refer the allegation to the competent authority: the recommended response "
		                           "needs its decision."
		                         : "Close the allegation with the service's own response (the recommended one "
		                           "or another that needs no authority).");
	else if (strcmp(s, "referred") == 0)
		snprintf(n->message, sizeof n->message,
		         "The competent authority decides, recording the alternatives to custody considered, the appeal "
		         "route and its deadline.");
	else if (strcmp(s, "decided") == 0 && n->step)
		snprintf(n->message, sizeof n->message, "The decision may be appealed until %s.",
		         appeal_deadline_on ? appeal_deadline_on : "the deadline");
	else if (strcmp(s, "decided") == 0)
		snprintf(n->message, sizeof n->message, "The decision stands: the appeal deadline (%s) has passed.",
		         appeal_deadline_on ? appeal_deadline_on : "none");
	else if (strcmp(s, "appealed") == 0)
		snprintf(n->message, sizeof n->message, "Record the outcome of the appeal.");
	else if (strcmp(s, "appeal_decided") == 0)
		snprintf(n->message, sizeof n->message, "Nothing more: the appeal has been decided.");
	else if (strcmp(s, "closed") == 0)
		snprintf(n->message, sizeof n->message, "Nothing more: the allegation was closed with a response.");
	else if (strcmp(s, "withdrawn") == 0)
		snprintf(n->message, sizeof n->message, "Nothing more: the allegation was withdrawn.");
}

/* ---- applying a transition -------------------------------------------------------------- */

enum db_status breach_move(db *conn, const struct breach_move *m, int64_t now)
{
	const struct breach_transition *t = breach_transition_find(m->action);
	const char *to = m->to ? m->to : t ? t->to : NULL;
	if (!t || breach_state_index(to) < 0 || !breach_transition_allows(t, m->from))
		return DB_MISUSE;
	struct buf sql = {0};
	buf_puts(&sql, "UPDATE breach SET state = ?");
	for (size_t i = 0; i < m->nset; i++)
		buf_printf(&sql, ", %s = ?", m->set[i].column);
	buf_puts(&sql, ", updated_at = ?, version = version + 1 WHERE id = ? AND state = ? AND version = ?");
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn, sql.data, &st);
	buf_free(&sql);
	int k = 1;
	if (rc == DB_OK)
		rc = db_bind_text(st, k++, to, SIZE_MAX);
	for (size_t i = 0; rc == DB_OK && i < m->nset; i++)
		rc = m->set[i].is_integer ? db_bind_int64(st, k++, m->set[i].integer)
		                          : db_bind_text(st, k++, m->set[i].text, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_int64(st, k++, now);
	if (rc == DB_OK)
		rc = db_bind_text(st, k++, m->breach_id, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_text(st, k++, m->from, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_int64(st, k++, m->version);
	if (rc == DB_OK)
		rc = db_step(st);
	int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc == DB_ROW ? DB_MISUSE : rc;
	if (changed != 1)
		return DB_DONE;
	char event[UUID_STR_LEN];
	uuid_v7(event);
	const char *detail = m->detail ? m->detail : "{}";
	const char *action = m->event ? m->event : m->action;
	rc = db_run(conn, NULL,
	            "INSERT INTO breach_event (id, breach_id, at, actor_id, action, from_state, to_state, reason, detail)"
	            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	            "ttittttt" "t", event, m->breach_id, now, m->actor_id, action, m->from, to, m->reason, detail);
	if (rc != DB_OK)
		return rc;
	bool returned = strcmp(m->action, "countersignature") == 0 && strcmp(to, "account_recorded") == 0;
	char kind[40], summary[160];
	snprintf(kind, sizeof kind, "breach.%s", returned ? "returned" : to);
	snprintf(summary, sizeof summary, "Breach allegation: %s (%s -> %s)", action, m->from, to);
	return case_event_add(conn, m->case_id, now, kind, m->actor_id, summary, detail, "breach", m->breach_id);
}
