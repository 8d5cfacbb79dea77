/*
 * server.c — libmicrohttpd glue: connection limits, body reading, dispatch
 * through the route table, security headers, metrics, access log, shutdown.
 *
 * Threading: one thread per connection (handlers block on SQL), started by
 * libmicrohttpd; each request's state lives in a struct exchange owned by the
 * connection until the request-completed callback frees it.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "api/api.h"
#include "base/clock.h"
#include "base/log.h"
#include "http/router.h"
#include "http/static.h"

/* One request from its first callback to its completion. */
struct exchange {
	struct http_request req;
	struct buf body;        /* the body read so far */
	bool too_large;         /* the body passed max_body_bytes: answer 413 */
	bool answered;          /* a response was queued (early 413) */
	int64_t start_ns;       /* monotonic, for the latency histogram */
	struct MHD_Connection *conn;
};

/* The running server. */
struct server {
	struct app *app;
	struct MHD_Daemon *daemon;
	_Atomic int in_flight; /* requests between first callback and completion */
};

/* The default policy; server_run adds the map tile server's origin to img-src when map_tile_url is set. */
#define CSP_FORMAT \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:%s%s; " \
	"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; " \
	"form-action 'self'; frame-ancestors 'none'"
static char csp[1024];

const char *http_request_header(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_request_query(const struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

static void peer_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, size, "unknown");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)size);
}

static bool is_api_path(const char *path)
{
	return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0 ||
	       strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0 ||
	       strcmp(path, "/metrics") == 0;
}

static void dispatch(struct server *srv, struct exchange *ex, struct http_response *resp)
{
	struct http_request *req = &ex->req;
	const struct route *route = NULL;
	struct buf allow = {0};
	enum route_match m = router_match(routes, routes_count, req->method, req->path, &route,
	                                  req->params, &req->nparams, &allow);
	if (m == ROUTE_METHOD_NOT_ALLOWED) {
		http_problem(resp, req, 405, "method-not-allowed", "Method not allowed",
		             "This path does not accept that method; see the Allow header.", NULL);
		http_response_header(resp, "Allow", allow.data);
	} else if (m == ROUTE_NOT_FOUND && is_api_path(req->path)) {
		http_problem(resp, req, 404, "not-found", "Not found", "No such API path.", NULL);
	} else if (m == ROUTE_NOT_FOUND) {
		if (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0) {
			static_serve(srv->app->cfg->ui_dir, req, resp);
		} else {
			http_problem(resp, req, 405, "method-not-allowed", "Method not allowed",
			             "UI pages accept only GET and HEAD.", NULL);
			http_response_header(resp, "Allow", "GET, HEAD");
		}
	} else {
		req->route = route;
		api_dispatch(req, resp);
	}
	buf_free(&allow);
}

static void add_common_headers(struct MHD_Response *r, const struct exchange *ex,
                               const struct http_response *resp)
{
	MHD_add_response_header(r, "X-Request-Id", ex->req.request_id);
	/* A handler may set a stricter policy of its own (the printable documents
	 * allow exactly their inline style, by hash); else the default applies. */
	bool own_csp = false;
	for (int i = 0; i < resp->nheaders; i++)
		own_csp |= strcasecmp(resp->headers[i].name, "Content-Security-Policy") == 0;
	if (!own_csp)
		MHD_add_response_header(r, "Content-Security-Policy", csp);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
	if (resp->content_type && resp->status != 304)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	bool has_cache_control = false;
	for (int i = 0; i < resp->nheaders; i++) {
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
		has_cache_control |= strcasecmp(resp->headers[i].name, "Cache-Control") == 0;
	}
	/* API answers may carry personal data: never stored by browsers or proxies. */
	if (!has_cache_control)
		MHD_add_response_header(r, "Cache-Control", "no-store");
}

