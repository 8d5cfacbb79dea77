/*
 * routes.c — every HTTP route Kadam serves, as data. Dispatch, the policy
 * check, the metrics labels, `kadam routes`, the OpenAPI comparison test and
 * the route x role matrix all read this table.
 */
#include "api/api.h"
#include "http/router.h"

#define JSON ROUTE_JSON_BODY
#define PUBLIC "public"
#define PENDING "login.pending"
#define ANYONE "authenticated"

const struct route routes[] = {
	{"GET", "/healthz", PUBLIC, api_healthz, ROUTE_NO_LOG, "Liveness: the process answers"},
	{"GET", "/readyz", PUBLIC, api_readyz, ROUTE_NO_LOG, "Readiness: the database answers"},
	{"GET", "/metrics", "metrics.read", api_metrics, ROUTE_NO_LOG, "Prometheus metrics"},
	{"GET", "/api/v1/system", PUBLIC, api_system_get, 0, "Deployment settings and versions the UI starts from"},
	{"POST", "/api/v1/client-errors", PUBLIC, api_client_errors_post, JSON | ROUTE_NO_CSRF,
	 "Report an error that happened in the browser UI"},

	{"POST", "/api/v1/auth/login", PUBLIC, api_auth_login, JSON | ROUTE_NO_CSRF, "Log in with login and password"},
	{"POST", "/api/v1/auth/password", PENDING, api_auth_password, JSON, "Change one's password"},
	{"POST", "/api/v1/auth/totp/enrol", PENDING, api_auth_totp_enrol, 0, "Start TOTP enrolment"},
	{"POST", "/api/v1/auth/totp/confirm", PENDING, api_auth_totp_confirm, JSON, "Confirm TOTP enrolment"},
	{"POST", "/api/v1/auth/totp", PENDING, api_auth_totp, JSON, "Give the second factor"},
	{"POST", "/api/v1/auth/logout", PENDING, api_auth_logout, 0, "End this session"},
	{"GET", "/api/v1/auth/session", PENDING, api_auth_session, 0, "This session and its account"},

	{"GET", "/api/v1/me/sessions", ANYONE, api_me_sessions, 0, "One's own live sessions"},
	{"DELETE", "/api/v1/me/sessions/{id}", ANYONE, api_me_session_end, 0, "End one of one's sessions"},
	{"PUT", "/api/v1/me/preferences", ANYONE, api_me_preferences, JSON, "Set one's preferred language"},
	{"GET", "/api/v1/me/notifications", ANYONE, api_me_notifications, 0, "One's notifications"},
	{"POST", "/api/v1/me/notifications/{id}/read", ANYONE, api_me_notification_read, 0,
	 "Mark a notification read"},

	{"GET", "/api/v1/agencies", "agencies.read", api_agencies_list, 0, "List agencies"},
	{"POST", "/api/v1/agencies", "agencies.manage", api_agency_create, JSON, "Create an agency"},
	{"GET", "/api/v1/agencies/{id}", "agencies.read", api_agency_get, 0, "Read an agency"},
	{"PUT", "/api/v1/agencies/{id}", "agencies.manage", api_agency_update, JSON, "Change an agency"},
	{"GET", "/api/v1/units", "units.read", api_units_list, 0, "List units"},
	{"POST", "/api/v1/units", "units.manage", api_unit_create, JSON, "Create a unit"},
	{"GET", "/api/v1/units/{id}", "units.read", api_unit_get, 0, "Read a unit"},
	{"PUT", "/api/v1/units/{id}", "units.manage", api_unit_update, JSON, "Rename or move a unit"},
	{"GET", "/api/v1/units/{id}/members", "units.members.read", api_unit_members, 0, "The staff of a unit"},

	{"GET", "/api/v1/users", "users.read", api_users_list, 0, "List accounts"},
	{"POST", "/api/v1/users", "users.manage", api_user_create, JSON, "Create an account"},
	{"GET", "/api/v1/users/{id}", "users.read", api_user_get, 0, "Read an account"},
	{"PUT", "/api/v1/users/{id}", "users.manage", api_user_update, JSON, "Change an account"},
	{"POST", "/api/v1/users/{id}/disable", "users.manage", api_user_disable, 0, "Disable an account"},
	{"POST", "/api/v1/users/{id}/enable", "users.manage", api_user_enable, 0, "Enable an account"},
	{"POST", "/api/v1/users/{id}/reset-password", "users.manage", api_user_reset_password, 0,
	 "Give an account a new one-time password"},
	{"POST", "/api/v1/users/{id}/reset-totp", "users.manage", api_user_reset_totp, 0, "Clear an account's TOTP"},
	{"GET", "/api/v1/roles", "roles.read", api_roles_list, 0, "Roles and their permissions"},

	{"GET", "/api/v1/access-grants", "grants.manage", api_grants_list, 0, "Grants on units within one's own"},
	{"POST", "/api/v1/access-grants", "grants.manage", api_grant_create, JSON,
	 "Share a unit's records with an account for a time"},
	{"DELETE", "/api/v1/access-grants/{id}", "grants.manage", api_grant_revoke, 0, "Revoke a grant"},
	{"POST", "/api/v1/break-glass", "break_glass", api_break_glass, JSON,
	 "Emergency access to another unit, with a reason (S17)"},

	{"GET", "/api/v1/tokens", "tokens.manage", api_tokens_list, 0, "List API tokens"},
	{"POST", "/api/v1/tokens", "tokens.manage", api_token_create, JSON, "Create an API token"},
	{"DELETE", "/api/v1/tokens/{id}", "tokens.manage", api_token_revoke, 0, "Revoke an API token"},

	{"GET", "/api/v1/audit", "audit.read", api_audit_search, 0, "Search the processing log"},
	{"GET", "/api/v1/audit/verification", "audit.read", api_audit_verification, 0,
	 "Check the processing log's hash chain"},
};
const size_t routes_count = sizeof routes / sizeof routes[0];
