/*
 * responses.c — the ladder of responses to non-compliance (warning ...
 * referral) and to progress (Tokyo Rule 11.2), recorded side by side on a
 * case; their printable letters in ky, ru and en; the ratio of positive to
 * negative responses per officer and per unit; and the complaints register
 * (S9): every complaint registered with its answer deadline, answered or
 * withdrawn, reached through the unit it belongs to.
 *
 *   complaint: open -> answered (answer) | withdrawn (withdrawal)
 *
 * A variation request and a referral are not recorded here: they come from a
 * variation proposal and a breach referral. A withdrawal keeps its reason in
 * withdraw_reason (with the date and who recorded it).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/conditions.h"
#include "domain/keydates.h"
#include "domain/person.h"
#include "domain/pretrial.h"
#include "domain/responses.h"

#define SUMMARY_DEFAULT_DAYS 365

/* ---- small helpers ----------------------------------------------------------------------------------------- */

static const char *col(const json_t *row, const char *name)
{
	return json_string_value(json_object_get(row, name));
}

/* Moves title_ky, title_ru and title_en of a row into title {ky, ru, en}. */
static void nest_title(json_t *row)
{
	json_t *title = json_object();
	static const char *const langs[] = {"ky", "ru", "en"};
	for (size_t i = 0; i < 3; i++) {
		char key[16];
		snprintf(key, sizeof key, "title_%s", langs[i]);
		json_t *v = json_object_get(row, key);
		json_object_set(title, langs[i], v ? v : json_null());
		json_object_del(row, key);
	}
	json_object_set_new(row, "title", title);
}

static void nest_titles(json_t *rows)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		nest_title(row);
}

/* ---- the ladder ------------------------------------------------------------------------------------------- */