static void access_log(const struct exchange *ex, int status, uint64_t bytes_out, int64_t ns)
{
	const struct http_request *req = &ex->req;
	if (req->route && (req->route->flags & ROUTE_NO_LOG))
		return;
	struct buf b = {0};
	char when[32];
	clock_format_rfc3339(clock_now_ms(), when);
	/* The path is logged without its query: queries can carry names. */
	buf_printf(&b, "{\"time\":\"%s\",\"level\":\"info\",\"msg\":\"request\",\"request_id\":\"%s\",\"method\":",
	           when, req->request_id);
	buf_json_string(&b, req->method);
	buf_puts(&b, ",\"path\":");
	buf_json_string(&b, req->route && (req->route->flags & ROUTE_SECRET_PATH) ? req->route->pattern : req->path);
	buf_puts(&b, ",\"route\":");
	if (req->route) {
		char *r = xasprintf("%s %s", req->route->method, req->route->pattern);
		buf_json_string(&b, r);
		free(r);
	} else {
		buf_puts(&b, "null");
	}
	buf_printf(&b, ",\"status\":%d,\"duration_ms\":%.3f,\"bytes_in\":%zu,\"bytes_out\":%llu,\"remote\":",
	           status, (double)ns / 1e6, ex->body.len, (unsigned long long)bytes_out);
	buf_json_string(&b, req->remote_addr);
	buf_putc(&b, '}');
	log_raw_json(b.data);
	buf_free(&b);
}

