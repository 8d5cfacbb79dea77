/*
 * people.c — synthetic people for `kadam demo`: Kyrgyz and Russian names in
 * Cyrillic with their passport-style Latin spellings, documents, addresses,
 * phones and aliases; cases of the four kinds in the proportions of the
 * service's 2025 volumes (838 pre-trial, 10,734 executive, 939 penitentiary,
 * 501 post-penitentiary), allocated to the demo units' officers; decisions
 * with computed key dates; notes. Every name, number, address and sentence is
 * invented.
 *
 * Deterministic: person i is made from a PRNG (splitmix64) seeded with i, so
 * the same database gets the same people whatever the batch size, and a
 * later run goes on numbering after the people already there.
 */
#include <inttypes.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "base/buf.h"
#include "base/clock.h"
#include "demo/demo.h"
#include "domain/casefile.h"
#include "domain/names.h"
#include "domain/person.h"
#include "domain/pretrial.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, a) ((a)[below((r), (unsigned)COUNT(a))])
#define DAY_MS 86400000LL

/* ---- randomness ----------------------------------------------------------------------------------- */

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n-1 (n > 0). */
static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(((next(r) >> 32) * (uint64_t)n) >> 32);
}

/* lo .. hi inclusive. */
static int between(struct rng *r, int lo, int hi)
{
	return hi <= lo ? lo : lo + (int)below(r, (unsigned)(hi - lo + 1));
}

static bool per_mille(struct rng *r, unsigned p)
{
	return below(r, 1000) < p;
}

/* ---- dates as days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithms) ------------------ */

static int days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int z, int *y_r, int *m_r, int *d_r)
{
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp < 10 ? mp + 3 : mp - 9;
	*y_r = yoe + era * 400 + (m <= 2);
	*m_r = m;
	*d_r = d;
}

/* YYYY-MM-DD of a day number. */
static void day_text(int day, char out[11])
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	char text[48];
	snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
	memcpy(out, text, 10);
	out[10] = '\0';
}

static int day_year(int day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return y;
}

/* ---- the vocabulary -------------------------------------------------------------------------------- */

/* Kyrgyz surnames in the male form; the female form adds "а". */
static const char *const ky_surnames[] = {
	"Асанов", "Бердибаев", "Жумабеков", "Токтогулов", "Осмоналиев", "Абдыкадыров", "Сыдыков", "Мамытов",
	"Турдубаев", "Эшимкулов", "Кудайбергенов", "Алымкулов", "Бакиров", "Жээнбеков", "Садыров", "Таштанов",
	"Орозбеков", "Өмүрбеков", "Үсөнов", "Шамшиев", "Эргешов", "Нурматов", "Исаков", "Абдрахманов", "Акматов",
	"Байсалов", "Дүйшөев", "Жолдошев", "Иманалиев", "Калматов", "Кененбаев", "Мадылбеков", "Мырзакматов",
	"Табылдиев", "Токтосунов", "Усубалиев", "Чотонов", "Шаршеев", "Ырысбеков", "Султанов", "Абылов",
	"Бообеков", "Жусупов", "Касымов", "Мамбетов", "Медербеков", "Молдоев", "Сатыбалдиев", "Темиров",
	"Төлөгөнов", "Уметалиев", "Чыныбаев", "Эсенов", "Юсупов", "Аманов", "Бектурганов", "Дыйканов", "Каримов",
	"Ниязов", "Рахимов", "Кадыров", "Ормонов", "Жапаров", "Токоев",
};

static const char *const ky_male[] = {
	"Азамат", "Бакыт", "Нурлан", "Эрлан", "Чыңгыз", "Айбек", "Талант", "Улан", "Мирлан", "Темирлан", "Бекзат",
	"Нурбек", "Максат", "Медер", "Эрмек", "Алмаз", "Бактыбек", "Жыргалбек", "Мелис", "Асылбек", "Нурсултан",
	"Данияр", "Эльдар", "Айдар", "Марат", "Тилек", "Канат", "Жаныбек", "Урмат", "Болот", "Эмил", "Адилет",
	"Бекболот", "Нурдин", "Төлөгөн", "Өмүр", "Үсөн", "Сыймык", "Кайрат", "Таалай", "Элдияр", "Актан", "Азиз",
	"Бектур", "Жоомарт", "Замир", "Арстан", "Мирбек", "Самат", "Султан", "Токтобек", "Уланбек",
};

static const char *const ky_female[] = {
	"Айгүл", "Айжан", "Гүлнара", "Нургүл", "Жылдыз", "Чолпон", "Бермет", "Мээрим", "Айпери", "Айзада", "Аида",
	"Асель", "Бактыгүл", "Бүбүсара", "Венера", "Гүлзат", "Динара", "Элмира", "Жазгүл", "Жамиля", "Зарина",
	"Канышай", "Мира", "Назгүл", "Назира", "Нуриза", "Салтанат", "Сезим", "Турсунай", "Умут", "Чынара",
	"Эльвира", "Айнура", "Айдана", "Акылай", "Алтынай", "Бегимай", "Гүлмира", "Жаңыл", "Кундуз", "Перизат",
	"Тансулуу", "Толгонай", "Эркайым", "Гүлзада", "Айсулуу", "Нургиза", "Жибек", "Ырыскүл", "Калыйкан",
};

/* Russian, Ukrainian and Korean surnames of Kyrgyzstan in the male form. */
static const char *const ru_surnames[] = {
	"Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов", "Новиков", "Морозов", "Петров",
	"Волков", "Соловьёв", "Васильев", "Зайцев", "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов",
	"Воробьёв", "Фёдоров", "Михайлов", "Беляев", "Тарасов", "Белов", "Комаров", "Орлов", "Киселёв", "Макаров",
	"Андреев", "Ковалёв", "Ильин", "Гусев", "Титов", "Кузьмин", "Кудрявцев", "Баранов", "Куликов", "Алексеев",
	"Степанов", "Яковлев", "Сорокин", "Сергеев", "Романов", "Захаров", "Борисов", "Королёв", "Герасимов",
	"Пономарёв", "Григорьев", "Лазарев", "Медведев", "Ершов", "Никитин", "Соболев", "Рябов", "Поляков",
	"Цветков", "Данилов", "Жуков", "Фролов", "Журавлёв", "Николаев", "Крылов", "Максимов", "Сидоров", "Осипов",
	"Белоусов", "Федотов", "Дорофеев", "Егоров", "Матвеев", "Бобров", "Дмитриев", "Калинин", "Антонов",
	"Тимофеев", "Никифоров", "Филиппов", "Марков", "Миронов", "Щербаков", "Ёлкин", "Шевченко", "Бондаренко",
	"Ткаченко", "Ким", "Цой", "Пак", "Ли", "Тен", "Хван",
};

