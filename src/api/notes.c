/*
 * notes.c — a case's notes. Each says whether it records a fact or an
 * assessment and on what source (S14), and carries a sensitivity: a
 * restricted note is read only by its author and those holding
 * notes.restricted; the others see that notes were withheld.
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
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
};

#define NOTE_COLUMNS \
	"SELECT n.id, n.written_at, n.author_id, a.display_name AS author_name, n.sensitivity, n.nature, n.source," \
	" n.source_detail, n.body FROM note n JOIN account a ON a.id = n.author_id"

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
	char note[UUID_STR_LEN];
	uuid_v7(note);
	int64_t now = clock_now_ms();
	const char *sensitivity = api_str(req, "sensitivity"), *nature = api_str(req, "nature");
	const char *source = api_str(req, "source");
	const char *detail_s = api_str(req, "source_detail");
	struct buf detail = {0};
	/* The timeline carries the labels, not the text of a note. */
	buf_printf(&detail, "{\"sensitivity\":\"%s\",\"nature\":\"%s\",\"source\":\"%s\"}", sensitivity, nature, source);
	char *summary = xasprintf("Note added (%s, %s, source: %s)", nature, sensitivity, source);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO note (id, case_id, author_id, written_at, sensitivity, nature, source, source_detail,"
	                 " body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                 "tttittttt", note, id, req->principal.account_id, now, sensitivity, nature, source,
	                 detail_s && *detail_s ? detail_s : NULL, api_str(req, "body")) == DB_OK &&
	          case_event_add(req->db, id, now, "note.added", req->principal.account_id, summary, detail.data, "note",
	                         note) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "note", note, id);
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
