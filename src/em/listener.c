/*
 * listener.c — the GT06 and Teltonika TCP listeners: one thread, one libuv
 * loop, every device connection on it.
 *
 *  device ──bytes──▶ on_read ──frames (pure decoders)──▶ ingest_submit ─┐
 *                                                                       ▼ writer thread: BEGIN; append; COMMIT
 *  device ◀──ack─── loop thread ◀── uv_async_send ◀── done callback (queue under a mutex)
 *
 * Invariants:
 * - Only the loop thread touches a connection. The ingest writer's done callback touches only the pending
 *   record it was given and the listeners' mutex-protected answer queue; the loop thread finds the connection
 *   again by slot and generation, so an answer for a connection closed meanwhile is dropped, never applied to
 *   a freed or reused struct.
 * - A device is answered "stored" (GT06 ack, Teltonika record count) only when the writer says INGEST_STORED,
 *   i.e. after its commit. A login is answered only once ingest has resolved the identifier to a device of the
 *   inventory: the login travels to the writer as an event-only heartbeat (which ingest does not store as a
 *   fix), so unknown identifiers are refused and registered by the one module that owns that register.
 * - Nothing is decoded while a login is being checked: bytes that follow the login wait in the connection's
 *   buffer (and reading pauses), so every fix is submitted under a device identity already accepted.
 * - Idle connections hold no read buffer: reads land in one loop-wide buffer and only the tail of a frame that
 *   is not complete yet is copied into a per-connection buffer, bounded per protocol (overflow closes).
 * - Time: idle timeouts use the loop's monotonic clock (durations); message times use clock_now_ms().
 */
#include "em/listener.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "em/protocols/gt06.h"
#include "em/protocols/teltonika.h"

/* ==== limits ==== */

/* The longest partial frame kept per connection. GT06 frames are tens of bytes (0x7979 information frames a few
 * hundred); Teltonika devices keep an AVL packet within 1280 bytes for codec 8, codec 8E with NX elements may run
 * longer: 4 KiB. Beyond: the connection is closed. A buffer exists only while a frame is incomplete. */
#define GT06_BUF_MAX 4096
#define TELTONIKA_BUF_MAX 4096
/* One loop-wide read buffer: every read lands here first. */
#define READ_BUF_SIZE 65536
/* Submissions awaiting the writer per connection: beyond HIGH reading pauses until LOW. */
#define IN_FLIGHT_HIGH 64
#define IN_FLIGHT_LOW 16
#define LISTEN_BACKLOG 4096
#define MAX_CONNECTIONS_CAP 1000000

enum proto { PROTO_GT06, PROTO_TELTONIKA };
enum conn_state {
	CONN_AWAIT_LOGIN,  /* nothing but a login (GT06 0x01, Teltonika IMEI packet) is accepted */
	CONN_LOGIN_CHECK,  /* the login is with the writer; following bytes wait in buf */
	CONN_READY,        /* logged in: fixes flow */
};

struct em_listeners;

/* One device connection. Owner: the loop thread (allocated at accept, freed in on_close). */
struct conn {
	uv_tcp_t tcp;              /* first member: the handle's pointer is the connection's */
	struct em_listeners *l;
	uint8_t *buf;              /* the unfinished frame's bytes, or NULL (malloc'd, owned here) */
	uint16_t len, cap;         /* bytes in buf, bytes allocated */
	uint32_t slot;             /* index in l->conns */
	uint32_t gen;              /* l->gens[slot] when it was opened */
	uint8_t proto;             /* enum proto */
	uint8_t state;             /* enum conn_state */
	bool closing;              /* uv_close called */
	bool paused;               /* reading stopped (login check, or too many submissions in flight) */
	uint16_t in_flight;        /* submissions the writer has not answered yet */
	uint64_t last_ms;          /* loop time of the last bytes read */
	char imei[16];             /* after the login */
};

/* What a submission waits for; the writer fills result, the loop thread applies it. Owner: malloc'd at
 * submission, freed by the loop thread after it is applied (or dropped). */
enum pending_kind { PENDING_LOGIN, PENDING_FIXES };
struct pending {
	struct pending *next;
	struct em_listeners *l;
	uint32_t slot, gen;
	uint8_t kind;              /* enum pending_kind */
	uint8_t ack_len;
	uint8_t ack[16];           /* what to send when stored */
	enum ingest_result result;
};

