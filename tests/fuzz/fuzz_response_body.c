/* Fuzz target: the bodies of responses and complaints (POST /api/v1/cases/{id}/responses, POST
 * /api/v1/complaints, .../answer, .../withdrawal), through the checks the handlers run first. */
#include "fuzz_body.h"

#include "domain/responses.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool response(const json_t *b, struct field_errors *fe)
{
	return responses_body_validate("response", b, "2026-03-15", fe);
}

static bool complaint(const json_t *b, struct field_errors *fe)
{
	return responses_body_validate("complaint", b, "2026-03-15", fe);
}

static bool answer(const json_t *b, struct field_errors *fe)
{
	return responses_body_validate("complaint_answer", b, "2026-03-15", fe);
}

static bool withdrawal(const json_t *b, struct field_errors *fe)
{
	return responses_body_validate("complaint_withdrawal", b, "2026-03-15", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/cases/x/responses", response);
	fuzz_json_body(data, size, "/api/v1/complaints", complaint);
	fuzz_json_body(data, size, "/api/v1/complaints/x/answer", answer);
	return fuzz_json_body(data, size, "/api/v1/complaints/x/withdrawal", withdrawal);
}