/* Russian given names with the patronymics made from them (son, daughter). */
static const struct {
	const char *name, *son, *daughter;
} ru_male[] = {
	{"Александр", "Александрович", "Александровна"}, {"Сергей", "Сергеевич", "Сергеевна"},
	{"Дмитрий", "Дмитриевич", "Дмитриевна"},         {"Андрей", "Андреевич", "Андреевна"},
	{"Алексей", "Алексеевич", "Алексеевна"},         {"Иван", "Иванович", "Ивановна"},
	{"Михаил", "Михайлович", "Михайловна"},          {"Николай", "Николаевич", "Николаевна"},
	{"Владимир", "Владимирович", "Владимировна"},    {"Евгений", "Евгеньевич", "Евгеньевна"},
	{"Павел", "Павлович", "Павловна"},               {"Игорь", "Игоревич", "Игоревна"},
	{"Олег", "Олегович", "Олеговна"},                {"Виктор", "Викторович", "Викторовна"},
	{"Юрий", "Юрьевич", "Юрьевна"},                  {"Артём", "Артёмович", "Артёмовна"},
	{"Максим", "Максимович", "Максимовна"},          {"Денис", "Денисович", "Денисовна"},
	{"Роман", "Романович", "Романовна"},             {"Константин", "Константинович", "Константиновна"},
	{"Вадим", "Вадимович", "Вадимовна"},             {"Антон", "Антонович", "Антоновна"},
	{"Илья", "Ильич", "Ильинична"},                  {"Кирилл", "Кириллович", "Кирилловна"},
	{"Никита", "Никитич", "Никитична"},              {"Владислав", "Владиславович", "Владиславовна"},
	{"Григорий", "Григорьевич", "Григорьевна"},      {"Василий", "Васильевич", "Васильевна"},
	{"Пётр", "Петрович", "Петровна"},                {"Фёдор", "Фёдорович", "Фёдоровна"},
	{"Геннадий", "Геннадьевич", "Геннадьевна"},      {"Борис", "Борисович", "Борисовна"},
	{"Степан", "Степанович", "Степановна"},          {"Леонид", "Леонидович", "Леонидовна"},
	{"Анатолий", "Анатольевич", "Анатольевна"},      {"Валерий", "Валерьевич", "Валерьевна"},
	{"Станислав", "Станиславович", "Станиславовна"}, {"Вячеслав", "Вячеславович", "Вячеславовна"},
	{"Руслан", "Русланович", "Руслановна"},          {"Тимур", "Тимурович", "Тимуровна"},
};

static const char *const ru_female[] = {
	"Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Марина", "Анна", "Екатерина", "Юлия",
	"Людмила", "Галина", "Надежда", "Оксана", "Вера", "Любовь", "Валентина", "Алла", "Лариса", "Нина",
	"Мария", "Дарья", "Анастасия", "Ксения", "Виктория", "Евгения", "Алёна", "Полина", "Кристина", "Яна",
};

static const char *const nicknames_male[] = {"Бака", "Азик", "Чыңа", "Нуке", "Эрик", "Тима", "Саня", "Макс",
                                             "Лёха", "Дима", "Бек", "Кара"};
static const char *const nicknames_female[] = {"Айка", "Гуля", "Жыпар", "Аня", "Катя", "Мэри", "Жаки", "Сулуу"};

/* ---- places ---------------------------------------------------------------------------------------- */

enum {
	UNIT_BISHKEK,
	UNIT_CHUI,
	UNIT_OSH,
	UNIT_COLONY,
	UNIT_COUNT,
};

/* The demo units people are seeded into (demo.c makes them) and the accounts that carry their cases. */
static const struct {
	const char *agency, *name, *officer;
} seeded_units[UNIT_COUNT] = {
	{"Probation Service (demo)", "Bishkek city office", "officer.bishkek"},
	{"Probation Service (demo)", "Chui regional office", "officer.chui"},
	{"Probation Service (demo)", "Osh regional office", "officer.osh"},
	{"Penitentiary Service (demo)", "Colony No. 99 (demo)", "caseworker.colony"},
};

static const char *const birth_places[UNIT_COUNT][9] = {
	{"Бишкек", "Бишкек", "Талас", "Нарын", "Каракол", "Токмок", "Кара-Балта", "Балыкчы", "Чолпон-Ата"},
	{"Токмок", "Кара-Балта", "Кант", "Бишкек", "Сокулук", "Кемин", "Шопоков", "Талас", "Нарын"},
	{"Ош", "Ош", "Жалал-Абад", "Баткен", "Кара-Суу", "Өзгөн", "Ноокат", "Кызыл-Кыя", "Таш-Көмүр"},
	{"Бишкек", "Ош", "Жалал-Абад", "Каракол", "Нарын", "Талас", "Токмок", "Баткен", "Кара-Балта"},
};

static const char *const birth_places_abroad[] = {"Ташкент", "Алматы", "Новосибирск", "Москва", "Душанбе"};

static const char *const towns[UNIT_COUNT][6] = {
	{"г. Бишкек", "г. Бишкек", "г. Бишкек", "г. Бишкек", "г. Бишкек", "Чуйская обл., с. Лебединовка"},
	{"г. Токмок", "г. Кара-Балта", "г. Кант", "Чуйская обл., с. Сокулук", "Чуйская обл., с. Беловодское",
	 "Чуйская обл., с. Ивановка"},
	{"г. Ош", "г. Ош", "г. Ош", "Ошская обл., г. Кара-Суу", "Ошская обл., г. Өзгөн", "Ошская обл., с. Ноокат"},
	{"г. Бишкек", "г. Ош", "г. Жалал-Абад", "г. Каракол", "г. Нарын", "г. Талас"},
};

static const char *const streets[] = {
	"ул. Ахунбаева", "пр. Чуй", "ул. Токтогула", "пр. Манаса", "ул. Киевская", "ул. Московская",
	"ул. Абдрахманова", "пр. Жибек Жолу", "ул. Исанова", "ул. Гоголя", "ул. Тоголок Молдо", "ул. Байтик Баатыра",
	"ул. Ибраимова", "ул. Фрунзе", "ул. Курманжан Датка", "ул. Ленина", "ул. Масалиева", "ул. Навои",
	"ул. Алымбека Датки", "ул. Садыгалиева", "ул. Кыргызстан", "ул. Жукеева-Пудовкина",
};

static const char *const courts[UNIT_COUNT][4] = {
	{"Ленинский районный суд г. Бишкек", "Октябрьский районный суд г. Бишкек",
	 "Первомайский районный суд г. Бишкек", "Свердловский районный суд г. Бишкек"},
	{"Аламудунский районный суд Чуйской области", "Сокулукский районный суд Чуйской области",
	 "Жайылский районный суд Чуйской области", "Токмокский городской суд"},
	{"Ошский городской суд", "Кара-Сууский районный суд Ошской области", "Ноокатский районный суд Ошской области",
	 "Узгенский районный суд Ошской области"},
	{"Ленинский районный суд г. Бишкек", "Ошский городской суд", "Жалал-Абадский городской суд",
	 "Московский районный суд Чуйской области"},
};

/* ---- notes ----------------------------------------------------------------------------------------- */

