/*
 * alerts.c — the demo's alert work, after the rules raised their alerts over
 * the demo cases as of now: officers acknowledge some, dismiss some with the
 * reasons officers give, verify some as tasks and leave the rest open; a few
 * nobody acknowledged in time are escalated to the unit head (and a couple on
 * to the head above); a few officers raise alerts of their own. Deterministic:
 * the alerts are worked in case-number order by a fixed pattern per rule.
 *
 * contact.failed alerts are left mostly open for the breaches demo, which
 * verifies some of them as breach allegations: at most a third become tasks
 * here, none is dismissed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "demo/demo.h"
#include "domain/alert_steps.h"
#include "domain/alerts.h"
#include "domain/keydates.h"

/* One open alert as the demo works it. */
struct demo_open_alert {
	char id[UUID_STR_LEN];
	char case_id[UUID_STR_LEN];
	char rule[48];                  /* "" for an officer's alert */
	char officer[UUID_STR_LEN];     /* the case's officer ("" for none) */
	char head[UUID_STR_LEN];        /* the head of the case's unit ("" for none) */
	char assigned[UUID_STR_LEN];    /* who has it */
};

/* What officers write when they dismiss a rule's alert, and the task they set when it needs work. */
static const struct {
	const char *rule, *dismissal, *task;
} wording[] = {
	{"appointment.no_outcome", "The appointment was moved by phone; the outcome is recorded on the new date.",
	 "Record the outcome of the missed appointment"},
	{"contact.failed", NULL, "Phone the person to find out why they did not attend and book a new appointment"},
	{"level.min_contacts", "Contacts were held at the partner organisation and are recorded there this month.",
	 "Book the missing contacts for this period"},
	{"condition.review_due", "Reviewed at the last supervision meeting; the review date will be set with the plan.",
	 "Prepare the condition review with the person"},
	{"condition.review_overdue", "The condition review was done on paper during the office move; entering it now.",
	 "Hold the overdue condition review"},
	{"reassessment.due", "Reassessment is booked with the psychologist next week.", "Book the reassessment"},
	{"reassessment.overdue", "The person was in hospital; reassessment postponed on the unit head's instruction.",
	 "Complete the overdue reassessment"},
	{"plan.review_due", "The plan was discussed with the person on the last visit; no change needed yet.",
	 "Review the supervision plan with the person"},
	{"plan.review_overdue", "Plan review delayed until the employment question is settled.",
	 "Hold the overdue plan review"},
	{"supervision.end_approaching", "The court has already been informed of the end date.",
	 "Prepare the end-of-supervision report"},
	{"release.approaching", "The colony confirmed the release date; the release plan is in the file.",
	 "Start release planning with the colony"},
	{"pretrial.report_due", "The report is drafted and will be sent tomorrow.", "Finish the pre-trial report"},
	{"pretrial.report_overdue", "The court extended the deadline by phone; the letter is on its way.",
	 "Send the overdue pre-trial report"},
	{"complaint.answer_due", "The answer is written and waits for the unit head's signature.",
	 "Answer the complaint"},
	{"complaint.answer_overdue", "The person withdrew the complaint orally; the written withdrawal is awaited.",
	 "Answer the overdue complaint"},
};

static const char *dismissal_of(const char *rule)
{
	for (size_t i = 0; i < sizeof wording / sizeof wording[0]; i++)
		if (strcmp(wording[i].rule, rule) == 0)
			return wording[i].dismissal;
	return "Checked with the person: nothing further to do.";
}

static const char *task_of(const char *rule)
{
	for (size_t i = 0; i < sizeof wording / sizeof wording[0]; i++)
		if (strcmp(wording[i].rule, rule) == 0)
			return wording[i].task;
	return "Follow up with the person";
}

