#include "domain/account.h"

#include <stdio.h>
#include <string.h>

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

enum db_status account_query(db *conn, const char *id, const char *q, const char *agency_id,
                             const char *unit_id, const char *status, db_stmt **st_r)
{
	/* q matches login or name anywhere, case-insensitively for ASCII. */
	char like[300] = "";
	if (q)
		snprintf(like, sizeof like, "%%%s%%", q);
	return db_query(conn, st_r,
		"SELECT id, login, display_name, agency_id, unit_id, preferred_language, status,"
		" (CASE WHEN totp_secret IS NULL THEN 0 ELSE 1 END) AS is_totp_enrolled,"
		" password_must_change AS is_password_must_change,"
		" locked_until, created_at, updated_at, version FROM account"
		" WHERE (CAST(? AS TEXT) IS NULL OR id = ?)"
		"   AND (CAST(? AS TEXT) IS NULL OR LOWER(login) LIKE LOWER(?) OR LOWER(display_name) LIKE LOWER(?))"
		"   AND (CAST(? AS TEXT) IS NULL OR agency_id = ?)"
		"   AND (CAST(? AS TEXT) IS NULL OR unit_id = ?)"
		"   AND (CAST(? AS TEXT) IS NULL OR status = ?)"
		" ORDER BY display_name, login LIMIT 500",
		"ttttttttttt", id, id, q ? like : NULL, like, like, agency_id, agency_id, unit_id, unit_id,
		status, status);
}

enum db_status account_roles_query(db *conn, const char *account_id, db_stmt **st_r)
{
	return db_query(conn, st_r, "SELECT role FROM account_role WHERE account_id = ? ORDER BY role",
	                "t", account_id);
}

static enum account_result result_of(enum db_status rc)
{
	return rc == DB_OK ? ACCOUNT_OK : rc == DB_CONSTRAINT ? ACCOUNT_DUPLICATE : ACCOUNT_ERROR;
}

/* The unit, if any, must belong to the agency; roles must exist. */
static enum account_result check_refs(db *conn, const struct account_fields *f)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT (SELECT COUNT(*) FROM agency WHERE id = ?),"
		"       (SELECT COUNT(*) FROM unit WHERE id = ? AND agency_id = ?)",
		"ttt", f->agency_id, f->unit_id, f->agency_id);
	if (rc == DB_OK)
		rc = db_step(st);
	bool ok = rc == DB_ROW && db_column_int64(st, 0) == 1 && (!f->unit_id || db_column_int64(st, 1) == 1);
	db_finalize(&st);
	if (rc != DB_ROW)
		return ACCOUNT_ERROR;
	for (int i = 0; ok && i < f->nroles; i++) {
		rc = db_query(conn, &st, "SELECT COUNT(*) FROM role WHERE name = ?", "t", f->roles[i]);
		if (rc == DB_OK)
			rc = db_step(st);
		ok = rc == DB_ROW && db_column_int64(st, 0) == 1;
		db_finalize(&st);
		if (rc != DB_ROW)
			return ACCOUNT_ERROR;
	}
	return ok ? ACCOUNT_OK : ACCOUNT_BAD_REF;
}

static enum db_status set_roles(db *conn, const char *id, const struct account_fields *f)
{
	enum db_status rc = db_run(conn, NULL, "DELETE FROM account_role WHERE account_id = ?", "t", id);
	for (int i = 0; rc == DB_OK && i < f->nroles; i++)
		rc = db_run(conn, NULL, "INSERT INTO account_role (account_id, role) VALUES (?, ?)", "tt", id,
		            f->roles[i]);
	return rc;
}

enum account_result account_create(db *conn, const struct account_fields *f, const char *password_hash,
                                   int64_t now_ms, char id_r[UUID_STR_LEN])
{
	enum account_result r = check_refs(conn, f);
	if (r != ACCOUNT_OK)
		return r;
	uuid_v7(id_r);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO account (id, login, display_name, agency_id, unit_id, preferred_language,"
		" password_hash, password_must_change, created_at, updated_at, version)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 1)",
		"tttttttii", id_r, f->login, f->display_name, f->agency_id, f->unit_id,
		f->preferred_language, password_hash, now_ms, now_ms);
	if (rc == DB_OK)
		rc = set_roles(conn, id_r, f);
	return result_of(rc);
}

