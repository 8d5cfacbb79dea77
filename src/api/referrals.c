/*
 * referrals.c — referrals of cases to programmes (issue 9; S10, S15, S16).
 *
 * A referral moves through the status table kept as data (referral_status,
 * referral_transition, referral_reason): a move is allowed when a row names
 * the current status, the target and one of the caller's roles; a move that
 * needs a reason takes a code of referral_reason for its target, one that
 * needs a place counts the programme's referrals holding one, one that needs
 * a report finds it on file.
 *
 * Who reaches a referral: when the caller is a provider's user (holds
 * referrals.provide) or belongs to the referral's partner agency, the
 * partner rule alone decides (their agency is the partner agency and the
 * share runs until today or later) and they see the person only through the
 * shared fields; anything else answers 404, logged as a denial. Everyone
 * else reaches it through its case (scope_case; scope_may_change for
 * changes). Every partner read and change is logged with the share as its
 * basis; making or changing a share is logged as a disclosure to the partner
 * agency.
 *
 * Body kinds (referrals_body_validate): "referral" (POST /cases/{id}/referrals),
 * "move" (POST /referrals/{id}/transitions), "share" (PUT /referrals/{id}/share),
 * "progress_note" (POST /referrals/{id}/progress-notes), "report" (PUT /referrals/{id}/report).
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
#include "domain/pretrial.h"
#include "domain/referrals.h"

#define SHARE_FIELDS_MAX 8
#define PARTNER_PURPOSE "supervision"

static const char *const outcomes[] = {"achieved", "partly_achieved", "not_achieved", NULL};

/* ---- bodies ---------------------------------------------------------------------------- */

static const struct field_rule referral_rules[] = {
	{"programme_id", FIELD_UUID, true, 0, 0, NULL},
	{"reason", FIELD_STRING, true, 10, 2000, NULL},
	{"shared_fields", FIELD_ARRAY, true, 0, SHARE_FIELDS_MAX, NULL},
	{"share_until", FIELD_DATE, true, 0, 0, NULL},
};

static const struct field_rule move_rules[] = {
	{"to", FIELD_STRING, true, 1, 32, NULL},
	{"reason_code", FIELD_STRING, false, 1, 64, NULL},
	{"note", FIELD_STRING, false, 0, 2000, NULL},
};

static const struct field_rule share_rules[] = {
	{"shared_fields", FIELD_ARRAY, true, 0, SHARE_FIELDS_MAX, NULL},
	{"share_until", FIELD_DATE, true, 0, 0, NULL},
};

static const struct field_rule note_rules[] = {
	{"written_on", FIELD_DATE, true, 0, 0, NULL},
	{"text", FIELD_STRING, true, 3, 4000, NULL},
};

static const struct field_rule report_rules[] = {
	{"outcome", FIELD_ENUM, true, 0, 0, outcomes},
	{"report", FIELD_STRING, true, 10, 8000, NULL},
};

/* Each shared field a known name, named once; errors name shared_fields[i]. */
static void shared_fields_check(const json_t *fields, struct field_errors *fe)
{
	if (!json_is_array(fields) || json_array_size(fields) > SHARE_FIELDS_MAX)
		return; /* the rule reported it */
	size_t i;
	const json_t *f;
	json_array_foreach(fields, i, f) {
		char name[48];
		snprintf(name, sizeof name, "shared_fields[%zu]", i);
		if (!json_is_string(f)) {
			field_error(fe, name, "must be a field name");
			continue;
		}
		if (!referral_share_field_known(json_string_value(f))) {
			field_error(fe, name, "must be one of: name, birth_date, sex, languages, phone, address, officer, needs");
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (json_equal(json_array_get(fields, j), f)) {
				field_error(fe, name, "is named twice");
				break;
			}
		}
	}
}

/* share_until: after today (a new referral) or today or later (a change). */
static void share_until_check(const json_t *b, const char *today, bool today_allowed, struct field_errors *fe)
{
	const char *until = json_str(b, "share_until");
	struct civil_date d;
	if (!today || !until || !civil_date_parse(until, &d))
		return;
	int cmp = strcmp(until, today);
	if (cmp < 0 || (cmp == 0 && !today_allowed))
		field_error(fe, "share_until", today_allowed ? "must not be in the past" : "must be after today");
}

bool referrals_body_validate(const char *kind, const json_t *b, const char *today, struct field_errors *fe)
{
	if (!kind) {
		field_error(fe, "body", "unknown body");
	} else if (strcmp(kind, "referral") == 0) {
		validate_object(b, referral_rules, NRULES(referral_rules), fe);
		if (json_is_object(b)) {
			shared_fields_check(json_object_get(b, "shared_fields"), fe);
			share_until_check(b, today, false, fe);
			const char *reason = json_str(b, "reason");
			if (reason && text_blank(reason))
				field_error(fe, "reason", "must not be blank");
		}
	} else if (strcmp(kind, "move") == 0) {
		validate_object(b, move_rules, NRULES(move_rules), fe);
	} else if (strcmp(kind, "share") == 0) {
		validate_object(b, share_rules, NRULES(share_rules), fe);
		if (json_is_object(b)) {
			shared_fields_check(json_object_get(b, "shared_fields"), fe);
			share_until_check(b, today, true, fe);
		}
	} else if (strcmp(kind, "progress_note") == 0) {
		validate_object(b, note_rules, NRULES(note_rules), fe);
		if (json_is_object(b)) {
			if (today)
				validate_not_future(b, "written_on", NULL, today, fe);
			const char *text = json_str(b, "text");
			if (text && text_blank(text))
				field_error(fe, "text", "must not be blank");
		}
	} else if (strcmp(kind, "report") == 0) {
		validate_object(b, report_rules, NRULES(report_rules), fe);
		if (json_is_object(b)) {
			const char *report = json_str(b, "report");
			if (report && text_blank(report))
				field_error(fe, "report", "must not be blank");
		}
	} else {
		field_error(fe, "body", "unknown body");
	}
	return fe->list == NULL;
}

