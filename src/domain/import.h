/*
 * import.h — reading a CSV file of people and their cases (a prison's release
 * list, a court's register) and checking its syntax and each field. The
 * caller then checks references (units, measures, article codes) against the
 * database and adds its own errors. If any row is bad nothing is imported, so
 * every problem is reported, each by line and column.
 *
 * The file format (this comment is the user documentation):
 *
 * - UTF-8 text; a byte-order mark at the start is skipped. Fields are
 *   separated by commas and quoted as in RFC 4180: a field that contains a
 *   comma, a quote or a line break is put in double quotes, and a quote
 *   inside it is doubled ("Bishkek, ""Ala-Too"" street"). Lines end in LF or
 *   CRLF. Blank lines, and lines whose fields are all empty, are ignored.
 * - The first line is a header naming the columns, in any order. Names are
 *   lower-case and exact; an unknown or repeated name is an error, and so is
 *   a missing required column. A column with an empty name is ignored, but
 *   it must stay empty in every row; so must any field beyond the last column
 *   of the header. A row may stop early: the missing fields are empty.
 * - At most 10000 data rows; each field at most 500 characters once the
 *   spaces and tabs around it are removed (they always are). A value must be
 *   valid UTF-8 without control characters (nor invisible direction marks);
 *   only a note may contain line breaks (quote the field).
 * - Line numbers count physical lines from 1 (the header); a row's number is
 *   the line where it starts, even when a quoted field before it spans lines.
 *
 * The columns (* required):
 *   surname*, given_name*, patronymic    as in the documents, in Cyrillic or
 *                                        in Latin letters, not mixed (spaces,
 *                                        hyphens, apostrophes, dots allowed)
 *   surname_latin, given_name_latin,     the Latin spelling
 *   patronymic_latin
 *   sex                                  male | female
 *   birth_date*                          a date, not in the future
 *   birth_place                          free text
 *   citizenship                          ISO 3166-1 alpha-2 code in capitals (KG)
 *   document_type                        passport | id_card | foreign_passport |
 *                                        birth_certificate | other
 *   document_number                      3 to 32 letters, digits, spaces, hyphens
 *   document_country                     the issuing country (alpha-2, KG)
 *   case_kind*                           pre_trial | executive | penitentiary |
 *                                        post_penitentiary
 *   unit*                                the name of the unit that owns the case
 *   opened_on                            a date; by default the day of import
 *   decision_authority                   the court or body that decided
 *   decision_number                      free text
 *   decision_date                        a date
 *   measure                              the code of the measure (see the list)
 *   articles                             article codes separated by ';' (CC-253;CC-254)
 *   start_on                             a date: the start of the term
 *   term                                 years, months, days in that order,
 *                                        each optional: 5y6m10d, 2y, 8m15d; more
 *                                        than zero and at most 50 years
 *   remand_days                          whole days credited: 0 to 20000
 *   note                                 free text (line breaks allowed)
 * A date is YYYY-MM-DD or DD.MM.YYYY, a day of the calendar from 1900 on.
 * If any document_* field has a value, document_type and document_number are
 * required. If any of decision_authority, decision_number, decision_date,
 * measure, articles, start_on, term has a value, then decision_authority,
 * decision_date, measure, start_on and term are required.
 *
 * A CSV syntax error (a stray quote) is reported and its row is not checked
 * further; checking goes on from the next line. An unterminated quoted field
 * runs to the end of the file. At the 10001st data row checking stops.
 */
#ifndef KADAM_DOMAIN_IMPORT_H
#define KADAM_DOMAIN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#define IMPORT_MAX_ROWS 10000
#define IMPORT_MAX_FIELD_CHARS 500 /* Unicode characters, not bytes */
#define IMPORT_MAX_ERRORS 500      /* errors kept; more are only counted */
#define IMPORT_MESSAGE_SIZE 200

enum import_column {
	IMPORT_SURNAME,
	IMPORT_GIVEN_NAME,
	IMPORT_PATRONYMIC,
	IMPORT_SURNAME_LATIN,
	IMPORT_GIVEN_NAME_LATIN,
	IMPORT_PATRONYMIC_LATIN,
	IMPORT_SEX,
	IMPORT_BIRTH_DATE,
	IMPORT_BIRTH_PLACE,
	IMPORT_CITIZENSHIP,
	IMPORT_DOCUMENT_TYPE,
	IMPORT_DOCUMENT_NUMBER,
	IMPORT_DOCUMENT_COUNTRY,
	IMPORT_CASE_KIND,
	IMPORT_UNIT,
	IMPORT_OPENED_ON,
	IMPORT_DECISION_AUTHORITY,
	IMPORT_DECISION_NUMBER,
	IMPORT_DECISION_DATE,
	IMPORT_MEASURE,
	IMPORT_ARTICLES,
	IMPORT_START_ON,
	IMPORT_TERM,
	IMPORT_REMAND_DAYS,
	IMPORT_NOTE,
	IMPORT_NCOLUMNS
};

/* The header name of a column ("surname"); NULL when c is out of range. */
const char *import_column_name(enum import_column c);

/*
 * One data row. Values are trimmed and checked; NULL when the field is empty,
 * absent, or failed a check (the error says why), so the caller only ever sees
 * valid values. Dates are normalised to YYYY-MM-DD, articles to "a;b" with no
 * spaces around the codes, remand_days to plain decimal, term to "5y6m10d", line
 * breaks in a note to LF. Owned by the import_result.
 */
struct import_row {
	long line;                        /* physical line where the row starts */
	char *value[IMPORT_NCOLUMNS];     /* owned, NUL-terminated, or NULL */
};

/* One problem found. A message is a short lower-case phrase for people, said of
 * the column when there is one ("is required"). */
struct import_error {
	long line;                        /* 1-based physical line; the header is line 1 */
	const char *column;               /* import_column_name(), a header name owned by the
	                                   * result (an unknown column), or NULL: the whole row/file */
	char message[IMPORT_MESSAGE_SIZE];
};

/* What import_parse() found. Owned by whoever declares it; import_result_free()
 * releases everything it points to. */
struct import_result {
	struct import_row *rows;          /* owned; every non-blank data row, in file order */
	size_t nrows;
	struct import_error *errors;      /* owned; at most IMPORT_MAX_ERRORS, in the order found */
	size_t nerrors;
	size_t nerrors_total;             /* all errors, kept or not; the import is good when 0 */
	char **header;                    /* owned; the header's names as read, made printable
	                                   * (valid UTF-8, cut at 40 characters) */
	size_t nheader;
};

/*
 * Parses len bytes of data (not NUL-terminated; may hold any bytes) into
 * *result_r, which it initialises. Returns false only when memory runs out,
 * with *result_r empty; problems with the file go into result_r->errors.
 */
bool import_parse(const char *data, size_t len, struct import_result *result_r);

/* Adds an error (kept while fewer than IMPORT_MAX_ERRORS are, always counted).
 * column must outlive r: a static name, or one of r->header. */
void import_error_add(struct import_result *r, long line, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Frees everything r owns and empties it; safe to call twice. */
void import_result_free(struct import_result *r);

#endif
