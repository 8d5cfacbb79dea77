/*
 * rules.c — the compliance rules (compliance_rule). Each looks only at open
 * cases, finds what an officer would want to know, and raises an alert
 * (alert_raise) with its evidence and a dedupe key "<rule>:<record>:<date or
 * occurrence>", so a thing raises once, a moved date raises anew and a
 * dismissed alert stays dismissed. None changes a measure (S7).
 *
 * Cost: one query per rule over every open case (the dedupe is in the query
 * where the key can be spelt in SQL), not one per case. level.min_contacts
 * runs one query per supervision level (each has its own period), and
 * appointment.no_outcome reads the appointments, exceptions and outcomes of
 * its look-back window once and expands each series there (the occurrence
 * rules of domain/appointments.h; appointments_occurrences itself reads every
 * outcome of an officer's appointments, which took seconds at 5,000 cases).
 * The reassessment rules read the current levels and the completed
 * assessments of all open cases in two queries and join them in memory (a
 * case with a completed assessment and no level is due by the instrument's
 * interval alone).
 *
 * Every reassessment.* alert, when new, also opens a task to reassess. A
 * release key date passing records a reassessment trigger
 * (domain/reassessment.c), whose alert rules_on_trigger raises; the run's
 * backstop raises it for unresolved triggers that have none (the rule was
 * off when they were recorded).
 */
#include "engine/rules.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "domain/alert_steps.h"
#include "domain/alerts.h"
#include "domain/assessment.h"
#include "domain/appointments.h"
#include "domain/keydates.h"
#include "domain/recurrence.h"

#define MAX_RULES 32

struct rule_setting {
	char code[48];
	bool enabled;
	long threshold; /* 0 when the rule has none */
};

/* What one run knows: the time, the zone, today there, and the rules' settings. */
struct ctx {
	db *conn;
	int64_t now;
	char tz[APPOINTMENT_ZONE_LEN];
	struct civil_date today;
	char today_s[11];
	struct rule_setting rules[MAX_RULES];
	int nrules;
	struct rules_stats *stats;
};

