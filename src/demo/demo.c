#include "demo/demo.h"

#include <stdlib.h>

#include "base/buf.h"
#include "base/clock.h"

/* Settings that mark a deployment as a demo: the UI shows a banner for it. */
static const char *const demo_settings[][2] = {
	{"deployment_name", "Kadam demo"},
	{"demo", "true"},
};

static enum db_status put_setting(db *conn, const char *key, const char *value)
{
	db_stmt *st = NULL;
	enum db_status rc = db_prepare(conn, "UPDATE setting SET value = ?, updated_at = ? WHERE key = ?", &st);
	if (rc == DB_OK && (rc = db_bind_text(st, 1, value, SIZE_MAX)) == DB_OK &&
	    (rc = db_bind_int64(st, 2, clock_now_ms())) == DB_OK &&
	    (rc = db_bind_text(st, 3, key, SIZE_MAX)) == DB_OK)
		rc = db_step(st);
	if (rc == DB_DONE && db_changes(st) != 1)
		rc = DB_ERROR;
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

enum db_status demo_seed(db *conn, char **error_r)
{
	enum db_status rc = db_begin(conn);
	for (size_t i = 0; rc == DB_OK && i < sizeof demo_settings / sizeof demo_settings[0]; i++)
		rc = put_setting(conn, demo_settings[i][0], demo_settings[i][1]);
	if (rc == DB_OK)
		rc = db_commit(conn);
	if (rc != DB_OK) {
		*error_r = xasprintf("loading demo settings: %s", db_errmsg(conn));
		db_rollback(conn);
	}
	return rc;
}
