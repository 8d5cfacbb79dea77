/*
 * em_orders.c — electronic monitoring: the device inventory, monitoring
 * orders and the fitting of devices (S23, S24).
 *
 * An order belongs to a case and to a decision of that case in force whose
 * duties include electronic_monitoring; each mode needs more (curfew: curfew;
 * exclusion zones: exclusion; inclusion zones: residence or travel; the trail
 * needs nothing more). Its effect on the household is recorded. One active
 * order per case. A device from the inventory (in stock) is fitted to the
 * person of an active order, one at a time per order (a second fitting is
 * refused while one is live: remove it first, reason 'replaced'); ending the
 * order removes it (reason order_ended) and puts it back in stock.
 *
 * Reach (S24, em_scope.h): the monitoring centre (em.operate) every order,
 * logged with the centre as basis; others by the case's unit (own or granted).
 * Every read and change is logged; every change to an order is on the case's
 * timeline, and the ingest writer is told after the commit.
 */
#include <math.h>
#include <string.h>

#include "api/api.h"
#include "api/em_scope.h"
#include "api/scope.h"
#include "api/validate.h"
#include "app.h"
#include "audit/audit.h"
#include "auth/policy.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "domain/person.h"
#include "em/ingest.h"

static const char *const device_kinds[] = {"ankle_tag", "home_unit", "phone", NULL};
static const char *const protocols[] = {"osmand", "gt06", "teltonika", "gateway", NULL};
static const char *const settable_statuses[] = {"in_stock", "faulty", "retired", NULL};
static const char *const device_statuses[] = {"in_stock", "assigned", "faulty", "retired", NULL};
static const char *const removal_reasons[] = {"replaced", "faulty", "other", NULL};
static const char *const weekdays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU", NULL};

#define MAX_WINDOWS 14

/* ---- reach (em_scope.h) ----------------------------------------------------------------- */

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* Fills ref->scope from the case and decides; false after answering. */
static bool reach_case(struct http_request *req, struct http_response *resp, const char *case_id, bool write,
                       const char *record_type, const char *record_id, struct em_order_ref *ref)
{
	(void)write;
	struct record_scope *s = &ref->scope;
	if (!scope_case_load(req, resp, case_id, s, strcmp(record_type, "case") == 0 ? "case" : "monitoring order"))
		return false;
	if (policy_has(&req->principal, "em.operate")) {
		ref->via_centre = true;
		s->access = UNIT_ACCESS_OWN;
		return true;
	}
	/* EM data is for named roles (S24): the case's own units or a live grant; a stated purpose opens nothing. */
	struct unit_grant g = {0};
	enum unit_access a = scope_unit(req, s->unit_id, false, &g);
	if (a == UNIT_ACCESS_ERROR) {
		api_db_failed(req, resp, "deciding access");
		return false;
	}
	if (a == UNIT_ACCESS_OWN || a == UNIT_ACCESS_GRANTED) {
		s->access = a;
		s->grant = g;
		return true;
	}
	s->access = UNIT_ACCESS_DENIED;
	db_rollback(req->db);
	api_audit_denied(req, record_type, record_id, "EM record outside the caller's scope");
	api_not_found(req, resp, strcmp(record_type, "case") == 0 ? "case" : "monitoring order");
	return false;
}

bool em_case_scope(struct http_request *req, struct http_response *resp, const char *case_id, bool write,
                   struct em_order_ref *ref_r)
{
	memset(ref_r, 0, sizeof *ref_r);
	copy(ref_r->case_id, sizeof ref_r->case_id, case_id);
	return reach_case(req, resp, uuid_valid(case_id) ? case_id : "", write, "case", case_id, ref_r);
}

bool em_order_scope(struct http_request *req, struct http_response *resp, const char *order_id, bool write,
                    struct em_order_ref *ref_r)
{
	memset(ref_r, 0, sizeof *ref_r);
	db_stmt *st = NULL;
	enum db_status rc = db_query(req->db, &st,
		"SELECT id, case_id, decision_id, status, mode_curfew, mode_inclusion, mode_exclusion, mode_trail"
		" FROM em_order WHERE id = ?", "t", order_id && uuid_valid(order_id) ? order_id : "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		copy(ref_r->id, sizeof ref_r->id, db_column_text(st, 0, NULL));
		copy(ref_r->case_id, sizeof ref_r->case_id, db_column_text(st, 1, NULL));
		copy(ref_r->decision_id, sizeof ref_r->decision_id, db_column_text(st, 2, NULL));
		copy(ref_r->status, sizeof ref_r->status, db_column_text(st, 3, NULL));
		ref_r->mode_curfew = (int)db_column_int64(st, 4);
		ref_r->mode_inclusion = (int)db_column_int64(st, 5);
		ref_r->mode_exclusion = (int)db_column_int64(st, 6);
		ref_r->mode_trail = (int)db_column_int64(st, 7);
	}
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE) {
		api_db_failed(req, resp, "reading a monitoring order");
		return false;
	}
	if (rc == DB_DONE) {
		db_rollback(req->db);
		api_not_found(req, resp, "monitoring order");
		return false;
	}
	if (!reach_case(req, resp, ref_r->case_id, write, "em_order", ref_r->id, ref_r))
		return false;
	if (write && !ref_r->via_centre && !scope_may_change(req, resp, &ref_r->scope, "em_order", ref_r->id))
		return false;
	return true;
}

bool em_scope_audit(struct http_request *req, const struct em_order_ref *ref, const char *action,
                    const char *record_type, const char *record_id, const char *detail)
{
	if (ref->via_centre)
		return api_audit_why(req, action, record_type, record_id, AUDIT_OUTCOME_SUCCESS, detail, EM_CENTRE_PURPOSE,
		                     EM_CENTRE_BASIS);
	return scope_audit(req, &ref->scope, action, record_type, record_id, detail);
}

static void rules_changed(struct http_request *req)
{
	if (req->app && req->app->ingest)
		ingest_rules_changed(req->app->ingest);
}

/* ---- body checks (shared with tests/fuzz/fuzz_em_order_body.c) ------------------------------ */

static const struct field_rule device_rules[] = {
	{"kind", FIELD_ENUM, true, 0, 0, device_kinds},
	{"identifier", FIELD_STRING, true, 1, 64, NULL},
	{"protocol", FIELD_ENUM, true, 0, 0, protocols},
	{"model", FIELD_STRING, false, 0, 100, NULL},
	{"phone_number", FIELD_STRING, false, 0, 32, NULL},
	{"note", FIELD_STRING, false, 0, 1000, NULL},
};
static const struct field_rule device_update_rules[] = {
	{"model", FIELD_STRING, false, 0, 100, NULL},
	{"phone_number", FIELD_STRING, false, 0, 32, NULL},
	{"status", FIELD_ENUM, false, 0, 0, settable_statuses},
	{"note", FIELD_STRING, false, 0, 1000, NULL},
};
/* The order's fields; home_lat and home_lon are numbers, checked apart. */
static const struct field_rule order_rules[] = {
	{"decision_id", FIELD_UUID, true, 0, 0, NULL},
	{"modes", FIELD_OBJECT, true, 0, 0, NULL},
	{"starts_on", FIELD_DATE, true, 0, 0, NULL},
	{"ends_on", FIELD_DATE, true, 0, 0, NULL},
	{"home_address", FIELD_STRING, false, 0, 300, NULL},
	{"home_radius_m", FIELD_INTEGER, false, 10, 1000, NULL},
	{"household_effect", FIELD_STRING, true, 10, 4000, NULL},
	{"curfew_grace_min", FIELD_INTEGER, false, 0, 120, NULL},
	{"curfew", FIELD_ARRAY, false, 0, MAX_WINDOWS, NULL},
};
static const struct field_rule mode_rules[] = {
	{"curfew", FIELD_BOOL, true, 0, 0, NULL},
	{"inclusion", FIELD_BOOL, true, 0, 0, NULL},
	{"exclusion", FIELD_BOOL, true, 0, 0, NULL},
	{"trail", FIELD_BOOL, true, 0, 0, NULL},
};
static const struct field_rule window_rules[] = {
	{"days", FIELD_ARRAY, true, 1, 7, NULL},
	{"start", FIELD_STRING, true, 5, 5, NULL},
	{"end", FIELD_STRING, true, 5, 5, NULL},
};
static const struct field_rule end_rules[] = {
	{"reason", FIELD_STRING, true, 1, 1000, NULL},
};
static const struct field_rule fitting_rules[] = {
	{"device_id", FIELD_UUID, true, 0, 0, NULL},
	{"fitted_at", FIELD_STRING, false, 20, 40, NULL},
	{"note", FIELD_STRING, false, 0, 1000, NULL},
};
static const struct field_rule removal_rules[] = {
	{"reason", FIELD_ENUM, true, 0, 0, removal_reasons},
	{"note", FIELD_STRING, false, 0, 1000, NULL},
};

