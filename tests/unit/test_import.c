/* Unit tests for src/domain/import.c: the CSV import of people and cases,
 * its line numbers, and every kind of problem it reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "domain/import.h"

/* The required columns, in the order most tests use. */
#define HEAD "surname,given_name,birth_date,case_kind,unit"
#define GOOD "Иванов,Иван,1990-01-01,executive,Первомайский отдел"

static struct import_result parse_bytes(const char *data, size_t len)
{
	struct import_result r;
	assert_true(import_parse(data, len, &r));
	assert_true(r.nerrors <= r.nerrors_total);
	return r;
}

static struct import_result parse(const char *data)
{
	return parse_bytes(data, strlen(data));
}

static void dump_errors(const struct import_result *r)
{
	for (size_t i = 0; i < r->nerrors; i++)
		print_message("  line %ld, %s: %s\n", r->errors[i].line, r->errors[i].column ? r->errors[i].column : "-",
		              r->errors[i].message);
}

/* An error at line in column (NULL: the whole row) whose message contains text. */
static void expect_error(const struct import_result *r, long line, const char *column, const char *text)
{
	for (size_t i = 0; i < r->nerrors; i++) {
		const struct import_error *e = &r->errors[i];
		bool same_column = column ? e->column && strcmp(e->column, column) == 0 : !e->column;
		if (e->line == line && same_column && strstr(e->message, text))
			return;
	}
	print_message("no error at line %ld, %s: %s; there are:\n", line, column ? column : "-", text);
	dump_errors(r);
	fail();
}

static void expect_no_errors(const struct import_result *r)
{
	if (r->nerrors_total) {
		dump_errors(r);
		fail();
	}
}

/* One data row under HEAD plus the given extra columns and values. */
static struct import_result parse_row(const char *extra_head, const char *extra_values)
{
	char *text = xasprintf(HEAD ",%s\n" GOOD ",%s\n", extra_head, extra_values);
	struct import_result r = parse(text);
	free(text);
	return r;
}

static void good_file_with_values_and_line_numbers(void **state)
{
	struct import_result r = parse(
		"surname,given_name,patronymic,surname_latin,given_name_latin,patronymic_latin,sex,birth_date,birth_place,citizenship,"
		"document_type,document_number,document_country,case_kind,unit,opened_on,decision_authority,"
		"decision_number,decision_date,measure,articles,start_on,term,remand_days,note\n"
		"Бердибаев,Азамат,Нурланович,Berdibaev,Azamat,Nurlanovich,male,1990-03-15,\"Бишкек, Кыргызстан\",KG,passport,"
		"AN 1234567,KG,executive,Октябрьский отдел,01.02.2026,Октябрьский районный суд,1-234/25,20.12.2025,"
		"PROBATION, CC-253 ; CC-254 ;,05.01.2026,2y6m,045,\"первая строка\n"
		"вторая \"\"строка\"\"\"\n"
		"  Иванова ,Мария,,,,,female,01.01.1985,,,,,,post_penitentiary,Первомайский отдел,,,,,,,,,,\n");
	expect_no_errors(&r);
	assert_int_equal(r.nrows, 2);
	assert_int_equal(r.nheader, IMPORT_NCOLUMNS);
	assert_string_equal(r.header[IMPORT_NCOLUMNS - 1], "note");
	const struct import_row *a = &r.rows[0], *b = &r.rows[1];
	assert_int_equal(a->line, 2);
	assert_string_equal(a->value[IMPORT_SURNAME], "Бердибаев");
	assert_string_equal(a->value[IMPORT_BIRTH_DATE], "1990-03-15");
	assert_string_equal(a->value[IMPORT_BIRTH_PLACE], "Бишкек, Кыргызстан");
	assert_string_equal(a->value[IMPORT_DOCUMENT_NUMBER], "AN 1234567");
	assert_string_equal(a->value[IMPORT_OPENED_ON], "2026-02-01");
	assert_string_equal(a->value[IMPORT_DECISION_DATE], "2025-12-20");
	assert_string_equal(a->value[IMPORT_ARTICLES], "CC-253;CC-254");
	assert_string_equal(a->value[IMPORT_START_ON], "2026-01-05");
	assert_string_equal(a->value[IMPORT_TERM], "2y6m");
	assert_string_equal(a->value[IMPORT_REMAND_DAYS], "45");
	assert_string_equal(a->value[IMPORT_NOTE], "первая строка\nвторая \"строка\"");
	/* The note spans lines 2 and 3, so the next row starts on line 4. */
	assert_int_equal(b->line, 4);
	assert_string_equal(b->value[IMPORT_SURNAME], "Иванова");
	assert_string_equal(b->value[IMPORT_SEX], "female");
	assert_string_equal(b->value[IMPORT_BIRTH_DATE], "1985-01-01");
	assert_null(b->value[IMPORT_PATRONYMIC]);
	assert_null(b->value[IMPORT_NOTE]);
	import_result_free(&r);
	assert_null(r.rows);
	assert_int_equal(r.nrows, 0);
	import_result_free(&r); /* twice is harmless */
}

