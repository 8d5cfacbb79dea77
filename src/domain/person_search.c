/* person_search.c — candidates from the trigram index, scored in C; see person_search.h. */
#include "domain/person_search.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/names.h"
#include "domain/person.h"

#define MAX_TOKENS 8
#define MAX_DOCS 8
#define TOKEN_MAX 64
#define PATTERN_LIMIT 2000 /* candidates read per LIKE pattern */
#define PATTERN_MAX (2 * TOKEN_MAX + 8)
#define BATCH 50           /* people whose tokens are read in one statement */

const char *person_match_name(enum person_match m)
{
	switch (m) {
	case PERSON_MATCH_EXACT: return "exact";
	case PERSON_MATCH_TYPO: return "typo";
	case PERSON_MATCH_DOCUMENT: return "document";
	case PERSON_MATCH_BIRTH_DATE: return "birth_date";
	}
	return "exact";
}

/* The query taken apart. */
struct terms {
	char names[MAX_TOKENS][TOKEN_MAX]; /* name keys' tokens */
	int nnames;
	char docs[MAX_DOCS][64];           /* document keys */
	int ndocs;
	char date[11];                     /* a birth date, or "" */
};

/* "DD.MM.YYYY" or "YYYY-MM-DD" → YYYY-MM-DD; false for anything else. */
static bool as_date(const char *w, char out[11])
{
	int y, m, d, n = 0;
	if (strlen(w) == 10 && sscanf(w, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == 10)
		;
	else if (strlen(w) == 10 && sscanf(w, "%2d.%2d.%4d%n", &d, &m, &y, &n) == 3 && n == 10)
		;
	else
		return false;
	if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return true;
}

/* A word with a digit and five or more letters and digits reads as a document number. */
static bool as_document(const char *w, char key[64])
{
	bool digit = false;
	for (const char *p = w; *p; p++)
		digit |= isdigit((unsigned char)*p) != 0;
	person_document_key(w, key, 64);
	return digit && strlen(key) >= 5;
}

static void add_name_tokens(struct terms *t, const char *text)
{
	char key[NAMES_KEY_MAX];
	if (!names_key(text, key, sizeof key))
		return;
	char *save = NULL;
	for (char *tok = strtok_r(key, " ", &save); tok && t->nnames < MAX_TOKENS; tok = strtok_r(NULL, " ", &save)) {
		bool digits = false;
		for (const char *p = tok; *p; p++)
			digits |= isdigit((unsigned char)*p) != 0;
		if (!digits && strlen(tok) < TOKEN_MAX)
			snprintf(t->names[t->nnames++], TOKEN_MAX, "%s", tok);
	}
}

static void parse_terms(const struct person_query *q, struct terms *t)
{
	memset(t, 0, sizeof *t);
	if (q->birth_date)
		snprintf(t->date, sizeof t->date, "%s", q->birth_date);
	for (size_t i = 0; i < q->ndocuments && t->ndocs < MAX_DOCS; i++)
		if (as_document(q->documents[i], t->docs[t->ndocs]))
			t->ndocs++;
	if (!q->text)
		return;
	/* Words that are dates or document numbers are taken out; the rest are names. */
	char *text = xstrdup(q->text);
	struct buf names = {0};
	char *save = NULL;
	for (char *w = strtok_r(text, " \t,;", &save); w; w = strtok_r(NULL, " \t,;", &save)) {
		char date[11];
		if (as_date(w, date)) {
			memcpy(t->date, date, sizeof date);
		} else if (t->ndocs < MAX_DOCS && as_document(w, t->docs[t->ndocs])) {
			t->ndocs++;
		} else {
			buf_puts(&names, w);
			buf_putc(&names, ' ');
		}
	}
	if (names.data)
		add_name_tokens(t, names.data);
	buf_free(&names);
	free(text);
}

/* --- the candidate set: person ids with their evidence ---------------- */

struct cand {
	struct person_hit hit;
	int distance;  /* sum over matched name tokens */
	int prefixes;  /* name tokens matched only as a prefix */
};

struct cands {
	struct cand *v;
	size_t n, cap;
};

static struct cand *cand_get(struct cands *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].hit.id, id) == 0)
			return &c->v[i];
	if (c->n == PERSON_SEARCH_MAX_HITS)
		return NULL;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	struct cand *x = &c->v[c->n++];
	memset(x, 0, sizeof *x);
	snprintf(x->hit.id, sizeof x->hit.id, "%s", id);
	return x;
}

/* Adds the people a statement returns (first column: the id). */
static enum db_status collect(db_stmt *st, struct cands *c, bool document)
{
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		struct cand *x = cand_get(c, db_column_text(st, 0, NULL));
		if (x && document)
			x->hit.document_equal = true;
	}
	return rc == DB_DONE ? DB_OK : rc;
}

