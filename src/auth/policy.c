#include "auth/policy.h"

#include <stdio.h>
#include <string.h>

#include "base/buf.h"

static const struct permission_info registry[] = {
	{"agencies.read", "See agencies"},
	{"agencies.manage", "Create and change agencies"},
	{"units.read", "See units"},
	{"units.manage", "Create and change units"},
	{"units.members.read", "See the staff of one's own unit"},
	{"units.members.read.any", "See the staff of any unit, stating a purpose"},
	{"users.read", "See accounts"},
	{"users.manage", "Create, change, disable accounts; reset passwords and TOTP"},
	{"roles.read", "See roles and their permissions"},
	{"tokens.manage", "Create and revoke API tokens"},
	{"audit.read", "Search the processing log and see its verification"},
	{"metrics.read", "Scrape /metrics (give it to a monitoring token)"},
	{"grants.manage", "Share a unit's records with an account for a time"},
	{"break_glass", "Take emergency access to another unit, with a reason (S17)"},
	{"people.read", "Find and read people and cases within one's units"},
	{"people.read.any", "Read people and cases of any unit, stating a purpose"},
	{"people.write", "Register people and change their records"},
	{"people.third_parties", "See and record family members and other third parties (S15)"},
	{"people.merge", "Merge two records of the same person"},
	{"cases.write", "Open and close cases; record decisions and notes"},
	{"cases.allocate", "Allocate cases to officers and transfer them between units"},
	{"notes.restricted", "Read restricted notes written by others"},
	{"pretrial.write", "Prepare pre-trial reports"},
	{"access_requests.manage", "Register subject-access requests and export a person's data (S13)"},
	{"import.run", "Import people and cases from CSV files"},
	{"reference.manage", "Change the reference lists (articles, release rules, supervision levels, condition catalogue)"},
	{"conditions.write", "Impose conditions a decision authorises, record their explanation, propose variations"},
	{"variations.list", "See variation proposals within one's units (the competent authority: those referred to it)"},
	{"variations.review", "Review variation proposals and refer them to the competent authority"},
	{"variations.decide", "Decide variations of conditions as the competent authority (S8)"},
	{"supervision.write", "Set supervision levels; keep plans, appointments and contacts"},
	{"diary.read", "Keep a diary of appointments and a calendar feed"},
	{"alerts.read", "See alert queues, tasks and the compliance rules within one's units"},
	{"alerts.work", "Acknowledge, assign, verify or dismiss alerts; raise alerts; keep tasks"},
	{"breaches.list", "See breach allegations within one's units (the competent authority: those referred to it)"},
	{"breaches.write", "Take a breach allegation through due process: notice, account, assessment, referral (S6)"},
	{"breaches.countersign", "Countersign or return an officer's breach assessment"},
	{"breaches.decide", "Decide breach referrals and record appeal outcomes as the competent authority (S8, S9)"},
	{"responses.write", "Record responses to non-compliance and to progress"},
	{"complaints.read", "See the complaints register within one's units"},
	{"complaints.write", "Register complaints and record their answers (S9)"},
	{"assessments.read", "Read risk and needs assessments of cases within one's units"},
	{"assessments.write", "Prepare and submit risk and needs assessments (certified assessors); record reassessment triggers"},
	{"assessments.countersign", "Countersign or return submitted assessments"},
	{"certifications.manage", "Record and revoke assessor certifications"},
	{"partners.manage", "Register partner organisations and keep their profiles"},
	{"programmes.read", "See the programme catalogue (a partner: its own programmes' participants it was referred)"},
	{"programmes.manage", "Add and change programmes (a partner: its own)"},
	{"referrals.read", "See referrals: of cases within one's units, or (a partner) those made to one's organisation while shared"},
	{"referrals.write", "Refer cases to programmes and decide what each referral shares, until when"},
	{"referrals.move", "Move referrals through the status table, as one's role may"},
	{"referrals.provide", "As a programme's provider: record attendance, progress notes and end-of-programme reports"},
	{"reintegration.write", "Record reintegration needs as tasks with an owning agency and a deadline"},
	{"release.read", "See release planning: lists, plans, panel meetings and their minutes"},
	{"release.write", "Keep release plans, panel meetings and their actions"},
	{"release.handover", "Hand a released person's case from prison to probation"},
	{"settings.manage", "Change the deployment's numeric settings (deadlines, the release-planning window, share limits)"},
	{"em.read", "See electronic-monitoring orders, zones, devices, positions and trails of people within one's reach (S24)"},
	{"em.orders", "Order monitoring under a decision; keep its zones, curfew timetable and approved absences (S23)"},
	{"em.devices", "Keep the device inventory"},
	{"em.fit", "Record fitting and removal of monitoring devices"},
	{"em.operate", "Work the monitoring centre's alert queue: device alerts and EM data of every monitored person"},
	{"em.ingest", "Send device fixes through the batch API (give it to a gateway's token)"},
	{"em.police.read", "See police requests for EM data: one's own, or those to decide"},
	{"em.police.request", "Request a person's EM data with a legal basis, and read it once approved (S24)"},
	{"em.police.decide", "Approve or refuse police requests for EM data (S24)"},
	{"system.jobs", "See the scheduler's jobs and run the due ones now"},
	{"system.clock", "Set the server's clock (only where the deployment enables clock control, for tests)"},
	{NULL, NULL},
};

