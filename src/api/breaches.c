/*
 * breaches.c — breach allegations by due process (S6-S9): the lists, one
 * allegation with its next required step and every transition, the ten
 * transitions (one path: domain/breaches.c's table), and the three printable
 * documents (the notification letter, the referral pack, the decision).
 *
 * Officers and unit heads reach an allegation through its case (scope_case).
 * The competent authority — usually in a court agency, outside the case's
 * units — reaches those referred to it (and under appeal) and those it decided,
 * each read logged with the referral as its basis; it does not see an
 * allegation before it is referred (404).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/appointments.h"
#include "domain/breaches.h"
#include "domain/conditions.h"
#include "domain/keydates.h"
#include "domain/person.h"
#include "domain/pretrial.h"
#include "domain/responses.h"

#define BREACH_COLUMNS \
	"SELECT b.id, b.case_id, c.number AS case_number, c.person_id," \
	" " PERSON_NAME_SQL("p") " AS person_name," \
	" c.unit_id, u.name AS unit_name, b.alert_id, b.state, b.allegation, b.occurred_on, b.reported_at," \
	" ra.display_name AS reported_by_name, b.notified_on, b.notice_method, b.notice_language, b.account_due_on," \
	" b.account_kind, b.account_text, b.account_on, b.facts, b.alternatives, b.recommended_response," \
	" b.assessed_at, aa.display_name AS assessed_by_name, b.countersigned_at," \
	" ca.display_name AS countersigned_by_name, b.countersign_note, b.referred_at," \
	" fa.display_name AS referred_by_name, b.authority, b.referral_note, b.decision_outcome, b.decision_reasons," \
	" b.alternatives_considered, b.authority_reference, b.decided_on, b.decided_at," \
	" da.display_name AS decided_by_name, b.appeal_route, b.appeal_deadline_on, b.appealed_on, b.appeal_by," \
	" b.appeal_grounds, b.appeal_outcome, b.appeal_decided_on, b.appeal_reasons, b.closed_at," \
	" xa.display_name AS closed_by_name, b.close_reason, b.response_id, b.updated_at, b.version," \
	" COALESCE(rr.needs_authority, 0) AS needs_authority_"
#define BREACH_FROM \
	" FROM breach b JOIN case_file c ON c.id = b.case_id JOIN person p ON p.id = c.person_id" \
	" JOIN unit u ON u.id = c.unit_id JOIN account ra ON ra.id = b.reported_by" \
	" LEFT JOIN account aa ON aa.id = b.assessed_by LEFT JOIN account ca ON ca.id = b.countersigned_by" \
	" LEFT JOIN account fa ON fa.id = b.referred_by LEFT JOIN account da ON da.id = b.decided_by" \
	" LEFT JOIN account xa ON xa.id = b.closed_by LEFT JOIN ref_response rr ON rr.code = b.recommended_response"

/* ---- small helpers ------------------------------------------------------------------- */

static const char *text_of(const json_t *row, const char *name)
{
	const char *s = json_string_value(json_object_get(row, name));
	return s ? s : "";
}

static const char *str_or_null(const json_t *row, const char *name)
{
	return json_string_value(json_object_get(row, name));
}

static bool is_authority(const struct http_request *req)
{
	return policy_has(&req->principal, "breaches.decide");
}

/* The authority reaches what is referred to it or under appeal, and what it decided itself. */
static bool authority_reaches(const struct http_request *req, const char *state, const char *decided_by)
{
	if (!is_authority(req))
		return false;
	if (strcmp(state, "referred") == 0 || strcmp(state, "appealed") == 0)
		return true;
	return decided_by && strcmp(decided_by, req->principal.account_id) == 0;
}

/* The `next` member: the step and the actions possible in a state, and what must happen next. */
static json_t *next_member(const char *state, bool needs_authority, const char *account_due_on,
                           const char *appeal_deadline_on, const char *today)
{
	struct breach_next n;
	breach_next(state, needs_authority, account_due_on, appeal_deadline_on, today, &n);
	json_t *actions = json_array();
	for (size_t i = 0; i < n.nactions; i++)
		json_array_append_new(actions, json_string(n.actions[i]));
	return json_pack("{s:o, s:o, s:s}", "step", n.step ? json_string(n.step) : json_null(), "actions", actions,
	                 "message", n.message);
}

/* The same for a breach row (its state, recommended response and deadlines). */
static json_t *next_json(const json_t *row, const char *today)
{
	return next_member(text_of(row, "state"), json_integer_value(json_object_get(row, "needs_authority_")) != 0,
	                   str_or_null(row, "account_due_on"), str_or_null(row, "appeal_deadline_on"), today);
}

/* Completes rows of BREACH_COLUMNS: the person's language, the conditions alleged, next. */
static bool breaches_fill(db *conn, json_t *rows, const char *asked_lang, const char *today)
{
	size_t i;
	json_t *v;
	json_array_foreach(rows, i, v) {
		char lang[3];
		if (condition_person_language(conn, text_of(v, "person_id"), lang) != DB_OK)
			return false;
		json_object_set_new(v, "person_language", json_string(lang));
		json_t *ids = api_select(conn, "SELECT condition_id FROM breach_condition WHERE breach_id = ?"
		                               " ORDER BY condition_id", "t", text_of(v, "id"));
		if (!ids)
			return false;
		json_t *conditions = json_array();
		size_t j;
		json_t *idrow;
		json_array_foreach(ids, j, idrow) {
			json_t *c = condition_json(conn, text_of(idrow, "condition_id"), asked_lang ? asked_lang : lang, today);
			if (!c) {
				json_decref(ids);
				json_decref(conditions);
				return false;
			}
			if (json_is_object(c))
				json_array_append_new(conditions,
				                      json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(c, "id"), "code",
				                                json_object_get(c, "code") ? json_object_get(c, "code") : json_null(),
				                                "text", json_object_get(c, "text") ? json_object_get(c, "text")
				                                                                   : json_null(),
				                                "texts", json_object_get(c, "texts") ? json_object_get(c, "texts")
				                                                                     : json_null()));
			json_decref(c);
		}
		json_decref(ids);
		json_object_set_new(v, "conditions", conditions);
		json_object_set_new(v, "next", next_json(v, today));
		json_object_del(v, "needs_authority_");
		json_object_del(v, "in_reach_");
		json_object_del(v, "decided_by_");
	}
	return true;
}

/* One breach with its events (NULL on a database error). */
static json_t *breach_json(db *conn, const char *id, const char *lang)
{
	char today[11];
	if (!api_today(conn, today))
		return NULL;
	json_t *rows = api_select(conn, BREACH_COLUMNS BREACH_FROM " WHERE b.id = ?", "t", id);
	if (!rows || !breaches_fill(conn, rows, lang, today) || json_array_size(rows) != 1) {
		json_decref(rows);
		return NULL;
	}
	json_t *b = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	json_t *events = api_select(conn,
		"SELECT e.at, a.display_name AS actor_name, e.action, e.from_state, e.to_state, e.reason, e.detail"
		" FROM breach_event e JOIN account a ON a.id = e.actor_id WHERE e.breach_id = ? ORDER BY e.at, e.id", "t", id);
	if (!events) {
		json_decref(b);
		return NULL;
	}
	size_t i;
	json_t *e;
	json_array_foreach(events, i, e)
		api_member_object(e, "detail");
	json_object_set_new(b, "events", events);
	return b;
}

