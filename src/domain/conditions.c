/* conditions.c — conditions imposed on a case; see conditions.h. */
#include "domain/conditions.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/validate.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "domain/pretrial.h"
#include "http/http.h"

const char *const condition_languages[] = {"ky", "ru", "en", NULL};

int condition_language_index(const char *lang)
{
	for (int i = 0; lang && condition_languages[i]; i++)
		if (strcmp(condition_languages[i], lang) == 0)
			return i;
	return -1;
}

/* A JSON string, or null. */
static void put_json(struct buf *b, const char *s)
{
	if (s)
		buf_json_string(b, s);
	else
		buf_puts(b, "null");
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* ---- S1 ------------------------------------------------------------------------------ */

enum db_status condition_authorised(db *conn, const char *case_id, const char *decision_id, const char *duty,
                                    char *reason, size_t len, const char **field_r)
{
	const char *field_scratch;
	if (!field_r)
		field_r = &field_scratch;
	*field_r = NULL;
	if (len)
		reason[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT case_id, authority, number, decided_on, duties, status FROM decision WHERE id = ?", "t",
		decision_id && uuid_valid(decision_id) ? decision_id : "");
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc != DB_ROW && rc != DB_DONE) {
		db_finalize(&st);
		return rc;
	}
	if (rc == DB_DONE || strcmp(db_column_text(st, 0, NULL), case_id) != 0) {
		db_finalize(&st);
		*field_r = "decision_id";
		snprintf(reason, len, "The decision is not one of this case's decisions");
		return DB_CONSTRAINT;
	}
	char which[320];
	const char *number = db_column_text(st, 2, NULL);
	if (number && *number)
		snprintf(which, sizeof which, "The decision of %s No %s of %s", db_column_text(st, 1, NULL), number,
		         db_column_text(st, 3, NULL));
	else
		snprintf(which, sizeof which, "The decision of %s of %s", db_column_text(st, 1, NULL),
		         db_column_text(st, 3, NULL));
	const char *status = db_column_text(st, 5, NULL);
	if (strcmp(status, "in_force") != 0) {
		*field_r = "decision_id";
		snprintf(reason, len, "%s is not in force (%s)", which, status);
		db_finalize(&st);
		return DB_CONSTRAINT;
	}
	bool listed = false;
	const char *duties = db_column_text(st, 4, NULL);
	size_t n = duty ? strlen(duty) : 0;
	for (const char *p = duties; p && *p && n;) {
		const char *end = strchr(p, ',');
		size_t l = end ? (size_t)(end - p) : strlen(p);
		if (l == n && strncmp(p, duty, n) == 0)
			listed = true;
		p = end ? end + 1 : p + l;
	}
	if (!listed) {
		*field_r = "duty";
		snprintf(reason, len, "%s does not authorise the duty '%s'", which, duty ? duty : "");
		db_finalize(&st);
		return DB_CONSTRAINT;
	}
	db_finalize(&st);
	return DB_OK;
}

/* ---- catalogue types and rendering ---------------------------------------------------- */