static void bom_crlf_and_blank_lines(void **state)
{
	struct import_result r = parse("\xEF\xBB\xBF" HEAD ",note\r\n"
	                               "\"Ива\r\nнов\",Иван,1990-01-01,executive,Отдел,x\r\n"
	                               "\r\n"
	                               "   \r\n"
	                               ",,,,,\r\n"
	                               "Петров,Пётр,1991-02-03,executive,Отдел,\"a\r\nb\rc\"\r\n"
	                               "Сидоров,Сидор,1992-03-04,executive,Отдел,"); /* no line end at all */
	/* The first row's surname has a line break: an error, but its line is still 2. */
	expect_error(&r, 2, "surname", "contains a line break");
	assert_int_equal(r.nerrors_total, 1);
	assert_int_equal(r.nrows, 3);
	assert_string_equal(r.header[0], "surname"); /* the BOM is not part of the first name */
	assert_int_equal(r.rows[0].line, 2);
	assert_null(r.rows[0].value[IMPORT_SURNAME]);
	assert_int_equal(r.rows[1].line, 7);
	assert_string_equal(r.rows[1].value[IMPORT_NOTE], "a\nb\nc");
	assert_int_equal(r.rows[2].line, 10);
	assert_null(r.rows[2].value[IMPORT_NOTE]);
	import_result_free(&r);
}

static void row_starting_with_multiline_field(void **state)
{
	struct import_result r = parse("note," HEAD "\n"
	                               "\n"
	                               "\"one\ntwo\nthree\"," GOOD "\n"
	                               "," GOOD "\n");
	expect_no_errors(&r);
	assert_int_equal(r.nrows, 2);
	assert_int_equal(r.rows[0].line, 3);
	assert_int_equal(r.rows[1].line, 6);
	import_result_free(&r);
}

static void unknown_and_duplicated_columns(void **state)
{
	struct import_result r = parse("surname,given_name,Surname,birth_date,case_kind,unit,unit,colour\n"
	                               "Иванов,Иван,x,1990-01-01,executive,Отдел,Отдел 2,синий\n");
	expect_error(&r, 1, "Surname", "is not a known column");
	expect_error(&r, 1, "unit", "appears more than once in the header");
	expect_error(&r, 1, "colour", "is not a known column");
	assert_int_equal(r.nerrors_total, 3);
	assert_ptr_equal(r.errors[0].column, r.header[2]); /* the name lives in the result */
	assert_int_equal(r.nrows, 1);
	import_result_free(&r);
}

static void missing_required_columns(void **state)
{
	struct import_result r = parse("surname,birth_date\nИванов,1990-01-01\n");
	expect_error(&r, 1, "given_name", "is missing from the header");
	expect_error(&r, 1, "case_kind", "is missing from the header");
	expect_error(&r, 1, "unit", "is missing from the header");
	assert_int_equal(r.nerrors_total, 3); /* and not again in every row */
	import_result_free(&r);
}

static void required_values(void **state)
{
	struct import_result r = parse(HEAD "\n"
	                               ",Иван,1990-01-01,executive,Отдел\n"
	                               "Иванов,  ,,executive\n");
	expect_error(&r, 2, "surname", "is required");
	expect_error(&r, 3, "given_name", "is required");
	expect_error(&r, 3, "birth_date", "is required");
	expect_error(&r, 3, "unit", "is required"); /* a short row: the missing fields are empty */
	assert_int_equal(r.nerrors_total, 4);
	assert_int_equal(r.nrows, 2);
	import_result_free(&r);
}

static void enumerated_values(void **state)
{
	struct import_result r = parse("surname,given_name,birth_date,case_kind,unit,sex,document_type,document_number\n"
	                               "Иванов,Иван,1990-01-01,probation,Отдел,Male,passport2,AN123\n");
	expect_error(&r, 2, "sex", "must be one of: male, female");
	expect_error(&r, 2, "case_kind", "must be one of: pre_trial, executive, penitentiary, post_penitentiary");
	expect_error(&r, 2, "document_type",
	             "must be one of: passport, id_card, foreign_passport, birth_certificate, other");
	assert_int_equal(r.nerrors_total, 3);
	assert_null(r.rows[0].value[IMPORT_SEX]); /* a bad value is never handed on */
	import_result_free(&r);
}

