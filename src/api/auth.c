/*
 * auth.c — logging in: password, then a forced change of a one-time password,
 * then TOTP enrolment or a TOTP / recovery code (S18-S20). Each step is one
 * transaction that also writes the processing log (S21); failures count
 * towards the account's lockout.
 */
#include <string.h>

#include "api/api.h"
#include "api/validate.h"
#include "app.h"
#include "audit/audit.h"
#include "auth/password.h"
#include "auth/session.h"
#include "auth/token.h"
#include "auth/totp.h"
#include "base/clock.h"
#include "domain/account.h"

/* Where the login stands for this account and session. */
static const char *stage_of(const struct account_login *a, bool session_full)
{
	if (a->must_change)
		return "password_change";
	if (!a->totp_secret[0])
		return "totp_enrol";
	return session_full ? "full" : "totp";
}

static bool secure_cookies(struct http_request *req)
{
	const char *proto = http_request_header(req, "X-Forwarded-Proto");
	return proto && strcmp(proto, "https") == 0;
}

static void stage_response(struct http_response *resp, const char *stage, const char *csrf)
{
	http_response_json(resp, 200, json_pack("{s:s, s:s}", "stage", stage, "csrf_token", csrf));
}

/* Answers 401 the same way for an unknown login, a disabled account and a wrong password. */
static void invalid_credentials(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 401, "invalid-credentials", "Login failed",
	             "The login or the password is not right.", NULL);
}

static const struct field_rule login_rules[] = {
	{"login", FIELD_STRING, true, 1, 64, NULL},
	{"password", FIELD_STRING, true, 1, 1024, NULL},
};

/* Counts a failure, logs it (and a lockout), commits. */
static void login_failed(struct http_request *req, struct http_response *resp,
                         const struct account_login *a, const char *action, const char *detail)
{
	int64_t locked_until = 0;
	if (a && account_login_failed(req->db, a->id, clock_now_ms(), &locked_until) != DB_OK) {
		api_db_failed(req, resp, "counting a failed login");
		return;
	}
	if (!api_audit(req, action, "account", a ? a->id : NULL, AUDIT_OUTCOME_FAILURE, detail) ||
	    (locked_until && !api_audit(req, AUDIT_AUTH_LOCKOUT, "account", a->id, AUDIT_OUTCOME_SUCCESS,
	                                "too many failed attempts"))) {
		api_db_failed(req, resp, "logging a failed login");
		return;
	}
	if (!api_commit(req, resp))
		return;
	invalid_credentials(req, resp);
}

static bool locked(struct http_request *req, struct http_response *resp, const struct account_login *a)
{
	if (a->locked_until <= clock_now_ms())
		return false;
	char until[32];
	clock_format_rfc3339(a->locked_until, until);
	if (!api_audit(req, AUDIT_AUTH_LOGIN, "account", a->id, AUDIT_OUTCOME_DENIED, "account locked") ||
	    !api_commit(req, resp))
		return true;
	http_problem(resp, req, 423, "account-locked", "The account is locked",
	             "Too many failed attempts; try again later.", NULL);
	json_t *body = json_loadb(resp->body.data, resp->body.len, 0, NULL);
	json_object_set_new(body, "locked_until", json_string(until));
	http_response_json(resp, 423, body);
	resp->content_type = "application/problem+json";
	return true;
}

bool auth_login_validate(const json_t *body, struct field_errors *fe)
{
	return validate_object(body, login_rules, sizeof login_rules / sizeof login_rules[0], fe);
}

void api_auth_login(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	auth_login_validate(req->json, &fe);
	if (field_errors_respond(&fe, resp, req))
		return;
	if (!ratelimit_allow(req->app->login_attempts, req->remote_addr, clock_now_ms())) {
		http_problem(resp, req, 429, "rate-limited", "Too many attempts",
		             "Too many login attempts from this address; wait a minute.", NULL);
		http_response_header(resp, "Retry-After", "60");
		return;
	}
	const char *login = api_str(req, "login"), *password = api_str(req, "password");
	/* Record the login as typed, so failed attempts on unknown logins are visible too. */
	snprintf(req->principal.login, sizeof req->principal.login, "%s", login);
	if (!api_begin(req, resp))
		return;
	struct account_login a;
	bool found = false;
	if (account_for_login(req->db, login, &found, &a) != DB_OK) {
		api_db_failed(req, resp, "reading the account");
		return;
	}
	if (!found) {
		password_verify(NULL, password); /* the same work as for a real account */
		login_failed(req, resp, NULL, AUDIT_AUTH_LOGIN, "unknown login");
		return;
	}
	snprintf(req->principal.account_id, sizeof req->principal.account_id, "%s", a.id);
	if (locked(req, resp, &a))
		return;
	bool good = a.password_hash[0] && password_verify(a.password_hash, password);
	if (!good || strcmp(a.status, "active") != 0) {
		login_failed(req, resp, &a, AUDIT_AUTH_LOGIN, good ? "account disabled" : "wrong password");
		return;
	}
	char token[TOKEN_BUF], session_id[UUID_STR_LEN], csrf[65];
	if (account_login_succeeded(req->db, a.id) != DB_OK ||
	    session_create(req->db, a.id, req->remote_addr, http_request_header(req, "User-Agent"),
	                   clock_now_ms(), token, session_id, csrf) != DB_OK) {
		api_db_failed(req, resp, "starting a session");
		return;
	}
	if (!api_audit(req, AUDIT_AUTH_LOGIN, "session", session_id, AUDIT_OUTCOME_SUCCESS, "password") ||
	    !api_commit(req, resp))
		return;
	char *cookie = cookie_session_header(SESSION_COOKIE, token, (int)(SESSION_ABSOLUTE_MS / 1000),
	                                     secure_cookies(req));
	http_response_header(resp, "Set-Cookie", cookie);
	free(cookie);
	stage_response(resp, stage_of(&a, false), csrf);
}

