/*
 * log.h — JSON-lines logging to standard error.
 *
 * Each line is one JSON object with time, level, msg and any extra fields the
 * caller adds. Lines are written with one write() so concurrent threads never
 * interleave inside a line.
 */
#ifndef KADAM_BASE_LOG_H
#define KADAM_BASE_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

void log_set_level(enum log_level level);
bool log_level_parse(const char *name, enum log_level *level_r);
/* msg is free text; fields_json, if not NULL, is a run of ,"key":value pairs
 * (already JSON-encoded, starting with a comma) appended to the object. */
void log_line(enum log_level level, const char *msg, const char *fields_json);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes a ready JSON object (no newline) as one line, whatever the level. */
void log_raw_json(const char *json);

#endif
