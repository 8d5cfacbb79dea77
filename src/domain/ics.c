/*
 * ics.c — an officer's appointments as an iCalendar feed. See ics.h.
 */
#include "domain/ics.h"

#include <stdio.h>
#include <string.h>

#include <libical/ical.h>

/* ---- times ----------------------------------------------------------------------------- */

/* Parses "YYYY-MM-DDTHH:MM" into a floating date-time (the TZID parameter names its zone). */
static bool local_parse(const char *s, struct icaltimetype *t_r)
{
	int y, mo, d, h, mi, n = 0;
	if (!s || strlen(s) != 16 || sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16 ||
	    s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':')
		return false;
	if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > icaltime_days_in_month(mo, y) || h < 0 ||
	    h > 23 || mi < 0 || mi > 59)
		return false;
	struct icaltimetype t = icaltime_null_time();
	t.year = y, t.month = mo, t.day = d, t.hour = h, t.minute = mi, t.second = 0;
	t.is_date = 0;
	*t_r = t;
	return true;
}

bool ics_local_time_valid(const char *local)
{
	struct icaltimetype t;
	return local_parse(local, &t);
}

/* A property holding a local time, with TZID=tz. */
static icalproperty *with_zone(icalproperty *p, const char *tz)
{
	icalproperty_add_parameter(p, icalparameter_new_tzid(tz));
	return p;
}

/* ---- events ---------------------------------------------------------------------------- */

/* The properties every VEVENT of an appointment carries. */
static void common_properties(icalcomponent *ev, const struct ics_event *e, struct icaltimetype stamp)
{
	char uid[128];
	snprintf(uid, sizeof uid, "%s@kadam", e->id);
	icalcomponent_add_property(ev, icalproperty_new_uid(uid));
	icalcomponent_add_property(ev, icalproperty_new_dtstamp(stamp));
	icalcomponent_add_property(ev, icalproperty_new_duration(icaldurationtype_from_int(e->duration_min * 60)));
	icalcomponent_add_property(ev, icalproperty_new_summary(e->summary ? e->summary : ""));
	if (e->location && *e->location)
		icalcomponent_add_property(ev, icalproperty_new_location(e->location));
	icalcomponent_add_property(ev, icalproperty_new_sequence(e->sequence > 0 ? e->sequence : 0));
	icalcomponent_add_property(ev, icalproperty_new_status(ICAL_STATUS_CONFIRMED));
	icalcomponent_add_property(ev, icalproperty_new_class(ICAL_CLASS_PRIVATE));
	icalcomponent_add_property(ev, icalproperty_new_transp(ICAL_TRANSP_OPAQUE));
}

/* Adds the events of one appointment to cal; false for a malformed time or rule. */
static bool add_appointment(icalcomponent *cal, const struct ics_event *e, const char *tz,
                            struct icaltimetype stamp)
{
	struct icaltimetype start;
	if (!e->id || !local_parse(e->starts_local, &start) || e->duration_min < 1)
		return false;
	if (!e->rrule || !*e->rrule) {
		/* A single appointment: a move is its new start, a cancellation leaves it out. */
		for (size_t i = 0; i < e->nexceptions; i++) {
			const struct ics_exception *x = &e->exceptions[i];
			if (!x->original_local || strcmp(x->original_local, e->starts_local) != 0)
				continue;
			if (!x->new_starts_local)
				return true;
			if (!local_parse(x->new_starts_local, &start))
				return false;
		}
		icalcomponent *ev = icalcomponent_new_vevent();
		common_properties(ev, e, stamp);
		icalcomponent_add_property(ev, with_zone(icalproperty_new_dtstart(start), tz));
		icalcomponent_add_component(cal, ev);
		return true;
	}
	icalerror_clear_errno();
	struct icalrecurrencetype rule = icalrecurrencetype_from_string(e->rrule);
	if (rule.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		icalerror_clear_errno();
		return false;
	}
	icalcomponent *master = icalcomponent_new_vevent();
	common_properties(master, e, stamp);
	icalcomponent_add_property(master, with_zone(icalproperty_new_dtstart(start), tz));
	icalcomponent_add_property(master, icalproperty_new_rrule(rule));
	for (size_t i = 0; i < e->nexceptions; i++) {
		struct icaltimetype original;
		if (!local_parse(e->exceptions[i].original_local, &original)) {
			icalcomponent_free(master);
			return false;
		}
		if (!e->exceptions[i].new_starts_local)
			icalcomponent_add_property(master, with_zone(icalproperty_new_exdate(original), tz));
	}
	icalcomponent_add_component(cal, master);
	/* Each moved occurrence overrides the rule's instance it came from (RECURRENCE-ID). */
	for (size_t i = 0; i < e->nexceptions; i++) {
		const struct ics_exception *x = &e->exceptions[i];
		struct icaltimetype original, moved;
		if (!x->new_starts_local)
			continue;
		if (!local_parse(x->original_local, &original) || !local_parse(x->new_starts_local, &moved))
			return false;
		icalcomponent *ev = icalcomponent_new_vevent();
		common_properties(ev, e, stamp);
		icalcomponent_add_property(ev, with_zone(icalproperty_new_recurrenceid(original), tz));
		icalcomponent_add_property(ev, with_zone(icalproperty_new_dtstart(moved), tz));
		icalcomponent_add_component(cal, ev);
	}
	return true;
}

