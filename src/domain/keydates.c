/*
 * keydates.c — key dates of a case from its decision (see keydates.h for the
 * rules). Calendar arithmetic is libical's: dates become all-day
 * icaltimetypes, which carry no time zone, so no zone data is ever consulted.
 */
#include "domain/keydates.h"

#include <libical/ical.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---- civil dates ---------------------------------------------------- */

static struct icaltimetype to_ical(struct civil_date d)
{
	struct icaltimetype t = icaltime_null_date();
	t.year = d.year;
	t.month = d.month;
	t.day = d.day;
	t.is_date = 1;
	return t;
}

static struct civil_date from_ical(struct icaltimetype t)
{
	return (struct civil_date){t.year, t.month, t.day};
}

bool civil_date_is_valid(struct civil_date date)
{
	return date.year >= CIVIL_DATE_MIN_YEAR && date.year <= CIVIL_DATE_MAX_YEAR && date.month >= 1 &&
	       date.month <= 12 && date.day >= 1 && date.day <= icaltime_days_in_month(date.month, date.year);
}

/* The value of n ASCII digits, or -1 if any is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool civil_date_parse(const char *text, struct civil_date *date_r)
{
	if (text == NULL || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return false;
	struct civil_date d = {digits(text, 4), digits(text + 5, 2), digits(text + 8, 2)};
	if (!civil_date_is_valid(d))
		return false;
	*date_r = d;
	return true;
}

void civil_date_format(struct civil_date date, char out[11])
{
	/* The ranges keep this to ten characters; a wider year would be cut, never overflow. */
	snprintf(out, 11, "%04d-%02d-%02d", date.year, date.month, date.day);
}

