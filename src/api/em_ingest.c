/*
 * em_ingest.c — device fixes in (the gateways' batch API, the OsmAnd
 * protocol) and out (an order's trail and position), and the register of
 * unknown identifiers.
 *
 * In: both routes hand their fixes to the ingest writer (em/ingest.h) and
 * answer only after it has committed them, so a 200 means durably stored.
 * The batch route groups its fixes by device, one submission each, so an
 * unknown identifier refuses only its own fixes; the writer logs what it
 * collected and refused. OsmAnd devices have no credentials (the protocol has
 * none): an identifier not in the inventory is refused with 403 and counted.
 * No per-address limit: phones behind a carrier's NAT share addresses.
 *
 * Out: the trail only where the order includes it (S23; else 409
 * trail-not-ordered); the position where the order has the trail or a zone
 * mode, and for a curfew-only order only whether the person is at home. Each
 * read is logged as a consultation of record type em_trail naming the window.
 * An order's fixes are those of every device fitted to it during the window,
 * each device only for its fitting's period.
 */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/em_scope.h"
#include "api/validate.h"
#include "app.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/settings.h"
#include "em/fixstore.h"
#include "em/geofence.h"
#include "em/ingest.h"
#include "em/protocols/osmand.h"

#define BATCH_MAX 5000         /* fixes per batch: ~200 bytes each fits the 1 MiB body limit */
#define TRAIL_MAX 20000        /* fixes per trail answer */
#define TRAIL_SPAN_MS (7LL * 86400000)
#define DAY_MS 86400000LL
#define EPOCH_2000_MS 946684800000LL
#define EPOCH_2100_MS 4102444800000LL

/* ---- the batch body ---------------------------------------------------------- */