void api_responses_ladder(struct http_request *req, struct http_response *resp)
{
	if (!api_begin(req, resp))
		return;
	json_t *items = api_select(req->db,
		"SELECT code, polarity, rank, needs_authority AS is_needs_authority, has_letter AS is_has_letter,"
		" title_ky, title_ru, title_en FROM ref_response"
		" ORDER BY CASE polarity WHEN 'negative' THEN 0 ELSE 1 END, rank", "");
	if (!items) {
		api_db_failed(req, resp, "reading the responses");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	nest_titles(items);
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* ---- a case's responses ----------------------------------------------------------------------------------- */

#define RESPONSE_SELECT \
	"SELECT r.id, r.case_id, r.code, rr.polarity, rr.title_ky, rr.title_ru, rr.title_en," \
	" rr.needs_authority AS is_needs_authority, rr.has_letter AS is_has_letter, r.breach_id, r.given_on," \
	" g.display_name AS given_by_name, r.officer_id, o.display_name AS officer_name, r.unit_id," \
	" r.reasons, r.detail, r.created_at" \
	" FROM response r JOIN ref_response rr ON rr.code = r.code JOIN account g ON g.id = r.given_by" \
	" LEFT JOIN account o ON o.id = r.officer_id"

void api_case_responses(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	json_t *items = api_select(req->db, RESPONSE_SELECT " WHERE r.case_id = ? ORDER BY r.given_on DESC,"
	                                    " r.created_at DESC, r.id DESC", "t", id);
	if (!items || !scope_audit(req, &s, AUDIT_CONSULT, "case_responses", id, NULL)) {
		json_decref(items);
		api_db_failed(req, resp, "reading responses");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	json_int_t positive = 0, negative = 0;
	size_t i;
	json_t *row;
	json_array_foreach(items, i, row) {
		if (strcmp(col(row, "polarity"), "positive") == 0)
			positive++;
		else
			negative++;
	}
	nest_titles(items);
	http_response_json(resp, 200, json_pack("{s:o, s:I, s:I}", "items", items, "positive", positive, "negative",
	                                        negative));
}

void api_response_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	char today[11];
	struct field_errors fe = {0};
	struct record_scope s;
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	responses_body_validate("response", req->json, today, &fe);
	if (api_errors_answer(req, resp, &fe) || !scope_case(req, resp, id, &s) ||
	    !scope_may_change(req, resp, &s, "case", id))
		return;
	if (strcmp(s.status, "closed") == 0) {
		api_conflict(req, resp, "case-closed", "The case is closed",
		         "Responses are recorded on an open or suspended case; this case is closed.");
		return;
	}
	const char *detail = api_str(req, "detail");
	struct response_new r = {
		.case_id = id,
		.code = api_str(req, "code"),
		.given_on = api_str(req, "given_on"),
		.given_by = req->principal.account_id,
		.reasons = api_str(req, "reasons"),
		.detail = detail && *detail ? detail : NULL,
	};
	char rid[UUID_STR_LEN];
	enum db_status rc = response_record(req->db, &r, clock_now_ms(), rid);
	if (rc == DB_CONSTRAINT) {
		api_field_problem(req, resp, "code", "is not a response of the ladder");
		return;
	}
	char *logged = xasprintf("response %s given on %s", r.code, r.given_on);
	bool ok = rc == DB_OK && scope_audit(req, &s, AUDIT_COLLECT, "response", rid, logged);
	free(logged);
	if (!ok) {
		api_db_failed(req, resp, "recording a response");
		return;
	}
	json_t *rows = api_select(req->db, RESPONSE_SELECT " WHERE r.id = ?", "t", rid);
	if (!rows || json_array_size(rows) != 1) {
		json_decref(rows);
		api_db_failed(req, resp, "reading a response");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	json_t *row = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	nest_title(row);
	http_response_json(resp, 201, row);
}

/* ---- the letter ------------------------------------------------------------------------------------------- */

extern const char response_letters_json[];
extern const size_t response_letters_json_len;

static struct wording letters =
	WORDING("data/response-letters.json", response_letters_json, response_letters_json_len, NULL);

static const char *label(const char *key, const char *lang)
{
	return wording_label(&letters, key, lang);
}

/* "<key>.<code>" when the wording has one, else "<key>". */
static const char *label_for(const char *key, const char *code, const char *lang)
{
	return wording_label_for(&letters, key, code, lang);
}

/* A paragraph whose {name}, {unit}, {date} and {days} are filled in (values, n). */
static void paragraph(struct buf *b, const char *cls, const char *text, const struct html_value *values, size_t n)
{
	buf_printf(b, "<p class=\"%s\">", cls);
	html_fill(b, text, values, n);
	buf_puts(b, "</p>\n");
}

static void row_text(struct buf *b, const char *key, const char *lang, const char *value)
{
	html_row(b, label(key, lang), value && *value ? value : "—");
}

/* The whole letter: who it is for, what was recorded and why, what follows, and how to comment or complain. */
static void render_letter(struct buf *b, const json_t *r, const char *lang, const char *printed, long days)
{
	const char *code = col(r, "code");
	bool positive = strcmp(col(r, "polarity"), "positive") == 0;
	char given[48], printed_h[48], days_s[24];
	html_human_date(col(r, "given_on"), lang, "", given);
	html_human_date(printed, lang, "", printed_h);
	snprintf(days_s, sizeof days_s, "%ld", days);
	const struct html_value v[] = {{"name", col(r, "person_name")}, {"unit", col(r, "unit_name")},
	                               {"date", given}, {"days", days_s}};
	const size_t nv = sizeof v / sizeof v[0];
	const char *title = label_for("title", code, lang);
	html_document_begin(b, lang, title);
	buf_puts(b, "<h1>");
	html_escape(b, title);
	buf_puts(b, "</h1>\n<table>\n");
	row_text(b, "to", lang, col(r, "person_name"));
	row_text(b, "case_number", lang, col(r, "case_number"));
	row_text(b, "date", lang, given);
	row_text(b, "officer", lang, col(r, "given_by_name"));
	row_text(b, "unit", lang, col(r, "unit_name"));
	buf_puts(b, "</table>\n");
	paragraph(b, "text", label("greeting", lang), v, nv);
	paragraph(b, "text", label_for("intro", code, lang), v, nv);
	html_heading(b, label(positive ? "achieved_title" : "not_kept_title", lang));
	buf_puts(b, "<p class=\"text\">");
	html_escape(b, col(r, "reasons"));
	buf_puts(b, "</p>\n");
	html_heading(b, label_for(positive ? "changes_title" : "expected_title", code, lang));
	paragraph(b, "text", label_for(positive ? "changes" : "expected", code, lang), v, nv);
	if (col(r, "detail") && *col(r, "detail")) {
		buf_puts(b, "<h3>");
		html_escape(b, label("detail_title", lang));
		buf_puts(b, "</h3>\n<p class=\"text\">");
		html_escape(b, col(r, "detail"));
		buf_puts(b, "</p>\n");
	}
	if (!positive)
		paragraph(b, "notice", label_for("consequence", code, lang), v, nv);
	html_heading(b, label(positive ? "questions_title" : "comment_title", lang));
	paragraph(b, "text", label(positive ? "questions" : "comment", lang), v, nv);
	paragraph(b, "text", label("complaint", lang), v, nv);
	paragraph(b, "text", label(positive ? "closing_positive" : "closing", lang), v, nv);
	buf_puts(b, "<footer>\n<table>\n");
	row_text(b, "signature_officer", lang, "________________________");
	row_text(b, "signature_person", lang, "________________________");
	buf_puts(b, "</table>\n<p class=\"muted\">");
	html_escape(b, label("printed", lang));
	buf_puts(b, ": ");
	html_escape(b, printed_h);
	buf_puts(b, " · Kadam</p>\n</footer>\n");
	html_document_end(b);
}

void api_response_letter(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *lang_q = NULL;
	if (!api_lang_query(req, resp, &lang_q) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *r = uuid_valid(id) ? api_select_one(req->db, &failed,
		"SELECT r.id, r.case_id, r.code, rr.polarity, rr.has_letter, r.given_on, r.reasons, r.detail,"
		" g.display_name AS given_by_name, u.name AS unit_name, c.number AS case_number, c.person_id,"
		" " PERSON_NAME_SQL("p") " AS person_name"
		" FROM response r JOIN ref_response rr ON rr.code = r.code JOIN account g ON g.id = r.given_by"
		" JOIN unit u ON u.id = r.unit_id JOIN case_file c ON c.id = r.case_id JOIN person p ON p.id = c.person_id"
		" WHERE r.id = ?", "t", id) : NULL;
	if (!r) {
		if (failed) {
			api_db_failed(req, resp, "reading a response");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "response");
		}
		return;
	}
	struct record_scope s;
	char today[11], lang[3];
	if (!scope_case(req, resp, col(r, "case_id"), &s) || !api_today_date(req, resp, NULL, today)) {
		json_decref(r);
		return;
	}
	if (json_integer_value(json_object_get(r, "has_letter")) != 1) {
		json_decref(r);
		db_rollback(req->db);
		http_problem(resp, req, 404, "no-letter", "This response has no letter",
		             "Letters are written for a warning, a formal warning, more frequent contact, positive progress"
		             " and reduced reporting.", NULL);
		return;
	}
	long days = 0;
	if (lang_q)
		snprintf(lang, sizeof lang, "%s", lang_q);
	if ((!lang_q && condition_person_language(req->db, s.person_id, lang) != DB_OK) ||
	    setting_number(req->db, "complaints.answer_days", &days) != DB_OK) {
		json_decref(r);
		api_db_failed(req, resp, "reading the letter's language");
		return;
	}
	struct buf doc = {0};
	render_letter(&doc, r, lang, today, days);
	char detail[96];
	snprintf(detail, sizeof detail, "letter code=%s lang=%s", col(r, "code"), lang);
	json_decref(r);
	scope_send_document(req, resp, &s, "response", id, detail, &doc);
}

/* ---- the ratio per unit and per officer ------------------------------------------------------------------- */

static json_t *ratio_of(json_t *row)
{
	json_int_t pos = json_integer_value(json_object_get(row, "positive"));
	json_int_t neg = json_integer_value(json_object_get(row, "negative"));
	return neg > 0 ? json_real((double)pos / (double)neg) : json_null();
}

static void add_ratios(json_t *rows)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
		json_object_set_new(row, "ratio", ratio_of(row));
}

void api_responses_summary(struct http_request *req, struct http_response *resp)
{
	const char *from_q = http_request_query(req, "from"), *to_q = http_request_query(req, "to");
	struct civil_date from, to, now;
	struct field_errors fe = {0};
	if (from_q && !civil_date_parse(from_q, &from))
		field_error(&fe, "from", "must be a date (YYYY-MM-DD)");
	if (to_q && !civil_date_parse(to_q, &to))
		field_error(&fe, "to", "must be a date (YYYY-MM-DD)");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !api_today_date(req, resp, &now, NULL))
		return;
	if (!to_q)
		to = now;
	if (!from_q)
		from = civil_date_add_days(to, -(SUMMARY_DEFAULT_DAYS - 1));
	if (civil_date_compare(from, to) > 0) {
		api_field_problem(req, resp, "from", "must not be after to");
		return;
	}
	char from_iso[11], to_iso[11];
	civil_date_format(from, from_iso);
	civil_date_format(to, to_iso);
	const struct principal *p = &req->principal;
	/* A unit head sees every unit below their own and every officer there; an officer their unit and
	   themselves. */
	int64_t head = policy_has(p, "cases.allocate") ? 1 : 0;
	const char *unit = p->unit_id[0] ? p->unit_id : NULL;
	json_t *units = api_select(req->db,
		UNITS_BELOW_CTE
		" SELECT u.id AS unit_id, u.name AS unit_name,"
		" COUNT(CASE WHEN rr.polarity = 'positive' THEN 1 END) AS positive,"
		" COUNT(CASE WHEN rr.polarity = 'negative' THEN 1 END) AS negative"
		" FROM unit u LEFT JOIN response r ON r.unit_id = u.id AND r.given_on >= ? AND r.given_on <= ?"
		" LEFT JOIN ref_response rr ON rr.code = r.code"
		" WHERE u.id IN (SELECT id FROM below) AND (? = 1 OR u.id = ?)"
		" GROUP BY u.id, u.name ORDER BY u.name, u.id",
		"tttit", unit, from_iso, to_iso, head, unit);
	json_t *officers = units ? api_select(req->db,
		UNITS_BELOW_CTE
		" SELECT r.officer_id, a.display_name AS officer_name, r.unit_id, un.name AS unit_name,"
		" COUNT(CASE WHEN rr.polarity = 'positive' THEN 1 END) AS positive,"
		" COUNT(CASE WHEN rr.polarity = 'negative' THEN 1 END) AS negative"
		" FROM response r JOIN ref_response rr ON rr.code = r.code JOIN account a ON a.id = r.officer_id"
		" JOIN unit un ON un.id = r.unit_id"
		" WHERE r.unit_id IN (SELECT id FROM below) AND r.given_on >= ? AND r.given_on <= ?"
		" AND (? = 1 OR r.officer_id = ?)"
		" GROUP BY r.officer_id, a.display_name, r.unit_id, un.name ORDER BY a.display_name, r.officer_id, un.name",
		"tttit", unit, from_iso, to_iso, head, p->account_id) : NULL;
	if (!units || !officers) {
		json_decref(units);
		json_decref(officers);
		api_db_failed(req, resp, "counting responses");
		return;
	}
	/* An officer always sees their own row, with nothing counted yet. */
	if (!head && unit && json_array_size(officers) == 0) {
		bool failed = false;
		json_t *own = api_select_one(req->db, &failed,
			"SELECT a.id AS officer_id, a.display_name AS officer_name, u.id AS unit_id, u.name AS unit_name"
			" FROM account a JOIN unit u ON u.id = ? WHERE a.id = ?", "tt", unit, p->account_id);
		if (failed) {
			json_decref(units);
			json_decref(officers);
			api_db_failed(req, resp, "counting responses");
			return;
		}
		if (own) {
			json_object_set_new(own, "positive", json_integer(0));
			json_object_set_new(own, "negative", json_integer(0));
			json_array_append_new(officers, own);
		}
	}
	add_ratios(units);
	add_ratios(officers);
	char *detail = xasprintf("responses summary %s..%s: %zu units, %zu officers (%s)", from_iso, to_iso,
	                         json_array_size(units), json_array_size(officers),
	                         head ? "the caller's units" : "the caller's unit and own cases");
	bool logged = api_audit_why(req, AUDIT_CONSULT, "responses_summary", NULL, AUDIT_OUTCOME_SUCCESS, detail,
	                            "supervision", "aggregate counts within the caller's units (permission alerts.read)");
	free(detail);
	if (!logged) {
		json_decref(units);
		json_decref(officers);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(units);
		json_decref(officers);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:s, s:s, s:o, s:o}", "from", from_iso, "to", to_iso, "units", units,
	                                        "officers", officers));
}

