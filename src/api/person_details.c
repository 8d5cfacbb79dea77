/*
 * person_details.c — the parts of a person's record: documents, addresses,
 * phones, aliases, the photo, and family members and other third parties
 * behind their own permission (S15). Each change is logged and bumps the
 * person's version, so that an ETag read before it is stale after it.
 */
#include <string.h>

#include "api/people_json.h"
#include "api/scope.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/assessment.h"
#include "domain/casefile.h"
#include "domain/person.h"


json_t *person_json(struct http_request *req, const char *id, bool *failed_r)
{
	db *c = req->db;
	json_t *p = api_select_one(c, failed_r,
		"SELECT p.id, p.unit_id, u.name AS unit_name, p.surname, p.given_name, p.patronymic, p.surname_latin,"
		" p.given_name_latin, p.patronymic_latin, p.sex, p.birth_date, p.birth_place, p.citizenship, p.languages,"
		" p.preferred_language, p.merged_into, p.created_at, p.updated_at, p.version,"
		" (SELECT COUNT(*) FROM person_photo ph WHERE ph.person_id = p.id) AS is_has_photo"
		" FROM person p JOIN unit u ON u.id = p.unit_id WHERE p.id = ?",
		"t", id);
	if (!p) {
		*failed_r = true;
		return NULL;
	}
	json_t *langs = json_array();
	const char *l = json_string_value(json_object_get(p, "languages"));
	char *copy = xstrdup(l ? l : ""), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(langs, json_string(t));
	free(copy);
	json_object_set_new(p, "languages", langs);
	struct {
		const char *name, *sql;
	} lists[] = {
		{"aliases", "SELECT id, name, kind FROM person_alias WHERE person_id = ? ORDER BY created_at"},
		{"documents", "SELECT id, type, number, country, issued_on, expires_on FROM person_document"
		              " WHERE person_id = ? ORDER BY created_at"},
		{"addresses", "SELECT id, kind, address, valid_from, valid_to FROM person_address WHERE person_id = ?"
		              " ORDER BY valid_from DESC, created_at DESC"},
		{"phones", "SELECT id, number, label FROM person_phone WHERE person_id = ? ORDER BY created_at"},
		{"cases", "SELECT c.id, c.number, c.kind, c.status, c.unit_id, u.name AS unit_name, c.officer_id,"
		          " a.display_name AS officer_name, c.opened_on, c.closed_on FROM case_file c"
		          " JOIN unit u ON u.id = c.unit_id LEFT JOIN account a ON a.id = c.officer_id"
		          " WHERE c.person_id = ? ORDER BY c.opened_on DESC"},
		{"merges", "SELECT id, kept_id, merged_id, reason, merged_at FROM person_merge WHERE kept_id = ?"
		           " OR merged_id = ? ORDER BY merged_at"},
	};
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		json_t *rows = strcmp(lists[i].name, "merges") == 0 ? api_select(c, lists[i].sql, "tt", id, id)
		                                                     : api_select(c, lists[i].sql, "t", id);
		if (!rows) {
			json_decref(p);
			*failed_r = true;
			return NULL;
		}
		json_object_set_new(p, lists[i].name, rows);
	}
	json_object_set_new(p, "third_parties_restricted",
	                    json_boolean(!policy_has(&req->principal, "people.third_parties")));
	*failed_r = false;
	return p;
}

/* Opens the transaction and checks the caller's reach and that the record is live; false after answering. */
static bool begin_change(struct http_request *req, struct http_response *resp, const char *id,
                         struct record_scope *s)
{
	if (!api_begin(req, resp) || !scope_person(req, resp, id, s))
		return false;
	if (s->merged) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "merged", "This record was merged",
		             "Change the record it was merged into instead.", NULL);
		return false;
	}
	return true;
}

/* Logs, bumps the person's version, commits and answers with the item (201) or nothing (204). */
static void finish_change(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                          const char *action, const char *what, const char *item_sql, const char *item_id)
{
	const char *id = s->person_id;
	if (db_run(req->db, NULL, "UPDATE person SET updated_at = ?, version = version + 1 WHERE id = ?", "it",
	           clock_now_ms(), id) != DB_OK ||
	    !scope_audit(req, s, action, "person", id, what)) {
		api_db_failed(req, resp, "changing a person");
		return;
	}
	json_t *item = NULL;
	if (item_sql) {
		bool failed = false;
		item = api_select_one(req->db, &failed, item_sql, "t", item_id);
		if (!item) {
			api_db_failed(req, resp, "reading what was added");
			return;
		}
	}
	if (!api_commit(req, resp)) {
		json_decref(item);
		return;
	}
	if (item)
		http_response_json(resp, 201, item);
	else
		resp->status = 204;
}


