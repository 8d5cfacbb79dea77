/* Unit tests for src/em/geofence (zones, distances, the STRtree) and src/em/curfew (weekly windows in local time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "domain/recurrence.h"
#include "em/curfew.h"
#include "em/geofence.h"

/* ---- helpers -------------------------------------------------------- */

static struct geofence_zone *polygon(const char *geojson)
{
	char err[200] = "";
	struct geofence_zone *z = geofence_polygon(geojson, strlen(geojson), err, sizeof err);
	if (z == NULL)
		fail_msg("zone refused: %s (%s)", err, geojson);
	return z;
}

/* Great-circle distance (haversine, mean Earth radius), the hand computation the zones are checked against. */
static double haversine(double lat1, double lon1, double lat2, double lon2)
{
	double r = M_PI / 180.0;
	double dlat = (lat2 - lat1) * r, dlon = (lon2 - lon1) * r;
	double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * r) * cos(lat2 * r) * sin(dlon / 2) * sin(dlon / 2);
	return 2 * 6371008.8 * asin(sqrt(a));
}

static void assert_within_pct(double got, double want, double pct)
{
	if (fabs(got - want) > fabs(want) * pct / 100.0)
		fail_msg("%.3f is not within %.1f%% of %.3f", got, pct, want);
}

/* A square around Bishkek's centre: 74.58..74.60 E, 42.87..42.88 N. */
static const char *square =
	"{\"type\":\"Polygon\",\"coordinates\":[[[74.58,42.87],[74.60,42.87],[74.60,42.88],[74.58,42.88],[74.58,42.87]]]}";

/* ---- polygons ------------------------------------------------------- */

static void square_contains_and_distances(void **state)
{
	(void)state;
	struct geofence_zone *z = polygon(square);
	assert_true(geofence_contains(z, 42.875, 74.59));
	assert_false(geofence_contains(z, 42.875, 74.61));
	assert_false(geofence_contains(z, 42.89, 74.59));
	/* 0.001 degree north of the top edge: the hand computation. */
	double want = haversine(42.88, 74.59, 42.881, 74.59);
	assert_within_pct(geofence_distance(z, 42.881, 74.59, 500), want, 1.0);
	/* Inside, 0.001 degree south of the top edge: negative. */
	assert_within_pct(geofence_distance(z, 42.879, 74.59, 500), -haversine(42.88, 74.59, 42.879, 74.59), 1.0);
	/* East of the east edge by 0.002 degree of longitude. */
	assert_within_pct(geofence_distance(z, 42.875, 74.602, 500), haversine(42.875, 74.60, 42.875, 74.602), 1.0);
	/* Far away: only the sign and beyond near_m. */
	double far = geofence_distance(z, 43.5, 75.5, 100);
	assert_true(far > 100);
	geofence_zone_free(z);
}

static void concave_polygon(void **state)
{
	(void)state;
	/* A U shape: the notch (74.585..74.595, 42.875..42.88) is outside. */
	struct geofence_zone *z = polygon(
		"{\"type\":\"Polygon\",\"coordinates\":[[[74.58,42.87],[74.60,42.87],[74.60,42.88],[74.595,42.88],"
		"[74.595,42.875],[74.585,42.875],[74.585,42.88],[74.58,42.88],[74.58,42.87]]]}");
	assert_true(geofence_contains(z, 42.872, 74.59));
	assert_false(geofence_contains(z, 42.878, 74.59)); /* inside the box, in the notch */
	assert_true(geofence_contains(z, 42.878, 74.582));
	assert_true(geofence_distance(z, 42.878, 74.59, 1000) > 0);
	geofence_zone_free(z);
}

static void polygon_with_hole(void **state)
{
	(void)state;
	struct geofence_zone *z = polygon(
		"{\"type\":\"Polygon\",\"coordinates\":[[[74.58,42.87],[74.60,42.87],[74.60,42.88],[74.58,42.88],[74.58,42.87]],"
		"[[74.588,42.874],[74.592,42.874],[74.592,42.876],[74.588,42.876],[74.588,42.874]]]}");
	assert_false(geofence_contains(z, 42.875, 74.59));
	assert_true(geofence_contains(z, 42.871, 74.59));
	/* The hole's centre is 0.001 degree from its north and south edges: outside by that much. */
	assert_within_pct(geofence_distance(z, 42.875, 74.59, 500), haversine(42.875, 74.59, 42.876, 74.59), 1.0);
	geofence_zone_free(z);
}

