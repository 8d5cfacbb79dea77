/*
 * conditions.c — a case's imposed conditions (S1-S5): the list rendered in
 * the person's language with the S2 count and the S4 explanation status, a
 * preview that says whether the decision authorises the condition (S1) and
 * shows its text, imposing one, a condition with its history, and reviews
 * (S5). The rules live in domain/conditions.c.
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/conditions.h"

/* The language to render in: the one asked for, else the person's. */
static bool pick_lang(struct http_request *req, struct http_response *resp, const char *asked,
                      const char *person_id, char lang[3])
{
	if (asked) {
		snprintf(lang, 3, "%s", asked);
		return true;
	}
	if (condition_person_language(req->db, person_id, lang) != DB_OK) {
		api_db_failed(req, resp, "reading the person's language");
		return false;
	}
	return true;
}

/* Rolls back and answers 422 with the collected errors; false when there are none. */
static bool errors_answer(struct http_request *req, struct http_response *resp, struct field_errors *fe)
{
	if (!fe->list)
		return false;
	if (req->db && db_in_transaction(req->db))
		db_rollback(req->db);
	return field_errors_respond(fe, resp, req);
}

/* ---- the list -------------------------------------------------------------------------- */

void api_conditions_list(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *asked = NULL;
	struct record_scope s;
	char lang[3], today[11];
	if (!api_lang_query(req, resp, &asked) || !api_begin(req, resp) || !scope_case(req, resp, id, &s) ||
	    !pick_lang(req, resp, asked, s.person_id, lang))
		return;
	if (!api_today(req->db, today)) {
		api_db_failed(req, resp, "reading the date");
		return;
	}
	json_t *items = condition_list_json(req->db, id, lang, today);
	json_t *expl = api_select(req->db,
		"SELECT e.id, e.explained_on, e.language, e.explained_by, a.display_name AS explained_by_name,"
		" e.interpreter, e.acknowledged AS is_acknowledged, e.remarks, e.condition_ids, e.created_at"
		" FROM condition_explanation e JOIN account a ON a.id = e.explained_by WHERE e.case_id = ?"
		" ORDER BY e.explained_on DESC, e.created_at DESC", "t", id);
	int64_t active = 0;
	long warn = 0;
	if (!items || !expl || condition_active_count(req->db, id, &active) != DB_OK ||
	    condition_warn_above(req->db, &warn) != DB_OK ||
	    !scope_audit(req, &s, AUDIT_CONSULT, "case_conditions", id, lang)) {
		json_decref(items);
		json_decref(expl);
		api_db_failed(req, resp, "reading conditions");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(expl);
		return;
	}
	size_t i;
	json_t *e, *c;
	json_array_foreach(expl, i, e) {
		json_t *ids = json_loads(json_string_value(json_object_get(e, "condition_ids")), 0, NULL);
		json_object_set_new(e, "condition_ids", ids ? ids : json_array());
	}
	int64_t unexplained = 0;
	json_array_foreach(items, i, c)
		unexplained += strcmp(json_string_value(json_object_get(c, "status")), "active") == 0 &&
		               json_is_null(json_object_get(c, "explained"));
	http_response_json(resp, 200,
		json_pack("{s:s, s:o, s:I, s:I, s:b, s:I, s:o}", "lang", lang, "items", items, "active_count",
		          (json_int_t)active, "warn_above", (json_int_t)warn, "above_limit", active > warn,
		          "unexplained_count", (json_int_t)unexplained, "explanations", expl));
}

/* ---- preview and imposing --------------------------------------------------------------- */

/* The S2 warning when `count` active conditions would pass the agency's limit; JSON array. */
static json_t *limit_warnings(int64_t count, long warn)
{
	json_t *w = json_array();
	if (count > warn) {
		char *m = xasprintf("%lld active conditions; the agency's limit is %ld", (long long)count, warn);
		json_array_append_new(w, json_pack("{s:s, s:s}", "code", "above_limit", "message", m));
		free(m);
	}
	return w;
}

/*
 * The common start of preview and create: the body's checks, the case, the
 * input resolved against the catalogue and the decision. False after answering.
 */
