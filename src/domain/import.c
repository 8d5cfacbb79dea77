/*
 * import.c — the CSV import of people and cases (see import.h for the format).
 * libcsv splits bytes into fields and records; this file feeds it one
 * physical line at a time, so that it knows the line where each record
 * starts, maps the header to columns, and checks every value against the
 * column table. Nothing here touches the database.
 */
#include "domain/import.h"

#include <csv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

#define MESSAGE_UTF8 "is not valid UTF-8 (save the file as \"CSV UTF-8\")"
#define MESSAGE_DATE "must be a date (YYYY-MM-DD or DD.MM.YYYY)"
#define MESSAGE_TERM "must be a term like 5y6m10d (years, months, days, in that order)"
#define MESSAGE_STRAY_QUOTE "has a stray quote: put the whole field in quotes and double each quote inside it"
#define HEADER_NAME_CHARS 40 /* a header name is shown at most this long */
#define CSV_BLOCK 4096       /* libcsv grows its field buffer by this much (default 128) */

/* ---------------------------------------------------------------- UTF-8 */

/* Decodes the sequence at s[*i] (n bytes in all) and moves *i past it; -1, with *i
 * unchanged, when it is not valid UTF-8 (truncated, overlong, a surrogate, > U+10FFFF). */
static int32_t utf8_next(const char *str, size_t n, size_t *i)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[*i];
	int32_t cp, min;
	size_t extra;
	if (c < 0x80) {
		(*i)++;
		return c;
	} else if (c >= 0xC2 && c <= 0xDF) {
		cp = c & 0x1F, extra = 1, min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		cp = c & 0x0F, extra = 2, min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		cp = c & 0x07, extra = 3, min = 0x10000;
	} else {
		return -1;
	}
	if (n - *i <= extra)
		return -1;
	for (size_t k = 1; k <= extra; k++) {
		if ((s[*i + k] & 0xC0) != 0x80)
			return -1;
		cp = cp << 6 | (s[*i + k] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*i += extra + 1;
	return cp;
}

/* C0, DEL, C1, and the invisible characters that reorder or split text (bidi
 * overrides, line/paragraph separators, a stray byte-order mark). */
static bool is_control(int32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

static bool is_latin_letter(int32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7) || c == 0x259 || (c >= 0x1E00 && c <= 0x1EFF);
}

static bool is_cyrillic_letter(int32_t c)
{
	return c >= 0x400 && c <= 0x52F && !(c >= 0x482 && c <= 0x489);
}

/* Valid UTF-8 with each bad byte or control character shown as U+FFFD, at most
 * HEADER_NAME_CHARS characters: safe to put in a message or a JSON string. */
static char *printable(const char *s, size_t len)
{
	struct buf b = {0};
	size_t i = 0;
	for (int chars = 0; i < len; chars++) {
		if (chars == HEADER_NAME_CHARS) {
			buf_puts(&b, "\xE2\x80\xA6"); /* … */
			break;
		}
		size_t at = i;
		int32_t c = utf8_next(s, len, &i);
		if (c < 0)
			i = at + 1;
		if (c < 0 || is_control(c))
			buf_puts(&b, "\xEF\xBF\xBD"); /* U+FFFD */
		else
			buf_append(&b, s + at, i - at);
	}
	return buf_steal(&b);
}

/* ------------------------------------------------------------- the result */

/* Grows an array whose capacity follows from its count n: 8, 16, 32 ... at most max. */
static void *grow(void *p, size_t n, size_t size, size_t max)
{
	if (n != 0 && (n < 8 || (n & (n - 1)) != 0))
		return p;
	size_t cap = n ? 2 * n : 8;
	return xrealloc(p, (cap < max ? cap : max) * size);
}

static void error_vadd(struct import_result *r, long line, const char *column, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void error_vadd(struct import_result *r, long line, const char *column, const char *fmt, va_list ap)
{
	r->nerrors_total++;
	if (r->nerrors >= IMPORT_MAX_ERRORS)
		return;
	r->errors = grow(r->errors, r->nerrors, sizeof *r->errors, IMPORT_MAX_ERRORS);
	struct import_error *e = &r->errors[r->nerrors++];
	e->line = line;
	e->column = column;
	int n = vsnprintf(e->message, sizeof e->message, fmt, ap);
	/* A message cut short must not end inside a UTF-8 sequence (it goes into JSON). */
	if (n >= (int)sizeof e->message) {
		size_t len = sizeof e->message - 1;
		while (len > 0 && ((unsigned char)e->message[len] & 0xC0) == 0x80)
			len--;
		e->message[len] = '\0';
	}
}

void import_error_add(struct import_result *r, long line, const char *column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	error_vadd(r, line, column, fmt, ap);
	va_end(ap);
}

void import_result_free(struct import_result *r)
{
	for (size_t i = 0; i < r->nrows; i++)
		for (int c = 0; c < IMPORT_NCOLUMNS; c++)
			free(r->rows[i].value[c]);
	free(r->rows);
	free(r->errors);
	for (size_t i = 0; i < r->nheader; i++)
		free(r->header[i]);
	free(r->header);
	*r = (struct import_result){0};
}

/* ---------------------------------------------------------- value checks */

/*
 * A check gets a trimmed value that is valid UTF-8, free of control characters
 * (but for a note's line breaks) and at most IMPORT_MAX_FIELD_CHARS long. It
 * returns the value to keep, allocated, or NULL with msg_r saying what is wrong.
 */
typedef char *check_fn(const char *s, char msg_r[IMPORT_MESSAGE_SIZE]);

static char *check_text(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	return xstrdup(s);
}

/* A note keeps its line breaks, as LF. */
static char *check_note(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	char *out = xstrdup(s), *o = out;
	for (const char *p = s; *p; p++) {
		if (*p == '\r') {
			*o++ = '\n';
			if (p[1] == '\n')
				p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static bool is_name_punctuation(int32_t c)
{
	return c == ' ' || c == '-' || c == '\'' || c == '.' || c == '`' || c == 0x2010 || c == 0x2011 ||
	       c == 0x2018 || c == 0x2019 || c == 0x2BB || c == 0x2BC;
}

/* Letters of one script (Cyrillic or Latin, or Latin only), combining accents, and
 * the punctuation names carry. Mixed scripts are nearly always a look-alike typo
 * ("Ивaнов" with a Latin a), which would defeat the name search. */
static char *check_name_script(const char *s, bool latin_only, char msg_r[IMPORT_MESSAGE_SIZE])
{
	const char *want = latin_only ? "must be written in Latin letters" : "must be written in Cyrillic or Latin letters";
	bool latin = false, cyrillic = false;
	size_t len = strlen(s), i = 0;
	while (i < len) {
		int32_t c = utf8_next(s, len, &i);
		if (is_latin_letter(c))
			latin = true;
		else if (is_cyrillic_letter(c) && !latin_only)
			cyrillic = true;
		else if (!is_name_punctuation(c) && !(c >= 0x300 && c <= 0x36F && (latin || cyrillic))) {
			snprintf(msg_r, IMPORT_MESSAGE_SIZE, "%s", want);
			return NULL;
		}
	}
	if (!latin && !cyrillic) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "%s", want);
		return NULL;
	}
	if (latin && cyrillic) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "mixes Cyrillic and Latin letters");
		return NULL;
	}
	return xstrdup(s);
}

static char *check_name(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	return check_name_script(s, false, msg_r);
}

static char *check_latin_name(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	return check_name_script(s, true, msg_r);
}

/* s must be one of the NULL-terminated list. */
static char *check_one_of(const char *s, const char *const *list, char msg_r[IMPORT_MESSAGE_SIZE])
{
	for (const char *const *w = list; *w; w++)
		if (strcmp(s, *w) == 0)
			return xstrdup(s);
	struct buf b = {0};
	buf_puts(&b, "must be one of: ");
	for (const char *const *w = list; *w; w++)
		buf_printf(&b, "%s%s", w == list ? "" : ", ", *w);
	snprintf(msg_r, IMPORT_MESSAGE_SIZE, "%s", b.data);
	buf_free(&b);
	return NULL;
}

static char *check_sex(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	static const char *const values[] = {"male", "female", NULL};
	return check_one_of(s, values, msg_r);
}

static char *check_document_type(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	static const char *const values[] = {"passport", "id_card", "foreign_passport", "birth_certificate", "other",
	                                     NULL};
	return check_one_of(s, values, msg_r);
}

static char *check_case_kind(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	static const char *const values[] = {"pre_trial", "executive", "penitentiary", "post_penitentiary", NULL};
	return check_one_of(s, values, msg_r);
}

/* n decimal digits at s, into *v_r. */
static bool digits(const char *s, int n, int *v_r)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*v_r = v;
	return true;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

/* YYYY-MM-DD or DD.MM.YYYY, a day of the Gregorian calendar from 1900; kept as YYYY-MM-DD.
 * Whether it may lie in the future is the caller's business. */
static char *check_date(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	static const char *const months[12] = {"January", "February", "March", "April", "May", "June", "July",
	                                       "August", "September", "October", "November", "December"};
	int y, m, d;
	bool iso = strlen(s) == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4, &y) && digits(s + 5, 2, &m) &&
	           digits(s + 8, 2, &d);
	bool dotted = !iso && strlen(s) == 10 && s[2] == '.' && s[5] == '.' && digits(s, 2, &d) &&
	              digits(s + 3, 2, &m) && digits(s + 6, 4, &y);
	if (!iso && !dotted) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, MESSAGE_DATE);
		return NULL;
	}
	if (y < 1900) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "must be a date from 1900 on");
		return NULL;
	}
	if (m < 1 || m > 12) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "has no month %02d (months are 01 to 12)", m);
		return NULL;
	}
	if (d < 1 || d > days_in_month(y, m)) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "has no day %02d: %s %d has %d days", d, months[m - 1], y,
		         days_in_month(y, m));
		return NULL;
	}
	return xasprintf("%04d-%02d-%02d", y, m, d);
}

