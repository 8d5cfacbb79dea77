/*
 * alerts.c — raising alerts, their lifecycle (alert_steps.h), tasks and the
 * escalation of alerts nobody acknowledged in time. An alert is a signal a
 * person verifies (S6, S25); escalation only moves who must look at it, never
 * the measure (S7).
 */
#include "domain/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "domain/alert_steps.h"
#include "domain/casefile.h"

/* The first active unit head of unit_id, or "" (head_r). */
static enum db_status unit_head_of(db *conn, const char *unit_id, char head_r[UUID_STR_LEN])
{
	head_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
	                             "SELECT a.id FROM account a JOIN account_role r ON r.account_id = a.id"
	                             " WHERE r.role = 'unit_head' AND a.unit_id = ? AND a.status = 'active'"
	                             " ORDER BY a.created_at, a.id LIMIT 1",
	                             "t", unit_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *id = db_column_text(st, 0, NULL);
		snprintf(head_r, UUID_STR_LEN, "%s", id ? id : "");
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

enum db_status alert_raise(db *conn, const struct alert_new *a, int64_t now, char id_r[UUID_STR_LEN],
                           bool *created_r)
{
	*created_r = false;
	id_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc;
	if (a->dedupe_key) {
		rc = db_query(conn, &st, "SELECT id FROM alert WHERE dedupe_key = ?", "t", a->dedupe_key);
		if (rc != DB_OK)
			return rc;
		rc = db_step(st);
		if (rc == DB_ROW)
			snprintf(id_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
		db_finalize(&st);
		if (rc == DB_ROW)
			return DB_OK;
		if (rc != DB_DONE)
			return rc;
	}
	/* The case's unit and officer, and the rule's severity and escalation time. */
	char unit[UUID_STR_LEN] = "", officer[UUID_STR_LEN] = "", severity[16] = "medium";
	long escalate_hours = ALERT_OFFICER_ESCALATE_HOURS;
	rc = db_query(conn, &st, "SELECT unit_id, officer_id FROM case_file WHERE id = ?", "t", a->case_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *o = db_column_text(st, 1, NULL);
		snprintf(unit, sizeof unit, "%s", db_column_text(st, 0, NULL));
		snprintf(officer, sizeof officer, "%s", o ? o : "");
	}
	db_finalize(&st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_CONSTRAINT : rc;
	if (a->rule_code) {
		rc = db_query(conn, &st, "SELECT severity, escalate_after_hours FROM compliance_rule WHERE code = ?", "t",
		              a->rule_code);
		if (rc != DB_OK)
			return rc;
		rc = db_step(st);
		if (rc == DB_ROW) {
			snprintf(severity, sizeof severity, "%s", db_column_text(st, 0, NULL));
			escalate_hours = (long)db_column_int64(st, 1);
		}
		db_finalize(&st);
		if (rc != DB_ROW)
			return rc == DB_DONE ? DB_CONSTRAINT : rc;
	}
	if (a->severity)
		snprintf(severity, sizeof severity, "%s", a->severity);
	char assignee[UUID_STR_LEN];
	snprintf(assignee, sizeof assignee, "%s", officer);
	if (!assignee[0] && (rc = unit_head_of(conn, unit, assignee)) != DB_OK)
		return rc;

	char id[UUID_STR_LEN], event[UUID_STR_LEN];
	uuid_v7(id);
	uuid_v7(event);
	const char *evidence = a->evidence ? a->evidence : "{}";
	rc = db_run(conn, NULL,
	            "INSERT INTO alert (id, case_id, unit_id, rule_code, source, severity, dedupe_key, summary, evidence,"
	            " due_on, status, assigned_to, raised_at, raised_by, ack_due_at)"
	            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)",
	            "tttttttttttiti", id, a->case_id, unit, a->rule_code, a->source, severity, a->dedupe_key, a->summary,
	            evidence, a->due_on, assignee[0] ? assignee : NULL, now, a->raised_by,
	            now + (int64_t)escalate_hours * 3600000);
	if (rc != DB_OK)
		return rc;
	rc = db_run(conn, NULL,
	            "INSERT INTO alert_event (id, alert_id, at, actor_id, action, detail) VALUES (?, ?, ?, ?, 'raised', ?)",
	            "ttitt", event, id, now, a->raised_by, evidence);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_puts(&detail, "{\"rule\":");
	buf_json_string(&detail, a->rule_code);
	buf_puts(&detail, ",\"source\":");
	buf_json_string(&detail, a->source);
	buf_puts(&detail, ",\"severity\":");
	buf_json_string(&detail, severity);
	buf_puts(&detail, "}");
	char summary[160];
	snprintf(summary, sizeof summary, "Alert raised (%s)", a->rule_code ? a->rule_code : a->source);
	rc = case_event_add(conn, a->case_id, now, "alert.raised", a->raised_by, summary, detail.data, "alert", id);
	buf_free(&detail);
	if (rc != DB_OK)
		return rc;
	struct audit_entry e = {.actor_id = a->raised_by,
	                        .actor_login = a->raised_by ? NULL : "kadam (compliance rules)",
	                        .action = AUDIT_COLLECT, .record_type = "alert", .record_id = id,
	                        .outcome = AUDIT_OUTCOME_SUCCESS,
	                        .detail = a->rule_code ? a->rule_code : a->source};
	if (audit_append(conn, &e) != DB_OK)
		return DB_ERROR;
	snprintf(id_r, UUID_STR_LEN, "%s", id);
	*created_r = true;
	return DB_OK;
}

/* ---- the lifecycle ------------------------------------------------------------------------ */

/* The If-Match guard of a step's UPDATE (two parameters, the version twice; ALERT_ANY_VERSION: none). */
#define VERSION_GUARD " AND (? = 0 OR version = ?)"

/* What a step needs to know of an alert. */
struct alert_facts {
	char case_id[UUID_STR_LEN];
	char case_number[40];
	char unit_id[UUID_STR_LEN];     /* the case's unit now */
	char rule_code[64];             /* "" for an officer's alert */
	char assigned_to[UUID_STR_LEN]; /* "" when nobody has it */
	long escalate_hours;            /* the rule's escalate_after_hours */
};

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* Loads an alert's facts; DB_DONE when there is no such alert. */
static enum db_status alert_facts_load(db *conn, const char *id, struct alert_facts *f)
{
	memset(f, 0, sizeof *f);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT al.case_id, c.number, c.unit_id, al.rule_code, al.assigned_to, r.escalate_after_hours"
		" FROM alert al JOIN case_file c ON c.id = al.case_id LEFT JOIN compliance_rule r ON r.code = al.rule_code"
		" WHERE al.id = ?", "t", id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		copy_text(f->case_id, sizeof f->case_id, db_column_text(st, 0, NULL));
		copy_text(f->case_number, sizeof f->case_number, db_column_text(st, 1, NULL));
		copy_text(f->unit_id, sizeof f->unit_id, db_column_text(st, 2, NULL));
		copy_text(f->rule_code, sizeof f->rule_code, db_column_text(st, 3, NULL));
		copy_text(f->assigned_to, sizeof f->assigned_to, db_column_text(st, 4, NULL));
		f->escalate_hours = db_column_type(st, 5) == DB_TYPE_NULL ? ALERT_OFFICER_ESCALATE_HOURS
		                                                          : (long)db_column_int64(st, 5);
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

static enum db_status event_add(db *conn, const char *alert_id, int64_t now, const char *actor_id,
                                const char *action, const char *reason, const char *detail)
{
	char id[UUID_STR_LEN];
	uuid_v7(id);
	return db_run(conn, NULL,
	              "INSERT INTO alert_event (id, alert_id, at, actor_id, action, reason, detail)"
	              " VALUES (?, ?, ?, ?, ?, ?, ?)",
	              "ttitttt", id, alert_id, now, actor_id, action, reason, detail ? detail : "{}");
}

/* The timeline event of a step: codes only (no reasons: they may name people). extra: more members or NULL. */
static enum db_status timeline_add(db *conn, const struct alert_facts *f, const char *alert_id, const char *kind,
                                   const char *actor_id, int64_t now, const char *summary, const char *extra)
{
	struct buf detail = {0};
	buf_puts(&detail, "{\"alert_id\":");
	buf_json_string(&detail, alert_id);
	buf_puts(&detail, ",\"rule\":");
	buf_json_string(&detail, f->rule_code[0] ? f->rule_code : NULL);
	if (extra) {
		buf_putc(&detail, ',');
		buf_puts(&detail, extra);
	}
	buf_putc(&detail, '}');
	enum db_status rc = case_event_add(conn, f->case_id, now, kind, actor_id, summary, detail.data, "alert",
	                                   alert_id);
	buf_free(&detail);
	return rc;
}

static enum db_status notify(db *conn, const char *account_id, const char *kind, const char *subject,
                             const char *alert_id, int64_t now)
{
	char id[UUID_STR_LEN];
	uuid_v7(id);
	return db_run(conn, NULL,
	              "INSERT INTO notification (id, account_id, kind, subject, record_type, record_id, created_at)"
	              " VALUES (?, ?, ?, ?, 'alert', ?, ?)", "ttttti", id, account_id,
	              kind, subject, alert_id, now);
}

enum db_status alert_acknowledge_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                    int64_t now)
{
	struct alert_facts f;
	enum db_status rc = alert_facts_load(conn, alert_id, &f);
	if (rc != DB_OK)
		return rc;
	int64_t changed = 0;
	rc = db_run(conn, &changed,
	            "UPDATE alert SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?,"
	            " version = version + 1 WHERE id = ? AND status = 'open'" VERSION_GUARD, "itt" "ii", now, actor_id,
	            alert_id, version, version);
	if (rc != DB_OK)
		return rc;
	if (changed != 1)
		return DB_DONE;
	rc = event_add(conn, alert_id, now, actor_id, "acknowledged", NULL, NULL);
	if (rc == DB_OK)
		rc = timeline_add(conn, &f, alert_id, "alert.acknowledged", actor_id, now, "Alert acknowledged", NULL);
	return rc;
}

enum db_status alert_assign_if(db *conn, const char *alert_id, int64_t version, const char *assignee_id,
                               const char *actor_id, const char *reason, int64_t now)
{
	struct alert_facts f;
	enum db_status rc = alert_facts_load(conn, alert_id, &f);
	if (rc != DB_OK)
		return rc;
	int64_t changed = 0;
	/* The new assignee gets the rule's full time to acknowledge an open alert before it escalates again. */
	rc = db_run(conn, &changed,
	            "UPDATE alert SET assigned_to = ?, ack_due_at = CASE WHEN status = 'open' THEN ? ELSE ack_due_at END,"
	            " version = version + 1 WHERE id = ? AND status IN ('open', 'acknowledged')" VERSION_GUARD,
	            "tit" "ii", assignee_id, now + (int64_t)f.escalate_hours * 3600000, alert_id, version, version);
	if (rc != DB_OK)
		return rc;
	if (changed != 1)
		return DB_DONE;
	struct buf detail = {0};
	buf_puts(&detail, "{\"from\":");
	buf_json_string(&detail, f.assigned_to[0] ? f.assigned_to : NULL);
	buf_puts(&detail, ",\"to\":");
	buf_json_string(&detail, assignee_id);
	buf_putc(&detail, '}');
	rc = event_add(conn, alert_id, now, actor_id, "assigned", reason, detail.data);
	if (rc == DB_OK) {
		char extra[120];
		snprintf(extra, sizeof extra, "\"to\":\"%s\"", assignee_id);
		rc = timeline_add(conn, &f, alert_id, "alert.assigned", actor_id, now, "Alert assigned", extra);
	}
	buf_free(&detail);
	if (rc == DB_OK && (!actor_id || strcmp(actor_id, assignee_id) != 0)) {
		char *subject = xasprintf("An alert on case %s was assigned to you", f.case_number);
		rc = notify(conn, assignee_id, "alert.assigned", subject, alert_id, now);
		free(subject);
	}
	return rc;
}

enum db_status alert_dismiss_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                const char *reason, int64_t now)
{
	struct alert_facts f;
	enum db_status rc = alert_facts_load(conn, alert_id, &f);
	if (rc != DB_OK)
		return rc;
	int64_t changed = 0;
	rc = db_run(conn, &changed,
	            "UPDATE alert SET status = 'dismissed', closed_at = ?, closed_by = ?, close_reason = ?,"
	            " version = version + 1 WHERE id = ? AND status IN ('open', 'acknowledged')" VERSION_GUARD,
	            "ittt" "ii", now, actor_id, reason, alert_id, version, version);
	if (rc != DB_OK)
		return rc;
	if (changed != 1)
		return DB_DONE;
	rc = event_add(conn, alert_id, now, actor_id, "dismissed", reason, NULL);
	if (rc == DB_OK)
		rc = timeline_add(conn, &f, alert_id, "alert.dismissed", actor_id, now, "Alert dismissed", NULL);
	return rc;
}

enum db_status task_add(db *conn, const struct task_new *t, int64_t now, char id_r[UUID_STR_LEN])
{
	db_stmt *st = NULL;
	char unit[UUID_STR_LEN] = "";
	enum db_status rc = db_query(conn, &st, "SELECT unit_id FROM case_file WHERE id = ?", "t", t->case_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW)
		copy_text(unit, sizeof unit, db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_CONSTRAINT : rc;
	uuid_v7(id_r);
	rc = db_run(conn, NULL,
	            "INSERT INTO task (id, case_id, unit_id, title, detail, due_on, assigned_to, status, source_alert_id,"
	            " created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
	            "tttttttt" "it", id_r, t->case_id, unit, t->title, t->detail, t->due_on, t->assigned_to,
	            t->source_alert_id, now, t->created_by);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_puts(&detail, "{\"task_id\":");
	buf_json_string(&detail, id_r);
	buf_puts(&detail, ",\"source_alert_id\":");
	buf_json_string(&detail, t->source_alert_id);
	buf_puts(&detail, ",\"due_on\":");
	buf_json_string(&detail, t->due_on);
	buf_putc(&detail, '}');
	rc = case_event_add(conn, t->case_id, now, "task.created", t->created_by,
	                    t->source_alert_id ? "Task added from a verified alert" : "Task added", detail.data, "task",
	                    id_r);
	buf_free(&detail);
	return rc;
}

/* The guarded first half of a verification: open | acknowledged -> verified with the outcome. */
static enum db_status verify_begin(db *conn, const char *alert_id, int64_t version, const char *outcome,
                                   const char *actor_id, const char *reasons, int64_t now, struct alert_facts *f)
{
	enum db_status rc = alert_facts_load(conn, alert_id, f);
	if (rc != DB_OK)
		return rc;
	int64_t changed = 0;
	rc = db_run(conn, &changed,
	            "UPDATE alert SET status = 'verified', outcome = ?, closed_at = ?, closed_by = ?, close_reason = ?,"
	            " version = version + 1 WHERE id = ? AND status IN ('open', 'acknowledged')" VERSION_GUARD,
	            "titt" "t" "ii", outcome, now, actor_id, reasons, alert_id, version, version);
	if (rc != DB_OK)
		return rc;
	return changed == 1 ? DB_OK : DB_DONE;
}

/* The second half: the record it became, the event and the timeline. */
static enum db_status verify_end(db *conn, const struct alert_facts *f, const char *alert_id, const char *outcome,
                                 const char *record_id, const char *actor_id, const char *reasons, int64_t now)
{
	bool breach = strcmp(outcome, "breach") == 0;
	enum db_status rc = db_run(conn, NULL,
	                           breach ? "UPDATE alert SET breach_id = ? WHERE id = ?"
	                                  : "UPDATE alert SET task_id = ? WHERE id = ?",
	                           "tt", record_id, alert_id);
	char extra[160];
	if (record_id)
		snprintf(extra, sizeof extra, "\"outcome\":\"%s\",\"%s\":\"%s\"", outcome,
		         breach ? "breach_id" : "task_id", record_id);
	else
		snprintf(extra, sizeof extra, "\"outcome\":\"%s\",\"%s\":null", outcome, breach ? "breach_id" : "task_id");
	if (rc == DB_OK) {
		char detail[170];
		snprintf(detail, sizeof detail, "{%s}", extra);
		rc = event_add(conn, alert_id, now, actor_id, "verified", reasons, detail);
	}
	if (rc == DB_OK)
		rc = timeline_add(conn, f, alert_id, "alert.verified", actor_id, now,
		                  breach ? "Alert verified: a breach allegation was reported" : "Alert verified as a task",
		                  extra);
	return rc;
}

enum db_status alert_verify_task_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                    const char *reasons, const struct task_new *t, int64_t now,
                                    char task_id_r[UUID_STR_LEN])
{
	struct alert_facts f;
	enum db_status rc = verify_begin(conn, alert_id, version, "task", actor_id, reasons, now, &f);
	if (rc != DB_OK)
		return rc;
	struct task_new n = *t;
	n.case_id = f.case_id;
	n.source_alert_id = alert_id;
	rc = task_add(conn, &n, now, task_id_r);
	if (rc == DB_OK)
		rc = verify_end(conn, &f, alert_id, "task", task_id_r, actor_id, reasons, now);
	return rc;
}

enum db_status alert_verify_existing_task_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                             const char *reasons, const char *task_id, int64_t now)
{
	struct alert_facts f;
	enum db_status rc = verify_begin(conn, alert_id, version, "task", actor_id, reasons, now, &f);
	if (rc == DB_OK)
		rc = verify_end(conn, &f, alert_id, "task", task_id, actor_id, reasons, now);
	return rc;
}

