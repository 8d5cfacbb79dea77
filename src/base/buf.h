/*
 * buf.h — a growable byte buffer, always NUL-terminated.
 *
 * Owner: whoever declares the struct buf; buf_free() releases the storage.
 * Allocation failure aborts the process (a server that cannot allocate a few
 * bytes cannot answer correctly anyway), so callers need not check.
 */
#ifndef KADAM_BASE_BUF_H
#define KADAM_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data; /* NUL-terminated; NULL until the first append */
	size_t len; /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated */
};

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal, quotes included; NULL as null. */
void buf_json_string(struct buf *b, const char *s);
/* Hands the storage to the caller (never NULL) and empties b. */
char *buf_steal(struct buf *b);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

/* Allocation helpers that abort on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* An array of items of size bytes with room for *cap: grown (doubling) when it holds n = *cap already. */
void *xgrow(void *items, size_t *cap, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
