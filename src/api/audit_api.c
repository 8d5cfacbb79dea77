/* audit_api.c — the processing log for auditors: search and verification. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"

/* Parses RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fff]Z" or a date "YYYY-MM-DD" into ms. */
static bool parse_time(const char *s, int64_t *ms_r)
{
	struct tm tm = {0};
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return false;
	int millis = 0;
	if (*end == 'T') {
		end = strptime(end + 1, "%H:%M:%S", &tm);
		if (!end)
			return false;
		if (*end == '.') {
			char *after;
			long frac = strtol(end + 1, &after, 10);
			int digits = (int)(after - end - 1);
			if (digits < 1 || digits > 9)
				return false;
			for (int i = digits; i < 3; i++)
				frac *= 10;
			for (int i = 3; i < digits; i++)
				frac /= 10;
			millis = (int)frac;
			end = after;
		}
		if (*end != 'Z')
			return false;
		end++;
	}
	if (*end)
		return false;
	*ms_r = (int64_t)timegm(&tm) * 1000 + millis;
	return true;
}

static const char *query_text(struct http_request *req, struct field_errors *fe, const char *name)
{
	const char *v = http_request_query(req, name);
	if (v && strlen(v) > 200) {
		field_error(fe, name, "must have at most 200 characters");
		return NULL;
	}
	return v && *v ? v : NULL;
}

void api_audit_search(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	struct audit_query q = {
		.actor_login = query_text(req, &fe, "actor_login"),
		.record_type = query_text(req, &fe, "record_type"),
		.record_id = query_text(req, &fe, "record_id"),
		.action = query_text(req, &fe, "action"),
		.outcome = query_text(req, &fe, "outcome"),
		.limit = 50,
	};
	const char *from = http_request_query(req, "from"), *to = http_request_query(req, "to");
	const char *before = http_request_query(req, "before"), *limit = http_request_query(req, "limit");
	if (from && *from && !parse_time(from, &q.from_ms))
		field_error(&fe, "from", "must be an RFC 3339 time or a date");
	if (to && *to && !parse_time(to, &q.to_ms))
		field_error(&fe, "to", "must be an RFC 3339 time or a date");
	char *end = NULL;
	if (before && *before && ((q.before_seq = strtoll(before, &end, 10)) < 1 || *end))
		field_error(&fe, "before", "must be a positive entry number");
	if (limit && ((q.limit = (int)strtol(limit, &end, 10)) < 1 || q.limit > 200 || *end))
		field_error(&fe, "limit", "must be between 1 and 200");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	json_t *rows = NULL;
	if (audit_search(req->db, &q, &rows) != DB_OK ||
	    !api_audit(req, AUDIT_CONSULT, "processing_log", NULL, AUDIT_OUTCOME_SUCCESS, "search")) {
		json_decref(rows);
		api_db_failed(req, resp, "searching the processing log");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	size_t n = json_array_size(rows);
	json_t *next = json_null();
	if (n == (size_t)q.limit)
		next = json_incref(json_object_get(json_array_get(rows, n - 1), "seq"));
	http_response_json(resp, 200, json_pack("{s:o, s:o}", "items", rows, "next", next));
}

void api_audit_verification(struct http_request *req, struct http_response *resp)
{
	struct audit_verify_result r;
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	/* The walk reads in its own snapshot; the consultation is logged after it. */
	if (audit_verify(conn, NULL, &r) != DB_OK) {
		api_internal_error(req, resp, r.message);
		return;
	}
	if (!api_begin(req, resp))
		return;
	if (!api_audit(req, AUDIT_CONSULT, "processing_log", NULL, AUDIT_OUTCOME_SUCCESS, "verification") ||
	    !api_commit(req, resp)) {
		if (resp->status != 500)
			api_db_failed(req, resp, "logging a verification");
		return;
	}
	char now[32];
	clock_format_rfc3339(clock_now_ms(), now);
	http_response_json(resp, 200, json_pack("{s:b, s:I, s:I, s:o, s:s, s:s}", "ok", r.ok, "entries",
	                                        (json_int_t)r.entries, "checkpoints", (json_int_t)r.checkpoints,
	                                        "first_bad_seq", r.ok ? json_null() : json_integer(r.first_bad_seq),
	                                        "message", r.message, "checked_at", now));
}
