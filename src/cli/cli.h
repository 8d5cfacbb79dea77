/*
 * cli.h — the subcommands of `kadam`. Each returns the process exit status:
 * 0 success, 1 failure, 2 bad usage (with the usage printed to stderr).
 */
#ifndef KADAM_CLI_CLI_H
#define KADAM_CLI_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/config.h"
#include "store/db.h"

#define EXIT_USAGE 2

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_routes(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_admin(int argc, char **argv);
int cmd_catalogue(int argc, char **argv);
int cmd_instrument(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_simulate(int argc, char **argv);

/*
 * Builds the configuration: defaults, then the file (if config_file is not
 * NULL), then KADAM_* variables. Flags are applied by the caller afterwards
 * with config_set(). Prints the error and returns false on a bad setting.
 */
bool cli_config(struct config *cfg, const char *config_file);
/* Applies one flag's value; prints the error and returns false on a bad one. */
bool cli_flag(struct config *cfg, const char *key, const char *value, const char *flag);
/* Opens cfg->db and applies migrations; prints the error and returns NULL on failure. */
db *cli_open_migrated(const struct config *cfg, bool quiet);
/* Prints "kadam CMD: message" and the usage line to stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *usage, const char *message);

/* One subcommand of a command (`kadam audit verify`): its name and what runs it (argv[0] the subcommand). */
struct cli_subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};
/* Runs the subcommand argv[1] names among the n in subs: prints usage for --help, -h or help (exit 0); with none
 * given or an unknown one, a usage error naming cmd ("which one: <which>?" when none is given). */
int cli_subcommands(int argc, char **argv, const char *cmd, const char *usage, const char *which,
                    const struct cli_subcommand *subs, size_t n);

/* The arguments of `kadam CMD check|import FILE [--db URL] [--config FILE]` (a data file's subcommands). */
struct cli_file_args {
	const char *file;
	const char *db;     /* NULL: not given */
	const char *config; /* NULL: not given */
};
/* Parses argv (argv[0] the subcommand) into a (--db and --config only when db_options); returns -1 to go on, else
 * an exit status (0 after --help, which prints usage; EXIT_USAGE after a usage error naming cmd). */
int cli_file_args(int argc, char **argv, const char *cmd, const char *usage, bool db_options,
                  struct cli_file_args *a);
/* Reads and parses a JSON data file of at most max_bytes (duplicate members refused) and the SHA-256 of its bytes
 * in hex; prints the problem ("FILE:LINE:COLUMN: ..." for bad JSON) and returns NULL. */
json_t *cli_read_json(const char *path, size_t max_bytes, char sha_r[65]);
/* The configuration (config_file, then --db db_url when not NULL) and its database, migrated quietly; prints the
 * problem and returns NULL. */
db *cli_open_db(const char *db_url, const char *config_file);

#endif
