/* Fuzz target: the body of PUT /api/v1/settings/{key}, through the check the handler runs first, for a key with
 * bounds and for an unknown one. */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool months(const json_t *b, struct field_errors *fe)
{
	return settings_body_validate("release_planning.months_before", b, fe);
}

static bool unknown(const json_t *b, struct field_errors *fe)
{
	return settings_body_validate("no.such.setting", b, fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/settings/release_planning.months_before", months);
	return fuzz_json_body(data, size, "/api/v1/settings/x", unknown);
}
