#include "auth/session.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/token.h"
#include "base/buf.h"

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

enum db_status principal_load_roles(db *conn, struct principal *p)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT DISTINCT rp.permission FROM account_role ar"
		" JOIN role_permission rp ON rp.role = ar.role WHERE ar.account_id = ?", "t", p->account_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		principal_grant(p, db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* Fills the account part of p from the current row: id, login, display_name, agency, unit, language. */
static void account_from_row(db_stmt *st, int first, struct principal *p)
{
	copy(p->account_id, sizeof p->account_id, db_column_text(st, first, NULL));
	copy(p->login, sizeof p->login, db_column_text(st, first + 1, NULL));
	copy(p->display_name, sizeof p->display_name, db_column_text(st, first + 2, NULL));
	copy(p->agency_id, sizeof p->agency_id, db_column_text(st, first + 3, NULL));
	copy(p->unit_id, sizeof p->unit_id, db_column_text(st, first + 4, NULL));
	copy(p->preferred_language, sizeof p->preferred_language, db_column_text(st, first + 5, NULL));
}

static enum auth_outcome resolve_session(db *conn, const char *token, int64_t now_ms, bool touch,
                                         struct principal *p)
{
	char hash[65];
	token_hash(token, hash);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT s.id, s.csrf_token, s.stage, s.last_seen_at,"
		"       a.id, a.login, a.display_name, a.agency_id, a.unit_id, a.preferred_language"
		" FROM session s JOIN account a ON a.id = s.account_id"
		" WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ?"
		"   AND s.last_seen_at > ? AND a.status = 'active'",
		"tii", hash, now_ms, now_ms - SESSION_IDLE_MS);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(&st);
		return rc == DB_DONE ? AUTH_INVALID : AUTH_ERROR;
	}
	p->kind = PRINCIPAL_SESSION;
	copy(p->session_id, sizeof p->session_id, db_column_text(st, 0, NULL));
	copy(p->csrf_token, sizeof p->csrf_token, db_column_text(st, 1, NULL));
	const char *stage = db_column_text(st, 2, NULL);
	p->full = stage && strcmp(stage, "full") == 0;
	int64_t last_seen = db_column_int64(st, 3);
	account_from_row(st, 4, p);
	db_finalize(&st);
	/* Idle time is measured from the last use; writing it on every request would
	 * make every read a write, so a minute's precision is enough. */
	if (touch && now_ms - last_seen > 60000 &&
	    db_run(conn, NULL, "UPDATE session SET last_seen_at = ? WHERE id = ?", "it", now_ms, p->session_id) != DB_OK)
		return AUTH_ERROR;
	if (p->full && principal_load_roles(conn, p) != DB_OK)
		return AUTH_ERROR;
	return AUTH_OK;
}

