/* Fuzz target: an assessment draft's body (PUT /api/v1/assessments/{id}) against the shipped needs screening. */
#include "api/assessments.h"
#include "fuzz_body.h"

extern const char instrument_needs_screening_json[];
extern const size_t instrument_needs_screening_json_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static json_t *definition;

static bool draft(const json_t *b, struct field_errors *fe)
{
	return assessment_body_validate(b, definition, "2026-03-15", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!definition) {
		definition = json_loadb(instrument_needs_screening_json, instrument_needs_screening_json_len, 0, NULL);
		if (!definition)
			__builtin_trap();
	}
	return fuzz_json_body(data, size, "/api/v1/assessments/x", draft);
}
