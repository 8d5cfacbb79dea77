/* geofence.c — PLACEHOLDER (issue 7, owner: evaluate). */
#include "em/geofence.h"

struct geofence_zone *geofence_polygon(const char *geojson, size_t len, char *err, size_t cap)
{ (void)geojson; (void)len; (void)err; (void)cap; return NULL; }
struct geofence_zone *geofence_circle(double lat, double lon, double radius_m) { (void)lat; (void)lon; (void)radius_m; return NULL; }
void geofence_zone_free(struct geofence_zone *z) { (void)z; }
double geofence_distance(struct geofence_zone *z, double lat, double lon, double near_m)
{ (void)z; (void)lat; (void)lon; return near_m; }
bool geofence_contains(struct geofence_zone *z, double lat, double lon) { (void)z; (void)lat; (void)lon; return false; }
struct geofence_set *geofence_set_new(struct geofence_zone **zones, size_t n) { (void)zones; (void)n; return NULL; }
size_t geofence_set_near(struct geofence_set *s, double lat, double lon, double near_m, size_t *out, size_t cap)
{ (void)s; (void)lat; (void)lon; (void)near_m; (void)out; (void)cap; return 0; }
void geofence_set_free(struct geofence_set *s) { (void)s; }
