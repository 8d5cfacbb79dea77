/*
 * people.c — finding, registering, reading, changing and merging people.
 * Every read of a person is logged with the records shown (S10); search and
 * the duplicate check reach only the caller's units unless the caller holds
 * people.read.any and states a purpose, except that the duplicate check
 * names (without details) a likely duplicate held elsewhere, so that a second
 * record of one person is not made.
 */
#include <string.h>

#include "api/api.h"
#include "api/people_json.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/person.h"
#include "domain/person_search.h"

static const char *const sexes[] = {"male", "female", NULL};
static const char *const ui_languages[] = {"ky", "ru", "en", NULL};
const char *const document_types[] = {"passport", "id_card", "foreign_passport", "birth_certificate",
                                      "residence_permit", "other", NULL};
const char *const address_kinds[] = {"registered", "actual", "temporary", NULL};
const char *const alias_kinds[] = {"alias", "former_name", "spelling", NULL};

#define PERSON_FIELDS \
	{"surname", FIELD_STRING, true, 1, 100, NULL}, \
	{"given_name", FIELD_STRING, true, 1, 100, NULL}, \
	{"patronymic", FIELD_STRING, false, 0, 100, NULL}, \
	{"surname_latin", FIELD_STRING, false, 0, 100, NULL}, \
	{"given_name_latin", FIELD_STRING, false, 0, 100, NULL}, \
	{"patronymic_latin", FIELD_STRING, false, 0, 100, NULL}, \
	{"sex", FIELD_ENUM, false, 0, 0, sexes}, \
	{"birth_date", FIELD_DATE, true, 0, 0, NULL}, \
	{"birth_place", FIELD_STRING, false, 0, 200, NULL}, \
	{"citizenship", FIELD_STRING, false, 2, 2, NULL}, \
	{"languages", FIELD_ARRAY, false, 0, 10, NULL}, \
	{"preferred_language", FIELD_ENUM, false, 0, 0, ui_languages}

static const struct field_rule update_rules[] = {PERSON_FIELDS};
static const struct field_rule create_rules[] = {
	PERSON_FIELDS,
	{"unit_id", FIELD_UUID, false, 0, 0, NULL},
	{"documents", FIELD_ARRAY, false, 0, 10, NULL},
	{"addresses", FIELD_ARRAY, false, 0, 10, NULL},
	{"phones", FIELD_ARRAY, false, 0, 10, NULL},
	{"aliases", FIELD_ARRAY, false, 0, 20, NULL},
	{"confirm_not_duplicate", FIELD_BOOL, false, 0, 0, NULL},
};

const struct field_rule document_rules[5] = {
	{"type", FIELD_ENUM, true, 0, 0, document_types},
	{"number", FIELD_STRING, true, 3, 32, NULL},
	{"country", FIELD_STRING, false, 2, 2, NULL},
	{"issued_on", FIELD_DATE, false, 0, 0, NULL},
	{"expires_on", FIELD_DATE, false, 0, 0, NULL},
};
const struct field_rule address_rules[3] = {
	{"kind", FIELD_ENUM, true, 0, 0, address_kinds},
	{"address", FIELD_STRING, true, 3, 300, NULL},
	{"valid_from", FIELD_DATE, true, 0, 0, NULL},
};
const struct field_rule phone_rules[2] = {
	{"number", FIELD_STRING, true, 5, 30, NULL},
	{"label", FIELD_STRING, false, 0, 60, NULL},
};
const struct field_rule alias_rules[2] = {
	{"name", FIELD_STRING, true, 1, 200, NULL},
	{"kind", FIELD_ENUM, true, 0, 0, alias_kinds},
};

