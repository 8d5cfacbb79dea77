#include <string.h>

#include "api/api.h"
#include "app.h"
#include "base/log.h"
#include "http/metrics.h"

void api_healthz(struct http_request *req, struct http_response *resp)
{
	static const char body[] = "{\"status\":\"ok\"}";
	http_response_text(resp, 200, "application/json", body, sizeof body - 1);
}

void api_readyz(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	bool up = db_ping(conn);
	if (!up) {
		http_problem(resp, req, 503, "database-unavailable", "The database does not answer", NULL,
		             NULL);
		return;
	}
	static const char body[] = "{\"status\":\"ready\",\"database\":\"ok\"}";
	http_response_text(resp, 200, "application/json", body, sizeof body - 1);
}

void api_metrics(struct http_request *req, struct http_response *resp)
{
	struct buf out = {0};
	metrics_render(req->app->metrics, req->app->pool, &out);
	http_response_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8", out.data ? out.data : "",
	                   out.len);
	buf_free(&out);
}
