/* Fuzz target: an appointment's body (POST /api/v1/cases/{id}/appointments), whose checks include
 * starts_local and the RRULE through libical; and the raw bytes as a rule and a local time. */
#include "domain/appointments.h"
#include "fuzz_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/cases/x/appointments", appointment_body_validate);
	if (size <= RECURRENCE_MAX_RULE + 8) {
		char text[RECURRENCE_MAX_RULE + 9];
		memcpy(text, data, size);
		text[size] = '\0';
		char err[200];
		if (recurrence_rule_check(text, "2026-03-02T10:00", err, sizeof err)) {
			struct occurrence o[16];
			int n = recurrence_expand("2026-03-02T10:00", text, "Asia/Bishkek", "2026-01-01T00:00",
			                          "2029-03-03T00:00", o, 16);
			if (n < 1 || n > 16)
				__builtin_trap(); /* an accepted rule yields something within three years */
		}
		int64_t ms;
		if (local_time_valid(text) && !local_to_utc_ms(text, "Europe/Berlin", &ms))
			__builtin_trap();
	}
	return 0;
}
