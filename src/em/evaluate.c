/*
 * evaluate.c — what fixes and device events mean for a device's order (see
 * evaluate.h). Runs on the ingest writer's thread after each batch's commit.
 *
 * Per device (by num) the evaluator keeps:
 *   - its live order (a fitting not removed, on an active order, the fix
 *     between the order's first and last day and after the fitting) with the
 *     order's zones compiled (geofence.h; an STRtree when many), its curfew
 *     windows and its approved absences; read on the device's first fix, again
 *     after em_eval_invalidate (ingest_rules_changed), when the order's
 *     rules_version moved (checked every few seconds for every cached order)
 *     and, for a device without one, every ten seconds;
 *   - its evaluation state, saved in em_device_state (JSON) at the end of each
 *     batch for the devices whose state changed and read when a device is
 *     first seen, so a restart neither forgets an open violation nor raises it
 *     again (the alert's dedupe_key protects too);
 *   - the last dozen fixes, evidence when the fix store cannot be read.
 *
 * Rules (d: the signed distance to the zone's edge, negative inside; acc: the
 * fix's accuracy, 0 when unknown; margin: em.margin_m; dwell: em.dwell_s):
 *   - inclusion zones count as one area (the person may be in any of them):
 *     a fix is "out" when d > acc + margin for every active zone, "back" when
 *     d < -acc for one of them; fixes in between change nothing (hysteresis).
 *     Out continuously for dwell (the first out fix to the current one) raises
 *     em.inclusion_exit once per episode; the episode ends with a "back" fix.
 *     An approved absence that covers the zones suspends them.
 *   - an exclusion zone: "in" when d < -(acc + margin), "clear" when d > acc;
 *     in for dwell raises em.exclusion_entry once per episode. With a buffer,
 *     d <= buffer_m (outside in the band, or inside before the dwell) raises
 *     em.buffer once per episode, which ends when d > buffer_m + acc + margin.
 *   - a zone with a schedule is evaluated only inside its windows.
 *   - curfew: inside a window of the timetable and outside approved absences,
 *     "away" when the distance from home exceeds home_radius_m + acc + margin,
 *     "home" within home_radius_m; away continuously for the grace period (at
 *     least dwell) raises em.curfew_absence. The timer starts at the first away
 *     fix inside the window, so the grace counts from the window's start for
 *     someone already out and from the leaving for someone who goes out.
 *   - events (EM_EV_* bits) are recorded as em_device_event rows; tamper,
 *     strap removal, battery, power cut and SOS raise an alert, one per
 *     episode: the same event within ten minutes of the last one is the same
 *     episode (power_restored and charging are recorded only).
 * Late fixes are not evaluated (their events are recorded and may alert).
 * Every alert has the dedupe_key "em:<rule>:<order>:<episode start ms>", the
 * case of the order, an English summary naming no person, and evidence: up
 * to ten fixes before the episode and all during it (at most 200), whose UTC
 * days are then held past retention (fixstore_hold).
 */
#include "em/evaluate.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/uuid.h"
#include "domain/alerts.h"
#include "domain/appointments.h"
#include "domain/recurrence.h"
#include "domain/settings.h"
#include "em/curfew.h"
#include "em/geofence.h"

#define RING 12                     /* recent fixes kept per device */
#define EVIDENCE_BEFORE 10          /* fixes before an episode in its evidence */
#define EVIDENCE_DURING 200         /* fixes during an episode in its evidence, at most */
#define EVENT_EPISODE_MS 600000     /* the same event within 10 minutes is one episode */
#define VERSION_CHECK_MS 3000       /* how often cached orders are checked against rules_version */
#define NO_ORDER_RECHECK_MS 10000   /* how long "no live order" is believed */
#define SCHEDULE_MAX 8              /* windows of a zone's schedule */
#define M_PER_DEG_LAT 110574.0
#define M_PER_DEG_LON 111320.0

/* ---- structures ----------------------------------------------------------------------------- */

/* A zone of a live order, compiled. Owns g. */
struct ev_zone {
	char id[UUID_STR_LEN];
	char name[84];
	bool inclusion;
	double buffer_m;
	struct geofence_zone *g;
	struct curfew_window sched[SCHEDULE_MAX];
	int nsched;                 /* 0: always */
	bool sched_in;              /* cached schedule answer, valid for [sched_at, sched_next) */
	int64_t sched_at, sched_next;
};

struct ev_absence {
	int64_t from, to;
	bool covers_zones;
};

/* A device's live order with what the rules need. Owns zones, gz, set, absences. */
struct ev_order {
	char id[UUID_STR_LEN], case_id[UUID_STR_LEN], device_id[UUID_STR_LEN];
	int64_t rules_version;
	bool curfew, inclusion, exclusion;
	bool has_home;
	double home_lat, home_lon, home_radius_m;
	int64_t grace_ms;
	int64_t valid_from, valid_to;    /* the first day's start (or the fitting) to the last day's end */
	struct ev_zone *zones;
	size_t nzones;
	struct geofence_zone **gz;       /* zones[i].g, for the set */
	struct geofence_set *set;
	double *dist;                    /* scratch: the distance to each zone for the current fix */
	struct curfew_window cw[CURFEW_MAX_WINDOWS];
	size_t ncw;
	bool cw_in;                      /* cached curfew answer, valid for [cw_at, cw_next) */
	int64_t cw_at, cw_next, cw_start, cw_end;
	struct ev_absence *absences;
	size_t nabsences;
};

/* An exclusion zone's episode state. */
struct ev_zone_state {
	char zone_id[UUID_STR_LEN];
	int phase;                       /* 0 clear, 1 in (dwell running), 2 alert raised */
	int64_t since;
	bool buffer;                     /* a buffer episode is open */
	int64_t buffer_since;
};

/* What the evaluator knows of a device between fixes (saved as JSON). Owns ex. */
struct ev_state {
	int incl_phase;                  /* 0 in, 1 out (dwell running), 2 alert raised */
	int64_t incl_since;
	int cur_phase;                   /* the same for the curfew */
	int64_t cur_since;
	struct ev_zone_state *ex;
	size_t nex;
	int64_t ev_last[EM_EV_COUNT];    /* the last event of each kind, 0 none */
	int64_t ev_start[EM_EV_COUNT];   /* its episode's start */
	char ev_alert[EM_EV_COUNT][UUID_STR_LEN];
};