enum db_status alert_verify_breach_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                      const char *reasons, const struct breach_new *b, int64_t now,
                                      char breach_id_r[UUID_STR_LEN])
{
	struct alert_facts f;
	enum db_status rc = verify_begin(conn, alert_id, version, "breach", actor_id, reasons, now, &f);
	if (rc != DB_OK)
		return rc;
	struct breach_new n = *b;
	n.case_id = f.case_id;
	n.alert_id = alert_id;
	n.actor_id = actor_id;
	rc = breach_open(conn, &n, now, breach_id_r);
	if (rc == DB_OK)
		rc = verify_end(conn, &f, alert_id, "breach", breach_id_r, actor_id, reasons, now);
	return rc;
}

enum db_status alert_assignee_reaches(db *conn, const char *account_id, const char *unit_id, bool *ok_r)
{
	*ok_r = false;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"WITH RECURSIVE up(id, depth) AS ("
		"  SELECT id, 0 FROM unit WHERE id = ?"
		"  UNION ALL SELECT u.parent_id, up.depth + 1 FROM unit u JOIN up ON u.id = up.id"
		"  WHERE u.parent_id IS NOT NULL AND up.depth < 32)"
		" SELECT COUNT(*) FROM account a WHERE a.id = ? AND a.status = 'active'"
		" AND a.unit_id IN (SELECT id FROM up)"
		" AND EXISTS (SELECT 1 FROM account_role r JOIN role_permission p ON p.role = r.role"
		"  WHERE r.account_id = a.id AND p.permission = 'alerts.work')",
		"tt", unit_id, account_id);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		*ok_r = db_column_int64(st, 0) > 0;
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

