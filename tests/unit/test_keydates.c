/* Unit tests for src/domain/keydates: civil dates, terms, and the key dates with their explanations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "domain/keydates.h"

/* ---- helpers -------------------------------------------------------- */

static struct civil_date date_of(const char *text)
{
	struct civil_date d = {0, 0, 0};
	assert_true(civil_date_parse(text, &d));
	return d;
}

static void assert_date(struct civil_date d, const char *expected)
{
	char text[11];
	civil_date_format(d, text);
	assert_string_equal(text, expected);
}

static struct term term_of(const char *text)
{
	struct term t = {0, 0, 0};
	assert_true(term_parse(text, &t));
	return t;
}

/* A custodial input with no remand and no marked articles. */
static struct keydate_input custodial(const char *start, const char *term, enum offence_category category)
{
	return (struct keydate_input){.custodial = true, .start = date_of(start), .term = term_of(term),
	                              .category = category};
}

/* The index of the first step with op at or after from, or -1. */
static int step_find(const struct keydate *k, const char *op, int from)
{
	for (int i = from; i < k->nsteps; i++)
		if (strcmp(k->steps[i].op, op) == 0)
			return i;
	return -1;
}

/* ---- civil dates ---------------------------------------------------- */

static void civil_date_parse_accepts_real_dates_in_range(void **state)
{
	struct civil_date d;
	assert_true(civil_date_parse("2026-01-10", &d));
	assert_int_equal(d.year, 2026);
	assert_int_equal(d.month, 1);
	assert_int_equal(d.day, 10);
	assert_date(date_of("2024-02-29"), "2024-02-29");
	assert_date(date_of("2000-02-29"), "2000-02-29"); /* divisible by 400: leap */
	assert_date(date_of("1900-01-01"), "1900-01-01");
	assert_date(date_of("2200-12-31"), "2200-12-31");
}

static void civil_date_parse_rejects_bad_text(void **state)
{
	static const char *const bad[] = {
		"2026-02-30", "2026-2-3", "26-02-03", "2026-02-03x", "2025-02-29",
		"1900-02-29", /* not a leap year in the Gregorian calendar (libical's Julian rule stops at 1752) */
		"2100-02-29", "1899-12-31", "2201-01-01", "2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31",
		"2026/02/03", "2026-02-3 ", " 2026-02-03", "+026-02-03", "2026--2-03", "", NULL,
	};
	struct civil_date d = {1, 2, 3};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (civil_date_parse(bad[i], &d))
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(d.year, 1); /* untouched on failure */
}

static void civil_date_compare_orders_dates(void **state)
{
	assert_int_equal(civil_date_compare(date_of("2026-01-10"), date_of("2026-01-10")), 0);
	assert_int_equal(civil_date_compare(date_of("2025-12-31"), date_of("2026-01-01")), -1);
	assert_int_equal(civil_date_compare(date_of("2026-02-01"), date_of("2026-01-31")), 1);
	assert_int_equal(civil_date_compare(date_of("2026-01-11"), date_of("2026-01-10")), 1);
}

static void civil_date_add_and_diff_cross_year_boundaries(void **state)
{
	assert_date(civil_date_add_days(date_of("2025-12-31"), 1), "2026-01-01");
	assert_date(civil_date_add_days(date_of("2026-01-01"), -1), "2025-12-31");
	assert_date(civil_date_add_days(date_of("2024-02-28"), 1), "2024-02-29");
	assert_date(civil_date_add_days(date_of("2025-02-28"), 1), "2025-03-01");
	assert_int_equal(civil_date_diff_days(date_of("2025-12-20"), date_of("2026-01-10")), 21);
	assert_int_equal(civil_date_diff_days(date_of("2026-01-10"), date_of("2025-12-20")), -21);
	assert_int_equal(civil_date_diff_days(date_of("2024-01-01"), date_of("2025-01-01")), 366);
	assert_int_equal(civil_date_diff_days(date_of("2025-01-01"), date_of("2026-01-01")), 365);
	assert_int_equal(civil_date_diff_days(date_of("1900-01-01"), date_of("2200-12-31")), 109937);
	/* Round trips around two year ends and a leap day. */
	struct civil_date base = date_of("2024-12-30");
	for (int n = -800; n <= 800; n++) {
		struct civil_date d = civil_date_add_days(base, n);
		assert_true(civil_date_is_valid(d));
		assert_int_equal(civil_date_diff_days(base, d), n);
		assert_int_equal(civil_date_diff_days(d, base), -n);
		assert_int_equal(civil_date_compare(civil_date_add_days(d, -n), base), 0);
	}
}

