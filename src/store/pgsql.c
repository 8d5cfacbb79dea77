/*
 * pgsql.c — the PostgreSQL backend (db_driver_pgsql) over libpq.
 *
 * Statements use `?` like SQLite; they are rewritten to $1, $2 ... and
 * prepared once per connection (the cache below), so a hot statement is
 * parsed and planned by the server only the first time. Parameters go as
 * text, except blobs, which go as binary so zero bytes survive. Results come
 * back as text and are converted on access, the way SQLite converts between
 * storage classes.
 *
 * A statement executes on its first db_step and keeps the whole result; later
 * steps walk its rows. Nothing here builds SQL from values: every value is a
 * parameter.
 */
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/log.h"
#include "store/db_impl.h"

/* Past this many distinct statements on one connection, new ones are parsed per execution. */
#define PG_CACHE_MAX 512
/* The protocol's limit on parameters per statement. */
#define PG_MAX_PARAMS 65535

/* Type OIDs from pg_type.h (not installed by libpq-dev). */
enum {
	PG_OID_BOOL = 16,
	PG_OID_BYTEA = 17,
	PG_OID_INT8 = 20,
	PG_OID_INT2 = 21,
	PG_OID_INT4 = 23,
	PG_OID_FLOAT4 = 700,
	PG_OID_FLOAT8 = 701,
	PG_OID_NUMERIC = 1700,
};

/* One server-side prepared statement, keyed by the caller's SQL text. Owned by the cache. */
struct pg_prepared {
	uint64_t hash; /* of sql, to skip most string comparisons */
	char *sql;     /* the caller's text, with `?`; owned */
	char *name;    /* server-side name, "kadam_N"; owned */
	int nparams;   /* `?` placeholders in sql */
	int nfields;   /* result columns, from the server's description */
};

/* A connection; owned by its opener or pool. */
struct pg_db {
	struct db base;            /* must be first */
	PGconn *conn;              /* owned; PQfinish in close */
	struct pg_prepared *cache; /* prepared statements of this session; owned array */
	size_t cache_len;          /* entries used */
	size_t cache_cap;          /* entries allocated */
	unsigned long next_id;     /* for statement names, unique within the session */
};

enum pg_state {
	PG_READY,   /* prepared or reset: the next step executes */
	PG_RUNNING, /* executed: steps walk the rows of res */
	PG_DONE,    /* finished or failed: binds need a reset first; a step re-executes */
};

/* A prepared statement; owned by the caller of db_prepare. */
struct pg_stmt {
	struct db_stmt base; /* must be first */
	char *name;          /* server-side statement name (owned copy), or NULL when not cached */
	char *sql;           /* converted text for PQexecParams when not cached; owned */
	int nparams;         /* number of `?` placeholders */
	int nfields;         /* columns as described at prepare; 0 if unknown */
	char **values;       /* nparams parameter values, NULL = SQL NULL; each owned */
	int *lengths;        /* byte lengths, used for binary (blob) parameters */
	int *formats;        /* 0 text, 1 binary */
	enum pg_state state;
	PGresult *res;       /* result of the execution while RUNNING; owned */
	int row;             /* current row of res; -1 before the first step */
	char **decoded;      /* per column: bytea decoded for the current row, NUL-terminated; owned */
	size_t *decoded_len; /* per column: length of decoded[i] */
	int64_t changes;     /* rows changed, recorded at DONE */
};

static struct pg_db *pg_of(db *conn)
{
	return (struct pg_db *)conn;
}

static struct pg_stmt *stmt_of(db_stmt *stmt)
{
	return (struct pg_stmt *)stmt;
}

/* ---- placeholders ------------------------------------------------------ */

static bool is_ident_char(char c)
{
	unsigned char u = (unsigned char)c;
	unsigned char lower = u | 0x20;
	return u >= 0x80 || u == '_' || u == '$' || (u >= '0' && u <= '9') || (lower >= 'a' && lower <= 'z');
}

