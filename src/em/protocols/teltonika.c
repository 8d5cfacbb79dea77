/*
 * teltonika.c — Teltonika's TCP protocol: the IMEI packet and AVL data packets
 * of codec 8 and codec 8 Extended, CRC-16/IBM, and the encoders tests and the
 * simulator use. Pure.
 *
 * AVL packet: 00000000, data length (4), then the data field: codec (1), record count (1), records, count again
 * (1); then the CRC-16/IBM of the data field in 4 bytes. A record: timestamp ms (8), priority (1), longitude and
 * latitude as signed 1e-7 degrees (4 + 4), altitude m (2, signed), angle (2), satellites (1), speed km/h (2), then
 * IO elements: codec 8 has a one-byte event IO id, total, and per value size 1, 2, 4, 8 a one-byte count of
 * (one-byte id, value); codec 8E has two-byte ids and counts and then variable-length (NX) elements, each
 * (id, two-byte length, bytes).
 *
 * Events (AVL ids from Teltonika's FMB/TMT/TAT parameter lists):
 *   priority 2 (panic) -> sos; 236 "Alarm" = 1 (the SOS button of personal trackers) -> sos;
 *   66 external voltage (mV) = 0 -> power_cut, and > 0 on a record that 66 generated -> power_restored;
 *   252 "Unplug" = 1 -> power_cut, and 0 on a record that 252 generated -> power_restored;
 *   113 battery level (%) -> battery_pct; at most 5 % -> battery_critical, at most 15 % -> battery_low;
 *   116 "Charger connected" = 1 -> charging;
 *   182 GNSS HDOP (0.1) -> accuracy_m = HDOP * 5 (no better horizontal figure is sent).
 *   67 battery voltage, 240 movement, 247 crash, 248 immobilizer, 249 jamming: read, no event. Teltonika's
 *   vehicle and asset trackers have no strap: no AVL id is mapped to strap or case tamper (a tamper loop wired to
 *   a digital input would need a per-device setting, which Kadam does not have).
 */
#include "em/protocols/teltonika.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

uint16_t teltonika_crc(const uint8_t *data, size_t len)
{
	uint16_t crc = 0;
	for (size_t i = 0; i < len; i++) {
		crc ^= data[i];
		for (int b = 0; b < 8; b++)
			crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
	}
	return crc;
}

ssize_t teltonika_decode_imei(const uint8_t *buf, size_t len, char imei[16], char *err, size_t cap)
{
	if (len < 2)
		return 0;
	size_t n = (size_t)buf[0] << 8 | buf[1];
	if (n == 0 || n > 15) {
		snprintf(err, cap, "not an IMEI packet: length %zu (an IMEI has 1 to 15 digits)", n);
		return -1;
	}
	if (len < 2 + n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (buf[2 + i] < '0' || buf[2 + i] > '9') {
			snprintf(err, cap, "not an IMEI packet: byte %zu (0x%02X) is not a digit", 2 + i, buf[2 + i]);
			return -1;
		}
		imei[i] = (char)buf[2 + i];
	}
	imei[n] = '\0';
	return (ssize_t)(2 + n);
}

/* A bounded big-endian reader over the data field; pos counts from the packet's first byte for messages. */
struct reader {
	const uint8_t *p;
	size_t len, pos;
	bool short_read;
};

static uint64_t rd(struct reader *r, size_t n)
{
	if (r->short_read || r->len - r->pos < n) {
		r->short_read = true;
		return 0;
	}
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | r->p[r->pos + i];
	r->pos += n;
	return v;
}

static void skip(struct reader *r, size_t n)
{
	if (r->short_read || r->len - r->pos < n) {
		r->short_read = true;
		return;
	}
	r->pos += n;
}

/* One IO value: what it means for the fix. */
static void io_value(struct em_fix *f, unsigned event_id, unsigned id, uint64_t v)
{
	switch (id) {
	case 66:
		if (v == 0)
			f->events |= EM_EV_POWER_CUT;
		else if (event_id == 66)
			f->events |= EM_EV_POWER_RESTORED;
		break;
	case 252:
		if (v == 1)
			f->events |= EM_EV_POWER_CUT;
		else if (v == 0 && event_id == 252)
			f->events |= EM_EV_POWER_RESTORED;
		break;
	case 113:
		if (v <= 100) {
			f->battery_pct = (int)v;
			if (v <= 5)
				f->events |= EM_EV_BATTERY_CRITICAL;
			else if (v <= 15)
				f->events |= EM_EV_BATTERY_LOW;
		}
		break;
	case 116:
		if (v == 1)
			f->events |= EM_EV_CHARGING;
		break;
	case 182:
		if (v > 0)
			f->accuracy_m = (double)v / 10.0 * 5.0;
		break;
	case 236:
		if (v == 1)
			f->events |= EM_EV_SOS;
		break;
	default:
		break;
	}
}