static enum db_status by_pattern(db *conn, const char *pattern, struct cands *c)
{
	db_stmt *st = NULL;
	/* person_token_fts is FTS5 over person_token on SQLite, a view on PostgreSQL (see migration 0004).
	 * The trigram query drives (rows by key follow) and stops at the limit. */
	enum db_status rc = db_query(conn, &st,
		"SELECT DISTINCT t.person_id FROM person_token_fts f JOIN person_token t ON t.id = f.rowid"
		" WHERE f.token LIKE ? LIMIT ?",
		"ti", pattern, (int64_t)PATTERN_LIMIT);
	if (rc == DB_OK)
		rc = collect(st, c, false);
	db_finalize(&st);
	return rc;
}

/* The LIKE patterns that find a token typed with at most one typo (see the header). */
static int patterns_for(const char *tok, char out[4][PATTERN_MAX])
{
	int len = (int)strnlen(tok, TOKEN_MAX - 1), n = 0;
	snprintf(out[n++], PATTERN_MAX, "%%%.*s%%", len, tok);
	if (len >= 6) {
		int two_thirds = (2 * len + 2) / 3;
		snprintf(out[n++], PATTERN_MAX, "%%%.*s%%", two_thirds, tok);
		snprintf(out[n++], PATTERN_MAX, "%%%.*s%%", two_thirds, tok + len - two_thirds);
		int third = len / 3 < 3 ? 3 : len / 3;
		snprintf(out[n++], PATTERN_MAX, "%%%.*s%%%.*s%%", third, tok, third, tok + len - third);
	}
	return n;
}

/* How far a typed token may be from a name token. */
static int allowed_distance(size_t len)
{
	return len >= 9 ? 2 : len >= 5 ? 1 : 0;
}

/* Scores one candidate against the query's name tokens, given its name tokens. */
static void score_names(struct cand *x, const struct terms *t, char (*tokens)[TOKEN_MAX], int ntokens)
{
	for (int i = 0; i < t->nnames; i++) {
		const char *q = t->names[i];
		size_t qlen = strlen(q);
		int best = 99;
		bool prefix = false;
		for (int j = 0; j < ntokens && best > 0; j++) {
			if (strcmp(q, tokens[j]) == 0) {
				best = 0;
				prefix = false;
			} else if (qlen >= 3 && strncmp(q, tokens[j], qlen) == 0 && best > 0) {
				best = 0;
				prefix = true;
			} else {
				int d = names_distance(q, tokens[j], allowed_distance(qlen));
				if (d <= allowed_distance(qlen) && d < best)
					best = d;
			}
		}
		if (best < 99) {
			x->hit.names_matched++;
			x->distance += best;
			x->prefixes += prefix;
		}
	}
}

/* Reads the name tokens of a batch of candidates and scores them. */
static enum db_status score_batch(db *conn, struct cands *c, size_t from, size_t to, const struct terms *t)
{
	struct buf sql = {0};
	buf_puts(&sql, "SELECT person_id, token FROM person_token WHERE person_id IN (");
	for (size_t i = from; i < to; i++)
		buf_puts(&sql, i > from ? ", ?" : "?");
	buf_puts(&sql, ")");
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn, sql.data, &st);
	buf_free(&sql);
	for (size_t i = from; i < to && rc == DB_OK; i++)
		rc = db_bind_text(st, (int)(i - from + 1), c->v[i].hit.id, SIZE_MAX);
	/* Tokens per person, at most 32 forms each. */
	size_t count = to - from;
	char (*tokens)[32][TOKEN_MAX] = xcalloc(count, sizeof *tokens);
	int *ntok = xcalloc(count, sizeof *ntok);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *id = db_column_text(st, 0, NULL), *tok = db_column_text(st, 1, NULL);
		for (size_t i = from; i < to; i++) {
			if (strcmp(c->v[i].hit.id, id) == 0) {
				if (ntok[i - from] < 32 && strlen(tok) < TOKEN_MAX)
					snprintf(tokens[i - from][ntok[i - from]++], TOKEN_MAX, "%s", tok);
				break;
			}
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE) {
		rc = DB_OK;
		for (size_t i = from; i < to; i++)
			score_names(&c->v[i], t, tokens[i - from], ntok[i - from]);
	}
	free(tokens);
	free(ntok);
	return rc;
}

