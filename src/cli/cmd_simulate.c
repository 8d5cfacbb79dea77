/*
 * cmd_simulate.c — `kadam simulate`: drives a running Kadam with simulated
 * monitoring devices, N of them split in turn across the four ways in (OsmAnd
 * over HTTP, the JSON batch API, GT06 over TCP and Teltonika over TCP, the
 * last two only when their ports are given), each on a random walk in a town,
 * some stepping out of the town's circle at a given rate.
 *
 * Time: the simulation runs in rounds; in round k every device sends its k-th
 * fix, timed start + k * interval (device time), and the next round starts
 * once every device of the round was answered (a TCP device's fix after its
 * acknowledgement). By default the rounds run as fast as the server answers
 * ("simulated time": --duration-s of device time end at now, so a test
 * needs no waiting); --realtime paces rounds by the wall clock, for
 * demonstrations. The encoders are the decoders' own (src/em/protocols/).
 *
 * --register creates the devices in the inventory (POST /api/v1/em/devices;
 * the token then needs em.devices as well; devices already there are fine).
 * It creates no orders: orders, fittings and zones are an officer's decision
 * (S23) and come from the demo data or the UI; --zones-geojson prints the
 * towns as inclusion circles (GeoJSON) for the zone import of an order, and a
 * fitted device's excursions out of its town then raise alerts.
 *
 * Plain sockets and poll() on one thread: enough for a simulator.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "em/fix.h"
#include "em/protocols/gt06.h"
#include "em/protocols/teltonika.h"

static const char usage[] =
	"usage: kadam simulate --url URL --token TOKEN [--operator-token TOKEN] [--gt06 HOST:PORT]\n"
	"                      [--teltonika HOST:PORT] [--devices N] [--towns LIST|FILE.json]\n"
	"                      [--violation-rate R] [--interval-s S] [--duration-s D] [--realtime]\n"
	"                      [--register] [--prefix P] [--seed N] [--start-ms MS] [--zones-geojson]\n"
	"\n"
	"Drives a running Kadam with N simulated monitoring devices, taken in turn\n"
	"for OsmAnd over HTTP (GET /em/osmand), the batch API (POST /api/v1/em/fixes),\n"
	"GT06 over TCP (--gt06) and Teltonika codec 8/8E over TCP (--teltonika). Each\n"
	"walks at random in a town (built in: bishkek, osh, jalal-abad, karakol; or a\n"
	"JSON file of [{\"name\", \"lat\", \"lon\", \"radius_m\"}]); at each fix, with\n"
	"probability R, a device starts an excursion of 5 fixes beyond its town's\n"
	"circle (a violation where an order's inclusion zone is that circle).\n"
	"\n"
	"The simulation runs in rounds of one fix per device, S seconds of device\n"
	"time apart, D seconds in all, ending now; a round starts when the last one\n"
	"was answered (TCP fixes once acknowledged), so it runs as fast as the server\n"
	"stores. --realtime paces rounds every S seconds of wall time instead (D 0:\n"
	"until interrupted). Prints a summary every 10 s and at the end: fixes sent\n"
	"and acknowledged, errors, and the open alerts in GET /api/v1/em/queue when\n"
	"--operator-token (em.operate) is given. Exits 1 if any fix went unanswered.\n"
	"\n"
	"  --token T        an API token with em.ingest (the batch API; the OsmAnd\n"
	"                   and TCP devices need none), and em.devices for --register\n"
	"  --register       add the devices to the inventory first (409: already there).\n"
	"                   No orders: fit devices to orders in the UI or use the demo's\n"
	"  --prefix P       identifiers: P-osmand-0001 ..., IMEIs from P's digits (sim)\n"
	"  --start-ms MS    the first round's device time (default: D seconds ago; a\n"
	"                   run straight after another overlaps its times otherwise, and\n"
	"                   a device's fixes within the same second are duplicates)\n"
	"  --zones-geojson  print the towns as a GeoJSON FeatureCollection of inclusion\n"
	"                   circles (for an order's zone import) and exit\n"
	"  defaults: --devices 8 --towns bishkek --violation-rate 0 --interval-s 10\n"
	"            --duration-s 300 --seed 1\n";

struct town {
	char name[64];
	double lat, lon, radius_m;
};

static const struct town builtin_towns[] = {
	{"bishkek", 42.8746, 74.5698, 6000},
	{"osh", 40.5283, 72.7985, 4000},
	{"jalal-abad", 40.9333, 73.0000, 3000},
	{"karakol", 42.4907, 78.3936, 2500},
};

enum way { WAY_OSMAND, WAY_BATCH, WAY_GT06, WAY_TELTONIKA };
static const char *const way_names[] = {"osmand", "gateway", "gt06", "teltonika"};
static const char *const way_kinds[] = {"phone", "ankle_tag", "ankle_tag", "home_unit"};

struct device {
	enum way way;
	char id[EM_ID_MAX + 1];
	const struct town *town;
	double lat, lon;        /* the walk's position (the fix is here unless on an excursion) */
	int excursion;          /* fixes left beyond the town */
	int battery;
	int fd;                 /* TCP devices */
	uint16_t serial;
	bool waiting;           /* a TCP fix awaits its acknowledgement */
	uint8_t in[64];
	size_t inlen;
};

