/*
 * programmes.c — partner organisations, the programme catalogue, a
 * programme's participants and waiting list, and its attendance register
 * (issue 9).
 *
 * A partner organisation is an agency of kind partner with a profile. Its
 * users (role partner) see only their own organisation and the programmes it
 * provides, may change only those, and see of the people referred to them
 * only what each referral shares and only while the share lasts (S15, S16;
 * domain/referrals.h). Staff see the whole catalogue, and of a programme's
 * participants only those whose cases are within their reach; the rest are
 * counted. Every read of personal data and every change is logged (S10);
 * attendance is on each case's timeline.
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
#include "domain/keydates.h"
#include "domain/org.h"
#include "domain/person.h"
#include "domain/referrals.h"

static const char *const partner_kinds[] = {"ngo", "religious_organisation", "employer", "school", "health_service",
                                            "psychologist", "local_government", NULL};
static const char *const programme_types[] = {"disengagement_counselling", "theological_dialogue",
                                              "psychological_support", "vocational_training", "education",
                                              "employment", "family_support", "mentoring", "substance_use", NULL};
static const char *const languages[] = {"ky", "ru", "en", "uz", NULL};
static const char *const programme_statuses[] = {"open", "closed", NULL};
static const char *const attendance_statuses[] = {"present", "late", "absent", NULL};

#define PROGRAMMES_LIST_MAX 500

/* ---- bodies ------------------------------------------------------------------------ */

static const struct field_rule partner_rules[] = {
	{"name", FIELD_STRING, true, 1, 200, NULL},
	{"partner_kind", FIELD_ENUM, true, 0, 0, partner_kinds},
	{"contact_name", FIELD_STRING, false, 1, 200, NULL},
	{"phone", FIELD_STRING, false, 3, 40, NULL},
	{"email", FIELD_STRING, false, 3, 200, NULL},
	{"address", FIELD_STRING, false, 1, 500, NULL},
	{"note", FIELD_STRING, false, 1, 2000, NULL},
};
static const struct field_rule programme_rules[] = {
	{"name", FIELD_STRING, true, 1, 200, NULL},
	{"type", FIELD_ENUM, true, 0, 0, programme_types},
	{"provider_agency_id", FIELD_UUID, true, 0, 0, NULL},
	{"description", FIELD_STRING, false, 0, 4000, NULL},
	{"places", FIELD_INTEGER, true, 1, 10000, NULL},
	{"schedule", FIELD_STRING, true, 1, 500, NULL},
	{"languages", FIELD_ARRAY, true, 1, 4, NULL},
	{"eligibility", FIELD_STRING, true, 1, 2000, NULL},
	{"location", FIELD_STRING, false, 0, 300, NULL},
	{"starts_on", FIELD_DATE, false, 0, 0, NULL},
	{"ends_on", FIELD_DATE, false, 0, 0, NULL},
	{"status", FIELD_ENUM, false, 0, 0, programme_statuses}, /* programme_update only */
};
static const struct field_rule attendance_rules[] = {
	{"session_on", FIELD_DATE, true, 0, 0, NULL},
	{"entries", FIELD_ARRAY, true, 1, 200, NULL},
};
static const struct field_rule entry_rules[] = {
	{"referral_id", FIELD_UUID, true, 0, 0, NULL},
	{"status", FIELD_ENUM, true, 0, 0, attendance_statuses},
	{"absence_reason", FIELD_STRING, false, 3, 500, NULL},
};

/* A required text that holds only white space is named as such (the field rules have checked its type). */
static void not_blank(const json_t *b, const char *name, struct field_errors *fe)
{
	const json_t *v = json_object_get(b, name);
	if (json_is_string(v) && json_string_length(v) > 0 && text_blank(json_string_value(v)))
		field_error(fe, name, "must not be blank");
}

static void partner_check(const json_t *b, struct field_errors *fe)
{
	if (!validate_object(b, partner_rules, NRULES(partner_rules), fe) && !json_is_object(b))
		return;
	not_blank(b, "name", fe);
	const char *email = json_str(b, "email");
	if (email) {
		const char *at = strchr(email, '@');
		if (!at || at == email || !at[1] || strchr(at + 1, '@') || strpbrk(email, " \t\r\n<>,;"))
			field_error(fe, "email", "must be an e-mail address");
	}
	const char *phone = json_str(b, "phone");
	if (phone && strspn(phone, "0123456789+-() ") != strlen(phone))
		field_error(fe, "phone", "may hold only digits, spaces, +, - and brackets");
}

static void programme_check(const json_t *b, bool update, struct field_errors *fe)
{
	/* The create body is the update body without status. */
	size_t n = NRULES(programme_rules) - (update ? 0 : 1);
	validate_object(b, programme_rules, n, fe);
	if (!json_is_object(b))
		return;
	not_blank(b, "name", fe);
	not_blank(b, "schedule", fe);
	not_blank(b, "eligibility", fe);
	const json_t *langs = json_object_get(b, "languages");
	if (json_is_array(langs) && json_array_size(langs) <= 4) {
		size_t i;
		const json_t *v;
		json_array_foreach(langs, i, v) {
			const char *code = json_string_value(v);
			bool dup = false;
			for (size_t j = 0; j < i && code; j++)
				dup = dup || (json_string_value(json_array_get(langs, j)) &&
				              strcmp(json_string_value(json_array_get(langs, j)), code) == 0);
			if (!in_list(code, languages))
				field_error(fe, "languages", "items must be one of: ky, ru, en, uz");
			else if (dup)
				field_error(fe, "languages", "must not repeat a language");
			else
				continue;
			break;
		}
	}
	const char *from = json_str(b, "starts_on"), *to = json_str(b, "ends_on");
	struct civil_date f, t;
	if (from && to && civil_date_parse(from, &f) && civil_date_parse(to, &t) && civil_date_compare(f, t) > 0)
		field_error(fe, "ends_on", "must not be before starts_on");
}