/* A write whose bytes did not fit at once. Owner: freed in on_write. */
struct write_req {
	uv_write_t req;
	uint8_t data[];
};

/* The most acknowledgement bytes sent to one connection in one write: its answers of one wake-up (at most
 * IN_FLIGHT_HIGH submissions in flight, each answered with at most 16 bytes). */
#define ACKS_MAX (IN_FLIGHT_HIGH * 16)

struct server {
	uv_tcp_t tcp;
	struct em_listeners *l;
	enum proto proto;
	bool open;
};

/* The listeners. Owner: em_listeners_start's caller, released by em_listeners_stop. */
struct em_listeners {
	uv_loop_t loop;
	pthread_t thread;
	struct ingest *ingest;
	struct server servers[2];  /* [PROTO_GT06], [PROTO_TELTONIKA] */
	uv_timer_t sweep;          /* closes idle connections */
	uv_async_t wake;           /* answers from the writer, and the stop request */
	uint64_t idle_ms;
	/* connection table: conns[slot] or NULL; gens[slot] counts openings so stale answers are recognised */
	size_t max_conns;
	struct conn **conns;
	uint32_t *gens;
	uint32_t *free_slots;      /* stack of free slot numbers */
	size_t n_free;
	atomic_size_t open_conns;
	uint8_t *read_buf;         /* READ_BUF_SIZE bytes, loop thread only */
	struct em_fix *fixes;      /* TELTONIKA_MAX_RECORDS decoded records, loop thread only */
	bool shutting_down;        /* loop thread: servers and connections closed */
	uint64_t refused;          /* connections refused at the limit since the last log line about it */
	uint64_t refused_logged_ms;
	/* shared with the writer thread and em_listeners_stop */
	pthread_mutex_t mu;
	struct pending *head, *tail;  /* answers waiting for the loop thread */
	size_t in_flight;          /* submissions not answered yet, every connection */
	bool stopping;
};

static void conn_close(struct conn *c);
static void conn_process(struct conn *c);

/* ==== logging ==== */

static void log_conn(enum log_level level, const struct conn *c, const char *msg, const char *reason)
{
	struct buf f = {0};
	buf_puts(&f, ",\"protocol\":");
	buf_json_string(&f, c->proto == PROTO_GT06 ? "gt06" : "teltonika");
	if (c->imei[0]) {
		buf_puts(&f, ",\"device\":");
		buf_json_string(&f, c->imei);
	}
	if (reason) {
		buf_puts(&f, ",\"reason\":");
		buf_json_string(&f, reason);
	}
	log_line(level, msg, f.data);
	buf_free(&f);
}

static void peer_name(const struct conn *c, char *out, size_t cap)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	char ip[64];
	out[0] = '\0';
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) != 0 || uv_ip_name((struct sockaddr *)&ss, ip, sizeof ip) != 0)
		return;
	int port = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
	                                   : ntohs(((struct sockaddr_in *)&ss)->sin_port);
	snprintf(out, cap, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", ip, port);
}

/* ==== writing ==== */

static void on_write(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

/* Sends a short answer: at once when the socket takes it (the usual case), else queued with a copy. */
static void conn_send(struct conn *c, const uint8_t *data, size_t len)
{
	if (c->closing || len == 0 || len > ACKS_MAX)
		return;
	uv_buf_t b = uv_buf_init((char *)data, (unsigned)len);
	int n = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
	if (n == (int)len)
		return;
	if (n < 0 && n != UV_EAGAIN && n != UV_ENOSYS) {
		conn_close(c);
		return;
	}
	size_t done = n > 0 ? (size_t)n : 0;
	struct write_req *w = xmalloc(sizeof *w + (len - done));
	memcpy(w->data, data + done, len - done);
	b = uv_buf_init((char *)w->data, (unsigned)(len - done));
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_write) != 0) {
		free(w);
		conn_close(c);
	}
}

/* ==== connection table ==== */

static void on_close(uv_handle_t *h)
{
	struct conn *c = (struct conn *)h;
	free(c->buf);
	free(c);
}

