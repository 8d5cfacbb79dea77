/*
 * assessments.c — the demo's risk and needs assessments (issue 8): the demo
 * officers and unit heads certified for the two instruments Kadam ships (and,
 * at the colony, one certification expired and one revoked); for most
 * supervised open cases one to three needs screenings a few months apart (the
 * older superseded by the newer, the newest countersigned by the unit head,
 * its actions in the supervision plan), and for the extremism cases also
 * disengagement reviews with a mostly improving trend; a few submitted and
 * waiting for countersignature, a few drafts; reassessment triggers (a note
 * marked as new information, an officer's "work" trigger), some resolved by
 * the assessment that followed, some open with their alert and task; and for
 * some cases a level set after the latest judgement's suggestion, one or two
 * set against it with a reason.
 *
 * Everything is invented and written as the assessor would: the demo's
 * assessor weighs the ratings and picks a judgement (the program never does,
 * S14). Deterministic per case (seeded from the case number); dates are
 * counted back from today and nothing is dated after now. Rows go in with SQL,
 * in their final state, with their timeline events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/uuid.h"
#include "demo/demo.h"
#include "domain/assessment.h"
#include "domain/casefile.h"
#include "domain/instrument.h"
#include "domain/keydates.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_MS 86400000LL
#define HOUR_MS 3600000LL
#define MAX_ITEMS 64
#define MAX_SERIES 3
#define NEEDS 0
#define REVIEW 1

static const char *const codes[2] = {"kadam.needs-screening", "kadam.disengagement-review"};

/* ---- the assessor's words ------------------------------------------------------------------- */

/* Evidence per item and value (0 = least concern; for protective items 0 = none, 2 = strong). */
static const struct {
	const char *item, *source, *detail;
	const char *evidence[3];
} wording[] = {
	{"NS01", "court", "Приговор и справка о судимости",
	 {"Прежних судимостей нет; текущее осуждение первое.",
	  "Одна прежняя судимость за кражу, наказание отбыто.",
	  "Три прежние судимости за кражи и грабёж; правонарушения повторяются с небольшими перерывами."}},
	{"NS02", "document", "Справка КДН, приговор",
	 {"Первое правонарушение в 27 лет.", "Первое правонарушение в 19 лет, единичный случай в юности.",
	  "Состоял на учёте в КДН с 15 лет; правонарушения продолжились во взрослом возрасте."}},
	{"NS03", "person", "Беседы на приёме",
	 {"Говорит, что кража была ошибкой и что так жить не хочет.",
	  "Иногда говорит, что «все так делают», но в других беседах это отвергает.",
	  "Открыто считает, что в его положении брать чужое допустимо."}},
	{"NS04", "person", "Беседы на приёме",
	 {"Признаёт вину и вред потерпевшему, возместил часть ущерба.",
	  "Вину признаёт, но считает, что потерпевший «сам спровоцировал».",
	  "Отрицает вред, винит потерпевшего и суд."}},
	{"NS05", "police", "Сведения участкового инспектора",
	 {"Общается с коллегами и соседями; сведений о контактах с судимыми нет.",
	  "Изредка встречается с бывшим соучастником, говорит, что сокращает общение.",
	  "Основной круг общения — знакомые, привлекавшиеся за кражи; проводит с ними вечера."}},
	{"NS06", "family", "Беседа с матерью с согласия человека",
	 {"Есть несколько друзей и родственников, с которыми регулярно видится.",
	  "Законопослушных знакомых мало, общается в основном с братом.",
	  "После освобождения почти ни с кем, кроме прежней компании, не общается."}},
	{"NS07", "observation", "Поведение под надзором",
	 {"Планирует дела, приходит вовремя, выполняет договорённости.",
	  "В стрессе действует необдуманно: дважды внезапно уезжал, не предупредив.",
	  "Часто действует не думая: пропуски, долги, внезапные траты и ссоры."}},
	{"NS08", "family", "Беседа с супругой отдельно, с её согласия",
	 {"Конфликты решает разговором; сведений об агрессии нет.",
	  "Бывает вспыльчив, однажды повысил голос на приёме, затем извинился.",
	  "Угрожал соседу и бывшей жене; агрессия — привычный способ добиться своего."}},
	{"NS09", "family", "Беседа с родителями",
	 {"Родители поддерживают, живёт с ними в мире.",
	  "Отношения с отцом напряжённые, но хочет их наладить.",
	  "Семья отвернулась; брат тоже судим и зовёт «в дело»."}},
	{"NS10", "partner", "Беседа с супругой",
	 {"Отношения с супругой устойчивые, она поддерживает.",
	  "Частые ссоры из-за денег; живут то вместе, то раздельно.",
	  "Есть сведения о насилии в отношении супруги; применён порядок безопасности пострадавшей."}},
	{"NS11", "employer", "Звонок работодателю с согласия человека",
	 {"Работает на стройке постоянно уже полгода.",
	  "Работает сезонно на рынке, заработок нерегулярный.",
	  "Не работает и не ищет работу; живёт на случайные заработки."}},
	{"NS12", "document", "Аттестат, справка из колонии",
	 {"Есть профессия сварщика и опыт работы.",
	  "Образование 9 классов, профессии нет; ограничивает выбор работы.",
	  "Плохо читает, дважды уволен за прогулы; без обучения устроиться трудно."}},
	{"NS13", "person", "Беседа на приёме",
	 {"Играет в футбол по выходным, помогает в мечети по хозяйству.",
	  "Изредка ходит в спортзал, в остальное время дома.",
	  "Организованных занятий нет совсем."}},
	{"NS14", "police", "Сведения участкового инспектора, обстоятельства дела",
	 {"Вечера проводит дома с семьёй.", "Иногда по вечерам бывает в компании, где выпивают.",
	  "Большую часть вечеров проводит в бильярдной с прежней компанией, где и было совершено правонарушение."}},
	{"NS15", "person", "Беседа; сведения участкового",
	 {"Не пьёт.", "Выпивает по праздникам, дважды приходил на приём с запахом алкоголя.",
	  "Пьёт почти ежедневно, из-за этого потерял работу; правонарушение совершено в состоянии опьянения."}},
	{"NS16", "document", "Справка нарколога с согласия человека",
	 {"Сведений об употреблении наркотиков нет, тесты отрицательные.",
	  "Курил каннабис в юности; сейчас отрицает, риск возврата есть.",
	  "Регулярно употребляет; тест, назначенный судом, положительный."}},
	{"NS22", "court", "Приговор",
	 {"Правонарушение с употреблением не связано.", "Одно из прежних правонарушений совершено в состоянии опьянения.",
	  "Все правонарушения совершены в опьянении или ради денег на алкоголь."}},
	{"NS17", "family", "Беседа с родителями и аксакалом махалли",
	 {"Поддержки нет: родные живут в другой стране, связь потеряна.",
	  "Мать помогает, но сама больна и мало что может.",
	  "Семья и старейшина махалли активно поддерживают, помогли с работой."}},
	{"NS18", "observation", "Проверка по месту жительства",
	 {"Постоянного жилья нет, ночует у знакомых.", "Живёт у родственника временно, до весны.",
	  "Живёт в собственном доме с семьёй, есть постоянный доход."}},
	{"NS23", "person", "Беседа на приёме",
	 {"О будущем не говорит, целей не называет.", "Говорит, что хочет выучиться на водителя, но пока ничего не сделал.",
	  "Записался на курсы водителей и откладывает деньги на обучение; заботится о двух детях."}},
	{"NS19", "person", "Беседы на приёме",
	 {"Признаёт проблему с алкоголем и сам попросил направление к наркологу.",
	  "Колеблется: то признаёт проблемы, то говорит, что всё в порядке.",
	  "Проблем не видит, от изменений отказывается."}},
	{"NS20", "observation", "Журнал явок",
	 {"Все явки вовремя, направления использует.",
	  "Две неявки без предупреждения; на программу записался, но ходит нерегулярно.",
	  "Избегает встреч, от направлений отказывается без практических причин."}},
	{"DR01", "person", "Беседы на приёме; заключение теолога",
	 {"Отвергает насилие на словах и в поступках; религиозная практика (намаз, пост) к оценке отношения не имеет.",
	  "В целом осуждает насилие, но в одной беседе оправдывал «защиту единоверцев» силой.",
	  "Открыто говорит, что насилие ради цели оправдано."}},
	{"DR02", "person", "Беседы на приёме",
	 {"О людях других взглядов говорит уважительно, спорит по существу.",
	  "Изредка называет людей других взглядов «врагами», затем поправляется.",
	  "Постоянно говорит о других группах как о врагах и законных целях."}},
	{"DR11", "person", "Беседы на приёме",
	 {"Обида на несправедливость в деле есть, но обжалует законным путём и насилие с ней не связывает.",
	  "Иногда связывает пережитое унижение с «правом ответить».",
	  "Обида на государство — главный довод в пользу насилия."}},
	{"DR03", "police", "Сведения, переданные службе милицией",
	 {"Контактов с людьми, пропагандирующими насилие, не выявлено.",
	  "Один раз встречался с бывшим знакомым по группе; говорит, что прекращает общение.",
	  "Регулярно общается с участниками прежней группы в мессенджере."}},
	{"DR04", "police", "Проверка по решению суда",
	 {"Материалов, пропагандирующих насилие, не выявлено; религиозная литература законна и не учитывается.",
	  "В прошлом хранил запрещённые видеозаписи; сейчас не выявлено.",
	  "Пересылает материалы, признанные судом экстремистскими."}},
	{"DR12", "person", "Беседы на приёме",
	 {"Чувство принадлежности даёт семья, работа и футбольная команда.",
	  "Говорит, что «только там его понимали»; новые связи пока слабые.",
	  "Идея — единственный источник смысла и уважения к себе."}},
	{"DR13", "observation", "Наблюдения на приёме, сведения милиции",
	 {"Высказываний о намерении причинить вред нет.",
	  "Двусмысленная фраза о «расплате» требует прояснения; обсуждено на приёме.",
	  "Говорил о намерении выехать в зону конфликта; сообщено в порядке ведомства."}},
	{"DR05", "court", "Приговор",
	 {"Осуждён за хранение материалов; в насилии и его поддержке не участвовал.",
	  "Переводил деньги знакомому, выехавшему в зону конфликта; в насилии не участвовал.",
	  "Находился в зоне вооружённого конфликта в составе группы."}},
	{"DR06", "court", "Приговор, сведения милиции",
	 {"Доступа к оружию и навыков нет; срочная служба в армии — обычная.",
	  "Прошёл подготовку в зоне конфликта, но доступа к оружию сейчас нет.",
	  "Есть навыки и связи, через которые возможен доступ к оружию."}},
	{"DR14", "document", "Справка о судимости",
	 {"Иных правонарушений нет.", "Одна прежняя судимость за мелкое хулиганство.",
	  "Неоднократные осуждения за насильственные правонарушения."}},
	{"DR15", "prison", "Характеристика из колонии",
	 {"В колонии и под надзором поведение, связанное с идеей, не отмечено.",
	  "В колонии был случай давления на других осуждённых; после освобождения не повторялось.",
	  "Продолжает навязывать свои правила другим и вербовать знакомых."}},
	{"DR07", "person", "Беседы на приёме",
	 {"Говорит о себе как об отце, работнике и верующем человеке вне какой-либо группы.",
	  "Связь с группой ослабевает, но уход ещё называет «предательством братьев».",
	  "Группа остаётся центром представления о себе."}},
	{"DR08", "person", "Беседы на приёме",
	 {"Хочет отойти и действует: сменил номер, прекратил контакты, ходит к наставнику.",
	  "Колеблется: боится потерять друзей, но на программу ходит.",
	  "Отказывается отходить и не видит в этом нужды."}},
	{"DR16", "family", "Беседа с братом",
	 {"Давления со стороны группы не известно.",
	  "Есть долг перед прежними знакомыми; справляется с помощью семьи.",
	  "Боится расправы над родными и считает, что уйти не может; обсуждены меры защиты."}},
	{"DR09", "family", "Беседа с родителями; имам местной мечети",
	 {"Поддерживающих отношений вне прежнего круга нет.",
	  "Мать и имам местной мечети, осуждающий насилие, поддерживают, но видится с ними редко.",
	  "Близкие отношения с семьёй и имамом, который отвергает насилие; видятся каждую неделю."}},
	{"DR10", "partner", "Отчёт партнёрской НПО",
	 {"В программе отхода от насилия не участвует.",
	  "На встречи с наставником ходит нерегулярно.",
	  "Регулярно участвует в программе и в диалоге с теологом, использует их."}},
	{"DR17", "employer", "Звонок работодателю с согласия человека",
	 {"Работы, учёбы и планов нет.", "Устроился подсобным рабочим месяц назад.",
	  "Постоянно работает, содержит семью, учится заочно."}},
	{"DR18", "observation", "Наблюдения за несколько месяцев; сведения НПО",
	 {"Подтверждений отказа от насилия в поведении нет.",
	  "Недавно стал говорить против насилия; подтверждений пока мало.",
	  "Несколько месяцев последовательно держится в стороне от прежнего круга, сообщил о попытке вербовки."}},
};

