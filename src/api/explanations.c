/*
 * explanations.c — S4: the conditions are explained to the person orally and
 * in writing in a language they understand. The officer records when, in
 * which language, with which interpreter, which conditions, and whether the
 * person acknowledged them (and why not). The written part is the printable
 * conditions sheet: the person's name, the case, each condition in force with
 * its legal basis and review date, the statement of explanation and the
 * signature lines, all in one language. Its fixed wording is data
 * (data/conditions-sheet.json, compiled in).
 */
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/catalogue.h"
#include "domain/conditions.h"
#include "domain/keydates.h"
#include "domain/document.h"

/* The sheet's wording (build: scripts/embed-text.py). */
extern const char conditions_sheet_json[];
extern const size_t conditions_sheet_json_len;

static const char *const languages[] = {"ky", "ru", "en", NULL};

#define MAX_CONDITION_IDS 100

/* ---- the explanation --------------------------------------------------------------- */

static const struct field_rule explanation_rules[] = {
	{"explained_on", FIELD_DATE, true, 0, 0, NULL},
	{"language", FIELD_ENUM, true, 0, 0, languages},
	{"interpreter", FIELD_STRING, false, 1, 200, NULL},
	{"acknowledged", FIELD_BOOL, true, 0, 0, NULL},
	{"remarks", FIELD_STRING, false, 1, 2000, NULL},
	{"condition_ids", FIELD_ARRAY, false, 1, MAX_CONDITION_IDS, NULL},
};

/* A change needs the case within the caller's units or a live grant; a stated purpose allows reading only. */
/* The body's checks that need no database; today: YYYY-MM-DD. */
static bool explanation_validate(const json_t *b, const char *today, struct field_errors *fe)
{
	validate_object(b, explanation_rules, NRULES(explanation_rules), fe);
	if (!json_is_object(b))
		return false;
	const char *on = json_str(b, "explained_on");
	struct civil_date valid;
	if (on && civil_date_parse(on, &valid) && strcmp(on, today) > 0)
		field_error(fe, "explained_on", "must not be in the future");
	if (json_is_false(json_object_get(b, "acknowledged")) && !json_str(b, "remarks"))
		field_error(fe, "remarks", "is required when the person did not acknowledge the conditions");
	const json_t *ids = json_object_get(b, "condition_ids");
	if (!json_is_array(ids) || json_array_size(ids) > MAX_CONDITION_IDS)
		return fe->list == NULL;
	size_t i, j;
	const json_t *v;
	json_array_foreach(ids, i, v) {
		char name[48];
		snprintf(name, sizeof name, "condition_ids[%zu]", i);
		if (!json_is_string(v) || !uuid_valid(json_string_value(v))) {
			field_error(fe, name, "must be a condition id");
			continue;
		}
		for (j = 0; j < i; j++)
			if (json_equal(v, json_array_get(ids, j))) {
				field_error(fe, name, "is given twice");
				break;
			}
	}
	return fe->list == NULL;
}

/* An explanation as the API shows it; NULL on a database error. */
static json_t *explanation_json(db *conn, const char *id)
{
	bool failed = false;
	json_t *e = api_select_one(conn, &failed,
		"SELECT e.id, e.explained_on, e.language, e.explained_by, a.display_name AS explained_by_name,"
		" e.interpreter, e.acknowledged AS is_acknowledged, e.remarks, e.condition_ids, e.created_at"
		" FROM condition_explanation e JOIN account a ON a.id = e.explained_by WHERE e.id = ?", "t", id);
	if (!e)
		return NULL;
	json_t *ids = json_loads(json_string_value(json_object_get(e, "condition_ids")), 0, NULL);
	json_object_set_new(e, "condition_ids", ids ? ids : json_array());
	return e;
}

