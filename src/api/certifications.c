/*
 * certifications.c — assessor certifications over HTTP: who is certified to
 * complete assessments with which instrument (every version of its code),
 * from when until when, certified by whom; recording one and revoking one
 * with a reason. Those who record certifications (certifications.manage) see
 * and record those of their own agency's staff (an administrator, who keeps
 * accounts, those of every agency); anyone else sees only their own. A certification is live when
 * certified_on <= today < expires_on and it is not revoked
 * (assessor_certified() in domain/assessment.c is the check submission uses).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/keydates.h"

/* At most this many certifications in a list. */
#define LIST_LIMIT_TEXT "200"

/* Two parameters: today, today. */
#define LIVE_SQL "CASE WHEN c.revoked_at IS NULL AND c.certified_on <= ? AND c.expires_on > ? THEN 1 ELSE 0 END"

#define CERTIFICATION_SQL                                                                                         \
	"SELECT c.id, c.account_id, ac.display_name AS account_name, c.instrument_code, i.name_ky, i.name_ru,"       \
	" i.name_en, c.certified_on, c.expires_on, c.issuer, c.reference, rb.display_name AS recorded_by_name,"      \
	" c.recorded_at, c.revoked_at, vb.display_name AS revoked_by_name, c.revoke_reason, " LIVE_SQL " AS is_live" \
	" FROM assessor_certification c JOIN account ac ON ac.id = c.account_id"                                     \
	" LEFT JOIN instrument i ON i.code = c.instrument_code AND i.is_current = 1"                                 \
	" LEFT JOIN account rb ON rb.id = c.recorded_by LEFT JOIN account vb ON vb.id = c.revoked_by"

/* name_ky, name_ru, name_en into instrument_name (null when the code has no current version). */
static void certification_json(json_t *row)
{
	api_texts_fold(row, "name", "instrument_name");
}

/* The agency whose staff a manager's certifications cover; NULL for an administrator (every agency). */
static const char *managed_agency(const struct http_request *req)
{
	return policy_has(&req->principal, "users.manage") ? NULL : req->principal.agency_id;
}

/* One certification, if its assessor is of agency (NULL: any). */
static json_t *certification_get(db *conn, bool *failed_r, const char *id, const char *today, const char *agency)
{
	json_t *row = api_select_one(conn, failed_r, CERTIFICATION_SQL " WHERE c.id = ?"
		" AND (CAST(? AS TEXT) IS NULL OR ac.agency_id = ?)", "ttttt", today, today, id, agency, agency);
	if (row)
		certification_json(row);
	return row;
}

