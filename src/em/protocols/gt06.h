/*
 * gt06.h — the GT06 (Concox) binary protocol over TCP: frames 0x7878 (one
 * length byte) and 0x7979 (two), protocol number, content, serial, CRC-ITU,
 * 0x0D0A. Login (0x01, IMEI in BCD), location (0x12, 0x22), status and
 * heartbeat (0x13, 0x23), alarm (0x16, 0x26). Every message the server must
 * answer is answered with the same protocol number and serial. Pure.
 */
#ifndef KADAM_EM_GT06_H
#define KADAM_EM_GT06_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "em/fix.h"

enum gt06_kind { GT06_LOGIN, GT06_LOCATION, GT06_STATUS, GT06_ALARM, GT06_OTHER };

struct gt06_msg {
	enum gt06_kind kind;
	uint8_t protocol;       /* the protocol number */
	uint16_t serial;
	bool needs_ack;
	char imei[16];          /* GT06_LOGIN */
	struct em_fix fix;      /* LOCATION, STATUS (events only), ALARM; device is "" (the connection knows it) */
};

/*
 * Takes one frame from the front of buf. Returns the bytes it used (> 0) with *msg_r filled; 0 when buf holds only
 * part of a frame (read more); -1 when the bytes are not a GT06 frame or its CRC is wrong (err says which; the
 * connection should be closed).
 */
ssize_t gt06_decode(const uint8_t *buf, size_t len, struct gt06_msg *msg_r, char *err, size_t cap);

/* The acknowledgement of a message (protocol number and serial), into out; returns its length (10). */
size_t gt06_ack(uint8_t protocol, uint16_t serial, uint8_t out[16]);

/* Encoders for tests, `kadam simulate` and the benchmarks: a login, a location (0x12) and a status or alarm frame;
 * each returns the frame's length. */
size_t gt06_encode_login(const char *imei, uint16_t serial, uint8_t *out, size_t cap);
size_t gt06_encode_location(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap);
size_t gt06_encode_alarm(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap);
/* A status (0x13) frame: the fix's events and battery level, no position. */
size_t gt06_encode_status(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap);

/* CRC-ITU (CRC-16/X-25) as GT06 uses it. */
uint16_t gt06_crc(const uint8_t *data, size_t len);

#endif
