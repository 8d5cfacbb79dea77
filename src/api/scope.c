/* scope.c — who may reach which person and case; see scope.h. */
#include "api/scope.h"

#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "domain/document.h"
#include "base/clock.h"
#include "http/router.h"

json_t *api_select(db *conn, const char *sql, const char *types, ...)
{
	db_stmt *st = NULL;
	va_list ap;
	va_start(ap, types);
	enum db_status rc = db_vquery(conn, &st, sql, types, ap);
	va_end(ap);
	json_t *rows = rc == DB_OK ? api_rows_json(st) : NULL;
	db_finalize(&st);
	return rows;
}

json_t *api_select_one(db *conn, bool *failed_r, const char *sql, const char *types, ...)
{
	db_stmt *st = NULL;
	va_list ap;
	va_start(ap, types);
	enum db_status rc = db_vquery(conn, &st, sql, types, ap);
	va_end(ap);
	json_t *row = NULL;
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		row = api_row_json(st);
	db_finalize(&st);
	*failed_r = rc != DB_ROW && rc != DB_DONE;
	return row;
}

enum unit_access scope_unit(struct http_request *req, const char *unit_id, bool purpose_given,
                            struct unit_grant *grant_r)
{
	return policy_unit_access(req->db, &req->principal, unit_id, "people.read.any", purpose_given, clock_now_ms(),
	                          grant_r);
}

/* Ranks accesses: a lower number is a better basis. */
static int rank(enum unit_access a)
{
	switch (a) {
	case UNIT_ACCESS_OWN: return 0;
	case UNIT_ACCESS_GRANTED: return 1;
	case UNIT_ACCESS_WITH_PURPOSE: return 2;
	case UNIT_ACCESS_NEED_PURPOSE: return 3;
	case UNIT_ACCESS_DENIED: return 4;
	case UNIT_ACCESS_ERROR: return 5;
	}
	return 5;
}

/*
 * The probation unit named to receive a person on release reaches their open penitentiary case (and the person)
 * while the release plan is live (RELEASE_PLAN_LIVE), so that it can prepare the supervision: it reads the case,
 * and it does the release-planning work the plan is for (routes of release.*, referrals.* and reintegration.*). It
 * never closes, allocates, transfers or otherwise changes the prison's case before the handover. The reach counts
 * only for callers whose own units hold the receiving unit, and only as a basis of its own below the case's own
 * units: like a grant (a change the plan allows, not an allocation, nor a restricted family member, S15), logged
 * with the plan as its basis.
 */
struct receiving {
	char plan_id[UUID_STR_LEN];
	char unit_id[UUID_STR_LEN];
};

/* Whether the receiving unit's reach counts for this request: a read, or release-planning work. */
static bool receiving_counts(const struct http_request *req)
{
	if (req->method && (strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0))
		return true;
	static const char *const prefixes[] = {"release.", "referrals.", "reintegration.", NULL};
	const char *permission = req->route ? req->route->permission : NULL;
	for (const char *const *p = prefixes; permission && *p; p++)
		if (strncmp(permission, *p, strlen(*p)) == 0)
			return true;
	return false;
}

/* Decides over a set of units (and the receiving units of live release plans) and answers when the caller may not
 * go on. */
static bool decide(struct http_request *req, struct http_response *resp, char units[][UUID_STR_LEN], int n,
                   const struct receiving *receiving, int nreceiving, const char *record_type,
                   const char *record_id, struct record_scope *s)
{
	bool purpose = false;
	if (!api_purpose(req, resp, &purpose)) {
		db_rollback(req->db);
		return false;
	}
	s->access = UNIT_ACCESS_DENIED;
	for (int i = 0; i < n && s->access != UNIT_ACCESS_OWN; i++) {
		struct unit_grant g = {0};
		enum unit_access a = scope_unit(req, units[i], purpose, &g);
		if (a == UNIT_ACCESS_ERROR) {
			api_db_failed(req, resp, "deciding access");
			return false;
		}
		if (rank(a) < rank(s->access)) {
			s->access = a;
			s->grant = g;
		}
	}
	bool counts = nreceiving > 0 && receiving_counts(req);
	for (int i = 0; counts && i < nreceiving && rank(UNIT_ACCESS_GRANTED) < rank(s->access); i++) {
		enum unit_access a = scope_unit(req, receiving[i].unit_id, false, NULL);
		if (a == UNIT_ACCESS_ERROR) {
			api_db_failed(req, resp, "deciding access");
			return false;
		}
		if (a == UNIT_ACCESS_OWN) {
			s->access = UNIT_ACCESS_GRANTED;
			memset(&s->grant, 0, sizeof s->grant);
			snprintf(s->grant.id, sizeof s->grant.id, "%s", receiving[i].plan_id);
			snprintf(s->grant.kind, sizeof s->grant.kind, "%s", RECEIVING_GRANT_KIND);
			snprintf(s->grant.purpose, sizeof s->grant.purpose, "%s", "supervision");
		}
	}
	switch (s->access) {
	case UNIT_ACCESS_OWN:
	case UNIT_ACCESS_GRANTED:
	case UNIT_ACCESS_WITH_PURPOSE: return true;
	case UNIT_ACCESS_NEED_PURPOSE:
		db_rollback(req->db);
		http_problem(resp, req, 428, "purpose-required", "State the purpose first",
		             "This record is outside your own units: send X-Kadam-Purpose and X-Kadam-Justification.",
		             NULL);
		return false;
	default:
		db_rollback(req->db);
		api_audit_denied(req, record_type, record_id,
		                 nreceiving > 0 && !counts ? "record outside the caller's scope (a receiving unit changes only"
		                                             " the release planning before the handover)"
		                                           : "record outside the caller's scope");
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             nreceiving > 0 && !counts
		                 ? "Before the handover the receiving unit reads this case and works on its release plan;"
		                   " the case itself is changed by its own unit."
		                 : "This record is outside your units and your roles do not reach it.",
		             NULL);
		return false;
	}
}