void civil_date_human(struct civil_date date, const char *lang, bool weekday, char out[48])
{
	static const char *const months_en[12] = {"January", "February", "March", "April", "May", "June", "July",
	                                          "August", "September", "October", "November", "December"};
	static const char *const weekdays[3][7] = {
		{"дүйшөмбү", "шейшемби", "шаршемби", "бейшемби", "жума", "ишемби", "жекшемби"},
		{"понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"},
		{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
	};
	int l = lang && strcmp(lang, "ky") == 0 ? 0 : lang && strcmp(lang, "ru") == 0 ? 1 :
	        lang && strcmp(lang, "en") == 0 ? 2 : -1;
	char day[32];
	if (l == 2)
		snprintf(day, sizeof day, "%d %s %04d", date.day, months_en[date.month - 1], date.year);
	else if (l >= 0)
		snprintf(day, sizeof day, "%02d.%02d.%04d", date.day, date.month, date.year);
	else
		snprintf(day, sizeof day, "%04d-%02d-%02d", date.year, date.month, date.day);
	/* 1900-01-01 was a Monday. */
	int dow = ((civil_date_diff_days((struct civil_date){1900, 1, 1}, date) % 7) + 7) % 7;
	if (weekday && l >= 0)
		snprintf(out, 48, "%s, %s", weekdays[l][dow], day);
	else
		snprintf(out, 48, "%s", day);
}

int civil_date_compare(struct civil_date a, struct civil_date b)
{
	/* Plain field order: icaltime_compare() would look up the UTC zone, global state a date does not need. */
	if (a.year != b.year)
		return a.year < b.year ? -1 : 1;
	if (a.month != b.month)
		return a.month < b.month ? -1 : 1;
	if (a.day != b.day)
		return a.day < b.day ? -1 : 1;
	return 0;
}

struct civil_date civil_date_add_days(struct civil_date date, int days)
{
	struct icaltimetype t = to_ical(date);
	icaltime_adjust(&t, days, 0, 0, 0);
	return from_ical(t);
}

int civil_date_diff_days(struct civil_date from, struct civil_date to)
{
	int sign = 1;
	if (civil_date_compare(from, to) > 0) {
		struct civil_date swap = from;
		from = to;
		to = swap;
		sign = -1;
	}
	int days = icaltime_day_of_year(to_ical(to)) - icaltime_day_of_year(to_ical(from));
	for (int year = from.year; year < to.year; year++)
		days += icaltime_days_in_year(year);
	return sign * days;
}

struct civil_date civil_date_add_term(struct civil_date date, struct term t)
{
	/* Years and months together, so 29 Feb + 1y1m is 29 Mar, not 28 Mar via a clamped 28 Feb. */
	long long month0 = (long long)date.month - 1 + (long long)t.years * 12 + t.months;
	struct civil_date d = {date.year + (int)(month0 / 12), (int)(month0 % 12) + 1, date.day};
	int last = icaltime_days_in_month(d.month, d.year);
	if (d.day > last)
		d.day = last;
	return civil_date_add_days(d, t.days);
}

/* ---- terms ---------------------------------------------------------- */

#define TERM_PART_MAX_DIGITS 5

/*
 * Longer than zero and at most TERM_MAX_YEARS mean Gregorian years: with a
 * year of 146097/400 days and a month of a twelfth of that, multiplied out:
 * (12y + m) * 146097 + 4800d <= 12 * 50 * 146097.
 */
static bool term_is_valid(struct term t)
{
	if (t.years < 0 || t.months < 0 || t.days < 0 || (t.years == 0 && t.months == 0 && t.days == 0))
		return false;
	int64_t scaled = ((int64_t)t.years * 12 + t.months) * 146097 + (int64_t)t.days * 4800;
	return scaled <= (int64_t)12 * TERM_MAX_YEARS * 146097;
}

bool term_parse(const char *text, struct term *term_r)
{
	if (text == NULL)
		return false;
	static const char units[] = "ymd";
	int parts[3] = {0, 0, 0};
	int next = 0; /* the first unit still allowed: keeps the order y, m, d and each unit once */
	const char *p = text;
	while (*p != '\0') {
		int n = 0;
		while (n < TERM_PART_MAX_DIGITS && p[n] >= '0' && p[n] <= '9')
			n++;
		if (n == 0)
			return false;
		const char *unit = p[n] != '\0' ? strchr(units + next, p[n]) : NULL;
		if (unit == NULL)
			return false;
		int index = (int)(unit - units);
		parts[index] = digits(p, n);
		next = index + 1;
		p += n + 1;
	}
	struct term t = {parts[0], parts[1], parts[2]};
	if (!term_is_valid(t))
		return false;
	*term_r = t;
	return true;
}

void term_format(struct term t, char out[24])
{
	int n = 0;
	out[0] = '\0';
	if (t.years != 0)
		n += snprintf(out + n, (size_t)(24 - n), "%dy", t.years);
	if (t.months != 0 && n < 24)
		n += snprintf(out + n, (size_t)(24 - n), "%dm", t.months);
	if ((t.days != 0 || n == 0) && n < 24)
		snprintf(out + n, (size_t)(24 - n), "%dd", t.days);
}

/* ---- names and rules ------------------------------------------------ */

static const char *const category_names[OFFENCE_CATEGORY_COUNT] = {"minor", "medium", "grave", "especially_grave"};

const char *offence_category_name(enum offence_category c)
{
	return (unsigned)c < OFFENCE_CATEGORY_COUNT ? category_names[c] : NULL;
}

bool offence_category_parse(const char *name, enum offence_category *c_r)
{
	for (int i = 0; name != NULL && i < OFFENCE_CATEGORY_COUNT; i++) {
		if (strcmp(name, category_names[i]) == 0) {
			*c_r = (enum offence_category)i;
			return true;
		}
	}
	return false;
}

const char *keydate_kind_name(enum keydate_kind k)
{
	switch (k) {
	case KEYDATE_SUPERVISION_END:
		return "supervision_end";
	case KEYDATE_RELEASE:
		return "release";
	case KEYDATE_CONDITIONAL_RELEASE:
		return "conditional_release_earliest";
	}
	return NULL;
}

void release_rules_default(struct release_rules *rules_r)
{
	*rules_r = (struct release_rules){
		.numerator = {1, 1, 2, 3},
		.denominator = {3, 2, 3, 4},
		.exclude_extremism = true,
		.exclude_terrorism = true,
		.remand_credit_numerator = 1,
		.remand_credit_denominator = 1,
	};
}

static bool rules_are_valid(const struct release_rules *r)
{
	for (int i = 0; i < OFFENCE_CATEGORY_COUNT; i++)
		if (r->denominator[i] <= 0 || r->numerator[i] < 0 || r->numerator[i] > r->denominator[i])
			return false;
	return r->remand_credit_numerator >= 0 && r->remand_credit_denominator > 0;
}

/* ---- the computation ------------------------------------------------ */

/* Appends to a keydate's formula; the formats below fit its 160 bytes with any valid input. */
__attribute__((format(printf, 2, 3))) static void formula_add(struct keydate *k, const char *fmt, ...)
{
	size_t len = strlen(k->formula);
	if (len + 1 >= sizeof k->formula)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->formula + len, sizeof k->formula - len, fmt, ap);
	va_end(ap);
}

