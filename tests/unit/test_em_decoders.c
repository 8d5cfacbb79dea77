/* Unit tests for the device decoders (src/em/protocols: GT06, Teltonika codec 8/8E, OsmAnd) and src/em/fix.c: frames
 * from the protocols' documentation (their CRCs checked), round trips through the encoders, partial and damaged
 * frames, coordinates on every side of the meridians, and every event mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "em/fix.h"
#include "em/protocols/gt06.h"
#include "em/protocols/osmand.h"
#include "em/protocols/teltonika.h"

#define NOW_MS 1767225600000LL /* 2026-01-01T00:00:00Z */

/* ---- helpers -------------------------------------------------------- */

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (const char *p = hex; p[0] && p[1]; p += 2) {
		while (*p == ' ')
			p++;
		unsigned v;
		assert_int_equal(sscanf(p, "%2x", &v), 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* A short GT06 frame around content (protocol number first), with a correct CRC. */
static size_t gt06_frame(const uint8_t *content, size_t n, uint16_t serial, uint8_t *out)
{
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
	return n + 9;
}

static struct gt06_msg gt06_ok(const uint8_t *b, size_t n)
{
	struct gt06_msg m;
	char err[160] = "";
	ssize_t used = gt06_decode(b, n, &m, err, sizeof err);
	if (used != (ssize_t)n)
		fail_msg("gt06_decode: %zd of %zu bytes: %s", used, n, err);
	return m;
}

static struct em_fix base_fix(double lat, double lon)
{
	struct em_fix f;
	em_fix_init(&f);
	f.at_ms = NOW_MS - 3600000 + 17000;
	f.has_location = true;
	f.valid = true;
	f.lat = lat;
	f.lon = lon;
	f.speed_kmh = 37;
	f.course_deg = 271;
	f.satellites = 9;
	return f;
}

/* Re-seals a Teltonika packet after a test changed its data field. */
static void teltonika_reseal(uint8_t *b, size_t total)
{
	size_t dlen = total - 12;
	uint16_t crc = teltonika_crc(b + 8, dlen);
	b[total - 4] = b[total - 3] = 0;
	b[total - 2] = (uint8_t)(crc >> 8);
	b[total - 1] = (uint8_t)crc;
}

static ssize_t avl(const uint8_t *b, size_t n, struct em_fix *fixes, size_t *count, char *err)
{
	uint8_t codec = 0;
	return teltonika_decode_avl(b, n, fixes, TELTONIKA_MAX_RECORDS, count, &codec, err, 160);
}

/* ---- CRCs ----------------------------------------------------------- */

static void crcs_match_their_catalogue_check_values(void **state)
{
	(void)state;
	assert_int_equal(gt06_crc((const uint8_t *)"123456789", 9), 0x906E);      /* CRC-16/X-25 */
	assert_int_equal(teltonika_crc((const uint8_t *)"123456789", 9), 0xBB3D); /* CRC-16/ARC (IBM) */
}

/* ---- GT06 ----------------------------------------------------------- */

static void gt06_login_from_the_protocol_document(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = unhex("78780D01012345678901234500018CDD0D0A", b, sizeof b);
	struct gt06_msg m = gt06_ok(b, n);
	assert_int_equal(m.kind, GT06_LOGIN);
	assert_string_equal(m.imei, "123456789012345");
	assert_int_equal(m.serial, 1);
	assert_true(m.needs_ack);
	/* The document's answer: 78 78 05 01 00 01 D9 DC 0D 0A. */
	uint8_t ack[16], want[16];
	assert_int_equal(gt06_ack(m.protocol, m.serial, ack), 10);
	unhex("787805010001D9DC0D0A", want, sizeof want);
	assert_memory_equal(ack, want, 10);
	/* A Traccar test frame: IMEI 864717003283581. */
	n = unhex("78780D01086471700328358100093F040D0A", b, sizeof b);
	m = gt06_ok(b, n);
	assert_string_equal(m.imei, "864717003283581");
	/* The encoder makes the document's frame. */
	uint8_t enc[64];
	assert_int_equal(gt06_encode_login("123456789012345", 1, enc, sizeof enc), 18);
	n = unhex("78780D01012345678901234500018CDD0D0A", b, sizeof b);
	assert_memory_equal(enc, b, 18);
	assert_int_equal(gt06_encode_login("12345", 1, enc, sizeof enc), 0);
}

static void gt06_location_from_the_protocol_document(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = unhex("78781F120B081D112E10CF027AC7EB0C46584900148F01CC00287D001FB8000380810D0A", b, sizeof b);
	struct gt06_msg m = gt06_ok(b, n);
	assert_int_equal(m.kind, GT06_LOCATION);
	assert_false(m.needs_ack);
	assert_int_equal(m.serial, 3);
	assert_int_equal(m.fix.at_ms, em_utc_ms(2011, 8, 29, 17, 46, 16));
	assert_true(m.fix.has_location);
	assert_true(m.fix.valid);
	assert_float_equal(m.fix.lat, 0x027AC7EB / 1800000.0, 1e-9); /* 23.111668 N */
	assert_float_equal(m.fix.lon, 0x0C465849 / 1800000.0, 1e-9); /* 114.409285 E */
	assert_int_equal(m.fix.satellites, 15);
	assert_float_equal(m.fix.speed_kmh, 0, 0);
	assert_float_equal(m.fix.course_deg, 0x08F, 0);
	assert_true(isnan(m.fix.accuracy_m));
	assert_int_equal(m.fix.events, 0);
	/* 0x22 (Traccar's test frame): the same GPS block, more after it. */
	n = unhex("787822220F0C1D023305C9027AC8180C46586000140001CC00287D001F71000001000820860D0A", b, sizeof b);
	m = gt06_ok(b, n);
	assert_int_equal(m.kind, GT06_LOCATION);
	assert_int_equal(m.fix.at_ms, em_utc_ms(2015, 12, 29, 2, 51, 5));
}

static void gt06_status_and_heartbeat(void **state)
{
	(void)state;
	uint8_t b[64];
	/* The document's status frame: GPS tracking on, voltage level 4, no alarm. */
	size_t n = unhex("78780A134004040001000FDCEE0D0A", b, sizeof b);
	struct gt06_msg m = gt06_ok(b, n);
	assert_int_equal(m.kind, GT06_STATUS);
	assert_true(m.needs_ack);
	assert_int_equal(m.serial, 0x0F);
	assert_false(m.fix.has_location);
	assert_int_equal(m.fix.events, EM_EV_HEARTBEAT);
	assert_int_equal(m.fix.battery_pct, 67);
	/* 0x23 heartbeat (Traccar's test frame): terminal 0xC0, not charging. */
	n = unhex("78780B23C00122040001000818720D0A", b, sizeof b);
	m = gt06_ok(b, n);
	assert_int_equal(m.kind, GT06_STATUS);
	assert_int_equal(m.fix.events, EM_EV_HEARTBEAT);
	assert_true(m.needs_ack);
	uint8_t c[] = {0x23, 0x44, 0x01, 0x90, 0x04, 0x00, 0x01};
	n = gt06_frame(c, sizeof c, 9, b);
	m = gt06_ok(b, n);
	assert_int_equal(m.fix.events, EM_EV_HEARTBEAT | EM_EV_CHARGING);
}

static void gt06_alarm_frames_from_devices(void **state)
{
	(void)state;
	uint8_t b[128];
	/* Traccar's "removing" frame: terminal 0x7C (alarm bits 111), 85 sent as a percentage. */
	size_t n = unhex("7878251613020C12141AC5027951430C2A16F60014000900000000001A00007C550300020002F1E70D0A", b,
	                 sizeof b);
	struct gt06_msg m = gt06_ok(b, n);
	assert_int_equal(m.kind, GT06_ALARM);
	assert_true(m.needs_ack);
	assert_true(m.fix.events & EM_EV_STRAP_REMOVED);
	assert_true(m.fix.events & EM_EV_CHARGING);
	assert_int_equal(m.fix.battery_pct, 85);
	/* 0x26: charging, shock (no event), level 6, vibration alarm (no event). */
	n = unhex("7878252612030C063816C3026C10540C38C9700144030901CC002866000EEE0C06040302000DA2DB0D0A", b, sizeof b);
	m = gt06_ok(b, n);
	assert_int_equal(m.kind, GT06_ALARM);
	assert_int_equal(m.fix.events, EM_EV_CHARGING);
	assert_int_equal(m.fix.battery_pct, 100);
	assert_true(m.fix.has_location);
	/* A long LBS block of zeros (Traccar's 0x16 with 74 bytes): the status is read from the end. */
	n = unhex("78784A1614051C150204EC02777E560C2A2A2A5314AF000000000000040000000000000000000000000000000000000000"
	          "000000000000000000000000000000000000007E061B0982004B24C00D0A",
	          b, sizeof b);
	m = gt06_ok(b, n);
	assert_int_equal(m.fix.battery_pct, 100);
}

/* Every code of the terminal byte, the voltage level and the alarm byte (through 0x13 frames). */
static void gt06_every_event_mapping(void **state)
{
	(void)state;
	static const struct {
		uint8_t info, level, alarm;
		uint32_t events;
		int battery;
	} cases[] = {
		{0x40, 4, 0x00, 0, 67},
		{0x40 | 1 << 3, 4, 0x00, 0, 67}, /* shock */
		{0x40 | 2 << 3, 4, 0x00, EM_EV_POWER_CUT, 67},
		{0x40 | 3 << 3, 4, 0x00, EM_EV_BATTERY_LOW, 67},
		{0x40 | 4 << 3, 4, 0x00, EM_EV_SOS, 67},
		{0x40 | 6 << 3, 4, 0x00, 0, 67}, /* fence */
		{0x40 | 7 << 3, 4, 0x00, EM_EV_STRAP_REMOVED, 67},
		{0x44, 4, 0x00, EM_EV_CHARGING, 67},
		{0x40, 0, 0x00, EM_EV_BATTERY_CRITICAL, 0},
		{0x40, 1, 0x00, EM_EV_BATTERY_CRITICAL, 17},
		{0x40, 2, 0x00, EM_EV_BATTERY_LOW, 33},
		{0x40, 3, 0x00, 0, 50},
		{0x40, 6, 0x00, 0, 100},
		{0x40, 55, 0x00, 0, 55},
		{0x40, 200, 0x00, 0, -1},
		{0x40, 5, 0x01, EM_EV_SOS, 83},
		{0x40, 5, 0x02, EM_EV_POWER_CUT, 83},
		{0x40, 5, 0x03, 0, 83},
		{0x40, 5, 0x0C, EM_EV_POWER_RESTORED, 83},
		{0x40, 5, 0x0E, EM_EV_BATTERY_LOW, 83},
		{0x40, 5, 0x0F, EM_EV_BATTERY_LOW, 83},
		{0x40, 5, 0x19, EM_EV_BATTERY_LOW, 83},
		{0x40, 5, 0x15, EM_EV_BATTERY_CRITICAL, 83},
		{0x40, 5, 0x13, EM_EV_STRAP_TAMPER, 83},
		{0x40, 5, 0x14, EM_EV_CASE_TAMPER, 83},
		{0x40, 5, 0x06, 0, 83},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t c[] = {0x13, cases[i].info, cases[i].level, 0x04, cases[i].alarm, 0x02};
		uint8_t b[32];
		size_t n = gt06_frame(c, sizeof c, (uint16_t)i, b);
		struct gt06_msg m = gt06_ok(b, n);
		if (m.fix.events != (EM_EV_HEARTBEAT | cases[i].events) || m.fix.battery_pct != cases[i].battery)
			fail_msg("case %zu: events %x battery %d", i, m.fix.events, m.fix.battery_pct);
	}
}

static void gt06_partial_damaged_and_foreign_frames(void **state)
{
	(void)state;
	uint8_t b[64];
	size_t n = unhex("78781F120B081D112E10CF027AC7EB0C46584900148F01CC00287D001FB8000380810D0A", b, sizeof b);
	struct gt06_msg m;
	char err[160];
	for (size_t k = 0; k < n; k++)
		assert_int_equal(gt06_decode(b, k, &m, err, sizeof err), 0);
	b[10] ^= 0x01;
	assert_int_equal(gt06_decode(b, n, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "CRC mismatch"));
	b[10] ^= 0x01;
	b[n - 1] = 0x0B;
	assert_int_equal(gt06_decode(b, n, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "0D 0A"));
	uint8_t junk[] = {0x24, 0x24, 0x00};
	assert_int_equal(gt06_decode(junk, sizeof junk, &m, err, sizeof err), -1);
	uint8_t half[] = {0x78, 0x79};
	assert_int_equal(gt06_decode(half, sizeof half, &m, err, sizeof err), -1);
	uint8_t tiny[] = {0x78, 0x78, 0x03, 0x01, 0x00, 0x00, 0x0D, 0x0A};
	assert_int_equal(gt06_decode(tiny, sizeof tiny, &m, err, sizeof err), -1);
	uint8_t huge[] = {0x79, 0x79, 0xFF, 0xFF};
	assert_int_equal(gt06_decode(huge, sizeof huge, &m, err, sizeof err), -1);
	/* A location frame with no GPS block (a CRC-correct frame from a Traccar test) is refused. */
	n = unhex("787805120099abec0d0a", b, sizeof b);
	assert_int_equal(gt06_decode(b, n, &m, err, sizeof err), -1);
	assert_non_null(strstr(err, "GPS block"));
	/* A login whose IMEI is not BCD. */
	uint8_t bad[] = {0x01, 0x0A, 0x23, 0x45, 0x67, 0x89, 0x01, 0x23, 0x45};
	n = gt06_frame(bad, sizeof bad, 1, b);
	assert_int_equal(gt06_decode(b, n, &m, err, sizeof err), -1);
}

static void gt06_long_frames_and_frames_in_a_row(void **state)
{
	(void)state;
	/* 79 79 with a two-byte length: an information message (0x94), not stored, not answered. */
	uint8_t b[256];
	size_t len = 1 + 100 + 4;
	b[0] = b[1] = 0x79;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[4] = 0x94;
	memset(b + 5, 0x33, 100);
	b[105] = 0x00;
	b[106] = 0x2A;
	uint16_t crc = gt06_crc(b + 2, len + 2 - 2);
	b[107] = (uint8_t)(crc >> 8);
	b[108] = (uint8_t)crc;
	b[109] = 0x0D;
	b[110] = 0x0A;
	struct gt06_msg m = gt06_ok(b, 111);
	assert_int_equal(m.kind, GT06_OTHER);
	assert_int_equal(m.serial, 0x2A);
	assert_false(m.needs_ack);
	/* Login, location and alarm back to back, as a listener reads them. */
	uint8_t s[256];
	size_t n = gt06_encode_login("356307042441013", 1, s, sizeof s);
	struct em_fix f = base_fix(42.8746, 74.5698);
	n += gt06_encode_location(&f, 2, s + n, sizeof s - n);
	f.events = EM_EV_SOS;
	n += gt06_encode_alarm(&f, 3, s + n, sizeof s - n);
	enum gt06_kind kinds[] = {GT06_LOGIN, GT06_LOCATION, GT06_ALARM};
	size_t off = 0;
	for (int i = 0; i < 3; i++) {
		char err[160];
		ssize_t used = gt06_decode(s + off, n - off, &m, err, sizeof err);
		assert_true(used > 0);
		assert_int_equal(m.kind, kinds[i]);
		assert_int_equal(m.serial, i + 1);
		off += (size_t)used;
	}
	assert_int_equal(off, n);
}

static void gt06_round_trip_on_every_side_of_the_meridians(void **state)
{
	(void)state;
	static const double points[][2] = {
		{42.8746, 74.5698},    {-33.8688, 151.2093}, {-34.6037, -58.3816}, {51.4779, -0.0015},
		{51.4779, 0.0015},     {65.0, 179.99995},    {65.0, -179.99995},   {-16.5, 180.0},
		{0.0001, -0.0001},     {-89.9, -179.0},
	};
	for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
		struct em_fix f = base_fix(points[i][0], points[i][1]);
		uint8_t b[64];
		size_t n = gt06_encode_location(&f, 7, b, sizeof b);
		assert_int_equal(n, 36);
		struct gt06_msg m = gt06_ok(b, n);
		assert_float_equal(m.fix.lat, f.lat, 1e-6);
		assert_float_equal(m.fix.lon, f.lon, 1e-6);
		assert_int_equal(m.fix.at_ms, f.at_ms - f.at_ms % 1000);
		assert_float_equal(m.fix.speed_kmh, 37, 0);
		assert_float_equal(m.fix.course_deg, 271, 0);
		assert_int_equal(m.fix.satellites, 9);
		assert_true(m.fix.valid);
	}
	/* Not positioned: valid false, the position still carried. */
	struct em_fix f = base_fix(42.8746, 74.5698);
	f.valid = false;
	uint8_t b[64];
	struct gt06_msg m = gt06_ok(b, gt06_encode_location(&f, 1, b, sizeof b));
	assert_false(m.fix.valid);
	assert_true(m.fix.has_location);
	/* A buffer too small, a time before 2000: nothing encoded. */
	assert_int_equal(gt06_encode_location(&f, 1, b, 20), 0);
	f.at_ms = 0;
	assert_int_equal(gt06_encode_location(&f, 1, b, sizeof b), 0);
}

static void gt06_alarm_and_status_encoders_round_trip_each_event(void **state)
{
	(void)state;
	static const uint32_t events[] = {EM_EV_SOS,          EM_EV_POWER_CUT,      EM_EV_STRAP_TAMPER,
	                                  EM_EV_CASE_TAMPER,  EM_EV_STRAP_REMOVED,  EM_EV_CHARGING,
	                                  EM_EV_POWER_RESTORED, EM_EV_BATTERY_LOW, EM_EV_BATTERY_CRITICAL};
	for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
		struct em_fix f = base_fix(-12.5, -77.0);
		f.events = events[i];
		f.battery_pct = 90;
		uint8_t b[64];
		struct gt06_msg m = gt06_ok(b, gt06_encode_alarm(&f, 5, b, sizeof b));
		assert_int_equal(m.kind, GT06_ALARM);
		assert_int_equal(m.fix.events, events[i]);
		assert_float_equal(m.fix.lat, -12.5, 1e-6);
		m = gt06_ok(b, gt06_encode_status(&f, 6, b, sizeof b));
		assert_int_equal(m.kind, GT06_STATUS);
		assert_int_equal(m.fix.events, EM_EV_HEARTBEAT | events[i]);
	}
	struct em_fix f = base_fix(1, 1);
	f.battery_pct = 100;
	uint8_t b[64];
	struct gt06_msg m = gt06_ok(b, gt06_encode_status(&f, 1, b, sizeof b));
	assert_int_equal(m.fix.battery_pct, 100);
	assert_int_equal(m.fix.events, EM_EV_HEARTBEAT);
	f.battery_pct = -1;
	m = gt06_ok(b, gt06_encode_status(&f, 1, b, sizeof b));
	assert_int_equal(m.fix.battery_pct, -1);
}

