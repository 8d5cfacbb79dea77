/*
 * audit.c — appending to the processing log, checkpointing and verifying it.
 *
 * The invariants (audit.h has the formats):
 *   - entries are numbered 1, 2, 3 ... without gaps, each chained to the one
 *     before by prev_hash and hash;
 *   - audit_head is (seq, hash) of the newest entry; an append locks it,
 *     so on PostgreSQL writers queue on one row and cannot fork the chain;
 *   - an entry is written in the transaction of the action it records, and a
 *     refused entry fails that transaction too.
 * Verification trusts nothing in the database: it recomputes every hash and
 * checks every checkpoint signature.
 */
#include "audit/audit_impl.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"

const char *const audit_field_names[AF_COUNT] = {
	"actor_id",      "actor_login", "agency_id",  "action",      "record_type",
	"record_id",     "purpose",     "justification", "recipient", "request_id",
	"remote_addr",   "outcome",     "detail",
};

static const char zero_hash_hex[AUDIT_HASH_HEX_LEN + 1] =
	"0000000000000000000000000000000000000000000000000000000000000000";

/* ---- errors ----------------------------------------------------------------- */

static _Thread_local char last_error[512];

enum db_status audit_fail(enum db_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(last_error, sizeof last_error, fmt, ap);
	va_end(ap);
	return status;
}

const char *audit_errmsg(void)
{
	return last_error[0] ? last_error : "no error";
}

/* A database failure: keeps the driver's message, prefixed with what we were doing. */
static enum db_status db_fail(db *conn, enum db_status status, const char *doing)
{
	return audit_fail(status, "%s: %s", doing, db_errmsg(conn));
}

void audit_result_problem(struct audit_verify_result *r, enum audit_problem problem, int64_t seq,
                          const char *fmt, ...)
{
	r->ok = false;
	r->problem = problem;
	r->first_bad_seq = seq;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof r->message, fmt, ap);
	va_end(ap);
}

/* ---- vocabulary and validation ------------------------------------------------ */

static const char *const actions[] = {
	AUDIT_COLLECT,          AUDIT_ALTER,          AUDIT_CONSULT,
	AUDIT_DISCLOSE,         AUDIT_COMBINE,        AUDIT_ERASE,
	AUDIT_AUTH_LOGIN,       AUDIT_AUTH_LOGOUT,    AUDIT_AUTH_MFA,
	AUDIT_AUTH_MFA_ENROL,   AUDIT_AUTH_RECOVERY_CODE, AUDIT_AUTH_PASSWORD_CHANGE,
	AUDIT_AUTH_SESSION_END, AUDIT_AUTH_LOCKOUT,   AUDIT_ACCESS_DENIED,
	AUDIT_ACCESS_BREAK_GLASS, AUDIT_TOKEN_CREATE, AUDIT_TOKEN_REVOKE,
	AUDIT_GRANT_CREATE,     AUDIT_GRANT_REVOKE,   AUDIT_ACCOUNT_CREATE,
	AUDIT_ACCOUNT_UPDATE,   AUDIT_ACCOUNT_DISABLE, AUDIT_ACCOUNT_ENABLE,
};

/* The S10 actions on personal data: they must name the record. */
static const char *const personal_data_actions[] = {
	AUDIT_COLLECT, AUDIT_ALTER, AUDIT_CONSULT, AUDIT_DISCLOSE, AUDIT_COMBINE, AUDIT_ERASE,
};

static const char *const outcomes[] = {AUDIT_OUTCOME_SUCCESS, AUDIT_OUTCOME_FAILURE, AUDIT_OUTCOME_DENIED};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}
#define IN_LIST(s, list) in_list(s, list, sizeof list / sizeof list[0])

bool audit_action_known(const char *action)
{
	return IN_LIST(action, actions);
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool audit_utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		unsigned char lo = 0x80, hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return false;
		for (size_t k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return false;
		i += n + 1;
	}
	return true;
}

static void entry_fields(const struct audit_entry *e, const char *text[AF_COUNT])
{
	text[AF_ACTOR_ID] = e->actor_id;
	text[AF_ACTOR_LOGIN] = e->actor_login;
	text[AF_AGENCY_ID] = e->agency_id;
	text[AF_ACTION] = e->action;
	text[AF_RECORD_TYPE] = e->record_type;
	text[AF_RECORD_ID] = e->record_id;
	text[AF_PURPOSE] = e->purpose;
	text[AF_JUSTIFICATION] = e->justification;
	text[AF_RECIPIENT] = e->recipient;
	text[AF_REQUEST_ID] = e->request_id;
	text[AF_REMOTE_ADDR] = e->remote_addr;
	text[AF_OUTCOME] = e->outcome;
	text[AF_DETAIL] = e->detail;
}

