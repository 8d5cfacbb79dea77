/*
 * demo.h — synthetic demo data for `kadam demo` and `make run`. Every name,
 * number and place in it is invented. Each issue that adds records grows it.
 */
#ifndef KADAM_DEMO_DEMO_H
#define KADAM_DEMO_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

#define DEMO_PEOPLE_DEFAULT 300   /* what `kadam demo` seeds into a database without people */
#define DEMO_PEOPLE_MAX 2000000   /* the most one `kadam demo --people N` adds */
#define DEMO_PEOPLE_BATCH 10000   /* people per transaction */

/* Loads the demo settings, agencies, units and accounts in one transaction (idempotent). *error_r is malloc'd on
   failure. */
enum db_status demo_seed(db *conn, char **error_r);

/* What demo_case_supervision() wrote (summed into demo_people_counts). */
struct demo_supervision_counts {
	long conditions, explanations, levels, plans, objectives, appointments, contacts, variations;
};

/* What demo_people() wrote. kinds[] follows case_kinds[] (pre_trial, executive, penitentiary, post_penitentiary). */
struct demo_people_counts {
	long people, aliases, documents, addresses, phones;
	long cases, kinds[4], closed, unallocated;
	long decisions, notes;
	struct demo_supervision_counts supervision;
};

/* The rows of the person table (any person, not only demo ones). */
enum db_status demo_people_count(db *conn, long *n_r);

/*
 * Adds n synthetic people (people.c) with their documents, addresses, phones,
 * aliases, cases of the four kinds, decisions with computed key dates and
 * notes, through the domain functions, so the name search index is kept as
 * for any other person. People are numbered on from the rows already in the
 * person table, and person i is always the same person (a PRNG seeded with
 * i), with a passport number no other demo person has. Needs demo_seed()'s
 * units and accounts. Commits every DEMO_PEOPLE_BATCH people; with `progress`
 * prints a line to stderr every 100,000. Writes one processing-log entry for
 * the run (with the counts, also when it fails part-way: the batches before
 * the failure stay). With `supervision`, each case also gets its supervision
 * (demo_case_supervision). *error_r is malloc'd on failure.
 */
enum db_status demo_people(db *conn, long n, bool progress, bool supervision, struct demo_people_counts *counts_r,
                           char **error_r);

/* One demo case as demo_case_supervision() needs it. Dates are YYYY-MM-DD. */
struct demo_case {
	const char *case_id;
	const char *decision_id, *duties;  /* NULL: no decision (pre-trial, post-penitentiary) */
	const char *officer_id, *head_id;  /* head_id: the unit head who reviews proposals (NULL: none) */
	const char *partner_agency_id;     /* the demo NGO (NULL: none) */
	const char *unit_name, *address;   /* address NULL: a synthetic one */
	const char *language;              /* "ky" or "ru": the person's */
	const char *opened_on, *start_on, *closed_on, *today; /* closed_on NULL: open */
	int unit;                          /* 0..3: which demo office (zones are drawn around it) */
	bool supervised;                   /* a supervision level (executive cases) */
	bool planned;                      /* a supervision plan (all but pre-trial) */
	bool radical;                      /* an extremism or terrorism offence */
	int64_t at_ms, latest_ms;          /* when the work on it started; nothing is dated after latest_ms */
	uint64_t seed;                     /* the same case gets the same data */
};

/*
 * A demo case's supervision (supervision.c): the conditions its decision
 * authorises (explained and acknowledged), a level, a plan, a history of
 * appointments with outcomes, and now and then a variation proposal.
 */
/* What demo_compliance added. */
struct demo_compliance_counts {
	long alerts_raised, alerts_acknowledged, alerts_dismissed, tasks, escalated; /* alerts.c */
	long breaches, breaches_by_state[11];                                         /* breaches.c */
	long responses_negative, responses_positive, complaints;                      /* responses.c */
};

/*
 * Runs the compliance rules over the demo cases as of now (so the alerts are
 * the engine's own), then works some of them as officers would: in one
 * transaction. Each part below is called in this order by demo_compliance().
 */
enum db_status demo_compliance(db *conn, struct demo_compliance_counts *counts_r, char **error_r);
enum db_status demo_alerts(db *conn, int64_t now, struct demo_compliance_counts *n);
enum db_status demo_breaches(db *conn, int64_t now, struct demo_compliance_counts *n);
enum db_status demo_responses(db *conn, int64_t now, struct demo_compliance_counts *n);

/* What demo_assessments added. */
struct demo_assessment_counts {
	long certifications, assessments, countersigned, superseded, submitted, drafts, triggers, levels_followed;
};
/*
 * Assessments over time for the supervised demo cases (assessments.c):
 * assessor certifications, completed assessments a few months apart (the
 * older superseded), some awaiting countersignature, some drafts, triggers,
 * and levels set after the latest judgement's suggestion. One transaction;
 * runs after demo_people and before demo_compliance.
 */
enum db_status demo_assessments(db *conn, struct demo_assessment_counts *counts_r, char **error_r);

/* What demo_programmes added. */
struct demo_programme_counts {
	long partners, partner_accounts, programmes, referrals, referrals_by_status[7], attendance, progress_notes;
	long reports, needs, release_plans, panel_meetings, release_actions, handovers, family_members, child_protection;
};
/*
 * Programmes and reintegration (programmes.c): partner organisations of every
 * kind with demo accounts, a programme of each type, referrals of demo cases in
 * every status (shares live and expired) with attendance, progress notes and
 * reports, reintegration needs, release plans for penitentiary cases whose
 * release falls within the planning window with panel meetings and actions,
 * and returnee family members (some restricted, some children with a
 * child-protection referral). One transaction; runs after demo_assessments and
 * before demo_compliance.
 */
enum db_status demo_programmes(db *conn, struct demo_programme_counts *counts_r, char **error_r);

/* What demo_monitoring added. */
struct demo_monitoring_counts {
	long devices, orders, zones, fittings, fixes, events, alerts, acknowledged, police_requests;
};
/*
 * Electronic monitoring (monitoring.c): a device inventory, three monitoring
 * orders on Bishkek cases with a curfew, zones and fitted devices, a day of
 * fixes through the fix store, device events, device alerts in the monitoring
 * centre's queue (one acknowledged) and a pending police request. One
 * transaction; runs after demo_compliance; a database with monitoring orders
 * already is left as it is (all counts 0).
 */
enum db_status demo_monitoring(db *conn, struct demo_monitoring_counts *counts_r, char **error_r);

enum db_status demo_case_supervision(db *conn, const struct demo_case *c, struct demo_supervision_counts *n);
/* Forgets the catalogue read by the last run (the next run may see another version). */
void demo_supervision_reset(void);

#endif
