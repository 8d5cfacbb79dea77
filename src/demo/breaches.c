/*
 * breaches.c — the demo's breach allegations (S6-S9). Some still-open
 * "failed to attend" alerts on cases with conditions in force are verified
 * as breaches and taken, through the same table and path as the API
 * (breach_move), to every state: reported, notified, the person's account,
 * the officer's assessment, the unit head's countersignature, referral to
 * the demo court and its decision (judge.bishkek), an appeal and its outcome,
 * a closure with a warning, a withdrawal. Deterministic: the same alerts give
 * the same allegations. Texts are invented, in the person's language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "audit/audit.h"
#include "base/buf.h"
#include "base/uuid.h"
#include "demo/demo.h"
#include "domain/alert_steps.h"
#include "domain/alerts.h"
#include "domain/appointments.h"
#include "domain/breaches.h"
#include "domain/casefile.h"
#include "domain/conditions.h"
#include "domain/keydates.h"
#include "domain/responses.h"

#define DEMO_BREACHES 11
#define DEMO_AUTHORITY "Bishkek City Court (demo)"

/* The state each demo allegation is taken to, in the order the alerts are found. */
static const char *const targets[DEMO_BREACHES] = {
	"reported", "notified", "account_recorded", "assessed", "countersigned", "referred",
	"decided", "appealed", "closed", "withdrawn", "appeal_decided"};

/* Invented texts: [0] Kyrgyz, [1] Russian. */
struct texts {
	const char *allegation, *account, *facts, *alternatives, *note, *reasons, *alternatives_considered,
		*appeal_route, *grounds, *appeal_reasons, *close_reasons, *withdraw_reason;
};

static const struct texts wording[2] = {
	{"Белгиленген күнү пробация бөлүмүнө келген жок жана себебин билдирген жок.",
	 "Ошол күнү курулушта иштеп жаткам, бригадир бошоткон жок. Телефонумдун акчасы бүтүп калгандыктан чала "
	 "алган жокмун. Мындан ары алдын ала эскертем.",
	 "Бир жолу келген жок; жумуш берүүчү ошол күнү иште болгонун тастыктады. Мурда бардык жолугушууларга келген.",
	 "Эскертүү; бир ай бою байланыштарды көбөйтүү; жумуш убактысына ылайыктуу жолугушуу убактысын белгилөө.",
	 "Сунушталган жооп: компетенттүү органдын чечими керек.",
	 "Бир жолку келбей калуу, жүйөлүү себеби бар; катуу чара пропорционалдуу эмес.",
	 "Эркинен ажыратуу каралды жана четке кагылды: эскертүү жана тыгыз байланыш жетиштүү.",
	 "Бишкек шаардык сотунун апелляциялык коллегиясына чечим алынган күндөн тартып 10 күндүн ичинде.",
	 "Сот жумуш берүүчүнүн тастыктамасын эске алган жок.",
	 "Чечим негиздүү жана пропорционалдуу.",
	 "Эскертүү берилди; адам милдеттерин түшүнөрүн жазуу жүзүндө ырастады.",
	 "Адам ошол күнү ооруканада болгону тастыкталды (справка көрсөтүлдү); сигнал жаңылыш."},
	{"Не явился в подразделение пробации в назначенный день и не сообщил о причине.",
	 "В тот день я работал на стройке, бригадир не отпустил. Позвонить не смог, закончились деньги на телефоне. "
	 "В следующий раз предупрежу заранее.",
	 "Одна неявка; работодатель подтвердил, что в тот день он был на работе. Ранее являлся на все встречи.",
	 "Предупреждение; более частые контакты в течение месяца; назначение встреч с учётом рабочего графика.",
	 "Рекомендуемая мера требует решения компетентного органа.",
	 "Однократная неявка по уважительной в целом причине; более строгая мера несоразмерна.",
	 "Лишение свободы рассмотрено и отклонено: достаточно предупреждения и более частых контактов.",
	 "В апелляционную коллегию Бишкекского городского суда в течение 10 дней со дня вынесения решения.",
	 "Суд не учёл справку работодателя.",
	 "Решение обоснованно и соразмерно.",
	 "Вынесено предупреждение; лицо письменно подтвердило, что понимает свои обязанности.",
	 "Подтверждено, что в тот день лицо находилось в больнице (справка предъявлена); сигнал ошибочный."},
};