/* "HH:MM", 00:00 to 23:59. */
static bool hhmm_valid(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return false;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	return h < 24 && m < 60;
}

/* An IMEI: 15 digits whose last is the Luhn check digit. 1: fine, 0: not 15 digits, -1: check digit wrong. */
static int imei_check(const char *s)
{
	if (strlen(s) != 15)
		return 0;
	int sum = 0;
	for (int i = 0; i < 15; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		int d = s[i] - '0';
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return sum % 10 == 0 ? 1 : -1;
}

/* Checks a device identifier for its protocol; adds an error on `identifier`. */
static void identifier_check(const char *identifier, const char *protocol, struct field_errors *fe)
{
	if (!identifier || !protocol)
		return;
	if (strcmp(protocol, "gt06") == 0 || strcmp(protocol, "teltonika") == 0) {
		int r = imei_check(identifier);
		if (r == 0)
			field_error(fe, "identifier", "must be the device's IMEI: 15 digits");
		else if (r < 0)
			field_error(fe, "identifier", "is not a valid IMEI (check digit)");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)identifier; *p; p++)
		if (*p < 0x21 || *p > 0x7e) {
			field_error(fe, "identifier", "must be 1 to 64 printable characters without spaces");
			return;
		}
}

/* A number member in [min, max] (absent or null: fine unless required). */
static void number_check(const json_t *body, const char *name, double min, double max, struct field_errors *fe)
{
	const json_t *v = json_object_get(body, name);
	if (!v || json_is_null(v))
		return;
	if (!json_is_number(v)) {
		field_error(fe, name, "must be a number");
		return;
	}
	double d = json_number_value(v);
	if (!(d >= min && d <= max))
		field_error(fe, name, "must be between %g and %g", min, max);
}

/* The curfew windows: days MO..SU without repeats, HH:MM start and end, not equal (end before start: the next
 * day). */
static void windows_check(const json_t *windows, struct field_errors *fe)
{
	size_t i;
	const json_t *w;
	json_array_foreach(windows, i, w) {
		char prefix[32];
		snprintf(prefix, sizeof prefix, "curfew[%zu]", i);
		if (!json_is_object(w)) {
			field_error(fe, prefix, "must be an object {days, start, end}");
			continue;
		}
		if (!validate_object_at(w, prefix, window_rules, NRULES(window_rules), fe))
			continue;
		const json_t *days = json_object_get(w, "days");
		size_t j;
		const json_t *d;
		unsigned seen = 0;
		json_array_foreach(days, j, d) {
			const char *s = json_string_value(d);
			int k = -1;
			for (int n = 0; s && weekdays[n]; n++)
				if (strcmp(weekdays[n], s) == 0)
					k = n;
			if (k < 0)
				field_error(fe, prefix, "has a day that is not one of MO, TU, WE, TH, FR, SA, SU");
			else if (seen & (1u << k))
				field_error(fe, prefix, "names %s twice", s);
			else
				seen |= 1u << k;
			if (k < 0 || (seen & (1u << k)) == 0)
				break;
		}
		const char *start = json_str(w, "start"), *end = json_str(w, "end");
		char field[48];
		if (!hhmm_valid(start)) {
			snprintf(field, sizeof field, "%s.start", prefix);
			field_error(fe, field, "must be a time HH:MM");
		}
		if (!hhmm_valid(end)) {
			snprintf(field, sizeof field, "%s.end", prefix);
			field_error(fe, field, "must be a time HH:MM");
		} else if (start && strcmp(start, end) == 0) {
			snprintf(field, sizeof field, "%s.end", prefix);
			field_error(fe, field, "must differ from the start");
		}
	}
}

/* The order body (create: with decision_id; update: without). */
static void order_check(const json_t *body, bool create, const char *today, struct field_errors *fe)
{
	(void)today;
	if (!json_is_object(body)) {
		validate_object(body, order_rules, NRULES(order_rules), fe);
		return;
	}
	/* The numbers are checked apart: a shallow copy without them goes through the field rules. */
	json_t *rest = json_copy((json_t *)body);
	json_object_del(rest, "home_lat");
	json_object_del(rest, "home_lon");
	if (!create && json_object_get(rest, "decision_id")) {
		field_error(fe, "decision_id", "cannot be changed: end the order and make a new one");
		json_object_del(rest, "decision_id");
	}
	validate_object(rest, create ? order_rules : order_rules + 1, create ? NRULES(order_rules) : NRULES(order_rules) - 1,
	                fe);
	json_decref(rest);
	number_check(body, "home_lat", -90, 90, fe);
	number_check(body, "home_lon", -180, 180, fe);
	const json_t *modes = json_object_get(body, "modes");
	bool curfew = false, any = false;
	if (json_is_object(modes) && validate_object_at(modes, "modes", mode_rules, NRULES(mode_rules), fe)) {
		curfew = json_is_true(json_object_get(modes, "curfew"));
		any = curfew || json_is_true(json_object_get(modes, "inclusion")) ||
		      json_is_true(json_object_get(modes, "exclusion")) || json_is_true(json_object_get(modes, "trail"));
		if (!any)
			field_error(fe, "modes", "must order at least one of curfew, inclusion, exclusion, trail");
	}
	const json_t *windows = json_object_get(body, "curfew");
	size_t nwindows = json_is_array(windows) ? json_array_size(windows) : 0;
	if (json_is_array(windows) && nwindows <= MAX_WINDOWS)
		windows_check(windows, fe);
	if (any && curfew && nwindows == 0)
		field_error(fe, "curfew", "needs at least one window when the order includes a curfew");
	if (any && !curfew && nwindows > 0)
		field_error(fe, "curfew", "is given but the order includes no curfew");
	bool lat = json_is_number(json_object_get(body, "home_lat")), lon = json_is_number(json_object_get(body, "home_lon"));
	if (any && curfew && !lat)
		field_error(fe, "home_lat", "is required for a curfew (the home's position)");
	if (any && curfew && !lon)
		field_error(fe, "home_lon", "is required for a curfew (the home's position)");
	if (lat != lon && !(any && curfew))
		field_error(fe, lat ? "home_lon" : "home_lat", "is required with the other coordinate");
	struct civil_date a, b;
	const char *starts = json_str(body, "starts_on"), *ends = json_str(body, "ends_on");
	if (starts && ends && civil_date_parse(starts, &a) && civil_date_parse(ends, &b) && civil_date_compare(a, b) > 0)
		field_error(fe, "ends_on", "must not be before starts_on");
}