/* "day" or "days" after a count, for the English formula. */
static const char *days_word(long long n)
{
	return n == 1 ? "day" : "days";
}

/* Adds a step and returns it for the caller to fill in beyond op and result. */
static struct keydate_step *step_add(struct keydate *k, const char *op, struct civil_date result)
{
	struct keydate_step *s = &k->steps[k->nsteps++];
	*s = (struct keydate_step){.op = op, .result = result};
	return s;
}

static void keydate_set(struct keydate *k, struct civil_date date)
{
	char text[11];
	k->has_date = true;
	k->date = date;
	civil_date_format(date, text);
	formula_add(k, " = %s", text);
}

/* What every computation shares, worked out once. */
struct basis {
	const struct keydate_input *in;
	char start[11];              /* the start, formatted */
	char term[24];               /* the term, formatted */
	struct civil_date end;       /* start + term, the day after the last */
	struct civil_date last;      /* the last day of the term */
	long term_days;              /* from start to end */
	long long credit;            /* remand days credited (custodial) */
	int credit_num, credit_den;  /* the credit ratio */
};

/* start, add_term, last_day: shared by the supervision end and the release. */
static void steps_to_last_day(struct keydate *k, const struct basis *b)
{
	step_add(k, "start", b->in->start);
	struct keydate_step *s = step_add(k, "add_term", b->end);
	s->term = b->in->term;
	s->value = b->term_days;
	step_add(k, "last_day", b->last)->value = 1;
	formula_add(k, "%s + %s − 1 day", b->start, b->term);
}

/* credit_remand, when there was remand. */
static void step_credit(struct keydate *k, const struct basis *b, struct civil_date result)
{
	if (b->in->remand_days == 0)
		return;
	struct keydate_step *s = step_add(k, "credit_remand", result);
	s->basis = b->in->remand_days;
	s->numerator = b->credit_num;
	s->denominator = b->credit_den;
	s->value = (long)b->credit;
	formula_add(k, " − %lld %s remand", b->credit, days_word(b->credit));
	if (b->credit_num != b->credit_den)
		formula_add(k, " (%d × %d/%d)", b->in->remand_days, b->credit_num, b->credit_den);
}

/*
 * The date offset days after the start, after the remand credit; when that
 * falls before the start, the start with a step op saying by how much.
 */
static void finish_from_start(struct keydate *k, const struct basis *b, long long offset, const char *op)
{
	if (offset >= 0) {
		struct civil_date date = civil_date_add_days(b->in->start, (int)offset);
		step_credit(k, b, date);
		keydate_set(k, date);
		return;
	}
	step_credit(k, b, (struct civil_date){0, 0, 0});
	step_add(k, op, b->in->start)->value = (long)-offset;
	formula_add(k, ": before the start, so %s", b->start);
	k->has_date = true;
	k->date = b->in->start;
}