/* ---- complaints ------------------------------------------------------------------------------------------- */

#define COMPLAINT_SELECT \
	"SELECT k.id, k.person_id," \
	" " PERSON_NAME_SQL("p") " AS person_name," \
	" k.case_id, c.number AS case_number, k.unit_id, u.name AS unit_name, k.received_on, k.channel, k.about," \
	" k.breach_id, k.summary, k.language, k.answer_due_on," \
	" CASE WHEN k.status = 'open' AND k.answer_due_on < ? THEN 1 ELSE 0 END AS is_overdue, k.status, k.answer," \
	" k.withdraw_reason, k.answered_on, aa.display_name AS answered_by_name, k.created_at, ca.display_name AS created_by_name," \
	" k.version" \
	" FROM complaint k JOIN person p ON p.id = k.person_id LEFT JOIN case_file c ON c.id = k.case_id" \
	" JOIN unit u ON u.id = k.unit_id LEFT JOIN account aa ON aa.id = k.answered_by" \
	" JOIN account ca ON ca.id = k.created_by"

/* The units within the caller's own plus units under a live grant (as cases.c). */
static const char *const complaint_statuses[] = {"open", "answered", "withdrawn", "all", NULL};

void api_complaints_list(struct http_request *req, struct http_response *resp)
{
	const char *status = http_request_query(req, "status"), *overdue = http_request_query(req, "overdue");
	const char *person = http_request_query(req, "person_id"), *case_id = http_request_query(req, "case_id");
	const char *cursor = http_request_query(req, "cursor");
	struct field_errors fe = {0};
	long limit = api_limit(req, &fe);
	if (status && !in_list(status, complaint_statuses))
		field_error(&fe, "status", "must be one of: open, answered, withdrawn, all");
	if (overdue && strcmp(overdue, "1") != 0 && strcmp(overdue, "0") != 0)
		field_error(&fe, "overdue", "must be 1 or 0");
	if (person && !uuid_valid(person))
		field_error(&fe, "person_id", "must be an id");
	if (case_id && !uuid_valid(case_id))
		field_error(&fe, "case_id", "must be an id");
	/* Cursor "<rank>|<answer_due_on>|<id>" of the last row: open ones first, by due date. */
	int64_t after_rank = -1;
	char after_due[16] = "", after_id[UUID_STR_LEN] = "";
	if (cursor) {
		long r = -1;
		if (strlen(cursor) <= 60 && sscanf(cursor, "%ld|%10[0-9-]|%36s", &r, after_due, after_id) == 3 &&
		    (r == 0 || r == 1) && uuid_valid(after_id))
			after_rank = r;
		else
			field_error(&fe, "cursor", "is not a cursor this server gave");
	}
	char today[11];
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	if (status && strcmp(status, "all") == 0)
		status = NULL;
	int64_t only_overdue = overdue && strcmp(overdue, "1") == 0;
	const struct principal *p = &req->principal;
	json_t *items = api_select(req->db,
		REACH_CTE " " COMPLAINT_SELECT
		" WHERE k.unit_id IN (SELECT id FROM reach)"
		" AND (CAST(? AS TEXT) IS NULL OR k.status = ?)"
		" AND (? = 0 OR (k.status = 'open' AND k.answer_due_on < ?))"
		" AND (CAST(? AS TEXT) IS NULL OR k.person_id = ?) AND (CAST(? AS TEXT) IS NULL OR k.case_id = ?)"
		" AND (? < 0 OR (CASE WHEN k.status = 'open' THEN 0 ELSE 1 END) > ?"
		"  OR ((CASE WHEN k.status = 'open' THEN 0 ELSE 1 END) = ? AND (k.answer_due_on > ?"
		"  OR (k.answer_due_on = ? AND k.id > ?))))"
		" ORDER BY CASE WHEN k.status = 'open' THEN 0 ELSE 1 END, k.answer_due_on, k.id LIMIT ?",
		"ttitttittttt" "iii" "ttt" "i",
		p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), today, status, status, only_overdue,
		today, person, person, case_id, case_id, after_rank, after_rank, after_rank, after_due, after_due, after_id,
		(int64_t)limit);
	if (!items) {
		api_db_failed(req, resp, "listing complaints");
		return;
	}
	bool logged = api_audit_list(req, "complaint", items, NULL);
	if (!logged) {
		json_decref(items);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	json_t *next = json_null();
	if ((long)json_array_size(items) == limit) {
		json_t *last = json_array_get(items, json_array_size(items) - 1);
		char *c = xasprintf("%d|%s|%s", strcmp(col(last, "status"), "open") == 0 ? 0 : 1, col(last, "answer_due_on"),
		                    col(last, "id"));
		next = json_string(c);
		free(c);
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(next);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* A complaint as JSON (NULL on a database error, or when there is none: *failed_r says which). */
static json_t *complaint_json(db *conn, const char *id, const char *today, bool *failed_r)
{
	return api_select_one(conn, failed_r, COMPLAINT_SELECT " WHERE k.id = ?", "tt", today, id);
}

/* Commits and answers with the complaint and its ETag. */
static void answer_complaint(struct http_request *req, struct http_response *resp, const char *id, const char *today,
                             int status)
{
	bool failed = false;
	json_t *k = complaint_json(req->db, id, today, &failed);
	if (!k) {
		api_db_failed(req, resp, "reading a complaint");
		return;
	}
	api_commit_send(req, resp, status, k);
}

/* What the actions need of a stored complaint. */
struct complaint_row {
	char id[UUID_STR_LEN];
	char person_id[UUID_STR_LEN];
	char case_id[UUID_STR_LEN]; /* "" when none */
	char unit_id[UUID_STR_LEN];
	char status[16];
	char received_on[11];
	char answered_on[11];
	char about[24];
	int64_t version;
};

/*
 * Loads a complaint and checks the caller's reach through its unit (and its case's unit, when it has one):
 * false after answering (404, 428, 403, 500). s is filled for scope_audit.
 */
static bool complaint_load(struct http_request *req, struct http_response *resp, const char *id,
                           struct complaint_row *k, struct record_scope *s)
{
	memset(k, 0, sizeof *k);
	memset(s, 0, sizeof *s);
	bool failed = false;
	json_t *row = uuid_valid(id) ? api_select_one(req->db, &failed,
		"SELECT k.id, k.person_id, k.case_id, k.unit_id, k.status, k.received_on, k.answered_on, k.about, k.version,"
		" c.unit_id AS case_unit FROM complaint k LEFT JOIN case_file c ON c.id = k.case_id WHERE k.id = ?",
		"t", id) : NULL;
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a complaint");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "complaint");
		}
		return false;
	}
#define COPY(field) snprintf(k->field, sizeof k->field, "%s", col(row, #field) ? col(row, #field) : "")
	COPY(id);
	COPY(person_id);
	COPY(case_id);
	COPY(unit_id);
	COPY(status);
	COPY(received_on);
	COPY(answered_on);
	COPY(about);
#undef COPY
	k->version = json_integer_value(json_object_get(row, "version"));
	char case_unit[UUID_STR_LEN];
	snprintf(case_unit, sizeof case_unit, "%s", col(row, "case_unit") ? col(row, "case_unit") : "");
	json_decref(row);
	/* The complaint's unit and its case's unit, when that is another. */
	char units[2][UUID_STR_LEN];
	int n = 0;
	snprintf(units[n++], UUID_STR_LEN, "%s", k->unit_id);
	if (case_unit[0] && strcmp(case_unit, k->unit_id) != 0)
		snprintf(units[n++], UUID_STR_LEN, "%s", case_unit);
	if (!scope_units(req, resp, units, n, "complaint", id, s))
		return false;
	snprintf(s->unit_id, sizeof s->unit_id, "%s", k->unit_id);
	snprintf(s->person_id, sizeof s->person_id, "%s", k->person_id);
	return true;
}

