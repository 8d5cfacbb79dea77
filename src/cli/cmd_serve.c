#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "cli/cli.h"
#include "domain/catalogue.h"
#include "domain/instrument.h"
#include "em/ingest.h"
#include "em/listener.h"
#include "engine/scheduler.h"
#include "http/router.h"
#include "http/server.h"

static const char usage[] =
	"usage: kadam serve [--listen HOST:PORT] [--db URL] [--config FILE] [--ui-dir DIR]\n"
	"\n"
	"Runs the HTTP server: the JSON API under /api/v1 and the browser UI.\n"
	"Applies pending database migrations first, and refuses a database whose\n"
	"schema is newer than this program.\n"
	"\n"
	"  --listen HOST:PORT  address to listen on (default 127.0.0.1:8080)\n"
	"  --db URL            sqlite:PATH or postgresql://... (default sqlite:var/kadam.db)\n"
	"  --config FILE       a file of `key = value` settings\n"
	"  --ui-dir DIR        the built browser UI (default web/dist)\n"
	"\n"
	"Settings come from the defaults, then the file, then KADAM_<KEY> environment\n"
	"variables, then flags. Keys: listen, db, ui_dir, log_level, max_body_bytes,\n"
	"max_connections, max_connections_per_ip, connection_memory_bytes,\n"
	"connection_timeout_s, db_pool_size, shutdown_grace_s, client_errors_per_minute,\n"
	"login_attempts_per_minute, audit_key_file, audit_checkpoint_interval_s,\n"
	"scheduler_tick_s, clock_control, em_gt06_listen, em_teltonika_listen, em_max_connections,\n"
	"em_idle_timeout_s, em_queue_max, map_tile_url.\n";

/* Flags are collected first so the file and environment can be applied before them. */
struct serve_flags {
	const char *listen, *db, *config, *ui_dir;
};

static int parse_flags(int argc, char **argv, struct serve_flags *f)
{
	static const struct option options[] = {
		{"listen", required_argument, NULL, 'l'}, {"db", required_argument, NULL, 'd'},
		{"config", required_argument, NULL, 'c'}, {"ui-dir", required_argument, NULL, 'u'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	optind = 1;
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case 'l': f->listen = optarg; break;
		case 'd': f->db = optarg; break;
		case 'c': f->config = optarg; break;
		case 'u': f->ui_dir = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_usage_error("serve", usage, "unknown option or missing value");
		}
	}
	if (optind < argc)
		return cli_usage_error("serve", usage, "unexpected argument");
	return -1;
}

/*
 * Signs a checkpoint of the processing log every audit_checkpoint_interval_s
 * (S11) with a key that lives in a file, not in the database. Owned by run().
 */
struct checkpointer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	db_pool *pool;
	long interval_s;
	unsigned char key[crypto_sign_SECRETKEYBYTES];
};

static void checkpoint_once(struct checkpointer *c)
{
	db *conn = NULL;
	if (db_pool_acquire(c->pool, 30000, &conn) != DB_OK) {
		log_warn("log checkpoint skipped: no database connection");
		return;
	}
	int64_t seq = 0;
	if (audit_checkpoint(conn, c->key, &seq) != DB_OK)
		log_error("log checkpoint failed: %s", audit_errmsg());
	else if (seq)
		log_info("processing log checkpoint signed at entry %lld", (long long)seq);
	db_pool_release(c->pool, &conn);
}

