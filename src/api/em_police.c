/* em_police.c — PLACEHOLDER (issue 7): the owner replaces this file. */
#include "api/api.h"

void api_em_police_requests_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_police_request_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_police_request_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_police_request_decide(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_police_request_trail(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

bool em_police_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)kind; (void)body; (void)today; (void)fe;
	return true; /* PLACEHOLDER */
}
