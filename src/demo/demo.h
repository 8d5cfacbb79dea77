/*
 * demo.h — synthetic demo data for `kadam demo` and `make run`. Every name,
 * number and place in it is invented. Each issue that adds records grows it.
 */
#ifndef KADAM_DEMO_DEMO_H
#define KADAM_DEMO_DEMO_H

#include <stdbool.h>

#include "store/db.h"

#define DEMO_PEOPLE_DEFAULT 300   /* what `kadam demo` seeds into a database without people */
#define DEMO_PEOPLE_MAX 2000000   /* the most one `kadam demo --people N` adds */
#define DEMO_PEOPLE_BATCH 10000   /* people per transaction */

/* Loads the demo settings, agencies, units and accounts in one transaction (idempotent). *error_r is malloc'd on
   failure. */
enum db_status demo_seed(db *conn, char **error_r);

/* What demo_people() wrote. kinds[] follows case_kinds[] (pre_trial, executive, penitentiary, post_penitentiary). */
struct demo_people_counts {
	long people, aliases, documents, addresses, phones;
	long cases, kinds[4], closed, unallocated;
	long decisions, notes;
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
 * the failure stay). *error_r is malloc'd on failure.
 */
enum db_status demo_people(db *conn, long n, bool progress, struct demo_people_counts *counts_r, char **error_r);

#endif
