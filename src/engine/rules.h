/*
 * rules.h — the compliance rules. Each notices something an officer would
 * want to know and raises an alert (domain/alerts.h) with its evidence; none
 * changes a measure (S7). Thresholds live in compliance_rule.
 */
#ifndef KADAM_ENGINE_RULES_H
#define KADAM_ENGINE_RULES_H

#include <stdint.h>

#include "store/db.h"

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

#endif