static void conn_close(struct conn *c)
{
	if (c->closing)
		return;
	struct em_listeners *l = c->l;
	c->closing = true;
	l->conns[c->slot] = NULL;
	l->free_slots[l->n_free++] = c->slot;
	atomic_fetch_sub(&l->open_conns, 1);
	uv_close((uv_handle_t *)&c->tcp, on_close);
}

static struct conn *conn_find(struct em_listeners *l, uint32_t slot, uint32_t gen)
{
	if (slot >= l->max_conns)
		return NULL;
	struct conn *c = l->conns[slot];
	return c && c->gen == gen && !c->closing ? c : NULL;
}

/* ==== buffering ==== */

static size_t buf_limit(const struct conn *c)
{
	return c->proto == PROTO_GT06 ? GT06_BUF_MAX : TELTONIKA_BUF_MAX;
}

/* Appends bytes to the connection's buffer; false (and the connection closed) beyond its bound. */
static bool conn_keep(struct conn *c, const uint8_t *data, size_t n)
{
	size_t need = (size_t)c->len + n;
	if (need > buf_limit(c)) {
		log_conn(LOG_WARN, c, "EM device connection closed", "a frame longer than the protocol allows");
		conn_close(c);
		return false;
	}
	if (need > c->cap) {
		size_t cap = need < 64 ? 64 : need + need / 2;
		if (cap > buf_limit(c))
			cap = buf_limit(c);
		c->buf = xrealloc(c->buf, cap);
		c->cap = (uint16_t)cap;
	}
	memcpy(c->buf + c->len, data, n);
	c->len = (uint16_t)need;
	return true;
}

/* Drops the first n bytes of the connection's buffer; an empty buffer is released (idle connections hold none). */
static void conn_consume(struct conn *c, size_t n)
{
	if (n >= c->len) {
		free(c->buf);
		c->buf = NULL;
		c->len = c->cap = 0;
		return;
	}
	memmove(c->buf, c->buf + n, c->len - n);
	c->len = (uint16_t)(c->len - n);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	(void)suggested;
	struct conn *c = (struct conn *)h;
	*b = uv_buf_init((char *)c->l->read_buf, READ_BUF_SIZE);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b);

static void conn_pause(struct conn *c)
{
	if (!c->paused && !c->closing) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->paused = true;
	}
}

static void conn_resume(struct conn *c)
{
	if (c->paused && !c->closing && c->state != CONN_LOGIN_CHECK && c->in_flight <= IN_FLIGHT_LOW) {
		c->paused = false;
		if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
			conn_close(c);
	}
}

/* ==== submissions ==== */

static void on_ingest_done(void *ctx, const struct ingest_outcome *outcome)
{
	struct pending *p = ctx;
	struct em_listeners *l = p->l;
	p->result = outcome->result;
	p->next = NULL;
	pthread_mutex_lock(&l->mu);
	if (l->tail)
		l->tail->next = p;
	else
		l->head = p;
	l->tail = p;
	l->in_flight--;
	/* under the lock: the loop thread closes wake only once in_flight is 0 and the queue empty */
	uv_async_send(&l->wake);
	pthread_mutex_unlock(&l->mu);
}

/*
 * Names the fixes with the connection's device and checks them before they travel: a message that can never be
 * stored is dropped here (logged) and still acknowledged, or the device would send it again for ever. A message
 * carrying events keeps them even when its position or time is unusable (an SOS without a GPS fix is still an
 * SOS): the position is dropped and the time of arrival used. Returns the fixes kept, moved to the front.
 */
static size_t conn_check(struct conn *c, struct em_fix *fixes, size_t n)
{
	int64_t now = clock_now_ms();
	size_t kept = 0;
	char reason[160];
	for (size_t i = 0; i < n; i++) {
		struct em_fix *f = &fixes[i];
		memcpy(f->device, c->imei, sizeof c->imei);
		if (!f->has_location && f->at_ms <= 0)  /* status and heartbeat messages carry no time: now */
			f->at_ms = now;
		bool ok = em_fix_check(f, now, reason, sizeof reason);
		if (!ok && f->events) {
			f->has_location = false;
			f->lat = f->lon = 0;
			if (!em_fix_check(f, now, reason, sizeof reason))
				f->at_ms = now;
			ok = em_fix_check(f, now, reason, sizeof reason);
		}
		if (!ok) {
			log_conn(LOG_WARN, c, "EM device message dropped", reason);
			continue;
		}
		if (kept != i)
			fixes[kept] = *f;
		kept++;
	}
	return kept;
}