static void civil_date_add_term_clamps_to_the_month_end(void **state)
{
	assert_date(civil_date_add_term(date_of("2026-01-31"), term_of("1m")), "2026-02-28");
	assert_date(civil_date_add_term(date_of("2024-01-31"), term_of("1m")), "2024-02-29");
	assert_date(civil_date_add_term(date_of("2026-03-31"), term_of("1m")), "2026-04-30");
	assert_date(civil_date_add_term(date_of("2025-12-31"), term_of("2m")), "2026-02-28");
	assert_date(civil_date_add_term(date_of("2025-08-31"), term_of("18m")), "2027-02-28");
	/* The days come after the clamp: 31 Jan + 1m = 28 Feb, + 1d = 1 Mar. */
	assert_date(civil_date_add_term(date_of("2026-01-31"), term_of("1m1d")), "2026-03-01");
	assert_date(civil_date_add_term(date_of("2026-01-10"), term_of("5y6m")), "2031-07-10");
	assert_date(civil_date_add_term(date_of("2026-01-10"), term_of("0y0m45d")), "2026-02-24");
}

static void civil_date_add_term_from_a_leap_day(void **state)
{
	assert_date(civil_date_add_term(date_of("2024-02-29"), term_of("1y")), "2025-02-28");
	assert_date(civil_date_add_term(date_of("2024-02-29"), term_of("4y")), "2028-02-29");
	/* Years and months together: 29 Feb + 1y1m is 29 Mar, not 28 Mar by way of a clamped 28 Feb. */
	assert_date(civil_date_add_term(date_of("2024-02-29"), term_of("1y1m")), "2025-03-29");
	assert_date(civil_date_add_term(date_of("2024-02-29"), term_of("12m")), "2025-02-28");
}

/* ---- terms and names ------------------------------------------------ */

static void term_parse_accepts_good_terms(void **state)
{
	struct term t;
	assert_true(term_parse("5y6m10d", &t));
	assert_int_equal(t.years, 5);
	assert_int_equal(t.months, 6);
	assert_int_equal(t.days, 10);
	t = term_of("2y");
	assert_true(t.years == 2 && t.months == 0 && t.days == 0);
	t = term_of("18m");
	assert_true(t.years == 0 && t.months == 18 && t.days == 0);
	t = term_of("0y0m45d");
	assert_true(t.years == 0 && t.months == 0 && t.days == 45);
	t = term_of("1y10d");
	assert_true(t.years == 1 && t.months == 0 && t.days == 10);
	/* The 50-year limit in mean Gregorian years. */
	term_of("50y");
	term_of("600m");
	term_of("49y11m30d");
	term_of("18262d");
}

static void term_parse_rejects_bad_terms(void **state)
{
	static const char *const bad[] = {
		"", "5", "5x", "-1y", "51y", "2y2y", "6m2y", "d", "y5", "5Y", " 5y", "5y ", "5y 6m", "+5y", "0y",
		"0y0m0d", "50y1d", "49y11m31d", "601m", "18263d", "123456d", "5y6m10d1y", NULL,
	};
	struct term t = {7, 7, 7};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (term_parse(bad[i], &t))
			fail_msg("accepted \"%s\"", bad[i]);
	}
	assert_int_equal(t.years, 7); /* untouched on failure */
}

static void term_format_leaves_out_zero_parts(void **state)
{
	char out[24];
	term_format(term_of("5y6m"), out);
	assert_string_equal(out, "5y6m");
	term_format(term_of("0y0m45d"), out);
	assert_string_equal(out, "45d");
	term_format(term_of("1y10d"), out);
	assert_string_equal(out, "1y10d");
	term_format((struct term){0, 0, 0}, out);
	assert_string_equal(out, "0d");
}

