/*
 * em_police.c — police requests for a person's EM data (S24). A police
 * liaison asks by case number (police know no ids) for a time window of at
 * most 31 days, not in the future, with the legal basis and the reason; a
 * unit head of the case's units approves or refuses it with a note. An
 * approved request lets its requester alone (not the rest of the agency)
 * read the window's fixes until access_until (decided_at plus the setting
 * em.police_access_days); each such read is logged as a disclosure to the
 * police agency with the legal basis as justification. Every step is logged;
 * a refused, pending or expired request gives nothing and the attempt is
 * logged as refused. Only an order whose decision orders a location trail
 * can be asked for (S23: a curfew or zones alone disclose no locations).
 * While a request is pending or its access lasts, the window's days are
 * held from the EM retention (S12, em_fix_hold with alert_id
 * "police:<request id>"); refusal or the end of access releases them.
 *
 *   pending -> approved | refused (decision)
 */
#include <math.h>
#include <string.h>

#include "api/api.h"
#include "api/em_scope.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/person.h"
#include "domain/settings.h"
#include "em/fixstore.h"

#define DAY_MS (24LL * 3600 * 1000)
#define WINDOW_MAX_DAYS 31
#define TRAIL_MAX 20000

static const char *const decisions[] = {"approved", "refused", NULL};
static const char *const statuses[] = {"pending", "approved", "refused", "withdrawn", NULL};

static const struct field_rule request_rules[] = {
	{"case_number", FIELD_STRING, true, 1, 40, NULL},
	{"legal_basis", FIELD_STRING, true, 10, 500, NULL},
	{"reason", FIELD_STRING, true, 10, 2000, NULL},
	{"from", FIELD_STRING, true, 20, 40, NULL},
	{"to", FIELD_STRING, true, 20, 40, NULL},
};
static const struct field_rule decision_rules[] = {
	{"decision", FIELD_ENUM, true, 0, 0, decisions},
	{"note", FIELD_STRING, true, 1, 1000, NULL},
};

bool em_police_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)today;
	size_t before = fe->list ? json_array_size(fe->list) : 0;
	if (strcmp(kind, "request") == 0) {
		if (validate_object(body, request_rules, NRULES(request_rules), fe)) {
			int64_t from = 0, to = 0;
			bool f = clock_parse_rfc3339(json_str(body, "from"), &from);
			bool t = clock_parse_rfc3339(json_str(body, "to"), &to);
			if (!f)
				field_error(fe, "from", "must be a time (RFC 3339)");
			if (!t)
				field_error(fe, "to", "must be a time (RFC 3339)");
			if (f && t && to <= from)
				field_error(fe, "to", "must be after from");
			else if (f && t && to - from > WINDOW_MAX_DAYS * DAY_MS)
				field_error(fe, "to", "must be at most %d days after from", WINDOW_MAX_DAYS);
		}
	} else if (strcmp(kind, "decision") == 0) {
		validate_object(body, decision_rules, NRULES(decision_rules), fe);
	} else {
		field_error(fe, "kind", "is not a known body");
	}
	return (fe->list ? json_array_size(fe->list) : 0) == before;
}

#define REQUEST_COLUMNS \
	" r.id, r.order_id, c.number AS case_number," \
	" " PERSON_NAME_SQL("p") " AS person_name," \
	" ra.display_name AS requested_by_name, ag.name AS agency_name, r.legal_basis, r.reason, r.from_at, r.to_at," \
	" r.status, da.display_name AS decided_by_name, r.decided_at, r.decision_note, r.access_until, r.requested_at," \
	" r.version, r.requested_by AS requested_by_, c.unit_id AS unit_id_, c.id AS case_id_"
#define REQUEST_FROM \
	" FROM em_police_request r JOIN em_order o ON o.id = r.order_id JOIN case_file c ON c.id = o.case_id" \
	" JOIN person p ON p.id = c.person_id JOIN account ra ON ra.id = r.requested_by" \
	" JOIN agency ag ON ag.id = r.agency_id LEFT JOIN account da ON da.id = r.decided_by"

