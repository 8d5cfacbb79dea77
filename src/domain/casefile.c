/* casefile.c — cases, allocation, the timeline, decisions and key dates; see casefile.h. */
#include "domain/casefile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/keydates.h"

const char *const case_kinds[] = {"pre_trial", "executive", "penitentiary", "post_penitentiary", NULL};

enum db_status case_event_add(db *conn, const char *case_id, int64_t at, const char *kind, const char *actor_id,
                              const char *summary, const char *detail_json, const char *record_type,
                              const char *record_id)
{
	char id[UUID_STR_LEN];
	uuid_v7(id);
	return db_run(conn, NULL,
		"INSERT INTO case_event (id, case_id, at, kind, actor_id, summary, detail, record_type, record_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"ttitttttt", id, case_id, at, kind, actor_id, summary, detail_json ? detail_json : "{}", record_type,
		record_id);
}

/* The next number of the year: "2026-000123". */
static enum db_status next_number(db *conn, const char *opened_on, char number_r[16])
{
	int64_t year = strtol(opened_on, NULL, 10);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO case_counter (year, last) VALUES (?, 1)"
		" ON CONFLICT (year) DO UPDATE SET last = case_counter.last + 1",
		"i", year);
	db_stmt *st = NULL;
	if (rc == DB_OK)
		rc = db_query(conn, &st, "SELECT last FROM case_counter WHERE year = ?", "i", year);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		snprintf(number_r, 16, "%04d-%06lld", (int)year, (long long)db_column_int64(st, 0));
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERROR;
	}
	db_finalize(&st);
	return rc;
}

enum db_status case_open(db *conn, const struct case_fields *f, const char *actor_id, int64_t now,
                         char id_r[UUID_STR_LEN], char number_r[16])
{
	enum db_status rc = next_number(conn, f->opened_on, number_r);
	if (rc != DB_OK)
		return rc;
	uuid_v7(id_r);
	rc = db_run(conn, NULL,
		"INSERT INTO case_file (id, number, person_id, kind, unit_id, officer_id, status, opened_on, open_reason,"
		" consent_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?)",
		"tttttttttii", id_r, number_r, f->person_id, f->kind, f->unit_id, f->officer_id, f->opened_on,
		f->open_reason, f->consent_on, now, now);
	char aid[UUID_STR_LEN];
	uuid_v7(aid);
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"INSERT INTO case_assignment (id, case_id, unit_id, officer_id, from_at, reason, by_account)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)",
			"ttttitt", aid, id_r, f->unit_id, f->officer_id, now, f->open_reason, actor_id);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_puts(&detail, "{\"kind\":");
	buf_json_string(&detail, f->kind);
	buf_puts(&detail, ",\"reason\":");
	buf_json_string(&detail, f->open_reason);
	buf_puts(&detail, "}");
	char summary[64];
	snprintf(summary, sizeof summary, "Case %s opened", number_r);
	rc = case_event_add(conn, id_r, now, "case.opened", actor_id, summary, detail.data, "case", id_r);
	buf_free(&detail);
	return rc;
}

/* --- decisions and key dates ------------------------------------------ */

