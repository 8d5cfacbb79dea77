/*
 * casefile.h — cases (one supervision episode of one person, of one of the
 * four kinds), their allocation history and their timeline; decisions with
 * their computed key dates.
 */
#ifndef KADAM_DOMAIN_CASEFILE_H
#define KADAM_DOMAIN_CASEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

extern const char *const case_kinds[];    /* pre_trial, executive, penitentiary, post_penitentiary; NULL-ended */

/* The fields of a new case; borrowed strings. */
struct case_fields {
	const char *person_id, *kind, *unit_id;
	const char *officer_id;  /* NULL: not yet allocated */
	const char *opened_on;   /* YYYY-MM-DD */
	const char *open_reason;
	const char *consent_on;  /* post-penitentiary: the day the person asked; else NULL */
};

/* Opens a case with the next number of the year ("2026-000123") and its first allocation. */
enum db_status case_open(db *conn, const struct case_fields *f, const char *actor_id, int64_t now,
                         char id_r[UUID_STR_LEN], char number_r[16]);

/*
 * Appends an event to a case's timeline. kind is a stable code
 * ("case.opened", "decision.recorded", "key_date.changed", ...); summary is
 * one English line for the log and exports; detail a JSON object as text
 * (NULL: "{}") that the UI renders in its language.
 */
enum db_status case_event_add(db *conn, const char *case_id, int64_t at, const char *kind, const char *actor_id,
                              const char *summary, const char *detail_json, const char *record_type,
                              const char *record_id);

/* A decision's fields; borrowed strings. duties is comma-separated ref_duty codes. */
struct decision_fields {
	const char *authority, *number, *decided_on, *measure, *start_on, *term, *duties;
	const char *const *articles; /* ref_article codes */
	size_t narticles;
	int64_t remand_days;
};

/* A problem with a decision's references, naming the field (NULL field: none). */
struct decision_problem {
	const char *field;
	char message[160];
};

/*
 * Records a decision on a case, checks its references (measure, articles,
 * duties) and computes its key dates (timeline events for each). A problem
 * with the input is returned in problem_r with DB_OK and nothing written.
 */
enum db_status decision_create(db *conn, const char *case_id, const struct decision_fields *f,
                               const char *actor_id, int64_t now, char id_r[UUID_STR_LEN],
                               struct decision_problem *problem_r);
/* Changes a decision at `version` and recomputes its key dates; a changed date is a timeline event. */
enum db_status decision_update(db *conn, const char *id, const struct decision_fields *f, int64_t version,
                               const char *actor_id, int64_t now, bool *stale_r,
                               struct decision_problem *problem_r);

/*
 * Recomputes the key dates of decisions in force after their reference data
 * changed: those citing `article`, or (article NULL) every custodial one,
 * after a release rule changed. Moved dates are timeline events as usual.
 */
enum db_status decisions_recompute(db *conn, const char *article, const char *actor_id, int64_t now,
                                   int64_t *count_r);

#endif
