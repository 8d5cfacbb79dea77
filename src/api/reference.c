/*
 * reference.c — the lists decisions refer to (criminal-code articles with
 * their category and extremism/terrorism marks, measures, duties, release
 * rules) and the transliteration helper the registration form uses.
 * Reference lists hold no personal data: reading them is not logged;
 * changing them is (alter, on the list entry).
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/names.h"

static json_t *settings_json(db *conn, bool *failed_r)
{
	json_t *rows = api_select(conn, "SELECT key, value FROM setting WHERE key LIKE 'release.%'"
	                                " OR key IN ('pretrial.due_days', 'access_request.due_days')", "");
	*failed_r = rows == NULL;
	if (!rows)
		return NULL;
	json_t *out = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *k = json_string_value(json_object_get(row, "key"));
		const char *v = json_string_value(json_object_get(row, "value"));
		if (strcmp(k, "release.exclude_extremism") == 0)
			json_object_set_new(out, "exclude_extremism", json_boolean(strcmp(v, "true") == 0));
		else if (strcmp(k, "release.exclude_terrorism") == 0)
			json_object_set_new(out, "exclude_terrorism", json_boolean(strcmp(v, "true") == 0));
		else if (strcmp(k, "release.remand_credit") == 0)
			json_object_set_new(out, "remand_credit", json_string(v));
		else if (strcmp(k, "pretrial.due_days") == 0)
			json_object_set_new(out, "pretrial_due_days", json_integer(strtol(v, NULL, 10)));
		else if (strcmp(k, "access_request.due_days") == 0)
			json_object_set_new(out, "access_request_due_days", json_integer(strtol(v, NULL, 10)));
	}
	json_decref(rows);
	return out;
}

void api_reference_get(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	bool failed = false;
	json_t *out = json_pack("{s:o*, s:o*, s:o*, s:o*, s:o*}",
		"articles", api_select(conn, "SELECT code, title_ky, title_ru, title_en, category, is_extremism,"
		                             " is_terrorism, is_active FROM ref_article ORDER BY code", ""),
		"measures", api_select(conn, "SELECT code, title_ky, title_ru, title_en, is_custodial, tokyo_rule,"
		                             " is_active FROM ref_measure ORDER BY is_custodial, tokyo_rule, code", ""),
		"duties", api_select(conn, "SELECT code, title_ky, title_ru, title_en, is_active FROM ref_duty ORDER BY code",
		                     ""),
		"release_rules", api_select(conn, "SELECT category, numerator, denominator FROM ref_release_rule"
		                                  " ORDER BY numerator * 1.0 / denominator", ""),
		"settings", settings_json(conn, &failed));
	if (!out || failed || json_object_size(out) != 5) {
		json_decref(out);
		api_internal_error(req, resp, "reading the reference lists");
		return;
	}
	json_t *kinds = json_array();
	for (const char *const *k = case_kinds; *k; k++)
		json_array_append_new(kinds, json_string(*k));
	json_object_set_new(out, "case_kinds", kinds);
	/* The supervision levels and their policy minimums, most intensive first; titles as {ky, ru, en}. */
	json_t *levels = api_select(conn,
		"SELECT code, rank, title_ky, title_ru, title_en, min_contacts, contacts_period_days, min_home_visits,"
		" home_visits_period_days, reassessment_days, is_active FROM ref_supervision_level ORDER BY rank", "");
	if (!levels) {
		json_decref(out);
		api_internal_error(req, resp, "reading the supervision levels");
		return;
	}
	size_t li;
	json_t *level;
	json_array_foreach(levels, li, level) {
		json_object_set_new(level, "title", json_pack("{s:O, s:O, s:O}", "ky", json_object_get(level, "title_ky"),
		                                              "ru", json_object_get(level, "title_ru"), "en",
		                                              json_object_get(level, "title_en")));
		json_object_del(level, "title_ky");
		json_object_del(level, "title_ru");
		json_object_del(level, "title_en");
	}
	json_object_set_new(out, "supervision_levels", levels);
	http_response_json(resp, 200, out);
}

static const char *const categories[] = {"minor", "medium", "grave", "especially_grave", NULL};

static const struct field_rule article_rules[] = {
	{"title_ky", FIELD_STRING, true, 1, 300, NULL},
	{"title_ru", FIELD_STRING, true, 1, 300, NULL},
	{"title_en", FIELD_STRING, true, 1, 300, NULL},
	{"category", FIELD_ENUM, true, 0, 0, categories},
	{"extremism", FIELD_BOOL, true, 0, 0, NULL},
	{"terrorism", FIELD_BOOL, true, 0, 0, NULL},
	{"active", FIELD_BOOL, false, 0, 0, NULL},
};

