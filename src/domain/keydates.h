/*
 * keydates.h — a probation case's key dates, computed from its legal
 * decision, never typed: the end of supervision for a non-custodial measure;
 * the release date and the earliest conditional release for a custodial term.
 * Each date comes with the steps that produced it, so the UI can explain it in
 * its own language, and with the same explanation as one English line.
 *
 * The rules:
 *
 *  - start + term adds the years and months together with the day clamped to
 *    the month's end (31 Jan + 1m = 28 or 29 Feb; 29 Feb 2024 + 1y =
 *    28 Feb 2025; 29 Feb 2024 + 1y1m = 29 Mar 2025), then the days.
 *  - The last day of a term is start + term - 1 day: a 1-year term starting
 *    2026-01-10 ends 2027-01-09. A 1-year term starting 29 Feb 2024 ends
 *    27 Feb 2025 (365 days served), the same day as one starting 28 Feb 2024
 *    (366 days served): the clamping rule above, applied as written.
 *  - term_days = the days from start to start + term (the days served).
 *  - Credited remand = remand_days x remand_credit_numerator /
 *    remand_credit_denominator, rounded down. It applies to custodial terms
 *    only.
 *  - Supervision end (non-custodial) = the last day; remand is not credited
 *    (a "remand_not_credited" step says so when there was remand).
 *  - Release (custodial) = the last day - credited remand. If the remand
 *    exceeds the term, that falls before the start: the date is clamped to
 *    the start and a "remand_exceeds_term" step says so.
 *  - Earliest conditional release (custodial) = start + ceil(term_days x
 *    fraction of the category) - credited remand, clamped to the start the
 *    same way ("remand_exceeds_fraction"). There is no date when an article
 *    is extremist or terrorist and the rules exclude it ("excluded", one step
 *    per reason), nor when the date would be after the release date
 *    ("after_release").
 *
 * All dates are civil dates, without time zone, from 1900-01-01 to
 * 2200-12-31: that range keeps libical's calendar Gregorian (it counts leap
 * years the Julian way before 1753) and every date round-trips through
 * civil_date_parse(). Nothing here allocates; everything is thread-safe.
 */
#ifndef KADAM_DOMAIN_KEYDATES_H
#define KADAM_DOMAIN_KEYDATES_H

#include <stdbool.h>

#define CIVIL_DATE_MIN_YEAR 1900
#define CIVIL_DATE_MAX_YEAR 2200
#define TERM_MAX_YEARS 50

/* A calendar date, no time zone. The functions below that take one expect a valid date. */
struct civil_date {
	int year;  /* 1900..2200 */
	int month; /* 1..12 */
	int day;   /* 1..the month's length */
};

/* A length of time as a decision states it. All parts are >= 0. */
struct term {
	int years;
	int months;
	int days;
};

/* A real date within the range. */
bool civil_date_is_valid(struct civil_date date);
/* Strict YYYY-MM-DD: exactly ten characters, a real date, years 1900..2200. */
bool civil_date_parse(const char *text, struct civil_date *date_r);
/* YYYY-MM-DD. */
void civil_date_format(struct civil_date date, char out[11]);
/* A date as people read it in a language: "31.12.2026" in ky and ru, "31 December 2026" in en (any other
 * language: YYYY-MM-DD). With `weekday`, the day's name first ("четверг, 31.12.2026"). */
void civil_date_human(struct civil_date date, const char *lang, bool weekday, char out[48]);
/* -1, 0 or 1 as a is before, the same as or after b. */
int civil_date_compare(struct civil_date a, struct civil_date b);
/* days may be negative. */
struct civil_date civil_date_add_days(struct civil_date date, int days);
/* to - from, in days; negative when to is before from. */
int civil_date_diff_days(struct civil_date from, struct civil_date to);
/* Adds years and months together with the day clamped to the month's end (31 Jan + 1 month = 28/29 Feb),
   then days. */
struct civil_date civil_date_add_term(struct civil_date date, struct term t);

/*
 * "5y6m10d", "2y", "18m", "0y0m45d": numbers of 1 to 5 digits, each with its
 * unit in the order y, m, d; each part optional but at least one; lowercase,
 * no signs or spaces. The term must be longer than zero and at most 50 years,
 * measured in mean Gregorian years (365.2425 days, a month a twelfth of that),
 * so that the limit does not depend on the start: "50y", "600m" and
 * "49y11m30d" pass, "50y1d" and "49y11m31d" do not.
 */
bool term_parse(const char *text, struct term *term_r);
/* The parse's syntax with the zero parts left out ("5y6m", "45d"; "0d" for a zero term). */
void term_format(struct term t, char out[24]);

enum offence_category {
	OFFENCE_MINOR,
	OFFENCE_MEDIUM,
	OFFENCE_GRAVE,
	OFFENCE_ESPECIALLY_GRAVE,
};
#define OFFENCE_CATEGORY_COUNT 4