/* ISO 3166-1 alpha-2; whether the code is assigned is not checked here. */
static char *check_country(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	if (strlen(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z') {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "must be a two-letter country code in capitals (ISO 3166-1, e.g. KG)");
		return NULL;
	}
	return xstrdup(s);
}

/* 3 to 32 letters (Latin or Cyrillic: series like "АН" are common), digits, spaces, hyphens. */
static char *check_document_number(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	size_t len = strlen(s), i = 0, chars = 0;
	bool allowed = true;
	while (i < len && allowed) {
		int32_t c = utf8_next(s, len, &i);
		allowed = (c >= '0' && c <= '9') || is_latin_letter(c) || is_cyrillic_letter(c) || c == ' ' || c == '-';
		chars++;
	}
	if (!allowed || chars < 3 || chars > 32) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "must be 3 to 32 letters, digits, spaces or hyphens");
		return NULL;
	}
	return xstrdup(s);
}

/* Codes separated by ';', kept as "a;b": spaces around codes and empty codes dropped. */
static char *check_articles(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	struct buf b = {0};
	for (const char *p = s; *p;) {
		size_t n = strcspn(p, ";");
		const char *start = p, *end = p + n;
		while (start < end && (*start == ' ' || *start == '\t'))
			start++;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end > start) {
			if (b.len)
				buf_putc(&b, ';');
			buf_append(&b, start, (size_t)(end - start));
		}
		p += n + (p[n] == ';');
	}
	if (!b.len) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "must list article codes separated by ';'");
		return NULL;
	}
	return buf_steal(&b);
}

