/*
 * em_holds.h — why fixes outlive electronic-monitoring retention (S12): an
 * alert holds the days its evidence spans (src/em/evaluate.c), and a police
 * request holds its window while it is pending or its access lasts (S24).
 * The retention job releases ended holds before it erases.
 */
#ifndef KADAM_DOMAIN_EM_HOLDS_H
#define KADAM_DOMAIN_EM_HOLDS_H

#include <stdbool.h>
#include <stdint.h>

#include "store/db.h"

/* The em_fix_hold.alert_id prefix of a police request's hold on its window ("police:<request id>"). */
#define EM_POLICE_HOLD_PREFIX "police:"

/* Releases the holds of police requests that were refused or withdrawn, or whose access ended by now. False on a
 * database error. */
bool em_police_release_holds(db *conn, int64_t now);

#endif
