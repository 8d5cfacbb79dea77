/*
 * supervision.c — the demo's daily supervision: for each demo case, the
 * conditions its decision authorises (from the current catalogue, with typed
 * parameters, explained to the person), a supervision level with its reason,
 * a plan with objectives, actions and reviews, and a history of appointments
 * (a weekly reporting series and home visits) with their outcomes, plus a few
 * variation proposals waiting for a unit head or the court. Everything is
 * invented; the values go through the same checks as the API's
 * (catalogue_params_check), so a bad generator fails the run, not a page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/uuid.h"
#include "demo/demo.h"
#include "domain/casefile.h"
#include "domain/catalogue.h"
#include "domain/keydates.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define HISTORY_DAYS 119 /* appointments are kept from about four months before today (or the closing) */

static uint64_t mix(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static unsigned pick(uint64_t *s, unsigned n)
{
	return (unsigned)(mix(s) % n);
}

static bool chance(uint64_t *s, unsigned per_mille)
{
	return pick(s, 1000) < per_mille;
}

static const char *date_add(const char *date, int days, char out[11])
{
	struct civil_date d;
	if (civil_date_parse(date, &d))
		civil_date_format(civil_date_add_days(d, days), out);
	else if (out != date)
		memmove(out, date, strnlen(date, 10) + 1);
	return out;
}

static int date_diff(const char *from, const char *to)
{
	struct civil_date a, b;
	if (!civil_date_parse(from, &a) || !civil_date_parse(to, &b))
		return 0;
	return civil_date_diff_days(a, b);
}

/* An instant on a date (extra ms after 09:00 local, 03:00 UTC), kept between the case's start and its latest time. */
static int64_t when(const struct demo_case *c, const char *date, int64_t extra)
{
	struct civil_date d;
	int64_t ms = c->at_ms;
	if (civil_date_parse(date, &d))
		ms = (int64_t)civil_date_diff_days((struct civil_date){1970, 1, 1}, d) * 86400000LL + 3 * 3600000LL + extra;
	if (ms < c->at_ms)
		ms = c->at_ms;
	return ms > c->latest_ms ? c->latest_ms : ms;
}

/* The catalogue's current types, read once per run. */
struct demo_type {
	char code[48], duty[48];
	json_t *params;
};
static struct demo_type *types;
static size_t ntypes;
static bool types_loaded;

static enum db_status load_types(db *conn)
{
	if (types_loaded)
		return DB_OK;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT t.code, t.duty, t.params FROM condition_type t JOIN condition_catalogue c ON c.version = t.version"
		" WHERE c.is_current = 1 ORDER BY t.code", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		rc = DB_OK;
		types = xrealloc(types, (ntypes + 1) * sizeof *types);
		struct demo_type *t = &types[ntypes++];
		snprintf(t->code, sizeof t->code, "%s", db_column_text(st, 0, NULL));
		snprintf(t->duty, sizeof t->duty, "%s", db_column_text(st, 1, NULL));
		t->params = json_loads(db_column_text(st, 2, NULL), 0, NULL);
		if (!t->params)
			t->params = json_array();
	}
	db_finalize(&st);
	if (rc == DB_DONE || rc == DB_OK) {
		types_loaded = true;
		rc = DB_OK;
	}
	return rc;
}

void demo_supervision_reset(void)
{
	for (size_t i = 0; i < ntypes; i++)
		json_decref(types[i].params);
	free(types);
	types = NULL;
	ntypes = 0;
	types_loaded = false;
}

/* The catalogue types for a duty: reporting always at the office (and now and then the duty to report changes too);
   otherwise one of the duty's types. */
static size_t types_for(uint64_t *s, const char *duty, const struct demo_type *out[2])
{
	const struct demo_type *all[16];
	size_t n = 0;
	for (size_t i = 0; i < ntypes && n < COUNT(all); i++)
		if (strcmp(types[i].duty, duty) == 0)
			all[n++] = &types[i];
	if (n == 0)
		return 0;
	if (strcmp(duty, "report") == 0) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (strcmp(all[i]->code, "report_office") == 0 || (strcmp(all[i]->code, "report_office") != 0 &&
			                                                     chance(s, 400) && k < 2))
				out[k++] = all[i];
		if (k == 0)
			out[k++] = all[0];
		return k;
	}
	out[0] = all[pick(s, (unsigned)n)];
	return 1;
}

