/*
 * fixstore.c — the fix store: an unindexed inbox for arrival, packed chunks
 * per device and UTC day for reading and retention (fixstore.h).
 *
 * ---- Why two tables --------------------------------------------------------
 *
 * Fixes from thousands of devices arrive interleaved. An index on (device,
 * time) makes every commit rewrite scattered index pages (SQLite: ~19,000
 * rows/s against ~330,000 without one), so arrival is an append to
 * em_fix_inbox, which has no index but its rowid. Compaction then moves the
 * inbox into em_fix_chunk, one row per run of a device's fixes within one UTC
 * day, keyed (device_num, first_at): a day's trail is one or a few rows of one
 * index range, and retention deletes whole rows by first_at.
 *
 * ---- Compaction ------------------------------------------------------------
 *
 * fixstore_compact claims inbox rows in slices of COMPACT_SLICE by seq with
 * DELETE ... RETURNING (on PostgreSQL a concurrent compaction blocks on the
 * same rows and then finds them gone, so no fix is moved twice; on SQLite the
 * write lock already serialises it; PostgreSQL also takes a transaction
 * advisory lock so two compactions never merge into the same chunk at once),
 * sorts each slice by device, time and seq, and for each device-day group
 * merges into the day's newest chunk when the group starts at or after that
 * chunk's first_at and the merged chunk stays within CHUNK_MAX fixes (so a
 * normal day is one row however often compaction runs); otherwise the group
 * becomes a new chunk keyed by its own first fix (merged into the chunk with
 * that key if one exists). A chunk never spans UTC days. Fixes of one device
 * with the same time are duplicates: compaction keeps the first of a group;
 * a read drops repeats across chunks and the inbox.
 *
 * The inbox is kept small (a read scans it): the em.compact job runs each
 * minute, and the ingest writer runs a pass itself, outside its batch
 * transaction, whenever it has appended about 100,000 rows since its last one.
 *
 * ---- Chunk format (version 1) ----------------------------------------------
 *
 * All integers are LEB128 varints; signed ones zigzag-encoded first.
 *
 *     u8      version = 1
 *     varint  n (fixes)
 *     n times:
 *       svarint at_ms - previous at_ms (the first: at_ms itself)
 *       svarint received_at - at_ms
 *       svarint lat_e7 - previous lat_e7   (lat in 1e-7 degrees, rounded; ~1 cm)
 *       svarint lon_e7 - previous lon_e7
 *       varint  present bits: 1 accuracy, 2 speed, 4 course, 8 altitude, 16 satellites,
 *               32 battery, 64 events, 128 flags
 *       then, for each bit set, in that order:
 *         svarint accuracy_m * 10, speed_kmh * 10, course_deg * 10, altitude_m * 10 (rounded)
 *         varint  satellites, battery_pct, events, flags
 *
 * Unknown doubles (NAN, infinite, or beyond 1e12) are absent; so are negative
 * satellites and battery. A typical fix takes 10-14 bytes (a row in the inbox
 * takes ~60). Read back, a fix has has_location and valid true, device "".
 */
#include "em/fixstore.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"

#define DAY_MS 86400000LL
#define COMPACT_SLICE 100000  /* inbox rows claimed per pass */
#define CHUNK_MAX 4096        /* fixes a chunk grows to by merging */
#define APPEND_COLUMNS 13

enum {
	P_ACCURACY = 1, P_SPEED = 2, P_COURSE = 4, P_ALTITUDE = 8, P_SATELLITES = 16, P_BATTERY = 32,
	P_EVENTS = 64, P_FLAGS = 128,
};

/* ---- packing ------------------------------------------------------------- */

static void put_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	do {
		unsigned char byte = v & 0x7f;
		v >>= 7;
		tmp[n++] = (unsigned char)(byte | (v ? 0x80 : 0));
	} while (v);
	buf_append(b, (const char *)tmp, n);
}

static void put_svarint(struct buf *b, int64_t v)
{
	put_varint(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

static bool get_varint(const unsigned char *p, size_t len, size_t *pos, uint64_t *v_r)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*pos >= len)
			return false;
		unsigned char byte = p[(*pos)++];
		v |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*v_r = v;
			return true;
		}
	}
	return false;
}

