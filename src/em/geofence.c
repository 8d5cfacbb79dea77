/*
 * geofence.c — zones for the evaluator (see geofence.h).
 *
 * A polygon is projected once, when it is read, to a local metric plane
 * around its centre (lat0, lon0):
 *
 *   x = wrap(lon - lon0) * cos(lat0) * 111320 m,   y = (lat - lat0) * 110574 m
 *
 * with wrap() to [-180, 180), so distances are metres and a polygon across the
 * antimeridian is one piece. RFC 7946 (3.1.9) asks writers to split such a
 * polygon at ±180 into a MultiPolygon; both forms are read: a MultiPolygon
 * whose parts touch at ±180 (its parts, projected around one centre, are
 * merged by a union) and a Polygon whose longitudes run past 180 (or -180).
 * The centre's longitude is the circular mean of the vertices, so the parts of
 * a split polygon are averaged across ±180, not across Greenwich.
 *
 * A point is tested first against the zone's box on raw coordinates (the
 * latitude and the wrapped longitude difference from lon0, the box grown by
 * near_m in degrees); only a hit builds a GEOS point in the same projection
 * (GEOS 3.11 has no PreparedContainsXY). Circles need no GEOS: the same
 * projection with the mean latitude of the centre and the point.
 *
 * GEOS runs through its re-entrant API with one context per thread (a
 * pthread key whose destructor finishes it when the thread ends): the ingest
 * writer's evaluator and a benchmark each get their own.
 */
#include "em/geofence.h"

#include <geos_c.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define M_PER_DEG_LAT 110574.0
#define M_PER_DEG_LON 111320.0
#define GEOFENCE_MAX_POINTS 20000 /* positions in one zone, all rings */
#define GEOFENCE_LINEAR_MAX 8     /* a set of more zones uses the STRtree */

/* A zone: its projection, its box and its shape. Owns the GEOS objects. */
struct geofence_zone {
	/* What every point asks (the box, then the prepared shape), first and in one 64-byte line: zones are
	 * allocated on a line's boundary (zone_new), so the box test costs one cache miss at most (perf: the box's
	 * fields across two lines cost a quarter of geofence_contains against the raw method's inline boxes). */
	double lat0;                  /* the projection's centre (a circle's centre) */
	double min_dlat, max_dlat;    /* the box: degrees from lat0 */
	double lon0;
	double min_dlon, max_dlon;    /* the box: wrapped degrees from lon0 */
	double kx;                    /* metres per degree of longitude at lat0 */
	const GEOSPreparedGeometry *prep;          /* shape, prepared (containment) */
	bool circle;
	double radius_m;              /* circle */
	double cos_min;               /* cos of the box's latitude farthest from the equator (to grow it by metres) */
	GEOSGeometry *shape;          /* polygon, projected */
	GEOSGeometry *boundary;       /* its rings, projected */
	const GEOSPreparedGeometry *prep_boundary; /* boundary, prepared (distance) */
};

/* A set of borrowed zones, with an STRtree on their raw boxes when there are many. */
struct geofence_set {
	struct geofence_zone **zones;
	size_t n;
	GEOSSTRtree *tree;            /* NULL for small sets */
	GEOSGeometry **boxes;         /* the inserted envelopes (kept for the tree's life) */
	size_t nboxes;
	size_t *items;                /* items[i] == i: what the tree hands back */
};

/* A zeroed zone on a cache line's boundary (NULL when out of memory). */
static struct geofence_zone *zone_new(void)
{
	size_t size = (sizeof(struct geofence_zone) + 63) / 64 * 64;
	struct geofence_zone *z = aligned_alloc(64, size);
	if (z)
		memset(z, 0, size);
	return z;
}

/* ---- the thread's GEOS context -------------------------------------------------------------- */

static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void ctx_finish(void *h)
{
	GEOS_finish_r((GEOSContextHandle_t)h);
}

static void ctx_key_make(void)
{
	(void)pthread_key_create(&ctx_key, ctx_finish);
}

/* GEOS's messages go nowhere: a bad zone is reported by the caller, in its own words. */
static void geos_quiet(const char *fmt, ...)
{
	(void)fmt;
}