/* Deletes one item of a person's list; 404 when it is not the person's. */
static void delete_item(struct http_request *req, struct http_response *resp, const char *sql, const char *what)
{
	const char *id = http_request_param(req, "id"), *item = http_request_param(req, "item");
	struct record_scope s;
	if (!begin_change(req, resp, id, &s))
		return;
	int64_t changes = 0;
	if (db_run(req->db, &changes, sql, "tt", item, id) != DB_OK) {
		api_db_failed(req, resp, "removing an item");
		return;
	}
	if (changes == 0) {
		db_rollback(req->db);
		api_not_found(req, resp, what);
		return;
	}
	char detail[80];
	snprintf(detail, sizeof detail, "%s %s removed", what, item);
	finish_change(req, resp, &s, AUDIT_ALTER, detail, NULL, NULL);
}

void api_person_document_add(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, document_rules, NRULES(document_rules), &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !begin_change(req, resp, http_request_param(req, "id"), &s))
		return;
	const json_t *b = req->json;
	char item[UUID_STR_LEN];
	if (person_document_add(req->db, s.person_id, json_str(b, "type"), json_str(b, "number"), json_str(b, "country"),
	                        json_str(b, "issued_on"), json_str(b, "expires_on"), clock_now_ms(), item) != DB_OK) {
		api_db_failed(req, resp, "adding a document");
		return;
	}
	finish_change(req, resp, &s, AUDIT_COLLECT, "document added",
	              "SELECT id, type, number, country, issued_on, expires_on FROM person_document WHERE id = ?", item);
}

void api_person_document_delete(struct http_request *req, struct http_response *resp)
{
	delete_item(req, resp, "DELETE FROM person_document WHERE id = ? AND person_id = ?", "document");
}

void api_person_address_add(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, address_rules, NRULES(address_rules), &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !begin_change(req, resp, http_request_param(req, "id"), &s))
		return;
	const json_t *b = req->json;
	char item[UUID_STR_LEN], today[11];
	int64_t now = clock_now_ms();
	if (!api_today_date(req, resp, NULL, today))
		return;
	if (person_address_add(req->db, s.person_id, json_str(b, "kind"), json_str(b, "address"), json_str(b, "valid_from"),
	                       now, item) != DB_OK) {
		api_db_failed(req, resp, "adding an address");
		return;
	}
	/* A new current address (no valid_to) calls for a reassessment on each open case of the person, as of today:
	   the day Kadam learns of the change, whatever valid_from says. */
	bool failed = false;
	json_t *added = api_select_one(req->db, &failed, "SELECT valid_to FROM person_address WHERE id = ?", "t", item);
	bool current = added && json_is_null(json_object_get(added, "valid_to"));
	json_decref(added);
	json_t *triggers = json_array();
	struct trigger_new t = {.kind = "address", .occurred_on = today, .summary = "The person's address changed",
	                        .record_type = "person_address", .record_id = item,
	                        .recorded_by = req->principal.account_id, .caller_logs = true};
	bool ok = !failed && (!current || reassessment_trigger_person(req->db, s.person_id, &t, now, triggers) == DB_OK);
	size_t i;
	json_t *one;
	json_array_foreach(triggers, i, one) {
		if (!ok)
			break;
		ok = scope_audit(req, &s, AUDIT_COLLECT, "reassessment_trigger", json_string_value(json_object_get(one, "id")),
		                 json_string_value(json_object_get(one, "case_id")));
	}
	json_decref(triggers);
	if (!ok) {
		api_db_failed(req, resp, "recording a reassessment trigger");
		return;
	}
	finish_change(req, resp, &s, AUDIT_COLLECT, "address added",
	              "SELECT id, kind, address, valid_from, valid_to FROM person_address WHERE id = ?", item);
}

