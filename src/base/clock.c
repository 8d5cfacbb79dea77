#include "base/clock.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

/* Either a fixed time (fixed == true) or an offset added to the system clock. */
static _Atomic bool fixed;
static _Atomic int64_t fixed_ms;
static _Atomic int64_t offset_ms;

int64_t clock_now_ms(void)
{
	if (atomic_load(&fixed))
		return atomic_load(&fixed_ms);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&offset_ms);
}

int64_t clock_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void clock_set_fixed(int64_t ms)
{
	atomic_store(&fixed_ms, ms);
	atomic_store(&fixed, true);
}

void clock_set_offset(int64_t ms)
{
	atomic_store(&offset_ms, ms);
	atomic_store(&fixed, false);
}

void clock_format_rfc3339(int64_t ms, char out[32])
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	int millis = (int)(ms - (int64_t)secs * 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	/* Years past 9999 would not fit; they are not dates Kadam handles. */
	char tmp[96];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
	snprintf(out, 32, "%.31s", tmp);
}
