/*
 * responses.c (demo) — responses and complaints as officers would have
 * recorded them: recognitions of progress on open cases whose contacts were
 * nearly all attended, warnings (and for repeated failures a formal warning
 * or more frequent contact) on cases with failed contacts, none of them tied
 * to a breach; and about ten complaints across the register's states (open,
 * one overdue, answered, withdrawn). Deterministic: the cases are taken in
 * the order of their numbers, the texts are synthetic.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "demo/demo.h"
#include "domain/casefile.h"
#include "domain/conditions.h"
#include "domain/keydates.h"
#include "domain/pretrial.h"
#include "domain/responses.h"

#define DEMO_DAY_MS 86400000LL
#define MAX_POSITIVE 40
#define MAX_NEGATIVE 40
#define COMPLAINTS 10

struct demo_row {
	char case_id[UUID_STR_LEN], officer_id[UUID_STR_LEN], unit_id[UUID_STR_LEN], person_id[UUID_STR_LEN];
	char opened_on[11], last_bad[11];
	long good, bad;
};

static const char *const positive_reasons[] = {
	"Attended every appointment on time over the last months and kept the conditions.",
	"Completed the vocational course and started regular work; contacts all attended.",
	"Kept every reporting appointment and took part in the support programme as agreed.",
};
static const char *const warning_reasons[] = {
	"Did not attend a scheduled appointment and did not tell the officer in advance.",
	"Missed an appointment without an acceptable reason; the duty to report was explained again.",
	"Was absent from a home visit without notice; the conditions were explained again.",
};

static void day_iso(int64_t day, char out[11])
{
	struct civil_date epoch;
	civil_date_parse("1970-01-01", &epoch);
	civil_date_format(civil_date_add_days(epoch, (int)day), out);
}

static int64_t iso_day(const char *iso)
{
	struct civil_date d, epoch;
	civil_date_parse("1970-01-01", &epoch);
	if (!iso || !civil_date_parse(iso, &d))
		return 0;
	int64_t n = 0;
	/* Days between the epoch and d, by steps of a year then of a day (dates are within a few decades). */
	while (civil_date_compare(civil_date_add_days(epoch, (int)(n + 365)), d) <= 0)
		n += 365;
	while (civil_date_compare(civil_date_add_days(epoch, (int)(n + 1)), d) <= 0)
		n++;
	return n;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* The open, allocated cases with their contacts counted, in the order of their numbers. */