/* ---- escalation ----------------------------------------------------------------------------- */

/* An alert due for escalation, read before any is changed (one statement at a time per connection). */
struct overdue_alert {
	char id[UUID_STR_LEN];
	char unit_id[UUID_STR_LEN];     /* the case's unit */
	char assigned_to[UUID_STR_LEN];
	long level;                     /* escalation_level before this one */
};

/*
 * Who an alert escalates to: the head of the case's unit at level 1, of the
 * unit above from level 2 on, climbing past a head who already has it; the
 * one who has it when there is nobody above (target_r = current).
 */
static enum db_status escalation_target(db *conn, const struct overdue_alert *a, char target_r[UUID_STR_LEN])
{
	char units[16][UUID_STR_LEN];
	int n = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"WITH RECURSIVE up(id, depth) AS ("
		"  SELECT id, 0 FROM unit WHERE id = ?"
		"  UNION ALL SELECT u.parent_id, up.depth + 1 FROM unit u JOIN up ON u.id = up.id"
		"  WHERE u.parent_id IS NOT NULL AND up.depth < 15)"
		" SELECT id FROM up ORDER BY depth", "t", a->unit_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n < 16)
			copy_text(units[n++], UUID_STR_LEN, db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc;
	copy_text(target_r, UUID_STR_LEN, a->assigned_to);
	for (int i = a->level + 1 >= 2 ? 1 : 0; i < n; i++) {
		char head[UUID_STR_LEN];
		if ((rc = unit_head_of(conn, units[i], head)) != DB_OK)
			return rc;
		if (head[0] && strcmp(head, a->assigned_to) != 0) {
			copy_text(target_r, UUID_STR_LEN, head);
			break;
		}
	}
	return DB_OK;
}

