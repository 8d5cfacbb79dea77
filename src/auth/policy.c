#include "auth/policy.h"

#include <stddef.h>
#include <string.h>

/* Every permission a route may name. Grows with each resource. */
static const char *const permissions[] = {
	"public", /* no login needed: probes, the UI's bootstrap, error reports */
};

/* What the anonymous principal holds. */
static const char *const anonymous_grants[] = {"public"};

bool policy_permission_known(const char *permission)
{
	if (!permission)
		return false;
	for (size_t i = 0; i < sizeof permissions / sizeof permissions[0]; i++)
		if (strcmp(permissions[i], permission) == 0)
			return true;
	return false;
}

enum policy_result policy_check(const struct principal *who, const char *permission)
{
	if (!policy_permission_known(permission))
		return POLICY_FORBIDDEN;
	if (!who || !who->authenticated) {
		for (size_t i = 0; i < sizeof anonymous_grants / sizeof anonymous_grants[0]; i++)
			if (strcmp(anonymous_grants[i], permission) == 0)
				return POLICY_ALLOW;
		return POLICY_UNAUTHENTICATED;
	}
	/* No authenticated principals exist before the identity issue. */
	return POLICY_FORBIDDEN;
}
