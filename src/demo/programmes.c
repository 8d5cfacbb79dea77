/*
 * programmes.c — the demo's programmes and reintegration (issue 9): the
 * partner organisations demo_seed() made (one of each partner_kind, each with
 * a demo account) deliver a catalogue with a programme of each type (two of
 * them full, with a waiting list; one finished and closed; one not started);
 * demo cases are referred to them in every status of the referral table, with
 * field-level shares (most live, some expired), the moves the transition
 * table allows (with reasons where it asks for one), weekly attendance,
 * progress notes and end-of-programme reports of each outcome; post-
 * penitentiary and some executive cases carry reintegration needs owned by
 * probation or a partner (some overdue, some done); penitentiary cases whose
 * release falls within the planning window get a release plan with the
 * receiving probation office, documents, transport, a first appointment,
 * panel meetings and actions; and a few returnee families are recorded
 * (restricted members, children with a child-protection referral).
 *
 * Everything is invented. Deterministic: the same cases (in case-number
 * order) get the same data, dated back from today; nothing is dated after
 * now. Rows go in with SQL in their final state, each step with its
 * referral_event and timeline event as the API writes them. Runs once: a
 * database that has programmes already is left as it is.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "demo/demo.h"
#include "domain/casefile.h"
#include "domain/keydates.h"
#include "domain/release.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define MAX_STEPS 6

/* ---- the partners and the catalogue --------------------------------------------------------- */

enum partner { NGO, DIALOGUE, EMPLOYER, LYCEUM, CLINIC, PSYCH, CITYHALL, NPARTNERS };

/* As demo.c names them (the agency and its demo account). */
static const struct {
	const char *agency, *login;
} partners[NPARTNERS] = {
	{"Community Support NGO (demo)", "partner.ngo"},
	{"Religious Dialogue Centre (demo)", "partner.dialogue"},
	{"Ak-Jol Construction (demo)", "partner.employer"},
	{"Vocational Lyceum No. 98 (demo)", "partner.lyceum"},
	{"Family Medicine Centre No. 9 (demo)", "partner.clinic"},
	{"Psychological Support Centre (demo)", "partner.psych"},
	{"Bishkek City Social Development Department (demo)", "partner.cityhall"},
};

enum prefer { ANY, RADICAL, POST };

/*
 * The catalogue, and the referrals each programme gets, one letter each:
 * R referred, A accepted, L waitlisted, E enrolled, X enrolled but the share
 * has expired, C / P / N completed (achieved, partly achieved, not achieved),
 * D declined, W withdrawn. starts / ends are days from today (0 ends: none).
 */
static const struct programme_def {
	int partner;
	const char *type, *name, *description, *schedule, *languages, *eligibility, *location;
	int places, starts, ends;
	bool closed;
	enum prefer prefer;
	const char *slots;
} programmes[] = {
	{NGO, "disengagement_counselling", "«Жаңы жол»: консультирование по отходу от насилия",
	 "Индивидуальные встречи с консультантом и групповые занятия: причины вовлечения, решение конфликтов без"
	 " насилия, планы на будущее, поддержка семьи.",
	 "Вторник и четверг, 15:00–16:30, 16 недель", "ky,ru",
	 "Лица под надзором, осуждённые по статьям об экстремизме или терроризме; участие с письменного согласия.",
	 "г. Бишкек, ул. Токтогула, 101, 2 этаж", 12, -365, 0, false, RADICAL, "EEEEXCPRWA"},
	{DIALOGUE, "theological_dialogue", "Теологиялык диалог «Ынтымак»",
	 "Беседы с дипломированным теологом о толковании религиозных текстов, отвергающем насилие. Религиозная"
	 " практика человека сама по себе не оценивается.",
	 "Жума, 14:00–15:30, 10 жолугушуу", "ky",
	 "Лица, осуждённые по ст. 255, 256 УК и связанным статьям, по направлению инспектора пробации.",
	 "г. Бишкек, ул. Фрунзе, 40, центр диалога", 4, -365, 0, false, RADICAL, "EEEELLCD"},
	{PSYCH, "psychological_support", "Психологическая поддержка после освобождения",
	 "Индивидуальные встречи с психологом: тревога, сон, возвращение в семью и на работу после заключения.",
	 "Понедельник, 10:00–11:00, индивидуально, 8 встреч", "ru,ky",
	 "Освобождённые из мест лишения свободы и лица под надзором с признаками тревоги, депрессии или последствий"
	 " травмы; по направлению.",
	 "г. Бишкек, пр. Чуй, 150, каб. 4", 10, -365, 0, false, POST, "EEEANW"},
	{LYCEUM, "vocational_training", "Курсы электрогазосварщика",
	 "Теория и практика в мастерских лицея, экзамен на разряд, свидетельство государственного образца.",
	 "Пн–Пт, 09:00–13:00, 4 месяца", "ky,ru",
	 "От 18 лет, образование не ниже 9 классов, медицинская справка о допуске к сварочным работам.",
	 "г. Бишкек, ул. Жукеева-Пудовкина, 98, мастерские", 6, -365, 0, false, POST, "EEEEEELLLCD"},
	{LYCEUM, "education", "Кечки мектеп: 10–11-класстар",
	 "Завершение среднего образования в вечерних классах, аттестат по окончании.",
	 "Вторник, среда, четверг, 18:00–20:30, учебный год", "ky,ru",
	 "Лица без полного среднего образования; по направлению инспектора или по личному заявлению.",
	 "г. Бишкек, ул. Жукеева-Пудовкина, 98", 20, -90, 200, false, ANY, "EERA"},
	{EMPLOYER, "employment", "Стажировка с трудоустройством на стройке",
	 "Оплачиваемая стажировка подсобным рабочим с наставником из бригады; по итогам — трудовой договор.",
	 "Пн–Сб, 08:00–17:00, 3 месяца", "ky,ru",
	 "От 18 лет, годен к физическому труду; решение принимает работодатель после собеседования.",
	 "г. Бишкек, объекты компании (адрес сообщается при приёме)", 5, -365, 0, false, POST, "EEPWR"},
	{CITYHALL, "family_support", "Социальное сопровождение семей",
	 "Социальный работник помогает семье с пособиями, школой для детей, жильём и документами.",
	 "Домашние визиты раз в две недели, 6 месяцев", "ky,ru",
	 "Семьи лиц под надзором и вернувшихся из зон конфликтов, где есть несовершеннолетние дети; с согласия семьи.",
	 "г. Бишкек, ул. Киевская, 96, отдел социального развития", 15, -365, 0, false, RADICAL, "EEAD"},
	{NGO, "mentoring", "Наставничество «Теңтуштан теңтушка»",
	 "Наставник, прошедший похожий путь, встречается с человеком каждую неделю и помогает с повседневными делами.",
	 "Раз в неделю, время по договорённости, 6 месяцев", "ky,ru,uz",
	 "Лица под надзором и освобождённые, желающие получить поддержку наставника.",
	 "г. Бишкек, ул. Токтогула, 101", 10, -365, 0, false, RADICAL, "EEECWR"},
	{CLINIC, "substance_use", "Программа снижения употребления алкоголя",
	 "Групповые занятия с наркологом и психологом, поддержка трезвости, работа с семьёй.",
	 "Среда, 16:00–17:30, 10 недель", "ru,ky",
	 "Лица с проблемным употреблением алкоголя; после осмотра нарколога; по направлению или по решению суда.",
	 "ЦСМ № 9, г. Бишкек, ул. Ахунбаева, 9, каб. 21", 8, -365, 0, false, ANY, "EEENWD"},
	{LYCEUM, "vocational_training", "Курсы водителей категории B",
	 "Теория и вождение, экзамен в ГАИ. Набор завершён.", "Пн, ср, пт, 14:00–17:00, 3 месяца", "ky,ru",
	 "От 18 лет, медицинская справка для водителей.", "г. Бишкек, ул. Жукеева-Пудовкина, 98, автодром", 8, -135,
	 -45, true, POST, "CP"},
	{PSYCH, "psychological_support", "Группа управления гневом",
	 "Восемь групповых встреч: распознавание гнева, способы остановиться, разговор без насилия в семье.",
	 "Четверг, 17:00–18:30, 8 встреч", "ru",
	 "Лица, осуждённые за насильственные правонарушения, в том числе в семье; с согласия.",
	 "г. Бишкек, пр. Чуй, 150, зал 2", 8, 10, 66, false, ANY, "AR"},
};

enum { PROG_EMPLOYMENT = 5, PROG_MENTORING = 7 };

