/*
 * test_store.c — the storage layer, run against every backend.
 *
 * The same cases run on SQLite (a fresh file under /tmp) and on PostgreSQL
 * when TEST_PG_URL names a server (a fresh database is created there for the
 * run and dropped at the end); without TEST_PG_URL the PostgreSQL group is
 * skipped with a note. A "common" group covers what needs no database.
 *
 *   TEST_PG_URL=$(scripts/pg-test-cluster start "$(mktemp -d)") ./test_store
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <float.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "store/db.h"
#include "store/db_impl.h"

/* ---- the backend under test --------------------------------------------- */

#define MAX_DATABASES 16

/* What a group's setup made; the tests read it, the group's teardown frees it. */
struct backend {
	const char *name;                /* "sqlite" or "postgresql" */
	bool available;                  /* false: PostgreSQL not configured, every test skips */
	char *url;                       /* the group's main database; owned */
	char *dir;                       /* sqlite: temporary directory holding the files; owned */
	char *server_url;                /* postgresql: TEST_PG_URL; owned */
	db *admin;                       /* postgresql: runs CREATE/DROP DATABASE; owned */
	char *run_id;                    /* distinguishes this run's databases; owned */
	char *databases[MAX_DATABASES];  /* postgresql: databases to drop at the end; owned */
	int database_count;
	int next;                        /* counter for fresh database names */
};

static struct backend backend;

#define NEED_BACKEND()                      \
	do {                                    \
		if (!backend.available)             \
			skip();                         \
	} while (0)

static bool is_pg(void)
{
	return strcmp(backend.name, "postgresql") == 0;
}

/* DDL differs where the portable subset has no common spelling (64-bit int, double, bytes). */
static const char *ddl(const char *sqlite_sql, const char *pg_sql)
{
	return is_pg() ? pg_sql : sqlite_sql;
}

static void exec_line(db *conn, const char *sql, int line)
{
	enum db_status status = db_exec(conn, sql);
	if (status != DB_OK)
		fail_msg("line %d: %s -> status %d: %s", line, sql, status, db_errmsg(conn));
}
#define EXEC(conn, sql) exec_line(conn, sql, __LINE__)

static db *open_line(const char *url, int line)
{
	db *conn = NULL;
	char *error = NULL;
	if (db_open(url, &conn, &error) != DB_OK)
		fail_msg("line %d: cannot open %s: %s", line, url, error);
	assert_null(error);
	return conn;
}
#define OPEN(url) open_line(url, __LINE__)

static db_stmt *prepare_line(db *conn, const char *sql, int line)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn, sql, &stmt);
	if (status != DB_OK)
		fail_msg("line %d: prepare %s -> status %d: %s", line, sql, status, db_errmsg(conn));
	return stmt;
}
#define PREPARE(conn, sql) prepare_line(conn, sql, __LINE__)

/* The single integer a query answers. */
static int64_t query_int(db *conn, const char *sql)
{
	db_stmt *stmt = PREPARE(conn, sql);
	enum db_status status = db_step(stmt);
	if (status != DB_ROW)
		fail_msg("%s -> status %d: %s", sql, status, db_errmsg(conn));
	int64_t value = db_column_int64(stmt, 0);
	db_finalize(&stmt);
	return value;
}

/* Runs sql with one text parameter; answers the status of the step. */
static enum db_status run_text(db *conn, const char *sql, const char *text)
{
	db_stmt *stmt = PREPARE(conn, sql);
	assert_int_equal(db_bind_text(stmt, 1, text, SIZE_MAX), DB_OK);
	enum db_status status = db_step(stmt);
	db_finalize(&stmt);
	return status;
}

/* postgresql://user@host:port/olddb?x=y -> the same URL naming database name. */
static char *url_with_database(const char *url, const char *name)
{
	const char *host = strstr(url, "://");
	host = host ? host + 3 : url;
	size_t authority = strcspn(host, "/?");
	const char *rest = host + authority;
	if (*rest == '/')
		rest += 1 + strcspn(rest + 1, "?");
	return xasprintf("%.*s/%s%s", (int)(host - url) + (int)authority, url, name, rest);
}

/* A URL naming a new, empty database of the group's backend. */
static char *fresh_url(void)
{
	int n = ++backend.next;
	if (!is_pg())
		return xasprintf("sqlite:%s/test%d.db", backend.dir, n);
	assert_true(backend.database_count < MAX_DATABASES);
	char *name = xasprintf("kadam_unit_%s_%d", backend.run_id, n);
	/* A generated identifier, not input: the one place these tests build SQL. */
	char *sql = xasprintf("CREATE DATABASE \"%s\"", name);
	EXEC(backend.admin, sql);
	free(sql);
	backend.databases[backend.database_count++] = name;
	return url_with_database(backend.server_url, name);
}