/* ---- Teltonika ------------------------------------------------------ */

static void teltonika_imei_packet(void **state)
{
	(void)state;
	uint8_t b[32];
	char imei[16], err[160];
	size_t n = unhex("000F333536333037303432343431303133", b, sizeof b); /* the documentation's */
	assert_int_equal(teltonika_decode_imei(b, n, imei, err, sizeof err), 17);
	assert_string_equal(imei, "356307042441013");
	for (size_t k = 0; k < n; k++)
		assert_int_equal(teltonika_decode_imei(b, k, imei, err, sizeof err), 0);
	uint8_t enc[32];
	assert_int_equal(teltonika_encode_imei("356307042441013", enc, sizeof enc), 17);
	assert_memory_equal(enc, b, 17);
	b[5] = 'x';
	assert_int_equal(teltonika_decode_imei(b, n, imei, err, sizeof err), -1);
	uint8_t zero[] = {0, 0, 0, 0};
	assert_int_equal(teltonika_decode_imei(zero, sizeof zero, imei, err, sizeof err), -1);
	uint8_t big[] = {0, 16};
	assert_int_equal(teltonika_decode_imei(big, sizeof big, imei, err, sizeof err), -1);
}

static void teltonika_packets_from_the_documentation(void **state)
{
	(void)state;
	static struct em_fix fixes[TELTONIKA_MAX_RECORDS];
	uint8_t b[256];
	char err[160] = "";
	size_t count;
	uint8_t codec;
	/* Codec 8, one record, IO 21=3, 1=1, 66=24079 mV, 241, 78; no position. */
	size_t n = unhex("000000000000003608010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F100"
	                 "00601A014E0000000000000000010000C7CF",
	                 b, sizeof b);
	assert_int_equal(teltonika_decode_avl(b, n, fixes, TELTONIKA_MAX_RECORDS, &count, &codec, err, sizeof err),
	                 (ssize_t)n);
	assert_int_equal(codec, 0x08);
	assert_int_equal(count, 1);
	assert_int_equal(fixes[0].at_ms, 0x16B40D8EA30LL);
	assert_false(fixes[0].has_location);
	assert_false(fixes[0].valid);
	assert_int_equal(fixes[0].events, 0); /* external voltage present, priority 1 */
	/* Codec 8, the second example. */
	n = unhex("000000000000002808010000016B40D9AD80010000000000000000000000000000000103021503010101425E10000001"
	          "0000F22A",
	          b, sizeof b);
	assert_int_equal(teltonika_decode_avl(b, n, fixes, TELTONIKA_MAX_RECORDS, &count, &codec, err, sizeof err),
	                 (ssize_t)n);
	assert_int_equal(count, 1);
	/* Codec 8 Extended: two-byte ids and counts, NX count 0. */
	n = unhex("000000000000004A8E010000016B412CEE000100000000000000000000000000000000010005000100010100010011001D"
	          "00010010015E2C880002000B000000003544C87A000E000000001DD7E06A00000100002994",
	          b, sizeof b);
	assert_int_equal(teltonika_decode_avl(b, n, fixes, TELTONIKA_MAX_RECORDS, &count, &codec, err, sizeof err),
	                 (ssize_t)n);
	assert_int_equal(codec, 0x8E);
	assert_int_equal(count, 1);
	assert_int_equal(fixes[0].at_ms, 0x16B412CEE00LL);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(avl(b, k, fixes, &count, err), 0);
}