static bool condition_start(struct http_request *req, struct http_response *resp, struct record_scope *s,
                            struct condition_fields *f, struct condition_type *t, char today[11])
{
	const char *case_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	memset(t, 0, sizeof *t);
	condition_input_validate(req->json, NULL, true, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, case_id, s) ||
	    !scope_may_change(req, resp, s, "case", case_id))
		return false;
	if (strcmp(s->status, "closed") == 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "closed", "The case is closed", "Conditions are imposed on open cases.", NULL);
		return false;
	}
	if (!api_today(req->db, today)) {
		api_db_failed(req, resp, "reading the date");
		return false;
	}
	struct catalogue_error err;
	if (condition_input_resolve(req->db, req->json, NULL, NULL, today, f, t, &err) != DB_OK) {
		condition_type_free(t);
		api_db_failed(req, resp, "checking a condition");
		return false;
	}
	if (err.field[0]) {
		condition_type_free(t);
		api_field_problem(req, resp, err.field, err.problem);
		return false;
	}
	f->case_id = case_id;
	return true;
}

void api_condition_preview(struct http_request *req, struct http_response *resp)
{
	struct record_scope s;
	struct condition_fields f;
	struct condition_type t;
	char today[11], reason[CONDITION_REASON_MAX];
	if (!condition_start(req, resp, &s, &f, &t, today))
		return;
	const char *field = NULL;
	enum db_status rc = condition_authorised(req->db, f.case_id, f.decision_id, f.duty, reason, sizeof reason, &field);
	/* Why, as codes the UI words in its language: the duty is not among the decision's, the decision is not in
	   force, or it is not this case's. */
	json_t *refusal = json_null();
	if (rc == DB_CONSTRAINT) {
		bool failed = false;
		json_t *d = field && strcmp(field, "duty") == 0 ? NULL :
			api_select_one(req->db, &failed, "SELECT status FROM decision WHERE id = ? AND case_id = ?", "tt",
			               f.decision_id, f.case_id);
		const char *why = field && strcmp(field, "duty") == 0 ? "duty_not_authorised" :
		                  d ? "decision_not_in_force" : "decision_of_another_case";
		json_decref(d);
		refusal = json_pack("{s:s, s:s?, s:s?}", "why", why, "duty", f.duty, "decision_id", f.decision_id);
	}
	int64_t active = 0;
	long warn = 0;
	if ((rc != DB_OK && rc != DB_CONSTRAINT) || condition_active_count(req->db, f.case_id, &active) != DB_OK ||
	    condition_warn_above(req->db, &warn) != DB_OK ||
	    !scope_audit(req, &s, AUDIT_CONSULT, "case_conditions", f.case_id, "preview")) {
		condition_type_free(&t);
		json_decref(refusal);
		api_db_failed(req, resp, "previewing a condition");
		return;
	}
	json_t *texts = condition_texts(f.code ? &t : NULL, f.free_text, f.params);
	condition_type_free(&t);
	if (!api_commit(req, resp)) {
		json_decref(texts);
		json_decref(refusal);
		return;
	}
	http_response_json(resp, 200,
		json_pack("{s:b, s:o, s:o, s:o, s:o}", "authorised", rc == DB_OK, "reason",
		          rc == DB_OK ? json_null() : json_string(reason), "refusal", refusal, "text", texts, "warnings",
		          limit_warnings(active + 1, warn)));
}

/* Answers 422 "not-authorised" naming the input at fault (S1). */
static void not_authorised(struct http_request *req, struct http_response *resp, const char *field,
                           const char *reason)
{
	db_rollback(req->db);
	json_t *errors = json_pack("[{s:s, s:s}]", "field", field, "message", reason);
	http_problem(resp, req, 422, "not-authorised", "The decision does not authorise this condition", reason,
	             errors);
}

void api_condition_create(struct http_request *req, struct http_response *resp)
{
	struct record_scope s;
	struct condition_fields f;
	struct condition_type t;
	char today[11], reason[CONDITION_REASON_MAX];
	const char *asked = NULL, *field = NULL;
	if (!api_lang_query(req, resp, &asked) || !condition_start(req, resp, &s, &f, &t, today))
		return;
	enum db_status rc = condition_authorised(req->db, f.case_id, f.decision_id, f.duty, reason, sizeof reason,
	                                         &field);
	if (rc == DB_CONSTRAINT) {
		condition_type_free(&t);
		not_authorised(req, resp, strcmp(field, "duty") == 0 && f.code ? "code" : field, reason);
		return;
	}
	char id[UUID_STR_LEN], lang[3];
	int64_t active = 0;
	long warn = 0;
	bool ok = rc == DB_OK && condition_insert(req->db, &f, req->principal.account_id, clock_now_ms(), id) == DB_OK &&
	          condition_active_count(req->db, f.case_id, &active) == DB_OK &&
	          condition_warn_above(req->db, &warn) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "condition", id, f.case_id);
	condition_type_free(&t);
	if (!ok) {
		api_db_failed(req, resp, "imposing a condition");
		return;
	}
	if (!pick_lang(req, resp, asked, s.person_id, lang))
		return;
	json_t *c = condition_json(req->db, id, lang, today);
	if (!c || !json_is_object(c)) {
		json_decref(c);
		api_db_failed(req, resp, "reading a condition");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(c);
		return;
	}
	json_object_set_new(c, "warnings", limit_warnings(active, warn));
	api_etag(resp, json_integer_value(json_object_get(c, "version")));
	http_response_json(resp, 201, c);
}

