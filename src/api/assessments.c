/*
 * assessments.c — risk and needs assessments (structured professional
 * judgement, S14). An assessor starts a draft with the current version of an
 * instrument, saves it whole as often as needed, and submits it once
 * complete and while certified; a unit head other than the assessor
 * countersigns it (its scenarios and actions go into the supervision plan,
 * earlier-dated ones with the same instrument become superseded, and the
 * case's reassessment reminders are resolved: only then is a reassessment
 * done) or returns it as a draft. An assessment dated before the
 * countersigned one that stands is superseded by it at once. A draft may be
 * withdrawn. The final judgement is whatever the
 * assessor chose: nothing here derives it from the item ratings.
 *
 *   draft -> submitted (submission) -> countersigned (countersignature) -> superseded
 *   submitted -> draft (return); draft -> withdrawn (withdrawal)
 *
 * Every change is guarded by the row's status and version (If-Match), adds a
 * timeline event and writes the processing log (record type `assessment`;
 * a case's list and history are `case_assessments`).
 */
#include "api/assessments.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/assessment.h"
#include "domain/casefile.h"
#include "domain/keydates.h"

static const char *const reasons[] = {"initial", "interval", "trigger", "other", NULL};
static const char *const scenario_kinds[] = {"repeat", "escalation", "twist", "improvement", NULL};
static const char *const action_kinds[] = {"monitoring", "supervision", "intervention", "victim_safety", NULL};
static const char *const sources[] = {"observation", "person", "family", "employer", "police", "court", "prison",
                                      "partner", "document", "other", NULL};

#define LIST_LIMIT 200
#define TRIGGERS_LIMIT 50

/* ---- the draft's body (pure; fuzzed) -------------------------------------------------- */

static const struct field_rule body_rules[] = {
	{"assessed_on", FIELD_DATE, false, 0, 0, NULL},
	{"sources", FIELD_STRING, false, 0, 4000, NULL},
	{"limitations", FIELD_STRING, false, 0, 4000, NULL},
	{"ratings", FIELD_OBJECT, false, 0, 0, NULL},
	{"domains", FIELD_OBJECT, false, 0, 0, NULL},
	{"judgement", FIELD_STRING, false, 1, 40, NULL},
	{"rationale", FIELD_STRING, false, 0, 4000, NULL},
	{"scenarios", FIELD_ARRAY, false, 0, 10, NULL},
	{"actions", FIELD_ARRAY, false, 0, 20, NULL},
};
static const struct field_rule rating_rules[] = {
	{"value", FIELD_STRING, true, 1, 40, NULL},
	{"evidence", FIELD_STRING, false, 0, 4000, NULL},
	{"source", FIELD_ENUM, false, 0, 0, sources},
	{"source_detail", FIELD_STRING, false, 0, 300, NULL},
};
static const struct field_rule domain_rules[] = {
	{"value", FIELD_STRING, true, 1, 40, NULL},
	{"comment", FIELD_STRING, false, 0, 2000, NULL},
};
static const struct field_rule scenario_rules[] = {
	{"kind", FIELD_ENUM, true, 0, 0, scenario_kinds},
	{"description", FIELD_STRING, true, 1, 2000, NULL},
};
/* id and plan_action_id, as an assessment is read, are accepted and ignored. */
static const struct field_rule action_rules[] = {
	{"id", FIELD_UUID, false, 0, 0, NULL},
	{"plan_action_id", FIELD_UUID, false, 0, 0, NULL},
	{"kind", FIELD_ENUM, true, 0, 0, action_kinds},
	{"description", FIELD_STRING, true, 1, 1000, NULL},
	{"due_on", FIELD_DATE, true, 0, 0, NULL},
};

/* "a, b, c": the ids of an array of {id} objects. */
static void ids_of(const json_t *array, struct buf *out)
{
	size_t i;
	const json_t *o;
	json_array_foreach(array, i, o) {
		if (out->len)
			buf_puts(out, ", ");
		buf_puts(out, json_string_value(json_object_get(o, "id")) ? json_string_value(json_object_get(o, "id")) : "");
	}
}

/* A value on a scale: an error on field naming the scale's values when it is not one of them. */
static void value_check(const json_t *def, const char *scale_id, const json_t *entry, const char *field,
                        struct field_errors *fe)
{
	const char *value = json_string_value(json_object_get(entry, "value"));
	/* An empty or overlong value is named by the field rules already. */
	if (!value || !*value || utf8_length(value) > 40 || instrument_scale_position(def, scale_id, value) >= 0)
		return;
	struct buf list = {0};
	ids_of(json_object_get(instrument_scale(def, scale_id), "values"), &list);
	field_error(fe, field, "must be one of: %s", list.data ? list.data : "");
	buf_free(&list);
}

static size_t items_in(const json_t *def)
{
	size_t n = 0, i;
	const json_t *d;
	json_array_foreach(json_object_get(def, "domains"), i, d)
		n += json_array_size(json_object_get(d, "items"));
	return n;
}

/* "<what>.<key>" with the key cut to at most 60 bytes at a character boundary (a field name stays UTF-8). */
static void member_name(char *out, size_t n, const char *what, const char *key)
{
	size_t len = strlen(key);
	if (len > 60) {
		len = 60;
		while (len > 0 && ((unsigned char)key[len] & 0xC0) == 0x80)
			len--;
	}
	snprintf(out, n, "%s.%.*s", what, (int)len, key);
}