/* One record into f; false with err naming the record and the packet offset. */
static bool decode_record(struct reader *r, bool ext, size_t index, struct em_fix *f, char *err, size_t cap)
{
	size_t start = r->pos;
	em_fix_init(f);
	f->at_ms = (int64_t)rd(r, 8);
	unsigned priority = (unsigned)rd(r, 1);
	int32_t lon = (int32_t)(uint32_t)rd(r, 4), lat = (int32_t)(uint32_t)rd(r, 4);
	int16_t alt = (int16_t)(uint16_t)rd(r, 2);
	unsigned angle = (unsigned)rd(r, 2), sats = (unsigned)rd(r, 1), speed = (unsigned)rd(r, 2);
	size_t w = ext ? 2 : 1;
	unsigned event_id = (unsigned)rd(r, w);
	uint64_t total = rd(r, w), seen = 0;
	for (size_t size = 1; size <= 8 && !r->short_read; size *= 2) {
		uint64_t count = rd(r, w);
		for (uint64_t i = 0; i < count && !r->short_read; i++) {
			unsigned id = (unsigned)rd(r, w);
			uint64_t v = rd(r, size);
			if (!r->short_read)
				io_value(f, event_id, id, v);
		}
		seen += count;
	}
	if (ext && !r->short_read) {
		uint64_t count = rd(r, 2);
		for (uint64_t i = 0; i < count && !r->short_read; i++) {
			rd(r, 2);
			skip(r, (size_t)rd(r, 2));
		}
		seen += count;
	}
	if (r->short_read) {
		snprintf(err, cap, "record %zu (from byte %zu) is truncated: it runs past the data field", index + 1,
		         start);
		return false;
	}
	if (seen != total) {
		snprintf(err, cap, "record %zu (from byte %zu): IO total says %llu elements, it holds %llu", index + 1,
		         start, (unsigned long long)total, (unsigned long long)seen);
		return false;
	}
	f->lat = lat / 1e7;
	f->lon = lon / 1e7;
	f->has_location = !(lat == 0 && lon == 0);
	f->valid = f->has_location && sats > 0;
	f->altitude_m = alt;
	f->course_deg = angle;
	f->satellites = (int)sats;
	f->speed_kmh = speed;
	if (priority == 2)
		f->events |= EM_EV_SOS;
	return true;
}

ssize_t teltonika_decode_avl(const uint8_t *buf, size_t len, struct em_fix *fixes, size_t cap_fixes, size_t *n_r,
                             uint8_t *codec_r, char *err, size_t cap)
{
	*n_r = 0;
	for (size_t i = 0; i < 4 && i < len; i++) {
		if (buf[i] != 0) {
			snprintf(err, cap, "not an AVL packet: byte %zu of the preamble is 0x%02X, not 00", i, buf[i]);
			return -1;
		}
	}
	if (len < 8)
		return 0;
	size_t dlen = (size_t)buf[4] << 24 | (size_t)buf[5] << 16 | (size_t)buf[6] << 8 | buf[7];
	if (dlen < 3 || dlen > TELTONIKA_MAX_DATA) {
		snprintf(err, cap, "data length %zu is out of range (3 to %d)", dlen, TELTONIKA_MAX_DATA);
		return -1;
	}
	size_t total = 8 + dlen + 4;
	if (len < total)
		return 0;
	const uint8_t *d = buf + 8;
	uint32_t want = (uint32_t)buf[total - 4] << 24 | (uint32_t)buf[total - 3] << 16 |
	                (uint32_t)buf[total - 2] << 8 | buf[total - 1];
	uint16_t got = teltonika_crc(d, dlen);
	if (want != got) {
		snprintf(err, cap, "CRC mismatch: the packet says %08X, its data gives %04X", (unsigned)want, got);
		return -1;
	}
	uint8_t codec = d[0];
	if (codec != 0x08 && codec != 0x8E) {
		snprintf(err, cap, "codec 0x%02X is not supported (8 and 8E are)", codec);
		return -1;
	}
	size_t n1 = d[1], n2 = d[dlen - 1];
	if (n1 != n2) {
		snprintf(err, cap, "record counts disagree: %zu at the start, %zu at the end", n1, n2);
		return -1;
	}
	if (n1 > cap_fixes) {
		snprintf(err, cap, "%zu records, more than the %zu that fit", n1, cap_fixes);
		return -1;
	}
	/* The records lie between the first count (byte 10 of the packet) and the second (the data field's last). */
	struct reader r = {.p = buf, .len = 8 + dlen - 1, .pos = 10};
	for (size_t i = 0; i < n1; i++)
		if (!decode_record(&r, codec == 0x8E, i, &fixes[i], err, cap))
			return -1;
	if (r.pos != r.len) {
		snprintf(err, cap, "%zu bytes after the last of %zu records (from byte %zu)", r.len - r.pos, n1, r.pos);
		return -1;
	}
	*n_r = n1;
	if (codec_r)
		*codec_r = codec;
	return (ssize_t)total;
}

