/*
 * dispatch.c — what happens between the router finding a route and the
 * route's handler: credentials → principal, the policy's decision (refusals
 * are logged, S21), CSRF for cookie sessions, the JSON body. Nothing reaches
 * a handler that the policy did not allow.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "app.h"
#include "auth/session.h"
#include "auth/token.h"
#include "base/clock.h"
#include "http/router.h"

/* True when the media type (before any ';') is application/json or +json. */
static bool is_json_type(const char *ct)
{
	if (!ct)
		return false;
	size_t len = strcspn(ct, ";");
	while (len && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
	if (len == 16 && strncasecmp(ct, "application/json", 16) == 0)
		return true;
	return len > 17 && strncasecmp(ct, "application/", 12) == 0 &&
	       strncasecmp(ct + len - 5, "+json", 5) == 0;
}

/* Reads the body as JSON for routes that take it; answers 415 or 400 itself. */
static bool parse_json_body(struct http_request *req, struct http_response *resp)
{
	if (!is_json_type(http_request_header(req, "Content-Type"))) {
		http_problem(resp, req, 415, "unsupported-media-type", "Unsupported media type",
		             "This route takes a JSON body: send Content-Type: application/json.", NULL);
		return false;
	}
	json_error_t err;
	req->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &err);
	if (!req->json) {
		char *detail = xasprintf("The body is not valid JSON: %s at line %d, column %d.", err.text,
		                         err.line, err.column);
		json_t *errors = json_pack("[{s:s, s:s, s:i, s:i}]", "field", "body", "message", err.text,
		                           "line", err.line, "column", err.column);
		http_problem(resp, req, 400, "malformed-json", "Malformed JSON", detail, errors);
		free(detail);
		return false;
	}
	return true;
}

static bool changes_state(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Credentials to principal. False after answering. */
static bool authenticate(struct http_request *req, struct http_response *resp)
{
	const char *cookie = http_request_header(req, "Cookie");
	const char *authorization = http_request_header(req, "Authorization");
	char token[TOKEN_BUF];
	bool has_cookie = cookie && token_from_cookie(cookie, SESSION_COOKIE, token, sizeof token);
	bool public = strcmp(req->route->permission, PERMISSION_PUBLIC) == 0;
	if (!has_cookie && !authorization && public)
		return true; /* probes and the UI's bootstrap touch no database here */
	db *conn = api_db(req, resp);
	if (!conn)
		return false;
	/* X-Kadam-Background marks a request the UI made by itself, not the person. */
	bool touch = http_request_header(req, "X-Kadam-Background") == NULL;
	enum auth_outcome out = auth_resolve(conn, has_cookie ? cookie : NULL, authorization,
	                                     clock_now_ms(), touch, &req->principal);
	if (out == AUTH_ERROR) {
		api_internal_error(req, resp, "resolving credentials failed");
		return false;
	}
	if (out == AUTH_INVALID && authorization) {
		api_audit_denied(req, NULL, NULL, "invalid, expired or revoked API token");
		http_problem(resp, req, 401, "invalid-token", "The API token is not valid",
		             "The bearer token is unknown, expired or revoked.", NULL);
		http_response_header(resp, "WWW-Authenticate", "Bearer");
		return false;
	}
	if (out == AUTH_INVALID) {
		/* A session that ended: forget the cookie and go on as nobody. */
		char *clear = cookie_session_header(SESSION_COOKIE, "", 0, false);
		http_response_header(resp, "Set-Cookie", clear);
		free(clear);
	}
	return true;
}

static bool authorize(struct http_request *req, struct http_response *resp)
{
	enum policy_result pr = policy_check(&req->principal, req->route->permission);
	if (pr == POLICY_ALLOW)
		return true;
	char *why = xasprintf("%s %s needs %s", req->route->method, req->route->pattern,
	                      req->route->permission);
	api_audit_denied(req, NULL, NULL, why);
	free(why);
	if (pr == POLICY_UNAUTHENTICATED)
		http_problem(resp, req, 401, "unauthenticated", "Log in first",
		             "This request needs a logged-in session or an API token.", NULL);
	else
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             "Your roles do not allow this request.", NULL);
	return false;
}

/* Cookie sessions must echo their CSRF token on every state-changing request. */
static bool check_csrf(struct http_request *req, struct http_response *resp)
{
	if (req->principal.kind != PRINCIPAL_SESSION || !changes_state(req->method) ||
	    (req->route->flags & ROUTE_NO_CSRF))
		return true;
	const char *sent = http_request_header(req, "X-CSRF-Token");
	if (sent && token_equal(sent, req->principal.csrf_token))
		return true;
	api_audit_denied(req, NULL, NULL, "missing or wrong CSRF token");
	http_problem(resp, req, 403, "csrf-failed", "Missing or wrong CSRF token",
	             "Send the session's csrf_token in the X-CSRF-Token header.", NULL);
	return false;
}

/* A purpose of access, when one is stated, is checked here for every route, so a
 * malformed one is a 422 and never reaches the processing log (which refuses it). */
static bool check_purpose(struct http_request *req, struct http_response *resp)
{
	bool given = false;
	return api_purpose(req, resp, &given);
}

void api_dispatch(struct http_request *req, struct http_response *resp)
{
	if (authenticate(req, resp) && authorize(req, resp) && check_csrf(req, resp) &&
	    check_purpose(req, resp) &&
	    (!(req->route->flags & ROUTE_JSON_BODY) || parse_json_body(req, resp)))
		req->route->handler(req, resp);
	api_db_release(req);
}
