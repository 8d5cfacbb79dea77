/* ingest.c — PLACEHOLDER (issue 7, owner: ingest). */
#include "em/ingest.h"

#include <stdlib.h>
#include <string.h>

struct ingest {
	int unused;
};

struct ingest *ingest_start(db_pool *pool, size_t max_queue)
{
	(void)pool; (void)max_queue;
	return calloc(1, sizeof(struct ingest));
}
void ingest_stop(struct ingest **ingest) { free(*ingest); *ingest = NULL; }
bool ingest_submit(struct ingest *ingest, const struct em_fix *fixes, size_t n, const char *protocol,
                   const char *peer, ingest_done_fn done, void *ctx)
{
	(void)ingest; (void)fixes; (void)n; (void)protocol; (void)peer; (void)done; (void)ctx;
	return false;
}
void ingest_submit_wait(struct ingest *ingest, const struct em_fix *fixes, size_t n, const char *protocol,
                        const char *peer, struct ingest_outcome *outcome_r)
{
	(void)ingest; (void)fixes; (void)n; (void)protocol; (void)peer;
	memset(outcome_r, 0, sizeof *outcome_r);
	outcome_r->result = INGEST_FAILED;
}
void ingest_rules_changed(struct ingest *ingest) { (void)ingest; }
void ingest_stats(struct ingest *ingest, struct ingest_stats *stats_r) { (void)ingest; memset(stats_r, 0, sizeof *stats_r); }