static void teltonika_round_trip_codec_8_and_8e(void **state)
{
	(void)state;
	static struct em_fix in[6], out[TELTONIKA_MAX_RECORDS];
	static const double points[][2] = {{42.8746, 74.5698}, {-33.8688, 151.2093}, {65.0, 179.9999999},
	                                   {65.0, -179.9999999}, {51.4779, -0.0015}, {-0.5, 0.0000001}};
	for (size_t i = 0; i < 6; i++) {
		in[i] = base_fix(points[i][0], points[i][1]);
		in[i].at_ms += (int64_t)i * 1000 + 123;
		in[i].altitude_m = -12;
		in[i].accuracy_m = 6.5;
		in[i].battery_pct = 70;
	}
	in[1].events = EM_EV_SOS;
	in[2].events = EM_EV_POWER_CUT;
	in[3].events = EM_EV_POWER_RESTORED;
	in[4].events = EM_EV_CHARGING;
	in[5].battery_pct = 12;
	in[5].valid = false;
	uint8_t codecs[] = {0x08, 0x8E};
	for (int c = 0; c < 2; c++) {
		uint8_t b[2048];
		size_t n = teltonika_encode_avl(codecs[c], in, 6, b, sizeof b);
		assert_true(n > 0);
		size_t count = 0;
		char err[160] = "";
		uint8_t codec = 0;
		if (teltonika_decode_avl(b, n, out, TELTONIKA_MAX_RECORDS, &count, &codec, err, sizeof err) != (ssize_t)n)
			fail_msg("codec %02X: %s", codecs[c], err);
		assert_int_equal(codec, codecs[c]);
		assert_int_equal(count, 6);
		for (size_t i = 0; i < 6; i++) {
			assert_int_equal(out[i].at_ms, in[i].at_ms);
			assert_float_equal(out[i].lat, in[i].lat, 1e-7);
			assert_float_equal(out[i].lon, in[i].lon, 1e-7);
			assert_float_equal(out[i].altitude_m, -12, 0);
			assert_float_equal(out[i].course_deg, 271, 0);
			assert_float_equal(out[i].speed_kmh, 37, 0);
			assert_float_equal(out[i].accuracy_m, 6.5, 1e-9);
			assert_int_equal(out[i].battery_pct, in[i].battery_pct);
		}
		assert_int_equal(out[0].events, 0);
		assert_true(out[0].valid);
		assert_int_equal(out[1].events, EM_EV_SOS);
		assert_int_equal(out[2].events, EM_EV_POWER_CUT);
		assert_int_equal(out[3].events, EM_EV_POWER_RESTORED);
		assert_int_equal(out[4].events, EM_EV_CHARGING);
		assert_int_equal(out[5].events, EM_EV_BATTERY_LOW);
		assert_false(out[5].valid);
		/* Two packets in a row decode one after the other. */
		memcpy(b + n, b, n);
		assert_int_equal(avl(b + n, n, out, &count, err), (ssize_t)n);
	}
	/* Battery critical, and a record without a position. */
	struct em_fix f = base_fix(0, 0);
	f.has_location = false;
	f.battery_pct = 4;
	uint8_t b[256];
	size_t n = teltonika_encode_avl(0x08, &f, 1, b, sizeof b);
	size_t count;
	char err[160];
	assert_int_equal(avl(b, n, out, &count, err), (ssize_t)n);
	assert_int_equal(out[0].events, EM_EV_BATTERY_CRITICAL);
	assert_false(out[0].has_location);
	assert_int_equal(teltonika_encode_avl(0x10, &f, 1, b, sizeof b), 0);
	assert_int_equal(teltonika_encode_avl(0x08, &f, 1, b, 20), 0);
}

