#include <string.h>

#include "api/api.h"
#include "app.h"
#include "base/clock.h"

/* Settings the UI may read before anyone logs in; anything else in the table stays private. */
static const char *const public_settings[] = {"deployment_name", "default_language", "timezone", "demo"};

static bool is_public_setting(const char *key)
{
	for (size_t i = 0; i < sizeof public_settings / sizeof public_settings[0]; i++)
		if (strcmp(public_settings[i], key) == 0)
			return true;
	return false;
}

void api_system_get(struct http_request *req, struct http_response *resp)
{
	db *conn = api_db(req, resp);
	if (!conn)
		return;
	json_t *out = json_pack("{s:s, s:s, s:s}", "name", "kadam", "version", KADAM_VERSION, "backend",
	                        db_driver_of(conn)->name);
	int version = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_schema_version(conn, &version);
	if (rc == DB_OK)
		rc = db_prepare(conn, "SELECT key, value FROM setting ORDER BY key", &st);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *key = db_column_text(st, 0, NULL);
		const char *value = db_column_text(st, 1, NULL);
		if (key && value && is_public_setting(key)) {
			if (strcmp(key, "demo") == 0)
				json_object_set_new(out, key, json_boolean(strcmp(value, "true") == 0));
			else
				json_object_set_new(out, key, json_string(value));
		}
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		char *why = xasprintf("reading settings: %s", db_errmsg(conn));
		json_decref(out);
		api_internal_error(req, resp, why);
		free(why);
		return;
	}
	char now[32];
	clock_format_rfc3339(clock_now_ms(), now);
	json_object_set_new(out, "schema_version", json_integer(version));
	/* The map tile URL template the UI's maps use; null: maps draw zones and trails without tiles. */
	const char *tiles = req->app && req->app->cfg ? req->app->cfg->map_tile_url : NULL;
	json_object_set_new(out, "map_tile_url", tiles && *tiles ? json_string(tiles) : json_null());
	json_object_set_new(out, "time", json_string(now));
	http_response_json(resp, 200, out);
}