/* Hands checked fixes to the writer; the answer comes back through on_ingest_done. False: the queue is full. */
static bool conn_submit(struct conn *c, struct em_fix *fixes, size_t n, enum pending_kind kind, const uint8_t *ack,
                        size_t ack_len, const char *peer)
{
	struct em_listeners *l = c->l;
	struct pending *p = xcalloc(1, sizeof *p);
	p->l = l;
	p->slot = c->slot;
	p->gen = c->gen;
	p->kind = (uint8_t)kind;
	if (ack_len > sizeof p->ack)
		ack_len = 0;
	memcpy(p->ack, ack, ack_len);
	p->ack_len = (uint8_t)ack_len;
	pthread_mutex_lock(&l->mu);
	l->in_flight++;
	pthread_mutex_unlock(&l->mu);
	const char *protocol = c->proto == PROTO_GT06 ? "gt06" : "teltonika";
	if (!ingest_submit(l->ingest, fixes, n, protocol, peer, on_ingest_done, p)) {
		pthread_mutex_lock(&l->mu);
		l->in_flight--;
		pthread_mutex_unlock(&l->mu);
		free(p);
		return false;
	}
	c->in_flight++;
	if (c->in_flight >= IN_FLIGHT_HIGH)
		conn_pause(c);
	return true;
}

/* A login: checked by the writer as an event-only heartbeat of the device; answered in apply_answer. */
static bool conn_login(struct conn *c, const char *imei, const uint8_t *ack, size_t ack_len)
{
	size_t n = strlen(imei);
	bool digits = n >= 8 && n <= 15;
	for (size_t i = 0; digits && i < n; i++)
		digits = imei[i] >= '0' && imei[i] <= '9';
	if (!digits) {
		log_conn(LOG_WARN, c, "EM device connection closed", "the login's IMEI is not 8 to 15 digits");
		return false;
	}
	if (c->state == CONN_READY) {  /* a GT06 login again on the same connection */
		if (strcmp(c->imei, imei) != 0) {
			log_conn(LOG_WARN, c, "EM device connection closed", "a login as another device");
			return false;
		}
		conn_send(c, ack, ack_len);
		return true;
	}
	snprintf(c->imei, sizeof c->imei, "%s", imei);
	struct em_fix hb;
	em_fix_init(&hb);
	hb.events = EM_EV_HEARTBEAT;
	memcpy(hb.device, c->imei, sizeof c->imei);
	hb.at_ms = clock_now_ms();
	char peer[80];
	peer_name(c, peer, sizeof peer);
	if (!conn_submit(c, &hb, 1, PENDING_LOGIN, ack, ack_len, peer[0] ? peer : NULL)) {
		log_conn(LOG_WARN, c, "EM device connection closed", "the ingest queue is full");
		return false;
	}
	c->state = CONN_LOGIN_CHECK;
	conn_pause(c);
	return true;
}

/* Acknowledgements owed to one connection, sent together in one write (perf: a write per acknowledgement was
 * two fifths of the server's time with devices sending their positions back to back). */
struct acks {
	uint8_t bytes[ACKS_MAX];
	size_t len;
};

static void acks_flush(struct conn *c, struct acks *a)
{
	if (a->len)
		conn_send(c, a->bytes, a->len);
	a->len = 0;
}

static void acks_add(struct conn *c, struct acks *a, const uint8_t *data, size_t len)
{
	if (a->len + len > sizeof a->bytes)
		acks_flush(c, a);
	memcpy(a->bytes + a->len, data, len);
	a->len += len;
}

/* Applies the writer's answer on the loop thread; acknowledgements of stored fixes go into *a (sent by the
 * caller), everything else is sent after what *a holds. */
