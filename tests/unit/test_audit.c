/*
 * test_audit.c — the processing log (S10, S11, S21), run against every backend.
 *
 * Like test_store.c: the same cases run on SQLite (fresh files under /tmp)
 * and on PostgreSQL when TEST_PG_URL names a server (fresh databases created
 * for the run and dropped at the end). Each case makes its own database and
 * migrates it with db_migrate, so a tampered log never leaks into another case.
 *
 * The tamper cases act like an attacker with direct database access: they
 * first drop (SQLite) or disable (PostgreSQL) the append-only triggers, then
 * change, delete, reorder or rewrite rows, and expect audit_verify to name
 * the first bad entry and the kind of problem.
 *
 *   TEST_PG_URL=$(scripts/pg-test-cluster start "$(mktemp -d -u)") ./test_audit
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit.h"
#include "audit/audit_impl.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "store/db.h"

/* ---- the backend under test --------------------------------------------- */

#define MAX_DATABASES 64

/* What a group's setup made; the tests read it, the group's teardown frees it. */
struct backend {
	const char *name;               /* "sqlite" or "postgresql" */
	bool available;                 /* false: PostgreSQL not configured, every test skips */
	char *dir;                      /* temporary directory for SQLite files, keys and exports; owned */
	char *server_url;               /* postgresql: TEST_PG_URL; owned */
	db *admin;                      /* postgresql: runs CREATE/DROP DATABASE; owned */
	char *run_id;                   /* distinguishes this run's databases; owned */
	char *databases[MAX_DATABASES]; /* postgresql: databases to drop at the end; owned */
	int database_count;
	int next; /* counter for fresh names */
};

static struct backend backend;

#define NEED_BACKEND()              \
	do {                            \
		if (!backend.available)     \
			skip();                 \
	} while (0)

static bool is_pg(void)
{
	return strcmp(backend.name, "postgresql") == 0;
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
	return conn;
}
#define OPEN(url) open_line(url, __LINE__)

static int64_t query_int(db *conn, const char *sql)
{
	db_stmt *stmt = NULL;
	if (db_prepare(conn, sql, &stmt) != DB_OK)
		fail_msg("%s: %s", sql, db_errmsg(conn));
	if (db_step(stmt) != DB_ROW)
		fail_msg("%s: no row: %s", sql, db_errmsg(conn));
	int64_t value = db_column_int64(stmt, 0);
	db_finalize(&stmt);
	return value;
}

/* The text a query with one integer parameter answers (malloc'd; NULL for SQL NULL). */
static char *query_text(db *conn, const char *sql, int64_t param)
{
	db_stmt *stmt = NULL;
	if (db_prepare(conn, sql, &stmt) != DB_OK)
		fail_msg("%s: %s", sql, db_errmsg(conn));
	db_bind_int64(stmt, 1, param);
	if (db_step(stmt) != DB_ROW)
		fail_msg("%s: no row: %s", sql, db_errmsg(conn));
	const char *text = db_column_text(stmt, 0, NULL);
	char *copy = text ? xstrdup(text) : NULL;
	db_finalize(&stmt);
	return copy;
}

/* Runs sql with a text and an integer parameter; answers the step's status. */
static enum db_status run_text_int(db *conn, const char *sql, const char *text, int64_t n)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn, sql, &stmt);
	if (status != DB_OK)
		return status;
	db_bind_text(stmt, 1, text, SIZE_MAX);
	db_bind_int64(stmt, 2, n);
	status = db_step(stmt);
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
	char *name = xasprintf("kadam_audit_%s_%d", backend.run_id, n);
	/* A generated identifier, not input: the one place these tests build SQL from a value. */
	char *sql = xasprintf("CREATE DATABASE \"%s\"", name);
	EXEC(backend.admin, sql);
	free(sql);
	backend.databases[backend.database_count++] = name;
	return url_with_database(backend.server_url, name);
}

/* A fresh database with the schema; *url_r (may be NULL) gets its URL (caller frees). */
static db *fresh_db(char **url_r)
{
	char *url = fresh_url();
	db *conn = OPEN(url);
	char *error = NULL;
	if (db_migrate(conn, NULL, &error) != DB_OK)
		fail_msg("migrate: %s", error);
	if (url_r)
		*url_r = url;
	else
		free(url);
	return conn;
}

/* A file name in the group's temporary directory (caller frees). */
static char *temp_path(const char *stem)
{
	return xasprintf("%s/%s%d", backend.dir, stem, ++backend.next);
}

/* ---- group setup ----------------------------------------------------------- */

static int make_dir(void)
{
	char template[] = "/tmp/kadam_audit_XXXXXX";
	if (!mkdtemp(template))
		return -1;
	backend.dir = xstrdup(template);
	return 0;
}

static int setup_sqlite(void **state)
{
	backend = (struct backend){.name = "sqlite", .available = true};
	return make_dir();
}

