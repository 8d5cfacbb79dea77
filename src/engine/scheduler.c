/*
 * scheduler.c — jobs that run on time, each slot exactly once across every
 * `kadam serve` sharing a database (see scheduler.h).
 *
 * A job row holds the start of its next slot (next_run_at). Running a due job
 * is one transaction: claim the row, run the job's function in the same
 * transaction, insert the job_run row for the claimed slot, move next_run_at
 * to the first slot after now, commit.
 *
 * Claiming: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED` with the
 * condition next_run_at <= now; a row another server holds is skipped, a row
 * another server has already moved on no longer matches. On SQLite
 * db_begin() is BEGIN IMMEDIATE, so the transaction holds the database's
 * write lock before it reads: the read and the update of any two servers are
 * serialised. Either way two transactions cannot both see the same
 * next_run_at as due and both commit; and job_run's primary key (job,
 * slot_at) refuses a second row for a slot even if they could.
 *
 * A failed job rolls back everything it did; a second transaction claims
 * the same slot again (next_run_at must still equal it) and records the
 * failure, so a failed slot is not retried in a storm but the next one runs.
 */
#include "engine/scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/alerts.h"
#include "domain/em_holds.h"
#include "domain/settings.h"
#include "em/evaluate.h"
#include "em/fixstore.h"
#include "engine/rules.h"

/* ---- the jobs --------------------------------------------------------- */

typedef enum db_status (*job_fn)(db *conn, int64_t now, char *detail, size_t cap);

static enum db_status job_rules(db *conn, int64_t now, char *detail, size_t cap)
{
	struct rules_stats st = {0};
	enum db_status rc = rules_run(conn, now, &st);
	if (rc == DB_OK)
		snprintf(detail, cap, "{\"evaluated\":%ld,\"raised\":%ld}", st.evaluated, st.raised);
	return rc;
}

static enum db_status job_escalate(db *conn, int64_t now, char *detail, size_t cap)
{
	long n = 0;
	enum db_status rc = alerts_escalate(conn, now, &n);
	if (rc == DB_OK)
		snprintf(detail, cap, "{\"escalated\":%ld}", n);
	return rc;
}

/* Moves the fix inbox into per-device chunks (fixstore.h). */
static enum db_status job_em_compact(db *conn, int64_t now, char *detail, size_t cap)
{
	(void)now;
	long n = 0;
	enum db_status rc = fixstore_compact(conn, &n);
	if (rc == DB_OK)
		snprintf(detail, cap, "{\"moved\":%ld}", n);
	return rc;
}

/* Silent devices (evaluate.h). */
static enum db_status job_em_silence(db *conn, int64_t now, char *detail, size_t cap)
{
	long n = 0;
	enum db_status rc = em_silence_job(conn, now, &n);
	if (rc == DB_OK)
		snprintf(detail, cap, "{\"raised\":%ld}", n);
	return rc;
}

/* S12: locations older than em.retention_days are erased, except the days an alert holds as evidence or a live
 * police request holds (ended requests' holds are released first). */
static enum db_status job_em_retention(db *conn, int64_t now, char *detail, size_t cap)
{
	long days = 0, n = 0;
	enum db_status rc = setting_number(conn, "em.retention_days", &days);
	if (rc == DB_OK && !em_police_release_holds(conn, now))
		rc = DB_ERROR;
	if (rc == DB_OK)
		rc = fixstore_erase_before(conn, now - (int64_t)days * 86400000, &n);
	if (rc == DB_OK)
		snprintf(detail, cap, "{\"retention_days\":%ld,\"erased\":%ld}", days, n);
	return rc;
}

static const struct {
	const char *name;
	job_fn run;
} jobs[] = {
	{"compliance.rules", job_rules},
	{"alerts.escalate", job_escalate},
	{"em.compact", job_em_compact},
	{"em.silence", job_em_silence},
	{"em.retention", job_em_retention},
};

static job_fn job_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
		if (strcmp(jobs[i].name, name) == 0)
			return jobs[i].run;
	return NULL;
}

/* ---- slots ------------------------------------------------------------ */

int64_t scheduler_next_slot(int64_t slot, int64_t interval_ms, int64_t now)
{
	if (interval_ms <= 0)
		return now + 1;
	if (now < slot)
		return slot + interval_ms;
	/* The first slot after now: no catch-up runs for slots a clock jump or a long stop skipped. */
	int64_t k = (now - slot) / interval_ms + 1;
	return slot + k * interval_ms;
}

/* ---- claiming and running one job ------------------------------------ */

/*
 * Claims job `name` in the open transaction: its row when due at now (and,
 * when slot_only >= 0, only when its slot is still that one). 1 claimed
 * (*slot_r, *interval_r), 0 not due or held by another server, -1 error.
 */