static void apply_answer(struct em_listeners *l, struct pending *p, struct acks *a)
{
	struct conn *c = conn_find(l, p->slot, p->gen);
	if (!c)
		return;  /* closed meanwhile: the device sends again after reconnecting */
	if (p->kind == PENDING_LOGIN || (p->result != INGEST_STORED && p->result != INGEST_BAD))
		acks_flush(c, a);
	if (c->in_flight > 0)
		c->in_flight--;
	if (p->kind == PENDING_LOGIN) {
		if (p->result == INGEST_STORED) {
			c->state = CONN_READY;
			conn_send(c, p->ack, p->ack_len);
			if (c->closing)
				return;
			conn_resume(c);
			if (c->len > 0)
				conn_process(c);
			return;
		}
		if (p->result == INGEST_UNKNOWN_DEVICE && c->proto == PROTO_TELTONIKA) {
			static const uint8_t refuse = 0x00;
			conn_send(c, &refuse, 1);
		}
		log_conn(p->result == INGEST_UNKNOWN_DEVICE ? LOG_INFO : LOG_WARN, c, "EM device login refused",
		         p->result == INGEST_UNKNOWN_DEVICE ? "unknown device"
		         : p->result == INGEST_BUSY         ? "the ingest queue is full"
		         : p->result == INGEST_BAD          ? "the identifier is not acceptable"
		                                            : "the database failed");
		conn_close(c);
		return;
	}
	switch (p->result) {
	case INGEST_STORED:
		acks_add(c, a, p->ack, p->ack_len);
		break;
	case INGEST_BUSY:
		break;  /* not acknowledged: the device sends it again */
	case INGEST_BAD:
		/* conn_check passed it, the writer did not (its clock moved on): it never will, so it is dropped */
		log_conn(LOG_WARN, c, "EM device message dropped", "it failed the writer's checks");
		acks_add(c, a, p->ack, p->ack_len);
		break;
	case INGEST_UNKNOWN_DEVICE:
	case INGEST_FAILED:
		log_conn(LOG_WARN, c, "EM device connection closed",
		         p->result == INGEST_UNKNOWN_DEVICE ? "the device is no longer in the inventory"
		                                            : "the database failed");
		conn_close(c);
		return;
	}
	conn_resume(c);
}

/* ==== protocols ==== */

/* One GT06 frame from the front of data: bytes used, 0 need more, -1 the connection was closed. */
static ssize_t gt06_step(struct conn *c, const uint8_t *data, size_t len)
{
	struct gt06_msg msg;
	char err[160] = "";
	ssize_t used = gt06_decode(data, len, &msg, err, sizeof err);
	if (used < 0) {
		log_conn(LOG_WARN, c, "EM device connection closed", err[0] ? err : "not a GT06 frame");
		return -1;
	}
	if (used == 0)
		return 0;
	/* Whatever stores something is acknowledged once stored, locations too (the acknowledgement is the device's
	 * sign that it may forget the fix; a device that expects none ignores it). */
	bool stores = msg.kind == GT06_LOCATION || msg.kind == GT06_STATUS || msg.kind == GT06_ALARM;
	uint8_t ack[16];
	size_t ack_len = msg.needs_ack || stores ? gt06_ack(msg.protocol, msg.serial, ack) : 0;
	if (msg.kind == GT06_LOGIN)
		return conn_login(c, msg.imei, ack, ack_len) ? used : -1;
	if (c->state != CONN_READY) {
		log_conn(LOG_WARN, c, "EM device connection closed", "a message before the login");
		return -1;
	}
	switch (msg.kind) {
	case GT06_LOCATION:
	case GT06_STATUS:
	case GT06_ALARM:
		if (conn_check(c, &msg.fix, 1) == 0)
			conn_send(c, ack, ack_len);
		else if (!conn_submit(c, &msg.fix, 1, PENDING_FIXES, ack, ack_len, NULL))
			log_conn(LOG_WARN, c, "EM device message not acknowledged", "the ingest queue is full");
		break;
	default:
		conn_send(c, ack, ack_len);  /* nothing to store (time request, information): answered at once */
		break;
	}
	return c->closing ? -1 : used;
}

