/*
 * em_zones.c — a monitoring order's zones and approved absences (S23). A zone
 * is a polygon (a GeoJSON Polygon or MultiPolygon geometry, WGS 84, checked by
 * GEOS) or a circle (centre and radius), of a kind the order includes
 * (inclusion or exclusion), with a warning band (buffer_m) and an optional
 * weekly schedule. Zones come one at a time or as a GeoJSON
 * FeatureCollection (all or nothing; a Point with properties.radius_m is a
 * circle), and go out as one (application/geo+json). An absence suspends the
 * curfew (and the inclusion zones when covers_zones) for at most 14 days
 * within the order's dates. Every change bumps the order's rules_version, adds
 * a case timeline event, is logged, and tells the fix writer after the commit
 * (ingest_rules_changed) so the evaluator reloads the order.
 *
 * Body kinds of em_zones_body_validate: "zone" (POST /em/orders/{id}/zones and
 * PUT /em/zones/{id}), "zone_retire" (POST /em/zones/{id}/retirement),
 * "import" (POST /em/orders/{id}/zones/import), "absence" (POST
 * /em/orders/{id}/absences) and "absence_cancel" (POST
 * /em/absences/{id}/cancellation).
 */
#include <geos_c.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/em_scope.h"
#include "api/scope.h"
#include "api/validate.h"
#include "app.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "domain/casefile.h"
#include "em/ingest.h"

#define ZONE_MAX_POINTS 2000      /* positions in one polygon zone, all rings and parts */
#define ZONE_MAX_RINGS 50         /* rings of one polygon, parts of one multipolygon */
#define ZONE_IMPORT_MAX 200       /* features in one import */
#define SCHEDULE_MAX_WINDOWS 14
#define ABSENCE_MAX_MS (14LL * 24 * 3600 * 1000)

static const char *const zone_kinds[] = {"inclusion", "exclusion", NULL};
static const char *const zone_shapes[] = {"polygon", "circle", NULL};
static const char *const weekdays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU", NULL};

/* ---- checks (pure: also the fuzz target's) ---- */

/* snprintf for field names (a long path is cut, never overrun). */
static void at(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void at(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, cap, fmt, ap);
	va_end(ap);
}

/* A field name: prefix + name ("features[3].properties." + "kind"). */
static const char *fname(char *out, size_t cap, const char *prefix, const char *name)
{
	at(out, cap, "%s%s", prefix, name);
	return out;
}

static bool text_ok(const json_t *v, const char *field, long min, long max, bool required, struct field_errors *fe)
{
	if (!v || json_is_null(v)) {
		if (required)
			field_error(fe, field, "is required");
		return !required;
	}
	const char *s = json_string_value(v);
	if (!s) {
		field_error(fe, field, "must be a string");
		return false;
	}
	if (!utf8_valid(s)) {
		field_error(fe, field, "must be valid UTF-8");
		return false;
	}
	size_t n = utf8_length(s);
	if (text_blank(s) || (long)n < min || (long)n > max) {
		field_error(fe, field, "must be %ld to %ld characters, not blank", min, max);
		return false;
	}
	return true;
}

/* A whole number of metres min..max (a JSON integer, or a real with no fraction: GeoJSON tools write 100.0). */
static bool metres_ok(const json_t *v, const char *field, double min, double max, bool whole, struct field_errors *fe)
{
	if (!json_is_number(v)) {
		field_error(fe, field, "must be a number of metres from %.0f to %.0f", min, max);
		return false;
	}
	double d = json_number_value(v);
	if (!(d >= min && d <= max) || (whole && d != floor(d))) {
		field_error(fe, field, "must be %s from %.0f to %.0f metres", whole ? "a whole number" : "a number", min,
		            max);
		return false;
	}
	return true;
}

static bool hhmm(const json_t *v, int *minutes_r)
{
	const char *s = json_string_value(v);
	if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' ||
	    s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return false;
	int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23)
		return false;
	*minutes_r = h * 60 + m;
	return true;
}

/* Weekly windows as for a curfew: [{days: ["MO", ...], start: "HH:MM", end: "HH:MM"}] (end <= start: next day). */
static bool schedule_ok(const json_t *v, const char *field, struct field_errors *fe)
{
	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > SCHEDULE_MAX_WINDOWS) {
		field_error(fe, field, "must be null or a list of 1 to %d weekly windows", SCHEDULE_MAX_WINDOWS);
		return false;
	}
	bool ok = true;
	size_t i;
	const json_t *w;
	char f[200];
	json_array_foreach(v, i, w) {
		if (!json_is_object(w)) {
			at(f, sizeof f, "%s[%zu]", field, i);
			field_error(fe, f, "must be an object {days, start, end}");
			ok = false;
			continue;
		}
		const char *key;
		const json_t *m;
		json_object_foreach((json_t *)w, key, m) {
			if (strcmp(key, "days") != 0 && strcmp(key, "start") != 0 && strcmp(key, "end") != 0) {
				at(f, sizeof f, "%s[%zu]", field, i);
				field_error(fe, f, "has an unknown member");
				ok = false;
				break;
			}
		}
		const json_t *days = json_object_get(w, "days");
		at(f, sizeof f, "%s[%zu].days", field, i);
		if (!json_is_array(days) || json_array_size(days) < 1 || json_array_size(days) > 7) {
			field_error(fe, f, "must be a list of 1 to 7 days (MO, TU, WE, TH, FR, SA, SU)");
			ok = false;
		} else {
			unsigned seen = 0;
			size_t d;
			const json_t *day;
			json_array_foreach(days, d, day) {
				const char *s = json_string_value(day);
				int k = -1;
				for (int j = 0; s && weekdays[j]; j++)
					if (strcmp(s, weekdays[j]) == 0)
						k = j;
				if (k < 0 || (seen & (1u << k))) {
					field_error(fe, f, "must list each of MO, TU, WE, TH, FR, SA, SU at most once");
					ok = false;
					break;
				}
				seen |= 1u << k;
			}
		}
		int start = 0, end = 0;
		bool s_ok = hhmm(json_object_get(w, "start"), &start), e_ok = hhmm(json_object_get(w, "end"), &end);
		if (!s_ok) {
			at(f, sizeof f, "%s[%zu].start", field, i);
			field_error(fe, f, "must be a time HH:MM");
			ok = false;
		}
		if (!e_ok) {
			at(f, sizeof f, "%s[%zu].end", field, i);
			field_error(fe, f, "must be a time HH:MM");
			ok = false;
		} else if (s_ok && start == end) {
			at(f, sizeof f, "%s[%zu].end", field, i);
			field_error(fe, f, "must differ from the start (an earlier end is on the next day)");
			ok = false;
		}
	}
	return ok;
}

