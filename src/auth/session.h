/*
 * session.h — login sessions and API tokens in the database, and turning a
 * request's credentials into a principal.
 *
 * A session's token is 256 random bits; only its hash is stored (a stolen
 * database does not hand out sessions). Sessions end after SESSION_IDLE_MS
 * without use and SESSION_ABSOLUTE_MS after login (S20), on logout, and when
 * the account is disabled.
 */
#ifndef KADAM_AUTH_SESSION_H
#define KADAM_AUTH_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/policy.h"
#include "auth/token.h"
#include "store/db.h"

#define SESSION_COOKIE SESSION_COOKIE_NAME
#define SESSION_IDLE_MS (30 * 60 * 1000LL)
#define SESSION_ABSOLUTE_MS (12 * 60 * 60 * 1000LL)
#define SESSION_TOKEN_PREFIX TOKEN_PREFIX_SESSION
#define API_TOKEN_PREFIX TOKEN_PREFIX_API
#define TOKEN_BUF TOKEN_SIZE

enum auth_outcome {
	AUTH_NONE,    /* no credentials: the anonymous principal */
	AUTH_OK,      /* *p describes the caller */
	AUTH_INVALID, /* credentials given but unknown, ended, expired or revoked */
	AUTH_ERROR,   /* the database failed */
};

/*
 * Resolves the session cookie or the bearer token (either header may be
 * NULL) into *p, loading the account's permissions from its roles. When
 * touch is set, records the session's use (at most once a minute); requests
 * the UI makes by itself (polling) pass false, so they never keep an
 * abandoned session from its idle end (S20).
 */
enum auth_outcome auth_resolve(db *conn, const char *cookie_header, const char *authorization,
                               int64_t now_ms, bool touch, struct principal *p);

/* Loads the permissions of the account's roles into p. */
enum db_status principal_load_roles(db *conn, struct principal *p);

/*
 * Starts a session for an account whose password was just checked. token_r
 * receives the cookie value (TOKEN_BUF bytes), csrf_r the CSRF token (65).
 */
enum db_status session_create(db *conn, const char *account_id, const char *remote_addr,
                              const char *user_agent, int64_t now_ms, char *token_r,
                              char *session_id_r, char *csrf_r);
/* Marks the login complete (both factors checked). */
enum db_status session_complete(db *conn, const char *session_id);
/* Ends one session (of this account, if account_id is not NULL); *ended_r tells whether it was live. */
enum db_status session_end(db *conn, const char *session_id, const char *account_id,
                           const char *reason, int64_t now_ms, bool *ended_r);
/* Ends every live session of an account (disabling, password reset). */
enum db_status session_end_all(db *conn, const char *account_id, const char *reason, int64_t now_ms);

#endif
