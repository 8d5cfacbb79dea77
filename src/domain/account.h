/*
 * account.h — staff accounts: creation and changes, roles, the login
 * counters and lockout (S20), passwords, TOTP and recovery codes (S18, S19).
 * Hashing and code checking live in src/auth/; this file keeps the state.
 */
#ifndef KADAM_DOMAIN_ACCOUNT_H
#define KADAM_DOMAIN_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/uuid.h"
#include "store/db.h"

#define ACCOUNT_MAX_FAILURES 5                 /* S20: at most 5 failed logins ... */
#define ACCOUNT_LOCK_MS (15 * 60 * 1000LL)      /* ... then a lock of at least 10 minutes */
#define ACCOUNT_MAX_ROLES 10

enum account_result {
	ACCOUNT_OK,
	ACCOUNT_NOT_FOUND,
	ACCOUNT_STALE,
	ACCOUNT_DUPLICATE,   /* the login is taken */
	ACCOUNT_BAD_REF,     /* an unknown role, agency or unit, or a unit of another agency */
	ACCOUNT_ERROR,
};

/* What a login needs to know about an account. Owned by the caller. */
struct account_login {
	char id[UUID_STR_LEN];
	char login[65];
	char display_name[201];
	char status[16];
	char password_hash[160];
	bool must_change;
	char totp_secret[64];         /* "" when not enrolled */
	char totp_pending[64];        /* "" unless enrolment started */
	int64_t totp_last_step;
	int failed_logins;
	int64_t locked_until;
};

/* The fields an administrator sets. roles are names from the role table. */
struct account_fields {
	const char *login;
	const char *display_name;
	const char *agency_id;
	const char *unit_id;           /* NULL: no unit */
	const char *preferred_language;
	const char *const *roles;
	int nroles;
};

/* Columns: id, login, display_name, agency_id, unit_id, preferred_language, status,
 * is_totp_enrolled, is_password_must_change, locked_until, created_at, updated_at, version. */
enum db_status account_query(db *conn, const char *id, const char *q, const char *agency_id,
                             const char *unit_id, const char *status, db_stmt **st_r);
enum db_status account_roles_query(db *conn, const char *account_id, db_stmt **st_r);

enum account_result account_create(db *conn, const struct account_fields *f, const char *password_hash,
                                   int64_t now_ms, char id_r[UUID_STR_LEN]);
enum account_result account_update(db *conn, const char *id, int64_t version,
                                   const struct account_fields *f, int64_t now_ms);
enum account_result account_set_status(db *conn, const char *id, const char *status, int64_t now_ms);
/* Sets a new password hash; must_change for one-time passwords. Clears the lockout. */
enum account_result account_set_password(db *conn, const char *id, const char *hash, bool must_change,
                                         int64_t now_ms);
enum account_result account_reset_totp(db *conn, const char *id, int64_t now_ms);
enum account_result account_set_language(db *conn, const char *id, const char *language, int64_t now_ms);

/* By login (found_r false when there is no such account). */
enum db_status account_for_login(db *conn, const char *login, bool *found_r, struct account_login *a);
/* By id. */
enum db_status account_for_id(db *conn, const char *id, bool *found_r, struct account_login *a);
/* Counts a failed login; locks the account at the limit (*locked_until_r set, else 0). */
enum db_status account_login_failed(db *conn, const char *id, int64_t now_ms, int64_t *locked_until_r);
enum db_status account_login_succeeded(db *conn, const char *id);
enum db_status account_totp_begin(db *conn, const char *id, const char *secret);
/* Makes the pending secret the account's, remembering the step used. */
enum db_status account_totp_confirm(db *conn, const char *id, int64_t step);
enum db_status account_totp_used(db *conn, const char *id, int64_t step);
/* Replaces the recovery codes with these hashes. */
enum db_status account_recovery_replace(db *conn, const char *id, char hashes[][65], int n);
/* Marks a recovery code used; *used_r false when it is unknown or used before. */
enum db_status account_recovery_use(db *conn, const char *id, const char *hash, int64_t now_ms,
                                    bool *used_r);

/* Creates an account with a fresh one-time password (which must be changed at first login). */
#include "auth/password.h"
enum account_result account_provision(db *conn, const struct account_fields *f, int64_t now_ms,
                                      char one_time_r[PASSWORD_ONETIME_SIZE], char id_r[UUID_STR_LEN]);

#endif
