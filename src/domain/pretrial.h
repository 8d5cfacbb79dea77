/*
 * pretrial.h — pre-trial reports (the social inquiry a court asks for on an
 * accused person): the report template, the request with its inquiry tasks;
 * and the few things the documents Kadam prints share: numeric settings, HTML
 * escaping and filling, and the loading of their ky/ru/en wording.
 *
 * The template is data (data/pretrial-template.json, compiled in): an id, a
 * version, titles and guidance in ky/ru/en for each section, whether the
 * section is required before submission, its length limit, whether it holds
 * facts or an assessment (S14) and whether it is a special category (S15),
 * and the document's labels. A request records the template as "id@version".
 */
#ifndef KADAM_DOMAIN_PRETRIAL_H
#define KADAM_DOMAIN_PRETRIAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/uuid.h"
#include "store/db.h"

/* The inquiry tasks every new request starts with (NULL-terminated). */
extern const char *const pretrial_task_kinds[];

/*
 * The template, parsed and checked once (thread-safe); NULL when the compiled
 * file is malformed (logged). Borrowed: never modify or decref it.
 */
const json_t *pretrial_template(void);
/* "social-inquiry@1". */
const char *pretrial_template_ref(void);
/* The section object with this id, or NULL. */
const json_t *pretrial_template_section(const char *section_id);
/* A label of the document in a language ("court", "task.family", ...); the key itself when unknown. */
const char *pretrial_label(const char *key, const char *lang);

/* A new request: borrowed strings; dates YYYY-MM-DD. */
struct pretrial_fields {
	const char *court, *court_reference, *received_on, *due_on, *language;
};

/* Inserts the request with status "requested" and one open task of each kind, due on the report's due date. */
enum db_status pretrial_create(db *conn, const char *case_id, const struct pretrial_fields *f, int64_t now,
                               char id_r[UUID_STR_LEN]);

/* A whole-number setting within [min, max]; def when it is missing or not such a number. */
enum db_status setting_int(db *conn, const char *key, long def, long min, long max, long *value_r);

/* Appends s with &, <, >, " and ' escaped for HTML text and attribute values. NULL appends nothing. */
void html_escape(struct buf *b, const char *s);
/* The opening of a printable, self-contained HTML document (doctype, head with title and the shared
 * inline style, body); html_style_csp() is the Content-Security-Policy that lets that style apply. */
void html_document_begin(struct buf *b, const char *lang, const char *title);
void html_document_end(struct buf *b);
/* "default-src 'none'; style-src 'sha256-...'; img-src data:; ..." for a document from html_document_begin. */
const char *html_style_csp(void);

/* A value that fills a {name} placeholder of a document's text. */
struct html_value {
	const char *name; /* "date" fills {date} */
	const char *text; /* plain text (escaped when written); NULL writes nothing */
};
/* Appends text with each {name} of values filled in, the text and the values HTML-escaped; a {...} no value names
 * stays as written. */
void html_fill(struct buf *b, const char *text, const struct html_value *values, size_t n);
/* <h2>text</h2>, escaped. */
void html_heading(struct buf *b, const char *text);
/* <tr><th>name</th><td>value</td></tr>, both escaped. */
void html_row(struct buf *b, const char *name, const char *value);
/* A date (YYYY-MM-DD) as people read it in lang; other text as it is; missing when iso is NULL or empty. Returns out. */
const char *html_human_date(const char *iso, const char *lang, const char *missing, char out[48]);

/*
 * The wording of a printed document: a JSON file compiled in (scripts/embed-text.py) whose "labels" object gives
 * each label in ky, ru and en. Define one per file with WORDING(...) and read it with the functions below: it is
 * parsed and checked on first use (thread-safe); an unusable file is logged once and its labels print as their keys.
 */
struct wording {
	const char *file;        /* "data/response-letters.json", for the log */
	const char *json;        /* the compiled text */
	const size_t *len;       /* and its length */
	const char *const *keys; /* labels that must be there (NULL-terminated), or NULL: only those present */
	bool tried;              /* under a lock inside pretrial.c */
	json_t *doc;             /* the whole file; NULL when unusable */
};
#define WORDING(file_, json_, len_, keys_) {.file = (file_), .json = (json_), .len = &(len_), .keys = (keys_)}

/* The whole file (members such as "id" and "version" besides "labels"); NULL when it is unusable. Borrowed. */
const json_t *wording_document(struct wording *w);
/* A label in a language, or NULL when there is none. */
const char *wording_find(struct wording *w, const char *key, const char *lang);
/* A label in a language; the key itself when unknown. */
const char *wording_label(struct wording *w, const char *key, const char *lang);
/* "<key>.<variant>" (say "bring.home_visit") when the wording has it, else the label key. */
const char *wording_label_for(struct wording *w, const char *key, const char *variant, const char *lang);

#endif