/* Escalates one alert (if it is still open and overdue). *done_r: it was. */
static enum db_status escalate_one(db *conn, const struct overdue_alert *a, int64_t now, bool *done_r)
{
	*done_r = false;
	struct alert_facts f;
	char target[UUID_STR_LEN];
	enum db_status rc = alert_facts_load(conn, a->id, &f);
	if (rc == DB_OK)
		rc = escalation_target(conn, a, target);
	if (rc != DB_OK)
		return rc;
	int64_t changed = 0;
	long level = a->level + 1;
	rc = db_run(conn, &changed,
	            "UPDATE alert SET escalation_level = escalation_level + 1, escalated_at = ?, assigned_to = ?,"
	            " ack_due_at = ?, version = version + 1 WHERE id = ? AND status = 'open' AND ack_due_at <= ?",
	            "ititi", now, target[0] ? target : NULL,
	            now + (int64_t)f.escalate_hours * 3600000, a->id, now);
	if (rc != DB_OK || changed != 1)
		return rc;
	struct buf detail = {0};
	buf_printf(&detail, "{\"level\":%ld,\"from\":", level);
	buf_json_string(&detail, a->assigned_to[0] ? a->assigned_to : NULL);
	buf_puts(&detail, ",\"to\":");
	buf_json_string(&detail, target[0] ? target : NULL);
	buf_putc(&detail, '}');
	rc = event_add(conn, a->id, now, NULL, "escalated", "Not acknowledged in time", detail.data);
	buf_free(&detail);
	char extra[40];
	snprintf(extra, sizeof extra, "\"level\":%ld", level);
	if (rc == DB_OK)
		rc = timeline_add(conn, &f, a->id, "alert.escalated", NULL, now,
		                  "Alert escalated: not acknowledged in time", extra);
	if (rc == DB_OK && target[0]) {
		char *subject = xasprintf("An alert on case %s was not acknowledged in time and is escalated to you"
		                          " (level %ld)", f.case_number, level);
		rc = notify(conn, target, "alert.escalated", subject, a->id, now);
		free(subject);
	}
	if (rc == DB_OK) {
		char what[40];
		snprintf(what, sizeof what, "escalated to level %ld", level);
		struct audit_entry e = {.actor_login = "kadam (alert escalation)", .action = AUDIT_ALTER,
		                        .record_type = "alert", .record_id = a->id, .outcome = AUDIT_OUTCOME_SUCCESS,
		                        .detail = what};
		if (audit_append(conn, &e) != DB_OK)
			rc = DB_ERROR;
	}
	*done_r = rc == DB_OK;
	return rc;
}

enum db_status alerts_escalate(db *conn, int64_t now, long *escalated_r)
{
	*escalated_r = 0;
	struct overdue_alert *list = NULL;
	size_t n = 0, cap = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT al.id, c.unit_id, al.assigned_to, al.escalation_level FROM alert al"
		" JOIN case_file c ON c.id = al.case_id WHERE al.status = 'open' AND al.ack_due_at <= ?"
		" ORDER BY al.ack_due_at, al.id", "i", now);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		list = xgrow(list, &cap, n, sizeof *list);
		struct overdue_alert *a = &list[n++];
		copy_text(a->id, sizeof a->id, db_column_text(st, 0, NULL));
		copy_text(a->unit_id, sizeof a->unit_id, db_column_text(st, 1, NULL));
		copy_text(a->assigned_to, sizeof a->assigned_to, db_column_text(st, 2, NULL));
		a->level = (long)db_column_int64(st, 3);
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE)
		rc = DB_OK;
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		bool done = false;
		rc = escalate_one(conn, &list[i], now, &done);
		if (done)
			(*escalated_r)++;
	}
	free(list);
	return rc;
}