static void attendance_check(const json_t *b, const char *today, struct field_errors *fe)
{
	validate_object(b, attendance_rules, NRULES(attendance_rules), fe);
	if (!json_is_object(b))
		return;
	validate_not_future(b, "session_on", NULL, today, fe);
	const json_t *entries = json_object_get(b, "entries");
	if (!json_is_array(entries) || json_array_size(entries) > 200)
		return;
	size_t i;
	const json_t *e;
	json_array_foreach(entries, i, e) {
		char at[48], field[80];
		snprintf(at, sizeof at, "entries[%zu]", i);
		if (!validate_object_at(e, at, entry_rules, NRULES(entry_rules), fe) && !json_is_object(e))
			continue;
		const char *status = json_str(e, "status"), *reason = json_str(e, "absence_reason");
		snprintf(field, sizeof field, "%s.absence_reason", at);
		bool absent = status && strcmp(status, "absent") == 0;
		if (absent && !json_is_string(json_object_get(e, "absence_reason")))
			field_error(fe, field, "is required when absent");
		else if (absent && reason && text_blank(reason))
			field_error(fe, field, "must not be blank");
		else if (status && !absent && in_list(status, attendance_statuses) && json_object_get(e, "absence_reason") &&
		         !json_is_null(json_object_get(e, "absence_reason")))
			field_error(fe, field, "is only for an absence");
		const char *ref = json_str(e, "referral_id");
		for (size_t j = 0; ref && j < i; j++) {
			const char *other = json_str(json_array_get(entries, j), "referral_id");
			if (other && strcmp(other, ref) == 0) {
				snprintf(field, sizeof field, "%s.referral_id", at);
				field_error(fe, field, "appears more than once");
				break;
			}
		}
	}
}

/*
 * The checks on this file's bodies that need no database, shared with the
 * fuzz target. kind: "partner" (POST/PUT /partners), "programme" (POST
 * /programmes), "programme_update" (PUT /programmes/{id}: the same with an
 * optional status), "attendance" (POST /programmes/{id}/attendance); today:
 * YYYY-MM-DD.
 */
bool programmes_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	if (strcmp(kind, "partner") == 0)
		partner_check(body, fe);
	else if (strcmp(kind, "programme") == 0)
		programme_check(body, false, fe);
	else if (strcmp(kind, "programme_update") == 0)
		programme_check(body, true, fe);
	else if (strcmp(kind, "attendance") == 0)
		attendance_check(body, today, fe);
	else
		field_error(fe, "body", "unknown body");
	return fe->list == NULL;
}

/* ---- shared steps ------------------------------------------------------------------ */

/*
 * Whether the caller speaks for a partner organisation: they hold
 * referrals.provide or belong to an agency of kind partner. Such a caller
 * sees only their own agency's partner record and programmes. False after
 * answering 500.
 */
static bool caller_is_partner(struct http_request *req, struct http_response *resp, bool *partner_r)
{
	const struct principal *p = &req->principal;
	*partner_r = policy_has(p, "referrals.provide");
	if (*partner_r || !p->agency_id[0])
		return true;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT kind FROM agency WHERE id = ?", "t", p->agency_id);
	if (failed) {
		api_db_failed(req, resp, "reading the caller's agency");
		return false;
	}
	const char *kind = json_string_value(json_object_get(row, "kind"));
	*partner_r = kind && strcmp(kind, "partner") == 0;
	json_decref(row);
	return true;
}

/* The logged basis of a partner's read: the share that allows it. */
static char *share_basis(const char *share_until, const char *fields_json)
{
	json_t *fields = json_loads(fields_json ? fields_json : "[]", 0, NULL);
	struct buf b = {0};
	buf_printf(&b, "referral share until %s: ", share_until ? share_until : "?");
	size_t i;
	json_t *f;
	json_array_foreach(fields, i, f) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, json_string_value(f) ? json_string_value(f) : "?");
	}
	if (json_array_size(fields) == 0)
		buf_puts(&b, "case number only");
	json_decref(fields);
	return buf_steal(&b);
}

#define PARTNER_COLUMNS \
	"SELECT a.id, a.name, pp.partner_kind, pp.contact_name, pp.phone, pp.email, pp.address, pp.note," \
	" (SELECT COUNT(*) FROM programme g WHERE g.provider_agency_id = a.id) AS programmes, pp.version" \
	" FROM agency a JOIN partner_profile pp ON pp.agency_id = a.id WHERE a.kind = 'partner'"