static ssize_t teltonika_step(struct conn *c, const uint8_t *data, size_t len)
{
	char err[160] = "";
	if (c->state == CONN_AWAIT_LOGIN) {
		char imei[16];
		ssize_t used = teltonika_decode_imei(data, len, imei, err, sizeof err);
		if (used < 0)
			log_conn(LOG_WARN, c, "EM device connection closed", err[0] ? err : "not a Teltonika IMEI packet");
		if (used <= 0)
			return used;
		static const uint8_t accept = 0x01;
		return conn_login(c, imei, &accept, 1) ? used : -1;
	}
	size_t n = 0;
	uint8_t codec = 0;
	ssize_t used = teltonika_decode_avl(data, len, c->l->fixes, TELTONIKA_MAX_RECORDS, &n, &codec, err, sizeof err);
	if (used < 0)
		log_conn(LOG_WARN, c, "EM device connection closed", err[0] ? err : "not a Teltonika AVL packet");
	if (used <= 0)
		return used;
	uint8_t ack[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
	size_t kept = conn_check(c, c->l->fixes, n);
	if (kept == 0)
		conn_send(c, ack, sizeof ack);
	else if (!conn_submit(c, c->l->fixes, kept, PENDING_FIXES, ack, sizeof ack, NULL))
		log_conn(LOG_WARN, c, "EM device packet not acknowledged", "the ingest queue is full");
	return c->closing ? -1 : used;
}

/* Decodes whole frames from data; returns the bytes used, or -1 when the connection is to be closed. Stops early
 * while a login is being checked (the rest waits in the connection's buffer). */
static ssize_t conn_frames(struct conn *c, const uint8_t *data, size_t len)
{
	size_t off = 0;
	while (off < len && c->state != CONN_LOGIN_CHECK && !c->closing) {
		ssize_t used = c->proto == PROTO_GT06 ? gt06_step(c, data + off, len - off)
		                                      : teltonika_step(c, data + off, len - off);
		if (used < 0)
			return -1;
		if (used == 0)
			break;
		off += (size_t)used;
	}
	return c->closing ? -1 : (ssize_t)off;
}

/* Processes what the connection's buffer holds (after a login was accepted). */
static void conn_process(struct conn *c)
{
	ssize_t used = conn_frames(c, c->buf, c->len);
	if (used < 0) {
		conn_close(c);
		return;
	}
	conn_consume(c, (size_t)used);
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct conn *c = (struct conn *)s;
	if (c->closing)
		return;
	if (nread < 0) {
		conn_close(c);
		return;
	}
	if (nread == 0)
		return;
	c->last_ms = uv_now(&c->l->loop);
	const uint8_t *data = (const uint8_t *)b->base;
	size_t len = (size_t)nread;
	if (c->len > 0 || c->state == CONN_LOGIN_CHECK) {
		/* an unfinished frame (or a login being checked) before these bytes: continue in the buffer */
		if (!conn_keep(c, data, len))
			return;
		if (c->state != CONN_LOGIN_CHECK)
			conn_process(c);
		return;
	}
	ssize_t used = conn_frames(c, data, len);
	if (used < 0) {
		conn_close(c);
		return;
	}
	if ((size_t)used < len)
		conn_keep(c, data + used, len - (size_t)used);
}

/* ==== accepting ==== */

static void on_connection(uv_stream_t *server_stream, int status)
{
	struct server *srv = (struct server *)server_stream;
	struct em_listeners *l = srv->l;
	if (status < 0 || l->shutting_down)
		return;
	struct conn *c = xcalloc(1, sizeof *c);
	c->l = l;
	c->proto = (uint8_t)srv->proto;
	uv_tcp_init(&l->loop, &c->tcp);
	if (uv_accept(server_stream, (uv_stream_t *)&c->tcp) != 0) {
		uv_close((uv_handle_t *)&c->tcp, on_close);
		return;
	}
	if (l->n_free == 0) {  /* at the limit: refused at once, logged at most every 10 s */
		l->refused++;
		uint64_t now = uv_now(&l->loop);
		if (l->refused_logged_ms == 0 || now - l->refused_logged_ms >= 10000) {
			char f[64];
			snprintf(f, sizeof f, ",\"refused\":%llu,\"limit\":%zu", (unsigned long long)l->refused, l->max_conns);
			log_line(LOG_WARN, "EM device connections refused: the connection limit is reached", f);
			l->refused_logged_ms = now;
			l->refused = 0;
		}
		uv_close((uv_handle_t *)&c->tcp, on_close);
		return;
	}
	c->slot = l->free_slots[--l->n_free];
	c->gen = ++l->gens[c->slot];
	l->conns[c->slot] = c;
	atomic_fetch_add(&l->open_conns, 1);
	c->last_ms = uv_now(&l->loop);
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0)
		conn_close(c);
}

