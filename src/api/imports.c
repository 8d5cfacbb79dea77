/*
 * imports.c — bulk import of people and cases from a CSV file (a prison's
 * release list, a court's register). The file format is documented in
 * src/domain/import.h. After the parser's checks of syntax and fields, each
 * row's references are checked against the database: the unit (by name,
 * within the caller's own units), the measure and the articles; dates may not
 * lie in the future. A row whose document number belongs to a person already
 * held uses that person ("matched") instead of registering a new one.
 *
 * All or nothing: a dry run (the default) does the whole import in a
 * transaction it then rolls back, so it finds every problem a real run would;
 * a real run with any error answers 422 with the same errors and writes
 * nothing; otherwise every row is written in one transaction, and each person
 * and case created is logged as a collection (S10).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/scope.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/import.h"
#include "domain/person.h"

/* What the checks found for one row. */
struct row_plan {
	const char *unit_id;                /* borrowed from the unit map; NULL when not found */
	char person_id[UUID_STR_LEN];       /* the person the row is about, once known; "" for someone new */
	bool held;                          /* person_id was matched by document number among the people held */
	long same_as;                       /* index of the first row of the file with the same document; else -1 */
	char doc_key[64];                   /* the document number as search compares it; "" when none */
	char who[48];                       /* "held:<id>" or "row:<index>": rows about one person share it */
	char case_id[UUID_STR_LEN];         /* the case the row opened (when written) */
};

/* What the whole import did (or would do). */
struct tally {
	long people_created, people_matched, cases_created;
};

/* True when the media type (before any ';') is text/csv. */
static bool is_csv(const char *ct)
{
	if (!ct)
		return false;
	ct += strspn(ct, " \t");
	size_t len = strcspn(ct, ";");
	while (len && (ct[len - 1] == ' ' || ct[len - 1] == '\t'))
		len--;
	return len == 8 && strncasecmp(ct, "text/csv", 8) == 0;
}

static const char *col(enum import_column c)
{
	return import_column_name(c);
}

/* The units within the caller's own (their unit and those below), name -> id; NULL on error. */
static json_t *own_units(struct http_request *req)
{
	json_t *rows = api_select(req->db,
		"WITH RECURSIVE reach(id) AS (SELECT id FROM unit WHERE id = ?"
		" UNION SELECT u.id FROM unit u JOIN reach r ON u.parent_id = r.id)"
		" SELECT u.id, u.name FROM unit u WHERE u.id IN (SELECT id FROM reach)",
		"t", req->principal.unit_id[0] ? req->principal.unit_id : NULL);
	if (!rows)
		return NULL;
	json_t *map = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_object_set(map, json_string_value(json_object_get(r, "name")), json_object_get(r, "id"));
	}
	json_decref(rows);
	return map;
}

/* The active codes of a reference table as a set (an object code -> true); NULL on error. */
static json_t *codes(db *conn, const char *sql)
{
	json_t *rows = api_select(conn, sql, "");
	if (!rows)
		return NULL;
	json_t *set = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		json_object_set_new(set, json_string_value(json_object_get(r, "code")), json_true());
	}
	json_decref(rows);
	return set;
}

/*
 * Checks each row's references and plans who it is about; adds errors to r.
 * units maps the names of the caller's own units to their ids. False on a database error.
 */
