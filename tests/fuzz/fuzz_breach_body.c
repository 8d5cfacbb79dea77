/* Fuzz target: the bodies of a breach allegation's transitions (POST /api/v1/breaches/{id}/<action>). */
#include "fuzz_body.h"

#include "domain/breaches.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BODY(name, action) \
	static bool name(const json_t *b, struct field_errors *fe) \
	{ \
		return breach_body_validate(action, b, "2026-03-15", fe); \
	}

BODY(notification, "notification")
BODY(account, "account")
BODY(assessment, "assessment")
BODY(countersignature, "countersignature")
BODY(referral, "referral")
BODY(closure, "closure")
BODY(decision, "decision")
BODY(appeal, "appeal")
BODY(appeal_decision, "appeal-decision")
BODY(withdrawal, "withdrawal")

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/breaches/x/notification", notification);
	fuzz_json_body(data, size, "/api/v1/breaches/x/account", account);
	fuzz_json_body(data, size, "/api/v1/breaches/x/assessment", assessment);
	fuzz_json_body(data, size, "/api/v1/breaches/x/countersignature", countersignature);
	fuzz_json_body(data, size, "/api/v1/breaches/x/referral", referral);
	fuzz_json_body(data, size, "/api/v1/breaches/x/closure", closure);
	fuzz_json_body(data, size, "/api/v1/breaches/x/decision", decision);
	fuzz_json_body(data, size, "/api/v1/breaches/x/appeal", appeal);
	fuzz_json_body(data, size, "/api/v1/breaches/x/appeal-decision", appeal_decision);
	return fuzz_json_body(data, size, "/api/v1/breaches/x/withdrawal", withdrawal);
}
