/*
 * release.c — release planning: the window, the release date, the first
 * appointment's limit, the handover's moves and the panel minutes; see
 * release.h.
 */
#include "domain/release.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/casefile.h"
#include "domain/document.h"
#include "domain/keydates.h"
#include "domain/settings.h"

#define PLAN_REVIEW_DAYS 90
#define FIRST_APPOINTMENT_MINUTES 60

/* ---- dates ------------------------------------------------------------------------------ */

enum db_status release_date_of_case(db *conn, const char *case_id, char out[11])
{
	out[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT MAX(x.date) FROM key_date x JOIN decision d ON d.id = x.decision_id AND d.status = 'in_force'"
		" WHERE x.case_id = ? AND x.kind = 'release' AND x.date IS NOT NULL", "t", case_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *d = db_column_text(st, 0, NULL);
		snprintf(out, 11, "%s", d ? d : "");
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

enum db_status release_window(db *conn, const char *today, long *months_r, char from[11], char to[11])
{
	enum db_status rc = setting_number(conn, "release_planning.months_before", months_r);
	struct civil_date t;
	if (rc != DB_OK)
		return rc;
	if (!civil_date_parse(today, &t))
		return DB_ERROR;
	civil_date_format(civil_date_add_term(t, (struct term){0, (int)*months_r, 0}), to);
	civil_date_format(civil_date_add_days(t, -RELEASE_LIST_PAST_DAYS), from);
	return DB_OK;
}

enum db_status release_first_appointment_limit(db *conn, const char *release_on, char limit[11], long *days_r)
{
	limit[0] = '\0';
	enum db_status rc = setting_number(conn, "release_plan.first_appointment_days", days_r);
	struct civil_date d;
	if (rc == DB_OK && release_on && civil_date_parse(release_on, &d))
		civil_date_format(civil_date_add_days(d, (int)*days_r), limit);
	return rc;
}

/* ---- the handover ----------------------------------------------------------------------- */

/* A timeline event whose detail is a JSON object (taken). */
static enum db_status event(db *conn, const char *case_id, int64_t now, const char *kind, const char *actor_id,
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

enum db_status release_case_move(db *conn, const struct release_move *m, int64_t now,
                                 char from_unit_r[UUID_STR_LEN])
{
	from_unit_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT unit_id FROM case_file WHERE id = ?", "t", m->case_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		snprintf(from_unit_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERROR;
	}
	db_finalize(&st);
	if (rc != DB_OK)
		return rc;
	char assignment[UUID_STR_LEN];
	uuid_v7(assignment);
	/* Short and neutral: the allocation row shows its own date, and the reason is shown as stored. */
	char *reason = xasprintf("%s", "Case handed over on release");
	rc = db_run(conn, NULL, "UPDATE case_assignment SET to_at = ? WHERE case_id = ? AND to_at IS NULL", "it", now,
	            m->case_id);
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"INSERT INTO case_assignment (id, case_id, unit_id, officer_id, from_at, reason, by_account)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", "ttttitt", assignment, m->case_id, m->to_unit_id, m->officer_id, now,
			reason, m->actor_id);
	/* Guarded: a case closed or moved by a transaction that committed since it was read is not moved. */
	int64_t changed = 0;
	if (rc == DB_OK)
		rc = db_run(conn, &changed,
			"UPDATE case_file SET unit_id = ?, officer_id = ?, kind = ?, consent_on = ?, updated_at = ?,"
			" version = version + 1 WHERE id = ? AND status = 'open' AND kind = 'penitentiary'", "ttttit",
			m->to_unit_id, m->officer_id, m->kind, m->consent_on, now, m->case_id);
	if (rc == DB_OK && changed != 1)
		rc = DB_CONSTRAINT;
	if (rc == DB_OK)
		rc = event(conn, m->case_id, now, "case.transferred", m->actor_id, "Case transferred to another unit",
		           json_pack("{s:s, s:s, s:s, s:s, s:b}", "unit_id", m->to_unit_id, "officer_id", m->officer_id, "reason",
		                     reason, "from_unit_id", from_unit_r, "handover", 1),
		           "case_assignment", assignment);
	free(reason);
	return rc;
}

/* The open, not yet carried actions of a release plan with their owner: [{id, description, due_on, partner}]. */
static enum db_status open_actions(db *conn, const char *release_plan_id, json_t *out)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT ra.id, ra.description, ra.due_on, ra.owner_agency_id, g.kind FROM release_action ra"
		" JOIN agency g ON g.id = ra.owner_agency_id WHERE ra.plan_id = ? AND ra.status = 'open'"
		" AND ra.plan_action_id IS NULL ORDER BY ra.due_on, ra.created_at, ra.id", "t", release_plan_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *kind = db_column_text(st, 4, NULL);
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", db_column_text(st, 0, NULL),
		                                     "description", db_column_text(st, 1, NULL), "due_on",
		                                     db_column_text(st, 2, NULL), "agency_id", db_column_text(st, 3, NULL),
		                                     "partner", kind && strcmp(kind, "partner") == 0));
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* The case's supervision plan, started (review every 90 days) when it has none. */
static enum db_status supervision_plan(db *conn, const char *case_id, const char *actor_id, const char *today,
                                       int64_t now, struct release_carry *out)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT id FROM supervision_plan WHERE case_id = ?", "t", case_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		snprintf(out->plan_id, sizeof out->plan_id, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	if (out->plan_id[0])
		return db_run(conn, NULL, "UPDATE supervision_plan SET updated_at = ? WHERE id = ?", "it", now,
		              out->plan_id);
	struct civil_date d;
	char next[11];
	if (!civil_date_parse(today, &d))
		return DB_ERROR;
	civil_date_format(civil_date_add_days(d, PLAN_REVIEW_DAYS), next);
	uuid_v7(out->plan_id);
	out->plan_created = true;
	rc = db_run(conn, NULL,
		"INSERT INTO supervision_plan (id, case_id, review_every_days, next_review_on, created_at, created_by,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "ttititi", out->plan_id, case_id, (int64_t)PLAN_REVIEW_DAYS,
		next, now, actor_id, now);
	if (rc == DB_OK)
		rc = event(conn, case_id, now, "plan.started", actor_id,
		           "Supervision plan started (review every 90 days) from the release plan",
		           json_pack("{s:i, s:s}", "review_every_days", PLAN_REVIEW_DAYS, "next_review_on", next),
		           "supervision_plan", out->plan_id);
	return rc;
}

