/*
 * settings.h — the deployment's numeric settings (the `setting` table): one
 * registry of every number a deployment may change, with its default, its
 * bounds and what it means, read by the code that uses it and by
 * Administration → Settings (GET/PUT /api/v1/settings). A stored value that
 * is missing, not a whole number or out of bounds reads as the default.
 */
#ifndef KADAM_DOMAIN_SETTINGS_H
#define KADAM_DOMAIN_SETTINGS_H

#include <stddef.h>

#include "store/db.h"

struct setting_info {
	const char *key;
	long def, min, max;
	const char *unit;  /* "days", "months", "conditions" */
	const char *about; /* one English sentence; the UI words it in its own catalogue by key */
};

/* The registry, in display order; *n_r gets its length. */
const struct setting_info *settings_registry(size_t *n_r);
/* The registry's entry for key, or NULL. */
const struct setting_info *setting_info_find(const char *key);

/* The value of a registered numeric setting (the default when unset or invalid); DB_ERROR for an unknown key. */
enum db_status setting_number(db *conn, const char *key, long *value_r);

/* A whole-number setting within [min, max]; def when it is missing or not such a number. */
enum db_status setting_int(db *conn, const char *key, long def, long min, long max, long *value_r);

/* Stores a registered setting's new value (the caller checked it against the bounds). */
enum db_status setting_store(db *conn, const char *key, long value, int64_t now);

#endif