/* Around each office's town: a small square zone (lon, lat). */
static const double centres[][2] = {{74.5900, 42.8700}, {74.7660, 42.8420}, {72.8000, 40.5300}, {72.9900, 40.7800}};

static json_t *zone_value(uint64_t *s, int unit, bool exclusion)
{
	static const char *const excluded[] = {"Центральный рынок", "Автовокзал", "Район стадиона", "Ночной клуб «Ала-Тоо»"};
	static const char *const included[] = {"Город по месту жительства", "Район проживания"};
	double lon = centres[unit % 4][0] + (double)pick(s, 200) / 10000.0, lat = centres[unit % 4][1] +
	                                                                          (double)pick(s, 200) / 10000.0;
	double d = exclusion ? 0.004 : 0.05;
	json_t *ring = json_pack("[[f,f],[f,f],[f,f],[f,f],[f,f]]", lon, lat, lon + d, lat, lon + d, lat + d, lon, lat + d,
	                         lon, lat);
	return json_pack("{s:s, s:{s:s, s:[o]}}", "name",
	                 exclusion ? excluded[pick(s, COUNT(excluded))] : included[pick(s, COUNT(included))], "geometry",
	                 "type", "Polygon", "coordinates", ring);
}

/* A synthetic value of a parameter type. */
static json_t *param_value(uint64_t *s, const char *type, const json_t *spec, const struct demo_case *c,
                           const char *code)
{
	static const char *const addresses[] = {"ул. Токтогула, 112, кв. 5", "мкр. Джал, 23-41", "ул. Ленина, 48",
	                                        "ул. Курманжан Датка, 17", "с. Ивановка, ул. Садовая, 9"};
	static const char *const persons[] = {"Осмонов Эркин (потерпевший)", "Ковалёв Андрей", "Сыдыкова Айгерим",
	                                      "Лица из списка, приложенного к решению суда"};
	static const char *const places[] = {"места продажи алкоголя", "спортивные клубы единоборств по ночам",
	                                     "молитвенные собрания незарегистрированных групп", "игорные заведения"};
	static const char *const days[] = {"mo", "tu", "we", "th", "fr"};
	if (strcmp(type, "address") == 0)
		return json_string(c->address && *c->address ? c->address : addresses[pick(s, COUNT(addresses))]);
	if (strcmp(type, "zone") == 0)
		return zone_value(s, c->unit, strstr(code, "exclusion") != NULL);
	if (strcmp(type, "time_window") == 0)
		return json_pack("{s:s, s:s}", "from", chance(s, 500) ? "22:00" : "23:00", "to", "06:00");
	if (strcmp(type, "weekly") == 0) /* the day of the reporting series (add_appointments) */
		return json_pack("{s:[s], s:s, s:s}", "days", days[c->seed % COUNT(days)], "from", "09:00", "to", "17:00");
	if (strcmp(type, "person") == 0)
		return json_string(persons[pick(s, COUNT(persons))]);
	if (strcmp(type, "organisation") == 0)
		return json_string(c->unit_name);
	if (strcmp(type, "date") == 0) {
		char d[11];
		return json_string(date_add(c->start_on, 10, d));
	}
	if (strcmp(type, "number") == 0) {
		json_int_t lo = json_is_integer(json_object_get(spec, "min")) ? json_integer_value(json_object_get(spec, "min")) : 1;
		json_int_t hi = json_is_integer(json_object_get(spec, "max")) ? json_integer_value(json_object_get(spec, "max")) : 10;
		json_int_t v = lo + (json_int_t)pick(s, (unsigned)(hi - lo + 1 > 5 ? 5 : hi - lo + 1));
		return json_integer(v);
	}
	return json_string(places[pick(s, COUNT(places))]);
}

