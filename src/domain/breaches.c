#include "domain/breaches.h"

#include <stdio.h>

#include "base/buf.h"
#include "domain/casefile.h"

enum db_status breach_open(db *conn, const struct breach_new *b, int64_t now, char id_r[UUID_STR_LEN])
{
	char id[UUID_STR_LEN], event[UUID_STR_LEN];
	uuid_v7(id);
	uuid_v7(event);
	enum db_status rc = db_run(conn, NULL,
	                           "INSERT INTO breach (id, case_id, alert_id, state, allegation, occurred_on, reported_at,"
	                           " reported_by, updated_at) VALUES (?, ?, ?, 'reported', ?, ?, ?, ?, ?)",
	                           "tttttiti", id, b->case_id, b->alert_id, b->allegation, b->occurred_on, now,
	                           b->actor_id, now);
	for (size_t i = 0; rc == DB_OK && i < b->nconditions; i++)
		rc = db_run(conn, NULL, "INSERT INTO breach_condition (breach_id, condition_id) VALUES (?, ?)", "tt", id,
		            b->condition_ids[i]);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_printf(&detail, "{\"alert_id\":\"%s\",\"conditions\":%zu}", b->alert_id, b->nconditions);
	rc = db_run(conn, NULL,
	            "INSERT INTO breach_event (id, breach_id, at, actor_id, action, from_state, to_state, detail)"
	            " VALUES (?, ?, ?, ?, 'report', NULL, 'reported', ?)",
	            "ttitt", event, id, now, b->actor_id, detail.data);
	if (rc == DB_OK)
		rc = case_event_add(conn, b->case_id, now, "breach.reported", b->actor_id,
		                    "Breach allegation reported from a verified alert", detail.data, "breach", id);
	buf_free(&detail);
	if (rc == DB_OK)
		snprintf(id_r, UUID_STR_LEN, "%s", id);
	return rc;
}