void api_explanation_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	char today[11];
	if (!api_begin(req, resp))
		return;
	if (!api_today(req->db, today)) {
		api_db_failed(req, resp, "reading today's date");
		return;
	}
	struct field_errors fe = {0};
	if (!explanation_validate(req->json, today, &fe)) {
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (!scope_case(req, resp, id, &s) || !scope_may_change(req, resp, &s, "case", id))
		return;
	json_t *active = api_select(req->db,
		"SELECT id FROM case_condition WHERE case_id = ? AND status = 'active'"
		" ORDER BY effective_from, created_at, id", "t", id);
	if (!active) {
		api_db_failed(req, resp, "reading the conditions");
		return;
	}
	/* The conditions explained: those named, each an active condition of this case; or all active ones. */
	json_t *ids = json_array();
	const json_t *given = json_object_get(req->json, "condition_ids");
	size_t i, j;
	json_t *v, *row;
	if (given && !json_is_null(given)) {
		json_array_foreach(given, i, v) {
			bool found = false;
			json_array_foreach(active, j, row)
				found = found || json_equal(v, json_object_get(row, "id"));
			if (!found) {
				char name[48];
				snprintf(name, sizeof name, "condition_ids[%zu]", i);
				field_error(&fe, name, "is not a condition in force on this case");
			}
			json_array_append(ids, v);
		}
	} else {
		json_array_foreach(active, j, row)
			json_array_append(ids, json_object_get(row, "id"));
		if (json_array_size(ids) == 0)
			field_error(&fe, "condition_ids", "the case has no condition in force to explain");
	}
	json_decref(active);
	if (fe.list) {
		json_decref(ids);
		db_rollback(req->db);
		field_errors_respond(&fe, resp, req);
		return;
	}
	char explanation[UUID_STR_LEN];
	uuid_v7(explanation);
	int64_t now = clock_now_ms();
	const char *language = api_str(req, "language");
	bool acknowledged = json_is_true(json_object_get(req->json, "acknowledged"));
	const char *interpreter = json_str(req->json, "interpreter");
	char *ids_s = json_dumps(ids, JSON_COMPACT);
	json_t *detail = json_pack("{s:s, s:s, s:b, s:b, s:I}", "explained_on", api_str(req, "explained_on"),
	                           "language", language, "acknowledged", acknowledged, "interpreter",
	                           interpreter != NULL, "conditions", (json_int_t)json_array_size(ids));
	char *detail_s = json_dumps(detail, JSON_COMPACT);
	char *summary = xasprintf("%zu condition(s) explained in %s%s", json_array_size(ids), language,
	                          acknowledged ? ", acknowledged" : ", not acknowledged");
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO condition_explanation (id, case_id, explained_on, language, explained_by, interpreter,"
	                 " acknowledged, remarks, condition_ids, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	                 "ttttttitti", explanation, id, api_str(req, "explained_on"), language, req->principal.account_id,
	                 interpreter, (int64_t)acknowledged, json_str(req->json, "remarks"), ids_s, now) == DB_OK &&
	          case_event_add(req->db, id, now, "conditions.explained", req->principal.account_id, summary, detail_s,
	                         "condition_explanation", explanation) == DB_OK &&
	          scope_audit(req, &s, AUDIT_COLLECT, "condition_explanation", explanation, id);
	free(summary);
	free(detail_s);
	free(ids_s);
	json_decref(detail);
	json_decref(ids);
	json_t *out = ok ? explanation_json(req->db, explanation) : NULL;
	if (!out) {
		api_db_failed(req, resp, "recording an explanation");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 201, out);
}

/* ---- the printable sheet ----------------------------------------------------------- */

/* Every label the sheet prints; the data file must give each in ky, ru and en. */
static const char *const sheet_keys[] = {
	"title", "person", "full_name", "latin_name", "birth_date", "case_number", "conditions", "intro", "number",
	"condition", "legal_basis", "review_on", "effective_from", "decision_number", "special_condition", "none",
	"review_note", "explanation", "statement", "place", "date", "signature_person", "signature_officer",
	"officer_name", "signature_interpreter", "interpreter_name", "refused", "generated", NULL};

