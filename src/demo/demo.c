#include "demo/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "domain/account.h"
#include "domain/catalogue.h"
#include "domain/instrument.h"
#include "domain/org.h"

/*
 * Synthetic data only: every agency, unit and person here is invented and
 * marked as a demo. Idempotent: what exists already is left alone.
 */

static const char *const demo_settings[][2] = {
	{"deployment_name", "Kadam demo"},
	{"demo", "true"},
};

static const struct {
	const char *name, *kind;
} agencies[] = {
	{"Probation Service (demo)", "probation"},
	{"Penitentiary Service (demo)", "prison"},
	{"Community Support NGO (demo)", "partner"},
	{"Bishkek City Court (demo)", "court"},
	{"Administration", "administration"},
	{"Religious Dialogue Centre (demo)", "partner"},
	{"Ak-Jol Construction (demo)", "partner"},
	{"Vocational Lyceum No. 98 (demo)", "partner"},
	{"Family Medicine Centre No. 9 (demo)", "partner"},
	{"Psychological Support Centre (demo)", "partner"},
	{"Bishkek City Social Development Department (demo)", "partner"},
	{"Electronic Monitoring Centre (demo)", "monitoring_centre"},
	{"Bishkek City Police Department (demo)", "police"},
};

/* The partner organisations' profiles (issue 9): one of each partner_kind. Contacts and numbers are invented. */
static const struct {
	const char *agency, *kind, *contact, *phone, *email, *address, *note;
} partner_profiles[] = {
	{"Community Support NGO (demo)", "ngo", "Айгуль Токтосунова", "+996 312 900 101", "info@ngo.example",
	 "г. Бишкек, ул. Токтогула, 101", "Программы отхода от насилия и наставничества; кыргызский, русский, узбекский."},
	{"Religious Dialogue Centre (demo)", "religious_organisation", "Нурлан Абдыкалыков", "+996 312 900 202",
	 "dialogue@centre.example", "г. Бишкек, ул. Фрунзе, 40",
	 "Теологический диалог по направлению пробации; работает только с согласия человека."},
	{"Ak-Jol Construction (demo)", "employer", "Бакыт Осмонов", "+996 555 900 303", "hr@ak-jol.example",
	 "г. Бишкек, ул. Льва Толстого, 17", "Стажировки с последующим трудоустройством на стройках."},
	{"Vocational Lyceum No. 98 (demo)", "school", "Гульнара Садыкова", "+996 312 900 404", "lyceum98@school.example",
	 "г. Бишкек, ул. Жукеева-Пудовкина, 98", "Профессиональные курсы и вечерняя школа."},
	{"Family Medicine Centre No. 9 (demo)", "health_service", "Эркин Жумабаев", "+996 312 900 505",
	 "csm9@health.example", "г. Бишкек, ул. Ахунбаева, 9", "Нарколог и психиатр принимают по направлению."},
	{"Psychological Support Centre (demo)", "psychologist", "Марина Ким", "+996 555 900 606",
	 "help@psy.example", "г. Бишкек, пр. Чуй, 150", "Индивидуальная и групповая психологическая помощь."},
	{"Bishkek City Social Development Department (demo)", "local_government", "Жылдыз Бообекова",
	 "+996 312 900 707", "social@city.example", "г. Бишкек, ул. Киевская, 96",
	 "Отдел защиты детей, социальные пособия, временное жильё."},
};

/* parent "" is a root unit. */
static const struct {
	const char *agency, *name, *parent;
} units[] = {
	{"Probation Service (demo)", "Central office", ""},
	{"Probation Service (demo)", "Bishkek city office", "Central office"},
	{"Probation Service (demo)", "Chui regional office", "Central office"},
	{"Probation Service (demo)", "Osh regional office", "Central office"},
	{"Penitentiary Service (demo)", "Colony No. 99 (demo)", ""},
	{"Bishkek City Court (demo)", "Criminal chamber", ""},
};

