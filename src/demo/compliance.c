/*
 * compliance.c — the demo's alerts, tasks, breaches, responses and complaints:
 * the compliance rules run over the seeded cases as of now, then officers,
 * unit heads and the court work some of what they raised.
 */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "base/clock.h"
#include "demo/demo.h"
#include "engine/rules.h"

enum db_status demo_compliance(db *conn, struct demo_compliance_counts *counts_r, char **error_r)
{
	memset(counts_r, 0, sizeof *counts_r);
	int64_t now = clock_now_ms();
	struct rules_stats stats;
	enum db_status rc = db_begin(conn);
	if (rc == DB_OK)
		rc = rules_run(conn, now, &stats);
	if (rc == DB_OK) {
		counts_r->alerts_raised = stats.raised;
		rc = demo_alerts(conn, now, counts_r);
	}
	if (rc == DB_OK)
		rc = demo_breaches(conn, now, counts_r);
	if (rc == DB_OK)
		rc = demo_responses(conn, now, counts_r);
	if (rc == DB_OK)
		rc = db_commit(conn);
	if (rc != DB_OK) {
		*error_r = xasprintf("compliance demo data: %s", db_errmsg(conn));
		db_rollback(conn);
	}
	return rc;
}