struct demo_alert {
	char alert_id[UUID_STR_LEN], case_id[UUID_STR_LEN], person_id[UUID_STR_LEN], unit_id[UUID_STR_LEN];
	char officer[UUID_STR_LEN], head[UUID_STR_LEN];
	char due_on[11];
};

static const char *date_add(const char *date, int days, char out[11])
{
	struct civil_date d;
	if (civil_date_parse(date, &d))
		civil_date_format(civil_date_add_days(d, days), out);
	else
		snprintf(out, 11, "%s", date);
	return out;
}

/* from + days into out, no later than today (when given). */
static void later(const char *from, int days, const char *today, char out[11])
{
	char d[11];
	date_add(from, days, d);
	snprintf(out, 11, "%s", today && strcmp(d, today) > 0 ? today : d);
}

/* Raises contact.failed alerts from failed contacts when the rules left fewer open ones than the demo needs. */
static enum db_status raise_missing(db *conn, int64_t now, long *raised_r)
{
	db_stmt *st = NULL;
	json_t *found = json_array();
	enum db_status rc = db_query(conn, &st,
		"SELECT k.id, k.case_id, k.happened_local, k.outcome, k.appointment_id FROM contact k"
		" JOIN case_file c ON c.id = k.case_id"
		" WHERE c.status <> 'closed' AND k.outcome IN ('failed_to_attend', 'unacceptable_absence')"
		" AND EXISTS (SELECT 1 FROM case_condition cc WHERE cc.case_id = c.id AND cc.status = 'active')"
		" AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.case_id = c.id AND a.rule_code = 'contact.failed')"
		" ORDER BY k.happened_local DESC, k.id LIMIT 200", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *appointment = db_column_text(st, 4, NULL);
		json_array_append_new(found, json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", db_column_text(st, 0, NULL),
		                                       "case_id", db_column_text(st, 1, NULL), "at",
		                                       db_column_text(st, 2, NULL), "outcome", db_column_text(st, 3, NULL),
		                                       "appointment_id", appointment ? json_string(appointment) : json_null()));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE) {
		json_decref(found);
		return rc;
	}
	rc = DB_OK;
	json_t *cases = json_object(); /* one alert per case */
	size_t i;
	json_t *k;
	json_array_foreach(found, i, k) {
		if (*raised_r >= DEMO_BREACHES || rc != DB_OK)
			break;
		const char *case_id = json_string_value(json_object_get(k, "case_id"));
		if (json_object_get(cases, case_id))
			continue;
		json_object_set_new(cases, case_id, json_true());
		const char *at = json_string_value(json_object_get(k, "at"));
		char date[11], key[128];
		snprintf(date, sizeof date, "%.10s", at);
		snprintf(key, sizeof key, "contact.failed:%s:%s", json_string_value(json_object_get(k, "id")), date);
		json_t *evidence = json_pack("{s:O, s:O, s:O, s:s}", "contact_id", json_object_get(k, "id"), "appointment_id",
		                             json_object_get(k, "appointment_id"), "outcome", json_object_get(k, "outcome"),
		                             "occurred_at", at);
		char *ev = json_dumps(evidence, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(evidence);
		struct alert_new a = {.case_id = case_id, .rule_code = "contact.failed", .source = "rule",
		                      .dedupe_key = key, .summary = "Failed to attend or unacceptable absence recorded",
		                      .evidence = ev, .due_on = date};
		char id[UUID_STR_LEN];
		bool created = false;
		rc = alert_raise(conn, &a, now, id, &created);
		free(ev);
		if (rc == DB_OK && created)
			(*raised_r)++;
	}
	json_decref(cases);
	json_decref(found);
	return rc;
}