static int setup_pgsql(void **state)
{
	backend = (struct backend){.name = "postgresql"};
	const char *server = getenv("TEST_PG_URL");
	if (!server || !*server) {
		printf("NOTE: TEST_PG_URL is not set, so the PostgreSQL tests are skipped.\n");
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
	backend.run_id = xasprintf("%d_%llx", (int)getpid(), (unsigned long long)(clock_mono_ns() & 0xffffffffffull));
	return make_dir();
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
	free(backend.server_url);
	free(backend.run_id);
	backend = (struct backend){0};
	return rc;
}

/* ---- helpers ------------------------------------------------------------------- */

/* A consultation with every field set (S10), varied by n. */
static struct audit_entry sample(int n)
{
	static const char *const actors[] = {"acc-1", "acc-2", "acc-3"};
	return (struct audit_entry){
		.actor_id = actors[n % 3],
		.actor_login = n % 3 == 0 ? "aida" : n % 3 == 1 ? "bakyt" : "cholpon",
		.agency_id = "agency-1",
		.action = n % 4 == 0 ? AUDIT_CONSULT : AUDIT_ALTER,
		.record_type = "person",
		.record_id = n % 2 ? "person-odd" : "person-even",
		.purpose = "supervision",
		.justification = "assigned case",
		.recipient = NULL,
		.request_id = "req-1",
		.remote_addr = "192.0.2.1",
		.outcome = AUDIT_OUTCOME_SUCCESS,
		.detail = n % 5 == 0 ? "" : NULL, /* "" and NULL must hash differently */
	};
}

/* Appends one entry in its own transaction. */
static void append_one(db *conn, const struct audit_entry *e)
{
	assert_int_equal(db_begin(conn), DB_OK);
	enum db_status status = audit_append(conn, e);
	if (status != DB_OK)
		fail_msg("audit_append: %d: %s", status, audit_errmsg());
	assert_int_equal(db_commit(conn), DB_OK);
}

static void append_n(db *conn, int n)
{
	for (int i = 1; i <= n; i++) {
		struct audit_entry e = sample(i);
		append_one(conn, &e);
	}
}

/* Removes the append-only protection, as an attacker with direct access would. */
static void allow_tampering(db *conn)
{
	if (is_pg()) {
		EXEC(conn, "ALTER TABLE audit_log DISABLE TRIGGER USER");
		EXEC(conn, "ALTER TABLE audit_head DISABLE TRIGGER USER");
		EXEC(conn, "ALTER TABLE audit_checkpoint DISABLE TRIGGER USER");
	} else {
		EXEC(conn, "DROP TRIGGER audit_log_append; DROP TRIGGER audit_log_no_update;"
		           "DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_head_advance;"
		           "DROP TRIGGER audit_head_no_delete; DROP TRIGGER audit_checkpoint_no_update;"
		           "DROP TRIGGER audit_checkpoint_no_delete");
	}
}

static void expect_intact(db *conn, const unsigned char *pk, int64_t entries, int64_t checkpoints)
{
	struct audit_verify_result r;
	assert_int_equal(audit_verify(conn, pk, &r), DB_OK);
	if (!r.ok)
		fail_msg("expected an intact log, got: %s", r.message);
	assert_int_equal(r.problem, AUDIT_INTACT);
	assert_int_equal(r.entries, entries);
	assert_int_equal(r.checkpoints, checkpoints);
	assert_int_equal(r.first_bad_seq, 0);
}

static void expect_problem_line(db *conn, const unsigned char *pk, enum audit_problem problem, int64_t seq,
                                const char *says, int line)
{
	struct audit_verify_result r;
	assert_int_equal(audit_verify(conn, pk, &r), DB_OK);
	if (r.ok || r.problem != problem || r.first_bad_seq != seq || !strstr(r.message, says))
		fail_msg("line %d: expected problem %d at %" PRId64 " saying \"%s\"; got ok=%d problem %d at %" PRId64
		         ": %s",
		         line, problem, seq, says, r.ok, r.problem, r.first_bad_seq, r.message);
}
#define EXPECT_PROBLEM(conn, pk, problem, seq, says) expect_problem_line(conn, pk, problem, seq, says, __LINE__)

/* An entry row copied out of its statement, for rewriting the chain by hand. */
struct owned_row {
	int64_t seq, at;
	char *id;
	char *text[AF_COUNT];
	size_t len[AF_COUNT];
};

static void load_row(db *conn, int64_t seq, struct owned_row *o)
{
	db_stmt *stmt = NULL;
	assert_int_equal(db_prepare(conn, "SELECT " AUDIT_ENTRY_COLUMNS " FROM audit_log WHERE seq = ?", &stmt), DB_OK);
	db_bind_int64(stmt, 1, seq);
	assert_int_equal(db_step(stmt), DB_ROW);
	struct audit_row row;
	audit_row_read(stmt, &row);
	o->seq = row.seq;
	o->at = row.at;
	o->id = xstrndup(row.id, row.id_len);
	for (int i = 0; i < AF_COUNT; i++) {
		o->text[i] = row.text[i] ? xstrndup(row.text[i], row.len[i]) : NULL;
		o->len[i] = row.len[i];
	}
	db_finalize(&stmt);
}

static void free_row(struct owned_row *o)
{
	free(o->id);
	for (int i = 0; i < AF_COUNT; i++)
		free(o->text[i]);
}

/*
 * Changes entry `from`'s action and recomputes every hash after it, and the
 * head: a rewrite no hash check can see. Only a signed checkpoint can.
 */
static void rewrite_chain(db *conn, int64_t from, int64_t to)
{
	char *prev_hex = query_text(conn, "SELECT hash FROM audit_log WHERE seq = ?", from - 1);
	for (int64_t seq = from; seq <= to; seq++) {
		struct owned_row o;
		load_row(conn, seq, &o);
		if (seq == from) {
			free(o.text[AF_ACTION]);
			o.text[AF_ACTION] = xstrdup(AUDIT_ERASE);
			o.len[AF_ACTION] = strlen(AUDIT_ERASE);
		}
		unsigned char prev[AUDIT_HASH_BYTES], hash[AUDIT_HASH_BYTES];
		char hex[AUDIT_HASH_HEX_LEN + 1];
		assert_true(audit_unhex(prev_hex, strlen(prev_hex), prev, sizeof prev));
		audit_entry_hash(prev, o.seq, o.id, strlen(o.id), o.at, (const char *const *)o.text, o.len, hash);
		audit_hex(hash, sizeof hash, hex);
		db_stmt *stmt = NULL;
		assert_int_equal(db_prepare(conn, "UPDATE audit_log SET action = ?, prev_hash = ?, hash = ? WHERE seq = ?",
		                            &stmt),
		                 DB_OK);
		db_bind_text(stmt, 1, o.text[AF_ACTION], SIZE_MAX);
		db_bind_text(stmt, 2, prev_hex, SIZE_MAX);
		db_bind_text(stmt, 3, hex, SIZE_MAX);
		db_bind_int64(stmt, 4, seq);
		assert_int_equal(db_step(stmt), DB_DONE);
		db_finalize(&stmt);
		free(prev_hex);
		prev_hex = xstrdup(hex);
		free_row(&o);
	}
	assert_int_equal(run_text_int(conn, "UPDATE audit_head SET hash = ?, seq = ? WHERE id = 1", prev_hex, to), DB_DONE);
	free(prev_hex);
}

/* A signing key in a fresh file; sk_r and pk_r get it. */
static void make_key(unsigned char sk_r[crypto_sign_SECRETKEYBYTES], unsigned char pk_r[crypto_sign_PUBLICKEYBYTES])
{
	char *path = temp_path("key");
	char *error = NULL;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	if (!audit_key_generate(path, pk, &error))
		fail_msg("keygen: %s", error);
	if (!audit_key_load(path, sk_r, &error))
		fail_msg("key load: %s", error);
	assert_memory_equal(pk, sk_r + crypto_sign_SEEDBYTES, sizeof pk);
	if (pk_r)
		memcpy(pk_r, pk, sizeof pk);
	free(path);
}

/* ---- appending ------------------------------------------------------------------- */

/* The canonical form as audit.h documents it, built independently of audit.c. */
static void put_field(struct buf *b, const char *text)
{
	if (!text) {
		buf_putc(b, 0x00);
		return;
	}
	size_t n = strlen(text);
	unsigned char head[5] = {1, (unsigned char)(n >> 24), (unsigned char)(n >> 16), (unsigned char)(n >> 8),
	                         (unsigned char)n};
	buf_append(b, head, 5);
	buf_append(b, text, n);
}

static void test_append_chains(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	expect_intact(conn, NULL, 0, 0);
	append_n(conn, 3);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM audit_log"), 3);
	assert_int_equal(query_int(conn, "SELECT seq FROM audit_head"), 3);
	char *prev = xstrdup("0000000000000000000000000000000000000000000000000000000000000000");
	for (int64_t seq = 1; seq <= 3; seq++) {
		char *stored_prev = query_text(conn, "SELECT prev_hash FROM audit_log WHERE seq = ?", seq);
		char *stored_hash = query_text(conn, "SELECT hash FROM audit_log WHERE seq = ?", seq);
		assert_string_equal(stored_prev, prev);
		/* Recompute the hash from the documentation alone. */
		struct owned_row o;
		load_row(conn, seq, &o);
		struct buf b = {0};
		unsigned char prev_bytes[32], hash[32];
		char hex[65], number[32];
		assert_true(audit_unhex(prev, 64, prev_bytes, 32));
		buf_append(&b, prev_bytes, 32);
		buf_append(&b, "kadam-audit-v1", 15); /* with its NUL */
		snprintf(number, sizeof number, "%" PRId64, o.seq);
		put_field(&b, number);
		put_field(&b, o.id);
		snprintf(number, sizeof number, "%" PRId64, o.at);
		put_field(&b, number);
		for (int i = 0; i < AF_COUNT; i++)
			put_field(&b, o.text[i]);
		crypto_generichash(hash, 32, (const unsigned char *)b.data, b.len, NULL, 0);
		sodium_bin2hex(hex, sizeof hex, hash, 32);
		assert_string_equal(stored_hash, hex);
		assert_true(uuid_valid(o.id));
		buf_free(&b);
		free_row(&o);
		free(prev);
		free(stored_prev);
		prev = stored_hash;
	}
	char *head = query_text(conn, "SELECT hash FROM audit_head WHERE id = ?", 1);
	assert_string_equal(head, prev);
	free(head);
	free(prev);
	expect_intact(conn, NULL, 3, 0);
	db_close(&conn);
}

static void test_append_needs_a_transaction(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	struct audit_entry e = sample(1);
	assert_int_equal(audit_append(conn, &e), DB_MISUSE);
	assert_non_null(strstr(audit_errmsg(), "transaction"));
	assert_int_equal(query_int(conn, "SELECT count(*) FROM audit_log"), 0);
	db_close(&conn);
}

/* The action and its entry commit or roll back together. */
static void test_same_transaction(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	EXEC(conn, "CREATE TABLE thing (id TEXT PRIMARY KEY)");
	struct audit_entry e = sample(1);

	assert_int_equal(db_begin(conn), DB_OK);
	EXEC(conn, "INSERT INTO thing (id) VALUES ('a')");
	assert_int_equal(audit_append(conn, &e), DB_OK);
	assert_int_equal(db_rollback(conn), DB_OK);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM thing"), 0);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM audit_log"), 0);
	assert_int_equal(query_int(conn, "SELECT seq FROM audit_head"), 0);

	/* A refused entry fails the action even if the caller ignores the status. */
	struct audit_entry bad = sample(1);
	bad.action = "read.everything";
	assert_int_equal(db_begin(conn), DB_OK);
	EXEC(conn, "INSERT INTO thing (id) VALUES ('b')");
	assert_int_equal(audit_append(conn, &bad), DB_MISUSE);
	assert_int_not_equal(db_commit(conn), DB_OK);
	db_rollback(conn);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM thing"), 0);

	/* A failed log write (here: the head is gone) fails the action. */
	allow_tampering(conn);
	EXEC(conn, "DELETE FROM audit_head");
	assert_int_equal(db_begin(conn), DB_OK);
	EXEC(conn, "INSERT INTO thing (id) VALUES ('c')");
	assert_int_not_equal(audit_append(conn, &e), DB_OK);
	assert_int_not_equal(db_commit(conn), DB_OK);
	db_rollback(conn);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM thing"), 0);

	/* After a rollback the next entry takes the number the rolled-back one had. */
	db_close(&conn);
	conn = fresh_db(NULL);
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(audit_append(conn, &e), DB_OK);
	db_rollback(conn);
	append_one(conn, &e);
	assert_int_equal(query_int(conn, "SELECT max(seq) FROM audit_log"), 1);
	expect_intact(conn, NULL, 1, 0);
	db_close(&conn);
}

