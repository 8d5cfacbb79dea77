#include "http/ratelimit.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define SLOTS 4096
#define KEY_MAX 64

/* One key's current window. */
struct slot {
	char key[KEY_MAX];     /* "" when free; longer keys are cut (they only share a count) */
	int64_t window_start;  /* ms */
	int count;             /* events in this window */
};

struct ratelimit {
	pthread_mutex_t lock;
	int limit;
	int64_t window_ms;
	struct slot slots[SLOTS];
};

struct ratelimit *ratelimit_new(int limit, int64_t window_ms)
{
	struct ratelimit *rl = xcalloc(1, sizeof *rl);
	pthread_mutex_init(&rl->lock, NULL);
	rl->limit = limit;
	rl->window_ms = window_ms;
	return rl;
}

void ratelimit_free(struct ratelimit **rl)
{
	if (!*rl)
		return;
	pthread_mutex_destroy(&(*rl)->lock);
	free(*rl);
	*rl = NULL;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

bool ratelimit_allow(struct ratelimit *rl, const char *key, int64_t now_ms)
{
	char k[KEY_MAX];
	snprintf(k, sizeof k, "%s", key);
	pthread_mutex_lock(&rl->lock);
	size_t start = (size_t)(hash(k) % SLOTS);
	struct slot *found = NULL, *victim = NULL;
	/* Look for the key in a short run of slots; else take the run's oldest window. */
	for (size_t i = 0; i < 16 && !found; i++) {
		struct slot *s = &rl->slots[(start + i) % SLOTS];
		if (strcmp(s->key, k) == 0)
			found = s;
		else if (!victim || s->window_start < victim->window_start || s->key[0] == '\0')
			victim = victim && victim->key[0] == '\0' ? victim : s;
	}
	if (!found) {
		found = victim;
		snprintf(found->key, sizeof found->key, "%s", k);
		found->window_start = now_ms;
		found->count = 0;
	}
	if (now_ms - found->window_start >= rl->window_ms) {
		found->window_start = now_ms;
		found->count = 0;
	}
	bool ok = found->count < rl->limit;
	if (ok)
		found->count++;
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
