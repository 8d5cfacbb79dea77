#include "domain/alerts.h"

#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
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
	long escalate_hours = 24;
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

enum db_status alerts_escalate(db *conn, int64_t now, long *escalated_r)
{
	/* PLACEHOLDER: the alerts work (issue 6) writes escalation. */
	(void)conn;
	(void)now;
	*escalated_r = 0;
	return DB_OK;
}
