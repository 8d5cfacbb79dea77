/*
 * grant.h — explicit access to a unit's records outside one's own scope:
 * shares made by a unit head, and break-glass access taken in an emergency
 * (S17), which notifies the heads of the unit. policy_unit_access() honours
 * a grant until it expires or is revoked.
 */
#ifndef KADAM_DOMAIN_GRANT_H
#define KADAM_DOMAIN_GRANT_H

#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

#define GRANT_BREAK_GLASS_MAX_MS (4 * 60 * 60 * 1000LL) /* S17: time-limited */

/* Grants on units at or below scope_unit_id, newest first. Columns are the API's fields. */
enum db_status grant_query(db *conn, const char *scope_unit_id, const char *id_or_null, db_stmt **st_r);
enum db_status grant_create(db *conn, const char *kind, const char *account_id, const char *unit_id,
                            const char *purpose, const char *justification, const char *granted_by,
                            int64_t now_ms, int64_t expires_at, char id_r[UUID_STR_LEN]);
/* The unit of a live grant ("" when there is none). */
enum db_status grant_unit(db *conn, const char *id, char unit_r[UUID_STR_LEN]);
enum db_status grant_revoke(db *conn, const char *id, int64_t now_ms);
/* A notification to every active unit head of the unit or of a unit above it; *count_r how many. */
enum db_status notify_unit_heads(db *conn, const char *unit_id, const char *kind, const char *subject,
                                 const char *record_type, const char *record_id, int64_t now_ms,
                                 int64_t *count_r);

#endif
