/* cmd_decode.c — PLACEHOLDER (issue 7, owner: decoders). */
#include "cli/cli.h"

#include <stdio.h>

int cmd_decode(int argc, char **argv)
{
	(void)argc; (void)argv;
	fputs("kadam decode: PLACEHOLDER\n", stderr);
	return 1;
}
