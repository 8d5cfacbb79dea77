/*
 * variations.c — proposals to add, change or remove a condition (S8). The
 * officer proposes with the facts and reasons and records the person's
 * account; the unit head endorses or returns (never their own proposal); the
 * competent authority — usually in a court agency, outside the case's units —
 * decides an endorsed one, and only once the reason and the person's view
 * are both on file. An approval applies in the same transaction: a new
 * condition, or the old one ended and replaced, or ended.
 *
 *   proposed -> endorsed | returned (review); returned -> proposed (PUT);
 *   proposed | returned -> withdrawn; endorsed -> approved | refused (decision)
 *
 * The authority reaches endorsed and decided variations without the unit
 * rule; each such read is logged with the referral as its basis.
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
#include "domain/conditions.h"
#include "domain/keydates.h"
#include "domain/person.h"


static const char *const actions[] = {"add", "change", "remove", NULL};

#define VARIATION_COLUMNS \
	"SELECT v.id, v.case_id, c.number AS case_number," \
	" " PERSON_NAME_SQL("p") " AS person_name, u.name AS unit_name," \
	" v.action, v.condition_id, v.proposal, v.reason, v.person_view, v.status, pa.display_name AS proposed_by_name," \
	" v.proposed_at, ra.display_name AS reviewed_by_name, v.reviewed_at, v.review_comment," \
	" da.display_name AS decided_by_name, v.decided_at, v.authority_reference, v.decision_reasons," \
	" v.effective_from, v.result_condition_id, v.version, v.proposed_by, c.person_id AS person_id_"
#define VARIATION_FROM \
	" FROM condition_variation v JOIN case_file c ON c.id = v.case_id JOIN person p ON p.id = c.person_id" \
	" JOIN unit u ON u.id = c.unit_id JOIN account pa ON pa.id = v.proposed_by" \
	" LEFT JOIN account ra ON ra.id = v.reviewed_by LEFT JOIN account da ON da.id = v.decided_by"
#define VARIATION_SELECT VARIATION_COLUMNS VARIATION_FROM

/* ---- small helpers ------------------------------------------------------------------- */

/* ---- a variation as JSON -------------------------------------------------------------- */

/* Renders a stored proposal's text in the three languages; JSON null when there is none. */
static json_t *proposal_texts(db *conn, const json_t *proposal, bool *failed_r)
{
	if (!json_is_object(proposal))
		return json_null();
	const char *code = json_str(proposal, "code");
	struct condition_type t = {0};
	bool typed = false;
	if (code) {
		enum db_status rc = condition_type_load(conn, json_integer_value(json_object_get(proposal,
		                                                                                 "catalogue_version")),
		                                        code, &t);
		if (rc != DB_OK && rc != DB_DONE) {
			*failed_r = true;
			return json_null();
		}
		typed = rc == DB_OK;
	}
	const char *free_text = json_str(proposal, "free_text");
	json_t *texts = condition_texts(typed ? &t : NULL, free_text ? free_text : (code ? code : ""),
	                                json_object_get(proposal, "params"));
	condition_type_free(&t);
	return texts;
}

/* Completes rows of VARIATION_SELECT: proposal parsed and rendered, the condition, readiness (S8). */
static bool variations_fill(db *conn, json_t *rows, const char *asked_lang, const char *today)
{
	size_t i;
	json_t *v;
	bool failed = false;
	json_array_foreach(rows, i, v) {
		char lang[3];
		if (asked_lang)
			snprintf(lang, sizeof lang, "%s", asked_lang);
		else if (condition_person_language(conn, json_string_value(json_object_get(v, "person_id_")), lang) != DB_OK)
			return false;
		json_object_del(v, "person_id_");
		json_object_del(v, "in_reach_");
		json_t *proposal = json_loads(json_string_value(json_object_get(v, "proposal")), 0, NULL);
		json_object_set_new(v, "proposal_text", proposal_texts(conn, proposal, &failed));
		json_object_set_new(v, "proposal", proposal ? proposal : json_null());
		const char *cid = json_string_value(json_object_get(v, "condition_id"));
		json_t *c = cid ? condition_json(conn, cid, lang, today) : json_null();
		if (!c || failed)
			return false;
		json_object_set_new(v, "condition", c);
		json_t *missing = json_array();
		if (text_blank(json_string_value(json_object_get(v, "reason"))))
			json_array_append_new(missing, json_string("reason"));
		if (text_blank(json_string_value(json_object_get(v, "person_view"))))
			json_array_append_new(missing, json_string("person_view"));
		json_object_set_new(v, "ready_for_decision", json_boolean(json_array_size(missing) == 0));
		json_object_set_new(v, "missing", missing);
	}
	return true;
}

/* ---- how the person has complied (for the decision, S8) ---------------------------------- */

#define COMPLIANCE_DAYS 180

static const char *const contact_outcomes[] = {"attended_complied", "attended_failed_to_comply", "sent_home",
                                               "acceptable_absence", "unacceptable_absence", "failed_to_attend",
                                               NULL};

