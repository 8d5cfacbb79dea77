/*
 * release.h — release planning (penitentiary probation): the planning
 * window, a case's release date, the first appointment's limit, the
 * handover from prison to probation (the case moves to the receiving unit
 * and changes kind, the release plan's open actions join the supervision
 * plan, the first appointment is booked) and the printed minutes of a
 * multi-agency panel meeting. Everything runs in the caller's transaction
 * and logs nothing: the API writes the processing log.
 */
#ifndef KADAM_DOMAIN_RELEASE_H
#define KADAM_DOMAIN_RELEASE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/uuid.h"
#include "store/db.h"

/* The minutes' fixed wording in ky, ru and en (data/panel-minutes.json, compiled in by scripts/embed-text.py). */
extern const char panel_minutes_json[];
extern const size_t panel_minutes_json_len;

/* A release passed by more than this many days drops off the prison's list. */
#define RELEASE_LIST_PAST_DAYS 30
/* The need and text of the supervision plan's objective that takes the release plan's actions at handover. */
#define RELEASE_OBJECTIVE_NEED "reintegration"
#define RELEASE_OBJECTIVE_TEXT "Release plan"

/* The release date of a case: the latest `release` key date of its decisions in force; out "" when none. */
enum db_status release_date_of_case(db *conn, const char *case_id, char out[11]);

/*
 * The planning window for today (YYYY-MM-DD): to = today + months_before months (setting
 * release_planning.months_before, domain/settings.c: 1..36, default 6; libical's month arithmetic, the day clamped to the month's
 * end), from = today - RELEASE_LIST_PAST_DAYS. A case is on the prison's list when its release date is in
 * [from, to].
 */
enum db_status release_window(db *conn, const char *today, long *months_r, char from[11], char to[11]);

/* The latest date a first appointment may fall on: release_on + release_plan.first_appointment_days (0..60,
 * default 3). limit "" when release_on is empty. */
enum db_status release_first_appointment_limit(db *conn, const char *release_on, char limit[11], long *days_r);

/* The move of a case from prison to its receiving unit; borrowed strings. */
struct release_move {
	const char *case_id;
	const char *to_unit_id;
	const char *officer_id;  /* the receiving officer */
	const char *kind;        /* executive or post_penitentiary */
	const char *consent_on;  /* post_penitentiary: the day the person asked; else NULL */
	const char *released_on; /* YYYY-MM-DD */
	const char *actor_id;
};
/*
 * Moves the case: its allocation history gets a row (the open one closed), its unit, officer and kind change
 * (consent_on recorded), and the timeline gets case.transferred. from_unit_r gets the unit it left. DB_CONSTRAINT
 * when the case is no longer an open penitentiary case (closed or changed since it was read).
 */
enum db_status release_case_move(db *conn, const struct release_move *m, int64_t now,
                                 char from_unit_r[UUID_STR_LEN]);

/* Where the release plan's actions went in the supervision plan. */
struct release_carry {
	char plan_id[UUID_STR_LEN];      /* the supervision plan; "" when there was nothing to carry */
	bool plan_created;
	char objective_id[UUID_STR_LEN]; /* "" when there was nothing to carry */
	int64_t actions;                 /* plan_action rows made */
};
/*
 * Carries every open release action of release_plan_id (not carried before) into the case's supervision plan
 * (started, review every 90 days, when the case has none) under one new objective (RELEASE_OBJECTIVE_NEED,
 * "Release plan"): owner the partner agency when the action's owning agency is a partner, else officer_id;
 * release_action.plan_action_id set. Adds plan.started / plan.objective_added to the timeline. today: YYYY-MM-DD.
 */
enum db_status release_actions_into_plan(db *conn, const char *release_plan_id, const char *case_id,
                                         const char *officer_id, const char *actor_id, const char *today,
                                         int64_t now, struct release_carry *out);

/* Books the first appointment after release (an office appointment of 60 minutes, once) with its timeline
 * event. */
enum db_status release_first_appointment(db *conn, const char *case_id, const char *officer_id,
                                         const char *starts_local, const char *place, const char *actor_id,
                                         int64_t now, char id_r[UUID_STR_LEN]);

/*
 * The minutes of a panel meeting as a whole HTML page in lang (ky, ru or en), all fixed wording from
 * data/panel-minutes.json, every value escaped. meeting: {case_number, person_name, release_on,
 * receiving_unit_name, held_on, place, agenda, decisions, attendees:[{agency_name, name, role_title, present}],
 * actions:[{description, owner_agency_name, owner_name, due_on, status}]}; today: the generation date.
 */
void release_minutes_html(struct buf *b, const json_t *meeting, const char *lang, const char *today);

#endif