static void *checkpointer_main(void *arg)
{
	struct checkpointer *c = arg;
	pthread_mutex_lock(&c->lock);
	while (!c->stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += c->interval_s;
		while (!c->stop && pthread_cond_timedwait(&c->wake, &c->lock, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&c->lock);
		checkpoint_once(c); /* also once more at shutdown, so the last entries are signed */
		pthread_mutex_lock(&c->lock);
	}
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

static bool checkpointer_start(struct checkpointer *c, const struct config *cfg, db_pool *pool)
{
	*c = (struct checkpointer){.pool = pool, .interval_s = cfg->audit_checkpoint_interval_s};
	char *error = NULL;
	if (!audit_key_load(cfg->audit_key_file, c->key, &error)) {
		fprintf(stderr, "kadam: audit_key_file: %s\n", error ? error : "cannot load");
		free(error);
		return false;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	pthread_create(&c->thread, NULL, checkpointer_main, c);
	return true;
}

static void checkpointer_stop(struct checkpointer *c)
{
	pthread_mutex_lock(&c->lock);
	c->stop = true;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->wake);
	pthread_mutex_destroy(&c->lock);
	sodium_memzero(c->key, sizeof c->key);
}

static int run(struct config *cfg)
{
	char *error = NULL;
	if (!router_table_valid(routes, routes_count, &error)) {
		log_error("%s", error);
		free(error);
		return 1;
	}
	db *conn = cli_open_migrated(cfg, false);
	if (!conn)
		return 1;
	enum db_status shipped = catalogue_ensure_shipped(conn, clock_now_ms());
	if (shipped == DB_OK)
		shipped = instruments_ensure_shipped(conn, clock_now_ms());
	db_close(&conn);
	if (shipped != DB_OK)
		return 1;
	struct app app = {.cfg = cfg, .started_ms = clock_now_ms(), .clock_control = cfg->clock_control == 1,
	                  .server_name = scheduler_server_name()};
	if (db_pool_open(cfg->db, (int)cfg->db_pool_size, &app.pool, &error) != DB_OK) {
		fprintf(stderr, "kadam: cannot open database %s: %s\n", cfg->db, error ? error : "");
		free(error);
		return 1;
	}
	app.metrics = metrics_new(routes_count);
	app.client_errors = ratelimit_new((int)cfg->client_errors_per_minute, 60000);
	app.login_attempts = ratelimit_new((int)cfg->login_attempts_per_minute, 60000);
	struct checkpointer checkpoints;
	bool signing = cfg->audit_key_file[0] != '\0';
	int status = 1;
	if (!signing || checkpointer_start(&checkpoints, cfg, app.pool)) {
		if (!signing)
			log_warn("audit_key_file is not set: the processing log is chained but no checkpoints are signed");
		/* Due jobs run on a thread of their own next to the checkpoints (none when scheduler_tick_s is 0). */
		struct scheduler *scheduler = scheduler_start(app.pool, cfg->scheduler_tick_s);
		/* Device fixes: one writer thread (group commit, then evaluation), and the TCP listeners feeding it. */
		app.ingest = ingest_start(app.pool, (size_t)cfg->em_queue_max);
		if (app.ingest && (cfg->em_gt06_listen[0] || cfg->em_teltonika_listen[0]))
			app.em_listeners = em_listeners_start(app.ingest, cfg->em_gt06_listen, cfg->em_teltonika_listen,
			                                      cfg->em_max_connections, cfg->em_idle_timeout_s);
		if (app.ingest && (app.em_listeners || !(cfg->em_gt06_listen[0] || cfg->em_teltonika_listen[0])))
			status = server_run(&app);
		else
			log_error("electronic monitoring could not start (see above)");
		if (app.em_listeners)
			em_listeners_stop(&app.em_listeners);
		if (app.ingest)
			ingest_stop(&app.ingest);
		scheduler_stop(&scheduler);
		if (signing)
			checkpointer_stop(&checkpoints);
	}
	ratelimit_free(&app.login_attempts);
	ratelimit_free(&app.client_errors);
	metrics_free(&app.metrics);
	db_pool_close(&app.pool);
	return status;
}

int cmd_serve(int argc, char **argv)
{
	struct serve_flags f = {0};
	int rc = parse_flags(argc, argv, &f);
	if (rc >= 0)
		return rc;
	/* Before any thread exists, so every thread inherits the mask and only sigwait sees them. */
	server_block_signals();
	struct config cfg;
	if (!cli_config(&cfg, f.config) || (f.listen && !cli_flag(&cfg, "listen", f.listen, "--listen")) ||
	    (f.db && !cli_flag(&cfg, "db", f.db, "--db")) ||
	    (f.ui_dir && !cli_flag(&cfg, "ui_dir", f.ui_dir, "--ui-dir"))) {
		config_free(&cfg);
		return 1;
	}
	int status = run(&cfg);
	config_free(&cfg);
	return status;
}