/* The case's current supervision level as {code, title {ky, ru, en}}, or JSON null; NULL on a database error. */
static json_t *compliance_level(db *conn, const char *case_id)
{
	db_stmt *st = NULL;
	json_t *out = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT l.level, r.title_ky, r.title_ru, r.title_en FROM case_supervision_level l"
		" JOIN ref_supervision_level r ON r.code = l.level WHERE l.case_id = ?"
		" ORDER BY l.set_at DESC, l.id DESC LIMIT 1", "t", case_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *ky = db_column_text(st, 1, NULL), *ru = db_column_text(st, 2, NULL),
		           *en = db_column_text(st, 3, NULL);
		out = json_pack("{s:s, s:{s:o, s:o, s:o}}", "code", db_column_text(st, 0, NULL), "title",
		                "ky", ky ? json_string(ky) : json_null(), "ru", ru ? json_string(ru) : json_null(),
		                "en", en ? json_string(en) : json_null());
	} else if (rc == DB_DONE) {
		out = json_null();
	}
	db_finalize(&st);
	return out;
}

/* {outcome: count} of the case's contacts from `since` (YYYY-MM-DD) on, every outcome present; NULL on error. */
static json_t *compliance_outcomes(db *conn, const char *case_id, const char *since)
{
	json_t *out = json_object();
	for (const char *const *o = contact_outcomes; *o; o++)
		json_object_set_new(out, *o, json_integer(0));
	/* happened_local is "YYYY-MM-DDTHH:MM": compared as text with the first minute of `since`. */
	char from[17];
	snprintf(from, sizeof from, "%.10sT00:00", since);
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT outcome, COUNT(*) FROM contact WHERE case_id = ? AND happened_local >= ? GROUP BY outcome", "tt",
		case_id, from);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *outcome = db_column_text(st, 0, NULL);
		if (outcome && json_object_get(out, outcome))
			json_object_set_new(out, outcome, json_integer(db_column_int64(st, 1)));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The case's active conditions and how many of them no explanation covered (S4); false on a database error. */
static bool compliance_conditions(db *conn, const char *case_id, int64_t *active_r, int64_t *unexplained_r)
{
	*active_r = *unexplained_r = 0;
	json_t *covered = json_object(); /* a set of the condition ids some explanation named */
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT condition_ids FROM condition_explanation WHERE case_id = ?",
	                             "t", case_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_t *ids = json_loads(db_column_text(st, 0, NULL) ? db_column_text(st, 0, NULL) : "[]", 0, NULL);
		size_t i;
		json_t *id;
		json_array_foreach(ids, i, id) {
			if (json_is_string(id))
				json_object_set_new(covered, json_string_value(id), json_true());
		}
		json_decref(ids);
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE)
		rc = db_query(conn, &st, "SELECT id FROM case_condition WHERE case_id = ? AND status = 'active'", "t",
		              case_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *id = db_column_text(st, 0, NULL);
		(*active_r)++;
		if (!id || !json_object_get(covered, id))
			(*unexplained_r)++;
		rc = DB_OK;
	}
	db_finalize(&st);
	json_decref(covered);
	return rc == DB_DONE;
}

/* The compliance member of a variation: the level, contact outcomes over the last 180 days, the conditions
   in force and those never explained; NULL on a database error. */
static json_t *compliance_json(db *conn, const char *case_id, const char *today)
{
	struct civil_date d;
	if (!civil_date_parse(today, &d))
		return NULL;
	char since[11];
	civil_date_format(civil_date_add_days(d, -COMPLIANCE_DAYS), since);
	int64_t active = 0, unexplained = 0;
	json_t *level = compliance_level(conn, case_id);
	json_t *outcomes = level ? compliance_outcomes(conn, case_id, since) : NULL;
	if (!level || !outcomes || !compliance_conditions(conn, case_id, &active, &unexplained)) {
		json_decref(level);
		json_decref(outcomes);
		return NULL;
	}
	return json_pack("{s:o, s:s, s:o, s:I, s:I}", "level", level, "since", since, "outcomes", outcomes,
	                 "conditions_active", (json_int_t)active, "unexplained", (json_int_t)unexplained);
}

/* One variation as JSON with its compliance (committed and answered by the caller); NULL on a database error. */
static json_t *variation_json(db *conn, const char *id, const char *lang)
{
	char today[11];
	if (!api_today(conn, today))
		return NULL;
	json_t *rows = api_select(conn, VARIATION_SELECT " WHERE v.id = ?", "t", id);
	if (!rows || !variations_fill(conn, rows, lang, today) || json_array_size(rows) != 1) {
		json_decref(rows);
		return NULL;
	}
	json_t *v = json_incref(json_array_get(rows, 0));
	json_decref(rows);
	json_t *compliance = compliance_json(conn, json_string_value(json_object_get(v, "case_id")), today);
	if (!compliance) {
		json_decref(v);
		return NULL;
	}
	json_object_set_new(v, "compliance", compliance);
	return v;
}

/* Commits and answers with the variation and its ETag. */
static void answer_variation(struct http_request *req, struct http_response *resp, const char *id, const char *lang,
                             int status)
{
	json_t *v = variation_json(req->db, id, lang);
	if (!v) {
		api_db_failed(req, resp, "reading a variation");
		return;
	}
	api_commit_send(req, resp, status, v);
}