/* Commits and answers with the breach and its ETag. */
static void answer_breach(struct http_request *req, struct http_response *resp, const char *id, const char *lang)
{
	json_t *b = breach_json(req->db, id, lang);
	if (!b) {
		api_db_failed(req, resp, "reading a breach allegation");
		return;
	}
	api_commit_send(req, resp, 200, b);
}

/* ---- the stored row ------------------------------------------------------------------ */

struct breach_row {
	char id[UUID_STR_LEN], case_id[UUID_STR_LEN], person_id[UUID_STR_LEN];
	char assessed_by[UUID_STR_LEN], decided_by[UUID_STR_LEN];
	char state[20], account_kind[20], recommended[41];
	char occurred_on[11], notified_on[11], account_due_on[11], decided_on[11], appeal_deadline_on[11];
	char appealed_on[11];
	bool facts, needs_authority, negative;
	int64_t version;
};

/* Loads a breach; false after answering (404, 500). */
static bool breach_load(struct http_request *req, struct http_response *resp, const char *id, struct breach_row *b)
{
	memset(b, 0, sizeof *b);
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT b.id, b.case_id, c.person_id, b.assessed_by, b.decided_by, b.state, b.account_kind,"
		" b.recommended_response, b.occurred_on, b.notified_on, b.account_due_on, b.decided_on,"
		" b.appeal_deadline_on, b.appealed_on, b.facts, b.version, COALESCE(rr.needs_authority, 0) AS needs,"
		" CASE WHEN rr.polarity = 'negative' THEN 1 ELSE 0 END AS negative"
		" FROM breach b JOIN case_file c ON c.id = b.case_id LEFT JOIN ref_response rr ON rr.code = b.recommended_response"
		" WHERE b.id = ?", "t", uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a breach allegation");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "breach");
		}
		return false;
	}
#define COPY(field, column) snprintf(b->field, sizeof b->field, "%s", text_of(row, column))
	COPY(id, "id");
	COPY(case_id, "case_id");
	COPY(person_id, "person_id");
	COPY(assessed_by, "assessed_by");
	COPY(decided_by, "decided_by");
	COPY(state, "state");
	COPY(account_kind, "account_kind");
	COPY(recommended, "recommended_response");
	COPY(occurred_on, "occurred_on");
	COPY(notified_on, "notified_on");
	COPY(account_due_on, "account_due_on");
	COPY(decided_on, "decided_on");
	COPY(appeal_deadline_on, "appeal_deadline_on");
	COPY(appealed_on, "appealed_on");
#undef COPY
	const char *facts = str_or_null(row, "facts");
	b->facts = facts && *facts;
	b->version = json_integer_value(json_object_get(row, "version"));
	b->needs_authority = json_integer_value(json_object_get(row, "needs")) != 0;
	b->negative = json_integer_value(json_object_get(row, "negative")) != 0;
	json_decref(row);
	return true;
}

/*
 * The caller's reach over one breach: the authority's (logged with the
 * referral as its basis) or the case's. An authority that reaches it neither
 * way gets 404: it does not see an allegation before it is referred. False
 * after answering.
 */
static bool breach_reach(struct http_request *req, struct http_response *resp, const struct breach_row *b,
                         bool *authority_r, struct record_scope *s)
{
	*authority_r = authority_reaches(req, b->state, b->decided_by);
	if (*authority_r)
		return true;
	if (is_authority(req) && !policy_has(&req->principal, "breaches.write")) {
		db_rollback(req->db);
		api_not_found(req, resp, "breach");
		return false;
	}
	return scope_case(req, resp, b->case_id, s);
}

static bool breach_audit(struct http_request *req, bool authority, const struct record_scope *s, const char *action,
                         const char *record_type, const char *record_id, const char *detail)
{
	if (authority)
		return api_audit_why(req, action, record_type, record_id, AUDIT_OUTCOME_SUCCESS, detail, AUTHORITY_PURPOSE,
		                     AUTHORITY_BASIS);
	return scope_audit(req, s, action, record_type, record_id, detail);
}

/* ---- reading ------------------------------------------------------------------------- */

void api_breach_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *lang = NULL;
	struct breach_row b;
	struct record_scope s = {0};
	bool authority = false;
	if (!api_lang_query(req, resp, &lang) || !api_begin(req, resp) || !breach_load(req, resp, id, &b) ||
	    !breach_reach(req, resp, &b, &authority, &s))
		return;
	if (!breach_audit(req, authority, &s, AUDIT_CONSULT, "breach", b.id, b.case_id)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	answer_breach(req, resp, b.id, lang);
}

void api_case_breaches(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id"), *lang = NULL;
	struct record_scope s;
	char today[11];
	if (!api_lang_query(req, resp, &lang) || !api_begin(req, resp) || !scope_case(req, resp, case_id, &s))
		return;
	json_t *rows = api_today(req->db, today)
	                   ? api_select(req->db, BREACH_COLUMNS BREACH_FROM
	                                " WHERE b.case_id = ? ORDER BY b.reported_at DESC, b.id DESC", "t", case_id)
	                   : NULL;
	if (rows && !breaches_fill(req->db, rows, lang, today)) {
		json_decref(rows);
		rows = NULL;
	}
	scope_send_items(req, resp, &s, "case_breaches", case_id, rows, "reading breach allegations");
}