/* The thread's handle: a thread-local copy answers the question asked for every point (perf: pthread_once and
 * pthread_getspecific per point were a tenth of geofence_contains); the key only finishes it at thread exit. */
static _Thread_local GEOSContextHandle_t ctx_here;

static GEOSContextHandle_t ctx(void)
{
	if (ctx_here)
		return ctx_here;
	pthread_once(&ctx_once, ctx_key_make);
	GEOSContextHandle_t h = pthread_getspecific(ctx_key);
	if (h == NULL) {
		h = GEOS_init_r();
		if (h == NULL)
			abort();
		GEOSContext_setNoticeHandler_r(h, geos_quiet);
		GEOSContext_setErrorHandler_r(h, geos_quiet);
		(void)pthread_setspecific(ctx_key, h);
	}
	ctx_here = h;
	return h;
}

/* ---- projection ----------------------------------------------------------------------------- */

static double wrap180(double d)
{
	while (d >= 180.0)
		d -= 360.0;
	while (d < -180.0)
		d += 360.0;
	return d;
}

static double rad(double deg)
{
	return deg * (M_PI / 180.0);
}

static void project(const struct geofence_zone *z, double lat, double lon, double *x_r, double *y_r)
{
	*x_r = wrap180(lon - z->lon0) * z->kx;
	*y_r = (lat - z->lat0) * M_PER_DEG_LAT;
}

/* Whether the point is within the zone's raw box grown by near_m. */
static bool box_hit(const struct geofence_zone *z, double lat, double lon, double near_m)
{
	double dlat = lat - z->lat0;
	double glat = near_m / M_PER_DEG_LAT;
	if (dlat < z->min_dlat - glat || dlat > z->max_dlat + glat)
		return false;
	double dlon = wrap180(lon - z->lon0);
	double glon = near_m / (M_PER_DEG_LON * (z->cos_min > 0.01 ? z->cos_min : 0.01));
	return dlon >= z->min_dlon - glon && dlon <= z->max_dlon + glon;
}

/* ---- reading GeoJSON ------------------------------------------------------------------------ */