static bool lat_lon_ok(const json_t *lat, const json_t *lon, const char *field_lat, const char *field_lon,
                       struct field_errors *fe)
{
	bool ok = true;
	if (!json_is_number(lat) || !(json_number_value(lat) >= -90 && json_number_value(lat) <= 90)) {
		field_error(fe, field_lat, "must be a latitude from -90 to 90");
		ok = false;
	}
	if (!json_is_number(lon) || !(json_number_value(lon) >= -180 && json_number_value(lon) <= 180)) {
		field_error(fe, field_lon, "must be a longitude from -180 to 180");
		ok = false;
	}
	return ok;
}

/* A circle's centre {lat, lon}. */
static bool center_ok(const json_t *v, const char *field, struct field_errors *fe)
{
	char flat[160], flon[160];
	if (!json_is_object(v) || json_object_size(v) != 2 || !json_object_get(v, "lat") || !json_object_get(v, "lon")) {
		field_error(fe, field, "must be an object {lat, lon}");
		return false;
	}
	at(flat, sizeof flat, "%s.lat", field);
	at(flon, sizeof flon, "%s.lon", field);
	return lat_lon_ok(json_object_get(v, "lat"), json_object_get(v, "lon"), flat, flon, fe);
}

static void geos_message(const char *message, void *userdata)
{
	at((char *)userdata, 200, "%s", message ? message : "");
}

/*
 * A ring as GEOS coordinates with its longitudes unwrapped: each position is moved by a whole turn so that no edge
 * spans more than 180 degrees of longitude (an edge is the short way round), so a zone across the antimeridian is one
 * piece; then the ring as a whole by a turn to lie within 180 degrees of ref (the polygon's first position).
 */
static GEOSGeometry *ring_build(GEOSContextHandle_t h, const json_t *ring, double ref, bool *wraps_r)
{
	size_t n = json_array_size(ring);
	GEOSCoordSequence *seq = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
	if (!seq)
		return NULL;
	double prev = 0, shift = 0, first = 0;
	for (size_t i = 0; i < n; i++) {
		const json_t *p = json_array_get(ring, i);
		double lon = json_number_value(json_array_get(p, 0)), lat = json_number_value(json_array_get(p, 1));
		if (i == 0) {
			shift = 0;
			while (lon + shift - ref > 180)
				shift -= 360;
			while (lon + shift - ref < -180)
				shift += 360;
		} else {
			while (lon + shift - prev > 180)
				shift -= 360;
			while (lon + shift - prev < -180)
				shift += 360;
		}
		prev = lon + shift;
		if (i == 0)
			first = prev;
		GEOSCoordSeq_setXY_r(h, seq, (unsigned)i, prev, lat);
	}
	if (fabs(prev - first) > 1e-9) {
		*wraps_r = true; /* the ring goes round a pole: it closes only a turn away */
		GEOSCoordSeq_destroy_r(h, seq);
		return NULL;
	}
	return GEOSGeom_createLinearRing_r(h, seq);
}

static GEOSGeometry *polygon_build(GEOSContextHandle_t h, const json_t *rings, bool *wraps_r)
{
	size_t n = json_array_size(rings);
	double ref = json_number_value(json_array_get(json_array_get(json_array_get(rings, 0), 0), 0));
	GEOSGeometry *shell = ring_build(h, json_array_get(rings, 0), ref, wraps_r);
	if (!shell)
		return NULL;
	GEOSGeometry **holes = n > 1 ? calloc(n - 1, sizeof *holes) : NULL;
	for (size_t i = 1; i < n; i++) {
		holes[i - 1] = ring_build(h, json_array_get(rings, i), ref, wraps_r);
		if (!holes[i - 1]) {
			for (size_t j = 0; j + 1 < i; j++)
				GEOSGeom_destroy_r(h, holes[j]);
			free(holes);
			GEOSGeom_destroy_r(h, shell);
			return NULL;
		}
	}
	GEOSGeometry *g = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)(n - 1));
	free(holes);
	return g;
}

/* The rings of one polygon: 1..50 closed rings of 4+ positions [lon, lat(, alt)]; counts positions into *points. */
static bool rings_ok(const json_t *rings, const char *field, size_t *points, struct field_errors *fe)
{
	char f[240];
	if (!json_is_array(rings) || json_array_size(rings) < 1 || json_array_size(rings) > ZONE_MAX_RINGS) {
		field_error(fe, field, "must be an array of 1 to %d linear rings", ZONE_MAX_RINGS);
		return false;
	}
	size_t r;
	const json_t *ring;
	json_array_foreach(rings, r, ring) {
		at(f, sizeof f, "%s[%zu]", field, r);
		if (!json_is_array(ring) || json_array_size(ring) < 4) {
			field_error(fe, f, "must be a ring of at least 4 positions");
			return false;
		}
		*points += json_array_size(ring);
		if (*points > ZONE_MAX_POINTS) {
			field_error(fe, field, "must have at most %d points in all", ZONE_MAX_POINTS);
			return false;
		}
		size_t i;
		const json_t *pos;
		json_array_foreach(ring, i, pos) {
			at(f, sizeof f, "%s[%zu][%zu]", field, r, i);
			size_t np = json_array_size(pos);
			if (!json_is_array(pos) || np < 2 || np > 3 || !json_is_number(json_array_get(pos, 0)) ||
			    !json_is_number(json_array_get(pos, 1)) || (np == 3 && !json_is_number(json_array_get(pos, 2)))) {
				field_error(fe, f, "must be a position [longitude, latitude]");
				return false;
			}
			double lon = json_number_value(json_array_get(pos, 0)), lat = json_number_value(json_array_get(pos, 1));
			if (!(lon >= -180 && lon <= 180)) {
				field_error(fe, f, "longitude must be from -180 to 180");
				return false;
			}
			if (!(lat >= -90 && lat <= 90)) {
				field_error(fe, f, "latitude must be from -90 to 90");
				return false;
			}
		}
		const json_t *a = json_array_get(ring, 0), *b = json_array_get(ring, json_array_size(ring) - 1);
		if (json_number_value(json_array_get(a, 0)) != json_number_value(json_array_get(b, 0)) ||
		    json_number_value(json_array_get(a, 1)) != json_number_value(json_array_get(b, 1))) {
			at(f, sizeof f, "%s[%zu]", field, r);
			field_error(fe, f, "must be closed: the last position must repeat the first");
			return false;
		}
	}
	return true;
}