static struct wording sheet =
	WORDING("data/conditions-sheet.json", conditions_sheet_json, conditions_sheet_json_len, sheet_keys);

/* The sheet's wording, or NULL when the compiled file is unusable (logged). */
static const json_t *sheet_wording(void)
{
	return wording_document(&sheet);
}

static const char *label(const char *key, const char *lang)
{
	return wording_label(&sheet, key, lang);
}

static void put_label(struct buf *b, const char *key, const char *lang)
{
	html_escape(b, label(key, lang));
}

static void put_date(struct buf *b, const char *lang, const char *iso)
{
	char text[48];
	html_escape(b, html_human_date(iso, lang, "—", text));
}

/* The non-empty name parts joined by spaces into b (nothing when all are empty). */
static void join_name(struct buf *b, const json_t *row, const char *const parts[3])
{
	for (size_t i = 0; i < 3; i++) {
		const char *s = json_string_value(json_object_get(row, parts[i]));
		if (s && *s) {
			if (b->len)
				buf_putc(b, ' ');
			buf_puts(b, s);
		}
	}
}

static void row_open(struct buf *b, const char *key, const char *lang)
{
	buf_puts(b, "<tr><th>");
	put_label(b, key, lang);
	buf_puts(b, "</th><td>");
}

/* A condition's text in lang: the catalogue template rendered with its values, or the free text. */
static char *condition_text(const json_t *c, const char *lang)
{
	const char *free_text = json_string_value(json_object_get(c, "free_text"));
	if (free_text)
		return strdup(free_text);
	char key[16];
	snprintf(key, sizeof key, "template_%s", lang);
	const char *template_text = json_string_value(json_object_get(c, key));
	if (!template_text)
		return strdup("");
	json_t *spec = json_loads(json_string_value(json_object_get(c, "spec")), 0, NULL);
	json_t *values = json_loads(json_string_value(json_object_get(c, "params")), 0, NULL);
	if (!spec)
		spec = json_array();
	if (!values)
		values = json_object();
	char *text = catalogue_render(template_text, spec, values, lang);
	json_decref(spec);
	json_decref(values);
	return text;
}

/*
 * The corners of each zone a condition names, so the person can tell where it runs (a name alone is not
 * precise, S2): "Boundary of the area “Central market” (latitude, longitude): 42.87000, 74.59000; ...".
 */
static void put_zones(struct buf *b, const json_t *c, const char *lang)
{
	json_t *spec = json_loads(json_string_value(json_object_get(c, "spec")), 0, NULL);
	json_t *values = json_loads(json_string_value(json_object_get(c, "params")), 0, NULL);
	size_t i;
	const json_t *p;
	json_array_foreach(spec, i, p) {
		const char *type = json_string_value(json_object_get(p, "type"));
		const char *name = json_string_value(json_object_get(p, "name"));
		const json_t *zone = name ? json_object_get(values, name) : NULL;
		const json_t *ring = json_array_get(json_object_get(json_object_get(zone, "geometry"), "coordinates"), 0);
		if (!type || strcmp(type, "zone") != 0 || !json_is_array(ring))
			continue;
		const char *zone_name = json_string_value(json_object_get(zone, "name"));
		buf_puts(b, "<p class=\"label\">");
		const char *l = label("zone_points", lang);
		const char *at = strstr(l, "{name}");
		if (at) {
			struct buf head = {0};
			buf_append(&head, l, (size_t)(at - l));
			html_escape(b, head.data ? head.data : "");
			buf_free(&head);
			html_escape(b, zone_name ? zone_name : "");
			html_escape(b, at + 6);
		} else {
			html_escape(b, l);
		}
		buf_puts(b, ": ");
		size_t n = json_array_size(ring), k;
		const json_t *point;
		json_array_foreach(ring, k, point) {
			if (k + 1 == n && n > 1)
				break; /* the ring closes on its first point */
			buf_printf(b, "%s%.5f, %.5f", k ? "; " : "", json_number_value(json_array_get(point, 1)),
			           json_number_value(json_array_get(point, 0)));
		}
		buf_puts(b, "</p>");
	}
	json_decref(spec);
	json_decref(values);
}