/* Adds a complaint.* timeline event when the complaint has a case (codes only: no text of the complaint). */
static bool complaint_event(db *conn, const char *case_id, const char *complaint_id, const char *kind,
                            const char *actor, int64_t now, const char *about, const char *extra)
{
	if (!case_id || !*case_id)
		return true;
	struct buf detail = {0};
	buf_puts(&detail, "{\"complaint_id\":");
	buf_json_string(&detail, complaint_id);
	buf_puts(&detail, ",\"about\":");
	buf_json_string(&detail, about);
	if (extra) {
		buf_putc(&detail, ',');
		buf_puts(&detail, extra);
	}
	buf_putc(&detail, '}');
	const char *what = strchr(kind, '.') + 1;
	char *summary = xasprintf("Complaint %s (about: %s)", what, about);
	bool ok = case_event_add(conn, case_id, now, kind, actor, summary, detail.data, "complaint", complaint_id) ==
	          DB_OK;
	free(summary);
	buf_free(&detail);
	return ok;
}

void api_complaint_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct complaint_row k;
	struct record_scope s;
	char today[11];
	if (!api_begin(req, resp) || !complaint_load(req, resp, id, &k, &s) || !api_today_date(req, resp, NULL, today))
		return;
	if (!scope_audit(req, &s, AUDIT_CONSULT, "complaint", id, k.case_id[0] ? k.case_id : NULL)) {
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	answer_complaint(req, resp, id, today, 200);
}

