/* PLACEHOLDER: the engine work (issue 6) writes the rules. */
#include "engine/rules.h"

enum db_status rules_run(db *conn, int64_t now, struct rules_stats *stats_r)
{
	(void)conn;
	(void)now;
	*stats_r = (struct rules_stats){0};
	return DB_OK;
}

enum db_status rules_on_contact(db *conn, const char *contact_id, int64_t now)
{
	(void)conn;
	(void)contact_id;
	(void)now;
	return DB_OK;
}