static bool identifier_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > EM_ID_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* An error about member `member` of fix i ("fixes[3].lat"; member NULL: the fix itself). The path is formatted
 * only here, on the error path: a valid batch of 5,000 fixes builds no strings (perf: snprintf of every member's
 * path was a tenth of the handler's time). */
static void item_error(struct field_errors *fe, size_t i, const char *member, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void item_error(struct field_errors *fe, size_t i, const char *member, const char *fmt, ...)
{
	char path[96], message[320];
	if (member)
		snprintf(path, sizeof path, "fixes[%zu].%.40s", i, member);
	else
		snprintf(path, sizeof path, "fixes[%zu]", i);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	field_error(fe, path, "%s", message);
}

/* An optional number member within [min, max]: *v_r NAN when absent; false (error added) when bad. */
static bool number_member(const json_t *o, const char *name, size_t i, double min, double max, double *v_r,
                          struct field_errors *fe)
{
	json_t *v = json_object_get(o, name);
	*v_r = NAN;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_number(v)) {
		item_error(fe, i, name, "must be a number");
		return false;
	}
	double d = json_number_value(v);
	if (!(d >= min && d <= max)) {
		item_error(fe, i, name, "must be between %g and %g", min, max);
		return false;
	}
	*v_r = d;
	return true;
}

static void fix_item(const json_t *item, size_t i, struct em_fix *f, struct field_errors *fe)
{
	static const char *const members[] = {"device", "at", "lat", "lon", "accuracy_m", "speed_kmh", "course_deg",
	                                      "altitude_m", "satellites", "battery_pct", "events", NULL};
	em_fix_init(f);
	if (!json_is_object(item)) {
		item_error(fe, i, NULL, "must be an object");
		return;
	}
	/* Unknown members are looked for only when the object has more members than the known ones it holds (perf: a
	 * string comparison of every key with the eleven names was a tenth of a request thread's time). */
	size_t known = 0;
	for (size_t k = 0; members[k]; k++)
		known += json_object_get(item, members[k]) != NULL;
	if (json_object_size(item) > known) {
		const char *key;
		json_t *value;
		json_object_foreach((json_t *)item, key, value) {
			if (!in_list(key, members)) {
				char shown[25];
				snprintf(shown, sizeof shown, "%.24s", key);
				item_error(fe, i, shown, "is not a field of a fix");
			}
		}
	}
	json_t *device = json_object_get(item, "device");
	if (!json_is_string(device) || !identifier_ok(json_string_value(device)))
		item_error(fe, i, "device", "must be the device's identifier: 1 to %d printable characters without spaces",
		           EM_ID_MAX);
	else
		memcpy(f->device, json_string_value(device), strlen(json_string_value(device)) + 1); /* at most EM_ID_MAX */
	json_t *at = json_object_get(item, "at");
	int64_t ms = 0;
	bool time_ok = false;
	if (json_is_string(at))
		time_ok = clock_parse_rfc3339(json_string_value(at), &ms);
	else if (json_is_integer(at) && (time_ok = true))
		ms = (int64_t)json_integer_value(at);
	if (!time_ok)
		item_error(fe, i, "at", "must be an RFC 3339 time or milliseconds since the epoch");
	else if (ms < EPOCH_2000_MS || ms >= EPOCH_2100_MS)
		item_error(fe, i, "at", "must be between 2000 and 2100");
	else
		f->at_ms = ms;
	double lat, lon;
	bool ok_lat = number_member(item, "lat", i, -90, 90, &lat, fe);
	bool ok_lon = number_member(item, "lon", i, -180, 180, &lon, fe);
	if (ok_lat && ok_lon && isnan(lat) != isnan(lon))
		item_error(fe, i, isnan(lat) ? "lat" : "lon", "lat and lon come together");
	else if (ok_lat && ok_lon && !isnan(lat)) {
		f->has_location = true;
		f->valid = true;
		f->lat = lat;
		f->lon = lon;
	}
	static const struct {
		const char *name;
		double min, max;
		size_t offset;
	} numbers[] = {
		{"accuracy_m", 0, 100000, offsetof(struct em_fix, accuracy_m)},
		{"speed_kmh", 0, 500, offsetof(struct em_fix, speed_kmh)},
		{"course_deg", 0, 360, offsetof(struct em_fix, course_deg)},
		{"altitude_m", -1000, 100000, offsetof(struct em_fix, altitude_m)},
	};
	for (size_t k = 0; k < sizeof numbers / sizeof numbers[0]; k++) {
		double v;
		if (number_member(item, numbers[k].name, i, numbers[k].min, numbers[k].max, &v, fe))
			*(double *)(void *)((char *)f + numbers[k].offset) = v;
	}
	static const struct {
		const char *name;
		int max;
	} counts[] = {{"satellites", 99}, {"battery_pct", 100}};
	for (size_t k = 0; k < 2; k++) {
		json_t *v = json_object_get(item, counts[k].name);
		if (!v || json_is_null(v))
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > counts[k].max)
			item_error(fe, i, counts[k].name, "must be a whole number from 0 to %d", counts[k].max);
		else if (k == 0)
			f->satellites = (int)json_integer_value(v);
		else
			f->battery_pct = (int)json_integer_value(v);
	}
	json_t *events = json_object_get(item, "events");
	if (events && !json_is_null(events)) {
		if (!json_is_array(events) || json_array_size(events) > EM_EV_COUNT) {
			item_error(fe, i, "events", "must be a list of at most %d event names", EM_EV_COUNT);
		} else {
			size_t k;
			json_t *e;
			json_array_foreach(events, k, e) {
				uint32_t bit = json_is_string(e) ? em_event_bit(json_string_value(e)) : 0;
				if (!bit) {
					char member[32];
					snprintf(member, sizeof member, "events[%zu]", k);
					item_error(fe, i, member, "is not an event name (strap_tamper, strap_removed, case_tamper,"
					           " battery_low, battery_critical, power_cut, power_restored, charging, sos,"
					           " heartbeat)");
				}
				f->events |= bit;
			}
		}
	}
	/* A message with neither a position nor an event says the device is alive. */
	if (!f->has_location && !f->events)
		f->events = EM_EV_HEARTBEAT;
}