size_t teltonika_encode_imei(const char *imei, uint8_t *out, size_t cap)
{
	size_t n = imei ? strlen(imei) : 0;
	if (n == 0 || n > 15 || n + 2 > cap)
		return 0;
	out[0] = 0;
	out[1] = (uint8_t)n;
	memcpy(out + 2, imei, n);
	return n + 2;
}

/* A bounded big-endian writer; overflow makes the whole encoding fail. */
struct writer {
	uint8_t *p;
	size_t cap, pos;
	bool full;
};

static void wr(struct writer *w, uint64_t v, size_t n)
{
	if (w->full || w->cap - w->pos < n) {
		w->full = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		w->p[w->pos + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	w->pos += n;
}

static long known(double v, long otherwise)
{
	return isnan(v) ? otherwise : lround(v);
}

struct io_pair {
	unsigned id;
	uint64_t v;
};

/* The IO elements the decoder reads back: 1-byte 113 battery, 252 unplug, 116 charger, 236 alarm; 2-byte 182 HDOP. */
static void encode_io(struct writer *w, bool ext, const struct em_fix *f)
{
	size_t iw = ext ? 2 : 1;
	struct io_pair one[4];
	size_t n1 = 0, n2 = 0;
	unsigned event_id = 0;
	if (f->battery_pct >= 0 && f->battery_pct <= 100)
		one[n1++] = (struct io_pair){113, (uint64_t)f->battery_pct};
	if (f->events & EM_EV_POWER_CUT)
		one[n1++] = (struct io_pair){252, 1};
	else if (f->events & EM_EV_POWER_RESTORED) {
		one[n1++] = (struct io_pair){252, 0};
		event_id = 252;
	}
	if (f->events & EM_EV_CHARGING)
		one[n1++] = (struct io_pair){116, 1};
	if (f->events & EM_EV_SOS)
		one[n1++] = (struct io_pair){236, 1};
	long hdop = isnan(f->accuracy_m) ? 0 : lround(f->accuracy_m / 5.0 * 10.0);
	if (hdop > 0 && hdop <= 0xFFFF)
		n2 = 1;
	wr(w, event_id, iw);
	wr(w, n1 + n2, iw);
	wr(w, n1, iw);
	for (size_t i = 0; i < n1; i++) {
		wr(w, one[i].id, iw);
		wr(w, one[i].v, 1);
	}
	wr(w, n2, iw);
	if (n2) {
		wr(w, 182, iw);
		wr(w, (uint64_t)hdop, 2);
	}
	wr(w, 0, iw); /* 4-byte values */
	wr(w, 0, iw); /* 8-byte values */
	if (ext)
		wr(w, 0, 2); /* NX values */
}

size_t teltonika_encode_avl(uint8_t codec, const struct em_fix *fixes, size_t n, uint8_t *out, size_t cap)
{
	if ((codec != 0x08 && codec != 0x8E) || n > TELTONIKA_MAX_RECORDS)
		return 0;
	struct writer w = {.p = out, .cap = cap};
	wr(&w, 0, 4);
	wr(&w, 0, 4); /* the data length, filled in below */
	wr(&w, codec, 1);
	wr(&w, n, 1);
	for (size_t i = 0; i < n; i++) {
		const struct em_fix *f = &fixes[i];
		wr(&w, (uint64_t)f->at_ms, 8);
		wr(&w, f->events & EM_EV_SOS ? 2 : 0, 1);
		int32_t lon = f->has_location ? (int32_t)llround(f->lon * 1e7) : 0;
		int32_t lat = f->has_location ? (int32_t)llround(f->lat * 1e7) : 0;
		wr(&w, (uint32_t)lon, 4);
		wr(&w, (uint32_t)lat, 4);
		wr(&w, (uint16_t)(int16_t)known(f->altitude_m, 0), 2);
		wr(&w, (uint16_t)known(f->course_deg, 0), 2);
		wr(&w, f->has_location && f->valid ? (f->satellites > 0 ? (uint64_t)f->satellites : 1) : 0, 1);
		long speed = known(f->speed_kmh, 0);
		wr(&w, (uint16_t)(speed < 0 ? 0 : speed > 0xFFFF ? 0xFFFF : speed), 2);
		encode_io(&w, codec == 0x8E, f);
	}
	wr(&w, n, 1);
	if (w.full)
		return 0;
	size_t dlen = w.pos - 8;
	out[4] = (uint8_t)(dlen >> 24);
	out[5] = (uint8_t)(dlen >> 16);
	out[6] = (uint8_t)(dlen >> 8);
	out[7] = (uint8_t)dlen;
	wr(&w, teltonika_crc(out + 8, dlen), 4);
	return w.full ? 0 : w.pos;
}