static const struct {
	const char *nature, *source, *ru, *ky;
} note_texts[] = {
	{"fact", "observation", "Явился на регистрацию в назначенный день.", "Белгиленген күнү каттоого келди."},
	{"fact", "observation", "При посещении на дому находился по месту жительства, жилищные условия удовлетворительные.",
	 "Үйүнө баргында жашаган жеринде экен, турмуш шарты канааттандырарлык."},
	{"fact", "person", "Сообщил, что работает на стройке в Аламединском районе.",
	 "Аламүдүн районундагы курулушта иштей турганын билдирди."},
	{"fact", "person", "Просит перенести явку из-за болезни ребёнка.",
	 "Баласы ооруп калгандыктан келүү күнүн которууну суранды."},
	{"fact", "family", "Супруга подтвердила, что он проживает по адресу регистрации.",
	 "Жубайы анын каттоо дареги боюнча жашай турганын ырастады."},
	{"fact", "employer", "Работодатель подтвердил трудоустройство с начала месяца.",
	 "Иш берүүчү анын айдын башынан бери иштеп жатканын ырастады."},
	{"fact", "police", "Участковый инспектор сообщил, что жалоб от соседей не поступало.",
	 "Участкалык инспектор кошуналардан арыз түшпөгөнүн билдирди."},
	{"fact", "court", "Из суда поступила копия приговора, вступившего в законную силу.",
	 "Соттон мыйзамдуу күчүнө кирген өкүмдүн көчүрмөсү келди."},
	{"fact", "prison", "Администрация учреждения передала характеристику и сведения о поощрениях.",
	 "Мекеменин администрациясы мүнөздөмө жана сыйлоолор тууралуу маалымат берди."},
	{"fact", "partner", "Общественная организация подтвердила участие в курсе профессионального обучения.",
	 "Коомдук уюм кесиптик окуу курсуна катышканын ырастады."},
	{"fact", "document", "Предъявил справку с места работы и копию паспорта.",
	 "Иш ордунан маалымкат жана паспорттун көчүрмөсүн көрсөттү."},
	{"assessment", "observation", "Мотивирован к изменениям, поддерживает связь с семьёй.",
	 "Өзгөрүүгө ынтызар, үй-бүлөсү менен байланышын үзгөн жок."},
	{"assessment", "observation", "Нуждается в помощи с трудоустройством и восстановлением документов.",
	 "Жумушка орношууга жана документтерин калыбына келтирүүгө жардам керек."},
	{"assessment", "person", "По словам самого лица, злоупотребление алкоголем прекратил; требует наблюдения.",
	 "Өзүнүн айтымында ичкиликти таштаган; байкоо талап кылынат."},
	{"assessment", "family", "Отношения в семье напряжённые, рекомендована консультация психолога.",
	 "Үй-бүлөдөгү мамиле оор, психологдун кеңеши сунушталат."},
};

/* Restricted notes: special categories (health) and intelligence that must be checked. */
static const struct {
	const char *nature, *source, *ru, *ky;
} restricted_texts[] = {
	{"fact", "document", "Представлена медицинская справка о хроническом заболевании.",
	 "Өнөкөт оору тууралуу медициналык маалымкат берилди."},
	{"assessment", "police", "Поступили сведения о возможных контактах с лицами из радикальной среды; нужна проверка.",
	 "Радикалдуу чөйрөдөгү адамдар менен байланышы болушу мүмкүн деген маалымат келди; текшерүү керек."},
	{"assessment", "partner", "Участвует в программе теологического диалога; наставник отмечает положительную динамику.",
	 "Теологиялык диалог программасына катышууда; насаатчы оң өзгөрүүлөрдү белгилейт."},
};

static const char *const source_details[] = {"по телефону", "визит на дом", "письмо", "на приёме", "телефон аркылуу",
                                             "үйгө баруу"};

/* ---- the seeding run ------------------------------------------------------------------------------- */

struct seeder {
	db *conn;
	char unit[UNIT_COUNT][UUID_STR_LEN];
	char officer[UNIT_COUNT][UUID_STR_LEN];
	char head[UNIT_COUNT][UUID_STR_LEN];  /* who reviews the unit's variation proposals ("" none) */
	char partner[UUID_STR_LEN];           /* the demo NGO ("" none) */
	bool supervision; /* each case gets conditions, a level, a plan and appointments */
	int today;       /* day number */
	int64_t now_ms;  /* the real time: nothing is dated after it */
	struct demo_people_counts *counts;
};

/* Latin spellings of the names, made once each by names_latin() (a few hundred distinct names). The command runs
   on one thread. */
#define MEMO_SIZE 4096
static struct memo_entry {
	char *name, *latin;
} memo[MEMO_SIZE];
static size_t memo_used;

static const char *latin_of(const char *name)
{
	if (!name)
		return NULL;
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	for (size_t i = h % MEMO_SIZE;; i = (i + 1) % MEMO_SIZE) {
		if (!memo[i].name) {
			char latin[NAMES_KEY_MAX];
			if (memo_used >= MEMO_SIZE * 3 / 4 || !names_latin(name, latin, sizeof latin))
				return NULL; /* person_create transliterates it itself */
			memo[i].name = xstrdup(name);
			memo[i].latin = xstrdup(latin);
			memo_used++;
			return memo[i].latin;
		}
		if (strcmp(memo[i].name, name) == 0)
			return memo[i].latin;
	}
}

static void memo_free(void)
{
	for (size_t i = 0; i < MEMO_SIZE; i++) {
		free(memo[i].name);
		free(memo[i].latin);
		memo[i].name = memo[i].latin = NULL;
	}
	memo_used = 0;
}

/* The female form of a surname: -ов/-ев/-ёв/-ин/-ын take "а"; Ким, Шевченко and the like do not change. */
static void female_surname(const char *male, char *out, size_t size)
{
	size_t n = strlen(male);
	static const char *const endings[] = {"ов", "ев", "ёв", "ин", "ын"};
	for (size_t i = 0; i < COUNT(endings); i++) {
		size_t e = strlen(endings[i]);
		if (n > e && strcmp(male + n - e, endings[i]) == 0) {
			snprintf(out, size, "%sа", male);
			return;
		}
	}
	snprintf(out, size, "%s", male);
}

/* A Russian-style patronymic of a Kyrgyz given name: Нурлан → Нурланович / Нурлановна, Таалай → Таалаевич. */
static void patronymic_of(const char *father, bool female, char *out, size_t size)
{
	size_t n = strlen(father);
	const char *y = "й";
	if (n > 2 && strcmp(father + n - 2, y) == 0)
		snprintf(out, size, "%.*s%s", (int)(n - 2), father, female ? "евна" : "евич");
	else
		snprintf(out, size, "%s%s", father, female ? "овна" : "ович");
}

/* A second Cyrillic spelling as a Russian-speaking clerk writes Kyrgyz letters (ң ө ү → н о у); false when the
   name has none of them. */
static bool russified(const char *name, char *out, size_t size)
{
	static const struct {
		const char *from, *to;
	} map[] = {{"ң", "н"}, {"ө", "о"}, {"ү", "у"}, {"Ө", "О"}, {"Ү", "У"}};
	size_t o = 0;
	bool changed = false;
	for (const char *p = name; *p && o + 4 < size;) {
		bool hit = false;
		for (size_t i = 0; i < COUNT(map) && !hit; i++) {
			size_t l = strlen(map[i].from);
			if (strncmp(p, map[i].from, l) == 0) {
				size_t t = strlen(map[i].to);
				memcpy(out + o, map[i].to, t);
				o += t;
				p += l;
				hit = changed = true;
			}
		}
		if (!hit)
			out[o++] = *p++;
	}
	out[o] = '\0';
	return changed;
}

/* Another Latin spelling of a passport spelling (Berdibaev → Berdibayev, Zhumabekov → Jumabekov); false when
   no rule applies. */
