/* Fuzz target: the referral bodies of src/api/referrals.c (a new referral, a move, a share, a progress note, a
 * report), each through referrals_body_validate and the problem response. */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TODAY "2026-03-15"

static bool referral(const json_t *b, struct field_errors *fe)
{
	return referrals_body_validate("referral", b, TODAY, fe);
}

static bool move(const json_t *b, struct field_errors *fe)
{
	return referrals_body_validate("move", b, TODAY, fe);
}

static bool share(const json_t *b, struct field_errors *fe)
{
	return referrals_body_validate("share", b, TODAY, fe);
}

static bool progress_note(const json_t *b, struct field_errors *fe)
{
	return referrals_body_validate("progress_note", b, TODAY, fe);
}

static bool report(const json_t *b, struct field_errors *fe)
{
	return referrals_body_validate("report", b, TODAY, fe);
}

/* The handlers also check bodies before they know today (NULL): that path too. */
static bool share_undated(const json_t *b, struct field_errors *fe)
{
	return referrals_body_validate("share", b, NULL, fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/cases/x/referrals", referral);
	fuzz_json_body(data, size, "/api/v1/referrals/x/transitions", move);
	fuzz_json_body(data, size, "/api/v1/referrals/x/share", share);
	fuzz_json_body(data, size, "/api/v1/referrals/x/share", share_undated);
	fuzz_json_body(data, size, "/api/v1/referrals/x/progress-notes", progress_note);
	return fuzz_json_body(data, size, "/api/v1/referrals/x/report", report);
}