static void set_err(char *err, size_t cap, const char *fmt, ...)
{
	if (err == NULL || cap == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
}

/* The polygons of the geometry as an array of polygons (each an array of rings); NULL with err. */
static const json_t *polygons_of(const json_t *g, json_t **owned_r, char *err, size_t cap)
{
	*owned_r = NULL;
	const char *type = json_string_value(json_object_get(g, "type"));
	const json_t *coords = json_object_get(g, "coordinates");
	if (!json_is_object(g) || type == NULL) {
		set_err(err, cap, "must be a GeoJSON geometry object with a type");
		return NULL;
	}
	if (!json_is_array(coords) || json_array_size(coords) == 0) {
		set_err(err, cap, "must have coordinates");
		return NULL;
	}
	if (strcmp(type, "Polygon") == 0) {
		*owned_r = json_array();
		json_array_append(*owned_r, (json_t *)coords);
		return *owned_r;
	}
	if (strcmp(type, "MultiPolygon") == 0)
		return coords;
	set_err(err, cap, "must be a Polygon or a MultiPolygon, not %s", type);
	return NULL;
}

/* Checks every ring (closed, 4+ positions of two numbers in range) and counts positions; false with err. */
static bool rings_check(const json_t *polys, size_t *points_r, double *sum_lat_r, double *sum_sin_r,
                        double *sum_cos_r, char *err, size_t cap)
{
	size_t pi, ri, k;
	const json_t *poly, *ring, *pos;
	*points_r = 0;
	json_array_foreach(polys, pi, poly) {
		if (!json_is_array(poly) || json_array_size(poly) == 0) {
			set_err(err, cap, "polygon %zu must be an array of rings", pi);
			return false;
		}
		json_array_foreach(poly, ri, ring) {
			if (!json_is_array(ring) || json_array_size(ring) < 4) {
				set_err(err, cap, "polygon %zu ring %zu must have at least 4 positions", pi, ri);
				return false;
			}
			json_array_foreach(ring, k, pos) {
				const json_t *x = json_array_get(pos, 0), *y = json_array_get(pos, 1);
				if (!json_is_array(pos) || json_array_size(pos) < 2 || !json_is_number(x) || !json_is_number(y)) {
					set_err(err, cap, "polygon %zu ring %zu position %zu must be [longitude, latitude]", pi, ri, k);
					return false;
				}
				double lon = json_number_value(x), lat = json_number_value(y);
				if (!(lat >= -85.0 && lat <= 85.0) || !(lon >= -540.0 && lon <= 540.0)) {
					set_err(err, cap, "polygon %zu ring %zu position %zu is out of range", pi, ri, k);
					return false;
				}
				if (++*points_r > GEOFENCE_MAX_POINTS) {
					set_err(err, cap, "has more than %d positions", GEOFENCE_MAX_POINTS);
					return false;
				}
				if (k + 1 < json_array_size(ring)) { /* the closing position repeats the first */
					*sum_lat_r += lat;
					*sum_sin_r += sin(rad(lon));
					*sum_cos_r += cos(rad(lon));
				}
			}
			const json_t *a = json_array_get(ring, 0), *b = json_array_get(ring, json_array_size(ring) - 1);
			if (json_number_value(json_array_get(a, 0)) != json_number_value(json_array_get(b, 0)) ||
			    json_number_value(json_array_get(a, 1)) != json_number_value(json_array_get(b, 1))) {
				set_err(err, cap, "polygon %zu ring %zu is not closed (its last position must repeat the first)",
				        pi, ri);
				return false;
			}
		}
	}
	return true;
}

/* One ring, projected, as a GEOS linear ring (the box grows to hold it). */
static GEOSGeometry *ring_make(GEOSContextHandle_t h, struct geofence_zone *z, const json_t *ring)
{
	size_t n = json_array_size(ring);
	GEOSCoordSequence *cs = GEOSCoordSeq_create_r(h, (unsigned)n, 2);
	if (cs == NULL)
		return NULL;
	for (size_t k = 0; k < n; k++) {
		const json_t *pos = json_array_get(ring, k);
		double lon = json_number_value(json_array_get(pos, 0)), lat = json_number_value(json_array_get(pos, 1));
		double x, y, dlat = lat - z->lat0, dlon = wrap180(lon - z->lon0);
		project(z, lat, lon, &x, &y);
		GEOSCoordSeq_setXY_r(h, cs, (unsigned)k, x, y);
		if (dlat < z->min_dlat)
			z->min_dlat = dlat;
		if (dlat > z->max_dlat)
			z->max_dlat = dlat;
		if (dlon < z->min_dlon)
			z->min_dlon = dlon;
		if (dlon > z->max_dlon)
			z->max_dlon = dlon;
	}
	return GEOSGeom_createLinearRing_r(h, cs);
}

/* One polygon (outer ring, holes), projected. */
static GEOSGeometry *polygon_make(GEOSContextHandle_t h, struct geofence_zone *z, const json_t *poly)
{
	size_t nholes = json_array_size(poly) - 1;
	GEOSGeometry *shell = ring_make(h, z, json_array_get(poly, 0));
	GEOSGeometry **holes = nholes ? calloc(nholes, sizeof *holes) : NULL;
	bool ok = shell != NULL && (nholes == 0 || holes != NULL);
	for (size_t i = 0; ok && i < nholes; i++)
		ok = (holes[i] = ring_make(h, z, json_array_get(poly, i + 1))) != NULL;
	if (!ok) {
		if (shell)
			GEOSGeom_destroy_r(h, shell);
		for (size_t i = 0; holes && i < nholes; i++)
			if (holes[i])
				GEOSGeom_destroy_r(h, holes[i]);
		free(holes);
		return NULL;
	}
	GEOSGeometry *p = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nholes);
	free(holes);
	return p;
}

