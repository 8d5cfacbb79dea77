/*
 * db.c — opening a connection by URL and the db_* wrappers that dispatch
 * through the handle's driver.
 *
 * The wrappers also hold the rules both backends must share, so callers see
 * one behaviour: a transaction in which any statement failed cannot be
 * committed (PostgreSQL enforces this itself; SQLite would happily commit the
 * statements that did succeed), bind and column indexes are checked, and text
 * with an embedded NUL is refused (PostgreSQL cannot store it).
 */
#include "store/db_impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

/* ---- errors ------------------------------------------------------------ */

void db_set_error(db *conn, const char *fmt, ...)
{
	struct buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(conn->error);
	conn->error = buf_steal(&b);
}

void db_set_error_text(db *conn, const char *msg)
{
	size_t len = msg ? strlen(msg) : 0;
	while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' ' || msg[len - 1] == '\r'))
		len--;
	char *copy = xstrndup(msg ? msg : "", len);
	free(conn->error);
	conn->error = copy;
}

void db_clear_error(db *conn)
{
	free(conn->error);
	conn->error = NULL;
}

/* ---- connections ------------------------------------------------------- */

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static const struct db_driver *driver_for_url(const char *url)
{
	if (has_prefix(url, "sqlite:"))
		return &db_driver_sqlite;
	if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
		return &db_driver_pgsql;
	return NULL;
}

/* Names only the scheme: the rest of a URL may carry a password. */
static char *unknown_scheme_error(const char *url)
{
	size_t len = strcspn(url, ":");
	if (url[len] != ':')
		return xstrdup("database URL has no scheme (use sqlite:PATH or postgresql://...)");
	if (len > 32)
		len = 32;
	char *scheme = xstrndup(url, len);
	char *msg = xasprintf("unknown database URL scheme \"%s\" (use sqlite:PATH or postgresql://...)",
	                      scheme);
	free(scheme);
	return msg;
}

enum db_status db_open(const char *url, db **db_r, char **error_r)
{
	*db_r = NULL;
	if (error_r)
		*error_r = NULL;
	const struct db_driver *driver = url ? driver_for_url(url) : NULL;
	if (!driver) {
		if (error_r)
			*error_r = url ? unknown_scheme_error(url) : xstrdup("no database URL");
		return DB_MISUSE;
	}
	char *error = NULL;
	enum db_status status = driver->v.open(url, db_r, &error);
	if (error_r)
		*error_r = error;
	else
		free(error);
	return status;
}

void db_close(db **conn)
{
	if (conn && *conn)
		(*conn)->driver->v.close(conn);
}

const struct db_driver *db_driver_of(const db *conn)
{
	return conn->driver;
}

const char *db_errmsg(db *conn)
{
	if (!conn)
		return "no database handle";
	return conn->driver->v.errmsg(conn);
}

bool db_ping(db *conn)
{
	return conn && conn->driver->v.ping(conn);
}

/* A failing statement inside a transaction poisons it, on every backend. */
static enum db_status note_result(db *conn, bool was_in_transaction, enum db_status status)
{
	bool failed = status == DB_CONSTRAINT || status == DB_BUSY || status == DB_ERROR;
	if (failed && (was_in_transaction || conn->in_transaction))
		conn->tx_failed = true;
	return status;
}

enum db_status db_exec(db *conn, const char *sql)
{
	if (!conn || !sql)
		return DB_MISUSE;
	bool was = conn->in_transaction;
	return note_result(conn, was, conn->driver->v.exec(conn, sql));
}

/* ---- transactions ------------------------------------------------------ */

enum db_status db_begin(db *conn)
{
	if (!conn)
		return DB_MISUSE;
	if (conn->in_transaction) {
		db_set_error(conn, "db_begin: a transaction is already open");
		return DB_MISUSE;
	}
	conn->tx_failed = false;
	return conn->driver->v.exec(conn, conn->begin_sql);
}

