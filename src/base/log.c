#include "base/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/clock.h"

static _Atomic int min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level level)
{
	atomic_store(&min_level, (int)level);
}

bool log_level_parse(const char *name, enum log_level *level_r)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*level_r = (enum log_level)i;
			return true;
		}
	}
	return false;
}

static void write_line(struct buf *b)
{
	buf_putc(b, '\n');
	size_t off = 0;
	while (off < b->len) {
		ssize_t n = write(STDERR_FILENO, b->data + off, b->len - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

void log_line(enum log_level level, const char *msg, const char *fields_json)
{
	if ((int)level < atomic_load(&min_level))
		return;
	char when[32];
	clock_format_rfc3339(clock_now_ms(), when);
	struct buf b = {0};
	buf_printf(&b, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", when, level_names[level]);
	buf_json_string(&b, msg);
	if (fields_json)
		buf_puts(&b, fields_json);
	buf_putc(&b, '}');
	write_line(&b);
	buf_free(&b);
}

void log_raw_json(const char *json)
{
	struct buf b = {0};
	buf_puts(&b, json);
	write_line(&b);
	buf_free(&b);
}

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	if ((int)level < atomic_load(&min_level))
		return;
	struct buf msg = {0};
	buf_vprintf(&msg, fmt, ap);
	log_line(level, msg.data ? msg.data : "", NULL);
	buf_free(&msg);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARN, fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERROR, fmt, ap);
	va_end(ap);
}
