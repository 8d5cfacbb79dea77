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

static const char *const relationships[] = {"spouse", "child", "parent", "sibling", "relative", "associate",
                                            "victim", "other", NULL};
static const struct field_rule third_party_rules[] = {
	{"relationship", FIELD_ENUM, true, 0, 0, relationships},
	{"full_name", FIELD_STRING, true, 1, 200, NULL},
	{"birth_date", FIELD_DATE, false, 0, 0, NULL},
	{"contact", FIELD_STRING, false, 0, 200, NULL},
	{"note", FIELD_STRING, false, 0, 1000, NULL},
};

void api_third_parties_list(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_person(req, resp, id, &s))
		return;
	json_t *items = api_select(req->db,
		"SELECT id, relationship, full_name, birth_date, contact, note, created_at FROM third_party"
		" WHERE person_id = ? ORDER BY created_at", "t", id);
	if (!items || !scope_audit(req, &s, AUDIT_CONSULT, "third_party", id, "restricted section (S15)")) {
		json_decref(items);
		api_db_failed(req, resp, "reading third parties");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_third_party_add(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, third_party_rules, NRULES(third_party_rules), &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !begin_change(req, resp, http_request_param(req, "id"), &s))
		return;
	char item[UUID_STR_LEN];
	uuid_v7(item);
	const json_t *b = req->json;
	if (db_run(req->db, NULL,
	           "INSERT INTO third_party (id, person_id, relationship, full_name, birth_date, contact, note, created_at,"
	           " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	           "tttttttit", item, s.person_id, json_str(b, "relationship"), json_str(b, "full_name"),
	           json_str(b, "birth_date"), json_str(b, "contact"), json_str(b, "note"), clock_now_ms(),
	           req->principal.account_id) != DB_OK) {
		api_db_failed(req, resp, "adding a third party");
		return;
	}
	finish_change(req, resp, &s, AUDIT_COLLECT, "third party added (S15)",
	              "SELECT id, relationship, full_name, birth_date, contact, note, created_at FROM third_party"
	              " WHERE id = ?", item);
}

void api_third_party_delete(struct http_request *req, struct http_response *resp)
{
	delete_item(req, resp, "DELETE FROM third_party WHERE id = ? AND person_id = ?", "third party");
}