bool em_batch_body_validate(const json_t *body, struct field_errors *fe, struct em_fix **fixes_r, size_t *n_r)
{
	static const struct field_rule rules[] = {{"fixes", FIELD_ARRAY, true, 1, BATCH_MAX, NULL}};
	*fixes_r = NULL;
	*n_r = 0;
	size_t before = fe->list ? json_array_size(fe->list) : 0;
	if (!validate_object(body, rules, NRULES(rules), fe))
		return false;
	const json_t *list = json_object_get(body, "fixes");
	size_t n = json_array_size(list);
	struct em_fix *fixes = xcalloc(n, sizeof *fixes);
	for (size_t i = 0; i < n; i++)
		fix_item(json_array_get(list, i), i, &fixes[i], fe);
	if ((fe->list ? json_array_size(fe->list) : 0) > before) {
		free(fixes);
		return false;
	}
	*fixes_r = fixes;
	*n_r = n;
	return true;
}

/* ---- submitting and waiting ---------------------------------------------------- */

/* Several submissions of one request, waited for together (on the request's stack). */
struct batch_wait {
	pthread_mutex_t lock;
	pthread_cond_t done;
	size_t pending;
};

struct group {
	struct batch_wait *wait;
	size_t first, n;              /* its fixes: order[first .. first+n) */
	struct ingest_outcome out;
};

static void group_done(void *ctx, const struct ingest_outcome *outcome)
{
	struct group *g = ctx;
	pthread_mutex_lock(&g->wait->lock);
	g->out = *outcome;
	/* Only the last answer wakes the handler: a batch of 1,000 devices is 1,000 submissions, and a wake-up for
	 * each cost the writer thread a futex call and the handler a context switch per fix (perf). */
	if (--g->wait->pending == 0)
		pthread_cond_signal(&g->wait->done);
	pthread_mutex_unlock(&g->wait->lock);
}

static const struct em_fix *sort_fixes;
static int by_device(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_fixes[i].device, sort_fixes[j].device);
	return c ? c : (i < j ? -1 : i > j);
}

static struct ingest *ingest_of(struct http_request *req)
{
	return req->app ? req->app->ingest : NULL;
}

