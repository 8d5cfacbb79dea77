/* org.c — agencies, units and the staff of a unit. */
#include <string.h>

#include "api/api.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "domain/account.h"
#include "domain/org.h"

/* Runs a query and answers 200 with {items:[...]} (or the one record, with its ETag). */
static void answer_rows(struct http_request *req, struct http_response *resp, db_stmt *st, bool one,
                        const char *what)
{
	json_t *rows = st ? api_rows_json(st) : NULL;
	db_finalize(&st);
	if (!rows) {
		api_db_failed(req, resp, what);
		return;
	}
	if (one && json_array_size(rows) == 0) {
		json_decref(rows);
		db_rollback(req->db);
		api_not_found(req, resp, what);
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	if (one) {
		json_t *row = json_incref(json_array_get(rows, 0));
		json_decref(rows);
		api_etag(resp, json_integer_value(json_object_get(row, "version")));
		http_response_json(resp, 200, row);
	} else {
		http_response_json(resp, 200, json_pack("{s:o}", "items", rows));
	}
}

void api_agencies_list(struct http_request *req, struct http_response *resp)
{
	db_stmt *st = NULL;
	if (!api_begin(req, resp))
		return;
	org_agency_query(req->db, NULL, &st);
	answer_rows(req, resp, st, false, "agency");
}

void api_agency_get(struct http_request *req, struct http_response *resp)
{
	db_stmt *st = NULL;
	if (!api_begin(req, resp))
		return;
	org_agency_query(req->db, http_request_param(req, "id"), &st);
	answer_rows(req, resp, st, true, "agency");
}

static const struct field_rule agency_rules[] = {
	{"name", FIELD_STRING, true, 1, 200, NULL},
	{"kind", FIELD_ENUM, true, 0, 0, org_agency_kinds},
};

/* Maps a domain result to an answer; true for ORG_OK. */
static bool org_answer(struct http_request *req, struct http_response *resp, enum org_result r,
                       const char *what)
{
	switch (r) {
	case ORG_OK: return true;
	case ORG_NOT_FOUND: db_rollback(req->db); api_not_found(req, resp, what); return false;
	case ORG_STALE:
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this record since you read it; read it again.", NULL);
		return false;
	case ORG_DUPLICATE: {
		db_rollback(req->db);
		struct field_errors fe = {0};
		field_error(&fe, "name", "is already taken");
		field_errors_respond(&fe, resp, req);
		return false;
	}
	case ORG_BAD_PARENT: {
		db_rollback(req->db);
		struct field_errors fe = {0};
		field_error(&fe, "parent_id", "must be a unit of the same agency and not below this unit");
		field_errors_respond(&fe, resp, req);
		return false;
	}
	case ORG_ERROR: break;
	}
	api_db_failed(req, resp, what);
	return false;
}

/* After a create or update: log it, commit, answer with the record. */
static void finish_write(struct http_request *req, struct http_response *resp, const char *type,
                         const char *id, int status)
{
	if (!api_audit(req, status == 201 ? AUDIT_COLLECT : AUDIT_ALTER, type, id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "logging a change");
		return;
	}
	db_stmt *st = NULL;
	if (strcmp(type, "agency") == 0)
		org_agency_query(req->db, id, &st);
	else
		org_unit_query(req->db, id, NULL, &st);
	answer_rows(req, resp, st, true, type);
	if (resp->status == 200 && status == 201) {
		resp->status = 201;
		char *location = xasprintf("/api/v1/%s/%s", strcmp(type, "agency") == 0 ? "agencies" : "units", id);
		http_response_header(resp, "Location", location);
		free(location);
	}
}

void api_agency_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, agency_rules, 2, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	char id[UUID_STR_LEN];
	if (org_answer(req, resp, org_agency_create(req->db, api_str(req, "name"), api_str(req, "kind"),
	                                            clock_now_ms(), id), "agency"))
		finish_write(req, resp, "agency", id, 201);
}

void api_agency_update(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	int64_t version = 0;
	validate_object(req->json, agency_rules, 2, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) ||
	    !api_begin(req, resp))
		return;
	const char *id = http_request_param(req, "id");
	if (org_answer(req, resp, org_agency_update(req->db, id, version, api_str(req, "name"),
	                                            api_str(req, "kind"), clock_now_ms()), "agency"))
		finish_write(req, resp, "agency", id, 200);
}

void api_units_list(struct http_request *req, struct http_response *resp)
{
	const char *agency = http_request_query(req, "agency_id");
	if (agency && !uuid_valid(agency)) {
		struct field_errors fe = {0};
		field_error(&fe, "agency_id", "must be a UUID");
		field_errors_respond(&fe, resp, req);
		return;
	}
	db_stmt *st = NULL;
	if (!api_begin(req, resp))
		return;
	org_unit_query(req->db, NULL, agency, &st);
	answer_rows(req, resp, st, false, "unit");
}