struct sim {
	char host[256];
	char port[16];
	const char *token, *operator_token;
	int http_fd;            /* a kept-alive connection to the server */
	long sent, acked, errors, violations, alerts;
	uint64_t rng;
};

static double uniform(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* ---- sockets and a small HTTP/1.1 client ---------------------------------------------------------------------- */

static int tcp_connect(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	int fd = -1;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct timeval tv = {.tv_sec = 30};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	}
	return fd;
}

static bool write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		len -= (size_t)w;
	}
	return true;
}

/* Splits "HOST:PORT" (a bracketed IPv6 host too). */
static bool split_host_port(const char *s, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon = strrchr(s, ':');
	if (!colon || colon == s || !colon[1] || strlen(colon + 1) >= pcap)
		return false;
	const char *h = s;
	size_t hl = (size_t)(colon - s);
	if (*h == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= hcap)
		return false;
	memcpy(host, h, hl);
	host[hl] = '\0';
	snprintf(port, pcap, "%s", colon + 1);
	return strspn(port, "0123456789") == strlen(port);
}

/* Reads from fd into b until its length reaches want bytes; false on close or error. */
static bool read_more(int fd, struct buf *b)
{
	char tmp[16384];
	ssize_t r;
	do
		r = recv(fd, tmp, sizeof tmp, 0);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return false;
	buf_append(b, tmp, (size_t)r);
	return true;
}

/*
 * One request on the kept-alive connection (opened again when the server closed it). Returns the status (0 on a
 * transport failure) and the body into body_r (caller frees; may be NULL).
 */
