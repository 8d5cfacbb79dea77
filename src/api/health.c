#include <string.h>

#include "api/api.h"
#include "app.h"
#include "base/log.h"
#include "em/ingest.h"
#include "em/listener.h"
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
	if (req->app->ingest) {
		/* Electronic monitoring: the ingest writer's counters and latencies, and the device connections. */
		struct ingest_stats st;
		struct ingest_latency commit, alert;
		ingest_stats(req->app->ingest, &st);
		ingest_latencies(req->app->ingest, &commit, &alert);
		buf_printf(&out,
		           "# HELP kadam_em_fixes_total Device fixes by what became of them.\n"
		           "# TYPE kadam_em_fixes_total counter\n"
		           "kadam_em_fixes_total{outcome=\"stored\"} %llu\n"
		           "kadam_em_fixes_total{outcome=\"duplicate\"} %llu\n"
		           "kadam_em_fixes_total{outcome=\"late\"} %llu\n"
		           "kadam_em_fixes_total{outcome=\"refused\"} %llu\n"
		           "# HELP kadam_em_batches_total Ingest writer transactions.\n"
		           "# TYPE kadam_em_batches_total counter\n"
		           "kadam_em_batches_total %llu\n"
		           "# HELP kadam_em_alerts_total Alerts raised by the evaluator.\n"
		           "# TYPE kadam_em_alerts_total counter\n"
		           "kadam_em_alerts_total %llu\n"
		           "# HELP kadam_em_queued Fixes waiting for the ingest writer.\n"
		           "# TYPE kadam_em_queued gauge\n"
		           "kadam_em_queued %zu\n",
		           (unsigned long long)st.stored, (unsigned long long)st.duplicates, (unsigned long long)st.late,
		           (unsigned long long)st.refused, (unsigned long long)st.batches, (unsigned long long)st.alerts,
		           st.queued);
		const struct {
			const char *name;
			const struct ingest_latency *l;
		} lat[] = {{"commit", &commit}, {"alert", &alert}};
		buf_printf(&out, "# HELP kadam_em_latency_seconds From a fix's arrival to its commit, and to its alert's "
		                 "commit (quantiles since start).\n# TYPE kadam_em_latency_seconds summary\n");
		for (size_t i = 0; i < 2; i++) {
			buf_printf(&out, "kadam_em_latency_seconds{stage=\"%s\",quantile=\"0.5\"} %.6f\n", lat[i].name,
			           (double)lat[i].l->p50_us / 1e6);
			buf_printf(&out, "kadam_em_latency_seconds{stage=\"%s\",quantile=\"0.9\"} %.6f\n", lat[i].name,
			           (double)lat[i].l->p90_us / 1e6);
			buf_printf(&out, "kadam_em_latency_seconds{stage=\"%s\",quantile=\"0.99\"} %.6f\n", lat[i].name,
			           (double)lat[i].l->p99_us / 1e6);
			buf_printf(&out, "kadam_em_latency_seconds_count{stage=\"%s\"} %llu\n", lat[i].name,
			           (unsigned long long)lat[i].l->count);
		}
	}
	if (req->app->em_listeners)
		buf_printf(&out, "# HELP kadam_em_connections Open device TCP connections.\n"
		                 "# TYPE kadam_em_connections gauge\nkadam_em_connections %zu\n",
		           em_listeners_connections(req->app->em_listeners));
	http_response_text(resp, 200, "text/plain; version=0.0.4; charset=utf-8", out.data ? out.data : "",
	                   out.len);
	buf_free(&out);
}
