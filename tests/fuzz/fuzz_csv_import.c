/* Fuzz target: a CSV import file, as uploaded. Whatever the bytes, the result
 * must hold only what import.h promises: rows in file order, values that are
 * valid UTF-8 within the limits, dates normalised, errors capped but counted. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                     \
	do {                            \
		if (!(cond))            \
			__builtin_trap(); \
	} while (0)

/* Valid UTF-8 of at most max characters, with no control character but LF when allowed.
 * An oracle of its own, so that it does not share a bug with import.c. */
static bool clean_utf8(const char *s, size_t max, bool lf_allowed)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0;
	while (*p) {
		uint32_t c;
		int extra;
		if (*p < 0x80)
			c = *p, extra = 0;
		else if ((*p & 0xE0) == 0xC0)
			c = *p & 0x1F, extra = 1;
		else if ((*p & 0xF0) == 0xE0)
			c = *p & 0x0F, extra = 2;
		else if ((*p & 0xF8) == 0xF0)
			c = *p & 0x07, extra = 3;
		else
			return false;
		for (int k = 1; k <= extra; k++) {
			if ((p[k] & 0xC0) != 0x80)
				return false;
			c = c << 6 | (p[k] & 0x3F);
		}
		static const uint32_t min[] = {0, 0x80, 0x800, 0x10000};
		if (c < min[extra] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return false;
		if ((c < 0x20 && !(c == '\n' && lf_allowed)) || (c >= 0x7F && c <= 0x9F))
			return false;
		p += extra + 1;
		chars++;
	}
	return chars <= max;
}

static bool is_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	int month = (s[5] - '0') * 10 + (s[6] - '0'), day = (s[8] - '0') * 10 + (s[9] - '0');
	return strncmp(s, "1900", 4) >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static void check_result(const struct import_result *r)
{
	CHECK(r->nerrors <= IMPORT_MAX_ERRORS && r->nerrors <= r->nerrors_total);
	CHECK(r->nrows <= IMPORT_MAX_ROWS);
	for (size_t i = 0; i < r->nerrors; i++) {
		const struct import_error *e = &r->errors[i];
		CHECK(e->line >= 1);
		CHECK(memchr(e->message, '\0', sizeof e->message) && e->message[0]);
		CHECK(clean_utf8(e->message, IMPORT_MESSAGE_SIZE, false));
		if (e->column)
			CHECK(clean_utf8(e->column, 41, false));
	}
	for (size_t i = 0; i < r->nheader; i++)
		CHECK(r->header[i] && clean_utf8(r->header[i], 41, false));
	for (size_t i = 0; i < r->nrows; i++) {
		const struct import_row *row = &r->rows[i];
		CHECK(row->line >= 2 && (i == 0 || row->line > r->rows[i - 1].line));
		for (int c = 0; c < IMPORT_NCOLUMNS; c++) {
			const char *v = row->value[c];
			if (!v)
				continue;
			CHECK(v[0] && v[0] != ' ' && v[strlen(v) - 1] != ' ');
			CHECK(clean_utf8(v, IMPORT_MAX_FIELD_CHARS, c == IMPORT_NOTE));
		}
		static const enum import_column dates[] = {IMPORT_BIRTH_DATE, IMPORT_OPENED_ON, IMPORT_DECISION_DATE,
		                                           IMPORT_START_ON};
		for (size_t k = 0; k < sizeof dates / sizeof dates[0]; k++)
			CHECK(!row->value[dates[k]] || is_date(row->value[dates[k]]));
		CHECK(!row->value[IMPORT_REMAND_DAYS] || atoi(row->value[IMPORT_REMAND_DAYS]) <= 20000);
		/* Whenever the file was clean, everything required is there. */
		if (r->nerrors_total == 0)
			CHECK(row->value[IMPORT_SURNAME] && row->value[IMPORT_GIVEN_NAME] &&
			      row->value[IMPORT_BIRTH_DATE] && row->value[IMPORT_CASE_KIND] && row->value[IMPORT_UNIT]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes and no NUL after them, so a sanitizer sees any read past the end. */
	char *copy = xmalloc(size);
	if (size)
		memcpy(copy, data, size);
	struct import_result r;
	if (import_parse(copy, size, &r)) {
		check_result(&r);
		size_t total = r.nerrors_total;
		import_error_add(&r, 1, NULL, "checked by the %s", "fuzzer");
		CHECK(r.nerrors_total == total + 1);
		import_result_free(&r);
		CHECK(!r.rows && !r.errors && !r.header && !r.nerrors_total);
	}
	free(copy);
	return 0;
}