void api_em_fixes_batch(struct http_request *req, struct http_response *resp)
{
	/* The pooled connection the credentials were checked on goes back now: this handler writes nothing itself (the
	 * ingest writer has its own connection and logs what it stores), and eight gateways waiting on the writer each
	 * holding one emptied the pool for everyone else (the benchmark on PostgreSQL saw 503 database-unavailable). */
	api_db_release(req);
	struct field_errors fe = {0};
	struct em_fix *fixes = NULL;
	size_t n = 0;
	if (!em_batch_body_validate(req->json, &fe, &fixes, &n)) {
		field_errors_respond(&fe, resp, req);
		return;
	}
	int64_t now = clock_now_ms();
	for (size_t i = 0; i < n; i++) {
		char reason[160], path[32];
		if (!em_fix_check(&fixes[i], now, reason, sizeof reason)) {
			snprintf(path, sizeof path, "fixes[%zu]", i);
			field_error(&fe, path, "%s", reason);
		}
	}
	struct ingest *ingest = ingest_of(req);
	if (field_errors_respond(&fe, resp, req)) {
		free(fixes);
		return;
	}
	if (!ingest) {
		free(fixes);
		http_problem(resp, req, 503, "ingest-unavailable", "Ingest unavailable",
		             "This server does not take device fixes.", NULL);
		return;
	}
	/* One submission per device, in the order given, so an unknown identifier refuses only its own fixes; all of
	 * them queued at once (ingest_submit_groups takes the sorted copy). */
	size_t *order = xmalloc(n * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	struct em_fix *sorted = xmalloc(n * sizeof *sorted);
	/* qsort's comparator reads a file-level pointer; the sort runs under this lock so requests do not mix. */
	static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&sort_lock);
	sort_fixes = fixes;
	qsort(order, n, sizeof *order, by_device);
	pthread_mutex_unlock(&sort_lock);
	for (size_t i = 0; i < n; i++)
		sorted[i] = fixes[order[i]];
	struct group *groups = xcalloc(n, sizeof *groups);
	size_t ngroups = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || strcmp(sorted[i].device, sorted[i - 1].device) != 0)
			groups[ngroups++].first = i;
		groups[ngroups - 1].n++;
	}
	size_t *firsts = xmalloc(ngroups * sizeof *firsts), *counts = xmalloc(ngroups * sizeof *counts);
	void **ctxs = xmalloc(ngroups * sizeof *ctxs);
	/* Every group counts as pending from the start, so no answer can find the count at 0 before the last one. */
	struct batch_wait wait = {.pending = ngroups};
	pthread_mutex_init(&wait.lock, NULL);
	pthread_cond_init(&wait.done, NULL);
	for (size_t k = 0; k < ngroups; k++) {
		groups[k].wait = &wait;
		firsts[k] = groups[k].first;
		counts[k] = groups[k].n;
		ctxs[k] = &groups[k];
	}
	bool submitted = ingest_submit_groups(ingest, sorted, firsts, counts, ngroups, "gateway", req->remote_addr,
	                                      group_done, ctxs);
	sorted = NULL;  /* the writer's now */
	free(firsts);
	free(counts);
	free(ctxs);
	if (submitted) {
		pthread_mutex_lock(&wait.lock);
		while (wait.pending)
			pthread_cond_wait(&wait.done, &wait.lock);
		pthread_mutex_unlock(&wait.lock);
	} else {
		for (size_t k = 0; k < ngroups; k++)
			groups[k].out.result = INGEST_BUSY;
	}
	pthread_cond_destroy(&wait.done);
	pthread_mutex_destroy(&wait.lock);
	long stored = 0, duplicates = 0, late = 0;
	size_t unavailable = 0;
	json_t *refused = json_array();
	for (size_t k = 0; k < ngroups; k++) {
		const struct group *g = &groups[k];
		stored += g->out.stored;
		duplicates += g->out.duplicates;
		late += g->out.late;
		const char *reason = g->out.result == INGEST_UNKNOWN_DEVICE ? "unknown_device"
		                     : g->out.result == INGEST_BUSY       ? "busy"
		                     : g->out.result == INGEST_FAILED     ? "failed"
		                     : g->out.result == INGEST_BAD        ? "invalid"
		                                                          : NULL;
		if (g->out.result == INGEST_BUSY || g->out.result == INGEST_FAILED)
			unavailable++;
		for (size_t i = 0; reason && i < g->n; i++) {
			size_t at = order[g->first + i];
			json_array_append_new(refused, json_pack("{s:I, s:s, s:s}", "index", (json_int_t)at, "device",
			                                         fixes[at].device, "reason", reason));
		}
	}
	free(groups);
	free(order);
	free(fixes);
	if (ngroups && unavailable == ngroups) {
		json_decref(refused);
		http_response_header(resp, "Retry-After", "1");
		http_problem(resp, req, 503, "ingest-busy", "Ingest busy",
		             "Nothing was stored: the fix queue is full or the database is unavailable; send again.", NULL);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:I, s:I, s:I, s:o}", "stored", (json_int_t)stored, "duplicates",
	                                        (json_int_t)duplicates, "late", (json_int_t)late, "refused", refused));
}

/* ---- OsmAnd ------------------------------------------------------------------- */

static void text_answer(struct http_response *resp, int status, const char *text)
{
	http_response_text(resp, status, "text/plain; charset=utf-8", text, strlen(text));
}

static void url_encode(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~:", c)) {
			buf_putc(b, (char)c);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[c >> 4]);
			buf_putc(b, hex[c & 15]);
		}
	}
}

