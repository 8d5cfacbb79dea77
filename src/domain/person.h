/*
 * person.h — the person record: names in both scripts, documents, addresses,
 * phones, aliases; the name search index kept in step with them; merging two
 * records of one person. Checks of format belong to the API's validation;
 * these functions keep the record consistent.
 */
#ifndef KADAM_DOMAIN_PERSON_H
#define KADAM_DOMAIN_PERSON_H

#include <stdbool.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

/* SQL for a person's name as shown in lists ("surname given_name patronymic", the patronymic when there is one),
 * of the person table under the alias a: PERSON_NAME_SQL("p") " AS person_name". */
#define PERSON_NAME_SQL(a) a ".surname || ' ' || " a ".given_name || COALESCE(' ' || " a ".patronymic, '')"

/* The fields of a person's main record; NULL leaves an optional field empty. Borrowed strings. */
struct person_fields {
	const char *surname, *given_name, *patronymic;                   /* as in the documents */
	const char *surname_latin, *given_name_latin, *patronymic_latin; /* NULL: made by transliteration */
	const char *sex;                /* "male", "female" or NULL */
	const char *birth_date;         /* YYYY-MM-DD, required */
	const char *birth_place;
	const char *citizenship;        /* ISO 3166-1 alpha-2 */
	const char *languages;          /* comma-separated codes; NULL: "" */
	const char *preferred_language; /* ky, ru or en; NULL: ky */
};

enum db_status person_create(db *conn, const char *unit_id, const struct person_fields *f, const char *actor_id,
                             int64_t now, char id_r[UUID_STR_LEN]);
/* Changes the main record when its version is still `version` (*stale_r true otherwise). */
enum db_status person_update(db *conn, const char *id, const struct person_fields *f, int64_t version,
                             int64_t now, bool *stale_r);
/* Rebuilds the person's rows in the name search index from the names and aliases. */
enum db_status person_reindex(db *conn, const char *id);

/* Upper-case letters and digits of a document number: what search compares. */
void person_document_key(const char *number, char *key, size_t size);
enum db_status person_document_add(db *conn, const char *person_id, const char *type, const char *number,
                                   const char *country, const char *issued_on, const char *expires_on, int64_t now,
                                   char id_r[UUID_STR_LEN]);
/* The (unmerged) person holding a document with this number, or "" when none. */
enum db_status person_by_document(db *conn, const char *number, char id_r[UUID_STR_LEN]);
enum db_status person_alias_add(db *conn, const char *person_id, const char *name, const char *kind, int64_t now,
                                char id_r[UUID_STR_LEN]);
/* A new address of a kind ends the current one of that kind the day it starts. */
enum db_status person_address_add(db *conn, const char *person_id, const char *kind, const char *address,
                                  const char *valid_from, int64_t now, char id_r[UUID_STR_LEN]);
enum db_status person_phone_add(db *conn, const char *person_id, const char *number, const char *label,
                                int64_t now, char id_r[UUID_STR_LEN]);

/*
 * Merges `merged` into `kept`: cases, documents, addresses, phones, aliases,
 * third parties and access requests move to `kept`; the merged record's
 * names become aliases of `kept`; the merged record stays, marked
 * merged_into, so both histories remain. Each moved case gets a timeline event.
 */
enum db_status person_merge(db *conn, const char *kept, const char *merged, const char *reason,
                            const char *actor_id, int64_t now, char id_r[UUID_STR_LEN]);

#endif