static void expect_refused(db *conn, const struct audit_entry *e, const char *says)
{
	assert_int_equal(db_begin(conn), DB_OK);
	enum db_status status = audit_append(conn, e);
	db_rollback(conn);
	if (status != DB_MISUSE || !strstr(audit_errmsg(), says))
		fail_msg("expected DB_MISUSE saying \"%s\", got %d: %s", says, status, audit_errmsg());
}

static void test_append_validates(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	struct audit_entry e = sample(0);
	e.action = NULL;
	expect_refused(conn, &e, "action is required");
	e.action = "consult.all";
	expect_refused(conn, &e, "vocabulary");
	e = sample(0);
	e.outcome = NULL;
	expect_refused(conn, &e, "outcome is required");
	e.outcome = "ok";
	expect_refused(conn, &e, "success, failure or denied");
	e = sample(0);
	e.purpose = "";
	expect_refused(conn, &e, "purpose and justification");
	e = sample(0);
	e.record_type = NULL;
	expect_refused(conn, &e, "record_type");
	e = sample(0);
	e.action = AUDIT_DISCLOSE;
	expect_refused(conn, &e, "recipient");
	e = sample(0);
	e.detail = "\xc3\x28"; /* not UTF-8 */
	expect_refused(conn, &e, "detail is not valid UTF-8");

	char *long_text = xmalloc(AUDIT_FIELD_MAX + 2);
	memset(long_text, 'x', AUDIT_FIELD_MAX + 1);
	long_text[AUDIT_FIELD_MAX + 1] = '\0';
	e = sample(0);
	e.justification = long_text;
	expect_refused(conn, &e, "justification is longer than 2000 bytes");
	assert_int_equal(query_int(conn, "SELECT count(*) FROM audit_log"), 0);

	/* At the limit, non-ASCII, and the non-S10 actions without a record. */
	long_text[AUDIT_FIELD_MAX] = '\0';
	e.justification = long_text;
	append_one(conn, &e);
	e = (struct audit_entry){.actor_login = "Айгүл", .action = AUDIT_AUTH_LOGIN,
	                         .outcome = AUDIT_OUTCOME_FAILURE, .detail = "bad password"};
	append_one(conn, &e);
	e = (struct audit_entry){.actor_id = "acc-9", .action = AUDIT_ACCESS_DENIED, .outcome = AUDIT_OUTCOME_DENIED,
	                         .detail = "GET /api/v1/cases/x: not in scope"};
	append_one(conn, &e);
	e = sample(0);
	e.action = AUDIT_DISCLOSE;
	e.recipient = "police liaison";
	append_one(conn, &e);
	free(long_text);
	assert_true(audit_action_known(AUDIT_TOKEN_REVOKE));
	assert_false(audit_action_known("admin.anything"));
	expect_intact(conn, NULL, 4, 0);
	db_close(&conn);
}

