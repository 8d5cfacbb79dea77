/* Fuzz target: a ConditionInput (POST /api/v1/cases/{id}/conditions and .../preview, a variation's proposal):
 * the checks that need no database, at the top level and nested under "proposal". */
#include "fuzz_body.h"

#include "domain/conditions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool validate_top(const json_t *body, struct field_errors *fe)
{
	return condition_input_validate(body, NULL, true, fe);
}

static bool validate_proposal(const json_t *body, struct field_errors *fe)
{
	return condition_input_validate(body, "proposal", false, fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/cases/x/conditions", validate_top);
	return fuzz_json_body(data, size, "/api/v1/cases/x/variations", validate_proposal);
}
