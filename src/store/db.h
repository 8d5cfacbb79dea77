/*
 * db.h — the storage driver interface.
 *
 * One const struct db_driver per backend (sqlite.c, pgsql.c). Callers use only
 * the db_* functions below, which dispatch through the handle's driver, so no
 * code outside src/store/ knows which backend it talks to.
 *
 * SQL uses `?` placeholders for both backends (the PostgreSQL driver numbers
 * them $1, $2 ...). Placeholders are 1-based, like sqlite3_bind_*.
 *
 * Status codes: every call returns an enum db_status. A failed call leaves a
 * message for db_errmsg(); it never returns NULL handles on success.
 *
 * Ownership: a db_stmt belongs to the db that prepared it and must be
 * finalized before that db is closed or released to its pool. Text and blob
 * pointers returned by db_column_* stay valid until the next db_step() or
 * db_finalize() on the same statement.
 */
#ifndef KADAM_STORE_DB_H
#define KADAM_STORE_DB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_status {
	DB_OK = 0,         /* the call succeeded */
	DB_ROW = 1,        /* db_step: a row is available */
	DB_DONE = 2,       /* db_step: the statement has finished */
	DB_CONSTRAINT = 3, /* unique, foreign-key, not-null or check violation */
	DB_BUSY = 4,       /* lock timeout or serialization failure: retry */
	DB_ERROR = 5,      /* anything else; see db_errmsg() */
	DB_MISUSE = 6,     /* bad argument (index out of range, wrong state) */
};

enum db_type {
	DB_TYPE_NULL = 0,
	DB_TYPE_INT = 1,  /* 64-bit signed integer */
	DB_TYPE_REAL = 2, /* IEEE double */
	DB_TYPE_TEXT = 3, /* UTF-8 text */
	DB_TYPE_BLOB = 4, /* bytes */
};

typedef struct db db;           /* one connection; owned by its opener or pool */
typedef struct db_stmt db_stmt; /* one prepared statement; owned by its caller */
typedef struct db_pool db_pool; /* a fixed set of connections shared by threads */

/* Capability flags, so callers never #ifdef on the backend. */
enum db_driver_flags {
	DB_DRIVER_FLAG_FILE = 1 << 0,      /* data lives in a local file */
	DB_DRIVER_FLAG_SKIP_LOCKED = 1 << 1, /* supports FOR UPDATE SKIP LOCKED */
};

/*
 * A backend. Every handle starts with a pointer to its driver (see struct db
 * in db_impl.h); the db_* wrappers dispatch through it.
 */
struct db_driver {
	const char *name;    /* "sqlite" or "postgresql" */
	const char *dialect; /* folder of its migrations under src/store/sql/ */
	unsigned flags;      /* enum db_driver_flags */
	struct {
		enum db_status (*open)(const char *url, db **db_r, char **error_r);
		void (*close)(db **db);
		enum db_status (*exec)(db *db, const char *sql);
		enum db_status (*prepare)(db *db, const char *sql, db_stmt **stmt_r);
		enum db_status (*bind_null)(db_stmt *stmt, int index);
		enum db_status (*bind_int64)(db_stmt *stmt, int index, int64_t value);
		enum db_status (*bind_double)(db_stmt *stmt, int index, double value);
		enum db_status (*bind_text)(db_stmt *stmt, int index, const char *value, size_t len);
		enum db_status (*bind_blob)(db_stmt *stmt, int index, const void *value, size_t len);
		enum db_status (*step)(db_stmt *stmt);
		enum db_status (*reset)(db_stmt *stmt);
		int (*column_count)(db_stmt *stmt);
		enum db_type (*column_type)(db_stmt *stmt, int column);
		const char *(*column_name)(db_stmt *stmt, int column);
		int64_t (*column_int64)(db_stmt *stmt, int column);
		double (*column_double)(db_stmt *stmt, int column);
		const char *(*column_text)(db_stmt *stmt, int column, size_t *len_r);
		const void *(*column_blob)(db_stmt *stmt, int column, size_t *len_r);
		int64_t (*changes)(db_stmt *stmt);
		void (*finalize)(db_stmt **stmt);
		const char *(*errmsg)(db *db);
		bool (*ping)(db *db);
	} v;
};

extern const struct db_driver db_driver_sqlite;
extern const struct db_driver db_driver_pgsql;

/* --- connections ------------------------------------------------------- */

/*
 * Opens a connection. url is "sqlite:PATH" (or "sqlite::memory:") or
 * "postgresql://..." / "postgres://...". On failure *error_r gets a malloc'd
 * message that the caller frees.
 */
