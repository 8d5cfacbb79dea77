/*
 * reassessment.c — when a case is to be reassessed: by interval (the
 * instrument's, or the supervision level's when shorter; counted from the
 * level's start while the case has no completed assessment) and after
 * triggers (a verified breach, a release, a new address or work, a note of
 * new information, an officer's own). A trigger raises its alert and task
 * through the compliance engine (rules_on_trigger); the next assessment
 * countersigned resolves the triggers before it and closes the reminders. The
 * level a countersigned judgement suggests comes from level_suggestion; the
 * officer still decides (S5, S14).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "domain/alert_steps.h"
#include "domain/alerts.h"
#include "domain/assessment.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "engine/rules.h"

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* ---- triggers ------------------------------------------------------------------------------ */

/* The id of the trigger recorded before for (case, kind, record); id_r "" when none. */
static enum db_status trigger_find(db *conn, const struct trigger_new *t, char id_r[UUID_STR_LEN])
{
	id_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id FROM reassessment_trigger WHERE case_id = ? AND kind = ? AND record_type = ? AND record_id = ?",
		"tttt", t->case_id, t->kind, t->record_type, t->record_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW)
		copy(id_r, UUID_STR_LEN, db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

enum db_status reassessment_trigger_add(db *conn, const struct trigger_new *t, int64_t now,
                                        char id_r[UUID_STR_LEN], bool *created_r)
{
	*created_r = false;
	id_r[0] = '\0';
	bool keyed = t->record_type && t->record_id;
	enum db_status rc;
	if (keyed && ((rc = trigger_find(conn, t, id_r)) != DB_OK || id_r[0]))
		return rc;
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t changed = 0;
	/* ON CONFLICT: a concurrent request recorded the same one first. */
	rc = db_run(conn, &changed,
	            "INSERT INTO reassessment_trigger (id, case_id, kind, occurred_on, summary, record_type, record_id,"
	            " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
	            "tttttttti", id, t->case_id, t->kind, t->occurred_on, t->summary, keyed ? t->record_type : NULL,
	            keyed ? t->record_id : NULL, t->recorded_by, now);
	if (rc != DB_OK)
		return rc;
	if (changed != 1)
		return keyed ? trigger_find(conn, t, id_r) : DB_ERROR;
	struct buf detail = {0};
	buf_puts(&detail, "{\"trigger_id\":");
	buf_json_string(&detail, id);
	buf_puts(&detail, ",\"kind\":");
	buf_json_string(&detail, t->kind);
	buf_puts(&detail, ",\"occurred_on\":");
	buf_json_string(&detail, t->occurred_on);
	buf_puts(&detail, ",\"record_type\":");
	buf_json_string(&detail, keyed ? t->record_type : NULL);
	buf_puts(&detail, ",\"record_id\":");
	buf_json_string(&detail, keyed ? t->record_id : NULL);
	buf_putc(&detail, '}');
	char summary[120];
	snprintf(summary, sizeof summary, "Reassessment called for (%s)", t->kind);
	rc = case_event_add(conn, t->case_id, now, "reassessment.triggered", t->recorded_by, summary, detail.data,
	                    "reassessment_trigger", id);
	buf_free(&detail);
	if (rc != DB_OK)
		return rc;
	if (!t->caller_logs) {
		char what[80];
		snprintf(what, sizeof what, "trigger %s on case %s", t->kind, t->case_id);
		struct audit_entry e = {.actor_id = t->recorded_by,
		                        .actor_login = t->recorded_by ? NULL : "kadam (compliance rules)",
		                        .action = AUDIT_COLLECT, .record_type = "reassessment_trigger", .record_id = id,
		                        .outcome = AUDIT_OUTCOME_SUCCESS, .detail = what};
		if (audit_append(conn, &e) != DB_OK)
			return DB_ERROR;
	}
	if ((rc = rules_on_trigger(conn, id, now)) != DB_OK)
		return rc;
	copy(id_r, UUID_STR_LEN, id);
	*created_r = true;
	return DB_OK;
}

enum db_status reassessment_trigger_person(db *conn, const char *person_id, const struct trigger_new *t,
                                           int64_t now, json_t *created_ids)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id FROM case_file WHERE person_id = ? AND status = 'open' ORDER BY id", "t", person_id);
	if (rc != DB_OK)
		return rc;
	char (*cases)[UUID_STR_LEN] = NULL;
	size_t n = 0, cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		cases = xgrow(cases, &cap, n, sizeof *cases);
		copy(cases[n++], UUID_STR_LEN, db_column_text(st, 0, NULL));
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(cases);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	rc = DB_OK;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		struct trigger_new one = *t;
		one.case_id = cases[i];
		char id[UUID_STR_LEN];
		bool created = false;
		rc = reassessment_trigger_add(conn, &one, now, id, &created);
		if (rc == DB_OK && created && created_ids)
			json_array_append_new(created_ids, json_pack("{s:s, s:s}", "id", id, "case_id", cases[i]));
	}
	free(cases);
	return rc;
}