static const char *const sources_consulted[2][4] = {
	{"Приговор суда; справка о судимости; две беседы с человеком; беседа с матерью с согласия человека; сведения"
	 " участкового инспектора.",
	 "Приговор суда; личное дело из колонии; три беседы с человеком; проверка по месту жительства; звонок"
	 " работодателю с согласия человека.",
	 "Приговор; справка о судимости; беседа с человеком и с супругой (отдельно); справка нарколога с согласия"
	 " человека.",
	 "Материалы дела; журнал явок; две беседы; сведения из центра занятости."},
	{"Приговор суда; характеристика из колонии; заключение теолога; три беседы с человеком; сведения, переданные"
	 " милицией.",
	 "Приговор; отчёт партнёрской НПО о программе; беседы с человеком и его отцом; проверка по месту жительства.",
	 "Материалы дела; отчёт наставника; беседа с имамом местной мечети с согласия человека; журнал явок.",
	 "Приговор; характеристика из колонии; беседы с человеком и братом; сведения милиции."},
};

static const char *const limitations[] = {
	"Работодатель не опрошен: человек не дал согласия.",
	"Медицинские сведения не запрашивались.",
	"Беседа велась через переводчика; возможны неточности в формулировках.",
	"Сведения из колонии получены не полностью.",
	"Семья не опрошена: живёт в другой области.",
	"Сведения о контактах в интернете известны только со слов человека и по данным милиции.",
};

static const struct {
	const char *kind, *text;
} scenarios[2][4] = {
	{{"repeat", "Повторная кража при потере работы и возврате к выпивке в прежней компании."},
	 {"escalation", "Ссора в семье на фоне алкоголя может перейти в насилие против супруги."},
	 {"twist", "Долги перед знакомыми могут толкнуть к перевозке чужих вещей «за деньги»."},
	 {"improvement", "При сохранении работы и поддержки семьи потребности снижаются; возможно снижение уровня"
	                 " надзора."}},
	{{"repeat", "Возобновление контактов с прежней группой в интернете и пересылка материалов, пропагандирующих"
	            " насилие."},
	 {"escalation", "Под давлением прежних знакомых — помощь в сборе денег или в вербовке других."},
	 {"twist", "Кризис (потеря работы, смерть близкого) может вернуть интерес к группе как к источнику поддержки."},
	 {"improvement", "Продолжение работы с наставником и семьёй закрепляет отход от насилия."}},
};