/* A GeoJSON Polygon or MultiPolygon geometry: structure, ranges, then GEOS validity and area. */
static bool polygon_ok(const json_t *g, const char *field, struct field_errors *fe)
{
	char f[200];
	if (!json_is_object(g)) {
		field_error(fe, field, "must be a GeoJSON Polygon or MultiPolygon geometry");
		return false;
	}
	const char *key;
	const json_t *m;
	json_object_foreach((json_t *)g, key, m) {
		if (strcmp(key, "type") != 0 && strcmp(key, "coordinates") != 0 && strcmp(key, "bbox") != 0) {
			at(f, sizeof f, "%s.%s", field, key);
			field_error(fe, f, "is not a member of a GeoJSON geometry here");
			return false;
		}
	}
	const char *type = json_string_value(json_object_get(g, "type"));
	bool multi = type && strcmp(type, "MultiPolygon") == 0;
	if (!type || (!multi && strcmp(type, "Polygon") != 0)) {
		at(f, sizeof f, "%s.type", field);
		field_error(fe, f, "must be \"Polygon\" or \"MultiPolygon\"");
		return false;
	}
	const json_t *coords = json_object_get(g, "coordinates");
	at(f, sizeof f, "%s.coordinates", field);
	size_t points = 0;
	if (multi) {
		if (!json_is_array(coords) || json_array_size(coords) < 1 || json_array_size(coords) > ZONE_MAX_RINGS) {
			field_error(fe, f, "must be an array of 1 to %d polygons", ZONE_MAX_RINGS);
			return false;
		}
		size_t i;
		const json_t *p;
		json_array_foreach(coords, i, p) {
			char fp[220];
			at(fp, sizeof fp, "%s[%zu]", f, i);
			if (!rings_ok(p, fp, &points, fe))
				return false;
		}
	} else if (!rings_ok(coords, f, &points, fe)) {
		return false;
	}

	char message[200] = "";
	GEOSContextHandle_t h = GEOS_init_r();
	if (!h) {
		field_error(fe, field, "cannot be checked now");
		return false;
	}
	GEOSContext_setErrorMessageHandler_r(h, geos_message, message);
	bool wraps = false;
	GEOSGeometry *geom = NULL;
	if (multi) {
		size_t n = json_array_size(coords);
		GEOSGeometry **parts = calloc(n, sizeof *parts);
		size_t built = 0;
		for (; built < n; built++) {
			parts[built] = polygon_build(h, json_array_get(coords, built), &wraps);
			if (!parts[built])
				break;
		}
		if (built == n) {
			geom = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n);
		} else {
			for (size_t j = 0; j < built; j++)
				GEOSGeom_destroy_r(h, parts[j]);
		}
		free(parts);
	} else {
		geom = polygon_build(h, coords, &wraps);
	}
	bool ok = false;
	double area = 0;
	if (!geom) {
		if (wraps)
			field_error(fe, field, "must not go round a pole");
		else
			field_error(fe, field, "is not a readable polygon%s%s", *message ? ": " : "", message);
	} else if (GEOSisValid_r(h, geom) != 1) {
		char *reason = GEOSisValidReason_r(h, geom);
		field_error(fe, field, "is not a valid polygon: %s", reason ? reason : "invalid");
		if (reason)
			GEOSFree_r(h, reason);
	} else if (GEOSArea_r(h, geom, &area) != 1 || !(area > 0)) {
		field_error(fe, field, "must enclose an area");
	} else {
		ok = true;
	}
	if (geom)
		GEOSGeom_destroy_r(h, geom);
	GEOS_finish_r(h);
	return ok;
}

/* The members of a zone, from a body or from a GeoJSON feature. */
struct zone_in {
	const json_t *kind, *name, *shape, *geometry, *center, *radius, *buffer, *schedule;
	const char *shape_s;            /* the shape decided ("polygon", "circle") or NULL when unknown */
	double lat, lon;                /* a circle's centre */
};

/* The checks every zone gets, whatever it came in: f_* name each member's field. */
static void zone_common_check(const struct zone_in *z, const char *prefix, struct field_errors *fe)
{
	char f[200];
	if (!z->kind || json_is_null(z->kind))
		field_error(fe, fname(f, sizeof f, prefix, "kind"), "is required");
	else if (!json_is_string(z->kind) || !in_list(json_string_value(z->kind), zone_kinds))
		field_error(fe, fname(f, sizeof f, prefix, "kind"), "must be \"inclusion\" or \"exclusion\"");
	text_ok(z->name, fname(f, sizeof f, prefix, "name"), 1, 100, true, fe);
	if (z->buffer && !json_is_null(z->buffer))
		metres_ok(z->buffer, fname(f, sizeof f, prefix, "buffer_m"), 0, 5000, true, fe);
	schedule_ok(z->schedule, fname(f, sizeof f, prefix, "schedule"), fe);
}