/* Checks what the main fields cannot say alone: the country codes, languages, a birth date not in the future. */
static void check_person_fields(const json_t *body, const char *today, struct field_errors *fe)
{
	const char *c = json_string_value(json_object_get(body, "citizenship"));
	if (c && (strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z'))
		field_error(fe, "citizenship", "must be two capital letters (ISO 3166-1)");
	json_t *langs = json_object_get(body, "languages");
	if (json_is_array(langs)) {
		size_t i;
		json_t *l;
		json_array_foreach(langs, i, l) {
			const char *s = json_string_value(l);
			if (!s || strlen(s) < 2 || strlen(s) > 3 || strspn(s, "abcdefghijklmnopqrstuvwxyz") != strlen(s)) {
				char name[32];
				snprintf(name, sizeof name, "languages[%zu]", i);
				field_error(fe, name, "must be a language code (ISO 639-1 such as ky, ru, uz)");
			}
		}
	}
	const char *birth = json_string_value(json_object_get(body, "birth_date"));
	if (birth && strlen(birth) == 10 && strcmp(birth, today) > 0)
		field_error(fe, "birth_date", "must not be in the future");
}

/* Validates each item of a list member with rules; errors name "<list>[i].<field>". */
static void check_list(const json_t *body, const char *list, const struct field_rule *rules, size_t n,
                       struct field_errors *fe)
{
	json_t *items = json_object_get(body, list);
	if (!json_is_array(items))
		return;
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		char prefix[48];
		snprintf(prefix, sizeof prefix, "%s[%zu]", list, i);
		validate_object_at(item, prefix, rules, n, fe);
	}
}


/* The main fields of a body; languages is put into *langs (caller frees with buf_free). */
static void fields_of(const json_t *body, struct person_fields *f, struct buf *langs)
{
	memset(f, 0, sizeof *f);
	f->surname = json_str(body, "surname");
	f->given_name = json_str(body, "given_name");
	f->patronymic = json_str(body, "patronymic");
	f->surname_latin = json_str(body, "surname_latin");
	f->given_name_latin = json_str(body, "given_name_latin");
	f->patronymic_latin = json_str(body, "patronymic_latin");
	f->sex = json_str(body, "sex");
	f->birth_date = json_str(body, "birth_date");
	f->birth_place = json_str(body, "birth_place");
	f->citizenship = json_str(body, "citizenship");
	f->preferred_language = json_str(body, "preferred_language");
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(body, "languages"), i, l) {
		if (langs->len)
			buf_putc(langs, ',');
		buf_puts(langs, json_string_value(l));
	}
	f->languages = langs->data ? langs->data : "";
}

/* --- search ------------------------------------------------------------ */

/* A small cache of access decisions per unit for one request. */
struct unit_cache {
	char unit[24][UUID_STR_LEN];
	bool ok[24];
	int n;
};

static bool reachable_unit(struct http_request *req, struct unit_cache *uc, const char *unit, bool purpose,
                           bool *failed_r)
{
	for (int i = 0; i < uc->n; i++)
		if (strcmp(uc->unit[i], unit) == 0)
			return uc->ok[i];
	enum unit_access a = scope_unit(req, unit, purpose, NULL);
	if (a == UNIT_ACCESS_ERROR)
		*failed_r = true;
	bool ok = a == UNIT_ACCESS_OWN || a == UNIT_ACCESS_GRANTED || a == UNIT_ACCESS_WITH_PURPOSE;
	if (uc->n < 24) {
		snprintf(uc->unit[uc->n], UUID_STR_LEN, "%s", unit);
		uc->ok[uc->n++] = ok;
	}
	return ok;
}

/* True when one of the person's units (registering unit, case units) is within reach. */
static bool person_reachable(struct http_request *req, struct unit_cache *uc, const char *id, bool purpose,
                             bool *failed_r)
{
	json_t *units = api_select(req->db,
		"SELECT unit_id FROM person WHERE id = ? UNION SELECT unit_id FROM case_file WHERE person_id = ?", "tt", id,
		id);
	if (!units) {
		*failed_r = true;
		return false;
	}
	bool ok = false;
	size_t i;
	json_t *u;
	json_array_foreach(units, i, u) {
		if (!ok)
			ok = reachable_unit(req, uc, json_string_value(json_object_get(u, "unit_id")), purpose, failed_r);
	}
	json_decref(units);
	return ok;
}

