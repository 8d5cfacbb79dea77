/* Fuzz target: the programme catalogue's bodies (POST/PUT /api/v1/partners, POST/PUT /api/v1/programmes,
 * POST /api/v1/programmes/{id}/attendance). */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool partner(const json_t *b, struct field_errors *fe)
{
	return programmes_body_validate("partner", b, "2026-03-15", fe);
}

static bool programme(const json_t *b, struct field_errors *fe)
{
	return programmes_body_validate("programme", b, "2026-03-15", fe);
}

static bool programme_update(const json_t *b, struct field_errors *fe)
{
	return programmes_body_validate("programme_update", b, "2026-03-15", fe);
}

static bool attendance(const json_t *b, struct field_errors *fe)
{
	return programmes_body_validate("attendance", b, "2026-03-15", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/partners", partner);
	fuzz_json_body(data, size, "/api/v1/programmes", programme);
	fuzz_json_body(data, size, "/api/v1/programmes/x", programme_update);
	return fuzz_json_body(data, size, "/api/v1/programmes/x/attendance", attendance);
}