static void dates(void **state)
{
	static const struct {
		const char *in, *out, *error;
	} cases[] = {
		{"2026-01-31", "2026-01-31", NULL},
		{"29.02.2024", "2024-02-29", NULL},
		{"2000-02-29", "2000-02-29", NULL},
		{"31.12.1900", "1900-12-31", NULL},
		{"31.02.2026", NULL, "has no day 31: February 2026 has 28 days"},
		{"29.02.2100", NULL, "has no day 29: February 2100 has 28 days"},
		{"2026-04-31", NULL, "April 2026 has 30 days"},
		{"00.01.2026", NULL, "has no day 00"},
		{"2026-13-01", NULL, "has no month 13"},
		{"2026-00-10", NULL, "has no month 00"},
		{"1899-12-31", NULL, "must be a date from 1900 on"},
		{"2026/01/01", NULL, "must be a date (YYYY-MM-DD or DD.MM.YYYY)"},
		{"1.2.2026", NULL, "must be a date (YYYY-MM-DD or DD.MM.YYYY)"},
		{"2026-1-01", NULL, "must be a date (YYYY-MM-DD or DD.MM.YYYY)"},
		{"01.01.26", NULL, "must be a date (YYYY-MM-DD or DD.MM.YYYY)"},
		{"сегодня", NULL, "must be a date (YYYY-MM-DD or DD.MM.YYYY)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct import_result r = parse_row("opened_on", cases[i].in);
		if (cases[i].out) {
			expect_no_errors(&r);
			assert_string_equal(r.rows[0].value[IMPORT_OPENED_ON], cases[i].out);
		} else {
			expect_error(&r, 2, "opened_on", cases[i].error);
			assert_int_equal(r.nerrors_total, 1);
			assert_null(r.rows[0].value[IMPORT_OPENED_ON]);
		}
		import_result_free(&r);
	}
}

static void countries_and_documents(void **state)
{
	struct import_result r = parse(HEAD ",citizenship,document_type,document_number,document_country\n"
	                               GOOD ",kg,,,KG\n"              /* line 2: country alone */
	                               GOOD ",KGZ,other,AB,RU\n"      /* line 3: bad citizenship, short number */
	                               GOOD ",KG,id_card,AB_123,\n"   /* line 4: bad character */
	                               GOOD ",,passport,,\n"          /* line 5: number missing */
	                               GOOD ",KG,birth_certificate,IV-АН 123456,KG\n"); /* line 6: fine */
	expect_error(&r, 2, "citizenship", "must be a two-letter country code in capitals");
	expect_error(&r, 2, "document_type", "is required when a document is given");
	expect_error(&r, 2, "document_number", "is required when a document is given");
	expect_error(&r, 3, "citizenship", "must be a two-letter country code");
	expect_error(&r, 3, "document_number", "must be 3 to 32 letters, digits, spaces or hyphens");
	expect_error(&r, 4, "document_number", "must be 3 to 32 letters");
	expect_error(&r, 5, "document_number", "is required when a document is given");
	assert_int_equal(r.nerrors_total, 7);
	assert_string_equal(r.rows[4].value[IMPORT_DOCUMENT_NUMBER], "IV-АН 123456");
	import_result_free(&r);
}

static void decision_columns_partly_given(void **state)
{
	struct import_result r = parse(
		HEAD ",decision_authority,decision_number,decision_date,measure,articles,start_on,term,remand_days\n"
		GOOD ",,,,PROBATION,,,,\n"                                            /* line 2 */
		GOOD ",,,,,CC-253,,,\n"                                               /* line 3 */
		GOOD ",Суд,,2025-12-20,PROBATION, CC-253 ; ;CC-254;,2026-01-05,1y,\n" /* line 4: complete */
		GOOD ",,,,,,,,30\n"                                                   /* line 5: remand alone */
		GOOD ",Суд,1-2/25,2025-12-20,PROBATION,; ;,2026-01-05,1y,\n");       /* line 6: no codes */
	expect_error(&r, 2, "decision_authority", "is required when a decision is given");
	expect_error(&r, 2, "decision_date", "is required when a decision is given");
	expect_error(&r, 2, "start_on", "is required when a decision is given");
	expect_error(&r, 2, "term", "is required when a decision is given");
	expect_error(&r, 3, "measure", "is required when a decision is given");
	expect_error(&r, 6, "articles", "must list article codes separated by ';'");
	assert_int_equal(r.nerrors_total, 4 + 5 + 1);
	assert_string_equal(r.rows[2].value[IMPORT_TERM], "1y");
	assert_string_equal(r.rows[2].value[IMPORT_ARTICLES], "CC-253;CC-254");
	assert_null(r.rows[2].value[IMPORT_DECISION_NUMBER]);
	import_result_free(&r);
}

static void terms_and_remand_days(void **state)
{
	static const struct {
		const char *term, *out, *error;
	} terms[] = {
		{"5y6m10d", "5y6m10d", NULL},
		{"5y 6m", "5y6m", NULL},
		{"08m15d", "8m15d", NULL},
		{"50y", "50y", NULL},
		{"49y12m", "49y12m", NULL},
		{"18262d", "18262d", NULL},
		{"50y1d", NULL, "must be at most 50 years"},
		{"18263d", NULL, "must be at most 50 years"},
		{"99999999999999y", NULL, "must be at most 50 years"},
		{"0y0d", NULL, "must be longer than zero"},
		{"6m5y", NULL, "must be a term like 5y6m10d"},
		{"5y5y", NULL, "must be a term like 5y6m10d"},
		{"5", NULL, "must be a term like 5y6m10d"},
		{"y", NULL, "must be a term like 5y6m10d"},
		{"5 y", NULL, "must be a term like 5y6m10d"},
		{"5Y", NULL, "must be a term like 5y6m10d"},
	};
	for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
		char *values = xasprintf("Суд,2025-12-20,PROBATION,2026-01-05,%s", terms[i].term);
		struct import_result r = parse_row("decision_authority,decision_date,measure,start_on,term", values);
		free(values);
		if (terms[i].out) {
			expect_no_errors(&r);
			assert_string_equal(r.rows[0].value[IMPORT_TERM], terms[i].out);
		} else {
			expect_error(&r, 2, "term", terms[i].error);
			assert_int_equal(r.nerrors_total, 1);
		}
		import_result_free(&r);
	}
	static const struct {
		const char *days, *out;
	} remand[] = {{"0", "0"}, {"007", "7"}, {"20000", "20000"}, {"20001", NULL}, {"-1", NULL},
	              {"1.5", NULL}, {"10 дней", NULL}, {"99999999999999999999", NULL}};
	for (size_t i = 0; i < sizeof remand / sizeof remand[0]; i++) {
		struct import_result r = parse_row("remand_days", remand[i].days);
		if (remand[i].out) {
			expect_no_errors(&r);
			assert_string_equal(r.rows[0].value[IMPORT_REMAND_DAYS], remand[i].out);
		} else {
			expect_error(&r, 2, "remand_days", "must be a whole number from 0 to 20000");
		}
		import_result_free(&r);
	}
}