static enum db_status add_condition(db *conn, uint64_t *s, const struct demo_case *c, const struct demo_type *t,
                                    struct demo_supervision_counts *n, char id_r[UUID_STR_LEN])
{
	json_t *values = json_object();
	size_t i;
	json_t *p;
	json_array_foreach(t->params, i, p) {
		const char *name = json_string_value(json_object_get(p, "name"));
		const char *type = json_string_value(json_object_get(p, "type"));
		if (name && type)
			json_object_set_new(values, name, param_value(s, type, p, c, t->code));
	}
	struct catalogue_error err = {0};
	if (!catalogue_params_check(t->params, values, &err)) {
		fprintf(stderr, "kadam demo: generated parameters of %s refused: %s %s\n", t->code, err.field, err.problem);
		json_decref(values);
		return DB_MISUSE;
	}
	static const char *const risks[] = {"Риск повторного насильственного преступления",
	                                    "Контакт с лицами, вовлекавшими в экстремистскую деятельность",
	                                    "Нарушение порядка в ночное время (прежние эпизоды)"};
	static const char *const needs[] = {"Нужна стабильная работа", "Нужна поддержка семьи и жильё",
	                                    "Нужна помощь в отказе от радикальных взглядов"};
	bool risk = chance(s, 600);
	char review[11], *params = json_dumps(values, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(values);
	/* Reviewed every six months: the next review is the first one after today (some are due). */
	date_add(c->start_on, 182, review);
	while (date_diff(review, c->today) > 0)
		date_add(review, 182, review);
	if (chance(s, 120))
		date_add(c->today, -(int)pick(s, 20), review);
	uuid_v7(id_r);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO case_condition (id, case_id, decision_id, catalogue_version, code, duty, params, answers,"
		" answers_detail, review_on, effective_from, effective_to, status, end_reason, created_at, created_by,"
		" updated_at) SELECT ?, ?, ?, version, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM condition_catalogue"
		" WHERE is_current = 1",
		"tttttttttttttiti", id_r, c->case_id, c->decision_id, t->code, t->duty, params, risk ? "risk" : "need",
		risk ? risks[pick(s, COUNT(risks))] : needs[pick(s, COUNT(needs))], review, c->start_on,
		c->closed_on, c->closed_on ? "ended" : "active", c->closed_on ? "decision_ended" : NULL,
		when(c, c->start_on, 0), c->officer_id, when(c, c->start_on, 0));
	free(params);
	if (rc == DB_OK) {
		char summary[128];
		snprintf(summary, sizeof summary, "Condition imposed (%s), authorised by the decision", t->code);
		char *detail = xasprintf("{\"code\":\"%s\",\"duty\":\"%s\",\"decision_id\":\"%s\"}", t->code, t->duty,
		                         c->decision_id);
		rc = case_event_add(conn, c->case_id, when(c, c->start_on, 0), "condition.imposed", c->officer_id, summary, detail,
		                    "case_condition", id_r);
		free(detail);
	}
	n->conditions++;
	return rc;
}

static enum db_status add_conditions(db *conn, uint64_t *s, const struct demo_case *c,
                                     struct demo_supervision_counts *n, char first_r[UUID_STR_LEN])
{
	first_r[0] = '\0';
	if (!c->decision_id || !c->duties || !*c->duties)
		return DB_OK;
	enum db_status rc = load_types(conn);
	struct buf ids = {0};
	buf_putc(&ids, '[');
	char duties[256];
	snprintf(duties, sizeof duties, "%s", c->duties);
	int imposed = 0;
	for (char *save = NULL, *d = strtok_r(duties, ",", &save); d && rc == DB_OK; d = strtok_r(NULL, ",", &save)) {
		const struct demo_type *chosen[2];
		size_t k = types_for(s, d, chosen);
		for (size_t j = 0; j < k && rc == DB_OK; j++) {
			char id[UUID_STR_LEN];
			rc = add_condition(conn, s, c, chosen[j], n, id);
			if (rc == DB_OK) {
				buf_printf(&ids, "%s\"%s\"", imposed ? "," : "", id);
				if (!imposed)
					snprintf(first_r, UUID_STR_LEN, "%s", id);
				imposed++;
			}
		}
	}
	buf_putc(&ids, ']');
	/* Explained on the first meeting, in the person's language; a few did not sign at first. */
	if (rc == DB_OK && imposed) {
		char on[11], id[UUID_STR_LEN];
		date_add(c->start_on, 2 + (int)pick(s, 5), on);
		if (date_diff(on, c->today) < 0)
			snprintf(on, sizeof on, "%s", c->today);
		bool signed_it = chance(s, 930);
		uuid_v7(id);
		rc = db_run(conn, NULL,
			"INSERT INTO condition_explanation (id, case_id, explained_on, language, explained_by, interpreter,"
			" acknowledged, remarks, condition_ids, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?)",
			"tttttitti", id, c->case_id, on, c->language, c->officer_id, (int64_t)signed_it,
			signed_it ? NULL : "Отказался подписать, сославшись на необходимость консультации с адвокатом",
			ids.data, when(c, on, 3600000));
		if (rc == DB_OK)
			rc = case_event_add(conn, c->case_id, when(c, on, 3600000), "conditions.explained", c->officer_id,
			                    signed_it ? "Conditions explained and acknowledged" :
			                                "Conditions explained; the person did not sign",
			                    NULL, "condition_explanation", id);
		n->explanations++;
	}
	buf_free(&ids);
	return rc;
}

static enum db_status add_level(db *conn, uint64_t *s, const struct demo_case *c, const char **level_r,
                                struct demo_supervision_counts *n)
{
	static const char *const reasons[] = {
		"Первичная оценка: высокий риск, недавнее освобождение, нет постоянной работы",
		"Стабильное поведение, работает, семья поддерживает; рекомендовано снижение интенсивности",
		"Осуждён по статье об экстремизме; до повторной оценки — усиленный надзор",
		"Средний риск по результатам первичной беседы и сведений из колонии"};
	const char *level = c->radical ? (chance(s, 500) ? "intensive" : "high") :
	                    (const char *[]){"high", "medium", "medium", "low"}[pick(s, 4)];
	*level_r = level;
	const char *reason = c->radical ? reasons[2] : strcmp(level, "low") == 0 ? reasons[1] :
	                     strcmp(level, "high") == 0 ? reasons[0] : reasons[3];
	char on[11], id[UUID_STR_LEN];
	date_add(c->opened_on, 3, on);
	if (date_diff(on, c->today) < 0)
		snprintf(on, sizeof on, "%s", c->today);
	uuid_v7(id);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO case_supervision_level (id, case_id, level, reason, effective_from, set_by, set_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?)", "tttttti", id, c->case_id, level, reason, on, c->officer_id,
		when(c, on, 7200000));
	if (rc == DB_OK) {
		char summary[96], detail[96];
		snprintf(summary, sizeof summary, "Supervision level set to %s", level);
		snprintf(detail, sizeof detail, "{\"level\":\"%s\"}", level);
		rc = case_event_add(conn, c->case_id, when(c, on, 7200000), "supervision.level_set", c->officer_id, summary,
		                    detail, "case_supervision_level", id);
	}
	n->levels++;
	return rc;
}