bool em_orders_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	size_t before = fe->list ? json_array_size(fe->list) : 0;
	if (strcmp(kind, "device") == 0) {
		if (validate_object(body, device_rules, NRULES(device_rules), fe))
			identifier_check(json_str(body, "identifier"), json_str(body, "protocol"), fe);
	} else if (strcmp(kind, "device_update") == 0) {
		validate_object(body, device_update_rules, NRULES(device_update_rules), fe);
	} else if (strcmp(kind, "order") == 0) {
		order_check(body, true, today, fe);
	} else if (strcmp(kind, "order_update") == 0) {
		order_check(body, false, today, fe);
	} else if (strcmp(kind, "end") == 0) {
		validate_object(body, end_rules, NRULES(end_rules), fe);
	} else if (strcmp(kind, "fitting") == 0) {
		int64_t ms;
		if (validate_object(body, fitting_rules, NRULES(fitting_rules), fe) && json_str(body, "fitted_at") &&
		    !clock_parse_rfc3339(json_str(body, "fitted_at"), &ms))
			field_error(fe, "fitted_at", "must be a time (RFC 3339)");
	} else if (strcmp(kind, "removal") == 0) {
		validate_object(body, removal_rules, NRULES(removal_rules), fe);
	} else {
		field_error(fe, "kind", "is not a known body");
	}
	return (fe->list ? json_array_size(fe->list) : 0) == before;
}

/* ---- devices ---------------------------------------------------------------------------- */

#define DEVICE_COLUMNS \
	"SELECT d.id, d.num, d.kind, d.identifier, d.protocol, d.model, d.phone_number, d.status, d.note," \
	" d.last_seen_at, d.last_fix_at, d.battery_pct, d.created_at, d.version, f.id AS fitting_id," \
	" f.order_id AS fitting_order_id, c.id AS fitting_case_id, c.number AS fitting_case_number," \
	" " PERSON_NAME_SQL("p") " AS fitting_person_name, f.fitted_at AS fitting_fitted_at"
#define DEVICE_FROM \
	" FROM em_device d LEFT JOIN em_fitting f ON f.device_id = d.id AND f.removed_at IS NULL" \
	" LEFT JOIN em_order o ON o.id = f.order_id LEFT JOIN case_file c ON c.id = o.case_id" \
	" LEFT JOIN person p ON p.id = c.person_id"
/* in_reach_: the caller may see the fitting's case (the centre: every one; others: within their reach). Needs
 * REACH_CTE's three parameters first, then one integer: 1 for the centre. */
#define DEVICE_SELECT \
	REACH_CTE " " DEVICE_COLUMNS ", CASE WHEN ? = 1 OR c.unit_id IN (SELECT id FROM reach) THEN 1 ELSE 0 END" \
	" AS in_reach_" DEVICE_FROM

/* The fitting_* members of a device row folded into fitting (null when none; ids hidden out of reach). */
static void device_fold(json_t *row)
{
	static const char *const parts[] = {"id", "order_id", "case_id", "case_number", "person_name", "fitted_at", NULL};
	bool fitted = json_is_string(json_object_get(row, "fitting_id"));
	bool reach = json_integer_value(json_object_get(row, "in_reach_")) != 0;
	json_t *fitting = fitted ? json_object() : json_null();
	for (const char *const *p = parts; *p; p++) {
		char key[32];
		snprintf(key, sizeof key, "fitting_%s", *p);
		if (fitted)
			json_object_set(fitting, *p, reach ? json_object_get(row, key) : json_null());
		json_object_del(row, key);
	}
	json_object_del(row, "in_reach_");
	json_object_set_new(row, "fitting", fitting);
}

static const char *reach_unit(const struct http_request *req)
{
	return req->principal.unit_id[0] ? req->principal.unit_id : NULL;
}

static int64_t centre(const struct http_request *req)
{
	return policy_has(&req->principal, "em.operate") ? 1 : 0;
}

/* One device as JSON with its fittings (their orders hidden out of reach); NULL when none (*failed_r false). */
static json_t *device_json(struct http_request *req, const char *id, bool *failed_r)
{
	int64_t now = clock_now_ms();
	json_t *d = api_select_one(req->db, failed_r, DEVICE_SELECT " WHERE d.id = ?", "ttiit", reach_unit(req),
	                           req->principal.account_id, now, centre(req), id);
	if (!d)
		return NULL;
	device_fold(d);
	json_t *fittings = api_select(req->db,
		REACH_CTE " SELECT f.id, CASE WHEN ? = 1 OR c.unit_id IN (SELECT id FROM reach) THEN f.order_id END AS order_id,"
		" f.fitted_at, f.removed_at, f.removal_reason FROM em_fitting f JOIN em_order o ON o.id = f.order_id"
		" JOIN case_file c ON c.id = o.case_id WHERE f.device_id = ? ORDER BY f.fitted_at DESC, f.id DESC",
		"ttiit", reach_unit(req), req->principal.account_id, now, centre(req), id);
	if (!fittings) {
		json_decref(d);
		*failed_r = true;
		return NULL;
	}
	json_object_set_new(d, "fittings", fittings);
	return d;
}

void api_em_devices_list(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	long limit = api_limit(req, &fe);
	const char *status = http_request_query(req, "status");
	const char *q = http_request_query(req, "q");
	const char *cursor = http_request_query(req, "cursor");
	if (status && !in_list(status, device_statuses))
		field_error(&fe, "status", "must be one of in_stock, assigned, faulty, retired");
	if (q && utf8_length(q) > 100)
		field_error(&fe, "q", "must be at most 100 characters");
	int64_t after = 0;
	if (cursor) {
		char *end = NULL;
		long long v = strtoll(cursor, &end, 10);
		if (!*cursor || *end || v < 0)
			field_error(&fe, "cursor", "is not a cursor this list gave");
		else
			after = v;
	}
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	char *like = q && *q ? xasprintf("%%%s%%", q) : NULL;
	json_t *items = api_select(req->db,
		DEVICE_SELECT " WHERE (CAST(? AS TEXT) IS NULL OR d.status = ?) AND (CAST(? AS TEXT) IS NULL OR"
		" LOWER(d.identifier) LIKE LOWER(?) OR LOWER(COALESCE(d.model, '')) LIKE LOWER(?) OR"
		" COALESCE(d.phone_number, '') LIKE ?) AND d.num > ? ORDER BY d.num LIMIT ?",
		"ttii" "tt" "tttt" "ii", reach_unit(req), req->principal.account_id, clock_now_ms(), centre(req), status,
		status, like, like, like, like, after, (int64_t)limit);
	free(like);
	if (!items) {
		api_db_failed(req, resp, "listing devices");
		return;
	}
	size_t i;
	json_t *row;
	json_t *next = json_null();
	json_array_foreach(items, i, row) {
		device_fold(row);
	}
	if (json_array_size(items) == (size_t)limit) {
		char *c = xasprintf("%lld", (long long)json_integer_value(json_object_get(json_array_get(items, json_array_size(items) - 1), "num")));
		next = json_string(c);
		free(c);
	}
	/* The inventory names the people devices are fitted to: the monitoring centre's read is logged with its basis. */
	bool logged;
	if (centre(req)) {
		struct buf detail = {0};
		buf_printf(&detail, "list: %zu shown", json_array_size(items));
		size_t k;
		json_t *d;
		json_array_foreach(items, k, d) {
			if (detail.len > 1800)
				break;
			buf_puts(&detail, k ? "," : ": ");
			buf_puts(&detail, json_string_value(json_object_get(d, "id")));
		}
		logged = api_audit_why(req, AUDIT_CONSULT, "em_device", NULL, AUDIT_OUTCOME_SUCCESS, detail.data,
		                       EM_CENTRE_PURPOSE, EM_CENTRE_BASIS);
		buf_free(&detail);
	} else {
		logged = api_audit_list(req, "em_device", items, NULL);
	}
	if (!logged) {
		json_decref(items);
		json_decref(next);
		api_db_failed(req, resp, "logging a list");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		json_decref(next);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o, s:o}", "items", items, "next_cursor", next));
}

/* Answers a device (read in the open transaction, then committed) with its ETag. */
static void answer_device(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *d = device_json(req, id, &failed);
	if (!d) {
		api_db_failed(req, resp, "reading a device");
		return;
	}
	if (api_commit_send(req, resp, status, d))
		rules_changed(req);
}