void api_breaches_list(struct http_request *req, struct http_response *resp)
{
	const char *state = http_request_query(req, "state"), *queue = http_request_query(req, "queue");
	const char *cursor = http_request_query(req, "cursor");
	const char *lang = NULL;
	struct field_errors fe = {0};
	if (state && breach_state_index(state) < 0)
		field_error(&fe, "state", "must be one of the states of a breach allegation");
	if (queue && strcmp(queue, "unit") != 0 && strcmp(queue, "referred") != 0)
		field_error(&fe, "queue", "must be unit or referred");
	long limit = api_limit(req, &fe);
	/* The cursor: "<reported_at ms>_<id>" of the last item shown. */
	long long cursor_at = 0;
	char cursor_id[UUID_STR_LEN] = "";
	if (cursor) {
		const char *sep = strchr(cursor, '_');
		char *end = NULL;
		cursor_at = sep ? strtoll(cursor, &end, 10) : 0;
		if (!sep || end != sep || !uuid_valid(sep + 1))
			field_error(&fe, "cursor", "is not a cursor this list gave");
		else
			snprintf(cursor_id, sizeof cursor_id, "%s", sep + 1);
	}
	if (field_errors_respond(&fe, resp, req) || !api_lang_query(req, resp, &lang) || !api_begin(req, resp))
		return;
	const struct principal *p = &req->principal;
	bool referred = queue ? strcmp(queue, "referred") == 0 : is_authority(req) && !policy_has(p, "breaches.write");
	int64_t authority = referred && is_authority(req);
	char today[11];
	json_t *rows = api_today(req->db, today) ? api_select(req->db,
		REACH_CTE
		" " BREACH_COLUMNS ", CASE WHEN c.unit_id IN (SELECT id FROM reach) THEN 1 ELSE 0 END AS in_reach_"
		BREACH_FROM " WHERE (CAST(? AS TEXT) IS NULL OR b.state = ?)"
		" AND (CASE WHEN ? = 1 THEN (b.state IN ('referred', 'appealed') OR b.decided_by = ?)"
		"  WHEN ? = 1 THEN (c.unit_id IN (SELECT id FROM reach) AND b.state IN ('referred', 'appealed'))"
		"  ELSE c.unit_id IN (SELECT id FROM reach) END)"
		" AND (CAST(? AS TEXT) IS NULL OR b.reported_at < ? OR (b.reported_at = ? AND b.id < ?))"
		" ORDER BY b.reported_at DESC, b.id DESC LIMIT ?",
		"ttitt" "iti" "tiit" "i", p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), state, state,
		authority, p->account_id, (int64_t)referred, cursor ? cursor : NULL, (int64_t)cursor_at,
		(int64_t)cursor_at, cursor_id, (int64_t)limit + 1) : NULL;
	if (!rows) {
		api_db_failed(req, resp, "listing breach allegations");
		return;
	}
	char next_cursor[64] = "";
	if (json_array_size(rows) > (size_t)limit) {
		json_array_remove(rows, (size_t)limit);
		const json_t *last = json_array_get(rows, (size_t)limit - 1);
		/* reported_at is RFC 3339 in the row: the cursor keeps the stored milliseconds. */
		db_stmt *st = NULL;
		long long ms = 0;
		if (db_query(req->db, &st, "SELECT reported_at FROM breach WHERE id = ?", "t", text_of(last, "id")) == DB_OK &&
		    db_step(st) == DB_ROW)
			ms = (long long)db_column_int64(st, 0);
		db_finalize(&st);
		snprintf(next_cursor, sizeof next_cursor, "%lld_%s", ms, text_of(last, "id"));
	}
	/* What the unit rule reached is logged as one list read; each one reached as the authority, by itself. */
	bool ok = scope_audit_referred_list(req, "breach", rows);
	if (!ok || !breaches_fill(req->db, rows, lang, today)) {
		json_decref(rows);
		api_db_failed(req, resp, "listing breach allegations");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:o}", "items", rows, "next_cursor",
	                                         next_cursor[0] ? json_string(next_cursor) : json_null()));
}

/* ---- the transitions: one path ---------------------------------------------------------- */

#define MAX_SET 12

/* What an action's own step adds to the generic path. */
struct move_ctx {
	struct breach_row b;
	const struct breach_transition *t;
	char today[11];
	struct breach_set set[MAX_SET];
	size_t nset;
	const char *to, *event, *reason;
	struct buf detail;           /* the members of the event's detail, without braces */
	char date_buf[3][11];        /* dates computed here (defaults) */
	const char *response_code;   /* a response to record with the breach (referral, closure) */
	const char *response_reasons;
	char response_id[UUID_STR_LEN];
};

static void set_text(struct move_ctx *c, const char *column, const char *text)
{
	if (c->nset < MAX_SET)
		c->set[c->nset++] = (struct breach_set){.column = column, .text = text};
}

static void set_int(struct move_ctx *c, const char *column, int64_t value)
{
	if (c->nset < MAX_SET)
		c->set[c->nset++] = (struct breach_set){.column = column, .integer = value, .is_integer = true};
}

static void detail_add(struct move_ctx *c, const char *name, const char *value)
{
	if (c->detail.len)
		buf_putc(&c->detail, ',');
	buf_json_string(&c->detail, name);
	buf_putc(&c->detail, ':');
	buf_json_string(&c->detail, value);
}

/* 409 breach-state: the table's message, the state now, and what comes next. */
static void state_conflict(struct http_request *req, struct http_response *resp, const struct move_ctx *c,
                           const char *detail)
{
	db_rollback(req->db);
	json_t *members = json_pack("{s:s, s:o}", "state", c->b.state, "next",
	                            next_member(c->b.state, c->b.needs_authority,
	                                        c->b.account_due_on[0] ? c->b.account_due_on : NULL,
	                                        c->b.appeal_deadline_on[0] ? c->b.appeal_deadline_on : NULL, c->today));
	http_problem_with(resp, req, 409, "breach-state", "Not possible in the allegation's present state", detail,
	                  NULL, members);
}

typedef bool (*move_step)(struct http_request *req, struct http_response *resp, struct move_ctx *c);

/*
 * The one path of every transition: If-Match, the breach, the caller's reach,
 * the version (412), the state (409 with what must happen first and next),
 * the body (422), the action's own checks and columns, the guarded UPDATE
 * with its event and timeline, a response when the action gives one, the
 * processing log, the answer.
 */
static void transition(struct http_request *req, struct http_response *resp, const char *action, move_step step)
{
	const char *id = http_request_param(req, "id");
	struct move_ctx c;
	memset(&c, 0, sizeof c);
	c.t = breach_transition_find(action);
	int64_t version = 0;
	struct record_scope s = {0};
	if (!api_if_match(req, resp, &version) || !api_begin(req, resp) || !breach_load(req, resp, id, &c.b))
		return;
	if (!api_today(req->db, c.today)) {
		api_db_failed(req, resp, "reading today's date");
		return;
	}
	/* The authority acts on what is referred to it; the service on its own cases. An allegation not referred
	   to the authority does not exist for it (as on GET): nothing of its state is shown. The decision cannot
	   come before the person's account and the officer's facts (S8): a referral needs both, by the table. */
	bool deciding = strcmp(c.t->permission, "breaches.decide") == 0;
	bool authority = deciding && authority_reaches(req, c.b.state, c.b.decided_by);
	if (deciding && !authority) {
		db_rollback(req->db);
		api_not_found(req, resp, "breach");
		return;
	}
	if (!deciding && (!scope_case(req, resp, c.b.case_id, &s) || !scope_may_change(req, resp, &s, "breach", c.b.id)))
		return;
	if (version != c.b.version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The allegation has changed",
		             "Someone changed this allegation since you read it: reload it and try again.", NULL);
		return;
	}
	if (!breach_transition_allows(c.t, c.b.state)) {
		char *detail = xasprintf("%s The allegation is now %s.", c.t->first, c.b.state);
		state_conflict(req, resp, &c, detail);
		free(detail);
		return;
	}
	/* S8: the decision needs the person's account and the officer's facts on file (the state order ensures
	   it; this says so if the data ever disagree). */
	if (strcmp(action, "decision") == 0 && (!c.b.account_kind[0] || !c.b.facts)) {
		state_conflict(req, resp, &c,
		               "The person's account and the officer's facts must both be on file before a decision (S8).");
		return;
	}
	struct field_errors fe = {0};
	if (!breach_body_validate(action, req->json, c.today, &fe)) {
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	c.reason = NULL;
	if (!step(req, resp, &c)) {
		buf_free(&c.detail);
		return;
	}
	int64_t now = clock_now_ms();
	if (c.response_code) {
		struct response_new r = {.case_id = c.b.case_id, .code = c.response_code, .breach_id = c.b.id,
		                         .given_on = c.today, .given_by = req->principal.account_id,
		                         .reasons = c.response_reasons, .detail = NULL};
		enum db_status rc = response_record(req->db, &r, now, c.response_id);
		if (rc == DB_CONSTRAINT) {
			buf_free(&c.detail);
			api_field_problem(req, resp, "response", "is not a response on the ladder");
			return;
		}
		if (rc != DB_OK || !breach_audit(req, authority, &s, AUDIT_COLLECT, "response", c.response_id, c.b.case_id)) {
			buf_free(&c.detail);
			api_db_failed(req, resp, "recording a response");
			return;
		}
		set_text(&c, "response_id", c.response_id);
		detail_add(&c, "response", c.response_code);
	}
	struct buf detail = {0};
	buf_putc(&detail, '{');
	buf_puts(&detail, c.detail.data ? c.detail.data : "");
	buf_putc(&detail, '}');
	buf_free(&c.detail);
	struct breach_move m = {.breach_id = c.b.id, .case_id = c.b.case_id, .action = action, .event = c.event,
	                        .from = c.b.state, .to = c.to, .version = version,
	                        .actor_id = req->principal.account_id, .reason = c.reason, .detail = detail.data,
	                        .set = c.set, .nset = c.nset};
	enum db_status rc = breach_move(req->db, &m, now);
	buf_free(&detail);
	if (rc == DB_DONE) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The allegation has changed",
		             "Someone moved this allegation on meanwhile: reload it and try again.", NULL);
		return;
	}
	char log_detail[64];
	snprintf(log_detail, sizeof log_detail, "%s %s", action, c.b.case_id);
	if (rc != DB_OK || !breach_audit(req, authority, &s, AUDIT_ALTER, "breach", c.b.id, log_detail)) {
		api_db_failed(req, resp, "moving a breach allegation on");
		return;
	}
	answer_breach(req, resp, c.b.id, NULL);
}

