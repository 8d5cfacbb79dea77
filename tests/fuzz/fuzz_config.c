/* Fuzz target: a configuration file. */
#include <stdint.h>
#include <stdlib.h>

#include "base/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	config_init(&cfg);
	char *err = NULL;
	if (!config_load_text(&cfg, (const char *)data, size, "fuzz.conf", &err)) {
		if (!err)
			__builtin_trap(); /* every failure explains itself */
		free(err);
	}
	config_free(&cfg);
	return 0;
}
