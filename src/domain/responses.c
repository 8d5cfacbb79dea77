#include "domain/responses.h"

#include <stdio.h>
#include <string.h>

#include "api/validate.h"
#include "base/buf.h"
#include "domain/casefile.h"

enum db_status response_record(db *conn, const struct response_new *r, int64_t now, char id_r[UUID_STR_LEN])
{
	char id[UUID_STR_LEN];
	uuid_v7(id);
	/* The case's officer and unit now, for the per-officer and per-unit ratios. */
	char officer[UUID_STR_LEN] = "", unit[UUID_STR_LEN] = "";
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
	                             "SELECT c.officer_id, c.unit_id FROM case_file c, ref_response rr"
	                             " WHERE c.id = ? AND rr.code = ?",
	                             "tt", r->case_id, r->code);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *o = db_column_text(st, 0, NULL);
		snprintf(officer, sizeof officer, "%s", o ? o : "");
		snprintf(unit, sizeof unit, "%s", db_column_text(st, 1, NULL));
	}
	db_finalize(&st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_CONSTRAINT : rc;
	rc = db_run(conn, NULL,
	            "INSERT INTO response (id, case_id, code, breach_id, given_on, given_by, officer_id, unit_id, reasons,"
	            " detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	            "tttttttttti", id, r->case_id, r->code, r->breach_id, r->given_on, r->given_by,
	            officer[0] ? officer : NULL, unit, r->reasons, r->detail, now);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_puts(&detail, "{\"code\":");
	buf_json_string(&detail, r->code);
	buf_puts(&detail, ",\"breach_id\":");
	buf_json_string(&detail, r->breach_id);
	buf_puts(&detail, "}");
	rc = case_event_add(conn, r->case_id, now, "response.given", r->given_by, "Response recorded", detail.data,
	                    "response", id);
	buf_free(&detail);
	if (rc == DB_OK)
		snprintf(id_r, UUID_STR_LEN, "%s", id);
	return rc;
}

/* ---- request bodies (shared with the fuzz target) ------------------------------------------------------- */

static const char *const response_codes[] = {"warning", "formal_warning", "increased_contact", "added_support",
                                              "variation_request", "referral", "positive_progress",
                                              "reduced_reporting", "early_termination", NULL};
static const char *const channels[] = {"in_person", "letter", "email", "phone", "representative", NULL};
static const char *const abouts[] = {"breach", "decision", "conditions", "officer_conduct", "data", "other", NULL};
static const char *const languages[] = {"ky", "ru", "en", NULL};

bool response_code_direct(const char *code)
{
	return code && strcmp(code, "variation_request") != 0 && strcmp(code, "referral") != 0;
}

/* A required text that passed its length rule must also say something. */
static void require_text(const json_t *body, const char *name, struct field_errors *fe, bool reported)
{
	const json_t *v = json_object_get(body, name);
	if (!reported && json_is_string(v) && text_blank(json_string_value(v)))
		field_error(fe, name, "must not be blank");
}

/* True when fe already names field. */
static bool named(const struct field_errors *fe, const char *field)
{
	size_t i;
	json_t *e;
	json_array_foreach(fe->list, i, e) {
		if (strcmp(json_string_value(json_object_get(e, "field")) ? json_string_value(json_object_get(e, "field")) : "",
		           field) == 0)
			return true;
	}
	return false;
}

static void check(const json_t *body, const struct field_rule *rules, size_t n, const char *today,
                  struct field_errors *fe)
{
	if (!validate_object(body, rules, n, fe) && !json_is_object(body))
		return;
	for (size_t i = 0; i < n; i++) {
		if (named(fe, rules[i].name))
			continue;
		if (rules[i].kind == FIELD_DATE)
			validate_not_future(body, rules[i].name, NULL, today, fe);
		else if (rules[i].kind == FIELD_STRING && rules[i].required)
			require_text(body, rules[i].name, fe, false);
	}
}

bool responses_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	size_t had = json_array_size(fe->list);
	if (strcmp(kind, "response") == 0) {
		static const struct field_rule rules[] = {
			{"code", FIELD_ENUM, true, 0, 0, response_codes},
			{"given_on", FIELD_DATE, true, 0, 0, NULL},
			{"reasons", FIELD_STRING, true, 1, 2000, NULL},
			{"detail", FIELD_STRING, false, 0, 2000, NULL},
		};
		check(body, rules, NRULES(rules), today, fe);
		const char *code = json_string_value(json_object_get(body, "code"));
		if (json_is_object(body) && code && !named(fe, "code") && !response_code_direct(code))
			field_error(fe, "code", "%s", strcmp(code, "referral") == 0
				? "a referral is recorded by referring a countersigned breach to the competent authority"
				: "a variation request is recorded by proposing a variation of a condition");
	} else if (strcmp(kind, "complaint") == 0) {
		static const struct field_rule rules[] = {
			{"case_id", FIELD_UUID, false, 0, 0, NULL},
			{"person_id", FIELD_UUID, false, 0, 0, NULL},
			{"unit_id", FIELD_UUID, false, 0, 0, NULL},
			{"received_on", FIELD_DATE, true, 0, 0, NULL},
			{"channel", FIELD_ENUM, true, 0, 0, channels},
			{"about", FIELD_ENUM, true, 0, 0, abouts},
			{"breach_id", FIELD_UUID, false, 0, 0, NULL},
			{"summary", FIELD_STRING, true, 1, 4000, NULL},
			{"language", FIELD_ENUM, false, 0, 0, languages},
		};
		check(body, rules, NRULES(rules), today, fe);
		if (json_is_object(body)) {
			bool has_case = json_str(body, "case_id") != NULL;
			bool has_person = json_str(body, "person_id") != NULL, has_unit = json_str(body, "unit_id") != NULL;
			if (has_case && (has_person || has_unit))
				field_error(fe, has_person ? "person_id" : "unit_id",
				            "give either case_id, or person_id with unit_id, not both");
			else if (!has_case && !has_person && !named(fe, "case_id") && !named(fe, "person_id"))
				field_error(fe, "case_id", "is required (or person_id with unit_id)");
			else if (!has_case && has_person && !has_unit && !named(fe, "unit_id"))
				field_error(fe, "unit_id", "is required with person_id");
			else if (!has_case && !has_person && has_unit && !named(fe, "person_id"))
				field_error(fe, "person_id", "is required with unit_id");
		}
	} else if (strcmp(kind, "complaint_answer") == 0) {
		static const struct field_rule rules[] = {
			{"answer", FIELD_STRING, true, 1, 4000, NULL},
			{"answered_on", FIELD_DATE, true, 0, 0, NULL},
		};
		check(body, rules, NRULES(rules), today, fe);
	} else if (strcmp(kind, "complaint_withdrawal") == 0) {
		static const struct field_rule rules[] = {
			{"reason", FIELD_STRING, true, 1, 2000, NULL},
		};
		check(body, rules, NRULES(rules), today, fe);
	} else {
		field_error(fe, "body", "unknown kind of body");
	}
	return json_array_size(fe->list) == had;
}