enum db_status db_commit(db *conn)
{
	if (!conn)
		return DB_MISUSE;
	if (conn->tx_failed) {
		/* Keep the statement's own message: it says what went wrong. */
		char *cause = xstrdup(conn->error ? conn->error : "unknown error");
		if (conn->in_transaction)
			conn->driver->v.exec(conn, "ROLLBACK");
		conn->tx_failed = false;
		db_set_error(conn, "transaction rolled back because a statement in it failed: %s", cause);
		free(cause);
		return DB_ERROR;
	}
	if (!conn->in_transaction) {
		db_set_error(conn, "db_commit: no transaction is open");
		return DB_MISUSE;
	}
	return conn->driver->v.exec(conn, "COMMIT");
}

/* Rolling back with no open transaction is a no-op, so cleanup paths may call it freely. */
enum db_status db_rollback(db *conn)
{
	if (!conn)
		return DB_MISUSE;
	conn->tx_failed = false;
	if (!conn->in_transaction)
		return DB_OK;
	return conn->driver->v.exec(conn, "ROLLBACK");
}

bool db_in_transaction(const db *conn)
{
	return conn && conn->in_transaction;
}

/* ---- statements -------------------------------------------------------- */

enum db_status db_prepare(db *conn, const char *sql, db_stmt **stmt_r)
{
	if (stmt_r)
		*stmt_r = NULL;
	if (!conn || !sql || !stmt_r)
		return DB_MISUSE;
	bool was = conn->in_transaction;
	return note_result(conn, was, conn->driver->v.prepare(conn, sql, stmt_r));
}

enum db_status db_bind_null(db_stmt *stmt, int index)
{
	if (!stmt)
		return DB_MISUSE;
	return stmt->db->driver->v.bind_null(stmt, index);
}

enum db_status db_bind_int64(db_stmt *stmt, int index, int64_t value)
{
	if (!stmt)
		return DB_MISUSE;
	return stmt->db->driver->v.bind_int64(stmt, index, value);
}

enum db_status db_bind_double(db_stmt *stmt, int index, double value)
{
	if (!stmt)
		return DB_MISUSE;
	return stmt->db->driver->v.bind_double(stmt, index, value);
}

enum db_status db_bind_text(db_stmt *stmt, int index, const char *text, size_t len)
{
	if (!stmt)
		return DB_MISUSE;
	if (!text)
		return stmt->db->driver->v.bind_null(stmt, index);
	if (len == SIZE_MAX)
		len = strlen(text);
	else if (memchr(text, '\0', len)) {
		db_set_error(stmt->db, "db_bind_text: parameter %d contains a NUL byte", index);
		return DB_MISUSE;
	}
	return stmt->db->driver->v.bind_text(stmt, index, text, len);
}

/* data NULL binds SQL NULL, like text; an empty blob needs a non-NULL pointer. */
enum db_status db_bind_blob(db_stmt *stmt, int index, const void *data, size_t len)
{
	if (!stmt)
		return DB_MISUSE;
	if (!data)
		return stmt->db->driver->v.bind_null(stmt, index);
	return stmt->db->driver->v.bind_blob(stmt, index, data, len);
}

enum db_status db_step(db_stmt *stmt)
{
	if (!stmt)
		return DB_MISUSE;
	bool was = stmt->db->in_transaction;
	return note_result(stmt->db, was, stmt->db->driver->v.step(stmt));
}

enum db_status db_reset(db_stmt *stmt)
{
	if (!stmt)
		return DB_MISUSE;
	return stmt->db->driver->v.reset(stmt);
}

int db_column_count(db_stmt *stmt)
{
	return stmt ? stmt->db->driver->v.column_count(stmt) : 0;
}

static bool column_ok(db_stmt *stmt, int column)
{
	return stmt && column >= 0 && column < stmt->db->driver->v.column_count(stmt);
}

