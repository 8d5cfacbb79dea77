/* common.c — helpers every handler uses: the request's connection and transaction,
 * the processing log, rows as JSON, ETags, purpose headers. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>


#include "api/api.h"
#include "api/validate.h"
#include "app.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/appointments.h"
#include "domain/keydates.h"
#include "http/router.h"

db *api_db(struct http_request *req, struct http_response *resp)
{
	if (req->db)
		return req->db;
	if (db_pool_acquire(req->app->pool, 5000, &req->db) != DB_OK) {
		req->db = NULL;
		http_problem(resp, req, 503, "database-unavailable", "The database is busy",
		             "No database connection became free in time; try again.", NULL);
		http_response_header(resp, "Retry-After", "1");
		return NULL;
	}
	return req->db;
}

void api_db_release(struct http_request *req)
{
	if (req->db)
		db_pool_release(req->app->pool, &req->db);
	req->db = NULL;
}

void api_internal_error(struct http_request *req, struct http_response *resp, const char *what)
{
	struct buf fields = {0};
	buf_puts(&fields, ",\"request_id\":");
	buf_json_string(&fields, req->request_id);
	log_line(LOG_ERROR, what, fields.data);
	buf_free(&fields);
	http_problem(resp, req, 500, "internal-error", "Internal error",
	             "The server could not complete the request; it has been logged with this request id.",
	             NULL);
}

void api_db_failed(struct http_request *req, struct http_response *resp, const char *what)
{
	char *why = xasprintf("%s: %s", what, req->db ? db_errmsg(req->db) : "no connection");
	if (req->db)
		db_rollback(req->db);
	api_internal_error(req, resp, why);
	free(why);
}

bool api_begin(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return false;
	if (db_begin(conn) != DB_OK) {
		api_db_failed(req, resp, "beginning a transaction");
		return false;
	}
	return true;
}

bool api_commit(struct http_request *req, struct http_response *resp)
{
	if (db_commit(req->db) != DB_OK) {
		api_db_failed(req, resp, "committing");
		return false;
	}
	return true;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

bool api_audit(struct http_request *req, const char *action, const char *record_type,
               const char *record_id, const char *outcome, const char *detail)
{
	return api_audit_why(req, action, record_type, record_id, outcome, detail, NULL, NULL);
}

bool api_audit_disclose(struct http_request *req, const char *record_type, const char *record_id,
                        const char *recipient, const char *justification, const char *detail)
{
	const struct principal *p = &req->principal;
	struct audit_entry e = {
		.actor_id = nonempty(p->kind == PRINCIPAL_TOKEN ? p->token_id : p->account_id),
		.actor_login = nonempty(p->login),
		.agency_id = nonempty(p->agency_id),
		.action = AUDIT_DISCLOSE,
		.record_type = record_type,
		.record_id = record_id,
		.purpose = "disclosure",
		.justification = justification,
		.recipient = recipient,
		.request_id = req->request_id,
		.remote_addr = req->remote_addr,
		.outcome = AUDIT_OUTCOME_SUCCESS,
		.detail = detail,
	};
	if (audit_append(req->db, &e) == DB_OK)
		return true;
	log_error("processing log refused a disclosure: %s", audit_errmsg());
	return false;
}

bool api_audit_why(struct http_request *req, const char *action, const char *record_type,
                   const char *record_id, const char *outcome, const char *detail, const char *purpose,
                   const char *justification)
{
	const struct principal *p = &req->principal;
	bool person = p->kind != PRINCIPAL_ANONYMOUS;
	/* During a login the caller is still anonymous, but the login handler has
	 * put the account it is about (or the login as typed) into the principal. */
	struct audit_entry e = {
		.actor_id = nonempty(p->kind == PRINCIPAL_TOKEN ? p->token_id : p->account_id),
		.actor_login = nonempty(p->login),
		.agency_id = nonempty(p->agency_id),
		.action = action,
		.record_type = record_type,
		.record_id = record_id,
		.purpose = purpose ? purpose : http_request_header(req, "X-Kadam-Purpose"),
		.justification = justification ? justification : http_request_header(req, "X-Kadam-Justification"),
		.request_id = req->request_id,
		.remote_addr = req->remote_addr,
		.outcome = outcome,
		.detail = detail,
	};
	/* Reading within one's own scope needs no stated purpose (issue 3): the
	 * route says what the reading is for, and the permission is the basis. */
	char basis[128] = "";
	bool reads = strcmp(action, "consult") == 0 || strcmp(action, "disclose") == 0;
	if (reads && person && !e.purpose) {
		const char *perm = req->route ? req->route->permission : "";
		e.purpose = strncmp(perm, "audit.", 6) == 0              ? "audit"
		            : strcmp(perm, "units.members.read") == 0    ? "supervision"
		                                                         : "administration";
	}
	if (reads && person && !e.justification) {
		snprintf(basis, sizeof basis, "within the caller's scope (permission %s)",
		         req->route ? req->route->permission : "none");
		e.justification = basis;
	}
	if (e.purpose && strlen(e.purpose) > 64)
		e.purpose = NULL;
	if (e.justification && strlen(e.justification) > 1000)
		e.justification = NULL;
	if (audit_append(req->db, &e) == DB_OK)
		return true;
	log_error("processing log refused an entry (%s): %s", action, audit_errmsg());
	return false;
}