bool assessment_body_validate(const json_t *body, const json_t *def, const char *today, struct field_errors *fe)
{
	if (!validate_object(body, body_rules, NRULES(body_rules), fe) && !json_is_object(body))
		return false;
	validate_not_future(body, "assessed_on", NULL, today, fe);
	char prefix[96], field[128];
	const char *key;
	const json_t *v;
	const json_t *ratings = json_object_get(body, "ratings");
	if (json_is_object(ratings) && json_object_size(ratings) > items_in(def)) {
		field_error(fe, "ratings", "has more members than the instrument has items (%zu)", items_in(def));
	} else if (json_is_object(ratings)) {
		json_object_foreach((json_t *)ratings, key, v) {
			member_name(prefix, sizeof prefix, "ratings", key);
			const json_t *item = instrument_item(def, key, NULL);
			if (!item) {
				field_error(fe, prefix, "is not an item of this instrument");
				continue;
			}
			if (!validate_object_at(v, prefix, rating_rules, NRULES(rating_rules), fe) && !json_is_object(v))
				continue;
			snprintf(field, sizeof field, "%s.value", prefix);
			value_check(def, json_string_value(json_object_get(item, "scale")), v, field, fe);
		}
	}
	const json_t *domains = json_object_get(body, "domains");
	if (json_is_object(domains) && json_object_size(domains) > json_array_size(json_object_get(def, "domains"))) {
		field_error(fe, "domains", "has more members than the instrument has domains (%zu)",
		            json_array_size(json_object_get(def, "domains")));
	} else if (json_is_object(domains)) {
		json_object_foreach((json_t *)domains, key, v) {
			member_name(prefix, sizeof prefix, "domains", key);
			const json_t *domain = instrument_domain(def, key);
			if (!domain) {
				field_error(fe, prefix, "is not a domain of this instrument");
				continue;
			}
			if (!validate_object_at(v, prefix, domain_rules, NRULES(domain_rules), fe) && !json_is_object(v))
				continue;
			snprintf(field, sizeof field, "%s.value", prefix);
			value_check(def, json_string_value(json_object_get(domain, "rating_scale")), v, field, fe);
		}
	}
	const char *judgement = json_string_value(json_object_get(body, "judgement"));
	if (judgement && *judgement && utf8_length(judgement) <= 40 &&
	    instrument_judgement_position(def, judgement) < 0) {
		struct buf list = {0};
		ids_of(json_object_get(def, "judgements"), &list);
		field_error(fe, "judgement", "must be one of: %s", list.data ? list.data : "");
		buf_free(&list);
	}
	size_t i;
	const json_t *scenarios = json_object_get(body, "scenarios");
	if (json_is_array(scenarios) && json_array_size(scenarios) <= 10) {
		json_array_foreach(scenarios, i, v) {
			snprintf(prefix, sizeof prefix, "scenarios[%zu]", i);
			validate_object_at(v, prefix, scenario_rules, NRULES(scenario_rules), fe);
		}
	}
	const json_t *actions = json_object_get(body, "actions");
	if (json_is_array(actions) && json_array_size(actions) <= 20) {
		json_array_foreach(actions, i, v) {
			snprintf(prefix, sizeof prefix, "actions[%zu]", i);
			validate_object_at(v, prefix, action_rules, NRULES(action_rules), fe);
		}
	}
	return fe->list == NULL;
}

/* ---- reading ------------------------------------------------------------------------- */

#define SUMMARY_COLUMNS \
	"SELECT a.id, a.case_id, c.number AS case_number, a.instrument_id, i.code AS instrument_code," \
	" i.version AS instrument_version, i.name_ky, i.name_ru, i.name_en," \
	" a.reason, a.trigger_id, a.status, a.assessor_id, aa.display_name AS assessor_name, a.assessed_on," \
	" a.judgement, a.submitted_at, a.countersigned_at, ca.display_name AS countersigned_by_name, a.superseded_at," \
	" a.created_at, a.updated_at, a.version"
#define SUMMARY_FROM \
	" FROM assessment a JOIN case_file c ON c.id = a.case_id JOIN instrument i ON i.id = a.instrument_id" \
	" JOIN account aa ON aa.id = a.assessor_id LEFT JOIN account ca ON ca.id = a.countersigned_by"
#define DETAIL_COLUMNS \
	", a.sources, a.limitations, a.rationale, a.scenarios, a.countersign_note, a.returned_at," \
	" ra.display_name AS returned_by_name, a.return_note, a.superseded_by, a.withdrawn_at, a.withdraw_reason," \
	" a.plan_objective_id, i.certification_required AS certification_required_"
#define DETAIL_FROM SUMMARY_FROM " LEFT JOIN account ra ON ra.id = a.returned_by"

/* The label of the member of def's array whose id is id (a copy), or JSON null. */
static json_t *label_in(const json_t *array, const char *id, const char *member)
{
	size_t i;
	const json_t *o;
	json_array_foreach(array, i, o) {
		const char *s = json_string_value(json_object_get(o, "id"));
		if (s && id && strcmp(s, id) == 0)
			return json_deep_copy(json_object_get(o, member));
	}
	return json_null();
}

/* The definition of an instrument version, read once per request into cache (borrowed); NULL on error. */
static const json_t *def_cached(db *conn, json_t *cache, const char *instrument_id)
{
	const json_t *def = json_object_get(cache, instrument_id);
	if (def)
		return def;
	json_t *loaded = NULL;
	if (instrument_definition(conn, instrument_id, &loaded, NULL) != DB_OK || !loaded)
		return NULL;
	json_object_set_new(cache, instrument_id, loaded);
	return loaded;
}

/* Completes Summary rows: the instrument's name and the judgement's label. */
static bool summaries_fill(db *conn, json_t *rows, json_t *cache)
{
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		api_texts_fold(row, "name", "instrument_name");
		const json_t *def = def_cached(conn, cache, json_string_value(json_object_get(row, "instrument_id")));
		if (!def)
			return false;
		json_object_set_new(row, "judgement_label",
		                    label_in(json_object_get(def, "judgements"),
		                             json_string_value(json_object_get(row, "judgement")), "label"));
	}
	return true;
}

/* What the caller may do with an assessment. */
static json_t *allowed_json(const struct http_request *req, const json_t *a, bool may_change)
{
	const struct principal *p = &req->principal;
	const char *status = json_string_value(json_object_get(a, "status"));
	bool assessor = strcmp(json_string_value(json_object_get(a, "assessor_id")), p->account_id) == 0;
	bool write = may_change && policy_has(p, "assessments.write");
	bool countersign = may_change && policy_has(p, "assessments.countersign");
	bool draft = strcmp(status, "draft") == 0, submitted = strcmp(status, "submitted") == 0;
	return json_pack("{s:b, s:b, s:b, s:b, s:b}", "edit", write && draft && assessor, "submit",
	                 write && draft && assessor, "countersign", countersign && submitted && !assessor, "return",
	                 countersign && submitted, "withdraw", write && draft && (assessor || countersign));
}

