/*
 * assessment.c — the assessment lifecycle's steps that touch the database
 * without a request: the certification check, what still stops submission,
 * saving a draft whole, superseding earlier assessments and putting a
 * countersigned assessment's actions into the supervision plan. Every
 * change is guarded by the row's status (and, for a draft, its version).
 * Nothing here computes a judgement (S14).
 */
#include "domain/assessment.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/casefile.h"
#include "domain/keydates.h"

#define PLAN_REVIEW_DAYS 90

const char *assessment_scenario_label(const char *kind)
{
	static const char *const kinds[][2] = {{"repeat", "Scenario, a repeat"}, {"escalation", "Scenario, escalation"},
	                                       {"twist", "Scenario, a different form"},
	                                       {"improvement", "Scenario, improvement"}};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcmp(kinds[k][0], kind) == 0)
			return kinds[k][1];
	return kind;
}

enum db_status assessor_certified(db *conn, const char *account_id, const char *instrument_code, const char *today,
                                  bool *certified_r)
{
	*certified_r = false;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT 1 FROM assessor_certification WHERE account_id = ? AND instrument_code = ? AND certified_on <= ?"
		" AND expires_on > ? AND revoked_at IS NULL", "tttt", account_id, instrument_code, today, today);
	if (rc == DB_OK) {
		rc = db_step(st);
		*certified_r = rc == DB_ROW;
		rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	}
	db_finalize(&st);
	return rc;
}

/* ---- completeness ------------------------------------------------------- */

static bool blank(const json_t *o, const char *member)
{
	const char *s = json_string_value(json_object_get(o, member));
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			return false;
	return true;
}

static void missing_add(json_t *list, const char *field, const char *message)
{
	json_array_append_new(list, json_pack("{s:s, s:s}", "field", field, "message", message));
}

json_t *assessment_missing(const json_t *def, const json_t *a)
{
	json_t *list = json_array();
	if (!json_is_string(json_object_get(a, "assessed_on")))
		missing_add(list, "assessed_on", "is required: the day the assessment speaks for");
	if (blank(a, "sources"))
		missing_add(list, "sources", "is required: the sources consulted");
	if (blank(a, "limitations"))
		missing_add(list, "limitations", "is required: the limitations of this assessment");
	const json_t *ratings = json_object_get(a, "ratings"), *domains = json_object_get(a, "domains");
	size_t i, j;
	const json_t *d, *item;
	char field[128];
	json_array_foreach(json_object_get(def, "domains"), i, d) {
		json_array_foreach(json_object_get(d, "items"), j, item) {
			const char *id = json_string_value(json_object_get(item, "id"));
			if (!id)
				continue;
			const json_t *r = json_object_get(ratings, id);
			if (!json_is_string(json_object_get(r, "value"))) {
				snprintf(field, sizeof field, "ratings.%s", id);
				missing_add(list, field, "is not rated");
				continue;
			}
			if (blank(r, "evidence")) {
				snprintf(field, sizeof field, "ratings.%s.evidence", id);
				missing_add(list, field, "is required: the evidence for the rating");
			}
			if (!json_is_string(json_object_get(r, "source"))) {
				snprintf(field, sizeof field, "ratings.%s.source", id);
				missing_add(list, field, "is required: where the evidence comes from");
			}
		}
	}
	json_array_foreach(json_object_get(def, "domains"), i, d) {
		const char *id = json_string_value(json_object_get(d, "id"));
		if (id && !json_is_string(json_object_get(json_object_get(domains, id), "value"))) {
			snprintf(field, sizeof field, "domains.%s", id);
			missing_add(list, field, "is not rated");
		}
	}
	if (!json_is_string(json_object_get(a, "judgement")))
		missing_add(list, "judgement", "is required: the assessor's final judgement");
	if (blank(a, "rationale"))
		missing_add(list, "rationale", "is required: why the assessor reached the judgement");
	return list;
}

/* ---- saving a draft ----------------------------------------------------- */

/* A string member, or NULL when absent, null or empty. */
static const char *str_or_null(const json_t *o, const char *member)
{
	const char *s = json_string_value(json_object_get(o, member));
	return s && *s ? s : NULL;
}

static const char *str_or_empty(const json_t *o, const char *member)
{
	const char *s = json_string_value(json_object_get(o, member));
	return s ? s : "";
}