/* The query string again from its arguments (the server keeps them decoded), for the OsmAnd decoder. */
static void osmand_query(const struct http_request *req, struct buf *q)
{
	static const char *const keys[] = {"id", "deviceid", "lat", "lon", "location", "timestamp", "speed", "bearing",
	                                   "heading", "altitude", "accuracy", "hdop", "batt", "battery", "alarm",
	                                   "charge", "valid", "sat", "event", NULL};
	for (size_t i = 0; keys[i]; i++) {
		const char *v = http_request_query(req, keys[i]);
		if (!v)
			continue;
		if (q->len)
			buf_putc(q, '&');
		buf_puts(q, keys[i]);
		buf_putc(q, '=');
		url_encode(q, v);
	}
}

void api_em_osmand(struct http_request *req, struct http_response *resp)
{
	struct em_fix fix;
	char err[160] = "";
	bool ok;
	const char *type = http_request_header(req, "Content-Type");
	if (strcmp(req->method, "POST") == 0 && req->body_len > 0) {
		bool json = (type && strstr(type, "json")) || req->body[0] == '{';
		ok = json ? osmand_decode_json(req->body, req->body_len, &fix, err, sizeof err)
		          : osmand_decode_query(req->body, req->body_len, &fix, err, sizeof err);
	} else {
		struct buf q = {0};
		osmand_query(req, &q);
		ok = osmand_decode_query(q.data ? q.data : "", q.len, &fix, err, sizeof err);
		buf_free(&q);
	}
	if (!ok) {
		text_answer(resp, 400, err[0] ? err : "the message cannot be read");
		return;
	}
	/* A message without a time (some OsmAnd clients send none) is taken as of its arrival, as the protocol means. */
	if (fix.at_ms == 0)
		fix.at_ms = clock_now_ms();
	struct ingest *ingest = ingest_of(req);
	if (!ingest) {
		text_answer(resp, 503, "this server does not take device fixes");
		return;
	}
	struct ingest_outcome out;
	ingest_submit_wait(ingest, &fix, 1, "osmand", req->remote_addr, &out);
	switch (out.result) {
	case INGEST_STORED:
		http_response_text(resp, 200, "text/plain; charset=utf-8", "", 0);
		break;
	case INGEST_UNKNOWN_DEVICE:
		text_answer(resp, 403, "unknown device");
		break;
	case INGEST_BAD:
		text_answer(resp, 400, out.reason);
		break;
	case INGEST_FAILED:
	case INGEST_BUSY:
		http_response_header(resp, "Retry-After", "5");
		text_answer(resp, 503, out.reason[0] ? out.reason : "send again later");
		break;
	}
}

/* ---- reading fixes out ------------------------------------------------------------ */

/* The fixes of an order's devices, each within its fitting's period. */
struct trail {
	struct stored_fix *items;     /* owned */
	size_t n, cap;
	size_t max;                   /* stop collecting past this many */
};

static void trail_add(void *ctx, const struct stored_fix *f)
{
	struct trail *t = ctx;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->items = xrealloc(t->items, t->cap * sizeof *t->items);
	}
	t->items[t->n++] = *f;
}

static int by_time(const void *a, const void *b)
{
	const struct stored_fix *x = a, *y = b;
	if (x->fix.at_ms != y->fix.at_ms)
		return x->fix.at_ms < y->fix.at_ms ? -1 : 1;
	return x->device_num < y->device_num ? -1 : x->device_num > y->device_num;
}

/* Collects the fixes of every fitting of order_id that overlaps [from, to), each clipped to its fitting, sorted by
 * time (at most t->max + 1 per fitting, so the caller sees that it must truncate). */
