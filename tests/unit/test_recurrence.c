/* Unit tests for src/domain/recurrence (local times, zones, RRULE checks and expansion). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "base/clock.h"
#include "domain/appointments.h"
#include "domain/recurrence.h"

/* ---- helpers -------------------------------------------------------- */

static const char *utc_of(int64_t ms)
{
	static char out[32];
	clock_format_rfc3339(ms, out);
	return out;
}

static void assert_utc(const char *local, const char *tz, const char *expected)
{
	int64_t ms = 0;
	assert_true(local_to_utc_ms(local, tz, &ms));
	assert_string_equal(utc_of(ms), expected);
}

static int expand(const char *start, const char *rule, const char *tz, const char *from, const char *to,
                  struct occurrence *out, int max)
{
	memset(out, 0, sizeof *out * (size_t)max);
	return recurrence_expand(start, rule, tz, from, to, out, max);
}

static void assert_refused(const char *rule, const char *start, const char *fragment)
{
	char err[200] = "";
	assert_false(recurrence_rule_check(rule, start, err, sizeof err));
	if (strstr(err, fragment) == NULL)
		fail_msg("rule %s: error \"%s\" does not mention \"%s\"", rule, err, fragment);
}

static void assert_accepted(const char *rule, const char *start)
{
	char err[200] = "";
	if (!recurrence_rule_check(rule, start, err, sizeof err))
		fail_msg("rule %s refused: %s", rule, err);
}

/* ---- local times ---------------------------------------------------- */

static void local_time_valid_accepts_only_real_times(void **state)
{
	(void)state;
	assert_true(local_time_valid("2026-03-03T10:00"));
	assert_true(local_time_valid("2028-02-29T00:00"));
	assert_true(local_time_valid("2026-12-31T23:59"));
	assert_false(local_time_valid("2026-02-29T10:00"));
	assert_false(local_time_valid("2026-04-31T10:00"));
	assert_false(local_time_valid("2026-03-03T24:00"));
	assert_false(local_time_valid("2026-03-03T10:60"));
	assert_false(local_time_valid("2026-03-03 10:00"));
	assert_false(local_time_valid("2026-03-03T10:00:00"));
	assert_false(local_time_valid("2026-3-3T10:00"));
	assert_false(local_time_valid("1899-12-31T10:00"));
	assert_false(local_time_valid(""));
	assert_false(local_time_valid(NULL));
}

static void local_times_convert_in_fixed_and_dst_zones(void **state)
{
	(void)state;
	assert_utc("2026-03-03T10:00", "Asia/Bishkek", "2026-03-03T04:00:00.000Z");
	assert_utc("2026-01-15T10:00", "Europe/Berlin", "2026-01-15T09:00:00.000Z");
	assert_utc("2026-07-15T10:00", "Europe/Berlin", "2026-07-15T08:00:00.000Z");
	assert_utc("2026-07-15T10:00", "America/New_York", "2026-07-15T14:00:00.000Z");
	assert_utc("2026-07-15T10:00", "UTC", "2026-07-15T10:00:00.000Z");
	char out[LOCAL_TIME_LEN];
	assert_true(utc_ms_to_local(1784109600000, "Europe/Berlin", out)); /* 2026-07-15T10:00Z */
	assert_string_equal(out, "2026-07-15T12:00");
	int64_t ms;
	assert_false(local_to_utc_ms("2026-07-15T10:00", "Nowhere/Atlantis", &ms));
	assert_false(local_to_utc_ms("2026-07-15T25:00", "Europe/Berlin", &ms));
}

