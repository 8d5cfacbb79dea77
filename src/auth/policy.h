/*
 * policy.h — the one place that decides whether a request may go ahead.
 *
 * Deny by default: a route names a permission; a principal holds
 * permissions; anything not granted is refused. The route table is checked
 * at start-up so that a route cannot name a permission this module does not
 * know. Identity (accounts, sessions, roles, record scope) arrives with the
 * identity issue; until then the only principal is the anonymous one, which
 * holds exactly the "public" permission.
 */
#ifndef KADAM_AUTH_POLICY_H
#define KADAM_AUTH_POLICY_H

#include <stdbool.h>

/* Who is asking. Owned by the request. */
struct principal {
	bool authenticated; /* false: the anonymous principal */
};

enum policy_result {
	POLICY_ALLOW = 0,
	POLICY_UNAUTHENTICATED, /* 401: log in first */
	POLICY_FORBIDDEN,       /* 403: logged in, not permitted */
};

/* True for every permission name a route may use. */
bool policy_permission_known(const char *permission);
/* Decides a route-level request. Unknown permissions are refused. */
enum policy_result policy_check(const struct principal *who, const char *permission);

#endif