enum db_status db_open(const char *url, db **db_r, char **error_r);
void db_close(db **db);
const struct db_driver *db_driver_of(const db *db);
const char *db_errmsg(db *db);
bool db_ping(db *db);

/* Runs one or more statements with no parameters and no results. */
enum db_status db_exec(db *db, const char *sql);

/* Transactions. begin uses IMMEDIATE on SQLite so writers queue on the lock. */
enum db_status db_begin(db *db);
enum db_status db_commit(db *db);
enum db_status db_rollback(db *db);
/* True while a transaction is open on the connection (the engine's own state). */
bool db_in_transaction(const db *db);

/* --- statements -------------------------------------------------------- */

enum db_status db_prepare(db *db, const char *sql, db_stmt **stmt_r);
enum db_status db_bind_null(db_stmt *stmt, int index);
enum db_status db_bind_int64(db_stmt *stmt, int index, int64_t value);
enum db_status db_bind_double(db_stmt *stmt, int index, double value);
/* text may be NULL (binds NULL); len SIZE_MAX means "up to the NUL". */
enum db_status db_bind_text(db_stmt *stmt, int index, const char *text, size_t len);
enum db_status db_bind_blob(db_stmt *stmt, int index, const void *data, size_t len);
enum db_status db_step(db_stmt *stmt);
enum db_status db_reset(db_stmt *stmt); /* keeps binds; ready to step again */
int db_column_count(db_stmt *stmt);
enum db_type db_column_type(db_stmt *stmt, int column); /* columns are 0-based */
/* The column's name as the query spelt it (AS alias); valid while the statement has a row. */
const char *db_column_name(db_stmt *stmt, int column);
int64_t db_column_int64(db_stmt *stmt, int column);
double db_column_double(db_stmt *stmt, int column);
const char *db_column_text(db_stmt *stmt, int column, size_t *len_r); /* NULL for SQL NULL */
const void *db_column_blob(db_stmt *stmt, int column, size_t *len_r);
int64_t db_changes(db_stmt *stmt); /* rows changed by the last DONE step */
void db_finalize(db_stmt **stmt);

/*
 * Shorthands that prepare and bind in one call. types has one letter per
 * placeholder: 't' text (const char *; NULL binds NULL), 'i' int64_t,
 * 'd' double. db_query leaves the statement ready to step (NULL on error);
 * db_run also steps it once and finalizes it, for INSERT/UPDATE/DELETE,
 * returning DB_OK when the statement finished (changes_r may be NULL).
 */
enum db_status db_query(db *db, db_stmt **stmt_r, const char *sql, const char *types, ...);
enum db_status db_run(db *db, int64_t *changes_r, const char *sql, const char *types, ...);
/* db_query for callers that take the arguments as a va_list themselves. */
enum db_status db_vquery(db *db, db_stmt **stmt_r, const char *sql, const char *types, va_list ap);

/* --- pool -------------------------------------------------------------- */

/*
 * A fixed set of `size` connections opened at once. acquire blocks until one
 * is free (or timeout_ms passes: DB_BUSY). A released connection must have no
 * open transaction; the pool rolls back and logs one that does.
 */
enum db_status db_pool_open(const char *url, int size, db_pool **pool_r, char **error_r);
void db_pool_close(db_pool **pool);
enum db_status db_pool_acquire(db_pool *pool, int timeout_ms, db **db_r);
void db_pool_release(db_pool *pool, db **db);
const struct db_driver *db_pool_driver(const db_pool *pool);

struct db_pool_stats {
	int size;               /* connections in the pool */
	int in_use;             /* connections handed out now */
	uint64_t acquired;      /* acquisitions since start */
	uint64_t waited;        /* acquisitions that had to wait */
	uint64_t timed_out;     /* acquisitions that gave up */
};
void db_pool_stats(db_pool *pool, struct db_pool_stats *stats_r);

/* --- migrations (migrate.c) ------------------------------------------- */

struct db_migration {
	int version;      /* 1, 2, ... in order */
	const char *name; /* file name without the number, e.g. "init" */
	const char *sql;  /* the whole file */
};

/* The migrations compiled into this binary for a dialect (sorted). */
const struct db_migration *db_migrations(const char *dialect, size_t *count_r);

/* Highest version recorded in the database (0 if none). */
enum db_status db_schema_version(db *db, int *version_r);

/*
 * Applies every migration newer than the database, each in its own
 * transaction, recording version, name and time. Refuses (DB_MISUSE, with a
 * message in *error_r) when the database is newer than this binary knows.
 */
enum db_status db_migrate(db *db, int *applied_r, char **error_r);

#endif