static void names_round_trip(void **state)
{
	static const char *const names[] = {"minor", "medium", "grave", "especially_grave"};
	for (int i = 0; i < OFFENCE_CATEGORY_COUNT; i++) {
		enum offence_category c = OFFENCE_MINOR;
		assert_string_equal(offence_category_name((enum offence_category)i), names[i]);
		assert_true(offence_category_parse(names[i], &c));
		assert_int_equal(c, i);
	}
	enum offence_category c = OFFENCE_GRAVE;
	assert_false(offence_category_parse("Grave", &c));
	assert_false(offence_category_parse("", &c));
	assert_false(offence_category_parse(NULL, &c));
	assert_int_equal(c, OFFENCE_GRAVE);
	assert_null(offence_category_name((enum offence_category)4));
	assert_string_equal(keydate_kind_name(KEYDATE_SUPERVISION_END), "supervision_end");
	assert_string_equal(keydate_kind_name(KEYDATE_RELEASE), "release");
	assert_string_equal(keydate_kind_name(KEYDATE_CONDITIONAL_RELEASE), "conditional_release_earliest");
}

/* ---- key dates ------------------------------------------------------ */

static void supervision_ends_the_day_before_the_anniversary(void **state)
{
	struct release_rules rules;
	release_rules_default(&rules);
	struct keydate_input in = {.start = date_of("2026-01-10"), .term = term_of("1y"), .remand_days = 30};
	struct keydate out[3];
	assert_int_equal(keydates_compute(&in, &rules, out), 1);
	assert_int_equal(out[0].kind, KEYDATE_SUPERVISION_END);
	assert_true(out[0].has_date);
	assert_date(out[0].date, "2027-01-09");
	assert_int_equal(out[0].nsteps, 4);
	assert_string_equal(out[0].steps[0].op, "start");
	assert_date(out[0].steps[0].result, "2026-01-10");
	assert_string_equal(out[0].steps[1].op, "add_term");
	assert_int_equal(out[0].steps[1].term.years, 1);
	assert_int_equal(out[0].steps[1].value, 365);
	assert_date(out[0].steps[1].result, "2027-01-10");
	assert_string_equal(out[0].steps[2].op, "last_day");
	assert_int_equal(out[0].steps[2].value, 1);
	assert_date(out[0].steps[2].result, "2027-01-09");
	/* Remand is not credited to a non-custodial measure, and the explanation says so. */
	assert_string_equal(out[0].steps[3].op, "remand_not_credited");
	assert_int_equal(out[0].steps[3].value, 30);
	assert_string_equal(out[0].formula, "2026-01-10 + 1y − 1 day = 2027-01-09 (30 days remand not credited)");

	in.remand_days = 0;
	assert_int_equal(keydates_compute(&in, &rules, out), 1);
	assert_int_equal(out[0].nsteps, 3);
	assert_string_equal(out[0].formula, "2026-01-10 + 1y − 1 day = 2027-01-09");
}

static void supervision_from_a_leap_day(void **state)
{
	/* 29 Feb 2024 + 1y = 28 Feb 2025 (clamped), so the last day is 27 Feb 2025: 365 days supervised,
	   ending the same day as a term from 28 Feb 2024 (366 days). */
	struct release_rules rules;
	release_rules_default(&rules);
	struct keydate out[3];
	struct keydate_input in = {.start = date_of("2024-02-29"), .term = term_of("1y")};
	assert_int_equal(keydates_compute(&in, &rules, out), 1);
	assert_date(out[0].date, "2025-02-27");
	assert_int_equal(out[0].steps[1].value, 365);
	in.start = date_of("2024-02-28");
	assert_int_equal(keydates_compute(&in, &rules, out), 1);
	assert_date(out[0].date, "2025-02-27");
	assert_int_equal(out[0].steps[1].value, 366);
	/* Ending on a leap day, and a month-end start. */
	in.start = date_of("2023-03-01");
	assert_int_equal(keydates_compute(&in, &rules, out), 1);
	assert_date(out[0].date, "2024-02-29");
	in.start = date_of("2026-01-31");
	in.term = term_of("1m");
	assert_int_equal(keydates_compute(&in, &rules, out), 1);
	assert_date(out[0].date, "2026-02-27");
}

