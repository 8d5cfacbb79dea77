/* Unit tests for src/em/evaluate: hysteresis at a zone's edge, dwell, episodes, restart safety, exclusion and
   buffer, curfew with grace, device events and silence, on a fresh SQLite database with rows inserted by SQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/recurrence.h"
#include "em/evaluate.h"
#include "store/db.h"

#define SQUARE \
	"{\"type\":\"Polygon\",\"coordinates\":[[[74.58,42.87],[74.60,42.87],[74.60,42.88],[74.58,42.88],[74.58,42.87]]]}"
#define HOME_LAT 42.875
#define HOME_LON 74.59

/* ---- helpers -------------------------------------------------------- */

static db *fresh_db(void)
{
	db *conn = NULL;
	char *error = NULL;
	if (db_open("sqlite::memory:", &conn, &error) != DB_OK || db_migrate(conn, NULL, &error) != DB_OK)
		fail_msg("cannot open a database: %s", error ? error : "");
	/* The order stands on a minimal case: no person, decision or account rows behind it. */
	assert_int_equal(db_exec(conn, "PRAGMA foreign_keys = OFF"), DB_OK);
	assert_int_equal(db_exec(conn,
		"INSERT INTO agency (id, name, kind, created_at, updated_at) VALUES ('agency-1', 'Probation', 'probation', 1, 1);"
		"INSERT INTO unit (id, agency_id, name, created_at, updated_at) VALUES ('unit-1', 'agency-1', 'Unit', 1, 1);"
		"INSERT INTO case_file (id, number, person_id, kind, unit_id, status, opened_on, open_reason, created_at,"
		" updated_at) VALUES ('case-1', '2026-000001', 'person-1', 'executive', 'unit-1', 'open', '2026-01-01', 'x',"
		" 1, 1);"
		"INSERT INTO em_device (id, num, kind, identifier, protocol, status, created_at, updated_at) VALUES"
		" ('00000000-0000-7000-8000-000000000001', 1, 'ankle_tag', '359000000000001', 'gt06', 'assigned', 1, 1);"
		"INSERT INTO em_order (id, case_id, decision_id, mode_curfew, mode_inclusion, mode_exclusion, mode_trail,"
		" starts_on, ends_on, home_lat, home_lon, home_radius_m, household_effect, curfew_grace_min, created_at,"
		" updated_at) VALUES ('00000000-0000-7000-8000-0000000000a1', 'case-1', 'decision-1', 1, 1, 1, 1,"
		" '2026-01-01', '2026-12-31', 42.875, 74.59, 50, 'Lives alone', 10, 1, 1);"
		"INSERT INTO em_fitting (id, order_id, device_id, fitted_at, fitted_by) VALUES ('fitting-1',"
		" '00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-000000000001', 1, 'account-1');"), DB_OK);
	assert_int_equal(db_run(conn, NULL,
		"INSERT INTO em_zone (id, order_id, kind, name, shape, geojson, created_at, updated_at) VALUES"
		" ('00000000-0000-7000-8000-0000000000b1', '00000000-0000-7000-8000-0000000000a1', 'inclusion',"
		" 'Home district', 'polygon', ?, 1, 1)", "t", SQUARE), DB_OK);
	/* An exclusion zone well away from the square: a circle of 100 m with a 200 m buffer. */
	assert_int_equal(db_exec(conn,
		"INSERT INTO em_zone (id, order_id, kind, name, shape, center_lat, center_lon, radius_m, buffer_m,"
		" created_at, updated_at) VALUES ('00000000-0000-7000-8000-0000000000b2',"
		" '00000000-0000-7000-8000-0000000000a1', 'exclusion', 'School', 'circle', 42.875, 74.595, 100, 200, 1, 1)"),
		DB_OK);
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

static int64_t alerts(db *conn, const char *rule)
{
	db_stmt *st = NULL;
	assert_int_equal(db_query(conn, &st, "SELECT COUNT(*) FROM alert WHERE rule_code = ? AND source = 'device'",
	                          "t", rule), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	db_finalize(&st);
	return n;
}

/* Local time in Bishkek as ms. */
static int64_t local(const char *t)
{
	int64_t ms = 0;
	assert_true(local_to_utc_ms(t, "Asia/Bishkek", &ms));
	return ms;
}

/* Longitude of a point m metres east of the square's east edge (west when negative), at HOME_LAT. */
static double east_of_edge(double m)
{
	return 74.60 + m / (cos(HOME_LAT * M_PI / 180) * 111320.0);
}

static struct stored_fix fix_at(int64_t at, double lat, double lon, double acc)
{
	struct stored_fix f;
	memset(&f, 0, sizeof f);
	f.device_num = 1;
	f.received_at = at + 500;
	f.fix.at_ms = at;
	f.fix.has_location = true;
	f.fix.valid = true;
	f.fix.lat = lat;
	f.fix.lon = lon;
	f.fix.accuracy_m = acc;
	f.fix.speed_kmh = NAN;
	f.fix.course_deg = NAN;
	f.fix.altitude_m = NAN;
	f.fix.satellites = -1;
	f.fix.battery_pct = -1;
	return f;
}

/* Evaluates fixes one batch at a time (batch fixes per call); returns alerts raised. */
static long run(struct em_eval *ev, db *conn, struct stored_fix *fixes, size_t n, size_t batch)
{
	long total = 0;
	for (size_t i = 0; i < n; i += batch) {
		size_t k = n - i < batch ? n - i : batch;
		long raised = 0;
		assert_int_equal(em_eval_batch(ev, conn, fixes + i, k, fixes[i + k - 1].fix.at_ms + 1000, &raised), DB_OK);
		total += raised;
	}
	return total;
}

/* A day-time walk (no curfew window): fixes every 15 s from start, m metres from the east edge each. */
static size_t walk(struct stored_fix *out, int64_t start, const double *metres, size_t n, double acc)
{
	for (size_t i = 0; i < n; i++)
		out[i] = fix_at(start + (int64_t)i * 15000, HOME_LAT + 0.003, east_of_edge(metres[i]), acc);
	return n;
}

/* ---- zones ---------------------------------------------------------- */

static void jitter_at_the_edge_does_not_flap(void **state)
{
	(void)state;
	db *conn = fresh_db();
	struct em_eval *ev = em_eval_new();
	double m[50];
	for (int i = 0; i < 50; i++)
		m[i] = i % 2 ? 10 : -10;
	struct stored_fix f[50];
	walk(f, local("2026-03-02T12:00"), m, 50, 15);
	assert_int_equal(run(ev, conn, f, 50, 7), 0);
	assert_int_equal(alerts(conn, "em.inclusion_exit"), 0);
	/* Even 30 m out with 15 m accuracy stays within accuracy + margin (35 m). */
	for (int i = 0; i < 50; i++)
		m[i] = i % 2 ? 30 : -12;
	walk(f, local("2026-03-02T13:00"), m, 50, 15);
	assert_int_equal(run(ev, conn, f, 50, 1), 0);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM alert"), 0);
	em_eval_free(&ev);
	db_close(&conn);
}

static void walk_out_back_and_out_again(void **state)
{
	(void)state;
	db *conn = fresh_db();
	struct em_eval *ev = em_eval_new();
	/* Inside, then 100 m out for 2 minutes: one alert after the 60 s dwell, not one per fix. */
	double m[] = {-200, -100, 100, 100, 100, 100, 100, 100, 100, 100, 100};
	struct stored_fix f[16];
	size_t n = walk(f, local("2026-03-02T12:00"), m, sizeof m / sizeof m[0], 10);
	/* The dwell: out at 12:00:30 and 12:00:45 -> not yet; 12:01:30 is 60 s after the first out fix. */
	assert_int_equal(run(ev, conn, f, 5, 5), 0);
	assert_int_equal(run(ev, conn, f + 5, n - 5, 2), 1);
	assert_int_equal(alerts(conn, "em.inclusion_exit"), 1);
	/* The evidence names the order, the zone, the episode's start and its fixes; the fix store holds the day. */
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM alert WHERE evidence LIKE '%\"zone_id\":\"00000000-0000-7000-8000-0000000000b1\"%'"
	                             " AND evidence LIKE '%\"order_id\":\"00000000-0000-7000-8000-0000000000a1\"%'"
	                             " AND evidence LIKE '%\"fixes\":[{%' AND case_id = 'case-1'"
	                             " AND summary LIKE 'Left inclusion zone ''Home district'' for % min'"), 1);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_fix_hold"), 1);
	/* A restart: the state is read back and the open episode is not raised again. */
	em_eval_free(&ev);
	ev = em_eval_new();
	double more[] = {120, 130, 140, 120};
	n = walk(f, local("2026-03-02T12:10"), more, 4, 10);
	assert_int_equal(run(ev, conn, f, n, 2), 0);
	/* Back in by more than the accuracy ends the episode; out again for the dwell is a second one. */
	double again[] = {-50, -40, 80, 80, 80, 80, 80, 80};
	n = walk(f, local("2026-03-02T12:20"), again, 8, 10);
	assert_int_equal(run(ev, conn, f, n, 3), 1);
	assert_int_equal(alerts(conn, "em.inclusion_exit"), 2);
	/* Fixes in between (inside by less than the accuracy) do not end an episode. */
	double between[] = {-5, 80, -8, 80, 80, 80, 80, 80, 80};
	n = walk(f, local("2026-03-02T12:30"), between, 9, 10);
	assert_int_equal(run(ev, conn, f, n, 1), 0);
	em_eval_free(&ev);
	db_close(&conn);
}

