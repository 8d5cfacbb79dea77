/* Fuzz target: bytes from a Teltonika connection: the IMEI packet (when the bytes start with one), then AVL packets
 * one after another, as the listener decodes them. */
#include <stdint.h>
#include <stdlib.h>

#include "em/protocols/teltonika.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct em_fix fixes[TELTONIKA_MAX_RECORDS];
	char err[160], imei[16];
	size_t off = 0;
	if (size >= 2 && (data[0] || data[1])) {
		ssize_t used = teltonika_decode_imei(data, size, imei, err, sizeof err);
		if (used <= 0)
			return 0;
		off = (size_t)used;
	}
	while (off < size) {
		size_t n = 0;
		uint8_t codec = 0;
		ssize_t used =
			teltonika_decode_avl(data + off, size - off, fixes, TELTONIKA_MAX_RECORDS, &n, &codec, err, sizeof err);
		if (used <= 0)
			break;
		if ((size_t)used > size - off || n > TELTONIKA_MAX_RECORDS)
			abort();
		off += (size_t)used;
	}
	return 0;
}
