/* em_ingest.c — PLACEHOLDER (issue 7): the owner replaces this file. */
#include "api/api.h"

void api_em_unknown_devices(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_trail(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_position(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_fixes_batch(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_osmand(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}