static void a_gap_moves_forward_and_an_ambiguous_time_is_the_first(void **state)
{
	(void)state;
	/* Berlin springs forward 2026-03-29 02:00 -> 03:00: 02:30 does not exist and becomes 03:30 CEST. */
	assert_utc("2026-03-29T02:30", "Europe/Berlin", "2026-03-29T01:30:00.000Z");
	char out[LOCAL_TIME_LEN];
	int64_t ms;
	assert_true(local_to_utc_ms("2026-03-29T02:30", "Europe/Berlin", &ms));
	assert_true(utc_ms_to_local(ms, "Europe/Berlin", out));
	assert_string_equal(out, "2026-03-29T03:30");
	/* Berlin falls back 2026-10-25 03:00 -> 02:00: 02:30 happens twice; the first (CEST) counts. */
	assert_utc("2026-10-25T02:30", "Europe/Berlin", "2026-10-25T00:30:00.000Z");
	assert_utc("2026-10-25T03:30", "Europe/Berlin", "2026-10-25T02:30:00.000Z");
	/* New York: 2026-03-08 02:30 does not exist; 2026-11-01 01:30 happens twice. */
	assert_utc("2026-03-08T02:30", "America/New_York", "2026-03-08T07:30:00.000Z");
	assert_utc("2026-11-01T01:30", "America/New_York", "2026-11-01T05:30:00.000Z");

	/* An occurrence in the gap keeps its rule time as identity and happens an hour later. */
	struct occurrence o[3];
	assert_int_equal(expand("2026-03-28T02:30", "FREQ=DAILY", "Europe/Berlin", "2026-03-28T00:00",
	                        "2026-03-31T00:00", o, 3), 3);
	assert_string_equal(o[1].original_local, "2026-03-29T02:30");
	assert_string_equal(o[1].start_local, "2026-03-29T03:30");
	assert_string_equal(utc_of(o[1].start_ms), "2026-03-29T01:30:00.000Z");
	assert_string_equal(o[2].start_local, "2026-03-30T02:30");
}

static void wall_time_adds_minutes_across_midnight(void **state)
{
	(void)state;
	char out[LOCAL_TIME_LEN];
	assert_true(local_time_add_minutes("2026-03-01T23:30", 60, out));
	assert_string_equal(out, "2026-03-02T00:30");
	assert_true(local_time_add_minutes("2028-02-28T23:59", 1, out));
	assert_string_equal(out, "2028-02-29T00:00");
	assert_false(local_time_add_minutes("nonsense", 1, out));
}

/* ---- rules ---------------------------------------------------------- */

static void rule_check_refuses_bad_rules(void **state)
{
	(void)state;
	const char *start = "2026-03-02T10:00";
	assert_refused("garbage", start, "recurrence rule");
	assert_refused("", start, "empty");
	assert_refused(NULL, start, "empty");
	assert_refused("freq=weekly", start, "upper case");
	assert_refused("RRULE:FREQ=WEEKLY", start, "upper case");
	assert_refused("FREQ=SECONDLY", start, "FREQ");
	assert_refused("FREQ=MINUTELY", start, "FREQ");
	assert_refused("FREQ=HOURLY", start, "FREQ");
	assert_refused("FREQ=FORTNIGHTLY", start, "valid");
	assert_refused("BYDAY=MO", start, "FREQ");
	assert_refused("FREQ=WEEKLY;INTERVAL=53", start, "INTERVAL");
	assert_refused("FREQ=WEEKLY;INTERVAL=0", start, "");
	assert_refused("FREQ=WEEKLY;COUNT=501", start, "COUNT");
	assert_refused("FREQ=WEEKLY;COUNT=0", start, "COUNT");
	assert_refused("FREQ=WEEKLY;COUNT=2;COUNT=3", start, "twice");
	assert_refused("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", start, "valid");
	assert_refused("FREQ=WEEKLY;UNTIL=20260301", start, "UNTIL");
	assert_refused("FREQ=WEEKLY;UNTIL=20260301T100000", start, "UNTIL");
	assert_refused("FREQ=DAILY;BYHOUR=9", start, "not allowed");
	assert_refused("FREQ=MONTHLY;UNTIL=20272101", start, "UNTIL must be");
	assert_refused("FREQ=YEARLY;INTERVAL=4UNTIL=20300101", start, "'='");
	assert_refused("FREQ=YEARLY;INTERVAL=4X", start, "whole numbers");
	assert_refused("FREQ=YEARLY;COUNT=00000003", start, "whole numbers");
	assert_refused("FREQ=MONTHLY;UNTIL=20270230", start, "UNTIL must be");
	assert_refused("FREQ=MONTHLY;UNTIL=20270101T250000", start, "UNTIL must be");
	assert_refused("FREQ=MONTHLY;UNTIL=20270101T100000X", start, "UNTIL must be");
	assert_refused("FREQ=DAILY;BYMINUTE=5", start, "not allowed");
	assert_refused("FREQ=DAILY;RSCALE=GREGORIAN", start, "not allowed");
	assert_refused("FREQ=MONTHLY;BYDAY=-1FR;BYSETPOS=2", start, "not allowed");
	assert_refused("FREQ=YEARLY;BYWEEKNO=20", start, "not allowed");
	assert_refused("FREQ=YEARLY;BYYEARDAY=100", start, "not allowed");
	assert_refused("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6", start, "three years");
	assert_refused("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", start, "three years");
	assert_refused("FREQ=DAILY;COUNT", start, "without a value");
	assert_refused("FREQ=WEEKLY;BYDAY=XX", start, "valid");
	assert_refused("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", start, "three years");
	assert_refused("FREQ=WEEKLY;BYDAY=MO", "2026-02-30T10:00", "start");
	char long_rule[RECURRENCE_MAX_RULE + 20] = "FREQ=WEEKLY;BYDAY=";
	while (strlen(long_rule) < RECURRENCE_MAX_RULE)
		strcat(long_rule, "MO,");
	strcat(long_rule, "TU");
	assert_refused(long_rule, start, "too long");
}