static bool latin_variant(const char *latin, char *out, size_t size)
{
	static const struct {
		const char *from, *to;
	} rules[] = {{"aev", "ayev"}, {"iev", "iyev"}, {"Zh", "J"}, {"zh", "j"}, {"Ch", "Tch"}, {"kh", "h"},
	             {"yu", "iu"},    {"Yu", "Iu"},    {"ov", "off"}};
	for (size_t i = 0; i < COUNT(rules); i++) {
		const char *at = strstr(latin, rules[i].from);
		if (at) {
			snprintf(out, size, "%.*s%s%s", (int)(at - latin), latin, rules[i].to, at + strlen(rules[i].from));
			return true;
		}
	}
	return false;
}

/* One generated person: the fields person_create takes, and what their cases need to know. */
struct person {
	char surname[128], given[64], patronymic[128];
	bool female, kyrgyz, returnee, dual_ru;
	int birth;     /* day number */
	int home;      /* UNIT_* of the registered address */
	const char *language;
};

static void make_names(struct rng *r, struct person *p)
{
	p->surname[0] = p->patronymic[0] = '\0';
	if (p->kyrgyz) {
		const char *father = PICK(r, ky_male);
		snprintf(p->given, sizeof p->given, "%s", p->female ? PICK(r, ky_female) : PICK(r, ky_male));
		if (per_mille(r, 120)) {
			/* The Kyrgyz form: the father's name with уулу (son) or кызы (daughter) instead of a surname. */
			snprintf(p->surname, sizeof p->surname, "%s %s", father, p->female ? "кызы" : "уулу");
			return;
		}
		const char *root = PICK(r, ky_surnames);
		if (p->female)
			female_surname(root, p->surname, sizeof p->surname);
		else
			snprintf(p->surname, sizeof p->surname, "%s", root);
		if (per_mille(r, 900))
			patronymic_of(father, p->female, p->patronymic, sizeof p->patronymic);
	} else {
		unsigned f = below(r, (unsigned)COUNT(ru_male));
		const char *root = PICK(r, ru_surnames);
		if (p->female) {
			female_surname(root, p->surname, sizeof p->surname);
			snprintf(p->given, sizeof p->given, "%s", PICK(r, ru_female));
		} else {
			snprintf(p->surname, sizeof p->surname, "%s", root);
			snprintf(p->given, sizeof p->given, "%s", PICK(r, ru_male).name);
		}
		snprintf(p->patronymic, sizeof p->patronymic, "%s", p->female ? ru_male[f].daughter : ru_male[f].son);
	}
}

/* The passport number of person i: "AN" and 7 digits, a bijection of i below 10^7 (no two demo people share
   one). */
static void passport_number(long i, char out[16])
{
	uint64_t v = ((uint64_t)i * 3021377ULL + 1234567ULL) % 10000000ULL;
	snprintf(out, 16, "AN%07" PRIu64, v);
}

static enum db_status add_person_details(struct seeder *s, struct rng *r, long index, const struct person *p,
                                         const char *id, int registered_on, int64_t at)
{
	char doc[UUID_STR_LEN], number[32], issued[11], expires[11];
	passport_number(index, number);
	int issue_day = s->today - between(r, 30, 3600);
	if (issue_day < p->birth + 16 * 365)
		issue_day = p->birth + 16 * 365 + between(r, 0, 200);
	day_text(issue_day, issued);
	day_text(issue_day + 3652, expires);
	enum db_status rc = person_document_add(s->conn, id, "passport", number, "KG", issued, expires, at, doc);
	s->counts->documents++;
	if (rc == DB_OK && (p->returnee || p->dual_ru)) {
		/* A returnee's or a labour migrant's foreign document. */
		static const char *const countries[] = {"TR", "SY", "IQ"};
		const char *country = p->dual_ru ? "RU" : PICK(r, countries);
		unsigned a = below(r, 100000000u);
		if (strcmp(country, "RU") == 0)
			snprintf(number, sizeof number, "75 %07u", a % 10000000u);
		else if (strcmp(country, "TR") == 0)
			snprintf(number, sizeof number, "U%08u", a);
		else if (strcmp(country, "SY") == 0)
			snprintf(number, sizeof number, "N%09u", a);
		else
			snprintf(number, sizeof number, "A%08u", a);
		int day = s->today - between(r, 400, 3000);
		day_text(day, issued);
		day_text(day + (strcmp(country, "RU") == 0 ? 3652 : 1826), expires);
		rc = person_document_add(s->conn, id, "foreign_passport", number, country, issued, expires, at, doc);
		s->counts->documents++;
	}
	/* The registered address, and for some a different one where they actually live. */
	char address[256], from[11];
	for (int k = 0; k < (per_mille(r, 200) ? 2 : 1) && rc == DB_OK; k++) {
		const char *town = towns[p->home][below(r, 6)];
		int house = between(r, 1, 240);
		if (per_mille(r, 600))
			snprintf(address, sizeof address, "%s, %s, д. %d, кв. %d", town, PICK(r, streets), house,
			         between(r, 1, 120));
		else
			snprintf(address, sizeof address, "%s, %s, д. %d", town, PICK(r, streets), house);
		day_text(k == 0 ? registered_on : s->today - between(r, 10, 700), from);
		rc = person_address_add(s->conn, id, k == 0 ? "registered" : "actual", address, from, at, doc);
		s->counts->addresses++;
	}
	int phones = per_mille(r, 880) ? (per_mille(r, 200) ? 2 : 1) : 0;
	for (int k = 0; k < phones && rc == DB_OK; k++) {
		if (p->dual_ru && k == 1)
			snprintf(number, sizeof number, "+7 9%02u %03u %02u %02u", below(r, 100), below(r, 1000), below(r, 100),
			         below(r, 100));
		else
			snprintf(number, sizeof number, "+996 5%02u %03u %03u", below(r, 100), below(r, 1000), below(r, 1000));
		rc = person_phone_add(s->conn, id, number, k == 0 ? "mobile" : (p->dual_ru ? "Russia" : "relative"), at, doc);
		s->counts->phones++;
	}
	/* Some people have an alias, a second spelling of the name or a former name. */
	if (rc == DB_OK && per_mille(r, 120)) {
		char alias[800], latin[384];
		const char *kind = "spelling";
		const char *sl = latin_of(p->surname), *gl = latin_of(p->given);
		char s1[128], g1[64];
		bool ru_surname = russified(p->surname, s1, sizeof s1), ru_given = russified(p->given, g1, sizeof g1);
		if (ru_surname || ru_given) {
			snprintf(alias, sizeof alias, "%s %s", s1, g1);
		} else if (sl && gl && per_mille(r, 500) && latin_variant(sl, latin, sizeof latin)) {
			snprintf(alias, sizeof alias, "%s %s", latin, gl);
		} else if (p->female && p->kyrgyz && per_mille(r, 500)) {
			char maiden[128];
			female_surname(PICK(r, ky_surnames), maiden, sizeof maiden);
			snprintf(alias, sizeof alias, "%s %s", maiden, p->given);
			kind = "former_name";
		} else {
			snprintf(alias, sizeof alias, "%s", p->female ? PICK(r, nicknames_female) : PICK(r, nicknames_male));
			kind = "alias";
		}
		rc = person_alias_add(s->conn, id, alias, kind, at, doc);
		s->counts->aliases++;
	}
	return rc;
}

/* ---- cases ----------------------------------------------------------------------------------------- */

enum kind {
	PRE_TRIAL,
	EXECUTIVE,
	PENITENTIARY,
	POST_PENITENTIARY,
};