/* Open contact.failed alerts on open cases with conditions in force, one per case, oldest first. */
static enum db_status find_alerts(db *conn, struct demo_alert *out, size_t max, size_t *n_r)
{
	*n_r = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT a.id, a.case_id, c.person_id, c.unit_id, COALESCE(c.officer_id, a.assigned_to), a.due_on,"
		" a.raised_at, COALESCE((SELECT h.id FROM account h, account_role r"
		"  WHERE r.account_id = h.id AND r.role = 'unit_head' AND h.status = 'active'"
		"  AND h.id <> COALESCE(c.officer_id, '') AND h.unit_id = c.unit_id ORDER BY h.login LIMIT 1),"
		" (SELECT h.id FROM account h, account_role r, unit hu"
		"  WHERE r.account_id = h.id AND r.role = 'unit_head' AND hu.id = h.unit_id AND h.status = 'active'"
		"  AND h.id <> COALESCE(c.officer_id, '') AND hu.agency_id = cu.agency_id ORDER BY h.login LIMIT 1))"
		" FROM alert a JOIN case_file c ON c.id = a.case_id JOIN unit cu ON cu.id = c.unit_id"
		" WHERE a.rule_code = 'contact.failed' AND a.status IN ('open', 'acknowledged') AND c.status <> 'closed'"
		" AND EXISTS (SELECT 1 FROM case_condition cc WHERE cc.case_id = c.id AND cc.status = 'active')"
		" AND NOT EXISTS (SELECT 1 FROM breach b WHERE b.case_id = c.id)"
		" ORDER BY a.raised_at, a.id", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *officer = db_column_text(st, 4, NULL), *head = db_column_text(st, 7, NULL);
		const char *case_id = db_column_text(st, 1, NULL);
		bool seen = false;
		for (size_t i = 0; i < *n_r; i++)
			seen = seen || strcmp(out[i].case_id, case_id) == 0;
		rc = DB_OK;
		if (!officer || !head || seen || *n_r >= max)
			continue;
		struct demo_alert *d = &out[(*n_r)++];
		snprintf(d->alert_id, sizeof d->alert_id, "%s", db_column_text(st, 0, NULL));
		snprintf(d->case_id, sizeof d->case_id, "%s", case_id);
		snprintf(d->person_id, sizeof d->person_id, "%s", db_column_text(st, 2, NULL));
		snprintf(d->unit_id, sizeof d->unit_id, "%s", db_column_text(st, 3, NULL));
		snprintf(d->officer, sizeof d->officer, "%s", officer);
		snprintf(d->head, sizeof d->head, "%s", head);
		const char *due = db_column_text(st, 5, NULL);
		snprintf(d->due_on, sizeof d->due_on, "%s", due ? due : "");
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc;
}

static enum db_status logged(db *conn, const char *actor, const char *action, const char *record_type,
                             const char *record_id, const char *detail)
{
	struct audit_entry e = {.actor_id = actor, .action = action, .record_type = record_type, .record_id = record_id,
	                        .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
	return audit_append(conn, &e) == DB_OK ? DB_OK : DB_ERROR;
}

/* One step through breach_move with the row's present state and version, and its log entry. */
static enum db_status step(db *conn, const char *id, const char *case_id, const char *action, const char *to,
                           const char *event, const char *actor, const char *reason, const struct breach_set *set,
                           size_t nset, int64_t at)
{
	db_stmt *st = NULL;
	char state[20] = "";
	int64_t version = 0;
	enum db_status rc = db_query(conn, &st, "SELECT state, version FROM breach WHERE id = ?", "t", id);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		snprintf(state, sizeof state, "%s", db_column_text(st, 0, NULL));
		version = db_column_int64(st, 1);
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_OK)
		return rc == DB_DONE ? DB_ERROR : rc;
	struct breach_move m = {.breach_id = id, .case_id = case_id, .action = action, .event = event, .from = state,
	                        .to = to, .version = version, .actor_id = actor, .reason = reason, .detail = "{\"demo\":true}",
	                        .set = set, .nset = nset};
	rc = breach_move(conn, &m, at);
	if (rc == DB_DONE)
		return DB_ERROR;
	return rc == DB_OK ? logged(conn, actor, AUDIT_ALTER, "breach", id, action) : rc;
}

