/*
 * alerts.h — the checks on the alert and task bodies (alerts.c), shared with
 * the fuzz target tests/fuzz/fuzz_alert_body.c.
 */
#ifndef KADAM_API_ALERTS_H
#define KADAM_API_ALERTS_H

#include <jansson.h>
#include <stdbool.h>

#include "http/http.h"

/*
 * Checks a body before anything is read: kind is "verification",
 * "dismissal", "assignment", "alert" (an officer's own), "task" (a new one)
 * or "task_update". today (YYYY-MM-DD) bounds the dates that cannot be in the
 * future. Adds one error per bad field to fe; true when there is none.
 */
bool alert_body_validate(const char *kind, const json_t *body, const char *today, struct field_errors *fe);

#endif
