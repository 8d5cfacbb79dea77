/*
 * app.h — the state one running `kadam serve` shares between its threads.
 * Created by cmd_serve.c, read by every handler through req->app.
 */
#ifndef KADAM_APP_H
#define KADAM_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/config.h"
#include "http/metrics.h"
#include "http/ratelimit.h"
#include "store/db.h"

struct ingest;
struct em_listeners;

struct app {
	const struct config *cfg;            /* owned by cmd_serve */
	db_pool *pool;                       /* owned by cmd_serve */
	struct metrics *metrics;             /* owned by cmd_serve */
	struct ratelimit *client_errors;     /* per-address limit on browser error reports */
	struct ratelimit *login_attempts;    /* per-address limit on login attempts (S20) */
	int64_t started_ms;                  /* when serve started, from the clock */
	bool clock_control;                  /* config clock_control: PUT /api/v1/system/clock may set the clock */
	const char *server_name;             /* this process in job_run: "host/pid/start-ms" (scheduler.h) */
	struct ingest *ingest;               /* the device-fix writer (em/ingest.h); owned by cmd_serve */
	struct em_listeners *em_listeners;   /* GT06 and Teltonika TCP listeners (em/listener.h), or NULL */
};

#endif
