/*
 * ratelimit.h — fixed-window counters keyed by a string (an address, a
 * login), for limits such as "30 reports per minute per address".
 *
 * A bounded open-addressing table: when it is full, the oldest window is
 * reused, so memory never grows with the number of distinct keys. Thread-safe.
 */
#ifndef KADAM_HTTP_RATELIMIT_H
#define KADAM_HTTP_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

struct ratelimit *ratelimit_new(int limit, int64_t window_ms);
void ratelimit_free(struct ratelimit **rl);
/* Counts one event for key at now_ms; false when the key is over its limit. */
bool ratelimit_allow(struct ratelimit *rl, const char *key, int64_t now_ms);

#endif