static enum db_status load_cases(db *conn, struct demo_row **rows_r, size_t *n_r)
{
	*rows_r = NULL;
	*n_r = 0;
	size_t cap = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT c.id, c.officer_id, c.unit_id, c.person_id, c.opened_on,"
		" COUNT(CASE WHEN k.outcome = 'attended_complied' THEN 1 END),"
		" COUNT(CASE WHEN k.outcome IN ('failed_to_attend', 'unacceptable_absence', 'attended_failed_to_comply')"
		"  THEN 1 END),"
		" MAX(CASE WHEN k.outcome IN ('failed_to_attend', 'unacceptable_absence', 'attended_failed_to_comply')"
		"  THEN k.happened_local END)"
		" FROM case_file c LEFT JOIN contact k ON k.case_id = c.id"
		" WHERE c.status = 'open' AND c.officer_id IS NOT NULL"
		" GROUP BY c.id, c.officer_id, c.unit_id, c.person_id, c.opened_on, c.number ORDER BY c.number", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*rows_r = xgrow(*rows_r, &cap, *n_r, sizeof **rows_r);
		struct demo_row *r = &(*rows_r)[(*n_r)++];
		memset(r, 0, sizeof *r);
		copy(r->case_id, sizeof r->case_id, db_column_text(st, 0, NULL));
		copy(r->officer_id, sizeof r->officer_id, db_column_text(st, 1, NULL));
		copy(r->unit_id, sizeof r->unit_id, db_column_text(st, 2, NULL));
		copy(r->person_id, sizeof r->person_id, db_column_text(st, 3, NULL));
		copy(r->opened_on, sizeof r->opened_on, db_column_text(st, 4, NULL));
		r->good = (long)db_column_int64(st, 5);
		r->bad = (long)db_column_int64(st, 6);
		const char *last = db_column_text(st, 7, NULL);
		copy(r->last_bad, sizeof r->last_bad, last ? last : ""); /* the date part of "YYYY-MM-DDTHH:MM" */
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

static enum db_status give(db *conn, const struct demo_row *c, const char *code, int64_t day, const char *reasons,
                           const char *detail, int64_t now)
{
	char on[11], id[UUID_STR_LEN];
	int64_t opened = iso_day(c->opened_on);
	day_iso(day < opened ? opened : day, on);
	struct response_new r = {.case_id = c->case_id, .code = code, .given_on = on, .given_by = c->officer_id,
	                         .reasons = reasons, .detail = detail};
	return response_record(conn, &r, now, id);
}

static enum db_status responses(db *conn, const struct demo_row *rows, size_t n, int64_t today, int64_t now,
                                struct demo_compliance_counts *counts)
{
	enum db_status rc = DB_OK;
	long positives = 0, negatives = 0;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		const struct demo_row *c = &rows[i];
		if (c->bad == 0 && c->good >= 4 && positives < MAX_POSITIVE) {
			rc = give(conn, c, "positive_progress", today - 3 - (int64_t)(positives % 40),
			          positive_reasons[positives % 3], NULL, now);
			counts->responses_positive++;
			if (rc == DB_OK && positives % 3 == 0) {
				rc = give(conn, c, "reduced_reporting", today - 1 - (int64_t)(positives % 20),
				          "Steady compliance: reporting reduced from weekly to every two weeks.",
				          "New reporting schedule handed over at the office.", now);
				counts->responses_positive++;
			}
			positives++;
		} else if (c->bad > 0 && c->last_bad[0] && negatives < MAX_NEGATIVE) {
			char last[11];
			copy(last, sizeof last, c->last_bad);
			int64_t after = iso_day(last) + 1;
			if (after > today)
				after = today;
			rc = give(conn, c, "warning", after, warning_reasons[negatives % 3],
			          "The consequences of further absences and the right to complain were explained.", now);
			counts->responses_negative++;
			if (rc == DB_OK && c->bad >= 2) {
				int64_t later = after + 7 > today ? today : after + 7;
				rc = give(conn, c, negatives % 2 ? "increased_contact" : "formal_warning", later,
				          "A further absence after the warning; contacts to be more frequent for two months.",
				          NULL, now);
				counts->responses_negative++;
			}
			negatives++;
		}
	}
	return rc;
}

/* What each demo complaint is: days since it was received, its state, what it is about. */
struct demo_complaint {
	int received_ago;
	const char *status; /* open, answered, withdrawn */
	const char *channel, *about, *summary, *answer;
};

static const struct demo_complaint complaints[COMPLAINTS] = {
	{2, "open", "letter", "officer_conduct", "Says an appointment was moved without being told in time.", NULL},
	{5, "open", "in_person", "conditions", "Asks why the curfew hours do not allow evening shift work.", NULL},
	{9, "open", "representative", "decision", "The defender questions how the reporting frequency was set.", NULL},
	{20, "open", "phone", "data", "Asks to see what the case file records about their employment.", NULL},
	{40, "answered", "letter", "officer_conduct", "Complains that a home visit came early in the morning.",
	 "Answered in writing: visits are announced; the visiting hours were explained and respected since."},
	{33, "answered", "email", "conditions", "Asks to change the reporting day because of new work hours.",
	 "Answered: the reporting day was moved to Saturday from the next week."},
	{27, "answered", "in_person", "breach", "Disagrees with a recorded absence: was at hospital that day.",
	 "Answered: the medical certificate was accepted and the absence recorded as acceptable."},
	{18, "answered", "representative", "other", "Asks for the letters in Kyrgyz rather than Russian.",
	 "Answered: letters are now printed in Kyrgyz; the preference is recorded."},
	{24, "withdrawn", "phone", "officer_conduct", "Complained about waiting time at the office.",
	 "Withdrawn by the person at the next appointment: the matter was resolved in conversation."},
	{12, "withdrawn", "letter", "data", "Asked who had read the case file.",
	 "Withdrawn: the person received the explanation they wanted in person."},
};

