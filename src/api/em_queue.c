/* em_queue.c — PLACEHOLDER (issue 7): the owner replaces this file. */
#include "api/api.h"

void api_em_device_events(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_queue(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}
