/*
 * policy.h — the one place that decides whether a request may go ahead.
 *
 * Deny by default (S16). Three questions, in this order:
 *   function — does the principal hold the route's permission? (policy_check)
 *   data     — may it see records of this unit? (policy_unit_access)
 *   field    — special categories (S15) are decided per field by the
 *              resources that hold them, through policy_has().
 * The route table is checked at start-up so that a route cannot name a
 * permission this module does not know. Permissions are read from the
 * database on every request, so a change of roles takes effect at once.
 */
#ifndef KADAM_AUTH_POLICY_H
#define KADAM_AUTH_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

enum principal_kind {
	PRINCIPAL_ANONYMOUS = 0,
	PRINCIPAL_SESSION,  /* a person, through the session cookie */
	PRINCIPAL_TOKEN,    /* a machine client, through an API token */
};

#define PRINCIPAL_MAX_PERMISSIONS 64

/*
 * Who is asking. Filled by auth_resolve() (session.c) for each request and
 * owned by the request; strings are inline so nothing needs freeing.
 */
struct principal {
	enum principal_kind kind;
	bool full;                       /* session: the login is complete (both factors) */
	char account_id[UUID_STR_LEN];   /* session: the account; token: the token's creator */
	char token_id[UUID_STR_LEN];     /* token only */
	char session_id[UUID_STR_LEN];   /* session only */
	char login[65];
	char display_name[201];
	char agency_id[UUID_STR_LEN];
	char unit_id[UUID_STR_LEN];      /* "" when the account has no unit */
	char csrf_token[65];             /* session only */
	char preferred_language[3];
	const char *permissions[PRINCIPAL_MAX_PERMISSIONS]; /* static names from the registry */
	int npermissions;
};

enum policy_result {
	POLICY_ALLOW = 0,
	POLICY_UNAUTHENTICATED, /* 401: log in first */
	POLICY_FORBIDDEN,       /* 403: logged in, not permitted */
};

/* Route-level pseudo-permissions, held by principals rather than granted by roles. */
#define PERMISSION_PUBLIC "public"               /* anyone */
#define PERMISSION_LOGIN_PENDING "login.pending" /* a session part-way through login */
#define PERMISSION_AUTHENTICATED "authenticated" /* any complete session */

/* One permission a role may grant. */
struct permission_info {
	const char *name;
	const char *description;
};

/* The registry of grantable permissions (NULL-terminated). */
const struct permission_info *policy_permissions(void);
/* The registry's copy of name, or NULL when unknown (grantable or pseudo). */
const char *policy_permission_name(const char *name);
/* True for every permission name a route may use. */
bool policy_permission_known(const char *permission);
/* True when the permission is one a role or token may be granted. */
bool policy_permission_grantable(const char *permission);
/* Adds a permission to the principal (ignored when unknown or already held). */
void principal_grant(struct principal *p, const char *permission);
bool policy_has(const struct principal *p, const char *permission);
/* Decides a route-level request. */
enum policy_result policy_check(const struct principal *who, const char *permission);

/* Why someone reads data outside their own scope (S10, S17). */
extern const char *const policy_purposes[]; /* NULL-terminated */
bool policy_purpose_valid(const char *purpose);

enum unit_access {
	UNIT_ACCESS_OWN,          /* the principal's unit or one below it */
	UNIT_ACCESS_GRANTED,      /* a live share or break-glass grant covers it */
	UNIT_ACCESS_WITH_PURPOSE, /* outside its scope, allowed because a purpose was given */
	UNIT_ACCESS_NEED_PURPOSE, /* allowed only with a purpose and justification */
	UNIT_ACCESS_DENIED,
	UNIT_ACCESS_ERROR,        /* the database failed */
};

/* The grant behind UNIT_ACCESS_GRANTED, for the processing log. */
struct unit_grant {
	char id[UUID_STR_LEN];
	char kind[16];     /* "share" or "break_glass" */
	char purpose[32];  /* the grant's purpose ("emergency" for break-glass) */
};

/*
 * The data rule for records owned by a unit. any_permission is the
 * permission that lets its holder reach other units (with a purpose).
 * grant_r (may be NULL) gets the grant when the answer is UNIT_ACCESS_GRANTED.
 */
enum unit_access policy_unit_access(db *conn, const struct principal *p, const char *unit_id,
                                    const char *any_permission, bool purpose_given, int64_t now_ms,
                                    struct unit_grant *grant_r);

#endif
