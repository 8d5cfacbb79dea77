#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

enum key_type { KEY_STRING, KEY_OPTIONAL_STRING, KEY_LONG, KEY_LISTEN, KEY_DB_URL, KEY_LOG_LEVEL, KEY_OPTIONAL_LISTEN,
                KEY_TILE_URL };

/* One settable key: where it lives in struct config and what it accepts. */
struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	long min, max; /* for KEY_LONG */
	const char *help;
};

#define KEY(n, t, lo, hi, h) {#n, t, offsetof(struct config, n), lo, hi, h}
static const struct key keys[] = {
	KEY(listen, KEY_LISTEN, 0, 0, "HOST:PORT to listen on"),
	KEY(db, KEY_DB_URL, 0, 0, "sqlite:PATH or postgresql://..."),
	KEY(ui_dir, KEY_STRING, 0, 0, "folder of the built browser UI"),
	KEY(log_level, KEY_LOG_LEVEL, 0, 0, "debug, info, warn or error"),
	KEY(max_body_bytes, KEY_LONG, 1024, 64L << 20, "largest request body"),
	KEY(max_connections, KEY_LONG, 1, 100000, "concurrent connections"),
	KEY(max_connections_per_ip, KEY_LONG, 1, 100000, "concurrent connections per address"),
	KEY(connection_memory_bytes, KEY_LONG, 8192, 16L << 20, "per-connection header memory"),
	KEY(connection_timeout_s, KEY_LONG, 1, 3600, "idle connection timeout"),
	KEY(db_pool_size, KEY_LONG, 1, 256, "database connections"),
	KEY(shutdown_grace_s, KEY_LONG, 0, 3600, "seconds SIGTERM waits for requests"),
	KEY(client_errors_per_minute, KEY_LONG, 0, 100000, "browser error reports per address"),
	KEY(login_attempts_per_minute, KEY_LONG, 1, 100000, "login attempts per address"),
	KEY(audit_key_file, KEY_OPTIONAL_STRING, 0, 0, "processing-log signing key file"),
	KEY(audit_checkpoint_interval_s, KEY_LONG, 10, 86400, "seconds between log checkpoints"),
	KEY(scheduler_tick_s, KEY_LONG, 0, 86400, "seconds between scheduler runs (0: only on request)"),
	KEY(clock_control, KEY_LONG, 0, 1, "1 lets an administrator set the clock (tests, simulations)"),
	KEY(em_gt06_listen, KEY_OPTIONAL_LISTEN, 0, 0, "HOST:PORT for GT06 devices over TCP (empty: none)"),
	KEY(em_teltonika_listen, KEY_OPTIONAL_LISTEN, 0, 0, "HOST:PORT for Teltonika devices over TCP (empty: none)"),
	KEY(em_max_connections, KEY_LONG, 1, 1000000, "concurrent device TCP connections"),
	KEY(em_idle_timeout_s, KEY_LONG, 10, 86400, "device TCP connections silent this long are closed"),
	KEY(em_queue_max, KEY_LONG, 1000, 10000000, "fixes waiting for the ingest writer at most (beyond: busy)"),
	KEY(map_tile_url, KEY_TILE_URL, 0, 0,
	    "map tiles for the UI, https://HOST/{z}/{x}/{y}.png (empty: maps draw without tiles)"),
};
#define NKEYS (sizeof keys / sizeof keys[0])

