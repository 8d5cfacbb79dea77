/*
 * sqlite.c — the SQLite backend (db_driver_sqlite).
 *
 * One connection per thread (the pool hands each out to one thread at a
 * time), so the library's own mutexes are off. Durability settings are made
 * at open: WAL so readers never block the writer, synchronous=FULL so nothing
 * acknowledged is lost on power failure, foreign keys on (SQLite defaults to
 * off), and a busy timeout so writers queue on the lock instead of failing.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "store/db_impl.h"

#define SQLITE_BUSY_TIMEOUT_MS 5000

/*
 * Writers to one database file queue here, inside the process, before BEGIN
 * IMMEDIATE. SQLite alone makes a blocked writer sleep and retry with growing
 * pauses, so under load a few writers wait seconds while others get through;
 * a condition variable wakes the next writer as soon as the last one commits.
 * Shared by every connection to the same path; freed with the last of them.
 */
struct writer_queue {
	char *path;            /* owned */
	int refs;              /* connections using it; guarded by queues_lock */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	bool busy;             /* a connection holds the write transaction */
};

static pthread_mutex_t queues_lock = PTHREAD_MUTEX_INITIALIZER;
#define MAX_QUEUES 64
static struct writer_queue *queues[MAX_QUEUES];

/* A connection; owned by its opener or pool. */
/*
 * Statements finished with are kept, reset, for the next db_prepare of the
 * same SQL on the connection (as pgsql.c keeps its prepared statements):
 * parsing and planning was four tenths of the time of writing a person.
 * Least recently returned goes first when the cache is full.
 */
#define STMT_CACHE_SIZE 64

struct cached_stmt {
	char *sql;              /* owned; NULL when the slot is empty */
	sqlite3_stmt *handle;   /* owned; reset, bindings cleared */
	uint64_t returned;      /* tick of its return, for eviction */
};

struct sqlite_db {
	struct db base;  /* must be first */
	sqlite3 *handle; /* owned; closed by sqlite_close */
	char *path;      /* file name without the "sqlite:" prefix, for messages; owned */
	struct writer_queue *writers; /* shared; NULL for :memory: or when the table is full */
	bool writing;    /* this connection holds writers->busy */
	struct cached_stmt cache[STMT_CACHE_SIZE]; /* statements ready for reuse */
	uint64_t tick;   /* counts returns to the cache */
};

static struct writer_queue *queue_get(const char *path)
{
	pthread_mutex_lock(&queues_lock);
	struct writer_queue *q = NULL;
	for (int i = 0; i < MAX_QUEUES && !q; i++)
		if (queues[i] && strcmp(queues[i]->path, path) == 0)
			q = queues[i];
	for (int i = 0; i < MAX_QUEUES && !q; i++) {
		if (!queues[i]) {
			q = queues[i] = xcalloc(1, sizeof *q);
			q->path = xstrdup(path);
			pthread_mutex_init(&q->lock, NULL);
			pthread_cond_init(&q->freed, NULL);
		}
	}
	if (q)
		q->refs++;
	pthread_mutex_unlock(&queues_lock);
	return q;
}

static void queue_put(struct writer_queue *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&queues_lock);
	if (--q->refs == 0) {
		for (int i = 0; i < MAX_QUEUES; i++)
			if (queues[i] == q)
				queues[i] = NULL;
		pthread_cond_destroy(&q->freed);
		pthread_mutex_destroy(&q->lock);
		free(q->path);
		free(q);
	}
	pthread_mutex_unlock(&queues_lock);
}

/* Waits for the file's write turn, at most the busy timeout (then SQLite decides). */
static void queue_enter(struct sqlite_db *lite)
{
	struct writer_queue *q = lite->writers;
	if (!q || lite->writing)
		return;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SQLITE_BUSY_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&q->lock);
	while (q->busy && pthread_cond_timedwait(&q->freed, &q->lock, &until) != ETIMEDOUT)
		;
	if (!q->busy) {
		q->busy = true;
		lite->writing = true;
	}
	pthread_mutex_unlock(&q->lock);
}

static void queue_leave(struct sqlite_db *lite)
{
	struct writer_queue *q = lite->writers;
	if (!q || !lite->writing)
		return;
	pthread_mutex_lock(&q->lock);
	q->busy = false;
	lite->writing = false;
	pthread_cond_signal(&q->freed);
	pthread_mutex_unlock(&q->lock);
}

/* A prepared statement; owned by the caller of db_prepare. */
struct sqlite_stmt {
	struct db_stmt base;  /* must be first */
	sqlite3_stmt *handle; /* owned; back to the connection's cache (or finalized) by sqlite_finalize */
	char *sql;            /* owned; its text, the cache's key */
	int64_t changes;      /* rows changed, recorded when the statement reached DONE */
};

