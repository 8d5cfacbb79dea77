/* Fuzz target: a new person's body (POST /api/v1/people), with its nested lists. */
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool validate(const json_t *body, struct field_errors *fe)
{
	return person_create_validate(body, "2026-11-29", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_json_body(data, size, "/api/v1/people", validate);
}
