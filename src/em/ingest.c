/*
 * ingest.c — the ingest writer (ingest.h): one thread, one connection, group
 * commit across every HTTP request and TCP connection.
 *
 * Submitters put a copy of their fixes on a bounded queue (a mutex and a
 * condition variable; at most max_queue fixes wait, beyond that a submission
 * is refused as busy). The writer takes everything queued, up to ~10,000 fixes
 * or once 5 ms have passed since the oldest waiting submission arrived, and:
 *
 *   1. checks each fix (em_fix_check; a bad fix fails its own submission only);
 *   2. resolves identifiers through its device cache (identifier -> id, num,
 *      status, newest fix time, a ring of recent fix times), reading em_device
 *      on a miss; unknown and retired identifiers are refused;
 *   3. drops duplicates (a time in the device's ring) and marks late fixes
 *      (older than the device's newest): stored for the trail, not evaluated;
 *   4. in ONE transaction appends the fixes to the inbox, updates em_device
 *      (last_seen_at, last_fix_at, battery_pct; one statement per 64 devices),
 *      upserts em_unknown_device and writes the processing log: one "collect"
 *      entry for the fixes stored and one "access.denied" entry for messages
 *      refused from unknown identifiers (actor: the system; counts only);
 *   5. commits (retrying a busy database twice), and only then answers each
 *      submitter (its done callback: the device's acknowledgement);
 *   6. hands the stored, in-order fixes and the event-only messages (which are
 *      not stored as fixes: the evaluator records them as em_device_event) to
 *      em_eval_batch, which raises alerts in its own transaction;
 *   7. when about 200,000 rows have been appended since its last compaction,
 *      runs a compaction pass in a transaction of its own (fixstore.c), so the
 *      inbox a trail read scans stays small between the job's runs.
 *
 * The cache is changed as fixes are classified; when a batch fails to commit
 * the whole cache is dropped and read again from em_device, which still holds
 * what was committed. ingest_rules_changed marks every entry stale: its status
 * and number are read again on its next fix, its ring and newest time kept.
 *
 * Latency: each submission carries its monotonic arrival time; the writer
 * keeps histograms of arrival -> commit and, for batches that raised an alert,
 * arrival of the batch's oldest submission -> the evaluator's commit.
 */
#include "em/ingest.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "em/evaluate.h"
#include "em/fixstore.h"

#define BATCH_FIXES 10000         /* the writer takes about this many fixes per transaction */
#define BATCH_WAIT_NS 5000000LL   /* ... or what has come 5 ms after the oldest waiting submission */
/* Inbox rows appended by the writer before it compacts itself. A pass costs a few statements per device-day it
 * touches whatever the number of fixes, so bigger passes cost less per fix: with 10,000 devices, 100,000 rows gave
 * each device ten fixes a pass; 200,000 halve that overhead, and an unindexed scan of 200,000 inbox rows (a trail
 * read's share) still takes ~10 ms (perf). */
#define COMPACT_AFTER 200000
#define RING 16                   /* recent fix times per device, for duplicates */
#define DEVICES_PER_UPDATE 64
/* em_device's last_seen_at, last_fix_at and battery_pct under load: a device's row is written at most once per
 * DEVICE_WRITE_MS, unless its battery changed or it was never written by this writer; a batch whose devices to
 * write number at most DEVICES_WRITE_ALL writes them all (so a lightly loaded server shows every message at once);
 * what is left is written by a later batch once its time has come, or when the queue runs empty (perf: updating
 * 10,000 em_device rows in every batch was a fifth of the writer's time with 10,000 devices reporting). After a
 * crash em_device may lag the inbox by that second: a fix sent again then is stored twice (reads and compaction
 * drop the repeat) and a fix older than the lost newest one is not marked late. */
#define DEVICE_WRITE_MS 1000
#define DEVICES_WRITE_ALL 512

/* Submissions queued together by ingest_submit_groups: one allocation for them and one array of fixes, freed by
 * the writer when it has answered the last of them (they may fall into different batches). */
struct group_block {
	struct em_fix *fixes;        /* owned */
	struct submission *subs;     /* owned array */
	size_t unfinished;           /* submissions not freed yet (the writer's alone once queued) */
};

/* One queued message or batch; owned by the queue, then by the writer until answered. */
struct submission {
	struct em_fix *fixes;        /* owned copy, or a part of block->fixes */
	struct group_block *block;   /* NULL, or the block this submission is part of (then not malloc'd itself) */
	size_t n;
	char protocol[16];
	char peer[64];
	ingest_done_fn done;
	void *ctx;
	int64_t arrived_ns;          /* clock_mono_ns at submission */
	struct ingest_outcome out;   /* filled by the writer */
	bool unknown;                /* a fix came from an unknown identifier */
	struct submission *next;
};