/* Why a case is referred, written for the provider (no personal data beyond what the share shows). */
static const char *const reasons[][2] = {
	{"Суд обязал пройти программу. Человек согласен, просит занятия на кыргызском языке после работы.",
	 "Инспектор рекомендует индивидуальное консультирование: сохраняются контакты с прежним кругом в интернете."},
	{"Адамдын макулдугу менен: диний маселелер боюнча теолог менен сүйлөшкүсү келет.",
	 "По результатам оценки: интерес к диалогу с теологом, имам мечети по месту жительства поддерживает."},
	{"После освобождения плохо спит, тревожится, избегает людей; просит помощи психолога.",
	 "Трудно возвращаться в семью после долгого срока; рекомендована психологическая поддержка."},
	{"Хочет получить профессию сварщика; есть аттестат за 9 классов, опыт подсобных работ.",
	 "Для устройства на работу нужна специальность; человек мотивирован, работодатель-партнёр ждёт выпускников."},
	{"Не окончил школу; для курсов и работы нужен аттестат. Занятия вечером совместимы с работой.",
	 "Человек сам попросил помочь закончить школу."},
	{"Ищет постоянную работу; трудоустройство — часть плана надзора. Готов к физическому труду.",
	 "После освобождения без работы; работодатель-партнёр готов провести собеседование."},
	{"Семье с двумя детьми нужна помощь с пособиями и школой; семья согласна на визиты.",
	 "Супруга и дети вернулись вместе с человеком; нужна помощь с документами детей и школой."},
	{"Нужен наставник: мало поддерживающих знакомых, хочет отойти от прежнего круга.",
	 "По плану надзора: еженедельные встречи с наставником для поддержки отхода от прежней группы."},
	{"Правонарушение совершено в опьянении; суд обязал пройти лечение. Нарколог осмотрел, противопоказаний нет.",
	 "Признаёт проблему с алкоголем и сам попросил направление."},
};

/* Share sets (src/domain/referrals.h), used in turn; employers see a phone, no needs. */
static const char *const share_sets[] = {
	"[\"name\",\"languages\",\"officer\"]",
	"[\"name\",\"birth_date\",\"languages\",\"phone\",\"officer\"]",
	"[\"name\",\"needs\",\"officer\"]",
	"[\"name\",\"sex\",\"birth_date\",\"address\",\"phone\",\"officer\"]",
	"[\"name\",\"languages\",\"phone\",\"needs\",\"officer\"]",
	"[\"languages\",\"officer\"]",
};
static const char *const employer_share = "[\"name\",\"phone\",\"officer\"]";

static const char *const absence_reasons[] = {
	"Болел, представил справку из ЦСМ.",
	"Семейные обстоятельства: похороны родственника в селе.",
	"Работал в другую смену, предупредил заранее.",
	"Ооруп калды, дарыгердин маалымкаты бар.",
	"Не пришёл и не предупредил; на следующий день объяснил, что не было денег на проезд.",
	"Явка к инспектору пробации в то же время.",
};

/* Progress notes by programme type (the order of the catalogue's first nine), written by the provider. */
static const char *const progress[][3] = {
	{"Ходит регулярно, открыто говорит о причинах вовлечения. Начал обсуждать с консультантом планы на работу.",
	 "В группе спорил о «защите единоверцев», затем сам сказал, что насилие ничего не решает. Работа продолжается.",
	 "Составил с консультантом план на полгода: работа, курсы, время с семьёй."},
	{"Жолугушууларга үзгүлтүксүз келет, суроолорду ачык берет.",
	 "Обсуждали толкование понятия «джихад»; человек принимает объяснение теолога, задаёт вопросы.",
	 "Теолог менен мечиттин имамын тааныштырдык; жума намазга жергиликтүү мечитке барып жүрөт."},
	{"Жалобы на сон уменьшились; освоил два упражнения для снятия тревоги.",
	 "Обсуждали конфликт с отцом; готов к совместной встрече.",
	 "Настроение ровнее, вернулся к общению с братом."},
	{"Освоил технику безопасности, сдал зачёт по теории.", "Хорошо работает на практике, мастер доволен.",
	 "Готовится к экзамену на разряд."},
	{"Посещает занятия, отстаёт по математике; назначены консультации.", "Сдал полугодовые контрольные.",
	 "Сабактарга үзгүлтүксүз катышат."},
	{"Вышел на объект, бригадир отмечает старание.", "Освоил работу с опалубкой, опаздывал дважды.",
	 "Бригадир рекомендует к трудоустройству после стажировки."},
	{"Первый визит: семья открыта, нужны документы детей.", "Дети записаны в школу, оформляется пособие.",
	 "Үй-бүлө социалдык кызматкер менен байланышта, жагдай жакшырды."},
	{"Познакомился с наставником, встречаются по субботам.", "Вместе с наставником сходили в центр занятости.",
	 "Насаатчы менен ишеним пайда болду, жаңы досторго кошулду."},
	{"Трезв три недели, участвует в группе.", "Один срыв после праздника, обсудили в группе, продолжает.",
	 "Трезв два месяца, жена подтверждает."},
};

static const char *const reports[3][2] = {
	{"Программа пройдена полностью: посетил все основные занятия, цели индивидуального плана достигнуты."
	 " Рекомендуем поддерживающие встречи раз в месяц.",
	 "Программаны толук аяктады, максаттарга жетти. Андан ары колдоо сунушталат."},
	{"Программа пройдена частично: посетил большую часть занятий, часть целей достигнута (работа, режим дня);"
	 " работа с семейными конфликтами не завершена.",
	 "Курс окончен, экзамен сдан со второй попытки; рекомендуем дополнительную практику."},
	{"Цели программы не достигнуты: посещал нерегулярно, к концу курса вернулся к прежнему поведению."
	 " Рекомендуем повторное направление после работы с мотивацией.",
	 "Программа окончена без результата: на занятиях присутствовал, но изменений в употреблении нет."},
};
static const char *const outcomes[3] = {"achieved", "partly_achieved", "not_achieved"};

static const char *const declined_reasons[] = {"language", "not_eligible", "declined_other", "no_programme"};
static const char *const declined_notes[] = {
	"Занятия проводятся только на кыргызском языке; человек говорит по-русски. Предлагаем русскоязычную группу"
	" весной.",
	"Нет аттестата за 9 классов: сначала нужна вечерняя школа.",
	"Семья не дала согласия на домашние визиты.",
	"Группа для употребляющих наркотики в этом квартале не проводится; направьте в республиканский центр.",
};

/* ---- the run -------------------------------------------------------------------------------- */

/* An open case that may be referred, in case-number order; the run owns the array (run.cases). */
struct dcase {
	char id[UUID_STR_LEN], number[40], kind[24], officer[UUID_STR_LEN], person[UUID_STR_LEN];
	char home_unit[UUID_STR_LEN]; /* the person's probation unit ("" none) */
	int opened, release;          /* days; release 0: none (penitentiary: the release key date) */
	bool radical;
	int referrals;       /* made so far (at most three a case) */
	unsigned programmes; /* bit per catalogue entry */
};

/* One demo_programmes() run: the ids it looked up and the counters it keeps. */
struct run {
	db *conn;
	int64_t now;
	int today;
	struct demo_programme_counts *n;
	char partner[NPARTNERS][UUID_STR_LEN], account[NPARTNERS][UUID_STR_LEN];
	char programme[COUNT(programmes)][UUID_STR_LEN];
	char probation[UUID_STR_LEN], prison[UUID_STR_LEN], caseworker[UUID_STR_LEN], bishkek[UUID_STR_LEN];
	struct dcase *cases;
	size_t ncases, cursor[3]; /* cursor per enum prefer: referrals spread over the cases */
	int shares, withdrawals, declines; /* turns through share_sets, the withdrawal paths, the decline reasons */
};

/* One move of a referral: to a status on a day, by the provider (else the referrer), with a reason code. */
struct step {
	const char *to;
	int day;
	bool partner;
	const char *reason, *note;
};

/* A scripted referral (script()), then written (write_referral()); strings are static. */
struct ref {
	int prog;
	struct dcase *c;
	const char *referrer;
	struct step steps[MAX_STEPS];
	int nsteps;
	int attend_from, attend_to, absent_tail; /* attendance days (attend_from 0: none); the last n absent */
	int outcome;                             /* -1: none */
	int share_until, reason;
	const char *shared;
	char id[UUID_STR_LEN];
};

