/*
 * grants.c — sharing a unit's records with an account for a time, and
 * break-glass access (S17): a written reason, at most four hours, and the
 * heads of the unit are told at once. Both are in the processing log.
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/account.h"
#include "domain/grant.h"
#include "domain/org.h"

/* Answers with one grant (status 200/201) after committing. */
static void answer_grant(struct http_request *req, struct http_response *resp, const char *scope_unit,
                         const char *id, int status)
{
	db_stmt *st = NULL;
	json_t *rows = grant_query(req->db, scope_unit, id, &st) == DB_OK ? api_rows_json(st) : NULL;
	db_finalize(&st);
	if (!rows || json_array_size(rows) != 1) {
		json_decref(rows);
		api_db_failed(req, resp, "reading a grant");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	json_t *grant = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	http_response_json(resp, status, grant);
}

static bool require_unit(struct http_request *req, struct http_response *resp)
{
	if (req->principal.unit_id[0])
		return true;
	http_problem(resp, req, 409, "no-unit", "Your account has no unit",
	             "Grants are made on units within one's own unit.", NULL);
	return false;
}

void api_grants_list(struct http_request *req, struct http_response *resp)
{
	if (!require_unit(req, resp) || !api_begin(req, resp))
		return;
	db_stmt *st = NULL;
	json_t *items = grant_query(req->db, req->principal.unit_id, NULL, &st) == DB_OK ? api_rows_json(st) : NULL;
	db_finalize(&st);
	if (!items || !api_audit(req, AUDIT_CONSULT, "access_grant", NULL, AUDIT_OUTCOME_SUCCESS, "list")) {
		json_decref(items);
		api_db_failed(req, resp, "listing grants");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

static const char *const purposes[] = {"supervision", "administration", "investigation", "audit", "disclosure", NULL};

static const struct field_rule share_rules[] = {
	{"account_id", FIELD_STRING, true, 36, 36, NULL},
	{"unit_id", FIELD_STRING, true, 36, 36, NULL},
	{"purpose", FIELD_ENUM, true, 0, 0, purposes},
	{"justification", FIELD_STRING, true, 10, 500, NULL},
	{"expires_in_hours", FIELD_INTEGER, true, 1, 720, NULL},
};

void api_grant_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, share_rules, 5, &fe);
	if (field_errors_respond(&fe, resp, req) || !require_unit(req, resp) || !api_begin(req, resp))
		return;
	const char *unit = api_str(req, "unit_id"), *account = api_str(req, "account_id");
	enum unit_access access = policy_unit_access(req->db, &req->principal, unit, NULL, false, clock_now_ms(), NULL);
	if (access == UNIT_ACCESS_ERROR) {
		api_db_failed(req, resp, "deciding access");
		return;
	}
	if (access != UNIT_ACCESS_OWN) {
		db_rollback(req->db);
		api_audit_denied(req, "unit", unit, "sharing a unit outside one's own scope");
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             "Only a unit within your own can be shared.", NULL);
		return;
	}
	struct account_login a;
	bool found = false;
	if (account_for_id(req->db, account, &found, &a) != DB_OK) {
		api_db_failed(req, resp, "reading an account");
		return;
	}
	if (!found || strcmp(a.status, "active") != 0 || strcmp(a.id, req->principal.account_id) == 0) {
		db_rollback(req->db);
		field_error(&fe, "account_id", "must be another active account");
		field_errors_respond(&fe, resp, req);
		return;
	}
	/* A partner organisation's staff see only what referrals share (S16): never a unit's records. */
	bool failed = false;
	json_t *partner = api_select_one(req->db, &failed,
		"SELECT a.id FROM account a JOIN agency g ON g.id = a.agency_id WHERE a.id = ? AND g.kind = 'partner'",
		"t", account);
	json_decref(partner);
	if (failed) {
		api_db_failed(req, resp, "reading an account");
		return;
	}
	if (partner) {
		db_rollback(req->db);
		field_error(&fe, "account_id",
		            "belongs to a partner organisation, which sees only what referrals share with it");
		field_errors_respond(&fe, resp, req);
		return;
	}
	int64_t now = clock_now_ms();
	int64_t hours = json_integer_value(json_object_get(req->json, "expires_in_hours"));
	char id[UUID_STR_LEN];
	if (grant_create(req->db, "share", account, unit, api_str(req, "purpose"), api_str(req, "justification"),
	                 req->principal.account_id, now, now + hours * 3600000LL, id) != DB_OK ||
	    !api_audit_why(req, AUDIT_GRANT_CREATE, "access_grant", id, AUDIT_OUTCOME_SUCCESS, account,
	                   api_str(req, "purpose"), api_str(req, "justification"))) {
		api_db_failed(req, resp, "creating a grant");
		return;
	}
	answer_grant(req, resp, req->principal.unit_id, id, 201);
}

