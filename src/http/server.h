/*
 * server.h — the HTTP server: the only user of libmicrohttpd.
 */
#ifndef KADAM_HTTP_SERVER_H
#define KADAM_HTTP_SERVER_H

#include <stdbool.h>

struct app;

/*
 * Binds cfg->listen, serves until SIGTERM or SIGINT, then stops accepting,
 * lets in-flight requests finish (up to cfg->shutdown_grace_s) and returns 0.
 * Returns 1 when the server cannot start (the reason is logged).
 * The caller must have blocked SIGTERM and SIGINT in every thread
 * (server_block_signals) before starting any thread.
 */
int server_run(struct app *app);
/* Blocks SIGTERM, SIGINT and SIGPIPE in the calling thread (and so in threads it starts). */
void server_block_signals(void);

#endif
