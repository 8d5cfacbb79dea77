/*
 * metrics.h — request counters and latency histograms for /metrics
 * (Prometheus text format 0.0.4). Lock-free: one atomic counter per
 * (route, status) and per (route, latency bucket).
 */
#ifndef KADAM_HTTP_METRICS_H
#define KADAM_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/db.h"

struct metrics;

/* Routes are numbered 0..nroutes-1; two more slots count static files and unmatched paths. */
#define METRICS_ROUTE_STATIC(nroutes) (nroutes)
#define METRICS_ROUTE_UNMATCHED(nroutes) ((nroutes) + 1)

struct metrics *metrics_new(size_t nroutes);
void metrics_free(struct metrics **m);
void metrics_record(struct metrics *m, size_t route, int status, int64_t duration_ns);
/* Counts a named event (e.g. "client_errors"); names are fixed at compile time. */
void metrics_count_client_error(struct metrics *m);
/* Writes the whole exposition; pool may be NULL. */
void metrics_render(struct metrics *m, db_pool *pool, struct buf *out);

#endif
