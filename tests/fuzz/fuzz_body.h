/* fuzz_body.h — shared by the JSON body fuzz targets: bytes through jansson, a
 * route's field checks and the problem response, which must stay valid JSON. */
#ifndef KADAM_FUZZ_BODY_H
#define KADAM_FUZZ_BODY_H

#include <stdint.h>
#include <string.h>

#include "api/api.h"
#include "api/validate.h"

static inline int fuzz_json_body(const uint8_t *data, size_t size, const char *path,
                                 bool (*validate)(const json_t *body, struct field_errors *fe))
{
	json_error_t err;
	json_t *body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &err);
	struct http_request req = {.path = path, .json = body};
	struct http_response resp;
	http_response_init(&resp);
	if (!body) {
		json_t *errors = json_pack("[{s:s, s:i, s:i}]", "message", err.text, "line", err.line,
		                           "column", err.column);
		http_problem(&resp, &req, 400, "malformed-json", "Malformed JSON", err.text, errors);
	} else {
		struct field_errors fe = {0};
		validate(body, &fe);
		field_errors_respond(&fe, &resp, &req);
	}
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

#endif