static enum db_status ctx_init(struct ctx *c, db *conn, int64_t now, struct rules_stats *stats)
{
	*c = (struct ctx){.conn = conn, .now = now, .stats = stats};
	char local[LOCAL_TIME_LEN];
	if (!appointments_zone(conn, c->tz))
		return DB_ERROR;
	if (!utc_ms_to_local(now, c->tz, local))
		return DB_MISUSE;
	snprintf(c->today_s, sizeof c->today_s, "%.10s", local);
	if (!civil_date_parse(c->today_s, &c->today))
		return DB_MISUSE;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT code, is_enabled, threshold FROM compliance_rule", "");
	if (rc != DB_OK)
		return rc;
	while ((rc = db_step(st)) == DB_ROW && c->nrules < MAX_RULES) {
		struct rule_setting *r = &c->rules[c->nrules++];
		snprintf(r->code, sizeof r->code, "%s", db_column_text(st, 0, NULL));
		r->enabled = db_column_int64(st, 1) == 1;
		r->threshold = db_column_type(st, 2) == DB_TYPE_NULL ? 0 : (long)db_column_int64(st, 2);
	}
	if (rc == DB_ROW)
		rc = DB_DONE;
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* The rule's setting when it exists and is enabled; NULL otherwise (a disabled rule raises nothing). */
static const struct rule_setting *rule_on(const struct ctx *c, const char *code)
{
	for (int i = 0; i < c->nrules; i++)
		if (strcmp(c->rules[i].code, code) == 0)
			return c->rules[i].enabled ? &c->rules[i] : NULL;
	return NULL;
}

static void date_text(struct civil_date d, char out[11])
{
	civil_date_format(d, out);
}

/*
 * Every reassessment.* alert, when newly raised, also opens a task to
 * reassess, due on the alert's due date and assigned as the alert is.
 */
static enum db_status reminder_task(struct ctx *c, const char *alert_id, const char *case_id, const char *rule,
                                    const char *summary, const char *due_on)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(c->conn, &st, "SELECT assigned_to FROM alert WHERE id = ?", "t", alert_id);
	if (rc != DB_OK)
		return rc;
	char assignee[UUID_STR_LEN] = "";
	rc = db_step(st);
	if (rc == DB_ROW && db_column_text(st, 0, NULL))
		snprintf(assignee, sizeof assignee, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_CONSTRAINT : rc;
	char title[200], detail[120];
	snprintf(title, sizeof title, "%s", summary);
	snprintf(detail, sizeof detail, "Opened by the compliance rule %s.", rule);
	struct task_new t = {.case_id = case_id, .title = title, .detail = detail, .due_on = due_on,
	                     .assigned_to = assignee[0] ? assignee : NULL, .source_alert_id = alert_id};
	char task[UUID_STR_LEN];
	return task_add(c->conn, &t, c->now, task);
}

/* Raises one rule alert; takes evidence. Counts it in stats when it is new. */
static enum db_status raise(struct ctx *c, const char *rule, const char *case_id, const char *key,
                            const char *summary, json_t *evidence, const char *due_on)
{
	char *ev = json_dumps(evidence, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(evidence);
	if (!ev)
		return DB_ERROR;
	struct alert_new a = {.case_id = case_id, .rule_code = rule, .source = "rule", .dedupe_key = key,
	                      .summary = summary, .evidence = ev, .due_on = due_on};
	char id[UUID_STR_LEN];
	bool created = false;
	enum db_status rc = alert_raise(c->conn, &a, c->now, id, &created);
	free(ev);
	if (rc == DB_OK && created && c->stats)
		c->stats->raised++;
	if (rc == DB_OK && created && strncmp(rule, "reassessment.", 13) == 0)
		rc = reminder_task(c, id, case_id, rule, summary, due_on);
	return rc;
}

static const char *col(db_stmt *st, int i)
{
	return db_column_text(st, i, NULL);
}

/* ---- rules on a date column ------------------------------------------ */

/*
 * A rule on a date of a record: "due" raises when the date lies within
 * threshold days from today (today included), "overdue" when it passed more
 * than threshold days ago. The query selects case_id, record id, the date and
 * one extra column, for open cases, with the date between two bounds and no
 * alert yet under the key CAST(? AS TEXT) || record id || ':' || date; its
 * placeholders are: low date, high date, key prefix.
 */
struct date_rule {
	const char *code;
	bool overdue;
	const char *sql;
	const char *record_member; /* evidence: the record's id */
	const char *date_member;   /* evidence: the date */
	const char *extra_member;  /* evidence: the extra column (NULL: none) */
	const char *summary;       /* the summary; the date follows it */
};

#define OPEN_CASE "JOIN case_file c ON c.id = x.case_id AND c.status = 'open'"
#define NO_ALERT(id, date) \
	" AND NOT EXISTS (SELECT 1 FROM alert al WHERE al.dedupe_key = CAST(? AS TEXT) || " id " || ':' || " date ")"

#define CONDITIONS \
	"SELECT x.case_id, x.id, x.review_on, x.code FROM case_condition x " OPEN_CASE \
	" WHERE x.status = 'active' AND x.review_on >= ? AND x.review_on <= ?" NO_ALERT("x.id", "x.review_on")
#define PLANS \
	"SELECT x.case_id, x.id, x.next_review_on, NULL FROM supervision_plan x " OPEN_CASE \
	" WHERE x.next_review_on >= ? AND x.next_review_on <= ?" NO_ALERT("x.id", "x.next_review_on")
#define KEY_DATES(kind, case_kind) \
	"SELECT x.case_id, x.decision_id, x.date, NULL FROM key_date x " OPEN_CASE case_kind \
	" JOIN decision d ON d.id = x.decision_id AND d.status = 'in_force'" \
	" WHERE x.kind = '" kind "' AND x.date IS NOT NULL AND x.date >= ? AND x.date <= ?" \
	NO_ALERT("x.decision_id", "x.date")
#define PRETRIAL \
	"SELECT x.case_id, x.id, x.due_on, NULL FROM pretrial_request x " OPEN_CASE \
	" WHERE x.status IN ('requested', 'in_progress') AND x.due_on >= ? AND x.due_on <= ?" NO_ALERT("x.id", "x.due_on")
#define COMPLAINTS \
	"SELECT x.case_id, x.id, x.answer_due_on, NULL FROM complaint x " OPEN_CASE \
	" WHERE x.status = 'open' AND x.answer_due_on >= ? AND x.answer_due_on <= ?" NO_ALERT("x.id", "x.answer_due_on")

static const struct date_rule date_rules[] = {
	{"condition.review_due", false, CONDITIONS, "condition_id", "review_on", "code",
	 "A condition's review is due on "},
	{"condition.review_overdue", true, CONDITIONS, "condition_id", "review_on", "code",
	 "A condition's review was due on "},
	{"plan.review_due", false, PLANS, "plan_id", "next_review_on", NULL, "The supervision plan's review is due on "},
	{"plan.review_overdue", true, PLANS, "plan_id", "next_review_on", NULL,
	 "The supervision plan's review was due on "},
	{"supervision.end_approaching", false, KEY_DATES("supervision_end", ""), "decision_id", "date", NULL,
	 "Supervision ends on "},
	{"release.approaching", false, KEY_DATES("release", " AND c.kind = 'penitentiary'"), "decision_id", "date", NULL,
	 "The release date is approaching: "},
	{"pretrial.report_due", false, PRETRIAL, "pretrial_request_id", "due_on", NULL,
	 "The pre-trial report is due on "},
	{"pretrial.report_overdue", true, PRETRIAL, "pretrial_request_id", "due_on", NULL,
	 "The pre-trial report was due on "},
	{"complaint.answer_due", false, COMPLAINTS, "complaint_id", "answer_due_on", NULL,
	 "A complaint's answer is due on "},
	{"complaint.answer_overdue", true, COMPLAINTS, "complaint_id", "answer_due_on", NULL,
	 "A complaint's answer was due on "},
};

/* [lo, hi] of the dates a due / overdue rule with threshold days raises for. */
static void date_window(const struct ctx *c, bool overdue, long threshold, char lo[11], char hi[11])
{
	if (overdue) {
		snprintf(lo, 11, "0000-00-00");
		date_text(civil_date_add_days(c->today, -(int)threshold - 1), hi);
	} else {
		date_text(c->today, lo);
		date_text(civil_date_add_days(c->today, (int)threshold), hi);
	}
}

/* One candidate found by a query, copied out so raising does not interleave with the statement. */
struct hit {
	char case_id[UUID_STR_LEN];
	char record_id[UUID_STR_LEN];
	char date[24];
	char extra[64];
	bool has_extra;
};

/* Runs a candidate query (bound by the caller) to the end into a malloc'd array. */
static enum db_status hits_read(db_stmt *st, struct hit **hits_r, size_t *n_r)
{
	size_t n = 0, cap = 0;
	struct hit *hits = NULL;
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		hits = xgrow(hits, &cap, n, sizeof *hits);
		struct hit *h = &hits[n++];
		const char *extra = col(st, 3);
		snprintf(h->case_id, sizeof h->case_id, "%s", col(st, 0) ? col(st, 0) : "");
		snprintf(h->record_id, sizeof h->record_id, "%s", col(st, 1) ? col(st, 1) : "");
		snprintf(h->date, sizeof h->date, "%s", col(st, 2) ? col(st, 2) : "");
		snprintf(h->extra, sizeof h->extra, "%s", extra ? extra : "");
		h->has_extra = extra != NULL;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(hits);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	*hits_r = hits;
	*n_r = n;
	return DB_OK;
}

static enum db_status run_date_rule(struct ctx *c, const struct date_rule *r)
{
	const struct rule_setting *s = rule_on(c, r->code);
	if (!s)
		return DB_OK;
	char lo[11], hi[11], prefix[64];
	date_window(c, r->overdue, s->threshold, lo, hi);
	snprintf(prefix, sizeof prefix, "%s:", r->code);
	db_stmt *st = NULL;
	enum db_status rc = db_query(c->conn, &st, r->sql, "ttt", lo, hi, prefix);
	if (rc != DB_OK)
		return rc;
	struct hit *hits = NULL;
	size_t n = 0;
	if ((rc = hits_read(st, &hits, &n)) != DB_OK)
		return rc;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		const struct hit *h = &hits[i];
		c->stats->evaluated++;
		json_t *ev = json_object();
		json_object_set_new(ev, r->record_member, json_string(h->record_id));
		json_object_set_new(ev, r->date_member, json_string(h->date));
		if (r->extra_member)
			json_object_set_new(ev, r->extra_member, h->has_extra ? json_string(h->extra) : json_null());
		char key[160], summary[160];
		snprintf(key, sizeof key, "%s:%s:%s", r->code, h->record_id, h->date);
		snprintf(summary, sizeof summary, "%s%s", r->summary, h->date);
		rc = raise(c, r->code, h->case_id, key, summary, ev, h->date);
	}
	free(hits);
	return rc;
}

/* ---- the supervision level: minimum contacts and reassessment ------- */

/* The current level of a case is its latest case_supervision_level row. */
#define CURRENT_LEVEL \
	" NOT EXISTS (SELECT 1 FROM case_supervision_level l2 WHERE l2.case_id = l.case_id" \
	" AND (l2.set_at > l.set_at OR (l2.set_at = l.set_at AND l2.id > l.id)))"

static enum db_status run_min_contacts(struct ctx *c)
{
	if (!rule_on(c, "level.min_contacts"))
		return DB_OK;
	/* One query per level: each has its own period. */
	db_stmt *st = NULL;
	enum db_status rc = db_query(c->conn, &st,
		"SELECT code, min_contacts, contacts_period_days FROM ref_supervision_level WHERE min_contacts > 0"
		" ORDER BY rank", "");
	if (rc != DB_OK)
		return rc;
	struct level {
		char code[40];
		long min, period;
	} levels[32];
	int nlevels = 0;
	while ((rc = db_step(st)) == DB_ROW && nlevels < 32) {
		snprintf(levels[nlevels].code, sizeof levels[nlevels].code, "%s", col(st, 0));
		levels[nlevels].min = (long)db_column_int64(st, 1);
		levels[nlevels].period = (long)db_column_int64(st, 2);
		nlevels++;
	}
	db_finalize(&st);
	if (rc != DB_DONE && rc != DB_ROW)
		return rc;
	rc = DB_OK;
	for (int li = 0; li < nlevels && rc == DB_OK; li++) {
		const struct level *lv = &levels[li];
		/* The last period up to today, as the case's supervision page counts it: from..to inclusive. */
		struct civil_date from = civil_date_add_days(c->today, -(int)lv->period + 1);
		char from_s[11], after_s[11];
		date_text(from, from_s);
		date_text(civil_date_add_days(c->today, 1), after_s);
		/* Only levels in force for at least one full period: effective_from <= from. */
		rc = db_query(c->conn, &st,
			"SELECT l.case_id, l.id, l.effective_from, (SELECT COUNT(*) FROM contact k WHERE k.case_id = l.case_id"
			" AND k.outcome IN " CONTACT_HELD_OUTCOMES " AND k.happened_local >= ? AND k.happened_local < ?)"
			" FROM case_supervision_level l JOIN case_file c ON c.id = l.case_id AND c.status = 'open'"
			" WHERE l.level = ? AND l.effective_from <= ? AND" CURRENT_LEVEL,
			"tttt", from_s, after_s, lv->code, from_s);
		if (rc != DB_OK)
			break;
		struct hit *hits = NULL;
		size_t n = 0;
		/* extra = the count, read as text by hits_read; the date column is effective_from. */
		if ((rc = hits_read(st, &hits, &n)) != DB_OK)
			break;
		for (size_t i = 0; i < n && rc == DB_OK; i++) {
			const struct hit *h = &hits[i];
			c->stats->evaluated++;
			long done = strtol(h->extra, NULL, 10);
			if (done >= lv->min)
				continue;
			struct civil_date eff;
			if (!civil_date_parse(h->date, &eff))
				continue;
			/* The period bucket today falls in, counted from the level's start: one alert per bucket. */
			int k = civil_date_diff_days(eff, c->today) / (int)lv->period;
			char bucket[11], key[160], summary[160];
			date_text(civil_date_add_days(eff, k * (int)lv->period), bucket);
			snprintf(key, sizeof key, "level.min_contacts:%s:%s", h->record_id, bucket);
			snprintf(summary, sizeof summary, "%ld of the %ld contacts the level requires in %ld days were held",
			         done, lv->min, lv->period);
			json_t *ev = json_pack("{s:s, s:I, s:I, s:s, s:s}", "level", lv->code, "min_contacts",
			                       (json_int_t)lv->min, "done", (json_int_t)done, "period_from", from_s,
			                       "period_to", c->today_s);
			rc = raise(c, "level.min_contacts", h->case_id, key, summary, ev, c->today_s);
		}
		free(hits);
	}
	return rc;
}

/* The latest submitted or countersigned assessment of an open case with one instrument code. */
struct done_assessment {
	char case_id[UUID_STR_LEN], id[UUID_STR_LEN], code[INSTRUMENT_CODE_LEN], assessed_on[11];
	int64_t submitted_at;
	long days; /* the instrument's reassessment interval (its current version's) */
};

/* By case, code, then newest first (assessed_on, submitted_at, id): the first of a (case, code) run is its latest. */
static int done_compare(const void *pa, const void *pb)
{
	const struct done_assessment *a = pa, *b = pb;
	int d = strcmp(a->case_id, b->case_id);
	if (!d)
		d = strcmp(a->code, b->code);
	if (!d)
		d = -strcmp(a->assessed_on, b->assessed_on);
	if (!d)
		d = a->submitted_at < b->submitted_at ? 1 : a->submitted_at > b->submitted_at ? -1 : 0;
	if (!d)
		d = -strcmp(a->id, b->id);
	return d;
}

/* The current supervision level of an open case. */
struct level_row {
	char case_id[UUID_STR_LEN], id[UUID_STR_LEN], from[11], level[40];
	long days;
};

static int level_compare(const void *pa, const void *pb)
{
	return strcmp(((const struct level_row *)pa)->case_id, ((const struct level_row *)pb)->case_id);
}

/* bsearch keys: a case id against a row's case_id. */
static int case_is_level(const void *key, const void *row)
{
	return strcmp(key, ((const struct level_row *)row)->case_id);
}
static int case_is_done(const void *key, const void *row)
{
	return strcmp(key, ((const struct done_assessment *)row)->case_id);
}

/*
 * Raises the reminder one reassessment due date calls for today, if any: reassessment.due within the due rule's
 * threshold days before the date (today included), reassessment.overdue more than the overdue rule's threshold
 * days after it; key "<rule>:<record>:<due_on>", summary "<subject> is (was) due on <date>". Takes ev (the
 * evidence, to which due_on is added).
 */
static enum db_status raise_due(struct ctx *c, const struct rule_setting *due, const struct rule_setting *over,
                                const char *case_id, const char *record_id, const char *subject,
                                struct civil_date due_on, json_t *ev)
{
	c->stats->evaluated++;
	int ahead = civil_date_diff_days(c->today, due_on); /* days until due; negative: past */
	const char *code = NULL;
	if (due && ahead >= 0 && ahead <= due->threshold)
		code = "reassessment.due";
	else if (over && -ahead > over->threshold)
		code = "reassessment.overdue";
	if (!code) {
		json_decref(ev);
		return DB_OK;
	}
	char due_s[11], key[200], summary[200];
	date_text(due_on, due_s);
	snprintf(key, sizeof key, "%s:%s:%s", code, record_id, due_s);
	snprintf(summary, sizeof summary, "%s %s due on %s", subject, ahead >= 0 ? "is" : "was", due_s);
	json_object_set_new(ev, "due_on", json_string(due_s));
	return raise(c, code, case_id, key, summary, ev, due_s);
}

/*
 * reassessment.due / reassessment.overdue, as reassessment_due_case counts (domain/reassessment.c), for every open
 * case with a level or a completed assessment, in two queries: one due per instrument the case has a completed
 * assessment with (its assessed_on + the shorter of the instrument's and the level's interval, the instrument's
 * alone without a level), or, with none, the level's effective date + the level's interval. Key
 * "<rule>:<assessment or level row id>:<due_on>".
 */
static enum db_status run_reassessment(struct ctx *c)
{
	const struct rule_setting *due = rule_on(c, "reassessment.due"), *over = rule_on(c, "reassessment.overdue");
	if (!due && !over)
		return DB_OK;
	db_stmt *st = NULL;
	enum db_status rc = db_query(c->conn, &st,
		"SELECT l.case_id, l.id, l.effective_from, r.reassessment_days, l.level FROM case_supervision_level l"
		" JOIN case_file c ON c.id = l.case_id AND c.status = 'open'"
		" JOIN ref_supervision_level r ON r.code = l.level WHERE" CURRENT_LEVEL, "");
	if (rc != DB_OK)
		return rc;
	struct level_row *levels = NULL;
	size_t n = 0, cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		levels = xgrow(levels, &cap, n, sizeof *levels);
		struct level_row *r = &levels[n++];
		snprintf(r->case_id, sizeof r->case_id, "%s", col(st, 0));
		snprintf(r->id, sizeof r->id, "%s", col(st, 1));
		snprintf(r->from, sizeof r->from, "%s", col(st, 2));
		r->days = (long)db_column_int64(st, 3);
		snprintf(r->level, sizeof r->level, "%s", col(st, 4));
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(levels);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	rc = db_query(c->conn, &st,
		"SELECT a.case_id, a.id, i.code, a.assessed_on, a.submitted_at,"
		" COALESCE(ic.reassessment_days, i.reassessment_days) FROM assessment a"
		" JOIN case_file c ON c.id = a.case_id AND c.status = 'open'"
		" JOIN instrument i ON i.id = a.instrument_id"
		" LEFT JOIN instrument ic ON ic.code = i.code AND ic.is_current = 1"
		" WHERE a.status IN ('submitted', 'countersigned') AND a.assessed_on IS NOT NULL", "");
	struct done_assessment *done = NULL;
	size_t nd = 0, dcap = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		done = xgrow(done, &dcap, nd, sizeof *done);
		struct done_assessment *d = &done[nd++];
		snprintf(d->case_id, sizeof d->case_id, "%s", col(st, 0));
		snprintf(d->id, sizeof d->id, "%s", col(st, 1));
		snprintf(d->code, sizeof d->code, "%s", col(st, 2));
		snprintf(d->assessed_on, sizeof d->assessed_on, "%s", col(st, 3));
		d->submitted_at = db_column_int64(st, 4);
		d->days = (long)db_column_int64(st, 5);
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(levels);
		free(done);
		return rc == DB_ROW || rc == DB_OK ? DB_ERROR : rc;
	}
	if (n > 1)
		qsort(levels, n, sizeof *levels, level_compare);
	if (nd > 1)
		qsort(done, nd, sizeof *done, done_compare);
	rc = DB_OK;
	/* Counted from the latest completed assessment with each instrument (and the case's level, if any). */
	for (size_t k = 0; k < nd && rc == DB_OK; k++) {
		const struct done_assessment *d = &done[k];
		if (k > 0 && strcmp(done[k - 1].case_id, d->case_id) == 0 && strcmp(done[k - 1].code, d->code) == 0)
			continue; /* an older one with the same instrument */
		struct civil_date last;
		if (!civil_date_parse(d->assessed_on, &last))
			continue;
		const struct level_row *r = n ? bsearch(d->case_id, levels, n, sizeof *levels, case_is_level) : NULL;
		bool by_level = r && r->days > 0 && r->days < d->days;
		long interval = by_level ? r->days : d->days;
		char subject[120];
		snprintf(subject, sizeof subject, "The reassessment with %s", d->code);
		json_t *ev = json_pack("{s:s?, s:s?, s:s, s:s, s:s, s:I, s:s}", "level", r ? r->level : NULL, "level_from",
		                       r ? r->from : NULL, "instrument", d->code, "assessment_id", d->id, "last_on",
		                       d->assessed_on, "interval_days", (json_int_t)interval, "basis",
		                       by_level ? "level" : "instrument");
		rc = raise_due(c, due, over, d->case_id, d->id, subject, civil_date_add_days(last, (int)interval), ev);
	}
	/* No completed assessment: counted from the level's start by the level's interval. */
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		const struct level_row *r = &levels[i];
		struct civil_date from;
		if ((nd && bsearch(r->case_id, done, nd, sizeof *done, case_is_done)) || !civil_date_parse(r->from, &from))
			continue;
		json_t *ev = json_pack("{s:s, s:s}", "level", r->level, "level_from", r->from);
		rc = raise_due(c, due, over, r->case_id, r->id, "The supervision level's reassessment",
		               civil_date_add_days(from, (int)r->days), ev);
	}
	free(levels);
	free(done);
	return rc;
}