static bool check_rows(db *conn, struct import_result *r, const char *today, const json_t *units,
                       struct row_plan *plans, struct tally *t)
{
	json_t *measures = codes(conn, "SELECT code FROM ref_measure WHERE is_active = 1");
	json_t *articles = codes(conn, "SELECT code FROM ref_article WHERE is_active = 1");
	bool ok = measures && articles;
	for (size_t i = 0; ok && i < r->nrows; i++) {
		const struct import_row *row = &r->rows[i];
		char *const *v = row->value;
		struct row_plan *p = &plans[i];
		p->same_as = -1;
		if (v[IMPORT_UNIT]) {
			p->unit_id = json_string_value(json_object_get(units, v[IMPORT_UNIT]));
			if (!p->unit_id)
				import_error_add(r, row->line, col(IMPORT_UNIT),
				                 "is not the name of a unit within your own (check the spelling)");
		}
		/* The file cannot record the person's own request, which such a case needs (DOMAIN.md). */
		if (v[IMPORT_CASE_KIND] && strcmp(v[IMPORT_CASE_KIND], "post_penitentiary") == 0)
			import_error_add(r, row->line, col(IMPORT_CASE_KIND),
			                 "post_penitentiary cases are opened at the person's own request: open them one by"
			                 " one with the date of the request");
		if (v[IMPORT_MEASURE] && !json_object_get(measures, v[IMPORT_MEASURE]))
			import_error_add(r, row->line, col(IMPORT_MEASURE), "is not a known measure code: %s",
			                 v[IMPORT_MEASURE]);
		if (v[IMPORT_ARTICLES]) {
			char *list = xstrdup(v[IMPORT_ARTICLES]), *save = NULL;
			for (char *a = strtok_r(list, ";", &save); a; a = strtok_r(NULL, ";", &save))
				if (!json_object_get(articles, a))
					import_error_add(r, row->line, col(IMPORT_ARTICLES),
					                 "has an article that is not in the list: %s", a);
			free(list);
		}
		if (v[IMPORT_BIRTH_DATE] && strcmp(v[IMPORT_BIRTH_DATE], today) > 0)
			import_error_add(r, row->line, col(IMPORT_BIRTH_DATE), "must not be in the future");
		if (v[IMPORT_OPENED_ON] && strcmp(v[IMPORT_OPENED_ON], today) > 0)
			import_error_add(r, row->line, col(IMPORT_OPENED_ON), "must not be in the future");
		if (v[IMPORT_DECISION_DATE] && strcmp(v[IMPORT_DECISION_DATE], today) > 0)
			import_error_add(r, row->line, col(IMPORT_DECISION_DATE), "must not be in the future");
		/* Who the row is about: someone held already, the person of an earlier row, or someone new. */
		if (v[IMPORT_DOCUMENT_NUMBER]) {
			person_document_key(v[IMPORT_DOCUMENT_NUMBER], p->doc_key, sizeof p->doc_key);
			for (size_t j = 0; j < i && p->same_as < 0; j++)
				if (plans[j].doc_key[0] && strcmp(plans[j].doc_key, p->doc_key) == 0)
					p->same_as = plans[j].same_as >= 0 ? plans[j].same_as : (long)j;
			if (p->same_as < 0 && person_by_document(conn, v[IMPORT_DOCUMENT_NUMBER], p->person_id) != DB_OK) {
				ok = false;
				break;
			}
			p->held = p->same_as < 0 && p->person_id[0];
			if (p->same_as >= 0)
				memcpy(p->person_id, plans[p->same_as].person_id, sizeof p->person_id);
		}
		if (p->same_as >= 0)
			memcpy(p->who, plans[p->same_as].who, sizeof p->who);
		else if (p->held)
			snprintf(p->who, sizeof p->who, "held:%s", p->person_id);
		else
			snprintf(p->who, sizeof p->who, "row:%zu", i);
		t->people_matched += p->held;
		t->people_created += p->same_as < 0 && !p->held;
		t->cases_created++;
		/* One person gets no second open case of one kind in one unit (a file imported twice, a repeated row). */
		if (!p->unit_id || !v[IMPORT_CASE_KIND])
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct row_plan *q = &plans[j];
			if (strcmp(q->who, p->who) == 0 && q->unit_id == p->unit_id && r->rows[j].value[IMPORT_CASE_KIND] &&
			    strcmp(r->rows[j].value[IMPORT_CASE_KIND], v[IMPORT_CASE_KIND]) == 0) {
				import_error_add(r, row->line, col(IMPORT_CASE_KIND),
				                 "repeats line %ld: the same person, case kind and unit", r->rows[j].line);
				break;
			}
		}
		if (!p->person_id[0])
			continue;
		bool failed = false;
		json_t *open = api_select_one(conn, &failed,
			"SELECT number FROM case_file WHERE person_id = ? AND kind = ? AND unit_id = ? AND status = 'open'",
			"ttt", p->person_id, v[IMPORT_CASE_KIND], p->unit_id);
		if (failed) {
			ok = false;
			break;
		}
		if (open)
			import_error_add(r, row->line, col(IMPORT_CASE_KIND),
			                 "the person (matched by document number) already has an open case of this kind"
			                 " in this unit: %s",
			                 json_string_value(json_object_get(open, "number")));
		json_decref(open);
	}
	json_decref(measures);
	json_decref(articles);
	return ok;
}

/* The decision's problem field as the file's column. */
static const char *problem_column(const char *field)
{
	static const struct {
		const char *field;
		enum import_column column;
	} map[] = {
		{"authority", IMPORT_DECISION_AUTHORITY}, {"number", IMPORT_DECISION_NUMBER},
		{"decided_on", IMPORT_DECISION_DATE}, {"measure", IMPORT_MEASURE}, {"articles", IMPORT_ARTICLES},
		{"start_on", IMPORT_START_ON}, {"term", IMPORT_TERM}, {"remand_days", IMPORT_REMAND_DAYS},
	};
	for (size_t i = 0; field && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i].field, field) == 0)
			return col(map[i].column);
	return NULL;
}