static void on_sweep(uv_timer_t *t)
{
	struct em_listeners *l = t->data;
	uint64_t now = uv_now(&l->loop);
	for (size_t i = 0; i < l->max_conns; i++) {
		struct conn *c = l->conns[i];
		if (c && now - c->last_ms > l->idle_ms && c->in_flight == 0)
			conn_close(c);
	}
}

/* ==== the loop thread ==== */

static void shut_down(struct em_listeners *l)
{
	l->shutting_down = true;
	for (int i = 0; i < 2; i++)
		if (l->servers[i].open) {
			l->servers[i].open = false;
			uv_close((uv_handle_t *)&l->servers[i].tcp, NULL);
		}
	uv_timer_stop(&l->sweep);
	uv_close((uv_handle_t *)&l->sweep, NULL);
	for (size_t i = 0; i < l->max_conns; i++)
		if (l->conns[i])
			conn_close(l->conns[i]);
}

/* Stable sort of answers by connection slot (a merge sort: a connection's answers keep their order). */
static void merge_by_slot(struct pending **a, size_t n)
{
	struct pending **tmp = xmalloc(n * sizeof *tmp);
	for (size_t width = 1; width < n; width *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = a[j]->slot < a[i]->slot ? a[j++] : a[i++];
			while (i < mid)
				tmp[k++] = a[i++];
			while (j < hi)
				tmp[k++] = a[j++];
		}
		memcpy(a, tmp, n * sizeof *a);
	}
	free(tmp);
}

static void on_wake(uv_async_t *a)
{
	struct em_listeners *l = a->data;
	pthread_mutex_lock(&l->mu);
	struct pending *p = l->head;
	l->head = l->tail = NULL;
	bool stopping = l->stopping;
	pthread_mutex_unlock(&l->mu);
	/* Each connection's answers together, in the order they came, so its acknowledgements go out in one write. */
	size_t n = 0;
	for (struct pending *q = p; q; q = q->next)
		n++;
	struct pending **all = n ? xmalloc(n * sizeof *all) : NULL;
	for (size_t i = 0; p; p = p->next)
		all[i++] = p;
	if (n > 1)
		merge_by_slot(all, n);
	struct acks acks = {.len = 0};
	for (size_t i = 0; i < n; i++) {
		if (!l->shutting_down)
			apply_answer(l, all[i], &acks);
		bool last = i + 1 == n || all[i + 1]->slot != all[i]->slot || all[i + 1]->gen != all[i]->gen;
		if (last && acks.len) {
			struct conn *c = conn_find(l, all[i]->slot, all[i]->gen);
			if (c)
				acks_flush(c, &acks);
			acks.len = 0;
		}
	}
	for (size_t i = 0; i < n; i++)
		free(all[i]);
	free(all);
	if (!stopping)
		return;
	if (!l->shutting_down)
		shut_down(l);
	/* the last answer closes the async handle; answers still due wake the loop again */
	pthread_mutex_lock(&l->mu);
	bool done = l->in_flight == 0 && !l->head;
	pthread_mutex_unlock(&l->mu);
	if (done && !uv_is_closing((uv_handle_t *)&l->wake))
		uv_close((uv_handle_t *)&l->wake, NULL);
}

static void *loop_main(void *arg)
{
	struct em_listeners *l = arg;
	/* a device gone mid-write must cost an EPIPE, not the process (kadam serve blocks it already; others may not) */
	sigset_t pipe;
	sigemptyset(&pipe);
	sigaddset(&pipe, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe, NULL);
	uv_run(&l->loop, UV_RUN_DEFAULT);
	return NULL;
}

/* ==== start and stop ==== */

