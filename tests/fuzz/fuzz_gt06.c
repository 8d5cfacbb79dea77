/* Fuzz target: bytes from a GT06 connection, decoded frame after frame as the listener does. */
#include <stdint.h>
#include <stdlib.h>

#include "em/protocols/gt06.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	while (off < size) {
		struct gt06_msg msg;
		char err[160];
		ssize_t used = gt06_decode(data + off, size - off, &msg, err, sizeof err);
		if (used <= 0)
			break;
		if ((size_t)used > size - off)
			abort(); /* a frame longer than the bytes given */
		uint8_t ack[16];
		if (msg.needs_ack && gt06_ack(msg.protocol, msg.serial, ack) != 10)
			abort();
		off += (size_t)used;
	}
	return 0;
}