void api_person_phone_add(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, phone_rules, NRULES(phone_rules), &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !begin_change(req, resp, http_request_param(req, "id"), &s))
		return;
	char item[UUID_STR_LEN];
	if (person_phone_add(req->db, s.person_id, json_str(req->json, "number"), json_str(req->json, "label"),
	                     clock_now_ms(), item) != DB_OK) {
		api_db_failed(req, resp, "adding a phone");
		return;
	}
	finish_change(req, resp, &s, AUDIT_COLLECT, "phone added",
	              "SELECT id, number, label FROM person_phone WHERE id = ?", item);
}

void api_person_phone_delete(struct http_request *req, struct http_response *resp)
{
	delete_item(req, resp, "DELETE FROM person_phone WHERE id = ? AND person_id = ?", "phone");
}

void api_person_alias_add(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, alias_rules, NRULES(alias_rules), &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !begin_change(req, resp, http_request_param(req, "id"), &s))
		return;
	char item[UUID_STR_LEN];
	if (person_alias_add(req->db, s.person_id, json_str(req->json, "name"), json_str(req->json, "kind"), clock_now_ms(),
	                     item) != DB_OK) {
		api_db_failed(req, resp, "adding an alias");
		return;
	}
	finish_change(req, resp, &s, AUDIT_COLLECT, "alias added",
	              "SELECT id, name, kind FROM person_alias WHERE id = ?", item);
}

void api_person_alias_delete(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *item = http_request_param(req, "item");
	struct record_scope s;
	if (!begin_change(req, resp, id, &s))
		return;
	int64_t changes = 0;
	if (db_run(req->db, &changes, "DELETE FROM person_alias WHERE id = ? AND person_id = ? AND kind <> 'merged'",
	           "tt", item, id) != DB_OK ||
	    (changes && person_reindex(req->db, id) != DB_OK)) {
		api_db_failed(req, resp, "removing an alias");
		return;
	}
	if (changes == 0) {
		db_rollback(req->db);
		api_not_found(req, resp, "alias (names kept from a merge stay)");
		return;
	}
	finish_change(req, resp, &s, AUDIT_ALTER, "alias removed", NULL, NULL);
}

/* --- the photo ------------------------------------------------------------ */

/* The image type by its first bytes; NULL when it is none of the three. */
static const char *sniff_image(const unsigned char *b, size_t n)
{
	if (n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
		return "image/jpeg";
	if (n >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "image/webp";
	return NULL;
}

#define PHOTO_MAX_BYTES (1024 * 1024)

void api_person_photo_put(struct http_request *req, struct http_response *resp)
{
	const char *declared = http_request_header(req, "Content-Type");
	char type[32] = "";
	if (declared)
		snprintf(type, sizeof type, "%.*s", (int)strcspn(declared, "; "), declared);
	if (strcmp(type, "image/jpeg") != 0 && strcmp(type, "image/png") != 0 && strcmp(type, "image/webp") != 0) {
		http_problem(resp, req, 415, "unsupported-media-type", "Unsupported media type",
		             "Send the photo as image/jpeg, image/png or image/webp.", NULL);
		return;
	}
	struct field_errors fe = {0};
	const char *actual = sniff_image((const unsigned char *)req->body, req->body_len);
	if (req->body_len == 0)
		field_error(&fe, "photo", "is empty");
	else if (req->body_len > PHOTO_MAX_BYTES)
		field_error(&fe, "photo", "must be at most 1 MiB");
	else if (!actual || strcmp(actual, type) != 0)
		field_error(&fe, "photo", "is not a %s image", type);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !begin_change(req, resp, http_request_param(req, "id"), &s))
		return;
	db_stmt *st = NULL;
	int64_t now = clock_now_ms();
	enum db_status rc = db_run(req->db, NULL, "DELETE FROM person_photo WHERE person_id = ?", "t", s.person_id);
	if (rc == DB_OK)
		rc = db_prepare(req->db,
			"INSERT INTO person_photo (person_id, content_type, content, uploaded_at, uploaded_by)"
			" VALUES (?, ?, ?, ?, ?)", &st);
	if (rc == DB_OK && (rc = db_bind_text(st, 1, s.person_id, SIZE_MAX)) == DB_OK &&
	    (rc = db_bind_text(st, 2, type, SIZE_MAX)) == DB_OK &&
	    (rc = db_bind_blob(st, 3, req->body, req->body_len)) == DB_OK &&
	    (rc = db_bind_int64(st, 4, now)) == DB_OK &&
	    (rc = db_bind_text(st, 5, req->principal.account_id, SIZE_MAX)) == DB_OK)
		rc = db_step(st) == DB_DONE ? DB_OK : DB_ERROR;
	db_finalize(&st);
	if (rc != DB_OK) {
		api_db_failed(req, resp, "storing a photo");
		return;
	}
	finish_change(req, resp, &s, AUDIT_COLLECT, "photo set", NULL, NULL);
}

void api_person_photo_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_person(req, resp, id, &s))
		return;
	db_stmt *st = NULL;
	enum db_status rc = db_query(req->db, &st, "SELECT content_type, content FROM person_photo WHERE person_id = ?",
	                             "t", id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t len = 0;
		const void *data = db_column_blob(st, 1, &len);
		const char *t = db_column_text(st, 0, NULL);
		resp->content_type = strcmp(t, "image/png") == 0 ? "image/png"
		                   : strcmp(t, "image/webp") == 0 ? "image/webp" : "image/jpeg";
		buf_append(&resp->body, data, len);
	}
	db_finalize(&st);
	if (rc == DB_DONE) {
		db_rollback(req->db);
		api_not_found(req, resp, "photo");
		return;
	}
	if (rc != DB_ROW || !scope_audit(req, &s, AUDIT_CONSULT, "person_photo", id, NULL)) {
		buf_reset(&resp->body);
		api_db_failed(req, resp, "reading a photo");
		return;
	}
	if (!api_commit(req, resp)) {
		buf_reset(&resp->body);
		return;
	}
	resp->status = 200;
	http_response_header(resp, "Cache-Control", "private, no-store");
}