#define HIT_COLUMNS \
	"SELECT p.id, p.surname, p.given_name, p.patronymic, p.surname_latin, p.given_name_latin, p.patronymic_latin," \
	" p.birth_date, p.sex, u.name AS unit_name," \
	" (SELECT COUNT(*) FROM case_file c WHERE c.person_id = p.id AND c.status = 'open') AS open_cases" \
	" FROM person p JOIN unit u ON u.id = p.unit_id WHERE p.id = ?"

/* Adds one hit's row to items with its score and match; false on a database error. */
static bool add_hit(db *conn, json_t *items, const struct person_hit *h, struct buf *ids)
{
	bool failed = false;
	json_t *row = api_select_one(conn, &failed, HIT_COLUMNS, "t", h->id);
	if (!row)
		return !failed;
	json_object_set_new(row, "score", json_real(h->score));
	json_object_set_new(row, "match", json_string(person_match_name(h->match)));
	json_array_append_new(items, row);
	if (ids->len)
		buf_putc(ids, ',');
	buf_puts(ids, h->id);
	return true;
}

void api_people_search(struct http_request *req, struct http_response *resp)
{
	const char *q = http_request_query(req, "q"), *limit_s = http_request_query(req, "limit");
	struct field_errors fe = {0};
	long limit = limit_s ? strtol(limit_s, NULL, 10) : 20;
	if (!q || utf8_length(q) < 2 || utf8_length(q) > 200 || !utf8_valid(q))
		field_error(&fe, "q", "must have 2 to 200 characters");
	if (limit < 1 || limit > 50)
		field_error(&fe, "limit", "must be between 1 and 50");
	bool purpose = false;
	if (field_errors_respond(&fe, resp, req) || !api_purpose(req, resp, &purpose) || !api_begin(req, resp))
		return;
	struct person_query query = {.text = q};
	struct person_hit *hits = NULL;
	size_t n = 0;
	bool terms = false;
	if (person_search(req->db, &query, &hits, &n, &terms) != DB_OK) {
		api_db_failed(req, resp, "searching people");
		return;
	}
	json_t *items = json_array();
	struct buf ids = {0};
	struct unit_cache uc = {0};
	bool failed = false;
	for (size_t i = 0; i < n && (long)json_array_size(items) < limit && !failed; i++)
		if (person_reachable(req, &uc, hits[i].id, purpose, &failed) && !failed)
			failed = !add_hit(req->db, items, &hits[i], &ids);
	free(hits);
	char *detail = xasprintf("search: %zu shown%s%s", json_array_size(items), ids.len ? ": " : "",
	                         ids.data ? ids.data : "");
	if (strlen(detail) > 1900)
		detail[1900] = '\0';
	bool logged = !failed && api_audit(req, AUDIT_CONSULT, "person", NULL, AUDIT_OUTCOME_SUCCESS, detail);
	free(detail);
	buf_free(&ids);
	if (!logged) {
		json_decref(items);
		api_db_failed(req, resp, "searching people");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:b}", "items", items, "searched", terms));
}

/* --- duplicates ---------------------------------------------------------- */

/*
 * The likely duplicates of the person a body describes: the same document
 * number, or every name found (typos allowed) with the same birth date.
 * Those outside the caller's reach are named with their unit only.
 */
