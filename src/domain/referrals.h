/*
 * referrals.h — referrals of cases to programmes (issue 9): what a referral
 * may share with its provider, and the partner's view of a person built from
 * exactly those fields (S15, S16). The status moves are data
 * (referral_status, referral_transition, referral_reason; migration 0008).
 */
#ifndef KADAM_DOMAIN_REFERRALS_H
#define KADAM_DOMAIN_REFERRALS_H

#include <jansson.h>
#include <stdbool.h>

#include "auth/policy.h"
#include "store/db.h"

/*
 * The fields a referral can share, NULL-terminated, in display order:
 * "name" (surname and given name, in Cyrillic and Latin script; never the
 * patronymic, which names the father), "birth_date", "sex", "languages", "phone"
 * (current numbers), "address" (current address), "officer" (the case
 * officer's name and unit), "needs" (the open
 * objectives of the supervision plan: need and description).
 */
extern const char *const referral_share_fields[];

/* True when field is one of referral_share_fields. */
bool referral_share_field_known(const char *field);

/*
 * The partner's view of a case's person: an object holding only the members
 * named in fields (a JSON array of referral_share_fields names) plus
 * "case_number" always; NULL on a database error. Reads the person, phones,
 * current address, officer and plan of case_id.
 */
json_t *referral_shared_person(db *conn, const char *case_id, const json_t *fields);

/*
 * Whether the principal reaches a referral as its provider: their agency is
 * the referral's partner agency, they hold `referrals.provide`, and today
 * (YYYY-MM-DD, the deployment's zone) is not after share_until.
 */
bool referral_partner_reaches(const struct principal *p, const char *partner_agency_id, const char *share_until,
                              const char *today);

/* The SQL condition (for a referral aliased r) that a partner's lists use: two parameters, agency id and today. */
#define REFERRAL_PARTNER_SQL "(r.partner_agency_id = ? AND r.share_until >= ?)"

#endif
