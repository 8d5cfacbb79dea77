#include "domain/grant.h"

#include <stdio.h>

enum db_status grant_query(db *conn, const char *scope_unit_id, const char *id, db_stmt **st_r)
{
	return db_query(conn, st_r,
		"WITH RECURSIVE below(id) AS ("
		"  SELECT id FROM unit WHERE id = ?"
		"  UNION ALL SELECT u.id FROM unit u JOIN below ON u.parent_id = below.id)"
		" SELECT g.id, g.kind, g.account_id, a.login AS account_login, a.display_name AS account_name,"
		"   g.unit_id, u.name AS unit_name, g.purpose, g.justification, g.granted_by,"
		"   b.login AS granted_by_login, g.created_at, g.expires_at, g.revoked_at"
		" FROM access_grant g JOIN account a ON a.id = g.account_id JOIN unit u ON u.id = g.unit_id"
		" JOIN account b ON b.id = g.granted_by"
		" WHERE g.unit_id IN (SELECT id FROM below) AND (CAST(? AS TEXT) IS NULL OR g.id = ?)"
		" ORDER BY g.created_at DESC LIMIT 200",
		"ttt", scope_unit_id, id, id);
}

enum db_status grant_create(db *conn, const char *kind, const char *account_id, const char *unit_id,
                            const char *purpose, const char *justification, const char *granted_by,
                            int64_t now_ms, int64_t expires_at, char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	return db_run(conn, NULL,
		"INSERT INTO access_grant (id, kind, account_id, unit_id, purpose, justification, granted_by,"
		" created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttttttii", id_r, kind, account_id, unit_id, purpose, justification, granted_by, now_ms, expires_at);
}

enum db_status grant_unit(db *conn, const char *id, char unit_r[UUID_STR_LEN])
{
	db_stmt *st = NULL;
	unit_r[0] = '\0';
	enum db_status rc = db_query(conn, &st, "SELECT unit_id FROM access_grant WHERE id = ? AND revoked_at IS NULL",
	                             "t", id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(unit_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

enum db_status grant_revoke(db *conn, const char *id, int64_t now_ms)
{
	return db_run(conn, NULL, "UPDATE access_grant SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", "it",
	              now_ms, id);
}

enum db_status notify_unit_heads(db *conn, const char *unit_id, const char *kind, const char *subject,
                                 const char *record_type, const char *record_id, int64_t now_ms,
                                 int64_t *count_r)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"WITH RECURSIVE up(id, parent_id) AS ("
		"  SELECT id, parent_id FROM unit WHERE id = ?"
		"  UNION ALL SELECT u.id, u.parent_id FROM unit u JOIN up ON u.id = up.parent_id)"
		" SELECT DISTINCT a.id FROM account a JOIN account_role r ON r.account_id = a.id"
		" WHERE r.role = 'unit_head' AND a.status = 'active' AND a.unit_id IN (SELECT id FROM up)",
		"t", unit_id);
	*count_r = 0;
	/* Collect first: one statement at a time per connection keeps both backends simple. */
	char ids[64][UUID_STR_LEN];
	int n = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n < 64)
			snprintf(ids[n++], UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc;
	rc = DB_OK;
	for (int i = 0; rc == DB_OK && i < n; i++) {
		char id[UUID_STR_LEN];
		uuid_v7(id);
		rc = db_run(conn, NULL,
			"INSERT INTO notification (id, account_id, kind, subject, record_type, record_id, created_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", "tttttti", id, ids[i], kind, subject, record_type, record_id, now_ms);
	}
	*count_r = n;
	return rc;
}