static enum db_status order_fixes(db *conn, const char *order_id, int64_t from, int64_t to, struct trail *t)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT d.num, f.fitted_at, f.removed_at FROM em_fitting f JOIN em_device d ON d.id = f.device_id"
		" WHERE f.order_id = ? AND f.fitted_at < ? AND (f.removed_at IS NULL OR f.removed_at > ?)"
		" ORDER BY f.fitted_at", "tii", order_id, to, from);
	struct { int64_t num, from, to; } spans[64];
	size_t nspans = 0;
	while (rc == DB_OK) {
		enum db_status s = db_step(st);
		if (s != DB_ROW) {
			rc = s == DB_DONE ? DB_OK : s;
			break;
		}
		if (nspans == sizeof spans / sizeof spans[0])
			continue;
		int64_t fitted = db_column_int64(st, 1);
		int64_t removed = db_column_type(st, 2) == DB_TYPE_NULL ? to : db_column_int64(st, 2);
		spans[nspans].num = db_column_int64(st, 0);
		spans[nspans].from = fitted > from ? fitted : from;
		spans[nspans].to = removed < to ? removed : to;
		nspans++;
	}
	db_finalize(&st);
	for (size_t i = 0; rc == DB_OK && i < nspans; i++) {
		size_t count = 0;
		rc = fixstore_read(conn, spans[i].num, spans[i].from, spans[i].to, t->max ? t->max + 1 : 0, trail_add, t,
		                   &count);
	}
	if (rc == DB_OK && t->n > 1)
		qsort(t->items, t->n, sizeof *t->items, by_time);
	return rc;
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *events_json(uint32_t events)
{
	json_t *a = json_array();
	for (int b = 0; b < EM_EV_COUNT; b++) {
		const char *name = (events & (1u << b)) ? em_event_name(1u << b) : NULL;
		if (name)
			json_array_append_new(a, json_string(name));
	}
	return a;
}

static json_t *time_json(int64_t ms)
{
	char s[32];
	clock_format_rfc3339(ms, s);
	return json_string(s);
}

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

void api_em_trail(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	int64_t now = clock_now_ms(), from, to;
	struct field_errors fe = {0};
	bool ok_to = time_query(req, "to", now, &to, &fe);
	bool ok_from = time_query(req, "from", (ok_to ? to : now) - DAY_MS, &from, &fe);
	if (ok_from && ok_to && to <= from)
		field_error(&fe, "to", "must be after from");
	else if (ok_from && ok_to && to - from > TRAIL_SPAN_MS)
		field_error(&fe, "to", "must be at most 7 days after from");
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) ||
	    !em_order_scope(req, resp, id, false, &ref))
		return;
	if (!ref.mode_trail) {
		api_conflict(req, resp, "trail-not-ordered", "The trail is not ordered",
		             "The decision behind this monitoring order does not order a location trail, so none is shown"
		             " (curfew and zones only).");
		return;
	}
	struct trail t = {.max = TRAIL_MAX};
	enum db_status rc = order_fixes(req->db, ref.id, from, to, &t);
	bool truncated = t.n > TRAIL_MAX;
	size_t n = truncated ? TRAIL_MAX : t.n;
	char detail[200], from_s[32], to_s[32];
	clock_format_rfc3339(from, from_s);
	clock_format_rfc3339(to, to_s);
	snprintf(detail, sizeof detail, "{\"from\":\"%s\",\"to\":\"%s\",\"fixes\":%zu}", from_s, to_s, n);
	if (rc != DB_OK || !em_scope_audit(req, &ref, AUDIT_CONSULT, "em_trail", ref.id, detail)) {
		free(t.items);
		api_db_failed(req, resp, "reading a trail");
		return;
	}
	if (!api_commit(req, resp)) {
		free(t.items);
		return;
	}
	json_t *fixes = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct stored_fix *s = &t.items[i];
		json_array_append_new(fixes, json_pack("{s:o, s:f, s:f, s:o, s:o, s:o, s:o, s:b}", "at",
		                                       time_json(s->fix.at_ms), "lat", s->fix.lat, "lon", s->fix.lon,
		                                       "accuracy_m", real_or_null(s->fix.accuracy_m), "speed_kmh",
		                                       real_or_null(s->fix.speed_kmh), "battery_pct",
		                                       s->fix.battery_pct >= 0 ? json_integer(s->fix.battery_pct)
		                                                               : json_null(),
		                                       "events", events_json(s->fix.events), "late",
		                                       (s->flags & EM_FIX_LATE) != 0));
	}
	free(t.items);
	http_response_json(resp, 200, json_pack("{s:s, s:s, s:s, s:o, s:b}", "order_id", ref.id, "from", from_s, "to",
	                                        to_s, "fixes", fixes, "truncated", truncated));
}