static bool days_after(const char *from, long days, char out[11])
{
	struct civil_date d;
	if (!civil_date_parse(from, &d))
		return false;
	civil_date_format(civil_date_add_days(d, (int)days), out);
	return true;
}

static bool step_notify(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	const char *on = api_str(req, "notified_on"), *due = json_str(req->json, "account_due_on");
	if (strcmp(on, c->b.occurred_on) < 0) {
		api_field_problem(req, resp, "notified_on", "must not be before the date of the alleged breach");
		return false;
	}
	if (!due) {
		long days = 10;
		if (setting_number(req->db, "breaches.account_days", &days) != DB_OK ||
		    !days_after(on, days, c->date_buf[0])) {
			api_db_failed(req, resp, "reading breaches.account_days");
			return false;
		}
		due = c->date_buf[0];
	}
	set_text(c, "notified_on", on);
	set_text(c, "notice_method", api_str(req, "method"));
	set_text(c, "notice_language", api_str(req, "language"));
	set_text(c, "account_due_on", due);
	detail_add(c, "notified_on", on);
	detail_add(c, "method", api_str(req, "method"));
	detail_add(c, "language", api_str(req, "language"));
	detail_add(c, "account_due_on", due);
	return true;
}

static bool step_account(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	const char *kind = api_str(req, "kind"), *on = api_str(req, "account_on");
	if (c->b.notified_on[0] && strcmp(on, c->b.notified_on) < 0) {
		api_field_problem(req, resp, "account_on", "must not be before the person was notified");
		return false;
	}
	if (strcmp(kind, "none_by_deadline") == 0 && c->b.account_due_on[0] && strcmp(c->today, c->b.account_due_on) <= 0) {
		char *m = xasprintf("none_by_deadline is possible only after the deadline for the account (%s)",
		                    c->b.account_due_on);
		api_field_problem(req, resp, "kind", m);
		free(m);
		return false;
	}
	set_text(c, "account_kind", kind);
	set_text(c, "account_text", json_str(req->json, "text"));
	set_text(c, "account_on", on);
	detail_add(c, "kind", kind);
	detail_add(c, "account_on", on);
	return true;
}

/* A response code's polarity and needs_authority; false (after answering 422 on field) when unknown or positive. */
static bool negative_response(struct http_request *req, struct http_response *resp, const char *code,
                              const char *field, bool *needs_authority_r)
{
	bool failed = false;
	json_t *r = api_select_one(req->db, &failed, "SELECT polarity, needs_authority FROM ref_response WHERE code = ?",
	                           "t", code);
	if (failed) {
		api_db_failed(req, resp, "reading the responses");
		return false;
	}
	if (!r || strcmp(text_of(r, "polarity"), "negative") != 0) {
		json_decref(r);
		api_field_problem(req, resp, field, "must be a response to non-compliance on the ladder");
		return false;
	}
	*needs_authority_r = json_integer_value(json_object_get(r, "needs_authority")) != 0;
	json_decref(r);
	return true;
}

static bool step_assess(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	const char *code = api_str(req, "recommended_response");
	bool needs = false;
	if (!negative_response(req, resp, code, "recommended_response", &needs))
		return false;
	set_text(c, "facts", api_str(req, "facts"));
	set_text(c, "alternatives", api_str(req, "alternatives"));
	set_text(c, "recommended_response", code);
	set_int(c, "assessed_at", clock_now_ms());
	set_text(c, "assessed_by", req->principal.account_id);
	detail_add(c, "recommended_response", code);
	return true;
}

static bool step_countersign(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	if (strcmp(c->b.assessed_by, req->principal.account_id) == 0) {
		db_rollback(req->db);
		http_problem(resp, req, 403, "own-assessment", "Not your own assessment",
		             "A unit head who did not make the assessment countersigns or returns it.", NULL);
		return false;
	}
	bool countersign = strcmp(api_str(req, "decision"), "countersign") == 0;
	const char *note = json_str(req->json, "note");
	if (countersign) {
		set_int(c, "countersigned_at", clock_now_ms());
		set_text(c, "countersigned_by", req->principal.account_id);
	} else {
		c->to = "account_recorded";
		c->event = "return";
	}
	c->reason = note; /* the event carries the note either way */
	set_text(c, "countersign_note", note);
	detail_add(c, "decision", api_str(req, "decision"));
	return true;
}

static bool step_refer(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	if (!c->b.needs_authority) {
		char *detail = xasprintf("The recommended response (%s) is the service's own: close the allegation "
		                         "instead; only a response that needs the competent authority is referred.",
		                         c->b.recommended);
		state_conflict(req, resp, c, detail);
		free(detail);
		return false;
	}
	const char *note = json_str(req->json, "note");
	set_int(c, "referred_at", clock_now_ms());
	set_text(c, "referred_by", req->principal.account_id);
	set_text(c, "authority", api_str(req, "authority"));
	set_text(c, "referral_note", note);
	c->reason = note;
	c->response_code = c->b.recommended;
	c->response_reasons = note ? note : "Referred to the competent authority";
	return true;
}