/* Length of a '...' literal at p (doubled quotes inside; backslash escapes in E'...'). */
static size_t quoted_len(const char *p, char quote, bool backslash)
{
	size_t i = 1;
	for (;;) {
		if (p[i] == '\0')
			return i; /* unterminated: the server will say so */
		if (backslash && p[i] == '\\' && p[i + 1] != '\0') {
			i += 2;
		} else if (p[i] == quote) {
			if (p[i + 1] != quote)
				return i + 1;
			i += 2;
		} else {
			i++;
		}
	}
}

/* Block comments nest in PostgreSQL. */
static size_t block_comment_len(const char *p)
{
	size_t i = 2;
	int depth = 1;
	while (p[i] != '\0' && depth > 0) {
		if (p[i] == '/' && p[i + 1] == '*') {
			depth++;
			i += 2;
		} else if (p[i] == '*' && p[i + 1] == '/') {
			depth--;
			i += 2;
		} else {
			i++;
		}
	}
	return i;
}

/* $tag$ ... $tag$; 0 when p does not open a dollar quote. */
static size_t dollar_quote_len(const char *p)
{
	size_t tag = 1;
	if (p[1] >= '0' && p[1] <= '9')
		return 0; /* $1 is a parameter, not a quote */
	while (p[tag] != '$' && is_ident_char(p[tag]))
		tag++;
	if (p[tag] != '$')
		return 0;
	tag++;
	for (const char *end = p + tag; (end = strchr(end, '$')) != NULL; end++) {
		if (strncmp(end, p, tag) == 0)
			return (size_t)(end - p) + tag;
	}
	return strlen(p);
}

/* Length of a literal, quoted identifier or comment starting at p; 0 if none starts there. */
static size_t skip_len(const char *sql, const char *p)
{
	bool after_ident = p > sql && is_ident_char(p[-1]);
	switch (*p) {
	case '\'': {
		bool escape = after_ident && (p[-1] == 'E' || p[-1] == 'e') &&
		              !(p - 1 > sql && is_ident_char(p[-2]));
		return quoted_len(p, '\'', escape);
	}
	case '"': return quoted_len(p, '"', false);
	case '-': return p[1] == '-' ? strcspn(p, "\n") : 0;
	case '/': return p[1] == '*' ? block_comment_len(p) : 0;
	case '$': return after_ident ? 0 : dollar_quote_len(p);
	default: return 0;
	}
}

char *db_pgsql_convert_placeholders(const char *sql, int *count_r)
{
	struct buf out = {0};
	int count = 0;
	const char *p = sql;
	while (*p) {
		size_t skip = skip_len(sql, p);
		if (skip > 0) {
			buf_append(&out, p, skip);
			p += skip;
		} else if (*p == '?') {
			if (count < INT32_MAX)
				count++;
			buf_printf(&out, "$%d", count);
			p++;
		} else {
			buf_putc(&out, *p++);
		}
	}
	*count_r = count;
	return buf_steal(&out);
}

/* ---- results and errors ------------------------------------------------ */

static void refresh_state(struct pg_db *pc)
{
	PGTransactionStatusType ts = PQtransactionStatus(pc->conn);
	pc->base.in_transaction = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
	if (PQstatus(pc->conn) == CONNECTION_BAD)
		pc->base.broken = true;
}

static enum db_status map_sqlstate(const char *state)
{
	if (!state)
		return DB_ERROR;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
		return DB_BUSY;
	return DB_ERROR;
}

/*
 * The primary message and SQLSTATE only: DETAIL lines repeat the offending
 * values (a duplicate key is often personal data) and messages end up in logs.
 */
static void set_result_error(struct pg_db *pc, const PGresult *res)
{
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (primary && state)
		db_set_error(&pc->base, "%s (SQLSTATE %s)", primary, state);
	else if (res && *PQresultErrorMessage(res))
		db_set_error_text(&pc->base, PQresultErrorMessage(res));
	else
		db_set_error_text(&pc->base, PQerrorMessage(pc->conn));
}