/* Great-circle distance in metres. */
static double distance_m(double lat1, double lon1, double lat2, double lon2)
{
	const double r = 6371008.8, rad = M_PI / 180.0;
	double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
	double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
	return 2 * r * atan2(sqrt(a), sqrt(1 - a));
}

/* The latest fix of the order's newest fitting that has one, within the last 7 days of that device's fixes. */
static enum db_status latest_fix(db *conn, const char *order_id, struct stored_fix *fix_r, bool *found_r)
{
	*found_r = false;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT d.num, f.fitted_at, f.removed_at, d.last_fix_at FROM em_fitting f JOIN em_device d ON d.id = f.device_id"
		" WHERE f.order_id = ? AND d.last_fix_at IS NOT NULL"
		" ORDER BY CASE WHEN f.removed_at IS NULL THEN 0 ELSE 1 END, f.fitted_at DESC LIMIT 8", "t", order_id);
	struct { int64_t num, from, to; } spans[8];
	size_t nspans = 0;
	while (rc == DB_OK) {
		enum db_status s = db_step(st);
		if (s != DB_ROW) {
			rc = s == DB_DONE ? DB_OK : s;
			break;
		}
		/* Up to now at least: under load the ingest writer updates em_device.last_fix_at at most once a second
		 * per device (src/em/ingest.c, DEVICE_WRITE_MS), so the newest fix may be newer than it says. */
		int64_t fitted = db_column_int64(st, 1), last = db_column_int64(st, 3) + 1, now = clock_now_ms() + 1;
		if (last < now && db_column_type(st, 2) == DB_TYPE_NULL)
			last = now;
		int64_t to = db_column_type(st, 2) == DB_TYPE_NULL || db_column_int64(st, 2) > last ? last
		                                                                                      : db_column_int64(st, 2);
		spans[nspans].num = db_column_int64(st, 0);
		spans[nspans].to = to;
		spans[nspans].from = to - TRAIL_SPAN_MS > fitted ? to - TRAIL_SPAN_MS : fitted;
		nspans++;
	}
	db_finalize(&st);
	for (size_t i = 0; rc == DB_OK && i < nspans && !*found_r; i++) {
		struct trail t = {0};
		size_t count = 0;
		rc = fixstore_read(conn, spans[i].num, spans[i].from, spans[i].to, 0, trail_add, &t, &count);
		if (rc == DB_OK && t.n) {
			*fix_r = t.items[t.n - 1];
			*found_r = true;
		}
		free(t.items);
	}
	return rc;
}

/* Whether each active zone of the order holds the position. */
static enum db_status zones_inside(db *conn, const char *order_id, double lat, double lon, json_t *out)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, shape, geojson, center_lat, center_lon, radius_m FROM em_zone WHERE order_id = ? AND status = 'active'"
		" ORDER BY created_at", "t", order_id);
	while (rc == DB_OK) {
		enum db_status s = db_step(st);
		if (s != DB_ROW) {
			rc = s == DB_DONE ? DB_OK : s;
			break;
		}
		const char *zone_id = db_column_text(st, 0, NULL), *shape = db_column_text(st, 1, NULL);
		struct geofence_zone *z = NULL;
		char err[120];
		if (shape && strcmp(shape, "circle") == 0) {
			z = geofence_circle(db_column_double(st, 3), db_column_double(st, 4), db_column_double(st, 5));
		} else {
			size_t len = 0;
			const char *geojson = db_column_text(st, 2, &len);
			z = geojson ? geofence_polygon(geojson, len, err, sizeof err) : NULL;
		}
		json_array_append_new(out, json_pack("{s:s, s:o}", "zone_id", zone_id ? zone_id : "", "inside",
		                                     z ? json_boolean(geofence_contains(z, lat, lon)) : json_null()));
		if (z)
			geofence_zone_free(z);
	}
	db_finalize(&st);
	return rc;
}

