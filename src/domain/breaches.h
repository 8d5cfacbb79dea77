/*
 * breaches.h — breach allegations by due process (S6-S9): reported, person
 * notified, person's account, officer's assessment, countersignature,
 * referral, decision by the competent authority, appeal. Opened only from a
 * verified alert (S25); nothing moves by itself (S7).
 */
#ifndef KADAM_DOMAIN_BREACHES_H
#define KADAM_DOMAIN_BREACHES_H

#include <stddef.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

/* What a verified alert alleges; borrowed strings. */
struct breach_new {
	const char *case_id, *alert_id;
	const char *allegation;   /* what the person is alleged not to have done */
	const char *occurred_on;  /* YYYY-MM-DD */
	const char *const *condition_ids; /* the conditions allegedly not kept (active conditions of the case) */
	size_t nconditions;
	const char *actor_id;     /* who verified the alert */
};

/*
 * Opens a breach allegation in state "reported" in the caller's transaction:
 * the breach row, its conditions, the first breach_event (action "report",
 * to_state "reported"), the timeline ("breach.reported"). The caller has
 * checked the alert, the case and the conditions and logs the processing.
 */
enum db_status breach_open(db *conn, const struct breach_new *b, int64_t now, char id_r[UUID_STR_LEN]);

#endif
