/*
 * cmd_audit.c — `kadam audit`: verify, export, checkpoint and keygen for the
 * processing log (S11). These commands never migrate: a verifier should not
 * write to the database it checks, and checkpoint writes only its own row.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "cli/cli.h"

static const char usage[] =
	"usage: kadam audit verify [--db URL] [--config FILE] [--public-key FILE | --key FILE]\n"
	"                          check the processing log: exit 0 intact, 1 naming the first problem;\n"
	"                          with a key, every checkpoint must be signed by it\n"
	"       kadam audit export [--db URL] [--config FILE] --out FILE\n"
	"                          append the entries not yet in FILE as JSON lines\n"
	"       kadam audit checkpoint [--db URL] [--config FILE] --key FILE\n"
	"                          sign the newest entry with the key in FILE (default: audit_key_file)\n"
	"       kadam audit keygen --out FILE\n"
	"                          make a signing key (mode 0600, never overwritten); prints the public key\n";

/* The options every subcommand may get; each subcommand says which it accepts. */
struct audit_options {
	const char *db_url;
	const char *config_file;
	const char *public_key_file;
	const char *key_file;
	const char *out;
};

enum { OPT_DB = 1 << 0, OPT_CONFIG = 1 << 1, OPT_PUBLIC_KEY = 1 << 2, OPT_KEY = 1 << 3, OPT_OUT = 1 << 4 };