/* The breach a complaint names must belong to the complaint's case, or to one of the person's cases. */
static bool breach_fits(struct http_request *req, struct http_response *resp, const char *breach_id,
                        const char *case_id, const char *person_id)
{
	if (!breach_id)
		return true;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT b.id FROM breach b JOIN case_file c ON c.id = b.case_id WHERE b.id = ?"
		" AND (CAST(? AS TEXT) IS NULL OR b.case_id = ?) AND c.person_id = ?",
		"tttt", breach_id, case_id, case_id, person_id);
	if (failed) {
		api_db_failed(req, resp, "reading a breach");
		return false;
	}
	if (!row) {
		api_field_problem(req, resp, "breach_id", "is not a breach allegation of this case or person");
		return false;
	}
	json_decref(row);
	return true;
}

void api_complaint_create(struct http_request *req, struct http_response *resp)
{
	char today[11];
	struct field_errors fe = {0};
	if (!api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	responses_body_validate("complaint", req->json, today, &fe);
	if (api_errors_answer(req, resp, &fe))
		return;
	const char *case_id = api_str(req, "case_id"), *breach_id = api_str(req, "breach_id");
	const char *received = api_str(req, "received_on");
	if (case_id && !*case_id)
		case_id = NULL;
	if (breach_id && !*breach_id)
		breach_id = NULL;
	struct record_scope s;
	char person[UUID_STR_LEN], unit[UUID_STR_LEN];
	if (case_id) {
		if (!scope_case(req, resp, case_id, &s) || !scope_may_change(req, resp, &s, "case", case_id))
			return;
		snprintf(person, sizeof person, "%s", s.person_id);
		snprintf(unit, sizeof unit, "%s", s.unit_id);
	} else {
		/* A person with a unit: the person reached without a stated purpose alone (writes never rest on one),
		   and the unit within the caller's own (or granted) units. */
		snprintf(unit, sizeof unit, "%s", api_str(req, "unit_id"));
		if (!scope_person(req, resp, api_str(req, "person_id"), &s) ||
		    !scope_may_change(req, resp, &s, "person", api_str(req, "person_id")))
			return;
		snprintf(person, sizeof person, "%s", s.person_id);
		struct unit_grant g = {0};
		enum unit_access a = scope_unit(req, unit, false, &g);
		if (a == UNIT_ACCESS_ERROR) {
			api_db_failed(req, resp, "deciding access");
			return;
		}
		if (a != UNIT_ACCESS_OWN && a != UNIT_ACCESS_GRANTED) {
			api_field_problem(req, resp, "unit_id", "must be one of your units");
			return;
		}
	}
	if (!breach_fits(req, resp, breach_id, case_id, person))
		return;
	char lang[3];
	const char *lang_in = api_str(req, "language");
	if (lang_in && *lang_in)
		snprintf(lang, sizeof lang, "%s", lang_in);
	long days = 0;
	if ((!(lang_in && *lang_in) && condition_person_language(req->db, person, lang) != DB_OK) ||
	    setting_number(req->db, "complaints.answer_days", &days) != DB_OK) {
		api_db_failed(req, resp, "reading the settings");
		return;
	}
	struct civil_date rd;
	char due[11];
	civil_date_parse(received, &rd);
	civil_date_format(civil_date_add_days(rd, (int)days), due);
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	const char *about = api_str(req, "about"), *channel = api_str(req, "channel");
	char extra[64];
	snprintf(extra, sizeof extra, "\"channel\":\"%s\"", channel);
	char *detail = xasprintf("complaint about %s received %s, answer due %s", about, received, due);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO complaint (id, person_id, case_id, unit_id, received_on, channel, about, breach_id,"
	                 " summary, language, answer_due_on, status, created_at, created_by, updated_at)"
	                 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)",
	                 "tttttttttttiti", id, person, case_id, unit, received, channel, about, breach_id,
	                 api_str(req, "summary"), lang, due, now, req->principal.account_id, now) == DB_OK &&
	          complaint_event(req->db, case_id, id, "complaint.received", req->principal.account_id, now, about,
	                          extra) &&
	          scope_audit(req, &s, AUDIT_COLLECT, "complaint", id, detail);
	free(detail);
	if (!ok) {
		api_db_failed(req, resp, "registering a complaint");
		return;
	}
	answer_complaint(req, resp, id, today, 201);
}