/* What the writer knows of one device between batches; owned by the cache. */
struct device_entry {
	char identifier[EM_ID_MAX + 1];
	char status[16];
	int64_t num;
	bool known;                  /* in the inventory and not retired */
	bool stale;                  /* re-read status and number on the next fix */
	int64_t newest_at;           /* newest fix time processed (INT64_MIN: none) */
	int64_t ring[RING];          /* recent fix times */
	int ring_len, ring_pos;
	uint64_t ev_ring[RING];      /* recent event-only messages: time and events mixed */
	int ev_len, ev_pos;
	uint64_t batch;              /* the batch that last touched it */
	bool fixed;                  /* this batch stored a fix of it */
	/* What em_device does not show yet (see DEVICE_WRITE_MS). */
	bool dirty;                  /* in ingest.dirty */
	bool fix_unwritten;          /* newest_at is newer than em_device.last_fix_at */
	int battery_unwritten;       /* the latest message's battery not written yet, -1 none */
	int battery_written;         /* the battery last written, -1 unknown */
	int64_t seen_at;             /* arrival (the writer's clock) of the latest message */
	int64_t written_at;          /* when its em_device row was last written, 0 never */
	struct device_entry *next;   /* hash chain */
};

/* A log-scaled histogram of microseconds: bucket i holds values below 1.1^(i+1). */
#define HIST_BUCKETS 220
struct histogram {
	uint64_t count, max_us;
	uint64_t buckets[HIST_BUCKETS];
};

struct unknown_msg {
	char identifier[EM_ID_MAX + 1];
	char protocol[16];
	char peer[64];
};

struct ingest {
	db_pool *pool;
	db *conn;                    /* the writer's connection, held from start to stop */
	struct em_eval *eval;        /* owned */
	pthread_t thread;
	pthread_mutex_t lock;        /* guards everything below up to the stats */
	pthread_cond_t wake;         /* the writer waits here for work */
	struct submission *head, *tail;
	size_t queued, max_queue;
	bool stopping;
	bool rules_changed;
	struct ingest_stats stats;
	struct histogram commit_hist, alert_hist;
	/* The writer's own (no lock). */
	struct device_entry **table;
	size_t table_size, entries;
	uint64_t batch_no;
	long inbox_rows;             /* appended since the last compaction (an upper bound) */
	struct device_entry **dirty; /* entries whose em_device row lags (entry->dirty) */
	size_t ndirty, capdirty;
};

/* ---- histograms ----------------------------------------------------------- */

static void hist_add(struct histogram *h, uint64_t us)
{
	int i = us < 1 ? 0 : (int)(log((double)us) / log(1.1));
	if (i >= HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	h->buckets[i]++;
	h->count++;
	if (us > h->max_us)
		h->max_us = us;
}

static uint64_t hist_quantile(const struct histogram *h, double q)
{
	if (!h->count)
		return 0;
	uint64_t want = (uint64_t)ceil(q * (double)h->count), seen = 0;
	for (int i = 0; i < HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen >= want) {
			uint64_t upper = (uint64_t)pow(1.1, i + 1);
			return upper < h->max_us ? upper : h->max_us;
		}
	}
	return h->max_us;
}

static void hist_figures(const struct histogram *h, struct ingest_latency *r)
{
	r->count = h->count;
	r->p50_us = hist_quantile(h, 0.50);
	r->p90_us = hist_quantile(h, 0.90);
	r->p99_us = hist_quantile(h, 0.99);
	r->max_us = h->max_us;
}

/* ---- the device cache ------------------------------------------------------ */