static json_t *find_duplicates(struct http_request *req, const json_t *body, bool *failed_r, struct buf *ids)
{
	*failed_r = false;
	struct buf text = {0};
	const char *parts[] = {"surname", "given_name"};
	for (int i = 0; i < 2; i++) {
		const char *s = json_str(body, parts[i]);
		if (s) {
			buf_puts(&text, s);
			buf_putc(&text, ' ');
		}
	}
	const char *docs[10];
	size_t ndocs = 0;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(body, "documents"), i, d) {
		const char *num = json_str(d, "number");
		if (num && ndocs < 10)
			docs[ndocs++] = num;
	}
	struct person_query q = {.text = text.data, .birth_date = json_str(body, "birth_date"), .documents = docs,
	                         .ndocuments = ndocs, .require_all_names = true};
	struct person_hit *hits = NULL;
	size_t n = 0;
	enum db_status rc = person_search(req->db, &q, &hits, &n, NULL);
	buf_free(&text);
	if (rc != DB_OK) {
		*failed_r = true;
		return NULL;
	}
	json_t *items = json_array();
	struct unit_cache uc = {0};
	for (size_t k = 0; k < n && json_array_size(items) < 10 && !*failed_r; k++) {
		const struct person_hit *h = &hits[k];
		bool likely = h->document_equal || (h->names_matched >= 2 && (h->birth_date_equal || !q.birth_date));
		if (!likely)
			continue;
		bool in_scope = person_reachable(req, &uc, h->id, false, failed_r);
		json_t *row = api_select_one(req->db, failed_r,
			in_scope ? "SELECT p.id, p.surname, p.given_name, p.patronymic, p.surname_latin, p.given_name_latin,"
			           " p.birth_date, u.name AS unit_name FROM person p JOIN unit u ON u.id = p.unit_id"
			           " WHERE p.id = ?"
			         : "SELECT p.id, u.name AS unit_name FROM person p JOIN unit u ON u.id = p.unit_id WHERE p.id = ?",
			"t", h->id);
		if (!row)
			continue;
		json_t *reasons = json_array();
		if (h->names_matched >= 2)
			json_array_append_new(reasons, json_string("name"));
		if (h->birth_date_equal)
			json_array_append_new(reasons, json_string("birth_date"));
		if (h->document_equal)
			json_array_append_new(reasons, json_string("document"));
		json_object_set_new(row, "reasons", reasons);
		json_object_set_new(row, "score", json_real(h->score));
		json_object_set_new(row, "in_scope", json_boolean(in_scope));
		json_array_append_new(items, row);
		if (ids->len)
			buf_putc(ids, ',');
		buf_puts(ids, h->id);
	}
	free(hits);
	if (*failed_r) {
		json_decref(items);
		return NULL;
	}
	return items;
}

static const struct field_rule duplicate_rules[] = {
	{"surname", FIELD_STRING, true, 1, 100, NULL},
	{"given_name", FIELD_STRING, true, 1, 100, NULL},
	{"patronymic", FIELD_STRING, false, 0, 100, NULL},
	{"surname_latin", FIELD_STRING, false, 0, 100, NULL},
	{"given_name_latin", FIELD_STRING, false, 0, 100, NULL},
	{"birth_date", FIELD_DATE, false, 0, 0, NULL},
	{"documents", FIELD_ARRAY, false, 0, 10, NULL},
};
static const struct field_rule duplicate_document_rules[] = {
	{"number", FIELD_STRING, true, 3, 32, NULL},
	{"type", FIELD_ENUM, false, 0, 0, document_types},
	{"country", FIELD_STRING, false, 2, 2, NULL},
	{"issued_on", FIELD_DATE, false, 0, 0, NULL},
	{"expires_on", FIELD_DATE, false, 0, 0, NULL},
};

static bool log_duplicates(struct http_request *req, size_t count, const struct buf *ids)
{
	char *detail = xasprintf("duplicate check: %zu likely%s%s", count, ids->len ? ": " : "",
	                         ids->data ? ids->data : "");
	bool ok = api_audit_why(req, AUDIT_CONSULT, "person", NULL, AUDIT_OUTCOME_SUCCESS, detail, "administration",
	                        "checking for an existing record before registering a person");
	free(detail);
	return ok;
}