static int claim(db *conn, const char *name, int64_t now, int64_t slot_only, int64_t *slot_r, int64_t *interval_r)
{
	bool skip_locked = (db_driver_of(conn)->flags & DB_DRIVER_FLAG_SKIP_LOCKED) != 0;
	const char *sql = skip_locked
		? "SELECT next_run_at, interval_s FROM job WHERE name = ? AND next_run_at <= ?"
		  " AND (CAST(? AS BIGINT) < 0 OR next_run_at = ?) FOR UPDATE SKIP LOCKED"
		: "SELECT next_run_at, interval_s FROM job WHERE name = ? AND next_run_at <= ?"
		  " AND (CAST(? AS BIGINT) < 0 OR next_run_at = ?)";
	db_stmt *st = NULL;
	if (db_query(conn, &st, sql, "tiii", name, now, slot_only, slot_only) != DB_OK)
		return -1;
	enum db_status rc = db_step(st);
	if (rc == DB_ROW) {
		*slot_r = db_column_int64(st, 0);
		*interval_r = db_column_int64(st, 1);
	}
	db_finalize(&st);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* Records the run of a claimed slot and moves the job on, in the open transaction. */
static enum db_status record(db *conn, const char *name, int64_t slot, int64_t interval_s, int64_t now,
                             const char *server, int64_t started, bool ok, const char *detail)
{
	int64_t finished = clock_now_ms();
	const char *status = ok ? "ok" : "failed";
	enum db_status rc = db_run(conn, NULL,
	                           "INSERT INTO job_run (job, slot_at, server, started_at, finished_at, status, detail)"
	                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
	                           "titiitt", name, slot, server, started, finished, status, detail);
	if (rc != DB_OK)
		return rc;
	int64_t changed = 0;
	rc = db_run(conn, &changed,
	            "UPDATE job SET next_run_at = ?, last_run_at = ?, last_server = ?, last_status = ?, last_detail = ?"
	            " WHERE name = ? AND next_run_at = ?",
	            "iitttti", scheduler_next_slot(slot, interval_s * 1000, now), started, server, status, detail, name,
	            slot);
	if (rc == DB_OK && changed != 1)
		rc = DB_CONSTRAINT; /* cannot happen while the row is claimed; never commit a run that did not move the job */
	return rc;
}

static void fields_log(enum log_level level, const char *msg, const char *name, int64_t slot, const char *server,
                       const char *detail)
{
	struct buf f = {0};
	buf_puts(&f, ",\"job\":");
	buf_json_string(&f, name);
	buf_printf(&f, ",\"slot_at\":%lld,\"server\":", (long long)slot);
	buf_json_string(&f, server);
	buf_puts(&f, ",\"detail\":");
	buf_puts(&f, detail && *detail ? detail : "{}");
	log_line(level, msg, f.data);
	buf_free(&f);
}

/*
 * Runs job `name` if it is due at now. 1 ran (out filled), 0 nothing to run
 * (not due, or another server has it), -1 a database error before anything
 * could be recorded.
 */
static int run_one(db *conn, const char *name, const char *server, int64_t now, struct scheduler_run *out)
{
	if (db_begin(conn) != DB_OK)
		return -1;
	int64_t slot = 0, interval = 0;
	int claimed = claim(conn, name, now, -1, &slot, &interval);
	if (claimed <= 0) {
		db_rollback(conn);
		return claimed;
	}
	int64_t started = clock_now_ms();
	char detail[SCHEDULER_DETAIL_LEN] = "{}";
	job_fn fn = job_lookup(name);
	enum db_status rc = fn ? fn(conn, now, detail, sizeof detail) : DB_MISUSE;
	if (rc == DB_OK && (rc = record(conn, name, slot, interval, now, server, started, true, detail)) == DB_OK &&
	    (rc = db_commit(conn)) == DB_OK) {
		snprintf(out->job, sizeof out->job, "%.63s", name);
		out->slot_at = slot;
		out->ok = true;
		snprintf(out->detail, sizeof out->detail, "%s", detail);
		fields_log(LOG_INFO, "job ran", name, slot, server, detail);
		return 1;
	}
	/* The job failed: undo all it did, then record the failure for the same slot if it is still ours to record. */
	struct buf why = {0};
	buf_puts(&why, "{\"error\":");
	buf_json_string(&why, fn ? db_errmsg(conn) : "no such job in this server");
	buf_puts(&why, "}");
	snprintf(detail, sizeof detail, "%s", why.len < sizeof detail ? why.data : "{\"error\":\"failed\"}");
	buf_free(&why);
	if (db_in_transaction(conn))
		db_rollback(conn);
	fields_log(LOG_ERROR, "job failed", name, slot, server, detail);
	if (db_begin(conn) != DB_OK)
		return -1;
	int64_t again = 0;
	claimed = claim(conn, name, now, slot, &again, &interval);
	if (claimed <= 0) {
		db_rollback(conn);
		return claimed; /* another server ran or is running the slot */
	}
	if (record(conn, name, slot, interval, now, server, started, false, detail) != DB_OK || db_commit(conn) != DB_OK) {
		if (db_in_transaction(conn))
			db_rollback(conn);
		return -1;
	}
	snprintf(out->job, sizeof out->job, "%.63s", name);
	out->slot_at = slot;
	out->ok = false;
	snprintf(out->detail, sizeof out->detail, "%s", detail);
	return 1;
}

/* The names of the jobs due at now (at most max), read without a lock; claiming decides. */
static int due_jobs(db *conn, int64_t now, char names[][64], int max)
{
	db_stmt *st = NULL;
	if (db_query(conn, &st, "SELECT name FROM job WHERE next_run_at <= ? ORDER BY name", "i", now) != DB_OK)
		return -1;
	int n = 0;
	enum db_status rc;
	while ((rc = db_step(st)) == DB_ROW) {
		const char *name = db_column_text(st, 0, NULL);
		if (n < max && name && strlen(name) < 64)
			snprintf(names[n++], 64, "%s", name);
	}
	db_finalize(&st);
	return rc == DB_DONE ? n : -1;
}

#define MAX_JOBS 32

enum db_status scheduler_run_due_list(db_pool *pool, const char *server, int64_t now, struct scheduler_run *runs,
                                      int max, int *ran_r)
{
	if (ran_r)
		*ran_r = 0;
	db *conn = NULL;
	enum db_status rc = db_pool_acquire(pool, 30000, &conn);
	if (rc != DB_OK)
		return rc;
	char names[MAX_JOBS][64];
	int n = due_jobs(conn, now, names, MAX_JOBS);
	if (n < 0) {
		log_error("scheduler: reading the due jobs: %s", db_errmsg(conn));
		db_pool_release(pool, &conn);
		return DB_ERROR;
	}
	int ran = 0;
	rc = DB_OK;
	for (int i = 0; i < n; i++) {
		struct scheduler_run one = {0};
		int r = run_one(conn, names[i], server, now, &one);
		if (r < 0) {
			log_error("scheduler: job %s: %s", names[i], db_errmsg(conn));
			rc = DB_ERROR;
			continue;
		}
		if (r == 0)
			continue;
		if (runs && ran < max)
			runs[ran] = one;
		ran++;
	}
	db_pool_release(pool, &conn);
	if (ran_r)
		*ran_r = ran;
	return rc;
}

enum db_status scheduler_run_due(db_pool *pool, const char *server, int64_t now, int *ran_r)
{
	return scheduler_run_due_list(pool, server, now, NULL, 0, ran_r);
}

/* ---- this process's name --------------------------------------------- */

static pthread_once_t name_once = PTHREAD_ONCE_INIT;
static char server_name[160];

static void name_init(void)
{
	char host[64] = "";
	if (gethostname(host, sizeof host) != 0 || !host[0])
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	snprintf(server_name, sizeof server_name, "%s/%ld/%lld", host, (long)getpid(), (long long)clock_now_ms());
}

const char *scheduler_server_name(void)
{
	pthread_once(&name_once, name_init);
	return server_name;
}

/* ---- the background thread ------------------------------------------- */

struct scheduler {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	db_pool *pool;
	long tick_s;
};

static void *scheduler_main(void *arg)
{
	struct scheduler *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->tick_s;
		while (!s->stop && pthread_cond_timedwait(&s->wake, &s->lock, &until) != ETIMEDOUT)
			;
		if (s->stop)
			break;
		pthread_mutex_unlock(&s->lock);
		int ran = 0;
		if (scheduler_run_due(s->pool, scheduler_server_name(), clock_now_ms(), &ran) != DB_OK)
			log_warn("scheduler: some due jobs could not run; they stay due");
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct scheduler *scheduler_start(db_pool *pool, long tick_s)
{
	scheduler_server_name();
	if (tick_s <= 0)
		return NULL;
	struct scheduler *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->pool = pool;
	s->tick_s = tick_s;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0) {
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		log_error("scheduler: cannot start its thread");
		return NULL;
	}
	log_info("scheduler: due jobs run every %ld s as %s", tick_s, scheduler_server_name());
	return s;
}

void scheduler_stop(struct scheduler **sp)
{
	struct scheduler *s = *sp;
	*sp = NULL;
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
