/*
 * scope.h — the data rule for people and cases (S16): a case belongs to its
 * unit; a person to the unit that registered them and to the units of each of
 * their cases. While an open penitentiary case's release plan is live, the
 * probation unit named to receive the person also reads the case and the
 * person and does the release-planning work (release, referral and
 * reintegration routes), ranked like a grant and logged with the plan as its
 * basis; it changes nothing else before the handover (scope.c). A caller
 * reaches a record when one of those units is within their own, covered by a
 * live grant, or (with the route's `.any` permission) when they state a
 * purpose. Every read is then logged with the basis that allowed it: the
 * route's purpose, the grant, or the stated one.
 */
#ifndef KADAM_API_SCOPE_H
#define KADAM_API_SCOPE_H

#include "api/api.h"
#include "auth/policy.h"

#define SCOPE_MAX_UNITS 16

/* The grant kind a record_scope names when the receiving unit of a live release plan reached the case. */
#define RECEIVING_GRANT_KIND "release_plan"
/* The statuses of a release plan whose receiving unit reaches the case and its person (an SQL list). */
#define RELEASE_PLAN_LIVE "('draft', 'agreed')"

/* What allowed a read; filled by the checks below, used by scope_audit. */
struct record_scope {
	enum unit_access access;        /* the best access found among the record's units */
	struct unit_grant grant;        /* when access is UNIT_ACCESS_GRANTED */
	char unit_id[UUID_STR_LEN];     /* the case's unit, or the person's registering unit */
	char person_id[UUID_STR_LEN];   /* the person (for a case: its person) */
	char officer_id[UUID_STR_LEN];  /* the case's officer ("" for a person or none) */
	char status[16];                /* the case's status ("" for a person) */
	char kind[24];                  /* the case's kind ("" for a person) */
	bool merged;                    /* the person was merged into another record */
};

/* The units at and below one unit, as the CTE `below`; one parameter: the unit's id. */
#define UNITS_BELOW_CTE \
	"WITH RECURSIVE below(id) AS (" \
	"  SELECT id FROM unit WHERE id = ?" \
	"  UNION ALL SELECT u.id FROM unit u JOIN below ON u.parent_id = below.id)"
/* The units a list covers: the caller's own and those below (`below`), plus units under a live grant, as the CTE
 * `reach`; three parameters: the caller's unit (NULL when none), their account id, now (ms). */
#define REACH_CTE \
	UNITS_BELOW_CTE "," \
	" reach(id) AS (SELECT id FROM below UNION SELECT unit_id FROM access_grant WHERE account_id = ?" \
	"  AND revoked_at IS NULL AND expires_at > ?)"

/*
 * Checks the caller's reach over a person / a case inside the request's open
 * transaction. On false the request has been answered (404 unknown, 428
 * purpose required, 403 refused and logged, 500).
 */
bool scope_person(struct http_request *req, struct http_response *resp, const char *person_id,
                  struct record_scope *scope_r);
/*
 * The same for any record held by units (the best access among them decides; record_type and record_id
 * name it in the refusal and its log entry). Fills access and grant of *scope_r, nothing else.
 */
bool scope_units(struct http_request *req, struct http_response *resp, char units[][UUID_STR_LEN], int n,
                 const char *record_type, const char *record_id, struct record_scope *scope_r);
bool scope_case(struct http_request *req, struct http_response *resp, const char *case_id,
                struct record_scope *scope_r);
/* Only reads the case's unit, person, officer, status and kind into *scope_r (access not decided); false after
 * answering 404 naming `what` when there is no such case, or 500. For data rules of their own (src/api/em_orders.c). */
bool scope_case_load(struct http_request *req, struct http_response *resp, const char *case_id,
                     struct record_scope *scope_r, const char *what);
/* The units within the caller's reach as an SQL-ready check: true when unit_id is in scope (own or granted). */
enum unit_access scope_unit(struct http_request *req, const char *unit_id, bool purpose_given,
                            struct unit_grant *grant_r);

/* Writes need the record within the caller's own units or a grant: a stated purpose lets one read another
 * unit's case, not change it. False after rolling back, logging the refusal and answering 403. */
bool scope_may_change(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                      const char *record_type, const char *record_id);

/* Logs the reading of a printable document (the record and detail as scope_audit), commits, and sends doc as a
 * whole HTML page with its own style policy (html_style_csp). Frees doc; answers 500 itself on failure. */
void scope_send_document(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                         const char *record_type, const char *record_id, const char *detail, struct buf *doc);

/* The basis logged when the competent authority reads or acts on what was referred to it (variations, breaches). */
#define AUTHORITY_PURPOSE "administration"
#define AUTHORITY_BASIS "Referred to the competent authority for decision"

/* Logs a list read whose rows the unit rule reached (member in_reach_ = 1) as one entry "list: id,..." (or "list:
 * none in scope"), and each other row, reached by the competent authority through a referral, as a consult of its
 * own with the referral as its basis (record_id the row's id, detail its case_id). False when the log failed. */
bool scope_audit_referred_list(struct http_request *req, const char *record_type, const json_t *rows);

/* Logs an action on a record with the basis scope found (the grant, or the stated purpose). */
bool scope_audit(struct http_request *req, const struct record_scope *scope, const char *action,
                 const char *record_type, const char *record_id, const char *detail);

/* Rows of a query as a JSON array (api_row_json per row); NULL on a database error. */
json_t *api_select(db *conn, const char *sql, const char *types, ...);
/* The first row as an object; NULL when there is none (*failed_r false) or on error (*failed_r true). */
json_t *api_select_one(db *conn, bool *failed_r, const char *sql, const char *types, ...);

/* Completes a decision row (decisions.c) with its articles, duties and key dates; false on a database error. */
bool decision_json_fill(db *conn, json_t *decision);

/*
 * Logs the read of a record's list as a consult of record_type/record_id (scope_audit), commits and answers
 * 200 {"items": items}, taking the reference; items NULL (a failed query) answers 500 naming what was read.
 */
void scope_send_items(struct http_request *req, struct http_response *resp, const struct record_scope *s,
                      const char *record_type, const char *record_id, json_t *items, const char *what);

#endif