void api_em_device_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	em_orders_body_validate("device", req->json, NULL, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	const char *identifier = api_str(req, "identifier");
	bool failed = false;
	json_t *taken = api_select_one(req->db, &failed, "SELECT id FROM em_device WHERE identifier = ?", "t", identifier);
	if (taken || failed) {
		if (failed) {
			api_db_failed(req, resp, "checking a device");
			return;
		}
		db_rollback(req->db);
		http_problem_with(resp, req, 409, "identifier-taken", "The identifier is already in the inventory",
		                  "Another device has this identifier.", NULL,
		                  json_pack("{s:O}", "device_id", json_object_get(taken, "id")));
		json_decref(taken);
		return;
	}
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	enum db_status rc = db_run(req->db, NULL,
		"INSERT INTO em_device (id, num, kind, identifier, protocol, model, phone_number, status, note, created_at,"
		" created_by, updated_at) SELECT CAST(? AS TEXT), COALESCE(MAX(num), 0) + 1, CAST(? AS TEXT), CAST(? AS TEXT),"
		" CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), 'in_stock', CAST(? AS TEXT), CAST(? AS BIGINT),"
		" CAST(? AS TEXT), CAST(? AS BIGINT) FROM em_device",
		"ttttttt" "iti", id, api_str(req, "kind"), identifier, api_str(req, "protocol"), api_str(req, "model"),
		api_str(req, "phone_number"), api_str(req, "note"), now, req->principal.account_id, now);
	if (rc == DB_CONSTRAINT) {
		api_conflict(req, resp, "identifier-taken", "The identifier is already in the inventory",
		             "Another device has this identifier (or was registered at the same moment): reload.");
		return;
	}
	if (rc != DB_OK || !api_audit(req, AUDIT_COLLECT, "em_device", id, AUDIT_OUTCOME_SUCCESS, NULL)) {
		api_db_failed(req, resp, "registering a device");
		return;
	}
	answer_device(req, resp, id, 201);
}

void api_em_device_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	if (!api_begin(req, resp))
		return;
	bool failed = false;
	json_t *d = device_json(req, uuid_valid(id) ? id : "", &failed);
	if (!d) {
		if (failed) {
			api_db_failed(req, resp, "reading a device");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "device");
		}
		return;
	}
	bool logged = centre(req) ? api_audit_why(req, AUDIT_CONSULT, "em_device", id, AUDIT_OUTCOME_SUCCESS, NULL,
	                                          EM_CENTRE_PURPOSE, EM_CENTRE_BASIS)
	                          : api_audit(req, AUDIT_CONSULT, "em_device", id, AUDIT_OUTCOME_SUCCESS, NULL);
	if (!logged) {
		json_decref(d);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	api_commit_send(req, resp, 200, d);
}

/* A member of the body when present (null clears it), else the stored value. */
static const char *member_or(const struct http_request *req, const json_t *row, const char *name)
{
	const json_t *v = json_object_get(req->json, name);
	if (v)
		return json_is_string(v) && *json_string_value(v) ? json_string_value(v) : NULL;
	return json_string_value(json_object_get(row, name));
}

void api_em_device_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_orders_body_validate("device_update", req->json, NULL, &fe);
	int64_t version = 0;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed,
		"SELECT d.model, d.phone_number, d.status, d.note, d.version, (SELECT COUNT(*) FROM em_fitting f WHERE"
		" f.device_id = d.id AND f.removed_at IS NULL) AS fitted FROM em_device d WHERE d.id = ?", "t",
		uuid_valid(id) ? id : "");
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a device");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "device");
		}
		return;
	}
	const char *status = json_str(req->json, "status");
	bool fitted = json_integer_value(json_object_get(row, "fitted")) > 0;
	if (status && fitted && strcmp(status, json_string_value(json_object_get(row, "status"))) != 0) {
		json_decref(row);
		api_conflict(req, resp, "device-fitted", "The device is fitted",
		             "Record the device's removal before changing its status.");
		return;
	}
	if (json_integer_value(json_object_get(row, "version")) != version) {
		json_decref(row);
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this device since you read it; read it again.", NULL);
		return;
	}
	int64_t now = clock_now_ms();
	int64_t changed = 0;
	enum db_status rc = db_run(req->db, &changed,
		"UPDATE em_device SET model = ?, phone_number = ?, status = ?, note = ?, updated_at = ?, version = version + 1"
		" WHERE id = ? AND version = ?",
		"tttt" "iti", member_or(req, row, "model"), member_or(req, row, "phone_number"),
		status ? status : json_string_value(json_object_get(row, "status")), member_or(req, row, "note"), now, id,
		version);
	json_decref(row);
	if (rc == DB_OK && changed != 1) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this device since you read it; read it again.", NULL);
		return;
	}
	char detail[64];
	snprintf(detail, sizeof detail, "status: %s", status ? status : "unchanged");
	if (rc != DB_OK || !api_audit(req, AUDIT_ALTER, "em_device", id, AUDIT_OUTCOME_SUCCESS, detail)) {
		api_db_failed(req, resp, "changing a device");
		return;
	}
	answer_device(req, resp, id, 200);
}

/* ---- orders as JSON --------------------------------------------------------------------- */

#define ORDER_SELECT \
	"SELECT o.id, o.case_id, c.number AS case_number, c.person_id, " PERSON_NAME_SQL("p") " AS person_name," \
	" o.decision_id, d.authority AS decision_authority, d.number AS decision_number," \
	" d.decided_on AS decision_decided_on, d.duties AS decision_duties, o.mode_curfew, o.mode_inclusion," \
	" o.mode_exclusion, o.mode_trail, o.starts_on, o.ends_on, o.home_address, o.home_lat, o.home_lon," \
	" o.home_radius_m, o.household_effect, o.curfew_grace_min, o.status, o.ended_at, o.end_reason," \
	" o.rules_version, o.created_at, o.version" \
	" FROM em_order o JOIN case_file c ON c.id = o.case_id JOIN person p ON p.id = c.person_id" \
	" JOIN decision d ON d.id = o.decision_id"

/* A comma-separated list as a JSON array of strings. */
static json_t *split_list(const char *s)
{
	json_t *out = json_array();
	while (s && *s) {
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);
		if (n)
			json_array_append_new(out, json_stringn(s, n));
		s = comma ? comma + 1 : NULL;
	}
	return out;
}

static void move_member(json_t *from, const char *name, json_t *to, const char *as)
{
	json_t *v = json_object_get(from, name);
	json_object_set(to, as, v ? v : json_null());
	json_object_del(from, name);
}

/* Folds the decision_* and mode_* members; adds device and open_alerts. False on a database error. */
static bool order_fold(db *conn, json_t *o)
{
	json_t *decision = json_object();
	json_object_set(decision, "id", json_object_get(o, "decision_id"));
	move_member(o, "decision_authority", decision, "authority");
	move_member(o, "decision_number", decision, "number");
	move_member(o, "decision_decided_on", decision, "decided_on");
	json_object_set_new(decision, "duties", split_list(json_string_value(json_object_get(o, "decision_duties"))));
	json_object_del(o, "decision_duties");
	json_object_set_new(o, "decision", decision);
	static const char *const modes[] = {"curfew", "inclusion", "exclusion", "trail", NULL};
	json_t *m = json_object();
	for (const char *const *p = modes; *p; p++) {
		char key[24];
		snprintf(key, sizeof key, "mode_%s", *p);
		json_object_set_new(m, *p, json_boolean(json_integer_value(json_object_get(o, key)) != 0));
		json_object_del(o, key);
	}
	json_object_set_new(o, "modes", m);
	const char *id = json_string_value(json_object_get(o, "id"));
	bool failed = false;
	json_t *device = api_select_one(conn, &failed,
		"SELECT d.id, d.identifier, d.kind, d.last_seen_at, d.last_fix_at, d.battery_pct FROM em_fitting f"
		" JOIN em_device d ON d.id = f.device_id WHERE f.order_id = ? AND f.removed_at IS NULL"
		" ORDER BY f.fitted_at DESC LIMIT 1", "t", id);
	if (failed)
		return false;
	json_object_set_new(o, "device", device ? device : json_null());
	char *like = xasprintf("em:%%:%s:%%", id);
	json_t *n = api_select_one(conn, &failed,
		"SELECT COUNT(*) AS n FROM alert WHERE source = 'device' AND status IN ('open', 'acknowledged')"
		" AND dedupe_key LIKE ?", "t", like);
	free(like);
	if (!n)
		return false;
	json_object_set(o, "open_alerts", json_object_get(n, "n"));
	json_decref(n);
	return true;
}