#define T(c, v) {.column = (c), .text = (v)}
#define I(c, v) {.column = (c), .integer = (v), .is_integer = true}
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Takes one verified alert to its target state. */
/*
 * When a step dated `date` happened: that day at 09:00 local plus `minutes`, kept in the past (at least half an
 * hour before now) and after the step before it (*prev_r) — so each record reads as the day it names.
 */
static int64_t when(const char *tz, const char *date, int minutes, int64_t now, int64_t *prev_r)
{
	char local[LOCAL_TIME_LEN];
	snprintf(local, sizeof local, "%.10sT09:00", date);
	int64_t ms = now;
	if (local_to_utc_ms(local, tz, &ms))
		ms += (int64_t)minutes * 60000;
	if (ms > now - 1800000)
		ms = now - 1800000;
	if (ms <= *prev_r)
		ms = *prev_r + 60000;
	*prev_r = ms;
	return ms;
}

/* The alert was raised when the failed contact was recorded (the event rule does that at once), not when the
   demo's rules run: its raised time, event and timeline entry move to that evening. */
static enum db_status alert_raised_at(db *conn, const char *alert_id, int64_t at)
{
	enum db_status rc = db_run(conn, NULL, "UPDATE alert SET raised_at = ?, ack_due_at = ? WHERE id = ?", "iit", at,
	                           at + 86400000, alert_id);
	if (rc == DB_OK)
		rc = db_run(conn, NULL, "UPDATE alert_event SET at = ? WHERE alert_id = ? AND action = 'raised'", "it", at,
		            alert_id);
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
		            "UPDATE case_event SET at = ? WHERE record_type = 'alert' AND record_id = ? AND kind = 'alert.raised'",
		            "it", at, alert_id);
	return rc;
}