enum db_status condition_type_load(db *conn, int64_t version, const char *code, struct condition_type *t)
{
	memset(t, 0, sizeof *t);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT t.version, t.code, t.category, t.duty, t.is_standard, t.is_em, t.title_ky, t.title_ru, t.title_en,"
		" t.template_ky, t.template_ru, t.template_en, t.params"
		" FROM condition_type t JOIN condition_catalogue c ON c.version = t.version"
		" WHERE t.code = ? AND (t.version = ? OR (? = 0 AND c.is_current = 1))",
		"tii", code ? code : "", version, version);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		t->version = db_column_int64(st, 0);
		copy(t->code, sizeof t->code, db_column_text(st, 1, NULL));
		copy(t->category, sizeof t->category, db_column_text(st, 2, NULL));
		copy(t->duty, sizeof t->duty, db_column_text(st, 3, NULL));
		t->standard = db_column_int64(st, 4) != 0;
		t->em = db_column_int64(st, 5) != 0;
		for (int i = 0; i < 3; i++) {
			t->title[i] = xstrdup(db_column_text(st, 6 + i, NULL));
			t->template_text[i] = xstrdup(db_column_text(st, 9 + i, NULL));
		}
		t->params = json_loads(db_column_text(st, 12, NULL), 0, NULL);
		if (!json_is_array(t->params)) {
			json_decref(t->params);
			t->params = json_array();
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

void condition_type_free(struct condition_type *t)
{
	for (int i = 0; i < 3; i++) {
		free(t->title[i]);
		free(t->template_text[i]);
		t->title[i] = t->template_text[i] = NULL;
	}
	json_decref(t->params);
	t->params = NULL;
}

char *condition_render(const struct condition_type *t, const char *free_text, const json_t *params, const char *lang)
{
	int i = condition_language_index(lang);
	if (!t || !t->template_text[0] || i < 0)
		return xstrdup(free_text ? free_text : "");
	json_t *empty = NULL;
	if (!params)
		params = empty = json_object();
	char *text = catalogue_render(t->template_text[i], t->params, params, condition_languages[i]);
	json_decref(empty);
	return text ? text : xstrdup(t->template_text[i]);
}

json_t *condition_texts(const struct condition_type *t, const char *free_text, const json_t *params)
{
	json_t *o = json_object();
	for (int i = 0; condition_languages[i]; i++) {
		char *s = condition_render(t, free_text, params, condition_languages[i]);
		json_object_set_new(o, condition_languages[i], json_string(s));
		free(s);
	}
	return o;
}

/* ---- input --------------------------------------------------------------------------- */

static const char *const answers_choices[] = {"risk", "need", NULL};

static const struct field_rule input_rules[] = {
	{"decision_id", FIELD_UUID, true, 0, 0, NULL},
	{"code", FIELD_STRING, false, 1, 60, NULL},
	{"free_text", FIELD_STRING, false, CONDITION_FREE_TEXT_MIN, CONDITION_FREE_TEXT_MAX, NULL},
	{"duty", FIELD_STRING, false, 1, 40, NULL},
	{"params", FIELD_OBJECT, false, 0, 0, NULL},
	{"answers", FIELD_ENUM, true, 0, 0, answers_choices},
	{"answers_detail", FIELD_STRING, true, 1, 500, NULL},
	{"review_on", FIELD_DATE, true, 0, 0, NULL},
	{"effective_from", FIELD_DATE, false, 0, 0, NULL},
};

static const char *named(char *out, size_t size, const char *prefix, const char *field)
{
	if (prefix)
		snprintf(out, size, "%s.%s", prefix, field);
	else
		snprintf(out, size, "%s", field);
	return out;
}

/* True when a member is present and not null. */
static bool given(const json_t *in, const char *name)
{
	const json_t *v = json_object_get(in, name);
	return v && !json_is_null(v);
}

bool condition_input_validate(const json_t *in, const char *prefix, bool decision_required,
                              struct field_errors *fe)
{
	struct field_rule rules[NRULES(input_rules)];
	memcpy(rules, input_rules, sizeof rules);
	rules[0].required = decision_required;
	size_t before = fe->list ? json_array_size(fe->list) : 0;
	if (!validate_object_at(in, prefix, rules, NRULES(rules), fe) && !json_is_object(in))
		return false;
	char name[128];
	bool code = given(in, "code"), text = given(in, "free_text");
	if (code && text)
		field_error(fe, named(name, sizeof name, prefix, "free_text"),
		            "give either a catalogue code or a free text, not both");
	else if (!code && !text)
		field_error(fe, named(name, sizeof name, prefix, "code"),
		            "is required (or, exceptionally, free_text with its duty)");
	if (text && !given(in, "duty"))
		field_error(fe, named(name, sizeof name, prefix, "duty"), "is required with a free text");
	const json_t *params = json_object_get(in, "params");
	if (text && json_is_object(params) && json_object_size(params) > 0)
		field_error(fe, named(name, sizeof name, prefix, "params"),
		            "must be empty for a condition written freely");
	if (json_is_object(params) && json_object_size(params) > CATALOGUE_MAX_PARAMS)
		field_error(fe, named(name, sizeof name, prefix, "params"), "must have at most %d members",
		            CATALOGUE_MAX_PARAMS);
	const char *from = json_string_value(json_object_get(in, "effective_from"));
	const char *review = json_string_value(json_object_get(in, "review_on"));
	struct civil_date a, b;
	if (from && review && civil_date_parse(from, &a) && civil_date_parse(review, &b) &&
	    civil_date_compare(b, a) <= 0)
		field_error(fe, named(name, sizeof name, prefix, "review_on"), "must be after effective_from");
	return (fe->list ? json_array_size(fe->list) : 0) == before;
}

static void problem(struct catalogue_error *err, const char *prefix, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void problem(struct catalogue_error *err, const char *prefix, const char *field, const char *fmt, ...)
{
	named(err->field, sizeof err->field, prefix, field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->problem, sizeof err->problem, fmt, ap);
	va_end(ap);
}

/* The decision's end of supervision, "" when it has none. */
static enum db_status supervision_end(db *conn, const char *decision_id, char out[11])
{
	out[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT date FROM key_date WHERE decision_id = ? AND kind = 'supervision_end' AND date IS NOT NULL", "t",
		decision_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		copy(out, 11, db_column_text(st, 0, NULL));
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc;
}

enum db_status condition_input_resolve(db *conn, const json_t *in, const char *prefix,
                                       const char *default_decision_id, const char *today,
                                       struct condition_fields *f, struct condition_type *t,
                                       struct catalogue_error *err)
{
	memset(f, 0, sizeof *f);
	memset(t, 0, sizeof *t);
	memset(err, 0, sizeof *err);
	f->decision_id = json_str(in, "decision_id");
	if (!f->decision_id)
		f->decision_id = default_decision_id;
	f->code = json_str(in, "code");
	f->free_text = json_str(in, "free_text");
	f->duty = json_str(in, "duty");
	f->params = json_object_get(in, "params");
	f->answers = json_str(in, "answers");
	f->answers_detail = json_str(in, "answers_detail");
	f->review_on = json_str(in, "review_on");
	f->effective_from = json_str(in, "effective_from");
	if (!f->effective_from)
		f->effective_from = today;
	if (!f->decision_id) {
		problem(err, prefix, "decision_id", "is required");
		return DB_OK;
	}
	if (f->review_on && strcmp(f->review_on, f->effective_from) <= 0) {
		problem(err, prefix, "review_on", "must be after effective_from (%s)", f->effective_from);
		return DB_OK;
	}
	enum db_status rc;
	if (f->code) {
		rc = condition_type_load(conn, 0, f->code, t);
		if (rc == DB_DONE) {
			problem(err, prefix, "code", "is not a condition of the current catalogue");
			return DB_OK;
		}
		if (rc != DB_OK)
			return rc;
		if (f->duty && strcmp(f->duty, t->duty) != 0) {
			problem(err, prefix, "duty", "must be '%s', the duty of condition '%s'", t->duty, t->code);
			return DB_OK;
		}
		f->duty = t->duty;
		f->catalogue_version = t->version;
		json_t *empty = json_object();
		struct catalogue_error pe = {0};
		if (!catalogue_params_check(t->params, f->params ? f->params : empty, &pe)) {
			const char *field = pe.field[0] ? pe.field : "params";
			problem(err, prefix, field, "%s", pe.problem[0] ? pe.problem : "is not valid for this condition");
		}
		json_decref(empty);
		if (err->field[0])
			return DB_OK;
	} else {
		db_stmt *st = NULL;
		rc = db_query(conn, &st, "SELECT 1 FROM ref_duty WHERE code = ?", "t", f->duty ? f->duty : "");
		if (rc == DB_OK)
			rc = db_step(st);
		db_finalize(&st);
		if (rc == DB_DONE) {
			problem(err, prefix, "duty", "is not a known duty");
			return DB_OK;
		}
		if (rc != DB_ROW)
			return rc;
	}
	char end[11];
	rc = supervision_end(conn, uuid_valid(f->decision_id) ? f->decision_id : "", end);
	if (rc != DB_OK)
		return rc;
	if (end[0] && f->review_on && strcmp(f->review_on, end) > 0)
		problem(err, prefix, "review_on", "must be on or before the end of supervision (%s)", end);
	return DB_OK;
}

/* ---- changes ------------------------------------------------------------------------- */

enum db_status condition_insert(db *conn, const struct condition_fields *f, const char *actor_id, int64_t now,
                                char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	json_t *empty = json_object();
	char *params = json_dumps(f->params && json_is_object(f->params) ? f->params : empty,
	                          JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(empty);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO case_condition (id, case_id, decision_id, variation_id, catalogue_version, code, duty,"
		" free_text, params, answers, answers_detail, review_on, effective_from, status, replaces_id, created_at,"
		" created_by, updated_at) VALUES (?, ?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
		"ttttitttttttttiti", id_r, f->case_id, f->decision_id, f->variation_id,
		f->code ? f->catalogue_version : 0, f->code, f->duty, f->free_text, params ? params : "{}", f->answers,
		f->answers_detail, f->review_on, f->effective_from, f->replaces_id, now, actor_id, now);
	free(params);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_puts(&detail, "{\"code\":");
	put_json(&detail, f->code);
	buf_puts(&detail, ",\"duty\":");
	put_json(&detail, f->duty);
	buf_puts(&detail, ",\"decision_id\":");
	put_json(&detail, f->decision_id);
	buf_puts(&detail, ",\"answers\":");
	put_json(&detail, f->answers);
	buf_puts(&detail, ",\"review_on\":");
	put_json(&detail, f->review_on);
	buf_puts(&detail, ",\"variation_id\":");
	put_json(&detail, f->variation_id);
	buf_puts(&detail, ",\"replaces_id\":");
	put_json(&detail, f->replaces_id);
	buf_puts(&detail, "}");
	char *summary = f->code ? xasprintf("Condition imposed (%s)", f->code)
	                        : xasprintf("Condition imposed (written freely, duty %s)", f->duty);
	rc = case_event_add(conn, f->case_id, now, "condition.imposed", actor_id, summary, detail.data, "condition",
	                    id_r);
	free(summary);
	buf_free(&detail);
	return rc;
}

enum db_status condition_end(db *conn, const char *id, const char *effective_to, const char *end_reason,
                             const char *actor_id, int64_t now)
{
	char case_id[UUID_STR_LEN] = "", code[64] = "";
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT case_id, COALESCE(code, duty) FROM case_condition WHERE id = ? AND status = 'active'", "t", id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		copy(case_id, sizeof case_id, db_column_text(st, 0, NULL));
		copy(code, sizeof code, db_column_text(st, 1, NULL));
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_CONSTRAINT; /* not active */
	}
	db_finalize(&st);
	if (rc != DB_OK)
		return rc;
	rc = db_run(conn, NULL,
		"UPDATE case_condition SET status = 'ended', effective_to = ?, end_reason = ?, updated_at = ?,"
		" version = version + 1 WHERE id = ?",
		"ttit", effective_to, end_reason, now, id);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_puts(&detail, "{\"code\":");
	put_json(&detail, code);
	buf_puts(&detail, ",\"end_reason\":");
	put_json(&detail, end_reason);
	buf_puts(&detail, ",\"effective_to\":");
	put_json(&detail, effective_to);
	buf_puts(&detail, "}");
	char *summary = xasprintf("Condition ended (%s, %s)", code, end_reason);
	rc = case_event_add(conn, case_id, now, "condition.ended", actor_id, summary, detail.data, "condition", id);
	free(summary);
	buf_free(&detail);
	return rc;
}

enum db_status condition_active_count(db *conn, const char *case_id, int64_t *count_r)
{
	*count_r = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT COUNT(*) FROM case_condition WHERE case_id = ? AND status = 'active'", "t", case_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*count_r = db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_ERROR : rc;
}

enum db_status condition_warn_above(db *conn, long *warn_above_r)
{
	return setting_number(conn, "conditions.warn_above", warn_above_r);
}

enum db_status condition_person_language(db *conn, const char *person_id, char lang_r[3])
{
	copy(lang_r, 3, "");
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT p.languages, s.value FROM (SELECT 1 AS one) x LEFT JOIN person p ON p.id = ?"
		" LEFT JOIN setting s ON s.key = 'default_language'", "t", person_id ? person_id : "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *langs = db_column_text(st, 0, NULL);
		for (const char *p = langs; p && *p && !lang_r[0];) {
			while (*p == ' ' || *p == ',')
				p++;
			size_t l = strcspn(p, ", ");
			for (int i = 0; l == 2 && condition_languages[i]; i++)
				if (strncmp(p, condition_languages[i], 2) == 0)
					copy(lang_r, 3, condition_languages[i]);
			p += l;
		}
		const char *def = db_column_text(st, 1, NULL);
		if (!lang_r[0] && condition_language_index(def) >= 0)
			copy(lang_r, 3, def);
		rc = DB_OK;
	}
	db_finalize(&st);
	if (!lang_r[0])
		copy(lang_r, 3, "ky");
	return rc == DB_DONE ? DB_OK : rc;
}

/* ---- as JSON ------------------------------------------------------------------------- */

#define CONDITION_SELECT \
	"SELECT c.id, c.case_id, c.decision_id, d.authority, d.number, d.decided_on, c.variation_id," \
	" c.catalogue_version, c.code, c.duty, c.free_text, c.params, c.answers, c.answers_detail, c.review_on," \
	" c.effective_from, c.effective_to, c.status, c.end_reason, c.replaces_id, c.created_at," \
	" a.display_name, c.version" \
	" FROM case_condition c JOIN decision d ON d.id = c.decision_id LEFT JOIN account a ON a.id = c.created_by"

static json_t *text_or_null(db_stmt *st, int col)
{
	const char *s = db_column_text(st, col, NULL);
	return s ? json_string(s) : json_null();
}

/* The case's explanations, newest first, with their condition ids parsed. */
static json_t *explanations(db *conn, const char *case_id)
{
	db_stmt *st = NULL;
	json_t *out = json_array();
	enum db_status rc = db_query(conn, &st,
		"SELECT id, explained_on, language, acknowledged, condition_ids FROM condition_explanation"
		" WHERE case_id = ? ORDER BY explained_on DESC, created_at DESC", "t", case_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_t *ids = json_loads(db_column_text(st, 4, NULL), 0, NULL);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:b, s:o}", "explanation_id",
		                                     db_column_text(st, 0, NULL), "explained_on", db_column_text(st, 1, NULL),
		                                     "language", db_column_text(st, 2, NULL), "acknowledged",
		                                     db_column_int64(st, 3) != 0, "ids", ids ? ids : json_array()));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(out);
		return NULL;
	}
	return out;
}

