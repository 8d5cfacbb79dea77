/*
 * test_em_fixstore.c — the fix store and the ingest writer on a migrated
 * SQLite database: chunk packing round trips (edge values, unknowns, negative
 * coordinates, the antimeridian) and refuses corrupt blobs; compaction moves
 * the inbox into one chunk per device-day and a read merges chunks and inbox
 * in time order without repeats; retention erases old chunks except held
 * days; the writer stores, drops duplicates, marks late fixes, refuses
 * unknown and retired identifiers and fails a bad fix's submission alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "em/fixstore.h"
#include "em/ingest.h"
#include "store/db.h"
#include "testdb.h"

#define DAY 86400000LL
/* 2026-03-15T00:00:00Z */
#define D0 1773532800000LL

static struct testdb tdb;

static int setup(void **state)
{
	(void)state;
	return testdb_open(&tdb, "kadam-fixstore");
}

static int teardown(void **state)
{
	(void)state;
	return testdb_close(&tdb);
}

static db *take(void)
{
	db *conn = NULL;
	assert_int_equal(db_pool_acquire(tdb.pool, 5000, &conn), DB_OK);
	return conn;
}

static int64_t count(db *conn, const char *sql)
{
	db_stmt *st = NULL;
	assert_int_equal(db_query(conn, &st, sql, ""), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	db_finalize(&st);
	return n;
}

static struct stored_fix fix_at(int64_t num, int64_t at, double lat, double lon)
{
	struct stored_fix s = {.device_num = num, .received_at = at + 1500};
	em_fix_init(&s.fix);
	s.fix.at_ms = at;
	s.fix.has_location = true;
	s.fix.valid = true;
	s.fix.lat = lat;
	s.fix.lon = lon;
	return s;
}

/* ---- packing ---------------------------------------------------------------- */

static void pack_round_trip(void **state)
{
	(void)state;
	struct stored_fix in[7];
	in[0] = fix_at(3, D0, 42.8746, 74.5698);
	in[0].fix.accuracy_m = 8.5;
	in[0].fix.speed_kmh = 3.2;
	in[0].fix.course_deg = 359.9;
	in[0].fix.altitude_m = -27.3;
	in[0].fix.satellites = 11;
	in[0].fix.battery_pct = 100;
	in[0].fix.events = EM_EV_STRAP_TAMPER | EM_EV_SOS;
	in[1] = fix_at(3, D0 + 1000, -33.8688, 151.2093);          /* southern hemisphere: negative lat */
	in[1].flags = EM_FIX_LATE;
	in[1].received_at = D0 - 5000;                               /* received "before" its time: a skewed device */
	in[2] = fix_at(3, D0 + 1000 + 86399000LL, -16.5, 179.9999999); /* just west of the antimeridian */
	in[2].fix.battery_pct = 0;
	in[2].fix.accuracy_m = 0;
	in[3] = fix_at(3, D0 + 1000 + 86399001LL, -16.5, -179.9999999); /* and just east of it */
	in[4] = fix_at(3, D0 + 2 * DAY, 90, 180);
	in[4].fix.accuracy_m = INFINITY;                             /* not a number we keep: absent */
	in[5] = fix_at(3, D0 + 2 * DAY, -90, -180);                 /* the same time twice: kept by pack */
	in[6] = fix_at(3, D0 - 10 * DAY, 0.0000001, -0.0000001);    /* back in time, near null island */
	unsigned char *blob = NULL;
	size_t len = fixstore_pack(in, 7, &blob);
	assert_true(len > 2);
	assert_true(len < 7 * 30);
	struct stored_fix *out = NULL;
	size_t n = 0;
	assert_true(fixstore_unpack(blob, len, 3, &out, &n));
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].device_num, 3);
		assert_int_equal(out[i].fix.at_ms, in[i].fix.at_ms);
		assert_int_equal(out[i].received_at, in[i].received_at);
		assert_true(fabs(out[i].fix.lat - in[i].fix.lat) < 1e-7);
		assert_true(fabs(out[i].fix.lon - in[i].fix.lon) < 1e-7);
		assert_int_equal(out[i].flags, in[i].flags);
		assert_int_equal(out[i].fix.events, in[i].fix.events);
		assert_int_equal(out[i].fix.battery_pct, in[i].fix.battery_pct);
		assert_int_equal(out[i].fix.satellites, in[i].fix.satellites);
		assert_true(out[i].fix.has_location);
		assert_string_equal(out[i].fix.device, "");
		double a[] = {in[i].fix.accuracy_m, in[i].fix.speed_kmh, in[i].fix.course_deg, in[i].fix.altitude_m};
		double b[] = {out[i].fix.accuracy_m, out[i].fix.speed_kmh, out[i].fix.course_deg, out[i].fix.altitude_m};
		for (int k = 0; k < 4; k++) {
			if (isfinite(a[k]))
				assert_true(fabs(a[k] - b[k]) <= 0.05 + 1e-9);
			else
				assert_true(isnan(b[k]));
		}
	}
	assert_true(out[3].fix.lon < -179.99 && out[2].fix.lon > 179.99);
	free(out);

	/* Corrupt blobs are refused, never read past their end: every proper prefix, a wrong version, extra bytes. */
	for (size_t cut = 0; cut < len; cut++) {
		assert_false(fixstore_unpack(blob, cut, 3, &out, &n));
		assert_null(out);
	}
	unsigned char *copy = malloc(len + 1);
	memcpy(copy, blob, len);
	copy[len] = 0;
	assert_false(fixstore_unpack(copy, len + 1, 3, &out, &n));
	copy[0] = 2;
	assert_false(fixstore_unpack(copy, len, 3, &out, &n));
	/* A count far beyond what the bytes can hold is not an allocation to make. */
	unsigned char huge[] = {1, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0};
	assert_false(fixstore_unpack(huge, sizeof huge, 3, &out, &n));
	free(copy);
	free(blob);

	/* An empty chunk packs and unpacks. */
	len = fixstore_pack(NULL, 0, &blob);
	assert_true(fixstore_unpack(blob, len, 1, &out, &n));
	assert_int_equal(n, 0);
	free(out);
	free(blob);
}