/* The zones of an order in the contract's shape. */
static json_t *zones_json(db *conn, const char *id)
{
	json_t *rows = api_select(conn,
		"SELECT id, order_id, kind, name, shape, geojson, center_lat, center_lon, radius_m, buffer_m, status,"
		" retire_reason, version FROM em_zone WHERE order_id = ? ORDER BY created_at, id", "t", id);
	size_t i;
	json_t *z;
	json_array_foreach(rows, i, z) {
		const char *g = json_string_value(json_object_get(z, "geojson"));
		json_t *geometry = g ? json_loads(g, 0, NULL) : NULL;
		json_object_set_new(z, "geometry", geometry ? geometry : json_null());
		json_object_del(z, "geojson");
		json_t *lat = json_object_get(z, "center_lat"), *lon = json_object_get(z, "center_lon");
		json_object_set_new(z, "center", json_is_number(lat) && json_is_number(lon)
		                                     ? json_pack("{s:O, s:O}", "lat", lat, "lon", lon)
		                                     : json_null());
		json_object_del(z, "center_lat");
		json_object_del(z, "center_lon");
	}
	return rows;
}

/* One order as JSON, with (full) its curfew, zones, absences and fittings; NULL on a database error. */
static json_t *order_json(db *conn, const char *id, bool full)
{
	bool failed = false;
	json_t *o = api_select_one(conn, &failed, ORDER_SELECT " WHERE o.id = ?", "t", id);
	if (!o)
		return NULL;
	if (!order_fold(conn, o)) {
		json_decref(o);
		return NULL;
	}
	json_t *windows = api_select(conn,
		"SELECT days, start_time, end_time FROM em_curfew_window WHERE order_id = ? ORDER BY id", "t", id);
	if (!windows) {
		json_decref(o);
		return NULL;
	}
	json_t *curfew = json_array();
	size_t i;
	json_t *w;
	json_array_foreach(windows, i, w) {
		json_array_append_new(curfew, json_pack("{s:o, s:O, s:O}", "days",
		                                        split_list(json_string_value(json_object_get(w, "days"))), "start",
		                                        json_object_get(w, "start_time"), "end",
		                                        json_object_get(w, "end_time")));
	}
	json_decref(windows);
	json_object_set_new(o, "curfew", curfew);
	if (!full)
		return o;
	json_t *zones = zones_json(conn, id);
	json_t *absences = api_select(conn,
		"SELECT a.id, a.order_id, a.starts_at, a.ends_at, a.reason, a.covers_zones AS is_covers_zones,"
		" ac.display_name AS approved_by_name, a.approved_at, a.cancelled_at, a.cancel_reason FROM em_absence a"
		" JOIN account ac ON ac.id = a.approved_by WHERE a.order_id = ? ORDER BY a.starts_at, a.id", "t", id);
	json_t *fittings = api_select(conn,
		"SELECT f.id, f.device_id, d.identifier AS device_identifier, d.kind AS device_kind, f.fitted_at,"
		" a.display_name AS fitted_by_name, f.removed_at, f.removal_reason FROM em_fitting f"
		" JOIN em_device d ON d.id = f.device_id JOIN account a ON a.id = f.fitted_by WHERE f.order_id = ?"
		" ORDER BY f.fitted_at, f.id", "t", id);
	if (!zones || !absences || !fittings) {
		json_decref(zones);
		json_decref(absences);
		json_decref(fittings);
		json_decref(o);
		return NULL;
	}
	json_object_set_new(o, "zones", zones);
	json_object_set_new(o, "absences", absences);
	json_object_set_new(o, "fittings", fittings);
	return o;
}

/* Reads the order in the open transaction, commits, tells the writer (write) and answers it with its ETag. */
static void answer_order(struct http_request *req, struct http_response *resp, const char *id, int status, bool write)
{
	json_t *o = order_json(req->db, id, true);
	if (!o) {
		api_db_failed(req, resp, "reading a monitoring order");
		return;
	}
	if (api_commit_send(req, resp, status, o) && write)
		rules_changed(req);
}

