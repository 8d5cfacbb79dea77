/* me.c — the caller's own account: who am I, my sessions, my language. */
#include <string.h>

#include "api/api.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/session.h"
#include "base/clock.h"
#include "domain/account.h"

/* One column of one row, as JSON (NULL when the query fails or finds nothing). */
static json_t *one_row(db *conn, const char *sql, const char *id)
{
	db_stmt *st = NULL;
	json_t *out = NULL;
	if (id && db_query(conn, &st, sql, "t", id) == DB_OK && db_step(st) == DB_ROW)
		out = api_row_json(st);
	db_finalize(&st);
	return out;
}

json_t *api_me_json(struct http_request *req, struct http_response *resp)
{
	const struct principal *p = &req->principal;
	json_t *agency = one_row(req->db, "SELECT id, name, kind FROM agency WHERE id = ?", p->agency_id);
	json_t *unit = p->unit_id[0] ? one_row(req->db, "SELECT id, name FROM unit WHERE id = ?", p->unit_id)
	                             : json_null();
	json_t *roles = json_array();
	db_stmt *st = NULL;
	bool ok = agency && unit && account_roles_query(req->db, p->account_id, &st) == DB_OK;
	enum db_status rc = DB_DONE;
	while (ok && (rc = db_step(st)) == DB_ROW)
		json_array_append_new(roles, json_string(db_column_text(st, 0, NULL)));
	db_finalize(&st);
	if (!ok || rc != DB_DONE) {
		json_decref(agency);
		json_decref(unit);
		json_decref(roles);
		api_db_failed(req, resp, "reading the caller's account");
		return NULL;
	}
	json_t *permissions = json_array();
	for (int i = 0; i < p->npermissions; i++)
		json_array_append_new(permissions, json_string(p->permissions[i]));
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:s}", "id", p->account_id, "login", p->login,
	                 "display_name", p->display_name, "agency", agency, "unit", unit, "roles", roles,
	                 "permissions", permissions, "preferred_language", p->preferred_language);
}

void api_me_sessions(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	db_stmt *st = NULL;
	json_t *items = NULL;
	if (db_query(req->db, &st,
	             "SELECT id, created_at, last_seen_at, expires_at, remote_addr, user_agent,"
	             " (CASE WHEN id = ? THEN 1 ELSE 0 END) AS is_current FROM session"
	             " WHERE account_id = ? AND ended_at IS NULL AND expires_at > ? AND last_seen_at > ?"
	             " ORDER BY created_at DESC",
	             "ttii", req->principal.session_id, req->principal.account_id, clock_now_ms(),
	             clock_now_ms() - SESSION_IDLE_MS) == DB_OK)
		items = api_rows_json(st);
	db_finalize(&st);
	if (!items) {
		api_db_failed(req, resp, "listing sessions");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_me_session_end(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	if (!api_begin(req, resp))
		return;
	bool ended = false;
	if (session_end(req->db, id, req->principal.account_id, "ended by its owner", clock_now_ms(), &ended) !=
	    DB_OK) {
		api_db_failed(req, resp, "ending a session");
		return;
	}
	if (!ended) {
		db_rollback(req->db);
		api_not_found(req, resp, "session of yours");
		return;
	}
	if (!api_audit(req, AUDIT_AUTH_SESSION_END, "session", id, AUDIT_OUTCOME_SUCCESS, "ended by its owner")) {
		api_db_failed(req, resp, "logging a session end");
		return;
	}
	if (api_commit(req, resp))
		resp->status = 204;
}

static const char *const languages[] = {"ky", "ru", "en", NULL};

void api_me_preferences(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	const struct field_rule rules[] = {{"preferred_language", FIELD_ENUM, true, 0, 0, languages}};
	validate_object(req->json, rules, 1, &fe);
	if (field_errors_respond(&fe, resp, req))
		return;
	const char *lang = api_str(req, "preferred_language");
	if (!api_begin(req, resp))
		return;
	if (account_set_language(req->db, req->principal.account_id, lang, clock_now_ms()) != ACCOUNT_OK ||
	    !api_audit(req, AUDIT_ALTER, "account", req->principal.account_id, AUDIT_OUTCOME_SUCCESS,
	               "preferred_language")) {
		api_db_failed(req, resp, "setting the language");
		return;
	}
	snprintf(req->principal.preferred_language, sizeof req->principal.preferred_language, "%s", lang);
	json_t *me = api_me_json(req, resp);
	if (!me)
		return;
	if (!api_commit(req, resp)) {
		json_decref(me);
		return;
	}
	http_response_json(resp, 200, me);
}