static void antimeridian_polygon_both_forms(void **state)
{
	(void)state;
	/* Chukotka-like zone from 179.9 E to 179.9 W, 65.0 to 65.1 N: once with longitudes past 180, once split. */
	const char *crossing =
		"{\"type\":\"Polygon\",\"coordinates\":[[[179.9,65.0],[180.1,65.0],[180.1,65.1],[179.9,65.1],[179.9,65.0]]]}";
	const char *split =
		"{\"type\":\"MultiPolygon\",\"coordinates\":["
		"[[[179.9,65.0],[180.0,65.0],[180.0,65.1],[179.9,65.1],[179.9,65.0]]],"
		"[[[-180.0,65.0],[-179.9,65.0],[-179.9,65.1],[-180.0,65.1],[-180.0,65.0]]]]}";
	const char *forms[] = {crossing, split};
	for (int i = 0; i < 2; i++) {
		struct geofence_zone *z = polygon(forms[i]);
		assert_true(geofence_contains(z, 65.05, 179.95));
		assert_true(geofence_contains(z, 65.05, -179.95));
		assert_true(geofence_contains(z, 65.05, 180.0));
		assert_true(geofence_contains(z, 65.05, -180.0));
		assert_false(geofence_contains(z, 65.05, 0.0));
		assert_false(geofence_contains(z, 65.05, 179.8));
		assert_false(geofence_contains(z, 65.05, -179.8));
		/* One piece: the middle (on ±180) is 0.1 degree of longitude (4.7 km) from the east and west edges and
		   0.05 degree of latitude (5.5 km) from the others, not next to a seam. */
		assert_within_pct(geofence_distance(z, 65.05, 180.0, 10000), -haversine(65.05, 180.0, 65.05, 179.9), 1.0);
		/* 0.05 degree of longitude east of the east edge. */
		assert_within_pct(geofence_distance(z, 65.05, -179.85, 10000), haversine(65.05, -179.9, 65.05, -179.85), 1.0);
		geofence_zone_free(z);
	}
}

static void prime_meridian_polygon(void **state)
{
	(void)state;
	/* London across Greenwich: -0.01..0.01 E. */
	struct geofence_zone *z = polygon(
		"{\"type\":\"Polygon\",\"coordinates\":[[[-0.01,51.47],[0.01,51.47],[0.01,51.48],[-0.01,51.48],[-0.01,51.47]]]}");
	assert_true(geofence_contains(z, 51.475, -0.005));
	assert_true(geofence_contains(z, 51.475, 0.005));
	assert_true(geofence_contains(z, 51.475, 0.0));
	assert_false(geofence_contains(z, 51.475, 0.02));
	assert_false(geofence_contains(z, 51.475, -0.02));
	/* The nearest edges are north and south (0.005 degree of latitude); east and west are farther. */
	assert_within_pct(geofence_distance(z, 51.475, 0.0, 1000), -haversine(51.475, 0.0, 51.48, 0.0), 1.0);
	assert_within_pct(geofence_distance(z, 51.475, 0.009, 1000), -haversine(51.475, 0.009, 51.475, 0.01), 1.0);
	geofence_zone_free(z);
}

