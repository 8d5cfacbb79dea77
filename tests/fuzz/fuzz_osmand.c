/* Fuzz target: an OsmAnd message (GET /api/v1/em/osmand), as a query string and as a Traccar Client JSON body. */
#include <stdint.h>
#include <stdlib.h>

#include "em/protocols/osmand.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct em_fix fix;
	char err[160];
	if (osmand_decode_query((const char *)data, size, &fix, err, sizeof err) && !fix.device[0])
		abort(); /* a decoded message always names its device */
	if (osmand_decode_json((const char *)data, size, &fix, err, sizeof err) && !fix.device[0])
		abort();
	return 0;
}
