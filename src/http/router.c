#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/policy.h"

/* Compares one pattern with a path segment by segment; fills params on a match. */
static bool pattern_match(const char *pattern, const char *path, struct http_param *params,
                          int *nparams_r)
{
	int n = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			goto fail;
		p++, s++;
		const char *pend = strchrnul(p, '/');
		const char *send = strchrnul(s, '/');
		if (*p == '{') {
			if (send == s || n == HTTP_MAX_PARAMS)
				goto fail; /* a parameter is never empty */
			if (params) {
				/* name points into the static pattern, just after the brace */
				params[n].name = p + 1;
				params[n].value = xstrndup(s, (size_t)(send - s));
			}
			n++;
		} else if ((size_t)(pend - p) != (size_t)(send - s) || memcmp(p, s, (size_t)(pend - p)) != 0) {
			goto fail;
		}
		p = pend, s = send;
	}
	if (*p || *s)
		goto fail;
	if (nparams_r)
		*nparams_r = n;
	return true;
fail:
	if (params)
		router_params_free(params, n);
	return false;
}

void router_params_free(struct http_param *params, int nparams)
{
	for (int i = 0; i < nparams; i++) {
		free(params[i].value);
		params[i].value = NULL;
	}
}

const char *http_request_param(const struct http_request *req, const char *name)
{
	size_t len = strlen(name);
	for (int i = 0; i < req->nparams; i++) {
		/* names point into the pattern: "id}/..." */
		if (strncmp(req->params[i].name, name, len) == 0 && req->params[i].name[len] == '}')
			return req->params[i].value;
	}
	return NULL;
}

static bool method_matches(const char *route_method, const char *method)
{
	return strcmp(route_method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

enum route_match router_match(const struct route *table, size_t count, const char *method,
                              const char *path, const struct route **route_r,
                              struct http_param *params, int *nparams_r, struct buf *allow)
{
	bool path_known = false;
	for (size_t i = 0; i < count; i++) {
		if (!pattern_match(table[i].pattern, path, NULL, NULL))
			continue;
		path_known = true;
		if (method_matches(table[i].method, method)) {
			pattern_match(table[i].pattern, path, params, nparams_r);
			*route_r = &table[i];
			return ROUTE_FOUND;
		}
	}
	if (!path_known)
		return ROUTE_NOT_FOUND;
	if (allow) {
		buf_reset(allow);
		for (size_t i = 0; i < count; i++) {
			if (!pattern_match(table[i].pattern, path, NULL, NULL))
				continue;
			if (allow->len)
				buf_puts(allow, ", ");
			buf_puts(allow, table[i].method);
			if (strcmp(table[i].method, "GET") == 0)
				buf_puts(allow, ", HEAD");
		}
	}
	return ROUTE_METHOD_NOT_ALLOWED;
}

size_t router_index(const struct route *route)
{
	return (size_t)(route - routes);
}

static bool valid_pattern(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		if (*s == '/' && (s[1] == '/' || s[1] == '\0') && s != p)
			return false;
		if (*s == '{') {
			const char *close = strchr(s, '}');
			if (!close || close == s + 1 || (close[1] != '/' && close[1] != '\0') || s[-1] != '/')
				return false;
		}
	}
	return true;
}

bool router_table_valid(const struct route *table, size_t count, char **error_r)
{
	static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
	for (size_t i = 0; i < count; i++) {
		const struct route *r = &table[i];
		bool method_ok = false;
		for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++)
			method_ok |= strcmp(r->method, methods[m]) == 0;
		if (!method_ok || !valid_pattern(r->pattern) || !r->handler || !r->summary) {
			*error_r = xasprintf("route %s %s is malformed", r->method, r->pattern);
			return false;
		}
		if (!policy_permission_known(r->permission)) {
			*error_r = xasprintf("route %s %s names unknown permission '%s'", r->method,
			                     r->pattern, r->permission);
			return false;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(table[j].method, r->method) == 0 &&
			    strcmp(table[j].pattern, r->pattern) == 0) {
				*error_r = xasprintf("route %s %s appears twice", r->method, r->pattern);
				return false;
			}
		}
	}
	return true;
}
