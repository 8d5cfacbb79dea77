/* Fuzz target: the electronic-monitoring zone and absence bodies (POST /api/v1/em/orders/{id}/zones, PUT
 * /api/v1/em/zones/{id}, POST .../retirement, POST /api/v1/em/orders/{id}/zones/import, POST
 * /api/v1/em/orders/{id}/absences, POST /api/v1/em/absences/{id}/cancellation): GeoJSON through the structural
 * checks and GEOS. */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool zone(const json_t *b, struct field_errors *fe)
{
	return em_zones_body_validate("zone", b, "2026-03-15", fe);
}

static bool import(const json_t *b, struct field_errors *fe)
{
	return em_zones_body_validate("import", b, "2026-03-15", fe);
}

static bool absence(const json_t *b, struct field_errors *fe)
{
	return em_zones_body_validate("absence", b, "2026-03-15", fe);
}

static bool retire(const json_t *b, struct field_errors *fe)
{
	return em_zones_body_validate("zone_retire", b, "2026-03-15", fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/em/orders/x/zones", zone);
	fuzz_json_body(data, size, "/api/v1/em/orders/x/zones/import", import);
	fuzz_json_body(data, size, "/api/v1/em/zones/x/retirement", retire);
	return fuzz_json_body(data, size, "/api/v1/em/orders/x/absences", absence);
}
