/*
 * PLACEHOLDER: replaced by the breaches work (issue 6).
 */
#include "api/api.h"

void api_breaches_list(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_case_breaches(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_get(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_notify(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_account(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_assess(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_countersign(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_refer(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_close(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_decide(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_appeal(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_appeal_decide(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_withdraw(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_breach_document(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}