static enum db_status add_plan(db *conn, uint64_t *s, const struct demo_case *c, struct demo_supervision_counts *n)
{
	static const struct {
		const char *need, *objective, *action;
		char owner; /* o officer, p person, n partner */
	} objectives[] = {
		{"employment", "Найти постоянную работу", "Зарегистрироваться в центре занятости", 'p'},
		{"accommodation", "Обеспечить постоянное жильё", "Связаться с родственниками по вопросу проживания", 'o'},
		{"identity_documents", "Восстановить паспорт", "Подать заявление на восстановление паспорта", 'p'},
		{"disengagement", "Пройти программу дерадикализации", "Направить на программу теологического диалога", 'n'},
		{"family", "Восстановить отношения с семьёй", "Семейная встреча с участием психолога", 'n'},
		{"education", "Получить профессию", "Записаться на курсы сварщика", 'n'},
		{"health", "Пройти медицинское обследование", "Записаться к участковому врачу", 'p'},
	};
	char plan[UUID_STR_LEN], start[11], next[11];
	date_add(c->opened_on, 10, start);
	if (date_diff(start, c->today) < 0)
		snprintf(start, sizeof start, "%s", c->today);
	snprintf(next, sizeof next, "%s", start);
	int64_t at = when(c, start, 0);
	uuid_v7(plan);
	/* Reviewed every 90 days from the start: the reviews held until today (or the closing). */
	const char *until = c->closed_on ? c->closed_on : c->today;
	int reviews = 0;
	while (date_diff(date_add(next, 90, next), until) >= 0)
		reviews++;
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO supervision_plan (id, case_id, review_every_days, next_review_on, created_at, created_by,"
		" updated_at) VALUES (?, ?, 90, ?, ?, ?, ?)", "tttiti", plan, c->case_id, next, at, c->officer_id, at);
	if (rc == DB_OK)
		rc = case_event_add(conn, c->case_id, at, "plan.started", c->officer_id,
		                    "Supervision plan started (review every 90 days)", NULL, "supervision_plan", plan);
	n->plans += rc == DB_OK;
	unsigned first = pick(s, COUNT(objectives));
	int nobj = 2 + (int)pick(s, 2);
	for (int k = 0; k < nobj && rc == DB_OK; k++) {
		unsigned o = (first + (unsigned)k * 3) % COUNT(objectives);
		if (objectives[o].owner == 'n' && !c->partner_agency_id)
			continue;
		char obj[UUID_STR_LEN], act[UUID_STR_LEN], due[11];
		int age = date_diff(start, until);
		bool done = age > 60 && chance(s, 600);
		const char *status = done ? (chance(s, 700) ? "achieved" : "partly_achieved") : "open";
		uuid_v7(obj);
		rc = db_run(conn, NULL,
			"INSERT INTO plan_objective (id, plan_id, need, description, status, position, created_at, updated_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "tttttiii", obj, plan, objectives[o].need, objectives[o].objective,
			status, (int64_t)k, at, at);
		date_add(start, 30 + 15 * k, due);
		bool act_done = done || (date_diff(due, until) > 0 && chance(s, 700));
		char done_on[11];
		date_add(due, -(int)pick(s, 10), done_on);
		uuid_v7(act);
		char owner = objectives[o].owner;
		if (rc == DB_OK)
			rc = db_run(conn, NULL,
				"INSERT INTO plan_action (id, objective_id, description, owner_kind, owner_account_id,"
				" owner_agency_id, due_on, status, done_on, created_at, updated_at)"
				" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "tttttttttii", act, obj, objectives[o].action,
				owner == 'o' ? "officer" : owner == 'p' ? "person" : "partner", owner == 'o' ? c->officer_id : NULL,
				owner == 'n' ? c->partner_agency_id : NULL, due, act_done ? "done" : "open",
				act_done ? done_on : NULL, at, at);
		if (rc == DB_OK) {
			char summary[96], detail[96];
			snprintf(summary, sizeof summary, "Plan objective added (%s)", objectives[o].need);
			snprintf(detail, sizeof detail, "{\"need\":\"%s\"}", objectives[o].need);
			rc = case_event_add(conn, c->case_id, at + 60000 * (k + 1), "plan.objective_added", c->officer_id,
			                    summary, detail, "plan_objective", obj);
		}
		n->objectives++;
	}
	char on[11];
	snprintf(on, sizeof on, "%s", start);
	for (int k = 0; k < reviews && rc == DB_OK; k++) {
		char id[UUID_STR_LEN], nx[11];
		date_add(on, 90, on);
		date_add(on, 90, nx);
		int64_t held = when(c, on, 5 * 3600000LL);
		uuid_v7(id);
		rc = db_run(conn, NULL,
			"INSERT INTO plan_review (id, plan_id, reviewed_on, reviewed_by, summary, next_review_on, created_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", "tttttti", id, plan, on, c->officer_id,
			chance(s, 500) ? "Динамика положительная, цели остаются актуальными" :
			                 "Прогресс частичный; сроки действий продлены, добавлена поддержка семьи",
			nx, held);
		if (rc == DB_OK)
			rc = case_event_add(conn, c->case_id, held, "plan.reviewed", c->officer_id, "Supervision plan reviewed",
			                    NULL, "plan_review", id);
	}
	return rc;
}

