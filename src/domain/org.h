/*
 * org.h — agencies and their units (a tree inside one agency). Rules: names
 * are unique (agencies globally, units within their agency); a unit's parent
 * is in the same agency and never below the unit itself.
 */
#ifndef KADAM_DOMAIN_ORG_H
#define KADAM_DOMAIN_ORG_H

#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

enum org_result {
	ORG_OK,
	ORG_NOT_FOUND,     /* the record (or the named parent/agency) does not exist */
	ORG_STALE,         /* the version given is not the current one */
	ORG_DUPLICATE,     /* the name is taken */
	ORG_BAD_PARENT,    /* the parent is in another agency or below the unit */
	ORG_ERROR,         /* the database failed; see db_errmsg */
};

extern const char *const org_agency_kinds[]; /* NULL-terminated */

/* Queries ready to step; columns are the API's field names. */
enum db_status org_agency_query(db *conn, const char *id_or_null, db_stmt **st_r);
enum db_status org_unit_query(db *conn, const char *id_or_null, const char *agency_or_null, db_stmt **st_r);
/* Staff of one unit: id, login, display_name, status. */
enum db_status org_unit_members_query(db *conn, const char *unit_id, db_stmt **st_r);

enum org_result org_agency_create(db *conn, const char *name, const char *kind, int64_t now_ms,
                                  char id_r[UUID_STR_LEN]);
enum org_result org_agency_update(db *conn, const char *id, int64_t version, const char *name,
                                  const char *kind, int64_t now_ms);
enum org_result org_unit_create(db *conn, const char *agency_id, const char *parent_id,
                                const char *name, int64_t now_ms, char id_r[UUID_STR_LEN]);
enum org_result org_unit_update(db *conn, const char *id, int64_t version, const char *name,
                                const char *parent_id, int64_t now_ms);
/* The agency of a unit ("" when the unit does not exist). */
enum db_status org_unit_agency(db *conn, const char *unit_id, char agency_r[UUID_STR_LEN]);

#endif