bool scope_units(struct http_request *req, struct http_response *resp, char units[][UUID_STR_LEN], int n,
                 const char *record_type, const char *record_id, struct record_scope *s)
{
	return decide(req, resp, units, n, NULL, 0, record_type, record_id, s);
}

/* The live release plans of open penitentiary cases whose id or person is key (by_person), at most max; -1 on a
 * database error. */
static int receiving_units(db *conn, const char *key, bool by_person, struct receiving *out, int max)
{
	db_stmt *st = NULL;
	int n = 0;
	enum db_status rc = db_query(conn, &st, by_person
		? "SELECT rp.id, rp.receiving_unit_id FROM release_plan rp JOIN case_file c ON c.id = rp.case_id"
		  " WHERE c.person_id = ? AND c.status = 'open' AND c.kind = 'penitentiary' AND rp.status IN "
		  RELEASE_PLAN_LIVE " ORDER BY rp.id"
		: "SELECT rp.id, rp.receiving_unit_id FROM release_plan rp JOIN case_file c ON c.id = rp.case_id"
		  " WHERE c.id = ? AND c.status = 'open' AND c.kind = 'penitentiary' AND rp.status IN " RELEASE_PLAN_LIVE,
		"t", key);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n < max) {
			snprintf(out[n].plan_id, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
			snprintf(out[n].unit_id, UUID_STR_LEN, "%s", db_column_text(st, 1, NULL));
			n++;
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? n : -1;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

bool scope_person(struct http_request *req, struct http_response *resp, const char *person_id,
                  struct record_scope *s)
{
	memset(s, 0, sizeof *s);
	char units[SCOPE_MAX_UNITS][UUID_STR_LEN];
	int n = 0;
	db_stmt *st = NULL;
	/* The registering unit first, then the units of the person's cases, open ones first. */
	enum db_status rc = db_query(req->db, &st,
		"SELECT unit_id, merged_into, 0 AS o FROM person WHERE id = ?"
		" UNION ALL SELECT unit_id, NULL, CASE status WHEN 'open' THEN 1 ELSE 2 END FROM case_file"
		" WHERE person_id = ? ORDER BY o",
		"tt", uuid_valid(person_id) ? person_id : "", person_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (n == 0 && db_column_int64(st, 2) != 0)
			break; /* no person row */
		if (n == 0) {
			copy(s->unit_id, sizeof s->unit_id, db_column_text(st, 0, NULL));
			s->merged = db_column_text(st, 1, NULL) != NULL;
		}
		if (n < SCOPE_MAX_UNITS)
			copy(units[n++], UUID_STR_LEN, db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE && rc != DB_ROW) {
		api_db_failed(req, resp, "reading a person");
		return false;
	}
	if (n == 0) {
		db_rollback(req->db);
		api_not_found(req, resp, "person");
		return false;
	}
	copy(s->person_id, sizeof s->person_id, person_id);
	struct receiving receiving[SCOPE_MAX_UNITS];
	int nreceiving = receiving_units(req->db, person_id, true, receiving, SCOPE_MAX_UNITS);
	if (nreceiving < 0) {
		api_db_failed(req, resp, "reading a person's release plans");
		return false;
	}
	return decide(req, resp, units, n, receiving, nreceiving, "person", person_id, s);
}

bool scope_case_load(struct http_request *req, struct http_response *resp, const char *case_id,
                     struct record_scope *s, const char *what)
{
	memset(s, 0, sizeof *s);
	db_stmt *st = NULL;
	enum db_status rc = db_query(req->db, &st,
		"SELECT unit_id, person_id, officer_id, status, kind FROM case_file WHERE id = ?", "t", case_id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		copy(s->unit_id, sizeof s->unit_id, db_column_text(st, 0, NULL));
		copy(s->person_id, sizeof s->person_id, db_column_text(st, 1, NULL));
		copy(s->officer_id, sizeof s->officer_id, db_column_text(st, 2, NULL));
		copy(s->status, sizeof s->status, db_column_text(st, 3, NULL));
		copy(s->kind, sizeof s->kind, db_column_text(st, 4, NULL));
	}
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE) {
		api_db_failed(req, resp, "reading a case");
		return false;
	}
	if (rc == DB_DONE) {
		db_rollback(req->db);
		api_not_found(req, resp, what);
		return false;
	}
	return true;
}

bool scope_case(struct http_request *req, struct http_response *resp, const char *case_id,
                struct record_scope *s)
{
	if (!scope_case_load(req, resp, case_id, s, "case"))
		return false;
	char units[1][UUID_STR_LEN];
	copy(units[0], UUID_STR_LEN, s->unit_id);
	struct receiving receiving[1];
	int nreceiving = receiving_units(req->db, case_id, false, receiving, 1);
	if (nreceiving < 0) {
		api_db_failed(req, resp, "reading a case's release plan");
		return false;
	}
	return decide(req, resp, units, 1, receiving, nreceiving, "case", case_id, s);
}

bool scope_audit(struct http_request *req, const struct record_scope *s, const char *action,
                 const char *record_type, const char *record_id, const char *detail)
{
	/* Under a grant the log names it, and a break-glass read says "emergency" (S17). */
	if (s->access == UNIT_ACCESS_GRANTED && s->grant.id[0]) {
		char basis[80];
		if (strcmp(s->grant.kind, RECEIVING_GRANT_KIND) == 0)
			snprintf(basis, sizeof basis, "receiving unit of release plan %s", s->grant.id);
		else
			snprintf(basis, sizeof basis, "%s grant %s", s->grant.kind, s->grant.id);
		return api_audit_why(req, action, record_type, record_id, AUDIT_OUTCOME_SUCCESS, detail, s->grant.purpose,
		                     basis);
	}
	return api_audit(req, action, record_type, record_id, AUDIT_OUTCOME_SUCCESS, detail);
}

bool scope_may_change(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                      const char *record_type, const char *record_id)
{
	if (s->access == UNIT_ACCESS_OWN || s->access == UNIT_ACCESS_GRANTED)
		return true;
	db_rollback(req->db);
	api_audit_denied(req, record_type, record_id, "change to a record outside the caller's units");
	http_problem(resp, req, 403, "forbidden", "Not permitted",
	             "This case is outside your units: a stated purpose allows reading it, not changing it.", NULL);
	return false;
}

void scope_send_document(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                         const char *record_type, const char *record_id, const char *detail, struct buf *doc)
{
	if (!scope_audit(req, s, AUDIT_CONSULT, record_type, record_id, detail)) {
		buf_free(doc);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	if (!api_commit(req, resp)) {
		buf_free(doc);
		return;
	}
	http_response_text(resp, 200, "text/html; charset=utf-8", doc->data, doc->len);
	buf_free(doc);
	/* The document carries its own inline style: its policy allows that style by hash and nothing else. */
	http_response_header(resp, "Content-Security-Policy", html_style_csp());
	http_response_header(resp, "Content-Disposition", "inline");
}

bool scope_audit_referred_list(struct http_request *req, const char *record_type, const json_t *rows)
{
	struct buf ids = {0};
	size_t i;
	const json_t *v;
	bool ok = true;
	json_array_foreach(rows, i, v) {
		const char *id = json_string_value(json_object_get(v, "id"));
		if (json_integer_value(json_object_get(v, "in_reach_"))) {
			if (ids.len < 1800) {
				if (ids.len)
					buf_putc(&ids, ',');
				buf_puts(&ids, id);
			}
		} else {
			ok = ok && api_audit_why(req, AUDIT_CONSULT, record_type, id, AUDIT_OUTCOME_SUCCESS,
			                         json_string_value(json_object_get(v, "case_id")), AUTHORITY_PURPOSE,
			                         AUTHORITY_BASIS);
		}
	}
	char *detail = xasprintf("list: %s", ids.data ? ids.data : "none in scope");
	ok = ok && api_audit(req, AUDIT_CONSULT, record_type, NULL, AUDIT_OUTCOME_SUCCESS, detail);
	free(detail);
	buf_free(&ids);
	return ok;
}

void scope_send_items(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                      const char *record_type, const char *record_id, json_t *items, const char *what)
{
	if (!items || !scope_audit(req, s, AUDIT_CONSULT, record_type, record_id, NULL)) {
		json_decref(items);
		api_db_failed(req, resp, what);
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}