enum db_status release_actions_into_plan(db *conn, const char *release_plan_id, const char *case_id,
                                         const char *officer_id, const char *actor_id, const char *today,
                                         int64_t now, struct release_carry *out)
{
	memset(out, 0, sizeof *out);
	json_t *actions = json_array();
	enum db_status rc = open_actions(conn, release_plan_id, actions);
	if (rc != DB_OK || json_array_size(actions) == 0) {
		json_decref(actions);
		return rc;
	}
	rc = supervision_plan(conn, case_id, actor_id, today, now, out);
	int64_t position = 0;
	db_stmt *st = NULL;
	if (rc == DB_OK)
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
			" VALUES (?, ?, ?, ?, 'open', ?, ?, ?)", "ttttiii", out->objective_id, out->plan_id,
			RELEASE_OBJECTIVE_NEED, RELEASE_OBJECTIVE_TEXT, position, now, now);
	if (rc == DB_OK)
		rc = event(conn, case_id, now, "plan.objective_added", actor_id,
		           "Plan objective added (need: " RELEASE_OBJECTIVE_NEED ") from the release plan",
		           json_pack("{s:s, s:I, s:s, s:I}", "need", RELEASE_OBJECTIVE_NEED, "position", (json_int_t)position,
		                     "release_plan_id", release_plan_id, "actions", (json_int_t)json_array_size(actions)),
		           "plan_objective", out->objective_id);
	size_t i;
	const json_t *a;
	json_array_foreach(actions, i, a) {
		if (rc != DB_OK)
			break;
		char plan_action[UUID_STR_LEN];
		uuid_v7(plan_action);
		bool partner = json_is_true(json_object_get(a, "partner"));
		const char *description = json_string_value(json_object_get(a, "description"));
		const char *due = json_string_value(json_object_get(a, "due_on"));
		rc = db_run(conn, NULL,
			"INSERT INTO plan_action (id, objective_id, description, owner_kind, owner_account_id, owner_agency_id,"
			" due_on, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)", "tttttttii",
			plan_action, out->objective_id, description, partner ? "partner" : "officer",
			partner ? NULL : officer_id, partner ? json_string_value(json_object_get(a, "agency_id")) : NULL, due,
			now, now);
		if (rc == DB_OK)
			rc = db_run(conn, NULL,
				"UPDATE release_action SET plan_action_id = ?, updated_at = ?, version = version + 1 WHERE id = ?",
				"tit", plan_action, now, json_string_value(json_object_get(a, "id")));
		if (rc == DB_OK)
			out->actions++;
	}
	json_decref(actions);
	return rc;
}

