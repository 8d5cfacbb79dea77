/*
 * cmd_admin.c — `kadam admin`: the first administrator (S22: no default
 * account; this command prints a one-time secret) and a password reset for
 * an operator locked out of every administrator account.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "auth/session.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "domain/account.h"
#include "domain/org.h"

static const char usage[] =
	"usage: kadam admin create --login NAME [--name \"DISPLAY NAME\"] [--db URL] [--config FILE]\n"
	"       kadam admin reset-password --login NAME [--db URL] [--config FILE]\n"
	"\n"
	"create makes an administrator (in the agency \"Administration\", made if missing)\n"
	"and prints a one-time password that must be changed at the first login, where\n"
	"TOTP is also set up. reset-password gives an account a new one-time password\n"
	"and ends its sessions. Both write the processing log.\n";

/* The administration agency's id, creating it when there is none. */
static bool admin_agency(db *conn, char id_r[UUID_STR_LEN])
{
	db_stmt *st = NULL;
	id_r[0] = '\0';
	if (db_query(conn, &st, "SELECT id FROM agency WHERE kind = 'administration' ORDER BY created_at", "") ==
	            DB_OK &&
	    db_step(st) == DB_ROW)
		snprintf(id_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (id_r[0])
		return true;
	return org_agency_create(conn, "Administration", "administration", clock_now_ms(), id_r) == ORG_OK;
}

static bool log_system(db *conn, const char *action, const char *id, const char *detail)
{
	struct audit_entry e = {.actor_login = "kadam admin (command line)", .action = action,
	                        .record_type = "account", .record_id = id, .outcome = AUDIT_OUTCOME_SUCCESS,
	                        .detail = detail};
	return audit_append(conn, &e) == DB_OK;
}

static int create(db *conn, const char *login, const char *name)
{
	char agency[UUID_STR_LEN], id[UUID_STR_LEN], one_time[PASSWORD_ONETIME_SIZE];
	const char *roles[] = {"administrator"};
	struct account_fields f = {.login = login, .display_name = name ? name : login, .agency_id = agency,
	                           .preferred_language = "ky", .roles = roles, .nroles = 1};
	if (db_begin(conn) != DB_OK || !admin_agency(conn, agency)) {
		fprintf(stderr, "kadam admin: %s\n", db_errmsg(conn));
		db_rollback(conn);
		return 1;
	}
	enum account_result r = account_provision(conn, &f, clock_now_ms(), one_time, id);
	if (r == ACCOUNT_DUPLICATE) {
		fprintf(stderr, "kadam admin: the login '%s' is taken\n", login);
		db_rollback(conn);
		return 1;
	}
	if (r != ACCOUNT_OK || !log_system(conn, AUDIT_ACCOUNT_CREATE, id, "first administrator") ||
	    db_commit(conn) != DB_OK) {
		fprintf(stderr, "kadam admin: %s\n", db_errmsg(conn));
		db_rollback(conn);
		return 1;
	}
	printf("created administrator\nlogin: %s\none-time password: %s\n"
	       "It must be changed at the first login, where TOTP is also set up.\n", login, one_time);
	return 0;
}

static int reset_password(db *conn, const char *login)
{
	struct account_login a;
	bool found = false;
	char one_time[PASSWORD_ONETIME_SIZE], hash[crypto_pwhash_STRBYTES];
	password_generate_onetime(one_time);
	if (!password_hash(one_time, hash) || db_begin(conn) != DB_OK ||
	    account_for_login(conn, login, &found, &a) != DB_OK) {
		fprintf(stderr, "kadam admin: %s\n", db_errmsg(conn));
		db_rollback(conn);
		return 1;
	}
	if (!found) {
		fprintf(stderr, "kadam admin: no account has the login '%s'\n", login);
		db_rollback(conn);
		return 1;
	}
	if (account_set_password(conn, a.id, hash, true, clock_now_ms()) != ACCOUNT_OK ||
	    session_end_all(conn, a.id, "password reset", clock_now_ms()) != DB_OK ||
	    !log_system(conn, AUDIT_ACCOUNT_UPDATE, a.id, "password reset") || db_commit(conn) != DB_OK) {
		fprintf(stderr, "kadam admin: %s\n", db_errmsg(conn));
		db_rollback(conn);
		return 1;
	}
	printf("login: %s\none-time password: %s\nIt must be changed at the next login.\n", login, one_time);
	return 0;
}

int cmd_admin(int argc, char **argv)
{
	static const struct option options[] = {
		{"login", required_argument, NULL, 'l'}, {"name", required_argument, NULL, 'n'},
		{"db", required_argument, NULL, 'd'},    {"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
	};
	const char *login = NULL, *name = NULL, *db_url = NULL, *config_file = NULL;
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'l': login = optarg; break;
		case 'n': name = optarg; break;
		case 'd': db_url = optarg; break;
		case 'c': config_file = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("admin", usage, "unknown option or missing value");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("admin", usage, "say create or reset-password");
	const char *what = argv[optind];
	bool is_create = strcmp(what, "create") == 0;
	if (!is_create && strcmp(what, "reset-password") != 0)
		return cli_usage_error("admin", usage, "say create or reset-password");
	if (!login || !*login || strlen(login) > 64 || (name && strlen(name) > 200))
		return cli_usage_error("admin", usage, "--login NAME (at most 64 characters) is required");
	for (const char *p = login; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("._-", *p)))
			return cli_usage_error("admin", usage, "a login uses only a-z, 0-9, '.', '_' and '-'");
	struct config cfg;
	if (!cli_config(&cfg, config_file) || (db_url && !cli_flag(&cfg, "db", db_url, "--db"))) {
		config_free(&cfg);
		return 1;
	}
	int rc = 1;
	db *conn = cli_open_migrated(&cfg, true);
	if (conn)
		rc = is_create ? create(conn, login, name) : reset_password(conn, login);
	db_close(&conn);
	config_free(&cfg);
	return rc;
}
