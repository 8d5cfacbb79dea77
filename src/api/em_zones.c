/* em_zones.c — PLACEHOLDER (issue 7): the owner replaces this file. */
#include "api/api.h"

void api_em_absence_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_absence_cancel(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_zone_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_zone_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_zone_retire(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_zones_export(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_zones_import(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

bool em_zones_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)kind; (void)body; (void)today; (void)fe;
	return true; /* PLACEHOLDER */
}