enum db_status release_first_appointment(db *conn, const char *case_id, const char *officer_id,
                                         const char *starts_local, const char *place, const char *actor_id,
                                         int64_t now, char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO appointment (id, case_id, officer_id, kind, location, purpose, condition_id, starts_local,"
		" duration_min, rrule, status, cancel_reason, created_at, created_by, updated_at, version)"
		" VALUES (?, ?, ?, 'office', ?, 'First appointment after release', NULL, ?, ?, NULL, 'active', NULL, ?, ?,"
		" ?, 1)", "tttttiiti", id_r, case_id, officer_id, place && *place ? place : NULL, starts_local,
		(int64_t)FIRST_APPOINTMENT_MINUTES, now, actor_id, now);
	if (rc == DB_OK) {
		json_t *detail = json_pack("{s:s, s:s, s:b, s:s}", "appointment_id", id_r, "kind", "office", "recurring", 0,
		                           "starts_local", starts_local);
		char *text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(detail);
		rc = text ? case_event_add(conn, case_id, now, "appointment.scheduled", actor_id,
		                           "Appointment scheduled (office, once)", text, "appointment", id_r)
		          : DB_ERROR;
		free(text);
	}
	return rc;
}

/* ---- the minutes ------------------------------------------------------------------------ */

/* Every label the minutes print: the data file must give each in ky, ru and en. */
static const char *const minutes_keys[] = {
	"title", "subtitle", "case_heading", "case_number", "full_name", "release_on", "receiving_unit",
	"meeting_heading", "held_on", "place", "attendees", "agency", "name", "role_title", "attendance", "present",
	"absent", "agenda", "decisions", "actions", "action", "owner_agency", "owner", "due_on", "status", "status_open",
	"status_done", "status_cancelled", "no_actions", "signatures", "signature_chair", "signature_secretary",
	"not_on_file", "generated", NULL};

static struct wording minutes =
	WORDING("data/panel-minutes.json", panel_minutes_json, panel_minutes_json_len, minutes_keys);

static const char *label(const char *key, const char *lang)
{
	return wording_label(&minutes, key, lang);
}

static const char *text_of(const json_t *o, const char *member)
{
	const char *s = json_string_value(json_object_get(o, member));
	return s && *s ? s : NULL;
}

static void put_label(struct buf *b, const char *key, const char *lang)
{
	html_escape(b, label(key, lang));
}

static void row_text(struct buf *b, const char *key, const char *lang, const char *value)
{
	html_row(b, label(key, lang), value ? value : label("not_on_file", lang));
}

static void row_date(struct buf *b, const char *key, const char *lang, const char *iso)
{
	char text[48];
	html_row(b, label(key, lang), html_human_date(iso, lang, label("not_on_file", lang), text));
}