void api_audit_denied(struct http_request *req, const char *record_type, const char *record_id,
                      const char *detail)
{
	struct http_response scratch;
	http_response_init(&scratch);
	db *conn = api_db(req, &scratch);
	http_response_free(&scratch);
	if (!conn) {
		log_error("could not log a refused request %s: no database connection", req->request_id);
		return;
	}
	if (!record_type) {
		record_type = "route";
		record_id = req->route ? req->route->pattern : req->path;
	}
	bool ok = db_begin(conn) == DB_OK &&
	          api_audit(req, "access.denied", record_type, record_id, "denied", detail) &&
	          db_commit(conn) == DB_OK;
	if (!ok) {
		log_error("could not log a refused request %s: %s", req->request_id, db_errmsg(conn));
		db_rollback(conn);
	}
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

json_t *api_row_json(db_stmt *st)
{
	json_t *o = json_object();
	int n = db_column_count(st);
	for (int i = 0; i < n; i++) {
		const char *name = db_column_name(st, i);
		if (!name)
			continue;
		enum db_type t = db_column_type(st, i);
		/* Only integers are instants: a text column such as a date "…_until" or a local "…_at" stays text. */
		bool time = t == DB_TYPE_INT && (ends_with(name, "_at") || ends_with(name, "_until"));
		if (strncmp(name, "is_", 3) == 0) {
			json_object_set_new(o, name + 3, json_boolean(t != DB_TYPE_NULL && db_column_int64(st, i)));
		} else if (t == DB_TYPE_NULL || (time && db_column_int64(st, i) == 0)) {
			json_object_set_new(o, name, json_null());
		} else if (time) {
			char when[32];
			clock_format_rfc3339(db_column_int64(st, i), when);
			json_object_set_new(o, name, json_string(when));
		} else if (t == DB_TYPE_INT) {
			json_object_set_new(o, name, json_integer(db_column_int64(st, i)));
		} else if (t == DB_TYPE_REAL) {
			json_object_set_new(o, name, json_real(db_column_double(st, i)));
		} else {
			size_t len = 0;
			const char *text = db_column_text(st, i, &len);
			json_object_set_new(o, name, json_stringn(text ? text : "", len));
		}
	}
	return o;
}

json_t *api_rows_json(db_stmt *st)
{
	json_t *rows = json_array();
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW)
		json_array_append_new(rows, api_row_json(st));
	if (rc != DB_DONE) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

bool api_local_date(db *conn, int64_t ms, char out[11])
{
	char zone[APPOINTMENT_ZONE_LEN], local[LOCAL_TIME_LEN];
	if (!appointments_zone(conn, zone) || !utc_ms_to_local(ms, zone, local))
		return false;
	snprintf(out, 11, "%.10s", local);
	return true;
}

bool api_today(db *conn, char out[11])
{
	return api_local_date(conn, clock_now_ms(), out);
}

bool api_today_date(struct http_request *req, struct http_response *resp, struct civil_date *d, char iso[11])
{
	char text[11];
	char *out = iso ? iso : text;
	struct civil_date scratch;
	if (api_today(req->db, out) && civil_date_parse(out, d ? d : &scratch))
		return true;
	api_db_failed(req, resp, "reading today's date");
	return false;
}

bool api_language_valid(const char *lang)
{
	return lang && (strcmp(lang, "ky") == 0 || strcmp(lang, "ru") == 0 || strcmp(lang, "en") == 0);
}

bool api_lang_query(struct http_request *req, struct http_response *resp, const char **lang_r)
{
	*lang_r = http_request_query(req, "lang");
	if (*lang_r && !api_language_valid(*lang_r)) {
		api_field_problem(req, resp, "lang", "must be one of: ky, ru, en");
		return false;
	}
	return true;
}

void api_etag(struct http_response *resp, int64_t version)
{
	char tag[32];
	snprintf(tag, sizeof tag, "\"%lld\"", (long long)version);
	http_response_header(resp, "ETag", tag);
}

bool api_commit_send(struct http_request *req, struct http_response *resp, int status, json_t *record)
{
	if (!api_commit(req, resp)) {
		json_decref(record);
		return false;
	}
	api_etag(resp, json_integer_value(json_object_get(record, "version")));
	http_response_json(resp, status, record);
	return true;
}

bool api_if_match(struct http_request *req, struct http_response *resp, int64_t *version_r)
{
	const char *h = http_request_header(req, "If-Match");
	if (!h) {
		http_problem(resp, req, 428, "if-match-required", "If-Match required",
		             "Send the ETag you read in an If-Match header, so that no change is lost.", NULL);
		return false;
	}
	if (strncmp(h, "W/", 2) == 0)
		h += 2;
	char *end = NULL;
	errno = 0;
	long long v = h[0] == '"' ? strtoll(h + 1, &end, 10) : -1;
	if (v < 1 || errno || !end || end[0] != '"' || end[1] != '\0') {
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "If-Match does not name a version of this record.", NULL);
		return false;
	}
	*version_r = v;
	return true;
}