/* Loads the caller's account inside a transaction; false after answering. */
static bool my_account(struct http_request *req, struct http_response *resp, struct account_login *a)
{
	bool found = false;
	if (!api_begin(req, resp))
		return false;
	if (account_for_id(req->db, req->principal.account_id, &found, a) != DB_OK || !found) {
		api_db_failed(req, resp, "reading the account");
		return false;
	}
	return true;
}

static const struct field_rule password_rules[] = {
	{"current_password", FIELD_STRING, true, 1, 1024, NULL},
	{"new_password", FIELD_STRING, true, 1, 1024, NULL},
};

void api_auth_password(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, password_rules, 2, &fe);
	if (field_errors_respond(&fe, resp, req))
		return;
	struct account_login a;
	if (!my_account(req, resp, &a))
		return;
	if (!password_verify(a.password_hash, api_str(req, "current_password"))) {
		login_failed(req, resp, &a, AUDIT_AUTH_PASSWORD_CHANGE, "wrong current password");
		return;
	}
	const char *fresh = api_str(req, "new_password");
	enum password_problem problem = password_check(fresh, a.login, a.display_name);
	if (problem == PASSWORD_OK && strcmp(fresh, api_str(req, "current_password")) == 0)
		field_error(&fe, "new_password", "must differ from the current password");
	else if (problem != PASSWORD_OK)
		field_error(&fe, "new_password", "%s", password_problem_message(problem));
	if (fe.list) {
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	char hash[crypto_pwhash_STRBYTES];
	if (!password_hash(fresh, hash)) {
		db_rollback(req->db);
		api_internal_error(req, resp, "hashing a password failed");
		return;
	}
	if (account_set_password(req->db, a.id, hash, false, clock_now_ms()) != ACCOUNT_OK ||
	    !api_audit(req, AUDIT_AUTH_PASSWORD_CHANGE, "account", a.id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "changing a password");
		return;
	}
	if (!api_commit(req, resp))
		return;
	a.must_change = false;
	stage_response(resp, stage_of(&a, req->principal.full), req->principal.csrf_token);
}

void api_auth_totp_enrol(struct http_request *req, struct http_response *resp)
{
	struct account_login a;
	if (!my_account(req, resp, &a))
		return;
	if (a.must_change || a.totp_secret[0]) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "wrong-stage",
		             a.must_change ? "Change the one-time password first" : "TOTP is already enrolled",
		             "An administrator can reset TOTP if the device is lost.", NULL);
		return;
	}
	char secret[TOTP_SECRET_B32_SIZE];
	totp_secret_generate(secret);
	if (account_totp_begin(req->db, a.id, secret) != DB_OK || !api_commit(req, resp))
		return;
	char *uri = totp_uri(secret, "Kadam", a.login);
	http_response_json(resp, 200, json_pack("{s:s, s:s}", "secret", secret, "otpauth_uri", uri));
	free(uri);
}

static const struct field_rule code_rules[] = {{"code", FIELD_STRING, true, 1, 16, NULL}};

void api_auth_totp_confirm(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, code_rules, 1, &fe);
	if (field_errors_respond(&fe, resp, req))
		return;
	struct account_login a;
	if (!my_account(req, resp, &a))
		return;
	if (!a.totp_pending[0] || a.must_change) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "wrong-stage", "Start TOTP enrolment first",
		             "POST /api/v1/auth/totp/enrol gives the secret to confirm.", NULL);
		return;
	}
	int64_t step = 0;
	if (totp_verify(a.totp_pending, api_str(req, "code"), clock_now_ms(), 0, &step) != TOTP_OK) {
		db_rollback(req->db);
		field_error(&fe, "code", "is not the current code");
		field_errors_respond(&fe, resp, req);
		return;
	}
	char codes[RECOVERY_CODE_COUNT][RECOVERY_CODE_SIZE], hashes[RECOVERY_CODE_COUNT][65];
	recovery_codes_generate(codes);
	for (int i = 0; i < RECOVERY_CODE_COUNT; i++)
		recovery_code_hash(codes[i], hashes[i]);
	if (account_totp_confirm(req->db, a.id, step) != DB_OK ||
	    account_recovery_replace(req->db, a.id, hashes, RECOVERY_CODE_COUNT) != DB_OK ||
	    session_complete(req->db, req->principal.session_id) != DB_OK ||
	    !api_audit(req, AUDIT_AUTH_MFA_ENROL, "account", a.id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "confirming TOTP");
		return;
	}
	if (!api_commit(req, resp))
		return;
	json_t *list = json_array();
	for (int i = 0; i < RECOVERY_CODE_COUNT; i++)
		json_array_append_new(list, json_string(codes[i]));
	http_response_json(resp, 200, json_pack("{s:s, s:s, s:o}", "stage", "full", "csrf_token",
	                                        req->principal.csrf_token, "recovery_codes", list));
}