/* ---- group setup --------------------------------------------------------- */

static char *make_run_id(void)
{
	return xasprintf("%d_%llx", (int)getpid(),
	                 (unsigned long long)(clock_mono_ns() & 0xffffffffffull));
}

static int setup_sqlite(void **state)
{
	backend = (struct backend){.name = "sqlite", .available = true};
	char template[] = "/tmp/kadam_unit_XXXXXX";
	if (!mkdtemp(template))
		return -1;
	backend.dir = xstrdup(template);
	backend.url = fresh_url();
	return 0;
}

static int setup_pgsql(void **state)
{
	backend = (struct backend){.name = "postgresql"};
	const char *server = getenv("TEST_PG_URL");
	if (!server || !*server) {
		printf("NOTE: TEST_PG_URL is not set, so the PostgreSQL tests are skipped.\n"
		       "      Run them with: TEST_PG_URL=$(scripts/pg-test-cluster start \"$(mktemp -d)\")\n");
		return 0;
	}
	backend.server_url = xstrdup(server);
	char *error = NULL;
	if (db_open(server, &backend.admin, &error) != DB_OK) {
		printf("cannot connect to TEST_PG_URL: %s\n", error);
		free(error);
		return -1;
	}
	backend.available = true;
	backend.run_id = make_run_id();
	backend.url = fresh_url();
	return 0;
}

static void remove_dir(const char *path)
{
	DIR *dir = opendir(path);
	if (!dir)
		return;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		char *file = xasprintf("%s/%s", path, entry->d_name);
		unlink(file);
		free(file);
	}
	closedir(dir);
	rmdir(path);
}

static int teardown_backend(void **state)
{
	int rc = 0;
	for (int i = 0; i < backend.database_count; i++) {
		char *sql = xasprintf("DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", backend.databases[i]);
		if (db_exec(backend.admin, sql) != DB_OK) {
			printf("cannot drop %s: %s\n", backend.databases[i], db_errmsg(backend.admin));
			rc = -1;
		}
		free(sql);
		free(backend.databases[i]);
	}
	db_close(&backend.admin);
	if (backend.dir)
		remove_dir(backend.dir);
	free(backend.dir);
	free(backend.url);
	free(backend.server_url);
	free(backend.run_id);
	backend = (struct backend){0};
	return rc;
}

/* ---- every type round-trips ----------------------------------------------- */

/* One row of the round-trip table; NULL t/b and int_null mean SQL NULL. */
struct sample {
	int64_t i;
	double r;
	const char *t;
	const void *b;
	size_t b_len;
	bool int_null;
	bool real_null;
};

static void insert_samples(db *conn, const struct sample *samples, int count)
{
	db_stmt *stmt = PREPARE(conn, "INSERT INTO rt (id, i, r, t, b) VALUES (?, ?, ?, ?, ?)");
	for (int n = 0; n < count; n++) {
		const struct sample *s = &samples[n];
		assert_int_equal(db_reset(stmt), DB_OK);
		assert_int_equal(db_bind_int64(stmt, 1, n + 1), DB_OK);
		assert_int_equal(s->int_null ? db_bind_null(stmt, 2) : db_bind_int64(stmt, 2, s->i), DB_OK);
		assert_int_equal(s->real_null ? db_bind_null(stmt, 3) : db_bind_double(stmt, 3, s->r), DB_OK);
		assert_int_equal(db_bind_text(stmt, 4, s->t, SIZE_MAX), DB_OK);
		assert_int_equal(db_bind_blob(stmt, 5, s->b, s->b_len), DB_OK);
		if (db_step(stmt) != DB_DONE)
			fail_msg("insert sample %d: %s", n + 1, db_errmsg(conn));
		assert_int_equal(db_changes(stmt), 1);
	}
	db_finalize(&stmt);
}

static void check_sample(db_stmt *stmt, const struct sample *s)
{
	if (s->int_null) {
		assert_int_equal(db_column_type(stmt, 1), DB_TYPE_NULL);
	} else {
		assert_int_equal(db_column_type(stmt, 1), DB_TYPE_INT);
		assert_true(db_column_int64(stmt, 1) == s->i);
	}
	if (s->real_null) {
		assert_int_equal(db_column_type(stmt, 2), DB_TYPE_NULL);
	} else {
		assert_int_equal(db_column_type(stmt, 2), DB_TYPE_REAL);
		assert_memory_equal(&(double){db_column_double(stmt, 2)}, &s->r, sizeof(double));
	}
	size_t len = 99;
	const char *text = db_column_text(stmt, 3, &len);
	if (!s->t) {
		assert_int_equal(db_column_type(stmt, 3), DB_TYPE_NULL);
		assert_null(text);
		assert_int_equal(len, 0);
	} else {
		assert_int_equal(db_column_type(stmt, 3), DB_TYPE_TEXT);
		assert_non_null(text);
		assert_int_equal(len, strlen(s->t));
		assert_string_equal(text, s->t);
	}
	const void *blob = db_column_blob(stmt, 4, &len);
	if (!s->b) {
		assert_int_equal(db_column_type(stmt, 4), DB_TYPE_NULL);
		assert_null(blob);
	} else {
		assert_int_equal(db_column_type(stmt, 4), DB_TYPE_BLOB);
		assert_non_null(blob); /* empty, not NULL */
		assert_int_equal(len, s->b_len);
		if (len)
			assert_memory_equal(blob, s->b, len);
	}
}

