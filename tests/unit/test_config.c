/* Unit tests for src/base/config.c: sources, precedence, and errors that name the key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"

static void defaults_are_safe(void **state)
{
	struct config cfg;
	config_init(&cfg);
	assert_string_equal(cfg.listen, "127.0.0.1:8080"); /* loopback unless told otherwise */
	assert_string_equal(cfg.db, "sqlite:var/kadam.db");
	assert_int_equal(cfg.max_body_bytes, 1 << 20);
	config_free(&cfg);
}

static void file_sets_keys_and_ignores_comments(void **state)
{
	struct config cfg;
	config_init(&cfg);
	char *err = NULL;
	const char text[] = "# Kadam\n\nlisten = 0.0.0.0:9000  # all addresses\n db=postgresql://k@h/db\n"
	                    "log_level = warn\nmax_body_bytes=2048\n";
	assert_true(config_load_text(&cfg, text, sizeof text - 1, "k.conf", &err));
	assert_string_equal(cfg.listen, "0.0.0.0:9000");
	assert_string_equal(cfg.db, "postgresql://k@h/db");
	assert_int_equal(cfg.log_level, LOG_WARN);
	assert_int_equal(cfg.max_body_bytes, 2048);
	config_free(&cfg);
}

static void errors_name_source_key_and_problem(void **state)
{
	struct config cfg;
	config_init(&cfg);
	char *err = NULL;
	assert_false(config_load_text(&cfg, "\n\ncolour = blue\n", 15, "k.conf", &err));
	assert_string_equal(err, "k.conf:3: unknown setting 'colour'");
	free(err);
	assert_false(config_load_text(&cfg, "listen\n", 7, "k.conf", &err));
	assert_string_equal(err, "k.conf:1: expected 'key = value'");
	free(err);
	assert_false(config_set(&cfg, "max_connections", "99999999", "--x", &err));
	assert_string_equal(err, "--x: max_connections: bad value '99999999': must be between 1 and 100000");
	free(err);
	assert_false(config_set(&cfg, "db_pool_size", "8x", "F", &err));
	assert_non_null(strstr(err, "expected a whole number"));
	free(err);
	assert_false(config_set(&cfg, "log_level", "loud", "F", &err));
	assert_non_null(strstr(err, "debug, info, warn or error"));
	free(err);
	assert_false(config_set(&cfg, "db", "sqlite:", "F", &err));
	free(err);
	assert_false(config_set(&cfg, "ui_dir", "", "F", &err));
	free(err);
	assert_false(config_load_text(&cfg, "a\0b", 3, "k.conf", &err));
	assert_non_null(strstr(err, "NUL"));
	free(err);
	/* a failed set leaves the old value */
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	config_free(&cfg);
}

static void env_applies_kadam_variables_only(void **state)
{
	struct config cfg;
	config_init(&cfg);
	char *err = NULL;
	char *env[] = {"PATH=/bin", "KADAM_LISTEN=127.0.0.1:1234", "KADAM_BIN=/x/kadam", "KADAM_DB_POOL_SIZE=3", NULL};
	assert_true(config_load_env(&cfg, env, &err));
	assert_string_equal(cfg.listen, "127.0.0.1:1234");
	assert_int_equal(cfg.db_pool_size, 3);
	char *bad[] = {"KADAM_NOPE=1", NULL};
	assert_false(config_load_env(&cfg, bad, &err));
	assert_string_equal(err, "KADAM_NOPE: unknown setting 'nope'");
	free(err);
	config_free(&cfg);
}

static void listen_parses_ipv4_ipv6_and_names(void **state)
{
	char *host;
	int port;
	assert_true(config_parse_listen("[::1]:8080", &host, &port));
	assert_string_equal(host, "::1");
	assert_int_equal(port, 8080);
	free(host);
	assert_true(config_parse_listen("localhost:0", &host, &port));
	assert_string_equal(host, "localhost");
	free(host);
	assert_false(config_parse_listen("127.0.0.1", NULL, NULL));
	assert_false(config_parse_listen(":80", NULL, NULL));
	assert_false(config_parse_listen("h:65536", NULL, NULL));
	assert_false(config_parse_listen("h:8o", NULL, NULL));
	assert_false(config_parse_listen("[::1]8080", NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults_are_safe),
		cmocka_unit_test(file_sets_keys_and_ignores_comments),
		cmocka_unit_test(errors_name_source_key_and_problem),
		cmocka_unit_test(env_applies_kadam_variables_only),
		cmocka_unit_test(listen_parses_ipv4_ipv6_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
