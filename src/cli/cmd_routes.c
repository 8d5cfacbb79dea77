#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/router.h"

static const char usage[] =
	"usage: kadam routes [--json]\n"
	"\n"
	"Lists every HTTP route with the permission it needs (the route table that\n"
	"dispatch uses; tests compare it with docs/openapi.yaml).\n";

int cmd_routes(int argc, char **argv)
{
	bool as_json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			as_json = true;
		else if (strcmp(argv[i], "--help") == 0)
			return fputs(usage, stdout), 0;
		else
			return cli_usage_error("routes", usage, "unexpected argument");
	}
	if (!as_json) {
		for (size_t i = 0; i < routes_count; i++)
			printf("%-6s %-40s %-12s %s\n", routes[i].method, routes[i].pattern,
			       routes[i].permission, routes[i].summary);
		return 0;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < routes_count; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:b}", "method", routes[i].method,
		                                      "path", routes[i].pattern, "permission",
		                                      routes[i].permission, "summary", routes[i].summary,
		                                      "json_body", (routes[i].flags & ROUTE_JSON_BODY) != 0));
	char *text = json_dumps(list, JSON_INDENT(2));
	puts(text);
	free(text);
	json_decref(list);
	return 0;
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--help") == 0)
		return fputs("usage: kadam version\n", stdout), 0;
	if (argc > 1)
		return cli_usage_error("version", "usage: kadam version\n", "unexpected argument");
	printf("kadam %s\n", KADAM_VERSION);
	return 0;
}