/* ---- tampering --------------------------------------------------------------------- */

static void test_tamper_change(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	append_n(conn, 10);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_log SET action = 'erase' WHERE seq = 4");
	EXPECT_PROBLEM(conn, NULL, AUDIT_CHANGED, 4, "entry 4 was changed");
	db_close(&conn);

	/* NULL and "" are different content. */
	conn = fresh_db(NULL);
	append_n(conn, 10);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_log SET detail = NULL WHERE seq = 5"); /* sample(5) has detail "" */
	EXPECT_PROBLEM(conn, NULL, AUDIT_CHANGED, 5, "entry 5 was changed");
	db_close(&conn);

	/* The time is content too. */
	conn = fresh_db(NULL);
	append_n(conn, 3);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_log SET at = at + 1 WHERE seq = 3");
	EXPECT_PROBLEM(conn, NULL, AUDIT_CHANGED, 3, "entry 3 was changed");
	db_close(&conn);
}

static void test_tamper_delete_middle(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	append_n(conn, 10);
	allow_tampering(conn);
	EXEC(conn, "DELETE FROM audit_log WHERE seq = 5");
	EXPECT_PROBLEM(conn, NULL, AUDIT_MISSING, 5, "entry 5 is missing");
	db_close(&conn);

	/* Deleting the first entry. */
	conn = fresh_db(NULL);
	append_n(conn, 3);
	allow_tampering(conn);
	EXEC(conn, "DELETE FROM audit_log WHERE seq = 1");
	EXPECT_PROBLEM(conn, NULL, AUDIT_MISSING, 1, "entry 1 is missing");
	db_close(&conn);

	/* Deleting one and renumbering the rest to hide the gap. */
	conn = fresh_db(NULL);
	append_n(conn, 6);
	allow_tampering(conn);
	EXEC(conn, "DELETE FROM audit_log WHERE seq = 3");
	EXEC(conn, "UPDATE audit_log SET seq = seq - 1 WHERE seq = 4");
	EXEC(conn, "UPDATE audit_log SET seq = seq - 1 WHERE seq = 5");
	EXEC(conn, "UPDATE audit_log SET seq = seq - 1 WHERE seq = 6");
	EXPECT_PROBLEM(conn, NULL, AUDIT_REORDERED, 3, "entry 3 does not follow entry 2");
	db_close(&conn);
}

static void test_tamper_delete_tail(void **state)
{
	NEED_BACKEND();
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	make_key(sk, pk);

	/* The head still names entry 10. */
	db *conn = fresh_db(NULL);
	append_n(conn, 10);
	allow_tampering(conn);
	EXEC(conn, "DELETE FROM audit_log WHERE seq > 7");
	EXPECT_PROBLEM(conn, pk, AUDIT_TRUNCATED, 8, "entries after 7 were removed");
	db_close(&conn);

	/* The head rewound too: the checkpoint at 10 catches it. */
	conn = fresh_db(NULL);
	append_n(conn, 10);
	int64_t seq = 0;
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_OK);
	assert_int_equal(seq, 10);
	expect_intact(conn, pk, 10, 1);
	allow_tampering(conn);
	EXEC(conn, "DELETE FROM audit_log WHERE seq > 7");
	char *hash7 = query_text(conn, "SELECT hash FROM audit_log WHERE seq = ?", 7);
	assert_int_equal(run_text_int(conn, "UPDATE audit_head SET hash = ?, seq = ? WHERE id = 1", hash7, 7), DB_DONE);
	free(hash7);
	EXPECT_PROBLEM(conn, pk, AUDIT_TRUNCATED, 8, "checkpoint at entry 10");
	db_close(&conn);

	/* Without any checkpoint beyond the cut and with the head rewound, nothing can tell: that is why
	 * checkpoints are made periodically and exported. */
	sodium_memzero(sk, sizeof sk);
}

static void test_tamper_reorder(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	append_n(conn, 8);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_log SET seq = -3 WHERE seq = 3");
	EXEC(conn, "UPDATE audit_log SET seq = 3 WHERE seq = 6");
	EXEC(conn, "UPDATE audit_log SET seq = 6 WHERE seq = -3");
	EXPECT_PROBLEM(conn, NULL, AUDIT_REORDERED, 3, "entry 3 does not follow entry 2: prev_hash mismatch");
	db_close(&conn);

	/* Moving the first entry out of the numbering and another into its place with its hashes. */
	conn = fresh_db(NULL);
	append_n(conn, 4);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_log SET seq = -1 WHERE seq = 1");
	EXPECT_PROBLEM(conn, NULL, AUDIT_REORDERED, -1, "outside the numbering");
	EXEC(conn, "UPDATE audit_log SET seq = 1, prev_hash = (SELECT prev_hash FROM audit_log WHERE seq = -1),"
	           " hash = (SELECT hash FROM audit_log WHERE seq = -1) WHERE seq = 2");
	EXEC(conn, "DELETE FROM audit_log WHERE seq = -1");
	EXPECT_PROBLEM(conn, NULL, AUDIT_CHANGED, 1, "entry 1 was changed");
	db_close(&conn);
}