void api_unit_get(struct http_request *req, struct http_response *resp)
{
	db_stmt *st = NULL;
	if (!api_begin(req, resp))
		return;
	org_unit_query(req->db, http_request_param(req, "id"), NULL, &st);
	answer_rows(req, resp, st, true, "unit");
}

static const struct field_rule unit_create_rules[] = {
	{"agency_id", FIELD_STRING, true, 36, 36, NULL},
	{"parent_id", FIELD_STRING, false, 36, 36, NULL},
	{"name", FIELD_STRING, true, 1, 200, NULL},
};

void api_unit_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	validate_object(req->json, unit_create_rules, 3, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	char agency[UUID_STR_LEN] = "";
	db_stmt *st = NULL;
	if (db_query(req->db, &st, "SELECT id FROM agency WHERE id = ?", "t", api_str(req, "agency_id")) == DB_OK &&
	    db_step(st) == DB_ROW)
		snprintf(agency, sizeof agency, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (!agency[0]) {
		db_rollback(req->db);
		field_error(&fe, "agency_id", "is not a known agency");
		field_errors_respond(&fe, resp, req);
		return;
	}
	char id[UUID_STR_LEN];
	if (org_answer(req, resp, org_unit_create(req->db, agency, api_str(req, "parent_id"),
	                                          api_str(req, "name"), clock_now_ms(), id), "unit"))
		finish_write(req, resp, "unit", id, 201);
}

static const struct field_rule unit_update_rules[] = {
	{"parent_id", FIELD_STRING, false, 36, 36, NULL},
	{"name", FIELD_STRING, true, 1, 200, NULL},
};

void api_unit_update(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	int64_t version = 0;
	validate_object(req->json, unit_update_rules, 2, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) ||
	    !api_begin(req, resp))
		return;
	const char *id = http_request_param(req, "id");
	if (org_answer(req, resp, org_unit_update(req->db, id, version, api_str(req, "name"),
	                                          api_str(req, "parent_id"), clock_now_ms()), "unit"))
		finish_write(req, resp, "unit", id, 200);
}

/* Adds "roles": [...] to each member. */
static bool add_roles(db *conn, json_t *members)
{
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m) {
		db_stmt *st = NULL;
		json_t *roles = json_array();
		enum db_status rc = account_roles_query(conn, json_string_value(json_object_get(m, "id")), &st);
		while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			json_array_append_new(roles, json_string(db_column_text(st, 0, NULL)));
			rc = DB_OK;
		}
		db_finalize(&st);
		json_object_set_new(m, "roles", roles);
		if (rc != DB_DONE)
			return false;
	}
	return true;
}

void api_unit_members(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	bool purpose = false;
	if (!api_purpose(req, resp, &purpose) || !api_begin(req, resp))
		return;
	char agency[UUID_STR_LEN];
	if (org_unit_agency(req->db, id, agency) != DB_OK) {
		api_db_failed(req, resp, "reading a unit");
		return;
	}
	if (!agency[0]) {
		db_rollback(req->db);
		api_not_found(req, resp, "unit");
		return;
	}
	struct unit_grant grant = {0};
	switch (policy_unit_access(req->db, &req->principal, id, "units.members.read.any", purpose,
	                           clock_now_ms(), &grant)) {
	case UNIT_ACCESS_OWN:
	case UNIT_ACCESS_GRANTED:
	case UNIT_ACCESS_WITH_PURPOSE: break;
	case UNIT_ACCESS_NEED_PURPOSE:
		db_rollback(req->db);
		http_problem(resp, req, 428, "purpose-required", "State the purpose first",
		             "This unit is outside your own: send X-Kadam-Purpose and X-Kadam-Justification.", NULL);
		return;
	case UNIT_ACCESS_DENIED:
		db_rollback(req->db);
		api_audit_denied(req, "unit", id, "unit outside the caller's scope");
		http_problem(resp, req, 403, "forbidden", "Not permitted",
		             "This unit is outside your own and your roles do not reach it.", NULL);
		return;
	case UNIT_ACCESS_ERROR: api_db_failed(req, resp, "deciding access"); return;
	}
	db_stmt *st = NULL;
	json_t *items = org_unit_members_query(req->db, id, &st) == DB_OK ? api_rows_json(st) : NULL;
	db_finalize(&st);
	/* Under a grant the log names it, and a break-glass read says "emergency" (S17). */
	char basis[80];
	snprintf(basis, sizeof basis, "%s grant %s", grant.kind, grant.id);
	bool logged = grant.id[0] ? api_audit_why(req, AUDIT_CONSULT, "unit_members", id, AUDIT_OUTCOME_SUCCESS, NULL,
	                                          grant.purpose, basis)
	                          : api_audit(req, AUDIT_CONSULT, "unit_members", id, AUDIT_OUTCOME_SUCCESS, NULL);
	if (!items || !add_roles(req->db, items) || !logged) {
		json_decref(items);
		api_db_failed(req, resp, "listing unit members");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}
