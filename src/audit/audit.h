/*
 * audit.h — the processing log (S10, S11, S21): append-only, hash-chained,
 * checkpointed with signatures, verifiable, exportable.
 *
 * Every collection, alteration, consultation, disclosure, combination and
 * erasure of personal data, every authentication event and every denied
 * access is appended with audit_append() inside the transaction of the action
 * itself, so the action and its entry commit or roll back together: a failed
 * log write fails the action.
 *
 * ---- The chain -------------------------------------------------------------
 *
 * Entries are numbered seq = 1, 2, 3 ... without gaps. Each one stores
 * prev_hash (the hash of entry seq-1; 32 zero bytes before entry 1) and
 *
 *     hash = BLAKE2b-256(prev_hash as 32 raw bytes || canonical(entry))
 *
 * (unkeyed BLAKE2b with a 32-byte output, libsodium crypto_generichash).
 * Hashes are stored as 64 lowercase hex digits.
 *
 * canonical(entry) is the bytes
 *
 *     "kadam-audit-v1" 0x00
 *     field(seq) field(id) field(at) field(actor_id) field(actor_login)
 *     field(agency_id) field(action) field(record_type) field(record_id)
 *     field(purpose) field(justification) field(recipient) field(request_id)
 *     field(remote_addr) field(outcome) field(detail)
 *
 * where field(NULL) is the single byte 0x00 and field(text) is the byte 0x01,
 * the text's length in bytes as a 4-byte big-endian unsigned integer, then the
 * UTF-8 bytes themselves (so NULL and "" differ, and no value can run into the
 * next). seq and at (milliseconds since the epoch, UTC) are written as text in
 * decimal ASCII, with a '-' for a negative number and no leading zeros.
 *
 * audit_head holds the newest (seq, hash); every append locks it, so
 * concurrent writers on PostgreSQL queue on one row and the chain stays one
 * line (on SQLite the writer's BEGIN IMMEDIATE already serialises them).
 *
 * ---- Checkpoints -----------------------------------------------------------
 *
 * A checkpoint signs the head with Ed25519 (crypto_sign_detached) over
 *
 *     "kadam-audit-checkpoint-v1" 0x00 || seq as 8-byte big-endian || hash (32 raw bytes)
 *
 * and stores seq, hash, time, public key and signature. The secret key lives
 * in a file outside the database (see audit_key_generate), so someone who can
 * edit the database and recompute every hash still cannot re-sign: rewriting
 * or cutting the log before a checkpoint is found by audit_verify().
 *
 * ---- Vocabulary -------------------------------------------------------------
 *
 * action is one of the AUDIT_* constants below; anything else is refused.
 * outcome is "success", "failure" or "denied". For the six S10 actions
 * record_type is required; consult and disclose also need purpose and
 * justification, and disclose needs recipient. Every text is valid UTF-8 of
 * at most AUDIT_FIELD_MAX bytes. detail is for ids, counts and reasons, never
 * for the content of personal data: the entry of an erasure names what was
 * erased (record type and id), never what it held.
 *
 * Errors: functions return an enum db_status; DB_MISUSE means the call was
 * wrong (a bad entry, no open transaction). audit_errmsg() then says why
 * without repeating any value (values may be personal data).
 */
#ifndef KADAM_AUDIT_AUDIT_H
#define KADAM_AUDIT_AUDIT_H

#include <jansson.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

#define AUDIT_FIELD_MAX 2000  /* bytes per text field */
#define AUDIT_HASH_HEX_LEN 64 /* hex digits of a hash */