static int http_request(struct sim *s, const char *method, const char *path, const char *token, const char *json,
                        char **body_r)
{
	if (body_r)
		*body_r = NULL;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (s->http_fd < 0 && (s->http_fd = tcp_connect(s->host, s->port)) < 0)
			return 0;
		struct buf req = {0};
		buf_printf(&req, "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: keep-alive\r\n", method, path, s->host,
		           s->port);
		if (token)
			buf_printf(&req, "Authorization: Bearer %s\r\n", token);
		if (json)
			buf_printf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s", strlen(json), json);
		else
			buf_printf(&req, "\r\n");
		bool ok = write_all(s->http_fd, req.data, req.len);
		buf_free(&req);
		struct buf in = {0};
		char *end = NULL;
		while (ok && !(in.len && (end = memmem(in.data, in.len, "\r\n\r\n", 4))))
			ok = read_more(s->http_fd, &in);
		if (!ok) {
			buf_free(&in);
			close(s->http_fd);
			s->http_fd = -1;
			if (attempt == 0)
				continue;  /* a kept-alive connection the server had closed: once more on a new one */
			return 0;
		}
		int status = 0;
		sscanf(in.data, "HTTP/1.%*d %d", &status);
		size_t head = (size_t)(end - in.data) + 4;
		/* Header names are case-insensitive: look for the two that frame the body. */
		long content_length = -1;
		bool chunked = false, closing = false;
		for (char *line = strstr(in.data, "\r\n"); line && line < end; line = strstr(line + 2, "\r\n")) {
			const char *h = line + 2;
			if (strncasecmp(h, "Content-Length:", 15) == 0)
				content_length = strtol(h + 15, NULL, 10);
			else if (strncasecmp(h, "Transfer-Encoding:", 18) == 0 && strstr(h, "chunked") && strstr(h, "chunked") < end)
				chunked = true;
			else if (strncasecmp(h, "Connection:", 11) == 0 && strncasecmp(h + 11, " close", 6) == 0)
				closing = true;
		}
		struct buf body = {0};
		if (chunked) {
			size_t pos = head;
			for (;;) {
				char *crlf;
				while (!(crlf = memmem(in.data + pos, in.len - pos, "\r\n", 2)))
					if (!read_more(s->http_fd, &in))
						goto broken;
				size_t n = strtoul(in.data + pos, NULL, 16);
				size_t start = (size_t)(crlf - in.data) + 2;
				while (in.len < start + n + 2)
					if (!read_more(s->http_fd, &in))
						goto broken;
				buf_append(&body, in.data + start, n);
				pos = start + n + 2;
				if (n == 0)
					break;
			}
		} else if (content_length >= 0) {
			while (in.len < head + (size_t)content_length)
				if (!read_more(s->http_fd, &in))
					goto broken;
			buf_append(&body, in.data + head, (size_t)content_length);
		} else {
			buf_append(&body, in.data + head, in.len - head);
			while (read_more(s->http_fd, &body)) {
			}
			closing = true;
		}
		buf_free(&in);
		if (closing) {
			close(s->http_fd);
			s->http_fd = -1;
		}
		if (body_r)
			*body_r = buf_steal(&body);
		else
			buf_free(&body);
		return status;
	broken:
		buf_free(&in);
		buf_free(&body);
		close(s->http_fd);
		s->http_fd = -1;
		return 0;
	}
	return 0;
}

/* ---- towns and devices ---------------------------------------------------------------------------------------- */

static struct town *load_towns(const char *spec, size_t *n_r)
{
	struct town *towns = NULL;
	size_t n = 0;
	if (strstr(spec, ".json")) {
		json_error_t e;
		json_t *root = json_load_file(spec, JSON_REJECT_DUPLICATES, &e);
		if (!json_is_array(root) || json_array_size(root) == 0 || json_array_size(root) > 1000) {
			fprintf(stderr, "kadam simulate: %s: a JSON array of 1 to 1000 towns is expected%s%s\n", spec,
			        root ? "" : ": ", root ? "" : e.text);
			json_decref(root);
			return NULL;
		}
		towns = calloc(json_array_size(root), sizeof *towns);
		size_t i;
		json_t *t;
		json_array_foreach(root, i, t) {
			const char *name = json_string_value(json_object_get(t, "name"));
			json_t *lat = json_object_get(t, "lat"), *lon = json_object_get(t, "lon"), *r = json_object_get(t, "radius_m");
			if (!name || !json_is_number(lat) || !json_is_number(lon) || !json_is_number(r) ||
			    fabs(json_number_value(lat)) > 85 || fabs(json_number_value(lon)) > 180 ||
			    json_number_value(r) < 100 || json_number_value(r) > 100000) {
				fprintf(stderr, "kadam simulate: %s: town %zu needs name, lat (-85..85), lon (-180..180) and "
				        "radius_m (100..100000)\n", spec, i);
				free(towns);
				json_decref(root);
				return NULL;
			}
			snprintf(towns[n].name, sizeof towns[n].name, "%s", name);
			towns[n].lat = json_number_value(lat);
			towns[n].lon = json_number_value(lon);
			towns[n++].radius_m = json_number_value(r);
		}
		json_decref(root);
	} else {
		char *copy = strdup(spec), *save = NULL;
		towns = calloc(sizeof builtin_towns / sizeof builtin_towns[0] * 4, sizeof *towns);
		for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			size_t k = 0;
			while (k < sizeof builtin_towns / sizeof builtin_towns[0] && strcasecmp(builtin_towns[k].name, tok) != 0)
				k++;
			if (k == sizeof builtin_towns / sizeof builtin_towns[0] || n == sizeof builtin_towns / sizeof builtin_towns[0] * 4) {
				fprintf(stderr, "kadam simulate: unknown town '%s' (bishkek, osh, jalal-abad, karakol, or FILE.json)\n",
				        tok);
				free(copy);
				free(towns);
				return NULL;
			}
			towns[n++] = builtin_towns[k];
		}
		free(copy);
	}
	if (n == 0) {
		fprintf(stderr, "kadam simulate: no towns\n");
		free(towns);
		return NULL;
	}
	*n_r = n;
	return towns;
}