/* Birth dates, and merged records to leave out. */
static enum db_status check_people(db *conn, struct cands *c, const struct terms *t)
{
	for (size_t i = 0; i < c->n; i++) {
		db_stmt *st = NULL;
		enum db_status rc = db_query(conn, &st, "SELECT birth_date, merged_into FROM person WHERE id = ?", "t",
		                             c->v[i].hit.id);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			const char *bd = db_column_text(st, 0, NULL);
			c->v[i].hit.birth_date_equal = t->date[0] && bd && strcmp(bd, t->date) == 0;
			if (db_column_text(st, 1, NULL))
				c->v[i].hit.score = -1; /* merged: dropped below */
			rc = DB_OK;
		} else if (rc == DB_DONE) {
			c->v[i].hit.score = -1;
			rc = DB_OK;
		}
		db_finalize(&st);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

static int by_score(const void *a, const void *b)
{
	const struct person_hit *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return strcmp(x->id, y->id);
}

enum db_status person_search(db *conn, const struct person_query *q, struct person_hit **hits_r, size_t *n_r,
                             bool *terms_r)
{
	*hits_r = NULL;
	*n_r = 0;
	struct terms t;
	parse_terms(q, &t);
	if (terms_r)
		*terms_r = t.nnames || t.ndocs || t.date[0];
	struct cands c = {0};
	enum db_status rc = DB_OK;
	db_stmt *st = NULL;
	for (int i = 0; i < t.ndocs && rc == DB_OK; i++) {
		rc = db_query(conn, &st, "SELECT person_id FROM person_document WHERE number_key = ?", "t", t.docs[i]);
		if (rc == DB_OK)
			rc = collect(st, &c, true);
		db_finalize(&st);
	}
	/* Names: candidates from the longest token (the most selective); the next one if it finds nobody. */
	int order[MAX_TOKENS], n = 0;
	for (int i = 0; i < t.nnames; i++)
		if (strlen(t.names[i]) >= 3)
			order[n++] = i;
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && strlen(t.names[order[j]]) > strlen(t.names[order[j - 1]]); j--) {
			int tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	size_t before = c.n;
	for (int k = 0; k < n && rc == DB_OK && c.n == before; k++) {
		char patterns[4][PATTERN_MAX];
		int np = patterns_for(t.names[order[k]], patterns);
		for (int p = 0; p < np && rc == DB_OK; p++)
			rc = by_pattern(conn, patterns[p], &c);
	}
	/* Only a birth date: the people born that day. */
	if (rc == DB_OK && t.date[0] && t.nnames == 0 && t.ndocs == 0) {
		rc = db_query(conn, &st, "SELECT id FROM person WHERE birth_date = ? AND merged_into IS NULL LIMIT ?", "ti",
		              t.date, (int64_t)PERSON_SEARCH_MAX_HITS);
		if (rc == DB_OK)
			rc = collect(st, &c, false);
		db_finalize(&st);
	}
	for (size_t from = 0; from < c.n && rc == DB_OK && t.nnames; from += BATCH)
		rc = score_batch(conn, &c, from, from + BATCH < c.n ? from + BATCH : c.n, &t);
	if (rc == DB_OK)
		rc = check_people(conn, &c, &t);
	if (rc != DB_OK) {
		free(c.v);
		return rc;
	}
	/* Keep who matched enough, score and sort. */
	int need = q->require_all_names ? t.nnames : (t.nnames + 1) / 2;
	struct person_hit *hits = xcalloc(c.n ? c.n : 1, sizeof *hits);
	size_t kept = 0;
	for (size_t i = 0; i < c.n; i++) {
		struct cand *x = &c.v[i];
		if (x->hit.score < 0)
			continue;
		bool names_ok = t.nnames > 0 && x->hit.names_matched >= need && x->hit.names_matched > 0;
		bool date_only = t.nnames == 0 && t.ndocs == 0 && t.date[0];
		if (!x->hit.document_equal && !names_ok && !date_only)
			continue;
		if (t.date[0] && t.nnames && !x->hit.birth_date_equal && !x->hit.document_equal && !q->birth_date)
			continue; /* a date typed with the name narrows the search */
		double s = 0;
		if (x->hit.document_equal)
			s += 1000;
		if (t.nnames)
			s += 100.0 * x->hit.names_matched / t.nnames - 10.0 * x->distance - 2.0 * x->prefixes;
		if (x->hit.birth_date_equal)
			s += 50;
		x->hit.score = s;
		x->hit.match = x->hit.document_equal ? PERSON_MATCH_DOCUMENT
		             : names_ok ? (x->distance ? PERSON_MATCH_TYPO : PERSON_MATCH_EXACT)
		                        : PERSON_MATCH_BIRTH_DATE;
		hits[kept++] = x->hit;
	}
	free(c.v);
	qsort(hits, kept, sizeof *hits, by_score);
	*hits_r = hits;
	*n_r = kept;
	return DB_OK;
}
