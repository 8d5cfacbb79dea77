/* referrals.c — PLACEHOLDER: the referrals helper replaces it. See referrals.h. */
#include "domain/referrals.h"

#include <string.h>

const char *const referral_share_fields[] = {"name", "birth_date", "sex", "languages", "phone", "address", "officer",
                                             "needs", NULL};

bool referral_share_field_known(const char *field)
{
	for (const char *const *f = referral_share_fields; field && *f; f++)
		if (strcmp(*f, field) == 0)
			return true;
	return false;
}

json_t *referral_shared_person(db *conn, const char *case_id, const json_t *fields)
{
	(void)conn;
	(void)case_id;
	(void)fields;
	return json_object(); /* PLACEHOLDER */
}

bool referral_partner_reaches(const struct principal *p, const char *partner_agency_id, const char *share_until,
                              const char *today)
{
	return p && partner_agency_id && share_until && today && strcmp(p->agency_id, partner_agency_id) == 0 &&
	       policy_has(p, "referrals.provide") && strcmp(today, share_until) <= 0;
}