static const char *const pseudo[] = {PERMISSION_PUBLIC, PERMISSION_LOGIN_PENDING,
                                     PERMISSION_AUTHENTICATED, NULL};

const char *const policy_purposes[] = {"supervision", "administration", "investigation", "audit",
                                       "disclosure", "emergency", NULL};

const struct permission_info *policy_permissions(void)
{
	return registry;
}

const char *policy_permission_name(const char *name)
{
	if (!name)
		return NULL;
	for (const struct permission_info *p = registry; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->name;
	for (const char *const *p = pseudo; *p; p++)
		if (strcmp(*p, name) == 0)
			return *p;
	return NULL;
}

bool policy_permission_known(const char *permission)
{
	return policy_permission_name(permission) != NULL;
}

bool policy_permission_grantable(const char *permission)
{
	for (const struct permission_info *p = registry; permission && p->name; p++)
		if (strcmp(p->name, permission) == 0)
			return true;
	return false;
}

bool policy_purpose_valid(const char *purpose)
{
	for (const char *const *p = policy_purposes; purpose && *p; p++)
		if (strcmp(*p, purpose) == 0)
			return true;
	return false;
}

bool policy_has(const struct principal *p, const char *permission)
{
	for (int i = 0; p && permission && i < p->npermissions; i++)
		if (strcmp(p->permissions[i], permission) == 0)
			return true;
	return false;
}

void principal_grant(struct principal *p, const char *permission)
{
	const char *name = policy_permission_name(permission);
	if (!name || policy_has(p, name) || p->npermissions == PRINCIPAL_MAX_PERMISSIONS)
		return;
	p->permissions[p->npermissions++] = name;
}

enum policy_result policy_check(const struct principal *who, const char *permission)
{
	if (!policy_permission_known(permission))
		return POLICY_FORBIDDEN;
	if (strcmp(permission, PERMISSION_PUBLIC) == 0)
		return POLICY_ALLOW;
	if (!who || who->kind == PRINCIPAL_ANONYMOUS)
		return POLICY_UNAUTHENTICATED;
	if (who->kind == PRINCIPAL_SESSION && !who->full)
		/* Part-way through login: only the routes that finish it. */
		return strcmp(permission, PERMISSION_LOGIN_PENDING) == 0 ? POLICY_ALLOW
		                                                         : POLICY_UNAUTHENTICATED;
	if (strcmp(permission, PERMISSION_LOGIN_PENDING) == 0)
		return who->kind == PRINCIPAL_SESSION ? POLICY_ALLOW : POLICY_FORBIDDEN;
	if (strcmp(permission, PERMISSION_AUTHENTICATED) == 0)
		return who->kind == PRINCIPAL_SESSION ? POLICY_ALLOW : POLICY_FORBIDDEN;
	return policy_has(who, permission) ? POLICY_ALLOW : POLICY_FORBIDDEN;
}

/* True when unit_id is the principal's unit or lies below it. */
static enum db_status in_scope(db *conn, const struct principal *p, const char *unit_id, bool *in_r)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"WITH RECURSIVE up(id, parent_id) AS ("
		"  SELECT id, parent_id FROM unit WHERE id = ?"
		"  UNION ALL SELECT u.id, u.parent_id FROM unit u JOIN up ON u.id = up.parent_id)"
		" SELECT COUNT(*) FROM up WHERE id = ?",
		"tt", unit_id, p->unit_id[0] ? p->unit_id : NULL);
	if (rc == DB_OK)
		rc = db_step(st);
	*in_r = rc == DB_ROW && db_column_int64(st, 0) > 0;
	db_finalize(&st);
	return rc == DB_ROW ? DB_OK : rc;
}

/* The newest live grant of the unit to the principal, if any. */
static enum db_status live_grant(db *conn, const struct principal *p, const char *unit_id, int64_t now_ms,
                                 bool *found_r, struct unit_grant *g)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, kind, purpose FROM access_grant WHERE account_id = ? AND unit_id = ?"
		" AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC",
		"tti", p->account_id, unit_id, now_ms);
	if (rc == DB_OK)
		rc = db_step(st);
	*found_r = rc == DB_ROW;
	if (rc == DB_ROW && g) {
		snprintf(g->id, sizeof g->id, "%s", db_column_text(st, 0, NULL));
		snprintf(g->kind, sizeof g->kind, "%s", db_column_text(st, 1, NULL));
		snprintf(g->purpose, sizeof g->purpose, "%s", db_column_text(st, 2, NULL));
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

enum unit_access policy_unit_access(db *conn, const struct principal *p, const char *unit_id,
                                    const char *any_permission, bool purpose_given, int64_t now_ms,
                                    struct unit_grant *grant_r)
{
	if (!p || p->kind == PRINCIPAL_ANONYMOUS || !unit_id)
		return UNIT_ACCESS_DENIED;
	bool own = false, granted = false;
	if (in_scope(conn, p, unit_id, &own) != DB_OK)
		return UNIT_ACCESS_ERROR;
	if (own)
		return UNIT_ACCESS_OWN;
	if (live_grant(conn, p, unit_id, now_ms, &granted, grant_r) != DB_OK)
		return UNIT_ACCESS_ERROR;
	if (granted)
		return UNIT_ACCESS_GRANTED;
	if (!any_permission || !policy_has(p, any_permission))
		return UNIT_ACCESS_DENIED;
	return purpose_given ? UNIT_ACCESS_WITH_PURPOSE : UNIT_ACCESS_NEED_PURPOSE;
}