/* Turns a result into a status (res may be NULL); refreshes the transaction state. */
static enum db_status result_status(struct pg_db *pc, const PGresult *res)
{
	enum db_status status = DB_ERROR;
	switch (res ? PQresultStatus(res) : PGRES_FATAL_ERROR) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		status = DB_OK;
		break;
	default:
		status = map_sqlstate(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
		set_result_error(pc, res);
	}
	refresh_state(pc);
	return status;
}

/* Server notices would otherwise go to stderr as free text, outside the JSON log. */
static void notice_receiver(void *arg, const PGresult *res)
{
	const char *severity = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (!msg)
		return;
	if (severity && strcmp(severity, "WARNING") == 0)
		log_warn("postgresql: %s", msg);
	else
		log_line(LOG_DEBUG, msg, NULL);
}

/* ---- prepared statement cache ------------------------------------------ */

static uint64_t hash_text(const char *s)
{
	uint64_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct pg_prepared *cache_find(struct pg_db *pc, const char *sql, uint64_t hash)
{
	for (size_t i = 0; i < pc->cache_len; i++) {
		if (pc->cache[i].hash == hash && strcmp(pc->cache[i].sql, sql) == 0)
			return &pc->cache[i];
	}
	return NULL;
}

static void cache_clear(struct pg_db *pc)
{
	for (size_t i = 0; i < pc->cache_len; i++) {
		free(pc->cache[i].sql);
		free(pc->cache[i].name);
	}
	free(pc->cache);
	pc->cache = NULL;
	pc->cache_len = pc->cache_cap = 0;
}

/* Prepares converted on the server and remembers it under sql; NULL (error set) on failure. */
static struct pg_prepared *cache_add(struct pg_db *pc, const char *sql, uint64_t hash,
                                     const char *converted, int nparams, enum db_status *status_r)
{
	char *name = xasprintf("kadam_%lu", ++pc->next_id);
	PGresult *res = PQprepare(pc->conn, name, converted, 0, NULL);
	*status_r = result_status(pc, res);
	PQclear(res);
	if (*status_r != DB_OK) {
		free(name);
		return NULL;
	}
	res = PQdescribePrepared(pc->conn, name);
	int nfields = res && PQresultStatus(res) == PGRES_COMMAND_OK ? PQnfields(res) : 0;
	PQclear(res);
	if (pc->cache_len == pc->cache_cap) {
		pc->cache_cap = pc->cache_cap ? pc->cache_cap * 2 : 16;
		pc->cache = xrealloc(pc->cache, pc->cache_cap * sizeof(*pc->cache));
	}
	struct pg_prepared *entry = &pc->cache[pc->cache_len++];
	*entry = (struct pg_prepared){hash, xstrdup(sql), name, nparams, nfields};
	return entry;
}

/* ---- open / close ------------------------------------------------------ */

/* Per-session settings; run again after a reconnect. */
static bool session_setup(struct pg_db *pc)
{
	PGresult *res = PQexec(pc->conn, "SET TIME ZONE 'UTC'");
	bool ok = result_status(pc, res) == DB_OK;
	PQclear(res);
	return ok;
}

static void pgsql_close(db **dbp)
{
	struct pg_db *pc = pg_of(*dbp);
	*dbp = NULL;
	if (!pc)
		return;
	PQfinish(pc->conn);
	cache_clear(pc);
	db_clear_error(&pc->base);
	free(pc);
}

static enum db_status pgsql_open(const char *url, db **db_r, char **error_r)
{
	*db_r = NULL;
	/* Keywords after dbname override the URL's, so the encoding is always UTF-8. */
	const char *const keys[] = {"dbname", "fallback_application_name", "client_encoding", NULL};
	const char *const values[] = {url, "kadam", "UTF8", NULL};
	struct pg_db *pc = xcalloc(1, sizeof(*pc));
	pc->base.driver = &db_driver_pgsql;
	pc->base.begin_sql = "BEGIN";
	pc->conn = PQconnectdbParams(keys, values, 1);
	if (!pc->conn) {
		free(pc);
		*error_r = xstrdup("cannot connect to PostgreSQL: out of memory");
		return DB_ERROR;
	}
	PQsetNoticeReceiver(pc->conn, notice_receiver, NULL);
	if (PQstatus(pc->conn) != CONNECTION_OK || !session_setup(pc)) {
		/* libpq's messages name host and port, never the password. */
		db_set_error_text(&pc->base, PQerrorMessage(pc->conn));
		*error_r = xasprintf("cannot connect to PostgreSQL: %s", pc->base.error);
		db *failed = &pc->base;
		pgsql_close(&failed);
		return DB_ERROR;
	}
	*db_r = &pc->base;
	return DB_OK;
}

/* ---- statements -------------------------------------------------------- */

/* True when sql starts with COMMIT or END (ignoring case and leading blanks). */
static bool is_commit(const char *sql)
{
	sql += strspn(sql, " \t\r\n");
	return strncasecmp(sql, "COMMIT", 6) == 0 || strncasecmp(sql, "END", 3) == 0;
}

static enum db_status pgsql_exec(db *conn, const char *sql)
{
	struct pg_db *pc = pg_of(conn);
	PGresult *res = PQexec(pc->conn, sql);
	enum db_status status = result_status(pc, res);
	/* COMMIT of a failed transaction "succeeds" with the tag ROLLBACK: that is a failure. */
	if (status == DB_OK && is_commit(sql) && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		db_set_error(conn, "COMMIT rolled back: a statement in the transaction had failed");
		status = DB_ERROR;
	}
	PQclear(res);
	return status;
}

/* A new statement with room for nparams parameters. */
static struct pg_stmt *stmt_new(db *conn, int nparams)
{
	struct pg_stmt *s = xcalloc(1, sizeof(*s));
	s->base.db = conn;
	s->nparams = nparams;
	s->values = xcalloc((size_t)nparams, sizeof(*s->values));
	s->lengths = xcalloc((size_t)nparams, sizeof(*s->lengths));
	s->formats = xcalloc((size_t)nparams, sizeof(*s->formats));
	s->row = -1;
	return s;
}

/* The hot path (a statement seen before) costs one hash and one lookup. */
static enum db_status pgsql_prepare(db *conn, const char *sql, db_stmt **stmt_r)
{
	struct pg_db *pc = pg_of(conn);
	uint64_t hash = hash_text(sql);
	struct pg_prepared *entry = cache_find(pc, sql, hash);
	char *converted = NULL;
	int nparams = entry ? entry->nparams : 0;
	if (!entry) {
		converted = db_pgsql_convert_placeholders(sql, &nparams);
		if (nparams > PG_MAX_PARAMS) {
			free(converted);
			db_set_error(conn, "statement has more than %d parameters", PG_MAX_PARAMS);
			return DB_MISUSE;
		}
		enum db_status status = DB_OK;
		if (pc->cache_len < PG_CACHE_MAX)
			entry = cache_add(pc, sql, hash, converted, nparams, &status);
		if (status != DB_OK) {
			free(converted);
			return status;
		}
	}
	struct pg_stmt *s = stmt_new(conn, nparams);
	if (entry) {
		s->name = xstrdup(entry->name);
		s->nfields = entry->nfields;
		free(converted);
	} else {
		s->sql = converted; /* the cache is full: parsed at each execution */
	}
	*stmt_r = &s->base;
	return DB_OK;
}

/* ---- binding ----------------------------------------------------------- */

/* Checks the index and state, then frees the old value: returns the slot or -1. */
static int bind_slot(struct pg_stmt *s, int index)
{
	if (s->state != PG_READY) {
		db_set_error(s->base.db, "bind on a statement that was stepped; reset it first");
		return -1;
	}
	if (index < 1 || index > s->nparams) {
		db_set_error(s->base.db, "bind index %d out of range (statement has %d parameters)", index,
		             s->nparams);
		return -1;
	}
	int slot = index - 1;
	free(s->values[slot]);
	s->values[slot] = NULL;
	s->lengths[slot] = 0;
	s->formats[slot] = 0;
	return slot;
}

static enum db_status bind_owned_text(db_stmt *stmt, int index, char *text)
{
	int slot = bind_slot(stmt_of(stmt), index);
	if (slot < 0) {
		free(text);
		return DB_MISUSE;
	}
	stmt_of(stmt)->values[slot] = text;
	return DB_OK;
}

static enum db_status pgsql_bind_null(db_stmt *stmt, int index)
{
	return bind_slot(stmt_of(stmt), index) < 0 ? DB_MISUSE : DB_OK;
}

static enum db_status pgsql_bind_int64(db_stmt *stmt, int index, int64_t value)
{
	return bind_owned_text(stmt, index, xasprintf("%" PRId64, value));
}

/* %.17g round-trips every double; inf and nan are spelled the way float8 reads them. */
static enum db_status pgsql_bind_double(db_stmt *stmt, int index, double value)
{
	return bind_owned_text(stmt, index, xasprintf("%.17g", value));
}

static enum db_status pgsql_bind_text(db_stmt *stmt, int index, const char *value, size_t len)
{
	return bind_owned_text(stmt, index, xstrndup(value, len));
}

static enum db_status pgsql_bind_blob(db_stmt *stmt, int index, const void *value, size_t len)
{
	struct pg_stmt *s = stmt_of(stmt);
	if (len > INT32_MAX) {
		db_set_error(stmt->db, "blob parameter %d is too large (%zu bytes)", index, len);
		return DB_MISUSE;
	}
	int slot = bind_slot(s, index);
	if (slot < 0)
		return DB_MISUSE;
	s->values[slot] = xmalloc(len);
	if (len > 0)
		memcpy(s->values[slot], value, len);
	s->lengths[slot] = (int)len;
	s->formats[slot] = 1;
	return DB_OK;
}

/* ---- stepping ---------------------------------------------------------- */

static void free_decoded(struct pg_stmt *s)
{
	if (!s->decoded)
		return;
	int n = s->res ? PQnfields(s->res) : 0;
	for (int i = 0; i < n; i++) {
		free(s->decoded[i]);
		s->decoded[i] = NULL;
	}
}

static void drop_result(struct pg_stmt *s)
{
	free_decoded(s);
	free(s->decoded);
	free(s->decoded_len);
	s->decoded = NULL;
	s->decoded_len = NULL;
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
}

/* Rows changed, the way SQLite counts them: a SELECT changes nothing. */
static int64_t result_changes(PGresult *res)
{
	if (strncmp(PQcmdStatus(res), "SELECT", 6) == 0)
		return 0;
	return strtoll(PQcmdTuples(res), NULL, 10);
}

static enum db_status execute(struct pg_stmt *s)
{
	struct pg_db *pc = pg_of(s->base.db);
	const char *const *values = (const char *const *)s->values;
	PGresult *res;
	if (s->name)
		res = PQexecPrepared(pc->conn, s->name, s->nparams, values, s->lengths, s->formats, 0);
	else
		res = PQexecParams(pc->conn, s->sql, s->nparams, NULL, values, s->lengths, s->formats, 0);
	enum db_status status = result_status(pc, res);
	if (status != DB_OK) {
		PQclear(res);
		s->state = PG_DONE;
		return status;
	}
	s->res = res;
	s->row = -1;
	s->state = PG_RUNNING;
	int n = PQnfields(res);
	s->decoded = xcalloc((size_t)n, sizeof(*s->decoded));
	s->decoded_len = xcalloc((size_t)n, sizeof(*s->decoded_len));
	return DB_OK;
}

static enum db_status pgsql_step(db_stmt *stmt)
{
	struct pg_stmt *s = stmt_of(stmt);
	if (s->state == PG_DONE) {
		/* Like SQLite: stepping a finished statement runs it again. */
		drop_result(s);
		s->state = PG_READY;
	}
	if (s->state == PG_READY) {
		enum db_status status = execute(s);
		if (status != DB_OK)
			return status;
	}
	free_decoded(s);
	if (++s->row < PQntuples(s->res))
		return DB_ROW;
	s->changes = result_changes(s->res);
	drop_result(s);
	s->state = PG_DONE;
	return DB_DONE;
}

static enum db_status pgsql_reset(db_stmt *stmt)
{
	struct pg_stmt *s = stmt_of(stmt);
	drop_result(s);
	s->state = PG_READY;
	s->changes = 0;
	return DB_OK;
}

/* ---- columns ----------------------------------------------------------- */

static int pgsql_column_count(db_stmt *stmt)
{
	struct pg_stmt *s = stmt_of(stmt);
	return s->res ? PQnfields(s->res) : s->nfields;
}

/* The current row's value, or NULL when there is no row or the value is SQL NULL. */
static const char *raw_value(struct pg_stmt *s, int column)
{
	if (!s->res || s->row < 0 || s->row >= PQntuples(s->res) || column >= PQnfields(s->res))
		return NULL;
	if (PQgetisnull(s->res, s->row, column))
		return NULL;
	return PQgetvalue(s->res, s->row, column);
}

static enum db_type type_of_oid(Oid oid)
{
	switch (oid) {
	case PG_OID_INT8:
	case PG_OID_INT2:
	case PG_OID_INT4:
	case PG_OID_BOOL: return DB_TYPE_INT;
	case PG_OID_FLOAT4:
	case PG_OID_FLOAT8:
	case PG_OID_NUMERIC: return DB_TYPE_REAL;
	case PG_OID_BYTEA: return DB_TYPE_BLOB;
	default: return DB_TYPE_TEXT;
	}
}

static const char *pgsql_column_name(db_stmt *stmt, int column)
{
	struct pg_stmt *s = stmt_of(stmt);
	return s->res ? PQfname(s->res, column) : NULL;
}

static enum db_type pgsql_column_type(db_stmt *stmt, int column)
{
	struct pg_stmt *s = stmt_of(stmt);
	if (!raw_value(s, column))
		return DB_TYPE_NULL;
	return type_of_oid(PQftype(s->res, column));
}

/* SQLite's conversion: truncate toward zero, saturate at the ends, NaN is 0. */
static int64_t double_to_int64(double d)
{
	if (d != d)
		return 0;
	if (d <= -9223372036854775808.0)
		return INT64_MIN;
	if (d >= 9223372036854775807.0)
		return INT64_MAX;
	return (int64_t)d;
}

static int64_t pgsql_column_int64(db_stmt *stmt, int column)
{
	struct pg_stmt *s = stmt_of(stmt);
	const char *v = raw_value(s, column);
	if (!v)
		return 0;
	switch (PQftype(s->res, column)) {
	case PG_OID_BOOL: return v[0] == 't';
	case PG_OID_FLOAT4:
	case PG_OID_FLOAT8:
	case PG_OID_NUMERIC: return double_to_int64(strtod(v, NULL));
	default: return strtoll(v, NULL, 10);
	}
}

static double pgsql_column_double(db_stmt *stmt, int column)
{
	struct pg_stmt *s = stmt_of(stmt);
	const char *v = raw_value(s, column);
	if (!v)
		return 0.0;
	if (PQftype(s->res, column) == PG_OID_BOOL)
		return v[0] == 't' ? 1.0 : 0.0;
	return strtod(v, NULL);
}

/* Decodes a bytea value once per row; the copy lives until the next step. */
static const char *decoded_bytea(struct pg_stmt *s, int column, const char *v, size_t *len_r)
{
	if (!s->decoded[column]) {
		size_t len = 0;
		unsigned char *raw = PQunescapeBytea((const unsigned char *)v, &len);
		if (!raw)
			return NULL;
		char *copy = xmalloc(len + 1);
		memcpy(copy, raw, len);
		copy[len] = '\0';
		PQfreemem(raw);
		s->decoded[column] = copy;
		s->decoded_len[column] = len;
	}
	*len_r = s->decoded_len[column];
	return s->decoded[column];
}

/* Text as SQLite would give it: bytes for a blob, 1/0 for a boolean. */
static const char *pgsql_column_text(db_stmt *stmt, int column, size_t *len_r)
{
	struct pg_stmt *s = stmt_of(stmt);
	const char *v = raw_value(s, column);
	*len_r = 0;
	if (!v)
		return NULL;
	switch (PQftype(s->res, column)) {
	case PG_OID_BYTEA: return decoded_bytea(s, column, v, len_r);
	case PG_OID_BOOL:
		*len_r = 1;
		return v[0] == 't' ? "1" : "0";
	default:
		*len_r = (size_t)PQgetlength(s->res, s->row, column);
		return v;
	}
}

static const void *pgsql_column_blob(db_stmt *stmt, int column, size_t *len_r)
{
	return pgsql_column_text(stmt, column, len_r);
}

static int64_t pgsql_changes(db_stmt *stmt)
{
	return stmt_of(stmt)->changes;
}

static void pgsql_finalize(db_stmt **stmtp)
{
	struct pg_stmt *s = stmt_of(*stmtp);
	*stmtp = NULL;
	drop_result(s);
	for (int i = 0; i < s->nparams; i++)
		free(s->values[i]);
	free(s->values);
	free(s->lengths);
	free(s->formats);
	free(s->name);
	free(s->sql);
	free(s);
}

/* ---- health ------------------------------------------------------------ */

static const char *pgsql_errmsg(db *conn)
{
	return conn->error ? conn->error : "no error";
}

/* Reconnects a lost connection first: the server forgot our prepared statements. */
static bool reconnect(struct pg_db *pc)
{
	PQreset(pc->conn);
	cache_clear(pc);
	if (PQstatus(pc->conn) != CONNECTION_OK) {
		db_set_error_text(&pc->base, PQerrorMessage(pc->conn));
		return false;
	}
	pc->base.broken = false;
	return session_setup(pc);
}

static bool pgsql_ping(db *conn)
{
	struct pg_db *pc = pg_of(conn);
	if (PQstatus(pc->conn) == CONNECTION_BAD && !reconnect(pc))
		return false;
	PGresult *res = PQexec(pc->conn, "SELECT 1");
	bool ok = result_status(pc, res) == DB_OK;
	PQclear(res);
	return ok;
}

const struct db_driver db_driver_pgsql = {
	.name = "postgresql",
	.dialect = "postgresql",
	.flags = DB_DRIVER_FLAG_SKIP_LOCKED,
	.v = {
		.open = pgsql_open,
		.close = pgsql_close,
		.exec = pgsql_exec,
		.prepare = pgsql_prepare,
		.bind_null = pgsql_bind_null,
		.bind_int64 = pgsql_bind_int64,
		.bind_double = pgsql_bind_double,
		.bind_text = pgsql_bind_text,
		.bind_blob = pgsql_bind_blob,
		.step = pgsql_step,
		.reset = pgsql_reset,
		.column_count = pgsql_column_count,
		.column_type = pgsql_column_type,
		.column_name = pgsql_column_name,
		.column_int64 = pgsql_column_int64,
		.column_double = pgsql_column_double,
		.column_text = pgsql_column_text,
		.column_blob = pgsql_column_blob,
		.changes = pgsql_changes,
		.finalize = pgsql_finalize,
		.errmsg = pgsql_errmsg,
		.ping = pgsql_ping,
	},
};
