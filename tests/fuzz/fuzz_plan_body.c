/* Fuzz target: the supervision plan's bodies (PUT /api/v1/cases/{id}/plan, objectives, actions, reviews). */
#include "fuzz_body.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool plan(const json_t *b, struct field_errors *fe)
{
	return plan_body_validate("plan", b, "2026-03-15", fe);
}

static bool objective(const json_t *b, struct field_errors *fe)
{
	return plan_body_validate("objective", b, "2026-03-15", fe);
}

static bool objective_update(const json_t *b, struct field_errors *fe)
{
	return plan_body_validate("objective_update", b, "2026-03-15", fe);
}

static bool action(const json_t *b, struct field_errors *fe)
{
	return plan_body_validate("action", b, "2026-03-15", fe);
}

static bool action_update(const json_t *b, struct field_errors *fe)
{
	return plan_body_validate("action_update", b, "2026-03-15", fe);
}

static bool review(const json_t *b, struct field_errors *fe)
{
	return plan_body_validate("review", b, "2026-03-15", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/cases/x/plan", plan);
	fuzz_json_body(data, size, "/api/v1/cases/x/plan/objectives", objective);
	fuzz_json_body(data, size, "/api/v1/plan-objectives/x", objective_update);
	fuzz_json_body(data, size, "/api/v1/plan-objectives/x/actions", action);
	fuzz_json_body(data, size, "/api/v1/plan-actions/x", action_update);
	return fuzz_json_body(data, size, "/api/v1/cases/x/plan/reviews", review);
}