static struct sqlite_db *lite_of(db *conn)
{
	return (struct sqlite_db *)conn;
}

static struct sqlite_stmt *stmt_of(db_stmt *stmt)
{
	return (struct sqlite_stmt *)stmt;
}

static enum db_status map_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: return DB_OK;
	case SQLITE_ROW: return DB_ROW;
	case SQLITE_DONE: return DB_DONE;
	case SQLITE_CONSTRAINT: return DB_CONSTRAINT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DB_BUSY;
	case SQLITE_MISUSE:
	case SQLITE_RANGE: return DB_MISUSE;
	default: return DB_ERROR;
	}
}

/* Copies SQLite's message (valid only until the next call) and refreshes the transaction state. */
static enum db_status finish(struct sqlite_db *lite, int rc)
{
	enum db_status status = map_code(rc);
	if (status != DB_OK && status != DB_ROW && status != DB_DONE)
		db_set_error_text(&lite->base, sqlite3_errmsg(lite->handle));
	lite->base.in_transaction = !sqlite3_get_autocommit(lite->handle);
	if (!lite->base.in_transaction)
		queue_leave(lite);
	return status;
}

/* ---- open / close ------------------------------------------------------ */

static bool is_memory(const char *path)
{
	return strcmp(path, ":memory:") == 0;
}

