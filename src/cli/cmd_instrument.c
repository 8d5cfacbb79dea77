/* PLACEHOLDER: issue 8, being written. */
#include "cli/cli.h"
int cmd_instrument(int argc, char **argv)
{
	(void)argc, (void)argv;
	return 1;
}