/* The contract's shape: from/to, no internal members, the person's name only to a unit head (decider). */
static void request_fold(json_t *r, bool decider)
{
	json_object_set(r, "from", json_object_get(r, "from_at"));
	json_object_set(r, "to", json_object_get(r, "to_at"));
	json_object_del(r, "from_at");
	json_object_del(r, "to_at");
	json_object_del(r, "requested_by_");
	json_object_del(r, "unit_id_");
	json_object_del(r, "case_id_");
	if (!decider)
		json_object_del(r, "person_name");
}

static bool decider(const struct http_request *req)
{
	return policy_has(&req->principal, "em.police.decide");
}

/* A request's row; NULL when none (*failed_r false). */
static json_t *request_row(db *conn, const char *id, bool *failed_r)
{
	return api_select_one(conn, failed_r, "SELECT" REQUEST_COLUMNS REQUEST_FROM " WHERE r.id = ?", "t",
	                      uuid_valid(id) ? id : "");
}

static const char *member(const json_t *row, const char *name)
{
	const char *s = json_string_value(json_object_get(row, name));
	return s ? s : "";
}

/* ---- holds on the window's fixes (S12) ---------------------------------------------------------------------- */

/* The hold key of a request in em_fix_hold.alert_id. */
static void hold_key(char out[64], const char *request_id)
{
	snprintf(out, 64, "%s%s", EM_POLICE_HOLD_PREFIX, request_id);
}

/*
 * Holds the window's days of every device fitted under the order during it, so the retention job does not erase
 * what a pending or approved request asks for before the request is decided and read (S12: locations tied to an
 * incident). The holds go when the request is refused or its access ends (em_police_release_holds).
 */
static bool police_hold(db *conn, const char *request_id, const char *order_id, int64_t from, int64_t to,
                        int64_t now)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT d.num, f.fitted_at, f.removed_at FROM em_fitting f JOIN em_device d ON d.id = f.device_id"
		" WHERE f.order_id = ? AND f.fitted_at < ? AND (f.removed_at IS NULL OR f.removed_at > ?)", "tii", order_id,
		to, from);
	int64_t nums[64], starts[64], ends[64];
	int n = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n < 64) {
			int64_t fitted = db_column_int64(st, 1);
			int64_t off = db_column_type(st, 2) == DB_TYPE_NULL ? to : db_column_int64(st, 2);
			nums[n] = db_column_int64(st, 0);
			starts[n] = fitted > from ? fitted : from;
			ends[n] = off < to ? off : to;
			n++;
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return false;
	char key[64];
	hold_key(key, request_id);
	for (int i = 0; i < n; i++)
		if (fixstore_hold(conn, nums[i], starts[i], ends[i], key, now) != DB_OK)
			return false;
	return true;
}

/* Releases ended requests' holds in the request's transaction; false after answering 500. */
static bool holds_tidy(struct http_request *req, struct http_response *resp)
{
	if (em_police_release_holds(req->db, clock_now_ms()))
		return true;
	api_db_failed(req, resp, "releasing holds");
	return false;
}

/*
 * Who may see a request: its requester, or a unit head whose units (own or granted) hold the case. Answers 404
 * (refusal logged) otherwise. *scope_r gets the unit head's basis (access OWN for the requester).
 */
static bool request_reach(struct http_request *req, struct http_response *resp, const json_t *row, bool decide,
                          struct record_scope *scope_r)
{
	memset(scope_r, 0, sizeof *scope_r);
	const char *id = member(row, "id");
	if (!decide && strcmp(member(row, "requested_by_"), req->principal.account_id) == 0) {
		scope_r->access = UNIT_ACCESS_OWN;
		return true;
	}
	if (decider(req)) {
		struct unit_grant g = {0};
		enum unit_access a = scope_unit(req, member(row, "unit_id_"), false, &g);
		if (a == UNIT_ACCESS_ERROR) {
			api_db_failed(req, resp, "deciding access");
			return false;
		}
		if (a == UNIT_ACCESS_OWN || a == UNIT_ACCESS_GRANTED) {
			scope_r->access = a;
			scope_r->grant = g;
			return true;
		}
	}
	db_rollback(req->db);
	api_audit_denied(req, "em_police_request", id, "police request outside the caller's reach");
	api_not_found(req, resp, "police request");
	return false;
}

/* Loads a request and checks reach; NULL after answering. */
static json_t *request_load(struct http_request *req, struct http_response *resp, const char *id, bool decide,
                            struct record_scope *scope_r)
{
	bool failed = false;
	json_t *row = request_row(req->db, id, &failed);
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a police request");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "police request");
		}
		return NULL;
	}
	if (!request_reach(req, resp, row, decide, scope_r)) {
		json_decref(row);
		return NULL;
	}
	return row;
}

