/*
 * reassessment.c — POST /api/v1/cases/{id}/reassessment-triggers: an
 * officer records an event that calls for a reassessment (new work, a new
 * address, a release, new information, something else). The trigger raises
 * its alert and task through the compliance engine (reassessment_trigger_add
 * -> rules_on_trigger); breaches are recorded only by the engine, from a
 * verified alert. The trigger names no personal data in its summary's
 * timeline event; the summary itself is the officer's one line. Logged here
 * (scope_audit: under a grant, with its basis and purpose).
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/assessment.h"

static const char *const officer_kinds[] = {"work", "address", "release", "new_information", "other", NULL};

static const struct field_rule trigger_rules[] = {
	{"kind", FIELD_ENUM, true, 0, 0, officer_kinds},
	{"occurred_on", FIELD_DATE, true, 0, 0, NULL},
	{"summary", FIELD_STRING, true, 5, 300, NULL},
};

#define TRIGGER_JSON_COLUMNS \
	"SELECT t.id, t.kind, t.occurred_on, t.summary, t.record_type, t.record_id, a.display_name AS" \
	" recorded_by_name, t.recorded_at, t.resolved_by, t.resolved_at FROM reassessment_trigger t" \
	" LEFT JOIN account a ON a.id = t.recorded_by"

void api_reassessment_trigger_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, trigger_rules, NRULES(trigger_rules), &fe)) {
		const char *summary = json_str(req->json, "summary");
		if (summary && text_blank(summary))
			field_error(&fe, "summary", "must not be blank");
	}
	char today[11];
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	validate_not_future(req->json, "occurred_on", NULL, today, &fe);
	if (api_errors_answer(req, resp, &fe))
		return;
	struct record_scope s;
	if (!scope_case(req, resp, case_id, &s) || !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.status, "open") != 0) {
		api_conflict(req, resp, "case-closed", "The case is closed", "Reassessment triggers are recorded on open cases.");
		return;
	}
	struct trigger_new t = {.case_id = case_id, .kind = api_str(req, "kind"),
	                        .occurred_on = api_str(req, "occurred_on"), .summary = api_str(req, "summary"),
	                        .recorded_by = req->principal.account_id, .caller_logs = true};
	char id[UUID_STR_LEN];
	bool created = false;
	if (reassessment_trigger_add(req->db, &t, clock_now_ms(), id, &created) != DB_OK || !created ||
	    !scope_audit(req, &s, AUDIT_COLLECT, "reassessment_trigger", id, case_id)) {
		api_db_failed(req, resp, "recording a reassessment trigger");
		return;
	}
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, TRIGGER_JSON_COLUMNS " WHERE t.id = ?", "t", id);
	if (!row) {
		api_db_failed(req, resp, "reading a reassessment trigger");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	http_response_json(resp, 201, row);
}