static uint64_t mix(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int pick(uint64_t *s, int n)
{
	return n > 0 ? (int)(mix(s) % (uint64_t)n) : 0;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static void day_text(int day, char out[11])
{
	civil_date_format(civil_date_add_days((struct civil_date){1970, 1, 1}, day), out);
}

static int text_day(const char *date)
{
	struct civil_date d;
	return date && civil_date_parse(date, &d) ? civil_date_diff_days((struct civil_date){1970, 1, 1}, d) : 0;
}

/* An instant on a day (minutes after midnight UTC; Bishkek is UTC+6), never later than ten minutes before now. */
static int64_t at(const struct run *r, int day, int minute)
{
	int64_t t = (int64_t)day * DAY_MS + (int64_t)minute * MIN_MS;
	return t > r->now - 600000 ? r->now - 600000 : t;
}

static enum db_status first_id(db *conn, const char *sql, const char *arg, char id_r[UUID_STR_LEN])
{
	id_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, sql, "t", arg);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		copy(id_r, UUID_STR_LEN, db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

static enum db_status count_rows(db *conn, const char *sql, long *n_r)
{
	*n_r = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, sql, "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		*n_r = (long)db_column_int64(st, 0);
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

static enum db_status event(struct run *r, const char *case_id, int64_t when, const char *kind, const char *actor,
                            const char *summary, const char *detail, const char *record_type, const char *record_id)
{
	return case_event_add(r->conn, case_id, when, kind, actor, summary, detail, record_type, record_id);
}

/* The catalogue's first nine entries are the nine types, in this order. */
static int type_index(int prog)
{
	for (int i = 0; i < 9; i++)
		if (strcmp(programmes[i].type, programmes[prog].type) == 0)
			return i;
	return 0;
}

static int status_index(const char *status)
{
	static const char *const order[] = {"referred", "accepted", "waitlisted", "enrolled", "completed", "declined",
	                                    "withdrawn"};
	for (int i = 0; i < 7; i++)
		if (strcmp(order[i], status) == 0)
			return i;
	return 0;
}

/* ---- the catalogue -------------------------------------------------------------------------- */

static enum db_status catalogue(struct run *r)
{
	enum db_status rc = DB_OK;
	for (size_t i = 0; i < COUNT(programmes) && rc == DB_OK; i++) {
		const struct programme_def *p = &programmes[i];
		char starts[11], ends[11];
		day_text(r->today + p->starts, starts);
		day_text(r->today + p->ends, ends);
		int64_t created = at(r, r->today + (p->starts < -30 ? p->starts : -30) - 10, 240);
		int64_t updated = p->closed ? at(r, r->today + p->ends + 2, 300) : created;
		uuid_v7(r->programme[i]);
		rc = db_run(r->conn, NULL,
			"INSERT INTO programme (id, name, type, provider_agency_id, description, places, schedule, languages,"
			" eligibility, location, starts_on, ends_on, status, created_at, created_by, updated_at, version)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"ttttti" "tttttt" "t" "iti" "i", r->programme[i], p->name, p->type, r->partner[p->partner], p->description,
			(int64_t)p->places, p->schedule, p->languages, p->eligibility, p->location, starts,
			p->ends ? ends : NULL, p->closed ? "closed" : "open", created, r->account[p->partner], updated,
			(int64_t)(p->closed ? 2 : 1));
		r->n->programmes += rc == DB_OK;
	}
	return rc;
}

/* ---- referrals ------------------------------------------------------------------------------ */

static void add(struct ref *x, const char *to, int day, bool partner, const char *reason, const char *note)
{
	if (x->nsteps < MAX_STEPS)
		x->steps[x->nsteps++] = (struct step){to, day, partner, reason, note};
}

/* Referred some days before `accepted`, then accepted by the provider that day. */
static void lead_in(struct ref *x, int accepted, uint64_t *s)
{
	add(x, "referred", accepted - 2 - pick(s, 5), false, NULL, NULL);
	add(x, "accepted", accepted, true, NULL, NULL);
}

/* The moves of one slot, dated back from today; k counts the slot's letter within its programme. */
static void script(struct run *r, int prog, char slot, int k, uint64_t *s, struct ref *x)
{
	const struct programme_def *p = &programmes[prog];
	int t = r->today;
	memset(x, 0, sizeof *x);
	x->prog = prog;
	x->outcome = -1;
	x->reason = (k + prog) % 2;
	bool active = true;
	switch (slot) {
	case 'R':
		add(x, "referred", t - 1 - pick(s, 8), false, NULL, NULL);
		break;
	case 'A':
		lead_in(x, t - 1 - pick(s, 10), s);
		break;
	case 'L': {
		int listed = t - 3 - 9 * k - pick(s, 5);
		lead_in(x, listed - pick(s, 2), s);
		add(x, "waitlisted", listed, true, NULL,
		    p->places <= 6 ? "Группа заполнена; первое освободившееся место — по очереди." : NULL);
		break;
	}
	case 'E':
	case 'X': {
		/* Every third came through the waiting list. */
		int weeks = slot == 'X' ? 9 : 3 + (k * 3 + prog) % 8;
		int enrolled = t - 7 * weeks - pick(s, 3);
		if (k % 3 == 2) {
			int listed = enrolled - 7 - pick(s, 14);
			lead_in(x, listed - pick(s, 2), s);
			add(x, "waitlisted", listed, true, NULL, "Мест нет, записан в лист ожидания.");
		} else {
			lead_in(x, enrolled - 2 - pick(s, 4), s);
		}
		add(x, "enrolled", enrolled, true, NULL, NULL);
		x->attend_from = enrolled;
		x->attend_to = t - 1;
		if (slot == 'X') {
			x->share_until = t - 3;
			x->attend_to = t - 3;
		}
		break;
	}
	case 'C':
	case 'P':
	case 'N': {
		int done = p->closed ? t + p->ends - pick(s, 2) : t - 10 - (k * 37 + prog * 11) % 110;
		int enrolled = done - 84;
		lead_in(x, enrolled - 2 - pick(s, 4), s);
		add(x, "enrolled", enrolled, true, NULL, NULL);
		add(x, "completed", done, true, NULL, NULL);
		x->outcome = slot == 'C' ? 0 : slot == 'P' ? 1 : 2;
		x->attend_from = enrolled;
		x->attend_to = done - 1;
		active = false;
		break;
	}
	case 'D': {
		int i = r->declines++ % (int)COUNT(declined_reasons);
		int declined = t - 5 - pick(s, 140);
		add(x, "referred", declined - 2 - pick(s, 6), false, NULL, NULL);
		add(x, "declined", declined, true, declined_reasons[i], declined_notes[i]);
		active = false;
		break;
	}
	case 'W': {
		int path = r->withdrawals++ % 5;
		int out = t - 5 - pick(s, 60);
		active = false;
		if (path == 0) {
			add(x, "referred", out - 3 - pick(s, 7), false, NULL, NULL);
			add(x, "withdrawn", out, false, "personal", "Переезжает в другую область по работе.");
		} else if (path == 1) {
			lead_in(x, out - 5 - pick(s, 10), s);
			add(x, "withdrawn", out, true, "operational",
			    "Занятия совпадают со сменой на работе; предложили записаться в вечернюю группу позже.");
		} else if (path == 3) {
			int listed = out - 10 - pick(s, 10);
			lead_in(x, listed - 1, s);
			add(x, "waitlisted", listed, true, NULL, NULL);
			add(x, "withdrawn", out, false, "withdrawn_other", "Суд изменил обязанности: программа больше не нужна.");
		} else {
			int enrolled = out - 35 - pick(s, 25);
			lead_in(x, enrolled - 2 - pick(s, 3), s);
			add(x, "enrolled", enrolled, true, NULL, NULL);
			add(x, "withdrawn", out, path == 4, "motivation",
			    path == 4 ? "Пропустил четыре занятия подряд без уважительной причины."
			              : "Перестал ходить на занятия и отказался продолжать.");
			x->attend_from = enrolled;
			x->attend_to = out - 1;
			x->absent_tail = 3;
		}
		break;
	}
	default:
		break;
	}
	int last = x->steps[x->nsteps - 1].day;
	if (!x->share_until)
		x->share_until = active ? t + 60 + (k * 29 + prog * 13) % 180 : last + 30;
	x->shared = p->partner == EMPLOYER ? employer_share : share_sets[r->shares++ % (int)COUNT(share_sets)];
}

/* A case for a referral first moved on `day`: open, allocated, opened before, not yet in this programme. */
static struct dcase *choose(struct run *r, int prog, int day)
{
	enum prefer want = programmes[prog].prefer;
	for (int pass = 0; pass < 2; pass++) {
		for (size_t j = 0; j < r->ncases; j++) {
			size_t i = (r->cursor[want] + j) % r->ncases;
			struct dcase *c = &r->cases[i];
			if (!c->officer[0] || strcmp(c->kind, "penitentiary") == 0 || c->opened >= day - 1 ||
			    c->referrals >= 3 || (c->programmes & (1u << prog)))
				continue;
			if (pass == 0 && ((want == RADICAL && !c->radical) ||
			                  (want == POST && strcmp(c->kind, "post_penitentiary") != 0)))
				continue;
			r->cursor[want] = i + 1;
			return c;
		}
	}
	return NULL;
}

/* Binds n texts (NULL allowed) from parameter k + 1 on. */
static enum db_status bind_texts(db_stmt *st, int k, int n, const char *const *values)
{
	enum db_status rc = DB_OK;
	for (int i = 0; i < n && rc == DB_OK; i++)
		rc = db_bind_text(st, k + i + 1, values[i], SIZE_MAX);
	return rc;
}

/* "INSERT INTO <head> VALUES (?, ...), (?, ...)": n rows of `columns` placeholders. */
static char *multi_insert(const char *head, int rows, int columns)
{
	struct buf sql = {0};
	buf_printf(&sql, "INSERT INTO %s VALUES ", head);
	for (int i = 0; i < rows; i++) {
		buf_puts(&sql, i ? ", (" : "(");
		for (int j = 0; j < columns; j++)
			buf_puts(&sql, j ? ", ?" : "?");
		buf_putc(&sql, ')');
	}
	return sql.data;
}

/*
 * The sessions of an enrolled referral, weekly, each recorded by the provider with its timeline event (one
 * multi-row INSERT for each: a round trip per row is slow on PostgreSQL), and its progress notes.
 */
static enum db_status attendance(struct run *r, struct ref *x, uint64_t *s)
{
	enum { MAX_SESSIONS = 64 };
	struct {
		char id[UUID_STR_LEN], event[UUID_STR_LEN], on[11];
		const char *status, *why;
		int64_t at;
		char *detail;
	} rows[MAX_SESSIONS];
	const char *by = r->account[programmes[x->prog].partner];
	int last = x->attend_to, n = 0;
	for (int day = x->attend_from; day <= last && n < MAX_SESSIONS; day += 7, n++) {
		const char *status = "present", *why = NULL;
		int roll = pick(s, 100);
		if (x->absent_tail && day > last - 7 * x->absent_tail) {
			status = "absent";
			why = "Не пришёл и не предупредил; на звонки не отвечает.";
		} else if (roll >= 90) {
			status = "absent";
			why = absence_reasons[pick(s, (int)COUNT(absence_reasons))];
		} else if (roll >= 78) {
			status = "late";
		}
		day_text(day, rows[n].on);
		uuid_v7(rows[n].id);
		uuid_v7(rows[n].event);
		rows[n].status = status;
		rows[n].why = why;
		rows[n].at = at(r, day, 720 + pick(s, 120));
		rows[n].detail = xasprintf("{\"programme_id\":\"%s\",\"session_on\":\"%s\",\"entries\":"
		                           "[{\"referral_id\":\"%s\",\"status\":\"%s\"}]}",
		                           r->programme[x->prog], rows[n].on, x->id, status);
	}
	enum db_status rc = DB_OK;
	if (n) {
		char *sql = multi_insert("referral_attendance (id, referral_id, session_on, status, absence_reason,"
		                         " recorded_by, recorded_at)", n, 7);
		db_stmt *st = NULL;
		rc = db_prepare(r->conn, sql, &st);
		for (int i = 0; i < n && rc == DB_OK; i++) {
			const char *v[] = {rows[i].id, x->id, rows[i].on, rows[i].status, rows[i].why, by};
			if ((rc = bind_texts(st, i * 7, 6, v)) == DB_OK)
				rc = db_bind_int64(st, i * 7 + 7, rows[i].at);
		}
		if (rc == DB_OK)
			rc = db_step(st) == DB_DONE ? DB_OK : DB_ERROR;
		db_finalize(&st);
		free(sql);
		/* As POST /programmes/{id}/attendance tells it: one event per case and session, codes and ids only. */
		sql = multi_insert("case_event (id, case_id, at, kind, actor_id, summary, detail, record_type, record_id)", n,
		                   9);
		if (rc == DB_OK)
			rc = db_prepare(r->conn, sql, &st);
		for (int i = 0; i < n && rc == DB_OK; i++) {
			const char *v1[] = {rows[i].event, x->c->id};
			const char *v2[] = {"referral.attendance", by, "Programme attendance recorded for a session",
			                    rows[i].detail, "referral", x->id};
			if ((rc = bind_texts(st, i * 9, 2, v1)) == DB_OK &&
			    (rc = db_bind_int64(st, i * 9 + 3, rows[i].at)) == DB_OK)
				rc = bind_texts(st, i * 9 + 3, 6, v2);
		}
		if (rc == DB_OK)
			rc = db_step(st) == DB_DONE ? DB_OK : DB_ERROR;
		db_finalize(&st);
		free(sql);
		if (rc == DB_OK)
			r->n->attendance += n;
	}
	for (int i = 0; i < n; i++)
		free(rows[i].detail);
	/* Progress notes every three weeks from the third week. */
	int type = type_index(x->prog);
	for (int day = x->attend_from + 14, i = 0; day <= last && rc == DB_OK; day += 21, i++) {
		char on[11], id[UUID_STR_LEN];
		day_text(day, on);
		uuid_v7(id);
		int64_t when = at(r, day, 780);
		rc = db_run(r->conn, NULL,
			"INSERT INTO referral_progress_note (id, referral_id, written_on, text, author_id, created_at)"
			" VALUES (?, ?, ?, ?, ?, ?)", "ttttti", id, x->id, on, progress[type][i % 3], by, when);
		char *detail = xasprintf("{\"referral_id\":\"%s\",\"note_id\":\"%s\"}", x->id, id);
		if (rc == DB_OK)
			rc = event(r, x->c->id, when, "referral.progress_note", by, "Programme provider wrote a progress note",
			           detail, "referral_progress_note", id);
		free(detail);
		r->n->progress_notes += rc == DB_OK;
	}
	return rc;
}

/* Writes a scripted referral: the row in its final state, its events and timeline, attendance, notes, report. */
static enum db_status write_referral(struct run *r, struct ref *x, uint64_t *s)
{
	const struct programme_def *p = &programmes[x->prog];
	const char *partner_account = r->account[p->partner];
	const struct step *last = &x->steps[x->nsteps - 1];
	int64_t times[MAX_STEPS];
	for (int i = 0; i < x->nsteps; i++) {
		times[i] = at(r, x->steps[i].day, 180 + i * 7 + pick(s, 300));
		if (i && times[i] <= times[i - 1])
			times[i] = times[i - 1] + 5 * MIN_MS;
	}
	int64_t report_at = 0;
	char referred_on[11], share_until[11], report_on[11];
	day_text(x->steps[0].day, referred_on);
	day_text(x->share_until, share_until);
	day_text(last->day, report_on);
	if (x->outcome >= 0)
		report_at = times[x->nsteps - 1] - 3 * MIN_MS;
	int64_t updated = times[x->nsteps - 1];
	uuid_v7(x->id);
	enum db_status rc = db_run(r->conn, NULL,
		"INSERT INTO referral (id, case_id, programme_id, partner_agency_id, status, reason, shared_fields,"
		" share_until, referred_on, referred_by, status_at, outcome, report, report_on, report_by, created_at, updated_at, version)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttttttttt" "i" "tttt" "iii", x->id, x->c->id, r->programme[x->prog], r->partner[p->partner], last->to,
		reasons[type_index(x->prog)][x->reason], x->shared, share_until, referred_on, x->referrer, updated,
		x->outcome >= 0 ? outcomes[x->outcome] : NULL, x->outcome >= 0 ? reports[x->outcome][x->prog % 2] : NULL,
		x->outcome >= 0 ? report_on : NULL, x->outcome >= 0 ? partner_account : NULL, times[0], updated,
		(int64_t)(x->nsteps + (x->outcome >= 0)));
	for (int i = 0; i < x->nsteps && rc == DB_OK; i++) {
		const struct step *st = &x->steps[i];
		const char *actor = st->partner ? partner_account : x->referrer;
		const char *from = i ? x->steps[i - 1].to : NULL;
		if (i == x->nsteps - 1 && x->outcome >= 0) {
			/* The report comes before the completion the table guards with it. */
			char *detail = xasprintf("{\"corrected\":false,\"outcome\":\"%s\",\"referral_id\":\"%s\"}",
			                         outcomes[x->outcome], x->id);
			char summary[96];
			snprintf(summary, sizeof summary, "End-of-programme report written (%s)", outcomes[x->outcome]);
			rc = event(r, x->c->id, report_at, "referral.report", partner_account, summary, detail, "referral", x->id);
			free(detail);
			r->n->reports += rc == DB_OK;
			if (rc != DB_OK)
				break;
		}
		char id[UUID_STR_LEN];
		uuid_v7(id);
		rc = db_run(r->conn, NULL,
			"INSERT INTO referral_event (id, referral_id, at, actor_id, from_status, to_status, reason_code, note)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "ttittttt", id, x->id, times[i], actor, from, st->to, st->reason,
			st->note);
		char kind[40], summary[120];
		char *detail;
		if (!from) {
			snprintf(kind, sizeof kind, "referral.made");
			snprintf(summary, sizeof summary, "Referred to a programme (%s)", p->type);
			detail = xasprintf("{\"programme_id\":\"%s\",\"programme_type\":\"%s\",\"referral_id\":\"%s\","
			                   "\"share_until\":\"%s\",\"shared_fields\":%s}",
			                   r->programme[x->prog], p->type, x->id, share_until, x->shared);
		} else {
			snprintf(kind, sizeof kind, "referral.%s", st->to);
			snprintf(summary, sizeof summary, "Referral moved from %s to %s", from, st->to);
			detail = xasprintf("{\"from\":\"%s\",\"programme_id\":\"%s\",\"reason_code\":%s%s%s,"
			                   "\"referral_id\":\"%s\",\"to\":\"%s\"}", from, r->programme[x->prog],
			                   st->reason ? "\"" : "", st->reason ? st->reason : "null", st->reason ? "\"" : "", x->id,
			                   st->to);
		}
		if (rc == DB_OK)
			rc = event(r, x->c->id, times[i], kind, actor, summary, detail, "referral", x->id);
		free(detail);
	}
	if (rc == DB_OK && x->attend_from)
		rc = attendance(r, x, s);
	if (rc == DB_OK) {
		r->n->referrals++;
		r->n->referrals_by_status[status_index(last->to)]++;
		x->c->referrals++;
		x->c->programmes |= 1u << x->prog;
	}
	return rc;
}

static enum db_status referrals(struct run *r)
{
	enum db_status rc = DB_OK;
	for (size_t i = 0; i < COUNT(programmes) && rc == DB_OK; i++) {
		int seen[128] = {0};
		for (const char *q = programmes[i].slots; *q && rc == DB_OK; q++) {
			uint64_t s = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)(i + 1) * 0x2545f4914f6cdd1dULL) ^
			             ((uint64_t)(q - programmes[i].slots) << 40);
			s |= 1;
			int letter = (unsigned char)*q & 127;
			int k = seen[letter == 'X' ? 'E' : letter]++;
			struct ref x;
			script(r, (int)i, *q, k, &s, &x);
			x.c = choose(r, (int)i, x.steps[0].day);
			if (!x.c)
				continue; /* too few cases (a small --people run) */
			x.referrer = x.c->officer;
			rc = write_referral(r, &x, &s);
		}
	}
	return rc;
}

/* ---- reintegration needs -------------------------------------------------------------------- */

static const struct {
	const char *area;
	int owner; /* a partner, or -1: the probation service (the case officer) */
	const char *description[2], *outcome;
} need_defs[] = {
	{"identity_documents", -1,
	 {"Восстановить паспорт: утерян при задержании; подать заявление в ЦОН.",
	  "Паспорт алуу: ЦОНго арыз берүү жана сүрөткө түшүү."},
	 "Паспорт получен."},
	{"housing", CITYHALL,
	 {"Найти жильё: живёт у знакомых; подать заявку на временное социальное жильё.",
	  "Помочь с арендой комнаты на первые месяцы после освобождения."},
	 "Предоставлена комната в социальном общежитии на полгода."},
	{"work", EMPLOYER,
	 {"Трудоустройство: собеседование у работодателя-партнёра.", "Жумушка орношуу: курулуштагы стажировка."},
	 "Принят подсобным рабочим по трудовому договору."},
	{"education", LYCEUM,
	 {"Записаться на курсы сварщика в лицее.", "Завершить среднее образование в вечерней школе."},
	 "Зачислен на курс, занятия начались."},
	{"health", CLINIC,
	 {"Встать на учёт в ЦСМ по месту жительства, пройти флюорографию.", "Консультация нарколога по направлению."},
	 "Прикреплён к ЦСМ, обследование пройдено."},
	{"family", NGO,
	 {"Восстановить отношения с родителями: встреча при участии социального работника НПО.",
	  "Помочь супруге оформить пособие на детей."},
	 "Встреча с родителями состоялась, договорились о еженедельных визитах."},
	{"finances", NGO,
	 {"Открыть банковский счёт для зарплаты, составить бюджет семьи.", "Научиться планировать расходы: занятие в НПО."},
	 "Счёт открыт, бюджет составлен вместе с консультантом."},
	{"debts", -1,
	 {"Составить график погашения долга по исполнительному листу.", "Договориться с кредитором о рассрочке."},
	 "Согласована рассрочка на 12 месяцев, первый платёж внесён."},
	{"community_religious_support", DIALOGUE,
	 {"Познакомить с имамом мечети по месту жительства, который поддерживает отказ от насилия.",
	  "Жамааттагы аксакалдар кеңеши менен жолугушуу уюштуруу."},
	 "Знакомство состоялось; ходит на пятничную молитву в местную мечеть."},
};

static enum db_status need(struct run *r, const struct dcase *c, int k, int j)
{
	const int t = r->today;
	int d = k % (int)COUNT(need_defs);
	const char *owner = need_defs[d].owner < 0 ? r->probation : r->partner[need_defs[d].owner];
	const char *owner_account = need_defs[d].owner < 0 ? c->officer : NULL;
	/* The status by turn: done, in progress, overdue, open, overdue in progress, done or cancelled. */
	int kind = (k + k / 9) % 6;
	int created = t - 20 - (k * 13) % 100;
	if (created <= c->opened)
		created = c->opened + 1;
	if (created > t - 2)
		created = t - 2;
	/* Overdue (kind 2, half of kind 4): due some days ago; the others still open are due ahead. */
	bool overdue = kind == 2 || (kind == 4 && (k / 6) % 2 == 0);
	int due = overdue ? t - 2 - k % 20 : kind >= 1 && kind <= 4 ? t + 5 + (k * 7) % 60 : created + 30 + (k * 7) % 60;
	if (due <= created)
		due = created + 1;
	bool cancelled = kind == 5 && (k / 6) % 2 == 0;
	bool done = kind == 0 || (kind == 5 && !cancelled);
	bool progressing = kind == 1 || kind == 4 || done;
	int closed = done || cancelled ? created + 5 + k % 20 : 0;
	if (closed > t - 1)
		closed = t - 1;
	const char *status = done ? "done" : cancelled ? "cancelled" : progressing ? "in_progress" : "open";
	char id[UUID_STR_LEN], due_on[11], closed_on[11];
	uuid_v7(id);
	day_text(due, due_on);
	day_text(closed, closed_on);
	int64_t t0 = at(r, created, 240 + j * 5);
	int64_t t1 = progressing ? at(r, created + 2 > t - 1 ? t - 1 : created + 2, 300 + j * 5) : 0;
	if (t1 && t1 <= t0)
		t1 = t0 + MIN_MS;
	int64_t t2 = closed ? at(r, closed, 360 + j * 5) : 0;
	if (t2 && t2 <= (t1 ? t1 : t0))
		t2 = (t1 ? t1 : t0) + MIN_MS;
	int64_t updated = t2 ? t2 : t1 ? t1 : t0;
	const char *note = done        ? need_defs[d].outcome
	                   : cancelled ? "Больше не требуется: человек решил вопрос сам."
	                               : NULL;
	enum db_status rc = db_run(r->conn, NULL,
		"INSERT INTO reintegration_need (id, case_id, area, description, owner_agency_id, owner_account_id, due_on,"
		" status, outcome_note, closed_on, created_at, created_by, updated_at, version)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttttttttt" "iti" "i", id, c->id, need_defs[d].area, need_defs[d].description[(k / 9) % 2], owner,
		owner_account, due_on, status, note, closed ? closed_on : NULL, t0, c->officer, updated,
		(int64_t)(1 + (t1 != 0) + (t2 != 0)));
	char summary[96];
	snprintf(summary, sizeof summary, "Reintegration need added (%s)", need_defs[d].area);
	char *detail = xasprintf("{\"need_id\":\"%s\",\"area\":\"%s\",\"owner_agency_id\":\"%s\",\"due_on\":\"%s\"}", id,
	                         need_defs[d].area, owner, due_on);
	if (rc == DB_OK)
		rc = event(r, c->id, t0, "need.added", c->officer, summary, detail, "reintegration_need", id);
	free(detail);
	const char *moves[2][2] = {{"open", "in_progress"}, {progressing ? "in_progress" : "open", status}};
	int64_t when[2] = {t1, t2};
	for (int m = 0; m < 2 && rc == DB_OK; m++) {
		if (!when[m])
			continue;
		const char *to = moves[m][1];
		snprintf(summary, sizeof summary, "Reintegration need marked %s",
		         strcmp(to, "in_progress") == 0 ? "in progress" : to);
		detail = xasprintf("{\"need_id\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"changed\":[\"status\"%s]}", id,
		                   moves[m][0], to, m ? ",\"outcome_note\"" : "");
		char kind_text[32];
		snprintf(kind_text, sizeof kind_text, "need.%s", to);
		rc = event(r, c->id, when[m], kind_text, c->officer, summary, detail, "reintegration_need", id);
		free(detail);
	}
	r->n->needs += rc == DB_OK;
	return rc;
}

/* Every open post-penitentiary case, and every eleventh open executive one. */
static enum db_status needs(struct run *r)
{
	enum db_status rc = DB_OK;
	int k = 0, executive = 0;
	for (size_t i = 0; i < r->ncases && rc == DB_OK; i++) {
		const struct dcase *c = &r->cases[i];
		if (!c->officer[0] || strcmp(c->kind, "penitentiary") == 0 || c->opened > r->today - 25)
			continue;
		if (strcmp(c->kind, "executive") == 0 && executive++ % 11 != 4)
			continue;
		int count = 2 + (int)(i % 3);
		for (int j = 0; j < count && rc == DB_OK; j++)
			rc = need(r, c, k++, j);
	}
	return rc;
}

/* ---- release plans -------------------------------------------------------------------------- */

static const char *const addresses[] = {
	"Чуйская обл., с. Кара-Жыгач, ул. Ленина, 12 (дом брата)",
	"г. Бишкек, мкр. Джал, д. 15, кв. 40 (квартира матери)",
	"г. Бишкек, ж/м Ак-Орго, ул. 7, д. 3 (дом родителей)",
};
static const char *const transports[] = {
	"Встречает брат на своей машине у ворот колонии; сотрудник НПО сопровождает до дома.",
	"Общественным транспортом до Бишкека; НПО оплачивает проезд, социальный работник встречает на вокзале.",
	"Родители встречают у колонии.",
};
static const char *const documents[] = {
	"[{\"kind\":\"passport\",\"status\":\"applied\",\"note\":\"Заявление подано через колонию, готовность через"
	" месяц\"},{\"kind\":\"military_record\",\"status\":\"needed\",\"note\":\"Военный билет утерян\"},"
	"{\"kind\":\"birth_certificate\",\"status\":\"have\",\"note\":\"В личном деле\"}]",
	"[{\"kind\":\"id_card\",\"status\":\"needed\",\"note\":\"Срок ID-карты истёк в заключении\"},"
	"{\"kind\":\"other\",\"status\":\"have\",\"note\":\"Справка об освобождении будет выдана в день освобождения\"}]",
	"[{\"kind\":\"passport\",\"status\":\"have\",\"note\":\"В личном деле\"}]",
};

static enum db_status account_name(db *conn, const char *unit, char name_r[128], char id_r[UUID_STR_LEN])
{
	name_r[0] = '\0';
	id_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT a.display_name, a.id FROM account a JOIN account_role ar ON ar.account_id = a.id"
		" WHERE a.unit_id = ? AND ar.role = 'probation_officer' AND a.status = 'active' ORDER BY a.created_at, a.id",
		"t", unit);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		copy(name_r, 128, db_column_text(st, 0, NULL));
		copy(id_r, UUID_STR_LEN, db_column_text(st, 1, NULL));
	}
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

struct action_def {
	int owner; /* partner index, or -1 probation, -2 prison */
	const char *description, *owner_name;
	int due;   /* days from the release (or the meeting when from_meeting) */
	bool done;
};

/* An action of a meeting (told on the timeline with the meeting) or of the plan itself; a done one was changed. */
static enum db_status action(struct run *r, const char *case_id, const char *plan, const char *meeting,
                             const struct action_def *a, int base, int64_t when)
{
	char id[UUID_STR_LEN], due_on[11];
	uuid_v7(id);
	day_text(base + a->due, due_on);
	const char *owner = a->owner == -1 ? r->probation : a->owner == -2 ? r->prison : r->partner[a->owner];
	int64_t updated = when;
	if (a->done && when + 7 * DAY_MS < r->now - 600000)
		updated = when + 7 * DAY_MS;
	enum db_status rc = db_run(r->conn, NULL,
		"INSERT INTO release_action (id, plan_id, meeting_id, description, owner_agency_id, owner_name, due_on, status,"
		" created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttttttt" "iii", id, plan, meeting, a->description, owner, a->owner_name, due_on, a->done ? "done" : "open",
		when, updated, (int64_t)(a->done ? 2 : 1));
	if (rc == DB_OK && !meeting) {
		char *detail = xasprintf("{\"change\":\"action_added\",\"action_id\":\"%s\",\"due_on\":\"%s\"}", id,
		                         due_on);
		rc = event(r, case_id, when, "release_plan.changed", r->caseworker, "Release plan action added", detail,
		           "release_action", id);
		free(detail);
	}
	if (rc == DB_OK && a->done) {
		char *detail = xasprintf("{\"change\":\"action_changed\",\"action_id\":\"%s\",\"status\":\"done\","
		                         "\"from_status\":\"open\"}", id);
		rc = event(r, case_id, updated, "release_plan.changed", r->caseworker, "Release plan action changed", detail,
		           "release_action", id);
		free(detail);
	}
	r->n->release_actions += rc == DB_OK;
	return rc;
}

static enum db_status meeting(struct run *r, const struct dcase *c, const char *plan, int held, int number,
                              const char *officer_name, int release)
{
	static const char *const agendas[2] = {
		"1. Адрес и жильё после освобождения. 2. Документы. 3. Работа и программы. 4. Первая явка в пробацию.",
		"1. Выполнение решений прошлой встречи. 2. Согласование плана освобождения. 3. Транспорт в день освобождения.",
	};
	static const char *const decisions[2] = {
		"Жить по адресу родственников; паспорт восстановить до освобождения; направить на стажировку к"
		" работодателю-партнёру и к наставнику НПО; первая явка в отдел пробации на следующий рабочий день.",
		"План освобождения согласован всеми участниками. Паспорт заказан, жильё проверено инспектором. НПО"
		" организует встречу у колонии.",
	};
	static const struct action_def first[] = {
		{-2, "Подать заявление на восстановление паспорта через колонию", "Социальный работник колонии", 14, true},
		{-1, "Проверить условия проживания по адресу после освобождения", NULL, 21, false},
		{NGO, "Записать в программу наставничества до освобождения", "Координатор НПО", 28, false},
		{CITYHALL, "Оформить единовременное пособие при освобождении", "Специалист отдела соцразвития", 40, false},
	};
	static const struct action_def second[] = {
		{NGO, "Организовать встречу у ворот колонии и транспорт до дома", "Координатор НПО", 0, false},
		{-2, "Передать характеристику и справку об освобождении в отдел пробации", "Социальный работник колонии", 5,
		 false},
	};
	char id[UUID_STR_LEN], on[11];
	uuid_v7(id);
	day_text(held, on);
	int64_t when = at(r, held, 300);
	enum db_status rc = db_run(r->conn, NULL,
		"INSERT INTO panel_meeting (id, plan_id, held_on, place, agenda, decisions, chaired_by, created_at, created_by,"
		" updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)",
		"ttttttti" "ti", id, plan, on,
		number == 0 ? "Колония № 99, комната свиданий (видеосвязь с отделом пробации)" : "Колония № 99, кабинет 3",
		agendas[number], decisions[number], r->caseworker, when, r->caseworker, when);
	const struct {
		const char *agency, *name, *title;
		bool present;
	} who[] = {
		{r->probation, officer_name[0] ? officer_name : "Инспектор пробации", "Инспектор пробации", true},
		{r->prison, "Demo Case Worker Colony", "Социальный работник колонии", true},
		{r->partner[NGO], "Айгуль Токтосунова", "Координатор НПО", true},
		{r->partner[CITYHALL], "Жылдыз Бообекова", "Специалист отдела соцразвития", number == 0},
		{r->partner[DIALOGUE], "Нурлан Абдыкалыков", "Теолог", number == 1},
	};
	int n = number == 0 ? 4 : 5;
	for (int i = 0; i < n && rc == DB_OK; i++) {
		char aid[UUID_STR_LEN];
		uuid_v7(aid);
		rc = db_run(r->conn, NULL,
			"INSERT INTO panel_attendee (id, meeting_id, agency_id, name, role_title, present, position)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", "ttttt" "ii", aid, id, who[i].agency, who[i].name, who[i].title,
			(int64_t)who[i].present, (int64_t)(i + 1));
	}
	const struct action_def *list = number == 0 ? first : second;
	size_t nactions = number == 0 ? COUNT(first) : COUNT(second);
	for (size_t i = 0; i < nactions && rc == DB_OK; i++) {
		struct action_def a = list[i];
		if (a.owner == -1)
			a.owner_name = officer_name;
		/* First meeting: due days after the meeting, capped at the release; second: days from the release. */
		int base = number == 0 ? held : release;
		if (number == 0 && held + a.due > release)
			a.due = release - held - 1;
		a.done = a.done && held + a.due < r->today;
		rc = action(r, c->id, plan, id, &a, base, when + (int64_t)(i + 1) * MIN_MS);
	}
	int present = 0;
	for (int i = 0; i < n; i++)
		present += who[i].present;
	char summary[] = "Multi-agency panel meeting recorded";
	char *detail = xasprintf("{\"meeting_id\":\"%s\",\"held_on\":\"%s\",\"attendees\":%d,\"present\":%d,"
	                         "\"actions\":%zu}", id, on, n, present, nactions);
	if (rc == DB_OK)
		rc = event(r, c->id, when, "panel.meeting", r->caseworker, summary, detail, "panel_meeting", id);
	free(detail);
	r->n->panel_meetings += rc == DB_OK;
	return rc;
}

/* After-release referrals the plan counts on: the prison case worker refers (employment; mentoring accepted). */
static enum db_status plan_referrals(struct run *r, struct dcase *c, const char *plan, int day, uint64_t *s)
{
	static const struct {
		int prog;
		char slot;
	} wanted[] = {{PROG_EMPLOYMENT, 'R'}, {PROG_MENTORING, 'A'}};
	enum db_status rc = DB_OK;
	for (size_t i = 0; i < COUNT(wanted) && rc == DB_OK; i++) {
		struct ref x;
		script(r, wanted[i].prog, wanted[i].slot, 5, s, &x);
		/* Made at the planning meeting's week, never before the plan. */
		int shift = day + 2 - x.steps[0].day;
		if (shift > 0)
			for (int j = 0; j < x.nsteps; j++)
				x.steps[j].day += shift;
		if (x.steps[x.nsteps - 1].day > r->today - 1)
			continue;
		x.share_until = c->release + 120;
		x.c = c;
		x.referrer = r->caseworker;
		rc = write_referral(r, &x, s);
		if (rc == DB_OK)
			rc = db_run(r->conn, NULL, "INSERT INTO release_plan_referral (plan_id, referral_id) VALUES (?, ?)", "tt",
			            plan, x.id);
	}
	return rc;
}

static enum db_status release_plans(struct run *r)
{
	/* The planning window and the first appointment's limit as the API computes them (domain/release.h). */
	long months = 0, days = 0;
	char today[11], from[11], to[11], probe[11];
	day_text(r->today, today);
	enum db_status rc = release_window(r->conn, today, &months, from, to);
	if (rc == DB_OK)
		rc = release_first_appointment_limit(r->conn, today, probe, &days);
	if (rc != DB_OK)
		return rc;
	int limit = text_day(to);
	int nplans = 0;
	for (size_t i = 0; i < r->ncases && rc == DB_OK; i++) {
		struct dcase *c = &r->cases[i];
		/* Within the window, and far enough ahead that the plan's first appointment is still to come. */
		if (strcmp(c->kind, "penitentiary") != 0 || !c->release || c->release < r->today + 3 || c->release > limit)
			continue;
		int index = nplans++;
		const char *unit = c->home_unit[0] ? c->home_unit : r->bishkek;
		char officer_name[128], officer[UUID_STR_LEN];
		if ((rc = account_name(r->conn, unit, officer_name, officer)) != DB_OK)
			break;
		int start = c->release - 75;
		if (start > r->today - 20)
			start = r->today - 20;
		if (start <= c->opened)
			start = c->opened + 1;
		bool agreed = index % 2 == 0 && start + 18 <= r->today - 1;
		char id[UUID_STR_LEN], appointment[20];
		uuid_v7(id);
		char first[11];
		day_text(c->release + (int)(days < 1 + index % 2 ? days : 1 + index % 2), first);
		snprintf(appointment, sizeof appointment, "%sT%s", first, index % 2 ? "14:30" : "10:00");
		int64_t created = at(r, start, 240);
		int64_t updated = agreed ? at(r, start + 18, 420) : at(r, start + 7, 420);
		rc = db_run(r->conn, NULL,
			"INSERT INTO release_plan (id, case_id, receiving_unit_id, status, address, transport, documents,"
			" first_appointment_at, first_appointment_place, notes, created_at, created_by, updated_at, version)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tttttttttt" "iti" "i", id, c->id, unit, agreed ? "agreed" : "draft",
			addresses[index % (int)COUNT(addresses)], transports[index % (int)COUNT(transports)],
			documents[index % (int)COUNT(documents)], appointment,
			"Отдел пробации, кабинет 12, с паспортом или справкой",
			agreed ? "Освобождение по отбытии срока. Брат готов помочь с работой на первое время."
			       : "Проект плана: адрес уточняется после проверки инспектором.",
			created, r->caseworker, updated, (int64_t)(agreed ? 3 : 2));
		char *detail = xasprintf("{\"receiving_unit_id\":\"%s\",\"status\":\"draft\",\"receiving_unit_changed\":false,"
		                         "\"first_appointment\":true,\"referrals_changed\":false}", unit);
		if (rc == DB_OK)
			rc = event(r, c->id, created, "release_plan.started", r->caseworker, "Release plan started", detail,
			           "release_plan", id);
		free(detail);
		uint64_t s = 0x51ed270b7a2f3c5dULL ^ (uint64_t)(index + 1);
		if (rc == DB_OK)
			rc = meeting(r, c, id, start + 7, 0, officer_name, c->release);
		if (rc == DB_OK)
			rc = plan_referrals(r, c, id, start + 7, &s);
		if (rc == DB_OK && agreed) {
			rc = meeting(r, c, id, start + 18, 1, officer_name, c->release);
			detail = xasprintf("{\"receiving_unit_id\":\"%s\",\"status\":\"agreed\",\"receiving_unit_changed\":false,"
			                   "\"first_appointment\":true,\"referrals_changed\":true}", unit);
			if (rc == DB_OK)
				rc = event(r, c->id, updated, "release_plan.changed", r->caseworker, "Release plan changed", detail,
				           "release_plan", id);
			free(detail);
		}
		/* An action added to the plan itself, outside a meeting. */
		struct action_def own = {-1, "Назначить инспектора и передать ему план до освобождения", officer_name, -10,
		                         false};
		if (rc == DB_OK)
			rc = action(r, c->id, id, NULL, &own, c->release, updated + MIN_MS);
		r->n->release_plans += rc == DB_OK;
	}
	return rc;
}

/* ---- returnee families ---------------------------------------------------------------------- */

static const char *const wives[2][4] = {{"Анна", "Екатерина", "Ольга", "Марина"},
                                        {"Айгерим", "Нургуль", "Жылдыз", "Асель"}};
static const char *const sons[] = {"Умар", "Билал", "Амир", "Адилет"};
static const char *const daughters[] = {"Айша", "Марьям", "Сафия", "Амина"};
static const char *const countries[] = {"SY", "IQ", "SY"};

struct family_head {
	char person[UUID_STR_LEN], case_id[UUID_STR_LEN], officer[UUID_STR_LEN], surname[128], given[128];
	int opened;
	bool kyrgyz;
};

static enum db_status member(struct run *r, const struct family_head *h, const char *relationship,
                             const char *name, const char *born, const char *contact, const char *note,
                             bool returnee, const char *from, bool restricted, int protection, int64_t when)
{
	char id[UUID_STR_LEN], on[11];
	uuid_v7(id);
	day_text(protection, on);
	static const char *const protection_notes[] = {
		"Ребёнок вернулся из лагеря на северо-востоке Сирии: нужна психологическая помощь и место в школе."
		" Семья согласна на визиты социального работника.",
		"Не посещает школу, нет свидетельства о рождении; отдел защиты детей оформляет документы и сопровождение.",
	};
	int64_t cp_at = protection ? at(r, protection, 330) : 0;
	int64_t updated = cp_at > when ? cp_at : when;
	enum db_status rc = db_run(r->conn, NULL,
		"INSERT INTO third_party (id, person_id, relationship, full_name, birth_date, contact, note, created_at,"
		" created_by, returnee, returned_from, restricted, child_protection, child_protection_on,"
		" child_protection_agency_id, child_protection_note, updated_at, version)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"ttttttt" "it" "iti" "i" "ttt" "ii", id, h->person, relationship, name, born, contact, note, when, h->officer,
		(int64_t)returnee, from, (int64_t)restricted, (int64_t)(protection != 0), protection ? on : NULL,
		protection ? r->partner[CITYHALL] : NULL, protection ? protection_notes[r->n->child_protection % 2] : NULL,
		updated, (int64_t)(protection ? 2 : 1));
	r->n->family_members += rc == DB_OK;
	if (rc == DB_OK && protection) {
		char *detail = xasprintf("{\"third_party_id\":\"%s\",\"child_protection\":true,\"agency_id\":\"%s\"}", id,
		                         r->partner[CITYHALL]);
		rc = event(r, h->case_id, cp_at, "family.child_protection", h->officer,
		           "A child-protection referral was recorded for a family member", detail, "third_party", id);
		free(detail);
		r->n->child_protection += rc == DB_OK;
	}
	return rc;
}

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n > m && strcmp(s + n - m, end) == 0;
}

