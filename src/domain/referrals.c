/*
 * referrals.c — what a referral shares with its provider (S15, S16): the
 * person's view built from exactly the shared fields, and the partner rule.
 * Nothing here decides who asks; the API checks the partner rule first and
 * calls referral_shared_person only for a caller it allowed.
 */
#include "domain/referrals.h"

#include <stdio.h>
#include <string.h>

const char *const referral_share_fields[] = {"name", "birth_date", "sex", "languages", "phone", "address", "officer",
                                             "needs", NULL};

bool referral_share_field_known(const char *field)
{
	for (const char *const *f = referral_share_fields; field && *f; f++)
		if (strcmp(*f, field) == 0)
			return true;
	return false;
}

/* True when the JSON array fields names field. */
static bool shares(const json_t *fields, const char *field)
{
	size_t i;
	const json_t *f;
	json_array_foreach(fields, i, f) {
		if (json_is_string(f) && strcmp(json_string_value(f), field) == 0)
			return true;
	}
	return false;
}

static json_t *text_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

/* The person's and the case's columns the view may take from (copied: they outlive the statement). */
struct shared_source {
	char case_number[64];
	char person_id[40];
	char officer_id[40];
	char unit_name[256];
	json_t *row; /* owned: surname ... languages as JSON values */
};

static enum db_status source_load(db *conn, const char *case_id, struct shared_source *s)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT c.number, c.person_id, c.officer_id, u.name, p.surname, p.given_name,"
		" p.surname_latin, p.given_name_latin, p.birth_date, p.sex, p.languages"
		" FROM case_file c JOIN person p ON p.id = c.person_id JOIN unit u ON u.id = c.unit_id WHERE c.id = ?",
		"t", case_id);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		snprintf(s->case_number, sizeof s->case_number, "%s", db_column_text(st, 0, NULL));
		snprintf(s->person_id, sizeof s->person_id, "%s", db_column_text(st, 1, NULL));
		const char *officer = db_column_text(st, 2, NULL);
		snprintf(s->officer_id, sizeof s->officer_id, "%s", officer ? officer : "");
		const char *unit = db_column_text(st, 3, NULL);
		snprintf(s->unit_name, sizeof s->unit_name, "%s", unit ? unit : "");
		/* The Latin spelling as one text: the parts that exist, in order. The patronymic is left out in both
		 * scripts: it names the father (a family member, S15), and surname and given name identify the person. */
		char latin[800] = "";
		for (int c = 6; c <= 7; c++) {
			const char *part = db_column_text(st, c, NULL);
			if (part && *part) {
				size_t n = strlen(latin);
				snprintf(latin + n, sizeof latin - n, "%s%s", n ? " " : "", part);
			}
		}
		json_t *languages = json_array();
		const char *list = db_column_text(st, 10, NULL);
		for (const char *p = list ? list : ""; *p;) {
			size_t n = strcspn(p, ",");
			if (n > 0 && n < 16) {
				char code[16];
				memcpy(code, p, n);
				code[n] = '\0';
				json_array_append_new(languages, json_string(code));
			}
			p += n;
			if (*p == ',')
				p++;
		}
		s->row = json_pack("{s:{s:o, s:o, s:o}, s:o, s:o, s:o}",
			"name", "surname", text_or_null(db_column_text(st, 4, NULL)),
			"given_name", text_or_null(db_column_text(st, 5, NULL)), "latin", text_or_null(latin),
			"birth_date", text_or_null(db_column_text(st, 8, NULL)), "sex", text_or_null(db_column_text(st, 9, NULL)),
			"languages", languages);
		rc = s->row ? DB_OK : DB_ERROR;
	}
	db_finalize(&st);
	return rc;
}