/* IO elements mapped by hand: 66 external voltage 0 and back, 252 unplug, 236 alarm, priority 2. */
static void teltonika_io_event_mapping(void **state)
{
	(void)state;
	static struct em_fix out[TELTONIKA_MAX_RECORDS];
	/* Codec 8 record with IO: event id E, 1-byte (id 252 = U, id 236 = A), 2-byte (66 = V). */
	static const struct {
		uint8_t priority, event_id, unplug, alarm;
		uint16_t volts;
		uint32_t events;
	} cases[] = {
		{0, 0, 0, 0, 12000, 0},
		{2, 0, 0, 0, 12000, EM_EV_SOS},
		{0, 0, 0, 1, 12000, EM_EV_SOS},
		{0, 0, 1, 0, 12000, EM_EV_POWER_CUT},
		{0, 0, 0, 0, 0, EM_EV_POWER_CUT},
		{0, 66, 0, 0, 12000, EM_EV_POWER_RESTORED},
		{0, 252, 0, 0, 12000, EM_EV_POWER_RESTORED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t b[128] = {0};
		size_t p = 8;
		b[p++] = 0x08;
		b[p++] = 1;
		uint64_t ts = (uint64_t)NOW_MS;
		for (int k = 7; k >= 0; k--)
			b[p++] = (uint8_t)(ts >> (8 * k));
		b[p++] = cases[i].priority;
		p += 15; /* no position */
		uint8_t io[] = {cases[i].event_id, 3, 2, 252, cases[i].unplug, 236, cases[i].alarm, 1, 66,
		                (uint8_t)(cases[i].volts >> 8), (uint8_t)cases[i].volts, 0, 0};
		memcpy(b + p, io, sizeof io);
		p += sizeof io;
		b[p++] = 1;
		size_t dlen = p - 8;
		b[7] = (uint8_t)dlen;
		p += 4;
		teltonika_reseal(b, p);
		size_t count;
		char err[160] = "";
		if (avl(b, p, out, &count, err) != (ssize_t)p)
			fail_msg("case %zu: %s", i, err);
		if (out[0].events != cases[i].events)
			fail_msg("case %zu: events %x, expected %x", i, out[0].events, cases[i].events);
	}
}

static void teltonika_damaged_packets(void **state)
{
	(void)state;
	static struct em_fix in[3], out[TELTONIKA_MAX_RECORDS];
	for (int i = 0; i < 3; i++)
		in[i] = base_fix(42.8, 74.6);
	uint8_t b[512], c[512];
	size_t n = teltonika_encode_avl(0x8E, in, 3, b, sizeof b);
	size_t count;
	char err[160];
	/* Bad CRC. */
	memcpy(c, b, n);
	c[20] ^= 0x40;
	assert_int_equal(avl(c, n, out, &count, err), -1);
	assert_non_null(strstr(err, "CRC mismatch"));
	/* Counts that disagree. */
	memcpy(c, b, n);
	c[n - 5] = 2;
	teltonika_reseal(c, n);
	assert_int_equal(avl(c, n, out, &count, err), -1);
	assert_non_null(strstr(err, "counts disagree"));
	/* More records announced than the data holds: the last one is truncated. */
	memcpy(c, b, n);
	c[9] = 4;
	c[n - 5] = 4;
	teltonika_reseal(c, n);
	assert_int_equal(avl(c, n, out, &count, err), -1);
	assert_non_null(strstr(err, "truncated"));
	/* Fewer records announced than the data holds. */
	memcpy(c, b, n);
	c[9] = 2;
	c[n - 5] = 2;
	teltonika_reseal(c, n);
	assert_int_equal(avl(c, n, out, &count, err), -1);
	assert_non_null(strstr(err, "after the last"));
	/* An IO total that does not match the elements. */
	memcpy(c, b, n);
	c[10 + 24 + 3] ^= 0x01;
	teltonika_reseal(c, n);
	assert_int_equal(avl(c, n, out, &count, err), -1);
	assert_non_null(strstr(err, "IO total"));
	/* Another codec. */
	memcpy(c, b, n);
	c[8] = 0x10;
	teltonika_reseal(c, n);
	assert_int_equal(avl(c, n, out, &count, err), -1);
	assert_non_null(strstr(err, "codec"));
	/* A preamble that is not zero, a length out of range, more records than the caller has room for. */
	memcpy(c, b, n);
	c[1] = 1;
	assert_int_equal(avl(c, 3, out, &count, err), -1);
	memcpy(c, b, n);
	c[4] = 0x7F;
	assert_int_equal(avl(c, n, out, &count, err), -1);
	uint8_t codec;
	assert_int_equal(teltonika_decode_avl(b, n, out, 2, &count, &codec, err, sizeof err), -1);
	/* Every prefix asks for more. */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(avl(b, k, out, &count, err), 0);
	/* An NX element whose length runs past the record. */
	uint8_t x[64] = {0};
	size_t p = 8;
	x[p++] = 0x8E;
	x[p++] = 1;
	p += 8 + 1 + 15;
	uint8_t io[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 5, 0xFF, 0xFF, 1, 2};
	memcpy(x + p, io, sizeof io);
	p += sizeof io;
	x[p++] = 1;
	x[7] = (uint8_t)(p - 8);
	p += 4;
	teltonika_reseal(x, p);
	assert_int_equal(avl(x, p, out, &count, err), -1);
	assert_non_null(strstr(err, "truncated"));
}

/* ---- OsmAnd --------------------------------------------------------- */

static struct em_fix q_ok(const char *q)
{
	struct em_fix f;
	char err[160] = "";
	if (!osmand_decode_query(q, strlen(q), &f, err, sizeof err))
		fail_msg("%s: %s", q, err);
	return f;
}

static void q_bad(const char *q, const char *field)
{
	struct em_fix f;
	char err[160] = "";
	if (osmand_decode_query(q, strlen(q), &f, err, sizeof err))
		fail_msg("%s: decoded", q);
	if (strncmp(err, field, strlen(field)) != 0)
		fail_msg("%s: %s (expected %s)", q, err, field);
}

static void osmand_query_forms(void **state)
{
	(void)state;
	struct em_fix f = q_ok("/?id=902064&lat=42.06288&lon=-88.23412&timestamp=2016-01-27T18%3A55%3A47Z&hdop=6.0"
	                       "&altitude=224.0&speed=0.0");
	assert_string_equal(f.device, "902064");
	assert_true(f.has_location);
	assert_true(f.valid);
	assert_float_equal(f.lat, 42.06288, 1e-9);
	assert_float_equal(f.lon, -88.23412, 1e-9);
	assert_int_equal(f.at_ms, 1453920947000LL);
	assert_float_equal(f.accuracy_m, 30, 1e-9);
	assert_float_equal(f.altitude_m, 224, 0);
	assert_float_equal(f.speed_kmh, 0, 0);
	assert_int_equal(f.events, 0);
	f = q_ok("id=902064&lat=42.06288&lon=-88.23412&timestamp=1442068686579&hdop=6.0&accuracy=4");
	assert_int_equal(f.at_ms, 1442068686579LL);
	assert_float_equal(f.accuracy_m, 4, 0);
	f = q_ok("lat=49.60688&lon=6.15788&timestamp=2014-06-04+09%3A10%3A11&altitude=384.7&speed=10&id=353861053849681");
	assert_int_equal(f.at_ms, em_utc_ms(2014, 6, 4, 9, 10, 11));
	assert_float_equal(f.speed_kmh, 18.52, 1e-9);
	f = q_ok("id=123456&timestamp=1377177267&location=60.0,30.0&bearing=90");
	assert_int_equal(f.at_ms, 1377177267000LL);
	assert_float_equal(f.lat, 60, 0);
	assert_float_equal(f.lon, 30, 0);
	assert_float_equal(f.course_deg, 90, 0);
	f = q_ok("http://host:5055/?lat=60.0&lon=30.0&heading=45&deviceid=123456&batt=87&timestamp=2026-01-01T06:00:00%2B06:00");
	assert_string_equal(f.device, "123456");
	assert_int_equal(f.battery_pct, 87);
	assert_float_equal(f.course_deg, 45, 0);
	assert_int_equal(f.at_ms, NOW_MS);
	/* No timestamp: 0 (the caller takes the time of receipt); no position: a heartbeat. */
	f = q_ok("id=123456&cell=257,02,16,2224&wifi=00-14-22-01-23-45,-80");
	assert_int_equal(f.at_ms, 0);
	assert_false(f.has_location);
	assert_int_equal(f.events, EM_EV_HEARTBEAT);
	/* Alarms, charge, validity, unknown keys. */
	f = q_ok("id=7&lat=-1&lon=-2&alarm=sos,tamper&charge=true&valid=false&ignition=true");
	assert_int_equal(f.events, EM_EV_SOS | EM_EV_STRAP_TAMPER | EM_EV_CHARGING);
	assert_false(f.valid);
	assert_int_equal(q_ok("id=7&alarm=removing").events, EM_EV_STRAP_REMOVED);
	assert_int_equal(q_ok("id=7&alarm=lowBattery").events, EM_EV_BATTERY_LOW);
	assert_int_equal(q_ok("id=7&alarm=lowPower").events, EM_EV_BATTERY_LOW);
	assert_int_equal(q_ok("id=7&alarm=powerCut").events, EM_EV_POWER_CUT);
	assert_int_equal(q_ok("id=7&alarm=powerRestored").events, EM_EV_POWER_RESTORED);
	assert_int_equal(q_ok("id=7&alarm=case_tamper,battery_critical").events,
	                 EM_EV_CASE_TAMPER | EM_EV_BATTERY_CRITICAL);
	assert_int_equal(q_ok("id=7&alarm=geofence").events, EM_EV_HEARTBEAT);
	assert_int_equal(q_ok("id=7&charge=1").events, EM_EV_CHARGING);
	assert_string_equal(q_ok("id=a%20b%2Bc&x").device, "a b+c");
	assert_string_equal(q_ok("id=a?b&lat=1&lon=2").device, "a?b");
}

static void osmand_query_errors_name_the_field(void **state)
{
	(void)state;
	q_bad("lat=1&lon=2", "id");
	q_bad("id=1&lat=1", "lon");
	q_bad("id=1&lon=1", "lat");
	q_bad("id=1&lat=abc&lon=2", "lat");
	q_bad("id=1&lat=1&lon=2&speed=fast", "speed");
	q_bad("id=1&lat=1&lon=2&batt=150", "batt");
	q_bad("id=1&lat=1&lon=2&timestamp=yesterday", "timestamp");
	q_bad("id=1&lat=1&lon=2&timestamp=2016-02-30T10:00:00Z", "timestamp");
	q_bad("id=1&location=60", "location");
	q_bad("id=1&lat=%zz", "lat");
	q_bad("id=1&lat=%4", "lat");
	q_bad("id=1&lat=1%00&lon=2", "lat");
	q_bad("id=&lat=1&lon=2", "id");
	char longv[400] = "id=";
	memset(longv + 3, 'a', 300);
	q_bad(longv, "id");
	char longid[100] = "id=";
	memset(longid + 3, '7', 65);
	q_bad(longid, "id");
}

static struct em_fix j_ok(const char *body)
{
	struct em_fix f;
	char err[160] = "";
	if (!osmand_decode_json(body, strlen(body), &f, err, sizeof err))
		fail_msg("%s: %s", body, err);
	return f;
}

static void j_bad(const char *body, const char *field)
{
	struct em_fix f;
	char err[160] = "";
	if (osmand_decode_json(body, strlen(body), &f, err, sizeof err))
		fail_msg("%s: decoded", body);
	if (strncmp(err, field, strlen(field)) != 0)
		fail_msg("%s: %s (expected %s)", body, err, field);
}

static void osmand_json_of_traccar_client(void **state)
{
	(void)state;
	struct em_fix f = j_ok(
		"{\"location\":{\"timestamp\":\"2025-06-15T13:45:12.862Z\",\"coords\":{\"latitude\":37.4219983,\"longitude\":"
		"-122.084,\"accuracy\":5,\"speed\":0,\"heading\":-1,\"altitude\":5},\"is_moving\":false,\"odometer\":0,"
		"\"event\":\"motionchange\",\"battery\":{\"level\":1,\"is_charging\":false},\"activity\":{\"type\":\"still\"},"
		"\"extras\":{},\"_\":\"&id=48241179&lat=37.4219983&lon=-122.084&timestamp=2025-06-15T13:45:12.862Z&\"},"
		"\"device_id\":\"48241179\"}");
	assert_string_equal(f.device, "48241179");
	assert_int_equal(f.at_ms, em_utc_ms(2025, 6, 15, 13, 45, 12) + 862);
	assert_float_equal(f.lat, 37.4219983, 1e-9);
	assert_float_equal(f.lon, -122.084, 1e-9);
	assert_float_equal(f.accuracy_m, 5, 0);
	assert_float_equal(f.speed_kmh, 0, 0);
	assert_true(isnan(f.course_deg));
	assert_float_equal(f.altitude_m, 5, 0);
	assert_int_equal(f.battery_pct, 100);
	assert_int_equal(f.events, 0);
	assert_true(f.valid);
	f = j_ok("{\"location\":{\"event\":\"motionchange\",\"is_moving\":false,\"timestamp\":\"2021-07-21T08:06:34.444Z\","
	         "\"coords\":{\"latitude\":-6.1148096,\"longitude\":106.6837015,\"accuracy\":3.8,\"speed\":18.67,"
	         "\"heading\":63,\"altitude\":35.7},\"battery\":{\"is_charging\":true,\"level\":0.79},\"extras\":{}},"
	         "\"device_id\":\"8737767034\"}");
	assert_float_equal(f.speed_kmh, 18.67 * 3.6, 1e-9);
	assert_float_equal(f.course_deg, 63, 0);
	assert_int_equal(f.battery_pct, 79);
	assert_int_equal(f.events, EM_EV_CHARGING);
	/* A mocked location (an app faking the position) is not valid; level -1 is unknown. */
	f = j_ok("{\"location\":{\"mock\":true,\"coords\":{\"speed\":-1,\"longitude\":-122.406417,\"latitude\":37.785834,"
	         "\"accuracy\":5,\"altitude\":0,\"heading\":-1},\"battery\":{\"level\":-1,\"is_charging\":false},"
	         "\"timestamp\":\"2025-05-09T04:11:30.579Z\"},\"device_id\":658765}");
	assert_string_equal(f.device, "658765");
	assert_false(f.valid);
	assert_true(isnan(f.speed_kmh));
	assert_int_equal(f.battery_pct, -1);
	f = j_ok("{\"device_id\":\"x\",\"location\":{\"event\":\"heartbeat\",\"timestamp\":1767225600}}");
	assert_false(f.has_location);
	assert_int_equal(f.events, EM_EV_HEARTBEAT);
	assert_int_equal(f.at_ms, NOW_MS);
	j_bad("not json", "body");
	j_bad("[1]", "body");
	j_bad("{\"location\":{}}", "device_id");
	j_bad("{\"device_id\":\"x\"}", "location");
	j_bad("{\"device_id\":\"x\",\"location\":{\"coords\":{\"latitude\":\"1\",\"longitude\":2}}}",
	      "location.coords.latitude");
	j_bad("{\"device_id\":\"x\",\"location\":{\"coords\":{\"latitude\":1}}}", "lon");
	j_bad("{\"device_id\":\"x\",\"location\":{\"timestamp\":\"soon\"}}", "location.timestamp");
	j_bad("{\"device_id\":\"x\",\"location\":{\"battery\":{\"level\":5}}}", "location.battery.level");
	j_bad("{\"device_id\":\"x\",\"device_id\":\"y\",\"location\":{}}", "body");
}

/* ---- fix.c ---------------------------------------------------------- */

static void event_names_and_bits(void **state)
{
	(void)state;
	static const char *names[] = {"strap_tamper", "strap_removed", "case_tamper", "battery_low",
	                              "battery_critical", "power_cut", "power_restored", "charging", "sos",
	                              "heartbeat"};
	for (int i = 0; i < EM_EV_COUNT; i++) {
		assert_string_equal(em_event_name(1u << i), names[i]);
		assert_int_equal(em_event_bit(names[i]), 1u << i);
	}
	assert_null(em_event_name(0));
	assert_null(em_event_name(3));
	assert_null(em_event_name(1u << EM_EV_COUNT));
	assert_int_equal(em_event_bit("tamper"), 0);
	assert_int_equal(em_event_bit(NULL), 0);
	assert_int_equal(EM_EV_SOS, em_event_bit("sos"));
}

static void check_fails(struct em_fix f, const char *field)
{
	char why[160] = "";
	if (em_fix_check(&f, NOW_MS, why, sizeof why))
		fail_msg("accepted (expected %s)", field);
	if (strncmp(why, field, strlen(field)) != 0)
		fail_msg("%s (expected %s)", why, field);
}

static void fix_check_ranges(void **state)
{
	(void)state;
	struct em_fix f = base_fix(42.87, 74.57);
	strcpy(f.device, "356307042441013");
	char why[160];
	assert_true(em_fix_check(&f, NOW_MS, why, sizeof why));
	struct em_fix g = f;
	g.lat = 90.5;
	check_fails(g, "lat");
	g = f;
	g.lon = -180.01;
	check_fails(g, "lon");
	g = f;
	g.lat = g.lon = 0;
	check_fails(g, "lat, lon: both 0");
	g.has_location = false; /* events only: 0,0 is fine */
	assert_true(em_fix_check(&g, NOW_MS, why, sizeof why));
	g = f;
	g.lat = NAN;
	check_fails(g, "lat");
	g = f;
	g.at_ms = 946684799999LL;
	check_fails(g, "at");
	g.at_ms = 946684800000LL;
	assert_true(em_fix_check(&g, NOW_MS, why, sizeof why));
	g.at_ms = NOW_MS + 86400000LL + 1;
	check_fails(g, "at");
	g.at_ms = NOW_MS + 86400000LL;
	assert_true(em_fix_check(&g, NOW_MS, why, sizeof why));
	g = f;
	g.accuracy_m = -1;
	check_fails(g, "accuracy_m");
	g.accuracy_m = 100000;
	check_fails(g, "accuracy_m");
	g = f;
	g.battery_pct = 101;
	check_fails(g, "battery_pct");
	g.battery_pct = -2;
	check_fails(g, "battery_pct");
	g = f;
	g.speed_kmh = 501;
	check_fails(g, "speed_kmh");
	g.speed_kmh = -0.5;
	check_fails(g, "speed_kmh");
	g = f;
	g.device[0] = '\0';
	check_fails(g, "device");
	strcpy(g.device, "a b");
	check_fails(g, "device");
	strcpy(g.device, "a\x01");
	check_fails(g, "device");
	g = f;
	g.events = 1u << EM_EV_COUNT;
	check_fails(g, "events");
}

static void utc_calendar_helpers(void **state)
{
	(void)state;
	assert_int_equal(em_utc_ms(1970, 1, 1, 0, 0, 0), 0);
	assert_int_equal(em_utc_ms(2026, 1, 1, 0, 0, 0), NOW_MS);
	assert_int_equal(em_utc_ms(2024, 2, 29, 12, 0, 0), 1709208000000LL);
	assert_int_equal(em_utc_ms(2023, 2, 29, 12, 0, 0), -1);
	assert_int_equal(em_utc_ms(2023, 13, 1, 0, 0, 0), -1);
	assert_int_equal(em_utc_ms(2023, 4, 31, 0, 0, 0), -1);
	assert_int_equal(em_utc_ms(2023, 1, 1, 24, 0, 0), -1);
	int p[6];
	em_utc_parts(1709208000000LL + 3723000, p);
	assert_int_equal(p[0], 2024);
	assert_int_equal(p[1], 2);
	assert_int_equal(p[2], 29);
	assert_int_equal(p[3], 13);
	assert_int_equal(p[4], 2);
	assert_int_equal(p[5], 3);
	for (int64_t ms = 946684800000LL; ms < 4102444800000LL; ms += 86400000LL * 37 + 3601000) {
		em_utc_parts(ms, p);
		assert_int_equal(em_utc_ms(p[0], p[1], p[2], p[3], p[4], p[5]), ms - ms % 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crcs_match_their_catalogue_check_values),
		cmocka_unit_test(gt06_login_from_the_protocol_document),
		cmocka_unit_test(gt06_location_from_the_protocol_document),
		cmocka_unit_test(gt06_status_and_heartbeat),
		cmocka_unit_test(gt06_alarm_frames_from_devices),
		cmocka_unit_test(gt06_every_event_mapping),
		cmocka_unit_test(gt06_partial_damaged_and_foreign_frames),
		cmocka_unit_test(gt06_long_frames_and_frames_in_a_row),
		cmocka_unit_test(gt06_round_trip_on_every_side_of_the_meridians),
		cmocka_unit_test(gt06_alarm_and_status_encoders_round_trip_each_event),
		cmocka_unit_test(teltonika_imei_packet),
		cmocka_unit_test(teltonika_packets_from_the_documentation),
		cmocka_unit_test(teltonika_round_trip_codec_8_and_8e),
		cmocka_unit_test(teltonika_io_event_mapping),
		cmocka_unit_test(teltonika_damaged_packets),
		cmocka_unit_test(osmand_query_forms),
		cmocka_unit_test(osmand_query_errors_name_the_field),
		cmocka_unit_test(osmand_json_of_traccar_client),
		cmocka_unit_test(event_names_and_bits),
		cmocka_unit_test(fix_check_ranges),
		cmocka_unit_test(utc_calendar_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
