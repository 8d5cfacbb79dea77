/*
 * osmand.c — the OsmAnd protocol as Traccar defines it: a query string
 * (GET or a form body) and the JSON body of the Traccar Client app. Pure.
 *
 * Query keys: id or deviceid; lat and lon, or location=lat,lon; timestamp (unix seconds, ms, or ISO 8601 with a
 * zone, or "YYYY-MM-DD hh:mm:ss" taken as UTC); speed (knots -> km/h); bearing or heading; altitude; accuracy
 * (metres) or else hdop (accuracy = HDOP * 5); batt or battery (%); charge (true/1 -> charging); valid (false/0:
 * not a real GNSS fix); alarm (a comma-separated list: sos -> sos, tamper -> strap_tamper, removing ->
 * strap_removed, lowBattery and lowPower -> battery_low, powerCut -> power_cut, powerRestored -> power_restored,
 * and Kadam's own event names). Other keys are ignored. A message without a timestamp gets at_ms 0 (the caller
 * uses the time of receipt); one without a position and without events is a heartbeat.
 *
 * JSON (Traccar Client): {"device_id", "location": {"timestamp", "coords": {"latitude", "longitude", "accuracy",
 * "speed" (m/s), "heading", "altitude"}, "is_moving", "event", "battery": {"level" 0..1, "is_charging"},
 * "activity", "mock"}}; negative speed, heading or accuracy and a level of -1 mean unknown; "mock": true (a
 * location faked by an app) makes the fix not valid; event "heartbeat" -> heartbeat.
 */
#include "em/protocols/osmand.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"

#define OSMAND_MAX_QUERY 8192
#define OSMAND_MAX_BODY 65536
#define KEY_MAX 32
#define VALUE_MAX 256

/* Percent-decodes src[0..n) into out (with '+' as a space); false when it does not fit or has a NUL or a bad escape. */
static bool url_decode(const char *src, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)src[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (i + 2 >= n)
				return false;
			int v = 0;
			for (int k = 1; k <= 2; k++) {
				int h = (unsigned char)src[i + (size_t)k];
				v = v * 16 + (h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
				              : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1000);
			}
			if (v < 0)
				return false;
			c = v;
			i += 2;
		}
		if (c == 0 || o + 1 >= cap)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

static bool parse_number(const char *s, double *v_r)
{
	if (!*s)
		return false;
	char *end;
	double v = strtod(s, &end);
	if (*end || !isfinite(v))
		return false;
	*v_r = v;
	return true;
}

/* "2016-01-27T18:55:47Z", "...+06:00", "2025-06-15T13:45:12.862Z", "2014-06-04 09:10:11" (UTC), or digits: seconds
 * below 10^11, else milliseconds. */
static bool parse_time(const char *s, int64_t *ms_r)
{
	size_t n = strlen(s);
	if (n == 0)
		return false;
	if (strspn(s, "0123456789") == n) {
		if (n > 15)
			return false;
		long long v = strtoll(s, NULL, 10);
		*ms_r = v < 100000000000LL ? v * 1000 : v;
		return true;
	}
	if (n < 19 || n > 40)
		return false;
	char t[48];
	memcpy(t, s, n + 1);
	if (t[10] == ' ')
		t[10] = 'T';
	if (n == 19 || (n > 20 && t[19] == '.' && strspn(t + 20, "0123456789") == n - 20)) {
		t[n] = 'Z'; /* no zone: UTC */
		t[n + 1] = '\0';
	}
	return clock_parse_rfc3339(t, ms_r);
}

