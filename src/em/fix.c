/*
 * fix.c — event names and bits, and the range check every decoded fix passes
 * before it is stored (whatever protocol it came by).
 */
#include "em/fix.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The names in bit order (bit i is names[i]); stored and shown as such. */
static const char *const event_names[EM_EV_COUNT] = {
	"strap_tamper", "strap_removed", "case_tamper", "battery_low", "battery_critical",
	"power_cut",    "power_restored", "charging",   "sos",         "heartbeat",
};

const char *em_event_name(uint32_t bit)
{
	for (int i = 0; i < EM_EV_COUNT; i++)
		if (bit == 1u << i)
			return event_names[i];
	return NULL;
}

uint32_t em_event_bit(const char *name)
{
	if (!name)
		return 0;
	for (int i = 0; i < EM_EV_COUNT; i++)
		if (strcmp(name, event_names[i]) == 0)
			return 1u << i;
	return 0;
}

void em_fix_init(struct em_fix *f)
{
	memset(f, 0, sizeof *f);
	f->accuracy_m = f->speed_kmh = f->course_deg = f->altitude_m = NAN;
	f->satellites = f->battery_pct = -1;
}

int64_t em_utc_ms(int year, int month, int day, int hour, int minute, int second)
{
	if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
	    minute < 0 || minute > 59 || second < 0 || second > 59)
		return -1;
	/* libc's UTC conversion (as clock.c uses); a date that does not exist (31 April, 29 February of a common
	 * year) normalises to another day, which the round trip catches. */
	struct tm tm = {.tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day, .tm_hour = hour, .tm_min = minute,
	                .tm_sec = second};
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != day || tm.tm_mon != month - 1)
		return -1;
	return (int64_t)t * 1000;
}

void em_utc_parts(int64_t ms, int parts_r[6])
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		memset(parts_r, 0, 6 * sizeof parts_r[0]);
		return;
	}
	parts_r[0] = tm.tm_year + 1900;
	parts_r[1] = tm.tm_mon + 1;
	parts_r[2] = tm.tm_mday;
	parts_r[3] = tm.tm_hour;
	parts_r[4] = tm.tm_min;
	parts_r[5] = tm.tm_sec;
}

#define MS_2000 946684800000LL
#define DAY_MS 86400000LL

bool em_fix_check(const struct em_fix *f, int64_t now_ms, char *reason, size_t cap)
{
	size_t n = strnlen(f->device, sizeof f->device);
	if (n == 0) {
		snprintf(reason, cap, "device: missing");
		return false;
	}
	if (n > EM_ID_MAX) {
		snprintf(reason, cap, "device: longer than %d characters", EM_ID_MAX);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)f->device[i];
		if (c <= 0x20 || c >= 0x7f) {
			snprintf(reason, cap, "device: only printable characters without spaces are allowed");
			return false;
		}
	}
	if (f->at_ms < MS_2000) {
		snprintf(reason, cap, "at: missing or before 2000-01-01 (is the device's clock set?)");
		return false;
	}
	if (f->at_ms > now_ms + DAY_MS) {
		snprintf(reason, cap, "at: more than 24 hours in the future (is the device's clock set?)");
		return false;
	}
	if (f->has_location) {
		if (!isfinite(f->lat) || f->lat < -90 || f->lat > 90) {
			snprintf(reason, cap, "lat: must be between -90 and 90");
			return false;
		}
		if (!isfinite(f->lon) || f->lon < -180 || f->lon > 180) {
			snprintf(reason, cap, "lon: must be between -180 and 180");
			return false;
		}
		if (f->lat == 0 && f->lon == 0) {
			snprintf(reason, cap, "lat, lon: both 0 (a device without a position often sends 0,0)");
			return false;
		}
	}
	if (!isnan(f->accuracy_m) && !(f->accuracy_m >= 0 && f->accuracy_m < 100000)) {
		snprintf(reason, cap, "accuracy_m: must be at least 0 and under 100 km");
		return false;
	}
	if (f->battery_pct != -1 && (f->battery_pct < 0 || f->battery_pct > 100)) {
		snprintf(reason, cap, "battery_pct: must be between 0 and 100");
		return false;
	}
	if (!isnan(f->speed_kmh) && !(f->speed_kmh >= 0 && f->speed_kmh <= 500)) {
		snprintf(reason, cap, "speed_kmh: must be between 0 and 500");
		return false;
	}
	if (!isnan(f->course_deg) && !(f->course_deg >= 0 && f->course_deg <= 360)) {
		snprintf(reason, cap, "course_deg: must be between 0 and 360");
		return false;
	}
	if (!isnan(f->altitude_m) && !(f->altitude_m >= -1000 && f->altitude_m <= 100000)) {
		snprintf(reason, cap, "altitude_m: must be between -1000 and 100000");
		return false;
	}
	if (f->satellites < -1 || f->satellites > 255) {
		snprintf(reason, cap, "satellites: must be between 0 and 255");
		return false;
	}
	if (f->events >> EM_EV_COUNT) {
		snprintf(reason, cap, "events: unknown event bits");
		return false;
	}
	return true;
}