/* The body of POST /em/orders/{id}/zones and PUT /em/zones/{id}. */
static bool zone_body_check(const json_t *body, struct zone_in *z, struct field_errors *fe)
{
	static const char *const members[] = {"kind", "name", "shape", "geometry", "center", "radius_m", "buffer_m",
	                                      "schedule", NULL};
	memset(z, 0, sizeof *z);
	if (!json_is_object(body)) {
		field_error(fe, "body", "must be a JSON object");
		return false;
	}
	const char *key;
	const json_t *m;
	json_object_foreach((json_t *)body, key, m) {
		if (!in_list(key, members))
			field_error(fe, key, "is not a field of a zone");
	}
	z->kind = json_object_get(body, "kind");
	z->name = json_object_get(body, "name");
	z->shape = json_object_get(body, "shape");
	z->geometry = json_object_get(body, "geometry");
	z->center = json_object_get(body, "center");
	z->radius = json_object_get(body, "radius_m");
	z->buffer = json_object_get(body, "buffer_m");
	z->schedule = json_object_get(body, "schedule");
	zone_common_check(z, "", fe);
	const char *shape = json_string_value(z->shape);
	if (!shape || !in_list(shape, zone_shapes)) {
		field_error(fe, "shape", "must be \"polygon\" or \"circle\"");
	} else if (strcmp(shape, "polygon") == 0) {
		z->shape_s = "polygon";
		if (!z->geometry || json_is_null(z->geometry))
			field_error(fe, "geometry", "is required for a polygon");
		else
			polygon_ok(z->geometry, "geometry", fe);
		if (z->center && !json_is_null(z->center))
			field_error(fe, "center", "is only for a circle");
		if (z->radius && !json_is_null(z->radius))
			field_error(fe, "radius_m", "is only for a circle");
	} else {
		z->shape_s = "circle";
		if (z->geometry && !json_is_null(z->geometry))
			field_error(fe, "geometry", "is only for a polygon");
		if (!z->center || json_is_null(z->center))
			field_error(fe, "center", "is required for a circle");
		else if (center_ok(z->center, "center", fe)) {
			z->lat = json_number_value(json_object_get(z->center, "lat"));
			z->lon = json_number_value(json_object_get(z->center, "lon"));
		}
		if (!z->radius || json_is_null(z->radius))
			field_error(fe, "radius_m", "is required for a circle");
		else
			metres_ok(z->radius, "radius_m", 10, 100000, false, fe);
	}
	return fe->list == NULL;
}

/* One feature of an import; index names it in errors ("features[3].geometry"). */
static void feature_check(const json_t *feature, size_t index, struct zone_in *z, struct field_errors *fe)
{
	char prefix[64], props[80], f[200];
	memset(z, 0, sizeof *z);
	at(prefix, sizeof prefix, "features[%zu]", index);
	at(props, sizeof props, "features[%zu].properties.", index);
	if (!json_is_object(feature) || !json_is_string(json_object_get(feature, "type")) ||
	    strcmp(json_string_value(json_object_get(feature, "type")), "Feature") != 0) {
		field_error(fe, prefix, "must be a GeoJSON Feature");
		return;
	}
	const json_t *p = json_object_get(feature, "properties");
	if (!json_is_object(p)) {
		field_error(fe, fname(f, sizeof f, prefix, ".properties"), "must be an object with kind and name");
		return;
	}
	z->kind = json_object_get(p, "kind");
	z->name = json_object_get(p, "name");
	z->radius = json_object_get(p, "radius_m");
	z->buffer = json_object_get(p, "buffer_m");
	z->schedule = json_object_get(p, "schedule");
	z->geometry = json_object_get(feature, "geometry");
	zone_common_check(z, props, fe);
	const json_t *g = z->geometry;
	const char *type = json_is_object(g) ? json_string_value(json_object_get(g, "type")) : NULL;
	at(f, sizeof f, "%s.geometry", prefix);
	if (type && strcmp(type, "Point") == 0) {
		z->shape_s = "circle";
		const json_t *c = json_object_get(g, "coordinates");
		char fc[220];
		at(fc, sizeof fc, "%s.coordinates", f);
		if (!json_is_array(c) || json_array_size(c) < 2 || json_array_size(c) > 3) {
			field_error(fe, fc, "must be a position [longitude, latitude]");
		} else {
			char flat[240], flon[240];
			at(flon, sizeof flon, "%s[0]", fc);
			at(flat, sizeof flat, "%s[1]", fc);
			if (lat_lon_ok(json_array_get(c, 1), json_array_get(c, 0), flat, flon, fe)) {
				z->lat = json_number_value(json_array_get(c, 1));
				z->lon = json_number_value(json_array_get(c, 0));
			}
		}
		if (!z->radius || json_is_null(z->radius))
			field_error(fe, fname(fc, sizeof fc, props, "radius_m"), "is required for a Point (a circle's centre)");
		else
			metres_ok(z->radius, fname(fc, sizeof fc, props, "radius_m"), 10, 100000, false, fe);
	} else if (type && (strcmp(type, "Polygon") == 0 || strcmp(type, "MultiPolygon") == 0)) {
		z->shape_s = "polygon";
		polygon_ok(g, f, fe);
		if (z->radius && !json_is_null(z->radius))
			field_error(fe, fname(f, sizeof f, props, "radius_m"), "is only for a Point (a circle)");
	} else {
		field_error(fe, f, "must be a Polygon, a MultiPolygon or a Point with properties.radius_m");
	}
}

static bool import_check(const json_t *body, struct field_errors *fe)
{
	if (!json_is_object(body)) {
		field_error(fe, "body", "must be a GeoJSON FeatureCollection");
		return false;
	}
	const char *type = json_string_value(json_object_get(body, "type"));
	if (!type || strcmp(type, "FeatureCollection") != 0)
		field_error(fe, "type", "must be \"FeatureCollection\"");
	const json_t *features = json_object_get(body, "features");
	if (!json_is_array(features) || json_array_size(features) < 1 || json_array_size(features) > ZONE_IMPORT_MAX) {
		field_error(fe, "features", "must be a list of 1 to %d features", ZONE_IMPORT_MAX);
		return false;
	}
	size_t i;
	const json_t *feature;
	json_array_foreach(features, i, feature) {
		struct zone_in z;
		feature_check(feature, i, &z, fe);
	}
	return fe->list == NULL;
}

static const struct field_rule retire_rules[] = {
	{"reason", FIELD_STRING, true, 3, 500, NULL},
};

/* An absence: {starts_at, ends_at, reason, covers_zones?}; *from_r and *to_r get the instants when they read. */
static bool absence_check(const json_t *body, int64_t *from_r, int64_t *to_r, struct field_errors *fe)
{
	static const char *const members[] = {"starts_at", "ends_at", "reason", "covers_zones", NULL};
	if (!json_is_object(body)) {
		field_error(fe, "body", "must be a JSON object");
		return false;
	}
	const char *key;
	const json_t *m;
	json_object_foreach((json_t *)body, key, m) {
		if (!in_list(key, members))
			field_error(fe, key, "is not a field of an absence");
	}
	int64_t from = 0, to = 0;
	bool from_ok = clock_parse_rfc3339(json_string_value(json_object_get(body, "starts_at")), &from);
	bool to_ok = clock_parse_rfc3339(json_string_value(json_object_get(body, "ends_at")), &to);
	if (!from_ok)
		field_error(fe, "starts_at", "must be a time in RFC 3339 (2026-03-15T09:00:00+06:00)");
	if (!to_ok)
		field_error(fe, "ends_at", "must be a time in RFC 3339 (2026-03-15T18:00:00+06:00)");
	if (from_ok && to_ok) {
		if (to <= from)
			field_error(fe, "ends_at", "must be after the start");
		else if (to - from > ABSENCE_MAX_MS)
			field_error(fe, "ends_at", "must be at most 14 days after the start");
	}
	text_ok(json_object_get(body, "reason"), "reason", 3, 500, true, fe);
	const json_t *covers = json_object_get(body, "covers_zones");
	if (covers && !json_is_null(covers) && !json_is_boolean(covers))
		field_error(fe, "covers_zones", "must be true or false");
	*from_r = from;
	*to_r = to;
	return fe->list == NULL;
}

