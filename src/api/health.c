#include <string.h>

#include "api/api.h"
#include "app.h"
#include "base/log.h"
#include "http/metrics.h"

struct db *api_db_acquire(struct http_request *req, struct http_response *resp)
{
	db *conn = NULL;
	enum db_status st = db_pool_acquire(req->app->pool, 5000, &conn);
	if (st != DB_OK) {
		http_problem(resp, req, 503, "database-unavailable", "The database is busy",
		             "No database connection became free in time; try again.", NULL);
		http_response_header(resp, "Retry-After", "1");
		return NULL;
	}
	return conn;
}

void api_db_release(struct http_request *req, struct db **conn)
{
	db_pool_release(req->app->pool, conn);
}

void api_internal_error(struct http_request *req, struct http_response *resp, const char *what)
{
	struct buf fields = {0};
	buf_puts(&fields, ",\"request_id\":");
	buf_json_string(&fields, req->request_id);
	log_line(LOG_ERROR, what, fields.data);
	buf_free(&fields);
	http_problem(resp, req, 500, "internal-error", "Internal error",
	             "The server could not complete the request; it has been logged with this request id.",
	             NULL);
}

void api_healthz(struct http_request *req, struct http_response *resp)
{
	static const char body[] = "{\"status\":\"ok\"}";
	http_response_text(resp, 200, "application/json", body, sizeof body - 1);
}

void api_readyz(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db_acquire(req, resp);
	if (!conn)
		return;
	bool up = db_ping(conn);
	api_db_release(req, &conn);
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