/* The agency's release rules, from ref_release_rule and the settings. */
static enum db_status load_rules(db *conn, struct release_rules *r)
{
	release_rules_default(r);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT category, numerator, denominator FROM ref_release_rule", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		enum offence_category c;
		if (offence_category_parse(db_column_text(st, 0, NULL), &c)) {
			r->numerator[c] = (int)db_column_int64(st, 1);
			r->denominator[c] = (int)db_column_int64(st, 2);
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc;
	rc = db_query(conn, &st, "SELECT key, value FROM setting WHERE key LIKE 'release.%'", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *k = db_column_text(st, 0, NULL), *v = db_column_text(st, 1, NULL);
		if (strcmp(k, "release.exclude_extremism") == 0)
			r->exclude_extremism = strcmp(v, "true") == 0;
		else if (strcmp(k, "release.exclude_terrorism") == 0)
			r->exclude_terrorism = strcmp(v, "true") == 0;
		else if (strcmp(k, "release.remand_credit") == 0) {
			int n = 0, d = 0;
			if (sscanf(v, "%d/%d", &n, &d) == 2 && n > 0 && d > 0) {
				r->remand_credit_numerator = n;
				r->remand_credit_denominator = d;
			}
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

static void problem(struct decision_problem *p, const char *field, const char *message, const char *value)
{
	p->field = field;
	snprintf(p->message, sizeof p->message, "%s%s", message, value);
}

/* Checks the references and fills the key-date input; a problem leaves p->field set. */
static enum db_status check_decision(db *conn, const struct decision_fields *f, struct keydate_input *in,
                                     struct decision_problem *p)
{
	memset(in, 0, sizeof *in);
	memset(p, 0, sizeof *p);
	if (!civil_date_parse(f->start_on, &in->start)) {
		problem(p, "start_on", "must be a date (YYYY-MM-DD)", "");
		return DB_OK;
	}
	if (!term_parse(f->term, &in->term)) {
		problem(p, "term", "must be a term like 2y6m or 45d, at most 50 years", "");
		return DB_OK;
	}
	in->remand_days = (int)f->remand_days;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT is_custodial FROM ref_measure WHERE code = ? AND is_active = 1",
	                             "t", f->measure);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		in->custodial = db_column_int64(st, 0) != 0;
	db_finalize(&st);
	if (rc == DB_DONE) {
		problem(p, "measure", "is not a known measure: ", f->measure);
		return DB_OK;
	}
	if (rc != DB_ROW)
		return rc;
	in->category = OFFENCE_MINOR;
	for (size_t i = 0; i < f->narticles; i++) {
		rc = db_query(conn, &st, "SELECT category, is_extremism, is_terrorism FROM ref_article WHERE code = ?", "t",
		              f->articles[i]);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			enum offence_category c = OFFENCE_MINOR;
			offence_category_parse(db_column_text(st, 0, NULL), &c);
			if (c > in->category)
				in->category = c;
			in->extremism |= db_column_int64(st, 1) != 0;
			in->terrorism |= db_column_int64(st, 2) != 0;
		}
		db_finalize(&st);
		if (rc == DB_DONE) {
			problem(p, "articles", "has an article that is not in the list: ", f->articles[i]);
			return DB_OK;
		}
		if (rc != DB_ROW)
			return rc;
	}
	/* Duties: comma-separated codes, each in ref_duty. */
	char *duties = xstrdup(f->duties ? f->duties : "");
	char *save = NULL;
	rc = DB_OK;
	for (char *d = strtok_r(duties, ",", &save); d && rc == DB_OK && !p->field; d = strtok_r(NULL, ",", &save)) {
		rc = db_query(conn, &st, "SELECT 1 FROM ref_duty WHERE code = ? AND is_active = 1", "t", d);
		if (rc == DB_OK && (rc = db_step(st)) == DB_DONE)
			problem(p, "duties", "has a duty that is not in the list: ", d);
		db_finalize(&st);
		if (rc == DB_ROW || rc == DB_DONE)
			rc = DB_OK;
	}
	free(duties);
	return rc;
}

/* The explanation of one key date as a JSON object (caller frees). */
static char *explanation_json(const struct keydate *k)
{
	struct buf b = {0};
	char date[11];
	buf_puts(&b, "{\"formula\":");
	buf_json_string(&b, k->formula);
	buf_puts(&b, ",\"steps\":[");
	for (int i = 0; i < k->nsteps; i++) {
		const struct keydate_step *s = &k->steps[i];
		buf_printf(&b, "%s{\"op\":\"%s\",\"value\":%ld,\"basis\":%ld,\"numerator\":%d,\"denominator\":%d", i ? "," : "",
		           s->op, s->value, s->basis, s->numerator, s->denominator);
		if (strcmp(s->op, "add_term") == 0) {
			char term[24];
			term_format(s->term, term);
			buf_printf(&b, ",\"term\":\"%s\"", term);
		}
		if (s->reason)
			buf_printf(&b, ",\"reason\":\"%s\"", s->reason);
		if (civil_date_is_valid(s->result)) {
			civil_date_format(s->result, date);
			buf_printf(&b, ",\"result\":\"%s\"", date);
		} else {
			buf_puts(&b, ",\"result\":null");
		}
		buf_putc(&b, '}');
	}
	buf_puts(&b, "]}");
	return buf_steal(&b);
}

/* Stores the key dates of a decision, recording each new or changed one in the timeline. */
static enum db_status store_key_dates(db *conn, const char *case_id, const char *decision_id,
                                      const struct keydate *k, int n, const char *actor_id, int64_t now)
{
	enum db_status rc = DB_OK;
	for (int i = 0; i < n && rc == DB_OK; i++) {
		const char *kind = keydate_kind_name(k[i].kind);
		char date[11] = "";
		if (k[i].has_date)
			civil_date_format(k[i].date, date);
		/* The previous value, if any. */
		db_stmt *st = NULL;
		bool existed = false;
		char *before = NULL;
		rc = db_query(conn, &st, "SELECT date FROM key_date WHERE decision_id = ? AND kind = ?", "tt", decision_id,
		              kind);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			existed = true;
			const char *d = db_column_text(st, 0, NULL);
			before = d ? xstrdup(d) : NULL;
		}
		db_finalize(&st);
		if (rc != DB_ROW && rc != DB_DONE) {
			free(before);
			return rc;
		}
		char *why = explanation_json(&k[i]);
		const char *now_date = k[i].has_date ? date : NULL;
		rc = existed ? db_run(conn, NULL,
		                      "UPDATE key_date SET date = ?, explanation = ?, computed_at = ? WHERE decision_id = ?"
		                      " AND kind = ?",
		                      "ttitt", now_date, why, now, decision_id, kind)
		             : db_run(conn, NULL,
		                      "INSERT INTO key_date (decision_id, kind, case_id, date, explanation, computed_at)"
		                      " VALUES (?, ?, ?, ?, ?, ?)",
		                      "ttttti", decision_id, kind, case_id, now_date, why, now);
		free(why);
		bool changed = !existed || (before == NULL) != (now_date == NULL) ||
		               (before && now_date && strcmp(before, now_date) != 0);
		if (rc == DB_OK && changed) {
			struct buf detail = {0};
			buf_puts(&detail, "{\"kind\":");
			buf_json_string(&detail, kind);
			buf_puts(&detail, ",\"from\":");
			if (before)
				buf_json_string(&detail, before);
			else
				buf_puts(&detail, "null");
			buf_puts(&detail, ",\"to\":");
			if (now_date)
				buf_json_string(&detail, now_date);
			else
				buf_puts(&detail, "null");
			buf_puts(&detail, ",\"formula\":");
			buf_json_string(&detail, k[i].formula);
			buf_putc(&detail, '}');
			char *summary = existed ? xasprintf("Key date %s changed from %s to %s", kind, before ? before : "none",
			                                    now_date ? now_date : "none")
			                        : xasprintf("Key date %s computed: %s", kind, now_date ? now_date : "none");
			rc = case_event_add(conn, case_id, now, existed ? "key_date.changed" : "key_date.computed", actor_id,
			                    summary, detail.data, "decision", decision_id);
			free(summary);
			buf_free(&detail);
		}
		free(before);
	}
	return rc;
}

static enum db_status write_articles(db *conn, const char *id, const struct decision_fields *f)
{
	enum db_status rc = db_run(conn, NULL, "DELETE FROM decision_article WHERE decision_id = ?", "t", id);
	for (size_t i = 0; i < f->narticles && rc == DB_OK; i++) {
		/* A repeated article is one article. */
		bool repeated = false;
		for (size_t j = 0; j < i; j++)
			repeated |= strcmp(f->articles[i], f->articles[j]) == 0;
		if (!repeated)
			rc = db_run(conn, NULL, "INSERT INTO decision_article (decision_id, article) VALUES (?, ?)", "tt", id,
			            f->articles[i]);
	}
	return rc;
}

/* Computes and stores the key dates of a checked decision. */
static enum db_status compute(db *conn, const char *case_id, const char *id, const struct keydate_input *in,
                              const char *actor_id, int64_t now, struct decision_problem *p)
{
	struct release_rules rules;
	enum db_status rc = load_rules(conn, &rules);
	if (rc != DB_OK)
		return rc;
	struct keydate k[3];
	int n = keydates_compute(in, &rules, k);
	if (n < 0) {
		problem(p, "term", "gives dates outside the calendar the system keeps (1900-2200)", "");
		return DB_OK;
	}
	rc = store_key_dates(conn, case_id, id, k, n, actor_id, now);
	/* A kind no longer computed (the measure changed from custodial or back) goes. */
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "DELETE FROM key_date WHERE decision_id = ? AND computed_at <> ?", "ti", id, now);
	return rc;
}

