/*
 * ingest.h — the path of every device message into Kadam: resolve the device,
 * drop duplicates, mark late fixes, append to the fix store in one
 * transaction per batch (group commit across every connection and request),
 * and only after that commit answer the device and hand the fixes to the
 * evaluator. One writer thread owns the writing connection.
 *
 *  HTTP handlers (batch API, OsmAnd) ─┐
 *  TCP listeners (GT06, Teltonika)  ──┼─▶ queue ─▶ writer: BEGIN; append; COMMIT ─▶ done callbacks (ack)
 *                                     ┘                                          └─▶ evaluator (alerts)
 */
#ifndef KADAM_EM_INGEST_H
#define KADAM_EM_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "em/fix.h"
#include "store/db.h"

struct ingest;

enum ingest_result {
	INGEST_STORED,          /* every fix durably stored (duplicates count as stored: the device may forget them) */
	INGEST_UNKNOWN_DEVICE,  /* the identifier is not in the inventory, or its device is retired: refused, logged
	                         * (a submission mixing devices: the known devices' fixes are still stored and counted) */
	INGEST_BAD,             /* a fix failed em_fix_check: nothing of the submission stored */
	INGEST_FAILED,          /* the database failed: nothing stored, the device should send again */
	INGEST_BUSY,            /* the queue is full: nothing stored, send again later */
};

/* Per submission counts, given to the done callback. */
struct ingest_outcome {
	enum ingest_result result;
	int stored;             /* new fixes appended */
	int duplicates;         /* already stored (same device and time): not appended again */
	int late;               /* stored, older than the device's newest: kept for the trail, not evaluated */
	char reason[160];       /* for INGEST_BAD / UNKNOWN / FAILED: what, in English */
};

/* Called once per submission on the writer thread, after the commit (or the refusal). Must not block. */
typedef void (*ingest_done_fn)(void *ctx, const struct ingest_outcome *outcome);

/*
 * Starts the writer thread with its own connection from pool (and the evaluator). NULL on failure (logged).
 * max_queue: fixes waiting at most (beyond it, INGEST_BUSY).
 */
struct ingest *ingest_start(db_pool *pool, size_t max_queue);
/* Writes what is queued, answers every waiter, stops the thread. */
void ingest_stop(struct ingest **ingest);

/*
 * Queues fixes of one message or batch (copied; identifiers in each fix->device; protocol names the source for the
 * unknown-device register and the log: "osmand", "gt06", "teltonika", "gateway"; peer is the sender's address or
 * NULL). done(ctx, outcome) follows on the writer thread. Returns false (done not called) when the queue is full.
 */
bool ingest_submit(struct ingest *ingest, const struct em_fix *fixes, size_t n, const char *protocol,
                   const char *peer, ingest_done_fn done, void *ctx);

/*
 * Queues ngroups submissions at once, under one lock and in one allocation: group k is fixes[first[k] ..
 * first[k] + count[k]) and is answered by done(ctxs[k]) like one ingest_submit. Takes ownership of fixes (malloc'd;
 * freed once the writer has answered every group, or at once on false). All or none: returns false (no done call)
 * when the queue has no room for them all. For a gateway's batch: one group per device.
 */
bool ingest_submit_groups(struct ingest *ingest, struct em_fix *fixes, const size_t *first, const size_t *count,
                          size_t ngroups, const char *protocol, const char *peer, ingest_done_fn done,
                          void *const *ctxs);

/* The same, waiting for the outcome (for HTTP handlers, which block anyway). */
void ingest_submit_wait(struct ingest *ingest, const struct em_fix *fixes, size_t n, const char *protocol,
                        const char *peer, struct ingest_outcome *outcome_r);

/* Tells the writer that devices, fittings, orders, zones or curfews changed (it reloads what it caches). */
void ingest_rules_changed(struct ingest *ingest);

/* Figures for /metrics and the benchmarks. */
struct ingest_stats {
	uint64_t submitted, stored, duplicates, late, refused, batches, alerts;
	size_t queued;
	uint64_t fix_to_alert_us_max;  /* since start: the slowest from submission to the alert's commit */
};
void ingest_stats(struct ingest *ingest, struct ingest_stats *stats_r);

/*
 * Latency figures since start, in microseconds (for the benchmarks and /metrics): commit — from a submission's
 * arrival to the commit that stored it; alert — for batches that raised an alert, from the arrival of the batch's
 * oldest submission to the evaluator's commit (an upper bound on fix-to-alert). Quantiles are read from a
 * log-scaled histogram (buckets 10% wide). Either pointer may be NULL.
 */
struct ingest_latency {
	uint64_t count, p50_us, p90_us, p99_us, max_us;
};
void ingest_latencies(struct ingest *ingest, struct ingest_latency *commit_r, struct ingest_latency *alert_r);

#endif