static bool present(const char *s)
{
	return s && *s;
}

/* Messages name fields, never values: a value may be personal data. */
static enum db_status validate(const char *const text[AF_COUNT], size_t len[AF_COUNT])
{
	for (int i = 0; i < AF_COUNT; i++) {
		len[i] = text[i] ? strlen(text[i]) : 0;
		if (len[i] > AUDIT_FIELD_MAX)
			return audit_fail(DB_MISUSE, "audit entry: %s is longer than %d bytes",
			                  audit_field_names[i], AUDIT_FIELD_MAX);
		if (text[i] && !audit_utf8_valid((const unsigned char *)text[i], len[i]))
			return audit_fail(DB_MISUSE, "audit entry: %s is not valid UTF-8", audit_field_names[i]);
	}
	const char *action = text[AF_ACTION];
	if (!present(action))
		return audit_fail(DB_MISUSE, "audit entry: action is required");
	if (!audit_action_known(action))
		return audit_fail(DB_MISUSE, "audit entry: action is not in the vocabulary of audit.h");
	if (!present(text[AF_OUTCOME]))
		return audit_fail(DB_MISUSE, "audit entry: outcome is required");
	if (!IN_LIST(text[AF_OUTCOME], outcomes))
		return audit_fail(DB_MISUSE, "audit entry: outcome must be success, failure or denied");
	if (IN_LIST(action, personal_data_actions) && !present(text[AF_RECORD_TYPE]))
		return audit_fail(DB_MISUSE, "audit entry: %s needs record_type (S10)", action);
	bool consult = strcmp(action, AUDIT_CONSULT) == 0, disclose = strcmp(action, AUDIT_DISCLOSE) == 0;
	if ((consult || disclose) && (!present(text[AF_PURPOSE]) || !present(text[AF_JUSTIFICATION])))
		return audit_fail(DB_MISUSE, "audit entry: %s needs purpose and justification (S10)", action);
	if (disclose && !present(text[AF_RECIPIENT]))
		return audit_fail(DB_MISUSE, "audit entry: disclose needs recipient (S10)");
	return DB_OK;
}

/* ---- the hash ------------------------------------------------------------------- */

void audit_hex(const unsigned char *bytes, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool audit_unhex(const char *hex, size_t hex_len, unsigned char *bytes, size_t n)
{
	if (!hex || hex_len != 2 * n)
		return false;
	for (size_t i = 0; i < n; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	return true;
}

static void hash_field(crypto_generichash_state *st, const char *text, size_t len)
{
	if (!text) {
		unsigned char null_tag = 0x00;
		crypto_generichash_update(st, &null_tag, 1);
		return;
	}
	uint32_t n = (uint32_t)len; /* fields are far below 4 GiB: the database caps them */
	unsigned char head[5] = {0x01, (unsigned char)(n >> 24), (unsigned char)(n >> 16),
	                         (unsigned char)(n >> 8), (unsigned char)n};
	crypto_generichash_update(st, head, sizeof head);
	crypto_generichash_update(st, (const unsigned char *)text, len);
}

static void hash_int(crypto_generichash_state *st, int64_t value)
{
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%" PRId64, value);
	hash_field(st, digits, (size_t)n);
}

void audit_entry_hash(const unsigned char prev[AUDIT_HASH_BYTES], int64_t seq, const char *id,
                      size_t id_len, int64_t at, const char *const text[AF_COUNT],
                      const size_t len[AF_COUNT], unsigned char out[AUDIT_HASH_BYTES])
{
	static const char domain[] = "kadam-audit-v1"; /* hashed with its NUL */
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, AUDIT_HASH_BYTES);
	crypto_generichash_update(&st, prev, AUDIT_HASH_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)domain, sizeof domain);
	hash_int(&st, seq);
	hash_field(&st, id, id_len);
	hash_int(&st, at);
	for (int i = 0; i < AF_COUNT; i++)
		hash_field(&st, text[i], len[i]);
	crypto_generichash_final(&st, out, AUDIT_HASH_BYTES);
}

/* ---- rows and snapshots ------------------------------------------------------------ */

void audit_row_read(db_stmt *stmt, struct audit_row *row)
{
	row->seq = db_column_int64(stmt, 0);
	row->id = db_column_text(stmt, 1, &row->id_len);
	row->at = db_column_int64(stmt, 2);
	for (int i = 0; i < AF_COUNT; i++)
		row->text[i] = db_column_text(stmt, 3 + i, &row->len[i]);
	row->prev_hash = db_column_text(stmt, 3 + AF_COUNT, &row->prev_hash_len);
	row->hash = db_column_text(stmt, 4 + AF_COUNT, &row->hash_len);
}

