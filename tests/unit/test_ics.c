/* Unit tests for src/domain/ics: the calendar feed parses back with libical, with its zone, rules,
 * exceptions and moved occurrences, CRLF line ends and lines folded at 75 octets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include <libical/ical.h>

#include "domain/ics.h"

#define STAMP_MS 1767225600000LL /* 2026-01-01T00:00:00Z */

/* Every line ends in CRLF, no bare LF or CR, and no line is longer than 75 octets. */
static void assert_lines(const char *text)
{
	const char *line = text;
	while (*line) {
		const char *end = strstr(line, "\r\n");
		assert_non_null(end);
		assert_true(end - line <= 75);
		for (const char *c = line; c < end; c++)
			assert_true(*c != '\n' && *c != '\r');
		line = end + 2;
	}
}

/* The n-th (0-based) VEVENT of a parsed calendar. */
static icalcomponent *event_at(icalcomponent *cal, int n)
{
	icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
	for (int i = 0; i < n && ev; i++)
		ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT);
	assert_non_null(ev);
	return ev;
}

static const char *param_tzid(icalproperty *p)
{
	icalparameter *tz = icalproperty_get_first_parameter(p, ICAL_TZID_PARAMETER);
	assert_non_null(tz);
	return icalparameter_get_tzid(tz);
}

static void a_weekly_appointment_with_a_cancelled_and_a_moved_occurrence(void **state)
{
	(void)state;
	const struct ics_exception exceptions[] = {
		{"2026-01-12T10:00", NULL},
		{"2026-01-19T10:00", "2026-01-20T15:30"},
	};
	const struct ics_event events[] = {
		{.id = "0190a0a0-0000-7000-8000-000000000001",
		 .summary = "Office appointment · 2026-000001 · А.Б.",
		 .location = "Probation office, room 12; Chui Avenue 100, Bishkek",
		 .starts_local = "2026-01-05T10:00",
		 .duration_min = 45,
		 .rrule = "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
		 .sequence = 2,
		 .exceptions = exceptions,
		 .nexceptions = 2},
		{.id = "0190a0a0-0000-7000-8000-000000000002",
		 .summary = "Home visit · 2026-000002 · B.C.",
		 .starts_local = "2026-01-07T09:15",
		 .duration_min = 60},
	};
	char *text = ics_calendar("Kadam — Test Officer", "Asia/Bishkek", STAMP_MS, events, 2);
	assert_non_null(text);
	assert_lines(text);
	assert_non_null(strstr(text, "BEGIN:VCALENDAR\r\n"));
	assert_non_null(strstr(text, "VERSION:2.0\r\n"));
	assert_non_null(strstr(text, "PRODID:"));
	assert_non_null(strstr(text, "TZID:Asia/Bishkek\r\n"));
	assert_non_null(strstr(text, "DTSTART;TZID=Asia/Bishkek:20260105T100000\r\n"));
	assert_non_null(strstr(text, "EXDATE;TZID=Asia/Bishkek:20260112T100000\r\n"));
	assert_non_null(strstr(text, "RECURRENCE-ID;TZID=Asia/Bishkek:20260119T100000\r\n"));
	assert_non_null(strstr(text, "DTSTAMP:20260101T000000Z\r\n"));
	assert_non_null(strstr(text, "UID:0190a0a0-0000-7000-8000-000000000001@kadam\r\n"));

	icalcomponent *cal = icalparser_parse_string(text);
	assert_non_null(cal);
	assert_int_equal(icalcomponent_isa(cal), ICAL_VCALENDAR_COMPONENT);
	assert_int_equal(icalcomponent_count_errors(cal), 0);
	icalcomponent *vtz = icalcomponent_get_first_component(cal, ICAL_VTIMEZONE_COMPONENT);
	assert_non_null(vtz);
	assert_string_equal(icalproperty_get_tzid(icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY)),
	                    "Asia/Bishkek");
	assert_int_equal(icalcomponent_count_components(cal, ICAL_VEVENT_COMPONENT), 3);

	icalcomponent *master = event_at(cal, 0);
	assert_string_equal(icalcomponent_get_summary(master), "Office appointment · 2026-000001 · А.Б.");
	assert_string_equal(icalcomponent_get_location(master), "Probation office, room 12; Chui Avenue 100, Bishkek");
	icalproperty *start = icalcomponent_get_first_property(master, ICAL_DTSTART_PROPERTY);
	assert_string_equal(param_tzid(start), "Asia/Bishkek");
	struct icaldurationtype d = icalproperty_get_duration(icalcomponent_get_first_property(master,
	                                                                                       ICAL_DURATION_PROPERTY));
	assert_int_equal(icaldurationtype_as_int(d), 45 * 60);
	struct icalrecurrencetype rule = icalproperty_get_rrule(icalcomponent_get_first_property(master,
	                                                                                        ICAL_RRULE_PROPERTY));
	assert_int_equal(rule.freq, ICAL_WEEKLY_RECURRENCE);
	assert_int_equal(rule.count, 10);
	icalproperty *ex = icalcomponent_get_first_property(master, ICAL_EXDATE_PROPERTY);
	assert_non_null(ex);
	assert_int_equal(icalproperty_get_exdate(ex).day, 12);
	assert_null(icalcomponent_get_next_property(master, ICAL_EXDATE_PROPERTY));
	assert_int_equal(icalproperty_get_sequence(icalcomponent_get_first_property(master, ICAL_SEQUENCE_PROPERTY)), 2);

	icalcomponent *moved = event_at(cal, 1);
	assert_string_equal(icalcomponent_get_uid(moved), "0190a0a0-0000-7000-8000-000000000001@kadam");
	struct icaltimetype rid = icalproperty_get_recurrenceid(
		icalcomponent_get_first_property(moved, ICAL_RECURRENCEID_PROPERTY));
	assert_int_equal(rid.day, 19);
	assert_int_equal(rid.hour, 10);
	struct icaltimetype ms = icalproperty_get_dtstart(icalcomponent_get_first_property(moved, ICAL_DTSTART_PROPERTY));
	assert_int_equal(ms.day, 20);
	assert_int_equal(ms.hour, 15);
	assert_int_equal(ms.minute, 30);

	icalcomponent *single = event_at(cal, 2);
	assert_null(icalcomponent_get_first_property(single, ICAL_RRULE_PROPERTY));
	assert_null(icalcomponent_get_first_property(single, ICAL_LOCATION_PROPERTY));
	icalcomponent_free(cal);
	free(text);
}

