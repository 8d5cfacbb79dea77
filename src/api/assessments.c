/* PLACEHOLDER: issue 8, being written. */
#include "api/api.h"
void api_case_assessments(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_create(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_history(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessments_list(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_get(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_update(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_submit(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_countersign(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_return(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
void api_assessment_withdraw(struct http_request *req, struct http_response *resp)
{

	http_problem(resp, req, 501, "placeholder", "PLACEHOLDER", NULL, NULL);
}
