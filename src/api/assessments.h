/*
 * assessments.h — the checks on an assessment draft's body (PUT
 * /api/v1/assessments/{id}) against its instrument's definition, shared with
 * the fuzz target. Pure: no database.
 */
#ifndef KADAM_API_ASSESSMENTS_H
#define KADAM_API_ASSESSMENTS_H

#include <jansson.h>
#include <stdbool.h>

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

#endif
