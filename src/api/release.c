/* release.c — PLACEHOLDER: the helper that owns this file replaces it. */
#include "api/api.h"

void api_release_planning_list(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_release_plan_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_release_plan_put(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_release_action_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_release_action_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_panel_meeting_create(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_panel_meeting_get(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_panel_meeting_update(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_panel_minutes(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

void api_release_handover(struct http_request *req, struct http_response *resp)
{
	http_problem(resp, req, 501, "not-implemented", "Not implemented", "PLACEHOLDER", NULL);
}

bool release_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)kind;
	(void)body;
	(void)today;
	(void)fe;
	return false; /* PLACEHOLDER */
}
