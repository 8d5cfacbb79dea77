#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "demo/demo.h"

static const char usage[] =
	"usage: kadam demo [--db URL] [--config FILE]\n"
	"\n"
	"Applies migrations and loads synthetic demo data (no real person's data).\n"
	"Safe to run again: it brings the demo data back to its initial state.\n";

int cmd_demo(int argc, char **argv)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 'd'}, {"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
	};
	const char *db_url = NULL, *config_file = NULL;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'd': db_url = optarg; break;
		case 'c': config_file = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("demo", usage, "unknown option or missing value");
		}
	}
	if (optind < argc)
		return cli_usage_error("demo", usage, "unexpected argument");
	struct config cfg;
	if (!cli_config(&cfg, config_file) || (db_url && !cli_flag(&cfg, "db", db_url, "--db"))) {
		config_free(&cfg);
		return 1;
	}
	int rc = 1;
	db *conn = cli_open_migrated(&cfg, true);
	if (conn) {
		char *error = NULL;
		if (demo_seed(conn, &error) == DB_OK) {
			printf("demo data loaded into %s\n", cfg.db);
			rc = 0;
		} else {
			fprintf(stderr, "kadam demo: %s\n", error ? error : "failed");
			free(error);
		}
		db_close(&conn);
	}
	config_free(&cfg);
	return rc;
}