/*
 * One or more of <n>y <n>m <n>d in that order (spaces between them allowed),
 * more than zero and at most 50 years. A month counts as an average Gregorian
 * month, 30.436875 days, so "50y", "600m" and "18262d" are all just within.
 */
static char *check_term(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	static const char units[] = "ymd";
	int64_t amount[3] = {0, 0, 0};
	bool seen[3] = {false, false, false};
	int next = 0;
	const char *p = s;
	while (*p) {
		if (*p == ' ' && p > s) {
			p++;
			continue;
		}
		if (*p < '0' || *p > '9')
			goto bad;
		int64_t n = 0;
		for (; *p >= '0' && *p <= '9'; p++)
			n = n < 10000000 ? n * 10 + (*p - '0') : n; /* big enough to fail, small enough not to overflow */
		const char *u = *p ? strchr(units, *p) : NULL;
		if (!u || u - units < next)
			goto bad;
		next = (int)(u - units);
		amount[next] = n;
		seen[next++] = true;
		p++;
	}
	if (next == 0)
		goto bad;
	const int64_t month_us = 30436875; /* an average month in millionths of a day */
	int64_t total_us = (amount[0] * 12 + amount[1]) * month_us + amount[2] * 1000000;
	if (total_us == 0) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "must be longer than zero");
		return NULL;
	}
	if (total_us > 600 * month_us) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "must be at most 50 years");
		return NULL;
	}
	struct buf b = {0};
	for (int k = 0; k < 3; k++)
		if (seen[k])
			buf_printf(&b, "%lld%c", (long long)amount[k], units[k]);
	return buf_steal(&b);