static void custodial_release_credits_remand(void **state)
{
	struct release_rules rules;
	release_rules_default(&rules);
	struct keydate_input in = custodial("2026-01-10", "5y6m", OFFENCE_GRAVE);
	in.remand_days = 120;
	struct keydate out[3];
	assert_int_equal(keydates_compute(&in, &rules, out), 2);

	assert_int_equal(out[0].kind, KEYDATE_RELEASE);
	assert_true(out[0].has_date);
	assert_date(out[0].date, "2031-03-11");
	assert_string_equal(out[0].formula, "2026-01-10 + 5y6m − 1 day − 120 days remand = 2031-03-11");
	int credit = step_find(&out[0], "credit_remand", 0);
	assert_int_equal(credit, 3);
	assert_int_equal(out[0].steps[credit].value, 120);
	assert_int_equal(out[0].steps[credit].basis, 120);
	assert_int_equal(out[0].steps[credit].numerator, 1);
	assert_int_equal(out[0].steps[credit].denominator, 1);
	assert_date(out[0].steps[credit].result, "2031-03-11");
	assert_int_equal(out[0].steps[1].value, 2007); /* term_days */

	/* Grave: 2/3 of 2007 days = 1338 (rounded up), less the remand. */
	assert_int_equal(out[1].kind, KEYDATE_CONDITIONAL_RELEASE);
	assert_true(out[1].has_date);
	assert_date(out[1].date, "2029-05-12");
	int fraction = step_find(&out[1], "fraction_of_term", 0);
	assert_true(fraction >= 0);
	assert_int_equal(out[1].steps[fraction].basis, 2007);
	assert_int_equal(out[1].steps[fraction].numerator, 2);
	assert_int_equal(out[1].steps[fraction].denominator, 3);
	assert_int_equal(out[1].steps[fraction].value, 1338);
	assert_date(out[1].steps[fraction].result, "2029-09-09");
	assert_string_equal(out[1].formula, "2026-01-10 + 1338 days (2/3 of 2007) − 120 days remand = 2029-05-12");
}

static void conditional_release_fraction_per_category(void **state)
{
	/* A 1-year term from 2026-01-10 is 365 days; the fractions round up. */
	static const struct {
		enum offence_category category;
		long served;
		const char *date;
	} cases[] = {
		{OFFENCE_MINOR, 122, "2026-05-12"},
		{OFFENCE_MEDIUM, 183, "2026-07-12"},
		{OFFENCE_GRAVE, 244, "2026-09-11"},
		{OFFENCE_ESPECIALLY_GRAVE, 274, "2026-10-11"},
	};
	struct release_rules rules;
	release_rules_default(&rules);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct keydate_input in = custodial("2026-01-10", "1y", cases[i].category);
		struct keydate out[3];
		assert_int_equal(keydates_compute(&in, &rules, out), 2);
		assert_date(out[0].date, "2027-01-09");
		assert_true(out[1].has_date);
		assert_date(out[1].date, cases[i].date);
		int fraction = step_find(&out[1], "fraction_of_term", 0);
		assert_int_equal(out[1].steps[fraction].value, cases[i].served);
		assert_int_equal(out[1].steps[fraction].numerator, rules.numerator[cases[i].category]);
		assert_int_equal(out[1].steps[fraction].denominator, rules.denominator[cases[i].category]);
		assert_int_equal(step_find(&out[1], "credit_remand", 0), -1); /* no remand, no step */
	}
}