void api_people_duplicates(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, duplicate_rules, NRULES(duplicate_rules), &fe);
	check_list(req->json, "documents", duplicate_document_rules, NRULES(duplicate_document_rules), &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool failed = false;
	struct buf ids = {0};
	json_t *items = find_duplicates(req, req->json, &failed, &ids);
	if (!items || !log_duplicates(req, json_array_size(items), &ids)) {
		buf_free(&ids);
		json_decref(items);
		api_db_failed(req, resp, "checking for duplicates");
		return;
	}
	buf_free(&ids);
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* --- one person -------------------------------------------------------- */

/* Commits and answers with the person as the caller may see it. */
static void answer_person(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *person = person_json(req, id, &failed);
	if (!person) {
		api_db_failed(req, resp, "reading a person");
		return;
	}
	api_commit_send(req, resp, status, person);
}

/* Adds the lists of a create body. */
static enum db_status add_lists(struct http_request *req, const char *id, int64_t now)
{
	enum db_status rc = DB_OK;
	char item[UUID_STR_LEN];
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(req->json, "documents"), i, o) {
		if (rc == DB_OK)
			rc = person_document_add(req->db, id, json_str(o, "type"), json_str(o, "number"), json_str(o, "country"),
			                         json_str(o, "issued_on"), json_str(o, "expires_on"), now, item);
	}
	json_array_foreach(json_object_get(req->json, "addresses"), i, o) {
		if (rc == DB_OK)
			rc = person_address_add(req->db, id, json_str(o, "kind"), json_str(o, "address"), json_str(o, "valid_from"),
			                        now, item);
	}
	json_array_foreach(json_object_get(req->json, "phones"), i, o) {
		if (rc == DB_OK)
			rc = person_phone_add(req->db, id, json_str(o, "number"), json_str(o, "label"), now, item);
	}
	json_array_foreach(json_object_get(req->json, "aliases"), i, o) {
		if (rc == DB_OK)
			rc = person_alias_add(req->db, id, json_str(o, "name"), json_str(o, "kind"), now, item);
	}
	return rc;
}

bool person_create_validate(const json_t *body, const char *today, struct field_errors *fe)
{
	if (validate_object(body, create_rules, NRULES(create_rules), fe))
		check_person_fields(body, today, fe);
	check_list(body, "documents", document_rules, NRULES(document_rules), fe);
	check_list(body, "addresses", address_rules, NRULES(address_rules), fe);
	check_list(body, "phones", phone_rules, NRULES(phone_rules), fe);
	check_list(body, "aliases", alias_rules, NRULES(alias_rules), fe);
	return fe->list == NULL;
}

void api_person_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	char today[11];
	if (!api_db(req, resp) || !api_today(req->db, today)) {
		if (req->db)
			api_internal_error(req, resp, "reading the date");
		return;
	}
	person_create_validate(req->json, today, &fe);
	if (field_errors_respond(&fe, resp, req))
		return;
	const char *unit = json_str(req->json, "unit_id");
	if (!unit)
		unit = req->principal.unit_id[0] ? req->principal.unit_id : NULL;
	if (!unit) {
		field_error(&fe, "unit_id", "is required: your account has no unit");
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (!api_begin(req, resp))
		return;
	enum unit_access a = scope_unit(req, unit, false, NULL);
	if (a == UNIT_ACCESS_ERROR) {
		api_db_failed(req, resp, "deciding access");
		return;
	}
	if (a != UNIT_ACCESS_OWN) {
		api_field_problem(req, resp, "unit_id", "must be your own unit or one below it");
		return;
	}
	if (!json_is_true(json_object_get(req->json, "confirm_not_duplicate"))) {
		bool failed = false;
		struct buf ids = {0};
		json_t *dups = find_duplicates(req, req->json, &failed, &ids);
		if (!dups || (json_array_size(dups) && !log_duplicates(req, json_array_size(dups), &ids))) {
			buf_free(&ids);
			json_decref(dups);
			api_db_failed(req, resp, "checking for duplicates");
			return;
		}
		buf_free(&ids);
		if (json_array_size(dups)) {
			/* The check's log entry is kept: the caller has seen these records. */
			if (!api_commit(req, resp)) {
				json_decref(dups);
				return;
			}
			http_problem_with(resp, req, 409, "possible-duplicate", "This person may already be registered",
			                  "Open the existing record, or confirm that this is another person.", NULL,
			                  json_pack("{s:o}", "duplicates", dups));
			return;
		}
		json_decref(dups);
	}
	struct person_fields f;
	struct buf langs = {0};
	fields_of(req->json, &f, &langs);
	int64_t now = clock_now_ms();
	char id[UUID_STR_LEN];
	enum db_status rc = person_create(req->db, unit, &f, req->principal.account_id, now, id);
	buf_free(&langs);
	if (rc == DB_OK)
		rc = add_lists(req, id, now);
	if (rc != DB_OK || !api_audit(req, AUDIT_COLLECT, "person", id, AUDIT_OUTCOME_SUCCESS, "registered")) {
		api_db_failed(req, resp, "registering a person");
		return;
	}
	answer_person(req, resp, id, 201);
}