/* One case to open, with its dates as day numbers. */
struct plan {
	enum kind kind;
	int unit;
	int opened, closed;  /* closed 0: open */
	const char *close_reason;
	int consent;         /* post-penitentiary */
	/* the decision (executive, penitentiary) */
	const char *measure;
	int decided, start, term_months, remand;
};

static const char *const open_reasons[] = {
	"Запрос суда о досудебном докладе",
	"Приговор суда вступил в законную силу",
	"Подготовка к освобождению осуждённого",
	"Заявление лица о помощи после освобождения",
};

static void plan_executive(struct rng *r, struct plan *c, int unit, bool closed, int before)
{
	static const struct {
		const char *measure;
		int weight, min_months, max_months;
	} measures[] = {
		{"probation_supervision", 35, 12, 36},     {"suspended_sentence", 30, 12, 60},
		{"restriction_of_freedom", 12, 6, 36},     {"community_service", 13, 3, 12},
		{"conditional_early_release", 10, 6, 48},
	};
	unsigned w = below(r, 100), acc = 0;
	size_t m = 0;
	for (; m + 1 < COUNT(measures) && w >= acc + (unsigned)measures[m].weight; m++)
		acc += (unsigned)measures[m].weight;
	memset(c, 0, sizeof *c);
	c->kind = EXECUTIVE;
	c->unit = unit;
	c->measure = measures[m].measure;
	c->term_months = between(r, measures[m].min_months, measures[m].max_months);
	int term_days = c->term_months * 30;
	if (!closed) {
		c->start = before - between(r, 20, term_days > 40 ? term_days - 20 : 20);
	} else if (per_mille(r, 150)) {
		/* Revoked part-way: the court sent the person to serve the sentence. */
		c->start = before - between(r, 200, 1600);
		c->closed = c->start + between(r, 60, term_days > 61 ? term_days - 1 : 61);
		c->close_reason = "Отмена условного осуждения, направлен для отбывания наказания";
	} else {
		int end = before - between(r, 10, 1500);
		c->start = end - term_days;
		c->closed = end + between(r, 0, 5);
		c->close_reason = per_mille(r, 900) ? "Истёк испытательный срок" : "Передано в другой орган пробации";
	}
	if (c->closed > before)
		c->closed = before;
	c->decided = c->start - between(r, 10, 20);
	c->opened = c->start + between(r, 0, 10);
	if (c->opened > before)
		c->opened = before;
	if (c->closed && c->closed < c->opened)
		c->closed = c->opened;
}

static void plan_penitentiary(struct rng *r, struct plan *c, bool closed, int before)
{
	memset(c, 0, sizeof *c);
	c->kind = PENITENTIARY;
	c->unit = UNIT_COLONY;
	c->measure = "deprivation_of_liberty";
	c->term_months = between(r, 24, 144);
	c->remand = per_mille(r, 700) ? between(r, 20, 400) : 0;
	int release = closed ? before - between(r, 10, 1200) : before + between(r, 30, 540);
	c->start = release - c->term_months * 30 + c->remand;
	c->decided = c->start - between(r, 5, 30);
	/* The release plan starts in the institution a year or two before the release. */
	c->opened = release - between(r, 120, 720);
	if (c->opened < c->start)
		c->opened = c->start;
	if (c->opened > before)
		c->opened = before;
	if (closed) {
		c->closed = release < c->opened ? c->opened : release;
		c->close_reason = "Освобождён по отбытии срока";
	}
}

/* A pre-trial inquiry; a closed one ended up to `spread` days before `before`. */
static void plan_pre_trial(struct rng *r, struct plan *c, int unit, bool closed, int before, int spread)
{
	memset(c, 0, sizeof *c);
	c->kind = PRE_TRIAL;
	c->unit = unit;
	if (closed) {
		c->closed = before - between(r, 0, spread);
		c->opened = c->closed - between(r, 14, 30);
		c->close_reason = "Досудебный доклад направлен в суд";
	} else {
		c->opened = before - between(r, 0, 29);
	}
}

static void plan_post(struct rng *r, struct plan *c, int unit, bool closed, int after, int before)
{
	memset(c, 0, sizeof *c);
	c->kind = POST_PENITENTIARY;
	c->unit = unit;
	c->opened = after ? after + between(r, 3, 60) : before - between(r, 0, 700);
	if (c->opened > before)
		c->opened = before;
	c->consent = c->opened - between(r, 0, 3);
	if (after && c->consent < after)
		c->consent = after;
	if (closed) {
		c->closed = c->opened + between(r, 60, 365);
		if (c->closed > before)
			c->closed = before;
		c->close_reason = "Помощь оказана, дело закрыто по заявлению лица";
	}
}

/* A probation unit, weighted: Bishkek 45 %, Chui 30 %, Osh 25 %. */
static int probation_unit(struct rng *r)
{
	unsigned x = below(r, 100);
	return x < 45 ? UNIT_BISHKEK : x < 75 ? UNIT_CHUI : UNIT_OSH;
}

/*
 * The person's cases, oldest first. Per 1000 people: 800 executive, 40 pre-trial, 58 penitentiary,
 * 22 post-penitentiary, 30 pre-trial then executive, 20 penitentiary then post-penitentiary, 30 executive
 * then executive: 1080 cases, of which 6.4 % pre-trial, 82.4 % executive, 7.2 % penitentiary and 3.9 %
 * post-penitentiary, the proportions of the 2025 volumes.
 */
static int plan_cases(struct rng *r, int today, struct plan c[2])
{
	unsigned story = below(r, 1000);
	int unit = probation_unit(r);
	bool closed = per_mille(r, 250); /* mostly open */
	if (story < 800) {
		plan_executive(r, &c[0], unit, closed, today);
		return 1;
	}
	if (story < 840) {
		plan_pre_trial(r, &c[0], unit, closed, today, 1500);
		return 1;
	}
	if (story < 898) {
		plan_penitentiary(r, &c[0], closed, today);
		return 1;
	}
	if (story < 920) {
		plan_post(r, &c[0], unit, closed, 0, today);
		return 1;
	}
	if (story < 950) {
		/* The court asked for a pre-trial report, then sentenced. */
		plan_executive(r, &c[1], unit, closed, today);
		plan_pre_trial(r, &c[0], unit, true, c[1].decided - 5, 25);
		return 2;
	}
	if (story < 970) {
		plan_penitentiary(r, &c[0], true, today - between(r, 20, 400));
		plan_post(r, &c[1], unit, closed, c[0].closed, today);
		return 2;
	}
	plan_executive(r, &c[1], unit, closed, today);
	plan_executive(r, &c[0], unit, true, c[1].decided - between(r, 30, 400));
	return 2;
}

/* The milliseconds of a day at about office hours in Bishkek (UTC+6), at least ten minutes before now (the
   events of a record follow its first one by a few minutes). */
static int64_t at_day(const struct seeder *s, struct rng *r, int day)
{
	int64_t ms = (int64_t)day * DAY_MS + (3 * 3600 + (int64_t)below(r, 8 * 3600)) * 1000;
	return ms > s->now_ms - 600000 ? s->now_ms - 600000 : ms;
}