static bool step_close(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	if (c->b.needs_authority) {
		char *detail = xasprintf("The recommended response (%s) needs the competent authority: refer the "
		                         "allegation instead.", c->b.recommended);
		state_conflict(req, resp, c, detail);
		free(detail);
		return false;
	}
	const char *code = json_str(req->json, "response");
	bool needs = false;
	if (!code)
		code = c->b.recommended;
	if (!negative_response(req, resp, code, "response", &needs))
		return false;
	if (needs) {
		api_field_problem(req, resp, "response", "needs the competent authority: refer the allegation instead");
		return false;
	}
	set_int(c, "closed_at", clock_now_ms());
	set_text(c, "closed_by", req->principal.account_id);
	set_text(c, "close_reason", api_str(req, "reasons"));
	c->reason = api_str(req, "reasons");
	c->response_code = code;
	c->response_reasons = api_str(req, "reasons");
	return true;
}

static bool step_decide(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	const char *on = api_str(req, "decided_on"), *deadline = json_str(req->json, "appeal_deadline_on");
	if (!deadline) {
		long days = 10;
		if (setting_number(req->db, "breaches.appeal_days", &days) != DB_OK ||
		    !days_after(on, days, c->date_buf[0])) {
			api_db_failed(req, resp, "reading breaches.appeal_days");
			return false;
		}
		deadline = c->date_buf[0];
	}
	const char *outcome = api_str(req, "outcome");
	set_text(c, "decision_outcome", outcome);
	set_text(c, "decision_reasons", api_str(req, "reasons"));
	set_text(c, "alternatives_considered", api_str(req, "alternatives_considered"));
	set_text(c, "authority_reference", api_str(req, "authority_reference"));
	set_text(c, "decided_on", on);
	set_int(c, "decided_at", clock_now_ms());
	set_text(c, "decided_by", req->principal.account_id);
	set_text(c, "appeal_route", api_str(req, "appeal_route"));
	set_text(c, "appeal_deadline_on", deadline);
	c->reason = api_str(req, "reasons");
	detail_add(c, "outcome", outcome);
	detail_add(c, "decided_on", on);
	detail_add(c, "appeal_deadline_on", deadline);
	return true;
}

static bool step_appeal(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	const char *on = api_str(req, "appealed_on");
	if (c->b.appeal_deadline_on[0] && strcmp(on, c->b.appeal_deadline_on) > 0) {
		char *m = xasprintf("must not be after the appeal deadline (%s)", c->b.appeal_deadline_on);
		api_field_problem(req, resp, "appealed_on", m);
		free(m);
		return false;
	}
	if (c->b.decided_on[0] && strcmp(on, c->b.decided_on) < 0) {
		api_field_problem(req, resp, "appealed_on", "must not be before the decision");
		return false;
	}
	set_text(c, "appealed_on", on);
	set_text(c, "appeal_by", api_str(req, "by"));
	set_text(c, "appeal_grounds", api_str(req, "grounds"));
	detail_add(c, "appealed_on", on);
	detail_add(c, "by", api_str(req, "by"));
	return true;
}

static bool step_appeal_decide(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	const char *on = api_str(req, "decided_on");
	if (c->b.appealed_on[0] && strcmp(on, c->b.appealed_on) < 0) {
		api_field_problem(req, resp, "decided_on", "must not be before the appeal was lodged");
		return false;
	}
	set_text(c, "appeal_outcome", api_str(req, "outcome"));
	set_text(c, "appeal_decided_on", on);
	set_text(c, "appeal_reasons", api_str(req, "reasons"));
	c->reason = api_str(req, "reasons");
	detail_add(c, "outcome", api_str(req, "outcome"));
	detail_add(c, "decided_on", on);
	return true;
}

static bool step_withdraw(struct http_request *req, struct http_response *resp, struct move_ctx *c)
{
	(void)resp;
	set_int(c, "closed_at", clock_now_ms());
	set_text(c, "closed_by", req->principal.account_id);
	set_text(c, "close_reason", api_str(req, "reason"));
	c->reason = api_str(req, "reason");
	return true;
}

void api_breach_notify(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "notification", step_notify);
}

void api_breach_account(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "account", step_account);
}

void api_breach_assess(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "assessment", step_assess);
}

void api_breach_countersign(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "countersignature", step_countersign);
}

void api_breach_refer(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "referral", step_refer);
}

void api_breach_close(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "closure", step_close);
}

void api_breach_decide(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "decision", step_decide);
}

void api_breach_appeal(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "appeal", step_appeal);
}

void api_breach_appeal_decide(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "appeal-decision", step_appeal_decide);
}

void api_breach_withdraw(struct http_request *req, struct http_response *resp)
{
	transition(req, resp, "withdrawal", step_withdraw);
}

/* ---- the printable documents ------------------------------------------------------------ */

/* The wording (build: scripts/embed-text.py). */
extern const char breach_documents_json[];
extern const size_t breach_documents_json_len;

/* Every label the documents print; the data file must give each in ky, ru and en. */
static const char *const doc_keys[] = {
	"title_notification", "title_referral", "title_decision", "person", "full_name", "birth_date", "case_number",
	"unit", "officer", "notif_intro", "allegation", "occurred_on", "conditions", "no_conditions", "your_account",
	"account_invite", "nothing_decided", "interpreter", "notified_on", "method", "signature_person",
	"signature_officer", "date", "generated", "case_summary", "decisions", "decision_authority", "decision_number",
	"decided_on", "measure", "no_decisions", "conditions_in_force", "evidence", "alert_summary", "rule",
	"evidence_items", "account_heading", "account_given", "account_declined", "account_none_by_deadline",
	"account_on", "account_due_on", "assessment", "facts", "alternatives", "recommended_response", "assessed_by",
	"countersignature", "countersigned_by", "countersign_note", "referral", "authority", "referral_note",
	"referred_by", "decision_heading", "outcome", "reasons", "alternatives_considered", "authority_reference",
	"decided_by", "appeal_heading", "appeal_route", "appeal_deadline", "appealed_on", "appeal_by",
	"appeal_grounds", "appeal_outcome", "appeal_decided_on", "appeal_reasons", "not_on_file",
	"signature_authority", NULL};

static struct wording docs =
	WORDING("data/breach-documents.json", breach_documents_json, breach_documents_json_len, doc_keys);

static const char *doc_label(const char *key, const char *lang)
{
	return wording_label(&docs, key, lang);
}

/* A label with a prefix: "method_letter", "outcome_revoke"; the value itself when there is no such label. */
static const char *doc_label2(const char *prefix, const char *value, const char *lang)
{
	char key[64];
	snprintf(key, sizeof key, "%s%s", prefix, value ? value : "");
	const char *s = wording_find(&docs, key, lang);
	return s ? s : value ? value : "";
}

static void put_l(struct buf *b, const char *key, const char *lang)
{
	html_escape(b, doc_label(key, lang));
}

static void put_human_date(struct buf *b, const char *lang, const char *iso)
{
	char text[48];
	html_escape(b, html_human_date(iso, lang, "—", text));
}

