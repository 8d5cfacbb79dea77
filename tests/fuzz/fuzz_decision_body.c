/* Fuzz target: a decision's body (POST /api/v1/cases/{id}/decisions, PUT /api/v1/decisions/{id}). */
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_json_body(data, size, "/api/v1/cases/x/decisions", decision_body_validate);
}