bool audit_is_pg(db *conn)
{
	return strcmp(db_driver_of(conn)->dialect, "postgresql") == 0;
}

enum db_status audit_snapshot_begin(db *conn, bool *own_r)
{
	*own_r = false;
	if (db_in_transaction(conn))
		return DB_OK;
	/* SQLite's deferred BEGIN reads one WAL snapshot without blocking writers. */
	const char *sql = audit_is_pg(conn) ? "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY" : "BEGIN";
	enum db_status status = db_exec(conn, sql);
	if (status != DB_OK)
		return db_fail(conn, status, "cannot start a read transaction");
	*own_r = true;
	return DB_OK;
}

void audit_snapshot_end(db *conn, bool own)
{
	if (own)
		db_rollback(conn);
}

/* ---- the walk ----------------------------------------------------------------------- */

#define WALK_PAGE 500

void audit_walk_start(struct audit_walk *w)
{
	memset(w, 0, sizeof *w);
	memcpy(w->hash_hex, zero_hash_hex, sizeof w->hash_hex);
}

static bool same_hex(const char *stored, size_t stored_len, const char *expected)
{
	return stored && stored_len == AUDIT_HASH_HEX_LEN && memcmp(stored, expected, AUDIT_HASH_HEX_LEN) == 0;
}

/* Checks one row against the walk; true and advances w when it checks out. */
static bool walk_row(struct audit_walk *w, const struct audit_row *row, struct audit_verify_result *r)
{
	int64_t expected = w->seq + 1;
	if (row->seq != expected) {
		audit_result_problem(r, AUDIT_MISSING, expected, "entry %" PRId64 " is missing", expected);
		return false;
	}
	if (!same_hex(row->prev_hash, row->prev_hash_len, w->hash_hex)) {
		if (expected == 1)
			audit_result_problem(r, AUDIT_REORDERED, 1,
			                     "entry 1 does not start the log: its prev_hash is not zero (reordered, "
			                     "or entries before it were removed)");
		else
			audit_result_problem(r, AUDIT_REORDERED, expected,
			                     "entry %" PRId64 " does not follow entry %" PRId64
			                     ": prev_hash mismatch (reordered or an entry was removed)",
			                     expected, w->seq);
		return false;
	}
	unsigned char hash[AUDIT_HASH_BYTES];
	char hex[AUDIT_HASH_HEX_LEN + 1];
	audit_entry_hash(w->hash, row->seq, row->id, row->id_len, row->at, row->text, row->len, hash);
	audit_hex(hash, sizeof hash, hex);
	if (!same_hex(row->hash, row->hash_len, hex)) {
		audit_result_problem(r, AUDIT_CHANGED, expected,
		                     "entry %" PRId64 " was changed: its hash does not match its content",
		                     expected);
		return false;
	}
	w->seq = expected;
	memcpy(w->hash, hash, sizeof hash);
	memcpy(w->hash_hex, hex, sizeof hex);
	w->count++;
	return true;
}

enum db_status audit_walk(db *conn, struct audit_walk *w, int64_t until_seq,
                          struct audit_verify_result *r, audit_row_fn each, void *ctx)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn,
	                                   "SELECT " AUDIT_ENTRY_COLUMNS " FROM audit_log"
	                                   " WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
	                                   &stmt);
	if (status != DB_OK)
		return db_fail(conn, status, "cannot read the processing log");
	bool stop = false;
	while (!stop) {
		db_reset(stmt);
		db_bind_int64(stmt, 1, w->seq);
		db_bind_int64(stmt, 2, until_seq);
		db_bind_int64(stmt, 3, WALK_PAGE);
		int rows = 0;
		enum db_status step = DB_DONE;
		while (!stop && (step = db_step(stmt)) == DB_ROW) {
			struct audit_row row;
			audit_row_read(stmt, &row);
			rows++;
			/* A problem ends the walk with DB_OK; a failing callback ends it with its status. */
			stop = !walk_row(w, &row, r) || (each && (status = each(ctx, &row)) != DB_OK);
		}
		if (!stop && step != DB_DONE) {
			status = db_fail(conn, step, "cannot read the processing log");
			break;
		}
		if (rows < WALK_PAGE)
			stop = true;
	}
	db_finalize(&stmt);
	return status;
}

/* ---- append --------------------------------------------------------------------------- */