/* ---- reassessment triggers -------------------------------------------- */

/*
 * Raises reassessment.triggered for one unresolved trigger of an open case: due the rule's threshold in days after
 * it occurred, key "reassessment.triggered:<trigger id>".
 */
static enum db_status raise_triggered(struct ctx *c, const struct rule_setting *s, const char *case_id,
                                      const char *trigger_id, const char *kind, const char *occurred_on,
                                      const char *record_type, const char *record_id)
{
	struct civil_date when;
	if (!civil_date_parse(occurred_on, &when))
		return DB_OK;
	char due_s[11], key[160], summary[160];
	date_text(civil_date_add_days(when, (int)s->threshold), due_s);
	snprintf(key, sizeof key, "reassessment.triggered:%s", trigger_id);
	static const char *const kinds[][2] = {{"breach", "a breach allegation"}, {"release", "release"},
	                                       {"address", "a new address"}, {"work", "a change of work"},
	                                       {"new_information", "new information"}, {"other", "an event"}};
	const char *what = "an event";
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcmp(kinds[k][0], kind) == 0)
			what = kinds[k][1];
	snprintf(summary, sizeof summary, "Reassess after %s on %s", what, occurred_on);
	json_t *ev = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s}", "trigger_id", trigger_id, "kind", kind, "occurred_on",
	                       occurred_on, "record_type", record_type, "record_id", record_id, "due_on", due_s);
	return raise(c, "reassessment.triggered", case_id, key, summary, ev, due_s);
}