static uint64_t hash_of(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void cache_clear(struct ingest *in)
{
	for (size_t i = 0; i < in->table_size; i++) {
		struct device_entry *e = in->table[i];
		while (e) {
			struct device_entry *next = e->next;
			free(e);
			e = next;
		}
		in->table[i] = NULL;
	}
	in->entries = 0;
	in->ndirty = 0;
}

static void cache_grow(struct ingest *in)
{
	size_t size = in->table_size ? in->table_size * 2 : 1024;
	struct device_entry **table = xcalloc(size, sizeof *table);
	for (size_t i = 0; i < in->table_size; i++) {
		struct device_entry *e = in->table[i];
		while (e) {
			struct device_entry *next = e->next;
			size_t k = hash_of(e->identifier) & (size - 1);
			e->next = table[k];
			table[k] = e;
			e = next;
		}
	}
	free(in->table);
	in->table = table;
	in->table_size = size;
}

/* Reads the device's row into e (known false when there is none or it is retired). */
static enum db_status device_load(struct ingest *in, struct device_entry *e, bool first)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(in->conn, &st, "SELECT num, status, last_fix_at FROM em_device WHERE identifier = ?",
	                             "t", e->identifier);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	e->known = false;
	if (rc == DB_ROW) {
		int64_t num = db_column_int64(st, 0);
		const char *status = db_column_text(st, 1, NULL);
		snprintf(e->status, sizeof e->status, "%s", status ? status : "");
		e->known = strcmp(e->status, "retired") != 0;
		if (first || num != e->num) {
			/* A new entry, or the identifier now names another device: start from what is stored. */
			e->ring_len = e->ring_pos = e->ev_len = e->ev_pos = 0;
			e->newest_at = db_column_type(st, 2) == DB_TYPE_NULL ? INT64_MIN : db_column_int64(st, 2);
		}
		e->num = num;
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(&st);
	e->stale = false;
	return rc;
}

/* The entry of an identifier (read from em_device when missing or stale); NULL on a database error. */
static struct device_entry *device_get(struct ingest *in, const char *identifier)
{
	if (in->entries >= in->table_size)
		cache_grow(in);
	size_t k = hash_of(identifier) & (in->table_size - 1);
	struct device_entry *e = in->table[k];
	while (e && strcmp(e->identifier, identifier) != 0)
		e = e->next;
	bool first = !e;
	if (!e) {
		e = xcalloc(1, sizeof *e);
		snprintf(e->identifier, sizeof e->identifier, "%s", identifier);
		e->newest_at = INT64_MIN;
		e->battery_unwritten = e->battery_written = -1;
		e->stale = true;
		e->next = in->table[k];
		in->table[k] = e;
		in->entries++;
	}
	if (e->stale && device_load(in, e, first) != DB_OK) {
		e->stale = true;
		return NULL;
	}
	/* An unknown identifier is not kept: the inventory may gain it any moment. */
	if (!e->known && first) {
		in->table[k] = e->next;
		in->entries--;
		static struct device_entry unknown;
		memset(&unknown, 0, sizeof unknown);
		free(e);
		return &unknown;
	}
	return e;
}

static bool ring_has(const struct device_entry *e, int64_t at)
{
	for (int i = 0; i < e->ring_len; i++)
		if (e->ring[i] == at)
			return true;
	return false;
}

static void ring_add(struct device_entry *e, int64_t at)
{
	e->ring[e->ring_pos] = at;
	e->ring_pos = (e->ring_pos + 1) % RING;
	if (e->ring_len < RING)
		e->ring_len++;
}

static bool ev_ring_check_add(struct device_entry *e, int64_t at, uint32_t events)
{
	uint64_t key = ((uint64_t)at << 12) ^ events;
	for (int i = 0; i < e->ev_len; i++)
		if (e->ev_ring[i] == key)
			return true;
	e->ev_ring[e->ev_pos] = key;
	e->ev_pos = (e->ev_pos + 1) % RING;
	if (e->ev_len < RING)
		e->ev_len++;
	return false;
}

/* ---- one batch ------------------------------------------------------------- */

/* What the writer collects for one batch; freed after it. */
struct batch {
	struct stored_fix *rows;      /* to append */
	size_t nrows, caprows;
	struct stored_fix *eval;      /* to evaluate (not late, not duplicate; event-only messages too) */
	size_t neval, capeval;
	struct device_entry **touched; /* devices this batch had messages of */
	size_t ntouched, captouched;
	struct unknown_msg *unknown;  /* refused messages (one per submission and identifier) */
	size_t nunknown, capunknown;
	int64_t now;
};

static void batch_free(struct batch *b)
{
	free(b->rows);
	free(b->eval);
	free(b->touched);
	free(b->unknown);
	memset(b, 0, sizeof *b);
}

static struct stored_fix *push_fix(struct stored_fix **a, size_t *n, size_t *cap)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*a = xrealloc(*a, *cap * sizeof **a);
	}
	return &(*a)[(*n)++];
}

static void touch(struct ingest *in, struct batch *b, struct device_entry *e, int battery)
{
	if (e->batch != in->batch_no) {
		e->batch = in->batch_no;
		e->fixed = false;
		if (b->ntouched == b->captouched) {
			b->captouched = b->captouched ? b->captouched * 2 : 64;
			b->touched = xrealloc(b->touched, b->captouched * sizeof *b->touched);
		}
		b->touched[b->ntouched++] = e;
	}
	e->seen_at = b->now;
	if (battery >= 0)
		e->battery_unwritten = battery;
	if (!e->dirty) {
		e->dirty = true;
		if (in->ndirty == in->capdirty) {
			in->capdirty = in->capdirty ? in->capdirty * 2 : 1024;
			in->dirty = xrealloc(in->dirty, in->capdirty * sizeof *in->dirty);
		}
		in->dirty[in->ndirty++] = e;
	}
}

static void note_unknown(struct batch *b, const struct submission *s, const char *identifier)
{
	for (size_t i = 0; i < b->nunknown; i++)
		if (strcmp(b->unknown[i].identifier, identifier) == 0 && strcmp(b->unknown[i].protocol, s->protocol) == 0)
			return;
	if (b->nunknown == b->capunknown) {
		b->capunknown = b->capunknown ? b->capunknown * 2 : 8;
		b->unknown = xrealloc(b->unknown, b->capunknown * sizeof *b->unknown);
	}
	struct unknown_msg *u = &b->unknown[b->nunknown++];
	snprintf(u->identifier, sizeof u->identifier, "%s", identifier);
	snprintf(u->protocol, sizeof u->protocol, "%s", s->protocol);
	snprintf(u->peer, sizeof u->peer, "%s", s->peer);
}

/* Order of a submission's fixes: by identifier, then time, then position (a stable order). */
static const struct em_fix *sort_base;
static int index_cmp(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_base[i].device, sort_base[j].device);
	if (c)
		return c;
	if (sort_base[i].at_ms != sort_base[j].at_ms)
		return sort_base[i].at_ms < sort_base[j].at_ms ? -1 : 1;
	return i < j ? -1 : i > j;
}