enum db_status decision_create(db *conn, const char *case_id, const struct decision_fields *f,
                               const char *actor_id, int64_t now, char id_r[UUID_STR_LEN],
                               struct decision_problem *p)
{
	struct keydate_input in;
	enum db_status rc = check_decision(conn, f, &in, p);
	if (rc != DB_OK || p->field)
		return rc;
	uuid_v7(id_r);
	rc = db_run(conn, NULL,
		"INSERT INTO decision (id, case_id, authority, number, decided_on, measure, start_on, term, remand_days,"
		" duties, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"ttttttttititi", id_r, case_id, f->authority, f->number, f->decided_on, f->measure, f->start_on, f->term,
		f->remand_days, f->duties ? f->duties : "", now, actor_id, now);
	if (rc == DB_OK)
		rc = write_articles(conn, id_r, f);
	if (rc == DB_OK) {
		char *summary = xasprintf("Decision recorded: %s %s of %s, %s for %s", f->authority,
		                          f->number ? f->number : "", f->decided_on, f->measure, f->term);
		rc = case_event_add(conn, case_id, now, "decision.recorded", actor_id, summary, NULL, "decision", id_r);
		free(summary);
	}
	if (rc == DB_OK)
		rc = compute(conn, case_id, id_r, &in, actor_id, now, p);
	return rc;
}

