/*
 * cmd_decode.c — `kadam decode`: what one device message decodes to, as JSON,
 * for an operator diagnosing a device. The same pure decoders the server uses;
 * nothing is stored or sent.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "em/fix.h"
#include "em/protocols/gt06.h"
#include "em/protocols/osmand.h"
#include "em/protocols/teltonika.h"

#define DECODE_MAX_INPUT (1024 * 1024)

static const char usage[] =
	"usage: kadam decode --protocol osmand|gt06|teltonika INPUT\n"
	"       kadam decode --protocol PROTOCOL -     (INPUT from standard input)\n"
	"\n"
	"Prints what a device message decodes to as one JSON object: {\"protocol\", \"messages\": [{\"kind\",\n"
	"\"imei\"?, \"codec\"?, \"ack_hex\"? (the server's answer), \"fixes\": [{device, at, lat, lon, accuracy_m,\n"
	"speed_kmh, course_deg, altitude_m, satellites, battery_pct, valid, events, problem}]}]}; \"problem\" is why\n"
	"the server would refuse the fix (null when it would store it). Nothing is stored or sent.\n"
	"\n"
	"INPUT is, for osmand, the query string (a URL or path with '?' is fine) or the JSON body of Traccar\n"
	"Client (it starts with '{'); for gt06 and teltonika, the bytes in hex (spaces allowed), one frame or\n"
	"several one after another (a Teltonika input may start with the IMEI packet).\n"
	"\n"
	"Exit status: 0 decoded; 1 the input cannot be decoded (the reason names the byte offset); 2 bad usage.\n"
	"\n"
	"Examples:\n"
	"  kadam decode --protocol osmand 'id=353861053849681&lat=42.8746&lon=74.5698&timestamp=1767225600&speed=2.5'\n"
	"  kadam decode --protocol osmand '{\"device_id\":\"48241179\",\"location\":\n"
	"      {\"timestamp\":\"2026-01-01T00:00:00Z\",\n"
	"      \"coords\":{\"latitude\":42.8746,\"longitude\":74.5698,\"accuracy\":5}}}'\n"
	"  kadam decode --protocol gt06 '78 78 0D 01 01 23 45 67 89 01 23 45 00 01 8C DD 0D 0A'\n"
	"  kadam decode --protocol teltonika 000F333536333037303432343431303133\n";

static json_t *num_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static json_t *fix_json(const struct em_fix *f, int64_t now_ms)
{
	json_t *o = json_object();
	json_object_set_new(o, "device", f->device[0] ? json_string(f->device) : json_null());
	char at[32];
	clock_format_rfc3339(f->at_ms, at);
	json_object_set_new(o, "at", f->at_ms > 0 ? json_string(at) : json_null());
	json_object_set_new(o, "lat", f->has_location ? json_real(f->lat) : json_null());
	json_object_set_new(o, "lon", f->has_location ? json_real(f->lon) : json_null());
	json_object_set_new(o, "accuracy_m", num_or_null(f->accuracy_m));
	json_object_set_new(o, "speed_kmh", num_or_null(f->speed_kmh));
	json_object_set_new(o, "course_deg", num_or_null(f->course_deg));
	json_object_set_new(o, "altitude_m", num_or_null(f->altitude_m));
	json_object_set_new(o, "satellites", f->satellites >= 0 ? json_integer(f->satellites) : json_null());
	json_object_set_new(o, "battery_pct", f->battery_pct >= 0 ? json_integer(f->battery_pct) : json_null());
	json_object_set_new(o, "valid", json_boolean(f->valid));
	json_t *events = json_array();
	for (int i = 0; i < EM_EV_COUNT; i++)
		if (f->events & (1u << i))
			json_array_append_new(events, json_string(em_event_name(1u << i)));
	json_object_set_new(o, "events", events);
	/* The check the server applies; a binary message's device is the connection's (its login). */
	struct em_fix c = *f;
	if (!c.device[0])
		snprintf(c.device, sizeof c.device, "unknown");
	char why[160];
	json_object_set_new(o, "problem", em_fix_check(&c, now_ms, why, sizeof why) ? json_null() : json_string(why));
	return o;
}

static json_t *message(const char *kind)
{
	json_t *m = json_object();
	json_object_set_new(m, "kind", json_string(kind));
	return m;
}

