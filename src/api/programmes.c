/* programmes.c — PLACEHOLDER: the helper that owns this file replaces it. */
#include "api/api.h"

void api_partners_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_partner_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_partner_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_partner_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_programmes_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_programme_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_programme_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_programme_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_programme_participants(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_programme_attendance(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

bool programmes_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)kind;
	(void)body;
	(void)today;
	(void)fe;
	return false; /* PLACEHOLDER */
}
