/*
 * catalogue.h — the condition catalogue: versioned data files
 * (data/conditions/ files) with, per condition, a code, a category, the duty a
 * decision must authorise (S1), flags (standard or additional, enforced by
 * electronic monitoring), a title and a text template with typed {parameters}
 * in ky, ru and en. A new version may map old codes to new ones; imposed
 * conditions follow the mapping.
 *
 * File format (one JSON object):
 *   {"version": 2, "label": "...", "replaces": {"old_code": "new_code", ...},
 *    "conditions": [{"code": "curfew", "category": "residence", "duty": "curfew",
 *      "standard": false, "em": true,
 *      "title": {"ky": "...", "ru": "...", "en": "..."},
 *      "text":  {"ky": "... {address} ... {hours} ...", "ru": "...", "en": "..."},
 *      "params": [{"name": "address", "type": "address", "required": true,
 *                  "label": {"ky": "...", "ru": "...", "en": "..."}}, ...]}, ...]}
 *
 * Parameter types and the JSON value an imposed condition gives them:
 *   address       "text" (1..300)
 *   zone          {"name": "text", "geometry": GeoJSON Polygon (lon, lat), valid, <= 2000 points}
 *   time_window   {"from": "HH:MM", "to": "HH:MM"} (may cross midnight; from != to)
 *   weekly        {"days": ["mo".."su"] (1..7, no repeats), "from": "HH:MM", "to": "HH:MM"}
 *   person        "text" (1..200): a named person (a third party, not a record)
 *   organisation  "text" (1..200)
 *   date          "YYYY-MM-DD"
 *   number        integer, within the parameter's optional "min" / "max"
 *   text          "text" (1..500)
 */
#ifndef KADAM_DOMAIN_CATALOGUE_H
#define KADAM_DOMAIN_CATALOGUE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

#define CATALOGUE_MAX_BYTES (1024 * 1024)
#define CATALOGUE_MAX_CONDITIONS 200
#define CATALOGUE_MAX_PARAMS 12

/* A problem found in a file or a value: where (a JSON path such as
 * "conditions[3].text.ky" or "params.hours.from") and what. */
struct catalogue_error {
	char field[128];
	char problem[256];
};

/* The catalogue shipped with the program (data/conditions/catalogue-v1.json, compiled in). */
extern const char catalogue_shipped_json[];
extern const size_t catalogue_shipped_json_len;

/* Checks a parsed catalogue file: every required member, languages, known
 * parameter types, placeholders in each text naming declared parameters (and
 * every required parameter used), known duties are checked at load. */
bool catalogue_check(const json_t *doc, struct catalogue_error *err);

/*
 * Loads a checked file as a new version inside the caller's transaction:
 * the version must be above every loaded one, every duty must exist, every
 * "replaces" target must be a code of the new version, and every code in use
 * by an active condition must be kept or mapped (with the new type's required
 * parameters present in its values). Makes the version current and moves the
 * active conditions to it (a `condition.recoded` timeline event for each
 * whose code changes). DB_CONSTRAINT with *err filled when the file is refused.
 */
enum db_status catalogue_load(db *conn, const json_t *doc, const char *sha256_hex, const char *actor_id,
                              int64_t now, struct catalogue_error *err, int64_t *version_r);

/*
 * catalogue_load that also counts the active conditions it recoded — a new
 * code, or values dropped because the new type no longer declares them; each
 * is a `condition.recoded` event — (recoded_r may be NULL) and appends their
 * ids to recoded_ids (a JSON array, may be NULL), so the caller can log each
 * alteration.
 */
enum db_status catalogue_load_counted(db *conn, const json_t *doc, const char *sha256_hex, const char *actor_id,
                                      int64_t now, struct catalogue_error *err, int64_t *version_r,
                                      int64_t *recoded_r, json_t *recoded_ids);

/* The SHA-256 of a file's bytes as 64 lowercase hex digits (and a NUL). */
void catalogue_sha256_hex(const void *data, size_t len, char hex_r[65]);

/* Loads the shipped catalogue when no version is loaded yet (serve and demo call it). */
enum db_status catalogue_ensure_shipped(db *conn, int64_t now);

/* Checks an imposed condition's values against its type's parameter list
 * (a JSON array as stored in condition_type.params); err->field is "params.<name>[...]". */
bool catalogue_params_check(const json_t *spec, const json_t *values, struct catalogue_error *err);

/* Renders a template in a language ("ky", "ru", "en"): each {name} becomes its
 * value formatted for that language (dates DD.MM.YYYY in ky and ru, "5 March 2026" in en; weekday names;
 * "22:00–06:00").
 * A missing optional value renders as "—". Returns a malloc'd string. */
char *catalogue_render(const char *template_text, const json_t *spec, const json_t *values, const char *lang);

#endif
