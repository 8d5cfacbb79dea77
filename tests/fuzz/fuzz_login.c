/* Fuzz target: a login body (POST /api/v1/auth/login). */
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_json_body(data, size, "/api/v1/auth/login", auth_login_validate);
}
