/* PLACEHOLDER: issue 8, being written. */
#include "api/api.h"
void api_reassessment_trigger_create(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