static const struct {
	const char *login, *name, *agency, *unit, *role, *language;
} people[] = {
	{"admin", "Demo Administrator", "Administration", "", "administrator", "en"},
	{"officer.bishkek", "Demo Officer Bishkek", "Probation Service (demo)", "Bishkek city office",
	 "probation_officer", "ky"},
	{"head.bishkek", "Demo Unit Head Bishkek", "Probation Service (demo)", "Bishkek city office", "unit_head",
	 "ru"},
	{"officer.osh", "Demo Officer Osh", "Probation Service (demo)", "Osh regional office", "probation_officer",
	 "ky"},
	{"officer.chui", "Demo Officer Chui", "Probation Service (demo)", "Chui regional office", "probation_officer",
	 "ru"},
	{"head.service", "Demo Head of Service", "Probation Service (demo)", "Central office", "unit_head", "ru"},
	{"caseworker.colony", "Demo Case Worker Colony", "Penitentiary Service (demo)", "Colony No. 99 (demo)",
	 "prison_case_worker", "ky"},
	{"auditor", "Demo Auditor", "Administration", "", "auditor", "en"},
	{"judge.bishkek", "Demo Judge Bishkek", "Bishkek City Court (demo)", "Criminal chamber", "competent_authority",
	 "ru"},
	{"partner.ngo", "Demo Partner NGO", "Community Support NGO (demo)", "", "partner", "ru"},
	{"partner.dialogue", "Demo Partner Dialogue", "Religious Dialogue Centre (demo)", "", "partner", "ky"},
	{"partner.lyceum", "Demo Partner Lyceum", "Vocational Lyceum No. 98 (demo)", "", "partner", "ky"},
	{"partner.employer", "Demo Partner Employer", "Ak-Jol Construction (demo)", "", "partner", "ru"},
	{"partner.clinic", "Demo Partner Clinic", "Family Medicine Centre No. 9 (demo)", "", "partner", "ru"},
	{"partner.psych", "Demo Partner Psychologist", "Psychological Support Centre (demo)", "", "partner", "ru"},
	{"partner.cityhall", "Demo Partner City Hall", "Bishkek City Social Development Department (demo)", "",
	 "partner", "ky"},
	{"operator.centre", "Demo Monitoring Operator", "Electronic Monitoring Centre (demo)", "", "monitoring_operator",
	 "ru"},
	{"police.liaison", "Demo Police Liaison", "Bishkek City Police Department (demo)", "", "police_liaison", "ru"},
};

static enum db_status put_setting(db *conn, const char *key, const char *value)
{
	return db_run(conn, NULL, "UPDATE setting SET value = ?, updated_at = ? WHERE key = ?", "tit", value,
	              clock_now_ms(), key);
}