static const char *head_lock_sql(db *conn)
{
	/* FOR UPDATE is not SQLite syntax; there BEGIN IMMEDIATE already holds the write lock. */
	return audit_is_pg(conn) ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
	                         : "SELECT seq, hash FROM audit_head WHERE id = 1";
}

/*
 * Reads (and with head_lock_sql locks) the head. *sound_r is false when the
 * row is missing or its hash is not 64 hex digits: someone edited it.
 */
static enum db_status head_read(db *conn, const char *sql, int64_t *seq_r,
                                char hash_hex_r[AUDIT_HASH_HEX_LEN + 1], bool *sound_r)
{
	db_stmt *stmt = NULL;
	unsigned char bytes[AUDIT_HASH_BYTES];
	*seq_r = 0;
	*sound_r = false;
	hash_hex_r[0] = '\0';
	enum db_status status = db_prepare(conn, sql, &stmt);
	if (status == DB_OK)
		status = db_step(stmt);
	if (status == DB_ROW) {
		size_t len = 0;
		const char *hash = db_column_text(stmt, 1, &len);
		*seq_r = db_column_int64(stmt, 0);
		if (audit_unhex(hash, len, bytes, sizeof bytes)) {
			audit_hex(bytes, sizeof bytes, hash_hex_r);
			*sound_r = strncmp(hash, hash_hex_r, AUDIT_HASH_HEX_LEN) == 0;
		}
		status = DB_OK;
	} else if (status == DB_DONE) {
		status = DB_OK;
	} else {
		db_fail(conn, status, "cannot read audit_head");
	}
	db_finalize(&stmt);
	return status;
}

static const char head_sql[] = "SELECT seq, hash FROM audit_head WHERE id = 1";

static enum db_status insert_entry(db *conn, int64_t seq, const char *id, int64_t at,
                                   const char *const text[AF_COUNT], const size_t len[AF_COUNT],
                                   const char *prev_hex, const char *hash_hex)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(
		conn,
		"INSERT INTO audit_log (" AUDIT_ENTRY_COLUMNS ")"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		&stmt);
	if (status != DB_OK)
		return db_fail(conn, status, "cannot append to the processing log");
	db_bind_int64(stmt, 1, seq);
	db_bind_text(stmt, 2, id, SIZE_MAX);
	db_bind_int64(stmt, 3, at);
	for (int i = 0; i < AF_COUNT; i++)
		db_bind_text(stmt, 4 + i, text[i], len[i]);
	db_bind_text(stmt, 4 + AF_COUNT, prev_hex, SIZE_MAX);
	db_bind_text(stmt, 5 + AF_COUNT, hash_hex, SIZE_MAX);
	status = db_step(stmt);
	if (status == DB_DONE)
		status = DB_OK;
	else
		db_fail(conn, status, "cannot append to the processing log");
	db_finalize(&stmt);
	return status;
}

/*
 * For a failure the database did not see (a refused entry, a damaged head):
 * it must fail the action as surely as a failed insert, even if the caller
 * ignores the status. A statement that cannot succeed marks the transaction
 * failed on both backends, so its commit is refused. Failures the database
 * did see have already done that.
 */
static enum db_status refuse(db *conn, enum db_status status)
{
	db_exec(conn, "SELECT refused FROM audit_entry_refused_so_the_action_fails");
	return status;
}

static enum db_status head_advance(db *conn, int64_t seq, const char *hash_hex)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", &stmt);
	if (status == DB_OK) {
		db_bind_int64(stmt, 1, seq);
		db_bind_text(stmt, 2, hash_hex, SIZE_MAX);
		status = db_step(stmt);
	}
	if (status == DB_DONE && db_changes(stmt) != 1)
		status = refuse(conn, audit_fail(DB_CONSTRAINT, "audit_head has no row: the processing log is damaged"));
	else if (status == DB_DONE)
		status = DB_OK;
	else
		db_fail(conn, status, "cannot advance audit_head");
	db_finalize(&stmt);
	return status;
}