static void names(void **state)
{
	struct import_result r = parse("surname,given_name,patronymic,surname_latin,given_name_latin,birth_date,"
	                               "case_kind,unit\n"
	                               "Ив" "a" "нов,Иван2,,Иванов,Ivan,1990-01-01,executive,Отдел\n" /* line 2 */
	                               "O'Brien-Smith,Äbdiraimov,угли,Abdiraimov ʼUgli,Zoë,1990-01-01,executive,"
	                               "Отдел\n"); /* line 3: fine */
	expect_error(&r, 2, "surname", "mixes Cyrillic and Latin letters");
	expect_error(&r, 2, "given_name", "must be written in Cyrillic or Latin letters");
	expect_error(&r, 2, "surname_latin", "must be written in Latin letters");
	assert_int_equal(r.nerrors_total, 3);
	assert_null(r.rows[0].value[IMPORT_SURNAME]);
	assert_string_equal(r.rows[0].value[IMPORT_GIVEN_NAME_LATIN], "Ivan");
	assert_string_equal(r.rows[1].value[IMPORT_SURNAME], "O'Brien-Smith");
	assert_string_equal(r.rows[1].value[IMPORT_SURNAME_LATIN], "Abdiraimov ʼUgli");
	import_result_free(&r);
}

static void field_length_in_characters(void **state)
{
	struct buf b = {0};
	buf_puts(&b, HEAD ",birth_place,note\n" GOOD ",");
	for (int i = 0; i < IMPORT_MAX_FIELD_CHARS; i++)
		buf_puts(&b, "ж"); /* 500 characters, 1000 bytes: fine */
	buf_puts(&b, ",\"");
	for (int i = 0; i <= IMPORT_MAX_FIELD_CHARS; i++)
		buf_puts(&b, "\"\""); /* 501 quotes */
	buf_puts(&b, "\"\n");
	struct import_result r = parse(b.data);
	expect_error(&r, 2, "note", "has more than 500 characters");
	assert_int_equal(r.nerrors_total, 1);
	assert_int_equal(strlen(r.rows[0].value[IMPORT_BIRTH_PLACE]), 2 * IMPORT_MAX_FIELD_CHARS);
	import_result_free(&r);
	buf_free(&b);
}

