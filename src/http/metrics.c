#include "http/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "http/router.h"

#define STATUS_MAX 600
static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                       0.05,   0.1,   0.25,   0.5,   1,    2.5, 5};
#define NBUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

/* Counters for one route slot. */
struct route_metrics {
	_Atomic uint64_t by_status[STATUS_MAX];
	_Atomic uint64_t buckets[NBUCKETS + 1]; /* the last is +Inf */
	_Atomic uint64_t sum_ns;
	_Atomic uint64_t count;
};

struct metrics {
	size_t nroutes;
	struct route_metrics *routes; /* nroutes + 2 slots, owned */
	_Atomic uint64_t client_errors;
};

struct metrics *metrics_new(size_t nroutes)
{
	struct metrics *m = xcalloc(1, sizeof *m);
	m->nroutes = nroutes;
	m->routes = xcalloc(nroutes + 2, sizeof *m->routes);
	return m;
}

void metrics_free(struct metrics **m)
{
	if (!*m)
		return;
	free((*m)->routes);
	free(*m);
	*m = NULL;
}

void metrics_record(struct metrics *m, size_t route, int status, int64_t duration_ns)
{
	if (route > m->nroutes + 1)
		route = m->nroutes + 1;
	struct route_metrics *r = &m->routes[route];
	if (status >= 100 && status < STATUS_MAX)
		atomic_fetch_add_explicit(&r->by_status[status], 1, memory_order_relaxed);
	double secs = (double)duration_ns / 1e9;
	size_t b = 0;
	while (b < NBUCKETS && secs > bucket_bounds[b])
		b++;
	atomic_fetch_add_explicit(&r->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&r->sum_ns, (uint64_t)(duration_ns > 0 ? duration_ns : 0),
	                          memory_order_relaxed);
	atomic_fetch_add_explicit(&r->count, 1, memory_order_relaxed);
}

void metrics_count_client_error(struct metrics *m)
{
	atomic_fetch_add_explicit(&m->client_errors, 1, memory_order_relaxed);
}

static void route_label(struct metrics *m, size_t i, struct buf *out)
{
	if (i < m->nroutes)
		buf_printf(out, "route=\"%s %s\"", routes[i].method, routes[i].pattern);
	else if (i == m->nroutes)
		buf_puts(out, "route=\"static\"");
	else
		buf_puts(out, "route=\"unmatched\"");
}

void metrics_render(struct metrics *m, db_pool *pool, struct buf *out)
{
	buf_puts(out, "# HELP kadam_http_requests_total HTTP requests answered, by route and status.\n"
	              "# TYPE kadam_http_requests_total counter\n");
	for (size_t i = 0; i < m->nroutes + 2; i++) {
		for (int s = 100; s < STATUS_MAX; s++) {
			uint64_t n = atomic_load_explicit(&m->routes[i].by_status[s], memory_order_relaxed);
			if (!n)
				continue;
			buf_puts(out, "kadam_http_requests_total{");
			route_label(m, i, out);
			buf_printf(out, ",status=\"%d\"} %llu\n", s, (unsigned long long)n);
		}
	}
	buf_puts(out, "# HELP kadam_http_request_duration_seconds Time from the last request byte to the response.\n"
	              "# TYPE kadam_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < m->nroutes + 2; i++) {
		struct route_metrics *r = &m->routes[i];
		uint64_t count = atomic_load_explicit(&r->count, memory_order_relaxed);
		if (!count)
			continue;
		uint64_t cumulative = 0;
		for (size_t b = 0; b <= NBUCKETS; b++) {
			cumulative += atomic_load_explicit(&r->buckets[b], memory_order_relaxed);
			buf_puts(out, "kadam_http_request_duration_seconds_bucket{");
			route_label(m, i, out);
			if (b < NBUCKETS)
				buf_printf(out, ",le=\"%g\"} %llu\n", bucket_bounds[b], (unsigned long long)cumulative);
			else
				buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)cumulative);
		}
		buf_puts(out, "kadam_http_request_duration_seconds_sum{");
		route_label(m, i, out);
		buf_printf(out, "} %.9f\n", (double)atomic_load(&r->sum_ns) / 1e9);
		buf_puts(out, "kadam_http_request_duration_seconds_count{");
		route_label(m, i, out);
		buf_printf(out, "} %llu\n", (unsigned long long)count);
	}
	buf_printf(out, "# HELP kadam_client_errors_total Errors reported by browsers.\n"
	                "# TYPE kadam_client_errors_total counter\n"
	                "kadam_client_errors_total %llu\n",
	           (unsigned long long)atomic_load(&m->client_errors));
	if (pool) {
		struct db_pool_stats st;
		db_pool_stats(pool, &st);
		buf_printf(out,
		           "# HELP kadam_db_pool_connections Database connections in the pool.\n"
		           "# TYPE kadam_db_pool_connections gauge\n"
		           "kadam_db_pool_connections %d\n"
		           "# HELP kadam_db_pool_in_use Database connections handed out now.\n"
		           "# TYPE kadam_db_pool_in_use gauge\n"
		           "kadam_db_pool_in_use %d\n"
		           "# HELP kadam_db_pool_acquired_total Connections handed out since start.\n"
		           "# TYPE kadam_db_pool_acquired_total counter\n"
		           "kadam_db_pool_acquired_total %llu\n"
		           "# HELP kadam_db_pool_waited_total Acquisitions that waited for a free connection.\n"
		           "# TYPE kadam_db_pool_waited_total counter\n"
		           "kadam_db_pool_waited_total %llu\n"
		           "# HELP kadam_db_pool_timeouts_total Acquisitions that gave up waiting.\n"
		           "# TYPE kadam_db_pool_timeouts_total counter\n"
		           "kadam_db_pool_timeouts_total %llu\n",
		           st.size, st.in_use, (unsigned long long)st.acquired,
		           (unsigned long long)st.waited, (unsigned long long)st.timed_out);
	}
}