/* Personal data (S10). */
#define AUDIT_COLLECT "collect"
#define AUDIT_ALTER "alter"
#define AUDIT_CONSULT "consult"
#define AUDIT_DISCLOSE "disclose"
#define AUDIT_COMBINE "combine"
#define AUDIT_ERASE "erase"
/* Authentication (S21). */
#define AUDIT_AUTH_LOGIN "auth.login"
#define AUDIT_AUTH_LOGOUT "auth.logout"
#define AUDIT_AUTH_MFA "auth.mfa"
#define AUDIT_AUTH_MFA_ENROL "auth.mfa_enrol"
#define AUDIT_AUTH_RECOVERY_CODE "auth.recovery_code"
#define AUDIT_AUTH_PASSWORD_CHANGE "auth.password_change"
#define AUDIT_AUTH_SESSION_END "auth.session_end"
#define AUDIT_AUTH_LOCKOUT "auth.lockout"
/* Access decisions (S16, S17, S21). */
#define AUDIT_ACCESS_DENIED "access.denied"
#define AUDIT_ACCESS_BREAK_GLASS "access.break_glass"
/* Administration. */
#define AUDIT_TOKEN_CREATE "token.create"
#define AUDIT_TOKEN_REVOKE "token.revoke"
#define AUDIT_GRANT_CREATE "grant.create"
#define AUDIT_GRANT_REVOKE "grant.revoke"
#define AUDIT_ACCOUNT_CREATE "account.create"
#define AUDIT_ACCOUNT_UPDATE "account.update"
#define AUDIT_ACCOUNT_DISABLE "account.disable"
#define AUDIT_ACCOUNT_ENABLE "account.enable"

#define AUDIT_OUTCOME_SUCCESS "success"
#define AUDIT_OUTCOME_FAILURE "failure"
#define AUDIT_OUTCOME_DENIED "denied"

/*
 * One entry to append. The strings are the caller's and are only read during
 * the call. All may be NULL except action and outcome.
 */
struct audit_entry {
	const char *actor_id;      /* account id; NULL for the system or an unknown user */
	const char *actor_login;   /* login as typed (failed logins) or known */
	const char *agency_id;     /* the actor's organisation */
	const char *action;        /* AUDIT_* above; required */
	const char *record_type;   /* "person", "case", "account" ...; required for S10 actions */
	const char *record_id;     /* the record's id */
	const char *purpose;       /* consult, disclose: why (S10) */
	const char *justification; /* consult, disclose: on what basis (S10) */
	const char *recipient;     /* disclose: to whom (S10) */
	const char *request_id;    /* the HTTP request's X-Request-Id */
	const char *remote_addr;   /* the client's address */
	const char *outcome;       /* AUDIT_OUTCOME_*; required */
	const char *detail;        /* short reason or ids; never personal data content */
};

/*
 * Appends e to the log. Must run inside the caller's open transaction (else
 * DB_MISUSE): locks the head, numbers the entry head.seq + 1, chains and
 * inserts it, advances the head. On PostgreSQL a concurrent writer waits for
 * the head until this transaction ends, so keep the transaction short after
 * the append. Any failure, a refused entry included, also fails the caller's
 * transaction, so its commit fails too: the action cannot go unlogged.
 */
enum db_status audit_append(db *conn, const struct audit_entry *e);

/* Why the last failed audit_* call of this thread failed (static text; never NULL). */
const char *audit_errmsg(void);

/* True when action is in the vocabulary above. */
bool audit_action_known(const char *action);

/* ---- keys --------------------------------------------------------------- */

/*
 * The key file is text:
 *
 *     # kadam processing-log signing key (Ed25519) ...comment lines...
 *     public: <64 hex digits>
 *     seed: <64 hex digits>
 *
 * The seed is the 32-byte Ed25519 seed (crypto_sign_seed_keypair); the public
 * line lets a reader check the pair. The file is created with mode 0600 and
 * never overwritten; a key file readable by group or others is refused.
 */
/* public_key_r (may be NULL) gets the new public key. */
bool audit_key_generate(const char *path, unsigned char *public_key_r, char **error_r);
bool audit_key_load(const char *path, unsigned char secret_key_r[crypto_sign_SECRETKEYBYTES],
                    char **error_r);
/*
 * Reads a public key: a file whose first line that is not blank or a '#'
 * comment is 64 hex digits, or "public: " and 64 hex digits (so a key file
 * works too).
 */
bool audit_public_key_load(const char *path, unsigned char public_key_r[crypto_sign_PUBLICKEYBYTES],
                           char **error_r);

/* ---- checkpoints -------------------------------------------------------- */