static const struct field_rule second_factor_rules[] = {
	{"code", FIELD_STRING, false, 1, 16, NULL},
	{"recovery_code", FIELD_STRING, false, 1, 40, NULL},
};

void api_auth_totp(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, second_factor_rules, 2, &fe);
	const char *code = api_str(req, "code"), *recovery = api_str(req, "recovery_code");
	if (!fe.list && !code == !recovery)
		field_error(&fe, code ? "recovery_code" : "code", "send either code or recovery_code");
	if (field_errors_respond(&fe, resp, req))
		return;
	struct account_login a;
	if (!my_account(req, resp, &a))
		return;
	if (a.must_change || !a.totp_secret[0]) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "wrong-stage", "This step is not due",
		             a.must_change ? "Change the one-time password first." : "Enrol TOTP first.", NULL);
		return;
	}
	if (locked(req, resp, &a))
		return;
	bool ok = false;
	const char *action = AUDIT_AUTH_MFA;
	if (code) {
		int64_t step = 0;
		ok = totp_verify(a.totp_secret, code, clock_now_ms(), a.totp_last_step, &step) == TOTP_OK;
		if (ok && account_totp_used(req->db, a.id, step) != DB_OK) {
			api_db_failed(req, resp, "recording a TOTP step");
			return;
		}
	} else {
		char hash[65];
		recovery_code_hash(recovery, hash);
		action = AUDIT_AUTH_RECOVERY_CODE;
		if (account_recovery_use(req->db, a.id, hash, clock_now_ms(), &ok) != DB_OK) {
			api_db_failed(req, resp, "using a recovery code");
			return;
		}
	}
	if (!ok) {
		login_failed(req, resp, &a, action, code ? "wrong or reused code" : "unknown or used recovery code");
		if (resp->status == 401)
			http_problem(resp, req, 401, "invalid-code", "The code is not right",
			             "Use the current code from the authenticator app, or an unused recovery code.", NULL);
		return;
	}
	if (account_login_succeeded(req->db, a.id) != DB_OK ||
	    session_complete(req->db, req->principal.session_id) != DB_OK ||
	    !api_audit(req, action, "session", req->principal.session_id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "completing a login");
		return;
	}
	if (!api_commit(req, resp))
		return;
	stage_response(resp, "full", req->principal.csrf_token);
}

void api_auth_logout(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	if (session_end(req->db, req->principal.session_id, NULL, "logout", clock_now_ms(), NULL) != DB_OK ||
	    !api_audit(req, AUDIT_AUTH_LOGOUT, "session", req->principal.session_id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "ending a session");
		return;
	}
	if (!api_commit(req, resp))
		return;
	char *clear = cookie_session_clear_header(SESSION_COOKIE, secure_cookies(req));
	http_response_header(resp, "Set-Cookie", clear);
	free(clear);
	resp->status = 204;
}

void api_auth_session(struct http_request *req, struct http_response *resp)
{
	struct account_login a;
	if (!my_account(req, resp, &a))
		return;
	json_t *user = api_me_json(req, resp);
	if (!user)
		return;
	db_stmt *st = NULL;
	json_t *session = NULL;
	if (db_query(req->db, &st, "SELECT id, created_at, expires_at, last_seen_at FROM session WHERE id = ?",
	             "t", req->principal.session_id) == DB_OK && db_step(st) == DB_ROW) {
		session = api_row_json(st);
		char idle[32];
		clock_format_rfc3339(db_column_int64(st, 3) + SESSION_IDLE_MS, idle);
		json_object_set_new(session, "idle_expires_at", json_string(idle));
		json_object_del(session, "last_seen_at");
	}
	db_finalize(&st);
	if (!session || !api_commit(req, resp)) {
		json_decref(user);
		json_decref(session);
		if (!session)
			api_db_failed(req, resp, "reading the session");
		return;
	}
	http_response_json(resp, 200, json_pack("{s:s, s:s, s:o, s:o}", "stage",
	                                        stage_of(&a, req->principal.full), "csrf_token",
	                                        req->principal.csrf_token, "user", user, "session", session));
}
