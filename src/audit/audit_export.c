/*
 * audit_export.c — the processing log as JSON: export to a file of JSON
 * lines for a separate store (S11), and search for the auditor.
 *
 * Export is resumable: the file's last line says where it stopped, and its
 * hash must still be the log's, so a file is never continued from a log that
 * was changed or from another database. Export checks the chain of what it
 * writes, so a broken log is never copied on as if it were sound.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/audit_impl.h"
#include "base/buf.h"
#include "base/clock.h"

/* ---- an entry as JSON ------------------------------------------------------------ */

static json_t *text_or_null(const char *text, size_t len)
{
	return text ? json_stringn(text, len) : json_null();
}

/* The object of one entry (shared by export and search); NULL if a text is not UTF-8. */
static json_t *row_json(const struct audit_row *row)
{
	char at[32];
	clock_format_rfc3339(row->at, at);
	json_t *o = json_object();
	bool ok = json_object_set_new(o, "seq", json_integer(row->seq)) == 0;
	ok = ok && json_object_set_new(o, "id", text_or_null(row->id, row->id_len)) == 0;
	ok = ok && json_object_set_new(o, "at", json_string(at)) == 0;
	ok = ok && json_object_set_new(o, "at_ms", json_integer(row->at)) == 0;
	for (int i = 0; ok && i < AF_COUNT; i++)
		ok = json_object_set_new(o, audit_field_names[i], text_or_null(row->text[i], row->len[i])) == 0;
	ok = ok && json_object_set_new(o, "prev_hash", text_or_null(row->prev_hash, row->prev_hash_len)) == 0;
	ok = ok && json_object_set_new(o, "hash", text_or_null(row->hash, row->hash_len)) == 0;
	if (!ok) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- export ------------------------------------------------------------------------ */

/* The export in progress; owned by audit_export. */
struct export {
	const char *path;  /* the file, for messages */
	int fd;            /* open for appending, locked */
	struct buf out;    /* lines not yet written */
	int64_t pending;   /* lines in out */
	int64_t exported;  /* lines written */
	char *error;       /* first failure; owned */
};

/*
 * Hands msg to the caller unless a message is already there (the first
 * failure is the one that explains) or error_r is NULL, else frees it.
 * Returns false, for `return set_error(...)`.
 */
static bool set_error(char **error_r, char *msg)
{
	if (error_r && !*error_r)
		*error_r = msg;
	else
		free(msg);
	return false;
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

static bool export_flush(struct export *x)
{
	if (x->out.len > 0 && !write_all(x->fd, x->out.data, x->out.len)) {
		set_error(&x->error, xasprintf("%s: write failed: %s", x->path, strerror(errno)));
		return false;
	}
	x->exported += x->pending;
	x->pending = 0;
	buf_reset(&x->out);
	return true;
}

static enum db_status export_row(void *ctx, const struct audit_row *row)
{
	struct export *x = ctx;
	json_t *o = row_json(row);
	char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!line || strlen(line) >= AUDIT_EXPORT_LINE_MAX) {
		free(line);
		set_error(&x->error, xasprintf("entry %" PRId64 " cannot be exported (not UTF-8 or too long); run "
		                               "kadam audit verify",
		                               row->seq));
		return DB_ERROR;
	}
	buf_puts(&x->out, line);
	buf_putc(&x->out, '\n');
	free(line);
	x->pending++;
	if (x->out.len >= 1 << 16 && !export_flush(x))
		return DB_ERROR;
	return DB_OK;
}

/*
 * The seq and hash of the file's last line; seq 0 for an empty file. A last
 * line without its newline (an export cut short), longer than any entry or
 * that is not an entry is an error naming the file.
 */
static bool last_exported(int fd, const char *path, int64_t *seq_r, char hash_r[AUDIT_HASH_HEX_LEN + 1],
                          char **error_r)
{
	*seq_r = 0;
	struct stat st;
	if (fstat(fd, &st) != 0)
		return set_error(error_r, xasprintf("%s: %s", path, strerror(errno)));
	if (!S_ISREG(st.st_mode))
		return set_error(error_r, xasprintf("%s: not a regular file", path));
	if (st.st_size == 0)
		return true;
	size_t want = st.st_size > AUDIT_EXPORT_LINE_MAX + 1 ? AUDIT_EXPORT_LINE_MAX + 1 : (size_t)st.st_size;
	char *tail = xmalloc(want + 1);
	off_t from = st.st_size - (off_t)want;
	size_t got = 0;
	while (got < want) {
		ssize_t n = pread(fd, tail + got, want - got, from + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	bool ok = false;
	if (got != want) {
		set_error(error_r, xasprintf("%s: read error: %s", path, strerror(errno)));
	} else if (tail[want - 1] != '\n') {
		set_error(error_r, xasprintf("%s: the last line is incomplete (an export was cut short?); "
		                             "remove it and export again",
		                             path));
	} else {
		size_t end = want - 1, start = end;
		while (start > 0 && tail[start - 1] != '\n')
			start--;
		if (start == 0 && from > 0) {
			set_error(error_r, xasprintf("%s: the last line is longer than %d bytes: not an export of "
			                             "the processing log",
			                             path, AUDIT_EXPORT_LINE_MAX));
		} else {
			json_error_t jerr;
			json_t *o = json_loadb(tail + start, end - start, JSON_REJECT_DUPLICATES, &jerr);
			json_t *seq = json_object_get(o, "seq"), *hash = json_object_get(o, "hash");
			const char *h = json_string_value(hash);
			unsigned char bytes[AUDIT_HASH_BYTES];
			if (!o) {
				set_error(error_r, xasprintf("%s: the last line is not valid JSON (%s at column %d)", path,
				                             jerr.text, jerr.column));
			} else if (!json_is_integer(seq) || json_integer_value(seq) < 1 || !h ||
			           !audit_unhex(h, strlen(h), bytes, sizeof bytes)) {
				set_error(error_r, xasprintf("%s: the last line is not a processing-log entry (it needs "
				                             "seq and hash)",
				                             path));
			} else {
				*seq_r = json_integer_value(seq);
				audit_hex(bytes, sizeof bytes, hash_r);
				ok = true;
			}
			json_decref(o);
		}
	}
	free(tail);
	return ok;
}

/* Makes a newly created file's name durable too. */
static void sync_parent_dir(const char *path)
{
	char *copy = xstrdup(path);
	int dfd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(copy);
}

/* Opens (creating with mode 0600: the log names people) and locks the file. */
static int open_export(const char *path, bool *created_r, char **error_r)
{
	*created_r = false;
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		*created_r = true;
	else if (errno == EEXIST)
		fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		set_error(error_r, xasprintf("%s: cannot open: %s", path, strerror(errno)));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		set_error(error_r, xasprintf("%s: another export is writing it", path));
		close(fd);
		return -1;
	}
	return fd;
}

/* Positions the walk after the file's last entry, which must still be the log's. */
static enum db_status resume_point(db *conn, struct export *x, struct audit_walk *w)
{
	char **error_r = &x->error;
	int64_t seq = 0;
	char hash_hex[AUDIT_HASH_HEX_LEN + 1];
	audit_walk_start(w);
	if (!last_exported(x->fd, x->path, &seq, hash_hex, error_r))
		return DB_ERROR;
	if (seq == 0)
		return DB_OK;
	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn, "SELECT hash FROM audit_log WHERE seq = ?", &stmt);
	if (status == DB_OK) {
		db_bind_int64(stmt, 1, seq);
		status = db_step(stmt);
	}
	size_t len = 0;
	const char *row_hash = status == DB_ROW ? db_column_text(stmt, 0, &len) : NULL;
	if (status == DB_DONE) {
		set_error(error_r, xasprintf("%s ends at entry %" PRId64 " but the log has no entry %" PRId64
		                             ": the log was cut, or the file is another database's",
		                             x->path, seq, seq));
		status = DB_ERROR;
	} else if (status != DB_ROW) {
		set_error(error_r, xasprintf("cannot read the processing log: %s", db_errmsg(conn)));
	} else if (!row_hash || len != AUDIT_HASH_HEX_LEN || memcmp(row_hash, hash_hex, len) != 0) {
		set_error(error_r, xasprintf("%s ends at entry %" PRId64 " but the log's entry %" PRId64
		                             " has another hash: the log was changed, or the file is another "
		                             "database's",
		                             x->path, seq, seq));
		status = DB_ERROR;
	} else {
		w->seq = seq;
		memcpy(w->hash_hex, hash_hex, sizeof w->hash_hex);
		audit_unhex(hash_hex, AUDIT_HASH_HEX_LEN, w->hash, sizeof w->hash);
		status = DB_OK;
	}
	db_finalize(&stmt);
	return status;
}

enum db_status audit_export(db *conn, const char *path, int64_t *exported_r, char **error_r)
{
	if (exported_r)
		*exported_r = 0;
	if (error_r)
		*error_r = NULL;
	if (!conn || !path) {
		set_error(error_r, xstrdup("audit_export: no connection or file"));
		return DB_MISUSE;
	}
	bool created = false;
	struct export x = {.path = path, .fd = open_export(path, &created, error_r)};
	if (x.fd < 0)
		return DB_ERROR;
	bool own = false;
	struct audit_walk w;
	struct audit_verify_result r = {.ok = true};
	enum db_status status = audit_snapshot_begin(conn, &own);
	if (status != DB_OK)
		set_error(&x.error, xstrdup(audit_errmsg()));
	else
		status = resume_point(conn, &x, &w);
	if (status == DB_OK) {
		status = audit_walk(conn, &w, INT64_MAX, &r, export_row, &x);
		if (status != DB_OK)
			set_error(&x.error, xstrdup(audit_errmsg()));
	}
	audit_snapshot_end(conn, own);
	/* What was read checks out and is kept, even when a later entry stops the export. */
	bool flushed = export_flush(&x);
	if (fsync(x.fd) != 0 && flushed) {
		set_error(&x.error, xasprintf("%s: fsync failed: %s", path, strerror(errno)));
		flushed = false;
	}
	if (created)
		sync_parent_dir(path);
	close(x.fd);
	buf_free(&x.out);
	if (status == DB_OK && !flushed)
		status = DB_ERROR;
	if (status == DB_OK && !r.ok) {
		status = DB_CONSTRAINT;
		set_error(&x.error, xasprintf("stopped before entry %" PRId64 ": %s; run kadam audit verify",
		                              r.first_bad_seq, r.message));
	}
	if (x.error)
		set_error(error_r, x.error);
	if (exported_r)
		*exported_r = x.exported;
	return status;
}

/* ---- search --------------------------------------------------------------------------- */

#define SEARCH_LIMIT_DEFAULT 50
#define SEARCH_LIMIT_MAX 200

enum db_status audit_search(db *conn, const struct audit_query *q, json_t **rows_r)
{
	*rows_r = NULL;
	if (!conn || !q)
		return audit_fail(DB_MISUSE, "audit_search: no connection or query");
	int limit = q->limit == 0 ? SEARCH_LIMIT_DEFAULT : q->limit;
	if (limit < 1 || limit > SEARCH_LIMIT_MAX)
		return audit_fail(DB_MISUSE, "audit_search: limit must be between 1 and %d", SEARCH_LIMIT_MAX);
	/* The SQL is assembled from these constant fragments only; every value is a parameter. */
	const struct {
		const char *value;
		const char *condition;
	} texts[] = {
		{q->actor_id, " AND actor_id = ?"},       {q->actor_login, " AND actor_login = ?"},
		{q->agency_id, " AND agency_id = ?"},     {q->record_type, " AND record_type = ?"},
		{q->record_id, " AND record_id = ?"},     {q->action, " AND action = ?"},
		{q->outcome, " AND outcome = ?"},
	};
	const struct {
		int64_t value;
		const char *condition;
	} numbers[] = {
		{q->from_ms, " AND at >= ?"},
		{q->to_ms, " AND at < ?"},
		{q->before_seq, " AND seq < ?"},
	};
	struct buf sql = {0};
	buf_puts(&sql, "SELECT " AUDIT_ENTRY_COLUMNS " FROM audit_log WHERE 1 = 1");
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		size_t len = texts[i].value ? strlen(texts[i].value) : 0;
		if (len > AUDIT_FIELD_MAX || !audit_utf8_valid((const unsigned char *)texts[i].value, len)) {
			buf_free(&sql);
			return audit_fail(DB_MISUSE, "audit_search: a filter is not UTF-8 or longer than %d bytes",
			                  AUDIT_FIELD_MAX);
		}
		if (texts[i].value)
			buf_puts(&sql, texts[i].condition);
	}
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
		if (numbers[i].value != 0)
			buf_puts(&sql, numbers[i].condition);
	buf_puts(&sql, " ORDER BY seq DESC LIMIT ?");

	db_stmt *stmt = NULL;
	enum db_status status = db_prepare(conn, sql.data, &stmt);
	buf_free(&sql);
	if (status != DB_OK)
		return audit_fail(status, "cannot search the processing log: %s", db_errmsg(conn));
	int index = 1;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (texts[i].value)
			db_bind_text(stmt, index++, texts[i].value, SIZE_MAX);
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
		if (numbers[i].value != 0)
			db_bind_int64(stmt, index++, numbers[i].value);
	db_bind_int64(stmt, index, limit);

	json_t *rows = json_array();
	json_t *o = NULL;
	struct audit_row row;
	while ((status = db_step(stmt)) == DB_ROW) {
		audit_row_read(stmt, &row);
		if (!(o = row_json(&row)))
			break;
		json_array_append_new(rows, o);
	}
	if (status == DB_DONE) {
		status = DB_OK;
		*rows_r = rows;
	} else {
		if (status == DB_ROW) /* a row that is not UTF-8: only a changed SQLite file holds one */
			status = audit_fail(DB_ERROR, "entry %" PRId64 " holds text that is not UTF-8; run kadam "
			                              "audit verify",
			                    row.seq);
		else
			audit_fail(status, "cannot search the processing log: %s", db_errmsg(conn));
		json_decref(rows);
	}
	db_finalize(&stmt);
	return status;
}
