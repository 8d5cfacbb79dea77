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

/* The English label of a scenario kind in the plan objective's text ("Scenario, escalation"); kind when unknown. */
const char *assessment_scenario_label(const char *kind);

/* True when account_id holds a live certification for instrument_code on date today (YYYY-MM-DD):
 * certified_on <= today < expires_on (expires_on is the first day it no longer holds), not revoked. */
enum db_status assessor_certified(db *conn, const char *account_id, const char *instrument_code, const char *today,
                                  bool *certified_r);

/*
 * What still stops the submission of an assessment a (as the API shows it:
 * assessed_on, sources, limitations, ratings {item: {value, evidence,
 * source}}, domains {domain: {value}}, judgement, rationale) with instrument
 * def: [{field, message}] in the instrument's order, [] when complete. Pure.
 */
json_t *assessment_missing(const json_t *def, const json_t *a);

/*
 * Saves a draft's whole body (checked by assessment_body_validate) in the
 * caller's transaction: the row, guarded by id, version and status 'draft',
 * its ratings, domain ratings and actions replaced. *changed_r false (and
 * nothing written) when the guard found no such row.
 */
enum db_status assessment_save(db *conn, const char *id, int64_t version, const json_t *body, int64_t now,
                               bool *changed_r);

/*
 * On the countersignature of id (assessed on D): marks the case's other
 * submitted or countersigned assessments with the same instrument code and
 * assessed on or before D superseded by id, each with a timeline event
 * (assessment.superseded); their ids are appended to superseded (a JSON
 * array, may be NULL). When a countersigned one assessed after D exists, an
 * older-dated countersignature must not displace it: id itself is then
 * superseded at once by the newest such one (its event added, its id put in
 * superseded_by_r; "" otherwise). Later-dated submitted ones are left alone:
 * their own countersignature will supersede id.
 */
enum db_status assessment_supersede(db *conn, const char *case_id, const char *instrument_code, const char *id,
                                    const char *actor_id, int64_t now, json_t *superseded,
                                    char superseded_by_r[UUID_STR_LEN]);

/* Where a countersigned assessment's actions went in the supervision plan. */
struct assessment_plan {
	char plan_id[UUID_STR_LEN];
	bool plan_created;
	char objective_id[UUID_STR_LEN]; /* "" when the assessment had no scenario and no action */
	json_t *action_ids;              /* the plan_action ids made (owned; free with json_decref) */
};
/*
 * Puts a countersigned assessment's scenarios and actions into its case's
 * supervision plan (started, review every 90 days, when the case has none):
 * one objective (need risk_management) naming the assessment and each
 * scenario, one action per action (owner: the case's officer, else the
 * assessor); records plan_objective_id and each plan_action_id. Adds the
 * plan's timeline events. today: YYYY-MM-DD.
 */
enum db_status assessment_into_plan(db *conn, const char *id, const char *actor_id, const char *today, int64_t now,
                                    struct assessment_plan *out);

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
	bool caller_logs;        /* true: the caller logs the collection itself (scope_audit, with the request's basis);
	                            false: logged here (actor recorded_by, or the compliance rules) */
};

/*
 * Records a trigger in the caller's transaction, once per (case, kind,
 * record), with its timeline event and (unless t->caller_logs) its
 * processing-log entry, and raises its alert and task through the
 * compliance engine (rules_on_trigger). *created_r false when it was
 * recorded before.
 */
enum db_status reassessment_trigger_add(db *conn, const struct trigger_new *t, int64_t now,
                                        char id_r[UUID_STR_LEN], bool *created_r);
/* The same for every open case of a person (a change of address). Each trigger recorded now is appended to created
 * (a JSON array, may be NULL) as {"id", "case_id"}, for a caller that logs them. */
enum db_status reassessment_trigger_person(db *conn, const char *person_id, const struct trigger_new *t,
                                           int64_t now, json_t *created);

/* When a case's next reassessment with one instrument falls due. */
struct reassessment_due {
	char instrument_code[INSTRUMENT_CODE_LEN]; /* "" when the case has no completed assessment */
	char assessment_id[UUID_STR_LEN];          /* the latest submitted or countersigned one; "" when none */
	char last_on[11];                          /* its assessed_on; "" when none */
	char due_on[11];
	int interval_days;                         /* min(instrument, level), the instrument's without a level, or
	                                              the level's when there is no completed assessment */
	const char *basis;                         /* "instrument", "level" or "no_assessment" */
};
/*
 * Every due date of a case, earliest first: one per instrument the case has
 * a completed (submitted or countersigned) assessment with (due =
 * assessed_on + the shorter of the instrument's and the supervision level's
 * interval; the instrument's alone while the case has no level), or, with
 * none, one counted from the level's effective date by the level's interval.
 * *n_r 0 when the case has neither a level nor a completed assessment. A
 * returned assessment is a draft again and counts no more. The array is
 * malloc'ed (free it).
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
 * On countersignature of assessment_id (a reassessment is done when a unit
 * head accepts it: a submitted one can still be returned and withdrawn):
 * resolves the case's open triggers that occurred on or before its
 * assessed_on, marks every open task of the case's open reassessment
 * reminders (reassessment.due / .overdue counted from the level or from this
 * instrument, and .triggered of the triggers resolved) done and verifies the
 * reminder alerts with their task (alert_verify_existing_task), each with a
 * note naming the assessment, its timeline event and its processing-log
 * entry (actor_id).
 */
enum db_status assessment_resolve_reminders(db *conn, const char *case_id, const char *assessment_id,
                                            const char *actor_id, int64_t now);

#endif