static bool server_open(struct em_listeners *l, enum proto proto, const char *listen)
{
	struct server *srv = &l->servers[proto];
	const char *name = proto == PROTO_GT06 ? "em_gt06_listen" : "em_teltonika_listen";
	char *host = NULL;
	int port = 0;
	if (!config_parse_listen(listen, &host, &port)) {
		log_error("%s: \"%s\" is not HOST:PORT", name, listen);
		return false;
	}
	char service[8];
	snprintf(service, sizeof service, "%d", port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(host, service, &hints, &ai);
	free(host);
	if (rc != 0) {
		log_error("%s: cannot resolve %s: %s", name, listen, gai_strerror(rc));
		return false;
	}
	srv->l = l;
	srv->proto = proto;
	uv_tcp_init(&l->loop, &srv->tcp);
	srv->open = true;
	rc = uv_tcp_bind(&srv->tcp, ai->ai_addr, 0);
	freeaddrinfo(ai);
	if (rc == 0)
		rc = uv_listen((uv_stream_t *)&srv->tcp, LISTEN_BACKLOG, on_connection);
	if (rc != 0) {
		log_error("%s: cannot listen on %s (port %d): %s", name, listen, port, uv_strerror(rc));
		return false;
	}
	log_info("listening for %s devices on %s", proto == PROTO_GT06 ? "GT06" : "Teltonika", listen);
	return true;
}

static void close_walk(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, NULL);
}

static void listeners_free(struct em_listeners *l)
{
	pthread_mutex_destroy(&l->mu);
	free(l->conns);
	free(l->gens);
	free(l->free_slots);
	free(l->read_buf);
	free(l->fixes);
	free(l);
}

struct em_listeners *em_listeners_start(struct ingest *ingest, const char *gt06_listen, const char *teltonika_listen,
                                        long max_connections, long idle_timeout_s)
{
	struct em_listeners *l = xcalloc(1, sizeof *l);
	l->ingest = ingest;
	l->max_conns = max_connections > 0 && max_connections <= MAX_CONNECTIONS_CAP ? (size_t)max_connections : 20000;
	l->idle_ms = (uint64_t)(idle_timeout_s > 0 ? idle_timeout_s : 900) * 1000;
	l->conns = xcalloc(l->max_conns, sizeof *l->conns);
	l->gens = xcalloc(l->max_conns, sizeof *l->gens);
	l->free_slots = xmalloc(l->max_conns * sizeof *l->free_slots);
	for (size_t i = 0; i < l->max_conns; i++)
		l->free_slots[i] = (uint32_t)(l->max_conns - 1 - i);
	l->n_free = l->max_conns;
	l->read_buf = xmalloc(READ_BUF_SIZE);
	l->fixes = xcalloc(TELTONIKA_MAX_RECORDS, sizeof *l->fixes);
	atomic_init(&l->open_conns, 0);
	pthread_mutex_init(&l->mu, NULL);
	int rc = uv_loop_init(&l->loop);
	if (rc != 0) {
		log_error("EM listeners: cannot start an event loop: %s", uv_strerror(rc));
		listeners_free(l);
		return NULL;
	}
	bool ok = (!gt06_listen || !gt06_listen[0] || server_open(l, PROTO_GT06, gt06_listen)) &&
	          (!teltonika_listen || !teltonika_listen[0] || server_open(l, PROTO_TELTONIKA, teltonika_listen));
	if (ok) {
		uv_async_init(&l->loop, &l->wake, on_wake);
		l->wake.data = l;
		uv_timer_init(&l->loop, &l->sweep);
		l->sweep.data = l;
		uint64_t every = l->idle_ms / 4;
		every = every < 250 ? 250 : every > 5000 ? 5000 : every;
		uv_timer_start(&l->sweep, on_sweep, every, every);
		ok = pthread_create(&l->thread, NULL, loop_main, l) == 0;
		if (!ok)
			log_error("EM listeners: cannot start their thread");
	}
	if (!ok) {
		uv_walk(&l->loop, close_walk, NULL);
		uv_run(&l->loop, UV_RUN_DEFAULT);
		uv_loop_close(&l->loop);
		listeners_free(l);
		return NULL;
	}
	return l;
}

void em_listeners_stop(struct em_listeners **lp)
{
	struct em_listeners *l = *lp;
	if (!l)
		return;
	*lp = NULL;
	pthread_mutex_lock(&l->mu);
	l->stopping = true;
	uv_async_send(&l->wake);
	pthread_mutex_unlock(&l->mu);
	/* The loop ends once the servers, the connections and (after the writer's last answer) the wake handle are
	 * closed: no done callback can reach freed memory afterwards. */
	pthread_join(l->thread, NULL);
	if (uv_loop_close(&l->loop) != 0)
		log_warn("EM listeners: event loop closed with handles open");
	listeners_free(l);
}

size_t em_listeners_connections(struct em_listeners *l)
{
	return l ? atomic_load(&l->open_conns) : 0;
}