/* A 15-digit IMEI with a valid check digit from the prefix's digits and the device's number. */
static void make_imei(const char *prefix, long num, char out[16])
{
	char digits[8] = "86";
	size_t d = 2;
	for (const char *p = prefix; *p && d < 4; p++)
		if (*p >= '0' && *p <= '9')
			digits[d++] = *p;
	digits[d] = '\0';
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%s%0*d", digits, (int)(14 - d), (int)(num % 10000000));
	memcpy(out, tmp, 14);
	int sum = 0;
	for (int i = 0; i < 14; i++) {
		int v = out[13 - i] - '0';
		if (i % 2 == 0 && (v *= 2) > 9)
			v -= 9;
		sum += v;
	}
	out[14] = (char)('0' + (10 - sum % 10) % 10);
	out[15] = '\0';
}

/* Moves the walk a step and fills the fix (on an excursion: beyond the town's circle). */
static void next_fix(struct sim *s, struct device *d, double violation_rate, int64_t at, struct em_fix *f)
{
	const struct town *t = d->town;
	double coslat = cos(t->lat * M_PI / 180);
	double step_m = 30 + uniform(s) * 120;
	double a = uniform(s) * 2 * M_PI;
	d->lat += step_m * sin(a) / 110574.0;
	d->lon += step_m * cos(a) / (111320.0 * coslat);
	/* Kept within 80% of the radius: the walk itself never leaves the town. */
	double dy = (d->lat - t->lat) * 110574.0, dx = (d->lon - t->lon) * 111320.0 * coslat;
	double r = sqrt(dx * dx + dy * dy);
	if (r > 0.8 * t->radius_m) {
		d->lat = t->lat + dy * 0.7 * t->radius_m / r / 110574.0;
		d->lon = t->lon + dx * 0.7 * t->radius_m / r / (111320.0 * coslat);
	}
	if (d->excursion == 0 && violation_rate > 0 && uniform(s) < violation_rate) {
		d->excursion = 5;
		s->violations++;
	}
	em_fix_init(f);
	snprintf(f->device, sizeof f->device, "%s", d->id);
	f->at_ms = at;
	f->has_location = true;
	f->valid = true;
	f->lat = d->lat;
	f->lon = d->lon;
	if (d->excursion > 0) {
		/* Twice the radius out from the centre, in the walk's direction. */
		double k = r > 1 ? 2.0 * t->radius_m / r : 0;
		f->lat = t->lat + (r > 1 ? dy * k : 2.0 * t->radius_m) / 110574.0;
		f->lon = t->lon + (r > 1 ? dx * k : 0) / (111320.0 * coslat);
		d->excursion--;
	}
	f->accuracy_m = 5 + uniform(s) * 15;
	f->speed_kmh = step_m / 1000.0 * 360;
	f->course_deg = fmod(a * 180 / M_PI + 360, 360);
	f->altitude_m = 800;
	f->satellites = 8;
	if (d->battery > 5 && uniform(s) < 0.05)
		d->battery--;
	f->battery_pct = d->battery;
}

static const char *iso_time(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
	return out;
}

/* ---- the ways in ---------------------------------------------------------------------------------------------- */

static void send_osmand(struct sim *s, const struct em_fix *f)
{
	char path[512];
	snprintf(path, sizeof path,
	         "/em/osmand?id=%s&timestamp=%lld&lat=%.7f&lon=%.7f&accuracy=%.1f&speed=%.2f&bearing=%.0f&altitude=%.0f"
	         "&batt=%d", f->device, (long long)f->at_ms, f->lat, f->lon, f->accuracy_m,
	         f->speed_kmh / 1.852, f->course_deg, f->altitude_m, f->battery_pct);
	s->sent++;
	char *body = NULL;
	int status = http_request(s, "GET", path, NULL, NULL, &body);
	if (status == 200)
		s->acked++;
	else {
		s->errors++;
		if (s->errors <= 5)
			fprintf(stderr, "kadam simulate: OsmAnd %s: %d %.200s\n", f->device, status, body ? body : "no answer");
	}
	free(body);
}