#define TRIGGER_COLUMNS \
	"SELECT x.case_id, x.id, x.kind, x.occurred_on, x.record_type, x.record_id FROM reassessment_trigger x " \
	OPEN_CASE " WHERE x.resolved_at IS NULL"

/* One unresolved trigger read before raising. */
struct trigger_row {
	char case_id[UUID_STR_LEN], id[UUID_STR_LEN], kind[24], occurred_on[11], record_type[32], record_id[UUID_STR_LEN];
	bool has_record;
};

static enum db_status triggers_read(db_stmt *st, struct trigger_row **rows_r, size_t *n_r)
{
	struct trigger_row *rows = NULL;
	size_t n = 0, cap = 0;
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		rows = xgrow(rows, &cap, n, sizeof *rows);
		struct trigger_row *r = &rows[n++];
		snprintf(r->case_id, sizeof r->case_id, "%s", col(st, 0));
		snprintf(r->id, sizeof r->id, "%s", col(st, 1));
		snprintf(r->kind, sizeof r->kind, "%s", col(st, 2));
		snprintf(r->occurred_on, sizeof r->occurred_on, "%s", col(st, 3));
		r->has_record = col(st, 4) && col(st, 5);
		snprintf(r->record_type, sizeof r->record_type, "%s", r->has_record ? col(st, 4) : "");
		snprintf(r->record_id, sizeof r->record_id, "%s", r->has_record ? col(st, 5) : "");
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(rows);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	*rows_r = rows;
	*n_r = n;
	return DB_OK;
}

