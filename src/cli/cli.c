#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>

extern char **environ;

bool cli_config(struct config *cfg, const char *config_file)
{
	char *error = NULL;
	config_init(cfg);
	if ((config_file && !config_load_file(cfg, config_file, &error)) ||
	    !config_load_env(cfg, environ, &error)) {
		fprintf(stderr, "kadam: configuration error: %s\n", error);
		free(error);
		return false;
	}
	log_set_level((enum log_level)cfg->log_level);
	return true;
}

bool cli_flag(struct config *cfg, const char *key, const char *value, const char *flag)
{
	char *error = NULL;
	if (!config_set(cfg, key, value, flag, &error)) {
		fprintf(stderr, "kadam: %s\n", error);
		free(error);
		return false;
	}
	return true;
}

db *cli_open_migrated(const struct config *cfg, bool quiet)
{
	db *conn = NULL;
	char *error = NULL;
	if (db_open(cfg->db, &conn, &error) != DB_OK) {
		fprintf(stderr, "kadam: cannot open database %s: %s\n", cfg->db, error ? error : "unknown error");
		free(error);
		return NULL;
	}
	int applied = 0;
	if (db_migrate(conn, &applied, &error) != DB_OK) {
		fprintf(stderr, "kadam: %s\n", error ? error : db_errmsg(conn));
		free(error);
		db_close(&conn);
		return NULL;
	}
	if (applied && !quiet)
		fprintf(stderr, "kadam: applied %d migration%s\n", applied, applied == 1 ? "" : "s");
	return conn;
}

int cli_usage_error(const char *cmd, const char *usage, const char *message)
{
	fprintf(stderr, "kadam %s: %s\n%s", cmd, message, usage);
	return EXIT_USAGE;
}
