/*
 * alert_steps.h — the steps of an alert's lifecycle and the tasks it can
 * become (alerts.c), shared by the API (src/api/alerts.c) and the demo
 * (src/demo/alerts.c):
 *
 *   open -> acknowledged -> verified (a breach allegation or a task) | dismissed
 *   open -> verified | dismissed
 *
 * Each step runs in the caller's transaction as one status- and
 * version-guarded UPDATE (`WHERE id = ? AND status IN (...) AND version = ?`,
 * the version the caller read, as If-Match gave it), which adds one to the
 * version; so of two concurrent steps only one applies and the other gets
 * DB_DONE and changes nothing. Each writes an
 * alert_event row (actor, reason) and a timeline event. The caller checks
 * reach and logs the processing; nothing here touches a measure (S7).
 */
#ifndef KADAM_DOMAIN_ALERT_STEPS_H
#define KADAM_DOMAIN_ALERT_STEPS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/uuid.h"
#include "domain/breaches.h"
#include "store/db.h"

/* Hours an officer's own alert (no rule) waits for acknowledgement before it escalates. */
#define ALERT_OFFICER_ESCALATE_HOURS 24

/* The version argument of a step: the alert's version the caller read, or this for whichever is stored (the
   demo's own steps). */
#define ALERT_ANY_VERSION 0

/* open -> acknowledged by actor_id. DB_DONE when the alert is not open or not at version. */
enum db_status alert_acknowledge_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                    int64_t now);

/* Reassigns an open or acknowledged alert; an open one gets a fresh acknowledgement deadline (the rule's
   escalation time from now). DB_DONE when the alert is closed or not at version. */
enum db_status alert_assign_if(db *conn, const char *alert_id, int64_t version, const char *assignee_id,
                               const char *actor_id, const char *reason, int64_t now);

/* open | acknowledged -> dismissed with a reason. DB_DONE when the alert is already closed or not at version. */
enum db_status alert_dismiss_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                const char *reason, int64_t now);

/* A new task; borrowed strings. */
struct task_new {
	const char *case_id;         /* required */
	const char *title;           /* 1..200 characters */
	const char *detail;          /* or NULL */
	const char *due_on;          /* YYYY-MM-DD or NULL */
	const char *assigned_to;     /* account id or NULL */
	const char *source_alert_id; /* the verified alert it came from, or NULL */
	const char *created_by;      /* account id; NULL: the system */
};

/* Adds an open task (the case's unit), with the timeline event "task.created". */
enum db_status task_add(db *conn, const struct task_new *t, int64_t now, char id_r[UUID_STR_LEN]);

/* open | acknowledged -> verified as a task (t->source_alert_id and t->case_id are set from the alert). DB_DONE
   when the alert is closed or not at version. */
enum db_status alert_verify_task_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                    const char *reasons, const struct task_new *t, int64_t now,
                                    char task_id_r[UUID_STR_LEN]);

/* open | acknowledged -> verified as a task that already exists (task_id; NULL when the alert has none), such as
   the task a reassessment reminder opened when the reassessment is done. DB_DONE when the alert is closed or not
   at version. */
enum db_status alert_verify_existing_task_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                             const char *reasons, const char *task_id, int64_t now);

/* open | acknowledged -> verified as a breach allegation (breach_open; b->alert_id, case_id and actor_id are set
   here). The caller has checked that the conditions are active conditions of the alert's case. DB_DONE when the
   alert is closed or not at version. */
enum db_status alert_verify_breach_if(db *conn, const char *alert_id, int64_t version, const char *actor_id,
                                      const char *reasons, const struct breach_new *b, int64_t now,
                                      char breach_id_r[UUID_STR_LEN]);

/* The steps at whichever version is stored (the demo, which reads no ETag). */
static inline enum db_status alert_acknowledge(db *conn, const char *alert_id, const char *actor_id, int64_t now)
{
	return alert_acknowledge_if(conn, alert_id, ALERT_ANY_VERSION, actor_id, now);
}
static inline enum db_status alert_dismiss(db *conn, const char *alert_id, const char *actor_id, const char *reason,
                                           int64_t now)
{
	return alert_dismiss_if(conn, alert_id, ALERT_ANY_VERSION, actor_id, reason, now);
}
static inline enum db_status alert_verify_task(db *conn, const char *alert_id, const char *actor_id,
                                               const char *reasons, const struct task_new *t, int64_t now,
                                               char task_id_r[UUID_STR_LEN])
{
	return alert_verify_task_if(conn, alert_id, ALERT_ANY_VERSION, actor_id, reasons, t, now, task_id_r);
}
static inline enum db_status alert_verify_breach(db *conn, const char *alert_id, const char *actor_id,
                                                 const char *reasons, const struct breach_new *b, int64_t now,
                                                 char breach_id_r[UUID_STR_LEN])
{
	return alert_verify_breach_if(conn, alert_id, ALERT_ANY_VERSION, actor_id, reasons, b, now, breach_id_r);
}

/* The active account that may be given a case of unit_id's alerts and tasks: an officer or unit head whose own
   unit is unit_id or one above it. *ok_r false when it is not one. */
enum db_status alert_assignee_reaches(db *conn, const char *account_id, const char *unit_id, bool *ok_r);

#endif
