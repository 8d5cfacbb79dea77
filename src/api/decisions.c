/*
 * decisions.c — the legal basis of a case. Key dates are computed from the
 * decision (domain/keydates.c), never typed, and recomputed on every change;
 * the timeline shows each date computed and each date that moved.
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"


static const struct field_rule decision_rules[] = {
	{"authority", FIELD_STRING, true, 2, 200, NULL},
	{"number", FIELD_STRING, false, 0, 60, NULL},
	{"decided_on", FIELD_DATE, true, 0, 0, NULL},
	{"measure", FIELD_STRING, true, 1, 40, NULL},
	{"articles", FIELD_ARRAY, true, 1, 20, NULL},
	{"start_on", FIELD_DATE, true, 0, 0, NULL},
	{"term", FIELD_STRING, true, 2, 20, NULL},
	{"remand_days", FIELD_INTEGER, false, 0, 20000, NULL},
	{"duties", FIELD_ARRAY, false, 0, 30, NULL},
};


bool decision_body_validate(const json_t *b, struct field_errors *fe)
{
	/* A start before the decision is possible (time served on remand), so the dates are not compared. */
	if (validate_object(b, decision_rules, NRULES(decision_rules), fe)) {
		validate_strings(json_object_get(b, "articles"), "articles", 1, 40, fe);
		if (json_object_get(b, "duties"))
			validate_strings(json_object_get(b, "duties"), "duties", 1, 40, fe);
	}
	return fe->list == NULL;
}

/* Checks the body; fills f (articles point into the body; *duties_r is malloc'd). */
static bool read_decision(struct http_request *req, struct http_response *resp, struct decision_fields *f,
                          const char **articles, char **duties_r)
{
	struct field_errors fe = {0};
	const json_t *b = req->json;
	*duties_r = NULL;
	decision_body_validate(b, &fe);
	if (field_errors_respond(&fe, resp, req))
		return false;
	memset(f, 0, sizeof *f);
	f->authority = json_str(b, "authority");
	f->number = json_str(b, "number");
	f->decided_on = json_str(b, "decided_on");
	f->measure = json_str(b, "measure");
	f->start_on = json_str(b, "start_on");
	f->term = json_str(b, "term");
	f->remand_days = json_integer_value(json_object_get(b, "remand_days"));
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(b, "articles"), i, v)
		articles[f->narticles++] = json_string_value(v);
	f->articles = articles;
	struct buf duties = {0};
	json_array_foreach(json_object_get(b, "duties"), i, v) {
		if (duties.len)
			buf_putc(&duties, ',');
		buf_puts(&duties, json_string_value(v));
	}
	*duties_r = buf_steal(&duties);
	f->duties = *duties_r ? *duties_r : "";
	return true;
}

bool decision_json_fill(db *conn, json_t *d)
{
	const char *id = json_string_value(json_object_get(d, "id"));
	json_t *articles = api_select(conn, "SELECT article FROM decision_article WHERE decision_id = ? ORDER BY article",
	                              "t", id);
	json_t *dates = api_select(conn, "SELECT kind, date, explanation, computed_at FROM key_date"
	                                 " WHERE decision_id = ? ORDER BY kind DESC", "t", id);
	if (!articles || !dates) {
		json_decref(articles);
		json_decref(dates);
		return false;
	}
	json_t *codes = json_array(), *a;
	size_t i;
	json_array_foreach(articles, i, a)
		json_array_append(codes, json_object_get(a, "article"));
	json_decref(articles);
	json_object_set_new(d, "articles", codes);
	json_array_foreach(dates, i, a) {
		json_t *why = json_loads(json_string_value(json_object_get(a, "explanation")), 0, NULL);
		json_object_set_new(a, "explanation", why ? why : json_null());
	}
	json_object_set_new(d, "key_dates", dates);
	json_t *duties = json_array();
	char *copy = xstrdup(json_string_value(json_object_get(d, "duties"))), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(duties, json_string(t));
	free(copy);
	json_object_set_new(d, "duties", duties);
	return true;
}

/* Answers with the decision and its key dates. */
static void answer_decision(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *d = api_select_one(req->db, &failed,
		"SELECT id, case_id, authority, number, decided_on, measure, start_on, term, remand_days, duties, status,"
		" version, created_at, updated_at FROM decision WHERE id = ?", "t", id);
	if (!d || !decision_json_fill(req->db, d)) {
		json_decref(d);
		api_db_failed(req, resp, "reading a decision");
		return;
	}
	api_commit_send(req, resp, status, d);
}

static bool problem_answer(struct http_request *req, struct http_response *resp, const struct decision_problem *p)
{
	if (!p->field)
		return false;
	db_rollback(req->db);
	struct field_errors fe = {0};
	field_error(&fe, p->field, "%s", p->message);
	field_errors_respond(&fe, resp, req);
	return true;
}

void api_decision_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct decision_fields f;
	const char *articles[20];
	char *duties = NULL;
	struct record_scope s;
	if (!read_decision(req, resp, &f, articles, &duties) || !api_begin(req, resp) ||
	    !scope_case(req, resp, case_id, &s)) {
		free(duties);
		return;
	}
	if (strcmp(s.status, "closed") == 0) {
		free(duties);
		db_rollback(req->db);
		http_problem(resp, req, 409, "closed", "The case is closed", "Decisions are recorded on open cases.", NULL);
		return;
	}
	struct decision_problem p;
	char id[UUID_STR_LEN];
	enum db_status rc = decision_create(req->db, case_id, &f, req->principal.account_id, clock_now_ms(), id, &p);
	free(duties);
	if (rc != DB_OK) {
		api_db_failed(req, resp, "recording a decision");
		return;
	}
	if (problem_answer(req, resp, &p))
		return;
	if (!scope_audit(req, &s, AUDIT_COLLECT, "decision", id, case_id)) {
		api_db_failed(req, resp, "logging a decision");
		return;
	}
	answer_decision(req, resp, id, 201);
}

void api_decision_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct decision_fields f;
	const char *articles[20];
	char *duties = NULL;
	int64_t version = 0;
	if (!read_decision(req, resp, &f, articles, &duties) || !api_if_match(req, resp, &version) ||
	    !api_begin(req, resp)) {
		free(duties);
		return;
	}
	bool failed = false;
	json_t *d = api_select_one(req->db, &failed, "SELECT case_id FROM decision WHERE id = ?", "t", id);
	if (!d) {
		free(duties);
		if (failed) {
			api_db_failed(req, resp, "reading a decision");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "decision");
		}
		return;
	}
	char case_id[UUID_STR_LEN];
	snprintf(case_id, sizeof case_id, "%s", json_string_value(json_object_get(d, "case_id")));
	json_decref(d);
	struct record_scope s;
	if (!scope_case(req, resp, case_id, &s)) {
		free(duties);
		return;
	}
	struct decision_problem p;
	bool stale = false;
	enum db_status rc = decision_update(req->db, id, &f, version, req->principal.account_id, clock_now_ms(), &stale,
	                                    &p);
	free(duties);
	if (rc != DB_OK) {
		api_db_failed(req, resp, "changing a decision");
		return;
	}
	if (problem_answer(req, resp, &p))
		return;
	if (stale) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this decision since you read it; read it again.", NULL);
		return;
	}
	if (!scope_audit(req, &s, AUDIT_ALTER, "decision", id, case_id)) {
		api_db_failed(req, resp, "logging a decision");
		return;
	}
	answer_decision(req, resp, id, 200);
}
