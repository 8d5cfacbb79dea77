/*
 * PLACEHOLDER: replaced by the responses work (issue 6).
 */
#include "api/api.h"

void api_responses_ladder(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_case_responses(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_response_create(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_response_letter(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_responses_summary(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_complaints_list(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_complaint_create(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_complaint_get(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_complaint_answer(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_complaint_withdraw(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}