/* ---- the stored referral and who reaches it -------------------------------------------- */

/* What the handlers need of a referral. */
struct referral_row {
	char id[UUID_STR_LEN];
	char case_id[UUID_STR_LEN];
	char programme_id[UUID_STR_LEN];
	char partner_agency_id[UUID_STR_LEN];
	char partner_name[256];
	bool partner_is_partner; /* the partner agency is of kind partner */
	char status[33];
	char share_until[11];
	char shared[200];  /* the shared field names, comma-separated, for the log's basis */
	int64_t version;
	bool has_report;
};

/* How the caller reached a referral. */
struct referral_access {
	bool partner;              /* as its provider: the partner rule (no case scope) */
	bool may_change;           /* partner, or staff with the case in their units or a grant */
	struct record_scope scope; /* staff: how the case was reached */
};

static const char *text_of(const json_t *row, const char *name)
{
	const char *s = json_string_value(json_object_get(row, name));
	return s ? s : "";
}

/* names: the JSON text of shared_fields; out: "name,phone" ("none" when empty). */
static void shared_names(const char *names, char *out, size_t size)
{
	json_t *a = json_loads(names ? names : "[]", 0, NULL);
	size_t i, len = 0;
	json_t *f;
	out[0] = '\0';
	json_array_foreach(a, i, f) {
		if (json_is_string(f) && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "," : "", json_string_value(f));
	}
	json_decref(a);
	if (!out[0])
		snprintf(out, size, "none");
}

/* Loads a referral; false after answering (404, 500). */
static bool referral_load(struct http_request *req, struct http_response *resp, const char *id,
                          struct referral_row *r)
{
	memset(r, 0, sizeof *r);
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT r.id, r.case_id, r.programme_id, r.partner_agency_id, ag.name AS partner_name, ag.kind AS agency_kind,"
		" r.status,"
		" r.share_until AS share_until_, r.shared_fields, r.version, CASE WHEN r.report IS NULL THEN 0 ELSE 1 END AS has_report"
		" FROM referral r JOIN agency ag ON ag.id = r.partner_agency_id WHERE r.id = ?",
		"t", uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a referral");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "referral");
		}
		return false;
	}
#define COPY(field) snprintf(r->field, sizeof r->field, "%s", text_of(row, #field))
	COPY(id);
	COPY(case_id);
	COPY(programme_id);
	COPY(partner_agency_id);
	COPY(partner_name);
	COPY(status);
#undef COPY
	/* Aliased: api_row_json reads a column named *_until as an instant. */
	snprintf(r->share_until, sizeof r->share_until, "%s", text_of(row, "share_until_"));
	shared_names(text_of(row, "shared_fields"), r->shared, sizeof r->shared);
	r->version = json_integer_value(json_object_get(row, "version"));
	r->has_report = json_integer_value(json_object_get(row, "has_report")) != 0;
	r->partner_is_partner = strcmp(text_of(row, "agency_kind"), "partner") == 0;
	json_decref(row);
	return true;
}

/*
 * True when the caller is to be judged by the partner rule for the referral: a provider's user, or a member of
 * the referral's partner agency when that agency is a partner organisation (staff of an agency of another kind
 * are never judged as its provider: they reach the referral through its case).
 */
static bool partner_mode(const struct principal *p, const struct referral_row *r)
{
	return policy_has(p, "referrals.provide") ||
	       (r->partner_is_partner && strcmp(p->agency_id, r->partner_agency_id) == 0);
}

/*
 * Whether the caller speaks for a partner organisation: holds referrals.provide or belongs to an agency of kind
 * partner. Such a caller never reaches a case, and its lists follow the partner rule. False after answering 500.
 */
static bool caller_is_partner(struct http_request *req, struct http_response *resp, bool *partner_r)
{
	const struct principal *p = &req->principal;
	*partner_r = policy_has(p, "referrals.provide");
	if (*partner_r || !p->agency_id[0])
		return true;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT kind FROM agency WHERE id = ?", "t", p->agency_id);
	if (failed) {
		api_db_failed(req, resp, "reading the caller's agency");
		return false;
	}
	*partner_r = strcmp(text_of(row, "kind"), "partner") == 0;
	json_decref(row);
	return true;
}

/* The partner rule or the case's scope; false after answering (404 logged, 403, 500). */
static bool referral_reach(struct http_request *req, struct http_response *resp, const struct referral_row *r,
                           const char *today, struct referral_access *a)
{
	memset(a, 0, sizeof *a);
	const struct principal *p = &req->principal;
	if (partner_mode(p, r)) {
		if (referral_partner_reaches(p, r->partner_agency_id, r->share_until, today)) {
			a->partner = a->may_change = true;
			return true;
		}
		const char *why = strcmp(p->agency_id, r->partner_agency_id) != 0 ? "referral of another agency"
		                  : !policy_has(p, "referrals.provide")          ? "not a provider's user"
		                                                                 : "share expired";
		db_rollback(req->db);
		api_audit_denied(req, "referral", r->id, why);
		api_not_found(req, resp, "referral");
		return false;
	}
	if (!scope_case(req, resp, r->case_id, &a->scope))
		return false;
	a->may_change = a->scope.access == UNIT_ACCESS_OWN || a->scope.access == UNIT_ACCESS_GRANTED;
	return true;
}

/* Logs a partner's action on a referral with the share as its basis. */
static bool partner_audit(struct http_request *req, const struct referral_row *r, const char *action,
                          const char *record_type, const char *record_id, const char *detail)
{
	char *why = xasprintf("referral share until %s: %s", r->share_until, r->shared);
	bool ok = api_audit_why(req, action, record_type, record_id, AUDIT_OUTCOME_SUCCESS, detail, PARTNER_PURPOSE, why);
	free(why);
	return ok;
}