static void set_ack(json_t *m, const uint8_t *ack, size_t n)
{
	char hex[2 * 16 + 1];
	for (size_t i = 0; i < n && i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02X", ack[i]);
	hex[2 * (n < 16 ? n : 16)] = '\0';
	json_object_set_new(m, "ack_hex", json_string(hex));
}

/* Hex digits (whitespace between them allowed) into bytes; false with the reason printed. */
static bool unhex(const char *s, struct buf *out)
{
	int high = -1;
	for (size_t i = 0; s[i]; i++) {
		int c = (unsigned char)s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		int v = c >= '0' && c <= '9'   ? c - '0'
		        : c >= 'a' && c <= 'f' ? c - 'a' + 10
		        : c >= 'A' && c <= 'F' ? c - 'A' + 10
		                               : -1;
		if (v < 0) {
			fprintf(stderr, "kadam decode: hex input: character %zu ('%c') is not a hex digit\n", i,
			        c >= 0x20 && c < 0x7f ? c : '?');
			return false;
		}
		if (high < 0) {
			high = v;
		} else {
			char byte = (char)(high << 4 | v);
			buf_append(out, &byte, 1);
			high = -1;
		}
	}
	if (high >= 0) {
		fputs("kadam decode: hex input: an odd number of hex digits\n", stderr);
		return false;
	}
	if (out->len == 0) {
		fputs("kadam decode: hex input: no bytes\n", stderr);
		return false;
	}
	return true;
}

static bool decode_osmand(const char *in, json_t *messages, int64_t now_ms)
{
	const char *p = in;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	size_t n = strlen(p);
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == '\t'))
		n--;
	struct em_fix f;
	char err[200];
	bool ok = *p == '{' ? osmand_decode_json(p, n, &f, err, sizeof err)
	                    : osmand_decode_query(p, n, &f, err, sizeof err);
	if (!ok) {
		fprintf(stderr, "kadam decode: %s\n", err);
		return false;
	}
	json_t *m = message(f.has_location ? "location" : "status");
	json_t *fixes = json_array();
	json_array_append_new(fixes, fix_json(&f, now_ms));
	json_object_set_new(m, "fixes", fixes);
	json_array_append_new(messages, m);
	return true;
}

static const char *gt06_kind_name(enum gt06_kind k)
{
	switch (k) {
	case GT06_LOGIN: return "login";
	case GT06_LOCATION: return "location";
	case GT06_STATUS: return "status";
	case GT06_ALARM: return "alarm";
	default: return "other";
	}
}

static bool decode_gt06(const uint8_t *b, size_t len, json_t *messages, int64_t now_ms)
{
	char imei[16] = "";
	for (size_t off = 0; off < len;) {
		struct gt06_msg msg;
		char err[200] = "";
		ssize_t used = gt06_decode(b + off, len - off, &msg, err, sizeof err);
		if (used == 0) {
			fprintf(stderr, "kadam decode: at byte offset %zu: an incomplete frame (%zu bytes)\n", off,
			        len - off);
			return false;
		}
		if (used < 0) {
			fprintf(stderr, "kadam decode: at byte offset %zu: %s\n", off, err);
			return false;
		}
		json_t *m = message(gt06_kind_name(msg.kind));
		json_object_set_new(m, "protocol_number", json_integer(msg.protocol));
		json_object_set_new(m, "serial", json_integer(msg.serial));
		if (msg.needs_ack) {
			uint8_t ack[16];
			set_ack(m, ack, gt06_ack(msg.protocol, msg.serial, ack));
		}
		json_t *fixes = json_array();
		if (msg.kind == GT06_LOGIN) {
			memcpy(imei, msg.imei, sizeof imei);
			json_object_set_new(m, "imei", json_string(msg.imei));
		} else if (msg.kind == GT06_LOCATION || msg.kind == GT06_STATUS || msg.kind == GT06_ALARM) {
			memcpy(msg.fix.device, imei, sizeof imei);
			json_array_append_new(fixes, fix_json(&msg.fix, now_ms));
		}
		json_object_set_new(m, "fixes", fixes);
		json_array_append_new(messages, m);
		off += (size_t)used;
	}
	return true;
}

