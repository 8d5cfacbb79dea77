/*
 * fixstore.h — the fix store (S12, S24). Fixes are appended to em_fix_inbox
 * (no secondary index: one page at the table's end per batch) in the
 * writer's transaction, so a fix is durable before its device is answered.
 * The em.compact job moves the inbox into em_fix_chunk: per device, a run of
 * fixes within one UTC day packed into one row keyed (device_num, first_at),
 * so a day's trail is a short index range, and retention deletes whole
 * chunks by first_at. Runs on SQLite and PostgreSQL alike. No HTTP, no JSON.
 */
#ifndef KADAM_EM_FIXSTORE_H
#define KADAM_EM_FIXSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "em/fix.h"
#include "store/db.h"

/* A fix as stored: its device's number, the fix, when it arrived and its EM_FIX_* flags. */
struct stored_fix {
	int64_t device_num;
	int64_t received_at;
	uint32_t flags;
	struct em_fix fix;   /* fix.device is "" when read back */
};

/* Appends rows inside the caller's transaction (a multi-row INSERT per up to 256 rows). */
enum db_status fixstore_append(db *conn, const struct stored_fix *rows, size_t n);

/* Moves every inbox row with seq <= the newest at the call into chunks, in the caller's transaction. */
enum db_status fixstore_compact(db *conn, long *moved_r);

/* Calls each(ctx, fix) for a device's fixes with from <= at < to, in time order, from the chunks and the inbox
 * alike; stops after max (0: no limit). *count_r gets how many were given. */
typedef void (*fixstore_each_fn)(void *ctx, const struct stored_fix *fix);
enum db_status fixstore_read(db *conn, int64_t device_num, int64_t from, int64_t to, size_t max,
                             fixstore_each_fn each, void *ctx, size_t *count_r);

/* Holds the UTC days of a device that [from, to) touches past retention, for an alert's evidence. */
enum db_status fixstore_hold(db *conn, int64_t device_num, int64_t from, int64_t to, const char *alert_id, int64_t now);

/* Deletes chunks (and inbox rows) older than before, except held days; *erased_r counts fixes. */
enum db_status fixstore_erase_before(db *conn, int64_t before, long *erased_r);

/* Packing of a chunk (exposed for the unit tests and the benchmarks). */
size_t fixstore_pack(const struct stored_fix *fixes, size_t n, unsigned char **blob_r);
bool fixstore_unpack(const unsigned char *blob, size_t len, int64_t device_num, struct stored_fix **fixes_r,
                     size_t *n_r);

#endif
