/* reintegration.c — PLACEHOLDER: the helper that owns this file replaces it. */
#include "api/api.h"

void api_case_reintegration_needs(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_reintegration_need_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_reintegration_need_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_reintegration_needs_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_third_party_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_child_protection_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

bool reintegration_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)kind;
	(void)body;
	(void)today;
	(void)fe;
	return false; /* PLACEHOLDER */
}