static void control_characters(void **state)
{
	static const char text[] = HEAD ",note\n"
	                           "Иванов,Иван,1990-01-01,executive,\"a\tb\",\"ok\nok\"\n"    /* line 2 */
	                           "Иванов,Иван,1990-01-01,executive,a\0b,\x1b[31m\n"         /* line 4 */
	                           "Иванов,Иван,1990-01-01,executive,\xe2\x80\xaeОтдел,\n";   /* line 5 */
	struct import_result r = parse_bytes(text, sizeof text - 1);
	expect_error(&r, 2, "unit", "contains a control character");
	expect_error(&r, 4, "unit", "contains a control character");
	expect_error(&r, 4, "note", "contains a control character");
	expect_error(&r, 5, "unit", "contains a control character");
	assert_int_equal(r.nerrors_total, 4);
	assert_string_equal(r.rows[0].value[IMPORT_NOTE], "ok\nok");
	import_result_free(&r);
}

static void invalid_utf8(void **state)
{
	struct import_result r = parse(HEAD ",birth_pl\xff" "ce,note\n"
	                               "Иванов,Иван,1990-01-01,executive,\xc0\xaf,x,\xd0\n"
	                               "\xc8\xe2\xe0\xed\xee\xe2,Иван,1990-01-01,executive,Отдел,,\xed\xa0\x80\n");
	expect_error(&r, 1, "birth_pl\xef\xbf\xbd" "ce", "is not a known column");
	expect_error(&r, 2, "unit", "is not valid UTF-8");
	expect_error(&r, 2, "note", "is not valid UTF-8");
	expect_error(&r, 3, "surname", "is not valid UTF-8 (save the file as \"CSV UTF-8\")"); /* Windows-1251 */
	expect_error(&r, 3, "note", "is not valid UTF-8"); /* a surrogate */
	assert_int_equal(r.nerrors_total, 5);
	import_result_free(&r);
}

static void too_many_rows(void **state)
{
	struct buf b = {0};
	buf_puts(&b, HEAD "\n");
	for (int i = 0; i < IMPORT_MAX_ROWS; i++)
		buf_puts(&b, GOOD "\n");
	struct import_result r = parse(b.data);
	expect_no_errors(&r);
	assert_int_equal(r.nrows, IMPORT_MAX_ROWS);
	assert_int_equal(r.rows[IMPORT_MAX_ROWS - 1].line, IMPORT_MAX_ROWS + 1);
	import_result_free(&r);

	buf_puts(&b, "\n" GOOD "\n" GOOD "\n"); /* the 10001st row, on line 10003 */
	r = parse(b.data);
	expect_error(&r, IMPORT_MAX_ROWS + 3, NULL, "the file has more than 10000 rows");
	assert_int_equal(r.nerrors_total, 1); /* and reading stops there */
	assert_int_equal(r.nrows, IMPORT_MAX_ROWS);
	import_result_free(&r);
	buf_free(&b);
}

static void errors_are_capped_but_counted(void **state)
{
	struct buf b = {0};
	buf_puts(&b, HEAD ",sex\n");
	for (int i = 0; i < 600; i++)
		buf_puts(&b, GOOD ",m\n");
	struct import_result r = parse(b.data);
	assert_int_equal(r.nerrors, IMPORT_MAX_ERRORS);
	assert_int_equal(r.nerrors_total, 600);
	assert_int_equal(r.errors[IMPORT_MAX_ERRORS - 1].line, IMPORT_MAX_ERRORS + 1);
	assert_int_equal(r.nrows, 600);
	import_error_add(&r, 7, "unit", "is not a unit of %s", "this agency");
	assert_int_equal(r.nerrors, IMPORT_MAX_ERRORS);
	assert_int_equal(r.nerrors_total, 601);
	import_result_free(&r);
	buf_free(&b);
}