/* ---- due dates ----------------------------------------------------------------------------- */

enum db_status reassessment_due_case(db *conn, const char *case_id, struct reassessment_due **due_r, size_t *n_r)
{
	*due_r = NULL;
	*n_r = 0;
	/* The current level: the case's latest row (none: the instruments' intervals alone). */
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT l.effective_from, r.reassessment_days FROM case_supervision_level l"
		" JOIN ref_supervision_level r ON r.code = l.level WHERE l.case_id = ?"
		" ORDER BY l.set_at DESC, l.id DESC LIMIT 1", "t", case_id);
	if (rc != DB_OK)
		return rc;
	char level_from[11] = "";
	int level_days = 0;
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy(level_from, sizeof level_from, db_column_text(st, 0, NULL));
		level_days = (int)db_column_int64(st, 1);
	}
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	bool has_level = rc == DB_ROW;
	/* The latest submitted or countersigned assessment per instrument code, with the current version's interval
	   (the assessment's own version's when the code has no current one). */
	rc = db_query(conn, &st,
		"SELECT i.code, a.id, a.assessed_on, COALESCE(ic.reassessment_days, i.reassessment_days)"
		" FROM assessment a JOIN instrument i ON i.id = a.instrument_id"
		" LEFT JOIN instrument ic ON ic.code = i.code AND ic.is_current = 1"
		" WHERE a.case_id = ? AND a.status IN ('submitted', 'countersigned') AND a.assessed_on IS NOT NULL"
		" ORDER BY i.code, a.assessed_on DESC, a.submitted_at DESC, a.id DESC", "t", case_id);
	if (rc != DB_OK)
		return rc;
	struct reassessment_due *due = NULL;
	size_t n = 0, cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *code = db_column_text(st, 0, NULL);
		if (n > 0 && strcmp(due[n - 1].instrument_code, code ? code : "") == 0)
			continue; /* an older one of the same instrument */
		due = xgrow(due, &cap, n, sizeof *due);
		struct reassessment_due *d = &due[n++];
		memset(d, 0, sizeof *d);
		copy(d->instrument_code, sizeof d->instrument_code, code);
		copy(d->assessment_id, sizeof d->assessment_id, db_column_text(st, 1, NULL));
		copy(d->last_on, sizeof d->last_on, db_column_text(st, 2, NULL));
		int instrument_days = (int)db_column_int64(st, 3);
		if (level_days > 0 && level_days < instrument_days) {
			d->interval_days = level_days;
			d->basis = "level";
		} else {
			d->interval_days = instrument_days;
			d->basis = "instrument";
		}
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(due);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	if (n == 0 && !has_level)
		return DB_OK; /* neither a level nor a completed assessment: nothing is due */
	if (n == 0) {
		due = xgrow(due, &cap, n, sizeof *due);
		memset(&due[0], 0, sizeof due[0]);
		due[0].interval_days = level_days;
		due[0].basis = "no_assessment";
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		struct reassessment_due *d = &due[i];
		struct civil_date from;
		if (!civil_date_parse(d->last_on[0] ? d->last_on : level_from, &from)) {
			free(due);
			return DB_MISUSE;
		}
		civil_date_format(civil_date_add_days(from, d->interval_days), d->due_on);
	}
	/* Earliest first. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(due[j].due_on, due[j - 1].due_on) < 0; j--) {
			struct reassessment_due tmp = due[j];
			due[j] = due[j - 1];
			due[j - 1] = tmp;
		}
	*due_r = due;
	*n_r = n;
	return DB_OK;
}

/* ---- the suggested level ------------------------------------------------------------------- */