/* A label whose {date}, {officer} and {unit} take values (escaped; "—" for a missing one). */
static void put_template(struct buf *b, const char *key, const char *lang, const char *date, const char *officer,
                         const char *unit)
{
	char text[48];
	const struct html_value v[] = {{"date", html_human_date(date, lang, "—", text)},
	                               {"officer", officer && *officer ? officer : "—"},
	                               {"unit", unit && *unit ? unit : "—"}};
	html_fill(b, doc_label(key, lang), v, sizeof v / sizeof v[0]);
}

static void row_text(struct buf *b, const char *key, const char *lang, const char *value)
{
	html_row(b, doc_label(key, lang), value && *value ? value : doc_label("not_on_file", lang));
}

static void row_date(struct buf *b, const char *key, const char *lang, const char *iso)
{
	char text[48];
	html_row(b, doc_label(key, lang), html_human_date(iso, lang, "—", text));
}

/* A long text kept as written (verbatim), line breaks shown. */
static void block_text(struct buf *b, const char *lang, const char *value)
{
	buf_puts(b, "<div class=\"text\">");
	if (value && *value)
		html_escape(b, value);
	else
		put_l(b, "not_on_file", lang);
	buf_puts(b, "</div>\n");
}

static void heading(struct buf *b, const char *key, const char *lang)
{
	html_heading(b, doc_label(key, lang));
}

static void signature(struct buf *b, const char *key, const char *lang)
{
	buf_puts(b, "<tr><th>");
	put_l(b, key, lang);
	buf_puts(b, "</th><td>&nbsp;<br>&nbsp;<br>&nbsp;</td></tr>\n");
}

/* The person and the case: the table every document opens with. */
static void person_table(struct buf *b, const json_t *k, const char *lang)
{
	buf_puts(b, "<table>\n");
	row_text(b, "full_name", lang, text_of(k, "person_name"));
	row_date(b, "birth_date", lang, str_or_null(k, "birth_date"));
	row_text(b, "case_number", lang, text_of(k, "case_number"));
	row_text(b, "unit", lang, text_of(k, "unit_name"));
	row_text(b, "officer", lang, str_or_null(k, "officer_name"));
	buf_puts(b, "</table>\n");
}

static void conditions_list(struct buf *b, const json_t *conditions, const char *lang, const char *empty_key)
{
	if (json_array_size(conditions) == 0) {
		buf_puts(b, "<p class=\"notice\">");
		put_l(b, empty_key, lang);
		buf_puts(b, "</p>\n");
		return;
	}
	buf_puts(b, "<ol>\n");
	size_t i;
	const json_t *c;
	json_array_foreach(conditions, i, c) {
		buf_puts(b, "<li>");
		const char *text = json_string_value(json_object_get(json_object_get(c, "texts"), lang));
		html_escape(b, text ? text : text_of(c, "text"));
		buf_puts(b, "</li>\n");
	}
	buf_puts(b, "</ol>\n");
}

static void allegation_block(struct buf *b, const json_t *k, const char *lang)
{
	heading(b, "allegation", lang);
	block_text(b, lang, text_of(k, "allegation"));
	buf_puts(b, "<table>\n");
	row_date(b, "occurred_on", lang, str_or_null(k, "occurred_on"));
	buf_puts(b, "</table>\n");
}

static void account_block(struct buf *b, const json_t *k, const char *lang)
{
	heading(b, "account_heading", lang);
	const char *kind = str_or_null(k, "account_kind");
	buf_puts(b, "<p>");
	if (kind)
		html_escape(b, doc_label2("account_", kind, lang));
	else
		put_l(b, "not_on_file", lang);
	buf_puts(b, "</p>\n");
	if (kind && strcmp(kind, "given") == 0)
		block_text(b, lang, str_or_null(k, "account_text"));
	buf_puts(b, "<table>\n");
	row_date(b, "account_due_on", lang, str_or_null(k, "account_due_on"));
	row_date(b, "account_on", lang, str_or_null(k, "account_on"));
	buf_puts(b, "</table>\n");
}

static void render_notification(struct buf *b, const json_t *k, const char *lang)
{
	put_l(b, "notif_intro", lang);
	buf_puts(b, "</p>\n");
	allegation_block(b, k, lang);
	heading(b, "conditions", lang);
	conditions_list(b, json_object_get(k, "conditions"), lang, "no_conditions");
	heading(b, "your_account", lang);
	buf_puts(b, "<p>");
	put_template(b, "account_invite", lang, str_or_null(k, "account_due_on"), str_or_null(k, "officer_name"),
	             text_of(k, "unit_name"));
	buf_puts(b, "</p>\n<p>");
	put_l(b, "interpreter", lang);
	buf_puts(b, "</p>\n<p class=\"notice\"><strong>");
	put_l(b, "nothing_decided", lang);
	buf_puts(b, "</strong></p>\n<table>\n");
	row_date(b, "notified_on", lang, str_or_null(k, "notified_on"));
	const char *method = str_or_null(k, "notice_method");
	buf_puts(b, "<tr><th>");
	put_l(b, "method", lang);
	buf_puts(b, "</th><td>");
	if (method)
		html_escape(b, doc_label2("method_", method, lang));
	else
		buf_puts(b, "&nbsp;");
	buf_puts(b, "</td></tr>\n");
	signature(b, "date", lang);
	signature(b, "signature_person", lang);
	signature(b, "signature_officer", lang);
	buf_puts(b, "</table>\n");
}

/*
 * The alert's evidence as a court reads it: each item labelled ("ev_<name>"), dates and instants in the
 * deployment's zone and the document's language, codes named ("outcome_", "kind_", "level_"); identifiers of
 * internal records are left out (the pack shows the records themselves).
 */
static void evidence_rows(struct buf *b, const char *tz, const json_t *evidence, const char *lang)
{
	static const char *const coded[] = {"outcome", "kind", "level"};
	const char *name;
	json_t *value;
	json_object_foreach((json_t *)evidence, name, value) {
		size_t n = strlen(name);
		if (n > 3 && strcmp(name + n - 3, "_id") == 0)
			continue;
		char key[64], text[96] = "", day[48];
		snprintf(key, sizeof key, "ev_%s", name);
		const char *label = wording_find(&docs, key, lang);
		const char *v = text;
		const char *s = json_string_value(value);
		int64_t ms = 0;
		char local[LOCAL_TIME_LEN];
		if (json_is_integer(value)) {
			snprintf(text, sizeof text, "%lld", (long long)json_integer_value(value));
		} else if (!s) {
			continue;
		} else if ((clock_parse_rfc3339(s, &ms) && utc_ms_to_local(ms, tz, local)) ||
		           (local_time_valid(s) && snprintf(local, sizeof local, "%s", s) > 0)) {
			char date[11];
			snprintf(date, sizeof date, "%.10s", local);
			snprintf(text, sizeof text, "%s %s", html_human_date(date, lang, "—", day), local + 11);
		} else if (strlen(s) == 10 && civil_date_parse(s, &(struct civil_date){0})) {
			v = html_human_date(s, lang, "—", day);
		} else {
			v = s;
			for (size_t i = 0; i < sizeof coded / sizeof coded[0]; i++)
				if (strcmp(name, coded[i]) == 0) {
					char prefix[16];
					snprintf(prefix, sizeof prefix, "%s_", coded[i]);
					v = doc_label2(prefix, s, lang);
				}
		}
		html_row(b, label ? label : name, v);
	}
}

