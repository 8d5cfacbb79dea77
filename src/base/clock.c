#include "base/clock.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
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

static bool digits(const char *s, int n, int *v_r)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*v_r = v;
	return true;
}

bool clock_parse_rfc3339(const char *s, int64_t *ms_r)
{
	int y, mo, d, h, mi, sec;
	if (!s || strlen(s) < 20 || strlen(s) > 40 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	const char *p = s + 19;
	int millis = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (p[n] >= '0' && p[n] <= '9')
			n++;
		if (n < 1 || n > 9)
			return false;
		for (int i = 0; i < 3; i++)
			millis = millis * 10 + (i < n ? p[i] - '0' : 0);
		p += n;
	}
	int offset_min = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
			return false;
		offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p || y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
	time_t t = timegm(&tm);
	struct tm back;
	if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1)
		return false; /* 31 February */
	*ms_r = (int64_t)t * 1000 + millis - (int64_t)offset_min * 60000;
	return true;
}
