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
 * fixstore_compact claims inbox rows in slices of COMPACT_SLICE by seq: with
 * DELETE ... RETURNING on PostgreSQL (a concurrent compaction blocks on the
 * same rows and then finds them gone, so no fix is moved twice; a transaction
 * advisory lock also keeps two compactions from merging into one chunk at
 * once), and on SQLite with a SELECT and a DELETE of the same seq range (the
 * write lock serialises it; SQLite's RETURNING cost three times as much).
 * It sorts each slice by device, time and seq, and for each device-day group
 * merges into the day's newest chunk when the group starts at or after that
 * chunk's first_at and the merged chunk stays within CHUNK_MAX fixes (so a
 * day is a few rows however often compaction runs; when the group starts
 * after the chunk's last fix, its packed records are added to the chunk's
 * bytes without unpacking them); otherwise the group
 * becomes a new chunk keyed by its own first fix (merged into the chunk with
 * that key if one exists). A chunk never spans UTC days. Fixes of one device
 * with the same time are duplicates: compaction keeps the first of a group;
 * a read drops repeats across chunks and the inbox.
 *
 * The inbox is kept small (a read scans it): the em.compact job runs each
 * minute, and the ingest writer runs a pass itself, outside its batch
 * transaction, whenever it has appended about 200,000 rows since its last one
 * (src/em/ingest.c, COMPACT_AFTER).
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
#define COMPACT_SLICE 200000  /* inbox rows claimed per slice (~60 MB while sorted); as many as the writer appends
                                 * between its passes, so one pass groups every fix of a device (perf) */
/* Fixes a chunk grows to by merging. Small, because every merge rewrites the whole row (and walks its records to
 * continue the deltas): 256 fixes are ~3 KB, a page or so; a device reporting every 10 s fills ~34 a day, still one
 * short index range to read (perf: at 4,096 a busy day's merges rewrote ~50 KB per device per pass). */
#define CHUNK_MAX 256
#define APPEND_COLUMNS 13

enum {
	P_ACCURACY = 1, P_SPEED = 2, P_COURSE = 4, P_ALTITUDE = 8, P_SATELLITES = 16, P_BATTERY = 32,
	P_EVENTS = 64, P_FLAGS = 128,
};

/* ---- packing ------------------------------------------------------------- */

/* Varints straight into a buffer the caller sized (at most 10 bytes each; perf: a buf_append per varint was a
 * sixth of compaction). */
