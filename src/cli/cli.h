/*
 * cli.h — the subcommands of `kadam`. Each returns the process exit status:
 * 0 success, 1 failure, 2 bad usage (with the usage printed to stderr).
 */
#ifndef KADAM_CLI_CLI_H
#define KADAM_CLI_CLI_H

#include <stdbool.h>

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

#endif
