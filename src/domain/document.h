/*
 * document.h — what every document Kadam prints shares (letters, the conditions
 * sheet, the pre-trial report, breach notices, referral packs, decisions):
 * HTML escaping and filling, a self-contained page with its own CSP, human
 * dates, and the loading of each document's ky/ru/en wording.
 */
#ifndef KADAM_DOMAIN_DOCUMENT_H
#define KADAM_DOMAIN_DOCUMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

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