void api_grant_revoke(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	if (!require_unit(req, resp) || !api_begin(req, resp))
		return;
	char unit[UUID_STR_LEN];
	if (grant_unit(req->db, id, unit) != DB_OK) {
		api_db_failed(req, resp, "reading a grant");
		return;
	}
	enum unit_access access = unit[0] ? policy_unit_access(req->db, &req->principal, unit, NULL, false,
	                                                       clock_now_ms(), NULL)
	                                  : UNIT_ACCESS_DENIED;
	if (access != UNIT_ACCESS_OWN) {
		db_rollback(req->db);
		api_not_found(req, resp, "live grant on a unit of yours");
		return;
	}
	if (grant_revoke(req->db, id, clock_now_ms()) != DB_OK ||
	    !api_audit(req, AUDIT_GRANT_REVOKE, "access_grant", id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "revoking a grant");
		return;
	}
	if (api_commit(req, resp))
		resp->status = 204;
}

static const struct field_rule glass_rules[] = {
	{"unit_id", FIELD_STRING, true, 36, 36, NULL},
	{"justification", FIELD_STRING, true, 20, 1000, NULL},
	{"minutes", FIELD_INTEGER, true, 15, 240, NULL},
};

void api_break_glass(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, glass_rules, 3, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	const char *unit = api_str(req, "unit_id");
	char agency[UUID_STR_LEN];
	if (org_unit_agency(req->db, unit, agency) != DB_OK) {
		api_db_failed(req, resp, "reading a unit");
		return;
	}
	if (!agency[0]) {
		db_rollback(req->db);
		field_error(&fe, "unit_id", "is not a known unit");
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (strcmp(agency, req->principal.agency_id) != 0) {
		db_rollback(req->db);
		api_audit_denied(req, "unit", unit, "break-glass outside the caller's agency");
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             "Emergency access reaches only units of your own agency.", NULL);
		return;
	}
	enum unit_access access = policy_unit_access(req->db, &req->principal, unit, NULL, false, clock_now_ms(), NULL);
	if (access == UNIT_ACCESS_OWN || access == UNIT_ACCESS_GRANTED) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "not-needed", "You already have access",
		             "This unit is within your scope or covered by a live grant.", NULL);
		return;
	}
	int64_t now = clock_now_ms();
	int64_t minutes = json_integer_value(json_object_get(req->json, "minutes"));
	char id[UUID_STR_LEN];
	int64_t told = 0;
	const struct principal *p = &req->principal;
	char *subject = xasprintf("%s (%s) took emergency access to this unit for %lld minutes", p->display_name,
	                          p->login, (long long)minutes);
	bool ok = grant_create(req->db, "break_glass", p->account_id, unit, "emergency", api_str(req, "justification"),
	                       p->account_id, now, now + minutes * 60000LL, id) == DB_OK &&
	          notify_unit_heads(req->db, unit, "break_glass", subject, "unit", unit, now, &told) == DB_OK;
	free(subject);
	char detail[64];
	snprintf(detail, sizeof detail, "unit heads notified: %lld", (long long)told);
	if (!ok || !api_audit_why(req, AUDIT_ACCESS_BREAK_GLASS, "unit", unit, AUDIT_OUTCOME_SUCCESS, detail,
	                          "emergency", api_str(req, "justification"))) {
		api_db_failed(req, resp, "breaking the glass");
		return;
	}
	db_stmt *st = NULL;
	json_t *grant = NULL;
	if (db_query(req->db, &st,
	             "SELECT id, kind, account_id, unit_id, purpose, justification, created_at, expires_at"
	             " FROM access_grant WHERE id = ?", "t", id) == DB_OK && db_step(st) == DB_ROW)
		grant = api_row_json(st);
	db_finalize(&st);
	if (!grant) {
		api_db_failed(req, resp, "reading a grant");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(grant);
		return;
	}
	json_object_set_new(grant, "notified", json_integer(told));
	http_response_json(resp, 201, grant);
}

void api_me_notifications(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	db_stmt *st = NULL;
	json_t *items = db_query(req->db, &st,
		"SELECT id, kind, subject, record_type, record_id, created_at, read_at FROM notification"
		" WHERE account_id = ? ORDER BY created_at DESC LIMIT 100", "t", req->principal.account_id) == DB_OK
		? api_rows_json(st) : NULL;
	db_finalize(&st);
	if (!items) {
		api_db_failed(req, resp, "listing notifications");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	size_t unread = 0, i;
	json_t *n;
	json_array_foreach(items, i, n) unread += json_is_null(json_object_get(n, "read_at"));
	http_response_json(resp, 200, json_pack("{s:o, s:I}", "items", items, "unread", (json_int_t)unread));
}

void api_me_notification_read(struct http_request *req, struct http_response *resp)
{
	int64_t changed = 0;
	if (!api_begin(req, resp))
		return;
	if (db_run(req->db, &changed,
	           "UPDATE notification SET read_at = COALESCE(read_at, ?) WHERE id = ? AND account_id = ?", "itt",
	           clock_now_ms(), http_request_param(req, "id"), req->principal.account_id) != DB_OK) {
		api_db_failed(req, resp, "marking a notification");
		return;
	}
	if (!changed) {
		db_rollback(req->db);
		api_not_found(req, resp, "notification of yours");
		return;
	}
	if (api_commit(req, resp))
		resp->status = 204;
}