bad:
	snprintf(msg_r, IMPORT_MESSAGE_SIZE, MESSAGE_TERM);
	return NULL;
}

static char *check_remand_days(const char *s, char msg_r[IMPORT_MESSAGE_SIZE])
{
	long n = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++)
		n = n <= 20000 ? n * 10 + (*p - '0') : n;
	if (p == s || *p || n > 20000) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "must be a whole number from 0 to 20000");
		return NULL;
	}
	return xasprintf("%ld", n);
}

/* The columns, in enum order: how each is named, whether it must have a value, how it is checked. */
static const struct column {
	const char *name;
	bool required;
	bool multiline; /* line breaks allowed */
	check_fn *check;
} columns[IMPORT_NCOLUMNS] = {
	[IMPORT_SURNAME] = {"surname", true, false, check_name},
	[IMPORT_GIVEN_NAME] = {"given_name", true, false, check_name},
	[IMPORT_PATRONYMIC] = {"patronymic", false, false, check_name},
	[IMPORT_SURNAME_LATIN] = {"surname_latin", false, false, check_latin_name},
	[IMPORT_GIVEN_NAME_LATIN] = {"given_name_latin", false, false, check_latin_name},
	[IMPORT_PATRONYMIC_LATIN] = {"patronymic_latin", false, false, check_latin_name},
	[IMPORT_SEX] = {"sex", false, false, check_sex},
	[IMPORT_BIRTH_DATE] = {"birth_date", true, false, check_date},
	[IMPORT_BIRTH_PLACE] = {"birth_place", false, false, check_text},
	[IMPORT_CITIZENSHIP] = {"citizenship", false, false, check_country},
	[IMPORT_DOCUMENT_TYPE] = {"document_type", false, false, check_document_type},
	[IMPORT_DOCUMENT_NUMBER] = {"document_number", false, false, check_document_number},
	[IMPORT_DOCUMENT_COUNTRY] = {"document_country", false, false, check_country},
	[IMPORT_CASE_KIND] = {"case_kind", true, false, check_case_kind},
	[IMPORT_UNIT] = {"unit", true, false, check_text},
	[IMPORT_OPENED_ON] = {"opened_on", false, false, check_date},
	[IMPORT_DECISION_AUTHORITY] = {"decision_authority", false, false, check_text},
	[IMPORT_DECISION_NUMBER] = {"decision_number", false, false, check_text},
	[IMPORT_DECISION_DATE] = {"decision_date", false, false, check_date},
	[IMPORT_MEASURE] = {"measure", false, false, check_text},
	[IMPORT_ARTICLES] = {"articles", false, false, check_articles},
	[IMPORT_START_ON] = {"start_on", false, false, check_date},
	[IMPORT_TERM] = {"term", false, false, check_term},
	[IMPORT_REMAND_DAYS] = {"remand_days", false, false, check_remand_days},
	[IMPORT_NOTE] = {"note", false, true, check_note},
};

/* Columns that, given in a row, make the group's required ones required too. */
static const enum import_column document_any[] = {IMPORT_DOCUMENT_TYPE, IMPORT_DOCUMENT_NUMBER,
                                                  IMPORT_DOCUMENT_COUNTRY};