static void test_tamper_head(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	append_n(conn, 5);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_head SET hash = (SELECT hash FROM audit_log WHERE seq = 4)");
	EXPECT_PROBLEM(conn, NULL, AUDIT_HEAD_MISMATCH, 5, "does not match the log head");
	EXEC(conn, "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3)");
	EXPECT_PROBLEM(conn, NULL, AUDIT_HEAD_MISMATCH, 4, "the log head was edited");
	EXEC(conn, "UPDATE audit_head SET hash = 'not hex'");
	EXPECT_PROBLEM(conn, NULL, AUDIT_HEAD_MISMATCH, 5, "missing or malformed");
	EXEC(conn, "DELETE FROM audit_head");
	EXPECT_PROBLEM(conn, NULL, AUDIT_HEAD_MISMATCH, 5, "missing or malformed");
	db_close(&conn);
}

/* Someone who recomputes every hash is caught by the signed checkpoint. */
static void test_tamper_rewrite_caught_by_checkpoint(void **state)
{
	NEED_BACKEND();
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	make_key(sk, pk);
	db *conn = fresh_db(NULL);
	append_n(conn, 5);
	assert_int_equal(audit_checkpoint(conn, sk, NULL), DB_OK);
	append_n(conn, 5);
	assert_int_equal(audit_checkpoint(conn, sk, NULL), DB_OK);
	allow_tampering(conn);
	rewrite_chain(conn, 7, 10);
	EXPECT_PROBLEM(conn, pk, AUDIT_CHECKPOINT_MISMATCH, 10, "entries after 5 up to 10 were rewritten");

	/* Re-signing the forged head with another key is caught when the real public key is given. */
	unsigned char other_sk[crypto_sign_SECRETKEYBYTES], other_pk[crypto_sign_PUBLICKEYBYTES];
	make_key(other_sk, other_pk);
	EXEC(conn, "DELETE FROM audit_checkpoint WHERE seq = 10");
	assert_int_equal(audit_checkpoint(conn, other_sk, NULL), DB_OK);
	expect_intact(conn, NULL, 10, 2); /* without the real public key the forgery passes ... */
	EXPECT_PROBLEM(conn, pk, AUDIT_FOREIGN_KEY, 10, "signed by another key"); /* ... with it, not */
	db_close(&conn);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(other_sk, sizeof other_sk);
}

static void test_checkpoints(void **state)
{
	NEED_BACKEND();
	unsigned char sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char other_sk[crypto_sign_SECRETKEYBYTES], other_pk[crypto_sign_PUBLICKEYBYTES];
	make_key(sk, pk);
	make_key(other_sk, other_pk);
	db *conn = fresh_db(NULL);
	int64_t seq = -1;
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_OK); /* empty log: nothing to sign */
	assert_int_equal(seq, 0);
	append_n(conn, 4);
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_OK);
	assert_int_equal(seq, 4);
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_OK); /* already checkpointed */
	assert_int_equal(seq, 0);
	append_n(conn, 2);
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_OK);
	assert_int_equal(seq, 6);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM audit_checkpoint"), 2);
	expect_intact(conn, pk, 6, 2);
	expect_intact(conn, NULL, 6, 2);

	/* Inside the caller's transaction. */
	append_n(conn, 1);
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_OK);
	assert_int_equal(seq, 7);
	assert_int_equal(db_commit(conn), DB_OK);

	/* The wrong public key. */
	EXPECT_PROBLEM(conn, other_pk, AUDIT_FOREIGN_KEY, 4, "the checkpoint at entry 4 was signed by another key");

	/* An edited signature, an edited checkpoint hash, a forged checkpoint. */
	allow_tampering(conn);
	char *sig = query_text(conn, "SELECT signature FROM audit_checkpoint WHERE seq = ?", 6);
	char original = sig[10];
	sig[10] = original == '0' ? '1' : '0';
	assert_int_equal(run_text_int(conn, "UPDATE audit_checkpoint SET signature = ? WHERE seq = ?", sig, 6), DB_DONE);
	EXPECT_PROBLEM(conn, pk, AUDIT_BAD_SIGNATURE, 6, "the checkpoint at entry 6 has a signature that does not verify");
	EXPECT_PROBLEM(conn, NULL, AUDIT_BAD_SIGNATURE, 6, "does not verify");
	sig[10] = original;
	assert_int_equal(run_text_int(conn, "UPDATE audit_checkpoint SET signature = ? WHERE seq = ?", sig, 6), DB_DONE);
	free(sig);
	expect_intact(conn, pk, 7, 3);
	EXEC(conn, "UPDATE audit_checkpoint SET hash = (SELECT hash FROM audit_log WHERE seq = 5) WHERE seq = 6");
	EXPECT_PROBLEM(conn, pk, AUDIT_BAD_SIGNATURE, 6, "does not verify");
	EXEC(conn, "UPDATE audit_checkpoint SET hash = (SELECT hash FROM audit_log WHERE seq = 6) WHERE seq = 6");
	EXEC(conn, "UPDATE audit_checkpoint SET signature = 'zz' WHERE seq = 7");
	EXPECT_PROBLEM(conn, pk, AUDIT_BAD_SIGNATURE, 7, "malformed");
	db_close(&conn);
	sodium_memzero(sk, sizeof sk);
	sodium_memzero(other_sk, sizeof other_sk);
}

/* A checkpoint never vouches for a log that was changed since the last one. */
static void test_checkpoint_refuses_changed_log(void **state)
{
	NEED_BACKEND();
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	make_key(sk, NULL);
	db *conn = fresh_db(NULL);
	append_n(conn, 5);
	assert_int_equal(audit_checkpoint(conn, sk, NULL), DB_OK);
	append_n(conn, 3);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_log SET outcome = 'failure' WHERE seq = 7");
	int64_t seq = -1;
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_CONSTRAINT);
	assert_int_equal(seq, 0);
	assert_non_null(strstr(audit_errmsg(), "entry 7 was changed"));
	EXEC(conn, "UPDATE audit_log SET outcome = 'success' WHERE seq = 7");
	EXEC(conn, "UPDATE audit_head SET seq = 9");
	assert_int_equal(audit_checkpoint(conn, sk, &seq), DB_CONSTRAINT);
	assert_non_null(strstr(audit_errmsg(), "does not match the last entry"));
	assert_int_equal(query_int(conn, "SELECT count(*) FROM audit_checkpoint"), 1);
	db_close(&conn);
	sodium_memzero(sk, sizeof sk);
}