void api_person_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_person(req, resp, id, &s))
		return;
	if (!scope_audit(req, &s, AUDIT_CONSULT, "person", id, NULL)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	answer_person(req, resp, id, 200);
}

void api_person_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	char today[11];
	if (!api_db(req, resp) || !api_today(req->db, today)) {
		if (req->db)
			api_internal_error(req, resp, "reading the date");
		return;
	}
	if (validate_object(req->json, update_rules, NRULES(update_rules), &fe))
		check_person_fields(req->json, today, &fe);
	int64_t version = 0;
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !scope_person(req, resp, id, &s))
		return;
	if (s.merged) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "merged", "This record was merged",
		             "Change the record it was merged into instead.", NULL);
		return;
	}
	struct person_fields f;
	struct buf langs = {0};
	fields_of(req->json, &f, &langs);
	bool stale = false;
	enum db_status rc = person_update(req->db, id, &f, version, clock_now_ms(), &stale);
	buf_free(&langs);
	if (rc != DB_OK) {
		api_db_failed(req, resp, "changing a person");
		return;
	}
	if (stale) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this record since you read it; read it again.", NULL);
		return;
	}
	if (!scope_audit(req, &s, AUDIT_ALTER, "person", id, "main record")) {
		api_db_failed(req, resp, "logging a change");
		return;
	}
	answer_person(req, resp, id, 200);
}

static const struct field_rule merge_rules[] = {
	{"other_id", FIELD_UUID, true, 0, 0, NULL},
	{"reason", FIELD_STRING, true, 10, 1000, NULL},
};

void api_person_merge(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, merge_rules, NRULES(merge_rules), &fe);
	const char *other = json_str(req->json, "other_id");
	if (other && strcmp(other, id) == 0)
		field_error(&fe, "other_id", "must be another record");
	struct record_scope kept, merged;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_person(req, resp, id, &kept) ||
	    !scope_person(req, resp, other, &merged))
		return;
	if (kept.merged || merged.merged) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "merged", "Already merged",
		             "One of these records was merged already; merge into the record it was merged into.", NULL);
		return;
	}
	char merge_id[UUID_STR_LEN];
	int64_t now = clock_now_ms();
	char detail[120];
	snprintf(detail, sizeof detail, "merged %s into %s", other, id);
	if (person_merge(req->db, id, other, json_str(req->json, "reason"), req->principal.account_id, now, merge_id) !=
	        DB_OK ||
	    !scope_audit(req, &kept, AUDIT_COMBINE, "person", id, detail) ||
	    !scope_audit(req, &merged, AUDIT_COMBINE, "person", other, detail)) {
		api_db_failed(req, resp, "merging people");
		return;
	}
	answer_person(req, resp, id, 200);
}