struct ev_fix {
	int64_t at;
	double lat, lon, acc;
};

/* One device. Owns order and the state's arrays. */
struct ev_device {
	int64_t num;
	bool order_loaded;
	int64_t order_loaded_at;
	struct ev_order *order;          /* NULL: no live order */
	bool state_loaded;
	bool dirty;                      /* state to save at the end of the batch */
	struct ev_state st;
	struct ev_fix ring[RING];
	int ring_n, ring_next;
	struct ev_device *next;          /* hash chain */
};

struct em_eval {
	struct ev_device **table;
	size_t table_size, count;
	char tz[APPOINTMENT_ZONE_LEN];
	bool tz_loaded;
	int64_t version_checked_at;
};

/* What one batch needs. */
struct batch {
	struct em_eval *ev;
	db *conn;
	int64_t now;
	double margin_m;
	int64_t dwell_ms;
	long raised;
};

/* ---- cache ---------------------------------------------------------------------------------- */

/* Steps st while *rc is DB_OK: true with *rc DB_OK on a row; false with *rc DB_DONE at the end (or the error). */
static bool next_row(db_stmt *st, enum db_status *rc)
{
	if (*rc != DB_OK)
		return false;
	*rc = db_step(st);
	if (*rc != DB_ROW)
		return false;
	*rc = DB_OK;
	return true;
}

static void order_free(struct ev_order **o_r)
{
	struct ev_order *o = *o_r;
	if (o == NULL)
		return;
	geofence_set_free(o->set);
	for (size_t i = 0; i < o->nzones; i++)
		geofence_zone_free(o->zones[i].g);
	free(o->zones);
	free(o->gz);
	free(o->dist);
	free(o->absences);
	free(o);
	*o_r = NULL;
}

struct em_eval *em_eval_new(void)
{
	struct em_eval *ev = calloc(1, sizeof *ev);
	if (ev == NULL)
		return NULL;
	ev->table_size = 1024;
	ev->table = calloc(ev->table_size, sizeof *ev->table);
	if (ev->table == NULL) {
		free(ev);
		return NULL;
	}
	return ev;
}

void em_eval_free(struct em_eval **ev_r)
{
	struct em_eval *ev = *ev_r;
	if (ev == NULL)
		return;
	for (size_t i = 0; i < ev->table_size; i++) {
		struct ev_device *d = ev->table[i];
		while (d) {
			struct ev_device *next = d->next;
			order_free(&d->order);
			free(d->st.ex);
			free(d);
			d = next;
		}
	}
	free(ev->table);
	free(ev);
	*ev_r = NULL;
}

void em_eval_invalidate(struct em_eval *ev)
{
	if (ev == NULL)
		return;
	for (size_t i = 0; i < ev->table_size; i++)
		for (struct ev_device *d = ev->table[i]; d; d = d->next) {
			order_free(&d->order);
			d->order_loaded = false;
		}
	ev->tz_loaded = false;
}

static void table_grow(struct em_eval *ev)
{
	size_t size = ev->table_size * 2;
	struct ev_device **t = calloc(size, sizeof *t);
	if (t == NULL)
		return;
	for (size_t i = 0; i < ev->table_size; i++) {
		struct ev_device *d = ev->table[i];
		while (d) {
			struct ev_device *next = d->next;
			size_t h = (size_t)d->num % size;
			d->next = t[h];
			t[h] = d;
			d = next;
		}
	}
	free(ev->table);
	ev->table = t;
	ev->table_size = size;
}

static struct ev_device *device_get(struct em_eval *ev, int64_t num)
{
	size_t h = (size_t)num % ev->table_size;
	for (struct ev_device *d = ev->table[h]; d; d = d->next)
		if (d->num == num)
			return d;
	if (ev->count >= ev->table_size)
		table_grow(ev);
	struct ev_device *d = calloc(1, sizeof *d);
	if (d == NULL)
		abort();
	d->num = num;
	h = (size_t)num % ev->table_size;
	d->next = ev->table[h];
	ev->table[h] = d;
	ev->count++;
	return d;
}

/* ---- loading an order ----------------------------------------------------------------------- */

static void copy_text(char *out, size_t cap, const char *s)
{
	snprintf(out, cap, "%s", s ? s : "");
}

/* The instant a local date's day starts (days added), in the deployment's zone. */
static bool day_start(const char *date, int add_days, const char *tz, int64_t *ms_r)
{
	char local[LOCAL_TIME_LEN];
	if (date == NULL || strlen(date) != 10)
		return false;
	snprintf(local, sizeof local, "%.10sT00:00", date);
	if (add_days && !local_time_add_minutes(local, add_days * 1440, local))
		return false;
	return local_to_utc_ms(local, tz, ms_r);
}

