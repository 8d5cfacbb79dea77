/*
 * responses.h — responses to non-compliance (warning ... referral) and to
 * progress (Tokyo Rule 11.2), recorded side by side so that a unit can see
 * its ratio of positive to negative responses.
 */
#ifndef KADAM_DOMAIN_RESPONSES_H
#define KADAM_DOMAIN_RESPONSES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

struct field_errors; /* http/http.h */

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

/*
 * Checks a request body against its rules, adding one error per bad field
 * to fe; today is YYYY-MM-DD (dates may not be later). kind:
 *   "response"             POST /cases/{id}/responses {code, given_on, reasons, detail?}
 *                          (variation_request and referral are refused on `code`)
 *   "complaint"            POST /complaints {case_id | person_id + unit_id, received_on, channel, about,
 *                          breach_id?, summary, language?}
 *   "complaint_answer"     POST /complaints/{id}/answer {answer, answered_on}
 *   "complaint_withdrawal" POST /complaints/{id}/withdrawal {reason}
 * Returns true when the body is good. Shared with tests/fuzz/fuzz_response_body.c.
 */
bool responses_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);

/* True for a code the API records directly (not variation_request or referral, which come from elsewhere). */
bool response_code_direct(const char *code);

#endif