/* An outcome for a past occurrence: mostly attended. */
static const char *outcome_of(uint64_t *s, const char **reason_r)
{
	static const char *const reasons[] = {"medical", "employment", "family", "court", "religious"};
	unsigned v = pick(s, 1000);
	*reason_r = NULL;
	if (v < 850)
		return "attended_complied";
	if (v < 880)
		return "attended_failed_to_comply";
	if (v < 940) {
		*reason_r = reasons[pick(s, COUNT(reasons))];
		return "acceptable_absence";
	}
	if (v < 960)
		return "sent_home";
	if (v < 980)
		return "unacceptable_absence";
	return "failed_to_attend";
}

static enum db_status add_contact(db *conn, uint64_t *s, const struct demo_case *c, const char *appointment,
                                  const char *occurrence, const char *happened, const char *kind, int duration,
                                  const char *condition, int64_t at, struct demo_supervision_counts *n)
{
	static const char *const office_notes[] = {"Явился вовремя, жалоб нет", "Обсудили поиск работы",
	                                           "Сообщил о смене номера телефона", "Беседа о семье и планах на обучение"};
	static const char *const home_notes[] = {"Дома, условия проживания удовлетворительные",
	                                         "Дома с семьёй; жалоб от соседей нет", "Показал комнату; живёт с матерью"};
	static const char *const details[] = {"справка из поликлиники", "письмо работодателя", "повестка в суд",
	                                      "похороны родственника", "религиозный праздник"};
	const char *reason;
	const char *outcome = outcome_of(s, &reason);
	bool present = strncmp(outcome, "attended", 8) == 0 || strcmp(outcome, "sent_home") == 0;
	char id[UUID_STR_LEN];
	uuid_v7(id);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO contact (id, case_id, appointment_id, occurrence_local, kind, happened_local, duration_min,"
		" outcome, absence_reason, absence_detail, notes, condition_id, recorded_by, recorded_at)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "tttttti" "tttttti", id, c->case_id, appointment,
		occurrence, kind, happened, (int64_t)(present ? duration : 0), outcome, reason,
		reason ? details[pick(s, COUNT(details))] : NULL, !present ? NULL : strcmp(kind, "home_visit") == 0 ? home_notes[pick(s, COUNT(home_notes))]
		                                              : office_notes[pick(s, COUNT(office_notes))],
		strcmp(outcome, "attended_failed_to_comply") == 0 ? condition : NULL, c->officer_id, at);
	if (rc == DB_OK) {
		char summary[96], detail[96];
		snprintf(summary, sizeof summary, "Contact recorded (%s, %s)", kind, outcome);
		snprintf(detail, sizeof detail, "{\"kind\":\"%s\",\"outcome\":\"%s\"}", kind, outcome);
		rc = case_event_add(conn, c->case_id, at, "contact.recorded", c->officer_id, summary, detail, "contact", id);
	}
	n->contacts++;
	return rc;
}

