/*
 * client_errors.c — the browser UI reports its own uncaught errors here, so
 * that operators see in the server log what users hit. The report is checked
 * field by field, rate-limited per address, and logged; nothing is stored.
 */
#include "api/api.h"
#include "api/validate.h"
#include "app.h"
#include "base/clock.h"
#include "base/log.h"

static const char *const languages[] = {"ky", "ru", "en", NULL};

static const struct field_rule rules[] = {
	{"message", FIELD_STRING, true, 1, 1000, NULL},
	{"url", FIELD_STRING, false, 0, 2000, NULL},
	{"line", FIELD_INTEGER, false, 0, 10000000, NULL},
	{"column", FIELD_INTEGER, false, 0, 10000000, NULL},
	{"stack", FIELD_STRING, false, 0, 8000, NULL},
	{"language", FIELD_ENUM, false, 0, 0, languages},
};

static void add_string(struct buf *b, const json_t *body, const char *name)
{
	const char *s = json_string_value(json_object_get(body, name));
	if (!s)
		return;
	buf_printf(b, ",\"%s\":", name);
	buf_json_string(b, s);
}

bool client_error_validate(const json_t *body, struct field_errors *fe)
{
	return validate_object(body, rules, sizeof rules / sizeof rules[0], fe);
}

void api_client_errors_post(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	client_error_validate(req->json, &fe);
	if (field_errors_respond(&fe, resp, req))
		return;
	if (!ratelimit_allow(req->app->client_errors, req->remote_addr, clock_now_ms())) {
		http_problem(resp, req, 429, "rate-limited", "Too many reports",
		             "This address has sent too many error reports; try again in a minute.", NULL);
		http_response_header(resp, "Retry-After", "60");
		return;
	}
	struct buf fields = {0};
	buf_puts(&fields, ",\"component\":\"browser\",\"request_id\":");
	buf_json_string(&fields, req->request_id);
	add_string(&fields, req->json, "message");
	add_string(&fields, req->json, "url");
	add_string(&fields, req->json, "stack");
	add_string(&fields, req->json, "language");
	json_t *line = json_object_get(req->json, "line");
	json_t *column = json_object_get(req->json, "column");
	if (json_is_integer(line))
		buf_printf(&fields, ",\"line\":%lld", (long long)json_integer_value(line));
	if (json_is_integer(column))
		buf_printf(&fields, ",\"column\":%lld", (long long)json_integer_value(column));
	log_line(LOG_WARN, "browser error", fields.data);
	buf_free(&fields);
	metrics_count_client_error(req->app->metrics);
	resp->status = 204;
}
