/*
 * cmd_instrument.c — `kadam instrument`: check a risk and needs instrument
 * file against the published schema (docs/instrument.schema.json) and what a
 * schema cannot say, naming every problem by its JSON Pointer; and load one
 * as the current version of its code (the same checks and the same
 * transaction as POST /api/v1/instruments, logged with the command line as
 * the actor).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "domain/catalogue.h"
#include "domain/instrument.h"

static const char usage[] =
	"usage: kadam instrument check FILE\n"
	"                          check an instrument file: exit 0 valid, 1 naming every problem (PATH: message)\n"
	"       kadam instrument import FILE [--db URL] [--config FILE]\n"
	"                          load FILE as the current version of its instrument (migrating first); a code\n"
	"                          and version are loaded once\n";

#define ACTOR "kadam instrument (command line)"

/* Reads and parses FILE (at most INSTRUMENT_MAX_BYTES); prints the problem and returns NULL. */
static json_t *read_file(const char *path, char sha_r[65])
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	char *data = xmalloc(INSTRUMENT_MAX_BYTES + 1);
	size_t n = fread(data, 1, INSTRUMENT_MAX_BYTES + 1, f);
	bool failed = ferror(f);
	fclose(f);
	json_t *doc = NULL;
	if (failed) {
		fprintf(stderr, "%s: cannot be read\n", path);
	} else if (n > INSTRUMENT_MAX_BYTES) {
		fprintf(stderr, "%s: larger than %d bytes\n", path, INSTRUMENT_MAX_BYTES);
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

/* Checks doc; prints each problem as "PATH: message" ("/" for the whole file) and returns false when any. */
static bool checked(const json_t *doc)
{
	struct instrument_problems p = {NULL, 0};
	bool ok = instrument_check(doc, &p);
	size_t i;
	const json_t *one;
	json_array_foreach(p.list, i, one) {
		const char *path = json_string_value(json_object_get(one, "path"));
		fprintf(stderr, "%s: %s\n", path && *path ? path : "/", json_string_value(json_object_get(one, "message")));
	}
	if (p.count > json_array_size(p.list))
		fprintf(stderr, "... and %zu more problems\n", p.count - json_array_size(p.list));
	instrument_problems_free(&p);
	return ok;
}

static size_t item_count(const json_t *doc)
{
	size_t n = 0, i;
	const json_t *d;
	json_array_foreach(json_object_get(doc, "domains"), i, d)
		n += json_array_size(json_object_get(d, "items"));
	return n;
}

/* Parses FILE and the options; returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, bool db_options, const char **file_r, const char **db_r,
                 const char **config_r)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (!db_options || (c != 'd' && c != 'c'))
			return cli_usage_error("instrument", usage, "unknown option or missing value");
		*(c == 'd' ? db_r : config_r) = optarg;
	}
	if (optind >= argc)
		return cli_usage_error("instrument", usage, "which FILE?");
	if (optind + 1 < argc)
		return cli_usage_error("instrument", usage, "unexpected argument");
	*file_r = argv[optind];
	return -1;
}

static int check(int argc, char **argv)
{
	const char *file = NULL, *db_url = NULL, *config_file = NULL;
	int rc = parse(argc, argv, false, &file, &db_url, &config_file);
	if (rc >= 0)
		return rc;
	char sha[65];
	json_t *doc = read_file(file, sha);
	if (!doc)
		return 1;
	bool ok = checked(doc);
	if (ok)
		printf("%s: valid instrument %s %s (%zu domains, %zu items)\n", file,
		       json_string_value(json_object_get(doc, "id")), json_string_value(json_object_get(doc, "version")),
		       json_array_size(json_object_get(doc, "domains")), item_count(doc));
	json_decref(doc);
	return ok ? 0 : 1;
}

/* DB_ROW when code and version are loaded, DB_DONE when not, else the error. */
static enum db_status loaded(db *conn, const json_t *doc)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT 1 FROM instrument WHERE code = ? AND version = ?", "tt",
	                             json_string_value(json_object_get(doc, "id")),
	                             json_string_value(json_object_get(doc, "version")));
	if (rc == DB_OK)
		rc = db_step(st);
	db_finalize(&st);
	return rc;
}

static int import(int argc, char **argv)
{
	const char *file = NULL, *db_url = NULL, *config_file = NULL;
	int rc = parse(argc, argv, true, &file, &db_url, &config_file);
	if (rc >= 0)
		return rc;
	char sha[65];
	json_t *doc = read_file(file, sha);
	if (!doc)
		return 1;
	if (!checked(doc)) {
		json_decref(doc);
		return 1;
	}
	const char *code = json_string_value(json_object_get(doc, "id"));
	const char *version = json_string_value(json_object_get(doc, "version"));
	struct config cfg;
	if (!cli_config(&cfg, config_file) || (db_url && !cli_flag(&cfg, "db", db_url, "--db"))) {
		json_decref(doc);
		return 1;
	}
	db *conn = cli_open_migrated(&cfg, true);
	config_free(&cfg);
	if (!conn) {
		json_decref(doc);
		return 1;
	}
	char id[UUID_STR_LEN] = "";
	bool already = false;
	enum db_status status = db_begin(conn);
	if (status == DB_OK) {
		status = loaded(conn, doc);
		already = status == DB_ROW;
		status = status == DB_DONE ? DB_OK : status == DB_ROW ? DB_CONSTRAINT : status;
	}
	if (status == DB_OK)
		status = instrument_load(conn, doc, sha, NULL, clock_now_ms(), id);
	if (status == DB_OK) {
		char detail[200];
		snprintf(detail, sizeof detail, "loaded %.63s version %.32s, sha256 %.16s...", code, version, sha);
		struct audit_entry e = {.actor_login = ACTOR, .action = AUDIT_ALTER, .record_type = "instrument",
		                        .record_id = id, .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
		status = audit_append(conn, &e);
	}
	if (status == DB_OK)
		status = db_commit(conn);
	if (status == DB_OK) {
		printf("loaded %s %s as instrument %s\n", code, version, id);
	} else {
		if (already || status == DB_CONSTRAINT)
			fprintf(stderr, "%s: refused: %s %s is already loaded\n", file, code, version);
		else
			fprintf(stderr, "kadam: loading %s failed: %s\n", file, db_errmsg(conn));
		db_rollback(conn);
	}
	db_close(&conn);
	json_decref(doc);
	return status == DB_OK ? 0 : 1;
}

int cmd_instrument(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("instrument", usage, "which one: check or import?");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "check") == 0)
		return check(argc - 1, argv + 1);
	if (strcmp(argv[1], "import") == 0)
		return import(argc - 1, argv + 1);
	return cli_usage_error("instrument", usage, "unknown subcommand");
}