/* One assessment as the API shows it; NULL on a database error. may_change: the caller's reach allows changes. */
static json_t *assessment_json(struct http_request *req, const char *id, bool may_change)
{
	db *conn = req->db;
	char today[11];
	if (!api_today(conn, today))
		return NULL;
	json_t *rows = api_select(conn, SUMMARY_COLUMNS DETAIL_COLUMNS DETAIL_FROM " WHERE a.id = ?", "t", id);
	json_t *cache = json_object();
	if (!rows || json_array_size(rows) != 1 || !summaries_fill(conn, rows, cache)) {
		json_decref(rows);
		json_decref(cache);
		return NULL;
	}
	json_t *a = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	const json_t *def = json_object_get(cache, json_string_value(json_object_get(a, "instrument_id")));
	json_t *scenarios = json_loads(json_string_value(json_object_get(a, "scenarios")) ?
	                               json_string_value(json_object_get(a, "scenarios")) : "[]", 0, NULL);
	json_object_set_new(a, "scenarios", json_is_array(scenarios) ? scenarios : json_array());
	if (!json_is_array(scenarios))
		json_decref(scenarios);
	bool required = json_integer_value(json_object_get(a, "certification_required_")) != 0;
	json_object_del(a, "certification_required_");
	json_object_set_new(a, "certification_required", json_boolean(required));
	json_t *ratings_rows = api_select(conn,
		"SELECT item, value, evidence, source, source_detail FROM assessment_rating WHERE assessment_id = ?"
		" ORDER BY item", "t", id);
	json_t *domain_rows = api_select(conn,
		"SELECT domain, value, comment FROM assessment_domain WHERE assessment_id = ? ORDER BY domain", "t", id);
	json_t *actions = api_select(conn,
		"SELECT id, kind, description, due_on, plan_action_id FROM assessment_action WHERE assessment_id = ?"
		" ORDER BY position, id", "t", id);
	bool certified = true;
	if (!ratings_rows || !domain_rows || !actions ||
	    (required && assessor_certified(conn, json_string_value(json_object_get(a, "assessor_id")),
	                                    json_string_value(json_object_get(a, "instrument_code")), today,
	                                    &certified) != DB_OK)) {
		json_decref(ratings_rows);
		json_decref(domain_rows);
		json_decref(actions);
		json_decref(cache);
		json_decref(a);
		return NULL;
	}
	json_t *ratings = json_object(), *domains = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(ratings_rows, i, r) {
		json_t *copy = json_deep_copy(r);
		json_object_del(copy, "item");
		json_object_set_new(ratings, json_string_value(json_object_get(r, "item")), copy);
	}
	json_array_foreach(domain_rows, i, r) {
		json_t *copy = json_deep_copy(r);
		json_object_del(copy, "domain");
		json_object_set_new(domains, json_string_value(json_object_get(r, "domain")), copy);
	}
	json_decref(ratings_rows);
	json_decref(domain_rows);
	json_object_set_new(a, "ratings", ratings);
	json_object_set_new(a, "domains", domains);
	json_object_set_new(a, "actions", actions);
	json_object_set_new(a, "assessor_certified", json_boolean(certified));
	json_object_set_new(a, "missing", assessment_missing(def, a));
	json_object_set_new(a, "allowed", allowed_json(req, a, may_change));
	json_decref(cache);
	return a;
}

static bool reach_changes(const struct record_scope *s)
{
	return s->access == UNIT_ACCESS_OWN || s->access == UNIT_ACCESS_GRANTED;
}

/* Commits and answers with the assessment and its ETag. */
static void answer(struct http_request *req, struct http_response *resp, const char *id,
                   const struct record_scope *s, int status)
{
	json_t *a = assessment_json(req, id, reach_changes(s));
	if (!a) {
		api_db_failed(req, resp, "reading an assessment");
		return;
	}
	api_commit_send(req, resp, status, a);
}

/* ---- the stored row ------------------------------------------------------------------ */

struct assessment_row {
	char id[UUID_STR_LEN];
	char case_id[UUID_STR_LEN];
	char instrument_id[UUID_STR_LEN];
	char code[INSTRUMENT_CODE_LEN];
	char instrument_version[40];
	char status[16];
	char assessor_id[UUID_STR_LEN];
	char name_en[300 * 4 + 1]; /* up to 300 characters of UTF-8: never cut mid-character */
	int64_t version;
	bool certification_required;
};

static void copy_text(char *dst, size_t n, const json_t *row, const char *member)
{
	const char *s = json_string_value(json_object_get(row, member));
	snprintf(dst, n, "%s", s ? s : "");
}

/* Loads an assessment and checks the caller's reach over its case (and, with change, their right to change it);
 * false after answering (404, 403, 428, 500). */
static bool assessment_load(struct http_request *req, struct http_response *resp, const char *id, bool change,
                            struct assessment_row *a, struct record_scope *s)
{
	memset(a, 0, sizeof *a);
	bool failed = false;
	json_t *row = uuid_valid(id) ? api_select_one(req->db, &failed,
		"SELECT a.id, a.case_id, a.instrument_id, i.code, i.version AS instrument_version, a.status, a.assessor_id,"
		" i.name_en, a.version, i.certification_required FROM assessment a JOIN instrument i ON i.id = a.instrument_id"
		" WHERE a.id = ?", "t", id) : NULL;
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading an assessment");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "assessment");
		}
		return false;
	}
	copy_text(a->id, sizeof a->id, row, "id");
	copy_text(a->case_id, sizeof a->case_id, row, "case_id");
	copy_text(a->instrument_id, sizeof a->instrument_id, row, "instrument_id");
	copy_text(a->code, sizeof a->code, row, "code");
	copy_text(a->instrument_version, sizeof a->instrument_version, row, "instrument_version");
	copy_text(a->status, sizeof a->status, row, "status");
	copy_text(a->assessor_id, sizeof a->assessor_id, row, "assessor_id");
	copy_text(a->name_en, sizeof a->name_en, row, "name_en");
	a->version = json_integer_value(json_object_get(row, "version"));
	a->certification_required = json_integer_value(json_object_get(row, "certification_required")) != 0;
	json_decref(row);
	return scope_case(req, resp, a->case_id, s) && (!change || scope_may_change(req, resp, s, "assessment", id));
}

/* Adds an assessment.* timeline event: codes and ids only. extra (taken) adds members to the detail. */
static bool assessment_event(db *conn, const struct assessment_row *a, const char *kind, const char *actor,
                             int64_t now, const char *summary, json_t *extra)
{
	json_t *detail = json_pack("{s:s, s:s, s:s}", "assessment_id", a->id, "instrument_code", a->code,
	                           "instrument_version", a->instrument_version);
	if (extra)
		json_object_update(detail, extra);
	json_decref(extra);
	char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(detail);
	bool ok = text && case_event_add(conn, a->case_id, now, kind, actor, summary, text, "assessment", a->id) == DB_OK;
	free(text);
	return ok;
}

