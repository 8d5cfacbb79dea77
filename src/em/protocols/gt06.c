/*
 * gt06.c — the GT06 (Concox) binary protocol: frame parsing, CRC-ITU, the
 * content of login, location, status/heartbeat and alarm messages, and the
 * encoders tests and the simulator use. Pure: bytes in, a message out.
 *
 * Frame: 78 78 LEN PROTO CONTENT SERIAL(2) CRC(2) 0D 0A (LEN one byte: PROTO..CRC)
 *     or 79 79 LEN(2) PROTO CONTENT SERIAL(2) CRC(2) 0D 0A;
 * the CRC (CRC-16/X-25) covers LEN..SERIAL.
 *
 * Events, as the GT06 protocol document and Traccar's decoder define the codes:
 *   terminal information byte (status 0x13, alarm 0x16/0x26): bit 2 charging -> charging;
 *     bits 3-5: 010 power cut -> power_cut, 011 low battery -> battery_low, 100 SOS -> sos,
 *     111 "removing" (ankle and personal tags) -> strap_removed; 001 shock and 110 fence: no event;
 *   voltage level byte 0-6 (0 no power, 1 extremely low, 2 very low = the low-battery alarm ... 6 full):
 *     battery_pct = level * 100 / 6; levels 0-1 -> battery_critical, 2 -> battery_low; a value 7-100 is taken as a
 *     percentage (devices that send one), above 100 as unknown;
 *   alarm byte (0x13, 0x16, 0x26): 0x01 SOS -> sos; 0x02 power cut -> power_cut; 0x0E, 0x0F and 0x19 low (external,
 *     internal) battery -> battery_low; 0x15 shut down for low battery -> battery_critical; 0x13 tamper
 *     ("disassembly") -> strap_tamper; 0x14 "door", on tags the case opened -> case_tamper; 0x0C power on ->
 *     power_restored; others (vibration, fences, speed ...) no event;
 *   heartbeat 0x23: terminal byte bit 2 charging -> charging; every status or heartbeat carries heartbeat.
 */
#include "em/protocols/gt06.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define GT06_LONG_MAX 2048 /* the largest LEN accepted in a 0x7979 frame (device info frames are a few hundred) */

uint16_t gt06_crc(const uint8_t *data, size_t len)
{
	uint16_t crc = 0xFFFF;
	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : (uint16_t)(crc >> 1);
	}
	return (uint16_t)~crc;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The 18-byte GPS block: date, GPS info length and satellites, latitude, longitude, speed, course and status. */
static void decode_gps(const uint8_t *p, struct em_fix *f)
{
	int64_t at = em_utc_ms(2000 + p[0], p[1], p[2], p[3], p[4], p[5]);
	f->at_ms = at < 0 ? 0 : at; /* an impossible date is left for em_fix_check to refuse, naming the time */
	f->satellites = p[6] & 0x0F;
	double lat = be32(p + 7) / 1800000.0, lon = be32(p + 11) / 1800000.0;
	f->speed_kmh = p[15];
	unsigned flags = (unsigned)p[16] << 8 | p[17];
	f->course_deg = flags & 0x3FF;
	f->valid = (flags & (1u << 12)) != 0;
	if (!(flags & (1u << 10)))
		lat = -lat; /* bit 10 set: north */
	if (flags & (1u << 11))
		lon = -lon; /* bit 11 set: west */
	f->lat = lat;
	f->lon = lon;
	f->has_location = !(lat == 0 && lon == 0);
	if (!f->has_location) {
		f->lat = f->lon = 0;
		f->valid = false;
	}
}

static uint32_t terminal_events(uint8_t info)
{
	uint32_t ev = 0;
	if (info & 0x04)
		ev |= EM_EV_CHARGING;
	switch ((info >> 3) & 7) {
	case 2: ev |= EM_EV_POWER_CUT; break;
	case 3: ev |= EM_EV_BATTERY_LOW; break;
	case 4: ev |= EM_EV_SOS; break;
	case 7: ev |= EM_EV_STRAP_REMOVED; break;
	default: break;
	}
	return ev;
}