void api_person_photo_delete(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!begin_change(req, resp, id, &s))
		return;
	int64_t changes = 0;
	if (db_run(req->db, &changes, "DELETE FROM person_photo WHERE person_id = ?", "t", id) != DB_OK) {
		api_db_failed(req, resp, "removing a photo");
		return;
	}
	if (changes == 0) {
		db_rollback(req->db);
		api_not_found(req, resp, "photo");
		return;
	}
	finish_change(req, resp, &s, AUDIT_ERASE, "photo removed", NULL, NULL);
}

/* --- third parties (S15) ---------------------------------------------------- */

/*
 * Family members and other third parties, behind their own permission. A returnee family member may be linked to
 * their own person record (which the caller must reach too), and may carry a child-protection referral (children
 * only; a date, a note, optionally the agency), which goes on the timeline of each of the person's open cases.
 * A restricted row is read and changed only by callers whose own units hold the person (not under a grant, a
 * stated purpose or break-glass); others are told how many were withheld, and each restricted row shown is a
 * processing-log entry of its own. The body checks are reintegration_body_validate's (reintegration.c).
 */

#define THIRD_PARTY_COLUMNS \
	"SELECT t.id, t.person_id, t.relationship, t.full_name, t.birth_date, t.contact, t.note, t.linked_person_id," \
	" t.returnee AS is_returnee, t.returned_from, t.restricted AS is_restricted," \
	" t.child_protection AS is_child_protection, t.child_protection_on, t.child_protection_agency_id," \
	" ag.name AS child_protection_agency_name, t.child_protection_note, t.created_at, t.updated_at, t.version" \
	" FROM third_party t LEFT JOIN agency ag ON ag.id = t.child_protection_agency_id"
#define RESTRICTED_DETAIL "restricted family member (S15)"

/* The members of a third party's body, in the order of THIRD_PARTY_COLUMNS. */
static const char *const third_party_members[] = {
	"relationship", "full_name", "birth_date", "contact", "note", "linked_person_id", "returnee", "returned_from",
	"restricted", "child_protection", "child_protection_on", "child_protection_agency_id", "child_protection_note",
	NULL};

static bool third_party_body_ok(struct http_request *req, struct http_response *resp, const char *kind,
                                const json_t *body)
{
	char today[11];
	if (!api_today_date(req, resp, NULL, today))
		return false;
	struct field_errors fe = {0};
	reintegration_body_validate(kind, body, today, &fe);
	return !api_errors_answer(req, resp, &fe);
}