static void stale(struct http_request *req, struct http_response *resp)
{
	db_rollback(req->db);
	http_problem(resp, req, 412, "precondition-failed", "The assessment has changed",
	             "Someone changed this assessment since you read it: reload it and try again.", NULL);
}

static void not_assessor(struct http_request *req, struct http_response *resp, const char *what)
{
	db_rollback(req->db);
	char *detail = xasprintf("Only the assessment's assessor may %s it.", what);
	http_problem(resp, req, 403, "not-assessor", "Not your assessment", detail, NULL);
	free(detail);
}

static void wrong_status(struct http_request *req, struct http_response *resp, const char *type, const char *status)
{
	char *detail = xasprintf("The assessment is %s.", status);
	api_conflict(req, resp, type, strcmp(type, "not-draft") == 0 ? "The assessment is not a draft"
	                                                              : "The assessment is not submitted", detail);
	free(detail);
}

/* ---- a case's assessments ---------------------------------------------------------------- */

/* The instrument's name of the current version of a code (or JSON null). */
static json_t *current_name(db *conn, const char *code, bool *failed_r)
{
	json_t *row = api_select_one(conn, failed_r,
		"SELECT name_ky, name_ru, name_en FROM instrument"
		" WHERE code = ? AND is_current = 1", "t", code);
	if (!row)
		return json_null();
	api_texts_fold(row, "name", "name");
	json_t *out = json_incref(json_object_get(row, "name"));
	json_decref(row);
	return out;
}

json_t *assessment_suggestion_json(db *conn, const char *case_id, bool *failed_r)
{
	*failed_r = false;
	struct level_suggested sg;
	memset(&sg, 0, sizeof sg);
	if (assessment_level_suggestion(conn, case_id, &sg) != DB_OK) {
		*failed_r = true;
		return NULL;
	}
	if (!sg.found)
		return json_null();
	bool failed = false;
	json_t *level = api_select_one(conn, &failed,
		"SELECT title_ky, title_ru, title_en FROM ref_supervision_level WHERE code = ?", "t", sg.level);
	json_t *inst = failed ? NULL : api_select_one(conn, &failed,
		"SELECT name_ky, name_ru, name_en FROM instrument WHERE id = ?", "t", sg.instrument_id);
	json_t *def = NULL;
	if (failed || instrument_definition(conn, sg.instrument_id, &def, NULL) != DB_OK) {
		json_decref(level);
		json_decref(inst);
		json_decref(def);
		*failed_r = true;
		return NULL;
	}
	if (level)
		api_texts_fold(level, "title", "title");
	if (inst)
		api_texts_fold(inst, "name", "name");
	json_t *out = json_pack("{s:s, s:O, s:s, s:s, s:s, s:O, s:s, s:o, s:o}", "level", sg.level, "level_title",
	                        level ? json_object_get(level, "title") : json_null(), "assessment_id", sg.assessment_id,
	                        "instrument_id", sg.instrument_id, "instrument_code", sg.instrument_code,
	                        "instrument_name", inst ? json_object_get(inst, "name") : json_null(), "judgement",
	                        sg.judgement, "judgement_label",
	                        label_in(json_object_get(def, "judgements"), sg.judgement, "label"), "assessed_on",
	                        sg.assessed_on[0] ? json_string(sg.assessed_on) : json_null());
	json_decref(level);
	json_decref(inst);
	json_decref(def);
	return out;
}

/* When the case's reassessments fall due; NULL on error. */
static json_t *reassessment_json(db *conn, const char *case_id, const char *today)
{
	struct reassessment_due *due = NULL;
	size_t n = 0;
	if (reassessment_due_case(conn, case_id, &due, &n) != DB_OK)
		return NULL;
	json_t *out = json_array();
	bool failed = false;
	for (size_t i = 0; i < n && !failed; i++) {
		const struct reassessment_due *d = &due[i];
		json_t *name = d->instrument_code[0] ? current_name(conn, d->instrument_code, &failed) : json_null();
		json_array_append_new(out, json_pack("{s:o, s:o, s:o, s:o, s:s, s:i, s:s, s:b}",
			"instrument_code", d->instrument_code[0] ? json_string(d->instrument_code) : json_null(),
			"instrument_name", name,
			"assessment_id", d->assessment_id[0] ? json_string(d->assessment_id) : json_null(),
			"last_on", d->last_on[0] ? json_string(d->last_on) : json_null(), "due_on", d->due_on,
			"interval_days", d->interval_days, "basis", d->basis ? d->basis : "no_assessment", "overdue",
			strcmp(d->due_on, today) < 0));
	}
	free(due);
	if (failed) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The current instruments and whether the caller is certified for each; NULL on error. */
static json_t *instruments_json(struct http_request *req, const char *today)
{
	json_t *rows = api_select(req->db,
		"SELECT id, code, version, name_ky, name_ru, name_en,"
		" certification_required AS is_certification_required FROM instrument WHERE is_current = 1 ORDER BY code",
		"");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		api_texts_fold(row, "name", "name");
		bool certified = false;
		if (assessor_certified(req->db, req->principal.account_id, json_string_value(json_object_get(row, "code")),
		                       today, &certified) != DB_OK) {
			json_decref(rows);
			return NULL;
		}
		json_object_set_new(row, "caller_certified", json_boolean(certified));
	}
	return rows;
}

void api_case_assessments(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct record_scope s;
	char today[11];
	if (!api_begin(req, resp) || !scope_case(req, resp, case_id, &s) || !api_today_date(req, resp, NULL, today))
		return;
	json_t *cache = json_object();
	json_t *items = api_select(req->db, SUMMARY_COLUMNS SUMMARY_FROM " WHERE a.case_id = ?"
	                           " ORDER BY a.created_at DESC, a.id DESC", "t", case_id);
	json_t *triggers = api_select(req->db,
		"SELECT t.id, t.kind, t.occurred_on, t.summary, t.record_type, t.record_id, a.display_name AS"
		" recorded_by_name, t.recorded_at, t.resolved_by, t.resolved_at FROM reassessment_trigger t"
		" LEFT JOIN account a ON a.id = t.recorded_by WHERE t.case_id = ?"
		" ORDER BY t.occurred_on DESC, t.recorded_at DESC, t.id DESC LIMIT 50", "t", case_id);
	json_t *reassessment = reassessment_json(req->db, case_id, today);
	bool suggestion_failed = false;
	json_t *suggestion = assessment_suggestion_json(req->db, case_id, &suggestion_failed);
	json_t *instruments = instruments_json(req, today);
	if (!items || !triggers || !reassessment || !suggestion || !instruments ||
	    !summaries_fill(req->db, items, cache) ||
	    !scope_audit(req, &s, AUDIT_CONSULT, "case_assessments", case_id, NULL)) {
		json_decref(items);
		json_decref(triggers);
		json_decref(reassessment);
		json_decref(suggestion);
		json_decref(instruments);
		json_decref(cache);
		api_db_failed(req, resp, "reading a case's assessments");
		return;
	}
	json_decref(cache);
	json_t *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "items", items, "reassessment", reassessment, "triggers",
	                        triggers, "suggestion", suggestion, "instruments", instruments);
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 200, out);
}