/* ---- the calendar ---------------------------------------------------------------------- */

/*
 * libical's reading of the system's zone files ends in a spurious one-off
 * observance at 2038-01-19 (the end of 32-bit time) that changes nothing:
 * it is left out.
 */
static void drop_end_of_time(icalcomponent *vtz)
{
	icalcomponent *c = icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	while (c) {
		icalcomponent *next = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT);
		icalproperty *start = icalcomponent_get_first_property(c, ICAL_DTSTART_PROPERTY);
		icalproperty *from = icalcomponent_get_first_property(c, ICAL_TZOFFSETFROM_PROPERTY);
		icalproperty *to = icalcomponent_get_first_property(c, ICAL_TZOFFSETTO_PROPERTY);
		if (start && from && to && icalproperty_get_dtstart(start).year >= 2038 &&
		    !icalcomponent_get_first_property(c, ICAL_RRULE_PROPERTY) &&
		    !icalcomponent_get_first_property(c, ICAL_RDATE_PROPERTY) &&
		    icalproperty_get_tzoffsetfrom(from) == icalproperty_get_tzoffsetto(to)) {
			icalcomponent_remove_component(vtz, c);
			icalcomponent_free(c);
		}
		c = next;
	}
}

/*
 * The zone's VTIMEZONE with TZID the Olson name (libical's own prefixed id
 * means nothing to a client), cut to the observances from `from` on: the
 * zone's history back to 1924 only makes the feed longer, and its offsets
 * in seconds (+045824) trouble some clients.
 */
static icalcomponent *timezone_component(const char *tz, struct icaltimetype from)
{
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tz);
	icalcomponent *source = zone ? icaltimezone_get_component(zone) : NULL;
	if (!source)
		return NULL;
	icalcomponent *vtz = icalcomponent_new_clone(source);
	icaltimezone_truncate_vtimezone(vtz, from, icaltime_null_time(), 1);
	drop_end_of_time(vtz);
	icalproperty *id = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
	if (id)
		icalproperty_set_tzid(id, tz);
	else
		icalcomponent_add_property(vtz, icalproperty_new_tzid(tz));
	return vtz;
}

static icalproperty *x_property(const char *name, const char *value)
{
	icalproperty *p = icalproperty_new_x(value);
	icalproperty_set_x_name(p, name);
	return p;
}

char *ics_calendar(const char *name, const char *tz, int64_t stamp_ms, const struct ics_event *events,
                   size_t nevents)
{
	if (!tz || !*tz)
		return NULL;
	struct icaltimetype stamp =
		icaltime_from_timet_with_zone((time_t)(stamp_ms / 1000), 0, icaltimezone_get_utc_timezone());
	/* The zone is needed from a day before the earliest start (a local time is within a day of UTC). */
	struct icaltimetype from = stamp;
	for (size_t i = 0; i < nevents; i++) {
		struct icaltimetype t;
		if (local_parse(events[i].starts_local, &t) && icaltime_compare(t, from) < 0)
			from = t;
	}
	icaltime_adjust(&from, -1, 0, 0, 0);
	from.hour = from.minute = from.second = 0;
	from.zone = icaltimezone_get_utc_timezone();
	icalcomponent *vtz = timezone_component(tz, from);
	if (!vtz)
		return NULL;
	icalcomponent *cal = icalcomponent_new_vcalendar();
	icalcomponent_add_property(cal, icalproperty_new_prodid("-//Kadam//Probation diary//EN"));
	icalcomponent_add_property(cal, icalproperty_new_version("2.0"));
	icalcomponent_add_property(cal, icalproperty_new_calscale("GREGORIAN"));
	icalcomponent_add_property(cal, icalproperty_new_method(ICAL_METHOD_PUBLISH));
	icalcomponent_add_property(cal, x_property("X-WR-CALNAME", name ? name : "Kadam"));
	icalcomponent_add_property(cal, x_property("X-WR-TIMEZONE", tz));
	/* How often a subscribing client should fetch it again. */
	icalcomponent_add_property(cal, x_property("X-PUBLISHED-TTL", "PT1H"));
	icalcomponent_add_component(cal, vtz);
	for (size_t i = 0; i < nevents; i++) {
		if (!add_appointment(cal, &events[i], tz, stamp)) {
			icalcomponent_free(cal);
			return NULL;
		}
	}
	char *text = icalcomponent_as_ical_string_r(cal);
	icalcomponent_free(cal);
	return text;
}