static const struct {
	const char *kind, *text;
} actions[2][4] = {
	{{"supervision", "Обсуждать на каждой встрече ситуации риска, связанные с алкоголем и прежней компанией."},
	 {"intervention", "Направить на программу по управлению гневом в партнёрской организации."},
	 {"monitoring", "Раз в месяц проверять занятость по согласию человека."},
	 {"victim_safety", "Согласовать с участковым инспектором меры безопасности для супруги."}},
	{{"supervision", "Встреча с наставником-теологом раз в две недели, обсуждение на приёме."},
	 {"monitoring", "Проверять соблюдение ограничений на пользование интернетом, установленных судом."},
	 {"intervention", "Направить на программу психосоциальной поддержки в партнёрской НПО."},
	 {"supervision", "Помочь с трудоустройством через центр занятости."}},
};

static const char *const countersign_notes[] = {
	"Согласен с оценкой.", "Согласен; обратить внимание на занятость.",
	"Согласен. Обсудить сценарии на ближайшем разборе случаев.", NULL};

/* ---- the run -------------------------------------------------------------------------------- */

struct tool {
	char id[UUID_STR_LEN], version[32], name_en[300];
	json_t *def;
	int interval;
};

struct run {
	db *conn;
	int64_t now;
	int today, cert_day;
	struct tool tool[2];
	struct demo_assessment_counts *n;
	long eligible; /* cases with a suggestion, for the departures */
};

struct dcase {
	char id[UUID_STR_LEN], number[40], officer[UUID_STR_LEN], head[UUID_STR_LEN], plan[UUID_STR_LEN];
	char level[24];
	int level_day, level_days;
	int64_t level_at;
	bool radical;
};