/* ---- the stored row ------------------------------------------------------------------ */

/* What the actions need of a variation. */
struct variation_row {
	char id[UUID_STR_LEN];
	char case_id[UUID_STR_LEN];
	char condition_id[UUID_STR_LEN]; /* "" for add */
	char proposed_by[UUID_STR_LEN];
	char decided_by[UUID_STR_LEN];   /* "" until decided */
	char action[8];
	char status[16];
	int64_t version;
	bool reason, person_view;        /* on file (S8) */
	json_t *proposal;                /* owned; NULL for remove */
};

static const char *text_of(const json_t *row, const char *name)
{
	const char *s = json_string_value(json_object_get(row, name));
	return s ? s : "";
}

/* Loads a variation; false after answering (404, 500). */
static bool variation_load(struct http_request *req, struct http_response *resp, const char *id,
                           struct variation_row *v)
{
	memset(v, 0, sizeof *v);
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT id, case_id, condition_id, proposed_by, decided_by, action, status, version, reason, person_view,"
		" proposal FROM condition_variation WHERE id = ?", "t", uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a variation");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "variation");
		}
		return false;
	}
#define COPY(field) snprintf(v->field, sizeof v->field, "%s", text_of(row, #field))
	COPY(id);
	COPY(case_id);
	COPY(condition_id);
	COPY(proposed_by);
	COPY(decided_by);
	COPY(action);
	COPY(status);
#undef COPY
	v->version = json_integer_value(json_object_get(row, "version"));
	v->reason = !text_blank(json_string_value(json_object_get(row, "reason")));
	v->person_view = !text_blank(json_string_value(json_object_get(row, "person_view")));
	const char *proposal = json_string_value(json_object_get(row, "proposal"));
	v->proposal = proposal ? json_loads(proposal, 0, NULL) : NULL;
	json_decref(row);
	return true;
}

/* Adds a variation.* timeline event (codes only: no text of the proposal or the person's view). */
static bool variation_event(db *conn, const struct variation_row *v, const char *kind, const char *actor,
                            int64_t now, const char *extra_json)
{
	struct buf detail = {0};
	buf_puts(&detail, "{\"variation_id\":");
	buf_json_string(&detail, v->id);
	buf_puts(&detail, ",\"action\":");
	buf_json_string(&detail, v->action);
	buf_puts(&detail, ",\"condition_id\":");
	buf_json_string(&detail, v->condition_id[0] ? v->condition_id : NULL);
	buf_puts(&detail, ",\"code\":");
	buf_json_string(&detail, v->proposal ? json_str(v->proposal, "code") : NULL);
	if (extra_json) {
		buf_putc(&detail, ',');
		buf_puts(&detail, extra_json);
	}
	buf_putc(&detail, '}');
	const char *what = strchr(kind, '.') + 1;
	char *summary = xasprintf("Variation %s (%s a condition)", what, v->action);
	bool ok = case_event_add(conn, v->case_id, now, kind, actor, summary, detail.data, "condition_variation",
	                         v->id) == DB_OK;
	free(summary);
	buf_free(&detail);
	return ok;
}

/* ---- proposals ----------------------------------------------------------------------- */

/*
 * Checks a proposal inside the transaction: resolved against the catalogue
 * (the decision defaults to the condition's) and authorised (S1). Returns the
 * normalised proposal to store, or NULL after answering (422, 500).
 */
static json_t *proposal_check(struct http_request *req, struct http_response *resp, const char *case_id,
                              const json_t *in, const char *default_decision)
{
	char today[11], reason[CONDITION_REASON_MAX];
	if (!api_today(req->db, today)) {
		api_db_failed(req, resp, "reading the date");
		return NULL;
	}
	struct condition_fields f;
	struct condition_type t;
	struct catalogue_error err;
	if (condition_input_resolve(req->db, in, "proposal", default_decision, today, &f, &t, &err) != DB_OK) {
		condition_type_free(&t);
		api_db_failed(req, resp, "checking a proposal");
		return NULL;
	}
	if (err.field[0]) {
		condition_type_free(&t);
		api_field_problem(req, resp, err.field, err.problem);
		return NULL;
	}
	const char *field = NULL;
	enum db_status rc = condition_authorised(req->db, case_id, f.decision_id, f.duty, reason, sizeof reason,
	                                         &field);
	if (rc == DB_CONSTRAINT) {
		condition_type_free(&t);
		db_rollback(req->db);
		char name[40];
		snprintf(name, sizeof name, "proposal.%s", strcmp(field, "duty") == 0 && f.code ? "code" : field);
		http_problem(resp, req, 422, "not-authorised", "The decision does not authorise this condition", reason,
		             json_pack("[{s:s, s:s}]", "field", name, "message", reason));
		return NULL;
	}
	if (rc != DB_OK) {
		condition_type_free(&t);
		api_db_failed(req, resp, "checking a proposal");
		return NULL;
	}
	const char *from = json_str(in, "effective_from");
	json_t *p = json_pack("{s:s, s:o, s:o, s:o, s:s, s:o, s:s, s:s, s:s, s:o}", "decision_id", f.decision_id,
		"code", f.code ? json_string(f.code) : json_null(),
		"catalogue_version", f.code ? json_integer(f.catalogue_version) : json_null(),
		"free_text", f.free_text ? json_string(f.free_text) : json_null(), "duty", f.duty,
		"params", json_is_object(f.params) ? json_deep_copy(f.params) : json_object(),
		"answers", f.answers, "answers_detail", f.answers_detail, "review_on", f.review_on,
		"effective_from", from ? json_string(from) : json_null());
	condition_type_free(&t);
	return p;
}

