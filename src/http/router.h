/*
 * router.h — the route table is the single source for dispatch, for the
 * permission each route needs, and for the test that compares the routes with
 * docs/openapi.yaml (`kadam routes`).
 */
#ifndef KADAM_HTTP_ROUTER_H
#define KADAM_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

enum route_flags {
	ROUTE_JSON_BODY = 1 << 0, /* needs Content-Type application/json; body parsed before the handler */
	ROUTE_NO_LOG = 1 << 1,    /* left out of the access log (probes scraped every few seconds) */
	ROUTE_NO_CSRF = 1 << 2,   /* state-changing but exempt from the CSRF check (login, error reports) */
	ROUTE_SECRET_PATH = 1 << 3, /* the path carries a secret (a feed token): the access log names the route only */
};

/* One row of the table. Patterns are literal segments and {name} segments. */
struct route {
	const char *method;     /* GET, POST, PUT, PATCH, DELETE */
	const char *pattern;    /* "/api/v1/people/{id}" */
	const char *permission; /* a name the policy module knows, "public" for no login */
	http_handler handler;
	unsigned flags;         /* enum route_flags */
	const char *summary;    /* one line, shown by `kadam routes` */
};

/* The table (src/api/routes.c) and its length. */
extern const struct route routes[];
extern const size_t routes_count;

enum route_match { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED };

/*
 * Finds the route for method and path. HEAD matches GET routes. On
 * ROUTE_FOUND, *route_r is set and params are filled (values malloc'd, freed
 * by router_params_free). On ROUTE_METHOD_NOT_ALLOWED, allow receives the
 * methods the path accepts ("GET, HEAD, POST").
 */
enum route_match router_match(const struct route *table, size_t count, const char *method,
                              const char *path, const struct route **route_r,
                              struct http_param *params, int *nparams_r, struct buf *allow);
void router_params_free(struct http_param *params, int nparams);
/* Index of a route in the table, for metrics. */
size_t router_index(const struct route *route);
/* Checks the table at start-up: patterns well-formed, no duplicates, known permissions. */
bool router_table_valid(const struct route *table, size_t count, char **error_r);

#endif
