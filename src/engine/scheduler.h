/*
 * scheduler.h — jobs that run on time, exactly once across every `kadam
 * serve` sharing a database. A job row is claimed by locking it (FOR UPDATE
 * SKIP LOCKED on PostgreSQL; SQLite's write lock), the job runs in that same
 * transaction, and next_run_at moves on before the commit: a slot is run by
 * one server, and a crash mid-run rolls the whole run back. Time comes only
 * from the clock module.
 */
#ifndef KADAM_ENGINE_SCHEDULER_H
#define KADAM_ENGINE_SCHEDULER_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

struct buf;

/* Runs every job due at now, each once; *ran_r (may be NULL) counts runs. server names this process in job_run. */
enum db_status scheduler_run_due(db_pool *pool, const char *server, int64_t now, int *ran_r);

/* One run this process made: the job, the slot it claimed, and how it went. */
#define SCHEDULER_DETAIL_LEN 256
struct scheduler_run {
	char job[64];
	int64_t slot_at;
	bool ok;
	char detail[SCHEDULER_DETAIL_LEN]; /* JSON object: counts, or {"error": "..."} */
};
/*
 * The same, also filling runs[0..max) with what this call ran (POST
 * /api/v1/system/jobs/run answers it). Takes its own connection from the pool
 * for each job and gives it back before the next.
 */
enum db_status scheduler_run_due_list(db_pool *pool, const char *server, int64_t now, struct scheduler_run *runs,
                                      int max, int *ran_r);

/* The first slot after now of a job whose slot `slot` came due: slot + k * interval_ms, k >= 1, > now. */
int64_t scheduler_next_slot(int64_t slot, int64_t interval_ms, int64_t now);

/* The background thread of `kadam serve`: a tick every tick_s seconds (0: none; runs only on request). */
struct scheduler;
struct scheduler *scheduler_start(db_pool *pool, long tick_s);
void scheduler_stop(struct scheduler **s);

/* This process's name in job_run ("host/pid/start"). */
const char *scheduler_server_name(void);

#endif