/* ---- starting one -------------------------------------------------------------------- */

static const struct field_rule create_rules[] = {
	{"instrument_id", FIELD_UUID, true, 0, 0, NULL},
	{"reason", FIELD_ENUM, true, 0, 0, reasons},
	{"trigger_id", FIELD_UUID, false, 0, 0, NULL},
};

void api_assessment_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, create_rules, NRULES(create_rules), &fe)) {
		bool trigger = strcmp(api_str(req, "reason"), "trigger") == 0;
		if (trigger && !json_str(req->json, "trigger_id"))
			field_error(&fe, "trigger_id", "is required when the reason is a trigger");
		if (!trigger && json_str(req->json, "trigger_id"))
			field_error(&fe, "trigger_id", "is only for an assessment after a trigger");
	}
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !scope_case(req, resp, case_id, &s) ||
	    !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.status, "closed") == 0) {
		api_conflict(req, resp, "case-closed", "The case is closed", "Assessments are started on open cases.");
		return;
	}
	const char *instrument_id = api_str(req, "instrument_id"), *trigger_id = json_str(req->json, "trigger_id");
	bool failed = false;
	json_t *inst = api_select_one(req->db, &failed,
		"SELECT code, version, name_en FROM instrument WHERE id = ? AND is_current = 1", "t", instrument_id);
	if (!inst) {
		if (failed)
			api_db_failed(req, resp, "reading an instrument");
		else
			api_field_problem(req, resp, "instrument_id", "is not the current version of a loaded instrument");
		return;
	}
	struct assessment_row a = {0};
	copy_text(a.code, sizeof a.code, inst, "code");
	copy_text(a.instrument_version, sizeof a.instrument_version, inst, "version");
	json_decref(inst);
	if (trigger_id) {
		json_t *t = api_select_one(req->db, &failed,
			"SELECT id FROM reassessment_trigger WHERE id = ? AND case_id = ? AND resolved_at IS NULL", "tt",
			trigger_id, case_id);
		if (!t) {
			if (failed)
				api_db_failed(req, resp, "reading a trigger");
			else
				api_field_problem(req, resp, "trigger_id", "is not an unresolved trigger of this case");
			return;
		}
		json_decref(t);
	}
	/* Starts on one case queue here, so two cannot both find none open: the no-op UPDATE takes the case row's lock
	 * on PostgreSQL (READ COMMITTED: the check below then sees the other's committed draft); SQLite's BEGIN
	 * IMMEDIATE holds the write lock already. */
	if (db_run(req->db, NULL, "UPDATE case_file SET updated_at = updated_at WHERE id = ?", "t", case_id) != DB_OK) {
		api_db_failed(req, resp, "locking a case");
		return;
	}
	json_t *open = api_select_one(req->db, &failed,
		"SELECT a.id FROM assessment a JOIN instrument i ON i.id = a.instrument_id WHERE a.case_id = ? AND i.code = ?"
		" AND a.status IN ('draft', 'submitted')", "tt", case_id, a.code);
	if (open || failed) {
		json_decref(open);
		if (failed)
			api_db_failed(req, resp, "reading a case's assessments");
		else
			api_conflict(req, resp, "assessment-open", "An assessment with this instrument is open",
			             "The case already has a draft or submitted assessment with this instrument.");
		return;
	}
	uuid_v7(a.id);
	snprintf(a.case_id, sizeof a.case_id, "%s", case_id);
	const char *reason = api_str(req, "reason");
	int64_t now = clock_now_ms();
	char *summary = xasprintf("Assessment started (%s %s, reason: %s)", a.code, a.instrument_version, reason);
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO assessment (id, case_id, instrument_id, reason, trigger_id, status, assessor_id,"
	                 " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'draft', ?, ?, ?)",
	                 "ttttttii", a.id, case_id, instrument_id, reason, trigger_id, req->principal.account_id, now,
	                 now) == DB_OK &&
	          assessment_event(req->db, &a, "assessment.started", req->principal.account_id, now, summary,
	                           json_pack("{s:s, s:o}", "reason", reason, "trigger_id",
	                                     trigger_id ? json_string(trigger_id) : json_null())) &&
	          scope_audit(req, &s, AUDIT_COLLECT, "assessment", a.id, case_id);
	free(summary);
	if (!ok) {
		api_db_failed(req, resp, "starting an assessment");
		return;
	}
	answer(req, resp, a.id, &s, 201);
}

/* ---- history ------------------------------------------------------------------------- */

/* [{id, label}] of a scale's values. */
static json_t *scale_values(const json_t *def, const char *scale_id)
{
	json_t *out = json_array();
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(instrument_scale(def, scale_id), "values"), i, v)
		json_array_append_new(out, json_pack("{s:O, s:O}", "id", json_object_get(v, "id"), "label",
		                                     json_object_get(v, "label")));
	return out;
}