/* Closes a case as POST /api/v1/cases/{id}/close does. */
static enum db_status close_case(struct seeder *s, const char *id, const char *closed_on, const char *reason,
                                 const char *actor, int64_t at)
{
	struct buf detail = {0};
	buf_puts(&detail, "{\"reason\":");
	buf_json_string(&detail, reason);
	buf_puts(&detail, ",\"closed_on\":");
	buf_json_string(&detail, closed_on);
	buf_putc(&detail, '}');
	enum db_status rc = db_run(s->conn, NULL,
		"UPDATE case_file SET status = 'closed', closed_on = ?, close_reason = ?, updated_at = ?,"
		" version = version + 1 WHERE id = ?",
		"ttit", closed_on, reason, at, id);
	if (rc == DB_OK)
		rc = db_run(s->conn, NULL, "UPDATE case_assignment SET to_at = ? WHERE case_id = ? AND to_at IS NULL", "it",
		            at, id);
	if (rc == DB_OK)
		rc = case_event_add(s->conn, id, at, "case.closed", actor, "Case closed", detail.data, "case", id);
	buf_free(&detail);
	return rc;
}

/* Writes a note as POST /api/v1/cases/{id}/notes does (the row and its timeline event). */
static enum db_status add_note(struct seeder *s, struct rng *r, const char *case_id, const char *author, int64_t at,
                               bool kyrgyz, bool radical)
{
	const char *sensitivity = "normal", *nature, *source, *body;
	unsigned x = below(r, 1000);
	if (x < 70 || (radical && x < 300)) {
		sensitivity = "restricted";
		size_t i = radical ? 1 + below(r, 2) : below(r, (unsigned)COUNT(restricted_texts));
		nature = restricted_texts[i].nature;
		source = restricted_texts[i].source;
		body = kyrgyz ? restricted_texts[i].ky : restricted_texts[i].ru;
	} else {
		size_t i = below(r, (unsigned)COUNT(note_texts));
		if (x < 250)
			sensitivity = "sensitive";
		nature = note_texts[i].nature;
		source = note_texts[i].source;
		body = kyrgyz ? note_texts[i].ky : note_texts[i].ru;
	}
	const char *detail_s = per_mille(r, 300) ? PICK(r, source_details) : NULL;
	char note[UUID_STR_LEN], detail[160], summary[160];
	uuid_v7(note);
	snprintf(detail, sizeof detail, "{\"sensitivity\":\"%s\",\"nature\":\"%s\",\"source\":\"%s\"}", sensitivity, nature,
	         source);
	snprintf(summary, sizeof summary, "Note added (%s, %s, source: %s)", nature, sensitivity, source);
	enum db_status rc = db_run(s->conn, NULL,
		"INSERT INTO note (id, case_id, author_id, written_at, sensitivity, nature, source, source_detail, body)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"tttittttt", note, case_id, author, at, sensitivity, nature, source, detail_s, body);
	if (rc == DB_OK)
		rc = case_event_add(s->conn, case_id, at, "note.added", author, summary, detail, "note", note);
	s->counts->notes++;
	return rc;
}

/* The decision of an executive or penitentiary case, through decision_create (key dates computed). */
static enum db_status add_decision(struct seeder *s, struct rng *r, const char *case_id, const struct plan *c,
                                   const struct person *p, const char *actor, int64_t at, bool *radical_r,
                                   char id[UUID_STR_LEN], char duties[160])
{
	/* Articles by frequency; returnees were mostly sentenced for taking part in a conflict abroad. */
	static const struct {
		const char *code;
		int weight;
	} articles[] = {
		{"CC-130", 300}, {"CC-138", 150}, {"CC-122", 80}, {"CC-283", 180}, {"CC-166", 150},
		{"CC-327", 60},  {"CC-330", 30},  {"CC-252", 10}, {"CC-255", 10},  {"CC-256", 30},
	};
	const char *chosen[2];
	size_t n = per_mille(r, 250) ? 2 : 1;
	for (size_t i = 0; i < n; i++) {
		if (p->returnee && i == 0 && per_mille(r, 700)) {
			chosen[i] = per_mille(r, 800) ? "CC-256" : "CC-255";
			continue;
		}
		unsigned w = below(r, 1000), acc = 0;
		size_t k = 0;
		for (; k + 1 < COUNT(articles) && w >= acc + (unsigned)articles[k].weight; k++)
			acc += (unsigned)articles[k].weight;
		chosen[i] = articles[k].code;
	}
	if (n == 2 && strcmp(chosen[0], chosen[1]) == 0)
		n = 1;
	*radical_r = false;
	for (size_t i = 0; i < n; i++)
		*radical_r |= strcmp(chosen[i], "CC-252") == 0 || strcmp(chosen[i], "CC-255") == 0 ||
		              strcmp(chosen[i], "CC-256") == 0 || strcmp(chosen[i], "CC-327") == 0 ||
		              strcmp(chosen[i], "CC-330") == 0;
	/* Duties: reporting always; others by measure and offence. */
	duties[0] = '\0';
	if (c->kind == EXECUTIVE) {
		static const char *const optional[] = {"residence", "curfew", "travel", "work_study", "no_contact",
		                                       "exclusion"};
		snprintf(duties, 160, "report");
		bool used[COUNT(optional)] = {false};
		int extra = between(r, 1, 3);
		for (int i = 0; i < extra; i++) {
			size_t k = below(r, (unsigned)COUNT(optional));
			if (!used[k]) {
				used[k] = true;
				size_t len = strlen(duties);
				snprintf(duties + len, 160 - len, ",%s", optional[k]);
			}
		}
		if (*radical_r) {
			size_t len = strlen(duties);
			snprintf(duties + len, 160 - len, ",programme,internet");
		}
		if (strcmp(c->measure, "restriction_of_freedom") == 0 && per_mille(r, 300)) {
			size_t len = strlen(duties);
			snprintf(duties + len, 160 - len, ",electronic_monitoring");
		}
	}
	char decided[11], start[11], term[16], number[32];
	day_text(c->decided, decided);
	day_text(c->start, start);
	if (c->term_months % 12 == 0)
		snprintf(term, sizeof term, "%dy", c->term_months / 12);
	else if (c->term_months > 12)
		snprintf(term, sizeof term, "%dy%dm", c->term_months / 12, c->term_months % 12);
	else
		snprintf(term, sizeof term, "%dm", c->term_months);
	snprintf(number, sizeof number, "УД-%04u/%02d", below(r, 10000), day_year(c->decided) % 100);
	struct decision_fields f = {
		.authority = courts[c->unit][below(r, 4)],
		.number = number,
		.decided_on = decided,
		.measure = c->measure,
		.start_on = start,
		.term = term,
		.duties = duties,
		.articles = chosen,
		.narticles = n,
		.remand_days = c->remand,
	};
	struct decision_problem problem = {0};
	enum db_status rc = decision_create(s->conn, case_id, &f, actor, at, id, &problem);
	if (rc == DB_OK && problem.field) {
		fprintf(stderr, "kadam demo: a generated decision was refused: %s %s\n", problem.field, problem.message);
		rc = DB_MISUSE;
	}
	s->counts->decisions++;
	return rc;
}

static enum db_status open_case(struct seeder *s, struct rng *r, const char *person_id, const struct person *p,
                                const struct plan *c)
{
	char opened[11], consent[11], id[UUID_STR_LEN], number[16];
	day_text(c->opened, opened);
	day_text(c->consent, consent);
	/* About one case in ten waits for allocation; the unit's officer writes its intake notes. */
	bool allocated = per_mille(r, 900) || c->closed;
	const char *officer = s->officer[c->unit];
	struct case_fields f = {
		.person_id = person_id,
		.kind = case_kinds[c->kind],
		.unit_id = s->unit[c->unit],
		.officer_id = allocated ? officer : NULL,
		.opened_on = opened,
		.open_reason = open_reasons[c->kind],
		.consent_on = c->kind == POST_PENITENTIARY ? consent : NULL,
	};
	int64_t at = at_day(s, r, c->opened);
	enum db_status rc = case_open(s->conn, &f, officer, at, id, number);
	s->counts->cases++;
	s->counts->kinds[c->kind]++;
	s->counts->unallocated += !allocated;
	bool radical = p->returnee;
	char decision[UUID_STR_LEN] = "", duties[160] = "";
	if (rc == DB_OK && (c->kind == EXECUTIVE || c->kind == PENITENTIARY)) {
		bool r2 = false;
		rc = add_decision(s, r, id, c, p, officer, at + 60000, &r2, decision, duties);
		radical |= r2;
	}
	if (rc == DB_OK && c->kind == PRE_TRIAL && !c->closed) {
		char due[11], reference[32], request[UUID_STR_LEN];
		day_text(c->opened + 30, due);
		snprintf(reference, sizeof reference, "УД-%04u/%02d", below(r, 10000), day_year(c->opened) % 100);
		struct pretrial_fields pf = {.court = courts[c->unit][below(r, 4)], .court_reference = reference,
		                             .received_on = opened, .due_on = due, .language = p->kyrgyz ? "ky" : "ru"};
		rc = pretrial_create(s->conn, id, &pf, at + 60000, request);
		if (rc == DB_OK) {
			char summary[96], detail[200];
			snprintf(summary, sizeof summary, "Pre-trial report requested by the court, due %s", due);
			snprintf(detail, sizeof detail, "{\"due_on\":\"%s\",\"received_on\":\"%s\",\"request_id\":\"%s\"}", due,
			         opened, request);
			rc = case_event_add(s->conn, id, at + 60000, "pretrial.requested", officer, summary, detail,
			                    "pretrial_request", request);
		}
	}
	/* 1-4 notes between the opening and the closing (or today), in the person's language mostly. */
	int last = c->closed ? c->closed : s->today;
	int notes = between(r, 1, 4);
	int day = c->opened;
	int64_t latest = at + 60000;
	for (int i = 0; i < notes && rc == DB_OK; i++) {
		day += between(r, 0, (last - day) / (notes - i) + 1);
		if (day > last)
			day = last;
		bool kyrgyz = p->kyrgyz && per_mille(r, p->language[0] == 'k' ? 700 : 300);
		int64_t written = at_day(s, r, day) + 120000;
		if (written <= latest)
			written = latest + 60000;
		latest = written;
		rc = add_note(s, r, id, officer, written, kyrgyz, radical);
	}
	/* Conditions, level, plan, appointments: seeded from the case number, so the person's own data stays as it was. */
	if (rc == DB_OK && s->supervision) {
		char start[11], closed_on[11], today[11];
		day_text(c->kind == EXECUTIVE || c->kind == PENITENTIARY ? c->start : c->opened, start);
		day_text(c->closed, closed_on);
		day_text(s->today, today);
		uint64_t seed = 1469598103934665603ULL;
		for (const char *q = number; *q; q++)
			seed = (seed ^ (unsigned char)*q) * 1099511628211ULL;
		struct demo_case dc = {
			.case_id = id,
			.decision_id = decision[0] ? decision : NULL,
			.duties = duties,
			.officer_id = officer,
			.head_id = s->head[c->unit][0] ? s->head[c->unit] : NULL,
			.partner_agency_id = s->partner[0] ? s->partner : NULL,
			.unit_name = seeded_units[c->unit].name,
			.language = p->language,
			.opened_on = opened,
			.start_on = start,
			.closed_on = c->closed ? closed_on : NULL,
			.today = today,
			.unit = c->unit,
			.supervised = c->kind == EXECUTIVE,
			.planned = c->kind != PRE_TRIAL,
			.radical = radical,
			.at_ms = at + 120000,
			.latest_ms = c->closed ? (int64_t)c->closed * DAY_MS : s->now_ms - 600000,
			.seed = seed,
		};
		if (dc.latest_ms < dc.at_ms)
			dc.latest_ms = dc.at_ms;
		rc = demo_case_supervision(s->conn, &dc, &s->counts->supervision);
		if (latest < dc.latest_ms)
			latest = dc.latest_ms;
	}
	if (rc == DB_OK && c->closed) {
		char closed[11];
		day_text(c->closed, closed);
		int64_t when = at_day(s, r, c->closed) + 180000;
		rc = close_case(s, id, closed, c->close_reason, officer, when > latest ? when : latest + 60000);
		s->counts->closed++;
	}
	return rc;
}

/* Person `index` with everything that belongs to them. */
static enum db_status seed_one(struct seeder *s, long index)
{
	struct rng r = {.s = 0x4b6164616d000000ULL ^ ((uint64_t)index * 0x2545f4914f6cdd1dULL)};
	next(&r);
	struct person p = {0};
	struct plan cases[2];
	int ncases = plan_cases(&r, s->today, cases);
	p.kyrgyz = per_mille(&r, 820);
	p.female = per_mille(&r, 130);
	p.returnee = p.kyrgyz && !p.female && per_mille(&r, 15);
	p.dual_ru = !p.returnee && per_mille(&r, 40);
	p.home = cases[0].unit == UNIT_COLONY ? (int)below(&r, UNIT_COUNT) : cases[0].unit;
	if (p.home == UNIT_COLONY)
		p.home = probation_unit(&r);
	make_names(&r, &p);
	/* Born 1960-2005, and of age at the first case. */
	int earliest = cases[0].kind == PENITENTIARY || cases[0].kind == EXECUTIVE ? cases[0].decided : cases[0].opened;
	int lo = days_from_civil(1960, 1, 1), hi = days_from_civil(2005, 12, 31);
	if (hi > earliest - 18 * 366)
		hi = earliest - 18 * 366;
	p.birth = (between(&r, lo, hi) + between(&r, lo, hi)) / 2; /* more people in their thirties than at the ends */
	p.language = p.kyrgyz ? (per_mille(&r, 750) ? "ky" : "ru") : "ru";
	const char *languages;
	if (!p.kyrgyz)
		languages = per_mille(&r, 150) ? "ru,ky" : "ru";
	else if (p.home == UNIT_OSH && per_mille(&r, 250))
		languages = "ky,uz,ru";
	else
		languages = per_mille(&r, 650) ? "ky,ru" : "ky";
	char birth[11];
	day_text(p.birth, birth);
	const char *place = per_mille(&r, 50) ? PICK(&r, birth_places_abroad) : birth_places[p.home][below(&r, 9)];
	struct person_fields f = {
		.surname = p.surname,
		.given_name = p.given,
		.patronymic = p.patronymic[0] ? p.patronymic : NULL,
		.surname_latin = latin_of(p.surname),
		.given_name_latin = latin_of(p.given),
		.patronymic_latin = p.patronymic[0] ? latin_of(p.patronymic) : NULL,
		.sex = p.female ? "female" : "male",
		.birth_date = birth,
		.birth_place = place,
		.citizenship = "KG",
		.languages = languages,
		.preferred_language = p.language,
	};
	char id[UUID_STR_LEN];
	int first = cases[0].opened;
	int64_t at = at_day(s, &r, first);
	const char *actor = s->officer[cases[0].unit];
	enum db_status rc = person_create(s->conn, s->unit[cases[0].unit], &f, actor, at, id);
	s->counts->people++;
	if (rc == DB_OK) {
		int registered = p.birth + 18 * 365 + between(&r, 0, 3000);
		if (registered > first)
			registered = first - between(&r, 0, 300);
		rc = add_person_details(s, &r, index, &p, id, registered, at);
	}
	for (int i = 0; i < ncases && rc == DB_OK; i++)
		rc = open_case(s, &r, id, &p, &cases[i]);
	return rc;
}

enum db_status demo_people_count(db *conn, long *n_r)
{
	db_stmt *st = NULL;
	*n_r = 0;
	enum db_status rc = db_query(conn, &st, "SELECT COUNT(*) FROM person", "");
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		*n_r = (long)db_column_int64(st, 0);
		rc = DB_OK;
	}
	db_finalize(&st);
	return rc == DB_DONE ? DB_ERROR : rc;
}