static void extremism_and_terrorism_exclude_conditional_release(void **state)
{
	struct release_rules rules;
	release_rules_default(&rules);
	struct keydate out[3];
	struct keydate_input in = custodial("2026-01-10", "3y", OFFENCE_GRAVE);

	in.extremism = true;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_true(out[0].has_date); /* the release itself is unaffected */
	assert_false(out[1].has_date);
	assert_int_equal(out[1].date.year, 0);
	assert_int_equal(out[1].nsteps, 1);
	assert_string_equal(out[1].steps[0].op, "excluded");
	assert_string_equal(out[1].steps[0].reason, "extremism");
	assert_string_equal(out[1].formula, "no conditional release: extremism");

	in.terrorism = true;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_false(out[1].has_date);
	assert_int_equal(out[1].nsteps, 2);
	assert_string_equal(out[1].steps[0].reason, "extremism");
	assert_string_equal(out[1].steps[1].reason, "terrorism");
	assert_string_equal(out[1].formula, "no conditional release: extremism and terrorism");

	in.extremism = false;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_false(out[1].has_date);
	assert_int_equal(out[1].nsteps, 1);
	assert_string_equal(out[1].steps[0].reason, "terrorism");

	/* With the exclusions switched off, the marked articles get a date like any other. */
	rules.exclude_terrorism = false;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_true(out[1].has_date);
	assert_int_equal(step_find(&out[1], "excluded", 0), -1);
	in.extremism = true;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_false(out[1].has_date);
	assert_string_equal(out[1].steps[0].reason, "extremism");
	rules.exclude_extremism = false;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_true(out[1].has_date);
	assert_null(out[1].steps[0].reason);
}

static void remand_credit_ratio_rounds_down(void **state)
{
	struct release_rules rules;
	release_rules_default(&rules);
	rules.remand_credit_numerator = 3;
	rules.remand_credit_denominator = 2;
	struct keydate_input in = custodial("2026-01-10", "1y", OFFENCE_MEDIUM);
	struct keydate out[3];

	in.remand_days = 100; /* 150 days credited */
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_date(out[0].date, "2026-08-12");
	assert_date(out[1].date, "2026-02-12");
	in.remand_days = 101; /* 151.5, rounded down */
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_date(out[0].date, "2026-08-11");
	assert_date(out[1].date, "2026-02-11");
	int credit = step_find(&out[0], "credit_remand", 0);
	assert_int_equal(out[0].steps[credit].basis, 101);
	assert_int_equal(out[0].steps[credit].value, 151);
	assert_int_equal(out[0].steps[credit].numerator, 3);
	assert_int_equal(out[0].steps[credit].denominator, 2);
	assert_string_equal(out[0].formula, "2026-01-10 + 1y − 1 day − 151 days remand (101 × 3/2) = 2026-08-11");
}

static void remand_exceeding_the_term_clamps_to_the_start(void **state)
{
	struct release_rules rules;
	release_rules_default(&rules);
	struct keydate_input in = custodial("2026-01-10", "1y", OFFENCE_MINOR);
	in.remand_days = 400; /* the last day is 364 days after the start */
	struct keydate out[3];
	assert_int_equal(keydates_compute(&in, &rules, out), 2);

	assert_true(out[0].has_date);
	assert_date(out[0].date, "2026-01-10");
	int exceeds = step_find(&out[0], "remand_exceeds_term", 0);
	assert_int_equal(exceeds, out[0].nsteps - 1);
	assert_int_equal(out[0].steps[exceeds].value, 36);
	assert_date(out[0].steps[exceeds].result, "2026-01-10");
	assert_int_equal(out[0].steps[exceeds - 1].result.year, 0); /* the credit step has no date before the start */
	assert_string_equal(out[0].formula, "2026-01-10 + 1y − 1 day − 400 days remand: before the start, so 2026-01-10");

	/* 122 days to serve less 400 credited: clamped too, and not after the release, so it stands. */
	assert_true(out[1].has_date);
	assert_date(out[1].date, "2026-01-10");
	exceeds = step_find(&out[1], "remand_exceeds_fraction", 0);
	assert_int_equal(out[1].steps[exceeds].value, 278);

	/* Remand equal to the term puts the release one day before the start: clamped. */
	in.remand_days = 365;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_date(out[0].date, "2026-01-10");
	assert_int_equal(out[0].steps[step_find(&out[0], "remand_exceeds_term", 0)].value, 1);
	/* One day less reaches the start exactly: no clamp. */
	in.remand_days = 364;
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_date(out[0].date, "2026-01-10");
	assert_int_equal(step_find(&out[0], "remand_exceeds_term", 0), -1);
}

