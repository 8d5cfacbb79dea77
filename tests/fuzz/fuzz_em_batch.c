/* Fuzz target: a gateway's batch of fixes (POST /api/v1/em/fixes): its field checks and the fixes they decode. */
#include <stdlib.h>

#include "em/fix.h"
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool batch(const json_t *b, struct field_errors *fe)
{
	struct em_fix *fixes = NULL;
	size_t n = 0;
	bool ok = em_batch_body_validate(b, fe, &fixes, &n);
	/* A body that passes decodes to exactly its items, each with a device and a time of this century. */
	if (ok && (n != json_array_size(json_object_get(b, "fixes")) || !fixes))
		__builtin_trap();
	for (size_t i = 0; ok && i < n; i++)
		if (!fixes[i].device[0] || fixes[i].at_ms < 946684800000LL)
			__builtin_trap();
	free(fixes);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_json_body(data, size, "/api/v1/em/fixes", batch);
}