/* The domains, items and judgements of a definition as the history shows them. */
static void history_frame(const json_t *def, json_t *out)
{
	json_t *domains = json_array(), *items = json_array(), *judgements = json_array();
	size_t i, j;
	const json_t *d, *item;
	json_array_foreach(json_object_get(def, "domains"), i, d) {
		json_array_append_new(domains, json_pack("{s:O, s:O, s:O, s:o}", "id", json_object_get(d, "id"), "kind",
		                                         json_object_get(d, "kind"), "name", json_object_get(d, "name"),
		                                         "values",
		                                         scale_values(def, json_string_value(json_object_get(d, "rating_scale")))));
		json_array_foreach(json_object_get(d, "items"), j, item)
			json_array_append_new(items, json_pack("{s:O, s:O, s:O, s:O, s:o}", "id", json_object_get(item, "id"),
			                                       "domain", json_object_get(d, "id"), "kind",
			                                       json_object_get(item, "kind"), "title",
			                                       json_object_get(item, "title"), "values",
			                                       scale_values(def, json_string_value(json_object_get(item, "scale")))));
	}
	json_array_foreach(json_object_get(def, "judgements"), i, d)
		json_array_append_new(judgements, json_pack("{s:O, s:O}", "id", json_object_get(d, "id"), "label",
		                                            json_object_get(d, "label")));
	json_object_set_new(out, "domains", domains);
	json_object_set_new(out, "items", items);
	json_object_set_new(out, "judgements", judgements);
}

/* Fills one history row's judgement_position, domains and items with their positions; false on error. */
static bool history_row(db *conn, json_t *row, const json_t *def)
{
	const char *id = json_string_value(json_object_get(row, "id"));
	json_object_set_new(row, "judgement_position",
	                    json_integer(instrument_judgement_position(def, json_string_value(json_object_get(row,
	                                                                                                       "judgement")))));
	json_t *ds = api_select(conn, "SELECT domain, value FROM assessment_domain WHERE assessment_id = ?", "t", id);
	json_t *rs = api_select(conn, "SELECT item, value FROM assessment_rating WHERE assessment_id = ?", "t", id);
	if (!ds || !rs) {
		json_decref(ds);
		json_decref(rs);
		return false;
	}
	json_t *domains = json_object(), *items = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(ds, i, r) {
		const char *domain = json_string_value(json_object_get(r, "domain"));
		const char *value = json_string_value(json_object_get(r, "value"));
		const json_t *d = instrument_domain(def, domain);
		int pos = d ? instrument_scale_position(def, json_string_value(json_object_get(d, "rating_scale")), value) : -1;
		json_object_set_new(domains, domain, json_pack("{s:s, s:i}", "value", value, "position", pos));
	}
	json_array_foreach(rs, i, r) {
		const char *item_id = json_string_value(json_object_get(r, "item"));
		const char *value = json_string_value(json_object_get(r, "value"));
		const json_t *item = instrument_item(def, item_id, NULL);
		int pos = item ? instrument_scale_position(def, json_string_value(json_object_get(item, "scale")), value) : -1;
		json_object_set_new(items, item_id, json_pack("{s:s, s:i}", "value", value, "position", pos));
	}
	json_decref(ds);
	json_decref(rs);
	json_object_set_new(row, "domains", domains);
	json_object_set_new(row, "items", items);
	json_object_del(row, "instrument_id");
	return true;
}

void api_assessment_history(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id"), *code = http_request_query(req, "instrument");
	if (!code || !*code) {
		api_field_problem(req, resp, "instrument", "is required: an instrument's code");
		return;
	}
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_case(req, resp, case_id, &s))
		return;
	bool failed = false;
	/* The newest version this case used, else the current one. */
	json_t *inst = api_select_one(req->db, &failed,
		"SELECT i.id, i.code, i.name_ky, i.name_ru, i.name_en FROM instrument i"
		" WHERE i.code = ? ORDER BY CASE WHEN EXISTS (SELECT 1 FROM assessment a WHERE a.instrument_id = i.id"
		" AND a.case_id = ? AND a.status IN ('submitted', 'countersigned', 'superseded')) THEN 0 ELSE 1 END,"
		" i.loaded_at DESC, i.id DESC LIMIT 1", "tt", code, case_id);
	if (!inst) {
		if (failed)
			api_db_failed(req, resp, "reading an instrument");
		else
			api_field_problem(req, resp, "instrument", "is not a loaded instrument's code");
		return;
	}
	json_t *cache = json_object();
	const json_t *frame_def = def_cached(req->db, cache, json_string_value(json_object_get(inst, "id")));
	json_t *rows = frame_def ? api_select(req->db,
		"SELECT a.id, a.status, a.assessed_on, i.version AS instrument_version, a.judgement, a.instrument_id"
		" FROM assessment a JOIN instrument i ON i.id = a.instrument_id WHERE a.case_id = ? AND i.code = ?"
		" AND a.status IN ('submitted', 'countersigned', 'superseded')"
		" ORDER BY a.assessed_on, a.submitted_at, a.id", "tt", case_id, code) : NULL;
	size_t i;
	json_t *row;
	bool ok = rows != NULL;
	json_array_foreach(rows, i, row) {
		const json_t *def = ok ? def_cached(req->db, cache, json_string_value(json_object_get(row, "instrument_id")))
		                       : NULL;
		ok = def && history_row(req->db, row, def);
		if (!ok)
			break;
	}
	char *detail = xasprintf("history: %s", code);
	ok = ok && scope_audit(req, &s, AUDIT_CONSULT, "case_assessments", case_id, detail);
	free(detail);
	if (!ok) {
		json_decref(inst);
		json_decref(rows);
		json_decref(cache);
		api_db_failed(req, resp, "reading a case's assessment history");
		return;
	}
	api_texts_fold(inst, "name", "instrument_name");
	json_t *out = json_pack("{s:O, s:O}", "instrument_code", json_object_get(inst, "code"), "instrument_name",
	                        json_object_get(inst, "instrument_name"));
	history_frame(frame_def, out);
	json_object_set_new(out, "assessments", rows);
	json_decref(inst);
	json_decref(cache);
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 200, out);
}

/* ---- the queues ---------------------------------------------------------------------- */

void api_assessments_list(struct http_request *req, struct http_response *resp)
{
	const char *view = http_request_query(req, "view");
	if (!view)
		view = "mine";
	bool mine = strcmp(view, "mine") == 0;
	if (!mine && strcmp(view, "countersign") != 0) {
		api_field_problem(req, resp, "view", "must be one of: mine, countersign");
		return;
	}
	if (!api_begin(req, resp))
		return;
	const struct principal *p = &req->principal;
	int64_t countersigner = policy_has(p, "assessments.countersign");
	json_t *rows = mine
		? api_select(req->db, REACH_CTE " " SUMMARY_COLUMNS SUMMARY_FROM
		             " WHERE a.assessor_id = ? AND a.status IN ('draft', 'submitted')"
		             " AND c.unit_id IN (SELECT id FROM reach) ORDER BY a.updated_at DESC, a.id DESC LIMIT 200",
		             "ttit", p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), p->account_id)
		: api_select(req->db, REACH_CTE " " SUMMARY_COLUMNS SUMMARY_FROM
		             " WHERE a.status = 'submitted' AND a.assessor_id <> ? AND ? = 1"
		             " AND c.unit_id IN (SELECT id FROM reach) ORDER BY a.submitted_at, a.id LIMIT 200",
		             "ttiti", p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), p->account_id,
		             countersigner);
	json_t *cache = json_object();
	bool ok = rows && summaries_fill(req->db, rows, cache) && api_audit_list(req, "assessment", rows, view);
	json_decref(cache);
	if (!ok) {
		json_decref(rows);
		api_db_failed(req, resp, "listing assessments");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", rows));
}