static uint32_t voltage_level(uint8_t level, int *battery_r)
{
	if (level <= 6) {
		*battery_r = (level * 100 + 3) / 6;
		return level <= 1 ? EM_EV_BATTERY_CRITICAL : level == 2 ? EM_EV_BATTERY_LOW : 0;
	}
	*battery_r = level <= 100 ? level : -1;
	return 0;
}

static uint32_t alarm_events(uint8_t alarm)
{
	switch (alarm) {
	case 0x01: return EM_EV_SOS;
	case 0x02: return EM_EV_POWER_CUT;
	case 0x0C: return EM_EV_POWER_RESTORED;
	case 0x0E:
	case 0x0F:
	case 0x19: return EM_EV_BATTERY_LOW;
	case 0x15: return EM_EV_BATTERY_CRITICAL;
	case 0x13: return EM_EV_STRAP_TAMPER;
	case 0x14: return EM_EV_CASE_TAMPER;
	default: return 0;
	}
}

/* The content of one message by its protocol number; false with err on content too short for its kind. */
static bool decode_content(uint8_t proto, const uint8_t *c, size_t n, struct gt06_msg *m, char *err, size_t cap)
{
	struct em_fix *f = &m->fix;
	switch (proto) {
	case 0x01:
		if (n < 8) {
			snprintf(err, cap, "login 0x01: %zu content bytes, the IMEI needs 8", n);
			return false;
		}
		for (int i = 0; i < 16; i++) {
			unsigned digit = (c[i / 2] >> (i % 2 ? 0 : 4)) & 0x0F;
			if (digit > 9) {
				snprintf(err, cap, "login 0x01: the IMEI is not BCD (byte %d is 0x%02X)", i / 2,
				         c[i / 2]);
				return false;
			}
			if (i > 0)
				m->imei[i - 1] = (char)('0' + digit);
		}
		m->imei[15] = '\0';
		m->kind = GT06_LOGIN;
		m->needs_ack = true;
		return true;
	case 0x12:
	case 0x22:
		if (n < 18) {
			snprintf(err, cap, "location 0x%02X: %zu content bytes, the GPS block needs 18", proto, n);
			return false;
		}
		decode_gps(c, f);
		m->kind = GT06_LOCATION;
		return true;
	case 0x13:
		if (n < 3) {
			snprintf(err, cap, "status 0x13: %zu content bytes, at least 3 expected", n);
			return false;
		}
		f->events = EM_EV_HEARTBEAT | terminal_events(c[0]) | voltage_level(c[1], &f->battery_pct);
		if (n >= 4)
			f->events |= alarm_events(c[3]);
		m->kind = GT06_STATUS;
		m->needs_ack = true;
		return true;
	case 0x23:
		if (n < 1) {
			snprintf(err, cap, "heartbeat 0x23: no content");
			return false;
		}
		/* Terminal byte, then the battery voltage in 0.01 V (not mapped to a percentage: the curve is the
		 * device's), GSM signal and language. */
		f->events = EM_EV_HEARTBEAT | (c[0] & 0x04 ? EM_EV_CHARGING : 0);
		m->kind = GT06_STATUS;
		m->needs_ack = true;
		return true;
	case 0x16:
	case 0x26:
		/* GPS block, LBS block of variable length (its first byte), then terminal info, voltage level, GSM
		 * signal, alarm and language: the status is read from the end, whatever the LBS length. */
		if (n < 18 + 1 + 5) {
			snprintf(err, cap, "alarm 0x%02X: %zu content bytes, at least 24 expected", proto, n);
			return false;
		}
		decode_gps(c, f);
		const uint8_t *s = c + n - 5;
		f->events = terminal_events(s[0]) | voltage_level(s[1], &f->battery_pct) | alarm_events(s[3]);
		m->kind = GT06_ALARM;
		m->needs_ack = true;
		return true;
	default:
		m->kind = GT06_OTHER; /* answered by nobody: other messages (LBS, Wi-Fi, info) carry nothing stored */
		return true;
	}
}

