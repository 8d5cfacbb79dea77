/*
 * recurrence.c — local times, time zones and RFC 5545 recurrence rules
 * (see recurrence.h). Rules are expanded by libical in floating (wall-clock)
 * time from the appointment's local start, so a weekly 10:00 stays at 10:00
 * across a DST change; each occurrence is then placed in the zone:
 *   - a local time that exists once is that instant;
 *   - one that exists twice (a fall-back hour) is the first of them;
 *   - one that does not exist (a spring-forward gap) is read with the offset
 *     before the gap, which moves it forward by the gap's length (RFC 5545
 *     3.3.5), e.g. 02:30 in Berlin on the last Sunday of March is 03:30.
 * The zone data is libical's built-in zones (the system's zoneinfo).
 */
#include "domain/recurrence.h"

#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#define RECURRENCE_MAX_ITERATIONS 200000 /* a bound on libical's iterator steps for one expansion */

/* ---- local times ------------------------------------------------------ */

struct local_time {
	int year, month, day, hour, minute;
};

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

static bool local_parse(const char *s, struct local_time *t_r)
{
	if (s == NULL || strlen(s) != LOCAL_TIME_LEN - 1 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':')
		return false;
	struct local_time t = {digits(s, 4), digits(s + 5, 2), digits(s + 8, 2), digits(s + 11, 2), digits(s + 14, 2)};
	if (t.year < 1900 || t.year > 2200 || t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > icaltime_days_in_month(t.month, t.year) || t.hour < 0 || t.hour > 23 || t.minute < 0 ||
	    t.minute > 59)
		return false;
	*t_r = t;
	return true;
}

static void local_format(unsigned year, unsigned month, unsigned day, unsigned hour, unsigned minute,
                         char out[LOCAL_TIME_LEN])
{
	/* The ranges checked on input keep this to 16 characters; snprintf cuts, never overflows. */
	snprintf(out, LOCAL_TIME_LEN, "%04u-%02u-%02uT%02u:%02u", year % 10000, month % 100, day % 100, hour % 100,
	         minute % 100);
}

bool local_time_valid(const char *s)
{
	struct local_time t;
	return local_parse(s, &t);
}

/* Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static icaltimezone *zone_get(const char *tz)
{
	if (tz == NULL || *tz == '\0' || strlen(tz) > 64)
		return NULL;
	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "Etc/UTC") == 0)
		return icaltimezone_get_utc_timezone();
	return icaltimezone_get_builtin_timezone(tz);
}

/* The zone's offset from UTC (seconds to add to UTC) at an instant. */
static int offset_at(icaltimezone *zone, int64_t t)
{
	struct icaltimetype u = icaltime_from_timet_with_zone((time_t)t, 0, icaltimezone_get_utc_timezone());
	int is_daylight = 0;
	return icaltimezone_get_utc_offset_of_utc_time(zone, &u, &is_daylight);
}

/* Seconds since the epoch of a wall-clock time in zone (see the rules at the top). */
static int64_t local_to_seconds(struct local_time t, icaltimezone *zone)
{
	int64_t wall = days_from_civil(t.year, t.month, t.day) * 86400 + t.hour * 3600 + t.minute * 60;
	if (zone == icaltimezone_get_utc_timezone())
		return wall;
	/* Offsets a day either side: a zone changes at most once in two days. */
	int before = offset_at(zone, wall - 86400), after = offset_at(zone, wall + 86400);
	int64_t ta = wall - before, tb = wall - after;
	bool a_ok = offset_at(zone, ta) == before, b_ok = offset_at(zone, tb) == after;
	if (a_ok && b_ok)
		return ta < tb ? ta : tb; /* ambiguous: the first */
	if (a_ok)
		return ta;
	if (b_ok)
		return tb;
	return ta; /* in a gap: the offset before it, which moves it forward */
}

bool local_to_utc_ms(const char *local, const char *tz, int64_t *ms_r)
{
	struct local_time t;
	icaltimezone *zone = zone_get(tz);
	if (!local_parse(local, &t) || zone == NULL)
		return false;
	*ms_r = local_to_seconds(t, zone) * 1000;
	return true;
}

bool utc_ms_to_local(int64_t ms, const char *tz, char out[LOCAL_TIME_LEN])
{
	icaltimezone *zone = zone_get(tz);
	if (zone == NULL)
		return false;
	int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	struct icaltimetype t = icaltime_from_timet_with_zone((time_t)s, 0, zone);
	if (t.year < 1900 || t.year > 2200)
		return false;
	local_format((unsigned)t.year, (unsigned)t.month, (unsigned)t.day, (unsigned)t.hour, (unsigned)t.minute, out);
	return true;
}