static void long_and_special_text_is_escaped_and_folded(void **state)
{
	(void)state;
	char summary[1200] = "";
	for (int i = 0; i < 40; i++)
		strcat(summary, "Кабыл алуу; ");
	strcat(summary, "a,b\\c\nd");
	const struct ics_event ev = {.id = "x1", .summary = summary, .location = "Room 1, floor 2; gate \"B\"",
	                             .starts_local = "2026-03-01T23:30", .duration_min = 90};
	char *text = ics_calendar("Kadam", "Asia/Bishkek", STAMP_MS, &ev, 1);
	assert_non_null(text);
	assert_lines(text);
	assert_non_null(strstr(text, "LOCATION:Room 1\\, floor 2\\; gate \"B\"\r\n"));
	icalcomponent *cal = icalparser_parse_string(text);
	assert_non_null(cal);
	assert_string_equal(icalcomponent_get_summary(event_at(cal, 0)), summary);
	icalcomponent_free(cal);
	free(text);
}

static void a_single_appointment_moved_or_cancelled(void **state)
{
	(void)state;
	const struct ics_exception moved = {"2026-02-02T10:00", "2026-02-03T11:00"};
	const struct ics_exception cancelled = {"2026-02-02T10:00", NULL};
	struct ics_event ev = {.id = "single", .summary = "S", .starts_local = "2026-02-02T10:00", .duration_min = 30,
	                       .exceptions = &moved, .nexceptions = 1};
	char *text = ics_calendar("Kadam", "Asia/Bishkek", STAMP_MS, &ev, 1);
	assert_non_null(text);
	assert_non_null(strstr(text, "DTSTART;TZID=Asia/Bishkek:20260203T110000\r\n"));
	assert_null(strstr(text, "RECURRENCE-ID"));
	free(text);
	ev.exceptions = &cancelled;
	text = ics_calendar("Kadam", "Asia/Bishkek", STAMP_MS, &ev, 1);
	assert_non_null(text);
	assert_null(strstr(text, "BEGIN:VEVENT"));
	free(text);
}

static void bad_input_writes_nothing(void **state)
{
	(void)state;
	struct ics_event ev = {.id = "x", .summary = "S", .starts_local = "2026-02-30T10:00", .duration_min = 30};
	assert_null(ics_calendar("Kadam", "Asia/Bishkek", STAMP_MS, &ev, 1));
	ev.starts_local = "2026-02-03T10:00";
	assert_null(ics_calendar("Kadam", "Mars/Olympus_Mons", STAMP_MS, &ev, 1));
	ev.rrule = "FREQ=SOMETIMES";
	assert_null(ics_calendar("Kadam", "Asia/Bishkek", STAMP_MS, &ev, 1));
	assert_true(ics_local_time_valid("2024-02-29T23:59"));
	assert_false(ics_local_time_valid("2025-02-29T10:00"));
	assert_false(ics_local_time_valid("2025-01-01T24:00"));
	assert_false(ics_local_time_valid("2025-01-01 10:00"));
	assert_false(ics_local_time_valid("2025-01-01T10:00Z"));
	assert_false(ics_local_time_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_weekly_appointment_with_a_cancelled_and_a_moved_occurrence),
		cmocka_unit_test(long_and_special_text_is_escaped_and_folded),
		cmocka_unit_test(a_single_appointment_moved_or_cancelled),
		cmocka_unit_test(bad_input_writes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