/* The 409 for a complaint that is no longer open. */
static void not_open(struct http_request *req, struct http_response *resp, const struct complaint_row *k,
                     const char *action)
{
	char *detail = strcmp(k->status, "answered") == 0
		? xasprintf("The complaint was already answered on %s; it cannot be %s.", k->answered_on, action)
		: xasprintf("The complaint was withdrawn on %s; it cannot be %s.", k->answered_on, action);
	api_conflict(req, resp, "complaint-state", "The complaint is not open", detail);
	free(detail);
}

static bool stale(struct http_request *req, struct http_response *resp, const struct complaint_row *k,
                  int64_t version)
{
	if (version == k->version)
		return false;
	db_rollback(req->db);
	http_problem(resp, req, 412, "precondition-failed", "The record has changed",
	             "Someone changed this complaint since you read it; read it again.", NULL);
	return true;
}

/* Records the answer to an open complaint, or its withdrawal (If-Match, open only): one path for both. */
static void complaint_close(struct http_request *req, struct http_response *resp, bool answer)
{
	const char *id = http_request_param(req, "id");
	const char *status = answer ? "answered" : "withdrawn";
	int64_t version = 0;
	char today[11];
	struct field_errors fe = {0};
	struct complaint_row k;
	struct record_scope s;
	if (!api_if_match(req, resp, &version) || !api_begin(req, resp) || !api_today_date(req, resp, NULL, today))
		return;
	responses_body_validate(answer ? "complaint_answer" : "complaint_withdrawal", req->json, today, &fe);
	if (api_errors_answer(req, resp, &fe) || !complaint_load(req, resp, id, &k, &s) ||
	    !scope_may_change(req, resp, &s, "complaint", id) || stale(req, resp, &k, version))
		return;
	if (strcmp(k.status, "open") != 0) {
		not_open(req, resp, &k, status);
		return;
	}
	/* An answer carries its own date; a withdrawal is recorded today. */
	const char *on = answer ? api_str(req, "answered_on") : today;
	if (strcmp(on, k.received_on) < 0) {
		api_field_problem(req, resp, "answered_on", "must not be before the complaint was received");
		return;
	}
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 answer ? "UPDATE complaint SET status = 'answered', answer = ?, answered_on = ?, answered_by = ?,"
	                          " updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = 'open'"
	                        : "UPDATE complaint SET status = 'withdrawn', withdraw_reason = ?, answered_on = ?,"
	                          " answered_by = ?, updated_at = ?, version = version + 1"
	                          " WHERE id = ? AND version = ? AND status = 'open'",
	                 "tttiti", api_str(req, answer ? "answer" : "reason"), on, req->principal.account_id, now, id,
	                 version) == DB_OK;
	if (ok && changed != 1) {
		api_conflict(req, resp, "complaint-state", "The complaint is not open", "The complaint changed meanwhile.");
		return;
	}
	char kind[32], extra[40];
	snprintf(kind, sizeof kind, "complaint.%s", status);
	snprintf(extra, sizeof extra, "\"answered_on\":\"%s\"", on);
	ok = ok && complaint_event(req->db, k.case_id, id, kind, req->principal.account_id, now, k.about,
	                           answer ? extra : NULL) &&
	     scope_audit(req, &s, AUDIT_ALTER, "complaint", id, status);
	if (!ok) {
		api_db_failed(req, resp, answer ? "answering a complaint" : "withdrawing a complaint");
		return;
	}
	answer_complaint(req, resp, id, today, 200);
}

void api_complaint_answer(struct http_request *req, struct http_response *resp)
{
	complaint_close(req, resp, true);
}

void api_complaint_withdraw(struct http_request *req, struct http_response *resp)
{
	complaint_close(req, resp, false);
}