/* "minor", "medium", "grave", "especially_grave"; NULL for a value outside the enum. */
const char *offence_category_name(enum offence_category c);
bool offence_category_parse(const char *name, enum offence_category *c_r);

/*
 * The agency's rules for the earliest conditional release. Configurable and
 * stored as data elsewhere; keydates_compute() rejects rules whose fractions
 * are not within 0..1 or whose denominators are not positive.
 */
struct release_rules {
	int numerator[OFFENCE_CATEGORY_COUNT];   /* fraction of the term to be served, per category */
	int denominator[OFFENCE_CATEGORY_COUNT]; /* ... indexed by enum offence_category */
	bool exclude_extremism;                  /* no conditional release for extremist offences */
	bool exclude_terrorism;                  /* no conditional release for terrorist offences */
	int remand_credit_numerator;             /* days of sentence credited per day on remand: */
	int remand_credit_denominator;           /* ... usually 1/1 */
};

/* 1/3, 1/2, 2/3, 3/4 by category; both exclusions on; remand credited 1/1. */
void release_rules_default(struct release_rules *rules_r);

/* What keydates_compute() needs from a decision. */
struct keydate_input {
	bool custodial;                 /* a custodial term (penitentiary case), or else a non-custodial measure */
	struct civil_date start;        /* the first day of the term or supervision */
	struct term term;               /* its length; not zero, at most 50 years */
	int remand_days;                /* days on remand before the decision; credited to custodial terms only */
	enum offence_category category; /* the most severe category among the decision's articles */
	bool extremism;                 /* any article is marked extremist */
	bool terrorism;                 /* any article is marked terrorist */
};

enum keydate_kind {
	KEYDATE_SUPERVISION_END,
	KEYDATE_RELEASE,
	KEYDATE_CONDITIONAL_RELEASE,
};

/* "supervision_end", "release", "conditional_release_earliest"; NULL outside the enum. */
const char *keydate_kind_name(enum keydate_kind k);

/*
 * One step of how a date was computed, for the UI to render in its language.
 * op is a stable code; the fields each one uses (the others are 0, NULL or
 * the zero date {0, 0, 0}):
 *
 *  "start"                    result: the start.
 *  "add_term"                 term: the term; value: term_days; result: start + term.
 *  "last_day"                 value: 1 (the day subtracted); result: the last day of the term.
 *  "remand_not_credited"      value: the remand days (non-custodial); result: unchanged.
 *  "credit_remand"            basis: the remand days; numerator/denominator: the credit ratio;
 *                             value: the days credited; result: the date minus them, or the
 *                             zero date when that falls before the start (the next step).
 *  "remand_exceeds_term"      value: the days by which the release fell before the start;
 *                             result: the start.
 *  "fraction_of_term"         basis: term_days; numerator/denominator: the category's fraction;
 *                             value: ceil(basis x fraction); result: start + value.
 *  "remand_exceeds_fraction"  as "remand_exceeds_term", for the conditional release.
 *  "excluded"                 reason: "extremism" or "terrorism"; no result.
 *  "after_release"            result: the date that was computed, after the release date.
 */
struct keydate_step {
	const char *op;           /* a stable code, above; a static string */
	long value;               /* days, when the step has a number */
	long basis;               /* what a ratio was applied to, in days */
	int numerator;            /* a fraction or a ratio, ... */
	int denominator;          /* ... when the step has one */
	struct term term;         /* for "add_term" */
	const char *reason;       /* for "excluded": "extremism" or "terrorism"; else NULL */
	struct civil_date result; /* the date after this step, when meaningful */
};

#define KEYDATE_MAX_STEPS 8

/* A key date with its explanation. Self-contained: no pointers but to static strings. */
struct keydate {
	enum keydate_kind kind;
	bool has_date;          /* false when excluded or not applicable */
	struct civil_date date; /* when has_date; else {0, 0, 0} */
	int nsteps;
	struct keydate_step steps[KEYDATE_MAX_STEPS];
	char formula[160];      /* the same in one English line (UTF-8),
	                           e.g. "2026-01-10 + 5y6m − 1 day − 120 days remand = 2031-03-11" */
};

/*
 * Computes the key dates for the input; returns how many were written (at
 * most 3). Non-custodial: supervision_end only. Custodial: release, then
 * conditional_release_earliest (which may have has_date false, with an
 * "excluded" or "after_release" step). Rejects nothing silently: invalid
 * input or rules (a NULL argument, an invalid start, a zero, negative or
 * over-50-year term, negative remand, a category outside the enum, a last day
 * after 2200-12-31) return -1 and leave out untouched.
 */
int keydates_compute(const struct keydate_input *in, const struct release_rules *rules, struct keydate out[3]);

#endif