ssize_t gt06_decode(const uint8_t *buf, size_t len, struct gt06_msg *msg_r, char *err, size_t cap)
{
	if (len == 0)
		return 0;
	if (buf[0] != 0x78 && buf[0] != 0x79) {
		snprintf(err, cap, "not a GT06 frame: it starts with 0x%02X, not 78 78 or 79 79", buf[0]);
		return -1;
	}
	if (len < 2)
		return 0;
	if (buf[1] != buf[0]) {
		snprintf(err, cap, "not a GT06 frame: it starts with %02X %02X, not 78 78 or 79 79", buf[0], buf[1]);
		return -1;
	}
	bool lng = buf[0] == 0x79;
	size_t hdr = lng ? 4 : 3; /* start bytes and length */
	if (len < hdr)
		return 0;
	size_t flen = lng ? ((size_t)buf[2] << 8 | buf[3]) : buf[2];
	if (flen < 5) {
		snprintf(err, cap, "frame length %zu is too small (protocol, serial and CRC need 5)", flen);
		return -1;
	}
	if (lng && flen > GT06_LONG_MAX) {
		snprintf(err, cap, "frame length %zu is more than %d", flen, GT06_LONG_MAX);
		return -1;
	}
	size_t total = hdr + flen + 2;
	if (len < total)
		return 0;
	if (buf[total - 2] != 0x0D || buf[total - 1] != 0x0A) {
		snprintf(err, cap, "frame of %zu bytes does not end in 0D 0A (it ends in %02X %02X)", total,
		         buf[total - 2], buf[total - 1]);
		return -1;
	}
	uint16_t want = (uint16_t)(buf[total - 4] << 8 | buf[total - 3]);
	uint16_t got = gt06_crc(buf + 2, total - 6);
	if (want != got) {
		snprintf(err, cap, "CRC mismatch: the frame says %04X, its bytes give %04X", want, got);
		return -1;
	}
	struct gt06_msg m;
	memset(&m, 0, sizeof m);
	em_fix_init(&m.fix);
	m.protocol = buf[hdr];
	m.serial = (uint16_t)(buf[total - 6] << 8 | buf[total - 5]);
	if (!decode_content(m.protocol, buf + hdr + 1, flen - 5, &m, err, cap))
		return -1;
	*msg_r = m;
	return (ssize_t)total;
}

/* Frames content (protocol number first) as a short frame into out; 0 when it does not fit. */
static size_t frame(const uint8_t *content, size_t n, uint16_t serial, uint8_t *out, size_t cap)
{
	size_t total = n + 9; /* 78 78 LEN ... SERIAL CRC 0D 0A */
	if (n + 4 > 255 || total > cap)
		return 0;
	out[0] = out[1] = 0x78;
	out[2] = (uint8_t)(n + 4);
	memcpy(out + 3, content, n);
	out[3 + n] = (uint8_t)(serial >> 8);
	out[4 + n] = (uint8_t)serial;
	uint16_t crc = gt06_crc(out + 2, n + 3);
	out[5 + n] = (uint8_t)(crc >> 8);
	out[6 + n] = (uint8_t)crc;
	out[7 + n] = 0x0D;
	out[8 + n] = 0x0A;
	return total;
}

size_t gt06_ack(uint8_t protocol, uint16_t serial, uint8_t out[16])
{
	return frame(&protocol, 1, serial, out, 16);
}

