/*
 * assessment.h — risk and needs assessments (structured professional
 * judgement, S14): a draft by an assessor, submitted when complete by a
 * certified assessor, countersigned by a unit head (its risk-management
 * actions go into the supervision plan; earlier assessments of the case with
 * the same instrument become superseded), or returned. The final judgement is
 * the assessor's choice with a rationale; nothing here computes it.
 * Reassessment falls due by interval and after triggers (reassessment.c).
 */
#ifndef KADAM_DOMAIN_ASSESSMENT_H
#define KADAM_DOMAIN_ASSESSMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/uuid.h"
#include "domain/instrument.h"
#include "store/db.h"

/* ---- assessment.c: the lifecycle --------------------------------------- */

/* True when account_id holds a live certification for instrument_code on date today (YYYY-MM-DD):
 * certified_on <= today < expires_on (expires_on is the first day it no longer holds), not revoked. */
enum db_status assessor_certified(db *conn, const char *account_id, const char *instrument_code, const char *today,
                                  bool *certified_r);

/* ---- reassessment.c: triggers, due dates, the level suggestion --------- */

/* An event that calls for a reassessment; borrowed strings. */
struct trigger_new {
	const char *case_id;
	const char *kind;        /* breach, release, address, work, new_information, other */
	const char *occurred_on; /* YYYY-MM-DD */
	const char *summary;     /* one line, names no personal data */
	const char *record_type; /* what raised it, or NULL (an officer's own) */
	const char *record_id;
	const char *recorded_by; /* NULL: the engine */
};

/*
 * Records a trigger in the caller's transaction, once per (case, kind,
 * record), and raises its alert and task through the compliance engine
 * (rules_on_trigger). *created_r false when it was recorded before.
 */
enum db_status reassessment_trigger_add(db *conn, const struct trigger_new *t, int64_t now,
                                        char id_r[UUID_STR_LEN], bool *created_r);
/* The same for every open case of a person (a change of address). */
enum db_status reassessment_trigger_person(db *conn, const char *person_id, const struct trigger_new *t,
                                           int64_t now);

/* When a case's next reassessment with one instrument falls due. */
struct reassessment_due {
	char instrument_code[INSTRUMENT_CODE_LEN]; /* "" when the case has no completed assessment */
	char assessment_id[UUID_STR_LEN];          /* the latest submitted or countersigned one; "" when none */
	char last_on[11];                          /* its assessed_on; "" when none */
	char due_on[11];
	int interval_days;                         /* min(instrument, level) or the level's when none */
	const char *basis;                         /* "instrument", "level" or "no_assessment" */
};
/*
 * Every due date of an open case with a supervision level: one per
 * instrument the case has a completed assessment with (due = assessed_on +
 * the shorter of the instrument's and the level's interval), or, with none,
 * one counted from the level's effective date by the level's interval.
 * *n_r 0 when the case has no level. The array is malloc'ed (free it).
 */
enum db_status reassessment_due_case(db *conn, const char *case_id, struct reassessment_due **due_r, size_t *n_r);

/* The level the latest countersigned judgement suggests (level_suggestion), if any. */
struct level_suggested {
	bool found;
	char level[40];
	char assessment_id[UUID_STR_LEN];
	char instrument_id[UUID_STR_LEN];
	char instrument_code[INSTRUMENT_CODE_LEN];
	char judgement[48];
	char assessed_on[11];
};
enum db_status assessment_level_suggestion(db *conn, const char *case_id, struct level_suggested *s);

/*
 * On submission of assessment_id: resolves the case's open triggers that
 * occurred on or before its assessed_on, marks the open reassessment tasks
 * done and closes the open reassessment alerts (verified, outcome task) with
 * a note naming the assessment.
 */
enum db_status assessment_resolve_reminders(db *conn, const char *case_id, const char *assessment_id,
                                            const char *actor_id, int64_t now);

#endif