static bool get_svarint(const unsigned char *p, size_t len, size_t *pos, int64_t *v_r)
{
	uint64_t u;
	if (!get_varint(p, len, pos, &u))
		return false;
	*v_r = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return true;
}

static bool known(double x)
{
	return isfinite(x) && fabs(x) < 1e12;
}

static int64_t tenths(double x)
{
	return (int64_t)llround(x * 10.0);
}

static int64_t e7(double deg)
{
	return known(deg) ? (int64_t)llround(deg * 1e7) : 0;
}

size_t fixstore_pack(const struct stored_fix *fixes, size_t n, unsigned char **blob_r)
{
	struct buf b = {0};
	unsigned char version = 1;
	buf_append(&b, (const char *)&version, 1);
	put_varint(&b, n);
	int64_t at = 0, lat = 0, lon = 0;
	for (size_t i = 0; i < n; i++) {
		const struct em_fix *f = &fixes[i].fix;
		int64_t la = e7(f->lat), lo = e7(f->lon);
		put_svarint(&b, (int64_t)((uint64_t)f->at_ms - (uint64_t)at));
		put_svarint(&b, (int64_t)((uint64_t)fixes[i].received_at - (uint64_t)f->at_ms));
		put_svarint(&b, la - lat);
		put_svarint(&b, lo - lon);
		at = f->at_ms;
		lat = la;
		lon = lo;
		unsigned present = (known(f->accuracy_m) ? P_ACCURACY : 0) | (known(f->speed_kmh) ? P_SPEED : 0) |
		                   (known(f->course_deg) ? P_COURSE : 0) | (known(f->altitude_m) ? P_ALTITUDE : 0) |
		                   (f->satellites >= 0 ? P_SATELLITES : 0) | (f->battery_pct >= 0 ? P_BATTERY : 0) |
		                   (f->events ? P_EVENTS : 0) | (fixes[i].flags ? P_FLAGS : 0);
		put_varint(&b, present);
		if (present & P_ACCURACY)
			put_svarint(&b, tenths(f->accuracy_m));
		if (present & P_SPEED)
			put_svarint(&b, tenths(f->speed_kmh));
		if (present & P_COURSE)
			put_svarint(&b, tenths(f->course_deg));
		if (present & P_ALTITUDE)
			put_svarint(&b, tenths(f->altitude_m));
		if (present & P_SATELLITES)
			put_varint(&b, (uint64_t)f->satellites);
		if (present & P_BATTERY)
			put_varint(&b, (uint64_t)f->battery_pct);
		if (present & P_EVENTS)
			put_varint(&b, f->events);
		if (present & P_FLAGS)
			put_varint(&b, fixes[i].flags);
	}
	*blob_r = (unsigned char *)b.data;
	return b.len;
}