static void test_types_round_trip(void **state)
{
	NEED_BACKEND();
	static const unsigned char zeros[] = {0x00, 0x01, 0x00, 0xff, 0x80, 0x00};
	unsigned char all_bytes[256];
	for (int i = 0; i < 256; i++)
		all_bytes[i] = (unsigned char)i;
	char *long_text = xmalloc(100001);
	for (int i = 0; i < 100000; i++)
		long_text[i] = (char)('a' + i % 26);
	long_text[100000] = '\0';
	const struct sample samples[] = {
		{.int_null = true, .real_null = true},
		{.i = INT64_MIN, .r = 3.141592653589793, .t = "Бердибаев ңөү", .b = zeros, .b_len = sizeof(zeros)},
		{.i = INT64_MAX, .r = 0.1, .t = "", .b = "", .b_len = 0},
		{.i = 0, .r = -2.5e300, .t = "'quoted' \"double\" \\ ? tab\t новая строка\n", .b = all_bytes,
		 .b_len = sizeof(all_bytes)},
		{.i = -1, .r = DBL_MIN, .t = long_text, .b = long_text, .b_len = 100000},
		{.i = 42, .r = -1.5e-7, .t = "Кадам"},
	};
	int count = (int)(sizeof(samples) / sizeof(samples[0]));
	db *conn = OPEN(backend.url);
	EXEC(conn, ddl("CREATE TABLE rt (id INTEGER PRIMARY KEY, i INTEGER, r REAL, t TEXT, b BLOB) STRICT",
	               "CREATE TABLE rt (id INTEGER PRIMARY KEY, i BIGINT, r DOUBLE PRECISION, t TEXT, "
	               "b BYTEA)"));
	insert_samples(conn, samples, count);
	db_stmt *stmt = PREPARE(conn, "SELECT id, i, r, t, b FROM rt ORDER BY id");
	assert_int_equal(db_column_count(stmt), 5);
	for (int n = 0; n < count; n++) {
		assert_int_equal(db_step(stmt), DB_ROW);
		assert_int_equal(db_column_int64(stmt, 0), n + 1);
		check_sample(stmt, &samples[n]);
	}
	assert_int_equal(db_step(stmt), DB_DONE);
	db_finalize(&stmt);
	db_close(&conn);
	free(long_text);
}

