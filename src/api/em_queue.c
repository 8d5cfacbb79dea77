/*
 * em_queue.c — the monitoring centre's queue of device alerts (S25) and an
 * order's device events.
 *
 * The queue is for holders of em.operate: every open (or acknowledged)
 * device alert of every unit, most severe first, then oldest first, with the
 * order, case, person and device it concerns. It is read as the monitoring
 * centre: one log entry per page naming the alerts shown, with the centre's
 * purpose and basis. The operator then works an alert through the alert
 * routes (alerts.c): acknowledge, verify as a task for the officer, dismiss.
 *
 * An order's device events (tamper, battery, power, SOS ...) are those of the
 * devices fitted under it while they were fitted, in a window (default: the
 * last 7 days), logged as a read of the order's device data. Coordinates are
 * shown only where the order includes the trail or zones (S23): a curfew-only
 * order shows when and what, not where.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/em_scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/person.h"

#define QUEUE_MAX 500
#define EVENTS_MAX 2000
#define EVENTS_DEFAULT_MS (7 * 86400000LL)
#define EVENTS_SPAN_MS (31 * 86400000LL)

/* ---- the queue ------------------------------------------------------------------------------ */

/* The identifier of a device by id, through a small per-request cache (ids -> identifier); NULL when unknown. */
static json_t *device_identifier(db *conn, json_t *cache, const char *device_id, bool *failed_r)
{
	if (device_id == NULL)
		return json_null();
	json_t *hit = json_object_get(cache, device_id);
	if (hit)
		return json_incref(hit);
	json_t *row = api_select_one(conn, failed_r, "SELECT identifier FROM em_device WHERE id = ?", "t", device_id);
	json_t *v = row ? json_incref(json_object_get(row, "identifier")) : json_null();
	json_decref(row);
	json_object_set(cache, device_id, v);
	return v;
}

/* Logs the page as one consultation by the monitoring centre: "em queue: N shown: id,...". */
static bool queue_audit(struct http_request *req, const json_t *items)
{
	struct buf d = {0};
	buf_printf(&d, "em queue: %zu shown", json_array_size(items));
	size_t i;
	const json_t *it;
	json_array_foreach(items, i, it) {
		if (d.len > 1800)
			break;
		buf_puts(&d, i ? "," : ": ");
		buf_puts(&d, json_string_value(json_object_get(json_object_get(it, "alert"), "id")));
	}
	bool ok = api_audit_why(req, AUDIT_CONSULT, "alert", NULL, AUDIT_OUTCOME_SUCCESS, d.data, EM_CENTRE_PURPOSE,
	                        EM_CENTRE_BASIS);
	buf_free(&d);
	return ok;
}

