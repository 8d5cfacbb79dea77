/*
 * curfew.h — weekly windows in local time (a curfew timetable, a zone's
 * schedule): on which weekdays (iCalendar BYDAY), from HH:MM to HH:MM, a
 * window whose end is not after its start ending the next day. Local times
 * are read in the deployment's zone through libical (recurrence.h), so a
 * window keeps its wall-clock times across a DST change (a start in a
 * spring-forward gap moves forward, as RFC 5545 says). Pure: no SQL, no clock.
 */
#ifndef KADAM_EM_CURFEW_H
#define KADAM_EM_CURFEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CURFEW_MAX_WINDOWS 32

/* One weekly window. */
struct curfew_window {
	unsigned days;  /* bit 0 Monday ... bit 6 Sunday: the days the window starts on */
	int start_min;  /* minutes after local midnight */
	int end_min;    /* <= start_min: on the next day */
};

/* "MO,WE,FR" as day bits; false for an empty or bad list. */
bool curfew_days_parse(const char *byday, unsigned *days_r);
/* "HH:MM" (00:00-23:59) as minutes; false for a bad time. */
bool curfew_hhmm_parse(const char *hhmm, int *min_r);
/* A window from its stored parts; false when one is bad. */
bool curfew_window_make(const char *byday, const char *start, const char *end, struct curfew_window *w_r);

/*
 * A schedule as JSON text: an array of {"days": ["MO", ..] or "MO,TU", "start": "HH:MM", "end": "HH:MM"} (or an
 * object {"windows": [...]}). Returns the number of windows put in out (at most cap), or -1 for a bad schedule.
 */
int curfew_schedule_parse(const char *json, struct curfew_window *out, int cap);

/*
 * Whether the instant at_ms lies in one of the windows, read in zone tz (an Olson name). When it does,
 * *start_r and *end_r get the window's instants (overlapping windows: the earliest start and the latest end of
 * those holding at_ms). next_change_r (may be NULL) gets the next instant after at_ms at which the answer may
 * change (a window's end or the next start), so a caller may keep the answer until then. False (and not inside)
 * for a bad zone.
 */
bool curfew_window_at(const struct curfew_window *w, size_t n, const char *tz, int64_t at_ms, int64_t *start_r,
                      int64_t *end_r);
bool curfew_state_at(const struct curfew_window *w, size_t n, const char *tz, int64_t at_ms, bool *inside_r,
                     int64_t *start_r, int64_t *end_r, int64_t *next_change_r);

#endif
