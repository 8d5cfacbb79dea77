/* PLACEHOLDER: the breaches work (issue 6) writes this part of the demo. */
#include "demo/demo.h"

enum db_status demo_breaches(db *conn, int64_t now, struct demo_compliance_counts *n)
{
	(void)conn;
	(void)now;
	(void)n;
	return DB_OK;
}
