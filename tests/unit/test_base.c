/* Unit tests for src/base: buffers, the clock, UUIDv7 ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"

static void buf_grows_and_stays_terminated(void **state)
{
	struct buf b = {0};
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	assert_int_equal(b.len, strlen(b.data));
	assert_true(strncmp(b.data, "0,1,2,", 6) == 0);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	buf_free(&b);
	assert_null(b.data);
}

static void buf_json_string_escapes(void **state)
{
	struct buf b = {0};
	buf_json_string(&b, "a\"b\\c\nd\x01 Бердибаев");
	assert_string_equal(b.data, "\"a\\\"b\\\\c\\nd\\u0001 Бердибаев\"");
	char *s = buf_steal(&b);
	assert_null(b.data);
	free(s);
	char *empty = buf_steal(&b);
	assert_string_equal(empty, "");
	free(empty);
}

static void clock_can_be_fixed_and_formats_rfc3339(void **state)
{
	clock_set_fixed(1764394270123); /* 2025-11-29T05:31:10.123Z */
	assert_int_equal(clock_now_ms(), 1764394270123);
	char out[32];
	clock_format_rfc3339(clock_now_ms(), out);
	assert_string_equal(out, "2025-11-29T05:31:10.123Z");
	clock_format_rfc3339(-1, out);
	assert_string_equal(out, "1969-12-31T23:59:59.999Z");
	clock_set_offset(0);
	assert_true(clock_now_ms() > 1764394270123);
}

static void clock_parses_rfc3339(void **state)
{
	int64_t ms = 0;
	assert_true(clock_parse_rfc3339("2025-11-29T05:31:10.123Z", &ms));
	assert_int_equal(ms, 1764394270123);
	assert_true(clock_parse_rfc3339("2025-11-29T11:31:10.123+06:00", &ms));
	assert_int_equal(ms, 1764394270123);
	assert_true(clock_parse_rfc3339("2025-11-29T05:31:10Z", &ms));
	assert_int_equal(ms, 1764394270000);
	const char *bad[] = {"2025-02-31T00:00:00Z", "2025-11-29 05:31:10Z", "2025-11-29T05:31:10", "2025-11-29T24:00:00Z",
	                     "2025-11-29T05:31:10+6:00", "1969-12-31T23:59:59Z", "2025-11-29T05:31:10.Z", "", NULL};
	for (int i = 0; bad[i]; i++)
		assert_false(clock_parse_rfc3339(bad[i], &ms));
	assert_false(clock_parse_rfc3339(NULL, &ms));
}

static void uuid_v7_is_versioned_sorted_and_unique(void **state)
{
	char a[UUID_STR_LEN], b[UUID_STR_LEN];
	clock_set_fixed(1000);
	uuid_v7(a);
	clock_set_fixed(2000);
	uuid_v7(b);
	clock_set_offset(0);
	assert_true(uuid_valid(a));
	assert_int_equal(a[14], '7');
	assert_true(strchr("89ab", a[19]) != NULL);
	assert_true(strcmp(a, b) < 0); /* later ids sort after earlier ones */
	assert_memory_equal(a, "00000000-03e8", 13); /* 1000 ms in the first 48 bits */
	uuid_v7(b);
	assert_string_not_equal(a, b);
	/* within one millisecond, and when the clock steps back, ids still increase */
	char prev[UUID_STR_LEN], next[UUID_STR_LEN];
	uuid_v7(prev);
	clock_set_fixed(5000);
	for (int i = 0; i < 1000; i++) {
		uuid_v7(next);
		assert_true(strcmp(prev, next) < 0);
		memcpy(prev, next, sizeof prev);
	}
	clock_set_offset(0);
	assert_false(uuid_valid("not-a-uuid"));
	assert_false(uuid_valid("0000000003e87xxx-8000-000000000000"));
	assert_false(uuid_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buf_grows_and_stays_terminated),
		cmocka_unit_test(buf_json_string_escapes),
		cmocka_unit_test(clock_can_be_fixed_and_formats_rfc3339),
		cmocka_unit_test(clock_parses_rfc3339),
		cmocka_unit_test(uuid_v7_is_versioned_sorted_and_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
