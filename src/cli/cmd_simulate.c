/* cmd_simulate.c — PLACEHOLDER (issue 7, owner: bench). */
#include "cli/cli.h"

#include <stdio.h>

int cmd_simulate(int argc, char **argv)
{
	(void)argc; (void)argv;
	fputs("kadam simulate: PLACEHOLDER\n", stderr);
	return 1;
}