/* ---- rules ------------------------------------------------------------ */

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

/*
 * The parts a rule may have: no time-of-day parts (an appointment keeps its
 * time), no RSCALE/SKIP, and none of BYYEARDAY, BYWEEKNO, BYSETPOS, whose
 * impossible combinations make libical search for centuries before it gives
 * up (seconds of CPU per request).
 */
static const char *const allowed_parts[] = {"FREQ",  "UNTIL",      "COUNT",   "INTERVAL",
                                            "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST",     NULL};

/* An UNTIL value: YYYYMMDD, YYYYMMDDTHHMMSS or YYYYMMDDTHHMMSSZ, naming a real date and time. */
static bool until_text_valid(const char *v, size_t len)
{
	if (len != 8 && len != 15 && len != 16)
		return false;
	int year = digits(v, 4), month = digits(v + 4, 2), day = digits(v + 6, 2);
	if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1 ||
	    day > icaltime_days_in_month(month, year))
		return false;
	if (len == 8)
		return true;
	int hour = digits(v + 9, 2), minute = digits(v + 11, 2), second = digits(v + 13, 2);
	return v[8] == 'T' && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 59 &&
	       (len == 15 || v[15] == 'Z');
}

/* Checks the rule's text before libical sees it: characters, part names, no part twice. */
static bool rule_text_check(const char *rrule, char *err, size_t errlen)
{
	size_t len = strlen(rrule);
	if (len == 0) {
		set_err(err, errlen, "is empty");
		return false;
	}
	if (len > RECURRENCE_MAX_RULE) {
		set_err(err, errlen, "is too long");
		return false;
	}
	for (const char *p = rrule; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr(";=,+-", *p))) {
			set_err(err, errlen,
			        "is not a recurrence rule: use RFC 5545 RRULE parts in upper case, e.g. "
			        "FREQ=WEEKLY;BYDAY=MO;COUNT=10");
			return false;
		}
	}
	bool seen[sizeof allowed_parts / sizeof allowed_parts[0]] = {0};
	const char *p = rrule;
	while (*p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0) {
			const char *eq = memchr(p, '=', n);
			size_t name_len = eq ? (size_t)(eq - p) : n;
			int k = -1;
			for (int i = 0; allowed_parts[i]; i++)
				if (strlen(allowed_parts[i]) == name_len && memcmp(allowed_parts[i], p, name_len) == 0)
					k = i;
			if (!eq || eq == p + n - 1) {
				set_err(err, errlen, "has a part without a value (NAME=VALUE)");
				return false;
			}
			if (k < 0) {
				set_err(err, errlen,
				        "has a part that is not allowed (allowed: FREQ, UNTIL, COUNT, INTERVAL, BYDAY, "
				        "BYMONTHDAY, BYMONTH, WKST)");
				return false;
			}
			size_t vlen = n - name_len - 1;
			if (memchr(eq + 1, '=', vlen) != NULL) {
				set_err(err, errlen, "has a value with '=' in it (parts are separated by ';')");
				return false;
			}
			bool number = strcmp(allowed_parts[k], "COUNT") == 0 || strcmp(allowed_parts[k], "INTERVAL") == 0;
			for (size_t j = 0; number && j < vlen; j++)
				number = eq[1 + j] >= '0' && eq[1 + j] <= '9';
			if ((strcmp(allowed_parts[k], "COUNT") == 0 || strcmp(allowed_parts[k], "INTERVAL") == 0) &&
			    (!number || vlen > 4)) {
				set_err(err, errlen, "COUNT and INTERVAL must be whole numbers");
				return false;
			}
			if (strcmp(allowed_parts[k], "UNTIL") == 0 && !until_text_valid(eq + 1, vlen)) {
				set_err(err, errlen, "UNTIL must be a real date YYYYMMDD or time YYYYMMDDTHHMMSS[Z]");
				return false;
			}
			if (seen[k]) {
				set_err(err, errlen, "names a part twice");
				return false;
			}
			seen[k] = true;
		}
		p += n;
		if (*p == ';')
			p++;
	}
	if (!seen[0]) {
		set_err(err, errlen, "needs FREQ");
		return false;
	}
	return true;
}

/*
 * Parses a checked rule for expansion from a floating dtstart: a UTC UNTIL
 * becomes local time in zone (or stays as written without one), a date
 * UNTIL includes its whole day.
 */
