/*
 * config.h — Kadam's settings, from defaults, a file, KADAM_* environment
 * variables and command-line flags, in that order (later wins).
 *
 * Every setting is one row of a table in config.c (name, type, limits), so a
 * file key, an environment variable and a flag go through the same check and
 * an unknown name or a bad value is an error that names it.
 */
#ifndef KADAM_BASE_CONFIG_H
#define KADAM_BASE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/log.h"

/* Owned strings are malloc'd and freed by config_free(). */
struct config {
	char *listen;                   /* HOST:PORT the HTTP server binds */
	char *db;                       /* database URL: sqlite:PATH or postgresql://... */
	char *ui_dir;                   /* folder with the built browser UI */
	int log_level;                  /* enum log_level */
	long max_body_bytes;            /* request bodies above this get 413 */
	long max_connections;           /* concurrent connections in all */
	long max_connections_per_ip;    /* concurrent connections from one address */
	long connection_memory_bytes;   /* per-connection buffer for headers */
	long connection_timeout_s;      /* idle connections are closed after this */
	long db_pool_size;              /* database connections shared by requests */
	long shutdown_grace_s;          /* how long SIGTERM waits for requests */
	long client_errors_per_minute;  /* browser error reports accepted per address */
	long login_attempts_per_minute; /* login attempts accepted per address */
	char *audit_key_file;           /* Ed25519 key for log checkpoints; "" for none */
	long audit_checkpoint_interval_s; /* how often serve signs a checkpoint */
	long scheduler_tick_s;          /* how often serve runs the due jobs; 0: only when asked (POST .../jobs/run) */
	long clock_control;             /* 1: PUT /api/v1/system/clock sets the clock (tests); 0: that route is 404 */
	char *em_gt06_listen;           /* HOST:PORT for GT06 devices; "" for none */
	char *em_teltonika_listen;      /* HOST:PORT for Teltonika devices; "" for none */
	long em_max_connections;        /* concurrent device TCP connections */
	long em_idle_timeout_s;         /* silent device connections are closed after this */
	long em_queue_max;              /* fixes waiting for the ingest writer at most */
	char *map_tile_url;             /* the UI's map tiles, https://HOST/{z}/{x}/{y}.png; "" for none */
};

/* Fills cfg with the defaults. */
void config_init(struct config *cfg);
void config_free(struct config *cfg);

/*
 * Sets one key from text. source names where it came from for the message
 * ("kadam.conf:3", "KADAM_LISTEN", "--listen"). On error returns false and
 * *error_r gets a malloc'd message naming the source, the key and the problem.
 */
bool config_set(struct config *cfg, const char *key, const char *value, const char *source,
                char **error_r);
/* Reads "key = value" lines; '#' starts a comment; blank lines are ignored. */
bool config_load_file(struct config *cfg, const char *path, char **error_r);
/* Parses file text directly (path is only used in messages). */
bool config_load_text(struct config *cfg, const char *text, size_t len, const char *path,
                      char **error_r);
/* Applies KADAM_<KEY> variables from envp; an unknown KADAM_ variable is an error. */
bool config_load_env(struct config *cfg, char *const *envp, char **error_r);
/* Names of all keys, NULL-terminated (for --help and docs). */
const char *const *config_keys(void);
/* The origin (scheme://host[:port]) of a map tile URL template into origin (NULL: only check); false when the
 * template is not an http(s) URL with {z}, {x} and {y} or holds characters that could break a header. */
bool config_tile_origin(const char *url, char *origin, size_t cap);
/* Splits "HOST:PORT" ("[::1]:8080" too); host_r is malloc'd. */
bool config_parse_listen(const char *value, char **host_r, int *port_r);

#endif