/* Classifies one submission's fixes into the batch. False on a database error (reading em_device). */
static bool classify(struct ingest *in, struct batch *b, struct submission *s)
{
	s->out = (struct ingest_outcome){.result = INGEST_STORED};
	for (size_t i = 0; i < s->n; i++) {
		char reason[120];
		if (!em_fix_check(&s->fixes[i], b->now, reason, sizeof reason)) {
			s->out.result = INGEST_BAD;
			if (s->n > 1)
				snprintf(s->out.reason, sizeof s->out.reason, "fix %zu: %s", i, reason);
			else
				snprintf(s->out.reason, sizeof s->out.reason, "%s", reason);
			return true;
		}
	}
	size_t *order = xmalloc((s->n ? s->n : 1) * sizeof *order);
	for (size_t i = 0; i < s->n; i++)
		order[i] = i;
	if (s->n > 1) { /* most submissions are one device message */
		sort_base = s->fixes;
		qsort(order, s->n, sizeof *order, index_cmp);
	}
	bool ok = true;
	for (size_t k = 0; k < s->n && ok; k++) {
		const struct em_fix *f = &s->fixes[order[k]];
		struct device_entry *e = device_get(in, f->device);
		if (!e) {
			ok = false;
			break;
		}
		if (!e->known) {
			if (!s->unknown)
				snprintf(s->out.reason, sizeof s->out.reason, "unknown device: %s", f->device);
			s->unknown = true;
			note_unknown(b, s, f->device);
			continue;
		}
		touch(in, b, e, f->battery_pct);
		if (!f->has_location) {
			if (ev_ring_check_add(e, f->at_ms, f->events)) {
				s->out.duplicates++;
				continue;
			}
			struct stored_fix *v = push_fix(&b->eval, &b->neval, &b->capeval);
			*v = (struct stored_fix){.device_num = e->num, .received_at = b->now, .fix = *f};
			continue;
		}
		if (ring_has(e, f->at_ms)) {
			s->out.duplicates++;
			continue;
		}
		bool late = e->newest_at != INT64_MIN && f->at_ms < e->newest_at;
		ring_add(e, f->at_ms);
		if (!late) {
			e->newest_at = f->at_ms;
			e->fix_unwritten = true;
		}
		e->fixed = true;
		struct stored_fix *r = push_fix(&b->rows, &b->nrows, &b->caprows);
		*r = (struct stored_fix){.device_num = e->num, .received_at = b->now, .flags = late ? EM_FIX_LATE : 0,
		                         .fix = *f};
		s->out.stored++;
		if (late)
			s->out.late++;
		else
			*push_fix(&b->eval, &b->neval, &b->capeval) = *r;
	}
	free(order);
	if (ok && s->unknown)
		s->out.result = INGEST_UNKNOWN_DEVICE;
	return ok;
}

static int by_num(const void *a, const void *b)
{
	int64_t x = (*(struct device_entry *const *)a)->num, y = (*(struct device_entry *const *)b)->num;
	return x < y ? -1 : x > y;
}

/* Whether the entry's em_device row is to be written now (see DEVICE_WRITE_MS). */
static bool write_due(const struct device_entry *e, int64_t now, bool all)
{
	return all || e->written_at == 0 || now - e->written_at >= DEVICE_WRITE_MS || now < e->written_at ||
	       (e->battery_unwritten >= 0 && e->battery_unwritten != e->battery_written);
}

/*
 * em_device: last_seen_at, last_fix_at and battery_pct of the dirty devices that are due (all of them when all is
 * true or few are dirty), 64 to a statement, in the order of num (neighbouring rows share pages). The entries
 * written are collected into *written_r (malloc'd, *nwritten_r of them) for written_mark after the commit.
 */
