/*
 * routes.c — every HTTP route Kadam serves, as data. Dispatch, the metrics
 * labels, `kadam routes` and the OpenAPI comparison test all read this table.
 */
#include "api/api.h"
#include "http/router.h"

const struct route routes[] = {
	{"GET", "/healthz", "public", api_healthz, ROUTE_NO_LOG, "Liveness: the process answers"},
	{"GET", "/readyz", "public", api_readyz, ROUTE_NO_LOG, "Readiness: the database answers"},
	{"GET", "/metrics", "public", api_metrics, ROUTE_NO_LOG, "Prometheus metrics"},
	{"GET", "/api/v1/system", "public", api_system_get, 0,
	 "Deployment settings and versions the UI starts from"},
	{"POST", "/api/v1/client-errors", "public", api_client_errors_post, ROUTE_JSON_BODY,
	 "Report an error that happened in the browser UI"},
};
const size_t routes_count = sizeof routes / sizeof routes[0];