/* ---- one condition ---------------------------------------------------------------------- */

/* The condition's case and status; false after answering (404, 500). */
static bool condition_case(struct http_request *req, struct http_response *resp, const char *id,
                           char case_id[UUID_STR_LEN], char status[16], char decision_id[UUID_STR_LEN])
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT case_id, status, decision_id FROM case_condition WHERE id = ?", "t", uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a condition");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "condition");
		}
		return false;
	}
	snprintf(case_id, UUID_STR_LEN, "%s", json_string_value(json_object_get(row, "case_id")));
	snprintf(status, 16, "%s", json_string_value(json_object_get(row, "status")));
	snprintf(decision_id, UUID_STR_LEN, "%s", json_string_value(json_object_get(row, "decision_id")));
	json_decref(row);
	return true;
}

/* Adds reviews, the variations that touched it and its predecessors; false on a database error. */
static bool condition_history(db *conn, json_t *c, const char *lang, const char *today)
{
	const char *id = json_string_value(json_object_get(c, "id"));
	json_t *reviews = api_select(conn,
		"SELECT r.id, r.reviewed_on, a.display_name AS reviewed_by_name, r.outcome, r.note, r.next_review_on,"
		" r.created_at FROM condition_review r JOIN account a ON a.id = r.reviewed_by WHERE r.condition_id = ?"
		" ORDER BY r.reviewed_on DESC, r.created_at DESC", "t", id);
	json_t *variations = api_select(conn,
		"SELECT id, action, status, condition_id, result_condition_id, proposed_at, decided_at, effective_from"
		" FROM condition_variation WHERE condition_id = ? OR result_condition_id = ? ORDER BY proposed_at",
		"tt", id, id);
	json_t *history = json_array();
	json_object_set_new(c, "reviews", reviews ? reviews : json_array());
	json_object_set_new(c, "variations", variations ? variations : json_array());
	json_object_set_new(c, "history", history);
	if (!reviews || !variations)
		return false;
	const char *prev = json_string_value(json_object_get(c, "replaces_id"));
	for (int depth = 0; prev && depth < 100; depth++) {
		json_t *h = condition_json(conn, prev, lang, today);
		if (!h)
			return false;
		if (!json_is_object(h)) {
			json_decref(h);
			break;
		}
		json_array_append_new(history, h);
		prev = json_string_value(json_object_get(h, "replaces_id"));
	}
	return true;
}

void api_condition_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *asked = NULL;
	char case_id[UUID_STR_LEN], status[16], decision_id[UUID_STR_LEN], lang[3], today[11];
	struct record_scope s;
	if (!api_lang_query(req, resp, &asked) || !api_begin(req, resp) ||
	    !condition_case(req, resp, id, case_id, status, decision_id) || !scope_case(req, resp, case_id, &s) ||
	    !pick_lang(req, resp, asked, s.person_id, lang))
		return;
	if (!api_today(req->db, today)) {
		api_db_failed(req, resp, "reading the date");
		return;
	}
	json_t *c = condition_json(req->db, id, lang, today);
	if (!c || !json_is_object(c) || !condition_history(req->db, c, lang, today) ||
	    !scope_audit(req, &s, AUDIT_CONSULT, "condition", id, case_id)) {
		json_decref(c);
		api_db_failed(req, resp, "reading a condition");
		return;
	}
	api_commit_send(req, resp, 200, c);
}

/* ---- reviews (S5) --------------------------------------------------------------------- */

static const char *const outcomes[] = {"keep", "vary", "remove", NULL};