/* Refuses (403, logged) a change to a restricted family member by a caller whose own units do not hold the
 * person. False after answering. */
static bool restricted_may(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                           const char *item)
{
	if (s->access == UNIT_ACCESS_OWN)
		return true;
	db_rollback(req->db);
	api_audit_denied(req, "third_party", item, "restricted family member outside the caller's own units (S15)");
	http_problem(resp, req, 403, "forbidden", "Not permitted",
	             "A restricted family member is recorded and changed only within the person's own units.", NULL);
	return false;
}

/* Checks the linked person (known, another person, not merged, within the caller's reach) and the
 * child-protection agency of body. False after answering (422 naming each field, or scope_person's 403/428). */
static bool third_party_refs_ok(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                                const json_t *body)
{
	struct field_errors fe = {0};
	const char *linked = json_str(body, "linked_person_id"), *agency = json_str(body, "child_protection_agency_id");
	bool failed = false;
	if (agency) {
		json_t *row = api_select_one(req->db, &failed, "SELECT id FROM agency WHERE id = ?", "t", agency);
		if (failed) {
			api_db_failed(req, resp, "reading an agency");
			return false;
		}
		if (!row)
			field_error(&fe, "child_protection_agency_id", "is not a known agency");
		json_decref(row);
	}
	bool reach = false;
	if (linked && strcmp(linked, s->person_id) == 0) {
		field_error(&fe, "linked_person_id", "must be another person than the one whose family member this is");
	} else if (linked) {
		json_t *row = api_select_one(req->db, &failed, "SELECT merged_into FROM person WHERE id = ?", "t", linked);
		if (failed) {
			api_db_failed(req, resp, "reading a person");
			return false;
		}
		if (!row)
			field_error(&fe, "linked_person_id", "is not a known person");
		else if (json_string_value(json_object_get(row, "merged_into")))
			field_error(&fe, "linked_person_id", "was merged into another record: link that one");
		else
			reach = true;
		json_decref(row);
	}
	if (api_errors_answer(req, resp, &fe))
		return false;
	struct record_scope ls;
	return !reach || scope_person(req, resp, linked, &ls);
}

/* Puts a child-protection referral set (or withdrawn) on the timeline of each of the person's open cases. */
static bool child_protection_events(struct http_request *req, const char *person_id, const char *item, bool set,
                                    const char *agency, int64_t now)
{
	json_t *cases = api_select(req->db, "SELECT id FROM case_file WHERE person_id = ? AND status = 'open'", "t",
	                           person_id);
	if (!cases)
		return false;
	char *detail = xasprintf("{\"third_party_id\":\"%s\",\"child_protection\":%s,\"agency_id\":%s%s%s}", item,
	                         set ? "true" : "false", agency ? "\"" : "", agency ? agency : "null", agency ? "\"" : "");
	const char *summary = set ? "A child-protection referral was recorded for a family member"
	                          : "A family member's child-protection referral was withdrawn";
	bool ok = true;
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c)
		ok = ok && case_event_add(req->db, json_string_value(json_object_get(c, "id")), now, "family.child_protection",
		                          req->principal.account_id, summary, detail, "third_party", item) == DB_OK;
	free(detail);
	json_decref(cases);
	return ok;
}

/* Logs the change to a third party, bumps the person's version, commits and answers with the row and its ETag. */
static void third_party_finish(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                               const char *action, const char *item, bool restricted, const char *what, int status)
{
	bool failed = false;
	json_t *row = NULL;
	if (db_run(req->db, NULL, "UPDATE person SET updated_at = ?, version = version + 1 WHERE id = ?", "it",
	           clock_now_ms(), s->person_id) != DB_OK ||
	    !scope_audit(req, s, action, "third_party", item, restricted ? RESTRICTED_DETAIL : what) ||
	    !(row = api_select_one(req->db, &failed, THIRD_PARTY_COLUMNS " WHERE t.id = ?", "t", item))) {
		api_db_failed(req, resp, "changing a third party");
		return;
	}
	api_commit_send(req, resp, status, row);
}

