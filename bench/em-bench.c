/*
 * em-bench.c — kadam-bench-em, the C half of the electronic-monitoring
 * benchmarks (bench/em.sh runs it; not installed). Subcommands:
 *
 *   raw PATH ROWS DEVICES [SYNCHRONOUS]
 *       The ingest baseline: a raw append of ROWS fix rows (DEVICES devices
 *       interleaved, the columns of em_fix_inbox) into an unindexed SQLite
 *       table, 1,000 rows per transaction, WAL and synchronous=FULL as Kadam
 *       configures SQLite (src/store/sqlite.c), one prepared INSERT reused.
 *       SYNCHRONOUS NORMAL: without the sync at each commit, for comparison.
 *       Prints "raw ROWS_PER_S".
 *   zones ZONES POINTS
 *       Zone evaluation: the same polygons and points through geofence.h
 *       (geofence_contains) and through the best raw method written here (a
 *       bounding-box test on the raw coordinates, then a GEOS point built only
 *       after a box hit and GEOSPreparedContains_r). Prints "zones RAW_PER_S
 *       KADAM_PER_S MISMATCHES".
 *   setup DB DEVICES [ORDERS]
 *       On a database that `kadam demo` filled: DEVICES GT06 devices (IMEIs
 *       with a valid check digit from their index 1..DEVICES, model 'bench',
 *       numbered after the devices already there), the first ORDERS
 *       (default all) fitted under an active order with the trail, curfew off
 *       and an inclusion circle of 30 km around Bishkek; em.dwell_s = 0.
 *       Direct SQL (a benchmark's setup, not the API). Prints "order ID NUM
 *       IMEI" per order.
 *   gen DB DEVICES DAYS PER_DAY
 *       Fixes for the first DEVICES devices setup made (model 'bench'), PER_DAY a day each for
 *       DAYS days ending yesterday (UTC), written through fixstore_append in big
 *       transactions and packed with fixstore_compact after each day. Prints
 *       "gen FIXES SECONDS".
 *   store DB DEVICES ROWS ROUNDS
 *       The fix store alone (no server), for profiling: ROUNDS times, ROWS fixes of DEVICES devices interleaved
 *       appended through fixstore_append in transactions of 10,000, then one fixstore_compact pass. Prints
 *       "store APPEND_ROWS_PER_S COMPACT_ROWS_PER_S".
 *   http HOST:PORT TOKEN DEVICES TOTAL BASE_MS [CLIENTS] [BATCH]
 *       Ingest through the batch API: CLIENTS (default 8) threads, each on one
 *       keep-alive connection, POST /api/v1/em/fixes in batches of BATCH
 *       (default 1,000) fixes, one request in flight each; DEVICES devices
 *       interleaved (client k sends the devices d with d % CLIENTS == k, so a
 *       device's fixes are never in two requests at once), times one second
 *       apart per device from BASE_MS, every fix inside its order's inclusion
 *       zone. The bodies are made before the clock starts. Prints "http
 *       FIXES_PER_S".
 *   gt06 HOST:PORT CONNECTIONS FIXES_PER_CONNECTION BASE_MS [--idle | --window W]
 *       CONNECTIONS GT06 devices (numbers 1..CONNECTIONS) log in over TCP, then
 *       each sends FIXES_PER_CONNECTION locations (times from BASE_MS, one a
 *       second), at most W (1-16, default 1) unacknowledged at a time; what the
 *       window has room for after a read of acknowledgements goes out in one
 *       write. Prints "gt06 FIXES_PER_S ACKED". --idle: log in only, print "ready N" and hold the
 *       connections until stdin closes (the memory benchmark).
 *
 * Exit status 1 with "kadam-bench-em: <what failed>" on any failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <geos_c.h>
#include <jansson.h>
#include <pthread.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/uuid.h"
#include "em/fix.h"
#include "em/fixstore.h"
#include "em/geofence.h"
#include "em/protocols/gt06.h"
#include "store/db.h"

#define DAY_MS 86400000LL
#define BISHKEK_LAT 42.8746
#define BISHKEK_LON 74.5698

static _Noreturn void fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("kadam-bench-em: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double seconds_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64*: deterministic, so runs ask the same things. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static long arg_long(const char *s, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		fail("%s must be a whole number, not '%s'", what, s);
	return v;
}

/* The IMEI of bench device num: "35" + 12 digits + the Luhn check digit. */
static void bench_imei(long num, char out[16])
{
	snprintf(out, 16, "35%012ld", num);
	int sum = 0;
	for (int i = 0; i < 14; i++) {
		int d = out[13 - i] - '0';
		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	out[14] = (char)('0' + (10 - sum % 10) % 10);
	out[15] = '\0';
}

/* ---- raw ----------------------------------------------------------------------------------------------------- */

static void lite_exec(sqlite3 *h, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
		fail("raw: %s: %s", sql, err ? err : "?");
}

static int cmd_raw(int argc, char **argv)
{
	if (argc != 4 && argc != 5)
		fail("usage: raw PATH ROWS DEVICES [FULL|NORMAL]");
	const char *sync = argc == 5 ? argv[4] : "FULL";
	if (strcmp(sync, "FULL") != 0 && strcmp(sync, "NORMAL") != 0)
		fail("raw: SYNCHRONOUS is FULL or NORMAL");
	long rows = arg_long(argv[2], "ROWS"), devices = arg_long(argv[3], "DEVICES");
	if (devices < 1)
		fail("raw: DEVICES must be at least 1");
	unlink(argv[1]);
	sqlite3 *h;
	if (sqlite3_open(argv[1], &h) != SQLITE_OK)
		fail("raw: cannot open %s", argv[1]);
	char pragmas[80];
	snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;", sync);
	lite_exec(h, pragmas);
	lite_exec(h, "CREATE TABLE fix_raw (seq INTEGER NOT NULL PRIMARY KEY, device_num INTEGER NOT NULL,"
	             " at INTEGER NOT NULL, received_at INTEGER NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,"
	             " accuracy_m REAL, speed_kmh REAL, course_deg REAL, altitude_m REAL, satellites INTEGER,"
	             " battery_pct INTEGER, events INTEGER NOT NULL DEFAULT 0, flags INTEGER NOT NULL DEFAULT 0) STRICT");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h, "INSERT INTO fix_raw (device_num, at, received_at, lat, lon, accuracy_m, speed_kmh,"
	                          " course_deg, altitude_m, satellites, battery_pct, events, flags)"
	                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		fail("raw: prepare: %s", sqlite3_errmsg(h));
	int64_t base = 1767225600000LL; /* 2026-01-01 */
	double t0 = seconds_now();
	for (long i = 0; i < rows; i++) {
		if (i % 1000 == 0)
			lite_exec(h, "BEGIN IMMEDIATE");
		long dev = i % devices + 1;
		int64_t at = base + (i / devices) * 10000;
		sqlite3_bind_int64(st, 1, dev);
		sqlite3_bind_int64(st, 2, at);
		sqlite3_bind_int64(st, 3, at + 800);
		sqlite3_bind_double(st, 4, BISHKEK_LAT + (double)(dev % 100) * 1e-3);
		sqlite3_bind_double(st, 5, BISHKEK_LON + (double)(dev / 100 % 100) * 1e-3);
		sqlite3_bind_double(st, 6, 8.5);
		sqlite3_bind_double(st, 7, 4.2);
		sqlite3_bind_double(st, 8, 271.0);
		sqlite3_bind_double(st, 9, 760.0);
		sqlite3_bind_int64(st, 10, 9);
		sqlite3_bind_int64(st, 11, 80);
		sqlite3_bind_int64(st, 12, 0);
		sqlite3_bind_int64(st, 13, 0);
		if (sqlite3_step(st) != SQLITE_DONE)
			fail("raw: insert: %s", sqlite3_errmsg(h));
		sqlite3_reset(st);
		if (i % 1000 == 999 || i == rows - 1)
			lite_exec(h, "COMMIT");
	}
	double secs = seconds_now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(h);
	printf("raw %.0f\n", (double)rows / secs);
	return 0;
}

/* ---- zones --------------------------------------------------------------------------------------------------- */

struct bench_zone {
	double cx, cy, r_deg_lat;                /* centre lon/lat, radius in degrees of latitude */
	double minx, miny, maxx, maxy;           /* the raw polygon's box */
	GEOSGeometry *geom;
	const GEOSPreparedGeometry *prep;
	struct geofence_zone *fence;
};

static int cmd_zones(int argc, char **argv)
{
	if (argc != 3)
		fail("usage: zones ZONES POINTS");
	long nz = arg_long(argv[1], "ZONES"), np = arg_long(argv[2], "POINTS");
	if (nz < 1 || np < 1)
		fail("zones: ZONES and POINTS must be at least 1");
	GEOSContextHandle_t g = GEOS_init_r();
	struct bench_zone *zones = calloc((size_t)nz, sizeof *zones);
	char *json = malloc(16384);
	if (!zones || !json)
		fail("zones: out of memory");
	enum { VERTICES = 24 };
	for (long z = 0; z < nz; z++) {
		struct bench_zone *bz = &zones[z];
		/* Towns spread over Kyrgyzstan; a few on the prime meridian and the antimeridian's side. */
		bz->cy = 39.5 + rnd() * 3.5;
		bz->cx = 69.5 + rnd() * 10.0;
		if (z % 50 == 1)
			bz->cx = -0.01 + rnd() * 0.02;
		double radius_m = 1500 + rnd() * 3500;
		bz->r_deg_lat = radius_m / 110574.0;
		double coslat = cos(bz->cy * M_PI / 180);
		GEOSCoordSequence *seq = GEOSCoordSeq_create_r(g, VERTICES + 1, 2);
		size_t off = (size_t)snprintf(json, 16384, "{\"type\":\"Polygon\",\"coordinates\":[[");
		bz->minx = bz->miny = 1e9;
		bz->maxx = bz->maxy = -1e9;
		double first_x = 0, first_y = 0;
		for (int v = 0; v <= VERTICES; v++) {
			double x, y;
			if (v == VERTICES) {
				x = first_x;
				y = first_y;
			} else {
				double a = 2 * M_PI * v / VERTICES;
				double r = bz->r_deg_lat * (0.7 + 0.3 * rnd()); /* an irregular, star-ish ring */
				x = bz->cx + r * cos(a) / coslat;
				y = bz->cy + r * sin(a);
				if (v == 0) {
					first_x = x;
					first_y = y;
				}
			}
			GEOSCoordSeq_setXY_r(g, seq, (unsigned)v, x, y);
			off += (size_t)snprintf(json + off, 16384 - off, "%s[%.7f,%.7f]", v ? "," : "", x, y);
			if (x < bz->minx) bz->minx = x;
			if (x > bz->maxx) bz->maxx = x;
			if (y < bz->miny) bz->miny = y;
			if (y > bz->maxy) bz->maxy = y;
		}
		snprintf(json + off, 16384 - off, "]]}");
		bz->geom = GEOSGeom_createPolygon_r(g, GEOSGeom_createLinearRing_r(g, seq), NULL, 0);
		bz->prep = GEOSPrepare_r(g, bz->geom);
		char err[200] = "";
		bz->fence = geofence_polygon(json, strlen(json), err, sizeof err);
		if (!bz->fence)
			fail("zones: geofence_polygon refused zone %ld: %s (is src/em/geofence.c still a placeholder?)", z,
			     err[0] ? err : "no reason");
	}
	/* Points: each belongs to one zone (its device's), around the zone within 1.6 radii: most inside, some in the
	 * box but outside, some beyond the box. */
	double *lat = malloc((size_t)np * sizeof *lat), *lon = malloc((size_t)np * sizeof *lon);
	if (!lat || !lon)
		fail("zones: out of memory");
	for (long i = 0; i < np; i++) {
		struct bench_zone *bz = &zones[i % nz];
		double a = rnd() * 2 * M_PI, r = bz->r_deg_lat * 1.6 * sqrt(rnd());
		lat[i] = bz->cy + r * sin(a);
		lon[i] = bz->cx + r * cos(a) / cos(bz->cy * M_PI / 180);
	}
	/* Nine rounds, the two methods taking turns to go first, and the best of each: on a shared 2-core machine a
	 * single round's ratio moved between 0.69 and 1.23 with the speed of the host, not with the code. */
	double best_raw = 0, best_kadam = 0;
	long inside_raw = 0, inside_kadam = 0, mismatches = 0;
	for (int round = 0; round < 9; round++) {
		for (int turn = 0; turn < 2; turn++) {
			double t0 = seconds_now();
			if ((round + turn) % 2 == 0) {
				long in = 0;
				for (long i = 0; i < np; i++) {
					struct bench_zone *bz = &zones[i % nz];
					double x = lon[i], y = lat[i];
					if (x < bz->minx || x > bz->maxx || y < bz->miny || y > bz->maxy)
						continue;
					GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g, x, y);
					in += GEOSPreparedContains_r(g, bz->prep, pt) == 1;
					GEOSGeom_destroy_r(g, pt);
				}
				double raw = (double)np / (seconds_now() - t0);
				if (raw > best_raw)
					best_raw = raw;
				inside_raw = in;
			} else {
				long kin = 0;
				for (long i = 0; i < np; i++)
					kin += geofence_contains(zones[i % nz].fence, lat[i], lon[i]);
				double kadam = (double)np / (seconds_now() - t0);
				if (kadam > best_kadam)
					best_kadam = kadam;
				inside_kadam = kin;
			}
		}
	}
	/* Agreement (the projection to a metric plane may differ from raw degrees only at the very edge). */
	for (long i = 0; i < np && i < 200000; i++) {
		struct bench_zone *bz = &zones[i % nz];
		GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(g, lon[i], lat[i]);
		bool raw_in = GEOSPreparedContains_r(g, bz->prep, pt) == 1;
		GEOSGeom_destroy_r(g, pt);
		if (raw_in != geofence_contains(bz->fence, lat[i], lon[i]))
			mismatches++;
	}
	fprintf(stderr, "zones: %ld zones, %ld points, inside %ld (raw) %ld (geofence)\n", nz, np, inside_raw,
	        inside_kadam);
	printf("zones %.0f %.0f %ld\n", best_raw, best_kadam, mismatches);
	for (long z = 0; z < nz; z++) {
		GEOSPreparedGeom_destroy_r(g, zones[z].prep);
		GEOSGeom_destroy_r(g, zones[z].geom);
		geofence_zone_free(zones[z].fence);
	}
	GEOS_finish_r(g);
	free(zones);
	free(json);
	free(lat);
	free(lon);
	return 0;
}

