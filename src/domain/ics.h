/*
 * ics.h — an officer's appointments as an iCalendar feed (RFC 5545) that
 * mail clients subscribe to: one VCALENDAR with the deployment's VTIMEZONE
 * and a VEVENT per appointment (its rule, EXDATEs for cancelled occurrences,
 * and a VEVENT with RECURRENCE-ID for each moved one). libical writes the
 * text, so escaping, CRLF line ends and folding at 75 octets follow the RFC.
 *
 * What goes into an event is the caller's choice; the feed leaves Kadam for
 * a mail client, so the caller passes only what an officer needs to find
 * the appointment (kind, case number, initials, place), never notes.
 */
#ifndef KADAM_DOMAIN_ICS_H
#define KADAM_DOMAIN_ICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One occurrence moved or cancelled. Borrowed strings. */
struct ics_exception {
	const char *original_local;   /* "YYYY-MM-DDTHH:MM": where the rule put it */
	const char *new_starts_local; /* where it moved to; NULL: cancelled */
};

/* One appointment. Borrowed strings; local times "YYYY-MM-DDTHH:MM" in the calendar's zone. */
struct ics_event {
	const char *id;           /* the appointment's id: UID is "<id>@kadam" */
	const char *summary;
	const char *location;     /* NULL or "": none */
	const char *starts_local; /* the first occurrence */
	int duration_min;
	const char *rrule;        /* RRULE value without "RRULE:"; NULL: once */
	int sequence;             /* SEQUENCE: bumped when the appointment changes */
	const struct ics_exception *exceptions;
	size_t nexceptions;
};

/*
 * The calendar as text (CRLF line ends, folded), malloc'd; the caller frees
 * it. name is X-WR-CALNAME; tz an Olson zone name, written as a VTIMEZONE
 * whose TZID is tz itself; stamp_ms the DTSTAMP. A single appointment that
 * was moved is written at its new start; a cancelled one is left out. NULL
 * for an unknown zone or a malformed time or rule (nothing written).
 */
char *ics_calendar(const char *name, const char *tz, int64_t stamp_ms, const struct ics_event *events,
                   size_t nevents);

/* True for "YYYY-MM-DDTHH:MM" with a valid date and time. */
bool ics_local_time_valid(const char *local);

#endif
