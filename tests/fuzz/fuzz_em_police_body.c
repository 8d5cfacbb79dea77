/* Fuzz target: the police request bodies (POST /api/v1/em/police-requests and its decision). */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TODAY "2026-03-15"

static bool request(const json_t *b, struct field_errors *fe) { return em_police_body_validate("request", b, TODAY, fe); }
static bool decision(const json_t *b, struct field_errors *fe)
{
	return em_police_body_validate("decision", b, TODAY, fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/em/police-requests", request);
	return fuzz_json_body(data, size, "/api/v1/em/police-requests/x/decision", decision);
}