/* Officers' own observations. */
static const struct {
	const char *summary, *severity, *note;
} observations[] = {
	{"Neighbours say he has not slept at the registered address for a week", "high",
	 "Two neighbours told the officer on a home visit; not yet confirmed."},
	{"Employer reports she left work early three days running", "medium", "Phone call from the employer."},
	{"Seen in a bar after the curfew hour by a colleague", "medium", NULL},
	{"Family asked for help: signs of relapse into drinking", "high", "The mother came to the office."},
	{"Did not bring the promised certificate from the clinic", "low", NULL},
	{"New phone number given by his sister; the old one is off", "low", NULL},
};

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* The open alerts in a stable order, with each case's officer and the head of its unit. *list_r is malloc'd. */
static enum db_status open_alerts(db *conn, struct demo_open_alert **list_r, size_t *n_r)
{
	*list_r = NULL;
	*n_r = 0;
	size_t cap = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT al.id, al.case_id, al.rule_code, c.officer_id,"
		" (SELECT a.id FROM account a JOIN account_role r ON r.account_id = a.id WHERE r.role = 'unit_head'"
		"  AND a.unit_id = c.unit_id AND a.status = 'active' ORDER BY a.created_at, a.id LIMIT 1),"
		" al.assigned_to FROM alert al JOIN case_file c ON c.id = al.case_id WHERE al.status = 'open'"
		" ORDER BY c.number, al.rule_code, al.dedupe_key, al.id", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*list_r = xgrow(*list_r, &cap, *n_r, sizeof **list_r);
		struct demo_open_alert *a = &(*list_r)[(*n_r)++];
		copy(a->id, sizeof a->id, db_column_text(st, 0, NULL));
		copy(a->case_id, sizeof a->case_id, db_column_text(st, 1, NULL));
		copy(a->rule, sizeof a->rule, db_column_text(st, 2, NULL));
		copy(a->officer, sizeof a->officer, db_column_text(st, 3, NULL));
		copy(a->head, sizeof a->head, db_column_text(st, 4, NULL));
		copy(a->assigned, sizeof a->assigned, db_column_text(st, 5, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* How many alerts of a rule came before this one (the pattern runs per rule). */
struct rule_counter {
	char rule[48];
	long seen;
};

static long next_of(struct rule_counter *counters, size_t *n, const char *rule)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(counters[i].rule, rule) == 0)
			return counters[i].seen++;
	if (*n < 32) {
		copy(counters[*n].rule, sizeof counters[*n].rule, rule);
		counters[(*n)++].seen = 1;
	}
	return 0;
}

/* The date n days from today (UTC date of now; the demo only needs a plausible due date). */
static void date_from_now(int64_t now, int days, char out[11])
{
	struct civil_date epoch = {1970, 1, 1};
	civil_date_format(civil_date_add_days(epoch, (int)(now / 86400000) + days), out);
}

/* Works one rule's alert by the pattern: 0-1 acknowledged, 2 dismissed, 3 acknowledged then dismissed,
   4 acknowledged and verified as a task, 5 left unacknowledged past its time (escalated), 6-9 left open. */
static enum db_status work_one(db *conn, const struct demo_open_alert *a, long k, int64_t now,
                               struct demo_compliance_counts *n, struct buf *late)
{
	const char *officer = a->officer[0] ? a->officer : a->head;
	const char *acker = a->assigned[0] ? a->assigned : officer;
	if (!officer[0] || !acker[0])
		return DB_OK;
	enum db_status rc = DB_OK;
	char due[11];
	bool failed_contact = strcmp(a->rule, "contact.failed") == 0;
	long step = failed_contact ? (k % 3 == 0 ? 4 : k % 3 == 1 ? 0 : 9) : k % 10;
	switch (step) {
	case 0:
	case 1:
		rc = alert_acknowledge(conn, a->id, acker, now);
		n->alerts_acknowledged += rc == DB_OK;
		break;
	case 2:
		rc = alert_dismiss(conn, a->id, officer, dismissal_of(a->rule), now);
		n->alerts_dismissed += rc == DB_OK;
		break;
	case 3:
		rc = alert_acknowledge(conn, a->id, acker, now);
		if (rc == DB_OK)
			rc = alert_dismiss(conn, a->id, acker, dismissal_of(a->rule), now);
		n->alerts_acknowledged += rc == DB_OK;
		n->alerts_dismissed += rc == DB_OK;
		break;
	case 4: {
		rc = alert_acknowledge(conn, a->id, acker, now);
		date_from_now(now, 7, due);
		struct task_new t = {.title = task_of(a->rule), .due_on = due, .assigned_to = officer, .created_by = acker};
		char task[UUID_STR_LEN];
		if (rc == DB_OK)
			rc = alert_verify_task(conn, a->id, acker,
			                       failed_contact ? "Checked: no reason given yet; a call is needed before anything else."
			                                      : "Checked: this needs doing.",
			                       &t, now, task);
		n->alerts_acknowledged += rc == DB_OK;
		n->tasks += rc == DB_OK;
		break;
	}
	case 5:
		if (late->len)
			buf_putc(late, ',');
		buf_printf(late, "'%s'", a->id);
		break;
	default:
		break;
	}
	return rc == DB_DONE ? DB_OK : rc;
}

/* Lets the alerts in `late` (quoted ids) pass their acknowledgement time, then escalates. */
static enum db_status escalate(db *conn, const struct buf *late, int64_t now, long *escalated_r)
{
	*escalated_r = 0;
	if (!late->len)
		return DB_OK;
	/* The ids are the demo's own uuids from the database, quoted above: no input reaches this SQL. */
	char *sql = xasprintf("UPDATE alert SET ack_due_at = ? WHERE status = 'open' AND id IN (%s)", late->data);
	enum db_status rc = db_run(conn, NULL, sql, "i", now - 3600000);
	free(sql);
	return rc == DB_OK ? alerts_escalate(conn, now, escalated_r) : rc;
}

/* Officers' own alerts on a few cases with an officer, spread over the caseload. */
static enum db_status officer_alerts(db *conn, int64_t now, struct demo_compliance_counts *n)
{
	char cases[6][UUID_STR_LEN], officers[6][UUID_STR_LEN];
	int count = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, officer_id FROM case_file WHERE status = 'open' AND officer_id IS NOT NULL ORDER BY number", "");
	for (long i = 0; rc == DB_OK && (rc = db_step(st)) == DB_ROW; i++) {
		if (i % 29 == 7 && count < 6) {
			copy(cases[count], UUID_STR_LEN, db_column_text(st, 0, NULL));
			copy(officers[count++], UUID_STR_LEN, db_column_text(st, 1, NULL));
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc;
	rc = DB_OK;
	for (int i = 0; rc == DB_OK && i < count; i++) {
		char *evidence = NULL;
		if (observations[i].note) {
			struct buf e = {0};
			buf_puts(&e, "{\"note\":");
			buf_json_string(&e, observations[i].note);
			buf_putc(&e, '}');
			evidence = buf_steal(&e);
		}
		struct alert_new an = {.case_id = cases[i], .source = "officer", .severity = observations[i].severity,
		                       .summary = observations[i].summary, .evidence = evidence, .raised_by = officers[i]};
		char id[UUID_STR_LEN];
		bool created = false;
		rc = alert_raise(conn, &an, now, id, &created);
		free(evidence);
		if (rc == DB_OK && i % 3 == 1)
			rc = alert_acknowledge(conn, id, officers[i], now);
		if (rc == DB_DONE)
			rc = DB_OK;
	}
	return rc;
}

enum db_status demo_alerts(db *conn, int64_t now, struct demo_compliance_counts *n)
{
	struct demo_open_alert *list = NULL;
	size_t count = 0;
	enum db_status rc = open_alerts(conn, &list, &count);
	struct rule_counter counters[32];
	size_t ncounters = 0;
	struct buf late = {0};
	for (size_t i = 0; rc == DB_OK && i < count; i++)
		rc = work_one(conn, &list[i], next_of(counters, &ncounters, list[i].rule[0] ? list[i].rule : "officer"), now,
		              n, &late);
	free(list);
	long escalated = 0, again = 0;
	if (rc == DB_OK)
		rc = escalate(conn, &late, now, &escalated);
	/* A few of those still not acknowledged a day on: on to the head above. */
	if (rc == DB_OK && late.len) {
		struct buf some = {0};
		const char *p = late.data;
		for (int i = 0; p && *p; i++) {
			const char *end = strchr(p, ',');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			if (i % 4 == 0) {
				if (some.len)
					buf_putc(&some, ',');
				buf_append(&some, p, len);
			}
			p = end ? end + 1 : NULL;
		}
		rc = escalate(conn, &some, now, &again);
		buf_free(&some);
	}
	buf_free(&late);
	n->escalated = escalated;
	if (rc == DB_OK)
		rc = officer_alerts(conn, now, n);
	if (rc == DB_OK) {
		char detail[200];
		snprintf(detail, sizeof detail,
		         "demo alert work: %ld acknowledged, %ld dismissed, %ld verified as tasks, %ld escalated (%ld twice)",
		         n->alerts_acknowledged, n->alerts_dismissed, n->tasks, escalated, again);
		struct audit_entry e = {.actor_login = "kadam demo (command line)", .action = AUDIT_ALTER,
		                        .record_type = "alert", .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
		rc = audit_append(conn, &e);
	}
	return rc;
}