enum db_status assessment_level_suggestion(db *conn, const char *case_id, struct level_suggested *s)
{
	memset(s, 0, sizeof *s);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT a.id, a.instrument_id, i.code, a.judgement, a.assessed_on, ls.level"
		" FROM assessment a JOIN instrument i ON i.id = a.instrument_id"
		" LEFT JOIN level_suggestion ls ON ls.instrument_code = i.code AND ls.judgement = a.judgement"
		" WHERE a.case_id = ? AND a.status = 'countersigned'"
		" ORDER BY a.assessed_on DESC, a.countersigned_at DESC, a.id DESC LIMIT 1", "t", case_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW && db_column_text(st, 5, NULL)) {
		s->found = true;
		copy(s->assessment_id, sizeof s->assessment_id, db_column_text(st, 0, NULL));
		copy(s->instrument_id, sizeof s->instrument_id, db_column_text(st, 1, NULL));
		copy(s->instrument_code, sizeof s->instrument_code, db_column_text(st, 2, NULL));
		copy(s->judgement, sizeof s->judgement, db_column_text(st, 3, NULL));
		copy(s->assessed_on, sizeof s->assessed_on, db_column_text(st, 4, NULL));
		copy(s->level, sizeof s->level, db_column_text(st, 5, NULL));
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* ---- closing the reminders on countersignature -------------------------------------------- */

/* An open reminder (an alert of a reassessment.* rule) read before any is changed. */
struct reminder {
	char id[UUID_STR_LEN];
	char rule[48];
	char key[200];
	char evidence_instrument[INSTRUMENT_CODE_LEN]; /* "" when the alert counted from the level */
	bool open;                                     /* open or acknowledged */
};

static enum db_status reminders_read(db *conn, const char *case_id, struct reminder **list_r, size_t *n_r)
{
	*list_r = NULL;
	*n_r = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, rule_code, dedupe_key, evidence, status FROM alert WHERE case_id = ?"
		" AND rule_code IN ('reassessment.due', 'reassessment.overdue', 'reassessment.triggered')"
		" AND (status IN ('open', 'acknowledged') OR EXISTS (SELECT 1 FROM task t WHERE t.source_alert_id = alert.id"
		" AND t.status = 'open'))", "t", case_id);
	if (rc != DB_OK)
		return rc;
	struct reminder *list = NULL;
	size_t n = 0, cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		list = xgrow(list, &cap, n, sizeof *list);
		struct reminder *r = &list[n++];
		memset(r, 0, sizeof *r);
		copy(r->id, sizeof r->id, db_column_text(st, 0, NULL));
		copy(r->rule, sizeof r->rule, db_column_text(st, 1, NULL));
		copy(r->key, sizeof r->key, db_column_text(st, 2, NULL));
		json_t *ev = json_loads(db_column_text(st, 3, NULL) ? db_column_text(st, 3, NULL) : "{}", 0, NULL);
		copy(r->evidence_instrument, sizeof r->evidence_instrument, json_string_value(json_object_get(ev,
		     "instrument")));
		json_decref(ev);
		const char *status = db_column_text(st, 4, NULL);
		r->open = status && (strcmp(status, "open") == 0 || strcmp(status, "acknowledged") == 0);
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(list);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	*list_r = list;
	*n_r = n;
	return DB_OK;
}