void config_init(struct config *cfg)
{
	*cfg = (struct config){
		.listen = xstrdup("127.0.0.1:8080"),
		.db = xstrdup("sqlite:var/kadam.db"),
		.ui_dir = xstrdup("web/dist"),
		.log_level = LOG_INFO,
		.max_body_bytes = 1L << 20,
		.max_connections = 1000,
		.max_connections_per_ip = 200,
		.connection_memory_bytes = 64L << 10,
		.connection_timeout_s = 30,
		.db_pool_size = 8,
		.shutdown_grace_s = 30,
		.client_errors_per_minute = 30,
		.login_attempts_per_minute = 30,
		.audit_key_file = xstrdup(""),
		.audit_checkpoint_interval_s = 300,
		.scheduler_tick_s = 30,
		.clock_control = 0,
		.em_gt06_listen = xstrdup(""),
		.em_teltonika_listen = xstrdup(""),
		.em_max_connections = 20000,
		.em_idle_timeout_s = 900,
		.em_queue_max = 200000,
		.map_tile_url = xstrdup(""),
	};
}

void config_free(struct config *cfg)
{
	free(cfg->listen);
	free(cfg->db);
	free(cfg->ui_dir);
	free(cfg->audit_key_file);
	free(cfg->em_gt06_listen);
	free(cfg->em_teltonika_listen);
	free(cfg->map_tile_url);
	*cfg = (struct config){0};
}

const char *const *config_keys(void)
{
	static const char *names[NKEYS + 1];
	for (size_t i = 0; i < NKEYS; i++)
		names[i] = keys[i].name;
	names[NKEYS] = NULL;
	return names;
}

bool config_parse_listen(const char *value, char **host_r, int *port_r)
{
	const char *colon;
	const char *host = value;
	size_t host_len;
	if (value[0] == '[') {
		const char *close = strchr(value, ']');
		if (!close || close[1] != ':')
			return false;
		host = value + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(value, ':');
		if (!colon)
			return false;
		host_len = (size_t)(colon - value);
	}
	if (host_len == 0 || host_len > 255)
		return false;
	char *end;
	errno = 0;
	long port = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port < 0 || port > 65535)
		return false;
	if (host_r)
		*host_r = xstrndup(host, host_len);
	if (port_r)
		*port_r = (int)port;
	return true;
}

static bool parse_long(const char *value, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	if (errno || end == value || *end)
		return false;
	*out = v;
	return true;
}

__attribute__((format(printf, 4, 5))) static bool fail(char **error_r, const char *source,
                                                       const char *key, const char *fmt, ...)
{
	struct buf b = {0};
	buf_printf(&b, "%s: ", source);
	if (key)
		buf_printf(&b, "%s: ", key);
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	*error_r = buf_steal(&b);
	return false;
}

