/* users.c — accounts for administrators: list, create, change, disable, resets. */
#include <string.h>

#include "api/api.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/password.h"
#include "auth/session.h"
#include "base/clock.h"
#include "domain/account.h"

static const char *const languages[] = {"ky", "ru", "en", NULL};

/* Reads one account as JSON with its roles; NULL when missing or on error (*failed_r tells). */
static json_t *load_user(db *conn, const char *id, bool *failed_r)
{
	db_stmt *st = NULL;
	json_t *user = NULL;
	*failed_r = true;
	enum db_status rc = account_query(conn, id, NULL, NULL, NULL, NULL, &st);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		user = api_row_json(st);
	db_finalize(&st);
	if (rc != DB_ROW) {
		*failed_r = rc != DB_DONE;
		return NULL;
	}
	json_t *roles = json_array();
	rc = account_roles_query(conn, id, &st);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_array_append_new(roles, json_string(db_column_text(st, 0, NULL)));
		rc = DB_OK;
	}
	db_finalize(&st);
	json_object_set_new(user, "roles", roles);
	if (rc != DB_DONE) {
		json_decref(user);
		return NULL;
	}
	*failed_r = false;
	return user;
}

/* Logs, commits and answers with the account (status 200 or 201). */
static void answer_user(struct http_request *req, struct http_response *resp, const char *id,
                        const char *action, const char *detail, int status, const char *one_time)
{
	if (!api_audit(req, action, "account", id, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "logging an account change");
		return;
	}
	bool failed = false;
	json_t *user = load_user(req->db, id, &failed);
	if (!user) {
		if (failed) {
			api_db_failed(req, resp, "reading an account");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "account");
		}
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(user);
		return;
	}
	api_etag(resp, json_integer_value(json_object_get(user, "version")));
	if (one_time)
		user = json_pack("{s:o, s:s}", "user", user, "one_time_password", one_time);
	http_response_json(resp, status, user);
}