/* Logs an action on a referral by whoever reached it. */
static bool referral_audit(struct http_request *req, const struct referral_row *r, const struct referral_access *a,
                           const char *action, const char *record_type, const char *record_id)
{
	if (a->partner)
		return partner_audit(req, r, action, record_type, record_id, r->id);
	return scope_audit(req, &a->scope, action, record_type, record_id, r->case_id);
}

static void stale(struct http_request *req, struct http_response *resp)
{
	db_rollback(req->db);
	http_problem(resp, req, 412, "precondition-failed", "The record has changed",
	             "Someone changed this referral since you read it; read it again.", NULL);
}

/* ---- the caller's moves -------------------------------------------------------------- */

/* The moves the caller's roles allow, whatever the status: [{from, to, needs_reason, needs}]; NULL on error. */
static json_t *caller_transitions(db *conn, const char *account_id)
{
	json_t *rows = api_select(conn,
		"SELECT t.from_status AS from_, t.to_status AS to_, MAX(t.needs_reason) AS needs_reason, MAX(t.needs) AS needs"
		" FROM referral_transition t JOIN account_role ar ON ar.role = t.role WHERE ar.account_id = ?"
		" GROUP BY t.from_status, t.to_status ORDER BY t.from_status, t.to_status", "t", account_id);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		json_object_set_new(row, "needs_reason", json_boolean(json_integer_value(json_object_get(row, "needs_reason"))));
	}
	return rows;
}

/* The moves from status: [{to, needs_reason, needs}] (a new array). */
static json_t *moves_from(const json_t *transitions, const char *status)
{
	json_t *out = json_array();
	size_t i;
	const json_t *t;
	json_array_foreach(transitions, i, t) {
		if (strcmp(text_of(t, "from_"), status) == 0)
			json_array_append_new(out, json_pack("{s:O, s:O, s:O}", "to", json_object_get(t, "to_"), "needs_reason",
			                                     json_object_get(t, "needs_reason"), "needs",
			                                     json_object_get(t, "needs")));
	}
	return out;
}

/* ---- a referral as JSON -------------------------------------------------------------- */

#define REFERRAL_COLUMNS \
	"SELECT r.id, r.case_id, c.number AS case_number," \
	" " PERSON_NAME_SQL("p") " AS person_name," \
	" r.programme_id, pg.name AS programme_name, pg.type AS programme_type, r.partner_agency_id," \
	" ag.name AS partner_name, r.status, r.reason, r.shared_fields, r.share_until AS share_until_, r.referred_on, r.referred_by," \
	" ra.display_name AS referred_by_name, r.status_at, r.outcome, r.report, r.report_on, r.version," \
	" (SELECT COUNT(*) FROM referral_attendance x WHERE x.referral_id = r.id AND x.status = 'present') AS present_," \
	" (SELECT COUNT(*) FROM referral_attendance x WHERE x.referral_id = r.id AND x.status = 'late') AS late_," \
	" (SELECT COUNT(*) FROM referral_attendance x WHERE x.referral_id = r.id AND x.status = 'absent') AS absent_"
#define REFERRAL_FROM \
	" FROM referral r JOIN case_file c ON c.id = r.case_id JOIN person p ON p.id = c.person_id" \
	" JOIN programme pg ON pg.id = r.programme_id JOIN agency ag ON ag.id = r.partner_agency_id" \
	" JOIN account ra ON ra.id = r.referred_by"

/*
 * Completes a row of REFERRAL_COLUMNS: shared_fields as an array, share_live and the caller's
 * moves (none unless may_move); for a partner, the person's shared view replaces every case and person link.
 * False on a database error.
 */
static bool referral_fill(db *conn, json_t *row, const char *today, bool partner, bool may_move,
                          const json_t *transitions)
{
	json_t *fields = json_loads(text_of(row, "shared_fields"), 0, NULL);
	if (!json_is_array(fields)) {
		json_decref(fields);
		fields = json_array();
	}
	json_object_set_new(row, "shared_fields", fields);
	json_object_set(row, "share_until", json_object_get(row, "share_until_"));
	json_object_del(row, "share_until_");
	json_object_set_new(row, "share_live", json_boolean(strcmp(today, text_of(row, "share_until")) <= 0));
	/* Sessions so far, so that a list shows attendance without reading each referral. */
	json_object_set_new(row, "attendance_counts",
	                    json_pack("{s:O, s:O, s:O}", "present", json_object_get(row, "present_"), "late",
	                              json_object_get(row, "late_"), "absent", json_object_get(row, "absent_")));
	json_object_del(row, "present_");
	json_object_del(row, "late_");
	json_object_del(row, "absent_");
	json_object_set_new(row, "moves", may_move ? moves_from(transitions, text_of(row, "status")) : json_array());
	if (partner) {
		json_t *person = referral_shared_person(conn, text_of(row, "case_id"), fields);
		if (!person)
			return false;
		json_object_set_new(row, "person", person);
		json_object_del(row, "case_id");
		json_object_del(row, "person_name");
		json_object_del(row, "referred_by");
	}
	return true;
}

/*
 * Adds events, attendance and progress notes to a referral; false on a database error. For a partner
 * (partner_agency not NULL) the notes staff wrote with their moves are left out: they were written for the case
 * record, not for the provider, and may say more than the share does.
 */
