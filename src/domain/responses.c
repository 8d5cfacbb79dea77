#include "domain/responses.h"

#include <stdio.h>

#include "base/buf.h"
#include "domain/casefile.h"

enum db_status response_record(db *conn, const struct response_new *r, int64_t now, char id_r[UUID_STR_LEN])
{
	char id[UUID_STR_LEN];
	uuid_v7(id);
	/* The case's officer and unit now, for the per-officer and per-unit ratios. */
	char officer[UUID_STR_LEN] = "", unit[UUID_STR_LEN] = "";
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
	                             "SELECT c.officer_id, c.unit_id FROM case_file c, ref_response rr"
	                             " WHERE c.id = ? AND rr.code = ?",
	                             "tt", r->case_id, r->code);
	if (rc != DB_OK)
		return rc;
	rc = db_step(st);
	if (rc == DB_ROW) {
		const char *o = db_column_text(st, 0, NULL);
		snprintf(officer, sizeof officer, "%s", o ? o : "");
		snprintf(unit, sizeof unit, "%s", db_column_text(st, 1, NULL));
	}
	db_finalize(&st);
	if (rc != DB_ROW)
		return rc == DB_DONE ? DB_CONSTRAINT : rc;
	rc = db_run(conn, NULL,
	            "INSERT INTO response (id, case_id, code, breach_id, given_on, given_by, officer_id, unit_id, reasons,"
	            " detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	            "tttttttttti", id, r->case_id, r->code, r->breach_id, r->given_on, r->given_by,
	            officer[0] ? officer : NULL, unit, r->reasons, r->detail, now);
	if (rc != DB_OK)
		return rc;
	struct buf detail = {0};
	buf_puts(&detail, "{\"code\":");
	buf_json_string(&detail, r->code);
	buf_puts(&detail, ",\"breach_id\":");
	buf_json_string(&detail, r->breach_id);
	buf_puts(&detail, "}");
	rc = case_event_add(conn, r->case_id, now, "response.given", r->given_by, "Response recorded", detail.data,
	                    "response", id);
	buf_free(&detail);
	if (rc == DB_OK)
		snprintf(id_r, UUID_STR_LEN, "%s", id);
	return rc;
}