static bool code_valid(const char *code)
{
	size_t n = strlen(code);
	if (n < 1 || n > 40)
		return false;
	for (const char *p = code; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._", *p)))
			return false;
	return true;
}

void api_reference_article_put(struct http_request *req, struct http_response *resp)
{
	const char *code = http_request_param(req, "code");
	struct field_errors fe = {0};
	if (!code_valid(code))
		field_error(&fe, "code", "must be 1-40 letters, digits, '-', '.' or '_'");
	validate_object(req->json, article_rules, sizeof article_rules / sizeof article_rules[0], &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	const json_t *active = json_object_get(req->json, "active");
	int64_t is_active = !active || json_is_null(active) || json_is_true(active);
	int64_t ext = json_is_true(json_object_get(req->json, "extremism"));
	int64_t ter = json_is_true(json_object_get(req->json, "terrorism"));
	enum db_status rc = db_run(req->db, NULL,
		"INSERT INTO ref_article (code, title_ky, title_ru, title_en, category, is_extremism, is_terrorism,"
		" is_active) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET title_ky = excluded.title_ky,"
		" title_ru = excluded.title_ru, title_en = excluded.title_en, category = excluded.category,"
		" is_extremism = excluded.is_extremism, is_terrorism = excluded.is_terrorism, is_active = excluded.is_active",
		"tttttiii", code, api_str(req, "title_ky"), api_str(req, "title_ru"), api_str(req, "title_en"),
		api_str(req, "category"), ext, ter, is_active);
	/* The category and the marks are inputs of key dates: the decisions citing the article follow. */
	int64_t recomputed = 0;
	if (rc == DB_OK)
		rc = decisions_recompute(req->db, code, req->principal.account_id, clock_now_ms(), &recomputed);
	char detail[80];
	snprintf(detail, sizeof detail, "%s; key dates recomputed for %lld decisions", api_str(req, "category"),
	         (long long)recomputed);
	if (rc != DB_OK || !api_audit(req, AUDIT_ALTER, "ref_article", code, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "changing an article");
		return;
	}
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT code, title_ky, title_ru, title_en, category, is_extremism, is_terrorism, is_active"
		" FROM ref_article WHERE code = ?", "t", code);
	if (!row) {
		api_db_failed(req, resp, "reading an article");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	http_response_json(resp, 200, row);
}

static const struct field_rule rule_rules[] = {
	{"numerator", FIELD_INTEGER, true, 1, 99, NULL},
	{"denominator", FIELD_INTEGER, true, 1, 99, NULL},
};

void api_reference_release_rule_put(struct http_request *req, struct http_response *resp)
{
	const char *category = http_request_param(req, "category");
	struct field_errors fe = {0};
	bool known = false;
	for (const char *const *c = categories; *c; c++)
		known |= strcmp(*c, category) == 0;
	if (!known) {
		api_not_found(req, resp, "offence category");
		return;
	}
	if (validate_object(req->json, rule_rules, 2, &fe) &&
	    json_integer_value(json_object_get(req->json, "numerator")) >
	        json_integer_value(json_object_get(req->json, "denominator")))
		field_error(&fe, "numerator", "must not be larger than the denominator");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	int64_t num = json_integer_value(json_object_get(req->json, "numerator"));
	int64_t den = json_integer_value(json_object_get(req->json, "denominator"));
	int64_t recomputed = 0;
	enum db_status rc = db_run(req->db, NULL,
		"UPDATE ref_release_rule SET numerator = ?, denominator = ? WHERE category = ?", "iit", num, den, category);
	if (rc == DB_OK)
		rc = decisions_recompute(req->db, NULL, req->principal.account_id, clock_now_ms(), &recomputed);
	char detail[96];
	snprintf(detail, sizeof detail, "%lld/%lld; key dates recomputed for %lld decisions", (long long)num,
	         (long long)den, (long long)recomputed);
	if (rc != DB_OK ||
	    !api_audit(req, AUDIT_ALTER, "ref_release_rule", category, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "changing a release rule");
		return;
	}
	if (api_commit(req, resp))
		http_response_json(resp, 200, json_pack("{s:s, s:I, s:I}", "category", category, "numerator", (json_int_t)num,
		                                        "denominator", (json_int_t)den));
}

void api_transliteration(struct http_request *req, struct http_response *resp)
{
	const char *text = http_request_query(req, "text");
	struct field_errors fe = {0};
	if (!text || !*text)
		field_error(&fe, "text", "is required");
	else if (!utf8_valid(text) || utf8_length(text) > 200)
		field_error(&fe, "text", "must be UTF-8 text of at most 200 characters");
	if (field_errors_respond(&fe, resp, req))
		return;
	char latin[NAMES_KEY_MAX], cyrillic[NAMES_KEY_MAX], key[NAMES_KEY_MAX];
	if (!names_latin(text, latin, sizeof latin) || !names_cyrillic(text, cyrillic, sizeof cyrillic) ||
	    !names_key(text, key, sizeof key)) {
		field_error(&fe, "text", "cannot be transliterated");
		field_errors_respond(&fe, resp, req);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:s, s:s, s:s}", "latin", latin, "cyrillic", cyrillic, "key", key));
}
