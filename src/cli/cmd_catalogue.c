/*
 * cmd_catalogue.c — `kadam catalogue`: check a condition catalogue file
 * before it is loaded, and load one as a new version from the command line
 * (the same checks and the same transaction as POST /api/v1/condition-catalogue,
 * logged with the command line as the actor).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "domain/catalogue.h"

static const char usage[] =
	"usage: kadam catalogue check FILE\n"
	"                          check a condition catalogue file: exit 0 valid, 1 naming the first problem\n"
	"       kadam catalogue import FILE [--db URL] [--config FILE]\n"
	"                          load FILE as a new catalogue version (migrating first); its version must be\n"
	"                          above every loaded one; active conditions follow its \"replaces\" mapping\n";

static int check(int argc, char **argv)
{
	struct cli_file_args args;
	int rc = cli_file_args(argc, argv, "catalogue", usage, false, &args);
	if (rc >= 0)
		return rc;
	const char *file = args.file;
	char sha[65];
	json_t *doc = cli_read_json(file, CATALOGUE_MAX_BYTES, sha);
	if (!doc)
		return 1;
	struct catalogue_error err = {{0}, {0}};
	bool ok = catalogue_check(doc, &err);
	if (ok)
		printf("%s: version %lld, %zu conditions, sha256 %s: valid\n", file,
		       (long long)json_integer_value(json_object_get(doc, "version")),
		       json_array_size(json_object_get(doc, "conditions")), sha);
	else
		fprintf(stderr, "%s: %s: %s\n", file, *err.field ? err.field : "(file)", err.problem);
	json_decref(doc);
	return ok ? 0 : 1;
}

static int import(int argc, char **argv)
{
	struct cli_file_args args;
	int rc = cli_file_args(argc, argv, "catalogue", usage, true, &args);
	if (rc >= 0)
		return rc;
	const char *file = args.file;
	char sha[65];
	json_t *doc = cli_read_json(file, CATALOGUE_MAX_BYTES, sha);
	if (!doc)
		return 1;
	struct catalogue_error err = {{0}, {0}};
	if (!catalogue_check(doc, &err)) {
		fprintf(stderr, "%s: %s: %s\n", file, *err.field ? err.field : "(file)", err.problem);
		json_decref(doc);
		return 1;
	}
	db *conn = cli_open_db(args.db, args.config);
	if (!conn) {
		json_decref(doc);
		return 1;
	}
	int64_t version = 0, recoded = 0;
	json_t *ids = json_array();
	enum db_status status = db_begin(conn);
	if (status == DB_OK)
		status = catalogue_load_counted(conn, doc, sha, NULL, clock_now_ms(), &err, &version, &recoded, ids);
	if (status == DB_OK) {
		char record[24], detail[160];
		snprintf(record, sizeof record, "%lld", (long long)version);
		snprintf(detail, sizeof detail, "version %lld, sha256 %.16s...; %lld active conditions recoded",
		         (long long)version, sha, (long long)recoded);
		struct audit_entry e = {.actor_login = "kadam catalogue (command line)", .action = AUDIT_ALTER,
		                        .record_type = "condition_catalogue", .record_id = record,
		                        .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
		status = audit_append(conn, &e);
		/* Each recoded condition is an alteration of a person's record (S10). */
		snprintf(detail, sizeof detail, "recoded by condition catalogue version %lld", (long long)version);
		e.record_type = "condition";
		size_t i;
		json_t *id;
		json_array_foreach(ids, i, id) {
			e.record_id = json_string_value(id);
			if (status == DB_OK)
				status = audit_append(conn, &e);
		}
	}
	json_decref(ids);
	if (status == DB_OK)
		status = db_commit(conn);
	if (status == DB_OK) {
		printf("loaded %s as condition catalogue version %lld; %lld active condition%s recoded\n", file,
		       (long long)version, (long long)recoded, recoded == 1 ? "" : "s");
	} else {
		if (status == DB_CONSTRAINT && *err.field)
			fprintf(stderr, "%s: refused: %s: %s\n", file, err.field, err.problem);
		else
			fprintf(stderr, "kadam: loading %s failed: %s\n", file, db_errmsg(conn));
		db_rollback(conn);
	}
	db_close(&conn);
	json_decref(doc);
	return status == DB_OK ? 0 : 1;
}

int cmd_catalogue(int argc, char **argv)
{
	static const struct cli_subcommand subcommands[] = {{"check", check}, {"import", import}};
	return cli_subcommands(argc, argv, "catalogue", usage, "check or import", subcommands,
	                       sizeof subcommands / sizeof subcommands[0]);
}