static void test_changes_and_reuse(void **state)
{
	NEED_BACKEND();
	db *conn = OPEN(backend.url);
	EXEC(conn, "CREATE TABLE ch (id INTEGER PRIMARY KEY, v TEXT)");
	EXEC(conn, "INSERT INTO ch (id, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
	db_stmt *stmt = PREPARE(conn, "UPDATE ch SET v = ? WHERE id >= ?");
	assert_int_equal(db_bind_text(stmt, 1, "x", SIZE_MAX), DB_OK);
	assert_int_equal(db_bind_int64(stmt, 2, 2), DB_OK);
	assert_int_equal(db_step(stmt), DB_DONE);
	assert_int_equal(db_changes(stmt), 2);
	/* Binds survive a reset; only the changed one is given again. */
	assert_int_equal(db_reset(stmt), DB_OK);
	assert_int_equal(db_bind_int64(stmt, 2, 4), DB_OK);
	assert_int_equal(db_step(stmt), DB_DONE);
	assert_int_equal(db_changes(stmt), 0);
	db_finalize(&stmt);
	stmt = PREPARE(conn, "SELECT v FROM ch ORDER BY id");
	const char *expected[] = {"a", "x", "x"};
	for (int i = 0; i < 3; i++) {
		assert_int_equal(db_step(stmt), DB_ROW);
		assert_string_equal(db_column_text(stmt, 0, NULL), expected[i]);
	}
	assert_int_equal(db_step(stmt), DB_DONE);
	assert_int_equal(db_changes(stmt), 0);
	db_finalize(&stmt);
	assert_true(db_ping(conn));
	db_close(&conn);
}

/* ---- constraints and transactions ------------------------------------------ */

static void test_unique_violation(void **state)
{
	NEED_BACKEND();
	db *conn = OPEN(backend.url);
	EXEC(conn, "CREATE TABLE uq (k TEXT NOT NULL PRIMARY KEY, v TEXT NOT NULL CHECK (v <> ''))");
	const char *insert = "INSERT INTO uq (k, v) VALUES (?, 'v')";
	assert_int_equal(run_text(conn, insert, "Бердибаев"), DB_DONE);
	assert_int_equal(run_text(conn, insert, "Бердибаев"), DB_CONSTRAINT);
	assert_non_null(strstr(db_errmsg(conn), "uq"));
	/* NOT NULL and CHECK are constraints too. */
	assert_int_equal(run_text(conn, insert, NULL), DB_CONSTRAINT);
	assert_int_equal(run_text(conn, "INSERT INTO uq (k, v) VALUES ('other', ?)", ""), DB_CONSTRAINT);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM uq"), 1);
	db_close(&conn);
}

static void test_foreign_key_violation(void **state)
{
	NEED_BACKEND();
	db *conn = OPEN(backend.url);
	EXEC(conn, "CREATE TABLE fk_parent (id INTEGER PRIMARY KEY)");
	EXEC(conn, "CREATE TABLE fk_child (id INTEGER PRIMARY KEY, "
	           "parent_id INTEGER NOT NULL REFERENCES fk_parent (id))");
	EXEC(conn, "INSERT INTO fk_parent (id) VALUES (1)");
	EXEC(conn, "INSERT INTO fk_child (id, parent_id) VALUES (1, 1)");
	db_stmt *stmt = PREPARE(conn, "INSERT INTO fk_child (id, parent_id) VALUES (2, ?)");
	assert_int_equal(db_bind_int64(stmt, 1, 42), DB_OK);
	assert_int_equal(db_step(stmt), DB_CONSTRAINT);
	db_finalize(&stmt);
	stmt = PREPARE(conn, "DELETE FROM fk_parent WHERE id = 1");
	assert_int_equal(db_step(stmt), DB_CONSTRAINT);
	db_finalize(&stmt);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM fk_child"), 1);
	db_close(&conn);
}

static void test_failed_transaction_leaves_nothing(void **state)
{
	NEED_BACKEND();
	db *conn = OPEN(backend.url);
	EXEC(conn, "CREATE TABLE ft (k TEXT PRIMARY KEY)");
	EXEC(conn, "INSERT INTO ft (k) VALUES ('before')");
	const char *insert = "INSERT INTO ft (k) VALUES (?)";

	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(run_text(conn, insert, "x"), DB_DONE);
	assert_int_equal(run_text(conn, insert, "y"), DB_DONE);
	assert_int_equal(run_text(conn, insert, "before"), DB_CONSTRAINT);
	assert_int_equal(db_rollback(conn), DB_OK);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM ft"), 1);

	/* Committing after a failure must not keep the statements that worked, on any backend. */
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(run_text(conn, insert, "z"), DB_DONE);
	assert_int_equal(run_text(conn, insert, "before"), DB_CONSTRAINT);
	assert_int_equal(db_commit(conn), DB_ERROR);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM ft"), 1);

	/* And the connection is usable again. */
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(run_text(conn, insert, "after"), DB_DONE);
	assert_int_equal(db_commit(conn), DB_OK);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM ft"), 2);
	db_close(&conn);
}

static void test_misuse(void **state)
{
	NEED_BACKEND();
	db *conn = OPEN(backend.url);
	assert_int_equal(db_commit(conn), DB_MISUSE);
	assert_int_equal(db_rollback(conn), DB_OK);
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(db_begin(conn), DB_MISUSE);
	assert_int_equal(db_rollback(conn), DB_OK);

	db_stmt *stmt = PREPARE(conn, "SELECT ?");
	assert_int_equal(db_bind_int64(stmt, 0, 1), DB_MISUSE);
	assert_int_equal(db_bind_int64(stmt, 2, 1), DB_MISUSE);
	assert_int_equal(db_bind_text(stmt, 1, "a\0b", 3), DB_MISUSE);
	assert_int_equal(db_bind_int64(stmt, 1, 7), DB_OK);
	assert_int_equal(db_step(stmt), DB_ROW);
	assert_int_equal(db_column_int64(stmt, 0), 7);
	assert_int_equal(db_column_type(stmt, 5), DB_TYPE_NULL); /* out of range: no crash */
	assert_null(db_column_text(stmt, -1, NULL));
	db_finalize(&stmt);

	stmt = NULL;
	assert_int_not_equal(db_prepare(conn, "SELECT 1; SELECT 2", &stmt), DB_OK);
	assert_null(stmt);
	assert_int_equal(db_prepare(conn, "SELEKT 1", &stmt), DB_ERROR);
	assert_null(stmt);
	assert_int_equal(db_exec(conn, "SELEKT 1"), DB_ERROR);
	assert_non_null(strstr(db_errmsg(conn), "SELEKT"));
	db_close(&conn);
}

/* ---- placeholders ------------------------------------------------------------- */

static void test_placeholders_ignore_literals_and_comments(void **state)
{
	NEED_BACKEND();
	db *conn = OPEN(backend.url);
	EXEC(conn, "CREATE TABLE ph (\"q?\" TEXT)");
	assert_int_equal(run_text(conn, "INSERT INTO ph (\"q?\") VALUES (?) -- the value?", "quoted"), DB_DONE);
	db_stmt *stmt = PREPARE(conn, "SELECT 'it''s ?', ? /* a comment? it's here */, \"q?\", ? -- why?\n"
	                              "FROM ph WHERE \"q?\" <> '?'");
	assert_int_equal(db_bind_text(stmt, 1, "one", SIZE_MAX), DB_OK);
	assert_int_equal(db_bind_int64(stmt, 2, 2), DB_OK);
	assert_int_equal(db_bind_int64(stmt, 3, 3), DB_MISUSE); /* only two placeholders */
	assert_int_equal(db_step(stmt), DB_ROW);
	assert_string_equal(db_column_text(stmt, 0, NULL), "it's ?");
	assert_string_equal(db_column_text(stmt, 1, NULL), "one");
	assert_string_equal(db_column_text(stmt, 2, NULL), "quoted");
	assert_int_equal(db_column_int64(stmt, 3), 2);
	assert_int_equal(db_step(stmt), DB_DONE);
	db_finalize(&stmt);
	db_close(&conn);
}

static void check_conversion(const char *sql, const char *expected, int expected_count)
{
	int count = -1;
	char *converted = db_pgsql_convert_placeholders(sql, &count);
	assert_string_equal(converted, expected);
	assert_int_equal(count, expected_count);
	free(converted);
}

static void test_placeholder_conversion(void **state)
{
	check_conversion("SELECT ?", "SELECT $1", 1);
	check_conversion("SELECT ?, ?::bigint + ?", "SELECT $1, $2::bigint + $3", 3);
	check_conversion("SELECT 'a''?', \"b\"\"?\", ? -- c?\n, ?", "SELECT 'a''?', \"b\"\"?\", $1 -- c?\n, $2", 2);
	check_conversion("/* x? /* nested? */ still? */ ?", "/* x? /* nested? */ still? */ $1", 1);
	check_conversion("SELECT E'\\'?', ?, e'?\\\\', ?", "SELECT E'\\'?', $1, e'?\\\\', $2", 2);
	check_conversion("SELECT $$?$$, $tag$ ? $x$ ? $tag$, ?", "SELECT $$?$$, $tag$ ? $x$ ? $tag$, $1", 1);
	check_conversion("SELECT a$b, ? FROM t", "SELECT a$b, $1 FROM t", 1);
	check_conversion("SELECT 'unterminated ?", "SELECT 'unterminated ?", 0);
	check_conversion("", "", 0);
}

/* ---- concurrency through the pool ---------------------------------------------- */

#define WRITERS 4
#define INCREMENTS 200

/* One writer thread's work and outcome; cmocka asserts only work on the main thread. */
struct writer {
	db_pool *pool;
	int done;    /* increments committed */
	int retries; /* transactions retried after DB_BUSY */
	char *error; /* first unexpected failure; owned */
};

static enum db_status increment_once(db_pool *pool)
{
	db *conn = NULL;
	enum db_status status = db_pool_acquire(pool, 60000, &conn);
	if (status != DB_OK)
		return status;
	db_stmt *stmt = NULL;
	status = db_begin(conn);
	if (status == DB_OK)
		status = db_prepare(conn, "UPDATE counter SET n = n + 1 WHERE id = ?", &stmt);
	if (status == DB_OK)
		status = db_bind_int64(stmt, 1, 1);
	if (status == DB_OK)
		status = db_step(stmt) == DB_DONE && db_changes(stmt) == 1 ? DB_OK : DB_ERROR;
	db_finalize(&stmt);
	if (status == DB_OK)
		status = db_commit(conn);
	if (status != DB_OK)
		db_rollback(conn);
	db_pool_release(pool, &conn);
	return status;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	while (w->done < INCREMENTS) {
		enum db_status status = increment_once(w->pool);
		if (status == DB_OK) {
			w->done++;
		} else if (status == DB_BUSY && w->retries < 10000) {
			w->retries++;
		} else {
			w->error = xasprintf("increment failed with status %d", status);
			break;
		}
	}
	return NULL;
}

static void test_concurrent_writers_lose_nothing(void **state)
{
	NEED_BACKEND();
	db *conn = OPEN(backend.url);
	EXEC(conn, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
	EXEC(conn, "INSERT INTO counter (id, n) VALUES (1, 0)");
	db_pool *pool = NULL;
	assert_int_equal(db_pool_open(backend.url, WRITERS, &pool, NULL), DB_OK);
	assert_ptr_equal(db_pool_driver(pool), db_driver_of(conn));
	struct writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++) {
		writers[i] = (struct writer){.pool = pool};
		assert_int_equal(pthread_create(&threads[i], NULL, writer_main, &writers[i]), 0);
	}
	for (int i = 0; i < WRITERS; i++)
		pthread_join(threads[i], NULL);
	for (int i = 0; i < WRITERS; i++) {
		if (writers[i].error)
			fail_msg("writer %d: %s", i, writers[i].error);
		assert_int_equal(writers[i].done, INCREMENTS);
	}
	assert_int_equal(query_int(conn, "SELECT n FROM counter WHERE id = 1"), WRITERS * INCREMENTS);
	struct db_pool_stats stats;
	db_pool_stats(pool, &stats);
	assert_int_equal(stats.size, WRITERS);
	assert_int_equal(stats.in_use, 0);
	assert_true(stats.acquired >= WRITERS * INCREMENTS);
	db_pool_close(&pool);
	assert_null(pool);
	db_close(&conn);
}

/* ---- the pool ---------------------------------------------------------------- */

struct waiter {
	db_pool *pool;
	enum db_status status; /* what the blocked acquire returned */
};

static void *waiter_main(void *arg)
{
	struct waiter *w = arg;
	db *conn = NULL;
	w->status = db_pool_acquire(w->pool, -1, &conn);
	db_pool_release(w->pool, &conn);
	return NULL;
}

static void test_pool_acquire_times_out(void **state)
{
	NEED_BACKEND();
	db_pool *pool = NULL;
	db *a = NULL, *b = NULL, *c = NULL;
	assert_int_equal(db_pool_open(backend.url, 2, &pool, NULL), DB_OK);
	assert_int_equal(db_pool_acquire(pool, 1000, &a), DB_OK);
	assert_int_equal(db_pool_acquire(pool, 1000, &b), DB_OK);
	assert_ptr_not_equal(a, b);
	assert_int_equal(db_pool_acquire(pool, 0, &c), DB_BUSY);
	assert_null(c);
	assert_int_equal(db_pool_acquire(pool, 20, &c), DB_BUSY);
	struct db_pool_stats stats;
	db_pool_stats(pool, &stats);
	assert_int_equal(stats.size, 2);
	assert_int_equal(stats.in_use, 2);
	assert_int_equal(stats.timed_out, 2);

	/* A waiting acquire is woken by a release. */
	struct waiter w = {.pool = pool, .status = DB_ERROR};
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, waiter_main, &w), 0);
	do {
		sched_yield();
		db_pool_stats(pool, &stats);
	} while (stats.waited < 3);
	db_pool_release(pool, &a);
	assert_null(a);
	pthread_join(thread, NULL);
	assert_int_equal(w.status, DB_OK);

	db_pool_release(pool, &b);
	db_pool_stats(pool, &stats);
	assert_int_equal(stats.in_use, 0);
	assert_int_equal(stats.acquired, 3);
	db_pool_close(&pool);
}