#define PROGRAMME_COLUMNS \
	"SELECT g.id, g.name, g.type, g.provider_agency_id, a.name AS provider_name," \
	" COALESCE(pp.partner_kind, a.kind) AS provider_kind, g.description, g.places," \
	" (SELECT COUNT(*) FROM referral r JOIN referral_status s ON s.code = r.status" \
	"  WHERE r.programme_id = g.id AND s.holds_place = 1) AS places_taken," \
	" (SELECT COUNT(*) FROM referral r WHERE r.programme_id = g.id AND r.status = 'waitlisted') AS waiting," \
	" g.schedule, g.languages, g.eligibility, g.location, g.starts_on, g.ends_on, g.status, g.version" \
	" FROM programme g JOIN agency a ON a.id = g.provider_agency_id" \
	" LEFT JOIN partner_profile pp ON pp.agency_id = g.provider_agency_id"

/* Completes a programme row as the API shows it: free places, the languages as an array. */
static void programme_finish(json_t *g)
{
	json_int_t places = json_integer_value(json_object_get(g, "places"));
	json_int_t taken = json_integer_value(json_object_get(g, "places_taken"));
	json_object_set_new(g, "places_free", json_integer(places > taken ? places - taken : 0));
	json_t *langs = json_array();
	const char *text = json_string_value(json_object_get(g, "languages"));
	while (text && *text) {
		size_t n = strcspn(text, ",");
		if (n)
			json_array_append_new(langs, json_stringn(text, n));
		text += n + (text[n] == ',');
	}
	json_object_set_new(g, "languages", langs);
}

static void programmes_finish(json_t *rows)
{
	size_t i;
	json_t *g;
	json_array_foreach(rows, i, g)
		programme_finish(g);
}

/* One programme; NULL after answering (404 when unknown, or not the partner caller's own; 500). */
static json_t *programme_load(struct http_request *req, struct http_response *resp, const char *id, bool partner)
{
	bool failed = false;
	json_t *g = api_select_one(req->db, &failed, PROGRAMME_COLUMNS " WHERE g.id = ?", "t", id);
	if (failed) {
		api_db_failed(req, resp, "reading a programme");
		return NULL;
	}
	const char *provider = json_string_value(json_object_get(g, "provider_agency_id"));
	if (!g || (partner && strcmp(provider, req->principal.agency_id) != 0)) {
		json_decref(g);
		db_rollback(req->db);
		api_not_found(req, resp, "programme");
		return NULL;
	}
	programme_finish(g);
	return g;
}

/*
 * Locks a programme's row on PostgreSQL until the transaction ends, so that what this request counts or replaces
 * for the programme (places taken, a session's attendance rows) holds until it commits; an enrolment locks the same
 * row to count places (src/api/referrals.c). SQLite's BEGIN IMMEDIATE already serialises writers. False after
 * answering 500.
 */
static bool programme_lock(struct http_request *req, struct http_response *resp, const char *id)
{
	if (strcmp(db_driver_of(req->db)->dialect, "postgresql") != 0)
		return true;
	bool failed = false;
	json_decref(api_select_one(req->db, &failed, "SELECT id FROM programme WHERE id = ? FOR UPDATE", "t", id));
	if (failed)
		api_db_failed(req, resp, "locking a programme");
	return !failed;
}

/* A partner changes only programmes its own agency provides: false after logging the refusal and answering 403. */
static bool partner_may_manage(struct http_request *req, struct http_response *resp, const char *provider,
                               const char *record_id)
{
	if (strcmp(provider, req->principal.agency_id) == 0)
		return true;
	db_rollback(req->db);
	api_audit_denied(req, "programme", record_id, "a partner may manage only its own agency's programmes");
	http_problem(resp, req, 403, "forbidden", "Not permitted",
	             "A partner organisation may add and change only the programmes it provides.", NULL);
	return false;
}

/* Commits and answers with one record and its ETag. */
static void answer_record(struct http_request *req, struct http_response *resp, int status, json_t *row,
                          const char *location_base)
{
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	api_etag(resp, json_integer_value(json_object_get(row, "version")));
	if (location_base) {
		char *location = xasprintf("%s/%s", location_base, json_string_value(json_object_get(row, "id")));
		http_response_header(resp, "Location", location);
		free(location);
	}
	http_response_json(resp, status, row);
}

/* ---- partners ---------------------------------------------------------------------- */

/* A partner with its programmes; NULL when unknown (*failed_r false) or on error. */
static json_t *partner_json(db *conn, const char *id, bool *failed_r)
{
	json_t *p = api_select_one(conn, failed_r, PARTNER_COLUMNS " AND a.id = ?", "t", id);
	if (!p)
		return NULL;
	json_t *programmes = api_select(conn, PROGRAMME_COLUMNS " WHERE g.provider_agency_id = ? ORDER BY g.name, g.id",
	                                "t", id);
	if (!programmes) {
		json_decref(p);
		*failed_r = true;
		return NULL;
	}
	programmes_finish(programmes);
	json_object_set_new(p, "programmes", programmes);
	return p;
}

