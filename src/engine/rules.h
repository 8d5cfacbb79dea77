/*
 * rules.h — the compliance rules. Each notices something an officer would
 * want to know and raises an alert (domain/alerts.h) with its evidence; none
 * changes a measure (S7). Thresholds live in compliance_rule.
 */
#ifndef KADAM_ENGINE_RULES_H
#define KADAM_ENGINE_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct field_errors;

/* How far back the time rules look for appointments without outcome and failed contacts (days). */
#define RULES_LOOK_BACK_DAYS 14

struct rules_stats {
	long evaluated; /* things looked at */
	long raised;    /* alerts raised (new dedupe keys) */
};

/* Every time rule, in the caller's transaction (the scheduler's job "compliance.rules"). */
enum db_status rules_run(db *conn, int64_t now, struct rules_stats *stats_r);

/*
 * The event rule on a recorded contact (rule "contact.failed"): raises an
 * alert in the caller's transaction when outcome is failed_to_attend or
 * unacceptable_absence. Called by the API that records outcomes and contacts.
 */
enum db_status rules_on_contact(db *conn, const char *contact_id, int64_t now);

/*
 * The event rule on a recorded reassessment trigger (rule
 * "reassessment.triggered"): raises its alert and opens a task to reassess,
 * due the rule's threshold in days after the trigger, in the caller's
 * transaction. Called by reassessment_trigger_add.
 */
enum db_status rules_on_trigger(db *conn, const char *trigger_id, int64_t now);

/*
 * The checks on a rule's body (PUT /api/v1/compliance/rules/{code}):
 * {enabled, severity, threshold, escalate_after_hours}; threshold is an
 * integer 0..8784 when the rule has one (has_threshold) and null when it has
 * none. Defined in api/engine.c; shared with its fuzz target.
 */
bool rule_body_validate(const json_t *body, bool has_threshold, struct field_errors *fe);

#endif
