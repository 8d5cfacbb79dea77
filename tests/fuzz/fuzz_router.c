/* Fuzz target: a request line (method and path) through the router and the static-file checks. */
#include <stdint.h>
#include <string.h>

#include "http/router.h"
#include "http/static.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *text = xstrndup((const char *)data, size);
	char *space = strchr(text, ' ');
	const char *method = "GET", *path = text;
	if (space) {
		*space = '\0';
		method = text;
		path = space + 1;
	}
	const struct route *r = NULL;
	struct http_param params[HTTP_MAX_PARAMS];
	int n = 0;
	struct buf allow = {0};
	if (router_match(routes, routes_count, method, path, &r, params, &n, &allow) == ROUTE_FOUND)
		router_params_free(params, n);
	static_content_type(path);
	buf_free(&allow);
	free(text);
	return 0;
}