static void conditional_release_after_the_release_is_not_applicable(void **state)
{
	/* One day's term: a third of it rounds up to one day, the day after the release. */
	struct release_rules rules;
	release_rules_default(&rules);
	struct keydate_input in = custodial("2026-01-10", "1d", OFFENCE_MINOR);
	struct keydate out[3];
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_date(out[0].date, "2026-01-10");
	assert_false(out[1].has_date);
	assert_string_equal(out[1].steps[out[1].nsteps - 1].op, "after_release");
	assert_date(out[1].steps[out[1].nsteps - 1].result, "2026-01-11");
	assert_string_equal(out[1].formula,
	                    "2026-01-10 + 1 day (1/3 of 1) = 2026-01-11, after the release date 2026-01-10");

	/* A fraction of 1/1 lands on the day after the last day, always after the release. */
	rules.numerator[OFFENCE_MINOR] = 1;
	rules.denominator[OFFENCE_MINOR] = 1;
	in.term = term_of("2y");
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_false(out[1].has_date);
}

static void invalid_input_is_rejected(void **state)
{
	struct release_rules rules;
	release_rules_default(&rules);
	struct keydate out[3];
	memset(out, 0x5a, sizeof out);
	struct keydate_input good = custodial("2026-01-10", "1y", OFFENCE_MINOR);
	struct keydate_input in = good;

	in.remand_days = -1;
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	in = good;
	in.term = (struct term){0, 0, 0};
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	in.term = (struct term){51, 0, 0};
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	in.term = (struct term){1, -1, 0};
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	in = good;
	in.start = (struct civil_date){1899, 12, 31};
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	in.start = (struct civil_date){2026, 2, 30};
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	in.start = date_of("2190-06-01"); /* ends after 2200 */
	in.term = term_of("20y");
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	in = good;
	in.category = (enum offence_category)4;
	assert_int_equal(keydates_compute(&in, &rules, out), -1);
	assert_int_equal(keydates_compute(NULL, &rules, out), -1);
	assert_int_equal(keydates_compute(&good, NULL, out), -1);
	assert_int_equal(keydates_compute(&good, &rules, NULL), -1);

	struct release_rules bad = rules;
	bad.denominator[OFFENCE_GRAVE] = 0;
	assert_int_equal(keydates_compute(&good, &bad, out), -1);
	bad = rules;
	bad.numerator[OFFENCE_MINOR] = 4; /* 4/3 of the term */
	assert_int_equal(keydates_compute(&good, &bad, out), -1);
	bad = rules;
	bad.remand_credit_denominator = 0;
	assert_int_equal(keydates_compute(&good, &bad, out), -1);

	/* Nothing was written. */
	assert_int_equal(out[0].nsteps, 0x5a5a5a5a);

	/* The very edge of the range still computes. */
	in = good;
	in.start = date_of("2200-01-01");
	assert_int_equal(keydates_compute(&in, &rules, out), 2);
	assert_date(out[0].date, "2200-12-31");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(civil_date_parse_accepts_real_dates_in_range),
		cmocka_unit_test(civil_date_parse_rejects_bad_text),
		cmocka_unit_test(civil_date_compare_orders_dates),
		cmocka_unit_test(civil_date_add_and_diff_cross_year_boundaries),
		cmocka_unit_test(civil_date_add_term_clamps_to_the_month_end),
		cmocka_unit_test(civil_date_add_term_from_a_leap_day),
		cmocka_unit_test(term_parse_accepts_good_terms),
		cmocka_unit_test(term_parse_rejects_bad_terms),
		cmocka_unit_test(term_format_leaves_out_zero_parts),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(supervision_ends_the_day_before_the_anniversary),
		cmocka_unit_test(supervision_from_a_leap_day),
		cmocka_unit_test(custodial_release_credits_remand),
		cmocka_unit_test(conditional_release_fraction_per_category),
		cmocka_unit_test(extremism_and_terrorism_exclude_conditional_release),
		cmocka_unit_test(remand_credit_ratio_rounds_down),
		cmocka_unit_test(remand_exceeding_the_term_clamps_to_the_start),
		cmocka_unit_test(conditional_release_after_the_release_is_not_applicable),
		cmocka_unit_test(invalid_input_is_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