bool em_zones_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe)
{
	(void)today;
	if (strcmp(kind, "zone") == 0) {
		struct zone_in z;
		return zone_body_check(body, &z, fe);
	}
	if (strcmp(kind, "import") == 0)
		return import_check(body, fe);
	if (strcmp(kind, "absence") == 0) {
		int64_t from, to;
		return absence_check(body, &from, &to, fe);
	}
	if (strcmp(kind, "zone_retire") == 0 || strcmp(kind, "absence_cancel") == 0) {
		validate_object(body, retire_rules, NRULES(retire_rules), fe);
		if (json_is_object(body) && text_blank(json_string_value(json_object_get(body, "reason"))) &&
		    json_is_string(json_object_get(body, "reason")) && !fe->list)
			field_error(fe, "reason", "must not be blank");
		return fe->list == NULL;
	}
	field_error(fe, "body", "unknown body kind");
	return false;
}

/* ---- handlers ---- */

#define ZONE_COLUMNS \
	"SELECT z.id, z.order_id, z.kind, z.name, z.shape, z.geojson, z.center_lat, z.center_lon, z.radius_m," \
	" z.buffer_m, z.schedule, z.status, z.retire_reason, z.created_at, z.updated_at, z.version FROM em_zone z"

/* A zone row as the API shows it: geometry (polygons), center (circles), schedule as JSON. */
static void zone_shape_json(json_t *row)
{
	const char *text = json_string_value(json_object_get(row, "geojson"));
	json_t *geometry = text ? json_loads(text, 0, NULL) : NULL;
	json_object_set_new(row, "geometry", geometry ? geometry : json_null());
	json_object_del(row, "geojson");
	const json_t *lat = json_object_get(row, "center_lat"), *lon = json_object_get(row, "center_lon");
	if (json_is_number(lat) && json_is_number(lon))
		json_object_set_new(row, "center", json_pack("{s:f, s:f}", "lat", json_number_value(lat), "lon",
		                                             json_number_value(lon)));
	else
		json_object_set_new(row, "center", json_null());
	json_object_del(row, "center_lat");
	json_object_del(row, "center_lon");
	const char *schedule = json_string_value(json_object_get(row, "schedule"));
	json_t *s = schedule ? json_loads(schedule, 0, NULL) : NULL;
	json_object_set_new(row, "schedule", s ? s : json_null());
}

static json_t *zone_read(db *conn, const char *id)
{
	bool failed = false;
	json_t *row = api_select_one(conn, &failed, ZONE_COLUMNS " WHERE z.id = ?", "t", id);
	if (row)
		zone_shape_json(row);
	return row;
}

static void rules_changed(struct http_request *req)
{
	if (req->app && req->app->ingest)
		ingest_rules_changed(req->app->ingest);
}

/* The order's rules changed (zones, absences): the evaluator reloads it. */
static bool order_bump(db *conn, const char *order_id, int64_t now)
{
	return db_run(conn, NULL, "UPDATE em_order SET rules_version = rules_version + 1, updated_at = ? WHERE id = ?",
	              "it", now, order_id) == DB_OK;
}

/* 409 when the order has ended (a zone or an absence is only added to an active order). */
static bool order_active(struct http_request *req, struct http_response *resp, const struct em_order_ref *ref)
{
	if (strcmp(ref->status, "active") == 0)
		return true;
	api_conflict(req, resp, "order-ended", "The monitoring order has ended",
	             "Zones and absences change only on an active monitoring order.");
	return false;
}

/* The kind must be a mode of the order (S23); the message names the mode. */
static bool kind_allowed(const struct em_order_ref *ref, const char *kind, const char *field, struct field_errors *fe)
{
	if (strcmp(kind, "inclusion") == 0 && !ref->mode_inclusion) {
		field_error(fe, field, "the order does not include inclusion zones");
		return false;
	}
	if (strcmp(kind, "exclusion") == 0 && !ref->mode_exclusion) {
		field_error(fe, field, "the order does not include exclusion zones");
		return false;
	}
	return true;
}

/* Inserts one zone (checked) of the order. */
static bool zone_insert(struct http_request *req, const char *order_id, const struct zone_in *z, int64_t now,
                        char id_r[UUID_STR_LEN])
{
	uuid_v7(id_r);
	const char *kind = json_string_value(z->kind), *name = json_string_value(z->name);
	int64_t buffer = json_is_number(z->buffer) ? (int64_t)json_number_value(z->buffer) : 0;
	char *schedule = z->schedule && !json_is_null(z->schedule) ? json_dumps(z->schedule, JSON_COMPACT) : NULL;
	enum db_status rc;
	if (strcmp(z->shape_s, "polygon") == 0) {
		char *geojson = json_dumps(z->geometry, JSON_COMPACT);
		rc = db_run(req->db, NULL,
		            "INSERT INTO em_zone (id, order_id, kind, name, shape, geojson, buffer_m, schedule, status,"
		            " created_at, created_by, updated_at, version) VALUES (?, ?, ?, ?, 'polygon', ?, ?, ?, 'active', ?,"
		            " ?, ?, 1)",
		            "tttttititi", id_r, order_id, kind, name, geojson, buffer, schedule, now,
		            req->principal.account_id, now);
		free(geojson);
	} else {
		rc = db_run(req->db, NULL,
		            "INSERT INTO em_zone (id, order_id, kind, name, shape, center_lat, center_lon, radius_m, buffer_m,"
		            " schedule, status, created_at, created_by, updated_at, version) VALUES (?, ?, ?, ?, 'circle', ?, ?,"
		            " ?, ?, ?, 'active', ?, ?, ?, 1)",
		            "ttttdddititi", id_r, order_id, kind, name, z->lat, z->lon, json_number_value(z->radius), buffer,
		            schedule, now, req->principal.account_id, now);
	}
	free(schedule);
	return rc == DB_OK;
}