static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static size_t put_svarint(unsigned char *p, int64_t v)
{
	return put_varint(p, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
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

/* The most bytes one packed fix takes: 13 varints of at most 10 bytes. */
#define PACKED_MAX 130
/* The header's most bytes: the version and n. */
#define HEADER_MAX 11

/* The delta state between packed fixes: the previous fix's time and position (1e-7 degrees). */
struct pack_state {
	int64_t at, lat, lon;
};

/* Packs n fixes into out (room for n * PACKED_MAX bytes) continuing from *ps; returns the bytes written. */
static size_t pack_records(unsigned char *out, const struct stored_fix *fixes, size_t n, struct pack_state *ps)
{
	unsigned char *p = out;
	for (size_t i = 0; i < n; i++) {
		const struct em_fix *f = &fixes[i].fix;
		int64_t la = e7(f->lat), lo = e7(f->lon);
		p += put_svarint(p, (int64_t)((uint64_t)f->at_ms - (uint64_t)ps->at));
		p += put_svarint(p, (int64_t)((uint64_t)fixes[i].received_at - (uint64_t)f->at_ms));
		p += put_svarint(p, la - ps->lat);
		p += put_svarint(p, lo - ps->lon);
		ps->at = f->at_ms;
		ps->lat = la;
		ps->lon = lo;
		unsigned present = (known(f->accuracy_m) ? P_ACCURACY : 0) | (known(f->speed_kmh) ? P_SPEED : 0) |
		                   (known(f->course_deg) ? P_COURSE : 0) | (known(f->altitude_m) ? P_ALTITUDE : 0) |
		                   (f->satellites >= 0 ? P_SATELLITES : 0) | (f->battery_pct >= 0 ? P_BATTERY : 0) |
		                   (f->events ? P_EVENTS : 0) | (fixes[i].flags ? P_FLAGS : 0);
		p += put_varint(p, present);
		if (present & P_ACCURACY)
			p += put_svarint(p, tenths(f->accuracy_m));
		if (present & P_SPEED)
			p += put_svarint(p, tenths(f->speed_kmh));
		if (present & P_COURSE)
			p += put_svarint(p, tenths(f->course_deg));
		if (present & P_ALTITUDE)
			p += put_svarint(p, tenths(f->altitude_m));
		if (present & P_SATELLITES)
			p += put_varint(p, (uint64_t)f->satellites);
		if (present & P_BATTERY)
			p += put_varint(p, (uint64_t)f->battery_pct);
		if (present & P_EVENTS)
			p += put_varint(p, f->events);
		if (present & P_FLAGS)
			p += put_varint(p, fixes[i].flags);
	}
	return (size_t)(p - out);
}

size_t fixstore_pack(const struct stored_fix *fixes, size_t n, unsigned char **blob_r)
{
	unsigned char *blob = xmalloc(HEADER_MAX + n * PACKED_MAX);
	blob[0] = 1;
	size_t len = 1 + put_varint(blob + 1, n);
	struct pack_state ps = {0};
	len += pack_records(blob + len, fixes, n, &ps);
	*blob_r = blob;
	return len;
}

/*
 * Reads a packed chunk's header and walks its records without building fixes: *n_r the count, *records_r where
 * the records start, *ps_r the state after the last one (to pack more after it). False when the blob is not a
 * well-formed version 1 chunk.
 */
static bool chunk_tail(const unsigned char *blob, size_t len, uint64_t *n_r, size_t *records_r, struct pack_state *ps_r)
{
	size_t pos = 1;
	uint64_t n;
	if (!blob || len < 2 || blob[0] != 1 || !get_varint(blob, len, &pos, &n) || n > len / 5)
		return false;
	*records_r = pos;
	struct pack_state ps = {0};
	for (uint64_t i = 0; i < n; i++) {
		int64_t d_at, d_recv, d_lat, d_lon, v;
		uint64_t present, u;
		if (!get_svarint(blob, len, &pos, &d_at) || !get_svarint(blob, len, &pos, &d_recv) ||
		    !get_svarint(blob, len, &pos, &d_lat) || !get_svarint(blob, len, &pos, &d_lon) ||
		    !get_varint(blob, len, &pos, &present))
			return false;
		ps.at = (int64_t)((uint64_t)ps.at + (uint64_t)d_at);
		ps.lat = (int64_t)((uint64_t)ps.lat + (uint64_t)d_lat);
		ps.lon = (int64_t)((uint64_t)ps.lon + (uint64_t)d_lon);
		for (int k = 0; k < 4; k++)
			if ((present & (1u << k)) && !get_svarint(blob, len, &pos, &v))
				return false;
		for (int k = 4; k < 8; k++)
			if ((present & (1u << k)) && !get_varint(blob, len, &pos, &u))
				return false;
	}
	if (pos != len)
		return false;
	*n_r = n;
	*ps_r = ps;
	return true;
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

/* Writes a chunk row of a packed blob: an UPDATE of the row keyed (device_num, key_first) when exists, else an
 * INSERT. */
static enum db_status chunk_write_blob(db *conn, int64_t device_num, int64_t key_first, bool exists, int64_t last_at,
                                       size_t n, const unsigned char *blob, size_t len)
{
	db_stmt *st = NULL;
	enum db_status rc;
	if (exists) {
		rc = db_prepare(conn, "UPDATE em_fix_chunk SET last_at = ?, n = ?, fixes = ? WHERE device_num = ? AND first_at = ?",
		                &st);
		if (rc == DB_OK && (db_bind_int64(st, 1, last_at) != DB_OK || db_bind_int64(st, 2, (int64_t)n) != DB_OK ||
		                    db_bind_blob(st, 3, blob, len) != DB_OK || db_bind_int64(st, 4, device_num) != DB_OK ||
		                    db_bind_int64(st, 5, key_first) != DB_OK))
			rc = DB_ERROR;
	} else {
		rc = db_prepare(conn, "INSERT INTO em_fix_chunk (device_num, first_at, last_at, n, fixes) VALUES (?, ?, ?, ?, ?)",
		                &st);
		if (rc == DB_OK && (db_bind_int64(st, 1, device_num) != DB_OK || db_bind_int64(st, 2, key_first) != DB_OK ||
		                    db_bind_int64(st, 3, last_at) != DB_OK || db_bind_int64(st, 4, (int64_t)n) != DB_OK ||
		                    db_bind_blob(st, 5, blob, len) != DB_OK))
			rc = DB_ERROR;
	}
	if (rc == DB_OK) {
		rc = db_step(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	db_finalize(&st);
	return rc;
}

/* Packs sorted, unique fixes into the chunk row keyed (device_num, key_first). */
static enum db_status chunk_write(db *conn, int64_t device_num, int64_t key_first, bool exists,
                                  const struct stored_fix *fixes, size_t n)
{
	unsigned char *blob = NULL;
	size_t len = fixstore_pack(fixes, n, &blob);
	enum db_status rc = chunk_write_blob(conn, device_num, key_first, exists, fixes[n - 1].fix.at_ms, n, blob, len);
	free(blob);
	return rc;
}

/* Unpacks a chunk's blob into *l (appended). */
static enum db_status chunk_into(const void *blob, size_t len, int64_t device_num, int64_t first_at,
                                 struct fix_list *l)
{
	struct stored_fix *fixes = NULL;
	size_t n = 0;
	if (!fixstore_unpack(blob, len, device_num, &fixes, &n)) {
		log_error("fix store: chunk (%lld, %lld) cannot be read", (long long)device_num, (long long)first_at);
		return DB_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		*list_add(l) = fixes[i];
	free(fixes);
	return DB_OK;
}

/* Reads the chunk keyed (device_num, first_at) into *l (appended); *found_r whether there is one. */
static enum db_status chunk_load_exact(db *conn, int64_t device_num, int64_t first_at, struct fix_list *l,
                                       bool *found_r)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT fixes FROM em_fix_chunk WHERE device_num = ? AND first_at = ?", "ii",
	                             device_num, first_at);
	*found_r = false;
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		size_t len = 0;
		const void *blob = db_column_blob(st, 0, &len);
		rc = chunk_into(blob, len, device_num, first_at, l);
		*found_r = rc == DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

/*
 * Moves one device-day group (sorted, unique) into chunks.
 *
 * The day's newest chunk takes what it can when the group starts at or after its first fix. When the group also
 * starts after its last fix (fixes arrive in order: the usual case), the group's packed records are simply added
 * after the chunk's bytes, continuing its deltas (chunk_tail walks the old records without building fixes);
 * otherwise the chunk is unpacked, merged, sorted and packed again. The rest of the group becomes new chunks keyed
 * by their first fix; only when the day already had a chunk can one with that key exist (it is merged into).
 */
static enum db_status compact_group(db *conn, const struct stored_fix *g, size_t n)
{
	int64_t device_num = g[0].device_num, day = day_of(g[0].fix.at_ms);
	size_t done = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT first_at, last_at, n, fixes FROM em_fix_chunk WHERE device_num = ? AND first_at >= ? AND first_at < ?"
		" ORDER BY first_at DESC LIMIT 1", "iii", device_num, day, day + DAY_MS);
	if (rc != DB_OK)
		return rc;
	/* The day's newest chunk, copied out (the statement is finished before anything is written). */
	bool day_has_chunks = false;
	int64_t first = 0, last = 0;
	size_t had = 0, len = 0;
	unsigned char *blob = NULL;
	rc = db_step(st);
	if (rc == DB_ROW) {
		day_has_chunks = true;
		first = db_column_int64(st, 0);
		last = db_column_int64(st, 1);
		had = (size_t)db_column_int64(st, 2);
		const void *b = db_column_blob(st, 3, &len);
		blob = xmalloc(len ? len : 1);
		if (len)
			memcpy(blob, b, len);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_OK && day_has_chunks && g[0].fix.at_ms >= first && had < CHUNK_MAX) {
		size_t take = n < CHUNK_MAX - had ? n : CHUNK_MAX - had;
		uint64_t old_n = 0;
		size_t records = 0;
		struct pack_state ps;
		if (g[0].fix.at_ms > last && chunk_tail(blob, len, &old_n, &records, &ps) && old_n == had) {
			unsigned char *out = xmalloc(HEADER_MAX + (len - records) + take * PACKED_MAX);
			out[0] = 1;
			size_t pos = 1 + put_varint(out + 1, had + take);
			memcpy(out + pos, blob + records, len - records);
			pos += len - records;
			pos += pack_records(out + pos, g, take, &ps);
			rc = chunk_write_blob(conn, device_num, first, true, g[take - 1].fix.at_ms, had + take, out, pos);
			free(out);
		} else {
			struct fix_list l = {0};
			rc = chunk_into(blob, len, device_num, first, &l);
			for (size_t i = 0; rc == DB_OK && i < take; i++)
				*list_add(&l) = g[i];
			if (rc == DB_OK) {
				size_t m = sort_unique(l.items, l.n);
				rc = chunk_write(conn, device_num, first, true, l.items, m);
			}
			free(l.items);
		}
		done = take;
	}
	free(blob);
	/* The rest: new chunks of at most CHUNK_MAX keyed by their first fix (merged into a chunk with that key). */
	while (rc == DB_OK && done < n) {
		size_t take = n - done < CHUNK_MAX ? n - done : CHUNK_MAX;
		bool found = false;
		struct fix_list c = {0};
		if (day_has_chunks)
			rc = chunk_load_exact(conn, device_num, g[done].fix.at_ms, &c, &found);
		if (rc == DB_OK && found) {
			for (size_t i = 0; i < take; i++)
				*list_add(&c) = g[done + i];
			size_t m = sort_unique(c.items, c.n);
			rc = chunk_write(conn, device_num, g[done].fix.at_ms, true, c.items, m);
		} else if (rc == DB_OK) {
			rc = chunk_write(conn, device_num, g[done].fix.at_ms, false, g + done, take);
		}
		free(c.items);
		done += take;
	}
	return rc;
}

/* A compaction slice's sort key: device, time, then the row's place in the slice (so the sort is stable). */
struct slice_key {
	int64_t device_num, at;
	size_t i;
};

static int slice_key_cmp(const void *a, const void *b)
{
	const struct slice_key *x = a, *y = b;
	if (x->device_num != y->device_num)
		return x->device_num < y->device_num ? -1 : 1;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Sorts a slice by (device, time, place) through small keys, then keeps the first of each (device, time): returns
 * the new array (malloc'd; l's items are freed) and its length. Sorting the keys instead of the 150-byte fixes
 * themselves was most of compaction's sort (perf). */
static struct stored_fix *slice_sort(struct fix_list *l, size_t *m_r)
{
	size_t n = l->n;
	struct slice_key *keys = xmalloc((n ? n : 1) * sizeof *keys);
	for (size_t i = 0; i < n; i++)
		keys[i] = (struct slice_key){l->items[i].device_num, l->items[i].fix.at_ms, i};
	qsort(keys, n, sizeof *keys, slice_key_cmp);
	struct stored_fix *out = xmalloc((n ? n : 1) * sizeof *out);
	size_t m = 0;
	for (size_t k = 0; k < n; k++) {
		if (m && keys[k].device_num == keys[k - 1].device_num && keys[k].at == keys[k - 1].at)
			continue;
		out[m++] = l->items[keys[k].i];
	}
	free(keys);
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
	*m_r = m;
	return out;
}

enum db_status fixstore_compact(db *conn, long *moved_r)
{
	*moved_r = 0;
	enum db_status rc = DB_OK;
	bool pg = is_postgresql(conn);
	if (pg) {
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
		/* PostgreSQL: DELETE ... RETURNING claims exactly the rows it returns (a row of a transaction that commits
		 * meanwhile is either claimed or left for the next pass). SQLite: this transaction holds the write lock
		 * (BEGIN IMMEDIATE), so nothing appends meanwhile and a plain SELECT, then a DELETE of the same range, is
		 * the same claim; SQLite's RETURNING buffers every row first and cost three times as much (perf). */
		rc = pg ? db_query(conn, &st, "DELETE FROM em_fix_inbox WHERE seq > ? AND seq <= ? RETURNING " INBOX_COLUMNS, "ii",
		                   lo, top)
		        : db_query(conn, &st, "SELECT " INBOX_COLUMNS " FROM em_fix_inbox WHERE seq > ? AND seq <= ?", "ii",
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
		if (rc == DB_OK && !pg)
			rc = db_run(conn, NULL, "DELETE FROM em_fix_inbox WHERE seq > ? AND seq <= ?", "ii", lo, top);
		*moved_r += (long)l.n;
		size_t m = 0;
		struct stored_fix *sorted = rc == DB_OK ? slice_sort(&l, &m) : NULL;
		for (size_t i = 0; rc == DB_OK && i < m;) {
			size_t j = i + 1;
			int64_t day = day_of(sorted[i].fix.at_ms);
			while (j < m && sorted[j].device_num == sorted[i].device_num && day_of(sorted[j].fix.at_ms) == day)
				j++;
			rc = compact_group(conn, sorted + i, j - i);
			i = j;
		}
		free(sorted);
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