static void test_pool_release_rolls_back(void **state)
{
	NEED_BACKEND();
	db_pool *pool = NULL;
	db *conn = NULL;
	assert_int_equal(db_pool_open(backend.url, 1, &pool, NULL), DB_OK);
	assert_int_equal(db_pool_acquire(pool, 1000, &conn), DB_OK);
	EXEC(conn, "CREATE TABLE forgotten (id INTEGER PRIMARY KEY)");
	assert_int_equal(db_begin(conn), DB_OK);
	EXEC(conn, "INSERT INTO forgotten (id) VALUES (1)");
	db_pool_release(pool, &conn); /* logs a warning */
	assert_int_equal(db_pool_acquire(pool, 1000, &conn), DB_OK);
	assert_false(conn->in_transaction);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM forgotten"), 0);
	db_pool_release(pool, &conn);
	db_pool_close(&pool);
}

/* PostgreSQL: a connection the server dropped is reconnected when the pool hands it out again. */
static void test_pool_recovers_lost_connection(void **state)
{
	NEED_BACKEND();
	db_pool *pool = NULL;
	db *conn = NULL;
	assert_int_equal(db_pool_open(backend.url, 1, &pool, NULL), DB_OK);
	assert_int_equal(db_pool_acquire(pool, 1000, &conn), DB_OK);
	assert_int_equal(query_int(conn, "SELECT 41 + 1"), 42);
	if (is_pg()) {
		int64_t pid = query_int(conn, "SELECT pg_backend_pid()");
		db_stmt *stmt = PREPARE(backend.admin, "SELECT pg_terminate_backend(?::integer, 5000)");
		assert_int_equal(db_bind_int64(stmt, 1, pid), DB_OK);
		assert_int_equal(db_step(stmt), DB_ROW);
		assert_int_equal(db_column_int64(stmt, 0), 1);
		db_finalize(&stmt);
		assert_int_equal(db_exec(conn, "SELECT 1"), DB_ERROR);
		assert_true(conn->broken);
	}
	db_pool_release(pool, &conn);
	assert_int_equal(db_pool_acquire(pool, 1000, &conn), DB_OK);
	assert_false(conn->broken);
	assert_true(db_ping(conn));
	/* Prepared before the loss: the server forgot it, the driver must prepare it again. */
	assert_int_equal(query_int(conn, "SELECT 41 + 1"), 42);
	db_pool_release(pool, &conn);
	db_pool_close(&pool);
}

