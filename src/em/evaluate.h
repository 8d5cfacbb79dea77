/*
 * evaluate.h — what a device's fixes and events mean for its order (S23,
 * S25): inclusion-zone exit and exclusion-zone entry with hysteresis (outside
 * by more than the fix's accuracy plus em.margin_m, for em.dwell_s), buffer
 * warnings, curfew absence from the weekly timetable (local time, windows
 * across midnight, approved absences, grace), device events, and silence
 * (em.silence job). Raises alerts (alert_raise, source "device") with the
 * fixes around the event as evidence and holds those days of the fix store.
 * Runs on the ingest writer's thread after each commit, so an alert exists
 * well within two seconds of its fix.
 */
#ifndef KADAM_EM_EVALUATE_H
#define KADAM_EM_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include "em/fixstore.h"
#include "store/db.h"

struct em_eval;

struct em_eval *em_eval_new(void);
void em_eval_free(struct em_eval **ev);
/* Forgets cached orders, zones and curfews (reloaded on the next fix of each device). */
void em_eval_invalidate(struct em_eval *ev);

/*
 * Evaluates a committed batch (fixes of many devices, each device's in time order, late ones flagged and skipped)
 * in its own transaction on conn; raised_r counts alerts. now is the clock's time.
 */
enum db_status em_eval_batch(struct em_eval *ev, db *conn, const struct stored_fix *fixes, size_t n, int64_t now,
                             long *raised_r);

/* The em.silence job: no fix for em.no_location_min, no message at all for em.no_contact_min, on fitted devices of
 * active orders; raised once per silence (a later message ends it). Runs in the scheduler's transaction. */
enum db_status em_silence_job(db *conn, int64_t now, long *raised_r);

#endif