/* The id of the first row a query finds ("" when none). */
static enum db_status find_id(db *conn, const char *sql, const char *a, const char *b,
                              char id_r[UUID_STR_LEN])
{
	db_stmt *st = NULL;
	id_r[0] = '\0';
	enum db_status rc = b ? db_query(conn, &st, sql, "tt", a, b) : db_query(conn, &st, sql, "t", a);
	if (rc == DB_OK)
		rc = db_step(st);
	if (rc == DB_ROW)
		snprintf(id_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

static enum db_status agency_id(db *conn, const char *name, char id_r[UUID_STR_LEN])
{
	return find_id(conn, "SELECT id FROM agency WHERE name = ?", name, NULL, id_r);
}

static enum db_status unit_id(db *conn, const char *agency, const char *name, char id_r[UUID_STR_LEN])
{
	return find_id(conn, "SELECT id FROM unit WHERE agency_id = ? AND name = ?", agency, name, id_r);
}

static bool seed_org(db *conn)
{
	char id[UUID_STR_LEN], agency[UUID_STR_LEN], parent[UUID_STR_LEN];
	for (size_t i = 0; i < sizeof agencies / sizeof agencies[0]; i++) {
		if (agency_id(conn, agencies[i].name, id) != DB_OK)
			return false;
		if (!id[0] && org_agency_create(conn, agencies[i].name, agencies[i].kind, clock_now_ms(), id) != ORG_OK)
			return false;
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (agency_id(conn, units[i].agency, agency) != DB_OK || unit_id(conn, agency, units[i].name, id) != DB_OK)
			return false;
		if (id[0])
			continue;
		parent[0] = '\0';
		if (units[i].parent[0] && unit_id(conn, agency, units[i].parent, parent) != DB_OK)
			return false;
		if (org_unit_create(conn, agency, parent[0] ? parent : NULL, units[i].name, clock_now_ms(), id) != ORG_OK)
			return false;
	}
	for (size_t i = 0; i < sizeof partner_profiles / sizeof partner_profiles[0]; i++) {
		if (agency_id(conn, partner_profiles[i].agency, agency) != DB_OK ||
		    find_id(conn, "SELECT agency_id FROM partner_profile WHERE agency_id = ?", agency, NULL, id) != DB_OK)
			return false;
		if (id[0] || !agency[0])
			continue;
		int64_t now = clock_now_ms();
		if (db_run(conn, NULL,
		           "INSERT INTO partner_profile (agency_id, partner_kind, contact_name, phone, email, address, note,"
		           " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		           "tttttttii", agency, partner_profiles[i].kind, partner_profiles[i].contact,
		           partner_profiles[i].phone, partner_profiles[i].email, partner_profiles[i].address,
		           partner_profiles[i].note, now, now) != DB_OK)
			return false;
	}
	return true;
}

/* Creates the demo accounts that do not exist yet and prints their one-time passwords. */
static bool seed_people(db *conn, struct buf *out)
{
	for (size_t i = 0; i < sizeof people / sizeof people[0]; i++) {
		char agency[UUID_STR_LEN], unit[UUID_STR_LEN] = "", id[UUID_STR_LEN];
		char one_time[PASSWORD_ONETIME_SIZE];
		if (find_id(conn, "SELECT id FROM account WHERE login = ?", people[i].login, NULL, id) != DB_OK ||
		    agency_id(conn, people[i].agency, agency) != DB_OK ||
		    (people[i].unit[0] && unit_id(conn, agency, people[i].unit, unit) != DB_OK))
			return false;
		if (id[0]) {
			buf_printf(out, "  %-18s %-24s (exists: use the password you set)\n", people[i].login, people[i].role);
			continue;
		}
		const char *roles[] = {people[i].role};
		struct account_fields f = {.login = people[i].login, .display_name = people[i].name,
		                           .agency_id = agency, .unit_id = unit[0] ? unit : NULL,
		                           .preferred_language = people[i].language, .roles = roles, .nroles = 1};
		struct audit_entry e = {.actor_login = "kadam demo (command line)", .action = AUDIT_ACCOUNT_CREATE,
		                        .record_type = "account", .record_id = id, .outcome = AUDIT_OUTCOME_SUCCESS,
		                        .detail = "demo account"};
		if (account_provision(conn, &f, clock_now_ms(), one_time, id) != ACCOUNT_OK ||
		    audit_append(conn, &e) != DB_OK)
			return false;
		buf_printf(out, "  %-18s %-24s one-time password: %s\n", people[i].login, people[i].role, one_time);
	}
	return true;
}

enum db_status demo_seed(db *conn, char **error_r)
{
	struct buf out = {0};
	enum db_status rc = db_begin(conn);
	if (rc == DB_OK)
		rc = catalogue_ensure_shipped(conn, clock_now_ms());
	if (rc == DB_OK)
		rc = instruments_ensure_shipped(conn, clock_now_ms());
	for (size_t i = 0; rc == DB_OK && i < sizeof demo_settings / sizeof demo_settings[0]; i++)
		rc = put_setting(conn, demo_settings[i][0], demo_settings[i][1]);
	if (rc == DB_OK && (!seed_org(conn) || !seed_people(conn, &out)))
		rc = DB_ERROR;
	if (rc == DB_OK)
		rc = db_commit(conn);
	if (rc != DB_OK) {
		*error_r = xasprintf("loading demo data: %s", db_errmsg(conn));
		db_rollback(conn);
	} else {
		printf("Demo accounts (synthetic; each must change its one-time password and set up TOTP at first login):\n%s",
		       out.data ? out.data : "");
	}
	buf_free(&out);
	return rc;
}