/* ---- migrations ---------------------------------------------------------------- */

static int latest_version(void)
{
	size_t count = 0;
	const struct db_migration *list = db_migrations(is_pg() ? "postgresql" : "sqlite", &count);
	assert_true(count > 0);
	return list[count - 1].version;
}

static char *setting(db *conn, const char *key)
{
	db_stmt *stmt = PREPARE(conn, "SELECT value FROM setting WHERE key = ?");
	assert_int_equal(db_bind_text(stmt, 1, key, SIZE_MAX), DB_OK);
	assert_int_equal(db_step(stmt), DB_ROW);
	char *value = xstrdup(db_column_text(stmt, 0, NULL));
	db_finalize(&stmt);
	return value;
}

static void test_migrations_apply_once(void **state)
{
	NEED_BACKEND();
	size_t count = 0;
	db_migrations(is_pg() ? "postgresql" : "sqlite", &count);
	char *url = fresh_url();
	db *conn = OPEN(url);
	int version = -1, applied = -1;
	char *error = NULL;
	assert_int_equal(db_schema_version(conn, &version), DB_OK);
	assert_int_equal(version, 0);

	clock_set_fixed(1764393600000); /* 2025-11-29T05:20:00Z */
	enum db_status status = db_migrate(conn, &applied, &error);
	if (status != DB_OK)
		fail_msg("migrate: %s", error);
	assert_int_equal(applied, (int)count);
	assert_int_equal(db_schema_version(conn, &version), DB_OK);
	assert_int_equal(version, latest_version());

	assert_int_equal(db_migrate(conn, &applied, &error), DB_OK);
	assert_int_equal(applied, 0);
	assert_null(error);

	assert_int_equal(query_int(conn, "SELECT applied_at FROM schema_migrations WHERE version = 1"),
	                 1764393600000);
	char *values[] = {setting(conn, "default_language"), setting(conn, "timezone"),
	                  setting(conn, "deployment_name"), setting(conn, "demo")};
	assert_string_equal(values[0], "ky");
	assert_string_equal(values[1], "Asia/Bishkek");
	assert_string_equal(values[2], "Kadam");
	assert_string_equal(values[3], "false");
	for (int i = 0; i < 4; i++)
		free(values[i]);
	clock_set_offset(0);
	db_close(&conn);
	free(url);
}