static enum db_status demo_one(db *conn, const struct demo_alert *d, const char *target, const char *judge,
                               const char *today, int64_t now, struct demo_compliance_counts *n)
{
	char lang[3];
	enum db_status rc = condition_person_language(conn, d->person_id, lang);
	if (rc != DB_OK)
		return rc;
	const struct texts *w = &wording[strcmp(lang, "ru") == 0 ? 1 : 0];
	char occurred[11];
	snprintf(occurred, sizeof occurred, "%s", d->due_on[0] ? d->due_on : date_add(today, -7, occurred));
	if (strcmp(occurred, today) > 0)
		snprintf(occurred, sizeof occurred, "%s", today);
	/* The conditions in force (at most two). */
	char cond[2][UUID_STR_LEN];
	size_t nc = 0;
	db_stmt *st = NULL;
	rc = db_query(conn, &st, "SELECT id FROM case_condition WHERE case_id = ? AND status = 'active'"
	                         " ORDER BY effective_from, id LIMIT 2", "t", d->case_id);
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		snprintf(cond[nc++], UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc;
	const char *ids[2] = {cond[0], cond[1]};
	/* The verification, through the alerts work's own steps: acknowledged (unless it already was), then verified
	   as a breach allegation (breach_open, the alert's event and timeline). */
	char breach[UUID_STR_LEN];
	struct breach_new b = {.allegation = w->allegation, .occurred_on = occurred, .condition_ids = ids,
	                       .nconditions = nc};
	char tz[APPOINTMENT_ZONE_LEN], reported[11], notified[11], due[11], account_on[11], decided[11], deadline[11],
		appealed[11], appeal_decided[11], withdrawn[11];
	if (!appointments_zone(conn, tz))
		return DB_ERROR;
	later(occurred, 1, today, reported);
	later(occurred, 2, today, notified);
	later(notified, 10, NULL, due);
	later(notified, 3, today, account_on);
	later(account_on, 5, today, decided);
	later(decided, 10, NULL, deadline);
	later(decided, 3, today, appealed);
	later(appealed, 7, today, appeal_decided);
	later(occurred, 2, today, withdrawn);
	int64_t prev = 0;
	rc = alert_raised_at(conn, d->alert_id, when(tz, occurred, 540, now, &prev));
	int64_t at = when(tz, reported, 30, now, &prev);
	if (rc == DB_OK)
		rc = alert_acknowledge(conn, d->alert_id, d->officer, at);
	if (rc == DB_OK || rc == DB_DONE)
		rc = alert_verify_breach(conn, d->alert_id, d->officer, "Confirmed with the person: no contact that day", &b,
		                         at, breach);
	if (rc == DB_DONE)
		rc = DB_ERROR;
	if (rc == DB_OK)
		rc = logged(conn, d->officer, AUDIT_COLLECT, "breach", breach, "demo");
	int t = breach_state_index(target);
	const char *state = "reported";
	bool withdraw = strcmp(target, "withdrawn") == 0, close = strcmp(target, "closed") == 0;
	bool refer = !close && (t >= breach_state_index("referred") || strcmp(target, "countersigned") == 0);
	const char *recommended = close ? "warning" : refer ? "referral" : "increased_contact";
	if (withdraw) {
		int64_t on = when(tz, withdrawn, 180, now, &prev);
		struct breach_set s[] = {I("closed_at", on), T("closed_by", d->officer), T("close_reason", w->withdraw_reason)};
		rc = rc == DB_OK ? step(conn, breach, d->case_id, "withdrawal", NULL, NULL, d->officer, w->withdraw_reason, s,
		                        N(s), on) : rc;
		state = "withdrawn";
	}
	if (rc == DB_OK && !withdraw && t >= 1) {
		struct breach_set s[] = {T("notified_on", notified), T("notice_method", "in_person"), T("notice_language", lang),
		                         T("account_due_on", due)};
		rc = step(conn, breach, d->case_id, "notification", NULL, NULL, d->officer, NULL, s, N(s),
		          when(tz, notified, 60, now, &prev));
		state = "notified";
	}
	if (rc == DB_OK && !withdraw && (t >= 2 || close)) {
		struct breach_set s[] = {T("account_kind", "given"), T("account_text", w->account), T("account_on", account_on)};
		rc = step(conn, breach, d->case_id, "account", NULL, NULL, d->officer, NULL, s, N(s),
		          when(tz, account_on, 120, now, &prev));
		state = "account_recorded";
	}
	if (rc == DB_OK && !withdraw && (t >= 3 || close)) {
		int64_t on = when(tz, account_on, 300, now, &prev);
		struct breach_set s[] = {T("facts", w->facts), T("alternatives", w->alternatives),
		                         T("recommended_response", recommended), I("assessed_at", on),
		                         T("assessed_by", d->officer)};
		rc = step(conn, breach, d->case_id, "assessment", NULL, NULL, d->officer, NULL, s, N(s), on);
		state = "assessed";
	}
	if (rc == DB_OK && !withdraw && (t >= 4 || close)) {
		int64_t on = when(tz, account_on, 420, now, &prev);
		struct breach_set s[] = {I("countersigned_at", on), T("countersigned_by", d->head)};
		rc = step(conn, breach, d->case_id, "countersignature", NULL, NULL, d->head, NULL, s, N(s), on);
		state = "countersigned";
	}
	char response[UUID_STR_LEN] = "";
	if (rc == DB_OK && close) {
		int64_t on = when(tz, account_on, 480, now, &prev);
		struct response_new r = {.case_id = d->case_id, .code = "warning", .breach_id = breach, .given_on = account_on,
		                         .given_by = d->officer, .reasons = w->close_reasons};
		rc = response_record(conn, &r, on, response);
		struct breach_set s[] = {I("closed_at", on), T("closed_by", d->officer),
		                         T("close_reason", w->close_reasons), T("response_id", response)};
		if (rc == DB_OK)
			rc = logged(conn, d->officer, AUDIT_COLLECT, "response", response, "demo");
		if (rc == DB_OK)
			rc = step(conn, breach, d->case_id, "closure", NULL, NULL, d->officer, w->close_reasons, s, N(s), on);
		if (rc == DB_OK)
			n->responses_negative++;
		state = "closed";
	}
	if (rc == DB_OK && refer && t >= breach_state_index("referred") && t < breach_state_index("closed")) {
		int64_t on = when(tz, account_on, 480, now, &prev);
		struct response_new r = {.case_id = d->case_id, .code = "referral", .breach_id = breach, .given_on = account_on,
		                         .given_by = d->officer, .reasons = w->note};
		rc = response_record(conn, &r, on, response);
		struct breach_set s[] = {I("referred_at", on), T("referred_by", d->officer), T("authority", DEMO_AUTHORITY),
		                         T("referral_note", w->note), T("response_id", response)};
		if (rc == DB_OK)
			rc = logged(conn, d->officer, AUDIT_COLLECT, "response", response, "demo");
		if (rc == DB_OK)
			rc = step(conn, breach, d->case_id, "referral", NULL, NULL, d->officer, w->note, s, N(s), on);
		if (rc == DB_OK)
			n->responses_negative++;
		state = "referred";
	}
	if (rc == DB_OK && t >= breach_state_index("decided") && t < breach_state_index("closed")) {
		int64_t on = when(tz, decided, 120, now, &prev);
		struct breach_set s[] = {T("decision_outcome", "warning"), T("decision_reasons", w->reasons),
		                         T("alternatives_considered", w->alternatives_considered),
		                         T("authority_reference", "1-204/26"), T("decided_on", decided), I("decided_at", on),
		                         T("decided_by", judge), T("appeal_route", w->appeal_route),
		                         T("appeal_deadline_on", deadline)};
		rc = step(conn, breach, d->case_id, "decision", NULL, NULL, judge, w->reasons, s, N(s), on);
		state = "decided";
	}
	if (rc == DB_OK && t >= breach_state_index("appealed") && t < breach_state_index("closed")) {
		struct breach_set s[] = {T("appealed_on", appealed), T("appeal_by", "defender"), T("appeal_grounds", w->grounds)};
		rc = step(conn, breach, d->case_id, "appeal", NULL, NULL, d->officer, NULL, s, N(s),
		          when(tz, appealed, 60, now, &prev));
		state = "appealed";
	}
	if (rc == DB_OK && t == breach_state_index("appeal_decided")) {
		struct breach_set s[] = {T("appeal_outcome", "upheld"), T("appeal_decided_on", appeal_decided),
		                         T("appeal_reasons", w->appeal_reasons)};
		rc = step(conn, breach, d->case_id, "appeal-decision", NULL, NULL, judge, w->appeal_reasons, s, N(s),
		          when(tz, appeal_decided, 180, now, &prev));
		state = "appeal_decided";
	}
	if (rc == DB_OK) {
		int i = breach_state_index(state);
		n->breaches++;
		if (i >= 0)
			n->breaches_by_state[i]++;
	}
	return rc;
}

enum db_status demo_breaches(db *conn, int64_t now, struct demo_compliance_counts *n)
{
	char today[11], judge[UUID_STR_LEN] = "";
	if (!api_local_date(conn, now, today))
		return DB_ERROR;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT id FROM account WHERE login = 'judge.bishkek'", "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		snprintf(judge, sizeof judge, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	if (!judge[0])
		return DB_OK; /* no demo court: nothing to show */
	struct demo_alert alerts[DEMO_BREACHES];
	size_t found = 0;
	rc = find_alerts(conn, alerts, DEMO_BREACHES, &found);
	if (rc == DB_OK && found < DEMO_BREACHES) {
		long raised = 0;
		rc = raise_missing(conn, now, &raised);
		n->alerts_raised += raised;
		if (rc == DB_OK)
			rc = find_alerts(conn, alerts, DEMO_BREACHES, &found);
	}
	for (size_t i = 0; rc == DB_OK && i < found; i++)
		rc = demo_one(conn, &alerts[i], targets[i], judge, today, now + (int64_t)i * 10, n);
	return rc;
}