static void render_referral(struct buf *b, const json_t *k, const json_t *decisions, const json_t *in_force,
                            const json_t *alert, const char *tz, const char *lang)
{
	buf_puts(b, "</p>\n");
	heading(b, "case_summary", lang);
	heading(b, "decisions", lang);
	if (json_array_size(decisions) == 0) {
		buf_puts(b, "<p>");
		put_l(b, "no_decisions", lang);
		buf_puts(b, "</p>\n");
	} else {
		buf_puts(b, "<table class=\"list\">\n<thead><tr><th>");
		put_l(b, "decision_authority", lang);
		buf_puts(b, "</th><th>");
		put_l(b, "decision_number", lang);
		buf_puts(b, "</th><th>");
		put_l(b, "decided_on", lang);
		buf_puts(b, "</th><th>");
		put_l(b, "measure", lang);
		buf_puts(b, "</th></tr></thead>\n<tbody>\n");
		size_t i;
		const json_t *d;
		json_array_foreach(decisions, i, d) {
			char key[16];
			snprintf(key, sizeof key, "title_%s", lang);
			buf_puts(b, "<tr><td>");
			html_escape(b, text_of(d, "authority"));
			buf_puts(b, "</td><td>");
			html_escape(b, text_of(d, "number"));
			buf_puts(b, "</td><td>");
			put_human_date(b, lang, str_or_null(d, "decided_on"));
			buf_puts(b, "</td><td>");
			html_escape(b, str_or_null(d, key) ? str_or_null(d, key) : text_of(d, "measure"));
			buf_puts(b, "</td></tr>\n");
		}
		buf_puts(b, "</tbody>\n</table>\n");
	}
	heading(b, "conditions_in_force", lang);
	conditions_list(b, in_force, lang, "no_conditions");
	heading(b, "evidence", lang);
	block_text(b, lang, text_of(k, "allegation"));
	buf_puts(b, "<table>\n");
	row_date(b, "occurred_on", lang, str_or_null(k, "occurred_on"));
	if (alert) {
		char key[16];
		snprintf(key, sizeof key, "title_%s", lang);
		row_text(b, "rule", lang, str_or_null(alert, key) ? str_or_null(alert, key) : str_or_null(alert, "rule_code"));
		/* A rule's summary is an English line for the log; the rule's title says it. An officer's are their words. */
		if (!str_or_null(alert, "rule_code"))
			row_text(b, "alert_summary", lang, str_or_null(alert, "summary"));
		json_t *evidence = api_object_from(text_of(alert, "evidence"));
		evidence_rows(b, tz, evidence, lang);
		json_decref(evidence);
	}
	buf_puts(b, "</table>\n");
	heading(b, "conditions", lang);
	conditions_list(b, json_object_get(k, "conditions"), lang, "no_conditions");
	account_block(b, k, lang);
	heading(b, "assessment", lang);
	buf_puts(b, "<h3>");
	put_l(b, "facts", lang);
	buf_puts(b, "</h3>\n");
	block_text(b, lang, str_or_null(k, "facts"));
	buf_puts(b, "<h3>");
	put_l(b, "alternatives", lang);
	buf_puts(b, "</h3>\n");
	block_text(b, lang, str_or_null(k, "alternatives"));
	buf_puts(b, "<table>\n");
	char key[24];
	snprintf(key, sizeof key, "response_title_%s", lang);
	row_text(b, "recommended_response", lang, str_or_null(k, key));
	row_text(b, "assessed_by", lang, str_or_null(k, "assessed_by_name"));
	buf_puts(b, "</table>\n");
	heading(b, "countersignature", lang);
	buf_puts(b, "<table>\n");
	row_text(b, "countersigned_by", lang, str_or_null(k, "countersigned_by_name"));
	row_date(b, "date", lang, str_or_null(k, "countersigned_on"));
	if (str_or_null(k, "countersign_note"))
		row_text(b, "countersign_note", lang, str_or_null(k, "countersign_note"));
	buf_puts(b, "</table>\n");
	if (str_or_null(k, "authority")) {
		heading(b, "referral", lang);
		buf_puts(b, "<table>\n");
		row_text(b, "authority", lang, str_or_null(k, "authority"));
		row_text(b, "referred_by", lang, str_or_null(k, "referred_by_name"));
		row_date(b, "date", lang, str_or_null(k, "referred_on"));
		if (str_or_null(k, "referral_note"))
			row_text(b, "referral_note", lang, str_or_null(k, "referral_note"));
		buf_puts(b, "</table>\n");
	}
}

static void render_decision(struct buf *b, const json_t *k, const char *lang)
{
	buf_puts(b, "</p>\n");
	allegation_block(b, k, lang);
	heading(b, "decision_heading", lang);
	buf_puts(b, "<table>\n");
	row_text(b, "authority", lang, str_or_null(k, "authority"));
	row_text(b, "authority_reference", lang, str_or_null(k, "authority_reference"));
	row_date(b, "decided_on", lang, str_or_null(k, "decided_on"));
	row_text(b, "outcome", lang, doc_label2("outcome_", str_or_null(k, "decision_outcome"), lang));
	row_text(b, "decided_by", lang, str_or_null(k, "decided_by_name"));
	buf_puts(b, "</table>\n<h3>");
	put_l(b, "reasons", lang);
	buf_puts(b, "</h3>\n");
	block_text(b, lang, str_or_null(k, "decision_reasons"));
	buf_puts(b, "<h3>");
	put_l(b, "alternatives_considered", lang);
	buf_puts(b, "</h3>\n");
	block_text(b, lang, str_or_null(k, "alternatives_considered"));
	heading(b, "appeal_heading", lang);
	buf_puts(b, "<p class=\"notice\"><strong>");
	put_template(b, "appeal_deadline", lang, str_or_null(k, "appeal_deadline_on"), NULL, NULL);
	buf_puts(b, "</strong></p>\n<table>\n");
	row_text(b, "appeal_route", lang, str_or_null(k, "appeal_route"));
	if (str_or_null(k, "appealed_on")) {
		row_date(b, "appealed_on", lang, str_or_null(k, "appealed_on"));
		row_text(b, "appeal_by", lang, doc_label2("by_", str_or_null(k, "appeal_by"), lang));
		row_text(b, "appeal_grounds", lang, str_or_null(k, "appeal_grounds"));
	}
	if (str_or_null(k, "appeal_outcome")) {
		row_text(b, "appeal_outcome", lang, doc_label2("appeal_", str_or_null(k, "appeal_outcome"), lang));
		row_date(b, "appeal_decided_on", lang, str_or_null(k, "appeal_decided_on"));
		row_text(b, "appeal_reasons", lang, str_or_null(k, "appeal_reasons"));
	}
	signature(b, "signature_authority", lang);
	buf_puts(b, "</table>\n");
}