static uint32_t alarm_bits(const char *list)
{
	static const struct { const char *name; uint32_t bit; } names[] = {
		{"sos", EM_EV_SOS},
		{"tamper", EM_EV_STRAP_TAMPER},
		{"removing", EM_EV_STRAP_REMOVED},
		{"lowBattery", EM_EV_BATTERY_LOW},
		{"lowPower", EM_EV_BATTERY_LOW},
		{"powerCut", EM_EV_POWER_CUT},
		{"powerRestored", EM_EV_POWER_RESTORED},
	};
	uint32_t bits = 0;
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		char one[40];
		if (n > 0 && n < sizeof one) {
			memcpy(one, p, n);
			one[n] = '\0';
			uint32_t b = em_event_bit(one);
			for (size_t i = 0; !b && i < sizeof names / sizeof names[0]; i++)
				if (strcmp(one, names[i].name) == 0)
					b = names[i].bit;
			bits |= b;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return bits;
}

static bool set_device(struct em_fix *f, const char *v, const char *key, char *err, size_t cap)
{
	size_t n = strlen(v);
	if (n == 0 || n > EM_ID_MAX) {
		snprintf(err, cap, "%s: must be 1 to %d characters", key, EM_ID_MAX);
		return false;
	}
	memcpy(f->device, v, n + 1);
	return true;
}

static bool truthy(const char *v)
{
	return strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

/* Applies one decoded key and value to the fix. */
static bool query_pair(struct em_fix *f, const char *k, const char *v, bool *lat_r, bool *lon_r, double *hdop_r,
                       char *err, size_t cap)
{
	double x = 0;
	bool num = parse_number(v, &x);
	if (strcmp(k, "id") == 0 || strcmp(k, "deviceid") == 0)
		return set_device(f, v, k, err, cap);
	if (strcmp(k, "timestamp") == 0) {
		if (!parse_time(v, &f->at_ms)) {
			snprintf(err, cap, "timestamp: not unix seconds, milliseconds or an ISO 8601 time");
			return false;
		}
		return true;
	}
	if (strcmp(k, "location") == 0) {
		const char *comma = strchr(v, ',');
		char a[VALUE_MAX];
		if (!comma || (size_t)(comma - v) >= sizeof a) {
			snprintf(err, cap, "location: expected lat,lon");
			return false;
		}
		memcpy(a, v, (size_t)(comma - v));
		a[comma - v] = '\0';
		if (!parse_number(a, &f->lat) || !parse_number(comma + 1, &f->lon)) {
			snprintf(err, cap, "location: expected lat,lon");
			return false;
		}
		*lat_r = *lon_r = true;
		return true;
	}
	if (strcmp(k, "alarm") == 0) {
		f->events |= alarm_bits(v);
		return true;
	}
	if (strcmp(k, "charge") == 0) {
		if (truthy(v))
			f->events |= EM_EV_CHARGING;
		return true;
	}
	if (strcmp(k, "valid") == 0) {
		f->valid = truthy(v);
		return true;
	}
	static const char *const numeric[] = {"lat", "lon", "speed", "bearing", "heading", "altitude", "accuracy",
	                                      "hdop", "batt", "battery"};
	size_t which = sizeof numeric / sizeof numeric[0];
	for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++)
		if (strcmp(k, numeric[i]) == 0)
			which = i;
	if (which == sizeof numeric / sizeof numeric[0])
		return true; /* a key Kadam does not use (cell, wifi, ignition ...) */
	if (!num) {
		snprintf(err, cap, "%s: not a number", k);
		return false;
	}
	switch (which) {
	case 0: f->lat = x; *lat_r = true; break;
	case 1: f->lon = x; *lon_r = true; break;
	case 2: f->speed_kmh = x * 1.852; break;
	case 3:
	case 4: f->course_deg = x; break;
	case 5: f->altitude_m = x; break;
	case 6: f->accuracy_m = x; break;
	case 7: *hdop_r = x; break;
	default:
		if (x < 0 || x > 100) {
			snprintf(err, cap, "%s: must be a percentage from 0 to 100", k);
			return false;
		}
		f->battery_pct = (int)lround(x);
		break;
	}
	return true;
}

/* What both forms do last: the position's presence and the heartbeat. */
static bool finish(struct em_fix *f, bool lat, bool lon, char *err, size_t cap)
{
	if (f->device[0] == '\0') {
		snprintf(err, cap, "id: missing (the device's identifier)");
		return false;
	}
	if (lat != lon) {
		snprintf(err, cap, lat ? "lon: missing (lat was sent)" : "lat: missing (lon was sent)");
		return false;
	}
	f->has_location = lat && lon;
	if (!f->has_location) {
		f->lat = f->lon = 0;
		f->valid = false;
		if (!f->events)
			f->events = EM_EV_HEARTBEAT;
	}
	return true;
}

bool osmand_decode_query(const char *query, size_t len, struct em_fix *fix_r, char *err, size_t cap)
{
	if (len > OSMAND_MAX_QUERY) {
		snprintf(err, cap, "query: longer than %d bytes", OSMAND_MAX_QUERY);
		return false;
	}
	/* A URL or path before the query ("/?id=..") is skipped: a '?' before the first '='. */
	const char *q = memchr(query, '?', len), *first_eq = memchr(query, '=', len);
	const char *p = q && (!first_eq || q < first_eq) ? q + 1 : query, *end = query + len;
	struct em_fix f;
	em_fix_init(&f);
	f.valid = true;
	bool lat = false, lon = false;
	double hdop = NAN;
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *stop = amp ? amp : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (stop > p) {
			char k[KEY_MAX], v[VALUE_MAX];
			const char *kend = eq ? eq : stop;
			if (!url_decode(p, (size_t)(kend - p), k, sizeof k)) {
				snprintf(err, cap, "query: a key at byte %zu is too long or badly escaped",
				         (size_t)(p - query));
				return false;
			}
			if (!url_decode(eq ? eq + 1 : stop, eq ? (size_t)(stop - eq - 1) : 0, v, sizeof v)) {
				snprintf(err, cap, "%s: the value is longer than %d bytes or badly escaped", k,
				         VALUE_MAX - 1);
				return false;
			}
			if (!query_pair(&f, k, v, &lat, &lon, &hdop, err, cap))
				return false;
		}
		p = stop + 1;
	}
	if (isnan(f.accuracy_m) && !isnan(hdop) && hdop > 0)
		f.accuracy_m = hdop * 5;
	if (!finish(&f, lat, lon, err, cap))
		return false;
	*fix_r = f;
	return true;
}