enum db_status assessment_save(db *conn, const char *id, int64_t version, const json_t *body, int64_t now,
                               bool *changed_r)
{
	*changed_r = false;
	/* Scenarios are kept as the body gave them, members in a fixed order. */
	json_t *scenarios = json_array();
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(body, "scenarios"), i, x)
		json_array_append_new(scenarios, json_pack("{s:s, s:s}", "kind", str_or_empty(x, "kind"), "description",
		                                           str_or_empty(x, "description")));
	char *scenarios_s = json_dumps(scenarios, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(scenarios);
	if (!scenarios_s)
		return DB_ERROR;
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE assessment SET assessed_on = ?, sources = ?, limitations = ?, judgement = ?, rationale = ?,"
		" scenarios = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ? AND status = 'draft'",
		"ttttttiti", str_or_null(body, "assessed_on"), str_or_empty(body, "sources"),
		str_or_empty(body, "limitations"), str_or_null(body, "judgement"), str_or_null(body, "rationale"),
		scenarios_s, now, id, version);
	free(scenarios_s);
	if (rc != DB_OK || changed != 1)
		return rc;
	*changed_r = true;
	rc = db_run(conn, NULL, "DELETE FROM assessment_rating WHERE assessment_id = ?", "t", id);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "DELETE FROM assessment_domain WHERE assessment_id = ?", "t", id);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "DELETE FROM assessment_action WHERE assessment_id = ?", "t", id);
	const char *key;
	const json_t *v;
	json_object_foreach((json_t *)json_object_get(body, "ratings"), key, v) {
		if (rc != DB_OK)
			break;
		rc = db_run(conn, NULL,
			"INSERT INTO assessment_rating (assessment_id, item, value, evidence, source, source_detail)"
			" VALUES (?, ?, ?, ?, ?, ?)", "tttttt", id, key, str_or_empty(v, "value"), str_or_empty(v, "evidence"),
			str_or_null(v, "source"), str_or_null(v, "source_detail"));
	}
	json_object_foreach((json_t *)json_object_get(body, "domains"), key, v) {
		if (rc != DB_OK)
			break;
		rc = db_run(conn, NULL,
			"INSERT INTO assessment_domain (assessment_id, domain, value, comment) VALUES (?, ?, ?, ?)", "tttt", id,
			key, str_or_empty(v, "value"), str_or_null(v, "comment"));
	}
	json_array_foreach(json_object_get(body, "actions"), i, x) {
		if (rc != DB_OK)
			break;
		char action_id[UUID_STR_LEN];
		uuid_v7(action_id);
		rc = db_run(conn, NULL,
			"INSERT INTO assessment_action (id, assessment_id, kind, description, due_on, position)"
			" VALUES (?, ?, ?, ?, ?, ?)", "ttttti", action_id, id,
			str_or_empty(x, "kind"), str_or_empty(x, "description"), str_or_empty(x, "due_on"), (int64_t)i);
	}
	return rc;
}

/* ---- superseding -------------------------------------------------------- */

/* Marks old (status was) superseded by by, with its timeline event; *done_r false when its status had moved. */
static enum db_status supersede_one(db *conn, const char *case_id, const char *instrument_code, const char *old,
                                    const char *was, const char *by, const char *actor_id, int64_t now, bool *done_r)
{
	*done_r = false;
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed,
		"UPDATE assessment SET status = 'superseded', superseded_at = ?, superseded_by = ?, updated_at = ?,"
		" version = version + 1 WHERE id = ? AND status = ?", "ititt", now, by, now, old, was);
	if (rc != DB_OK || changed != 1)
		return rc;
	*done_r = true;
	struct buf detail = {0};
	buf_puts(&detail, "{\"assessment_id\":");
	buf_json_string(&detail, old);
	buf_puts(&detail, ",\"superseded_by\":");
	buf_json_string(&detail, by);
	buf_puts(&detail, ",\"instrument_code\":");
	buf_json_string(&detail, instrument_code);
	buf_putc(&detail, '}');
	rc = case_event_add(conn, case_id, now, "assessment.superseded", actor_id,
	                    "Assessment superseded by a countersigned assessment of a later or the same date",
	                    detail.data, "assessment", old);
	buf_free(&detail);
	return rc;
}