void api_users_list(struct http_request *req, struct http_response *resp)
{
	const char *q = http_request_query(req, "q"), *agency = http_request_query(req, "agency_id");
	const char *unit = http_request_query(req, "unit_id"), *status = http_request_query(req, "status");
	struct field_errors fe = {0};
	if (q && utf8_length(q) > 100)
		field_error(&fe, "q", "must have at most 100 characters");
	if (agency && !uuid_valid(agency))
		field_error(&fe, "agency_id", "must be a UUID");
	if (unit && !uuid_valid(unit))
		field_error(&fe, "unit_id", "must be a UUID");
	if (status && strcmp(status, "active") != 0 && strcmp(status, "disabled") != 0)
		field_error(&fe, "status", "must be one of: active, disabled");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	db_stmt *st = NULL;
	json_t *items = account_query(req->db, NULL, q && *q ? q : NULL, agency, unit, status, &st) == DB_OK
	                        ? api_rows_json(st) : NULL;
	db_finalize(&st);
	/* Every account's roles in one query, then matched by id (no query per account). */
	json_t *roles_by_id = json_object();
	enum db_status rc = items ? db_query(req->db, &st, "SELECT account_id, role FROM account_role ORDER BY role", "")
	                          : DB_ERROR;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *id = db_column_text(st, 0, NULL);
		json_t *list = json_object_get(roles_by_id, id);
		if (!list)
			json_object_set_new(roles_by_id, id, list = json_array());
		json_array_append_new(list, json_string(db_column_text(st, 1, NULL)));
		rc = DB_OK;
	}
	db_finalize(&st);
	bool ok = rc == DB_DONE;
	size_t i;
	json_t *u;
	json_array_foreach(items, i, u) {
		json_t *list = json_object_get(roles_by_id, json_string_value(json_object_get(u, "id")));
		json_object_set_new(u, "roles", list ? json_incref(list) : json_array());
	}
	json_decref(roles_by_id);
	if (!ok || !api_audit(req, AUDIT_CONSULT, "account", NULL, AUDIT_OUTCOME_SUCCESS, "list")) {
		json_decref(items);
		api_db_failed(req, resp, "listing accounts");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_user_get(struct http_request *req, struct http_response *resp)
{
	/* Consulting an account is logged like any personal data. */
	if (api_begin(req, resp))
		answer_user(req, resp, http_request_param(req, "id"), AUDIT_CONSULT, NULL, 200, NULL);
}

static const struct field_rule create_rules[] = {
	{"login", FIELD_STRING, true, 2, 64, NULL},
	{"display_name", FIELD_STRING, true, 1, 200, NULL},
	{"agency_id", FIELD_STRING, true, 36, 36, NULL},
	{"unit_id", FIELD_STRING, false, 36, 36, NULL},
	{"roles", FIELD_STRING, true, 0, 0, NULL}, /* checked below: an array of names */
	{"preferred_language", FIELD_ENUM, false, 0, 0, languages},
};

/* Validates the fields shared by create and update; roles go into names. */
static bool read_fields(struct http_request *req, struct field_errors *fe, bool create,
                        struct account_fields *f, const char *names[ACCOUNT_MAX_ROLES])
{
	const struct field_rule *rules = create ? create_rules : create_rules + 1;
	size_t n = create ? 6 : 5;
	/* Everything but roles by the table; roles by hand. */
	json_t *copy = json_deep_copy(req->json);
	json_t *roles = json_object_get(req->json, "roles");
	if (json_is_object(copy))
		json_object_del(copy, "roles");
	struct field_rule without_roles[6];
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(rules[i].name, "roles") != 0)
			without_roles[m++] = rules[i];
	validate_object(copy, without_roles, m, fe);
	json_decref(copy);
	if (!json_is_array(roles) || json_array_size(roles) > ACCOUNT_MAX_ROLES) {
		field_error(fe, "roles", "must be an array of at most %d role names", ACCOUNT_MAX_ROLES);
	} else {
		size_t i;
		json_t *r;
		json_array_foreach(roles, i, r) {
			if (!json_is_string(r) || json_string_length(r) > 64) {
				field_error(fe, "roles", "must contain role names");
				break;
			}
			names[i] = json_string_value(r);
		}
	}
	const char *login = api_str(req, "login");
	if (create && login) {
		for (const char *c = login; *c; c++)
			if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-')) {
				field_error(fe, "login", "may use only a-z, 0-9, '.', '_' and '-'");
				break;
			}
	}
	*f = (struct account_fields){
		.login = login,
		.display_name = api_str(req, "display_name"),
		.agency_id = api_str(req, "agency_id"),
		.unit_id = api_str(req, "unit_id"),
		.preferred_language = api_str(req, "preferred_language") ? api_str(req, "preferred_language") : "ky",
		.roles = names,
		.nroles = json_is_array(roles) ? (int)json_array_size(roles) : 0,
	};
	return !fe->list;
}

/* Maps a domain result to an answer; true for ACCOUNT_OK. */
static bool account_answer(struct http_request *req, struct http_response *resp, enum account_result r)
{
	struct field_errors fe = {0};
	switch (r) {
	case ACCOUNT_OK: return true;
	case ACCOUNT_NOT_FOUND: db_rollback(req->db); api_not_found(req, resp, "account"); return false;
	case ACCOUNT_STALE:
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this account since you read it; read it again.", NULL);
		return false;
	case ACCOUNT_DUPLICATE:
		db_rollback(req->db);
		field_error(&fe, "login", "is already taken");
		field_errors_respond(&fe, resp, req);
		return false;
	case ACCOUNT_BAD_REF:
		db_rollback(req->db);
		field_error(&fe, "roles", "agency, unit (of that agency) and roles must all exist");
		field_errors_respond(&fe, resp, req);
		return false;
	case ACCOUNT_ERROR: break;
	}
	api_db_failed(req, resp, "changing an account");
	return false;
}

void api_user_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	struct account_fields f;
	const char *names[ACCOUNT_MAX_ROLES];
	if (!read_fields(req, &fe, true, &f, names)) {
		field_errors_respond(&fe, resp, req);
		return;
	}
	char one_time[PASSWORD_ONETIME_SIZE], hash[crypto_pwhash_STRBYTES], id[UUID_STR_LEN];
	password_generate_onetime(one_time);
	if (!password_hash(one_time, hash)) {
		api_internal_error(req, resp, "hashing a password failed");
		return;
	}
	if (!api_begin(req, resp) ||
	    !account_answer(req, resp, account_create(req->db, &f, hash, clock_now_ms(), id)))
		return;
	answer_user(req, resp, id, AUDIT_ACCOUNT_CREATE, NULL, 201, one_time);
}

