/* referrals.c — PLACEHOLDER: the helper that owns this file replaces it. */
#include "api/api.h"

void api_referral_statuses(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_case_referrals(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_referral_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_referrals_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_referral_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_referral_move(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_referral_share(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_referral_note_add(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_referral_report(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

bool referrals_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)kind;
	(void)body;
	(void)today;
	(void)fe;
	return false; /* PLACEHOLDER */
}
