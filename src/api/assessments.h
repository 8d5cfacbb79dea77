/*
 * assessments.h — the checks on an assessment draft's body (PUT
 * /api/v1/assessments/{id}) against its instrument's definition, shared with
 * the fuzz target (pure: no database), and the level suggestion as the API
 * shows it.
 */
#ifndef KADAM_API_ASSESSMENTS_H
#define KADAM_API_ASSESSMENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "store/db.h"

struct field_errors;

/*
 * A draft body: {assessed_on, sources, limitations, ratings: {item: {value,
 * evidence, source, source_detail}}, domains: {domain: {value, comment}},
 * judgement, rationale, scenarios: [{kind, description}], actions: [{kind,
 * description, due_on}]}; every member optional (a draft may be partial);
 * item, domain, value and judgement ids must be the instrument's (def).
 * today (YYYY-MM-DD) bounds assessed_on. Adds one error per problem.
 */
bool assessment_body_validate(const json_t *body, const json_t *def, const char *today, struct field_errors *fe);

/*
 * The level the case's latest countersigned judgement suggests, as the API's
 * Suggestion {level, level_title{ky,ru,en}|null, assessment_id, instrument_id,
 * instrument_code, instrument_name{..}|null, judgement, judgement_label{..}|null,
 * assessed_on|null}, or JSON null when there is none. On a database error:
 * NULL and *failed_r true (*failed_r is false otherwise). The one
 * implementation behind GET /cases/{id}/assessments and /supervision.
 */
json_t *assessment_suggestion_json(db *conn, const char *case_id, bool *failed_r);

#endif