/* The person's current numbers: [{number, label}]. */
static json_t *shared_phones(db *conn, const char *person_id)
{
	db_stmt *st = NULL;
	json_t *out = json_array();
	enum db_status rc = db_query(conn, &st,
		"SELECT number, label FROM person_phone WHERE person_id = ? ORDER BY created_at, id", "t", person_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_array_append_new(out, json_pack("{s:o, s:o}", "number", text_or_null(db_column_text(st, 0, NULL)),
		                                     "label", text_or_null(db_column_text(st, 1, NULL))));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The current actual address (else the registered one) as text, or JSON null. */
static json_t *shared_address(db *conn, const char *person_id)
{
	db_stmt *st = NULL;
	json_t *out = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT address FROM person_address WHERE person_id = ? AND valid_to IS NULL"
		" AND kind IN ('actual', 'registered')"
		" ORDER BY CASE kind WHEN 'actual' THEN 0 ELSE 1 END, valid_from DESC, created_at DESC LIMIT 1",
		"t", person_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		out = text_or_null(db_column_text(st, 0, NULL));
	else if (rc == DB_DONE)
		out = json_null();
	db_finalize(&st);
	return out;
}

/* The case officer as {name, unit_name} (name null when the case has no officer yet). */
static json_t *shared_officer(db *conn, const struct shared_source *s)
{
	json_t *name = json_null();
	if (s->officer_id[0]) {
		db_stmt *st = NULL;
		enum db_status rc = db_query(conn, &st, "SELECT display_name FROM account WHERE id = ?", "t", s->officer_id);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
			name = text_or_null(db_column_text(st, 0, NULL));
		db_finalize(&st);
		if (rc != DB_ROW && rc != DB_DONE)
			return NULL;
	}
	return json_pack("{s:o, s:o}", "name", name, "unit_name", text_or_null(s->unit_name));
}

/* The open objectives of the case's supervision plan: [{need, description}]. */
static json_t *shared_needs(db *conn, const char *case_id)
{
	db_stmt *st = NULL;
	json_t *out = json_array();
	enum db_status rc = db_query(conn, &st,
		"SELECT o.need, o.description FROM plan_objective o JOIN supervision_plan sp ON sp.id = o.plan_id"
		" WHERE sp.case_id = ? AND o.status = 'open' ORDER BY o.position, o.id", "t", case_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_array_append_new(out, json_pack("{s:o, s:o}", "need", text_or_null(db_column_text(st, 0, NULL)),
		                                     "description", text_or_null(db_column_text(st, 1, NULL))));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(out);
		return NULL;
	}
	return out;
}

json_t *referral_shared_person(db *conn, const char *case_id, const json_t *fields)
{
	struct shared_source s = {0};
	if (!case_id || source_load(conn, case_id, &s) != DB_OK)
		return NULL;
	json_t *out = json_pack("{s:s}", "case_number", s.case_number);
	bool ok = out != NULL;
	/* Only what is named goes into the view, and phones, address, officer and needs are read only when named. */
	for (const char *const *f = referral_share_fields; ok && *f; f++) {
		if (!shares(fields, *f))
			continue;
		json_t *v = NULL;
		if (strcmp(*f, "phone") == 0)
			v = shared_phones(conn, s.person_id);
		else if (strcmp(*f, "address") == 0)
			v = shared_address(conn, s.person_id);
		else if (strcmp(*f, "officer") == 0)
			v = shared_officer(conn, &s);
		else if (strcmp(*f, "needs") == 0)
			v = shared_needs(conn, case_id);
		else
			v = json_incref(json_object_get(s.row, *f));
		ok = v != NULL;
		if (ok)
			json_object_set_new(out, *f, v);
	}
	json_decref(s.row);
	if (!ok) {
		json_decref(out);
		return NULL;
	}
	return out;
}

bool referral_partner_reaches(const struct principal *p, const char *partner_agency_id, const char *share_until,
                              const char *today)
{
	return p && partner_agency_id && share_until && today && strcmp(p->agency_id, partner_agency_id) == 0 &&
	       policy_has(p, "referrals.provide") && strcmp(today, share_until) <= 0;
}