/* Reads the request again, commits and answers it. */
static void answer_request(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *row = request_row(req->db, id, &failed);
	if (!row) {
		api_db_failed(req, resp, "reading a police request");
		return;
	}
	request_fold(row, decider(req));
	api_commit_send(req, resp, status, row);
}

void api_em_police_requests_list(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	const char *status = http_request_query(req, "status");
	if (status && !in_list(status, statuses))
		field_error(&fe, "status", "must be one of pending, approved, refused, withdrawn");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !holds_tidy(req, resp))
		return;
	/* The requester's own requests (any status, or the one asked), and a unit head's of the cases in reach
	   (pending unless another status is asked). */
	json_t *items = api_select(req->db,
		REACH_CTE " SELECT" REQUEST_COLUMNS REQUEST_FROM
		" WHERE (r.requested_by = ? AND (CAST(? AS TEXT) IS NULL OR r.status = ?))"
		" OR (? = 1 AND c.unit_id IN (SELECT id FROM reach) AND r.status = ?)"
		" ORDER BY r.requested_at DESC, r.id LIMIT 200",
		"tti" "ttt" "it", req->principal.unit_id[0] ? req->principal.unit_id : NULL, req->principal.account_id,
		clock_now_ms(), req->principal.account_id, status, status, (int64_t)(decider(req) ? 1 : 0),
		status ? status : "pending");
	if (!items) {
		api_db_failed(req, resp, "listing police requests");
		return;
	}
	size_t i;
	json_t *r;
	json_array_foreach(items, i, r) {
		request_fold(r, decider(req));
	}
	if (!api_audit_list(req, "em_police_request", items, status ? status : NULL)) {
		json_decref(items);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

void api_em_police_request_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	em_police_body_validate("request", req->json, NULL, &fe);
	int64_t now = clock_now_ms(), from = 0, to = 0;
	if (clock_parse_rfc3339(json_str(req->json, "to"), &to) && to > now + 60 * 1000)
		field_error(&fe, "to", "must not be in the future");
	clock_parse_rfc3339(json_str(req->json, "from"), &from);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool failed = false;
	/* The case's order with a location trail: the active one, else the latest. An unknown number, a case never
	   monitored and one whose decision orders no trail (curfew or zones only: no locations to disclose, S23) get
	   the same answer. */
	if (!holds_tidy(req, resp))
		return;
	json_t *order = api_select_one(req->db, &failed,
		"SELECT o.id, o.case_id FROM em_order o JOIN case_file c ON c.id = o.case_id WHERE c.number = ?"
		" AND o.mode_trail = 1 ORDER BY CASE WHEN o.status = 'active' THEN 0 ELSE 1 END, o.created_at DESC LIMIT 1", "t",
		api_str(req, "case_number"));
	if (!order) {
		if (failed)
			api_db_failed(req, resp, "finding a monitoring order");
		else
			api_field_problem(req, resp, "case_number",
			                  "names no case with electronic monitoring that a request can be made for");
		return;
	}
	if (!req->principal.agency_id[0]) {
		json_decref(order);
		api_field_problem(req, resp, "case_number", "cannot be requested by an account without an agency");
		return;
	}
	char id[UUID_STR_LEN];
	uuid_v7(id);
	bool ok = db_run(req->db, NULL,
		"INSERT INTO em_police_request (id, order_id, requested_by, requested_at, agency_id, legal_basis, reason,"
		" from_at, to_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"ttti" "ttt" "ii", id, member(order, "id"), req->principal.account_id, now, req->principal.agency_id,
		api_str(req, "legal_basis"), api_str(req, "reason"), from, to) == DB_OK &&
	          police_hold(req->db, id, member(order, "id"), from, to, now) &&
	          api_audit(req, AUDIT_COLLECT, "em_police_request", id, AUDIT_OUTCOME_SUCCESS, member(order, "id"));
	json_decref(order);
	if (!ok) {
		api_db_failed(req, resp, "recording a police request");
		return;
	}
	answer_request(req, resp, id, 201);
}