/* ---- setup and gen ------------------------------------------------------------------------------------------- */

static db *open_db(const char *url)
{
	db *conn;
	char *err = NULL;
	if (db_open(url, &conn, &err) != DB_OK)
		fail("cannot open %s: %s", url, err ? err : "?");
	return conn;
}

static void run_sql(db *conn, const char *what, enum db_status rc)
{
	if (rc != DB_OK && rc != DB_DONE)
		fail("%s: %s", what, db_errmsg(conn));
}

/* One text column of the first row of a query without parameters, into out. */
static void query_text(db *conn, const char *sql, char *out, size_t cap)
{
	db_stmt *st;
	if (db_query(conn, &st, sql, "") != DB_OK)
		fail("%s: %s", sql, db_errmsg(conn));
	if (db_step(st) != DB_ROW)
		fail("%s: no row (did `kadam demo` run on this database?)", sql);
	const char *v = db_column_text(st, 0, NULL);
	snprintf(out, cap, "%s", v ? v : "");
	db_finalize(&st);
}

static int cmd_setup(int argc, char **argv)
{
	if (argc != 3 && argc != 4)
		fail("usage: setup DB DEVICES [ORDERS]");
	long devices = arg_long(argv[2], "DEVICES");
	long orders = argc == 4 ? arg_long(argv[3], "ORDERS") : devices;
	if (orders > devices)
		orders = devices;
	db *conn = open_db(argv[1]);
	char case_id[64], decision_id[64], account[64];
	query_text(conn, "SELECT case_id FROM decision ORDER BY id LIMIT 1", case_id, sizeof case_id);
	db_stmt *st;
	if (db_query(conn, &st, "SELECT id FROM decision WHERE case_id = ? ORDER BY id LIMIT 1", "t", case_id) != DB_OK ||
	    db_step(st) != DB_ROW)
		fail("setup: no decision: %s", db_errmsg(conn));
	snprintf(decision_id, sizeof decision_id, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	query_text(conn, "SELECT id FROM account ORDER BY id LIMIT 1", account, sizeof account);
	int64_t now = clock_now_ms();
	/* Numbers after the devices already there (the demo's): the bench's are model 'bench', IMEIs by index. */
	char base_text[32];
	query_text(conn, "SELECT CAST(COALESCE(MAX(num), 0) AS TEXT) FROM em_device", base_text, sizeof base_text);
	int64_t base = strtoll(base_text, NULL, 10);
	run_sql(conn, "begin", db_begin(conn));
	run_sql(conn, "settings", db_run(conn, NULL, "UPDATE setting SET value = '0' WHERE key = 'em.dwell_s'", ""));
	for (long num = 1; num <= devices; num++) {
		char id[UUID_STR_LEN], imei[16];
		uuid_v7(id);
		bench_imei(num, imei);
		run_sql(conn, "device", db_run(conn, NULL,
		    "INSERT INTO em_device (id, num, kind, identifier, protocol, model, status, created_at, updated_at)"
		    " VALUES (?, ?, 'ankle_tag', ?, 'gt06', 'bench', ?, ?, ?)", "tittii", id, base + num, imei,
		    num <= orders ? "assigned" : "in_stock", now, now));
		if (num > orders)
			continue;
		char order_id[UUID_STR_LEN], fit_id[UUID_STR_LEN], zone_id[UUID_STR_LEN];
		uuid_v7(order_id);
		uuid_v7(fit_id);
		uuid_v7(zone_id);
		run_sql(conn, "order", db_run(conn, NULL,
		    "INSERT INTO em_order (id, case_id, decision_id, mode_curfew, mode_inclusion, mode_exclusion, mode_trail,"
		    " starts_on, ends_on, home_address, home_lat, home_lon, household_effect, status, created_at, created_by,"
		    " updated_at) VALUES (?, ?, ?, 0, 1, 0, 1, '2000-01-01', '2099-12-31', 'Benchmark', ?, ?,"
		    " 'Benchmark order: no household.', 'active', ?, ?, ?)", "tttdditi", order_id, case_id, decision_id,
		    BISHKEK_LAT, BISHKEK_LON, now, account, now));
		run_sql(conn, "fitting", db_run(conn, NULL,
		    "INSERT INTO em_fitting (id, order_id, device_id, fitted_at, fitted_by) VALUES (?, ?, ?, ?, ?)",
		    "tttit", fit_id, order_id, id, (int64_t)946684800000LL, account));
		run_sql(conn, "zone", db_run(conn, NULL,
		    "INSERT INTO em_zone (id, order_id, kind, name, shape, center_lat, center_lon, radius_m, buffer_m, status,"
		    " created_at, updated_at) VALUES (?, ?, 'inclusion', 'Bishkek', 'circle', ?, ?, 30000, 0, 'active', ?, ?)",
		    "ttddii", zone_id, order_id, BISHKEK_LAT, BISHKEK_LON, now, now));
		printf("order %s %lld %s\n", order_id, (long long)(base + num), imei);
	}
	run_sql(conn, "commit", db_commit(conn));
	db_close(&conn);
	return 0;
}

static int cmd_gen(int argc, char **argv)
{
	if (argc != 5)
		fail("usage: gen DB DEVICES DAYS PER_DAY");
	long devices = arg_long(argv[2], "DEVICES"), days = arg_long(argv[3], "DAYS"),
	     per_day = arg_long(argv[4], "PER_DAY");
	if (devices < 1 || per_day < 1)
		fail("gen: DEVICES and PER_DAY must be at least 1");
	db *conn = open_db(argv[1]);
	int64_t *nums = malloc((size_t)devices * sizeof *nums);
	db_stmt *q;
	long have = 0;
	if (!nums || db_query(conn, &q, "SELECT num FROM em_device WHERE model = 'bench' ORDER BY num", "") != DB_OK)
		fail("gen: reading the devices: %s", db_errmsg(conn));
	while (have < devices && db_step(q) == DB_ROW)
		nums[have++] = db_column_int64(q, 0);
	db_finalize(&q);
	if (have < devices)
		fail("gen: only %ld bench devices (run setup with at least %ld)", have, devices);
	int64_t today = clock_now_ms() / DAY_MS * DAY_MS;
	int64_t step = DAY_MS / per_day;
	enum { BATCH = 50000 };
	struct stored_fix *rows = calloc(BATCH, sizeof *rows);
	double *lat = malloc((size_t)devices * sizeof *lat), *lon = malloc((size_t)devices * sizeof *lon);
	if (!rows || !lat || !lon)
		fail("gen: out of memory");
	for (long d = 0; d < devices; d++) {
		lat[d] = BISHKEK_LAT + (rnd() - 0.5) * 0.1;
		lon[d] = BISHKEK_LON + (rnd() - 0.5) * 0.1;
	}
	double t0 = seconds_now();
	long total = 0;
	for (long day = days; day >= 1; day--) {
		int64_t start = today - day * DAY_MS;
		size_t n = 0;
		run_sql(conn, "begin", db_begin(conn));
		/* Every device's k-th fix of the day, then the (k+1)-th: devices interleaved as they arrive. */
		for (long k = 0; k < per_day; k++) {
			for (long d = 0; d < devices; d++) {
				struct stored_fix *r = &rows[n++];
				memset(r, 0, sizeof *r);
				em_fix_init(&r->fix);
				lat[d] += (rnd() - 0.5) * 4e-4;
				lon[d] += (rnd() - 0.5) * 4e-4;
				r->device_num = nums[d];
				r->fix.at_ms = start + k * step + (d * 7919) % (step > 1 ? step - 1 : 1);
				r->received_at = r->fix.at_ms + 900;
				r->fix.has_location = true;
				r->fix.valid = true;
				r->fix.lat = lat[d];
				r->fix.lon = lon[d];
				r->fix.accuracy_m = 5 + rnd() * 20;
				r->fix.speed_kmh = rnd() * 6;
				r->fix.course_deg = (double)(int)(rnd() * 360);
				r->fix.satellites = 9;
				r->fix.battery_pct = 90 - (int)(k * 80 / per_day);
				if (n == BATCH) {
					run_sql(conn, "fixstore_append (is src/em/fixstore.c still a placeholder?)",
					        fixstore_append(conn, rows, n));
					total += (long)n;
					n = 0;
				}
			}
		}
		if (n) {
			run_sql(conn, "fixstore_append", fixstore_append(conn, rows, n));
			total += (long)n;
		}
		run_sql(conn, "commit", db_commit(conn));
		long moved = 0;
		run_sql(conn, "begin", db_begin(conn));
		run_sql(conn, "fixstore_compact", fixstore_compact(conn, &moved));
		run_sql(conn, "commit", db_commit(conn));
		fprintf(stderr, "gen: day -%ld: %ld fixes so far, %.0f s\n", day, total, seconds_now() - t0);
	}
	/* Checks that the packing worked: the inbox is empty and the chunks hold every fix. */
	db_stmt *st;
	if (db_query(conn, &st, "SELECT (SELECT COUNT(*) FROM em_fix_inbox), (SELECT COALESCE(SUM(n), 0) FROM em_fix_chunk)",
	             "") != DB_OK || db_step(st) != DB_ROW)
		fail("gen: counting: %s", db_errmsg(conn));
	int64_t inbox = db_column_int64(st, 0), chunked = db_column_int64(st, 1);
	db_finalize(&st);
	if (chunked < total)
		fail("gen: only %lld of %ld fixes reached em_fix_chunk (%lld still in the inbox): fixstore_compact did not"
		     " pack them", (long long)chunked, total, (long long)inbox);
	printf("gen %ld %.0f\n", total, seconds_now() - t0);
	free(rows);
	free(nums);
	free(lat);
	free(lon);
	db_close(&conn);
	return 0;
}

static int cmd_store(int argc, char **argv)
{
	if (argc != 5)
		fail("usage: store DB DEVICES ROWS ROUNDS");
	long devices = arg_long(argv[2], "DEVICES"), rows = arg_long(argv[3], "ROWS"), rounds = arg_long(argv[4], "ROUNDS");
	if (devices < 1 || rows < 1)
		fail("store: DEVICES and ROWS must be at least 1");
	db *conn = open_db(argv[1]);
	enum { TXN = 10000 };
	struct stored_fix *batch = calloc(TXN, sizeof *batch);
	if (!batch)
		fail("store: out of memory");
	int64_t base = clock_now_ms() / DAY_MS * DAY_MS - DAY_MS;
	double t_append = 0, t_compact = 0;
	long seq = 0;
	for (long r = 0; r < rounds; r++) {
		double t0 = seconds_now();
		for (long done = 0; done < rows;) {
			size_t n = 0;
			for (; n < TXN && done < rows; n++, done++, seq++) {
				struct stored_fix *f = &batch[n];
				memset(f, 0, sizeof *f);
				em_fix_init(&f->fix);
				f->device_num = 1 + seq % devices;
				f->fix.at_ms = base + (seq / devices) * 1000;
				f->received_at = f->fix.at_ms + 800;
				f->fix.has_location = f->fix.valid = true;
				f->fix.lat = BISHKEK_LAT + (double)(seq % 100) * 1e-4;
				f->fix.lon = BISHKEK_LON + (double)(seq % 77) * 1e-4;
				f->fix.accuracy_m = 8;
				f->fix.speed_kmh = 4;
				f->fix.battery_pct = 80;
			}
			run_sql(conn, "begin", db_begin(conn));
			run_sql(conn, "fixstore_append", fixstore_append(conn, batch, n));
			run_sql(conn, "commit", db_commit(conn));
		}
		double t1 = seconds_now();
		long moved = 0;
		run_sql(conn, "begin", db_begin(conn));
		run_sql(conn, "fixstore_compact", fixstore_compact(conn, &moved));
		run_sql(conn, "commit", db_commit(conn));
		double t2 = seconds_now();
		t_append += t1 - t0;
		t_compact += t2 - t1;
		fprintf(stderr, "store: round %ld: append %.3f s, compact %.3f s (%ld moved)\n", r + 1, t1 - t0, t2 - t1, moved);
	}
	printf("store %.0f %.0f\n", (double)(rows * rounds) / t_append, (double)(rows * rounds) / t_compact);
	free(batch);
	db_close(&conn);
	return 0;
}

/* HOST:PORT (IPv4) as a socket address; fails naming the subcommand. */
static struct sockaddr_in ipv4_address(const char *cmd, const char *arg)
{
	char host[64];
	snprintf(host, sizeof host, "%s", arg);
	char *colon = strrchr(host, ':');
	if (!colon)
		fail("%s: HOST:PORT, not '%s'", cmd, arg);
	*colon = '\0';
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(colon + 1))};
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1)
		fail("%s: bad address %s", cmd, host);
	return addr;
}