void api_third_parties_list(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_person(req, resp, id, &s))
		return;
	int64_t own = s.access == UNIT_ACCESS_OWN;
	bool failed = false;
	json_t *items = api_select(req->db,
		THIRD_PARTY_COLUMNS " WHERE t.person_id = ? AND (t.restricted = 0 OR ? = 1) ORDER BY t.created_at, t.id", "ti",
		id, own);
	json_t *hidden = api_select_one(req->db, &failed,
		"SELECT COUNT(*) AS n FROM third_party WHERE person_id = ? AND restricted = 1 AND ? = 0", "ti", id, own);
	bool ok = items && hidden && scope_audit(req, &s, AUDIT_CONSULT, "third_party", id, "restricted section (S15)");
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row)
		if (ok && json_is_true(json_object_get(row, "restricted")))
			ok = scope_audit(req, &s, AUDIT_CONSULT, "third_party", json_string_value(json_object_get(row, "id")),
			                 RESTRICTED_DETAIL);
	if (!ok) {
		json_decref(items);
		json_decref(hidden);
		api_db_failed(req, resp, "reading third parties");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(hidden);
		return;
	}
	json_t *out = json_pack("{s:o, s:O}", "items", items, "restricted_hidden", json_object_get(hidden, "n"));
	json_decref(hidden);
	http_response_json(resp, 200, out);
}

void api_third_party_add(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	const json_t *b = req->json;
	struct record_scope s;
	char item[UUID_STR_LEN];
	uuid_v7(item);
	bool restricted = json_is_true(json_object_get(b, "restricted"));
	bool protection = json_is_true(json_object_get(b, "child_protection"));
	if (!third_party_body_ok(req, resp, "third_party", b) || !begin_change(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "person", id) || (restricted && !restricted_may(req, resp, &s, item)) ||
	    !third_party_refs_ok(req, resp, &s, b))
		return;
	int64_t now = clock_now_ms();
	const char *agency = json_str(b, "child_protection_agency_id");
	if (db_run(req->db, NULL,
	           "INSERT INTO third_party (id, person_id, relationship, full_name, birth_date, contact, note, created_at,"
	           " created_by, linked_person_id, returnee, returned_from, restricted, child_protection,"
	           " child_protection_on, child_protection_agency_id, child_protection_note, updated_at, version)"
	           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
	           "ttttttt" "it" "t" "it" "ii" "ttt" "i",
	           item, s.person_id, json_str(b, "relationship"), json_str(b, "full_name"), json_str(b, "birth_date"),
	           json_str(b, "contact"), json_str(b, "note"), now, req->principal.account_id,
	           json_str(b, "linked_person_id"), (int64_t)json_is_true(json_object_get(b, "returnee")),
	           json_str(b, "returned_from"), (int64_t)restricted, (int64_t)protection,
	           json_str(b, "child_protection_on"), agency, json_str(b, "child_protection_note"), now) != DB_OK ||
	    (protection && !child_protection_events(req, s.person_id, item, true, agency, now))) {
		api_db_failed(req, resp, "adding a third party");
		return;
	}
	third_party_finish(req, resp, &s, AUDIT_COLLECT, item, restricted, "third party added (S15)", 201);
}