void api_partners_list(struct http_request *req, struct http_response *resp)
{
	bool partner = false;
	if (!api_begin(req, resp) || !caller_is_partner(req, resp, &partner))
		return;
	const char *own = partner ? req->principal.agency_id : NULL;
	json_t *items = api_select(req->db, PARTNER_COLUMNS " AND (CAST(? AS TEXT) IS NULL OR a.id = ?) ORDER BY a.name",
	                           "tt", own, own);
	if (!items || !api_audit_list(req, "partner", items, NULL)) {
		json_decref(items);
		api_db_failed(req, resp, "listing partners");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_partner_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	bool partner = false, failed = false;
	if (!api_begin(req, resp) || !caller_is_partner(req, resp, &partner))
		return;
	json_t *p = partner && strcmp(id, req->principal.agency_id) != 0 ? NULL : partner_json(req->db, id, &failed);
	if (!p) {
		if (failed) {
			api_db_failed(req, resp, "reading a partner");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "partner");
		}
		return;
	}
	if (!api_audit(req, AUDIT_CONSULT, "partner", id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		json_decref(p);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	answer_record(req, resp, 200, p, NULL);
}

/* True when another agency than except_id (NULL: any) is called name. False on error with *failed_r. */
static bool agency_name_taken(db *conn, const char *name, const char *except_id, bool *failed_r)
{
	json_t *row = api_select_one(conn, failed_r,
		"SELECT id FROM agency WHERE name = ? AND (CAST(? AS TEXT) IS NULL OR id <> ?)", "ttt", name, except_id,
		except_id);
	bool taken = row != NULL;
	json_decref(row);
	return taken;
}

static void name_taken(struct http_request *req, struct http_response *resp)
{
	api_conflict(req, resp, "name-taken", "The name is taken",
	             "An agency of that name is already registered: choose another name or use that agency.");
}

void api_partner_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	programmes_body_validate("partner", req->json, NULL, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool failed = false;
	const char *name = api_str(req, "name");
	if (agency_name_taken(req->db, name, NULL, &failed) || failed) {
		if (failed)
			api_db_failed(req, resp, "checking an agency name");
		else
			name_taken(req, resp);
		return;
	}
	char id[UUID_STR_LEN];
	int64_t now = clock_now_ms();
	enum org_result r = org_agency_create(req->db, name, "partner", now, id);
	if (r == ORG_DUPLICATE) {
		name_taken(req, resp);
		return;
	}
	bool ok = r == ORG_OK &&
	          db_run(req->db, NULL,
	                 "INSERT INTO partner_profile (agency_id, partner_kind, contact_name, phone, email, address, note,"
	                 " created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
	                 "tttttttii", id, api_str(req, "partner_kind"), api_str(req, "contact_name"),
	                 api_str(req, "phone"), api_str(req, "email"), api_str(req, "address"), api_str(req, "note"),
	                 now, now) == DB_OK &&
	          api_audit_why(req, AUDIT_COLLECT, "partner", id, AUDIT_OUTCOME_SUCCESS, "partner organisation registered",
	                        "administration", "Partner organisation registered by an administrator");
	json_t *p = ok ? partner_json(req->db, id, &failed) : NULL;
	if (!p) {
		api_db_failed(req, resp, "registering a partner");
		return;
	}
	answer_record(req, resp, 201, p, "/api/v1/partners");
}

void api_partner_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	int64_t version = 0;
	programmes_body_validate("partner", req->json, NULL, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *cur = api_select_one(req->db, &failed,
		"SELECT pp.version FROM partner_profile pp JOIN agency a ON a.id = pp.agency_id"
		" WHERE pp.agency_id = ? AND a.kind = 'partner'", "t", id);
	if (!cur) {
		if (failed) {
			api_db_failed(req, resp, "reading a partner");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "partner");
		}
		return;
	}
	int64_t current = json_integer_value(json_object_get(cur, "version"));
	json_decref(cur);
	if (current != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The partner has changed",
		             "Someone changed this partner since you read it; read it again.", NULL);
		return;
	}
	const char *name = api_str(req, "name");
	if (agency_name_taken(req->db, name, id, &failed) || failed) {
		if (failed)
			api_db_failed(req, resp, "checking an agency name");
		else
			name_taken(req, resp);
		return;
	}
	int64_t now = clock_now_ms(), changed = 0;
	enum db_status rc = db_run(req->db, NULL,
		"UPDATE agency SET name = ?, updated_at = ?, version = version + 1 WHERE id = ?", "tit", name, now, id);
	if (rc == DB_CONSTRAINT) {
		name_taken(req, resp);
		return;
	}
	bool ok = rc == DB_OK &&
	          db_run(req->db, &changed,
	                 "UPDATE partner_profile SET partner_kind = ?, contact_name = ?, phone = ?, email = ?, address = ?,"
	                 " note = ?, updated_at = ?, version = version + 1 WHERE agency_id = ? AND version = ?",
	                 "ttttttiti", api_str(req, "partner_kind"), api_str(req, "contact_name"), api_str(req, "phone"),
	                 api_str(req, "email"), api_str(req, "address"), api_str(req, "note"), now, id,
	                 version) == DB_OK;
	if (ok && changed != 1) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The partner has changed",
		             "Someone changed this partner since you read it; read it again.", NULL);
		return;
	}
	ok = ok && api_audit_why(req, AUDIT_ALTER, "partner", id, AUDIT_OUTCOME_SUCCESS, "partner profile changed",
	                        "administration", "Partner organisation changed by an administrator");
	json_t *p = ok ? partner_json(req->db, id, &failed) : NULL;
	if (!p) {
		api_db_failed(req, resp, "changing a partner");
		return;
	}
	answer_record(req, resp, 200, p, NULL);
}

/* ---- programmes -------------------------------------------------------------------- */