static bool referral_detail(db *conn, json_t *row, const char *partner_agency)
{
	const char *id = text_of(row, "id");
	json_t *events = api_select(conn,
		"SELECT e.at, a.display_name AS actor_name, e.from_status AS \"from\", e.to_status AS \"to\", e.reason_code,"
		" CASE WHEN CAST(? AS TEXT) IS NULL OR a.agency_id = ? THEN e.note END AS note"
		" FROM referral_event e LEFT JOIN account a ON a.id = e.actor_id WHERE e.referral_id = ?"
		" ORDER BY e.at, e.id", "ttt", partner_agency, partner_agency, id);
	json_t *attendance = api_select(conn,
		"SELECT session_on, status, absence_reason FROM referral_attendance WHERE referral_id = ?"
		" ORDER BY session_on", "t", id);
	json_t *notes = api_select(conn,
		"SELECT n.id, n.written_on, n.text, a.display_name AS author_name FROM referral_progress_note n"
		" JOIN account a ON a.id = n.author_id WHERE n.referral_id = ? ORDER BY n.written_on, n.created_at, n.id",
		"t", id);
	if (!events || !attendance || !notes) {
		json_decref(events);
		json_decref(attendance);
		json_decref(notes);
		return false;
	}
	/* Instants as RFC 3339 text, like every *_at of the API ("at" alone is not one api_row_json knows). */
	size_t i;
	json_t *e;
	json_array_foreach(events, i, e) {
		char at[32];
		clock_format_rfc3339(json_integer_value(json_object_get(e, "at")), at);
		json_object_set_new(e, "at", json_string(at));
	}
	json_object_set_new(row, "events", events);
	json_object_set_new(row, "attendance", attendance);
	json_object_set_new(row, "progress_notes", notes);
	return true;
}

/* One referral, whole, as the caller may see it; NULL on a database error. */
static json_t *referral_json(struct http_request *req, const char *id, const char *today,
                             const struct referral_access *a)
{
	json_t *transitions = caller_transitions(req->db, req->principal.account_id);
	json_t *rows = transitions ? api_select(req->db, REFERRAL_COLUMNS REFERRAL_FROM " WHERE r.id = ?", "t", id) : NULL;
	json_t *row = json_array_size(rows) == 1 ? json_incref(json_array_get(rows, 0)) : NULL;
	json_decref(rows);
	bool ok = row && referral_fill(req->db, row, today, a->partner, a->may_change, transitions) &&
	          referral_detail(req->db, row, a->partner ? req->principal.agency_id : NULL);
	json_decref(transitions);
	if (!ok) {
		json_decref(row);
		return NULL;
	}
	return row;
}

/* Reads the referral (a partner's read logged with the share), commits and answers it with its ETag. */
static void referral_answer(struct http_request *req, struct http_response *resp, const struct referral_row *r,
                            const struct referral_access *a, const char *today, int status)
{
	json_t *v = referral_json(req, r->id, today, a);
	if (!v || (a->partner && !partner_audit(req, r, AUDIT_CONSULT, "referral", r->id, "shared view"))) {
		json_decref(v);
		api_db_failed(req, resp, "reading a referral");
		return;
	}
	api_commit_send(req, resp, status, v);
}

/* Fills rows (a list) and logs each partner read with its own share; false on a database error. */
static bool rows_fill(struct http_request *req, json_t *rows, const char *today, bool partner, bool may_move)
{
	json_t *transitions = caller_transitions(req->db, req->principal.account_id);
	if (!transitions)
		return false;
	size_t i;
	json_t *row;
	bool ok = true;
	json_array_foreach(rows, i, row) {
		struct referral_row r = {0};
		snprintf(r.id, sizeof r.id, "%s", text_of(row, "id"));
		snprintf(r.share_until, sizeof r.share_until, "%s", text_of(row, "share_until_"));
		shared_names(text_of(row, "shared_fields"), r.shared, sizeof r.shared);
		if (!(ok = referral_fill(req->db, row, today, partner, may_move, transitions)))
			break;
		if (partner && !(ok = partner_audit(req, &r, AUDIT_CONSULT, "referral", r.id, "list")))
			break;
	}
	json_decref(transitions);
	return ok;
}

/* ---- reference --------------------------------------------------------------------------- */

void api_referral_statuses(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	json_t *statuses = api_select(req->db,
		"SELECT code, position, is_terminal AS terminal_, holds_place, label_ky, label_ru, label_en"
		" FROM referral_status ORDER BY position, code", "");
	json_t *transitions = api_select(req->db,
		"SELECT t.from_status AS \"from\", t.to_status AS \"to\", t.role, t.needs_reason, t.needs"
		" FROM referral_transition t JOIN referral_status s ON s.code = t.from_status"
		" JOIN referral_status d ON d.code = t.to_status ORDER BY s.position, d.position, t.role", "");
	json_t *reasons = api_select(req->db,
		"SELECT r.code, r.to_status, r.label_ky, r.label_ru, r.label_en FROM referral_reason r"
		" JOIN referral_status s ON s.code = r.to_status ORDER BY s.position, r.position, r.code", "");
	if (!statuses || !transitions || !reasons) {
		json_decref(statuses);
		json_decref(transitions);
		json_decref(reasons);
		api_db_failed(req, resp, "reading the referral status table");
		return;
	}
	size_t i;
	json_t *row;
	json_array_foreach(statuses, i, row) {
		json_object_set_new(row, "is_terminal", json_boolean(json_integer_value(json_object_get(row, "terminal_"))));
		json_object_del(row, "terminal_");
		json_object_set_new(row, "holds_place", json_boolean(json_integer_value(json_object_get(row, "holds_place"))));
		api_texts_fold(row, "label", "label");
	}
	json_array_foreach(transitions, i, row) {
		json_object_set_new(row, "needs_reason", json_boolean(json_integer_value(json_object_get(row, "needs_reason"))));
	}
	json_array_foreach(reasons, i, row) {
		api_texts_fold(row, "label", "label");
	}
	json_t *fields = json_array();
	for (const char *const *f = referral_share_fields; *f; f++)
		json_array_append_new(fields, json_string(*f));
	if (!api_commit(req, resp)) {
		json_decref(statuses);
		json_decref(transitions);
		json_decref(reasons);
		json_decref(fields);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:o, s:o, s:o}", "statuses", statuses, "transitions", transitions,
	                                        "reasons", reasons, "share_fields", fields));
}

