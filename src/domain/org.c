#include "domain/org.h"

#include <stdio.h>
#include <string.h>

const char *const org_agency_kinds[] = {"probation", "prison", "court", "police", "partner",
                                        "monitoring_centre", "administration", NULL};

static enum db_status bind_all(db_stmt *st, const char *const *texts, int n)
{
	enum db_status rc = DB_OK;
	for (int i = 0; rc == DB_OK && i < n; i++)
		rc = db_bind_text(st, i + 1, texts[i], SIZE_MAX);
	return rc;
}

enum db_status org_agency_query(db *conn, const char *id, db_stmt **st_r)
{
	enum db_status rc = db_prepare(conn,
		"SELECT id, name, kind, created_at, updated_at, version FROM agency"
		" WHERE (CAST(? AS TEXT) IS NULL OR id = ?) ORDER BY name", st_r);
	const char *binds[] = {id, id};
	return rc == DB_OK ? bind_all(*st_r, binds, 2) : rc;
}

enum db_status org_unit_query(db *conn, const char *id, const char *agency, db_stmt **st_r)
{
	enum db_status rc = db_prepare(conn,
		"SELECT id, agency_id, parent_id, name, created_at, updated_at, version FROM unit"
		" WHERE (CAST(? AS TEXT) IS NULL OR id = ?) AND (CAST(? AS TEXT) IS NULL OR agency_id = ?)"
		" ORDER BY agency_id, name", st_r);
	const char *binds[] = {id, id, agency, agency};
	return rc == DB_OK ? bind_all(*st_r, binds, 4) : rc;
}

enum db_status org_unit_members_query(db *conn, const char *unit_id, db_stmt **st_r)
{
	enum db_status rc = db_prepare(conn,
		"SELECT a.id, a.login, a.display_name, a.status"
		" FROM account a WHERE a.unit_id = ? ORDER BY a.display_name", st_r);
	const char *binds[] = {unit_id};
	return rc == DB_OK ? bind_all(*st_r, binds, 1) : rc;
}

static enum org_result result_of(enum db_status rc)
{
	return rc == DB_OK || rc == DB_DONE ? ORG_OK : rc == DB_CONSTRAINT ? ORG_DUPLICATE : ORG_ERROR;
}

enum org_result org_agency_create(db *conn, const char *name, const char *kind, int64_t now_ms,
                                  char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn,
		"INSERT INTO agency (id, name, kind, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)", &st);
	const char *binds[] = {id_r, name, kind};
	if (rc == DB_OK)
		rc = bind_all(st, binds, 3);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 4, now_ms);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 5, now_ms);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(&st);
	return result_of(rc);
}

/* Runs an UPDATE guarded by "AND version = ?"; tells apart missing, stale and done. */
static enum org_result guarded_update(db *conn, db_stmt *st, const char *table, const char *id)
{
	enum db_status rc = db_step(st);
	int64_t changed = rc == DB_DONE ? db_changes(st) : 0;
	db_finalize(&st);
	if (rc != DB_DONE)
		return result_of(rc);
	if (changed == 1)
		return ORG_OK;
	char *sql = strcmp(table, "agency") == 0 ? "SELECT COUNT(*) FROM agency WHERE id = ?"
	                                         : "SELECT COUNT(*) FROM unit WHERE id = ?";
	rc = db_prepare(conn, sql, &st);
	if (rc == DB_OK)
		rc = db_bind_text(st, 1, id, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_step(st);
	enum org_result out = rc == DB_ROW ? (db_column_int64(st, 0) ? ORG_STALE : ORG_NOT_FOUND) : ORG_ERROR;
	db_finalize(&st);
	return out;
}

enum org_result org_agency_update(db *conn, const char *id, int64_t version, const char *name,
                                  const char *kind, int64_t now_ms)
{
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn,
		"UPDATE agency SET name = ?, kind = ?, updated_at = ?, version = version + 1"
		" WHERE id = ? AND version = ?", &st);
	if (rc == DB_OK)
		rc = db_bind_text(st, 1, name, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, kind, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 3, now_ms);
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, id, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 5, version);
	if (rc != DB_OK) {
		db_finalize(&st);
		return ORG_ERROR;
	}
	return guarded_update(conn, st, "agency", id);
}