static const struct field_rule create_rules[] = {
	{"action", FIELD_ENUM, true, 0, 0, actions},
	{"condition_id", FIELD_UUID, false, 0, 0, NULL},
	{"proposal", FIELD_OBJECT, false, 0, 0, NULL},
	{"reason", FIELD_STRING, true, 1, 4000, NULL},
	{"person_view", FIELD_STRING, false, 0, 4000, NULL},
};

/* The checks of a proposal's presence for an action, and of the proposal itself. */
static void action_check(const char *action, const json_t *body, bool creating, struct field_errors *fe)
{
	const json_t *proposal = json_object_get(body, "proposal");
	bool has_proposal = proposal && !json_is_null(proposal);
	bool has_condition = json_str(body, "condition_id") != NULL;
	if (creating && strcmp(action, "add") == 0 && has_condition)
		field_error(fe, "condition_id", "must be absent when adding a condition");
	if (creating && strcmp(action, "add") != 0 && !has_condition)
		field_error(fe, "condition_id", "is required to %s a condition", action);
	if (strcmp(action, "remove") == 0 && has_proposal)
		field_error(fe, "proposal", "must be absent when removing a condition");
	if (creating && strcmp(action, "remove") != 0 && !has_proposal)
		field_error(fe, "proposal", "is required to %s a condition", action);
	if (has_proposal && json_is_object(proposal))
		condition_input_validate(proposal, "proposal", strcmp(action, "add") == 0, fe);
}

/* The condition a change or removal is about: this case's, active, not already under a pending proposal. */
static bool target_check(struct http_request *req, struct http_response *resp, const char *case_id,
                         const char *condition_id, const char *variation_id, char decision_id[UUID_STR_LEN])
{
	bool failed = false;
	json_t *c = api_select_one(req->db, &failed,
		"SELECT c.status, c.decision_id, (SELECT COUNT(*) FROM condition_variation v WHERE v.condition_id = c.id"
		" AND v.status IN ('proposed', 'returned', 'endorsed') AND v.id <> ?) AS pending"
		" FROM case_condition c WHERE c.id = ? AND c.case_id = ?", "ttt", variation_id ? variation_id : "",
		condition_id, case_id);
	if (failed) {
		api_db_failed(req, resp, "reading a condition");
		return false;
	}
	if (!c) {
		api_field_problem(req, resp, "condition_id", "is not a condition of this case");
		return false;
	}
	bool active = strcmp(json_string_value(json_object_get(c, "status")), "active") == 0;
	int64_t pending = json_integer_value(json_object_get(c, "pending"));
	snprintf(decision_id, UUID_STR_LEN, "%s", json_string_value(json_object_get(c, "decision_id")));
	json_decref(c);
	if (!active) {
		api_field_problem(req, resp, "condition_id", "has ended");
		return false;
	}
	if (pending) {
		api_conflict(req, resp, "pending-variation", "A variation is already pending",
		         "This condition already has a variation proposed, returned or endorsed.");
		return false;
	}
	return true;
}

void api_variation_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, create_rules, NRULES(create_rules), &fe))
		action_check(api_str(req, "action"), req->json, true, &fe);
	struct record_scope s;
	const char *lang = NULL;
	if (field_errors_respond(&fe, resp, req) || !api_lang_query(req, resp, &lang) || !api_begin(req, resp) ||
	    !scope_case(req, resp, case_id, &s) || !scope_may_change(req, resp, &s, "case", case_id))
		return;
	if (strcmp(s.status, "closed") == 0) {
		api_conflict(req, resp, "closed", "The case is closed", "Conditions are varied on open cases.");
		return;
	}
	struct variation_row v = {0};
	uuid_v7(v.id);
	snprintf(v.case_id, sizeof v.case_id, "%s", case_id);
	snprintf(v.action, sizeof v.action, "%s", api_str(req, "action"));
	const char *condition_id = json_str(req->json, "condition_id");
	char decision_id[UUID_STR_LEN] = "";
	if (condition_id) {
		if (!target_check(req, resp, case_id, condition_id, NULL, decision_id))
			return;
		snprintf(v.condition_id, sizeof v.condition_id, "%s", condition_id);
	}
	const json_t *in = json_object_get(req->json, "proposal");
	if (in && !json_is_null(in) &&
	    !(v.proposal = proposal_check(req, resp, case_id, in, decision_id[0] ? decision_id : NULL)))
		return;
	char *proposal = v.proposal ? json_dumps(v.proposal, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	const char *person_view = json_str(req->json, "person_view");
	int64_t now = clock_now_ms();
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO condition_variation (id, case_id, action, condition_id, proposal, reason, person_view,"
	                 " status, proposed_by, proposed_at, created_at, updated_at)"
	                 " VALUES (?, ?, ?, ?, ?, ?, ?, 'proposed', ?, ?, ?, ?)",
	                 "ttttttttiii", v.id, case_id, v.action, condition_id, proposal, api_str(req, "reason"),
	                 person_view, req->principal.account_id, now, now, now) == DB_OK &&
	          variation_event(req->db, &v, "variation.proposed", req->principal.account_id, now, NULL) &&
	          scope_audit(req, &s, AUDIT_COLLECT, "condition_variation", v.id, case_id);
	free(proposal);
	json_decref(v.proposal);
	if (!ok) {
		api_db_failed(req, resp, "proposing a variation");
		return;
	}
	answer_variation(req, resp, v.id, lang, 201);
}

