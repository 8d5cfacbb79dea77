/* Fuzz target: PLACEHOLDER — the release helper writes it (every body kind of src/api/release.c). */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool body(const json_t *b, struct field_errors *fe)
{
	return release_body_validate("PLACEHOLDER", b, "2026-03-15", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_json_body(data, size, "/api/v1/cases/x/release-plan", body);
}