/* The zone's shape from its polygons: one polygon as it is; several merged by a union (a split at ±180). */
static GEOSGeometry *shape_make(GEOSContextHandle_t h, struct geofence_zone *z, const json_t *polys, char *err,
                                size_t cap)
{
	size_t n = json_array_size(polys);
	GEOSGeometry **parts = calloc(n, sizeof *parts);
	if (parts == NULL)
		abort();
	size_t made = 0;
	for (; made < n; made++) {
		parts[made] = polygon_make(h, z, json_array_get(polys, made));
		if (parts[made] == NULL)
			break;
	}
	if (made < n) {
		for (size_t i = 0; i < made; i++)
			GEOSGeom_destroy_r(h, parts[i]);
		free(parts);
		set_err(err, cap, "polygon %zu cannot be built", made);
		return NULL;
	}
	GEOSGeometry *g = NULL;
	for (size_t i = 0; i < n; i++) {
		if (GEOSisValid_r(h, parts[i]) != 1) {
			set_err(err, cap, "polygon %zu is not valid (its rings cross or touch themselves)", i);
			for (size_t k = 0; k < n; k++)
				GEOSGeom_destroy_r(h, parts[k]);
			free(parts);
			return NULL;
		}
	}
	if (n == 1) {
		g = parts[0];
	} else {
		GEOSGeometry *multi = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, (unsigned)n);
		if (multi != NULL) {
			g = GEOSUnaryUnion_r(h, multi);
			GEOSGeom_destroy_r(h, multi);
		} else {
			for (size_t k = 0; k < n; k++)
				GEOSGeom_destroy_r(h, parts[k]);
		}
	}
	free(parts);
	double area = 0;
	if (g == NULL || GEOSArea_r(h, g, &area) != 1 || !(area > 0)) {
		if (g)
			GEOSGeom_destroy_r(h, g);
		set_err(err, cap, "has no area");
		return NULL;
	}
	return g;
}

struct geofence_zone *geofence_polygon(const char *geojson, size_t len, char *err, size_t cap)
{
	json_error_t je;
	json_t *root = geojson ? json_loadb(geojson, len, JSON_REJECT_DUPLICATES, &je) : NULL;
	if (root == NULL) {
		set_err(err, cap, "is not JSON");
		return NULL;
	}
	json_t *owned = NULL;
	const json_t *polys = polygons_of(root, &owned, err, cap);
	size_t points = 0;
	double sum_lat = 0, sum_sin = 0, sum_cos = 0;
	if (polys == NULL || !rings_check(polys, &points, &sum_lat, &sum_sin, &sum_cos, err, cap)) {
		json_decref(owned);
		json_decref(root);
		return NULL;
	}
	struct geofence_zone *z = zone_new();
	if (z == NULL)
		abort();
	size_t nrings = 0; /* each ring's closing position was left out of the sums */
	size_t pi;
	const json_t *poly;
	json_array_foreach(polys, pi, poly)
		nrings += json_array_size(poly);
	double m = (double)(points - nrings);
	z->lat0 = sum_lat / m;
	z->lon0 = wrap180(atan2(sum_sin / m, sum_cos / m) * (180.0 / M_PI));
	z->kx = cos(rad(z->lat0)) * M_PER_DEG_LON;
	z->min_dlat = z->min_dlon = INFINITY;
	z->max_dlat = z->max_dlon = -INFINITY;
	GEOSContextHandle_t h = ctx();
	z->shape = shape_make(h, z, polys, err, cap);
	json_decref(owned);
	json_decref(root);
	if (z->shape == NULL) {
		free(z);
		return NULL;
	}
	double far = fmax(fabs(z->lat0 + z->min_dlat), fabs(z->lat0 + z->max_dlat));
	z->cos_min = cos(rad(fmin(far + 1.0, 89.0)));
	z->boundary = GEOSBoundary_r(h, z->shape);
	z->prep = GEOSPrepare_r(h, z->shape);
	z->prep_boundary = z->boundary ? GEOSPrepare_r(h, z->boundary) : NULL;
	if (z->boundary == NULL || z->prep == NULL || z->prep_boundary == NULL) {
		set_err(err, cap, "cannot be prepared");
		geofence_zone_free(z);
		return NULL;
	}
	return z;
}

struct geofence_zone *geofence_circle(double lat, double lon, double radius_m)
{
	if (!(lat >= -85.0 && lat <= 85.0) || !(lon >= -180.0 && lon <= 180.0) || !(radius_m > 0))
		return NULL;
	struct geofence_zone *z = zone_new();
	if (z == NULL)
		abort();
	z->circle = true;
	z->lat0 = lat;
	z->lon0 = wrap180(lon);
	z->kx = cos(rad(lat)) * M_PER_DEG_LON;
	z->radius_m = radius_m;
	double dlat = radius_m / M_PER_DEG_LAT;
	double far = fmin(fabs(lat) + dlat + 1.0, 89.0);
	z->cos_min = cos(rad(far));
	double dlon = radius_m / (M_PER_DEG_LON * z->cos_min);
	z->min_dlat = -dlat;
	z->max_dlat = dlat;
	z->min_dlon = -dlon;
	z->max_dlon = dlon;
	return z;
}

