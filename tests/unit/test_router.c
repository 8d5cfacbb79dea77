/* Unit tests for src/http/router.c: matching, parameters, 405's Allow, table checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/router.h"

static void h(struct http_request *req, struct http_response *resp) {}

static const struct route table[] = {
	{"GET", "/api/v1/people", "public", h, 0, "list"},
	{"POST", "/api/v1/people", "public", h, ROUTE_JSON_BODY, "create"},
	{"GET", "/api/v1/people/{id}", "public", h, 0, "one"},
	{"PUT", "/api/v1/people/{id}", "public", h, 0, "update"},
	{"GET", "/api/v1/cases/{case}/notes/{note}", "public", h, 0, "note"},
};
#define N (sizeof table / sizeof table[0])

static void matches_literal_and_parameter_paths(void **state)
{
	const struct route *r = NULL;
	struct http_param params[HTTP_MAX_PARAMS];
	int n = 0;
	assert_int_equal(router_match(table, N, "GET", "/api/v1/people", &r, params, &n, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &table[0]);
	assert_int_equal(n, 0);
	assert_int_equal(router_match(table, N, "GET", "/api/v1/cases/c1/notes/n-2", &r, params, &n, NULL),
	                 ROUTE_FOUND);
	assert_ptr_equal(r, &table[4]);
	struct http_request req = {.nparams = n};
	memcpy(req.params, params, sizeof params);
	assert_string_equal(http_request_param(&req, "case"), "c1");
	assert_string_equal(http_request_param(&req, "note"), "n-2");
	assert_null(http_request_param(&req, "id"));
	assert_null(http_request_param(&req, "not"));
	router_params_free(params, n);
}

static void head_matches_get(void **state)
{
	const struct route *r = NULL;
	struct http_param params[HTTP_MAX_PARAMS];
	int n = 0;
	assert_int_equal(router_match(table, N, "HEAD", "/api/v1/people/7", &r, params, &n, NULL), ROUTE_FOUND);
	assert_ptr_equal(r, &table[2]);
	router_params_free(params, n);
}

static void unknown_paths_and_methods(void **state)
{
	const struct route *r = NULL;
	struct http_param params[HTTP_MAX_PARAMS];
	int n = 0;
	struct buf allow = {0};
	const char *missing[] = {"/api/v1/peoplex", "/api/v1/people/", "/api/v1/people/1/2", "/api/v1//x",
	                         "/", "", "/api/v1/cases//notes/x", "/API/V1/PEOPLE"};
	for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
		assert_int_equal(router_match(table, N, "GET", missing[i], &r, params, &n, &allow),
		                 ROUTE_NOT_FOUND);
	assert_int_equal(router_match(table, N, "DELETE", "/api/v1/people", &r, params, &n, &allow),
	                 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow.data, "GET, HEAD, POST");
	assert_int_equal(router_match(table, N, "DELETE", "/api/v1/people/9", &r, params, &n, &allow),
	                 ROUTE_METHOD_NOT_ALLOWED);
	assert_string_equal(allow.data, "GET, HEAD, PUT");
	buf_free(&allow);
}

static void table_checks_catch_mistakes(void **state)
{
	char *err = NULL;
	assert_true(router_table_valid(routes, routes_count, &err));
	assert_true(router_table_valid(table, N, &err));
	const struct route dup[] = {table[0], table[0]};
	assert_false(router_table_valid(dup, 2, &err));
	assert_non_null(strstr(err, "appears twice"));
	free(err);
	const struct route unknown_perm[] = {{"GET", "/x", "people.read.everything", h, 0, "x"}};
	assert_false(router_table_valid(unknown_perm, 1, &err));
	assert_non_null(strstr(err, "unknown permission"));
	free(err);
	const struct route bad[] = {{"GET", "/x/{", "public", h, 0, "x"}};
	assert_false(router_table_valid(bad, 1, &err));
	free(err);
	const struct route trailing[] = {{"GET", "/x/", "public", h, 0, "x"}};
	assert_false(router_table_valid(trailing, 1, &err));
	free(err);
	const struct route verb[] = {{"BREW", "/x", "public", h, 0, "x"}};
	assert_false(router_table_valid(verb, 1, &err));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_literal_and_parameter_paths),
		cmocka_unit_test(head_matches_get),
		cmocka_unit_test(unknown_paths_and_methods),
		cmocka_unit_test(table_checks_catch_mistakes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