enum db_status org_unit_agency(db *conn, const char *unit_id, char agency_r[UUID_STR_LEN])
{
	agency_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn, "SELECT agency_id FROM unit WHERE id = ?", &st);
	if (rc == DB_OK)
		rc = db_bind_text(st, 1, unit_id, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(agency_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* True when candidate is unit_id itself or lies below it (moving there would make a cycle). */
static enum db_status is_below(db *conn, const char *candidate, const char *unit_id, bool *below_r)
{
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn,
		"WITH RECURSIVE up(id, parent_id) AS ("
		"  SELECT id, parent_id FROM unit WHERE id = ?"
		"  UNION ALL SELECT u.id, u.parent_id FROM unit u JOIN up ON u.id = up.parent_id)"
		" SELECT COUNT(*) FROM up WHERE id = ?", &st);
	if (rc == DB_OK)
		rc = db_bind_text(st, 1, candidate, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, unit_id, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_step(st);
	*below_r = rc == DB_ROW && db_column_int64(st, 0) > 0;
	db_finalize(&st);
	return rc == DB_ROW ? DB_OK : rc;
}

static enum org_result check_parent(db *conn, const char *agency_id, const char *parent_id,
                                    const char *unit_id)
{
	if (!parent_id)
		return ORG_OK;
	char parent_agency[UUID_STR_LEN];
	if (org_unit_agency(conn, parent_id, parent_agency) != DB_OK)
		return ORG_ERROR;
	if (!parent_agency[0] || strcmp(parent_agency, agency_id) != 0)
		return ORG_BAD_PARENT;
	bool below = false;
	if (unit_id && is_below(conn, parent_id, unit_id, &below) != DB_OK)
		return ORG_ERROR;
	return below ? ORG_BAD_PARENT : ORG_OK;
}

enum org_result org_unit_create(db *conn, const char *agency_id, const char *parent_id,
                                const char *name, int64_t now_ms, char id_r[UUID_STR_LEN])
{
	enum org_result r = check_parent(conn, agency_id, parent_id, NULL);
	if (r != ORG_OK)
		return r;
	uuid_v7(id_r);
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn,
		"INSERT INTO unit (id, agency_id, parent_id, name, created_at, updated_at, version)"
		" VALUES (?, ?, ?, ?, ?, ?, 1)", &st);
	const char *binds[] = {id_r, agency_id, parent_id, name};
	if (rc == DB_OK)
		rc = bind_all(st, binds, 4);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 5, now_ms);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 6, now_ms);
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(&st);
	return result_of(rc);
}

enum org_result org_unit_update(db *conn, const char *id, int64_t version, const char *name,
                                const char *parent_id, int64_t now_ms)
{
	char agency[UUID_STR_LEN];
	if (org_unit_agency(conn, id, agency) != DB_OK)
		return ORG_ERROR;
	if (!agency[0])
		return ORG_NOT_FOUND;
	enum org_result r = check_parent(conn, agency, parent_id, id);
	if (r != ORG_OK)
		return r;
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn,
		"UPDATE unit SET name = ?, parent_id = ?, updated_at = ?, version = version + 1"
		" WHERE id = ? AND version = ?", &st);
	if (rc == DB_OK)
		rc = db_bind_text(st, 1, name, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_text(st, 2, parent_id, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 3, now_ms);
	if (rc == DB_OK)
		rc = db_bind_text(st, 4, id, SIZE_MAX);
	if (rc == DB_OK)
		rc = db_bind_int64(st, 5, version);
	if (rc != DB_OK) {
		db_finalize(&st);
		return ORG_ERROR;
	}
	return guarded_update(conn, st, "unit", id);
}