void api_assessment_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct assessment_row a;
	struct record_scope s;
	if (!api_begin(req, resp) || !assessment_load(req, resp, id, false, &a, &s))
		return;
	if (!scope_audit(req, &s, AUDIT_CONSULT, "assessment", a.id, a.case_id)) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	answer(req, resp, a.id, &s, 200);
}

/* ---- the assessor's draft ------------------------------------------------------------- */

/*
 * The common start of the assessor's own steps on a draft (saving, submitting): If-Match, the transaction, the
 * assessment within reach for a change, today's date; then only its assessor (403), only a draft (409), the
 * version (412) — answering and returning false on any of them.
 */
static bool own_draft(struct http_request *req, struct http_response *resp, const char *what, int64_t *version_r,
                      struct assessment_row *a, struct record_scope *s, char today[11])
{
	if (!api_if_match(req, resp, version_r) || !api_begin(req, resp) ||
	    !assessment_load(req, resp, http_request_param(req, "id"), true, a, s) ||
	    !api_today_date(req, resp, NULL, today))
		return false;
	if (strcmp(a->assessor_id, req->principal.account_id) != 0) {
		not_assessor(req, resp, what);
		return false;
	}
	if (strcmp(a->status, "draft") != 0) {
		wrong_status(req, resp, "not-draft", a->status);
		return false;
	}
	if (*version_r != a->version) {
		stale(req, resp);
		return false;
	}
	return true;
}

void api_assessment_update(struct http_request *req, struct http_response *resp)
{
	int64_t version = 0;
	struct assessment_row a;
	struct record_scope s;
	char today[11];
	if (!own_draft(req, resp, "change", &version, &a, &s, today))
		return;
	json_t *def = NULL;
	if (instrument_definition(req->db, a.instrument_id, &def, NULL) != DB_OK || !def) {
		api_db_failed(req, resp, "reading an instrument");
		return;
	}
	struct field_errors fe = {0};
	bool valid = assessment_body_validate(req->json, def, today, &fe);
	json_decref(def);
	if (!valid) {
		api_errors_answer(req, resp, &fe);
		return;
	}
	bool changed = false;
	int64_t now = clock_now_ms();
	if (assessment_save(req->db, a.id, version, req->json, now, &changed) != DB_OK) {
		api_db_failed(req, resp, "saving an assessment");
		return;
	}
	if (!changed) {
		stale(req, resp);
		return;
	}
	/* Saving a draft adds no timeline event; the log records the change. */
	if (!scope_audit(req, &s, AUDIT_ALTER, "assessment", a.id, a.case_id)) {
		api_db_failed(req, resp, "saving an assessment");
		return;
	}
	answer(req, resp, a.id, &s, 200);
}

void api_assessment_submit(struct http_request *req, struct http_response *resp)
{
	int64_t version = 0;
	struct assessment_row a;
	struct record_scope s;
	char today[11];
	if (!own_draft(req, resp, "submit", &version, &a, &s, today))
		return;
	bool certified = true;
	if (a.certification_required &&
	    assessor_certified(req->db, req->principal.account_id, a.code, today, &certified) != DB_OK) {
		api_db_failed(req, resp, "reading certifications");
		return;
	}
	if (!certified) {
		char *detail = xasprintf("You hold no live certification for the instrument %s (%s): only a certified "
		                         "assessor may submit an assessment with it.", a.name_en, a.code);
		api_conflict(req, resp, "not-certified", "Not certified for this instrument", detail);
		free(detail);
		return;
	}
	json_t *full = assessment_json(req, a.id, true);
	if (!full) {
		api_db_failed(req, resp, "reading an assessment");
		return;
	}
	json_t *missing = json_incref(json_object_get(full, "missing"));
	json_decref(full);
	if (json_array_size(missing) > 0) {
		db_rollback(req->db);
		char *detail = xasprintf("%zu thing(s) still stop submission: rate every item with its evidence and source, "
		                         "rate every domain, and give the sources, limitations, judgement and rationale.",
		                         json_array_size(missing));
		http_problem(resp, req, 422, "assessment-incomplete", "The assessment is not complete", detail, missing);
		free(detail);
		return;
	}
	json_decref(missing);
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE assessment SET status = 'submitted', submitted_at = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND version = ? AND status = 'draft'", "iiti", now, now, a.id, version) == DB_OK;
	if (ok && changed != 1) {
		stale(req, resp);
		return;
	}
	/* The reminders are resolved at countersignature: a submitted assessment may still be returned. */
	ok = ok && assessment_event(req->db, &a, "assessment.submitted", req->principal.account_id, now,
	                      "Assessment submitted for countersignature", NULL) &&
	     scope_audit(req, &s, AUDIT_ALTER, "assessment", a.id, a.case_id);
	if (!ok) {
		api_db_failed(req, resp, "submitting an assessment");
		return;
	}
	answer(req, resp, a.id, &s, 200);
}

/* ---- the unit head's countersignature or return ----------------------------------------- */

static const struct field_rule countersign_rules[] = {
	{"note", FIELD_STRING, false, 0, 2000, NULL},
};
static const struct field_rule return_rules[] = {
	{"note", FIELD_STRING, true, 5, 2000, NULL},
};
static const struct field_rule withdraw_rules[] = {
	{"reason", FIELD_STRING, true, 5, 1000, NULL},
};