/* Up to three men sentenced for taking part in an armed conflict abroad (CC-255, CC-256), with an open case: one
   of the Bishkek office first (so officer.bishkek sees a family), then Kyrgyz speakers, returnees (a foreign
   passport) first. */
static enum db_status families(struct run *r)
{
	struct family_head heads[3];
	size_t n = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(r->conn, &st,
		"SELECT p.id, c.id, c.officer_id, p.surname, p.given_name, c.opened_on,"
		" CASE WHEN p.languages LIKE '%ky%' THEN 1 ELSE 0 END FROM case_file c"
		" JOIN person p ON p.id = c.person_id JOIN unit u ON u.id = c.unit_id"
		" WHERE c.status = 'open' AND c.officer_id IS NOT NULL AND p.sex = 'male'"
		" AND EXISTS (SELECT 1 FROM decision d JOIN decision_article x ON x.decision_id = d.id"
		"  WHERE d.case_id = c.id AND d.status = 'in_force' AND x.article IN ('CC-255', 'CC-256'))"
		" AND NOT EXISTS (SELECT 1 FROM third_party t WHERE t.person_id = p.id)"
		" ORDER BY CASE WHEN u.name = 'Bishkek city office' THEN 0 ELSE 1 END,"
		" CASE WHEN p.languages LIKE '%ky%' THEN 0 ELSE 1 END,"
		" CASE WHEN EXISTS (SELECT 1 FROM person_document d WHERE d.person_id = p.id"
		"  AND d.type = 'foreign_passport') THEN 0 ELSE 1 END, c.number", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		const char *person = db_column_text(st, 0, NULL);
		bool seen = false;
		for (size_t i = 0; i < n; i++)
			seen |= strcmp(heads[i].person, person) == 0;
		if (seen || n == COUNT(heads)) {
			rc = DB_OK;
			continue;
		}
		struct family_head *h = &heads[n++];
		copy(h->person, sizeof h->person, person);
		copy(h->case_id, sizeof h->case_id, db_column_text(st, 1, NULL));
		copy(h->officer, sizeof h->officer, db_column_text(st, 2, NULL));
		copy(h->surname, sizeof h->surname, db_column_text(st, 3, NULL));
		copy(h->given, sizeof h->given, db_column_text(st, 4, NULL));
		h->opened = text_day(db_column_text(st, 5, NULL));
		h->kyrgyz = db_column_int64(st, 6) != 0;
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc != DB_DONE)
		return rc == DB_ROW ? DB_ERROR : rc;
	rc = DB_OK;
	for (size_t f = 0; f < n && rc == DB_OK; f++) {
		const struct family_head *h = &heads[f];
		int day = h->opened + 3 > r->today - 120 ? h->opened + 3 : r->today - 120 - (int)f * 10;
		if (day > r->today - 2)
			day = r->today - 2;
		int64_t when = at(r, day, 300);
		char wife[300], son[300], daughter[300], mother[300], born[3][11];
		/* Асанов: Асанова for the women; Асан уулу (the Kyrgyz form): the father's name with уулу / кызы. */
		bool slavic = ends_with(h->surname, "ов") || ends_with(h->surname, "ев") || ends_with(h->surname, "ин");
		const char *wn = wives[h->kyrgyz][f % 4], *sn = sons[f % COUNT(sons)], *dn = daughters[f % COUNT(daughters)];
		if (ends_with(h->surname, " уулу")) {
			snprintf(wife, sizeof wife, "Жумабаева %s", wn);
			snprintf(mother, sizeof mother, "Токтогулова Гульсара");
			snprintf(son, sizeof son, "%s уулу %s", h->given, sn);
			snprintf(daughter, sizeof daughter, "%s кызы %s", h->given, dn);
		} else {
			snprintf(wife, sizeof wife, "%s%s %s", h->surname, slavic ? "а" : "", wn);
			snprintf(mother, sizeof mother, "%s%s Гульсара", h->surname, slavic ? "а" : "");
			snprintf(son, sizeof son, "%s %s", h->surname, sn);
			snprintf(daughter, sizeof daughter, "%s%s %s", h->surname, slavic ? "а" : "", dn);
		}
		day_text(text_day("1992-03-14") + (int)f * 400, born[0]);
		day_text(text_day("2014-06-02") + (int)f * 200, born[1]);
		day_text(text_day("2017-11-20") + (int)f * 150, born[2]);
		const char *from = countries[f % COUNT(countries)];
		/* Child protection for the first and the third family, recorded some weeks after the case. */
		int cp = day + 10 > r->today - 1 ? r->today - 1 : day + 10;
		rc = member(r, h, "spouse", wife, born[0], "+996 700 900 101",
		            "Вернулась вместе с мужем по программе репатриации.", true, from, f != 1, 0, when);
		if (rc == DB_OK)
			rc = member(r, h, "child", son, born[1], NULL, "Родился за границей, учится в школе по месту жительства.",
			            true, from, true, f == 0 ? cp : 0, when + MIN_MS);
		if (rc == DB_OK)
			rc = member(r, h, "child", daughter, born[2], NULL, NULL, true, from, true, f == 2 ? cp : 0,
			            when + 2 * MIN_MS);
		if (rc == DB_OK && f == 1)
			rc = member(r, h, "parent", mother, "1961-08-30", NULL,
			            "Живёт в том же доме, за границу не выезжала.", false, NULL, false, 0, when + 3 * MIN_MS);
	}
	return rc;
}