static bool rule_parse(const char *rrule, icaltimezone *zone, struct icalrecurrencetype *r_out, char *err,
                       size_t errlen)
{
	if (!rule_text_check(rrule, err, errlen))
		return false;
	struct icalrecurrencetype r = icalrecurrencetype_from_string(rrule);
	if (r.freq == ICAL_NO_RECURRENCE) {
		set_err(err, errlen, "is not a valid recurrence rule (RFC 5545), e.g. FREQ=WEEKLY;BYDAY=MO;COUNT=10");
		return false;
	}
	if (!icaltime_is_null_time(r.until)) {
		if (r.until.is_date) {
			r.until.is_date = 0;
			r.until.hour = 23;
			r.until.minute = 59;
			r.until.second = 59;
		} else if (icaltime_is_utc(r.until)) {
			if (zone != NULL)
				r.until = icaltime_convert_to_zone(r.until, zone);
		}
		r.until.zone = NULL;
		r.until.is_daylight = 0;
	}
	*r_out = r;
	return true;
}

static struct icaltimetype floating(struct local_time t)
{
	struct icaltimetype x = icaltime_null_time();
	x.year = t.year;
	x.month = t.month;
	x.day = t.day;
	x.hour = t.hour;
	x.minute = t.minute;
	x.second = 0;
	x.is_date = 0;
	x.zone = NULL;
	return x;
}

/* True when a (floating) time is before b. Field order: no zone lookup. */
static int floating_cmp(struct icaltimetype a, struct icaltimetype b)
{
	int av[] = {a.year, a.month, a.day, a.hour, a.minute, a.second};
	int bv[] = {b.year, b.month, b.day, b.hour, b.minute, b.second};
	for (int i = 0; i < 6; i++)
		if (av[i] != bv[i])
			return av[i] < bv[i] ? -1 : 1;
	return 0;
}

/* False when no month of BYMONTH (or of the year) has a day of BYMONTHDAY. */
static bool month_days_possible(const struct icalrecurrencetype *r)
{
	if (r->by_month_day[0] == ICAL_RECURRENCE_ARRAY_MAX)
		return true;
	for (int m = 1; m <= 12; m++) {
		bool month = r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX;
		for (int i = 0; i < ICAL_BY_MONTH_SIZE && r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX && !month; i++)
			month = icalrecurrencetype_month_month(r->by_month[i]) == m;
		if (!month)
			continue;
		int days = m == 2 ? 29 : icaltime_days_in_month(m, 2001);
		for (int i = 0; i < ICAL_BY_MONTHDAY_SIZE && r->by_month_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
			int d = r->by_month_day[i] < 0 ? -r->by_month_day[i] : r->by_month_day[i];
			if (d >= 1 && d <= days)
				return true;
		}
	}
	return false;
}