/* ---- lists ------------------------------------------------------------------------------- */

void api_case_referrals(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct record_scope s;
	char today[11];
	bool partner = false;
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today) || !caller_is_partner(req, resp, &partner))
		return;
	if (partner) {
		/* A partner never reaches a case, not even through a grant: every case is unknown to it (no 403 that
		 * would tell an existing case from an unknown one). */
		db_rollback(req->db);
		api_audit_denied(req, "case", uuid_valid(case_id) ? case_id : NULL, "a partner never reaches a case");
		api_not_found(req, resp, "case");
		return;
	}
	if (!scope_case(req, resp, case_id, &s))
		return;
	bool may_move = s.access == UNIT_ACCESS_OWN || s.access == UNIT_ACCESS_GRANTED;
	json_t *rows = api_select(req->db, REFERRAL_COLUMNS REFERRAL_FROM
	                          " WHERE r.case_id = ? ORDER BY r.referred_on DESC, r.created_at DESC, r.id", "t", case_id);
	if (!rows || !rows_fill(req, rows, today, false, may_move) ||
	    !scope_audit(req, &s, AUDIT_CONSULT, "case_referrals", case_id, NULL)) {
		json_decref(rows);
		api_db_failed(req, resp, "reading a case's referrals");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", rows));
}

void api_referrals_list(struct http_request *req, struct http_response *resp)
{
	const char *status = http_request_query(req, "status"), *programme = http_request_query(req, "programme_id");
	if (status && !*status)
		status = NULL;
	if (programme && !*programme)
		programme = NULL;
	struct field_errors fe = {0};
	if (status && (strlen(status) > 32))
		field_error(&fe, "status", "must be a referral status");
	if (programme && !uuid_valid(programme))
		field_error(&fe, "programme_id", "must be an id");
	char today[11];
	bool partner = false;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !api_today_date(req, resp, NULL, today) ||
	    !caller_is_partner(req, resp, &partner))
		return;
	const struct principal *p = &req->principal;
	json_t *rows;
	if (partner) {
		rows = api_select(req->db, REFERRAL_COLUMNS REFERRAL_FROM " WHERE " REFERRAL_PARTNER_SQL
			" AND (CAST(? AS TEXT) IS NULL OR r.status = ?) AND (CAST(? AS TEXT) IS NULL OR r.programme_id = ?)"
			" ORDER BY r.status_at DESC, r.id LIMIT 500",
			"tttttt", p->agency_id, today, status, status, programme, programme);
	} else {
		rows = api_select(req->db, REACH_CTE " " REFERRAL_COLUMNS REFERRAL_FROM
			" WHERE (c.unit_id IN (SELECT id FROM reach) OR c.id IN (SELECT case_id FROM release_plan"
			"  WHERE status IN " RELEASE_PLAN_LIVE " AND receiving_unit_id IN (SELECT id FROM reach)))"
			" AND (CAST(? AS TEXT) IS NULL OR r.status = ?) AND (CAST(? AS TEXT) IS NULL OR r.programme_id = ?)"
			" ORDER BY r.status_at DESC, r.id LIMIT 500",
			"ttitttt", p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), status, status, programme,
			programme);
	}
	bool ok = rows && rows_fill(req, rows, today, partner, true) &&
	          (partner || api_audit_list(req, "referral", rows, NULL));
	if (!ok) {
		json_decref(rows);
		api_db_failed(req, resp, "listing referrals");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", rows));
}

void api_referral_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	char today[11];
	struct referral_row r;
	struct referral_access a;
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today) || !referral_load(req, resp, id, &r) ||
	    !referral_reach(req, resp, &r, today, &a))
		return;
	if (!a.partner && !scope_audit(req, &a.scope, AUDIT_CONSULT, "referral", r.id, r.case_id)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	referral_answer(req, resp, &r, &a, today, 200);
}

/* ---- making a referral and changing its share ---------------------------------------- */

/* today + the setting referrals.share_max_days, as YYYY-MM-DD; false after answering 500. */
static bool share_limit(struct http_request *req, struct http_response *resp, const char *today, char out[11],
                        long *days_r)
{
	struct civil_date d;
	if (setting_number(req->db, "referrals.share_max_days", days_r) != DB_OK ||
	    !civil_date_parse(today, &d)) {
		api_db_failed(req, resp, "reading referrals.share_max_days");
		return false;
	}
	civil_date_format(civil_date_add_days(d, (int)*days_r), out);
	return true;
}

/*
 * Locks a programme's row on PostgreSQL until the transaction ends, so that counts over its referrals (places
 * taken, a case's live referrals to it) hold until this request has written; on SQLite the writer's BEGIN
 * IMMEDIATE already serialises them. False on a database error.
 */
static bool programme_lock(db *conn, const char *programme_id)
{
	if (strcmp(db_driver_of(conn)->dialect, "postgresql") != 0)
		return true;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT id FROM programme WHERE id = ? FOR UPDATE", "t", programme_id);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE;
}

/* The log entry of what a share discloses to the partner agency. */
static bool share_disclose(struct http_request *req, const char *referral_id, const char *case_id,
                           const char *recipient, const char *until, const json_t *fields)
{
	char *text = json_dumps(fields, JSON_COMPACT);
	char names[200];
	shared_names(text, names, sizeof names);
	free(text);
	char *why = xasprintf("referral share until %s: %s", until, names);
	bool ok = api_audit_disclose(req, "referral", referral_id, recipient, why, case_id);
	free(why);
	return ok;
}