enum db_status audit_append(db *conn, const struct audit_entry *e)
{
	last_error[0] = '\0';
	if (!conn || !e)
		return audit_fail(DB_MISUSE, "audit_append: no connection or entry");
	if (!db_in_transaction(conn))
		return audit_fail(DB_MISUSE, "audit_append: must run inside the transaction of the action");
	const char *text[AF_COUNT];
	size_t len[AF_COUNT];
	entry_fields(e, text);
	enum db_status status = validate(text, len);
	if (status != DB_OK)
		return refuse(conn, status);
	int64_t head_seq = 0;
	char prev_hex[AUDIT_HASH_HEX_LEN + 1];
	unsigned char prev[AUDIT_HASH_BYTES];
	bool sound = false;
	status = head_read(conn, head_lock_sql(conn), &head_seq, prev_hex, &sound);
	if (status != DB_OK)
		return status;
	if (!sound)
		return refuse(conn, audit_fail(DB_CONSTRAINT, "audit_head is missing or malformed: the processing "
		                                              "log is damaged; run kadam audit verify"));
	audit_unhex(prev_hex, AUDIT_HASH_HEX_LEN, prev, sizeof prev);
	/* The time is read under the lock, so it never goes backwards along seq (unless the clock does). */
	int64_t seq = head_seq + 1, at = clock_now_ms();
	char id[UUID_STR_LEN];
	uuid_v7(id);
	unsigned char hash[AUDIT_HASH_BYTES];
	char hash_hex[AUDIT_HASH_HEX_LEN + 1];
	audit_entry_hash(prev, seq, id, strlen(id), at, text, len, hash);
	audit_hex(hash, sizeof hash, hash_hex);
	status = insert_entry(conn, seq, id, at, text, len, prev_hex, hash_hex);
	if (status == DB_OK)
		status = head_advance(conn, seq, hash_hex);
	return status;
}

/* ---- checkpoints ------------------------------------------------------------------------ */

#define CHECKPOINT_DOMAIN "kadam-audit-checkpoint-v1"
#define CHECKPOINT_MESSAGE_LEN (sizeof CHECKPOINT_DOMAIN + 8 + AUDIT_HASH_BYTES)

static void checkpoint_message(int64_t seq, const unsigned char hash[AUDIT_HASH_BYTES],
                               unsigned char out[CHECKPOINT_MESSAGE_LEN])
{
	memcpy(out, CHECKPOINT_DOMAIN, sizeof CHECKPOINT_DOMAIN); /* with its NUL */
	uint64_t u = (uint64_t)seq;
	for (int i = 0; i < 8; i++)
		out[sizeof CHECKPOINT_DOMAIN + i] = (unsigned char)(u >> (56 - 8 * i));
	memcpy(out + sizeof CHECKPOINT_DOMAIN + 8, hash, AUDIT_HASH_BYTES);
}

/* The newest checkpoint; *seq_r 0 when there is none. */
static enum db_status last_checkpoint(db *conn, int64_t *seq_r, char hash_hex_r[AUDIT_HASH_HEX_LEN + 1])
{
	db_stmt *stmt = NULL;
	*seq_r = 0;
	hash_hex_r[0] = '\0';
	enum db_status status =
		db_prepare(conn, "SELECT seq, hash FROM audit_checkpoint ORDER BY seq DESC LIMIT 1", &stmt);
	if (status == DB_OK)
		status = db_step(stmt);
	if (status == DB_ROW) {
		size_t len = 0;
		const char *hash = db_column_text(stmt, 1, &len);
		*seq_r = db_column_int64(stmt, 0);
		snprintf(hash_hex_r, AUDIT_HASH_HEX_LEN + 1, "%.*s", (int)(len < AUDIT_HASH_HEX_LEN ? len : AUDIT_HASH_HEX_LEN),
		         hash ? hash : "");
		status = DB_OK;
	} else if (status == DB_DONE) {
		status = DB_OK;
	} else {
		db_fail(conn, status, "cannot read audit_checkpoint");
	}
	db_finalize(&stmt);
	return status;
}

/* The hash of entry seq; DB_DONE when there is no such entry. */
static enum db_status entry_hash_hex(db *conn, int64_t seq, char hash_hex_r[AUDIT_HASH_HEX_LEN + 1])
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn, "SELECT hash FROM audit_log WHERE seq = ?", &stmt);
	if (status == DB_OK) {
		db_bind_int64(stmt, 1, seq);
		status = db_step(stmt);
	}
	if (status == DB_ROW) {
		size_t len = 0;
		const char *hash = db_column_text(stmt, 0, &len);
		snprintf(hash_hex_r, AUDIT_HASH_HEX_LEN + 1, "%.*s",
		         (int)(len < AUDIT_HASH_HEX_LEN ? len : AUDIT_HASH_HEX_LEN), hash ? hash : "");
		status = DB_OK;
	} else if (status != DB_DONE) {
		db_fail(conn, status, "cannot read the processing log");
	}
	db_finalize(&stmt);
	return status;
}

/*
 * Checks what the next checkpoint would vouch for: the newest checkpoint
 * still matches its entry, the entries after it chain, and the head is the
 * last of them. Returns DB_OK and fills w, or DB_CONSTRAINT with the problem.
 */