static void compute_supervision_end(struct keydate *k, const struct basis *b)
{
	k->kind = KEYDATE_SUPERVISION_END;
	steps_to_last_day(k, b);
	keydate_set(k, b->last);
	if (b->in->remand_days > 0) {
		step_add(k, "remand_not_credited", b->last)->value = b->in->remand_days;
		formula_add(k, " (%d %s remand not credited)", b->in->remand_days, days_word(b->in->remand_days));
	}
}

static void compute_release(struct keydate *k, const struct basis *b)
{
	k->kind = KEYDATE_RELEASE;
	steps_to_last_day(k, b);
	finish_from_start(k, b, b->term_days - 1 - b->credit, "remand_exceeds_term");
}

static void compute_conditional_release(struct keydate *k, const struct basis *b, const struct release_rules *rules,
                                        const struct keydate *release)
{
	const struct keydate_input *in = b->in;
	k->kind = KEYDATE_CONDITIONAL_RELEASE;
	bool extremism = in->extremism && rules->exclude_extremism;
	bool terrorism = in->terrorism && rules->exclude_terrorism;
	if (extremism || terrorism) {
		if (extremism)
			step_add(k, "excluded", (struct civil_date){0, 0, 0})->reason = "extremism";
		if (terrorism)
			step_add(k, "excluded", (struct civil_date){0, 0, 0})->reason = "terrorism";
		formula_add(k, "no conditional release: %s", extremism && terrorism ? "extremism and terrorism"
		                                            : extremism             ? "extremism"
		                                                                    : "terrorism");
		return;
	}
	int num = rules->numerator[in->category], den = rules->denominator[in->category];
	long served = (long)(((int64_t)b->term_days * num + den - 1) / den);
	struct civil_date after_fraction = civil_date_add_days(in->start, (int)served);
	step_add(k, "start", in->start);
	struct keydate_step *s = step_add(k, "fraction_of_term", after_fraction);
	s->basis = b->term_days;
	s->numerator = num;
	s->denominator = den;
	s->value = served;
	formula_add(k, "%s + %ld %s (%d/%d of %ld)", b->start, served, days_word(served), num, den, b->term_days);
	finish_from_start(k, b, served - b->credit, "remand_exceeds_fraction");
	if (civil_date_compare(k->date, release->date) > 0) {
		char text[11];
		civil_date_format(release->date, text);
		formula_add(k, ", after the release date %s", text);
		step_add(k, "after_release", k->date);
		k->has_date = false;
		k->date = (struct civil_date){0, 0, 0};
	}
}

static bool input_is_valid(const struct keydate_input *in)
{
	return civil_date_is_valid(in->start) && term_is_valid(in->term) && in->remand_days >= 0 &&
	       (unsigned)in->category < OFFENCE_CATEGORY_COUNT;
}

int keydates_compute(const struct keydate_input *in, const struct release_rules *rules, struct keydate out[3])
{
	if (in == NULL || rules == NULL || out == NULL || !input_is_valid(in) || !rules_are_valid(rules))
		return -1;
	struct basis b = {.in = in, .credit_num = rules->remand_credit_numerator,
	                  .credit_den = rules->remand_credit_denominator};
	b.end = civil_date_add_term(in->start, in->term);
	b.last = civil_date_add_days(b.end, -1);
	if (!civil_date_is_valid(b.last))
		return -1;
	b.term_days = civil_date_diff_days(in->start, b.end);
	b.credit = (long long)in->remand_days * b.credit_num / b.credit_den;
	civil_date_format(in->start, b.start);
	term_format(in->term, b.term);

	struct keydate k[2];
	memset(k, 0, sizeof k);
	if (!in->custodial) {
		compute_supervision_end(&k[0], &b);
		memcpy(out, k, sizeof k[0]);
		return 1;
	}
	compute_release(&k[0], &b);
	compute_conditional_release(&k[1], &b, rules, &k[0]);
	memcpy(out, k, sizeof k);
	return 2;
}
