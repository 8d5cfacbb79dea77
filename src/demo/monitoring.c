/*
 * monitoring.c — the demo's electronic monitoring (issue 7): a device
 * inventory (GT06 ankle tags with synthetic IMEIs whose check digit is right,
 * a Teltonika home unit, OsmAnd phones; some in stock, one faulty), three
 * monitoring orders on open executive cases of the Bishkek city office
 * allocated to officer.bishkek (their decisions in force get the duties the
 * orders need: electronic_monitoring and curfew, exclusion or residence), a
 * curfew 22:00-06:00 every day at a home in Bishkek, inclusion zones (city
 * districts), exclusion zones (circles named neutrally: "Restricted area 1"),
 * the devices fitted, the last 24 hours of fixes of each fitted device (one a
 * minute along Bishkek's grid of streets) written through fixstore_append as
 * the ingest writer stores them, device events, four device alerts in the
 * monitoring centre's queue raised through alert_raise with their evidence
 * and held fixes, one acknowledged by operator.centre, and a pending police
 * request by police.liaison.
 *
 * Everything is invented. Deterministic apart from "now". Runs once, after
 * demo_compliance (whose alert work would otherwise take the device alerts
 * too): a database that has monitoring orders already is left as it is.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "demo/demo.h"
#include "domain/alert_steps.h"
#include "domain/alerts.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "em/fix.h"
#include "em/fixstore.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define LOCAL_OFFSET_MIN 360   /* Asia/Bishkek, the demo's zone: UTC+6, no daylight saving time */
#define TRAIL_MIN 1440         /* a fix a minute for the last 24 hours */

/* ---- the inventory ---- */

enum { TAG1, TAG2, TAG3, HOME1, PHONE1, PHONE2, TAG4, NDEVICES };

static const struct device_def {
	const char *kind, *protocol, *model, *phone, *status, *note;
	const char *id_body;  /* 14 digits of an IMEI (the 15th is the check digit), or an OsmAnd id */
} devices[NDEVICES] = {
	{"ankle_tag", "gt06", "GT06N ankle tag (demo)", "+996 700 900 011", "assigned", NULL, "35899990000101"},
	{"ankle_tag", "gt06", "GT06N ankle tag (demo)", "+996 700 900 012", "assigned", NULL, "35899990000102"},
	{"ankle_tag", "gt06", "GT06N ankle tag (demo)", "+996 700 900 013", "in_stock", NULL, "35899990000103"},
	{"home_unit", "teltonika", "FMB920 home unit (demo)", "+996 700 900 021", "assigned", NULL, "35209310000201"},
	{"phone", "osmand", "Traccar Client on a phone (demo)", "+996 555 900 031", "assigned", NULL, "kadam-demo-phone-1"},
	{"phone", "osmand", "Traccar Client on a phone (demo)", "+996 555 900 032", "in_stock", NULL, "kadam-demo-phone-2"},
	{"ankle_tag", "gt06", "GT06N ankle tag (demo)", "+996 700 900 014", "faulty",
	 "Strap clip cracked; returned to the supplier", "35899990000104"},
};