void api_em_order_get(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct em_order_ref ref;
	if (!api_begin(req, resp) || !em_order_scope(req, resp, id, false, &ref))
		return;
	if (!em_scope_audit(req, &ref, AUDIT_CONSULT, "em_order", ref.id, ref.case_id)) {
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	answer_order(req, resp, ref.id, 200, false);
}

/* Rows of ORDER_SELECT folded for a list; false on a database error. */
static bool orders_fold(db *conn, json_t *rows)
{
	size_t i;
	json_t *o;
	json_array_foreach(rows, i, o) {
		json_object_del(o, "in_reach_");
		if (!order_fold(conn, o))
			return false;
	}
	return true;
}

void api_em_orders_list(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	const char *status = http_request_query(req, "status");
	const char *q = http_request_query(req, "q");
	if (status && strcmp(status, "active") != 0 && strcmp(status, "ended") != 0)
		field_error(&fe, "status", "must be active or ended");
	if (q && utf8_length(q) > 100)
		field_error(&fe, "q", "must be at most 100 characters");
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	char *like = q && *q ? xasprintf("%%%s%%", q) : NULL;
	json_t *items = api_select(req->db,
		REACH_CTE " " ORDER_SELECT " WHERE (? = 1 OR c.unit_id IN (SELECT id FROM reach)) AND o.status = ?"
		" AND (CAST(? AS TEXT) IS NULL OR c.number LIKE ? OR LOWER(" PERSON_NAME_SQL("p") ") LIKE LOWER(?))"
		" ORDER BY o.created_at DESC, o.id LIMIT 500",
		"tti" "it" "ttt", reach_unit(req), req->principal.account_id, clock_now_ms(), centre(req),
		status ? status : "active", like, like, like);
	free(like);
	if (!items || !orders_fold(req->db, items)) {
		json_decref(items);
		api_db_failed(req, resp, "listing monitoring orders");
		return;
	}
	/* One entry for the list; the monitoring centre's names its basis. */
	bool ok;
	if (centre(req)) {
		struct buf detail = {0};
		buf_printf(&detail, "list %s: %zu shown", status ? status : "active", json_array_size(items));
		size_t i;
		json_t *o;
		json_array_foreach(items, i, o) {
			if (detail.len > 1800)
				break;
			buf_puts(&detail, i ? "," : ": ");
			buf_puts(&detail, json_string_value(json_object_get(o, "id")));
		}
		ok = api_audit_why(req, AUDIT_CONSULT, "em_order", NULL, AUDIT_OUTCOME_SUCCESS, detail.data, EM_CENTRE_PURPOSE,
		                   EM_CENTRE_BASIS);
		buf_free(&detail);
	} else {
		ok = api_audit_list(req, "em_order", items, status ? status : "active");
	}
	if (!ok) {
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

void api_case_em_orders(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct em_order_ref ref;
	if (!api_begin(req, resp) || !em_case_scope(req, resp, id, false, &ref))
		return;
	json_t *items = api_select(req->db, ORDER_SELECT " WHERE o.case_id = ? ORDER BY o.created_at DESC, o.id", "t", id);
	if (!items || !orders_fold(req->db, items)) {
		json_decref(items);
		api_db_failed(req, resp, "listing monitoring orders");
		return;
	}
	if (!em_scope_audit(req, &ref, AUDIT_CONSULT, "case_em_orders", id, NULL)) {
		json_decref(items);
		api_db_failed(req, resp, "logging a reading");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* ---- the S23 checks against the decision --------------------------------------------------- */

/* True when the comma-separated duties include duty. */
static bool has_duty(const char *duties, const char *duty)
{
	size_t n = strlen(duty);
	for (const char *s = duties; s && *s;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		if (len == n && strncmp(s, duty, n) == 0)
			return true;
		s = comma ? comma + 1 : NULL;
	}
	return false;
}

/*
 * Checks the body's modes and dates against the decision (S23): of this case, in force, ordering electronic
 * monitoring and the duty each mode needs, ends_on within the supervision. Adds the problems to fe. False on a
 * database error.
 */
static bool decision_check(db *conn, const char *case_id, const char *decision_id, const json_t *body,
                           struct field_errors *fe)
{
	bool failed = false;
	json_t *d = api_select_one(conn, &failed,
		"SELECT case_id, status, duties, authority, number, decided_on FROM decision WHERE id = ?", "t", decision_id);
	if (failed)
		return false;
	if (!d || strcmp(json_string_value(json_object_get(d, "case_id")), case_id) != 0) {
		json_decref(d);
		field_error(fe, "decision_id", "is not a decision of this case");
		return true;
	}
	const char *number = json_string_value(json_object_get(d, "number"));
	char *name = xasprintf("Decision %s of %s (%s)", number ? number : "without a number",
	                       json_string_value(json_object_get(d, "decided_on")),
	                       json_string_value(json_object_get(d, "authority")));
	const char *status = json_string_value(json_object_get(d, "status"));
	const char *duties = json_string_value(json_object_get(d, "duties"));
	if (strcmp(status, "in_force") != 0) {
		field_error(fe, "decision_id", "%s is not in force (%s)", name, status);
	} else if (!has_duty(duties, "electronic_monitoring")) {
		field_error(fe, "decision_id", "%s does not order the duty 'electronic_monitoring'", name);
	} else {
		const json_t *modes = json_object_get(body, "modes");
		if (json_is_true(json_object_get(modes, "curfew")) && !has_duty(duties, "curfew"))
			field_error(fe, "modes", "%s does not order the duty 'curfew' that a curfew needs", name);
		if (json_is_true(json_object_get(modes, "exclusion")) && !has_duty(duties, "exclusion"))
			field_error(fe, "modes", "%s does not order the duty 'exclusion' that exclusion zones need", name);
		if (json_is_true(json_object_get(modes, "inclusion")) && !has_duty(duties, "residence") &&
		    !has_duty(duties, "travel"))
			field_error(fe, "modes", "%s does not order the duty 'residence' or 'travel' that inclusion zones need",
			            name);
	}
	json_decref(d);
	json_t *end = api_select_one(conn, &failed,
		"SELECT date FROM key_date WHERE decision_id = ? AND kind = 'supervision_end' AND date IS NOT NULL", "t",
		decision_id);
	if (failed) {
		free(name);
		return false;
	}
	const char *ends_on = json_str(body, "ends_on");
	const char *limit = end ? json_string_value(json_object_get(end, "date")) : NULL;
	if (limit && ends_on && strcmp(ends_on, limit) > 0)
		field_error(fe, "ends_on", "must not be after the end of supervision (%s) under %s", limit, name);
	json_decref(end);
	free(name);
	return true;
}

/* Writes the curfew windows of the body for an order (replacing any). */
static bool windows_write(db *conn, const char *order_id, const json_t *body)
{
	if (db_run(conn, NULL, "DELETE FROM em_curfew_window WHERE order_id = ?", "t", order_id) != DB_OK)
		return false;
	size_t i;
	const json_t *w;
	json_array_foreach(json_object_get(body, "curfew"), i, w) {
		struct buf days = {0};
		size_t j;
		const json_t *d;
		json_array_foreach(json_object_get(w, "days"), j, d) {
			if (days.len)
				buf_putc(&days, ',');
			buf_puts(&days, json_string_value(d));
		}
		char id[UUID_STR_LEN];
		uuid_v7(id);
		bool ok = db_run(conn, NULL,
		                 "INSERT INTO em_curfew_window (id, order_id, days, start_time, end_time) VALUES (?, ?, ?, ?, ?)",
		                 "ttttt", id, order_id, days.data, json_str(w, "start"), json_str(w, "end")) == DB_OK;
		buf_free(&days);
		if (!ok)
			return false;
	}
	return true;
}

/* The home position: both or neither. */
static bool home_write(db *conn, const char *order_id, const json_t *body)
{
	const json_t *lat = json_object_get(body, "home_lat"), *lon = json_object_get(body, "home_lon");
	if (json_is_number(lat) && json_is_number(lon))
		return db_run(conn, NULL, "UPDATE em_order SET home_lat = ?, home_lon = ? WHERE id = ?", "ddt",
		              json_number_value(lat), json_number_value(lon), order_id) == DB_OK;
	return db_run(conn, NULL, "UPDATE em_order SET home_lat = NULL, home_lon = NULL WHERE id = ?", "t", order_id) ==
	       DB_OK;
}

/* The modes a body orders, as text ("curfew, trail") and as a JSON array. */
static void modes_text(const json_t *body, struct buf *text, struct buf *array)
{
	static const char *const modes[] = {"curfew", "inclusion", "exclusion", "trail", NULL};
	buf_putc(array, '[');
	for (const char *const *p = modes; *p; p++) {
		if (!json_is_true(json_object_get(json_object_get(body, "modes"), *p)))
			continue;
		if (text->len)
			buf_puts(text, ", ");
		buf_puts(text, *p);
		if (array->len > 1)
			buf_putc(array, ',');
		buf_json_string(array, *p);
	}
	buf_putc(array, ']');
}

static int64_t int_member(const json_t *body, const char *name, int64_t def)
{
	const json_t *v = json_object_get(body, name);
	return json_is_integer(v) ? json_integer_value(v) : def;
}

static int64_t mode(const json_t *body, const char *name)
{
	return json_is_true(json_object_get(json_object_get(body, "modes"), name)) ? 1 : 0;
}

/* Adds an em.* event to the case's timeline: summary in English naming no personal data, detail codes. */
static bool order_event(db *conn, const char *case_id, const char *kind, const char *actor, int64_t now,
                        const char *summary, const char *detail, const char *record_type, const char *record_id)
{
	return case_event_add(conn, case_id, now, kind, actor, summary, detail, record_type, record_id) == DB_OK;
}

void api_em_order_create(struct http_request *req, struct http_response *resp)
{
	const char *case_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_orders_body_validate("order", req->json, NULL, &fe);
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) ||
	    !em_case_scope(req, resp, case_id, true, &ref))
		return;
	if (!ref.via_centre && !scope_may_change(req, resp, &ref.scope, "case", case_id))
		return;
	const json_t *body = req->json;
	if (!decision_check(req->db, case_id, api_str(req, "decision_id"), body, &fe)) {
		api_db_failed(req, resp, "checking the decision");
		return;
	}
	if (api_errors_answer(req, resp, &fe))
		return;
	bool failed = false;
	json_t *existing = api_select_one(req->db, &failed,
		"SELECT id FROM em_order WHERE case_id = ? AND status = 'active'", "t", case_id);
	if (failed) {
		api_db_failed(req, resp, "reading monitoring orders");
		return;
	}
	if (existing) {
		db_rollback(req->db);
		char *detail = xasprintf("The case has an active monitoring order (%s): change it, or end it first.",
		                         json_string_value(json_object_get(existing, "id")));
		http_problem_with(resp, req, 409, "order-exists", "The case has an active monitoring order", detail, NULL,
		                  json_pack("{s:O}", "order_id", json_object_get(existing, "id")));
		free(detail);
		json_decref(existing);
		return;
	}
	char id[UUID_STR_LEN];
	uuid_v7(id);
	int64_t now = clock_now_ms();
	const char *actor = req->principal.account_id;
	bool ok = db_run(req->db, NULL,
		"INSERT INTO em_order (id, case_id, decision_id, mode_curfew, mode_inclusion, mode_exclusion, mode_trail,"
		" starts_on, ends_on, home_address, home_radius_m, household_effect, curfew_grace_min, created_at, created_by,"
		" updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttiiii" "tttit" "iiti", id, case_id, api_str(req, "decision_id"), mode(body, "curfew"),
		mode(body, "inclusion"), mode(body, "exclusion"), mode(body, "trail"), api_str(req, "starts_on"),
		api_str(req, "ends_on"), api_str(req, "home_address"), int_member(body, "home_radius_m", 50),
		api_str(req, "household_effect"), int_member(body, "curfew_grace_min", 10), now, actor, now) == DB_OK &&
	          home_write(req->db, id, body) && windows_write(req->db, id, body);
	struct buf text = {0}, array = {0}, detail = {0};
	modes_text(body, &text, &array);
	buf_puts(&detail, "{\"order_id\":");
	buf_json_string(&detail, id);
	buf_puts(&detail, ",\"decision_id\":");
	buf_json_string(&detail, api_str(req, "decision_id"));
	buf_printf(&detail, ",\"modes\":%s,\"starts_on\":\"%s\",\"ends_on\":\"%s\"}", array.data,
	           api_str(req, "starts_on"), api_str(req, "ends_on"));
	char *summary = xasprintf("Electronic monitoring ordered (%s)", text.data);
	ok = ok && order_event(req->db, case_id, "em.order_created", actor, now, summary, detail.data, "em_order", id) &&
	     em_scope_audit(req, &ref, AUDIT_COLLECT, "em_order", id, case_id);
	free(summary);
	buf_free(&text);
	buf_free(&array);
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "ordering monitoring");
		return;
	}
	answer_order(req, resp, id, 201, true);
}

void api_em_order_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_orders_body_validate("order_update", req->json, NULL, &fe);
	int64_t version = 0;
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !em_order_scope(req, resp, id, true, &ref))
		return;
	if (strcmp(ref.status, "active") != 0) {
		api_conflict(req, resp, "order-ended", "The order has ended", "An ended order is not changed.");
		return;
	}
	const json_t *body = req->json;
	if (!decision_check(req->db, ref.case_id, ref.decision_id, body, &fe)) {
		api_db_failed(req, resp, "checking the decision");
		return;
	}
	/* Zones of a mode no longer ordered must be retired first (S23: nothing beyond the modes ordered). */
	static const char *const kinds[] = {"inclusion", "exclusion", NULL};
	for (const char *const *k = kinds; *k; k++) {
		if (mode(body, *k))
			continue;
		bool failed = false;
		json_t *n = api_select_one(req->db, &failed,
			"SELECT COUNT(*) AS n FROM em_zone WHERE order_id = ? AND kind = ? AND status = 'active'", "tt", ref.id, *k);
		if (!n) {
			api_db_failed(req, resp, "reading zones");
			return;
		}
		if (json_integer_value(json_object_get(n, "n")) > 0)
			field_error(&fe, "modes", "the order has active %s zones: retire them before leaving out this mode", *k);
		json_decref(n);
	}
	if (api_errors_answer(req, resp, &fe))
		return;
	int64_t now = clock_now_ms();
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
		"UPDATE em_order SET mode_curfew = ?, mode_inclusion = ?, mode_exclusion = ?, mode_trail = ?, starts_on = ?,"
		" ends_on = ?, home_address = ?, home_radius_m = ?, household_effect = ?, curfew_grace_min = ?, updated_at = ?,"
		" rules_version = rules_version + 1, version = version + 1 WHERE id = ? AND version = ? AND status = 'active'",
		"iiii" "tttit" "iiti", mode(body, "curfew"), mode(body, "inclusion"), mode(body, "exclusion"),
		mode(body, "trail"), api_str(req, "starts_on"), api_str(req, "ends_on"), api_str(req, "home_address"),
		int_member(body, "home_radius_m", 50), api_str(req, "household_effect"),
		int_member(body, "curfew_grace_min", 10), now, ref.id, version) == DB_OK;
	if (ok && changed != 1) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this order since you read it; read it again.", NULL);
		return;
	}
	ok = ok && home_write(req->db, ref.id, body) && windows_write(req->db, ref.id, body);
	struct buf text = {0}, array = {0}, detail = {0};
	modes_text(body, &text, &array);
	buf_puts(&detail, "{\"order_id\":");
	buf_json_string(&detail, ref.id);
	buf_printf(&detail, ",\"modes\":%s,\"starts_on\":\"%s\",\"ends_on\":\"%s\"}", array.data,
	           api_str(req, "starts_on"), api_str(req, "ends_on"));
	char *summary = xasprintf("Electronic monitoring order changed (%s)", text.data);
	ok = ok && order_event(req->db, ref.case_id, "em.order_changed", req->principal.account_id, now, summary,
	                       detail.data, "em_order", ref.id) &&
	     em_scope_audit(req, &ref, AUDIT_ALTER, "em_order", ref.id, ref.case_id);
	free(summary);
	buf_free(&text);
	buf_free(&array);
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "changing a monitoring order");
		return;
	}
	answer_order(req, resp, ref.id, 200, true);
}

