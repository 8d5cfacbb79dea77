/*
 * person_search.h — finding people by any spelling of a name, a document
 * number or a birth date, best first.
 *
 * A query becomes name keys (names_key: one canonical Latin skeleton for
 * every spelling in either script), document keys and dates. Candidates come
 * from the trigram index over the name tokens (FTS5 on SQLite, pg_trgm on
 * PostgreSQL, one LIKE statement for both): for a token, the token itself as
 * a substring, and, for tokens of six letters or more, its first and last
 * two thirds and its ends, so that a token with one typo (a letter wrong,
 * missing, added or two swapped) still shares an intact run with the name.
 * The longest word brings the candidates (the next one if it finds nobody);
 * the other words only score them. Candidates are then scored here, in C, the same way on
 * both engines: per query token the best name token (equal, a prefix, or
 * within the edit distance its length allows), so SQLite and PostgreSQL give
 * the same people in the same order.
 */
#ifndef KADAM_DOMAIN_PERSON_SEARCH_H
#define KADAM_DOMAIN_PERSON_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/uuid.h"
#include "store/db.h"

#define PERSON_SEARCH_MAX_HITS 1000

enum person_match {
	PERSON_MATCH_EXACT,      /* every name token found as typed (or as a prefix) */
	PERSON_MATCH_TYPO,       /* found within the allowed edit distance */
	PERSON_MATCH_DOCUMENT,   /* a document number */
	PERSON_MATCH_BIRTH_DATE, /* only the birth date */
};
const char *person_match_name(enum person_match m);

struct person_hit {
	char id[UUID_STR_LEN];
	double score;           /* higher is better */
	enum person_match match;
	bool birth_date_equal;  /* the query's birth date is the person's */
	bool document_equal;    /* a document number of the query is the person's */
	int names_matched;      /* query name tokens found */
};

/* What to look for; any part may be empty. Borrowed strings. */
struct person_query {
	const char *text;              /* free text: names, a document number, a date (YYYY-MM-DD or DD.MM.YYYY) */
	const char *birth_date;        /* YYYY-MM-DD, or NULL */
	const char *const *documents;  /* document numbers */
	size_t ndocuments;
	bool require_all_names;        /* false: at least half the name tokens must be found */
};

/*
 * Runs the query; *hits_r (malloc'd, caller frees) gets at most
 * PERSON_SEARCH_MAX_HITS people that are not merged into another, best first.
 * *terms_r (may be NULL) tells whether the query had anything to look for.
 */
enum db_status person_search(db *conn, const struct person_query *q, struct person_hit **hits_r, size_t *n_r,
                             bool *terms_r);

#endif