void api_referral_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	char today[11], limit[11];
	long max_days = 0;
	struct field_errors fe = {0};
	struct record_scope s;
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	referrals_body_validate("referral", req->json, today, &fe);
	if (api_errors_answer(req, resp, &fe) || !share_limit(req, resp, today, limit, &max_days))
		return;
	const char *until = api_str(req, "share_until");
	if (strcmp(until, limit) > 0) {
		char *message = xasprintf("must be at most %ld days ahead (%s)", max_days, limit);
		api_field_problem(req, resp, "share_until", message);
		free(message);
		return;
	}
	if (!scope_case(req, resp, case_id, &s) || !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.status, "open") != 0) {
		api_conflict(req, resp, "case-not-open", "The case is not open", "Referrals are made on open cases.");
		return;
	}
	const char *programme_id = api_str(req, "programme_id");
	bool failed = !programme_lock(req->db, programme_id);
	json_t *pg = failed ? NULL : api_select_one(req->db, &failed,
		"SELECT pg.status, pg.type, pg.provider_agency_id, ag.name AS provider_name,"
		" (SELECT COUNT(*) FROM referral r JOIN referral_status rs ON rs.code = r.status"
		"  WHERE r.case_id = ? AND r.programme_id = pg.id AND rs.is_terminal = 0) AS live"
		" FROM programme pg JOIN agency ag ON ag.id = pg.provider_agency_id WHERE pg.id = ?",
		"tt", case_id, programme_id);
	if (!pg) {
		if (failed)
			api_db_failed(req, resp, "reading a programme");
		else
			api_field_problem(req, resp, "programme_id", "is not a programme");
		return;
	}
	if (strcmp(text_of(pg, "status"), "open") != 0) {
		json_decref(pg);
		api_conflict(req, resp, "programme-closed", "The programme is closed", "Referrals go to open programmes.");
		return;
	}
	if (json_integer_value(json_object_get(pg, "live")) > 0) {
		json_decref(pg);
		api_conflict(req, resp, "already-referred", "Already referred",
		             "The case already has a referral to this programme that has not ended.");
		return;
	}
	struct referral_row r = {0};
	uuid_v7(r.id);
	snprintf(r.case_id, sizeof r.case_id, "%s", case_id);
	snprintf(r.partner_agency_id, sizeof r.partner_agency_id, "%s", text_of(pg, "provider_agency_id"));
	snprintf(r.partner_name, sizeof r.partner_name, "%s", text_of(pg, "provider_name"));
	const json_t *fields = json_object_get(req->json, "shared_fields");
	char *fields_text = json_dumps(fields, JSON_COMPACT);
	int64_t now = clock_now_ms();
	json_t *detail = json_pack("{s:s, s:s, s:s, s:O, s:s}", "referral_id", r.id, "programme_id", programme_id,
	                           "programme_type", text_of(pg, "type"), "shared_fields", fields, "share_until", until);
	char *detail_text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	char *summary = xasprintf("Referred to a programme (%s)", text_of(pg, "type"));
	char event[UUID_STR_LEN];
	uuid_v7(event);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO referral (id, case_id, programme_id, partner_agency_id, status, reason, shared_fields,"
	                 " share_until, referred_on, referred_by, status_at, created_at, updated_at)"
	                 " VALUES (?, ?, ?, ?, 'referred', ?, ?, ?, ?, ?, ?, ?, ?)",
	                 "ttttttttt" "iii", r.id, case_id, programme_id, r.partner_agency_id, api_str(req, "reason"),
	                 fields_text, until, today, req->principal.account_id, now, now, now) == DB_OK &&
	          db_run(req->db, NULL,
	                 "INSERT INTO referral_event (id, referral_id, at, actor_id, from_status, to_status)"
	                 " VALUES (?, ?, ?, ?, NULL, 'referred')", "ttit", event, r.id, now,
	                 req->principal.account_id) == DB_OK &&
	          case_event_add(req->db, case_id, now, "referral.made", req->principal.account_id, summary, detail_text,
	                         "referral", r.id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "referral", r.id, case_id) &&
	          share_disclose(req, r.id, case_id, r.partner_name, until, fields);
	free(fields_text);
	free(detail_text);
	free(summary);
	json_decref(detail);
	json_decref(pg);
	if (!ok) {
		api_db_failed(req, resp, "making a referral");
		return;
	}
	struct referral_access a = {.partner = false, .may_change = true, .scope = s};
	referral_answer(req, resp, &r, &a, today, 201);
}

void api_referral_share(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	char today[11], limit[11];
	long max_days = 0;
	int64_t version = 0;
	struct field_errors fe = {0};
	referrals_body_validate("share", req->json, NULL, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !api_today_date(req, resp, NULL, today))
		return;
	referrals_body_validate("share", req->json, today, &fe);
	if (api_errors_answer(req, resp, &fe) || !share_limit(req, resp, today, limit, &max_days))
		return;
	const char *until = api_str(req, "share_until");
	if (strcmp(until, limit) > 0) {
		char *message = xasprintf("must be at most %ld days ahead (%s)", max_days, limit);
		api_field_problem(req, resp, "share_until", message);
		free(message);
		return;
	}
	struct referral_row r;
	struct referral_access a;
	if (!referral_load(req, resp, id, &r) || !referral_reach(req, resp, &r, today, &a))
		return;
	if (a.partner) {
		/* The provider never widens its own view. */
		db_rollback(req->db);
		api_audit_denied(req, "referral", r.id, "a provider cannot change a share");
		http_problem(resp, req, 403, "forbidden", "Not permitted", "The referring service sets what is shared.", NULL);
		return;
	}
	if (!scope_may_change(req, resp, &a.scope, "referral", r.id))
		return;
	if (version != r.version) {
		stale(req, resp);
		return;
	}
	const json_t *fields = json_object_get(req->json, "shared_fields");
	char *fields_text = json_dumps(fields, JSON_COMPACT);
	int64_t now = clock_now_ms(), changed = 0;
	json_t *detail = json_pack("{s:s, s:O, s:s, s:s}", "referral_id", r.id, "shared_fields", fields, "share_until",
	                           until, "share_until_before", r.share_until);
	char *detail_text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	bool ok = db_run(req->db, &changed,
	                 "UPDATE referral SET shared_fields = ?, share_until = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND version = ?", "ttiti", fields_text, until, now, r.id, version) == DB_OK;
	if (ok && changed != 1) {
		free(fields_text);
		free(detail_text);
		json_decref(detail);
		stale(req, resp);
		return;
	}
	ok = ok &&
	     case_event_add(req->db, r.case_id, now, "referral.share_changed", req->principal.account_id,
	                    "Referral share changed", detail_text, "referral", r.id) == DB_OK &&
	     scope_audit(req, &a.scope, AUDIT_ALTER, "referral", r.id, r.case_id) &&
	     share_disclose(req, r.id, r.case_id, r.partner_name, until, fields);
	free(fields_text);
	free(detail_text);
	json_decref(detail);
	if (!ok) {
		api_db_failed(req, resp, "changing a referral's share");
		return;
	}
	referral_answer(req, resp, &r, &a, today, 200);
}