static const enum import_column document_needs[] = {IMPORT_DOCUMENT_TYPE, IMPORT_DOCUMENT_NUMBER};
static const enum import_column decision_any[] = {IMPORT_DECISION_AUTHORITY, IMPORT_DECISION_NUMBER,
                                                  IMPORT_DECISION_DATE, IMPORT_MEASURE, IMPORT_ARTICLES,
                                                  IMPORT_START_ON, IMPORT_TERM};
static const enum import_column decision_needs[] = {IMPORT_DECISION_AUTHORITY, IMPORT_DECISION_DATE,
                                                    IMPORT_MEASURE, IMPORT_START_ON, IMPORT_TERM};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *import_column_name(enum import_column c)
{
	return (unsigned)c < IMPORT_NCOLUMNS ? columns[c].name : NULL;
}

static int column_by_name(const char *s, size_t len)
{
	for (int c = 0; c < IMPORT_NCOLUMNS; c++)
		if (strlen(columns[c].name) == len && memcmp(columns[c].name, s, len) == 0)
			return c;
	return -1;
}

/* What every value must be; false with msg_r set when it is not. */
static bool check_common(const char *s, size_t len, bool multiline, char msg_r[IMPORT_MESSAGE_SIZE])
{
	size_t i = 0, chars = 0;
	while (i < len) {
		int32_t c = utf8_next(s, len, &i);
		if (c < 0) {
			snprintf(msg_r, IMPORT_MESSAGE_SIZE, MESSAGE_UTF8);
			return false;
		}
		if ((c == '\n' || c == '\r') && !multiline) {
			snprintf(msg_r, IMPORT_MESSAGE_SIZE, "contains a line break");
			return false;
		}
		if (is_control(c) && c != '\n' && c != '\r') {
			snprintf(msg_r, IMPORT_MESSAGE_SIZE, "contains a control character");
			return false;
		}
		chars++;
	}
	if (chars > IMPORT_MAX_FIELD_CHARS) {
		snprintf(msg_r, IMPORT_MESSAGE_SIZE, "has more than %d characters", IMPORT_MAX_FIELD_CHARS);
		return false;
	}
	return true;
}

/* ----------------------------------------------------------- the reader */

#define MAP_IGNORED (-1) /* an unknown or repeated column: its values are not read */
#define MAP_UNNAMED (-2) /* a column with an empty name: its values must be empty */

/* A field as libcsv gave it, trimmed. */
struct field {
	char *data; /* owned, NUL-terminated, may hold NUL bytes; NULL when empty */
	size_t len;
};

/* Where parsing is. Lives on import_parse()'s stack; reader_free() releases what it owns. */
struct reader {
	struct import_result *result; /* not owned */
	long line;                    /* the physical line being fed to libcsv */
	long record_line;             /* where the current record starts */
	long field_line;              /* where the current field starts */
	size_t nfields;               /* fields of the current record so far */
	bool any_value;               /* ... of which one is not empty */
	struct field *head;           /* owned; the header record's fields, until the header is read */
	size_t nhead;
	struct field value[IMPORT_NCOLUMNS]; /* owned; a data record's fields by column */
	size_t unnamed_at;            /* 1-based position of a value under an unnamed column, or 0 */
	bool beyond;                  /* a value past the header's last column */
	bool have_header;
	long header_line;
	int *map;                     /* owned; header position -> enum import_column or MAP_* */
	size_t nmap;
	bool present[IMPORT_NCOLUMNS]; /* named in the header */
	size_t ndata;                 /* non-blank data records, rows or not */
	bool syntax_error;            /* libcsv stopped somewhere */
	bool stop;                    /* nothing more is read: the row limit, or a broken header */
};

static void record_reset(struct reader *rd)
{
	for (size_t i = 0; i < rd->nhead; i++)
		free(rd->head[i].data);
	rd->nhead = 0;
	for (int c = 0; c < IMPORT_NCOLUMNS; c++) {
		free(rd->value[c].data);
		rd->value[c] = (struct field){0};
	}
	rd->nfields = 0;
	rd->any_value = false;
	rd->unnamed_at = 0;
	rd->beyond = false;
}

static void reader_free(struct reader *rd)
{
	record_reset(rd);
	free(rd->head);
	rd->head = NULL;
	free(rd->map);
	rd->map = NULL;
}