/* The steps every decision on an assessment shares: body, If-Match, the row, reach, status and version. */
static bool decision_start(struct http_request *req, struct http_response *resp, const struct field_rule *rules,
                           size_t nrules, const char *status, struct assessment_row *a, struct record_scope *s,
                           int64_t *version_r)
{
	struct field_errors fe = {0};
	json_t *empty = req->json ? NULL : json_object();
	validate_object(req->json ? req->json : empty, rules, nrules, &fe);
	json_decref(empty);
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, version_r) || !api_begin(req, resp) ||
	    !assessment_load(req, resp, http_request_param(req, "id"), true, a, s))
		return false;
	if (strcmp(a->status, status) != 0) {
		wrong_status(req, resp, strcmp(status, "draft") == 0 ? "not-draft" : "not-submitted", a->status);
		return false;
	}
	if (*version_r != a->version) {
		stale(req, resp);
		return false;
	}
	return true;
}

void api_assessment_countersign(struct http_request *req, struct http_response *resp)
{
	struct assessment_row a;
	struct record_scope s;
	int64_t version = 0;
	char today[11];
	if (!decision_start(req, resp, countersign_rules, NRULES(countersign_rules), "submitted", &a, &s, &version) ||
	    !api_today_date(req, resp, NULL, today))
		return;
	if (strcmp(a.assessor_id, req->principal.account_id) == 0) {
		api_conflict(req, resp, "own-assessment", "Not your own assessment",
		             "Another unit head countersigns an assessment you made.");
		return;
	}
	const char *actor = req->principal.account_id;
	int64_t now = clock_now_ms(), changed = 0;
	const char *note = json_str(req->json, "note");
	bool ok = db_run(req->db, &changed,
	                 "UPDATE assessment SET status = 'countersigned', countersigned_at = ?, countersigned_by = ?,"
	                 " countersign_note = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND version = ? AND status = 'submitted'",
	                 "ittiti", now, actor, note, now, a.id, version) == DB_OK;
	if (ok && changed != 1) {
		stale(req, resp);
		return;
	}
	json_t *superseded = json_array();
	struct assessment_plan plan;
	memset(&plan, 0, sizeof plan);
	char superseded_by[UUID_STR_LEN] = "";
	ok = ok && assessment_supersede(req->db, a.case_id, a.code, a.id, actor, now, superseded, superseded_by) == DB_OK;
	/* An assessment dated before the countersigned one that stands is superseded at once: its actions stay out of
	 * the plan (the standing one's are there). */
	if (ok && !superseded_by[0])
		ok = assessment_into_plan(req->db, a.id, actor, today, now, &plan) == DB_OK;
	else
		plan.action_ids = json_array();
	ok = ok && assessment_resolve_reminders(req->db, a.case_id, a.id, actor, now) == DB_OK;
	size_t i;
	json_t *x;
	json_array_foreach(superseded, i, x) {
		ok = ok && scope_audit(req, &s, AUDIT_ALTER, "assessment", json_string_value(x), a.case_id);
	}
	if (ok && plan.plan_created)
		ok = scope_audit(req, &s, AUDIT_COLLECT, "supervision_plan", plan.plan_id, a.case_id);
	if (ok && plan.objective_id[0])
		ok = scope_audit(req, &s, AUDIT_COLLECT, "plan_objective", plan.objective_id, a.case_id);
	json_array_foreach(plan.action_ids, i, x) {
		ok = ok && scope_audit(req, &s, AUDIT_COLLECT, "plan_action", json_string_value(x), a.case_id);
	}
	ok = ok && assessment_event(req->db, &a, "assessment.countersigned", actor, now, "Assessment countersigned",
	                            json_pack("{s:O, s:o, s:o, s:I}", "superseded", superseded, "superseded_by",
	                                      superseded_by[0] ? json_string(superseded_by) : json_null(),
	                                      "plan_objective_id",
	                                      plan.objective_id[0] ? json_string(plan.objective_id) : json_null(),
	                                      "plan_actions", (json_int_t)json_array_size(plan.action_ids))) &&
	     scope_audit(req, &s, AUDIT_ALTER, "assessment", a.id, a.case_id);
	json_decref(superseded);
	json_decref(plan.action_ids);
	if (!ok) {
		api_db_failed(req, resp, "countersigning an assessment");
		return;
	}
	answer(req, resp, a.id, &s, 200);
}

void api_assessment_return(struct http_request *req, struct http_response *resp)
{
	struct assessment_row a;
	struct record_scope s;
	int64_t version = 0;
	if (!decision_start(req, resp, return_rules, NRULES(return_rules), "submitted", &a, &s, &version))
		return;
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE assessment SET status = 'draft', submitted_at = NULL, returned_at = ?, returned_by = ?,"
	                 " return_note = ?, updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND version = ? AND status = 'submitted'",
	                 "ittiti", now, req->principal.account_id, api_str(req, "note"), now, a.id, version) == DB_OK;
	if (ok && changed != 1) {
		stale(req, resp);
		return;
	}
	ok = ok && assessment_event(req->db, &a, "assessment.returned", req->principal.account_id, now,
	                            "Assessment returned to its assessor as a draft", NULL) &&
	     scope_audit(req, &s, AUDIT_ALTER, "assessment", a.id, a.case_id);
	if (!ok) {
		api_db_failed(req, resp, "returning an assessment");
		return;
	}
	answer(req, resp, a.id, &s, 200);
}

void api_assessment_withdraw(struct http_request *req, struct http_response *resp)
{
	struct assessment_row a;
	struct record_scope s;
	int64_t version = 0;
	if (!decision_start(req, resp, withdraw_rules, NRULES(withdraw_rules), "draft", &a, &s, &version))
		return;
	/* Its assessor, or a unit head of the case (the case is within their units or a grant: checked above). */
	if (strcmp(a.assessor_id, req->principal.account_id) != 0 &&
	    !policy_has(&req->principal, "assessments.countersign")) {
		not_assessor(req, resp, "withdraw");
		return;
	}
	int64_t now = clock_now_ms(), changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE assessment SET status = 'withdrawn', withdrawn_at = ?, withdraw_reason = ?, updated_at = ?,"
	                 " version = version + 1 WHERE id = ? AND version = ? AND status = 'draft'",
	                 "ititi", now, api_str(req, "reason"), now, a.id, version) == DB_OK;
	if (ok && changed != 1) {
		stale(req, resp);
		return;
	}
	ok = ok && assessment_event(req->db, &a, "assessment.withdrawn", req->principal.account_id, now,
	                            "Draft assessment withdrawn", NULL) &&
	     scope_audit(req, &s, AUDIT_ALTER, "assessment", a.id, a.case_id);
	if (!ok) {
		api_db_failed(req, resp, "withdrawing an assessment");
		return;
	}
	answer(req, resp, a.id, &s, 200);
}
