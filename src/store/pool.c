/*
 * pool.c — a fixed set of connections shared by threads.
 *
 * All connections are opened at start, so a misconfigured database fails the
 * start-up rather than the first request, and the server never holds more
 * connections than it was told to. A thread borrows one with acquire and
 * gives it back with release; a connection is used by one thread at a time,
 * which is what lets the SQLite driver run without its own mutexes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "store/db_impl.h"

/*
 * The pool. Owns every connection in conns; idle holds the ones not handed
 * out (a stack, so the most recently used, warmest connection goes first).
 * All fields below the lock are guarded by it.
 */
struct db_pool {
	const struct db_driver *driver; /* of every connection; set at open, read-only after */
	int size;                       /* connections in conns */
	db **conns;                     /* all connections; owned */
	pthread_mutex_t lock;
	pthread_cond_t freed;  /* signalled when a connection returns to idle */
	db **idle;             /* connections free to hand out (not owned: the same handles as conns) */
	int idle_count;        /* entries used in idle */
	struct db_pool_stats stats; /* size and in_use kept current; counters only grow */
};

static bool is_memory_url(const char *url)
{
	return strcmp(url, "sqlite::memory:") == 0;
}

static void close_all(db **conns, int count)
{
	for (int i = 0; i < count; i++)
		db_close(&conns[i]);
}

/* Waits on a monotonic clock, so a change of the wall clock cannot stretch a timeout. */
static void init_sync(db_pool *pool)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&pool->freed, &attr);
	pthread_condattr_destroy(&attr);
	pthread_mutex_init(&pool->lock, NULL);
}

enum db_status db_pool_open(const char *url, int size, db_pool **pool_r, char **error_r)
{
	*pool_r = NULL;
	if (error_r)
		*error_r = NULL;
	char *error = NULL;
	if (size < 1 || size > 1024)
		error = xasprintf("pool size %d is out of range 1..1024", size);
	else if (url && is_memory_url(url) && size > 1)
		/* Each :memory: connection would be a separate, empty database. */
		error = xstrdup("a pool of sqlite::memory: connections must have size 1");
	if (error) {
		if (error_r)
			*error_r = error;
		else
			free(error);
		return DB_MISUSE;
	}
	db **conns = xcalloc((size_t)size, sizeof(*conns));
	for (int i = 0; i < size; i++) {
		enum db_status status = db_open(url, &conns[i], error_r);
		if (status != DB_OK) {
			close_all(conns, i);
			free(conns);
			return status;
		}
	}
	db_pool *pool = xcalloc(1, sizeof(*pool));
	pool->driver = db_driver_of(conns[0]);
	pool->size = size;
	pool->conns = conns;
	pool->idle = xcalloc((size_t)size, sizeof(*pool->idle));
	for (int i = 0; i < size; i++)
		pool->idle[i] = conns[size - 1 - i];
	pool->idle_count = size;
	pool->stats.size = size;
	init_sync(pool);
	*pool_r = pool;
	return DB_OK;
}

/* Every connection must be released first; one still out is a bug in the caller. */
void db_pool_close(db_pool **poolp)
{
	db_pool *pool = *poolp;
	*poolp = NULL;
	if (!pool)
		return;
	if (pool->stats.in_use > 0)
		log_error("closing a database pool with %d connections still in use", pool->stats.in_use);
	close_all(pool->conns, pool->size);
	pthread_cond_destroy(&pool->freed);
	pthread_mutex_destroy(&pool->lock);
	free(pool->conns);
	free(pool->idle);
	free(pool);
}

static struct timespec deadline_after(int timeout_ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* With the lock held: waits for an idle connection; false on timeout. timeout_ms < 0 waits forever. */
static bool wait_for_idle(db_pool *pool, int timeout_ms)
{
	if (pool->idle_count > 0)
		return true;
	pool->stats.waited++;
	struct timespec deadline = deadline_after(timeout_ms > 0 ? timeout_ms : 0);
	while (pool->idle_count == 0) {
		if (timeout_ms < 0) {
			pthread_cond_wait(&pool->freed, &pool->lock);
		} else if (pthread_cond_timedwait(&pool->freed, &pool->lock, &deadline) == ETIMEDOUT) {
			if (pool->idle_count > 0)
				break;
			pool->stats.timed_out++;
			return false;
		}
	}
	return true;
}

enum db_status db_pool_acquire(db_pool *pool, int timeout_ms, db **db_r)
{
	*db_r = NULL;
	pthread_mutex_lock(&pool->lock);
	if (!wait_for_idle(pool, timeout_ms)) {
		pthread_mutex_unlock(&pool->lock);
		return DB_BUSY;
	}
	db *conn = pool->idle[--pool->idle_count];
	pool->stats.in_use++;
	pool->stats.acquired++;
	pthread_mutex_unlock(&pool->lock);
	/* Outside the lock: a reconnect may take a while. A failure shows on first use. */
	if (conn->broken)
		db_ping(conn);
	*db_r = conn;
	return DB_OK;
}

static bool owns(const db_pool *pool, const db *conn)
{
	for (int i = 0; i < pool->size; i++) {
		if (pool->conns[i] == conn)
			return true;
	}
	return false;
}

static bool is_idle(const db_pool *pool, const db *conn)
{
	for (int i = 0; i < pool->idle_count; i++) {
		if (pool->idle[i] == conn)
			return true;
	}
	return false;
}

/* The next borrower must start clean, whatever the last one forgot. */
static void clean_for_reuse(db *conn)
{
	if (conn->in_transaction) {
		log_warn("database connection returned to the pool inside a transaction; rolling back");
		if (db_rollback(conn) != DB_OK)
			log_warn("rollback on release failed: %s", db_errmsg(conn));
	}
	conn->tx_failed = false;
}

void db_pool_release(db_pool *pool, db **dbp)
{
	db *conn = dbp ? *dbp : NULL;
	if (!conn)
		return;
	*dbp = NULL;
	if (!owns(pool, conn)) {
		log_error("db_pool_release: connection does not belong to this pool");
		return;
	}
	pthread_mutex_lock(&pool->lock);
	bool twice = is_idle(pool, conn);
	pthread_mutex_unlock(&pool->lock);
	if (twice) {
		/* Cleaning it now could roll back whoever acquired it since. */
		log_error("db_pool_release: connection released twice");
		return;
	}
	/* Outside the lock: a rollback is a round trip. Not idle, so nobody else can take it. */
	clean_for_reuse(conn);
	pthread_mutex_lock(&pool->lock);
	pool->idle[pool->idle_count++] = conn;
	pool->stats.in_use--;
	pthread_cond_signal(&pool->freed);
	pthread_mutex_unlock(&pool->lock);
}

const struct db_driver *db_pool_driver(const db_pool *pool)
{
	return pool->driver;
}

void db_pool_stats(db_pool *pool, struct db_pool_stats *stats_r)
{
	pthread_mutex_lock(&pool->lock);
	*stats_r = pool->stats;
	pthread_mutex_unlock(&pool->lock);
}