/* ---- reading ------------------------------------------------------------------------- */

void api_case_variations(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id"), *lang = NULL;
	struct record_scope s;
	char today[11];
	if (!api_lang_query(req, resp, &lang) || !api_begin(req, resp) || !scope_case(req, resp, case_id, &s))
		return;
	json_t *rows = api_today(req->db, today)
	                   ? api_select(req->db, VARIATION_SELECT " WHERE v.case_id = ? ORDER BY v.proposed_at DESC, v.id",
	                                "t", case_id)
	                   : NULL;
	if (!rows || !variations_fill(req->db, rows, lang, today) ||
	    !scope_audit(req, &s, AUDIT_CONSULT, "case_variations", case_id, NULL)) {
		json_decref(rows);
		api_db_failed(req, resp, "reading variations");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", rows));
}

static const char *const list_statuses[] = {"proposed", "returned", "endorsed", "decided", "withdrawn", NULL};

void api_variations_list(struct http_request *req, struct http_response *resp)
{
	const char *status = http_request_query(req, "status"), *lang = NULL;
	bool known = !status;
	for (const char *const *p = list_statuses; status && *p; p++)
		known |= strcmp(*p, status) == 0;
	if (!known) {
		api_field_problem(req, resp, "status", "must be one of: proposed, returned, endorsed, decided, withdrawn");
		return;
	}
	if (!api_lang_query(req, resp, &lang) || !api_begin(req, resp))
		return;
	const struct principal *p = &req->principal;
	int64_t authority = policy_has(p, "variations.decide");
	char today[11];
	json_t *rows = api_today(req->db, today) ? api_select(req->db,
		REACH_CTE
		" " VARIATION_COLUMNS ", CASE WHEN c.unit_id IN (SELECT id FROM reach) THEN 1 ELSE 0 END AS in_reach_"
		VARIATION_FROM " WHERE (CAST(? AS TEXT) IS NULL OR v.status = ?"
		"  OR (CAST(? AS TEXT) = 'decided' AND v.status IN ('approved', 'refused')))"
		" AND (c.unit_id IN (SELECT id FROM reach)"
		"  OR (? = 1 AND (v.status = 'endorsed' OR v.decided_by = ?)))"
		" ORDER BY v.proposed_at DESC, v.id LIMIT 500",
		"ttitttit", p->unit_id[0] ? p->unit_id : NULL, p->account_id, clock_now_ms(), status, status, status,
		authority, p->account_id) : NULL;
	if (!rows) {
		api_db_failed(req, resp, "listing variations");
		return;
	}
	/* What the unit rule reached is logged as one list read; each one reached as the authority, by itself. */
	bool ok = scope_audit_referred_list(req, "condition_variation", rows);
	if (!ok || !variations_fill(req->db, rows, lang, today)) {
		json_decref(rows);
		api_db_failed(req, resp, "listing variations");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", rows));
}

/* The authority reaches, without the unit rule, what is referred to it and what it decided itself (as the list). */
static bool authority_reaches(const struct http_request *req, const struct variation_row *v)
{
	if (!policy_has(&req->principal, "variations.decide"))
		return false;
	if (strcmp(v->status, "endorsed") == 0)
		return true;
	return (strcmp(v->status, "approved") == 0 || strcmp(v->status, "refused") == 0) &&
	       strcmp(v->decided_by, req->principal.account_id) == 0;
}

void api_variation_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id"), *lang = NULL;
	struct variation_row v;
	if (!api_lang_query(req, resp, &lang) || !api_begin(req, resp) || !variation_load(req, resp, id, &v))
		return;
	json_decref(v.proposal);
	bool logged;
	if (authority_reaches(req, &v)) {
		logged = api_audit_why(req, AUDIT_CONSULT, "condition_variation", v.id, AUDIT_OUTCOME_SUCCESS, v.case_id,
		                       AUTHORITY_PURPOSE, AUTHORITY_BASIS);
	} else {
		struct record_scope s;
		if (!scope_case(req, resp, v.case_id, &s))
			return;
		logged = scope_audit(req, &s, AUDIT_CONSULT, "condition_variation", v.id, v.case_id);
	}
	if (!logged) {
		api_db_failed(req, resp, "logging a read");
		return;
	}
	answer_variation(req, resp, v.id, lang, 200);
}

/* ---- the officer's changes ------------------------------------------------------------ */

static const struct field_rule update_rules[] = {
	{"reason", FIELD_STRING, false, 1, 4000, NULL},
	{"person_view", FIELD_STRING, false, 0, 4000, NULL},
	{"proposal", FIELD_OBJECT, false, 0, 0, NULL},
};

void api_variation_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	int64_t version = 0;
	validate_object(req->json, update_rules, NRULES(update_rules), &fe);
	if (!fe.list && json_object_size(req->json) == 0)
		field_error(&fe, "body", "must change reason, person_view or proposal");
	struct variation_row v;
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !variation_load(req, resp, id, &v))
		return;
	json_t *stored = v.proposal;
	v.proposal = NULL;
	bool proposal_given = json_object_get(req->json, "proposal") && !json_is_null(json_object_get(req->json, "proposal"));
	bool endorsed = strcmp(v.status, "endorsed") == 0;
	bool open = strcmp(v.status, "proposed") == 0 || strcmp(v.status, "returned") == 0;
	if (!scope_case(req, resp, v.case_id, &s) || !scope_may_change(req, resp, &s, "condition_variation", id)) {
		json_decref(stored);
		return;
	}
	if (version != v.version) {
		json_decref(stored);
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this variation since you read it; read it again.", NULL);
		return;
	}
	/* Once endorsed, only the person's account may still be added (S8: it must be on file for the decision). */
	if (!open && !(endorsed && !proposal_given && !json_object_get(req->json, "reason"))) {
		json_decref(stored);
		api_conflict(req, resp, "wrong-state", "The variation cannot be changed",
		         endorsed ? "An endorsed variation takes only the person's view."
		                  : "Only a proposed or returned variation can be changed.");
		return;
	}
	action_check(v.action, req->json, false, &fe);
	if (api_errors_answer(req, resp, &fe)) {
		json_decref(stored);
		return;
	}
	char decision_id[UUID_STR_LEN] = "";
	if (v.condition_id[0] && !target_check(req, resp, v.case_id, v.condition_id, v.id, decision_id)) {
		json_decref(stored);
		return;
	}
	if (proposal_given) {
		v.proposal = proposal_check(req, resp, v.case_id, json_object_get(req->json, "proposal"),
		                            decision_id[0] ? decision_id : NULL);
		if (!v.proposal) {
			json_decref(stored);
			return;
		}
	}
	char *proposal = v.proposal ? json_dumps(v.proposal, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (!v.proposal)
		v.proposal = stored;
	else
		json_decref(stored);
	bool resubmitted = strcmp(v.status, "returned") == 0;
	int64_t now = clock_now_ms();
	const json_t *pv = json_object_get(req->json, "person_view");
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE condition_variation SET reason = COALESCE(?, reason),"
	                 " person_view = CASE WHEN ? = 1 THEN ? ELSE person_view END,"
	                 " proposal = COALESCE(?, proposal),"
	                 " status = CASE WHEN status = 'returned' THEN 'proposed' ELSE status END,"
	                 " updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
	                 "titti" "ti", json_str(req->json, "reason"), (int64_t)(pv != NULL),
	                 json_is_string(pv) && *json_string_value(pv) ? json_string_value(pv) : NULL, proposal, now,
	                 v.id, version) == DB_OK;
	if (ok && changed != 1) {
		/* Changed by someone else since it was read (the version moved on). */
		free(proposal);
		json_decref(v.proposal);
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The variation has changed",
		             "Someone changed this proposal since you read it: reload it and try again.", NULL);
		return;
	}
	ok = ok &&
	          variation_event(req->db, &v, resubmitted ? "variation.proposed" : "variation.changed",
	                          req->principal.account_id, now,
	                          resubmitted ? "\"resubmitted\":true" : "\"resubmitted\":false") &&
	          scope_audit(req, &s, AUDIT_ALTER, "condition_variation", v.id, v.case_id);
	free(proposal);
	json_decref(v.proposal);
	if (!ok) {
		api_db_failed(req, resp, "changing a variation");
		return;
	}
	answer_variation(req, resp, v.id, NULL, 200);
}

