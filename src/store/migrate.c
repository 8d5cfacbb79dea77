/*
 * migrate.c — bringing a database's schema up to the version this binary
 * was built with.
 *
 * The migrations themselves are SQL files compiled in by
 * scripts/embed-migrations.py (migrations_gen.c defines db_migrations()).
 * Each migration runs in its own transaction together with the row that
 * records it, so a crash leaves the schema either before or after it, never
 * half way. Several processes may start at once against one PostgreSQL: each
 * migration transaction takes an advisory lock and re-reads the version, so
 * only one of them applies it. On SQLite, BEGIN IMMEDIATE gives the same
 * exclusion.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "store/db_impl.h"

/* Any constant works as long as nothing else in the database uses it; "kadamigr" in ASCII. */
#define MIGRATE_LOCK_SQL "SELECT pg_advisory_xact_lock(7737572276451076466)"

static bool is_postgresql(db *conn)
{
	return strcmp(db_driver_of(conn)->dialect, "postgresql") == 0;
}

static const char *create_table_sql(db *conn)
{
	if (is_postgresql(conn))
		return "CREATE TABLE IF NOT EXISTS schema_migrations ("
		       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
	return "CREATE TABLE IF NOT EXISTS schema_migrations ("
	       "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT";
}

static const char *table_exists_sql(db *conn)
{
	if (is_postgresql(conn))
		return "SELECT to_regclass('schema_migrations') IS NOT NULL";
	return "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
}

/* Runs a query answering one integer (SQL NULL counts as 0). */
static enum db_status query_int(db *conn, const char *sql, int64_t *value_r)
{
	db_stmt *stmt = NULL;
	*value_r = 0;
	enum db_status status = db_prepare(conn, sql, &stmt);
	if (status != DB_OK)
		return status;
	status = db_step(stmt);
	if (status == DB_ROW) {
		*value_r = db_column_int64(stmt, 0);
		status = DB_OK;
	} else if (status == DB_DONE) {
		status = DB_OK;
	}
	db_finalize(&stmt);
	return status;
}

enum db_status db_schema_version(db *conn, int *version_r)
{
	int64_t exists = 0, version = 0;
	*version_r = 0;
	enum db_status status = query_int(conn, table_exists_sql(conn), &exists);
	if (status == DB_OK && exists)
		status = query_int(conn, "SELECT MAX(version) FROM schema_migrations", &version);
	if (status == DB_OK)
		*version_r = (int)version;
	return status;
}

/* Serialises migrators on PostgreSQL until the end of the current transaction. */
static enum db_status lock_migrations(db *conn)
{
	return is_postgresql(conn) ? db_exec(conn, MIGRATE_LOCK_SQL) : DB_OK;
}

/* Under the lock, so two processes starting on an empty database do not race on CREATE. */
static enum db_status ensure_table(db *conn)
{
	enum db_status status = db_begin(conn);
	if (status == DB_OK)
		status = lock_migrations(conn);
	if (status == DB_OK)
		status = db_exec(conn, create_table_sql(conn));
	if (status == DB_OK)
		status = db_commit(conn);
	if (status != DB_OK)
		db_rollback(conn);
	return status;
}

static enum db_status record(db *conn, const struct db_migration *m)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(
		conn, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &stmt);
	if (status != DB_OK)
		return status;
	db_bind_int64(stmt, 1, m->version);
	db_bind_text(stmt, 2, m->name, SIZE_MAX);
	db_bind_int64(stmt, 3, clock_now_ms());
	status = db_step(stmt);
	db_finalize(&stmt);
	return status == DB_DONE ? DB_OK : status;
}

/* Applies m unless another process did while we waited for the lock; *applied_r says which. */
static enum db_status apply_one(db *conn, const struct db_migration *m, bool *applied_r)
{
	int current = 0;
	*applied_r = false;
	enum db_status status = db_begin(conn);
	if (status == DB_OK)
		status = lock_migrations(conn);
	if (status == DB_OK)
		status = db_schema_version(conn, &current);
	if (status == DB_OK && current >= m->version)
		return db_rollback(conn);
	if (status == DB_OK)
		status = db_exec(conn, m->sql);
	if (status == DB_OK)
		status = record(conn, m);
	if (status == DB_OK)
		status = db_commit(conn);
	if (status != DB_OK) {
		/* The message of the failing statement; rollback must not overwrite it. */
		char *cause = xstrdup(db_errmsg(conn));
		db_rollback(conn);
		db_set_error(conn, "%s", cause);
		free(cause);
		return status;
	}
	*applied_r = true;
	return DB_OK;
}

static void set_error(char **error_r, char *msg)
{
	if (error_r)
		*error_r = msg;
	else
		free(msg);
}

enum db_status db_migrate(db *conn, int *applied_r, char **error_r)
{
	size_t count = 0;
	const struct db_migration *list = db_migrations(db_driver_of(conn)->dialect, &count);
	int latest = count > 0 ? list[count - 1].version : 0;
	int current = 0;
	if (applied_r)
		*applied_r = 0;
	if (error_r)
		*error_r = NULL;
	enum db_status status = ensure_table(conn);
	if (status == DB_OK)
		status = db_schema_version(conn, &current);
	if (status != DB_OK) {
		set_error(error_r, xasprintf("cannot read the schema version: %s", db_errmsg(conn)));
		return status;
	}
	if (current > latest) {
		set_error(error_r, xasprintf("database schema is version %d but this kadam knows only up to "
		                             "version %d; upgrade kadam",
		                             current, latest));
		return DB_MISUSE;
	}
	for (size_t i = 0; i < count; i++) {
		if (list[i].version <= current)
			continue;
		bool applied = false;
		status = apply_one(conn, &list[i], &applied);
		if (status != DB_OK) {
			set_error(error_r, xasprintf("migration %04d_%s failed: %s", list[i].version,
			                             list[i].name, db_errmsg(conn)));
			return status;
		}
		if (applied && applied_r)
			(*applied_r)++;
	}
	return DB_OK;
}