/* An empty row to write in by hand; a signature gets room for one (the shared style has no class for it). */
static void signature_line(struct buf *b, const char *key, const char *lang, bool tall)
{
	buf_puts(b, "<tr><th>");
	put_label(b, key, lang);
	buf_puts(b, tall ? "</th><td>&nbsp;<br>&nbsp;<br>&nbsp;</td></tr>\n" : "</th><td>&nbsp;</td></tr>\n");
}

static void render_sheet(struct buf *b, db *conn, const json_t *k, const json_t *conditions, const char *lang)
{
	html_document_begin(b, lang, label("title", lang));
	buf_puts(b, "<h1>");
	put_label(b, "title", lang);
	buf_puts(b, "</h1>\n<h2>");
	put_label(b, "person", lang);
	buf_puts(b, "</h2>\n<table>\n");
	static const char *const cyrillic[3] = {"surname", "given_name", "patronymic"};
	static const char *const latin[3] = {"surname_latin", "given_name_latin", "patronymic_latin"};
	struct buf name = {0};
	join_name(&name, k, cyrillic);
	row_open(b, "full_name", lang);
	html_escape(b, name.data);
	buf_puts(b, "</td></tr>\n");
	buf_free(&name);
	join_name(&name, k, latin);
	if (name.len) {
		row_open(b, "latin_name", lang);
		html_escape(b, name.data);
		buf_puts(b, "</td></tr>\n");
	}
	buf_free(&name);
	row_open(b, "birth_date", lang);
	put_date(b, lang, json_string_value(json_object_get(k, "birth_date")));
	buf_puts(b, "</td></tr>\n");
	row_open(b, "case_number", lang);
	html_escape(b, json_string_value(json_object_get(k, "number")));
	buf_puts(b, "</td></tr>\n</table>\n<h2>");
	put_label(b, "conditions", lang);
	buf_puts(b, "</h2>\n");
	if (json_array_size(conditions) == 0) {
		buf_puts(b, "<p class=\"notice\">");
		put_label(b, "none", lang);
		buf_puts(b, "</p>\n");
	} else {
		buf_puts(b, "<p>");
		put_label(b, "intro", lang);
		buf_puts(b, "</p>\n<table class=\"list\">\n<thead><tr><th>");
		put_label(b, "number", lang);
		buf_puts(b, "</th><th>");
		put_label(b, "condition", lang);
		buf_puts(b, "</th><th>");
		put_label(b, "legal_basis", lang);
		buf_puts(b, "</th><th>");
		put_label(b, "review_on", lang);
		buf_puts(b, "</th></tr></thead>\n<tbody>\n");
		size_t i;
		const json_t *c;
		json_array_foreach(conditions, i, c) {
			char key[16];
			snprintf(key, sizeof key, "title_%s", lang);
			const char *title = json_string_value(json_object_get(c, key));
			char *text = condition_text(c, lang);
			buf_printf(b, "<tr><td>%zu</td><td><strong>", i + 1);
			if (title)
				html_escape(b, title);
			else
				put_label(b, "special_condition", lang);
			buf_puts(b, "</strong><div class=\"text\">");
			html_escape(b, text);
			free(text);
			buf_puts(b, "</div>");
			put_zones(b, c, lang);
			buf_puts(b, "<p class=\"label\">");
			put_label(b, "effective_from", lang);
			buf_puts(b, ": ");
			put_date(b, lang, json_string_value(json_object_get(c, "effective_from")));
			buf_puts(b, "</p></td><td>");
			html_escape(b, json_string_value(json_object_get(c, "authority")));
			const char *number = json_string_value(json_object_get(c, "decision_number"));
			if (number && *number) {
				buf_puts(b, ", ");
				put_label(b, "decision_number", lang);
				buf_puts(b, " ");
				html_escape(b, number);
			}
			buf_puts(b, ", ");
			put_date(b, lang, json_string_value(json_object_get(c, "decided_on")));
			buf_puts(b, "</td><td>");
			put_date(b, lang, json_string_value(json_object_get(c, "review_on")));
			buf_puts(b, "</td></tr>\n");
		}
		buf_puts(b, "</tbody>\n</table>\n<p class=\"label\">");
		put_label(b, "review_note", lang);
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "<h2>");
	put_label(b, "explanation", lang);
	buf_puts(b, "</h2>\n<p class=\"notice\">");
	put_label(b, "statement", lang);
	buf_puts(b, "</p>\n<table>\n");
	signature_line(b, "place", lang, false);
	signature_line(b, "date", lang, false);
	signature_line(b, "signature_person", lang, true);
	row_open(b, "officer_name", lang);
	html_escape(b, json_string_value(json_object_get(k, "officer_name")));
	buf_puts(b, "&nbsp;</td></tr>\n");
	signature_line(b, "signature_officer", lang, true);
	signature_line(b, "interpreter_name", lang, false);
	signature_line(b, "signature_interpreter", lang, true);
	buf_puts(b, "</table>\n<p>");
	put_label(b, "refused", lang);
	buf_puts(b, "</p>\n<p>______________________________________________________________</p>\n<footer>\n"
	            "<p class=\"muted\">");
	put_label(b, "generated", lang);
	buf_puts(b, ": ");
	char iso[11];
	put_date(b, lang, api_local_date(conn, clock_now_ms(), iso) ? iso : NULL);
	buf_printf(b, " · Kadam · %s@%lld</p>\n</footer>\n", json_string_value(json_object_get(sheet_wording(), "id")),
	           (long long)json_integer_value(json_object_get(sheet_wording(), "version")));
	html_document_end(b);
}


