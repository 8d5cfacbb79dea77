/* programmes.c — PLACEHOLDER: the demo helper replaces it (partners, programmes, referrals, needs, release plans,
 * panel meetings, returnee families). */
#include "demo/demo.h"

enum db_status demo_programmes(db *conn, struct demo_programme_counts *counts_r, char **error_r)
{
	(void)conn;
	(void)counts_r;
	(void)error_r;
	return DB_OK;
}
