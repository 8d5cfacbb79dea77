/* tokens.c — API tokens for machine clients: scoped, expiring, revocable, shown once. */
#include <string.h>

#include "api/api.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/session.h"
#include "auth/token.h"
#include "base/clock.h"

/* Rows of api_token with their permissions as an array. NULL on error. */
static json_t *tokens_json(db *conn, const char *id)
{
	db_stmt *st = NULL;
	json_t *items = db_query(conn, &st,
		"SELECT id, name, created_by, created_at, expires_at, revoked_at, last_used_at FROM api_token"
		" WHERE (CAST(? AS TEXT) IS NULL OR id = ?) ORDER BY created_at DESC", "tt", id, id) == DB_OK
		? api_rows_json(st) : NULL;
	db_finalize(&st);
	size_t i;
	json_t *t;
	json_array_foreach(items, i, t) {
		json_t *perms = json_array();
		enum db_status rc = db_query(conn, &st,
			"SELECT permission FROM api_token_permission WHERE token_id = ? ORDER BY permission", "t",
			json_string_value(json_object_get(t, "id")));
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			json_array_append_new(perms, json_string(db_column_text(st, 0, NULL)));
			rc = DB_OK;
		}
		db_finalize(&st);
		json_object_set_new(t, "permissions", perms);
		if (rc != DB_DONE) {
			json_decref(items);
			return NULL;
		}
	}
	return items;
}

void api_tokens_list(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	json_t *items = tokens_json(req->db, NULL);
	if (!items) {
		api_db_failed(req, resp, "listing tokens");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

static const struct field_rule create_rules[] = {
	{"name", FIELD_STRING, true, 1, 100, NULL},
	{"expires_in_days", FIELD_INTEGER, true, 1, 365, NULL},
};

void api_token_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	json_t *copy = json_deep_copy(req->json);
	json_t *perms = json_object_get(req->json, "permissions");
	if (json_is_object(copy))
		json_object_del(copy, "permissions");
	validate_object(copy, create_rules, 2, &fe);
	json_decref(copy);
	if (!json_is_array(perms) || json_array_size(perms) == 0 || json_array_size(perms) > 32) {
		field_error(&fe, "permissions", "must be an array of 1 to 32 permission names");
	} else {
		size_t i;
		json_t *p;
		json_array_foreach(perms, i, p) {
			const char *name = json_string_value(p);
			if (!policy_permission_grantable(name)) {
				field_error(&fe, "permissions", "'%s' is not a permission", name ? name : "(not a string)");
				break;
			}
			/* Nobody hands out more than they hold. */
			if (!policy_has(&req->principal, name)) {
				field_error(&fe, "permissions", "you do not hold '%s' yourself", name);
				break;
			}
		}
	}
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	char id[UUID_STR_LEN], secret[TOKEN_SIZE], hash[TOKEN_HASH_SIZE];
	uuid_v7(id);
	token_generate(API_TOKEN_PREFIX, secret);
	token_hash(secret, hash);
	int64_t now = clock_now_ms();
	int64_t days = json_integer_value(json_object_get(req->json, "expires_in_days"));
	const struct principal *p = &req->principal;
	enum db_status rc = db_run(req->db, NULL,
		"INSERT INTO api_token (id, name, token_hash, agency_id, unit_id, created_by, created_at, expires_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "ttttttii", id,
		api_str(req, "name"), hash, p->agency_id, p->unit_id[0] ? p->unit_id : NULL, p->account_id, now,
		now + days * 86400000LL);
	size_t i;
	json_t *perm;
	json_array_foreach(perms, i, perm) {
		if (rc == DB_OK)
			rc = db_run(req->db, NULL, "INSERT INTO api_token_permission (token_id, permission) VALUES (?, ?)",
			            "tt", id, json_string_value(perm));
	}
	if (rc != DB_OK || !api_audit(req, AUDIT_TOKEN_CREATE, "api_token", id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "creating a token");
		return;
	}
	json_t *items = tokens_json(req->db, id);
	if (!items) {
		api_db_failed(req, resp, "reading a token");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	json_t *token = json_incref(json_array_get(items, 0));
	json_decref(items);
	char *location = xasprintf("/api/v1/tokens/%s", id);
	http_response_header(resp, "Location", location);
	free(location);
	http_response_json(resp, 201, json_pack("{s:o, s:s}", "token", token, "secret", secret));
}

void api_token_revoke(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	int64_t changed = 0;
	if (!api_begin(req, resp))
		return;
	if (db_run(req->db, &changed, "UPDATE api_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
	           "it", clock_now_ms(), id) != DB_OK) {
		api_db_failed(req, resp, "revoking a token");
		return;
	}
	if (!changed) {
		db_rollback(req->db);
		api_not_found(req, resp, "live token");
		return;
	}
	if (!api_audit(req, AUDIT_TOKEN_REVOKE, "api_token", id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "logging a revocation");
		return;
	}
	if (api_commit(req, resp))
		resp->status = 204;
}