/* The name of the column at header position i, for an error; NULL when there is none. */
static const char *column_at(const struct reader *rd, size_t i)
{
	if (!rd->have_header || i >= rd->nmap)
		return NULL;
	if (rd->map[i] >= 0)
		return columns[rd->map[i]].name;
	return rd->map[i] == MAP_IGNORED ? rd->result->header[i] : NULL;
}

static struct field field_copy(const char *s, size_t len)
{
	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len)
		return (struct field){0};
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return (struct field){p, len};
}

/* libcsv's field callback. Data fields go straight to their column. */
static void on_field(void *s, size_t len, void *data)
{
	struct reader *rd = data;
	if (rd->stop)
		return;
	size_t i = rd->nfields++;
	rd->field_line = rd->line;
	struct field f = field_copy(s ? s : "", s ? len : 0);
	rd->any_value |= f.data != NULL;
	if (!rd->have_header) {
		rd->head = grow(rd->head, rd->nhead, sizeof *rd->head, SIZE_MAX / sizeof *rd->head);
		rd->head[rd->nhead++] = f;
		return;
	}
	if (i < rd->nmap && rd->map[i] >= 0) {
		free(rd->value[rd->map[i]].data);
		rd->value[rd->map[i]] = f;
		return;
	}
	if (f.data && i < rd->nmap && rd->map[i] == MAP_UNNAMED && !rd->unnamed_at)
		rd->unnamed_at = i + 1;
	else if (f.data && i >= rd->nmap)
		rd->beyond = true;
	free(f.data);
}

static void take_header(struct reader *rd)
{
	struct import_result *r = rd->result;
	long line = rd->record_line;
	rd->have_header = true;
	rd->header_line = line;
	r->header = xcalloc(rd->nhead, sizeof *r->header);
	r->nheader = rd->nhead;
	rd->map = xcalloc(rd->nhead, sizeof *rd->map);
	rd->nmap = rd->nhead;
	for (size_t i = 0; i < rd->nhead; i++) {
		const struct field *f = &rd->head[i];
		r->header[i] = printable(f->data ? f->data : "", f->len);
		int c = f->data ? column_by_name(f->data, f->len) : -1;
		if (!f->data) {
			rd->map[i] = MAP_UNNAMED;
		} else if (c < 0) {
			rd->map[i] = MAP_IGNORED;
			import_error_add(r, line, r->header[i], "is not a known column");
		} else if (rd->present[c]) {
			rd->map[i] = MAP_IGNORED;
			import_error_add(r, line, columns[c].name, "appears more than once in the header");
		} else {
			rd->map[i] = c;
			rd->present[c] = true;
		}
	}
	for (int c = 0; c < IMPORT_NCOLUMNS; c++)
		if (columns[c].required && !rd->present[c])
			import_error_add(r, line, columns[c].name, "is missing from the header");
}

/* If any of the group is given, each of needs must be; errors say "when a <what> is given". */
static void check_group(struct reader *rd, long line, const bool given[IMPORT_NCOLUMNS],
                        const enum import_column *any, size_t nany, const enum import_column *needs,
                        size_t nneeds, const char *what)
{
	bool some = false;
	for (size_t k = 0; k < nany; k++)
		some |= given[any[k]];
	for (size_t k = 0; some && k < nneeds; k++)
		if (!given[needs[k]])
			import_error_add(rd->result, line, columns[needs[k]].name, "is required when %s is given", what);
}

