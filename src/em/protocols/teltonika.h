/*
 * teltonika.h — Teltonika's TCP protocol: the IMEI packet (two-byte length,
 * ASCII digits; answered 0x01 or 0x00), then AVL data packets (four zero
 * bytes, data length, codec 0x08 or 0x8E, record count, records, count again,
 * CRC-16/IBM over the data), answered with the number of records accepted as
 * four bytes. IO elements carry battery, power and tamper events. Pure.
 */
#ifndef KADAM_EM_TELTONIKA_H
#define KADAM_EM_TELTONIKA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "em/fix.h"

#define TELTONIKA_MAX_RECORDS 255
/* The largest data field length accepted (codec .. second count); devices send at most a few kilobytes. */
#define TELTONIKA_MAX_DATA 65536

/* The IMEI packet at the front of buf: > 0 bytes used (imei filled), 0 need more, -1 not an IMEI packet. */
ssize_t teltonika_decode_imei(const uint8_t *buf, size_t len, char imei[16], char *err, size_t cap);

/*
 * One AVL data packet at the front of buf: > 0 bytes used with fixes[0..*n_r) filled (device ""), 0 need more,
 * -1 bad packet (preamble, codec, counts or CRC; err says which).
 */
ssize_t teltonika_decode_avl(const uint8_t *buf, size_t len, struct em_fix *fixes, size_t cap_fixes, size_t *n_r,
                             uint8_t *codec_r, char *err, size_t cap);

/* Encoders for tests, simulate and benchmarks: the IMEI packet and a codec 8 or 8E packet of n records. */
size_t teltonika_encode_imei(const char *imei, uint8_t *out, size_t cap);
size_t teltonika_encode_avl(uint8_t codec, const struct em_fix *fixes, size_t n, uint8_t *out, size_t cap);

/* CRC-16/IBM (poly 0xA001 reflected) as Teltonika uses it. */
uint16_t teltonika_crc(const uint8_t *data, size_t len);

#endif