void api_variation_withdraw(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct variation_row v;
	struct record_scope s;
	if (!api_begin(req, resp) || !variation_load(req, resp, id, &v))
		return;
	if (!scope_case(req, resp, v.case_id, &s) || !scope_may_change(req, resp, &s, "condition_variation", id)) {
		json_decref(v.proposal);
		return;
	}
	if (strcmp(v.status, "proposed") != 0 && strcmp(v.status, "returned") != 0) {
		json_decref(v.proposal);
		api_conflict(req, resp, "wrong-state", "The variation cannot be withdrawn",
		         "Only a proposed or returned variation can be withdrawn.");
		return;
	}
	int64_t now = clock_now_ms();
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE condition_variation SET status = 'withdrawn', updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND status IN ('proposed', 'returned')", "it", now, v.id) == DB_OK;
	if (ok && changed != 1) {
		json_decref(v.proposal);
		api_conflict(req, resp, "wrong-state", "The variation has moved on",
		         "It was reviewed or withdrawn meanwhile: reload it.");
		return;
	}
	ok = ok && variation_event(req->db, &v, "variation.withdrawn", req->principal.account_id, now, NULL) &&
	          scope_audit(req, &s, AUDIT_ALTER, "condition_variation", v.id, v.case_id);
	json_decref(v.proposal);
	if (!ok) {
		api_db_failed(req, resp, "withdrawing a variation");
		return;
	}
	answer_variation(req, resp, v.id, NULL, 200);
}