/* Writes every row in the open transaction; a decision's problem becomes an error. False on a database error. */
static bool write_rows(struct http_request *req, struct import_result *r, struct row_plan *plans)
{
	db *conn = req->db;
	const char *actor = req->principal.account_id;
	int64_t now = clock_now_ms();
	char today[11];
	if (!api_today(conn, today))
		return false;
	for (size_t i = 0; i < r->nrows; i++) {
		char *const *v = r->rows[i].value;
		struct row_plan *p = &plans[i];
		long line = r->rows[i].line;
		bool created = !p->held && p->same_as < 0;
		if (p->same_as >= 0) /* an earlier row: its person exists by now */
			memcpy(p->person_id, plans[p->same_as].person_id, sizeof p->person_id);
		if (created) {
			struct person_fields f = {
				.surname = v[IMPORT_SURNAME], .given_name = v[IMPORT_GIVEN_NAME], .patronymic = v[IMPORT_PATRONYMIC],
				.surname_latin = v[IMPORT_SURNAME_LATIN], .given_name_latin = v[IMPORT_GIVEN_NAME_LATIN],
				.patronymic_latin = v[IMPORT_PATRONYMIC_LATIN], .sex = v[IMPORT_SEX],
				.birth_date = v[IMPORT_BIRTH_DATE], .birth_place = v[IMPORT_BIRTH_PLACE],
				.citizenship = v[IMPORT_CITIZENSHIP],
			};
			char doc[UUID_STR_LEN];
			if (person_create(conn, p->unit_id, &f, actor, now, p->person_id) != DB_OK ||
			    (v[IMPORT_DOCUMENT_NUMBER] &&
			     person_document_add(conn, p->person_id, v[IMPORT_DOCUMENT_TYPE], v[IMPORT_DOCUMENT_NUMBER],
			                         v[IMPORT_DOCUMENT_COUNTRY], NULL, NULL, now, doc) != DB_OK))
				return false;
		}
		char reason[64], number[16];
		snprintf(reason, sizeof reason, "Imported from a CSV file (line %ld)", line);
		struct case_fields cf = {
			.person_id = p->person_id, .kind = v[IMPORT_CASE_KIND], .unit_id = p->unit_id,
			.opened_on = v[IMPORT_OPENED_ON] ? v[IMPORT_OPENED_ON] : today, .open_reason = reason,
		};
		if (case_open(conn, &cf, actor, now, p->case_id, number) != DB_OK)
			return false;
		const char *case_id = p->case_id;
		if (v[IMPORT_DECISION_AUTHORITY]) {
			const char *list[64];
			size_t n = 0;
			char *arts = v[IMPORT_ARTICLES] ? xstrdup(v[IMPORT_ARTICLES]) : NULL, *save = NULL;
			for (char *a = arts ? strtok_r(arts, ";", &save) : NULL; a && n < 64; a = strtok_r(NULL, ";", &save))
				list[n++] = a;
			struct decision_fields df = {
				.authority = v[IMPORT_DECISION_AUTHORITY], .number = v[IMPORT_DECISION_NUMBER],
				.decided_on = v[IMPORT_DECISION_DATE], .measure = v[IMPORT_MEASURE], .start_on = v[IMPORT_START_ON],
				.term = v[IMPORT_TERM], .duties = "", .articles = list, .narticles = n,
				.remand_days = v[IMPORT_REMAND_DAYS] ? strtoll(v[IMPORT_REMAND_DAYS], NULL, 10) : 0,
			};
			char decision[UUID_STR_LEN];
			struct decision_problem problem = {0};
			enum db_status rc = decision_create(conn, case_id, &df, actor, now, decision, &problem);
			free(arts);
			if (rc != DB_OK)
				return false;
			if (problem.field)
				import_error_add(r, line, problem_column(problem.field), "%s", problem.message);
		}
		if (v[IMPORT_NOTE]) {
			char note[UUID_STR_LEN];
			uuid_v7(note);
			if (db_run(conn, NULL,
			           "INSERT INTO note (id, case_id, author_id, written_at, sensitivity, nature, source,"
			           " source_detail, body) VALUES (?, ?, ?, ?, 'normal', 'fact', 'document', 'CSV import', ?)",
			           "tttit", note, case_id, actor, now, v[IMPORT_NOTE]) != DB_OK)
				return false;
		}
		char detail[96];
		snprintf(detail, sizeof detail, "{\"line\":%ld,\"person\":\"%s\"}", line,
		         created ? "created" : p->held ? "matched" : "same_as_earlier_row");
		if (case_event_add(conn, case_id, now, "case.imported", actor, reason, detail, "case", case_id) != DB_OK)
			return false;
	}
	/* The processing log last: appending locks its head until the commit, so other writers wait only briefly. */
	for (size_t i = 0; i < r->nrows && r->nerrors_total == 0; i++) {
		const struct row_plan *p = &plans[i];
		if ((!p->held && p->same_as < 0 &&
		     !api_audit(req, AUDIT_COLLECT, "person", p->person_id, AUDIT_OUTCOME_SUCCESS, "CSV import")) ||
		    !api_audit(req, AUDIT_COLLECT, "case", p->case_id, AUDIT_OUTCOME_SUCCESS, "CSV import"))
			return false;
	}
	return true;
}