static enum db_status complaint_add(db *conn, const struct demo_row *c, const struct demo_complaint *d,
                                    int64_t today, long days, int64_t now)
{
	char id[UUID_STR_LEN], received[11], due[11], answered[11], lang[3];
	uuid_v7(id);
	int64_t got = today - d->received_ago;
	int64_t opened = iso_day(c->opened_on);
	if (got < opened)
		got = opened;
	day_iso(got, received);
	day_iso(got + days, due);
	int64_t ans = got + (strcmp(d->status, "withdrawn") == 0 ? 3 : 7);
	day_iso(ans > today ? today : ans, answered);
	enum db_status rc = condition_person_language(conn, c->person_id, lang);
	bool open = strcmp(d->status, "open") == 0, withdrawn = strcmp(d->status, "withdrawn") == 0;
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
		            "INSERT INTO complaint (id, person_id, case_id, unit_id, received_on, channel, about, summary,"
		            " language, answer_due_on, status, answer, withdraw_reason, answered_on, answered_by, created_at,"
		            " created_by, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		            "ttttttttttttttti" "tii", id, c->person_id, c->case_id, c->unit_id, received, d->channel, d->about,
		            d->summary, lang, due, d->status, withdrawn ? NULL : d->answer, withdrawn ? d->answer : NULL,
		            open ? NULL : answered,
		            open ? NULL : c->officer_id, now, c->officer_id, now, (int64_t)(open ? 1 : 2));
	char detail[160];
	snprintf(detail, sizeof detail, "{\"complaint_id\":\"%s\",\"about\":\"%s\",\"channel\":\"%s\"}", id, d->about,
	         d->channel);
	char summary[80];
	snprintf(summary, sizeof summary, "Complaint received (about: %s)", d->about);
	if (rc == DB_OK)
		rc = case_event_add(conn, c->case_id, now, "complaint.received", c->officer_id, summary, detail, "complaint",
		                    id);
	if (rc == DB_OK && !open) {
		snprintf(detail, sizeof detail, "{\"complaint_id\":\"%s\",\"about\":\"%s\"}", id, d->about);
		snprintf(summary, sizeof summary, "Complaint %s (about: %s)", d->status, d->about);
		char kind[32];
		snprintf(kind, sizeof kind, "complaint.%s", d->status);
		rc = case_event_add(conn, c->case_id, now, kind, c->officer_id, summary, detail, "complaint", id);
	}
	return rc;
}

enum db_status demo_responses(db *conn, int64_t now, struct demo_compliance_counts *n)
{
	struct demo_row *rows = NULL;
	size_t count = 0;
	long days = 14;
	int64_t today = now / DEMO_DAY_MS;
	enum db_status rc = load_cases(conn, &rows, &count);
	if (rc == DB_OK)
		rc = responses(conn, rows, count, today, now, n);
	if (rc == DB_OK)
		rc = setting_number(conn, "complaints.answer_days", &days);
	/* Complaints on every seventh case, from the third on: spread over the units and officers. */
	for (size_t k = 0, i = 2; rc == DB_OK && k < COMPLAINTS && i < count; k++, i += 7) {
		rc = complaint_add(conn, &rows[i], &complaints[k], today, days, now);
		if (rc == DB_OK)
			n->complaints++;
	}
	free(rows);
	return rc;
}