static void rule_check_accepts_good_rules(void **state)
{
	(void)state;
	const char *start = "2026-03-02T10:00";
	assert_accepted("FREQ=WEEKLY;BYDAY=MO;COUNT=10", start);
	assert_accepted("FREQ=WEEKLY", start); /* unbounded is fine */
	assert_accepted("FREQ=WEEKLY;INTERVAL=52", start);
	assert_accepted("FREQ=WEEKLY;COUNT=500", start);
	assert_accepted("FREQ=DAILY;UNTIL=20260302", start);
	assert_accepted("FREQ=DAILY;UNTIL=20260310T000000Z", start);
	assert_accepted("FREQ=MONTHLY;BYMONTHDAY=31", start);
	assert_accepted("FREQ=MONTHLY;BYMONTHDAY=-1", start);
	assert_accepted("FREQ=MONTHLY;BYDAY=1MO,-1FR", start);
	assert_accepted("FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,5", start);
	assert_accepted("FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", start);
	assert_accepted("FREQ=YEARLY", "2028-02-29T10:00");
	assert_accepted("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", start); /* 2028 is within three years */
}

/* ---- expansion ------------------------------------------------------ */

static void weekly_keeps_wall_time_across_dst(void **state)
{
	(void)state;
	struct occurrence o[5];
	/* Berlin: CET until 2026-03-29, then CEST. */
	int n = expand("2026-03-16T10:00", "FREQ=WEEKLY;BYDAY=MO", "Europe/Berlin", "2026-03-01T00:00",
	               "2026-04-07T00:00", o, 5);
	assert_int_equal(n, 4);
	assert_string_equal(o[0].start_local, "2026-03-16T10:00");
	assert_string_equal(o[1].start_local, "2026-03-23T10:00");
	assert_string_equal(o[2].start_local, "2026-03-30T10:00");
	assert_string_equal(o[3].start_local, "2026-04-06T10:00");
	assert_string_equal(utc_of(o[1].start_ms), "2026-03-23T09:00:00.000Z");
	assert_string_equal(utc_of(o[2].start_ms), "2026-03-30T08:00:00.000Z");
	assert_int_equal(o[2].start_ms - o[1].start_ms, (int64_t)(7 * 24 - 1) * 3600 * 1000);
	/* New York in autumn: the instant moves an hour later. */
	n = expand("2026-10-26T10:00", "FREQ=WEEKLY", "America/New_York", "2026-10-26T00:00", "2026-11-03T00:00", o,
	           5);
	assert_int_equal(n, 2);
	assert_string_equal(utc_of(o[0].start_ms), "2026-10-26T14:00:00.000Z");
	assert_string_equal(utc_of(o[1].start_ms), "2026-11-02T15:00:00.000Z");
	assert_string_equal(o[1].start_local, "2026-11-02T10:00");
}

static void monthly_by_day_31_skips_short_months(void **state)
{
	(void)state;
	struct occurrence o[12];
	int n = expand("2026-01-31T09:00", "FREQ=MONTHLY;BYMONTHDAY=31", "Asia/Bishkek", "2026-01-01T00:00",
	               "2027-01-01T00:00", o, 12);
	assert_int_equal(n, 7);
	const char *want[] = {"2026-01-31T09:00", "2026-03-31T09:00", "2026-05-31T09:00", "2026-07-31T09:00",
	                      "2026-08-31T09:00", "2026-10-31T09:00", "2026-12-31T09:00"};
	for (int i = 0; i < 7; i++)
		assert_string_equal(o[i].start_local, want[i]);
}

