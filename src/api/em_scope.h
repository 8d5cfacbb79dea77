/*
 * em_scope.h — who may reach a monitoring order (S24). EM data is visible to
 * named roles only: the monitoring centre (em.operate) reaches every order
 * and is logged with the centre as its basis; everyone else reaches an order
 * through its case's unit, within their own units or under a live grant (a
 * stated purpose does not open EM data). Police never reach an order here:
 * only an approved request's trail (em_police.c). Implemented in em_orders.c.
 */
#ifndef KADAM_API_EM_SCOPE_H
#define KADAM_API_EM_SCOPE_H

#include "api/scope.h"

/* The purpose and basis logged for the monitoring centre's reads and actions. */
#define EM_CENTRE_PURPOSE "monitoring"
#define EM_CENTRE_BASIS "Monitoring centre: EM alert queue"

/* What the checks found of an order. */
struct em_order_ref {
	char id[37], case_id[37], decision_id[37], status[8];
	int mode_curfew, mode_inclusion, mode_exclusion, mode_trail;
	struct record_scope scope;  /* the case's scope (unit, person, officer ...) and the access that allowed it */
	bool via_centre;            /* reached as the monitoring centre (em.operate) */
};

/*
 * Checks inside the request's open transaction that the caller reaches order_id. On false the request has been
 * answered: 404 when the order is unknown or out of reach (the refusal logged as scope_case logs one), 403 for a
 * write without the right to change the case. Logs nothing on success: the caller logs what it read or changed
 * with em_scope_audit.
 */
bool em_order_scope(struct http_request *req, struct http_response *resp, const char *order_id, bool write,
                    struct em_order_ref *ref_r);

/* Logs an action on an EM record with the basis em_order_scope found (the centre's, a grant, or the unit's). */
bool em_scope_audit(struct http_request *req, const struct em_order_ref *ref, const char *action,
                    const char *record_type, const char *record_id, const char *detail);

/* The same check for a case (the case routes of EM): fills ref's case_id and scope; id, decision and modes stay
 * empty. 404 when the case is unknown or out of reach. */
bool em_case_scope(struct http_request *req, struct http_response *resp, const char *case_id, bool write,
                   struct em_order_ref *ref_r);

/* The police requests' holds on the fix store (S12): src/domain/em_holds.h. */
#include "domain/em_holds.h"

#endif