static json_t *explained(const json_t *list, const char *id)
{
	size_t i, j;
	json_t *e, *v;
	json_array_foreach(list, i, e) {
		json_array_foreach(json_object_get(e, "ids"), j, v) {
			if (json_is_string(v) && strcmp(json_string_value(v), id) == 0)
				return json_pack("{s:O, s:O, s:O, s:O}", "explanation_id", json_object_get(e, "explanation_id"),
				                 "explained_on", json_object_get(e, "explained_on"), "language",
				                 json_object_get(e, "language"), "acknowledged",
				                 json_object_get(e, "acknowledged"));
		}
	}
	return json_null();
}

/* One row of CONDITION_SELECT as a Condition. */
static json_t *row_json(db *conn, db_stmt *st, const char *lang, const char *today, bool *failed_r)
{
	const char *code = db_column_text(st, 8, NULL), *free_text = db_column_text(st, 10, NULL);
	struct condition_type t = {0};
	bool typed = false;
	if (code) {
		enum db_status rc = condition_type_load(conn, db_column_int64(st, 7), code, &t);
		if (rc != DB_OK && rc != DB_DONE) {
			*failed_r = true;
			return NULL;
		}
		typed = rc == DB_OK;
	}
	json_t *params = json_loads(db_column_text(st, 11, NULL), 0, NULL);
	if (!json_is_object(params)) {
		json_decref(params);
		params = json_object();
	}
	/* "authority № number"; the date goes apart (decision_decided_on) for the reader's own format. */
	char label[400];
	const char *number = db_column_text(st, 4, NULL);
	snprintf(label, sizeof label, "%s%s%s", db_column_text(st, 3, NULL), number && *number ? " № " : "",
	         number && *number ? number : "");
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(db_column_text(st, 0, NULL)));
	json_object_set_new(o, "case_id", json_string(db_column_text(st, 1, NULL)));
	json_object_set_new(o, "decision_id", json_string(db_column_text(st, 2, NULL)));
	json_object_set_new(o, "decision_label", json_string(label));
	json_object_set_new(o, "decision_decided_on", text_or_null(st, 5));
	json_object_set_new(o, "variation_id", text_or_null(st, 6));
	json_object_set_new(o, "catalogue_version",
	                    code ? json_integer(db_column_int64(st, 7)) : json_null());
	json_object_set_new(o, "code", code ? json_string(code) : json_null());
	json_object_set_new(o, "category", typed ? json_string(t.category) : json_null());
	json_t *title = json_null();
	if (typed)
		title = json_pack("{s:s, s:s, s:s}", "ky", t.title[0], "ru", t.title[1], "en", t.title[2]);
	json_object_set_new(o, "title", title);
	json_object_set_new(o, "duty", json_string(db_column_text(st, 9, NULL)));
	json_object_set_new(o, "free_text", free_text ? json_string(free_text) : json_null());
	json_object_set_new(o, "params", json_incref(params));
	json_object_set_new(o, "em", json_boolean(typed && t.em));
	json_object_set_new(o, "standard", json_boolean(typed && t.standard));
	char *text = condition_render(typed ? &t : NULL, free_text ? free_text : (code ? code : ""), params, lang);
	json_object_set_new(o, "text", json_string(text));
	free(text);
	json_object_set_new(o, "texts", condition_texts(typed ? &t : NULL, free_text ? free_text : (code ? code : ""),
	                                                params));
	json_object_set_new(o, "answers", json_string(db_column_text(st, 12, NULL)));
	json_object_set_new(o, "answers_detail", json_string(db_column_text(st, 13, NULL)));
	const char *review_on = db_column_text(st, 14, NULL), *status = db_column_text(st, 17, NULL);
	json_object_set_new(o, "review_on", json_string(review_on));
	json_object_set_new(o, "review_due",
	                    json_boolean(strcmp(status, "active") == 0 && strcmp(review_on, today) <= 0));
	json_object_set_new(o, "effective_from", json_string(db_column_text(st, 15, NULL)));
	json_object_set_new(o, "effective_to", text_or_null(st, 16));
	json_object_set_new(o, "status", json_string(status));
	json_object_set_new(o, "end_reason", text_or_null(st, 18));
	json_object_set_new(o, "replaces_id", text_or_null(st, 19));
	char when[32];
	clock_format_rfc3339(db_column_int64(st, 20), when);
	json_object_set_new(o, "created_at", json_string(when));
	json_object_set_new(o, "created_by_name", text_or_null(st, 21));
	json_object_set_new(o, "version", json_integer(db_column_int64(st, 22)));
	json_decref(params);
	condition_type_free(&t);
	return o;
}