static enum db_status zones_load(db *conn, struct ev_order *o)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, kind, name, shape, geojson, center_lat, center_lon, radius_m, buffer_m, schedule FROM em_zone"
		" WHERE order_id = ? AND status = 'active' ORDER BY id", "t", o->id);
	size_t cap = 0;
	while (next_row(st, &rc)) {
		const char *kind = db_column_text(st, 1, NULL);
		bool inclusion = kind && strcmp(kind, "inclusion") == 0;
		if ((inclusion && !o->inclusion) || (!inclusion && !o->exclusion))
			continue;
		struct ev_zone z = {0};
		copy_text(z.id, sizeof z.id, db_column_text(st, 0, NULL));
		copy_text(z.name, sizeof z.name, db_column_text(st, 2, NULL));
		z.inclusion = inclusion;
		z.buffer_m = (double)db_column_int64(st, 8);
		const char *shape = db_column_text(st, 3, NULL);
		if (shape && strcmp(shape, "circle") == 0) {
			z.g = geofence_circle(db_column_double(st, 5), db_column_double(st, 6), db_column_double(st, 7));
		} else {
			size_t len = 0;
			const char *text = db_column_text(st, 4, &len);
			char err[160] = "";
			z.g = text ? geofence_polygon(text, len, err, sizeof err) : NULL;
			if (z.g == NULL)
				log_warn("evaluate: zone %s of order %s cannot be used: %s", z.id, o->id, err);
		}
		if (z.g == NULL)
			continue;
		const char *sched = db_column_text(st, 9, NULL);
		if (sched && *sched && strcmp(sched, "null") != 0) {
			z.nsched = curfew_schedule_parse(sched, z.sched, SCHEDULE_MAX);
			if (z.nsched <= 0) {
				log_warn("evaluate: zone %s has a schedule that cannot be read: evaluated always", z.id);
				z.nsched = 0;
			}
		}
		z.sched_next = INT64_MIN;
		if (o->nzones == cap) {
			cap = cap ? cap * 2 : 4;
			struct ev_zone *grown = realloc(o->zones, cap * sizeof *grown);
			if (grown == NULL)
				abort();
			o->zones = grown;
		}
		o->zones[o->nzones++] = z;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc == DB_OK ? DB_ERROR : rc;
	if (o->nzones) {
		o->gz = calloc(o->nzones, sizeof *o->gz);
		o->dist = calloc(o->nzones, sizeof *o->dist);
		if (o->gz == NULL || o->dist == NULL)
			abort();
		for (size_t i = 0; i < o->nzones; i++)
			o->gz[i] = o->zones[i].g;
		o->set = geofence_set_new(o->gz, o->nzones);
	}
	return DB_OK;
}

static enum db_status curfew_load(db *conn, struct ev_order *o, int64_t now)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT days, start_time, end_time FROM em_curfew_window WHERE order_id = ? ORDER BY id", "t", o->id);
	while (next_row(st, &rc)) {
		struct curfew_window w;
		if (o->ncw < CURFEW_MAX_WINDOWS &&
		    curfew_window_make(db_column_text(st, 0, NULL), db_column_text(st, 1, NULL), db_column_text(st, 2, NULL), &w))
			o->cw[o->ncw++] = w;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc == DB_OK ? DB_ERROR : rc;
	o->cw_next = INT64_MIN;
	rc = db_query(conn, &st,
		"SELECT starts_at, ends_at, covers_zones FROM em_absence WHERE order_id = ? AND cancelled_at IS NULL"
		" AND ends_at > ? ORDER BY starts_at", "ti", o->id, now - 86400000LL);
	size_t cap = 0;
	while (next_row(st, &rc)) {
		if (o->nabsences == cap) {
			cap = cap ? cap * 2 : 4;
			struct ev_absence *grown = realloc(o->absences, cap * sizeof *grown);
			if (grown == NULL)
				abort();
			o->absences = grown;
		}
		o->absences[o->nabsences++] = (struct ev_absence){db_column_int64(st, 0), db_column_int64(st, 1),
		                                                  db_column_int64(st, 2) == 1};
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc == DB_OK ? DB_ERROR : rc;
}

/* Reads the device's live order (NULL when none) with its zones, timetable and absences. */
static enum db_status order_load(struct batch *b, struct ev_device *d)
{
	struct em_eval *ev = b->ev;
	order_free(&d->order);
	d->order_loaded = true;
	d->order_loaded_at = b->now;
	if (!ev->tz_loaded) {
		if (!appointments_zone(b->conn, ev->tz))
			return DB_ERROR;
		ev->tz_loaded = true;
	}
	db_stmt *st = NULL;
	enum db_status rc = db_query(b->conn, &st,
		"SELECT o.id, o.case_id, d.id, o.rules_version, o.mode_curfew, o.mode_inclusion, o.mode_exclusion,"
		" o.home_lat, o.home_lon, o.home_radius_m, o.curfew_grace_min, o.starts_on, o.ends_on, f.fitted_at"
		" FROM em_device d JOIN em_fitting f ON f.device_id = d.id AND f.removed_at IS NULL"
		" JOIN em_order o ON o.id = f.order_id"
		" WHERE d.num = ? AND o.status = 'active' ORDER BY f.fitted_at DESC, f.id LIMIT 1", "i", d->num);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc != DB_ROW) {
		db_finalize(&st);
		return rc == DB_DONE ? DB_OK : rc;
	}
	struct ev_order *o = calloc(1, sizeof *o);
	if (o == NULL)
		abort();
	copy_text(o->id, sizeof o->id, db_column_text(st, 0, NULL));
	copy_text(o->case_id, sizeof o->case_id, db_column_text(st, 1, NULL));
	copy_text(o->device_id, sizeof o->device_id, db_column_text(st, 2, NULL));
	o->rules_version = db_column_int64(st, 3);
	o->curfew = db_column_int64(st, 4) == 1;
	o->inclusion = db_column_int64(st, 5) == 1;
	o->exclusion = db_column_int64(st, 6) == 1;
	o->has_home = db_column_type(st, 7) != DB_TYPE_NULL && db_column_type(st, 8) != DB_TYPE_NULL;
	o->home_lat = db_column_double(st, 7);
	o->home_lon = db_column_double(st, 8);
	o->home_radius_m = (double)db_column_int64(st, 9);
	o->grace_ms = db_column_int64(st, 10) * 60000;
	bool dates = day_start(db_column_text(st, 11, NULL), 0, ev->tz, &o->valid_from) &&
	             day_start(db_column_text(st, 12, NULL), 1, ev->tz, &o->valid_to);
	int64_t fitted = db_column_int64(st, 13);
	db_finalize(&st);
	if (!dates) {
		log_warn("evaluate: order %s has dates that cannot be read: not evaluated", o->id);
		order_free(&o);
		return DB_OK;
	}
	if (fitted > o->valid_from)
		o->valid_from = fitted;
	if ((rc = zones_load(b->conn, o)) != DB_OK || (rc = curfew_load(b->conn, o, b->now)) != DB_OK) {
		order_free(&o);
		return rc;
	}
	d->order = o;
	return DB_OK;
}