static void take_row(struct reader *rd)
{
	struct import_result *r = rd->result;
	long line = rd->record_line;
	if (r->nrows == IMPORT_MAX_ROWS) {
		import_error_add(r, line, NULL, "the file has more than %d rows", IMPORT_MAX_ROWS);
		rd->stop = true;
		return;
	}
	struct import_row row = {.line = line};
	if (rd->unnamed_at)
		import_error_add(r, line, NULL, "has a value in column %zu, which has no name in the header",
		                 rd->unnamed_at);
	if (rd->beyond)
		import_error_add(r, line, NULL, "has a value beyond the last column of the header");
	bool given[IMPORT_NCOLUMNS];
	for (int c = 0; c < IMPORT_NCOLUMNS; c++) {
		const struct field *f = &rd->value[c];
		char msg[IMPORT_MESSAGE_SIZE];
		given[c] = f->data != NULL;
		if (!given[c])
			continue;
		if (!check_common(f->data, f->len, columns[c].multiline, msg) ||
		    !(row.value[c] = columns[c].check(f->data, msg)))
			import_error_add(r, line, columns[c].name, "%s", msg);
	}
	for (int c = 0; c < IMPORT_NCOLUMNS; c++)
		if (columns[c].required && rd->present[c] && !given[c])
			import_error_add(r, line, columns[c].name, "is required");
	check_group(rd, line, given, document_any, COUNT(document_any), document_needs, COUNT(document_needs),
	            "a document");
	check_group(rd, line, given, decision_any, COUNT(decision_any), decision_needs, COUNT(decision_needs),
	            "a decision");
	r->rows = grow(r->rows, r->nrows, sizeof *r->rows, IMPORT_MAX_ROWS);
	r->rows[r->nrows++] = row;
}

/* libcsv's record callback. Blank records (no field with a value) are skipped. */
static void on_record(int c, void *data)
{
	struct reader *rd = data;
	if (!rd->stop && rd->any_value) {
		if (!rd->have_header) {
			take_header(rd);
		} else {
			rd->ndata++;
			take_row(rd);
		}
	}
	record_reset(rd);
}

/* libcsv gave up at the current record: say where, drop the record, and go on
 * from the next line (or stop, when the header itself is lost). */
static void syntax_error(struct reader *rd, long line, const char *message)
{
	import_error_add(rd->result, line, column_at(rd, rd->nfields), "%s", message);
	rd->syntax_error = true;
	if (!rd->have_header)
		rd->stop = true;
	else
		rd->ndata++;
	record_reset(rd);
}

/* The end of the physical line starting at pos: past its LF, CRLF or lone CR, or len. */
static size_t line_end(const char *data, size_t len, size_t pos)
{
	while (pos < len && data[pos] != '\n' && data[pos] != '\r')
		pos++;
	if (pos + 1 < len && data[pos] == '\r' && data[pos + 1] == '\n')
		pos++;
	return pos < len ? pos + 1 : len;
}

static bool parser_init(struct csv_parser *p)
{
	if (csv_init(p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return false;
	csv_set_blk_size(p, CSV_BLOCK);
	return true;
}

bool import_parse(const char *data, size_t len, struct import_result *result_r)
{
	*result_r = (struct import_result){0};
	struct reader rd = {.result = result_r, .line = 1};
	struct csv_parser p;
	if (!parser_init(&p))
		return false;
	/* libcsv's state between records; a line fed in this state starts the next record, if any. */
	const int between = p.pstate;
	bool ok = true;
	size_t pos = len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
	/* Lines one at a time: a record can only end at the end of a line. */
	for (; ok && !rd.stop && pos < len; rd.line++) {
		size_t end = line_end(data, len, pos);
		if (p.pstate == between)
			rd.record_line = rd.field_line = rd.line;
		if (csv_parse(&p, data + pos, end - pos, on_field, on_record, &rd) != end - pos) {
			if (csv_error(&p) != CSV_EPARSE) {
				ok = false;
				break;
			}
			syntax_error(&rd, rd.line, MESSAGE_STRAY_QUOTE);
			csv_free(&p);
			ok = parser_init(&p);
		}
		pos = end;
	}
	if (ok && !rd.stop && csv_fini(&p, on_field, on_record, &rd) != 0) {
		if (csv_error(&p) != CSV_EPARSE)
			ok = false;
		else
			syntax_error(&rd, rd.field_line, "unterminated quoted field");
	}
	csv_free(&p);
	if (ok && !rd.stop && !rd.syntax_error) {
		if (!rd.have_header)
			import_error_add(result_r, 1, NULL, "the file has no header row");
		else if (!rd.ndata)
			import_error_add(result_r, rd.header_line, NULL, "the file has no data rows");
	}
	reader_free(&rd);
	if (!ok)
		import_result_free(result_r);
	return ok;
}