enum db_status assessment_supersede(db *conn, const char *case_id, const char *instrument_code, const char *id,
                                    const char *actor_id, int64_t now, json_t *superseded,
                                    char superseded_by_r[UUID_STR_LEN])
{
	superseded_by_r[0] = '\0';
	db_stmt *st = NULL;
	char on[11] = "", newer[UUID_STR_LEN] = "";
	enum db_status rc = db_query(conn, &st, "SELECT assessed_on FROM assessment WHERE id = ?", "t", id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *s = db_column_text(st, 0, NULL);
		snprintf(on, sizeof on, "%s", s ? s : "");
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_MISUSE;
	}
	db_finalize(&st);
	/* A countersigned assessment dated after this one stands; this one gives way to the newest. */
	if (rc == DB_OK)
		rc = db_query(conn, &st,
			"SELECT a.id FROM assessment a JOIN instrument i ON i.id = a.instrument_id"
			" WHERE a.case_id = ? AND i.code = ? AND a.id <> ? AND a.status = 'countersigned' AND a.assessed_on > ?"
			" ORDER BY a.assessed_on DESC, a.countersigned_at DESC, a.id DESC LIMIT 1",
			"tttt", case_id, instrument_code, id, on);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		snprintf(newer, sizeof newer, "%s", db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	rc = rc == DB_DONE ? DB_OK : rc;
	json_t *ids = json_array();
	if (rc == DB_OK)
		rc = db_query(conn, &st,
			"SELECT a.id, a.status FROM assessment a JOIN instrument i ON i.id = a.instrument_id"
			" WHERE a.case_id = ? AND i.code = ? AND a.id <> ? AND a.status IN ('submitted', 'countersigned')"
			" AND a.assessed_on <= ? ORDER BY a.created_at, a.id", "tttt", case_id, instrument_code, id, on);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_array_append_new(ids, json_pack("{s:s, s:s}", "id", db_column_text(st, 0, NULL), "status",
		                                     db_column_text(st, 1, NULL)));
		rc = DB_OK;
	}
	db_finalize(&st);
	rc = rc == DB_DONE ? DB_OK : rc;
	size_t i;
	const json_t *row;
	json_array_foreach(ids, i, row) {
		if (rc != DB_OK)
			break;
		const char *old = json_string_value(json_object_get(row, "id"));
		bool done = false;
		/* Those older ones go to the assessment that stands: this one, or the newer one above. */
		rc = supersede_one(conn, case_id, instrument_code, old, json_string_value(json_object_get(row, "status")),
		                   newer[0] ? newer : id, actor_id, now, &done);
		if (rc == DB_OK && done && superseded)
			json_array_append_new(superseded, json_string(old));
	}
	json_decref(ids);
	if (rc == DB_OK && newer[0]) {
		bool done = false;
		rc = supersede_one(conn, case_id, instrument_code, id, "countersigned", newer, actor_id, now, &done);
		if (rc == DB_OK && done)
			snprintf(superseded_by_r, UUID_STR_LEN, "%s", newer);
		else if (rc == DB_OK)
			rc = DB_MISUSE;
	}
	return rc;
}

/* ---- into the supervision plan ------------------------------------------ */

static enum db_status plan_event(db *conn, const char *case_id, int64_t now, const char *kind, const char *actor_id,
                                 const char *summary, json_t *detail, const char *record_type, const char *record_id)
{
	char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(detail);
	enum db_status rc = text ? case_event_add(conn, case_id, now, kind, actor_id, summary, text, record_type,
	                                          record_id)
	                         : DB_ERROR;
	free(text);
	return rc;
}