bool fixstore_unpack(const unsigned char *blob, size_t len, int64_t device_num, struct stored_fix **fixes_r,
                     size_t *n_r)
{
	*fixes_r = NULL;
	*n_r = 0;
	size_t pos = 1;
	uint64_t n;
	/* Each fix takes at least 5 bytes: a count beyond that is a corrupt blob, not an allocation to make. */
	if (!blob || len < 2 || blob[0] != 1 || !get_varint(blob, len, &pos, &n) || n > len / 5)
		return false;
	struct stored_fix *out = n ? xcalloc((size_t)n, sizeof *out) : NULL;
	int64_t at = 0, lat = 0, lon = 0;
	for (size_t i = 0; i < n; i++) {
		struct stored_fix *s = &out[i];
		em_fix_init(&s->fix);
		int64_t d_at, d_recv, d_lat, d_lon, v;
		uint64_t present, u;
		if (!get_svarint(blob, len, &pos, &d_at) || !get_svarint(blob, len, &pos, &d_recv) ||
		    !get_svarint(blob, len, &pos, &d_lat) || !get_svarint(blob, len, &pos, &d_lon) ||
		    !get_varint(blob, len, &pos, &present))
			goto bad;
		at = (int64_t)((uint64_t)at + (uint64_t)d_at);
		lat = (int64_t)((uint64_t)lat + (uint64_t)d_lat);
		lon = (int64_t)((uint64_t)lon + (uint64_t)d_lon);
		s->device_num = device_num;
		s->fix.at_ms = at;
		s->received_at = (int64_t)((uint64_t)at + (uint64_t)d_recv);
		s->fix.has_location = true;
		s->fix.valid = true;
		s->fix.lat = (double)lat / 1e7;
		s->fix.lon = (double)lon / 1e7;
		double *tens[] = {&s->fix.accuracy_m, &s->fix.speed_kmh, &s->fix.course_deg, &s->fix.altitude_m};
		for (int k = 0; k < 4; k++) {
			if (present & (1u << k)) {
				if (!get_svarint(blob, len, &pos, &v))
					goto bad;
				*tens[k] = (double)v / 10.0;
			}
		}
		if (present & P_SATELLITES) {
			if (!get_varint(blob, len, &pos, &u) || u > 1000)
				goto bad;
			s->fix.satellites = (int)u;
		}
		if (present & P_BATTERY) {
			if (!get_varint(blob, len, &pos, &u) || u > 1000)
				goto bad;
			s->fix.battery_pct = (int)u;
		}
		if (present & P_EVENTS) {
			if (!get_varint(blob, len, &pos, &u) || u > UINT32_MAX)
				goto bad;
			s->fix.events = (uint32_t)u;
		}
		if (present & P_FLAGS) {
			if (!get_varint(blob, len, &pos, &u) || u > UINT32_MAX)
				goto bad;
			s->flags = (uint32_t)u;
		}
	}
	if (pos != len)
		goto bad;
	*fixes_r = out;
	*n_r = (size_t)n;
	return true;
bad:
	free(out);
	return false;
}

/* ---- append -------------------------------------------------------------- */

static enum db_status bind_real(db_stmt *st, int index, double v)
{
	return isfinite(v) ? db_bind_double(st, index, v) : db_bind_null(st, index);
}

static enum db_status bind_count(db_stmt *st, int index, int v)
{
	return v >= 0 ? db_bind_int64(st, index, v) : db_bind_null(st, index);
}

/* One multi-row INSERT of exactly n rows (n one of the few sizes used, so the statement caches stay small). */
static enum db_status append_rows(db *conn, const struct stored_fix *rows, size_t n)
{
	struct buf sql = {0};
	buf_puts(&sql, "INSERT INTO em_fix_inbox (device_num, at, received_at, lat, lon, accuracy_m, speed_kmh,"
	               " course_deg, altitude_m, satellites, battery_pct, events, flags) VALUES ");
	for (size_t i = 0; i < n; i++)
		buf_puts(&sql, i ? ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn, sql.data, &st);
	buf_free(&sql);
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		const struct stored_fix *r = &rows[i];
		int k = (int)(i * APPEND_COLUMNS);
		if (db_bind_int64(st, k + 1, r->device_num) != DB_OK || db_bind_int64(st, k + 2, r->fix.at_ms) != DB_OK ||
		    db_bind_int64(st, k + 3, r->received_at) != DB_OK || db_bind_double(st, k + 4, r->fix.lat) != DB_OK ||
		    db_bind_double(st, k + 5, r->fix.lon) != DB_OK || bind_real(st, k + 6, r->fix.accuracy_m) != DB_OK ||
		    bind_real(st, k + 7, r->fix.speed_kmh) != DB_OK || bind_real(st, k + 8, r->fix.course_deg) != DB_OK ||
		    bind_real(st, k + 9, r->fix.altitude_m) != DB_OK || bind_count(st, k + 10, r->fix.satellites) != DB_OK ||
		    bind_count(st, k + 11, r->fix.battery_pct) != DB_OK ||
		    db_bind_int64(st, k + 12, (int64_t)r->fix.events) != DB_OK ||
		    db_bind_int64(st, k + 13, (int64_t)r->flags) != DB_OK)
			rc = DB_ERROR;
	}
	if (rc == DB_OK) {
		rc = db_step(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	db_finalize(&st);
	return rc;
}

enum db_status fixstore_append(db *conn, const struct stored_fix *rows, size_t n)
{
	static const size_t sizes[] = {256, 64, 16, 4, 1};
	size_t i = 0;
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		while (n - i >= sizes[s]) {
			enum db_status rc = append_rows(conn, rows + i, sizes[s]);
			if (rc != DB_OK)
				return rc;
			i += sizes[s];
		}
	}
	return DB_OK;
}