static void bad_polygons_refused(void **state)
{
	(void)state;
	const char *bad[] = {
		"not json",
		"{\"type\":\"Point\",\"coordinates\":[74.5,42.8]}",
		"{\"type\":\"Polygon\",\"coordinates\":[[[74.58,42.87],[74.60,42.87],[74.58,42.87]]]}",
		"{\"type\":\"Polygon\",\"coordinates\":[[[74.58,42.87],[74.60,42.87],[74.60,42.88],[74.58,42.88]]]}",
		/* a bow tie: its ring crosses itself */
		"{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}",
		"{\"type\":\"Polygon\",\"coordinates\":[[[0,95],[1,95],[1,96],[0,95]]]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[200] = "";
		struct geofence_zone *z = geofence_polygon(bad[i], strlen(bad[i]), err, sizeof err);
		if (z != NULL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
	}
}

/* ---- circles -------------------------------------------------------- */

static void circle_distances(void **state)
{
	(void)state;
	struct geofence_zone *z = geofence_circle(42.8746, 74.5698, 200);
	assert_non_null(z);
	assert_true(geofence_contains(z, 42.8746, 74.5698));
	assert_true(geofence_contains(z, 42.8756, 74.5698)); /* ~111 m north */
	assert_false(geofence_contains(z, 42.8776, 74.5698)); /* ~333 m north */
	/* The distance from the centre within 1% of the great-circle one. */
	double d = haversine(42.8746, 74.5698, 42.8776, 74.5708);
	assert_within_pct(geofence_distance(z, 42.8776, 74.5708, 1000) + 200, d, 1.0);
	d = haversine(42.8746, 74.5698, 42.8750, 74.5700);
	assert_within_pct(geofence_distance(z, 42.8750, 74.5700, 1000) + 200, d, 1.0);
	assert_true(geofence_distance(z, 42.8750, 74.5700, 1000) < 0);
	geofence_zone_free(z);
	/* A circle on the antimeridian. */
	z = geofence_circle(65.0, 180.0, 1000);
	assert_true(geofence_contains(z, 65.0, -179.99));
	assert_true(geofence_contains(z, 65.0, 179.99));
	assert_false(geofence_contains(z, 65.0, 179.9));
	geofence_zone_free(z);
	assert_null(geofence_circle(95, 0, 10));
}

/* ---- sets ----------------------------------------------------------- */

static void strtree_returns_the_near_zones(void **state)
{
	(void)state;
	/* A 10 x 10 grid of 100 m circles 0.01 degree apart, and a linear set of 3. */
	struct geofence_zone *zones[100];
	for (int i = 0; i < 100; i++)
		zones[i] = geofence_circle(42.80 + (i / 10) * 0.01, 74.50 + (i % 10) * 0.01, 100);
	struct geofence_set *s = geofence_set_new(zones, 100);
	size_t out[100];
	/* On zone 34's centre: only zone 34. */
	size_t n = geofence_set_near(s, 42.83, 74.54, 50, out, 100);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 34);
	/* Halfway between 34 and 35 (about 410 m apart): both within 400 m, neither within 100 m. */
	n = geofence_set_near(s, 42.83, 74.545, 400, out, 100);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 34);
	assert_int_equal(out[1], 35);
	assert_int_equal(geofence_set_near(s, 42.83, 74.545, 100, out, 100), 0);
	/* Far away: none. */
	assert_int_equal(geofence_set_near(s, 41.0, 73.0, 1000, out, 100), 0);
	/* Every answer agrees with asking each zone. */
	for (int k = 0; k < 200; k++) {
		double lat = 42.79 + (k % 20) * 0.0061, lon = 74.49 + (k / 20) * 0.0113;
		n = geofence_set_near(s, lat, lon, 300, out, 100);
		size_t want = 0;
		for (int i = 0; i < 100; i++)
			if (geofence_distance(zones[i], lat, lon, 300) <= 300)
				assert_int_equal(out[want++], i);
		assert_int_equal(n, want);
	}
	geofence_set_free(s);
	struct geofence_set *small = geofence_set_new(zones, 3);
	assert_int_equal(geofence_set_near(small, 42.80, 74.51, 10, out, 100), 1);
	assert_int_equal(out[0], 1);
	geofence_set_free(small);
	for (int i = 0; i < 100; i++)
		geofence_zone_free(zones[i]);
}

static void strtree_across_the_antimeridian(void **state)
{
	(void)state;
	struct geofence_zone *zones[12];
	for (int i = 0; i < 12; i++)
		zones[i] = geofence_circle(65.0 + i * 0.1, i % 2 ? 179.999 : -179.999, 500);
	struct geofence_set *s = geofence_set_new(zones, 12);
	size_t out[12];
	size_t n = geofence_set_near(s, 65.0, 179.999, 100, out, 12);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0);
	n = geofence_set_near(s, 65.1, -179.999, 100, out, 12);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 1);
	geofence_set_free(s);
	for (int i = 0; i < 12; i++)
		geofence_zone_free(zones[i]);
}

/* ---- curfew windows ------------------------------------------------- */

static int64_t at(const char *local, const char *tz)
{
	int64_t ms = 0;
	if (!local_to_utc_ms(local, tz, &ms))
		fail_msg("bad local time %s", local);
	return ms;
}

static void curfew_parts_parse(void **state)
{
	(void)state;
	unsigned days = 0;
	int m = 0;
	assert_true(curfew_days_parse("MO,WE,SU", &days));
	assert_int_equal(days, 1u | 4u | 64u);
	assert_false(curfew_days_parse("MO,", &days));
	assert_false(curfew_days_parse("XX", &days));
	assert_false(curfew_days_parse("", &days));
	assert_true(curfew_hhmm_parse("21:30", &m));
	assert_int_equal(m, 21 * 60 + 30);
	assert_false(curfew_hhmm_parse("24:00", &m));
	assert_false(curfew_hhmm_parse("9:00", &m));
	struct curfew_window w[4];
	assert_int_equal(curfew_schedule_parse("[{\"days\":[\"MO\",\"TU\"],\"start\":\"08:00\",\"end\":\"18:00\"},"
	                                       "{\"days\":\"SA\",\"start\":\"22:00\",\"end\":\"06:00\"}]", w, 4), 2);
	assert_int_equal(w[1].days, 32u);
	assert_int_equal(curfew_schedule_parse("[{\"days\":[\"MO\"],\"start\":\"8\",\"end\":\"18:00\"}]", w, 4), -1);
	assert_int_equal(curfew_schedule_parse("{\"windows\":[]}", w, 4), 0);
}

