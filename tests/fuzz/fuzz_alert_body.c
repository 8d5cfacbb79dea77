/* Fuzz target: the alert and task bodies (verification, dismissal, assignment, an officer's alert, a task and a
 * task change). */
#include "api/alerts.h"
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODY(kind) \
	static bool kind(const json_t *b, struct field_errors *fe) \
	{ \
		return alert_body_validate(#kind, b, "2026-03-15", fe); \
	}
BODY(verification)
BODY(dismissal)
BODY(assignment)
BODY(alert)
BODY(task)
BODY(task_update)
#undef BODY

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/alerts/x/verification", verification);
	fuzz_json_body(data, size, "/api/v1/alerts/x/dismissal", dismissal);
	fuzz_json_body(data, size, "/api/v1/alerts/x/assignment", assignment);
	fuzz_json_body(data, size, "/api/v1/cases/x/alerts", alert);
	fuzz_json_body(data, size, "/api/v1/cases/x/tasks", task);
	return fuzz_json_body(data, size, "/api/v1/tasks/x", task_update);
}