/* ---- moves ------------------------------------------------------------------------------- */

/* Places held in the programme now against its places; locks the programme row on PostgreSQL first (on SQLite the
 * writer's BEGIN IMMEDIATE already serialises this count and the update). False on a database error. */
static bool programme_has_place(db *conn, const char *programme_id, const char *except_id, bool *free_r)
{
	*free_r = false;
	if (!programme_lock(conn, programme_id))
		return false;
	bool failed = false;
	json_t *row = api_select_one(conn, &failed,
		"SELECT pg.places, (SELECT COUNT(*) FROM referral r JOIN referral_status rs ON rs.code = r.status"
		"  WHERE r.programme_id = pg.id AND rs.holds_place = 1 AND r.id <> ?) AS taken"
		" FROM programme pg WHERE pg.id = ?", "tt", except_id, programme_id);
	if (!row)
		return false;
	*free_r = json_integer_value(json_object_get(row, "taken")) < json_integer_value(json_object_get(row, "places"));
	json_decref(row);
	return true;
}

/* Answers 409 referral-move with the moves the caller may make now. */
static void wrong_move(struct http_request *req, struct http_response *resp, const struct referral_row *r,
                       const char *to, json_t *moves)
{
	db_rollback(req->db);
	char *detail = xasprintf("Your role cannot move this referral from %s to %s.%s", r->status, to,
	                         json_array_size(moves) ? "" : " You can make no move on it now.");
	http_problem_with(resp, req, 409, "referral-move", "This move is not allowed", detail, NULL,
	                  json_pack("{s:s, s:o}", "status", r->status, "moves", moves));
	free(detail);
}

void api_referral_move(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	char today[11];
	int64_t version = 0;
	struct field_errors fe = {0};
	referrals_body_validate("move", req->json, NULL, &fe);
	struct referral_row r;
	struct referral_access a;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !api_today_date(req, resp, NULL, today) || !referral_load(req, resp, id, &r) ||
	    !referral_reach(req, resp, &r, today, &a))
		return;
	if (!a.partner && !scope_may_change(req, resp, &a.scope, "referral", r.id))
		return;
	if (version != r.version) {
		stale(req, resp);
		return;
	}
	const char *to = api_str(req, "to"), *reason_code = json_str(req->json, "reason_code");
	const char *note = json_str(req->json, "note");
	json_t *transitions = caller_transitions(req->db, req->principal.account_id);
	if (!transitions) {
		api_db_failed(req, resp, "reading the referral status table");
		return;
	}
	const json_t *move = NULL;
	size_t i;
	const json_t *t;
	json_array_foreach(transitions, i, t) {
		if (strcmp(text_of(t, "from_"), r.status) == 0 && strcmp(text_of(t, "to_"), to) == 0)
			move = t;
	}
	if (!move) {
		json_t *moves = moves_from(transitions, r.status);
		json_decref(transitions);
		wrong_move(req, resp, &r, to, moves);
		return;
	}
	bool needs_reason = json_is_true(json_object_get(move, "needs_reason"));
	char needs[16];
	snprintf(needs, sizeof needs, "%s", text_of(move, "needs"));
	json_decref(transitions);
	if (needs_reason && !reason_code) {
		api_field_problem(req, resp, "reason_code", "is required for this move");
		return;
	}
	if (reason_code) {
		bool failed = false;
		json_t *known = api_select_one(req->db, &failed,
			"SELECT code FROM referral_reason WHERE code = ? AND to_status = ?", "tt", reason_code, to);
		if (!known) {
			if (failed)
				api_db_failed(req, resp, "reading a reason");
			else
				api_field_problem(req, resp, "reason_code", "is not a reason for this move");
			return;
		}
		json_decref(known);
	}
	if (strcmp(needs, "report") == 0 && !r.has_report) {
		api_conflict(req, resp, "report-missing", "The end-of-programme report is missing",
		             "Write the end-of-programme report before completing the referral.");
		return;
	}
	if (strcmp(needs, "place") == 0) {
		bool has_place = false;
		if (!programme_has_place(req->db, r.programme_id, r.id, &has_place)) {
			api_db_failed(req, resp, "counting a programme's places");
			return;
		}
		if (!has_place) {
			api_conflict(req, resp, "programme-full", "The programme is full",
			             "Every place is taken: put the referral on the waiting list or wait for a place.");
			return;
		}
	}
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE referral SET status = ?, status_at = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND status = ? AND version = ?", "tiitti", to, now, now, r.id, r.status,
	                 version) == DB_OK;
	if (ok && changed != 1) {
		stale(req, resp);
		return;
	}
	char event[UUID_STR_LEN];
	uuid_v7(event);
	json_t *detail = json_pack("{s:s, s:s, s:s, s:s, s:o}", "referral_id", r.id, "programme_id", r.programme_id,
	                           "from", r.status, "to", to, "reason_code",
	                           reason_code ? json_string(reason_code) : json_null());
	char *detail_text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
	char *kind = xasprintf("referral.%s", to);
	char *summary = xasprintf("Referral moved from %s to %s", r.status, to);
	ok = ok &&
	     db_run(req->db, NULL,
	            "INSERT INTO referral_event (id, referral_id, at, actor_id, from_status, to_status, reason_code, note)"
	            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "ttitttt" "t", event, r.id, now, req->principal.account_id,
	            r.status, to, reason_code, note) == DB_OK &&
	     case_event_add(req->db, r.case_id, now, kind, req->principal.account_id, summary, detail_text, "referral",
	                    r.id) == DB_OK &&
	     referral_audit(req, &r, &a, AUDIT_ALTER, "referral", r.id);
	free(detail_text);
	free(kind);
	free(summary);
	json_decref(detail);
	if (!ok) {
		api_db_failed(req, resp, "moving a referral");
		return;
	}
	referral_answer(req, resp, &r, &a, today, 200);
}