/* Runs a PRAGMA that answers with a row and returns that answer (malloc'd) or NULL. */
static char *pragma_answer(sqlite3 *handle, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	char *answer = NULL;
	if (sqlite3_prepare_v2(handle, sql, -1, &stmt, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		answer = xstrdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return answer;
}

static bool configure(struct sqlite_db *lite, char **error_r)
{
	static const char settings[] = "PRAGMA synchronous=FULL;"
	                               "PRAGMA foreign_keys=ON;"
	                               "PRAGMA busy_timeout=5000;";
	sqlite3_busy_timeout(lite->handle, SQLITE_BUSY_TIMEOUT_MS);
	if (!is_memory(lite->path)) {
		/* Also the first read of the file: a non-database file fails here. */
		char *mode = pragma_answer(lite->handle, "PRAGMA journal_mode=WAL");
		if (!mode) {
			*error_r = xasprintf("cannot open SQLite database %s: %s", lite->path,
			                     sqlite3_errmsg(lite->handle));
			return false;
		}
		if (strcmp(mode, "wal") != 0)
			log_warn("SQLite database %s stays in journal mode %s, not WAL", lite->path, mode);
		free(mode);
	}
	if (sqlite3_exec(lite->handle, settings, NULL, NULL, NULL) != SQLITE_OK) {
		*error_r = xasprintf("cannot configure SQLite database %s: %s", lite->path,
		                     sqlite3_errmsg(lite->handle));
		return false;
	}
	return true;
}

/*
 * Switching a new file to WAL takes an exclusive lock that SQLite does not
 * wait for: two connections opening the same new file at once could fail with
 * "database is locked". Opens are rare, so they take turns in this process.
 */
static bool configure_serialised(struct sqlite_db *lite, char **error_r)
{
	static pthread_mutex_t opening = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&opening);
	bool ok = configure(lite, error_r);
	pthread_mutex_unlock(&opening);
	return ok;
}

static void sqlite_close(db **dbp)
{
	struct sqlite_db *lite = lite_of(*dbp);
	*dbp = NULL;
	if (!lite)
		return;
	for (int i = 0; i < STMT_CACHE_SIZE; i++) {
		sqlite3_finalize(lite->cache[i].handle);
		free(lite->cache[i].sql);
	}
	/* close_v2: a forgotten statement defers the close instead of leaking the handle. */
	sqlite3_close_v2(lite->handle);
	queue_leave(lite);
	queue_put(lite->writers);
	db_clear_error(&lite->base);
	free(lite->path);
	free(lite);
}

static enum db_status sqlite_open(const char *url, db **db_r, char **error_r)
{
	*db_r = NULL;
	const char *path = url + strlen("sqlite:");
	if (*path == '\0') {
		*error_r = xstrdup("sqlite: URL has no file name (use sqlite:PATH or sqlite::memory:)");
		return DB_MISUSE;
	}
	struct sqlite_db *lite = xcalloc(1, sizeof(*lite));
	lite->base.driver = &db_driver_sqlite;
	lite->base.begin_sql = "BEGIN IMMEDIATE";
	lite->path = xstrdup(path);
	/* No SQLITE_OPEN_URI: the path is a plain file name, never parsed for options. */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
	int rc = sqlite3_open_v2(path, &lite->handle, flags, NULL);
	if (rc != SQLITE_OK) {
		*error_r = xasprintf("cannot open SQLite database %s: %s", path,
		                     lite->handle ? sqlite3_errmsg(lite->handle) : sqlite3_errstr(rc));
	} else if (configure_serialised(lite, error_r)) {
		sqlite3_extended_result_codes(lite->handle, 1);
		lite->writers = is_memory(path) ? NULL : queue_get(path);
		*db_r = &lite->base;
		return DB_OK;
	}
	db *failed = &lite->base;
	sqlite_close(&failed);
	return DB_ERROR;
}

/* ---- statements -------------------------------------------------------- */

static enum db_status sqlite_exec(db *conn, const char *sql)
{
	struct sqlite_db *lite = lite_of(conn);
	if (sql == conn->begin_sql)
		queue_enter(lite);
	return finish(lite, sqlite3_exec(lite->handle, sql, NULL, NULL, NULL));
}

/* True when tail holds another statement (not just blanks and comments). */
static bool has_second_statement(sqlite3 *handle, const char *tail)
{
	tail += strspn(tail, " \t\r\n;");
	if (*tail == '\0')
		return false;
	sqlite3_stmt *next = NULL;
	sqlite3_prepare_v2(handle, tail, -1, &next, NULL);
	bool found = next != NULL;
	sqlite3_finalize(next);
	return found;
}

static enum db_status sqlite_prepare(db *conn, const char *sql, db_stmt **stmt_r)
{
	struct sqlite_db *lite = lite_of(conn);
	for (int i = 0; i < STMT_CACHE_SIZE; i++) {
		struct cached_stmt *c = &lite->cache[i];
		if (c->sql && strcmp(c->sql, sql) == 0) {
			struct sqlite_stmt *stmt = xcalloc(1, sizeof(*stmt));
			stmt->base.db = conn;
			stmt->handle = c->handle;
			stmt->sql = c->sql;
			*c = (struct cached_stmt){0};
			*stmt_r = &stmt->base;
			return DB_OK;
		}
	}
	sqlite3_stmt *handle = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(lite->handle, sql, -1, &handle, &tail);
	if (rc != SQLITE_OK)
		return finish(lite, rc);
	if (!handle || has_second_statement(lite->handle, tail)) {
		/* PostgreSQL prepares exactly one statement; refuse anything else here too. */
		sqlite3_finalize(handle);
		db_set_error(conn, "db_prepare needs exactly one SQL statement");
		return DB_MISUSE;
	}
	struct sqlite_stmt *stmt = xcalloc(1, sizeof(*stmt));
	stmt->base.db = conn;
	stmt->handle = handle;
	stmt->sql = xstrdup(sql);
	*stmt_r = &stmt->base;
	return DB_OK;
}

static enum db_status bind_result(db_stmt *stmt, int rc)
{
	return finish(lite_of(stmt->db), rc);
}

static enum db_status sqlite_bind_null(db_stmt *stmt, int index)
{
	return bind_result(stmt, sqlite3_bind_null(stmt_of(stmt)->handle, index));
}

static enum db_status sqlite_bind_int64(db_stmt *stmt, int index, int64_t value)
{
	return bind_result(stmt, sqlite3_bind_int64(stmt_of(stmt)->handle, index, value));
}

static enum db_status sqlite_bind_double(db_stmt *stmt, int index, double value)
{
	return bind_result(stmt, sqlite3_bind_double(stmt_of(stmt)->handle, index, value));
}

static enum db_status sqlite_bind_text(db_stmt *stmt, int index, const char *value, size_t len)
{
	return bind_result(stmt, sqlite3_bind_text64(stmt_of(stmt)->handle, index, value, len,
	                                             SQLITE_TRANSIENT, SQLITE_UTF8));
}

static enum db_status sqlite_bind_blob(db_stmt *stmt, int index, const void *value, size_t len)
{
	/* SQLite binds NULL for a NULL pointer even with len 0; keep empty blobs empty, not NULL. */
	if (len == 0)
		value = "";
	return bind_result(stmt, sqlite3_bind_blob64(stmt_of(stmt)->handle, index, value, len,
	                                             SQLITE_TRANSIENT));
}

static enum db_status sqlite_step(db_stmt *stmt)
{
	struct sqlite_stmt *s = stmt_of(stmt);
	struct sqlite_db *lite = lite_of(stmt->db);
	enum db_status status = finish(lite, sqlite3_step(s->handle));
	if (status == DB_DONE)
		s->changes = sqlite3_stmt_readonly(s->handle) ? 0 : sqlite3_changes64(lite->handle);
	return status;
}

/* The step's error was already reported; reset itself only repeats it. */
static enum db_status sqlite_reset(db_stmt *stmt)
{
	sqlite3_reset(stmt_of(stmt)->handle);
	stmt_of(stmt)->changes = 0;
	return DB_OK;
}

static int sqlite_column_count(db_stmt *stmt)
{
	return sqlite3_column_count(stmt_of(stmt)->handle);
}

static const char *sqlite_column_name(db_stmt *stmt, int column)
{
	return sqlite3_column_name(stmt_of(stmt)->handle, column);
}

static enum db_type sqlite_column_type(db_stmt *stmt, int column)
{
	switch (sqlite3_column_type(stmt_of(stmt)->handle, column)) {
	case SQLITE_INTEGER: return DB_TYPE_INT;
	case SQLITE_FLOAT: return DB_TYPE_REAL;
	case SQLITE_TEXT: return DB_TYPE_TEXT;
	case SQLITE_BLOB: return DB_TYPE_BLOB;
	default: return DB_TYPE_NULL;
	}
}

static int64_t sqlite_column_int64(db_stmt *stmt, int column)
{
	return sqlite3_column_int64(stmt_of(stmt)->handle, column);
}

static double sqlite_column_double(db_stmt *stmt, int column)
{
	return sqlite3_column_double(stmt_of(stmt)->handle, column);
}

static const char *sqlite_column_text(db_stmt *stmt, int column, size_t *len_r)
{
	sqlite3_stmt *handle = stmt_of(stmt)->handle;
	const char *text = (const char *)sqlite3_column_text(handle, column);
	*len_r = text ? (size_t)sqlite3_column_bytes(handle, column) : 0;
	return text;
}

static const void *sqlite_column_blob(db_stmt *stmt, int column, size_t *len_r)
{
	sqlite3_stmt *handle = stmt_of(stmt)->handle;
	if (sqlite3_column_type(handle, column) == SQLITE_NULL) {
		*len_r = 0;
		return NULL;
	}
	const void *data = sqlite3_column_blob(handle, column);
	*len_r = (size_t)sqlite3_column_bytes(handle, column);
	/* SQLite answers NULL for an empty blob; callers tell empty from NULL by the pointer. */
	return data ? data : "";
}

static int64_t sqlite_changes(db_stmt *stmt)
{
	return stmt_of(stmt)->changes;
}

static void sqlite_finalize(db_stmt **stmtp)
{
	struct sqlite_stmt *s = stmt_of(*stmtp);
	*stmtp = NULL;
	struct sqlite_db *lite = lite_of(s->base.db);
	/* Reset releases the statement's locks; the handle then waits in the cache. */
	sqlite3_reset(s->handle);
	sqlite3_clear_bindings(s->handle);
	struct cached_stmt *slot = &lite->cache[0];
	for (int i = 0; i < STMT_CACHE_SIZE && slot->sql; i++)
		if (!lite->cache[i].sql || lite->cache[i].returned < slot->returned)
			slot = &lite->cache[i];
	sqlite3_finalize(slot->handle);
	free(slot->sql);
	*slot = (struct cached_stmt){.sql = s->sql, .handle = s->handle, .returned = ++lite->tick};
	free(s);
}

static const char *sqlite_errmsg(db *conn)
{
	return conn->error ? conn->error : "no error";
}

static bool sqlite_ping(db *conn)
{
	sqlite3_stmt *stmt = NULL;
	bool ok = sqlite3_prepare_v2(lite_of(conn)->handle, "SELECT 1", -1, &stmt, NULL) == SQLITE_OK &&
	          sqlite3_step(stmt) == SQLITE_ROW;
	sqlite3_finalize(stmt);
	return ok;
}

const struct db_driver db_driver_sqlite = {
	.name = "sqlite",
	.dialect = "sqlite",
	.flags = DB_DRIVER_FLAG_FILE,
	.v = {
		.open = sqlite_open,
		.close = sqlite_close,
		.exec = sqlite_exec,
		.prepare = sqlite_prepare,
		.bind_null = sqlite_bind_null,
		.bind_int64 = sqlite_bind_int64,
		.bind_double = sqlite_bind_double,
		.bind_text = sqlite_bind_text,
		.bind_blob = sqlite_bind_blob,
		.step = sqlite_step,
		.reset = sqlite_reset,
		.column_count = sqlite_column_count,
		.column_type = sqlite_column_type,
		.column_name = sqlite_column_name,
		.column_int64 = sqlite_column_int64,
		.column_double = sqlite_column_double,
		.column_text = sqlite_column_text,
		.column_blob = sqlite_column_blob,
		.changes = sqlite_changes,
		.finalize = sqlite_finalize,
		.errmsg = sqlite_errmsg,
		.ping = sqlite_ping,
	},
};
