/* Fuzz target: a compliance rule's body (PUT /api/v1/compliance/rules/{code}), for a rule with a threshold and
 * one without. */
#include "engine/rules.h"
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool with_threshold(const json_t *b, struct field_errors *fe)
{
	return rule_body_validate(b, true, fe);
}

static bool without_threshold(const json_t *b, struct field_errors *fe)
{
	return rule_body_validate(b, false, fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/compliance/rules/appointment.no_outcome", with_threshold);
	return fuzz_json_body(data, size, "/api/v1/compliance/rules/contact.failed", without_threshold);
}