void api_programmes_list(struct http_request *req, struct http_response *resp)
{
	const char *type = http_request_query(req, "type"), *provider = http_request_query(req, "provider");
	const char *language = http_request_query(req, "language"), *status = http_request_query(req, "status");
	struct field_errors fe = {0};
	if (type && !in_list(type, programme_types))
		field_error(&fe, "type", "must be a programme type");
	if (provider && !uuid_valid(provider))
		field_error(&fe, "provider", "must be an id");
	if (language && !in_list(language, languages))
		field_error(&fe, "language", "must be one of: ky, ru, en, uz");
	if (status && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0 && strcmp(status, "all") != 0)
		field_error(&fe, "status", "must be one of: open, closed, all");
	/* The catalogue shows open programmes unless asked for closed ones or all. */
	if (!status)
		status = "open";
	else if (strcmp(status, "all") == 0)
		status = NULL;
	bool partner = false;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !caller_is_partner(req, resp, &partner))
		return;
	const char *own = partner ? req->principal.agency_id : NULL;
	json_t *items = api_select(req->db,
		PROGRAMME_COLUMNS " WHERE (CAST(? AS TEXT) IS NULL OR g.type = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR g.provider_agency_id = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR ',' || g.languages || ',' LIKE '%,' || CAST(? AS TEXT) || ',%')"
		" AND (CAST(? AS TEXT) IS NULL OR g.status = ?) AND (CAST(? AS TEXT) IS NULL OR g.provider_agency_id = ?)"
		" ORDER BY g.name, a.name, g.id LIMIT ?",
		"tttttttttti", type, type, provider, provider, language, language, status, status, own, own,
		(int64_t)PROGRAMMES_LIST_MAX);
	if (!items) {
		api_db_failed(req, resp, "listing programmes");
		return;
	}
	programmes_finish(items);
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_programme_get(struct http_request *req, struct http_response *resp)
{
	bool partner = false;
	if (!api_begin(req, resp) || !caller_is_partner(req, resp, &partner))
		return;
	json_t *g = programme_load(req, resp, http_request_param(req, "id"), partner);
	if (g)
		answer_record(req, resp, 200, g, NULL);
}

/* The body's languages as stored: "ky,ru". */
static char *languages_text(const json_t *langs)
{
	struct buf b = {0};
	size_t i;
	const json_t *v;
	json_array_foreach(langs, i, v) {
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, json_string_value(v));
	}
	return buf_steal(&b);
}

/*
 * The provider named by the body is a partner organisation (422 on provider_agency_id otherwise: only a partner's
 * users may accept a referral, and staff of any other agency would otherwise be judged as its provider) and, for a
 * partner, is its own agency (403). False after answering.
 */
static bool provider_check(struct http_request *req, struct http_response *resp, bool partner, const char *record_id)
{
	const char *provider = api_str(req, "provider_agency_id");
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT a.id FROM agency a JOIN partner_profile pp ON pp.agency_id = a.id WHERE a.id = ? AND a.kind = 'partner'",
		"t", provider);
	if (!row) {
		if (failed)
			api_db_failed(req, resp, "reading an agency");
		else
			api_field_problem(req, resp, "provider_agency_id", "is not a partner organisation");
		return false;
	}
	json_decref(row);
	return !partner || partner_may_manage(req, resp, provider, record_id);
}

/* True after answering: 409 when the provider already has another programme of that name, 500 on error. */
static bool programme_name_taken(struct http_request *req, struct http_response *resp, const char *except_id)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT id FROM programme WHERE provider_agency_id = ? AND name = ? AND (CAST(? AS TEXT) IS NULL OR id <> ?)",
		"tttt", api_str(req, "provider_agency_id"), api_str(req, "name"), except_id, except_id);
	if (failed) {
		api_db_failed(req, resp, "checking a programme name");
		return true;
	}
	if (!row)
		return false;
	json_decref(row);
	api_conflict(req, resp, "name-taken", "The name is taken",
	             "This provider already has a programme of that name.");
	return true;
}

void api_programme_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	programmes_body_validate("programme", req->json, NULL, &fe);
	bool partner = false;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !caller_is_partner(req, resp, &partner) ||
	    !provider_check(req, resp, partner, NULL) || programme_name_taken(req, resp, NULL))
		return;
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	char *langs = languages_text(json_object_get(req->json, "languages"));
	enum db_status rc = db_run(req->db, NULL,
	                 "INSERT INTO programme (id, name, type, provider_agency_id, description, places, schedule,"
	                 " languages, eligibility, location, starts_on, ends_on, status, created_at, created_by,"
	                 " updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, 1)",
	                 "ttttt" "i" "tttttt" "iti", id, api_str(req, "name"), api_str(req, "type"),
	                 api_str(req, "provider_agency_id"), api_str(req, "description"),
	                 (int64_t)json_integer_value(json_object_get(req->json, "places")), api_str(req, "schedule"),
	                 langs, api_str(req, "eligibility"), api_str(req, "location"), api_str(req, "starts_on"),
	                 api_str(req, "ends_on"), now, req->principal.account_id, now);
	free(langs);
	if (rc == DB_CONSTRAINT) {
		/* Another request added the name since the check (UNIQUE (provider_agency_id, name)). */
		api_conflict(req, resp, "name-taken", "The name is taken", "This provider already has a programme of that name.");
		return;
	}
	bool ok = rc == DB_OK && api_audit(req, AUDIT_COLLECT, "programme", id, AUDIT_OUTCOME_SUCCESS, NULL);
	json_t *g = ok ? programme_load(req, resp, id, false) : NULL;
	if (!ok) {
		api_db_failed(req, resp, "adding a programme");
		return;
	}
	if (g)
		answer_record(req, resp, 201, g, "/api/v1/programmes");
}

