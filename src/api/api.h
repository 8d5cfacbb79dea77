/*
 * api.h — the handlers the route table (routes.c) points to, one file per
 * resource. A handler turns JSON into calls to the domain and back; it never
 * decides who may call it (the route's permission and the policy do).
 */
#ifndef KADAM_API_API_H
#define KADAM_API_API_H

#include "http/http.h"

/* health.c */
void api_healthz(struct http_request *req, struct http_response *resp);
void api_readyz(struct http_request *req, struct http_response *resp);
void api_metrics(struct http_request *req, struct http_response *resp);
/* system.c */
void api_system_get(struct http_request *req, struct http_response *resp);
/* client_errors.c */
void api_client_errors_post(struct http_request *req, struct http_response *resp);
/* The checks on a report's body, shared with its fuzz target. */
bool client_error_validate(const json_t *body, struct field_errors *fe);

/* Helpers shared by handlers (health.c). */
/* Takes a pooled connection or answers 503 and returns NULL. */
struct db *api_db_acquire(struct http_request *req, struct http_response *resp);
void api_db_release(struct http_request *req, struct db **db);
/* Answers 500 with a problem that names nothing internal, and logs the cause. */
void api_internal_error(struct http_request *req, struct http_response *resp, const char *what);

#endif
