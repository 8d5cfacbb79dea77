/*
 * geofence.h — zones as the evaluator uses them: a polygon (GEOS prepared
 * geometry in a local metric projection around the zone, so distances are
 * metres and a zone across the antimeridian or the prime meridian is one
 * piece) or a circle, with a bounding box tested on raw coordinates before
 * any GEOS call. A zone set of many zones sits in a GEOS STRtree. Pure: no
 * SQL, no clock; GEOS through its re-entrant (_r) API, one context per
 * thread.
 */
#ifndef KADAM_EM_GEOFENCE_H
#define KADAM_EM_GEOFENCE_H

#include <stdbool.h>
#include <stddef.h>

struct geofence_zone;
struct geofence_set;

/* A polygon zone from a GeoJSON Polygon or MultiPolygon geometry (text). NULL with err on a bad one. */
struct geofence_zone *geofence_polygon(const char *geojson, size_t len, char *err, size_t cap);
/* A circle zone. */
struct geofence_zone *geofence_circle(double lat, double lon, double radius_m);
void geofence_zone_free(struct geofence_zone *z);

/*
 * The signed distance in metres from the point to the zone's edge: negative inside, positive outside. Exact only
 * within `near_m` of the edge; farther away it returns any value of the right sign beyond near_m (the box test
 * answers without GEOS).
 */
double geofence_distance(struct geofence_zone *z, double lat, double lon, double near_m);
/* Inside or not, nothing more (the fastest question). */
bool geofence_contains(struct geofence_zone *z, double lat, double lon);

/* A set of zones (borrowed) indexed by an STRtree; the zones within near_m of a point, into out (at most cap). */
struct geofence_set *geofence_set_new(struct geofence_zone **zones, size_t n);
size_t geofence_set_near(struct geofence_set *s, double lat, double lon, double near_m, size_t *out, size_t cap);
void geofence_set_free(struct geofence_set *s);

#endif