void api_programme_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	int64_t version = 0;
	programmes_body_validate("programme_update", req->json, NULL, &fe);
	bool partner = false;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !caller_is_partner(req, resp, &partner))
		return;
	bool failed = false;
	json_t *cur = api_select_one(req->db, &failed,
		"SELECT provider_agency_id, version, status FROM programme WHERE id = ?", "t", id);
	if (!cur) {
		if (failed) {
			api_db_failed(req, resp, "reading a programme");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "programme");
		}
		return;
	}
	char provider[UUID_STR_LEN], status[8];
	snprintf(provider, sizeof provider, "%s", json_string_value(json_object_get(cur, "provider_agency_id")));
	snprintf(status, sizeof status, "%s", json_string_value(json_object_get(cur, "status")));
	int64_t current = json_integer_value(json_object_get(cur, "version"));
	json_decref(cur);
	if (partner && strcmp(provider, req->principal.agency_id) != 0) {
		/* Another agency's programme is unknown to a partner, as in GET (no 403 telling it exists). */
		db_rollback(req->db);
		api_audit_denied(req, "programme", id, "a partner may manage only its own agency's programmes");
		api_not_found(req, resp, "programme");
		return;
	}
	if (!provider_check(req, resp, partner, id))
		return;
	if (current != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The programme has changed",
		             "Someone changed this programme since you read it; read it again.", NULL);
		return;
	}
	if (programme_name_taken(req, resp, id))
		return;
	/* Locked from the count to the update: places never fall below those an enrolment has just taken. */
	if (!programme_lock(req, resp, id))
		return;
	json_t *taken = api_select_one(req->db, &failed,
		"SELECT COUNT(*) AS n FROM referral r JOIN referral_status s ON s.code = r.status"
		" WHERE r.programme_id = ? AND s.holds_place = 1", "t", id);
	if (!taken) {
		api_db_failed(req, resp, "counting places");
		return;
	}
	json_int_t n = json_integer_value(json_object_get(taken, "n"));
	json_decref(taken);
	json_int_t places = json_integer_value(json_object_get(req->json, "places"));
	if (places < n) {
		char *detail = xasprintf("%lld places are taken: the programme cannot have fewer.", (long long)n);
		api_conflict(req, resp, "places-taken", "Places are taken", detail);
		free(detail);
		return;
	}
	const char *new_status = api_str(req, "status");
	int64_t now = clock_now_ms(), changed = 0;
	char *langs = languages_text(json_object_get(req->json, "languages"));
	bool ok = db_run(req->db, &changed,
	                 "UPDATE programme SET name = ?, type = ?, provider_agency_id = ?, description = ?, places = ?,"
	                 " schedule = ?, languages = ?, eligibility = ?, location = ?, starts_on = ?, ends_on = ?,"
	                 " status = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
	                 "tttt" "i" "tttttt" "t" "iti", api_str(req, "name"), api_str(req, "type"),
	                 api_str(req, "provider_agency_id"), api_str(req, "description"), (int64_t)places,
	                 api_str(req, "schedule"), langs, api_str(req, "eligibility"), api_str(req, "location"),
	                 api_str(req, "starts_on"), api_str(req, "ends_on"), new_status ? new_status : status, now, id,
	                 version) == DB_OK;
	free(langs);
	if (ok && changed != 1) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The programme has changed",
		             "Someone changed this programme since you read it; read it again.", NULL);
		return;
	}
	ok = ok && api_audit(req, AUDIT_ALTER, "programme", id, AUDIT_OUTCOME_SUCCESS, NULL);
	if (!ok) {
		api_db_failed(req, resp, "changing a programme");
		return;
	}
	json_t *g = programme_load(req, resp, id, false);
	if (g)
		answer_record(req, resp, 200, g, NULL);
}

/* ---- participants ------------------------------------------------------------------ */

/* The referrals on a programme's lists, in list order; in_reach_ is filled by the caller's rule. */
#define PARTICIPANT_COLUMNS \
	" r.id AS referral_id, r.case_id, r.status, r.status_at, r.partner_agency_id AS partner_, r.share_until AS" \
	" share_on_, r.shared_fields AS fields_, c.number AS case_number," \
	" " PERSON_NAME_SQL("p") " AS name_," \
	" (SELECT COUNT(*) FROM referral_attendance x WHERE x.referral_id = r.id AND x.status = 'present') AS present_," \
	" (SELECT COUNT(*) FROM referral_attendance x WHERE x.referral_id = r.id AND x.status = 'late') AS late_," \
	" (SELECT COUNT(*) FROM referral_attendance x WHERE x.referral_id = r.id AND x.status = 'absent') AS absent_" \
	" FROM referral r JOIN case_file c ON c.id = r.case_id JOIN person p ON p.id = c.person_id" \
	" WHERE r.programme_id = ? AND r.status IN ('enrolled', 'waitlisted') ORDER BY r.status_at, r.id"

/* The staff rule: the case's unit, or the receiving unit of its live release plan, is within the caller's reach. */
#define PARTICIPANTS_STAFF_SQL \
	REACH_CTE " SELECT CASE WHEN c.unit_id IN (SELECT id FROM reach) OR EXISTS (SELECT 1 FROM release_plan rp" \
	" WHERE rp.case_id = c.id AND rp.status IN " RELEASE_PLAN_LIVE " AND rp.receiving_unit_id IN (SELECT id FROM" \
	" reach)) THEN 1 ELSE 0 END AS in_reach_," PARTICIPANT_COLUMNS

