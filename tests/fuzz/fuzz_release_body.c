/* Fuzz target: the release-planning bodies (PUT /api/v1/cases/{id}/release-plan, actions and their changes, panel
 * meetings and their corrections, the handover). */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TODAY "2026-03-15"

static bool plan(const json_t *b, struct field_errors *fe)
{
	return release_body_validate("plan", b, TODAY, fe);
}

static bool action(const json_t *b, struct field_errors *fe)
{
	return release_body_validate("action", b, TODAY, fe);
}

static bool action_update(const json_t *b, struct field_errors *fe)
{
	return release_body_validate("action_update", b, TODAY, fe);
}

static bool meeting(const json_t *b, struct field_errors *fe)
{
	return release_body_validate("meeting", b, TODAY, fe);
}

static bool meeting_update(const json_t *b, struct field_errors *fe)
{
	return release_body_validate("meeting_update", b, TODAY, fe);
}

static bool handover(const json_t *b, struct field_errors *fe)
{
	return release_body_validate("handover", b, TODAY, fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/cases/x/release-plan", plan);
	fuzz_json_body(data, size, "/api/v1/release-plans/x/actions", action);
	fuzz_json_body(data, size, "/api/v1/release-actions/x", action_update);
	fuzz_json_body(data, size, "/api/v1/release-plans/x/panel-meetings", meeting);
	fuzz_json_body(data, size, "/api/v1/panel-meetings/x", meeting_update);
	return fuzz_json_body(data, size, "/api/v1/release-plans/x/handover", handover);
}
