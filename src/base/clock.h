/*
 * clock.h — the only way Kadam reads the time.
 *
 * Production reads the system clock; tests and simulations set a fixed or
 * offset time so that nothing needs to sleep for time to pass. Thread-safe.
 */
#ifndef KADAM_BASE_CLOCK_H
#define KADAM_BASE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, UTC. */
int64_t clock_now_ms(void);
/* A monotonic reading in nanoseconds, for measuring durations only. */
int64_t clock_mono_ns(void);
/* Freeze the clock at ms (tests). */
void clock_set_fixed(int64_t ms);
/* Run the clock from the system again, shifted by offset_ms (simulations). */
void clock_set_offset(int64_t offset_ms);
/* Writes ms as RFC 3339 UTC with milliseconds ("2026-11-29T05:31:10.123Z"). out needs 25 bytes. */
void clock_format_rfc3339(int64_t ms, char out[32]);
/* Reads RFC 3339 "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)", years 1970..2200, as ms since the epoch. */
bool clock_parse_rfc3339(const char *s, int64_t *ms_r);

#endif
