/* Fuzz target: the electronic-monitoring inventory and order bodies (POST/PUT /api/v1/em/devices, POST
 * /api/v1/cases/{id}/em-orders, PUT /api/v1/em/orders/{id}, the end, fitting and removal bodies). */
#include "fuzz_body.h"

#include "api/api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TODAY "2026-03-15"

static bool device(const json_t *b, struct field_errors *fe) { return em_orders_body_validate("device", b, TODAY, fe); }
static bool device_update(const json_t *b, struct field_errors *fe)
{
	return em_orders_body_validate("device_update", b, TODAY, fe);
}
static bool order(const json_t *b, struct field_errors *fe) { return em_orders_body_validate("order", b, TODAY, fe); }
static bool order_update(const json_t *b, struct field_errors *fe)
{
	return em_orders_body_validate("order_update", b, TODAY, fe);
}
static bool end(const json_t *b, struct field_errors *fe) { return em_orders_body_validate("end", b, TODAY, fe); }
static bool fitting(const json_t *b, struct field_errors *fe) { return em_orders_body_validate("fitting", b, TODAY, fe); }
static bool removal(const json_t *b, struct field_errors *fe) { return em_orders_body_validate("removal", b, TODAY, fe); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_json_body(data, size, "/api/v1/em/devices", device);
	fuzz_json_body(data, size, "/api/v1/em/devices/x", device_update);
	fuzz_json_body(data, size, "/api/v1/cases/x/em-orders", order);
	fuzz_json_body(data, size, "/api/v1/em/orders/x", order_update);
	fuzz_json_body(data, size, "/api/v1/em/orders/x/end", end);
	fuzz_json_body(data, size, "/api/v1/em/orders/x/fittings", fitting);
	return fuzz_json_body(data, size, "/api/v1/em/fittings/x/removal", removal);
}