/* The id a query with one parameter finds ("" when none). */
static enum db_status find_one_id(db *conn, const char *sql, const char *param, char id_r[UUID_STR_LEN])
{
	db_stmt *st = NULL;
	id_r[0] = '\0';
	enum db_status rc = db_query(conn, &st, sql, "t", param);
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW)
		snprintf(id_r, UUID_STR_LEN, "%s", db_column_text(st, 0, NULL));
	db_finalize(&st);
	return rc == DB_ROW || rc == DB_DONE ? DB_OK : rc;
}

/* The ids of the seeded units and their officers; false (with a message) when demo_seed() did not make them. */
static bool load_units(struct seeder *s, char **error_r)
{
	static const char *const heads[UNIT_COUNT] = {"head.bishkek", "head.service", "head.service", ""};
	s->partner[0] = '\0';
	if (find_one_id(s->conn, "SELECT id FROM agency WHERE name = ?", "Community Support NGO (demo)", s->partner) !=
	    DB_OK)
		s->partner[0] = '\0';
	for (int u = 0; u < UNIT_COUNT; u++) {
		db_stmt *st = NULL;
		s->unit[u][0] = s->officer[u][0] = s->head[u][0] = '\0';
		if (heads[u][0] && find_one_id(s->conn, "SELECT id FROM account WHERE login = ?", heads[u], s->head[u]) != DB_OK)
			s->head[u][0] = '\0';
		enum db_status rc = db_query(s->conn, &st,
			"SELECT u.id, (SELECT a.id FROM account a WHERE a.login = ?) FROM unit u JOIN agency g ON g.id = u.agency_id"
			" WHERE g.name = ? AND u.name = ?",
			"ttt", seeded_units[u].officer, seeded_units[u].agency, seeded_units[u].name);
		if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
			const char *unit = db_column_text(st, 0, NULL), *officer = db_column_text(st, 1, NULL);
			snprintf(s->unit[u], UUID_STR_LEN, "%s", unit ? unit : "");
			snprintf(s->officer[u], UUID_STR_LEN, "%s", officer ? officer : "");
		}
		db_finalize(&st);
		if (!s->unit[u][0] || !s->officer[u][0]) {
			*error_r = xasprintf("the demo unit \"%s\" or its account %s is missing", seeded_units[u].name,
			                     seeded_units[u].officer);
			return false;
		}
	}
	return true;
}

