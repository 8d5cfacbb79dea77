/*
 * PLACEHOLDER: replaced by the engine work (issue 6).
 */
#include "api/api.h"

void api_jobs_list(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_jobs_run(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_clock_set(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_rules_list(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_rule_update(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}