/* ---- compaction and reading ----------------------------------------------------- */

struct seen {
	int64_t at[64];
	uint32_t flags[64];
	size_t n;
};

static void collect(void *ctx, const struct stored_fix *f)
{
	struct seen *s = ctx;
	if (s->n < 64) {
		s->flags[s->n] = f->flags;
		s->at[s->n++] = f->fix.at_ms;
	}
}

static void append(db *conn, const struct stored_fix *rows, size_t n)
{
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(fixstore_append(conn, rows, n), DB_OK);
	assert_int_equal(db_commit(conn), DB_OK);
}

static long compact(db *conn)
{
	long moved = 0;
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(fixstore_compact(conn, &moved), DB_OK);
	assert_int_equal(db_commit(conn), DB_OK);
	return moved;
}

static void compact_and_read(void **state)
{
	(void)state;
	db *conn = take();
	/* Two devices interleaved over two days; 300 rows so append uses several statement sizes. */
	struct stored_fix rows[300];
	for (int i = 0; i < 300; i++)
		rows[i] = fix_at(10 + i % 2, D0 + 12 * 3600000LL + (int64_t)(i / 2) * 600000, 42.8 + i * 1e-4, 74.6);
	append(conn, rows, 300);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_inbox"), 300);
	assert_int_equal(compact(conn), 300);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_inbox"), 0);
	/* 150 fixes each, 10 minutes apart from noon: 72 on the first day and 78 on the second, per device. */
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_chunk"), 4);
	assert_int_equal(count(conn, "SELECT SUM(n) FROM em_fix_chunk"), 300);

	/* More of device 10 on the first day: the next pass merges them into that day's chunk. */
	struct stored_fix more[3] = {fix_at(10, D0 + 23 * 3600000LL + 59 * 60000 + 1, 42.9, 74.7),
	                             fix_at(10, D0 + 23 * 3600000LL + 59 * 60000 + 2, 42.9, 74.7),
	                             fix_at(10, D0 + 12 * 3600000LL + 5 * 60000, 42.9, 74.7)};
	more[2].flags = EM_FIX_LATE;
	append(conn, more, 2);
	assert_int_equal(compact(conn), 2);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_chunk WHERE device_num = 10"), 2);
	/* A late fix (and a repeat of a stored time) stay in the inbox: a read merges it in order, once. */
	struct stored_fix repeat = rows[0];
	append(conn, &more[2], 1);
	append(conn, &repeat, 1);

	struct seen s = {0};
	size_t n = 0;
	int64_t from = D0 + 12 * 3600000LL, to = from + 40 * 60000;
	assert_int_equal(fixstore_read(conn, 10, from, to, 0, collect, &s, &n), DB_OK);
	/* Device 10 has fixes at 12:00, 12:10, 12:20 and 12:30, plus the late one at 12:05; 12:00 once. */
	assert_int_equal(n, 5);
	assert_int_equal(s.at[0], from);
	assert_int_equal(s.at[1], from + 5 * 60000);
	assert_int_equal(s.flags[1], EM_FIX_LATE);
	assert_int_equal(s.at[2], from + 10 * 60000);
	assert_int_equal(s.at[4], from + 30 * 60000);

	/* Across midnight, and capped by max. */
	memset(&s, 0, sizeof s);
	from = D0 + DAY - 30 * 60000;
	assert_int_equal(fixstore_read(conn, 10, from, from + 60 * 60000, 0, collect, &s, &n), DB_OK);
	assert_true(n >= 4);
	for (size_t i = 1; i < n; i++)
		assert_true(s.at[i] > s.at[i - 1]);
	assert_true(s.at[0] < D0 + DAY && s.at[n - 1] >= D0 + DAY);
	memset(&s, 0, sizeof s);
	assert_int_equal(fixstore_read(conn, 10, from, from + 60 * 60000, 2, collect, &s, &n), DB_OK);
	assert_int_equal(n, 2);
	/* Nothing of another device, nothing outside the window. */
	memset(&s, 0, sizeof s);
	assert_int_equal(fixstore_read(conn, 99, D0, D0 + 2 * DAY, 0, collect, &s, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(fixstore_read(conn, 10, D0, D0 + 3600000, 0, collect, &s, &n), DB_OK);
	assert_int_equal(n, 0);

	/* Compacted, the late fix joins the day's chunk and the repeat is dropped; the read is the same. */
	assert_int_equal(compact(conn), 2);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_chunk WHERE device_num = 10"), 2);
	assert_int_equal(count(conn, "SELECT SUM(n) FROM em_fix_chunk WHERE device_num = 10"), 153);
	memset(&s, 0, sizeof s);
	from = D0 + 12 * 3600000LL;
	assert_int_equal(fixstore_read(conn, 10, from, from + 40 * 60000, 0, collect, &s, &n), DB_OK);
	assert_int_equal(n, 5);
	assert_int_equal(s.at[1], from + 5 * 60000);
	/* A fix before the day's chunk starts gets a chunk of its own, keyed by its time. */
	struct stored_fix early = fix_at(10, D0 + 3600000LL, 42.9, 74.7);
	append(conn, &early, 1);
	assert_int_equal(compact(conn), 1);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_chunk WHERE device_num = 10"), 3);
	memset(&s, 0, sizeof s);
	assert_int_equal(fixstore_read(conn, 10, D0, D0 + 12 * 3600000LL + 60001, 0, collect, &s, &n), DB_OK);
	assert_int_equal(n, 2);
	assert_int_equal(s.at[0], D0 + 3600000LL);

	/* Clean up for the next test. */
	assert_int_equal(db_exec(conn, "DELETE FROM em_fix_chunk; DELETE FROM em_fix_inbox;"), DB_OK);
	db_pool_release(tdb.pool, &conn);
}

/* ---- retention ------------------------------------------------------------------ */

static void retention_keeps_held_days(void **state)
{
	(void)state;
	db *conn = take();
	struct stored_fix rows[8];
	/* Devices 1 and 2, two fixes on each of the days D0 and D0+1; then device 1 on D0+5 (recent). */
	for (int i = 0; i < 8; i++)
		rows[i] = fix_at(1 + (i / 2) % 2, D0 + (i / 4) * DAY + 3600000LL * (1 + i % 2), 10, 10);
	append(conn, rows, 8);
	assert_int_equal(compact(conn), 8);
	struct stored_fix recent = fix_at(1, D0 + 5 * DAY, 10, 10);
	append(conn, &recent, 1);
	/* An alert holds device 1's first day (its evidence spans 23:00 to 01:00: both days of device 1 are held). */
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(fixstore_hold(conn, 1, D0 + DAY - 3600000, D0 + DAY + 3600000, "alert-1", D0 + 5 * DAY), DB_OK);
	assert_int_equal(fixstore_hold(conn, 1, D0 + 10, D0 + 20, "alert-1", D0 + 5 * DAY), DB_OK); /* again: no-op */
	assert_int_equal(db_commit(conn), DB_OK);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_hold"), 2);

	long erased = 0;
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(fixstore_erase_before(conn, D0 + 4 * DAY, &erased), DB_OK);
	assert_int_equal(db_commit(conn), DB_OK);
	/* Device 2's four fixes go; device 1's held days and its recent fix stay. */
	assert_int_equal(erased, 4);
	struct seen s = {0};
	size_t n = 0;
	assert_int_equal(fixstore_read(conn, 2, D0, D0 + 6 * DAY, 0, collect, &s, &n), DB_OK);
	assert_int_equal(n, 0);
	assert_int_equal(fixstore_read(conn, 1, D0, D0 + 6 * DAY, 0, collect, &s, &n), DB_OK);
	assert_int_equal(n, 5);
	/* Without the hold they go too. */
	assert_int_equal(db_exec(conn, "DELETE FROM em_fix_hold"), DB_OK);
	assert_int_equal(db_begin(conn), DB_OK);
	assert_int_equal(fixstore_erase_before(conn, D0 + 4 * DAY, &erased), DB_OK);
	assert_int_equal(db_commit(conn), DB_OK);
	assert_int_equal(erased, 4);
	assert_int_equal(db_exec(conn, "DELETE FROM em_fix_chunk; DELETE FROM em_fix_inbox;"), DB_OK);
	db_pool_release(tdb.pool, &conn);
}

/* ---- the writer ------------------------------------------------------------------- */

static struct em_fix device_fix(const char *device, int64_t at, bool located)
{
	struct em_fix f;
	em_fix_init(&f);
	snprintf(f.device, sizeof f.device, "%s", device);
	f.at_ms = at;
	f.has_location = located;
	f.valid = located;
	if (located) {
		f.lat = 42.87;
		f.lon = 74.59;
		f.battery_pct = 77;
	} else {
		f.events = EM_EV_HEARTBEAT;
	}
	return f;
}

static void writer_stores_and_refuses(void **state)
{
	(void)state;
	int64_t now = clock_now_ms();
	db *conn = take();
	assert_int_equal(db_run(conn, NULL,
		"INSERT INTO em_device (id, num, kind, identifier, protocol, status, created_at, updated_at) VALUES"
		" ('d-1', 1, 'ankle_tag', '860000000000001', 'gt06', 'in_stock', ?, ?),"
		" ('d-2', 2, 'phone', 'retired-phone', 'osmand', 'retired', ?, ?)", "iiii", now, now, now, now), DB_OK);
	db_pool_release(tdb.pool, &conn);

	struct ingest *in = ingest_start(tdb.pool, 1000);
	assert_non_null(in);
	struct ingest_outcome out;
	struct em_fix f[4] = {device_fix("860000000000001", now - 60000, true),
	                      device_fix("860000000000001", now - 30000, true),
	                      device_fix("860000000000001", now - 60000, true), /* a repeat in the same message */
	                      device_fix("860000000000001", now - 10000, false)};
	ingest_submit_wait(in, f, 4, "gt06", "127.0.0.1", &out);
	assert_int_equal(out.result, INGEST_STORED);
	assert_int_equal(out.stored, 2);
	assert_int_equal(out.duplicates, 1);
	assert_int_equal(out.late, 0);
	/* Sent again (the device never heard the acknowledgement): all duplicates. */
	ingest_submit_wait(in, f, 2, "gt06", "127.0.0.1", &out);
	assert_int_equal(out.result, INGEST_STORED);
	assert_int_equal(out.stored, 0);
	assert_int_equal(out.duplicates, 2);
	/* Older than the newest: stored, late. */
	struct em_fix old = device_fix("860000000000001", now - 45000, true);
	ingest_submit_wait(in, &old, 1, "gt06", NULL, &out);
	assert_int_equal(out.stored, 1);
	assert_int_equal(out.late, 1);
	/* Unknown and retired identifiers: refused, registered. */
	struct em_fix unknown = device_fix("359999999999999", now, true);
	ingest_submit_wait(in, &unknown, 1, "teltonika", "10.0.0.9", &out);
	assert_int_equal(out.result, INGEST_UNKNOWN_DEVICE);
	assert_int_equal(out.stored, 0);
	struct em_fix retired = device_fix("retired-phone", now, true);
	ingest_submit_wait(in, &retired, 1, "osmand", NULL, &out);
	assert_int_equal(out.result, INGEST_UNKNOWN_DEVICE);
	ingest_submit_wait(in, &unknown, 1, "teltonika", "10.0.0.9", &out);
	/* A bad fix fails its own submission, nothing of it stored. */
	struct em_fix bad[2] = {device_fix("860000000000001", now - 1000, true),
	                        device_fix("860000000000001", now - 500, true)};
	bad[1].lat = 123;
	ingest_submit_wait(in, bad, 2, "gt06", NULL, &out);
	assert_int_equal(out.result, INGEST_BAD);
	assert_int_equal(out.stored, 0);
	assert_true(strlen(out.reason) > 0);

	struct ingest_stats st;
	ingest_stats(in, &st);
	assert_int_equal(st.stored, 3);
	assert_int_equal(st.late, 1);
	assert_true(st.batches >= 6);
	struct ingest_latency commit;
	ingest_latencies(in, &commit, NULL);
	assert_true(commit.count >= 3);
	assert_true(commit.p99_us <= commit.max_us);
	ingest_stop(&in);
	assert_null(in);

	conn = take();
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_inbox WHERE device_num = 1"), 3);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_inbox WHERE flags = 1"), 1);
	assert_int_equal(count(conn, "SELECT messages FROM em_unknown_device WHERE identifier = '359999999999999'"), 2);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_unknown_device WHERE identifier = 'retired-phone'"), 1);
	assert_int_equal(count(conn, "SELECT battery_pct FROM em_device WHERE num = 1"), 77);
	db_stmt *q = NULL;
	assert_int_equal(db_query(conn, &q, "SELECT last_fix_at, last_seen_at FROM em_device WHERE num = 1", ""), DB_OK);
	assert_int_equal(db_step(q), DB_ROW);
	assert_int_equal(db_column_int64(q, 0), now - 30000);
	assert_true(db_column_int64(q, 1) >= now);
	db_finalize(&q);
	/* The processing log has the collection and the refusals, counts only. */
	assert_true(count(conn, "SELECT COUNT(*) FROM audit_log WHERE action = 'collect' AND record_type = 'em_fix'") >= 2);
	assert_true(count(conn, "SELECT COUNT(*) FROM audit_log WHERE action = 'access.denied'"
	                        " AND record_type = 'em_device'") >= 2);
	db_pool_release(tdb.pool, &conn);

	/* A restarted writer knows the newest fix from em_device: a resent older fix is late, not new. */
	in = ingest_start(tdb.pool, 1000);
	struct em_fix again = device_fix("860000000000001", now - 40000, true);
	ingest_submit_wait(in, &again, 1, "gt06", NULL, &out);
	assert_int_equal(out.late, 1);
	ingest_stop(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pack_round_trip),
		cmocka_unit_test(compact_and_read),
		cmocka_unit_test(retention_keeps_held_days),
		cmocka_unit_test(writer_stores_and_refuses),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