static enum account_result found_or_stale(db *conn, const char *id)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT COUNT(*) FROM account WHERE id = ?", "t", id);
	if (rc == DB_OK)
		rc = db_step(st);
	enum account_result r = rc == DB_ROW ? (db_column_int64(st, 0) ? ACCOUNT_STALE : ACCOUNT_NOT_FOUND)
	                                     : ACCOUNT_ERROR;
	db_finalize(&st);
	return r;
}

enum account_result account_update(db *conn, const char *id, int64_t version,
                                   const struct account_fields *f, int64_t now_ms)
{
	enum account_result r = check_refs(conn, f);
	if (r != ACCOUNT_OK)
		return r;
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE account SET display_name = ?, agency_id = ?, unit_id = ?, preferred_language = ?,"
		" updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
		"ttttiti", f->display_name, f->agency_id, f->unit_id, f->preferred_language, now_ms, id, version);
	if (rc != DB_OK)
		return result_of(rc);
	if (changed != 1)
		return found_or_stale(conn, id);
	return result_of(set_roles(conn, id, f));
}

static enum account_result update_one(db *conn, int64_t changed, enum db_status rc)
{
	if (rc != DB_OK)
		return result_of(rc);
	return changed == 1 ? ACCOUNT_OK : ACCOUNT_NOT_FOUND;
}

enum account_result account_set_status(db *conn, const char *id, const char *status, int64_t now_ms)
{
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE account SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?", "tit",
		status, now_ms, id);
	return update_one(conn, changed, rc);
}

enum account_result account_set_password(db *conn, const char *id, const char *hash, bool must_change,
                                         int64_t now_ms)
{
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE account SET password_hash = ?, password_must_change = ?, failed_logins = 0,"
		" locked_until = 0, updated_at = ?, version = version + 1 WHERE id = ?",
		"tiit", hash, (int64_t)must_change, now_ms, id);
	return update_one(conn, changed, rc);
}

enum account_result account_reset_totp(db *conn, const char *id, int64_t now_ms)
{
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE account SET totp_secret = NULL, totp_pending_secret = NULL, totp_last_step = 0,"
		" updated_at = ?, version = version + 1 WHERE id = ?", "it", now_ms, id);
	if (rc == DB_OK && changed == 1)
		rc = db_run(conn, NULL, "DELETE FROM recovery_code WHERE account_id = ?", "t", id);
	return update_one(conn, changed, rc);
}

enum account_result account_set_language(db *conn, const char *id, const char *language, int64_t now_ms)
{
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE account SET preferred_language = ?, updated_at = ?, version = version + 1 WHERE id = ?",
		"tit", language, now_ms, id);
	return update_one(conn, changed, rc);
}