enum db_status assessment_into_plan(db *conn, const char *id, const char *actor_id, const char *today, int64_t now,
                                    struct assessment_plan *out)
{
	memset(out, 0, sizeof *out);
	out->action_ids = json_array();
	db_stmt *st = NULL;
	char case_id[UUID_STR_LEN] = "", owner[UUID_STR_LEN] = "", assessed_on[11] = "";
	char *name = NULL;
	json_t *scenarios = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT a.case_id, COALESCE(c.officer_id, a.assessor_id), a.assessed_on, i.name_en, a.scenarios"
		" FROM assessment a JOIN case_file c ON c.id = a.case_id JOIN instrument i ON i.id = a.instrument_id"
		" WHERE a.id = ?", "t", id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		snprintf(case_id, sizeof case_id, "%s", db_column_text(st, 0, NULL));
		snprintf(owner, sizeof owner, "%s", db_column_text(st, 1, NULL));
		const char *on = db_column_text(st, 2, NULL);
		snprintf(assessed_on, sizeof assessed_on, "%s", on ? on : today);
		name = strdup(db_column_text(st, 3, NULL) ? db_column_text(st, 3, NULL) : "");
		const char *sc = db_column_text(st, 4, NULL);
		scenarios = json_loads(sc ? sc : "[]", 0, NULL);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERROR;
	}
	db_finalize(&st);
	json_t *actions = rc == DB_OK ? json_array() : NULL;
	if (rc == DB_OK)
		rc = db_query(conn, &st,
			"SELECT id, kind, description, due_on FROM assessment_action WHERE assessment_id = ?"
			" ORDER BY position, id", "t", id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		json_array_append_new(actions, json_pack("{s:s, s:s, s:s, s:s}", "id", db_column_text(st, 0, NULL),
		                                         "kind", db_column_text(st, 1, NULL), "description",
		                                         db_column_text(st, 2, NULL), "due_on",
		                                         db_column_text(st, 3, NULL)));
		rc = DB_OK;
	}
	db_finalize(&st);
	rc = rc == DB_DONE ? DB_OK : rc;
	if (rc != DB_OK || (json_array_size(actions) == 0 && json_array_size(scenarios) == 0))
		goto done;

	/* The case's plan, started when it has none. */
	rc = db_query(conn, &st, "SELECT id FROM supervision_plan WHERE case_id = ?", "t", case_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		snprintf(out->plan_id, sizeof out->plan_id, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	rc = rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
	if (rc == DB_OK && !out->plan_id[0]) {
		struct civil_date d;
		char next[11];
		if (!civil_date_parse(today, &d)) {
			rc = DB_ERROR;
			goto done;
		}
		civil_date_format(civil_date_add_days(d, PLAN_REVIEW_DAYS), next);
		uuid_v7(out->plan_id);
		out->plan_created = true;
		rc = db_run(conn, NULL,
			"INSERT INTO supervision_plan (id, case_id, review_every_days, next_review_on, created_at, created_by,"
			" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "ttititi", out->plan_id,
			case_id, (int64_t)PLAN_REVIEW_DAYS, next, now, actor_id, now);
		if (rc == DB_OK)
			rc = plan_event(conn, case_id, now, "plan.started", actor_id,
			                "Supervision plan started (review every 90 days) from a countersigned assessment",
			                json_pack("{s:i, s:s, s:s}", "review_every_days", PLAN_REVIEW_DAYS, "next_review_on",
			                          next, "assessment_id", id),
			                "supervision_plan", out->plan_id);
	}
	if (rc != DB_OK)
		goto done;

	/* One objective: the assessment and each scenario on its own line. */
	struct buf text = {0};
	buf_printf(&text, "Risk-management actions from the assessment of %s (%s)", assessed_on, name);
	size_t i;
	const json_t *x;
	json_array_foreach(scenarios, i, x)
		buf_printf(&text, "\n%s: %s", assessment_scenario_label(str_or_empty(x, "kind")),
		           str_or_empty(x, "description"));
	int64_t position = 0;
	rc = db_query(conn, &st, "SELECT COALESCE(MAX(position), 0) FROM plan_objective WHERE plan_id = ?", "t",
	              out->plan_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		position = db_column_int64(st, 0) + 1;
		rc = DB_OK;
	}
	db_finalize(&st);
	uuid_v7(out->objective_id);
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"INSERT INTO plan_objective (id, plan_id, need, description, status, position, created_at, updated_at)"
			" VALUES (?, ?, 'risk_management', ?, 'open', ?, ?, ?)", "tttiii", out->objective_id, out->plan_id,
			text.data, position, now, now);
	buf_free(&text);
	if (rc == DB_OK)
		rc = plan_event(conn, case_id, now, "plan.objective_added", actor_id,
		                "Plan objective added (need: risk_management) from a countersigned assessment",
		                json_pack("{s:s, s:I, s:s, s:I}", "need", "risk_management", "position",
		                          (json_int_t)position, "assessment_id", id, "actions",
		                          (json_int_t)json_array_size(actions)),
		                "plan_objective", out->objective_id);
	json_array_foreach(actions, i, x) {
		if (rc != DB_OK)
			break;
		char plan_action[UUID_STR_LEN];
		uuid_v7(plan_action);
		rc = db_run(conn, NULL,
			"INSERT INTO plan_action (id, objective_id, description, owner_kind, owner_account_id, due_on, status,"
			" created_at, updated_at) VALUES (?, ?, ?, 'officer', ?, ?, 'open', ?, ?)", "tttttii", plan_action,
			out->objective_id, str_or_empty(x, "description"), owner, str_or_empty(x, "due_on"), now, now);
		if (rc == DB_OK)
			rc = db_run(conn, NULL, "UPDATE assessment_action SET plan_action_id = ? WHERE id = ?", "tt",
			            plan_action, json_string_value(json_object_get(x, "id")));
		if (rc == DB_OK)
			json_array_append_new(out->action_ids, json_string(plan_action));
	}
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "UPDATE assessment SET plan_objective_id = ? WHERE id = ?", "tt", out->objective_id,
		            id);
	if (rc == DB_OK && !out->plan_created)
		rc = db_run(conn, NULL, "UPDATE supervision_plan SET updated_at = ? WHERE id = ?", "it", now, out->plan_id);
done:
	free(name);
	json_decref(scenarios);
	json_decref(actions);
	return rc;
}