/* The IMEI's check digit (Luhn over the 14 digits). */
static char luhn_digit(const char *body)
{
	int sum = 0;
	for (int i = 0; i < 14; i++) {
		int d = body[i] - '0';
		if (i % 2 == 1) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

static void identifier_of(const struct device_def *d, char out[EM_ID_MAX + 1])
{
	if (strcmp(d->protocol, "osmand") == 0)
		snprintf(out, EM_ID_MAX + 1, "%s", d->id_body);
	else
		snprintf(out, EM_ID_MAX + 1, "%s%c", d->id_body, luhn_digit(d->id_body));
}

/* ---- the orders and their people's days ---- */

/* A key point of a day: at local minute `at` the person is at (lat, lon); between two key points they go along the
 * streets (first east-west, then north-south). */
struct key {
	int at;
	double lat, lon;
};

static const struct order_def {
	bool curfew, inclusion, exclusion, trail;
	const char *needs;           /* duties the decision must carry */
	const char *address;
	double home_lat, home_lon;
	const char *household;
	int tag, home_unit;          /* device indexes (-1: none) */
	struct key day[10];
	int nkeys;
} orders[3] = {
	{true, true, false, true, "electronic_monitoring,curfew,residence",
	 "г. Бишкек, ул. Киевская, 120, кв. 14 (demo)", 42.8790, 74.6040,
	 "Lives with a partner and two school-age children; the curfew keeps the evenings at home, the home unit sits "
	 "in the hall and the family was told how it works.",
	 TAG1, HOME1,
	 {{0, 42.8790, 74.6040}, {480, 42.8790, 74.6040}, {520, 42.8770, 74.5880}, {1050, 42.8770, 74.5880},
	  {1080, 42.8800, 74.6150}, {1110, 42.8800, 74.6150}, {1140, 42.8790, 74.6040}, {1385, 42.8790, 74.6040},
	  {1400, 42.8760, 74.6100}, {1425, 42.8790, 74.6040}},
	 10},
	{true, false, true, false, "electronic_monitoring,curfew,exclusion",
	 "г. Бишкек, мкр. Джал, 23, кв. 5 (demo)", 42.8420, 74.5870,
	 "Lives alone; an elderly parent visits on Sundays. The curfew does not change anyone else's day.",
	 TAG2, -1,
	 {{0, 42.8420, 74.5870}, {540, 42.8420, 74.5870}, {570, 42.8600, 74.6100}, {780, 42.8600, 74.6100},
	  {816, 42.8530, 74.5960}, {822, 42.8530, 74.5960}, {850, 42.8420, 74.5870}},
	 7},
	{false, true, true, true, "electronic_monitoring,residence,exclusion",
	 "г. Бишкек, ул. Ахунбаева, 160, кв. 33 (demo)", 42.8650, 74.6350,
	 "Lives with parents and a younger brother; the phone is the person's own and stays with them.",
	 PHONE1, -1,
	 {{0, 42.8650, 74.6350}, {600, 42.8650, 74.6350}, {630, 42.8500, 74.6500}, {960, 42.8500, 74.6500},
	  {1000, 42.8650, 74.6350}},
	 5},
};

/* Zones, by order: polygons as GeoJSON (lon, lat), circles as centre and radius. */
static const struct zone_def {
	int order;
	const char *kind, *name, *geojson;
	double lat, lon, radius;
	int buffer;
} zones[] = {
	{0, "inclusion", "Home district",
	 "{\"type\":\"Polygon\",\"coordinates\":[[[74.5700,42.8550],[74.6200,42.8530],[74.6420,42.8650],"
	 "[74.6400,42.9000],[74.5900,42.9020],[74.5680,42.8800],[74.5700,42.8550]]]}",
	 0, 0, 0, 100},
	{1, "exclusion", "Restricted area 1", NULL, 42.8530, 74.5960, 350, 300},
	{2, "inclusion", "City district",
	 "{\"type\":\"Polygon\",\"coordinates\":[[[74.6000,42.8300],[74.6800,42.8320],[74.6850,42.8700],"
	 "[74.6600,42.8880],[74.6050,42.8850],[74.6000,42.8300]]]}",
	 0, 0, 0, 150},
	{2, "exclusion", "Restricted area 2", NULL, 42.8720, 74.6600, 250, 250},
};

/* ---- small helpers ---- */

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* A small offset of about +-scale degrees, the same for the same (device, minute). */
static double jitter(int device, int64_t minute, int salt, double scale)
{
	uint64_t h = mix((uint64_t)device * 1000003ULL + (uint64_t)minute * 7919ULL + (uint64_t)salt);
	return ((double)(h % 20001) / 10000.0 - 1.0) * scale;
}

static enum db_status text_of(db *conn, const char *sql, const char *arg, char *out, size_t cap)
{
	db_stmt *st = NULL;
	out[0] = '\0';
	enum db_status rc = arg ? db_query(conn, &st, sql, "t", arg) : db_query(conn, &st, sql, "");
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		const char *v = db_column_text(st, 0, NULL);
		snprintf(out, cap, "%s", v ? v : "");
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* Where a person is at local minute m of the day, along the streets between key points. */
static void position_at(const struct order_def *o, double m, double *lat_r, double *lon_r)
{
	const struct key *k = o->day;
	int i = 0;
	while (i + 1 < o->nkeys && k[i + 1].at <= m)
		i++;
	if (i + 1 >= o->nkeys) {
		*lat_r = k[i].lat;
		*lon_r = k[i].lon;
		return;
	}
	/* From key i's time to the next key's, the person goes from key i's place to the next one's (the same place:
	 * a stay), at an even pace. */
	double f = (m - k[i].at) / (double)(k[i + 1].at - k[i].at);
	double dlon = (k[i + 1].lon - k[i].lon) * cos(42.87 * M_PI / 180), dlat = k[i + 1].lat - k[i].lat;
	double total = fabs(dlon) + fabs(dlat);
	if (total < 1e-9) {
		*lat_r = k[i].lat;
		*lon_r = k[i].lon;
		return;
	}
	double along = f * total;
	if (along <= fabs(dlon)) {
		*lat_r = k[i].lat;
		*lon_r = k[i].lon + (k[i + 1].lon - k[i].lon) * (along / fabs(dlon));
	} else {
		*lon_r = k[i + 1].lon;
		*lat_r = k[i].lat + dlat * ((along - fabs(dlon)) / fabs(dlat));
	}
}

static double metres(double lat1, double lon1, double lat2, double lon2)
{
	double dy = (lat2 - lat1) * 111320.0, dx = (lon2 - lon1) * 111320.0 * cos(lat1 * M_PI / 180);
	return sqrt(dx * dx + dy * dy);
}

/* The local minute of the day of an instant. */
static int local_minute(int64_t at)
{
	return (int)((((at / MIN_MS) + LOCAL_OFFSET_MIN) % 1440 + 1440) % 1440);
}

/* ---- the run ---- */

struct run {
	db *conn;
	int64_t now, day0;               /* day0: the first fix's time (now - 24 h, on the minute) */
	char officer[UUID_STR_LEN], head[UUID_STR_LEN], operator_[UUID_STR_LEN], police[UUID_STR_LEN];
	char police_agency[UUID_STR_LEN];
	char device_id[NDEVICES][UUID_STR_LEN];
	int64_t device_num[NDEVICES];
	char identifier[NDEVICES][EM_ID_MAX + 1];
	/* Cases 0-2 get the orders; case 3, when there is one, only a decision ready for an order (for trying the form). */
	char case_id[4][UUID_STR_LEN], decision_id[4][UUID_STR_LEN], order_id[3][UUID_STR_LEN];
	struct stored_fix *trail[NDEVICES];  /* TRAIL_MIN fixes of each fitted device */
	struct demo_monitoring_counts *n;
};

static enum db_status add_devices(struct run *r)
{
	enum db_status rc = DB_OK;
	for (int i = 0; rc == DB_OK && i < NDEVICES; i++) {
		const struct device_def *d = &devices[i];
		uuid_v7(r->device_id[i]);
		identifier_of(d, r->identifier[i]);
		char num[24];
		rc = text_of(r->conn, "SELECT COALESCE(MAX(num), 0) + 1 FROM em_device", NULL, num, sizeof num);
		r->device_num[i] = atoll(num);
		if (rc == DB_OK)
			rc = db_run(r->conn, NULL,
			            "INSERT INTO em_device (id, num, kind, identifier, protocol, model, phone_number, status, note,"
			            " created_at, created_by, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
			            "titttttttiti", r->device_id[i], r->device_num[i], d->kind, r->identifier[i], d->protocol,
			            d->model, d->phone, d->status, d->note, r->now - 40 * DAY_MS, r->head, r->now - 40 * DAY_MS);
		r->n->devices += rc == DB_OK;
	}
	return rc;
}

/* The cases: open executive cases of the Bishkek city office allocated to officer.bishkek with a decision in
 * force (those whose decision orders electronic monitoring first), three different ones, and a fourth if there is
 * one. */
static enum db_status pick_cases(struct run *r, int *found_r)
{
	db_stmt *st = NULL;
	*found_r = 0;
	enum db_status rc = db_query(r->conn, &st,
		"SELECT c.id, d.id FROM case_file c JOIN unit u ON u.id = c.unit_id JOIN decision d ON d.case_id = c.id"
		" AND d.status = 'in_force' WHERE u.name = 'Bishkek city office' AND c.officer_id = ? AND c.status = 'open'"
		" AND c.kind = 'executive' ORDER BY CASE WHEN d.duties LIKE '%electronic_monitoring%' THEN 0 ELSE 1 END,"
		" c.number, d.created_at DESC, d.id", "t", r->officer);
	while (rc == DB_OK && *found_r < 4 && (rc = db_step(st)) == DB_ROW) {
		const char *c = db_column_text(st, 0, NULL), *d = db_column_text(st, 1, NULL);
		bool seen = false;
		for (int i = 0; i < *found_r; i++)
			seen |= strcmp(r->case_id[i], c) == 0;
		if (!seen) {
			snprintf(r->case_id[*found_r], UUID_STR_LEN, "%s", c);
			snprintf(r->decision_id[*found_r], UUID_STR_LEN, "%s", d);
			(*found_r)++;
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE || rc == DB_ROW ? DB_OK : rc;
}

/* The decision carries the duties the order needs (S23): those missing are added, as if ordered from the start. */
static enum db_status ensure_duties(struct run *r, int k, const char *wanted)
{
	char duties[400];
	enum db_status rc = text_of(r->conn, "SELECT duties FROM decision WHERE id = ?", r->decision_id[k], duties,
	                            sizeof duties);
	char needs[128];
	snprintf(needs, sizeof needs, "%s", wanted);
	bool changed = false;
	for (char *save = NULL, *d = strtok_r(needs, ",", &save); rc == DB_OK && d; d = strtok_r(NULL, ",", &save)) {
		char padded[420], want[64];
		snprintf(padded, sizeof padded, ",%s,", duties);
		snprintf(want, sizeof want, ",%s,", d);
		if (strstr(padded, want))
			continue;
		size_t len = strlen(duties);
		snprintf(duties + len, sizeof duties - len, "%s%s", len ? "," : "", d);
		changed = true;
	}
	if (rc == DB_OK && changed)
		rc = db_run(r->conn, NULL, "UPDATE decision SET duties = ?, version = version + 1 WHERE id = ?", "tt", duties,
		            r->decision_id[k]);
	return rc;
}

static enum db_status add_order(struct run *r, int k, const char *starts_on, const char *ends_on)
{
	const struct order_def *o = &orders[k];
	uuid_v7(r->order_id[k]);
	int64_t created = r->now - 20 * DAY_MS;
	enum db_status rc = ensure_duties(r, k, orders[k].needs);
	if (rc == DB_OK)
		rc = db_run(r->conn, NULL,
		            "INSERT INTO em_order (id, case_id, decision_id, mode_curfew, mode_inclusion, mode_exclusion,"
		            " mode_trail, starts_on, ends_on, home_address, home_lat, home_lon, home_radius_m, household_effect,"
		            " curfew_grace_min, status, rules_version, created_at, created_by, updated_at, version)"
		            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 50, ?, 10, 'active', 1, ?, ?, ?, 1)",
		            "tttiiiitttddtiti", r->order_id[k], r->case_id[k], r->decision_id[k], (int64_t)o->curfew,
		            (int64_t)o->inclusion, (int64_t)o->exclusion, (int64_t)o->trail, starts_on, ends_on, o->address,
		            o->home_lat, o->home_lon, o->household, created, r->officer, created);
	if (rc == DB_OK)
		rc = case_event_add(r->conn, r->case_id[k], created, "em.order_created", r->officer,
		                    "Electronic monitoring order recorded", "{\"demo\":true}", "em_order", r->order_id[k]);
	if (rc == DB_OK && o->curfew) {
		char window[UUID_STR_LEN];
		uuid_v7(window);
		rc = db_run(r->conn, NULL,
		            "INSERT INTO em_curfew_window (id, order_id, days, start_time, end_time) VALUES (?, ?,"
		            " 'MO,TU,WE,TH,FR,SA,SU', '22:00', '06:00')", "tt", window, r->order_id[k]);
	}
	r->n->orders += rc == DB_OK;
	for (size_t z = 0; rc == DB_OK && z < COUNT(zones); z++) {
		if (zones[z].order != k)
			continue;
		char id[UUID_STR_LEN];
		uuid_v7(id);
		if (zones[z].geojson)
			rc = db_run(r->conn, NULL,
			            "INSERT INTO em_zone (id, order_id, kind, name, shape, geojson, buffer_m, status, created_at,"
			            " created_by, updated_at, version) VALUES (?, ?, ?, ?, 'polygon', ?, ?, 'active', ?, ?, ?, 1)",
			            "tttttiiti", id, r->order_id[k], zones[z].kind, zones[z].name, zones[z].geojson,
			            (int64_t)zones[z].buffer, created, r->officer, created);
		else
			rc = db_run(r->conn, NULL,
			            "INSERT INTO em_zone (id, order_id, kind, name, shape, center_lat, center_lon, radius_m,"
			            " buffer_m, status, created_at, created_by, updated_at, version) VALUES (?, ?, ?, ?, 'circle',"
			            " ?, ?, ?, ?, 'active', ?, ?, ?, 1)",
			            "ttttdddiiti", id, r->order_id[k], zones[z].kind, zones[z].name, zones[z].lat, zones[z].lon,
			            zones[z].radius, (int64_t)zones[z].buffer, created, r->officer, created);
		r->n->zones += rc == DB_OK;
	}
	int fitted[2] = {o->tag, o->home_unit};
	for (int f = 0; rc == DB_OK && f < 2; f++) {
		if (fitted[f] < 0)
			continue;
		char id[UUID_STR_LEN];
		uuid_v7(id);
		rc = db_run(r->conn, NULL,
		            "INSERT INTO em_fitting (id, order_id, device_id, fitted_at, fitted_by, fit_note, version)"
		            " VALUES (?, ?, ?, ?, ?, ?, 1)",
		            "tttitt", id, r->order_id[k], r->device_id[fitted[f]], created + 3600000, r->operator_,
		            f == 0 ? "Fitted at the probation office; strap checked" : "Installed at the home address");
		if (rc == DB_OK)
			rc = case_event_add(r->conn, r->case_id[k], created + 3600000, "em.device_fitted", r->operator_,
			                    "Monitoring device fitted", "{\"demo\":true}", "em_fitting", id);
		r->n->fittings += rc == DB_OK;
	}
	return rc;
}

/* The device's fixes for the last 24 hours: where its person is each minute (a home unit: at home). */
static enum db_status add_trail(struct run *r, int k, int device, bool home_unit)
{
	const struct order_def *o = &orders[k];
	struct stored_fix *t = calloc(TRAIL_MIN, sizeof *t);
	r->trail[device] = t;
	for (int i = 0; i < TRAIL_MIN; i++) {
		int64_t at = r->day0 + (int64_t)i * MIN_MS + (device * 7 % 50) * 1000;
		int m = local_minute(at);
		double lat = o->home_lat, lon = o->home_lon;
		if (!home_unit)
			position_at(o, m, &lat, &lon);
		struct stored_fix *s = &t[i];
		s->device_num = r->device_num[device];
		s->received_at = at + 1500 + (int64_t)(fabs(jitter(device, i, 3, 1.0)) * 2000);
		s->flags = 0;
		em_fix_init(&s->fix);
		s->fix.at_ms = at;
		s->fix.has_location = true;
		s->fix.valid = true;
		s->fix.lat = lat + jitter(device, i, 1, home_unit ? 0.00002 : 0.00006);
		s->fix.lon = lon + jitter(device, i, 2, home_unit ? 0.00002 : 0.00006);
		s->fix.accuracy_m = home_unit ? 8 : 6 + fabs(jitter(device, i, 4, 10));
		double prev_lat = lat, prev_lon = lon;
		if (!home_unit)
			position_at(o, m > 0 ? m - 1 : 0, &prev_lat, &prev_lon);
		s->fix.speed_kmh = home_unit ? 0 : metres(prev_lat, prev_lon, lat, lon) * 60 / 1000;
		s->fix.satellites = 7 + (int)fabs(jitter(device, i, 5, 4));
		s->fix.battery_pct = home_unit ? 100 : 95 - i * 40 / TRAIL_MIN;
		if (device == PHONE1)
			s->fix.battery_pct = m >= 1290 ? 60 : 95 - i * 80 / TRAIL_MIN;
		s->fix.events = 0;
	}
	enum db_status rc = fixstore_append(r->conn, t, TRAIL_MIN);
	r->n->fixes += rc == DB_OK ? TRAIL_MIN : 0;
	const struct stored_fix *last = &t[TRAIL_MIN - 1];
	if (rc == DB_OK)
		rc = db_run(r->conn, NULL,
		            "UPDATE em_device SET last_seen_at = ?, last_fix_at = ?, battery_pct = ?, updated_at = ? WHERE id = ?",
		            "iiiit", last->received_at, last->fix.at_ms, (int64_t)last->fix.battery_pct, r->now,
		            r->device_id[device]);
	return rc;
}

/* The index of the trail's fix at a local minute of the day. */
static int index_at(const struct run *r, int minute)
{
	int first = local_minute(r->day0);
	return ((minute - first) % 1440 + 1440) % 1440;
}

static enum db_status device_event(struct run *r, int device, int i, const char *event, const char *alert_id)
{
	const struct stored_fix *s = &r->trail[device][i];
	char id[UUID_STR_LEN];
	uuid_v7(id);
	enum db_status rc = db_run(r->conn, NULL,
	                           "INSERT INTO em_device_event (id, device_num, at, received_at, event, lat, lon, alert_id)"
	                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                           "tiiitddt", id, s->device_num, s->fix.at_ms, s->received_at, event, s->fix.lat, s->fix.lon,
	                           alert_id);
	r->n->events += rc == DB_OK;
	return rc;
}

/* Raises a device alert as the evaluator does: evidence with up to 10 fixes before and those during [from, to]
 * (trail indexes), the fixes held past retention, and the event recorded (event NULL: a zone or curfew alert). */
static enum db_status raise(struct run *r, int k, int device, const char *rule, const char *summary, int from, int to,
                            const char *zone_name, double distance, const char *event, char id_r[UUID_STR_LEN])
{
	const struct stored_fix *t = r->trail[device];
	struct buf ev = {0};
	buf_printf(&ev, "{\"order_id\":\"%s\",\"device_id\":\"%s\",", r->order_id[k], r->device_id[device]);
	if (zone_name) {
		char zone[UUID_STR_LEN];
		enum db_status zr = text_of(r->conn, "SELECT id FROM em_zone WHERE name = ? ORDER BY created_at", zone_name,
		                            zone, sizeof zone);
		if (zr != DB_OK) {
			buf_free(&ev);
			return zr;
		}
		buf_printf(&ev, "\"zone_id\":\"%s\",", zone);
	}
	buf_puts(&ev, "\"fixes\":[");
	int start = from - 10 < 0 ? 0 : from - 10;
	for (int i = start; i <= to; i++)
		buf_printf(&ev, "%s{\"at\":%lld,\"lat\":%.6f,\"lon\":%.6f,\"accuracy_m\":%.1f}", i > start ? "," : "",
		           (long long)t[i].fix.at_ms, t[i].fix.lat, t[i].fix.lon, t[i].fix.accuracy_m);
	buf_printf(&ev, "],\"distance_m\":%.0f,\"started_at\":%lld}", distance, (long long)t[from].fix.at_ms);
	char dedupe[128];
	snprintf(dedupe, sizeof dedupe, "em:%s:%s:%lld", rule, r->order_id[k], (long long)t[from].fix.at_ms);
	struct alert_new a = {.case_id = r->case_id[k], .rule_code = rule, .source = "device", .dedupe_key = dedupe,
	                      .summary = summary, .evidence = ev.data};
	bool created = false;
	int64_t raised = t[from].received_at + 800;
	enum db_status rc = alert_raise(r->conn, &a, raised, id_r, &created);
	buf_free(&ev);
	if (rc == DB_OK)
		rc = fixstore_hold(r->conn, t[from].device_num, t[start].fix.at_ms, t[to].fix.at_ms + 1, id_r, raised);
	if (rc == DB_OK && event)
		rc = device_event(r, device, from, event, id_r);
	r->n->alerts += rc == DB_OK && created;
	return rc;
}

static enum db_status add_alerts(struct run *r)
{
	char id[UUID_STR_LEN];
	/* Order 1: away from home from 23:05 to 23:40 during the curfew (after the 10-minute grace). */
	int from = index_at(r, 1385), to = index_at(r, 1420);
	if (to < from)
		to = from + 5 < TRAIL_MIN ? from + 5 : TRAIL_MIN - 1;
	enum db_status rc = raise(r, 0, TAG1, "em.curfew_absence", "Away from home during curfew for 35 min", from, to,
	                          NULL, 520, NULL, id);
	/* Order 1's tag: strap tamper at 14:12, at work. */
	if (rc == DB_OK)
		rc = raise(r, 0, TAG1, "em.strap_tamper", "Strap tamper reported by the ankle tag", index_at(r, 852),
		           index_at(r, 852), NULL, 0, "strap_tamper", id);
	/* Order 2: into exclusion zone 'Restricted area 1' from 13:30 to 13:46; acknowledged by the centre. */
	if (rc == DB_OK) {
		from = index_at(r, 810);
		to = index_at(r, 826);
		if (to < from)
			to = from;
		rc = raise(r, 1, TAG2, "em.exclusion_entry", "Entered exclusion zone 'Restricted area 1' for 16 min", from, to,
		           "Restricted area 1", -85, NULL, id); /* 85 m inside (signed: negative inside, as the evaluator writes it) */
		if (rc == DB_OK)
			rc = alert_acknowledge(r->conn, id, r->operator_, r->trail[TAG2][to].received_at + 95000);
		r->n->acknowledged += rc == DB_OK;
	}
	/* Order 3's phone: battery low at 20:40, then charging. */
	if (rc == DB_OK)
		rc = raise(r, 2, PHONE1, "em.battery_low", "Battery low on the monitoring phone (18%)", index_at(r, 1240),
		           index_at(r, 1240), NULL, 0, "battery_low", id);
	if (rc == DB_OK)
		rc = device_event(r, PHONE1, index_at(r, 1290), "charging", NULL);
	/* The home unit: a short power cut at night and its restoration (within the unit's battery time). */
	if (rc == DB_OK)
		rc = device_event(r, HOME1, index_at(r, 190), "power_cut", NULL);
	if (rc == DB_OK)
		rc = device_event(r, HOME1, index_at(r, 194), "power_restored", NULL);
	return rc;
}

static enum db_status add_police_request(struct run *r)
{
	char id[UUID_STR_LEN];
	uuid_v7(id);
	enum db_status rc = db_run(r->conn, NULL,
		"INSERT INTO em_police_request (id, order_id, requested_by, requested_at, agency_id, legal_basis, reason,"
		" from_at, to_at, status, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 1)",
		"tttitttii", id, r->order_id[0], r->police, r->now - 3 * 3600000, r->police_agency,
		"Criminal Procedure Code of the Kyrgyz Republic, art. 182 (example); criminal case No. 02-118/26 (demo)",
		"A burglary near the person's home address is under investigation; the trail of that evening is asked for"
		" to include or exclude the person.",
		r->day0, r->day0 + 12 * 3600000);
	r->n->police_requests += rc == DB_OK;
	return rc;
}

enum db_status demo_monitoring(db *conn, struct demo_monitoring_counts *counts_r, char **error_r)
{
	memset(counts_r, 0, sizeof *counts_r);
	struct run r = {.conn = conn, .now = clock_now_ms(), .n = counts_r};
	r.day0 = (r.now / MIN_MS) * MIN_MS - DAY_MS;
	char existing[24];
	enum db_status rc = db_begin(conn);
	if (rc == DB_OK)
		rc = text_of(conn, "SELECT COUNT(*) FROM em_order", NULL, existing, sizeof existing);
	if (rc == DB_OK && atol(existing) > 0) {
		db_rollback(conn);
		return DB_OK;
	}
	if (rc == DB_OK)
		rc = text_of(conn, "SELECT id FROM account WHERE login = ?", "officer.bishkek", r.officer, sizeof r.officer);
	if (rc == DB_OK)
		rc = text_of(conn, "SELECT id FROM account WHERE login = ?", "head.bishkek", r.head, sizeof r.head);
	if (rc == DB_OK)
		rc = text_of(conn, "SELECT id FROM account WHERE login = ?", "operator.centre", r.operator_,
		             sizeof r.operator_);
	if (rc == DB_OK)
		rc = text_of(conn, "SELECT id FROM account WHERE login = ?", "police.liaison", r.police, sizeof r.police);
	if (rc == DB_OK)
		rc = text_of(conn, "SELECT agency_id FROM account WHERE login = ?", "police.liaison", r.police_agency,
		             sizeof r.police_agency);
	int found = 0;
	if (rc == DB_OK && r.officer[0] && r.head[0] && r.operator_[0] && r.police[0])
		rc = pick_cases(&r, &found);
	if (rc != DB_OK || found < 3) {
		/* No demo cases to monitor (or the accounts are missing): nothing to add. */
		if (rc != DB_OK)
			*error_r = xasprintf("monitoring demo data: %s", db_errmsg(conn));
		db_rollback(conn);
		return rc;
	}
	char starts_on[11], ends_on[11];
	struct civil_date epoch = {1970, 1, 1};
	civil_date_format(civil_date_add_days(epoch, (int)((r.now + LOCAL_OFFSET_MIN * MIN_MS) / DAY_MS) - 20), starts_on);
	civil_date_format(civil_date_add_days(epoch, (int)((r.now + LOCAL_OFFSET_MIN * MIN_MS) / DAY_MS) + 160), ends_on);
	rc = add_devices(&r);
	for (int k = 0; rc == DB_OK && k < 3; k++)
		rc = add_order(&r, k, starts_on, ends_on);
	/* A fourth case whose decision orders every mode, with no order yet: where the officer tries "Order
	 * monitoring" on the case page. */
	if (rc == DB_OK && found == 4)
		rc = ensure_duties(&r, 3, "electronic_monitoring,curfew,exclusion,residence");
	for (int k = 0; rc == DB_OK && k < 3; k++) {
		rc = add_trail(&r, k, orders[k].tag, false);
		if (rc == DB_OK && orders[k].home_unit >= 0)
			rc = add_trail(&r, k, orders[k].home_unit, true);
	}
	if (rc == DB_OK)
		rc = add_alerts(&r);
	if (rc == DB_OK)
		rc = add_police_request(&r);
	if (rc == DB_OK) {
		char detail[200];
		snprintf(detail, sizeof detail, "demo monitoring: %ld devices, %ld orders, %ld zones, %ld fixes, %ld alerts",
		         counts_r->devices, counts_r->orders, counts_r->zones, counts_r->fixes, counts_r->alerts);
		struct audit_entry e = {.actor_login = "kadam demo (command line)", .action = AUDIT_COLLECT,
		                        .record_type = "em_order", .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
		rc = audit_append(conn, &e);
	}
	for (int i = 0; i < NDEVICES; i++)
		free(r.trail[i]);
	if (rc == DB_OK)
		rc = db_commit(conn);
	if (rc != DB_OK) {
		*error_r = xasprintf("monitoring demo data: %s", db_errmsg(conn));
		db_rollback(conn);
	}
	return rc;
}