static enum db_status raise_rows(struct ctx *c, const struct rule_setting *s, const struct trigger_row *rows,
                                 size_t n)
{
	enum db_status rc = DB_OK;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		const struct trigger_row *r = &rows[i];
		c->stats->evaluated++;
		rc = raise_triggered(c, s, r->case_id, r->id, r->kind, r->occurred_on, r->has_record ? r->record_type : NULL,
		                     r->has_record ? r->record_id : NULL);
	}
	return rc;
}

/* Releases: a release key date of a decision in force in the look-back window up to today records a trigger. */
static enum db_status run_release_triggers(struct ctx *c)
{
	char lo[11];
	date_text(civil_date_add_days(c->today, -RULES_LOOK_BACK_DAYS), lo);
	db_stmt *st = NULL;
	enum db_status rc = db_query(c->conn, &st,
		"SELECT x.case_id, x.decision_id, x.date, NULL FROM key_date x " OPEN_CASE
		" JOIN decision d ON d.id = x.decision_id AND d.status = 'in_force'"
		" WHERE x.kind = 'release' AND x.date IS NOT NULL AND x.date >= ? AND x.date <= ?"
		" AND NOT EXISTS (SELECT 1 FROM reassessment_trigger t WHERE t.case_id = x.case_id AND t.kind = 'release'"
		" AND t.record_type = 'decision' AND t.record_id = x.decision_id)", "tt", lo, c->today_s);
	if (rc != DB_OK)
		return rc;
	struct hit *hits = NULL;
	size_t n = 0;
	if ((rc = hits_read(st, &hits, &n)) != DB_OK)
		return rc;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		c->stats->evaluated++;
		char summary[80], id[UUID_STR_LEN];
		snprintf(summary, sizeof summary, "Release date %s passed", hits[i].date);
		struct trigger_new t = {.case_id = hits[i].case_id, .kind = "release", .occurred_on = hits[i].date,
		                        .summary = summary, .record_type = "decision", .record_id = hits[i].record_id};
		bool created = false;
		rc = reassessment_trigger_add(c->conn, &t, c->now, id, &created);
	}
	free(hits);
	return rc;
}

