/* PLACEHOLDER: the engine work (issue 6) writes the scheduler. */
#include "engine/scheduler.h"

#include <stddef.h>

enum db_status scheduler_run_due(db_pool *pool, const char *server, int64_t now, int *ran_r)
{
	(void)pool;
	(void)server;
	(void)now;
	if (ran_r)
		*ran_r = 0;
	return DB_OK;
}

struct scheduler *scheduler_start(db_pool *pool, long tick_s)
{
	(void)pool;
	(void)tick_s;
	return NULL;
}

void scheduler_stop(struct scheduler **s)
{
	*s = NULL;
}

const char *scheduler_server_name(void)
{
	return "";
}