static enum db_status load(db *conn, const char *column, const char *value, bool *found_r,
                           struct account_login *a)
{
	const char *sql = strcmp(column, "login") == 0
		? "SELECT id, login, display_name, status, password_hash, password_must_change, totp_secret,"
		  " totp_pending_secret, totp_last_step, failed_logins, locked_until FROM account WHERE login = ?"
		: "SELECT id, login, display_name, status, password_hash, password_must_change, totp_secret,"
		  " totp_pending_secret, totp_last_step, failed_logins, locked_until FROM account WHERE id = ?";
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, sql, "t", value);
	if (rc == DB_OK)
		rc = db_step(st);
	*found_r = rc == DB_ROW;
	*a = (struct account_login){0};
	if (rc == DB_ROW) {
		copy(a->id, sizeof a->id, db_column_text(st, 0, NULL));
		copy(a->login, sizeof a->login, db_column_text(st, 1, NULL));
		copy(a->display_name, sizeof a->display_name, db_column_text(st, 2, NULL));
		copy(a->status, sizeof a->status, db_column_text(st, 3, NULL));
		copy(a->password_hash, sizeof a->password_hash, db_column_text(st, 4, NULL));
		a->must_change = db_column_int64(st, 5) != 0;
		copy(a->totp_secret, sizeof a->totp_secret, db_column_text(st, 6, NULL));
		copy(a->totp_pending, sizeof a->totp_pending, db_column_text(st, 7, NULL));
		a->totp_last_step = db_column_int64(st, 8);
		a->failed_logins = (int)db_column_int64(st, 9);
		a->locked_until = db_column_int64(st, 10);
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

enum db_status account_for_login(db *conn, const char *login, bool *found_r, struct account_login *a)
{
	return load(conn, "login", login, found_r, a);
}

enum db_status account_for_id(db *conn, const char *id, bool *found_r, struct account_login *a)
{
	return load(conn, "id", id, found_r, a);
}

enum db_status account_login_failed(db *conn, const char *id, int64_t now_ms, int64_t *locked_until_r)
{
	*locked_until_r = 0;
	enum db_status rc = db_run(conn, NULL,
		"UPDATE account SET failed_logins = failed_logins + 1 WHERE id = ?", "t", id);
	if (rc != DB_OK)
		return rc;
	int64_t changed = 0;
	int64_t until = now_ms + ACCOUNT_LOCK_MS;
	rc = db_run(conn, &changed,
		"UPDATE account SET locked_until = ?, failed_logins = 0 WHERE id = ? AND failed_logins >= ?",
		"iti", until, id, (int64_t)ACCOUNT_MAX_FAILURES);
	if (rc == DB_OK && changed)
		*locked_until_r = until;
	return rc;
}

enum db_status account_login_succeeded(db *conn, const char *id)
{
	return db_run(conn, NULL, "UPDATE account SET failed_logins = 0, locked_until = 0 WHERE id = ?", "t", id);
}

enum db_status account_totp_begin(db *conn, const char *id, const char *secret)
{
	return db_run(conn, NULL, "UPDATE account SET totp_pending_secret = ? WHERE id = ?", "tt", secret, id);
}

enum db_status account_totp_confirm(db *conn, const char *id, int64_t step)
{
	return db_run(conn, NULL,
		"UPDATE account SET totp_secret = totp_pending_secret, totp_pending_secret = NULL,"
		" totp_last_step = ?, version = version + 1 WHERE id = ? AND totp_pending_secret IS NOT NULL",
		"it", step, id);
}

enum db_status account_totp_used(db *conn, const char *id, int64_t step)
{
	return db_run(conn, NULL, "UPDATE account SET totp_last_step = ? WHERE id = ?", "it", step, id);
}

enum db_status account_recovery_replace(db *conn, const char *id, char hashes[][65], int n)
{
	enum db_status rc = db_run(conn, NULL, "DELETE FROM recovery_code WHERE account_id = ?", "t", id);
	for (int i = 0; rc == DB_OK && i < n; i++)
		rc = db_run(conn, NULL, "INSERT INTO recovery_code (account_id, code_hash) VALUES (?, ?)", "tt",
		            id, hashes[i]);
	return rc;
}

enum db_status account_recovery_use(db *conn, const char *id, const char *hash, int64_t now_ms,
                                    bool *used_r)
{
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE recovery_code SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
		"itt", now_ms, id, hash);
	*used_r = rc == DB_OK && changed == 1;
	return rc;
}

enum account_result account_provision(db *conn, const struct account_fields *f, int64_t now_ms,
                                      char one_time_r[PASSWORD_ONETIME_SIZE], char id_r[UUID_STR_LEN])
{
	char hash[crypto_pwhash_STRBYTES];
	password_generate_onetime(one_time_r);
	if (!password_hash(one_time_r, hash))
		return ACCOUNT_ERROR;
	return account_create(conn, f, hash, now_ms, id_r);
}