void api_em_order_end(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_orders_body_validate("end", req->json, NULL, &fe);
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !em_order_scope(req, resp, id, true, &ref))
		return;
	int64_t now = clock_now_ms();
	const char *actor = req->principal.account_id;
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
		"UPDATE em_order SET status = 'ended', ended_at = ?, ended_by = ?, end_reason = ?, updated_at = ?,"
		" rules_version = rules_version + 1, version = version + 1 WHERE id = ? AND status = 'active'",
		"ittit", now, actor, api_str(req, "reason"), now, ref.id) == DB_OK;
	if (ok && changed != 1) {
		api_conflict(req, resp, "order-ended", "The order has ended", "The order was already ended.");
		return;
	}
	/* The fitted devices come off with the order and go back in stock. */
	json_t *devices = ok ? api_select(req->db,
		"SELECT device_id FROM em_fitting WHERE order_id = ? AND removed_at IS NULL", "t", ref.id) : NULL;
	ok = ok && devices &&
	     db_run(req->db, NULL,
	            "UPDATE em_device SET status = 'in_stock', updated_at = ?, version = version + 1 WHERE id IN"
	            " (SELECT device_id FROM em_fitting WHERE order_id = ? AND removed_at IS NULL)", "it", now,
	            ref.id) == DB_OK &&
	     db_run(req->db, NULL,
	            "UPDATE em_fitting SET removed_at = ?, removed_by = ?, removal_reason = 'order_ended',"
	            " version = version + 1 WHERE order_id = ? AND removed_at IS NULL", "itt", now, actor,
	            ref.id) == DB_OK;
	struct buf detail = {0};
	buf_puts(&detail, "{\"order_id\":");
	buf_json_string(&detail, ref.id);
	buf_puts(&detail, ",\"removed_devices\":[");
	size_t i;
	json_t *d;
	json_array_foreach(devices, i, d) {
		if (i)
			buf_putc(&detail, ',');
		buf_json_string(&detail, json_string_value(json_object_get(d, "device_id")));
	}
	buf_puts(&detail, "]}");
	char *summary = xasprintf("Electronic monitoring order ended (%zu device%s removed)", json_array_size(devices),
	                          json_array_size(devices) == 1 ? "" : "s");
	ok = ok && order_event(req->db, ref.case_id, "em.order_ended", actor, now, summary, detail.data, "em_order",
	                       ref.id) &&
	     em_scope_audit(req, &ref, AUDIT_ALTER, "em_order", ref.id, "ended");
	free(summary);
	buf_free(&detail);
	json_decref(devices);
	if (!ok) {
		api_db_failed(req, resp, "ending a monitoring order");
		return;
	}
	answer_order(req, resp, ref.id, 200, true);
}

/* ---- fittings --------------------------------------------------------------------------- */