/* The case timeline event of a zone change (no names, no coordinates: codes). */
static bool zone_event(struct http_request *req, const struct em_order_ref *ref, const char *kind_event,
                       const char *summary, const char *zone_id, const char *zone_kind, const char *shape,
                       const char *extra, int64_t now)
{
	char *detail = xasprintf("{\"order_id\":\"%s\",\"zone_id\":\"%s\",\"kind\":\"%s\",\"shape\":\"%s\"%s%s}",
	                         ref->id, zone_id, zone_kind, shape, extra ? "," : "", extra ? extra : "");
	bool ok = case_event_add(req->db, ref->case_id, now, kind_event, req->principal.account_id, summary, detail,
	                         "em_zone", zone_id) == DB_OK;
	free(detail);
	return ok;
}

static void zone_answer(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	json_t *row = zone_read(req->db, id);
	if (!row) {
		api_db_failed(req, resp, "reading a zone");
		return;
	}
	if (api_commit_send(req, resp, status, row))
		rules_changed(req);
}

void api_em_zone_create(struct http_request *req, struct http_response *resp)
{
	const char *order_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	struct zone_in z;
	zone_body_check(req->json, &z, &fe);
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) ||
	    !em_order_scope(req, resp, order_id, true, &ref) || !order_active(req, resp, &ref))
		return;
	if (!kind_allowed(&ref, json_string_value(z.kind), "kind", &fe)) {
		api_errors_answer(req, resp, &fe);
		return;
	}
	int64_t now = clock_now_ms();
	char id[UUID_STR_LEN];
	char *summary = xasprintf("Added %s zone to the monitoring order (%s)", json_string_value(z.kind), z.shape_s);
	bool ok = zone_insert(req, ref.id, &z, now, id) && order_bump(req->db, ref.id, now) &&
	          zone_event(req, &ref, "em.zone_added", summary, id, json_string_value(z.kind), z.shape_s, NULL, now) &&
	          em_scope_audit(req, &ref, AUDIT_COLLECT, "em_zone", id, ref.id);
	free(summary);
	if (!ok) {
		api_db_failed(req, resp, "adding a zone");
		return;
	}
	zone_answer(req, resp, id, 201);
}

/* The zone's order, for the scope check; false after answering (404, 500). */
static bool zone_order(struct http_request *req, struct http_response *resp, const char *zone_id,
                       char order_r[UUID_STR_LEN], char status_r[16], int64_t *version_r)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT order_id, status, version FROM em_zone WHERE id = ?", "t",
	                             zone_id);
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading a zone");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "zone");
		}
		return false;
	}
	at(order_r, UUID_STR_LEN, "%s", json_string_value(json_object_get(row, "order_id")));
	at(status_r, 16, "%s", json_string_value(json_object_get(row, "status")));
	*version_r = json_integer_value(json_object_get(row, "version"));
	json_decref(row);
	return true;
}

void api_em_zone_update(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	struct zone_in z;
	zone_body_check(req->json, &z, &fe);
	int64_t version = 0, current = 0;
	char order_id[UUID_STR_LEN], status[16];
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_if_match(req, resp, &version) || !api_begin(req, resp) ||
	    !zone_order(req, resp, id, order_id, status, &current) || !em_order_scope(req, resp, order_id, true, &ref) ||
	    !order_active(req, resp, &ref))
		return;
	if (strcmp(status, "active") != 0) {
		api_conflict(req, resp, "zone-retired", "The zone is retired", "A retired zone cannot be changed.");
		return;
	}
	if (!kind_allowed(&ref, json_string_value(z.kind), "kind", &fe)) {
		api_errors_answer(req, resp, &fe);
		return;
	}
	if (current != version) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this zone since you read it; read it again.", NULL);
		return;
	}
	int64_t now = clock_now_ms();
	const char *kind = json_string_value(z.kind), *name = json_string_value(z.name);
	int64_t buffer = json_is_number(z.buffer) ? (int64_t)json_number_value(z.buffer) : 0;
	char *schedule = z.schedule && !json_is_null(z.schedule) ? json_dumps(z.schedule, JSON_COMPACT) : NULL;
	int64_t changes = 0;
	enum db_status rc;
	if (strcmp(z.shape_s, "polygon") == 0) {
		char *geojson = json_dumps(z.geometry, JSON_COMPACT);
		rc = db_run(req->db, &changes,
		            "UPDATE em_zone SET kind = ?, name = ?, shape = 'polygon', geojson = ?, center_lat = NULL,"
		            " center_lon = NULL, radius_m = NULL, buffer_m = ?, schedule = ?, updated_at = ?,"
		            " version = version + 1 WHERE id = ? AND version = ? AND status = 'active'",
		            "tttititi", kind, name, geojson, buffer, schedule, now, id, version);
		free(geojson);
	} else {
		rc = db_run(req->db, &changes,
		            "UPDATE em_zone SET kind = ?, name = ?, shape = 'circle', geojson = NULL, center_lat = ?,"
		            " center_lon = ?, radius_m = ?, buffer_m = ?, schedule = ?, updated_at = ?, version = version + 1"
		            " WHERE id = ? AND version = ? AND status = 'active'",
		            "ttdddititi", kind, name, z.lat, z.lon, json_number_value(z.radius), buffer, schedule, now, id,
		            version);
	}
	free(schedule);
	if (rc == DB_OK && changes == 0) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this zone since you read it; read it again.", NULL);
		return;
	}
	char *summary = xasprintf("Changed a %s zone of the monitoring order (%s)", kind, z.shape_s);
	bool ok = rc == DB_OK && order_bump(req->db, ref.id, now) &&
	          zone_event(req, &ref, "em.zone_changed", summary, id, kind, z.shape_s, NULL, now) &&
	          em_scope_audit(req, &ref, AUDIT_ALTER, "em_zone", id, ref.id);
	free(summary);
	if (!ok) {
		api_db_failed(req, resp, "changing a zone");
		return;
	}
	zone_answer(req, resp, id, 200);
}