static enum auth_outcome resolve_token(db *conn, const char *token, int64_t now_ms,
                                       struct principal *p)
{
	char hash[65];
	token_hash(token, hash);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT t.id, t.name, t.agency_id, t.unit_id, t.created_by, t.last_used_at"
		" FROM api_token t JOIN account a ON a.id = t.created_by"
		" WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?", "ti", hash, now_ms);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(&st);
		return rc == DB_DONE ? AUTH_INVALID : AUTH_ERROR;
	}
	p->kind = PRINCIPAL_TOKEN;
	p->full = true;
	copy(p->token_id, sizeof p->token_id, db_column_text(st, 0, NULL));
	copy(p->login, sizeof p->login, db_column_text(st, 1, NULL));
	copy(p->display_name, sizeof p->display_name, db_column_text(st, 1, NULL));
	copy(p->agency_id, sizeof p->agency_id, db_column_text(st, 2, NULL));
	copy(p->unit_id, sizeof p->unit_id, db_column_text(st, 3, NULL));
	copy(p->account_id, sizeof p->account_id, db_column_text(st, 4, NULL));
	int64_t last_used = db_column_int64(st, 5);
	db_finalize(&st);
	rc = db_query(conn, &st, "SELECT permission FROM api_token_permission WHERE token_id = ?", "t", p->token_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		principal_grant(p, db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return AUTH_ERROR;
	if (now_ms - last_used > 60000 &&
	    db_run(conn, NULL, "UPDATE api_token SET last_used_at = ? WHERE id = ?", "it", now_ms, p->token_id) != DB_OK)
		return AUTH_ERROR;
	return AUTH_OK;
}

enum auth_outcome auth_resolve(db *conn, const char *cookie_header, const char *authorization,
                               int64_t now_ms, bool touch, struct principal *p)
{
	*p = (struct principal){.kind = PRINCIPAL_ANONYMOUS};
	char token[TOKEN_BUF];
	/* A bearer token wins: machine clients never hold cookies. */
	if (authorization) {
		if (!token_from_bearer(authorization, token, sizeof token) ||
		    !token_well_formed(token, API_TOKEN_PREFIX))
			return AUTH_INVALID;
		enum auth_outcome out = resolve_token(conn, token, now_ms, p);
		if (out != AUTH_OK)
			*p = (struct principal){.kind = PRINCIPAL_ANONYMOUS};
		return out;
	}
	if (!cookie_header || !token_from_cookie(cookie_header, SESSION_COOKIE, token, sizeof token))
		return AUTH_NONE;
	if (!token_well_formed(token, SESSION_TOKEN_PREFIX))
		return AUTH_INVALID;
	enum auth_outcome out = resolve_session(conn, token, now_ms, touch, p);
	if (out != AUTH_OK)
		*p = (struct principal){.kind = PRINCIPAL_ANONYMOUS};
	return out;
}

enum db_status session_create(db *conn, const char *account_id, const char *remote_addr,
                              const char *user_agent, int64_t now_ms, char *token_r,
                              char *session_id_r, char *csrf_r)
{
	char hash[65], csrf_raw[TOKEN_BUF];
	token_generate(SESSION_TOKEN_PREFIX, token_r);
	token_hash(token_r, hash);
	token_generate("", csrf_raw);
	/* 43 characters: the 256 random bits without a prefix. */
	snprintf(csrf_r, 65, "%.64s", csrf_raw);
	uuid_v7(session_id_r);
	char ua[256];
	snprintf(ua, sizeof ua, "%s", user_agent ? user_agent : "");
	return db_run(conn, NULL,
		"INSERT INTO session (id, account_id, token_hash, csrf_token, stage, created_at,"
		" last_seen_at, expires_at, remote_addr, user_agent) VALUES (?, ?, ?, ?, 'password', ?, ?, ?, ?, ?)",
		"ttttiiitt", session_id_r, account_id, hash, csrf_r, now_ms, now_ms, now_ms + SESSION_ABSOLUTE_MS,
		remote_addr, ua);
}

enum db_status session_complete(db *conn, const char *session_id)
{
	return db_run(conn, NULL, "UPDATE session SET stage = 'full' WHERE id = ?", "t", session_id);
}

enum db_status session_end(db *conn, const char *session_id, const char *account_id,
                           const char *reason, int64_t now_ms, bool *ended_r)
{
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE session SET ended_at = ?, ended_reason = ?"
		" WHERE id = ? AND (CAST(? AS TEXT) IS NULL OR account_id = ?) AND ended_at IS NULL",
		"itttt", now_ms, reason, session_id, account_id, account_id);
	if (ended_r)
		*ended_r = rc == DB_OK && changed > 0;
	return rc;
}

enum db_status session_end_all(db *conn, const char *account_id, const char *reason, int64_t now_ms)
{
	return db_run(conn, NULL,
		"UPDATE session SET ended_at = ?, ended_reason = ? WHERE account_id = ? AND ended_at IS NULL",
		"itt", now_ms, reason, account_id);
}