/* The backstop: unresolved triggers of open cases without their alert (the rule was off, say). */
static enum db_status run_trigger_backstop(struct ctx *c)
{
	const struct rule_setting *s = rule_on(c, "reassessment.triggered");
	if (!s)
		return DB_OK;
	db_stmt *st = NULL;
	enum db_status rc = db_query(c->conn, &st,
		TRIGGER_COLUMNS " AND NOT EXISTS (SELECT 1 FROM alert al WHERE al.dedupe_key = CAST(? AS TEXT) || x.id)",
		"t", "reassessment.triggered:");
	if (rc != DB_OK)
		return rc;
	struct trigger_row *rows = NULL;
	size_t n = 0;
	if ((rc = triggers_read(st, &rows, &n)) != DB_OK)
		return rc;
	rc = raise_rows(c, s, rows, n);
	free(rows);
	return rc;
}

enum db_status rules_on_trigger(db *conn, const char *trigger_id, int64_t now)
{
	struct rules_stats stats = {0};
	struct ctx c;
	enum db_status rc = ctx_init(&c, conn, now, &stats);
	const struct rule_setting *s = rc == DB_OK ? rule_on(&c, "reassessment.triggered") : NULL;
	if (!s)
		return rc;
	db_stmt *st = NULL;
	rc = db_query(conn, &st, TRIGGER_COLUMNS " AND x.id = ?", "t", trigger_id);
	if (rc != DB_OK)
		return rc;
	struct trigger_row *rows = NULL;
	size_t n = 0;
	if ((rc = triggers_read(st, &rows, &n)) != DB_OK)
		return rc;
	rc = raise_rows(&c, s, rows, n);
	free(rows);
	return rc;
}

/* ---- contacts: failed to attend, unacceptable absence ---------------- */

#define FAILED_OUTCOMES "('failed_to_attend', 'unacceptable_absence')"

/* Raises contact.failed for one contact row already known to qualify. */
static enum db_status raise_failed(struct ctx *c, const char *case_id, const char *contact_id,
                                   const char *appointment_id, const char *outcome, const char *happened_local)
{
	char key[160], summary[160], occurred[32] = "", due_on[11];
	int64_t ms;
	if (local_to_utc_ms(happened_local, c->tz, &ms))
		clock_format_rfc3339(ms, occurred);
	snprintf(due_on, sizeof due_on, "%.10s", happened_local);
	snprintf(key, sizeof key, "contact.failed:%s:%s", contact_id, happened_local);
	snprintf(summary, sizeof summary, "A contact was recorded as %s", outcome);
	json_t *ev = json_pack("{s:s, s:s?, s:s, s:s?}", "contact_id", contact_id, "appointment_id", appointment_id,
	                       "outcome", outcome, "occurred_at", occurred[0] ? occurred : NULL);
	return raise(c, "contact.failed", case_id, key, summary, ev, due_on);
}

/* The backstop: failed contacts in the look-back window that have no alert (the event rule missed none, normally). */
static enum db_status run_failed_backstop(struct ctx *c)
{
	if (!rule_on(c, "contact.failed"))
		return DB_OK;
	char lo[LOCAL_TIME_LEN], day[11];
	date_text(civil_date_add_days(c->today, -RULES_LOOK_BACK_DAYS), day);
	snprintf(lo, sizeof lo, "%sT00:00", day);
	db_stmt *st = NULL;
	enum db_status rc = db_query(c->conn, &st,
		"SELECT x.case_id, x.id, x.happened_local, x.outcome, x.appointment_id FROM contact x " OPEN_CASE
		" WHERE x.outcome IN " FAILED_OUTCOMES " AND x.happened_local >= ?"
		NO_ALERT("x.id", "x.happened_local"), "tt", lo, "contact.failed:");
	if (rc != DB_OK)
		return rc;
	size_t n = 0;
	struct row {
		char case_id[UUID_STR_LEN], id[UUID_STR_LEN], happened[LOCAL_TIME_LEN], outcome[32], appointment[UUID_STR_LEN];
		bool has_appointment;
	} *rows = NULL;
	size_t cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		rows = xgrow(rows, &cap, n, sizeof *rows);
		struct row *r = &rows[n++];
		snprintf(r->case_id, sizeof r->case_id, "%s", col(st, 0));
		snprintf(r->id, sizeof r->id, "%s", col(st, 1));
		snprintf(r->happened, sizeof r->happened, "%s", col(st, 2));
		snprintf(r->outcome, sizeof r->outcome, "%s", col(st, 3));
		r->has_appointment = col(st, 4) != NULL;
		snprintf(r->appointment, sizeof r->appointment, "%s", r->has_appointment ? col(st, 4) : "");
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(rows);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	rc = DB_OK;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		c->stats->evaluated++;
		rc = raise_failed(c, rows[i].case_id, rows[i].id, rows[i].has_appointment ? rows[i].appointment : NULL,
		                  rows[i].outcome, rows[i].happened);
	}
	free(rows);
	return rc;
}

enum db_status rules_on_contact(db *conn, const char *contact_id, int64_t now)
{
	struct rules_stats stats = {0};
	struct ctx c;
	enum db_status rc = ctx_init(&c, conn, now, &stats);
	if (rc != DB_OK || !rule_on(&c, "contact.failed"))
		return rc;
	db_stmt *st = NULL;
	rc = db_query(conn, &st,
		"SELECT x.case_id, x.id, x.happened_local, x.outcome, x.appointment_id FROM contact x " OPEN_CASE
		" WHERE x.id = ? AND x.outcome IN " FAILED_OUTCOMES, "t", contact_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(&st);
		return rc == DB_DONE ? DB_OK : rc;
	}
	char case_id[UUID_STR_LEN], id[UUID_STR_LEN], happened[LOCAL_TIME_LEN], outcome[32], appointment[UUID_STR_LEN];
	snprintf(case_id, sizeof case_id, "%s", col(st, 0));
	snprintf(id, sizeof id, "%s", col(st, 1));
	snprintf(happened, sizeof happened, "%s", col(st, 2));
	snprintf(outcome, sizeof outcome, "%s", col(st, 3));
	bool has_appointment = col(st, 4) != NULL;
	snprintf(appointment, sizeof appointment, "%s", has_appointment ? col(st, 4) : "");
	db_finalize(&st);
	return raise_failed(&c, case_id, id, has_appointment ? appointment : NULL, outcome, happened);
}