void api_em_zone_retire(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_zones_body_validate("zone_retire", req->json, NULL, &fe);
	int64_t current = 0;
	char order_id[UUID_STR_LEN], status[16];
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) ||
	    !zone_order(req, resp, id, order_id, status, &current) || !em_order_scope(req, resp, order_id, true, &ref))
		return;
	int64_t now = clock_now_ms(), changes = 0;
	if (db_run(req->db, &changes,
	           "UPDATE em_zone SET status = 'retired', retire_reason = ?, updated_at = ?, version = version + 1"
	           " WHERE id = ? AND status = 'active'", "tit", api_str(req, "reason"), now, id) != DB_OK) {
		api_db_failed(req, resp, "retiring a zone");
		return;
	}
	if (changes == 0) {
		api_conflict(req, resp, "zone-retired", "The zone is retired already", "This zone was retired before.");
		return;
	}
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT kind, shape FROM em_zone WHERE id = ?", "t", id);
	/* The reason is free text (it may name people or places): kept on the zone, not on the timeline. */
	const char *kind = row ? json_string_value(json_object_get(row, "kind")) : "";
	const char *shape = row ? json_string_value(json_object_get(row, "shape")) : "";
	char *summary = xasprintf("Retired a %s zone of the monitoring order", kind);
	bool ok = row && order_bump(req->db, ref.id, now) &&
	          zone_event(req, &ref, "em.zone_retired", summary, id, kind, shape, NULL, now) &&
	          em_scope_audit(req, &ref, AUDIT_ALTER, "em_zone", id, ref.id);
	free(summary);
	json_decref(row);
	if (!ok) {
		api_db_failed(req, resp, "retiring a zone");
		return;
	}
	zone_answer(req, resp, id, 200);
}

void api_em_zones_export(struct http_request *req, struct http_response *resp)
{
	const char *order_id = http_request_param(req, "id");
	struct em_order_ref ref;
	if (!api_begin(req, resp) || !em_order_scope(req, resp, order_id, false, &ref))
		return;
	json_t *rows = api_select(req->db, ZONE_COLUMNS " WHERE z.order_id = ? AND z.status = 'active'"
	                                   " ORDER BY z.created_at, z.id", "t", order_id);
	if (!rows || !em_scope_audit(req, &ref, AUDIT_CONSULT, "em_order", ref.id, "zones export (GeoJSON)")) {
		json_decref(rows);
		api_db_failed(req, resp, "exporting zones");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(rows);
		return;
	}
	json_t *features = json_array();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		zone_shape_json(row);
		json_t *props = json_pack("{s:O, s:O, s:O, s:O}", "id", json_object_get(row, "id"), "kind",
		                          json_object_get(row, "kind"), "name", json_object_get(row, "name"), "buffer_m",
		                          json_object_get(row, "buffer_m"));
		json_t *geometry;
		if (strcmp(json_string_value(json_object_get(row, "shape")), "circle") == 0) {
			const json_t *c = json_object_get(row, "center");
			geometry = json_pack("{s:s, s:[f, f]}", "type", "Point", "coordinates",
			                     json_number_value(json_object_get(c, "lon")),
			                     json_number_value(json_object_get(c, "lat")));
			json_object_set(props, "radius_m", json_object_get(row, "radius_m"));
		} else {
			geometry = json_incref(json_object_get(row, "geometry"));
		}
		const json_t *schedule = json_object_get(row, "schedule");
		if (json_is_array(schedule))
			json_object_set(props, "schedule", (json_t *)schedule);
		json_array_append_new(features, json_pack("{s:s, s:O, s:o, s:o}", "type", "Feature", "id",
		                                          json_object_get(row, "id"), "geometry", geometry, "properties",
		                                          props));
	}
	json_decref(rows);
	json_t *out = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
	char *text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	char disposition[96];
	at(disposition, sizeof disposition, "inline; filename=\"zones-%.8s.geojson\"", order_id);
	http_response_header(resp, "Content-Disposition", disposition);
	http_response_text(resp, 200, "application/geo+json", text ? text : "{}", text ? strlen(text) : 2);
	free(text);
}

void api_em_zones_import(struct http_request *req, struct http_response *resp)
{
	const char *order_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	import_check(req->json, &fe);
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) ||
	    !em_order_scope(req, resp, order_id, true, &ref) || !order_active(req, resp, &ref))
		return;
	const json_t *features = json_object_get(req->json, "features");
	size_t n = json_array_size(features);
	struct zone_in *zones = calloc(n, sizeof *zones);
	for (size_t i = 0; i < n; i++) {
		struct field_errors ignored = {0};
		feature_check(json_array_get(features, i), i, &zones[i], &ignored);
		json_decref(ignored.list);
		char f[64];
		at(f, sizeof f, "features[%zu].properties.kind", i);
		kind_allowed(&ref, json_string_value(zones[i].kind), f, &fe);
	}
	if (api_errors_answer(req, resp, &fe)) {
		free(zones);
		return;
	}
	int64_t now = clock_now_ms();
	json_t *ids = json_array();
	bool ok = true;
	long inclusion = 0, exclusion = 0;
	for (size_t i = 0; ok && i < n; i++) {
		char id[UUID_STR_LEN];
		const char *kind = json_string_value(zones[i].kind);
		ok = zone_insert(req, ref.id, &zones[i], now, id) &&
		     em_scope_audit(req, &ref, AUDIT_COLLECT, "em_zone", id, ref.id);
		if (ok) {
			json_array_append_new(ids, json_string(id));
			if (strcmp(kind, "inclusion") == 0)
				inclusion++;
			else
				exclusion++;
		}
	}
	free(zones);
	char *summary = xasprintf("Imported %zu zones into the monitoring order (%ld inclusion, %ld exclusion)", n,
	                          inclusion, exclusion);
	char *detail = xasprintf("{\"order_id\":\"%s\",\"zones\":%zu,\"inclusion\":%ld,\"exclusion\":%ld}", ref.id, n,
	                         inclusion, exclusion);
	ok = ok && order_bump(req->db, ref.id, now) &&
	     case_event_add(req->db, ref.case_id, now, "em.zones_imported", req->principal.account_id, summary, detail,
	                    "em_order", ref.id) == DB_OK;
	free(summary);
	free(detail);
	json_t *items = ok ? json_array() : NULL;
	for (size_t i = 0; items && i < json_array_size(ids); i++) {
		json_t *row = zone_read(req->db, json_string_value(json_array_get(ids, i)));
		if (!row) {
			json_decref(items);
			items = NULL;
			break;
		}
		json_array_append_new(items, row);
	}
	json_decref(ids);
	if (!items) {
		api_db_failed(req, resp, "importing zones");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	rules_changed(req);
	http_response_json(resp, 201, json_pack("{s:o}", "items", items));
}

