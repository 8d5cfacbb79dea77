/*
 * pretrial.h — pre-trial reports (the social inquiry a court asks for on an
 * accused person): the report template, the request with its inquiry tasks.
 * (Numeric settings are in domain/settings.h; what every printed document shares is in
 * domain/document.h.)
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
#include "domain/document.h"
#include "domain/settings.h"
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


#endif
