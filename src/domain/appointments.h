/*
 * appointments.h — the occurrences of a case's or an officer's appointments
 * in a window of local time, with each occurrence's exception (moved or
 * cancelled) and recorded outcome applied. Shared by the case's appointment
 * list (api/appointments.c), the diary and the calendar feed (api/diary.c).
 */
#ifndef KADAM_DOMAIN_APPOINTMENTS_H
#define KADAM_DOMAIN_APPOINTMENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "domain/recurrence.h"
#include "store/db.h"

#define APPOINTMENT_ZONE_LEN 64
/* At most this many occurrences of one appointment are expanded for one window. */
#define APPOINTMENT_MAX_OCCURRENCES 1000

/*
 * The contact outcomes that count as a contact that took place, as an SQL
 * list: the level's minimum ("done vs minimum") is counted over these, on the
 * case's supervision page (api/supervision.c) and by the rule level.min_contacts (engine/rules.c).
 */
#define CONTACT_HELD_OUTCOMES "('attended_complied', 'attended_failed_to_comply', 'sent_home')"

/* The deployment's zone (setting `timezone`, default "Asia/Bishkek"); false on a database error. */
bool appointments_zone(db *conn, char out[APPOINTMENT_ZONE_LEN]);

/*
 * The occurrences in the window [from_local, to_local) (local times
 * "YYYY-MM-DDTHH:MM" in zone tz; for whole days pass "YYYY-MM-DDT00:00" of the
 * first day and of the day after the last) of the appointments of case_id,
 * or, when case_id is NULL, of those whose officer is officer_id. Exactly one
 * of case_id and officer_id is non-NULL. Reads inside the caller's
 * transaction; logs nothing (the caller writes the processing log).
 *
 * *items_r gets a new JSON array of Occurrence objects (see the API contract),
 * ordered by start instant, then appointment id:
 *   {appointment_id, case_id, case_number, person_name, officer_id,
 *    officer_name, kind, location, purpose, start_local, end_local,
 *    start (RFC 3339 UTC), original_local, moved, cancelled, reason,
 *    duration_min, recurring, outcome (Contact or null)}
 *
 * Rules:
 * - An occurrence belongs to the window by its (possibly moved) start;
 *   end_local may fall after the window (e.g. 23:30 for 60 min ends the next
 *   day at 00:30); it is the start instant + duration_min, shown in tz.
 * - original_local is where the rule put it: the occurrence's identity, used
 *   by reschedule, outcome and contact.occurrence_local.
 * - A moved occurrence (appointment_exception.new_starts_local) appears at its
 *   new start, with moved=true and reason; one moved out of the window is
 *   left out, one moved into it from outside is included.
 * - A cancelled occurrence (exception with new_starts_local NULL) is
 *   included at its original time with cancelled=true and reason.
 * - A cancelled appointment (status 'cancelled'): its occurrences that
 *   start before it was cancelled (updated_at) are shown as they were; later
 *   ones are included with cancelled=true and reason = the cancel_reason.
 * - outcome is the contact row with the same appointment_id and
 *   occurrence_local = original_local, or null.
 * Returns false on a database error (nothing in *items_r).
 */
bool appointments_occurrences(db *conn, const char *case_id, const char *officer_id, const char *from_local,
                              const char *to_local, const char *tz, json_t **items_r);

/*
 * True when the appointment (dtstart_local + rrule, rrule NULL: once)
 * generates an occurrence exactly at occurrence_local in zone tz.
 */
bool appointment_generates(const char *dtstart_local, const char *rrule, const char *tz,
                           const char *occurrence_local);

struct field_errors;
/*
 * The checks on a new appointment's body (POST /api/v1/cases/{id}/appointments):
 * its fields and limits, starts_local a real local time, and rrule a rule
 * recurrence_rule_check accepts from starts_local. Shared with the fuzz target.
 * Defined in api/appointments.c.
 */
bool appointment_body_validate(const json_t *body, struct field_errors *fe);

/* Adds minutes to a local time in wall-clock terms ("2026-03-01T23:30" + 60 -> "2026-03-02T00:30"). */
bool local_time_add_minutes(const char *local, int minutes, char out[LOCAL_TIME_LEN]);

#endif