void api_em_position(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct em_order_ref ref;
	if (!api_begin(req, resp) || !em_order_scope(req, resp, id, false, &ref))
		return;
	struct stored_fix fix;
	bool found = false, has_home = false;
	double home_lat = 0, home_lon = 0, home_radius = 50;
	db_stmt *st = NULL;
	enum db_status rc = db_query(req->db, &st, "SELECT home_lat, home_lon, home_radius_m FROM em_order WHERE id = ?", "t",
	                             ref.id);
	if (rc == DB_OK && db_step(st) == DB_ROW && db_column_type(st, 0) != DB_TYPE_NULL &&
	    db_column_type(st, 1) != DB_TYPE_NULL) {
		has_home = true;
		home_lat = db_column_double(st, 0);
		home_lon = db_column_double(st, 1);
		home_radius = (double)db_column_int64(st, 2);
	}
	db_finalize(&st);
	if (rc == DB_OK)
		rc = latest_fix(req->db, ref.id, &fix, &found);
	if (rc != DB_OK) {
		api_db_failed(req, resp, "reading a position");
		return;
	}
	if (!found) {
		db_rollback(req->db);
		http_problem(resp, req, 404, "no-fix", "No position yet",
		             "No device fitted under this order has sent a position.", NULL);
		return;
	}
	/* At home means something only where a curfew is ordered (the home is its address). */
	json_t *at_home = has_home && ref.mode_curfew ? json_boolean(distance_m(fix.fix.lat, fix.fix.lon, home_lat, home_lon) <= home_radius)
	                           : json_null();
	bool curfew_only = !ref.mode_trail && !ref.mode_inclusion && !ref.mode_exclusion;
	json_t *out;
	long no_location_min = 15;
	if (setting_number(req->db, "em.no_location_min", &no_location_min) != DB_OK)
		no_location_min = 15;
	if (curfew_only) {
		out = json_pack("{s:s, s:o, s:o}", "order_id", ref.id, "at", time_json(fix.fix.at_ms), "at_home", at_home);
	} else {
		json_t *inside = json_array();
		rc = zones_inside(req->db, ref.id, fix.fix.lat, fix.fix.lon, inside);
		out = json_pack("{s:s, s:o, s:o, s:f, s:f, s:o, s:o, s:o, s:o, s:b}", "order_id", ref.id, "at",
		                time_json(fix.fix.at_ms), "received_at", time_json(fix.received_at), "lat", fix.fix.lat, "lon",
		                fix.fix.lon, "accuracy_m", real_or_null(fix.fix.accuracy_m), "battery_pct",
		                fix.fix.battery_pct >= 0 ? json_integer(fix.fix.battery_pct) : json_null(), "at_home",
		                at_home, "inside", inside, "stale",
		                clock_now_ms() - fix.fix.at_ms > (int64_t)no_location_min * 60000);
	}
	char detail[120], at_s[32];
	clock_format_rfc3339(fix.fix.at_ms, at_s);
	snprintf(detail, sizeof detail, "{\"position\":true,\"at\":\"%s\",\"coordinates\":%s}", at_s,
	         curfew_only ? "false" : "true");
	if (rc != DB_OK || !em_scope_audit(req, &ref, AUDIT_CONSULT, "em_trail", ref.id, detail)) {
		json_decref(out);
		api_db_failed(req, resp, "reading a position");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(out);
		return;
	}
	http_response_json(resp, 200, out);
}

/* ---- unknown identifiers -------------------------------------------------------------- */

void api_em_unknown_devices(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	long limit = api_limit(req, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	json_t *items = api_select(req->db,
		"SELECT identifier, protocol, first_seen_at, last_seen_at, messages, last_address FROM em_unknown_device u"
		" WHERE NOT EXISTS (SELECT 1 FROM em_device d WHERE d.identifier = u.identifier AND d.status <> 'retired')"
		" ORDER BY last_seen_at DESC, identifier LIMIT ?", "i", (int64_t)limit);
	if (!items || !api_audit_list(req, "em_unknown_device", items, NULL)) {
		json_decref(items);
		api_db_failed(req, resp, "reading unknown devices");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}