/* ---- the database refuses changes -------------------------------------------------- */

static void test_append_only(void **state)
{
	NEED_BACKEND();
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	make_key(sk, NULL);
	db *conn = fresh_db(NULL);
	append_n(conn, 3);
	assert_int_equal(audit_checkpoint(conn, sk, NULL), DB_OK);
	static const char *const refused[] = {
		"UPDATE audit_log SET action = 'erase' WHERE seq = 2",
		"DELETE FROM audit_log WHERE seq = 3",
		"DELETE FROM audit_log",
		"INSERT INTO audit_log (seq, id, at, action, outcome, prev_hash, hash) "
		"SELECT 4, 'x', 0, 'consult', 'success', 'bogus', 'bogus'",
		"INSERT INTO audit_log (seq, id, at, action, outcome, prev_hash, hash) "
		"SELECT 9, 'x', 0, 'consult', 'success', hash, 'bogus' FROM audit_head",
		"UPDATE audit_head SET seq = 2",
		"UPDATE audit_head SET hash = '00'",
		"DELETE FROM audit_head",
		"UPDATE audit_checkpoint SET seq = 2",
		"DELETE FROM audit_checkpoint",
	};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		enum db_status status = db_exec(conn, refused[i]);
		if (status != DB_CONSTRAINT)
			fail_msg("%s -> %d (%s), expected DB_CONSTRAINT", refused[i], status, db_errmsg(conn));
	}
	if (is_pg()) {
		assert_int_equal(db_exec(conn, "TRUNCATE audit_log"), DB_CONSTRAINT);
		assert_int_equal(db_exec(conn, "TRUNCATE audit_checkpoint"), DB_CONSTRAINT);
	}
	expect_intact(conn, NULL, 3, 1);
	db_close(&conn);
	sodium_memzero(sk, sizeof sk);
}

/* ---- concurrent writers -------------------------------------------------------------- */

#define WRITERS 4
#define APPENDS 100

/* One writer thread; owns its connection. */
struct writer {
	const char *url;
	pthread_barrier_t *start;
	atomic_int *running; /* writers not yet finished */
	int index;
	int done;
	int retries;
	char *error; /* first unexpected failure; owned */
};

static enum db_status append_with_action(db *conn, int writer, int n)
{
	char detail[64];
	snprintf(detail, sizeof detail, "writer %d entry %d", writer, n);
	struct audit_entry e = sample(n);
	e.detail = detail;
	/* The action touches no shared row, so only the log's head makes the writers queue. */
	db_stmt *stmt = NULL;
	enum db_status status = db_begin(conn);
	if (status == DB_OK)
		status = db_prepare(conn, "INSERT INTO thing (writer, n) VALUES (?, ?)", &stmt);
	if (status == DB_OK) {
		db_bind_int64(stmt, 1, writer);
		db_bind_int64(stmt, 2, n);
		status = db_step(stmt);
		status = status == DB_DONE ? DB_OK : status;
	}
	db_finalize(&stmt);
	if (status == DB_OK)
		status = audit_append(conn, &e);
	if (status == DB_OK)
		status = db_commit(conn);
	if (status != DB_OK)
		db_rollback(conn);
	return status;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	db *conn = NULL;
	char *error = NULL;
	if (db_open(w->url, &conn, &error) != DB_OK) {
		w->error = error;
		pthread_barrier_wait(w->start);
		atomic_fetch_sub(w->running, 1);
		return NULL;
	}
	pthread_barrier_wait(w->start);
	while (w->done < APPENDS) {
		enum db_status status = append_with_action(conn, w->index, w->done);
		if (status == DB_OK) {
			w->done++;
		} else if (status == DB_BUSY && w->retries < 100000) {
			w->retries++;
		} else {
			w->error = xasprintf("append failed with status %d: %s / %s", status, db_errmsg(conn),
			                     audit_errmsg());
			break;
		}
	}
	db_close(&conn);
	atomic_fetch_sub(w->running, 1);
	return NULL;
}

static void test_concurrent_writers_keep_one_chain(void **state)
{
	NEED_BACKEND();
	char *url = NULL;
	db *conn = fresh_db(&url);
	EXEC(conn, "CREATE TABLE thing (writer INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (writer, n))");
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, WRITERS);
	atomic_int running = WRITERS;
	struct writer writers[WRITERS];
	pthread_t threads[WRITERS];
	int64_t t0 = clock_mono_ns();
	for (int i = 0; i < WRITERS; i++) {
		writers[i] = (struct writer){.url = url, .start = &start, .running = &running, .index = i};
		assert_int_equal(pthread_create(&threads[i], NULL, writer_main, &writers[i]), 0);
	}
	/* Verification while they write sees one consistent snapshot: always intact. */
	int verifications = 0;
	while (atomic_load(&running) > 0) {
		struct audit_verify_result r;
		assert_int_equal(audit_verify(conn, NULL, &r), DB_OK);
		if (!r.ok)
			fail_msg("verify during writes: %s", r.message);
		verifications++;
	}
	int retries = 0;
	for (int i = 0; i < WRITERS; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < WRITERS; i++) {
		if (writers[i].error)
			fail_msg("writer %d: %s", i, writers[i].error);
		assert_int_equal(writers[i].done, APPENDS);
		retries += writers[i].retries;
	}
	double seconds = (double)(clock_mono_ns() - t0) / 1e9;
	printf("  %s: %d writers x %d appends in %.2f s (%.0f entries/s, %d retries, %d verifications meanwhile)\n",
	       backend.name, WRITERS, APPENDS, seconds, WRITERS * APPENDS / seconds, retries, verifications);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM thing"), WRITERS * APPENDS);
	assert_int_equal(query_int(conn, "SELECT count(*) FROM audit_log"), WRITERS * APPENDS);
	assert_int_equal(query_int(conn, "SELECT count(DISTINCT seq) FROM audit_log"), WRITERS * APPENDS);
	assert_int_equal(query_int(conn, "SELECT min(seq) FROM audit_log"), 1);
	assert_int_equal(query_int(conn, "SELECT max(seq) FROM audit_log"), WRITERS * APPENDS);
	assert_int_equal(query_int(conn, "SELECT count(DISTINCT prev_hash) FROM audit_log"), WRITERS * APPENDS);
	/* The writers really interleaved: some entry follows one of another writer. */
	assert_true(query_int(conn, "SELECT count(*) FROM audit_log a JOIN audit_log b ON b.seq = a.seq + 1"
	                            " WHERE substr(a.detail, 1, 8) <> substr(b.detail, 1, 8)") > 0);
	expect_intact(conn, NULL, WRITERS * APPENDS, 0);
	db_close(&conn);
	free(url);
}