#define ABSENCE_COLUMNS \
	"SELECT a.id, a.order_id, a.starts_at, a.ends_at, a.reason, a.covers_zones AS is_covers_zones," \
	" ac.display_name AS approved_by_name, a.approved_at, a.cancelled_at, a.cancel_reason FROM em_absence a" \
	" JOIN account ac ON ac.id = a.approved_by"

static void absence_answer(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, ABSENCE_COLUMNS " WHERE a.id = ?", "t", id);
	if (!row) {
		api_db_failed(req, resp, "reading an absence");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(row);
		return;
	}
	rules_changed(req);
	http_response_json(resp, status, row);
}

void api_em_absence_create(struct http_request *req, struct http_response *resp)
{
	const char *order_id = http_request_param(req, "id");
	struct field_errors fe = {0};
	int64_t from = 0, to = 0;
	absence_check(req->json, &from, &to, &fe);
	struct em_order_ref ref;
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp) ||
	    !em_order_scope(req, resp, order_id, true, &ref) || !order_active(req, resp, &ref))
		return;
	bool covers = json_is_true(json_object_get(req->json, "covers_zones"));
	int64_t now = clock_now_ms();
	bool failed = false;
	json_t *order = api_select_one(req->db, &failed, "SELECT starts_on, ends_on FROM em_order WHERE id = ?", "t",
	                               ref.id);
	char first[11] = "", last[11] = "";
	if (!order || !api_local_date(req->db, from, first) || !api_local_date(req->db, to - 1, last)) {
		json_decref(order);
		api_db_failed(req, resp, "reading an order");
		return;
	}
	const char *starts_on = json_string_value(json_object_get(order, "starts_on"));
	const char *ends_on = json_string_value(json_object_get(order, "ends_on"));
	if (starts_on && strcmp(first, starts_on) < 0)
		field_error(&fe, "starts_at", "must be within the order's dates (%s to %s)", starts_on, ends_on);
	if (ends_on && strcmp(last, ends_on) > 0)
		field_error(&fe, "ends_at", "must be within the order's dates (%s to %s)", starts_on, ends_on);
	else if (to <= now)
		field_error(&fe, "ends_at", "must be in the future: an absence that is over cannot be approved");
	json_decref(order);
	if (!ref.mode_curfew && !covers)
		field_error(&fe, "covers_zones", "the order has no curfew: the absence must cover the zones");
	if (covers && !ref.mode_inclusion)
		field_error(&fe, "covers_zones", "the order does not include inclusion zones");
	if (api_errors_answer(req, resp, &fe))
		return;
	char id[UUID_STR_LEN];
	uuid_v7(id);
	long hours = (long)((to - from + 3599999) / 3600000);
	char *summary = xasprintf("Absence from monitoring approved (%s, %ld h)",
	                          covers ? (ref.mode_curfew ? "curfew and zones" : "zones") : "curfew", hours);
	char *detail = xasprintf("{\"order_id\":\"%s\",\"absence_id\":\"%s\",\"starts_at\":%lld,\"ends_at\":%lld,"
	                         "\"covers_zones\":%s}", ref.id, id, (long long)from, (long long)to,
	                         covers ? "true" : "false");
	bool ok = db_run(req->db, NULL,
	                 "INSERT INTO em_absence (id, order_id, starts_at, ends_at, reason, covers_zones, approved_by,"
	                 " approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	                 "ttiititi", id, ref.id, from, to, api_str(req, "reason"), (int64_t)covers,
	                 req->principal.account_id, now) == DB_OK &&
	          order_bump(req->db, ref.id, now) &&
	          case_event_add(req->db, ref.case_id, now, "em.absence_approved", req->principal.account_id, summary,
	                         detail, "em_absence", id) == DB_OK &&
	          em_scope_audit(req, &ref, AUDIT_COLLECT, "em_absence", id, ref.id);
	free(summary);
	free(detail);
	if (!ok) {
		api_db_failed(req, resp, "approving an absence");
		return;
	}
	absence_answer(req, resp, id, 201);
}

void api_em_absence_cancel(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	em_zones_body_validate("absence_cancel", req->json, NULL, &fe);
	if (field_errors_respond(&fe, resp, req) || !api_begin(req, resp))
		return;
	bool failed = false;
	json_t *row = api_select_one(req->db, &failed, "SELECT order_id, ends_at, cancelled_at FROM em_absence"
	                                               " WHERE id = ?", "t", id);
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading an absence");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "absence");
		}
		return;
	}
	char order_id[UUID_STR_LEN];
	at(order_id, sizeof order_id, "%s", json_string_value(json_object_get(row, "order_id")));
	bool cancelled = !json_is_null(json_object_get(row, "cancelled_at"));
	json_decref(row);
	struct em_order_ref ref;
	if (!em_order_scope(req, resp, order_id, true, &ref))
		return;
	if (cancelled) {
		api_conflict(req, resp, "absence-cancelled", "The absence is cancelled already",
		             "This absence was cancelled before.");
		return;
	}
	int64_t now = clock_now_ms(), changes = 0;
	if (db_run(req->db, &changes,
	           "UPDATE em_absence SET cancelled_at = ?, cancelled_by = ?, cancel_reason = ? WHERE id = ?"
	           " AND cancelled_at IS NULL AND ends_at > ?", "ittti", now, req->principal.account_id,
	           api_str(req, "reason"), id, now) != DB_OK) {
		api_db_failed(req, resp, "cancelling an absence");
		return;
	}
	if (changes == 0) {
		api_conflict(req, resp, "absence-over", "The absence is over",
		             "An absence that has ended cannot be cancelled.");
		return;
	}
	/* The reason is free text: kept on the absence (cancel_reason), not on the timeline. */
	char *detail = xasprintf("{\"order_id\":\"%s\",\"absence_id\":\"%s\"}", ref.id, id);
	bool ok = order_bump(req->db, ref.id, now) &&
	          case_event_add(req->db, ref.case_id, now, "em.absence_cancelled", req->principal.account_id,
	                         "Approved absence from monitoring cancelled", detail, "em_absence", id) == DB_OK &&
	          em_scope_audit(req, &ref, AUDIT_ALTER, "em_absence", id, ref.id);
	free(detail);
	if (!ok) {
		api_db_failed(req, resp, "cancelling an absence");
		return;
	}
	absence_answer(req, resp, id, 200);
}