static void late_fixes_are_not_evaluated(void **state)
{
	(void)state;
	db *conn = fresh_db();
	struct em_eval *ev = em_eval_new();
	double m[] = {100, 100, 100, 100, 100, 100, 100};
	struct stored_fix f[8];
	size_t n = walk(f, local("2026-03-02T12:00"), m, 7, 10);
	for (size_t i = 0; i < n; i++)
		f[i].flags = EM_FIX_LATE;
	assert_int_equal(run(ev, conn, f, n, 7), 0);
	em_eval_free(&ev);
	db_close(&conn);
}

static void exclusion_entry_and_buffer(void **state)
{
	(void)state;
	db *conn = fresh_db();
	struct em_eval *ev = em_eval_new();
	/* Towards the school (centre 74.595): 250 m from its edge, then 100 m (in the buffer), then the centre. */
	double k = cos(HOME_LAT * M_PI / 180) * 111320.0;
	double dist_m[] = {350, 200, 200, 0, 0, 0, 0, 0, 0, 0};
	struct stored_fix f[10];
	int64_t t0 = local("2026-03-02T12:00");
	for (int i = 0; i < 10; i++)
		f[i] = fix_at(t0 + i * 15000, HOME_LAT, 74.595 - dist_m[i] / k, 10);
	assert_int_equal(run(ev, conn, f, 10, 2), 2);
	assert_int_equal(alerts(conn, "em.buffer"), 1);
	assert_int_equal(alerts(conn, "em.exclusion_entry"), 1);
	assert_int_equal(alerts(conn, "em.inclusion_exit"), 0); /* the school is inside the home district */
	em_eval_free(&ev);
	db_close(&conn);
}