/* The one processing-log entry of a run, in the caller's transaction. */
static enum db_status log_run(db *conn, const struct demo_people_counts *c, long first, const char *outcome)
{
	char detail[600];
	snprintf(detail, sizeof detail,
	         "demo seeding: %ld synthetic people, nos. %ld to %ld (%ld documents, %ld addresses, %ld phones, %ld aliases),"
	         " %ld cases (%ld pre_trial, %ld executive, %ld penitentiary, %ld post_penitentiary; %ld closed),"
	         " %ld decisions, %ld notes, %ld conditions, %ld plans, %ld appointments, %ld contacts",
	         c->people, first + 1, first + c->people, c->documents, c->addresses, c->phones, c->aliases, c->cases, c->kinds[0], c->kinds[1],
	         c->kinds[2], c->kinds[3], c->closed, c->decisions, c->notes, c->supervision.conditions,
	         c->supervision.plans, c->supervision.appointments, c->supervision.contacts);
	struct audit_entry e = {.actor_login = "kadam demo (command line)", .action = AUDIT_COLLECT,
	                        .record_type = "person", .outcome = outcome, .detail = detail};
	return audit_append(conn, &e);
}

enum db_status demo_people(db *conn, long n, bool progress, bool supervision, struct demo_people_counts *counts_r,
                           char **error_r)
{
	struct seeder s = {.conn = conn, .counts = counts_r, .supervision = supervision};
	demo_supervision_reset();
	memset(counts_r, 0, sizeof *counts_r);
	*error_r = NULL;
	s.now_ms = clock_now_ms();
	s.today = (int)(s.now_ms / DAY_MS);
#ifdef M_TRIM_THRESHOLD
	/* Millions of statements each allocate and free a few kilobytes: without this glibc gives the top of the heap
	   back to the kernel and faults it in again, thousands of times a second (a tenth of the run). */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_TOP_PAD, 16 << 20);
#endif
	long first = 0;
	enum db_status rc = demo_people_count(conn, &first);
	if (rc != DB_OK) {
		*error_r = xasprintf("counting people: %s", db_errmsg(conn));
		return rc;
	}
	if (!load_units(&s, error_r))
		return DB_MISUSE;
	struct demo_people_counts committed = {0};
	int64_t started = clock_mono_ns();
	for (long done = 0; done < n && rc == DB_OK;) {
		long batch = n - done < DEMO_PEOPLE_BATCH ? n - done : DEMO_PEOPLE_BATCH;
		rc = db_begin(conn);
		for (long i = 0; i < batch && rc == DB_OK; i++)
			rc = seed_one(&s, first + done + i);
		if (rc == DB_OK && done + batch == n)
			rc = log_run(conn, counts_r, first, AUDIT_OUTCOME_SUCCESS);
		if (rc == DB_OK)
			rc = db_commit(conn);
		if (rc != DB_OK)
			break;
		done += batch;
		committed = *counts_r;
		if (progress && (done % 100000 == 0 || done == n) && n >= 100000)
			fprintf(stderr, "kadam demo: %ld of %ld people (%ld cases) in %.1f s\n", done, n, counts_r->cases,
			        (double)(clock_mono_ns() - started) / 1e9);
	}
	if (rc != DB_OK) {
		*error_r = xasprintf("seeding demo people: %s", db_errmsg(conn));
		db_rollback(conn);
		*counts_r = committed;
		/* What was committed before the failure is logged on its own. */
		if (committed.people && db_begin(conn) == DB_OK &&
		    (log_run(conn, &committed, first, AUDIT_OUTCOME_FAILURE) != DB_OK || db_commit(conn) != DB_OK))
			db_rollback(conn);
	}
	memo_free();
	demo_supervision_reset();
	return rc;
}