/* Turns resp into a libmicrohttpd response and queues it. */
static enum MHD_Result send_response(struct server *srv, struct exchange *ex,
                                     struct http_response *resp)
{
	struct MHD_Response *r;
	uint64_t bytes_out;
	if (resp->file_fd >= 0) {
		r = MHD_create_response_from_fd64(resp->file_size, resp->file_fd);
		bytes_out = resp->file_size;
		if (r)
			resp->file_fd = -1; /* libmicrohttpd closes it */
	} else {
		r = MHD_create_response_from_buffer(resp->body.len, resp->body.data ? resp->body.data : "",
		                                    MHD_RESPMEM_MUST_COPY);
		bytes_out = resp->body.len;
	}
	if (!r)
		return MHD_NO;
	add_common_headers(r, ex, resp);
	enum MHD_Result ok = MHD_queue_response(ex->conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	int64_t ns = clock_mono_ns() - ex->start_ns;
	size_t nroutes = routes_count;
	size_t slot = ex->req.route ? router_index(ex->req.route)
	              : is_api_path(ex->req.path) ? METRICS_ROUTE_UNMATCHED(nroutes)
	                                          : METRICS_ROUTE_STATIC(nroutes);
	metrics_record(srv->app->metrics, slot, resp->status, ns);
	access_log(ex, resp->status, bytes_out, ns);
	ex->answered = true;
	return ok;
}

static enum MHD_Result answer_problem(struct server *srv, struct exchange *ex, int status,
                                      const char *type, const char *title, const char *detail)
{
	struct http_response resp;
	http_response_init(&resp);
	http_problem(&resp, &ex->req, status, type, title, detail, NULL);
	enum MHD_Result ok = send_response(srv, ex, &resp);
	http_response_free(&resp);
	return ok;
}

static struct exchange *exchange_new(struct server *srv, struct MHD_Connection *conn,
                                     const char *url, const char *method)
{
	struct exchange *ex = xcalloc(1, sizeof *ex);
	ex->conn = conn;
	ex->start_ns = clock_mono_ns();
	ex->req.method = method;
	ex->req.path = url;
	ex->req.body = "";
	ex->req.app = srv->app;
	ex->req.conn = conn;
	uuid_v7(ex->req.request_id);
	peer_address(conn, ex->req.remote_addr, sizeof ex->req.remote_addr);
	atomic_fetch_add(&srv->in_flight, 1);
	return ex;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **state)
{
	struct server *srv = cls;
	struct exchange *ex = *state;
	size_t limit = (size_t)srv->app->cfg->max_body_bytes;
	if (!ex) {
		ex = *state = exchange_new(srv, conn, url, method);
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > limit)
			return answer_problem(srv, ex, 413, "body-too-large", "Request body too large",
			                      "The body is larger than this server accepts.");
		return MHD_YES;
	}
	if (ex->answered) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!ex->too_large && ex->body.len + *upload_data_size > limit) {
			ex->too_large = true;
			buf_free(&ex->body);
		}
		if (!ex->too_large)
			buf_append(&ex->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (ex->too_large)
		return answer_problem(srv, ex, 413, "body-too-large", "Request body too large",
		                      "The body is larger than this server accepts.");
	if (ex->body.data) {
		ex->req.body = ex->body.data;
		ex->req.body_len = ex->body.len;
	}
	struct http_response resp;
	http_response_init(&resp);
	dispatch(srv, ex, &resp);
	enum MHD_Result ok = send_response(srv, ex, &resp);
	http_response_free(&resp);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode code)
{
	struct server *srv = cls;
	struct exchange *ex = *state;
	if (!ex)
		return;
	router_params_free(ex->req.params, ex->req.nparams);
	json_decref(ex->req.json);
	buf_free(&ex->body);
	free(ex);
	*state = NULL;
	atomic_fetch_sub(&srv->in_flight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct buf b = {0};
	buf_vprintf(&b, fmt, ap);
	while (b.len && b.data[b.len - 1] == '\n')
		b.data[--b.len] = '\0';
	log_line(LOG_WARN, b.data ? b.data : "", ",\"component\":\"http\"");
	buf_free(&b);
}

void server_block_signals(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

static struct addrinfo *resolve_listen(const char *listen)
{
	char *host;
	int port;
	if (!config_parse_listen(listen, &host, &port))
		return NULL;
	char service[8];
	snprintf(service, sizeof service, "%d", port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
	                         .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(host, service, &hints, &ai);
	if (rc != 0)
		log_error("cannot resolve listen address %s: %s", listen, gai_strerror(rc));
	free(host);
	return rc == 0 ? ai : NULL;
}

static void wait_for_requests(struct server *srv, long grace_s)
{
	int64_t deadline = clock_mono_ns() + (int64_t)grace_s * 1000000000;
	while (atomic_load(&srv->in_flight) > 0 && clock_mono_ns() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	int left = atomic_load(&srv->in_flight);
	if (left > 0)
		log_warn("shutdown grace period ended with %d requests still open", left);
}

int server_run(struct app *app)
{
	const struct config *cfg = app->cfg;
	struct server srv = {.app = app};
	char tiles[520] = "";
	if (cfg->map_tile_url && cfg->map_tile_url[0] && !config_tile_origin(cfg->map_tile_url, tiles, sizeof tiles)) {
		log_error("map_tile_url is not a usable tile URL");
		return 1;
	}
	snprintf(csp, sizeof csp, CSP_FORMAT, tiles[0] ? " " : "", tiles);
	struct addrinfo *ai = resolve_listen(cfg->listen);
	if (!ai)
		return 1;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
	                 MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv.daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, &srv,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->max_connections_per_ip,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory_bytes,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
		MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!srv.daemon) {
		log_error("cannot listen on %s: %s", cfg->listen, strerror(errno));
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	char *host;
	config_parse_listen(cfg->listen, &host, NULL);
	bool v6 = strchr(host, ':') != NULL;
	printf("Kadam is running at http://%s%s%s:%u/\n", v6 ? "[" : "", host, v6 ? "]" : "",
	       info ? info->port : 0);
	fflush(stdout);
	free(host);
	log_line(LOG_INFO, "listening", NULL);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	log_info("received %s: finishing open requests", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	MHD_socket listener = MHD_quiesce_daemon(srv.daemon);
	wait_for_requests(&srv, cfg->shutdown_grace_s);
	MHD_stop_daemon(srv.daemon);
	if (listener != MHD_INVALID_SOCKET)
		close(listener);
	log_info("stopped");
	return 0;
}
