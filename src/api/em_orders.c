/* em_orders.c — PLACEHOLDER (issue 7): the owner replaces this file. */
#include "api/api.h"

void api_em_devices_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_device_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_device_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_device_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_orders_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_case_em_orders(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_order_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_order_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_order_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_order_end(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_fitting_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

void api_em_fitting_remove(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented yet", "PLACEHOLDER", NULL);
}

bool em_orders_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)kind; (void)body; (void)today; (void)fe;
	return true; /* PLACEHOLDER */
}