#define PARTICIPANTS_PARTNER_SQL \
	"SELECT CASE WHEN " REFERRAL_PARTNER_SQL " THEN 1 ELSE 0 END AS in_reach_," PARTICIPANT_COLUMNS

/* One participant as the caller may see them; NULL on a database error. */
static json_t *participant_json(db *conn, const json_t *row, bool partner, json_int_t position)
{
	json_t *person;
	if (partner) {
		json_t *fields = json_loads(json_string_value(json_object_get(row, "fields_")), 0, NULL);
		if (!json_is_array(fields)) {
			json_decref(fields);
			fields = json_array();
		}
		person = referral_shared_person(conn, json_string_value(json_object_get(row, "case_id")), fields);
		json_decref(fields);
		if (!person)
			return NULL;
	} else {
		person = json_pack("{s:O, s:O, s:O}", "case_id", json_object_get(row, "case_id"), "case_number",
		                   json_object_get(row, "case_number"), "name", json_object_get(row, "name_"));
	}
	return json_pack("{s:O, s:O, s:O, s:o, s:o, s:{s:O, s:O, s:O}}", "referral_id",
	                 json_object_get(row, "referral_id"), "status", json_object_get(row, "status"), "status_at",
	                 json_object_get(row, "status_at"), "position", position ? json_integer(position) : json_null(),
	                 "person", person, "attendance", "present", json_object_get(row, "present_"), "late",
	                 json_object_get(row, "late_"), "absent", json_object_get(row, "absent_"));
}

void api_programme_participants(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	const struct principal *pr = &req->principal;
	bool partner = false;
	char today[11];
	if (!api_begin(req, resp) || !caller_is_partner(req, resp, &partner) ||
	    !api_today_date(req, resp, NULL, today))
		return;
	/* A partner reaches only the programmes its agency provides; the rest are unknown to it. */
	json_t *g = programme_load(req, resp, id, partner);
	if (!g)
		return;
	json_decref(g);
	json_t *rows = partner ? api_select(req->db, PARTICIPANTS_PARTNER_SQL, "ttt", pr->agency_id, today, id)
	                       : api_select(req->db, PARTICIPANTS_STAFF_SQL, "ttit", pr->unit_id[0] ? pr->unit_id : NULL,
	                                    pr->account_id, clock_now_ms(), id);
	if (!rows) {
		api_db_failed(req, resp, "listing participants");
		return;
	}
	json_t *enrolled = json_array(), *waiting = json_array(), *shown = json_array();
	json_int_t others_enrolled = 0, others_waiting = 0, position = 0;
	bool ok = true;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		bool on_list = strcmp(json_string_value(json_object_get(row, "status")), "waitlisted") == 0;
		if (on_list)
			position++;
		if (!json_integer_value(json_object_get(row, "in_reach_"))) {
			if (on_list)
				others_waiting++;
			else
				others_enrolled++;
			continue;
		}
		const char *referral = json_string_value(json_object_get(row, "referral_id"));
		json_t *item = participant_json(req->db, row, partner, on_list ? position : 0);
		if (!item) {
			ok = false;
			break;
		}
		json_array_append_new(on_list ? waiting : enrolled, item);
		json_array_append_new(shown, json_pack("{s:s}", "id", referral));
		/* Each partner read names the share that allows it (S10). */
		if (partner) {
			char *basis = share_basis(json_string_value(json_object_get(row, "share_on_")),
			                          json_string_value(json_object_get(row, "fields_")));
			char *detail = xasprintf("programme %s participants", id);
			ok = api_audit_why(req, AUDIT_CONSULT, "referral", referral, AUDIT_OUTCOME_SUCCESS, detail,
			                   "supervision", basis);
			free(basis);
			free(detail);
			if (!ok)
				break;
		}
	}
	json_decref(rows);
	if (ok && !partner) {
		char *what = xasprintf("programme %s participants", id);
		ok = api_audit_list(req, "referral", shown, what);
		free(what);
	}
	json_decref(shown);
	if (!ok) {
		json_decref(enrolled);
		json_decref(waiting);
		api_db_failed(req, resp, "listing participants");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(enrolled);
		json_decref(waiting);
		return;
	}
	http_response_json(resp, 200,
	                   json_pack("{s:o, s:o, s:{s:I, s:I}}", "enrolled", enrolled, "waiting", waiting, "others",
	                             "enrolled", (json_int_t)others_enrolled, "waiting", (json_int_t)others_waiting));
}

/* ---- attendance -------------------------------------------------------------------- */

