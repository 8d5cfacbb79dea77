/* PLACEHOLDER: issue 8, being written. */
#include "api/api.h"
void api_certifications_list(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_certification_create(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_certification_revoke(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