/* Which states a document kind is available in (bit per breach_states index), and its title key. */
static const struct {
	const char *kind, *title;
	unsigned states;
	const char *unavailable;
} doc_kinds[] = {
	{"notification", "title_notification", 0x7ffu, ""},
	{"referral-pack", "title_referral", (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8),
	 "The referral pack exists once a unit head has countersigned the assessment (and while it is referred or "
	 "decided)."},
	{"decision", "title_decision", (1u << 6) | (1u << 7) | (1u << 8),
	 "The decision exists once the competent authority has decided the allegation."},
};

void api_breach_document(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *kind = http_request_param(req, "kind"), *query_lang = NULL;
	size_t which = sizeof doc_kinds / sizeof doc_kinds[0];
	for (size_t i = 0; kind && i < sizeof doc_kinds / sizeof doc_kinds[0]; i++)
		if (strcmp(doc_kinds[i].kind, kind) == 0)
			which = i;
	if (which == sizeof doc_kinds / sizeof doc_kinds[0]) {
		api_not_found(req, resp, "document");
		return;
	}
	struct breach_row b;
	struct record_scope s = {0};
	bool authority = false;
	if (!api_lang_query(req, resp, &query_lang) || !api_begin(req, resp) || !breach_load(req, resp, id, &b) ||
	    !breach_reach(req, resp, &b, &authority, &s))
		return;
	int state = breach_state_index(b.state);
	if (state < 0 || !(doc_kinds[which].states & (1u << state))) {
		db_rollback(req->db);
		http_problem_with(resp, req, 409, "document-not-available", "The document is not available yet",
		                  doc_kinds[which].unavailable, NULL, json_pack("{s:s}", "state", b.state));
		return;
	}
	const json_t *wording = wording_document(&docs);
	char lang[3];
	if (query_lang)
		snprintf(lang, sizeof lang, "%s", query_lang);
	else if (condition_person_language(req->db, b.person_id, lang) != DB_OK) {
		api_db_failed(req, resp, "reading the person's language");
		return;
	}
	char today[11];
	json_t *rows = api_today(req->db, today)
	                   ? api_select(req->db, BREACH_COLUMNS ", p.birth_date, oa.display_name AS officer_name,"
	                                " rr.title_ky AS response_title_ky, rr.title_ru AS response_title_ru,"
	                                " rr.title_en AS response_title_en" BREACH_FROM
	                                " LEFT JOIN account oa ON oa.id = c.officer_id WHERE b.id = ?", "t", b.id)
	                   : NULL;
	bool ok = rows && breaches_fill(req->db, rows, lang, today) && json_array_size(rows) == 1 && wording;
	json_t *k = ok ? json_array_get(rows, 0) : NULL;
	json_t *decisions = NULL, *in_force = NULL, *alert = NULL;
	if (ok && which == 1) {
		decisions = api_select(req->db,
			"SELECT d.authority, d.number, d.decided_on, d.measure, m.title_ky, m.title_ru, m.title_en FROM decision d"
			" LEFT JOIN ref_measure m ON m.code = d.measure WHERE d.case_id = ? AND d.status = 'in_force'"
			" ORDER BY d.decided_on, d.id", "t", b.case_id);
		in_force = decisions ? condition_list_json(req->db, b.case_id, lang, today) : NULL;
		bool failed = false;
		alert = in_force ? api_select_one(req->db, &failed,
			"SELECT a.rule_code, a.summary, a.evidence, r.title_ky, r.title_ru, r.title_en FROM alert a"
			" LEFT JOIN compliance_rule r ON r.code = a.rule_code WHERE a.id = ?", "t", text_of(k, "alert_id")) : NULL;
		ok = in_force && !failed;
		/* Only the conditions in force. */
		if (ok) {
			json_t *active = json_array();
			size_t i;
			json_t *c;
			json_array_foreach(in_force, i, c) {
				if (strcmp(text_of(c, "status"), "active") == 0)
					json_array_append(active, c);
			}
			json_decref(in_force);
			in_force = active;
		}
	}
	char tz[APPOINTMENT_ZONE_LEN] = "";
	if (ok && which == 1 && !appointments_zone(req->db, tz))
		ok = false;
	if (ok) {
		/* Dates of the instants (local). */
		char on[11];
		if (str_or_null(k, "countersigned_at")) {
			db_stmt *st = NULL;
			int64_t ms = 0;
			if (db_query(req->db, &st, "SELECT countersigned_at, referred_at FROM breach WHERE id = ?", "t", b.id) ==
			    DB_OK && db_step(st) == DB_ROW) {
				ms = db_column_int64(st, 0);
				int64_t referred = db_column_int64(st, 1);
				if (ms && api_local_date(req->db, ms, on))
					json_object_set_new(k, "countersigned_on", json_string(on));
				if (referred && api_local_date(req->db, referred, on))
					json_object_set_new(k, "referred_on", json_string(on));
			}
			db_finalize(&st);
		}
	}
	if (!ok) {
		json_decref(rows);
		json_decref(decisions);
		json_decref(in_force);
		json_decref(alert);
		api_db_failed(req, resp, "printing a breach document");
		return;
	}
	struct buf doc = {0};
	const char *title = doc_label(doc_kinds[which].title, lang);
	html_document_begin(&doc, lang, title);
	buf_puts(&doc, "<h1>");
	html_escape(&doc, title);
	buf_puts(&doc, "</h1>\n");
	heading(&doc, "person", lang);
	person_table(&doc, k, lang);
	buf_puts(&doc, "<p>");
	if (which == 0)
		render_notification(&doc, k, lang);
	else if (which == 1)
		render_referral(&doc, k, decisions, in_force, alert, tz, lang);
	else
		render_decision(&doc, k, lang);
	buf_puts(&doc, "<footer>\n<p class=\"muted\">");
	put_l(&doc, "generated", lang);
	buf_puts(&doc, ": ");
	put_human_date(&doc, lang, today);
	buf_printf(&doc, " · Kadam · %s@%lld</p>\n</footer>\n", text_of(wording, "id"),
	           (long long)json_integer_value(json_object_get(wording, "version")));
	html_document_end(&doc);
	json_decref(rows);
	json_decref(decisions);
	json_decref(in_force);
	json_decref(alert);
	char detail[64];
	snprintf(detail, sizeof detail, "%s lang=%s", doc_kinds[which].kind, lang);
	if (!authority) {
		scope_send_document(req, resp, &s, "breach", b.id, detail, &doc);
		return;
	}
	/* The authority's reading: logged with the referral as its basis, then the same page and policy. */
	if (!breach_audit(req, true, &s, AUDIT_CONSULT, "breach", b.id, detail)) {
		buf_free(&doc);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	if (!api_commit(req, resp)) {
		buf_free(&doc);
		return;
	}
	http_response_text(resp, 200, "text/html; charset=utf-8", doc.data, doc.len);
	buf_free(&doc);
	http_response_header(resp, "Content-Security-Policy", html_style_csp());
	http_response_header(resp, "Content-Disposition", "inline");
}
