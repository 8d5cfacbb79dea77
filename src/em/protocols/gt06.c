/* gt06.c — PLACEHOLDER (issue 7, owner: decoders). */
#include "em/protocols/gt06.h"

#include <stdio.h>

ssize_t gt06_decode(const uint8_t *buf, size_t len, struct gt06_msg *msg_r, char *err, size_t cap)
{
	(void)buf; (void)len; (void)msg_r;
	snprintf(err, cap, "PLACEHOLDER");
	return -1;
}
size_t gt06_ack(uint8_t protocol, uint16_t serial, uint8_t out[16]) { (void)protocol; (void)serial; (void)out; return 0; }
size_t gt06_encode_login(const char *imei, uint16_t serial, uint8_t *out, size_t cap)
{ (void)imei; (void)serial; (void)out; (void)cap; return 0; }
size_t gt06_encode_location(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap)
{ (void)fix; (void)serial; (void)out; (void)cap; return 0; }
size_t gt06_encode_alarm(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap)
{ (void)fix; (void)serial; (void)out; (void)cap; return 0; }
uint16_t gt06_crc(const uint8_t *data, size_t len) { (void)data; (void)len; return 0; }
