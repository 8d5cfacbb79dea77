/*
 * curfew.c — weekly windows in local time (see curfew.h). A window that
 * starts on local day D runs from D at start to D (or D + 1 when end <= start)
 * at end, each end converted to an instant in the zone by
 * local_to_utc_ms (libical); the day arithmetic and weekdays are libical's
 * too. An instant is tested against windows starting on the day before, the
 * day of and the day after its local date, which covers windows across
 * midnight and gives the next change.
 */
#include "em/curfew.h"

#include <jansson.h>
#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#include "domain/recurrence.h"

static const char *const day_names[7] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};

static int day_bit(const char *s, size_t len)
{
	if (len != 2)
		return -1;
	for (int i = 0; i < 7; i++)
		if (strncmp(s, day_names[i], 2) == 0)
			return i;
	return -1;
}

bool curfew_days_parse(const char *byday, unsigned *days_r)
{
	unsigned days = 0;
	if (byday == NULL || *byday == '\0' || strlen(byday) > 40)
		return false;
	const char *p = byday;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		int b = day_bit(p, len);
		if (b < 0)
			return false;
		days |= 1u << b;
		p += len;
		if (*p == ',' && *++p == '\0')
			return false;
	}
	*days_r = days;
	return days != 0;
}

bool curfew_hhmm_parse(const char *hhmm, int *min_r)
{
	if (hhmm == NULL || strlen(hhmm) != 5 || hhmm[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (hhmm[i] < '0' || hhmm[i] > '9'))
			return false;
	int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0'), m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
	if (h > 23 || m > 59)
		return false;
	*min_r = h * 60 + m;
	return true;
}

bool curfew_window_make(const char *byday, const char *start, const char *end, struct curfew_window *w_r)
{
	struct curfew_window w;
	if (!curfew_days_parse(byday, &w.days) || !curfew_hhmm_parse(start, &w.start_min) ||
	    !curfew_hhmm_parse(end, &w.end_min))
		return false;
	*w_r = w;
	return true;
}

/* One window of a schedule: days as an array of names or a comma list. */
static bool schedule_window(const json_t *o, struct curfew_window *w_r)
{
	const json_t *days = json_object_get(o, "days");
	char list[40] = "";
	if (json_is_string(days)) {
		if (json_string_length(days) >= sizeof list)
			return false;
		snprintf(list, sizeof list, "%s", json_string_value(days));
	} else if (json_is_array(days) && json_array_size(days) > 0 && json_array_size(days) <= 7) {
		size_t i;
		const json_t *d;
		json_array_foreach(days, i, d) {
			if (!json_is_string(d) || json_string_length(d) != 2)
				return false;
			size_t at = strlen(list);
			snprintf(list + at, sizeof list - at, "%s%s", i ? "," : "", json_string_value(d));
		}
	} else {
		return false;
	}
	return curfew_window_make(list, json_string_value(json_object_get(o, "start")),
	                          json_string_value(json_object_get(o, "end")), w_r);
}

int curfew_schedule_parse(const char *json, struct curfew_window *out, int cap)
{
	if (json == NULL)
		return -1;
	json_t *root = json_loads(json, 0, NULL);
	const json_t *list = json_is_object(root) ? json_object_get(root, "windows") : root;
	int n = -1;
	if (json_is_array(list) && json_array_size(list) <= CURFEW_MAX_WINDOWS) {
		n = 0;
		size_t i;
		const json_t *o;
		json_array_foreach(list, i, o) {
			if (n >= cap || !schedule_window(o, &out[n])) {
				n = -1;
				break;
			}
			n++;
		}
	}
	json_decref(root);
	return n;
}

/* ---- instants ------------------------------------------------------------------------------- */

/* Local date "YYYY-MM-DD" of day d shifted by days, as a libical date. */
static struct icaltimetype date_shift(struct icaltimetype d, int days)
{
	struct icaltimetype t = d;
	icaltime_adjust(&t, days, 0, 0, 0);
	return t;
}

/* Our day number (0 Monday .. 6 Sunday) of a libical date. */
static int weekday(struct icaltimetype d)
{
	int dow = icaltime_day_of_week(d); /* 1 Sunday .. 7 Saturday */
	return (dow + 5) % 7;
}

/* The instant of local date d at minute m in zone tz. */
static bool instant(struct icaltimetype d, int m, const char *tz, int64_t *ms_r)
{
	char local[32];
	snprintf(local, sizeof local, "%04u-%02u-%02uT%02u:%02u", (unsigned)d.year % 10000, (unsigned)d.month % 100,
	         (unsigned)d.day % 100, (unsigned)(m / 60) % 24, (unsigned)m % 60);
	return local_to_utc_ms(local, tz, ms_r);
}

bool curfew_state_at(const struct curfew_window *w, size_t n, const char *tz, int64_t at_ms, bool *inside_r,
                     int64_t *start_r, int64_t *end_r, int64_t *next_change_r)
{
	*inside_r = false;
	char local[LOCAL_TIME_LEN];
	if (!utc_ms_to_local(at_ms, tz, local))
		return false;
	int year = 0, month = 0, day = 0;
	if (sscanf(local, "%4d-%2d-%2d", &year, &month, &day) != 3)
		return false;
	struct icaltimetype today = icaltime_null_date();
	today.year = year;
	today.month = month;
	today.day = day;
	int64_t start = INT64_MAX, end = INT64_MIN, next = at_ms + 2LL * 86400000;
	for (int off = -1; off <= 1; off++) {
		struct icaltimetype d = date_shift(today, off), d1 = date_shift(today, off + 1);
		int wd = weekday(d);
		for (size_t i = 0; i < n; i++) {
			if (!(w[i].days & (1u << wd)))
				continue;
			int64_t s, e;
			if (!instant(d, w[i].start_min, tz, &s) ||
			    !instant(w[i].end_min <= w[i].start_min ? d1 : d, w[i].end_min, tz, &e))
				return false;
			if (s <= at_ms && at_ms < e) {
				*inside_r = true;
				if (s < start)
					start = s;
				if (e > end)
					end = e;
				if (e < next)
					next = e;
			} else if (s > at_ms && s < next) {
				next = s;
			}
		}
	}
	if (*inside_r) {
		*start_r = start;
		*end_r = end;
	}
	if (next_change_r)
		*next_change_r = next;
	return true;
}

bool curfew_window_at(const struct curfew_window *w, size_t n, const char *tz, int64_t at_ms, int64_t *start_r,
                      int64_t *end_r)
{
	bool inside = false;
	return curfew_state_at(w, n, tz, at_ms, &inside, start_r, end_r, NULL) && inside;
}