const char *db_column_name(db_stmt *stmt, int column)
{
	return column_ok(stmt, column) ? stmt->db->driver->v.column_name(stmt, column) : NULL;
}

enum db_type db_column_type(db_stmt *stmt, int column)
{
	return column_ok(stmt, column) ? stmt->db->driver->v.column_type(stmt, column) : DB_TYPE_NULL;
}

int64_t db_column_int64(db_stmt *stmt, int column)
{
	return column_ok(stmt, column) ? stmt->db->driver->v.column_int64(stmt, column) : 0;
}

double db_column_double(db_stmt *stmt, int column)
{
	return column_ok(stmt, column) ? stmt->db->driver->v.column_double(stmt, column) : 0.0;
}

/* A NULL len_r is allowed; the driver always gets somewhere to write. */
const char *db_column_text(db_stmt *stmt, int column, size_t *len_r)
{
	size_t unused = 0;
	size_t *len = len_r ? len_r : &unused;
	*len = 0;
	if (!column_ok(stmt, column))
		return NULL;
	return stmt->db->driver->v.column_text(stmt, column, len);
}

const void *db_column_blob(db_stmt *stmt, int column, size_t *len_r)
{
	size_t unused = 0;
	size_t *len = len_r ? len_r : &unused;
	*len = 0;
	if (!column_ok(stmt, column))
		return NULL;
	return stmt->db->driver->v.column_blob(stmt, column, len);
}

int64_t db_changes(db_stmt *stmt)
{
	return stmt ? stmt->db->driver->v.changes(stmt) : 0;
}

void db_finalize(db_stmt **stmt)
{
	if (stmt && *stmt)
		(*stmt)->db->driver->v.finalize(stmt);
}

/* ---- shorthands -------------------------------------------------------- */

static enum db_status bind_va(db_stmt *stmt, const char *types, va_list ap)
{
	enum db_status rc = DB_OK;
	for (int i = 0; rc == DB_OK && types[i]; i++) {
		switch (types[i]) {
		case 't': rc = db_bind_text(stmt, i + 1, va_arg(ap, const char *), SIZE_MAX); break;
		case 'i': rc = db_bind_int64(stmt, i + 1, va_arg(ap, int64_t)); break;
		case 'd': rc = db_bind_double(stmt, i + 1, va_arg(ap, double)); break;
		default: rc = DB_MISUSE;
		}
	}
	return rc;
}

enum db_status db_query(db *conn, db_stmt **stmt_r, const char *sql, const char *types, ...)
{
	enum db_status rc = db_prepare(conn, sql, stmt_r);
	if (rc != DB_OK)
		return rc;
	va_list ap;
	va_start(ap, types);
	rc = bind_va(*stmt_r, types, ap);
	va_end(ap);
	if (rc != DB_OK)
		db_finalize(stmt_r);
	return rc;
}

enum db_status db_vquery(db *conn, db_stmt **stmt_r, const char *sql, const char *types, va_list ap)
{
	enum db_status rc = db_prepare(conn, sql, stmt_r);
	if (rc != DB_OK)
		return rc;
	rc = bind_va(*stmt_r, types, ap);
	if (rc != DB_OK)
		db_finalize(stmt_r);
	return rc;
}

enum db_status db_run(db *conn, int64_t *changes_r, const char *sql, const char *types, ...)
{
	db_stmt *stmt = NULL;
	enum db_status rc = db_prepare(conn, sql, &stmt);
	if (rc == DB_OK) {
		va_list ap;
		va_start(ap, types);
		rc = bind_va(stmt, types, ap);
		va_end(ap);
	}
	if (rc == DB_OK)
		rc = db_step(stmt);
	if (changes_r)
		*changes_r = rc == DB_DONE ? db_changes(stmt) : 0;
	db_finalize(&stmt);
	return rc == DB_DONE ? DB_OK : rc == DB_ROW ? DB_MISUSE : rc;
}