void geofence_zone_free(struct geofence_zone *z)
{
	if (z == NULL)
		return;
	GEOSContextHandle_t h = z->circle ? NULL : ctx();
	if (z->prep)
		GEOSPreparedGeom_destroy_r(h, z->prep);
	if (z->prep_boundary)
		GEOSPreparedGeom_destroy_r(h, z->prep_boundary);
	if (z->shape)
		GEOSGeom_destroy_r(h, z->shape);
	if (z->boundary)
		GEOSGeom_destroy_r(h, z->boundary);
	free(z);
}

/* ---- questions ------------------------------------------------------------------------------ */

/* A circle's signed distance: the projection at the mean latitude of the centre and the point. */
static double circle_distance(const struct geofence_zone *z, double lat, double lon)
{
	double dx = wrap180(lon - z->lon0) * cos(rad((lat + z->lat0) / 2)) * M_PER_DEG_LON;
	double dy = (lat - z->lat0) * M_PER_DEG_LAT;
	return sqrt(dx * dx + dy * dy) - z->radius_m;
}

static GEOSGeometry *point_make(GEOSContextHandle_t h, const struct geofence_zone *z, double lat, double lon)
{
	double x, y;
	project(z, lat, lon, &x, &y);
	return GEOSGeom_createPointFromXY_r(h, x, y);
}

double geofence_distance(struct geofence_zone *z, double lat, double lon, double near_m)
{
	if (near_m < 0)
		near_m = 0;
	if (!box_hit(z, lat, lon, near_m))
		return near_m + 1.0;
	if (z->circle)
		return circle_distance(z, lat, lon);
	GEOSContextHandle_t h = ctx();
	GEOSGeometry *pt = point_make(h, z, lat, lon);
	if (pt == NULL)
		return near_m + 1.0;
	char inside = GEOSPreparedContains_r(h, z->prep, pt);
	double d = near_m + 1.0;
	if (GEOSPreparedDistance_r(h, z->prep_boundary, pt, &d) != 1)
		d = near_m + 1.0;
	GEOSGeom_destroy_r(h, pt);
	return inside == 1 ? -d : d;
}

/* box_hit without the growth (near_m 0): the question geofence_contains asks of every point, kept to the few
 * comparisons the raw method makes (perf: the growth's divisions cost a fifth of the box test). */
static bool box_hit_exact(const struct geofence_zone *z, double lat, double lon)
{
	double dlat = lat - z->lat0;
	if (dlat < z->min_dlat || dlat > z->max_dlat)
		return false;
	double dlon = lon - z->lon0;
	if (dlon >= 180.0 || dlon < -180.0)
		dlon = wrap180(dlon);
	return dlon >= z->min_dlon && dlon <= z->max_dlon;
}

bool geofence_contains(struct geofence_zone *z, double lat, double lon)
{
	if (!box_hit_exact(z, lat, lon))
		return false;
	if (z->circle)
		return circle_distance(z, lat, lon) < 0;
	GEOSContextHandle_t h = ctx();
	GEOSGeometry *pt = point_make(h, z, lat, lon);
	if (pt == NULL)
		return false;
	char inside = GEOSPreparedContains_r(h, z->prep, pt);
	GEOSGeom_destroy_r(h, pt);
	return inside == 1;
}

/* ---- sets ----------------------------------------------------------------------------------- */

/* Inserts a raw box (degrees) into the tree: the zone's box and, when it runs past ±180, its copy shifted into
   [-180, 180] too. */