static bool listed(const short *list, int size, int value)
{
	for (int i = 0; i < size && list[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
		if (list[i] == value)
			return true;
	return false;
}

/*
 * True when some day in [from, from + days) passes the rule's BYMONTH,
 * BYMONTHDAY and BYDAY filters (INTERVAL aside). A cheap test before libical,
 * which may search for centuries for a rule that never occurs.
 */
static bool some_day_matches(const struct icalrecurrencetype *r, struct local_time from, int days)
{
	int64_t first = days_from_civil(from.year, from.month, from.day);
	for (int64_t n = first; n < first + days; n++) {
		/* The civil date of day n (inverse of days_from_civil). */
		int64_t z = n + 719468, era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
		int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		int64_t mp = (5 * doy + 2) / 153;
		int d = (int)(doy - (153 * mp + 2) / 5 + 1), m = (int)(mp < 10 ? mp + 3 : mp - 9);
		int y = (int)(yoe + era * 400 + (m <= 2));
		int dim = icaltime_days_in_month(m, y);
		if (r->by_month[0] != ICAL_RECURRENCE_ARRAY_MAX) {
			bool ok = false;
			for (int i = 0; i < ICAL_BY_MONTH_SIZE && r->by_month[i] != ICAL_RECURRENCE_ARRAY_MAX; i++)
				ok |= icalrecurrencetype_month_month(r->by_month[i]) == m;
			if (!ok)
				continue;
		}
		if (r->by_month_day[0] != ICAL_RECURRENCE_ARRAY_MAX &&
		    !listed(r->by_month_day, ICAL_BY_MONTHDAY_SIZE, d) &&
		    !listed(r->by_month_day, ICAL_BY_MONTHDAY_SIZE, d - dim - 1))
			continue;
		if (r->by_day[0] != ICAL_RECURRENCE_ARRAY_MAX) {
			int wday = (int)(((n % 7) + 11) % 7) + 1; /* 1 Sunday .. 7 Saturday; 1970-01-01 was a Thursday */
			/* The ordinal counts within the month (MONTHLY, or YEARLY with BYMONTH) or the year. */
			bool in_year = r->freq == ICAL_YEARLY_RECURRENCE && r->by_month[0] == ICAL_RECURRENCE_ARRAY_MAX;
			int index = in_year ? (int)(n - days_from_civil(y, 1, 1)) / 7 + 1 : (d - 1) / 7 + 1;
			int len = in_year ? (icaltime_days_in_month(2, y) == 29 ? 366 : 365) : dim;
			int pos_from_start = in_year ? (int)(n - days_from_civil(y, 1, 1)) : d - 1;
			int back = -((len - 1 - pos_from_start) / 7 + 1);
			bool ok = false;
			for (int i = 0; i < ICAL_BY_DAY_SIZE && r->by_day[i] != ICAL_RECURRENCE_ARRAY_MAX; i++) {
				int pos = icalrecurrencetype_day_position(r->by_day[i]);
				if ((int)icalrecurrencetype_day_day_of_week(r->by_day[i]) == wday &&
				    (pos == 0 || pos == index || pos == back))
					ok = true;
			}
			if (!ok)
				continue;
		}
		return true;
	}
	return false;
}

bool recurrence_rule_check(const char *rrule, const char *dtstart_local, char *err, size_t errlen)
{
	return recurrence_rule_check_tz(rrule, dtstart_local, NULL, err, errlen);
}

bool recurrence_rule_check_tz(const char *rrule, const char *dtstart_local, const char *tz, char *err,
                              size_t errlen)
{
	struct icalrecurrencetype r;
	if (rrule == NULL) {
		set_err(err, errlen, "is empty");
		return false;
	}
	if (!rule_parse(rrule, tz ? zone_get(tz) : NULL, &r, err, errlen))
		return false;
	if (r.freq < ICAL_DAILY_RECURRENCE || r.freq > ICAL_YEARLY_RECURRENCE) {
		set_err(err, errlen, "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY");
		return false;
	}
	if (r.interval < 1 || r.interval > 52) {
		set_err(err, errlen, "INTERVAL must be between 1 and 52");
		return false;
	}
	if (r.count < 0 || r.count > 500 || (r.count == 0 && strstr(rrule, "COUNT=") != NULL)) {
		set_err(err, errlen, "COUNT must be between 1 and 500");
		return false;
	}
	struct local_time start;
	if (!local_parse(dtstart_local, &start)) {
		set_err(err, errlen, "needs a valid start (starts_local)");
		return false;
	}
	struct icaltimetype dtstart = floating(start);
	if (!icaltime_is_null_time(r.until) && floating_cmp(r.until, dtstart) < 0) {
		set_err(err, errlen, "UNTIL is before the first appointment");
		return false;
	}
	/* The first three years must give at least one occurrence. */
	struct icaltimetype horizon = dtstart;
	horizon.year += 3;
	if (!month_days_possible(&r) || !some_day_matches(&r, start, 3 * 366 + 1)) {
		set_err(err, errlen, "gives no occurrence in the first three years");
		return false;
	}
	/* An UNTIL at the horizon lets libical stop there rather than search on. */
	struct icalrecurrencetype bounded = r;
	if (bounded.count == 0 && (icaltime_is_null_time(bounded.until) || floating_cmp(bounded.until, horizon) > 0))
		bounded.until = horizon;
	bool any = false;
	icalrecur_iterator *it = icalrecur_iterator_new(bounded, dtstart);
	if (it != NULL) {
		for (int i = 0; i < RECURRENCE_MAX_ITERATIONS; i++) {
			struct icaltimetype next = icalrecur_iterator_next(it);
			if (icaltime_is_null_time(next) || floating_cmp(next, horizon) >= 0)
				break;
			if (floating_cmp(next, dtstart) >= 0) {
				any = true;
				break;
			}
		}
		icalrecur_iterator_free(it);
	}
	if (!any) {
		set_err(err, errlen, "gives no occurrence in the first three years");
		return false;
	}
	return true;
}

static bool occurrence_fill(struct occurrence *o, struct icaltimetype t, icaltimezone *zone, const char *tz)
{
	struct local_time lt = {t.year, t.month, t.day, t.hour, t.minute};
	local_format((unsigned)t.year, (unsigned)t.month, (unsigned)t.day, (unsigned)t.hour, (unsigned)t.minute, o->original_local);
	o->start_ms = local_to_seconds(lt, zone) * 1000;
	return utc_ms_to_local(o->start_ms, tz, o->start_local);
}

int recurrence_expand(const char *dtstart_local, const char *rrule, const char *tz, const char *from_local,
                      const char *to_local, struct occurrence *out, int max)
{
	struct local_time start, from, to;
	icaltimezone *zone = zone_get(tz);
	if (!local_parse(dtstart_local, &start) || !local_parse(from_local, &from) || !local_parse(to_local, &to) ||
	    zone == NULL || max < 0)
		return -1;
	struct icaltimetype dtstart = floating(start), wfrom = floating(from), wto = floating(to);
	if (rrule == NULL || *rrule == '\0') {
		if (max < 1 || floating_cmp(dtstart, wfrom) < 0 || floating_cmp(dtstart, wto) >= 0)
			return 0;
		return occurrence_fill(&out[0], dtstart, zone, tz) ? 1 : -1;
	}
	struct icalrecurrencetype r;
	if (!rule_parse(rrule, zone, &r, NULL, 0) || r.freq < ICAL_DAILY_RECURRENCE || r.freq > ICAL_YEARLY_RECURRENCE)
		return -1;
	int n = 0;
	if (max == 0 || floating_cmp(wfrom, wto) >= 0)
		return 0;
	icalrecur_iterator *it = icalrecur_iterator_new(r, dtstart);
	if (it == NULL)
		return 0; /* a rule that can never occur */
	for (int i = 0; i < RECURRENCE_MAX_ITERATIONS && n < max; i++) {
		struct icaltimetype next = icalrecur_iterator_next(it);
		if (icaltime_is_null_time(next) || floating_cmp(next, wto) >= 0)
			break;
		if (floating_cmp(next, wfrom) < 0 || floating_cmp(next, dtstart) < 0)
			continue;
		if (!occurrence_fill(&out[n], next, zone, tz)) {
			n = -1;
			break;
		}
		n++;
	}
	icalrecur_iterator_free(it);
	return n;
}

bool recurrence_rule_normalize(const char *rrule, const char *tz, char *out, size_t outlen)
{
	if (rrule == NULL || zone_get(tz) == NULL || !rule_text_check(rrule, NULL, 0) || strlen(rrule) >= outlen)
		return false;
	/* The UNTIL part: at the start or after ';' (the text check keeps '=' out of values). */
	const char *until = strncmp(rrule, "UNTIL=", 6) == 0 ? rrule : strstr(rrule, ";UNTIL=");
	if (until != NULL && until != rrule)
		until++;
	if (until == NULL) {
		snprintf(out, outlen, "%s", rrule);
		return true;
	}
	const char *value = until + 6, *end = strchr(value, ';');
	size_t len = end ? (size_t)(end - value) : strlen(value);
	char local[LOCAL_TIME_LEN];
	int seconds = 0;
	if (len == 8) { /* a date: to the end of its day */
		snprintf(local, sizeof local, "%.4s-%.2s-%.2sT23:59", value, value + 4, value + 6);
		seconds = 59;
	} else if (len == 15 && value[8] == 'T') {
		snprintf(local, sizeof local, "%.4s-%.2s-%.2sT%.2s:%.2s", value, value + 4, value + 6, value + 9,
		         value + 11);
		seconds = digits(value + 13, 2);
	} else if (len == 16 && value[8] == 'T' && value[15] == 'Z') {
		snprintf(out, outlen, "%s", rrule);
		return true;
	} else {
		return false;
	}
	int64_t ms;
	if (seconds < 0 || seconds > 59 || !local_to_utc_ms(local, tz, &ms))
		return false;
	ms += seconds * 1000;
	struct icaltimetype u = icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, icaltimezone_get_utc_timezone());
	char stamp[17];
	snprintf(stamp, sizeof stamp, "%04u%02u%02uT%02u%02u%02uZ", (unsigned)u.year % 10000, (unsigned)u.month % 100,
	         (unsigned)u.day % 100, (unsigned)u.hour % 100, (unsigned)u.minute % 100, (unsigned)u.second % 100);
	int n = snprintf(out, outlen, "%.*s%s%s", (int)(value - rrule), rrule, stamp, end ? end : "");
	return n > 0 && (size_t)n < outlen;
}
