/*
 * PLACEHOLDER: replaced by the alerts work (issue 6).
 */
#include "api/api.h"

void api_alerts_list(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_alerts_summary(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_alert_get(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_alert_acknowledge(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_alert_assign(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_alert_verify(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_alert_dismiss(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_case_alerts(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_case_alert_create(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_tasks_list(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_case_tasks(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_task_create(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}

void api_task_update(struct http_request *req, struct http_response *resp)
{
	(void)req;
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", NULL, NULL);
}