/* Conditions matching `where` (a constant SQL condition with one text placeholder). */
static json_t *select_conditions(db *conn, const char *where, const char *arg, const char *lang, const char *today)
{
	char *sql = xasprintf("%s WHERE %s ORDER BY CASE c.status WHEN 'active' THEN 0 ELSE 1 END,"
	                      " c.effective_from, c.created_at, c.id", CONDITION_SELECT, where);
	db_stmt *st = NULL;
	json_t *items = json_array();
	bool failed = false;
	enum db_status rc = db_query(conn, &st, sql, "t", arg);
	free(sql);
	while (rc == DB_OK && !failed && (rc = db_step(st)) == DB_ROW) {
		json_t *o = row_json(conn, st, lang, today, &failed);
		if (o)
			json_array_append_new(items, o);
		rc = DB_OK;
	}
	db_finalize(&st);
	if (failed || rc != DB_DONE) {
		json_decref(items);
		return NULL;
	}
	const char *case_id = NULL;
	if (json_array_size(items))
		case_id = json_string_value(json_object_get(json_array_get(items, 0), "case_id"));
	json_t *ex = case_id ? explanations(conn, case_id) : json_array();
	if (!ex) {
		json_decref(items);
		return NULL;
	}
	size_t i;
	json_t *c;
	json_array_foreach(items, i, c)
		json_object_set_new(c, "explained", explained(ex, json_string_value(json_object_get(c, "id"))));
	json_decref(ex);
	return items;
}

json_t *condition_json(db *conn, const char *id, const char *lang, const char *today)
{
	json_t *items = select_conditions(conn, "c.id = ?", id, lang, today);
	if (!items)
		return NULL;
	json_t *one = json_array_size(items) ? json_incref(json_array_get(items, 0)) : json_null();
	json_decref(items);
	return one;
}

json_t *condition_list_json(db *conn, const char *case_id, const char *lang, const char *today)
{
	return select_conditions(conn, "c.case_id = ?", case_id, lang, today);
}
