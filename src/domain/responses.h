/*
 * responses.h — responses to non-compliance (warning ... referral) and to
 * progress (Tokyo Rule 11.2), recorded side by side so that a unit can see
 * its ratio of positive to negative responses.
 */
#ifndef KADAM_DOMAIN_RESPONSES_H
#define KADAM_DOMAIN_RESPONSES_H

#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

/* Borrowed strings. */
struct response_new {
	const char *case_id;
	const char *code;       /* a ref_response code */
	const char *breach_id;  /* NULL: not in answer to a breach */
	const char *given_on;   /* YYYY-MM-DD */
	const char *given_by;   /* account id */
	const char *reasons;
	const char *detail;     /* NULL: none */
};

/*
 * Records a response in the caller's transaction with the case's current
 * officer and unit, and the timeline event "response.given". DB_CONSTRAINT
 * for an unknown code. The caller logs the processing.
 */
enum db_status response_record(db *conn, const struct response_new *r, int64_t now, char id_r[UUID_STR_LEN]);

#endif