/*
 * Signs the current head and stores the checkpoint. Before signing it checks
 * the entries after the last checkpoint (chain, hashes, head), so it never
 * signs a log that was changed since (DB_CONSTRAINT, audit_errmsg says where).
 * No-op when the log is empty or the head is already checkpointed. Runs in the
 * caller's transaction if one is open, else in its own. *seq_r (may be NULL)
 * gets the checkpointed seq, 0 if none was made.
 */
enum db_status audit_checkpoint(db *conn, const unsigned char secret_key[crypto_sign_SECRETKEYBYTES],
                                int64_t *seq_r);

/* ---- verification ------------------------------------------------------- */

enum audit_problem {
	AUDIT_INTACT = 0,         /* no problem found */
	AUDIT_MISSING,            /* a gap in seq: first_bad_seq is the missing entry */
	AUDIT_REORDERED,          /* prev_hash is not the previous entry's hash */
	AUDIT_CHANGED,            /* the entry's hash does not match its content */
	AUDIT_TRUNCATED,          /* entries after the last row were removed (head or checkpoint says so) */
	AUDIT_HEAD_MISMATCH,      /* audit_head does not describe the last entry */
	AUDIT_CHECKPOINT_MISMATCH, /* a checkpoint's hash differs from the entry it signed */
	AUDIT_BAD_SIGNATURE,      /* a checkpoint's signature does not verify */
	AUDIT_FOREIGN_KEY,        /* a checkpoint was signed by a key other than the one given */
};

/* What audit_verify found; filled by it. */
struct audit_verify_result {
	bool ok;                    /* the log is intact */
	enum audit_problem problem; /* the first problem found */
	int64_t entries;            /* entries checked */
	int64_t checkpoints;        /* checkpoints checked */
	int64_t first_bad_seq;      /* the entry the problem is at; 0 when ok */
	char message[512];          /* for a person: what is wrong and where */
};

/*
 * Walks the log in seq order in pages (constant memory) inside one read
 * snapshot, then the checkpoints, then the head, and stops at the first
 * problem. With public_key, every checkpoint must be signed by that key;
 * without it, signatures are checked against the key stored with each.
 * Returns DB_OK when the walk completed (r->ok says whether the log is
 * intact), or the database error that stopped it (r->message says which).
 */
enum db_status audit_verify(db *conn, const unsigned char *public_key, struct audit_verify_result *r);

/* ---- export and search -------------------------------------------------- */

/*
 * Appends the entries not yet in the file at path as JSON lines, one object
 * per entry: seq, id, at (RFC 3339), at_ms, the text fields (null when NULL),
 * prev_hash, hash. Resumes after the seq of the file's last line, which must
 * be an entry whose hash matches the log's (a missing or empty file starts at
 * entry 1). Checks the chain of what it exports and stops at a problem.
 * The file is created with mode 0600, locked while written, and fsynced.
 * *exported_r gets the number of lines written; on failure *error_r gets a
 * malloc'd message naming the file or the entry.
 */
enum db_status audit_export(db *conn, const char *path, int64_t *exported_r, char **error_r);

/* The longest export line audit_export reads back (every field at its limit, fully escaped). */
#define AUDIT_EXPORT_LINE_MAX (256 * 1024)

/* Filters of audit_search; NULL / 0 means "any". Strings are the caller's. */
struct audit_query {
	const char *actor_id;
	const char *actor_login;
	const char *agency_id;
	const char *record_type;
	const char *record_id;
	const char *action;
	const char *outcome;
	int64_t from_ms;    /* at >= from_ms; 0: no lower bound */
	int64_t to_ms;      /* at < to_ms; 0: no upper bound */
	int64_t before_seq; /* seq < before_seq, the cursor (last seq of the previous page); 0: newest */
	int limit;          /* 1..200; 0 means 50 */
};

/*
 * Newest first. *rows_r gets a new JSON array (the caller json_decref()s it)
 * of entry objects shaped like the export lines. DB_MISUSE for a bad limit or
 * a filter that is not UTF-8 or longer than AUDIT_FIELD_MAX.
 */
enum db_status audit_search(db *conn, const struct audit_query *q, json_t **rows_r);

#endif