static const struct field_rule review_rules[] = {
	{"reviewed_on", FIELD_DATE, false, 0, 0, NULL},
	{"outcome", FIELD_ENUM, true, 0, 0, outcomes},
	{"note", FIELD_STRING, true, 1, 2000, NULL},
	{"next_review_on", FIELD_DATE, false, 0, 0, NULL},
};

void api_condition_review(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, review_rules, NRULES(review_rules), &fe) &&
	    strcmp(api_str(req, "outcome"), "keep") == 0 && !json_str(req->json, "next_review_on"))
		field_error(&fe, "next_review_on", "is required when the condition is kept");
	char case_id[UUID_STR_LEN], status[16], decision_id[UUID_STR_LEN], today[11];
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) ||
	    !condition_case(req, resp, id, case_id, status, decision_id) || !scope_case(req, resp, case_id, &s) ||
	    !scope_may_change(req, resp, &s, "case_condition", id))
		return;
	if (strcmp(status, "active") != 0) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "ended", "The condition has ended", "Only active conditions are reviewed.",
		             NULL);
		return;
	}
	if (!api_today(req->db, today)) {
		api_db_failed(req, resp, "reading the date");
		return;
	}
	const char *outcome = api_str(req, "outcome"), *next = json_str(req->json, "next_review_on");
	const char *on = json_str(req->json, "reviewed_on");
	if (!on)
		on = today;
	if (strcmp(on, today) > 0)
		field_error(&fe, "reviewed_on", "must not be in the future");
	if (next && strcmp(next, on) <= 0)
		field_error(&fe, "next_review_on", "must be after reviewed_on");
	bool failed = false;
	json_t *end = api_select_one(req->db, &failed,
		"SELECT date FROM key_date WHERE decision_id = ? AND kind = 'supervision_end' AND date IS NOT NULL", "t",
		decision_id);
	if (failed) {
		api_db_failed(req, resp, "reading key dates");
		return;
	}
	const char *end_on = json_string_value(json_object_get(end, "date"));
	if (next && end_on && strcmp(next, end_on) > 0)
		field_error(&fe, "next_review_on", "must be on or before the end of supervision (%s)", end_on);
	json_decref(end);
	if (errors_answer(req, resp, &fe))
		return;
	char review[UUID_STR_LEN];
	uuid_v7(review);
	int64_t now = clock_now_ms();
	struct buf detail = {0};
	buf_puts(&detail, "{\"condition_id\":");
	buf_json_string(&detail, id);
	buf_puts(&detail, ",\"outcome\":");
	buf_json_string(&detail, outcome);
	buf_puts(&detail, ",\"next_review_on\":");
	buf_json_string(&detail, next);
	buf_puts(&detail, "}");
	char *summary = xasprintf("Condition reviewed (%s)", outcome);
	bool keep = strcmp(outcome, "keep") == 0;
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO condition_review (id, condition_id, reviewed_on, reviewed_by, outcome, note,"
	                 " next_review_on, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                 "ttttttti", review, id, on, req->principal.account_id, outcome,
	                 api_str(req, "note"), next, now) == DB_OK &&
	          (!keep || db_run(req->db, NULL,
	                           "UPDATE case_condition SET review_on = ?, updated_at = ?, version = version + 1"
	                           " WHERE id = ?", "tit", next, now, id) == DB_OK) &&
	          case_event_add(req->db, case_id, now, "condition.reviewed", req->principal.account_id, summary,
	                         detail.data, "condition", id) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "condition_review", review, id) &&
	          (!keep || scope_audit(req, &s, AUDIT_ALTER, "condition", id, "review_on"));
	free(summary);
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "recording a review");
		return;
	}
	char lang[3];
	if (!pick_lang(req, resp, NULL, s.person_id, lang))
		return;
	json_t *r = api_select_one(req->db, &failed,
		"SELECT r.id, r.condition_id, r.reviewed_on, a.display_name AS reviewed_by_name, r.outcome, r.note,"
		" r.next_review_on, r.created_at FROM condition_review r JOIN account a ON a.id = r.reviewed_by"
		" WHERE r.id = ?", "t", review);
	json_t *c = r ? condition_json(req->db, id, lang, today) : NULL;
	if (!r || !c) {
		json_decref(r);
		json_decref(c);
		api_db_failed(req, resp, "reading a review");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(r);
		json_decref(c);
		return;
	}
	json_object_set_new(r, "condition", c);
	http_response_json(resp, 201, r);
}