/* ---- curfew --------------------------------------------------------- */

static void curfew_absence_after_grace(void **state)
{
	(void)state;
	db *conn = fresh_db();
	assert_int_equal(db_exec(conn, "INSERT INTO em_curfew_window (id, order_id, days, start_time, end_time) VALUES"
	                               " ('cw-1', '00000000-0000-7000-8000-0000000000a1', 'MO,TU,WE,TH,FR,SA,SU',"
	                               " '22:00', '06:00')"), DB_OK);
	struct em_eval *ev = em_eval_new();
	/* Away 500 m before the window: nothing; at home 22:05; away from 22:30 every minute until 22:45. */
	struct stored_fix f[32];
	size_t n = 0;
	f[n++] = fix_at(local("2026-03-02T21:30"), HOME_LAT + 0.0045, HOME_LON, 10);
	f[n++] = fix_at(local("2026-03-02T22:05"), HOME_LAT, HOME_LON, 10);
	int64_t away = local("2026-03-02T22:30");
	for (int i = 0; i <= 15; i++)
		f[n++] = fix_at(away + i * 60000LL, HOME_LAT + 0.0045, HOME_LON, 10);
	/* Up to 22:39 (9 minutes away): within the grace. */
	assert_int_equal(run(ev, conn, f, 12, 4), 0);
	assert_int_equal(run(ev, conn, f + 12, n - 12, 4), 1);
	assert_int_equal(alerts(conn, "em.curfew_absence"), 1);
	/* The next night the same again is a second episode. */
	n = 0;
	int64_t night = local("2026-03-03T23:00");
	for (int i = 0; i <= 12; i++)
		f[n++] = fix_at(night + i * 60000LL, HOME_LAT + 0.0045, HOME_LON, 10);
	assert_int_equal(run(ev, conn, f, n, 5), 1);
	/* An approved absence suspends the curfew. */
	assert_int_equal(db_run(conn, NULL, "INSERT INTO em_absence (id, order_id, starts_at, ends_at, reason, approved_by,"
	                                    " approved_at) VALUES ('abs-1', '00000000-0000-7000-8000-0000000000a1', ?, ?,"
	                                    " 'Hospital', 'account-1', 1)", "ii",
	                        local("2026-03-04T21:00"), local("2026-03-05T03:00")), DB_OK);
	em_eval_invalidate(ev);
	n = 0;
	night = local("2026-03-04T23:00");
	for (int i = 0; i <= 20; i++)
		f[n++] = fix_at(night + i * 60000LL, HOME_LAT + 0.0045, HOME_LON, 10);
	assert_int_equal(run(ev, conn, f, n, 5), 0);
	assert_int_equal(alerts(conn, "em.curfew_absence"), 2);
	em_eval_free(&ev);
	db_close(&conn);
}