static enum db_status check_since_last_checkpoint(db *conn, int64_t head_seq, const char *head_hex,
                                                  struct audit_walk *w)
{
	int64_t cp_seq = 0;
	char cp_hex[AUDIT_HASH_HEX_LEN + 1];
	enum db_status status = last_checkpoint(conn, &cp_seq, cp_hex);
	if (status != DB_OK)
		return status;
	audit_walk_start(w);
	if (cp_seq > head_seq)
		return audit_fail(DB_CONSTRAINT,
		                  "refusing to sign: entries after %" PRId64 " were removed (checkpoint at %" PRId64
		                  "); run kadam audit verify",
		                  head_seq, cp_seq);
	if (cp_seq > 0) {
		char row_hex[AUDIT_HASH_HEX_LEN + 1];
		status = entry_hash_hex(conn, cp_seq, row_hex);
		if (status == DB_DONE || (status == DB_OK && strcmp(row_hex, cp_hex) != 0))
			return audit_fail(DB_CONSTRAINT,
			                  "refusing to sign: entry %" PRId64 " no longer matches its checkpoint; run "
			                  "kadam audit verify",
			                  cp_seq);
		if (status != DB_OK)
			return status;
		w->seq = cp_seq;
		memcpy(w->hash_hex, cp_hex, sizeof w->hash_hex);
		audit_unhex(cp_hex, AUDIT_HASH_HEX_LEN, w->hash, sizeof w->hash);
	}
	struct audit_verify_result r = {.ok = true};
	status = audit_walk(conn, w, head_seq, &r, NULL, NULL);
	if (status != DB_OK)
		return status;
	if (!r.ok)
		return audit_fail(DB_CONSTRAINT, "refusing to sign: %s; run kadam audit verify", r.message);
	if (w->seq != head_seq || strcmp(w->hash_hex, head_hex) != 0)
		return audit_fail(DB_CONSTRAINT,
		                  "refusing to sign: audit_head (entry %" PRId64 ") does not match the last entry "
		                  "%" PRId64 "; run kadam audit verify",
		                  head_seq, w->seq);
	return DB_OK;
}

static enum db_status insert_checkpoint(db *conn, int64_t seq, const char *hash_hex,
                                        const unsigned char secret_key[crypto_sign_SECRETKEYBYTES],
                                        const unsigned char hash[AUDIT_HASH_BYTES])
{
	unsigned char message[CHECKPOINT_MESSAGE_LEN], signature[crypto_sign_BYTES];
	char sig_hex[2 * crypto_sign_BYTES + 1], pk_hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	checkpoint_message(seq, hash, message);
	crypto_sign_detached(signature, NULL, message, sizeof message, secret_key);
	audit_hex(signature, sizeof signature, sig_hex);
	/* An Ed25519 secret key in libsodium is seed || public key. */
	audit_hex(secret_key + crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES,
	          crypto_sign_PUBLICKEYBYTES, pk_hex);
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(
		conn, "INSERT INTO audit_checkpoint (seq, hash, at, public_key, signature) VALUES (?, ?, ?, ?, ?)",
		&stmt);
	if (status == DB_OK) {
		db_bind_int64(stmt, 1, seq);
		db_bind_text(stmt, 2, hash_hex, SIZE_MAX);
		db_bind_int64(stmt, 3, clock_now_ms());
		db_bind_text(stmt, 4, pk_hex, SIZE_MAX);
		db_bind_text(stmt, 5, sig_hex, SIZE_MAX);
		status = db_step(stmt);
		if (status == DB_DONE)
			status = DB_OK;
	}
	if (status != DB_OK)
		db_fail(conn, status, "cannot store the checkpoint");
	db_finalize(&stmt);
	return status;
}

