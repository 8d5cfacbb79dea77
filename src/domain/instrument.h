/*
 * instrument.h — risk and needs instruments as data (docs/instrument.schema.json):
 * checking a file (the schema, then what a schema cannot say), loading it as
 * a new version, the two instruments Kadam ships (data/instruments/), and
 * reading a loaded definition. Nothing here computes a judgement (S14).
 */
#ifndef KADAM_DOMAIN_INSTRUMENT_H
#define KADAM_DOMAIN_INSTRUMENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

#define INSTRUMENT_MAX_BYTES (1024 * 1024)
/* Problems reported for one file; the count goes on past it. */
#define INSTRUMENT_MAX_PROBLEMS 200
#define INSTRUMENT_CODE_LEN 64

/* docs/instrument.schema.json, compiled in. */
extern const char instrument_schema_json[];

/* Every problem of a file: list = [{"path": JSON Pointer, "message"}], count (may exceed the list). */
struct instrument_problems {
	json_t *list;
	size_t count;
};
void instrument_problems_free(struct instrument_problems *p);

/* Checks a parsed file; true when it has no problem. Problems are added to p (p->list created on demand). */
bool instrument_check(const json_t *doc, struct instrument_problems *p);

/*
 * Loads a checked file in the caller's transaction: a new instrument row that
 * becomes the current version of its code, and a level_suggestion row (no
 * level) for each judgement that has none. Numbers with no fractional part
 * (180.0, an integer for JSON Schema) are stored as integers (180), so that
 * every reader of the definition sees integers. DB_CONSTRAINT when the code
 * and version are already loaded (a concurrent import of the same version).
 * loaded_by NULL: shipped or the command line.
 */
enum db_status instrument_load(db *conn, const json_t *doc, const char *sha256_hex, const char *loaded_by,
                               int64_t now, char id_r[UUID_STR_LEN]);

/* Loads each instrument shipped with the program whose code and version are not loaded yet. */
enum db_status instruments_ensure_shipped(db *conn, int64_t now);

/* ---- reading a loaded definition (the parsed "definition" column) ---- */

/* The definition and code of instrument row id. *def_r NULL (and DB_OK) when there is no such row. */
enum db_status instrument_definition(db *conn, const char *instrument_id, json_t **def_r,
                                     char code_r[INSTRUMENT_CODE_LEN]);
/* The item object with id item_id, or NULL; *domain_r (may be NULL) gets its domain object. */
const json_t *instrument_item(const json_t *def, const char *item_id, const json_t **domain_r);
/* The domain object with id domain_id, or NULL. */
const json_t *instrument_domain(const json_t *def, const char *domain_id);
/* The scale object with id scale_id, or NULL. */
const json_t *instrument_scale(const json_t *def, const char *scale_id);
/* The position (0 = least concern) of value in scale scale_id, or -1 when it is not one of its values. */
int instrument_scale_position(const json_t *def, const char *scale_id, const char *value);
/* The position of a judgement id among the instrument's judgements, or -1. */
int instrument_judgement_position(const json_t *def, const char *judgement);

#endif