struct migrator {
	const char *url;
	enum db_status status;
	int applied;
	char *error; /* owned */
};

static void *migrator_main(void *arg)
{
	struct migrator *m = arg;
	db *conn = NULL;
	m->status = db_open(m->url, &conn, &m->error);
	if (m->status == DB_OK)
		m->status = db_migrate(conn, &m->applied, &m->error);
	db_close(&conn);
	return NULL;
}

static void test_concurrent_migrators_apply_once(void **state)
{
	NEED_BACKEND();
	size_t count = 0;
	db_migrations(is_pg() ? "postgresql" : "sqlite", &count);
	char *url = fresh_url();
	struct migrator migrators[3];
	pthread_t threads[3];
	for (int i = 0; i < 3; i++) {
		migrators[i] = (struct migrator){.url = url};
		assert_int_equal(pthread_create(&threads[i], NULL, migrator_main, &migrators[i]), 0);
	}
	int total = 0;
	for (int i = 0; i < 3; i++) {
		pthread_join(threads[i], NULL);
		if (migrators[i].status != DB_OK)
			fail_msg("migrator %d: %s", i, migrators[i].error);
		total += migrators[i].applied;
	}
	assert_int_equal(total, (int)count);
	db *conn = OPEN(url);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM schema_migrations"), (int64_t)count);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM setting"), 22); /* 4 from 0001, 5 from 0004, 1 from 0005, 3 from 0006, 3 from 0008, 6 from 0009 */
	db_close(&conn);
	free(url);
}