/* The case's latest countersigned assessment, for the level. */
struct latest {
	int day;
	int64_t at;
	char id[UUID_STR_LEN], code[INSTRUMENT_CODE_LEN], judgement[48];
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

static bool chance(uint64_t *s, unsigned per_mille)
{
	return pick(s, 1000) < (int)per_mille;
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

/* An instant on a day, never later than ten minutes before now. */
static int64_t at(const struct run *r, int day, int64_t ms)
{
	int64_t t = (int64_t)day * DAY_MS + ms;
	return t > r->now - 600000 ? r->now - 600000 : t;
}

static int mini(int a, int b)
{
	return a < b ? a : b;
}

static int maxi(int a, int b)
{
	return a > b ? a : b;
}

static const json_t *scale_values(const json_t *def, const char *scale)
{
	size_t i;
	const json_t *x;
	json_array_foreach(json_object_get(def, "scales"), i, x) {
		if (strcmp(json_string_value(json_object_get(x, "id")), scale) == 0)
			return json_object_get(x, "values");
	}
	return NULL;
}

static const char *value_id(const json_t *def, const char *scale, int position)
{
	const json_t *values = scale_values(def, scale);
	size_t n = json_array_size(values);
	if (!n)
		return "";
	size_t k = position < 0 ? 0 : (size_t)position >= n ? n - 1 : (size_t)position;
	return json_string_value(json_object_get(json_array_get(values, k), "id"));
}

static const char *ru(const json_t *text)
{
	const char *s = json_string_value(json_object_get(text, "ru"));
	return s ? s : "";
}

static int wording_of(const char *item)
{
	for (size_t i = 0; i < COUNT(wording); i++)
		if (strcmp(wording[i].item, item) == 0)
			return (int)i;
	return -1;
}

static enum db_status event(db *conn, const char *case_id, int64_t when, const char *kind, const char *actor,
                            const char *summary, json_t *detail, const char *record_type, const char *record_id)
{
	char *text = json_dumps(detail, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(detail);
	enum db_status rc = text ? case_event_add(conn, case_id, when, kind, actor, summary, text, record_type, record_id)
	                         : DB_ERROR;
	free(text);
	return rc;
}

static enum db_status account_id(db *conn, const char *login, char id_r[UUID_STR_LEN])
{
	id_r[0] = '\0';
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st, "SELECT id FROM account WHERE login = ?", "t", login);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		copy(id_r, UUID_STR_LEN, db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* ---- certifications ------------------------------------------------------------------------- */

static enum db_status certify(struct run *r, const char *login, int code, int certified, int valid_days,
                              const char *recorder, const char *revoke_reason, int revoked_day)
{
	char account[UUID_STR_LEN], id[UUID_STR_LEN], on[11], until[11], reference[40];
	enum db_status rc = account_id(r->conn, login, account);
	if (rc != DB_OK || !account[0])
		return rc;
	db_stmt *st = NULL;
	rc = db_query(r->conn, &st, "SELECT 1 FROM assessor_certification WHERE account_id = ? AND instrument_code = ?",
	              "tt", account, codes[code]);
	bool exists = rc == DB_OK && (rc = db_step(st)) == DB_ROW;
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	if (exists)
		return DB_OK;
	uuid_v7(id);
	day_text(certified, on);
	day_text(certified + valid_days, until);
	snprintf(reference, sizeof reference, "%s-%d-%03d", code == NEEDS ? "СП" : "ОН", 2000 + certified / 365 - 30,
	         (int)(r->n->certifications * 7 % 1000) + 1);
	int64_t recorded = at(r, certified, 11 * HOUR_MS);
	rc = db_run(r->conn, NULL,
		"INSERT INTO assessor_certification (id, account_id, instrument_code, certified_on, expires_on, issuer,"
		" reference, recorded_by, recorded_at, revoked_at, revoked_by, revoke_reason)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "ttttttttiitt", id, account, codes[code], on, until,
		code == NEEDS ? "Учебный центр пробации (демо): курс «Оценка потребностей»"
		              : "Учебный центр пробации (демо) и партнёрская НПО: курс «Отход от насильственного экстремизма»",
		reference, recorder, recorded, revoke_reason ? at(r, revoked_day, 10 * HOUR_MS) : 0,
		revoke_reason ? recorder : NULL, revoke_reason);
	if (rc == DB_OK && !revoke_reason)
		rc = db_run(r->conn, NULL, "UPDATE assessor_certification SET revoked_at = NULL WHERE id = ?", "t", id);
	r->n->certifications++;
	return rc;
}

static enum db_status certifications(struct run *r)
{
	static const char *const staff[] = {"officer.bishkek", "officer.osh", "officer.chui", "head.bishkek",
	                                    "head.service"};
	char admin[UUID_STR_LEN];
	enum db_status rc = account_id(r->conn, "admin", admin);
	if (rc != DB_OK || !admin[0])
		return rc;
	for (size_t i = 0; i < COUNT(staff) && rc == DB_OK; i++)
		for (int code = 0; code < 2 && rc == DB_OK; code++) {
			int valid = code == NEEDS ? 1095 : 730;
			rc = certify(r, staff[i], code, r->cert_day - (int)(i * 9 + (size_t)code * 4), valid, admin, NULL, 0);
		}
	/* At the colony: the screening certificate ran out; the review one was recorded in error and revoked. */
	if (rc == DB_OK)
		rc = certify(r, "caseworker.colony", NEEDS, r->today - 1200, 1095, admin, NULL, 0);
	if (rc == DB_OK)
		rc = certify(r, "caseworker.colony", REVIEW, r->today - 300, 730, admin,
		             "Recorded in error: the course was not completed; to be recorded again after the training.",
		             r->today - 290);
	return rc;
}

/* ---- one assessment ------------------------------------------------------------------------- */

struct one {
	char id[UUID_STR_LEN], superseded_by[UUID_STR_LEN], trigger[UUID_STR_LEN];
	const char *status, *reason;
	int day, next_day;                     /* next_day: the next one's assessed_on (superseded ones) */
	int64_t created, submitted, countersigned, superseded;
	int judgement;                         /* position; -1 none (a draft) */
	int previous_judgement;                /* -1 none */
	bool partial;                          /* a draft half done */
};

static const char *trend_ru(int before, int now)
{
	return before < 0 ? "" : now < before ? " По сравнению с прошлой оценкой — улучшение."
	                       : now > before ? " По сравнению с прошлой оценкой — ухудшение."
	                                      : " По сравнению с прошлой оценкой существенных изменений нет.";
}

/* The domain ratings (positions) of one assessment, and the judgement the demo's assessor picks from them. */
static int weigh(const json_t *def, int tool, const int *values, int *domain_pos, uint64_t *s)
{
	size_t d, i, k = 0;
	const json_t *dom, *it;
	int high = 0, moderate = 0, protective = 1;
	json_array_foreach(json_object_get(def, "domains"), d, dom) {
		int max = 0, at_max = 0, n = 0;
		size_t first = k;
		json_array_foreach(json_object_get(dom, "items"), i, it) {
			(void)it;
			max = maxi(max, values[k++]);
			n++;
		}
		for (size_t j = first; j < k; j++)
			at_max += values[j] == max;
		int pos = at_max * 2 >= n ? max : max - 1;
		domain_pos[d] = maxi(pos, 0);
		if (strcmp(json_string_value(json_object_get(dom, "kind")), "protective") == 0)
			protective = domain_pos[d];
		else if (domain_pos[d] == 2)
			high++;
		else if (domain_pos[d] == 1)
			moderate++;
	}
	int score = 2 * high + moderate - protective;
	int j = tool == NEEDS ? (score <= 4 ? 0 : score <= 9 ? 1 : score <= 13 ? 2 : 3) : (score <= 2 ? 0 : score <= 5 ? 1 : 2);
	int top = tool == NEEDS ? 3 : 2;
	if (chance(s, 100))
		j = j == top ? j - 1 : j + (j > 0 && chance(s, 500) ? -1 : 1);
	return j;
}

static char *rationale(const json_t *def, int tool, const int *domain_pos, int judgement, int previous)
{
	struct buf b = {0}, high = {0}, moderate = {0};
	size_t d;
	const json_t *dom;
	const char *protective = "";
	json_array_foreach(json_object_get(def, "domains"), d, dom) {
		const char *kind = json_string_value(json_object_get(dom, "kind"));
		if (strcmp(kind, "protective") == 0) {
			protective = ru(json_object_get(json_array_get(scale_values(def, json_string_value(json_object_get(dom,
			                "rating_scale"))), (size_t)domain_pos[d]), "label"));
			continue;
		}
		struct buf *to = domain_pos[d] == 2 ? &high : domain_pos[d] == 1 ? &moderate : NULL;
		if (to)
			buf_printf(to, "%s%s", to->len ? "; " : "", ru(json_object_get(dom, "name")));
	}
	const char *label = ru(json_object_get(json_array_get(json_object_get(def, "judgements"), (size_t)judgement),
	                                       "label"));
	if (tool == NEEDS)
		buf_printf(&b, "Значительные потребности: %s. Умеренные: %s. Защитные факторы: %s.",
		           high.len ? high.data : "нет", moderate.len ? moderate.data : "нет", protective);
	else
		buf_printf(&b, "Высокая обеспокоенность: %s. Умеренная: %s. Защитные факторы: %s."
		           " Религиозная практика человека как фактор риска не рассматривалась.",
		           high.len ? high.data : "нет", moderate.len ? moderate.data : "нет", protective);
	buf_printf(&b, " Итог «%s» выбран с учётом соблюдения условий и сведений из разных источников; он не"
	           " подсчитан из оценок пунктов.%s", label, trend_ru(previous, judgement));
	buf_free(&high);
	buf_free(&moderate);
	return buf_steal(&b);
}

/* Inserts one assessment in its final state with its ratings, domains, actions, plan objective and events. */
static enum db_status write_one(struct run *r, const struct dcase *c, int tool, struct one *a, const int *values,
                                uint64_t *s, json_t *superseded_ids)
{
	db *conn = r->conn;
	const struct tool *t = &r->tool[tool];
	const json_t *def = t->def;
	bool draft = strcmp(a->status, "draft") == 0;
	bool signed_once = strcmp(a->status, "countersigned") == 0 || strcmp(a->status, "superseded") == 0;
	char on[11];
	day_text(a->day, on);
	int domain_pos[24] = {0};
	int weighed = weigh(def, tool, values, domain_pos, s); /* a draft has domain ratings but no judgement yet */
	int judgement = draft ? -1 : weighed;
	a->judgement = judgement;
	char *why = judgement >= 0 ? rationale(def, tool, domain_pos, judgement, a->previous_judgement) : NULL;
	const char *judgement_id = judgement >= 0 ? json_string_value(json_object_get(json_array_get(json_object_get(def,
	                           "judgements"), (size_t)judgement), "id")) : NULL;

	/* Scenarios and actions. */
	json_t *sc = json_array();
	int nsc = draft ? 0 : 1 + pick(s, 2);
	int first = pick(s, 4);
	for (int i = 0; i < nsc; i++) {
		int k = (first + i) % 4;
		json_array_append_new(sc, json_pack("{s:s, s:s}", "kind", scenarios[tool][k].kind, "description",
		                                    scenarios[tool][k].text));
	}
	char *sc_text = json_dumps(sc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	int nact = draft ? 0 : 1 + pick(s, 3);
	int act0 = pick(s, 4);
	char plan_action[4][UUID_STR_LEN], action_due[4][11];
	for (int i = 0; i < nact; i++) {
		plan_action[i][0] = '\0';
		day_text(a->day + 30 + 30 * i + pick(s, 20), action_due[i]);
	}

	/* The plan objective, made when it was countersigned. */
	enum db_status rc = DB_OK;
	char objective[UUID_STR_LEN] = "";
	if (signed_once && c->plan[0] && (nsc || nact)) {
		struct buf text = {0};
		buf_printf(&text, "Risk-management actions from the assessment of %s (%s)", on, t->name_en);
		for (int i = 0; i < nsc; i++) {
			int k = (first + i) % 4;
			buf_printf(&text, "\n%s: %s", assessment_scenario_label(scenarios[tool][k].kind),
			           scenarios[tool][k].text);
		}
		int64_t position = 0;
		db_stmt *st = NULL;
		rc = db_query(conn, &st, "SELECT COALESCE(MAX(position), 0) FROM plan_objective WHERE plan_id = ?", "t",
		              c->plan);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			position = db_column_int64(st, 0) + 1;
			rc = DB_OK;
		}
		db_finalize(&st);
		bool old = strcmp(a->status, "superseded") == 0;
		uuid_v7(objective);
		if (rc == DB_OK)
			rc = db_run(conn, NULL,
				"INSERT INTO plan_objective (id, plan_id, need, description, status, position, created_at, updated_at,"
				" version) VALUES (?, ?, 'risk_management', ?, ?, ?, ?, ?, ?)", "ttttiiii", objective, c->plan,
				text.data, old ? (pick(s, 2) ? "achieved" : "partly_achieved") : "open", position, a->countersigned,
				old ? a->superseded : a->countersigned, (int64_t)(old ? 2 : 1));
		buf_free(&text);
		if (rc == DB_OK)
			rc = event(conn, c->id, a->countersigned, "plan.objective_added", c->head,
			           "Plan objective added (need: risk_management) from a countersigned assessment",
			           json_pack("{s:s, s:I, s:s, s:I}", "need", "risk_management", "position", (json_int_t)position,
			                     "assessment_id", a->id, "actions", (json_int_t)nact),
			           "plan_objective", objective);
		for (int i = 0; i < nact && rc == DB_OK; i++) {
			uuid_v7(plan_action[i]);
			char done_on[11];
			day_text(mini(text_day(action_due[i]), a->next_day - 1), done_on);
			rc = db_run(conn, NULL,
				"INSERT INTO plan_action (id, objective_id, description, owner_kind, owner_account_id, due_on, status,"
				" done_on, created_at, updated_at) VALUES (?, ?, ?, 'officer', ?, ?, ?, ?, ?, ?)", "tttttttii",
				plan_action[i], objective, actions[tool][(act0 + i) % 4].text, c->officer, action_due[i],
				old ? "done" : "open", old ? done_on : NULL, a->countersigned, old ? a->superseded : a->countersigned);
		}
	}

	/* The assessment. */
	int lim = pick(s, (int)COUNT(limitations));
	char limits[400];
	snprintf(limits, sizeof limits, "%s %s", limitations[lim], limitations[(lim + 1 + pick(s, 3)) % COUNT(limitations)]);
	int ncs = pick(s, 4);
	const char *note = signed_once ? countersign_notes[pick(s, (int)COUNT(countersign_notes))] : NULL;
	int64_t updated = strcmp(a->status, "superseded") == 0 ? a->superseded
	                : signed_once ? a->countersigned : a->submitted ? a->submitted : a->created;
	int64_t version = draft ? 1 + (a->partial ? 1 : 0) : strcmp(a->status, "submitted") == 0 ? 3
	                : strcmp(a->status, "countersigned") == 0 ? 4 : 5;
	if (rc == DB_OK)
		rc = db_run(conn, NULL,
			"INSERT INTO assessment (id, case_id, instrument_id, reason, trigger_id, status, assessor_id, assessed_on,"
			" sources, limitations, judgement, rationale, scenarios, submitted_at, countersigned_at, countersigned_by,"
			" countersign_note, superseded_at, superseded_by, plan_objective_id, created_at, updated_at, version)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"tttttttttttttiittittiii", a->id, c->id, t->id, a->reason, a->trigger[0] ? a->trigger : NULL, a->status,
			c->officer, draft && a->partial ? NULL : on,
			draft && a->partial ? "" : sources_consulted[tool][ncs], draft ? "" : limits, judgement_id, why,
			sc_text ? sc_text : "[]", a->submitted, signed_once ? a->countersigned : 0,
			signed_once ? c->head : NULL, note, a->superseded,
			a->superseded_by[0] ? a->superseded_by : NULL, objective[0] ? objective : NULL, a->created, updated,
			version);
	/* db_run's 'i' cannot say NULL: clear the instants that are not set. */
	if (rc == DB_OK && !a->submitted)
		rc = db_run(conn, NULL, "UPDATE assessment SET submitted_at = NULL WHERE id = ?", "t", a->id);
	if (rc == DB_OK && !signed_once)
		rc = db_run(conn, NULL, "UPDATE assessment SET countersigned_at = NULL WHERE id = ?", "t", a->id);
	if (rc == DB_OK && !a->superseded)
		rc = db_run(conn, NULL, "UPDATE assessment SET superseded_at = NULL WHERE id = ?", "t", a->id);
	free(sc_text);
	json_decref(sc);
	free(why);

	/* Item and domain ratings. */
	size_t d, i, k = 0;
	const json_t *dom, *it;
	json_array_foreach(json_object_get(def, "domains"), d, dom) {
		json_array_foreach(json_object_get(dom, "items"), i, it) {
			size_t at_k = k++;
			if (rc != DB_OK || (draft && a->partial && at_k % 2 == 1))
				continue;
			const char *item = json_string_value(json_object_get(it, "id"));
			int w = wording_of(item);
			int v = values[at_k];
			rc = db_run(conn, NULL,
				"INSERT INTO assessment_rating (assessment_id, item, value, evidence, source, source_detail)"
				" VALUES (?, ?, ?, ?, ?, ?)", "tttttt", a->id, item,
				value_id(def, json_string_value(json_object_get(it, "scale")), v),
				w >= 0 ? wording[w].evidence[v < 0 ? 0 : v > 2 ? 2 : v] : "Оценено по беседам и материалам дела.",
				draft && a->partial ? NULL : w >= 0 ? wording[w].source : "other",
				draft && a->partial ? NULL : w >= 0 ? wording[w].detail : "Материалы дела");
		}
		if (rc == DB_OK && !(draft && a->partial))
			rc = db_run(conn, NULL,
				"INSERT INTO assessment_domain (assessment_id, domain, value, comment) VALUES (?, ?, ?, ?)", "tttt",
				a->id, json_string_value(json_object_get(dom, "id")),
				value_id(def, json_string_value(json_object_get(dom, "rating_scale")), domain_pos[d]),
				domain_pos[d] == 2 && strcmp(json_string_value(json_object_get(dom, "kind")), "protective") != 0
					? "Главная область работы на ближайший период." : NULL);
	}
	for (int j = 0; j < nact && rc == DB_OK; j++) {
		char id[UUID_STR_LEN];
		uuid_v7(id);
		rc = db_run(conn, NULL,
			"INSERT INTO assessment_action (id, assessment_id, kind, description, due_on, position, plan_action_id)"
			" VALUES (?, ?, ?, ?, ?, ?, ?)", "tttttit", id, a->id, actions[tool][(act0 + j) % 4].kind,
			actions[tool][(act0 + j) % 4].text, action_due[j], (int64_t)j, plan_action[j][0] ? plan_action[j] : NULL);
	}

	/* The timeline. */
	char summary[160];
	snprintf(summary, sizeof summary, "Assessment started (%s %s, reason: %s)", codes[tool], t->version, a->reason);
	if (rc == DB_OK)
		rc = event(conn, c->id, a->created, "assessment.started", c->officer, summary,
		           json_pack("{s:s, s:s, s:s, s:s, s:o}", "assessment_id", a->id, "instrument_code", codes[tool],
		                     "instrument_version", t->version, "reason", a->reason, "trigger_id",
		                     a->trigger[0] ? json_string(a->trigger) : json_null()),
		           "assessment", a->id);
	if (rc == DB_OK && a->submitted)
		rc = event(conn, c->id, a->submitted, "assessment.submitted", c->officer,
		           "Assessment submitted for countersignature",
		           json_pack("{s:s, s:s, s:s}", "assessment_id", a->id, "instrument_code", codes[tool],
		                     "instrument_version", t->version),
		           "assessment", a->id);
	if (rc == DB_OK && signed_once)
		rc = event(conn, c->id, a->countersigned, "assessment.countersigned", c->head, "Assessment countersigned",
		           json_pack("{s:s, s:s, s:s, s:O, s:o, s:I}", "assessment_id", a->id, "instrument_code", codes[tool],
		                     "instrument_version", t->version, "superseded", superseded_ids, "plan_objective_id",
		                     objective[0] ? json_string(objective) : json_null(), "plan_actions",
		                     (json_int_t)(objective[0] ? nact : 0)),
		           "assessment", a->id);
	r->n->assessments++;
	if (draft)
		r->n->drafts++;
	else if (strcmp(a->status, "submitted") == 0)
		r->n->submitted++;
	else if (strcmp(a->status, "countersigned") == 0)
		r->n->countersigned++;
	else
		r->n->superseded++;
	return rc;
}

/* ---- triggers ------------------------------------------------------------------------------- */

/* A note the officer marked as new information (its timeline event too). */
static enum db_status info_note(struct run *r, const struct dcase *c, int64_t when, uint64_t *s, char id_r[UUID_STR_LEN])
{
	static const struct {
		const char *source, *body;
	} notes[] = {
		{"family", "Мать сообщила по телефону, что сын уволился с работы и снова проводит вечера с прежней компанией."},
		{"police", "Участковый инспектор сообщил о жалобе соседей на шум и ссору в доме; проверяется."},
		{"person", "Сообщил, что переезжает к брату в другой район города и меняет работу."},
		{"employer", "Работодатель сообщил, что человек третий день не выходит на работу."},
	};
	int k = pick(s, (int)COUNT(notes));
	uuid_v7(id_r);
	enum db_status rc = db_run(r->conn, NULL,
		"INSERT INTO note (id, case_id, author_id, written_at, sensitivity, nature, source, source_detail, body,"
		" is_new_information) VALUES (?, ?, ?, ?, 'normal', 'fact', ?, NULL, ?, 1)", "tttitt", id_r, c->id,
		c->officer, when, notes[k].source, notes[k].body);
	if (rc == DB_OK) {
		char summary[96];
		snprintf(summary, sizeof summary, "Note added (fact, normal, source: %s)", notes[k].source);
		rc = event(r->conn, c->id, when, "note.added", c->officer, summary,
		           json_pack("{s:s, s:s, s:s, s:b}", "sensitivity", "normal", "nature", "fact", "source",
		                     notes[k].source, "new_information", 1),
		           "note", id_r);
	}
	return rc;
}

/* A trigger resolved by the assessment that followed it (SQL; its alert would have been closed then). */
static enum db_status trigger_resolved(struct run *r, const struct dcase *c, int day, bool note, const char *by,
                                       int64_t resolved_at, uint64_t *s, char id_r[UUID_STR_LEN])
{
	char on[11], record[UUID_STR_LEN] = "";
	day_text(day, on);
	int64_t when = at(r, day, 10 * HOUR_MS);
	enum db_status rc = note ? info_note(r, c, when, s, record) : DB_OK;
	const char *kind = note ? "new_information" : "work";
	const char *summary = note ? "New information recorded in a note" : "Change of work reported by the person";
	uuid_v7(id_r);
	if (rc == DB_OK)
		rc = db_run(r->conn, NULL,
			"INSERT INTO reassessment_trigger (id, case_id, kind, occurred_on, summary, record_type, record_id,"
			" recorded_by, recorded_at, resolved_by, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			"ttttttttiti", id_r, c->id, kind, on, summary, note ? "note" : NULL, note ? record : NULL, c->officer,
			when + 60000, by, resolved_at);
	if (rc == DB_OK) {
		char text[80];
		snprintf(text, sizeof text, "Reassessment called for (%s)", kind);
		rc = event(r->conn, c->id, when + 60000, "reassessment.triggered", c->officer, text,
		           json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "trigger_id", id_r, "kind", kind, "occurred_on", on,
		                     "record_type", note ? "note" : NULL, "record_id", note ? record : NULL),
		           "reassessment_trigger", id_r);
	}
	r->n->triggers++;
	return rc;
}

/* An open trigger after the latest assessment: recorded through the domain, so its alert and task are raised. */
static enum db_status trigger_open(struct run *r, const struct dcase *c, int day, bool note, uint64_t *s)
{
	char on[11], record[UUID_STR_LEN] = "", id[UUID_STR_LEN];
	day_text(day, on);
	int64_t when = at(r, day, 9 * HOUR_MS + pick(s, 6) * HOUR_MS);
	enum db_status rc = note ? info_note(r, c, when, s, record) : DB_OK;
	struct trigger_new t = {
		.case_id = c->id,
		.kind = note ? "new_information" : "work",
		.occurred_on = on,
		.summary = note ? "New information recorded in a note" : "Change of work reported by the person",
		.record_type = note ? "note" : NULL,
		.record_id = note ? record : NULL,
		.recorded_by = c->officer,
	};
	bool created = false;
	if (rc == DB_OK)
		rc = reassessment_trigger_add(r->conn, &t, when + 60000, id, &created);
	r->n->triggers += created;
	return rc;
}

/* ---- a case's series with one instrument ---------------------------------------------------- */

/* Writes the case's assessments with one instrument; *newest_r gets the latest completed day (0: none). */
static enum db_status series(struct run *r, const struct dcase *c, int tool, long index, uint64_t *s,
                             struct latest *latest, int *newest_r)
{
	*newest_r = 0;
	const struct tool *t = &r->tool[tool];
	int interval = mini(t->interval, c->level_days > 0 ? c->level_days : t->interval);
	int start = maxi(c->level_day + 5, r->cert_day + 1);
	if (start > r->today - 3)
		return DB_OK;
	bool awaiting = tool == NEEDS ? index % 9 == 4 : index % 5 == 2;
	bool with_draft = !awaiting && (tool == NEEDS ? index % 11 == 6 : index % 7 == 5);
	int target = 1 + pick(s, MAX_SERIES);
	int newest = awaiting ? r->today - 1 - pick(s, 5) : r->today - 4 - pick(s, interval);
	if (newest < start)
		newest = start + pick(s, maxi(1, r->today - 3 - start));
	int days[MAX_SERIES], m = 0;
	for (int d = newest; m < target && d >= start; d -= interval - 15 + pick(s, 20))
		days[m++] = d;
	for (int i = 0; i < m / 2; i++) { /* oldest first */
		int x = days[i];
		days[i] = days[m - 1 - i];
		days[m - 1 - i] = x;
	}

	/* The ratings: a profile for the case that changes over time, mostly for the better (static items never). */
	const json_t *def = t->def;
	int values[MAX_SERIES + 1][MAX_ITEMS];
	memset(values, 0, sizeof values);
	bool protective[MAX_ITEMS] = {false}, fixed[MAX_ITEMS] = {false};
	int nitems = 0;
	int p0 = pick(s, 100);
	int severity = tool == REVIEW ? 2 + (p0 < 40) : p0 < 30 ? 0 : p0 < 65 ? 1 : p0 < 90 ? 2 : 3;
	size_t d, i;
	const json_t *dom, *it;
	json_array_foreach(json_object_get(def, "domains"), d, dom) {
		bool prot = strcmp(json_string_value(json_object_get(dom, "kind")), "protective") == 0;
		json_array_foreach(json_object_get(dom, "items"), i, it) {
			if (nitems >= MAX_ITEMS)
				break;
			static const int odds[4][2] = {{700, 950}, {400, 850}, {200, 650}, {100, 450}}; /* P(0), P(<=1) */
			int p = pick(s, 1000), v = p < odds[severity][0] ? 0 : p < odds[severity][1] ? 1 : 2;
			protective[nitems] = prot;
			fixed[nitems] = strcmp(json_string_value(json_object_get(it, "kind")), "static") == 0;
			values[0][nitems++] = prot ? 2 - v : v;
		}
	}
	int steps = m + (with_draft ? 1 : 0);
	for (int k = 1; k < steps; k++)
		for (int j = 0; j < nitems; j++) {
			int better = tool == REVIEW ? 450 : 300, worse = tool == REVIEW ? 50 : 80;
			int p = pick(s, 1000), step = fixed[j] ? 0 : p < better ? -1 : p < better + worse ? 1 : 0;
			values[k][j] = maxi(0, mini(2, values[k - 1][j] + (protective[j] ? -step : step)));
		}

	/* Each one's status and times, before any is written (a superseded one needs the next one's). */
	struct one list[MAX_SERIES + 1];
	memset(list, 0, sizeof list);
	for (int k = 0; k < m; k++) {
		struct one *a = &list[k];
		bool last = k == m - 1;
		uuid_v7(a->id);
		a->day = days[k];
		a->next_day = last ? r->today : days[k + 1];
		a->status = last ? (awaiting ? "submitted" : "countersigned")
		          : (k == m - 2 && awaiting ? "countersigned" : "superseded");
		a->reason = k == 0 ? "initial" : "interval";
		a->created = at(r, a->day - pick(s, 3), 9 * HOUR_MS + pick(s, 3) * HOUR_MS);
		a->submitted = at(r, a->day + (last && awaiting ? 0 : pick(s, 2)), 15 * HOUR_MS + pick(s, 2) * HOUR_MS);
		if (a->submitted <= a->created)
			a->submitted = a->created + 60000;
		if (strcmp(a->status, "submitted") != 0) {
			a->countersigned = at(r, a->day + 1 + pick(s, 4), 11 * HOUR_MS);
			if (a->countersigned <= a->submitted)
				a->countersigned = a->submitted + 60000;
		}
	}
	for (int k = 0; k + 1 < m; k++)
		if (strcmp(list[k].status, "superseded") == 0) {
			memcpy(list[k].superseded_by, list[k + 1].id, UUID_STR_LEN);
			list[k].superseded = list[k + 1].countersigned;
		}

	enum db_status rc = DB_OK;
	json_t *superseded = json_array();
	int previous = -1;
	for (int k = 0; k < m && rc == DB_OK; k++) {
		struct one *a = &list[k];
		/* The newest of a longer series was called for by an event (a note or a change of work). */
		if (tool == NEEDS && k > 0 && k == m - 1 && index % 5 == 1 && days[k] - 2 > days[k - 1]) {
			int tday = maxi(days[k - 1] + 1, days[k] - 2 - pick(s, 8));
			a->reason = "trigger";
			rc = trigger_resolved(r, c, tday, index % 10 == 1, a->id, a->submitted, s, a->trigger);
			if (a->created < at(r, tday, 12 * HOUR_MS))
				a->created = at(r, tday, 12 * HOUR_MS);
			if (a->submitted <= a->created)
				a->submitted = a->created + 60000;
			if (a->countersigned && a->countersigned <= a->submitted)
				a->countersigned = a->submitted + 60000;
		}
		json_array_clear(superseded);
		if (k > 0 && strcmp(list[k - 1].status, "superseded") == 0)
			json_array_append_new(superseded, json_string(list[k - 1].id));
		a->previous_judgement = previous;
		if (rc == DB_OK)
			rc = write_one(r, c, tool, a, values[k], s, superseded);
		previous = a->judgement;
		if (rc == DB_OK && k > 0 && strcmp(list[k - 1].status, "superseded") == 0)
			rc = event(r->conn, c->id, a->countersigned, "assessment.superseded", c->head,
			           "Assessment superseded by a later countersigned assessment",
			           json_pack("{s:s, s:s, s:s}", "assessment_id", list[k - 1].id, "superseded_by", a->id,
			                     "instrument_code", codes[tool]),
			           "assessment", list[k - 1].id);
		if (rc == DB_OK && a->countersigned && strcmp(a->status, "countersigned") == 0 &&
		    (a->day > latest->day || (a->day == latest->day && a->countersigned > latest->at))) {
			latest->day = a->day;
			latest->at = a->countersigned;
			copy(latest->id, sizeof latest->id, a->id);
			copy(latest->code, sizeof latest->code, codes[tool]);
			copy(latest->judgement, sizeof latest->judgement,
			     json_string_value(json_object_get(json_array_get(json_object_get(def, "judgements"),
			                                                      (size_t)a->judgement), "id")));
		}
	}
	json_decref(superseded);
	*newest_r = m ? days[m - 1] : 0;

	/* A draft started lately, half done: the next reassessment. */
	if (rc == DB_OK && with_draft && m > 0 && strcmp(list[m - 1].status, "countersigned") == 0 &&
	    days[m - 1] < r->today - 10) {
		struct one *a = &list[m];
		uuid_v7(a->id);
		a->status = "draft";
		a->reason = "interval";
		a->partial = index % 2 == 0;
		a->day = r->today - 1 - pick(s, 3);
		a->next_day = r->today;
		a->created = at(r, a->day, 10 * HOUR_MS);
		a->judgement = -1;
		a->previous_judgement = -1;
		rc = write_one(r, c, tool, a, values[m], s, NULL);
	}
	return rc;
}

/* ---- the level after the latest judgement --------------------------------------------------- */

static enum db_status level_after(struct run *r, const struct dcase *c, const struct latest *l, uint64_t *s)
{
	if (!l->id[0])
		return DB_OK;
	char suggested[24] = "";
	db_stmt *st = NULL;
	enum db_status rc = db_query(r->conn, &st,
		"SELECT level FROM level_suggestion WHERE instrument_code = ? AND judgement = ?", "tt", l->code, l->judgement);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		copy(suggested, sizeof suggested, db_column_text(st, 0, NULL));
	db_finalize(&st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	if (!suggested[0])
		return DB_OK;
	static const char *const order[] = {"low", "medium", "high", "intensive"};
	int pos = 0;
	for (int i = 0; i < 4; i++)
		if (strcmp(order[i], suggested) == 0)
			pos = i;
	const char *level = NULL, *reason = NULL;
	char because[300];
	char on[11];
	day_text(l->day, on);
	r->eligible++;
	if (r->eligible == 2 || r->eligible == 23) {
		/* The officer departs from the suggestion, and says why. */
		level = order[pos == 3 ? 2 : pos + 1];
		reason = pos == 3 ? "Усиленный надзор не нужен: человек работает, живёт с семьёй, все явки соблюдены;"
		                    " высокий уровень достаточен, пересмотр через два месяца."
		                  : "Уровень выше предложенного: человек недавно сменил адрес и работу, сведения ещё"
		                    " проверяются; пересмотреть после проверки через месяц.";
	} else if (strcmp(suggested, c->level) != 0 && chance(s, 350)) {
		level = suggested;
		snprintf(because, sizeof because, "Уровень изменён по результатам оценки от %s, как предложено.", on);
		reason = because;
		r->n->levels_followed++;
	}
	if (!level)
		return DB_OK;
	int64_t when = l->at + 2 * HOUR_MS + pick(s, 3) * DAY_MS;
	if (when > r->now - 300000)
		when = r->now - 300000;
	if (when <= c->level_at)
		when = c->level_at + 60000;
	char id[UUID_STR_LEN], from[11];
	day_text((int)(when / DAY_MS), from);
	uuid_v7(id);
	rc = db_run(r->conn, NULL,
		"INSERT INTO case_supervision_level (id, case_id, level, reason, effective_from, set_by, set_at, assessment_id,"
		" suggested_level) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", "ttttttitt", id, c->id, level, reason, from,
		c->officer, when, l->id, suggested);
	if (rc == DB_OK) {
		char summary[96];
		if (strcmp(level, c->level) == 0)
			snprintf(summary, sizeof summary, "Supervision level kept at %s", level);
		else
			snprintf(summary, sizeof summary, "Supervision level changed from %s to %s", c->level, level);
		rc = event(r->conn, c->id, when, "supervision.level_set", c->officer, summary,
		           json_pack("{s:s, s:s, s:s, s:s, s:s, s:b}", "level", level, "previous", c->level, "effective_from",
		                     from, "assessment_id", l->id, "suggested_level", suggested, "follows_suggestion",
		                     strcmp(level, suggested) == 0),
		           "case_supervision_level", id);
	}
	return rc;
}

/* ---- the cases ------------------------------------------------------------------------------ */

/* Open, allocated cases with a supervision level and no assessment yet, in case-number order. */
static enum db_status read_cases(db *conn, struct dcase **list_r, size_t *n_r)
{
	*list_r = NULL;
	*n_r = 0;
	size_t cap = 0;
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT c.id, c.number, c.officer_id,"
		" (SELECT a.id FROM account a JOIN account_role ar ON ar.account_id = a.id JOIN unit u ON u.id = c.unit_id"
		"  WHERE ar.role = 'unit_head' AND a.status = 'active' AND a.id <> c.officer_id"
		"  AND (a.unit_id = u.id OR a.unit_id = u.parent_id)"
		"  ORDER BY CASE WHEN a.unit_id = u.id THEN 0 ELSE 1 END, a.created_at, a.id LIMIT 1),"
		" (SELECT p.id FROM supervision_plan p WHERE p.case_id = c.id),"
		" l.level, l.effective_from, l.set_at, r.reassessment_days,"
		" CASE WHEN EXISTS (SELECT 1 FROM decision d JOIN decision_article x ON x.decision_id = d.id"
		"  WHERE d.case_id = c.id AND x.article IN ('CC-252', 'CC-255', 'CC-256', 'CC-327', 'CC-330'))"
		"  THEN 1 ELSE 0 END"
		" FROM case_file c JOIN case_supervision_level l ON l.case_id = c.id"
		" JOIN ref_supervision_level r ON r.code = l.level"
		" WHERE c.status = 'open' AND c.officer_id IS NOT NULL"
		" AND l.id = (SELECT l2.id FROM case_supervision_level l2 WHERE l2.case_id = c.id"
		"  ORDER BY l2.set_at DESC, l2.id DESC LIMIT 1)"
		" AND NOT EXISTS (SELECT 1 FROM assessment x WHERE x.case_id = c.id)"
		" ORDER BY c.number", "");
	while (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		if (!db_column_text(st, 3, NULL))
			continue; /* nobody to countersign */
		*list_r = xgrow(*list_r, &cap, *n_r, sizeof **list_r);
		struct dcase *c = &(*list_r)[(*n_r)++];
		memset(c, 0, sizeof *c);
		copy(c->id, sizeof c->id, db_column_text(st, 0, NULL));
		copy(c->number, sizeof c->number, db_column_text(st, 1, NULL));
		copy(c->officer, sizeof c->officer, db_column_text(st, 2, NULL));
		copy(c->head, sizeof c->head, db_column_text(st, 3, NULL));
		copy(c->plan, sizeof c->plan, db_column_text(st, 4, NULL));
		copy(c->level, sizeof c->level, db_column_text(st, 5, NULL));
		c->level_day = text_day(db_column_text(st, 6, NULL));
		c->level_at = db_column_int64(st, 7);
		c->level_days = (int)db_column_int64(st, 8);
		c->radical = db_column_int64(st, 9) != 0;
		rc = DB_OK;
	}
	db_finalize(&st);
	if (rc == DB_DONE)
		return DB_OK;
	free(*list_r);
	*list_r = NULL;
	*n_r = 0;
	return rc == DB_ROW ? DB_ERROR : rc;
}

static enum db_status load_tool(db *conn, int code, struct tool *t)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT id, version, name_en, reassessment_days FROM instrument WHERE code = ? AND is_current = 1", "t",
		codes[code]);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		copy(t->id, sizeof t->id, db_column_text(st, 0, NULL));
		copy(t->version, sizeof t->version, db_column_text(st, 1, NULL));
		copy(t->name_en, sizeof t->name_en, db_column_text(st, 2, NULL));
		t->interval = (int)db_column_int64(st, 3);
		rc = DB_OK;
	} else if (rc == DB_DONE) {
		rc = DB_ERROR;
	}
	db_finalize(&st);
	char code_r[INSTRUMENT_CODE_LEN];
	if (rc == DB_OK)
		rc = instrument_definition(conn, t->id, &t->def, code_r);
	if (rc == DB_OK && !t->def)
		rc = DB_ERROR;
	return rc;
}

