/*
 * conditions.h — conditions imposed on a case (S1-S5). A condition binds to
 * the decision that authorises its duty (S1), comes from the condition
 * catalogue (domain/catalogue.h) or, exceptionally, is written freely with
 * its duty named; it states the risk or need it answers (S3) and carries a
 * review date (S5). A condition never changes in place: a variation (S8)
 * ends it and a new row replaces it (replaces_id).
 *
 * Here too: the checks on a ConditionInput (the body of POST
 * /cases/{id}/conditions and a variation's proposal), shared with its fuzz
 * target, and a condition as the API gives it (the contract's Condition).
 * Every function runs inside the caller's transaction.
 */
#ifndef KADAM_DOMAIN_CONDITIONS_H
#define KADAM_DOMAIN_CONDITIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/uuid.h"
#include "domain/catalogue.h"
#include "store/db.h"

#define CONDITION_FREE_TEXT_MIN 10
#define CONDITION_FREE_TEXT_MAX 1000
#define CONDITION_REASON_MAX 400 /* bytes of a refusal reason, with its NUL */

struct field_errors; /* http/http.h */

/* "ky", "ru", "en", NULL: the languages a condition is rendered in, in this order. */
extern const char *const condition_languages[];
/* The index of lang in condition_languages, or -1. */
int condition_language_index(const char *lang);

/*
 * S1: may the decision impose `duty` on the case? The decision must be one of
 * the case's, in force, and list the duty among its duties. DB_OK when it
 * may; DB_CONSTRAINT when not, with a sentence for the user in reason
 * ("The decision of <authority> No <number> of <date> does not authorise the
 * duty 'curfew'") and *field_r (may be NULL) "decision_id" or "duty" for the
 * input at fault; any other status is a database error.
 */
enum db_status condition_authorised(db *conn, const char *case_id, const char *decision_id, const char *duty,
                                    char *reason, size_t len, const char **field_r);

/* A row of condition_type. Owns its strings and spec; condition_type_free releases them. */
struct condition_type {
	int64_t version;
	char code[64];
	char category[32];
	char duty[48];
	bool standard, em;
	char *title[3];         /* by condition_languages index */
	char *template_text[3]; /* by condition_languages index */
	json_t *params;         /* the parameter spec (array) */
};

/* The type `code` of catalogue `version` (0: the current one); DB_DONE when there is none. */
enum db_status condition_type_load(db *conn, int64_t version, const char *code, struct condition_type *t);
void condition_type_free(struct condition_type *t);

/* A condition's text in lang: the type's template with the values (catalogue_render), or the free
 * text (t NULL). malloc'd. */
char *condition_render(const struct condition_type *t, const char *free_text, const json_t *params, const char *lang);
/* {ky, ru, en} rendered as above. */
json_t *condition_texts(const struct condition_type *t, const char *free_text, const json_t *params);

/* The fields of a new condition; borrowed. */
struct condition_fields {
	const char *case_id;
	const char *decision_id;
	const char *variation_id;   /* NULL unless a variation creates it */
	const char *replaces_id;    /* NULL unless it replaces an ended condition */
	int64_t catalogue_version;  /* with code */
	const char *code;           /* NULL for a condition written freely */
	const char *free_text;      /* NULL for a catalogue condition */
	const char *duty;           /* ref_duty code */
	const json_t *params;       /* object (NULL: {}) */
	const char *answers;        /* "risk" | "need" (S3) */
	const char *answers_detail;
	const char *review_on;      /* S5 */
	const char *effective_from;
};

/*
 * The checks of a ConditionInput that need no database: known members and
 * their limits, a code or a free text (10..1000, then `duty` required),
 * params an object, review_on after effective_from. Errors are named
 * "<prefix>.<field>" (prefix NULL: "<field>"). decision_required false lets
 * decision_id be absent (a variation's change defaults it).
 */
bool condition_input_validate(const json_t *in, const char *prefix, bool decision_required,
                              struct field_errors *fe);

/*
 * Resolves a validated ConditionInput into *f and *t: the code in the current
 * catalogue (t->version 0 and no type for free text), the duty, the values
 * against the type's parameters (catalogue_params_check), effective_from
 * defaulting to today, review_on within the decision's supervision end when
 * it has one. decision_id defaults to default_decision_id. A bad input comes
 * back as DB_OK with err->field set (prefixed); *f borrows from in and t.
 * Authorisation (S1) is condition_authorised's.
 */
enum db_status condition_input_resolve(db *conn, const json_t *in, const char *prefix,
                                       const char *default_decision_id, const char *today,
                                       struct condition_fields *f, struct condition_type *t,
                                       struct catalogue_error *err);

/* Inserts an active condition and its `condition.imposed` timeline event. */
enum db_status condition_insert(db *conn, const struct condition_fields *f, const char *actor_id, int64_t now,
                                char id_r[UUID_STR_LEN]);
/* Ends an active condition (end_reason varied | removed | decision_ended) with a `condition.ended` event. */
enum db_status condition_end(db *conn, const char *id, const char *effective_to, const char *end_reason,
                             const char *actor_id, int64_t now);
/* The number of active conditions of a case (S2). */
enum db_status condition_active_count(db *conn, const char *case_id, int64_t *count_r);
/* The S2 limit: setting conditions.warn_above (default 6). */
enum db_status condition_warn_above(db *conn, long *warn_above_r);

/* A person's language for conditions: the first of their languages that is ky, ru or en, else the
 * setting default_language (else "ky"). */
enum db_status condition_person_language(db *conn, const char *person_id, char lang_r[3]);

/*
 * Conditions as the API gives them (the contract's Condition): text rendered
 * in lang, texts in all three, the decision label, review_due against today,
 * `explained` from the case's explanations. NULL on a database error.
 * condition_json: one condition (JSON null when there is none).
 * condition_list_json: a case's conditions, active first, then ended.
 */
json_t *condition_json(db *conn, const char *id, const char *lang, const char *today);
json_t *condition_list_json(db *conn, const char *case_id, const char *lang, const char *today);

#endif