/* ---- export ------------------------------------------------------------------------------ */

/* The lines of a file (caller frees each and the array). */
static char **read_lines(const char *path, int *count_r)
{
	FILE *f = fopen(path, "r");
	*count_r = 0;
	if (!f)
		return NULL;
	char **lines = NULL;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		lines = xrealloc(lines, sizeof *lines * (size_t)(*count_r + 1));
		lines[(*count_r)++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	return lines;
}

static void free_lines(char **lines, int count)
{
	for (int i = 0; i < count; i++)
		free(lines[i]);
	free(lines);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void expect_export_error(db *conn, const char *path, const char *says)
{
	int64_t exported = -1;
	char *error = NULL;
	enum db_status status = audit_export(conn, path, &exported, &error);
	if (status == DB_OK || !error || !strstr(error, says))
		fail_msg("export of %s: expected an error saying \"%s\", got %d: %s", path, says, status, error);
	assert_int_equal(exported, 0);
	free(error);
}

static void test_export_resumes(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	char *path = temp_path("export");
	int64_t exported = -1;
	char *error = NULL;
	assert_int_equal(audit_export(conn, path, &exported, &error), DB_OK); /* empty log */
	assert_int_equal(exported, 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	append_n(conn, 7);
	assert_int_equal(audit_export(conn, path, &exported, &error), DB_OK);
	assert_int_equal(exported, 7);
	assert_int_equal(audit_export(conn, path, &exported, &error), DB_OK);
	assert_int_equal(exported, 0);
	append_n(conn, 5);
	assert_int_equal(audit_export(conn, path, &exported, &error), DB_OK);
	assert_int_equal(exported, 5);
	assert_null(error);

	int count = 0;
	char **lines = read_lines(path, &count);
	assert_int_equal(count, 12);
	for (int i = 0; i < count; i++) {
		json_error_t jerr;
		json_t *o = json_loads(lines[i], JSON_REJECT_DUPLICATES, &jerr);
		assert_non_null(o);
		assert_int_equal(json_integer_value(json_object_get(o, "seq")), i + 1);
		char *hash = query_text(conn, "SELECT hash FROM audit_log WHERE seq = ?", i + 1);
		assert_string_equal(json_string_value(json_object_get(o, "hash")), hash);
		free(hash);
		/* Every field is there, NULL as null, "" as "". */
		static const char *const keys[] = {"seq", "id", "at", "at_ms", "actor_id", "actor_login", "agency_id",
		                                   "action", "record_type", "record_id", "purpose", "justification",
		                                   "recipient", "request_id", "remote_addr", "outcome", "detail",
		                                   "prev_hash", "hash"};
		assert_int_equal(json_object_size(o), sizeof keys / sizeof keys[0]);
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			assert_non_null(json_object_get(o, keys[k]));
		assert_true(json_is_null(json_object_get(o, "recipient")));
		int n = i < 7 ? i + 1 : i + 1 - 7; /* the sample() the entry was made from */
		json_t *detail = json_object_get(o, "detail");
		if (n % 5 == 0)
			assert_string_equal(json_string_value(detail), "");
		else
			assert_true(json_is_null(detail));
		const char *at = json_string_value(json_object_get(o, "at"));
		assert_int_equal(strlen(at), 24);
		assert_int_equal(at[23], 'Z');
		json_decref(o);
	}
	free_lines(lines, count);

	/* A file that ends with something else is not continued. */
	char *other = temp_path("export");
	write_file(other, "{\"seq\": 3, \"hash\": \"00\"}\n");
	expect_export_error(conn, other, "not a processing-log entry");
	write_file(other, "not json\n");
	expect_export_error(conn, other, "not valid JSON");
	write_file(other, "{\"seq\": 3, \"hash\": \"0000000000000000000000000000000000000000000000000000000000000000\"}\n");
	expect_export_error(conn, other, "has another hash");
	write_file(other, "{\"seq\": 99, \"hash\": \"0000000000000000000000000000000000000000000000000000000000000000\"}\n");
	expect_export_error(conn, other, "the log has no entry 99");
	write_file(other, "{\"seq\": 3, \"hash\": \"00");
	expect_export_error(conn, other, "the last line is incomplete");
	char *huge = xmalloc(AUDIT_EXPORT_LINE_MAX + 16);
	memset(huge, ' ', AUDIT_EXPORT_LINE_MAX + 14);
	huge[AUDIT_EXPORT_LINE_MAX + 14] = '\n';
	huge[AUDIT_EXPORT_LINE_MAX + 15] = '\0';
	write_file(other, huge);
	free(huge);
	expect_export_error(conn, other, "longer than");
	assert_non_null(strstr(other, backend.dir));
	free(other);

	/* A log changed after the export stops the next export at the change. */
	append_n(conn, 3);
	allow_tampering(conn);
	EXEC(conn, "UPDATE audit_log SET action = 'erase' WHERE seq = 14");
	assert_int_equal(audit_export(conn, path, &exported, &error), DB_CONSTRAINT);
	assert_int_equal(exported, 1);
	assert_non_null(strstr(error, "entry 14 was changed"));
	free(error);
	lines = read_lines(path, &count);
	assert_int_equal(count, 13);
	free_lines(lines, count);
	free(path);
	db_close(&conn);
}

/* ---- search --------------------------------------------------------------------------------- */

static json_t *search(db *conn, struct audit_query q)
{
	json_t *rows = NULL;
	enum db_status status = audit_search(conn, &q, &rows);
	if (status != DB_OK)
		fail_msg("audit_search: %d: %s", status, audit_errmsg());
	return rows;
}

static int64_t seq_at(json_t *rows, size_t i)
{
	return json_integer_value(json_object_get(json_array_get(rows, i), "seq"));
}

static void test_search(void **state)
{
	NEED_BACKEND();
	db *conn = fresh_db(NULL);
	int64_t base = 1764394270000;
	for (int i = 1; i <= 12; i++) {
		clock_set_fixed(base + i * 1000);
		struct audit_entry e = sample(i);
		append_one(conn, &e);
	}
	struct audit_entry login = {.actor_login = "mallory", .action = AUDIT_AUTH_LOGIN,
	                            .outcome = AUDIT_OUTCOME_FAILURE};
	clock_set_fixed(base + 13000);
	append_one(conn, &login);
	clock_set_offset(0);

	json_t *rows = search(conn, (struct audit_query){0});
	assert_int_equal(json_array_size(rows), 13);
	assert_int_equal(seq_at(rows, 0), 13); /* newest first */
	json_t *first = json_array_get(rows, 0);
	assert_string_equal(json_string_value(json_object_get(first, "at")), "2025-11-29T05:31:23.000Z");
	assert_string_equal(json_string_value(json_object_get(first, "actor_login")), "mallory");
	assert_true(json_is_null(json_object_get(first, "actor_id")));
	json_decref(rows);

	rows = search(conn, (struct audit_query){.actor_id = "acc-1"}); /* i % 3 == 0: 3, 6, 9, 12 */
	assert_int_equal(json_array_size(rows), 4);
	assert_int_equal(seq_at(rows, 0), 12);
	assert_int_equal(seq_at(rows, 3), 3);
	json_decref(rows);

	rows = search(conn, (struct audit_query){.record_type = "person", .record_id = "person-even"});
	assert_int_equal(json_array_size(rows), 6);
	json_decref(rows);

	rows = search(conn, (struct audit_query){.action = AUDIT_CONSULT, .actor_login = "aida"}); /* 12 */
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(seq_at(rows, 0), 12);
	json_decref(rows);

	rows = search(conn, (struct audit_query){.outcome = AUDIT_OUTCOME_FAILURE});
	assert_int_equal(json_array_size(rows), 1);
	json_decref(rows);

	rows = search(conn, (struct audit_query){.from_ms = base + 3000, .to_ms = base + 6000}); /* 3, 4, 5 */
	assert_int_equal(json_array_size(rows), 3);
	assert_int_equal(seq_at(rows, 0), 5);
	assert_int_equal(seq_at(rows, 2), 3);
	json_decref(rows);

	/* Pages of 5, newest first, by the cursor. */
	int64_t cursor = 0, seen = 0, expect = 13;
	for (int page = 0; page < 4; page++) {
		rows = search(conn, (struct audit_query){.limit = 5, .before_seq = cursor});
		for (size_t i = 0; i < json_array_size(rows); i++, seen++)
			assert_int_equal(seq_at(rows, i), expect--);
		if (json_array_size(rows) > 0)
			cursor = seq_at(rows, json_array_size(rows) - 1);
		json_decref(rows);
	}
	assert_int_equal(seen, 13);

	/* Input is only ever a parameter. */
	rows = search(conn, (struct audit_query){.actor_id = "x' OR '1'='1"});
	assert_int_equal(json_array_size(rows), 0);
	json_decref(rows);

	json_t *none = NULL;
	assert_int_equal(audit_search(conn, &(struct audit_query){.limit = 201}, &none), DB_MISUSE);
	assert_int_equal(audit_search(conn, &(struct audit_query){.limit = -1}, &none), DB_MISUSE);
	assert_int_equal(audit_search(conn, &(struct audit_query){.record_id = "\xff"}, &none), DB_MISUSE);
	assert_null(none);
	db_close(&conn);
}

/* ---- keys ------------------------------------------------------------------------------------- */

static void test_key_files(void **state)
{
	NEED_BACKEND();
	char *path = temp_path("key");
	char *error = NULL;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	unsigned char read_pk[crypto_sign_PUBLICKEYBYTES];
	assert_true(audit_key_generate(path, pk, &error));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_false(audit_key_generate(path, NULL, &error)); /* never overwritten */
	assert_non_null(strstr(error, "never overwritten"));
	free(error);
	assert_true(audit_key_load(path, sk, &error));
	assert_true(audit_public_key_load(path, read_pk, &error)); /* a key file gives its public key */
	assert_memory_equal(pk, read_pk, sizeof pk);

	char *pub = temp_path("pub");
	char hex[65], text[128];
	sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
	snprintf(text, sizeof text, "# the processing log's public key\n\n  %s  \n", hex);
	write_file(pub, text);
	assert_true(audit_public_key_load(pub, read_pk, &error));
	assert_memory_equal(pk, read_pk, sizeof pk);
	write_file(pub, "abc\n");
	assert_false(audit_public_key_load(pub, read_pk, &error));
	assert_non_null(strstr(error, "not a public key"));
	free(error);

	assert_int_equal(chmod(path, 0644), 0);
	assert_false(audit_key_load(path, sk, &error));
	assert_non_null(strstr(error, "chmod 600"));
	free(error);
	assert_int_equal(chmod(pub, 0600), 0);
	write_file(pub, "public: 00\nseed: 11\n");
	assert_false(audit_key_load(pub, sk, &error));
	assert_non_null(strstr(error, "not a kadam audit key file"));
	free(error);
	assert_false(audit_key_load("/nonexistent/key", sk, &error));
	assert_non_null(strstr(error, "/nonexistent/key: cannot open"));
	free(error);
	free(path);
	free(pub);
	sodium_memzero(sk, sizeof sk);
}

int main(void)
{
	const struct CMUnitTest backend_tests[] = {
		cmocka_unit_test(test_append_chains),
		cmocka_unit_test(test_append_needs_a_transaction),
		cmocka_unit_test(test_same_transaction),
		cmocka_unit_test(test_append_validates),
		cmocka_unit_test(test_tamper_change),
		cmocka_unit_test(test_tamper_delete_middle),
		cmocka_unit_test(test_tamper_delete_tail),
		cmocka_unit_test(test_tamper_reorder),
		cmocka_unit_test(test_tamper_head),
		cmocka_unit_test(test_tamper_rewrite_caught_by_checkpoint),
		cmocka_unit_test(test_checkpoints),
		cmocka_unit_test(test_checkpoint_refuses_changed_log),
		cmocka_unit_test(test_append_only),
		cmocka_unit_test(test_concurrent_writers_keep_one_chain),
		cmocka_unit_test(test_export_resumes),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_key_files),
	};
	if (sodium_init() < 0)
		return 1;
	int failed = cmocka_run_group_tests_name("audit-sqlite", backend_tests, setup_sqlite, teardown_backend);
	failed += cmocka_run_group_tests_name("audit-postgresql", backend_tests, setup_pgsql, teardown_backend);
	return failed;
}