enum db_status demo_assessments(db *conn, struct demo_assessment_counts *counts_r, char **error_r)
{
	memset(counts_r, 0, sizeof *counts_r);
	struct run r = {.conn = conn, .now = clock_now_ms(), .n = counts_r};
	r.today = (int)(r.now / DAY_MS);
	r.cert_day = r.today - 640;
	struct dcase *cases = NULL;
	size_t n = 0;
	enum db_status rc = db_begin(conn);
	for (int k = 0; k < 2 && rc == DB_OK; k++)
		rc = load_tool(conn, k, &r.tool[k]);
	if (rc == DB_OK)
		rc = certifications(&r);
	if (rc == DB_OK)
		rc = read_cases(conn, &cases, &n);
	long radical = 0;
	for (size_t i = 0; i < n && rc == DB_OK; i++) {
		struct dcase *c = &cases[i];
		uint64_t s = 0x9e3779b97f4a7c15ULL;
		for (const char *q = c->number; *q; q++)
			s = (s ^ (unsigned char)*q) * 1099511628211ULL;
		s |= 1;
		if (i % 8 == 7)
			continue; /* not yet assessed: the engine will say so */
		struct latest latest = {0};
		int newest[2] = {0, 0};
		rc = series(&r, c, NEEDS, (long)i, &s, &latest, &newest[0]);
		if (rc == DB_OK && c->radical)
			rc = series(&r, c, REVIEW, radical++, &s, &latest, &newest[1]);
		/* Something new since the latest assessment: a note marked as new information, or a change of work. */
		int after = maxi(newest[0], newest[1]);
		if (rc == DB_OK && after && i % 8 == 3 && after < r.today - 1)
			rc = trigger_open(&r, c, maxi(after + 1, r.today - 1 - pick(&s, 4)), (i / 8) % 2 == 0, &s);
		if (rc == DB_OK)
			rc = level_after(&r, c, &latest, &s);
	}
	free(cases);
	if (rc == DB_OK) {
		char detail[300];
		snprintf(detail, sizeof detail,
		         "demo assessments: %ld certifications, %ld assessments (%ld countersigned, %ld superseded,"
		         " %ld submitted, %ld drafts), %ld triggers, %ld levels after a suggestion",
		         counts_r->certifications, counts_r->assessments, counts_r->countersigned, counts_r->superseded,
		         counts_r->submitted, counts_r->drafts, counts_r->triggers, counts_r->levels_followed);
		struct audit_entry e = {.actor_login = "kadam demo (command line)", .action = AUDIT_COLLECT,
		                        .record_type = "assessment", .outcome = AUDIT_OUTCOME_SUCCESS, .detail = detail};
		rc = audit_append(conn, &e);
	}
	if (rc == DB_OK)
		rc = db_commit(conn);
	if (rc != DB_OK) {
		*error_r = xasprintf("assessment demo data: %s", db_errmsg(conn));
		db_rollback(conn);
	}
	for (int k = 0; k < 2; k++)
		json_decref(r.tool[k].def);
	return rc;
}