static void tree_insert(GEOSContextHandle_t h, struct geofence_set *s, size_t i)
{
	const struct geofence_zone *z = s->zones[i];
	double y0 = z->lat0 + z->min_dlat, y1 = z->lat0 + z->max_dlat;
	double x0 = z->lon0 + z->min_dlon, x1 = z->lon0 + z->max_dlon;
	double shifts[3] = {0, 0, 0};
	int nshift = 1;
	if (x1 > 180.0)
		shifts[nshift++] = -360.0;
	if (x0 < -180.0)
		shifts[nshift++] = 360.0;
	for (int k = 0; k < nshift; k++) {
		GEOSGeometry *box = GEOSGeom_createRectangle_r(h, x0 + shifts[k], y0, x1 + shifts[k], y1);
		if (box == NULL)
			continue;
		GEOSSTRtree_insert_r(h, s->tree, box, &s->items[i]);
		s->boxes[s->nboxes++] = box;
	}
}

struct geofence_set *geofence_set_new(struct geofence_zone **zones, size_t n)
{
	struct geofence_set *s = calloc(1, sizeof *s);
	if (s == NULL)
		abort();
	s->zones = zones;
	s->n = n;
	if (n <= GEOFENCE_LINEAR_MAX)
		return s;
	GEOSContextHandle_t h = ctx();
	s->items = calloc(n, sizeof *s->items);
	s->boxes = calloc(n * 3, sizeof *s->boxes);
	s->tree = GEOSSTRtree_create_r(h, 10);
	if (s->items == NULL || s->boxes == NULL || s->tree == NULL)
		abort();
	for (size_t i = 0; i < n; i++) {
		s->items[i] = i;
		tree_insert(h, s, i);
	}
	return s;
}

/* What a tree query collects: candidate zone numbers. */
struct near_hits {
	size_t *idx;
	size_t n, cap;
};

static void near_collect(void *item, void *data)
{
	struct near_hits *hits = data;
	size_t i = *(const size_t *)item;
	for (size_t k = 0; k < hits->n; k++)
		if (hits->idx[k] == i)
			return;
	if (hits->n < hits->cap)
		hits->idx[hits->n++] = i;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

size_t geofence_set_near(struct geofence_set *s, double lat, double lon, double near_m, size_t *out, size_t cap)
{
	if (s == NULL || cap == 0)
		return 0;
	if (near_m < 0)
		near_m = 0;
	size_t n = 0;
	if (s->tree == NULL) {
		for (size_t i = 0; i < s->n && n < cap; i++)
			if (geofence_distance(s->zones[i], lat, lon, near_m) <= near_m)
				out[n++] = i;
		return n;
	}
	GEOSContextHandle_t h = ctx();
	double glat = near_m / M_PER_DEG_LAT;
	double c = cos(rad(fmin(fabs(lat) + glat, 89.0)));
	double glon = near_m / (M_PER_DEG_LON * (c > 0.01 ? c : 0.01));
	double x = wrap180(lon);
	size_t *cand = calloc(s->n, sizeof *cand);
	if (cand == NULL)
		abort();
	struct near_hits hits = {cand, 0, s->n};
	GEOSGeometry *q = GEOSGeom_createRectangle_r(h, x - glon, lat - glat, x + glon, lat + glat);
	if (q != NULL) {
		GEOSSTRtree_query_r(h, s->tree, q, near_collect, &hits);
		GEOSGeom_destroy_r(h, q);
	}
	/* A query box past ±180 also looks at the other side. */
	if (x + glon > 180.0 || x - glon < -180.0) {
		double shift = x + glon > 180.0 ? -360.0 : 360.0;
		q = GEOSGeom_createRectangle_r(h, x - glon + shift, lat - glat, x + glon + shift, lat + glat);
		if (q != NULL) {
			GEOSSTRtree_query_r(h, s->tree, q, near_collect, &hits);
			GEOSGeom_destroy_r(h, q);
		}
	}
	qsort(hits.idx, hits.n, sizeof *hits.idx, cmp_size);
	for (size_t k = 0; k < hits.n && n < cap; k++)
		if (geofence_distance(s->zones[hits.idx[k]], lat, lon, near_m) <= near_m)
			out[n++] = hits.idx[k];
	free(cand);
	return n;
}

void geofence_set_free(struct geofence_set *s)
{
	if (s == NULL)
		return;
	if (s->tree) {
		GEOSContextHandle_t h = ctx();
		GEOSSTRtree_destroy_r(h, s->tree);
		for (size_t i = 0; i < s->nboxes; i++)
			GEOSGeom_destroy_r(h, s->boxes[i]);
	}
	free(s->boxes);
	free(s->items);
	free(s);
}