/* Every few seconds: the cached orders whose rules_version moved, or which are no longer active, are read again. */
static enum db_status versions_check(struct batch *b)
{
	struct em_eval *ev = b->ev;
	if (b->now - ev->version_checked_at < VERSION_CHECK_MS && b->now >= ev->version_checked_at)
		return DB_OK;
	ev->version_checked_at = b->now;
	json_t *versions = json_object();
	db_stmt *st = NULL;
	enum db_status rc = db_query(b->conn, &st, "SELECT id, rules_version FROM em_order WHERE status = 'active'", "");
	while (next_row(st, &rc))
		json_object_set_new(versions, db_column_text(st, 0, NULL), json_integer(db_column_int64(st, 1)));
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(versions);
		return rc == DB_OK ? DB_ERROR : rc;
	}
	for (size_t i = 0; i < ev->table_size; i++)
		for (struct ev_device *d = ev->table[i]; d; d = d->next) {
			if (!d->order)
				continue;
			const json_t *v = json_object_get(versions, d->order->id);
			if (!v || json_integer_value(v) != d->order->rules_version) {
				order_free(&d->order);
				d->order_loaded = false;
			}
		}
	json_decref(versions);
	return DB_OK;
}

/* ---- state as JSON -------------------------------------------------------------------------- */

static struct ev_zone_state *zone_state(struct ev_state *s, const char *zone_id)
{
	for (size_t i = 0; i < s->nex; i++)
		if (strcmp(s->ex[i].zone_id, zone_id) == 0)
			return &s->ex[i];
	struct ev_zone_state *grown = realloc(s->ex, (s->nex + 1) * sizeof *grown);
	if (grown == NULL)
		abort();
	s->ex = grown;
	struct ev_zone_state *z = &s->ex[s->nex++];
	memset(z, 0, sizeof *z);
	copy_text(z->zone_id, sizeof z->zone_id, zone_id);
	return z;
}