static void csv_syntax_errors(void **state)
{
	struct import_result r = parse(HEAD "\n"
	                               "Иванов,Иван,1990-01-01,executive,Отдел \"А\"\n"      /* line 2 */
	                               "Петров,Пётр,\"1990-01-01\"x,executive,Отдел\n"        /* line 3 */
	                               "Сидоров,Сидор,1990-01-01,executive,Отдел\n"           /* line 4: fine */
	                               "Асанов,\"Асан\n"                                      /* line 5 ... */
	                               "1990-01-01,executive,Отдел\n");                       /* ... to the end */
	expect_error(&r, 2, "unit", "has a stray quote");
	expect_error(&r, 3, "birth_date", "has a stray quote");
	expect_error(&r, 5, "given_name", "unterminated quoted field");
	assert_int_equal(r.nerrors_total, 3);
	assert_int_equal(r.nrows, 1);
	assert_int_equal(r.rows[0].line, 4);
	import_result_free(&r);

	r = parse("surname,\"given_name\"x,birth_date\n" GOOD "\n"); /* a broken header ends the reading */
	expect_error(&r, 1, NULL, "has a stray quote");
	assert_int_equal(r.nerrors_total, 1);
	import_result_free(&r);
}

static void empty_file_and_header_only(void **state)
{
	static const char *const empty[] = {"", "\xEF\xBB\xBF", "\n\r\n  \n", ",,,\n"};
	for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
		struct import_result r = parse(empty[i]);
		expect_error(&r, 1, NULL, "the file has no header row");
		assert_int_equal(r.nerrors_total, 1);
		import_result_free(&r);
	}
	struct import_result r = parse(HEAD "\n\n");
	expect_error(&r, 1, NULL, "the file has no data rows");
	assert_int_equal(r.nerrors_total, 1);
	import_result_free(&r);
}

static void values_outside_named_columns(void **state)
{
	struct import_result r = parse("surname,,given_name,birth_date,case_kind,unit\n"
	                               "Иванов,,Иван,1990-01-01,executive,Отдел,,  ,\n" /* empty extras: fine */
	                               "Иванов,?,Иван,1990-01-01,executive,Отдел\n"
	                               "Иванов,,Иван,1990-01-01,executive,Отдел,Петров\n");
	expect_error(&r, 3, NULL, "has a value in column 2, which has no name in the header");
	expect_error(&r, 4, NULL, "has a value beyond the last column of the header");
	assert_int_equal(r.nerrors_total, 2);
	assert_string_equal(r.header[1], "");
	import_result_free(&r);
}

static void column_names_and_added_errors(void **state)
{
	for (int c = 0; c < IMPORT_NCOLUMNS; c++) {
		assert_non_null(import_column_name(c));
		for (int d = 0; d < c; d++)
			assert_string_not_equal(import_column_name(c), import_column_name(d));
	}
	assert_string_equal(import_column_name(IMPORT_NOTE), "note");
	assert_null(import_column_name(IMPORT_NCOLUMNS));

	struct import_result r = parse(HEAD "\n" GOOD "\n");
	expect_no_errors(&r);
	import_error_add(&r, r.rows[0].line, import_column_name(IMPORT_UNIT), "is not a unit you may import into");
	expect_error(&r, 2, "unit", "is not a unit you may import into");
	assert_int_equal(r.nerrors_total, 1);
	import_result_free(&r);
	assert_null(r.errors);
	assert_int_equal(r.nerrors_total, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_file_with_values_and_line_numbers),
		cmocka_unit_test(bom_crlf_and_blank_lines),
		cmocka_unit_test(row_starting_with_multiline_field),
		cmocka_unit_test(unknown_and_duplicated_columns),
		cmocka_unit_test(missing_required_columns),
		cmocka_unit_test(required_values),
		cmocka_unit_test(enumerated_values),
		cmocka_unit_test(dates),
		cmocka_unit_test(countries_and_documents),
		cmocka_unit_test(decision_columns_partly_given),
		cmocka_unit_test(terms_and_remand_days),
		cmocka_unit_test(names),
		cmocka_unit_test(field_length_in_characters),
		cmocka_unit_test(control_characters),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(too_many_rows),
		cmocka_unit_test(errors_are_capped_but_counted),
		cmocka_unit_test(csv_syntax_errors),
		cmocka_unit_test(empty_file_and_header_only),
		cmocka_unit_test(values_outside_named_columns),
		cmocka_unit_test(column_names_and_added_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