enum db_status audit_checkpoint(db *conn, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES],
                                int64_t *seq_r)
{
	last_error[0] = '\0';
	if (seq_r)
		*seq_r = 0;
	if (!conn || !secret_key)
		return audit_fail(DB_MISUSE, "audit_checkpoint: no connection or key");
	if (sodium_init() < 0)
		return audit_fail(DB_ERROR, "libsodium cannot start");
	bool own = !db_in_transaction(conn);
	enum db_status status = own ? db_begin(conn) : DB_OK;
	if (status != DB_OK)
		return db_fail(conn, status, "cannot start a transaction");
	int64_t head_seq = 0;
	char head_hex[AUDIT_HASH_HEX_LEN + 1];
	struct audit_walk w;
	int64_t done_seq = 0;
	char done_hex[AUDIT_HASH_HEX_LEN + 1] = "";
	bool sound = false;
	status = head_read(conn, head_sql, &head_seq, head_hex, &sound);
	if (status == DB_OK && !sound)
		status = audit_fail(DB_CONSTRAINT, "refusing to sign: audit_head is missing or malformed; run "
		                                   "kadam audit verify");
	if (status == DB_OK && head_seq > 0)
		status = last_checkpoint(conn, &done_seq, done_hex);
	bool needed = status == DB_OK && head_seq > 0 && done_seq != head_seq;
	if (status == DB_OK && head_seq > 0 && done_seq == head_seq && strcmp(done_hex, head_hex) != 0)
		status = audit_fail(DB_CONSTRAINT, "refusing to sign: audit_head differs from the checkpoint at "
		                                   "%" PRId64 "; run kadam audit verify",
		                    head_seq);
	if (status == DB_OK && needed)
		status = check_since_last_checkpoint(conn, head_seq, head_hex, &w);
	if (status == DB_OK && needed)
		status = insert_checkpoint(conn, head_seq, head_hex, secret_key, w.hash);
	if (own && status == DB_OK)
		status = db_commit(conn);
	else if (own)
		db_rollback(conn);
	if (status == DB_OK && needed && seq_r)
		*seq_r = head_seq;
	if (status != DB_OK && !last_error[0])
		db_fail(conn, status, "cannot store the checkpoint");
	return status;
}

/* ---- verification ------------------------------------------------------------------------- */

static void check_one_checkpoint(db_stmt *stmt, const unsigned char *public_key, int64_t last_seq,
                                 int64_t *prev_cp, struct audit_verify_result *r)
{
	int64_t seq = db_column_int64(stmt, 0);
	size_t hash_len = 0, pk_len = 0, sig_len = 0, row_len = 0;
	const char *hash_hex = db_column_text(stmt, 1, &hash_len);
	const char *pk_hex = db_column_text(stmt, 2, &pk_len);
	const char *sig_hex = db_column_text(stmt, 3, &sig_len);
	const char *row_hex = db_column_text(stmt, 4, &row_len);
	unsigned char hash[AUDIT_HASH_BYTES], pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
	unsigned char message[CHECKPOINT_MESSAGE_LEN];
	if (!audit_unhex(hash_hex, hash_len, hash, sizeof hash) || !audit_unhex(pk_hex, pk_len, pk, sizeof pk) ||
	    !audit_unhex(sig_hex, sig_len, sig, sizeof sig)) {
		audit_result_problem(r, AUDIT_BAD_SIGNATURE, seq,
		                     "the checkpoint at entry %" PRId64 " is malformed (edited or forged)", seq);
		return;
	}
	if (public_key && sodium_memcmp(pk, public_key, sizeof pk) != 0) {
		audit_result_problem(r, AUDIT_FOREIGN_KEY, seq,
		                     "the checkpoint at entry %" PRId64 " was signed by another key (%.16s...), "
		                     "not the one given: it was forged or the wrong key was given",
		                     seq, pk_hex);
		return;
	}
	checkpoint_message(seq, hash, message);
	if (crypto_sign_verify_detached(sig, message, sizeof message, pk) != 0) {
		audit_result_problem(r, AUDIT_BAD_SIGNATURE, seq,
		                     "the checkpoint at entry %" PRId64 " has a signature that does not verify: "
		                     "the checkpoint was edited or forged",
		                     seq);
		return;
	}
	if (!row_hex) {
		if (seq > last_seq)
			audit_result_problem(r, AUDIT_TRUNCATED, last_seq + 1,
			                     "entries after %" PRId64 " were removed: the checkpoint at entry %" PRId64
			                     " signed an entry the log no longer has",
			                     last_seq, seq);
		else
			audit_result_problem(r, AUDIT_CHECKPOINT_MISMATCH, seq,
			                     "the checkpoint at entry %" PRId64 " names no entry", seq);
		return;
	}
	if (!same_hex(row_hex, row_len, hash_hex)) {
		audit_result_problem(r, AUDIT_CHECKPOINT_MISMATCH, seq,
		                     "entry %" PRId64 " does not match its signed checkpoint: entries after %" PRId64
		                     " up to %" PRId64 " were rewritten",
		                     seq, *prev_cp, seq);
		return;
	}
	*prev_cp = seq;
	r->checkpoints++;
}