static enum db_status devices_update(struct ingest *in, int64_t now, bool all, struct device_entry ***written_r,
                                     size_t *nwritten_r)
{
	*written_r = NULL;
	*nwritten_r = 0;
	if (!in->ndirty)
		return DB_OK;
	all = all || in->ndirty <= DEVICES_WRITE_ALL;
	struct device_entry **w = xmalloc(in->ndirty * sizeof *w);
	size_t nw = 0;
	for (size_t i = 0; i < in->ndirty; i++)
		if (write_due(in->dirty[i], now, all))
			w[nw++] = in->dirty[i];
	qsort(w, nw, sizeof *w, by_num);
	*written_r = w;
	*nwritten_r = nw;
	for (size_t i = 0; i < nw; i += DEVICES_PER_UPDATE) {
		size_t n = nw - i < DEVICES_PER_UPDATE ? nw - i : DEVICES_PER_UPDATE;
		struct buf sql = {0};
		buf_puts(&sql, "UPDATE em_device SET last_seen_at = v.column2,"
		               " last_fix_at = COALESCE(v.column3, em_device.last_fix_at),"
		               " battery_pct = COALESCE(v.column4, em_device.battery_pct) FROM (VALUES ");
		for (size_t k = 0; k < n; k++)
			buf_puts(&sql, k ? ", (CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))"
			                 : "(CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))");
		buf_puts(&sql, ") AS v WHERE em_device.num = v.column1");
		db_stmt *st = NULL;
		enum db_status rc = db_prepare(in->conn, sql.data, &st);
		buf_free(&sql);
		for (size_t k = 0; rc == DB_OK && k < n; k++) {
			const struct device_entry *e = w[i + k];
			int p = (int)k * 4;
			if (db_bind_int64(st, p + 1, e->num) != DB_OK || db_bind_int64(st, p + 2, e->seen_at) != DB_OK ||
			    (e->fix_unwritten ? db_bind_int64(st, p + 3, e->newest_at) : db_bind_null(st, p + 3)) != DB_OK ||
			    (e->battery_unwritten >= 0 ? db_bind_int64(st, p + 4, e->battery_unwritten)
			                               : db_bind_null(st, p + 4)) != DB_OK)
				rc = DB_ERROR;
		}
		if (rc == DB_OK) {
			rc = db_step(st);
			rc = rc == DB_DONE ? DB_OK : rc;
		}
		db_finalize(&st);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* After the commit of devices_update's rows: those entries are clean, the dirty list keeps the others. */
static void written_mark(struct ingest *in, struct device_entry **w, size_t nw, int64_t now)
{
	for (size_t i = 0; i < nw; i++) {
		struct device_entry *e = w[i];
		e->written_at = now;
		e->fix_unwritten = false;
		if (e->battery_unwritten >= 0)
			e->battery_written = e->battery_unwritten;
		e->battery_unwritten = -1;
		e->dirty = false;
	}
	size_t k = 0;
	for (size_t i = 0; i < in->ndirty; i++)
		if (in->dirty[i]->dirty)
			in->dirty[k++] = in->dirty[i];
	in->ndirty = k;
}

/* Writes every lagging em_device row in a transaction of its own (the queue ran empty, or the rules changed). */
static void devices_flush(struct ingest *in)
{
	if (!in->ndirty)
		return;
	int64_t now = clock_now_ms();
	struct device_entry **w = NULL;
	size_t nw = 0;
	enum db_status rc = db_begin(in->conn);
	if (rc == DB_OK)
		rc = devices_update(in, now, true, &w, &nw);
	if (rc == DB_OK)
		rc = db_commit(in->conn);
	if (rc == DB_OK) {
		written_mark(in, w, nw, now);
	} else {
		log_error("ingest: updating em_device failed: %s", db_errmsg(in->conn));
		if (db_in_transaction(in->conn))
			db_rollback(in->conn);
	}
	free(w);
}

static enum db_status unknown_record(struct ingest *in, const struct batch *b)
{
	for (size_t i = 0; i < b->nunknown; i++) {
		const struct unknown_msg *u = &b->unknown[i];
		enum db_status rc = db_run(in->conn, NULL,
			"INSERT INTO em_unknown_device (identifier, protocol, first_seen_at, last_seen_at, messages, last_address)"
			" VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (identifier, protocol) DO UPDATE SET"
			" last_seen_at = excluded.last_seen_at, messages = em_unknown_device.messages + 1,"
			" last_address = excluded.last_address",
			"ttiit", u->identifier, u->protocol, b->now, b->now, u->peer[0] ? u->peer : NULL);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* The processing log of a batch: what was collected and what was refused (counts, never positions). */
static enum db_status batch_audit(struct ingest *in, const struct batch *b)
{
	char detail[160];
	if (b->nrows) {
		size_t devices = 0;
		for (size_t i = 0; i < b->ntouched; i++)
			devices += b->touched[i]->fixed;
		snprintf(detail, sizeof detail, "{\"fixes\":%zu,\"devices\":%zu}", b->nrows, devices);
		struct audit_entry e = {.action = AUDIT_COLLECT, .record_type = "em_fix", .outcome = AUDIT_OUTCOME_SUCCESS,
		                        .detail = detail};
		enum db_status rc = audit_append(in->conn, &e);
		if (rc != DB_OK)
			return rc;
	}
	if (b->nunknown) {
		snprintf(detail, sizeof detail, "{\"reason\":\"unknown_device\",\"identifiers\":%zu}", b->nunknown);
		struct audit_entry e = {.action = AUDIT_ACCESS_DENIED, .record_type = "em_device",
		                        .outcome = AUDIT_OUTCOME_DENIED, .detail = detail,
		                        .remote_addr = b->unknown[0].peer[0] ? b->unknown[0].peer : NULL};
		return audit_append(in->conn, &e);
	}
	return DB_OK;
}

static enum db_status batch_write(struct ingest *in, const struct batch *b)
{
	enum db_status rc = DB_OK;
	for (int attempt = 0; attempt < 3; attempt++) {
		struct device_entry **w = NULL;
		size_t nw = 0;
		rc = db_begin(in->conn);
		if (rc == DB_OK)
			rc = fixstore_append(in->conn, b->rows, b->nrows);
		if (rc == DB_OK)
			rc = devices_update(in, b->now, false, &w, &nw);
		if (rc == DB_OK)
			rc = unknown_record(in, b);
		if (rc == DB_OK)
			rc = batch_audit(in, b);
		if (rc == DB_OK)
			rc = db_commit(in->conn);
		if (rc == DB_OK)
			written_mark(in, w, nw, b->now);
		free(w);
		if (rc == DB_OK)
			return DB_OK;
		log_error("ingest: writing a batch of %zu fixes failed (attempt %d): %s", b->nrows, attempt + 1,
		          db_errmsg(in->conn));
		if (db_in_transaction(in->conn))
			db_rollback(in->conn);
		if (rc != DB_BUSY)
			break;
	}
	return rc;
}

static void compact_now(struct ingest *in)
{
	long moved = 0;
	enum db_status rc = db_begin(in->conn);
	if (rc == DB_OK)
		rc = fixstore_compact(in->conn, &moved);
	if (rc == DB_OK)
		rc = db_commit(in->conn);
	if (rc != DB_OK) {
		log_error("ingest: compacting the fix inbox failed: %s", db_errmsg(in->conn));
		if (db_in_transaction(in->conn))
			db_rollback(in->conn);
		return;
	}
	in->inbox_rows = 0;
}

static void process(struct ingest *in, struct submission *list)
{
	struct batch b = {.now = clock_now_ms()};
	in->batch_no++;
	pthread_mutex_lock(&in->lock);
	bool changed = in->rules_changed;
	in->rules_changed = false;
	pthread_mutex_unlock(&in->lock);
	if (changed) {
		/* What em_device lags is written first: an entry may now name another device. */
		devices_flush(in);
		for (size_t i = 0; i < in->table_size; i++)
			for (struct device_entry *e = in->table[i]; e; e = e->next)
				e->stale = true;
		em_eval_invalidate(in->eval);
	}
	bool ok = true;
	int64_t oldest_ns = INT64_MAX;
	for (struct submission *s = list; s; s = s->next) {
		if (s->arrived_ns < oldest_ns)
			oldest_ns = s->arrived_ns;
		if (ok && !classify(in, &b, s))
			ok = false;
	}
	enum db_status rc = DB_ERROR;
	if (ok && (b.nrows || b.ntouched || b.nunknown))
		rc = batch_write(in, &b);
	else if (ok)
		rc = DB_OK;
	if (rc != DB_OK) {
		if (ok)
			log_error("ingest: a batch was not stored");
		else
			log_error("ingest: reading the device inventory failed: %s", db_errmsg(in->conn));
		cache_clear(in);
	}
	int64_t committed_ns = clock_mono_ns();
	struct ingest_stats add = {.batches = 1};
	for (struct submission *s = list; s; s = s->next) {
		if (rc != DB_OK && s->out.result != INGEST_BAD) {
			s->out = (struct ingest_outcome){.result = INGEST_FAILED};
			snprintf(s->out.reason, sizeof s->out.reason, "the database is not available; send again");
		}
		add.submitted += s->n;
		add.stored += (uint64_t)s->out.stored;
		add.duplicates += (uint64_t)s->out.duplicates;
		add.late += (uint64_t)s->out.late;
		if (s->out.result == INGEST_UNKNOWN_DEVICE || s->out.result == INGEST_BAD)
			add.refused += s->n - (size_t)s->out.stored - (size_t)s->out.duplicates;
	}
	pthread_mutex_lock(&in->lock);
	in->stats.submitted += add.submitted;
	in->stats.stored += add.stored;
	in->stats.duplicates += add.duplicates;
	in->stats.late += add.late;
	in->stats.refused += add.refused;
	in->stats.batches++;
	for (struct submission *s = list; s; s = s->next)
		if (s->out.result == INGEST_STORED)
			hist_add(&in->commit_hist, (uint64_t)(committed_ns - s->arrived_ns) / 1000);
	pthread_mutex_unlock(&in->lock);
	/* Answer only now: everything acknowledged is committed. */
	for (struct submission *s = list; s; s = s->next)
		if (s->done)
			s->done(s->ctx, &s->out);
	if (rc == DB_OK && b.neval) {
		long raised = 0;
		enum db_status erc = em_eval_batch(in->eval, in->conn, b.eval, b.neval, b.now, &raised);
		if (erc != DB_OK) {
			log_error("ingest: evaluating a batch of %zu fixes failed: %s", b.neval, db_errmsg(in->conn));
			if (db_in_transaction(in->conn))
				db_rollback(in->conn);
		}
		if (raised > 0) {
			uint64_t us = (uint64_t)(clock_mono_ns() - oldest_ns) / 1000;
			pthread_mutex_lock(&in->lock);
			in->stats.alerts += (uint64_t)raised;
			hist_add(&in->alert_hist, us);
			if (us > in->stats.fix_to_alert_us_max)
				in->stats.fix_to_alert_us_max = us;
			pthread_mutex_unlock(&in->lock);
		}
	}
	if (rc == DB_OK) {
		in->inbox_rows += (long)b.nrows;
		if (in->inbox_rows > COMPACT_AFTER)
			compact_now(in);
	}
	batch_free(&b);
}

/* ---- the thread ------------------------------------------------------------ */

static void free_list(struct submission *s)
{
	while (s) {
		struct submission *next = s->next;
		if (s->block) {
			struct group_block *b = s->block;
			if (--b->unfinished == 0) {
				free(b->fixes);
				free(b->subs);
				free(b);
			}
		} else {
			free(s->fixes);
			free(s);
		}
		s = next;
	}
}

static void *writer_main(void *arg)
{
	struct ingest *in = arg;
	pthread_mutex_lock(&in->lock);
	for (;;) {
		while (!in->head && !in->stopping)
			pthread_cond_wait(&in->wake, &in->lock);
		if (!in->head && in->stopping)
			break;
		/* Group commit: wait for more until the batch is full or its oldest submission has waited 5 ms. */
		while (!in->stopping && in->queued < BATCH_FIXES) {
			int64_t due = in->head->arrived_ns + BATCH_WAIT_NS, now = clock_mono_ns();
			if (now >= due)
				break;
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			int64_t ns = until.tv_nsec + (due - now);
			until.tv_sec += (time_t)(ns / 1000000000);
			until.tv_nsec = (long)(ns % 1000000000);
			pthread_cond_timedwait(&in->wake, &in->lock, &until);
		}
		struct submission *list = in->head, *last = list;
		size_t taken = list->n;
		while (last->next && taken + last->next->n <= BATCH_FIXES) {
			last = last->next;
			taken += last->n;
		}
		in->head = last->next;
		if (!in->head)
			in->tail = NULL;
		last->next = NULL;
		in->queued -= taken;
		in->stats.queued = in->queued;
		pthread_mutex_unlock(&in->lock);
		process(in, list);
		free_list(list);
		pthread_mutex_lock(&in->lock);
		if (!in->head && in->ndirty && !in->stopping) {
			/* em_device catches up once nothing has come for DEVICE_WRITE_MS (not at every empty moment: under
			 * load the queue is empty between requests, and flushing then undid the throttle). */
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			int64_t ns = until.tv_nsec + DEVICE_WRITE_MS * 1000000LL;
			until.tv_sec += (time_t)(ns / 1000000000);
			until.tv_nsec = (long)(ns % 1000000000);
			while (!in->head && !in->stopping &&
			       pthread_cond_timedwait(&in->wake, &in->lock, &until) == 0)
				;
			if (!in->head) {
				pthread_mutex_unlock(&in->lock);
				devices_flush(in);
				pthread_mutex_lock(&in->lock);
			}
		}
	}
	pthread_mutex_unlock(&in->lock);
	devices_flush(in);
	return NULL;
}

struct ingest *ingest_start(db_pool *pool, size_t max_queue)
{
	struct ingest *in = xcalloc(1, sizeof *in);
	in->pool = pool;
	in->max_queue = max_queue ? max_queue : 200000;
	if (db_pool_acquire(pool, 10000, &in->conn) != DB_OK) {
		log_error("ingest: no database connection for the writer");
		free(in);
		return NULL;
	}
	db_stmt *st = NULL;
	if (db_query(in->conn, &st, "SELECT COUNT(*) FROM em_fix_inbox", "") == DB_OK && db_step(st) == DB_ROW)
		in->inbox_rows = (long)db_column_int64(st, 0);
	db_finalize(&st);
	cache_grow(in);
	in->eval = em_eval_new();
	pthread_mutex_init(&in->lock, NULL);
	pthread_cond_init(&in->wake, NULL);
	if (!in->eval || pthread_create(&in->thread, NULL, writer_main, in) != 0) {
		log_error("ingest: the writer thread could not start");
		pthread_cond_destroy(&in->wake);
		pthread_mutex_destroy(&in->lock);
		em_eval_free(&in->eval);
		db_pool_release(pool, &in->conn);
		free(in->table);
		free(in);
		return NULL;
	}
	return in;
}

void ingest_stop(struct ingest **ingest)
{
	struct ingest *in = *ingest;
	if (!in)
		return;
	pthread_mutex_lock(&in->lock);
	in->stopping = true;
	pthread_cond_broadcast(&in->wake);
	pthread_mutex_unlock(&in->lock);
	pthread_join(in->thread, NULL);
	cache_clear(in);
	free(in->table);
	free(in->dirty);
	em_eval_free(&in->eval);
	db_pool_release(in->pool, &in->conn);
	pthread_cond_destroy(&in->wake);
	pthread_mutex_destroy(&in->lock);
	free(in);
	*ingest = NULL;
}

bool ingest_submit(struct ingest *ingest, const struct em_fix *fixes, size_t n, const char *protocol,
                   const char *peer, ingest_done_fn done, void *ctx)
{
	if (!ingest)
		return false;
	struct submission *s = xcalloc(1, sizeof *s);
	s->fixes = xmalloc((n ? n : 1) * sizeof *s->fixes);
	if (n)
		memcpy(s->fixes, fixes, n * sizeof *fixes);
	for (size_t i = 0; i < n; i++)
		s->fixes[i].device[EM_ID_MAX] = '\0';
	s->n = n;
	snprintf(s->protocol, sizeof s->protocol, "%s", protocol ? protocol : "");
	snprintf(s->peer, sizeof s->peer, "%s", peer ? peer : "");
	s->done = done;
	s->ctx = ctx;
	s->arrived_ns = clock_mono_ns();
	pthread_mutex_lock(&ingest->lock);
	/* A submission larger than the whole queue still goes in when the queue is empty. */
	if (ingest->stopping || (ingest->queued && ingest->queued + n > ingest->max_queue)) {
		pthread_mutex_unlock(&ingest->lock);
		free(s->fixes);
		free(s);
		return false;
	}
	bool was_empty = !ingest->head;
	size_t before = ingest->queued;
	if (ingest->tail)
		ingest->tail->next = s;
	else
		ingest->head = s;
	ingest->tail = s;
	ingest->queued += n;
	ingest->stats.queued = ingest->queued;
	/* The writer waits for a first submission, then for a full batch or the end of the window: only those two
	 * moments wake it (perf: a signal per device message woke it thousands of times per batch). */
	if (was_empty || (before < BATCH_FIXES && ingest->queued >= BATCH_FIXES))
		pthread_cond_signal(&ingest->wake);
	pthread_mutex_unlock(&ingest->lock);
	return true;
}

bool ingest_submit_groups(struct ingest *ingest, struct em_fix *fixes, const size_t *first, const size_t *count,
                          size_t ngroups, const char *protocol, const char *peer, ingest_done_fn done,
                          void *const *ctxs)
{
	if (!ingest || ngroups == 0) {
		free(fixes);
		return false;
	}
	struct group_block *b = xmalloc(sizeof *b);
	b->fixes = fixes;
	b->subs = xcalloc(ngroups, sizeof *b->subs);
	b->unfinished = ngroups;
	int64_t arrived = clock_mono_ns();
	size_t total = 0;
	for (size_t k = 0; k < ngroups; k++) {
		struct submission *s = &b->subs[k];
		s->fixes = fixes + first[k];
		s->n = count[k];
		for (size_t i = 0; i < s->n; i++)
			s->fixes[i].device[EM_ID_MAX] = '\0';
		s->block = b;
		snprintf(s->protocol, sizeof s->protocol, "%s", protocol ? protocol : "");
		snprintf(s->peer, sizeof s->peer, "%s", peer ? peer : "");
		s->done = done;
		s->ctx = ctxs[k];
		s->arrived_ns = arrived;
		s->next = k + 1 < ngroups ? &b->subs[k + 1] : NULL;
		total += s->n;
	}
	pthread_mutex_lock(&ingest->lock);
	if (ingest->stopping || (ingest->queued && ingest->queued + total > ingest->max_queue)) {
		pthread_mutex_unlock(&ingest->lock);
		free(b->subs);
		free(b);
		free(fixes);
		return false;
	}
	bool was_empty = !ingest->head;
	size_t before = ingest->queued;
	if (ingest->tail)
		ingest->tail->next = &b->subs[0];
	else
		ingest->head = &b->subs[0];
	ingest->tail = &b->subs[ngroups - 1];
	ingest->queued += total;
	ingest->stats.queued = ingest->queued;
	if (was_empty || (before < BATCH_FIXES && ingest->queued >= BATCH_FIXES))
		pthread_cond_signal(&ingest->wake);
	pthread_mutex_unlock(&ingest->lock);
	return true;
}

/* A submitter waiting on its own stack for the outcome. */
struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t done;
	bool finished;
	struct ingest_outcome *out;
};

static void waiter_done(void *ctx, const struct ingest_outcome *outcome)
{
	struct waiter *w = ctx;
	pthread_mutex_lock(&w->lock);
	*w->out = *outcome;
	w->finished = true;
	pthread_cond_signal(&w->done);
	pthread_mutex_unlock(&w->lock);
}

void ingest_submit_wait(struct ingest *ingest, const struct em_fix *fixes, size_t n, const char *protocol,
                        const char *peer, struct ingest_outcome *outcome_r)
{
	memset(outcome_r, 0, sizeof *outcome_r);
	struct waiter w = {.out = outcome_r};
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.done, NULL);
	if (!ingest_submit(ingest, fixes, n, protocol, peer, waiter_done, &w)) {
		outcome_r->result = INGEST_BUSY;
		snprintf(outcome_r->reason, sizeof outcome_r->reason, "the ingest queue is full; send again later");
	} else {
		pthread_mutex_lock(&w.lock);
		while (!w.finished)
			pthread_cond_wait(&w.done, &w.lock);
		pthread_mutex_unlock(&w.lock);
	}
	pthread_cond_destroy(&w.done);
	pthread_mutex_destroy(&w.lock);
}

void ingest_rules_changed(struct ingest *ingest)
{
	if (!ingest)
		return;
	pthread_mutex_lock(&ingest->lock);
	ingest->rules_changed = true;
	pthread_mutex_unlock(&ingest->lock);
}

void ingest_stats(struct ingest *ingest, struct ingest_stats *stats_r)
{
	memset(stats_r, 0, sizeof *stats_r);
	if (!ingest)
		return;
	pthread_mutex_lock(&ingest->lock);
	*stats_r = ingest->stats;
	pthread_mutex_unlock(&ingest->lock);
}

void ingest_latencies(struct ingest *ingest, struct ingest_latency *commit_r, struct ingest_latency *alert_r)
{
	struct ingest_latency none = {0};
	if (commit_r)
		*commit_r = none;
	if (alert_r)
		*alert_r = none;
	if (!ingest)
		return;
	pthread_mutex_lock(&ingest->lock);
	if (commit_r)
		hist_figures(&ingest->commit_hist, commit_r);
	if (alert_r)
		hist_figures(&ingest->alert_hist, alert_r);
	pthread_mutex_unlock(&ingest->lock);
}