/* Parses argv (argv[0] is the subcommand); returns -1 to go on, else an exit status. */
static int parse(int argc, char **argv, unsigned allowed, struct audit_options *o)
{
	static const struct option options[] = {
		{"db", required_argument, NULL, 'd'},         {"config", required_argument, NULL, 'c'},
		{"public-key", required_argument, NULL, 'p'}, {"key", required_argument, NULL, 'k'},
		{"out", required_argument, NULL, 'o'},        {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	*o = (struct audit_options){0};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		unsigned bit = c == 'd' ? OPT_DB : c == 'c' ? OPT_CONFIG : c == 'p' ? OPT_PUBLIC_KEY
		             : c == 'k' ? OPT_KEY : c == 'o' ? OPT_OUT : 0;
		if (c == 'h') {
			fputs(usage, stdout);
			return 0;
		}
		if (!bit || !(allowed & bit))
			return cli_usage_error("audit", usage, "unknown option or missing value");
		const char **slot = c == 'd' ? &o->db_url : c == 'c' ? &o->config_file
		                  : c == 'p' ? &o->public_key_file : c == 'k' ? &o->key_file : &o->out;
		*slot = optarg;
	}
	if (optind < argc)
		return cli_usage_error("audit", usage, "unexpected argument");
	if (o->public_key_file && o->key_file)
		return cli_usage_error("audit", usage, "give --public-key or --key, not both");
	return -1;
}

/* The configuration (file, KADAM_* variables, then --db); prints the error and returns false on a bad one. */
static bool load_config(const struct audit_options *o, struct config *cfg)
{
	if (cli_config(cfg, o->config_file) && (!o->db_url || cli_flag(cfg, "db", o->db_url, "--db")))
		return true;
	config_free(cfg);
	return false;
}

/* Opens cfg->db, which must have a schema; prints the error and returns NULL on failure. */
static db *open_db(const struct config *cfg)
{
	db *conn = NULL;
	char *error = NULL;
	int version = 0;
	if (db_open(cfg->db, &conn, &error) != DB_OK) {
		fprintf(stderr, "kadam: cannot open database %s: %s\n", cfg->db, error ? error : "unknown error");
		free(error);
		return NULL;
	}
	if (db_schema_version(conn, &version) != DB_OK || version == 0) {
		fprintf(stderr, "kadam: database %s has no schema%s%s; run kadam migrate first\n", cfg->db,
		        version == 0 ? "" : ": ", version == 0 ? "" : db_errmsg(conn));
		db_close(&conn);
	}
	return conn;
}

/* --key, else the configuration's audit_key_file, else NULL. */
static const char *key_file(const struct audit_options *o, const struct config *cfg)
{
	if (o->key_file)
		return o->key_file;
	return cfg->audit_key_file && *cfg->audit_key_file ? cfg->audit_key_file : NULL;
}

/*
 * The public key verify checks checkpoints against: --public-key, else the
 * public line of --key or of the configuration's audit_key_file. *have_r is
 * false when there is none; returns false (message printed) on a bad file.
 */
static bool verify_key(const struct audit_options *o, const struct config *cfg,
                       unsigned char pk[crypto_sign_PUBLICKEYBYTES], bool *have_r)
{
	const char *path = o->public_key_file ? o->public_key_file : key_file(o, cfg);
	char *error = NULL;
	*have_r = false;
	if (!path)
		return true;
	if (!audit_public_key_load(path, pk, &error)) {
		fprintf(stderr, "kadam: %s\n", error);
		free(error);
		return false;
	}
	*have_r = true;
	return true;
}

static int verify(int argc, char **argv)
{
	struct audit_options o;
	struct config cfg;
	int rc = parse(argc, argv, OPT_DB | OPT_CONFIG | OPT_PUBLIC_KEY | OPT_KEY, &o);
	if (rc >= 0)
		return rc;
	if (!load_config(&o, &cfg))
		return 1;
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	bool have_pk = false;
	db *conn = NULL;
	if (verify_key(&o, &cfg, pk, &have_pk))
		conn = open_db(&cfg);
	config_free(&cfg);
	if (!conn)
		return 1;
	struct audit_verify_result r;
	enum db_status status = audit_verify(conn, have_pk ? pk : NULL, &r);
	db_close(&conn);
	if (status != DB_OK) {
		fprintf(stderr, "kadam: cannot verify the processing log: %s\n", r.message);
		return 1;
	}
	if (!r.ok) {
		printf("processing log NOT intact: %s\n", r.message);
		return 1;
	}
	printf("%s\n", r.message);
	if (!have_pk && r.checkpoints > 0)
		fprintf(stderr, "kadam: note: checkpoint signatures were checked against the keys stored with "
		                "them; give --public-key to check they are yours\n");
	return 0;
}

static int export(int argc, char **argv)
{
	struct audit_options o;
	struct config cfg;
	int rc = parse(argc, argv, OPT_DB | OPT_CONFIG | OPT_OUT, &o);
	if (rc >= 0)
		return rc;
	if (!o.out)
		return cli_usage_error("audit", usage, "export needs --out FILE");
	if (!load_config(&o, &cfg))
		return 1;
	db *conn = open_db(&cfg);
	config_free(&cfg);
	if (!conn)
		return 1;
	int64_t exported = 0;
	char *error = NULL;
	enum db_status status = audit_export(conn, o.out, &exported, &error);
	db_close(&conn);
	printf("exported %lld entr%s to %s\n", (long long)exported, exported == 1 ? "y" : "ies", o.out);
	if (status != DB_OK) {
		fprintf(stderr, "kadam: export stopped: %s\n", error ? error : "unknown error");
		free(error);
		return 1;
	}
	return 0;
}

static int checkpoint(int argc, char **argv)
{
	struct audit_options o;
	struct config cfg;
	int rc = parse(argc, argv, OPT_DB | OPT_CONFIG | OPT_KEY, &o);
	if (rc >= 0)
		return rc;
	if (!load_config(&o, &cfg))
		return 1;
	const char *path = key_file(&o, &cfg);
	if (!path) {
		config_free(&cfg);
		return cli_usage_error("audit", usage, "checkpoint needs --key FILE (or audit_key_file)");
	}
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
	char *error = NULL;
	db *conn = NULL;
	if (!audit_key_load(path, sk, &error)) {
		fprintf(stderr, "kadam: %s\n", error);
		free(error);
	} else {
		conn = open_db(&cfg);
	}
	config_free(&cfg);
	if (!conn) {
		sodium_memzero(sk, sizeof sk);
		return 1;
	}
	int64_t seq = 0;
	enum db_status status = audit_checkpoint(conn, sk, &seq);
	sodium_memzero(sk, sizeof sk);
	db_close(&conn);
	if (status != DB_OK) {
		fprintf(stderr, "kadam: %s\n", audit_errmsg());
		return 1;
	}
	if (seq > 0)
		printf("checkpoint signed at entry %lld\n", (long long)seq);
	else
		printf("nothing to sign: the log is empty or its newest entry is already checkpointed\n");
	return 0;
}

static int keygen(int argc, char **argv)
{
	struct audit_options o;
	int rc = parse(argc, argv, OPT_OUT, &o);
	if (rc >= 0)
		return rc;
	if (!o.out)
		return cli_usage_error("audit", usage, "keygen needs --out FILE");
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	char *error = NULL;
	if (!audit_key_generate(o.out, pk, &error)) {
		fprintf(stderr, "kadam: %s\n", error);
		free(error);
		return 1;
	}
	char hex[2 * crypto_sign_PUBLICKEYBYTES + 1];
	sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
	printf("%s\n", hex);
	fprintf(stderr, "kadam: wrote the signing key to %s; keep it outside the database. The public key "
	                "above is what kadam audit verify --public-key needs.\n",
	        o.out);
	return 0;
}

int cmd_audit(int argc, char **argv)
{
	static const struct cli_subcommand subcommands[] = {
		{"verify", verify}, {"export", export}, {"checkpoint", checkpoint}, {"keygen", keygen},
	};
	return cli_subcommands(argc, argv, "audit", usage, "verify, export, checkpoint or keygen", subcommands,
	                       sizeof subcommands / sizeof subcommands[0]);
}
