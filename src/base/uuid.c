#include "base/uuid.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

#include "base/clock.h"

/*
 * Ids made by this process increase (RFC 9562, 6.2 method 3): within one
 * millisecond, or if the clock steps back, the last id's random tail is
 * incremented instead of drawn again, so ordering by id is ordering by
 * creation even for rows made in the same millisecond. The tail's low 48
 * bits are the counter; a fresh draw clears its top bit, leaving 2^47 steps.
 */
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_ms;
static unsigned char last_tail[10];

void uuid_v7(char out[UUID_STR_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	uint64_t ms = (uint64_t)clock_now_ms();
	pthread_mutex_lock(&last_lock);
	if (ms > last_ms) {
		last_ms = ms;
		randombytes_buf(last_tail, sizeof last_tail);
		last_tail[4] &= 0x7f;
	} else {
		ms = last_ms;
		for (int i = 9; i >= 4 && ++last_tail[i] == 0; i--)
			;
	}
	memcpy(b + 6, last_tail, sizeof last_tail);
	pthread_mutex_unlock(&last_lock);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0f)); /* version 7 */
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f)); /* variant 10 */
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[b[i] >> 4];
		*p++ = hex[b[i] & 15];
	}
	*p = '\0';
}

bool uuid_valid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}