/* ---- the provider's progress notes and report ------------------------------------------ */

/* The provider's own writes: only through the partner rule. False after answering. */
static bool provider_only(struct http_request *req, struct http_response *resp, const struct referral_row *r,
                          const struct referral_access *a)
{
	if (a->partner)
		return true;
	db_rollback(req->db);
	api_audit_denied(req, "referral", r->id, "only the provider writes progress notes and reports");
	http_problem(resp, req, 403, "forbidden", "Not permitted", "Only the programme's provider writes this.", NULL);
	return false;
}

void api_referral_note_add(struct http_request *req, struct http_response *resp)
{
	static const char *const open_statuses[] = {"accepted", "waitlisted", "enrolled", NULL};
	const char *id = http_request_param(req, "id");
	char today[11];
	struct field_errors fe = {0};
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	referrals_body_validate("progress_note", req->json, today, &fe);
	struct referral_row r;
	struct referral_access a;
	if (api_errors_answer(req, resp, &fe) || !referral_load(req, resp, id, &r) ||
	    !referral_reach(req, resp, &r, today, &a) || !provider_only(req, resp, &r, &a))
		return;
	if (!in_list(r.status, open_statuses)) {
		api_conflict(req, resp, "referral-status", "The referral is not running",
		             "Progress notes are written while the referral is accepted, waitlisted or enrolled.");
		return;
	}
	char note[UUID_STR_LEN];
	uuid_v7(note);
	int64_t now = clock_now_ms();
	char *detail = xasprintf("{\"referral_id\":\"%s\",\"note_id\":\"%s\"}", r.id, note);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO referral_progress_note (id, referral_id, written_on, text, author_id, created_at)"
	                 " VALUES (?, ?, ?, ?, ?, ?)", "ttttti", note, r.id, api_str(req, "written_on"),
	                 api_str(req, "text"), req->principal.account_id, now) == DB_OK &&
	          case_event_add(req->db, r.case_id, now, "referral.progress_note", req->principal.account_id,
	                         "Programme provider wrote a progress note", detail, "referral_progress_note",
	                         note) == DB_OK &&
	          partner_audit(req, &r, AUDIT_COLLECT, "referral_progress_note", note, r.id);
	free(detail);
	bool failed = false;
	json_t *row = ok ? api_select_one(req->db, &failed,
		"SELECT n.id, n.written_on, n.text, a.display_name AS author_name FROM referral_progress_note n"
		" JOIN account a ON a.id = n.author_id WHERE n.id = ?", "t", note) : NULL;
	if (!row) {
		api_db_failed(req, resp, "writing a progress note");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	json_object_set_new(row, "referral_id", json_string(r.id));
	http_response_json(resp, 201, row);
}

void api_referral_report(struct http_request *req, struct http_response *resp)
{
	static const char *const report_statuses[] = {"enrolled", "completed", NULL};
	const char *id = http_request_param(req, "id");
	char today[11];
	int64_t version = 0;
	struct field_errors fe = {0};
	referrals_body_validate("report", req->json, NULL, &fe);
	struct referral_row r;
	struct referral_access a;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !api_today_date(req, resp, NULL, today) || !referral_load(req, resp, id, &r) ||
	    !referral_reach(req, resp, &r, today, &a) || !provider_only(req, resp, &r, &a))
		return;
	if (!in_list(r.status, report_statuses)) {
		api_conflict(req, resp, "referral-status", "The referral is not enrolled",
		             "The end-of-programme report is written while enrolled (or corrected once completed).");
		return;
	}
	if (version != r.version) {
		stale(req, resp);
		return;
	}
	const char *outcome = api_str(req, "outcome");
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE referral SET outcome = ?, report = ?, report_on = ?, report_by = ?, updated_at = ?,"
	                 " version = version + 1 WHERE id = ? AND version = ?", "ttttiti", outcome, api_str(req, "report"),
	                 today, req->principal.account_id, now, r.id, version) == DB_OK;
	if (ok && changed != 1) {
		stale(req, resp);
		return;
	}
	char *detail = xasprintf("{\"referral_id\":\"%s\",\"outcome\":\"%s\",\"corrected\":%s}", r.id, outcome,
	                         r.has_report ? "true" : "false");
	char *summary = xasprintf("End-of-programme report %s (%s)", r.has_report ? "corrected" : "written", outcome);
	ok = ok &&
	     case_event_add(req->db, r.case_id, now, "referral.report", req->principal.account_id, summary, detail,
	                    "referral", r.id) == DB_OK &&
	     partner_audit(req, &r, r.has_report ? AUDIT_ALTER : AUDIT_COLLECT, "referral", r.id, "report");
	free(detail);
	free(summary);
	if (!ok) {
		api_db_failed(req, resp, "writing a report");
		return;
	}
	referral_answer(req, resp, &r, &a, today, 200);
}
