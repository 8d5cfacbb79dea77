#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "cli/cli.h"

static const char usage[] =
	"usage: kadam migrate [--db URL] [--config FILE]          apply pending migrations\n"
	"       kadam migrate status [--db URL] [--config FILE]   show applied and pending ones\n";

static int status_report(db *conn)
{
	size_t count = 0;
	const struct db_migration *known = db_migrations(db_driver_of(conn)->dialect, &count);
	int version = 0;
	if (db_schema_version(conn, &version) != DB_OK) {
		fprintf(stderr, "kadam: %s\n", db_errmsg(conn));
		return 1;
	}
	printf("backend: %s\nschema version: %d\nknown to this kadam: %d\n", db_driver_of(conn)->name,
	       version, count ? known[count - 1].version : 0);
	db_stmt *st = NULL;
	if (db_prepare(conn, "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
	               &st) != DB_OK) {
		fprintf(stderr, "kadam: %s\n", db_errmsg(conn));
		return 1;
	}
	while (db_step(st) == DB_ROW) {
		char when[32];
		clock_format_rfc3339(db_column_int64(st, 2), when);
		const char *name = db_column_text(st, 1, NULL);
		printf("  %04lld %-30s applied %s\n", (long long)db_column_int64(st, 0), name ? name : "", when);
	}
	db_finalize(&st);
	for (size_t i = 0; i < count; i++)
		if (known[i].version > version)
			printf("  %04d %-30s pending\n", known[i].version, known[i].name);
	return 0;
}

int cmd_migrate(int argc, char **argv)
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
		default: return cli_usage_error("migrate", usage, "unknown option or missing value");
		}
	}
	bool status_only = false;
	if (optind < argc) {
		if (strcmp(argv[optind], "status") != 0 || optind + 1 < argc)
			return cli_usage_error("migrate", usage, "unexpected argument");
		status_only = true;
	}
	struct config cfg;
	if (!cli_config(&cfg, config_file) || (db_url && !cli_flag(&cfg, "db", db_url, "--db"))) {
		config_free(&cfg);
		return 1;
	}
	int rc = 1;
	db *conn = NULL;
	if (status_only) {
		char *error = NULL;
		if (db_open(cfg.db, &conn, &error) != DB_OK) {
			fprintf(stderr, "kadam: cannot open database %s: %s\n", cfg.db, error ? error : "");
			free(error);
		} else {
			rc = status_report(conn);
		}
	} else if ((conn = cli_open_migrated(&cfg, false))) {
		int version = 0;
		db_schema_version(conn, &version);
		printf("database is at schema version %d\n", version);
		rc = 0;
	}
	db_close(&conn);
	config_free(&cfg);
	return rc;
}
