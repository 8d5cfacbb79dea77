/*
 * alerts.h — alerts: signals that a person must verify before anything
 * follows (S6, S25). A rule, a device or an officer raises one; nothing here
 * changes a measure (S7).
 */
#ifndef KADAM_DOMAIN_ALERTS_H
#define KADAM_DOMAIN_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

/* A new alert; borrowed strings. */
struct alert_new {
	const char *case_id;     /* required */
	const char *rule_code;   /* a compliance_rule code; NULL for an officer's alert */
	const char *source;      /* "rule", "officer" or "device" */
	const char *severity;    /* NULL: the rule's ("medium" for an officer's) */
	const char *dedupe_key;  /* NULL: never deduplicated; else raised once per key, ever */
	const char *summary;     /* one line; for rules an English sentence that names no personal data */
	const char *evidence;    /* JSON object as text (NULL: "{}"): the records, dates and figures that raised it */
	const char *due_on;      /* YYYY-MM-DD the missed or coming thing is due, or NULL */
	const char *raised_by;   /* account id for an officer's alert; NULL for rules and devices */
};

/*
 * Raises an alert in the caller's transaction: assigns it to the case's
 * officer (the unit's head when the case has none), sets when it escalates
 * (the rule's escalate_after_hours; 24 h for an officer's), writes the
 * alert_event "raised", the case timeline ("alert.raised") and the
 * processing log (collect, actor = raised_by or the system). When dedupe_key
 * was raised before, nothing is written and *created_r is false. id_r gets
 * the new (or existing) alert's id.
 */
enum db_status alert_raise(db *conn, const struct alert_new *a, int64_t now, char id_r[UUID_STR_LEN],
                           bool *created_r);

/*
 * Escalates every open alert whose ack_due_at has passed: escalation_level
 * goes up by one, it is assigned to the head of its unit (a level-2
 * escalation goes to the head of the parent unit when there is one), the next
 * ack_due_at is set, and an alert_event "escalated" and a notification are
 * written. *escalated_r counts them. Runs inside the scheduler's job
 * transaction.
 */
enum db_status alerts_escalate(db *conn, int64_t now, long *escalated_r);

#endif
