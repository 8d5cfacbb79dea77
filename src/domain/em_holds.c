/* em_holds.c — the police requests' holds on the fix store; see em_holds.h. */
#include "domain/em_holds.h"

bool em_police_release_holds(db *conn, int64_t now)
{
	return db_run(conn, NULL,
	              "DELETE FROM em_fix_hold WHERE alert_id IN (SELECT '" EM_POLICE_HOLD_PREFIX "' || id FROM"
	              " em_police_request WHERE status IN ('refused', 'withdrawn') OR (status = 'approved'"
	              " AND access_until <= ?))", "i", now) == DB_OK;
}
