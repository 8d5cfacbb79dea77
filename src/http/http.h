/*
 * http.h — what handlers see of HTTP. Only server.c knows libmicrohttpd; the
 * router, the responses and every handler work on these structs.
 */
#ifndef KADAM_HTTP_HTTP_H
#define KADAM_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/policy.h"
#include "base/buf.h"
#include "base/uuid.h"
#include "store/db.h"

struct app;
struct route;

#define HTTP_MAX_PARAMS 8
#define HTTP_MAX_HEADERS 16

/* A {name} segment captured by the router; both point into storage the request owns. */
struct http_param {
	const char *name;
	char *value;
};

/*
 * One request, owned by server.c from the first byte until the response is
 * sent. Handlers read it; nothing here outlives the request.
 */
struct http_request {
	const char *method;             /* "GET", "POST", ... */
	const char *path;               /* decoded path, without the query */
	const char *body;               /* the whole body, NUL-terminated; "" when none */
	size_t body_len;                /* bytes in body */
	json_t *json;                   /* parsed body for routes that take JSON, else NULL */
	char request_id[UUID_STR_LEN];  /* also sent as X-Request-Id */
	char remote_addr[64];           /* the peer's address, for logs and limits */
	const struct route *route;      /* the matched route, NULL for static files */
	struct http_param params[HTTP_MAX_PARAMS];
	int nparams;
	struct app *app;                /* the running server's shared state */
	void *conn;                     /* server.c's connection, for header lookups */
	struct principal principal;     /* who is asking; anonymous until resolved */
	db *db;                         /* a pooled connection taken for this request, or NULL */
};

/* A request header (case-insensitive name) or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);
/* A query-string argument or NULL. */
const char *http_request_query(const struct http_request *req, const char *name);
/* A {name} path parameter or NULL. */
const char *http_request_param(const struct http_request *req, const char *name);

struct http_header {
	char *name;  /* owned */
	char *value; /* owned */
};

/*
 * A response being built. Either body (a buffer) or file_fd (a file to send
 * whole, owned and closed by the server) carries the content.
 */
struct http_response {
	int status;
	struct buf body;
	const char *content_type;       /* static string */
	struct http_header headers[HTTP_MAX_HEADERS];
	int nheaders;
	int file_fd;                    /* -1 unless sending a file */
	uint64_t file_size;
};

void http_response_init(struct http_response *resp);
void http_response_free(struct http_response *resp);
/* Adds (or replaces) a header. */
void http_response_header(struct http_response *resp, const char *name, const char *value);
/* Sets status and a JSON body; takes the reference to value. */
void http_response_json(struct http_response *resp, int status, json_t *value);
void http_response_text(struct http_response *resp, int status, const char *content_type,
                        const char *text, size_t len);

/*
 * RFC 9457 problem details. type is a stable slug ("validation-failed"),
 * sent as the URN "urn:kadam:problem:<slug>". errors, if not NULL, is an
 * array of {"field","message"} objects whose reference is taken.
 */
void http_problem(struct http_response *resp, const struct http_request *req, int status,
                  const char *type, const char *title, const char *detail, json_t *errors);
/* The same with more members (an object whose reference it takes), e.g. the duplicates found. */
void http_problem_with(struct http_response *resp, const struct http_request *req, int status, const char *type,
                       const char *title, const char *detail, json_t *errors, json_t *members);

/* Per-field validation errors, collected and then sent as one 422 problem. */
struct field_errors {
	json_t *list; /* array of {"field","message"}; NULL until the first error */
};
void field_error(struct field_errors *fe, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Sends 422 with the collected errors if any (returns true), else returns false. */
bool field_errors_respond(struct field_errors *fe, struct http_response *resp,
                          const struct http_request *req);

typedef void (*http_handler)(struct http_request *req, struct http_response *resp);

#endif
