#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/http.h"

void http_response_init(struct http_response *resp)
{
	*resp = (struct http_response){.status = 200, .file_fd = -1};
}

void http_response_free(struct http_response *resp)
{
	buf_free(&resp->body);
	for (int i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	if (resp->file_fd >= 0)
		close(resp->file_fd);
	resp->nheaders = 0;
	resp->file_fd = -1;
}

void http_response_header(struct http_response *resp, const char *name, const char *value)
{
	for (int i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, name) == 0) {
			free(resp->headers[i].value);
			resp->headers[i].value = xstrdup(value);
			return;
		}
	}
	if (resp->nheaders == HTTP_MAX_HEADERS)
		abort(); /* a programming error: raise HTTP_MAX_HEADERS */
	resp->headers[resp->nheaders++] = (struct http_header){xstrdup(name), xstrdup(value)};
}

void http_response_text(struct http_response *resp, int status, const char *content_type,
                        const char *text, size_t len)
{
	resp->status = status;
	resp->content_type = content_type;
	buf_reset(&resp->body);
	buf_append(&resp->body, text, len);
}

void http_response_json(struct http_response *resp, int status, json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT);
	json_decref(value);
	if (!text) {
		/* Only an allocation failure gets here; answer without a body. */
		http_response_text(resp, 500, "application/problem+json", "", 0);
		return;
	}
	http_response_text(resp, status, "application/json", text, strlen(text));
	free(text);
}

void http_problem(struct http_response *resp, const struct http_request *req, int status,
                  const char *type, const char *title, const char *detail, json_t *errors)
{
	http_problem_with(resp, req, status, type, title, detail, errors, NULL);
}

void http_problem_with(struct http_response *resp, const struct http_request *req, int status, const char *type,
                       const char *title, const char *detail, json_t *errors, json_t *members)
{
	char urn[96];
	snprintf(urn, sizeof urn, "urn:kadam:problem:%s", type);
	json_t *p = json_object();
	json_object_set_new(p, "type", json_string(urn));
	json_object_set_new(p, "title", json_string(title));
	json_object_set_new(p, "status", json_integer(status));
	if (detail)
		json_object_set_new(p, "detail", json_string(detail));
	if (req) {
		json_object_set_new(p, "instance", json_string(req->path));
		json_object_set_new(p, "request_id", json_string(req->request_id));
	}
	if (errors)
		json_object_set_new(p, "errors", errors);
	if (members) {
		json_object_update_missing(p, members);
		json_decref(members);
	}
	http_response_json(resp, status, p);
	resp->content_type = "application/problem+json";
}

void field_error(struct field_errors *fe, const char *field, const char *fmt, ...)
{
	struct buf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (!fe->list)
		fe->list = json_array();
	json_array_append_new(fe->list,
	                      json_pack("{s:s, s:s}", "field", field, "message", msg.data ? msg.data : ""));
	buf_free(&msg);
}

bool field_errors_respond(struct field_errors *fe, struct http_response *resp,
                          const struct http_request *req)
{
	if (!fe->list)
		return false;
	size_t n = json_array_size(fe->list);
	char detail[96];
	snprintf(detail, sizeof detail, "%zu field%s failed validation.", n, n == 1 ? "" : "s");
	http_problem(resp, req, 422, "validation-failed", "The request has invalid fields", detail,
	             fe->list);
	fe->list = NULL;
	return true;
}