/* ---- the unit head's review ------------------------------------------------------------ */

static const struct field_rule review_rules[] = {
	{"endorse", FIELD_BOOL, true, 0, 0, NULL},
	{"comment", FIELD_STRING, false, 0, 2000, NULL},
};

void api_variation_review(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, review_rules, NRULES(review_rules), &fe) &&
	    !json_is_true(json_object_get(req->json, "endorse")) && text_blank(json_str(req->json, "comment")))
		field_error(&fe, "comment", "is required when the variation is returned");
	struct variation_row v;
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !variation_load(req, resp, id, &v))
		return;
	if (!scope_case(req, resp, v.case_id, &s) || !scope_may_change(req, resp, &s, "condition_variation", id)) {
		json_decref(v.proposal);
		return;
	}
	if (strcmp(v.status, "proposed") != 0) {
		json_decref(v.proposal);
		api_conflict(req, resp, "wrong-state", "The variation is not awaiting review",
		         "Only a proposed variation is reviewed.");
		return;
	}
	if (strcmp(v.proposed_by, req->principal.account_id) == 0) {
		json_decref(v.proposal);
		db_rollback(req->db);
		http_problem(resp, req, 403, "own-proposal", "Not your own proposal",
		             "Another unit head reviews a proposal you made.", NULL);
		return;
	}
	bool endorse = json_is_true(json_object_get(req->json, "endorse"));
	int64_t now = clock_now_ms();
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE condition_variation SET status = ?, reviewed_by = ?, reviewed_at = ?, review_comment = ?,"
	                 " updated_at = ?, version = version + 1 WHERE id = ? AND status = 'proposed'",
	                 "ttitit", endorse ? "endorsed" : "returned", req->principal.account_id, now,
	                 json_str(req->json, "comment"), now, v.id) == DB_OK;
	if (ok && changed != 1) {
		json_decref(v.proposal);
		api_conflict(req, resp, "wrong-state", "The variation has moved on",
		         "It was reviewed or withdrawn meanwhile: reload it.");
		return;
	}
	ok = ok && variation_event(req->db, &v, endorse ? "variation.endorsed" : "variation.returned",
	                          req->principal.account_id, now, NULL) &&
	          scope_audit(req, &s, AUDIT_ALTER, "condition_variation", v.id, v.case_id);
	json_decref(v.proposal);
	if (!ok) {
		api_db_failed(req, resp, "reviewing a variation");
		return;
	}
	answer_variation(req, resp, v.id, NULL, 200);
}

/* ---- the competent authority's decision ------------------------------------------------- */

static const struct field_rule decide_rules[] = {
	{"approved", FIELD_BOOL, true, 0, 0, NULL},
	{"authority_reference", FIELD_STRING, true, 1, 100, NULL},
	{"reasons", FIELD_STRING, true, 1, 4000, NULL},
	{"effective_from", FIELD_DATE, false, 0, 0, NULL},
};

/*
 * Applies an approved variation: a new condition (add), the old one ended
 * and replaced (change), or ended (remove). *result_r is the new condition's
 * id ("" for remove). False after answering.
 */
