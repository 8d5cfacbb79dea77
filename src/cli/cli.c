#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/catalogue.h"

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

int cli_subcommands(int argc, char **argv, const char *cmd, const char *usage, const char *which,
                    const struct cli_subcommand *subs, size_t n)
{
	if (argc < 2) {
		char message[160];
		snprintf(message, sizeof message, "which one: %s?", which);
		return cli_usage_error(cmd, usage, message);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 1, argv + 1);
	return cli_usage_error(cmd, usage, "unknown subcommand");
}

int cli_file_args(int argc, char **argv, const char *cmd, const char *usage, bool db_options,
                  struct cli_file_args *a)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	a->file = a->db = a->config = NULL;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (!db_options || (c != 'd' && c != 'c'))
			return cli_usage_error(cmd, usage, "unknown option or missing value");
		*(c == 'd' ? &a->db : &a->config) = optarg;
	}
	if (optind >= argc)
		return cli_usage_error(cmd, usage, "which FILE?");
	if (optind + 1 < argc)
		return cli_usage_error(cmd, usage, "unexpected argument");
	a->file = argv[optind];
	return -1;
}

json_t *cli_read_json(const char *path, size_t max_bytes, char sha_r[65])
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	char *data = xmalloc(max_bytes + 1);
	size_t n = fread(data, 1, max_bytes + 1, f);
	bool failed = ferror(f);
	fclose(f);
	json_t *doc = NULL;
	if (failed) {
		fprintf(stderr, "%s: cannot be read\n", path);
	} else if (n > max_bytes) {
		fprintf(stderr, "%s: larger than %zu bytes\n", path, max_bytes);
	} else {
		json_error_t err;
		doc = json_loadb(data, n, JSON_REJECT_DUPLICATES, &err);
		if (!doc)
			fprintf(stderr, "%s:%d:%d: not valid JSON: %s\n", path, err.line, err.column, err.text);
		else
			catalogue_sha256_hex(data, n, sha_r);
	}
	free(data);
	return doc;
}

db *cli_open_db(const char *db_url, const char *config_file)
{
	struct config cfg;
	if (!cli_config(&cfg, config_file) || (db_url && !cli_flag(&cfg, "db", db_url, "--db"))) {
		config_free(&cfg);
		return NULL;
	}
	db *conn = cli_open_migrated(&cfg, true);
	config_free(&cfg);
	return conn;
}