static char *state_dump(const struct ev_state *s)
{
	json_t *ex = json_object(), *evs = json_object();
	for (size_t i = 0; i < s->nex; i++) {
		const struct ev_zone_state *z = &s->ex[i];
		if (z->phase || z->buffer)
			json_object_set_new(ex, z->zone_id, json_pack("[i, I, b, I]", z->phase, (json_int_t)z->since, z->buffer,
			                                              (json_int_t)z->buffer_since));
	}
	for (int k = 0; k < EM_EV_COUNT; k++)
		if (s->ev_last[k])
			json_object_set_new(evs, em_event_name(1u << k),
			                    json_pack("[I, I, s]", (json_int_t)s->ev_last[k], (json_int_t)s->ev_start[k],
			                              s->ev_alert[k]));
	json_t *root = json_pack("{s:[i, I], s:[i, I], s:o, s:o}", "inclusion", s->incl_phase, (json_int_t)s->incl_since,
	                         "curfew", s->cur_phase, (json_int_t)s->cur_since, "exclusion", ex, "events", evs);
	char *text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

static void state_parse(struct ev_state *s, const char *text)
{
	json_t *root = text ? json_loads(text, 0, NULL) : NULL;
	if (!json_is_object(root)) {
		json_decref(root);
		return;
	}
	const json_t *a = json_object_get(root, "inclusion");
	s->incl_phase = (int)json_integer_value(json_array_get(a, 0));
	s->incl_since = json_integer_value(json_array_get(a, 1));
	a = json_object_get(root, "curfew");
	s->cur_phase = (int)json_integer_value(json_array_get(a, 0));
	s->cur_since = json_integer_value(json_array_get(a, 1));
	const char *key;
	const json_t *v;
	json_object_foreach(json_object_get(root, "exclusion"), key, v) {
		if (!uuid_valid(key))
			continue;
		struct ev_zone_state *z = zone_state(s, key);
		z->phase = (int)json_integer_value(json_array_get(v, 0));
		z->since = json_integer_value(json_array_get(v, 1));
		z->buffer = json_is_true(json_array_get(v, 2));
		z->buffer_since = json_integer_value(json_array_get(v, 3));
	}
	json_object_foreach(json_object_get(root, "events"), key, v) {
		uint32_t bit = em_event_bit(key);
		if (bit == 0)
			continue;
		int k = __builtin_ctz(bit);
		s->ev_last[k] = json_integer_value(json_array_get(v, 0));
		s->ev_start[k] = json_integer_value(json_array_get(v, 1));
		copy_text(s->ev_alert[k], sizeof s->ev_alert[k], json_string_value(json_array_get(v, 2)));
	}
	json_decref(root);
}

static enum db_status state_load(struct batch *b, struct ev_device *d)
{
	d->state_loaded = true;
	db_stmt *st = NULL;
	enum db_status rc = db_query(b->conn, &st, "SELECT state FROM em_device_state WHERE device_num = ?", "i", d->num);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		state_parse(&d->st, db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

static enum db_status state_save(struct batch *b, struct ev_device *d)
{
	char *text = state_dump(&d->st);
	enum db_status rc = db_run(b->conn, NULL,
		"INSERT INTO em_device_state (device_num, state, updated_at) VALUES (?, ?, ?)"
		" ON CONFLICT (device_num) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
		"iti", d->num, text, b->now);
	free(text);
	d->dirty = false;
	return rc;
}

/* ---- alerts --------------------------------------------------------------------------------- */

/* What fixstore_read gives, collected. */
struct collected {
	struct ev_fix *fixes;
	size_t n, cap;
};

static void collect_fix(void *ctx, const struct stored_fix *f)
{
	struct collected *c = ctx;
	if (!f->fix.has_location && f->fix.lat == 0 && f->fix.lon == 0)
		return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		struct ev_fix *grown = realloc(c->fixes, c->cap * sizeof *grown);
		if (grown == NULL)
			abort();
		c->fixes = grown;
	}
	c->fixes[c->n++] = (struct ev_fix){f->fix.at_ms, f->fix.lat, f->fix.lon, f->fix.accuracy_m};
}

static int cmp_fix_at(const void *a, const void *b)
{
	int64_t x = ((const struct ev_fix *)a)->at, y = ((const struct ev_fix *)b)->at;
	return x < y ? -1 : x > y;
}

static void fix_json(json_t *arr, const struct ev_fix *f)
{
	json_t *o = json_pack("{s:I, s:f, s:f}", "at", (json_int_t)f->at, "lat", f->lat, "lon", f->lon);
	json_object_set_new(o, "accuracy_m", isnan(f->acc) ? json_null() : json_real(f->acc));
	json_array_append_new(arr, o);
}

/* The evidence's fixes: up to ten before start and all from start to the current fix (at most 200, the latest),
   from the fix store, else from the device's ring. from_r/to_r get the span. */
static json_t *evidence_fixes(struct batch *b, struct ev_device *d, int64_t start, int64_t at, int64_t *from_r,
                              int64_t *to_r)
{
	struct collected c = {0};
	size_t count = 0;
	if (fixstore_read(b->conn, d->num, start - 15 * 60000LL, at + 1, 5000, collect_fix, &c, &count) != DB_OK)
		c.n = 0;
	if (c.n == 0) {
		for (int i = 0; i < d->ring_n; i++) {
			int k = (d->ring_next - d->ring_n + i + RING) % RING;
			struct collected *cp = &c;
			struct stored_fix sf = {.fix = {.at_ms = d->ring[k].at, .has_location = true, .lat = d->ring[k].lat,
			                                .lon = d->ring[k].lon, .accuracy_m = d->ring[k].acc}};
			collect_fix(cp, &sf);
		}
	}
	/* In time order, each time once (the chunks and the inbox may both hold a fix while it is compacted). */
	qsort(c.fixes, c.n, sizeof *c.fixes, cmp_fix_at);
	size_t kept = 0;
	for (size_t i = 0; i < c.n; i++)
		if (kept == 0 || c.fixes[kept - 1].at != c.fixes[i].at)
			c.fixes[kept++] = c.fixes[i];
	c.n = kept;
	size_t first_during = 0;
	while (first_during < c.n && c.fixes[first_during].at < start)
		first_during++;
	size_t lo = first_during > EVIDENCE_BEFORE ? first_during - EVIDENCE_BEFORE : 0;
	size_t during = c.n - first_during;
	size_t skip = during > EVIDENCE_DURING ? during - EVIDENCE_DURING : 0;
	json_t *arr = json_array();
	*from_r = start;
	*to_r = at;
	for (size_t i = lo; i < c.n; i++) {
		if (i >= first_during && i < first_during + skip)
			continue;
		fix_json(arr, &c.fixes[i]);
		if (c.fixes[i].at < *from_r)
			*from_r = c.fixes[i].at;
		if (c.fixes[i].at > *to_r)
			*to_r = c.fixes[i].at;
	}
	free(c.fixes);
	return arr;
}

/* One alert for an episode; id_r (may be NULL) gets its id. */
static enum db_status episode_alert(struct batch *b, struct ev_device *d, const char *rule, int64_t start, int64_t at,
                            const char *zone_id, double distance_m, const char *summary, char *id_r)
{
	const struct ev_order *o = d->order;
	char key[160];
	snprintf(key, sizeof key, "em:%s:%s:%lld", rule, o->id, (long long)start);
	int64_t from = start, to = at;
	json_t *ev = json_pack("{s:s, s:s, s:I}", "order_id", o->id, "device_id", o->device_id, "started_at",
	                       (json_int_t)start);
	json_object_set_new(ev, "zone_id", zone_id ? json_string(zone_id) : json_null());
	json_object_set_new(ev, "distance_m", isnan(distance_m) ? json_null() : json_real(round(distance_m * 10) / 10));
	json_object_set_new(ev, "fixes", evidence_fixes(b, d, start, at, &from, &to));
	char *evidence = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	struct alert_new an = {.case_id = o->case_id, .rule_code = rule, .source = "device", .dedupe_key = key,
	                       .summary = summary, .evidence = evidence};
	char id[UUID_STR_LEN] = "";
	bool created = false;
	enum db_status rc = alert_raise(b->conn, &an, b->now, id, &created);
	free(evidence);
	if (rc == DB_OK && created) {
		b->raised++;
		rc = fixstore_hold(b->conn, d->num, from, to + 1, id, b->now);
	}
	if (id_r)
		copy_text(id_r, UUID_STR_LEN, id);
	return rc;
}

static long minutes(int64_t ms)
{
	long m = (long)(ms / 60000);
	return m < 1 ? 1 : m;
}

/* How long a violation had lasted when it was raised, for a summary: " for 4 min", " for 40 s", or "" when it was
 * raised at its first fix (a dwell of 0). */
static const char *lasting(int64_t ms, char buf[32])
{
	if (ms >= 60000)
		snprintf(buf, 32, " for %ld min", (long)(ms / 60000));
	else if (ms >= 1000)
		snprintf(buf, 32, " for %ld s", (long)(ms / 1000));
	else
		buf[0] = '\0';
	return buf;
}

/* ---- rules ---------------------------------------------------------------------------------- */

static bool in_absence(const struct ev_order *o, int64_t at, bool zones)
{
	for (size_t i = 0; i < o->nabsences; i++)
		if (o->absences[i].from <= at && at < o->absences[i].to && (!zones || o->absences[i].covers_zones))
			return true;
	return false;
}

static bool zone_scheduled(struct ev_zone *z, const char *tz, int64_t at)
{
	if (z->nsched == 0)
		return true;
	if (at >= z->sched_at && at < z->sched_next)
		return z->sched_in;
	int64_t s = 0, e = 0, next = 0;
	bool inside = false;
	if (!curfew_state_at(z->sched, (size_t)z->nsched, tz, at, &inside, &s, &e, &next))
		return true; /* a zone whose schedule cannot be read is evaluated always */
	z->sched_in = inside;
	z->sched_at = at;
	z->sched_next = next;
	return inside;
}

/* The distances from the fix to each zone (exact within near_m), through the STRtree when there are many. */
static void distances(struct ev_order *o, double lat, double lon, double near_m)
{
	if (o->nzones <= 8) {
		for (size_t i = 0; i < o->nzones; i++)
			o->dist[i] = geofence_distance(o->zones[i].g, lat, lon, near_m);
		return;
	}
	for (size_t i = 0; i < o->nzones; i++)
		o->dist[i] = near_m + 1.0; /* beyond near_m: outside (inclusion zones are checked below) */
	size_t idx[64];
	size_t n = geofence_set_near(o->set, lat, lon, near_m, idx, 64);
	for (size_t k = 0; k < n; k++)
		o->dist[idx[k]] = geofence_distance(o->zones[idx[k]].g, lat, lon, near_m);
}

static enum db_status rule_inclusion(struct batch *b, struct ev_device *d, const struct ev_fix *f, bool *active,
                                     double acc)
{
	struct ev_order *o = d->order;
	struct ev_state *s = &d->st;
	if (in_absence(o, f->at, true)) {
		if (s->incl_phase == 1) {
			s->incl_phase = 0;
			d->dirty = true;
		}
		return DB_OK;
	}
	double best = INFINITY;
	size_t nearest = 0;
	bool any = false;
	for (size_t i = 0; i < o->nzones; i++) {
		if (!o->zones[i].inclusion || !active[i])
			continue;
		any = true;
		if (o->dist[i] < best) {
			best = o->dist[i];
			nearest = i;
		}
	}
	if (!any)
		return DB_OK;
	bool out = best > acc + b->margin_m, back = best < -acc;
	if (s->incl_phase == 0 && out) {
		s->incl_phase = 1;
		s->incl_since = f->at;
		d->dirty = true;
	} else if (s->incl_phase != 0 && back) {
		s->incl_phase = 0;
		d->dirty = true;
		return DB_OK;
	}
	if (s->incl_phase == 1 && out && f->at - s->incl_since >= b->dwell_ms) {
		s->incl_phase = 2;
		d->dirty = true;
		char summary[200];
		char span[32];
		snprintf(summary, sizeof summary, "Left inclusion zone '%s'%s", o->zones[nearest].name,
		         lasting(f->at - s->incl_since, span));
		/* The evidence's distance exactly (the rule needed it only beyond the margin). */
		double exact = geofence_distance(o->zones[nearest].g, f->lat, f->lon, 1e6);
		return episode_alert(b, d, "em.inclusion_exit", s->incl_since, f->at, o->zones[nearest].id, exact, summary,
		                     NULL);
	}
	return DB_OK;
}

static enum db_status rule_exclusion(struct batch *b, struct ev_device *d, const struct ev_fix *f, size_t i,
                                     double acc)
{
	struct ev_zone *z = &d->order->zones[i];
	double dist = d->order->dist[i];
	bool in = dist < -(acc + b->margin_m), clear = dist > acc;
	bool near = z->buffer_m > 0 && dist <= z->buffer_m;
	/* A zone far away with no episode open needs no state. */
	if (!in && !near) {
		bool open = false;
		for (size_t k = 0; k < d->st.nex; k++)
			if (strcmp(d->st.ex[k].zone_id, z->id) == 0 && (d->st.ex[k].phase || d->st.ex[k].buffer))
				open = true;
		if (!open)
			return DB_OK;
	}
	struct ev_zone_state *s = zone_state(&d->st, z->id);
	enum db_status rc = DB_OK;
	if (s->phase == 0 && in) {
		s->phase = 1;
		s->since = f->at;
		d->dirty = true;
	} else if (s->phase != 0 && clear) {
		s->phase = 0;
		d->dirty = true;
	}
	if (s->phase == 1 && in && f->at - s->since >= b->dwell_ms) {
		s->phase = 2;
		d->dirty = true;
		char summary[200];
		char span[32];
		snprintf(summary, sizeof summary, "Entered exclusion zone '%s'%s", z->name, lasting(f->at - s->since, span));
		rc = episode_alert(b, d, "em.exclusion_entry", s->since, f->at, z->id, dist, summary, NULL);
	}
	if (rc == DB_OK && z->buffer_m > 0) {
		if (!s->buffer && near && s->phase != 2) {
			s->buffer = true;
			s->buffer_since = f->at;
			d->dirty = true;
			char summary[200];
			snprintf(summary, sizeof summary, "Within %.0f m of exclusion zone '%s'", z->buffer_m, z->name);
			rc = episode_alert(b, d, "em.buffer", f->at, f->at, z->id, dist, summary, NULL);
		} else if (s->buffer && dist > z->buffer_m + acc + b->margin_m) {
			s->buffer = false;
			d->dirty = true;
		}
	}
	return rc;
}

/* The distance in metres between two points (the zones' projection at their mean latitude). */
static double metres_between(double lat1, double lon1, double lat2, double lon2)
{
	double dlon = lon2 - lon1;
	while (dlon >= 180)
		dlon -= 360;
	while (dlon < -180)
		dlon += 360;
	double dx = dlon * cos((lat1 + lat2) / 2 * (M_PI / 180)) * M_PER_DEG_LON, dy = (lat2 - lat1) * M_PER_DEG_LAT;
	return sqrt(dx * dx + dy * dy);
}

static enum db_status rule_curfew(struct batch *b, struct ev_device *d, const struct ev_fix *f, double acc)
{
	struct ev_order *o = d->order;
	struct ev_state *s = &d->st;
	if (!(f->at >= o->cw_at && f->at < o->cw_next)) {
		bool inside = false;
		int64_t start = 0, end = 0, next = 0;
		if (!curfew_state_at(o->cw, o->ncw, b->ev->tz, f->at, &inside, &start, &end, &next))
			return DB_OK;
		o->cw_in = inside;
		o->cw_start = start;
		o->cw_end = end;
		o->cw_at = f->at;
		o->cw_next = next;
	}
	if (!o->cw_in || in_absence(o, f->at, false)) {
		if (s->cur_phase) {
			s->cur_phase = 0;
			d->dirty = true;
		}
		return DB_OK;
	}
	if (s->cur_phase && s->cur_since < o->cw_start) { /* an episode of an earlier window */
		s->cur_phase = 0;
		d->dirty = true;
	}
	double dist = metres_between(o->home_lat, o->home_lon, f->lat, f->lon);
	bool away = dist > o->home_radius_m + acc + b->margin_m, home = dist <= o->home_radius_m;
	if (s->cur_phase == 0 && away) {
		s->cur_phase = 1;
		s->cur_since = f->at;
		d->dirty = true;
	} else if (s->cur_phase != 0 && home) {
		s->cur_phase = 0;
		d->dirty = true;
		return DB_OK;
	}
	int64_t grace = o->grace_ms > b->dwell_ms ? o->grace_ms : b->dwell_ms;
	if (s->cur_phase == 1 && away && f->at - s->cur_since >= grace) {
		s->cur_phase = 2;
		d->dirty = true;
		char summary[200];
		char span[32];
		snprintf(summary, sizeof summary, "Away from home during curfew%s", lasting(f->at - s->cur_since, span));
		return episode_alert(b, d, "em.curfew_absence", s->cur_since, f->at, NULL, dist - o->home_radius_m, summary, NULL);
	}
	return DB_OK;
}

static enum db_status location(struct batch *b, struct ev_device *d, const struct ev_fix *f)
{
	struct ev_order *o = d->order;
	double acc = isnan(f->acc) || f->acc < 0 ? 0 : f->acc;
	enum db_status rc = DB_OK;
	if (o->nzones) {
		double near = acc + b->margin_m;
		bool active_stack[16];
		bool *active = o->nzones <= 16 ? active_stack : calloc(o->nzones, sizeof *active);
		if (active == NULL)
			abort();
		bool any_incl = false;
		for (size_t i = 0; i < o->nzones; i++) {
			active[i] = zone_scheduled(&o->zones[i], b->ev->tz, f->at);
			if (o->zones[i].buffer_m + acc + b->margin_m > near)
				near = o->zones[i].buffer_m + acc + b->margin_m;
			any_incl = any_incl || (active[i] && o->zones[i].inclusion);
		}
		distances(o, f->lat, f->lon, near + 1.0);
		if (any_incl)
			rc = rule_inclusion(b, d, f, active, acc);
		for (size_t i = 0; rc == DB_OK && i < o->nzones; i++)
			if (!o->zones[i].inclusion && active[i])
				rc = rule_exclusion(b, d, f, i, acc);
		if (active != active_stack)
			free(active);
	}
	if (rc == DB_OK && o->curfew && o->has_home && o->ncw)
		rc = rule_curfew(b, d, f, acc);
	return rc;
}

/* The events that alert, as their rule and summary. */
static const char *event_summary(uint32_t bit)
{
	switch (bit) {
	case EM_EV_STRAP_TAMPER: return "The device reported strap tampering";
	case EM_EV_STRAP_REMOVED: return "The device reported its strap removed or cut";
	case EM_EV_CASE_TAMPER: return "The device reported its case opened";
	case EM_EV_BATTERY_LOW: return "The device reported a low battery";
	case EM_EV_BATTERY_CRITICAL: return "The device reported a critically low battery";
	case EM_EV_POWER_CUT: return "The device reported its external power cut";
	case EM_EV_SOS: return "The device's SOS button was pressed";
	default: return NULL;
	}
}

static enum db_status event_row(struct batch *b, struct ev_device *d, const struct stored_fix *sf, const char *name,
                                const char *alert_id)
{
	char id[UUID_STR_LEN];
	uuid_v7(id);
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(b->conn,
		"INSERT INTO em_device_event (id, device_num, at, received_at, event, lat, lon, alert_id)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?)", &st);
	if (rc != DB_OK)
		return rc;
	bool loc = sf->fix.has_location;
	db_bind_text(st, 1, id, SIZE_MAX);
	db_bind_int64(st, 2, d->num);
	db_bind_int64(st, 3, sf->fix.at_ms);
	db_bind_int64(st, 4, sf->received_at ? sf->received_at : b->now);
	db_bind_text(st, 5, name, SIZE_MAX);
	if (loc) {
		db_bind_double(st, 6, sf->fix.lat);
		db_bind_double(st, 7, sf->fix.lon);
	} else {
		db_bind_null(st, 6);
		db_bind_null(st, 7);
	}
	if (alert_id && *alert_id)
		db_bind_text(st, 8, alert_id, SIZE_MAX);
	else
		db_bind_null(st, 8);
	rc = db_step(st);
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

static enum db_status events(struct batch *b, struct ev_device *d, const struct stored_fix *sf, bool live)
{
	uint32_t bits = sf->fix.events & ~(uint32_t)EM_EV_HEARTBEAT;
	enum db_status rc = DB_OK;
	for (int k = 0; rc == DB_OK && k < EM_EV_COUNT; k++) {
		uint32_t bit = 1u << k;
		if (!(bits & bit))
			continue;
		const char *name = em_event_name(bit), *summary = event_summary(bit);
		char alert_id[UUID_STR_LEN] = "";
		if (summary && live) {
			struct ev_state *s = &d->st;
			int64_t at = sf->fix.at_ms;
			bool same = s->ev_last[k] && at >= s->ev_last[k] && at - s->ev_last[k] <= EVENT_EPISODE_MS &&
			            s->ev_alert[k][0];
			if (!same) {
				char rule[40];
				snprintf(rule, sizeof rule, "em.%s", name);
				s->ev_start[k] = at;
				rc = episode_alert(b, d, rule, at, at, NULL, NAN, summary, s->ev_alert[k]);
			}
			if (at > s->ev_last[k])
				s->ev_last[k] = at;
			copy_text(alert_id, sizeof alert_id, s->ev_alert[k]);
			d->dirty = true;
		}
		if (rc == DB_OK)
			rc = event_row(b, d, sf, name, alert_id);
	}
	return rc;
}

static void ring_add(struct ev_device *d, const struct ev_fix *f)
{
	d->ring[d->ring_next] = *f;
	d->ring_next = (d->ring_next + 1) % RING;
	if (d->ring_n < RING)
		d->ring_n++;
}

static enum db_status one(struct batch *b, const struct stored_fix *sf)
{
	struct ev_device *d = device_get(b->ev, sf->device_num);
	enum db_status rc = DB_OK;
	if (!d->state_loaded && (rc = state_load(b, d)) != DB_OK)
		return rc;
	if ((!d->order_loaded || (!d->order && b->now - d->order_loaded_at > NO_ORDER_RECHECK_MS) ||
	     b->now < d->order_loaded_at) &&
	    (rc = order_load(b, d)) != DB_OK)
		return rc;
	const struct em_fix *fx = &sf->fix;
	struct ev_order *o = d->order;
	bool live = o && fx->at_ms >= o->valid_from && fx->at_ms < o->valid_to;
	struct ev_fix f = {fx->at_ms, fx->lat, fx->lon, fx->accuracy_m};
	bool evaluate = live && fx->has_location && !(sf->flags & EM_FIX_LATE);
	if (evaluate) {
		ring_add(d, &f);
		rc = location(b, d, &f);
	}
	if (rc == DB_OK && (fx->events & ~(uint32_t)EM_EV_HEARTBEAT))
		rc = events(b, d, sf, live);
	return rc;
}

enum db_status em_eval_batch(struct em_eval *ev, db *conn, const struct stored_fix *fixes, size_t n, int64_t now,
                             long *raised_r)
{
	*raised_r = 0;
	if (ev == NULL || n == 0)
		return DB_OK;
	struct batch b = {.ev = ev, .conn = conn, .now = now};
	long margin = 20, dwell = 60;
	enum db_status rc = db_begin(conn);
	if (rc != DB_OK)
		return rc;
	if ((rc = setting_number(conn, "em.margin_m", &margin)) != DB_OK ||
	    (rc = setting_number(conn, "em.dwell_s", &dwell)) != DB_OK || (rc = versions_check(&b)) != DB_OK) {
		db_rollback(conn);
		return rc;
	}
	b.margin_m = (double)margin;
	b.dwell_ms = (int64_t)dwell * 1000;
	for (size_t i = 0; rc == DB_OK && i < n; i++)
		rc = one(&b, &fixes[i]);
	/* The states of this batch's devices that changed. */
	for (size_t i = 0; rc == DB_OK && i < n; i++) {
		struct ev_device *d = device_get(ev, fixes[i].device_num);
		if (d->dirty)
			rc = state_save(&b, d);
	}
	if (rc == DB_OK)
		rc = db_commit(conn);
	if (rc != DB_OK) {
		if (db_in_transaction(conn))
			db_rollback(conn);
		/* What was decided in memory for this batch did not happen: read the states again. */
		for (size_t i = 0; i < n; i++) {
			struct ev_device *d = device_get(ev, fixes[i].device_num);
			free(d->st.ex);
			memset(&d->st, 0, sizeof d->st);
			d->state_loaded = false;
			d->dirty = false;
		}
		return rc;
	}
	*raised_r = b.raised;
	return DB_OK;
}

/* ---- silence -------------------------------------------------------------------------------- */

/* One silence alert for the order's case, deduplicated by the last message's time. */
static enum db_status silence_raise(db *conn, const char *rule, const char *order_id, const char *case_id,
                                    const char *device_id, int64_t since, int64_t now, const char *summary,
                                    long *raised_r)
{
	char key[160];
	snprintf(key, sizeof key, "em:%s:%s:%lld", rule, order_id, (long long)since);
	json_t *ev = json_pack("{s:s, s:s, s:n, s:[], s:n, s:I}", "order_id", order_id, "device_id", device_id,
	                       "zone_id", "fixes", "distance_m", "started_at", (json_int_t)since);
	char *evidence = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	struct alert_new an = {.case_id = case_id, .rule_code = rule, .source = "device", .dedupe_key = key,
	                       .summary = summary, .evidence = evidence};
	char id[UUID_STR_LEN];
	bool created = false;
	enum db_status rc = alert_raise(conn, &an, now, id, &created);
	free(evidence);
	if (rc == DB_OK && created)
		(*raised_r)++;
	return rc;
}

enum db_status em_silence_job(db *conn, int64_t now, long *raised_r)
{
	*raised_r = 0;
	long no_location = 15, no_contact = 30;
	enum db_status rc;
	if ((rc = setting_number(conn, "em.no_location_min", &no_location)) != DB_OK ||
	    (rc = setting_number(conn, "em.no_contact_min", &no_contact)) != DB_OK)
		return rc;
	int64_t loc_before = now - (int64_t)no_location * 60000, contact_before = now - (int64_t)no_contact * 60000;
	/* Collected first: alert_raise runs statements of its own on the connection. */
	json_t *rows = json_array();
	db_stmt *st = NULL;
	rc = db_query(conn, &st,
		"SELECT o.id, o.case_id, d.id, COALESCE(d.last_fix_at, f.fitted_at), COALESCE(d.last_seen_at, f.fitted_at)"
		" FROM em_fitting f JOIN em_device d ON d.id = f.device_id JOIN em_order o ON o.id = f.order_id"
		" WHERE f.removed_at IS NULL AND o.status = 'active'"
		" AND (COALESCE(d.last_fix_at, f.fitted_at) < ? OR COALESCE(d.last_seen_at, f.fitted_at) < ?)"
		" ORDER BY o.id, d.id", "ii", loc_before, contact_before);
	while (next_row(st, &rc))
		json_array_append_new(rows, json_pack("[s, s, s, I, I]", db_column_text(st, 0, NULL),
		                                      db_column_text(st, 1, NULL), db_column_text(st, 2, NULL),
		                                      (json_int_t)db_column_int64(st, 3), (json_int_t)db_column_int64(st, 4)));
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(rows);
		return rc == DB_OK ? DB_ERROR : rc;
	}
	rc = DB_OK;
	size_t i;
	const json_t *r;
	json_array_foreach(rows, i, r) {
		if (rc != DB_OK)
			break;
		const char *order = json_string_value(json_array_get(r, 0)), *case_id = json_string_value(json_array_get(r, 1));
		const char *device = json_string_value(json_array_get(r, 2));
		int64_t last_fix = json_integer_value(json_array_get(r, 3)), last_seen = json_integer_value(json_array_get(r, 4));
		char summary[120];
		if (last_seen < contact_before) {
			snprintf(summary, sizeof summary, "No contact with the device for %ld min", minutes(now - last_seen));
			rc = silence_raise(conn, "em.no_contact", order, case_id, device, last_seen, now, summary, raised_r);
		}
		if (rc == DB_OK && last_fix < loc_before) {
			snprintf(summary, sizeof summary, "No location received for %ld min", minutes(now - last_fix));
			rc = silence_raise(conn, "em.no_location", order, case_id, device, last_fix, now, summary, raised_r);
		}
	}
	json_decref(rows);
	return rc;
}