static void curfew_across_midnight_in_bishkek(void **state)
{
	(void)state;
	const char *tz = "Asia/Bishkek"; /* UTC+6, no DST */
	struct curfew_window w;
	assert_true(curfew_window_make("MO,TU,WE,TH,FR", "22:00", "06:00", &w));
	int64_t s = 0, e = 0;
	/* 2026-03-02 is a Monday. */
	assert_true(curfew_window_at(&w, 1, tz, at("2026-03-02T23:00", tz), &s, &e));
	assert_int_equal(s, at("2026-03-02T22:00", tz));
	assert_int_equal(e, at("2026-03-03T06:00", tz));
	assert_int_equal(e - s, 8 * 3600000LL);
	/* Tuesday 03:00 belongs to Monday's window. */
	assert_true(curfew_window_at(&w, 1, tz, at("2026-03-03T03:00", tz), &s, &e));
	assert_int_equal(s, at("2026-03-02T22:00", tz));
	assert_false(curfew_window_at(&w, 1, tz, at("2026-03-03T06:00", tz), &s, &e));
	assert_false(curfew_window_at(&w, 1, tz, at("2026-03-03T21:59", tz), &s, &e));
	/* Saturday 03:00 belongs to Friday's window; Sunday 03:00 to none. */
	assert_true(curfew_window_at(&w, 1, tz, at("2026-03-07T03:00", tz), &s, &e));
	assert_false(curfew_window_at(&w, 1, tz, at("2026-03-08T03:00", tz), &s, &e));
	assert_false(curfew_window_at(&w, 1, tz, at("2026-03-07T23:00", tz), &s, &e));
	/* The next change from Monday noon is Monday 22:00. */
	bool inside = true;
	int64_t next = 0;
	assert_true(curfew_state_at(&w, 1, tz, at("2026-03-02T12:00", tz), &inside, &s, &e, &next));
	assert_false(inside);
	assert_int_equal(next, at("2026-03-02T22:00", tz));
	/* A bad zone is not "inside". */
	assert_false(curfew_window_at(&w, 1, "Nowhere/Atlantis", at("2026-03-02T23:00", tz), &s, &e));
}

static void curfew_keeps_wall_clock_across_dst(void **state)
{
	(void)state;
	const char *tz = "Europe/Berlin"; /* DST from 2026-03-29 02:00 to 03:00 */
	struct curfew_window w;
	assert_true(curfew_window_make("SA,SU", "21:00", "07:00", &w));
	int64_t s = 0, e = 0;
	/* Saturday 28 March 21:00 CET to Sunday 29 March 07:00 CEST: 9 hours, not 10. */
	assert_true(curfew_window_at(&w, 1, tz, at("2026-03-29T06:30", tz), &s, &e));
	assert_int_equal(s, at("2026-03-28T21:00", tz));
	assert_int_equal(e, at("2026-03-29T07:00", tz));
	assert_int_equal(e - s, 9 * 3600000LL);
	/* In UTC, 07:00 CEST is 05:00: 05:30 UTC is after the window. */
	assert_false(curfew_window_at(&w, 1, tz, e + 30 * 60000, &s, &e));
	/* A window starting in the gap (02:30 on 29 March) starts at 03:30 CEST, as RFC 5545 says. */
	struct curfew_window g;
	assert_true(curfew_window_make("SU", "02:30", "04:00", &g));
	assert_true(curfew_window_at(&g, 1, tz, at("2026-03-29T03:45", tz), &s, &e));
	assert_int_equal(e - s, 30 * 60000LL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(square_contains_and_distances),
		cmocka_unit_test(concave_polygon),
		cmocka_unit_test(polygon_with_hole),
		cmocka_unit_test(antimeridian_polygon_both_forms),
		cmocka_unit_test(prime_meridian_polygon),
		cmocka_unit_test(bad_polygons_refused),
		cmocka_unit_test(circle_distances),
		cmocka_unit_test(strtree_returns_the_near_zones),
		cmocka_unit_test(strtree_across_the_antimeridian),
		cmocka_unit_test(curfew_parts_parse),
		cmocka_unit_test(curfew_across_midnight_in_bishkek),
		cmocka_unit_test(curfew_keeps_wall_clock_across_dst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
