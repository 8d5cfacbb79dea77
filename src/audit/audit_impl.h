/*
 * audit_impl.h — what the files of src/audit/ share: reading an entry row,
 * the hash of the chain, and the walk that checks entries in seq order.
 * Nothing outside src/audit/ includes this.
 */
#ifndef KADAM_AUDIT_AUDIT_IMPL_H
#define KADAM_AUDIT_AUDIT_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/audit.h"

#define AUDIT_HASH_BYTES 32

/* The text fields of an entry in canonical order (after seq, id, at). */
enum audit_field {
	AF_ACTOR_ID,
	AF_ACTOR_LOGIN,
	AF_AGENCY_ID,
	AF_ACTION,
	AF_RECORD_TYPE,
	AF_RECORD_ID,
	AF_PURPOSE,
	AF_JUSTIFICATION,
	AF_RECIPIENT,
	AF_REQUEST_ID,
	AF_REMOTE_ADDR,
	AF_OUTCOME,
	AF_DETAIL,
	AF_COUNT,
};

/* Column names of the fields above, in the same order. */
extern const char *const audit_field_names[AF_COUNT];

/* The columns every entry query selects, in the order audit_row_read expects. */
#define AUDIT_ENTRY_COLUMNS                                                                         \
	"seq, id, at, actor_id, actor_login, agency_id, action, record_type, record_id, purpose, " \
	"justification, recipient, request_id, remote_addr, outcome, detail, prev_hash, hash"

/*
 * One entry as read from a statement. The pointers belong to the statement
 * and stay valid until its next step; NULL text means SQL NULL.
 */
struct audit_row {
	int64_t seq;
	int64_t at;
	const char *id;
	size_t id_len;
	const char *text[AF_COUNT];
	size_t len[AF_COUNT];
	const char *prev_hash; /* hex as stored */
	size_t prev_hash_len;
	const char *hash; /* hex as stored */
	size_t hash_len;
};

void audit_row_read(db_stmt *stmt, struct audit_row *row_r);

/* hash = BLAKE2b-256(prev || canonical(entry)); see audit.h. */
void audit_entry_hash(const unsigned char prev[AUDIT_HASH_BYTES], int64_t seq, const char *id,
                      size_t id_len, int64_t at, const char *const text[AF_COUNT],
                      const size_t len[AF_COUNT], unsigned char out[AUDIT_HASH_BYTES]);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void audit_hex(const unsigned char *bytes, size_t n, char *out);
/* Exactly 2n hex digits (either case) into n bytes. */
bool audit_unhex(const char *hex, size_t hex_len, unsigned char *bytes, size_t n);

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool audit_utf8_valid(const unsigned char *s, size_t len);

/* Records why a call failed, for audit_errmsg(); returns status. */
enum db_status audit_fail(enum db_status status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

bool audit_is_pg(db *conn);

/*
 * Opens a read-only snapshot unless a transaction is already open (then the
 * caller's is used); *own_r says whether audit_snapshot_end must close it.
 */
enum db_status audit_snapshot_begin(db *conn, bool *own_r);
void audit_snapshot_end(db *conn, bool own);

/* Where a walk is: the last entry that checked out. */
struct audit_walk {
	int64_t seq;                           /* 0 before entry 1 */
	unsigned char hash[AUDIT_HASH_BYTES];  /* its hash; zeros before entry 1 */
	char hash_hex[AUDIT_HASH_HEX_LEN + 1]; /* the same in hex */
	int64_t count;                         /* entries checked by this walk */
};

void audit_walk_start(struct audit_walk *w);

/* Called for each entry that checked out; a status other than DB_OK stops the walk with it. */
typedef enum db_status (*audit_row_fn)(void *ctx, const struct audit_row *row);

/*
 * Checks the entries after w->seq up to until_seq (inclusive) in seq order,
 * in pages: contiguous seq, prev_hash equal to the previous hash, hash equal
 * to the recomputed one. Stops at the first problem and describes it in *r
 * (r->ok false); r is otherwise untouched. Returns DB_OK when the walk ran
 * (whether or not it found a problem), else the database error or the
 * callback's status.
 */
enum db_status audit_walk(db *conn, struct audit_walk *w, int64_t until_seq,
                          struct audit_verify_result *r, audit_row_fn each, void *ctx);

/* Marks r as failed with a problem at seq and a message. */
void audit_result_problem(struct audit_verify_result *r, enum audit_problem problem, int64_t seq,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