enum db_status decision_update(db *conn, const char *id, const struct decision_fields *f, int64_t version,
                               const char *actor_id, int64_t now, bool *stale_r, struct decision_problem *p)
{
	*stale_r = false;
	struct keydate_input in;
	enum db_status rc = check_decision(conn, f, &in, p);
	if (rc != DB_OK || p->field)
		return rc;
	char case_id[UUID_STR_LEN] = "";
	db_stmt *st = NULL;
	rc = db_query(conn, &st, "SELECT case_id FROM decision WHERE id = ?", "t", id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		snprintf(case_id, sizeof case_id, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_MISUSE : rc;
	int64_t changes = 0;
	rc = db_run(conn, &changes,
		"UPDATE decision SET authority = ?, number = ?, decided_on = ?, measure = ?, start_on = ?, term = ?,"
		" remand_days = ?, duties = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
		"ttttttititi", f->authority, f->number, f->decided_on, f->measure, f->start_on, f->term, f->remand_days,
		f->duties ? f->duties : "", now, id, version);
	if (rc == DB_OK && changes == 0) {
		*stale_r = true;
		return DB_OK;
	}
	if (rc == DB_OK)
		rc = write_articles(conn, id, f);
	if (rc == DB_OK) {
		char *summary = xasprintf("Decision changed: %s %s of %s, %s for %s", f->authority,
		                          f->number ? f->number : "", f->decided_on, f->measure, f->term);
		rc = case_event_add(conn, case_id, now, "decision.changed", actor_id, summary, NULL, "decision", id);
		free(summary);
	}
	if (rc == DB_OK)
		rc = compute(conn, case_id, id, &in, actor_id, now, p);
	return rc;
}

/* Loads a stored decision's fields and recomputes its key dates. */
static enum db_status recompute_one(db *conn, const char *id, const char *case_id, const char *actor_id,
                                    int64_t now)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT measure, start_on, term, remand_days, duties FROM decision WHERE id = ?", "t", id);
	struct decision_fields f = {0};
	char *measure = NULL, *start = NULL, *term = NULL, *duties = NULL;
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		measure = xstrdup(db_column_text(st, 0, NULL));
		start = xstrdup(db_column_text(st, 1, NULL));
		term = xstrdup(db_column_text(st, 2, NULL));
		f.remand_days = db_column_int64(st, 3);
		duties = xstrdup(db_column_text(st, 4, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	char *articles[20];
	size_t n = 0;
	if (rc == DB_OK)
		rc = db_query(conn, &st, "SELECT article FROM decision_article WHERE decision_id = ? ORDER BY article", "t",
		              id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n < 20)
			articles[n++] = xstrdup(db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE && measure) {
		f.measure = measure;
		f.start_on = start;
		f.term = term;
		f.duties = duties;
		f.articles = (const char *const *)articles;
		f.narticles = n;
		struct keydate_input in;
		struct decision_problem p;
		rc = check_decision(conn, &f, &in, &p);
		/* A stored decision whose references went inactive keeps its dates. */
		if (rc == DB_OK && !p.field)
			rc = compute(conn, case_id, id, &in, actor_id, now, &p);
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	for (size_t i = 0; i < n; i++)
		free(articles[i]);
	free(measure), free(start), free(term), free(duties);
	return rc;
}

enum db_status decisions_recompute(db *conn, const char *article, const char *actor_id, int64_t now,
                                   int64_t *count_r)
{
	*count_r = 0;
	db_stmt *st = NULL;
	enum db_status rc = article
		? db_query(conn, &st,
		           "SELECT d.id, d.case_id FROM decision d JOIN decision_article a ON a.decision_id = d.id"
		           " WHERE a.article = ? AND d.status = 'in_force'", "t", article)
		: db_query(conn, &st,
		           "SELECT d.id, d.case_id FROM decision d JOIN ref_measure m ON m.code = d.measure"
		           " WHERE m.is_custodial = 1 AND d.status = 'in_force'", "");
	struct buf ids = {0};
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		buf_printf(&ids, "%s %s\n", db_column_text(st, 0, NULL), db_column_text(st, 1, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE)
		rc = DB_OK;
	char *save = NULL;
	for (char *line = ids.data ? strtok_r(ids.data, "\n", &save) : NULL; line && rc == DB_OK;
	     line = strtok_r(NULL, "\n", &save)) {
		char *space = strchr(line, ' ');
		*space = '\0';
		rc = recompute_one(conn, line, space + 1, actor_id, now);
		++*count_r;
	}
	buf_free(&ids);
	return rc;
}