void api_user_update(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	struct account_fields f;
	const char *names[ACCOUNT_MAX_ROLES];
	int64_t version = 0;
	if (!read_fields(req, &fe, false, &f, names)) {
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (!f.display_name || !f.agency_id) {
		field_error(&fe, f.display_name ? "agency_id" : "display_name", "is required");
		field_errors_respond(&fe, resp, req);
		return;
	}
	const char *id = http_request_param(req, "id");
	if (!api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !account_answer(req, resp, account_update(req->db, id, version, &f, clock_now_ms())))
		return;
	answer_user(req, resp, id, AUDIT_ACCOUNT_UPDATE, "roles, unit or name", 200, NULL);
}

static void set_status(struct http_request *req, struct http_response *resp, const char *status)
{
	const char *id = http_request_param(req, "id");
	bool disable = strcmp(status, "disabled") == 0;
	if (disable && strcmp(id, req->principal.account_id) == 0) {
		http_problem(resp, req, 409, "cannot-disable-self", "You cannot disable your own account",
		             "Ask another administrator.", NULL);
		return;
	}
	if (!api_begin(req, resp) ||
	    !account_answer(req, resp, account_set_status(req->db, id, status, clock_now_ms())))
		return;
	/* S16: disabling ends every session at once. */
	if (disable && session_end_all(req->db, id, "account disabled", clock_now_ms()) != DB_OK) {
		api_db_failed(req, resp, "ending sessions");
		return;
	}
	answer_user(req, resp, id, disable ? AUDIT_ACCOUNT_DISABLE : AUDIT_ACCOUNT_ENABLE, NULL, 200, NULL);
}

void api_user_disable(struct http_request *req, struct http_response *resp)
{
	set_status(req, resp, "disabled");
}

void api_user_enable(struct http_request *req, struct http_response *resp)
{
	set_status(req, resp, "active");
}

void api_user_reset_password(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	char one_time[PASSWORD_ONETIME_SIZE], hash[crypto_pwhash_STRBYTES];
	password_generate_onetime(one_time);
	if (!password_hash(one_time, hash)) {
		api_internal_error(req, resp, "hashing a password failed");
		return;
	}
	if (!api_begin(req, resp) ||
	    !account_answer(req, resp, account_set_password(req->db, id, hash, true, clock_now_ms())))
		return;
	if (session_end_all(req->db, id, "password reset", clock_now_ms()) != DB_OK ||
	    !api_audit(req, AUDIT_ACCOUNT_UPDATE, "account", id, AUDIT_OUTCOME_SUCCESS, "password reset")) {
		api_db_failed(req, resp, "resetting a password");
		return;
	}
	if (api_commit(req, resp))
		http_response_json(resp, 200, json_pack("{s:s}", "one_time_password", one_time));
}

void api_user_reset_totp(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	if (!api_begin(req, resp) ||
	    !account_answer(req, resp, account_reset_totp(req->db, id, clock_now_ms())))
		return;
	if (session_end_all(req->db, id, "TOTP reset", clock_now_ms()) != DB_OK) {
		api_db_failed(req, resp, "ending sessions");
		return;
	}
	answer_user(req, resp, id, AUDIT_ACCOUNT_UPDATE, "TOTP reset", 200, NULL);
}

void api_roles_list(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	db_stmt *st = NULL;
	json_t *items = db_query(req->db, &st, "SELECT name, description FROM role ORDER BY name", "") == DB_OK
	                        ? api_rows_json(st) : NULL;
	db_finalize(&st);
	size_t i;
	json_t *role;
	bool ok = items != NULL;
	json_array_foreach(items, i, role) {
		json_t *perms = json_array();
		enum db_status rc = db_query(req->db, &st,
			"SELECT permission FROM role_permission WHERE role = ? ORDER BY permission", "t",
			json_string_value(json_object_get(role, "name")));
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			json_array_append_new(perms, json_string(db_column_text(st, 0, NULL)));
			rc = DB_OK;
		}
		db_finalize(&st);
		json_object_set_new(role, "permissions", perms);
		ok &= rc == DB_DONE;
	}
	if (!ok) {
		json_decref(items);
		api_db_failed(req, resp, "listing roles");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	json_t *perms = json_array();
	for (const struct permission_info *p = policy_permissions(); p->name; p++)
		json_array_append_new(perms, json_pack("{s:s, s:s}", "name", p->name, "description", p->description));
	http_response_json(resp, 200, json_pack("{s:o, s:o}", "items", items, "permissions", perms));
}