/* ---- the cases and the run ------------------------------------------------------------------ */

static enum db_status read_cases(struct run *r)
{
	size_t cap = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(r->conn, &st,
		"SELECT c.id, c.number, c.kind, c.officer_id, c.person_id, c.opened_on,"
		" CASE WHEN EXISTS (SELECT 1 FROM decision d JOIN decision_article x ON x.decision_id = d.id"
		"  WHERE d.case_id = c.id AND x.article IN ('CC-252', 'CC-255', 'CC-256', 'CC-327', 'CC-330'))"
		"  THEN 1 ELSE 0 END,"
		" (SELECT k.date FROM key_date k JOIN decision d ON d.id = k.decision_id"
		"  WHERE k.case_id = c.id AND k.kind = 'release' AND d.status = 'in_force' AND k.date IS NOT NULL"
		"  ORDER BY d.decided_on DESC, d.id LIMIT 1),"
		" (SELECT u.id FROM person p JOIN unit u ON u.id = p.unit_id JOIN agency a ON a.id = u.agency_id"
		"  WHERE p.id = c.person_id AND a.kind = 'probation' AND u.parent_id IS NOT NULL)"
		" FROM case_file c WHERE c.status = 'open' AND c.kind IN ('executive', 'penitentiary', 'post_penitentiary')"
		" AND NOT EXISTS (SELECT 1 FROM referral x WHERE x.case_id = c.id)"
		" ORDER BY c.number", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		r->cases = xgrow(r->cases, &cap, r->ncases, sizeof *r->cases);
		struct dcase *c = &r->cases[r->ncases++];
		memset(c, 0, sizeof *c);
		copy(c->id, sizeof c->id, db_column_text(st, 0, NULL));
		copy(c->number, sizeof c->number, db_column_text(st, 1, NULL));
		copy(c->kind, sizeof c->kind, db_column_text(st, 2, NULL));
		copy(c->officer, sizeof c->officer, db_column_text(st, 3, NULL));
		copy(c->person, sizeof c->person, db_column_text(st, 4, NULL));
		c->opened = text_day(db_column_text(st, 5, NULL));
		c->radical = db_column_int64(st, 6) != 0;
		c->release = text_day(db_column_text(st, 7, NULL));
		copy(c->home_unit, sizeof c->home_unit, db_column_text(st, 8, NULL));
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_OK : rc == DB_ROW ? DB_ERROR : rc;
}

static enum db_status load_ids(struct run *r, bool *ready_r)
{
	*ready_r = false;
	enum db_status rc = DB_OK;
	for (int i = 0; i < NPARTNERS && rc == DB_OK; i++) {
		rc = first_id(r->conn,
		              "SELECT a.id FROM agency a JOIN partner_profile p ON p.agency_id = a.id WHERE a.name = ?",
		              partners[i].agency, r->partner[i]);
		if (rc == DB_OK)
			rc = first_id(r->conn, "SELECT id FROM account WHERE login = ?", partners[i].login, r->account[i]);
	}
	if (rc == DB_OK)
		rc = first_id(r->conn, "SELECT id FROM agency WHERE name = ?", "Probation Service (demo)", r->probation);
	if (rc == DB_OK)
		rc = first_id(r->conn, "SELECT id FROM agency WHERE name = ?", "Penitentiary Service (demo)", r->prison);
	if (rc == DB_OK)
		rc = first_id(r->conn, "SELECT id FROM account WHERE login = ?", "caseworker.colony", r->caseworker);
	if (rc == DB_OK)
		rc = first_id(r->conn, "SELECT id FROM unit WHERE name = ?", "Bishkek city office", r->bishkek);
	if (rc != DB_OK)
		return rc;
	bool ready = r->probation[0] && r->prison[0] && r->caseworker[0] && r->bishkek[0];
	for (int i = 0; i < NPARTNERS; i++)
		ready = ready && r->partner[i][0] && r->account[i][0];
	*ready_r = ready;
	return DB_OK;
}

enum db_status demo_programmes(db *conn, struct demo_programme_counts *counts_r, char **error_r)
{
	memset(counts_r, 0, sizeof *counts_r);
	struct run r = {.conn = conn, .now = clock_now_ms(), .n = counts_r};
	r.today = (int)(r.now / DAY_MS);
	long existing = 0;
	bool ready = false;
	enum db_status rc = db_begin(conn);
	if (rc == DB_OK)
		rc = count_rows(conn, "SELECT COUNT(*) FROM partner_profile", &counts_r->partners);
	if (rc == DB_OK)
		rc = count_rows(conn, "SELECT COUNT(*) FROM account a JOIN account_role ar ON ar.account_id = a.id"
		                      " WHERE ar.role = 'partner'", &counts_r->partner_accounts);
	if (rc == DB_OK)
		rc = count_rows(conn, "SELECT COUNT(*) FROM programme", &existing);
	if (rc == DB_OK)
		rc = load_ids(&r, &ready);
	/* Once: a database with a catalogue already (an earlier run, or a real one) is left alone. */
	bool run = rc == DB_OK && ready && existing == 0;
	if (run)
		rc = read_cases(&r);
	if (run && rc == DB_OK)
		rc = catalogue(&r);
	if (run && rc == DB_OK)
		rc = referrals(&r);
	if (run && rc == DB_OK)
		rc = needs(&r);
	if (run && rc == DB_OK)
		rc = release_plans(&r);
	if (run && rc == DB_OK)
		rc = families(&r);
	free(r.cases);
	if (run && rc == DB_OK) {
		char detail[400];
		snprintf(detail, sizeof detail,
		         "demo programmes: %ld programmes, %ld referrals (%ld attendance records, %ld progress notes,"
		         " %ld reports), %ld reintegration needs, %ld release plans (%ld panel meetings, %ld actions),"
		         " %ld family members (%ld child-protection referrals)",
		         counts_r->programmes, counts_r->referrals, counts_r->attendance, counts_r->progress_notes,
		         counts_r->reports, counts_r->needs, counts_r->release_plans, counts_r->panel_meetings,
		         counts_r->release_actions, counts_r->family_members, counts_r->child_protection);
		struct audit_entry e = {.actor_login = "kadam demo (command line)", .action = AUDIT_COLLECT,
		                        .record_type = "referral", .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
		rc = audit_append(conn, &e);
	}
	if (rc == DB_OK)
		rc = db_commit(conn);
	if (rc != DB_OK) {
		*error_r = xasprintf("programme demo data: %s", db_errmsg(conn));
		db_rollback(conn);
	}
	return rc;
}