static enum db_status verify_checkpoints(db *conn, const unsigned char *public_key, int64_t last_seq,
                                         struct audit_verify_result *r)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn,
	                                   "SELECT c.seq, c.hash, c.public_key, c.signature, l.hash"
	                                   " FROM audit_checkpoint c LEFT JOIN audit_log l ON l.seq = c.seq"
	                                   " WHERE c.seq > ? ORDER BY c.seq LIMIT ?",
	                                   &stmt);
	if (status != DB_OK)
		return db_fail(conn, status, "cannot read the checkpoints");
	int64_t after = INT64_MIN, prev_cp = 0;
	for (;;) {
		db_reset(stmt);
		db_bind_int64(stmt, 1, after);
		db_bind_int64(stmt, 2, WALK_PAGE);
		int rows = 0;
		while (r->ok && (status = db_step(stmt)) == DB_ROW) {
			rows++;
			after = db_column_int64(stmt, 0);
			check_one_checkpoint(stmt, public_key, last_seq, &prev_cp, r);
		}
		if (status != DB_ROW && status != DB_DONE) {
			db_fail(conn, status, "cannot read the checkpoints");
			break;
		}
		status = DB_OK;
		if (!r->ok || rows < WALK_PAGE)
			break;
	}
	db_finalize(&stmt);
	return status;
}

static enum db_status verify_head(db *conn, const struct audit_walk *w, struct audit_verify_result *r)
{
	int64_t seq = 0;
	char hex[AUDIT_HASH_HEX_LEN + 1];
	bool sound = false;
	enum db_status status = head_read(conn, head_sql, &seq, hex, &sound);
	if (status != DB_OK)
		return status;
	if (!sound)
		audit_result_problem(r, AUDIT_HEAD_MISMATCH, w->seq,
		                     "the log head (audit_head) is missing or malformed: it was edited");
	else if (seq > w->seq)
		audit_result_problem(r, AUDIT_TRUNCATED, w->seq + 1,
		                     "entries after %" PRId64 " were removed: the log head records entry %" PRId64,
		                     w->seq, seq);
	else if (seq < w->seq)
		audit_result_problem(r, AUDIT_HEAD_MISMATCH, seq + 1,
		                     "the log head was edited: it records entry %" PRId64 " but the log goes on to %" PRId64,
		                     seq, w->seq);
	else if (strcmp(hex, w->hash_hex) != 0)
		audit_result_problem(r, AUDIT_HEAD_MISMATCH, w->seq,
		                     "entry %" PRId64 " does not match the log head: the entry was rewritten or the "
		                     "head was edited",
		                     w->seq);
	return DB_OK;
}

/* The walk starts at 1; an entry numbered below that would escape it. */
static enum db_status verify_numbering(db *conn, struct audit_verify_result *r)
{
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn, "SELECT min(seq) FROM audit_log", &stmt);
	if (status == DB_OK)
		status = db_step(stmt);
	if (status == DB_ROW) {
		int64_t min = db_column_int64(stmt, 0);
		if (db_column_type(stmt, 0) != DB_TYPE_NULL && min < 1)
			audit_result_problem(r, AUDIT_REORDERED, min,
			                     "an entry numbered %" PRId64 " is outside the numbering (entries start at "
			                     "1): it was moved or inserted",
			                     min);
		status = DB_OK;
	} else {
		db_fail(conn, status, "cannot read the processing log");
	}
	db_finalize(&stmt);
	return status;
}

enum db_status audit_verify(db *conn, const unsigned char *public_key, struct audit_verify_result *r)
{
	memset(r, 0, sizeof *r);
	r->ok = true;
	last_error[0] = '\0';
	if (!conn)
		return audit_fail(DB_MISUSE, "audit_verify: no connection");
	bool own = false;
	enum db_status status = audit_snapshot_begin(conn, &own);
	struct audit_walk w;
	audit_walk_start(&w);
	if (status == DB_OK)
		status = verify_numbering(conn, r);
	if (status == DB_OK && r->ok)
		status = audit_walk(conn, &w, INT64_MAX, r, NULL, NULL);
	r->entries = w.count;
	if (status == DB_OK && r->ok)
		status = verify_checkpoints(conn, public_key, w.seq, r);
	if (status == DB_OK && r->ok)
		status = verify_head(conn, &w, r);
	audit_snapshot_end(conn, own);
	if (status != DB_OK) {
		r->ok = false;
		snprintf(r->message, sizeof r->message, "%s", audit_errmsg());
		return status;
	}
	if (r->ok) {
		r->problem = AUDIT_INTACT;
		snprintf(r->message, sizeof r->message,
		         "processing log intact: %" PRId64 " entries, %" PRId64 " checkpoints", r->entries,
		         r->checkpoints);
	}
	return DB_OK;
}