static void header_cells(struct buf *b, const char *const *keys, const char *lang)
{
	buf_puts(b, "<thead><tr>");
	for (; *keys; keys++) {
		buf_puts(b, "<th>");
		put_label(b, *keys, lang);
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr></thead>\n<tbody>\n");
}

static void cell(struct buf *b, const char *text)
{
	buf_puts(b, "<td>");
	if (text)
		html_escape(b, text);
	else
		buf_puts(b, "&nbsp;");
	buf_puts(b, "</td>");
}

static void block(struct buf *b, const char *key, const char *lang, const char *text)
{
	html_heading(b, label(key, lang));
	buf_puts(b, "<div class=\"text\">");
	html_escape(b, text ? text : label("not_on_file", lang));
	buf_puts(b, "</div>\n");
}

/* The attendees grouped by agency (in the order the meeting lists them, each agency where it first appears). */
static void attendees_table(struct buf *b, const json_t *attendees, const char *lang)
{
	static const char *const heads[] = {"agency", "name", "role_title", "attendance", NULL};
	html_heading(b, label("attendees", lang));
	buf_puts(b, "<table class=\"list\">\n");
	header_cells(b, heads, lang);
	size_t n = json_array_size(attendees);
	bool *done = calloc(n ? n : 1, sizeof *done);
	for (size_t i = 0; done && i < n; i++) {
		if (done[i])
			continue;
		const char *agency = text_of(json_array_get(attendees, i), "agency_name");
		for (size_t j = i; j < n; j++) {
			const json_t *a = json_array_get(attendees, j);
			const char *other = text_of(a, "agency_name");
			if (done[j] || strcmp(agency ? agency : "", other ? other : "") != 0)
				continue;
			done[j] = true;
			buf_puts(b, "<tr>");
			cell(b, j == i ? agency : NULL);
			cell(b, text_of(a, "name"));
			cell(b, text_of(a, "role_title"));
			cell(b, label(json_is_true(json_object_get(a, "present")) ? "present" : "absent", lang));
			buf_puts(b, "</tr>\n");
		}
	}
	free(done);
	buf_puts(b, "</tbody>\n</table>\n");
}

static void actions_table(struct buf *b, const json_t *actions, const char *lang)
{
	static const char *const heads[] = {"action", "owner_agency", "owner", "due_on", "status", NULL};
	html_heading(b, label("actions", lang));
	if (json_array_size(actions) == 0) {
		buf_puts(b, "<p>");
		put_label(b, "no_actions", lang);
		buf_puts(b, "</p>\n");
		return;
	}
	buf_puts(b, "<table class=\"list\">\n");
	header_cells(b, heads, lang);
	size_t i;
	const json_t *a;
	json_array_foreach(actions, i, a) {
		char date[48], key[32];
		snprintf(key, sizeof key, "status_%s", text_of(a, "status") ? text_of(a, "status") : "");
		const char *status = wording_find(&minutes, key, lang);
		buf_puts(b, "<tr>");
		cell(b, text_of(a, "description"));
		cell(b, text_of(a, "owner_agency_name"));
		cell(b, text_of(a, "owner_name"));
		cell(b, html_human_date(text_of(a, "due_on"), lang, "", date));
		cell(b, status ? status : text_of(a, "status"));
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n");
}

/* Blank lines to sign on: the chair, the secretary and each attendee who was present. */
static void signatures(struct buf *b, const json_t *attendees, const char *lang)
{
	html_heading(b, label("signatures", lang));
	buf_puts(b, "<table>\n");
	const char *fixed[] = {"signature_chair", "signature_secretary"};
	for (size_t i = 0; i < 2; i++) {
		buf_puts(b, "<tr><th>");
		put_label(b, fixed[i], lang);
		buf_puts(b, "</th><td>&nbsp;<br>&nbsp;</td></tr>\n");
	}
	size_t i;
	const json_t *a;
	json_array_foreach(attendees, i, a) {
		if (!json_is_true(json_object_get(a, "present")))
			continue;
		buf_puts(b, "<tr><th>");
		html_escape(b, text_of(a, "name"));
		if (text_of(a, "agency_name")) {
			buf_puts(b, " (");
			html_escape(b, text_of(a, "agency_name"));
			buf_puts(b, ")");
		}
		buf_puts(b, "</th><td>&nbsp;<br>&nbsp;</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

void release_minutes_html(struct buf *b, const json_t *m, const char *lang, const char *today)
{
	html_document_begin(b, lang, label("title", lang));
	buf_puts(b, "<h1>");
	put_label(b, "title", lang);
	buf_puts(b, "</h1>\n<p class=\"muted\">");
	put_label(b, "subtitle", lang);
	buf_puts(b, "</p>\n");
	html_heading(b, label("case_heading", lang));
	buf_puts(b, "<table>\n");
	row_text(b, "case_number", lang, text_of(m, "case_number"));
	row_text(b, "full_name", lang, text_of(m, "person_name"));
	row_date(b, "release_on", lang, text_of(m, "release_on"));
	row_text(b, "receiving_unit", lang, text_of(m, "receiving_unit_name"));
	buf_puts(b, "</table>\n");
	html_heading(b, label("meeting_heading", lang));
	buf_puts(b, "<table>\n");
	row_date(b, "held_on", lang, text_of(m, "held_on"));
	row_text(b, "place", lang, text_of(m, "place"));
	buf_puts(b, "</table>\n");
	const json_t *attendees = json_object_get(m, "attendees");
	attendees_table(b, attendees, lang);
	block(b, "agenda", lang, text_of(m, "agenda"));
	block(b, "decisions", lang, text_of(m, "decisions"));
	actions_table(b, json_object_get(m, "actions"), lang);
	signatures(b, attendees, lang);
	/* A human line: "Printed from Kadam on {date}", the date where each language puts it. */
	char date[48];
	const char *line = label("generated", lang);
	const char *at = strstr(line, "{date}");
	buf_puts(b, "<footer>\n<p class=\"muted\">");
	if (at) {
		char *before = xasprintf("%.*s", (int)(at - line), line);
		html_escape(b, before);
		free(before);
		html_escape(b, html_human_date(today, lang, "", date));
		html_escape(b, at + strlen("{date}"));
	} else {
		html_escape(b, line);
	}
	buf_puts(b, "</p>\n</footer>\n");
	html_document_end(b);
}
