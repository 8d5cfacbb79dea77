/* Fuzz target: the reintegration bodies (needs, their changes, family members and their changes). */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool need(const json_t *b, struct field_errors *fe)
{
	return reintegration_body_validate("need", b, "2026-03-15", fe);
}

static bool need_update(const json_t *b, struct field_errors *fe)
{
	return reintegration_body_validate("need_update", b, "2026-03-15", fe);
}

static bool third_party(const json_t *b, struct field_errors *fe)
{
	return reintegration_body_validate("third_party", b, "2026-03-15", fe);
}

static bool third_party_update(const json_t *b, struct field_errors *fe)
{
	return reintegration_body_validate("third_party_update", b, "2026-03-15", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/cases/x/reintegration-needs", need);
	fuzz_json_body(data, size, "/api/v1/reintegration-needs/x", need_update);
	fuzz_json_body(data, size, "/api/v1/people/x/third-parties", third_party);
	return fuzz_json_body(data, size, "/api/v1/people/x/third-parties/x", third_party_update);
}