void api_certifications_list(struct http_request *req, struct http_response *resp)
{
	const char *account = http_request_query(req, "account_id");
	const char *instrument = http_request_query(req, "instrument");
	const char *live_q = http_request_query(req, "live");
	struct field_errors fe = {0};
	if (account && !uuid_valid(account))
		field_error(&fe, "account_id", "must be an account id");
	if (instrument && (!*instrument || strlen(instrument) > 63))
		field_error(&fe, "instrument", "must be an instrument code");
	int64_t live = -1;
	if (live_q && strcmp(live_q, "true") == 0)
		live = 1;
	else if (live_q && strcmp(live_q, "false") == 0)
		live = 0;
	else if (live_q)
		field_error(&fe, "live", "must be true or false");
	if (field_errors_respond(&fe, resp, req))
		return;
	bool manager = policy_has(&req->principal, "certifications.manage");
	const char *agency = manager ? managed_agency(req) : NULL;
	if (!manager)
		account = req->principal.account_id; /* one's own only */
	char today[11];
	if (!api_today_date(req, resp, NULL, today) || !api_begin(req, resp))
		return;
	json_t *items = api_select(req->db,
		CERTIFICATION_SQL " WHERE (CAST(? AS TEXT) IS NULL OR c.account_id = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR c.instrument_code = ?)"
		" AND (CAST(? AS BIGINT) < 0 OR " LIVE_SQL " = ?)"
		" AND (CAST(? AS TEXT) IS NULL OR ac.agency_id = ?)"
		" ORDER BY c.recorded_at DESC, c.id DESC LIMIT " LIST_LIMIT_TEXT,
		"ttttttittitt", today, today, account, account, instrument, instrument, live, today, today, live, agency,
		agency);
	if (!items) {
		api_db_failed(req, resp, "reading the certifications");
		return;
	}
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row)
		certification_json(row);
	if (manager && !api_audit_list(req, "assessor_certification", items, NULL)) {
		json_decref(items);
		api_db_failed(req, resp, "logging a list of certifications");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

static const struct field_rule create_rules[] = {
	{"account_id", FIELD_UUID, true, 0, 0, NULL},
	{"instrument_code", FIELD_STRING, true, 1, 63, NULL},
	{"certified_on", FIELD_DATE, true, 0, 0, NULL},
	{"expires_on", FIELD_DATE, false, 0, 0, NULL},
	{"issuer", FIELD_STRING, true, 1, 200, NULL},
	{"reference", FIELD_STRING, false, 0, 100, NULL},
};

void api_certification_create(struct http_request *req, struct http_response *resp)
{
	const json_t *b = req->json;
	char today[11];
	if (!api_today_date(req, resp, NULL, today))
		return;
	struct field_errors fe = {0};
	validate_object(b, create_rules, NRULES(create_rules), &fe);
	/* What the rules cannot say, on members of the right type (the rules named the others). */
	const char *issuer = json_str(b, "issuer");
	if (issuer && text_blank(issuer))
		field_error(&fe, "issuer", "must not be blank");
	validate_not_future(b, "certified_on", NULL, today, &fe);
	struct civil_date from, to;
	if (civil_date_parse(json_str(b, "certified_on"), &from) && civil_date_parse(json_str(b, "expires_on"), &to) &&
	    civil_date_compare(to, from) <= 0)
		field_error(&fe, "expires_on", "must be after certified_on");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	const char *account = json_str(b, "account_id"), *code = json_str(b, "instrument_code");
	/* The person who records a certification vouches for another's training, never their own. */
	if (account && strcmp(account, req->principal.account_id) == 0)
		field_error(&fe, "account_id", "you cannot certify yourself");
	const char *certified_on = json_str(b, "certified_on"), *reference = json_str(b, "reference");
	bool failed = false;
	const char *agency = managed_agency(req);
	json_t *who = api_select_one(req->db, &failed,
		"SELECT id FROM account WHERE id = ? AND status = 'active' AND (CAST(? AS TEXT) IS NULL OR agency_id = ?)",
		"ttt", account, agency, agency);
	json_decref(who);
	if (!who && !failed)
		field_error(&fe, "account_id", agency ? "is not an enabled account of your agency" : "is not an enabled account");
	json_t *instrument = failed ? NULL : api_select_one(req->db, &failed,
		"SELECT definition FROM instrument WHERE code = ? AND is_current = 1", "t", code);
	if (!instrument && !failed)
		field_error(&fe, "instrument_code", "is not a loaded instrument");
	if (failed) {
		api_db_failed(req, resp, "reading an account or an instrument");
		return;
	}
	if (api_errors_answer(req, resp, &fe)) {
		json_decref(instrument);
		return;
	}
	char expires_on[11];
	if (json_str(b, "expires_on")) {
		snprintf(expires_on, sizeof expires_on, "%s", json_str(b, "expires_on"));
	} else {
		/* The instrument's usual validity (a checked file has one). */
		json_t *def = json_loads(json_string_value(json_object_get(instrument, "definition")), 0, NULL);
		/* An integer by the schema (a 730.0 stored before loading normalised numbers reads as 730). */
		json_int_t days = (json_int_t)json_number_value(json_object_get(json_object_get(def, "certification"),
		                                                                "valid_days"));
		json_decref(def);
		civil_date_format(civil_date_add_days(from, days > 0 ? (int)days : 1), expires_on);
	}
	json_decref(instrument);
	char id[UUID_STR_LEN], detail[200];
	uuid_v7(id);
	enum db_status rc = db_run(req->db, NULL,
		"INSERT INTO assessor_certification (id, account_id, instrument_code, certified_on, expires_on, issuer,"
		" reference, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttttttti", id, account, code, certified_on, expires_on, json_str(b, "issuer"), reference,
		req->principal.account_id, clock_now_ms());
	snprintf(detail, sizeof detail, "account %s, instrument %.63s, %s to %s", account, code, certified_on,
	         expires_on);
	if (rc != DB_OK ||
	    !api_audit(req, AUDIT_COLLECT, "assessor_certification", id, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "recording a certification");
		return;
	}
	json_t *row = certification_get(req->db, &failed, id, today, NULL);
	if (!row) {
		api_db_failed(req, resp, "reading a certification");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	http_response_json(resp, 201, row);
}

static const struct field_rule revoke_rules[] = {
	{"reason", FIELD_STRING, true, 5, 1000, NULL},
};

void api_certification_revoke(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, revoke_rules, NRULES(revoke_rules), &fe) && text_blank(api_str(req, "reason")))
		field_error(&fe, "reason", "must not be blank");
	char today[11];
	if (field_errors_respond(&fe, resp, req) || !api_today_date(req, resp, NULL, today) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *row = uuid_valid(id) ? certification_get(req->db, &failed, id, today, managed_agency(req)) : NULL;
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a certification");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "certification");
		}
		return;
	}
	bool revoked = !json_is_null(json_object_get(row, "revoked_at"));
	json_decref(row);
	if (revoked) {
		api_conflict(req, resp, "already-revoked", "This certification is already revoked",
		             "A revoked certification stays as it is; record a new one if the assessor is certified again.");
		return;
	}
	int64_t changed = 0;
	enum db_status rc = db_run(req->db, &changed,
		"UPDATE assessor_certification SET revoked_at = ?, revoked_by = ?, revoke_reason = ?"
		" WHERE id = ? AND revoked_at IS NULL",
		"ittt", clock_now_ms(), req->principal.account_id, api_str(req, "reason"), id);
	if (rc != DB_OK || changed != 1 ||
	    !api_audit(req, AUDIT_ALTER, "assessor_certification", id, AUDIT_OUTCOME_SUCCESS, "revoked")) {
		api_db_failed(req, resp, "revoking a certification");
		return;
	}
	row = certification_get(req->db, &failed, id, today, NULL);
	if (!row) {
		api_db_failed(req, resp, "reading a certification");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	http_response_json(resp, 200, row);
}