/* The report every answer carries. */
static json_t *report_json(const struct import_result *r, bool dry_run, const struct tally *t)
{
	json_t *errors = json_array();
	for (size_t i = 0; i < r->nerrors; i++) {
		const struct import_error *e = &r->errors[i];
		json_array_append_new(errors, json_pack("{s:I, s:s?, s:s}", "line", (json_int_t)e->line, "column", e->column,
		                                        "message", e->message));
	}
	bool valid = r->nerrors_total == 0;
	return json_pack("{s:b, s:I, s:b, s:o, s:I, s:I, s:I, s:I}", "dry_run", dry_run, "rows", (json_int_t)r->nrows,
	                 "is_valid", valid, "errors", errors, "errors_total", (json_int_t)r->nerrors_total,
	                 "people_created", (json_int_t)(valid || dry_run ? t->people_created : 0), "people_matched",
	                 (json_int_t)(valid || dry_run ? t->people_matched : 0), "cases_created",
	                 (json_int_t)(valid || dry_run ? t->cases_created : 0));
}

/* Logs a check that wrote nothing (a dry run, or a refused file) in a transaction of its own. */
static bool log_check(struct http_request *req, struct http_response *resp, const struct import_result *r,
                      bool dry_run, const struct tally *t)
{
	char detail[160];
	snprintf(detail, sizeof detail, "CSV import %s: %zu rows, %ld matched by document number, %zu errors",
	         dry_run ? "dry run" : "refused", r->nrows, t->people_matched, r->nerrors_total);
	if (!api_begin(req, resp))
		return false;
	if (!api_audit(req, AUDIT_CONSULT, "person", NULL, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "logging an import check");
		return false;
	}
	return api_commit(req, resp);
}

void api_import(struct http_request *req, struct http_response *resp)
{
	if (!is_csv(http_request_header(req, "Content-Type"))) {
		http_problem(resp, req, 415, "unsupported-media-type", "Unsupported media type",
		             "This route takes a CSV file: send Content-Type: text/csv.", NULL);
		return;
	}
	const char *dry = http_request_query(req, "dry_run");
	if (dry && strcmp(dry, "true") != 0 && strcmp(dry, "false") != 0) {
		struct field_errors fe = {0};
		field_error(&fe, "dry_run", "must be true or false");
		field_errors_respond(&fe, resp, req);
		return;
	}
	bool dry_run = !dry || strcmp(dry, "true") == 0;
	struct import_result r;
	if (!import_parse(req->body, req->body_len, &r)) {
		api_internal_error(req, resp, "out of memory reading a CSV file");
		return;
	}
	struct row_plan *plans = xcalloc(r.nrows ? r.nrows : 1, sizeof *plans);
	struct tally t = {0};
	char today[11];
	json_t *units = NULL;
	bool ok = api_begin(req, resp);
	if (ok && (!api_today(req->db, today) || !(units = own_units(req)) ||
	           !check_rows(req->db, &r, today, units, plans, &t))) {
		api_db_failed(req, resp, "checking a CSV file");
		ok = false;
	}
	if (ok && r.nerrors_total == 0 && !write_rows(req, &r, plans)) {
		api_db_failed(req, resp, "importing a CSV file");
		ok = false;
	}
	if (ok) {
		bool commit = !dry_run && r.nerrors_total == 0;
		if (!commit)
			db_rollback(req->db);
		if (commit ? api_commit(req, resp) : log_check(req, resp, &r, dry_run, &t)) {
			json_t *report = report_json(&r, dry_run, &t);
			if (dry_run || commit) {
				http_response_json(resp, commit ? 201 : 200, report);
			} else {
				json_t *errors = json_incref(json_object_get(report, "errors"));
				json_object_del(report, "errors");
				char detail[96];
				snprintf(detail, sizeof detail, "The file has %zu error%s; nothing was imported.", r.nerrors_total,
				         r.nerrors_total == 1 ? "" : "s");
				http_problem_with(resp, req, 422, "import-invalid", "The file cannot be imported", detail, errors,
				                  report);
			}
		}
	}
	json_decref(units);
	free(plans);
	import_result_free(&r);
}