/* ---- http ---------------------------------------------------------------------------------------------------- */

/* One batch client: a keep-alive connection sending its bodies one after another, each after the last answer. */
struct http_client {
	struct sockaddr_in addr;
	const char *token;
	char **bodies;
	size_t *lens;
	size_t n;
	long stored, duplicates, late;
	char error[300];
};

static void http_fail(struct http_client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void http_fail(struct http_client *c, const char *fmt, ...)
{
	if (c->error[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->error, sizeof c->error, fmt, ap);
	va_end(ap);
}

static bool write_full(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

static void *http_client_main(void *arg)
{
	struct http_client *c = arg;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (fd < 0 || connect(fd, (struct sockaddr *)&c->addr, sizeof c->addr) != 0) {
		http_fail(c, "connect: %s", strerror(errno));
		return NULL;
	}
	char head[512], in[65536];
	for (size_t b = 0; b < c->n && !c->error[0]; b++) {
		int hl = snprintf(head, sizeof head,
		                  "POST /api/v1/em/fixes HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer %s\r\n"
		                  "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", c->token, c->lens[b]);
		if (!write_full(fd, head, (size_t)hl) || !write_full(fd, c->bodies[b], c->lens[b])) {
			http_fail(c, "write: %s", strerror(errno));
			break;
		}
		/* The answer: a status line, headers with Content-Length, a small JSON body. */
		size_t got = 0, need = 0;
		char *body = NULL;
		for (;;) {
			ssize_t r = read(fd, in + got, sizeof in - 1 - got);
			if (r <= 0) {
				http_fail(c, "read: %s", r < 0 ? strerror(errno) : "closed");
				break;
			}
			got += (size_t)r;
			in[got] = '\0';
			if (!body) {
				char *end = strstr(in, "\r\n\r\n");
				if (!end)
					continue;
				body = end + 4;
				char *cl = strcasestr(in, "\r\ncontent-length:");
				if (!cl || cl > end) {
					http_fail(c, "an answer without Content-Length");
					break;
				}
				need = (size_t)(body - in) + strtoul(cl + 17, NULL, 10);
			}
			if (got >= need)
				break;
		}
		if (c->error[0])
			break;
		int status = atoi(in + 9);
		json_error_t err;
		json_t *out = json_loadb(body, need - (size_t)(body - in), 0, &err);
		if (status != 200 || !out) {
			http_fail(c, "POST /api/v1/em/fixes: %d %.200s", status, body);
			json_decref(out);
			break;
		}
		if (json_array_size(json_object_get(out, "refused")))
			http_fail(c, "refused %zu fixes: %.200s", json_array_size(json_object_get(out, "refused")), body);
		c->stored += (long)json_integer_value(json_object_get(out, "stored"));
		c->duplicates += (long)json_integer_value(json_object_get(out, "duplicates"));
		c->late += (long)json_integer_value(json_object_get(out, "late"));
		json_decref(out);
	}
	close(fd);
	return NULL;
}

static int cmd_http(int argc, char **argv)
{
	if (argc < 6)
		fail("usage: http HOST:PORT TOKEN DEVICES TOTAL BASE_MS [CLIENTS] [BATCH]");
	struct sockaddr_in addr = ipv4_address("http", argv[1]);
	long devices = arg_long(argv[3], "DEVICES"), total = arg_long(argv[4], "TOTAL");
	int64_t base = (int64_t)strtoll(argv[5], NULL, 10);
	long clients = argc > 6 ? arg_long(argv[6], "CLIENTS") : 8, batch = argc > 7 ? arg_long(argv[7], "BATCH") : 1000;
	if (devices < 1 || total < 1 || clients < 1 || clients > 256 || batch < 1 || batch > 10000)
		fail("http: DEVICES and TOTAL at least 1, CLIENTS 1-256, BATCH 1-10000");
	/* Client k sends the devices d with d % CLIENTS == k (one device's fixes never in two requests at once); the
	 * bodies are made before the clock starts. */
	struct http_client *cs = calloc((size_t)clients, sizeof *cs);
	size_t per_cap = (size_t)(total / clients / batch + 2);
	char **fill = calloc((size_t)clients, sizeof *fill);
	size_t *fill_len = calloc((size_t)clients, sizeof *fill_len), *fill_n = calloc((size_t)clients, sizeof *fill_n);
	if (!cs || !fill || !fill_len || !fill_n)
		fail("http: out of memory");
	size_t body_cap = (size_t)batch * 200 + 64;
	for (long k = 0; k < clients; k++) {
		cs[k].addr = addr;
		cs[k].token = argv[2];
		cs[k].bodies = calloc(per_cap, sizeof *cs[k].bodies);
		cs[k].lens = calloc(per_cap, sizeof *cs[k].lens);
		if (!cs[k].bodies || !cs[k].lens)
			fail("http: out of memory");
	}
	long made = 0;
	for (long n = 0; made < total; n++) {
		for (long d = 0; d < devices && made < total; d++, made++) {
			long k = d % clients;
			if (!fill[k]) {
				fill[k] = malloc(body_cap);
				if (!fill[k])
					fail("http: out of memory");
				fill_len[k] = (size_t)snprintf(fill[k], body_cap, "{\"fixes\":[");
				fill_n[k] = 0;
			}
			char imei[16];
			bench_imei(d + 1, imei);
			fill_len[k] += (size_t)snprintf(fill[k] + fill_len[k], body_cap - fill_len[k],
				"%s{\"device\":\"%s\",\"at\":%lld,\"lat\":%.6f,\"lon\":%.6f,\"accuracy_m\":8,\"speed_kmh\":4,"
				"\"battery_pct\":80}", fill_n[k] ? "," : "", imei, (long long)(base + n * 1000),
				BISHKEK_LAT + (double)(d % 100) * 1e-3 + (double)(n % 10) * 1e-5,
				BISHKEK_LON + (double)(d / 100 % 100) * 1e-3);
			if (++fill_n[k] == (size_t)batch || made + 1 == total) {
				fill_len[k] += (size_t)snprintf(fill[k] + fill_len[k], body_cap - fill_len[k], "]}");
				if (cs[k].n == per_cap)
					fail("http: more batches than planned");
				cs[k].bodies[cs[k].n] = fill[k];
				cs[k].lens[cs[k].n++] = fill_len[k];
				fill[k] = NULL;
			}
		}
	}
	/* Batches left part-filled when TOTAL ran out on another client's device. */
	for (long k = 0; k < clients; k++)
		if (fill[k]) {
			fill_len[k] += (size_t)snprintf(fill[k] + fill_len[k], body_cap - fill_len[k], "]}");
			cs[k].bodies[cs[k].n] = fill[k];
			cs[k].lens[cs[k].n++] = fill_len[k];
		}
	pthread_t *threads = calloc((size_t)clients, sizeof *threads);
	double t0 = seconds_now();
	for (long k = 0; k < clients; k++)
		if (pthread_create(&threads[k], NULL, http_client_main, &cs[k]) != 0)
			fail("http: pthread_create");
	long stored = 0, duplicates = 0, late = 0;
	size_t batches = 0;
	for (long k = 0; k < clients; k++) {
		pthread_join(threads[k], NULL);
		if (cs[k].error[0])
			fail("http: client %ld: %s", k, cs[k].error);
		stored += cs[k].stored;
		duplicates += cs[k].duplicates;
		late += cs[k].late;
		batches += cs[k].n;
	}
	double secs = seconds_now() - t0;
	if (stored + duplicates < total)
		fail("http: only %ld of %ld fixes stored (%ld duplicates)", stored, total, duplicates);
	fprintf(stderr, "http: %ld fixes in %zu batches of up to %ld from %ld clients in %.1f s; stored %ld, duplicates %ld,"
	        " late %ld\n", total, batches, batch, clients, secs, stored, duplicates, late);
	printf("http %.0f\n", (double)total / secs);
	for (long k = 0; k < clients; k++) {
		for (size_t b = 0; b < cs[k].n; b++)
			free(cs[k].bodies[b]);
		free(cs[k].bodies);
		free(cs[k].lens);
	}
	free(cs);
	free(fill);
	free(fill_len);
	free(fill_n);
	free(threads);
	return 0;
}

/* ---- gt06 ---------------------------------------------------------------------------------------------------- */

struct conn {
	int fd;
	long num;
	int state;            /* 0 connecting, 1 logging in, 2 sending, 3 done */
	long sent, acked;
	uint16_t serial;
	uint8_t in[256];
	size_t inlen;
};

static void set_nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void send_all(struct conn *c, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(c->fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			fail("gt06: device %ld: write: %s", c->num, w < 0 ? strerror(errno) : "closed");
		off += (size_t)w;
	}
}

/* Sends the connection's next count locations in one write (a device sending its stored positions after a gap
 * writes them back to back). */
static void send_locations(struct conn *c, int64_t base_ms, long count)
{
	uint8_t frames[128 * 16];
	size_t off = 0;
	for (long k = 0; k < count && k < 16; k++) {
		struct em_fix f;
		em_fix_init(&f);
		f.has_location = true;
		f.valid = true;
		f.at_ms = base_ms + c->sent * 1000;
		f.lat = BISHKEK_LAT + (double)(c->num % 100) * 1e-3 + (double)(c->sent % 10) * 1e-5;
		f.lon = BISHKEK_LON + (double)(c->num / 100 % 100) * 1e-3;
		f.speed_kmh = 4;
		f.course_deg = 90;
		f.satellites = 9;
		size_t len = gt06_encode_location(&f, ++c->serial, frames + off, 128);
		if (len == 0)
			fail("gt06: gt06_encode_location made nothing (is src/em/protocols/gt06.c still a placeholder?)");
		off += len;
		c->sent++;
	}
	send_all(c, frames, off);
}

static int cmd_gt06(int argc, char **argv)
{
	if (argc < 5)
		fail("usage: gt06 HOST:PORT CONNECTIONS FIXES_PER_CONNECTION BASE_MS [--idle | --window W]");
	struct sockaddr_in addr = ipv4_address("gt06", argv[1]);
	long n = arg_long(argv[2], "CONNECTIONS"), per = arg_long(argv[3], "FIXES_PER_CONNECTION");
	int64_t base_ms = (int64_t)strtoll(argv[4], NULL, 10);
	bool idle = argc > 5 && strcmp(argv[5], "--idle") == 0;
	long window = 1;
	if (argc > 6 && strcmp(argv[5], "--window") == 0)
		window = arg_long(argv[6], "WINDOW");
	if (window < 1 || window > 16)
		fail("gt06: WINDOW must be 1 to 16");
	struct conn *conns = calloc((size_t)n, sizeof *conns);
	int ep = epoll_create1(0);
	if (!conns || ep < 0)
		fail("gt06: setup: %s", strerror(errno));
	long opened = 0, logged_in = 0, done = 0, pending_connects = 0;
	double t_start = 0, t0 = seconds_now();
	struct epoll_event evs[512];
	while (done < n) {
		/* Opens connections in waves (the listen backlog is finite). */
		while (opened < n && pending_connects < 256) {
			struct conn *c = &conns[opened];
			c->num = opened + 1;
			c->fd = socket(AF_INET, SOCK_STREAM, 0);
			if (c->fd < 0)
				fail("gt06: socket %ld: %s (raise ulimit -n)", c->num, strerror(errno));
			int one = 1;
			setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			set_nonblock(c->fd);
			if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS)
				fail("gt06: connect %ld: %s", c->num, strerror(errno));
			struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.ptr = c};
			epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
			opened++;
			pending_connects++;
		}
		int k = epoll_wait(ep, evs, 512, 30000);
		if (k == 0)
			fail("gt06: no answer for 30 s (%ld connected and logged in of %ld, %ld done)", logged_in, n, done);
		for (int i = 0; i < k; i++) {
			struct conn *c = evs[i].data.ptr;
			if (c->state == 0) {
				int err = 0;
				socklen_t el = sizeof err;
				getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
				if (err)
					fail("gt06: connect %ld: %s", c->num, strerror(err));
				pending_connects--;
				char imei[16];
				bench_imei(c->num, imei);
				uint8_t frame[64];
				size_t len = gt06_encode_login(imei, ++c->serial, frame, sizeof frame);
				if (len == 0)
					fail("gt06: gt06_encode_login made nothing (is src/em/protocols/gt06.c still a placeholder?)");
				send_all(c, frame, len);
				c->state = 1;
				struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				continue;
			}
			ssize_t r = read(c->fd, c->in + c->inlen, sizeof c->in - c->inlen);
			if (r == 0)
				fail("gt06: device %ld: the server closed the connection (state %d, %ld sent, %ld acked)", c->num,
				     c->state, c->sent, c->acked);
			if (r < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				fail("gt06: device %ld: read: %s", c->num, strerror(errno));
			}
			c->inlen += (size_t)r;
			/* Acks: 0x7878 LEN PROTO SERIAL(2) CRC(2) 0x0D0A. */
			while (c->inlen >= 5) {
				if (c->in[0] != 0x78 || c->in[1] != 0x78)
					fail("gt06: device %ld: not an acknowledgement", c->num);
				size_t flen = (size_t)c->in[2] + 5;
				if (c->inlen < flen)
					break;
				uint8_t proto = c->in[3];
				memmove(c->in, c->in + flen, c->inlen - flen);
				c->inlen -= flen;
				if (c->state == 1 && proto == 0x01) {
					c->state = 2;
					logged_in++;
					if (idle) {
						if (logged_in == n) {
							printf("ready %ld\n", n);
							fflush(stdout);
							char b[64];
							while (read(0, b, sizeof b) > 0) {
							}
							for (long j = 0; j < n; j++)
								close(conns[j].fd);
							return 0;
						}
						continue;
					}
					if (logged_in == n)
						t_start = seconds_now();
					if (t_start == 0)
						continue;  /* locations start once every device is logged in */
				} else if (c->state == 2) {
					c->acked++;
				}
			}
			/* The acknowledgements read, the window is topped up in one write. */
			if (c->state == 2 && t_start != 0 && c->sent < per && c->sent - c->acked < window) {
				long room = window - (c->sent - c->acked);
				send_locations(c, base_ms, per - c->sent < room ? per - c->sent : room);
			} else if (c->state == 2 && c->acked >= per) {
				c->state = 3;
				done++;
			}
		}
		if (t_start != 0 && logged_in == n && !idle) {
			/* Everyone logged in: start those that were waiting. */
			static bool started;
			if (!started) {
				started = true;
				fprintf(stderr, "gt06: %ld connections logged in in %.1f s\n", n, seconds_now() - t0);
				for (long j = 0; per > 0 && j < n; j++)
					if (conns[j].state == 2 && conns[j].sent == 0)
						send_locations(&conns[j], base_ms, per < window ? per : window);
			}
		}
		if (per == 0 && logged_in == n && !idle)
			break;
	}
	double secs = seconds_now() - t_start;
	long acked = 0;
	for (long j = 0; j < n; j++) {
		acked += conns[j].acked;
		close(conns[j].fd);
	}
	printf("gt06 %.0f %ld\n", (double)acked / secs, acked);
	free(conns);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		fail("usage: kadam-bench-em raw|zones|setup|gen|store|gt06 ...");
	const char *cmd = argv[1];
	if (strcmp(cmd, "raw") == 0)
		return cmd_raw(argc - 1, argv + 1);
	if (strcmp(cmd, "zones") == 0)
		return cmd_zones(argc - 1, argv + 1);
	if (strcmp(cmd, "setup") == 0)
		return cmd_setup(argc - 1, argv + 1);
	if (strcmp(cmd, "gen") == 0)
		return cmd_gen(argc - 1, argv + 1);
	if (strcmp(cmd, "gt06") == 0)
		return cmd_gt06(argc - 1, argv + 1);
	if (strcmp(cmd, "store") == 0)
		return cmd_store(argc - 1, argv + 1);
	if (strcmp(cmd, "http") == 0)
		return cmd_http(argc - 1, argv + 1);
	fail("unknown subcommand '%s' (raw, zones, setup, gen, store, gt06, http)", cmd);
}
