/*
 * fix.h — what a device message decodes to: a location fix, device events, or
 * both. Shared by the pure decoders (protocols/), the ingest writer, the fix
 * store, the evaluator, `kadam decode` and `kadam simulate`. No I/O here.
 */
#ifndef KADAM_EM_FIX_H
#define KADAM_EM_FIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest device identifier (IMEI is 15 digits; OsmAnd ids are free text). */
#define EM_ID_MAX 64

/* Device events a message may carry (bits of em_fix.events; stored as such in em_fix_inbox.events). */
enum em_event {
	EM_EV_STRAP_TAMPER = 1u << 0,
	EM_EV_STRAP_REMOVED = 1u << 1,
	EM_EV_CASE_TAMPER = 1u << 2,
	EM_EV_BATTERY_LOW = 1u << 3,
	EM_EV_BATTERY_CRITICAL = 1u << 4,
	EM_EV_POWER_CUT = 1u << 5,
	EM_EV_POWER_RESTORED = 1u << 6,
	EM_EV_CHARGING = 1u << 7,
	EM_EV_SOS = 1u << 8,
	EM_EV_HEARTBEAT = 1u << 9, /* a heartbeat or status message: the device is alive */
};
#define EM_EV_COUNT 10
/* The event's name as stored and shown ("strap_tamper"), for one bit; NULL for anything else. */
const char *em_event_name(uint32_t bit);
/* The bit for a name, 0 when unknown. */
uint32_t em_event_bit(const char *name);

/* Flags of a stored fix. */
enum em_fix_flag {
	EM_FIX_LATE = 1u << 0, /* older than a fix already processed for its device (stored, not evaluated) */
};

/*
 * One message's content. has_location is false for a message that only carries events or a heartbeat (then
 * lat/lon are 0). Unknown numbers are NAN (doubles) or -1 (satellites, battery_pct).
 */
struct em_fix {
	char device[EM_ID_MAX + 1];  /* the identifier the device sent (IMEI, OsmAnd id) */
	int64_t at_ms;               /* the device's time of the fix or event, ms since the epoch UTC */
	bool has_location;
	bool valid;                  /* the device says the position is a real GNSS fix */
	double lat, lon;             /* WGS 84 degrees */
	double accuracy_m;           /* horizontal, metres (NAN: unknown; HDOP*5 when only HDOP is sent) */
	double speed_kmh;
	double course_deg;
	double altitude_m;
	int satellites;
	int battery_pct;
	uint32_t events;             /* enum em_event bits */
};

/* Initialises a fix with every optional field unknown. */
void em_fix_init(struct em_fix *f);

/* Checks a decoded fix's ranges (lat, lon, time after 2000-01-01 and at most a day ahead of now_ms ...); on false
 * reason gets a short English sentence naming the field. */
bool em_fix_check(const struct em_fix *f, int64_t now_ms, char *reason, size_t cap);

/* A UTC calendar time as ms since the epoch, -1 when a part is out of range (years 1970..2200). Pure, thread-safe. */
int64_t em_utc_ms(int year, int month, int day, int hour, int minute, int second);
/* The UTC calendar parts of ms: year, month 1-12, day, hour, minute, second. */
void em_utc_parts(int64_t ms, int parts_r[6]);

#endif