/* ---- appointments that passed without an outcome --------------------- */

/* A set of "<appointment id>|<occurrence>" keys read from a query (appointment id, occurrence[, moved to]). */
static json_t *keyed(db *conn, const char *sql, const char *types, const char *a, const char *b, const char *d,
                     const char *e)
{
	db_stmt *st = NULL;
	if (db_query(conn, &st, sql, types, a, b, d, e) != DB_OK)
		return NULL;
	json_t *map = json_object();
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *id = col(st, 0), *occ = col(st, 1);
		if (!id || !occ)
			continue;
		char key[128];
		snprintf(key, sizeof key, "%s|%s", id, occ);
		const char *moved = db_column_count(st) > 2 ? col(st, 2) : NULL;
		json_object_set_new(map, key, moved ? json_string(moved) : json_null());
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(map);
		return NULL;
	}
	return map;
}

struct appt {
	char id[UUID_STR_LEN], case_id[UUID_STR_LEN], kind[16], dtstart[LOCAL_TIME_LEN];
	char *rrule;
	long duration;
	int64_t cancelled_ms; /* a cancelled series no longer happens from here; INT64_MAX: active */
};

/*
 * One occurrence of a: original is its identity, start_local where it happens (moved or not). Raises when it
 * ended the threshold ago with no outcome; skips cancelled ones.
 */
static enum db_status no_outcome_check(struct ctx *c, const struct appt *a, const char *original,
                                       const char *start_local, json_t *contacts, int64_t after_ms)
{
	char key[128];
	snprintf(key, sizeof key, "%s|%s", a->id, original);
	if (json_object_get(contacts, key))
		return DB_OK;
	int64_t start_ms;
	if (!local_to_utc_ms(start_local, c->tz, &start_ms) || start_ms >= a->cancelled_ms)
		return DB_OK;
	c->stats->evaluated++;
	int64_t end_ms = start_ms + (int64_t)a->duration * 60000;
	if (end_ms + after_ms > c->now)
		return DB_OK;
	char dkey[160], summary[160], due_on[11];
	snprintf(dkey, sizeof dkey, "appointment.no_outcome:%s:%s", a->id, original);
	snprintf(due_on, sizeof due_on, "%.10s", start_local);
	long hours = (long)((c->now - end_ms) / 3600000);
	snprintf(summary, sizeof summary, "No outcome recorded for an appointment (%s) %ld hours after it ended", a->kind,
	         hours);
	json_t *ev = json_pack("{s:s, s:s, s:s, s:I}", "appointment_id", a->id, "occurrence", original, "kind", a->kind,
	                       "hours", (json_int_t)hours);
	return raise(c, "appointment.no_outcome", a->case_id, dkey, summary, ev, due_on);
}

/* A rule part "NAME=value" of rrule as a number (0: absent). */
static long rrule_number(const char *rrule, const char *name)
{
	char pat[16];
	snprintf(pat, sizeof pat, "%s=", name);
	for (const char *p = strstr(rrule, pat); p; p = strstr(p + 1, pat))
		if (p == rrule || p[-1] == ';')
			return strtol(p + strlen(pat), NULL, 10);
	return 0;
}

/*
 * True when a series surely has no occurrence on or after the day `from` (YYYY-MM-DD...): its UNTIL is
 * earlier, or it is DAILY or WEEKLY with a COUNT that runs out before (each period holds at least one
 * occurrence, so COUNT periods are an upper bound). Saves expanding long-finished series; anything else is
 * expanded.
 */
static bool series_over(const char *dtstart, const char *rrule, const char *from)
{
	struct civil_date start, window;
	char first[11];
	snprintf(first, sizeof first, "%.10s", from);
	if (!rrule || !civil_date_parse(first, &window))
		return false;
	const char *until = strstr(rrule, "UNTIL=");
	if (until && strlen(until + 6) >= 8) {
		char u[11];
		snprintf(u, sizeof u, "%.4s-%.2s-%.2s", until + 6, until + 10, until + 12);
		struct civil_date ud;
		/* A day's margin for the zone of a UTC UNTIL. */
		if (civil_date_parse(u, &ud) && civil_date_compare(civil_date_add_days(ud, 1), window) < 0)
			return true;
	}
	long count = rrule_number(rrule, "COUNT"), interval = rrule_number(rrule, "INTERVAL");
	if (interval < 1)
		interval = 1;
	long days = strstr(rrule, "FREQ=DAILY") ? 1 : strstr(rrule, "FREQ=WEEKLY") ? 7 : 0;
	char d[11];
	snprintf(d, sizeof d, "%.10s", dtstart);
	if (count < 1 || !days || count > 100000 || interval > 1000 || !civil_date_parse(d, &start))
		return false;
	return civil_date_compare(civil_date_add_days(start, (int)(count * interval * days) + 1), window) < 0;
}

/*
 * The occurrences (as domain/appointments.h defines them: the rule's occurrences with their exceptions, a
 * cancelled series off from its cancellation) that started in the look-back window. The appointments, their
 * exceptions and the outcomes are each read once, bounded by the window, for all open cases together.
 */