size_t gt06_encode_login(const char *imei, uint16_t serial, uint8_t *out, size_t cap)
{
	if (!imei || strlen(imei) != 15)
		return 0;
	uint8_t c[9] = {0x01};
	for (int i = 0; i < 16; i++) {
		char d = i == 0 ? '0' : imei[i - 1];
		if (d < '0' || d > '9')
			return 0;
		c[1 + i / 2] |= (uint8_t)((d - '0') << (i % 2 ? 0 : 4));
	}
	return frame(c, sizeof c, serial, out, cap);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static double known(double v, double otherwise)
{
	return isnan(v) ? otherwise : v;
}

/* The 18-byte GPS block of fix; false when its time is outside 2000..2255. */
static bool encode_gps(const struct em_fix *f, uint8_t *p)
{
	int t[6];
	em_utc_parts(f->at_ms, t);
	if (t[0] < 2000 || t[0] > 2255)
		return false;
	for (int i = 0; i < 6; i++)
		p[i] = (uint8_t)(i == 0 ? t[0] - 2000 : t[i]);
	int sats = f->satellites < 0 ? 0 : f->satellites > 15 ? 15 : f->satellites;
	p[6] = (uint8_t)(0xC0 | sats);
	double lat = f->has_location ? f->lat : 0, lon = f->has_location ? f->lon : 0;
	put32(p + 7, (uint32_t)llround(fabs(lat) * 1800000.0));
	put32(p + 11, (uint32_t)llround(fabs(lon) * 1800000.0));
	double speed = known(f->speed_kmh, 0);
	p[15] = (uint8_t)(speed < 0 ? 0 : speed > 255 ? 255 : lround(speed));
	long course = lround(known(f->course_deg, 0));
	unsigned flags = (unsigned)(course < 0 ? 0 : course > 1023 ? 0 : course);
	if (f->valid && f->has_location)
		flags |= 1u << 12;
	if (lat >= 0)
		flags |= 1u << 10;
	if (lon < 0)
		flags |= 1u << 11;
	p[16] = (uint8_t)(flags >> 8);
	p[17] = (uint8_t)flags;
	return true;
}

/* A cell of Bishkek's (MCC 437, MNC 1, LAC 0x287D, cell 0x001F71): LBS blocks are required, not read. */
static const uint8_t lbs[8] = {0x01, 0xB5, 0x01, 0x28, 0x7D, 0x00, 0x1F, 0x71};

size_t gt06_encode_location(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap)
{
	uint8_t c[1 + 18 + 8] = {0x12};
	if (!encode_gps(fix, c + 1))
		return 0;
	memcpy(c + 19, lbs, sizeof lbs);
	return frame(c, sizeof c, serial, out, cap);
}

/* The terminal information byte, voltage level and alarm byte for a fix's events and battery: an event with an alarm
 * code goes in the alarm byte, strap removal (no alarm code) in the terminal byte's alarm bits. Power restored,
 * heartbeat and the battery events (which the voltage level carries) have no code of their own. */
static void encode_status(const struct em_fix *f, uint8_t *info_r, uint8_t *level_r, uint8_t *alarm_r)
{
	uint8_t info = 0x40; /* GPS tracking on */
	if (f->events & EM_EV_CHARGING)
		info |= 0x04;
	if (f->events & EM_EV_STRAP_REMOVED)
		info |= 7 << 3;
	uint8_t alarm = 0;
	if (f->events & EM_EV_SOS)
		alarm = 0x01;
	else if (f->events & EM_EV_POWER_CUT)
		alarm = 0x02;
	else if (f->events & EM_EV_STRAP_TAMPER)
		alarm = 0x13;
	else if (f->events & EM_EV_CASE_TAMPER)
		alarm = 0x14;
	else if (f->events & EM_EV_POWER_RESTORED)
		alarm = 0x0C;
	uint8_t level;
	if (f->battery_pct < 0 || f->battery_pct > 100)
		level = 0xFF; /* unknown */
	else if (f->events & EM_EV_BATTERY_CRITICAL)
		level = 1;
	else if (f->events & EM_EV_BATTERY_LOW)
		level = 2;
	else
		level = (uint8_t)((f->battery_pct * 6 + 50) / 100 < 3 ? 3 : (f->battery_pct * 6 + 50) / 100);
	if (level == 0xFF && (f->events & (EM_EV_BATTERY_CRITICAL | EM_EV_BATTERY_LOW)))
		level = f->events & EM_EV_BATTERY_CRITICAL ? 1 : 2;
	*info_r = info;
	*level_r = level;
	*alarm_r = alarm;
}

size_t gt06_encode_alarm(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap)
{
	uint8_t c[1 + 18 + 9 + 5] = {0x16};
	if (!encode_gps(fix, c + 1))
		return 0;
	c[19] = 9;
	memcpy(c + 20, lbs, sizeof lbs);
	encode_status(fix, &c[28], &c[29], &c[31]);
	c[30] = 0x04; /* GSM signal: good */
	c[32] = 0x02; /* language: English */
	return frame(c, sizeof c, serial, out, cap);
}

size_t gt06_encode_status(const struct em_fix *fix, uint16_t serial, uint8_t *out, size_t cap)
{
	uint8_t c[6] = {0x13};
	encode_status(fix, &c[1], &c[2], &c[4]);
	c[3] = 0x04;
	c[5] = 0x02;
	return frame(c, sizeof c, serial, out, cap);
}