/* A member that must be a number when present: false with err when it is something else. */
static bool json_num(json_t *obj, const char *key, const char *path, double *v_r, bool *present_r, char *err,
                     size_t cap)
{
	json_t *v = json_object_get(obj, key);
	*present_r = false;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_number(v) || !isfinite(json_number_value(v))) {
		snprintf(err, cap, "%s.%s: not a number", path, key);
		return false;
	}
	*v_r = json_number_value(v);
	*present_r = true;
	return true;
}

static bool decode_json_doc(json_t *doc, struct em_fix *f, char *err, size_t cap)
{
	if (!json_is_object(doc)) {
		snprintf(err, cap, "body: expected a JSON object");
		return false;
	}
	json_t *id = json_object_get(doc, "device_id");
	char num[32];
	if (json_is_integer(id)) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(id));
		if (!set_device(f, num, "device_id", err, cap))
			return false;
	} else if (json_is_string(id)) {
		if (!set_device(f, json_string_value(id), "device_id", err, cap))
			return false;
	} else {
		snprintf(err, cap, "device_id: missing (a string)");
		return false;
	}
	json_t *loc = json_object_get(doc, "location");
	if (!json_is_object(loc)) {
		snprintf(err, cap, "location: expected an object");
		return false;
	}
	json_t *ts = json_object_get(loc, "timestamp");
	if (json_is_string(ts)) {
		if (!parse_time(json_string_value(ts), &f->at_ms)) {
			snprintf(err, cap, "location.timestamp: not an ISO 8601 time");
			return false;
		}
	} else if (json_is_integer(ts)) {
		char t[24];
		snprintf(t, sizeof t, "%lld", (long long)json_integer_value(ts));
		if (!parse_time(t, &f->at_ms)) {
			snprintf(err, cap, "location.timestamp: not a time");
			return false;
		}
	} else if (ts && !json_is_null(ts)) {
		snprintf(err, cap, "location.timestamp: not a time");
		return false;
	}
	bool lat = false, lon = false;
	json_t *coords = json_object_get(loc, "coords");
	if (coords && !json_is_null(coords)) {
		if (!json_is_object(coords)) {
			snprintf(err, cap, "location.coords: expected an object");
			return false;
		}
		double v = 0;
		bool has;
		const char *p = "location.coords";
		if (!json_num(coords, "latitude", p, &f->lat, &lat, err, cap) ||
		    !json_num(coords, "longitude", p, &f->lon, &lon, err, cap))
			return false;
		if (!json_num(coords, "accuracy", p, &v, &has, err, cap))
			return false;
		if (has && v >= 0)
			f->accuracy_m = v;
		if (!json_num(coords, "speed", p, &v, &has, err, cap))
			return false;
		if (has && v >= 0)
			f->speed_kmh = v * 3.6;
		if (!json_num(coords, "heading", p, &v, &has, err, cap))
			return false;
		if (has && v >= 0)
			f->course_deg = v;
		if (!json_num(coords, "altitude", p, &v, &has, err, cap))
			return false;
		if (has)
			f->altitude_m = v;
	}
	json_t *battery = json_object_get(loc, "battery");
	if (json_is_object(battery)) {
		double level = -1;
		bool has;
		if (!json_num(battery, "level", "location.battery", &level, &has, err, cap))
			return false;
		if (has && level >= 0) {
			if (level > 1) {
				snprintf(err, cap, "location.battery.level: must be from 0 to 1");
				return false;
			}
			f->battery_pct = (int)lround(level * 100);
		}
		if (json_is_true(json_object_get(battery, "is_charging")))
			f->events |= EM_EV_CHARGING;
	}
	if (json_is_true(json_object_get(loc, "mock")))
		f->valid = false;
	json_t *event = json_object_get(loc, "event");
	if (json_is_string(event) && strcmp(json_string_value(event), "heartbeat") == 0)
		f->events |= EM_EV_HEARTBEAT;
	return finish(f, lat, lon, err, cap);
}

bool osmand_decode_json(const char *body, size_t len, struct em_fix *fix_r, char *err, size_t cap)
{
	if (len > OSMAND_MAX_BODY) {
		snprintf(err, cap, "body: longer than %d bytes", OSMAND_MAX_BODY);
		return false;
	}
	json_error_t jerr;
	json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		snprintf(err, cap, "body: not JSON (%s at byte %d)", jerr.text, jerr.position);
		return false;
	}
	struct em_fix f;
	em_fix_init(&f);
	f.valid = true;
	bool ok = decode_json_doc(doc, &f, err, cap);
	json_decref(doc);
	if (ok)
		*fix_r = f;
	return ok;
}