/* A weekly reporting series at the office and monthly home visits; outcomes for the past ones. */
static enum db_status add_appointments(db *conn, uint64_t *s, const struct demo_case *c, const char *condition,
                                       const char *level, struct demo_supervision_counts *n)
{
	static const char *const byday[] = {"MO", "TU", "WE", "TH", "FR"};
	const char *until = c->closed_on ? c->closed_on : c->today;
	char first[11], starts[32], rule[64], id[UUID_STR_LEN];
	date_add(until, -HISTORY_DAYS, first);
	if (date_diff(c->opened_on, first) < 0)
		date_add(c->opened_on, 7, first);
	/* The series starts on the first weekday it names. */
	unsigned wd = (unsigned)(c->seed % COUNT(byday)); /* the day the reporting condition names */
	struct civil_date d;
	civil_date_parse(first, &d);
	/* 1900-01-01 was a Monday. */
	int dow = civil_date_diff_days((struct civil_date){1900, 1, 1}, d) % 7;
	date_add(first, ((int)wd - dow + 7) % 7, first);
	int hour = 9 + (int)pick(s, 7);
	snprintf(starts, sizeof starts, "%sT%02d:%s", first, hour, chance(s, 500) ? "00" : "30");
	bool biweekly = level && strcmp(level, "low") == 0;
	int weeks = date_diff(first, until) / 7 + (c->closed_on ? 0 : 8);
	if (weeks < 1)
		weeks = 1;
	int count = biweekly ? (weeks + 1) / 2 : weeks;
	snprintf(rule, sizeof rule, "FREQ=WEEKLY;%sBYDAY=%s;COUNT=%d", biweekly ? "INTERVAL=2;" : "", byday[wd], count);
	uuid_v7(id);
	enum db_status rc = db_run(conn, NULL,
		"INSERT INTO appointment (id, case_id, officer_id, kind, location, purpose, condition_id, starts_local,"
		" duration_min, rrule, status, created_at, created_by, updated_at)"
		" VALUES (?, ?, ?, 'office', ?, 'Регистрация и беседа', ?, ?, 30, ?, 'active', ?, ?, ?)", "tttttttiti", id,
		c->case_id, c->officer_id, c->unit_name, condition, starts, rule, when(c, first, -86400000LL), c->officer_id,
		when(c, first, -86400000LL));
	if (rc == DB_OK)
		rc = case_event_add(conn, c->case_id, when(c, first, -86400000LL), "appointment.scheduled", c->officer_id,
		                    "Appointment scheduled (office, repeating)", NULL, "appointment", id);
	n->appointments++;
	/* Outcomes for the occurrences before today; one occurrence moved with a reason. */
	int moved = chance(s, 300) ? (int)pick(s, (unsigned)count) : -1;
	for (int k = 0; k < count && rc == DB_OK; k++) {
		char day[11], occ[32];
		date_add(first, k * (biweekly ? 14 : 7), day);
		snprintf(occ, sizeof occ, "%s%s", day, starts + 10);
		if (date_diff(day, until) <= 0)
			break;
		int64_t at = when(c, day, 12 * 3600000LL);
		char nl[32];
		snprintf(nl, sizeof nl, "%s", occ);
		if (k == moved) {
			char to[11], eid[UUID_STR_LEN];
			date_add(day, 1, to);
			snprintf(nl, sizeof nl, "%s%s", to, starts + 10);
			uuid_v7(eid);
			rc = db_run(conn, NULL,
				"INSERT INTO appointment_exception (id, appointment_id, occurrence_local, new_starts_local, reason,"
				" changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "tttttti", eid, id, occ, nl,
				"Сотрудник на обучении; перенесено на следующий день", c->officer_id, at - 3 * 86400000LL);
			if (rc == DB_OK)
				rc = case_event_add(conn, c->case_id, at - 3 * 86400000LL, "appointment.rescheduled", c->officer_id,
				                    "One occurrence moved, with a reason", NULL, "appointment", id);
		}
		/* The outcome belongs to the occurrence (its identity is the rule's time), held when it was moved to. */
		if (rc == DB_OK && date_diff(day, until) > 1)
			rc = add_contact(conn, s, c, id, occ, nl, "office", 20 + (int)pick(s, 30), condition, at, n);
	}
	/* Home visits about monthly over the same period, each a single appointment. */
	for (int day_off = 12 + (int)pick(s, 10); rc == DB_OK && day_off < HISTORY_DAYS + 30; day_off += 28 + (int)pick(s, 8)) {
		char day[11], occ[32], hid[UUID_STR_LEN];
		date_add(first, day_off, day);
		bool past = date_diff(day, until) > 0;
		if (!past && c->closed_on)
			break;
		snprintf(occ, sizeof occ, "%sT%02d:00", day, 16 + (int)pick(s, 3));
		int64_t at = when(c, day, 14 * 3600000LL);
		uuid_v7(hid);
		rc = db_run(conn, NULL,
			"INSERT INTO appointment (id, case_id, officer_id, kind, location, purpose, condition_id, starts_local,"
			" duration_min, rrule, status, created_at, created_by, updated_at) VALUES (?, ?, ?, 'home_visit', ?,"
			" 'Проверка по месту жительства', NULL, ?, 45, NULL, 'active', ?, ?, ?)", "tttttiti", hid, c->case_id,
			c->officer_id, c->address && *c->address ? c->address : "По месту жительства", occ, at, c->officer_id, at);
		n->appointments++;
		if (rc == DB_OK && past)
			rc = add_contact(conn, s, c, hid, occ, occ, "home_visit", 30 + (int)pick(s, 30), NULL, at, n);
		if (!past)
			break;
	}
	return rc;
}

