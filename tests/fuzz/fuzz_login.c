/* Fuzz target: a login body (JSON) through parsing, the login field checks and the problem response. */
#include <stdint.h>
#include <string.h>

#include "api/api.h"
#include "api/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
	struct http_request req = {.path = "/api/v1/auth/login", .json = body};
	struct http_response resp;
	http_response_init(&resp);
	if (!body) {
		json_t *errors = json_pack("[{s:s, s:i, s:i}]", "message", err.text, "line", err.line,
		                           "column", err.column);
		http_problem(&resp, &req, 400, "malformed-json", "Malformed JSON", err.text, errors);
	} else {
		struct field_errors fe = {0};
		auth_login_validate(body, &fe);
		field_errors_respond(&fe, &resp, &req);
	}
	/* Whatever came in, what goes out is valid JSON. */
	if (resp.body.len) {
		json_t *out = json_loadb(resp.body.data, resp.body.len, 0, NULL);
		if (!out)
			__builtin_trap();
		json_decref(out);
	}
	http_response_free(&resp);
	json_decref(body);
	return 0;
}