void api_conditions_sheet(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *query_lang = NULL;
	if (!api_lang_query(req, resp, &query_lang))
		return;
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, id, &s))
		return;
	bool failed = false;
	json_t *k = api_select_one(req->db, &failed,
		"SELECT c.number, p.surname, p.given_name, p.patronymic, p.surname_latin, p.given_name_latin,"
		" p.patronymic_latin, p.birth_date, p.languages, a.display_name AS officer_name FROM case_file c"
		" JOIN person p ON p.id = c.person_id LEFT JOIN account a ON a.id = c.officer_id WHERE c.id = ?", "t", id);
	json_t *conditions = k ? api_select(req->db,
		"SELECT k.id, k.free_text, k.params, k.review_on, k.effective_from, d.authority,"
		" d.number AS decision_number, d.decided_on, t.title_ky, t.title_ru, t.title_en, t.template_ky,"
		" t.template_ru, t.template_en, t.params AS spec FROM case_condition k JOIN decision d ON d.id = k.decision_id"
		" LEFT JOIN condition_type t ON t.version = k.catalogue_version AND t.code = k.code"
		" WHERE k.case_id = ? AND k.status = 'active' ORDER BY k.effective_from, k.created_at, k.id", "t", id)
	                       : NULL;
	char lang[3];
	if (query_lang)
		snprintf(lang, sizeof lang, "%s", query_lang);
	bool ok = k && conditions && sheet_wording() &&
	          (query_lang || condition_person_language(req->db, s.person_id, lang) == DB_OK);
	char detail[64];
	snprintf(detail, sizeof detail, "conditions sheet lang=%s", ok ? lang : "-");
	if (!ok) {
		json_decref(k);
		json_decref(conditions);
		api_db_failed(req, resp, "printing the conditions sheet");
		return;
	}
	struct buf doc = {0};
	render_sheet(&doc, req->db, k, conditions, lang);
	json_decref(k);
	json_decref(conditions);
	scope_send_document(req, resp, &s, "case_conditions", id, detail, &doc);
}