void api_em_police_request_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct record_scope s;
	if (!api_begin(req, resp) || !holds_tidy(req, resp))
		return;
	json_t *row = request_load(req, resp, id, false, &s);
	if (!row)
		return;
	request_fold(row, decider(req));
	if (!scope_audit(req, &s, AUDIT_CONSULT, "em_police_request", id, NULL)) {
		json_decref(row);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	api_commit_send(req, resp, 200, row);
}

void api_em_police_request_decide(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_police_body_validate("decision", req->json, NULL, &fe);
	struct record_scope s;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	json_t *row = request_load(req, resp, id, true, &s);
	if (!row)
		return;
	if (strcmp(member(row, "status"), "pending") != 0) {
		json_decref(row);
		api_conflict(req, resp, "wrong-state", "The request has been decided", "Only a pending request is decided.");
		return;
	}
	if (strcmp(member(row, "requested_by_"), req->principal.account_id) == 0) {
		json_decref(row);
		db_rollback(req->db);
		http_problem(resp, req, 403, "own-request", "Not your own request",
		             "A request is decided by a unit head other than its requester.", NULL);
		return;
	}
	long days = 14;
	if (setting_int(req->db, "em.police_access_days", 14, 1, 365, &days) != DB_OK) {
		json_decref(row);
		api_db_failed(req, resp, "reading a setting");
		return;
	}
	bool approved = strcmp(api_str(req, "decision"), "approved") == 0;
	int64_t now = clock_now_ms();
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
		"UPDATE em_police_request SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?,"
		" access_until = ?, version = version + 1 WHERE id = ? AND status = 'pending'",
		"ttit" "it", approved ? "approved" : "refused", req->principal.account_id, now, api_str(req, "note"),
		now + (int64_t)days * DAY_MS, id) == DB_OK;
	if (ok && !approved)
		ok = db_run(req->db, NULL, "UPDATE em_police_request SET access_until = NULL WHERE id = ?", "t", id) == DB_OK &&
		     em_police_release_holds(req->db, now);
	if (ok && changed != 1) {
		json_decref(row);
		api_conflict(req, resp, "wrong-state", "The request has been decided", "It was decided meanwhile: reload it.");
		return;
	}
	char detail[80];
	snprintf(detail, sizeof detail, "%s; order %s", approved ? "approved" : "refused", member(row, "order_id"));
	ok = ok && scope_audit(req, &s, AUDIT_ALTER, "em_police_request", id, detail);
	json_decref(row);
	if (!ok) {
		api_db_failed(req, resp, "deciding a police request");
		return;
	}
	answer_request(req, resp, id, 200);
}

/* ---- the approved window's fixes ---------------------------------------------------------- */

struct trail {
	json_t *fixes;
	size_t n;
};

static json_t *number_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static void trail_each(void *ctx, const struct stored_fix *f)
{
	struct trail *t = ctx;
	char at[32];
	clock_format_rfc3339(f->fix.at_ms, at);
	json_array_append_new(t->fixes,
		json_pack("{s:s, s:f, s:f, s:o, s:o, s:o, s:b}", "at", at, "lat", f->fix.lat, "lon", f->fix.lon,
		          "accuracy_m", number_or_null(f->fix.accuracy_m), "speed_kmh", number_or_null(f->fix.speed_kmh),
		          "battery_pct", f->fix.battery_pct < 0 ? json_null() : json_integer(f->fix.battery_pct), "late",
		          (f->flags & EM_FIX_LATE) != 0));
	t->n++;
}

/* Refuses a trail read (logged in a transaction of its own) with status, type and detail. */
static void trail_refused(struct http_request *req, struct http_response *resp, const char *id, int status,
                          const char *type, const char *title, const char *detail)
{
	db_rollback(req->db);
	api_audit_denied(req, "em_police_request", id, detail);
	http_problem(resp, req, status, type, title, detail, NULL);
}

