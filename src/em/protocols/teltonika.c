/* teltonika.c — PLACEHOLDER (issue 7, owner: decoders). */
#include "em/protocols/teltonika.h"

#include <stdio.h>

ssize_t teltonika_decode_imei(const uint8_t *buf, size_t len, char imei[16], char *err, size_t cap)
{
	(void)buf; (void)len; (void)imei;
	snprintf(err, cap, "PLACEHOLDER");
	return -1;
}
ssize_t teltonika_decode_avl(const uint8_t *buf, size_t len, struct em_fix *fixes, size_t cap_fixes, size_t *n_r,
                             uint8_t *codec_r, char *err, size_t cap)
{
	(void)buf; (void)len; (void)fixes; (void)cap_fixes; (void)n_r; (void)codec_r;
	snprintf(err, cap, "PLACEHOLDER");
	return -1;
}
size_t teltonika_encode_imei(const char *imei, uint8_t *out, size_t cap) { (void)imei; (void)out; (void)cap; return 0; }
size_t teltonika_encode_avl(uint8_t codec, const struct em_fix *fixes, size_t n, uint8_t *out, size_t cap)
{ (void)codec; (void)fixes; (void)n; (void)out; (void)cap; return 0; }
uint16_t teltonika_crc(const uint8_t *data, size_t len) { (void)data; (void)len; return 0; }
