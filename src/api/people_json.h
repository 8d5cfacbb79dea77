/* people_json.h — a person's record as the API shows it, and the field rules people.c and person_details.c share. */
#ifndef KADAM_API_PEOPLE_JSON_H
#define KADAM_API_PEOPLE_JSON_H

#include "api/api.h"
#include "api/validate.h"

extern const char *const document_types[];
extern const char *const address_kinds[];
extern const char *const alias_kinds[];
extern const struct field_rule document_rules[5];
extern const struct field_rule address_rules[3];
extern const struct field_rule phone_rules[2];
extern const struct field_rule alias_rules[2];

/*
 * The person with aliases, documents, addresses, phones, cases and merges;
 * third parties are not in it (their own route, S15): third_parties_restricted
 * says whether the caller may open them. NULL on a database error.
 */
json_t *person_json(struct http_request *req, const char *id, bool *failed_r);

#endif
