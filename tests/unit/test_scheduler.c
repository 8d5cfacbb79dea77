/*
 * test_scheduler.c — the scheduler's slot arithmetic, and runs on a migrated
 * SQLite database: each due job runs once per slot, nothing runs twice for a
 * slot, a clock jump runs one slot (no catch-up), and the recorded runs
 * match what the calls report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "engine/scheduler.h"
#include "store/db.h"
#include "testdb.h"

static void next_slot_is_the_first_after_now(void **state)
{
	(void)state;
	/* Due at its slot: the next one. */
	assert_int_equal(scheduler_next_slot(1000, 100, 1000), 1100);
	/* Late by less than an interval. */
	assert_int_equal(scheduler_next_slot(1000, 100, 1099), 1100);
	/* Exactly on a later slot: that slot has come, the next is after it. */
	assert_int_equal(scheduler_next_slot(1000, 100, 1100), 1200);
	/* A clock jump of many intervals: no catch-up, the first slot after now, on the grid. */
	assert_int_equal(scheduler_next_slot(0, 300000, 1795961701000), 1795962000000);
	assert_int_equal(scheduler_next_slot(1000, 100, 1000000 + 57), 1000100);
	/* Not yet due (a caller never asks, but the answer stays on the grid). */
	assert_int_equal(scheduler_next_slot(1000, 100, 500), 1100);
}

static struct testdb tdb;

static int setup(void **state)
{
	(void)state;
	return testdb_open(&tdb, "kadam-sched");
}

static int teardown(void **state)
{
	(void)state;
	return testdb_close(&tdb);
}

static int64_t count(const char *sql)
{
	db *conn = NULL;
	assert_int_equal(db_pool_acquire(tdb.pool, 5000, &conn), DB_OK);
	db_stmt *st = NULL;
	assert_int_equal(db_query(conn, &st, sql, ""), DB_OK);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	db_finalize(&st);
	db_pool_release(tdb.pool, &conn);
	return n;
}

static void each_slot_runs_once(void **state)
{
	(void)state;
	/* A time one second after a five-minute boundary. */
	int64_t t = 1795962000000 + 1000;
	struct scheduler_run runs[8];
	int ran = -1;
	assert_int_equal(scheduler_run_due_list(tdb.pool, "test/1/1", t, runs, 8, &ran), DB_OK);
	assert_int_equal(ran, 5); /* every job: their slot 0 has been due since the migrations */
	for (int i = 0; i < ran; i++) {
		assert_true(runs[i].ok);
		assert_int_equal(runs[i].slot_at, 0);
	}
	/* Again at the same time: nothing is due. */
	assert_int_equal(scheduler_run_due_list(tdb.pool, "test/1/1", t, runs, 8, &ran), DB_OK);
	assert_int_equal(ran, 0);
	/* A minute later: the next slot of the jobs that run every minute (escalation, fix compaction, silence). */
	assert_int_equal(scheduler_run_due_list(tdb.pool, "test/2/2", t + 60000, runs, 8, &ran), DB_OK);
	assert_int_equal(ran, 3);
	int escalate = -1;
	for (int i = 0; i < ran; i++) {
		assert_int_equal(runs[i].slot_at, 1795962060000);
		assert_true(strcmp(runs[i].job, "alerts.escalate") == 0 || strcmp(runs[i].job, "em.compact") == 0 ||
		            strcmp(runs[i].job, "em.silence") == 0);
		if (strcmp(runs[i].job, "alerts.escalate") == 0)
			escalate = i;
	}
	assert_true(escalate >= 0);
	assert_non_null(strstr(runs[escalate].detail, "\"escalated\":0"));
	/* Three days later: one run each, not one per skipped slot. */
	int64_t later = t + 3 * 86400000LL;
	assert_int_equal(scheduler_run_due_list(tdb.pool, "test/2/2", later, runs, 8, &ran), DB_OK);
	assert_int_equal(ran, 5);
	assert_int_equal(count("SELECT COUNT(*) FROM job_run"), 13);
	assert_int_equal(count("SELECT COUNT(*) FROM job_run WHERE status = 'ok'"), 13);
	assert_int_equal(count("SELECT MIN(next_run_at) FROM job"), later - 1000 + 60000);
	assert_int_equal(count("SELECT COUNT(*) FROM job WHERE last_server = 'test/2/2' AND last_status = 'ok'"), 5);
	/* The plain entry point runs nothing more at that time. */
	assert_int_equal(scheduler_run_due(tdb.pool, "test/3/3", later, &ran), DB_OK);
	assert_int_equal(ran, 0);
}

static void server_name_names_this_process(void **state)
{
	(void)state;
	const char *name = scheduler_server_name();
	char pid[32];
	snprintf(pid, sizeof pid, "/%ld/", (long)getpid());
	assert_non_null(strstr(name, pid));
	assert_ptr_equal(name, scheduler_server_name());
}

static void no_thread_without_a_tick(void **state)
{
	(void)state;
	struct scheduler *s = scheduler_start(tdb.pool, 0);
	assert_null(s);
	scheduler_stop(&s);
	s = scheduler_start(tdb.pool, 3600);
	assert_non_null(s);
	scheduler_stop(&s); /* wakes and joins at once */
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(next_slot_is_the_first_after_now),
		cmocka_unit_test(each_slot_runs_once),
		cmocka_unit_test(server_name_names_this_process),
		cmocka_unit_test(no_thread_without_a_tick),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
