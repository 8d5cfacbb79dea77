/* main.c — subcommand dispatch, nothing else. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char usage[] =
	"usage: kadam COMMAND [OPTIONS]\n"
	"\n"
	"Commands:\n"
	"  serve     run the HTTP server (API and browser UI)\n"
	"  migrate   apply database migrations, or show their status\n"
	"  demo      load synthetic demo data into a database\n"
	"  admin     create the first administrator; reset a password\n"
	"  audit     verify, export and checkpoint the processing log\n"
	"  catalogue check or load a condition catalogue file\n"
	"  instrument check or load a risk and needs instrument file\n"
	"  decode    decode one device message (OsmAnd, GT06, Teltonika) and print it as JSON\n"
	"  simulate  drive a running server with simulated monitoring devices over HTTP and TCP\n"
	"  routes    list the HTTP routes and the permission each needs\n"
	"  version   print the version and library versions\n"
	"\n"
	"Run `kadam COMMAND --help` for the options of a command.\n";

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{"serve", cmd_serve}, {"migrate", cmd_migrate}, {"demo", cmd_demo},
	{"routes", cmd_routes}, {"version", cmd_version}, {"admin", cmd_admin},
	{"audit", cmd_audit}, {"catalogue", cmd_catalogue}, {"instrument", cmd_instrument},
	{"decode", cmd_decode}, {"simulate", cmd_simulate},
};

int main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fputs("kadam: libsodium failed to initialise\n", stderr);
		return 1;
	}
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(1, argv + 1);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "kadam: unknown command '%s'\n%s", argv[1], usage);
	return EXIT_USAGE;
}