bool config_set(struct config *cfg, const char *key, const char *value, const char *source,
                char **error_r)
{
	const struct key *k = NULL;
	for (size_t i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (!k)
		return fail(error_r, source, NULL, "unknown setting '%s'", key);
	char *field = (char *)cfg + k->offset;
	switch (k->type) {
	case KEY_LISTEN:
		if (!config_parse_listen(value, NULL, NULL))
			return fail(error_r, source, key, "bad value '%s': expected HOST:PORT", value);
		break;
	case KEY_DB_URL:
		if (strncmp(value, "sqlite:", 7) != 0 && strncmp(value, "postgresql://", 13) != 0 &&
		    strncmp(value, "postgres://", 11) != 0)
			return fail(error_r, source, key,
			            "bad value '%s': expected sqlite:PATH or postgresql://...", value);
		if (strcmp(value, "sqlite:") == 0)
			return fail(error_r, source, key, "bad value '%s': the path is empty", value);
		break;
	case KEY_STRING:
		if (!*value)
			return fail(error_r, source, key, "bad value '%s': must not be empty", value);
		break;
	case KEY_OPTIONAL_STRING:
		break;
	case KEY_OPTIONAL_LISTEN:
		if (*value && !config_parse_listen(value, NULL, NULL))
			return fail(error_r, source, key, "bad value '%s': expected HOST:PORT or nothing", value);
		break;
	case KEY_TILE_URL:
		if (*value && !config_tile_origin(value, NULL, 0))
			return fail(error_r, source, key,
			            "bad value '%s': expected http(s)://HOST[:PORT]/... with {z}, {x} and {y}, and no quotes, "
			            "spaces or semicolons", value);
		break;
	case KEY_LOG_LEVEL: {
		enum log_level level;
		if (!log_level_parse(value, &level))
			return fail(error_r, source, key,
			            "bad value '%s': expected debug, info, warn or error", value);
		*(int *)field = (int)level;
		return true;
	}
	case KEY_LONG: {
		long v;
		if (!parse_long(value, &v))
			return fail(error_r, source, key, "bad value '%s': expected a whole number", value);
		if (v < k->min || v > k->max) {
			*error_r = xasprintf("%s: %s: bad value '%s': must be between %ld and %ld", source,
			                     key, value, k->min, k->max);
			return false;
		}
		*(long *)field = v;
		return true;
	}
	}
	char **s = (char **)field;
	free(*s);
	*s = xstrdup(value);
	return true;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

bool config_load_text(struct config *cfg, const char *text, size_t len, const char *path,
                      char **error_r)
{
	if (memchr(text, '\0', len)) {
		*error_r = xasprintf("%s: contains a NUL byte", path);
		return false;
	}
	char *copy = xstrndup(text, len);
	int line_no = 0;
	bool ok = true;
	char *line = copy;
	while (ok && line) {
		line_no++;
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *t = trim(line);
		if (*t) {
			char *source = xasprintf("%s:%d", path, line_no);
			char *eq = strchr(t, '=');
			if (!eq) {
				*error_r = xasprintf("%s: expected 'key = value'", source);
				ok = false;
			} else {
				*eq = '\0';
				ok = config_set(cfg, trim(t), trim(eq + 1), source, error_r);
			}
			free(source);
		}
		line = next;
	}
	free(copy);
	return ok;
}

bool config_load_file(struct config *cfg, const char *path, char **error_r)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		*error_r = xasprintf("%s: cannot open: %s", path, strerror(errno));
		return false;
	}
	struct buf b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_append(&b, chunk, n);
		if (b.len > (1u << 20)) {
			fclose(f);
			buf_free(&b);
			*error_r = xasprintf("%s: larger than 1 MiB", path);
			return false;
		}
	}
	bool read_error = ferror(f);
	fclose(f);
	if (read_error) {
		buf_free(&b);
		*error_r = xasprintf("%s: read error", path);
		return false;
	}
	bool ok = config_load_text(cfg, b.data ? b.data : "", b.len, path, error_r);
	buf_free(&b);
	return ok;
}

bool config_load_env(struct config *cfg, char *const *envp, char **error_r)
{
	for (char *const *e = envp; e && *e; e++) {
		if (strncmp(*e, "KADAM_", 6) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		char *name = xstrndup(*e, (size_t)(eq - *e));
		/* KADAM_BIN is the test harness's, not a setting. */
		if (strcmp(name, "KADAM_BIN") == 0) {
			free(name);
			continue;
		}
		char *key = xstrdup(name + 6);
		for (char *p = key; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		bool ok = config_set(cfg, key, eq + 1, name, error_r);
		free(key);
		free(name);
		if (!ok)
			return false;
	}
	return true;
}

bool config_tile_origin(const char *url, char *origin, size_t cap)
{
	size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
	if (!scheme || strlen(url) > 500 || !strstr(url, "{z}") || !strstr(url, "{x}") || !strstr(url, "{y}"))
		return false;
	for (const char *p = url; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '\'' || *p == ';' || *p == ',' || *p == '\\' || (unsigned char)*p >= 0x7f)
			return false;
	const char *host_end = strchr(url + scheme, '/');
	size_t n = host_end ? (size_t)(host_end - url) : strlen(url);
	if (n == scheme || memchr(url + scheme, '{', n - scheme) || memchr(url + scheme, '@', n - scheme))
		return false;
	if (origin) {
		if (n >= cap)
			return false;
		memcpy(origin, url, n);
		origin[n] = '\0';
	}
	return true;
}