/* ---- events and silence --------------------------------------------- */

static void events_recorded_and_deduplicated(void **state)
{
	(void)state;
	db *conn = fresh_db();
	struct em_eval *ev = em_eval_new();
	int64_t t0 = local("2026-03-02T12:00");
	struct stored_fix f[4];
	f[0] = fix_at(t0, HOME_LAT, HOME_LON, 10);
	f[0].fix.events = EM_EV_STRAP_TAMPER;
	f[1] = fix_at(t0 + 5 * 60000, HOME_LAT, HOME_LON, 10);
	f[1].fix.events = EM_EV_STRAP_TAMPER | EM_EV_HEARTBEAT;
	/* An event-only message: no location. */
	f[2] = fix_at(t0 + 6 * 60000, 0, 0, NAN);
	f[2].fix.has_location = false;
	f[2].fix.events = EM_EV_POWER_RESTORED | EM_EV_SOS;
	f[3] = fix_at(t0 + 30 * 60000, HOME_LAT, HOME_LON, 10);
	f[3].fix.events = EM_EV_STRAP_TAMPER;
	assert_int_equal(run(ev, conn, f, 2, 2), 1);
	assert_int_equal(run(ev, conn, f + 2, 2, 1), 2);
	assert_int_equal(alerts(conn, "em.strap_tamper"), 2);
	assert_int_equal(alerts(conn, "em.sos"), 1);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM alert WHERE rule_code = 'em.power_restored'"), 0);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_device_event"), 5);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_device_event WHERE event = 'strap_tamper'"
	                             " AND alert_id IS NOT NULL"), 3);
	assert_int_equal(count(conn, "SELECT COUNT(DISTINCT alert_id) FROM em_device_event WHERE event = 'strap_tamper'"), 2);
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_device_event WHERE event = 'power_restored'"
	                             " AND alert_id IS NULL AND lat IS NULL"), 1);
	em_eval_free(&ev);
	db_close(&conn);
}