static void monthly_last_day_and_leap_day_yearly(void **state)
{
	(void)state;
	struct occurrence o[12];
	int n = expand("2028-01-15T09:00", "FREQ=MONTHLY;BYMONTHDAY=-1", "Asia/Bishkek", "2028-01-01T00:00",
	               "2028-05-01T00:00", o, 12);
	assert_int_equal(n, 4);
	assert_string_equal(o[0].start_local, "2028-01-31T09:00");
	assert_string_equal(o[1].start_local, "2028-02-29T09:00");
	assert_string_equal(o[2].start_local, "2028-03-31T09:00");
	assert_string_equal(o[3].start_local, "2028-04-30T09:00");
	n = expand("2028-02-29T09:00", "FREQ=YEARLY", "Asia/Bishkek", "2028-01-01T00:00", "2037-01-01T00:00", o, 12);
	assert_int_equal(n, 3);
	assert_string_equal(o[0].start_local, "2028-02-29T09:00");
	assert_string_equal(o[1].start_local, "2032-02-29T09:00");
	assert_string_equal(o[2].start_local, "2036-02-29T09:00");
}

static void count_and_until_bound_the_series(void **state)
{
	(void)state;
	struct occurrence o[20];
	int n = expand("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=3", "Asia/Bishkek", "2026-01-01T00:00",
	               "2027-01-01T00:00", o, 20);
	assert_int_equal(n, 3);
	assert_string_equal(o[2].start_local, "2026-03-16T10:00");
	/* COUNT counts from the start, not from the window. */
	n = expand("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO;COUNT=3", "Asia/Bishkek", "2026-03-10T00:00",
	           "2027-01-01T00:00", o, 20);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].start_local, "2026-03-16T10:00");
	/* A date UNTIL includes its day. */
	n = expand("2026-03-02T10:00", "FREQ=WEEKLY;UNTIL=20260316", "Asia/Bishkek", "2026-01-01T00:00",
	           "2027-01-01T00:00", o, 20);
	assert_int_equal(n, 3);
	/* A UTC UNTIL is read in the zone: 2026-03-16T04:00Z is 10:00 in Bishkek. */
	n = expand("2026-03-02T10:00", "FREQ=WEEKLY;UNTIL=20260316T040000Z", "Asia/Bishkek", "2026-01-01T00:00",
	           "2027-01-01T00:00", o, 20);
	assert_int_equal(n, 3);
	n = expand("2026-03-02T10:00", "FREQ=WEEKLY;UNTIL=20260316T035900Z", "Asia/Bishkek", "2026-01-01T00:00",
	           "2027-01-01T00:00", o, 20);
	assert_int_equal(n, 2);
	/* max bounds an unbounded rule. */
	n = expand("2026-03-02T10:00", "FREQ=DAILY", "Asia/Bishkek", "2026-01-01T00:00", "2030-01-01T00:00", o, 20);
	assert_int_equal(n, 20);
}

static void a_window_holds_occurrences_by_their_start(void **state)
{
	(void)state;
	struct occurrence o[4];
	/* 23:30 belongs to its own day, not the next, even though a 60-minute meeting ends after midnight. */
	assert_int_equal(expand("2026-03-02T23:30", NULL, "Asia/Bishkek", "2026-03-02T00:00", "2026-03-03T00:00", o, 4),
	                 1);
	assert_int_equal(expand("2026-03-02T23:30", NULL, "Asia/Bishkek", "2026-03-03T00:00", "2026-03-04T00:00", o, 4),
	                 0);
	/* The window is half-open. */
	assert_int_equal(expand("2026-03-03T00:00", NULL, "Asia/Bishkek", "2026-03-02T00:00", "2026-03-03T00:00", o, 4),
	                 0);
	assert_int_equal(expand("2026-03-02T10:00", "FREQ=DAILY", "Asia/Bishkek", "2026-03-05T10:00",
	                        "2026-03-07T10:00", o, 4),
	                 2);
	assert_string_equal(o[0].original_local, "2026-03-05T10:00");
	/* Nothing before the start. */
	assert_int_equal(expand("2026-03-02T10:00", "FREQ=DAILY", "Asia/Bishkek", "2026-02-01T00:00",
	                        "2026-03-03T00:00", o, 4),
	                 1);
	/* Bad input. */
	assert_int_equal(expand("2026-03-02T10:00", "FREQ=HOURLY", "Asia/Bishkek", "2026-02-01T00:00",
	                        "2026-03-03T00:00", o, 4),
	                 -1);
	assert_int_equal(expand("2026-03-02T10:00", NULL, "Nowhere/Atlantis", "2026-02-01T00:00", "2026-03-03T00:00",
	                        o, 4),
	                 -1);
}

