#include "domain/org.h"

#include <stdio.h>
#include <string.h>

const char *const org_agency_kinds[] = {"probation", "prison", "court", "police", "partner",
                                        "monitoring_centre", "administration", NULL};

enum db_status org_agency_query(db *conn, const char *id, db_stmt **st_r)
{
	return db_query(conn, st_r,
		"SELECT id, name, kind, created_at, updated_at, version FROM agency"
		" WHERE (CAST(? AS TEXT) IS NULL OR id = ?) ORDER BY name", "tt", id, id);
}

enum db_status org_unit_query(db *conn, const char *id, const char *agency, db_stmt **st_r)
{
	return db_query(conn, st_r,
		"SELECT id, agency_id, parent_id, name, created_at, updated_at, version FROM unit"
		" WHERE (CAST(? AS TEXT) IS NULL OR id = ?) AND (CAST(? AS TEXT) IS NULL OR agency_id = ?)"
		" ORDER BY agency_id, name", "tttt", id, id, agency, agency);
}

enum db_status org_unit_members_query(db *conn, const char *unit_id, db_stmt **st_r)
{
	return db_query(conn, st_r,
		"SELECT id, login, display_name, status FROM account WHERE unit_id = ? ORDER BY display_name",
		"t", unit_id);
}

static enum org_result result_of(enum db_status rc)
{
	return rc == DB_OK || rc == DB_DONE ? ORG_OK : rc == DB_CONSTRAINT ? ORG_DUPLICATE : ORG_ERROR;
}

enum org_result org_agency_create(db *conn, const char *name, const char *kind, int64_t now_ms,
                                  char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	return result_of(db_run(conn, NULL,
		"INSERT INTO agency (id, name, kind, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, 1)",
		"tttii", id_r, name, kind, now_ms, now_ms));
}

/* After an UPDATE guarded by "AND version = ?" changed `changed` rows: tells apart
 * done, missing and stale. */
static enum org_result guarded(db *conn, enum db_status rc, int64_t changed, const char *count_sql,
                               const char *id)
{
	if (rc != DB_OK)
		return result_of(rc);
	if (changed == 1)
		return ORG_OK;
	db_stmt *st = NULL;
	rc = db_query(conn, &st, count_sql, "t", id);
	if (rc == DB_OK)
		rc = db_step(st);
	enum org_result out = rc == DB_ROW ? (db_column_int64(st, 0) ? ORG_STALE : ORG_NOT_FOUND) : ORG_ERROR;
	db_finalize(&st);
	return out;
}

enum org_result org_agency_update(db *conn, const char *id, int64_t version, const char *name,
                                  const char *kind, int64_t now_ms)
{
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE agency SET name = ?, kind = ?, updated_at = ?, version = version + 1"
		" WHERE id = ? AND version = ?", "ttiti", name, kind, now_ms, id, version);
	return guarded(conn, rc, changed, "SELECT COUNT(*) FROM agency WHERE id = ?", id);
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
	return result_of(db_run(conn, NULL,
		"INSERT INTO unit (id, agency_id, parent_id, name, created_at, updated_at, version)"
		" VALUES (?, ?, ?, ?, ?, ?, 1)", "ttttii", id_r, agency_id, parent_id, name, now_ms, now_ms));
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
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE unit SET name = ?, parent_id = ?, updated_at = ?, version = version + 1"
		" WHERE id = ? AND version = ?", "ttiti", name, parent_id, now_ms, id, version);
	return guarded(conn, rc, changed, "SELECT COUNT(*) FROM unit WHERE id = ?", id);
}