static void send_batch(struct sim *s, const struct em_fix *fixes, size_t n)
{
	if (n == 0)
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[32];
		json_array_append_new(arr, json_pack("{s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:i}", "device", fixes[i].device,
		    "at", iso_time(fixes[i].at_ms, at), "lat", fixes[i].lat, "lon", fixes[i].lon, "accuracy_m",
		    fixes[i].accuracy_m, "speed_kmh", fixes[i].speed_kmh, "course_deg", fixes[i].course_deg, "battery_pct",
		    fixes[i].battery_pct));
	}
	json_t *root = json_pack("{s:o}", "fixes", arr);
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	s->sent += (long)n;
	char *body = NULL;
	int status = http_request(s, "POST", "/api/v1/em/fixes", s->token, text, &body);
	free(text);
	json_t *out = status == 200 && body ? json_loads(body, 0, NULL) : NULL;
	if (out) {
		size_t refused = json_array_size(json_object_get(out, "refused"));
		s->acked += (long)(n - refused);
		s->errors += (long)refused;
		if (refused && s->errors <= 5 + (long)refused) {
			char *first = json_dumps(json_array_get(json_object_get(out, "refused"), 0), JSON_COMPACT);
			fprintf(stderr, "kadam simulate: batch: %zu refused, e.g. %.200s\n", refused, first ? first : "?");
			free(first);
		}
		json_decref(out);
	} else {
		s->errors += (long)n;
		if (s->errors <= 5 + (long)n)
			fprintf(stderr, "kadam simulate: POST /api/v1/em/fixes: %d %.300s\n", status, body ? body : "no answer");
	}
	free(body);
}

/* Opens a TCP device's connection and logs it in; false (connection closed) when refused. */
static bool tcp_login(struct device *d, const char *host, const char *port)
{
	d->fd = tcp_connect(host, port);
	if (d->fd < 0)
		return false;
	uint8_t frame[64], ack[16];
	size_t len = d->way == WAY_GT06 ? gt06_encode_login(d->id, ++d->serial, frame, sizeof frame)
	                                : teltonika_encode_imei(d->id, frame, sizeof frame);
	size_t want = d->way == WAY_GT06 ? 10 : 1, got = 0;
	if (len == 0 || !write_all(d->fd, frame, len))
		goto refused;
	while (got < want) {
		ssize_t r = recv(d->fd, ack + got, want - got, 0);
		if (r <= 0)
			goto refused;
		got += (size_t)r;
	}
	if (d->way == WAY_TELTONIKA && ack[0] != 0x01)
		goto refused;
	if (d->way == WAY_GT06 && (ack[0] != 0x78 || ack[3] != 0x01))
		goto refused;
	return true;
refused:
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	return false;
}

static bool tcp_send(struct device *d, const struct em_fix *f, long k)
{
	uint8_t frame[512];
	size_t len = d->way == WAY_GT06 ? gt06_encode_location(f, ++d->serial, frame, sizeof frame)
	                                : teltonika_encode_avl(k % 2 ? 0x8E : 0x08, f, 1, frame, sizeof frame);
	if (len == 0 || !write_all(d->fd, frame, len))
		return false;
	d->waiting = true;
	d->inlen = 0;
	return true;
}

/* Takes what arrived for a TCP device: true once its acknowledgement is complete. */
static bool tcp_ack_complete(struct device *d)
{
	if (d->way == WAY_GT06)
		return d->inlen >= 5 && d->inlen >= (size_t)d->in[2] + 5;
	return d->inlen >= 4;
}

/* ---- the run -------------------------------------------------------------------------------------------------- */

/* The open alerts in the monitoring queue; -1 without an operator token, else -2 - the HTTP status on failure. */
static long queue_alerts(struct sim *s)
{
	if (!s->operator_token)
		return -1;
	char *body = NULL;
	int status = http_request(s, "GET", "/api/v1/em/queue?status=open", s->operator_token, NULL, &body);
	json_t *out = status == 200 && body ? json_loads(body, 0, NULL) : NULL;
	free(body);
	long n = out ? (long)json_array_size(json_object_get(out, "items")) : -2 - status;
	json_decref(out);
	return n;
}