static void test_migrate_refuses_newer_database(void **state)
{
	NEED_BACKEND();
	char *url = fresh_url();
	db *conn = OPEN(url);
	char *error = NULL;
	assert_int_equal(db_migrate(conn, NULL, &error), DB_OK);
	EXEC(conn, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)");
	int version = 0, applied = -1;
	assert_int_equal(db_schema_version(conn, &version), DB_OK);
	assert_int_equal(version, 9999);
	assert_int_equal(db_migrate(conn, &applied, &error), DB_MISUSE);
	assert_int_equal(applied, 0);
	assert_non_null(error);
	assert_non_null(strstr(error, "9999"));
	char *latest = xasprintf("version %d", latest_version());
	assert_non_null(strstr(error, latest));
	free(latest);
	free(error);
	db_close(&conn);
	free(url);
}

/* ---- what needs no database ------------------------------------------------- */

static void test_open_unknown_scheme(void **state)
{
	db *conn = (db *)&conn; /* must be reset to NULL */
	char *error = NULL;
	assert_int_not_equal(db_open("mysql://kadam:secret@localhost/kadam", &conn, &error), DB_OK);
	assert_null(conn);
	assert_non_null(error);
	assert_non_null(strstr(error, "\"mysql\""));
	assert_null(strstr(error, "secret"));
	free(error);
	assert_int_not_equal(db_open("no-scheme-at-all", &conn, &error), DB_OK);
	assert_non_null(error);
	free(error);
}

static void test_open_errors_name_the_target(void **state)
{
	db *conn = NULL;
	char *error = NULL;
	assert_int_equal(db_open("sqlite:/nonexistent-kadam-dir/sub/x.db", &conn, &error), DB_ERROR);
	assert_null(conn);
	assert_non_null(strstr(error, "/nonexistent-kadam-dir/sub/x.db"));
	free(error);
	assert_int_not_equal(db_open("sqlite:", &conn, &error), DB_OK);
	free(error);
	/* Port 1 on loopback refuses at once. */
	assert_int_equal(db_open("postgresql://kadam:secret@127.0.0.1:1/kadam?connect_timeout=2", &conn, &error),
	                 DB_ERROR);
	assert_null(conn);
	assert_non_null(strstr(error, "PostgreSQL"));
	assert_null(strstr(error, "secret"));
	free(error);
	db_pool *pool = NULL;
	assert_int_equal(db_pool_open("sqlite::memory:", 2, &pool, &error), DB_MISUSE);
	assert_null(pool);
	free(error);
}

static void test_memory_database(void **state)
{
	db *conn = OPEN("sqlite::memory:");
	assert_string_equal(db_driver_of(conn)->name, "sqlite");
	int applied = 0;
	char *error = NULL;
	assert_int_equal(db_migrate(conn, &applied, &error), DB_OK);
	assert_true(applied >= 1);
	assert_int_equal(query_int(conn, "PRAGMA foreign_keys"), 1);
	db_close(&conn);
	assert_null(conn);
	db_close(&conn); /* closing NULL is harmless */
}

int main(void)
{
	const struct CMUnitTest common[] = {
		cmocka_unit_test(test_open_unknown_scheme),
		cmocka_unit_test(test_open_errors_name_the_target),
		cmocka_unit_test(test_memory_database),
		cmocka_unit_test(test_placeholder_conversion),
	};
	/* The same cases for every backend. */
	const struct CMUnitTest backend_tests[] = {
		cmocka_unit_test(test_types_round_trip),
		cmocka_unit_test(test_changes_and_reuse),
		cmocka_unit_test(test_unique_violation),
		cmocka_unit_test(test_foreign_key_violation),
		cmocka_unit_test(test_failed_transaction_leaves_nothing),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_placeholders_ignore_literals_and_comments),
		cmocka_unit_test(test_concurrent_writers_lose_nothing),
		cmocka_unit_test(test_pool_acquire_times_out),
		cmocka_unit_test(test_pool_release_rolls_back),
		cmocka_unit_test(test_pool_recovers_lost_connection),
		cmocka_unit_test(test_migrations_apply_once),
		cmocka_unit_test(test_concurrent_migrators_apply_once),
		cmocka_unit_test(test_migrate_refuses_newer_database),
	};
	int failed = cmocka_run_group_tests_name("store-common", common, NULL, NULL);
	failed += cmocka_run_group_tests_name("store-sqlite", backend_tests, setup_sqlite, teardown_backend);
	failed += cmocka_run_group_tests_name("store-postgresql", backend_tests, setup_pgsql, teardown_backend);
	return failed;
}
