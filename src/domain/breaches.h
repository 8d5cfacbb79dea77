/*
 * breaches.h — breach allegations by due process (S6-S9): reported, person
 * notified, person's account, officer's assessment, countersignature,
 * referral, decision by the competent authority, appeal. Opened only from a
 * verified alert (S25); nothing moves by itself (S7).
 */
#ifndef KADAM_DOMAIN_BREACHES_H
#define KADAM_DOMAIN_BREACHES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

/* What a verified alert alleges; borrowed strings. */
struct breach_new {
	const char *case_id, *alert_id;
	const char *allegation;   /* what the person is alleged not to have done */
	const char *occurred_on;  /* YYYY-MM-DD */
	const char *const *condition_ids; /* the conditions allegedly not kept (active conditions of the case) */
	size_t nconditions;
	const char *actor_id;     /* who verified the alert */
};

/*
 * Opens a breach allegation in state "reported" in the caller's transaction:
 * the breach row, its conditions, the first breach_event (action "report",
 * to_state "reported"), the timeline ("breach.reported"). The caller has
 * checked the alert, the case and the conditions and logs the processing.
 */
enum db_status breach_open(db *conn, const struct breach_new *b, int64_t now, char id_r[UUID_STR_LEN]);

/* ---- the due-process table (S6-S8) ----------------------------------------------------- */

struct field_errors;
struct field_rule;
struct json_t;

/* The states in the order of breach.state's CHECK (demo counts index by it). */
#define BREACH_NSTATES 11
extern const char *const breach_states[BREACH_NSTATES + 1]; /* NULL-terminated */
/* The index of a state in breach_states, or -1. */
int breach_state_index(const char *state);

/*
 * One transition: POST /api/v1/breaches/{id}/<action>. Data, not code: the
 * states it starts from, the state it leads to, the route's permission, the
 * body's fields, what it does (as a next step) and, in English, what must
 * happen first when the allegation is in another state.
 */
struct breach_transition {
	const char *action;      /* "notification", "account", ... (the URL's last segment) */
	unsigned from;           /* bit (1u << breach_state_index) per state it starts from */
	const char *to;          /* the state it leads to (countersignature "return": account_recorded) */
	const char *permission;  /* the route's permission (routes.c) */
	const struct field_rule *fields; /* the body's fields (api/validate.h) */
	size_t nfields;
	const char *required;    /* comma-separated fields that must be present ("" none) */
	const char *step;        /* English, imperative: what it does as the next step */
	const char *first;       /* English: what must happen first when the state is wrong */
};
extern const struct breach_transition breach_transitions[];
extern const size_t breach_ntransitions;
/* The transition named action, or NULL. */
const struct breach_transition *breach_transition_find(const char *action);
/* True when t may start from state. */
bool breach_transition_allows(const struct breach_transition *t, const char *state);

/*
 * The body's checks that need no database: the table's fields, then the
 * checks between them and against today (YYYY-MM-DD). One error per problem,
 * each naming its field. Shared with tests/fuzz/fuzz_breach_body.c.
 */
bool breach_body_validate(const char *action, const struct json_t *body, const char *today,
                          struct field_errors *fe);

/*
 * What must happen next in state: the step (an action, or NULL when nothing
 * more is due), the actions allowed now (whatever the caller's permissions)
 * and an English sentence. needs_authority: the recommended response needs
 * the competent authority (countersigned: referral, else closure);
 * appeal_deadline_on and today decide whether an appeal is still open.
 */
struct breach_next {
	const char *step;
	const char *actions[4];
	size_t nactions;
	char message[320];
};
void breach_next(const char *state, bool needs_authority, const char *account_due_on, const char *appeal_deadline_on,
                 const char *today, struct breach_next *n_r);

/* One column a transition sets, besides the state: text (NULL: SQL NULL) or an integer. */
struct breach_set {
	const char *column;      /* a breach column: from code, never from input */
	const char *text;
	int64_t integer;
	bool is_integer;
};

/* A transition to apply. Borrowed strings. */
struct breach_move {
	const char *breach_id, *case_id;
	const char *action;      /* a breach_transitions action */
	const char *event;       /* breach_event.action; NULL: action */
	const char *from;        /* the state it was read in */
	const char *to;          /* NULL: the table's */
	int64_t version;         /* the version it was read in (If-Match) */
	const char *actor_id;
	const char *reason;      /* the event's reason (NULL: none) */
	const char *detail;      /* the event's and timeline's detail: JSON of codes and dates (NULL: "{}") */
	const struct breach_set *set;
	size_t nset;
};

/*
 * Applies a transition in the caller's transaction: the status-guarded
 * UPDATE (WHERE id AND state AND version; version + 1), the breach_event row
 * and the timeline event "breach.<to>" ("breach.returned" for a return).
 * DB_DONE when the row was not in that state and version any more (nothing
 * written). The caller has checked the table, the body and the actor, and
 * logs the processing.
 */
enum db_status breach_move(db *conn, const struct breach_move *m, int64_t now);

#endif