void api_em_police_request_trail(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	if (!api_begin(req, resp) || !holds_tidy(req, resp))
		return;
	bool failed = false;
	json_t *row = request_row(req->db, id, &failed);
	if (!row || strcmp(member(row, "requested_by_"), req->principal.account_id) != 0) {
		/* Only the requester reads the window (not the rest of the agency). */
		if (failed) {
			api_db_failed(req, resp, "reading a police request");
		} else {
			db_rollback(req->db);
			if (row)
				api_audit_denied(req, "em_police_request", id, "trail of a police request by another than its requester");
			api_not_found(req, resp, "police request");
		}
		json_decref(row);
		return;
	}
	int64_t now = clock_now_ms();
	const char *status = member(row, "status");
	if (strcmp(status, "approved") != 0) {
		char *detail = xasprintf("The request is %s: it gives no access to EM data.", status);
		json_decref(row);
		trail_refused(req, resp, id, 409, "not-approved", "The request is not approved", detail);
		free(detail);
		return;
	}
	/* access_until, from and to come back as RFC 3339 text. */
	int64_t until = 0, from = 0, to = 0;
	clock_parse_rfc3339(member(row, "access_until"), &until);
	clock_parse_rfc3339(member(row, "from_at"), &from);
	clock_parse_rfc3339(member(row, "to_at"), &to);
	if (until <= now) {
		json_decref(row);
		trail_refused(req, resp, id, 403, "access-ended", "Access has ended",
		              "The approved access to this window has ended: make a new request.");
		return;
	}
	/* S23: locations only where the decision orders a trail (the order may have changed since the request). */
	json_t *modes = api_select_one(req->db, &failed, "SELECT mode_trail FROM em_order WHERE id = ?", "t",
	                               member(row, "order_id"));
	if (!modes) {
		json_decref(row);
		api_db_failed(req, resp, "reading a monitoring order");
		return;
	}
	bool trail = json_integer_value(json_object_get(modes, "mode_trail")) == 1;
	json_decref(modes);
	if (!trail) {
		json_decref(row);
		trail_refused(req, resp, id, 409, "trail-not-ordered", "The trail is not ordered",
		              "The decision behind this monitoring order orders no location trail: no locations are disclosed.");
		return;
	}
	/* The devices fitted under the order during the window, each read for the part of the window it was fitted. */
	db_stmt *st = NULL;
	struct trail t = {.fixes = json_array()};
	bool truncated = false;
	enum db_status rc = db_query(req->db, &st,
		"SELECT d.num, f.fitted_at, f.removed_at FROM em_fitting f JOIN em_device d ON d.id = f.device_id"
		" WHERE f.order_id = ? AND f.fitted_at < ? AND (f.removed_at IS NULL OR f.removed_at > ?) ORDER BY f.fitted_at",
		"tii", member(row, "order_id"), to, from);
	int64_t nums[64], starts[64], ends[64];
	int n = 0;
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n < 64) {
			nums[n] = db_column_int64(st, 0);
			int64_t fitted = db_column_int64(st, 1);
			bool removed = db_column_type(st, 2) != DB_TYPE_NULL;
			int64_t off = removed ? db_column_int64(st, 2) : to;
			starts[n] = fitted > from ? fitted : from;
			ends[n] = off < to ? off : to;
			n++;
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	for (int i = 0; rc == DB_DONE && i < n; i++) {
		size_t count = 0;
		if (t.n >= TRAIL_MAX) {
			truncated = true;
			break;
		}
		rc = fixstore_read(req->db, nums[i], starts[i], ends[i], TRAIL_MAX - t.n + 1, trail_each, &t, &count);
		rc = rc == DB_OK ? DB_DONE : rc;
	}
	if (rc != DB_DONE) {
		json_decref(t.fixes);
		json_decref(row);
		api_db_failed(req, resp, "reading fixes");
		return;
	}
	if (json_array_size(t.fixes) > TRAIL_MAX) {
		truncated = true;
		json_array_remove(t.fixes, TRAIL_MAX);
	}
	char *detail = xasprintf("window %s .. %s: %zu fixes of order %s", member(row, "from_at"), member(row, "to_at"),
	                         json_array_size(t.fixes), member(row, "order_id"));
	bool ok = api_audit_disclose(req, "em_trail", member(row, "order_id"), member(row, "agency_name"),
	                             member(row, "legal_basis"), detail);
	free(detail);
	json_t *out = json_pack("{s:s, s:s, s:O, s:O, s:o, s:b}", "request_id", member(row, "id"), "order_id",
	                        member(row, "order_id"), "from", json_object_get(row, "from_at"), "to",
	                        json_object_get(row, "to_at"), "fixes", t.fixes, "truncated", truncated);
	json_decref(row);
	if (!ok) {
		json_decref(out);
		api_db_failed(req, resp, "logging a disclosure");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 200, out);
}
