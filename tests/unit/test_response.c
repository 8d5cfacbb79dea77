/* Unit tests for problem+json, field validation, the rate limiter and the policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "api/validate.h"
#include "auth/policy.h"
#include "http/http.h"
#include "http/ratelimit.h"
#include "http/static.h"

static void problem_has_rfc9457_fields(void **state)
{
	struct http_request req = {.path = "/api/v1/x"};
	strcpy(req.request_id, "0190a000-0000-7000-8000-000000000000");
	struct http_response resp;
	http_response_init(&resp);
	http_problem(&resp, &req, 404, "not-found", "Not found", "No such API path.", NULL);
	assert_int_equal(resp.status, 404);
	assert_string_equal(resp.content_type, "application/problem+json");
	json_t *j = json_loads(resp.body.data, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "type")), "urn:kadam:problem:not-found");
	assert_int_equal(json_integer_value(json_object_get(j, "status")), 404);
	assert_string_equal(json_string_value(json_object_get(j, "instance")), "/api/v1/x");
	assert_string_equal(json_string_value(json_object_get(j, "request_id")), req.request_id);
	json_decref(j);
	http_response_free(&resp);
}

static const char *const colours[] = {"red", "green", NULL};
static const struct field_rule rules[] = {
	{"name", FIELD_STRING, true, 2, 5, NULL},
	{"count", FIELD_INTEGER, false, 0, 10, NULL},
	{"colour", FIELD_ENUM, false, 0, 0, colours},
};

static json_t *check(const char *text, bool expect_ok)
{
	json_t *body = json_loads(text, JSON_ALLOW_NUL, NULL);
	assert_non_null(body);
	struct field_errors fe = {0};
	assert_int_equal(validate_object(body, rules, 3, &fe), expect_ok);
	json_decref(body);
	return fe.list;
}

static const char *message_for(json_t *list, const char *field)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
		if (strcmp(json_string_value(json_object_get(e, "field")), field) == 0)
			return json_string_value(json_object_get(e, "message"));
	return NULL;
}

static void validation_names_every_bad_field(void **state)
{
	assert_null(check("{\"name\":\"Айгүл\",\"count\":3,\"colour\":\"red\"}", true)); /* 5 characters, 10 bytes */
	assert_null(check("{\"name\":\"ab\",\"count\":null}", true));
	json_t *l = check("{\"count\":11,\"colour\":\"blue\",\"x\":true}", false);
	assert_string_equal(message_for(l, "name"), "is required");
	assert_string_equal(message_for(l, "count"), "must be between 0 and 10");
	assert_string_equal(message_for(l, "colour"), "must be one of: red, green");
	assert_string_equal(message_for(l, "x"), "is not a known field");
	json_decref(l);
	l = check("{\"name\":\"abcdef\",\"count\":1.5}", false);
	assert_string_equal(message_for(l, "name"), "must have at most 5 characters");
	assert_string_equal(message_for(l, "count"), "must be a whole number");
	json_decref(l);
	l = check("{\"name\":\"a\\u0000b\"}", false);
	assert_string_equal(message_for(l, "name"), "must not contain NUL characters");
	json_decref(l);
	l = check("[]", false);
	assert_string_equal(message_for(l, "body"), "must be a JSON object");
	json_decref(l);
}

static void utf8_validity(void **state)
{
	assert_true(utf8_valid("Бердибаев ңөү ok"));
	assert_true(utf8_valid("\xF0\x9F\x98\x80"));
	assert_false(utf8_valid("\xC0\xAF"));         /* overlong '/' */
	assert_false(utf8_valid("\xED\xA0\x80"));     /* a surrogate */
	assert_false(utf8_valid("\xF4\x90\x80\x80")); /* past U+10FFFF */
	assert_false(utf8_valid("\xE2\x82"));          /* cut short */
	assert_false(utf8_valid("\xFF"));
	assert_int_equal(utf8_length("Бердибаев"), 9);
}

static void rate_limit_counts_per_key_and_window(void **state)
{
	struct ratelimit *rl = ratelimit_new(2, 60000);
	assert_true(ratelimit_allow(rl, "10.0.0.1", 0));
	assert_true(ratelimit_allow(rl, "10.0.0.1", 1));
	assert_false(ratelimit_allow(rl, "10.0.0.1", 2));
	assert_true(ratelimit_allow(rl, "10.0.0.2", 2)); /* another address has its own count */
	assert_true(ratelimit_allow(rl, "10.0.0.1", 60001)); /* a new window */
	/* many distinct keys never grow memory and never wrongly refuse a new key */
	char key[32];
	for (int i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "k%d", i);
		assert_true(ratelimit_allow(rl, key, 70000));
	}
	ratelimit_free(&rl);
	assert_null(rl);
}

static void policy_denies_by_default(void **state)
{
	struct principal anonymous = {0};
	assert_int_equal(policy_check(&anonymous, "public"), POLICY_ALLOW);
	assert_int_equal(policy_check(&anonymous, "no.such.permission"), POLICY_FORBIDDEN);
	assert_int_equal(policy_check(NULL, "public"), POLICY_ALLOW);
	assert_int_equal(policy_check(&anonymous, NULL), POLICY_FORBIDDEN);
	assert_false(policy_permission_known("anything"));
}

static void content_types_by_extension(void **state)
{
	assert_string_equal(static_content_type("/assets/index-abc.js"), "text/javascript; charset=utf-8");
	assert_string_equal(static_content_type("index.HTML"), "text/html; charset=utf-8");
	assert_string_equal(static_content_type("a.css"), "text/css; charset=utf-8");
	assert_string_equal(static_content_type("logo.svg"), "image/svg+xml");
	assert_string_equal(static_content_type("x.v1/noext"), "application/octet-stream");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(problem_has_rfc9457_fields),
		cmocka_unit_test(validation_names_every_bad_field),
		cmocka_unit_test(utf8_validity),
		cmocka_unit_test(rate_limit_counts_per_key_and_window),
		cmocka_unit_test(policy_denies_by_default),
		cmocka_unit_test(content_types_by_extension),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