bool api_purpose(struct http_request *req, struct http_response *resp, bool *given_r)
{
	const char *purpose = http_request_header(req, "X-Kadam-Purpose");
	const char *why = http_request_header(req, "X-Kadam-Justification");
	*given_r = false;
	if (!purpose && !why)
		return true;
	struct field_errors fe = {0};
	if (!purpose || !policy_purpose_valid(purpose))
		field_error(&fe, "X-Kadam-Purpose",
		            "must be one of: supervision, administration, investigation, audit, disclosure");
	size_t len = why && utf8_valid(why) ? utf8_length(why) : 0;
	if (len < 10 || len > 500)
		field_error(&fe, "X-Kadam-Justification", "must have between 10 and 500 characters");
	if (field_errors_respond(&fe, resp, req))
		return false;
	*given_r = true;
	return true;
}

const char *api_str(const struct http_request *req, const char *name)
{
	return json_string_value(json_object_get(req->json, name));
}

void api_field_problem(struct http_request *req, struct http_response *resp, const char *field,
                       const char *message)
{
	if (req->db && db_in_transaction(req->db))
		db_rollback(req->db);
	struct field_errors fe = {0};
	field_error(&fe, field, "%s", message);
	field_errors_respond(&fe, resp, req);
}

void api_not_found(struct http_request *req, struct http_response *resp, const char *what)
{
	char *detail = xasprintf("No such %s.", what);
	http_problem(resp, req, 404, "not-found", "Not found", detail, NULL);
	free(detail);
}

void api_conflict(struct http_request *req, struct http_response *resp, const char *type, const char *title,
                  const char *detail)
{
	if (req->db && db_in_transaction(req->db))
		db_rollback(req->db);
	http_problem(resp, req, 409, type, title, detail, NULL);
}

bool api_errors_answer(struct http_request *req, struct http_response *resp, struct field_errors *fe)
{
	if (!fe->list)
		return false;
	if (req->db && db_in_transaction(req->db))
		db_rollback(req->db);
	return field_errors_respond(fe, resp, req);
}

#define LIST_DEFAULT 50
#define LIST_MAX 200

long api_limit(struct http_request *req, struct field_errors *fe)
{
	const char *s = http_request_query(req, "limit");
	if (!s)
		return LIST_DEFAULT;
	char *end = NULL;
	errno = 0;
	long limit = strtol(s, &end, 10);
	if (!*s || *end || errno || limit < 1 || limit > LIST_MAX) {
		field_error(fe, "limit", "must be a whole number from 1 to %d", LIST_MAX);
		return LIST_DEFAULT;
	}
	return limit;
}

bool api_audit_list(struct http_request *req, const char *record_type, const json_t *items, const char *what)
{
	struct buf ids = {0};
	size_t i;
	const json_t *row;
	json_array_foreach(items, i, row) {
		const char *id = json_string_value(json_object_get(row, "id"));
		if (id && ids.len < 1800) {
			if (ids.len)
				buf_putc(&ids, ',');
			buf_puts(&ids, id);
		}
	}
	char *detail = xasprintf("list%s%s: %zu shown%s%s", what ? " " : "", what ? what : "", json_array_size(items),
	                         ids.len ? ": " : "", ids.data ? ids.data : "");
	bool ok = api_audit(req, AUDIT_CONSULT, record_type, NULL, AUDIT_OUTCOME_SUCCESS, detail);
	free(detail);
	buf_free(&ids);
	return ok;
}

json_t *api_object_from(const char *text)
{
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	return o;
}

void api_member_object(json_t *row, const char *member)
{
	json_object_set_new(row, member, api_object_from(json_string_value(json_object_get(row, member))));
}

void api_texts_fold(json_t *row, const char *prefix, const char *name)
{
	static const char *const langs[] = {"ky", "ru", "en"};
	json_t *o = json_object();
	bool any = false;
	for (int l = 0; l < 3; l++) {
		char key[64];
		snprintf(key, sizeof key, "%s_%s", prefix, langs[l]);
		json_t *v = json_object_get(row, key);
		any |= json_is_string(v);
		json_object_set(o, langs[l], v ? v : json_null());
		json_object_del(row, key);
	}
	if (any) {
		json_object_set_new(row, name, o);
	} else {
		json_decref(o);
		json_object_set_new(row, name, json_null());
	}
}