/* ---- reading a row of the inbox ------------------------------------------ */

#define INBOX_COLUMNS \
	"device_num, at, received_at, lat, lon, accuracy_m, speed_kmh, course_deg, altitude_m, satellites," \
	" battery_pct, events, flags"

static double column_real(db_stmt *st, int c)
{
	return db_column_type(st, c) == DB_TYPE_NULL ? NAN : db_column_double(st, c);
}

static int column_count_or_unknown(db_stmt *st, int c)
{
	return db_column_type(st, c) == DB_TYPE_NULL ? -1 : (int)db_column_int64(st, c);
}

static void inbox_row(db_stmt *st, struct stored_fix *s)
{
	memset(s, 0, sizeof *s);
	em_fix_init(&s->fix);
	s->device_num = db_column_int64(st, 0);
	s->fix.at_ms = db_column_int64(st, 1);
	s->received_at = db_column_int64(st, 2);
	s->fix.has_location = true;
	s->fix.valid = true;
	s->fix.lat = db_column_double(st, 3);
	s->fix.lon = db_column_double(st, 4);
	s->fix.accuracy_m = column_real(st, 5);
	s->fix.speed_kmh = column_real(st, 6);
	s->fix.course_deg = column_real(st, 7);
	s->fix.altitude_m = column_real(st, 8);
	s->fix.satellites = column_count_or_unknown(st, 9);
	s->fix.battery_pct = column_count_or_unknown(st, 10);
	s->fix.events = (uint32_t)db_column_int64(st, 11);
	s->flags = (uint32_t)db_column_int64(st, 12);
}

/* A growing array of fixes. */
struct fix_list {
	struct stored_fix *items;  /* owned */
	size_t n, cap;
};

static struct stored_fix *list_add(struct fix_list *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->items = xrealloc(l->items, l->cap * sizeof *l->items);
	}
	return &l->items[l->n++];
}

/* Sorting key: device, then time; the sort is stable, so of two fixes with the same key the one added first (a
 * chunk's before the inbox's) stays first. */
static int fix_cmp(const struct stored_fix *a, const struct stored_fix *b)
{
	if (a->device_num != b->device_num)
		return a->device_num < b->device_num ? -1 : 1;
	if (a->fix.at_ms != b->fix.at_ms)
		return a->fix.at_ms < b->fix.at_ms ? -1 : 1;
	return 0;
}

static void merge_sort(struct stored_fix *a, struct stored_fix *tmp, size_t n)
{
	if (n < 2)
		return;
	size_t h = n / 2;
	merge_sort(a, tmp, h);
	merge_sort(a + h, tmp, n - h);
	if (fix_cmp(&a[h - 1], &a[h]) <= 0)
		return;
	size_t i = 0, j = h, k = 0;
	while (i < h && j < n)
		tmp[k++] = fix_cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
	while (i < h)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof *a);
}

/* Stable sort by (device, time), then drops repeats of the same device and time (the first stays). */
static size_t sort_unique(struct stored_fix *a, size_t n)
{
	if (n < 2)
		return n;
	struct stored_fix *tmp = xmalloc(n * sizeof *tmp);
	merge_sort(a, tmp, n);
	free(tmp);
	size_t k = 1;
	for (size_t i = 1; i < n; i++)
		if (fix_cmp(&a[k - 1], &a[i]) != 0)
			a[k++] = a[i];
	return k;
}

static int64_t day_of(int64_t at)
{
	int64_t d = at / DAY_MS;
	if (at % DAY_MS < 0)
		d--;
	return d * DAY_MS;
}

/* ---- compaction ---------------------------------------------------------- */

static bool is_postgresql(db *conn)
{
	return (db_driver_of(conn)->flags & DB_DRIVER_FLAG_SKIP_LOCKED) != 0;
}