void api_third_party_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *item = http_request_param(req, "item");
	const json_t *b = req->json;
	int64_t version = 0;
	struct record_scope s;
	if (!third_party_body_ok(req, resp, "third_party_update", b) || !api_if_match(req, resp, &version) ||
	    !begin_change(req, resp, id, &s) || !scope_may_change(req, resp, &s, "person", id))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, THIRD_PARTY_COLUMNS " WHERE t.id = ? AND t.person_id = ?", "tt",
	                             uuid_valid(item) ? item : "", id);
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a third party");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "third party");
		}
		return;
	}
	bool was_restricted = json_is_true(json_object_get(row, "restricted"));
	bool was_protection = json_is_true(json_object_get(row, "child_protection"));
	int64_t stored = json_integer_value(json_object_get(row, "version"));
	/* The row as it will be: the stored members, then the body's (null removes one). */
	json_t *merged = json_object();
	for (const char *const *m = third_party_members; *m; m++) {
		json_t *v = json_object_get(row, *m);
		if (v && !json_is_null(v))
			json_object_set(merged, *m, v);
	}
	json_decref(row);
	/* Ending a referral or a return drops what went with it, unless the body gives it (then it is an error). */
	if (json_is_false(json_object_get(b, "child_protection")))
		for (const char *const *m = third_party_members + 10; *m; m++)
			json_object_del(merged, *m);
	if (json_is_false(json_object_get(b, "returnee")))
		json_object_del(merged, "returned_from");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)b, key, v) {
		if (json_is_null(v))
			json_object_del(merged, key);
		else
			json_object_set(merged, key, v);
	}
	bool restricted = json_is_true(json_object_get(merged, "restricted"));
	bool protection = json_is_true(json_object_get(merged, "child_protection"));
	bool ok = (!(was_restricted || restricted) || restricted_may(req, resp, &s, item));
	if (ok && stored != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The family member has changed",
		             "Someone changed this record since you read it: reload it and try again.", NULL);
		ok = false;
	}
	/* The linked person is checked again only when it changes. */
	json_t *refs = json_object();
	if (ok && json_str(b, "linked_person_id"))
		json_object_set(refs, "linked_person_id", json_object_get(b, "linked_person_id"));
	if (ok && json_str(merged, "child_protection_agency_id"))
		json_object_set(refs, "child_protection_agency_id", json_object_get(merged, "child_protection_agency_id"));
	ok = ok && third_party_body_ok(req, resp, "third_party", merged) && third_party_refs_ok(req, resp, &s, refs);
	json_decref(refs);
	if (!ok) {
		json_decref(merged);
		return;
	}
	int64_t now = clock_now_ms(), changed = 0;
	const char *agency = json_str(merged, "child_protection_agency_id");
	ok = db_run(req->db, &changed,
	            "UPDATE third_party SET relationship = ?, full_name = ?, birth_date = ?, contact = ?, note = ?,"
	            " linked_person_id = ?, returnee = ?, returned_from = ?, restricted = ?, child_protection = ?,"
	            " child_protection_on = ?, child_protection_agency_id = ?, child_protection_note = ?, updated_at = ?,"
	            " version = version + 1 WHERE id = ? AND version = ?",
	            "tttttt" "it" "ii" "ttt" "i" "ti",
	            json_str(merged, "relationship"), json_str(merged, "full_name"), json_str(merged, "birth_date"),
	            json_str(merged, "contact"), json_str(merged, "note"), json_str(merged, "linked_person_id"),
	            (int64_t)json_is_true(json_object_get(merged, "returnee")), json_str(merged, "returned_from"),
	            (int64_t)restricted, (int64_t)protection, json_str(merged, "child_protection_on"), agency,
	            json_str(merged, "child_protection_note"), now, item, version) == DB_OK;
	json_decref(merged);
	if (ok && changed != 1) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The family member has changed",
		             "Someone changed this record since you read it: reload it and try again.", NULL);
		return;
	}
	if (!ok || (protection != was_protection &&
	            !child_protection_events(req, s.person_id, item, protection, agency, now))) {
		api_db_failed(req, resp, "changing a third party");
		return;
	}
	third_party_finish(req, resp, &s, AUDIT_ALTER, item, restricted || was_restricted, "third party changed (S15)",
	                   200);
}

void api_third_party_delete(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *item = http_request_param(req, "item");
	struct record_scope s;
	if (!begin_change(req, resp, id, &s) || !scope_may_change(req, resp, &s, "person", id))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT restricted FROM third_party WHERE id = ? AND person_id = ?", "tt", uuid_valid(item) ? item : "", id);
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a third party");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "third party");
		}
		return;
	}
	bool restricted = json_integer_value(json_object_get(row, "restricted")) != 0;
	json_decref(row);
	if (restricted && !restricted_may(req, resp, &s, item))
		return;
	char detail[80];
	snprintf(detail, sizeof detail, "third party %s removed", item);
	if (db_run(req->db, NULL, "DELETE FROM third_party WHERE id = ? AND person_id = ?", "tt", item, id) != DB_OK ||
	    !scope_audit(req, &s, AUDIT_ALTER, "third_party", item, restricted ? RESTRICTED_DETAIL : "third party removed")) {
		api_db_failed(req, resp, "removing a third party");
		return;
	}
	finish_change(req, resp, &s, AUDIT_ALTER, detail, NULL, NULL);
}