void api_programme_attendance(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	char today[11];
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	programmes_body_validate("attendance", req->json, today, &fe);
	if (api_errors_answer(req, resp, &fe))
		return;
	json_t *g = programme_load(req, resp, id, false);
	if (!g)
		return;
	char provider[UUID_STR_LEN];
	snprintf(provider, sizeof provider, "%s", json_string_value(json_object_get(g, "provider_agency_id")));
	json_decref(g);
	/* Only the provider keeps the register; another partner's programme is unknown to a partner, as in GET. */
	bool partner = false;
	if (!caller_is_partner(req, resp, &partner))
		return;
	if (partner && strcmp(provider, req->principal.agency_id) != 0) {
		db_rollback(req->db);
		api_audit_denied(req, "programme", id, "attendance by someone other than the programme's provider");
		api_not_found(req, resp, "programme");
		return;
	}
	if (!policy_has(&req->principal, "referrals.provide") || strcmp(provider, req->principal.agency_id) != 0) {
		db_rollback(req->db);
		api_audit_denied(req, "programme", id, "attendance by someone other than the programme's provider");
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             "Only the organisation that provides this programme records its attendance.", NULL);
		return;
	}
	/* Two registers of the same session never interleave their replace-then-insert. */
	if (!programme_lock(req, resp, id))
		return;
	const char *session = api_str(req, "session_on");
	const json_t *entries = json_object_get(req->json, "entries");
	size_t n = json_array_size(entries);
	json_t *found = json_array(); /* per entry: {case_id, basis} or null */
	json_t *expired = json_array();
	bool failed = false;
	for (size_t i = 0; i < n && !failed; i++) {
		const char *ref = json_str(json_array_get(entries, i), "referral_id");
		json_t *r = api_select_one(req->db, &failed,
			"SELECT case_id, status, partner_agency_id AS partner_, share_until AS share_on_, shared_fields AS"
			" fields_ FROM referral WHERE id = ? AND programme_id = ?", "tt", ref, id);
		const char *status = json_string_value(json_object_get(r, "status"));
		const char *agency = json_string_value(json_object_get(r, "partner_"));
		const char *until = json_string_value(json_object_get(r, "share_on_"));
		bool mine = r && agency && strcmp(agency, req->principal.agency_id) == 0;
		bool live = mine && referral_partner_reaches(&req->principal, agency, until, today);
		if (mine && !live)
			json_array_append_new(expired, json_string(ref));
		if (!live || strcmp(status, "enrolled") != 0) {
			char field[48];
			snprintf(field, sizeof field, "entries[%zu].referral_id", i);
			field_error(&fe, field, "is not a referral enrolled in this programme and shared with you");
			json_array_append_new(found, json_null());
		} else {
			json_array_append_new(found, json_pack("{s:O, s:s}", "case_id", json_object_get(r, "case_id"), "basis",
			                                       ""));
			char *basis = share_basis(until, json_string_value(json_object_get(r, "fields_")));
			json_object_set_new(json_array_get(found, i), "basis", json_string(basis));
			free(basis);
		}
		json_decref(r);
	}
	if (failed || fe.list) {
		json_decref(found);
		if (failed) {
			json_decref(expired);
			json_decref(fe.list);
			api_db_failed(req, resp, "reading referrals");
			return;
		}
		db_rollback(req->db);
		size_t k;
		json_t *v;
		json_array_foreach(expired, k, v)
			api_audit_denied(req, "referral", json_string_value(v), "share expired");
		json_decref(expired);
		field_errors_respond(&fe, resp, req);
		return;
	}
	json_decref(expired);
	/* Record each entry (replacing the referral's row for that date), log it, and group it by case. */
	int64_t now = clock_now_ms();
	json_t *by_case = json_object();
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		const json_t *e = json_array_get(entries, i);
		const char *ref = json_str(e, "referral_id"), *status = json_str(e, "status");
		const char *reason = strcmp(status, "absent") == 0 ? json_str(e, "absence_reason") : NULL;
		const json_t *f = json_array_get(found, i);
		char row_id[UUID_STR_LEN];
		uuid_v7(row_id);
		char *detail = xasprintf("attendance %s: %s", session, status);
		ok = db_run(req->db, NULL, "DELETE FROM referral_attendance WHERE referral_id = ? AND session_on = ?", "tt",
		            ref, session) == DB_OK &&
		     db_run(req->db, NULL,
		            "INSERT INTO referral_attendance (id, referral_id, session_on, status, absence_reason, recorded_by,"
		            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		            "tttttti", row_id, ref, session, status, reason, req->principal.account_id, now) == DB_OK &&
		     api_audit_why(req, AUDIT_ALTER, "referral", ref, AUDIT_OUTCOME_SUCCESS, detail, "supervision",
		                   json_string_value(json_object_get(f, "basis")));
		free(detail);
		const char *case_id = json_string_value(json_object_get(f, "case_id"));
		json_t *list = json_object_get(by_case, case_id);
		if (!list) {
			list = json_array();
			json_object_set_new(by_case, case_id, list);
		}
		json_array_append_new(list, json_pack("{s:s, s:s}", "referral_id", ref, "status", status));
	}
	/* One timeline event per case: codes and ids, no personal data. */
	const char *case_id;
	json_t *list;
	json_object_foreach(by_case, case_id, list) {
		if (!ok)
			break;
		json_t *detail = json_pack("{s:s, s:s, s:O}", "programme_id", id, "session_on", session, "entries", list);
		char *text = json_dumps(detail, JSON_COMPACT);
		const char *first = json_string_value(json_object_get(json_array_get(list, 0), "referral_id"));
		ok = text && case_event_add(req->db, case_id, now, "referral.attendance", req->principal.account_id,
		                            "Programme attendance recorded for a session", text, "referral",
		                            first) == DB_OK;
		free(text);
		json_decref(detail);
	}
	json_decref(by_case);
	json_decref(found);
	if (!ok) {
		api_db_failed(req, resp, "recording attendance");
		return;
	}
	if (!api_commit(req, resp))
		return;
	http_response_json(resp, 200, json_pack("{s:I}", "recorded", (json_int_t)n));
}