#define FITTING_SELECT \
	"SELECT f.id, f.order_id, f.device_id, d.identifier AS device_identifier, d.kind AS device_kind, f.fitted_at," \
	" a.display_name AS fitted_by_name, f.fit_note AS note, f.removed_at, ra.display_name AS removed_by_name," \
	" f.removal_reason, f.removal_note, f.version FROM em_fitting f JOIN em_device d ON d.id = f.device_id" \
	" JOIN account a ON a.id = f.fitted_by LEFT JOIN account ra ON ra.id = f.removed_by"

static void answer_fitting(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *f = api_select_one(req->db, &failed, FITTING_SELECT " WHERE f.id = ?", "t", id);
	if (!f) {
		api_db_failed(req, resp, "reading a fitting");
		return;
	}
	if (api_commit_send(req, resp, status, f))
		rules_changed(req);
}

void api_em_fitting_create(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_orders_body_validate("fitting", req->json, NULL, &fe);
	int64_t now = clock_now_ms(), fitted_at = now;
	if (json_str(req->json, "fitted_at") && clock_parse_rfc3339(json_str(req->json, "fitted_at"), &fitted_at) &&
	    fitted_at > now + 5 * 60 * 1000)
		field_error(&fe, "fitted_at", "must not be in the future");
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) || !em_order_scope(req, resp, id, true, &ref))
		return;
	if (strcmp(ref.status, "active") != 0) {
		api_conflict(req, resp, "order-ended", "The order has ended", "A device is fitted only under an active order.");
		return;
	}
	bool failed = false;
	json_t *live = api_select_one(req->db, &failed,
		"SELECT f.device_id, d.identifier FROM em_fitting f JOIN em_device d ON d.id = f.device_id"
		" WHERE f.order_id = ? AND f.removed_at IS NULL", "t", ref.id);
	if (failed) {
		api_db_failed(req, resp, "reading fittings");
		return;
	}
	if (live) {
		db_rollback(req->db);
		char *detail = xasprintf("Device %s is fitted under this order: record its removal (reason 'replaced') first.",
		                         json_string_value(json_object_get(live, "identifier")));
		http_problem_with(resp, req, 409, "device-fitted", "A device is already fitted", detail, NULL,
		                  json_pack("{s:O}", "device_id", json_object_get(live, "device_id")));
		free(detail);
		json_decref(live);
		return;
	}
	const char *device_id = api_str(req, "device_id");
	json_t *device = api_select_one(req->db, &failed, "SELECT status, identifier FROM em_device WHERE id = ?", "t",
	                                device_id);
	if (!device) {
		if (failed)
			api_db_failed(req, resp, "reading a device");
		else
			api_field_problem(req, resp, "device_id", "is not a device in the inventory");
		return;
	}
	const char *status = json_string_value(json_object_get(device, "status"));
	if (strcmp(status, "in_stock") != 0) {
		char *detail = xasprintf("The device is %s, not in stock.", status);
		db_rollback(req->db);
		http_problem_with(resp, req, 409, "device-unavailable", "The device is not available", detail, NULL,
		                  json_pack("{s:s}", "status", status));
		free(detail);
		json_decref(device);
		return;
	}
	json_decref(device);
	char fitting[UUID_STR_LEN];
	uuid_v7(fitting);
	const char *actor = req->principal.account_id;
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE em_device SET status = 'assigned', updated_at = ?, version = version + 1"
	                 " WHERE id = ? AND status = 'in_stock'", "it", now, device_id) == DB_OK;
	if (ok && changed != 1) {
		api_conflict(req, resp, "device-unavailable", "The device is not available",
		             "The device was fitted or changed meanwhile.");
		return;
	}
	ok = ok &&
	     db_run(req->db, NULL,
	            "INSERT INTO em_fitting (id, order_id, device_id, fitted_at, fitted_by, fit_note) VALUES (?, ?, ?, ?, ?, ?)",
	            "ttti" "tt", fitting, ref.id, device_id, fitted_at, actor, api_str(req, "note")) == DB_OK &&
	     db_run(req->db, NULL,
	            "UPDATE em_order SET rules_version = rules_version + 1, updated_at = ? WHERE id = ?", "it", now,
	            ref.id) == DB_OK;
	struct buf detail = {0};
	buf_puts(&detail, "{\"order_id\":");
	buf_json_string(&detail, ref.id);
	buf_puts(&detail, ",\"device_id\":");
	buf_json_string(&detail, device_id);
	buf_puts(&detail, ",\"fitting_id\":");
	buf_json_string(&detail, fitting);
	buf_putc(&detail, '}');
	ok = ok && order_event(req->db, ref.case_id, "em.device_fitted", actor, now, "Monitoring device fitted",
	                       detail.data, "em_fitting", fitting) &&
	     em_scope_audit(req, &ref, AUDIT_COLLECT, "em_fitting", fitting, ref.id);
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "fitting a device");
		return;
	}
	answer_fitting(req, resp, fitting, 201);
}

void api_em_fitting_remove(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_orders_body_validate("removal", req->json, NULL, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *f = api_select_one(req->db, &failed, "SELECT order_id, device_id, removed_at FROM em_fitting WHERE id = ?",
	                           "t", uuid_valid(id) ? id : "");
	if (!f) {
		if (failed) {
			api_db_failed(req, resp, "reading a fitting");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "fitting");
		}
		return;
	}
	char order[UUID_STR_LEN], device[UUID_STR_LEN];
	copy(order, sizeof order, json_string_value(json_object_get(f, "order_id")));
	copy(device, sizeof device, json_string_value(json_object_get(f, "device_id")));
	bool removed = !json_is_null(json_object_get(f, "removed_at"));
	json_decref(f);
	struct em_order_ref ref;
	if (!em_order_scope(req, resp, order, true, &ref))
		return;
	if (removed) {
		api_conflict(req, resp, "already-removed", "The device was already removed", "This fitting has ended.");
		return;
	}
	const char *reason = api_str(req, "reason");
	const char *actor = req->principal.account_id;
	int64_t now = clock_now_ms();
	int64_t changed = 0;
	bool ok = db_run(req->db, &changed,
	                 "UPDATE em_fitting SET removed_at = ?, removed_by = ?, removal_reason = ?, removal_note = ?,"
	                 " version = version + 1 WHERE id = ? AND removed_at IS NULL", "ittt" "t", now, actor, reason,
	                 api_str(req, "note"), id) == DB_OK;
	if (ok && changed != 1) {
		api_conflict(req, resp, "already-removed", "The device was already removed", "This fitting has ended.");
		return;
	}
	ok = ok &&
	     db_run(req->db, NULL,
	            "UPDATE em_device SET status = ?, updated_at = ?, version = version + 1 WHERE id = ?", "tit",
	            strcmp(reason, "faulty") == 0 ? "faulty" : "in_stock", now, device) == DB_OK &&
	     db_run(req->db, NULL,
	            "UPDATE em_order SET rules_version = rules_version + 1, updated_at = ? WHERE id = ?", "it", now,
	            ref.id) == DB_OK;
	struct buf detail = {0};
	buf_puts(&detail, "{\"order_id\":");
	buf_json_string(&detail, ref.id);
	buf_puts(&detail, ",\"device_id\":");
	buf_json_string(&detail, device);
	buf_puts(&detail, ",\"fitting_id\":");
	buf_json_string(&detail, id);
	buf_puts(&detail, ",\"reason\":");
	buf_json_string(&detail, reason);
	buf_putc(&detail, '}');
	char *summary = xasprintf("Monitoring device removed (%s)", reason);
	ok = ok && order_event(req->db, ref.case_id, "em.device_removed", actor, now, summary, detail.data, "em_fitting",
	                       id) &&
	     em_scope_audit(req, &ref, AUDIT_ALTER, "em_fitting", id, reason);
	free(summary);
	buf_free(&detail);
	if (!ok) {
		api_db_failed(req, resp, "recording a removal");
		return;
	}
	answer_fitting(req, resp, id, 200);
}