/* A variation proposal, sometimes reviewed and waiting for the court, on about one supervised case in twelve. */
static enum db_status add_variation(db *conn, uint64_t *s, const struct demo_case *c, const char *condition,
                                    struct demo_supervision_counts *n)
{
	if (!condition || c->closed_on || !chance(s, 85))
		return DB_OK;
	bool endorsed = c->head_id && chance(s, 600);
	bool heard = endorsed || chance(s, 500);
	char id[UUID_STR_LEN];
	uuid_v7(id);
	/* Proposed some days ago; reviewed hours to days later, and never after now. */
	int64_t at = c->latest_ms - (int64_t)(3 + pick(s, 18)) * 86400000LL - (int64_t)pick(s, 8 * 3600) * 1000;
	if (at < c->at_ms)
		at = c->at_ms;
	int64_t reviewed = at + (int64_t)(1 + pick(s, 47)) * 3600000LL;
	if (reviewed > c->latest_ms)
		reviewed = c->latest_ms;
	static const char reason[] = "Полгода без нарушений, постоянная работа, положительные отзывы наставника;"
	                             " условие больше не нужно для снижения риска";
	const char *view = heard ? "Согласен с предложением; просит учесть график работы в ночную смену" : NULL;
	enum db_status rc = endorsed ?
		db_run(conn, NULL,
			"INSERT INTO condition_variation (id, case_id, action, condition_id, reason, person_view, status,"
			" proposed_by, proposed_at, reviewed_by, reviewed_at, review_comment, created_at, updated_at)"
			" VALUES (?, ?, 'remove', ?, ?, ?, 'endorsed', ?, ?, ?, ?, 'Обосновано; направить в суд', ?, ?)",
			"ttttttitiii", id, c->case_id, condition, reason, view, c->officer_id, at, c->head_id, reviewed,
			at, reviewed) :
		db_run(conn, NULL,
			"INSERT INTO condition_variation (id, case_id, action, condition_id, reason, person_view, status,"
			" proposed_by, proposed_at, created_at, updated_at)"
			" VALUES (?, ?, 'remove', ?, ?, ?, 'proposed', ?, ?, ?, ?)",
			"ttttttiii", id, c->case_id, condition, reason, view, c->officer_id, at, at, at);
	if (rc == DB_OK)
		rc = case_event_add(conn, c->case_id, at, "variation.proposed", c->officer_id,
		                    "Variation proposed (remove a condition)", "{\"action\":\"remove\"}",
		                    "condition_variation", id);
	if (rc == DB_OK && endorsed)
		rc = case_event_add(conn, c->case_id, reviewed, "variation.endorsed", c->head_id,
		                    "Variation endorsed and referred to the competent authority", NULL,
		                    "condition_variation", id);
	n->variations++;
	return rc;
}

enum db_status demo_case_supervision(db *conn, const struct demo_case *c, struct demo_supervision_counts *n)
{
	uint64_t s = c->seed | 1;
	for (int i = 0; i < 4; i++)
		mix(&s);
	char condition[UUID_STR_LEN] = "";
	const char *level = NULL;
	enum db_status rc = add_conditions(conn, &s, c, n, condition);
	if (rc == DB_OK && c->supervised)
		rc = add_level(conn, &s, c, &level, n);
	if (rc == DB_OK && c->planned)
		rc = add_plan(conn, &s, c, n);
	if (rc == DB_OK)
		rc = add_appointments(conn, &s, c, condition[0] ? condition : NULL, level, n);
	if (rc == DB_OK)
		rc = add_variation(conn, &s, c, condition[0] ? condition : NULL, n);
	return rc;
}