static void until_is_stored_as_a_utc_instant(void **state)
{
	(void)state;
	char out[RECURRENCE_MAX_RULE + 16];
	assert_true(recurrence_rule_normalize("FREQ=WEEKLY;UNTIL=20260316;BYDAY=MO", "Asia/Bishkek", out, sizeof out));
	assert_string_equal(out, "FREQ=WEEKLY;UNTIL=20260316T175959Z;BYDAY=MO");
	assert_true(recurrence_rule_normalize("FREQ=WEEKLY;UNTIL=20260716T100000", "Europe/Berlin", out, sizeof out));
	assert_string_equal(out, "FREQ=WEEKLY;UNTIL=20260716T080000Z");
	assert_true(recurrence_rule_normalize("UNTIL=20260316T040000Z;FREQ=DAILY", "Asia/Bishkek", out, sizeof out));
	assert_string_equal(out, "UNTIL=20260316T040000Z;FREQ=DAILY");
	assert_true(recurrence_rule_normalize("FREQ=DAILY;COUNT=3", "Asia/Bishkek", out, sizeof out));
	assert_string_equal(out, "FREQ=DAILY;COUNT=3");
	assert_false(recurrence_rule_normalize("FREQ=DAILY;UNTIL=2026", "Asia/Bishkek", out, sizeof out));
	assert_false(recurrence_rule_normalize("FREQ=DAILY", "Nowhere/Atlantis", out, sizeof out));
	assert_false(recurrence_rule_normalize("FREQ=DAILY;COUNT=3", "UTC", out, 5));
	/* Both forms expand alike, and a late start on the last day is still inside. */
	struct occurrence a[8], b[8];
	assert_true(recurrence_rule_normalize("FREQ=DAILY;UNTIL=20260304", "Asia/Bishkek", out, sizeof out));
	assert_int_equal(expand("2026-03-02T20:00", "FREQ=DAILY;UNTIL=20260304", "Asia/Bishkek", "2026-03-01T00:00",
	                        "2026-04-01T00:00", a, 8), 3);
	assert_int_equal(expand("2026-03-02T20:00", out, "Asia/Bishkek", "2026-03-01T00:00", "2026-04-01T00:00", b, 8), 3);
	assert_string_equal(a[2].start_local, b[2].start_local);
	char err[200];
	assert_true(recurrence_rule_check_tz(out, "2026-03-04T20:00", "Asia/Bishkek", err, sizeof err));
}

static void generated_occurrences_are_recognised(void **state)
{
	(void)state;
	/* Tuesday start, Monday rule: the start itself is not an occurrence (libical yields only rule matches). */
	assert_true(appointment_generates("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO", "Asia/Bishkek",
	                                  "2026-03-09T10:00"));
	assert_false(appointment_generates("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO", "Asia/Bishkek",
	                                   "2026-03-10T10:00"));
	assert_false(appointment_generates("2026-03-02T10:00", "FREQ=WEEKLY;BYDAY=MO", "Asia/Bishkek",
	                                   "2026-03-09T10:30"));
	assert_false(appointment_generates("2026-03-02T10:00", "FREQ=WEEKLY;COUNT=2", "Asia/Bishkek",
	                                   "2026-03-16T10:00"));
	assert_true(appointment_generates("2026-03-02T10:00", NULL, "Asia/Bishkek", "2026-03-02T10:00"));
	assert_false(appointment_generates("2026-03-02T10:00", NULL, "Asia/Bishkek", "2026-03-03T10:00"));
	/* A gap occurrence is known by its rule time. */
	assert_true(appointment_generates("2026-03-28T02:30", "FREQ=DAILY", "Europe/Berlin", "2026-03-29T02:30"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(local_time_valid_accepts_only_real_times),
		cmocka_unit_test(local_times_convert_in_fixed_and_dst_zones),
		cmocka_unit_test(a_gap_moves_forward_and_an_ambiguous_time_is_the_first),
		cmocka_unit_test(wall_time_adds_minutes_across_midnight),
		cmocka_unit_test(rule_check_refuses_bad_rules),
		cmocka_unit_test(rule_check_accepts_good_rules),
		cmocka_unit_test(weekly_keeps_wall_time_across_dst),
		cmocka_unit_test(monthly_by_day_31_skips_short_months),
		cmocka_unit_test(monthly_last_day_and_leap_day_yearly),
		cmocka_unit_test(count_and_until_bound_the_series),
		cmocka_unit_test(a_window_holds_occurrences_by_their_start),
		cmocka_unit_test(until_is_stored_as_a_utc_instant),
		cmocka_unit_test(generated_occurrences_are_recognised),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