static enum db_status run_no_outcome(struct ctx *c)
{
	const struct rule_setting *s = rule_on(c, "appointment.no_outcome");
	if (!s)
		return DB_OK;
	int64_t after_ms = (int64_t)s->threshold * 3600000;
	char from[LOCAL_TIME_LEN], to[LOCAL_TIME_LEN], day[LOCAL_TIME_LEN];
	if (!utc_ms_to_local(c->now - after_ms - (int64_t)RULES_LOOK_BACK_DAYS * 86400000, c->tz, day) ||
	    !utc_ms_to_local(c->now - after_ms, c->tz, to))
		return DB_OK;
	snprintf(from, sizeof from, "%.10sT00:00", day);
	/* Exceptions of occurrences in the window, or moved into it: key -> new start (null: cancelled). */
	json_t *exceptions = keyed(c->conn,
		"SELECT e.appointment_id, e.occurrence_local, e.new_starts_local FROM appointment_exception e"
		" WHERE (e.occurrence_local >= ? AND e.occurrence_local < ?)"
		" OR (e.new_starts_local >= ? AND e.new_starts_local < ?)", "tttt", from, to, from, to);
	/* Outcomes of those occurrences: by their identity in the window, or of an occurrence moved into it. */
	json_t *contacts = exceptions ? keyed(c->conn,
		"SELECT k.appointment_id, k.occurrence_local FROM contact k WHERE k.appointment_id IS NOT NULL"
		" AND k.occurrence_local >= ? AND k.occurrence_local < ?"
		" UNION ALL SELECT k.appointment_id, k.occurrence_local FROM appointment_exception e"
		" JOIN contact k ON k.appointment_id = e.appointment_id AND k.occurrence_local = e.occurrence_local"
		" WHERE e.new_starts_local >= ? AND e.new_starts_local < ?", "tttt", from, to, from, to) : NULL;
	db_stmt *st = NULL;
	enum db_status rc = contacts ? db_query(c->conn, &st,
		"SELECT ap.id, ap.case_id, ap.kind, ap.starts_local, ap.rrule, ap.duration_min, ap.status, ap.updated_at"
		" FROM appointment ap JOIN case_file c ON c.id = ap.case_id AND c.status = 'open'"
		" WHERE ap.starts_local < ? AND (ap.rrule IS NOT NULL OR ap.starts_local >= ? OR EXISTS (SELECT 1 FROM"
		" appointment_exception e WHERE e.appointment_id = ap.id AND e.new_starts_local >= ? AND e.new_starts_local < ?))",
		"tttt", to, from, from, to) : DB_ERROR;
	struct appt *list = NULL;
	size_t n = 0, cap = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		list = xgrow(list, &cap, n, sizeof *list);
		struct appt *a = &list[n++];
		snprintf(a->id, sizeof a->id, "%s", col(st, 0));
		snprintf(a->case_id, sizeof a->case_id, "%s", col(st, 1));
		snprintf(a->kind, sizeof a->kind, "%s", col(st, 2));
		snprintf(a->dtstart, sizeof a->dtstart, "%s", col(st, 3));
		a->rrule = col(st, 4) ? xstrdup(col(st, 4)) : NULL;
		a->duration = (long)db_column_int64(st, 5);
		a->cancelled_ms = strcmp(col(st, 6), "cancelled") == 0 ? db_column_int64(st, 7) : INT64_MAX;
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE)
		rc = DB_OK;
	struct occurrence *occ = rc == DB_OK ? xmalloc(sizeof *occ * APPOINTMENT_MAX_OCCURRENCES) : NULL;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		const struct appt *a = &list[i];
		if (series_over(a->dtstart, a->rrule, from))
			continue;
		int k = recurrence_expand(a->dtstart, a->rrule, c->tz, from, to, occ, APPOINTMENT_MAX_OCCURRENCES);
		for (int j = 0; j < k && rc == DB_OK; j++) {
			char key[128];
			snprintf(key, sizeof key, "%s|%s", a->id, occ[j].original_local);
			json_t *ex = json_object_get(exceptions, key);
			if (ex && !json_is_string(ex))
				continue; /* this occurrence is cancelled */
			const char *start = ex ? json_string_value(ex) : occ[j].start_local;
			if (ex && (strcmp(start, from) < 0 || strcmp(start, to) >= 0))
				continue; /* moved out of the window */
			rc = no_outcome_check(c, a, occ[j].original_local, start, contacts, after_ms);
		}
		/* Occurrences moved into the window from outside it. */
		size_t idlen = strlen(a->id);
		const char *key;
		json_t *ex;
		json_object_foreach(exceptions, key, ex) {
			if (rc != DB_OK)
				break;
			if (strncmp(key, a->id, idlen) != 0 || key[idlen] != '|' || !json_is_string(ex))
				continue;
			const char *original = key + idlen + 1, *moved = json_string_value(ex);
			if (strcmp(moved, from) < 0 || strcmp(moved, to) >= 0 ||
			    (strcmp(original, from) >= 0 && strcmp(original, to) < 0) ||
			    !appointment_generates(a->dtstart, a->rrule, c->tz, original))
				continue;
			rc = no_outcome_check(c, a, original, moved, contacts, after_ms);
		}
	}
	free(occ);
	for (size_t i = 0; i < n; i++)
		free(list[i].rrule);
	free(list);
	json_decref(exceptions);
	json_decref(contacts);
	return rc;
}

/* ---- every time rule ------------------------------------------------- */

enum db_status rules_run(db *conn, int64_t now, struct rules_stats *stats_r)
{
	*stats_r = (struct rules_stats){0};
	struct ctx c;
	enum db_status rc = ctx_init(&c, conn, now, stats_r);
	if (rc != DB_OK)
		return rc;
	if ((rc = run_no_outcome(&c)) != DB_OK || (rc = run_failed_backstop(&c)) != DB_OK ||
	    (rc = run_min_contacts(&c)) != DB_OK || (rc = run_reassessment(&c)) != DB_OK ||
	    (rc = run_release_triggers(&c)) != DB_OK || (rc = run_trigger_backstop(&c)) != DB_OK)
		return rc;
	for (size_t i = 0; i < sizeof date_rules / sizeof date_rules[0]; i++)
		if ((rc = run_date_rule(&c, &date_rules[i])) != DB_OK)
			return rc;
	return DB_OK;
}
