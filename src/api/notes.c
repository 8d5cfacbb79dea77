/*
 * notes.c — a case's notes. Each says whether it records a fact or an
 * assessment and on what source (S14), and carries a sensitivity: a
 * restricted note is read only by its author and those holding
 * notes.restricted; the others see that notes were withheld. A note marked
 * as new information calls for a reassessment (a trigger of kind
 * new_information, domain/reassessment.c).
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/assessment.h"
#include "domain/casefile.h"

static const char *const sensitivities[] = {"normal", "sensitive", "restricted", NULL};
static const char *const natures[] = {"fact", "assessment", NULL};
static const char *const sources[] = {"observation", "person", "family", "employer", "police", "court", "prison",
                                      "partner", "document", "other", NULL};

static const struct field_rule note_rules[] = {
	{"sensitivity", FIELD_ENUM, true, 0, 0, sensitivities},
	{"nature", FIELD_ENUM, true, 0, 0, natures},
	{"source", FIELD_ENUM, true, 0, 0, sources},
	{"source_detail", FIELD_STRING, false, 0, 300, NULL},
	{"body", FIELD_STRING, true, 1, 10000, NULL},
	{"new_information", FIELD_BOOL, false, 0, 0, NULL},
};

#define NOTE_COLUMNS \
	"SELECT n.id, n.written_at, n.author_id, a.display_name AS author_name, n.sensitivity, n.nature, n.source," \
	" n.source_detail, n.body, n.is_new_information FROM note n JOIN account a ON a.id = n.author_id"

void api_notes_list(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	int64_t all = policy_has(&req->principal, "notes.restricted");
	json_t *items = api_select(req->db,
		NOTE_COLUMNS " WHERE n.case_id = ? AND (n.sensitivity <> 'restricted' OR n.author_id = ? OR ? = 1)"
		" ORDER BY n.written_at DESC", "tti", id, req->principal.account_id, all);
	bool failed = false;
	json_t *withheld = api_select_one(req->db, &failed,
		"SELECT COUNT(*) AS n FROM note WHERE case_id = ? AND sensitivity = 'restricted' AND author_id <> ? AND ? = 0",
		"tti", id, req->principal.account_id, all);
	if (!items || !withheld || !scope_audit(req, &s, AUDIT_CONSULT, "case_notes", id, NULL)) {
		json_decref(items);
		json_decref(withheld);
		api_db_failed(req, resp, "reading notes");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(withheld);
		return;
	}
	json_t *out = json_pack("{s:o, s:O}", "items", items, "withheld", json_object_get(withheld, "n"));
	json_decref(withheld);
	http_response_json(resp, 200, out);
}

void api_note_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, note_rules, sizeof note_rules / sizeof note_rules[0], &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	char note[UUID_STR_LEN], today[11] = "";
	uuid_v7(note);
	int64_t now = clock_now_ms();
	int64_t new_information = json_is_true(json_object_get(req->json, "new_information"));
	if (new_information && !api_today_date(req, resp, NULL, today))
		return;
	const char *sensitivity = api_str(req, "sensitivity"), *nature = api_str(req, "nature");
	const char *source = api_str(req, "source");
	const char *detail_s = api_str(req, "source_detail");
	struct buf detail = {0};
	/* The timeline carries the labels, not the text of a note. */
	buf_printf(&detail, "{\"sensitivity\":\"%s\",\"nature\":\"%s\",\"source\":\"%s\",\"new_information\":%s}",
	           sensitivity, nature, source, new_information ? "true" : "false");
	char *summary = xasprintf("Note added (%s, %s, source: %s)", nature, sensitivity, source);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO note (id, case_id, author_id, written_at, sensitivity, nature, source, source_detail,"
	                 " body, is_new_information) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                 "tttittttt" "i", note, id, req->principal.account_id, now, sensitivity, nature, source,
	                 detail_s && *detail_s ? detail_s : NULL, api_str(req, "body"), new_information) == DB_OK &&
	          case_event_add(req->db, id, now, "note.added", req->principal.account_id, summary, detail.data, "note",
	                         note) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "note", note, id);
	/* New information on an open case calls for a reassessment: its trigger, alert and task. */
	if (ok && new_information && strcmp(s.status, "open") == 0) {
		struct trigger_new t = {.case_id = id, .kind = "new_information", .occurred_on = today,
		                        .summary = "A note records new information", .record_type = "note",
		                        .record_id = note, .recorded_by = req->principal.account_id, .caller_logs = true};
		char trigger[UUID_STR_LEN];
		bool created = false;
		ok = reassessment_trigger_add(req->db, &t, now, trigger, &created) == DB_OK &&
		     (!created || scope_audit(req, &s, AUDIT_COLLECT, "reassessment_trigger", trigger, id));
	}
	free(summary);
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "writing a note");
		return;
	}
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, NOTE_COLUMNS " WHERE n.id = ?", "t", note);
	if (!row) {
		api_db_failed(req, resp, "reading a note");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	http_response_json(resp, 201, row);
}
