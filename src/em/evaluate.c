/* evaluate.c — PLACEHOLDER (issue 7, owner: evaluate). */
#include "em/evaluate.h"

#include <stdlib.h>

struct em_eval {
	int unused;
};

struct em_eval *em_eval_new(void) { return calloc(1, sizeof(struct em_eval)); }
void em_eval_free(struct em_eval **ev) { free(*ev); *ev = NULL; }
void em_eval_invalidate(struct em_eval *ev) { (void)ev; }
enum db_status em_eval_batch(struct em_eval *ev, db *conn, const struct stored_fix *fixes, size_t n, int64_t now,
                             long *raised_r)
{ (void)ev; (void)conn; (void)fixes; (void)n; (void)now; *raised_r = 0; return DB_OK; }
enum db_status em_silence_job(db *conn, int64_t now, long *raised_r) { (void)conn; (void)now; *raised_r = 0; return DB_OK; }