void api_em_queue(struct http_request *req, struct http_response *resp)
{
	const char *status = http_request_query(req, "status");
	const char *sa = "open", *sb = "acknowledged";
	if (status && strcmp(status, "open") == 0) {
		sb = "open";
	} else if (status && strcmp(status, "acknowledged") == 0) {
		sa = "acknowledged";
	} else if (status && strcmp(status, "active") != 0) {
		api_field_problem(req, resp, "status", "must be one of: open, acknowledged, active");
		return;
	}
	if (!api_begin(req, resp))
		return;
	json_t *rows = api_select(req->db,
		"SELECT al.id, al.rule_code, al.severity, al.summary, al.status, al.raised_at, al.acknowledged_at,"
		" al.escalation_level, al.ack_due_at, al.evidence, al.version, al.case_id, c.number AS case_number,"
		" " PERSON_NAME_SQL("p") " AS person_name,"
		" r.title_ky, r.title_ru, r.title_en,"
		" CASE al.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END AS severity_rank,"
		" al.raised_at AS raised_ms"
		" FROM alert al JOIN case_file c ON c.id = al.case_id JOIN person p ON p.id = c.person_id"
		" LEFT JOIN compliance_rule r ON r.code = al.rule_code"
		" WHERE al.source = 'device' AND al.status IN (?, ?)"
		" ORDER BY severity_rank, raised_ms, al.id LIMIT ?", "tti", sa, sb, (int64_t)QUEUE_MAX);
	if (!rows) {
		api_db_failed(req, resp, "reading the EM queue");
		return;
	}
	json_t *items = json_array(), *devices = json_object();
	bool failed = false;
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		api_member_object(r, "evidence");
		const json_t *ev = json_object_get(r, "evidence");
		const char *order_id = json_string_value(json_object_get(ev, "order_id"));
		json_t *alert = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
			"id", json_object_get(r, "id"), "rule_code", json_object_get(r, "rule_code"),
			"severity", json_object_get(r, "severity"), "summary", json_object_get(r, "summary"),
			"status", json_object_get(r, "status"), "raised_at", json_object_get(r, "raised_at"),
			"acknowledged_at", json_object_get(r, "acknowledged_at"),
			"escalation_level", json_object_get(r, "escalation_level"), "ack_due_at", json_object_get(r, "ack_due_at"),
			"evidence", ev, "version", json_object_get(r, "version"));
		json_t *title = json_is_string(json_object_get(r, "title_en"))
			? json_pack("{s:O, s:O, s:O}", "ky", json_object_get(r, "title_ky"), "ru", json_object_get(r, "title_ru"),
			            "en", json_object_get(r, "title_en"))
			: json_null();
		json_array_append_new(items, json_pack("{s:o, s:o, s:O, s:O, s:O, s:o, s:o}",
			"alert", alert, "order_id", order_id ? json_string(order_id) : json_null(),
			"case_id", json_object_get(r, "case_id"), "case_number", json_object_get(r, "case_number"),
			"person_name", json_object_get(r, "person_name"),
			"device_identifier", device_identifier(req->db, devices, json_string_value(json_object_get(ev, "device_id")),
			                                       &failed),
			"title", title));
	}
	json_decref(rows);
	json_decref(devices);
	if (failed || !queue_audit(req, items)) {
		json_decref(items);
		api_db_failed(req, resp, "reading the EM queue");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* ---- an order's device events --------------------------------------------------------------- */

/* ?name= as an instant; def when absent; false (error added) when malformed. */
static bool time_query(struct http_request *req, const char *name, int64_t def, int64_t *ms_r, struct field_errors *fe)
{
	const char *v = http_request_query(req, name);
	*ms_r = def;
	if (!v || !*v)
		return true;
	if (strlen(v) > 40 || !clock_parse_rfc3339(v, ms_r)) {
		field_error(fe, name, "must be an RFC 3339 time, such as 2026-03-15T08:00:00Z");
		return false;
	}
	return true;
}

void api_em_device_events(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	int64_t now = clock_now_ms(), from = 0, to = 0;
	struct field_errors fe = {0};
	bool ok_to = time_query(req, "to", now, &to, &fe);
	bool ok_from = time_query(req, "from", (ok_to ? to : now) - EVENTS_DEFAULT_MS, &from, &fe);
	if (ok_from && ok_to && to <= from)
		field_error(&fe, "to", "must be after from");
	else if (ok_from && ok_to && to - from > EVENTS_SPAN_MS)
		field_error(&fe, "to", "must be at most 31 days after from");
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !em_order_scope(req, resp, id, false, &ref))
		return;
	/* Where the order orders neither trail nor zones, an event says when and what, not where (S23). */
	int64_t where = ref.mode_trail || ref.mode_inclusion || ref.mode_exclusion;
	json_t *items = api_select(req->db,
		"SELECT e.id, e.at AS at_ms, e.event, CASE WHEN ? = 1 THEN e.lat END AS lat,"
		" CASE WHEN ? = 1 THEN e.lon END AS lon, e.alert_id, d.identifier AS device_identifier"
		" FROM em_fitting f JOIN em_device d ON d.id = f.device_id JOIN em_device_event e ON e.device_num = d.num"
		" WHERE f.order_id = ? AND e.at >= f.fitted_at AND (f.removed_at IS NULL OR e.at < f.removed_at)"
		" AND e.at >= ? AND e.at < ? ORDER BY e.at DESC, e.id LIMIT ?",
		"iitiii", where, where, ref.id, from, to, (int64_t)EVENTS_MAX);
	char detail[160], from_s[32], to_s[32];
	clock_format_rfc3339(from, from_s);
	clock_format_rfc3339(to, to_s);
	snprintf(detail, sizeof detail, "{\"events\":true,\"from\":\"%s\",\"to\":\"%s\",\"shown\":%zu}", from_s, to_s,
	         items ? json_array_size(items) : 0);
	if (!items || !em_scope_audit(req, &ref, AUDIT_CONSULT, "em_device", ref.id, detail)) {
		json_decref(items);
		api_db_failed(req, resp, "reading device events");
		return;
	}
	size_t i;
	json_t *e;
	json_array_foreach(items, i, e) {
		char at[32];
		clock_format_rfc3339(json_integer_value(json_object_get(e, "at_ms")), at);
		json_object_set_new(e, "at", json_string(at));
		json_object_del(e, "at_ms");
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:s, s:s, s:s, s:o}", "order_id", ref.id, "from", from_s, "to", to_s,
	                                        "items", items));
}