/* True when the trigger named by a reassessment.triggered key was resolved. */
static enum db_status trigger_resolved(db *conn, const char *key, bool *resolved_r)
{
	*resolved_r = false;
	const char *prefix = "reassessment.triggered:";
	if (strncmp(key, prefix, strlen(prefix)) != 0)
		return DB_OK;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT resolved_at FROM reassessment_trigger WHERE id = ?", "t",
	                             key + strlen(prefix));
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW)
		*resolved_r = db_column_type(st, 0) != DB_TYPE_NULL;
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* Logs a change the countersignature made to a record (a reminder's task or alert). */
static enum db_status log_change(db *conn, const char *actor_id, const char *record_type, const char *record_id,
                                 const char *detail)
{
	struct audit_entry e = {.actor_id = actor_id, .actor_login = actor_id ? NULL : "kadam",
	                        .action = AUDIT_ALTER, .record_type = record_type, .record_id = record_id,
	                        .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
	return audit_append(conn, &e) == DB_OK ? DB_OK : DB_ERROR;
}

/* Closes one reminder: every open task it opened done, the alert (when still open) verified with its task. */
static enum db_status reminder_close(db *conn, const char *case_id, const struct reminder *r, const char *note,
                                    const char *assessment_id, const char *actor_id, int64_t now)
{
	/* The tasks it opened (the first is the one the alert is verified with), read before any is changed. */
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, status FROM task WHERE source_alert_id = ? ORDER BY created_at, id", "t", r->id);
	if (rc != DB_OK)
		return rc;
	struct task_ref {
		char id[UUID_STR_LEN];
		bool open;
	} *tasks = NULL;
	size_t ntasks = 0, cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		tasks = xgrow(tasks, &cap, ntasks, sizeof *tasks);
		copy(tasks[ntasks].id, UUID_STR_LEN, db_column_text(st, 0, NULL));
		const char *status = db_column_text(st, 1, NULL);
		tasks[ntasks++].open = status && strcmp(status, "open") == 0;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		free(tasks);
		return rc == DB_ROW ? DB_ERROR : rc;
	}
	rc = DB_OK;
	for (size_t i = 0; i < ntasks && rc == DB_OK; i++) {
		if (!tasks[i].open)
			continue;
		int64_t changed = 0;
		rc = db_run(conn, &changed,
		            "UPDATE task SET status = 'done', closed_at = ?, closed_by = ?, close_note = ?,"
		            " version = version + 1 WHERE id = ? AND status = 'open'",
		            "itt" "t", now, actor_id, note, tasks[i].id);
		if (rc != DB_OK || changed != 1)
			continue;
		struct buf detail = {0};
		buf_puts(&detail, "{\"task_id\":");
		buf_json_string(&detail, tasks[i].id);
		buf_puts(&detail, ",\"fields\":[\"status\"],\"assessment_id\":");
		buf_json_string(&detail, assessment_id);
		buf_putc(&detail, '}');
		rc = case_event_add(conn, case_id, now, "task.done", actor_id,
		                    "Task done: the reassessment was countersigned", detail.data, "task", tasks[i].id);
		buf_free(&detail);
		if (rc == DB_OK)
			rc = log_change(conn, actor_id, "task", tasks[i].id, "done: reassessment countersigned");
	}
	if (rc == DB_OK && r->open) {
		rc = alert_verify_existing_task_if(conn, r->id, ALERT_ANY_VERSION, actor_id, note,
		                                   ntasks ? tasks[0].id : NULL, now);
		if (rc == DB_OK)
			rc = log_change(conn, actor_id, "alert", r->id, "verified: reassessment countersigned");
		else if (rc == DB_DONE)
			rc = DB_OK; /* closed since it was read */
	}
	free(tasks);
	return rc;
}

enum db_status assessment_resolve_reminders(db *conn, const char *case_id, const char *assessment_id,
                                            const char *actor_id, int64_t now)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT a.assessed_on, i.code FROM assessment a JOIN instrument i ON i.id = a.instrument_id"
		" WHERE a.id = ? AND a.case_id = ?", "tt", assessment_id, case_id);
	if (rc != DB_OK)
		return rc;
	char assessed_on[11] = "", code[INSTRUMENT_CODE_LEN] = "";
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy(assessed_on, sizeof assessed_on, db_column_text(st, 0, NULL));
		copy(code, sizeof code, db_column_text(st, 1, NULL));
	}
	db_finalize(&st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_MISUSE : rc;
	if (!assessed_on[0])
		return DB_MISUSE;
	rc = db_run(conn, NULL,
	            "UPDATE reassessment_trigger SET resolved_by = ?, resolved_at = ?"
	            " WHERE case_id = ? AND resolved_at IS NULL AND occurred_on <= ?",
	            "tit" "t", assessment_id, now, case_id, assessed_on);
	if (rc != DB_OK)
		return rc;
	struct reminder *list = NULL;
	size_t n = 0;
	if ((rc = reminders_read(conn, case_id, &list, &n)) != DB_OK)
		return rc;
	char note[160];
	snprintf(note, sizeof note, "Reassessment %s (%s, assessed on %s) countersigned", assessment_id, code,
	         assessed_on);
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		const struct reminder *r = &list[i];
		bool close;
		if (strcmp(r->rule, "reassessment.triggered") == 0)
			rc = trigger_resolved(conn, r->key, &close);
		else /* due or overdue: counted from the level (any instrument answers it), or from this instrument's */
			close = !r->evidence_instrument[0] || strcmp(r->evidence_instrument, code) == 0;
		if (rc == DB_OK && close)
			rc = reminder_close(conn, case_id, r, note, assessment_id, actor_id, now);
	}
	free(list);
	return rc;
}
