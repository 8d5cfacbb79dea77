/* PLACEHOLDER: issue 8, being written. */
#include "api/api.h"
void api_instrument_schema(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_instruments_list(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_instrument_import(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_instrument_get(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_level_suggestions_list(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_level_suggestion_put(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