/* Writes a chunk row: an UPDATE of the row keyed (device_num, key_first) when exists, else an INSERT. */
static enum db_status chunk_write(db *conn, int64_t device_num, int64_t key_first, bool exists,
                                  const struct stored_fix *fixes, size_t n)
{
	unsigned char *blob = NULL;
	size_t len = fixstore_pack(fixes, n, &blob);
	db_stmt *st = NULL;
	enum db_status rc;
	if (exists) {
		rc = db_prepare(conn, "UPDATE em_fix_chunk SET last_at = ?, n = ?, fixes = ? WHERE device_num = ? AND first_at = ?",
		                &st);
		if (rc == DB_OK && (db_bind_int64(st, 1, fixes[n - 1].fix.at_ms) != DB_OK ||
		                    db_bind_int64(st, 2, (int64_t)n) != DB_OK || db_bind_blob(st, 3, blob, len) != DB_OK ||
		                    db_bind_int64(st, 4, device_num) != DB_OK || db_bind_int64(st, 5, key_first) != DB_OK))
			rc = DB_ERROR;
	} else {
		rc = db_prepare(conn, "INSERT INTO em_fix_chunk (device_num, first_at, last_at, n, fixes) VALUES (?, ?, ?, ?, ?)",
		                &st);
		if (rc == DB_OK && (db_bind_int64(st, 1, device_num) != DB_OK || db_bind_int64(st, 2, key_first) != DB_OK ||
		                    db_bind_int64(st, 3, fixes[n - 1].fix.at_ms) != DB_OK ||
		                    db_bind_int64(st, 4, (int64_t)n) != DB_OK || db_bind_blob(st, 5, blob, len) != DB_OK))
			rc = DB_ERROR;
	}
	if (rc == DB_OK) {
		rc = db_step(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	db_finalize(&st);
	free(blob);
	return rc;
}

/* Reads one chunk (the day's newest when exact is false, else the one keyed first_at) into *l (appended).
 * *found_r: whether there was one; *first_r its key; *n_r its count. */
static enum db_status chunk_load(db *conn, int64_t device_num, int64_t day, bool exact, int64_t first_at,
                                 struct fix_list *l, bool *found_r, int64_t *first_r, size_t *n_r)
{
	db_stmt *st = NULL;
	enum db_status rc = exact
		? db_query(conn, &st, "SELECT first_at, fixes FROM em_fix_chunk WHERE device_num = ? AND first_at = ?", "ii",
		           device_num, first_at)
		: db_query(conn, &st, "SELECT first_at, fixes FROM em_fix_chunk WHERE device_num = ? AND first_at >= ?"
		           " AND first_at < ? ORDER BY first_at DESC LIMIT 1", "iii", device_num, day, day + DAY_MS);
	*found_r = false;
	*n_r = 0;
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		size_t len = 0;
		const void *blob = db_column_blob(st, 1, &len);
		struct stored_fix *fixes = NULL;
		size_t n = 0;
		*first_r = db_column_int64(st, 0);
		if (!fixstore_unpack(blob, len, device_num, &fixes, &n)) {
			log_error("fix store: chunk (%lld, %lld) cannot be read", (long long)device_num, (long long)*first_r);
			rc = DB_ERROR;
		} else {
			for (size_t i = 0; i < n; i++)
				*list_add(l) = fixes[i];
			free(fixes);
			*found_r = true;
			*n_r = n;
			rc = DB_OK;
		}
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

/* Moves one device-day group (sorted, unique) into chunks. */
static enum db_status compact_group(db *conn, const struct stored_fix *g, size_t n)
{
	int64_t device_num = g[0].device_num, day = day_of(g[0].fix.at_ms);
	enum db_status rc = DB_OK;
	size_t done = 0;
	/* First, the day's newest chunk takes what it can when the group starts at or after it. */
	struct fix_list l = {0};
	bool found = false;
	int64_t first = 0;
	size_t had = 0;
	rc = chunk_load(conn, device_num, day, false, 0, &l, &found, &first, &had);
	if (rc == DB_OK && found && g[0].fix.at_ms >= first && had < CHUNK_MAX) {
		size_t take = n < CHUNK_MAX - had ? n : CHUNK_MAX - had;
		for (size_t i = 0; i < take; i++)
			*list_add(&l) = g[i];
		size_t m = sort_unique(l.items, l.n);
		rc = chunk_write(conn, device_num, first, true, l.items, m);
		done = take;
	}
	free(l.items);
	/* The rest: new chunks of at most CHUNK_MAX keyed by their first fix (merged into a chunk with that key). */
	while (rc == DB_OK && done < n) {
		size_t take = n - done < CHUNK_MAX ? n - done : CHUNK_MAX;
		struct fix_list c = {0};
		rc = chunk_load(conn, device_num, day, true, g[done].fix.at_ms, &c, &found, &first, &had);
		for (size_t i = 0; rc == DB_OK && i < take; i++)
			*list_add(&c) = g[done + i];
		if (rc == DB_OK) {
			size_t m = sort_unique(c.items, c.n);
			rc = chunk_write(conn, device_num, g[done].fix.at_ms, found, c.items, m);
		}
		free(c.items);
		done += take;
	}
	return rc;
}

enum db_status fixstore_compact(db *conn, long *moved_r)
{
	*moved_r = 0;
	enum db_status rc = DB_OK;
	if (is_postgresql(conn)) {
		/* Two compactions (the job on one server, the writer on another) must not merge into one chunk at once. */
		db_stmt *lock = NULL;
		rc = db_query(conn, &lock, "SELECT pg_advisory_xact_lock(7007001)", "");
		if (rc == DB_OK && db_step(lock) != DB_ROW)
			rc = DB_ERROR;
		db_finalize(&lock);
		if (rc != DB_OK)
			return rc;
	}
	db_stmt *st = NULL;
	rc = db_query(conn, &st, "SELECT MIN(seq), MAX(seq) FROM em_fix_inbox", "");
	if (rc != DB_OK)
		return rc;
	int64_t lo = 0, hi = 0;
	bool any = false;
	if ((rc = db_step(st)) == DB_ROW && db_column_type(st, 1) != DB_TYPE_NULL) {
		lo = db_column_int64(st, 0) - 1;
		hi = db_column_int64(st, 1);
		any = true;
	}
	rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	db_finalize(&st);
	while (rc == DB_OK && any && lo < hi) {
		int64_t top = hi - lo > COMPACT_SLICE ? lo + COMPACT_SLICE : hi;
		struct fix_list l = {0};
		rc = db_query(conn, &st, "DELETE FROM em_fix_inbox WHERE seq > ? AND seq <= ? RETURNING " INBOX_COLUMNS, "ii",
		              lo, top);
		while (rc == DB_OK) {
			enum db_status s = db_step(st);
			if (s == DB_ROW) {
				inbox_row(st, list_add(&l));
				continue;
			}
			rc = s == DB_DONE ? DB_OK : s;
			break;
		}
		db_finalize(&st);
		*moved_r += (long)l.n;
		size_t m = rc == DB_OK ? sort_unique(l.items, l.n) : 0;
		for (size_t i = 0; rc == DB_OK && i < m;) {
			size_t j = i + 1;
			int64_t day = day_of(l.items[i].fix.at_ms);
			while (j < m && l.items[j].device_num == l.items[i].device_num && day_of(l.items[j].fix.at_ms) == day)
				j++;
			rc = compact_group(conn, l.items + i, j - i);
			i = j;
		}
		free(l.items);
		lo = top;
	}
	return rc;
}

/* ---- reading ------------------------------------------------------------- */

enum db_status fixstore_read(db *conn, int64_t device_num, int64_t from, int64_t to, size_t max,
                             fixstore_each_fn each, void *ctx, size_t *count_r)
{
	*count_r = 0;
	if (to <= from)
		return DB_OK;
	struct fix_list l = {0};
	db_stmt *st = NULL;
	/* A chunk never spans a UTC day, so one that reaches from starts at most a day before it. */
	enum db_status rc = db_query(conn, &st,
		"SELECT first_at, fixes FROM em_fix_chunk WHERE device_num = ? AND first_at >= ? AND first_at < ?"
		" AND last_at >= ? ORDER BY first_at", "iiii", device_num, from - DAY_MS, to, from);
	while (rc == DB_OK) {
		enum db_status s = db_step(st);
		if (s != DB_ROW) {
			rc = s == DB_DONE ? DB_OK : s;
			break;
		}
		size_t len = 0, n = 0;
		const void *blob = db_column_blob(st, 1, &len);
		struct stored_fix *fixes = NULL;
		if (!fixstore_unpack(blob, len, device_num, &fixes, &n)) {
			log_error("fix store: chunk (%lld, %lld) cannot be read", (long long)device_num,
			          (long long)db_column_int64(st, 0));
			rc = DB_ERROR;
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (fixes[i].fix.at_ms >= from && fixes[i].fix.at_ms < to)
				*list_add(&l) = fixes[i];
		free(fixes);
	}
	db_finalize(&st);
	if (rc == DB_OK)
		rc = db_query(conn, &st, "SELECT " INBOX_COLUMNS " FROM em_fix_inbox WHERE device_num = ? AND at >= ? AND at < ?",
		              "iii", device_num, from, to);
	while (rc == DB_OK) {
		enum db_status s = db_step(st);
		if (s != DB_ROW) {
			rc = s == DB_DONE ? DB_OK : s;
			break;
		}
		inbox_row(st, list_add(&l));
	}
	db_finalize(&st);
	if (rc == DB_OK) {
		size_t n = sort_unique(l.items, l.n);
		for (size_t i = 0; i < n && (max == 0 || i < max); i++) {
			each(ctx, &l.items[i]);
			(*count_r)++;
		}
	}
	free(l.items);
	return rc;
}

/* ---- holds and retention ------------------------------------------------- */

enum db_status fixstore_hold(db *conn, int64_t device_num, int64_t from, int64_t to, const char *alert_id, int64_t now)
{
	if (to <= from)
		to = from + 1;
	enum db_status rc = DB_OK;
	for (int64_t day = day_of(from); rc == DB_OK && day < to; day += DAY_MS)
		rc = db_run(conn, NULL,
		            "INSERT INTO em_fix_hold (device_num, day_start, alert_id, held_at) VALUES (?, ?, ?, ?)"
		            " ON CONFLICT (device_num, day_start, alert_id) DO NOTHING",
		            "iiti", device_num, day, alert_id, now);
	return rc;
}

static enum db_status sum_of(db *conn, const char *sql, int64_t before, long *n_r)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, sql, "ii", before, before);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW)
		*n_r += (long)db_column_int64(st, 0);
	rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	db_finalize(&st);
	return rc;
}

/* The day a chunk or inbox row belongs to, in SQL (times are after 2000, so % is the floor). */
#define CHUNK_NOT_HELD \
	" NOT EXISTS (SELECT 1 FROM em_fix_hold h WHERE h.device_num = em_fix_chunk.device_num" \
	" AND h.day_start = em_fix_chunk.first_at - em_fix_chunk.first_at % 86400000)"
#define INBOX_NOT_HELD \
	" NOT EXISTS (SELECT 1 FROM em_fix_hold h WHERE h.device_num = em_fix_inbox.device_num" \
	" AND h.day_start = em_fix_inbox.at - em_fix_inbox.at % 86400000)"

enum db_status fixstore_erase_before(db *conn, int64_t before, long *erased_r)
{
	*erased_r = 0;
	/* first_at < before lets the index on first_at find the candidates; last_at < before decides. */
	enum db_status rc = sum_of(conn, "SELECT COALESCE(SUM(n), 0) FROM em_fix_chunk WHERE first_at < ? AND last_at < ?"
	                                 " AND" CHUNK_NOT_HELD, before, erased_r);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "DELETE FROM em_fix_chunk WHERE first_at < ? AND last_at < ? AND" CHUNK_NOT_HELD, "ii",
		            before, before);
	if (rc == DB_OK)
		rc = sum_of(conn, "SELECT COUNT(*) FROM em_fix_inbox WHERE at < ? AND at < ? AND" INBOX_NOT_HELD, before,
		            erased_r);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "DELETE FROM em_fix_inbox WHERE at < ? AND" INBOX_NOT_HELD, "i", before);
	return rc;
}