static bool decode_teltonika(const uint8_t *b, size_t len, json_t *messages, int64_t now_ms)
{
	char imei[16] = "";
	static struct em_fix fixes[TELTONIKA_MAX_RECORDS];
	for (size_t off = 0; off < len;) {
		char err[200] = "";
		ssize_t used;
		json_t *m;
		if (len - off >= 2 && (b[off] != 0 || b[off + 1] != 0)) {
			used = teltonika_decode_imei(b + off, len - off, imei, err, sizeof err);
			if (used <= 0)
				goto fail;
			m = message("login");
			json_object_set_new(m, "imei", json_string(imei));
			static const uint8_t accept = 0x01;
			set_ack(m, &accept, 1);
			json_object_set_new(m, "fixes", json_array());
		} else {
			size_t n = 0;
			uint8_t codec = 0;
			used = teltonika_decode_avl(b + off, len - off, fixes, TELTONIKA_MAX_RECORDS, &n, &codec, err,
			                            sizeof err);
			if (used <= 0)
				goto fail;
			m = message("avl");
			json_object_set_new(m, "codec", json_string(codec == 0x8E ? "8E" : "8"));
			uint8_t ack[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
			set_ack(m, ack, sizeof ack);
			json_t *list = json_array();
			for (size_t i = 0; i < n; i++) {
				memcpy(fixes[i].device, imei, sizeof imei);
				json_array_append_new(list, fix_json(&fixes[i], now_ms));
			}
			json_object_set_new(m, "fixes", list);
		}
		json_array_append_new(messages, m);
		off += (size_t)used;
		continue;
	fail:
		if (used == 0)
			fprintf(stderr, "kadam decode: at byte offset %zu: an incomplete packet (%zu bytes)\n", off,
			        len - off);
		else
			fprintf(stderr, "kadam decode: at byte offset %zu: %s\n", off, err);
		return false;
	}
	return true;
}

/* Reads standard input (at most DECODE_MAX_INPUT bytes) into a string; NULL with the reason printed. */
static char *read_stdin(void)
{
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
		if (b.len + n > DECODE_MAX_INPUT) {
			fprintf(stderr, "kadam decode: the input is longer than %d bytes\n", DECODE_MAX_INPUT);
			buf_free(&b);
			return NULL;
		}
		buf_append(&b, chunk, n);
	}
	if (ferror(stdin)) {
		fprintf(stderr, "kadam decode: reading standard input: %s\n", strerror(errno));
		buf_free(&b);
		return NULL;
	}
	buf_putc(&b, '\0');
	return buf_steal(&b);
}

int cmd_decode(int argc, char **argv)
{
	const char *protocol = NULL, *input = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--protocol") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("decode", usage, "--protocol needs a value");
			protocol = argv[++i];
		} else if (strncmp(a, "--protocol=", 11) == 0) {
			protocol = a + 11;
		} else if (a[0] == '-' && a[1] != '\0') {
			char *msg = xasprintf("unknown option %s", a);
			int rc = cli_usage_error("decode", usage, msg);
			free(msg);
			return rc;
		} else if (input) {
			return cli_usage_error("decode", usage, "one INPUT only (quote it)");
		} else {
			input = a;
		}
	}
	if (!protocol)
		return cli_usage_error("decode", usage, "which protocol: --protocol osmand|gt06|teltonika?");
	if (strcmp(protocol, "osmand") != 0 && strcmp(protocol, "gt06") != 0 && strcmp(protocol, "teltonika") != 0) {
		char *msg = xasprintf("unknown protocol '%s' (osmand, gt06 or teltonika)", protocol);
		int rc = cli_usage_error("decode", usage, msg);
		free(msg);
		return rc;
	}
	if (!input)
		return cli_usage_error("decode", usage, "INPUT is missing (or '-' for standard input)");
	char *owned = NULL;
	if (strcmp(input, "-") == 0) {
		owned = read_stdin();
		if (!owned)
			return 1;
		input = owned;
	} else if (strlen(input) > DECODE_MAX_INPUT) {
		fprintf(stderr, "kadam decode: the input is longer than %d bytes\n", DECODE_MAX_INPUT);
		return 1;
	}
	int64_t now_ms = clock_now_ms();
	json_t *messages = json_array();
	bool ok;
	if (strcmp(protocol, "osmand") == 0) {
		ok = decode_osmand(input, messages, now_ms);
	} else {
		struct buf bytes = {0};
		ok = unhex(input, &bytes);
		const uint8_t *data = (const uint8_t *)bytes.data;
		if (ok)
			ok = protocol[0] == 'g' ? decode_gt06(data, bytes.len, messages, now_ms)
			                        : decode_teltonika(data, bytes.len, messages, now_ms);
		buf_free(&bytes);
	}
	free(owned);
	if (!ok) {
		json_decref(messages);
		return 1;
	}
	json_t *out = json_object();
	json_object_set_new(out, "protocol", json_string(protocol));
	json_object_set_new(out, "messages", messages);
	char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(out);
	if (!text)
		return 1;
	puts(text);
	free(text);
	return 0;
}