static void summary(struct sim *s, long round, long rounds, double elapsed)
{
	long alerts = queue_alerts(s);
	char seen[80] = "";
	if (alerts >= 0)
		snprintf(seen, sizeof seen, ", %ld open alerts in the queue", alerts);
	else if (alerts < -1)
		snprintf(seen, sizeof seen, ", the queue did not answer (HTTP %ld)", -2 - alerts);
	printf("simulate: %.0f s: round %ld of %ld; fixes sent %ld, acknowledged %ld, errors %ld; excursions %ld%s\n",
	       elapsed, round, rounds, s->sent, s->acked, s->errors, s->violations, seen);
	fflush(stdout);
}

static double wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool parse_num(const char *s, double lo, double hi, double *v_r)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return false;
	*v_r = v;
	return true;
}

int cmd_simulate(int argc, char **argv)
{
	static const struct option options[] = {
		{"url", required_argument, NULL, 'u'}, {"token", required_argument, NULL, 't'},
		{"operator-token", required_argument, NULL, 'o'}, {"gt06", required_argument, NULL, 'g'},
		{"teltonika", required_argument, NULL, 'k'}, {"devices", required_argument, NULL, 'n'},
		{"towns", required_argument, NULL, 'w'}, {"violation-rate", required_argument, NULL, 'v'},
		{"interval-s", required_argument, NULL, 'i'}, {"duration-s", required_argument, NULL, 'd'},
		{"realtime", no_argument, NULL, 'r'}, {"register", no_argument, NULL, 'R'},
		{"prefix", required_argument, NULL, 'p'}, {"seed", required_argument, NULL, 's'},
		{"zones-geojson", no_argument, NULL, 'z'}, {"start-ms", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'}, {0},
	};
	const char *url = NULL, *gt06 = NULL, *telt = NULL, *towns_spec = "bishkek", *prefix = "sim";
	struct sim s = {.http_fd = -1, .rng = 0x9E3779B97F4A7C15ull};
	double devices_d = 8, rate = 0, interval = 10, duration = 300, seed = 1, start_d = -1;
	bool realtime = false, do_register = false, zones_only = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'u': url = optarg; break;
		case 't': s.token = optarg; break;
		case 'o': s.operator_token = optarg; break;
		case 'g': gt06 = optarg; break;
		case 'k': telt = optarg; break;
		case 'w': towns_spec = optarg; break;
		case 'p': prefix = optarg; break;
		case 'r': realtime = true; break;
		case 'R': do_register = true; break;
		case 'z': zones_only = true; break;
		case 'n':
			if (!parse_num(optarg, 1, 100000, &devices_d) || devices_d != floor(devices_d))
				return cli_usage_error("simulate", usage, "--devices: a whole number from 1 to 100000");
			break;
		case 'v':
			if (!parse_num(optarg, 0, 1, &rate))
				return cli_usage_error("simulate", usage, "--violation-rate: a number from 0 to 1");
			break;
		case 'i':
			if (!parse_num(optarg, 1, 86400, &interval))
				return cli_usage_error("simulate", usage, "--interval-s: seconds from 1 to 86400");
			break;
		case 'd':
			if (!parse_num(optarg, 0, 30 * 86400, &duration))
				return cli_usage_error("simulate", usage, "--duration-s: seconds from 0 to 2592000");
			break;
		case 's':
			if (!parse_num(optarg, 0, 1e15, &seed))
				return cli_usage_error("simulate", usage, "--seed: a whole number");
			break;
		case 'S':
			if (!parse_num(optarg, 946684800000.0, 7258118400000.0, &start_d))
				return cli_usage_error("simulate", usage, "--start-ms: ms since the epoch (2000 to 2200)");
			break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("simulate", usage, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error("simulate", usage, "unexpected argument");
	size_t ntowns;
	struct town *towns = load_towns(towns_spec, &ntowns);
	if (!towns)
		return EXIT_USAGE;
	if (zones_only) {
		json_t *features = json_array();
		for (size_t i = 0; i < ntowns; i++)
			json_array_append_new(features, json_pack("{s:s, s:{s:s, s:[f, f]}, s:{s:s, s:s, s:f, s:i}}",
			    "type", "Feature", "geometry", "type", "Point", "coordinates", towns[i].lon, towns[i].lat,
			    "properties", "kind", "inclusion", "name", towns[i].name, "radius_m", towns[i].radius_m, "buffer_m", 0));
		json_t *fc = json_pack("{s:s, s:o}", "type", "FeatureCollection", "features", features);
		json_dumpf(fc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(fc);
		free(towns);
		return 0;
	}
	if (!url || strncmp(url, "http://", 7) != 0) {
		free(towns);
		return cli_usage_error("simulate", usage, "--url http://HOST:PORT is required (plain HTTP)");
	}
	if (!s.token) {
		free(towns);
		return cli_usage_error("simulate", usage, "--token is required (an API token with em.ingest)");
	}
	char hostport[300];
	snprintf(hostport, sizeof hostport, "%s", url + 7);
	hostport[strcspn(hostport, "/")] = '\0';
	char gt_host[256] = "", gt_port[16] = "", tl_host[256] = "", tl_port[16] = "";
	if (!split_host_port(hostport, s.host, sizeof s.host, s.port, sizeof s.port) ||
	    (gt06 && !split_host_port(gt06, gt_host, sizeof gt_host, gt_port, sizeof gt_port)) ||
	    (telt && !split_host_port(telt, tl_host, sizeof tl_host, tl_port, sizeof tl_port))) {
		free(towns);
		return cli_usage_error("simulate", usage, "addresses are HOST:PORT (--url http://HOST:PORT)");
	}
	s.rng ^= (uint64_t)seed * 0x2545F4914F6CDD1Dull;
	if (s.rng == 0)
		s.rng = 1;

	/* The devices, taken in turn for each way in that is available. */
	long n = (long)devices_d;
	enum way ways[4];
	int nways = 0;
	ways[nways++] = WAY_OSMAND;
	ways[nways++] = WAY_BATCH;
	if (gt06)
		ways[nways++] = WAY_GT06;
	if (telt)
		ways[nways++] = WAY_TELTONIKA;
	struct device *devs = calloc((size_t)n, sizeof *devs);
	for (long i = 0; i < n; i++) {
		struct device *d = &devs[i];
		d->way = ways[i % nways];
		d->fd = -1;
		if (d->way == WAY_GT06 || d->way == WAY_TELTONIKA)
			make_imei(prefix, i + 1, d->id);
		else
			snprintf(d->id, sizeof d->id, "%.40s-%s-%04d", prefix, d->way == WAY_OSMAND ? "osmand" : "batch",
			         (int)(i + 1));
		d->town = &towns[(size_t)i % ntowns];
		double a = uniform(&s) * 2 * M_PI, r = d->town->radius_m * 0.6 * sqrt(uniform(&s));
		d->lat = d->town->lat + r * sin(a) / 110574.0;
		d->lon = d->town->lon + r * cos(a) / (111320.0 * cos(d->town->lat * M_PI / 180));
		d->battery = 60 + (int)(uniform(&s) * 40);
	}
	int rc = 0;
	if (do_register) {
		long made = 0, there = 0;
		for (long i = 0; i < n; i++) {
			json_t *b = json_pack("{s:s, s:s, s:s, s:s}", "kind", way_kinds[devs[i].way], "identifier", devs[i].id,
			                      "protocol", way_names[devs[i].way], "model", "kadam simulate");
			char *text = json_dumps(b, JSON_COMPACT), *body = NULL;
			json_decref(b);
			int status = http_request(&s, "POST", "/api/v1/em/devices", s.token, text, &body);
			free(text);
			if (status == 201)
				made++;
			else if (status == 409)
				there++;
			else {
				fprintf(stderr, "kadam simulate: registering %s: %d %.300s\n", devs[i].id, status,
				        body ? body : "no answer");
				free(body);
				rc = 1;
				goto done;
			}
			free(body);
		}
		printf("simulate: registered %ld devices (%ld were already in the inventory); orders and fittings are not"
		       " made here\n", made, there);
	}
	for (long i = 0; i < n; i++) {
		struct device *d = &devs[i];
		if (d->way != WAY_GT06 && d->way != WAY_TELTONIKA)
			continue;
		if (!tcp_login(d, d->way == WAY_GT06 ? gt_host : tl_host, d->way == WAY_GT06 ? gt_port : tl_port)) {
			fprintf(stderr, "kadam simulate: %s %s: login refused or no connection (is the device registered?)\n",
			        way_names[d->way], d->id);
			s.errors++;
		}
	}

	long rounds = duration > 0 ? (long)(duration / interval) : -1;
	int64_t start_ms = clock_now_ms() - (int64_t)(duration * 1000);
	if (realtime)
		start_ms = clock_now_ms();
	if (start_d >= 0)
		start_ms = (int64_t)start_d;
	double t0 = wall_s(), last_summary = t0;
	struct em_fix *batch = calloc((size_t)n, sizeof *batch), fix;
	struct pollfd *pfds = calloc((size_t)n, sizeof *pfds);
	long *pidx = calloc((size_t)n, sizeof *pidx);
	long round;
	for (round = 0; rounds < 0 || round < rounds; round++) {
		int64_t at = start_ms + (int64_t)((double)round * interval * 1000);
		size_t nb = 0;
		for (long i = 0; i < n; i++) {
			struct device *d = &devs[i];
			next_fix(&s, d, rate, at + i % 1000, &fix);
			switch (d->way) {
			case WAY_OSMAND: send_osmand(&s, &fix); break;
			case WAY_BATCH: batch[nb++] = fix; break;
			case WAY_GT06:
			case WAY_TELTONIKA:
				if (d->fd < 0)
					break;
				s.sent++;
				if (!tcp_send(d, &fix, round)) {
					s.errors++;
					close(d->fd);
					d->fd = -1;
				}
				break;
			}
		}
		send_batch(&s, batch, nb);
		/* Every TCP fix of the round acknowledged (or its connection given up after 30 s of silence). */
		for (;;) {
			nfds_t np = 0;
			for (long i = 0; i < n; i++)
				if (devs[i].fd >= 0 && devs[i].waiting) {
					pfds[np] = (struct pollfd){.fd = devs[i].fd, .events = POLLIN};
					pidx[np++] = i;
				}
			if (np == 0)
				break;
			int k = poll(pfds, np, 30000);
			if (k <= 0) {
				for (nfds_t j = 0; j < np; j++) {
					struct device *d = &devs[pidx[j]];
					fprintf(stderr, "kadam simulate: %s %s: no acknowledgement in 30 s\n", way_names[d->way], d->id);
					s.errors++;
					close(d->fd);
					d->fd = -1;
				}
				break;
			}
			for (nfds_t j = 0; j < np; j++) {
				if (!pfds[j].revents)
					continue;
				struct device *d = &devs[pidx[j]];
				ssize_t r = recv(d->fd, d->in + d->inlen, sizeof d->in - d->inlen, 0);
				if (r <= 0) {
					fprintf(stderr, "kadam simulate: %s %s: the server closed the connection\n", way_names[d->way],
					        d->id);
					s.errors++;
					close(d->fd);
					d->fd = -1;
					continue;
				}
				d->inlen += (size_t)r;
				if (tcp_ack_complete(d)) {
					d->waiting = false;
					s.acked++;
				}
			}
		}
		double now = wall_s();
		if (now - last_summary >= 10) {
			summary(&s, round + 1, rounds, now - t0);
			last_summary = now;
		}
		if (realtime) {
			double due = t0 + (double)(round + 1) * interval;
			while ((now = wall_s()) < due) {
				double wait = due - now;
				struct timespec ts = {.tv_sec = (time_t)wait, .tv_nsec = (long)((wait - floor(wait)) * 1e9)};
				nanosleep(&ts, NULL);
			}
		}
	}
	summary(&s, round, rounds, wall_s() - t0);
	if (s.acked < s.sent || s.errors > 0)
		rc = 1;
	free(batch);
	free(pfds);
	free(pidx);
done:
	for (long i = 0; i < n; i++)
		if (devs[i].fd >= 0)
			close(devs[i].fd);
	if (s.http_fd >= 0)
		close(s.http_fd);
	free(devs);
	free(towns);
	return rc;
}