/* The job as the scheduler runs it: in a transaction. */
static enum db_status silence(db *conn, int64_t now, long *raised_r)
{
	assert_int_equal(db_begin(conn), DB_OK);
	enum db_status rc = em_silence_job(conn, now, raised_r);
	if (rc != DB_OK)
		fail_msg("silence: %s", db_errmsg(conn));
	return db_commit(conn);
}

static void silence_once_per_silence(void **state)
{
	(void)state;
	db *conn = fresh_db();
	int64_t now = local("2026-03-02T12:00");
	/* Last fix 20 minutes ago, last message 10 minutes ago: no location (15 min), contact still fine (30 min). */
	assert_int_equal(db_run(conn, NULL, "UPDATE em_device SET last_fix_at = ?, last_seen_at = ?", "ii",
	                        now - 20 * 60000LL, now - 10 * 60000LL), DB_OK);
	long raised = 0;
	assert_int_equal(silence(conn, now, &raised), DB_OK);
	assert_int_equal(raised, 1);
	assert_int_equal(silence(conn, now + 60000, &raised), DB_OK);
	assert_int_equal(raised, 0);
	assert_int_equal(alerts(conn, "em.no_location"), 1);
	/* 40 minutes later with nothing heard: no contact, once. */
	assert_int_equal(silence(conn, now + 40 * 60000LL, &raised), DB_OK);
	assert_int_equal(raised, 1);
	assert_int_equal(alerts(conn, "em.no_contact"), 1);
	/* A new fix and then silence again is a new silence. */
	assert_int_equal(db_run(conn, NULL, "UPDATE em_device SET last_fix_at = ?, last_seen_at = ?", "ii",
	                        now + 41 * 60000LL, now + 41 * 60000LL), DB_OK);
	assert_int_equal(silence(conn, now + 50 * 60000LL, &raised), DB_OK);
	assert_int_equal(raised, 0);
	assert_int_equal(silence(conn, now + 60 * 60000LL, &raised), DB_OK);
	assert_int_equal(raised, 1);
	assert_int_equal(alerts(conn, "em.no_location"), 2);
	/* A removed device is not watched. */
	assert_int_equal(db_exec(conn, "UPDATE em_fitting SET removed_at = 1"), DB_OK);
	assert_int_equal(silence(conn, now + 200 * 60000LL, &raised), DB_OK);
	assert_int_equal(raised, 0);
	db_close(&conn);
}

static void unfitted_device_is_not_evaluated(void **state)
{
	(void)state;
	db *conn = fresh_db();
	assert_int_equal(db_exec(conn, "UPDATE em_fitting SET removed_at = 1"), DB_OK);
	struct em_eval *ev = em_eval_new();
	double m[] = {100, 100, 100, 100, 100, 100, 100};
	struct stored_fix f[8];
	size_t n = walk(f, local("2026-03-02T12:00"), m, 7, 10);
	f[0].fix.events = EM_EV_SOS;
	assert_int_equal(run(ev, conn, f, n, 7), 0);
	/* The event is recorded all the same, with no alert. */
	assert_int_equal(count(conn, "SELECT COUNT(*) FROM em_device_event WHERE alert_id IS NULL"), 1);
	em_eval_free(&ev);
	db_close(&conn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jitter_at_the_edge_does_not_flap),
		cmocka_unit_test(walk_out_back_and_out_again),
		cmocka_unit_test(late_fixes_are_not_evaluated),
		cmocka_unit_test(exclusion_entry_and_buffer),
		cmocka_unit_test(curfew_absence_after_grace),
		cmocka_unit_test(events_recorded_and_deduplicated),
		cmocka_unit_test(silence_once_per_silence),
		cmocka_unit_test(unfitted_device_is_not_evaluated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
