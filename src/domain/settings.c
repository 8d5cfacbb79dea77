/* settings.c — the deployment's numeric settings; see settings.h. */
#include "domain/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"

static const struct setting_info registry[] = {
	{"pretrial.due_days", 30, 1, 365, "days", "Days a court usually gives for a pre-trial report"},
	{"access_request.due_days", 7, 1, 366, "days", "Days to answer a subject-access request (S13)"},
	{"conditions.warn_above", 6, 0, 1000, "conditions",
	 "Active conditions above which imposing another asks for a reason (S2)"},
	{"breaches.account_days", 10, 1, 365, "days", "Days the person has to give their account of an alleged breach"},
	{"breaches.appeal_days", 10, 1, 365, "days", "Days to appeal a breach decision"},
	{"complaints.answer_days", 14, 1, 366, "days", "Days to answer a complaint (S9)"},
	{"release_planning.months_before", 6, 1, 36, "months",
	 "Months before the release date that a case appears on the release-planning lists"},
	{"release_plan.first_appointment_days", 3, 0, 60, "days",
	 "Days after release within which the first probation appointment must fall"},
	{"referrals.share_max_days", 366, 1, 3660, "days", "The longest a referral may share a person's data with a provider"},
	{"em.retention_days", 90, 7, 3650, "days",
	 "Days electronic-monitoring locations are kept, unless an alert holds them as evidence (S12)"},
	{"em.margin_m", 20, 0, 500, "metres", "Margin beyond a fix's accuracy before it counts as outside a zone"},
	{"em.dwell_s", 60, 0, 3600, "seconds", "How long a person must stay outside (or inside) before a zone alert"},
	{"em.no_location_min", 15, 1, 1440, "minutes", "Minutes without a location fix before a fitted device raises an alert"},
	{"em.no_contact_min", 30, 1, 1440, "minutes", "Minutes without any message before a fitted device raises an alert"},
	{"em.police_access_days", 14, 1, 90, "days", "Days an approved police request's data stays readable by the requester"},
};

const struct setting_info *settings_registry(size_t *n_r)
{
	*n_r = sizeof registry / sizeof registry[0];
	return registry;
}

const struct setting_info *setting_info_find(const char *key)
{
	for (size_t i = 0; key && i < sizeof registry / sizeof registry[0]; i++)
		if (strcmp(registry[i].key, key) == 0)
			return &registry[i];
	return NULL;
}

/* The value of a setting in a malloc'd string, or NULL when it is not set. */
static enum db_status setting_text(db *conn, const char *key, char **value_r)
{
	db_stmt *st = NULL;
	*value_r = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT value FROM setting WHERE key = ?", "t", key);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW) {
		const char *v = db_column_text(st, 0, NULL);
		*value_r = v ? xstrdup(v) : NULL;
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

enum db_status setting_int(db *conn, const char *key, long def, long min, long max, long *value_r)
{
	char *text = NULL;
	enum db_status rc = setting_text(conn, key, &text);
	*value_r = def;
	if (rc == DB_OK && text && *text) {
		char *end = NULL;
		long v = strtol(text, &end, 10);
		if (*end == '\0' && v >= min && v <= max)
			*value_r = v;
	}
	free(text);
	return rc;
}

enum db_status setting_number(db *conn, const char *key, long *value_r)
{
	const struct setting_info *s = setting_info_find(key);
	if (!s) {
		*value_r = 0;
		return DB_ERROR;
	}
	return setting_int(conn, key, s->def, s->min, s->max, value_r);
}

enum db_status setting_store(db *conn, const char *key, long value, int64_t now)
{
	char text[24];
	snprintf(text, sizeof text, "%ld", value);
	int64_t changed = 0;
	enum db_status rc = db_run(conn, &changed, "UPDATE setting SET value = ?, updated_at = ? WHERE key = ?", "tit",
	                           text, now, key);
	if (rc == DB_OK && changed == 0)
		rc = db_run(conn, NULL, "INSERT INTO setting (key, value, updated_at) VALUES (?, ?, ?)", "tti", key, text,
		            now);
	return rc;
}