static bool apply(struct http_request *req, struct http_response *resp, const struct variation_row *v,
                  const char *effective_from, int64_t now, char result_r[UUID_STR_LEN])
{
	result_r[0] = '\0';
	const char *actor = req->principal.account_id;
	if (v->condition_id[0]) {
		enum db_status rc = condition_end(req->db, v->condition_id, effective_from,
		                                  strcmp(v->action, "remove") == 0 ? "removed" : "varied", actor, now);
		if (rc == DB_CONSTRAINT) {
			api_conflict(req, resp, "wrong-state", "The condition has already ended",
			         "The condition this variation is about is no longer active.");
			return false;
		}
		if (rc != DB_OK || !api_audit_why(req, AUDIT_ALTER, "condition", v->condition_id, AUDIT_OUTCOME_SUCCESS,
		                                  v->id, AUTHORITY_PURPOSE, AUTHORITY_BASIS)) {
			api_db_failed(req, resp, "ending a condition");
			return false;
		}
	}
	if (!v->proposal)
		return true;
	const json_t *p = v->proposal;
	struct condition_fields f = {
		.case_id = v->case_id,
		.decision_id = json_str(p, "decision_id"),
		.variation_id = v->id,
		.replaces_id = v->condition_id[0] ? v->condition_id : NULL,
		.catalogue_version = json_integer_value(json_object_get(p, "catalogue_version")),
		.code = json_str(p, "code"),
		.free_text = json_str(p, "free_text"),
		.duty = json_str(p, "duty"),
		.params = json_object_get(p, "params"),
		.answers = json_str(p, "answers"),
		.answers_detail = json_str(p, "answers_detail"),
		.review_on = json_str(p, "review_on"),
		.effective_from = effective_from,
	};
	if (!f.review_on || strcmp(f.review_on, effective_from) <= 0) {
		char *m = xasprintf("must be before the proposal's review date (%s)", f.review_on ? f.review_on : "none");
		api_field_problem(req, resp, "effective_from", m);
		free(m);
		return false;
	}
	char reason[CONDITION_REASON_MAX];
	enum db_status rc = condition_authorised(req->db, v->case_id, f.decision_id, f.duty, reason, sizeof reason,
	                                         NULL);
	if (rc == DB_CONSTRAINT) {
		api_conflict(req, resp, "not-authorised", "The decision no longer authorises this condition", reason);
		return false;
	}
	if (rc != DB_OK || condition_insert(req->db, &f, actor, now, result_r) != DB_OK ||
	    !api_audit_why(req, AUDIT_COLLECT, "condition", result_r, AUDIT_OUTCOME_SUCCESS, v->id, AUTHORITY_PURPOSE,
	                   AUTHORITY_BASIS)) {
		api_db_failed(req, resp, "imposing a condition");
		return false;
	}
	return true;
}

void api_variation_decide(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	if (validate_object(req->json, decide_rules, NRULES(decide_rules), &fe) &&
	    json_is_true(json_object_get(req->json, "approved")) && !json_str(req->json, "effective_from"))
		field_error(&fe, "effective_from", "is required when the variation is approved");
	struct variation_row v;
	const char *lang = NULL;
	if (field_errors_respond(&fe, resp, req) || !api_lang_query(req, resp, &lang) || !api_begin(req, resp) ||
	    !variation_load(req, resp, id, &v))
		return;
	if (strcmp(v.status, "endorsed") != 0) {
		json_decref(v.proposal);
		api_conflict(req, resp, "wrong-state", "The variation is not awaiting a decision",
		         "Only a variation the unit head endorsed is decided.");
		return;
	}
	if (!v.reason || !v.person_view) {
		json_decref(v.proposal);
		db_rollback(req->db);
		json_t *missing = json_array();
		if (!v.reason)
			json_array_append_new(missing, json_string("reason"));
		if (!v.person_view)
			json_array_append_new(missing, json_string("person_view"));
		http_problem_with(resp, req, 409, "not-ready", "Not ready for a decision",
		                  "The officer's facts and reasons and the person's account must both be on file (S8).",
		                  NULL, json_pack("{s:o}", "missing", missing));
		return;
	}
	bool approved = json_is_true(json_object_get(req->json, "approved"));
	const char *effective_from = approved ? json_str(req->json, "effective_from") : NULL;
	int64_t now = clock_now_ms();
	char result[UUID_STR_LEN] = "";
	if (approved && !apply(req, resp, &v, effective_from, now, result)) {
		json_decref(v.proposal);
		return;
	}
	/* Only an endorsed variation is decided: a concurrent decision finds it decided and is rolled back whole
	   (with the conditions it applied). */
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE condition_variation SET status = ?, decided_by = ?, decided_at = ?,"
	                 " authority_reference = ?, decision_reasons = ?, effective_from = ?, result_condition_id = ?,"
	                 " updated_at = ?, version = version + 1 WHERE id = ? AND status = 'endorsed'",
	                 "ttitttt" "it", approved ? "approved" : "refused", req->principal.account_id, now,
	                 api_str(req, "authority_reference"), api_str(req, "reasons"), effective_from,
	                 result[0] ? result : NULL, now, v.id) == DB_OK;
	if (ok && changed != 1) {
		json_decref(v.proposal);
		api_conflict(req, resp, "wrong-state", "The variation has been decided", "It was decided meanwhile: reload it.");
		return;
	}
	char extra[160];
	snprintf(extra, sizeof extra, "\"effective_from\":%s%s%s,\"result_condition_id\":%s%s%s",
	         effective_from ? "\"" : "", effective_from ? effective_from : "null", effective_from ? "\"" : "",
	         result[0] ? "\"" : "", result[0] ? result : "null", result[0] ? "\"" : "");
	ok = ok &&
	     variation_event(req->db, &v, approved ? "variation.approved" : "variation.refused",
	                     req->principal.account_id, now, extra) &&
	     api_audit_why(req, AUDIT_ALTER, "condition_variation", v.id, AUDIT_OUTCOME_SUCCESS, v.case_id,
	                   AUTHORITY_PURPOSE, AUTHORITY_BASIS);
	json_decref(v.proposal);
	if (!ok) {
		api_db_failed(req, resp, "deciding a variation");
		return;
	}
	answer_variation(req, resp, v.id, lang, 200);
}
