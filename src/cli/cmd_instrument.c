/*
 * cmd_instrument.c — `kadam instrument`: check a risk and needs instrument
 * file against the published schema (docs/instrument.schema.json) and what a
 * schema cannot say, naming every problem by its JSON Pointer; and load one
 * as the current version of its code (the same checks and the same
 * transaction as POST /api/v1/instruments, logged with the command line as
 * the actor).
 */
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

static int check(int argc, char **argv)
{
	struct cli_file_args args;
	int rc = cli_file_args(argc, argv, "instrument", usage, false, &args);
	if (rc >= 0)
		return rc;
	const char *file = args.file;
	char sha[65];
	json_t *doc = cli_read_json(file, INSTRUMENT_MAX_BYTES, sha);
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
	struct cli_file_args args;
	int rc = cli_file_args(argc, argv, "instrument", usage, true, &args);
	if (rc >= 0)
		return rc;
	const char *file = args.file;
	char sha[65];
	json_t *doc = cli_read_json(file, INSTRUMENT_MAX_BYTES, sha);
	if (!doc)
		return 1;
	if (!checked(doc)) {
		json_decref(doc);
		return 1;
	}
	const char *code = json_string_value(json_object_get(doc, "id"));
	const char *version = json_string_value(json_object_get(doc, "version"));
	db *conn = cli_open_db(args.db, args.config);
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
	static const struct cli_subcommand subcommands[] = {{"check", check}, {"import", import}};
	return cli_subcommands(argc, argv, "instrument", usage, "check or import", subcommands,
	                       sizeof subcommands / sizeof subcommands[0]);
}
