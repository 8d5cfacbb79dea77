/*
 * access_requests.c — subject-access requests (S13): a person asks for the
 * data held on them; the law may set a deadline (one week under Kyrgyz Law
 * No. 58, setting access_request.due_days), which the list tracks. The export
 * gives everything held on the person, as JSON or a printable document in
 * ky, ru or en, with the lawful redactions counted and stated: restricted
 * notes, third parties' details and what third parties said in pre-trial
 * inquiries are withheld; nothing about any other person is included. The
 * export is logged as a disclosure to the data subject (S10).
 *
 * Electronic monitoring (issue 7) is part of each case: the orders with their
 * modes, dates, home address, effect on the household and curfew timetable;
 * the zones (an exclusion zone's boundary is withheld and counted: it often
 * protects another person's home); approved absences; the devices fitted and
 * removed; the device events; the device alerts with their outcome; and, for
 * the locations, how many were recorded on each UTC day rather than the
 * locations themselves, with a notice saying that any day's locations are
 * given on request to the probation unit while they are kept (the EM
 * retention period, S12). The evidence of an alert is not copied either.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/scope.h"
#include "api/validate.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "base/log.h"
#include "domain/keydates.h"
#include "domain/pretrial.h"
#include "em/fixstore.h"

static const char *const languages[] = {"ky", "ru", "en", NULL};
static const char *const channels[] = {"in_person", "letter", "email", "representative", NULL};
static const char *const closures[] = {"fulfilled", "refused", NULL};

/* ---- shared steps ------------------------------------------------------------------ */

/* "Surname Given Patronymic" from the three columns, which it removes from o. */
static void person_name(json_t *o)
{
	struct buf b = {0};
	const char *parts[] = {"surname", "given_name", "patronymic"};
	for (size_t i = 0; i < 3; i++) {
		const char *s = json_string_value(json_object_get(o, parts[i]));
		if (s && *s) {
			if (b.len)
				buf_putc(&b, ' ');
			buf_puts(&b, s);
		}
		json_object_del(o, parts[i]);
	}
	json_object_set_new(o, "person_name", json_string(b.data ? b.data : ""));
	buf_free(&b);
}

/* Adds days_left and is_overdue (an open request past its due date). */
static void add_deadline(json_t *o, const char *today)
{
	struct civil_date now, due;
	const char *status = json_string_value(json_object_get(o, "status"));
	if (!civil_date_parse(today, &now) || !civil_date_parse(json_string_value(json_object_get(o, "due_on")), &due)) {
		json_object_set_new(o, "days_left", json_null());
		json_object_set_new(o, "is_overdue", json_false());
		return;
	}
	int left = civil_date_diff_days(now, due);
	json_object_set_new(o, "days_left", json_integer(left));
	json_object_set_new(o, "is_overdue", json_boolean(status && strcmp(status, "open") == 0 && left < 0));
}

#define ITEM_COLUMNS \
	"SELECT r.id, r.person_id, pe.surname, pe.given_name, pe.patronymic, r.received_on, r.due_on, r.channel," \
	" r.status, r.language, r.outcome_note, r.closed_at, r.created_at, r.version" \
	" FROM access_request r JOIN person pe ON pe.id = r.person_id"

/* One request as the list shows it; NULL when missing (*failed_r false) or on error. */
static json_t *load_item(db *conn, const char *id, const char *today, bool *failed_r)
{
	json_t *item = api_select_one(conn, failed_r, ITEM_COLUMNS " WHERE r.id = ?", "t", id);
	if (item) {
		person_name(item);
		add_deadline(item, today);
	}
	return item;
}

/* Commits and answers with one request and its ETag. */
static void answer_item(struct http_request *req, struct http_response *resp, const char *id, int status)
{
	char today[11];
	bool failed = false;
	json_t *item = api_today(req->db, today) ? load_item(req->db, id, today, &failed) : NULL;
	if (!item) {
		api_db_failed(req, resp, "reading an access request");
		return;
	}
	api_commit_send(req, resp, status, item);
}

/* ---- the list ------------------------------------------------------------------------ */

void api_access_requests_list(struct http_request *req, struct http_response *resp)
{
	const char *status = http_request_query(req, "status");
	if (!status)
		status = "open";
	if (strcmp(status, "open") != 0 && strcmp(status, "fulfilled") != 0 && strcmp(status, "refused") != 0 &&
	    strcmp(status, "all") != 0) {
		struct field_errors fe = {0};
		field_error(&fe, "status", "must be one of: open, fulfilled, refused, all");
		field_errors_respond(&fe, resp, req);
		return;
	}
	char today[11];
	if (!api_begin(req, resp))
		return;
	/* The requests about people held by the caller's agency: registered by one of its units or with a case in one. */
	bool all = strcmp(status, "all") == 0;
	json_t *items = !api_today(req->db, today) ? NULL
		: api_select(req->db,
		             ITEM_COLUMNS " WHERE (pe.unit_id IN (SELECT id FROM unit WHERE agency_id = ?)"
		             " OR pe.id IN (SELECT c.person_id FROM case_file c JOIN unit u ON u.id = c.unit_id"
		             " WHERE u.agency_id = ?)) AND (r.status = ? OR ? = 'all') ORDER BY r.due_on, r.id LIMIT 1000",
		             "tttt", req->principal.agency_id, req->principal.agency_id, all ? "open" : status, status);
	if (!items || !api_audit(req, AUDIT_CONSULT, "access_request", NULL, AUDIT_OUTCOME_SUCCESS, "list")) {
		json_decref(items);
		api_db_failed(req, resp, "listing access requests");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(items);
		return;
	}
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		person_name(item);
		add_deadline(item, today);
		json_object_del(item, "version");
		json_object_del(item, "created_at");
	}
	http_response_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* ---- a new request ---------------------------------------------------------------------- */

static const struct field_rule create_rules[] = {
	{"person_id", FIELD_UUID, true, 0, 0, NULL},
	{"received_on", FIELD_DATE, true, 0, 0, NULL},
	{"channel", FIELD_ENUM, true, 0, 0, channels},
	{"language", FIELD_ENUM, true, 0, 0, languages},
};

void api_access_request_create(struct http_request *req, struct http_response *resp)
{
	struct field_errors fe = {0};
	if (!validate_object(req->json, create_rules, 4, &fe)) {
		field_errors_respond(&fe, resp, req);
		return;
	}
	const char *person = api_str(req, "person_id");
	struct record_scope s;
	char today[11];
	if (!api_begin(req, resp) || !scope_person(req, resp, person, &s))
		return;
	if (s.merged) {
		db_rollback(req->db);
		field_error(&fe, "person_id", "was merged into another record: register the request on that one");
		field_errors_respond(&fe, resp, req);
		return;
	}
	long due_days = 7;
	if (!api_today(req->db, today) || setting_number(req->db, "access_request.due_days", &due_days) != DB_OK) {
		api_db_failed(req, resp, "reading a setting");
		return;
	}
	struct civil_date received, due;
	civil_date_parse(api_str(req, "received_on"), &received);
	if (strcmp(api_str(req, "received_on"), today) > 0) {
		db_rollback(req->db);
		field_error(&fe, "received_on", "must not be in the future");
		field_errors_respond(&fe, resp, req);
		return;
	}
	due = civil_date_add_days(received, (int)due_days);
	char due_text[11], id[UUID_STR_LEN];
	civil_date_format(due, due_text);
	uuid_v7(id);
	int64_t now = clock_now_ms();
	if (db_run(req->db, NULL,
	           "INSERT INTO access_request (id, person_id, received_on, due_on, channel, status, language, created_at,"
	           " created_by) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?)",
	           "ttttttit", id, person, api_str(req, "received_on"), due_text, api_str(req, "channel"),
	           api_str(req, "language"), now, req->principal.account_id) != DB_OK ||
	    !scope_audit(req, &s, AUDIT_COLLECT, "access_request", id, person)) {
		api_db_failed(req, resp, "registering an access request");
		return;
	}
	answer_item(req, resp, id, 201);
}

/* ---- closing ---------------------------------------------------------------------------- */

static const struct field_rule close_rules[] = {
	{"status", FIELD_ENUM, true, 0, 0, closures},
	{"outcome_note", FIELD_STRING, false, 0, 2000, NULL},
};

void api_access_request_close(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	struct field_errors fe = {0};
	validate_object(req->json, close_rules, 2, &fe);
	const char *status = api_str(req, "status"), *note = api_str(req, "outcome_note");
	if (note && !*note)
		note = NULL;
	const json_t *given = json_object_get(req->json, "outcome_note");
	if (status && strcmp(status, "refused") == 0 && (!given || json_is_null(given) || json_is_string(given))) {
		if (!note)
			field_error(&fe, "outcome_note", "is required when the request is refused: give the reason and its legal basis");
		else if (utf8_length(note) < 10)
			field_error(&fe, "outcome_note", "must have at least 10 characters when the request is refused");
	}
	int64_t version = 0;
	if (field_errors_respond(&fe, resp, req))
		return;
	/* If-Match is optional: when sent, only the version the caller read is closed. */
	if (http_request_header(req, "If-Match") && !api_if_match(req, resp, &version))
		return;
	if (!api_begin(req, resp))
		return;
	bool failed = false;
	json_t *row = uuid_valid(id) ? api_select_one(req->db, &failed,
		"SELECT person_id, status, version FROM access_request WHERE id = ?", "t", id) : NULL;
	if (!row) {
		if (failed) {
			api_db_failed(req, resp, "reading an access request");
		} else {
			db_rollback(req->db);
			api_not_found(req, resp, "access request");
		}
		return;
	}
	char person[UUID_STR_LEN];
	snprintf(person, sizeof person, "%s", json_string_value(json_object_get(row, "person_id")));
	bool open = strcmp(json_string_value(json_object_get(row, "status")), "open") == 0;
	int64_t current = json_integer_value(json_object_get(row, "version"));
	json_decref(row);
	struct record_scope s;
	if (!scope_person(req, resp, person, &s))
		return;
	if (!open) {
		db_rollback(req->db);
		http_problem(resp, req, 409, "already-closed", "The request is closed",
		             "This subject-access request has already been closed.", NULL);
		return;
	}
	if (version && version != current) {
		db_rollback(req->db);
		http_problem(resp, req, 412, "precondition-failed", "The record has changed",
		             "Someone changed this request since you read it; read it again.", NULL);
		return;
	}
	int64_t changes = 0, now = clock_now_ms();
	if (db_run(req->db, &changes,
	           "UPDATE access_request SET status = ?, outcome_note = ?, closed_at = ?, version = version + 1"
	           " WHERE id = ? AND version = ?",
	           "ttiti", status, note, now, id, current) != DB_OK || changes != 1 ||
	    !scope_audit(req, &s, AUDIT_ALTER, "access_request", id, status)) {
		api_db_failed(req, resp, "closing an access request");
		return;
	}
	answer_item(req, resp, id, 200);
}

/* ---- the export ---------------------------------------------------------------------------- */

/* A text in ky, ru and en. */
struct text3 {
	const char *key, *ky, *ru, *en;
};

static const struct text3 texts[] = {
	{"title", "Сиз тууралуу сакталган жеке маалыматтар", "Хранящиеся о вас персональные данные",
	 "Personal data held about you"},
	{"request", "Жеке маалыматтарды алуу боюнча сурам", "Запрос субъекта персональных данных",
	 "Subject-access request"},
	{"generated", "Документ түзүлгөн күнү", "Документ сформирован", "Document generated"},
	{"person", "Жеке маалыматтар", "Личные данные", "Personal details"},
	{"aliases", "Башка аттары жана жазылыштары", "Другие имена и написания", "Other names and spellings"},
	{"documents", "Инсандыгын күбөлөндүрүүчү документтер", "Документы, удостоверяющие личность",
	 "Identity documents"},
	{"addresses", "Даректер", "Адреса", "Addresses"},
	{"phones", "Телефон номерлери", "Номера телефонов", "Phone numbers"},
	{"photo", "Сүрөт", "Фотография", "Photograph"},
	{"cases", "Иштер", "Дела", "Cases"},
	{"case", "Иш", "Дело", "Case"},
	{"decisions", "Чечимдер", "Решения", "Decisions"},
	{"key_dates", "Маанилүү даталар", "Ключевые даты", "Key dates"},
	{"notes", "Жазуулар", "Записи", "Notes"},
	{"timeline", "Иштин тарыхы", "История дела", "Case history"},
	{"pretrial_report", "Сотко чейинки баяндама", "Досудебный доклад", "Pre-trial report"},
	{"inquiries", "Иликтөөлөр", "Обследования", "Inquiries"},
	{"access_requests", "Маалымат алуу боюнча сурамдарыңыз", "Ваши запросы на доступ к данным",
	 "Your access requests"},
	{"withheld", "Берилбеген маалыматтар", "Непредоставленные сведения", "Information withheld"},
	{"none", "Жок", "Нет", "None"},
	{"surname", "Фамилиясы", "Фамилия", "Surname"},
	{"given_name", "Аты", "Имя", "Given name"},
	{"patronymic", "Атасынын аты", "Отчество", "Patronymic"},
	{"surname_latin", "Фамилиясы (латын тамгалары менен)", "Фамилия (латиницей)", "Surname (Latin letters)"},
	{"given_name_latin", "Аты (латын тамгалары менен)", "Имя (латиницей)", "Given name (Latin letters)"},
	{"patronymic_latin", "Атасынын аты (латын тамгалары менен)", "Отчество (латиницей)",
	 "Patronymic (Latin letters)"},
	{"sex", "Жынысы", "Пол", "Sex"},
	{"birth_date", "Туулган күнү", "Дата рождения", "Date of birth"},
	{"birth_place", "Туулган жери", "Место рождения", "Place of birth"},
	{"citizenship", "Жарандыгы", "Гражданство", "Citizenship"},
	{"languages", "Тилдери", "Языки", "Languages"},
	{"preferred_language", "Каалаган тили", "Предпочитаемый язык", "Preferred language"},
	{"created_at", "Катталган", "Зарегистрировано", "Recorded"},
	{"updated_at", "Акыркы өзгөртүү", "Последнее изменение", "Last changed"},
	{"name", "Аты", "Имя", "Name"},
	{"kind", "Түрү", "Вид", "Kind"},
	{"type", "Түрү", "Тип", "Type"},
	{"number", "Номери", "Номер", "Number"},
	{"country", "Берген өлкө", "Страна выдачи", "Issuing country"},
	{"issued_on", "Берилген күнү", "Дата выдачи", "Issued"},
	{"expires_on", "Жарактуулук мөөнөтү", "Действителен до", "Expires"},
	{"address", "Дареги", "Адрес", "Address"},
	{"valid_from", "Качандан", "С", "From"},
	{"valid_to", "Качанга чейин", "По", "To"},
	{"label", "Белгиси", "Пометка", "Label"},
	{"status", "Абалы", "Статус", "Status"},
	{"opened_on", "Ачылган күнү", "Дата открытия", "Opened"},
	{"open_reason", "Ачылуу негизи", "Основание открытия", "Why it was opened"},
	{"closed_on", "Жабылган күнү", "Дата закрытия", "Closed"},
	{"close_reason", "Жабылуу негизи", "Основание закрытия", "Why it was closed"},
	{"consent_on", "Өтүнүч берилген күн", "Дата обращения", "Request made"},
	{"unit_name", "Бөлүм", "Подразделение", "Unit"},
	{"authority", "Чечим чыгарган орган", "Орган, принявший решение", "Authority"},
	{"decided_on", "Чечим чыккан күн", "Дата решения", "Decided on"},
	{"measure", "Чара", "Мера", "Measure"},
	{"start_on", "Башталган күнү", "Дата начала", "Start"},
	{"term", "Мөөнөтү", "Срок", "Term"},
	{"remand_days", "Камакта өткөн күндөр", "Дни содержания под стражей", "Days on remand"},
	{"duties", "Милдеттер", "Обязанности", "Duties"},
	{"articles", "Беренелер", "Статьи", "Articles"},
	{"date", "Күнү", "Дата", "Date"},
	{"explanation", "Кантип эсептелген", "Как рассчитано", "How it was computed"},
	{"written_at", "Жазылган", "Дата записи", "Written"},
	{"sensitivity", "Купуялуулугу", "Конфиденциальность", "Sensitivity"},
	{"nature", "Мүнөзү", "Характер", "Nature"},
	{"source", "Булагы", "Источник", "Source"},
	{"body", "Мазмуну", "Содержание", "Text"},
	{"occurred_at", "Убактысы", "Время", "When"},
	{"summary", "Эмне болду", "Событие", "What happened"},
	{"received_on", "Кабыл алынган күнү", "Дата получения", "Received"},
	{"due_on", "Мөөнөтү", "Срок", "Due"},
	{"channel", "Кантип берилген", "Способ подачи", "Channel"},
	{"closed_at", "Жабылган", "Закрыт", "Closed"},
	{"outcome_note", "Жыйынтыгы", "Результат", "Outcome"},
	{"referrals", "Программаларга жолдомолор", "Направления в программы", "Referrals to programmes"},
	{"programme", "Программа", "Программа", "Programme"},
	{"provider", "Программаны өткөрүүчү", "Организация, проводящая программу", "Provider"},
	{"reason", "Негизи", "Основание", "Reason"},
	{"shared_fields", "Уюмга берилген маалыматтар", "Сведения, переданные организации", "What was shared with it"},
	{"shared_until", "Качанга чейин берилген", "Переданы до", "Shared until"},
	{"referred_on", "Жолдомо берилген күнү", "Дата направления", "Referred on"},
	{"outcome", "Натыйжасы", "Итог", "Outcome"},
	{"report", "Программанын жыйынтыгы боюнча отчёт", "Отчёт по итогам программы", "End-of-programme report"},
	{"report_on", "Отчёттун күнү", "Дата отчёта", "Report dated"},
	{"attendance", "Катышуу", "Посещаемость", "Attendance"},
	{"session_on", "Сабактын күнү", "Дата занятия", "Session"},
	{"absence_reason", "Келбегендин себеби", "Причина отсутствия", "Why absent"},
	{"progress_notes", "Программанын жүрүшү боюнча жазуулар", "Записи о ходе программы", "Progress notes"},
	{"written_on", "Жазылган күнү", "Дата записи", "Written on"},
	{"reintegration_needs", "Реинтеграция муктаждыктары", "Потребности реинтеграции", "Reintegration needs"},
	{"area", "Тармагы", "Область", "Area"},
	{"description", "Сүрөттөмө", "Описание", "Description"},
	{"owner_agency", "Жооптуу мекеме", "Ответственное ведомство", "Agency responsible"},
	{"release_plan", "Бошотууга даярдоо планы", "План подготовки к освобождению", "Release plan"},
	{"receiving_unit", "Кабыл алуучу бөлүм", "Принимающее подразделение", "Receiving unit"},
	{"transport", "Транспорт", "Транспорт", "Transport"},
	{"first_appointment", "Биринчи жолугушуу", "Первая встреча", "First appointment"},
	{"first_appointment_place", "Биринчи жолугушуунун орду", "Место первой встречи", "Where"},
	{"actions", "Иш-чаралар", "Мероприятия", "Actions"},
	{"panel_meetings", "Ведомстволор аралык кеңешмелер", "Межведомственные совещания", "Panel meetings"},
	{"held_on", "Өткөн күнү", "Дата проведения", "Held on"},
	{"agenda", "Күн тартиби", "Повестка", "Agenda"},
	{"text", "Мазмуну", "Содержание", "Text"},
	{"court", "Сот", "Суд", "Court"},
	{"court_reference", "Соттогу иштин номери", "Номер дела в суде", "Court reference"},
	{"submitted_at", "Сотко тапшырылган", "Представлен в суд", "Submitted to the court"},
	{"done_at", "Аткарылган", "Выполнено", "Done"},
	{"language", "Тили", "Язык", "Language"},
	{"fact", "Факт", "Факт", "Fact"},
	{"assessment", "Баа", "Оценка", "Assessment"},
	{"pre_trial", "Сотко чейинки пробация", "Досудебная пробация", "Pre-trial probation"},
	{"executive", "Аткаруу пробациясы", "Исполнительная пробация", "Executive probation"},
	{"penitentiary", "Пенитенциардык пробация", "Пенитенциарная пробация", "Penitentiary probation"},
	{"post_penitentiary", "Пенитенциардык мекемеден кийинки пробация", "Постпенитенциарная пробация",
	 "Post-penitentiary probation"},
	{"open", "Ачык", "Открыто", "Open"},
	{"suspended", "Токтотулган", "Приостановлено", "Suspended"},
	{"closed", "Жабык", "Закрыто", "Closed"},
	{"male", "Эркек", "Мужской", "Male"},
	{"female", "Аял", "Женский", "Female"},
	{"notice.restricted_notes", "Мыйзамга ылайык чектелген деп белгиленген жазуулар берилген жок: %lld.",
	 "Записи ограниченного доступа не предоставлены в соответствии с законом: %lld.",
	 "Notes marked restricted are withheld under the law: %lld."},
	{"notice.third_parties",
	 "Үй-бүлө мүчөлөрү жана башка үчүнчү жактар тууралуу маалыматтар алардын укуктарын коргоо үчүн берилген жок: %lld.",
	 "Сведения о членах семьи и других третьих лицах не предоставлены в целях защиты их прав: %lld.",
	 "Details of family members and other third parties are withheld to protect their rights: %lld."},
	{"notice.inquiry_findings",
	 "Сотко чейинки иликтөөдө үчүнчү жактардан (үй-бүлө, коңшулар, иш берүүчү) алынган маалыматтар берилген жок: %lld.",
	 "Сведения, полученные в ходе досудебного обследования от третьих лиц (семья, соседи, работодатель), не предоставлены: %lld.",
	 "What third parties (family, neighbours, employer) said in pre-trial inquiries is withheld: %lld."},
	{"notice.exclusion_zones",
	 "Тыюу салынган аймактардын так чек аралары башка адамдарды коргоо үчүн берилген жок: %lld.",
	 "Точные границы зон запрета не предоставлены в целях защиты других лиц: %lld.",
	 "The exact boundaries of exclusion zones are withheld to protect other people: %lld."},
	{"notice.em_locations",
	 "Электрондук көзөмөл аспабы жазган жайгашкан жерлер бул жерге көчүрүлгөн жок: ар бир күнү канча жазылганы гана"
	 " көрсөтүлгөн. Каалаган күндүн жайгашкан жерлери сакталып турган мөөнөттө пробация бөлүмүнө сурам боюнча берилет.",
	 "Местоположения, записанные устройством электронного мониторинга, сюда не скопированы: указано только, сколько их"
	 " записано за каждый день. Местоположения за любой день предоставляются по запросу в подразделение пробации, пока"
	 " они хранятся.",
	 "The locations recorded by the monitoring device are not copied here: only how many were recorded on each day."
	 " Any day's locations are given on request to the probation unit while they are kept."},
	{"monitoring", "Электрондук көзөмөл", "Электронный мониторинг", "Electronic monitoring"},
	{"em_curfew", "Коменданттык сааттын графиги", "График комендантского часа", "Curfew timetable"},
	{"em_zones", "Аймактар", "Зоны", "Zones"},
	{"em_absences", "Уруксат берилген жоктуктар", "Разрешённые отлучки", "Approved absences"},
	{"em_fittings", "Аспаптар", "Устройства", "Devices"},
	{"em_events", "Аспаптын окуялары", "События устройства", "Device events"},
	{"em_alerts", "Аспаптын сигналдары", "Сигналы устройства", "Device alerts"},
	{"em_location_days", "Жазылган жайгашкан жерлер (UTC күндөрү)", "Записанные местоположения (дни UTC)",
	 "Locations recorded (UTC days)"},
	{"modes", "Көзөмөлдүн түрлөрү", "Виды контроля", "Modes"},
	{"starts_on", "Башталышы", "Начало", "Starts"},
	{"ends_on", "Аяктоосу", "Окончание", "Ends"},
	{"home_address", "Үй дареги", "Домашний адрес", "Home address"},
	{"household_effect", "Үй-бүлөгө тийгизген таасири", "Влияние на домохозяйство", "Effect on the household"},
	{"ended_at", "Аяктаган", "Окончено", "Ended"},
	{"end_reason", "Аяктоо себеби", "Причина окончания", "Why it ended"},
	{"days", "Күндөрү", "Дни", "Days"},
	{"start_time", "Башталышы", "Начало", "From"},
	{"end_time", "Аягы", "Конец", "To"},
	{"shape", "Формасы", "Форма", "Shape"},
	{"buffer_m", "Эскертүү тилкеси (м)", "Полоса предупреждения (м)", "Warning band (m)"},
	{"starts_at", "Башталышы", "Начало", "From"},
	{"ends_at", "Аягы", "Конец", "To"},
	{"cancelled_at", "Жокко чыгарылган", "Отменено", "Cancelled"},
	{"device_kind", "Аспаптын түрү", "Вид устройства", "Device"},
	{"fitted_at", "Тагылган", "Установлено", "Fitted"},
	{"removed_at", "Чечилген", "Снято", "Removed"},
	{"removal_reason", "Чечүү себеби", "Причина снятия", "Why removed"},
	{"event", "Окуя", "Событие", "Event"},
	{"title", "Сигнал", "Сигнал", "Alert"},
	{"raised_at", "Пайда болгон", "Поступил", "Raised"},
	{"day", "Күнү", "День", "Day"},
	{"fixes", "Жазуулардын саны", "Число записей", "Locations recorded"},
	{"inclusion", "Уруксат берилген аймак", "Зона пребывания", "Inclusion zone"},
	{"exclusion", "Тыюу салынган аймак", "Зона запрета", "Exclusion zone"},
	{"notice.others", "Бул көчүрмөдө башка адамдар тууралуу маалымат жок.",
	 "Копия не содержит сведений о других лицах.", "This copy contains no information about other people."},
	{"notice.log",
	 "Сиздин маалыматтарыңыз менен ким, качан жана эмне кылганы тууралуу иштетүү журналынан көчүрмө өзүнчө сурам боюнча берилет.",
	 "Выписка из журнала обработки (кто, когда и что делал с вашими данными) предоставляется по отдельному запросу.",
	 "An extract from the processing log (who did what with your data, and when) is available on request."},
};

static const char *text(const char *key, const char *lang)
{
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
		if (strcmp(texts[i].key, key) == 0)
			return strcmp(lang, "ru") == 0 ? texts[i].ru : strcmp(lang, "en") == 0 ? texts[i].en : texts[i].ky;
	return key;
}

/* A value as a string for the document: translated codes where there is a text, numbers in decimal. */
static void put_value(struct buf *b, const char *key, const json_t *v, const char *lang)
{
	size_t klen = strlen(key);
	if (json_is_string(v) && klen > 3 && strcmp(key + klen - 3, "_at") == 0 && json_string_length(v) >= 16) {
		/* An instant the API wrote as RFC 3339 UTC: "2026-11-29T08:29:58.927Z" -> "2026-11-29 08:29 UTC". */
		const char *s = json_string_value(v);
		buf_append(b, s, 10);
		buf_putc(b, ' ');
		buf_append(b, s + 11, 5);
		buf_puts(b, " UTC");
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		bool coded = strcmp(key, "kind") == 0 || strcmp(key, "status") == 0 || strcmp(key, "sex") == 0 ||
		             strcmp(key, "nature") == 0;
		html_escape(b, coded ? text(s, lang) : s);
	} else if (json_is_object(v) && json_is_string(json_object_get(v, "formula"))) {
		html_escape(b, json_string_value(json_object_get(v, "formula")));
	} else if (json_is_integer(v)) {
		buf_printf(b, "%lld", (long long)json_integer_value(v));
	} else if (json_is_array(v)) {
		size_t i;
		const json_t *x;
		json_array_foreach(v, i, x) {
			if (i)
				buf_puts(b, ", ");
			html_escape(b, json_string_value(x));
		}
	} else if (json_is_boolean(v)) {
		buf_puts(b, json_is_true(v) ? "✓" : "—");
	} else {
		buf_puts(b, "—");
	}
}

static void heading(struct buf *b, const char *tag, const char *key, const char *lang)
{
	buf_printf(b, "<%s>", tag);
	html_escape(b, text(key, lang));
	buf_printf(b, "</%s>\n", tag);
}

/* An object as a two-column table, in the order of keys (those it has). */
static void put_object(struct buf *b, const json_t *o, const char *const *keys, const char *lang)
{
	buf_puts(b, "<table>\n");
	for (const char *const *k = keys; *k; k++) {
		const json_t *v = json_object_get(o, *k);
		if (!v)
			continue;
		buf_puts(b, "<tr><th>");
		html_escape(b, text(*k, lang));
		buf_puts(b, "</th><td class=\"text\">");
		put_value(b, *k, v, lang);
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</table>\n");
}

/* An array of objects as a table with one column per key; "None" when empty. */
static void put_list(struct buf *b, const json_t *list, const char *const *keys, const char *lang)
{
	if (!json_array_size(list)) {
		buf_puts(b, "<p class=\"muted\">");
		html_escape(b, text("none", lang));
		buf_puts(b, "</p>\n");
		return;
	}
	buf_puts(b, "<table class=\"list\">\n<thead><tr>");
	for (const char *const *k = keys; *k; k++) {
		buf_puts(b, "<th>");
		html_escape(b, text(*k, lang));
		buf_puts(b, "</th>");
	}
	buf_puts(b, "</tr></thead>\n<tbody>\n");
	size_t i;
	const json_t *o;
	json_array_foreach(list, i, o) {
		buf_puts(b, "<tr>");
		for (const char *const *k = keys; *k; k++) {
			buf_puts(b, "<td class=\"text\">");
			put_value(b, *k, json_object_get(o, *k), lang);
			buf_puts(b, "</td>");
		}
		buf_puts(b, "</tr>\n");
	}
	buf_puts(b, "</tbody>\n</table>\n");
}

static const char *const person_keys[] = {"surname", "given_name", "patronymic", "surname_latin", "given_name_latin",
                                          "patronymic_latin", "sex", "birth_date", "birth_place", "citizenship",
                                          "languages", "preferred_language", "created_at", "updated_at", NULL};
static const char *const alias_keys[] = {"name", "kind", NULL};
static const char *const document_keys[] = {"type", "number", "country", "issued_on", "expires_on", NULL};
static const char *const address_keys[] = {"kind", "address", "valid_from", "valid_to", NULL};
static const char *const phone_keys[] = {"number", "label", NULL};
static const char *const case_keys[] = {"number", "kind", "status", "unit_name", "opened_on", "open_reason",
                                        "consent_on", "closed_on", "close_reason", NULL};
static const char *const decision_keys[] = {"authority", "number", "decided_on", "measure", "articles", "start_on",
                                            "term", "remand_days", "duties", "status", NULL};
static const char *const key_date_keys[] = {"kind", "date", "explanation", NULL};
static const char *const note_keys[] = {"written_at", "nature", "source", "sensitivity", "body", NULL};
static const char *const event_keys[] = {"occurred_at", "summary", NULL};
static const char *const pretrial_keys[] = {"court", "court_reference", "received_on", "due_on", "status",
                                            "submitted_at", NULL};
static const char *const task_keys[] = {"kind", "status", "done_at", NULL};
static const char *const referral_keys[] = {"programme", "provider", "status", "reason", "shared_fields", "shared_until",
                                            "referred_on", "outcome", "report_on", "report", NULL};
static const char *const attendance_keys[] = {"session_on", "status", "absence_reason", NULL};
static const char *const progress_keys[] = {"written_on", "text", NULL};
static const char *const need_keys[] = {"area", "description", "owner_agency", "due_on", "status", "outcome_note",
                                        "closed_on", NULL};
static const char *const plan_keys[] = {"receiving_unit", "status", "address", "transport", "first_appointment",
                                        "first_appointment_place", "notes", NULL};
static const char *const action_keys[] = {"description", "owner_agency", "due_on", "status", NULL};
static const char *const meeting_keys[] = {"held_on", "agenda", "decisions", NULL};
static const char *const em_order_keys[] = {"status", "modes", "starts_on", "ends_on", "home_address",
                                            "household_effect", "created_at", "ended_at", "end_reason", NULL};
static const char *const em_curfew_keys[] = {"days", "start_time", "end_time", NULL};
static const char *const em_zone_keys[] = {"kind", "name", "shape", "buffer_m", "status", "created_at", NULL};
static const char *const em_absence_keys[] = {"starts_at", "ends_at", "reason", "cancelled_at", NULL};
static const char *const em_fitting_keys[] = {"device_kind", "fitted_at", "removed_at", "removal_reason", NULL};
static const char *const em_event_keys[] = {"occurred_at", "event", NULL};
static const char *const em_alert_keys[] = {"raised_at", "title", "summary", "status", "outcome", NULL};
static const char *const em_day_keys[] = {"day", "fixes", NULL};
static const char *const request_keys[] = {"received_on", "due_on", "channel", "status", "closed_at",
                                           "outcome_note", NULL};

/* The counted redactions as sentences in the language; each a malloc'd string appended to notices. */
static void notices(json_t *out, const json_t *withheld, const char *lang)
{
	static const char *const kinds[] = {"restricted_notes", "third_parties", "inquiry_findings", "exclusion_zones"};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		json_int_t n = json_integer_value(json_object_get(withheld, kinds[i]));
		if (!n)
			continue;
		char key[48];
		snprintf(key, sizeof key, "notice.%s", kinds[i]);
		/* The format is one of the fixed texts above, with exactly one %lld. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		char *sentence = xasprintf(text(key, lang), (long long)n);
#pragma GCC diagnostic pop
		json_array_append_new(out, json_string(sentence));
		free(sentence);
	}
	json_array_append_new(out, json_string(text("notice.others", lang)));
	json_array_append_new(out, json_string(text("notice.log", lang)));
}

/* The template's label of a code of a pre-trial report ("task.family", "status.in_progress"). */
static const char *pretrial_code_label(const char *prefix, const json_t *o, const char *member, const char *lang)
{
	char key[64];
	snprintf(key, sizeof key, "%s.%s", prefix, json_string_value(json_object_get(o, member)));
	const char *label = pretrial_label(key, lang);
	return label == key ? json_string_value(json_object_get(o, member)) : label;
}

static void render_export(struct buf *b, const json_t *x, const char *lang)
{
	const json_t *person = json_object_get(x, "person");
	const json_t *request = json_object_get(x, "access_request");
	html_document_begin(b, lang, text("title", lang));
	heading(b, "h1", "title", lang);
	buf_puts(b, "<p class=\"muted\">");
	html_escape(b, text("request", lang));
	buf_puts(b, ": ");
	html_escape(b, json_string_value(json_object_get(request, "received_on")));
	buf_puts(b, " · ");
	html_escape(b, text("generated", lang));
	buf_puts(b, ": ");
	html_escape(b, json_string_value(json_object_get(x, "generated_on")));
	buf_puts(b, "</p>\n<div class=\"notice\">\n");
	size_t i;
	const json_t *v;
	json_array_foreach(json_object_get(x, "notices"), i, v) {
		buf_puts(b, "<p>");
		html_escape(b, json_string_value(v));
		buf_puts(b, "</p>\n");
	}
	buf_puts(b, "</div>\n");
	heading(b, "h2", "person", lang);
	put_object(b, person, person_keys, lang);
	const json_t *photo = json_object_get(x, "photo");
	if (json_is_object(photo)) {
		heading(b, "h3", "photo", lang);
		buf_puts(b, "<p><img alt=\"\" src=\"data:");
		html_escape(b, json_string_value(json_object_get(photo, "content_type")));
		buf_puts(b, ";base64,");
		html_escape(b, json_string_value(json_object_get(photo, "data_base64")));
		buf_puts(b, "\"></p>\n");
	}
	heading(b, "h2", "aliases", lang);
	put_list(b, json_object_get(x, "aliases"), alias_keys, lang);
	heading(b, "h2", "documents", lang);
	put_list(b, json_object_get(x, "documents"), document_keys, lang);
	heading(b, "h2", "addresses", lang);
	put_list(b, json_object_get(x, "addresses"), address_keys, lang);
	heading(b, "h2", "phones", lang);
	put_list(b, json_object_get(x, "phones"), phone_keys, lang);
	heading(b, "h2", "cases", lang);
	const json_t *cases = json_object_get(x, "cases"), *c;
	if (!json_array_size(cases))
		put_list(b, cases, case_keys, lang);
	json_array_foreach(cases, i, c) {
		buf_puts(b, "<section>\n<h3>");
		html_escape(b, text("case", lang));
		buf_puts(b, " ");
		html_escape(b, json_string_value(json_object_get(c, "number")));
		buf_puts(b, "</h3>\n");
		put_object(b, c, case_keys, lang);
		heading(b, "h4", "decisions", lang);
		const json_t *decisions = json_object_get(c, "decisions"), *d;
		size_t j;
		if (!json_array_size(decisions))
			put_list(b, decisions, decision_keys, lang);
		json_array_foreach(decisions, j, d) put_object(b, d, decision_keys, lang);
		heading(b, "h4", "key_dates", lang);
		put_list(b, json_object_get(c, "key_dates"), key_date_keys, lang);
		heading(b, "h4", "notes", lang);
		put_list(b, json_object_get(c, "notes"), note_keys, lang);
		heading(b, "h4", "referrals", lang);
		const json_t *refs = json_object_get(c, "referrals"), *ref;
		if (!json_array_size(refs))
			put_list(b, refs, referral_keys, lang);
		json_array_foreach(refs, j, ref) {
			put_object(b, ref, referral_keys, lang);
			heading(b, "h5", "attendance", lang);
			put_list(b, json_object_get(ref, "attendance"), attendance_keys, lang);
			heading(b, "h5", "progress_notes", lang);
			put_list(b, json_object_get(ref, "progress_notes"), progress_keys, lang);
		}
		heading(b, "h4", "reintegration_needs", lang);
		put_list(b, json_object_get(c, "reintegration_needs"), need_keys, lang);
		const json_t *plan = json_object_get(c, "release_plan");
		if (json_is_object(plan)) {
			heading(b, "h4", "release_plan", lang);
			put_object(b, plan, plan_keys, lang);
			heading(b, "h5", "actions", lang);
			put_list(b, json_object_get(plan, "actions"), action_keys, lang);
			heading(b, "h5", "panel_meetings", lang);
			put_list(b, json_object_get(plan, "panel_meetings"), meeting_keys, lang);
		}
		const json_t *pretrial = json_object_get(c, "pretrial_report");
		if (json_is_object(pretrial)) {
			heading(b, "h4", "pretrial_report", lang);
			json_t *shown = json_deep_copy(pretrial);
			json_object_set_new(shown, "status", json_string(pretrial_code_label("status", pretrial, "status", lang)));
			put_object(b, shown, pretrial_keys, lang);
			json_decref(shown);
			const json_t *report = json_object_get(pretrial, "report");
			const json_t *section;
			json_array_foreach(json_object_get(pretrial_template(), "sections"), j, section) {
				const char *sid = json_string_value(json_object_get(section, "id"));
				const char *body = json_string_value(json_object_get(report, sid));
				if (!body)
					continue;
				buf_puts(b, "<p><strong>");
				html_escape(b, json_string_value(json_object_get(json_object_get(section, "title"), lang)));
				buf_puts(b, "</strong> <span class=\"label\">(");
				html_escape(b, text(json_string_value(json_object_get(section, "nature")), lang));
				buf_puts(b, ")</span></p>\n<div class=\"text\">");
				html_escape(b, body);
				buf_puts(b, "</div>\n");
			}
			json_t *tasks = json_deep_copy(json_object_get(pretrial, "tasks")), *task;
			json_array_foreach(tasks, j, task) {
				json_object_set_new(task, "kind", json_string(pretrial_code_label("task", task, "kind", lang)));
				json_object_set_new(task, "status", json_string(pretrial_code_label("task_status", task, "status", lang)));
			}
			put_list(b, tasks, task_keys, lang);
			json_decref(tasks);
		}
		const json_t *orders = json_object_get(c, "monitoring"), *o;
		if (json_array_size(orders))
			heading(b, "h4", "monitoring", lang);
		json_array_foreach(orders, j, o) {
			put_object(b, o, em_order_keys, lang);
			heading(b, "h5", "em_curfew", lang);
			put_list(b, json_object_get(o, "curfew"), em_curfew_keys, lang);
			heading(b, "h5", "em_zones", lang);
			put_list(b, json_object_get(o, "zones"), em_zone_keys, lang);
			heading(b, "h5", "em_absences", lang);
			put_list(b, json_object_get(o, "absences"), em_absence_keys, lang);
			heading(b, "h5", "em_fittings", lang);
			put_list(b, json_object_get(o, "fittings"), em_fitting_keys, lang);
			heading(b, "h5", "em_events", lang);
			put_list(b, json_object_get(o, "device_events"), em_event_keys, lang);
			heading(b, "h5", "em_alerts", lang);
			put_list(b, json_object_get(o, "alerts"), em_alert_keys, lang);
			heading(b, "h5", "em_location_days", lang);
			put_list(b, json_object_get(o, "location_days"), em_day_keys, lang);
		}
		heading(b, "h4", "timeline", lang);
		put_list(b, json_object_get(c, "timeline"), event_keys, lang);
		buf_puts(b, "</section>\n");
	}
	heading(b, "h2", "access_requests", lang);
	put_list(b, json_object_get(x, "access_requests"), request_keys, lang);
	buf_puts(b, "<footer class=\"muted\">Kadam</footer>\n");
	html_document_end(b);
}

/* A count from a query with one COUNT(*) column; -1 on error. */
static long long count(db *conn, const char *sql, const char *id)
{
	bool failed = false;
	json_t *row = api_select_one(conn, &failed, sql, "t", id);
	long long n = row ? (long long)json_integer_value(json_object_get(row, "n")) : -1;
	json_decref(row);
	return failed ? -1 : n;
}

/* The photo as {content_type, uploaded_at, data_base64}, json null when none; NULL on error. */
static json_t *photo_json(db *conn, const char *person)
{
	db_stmt *st = NULL;
	enum db_status rc = db_query(conn, &st,
		"SELECT content_type, uploaded_at, content FROM person_photo WHERE person_id = ?", "t", person);
	json_t *out = NULL;
	if (rc == DB_OK && (rc = db_step(st)) == DB_ROW) {
		size_t len = 0;
		const void *bytes = db_column_blob(st, 2, &len);
		size_t size = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
		char *b64 = xmalloc(size);
		sodium_bin2base64(b64, size, bytes, len, sodium_base64_VARIANT_ORIGINAL);
		char when[32];
		clock_format_rfc3339(db_column_int64(st, 1), when);
		out = json_pack("{s:s, s:s, s:s}", "content_type", db_column_text(st, 0, NULL), "uploaded_at", when,
		                "data_base64", b64);
		free(b64);
	} else if (rc == DB_DONE) {
		out = json_null();
	}
	db_finalize(&st);
	return out;
}

/* Counts of fixes per UTC day (a JSON object day -> n), filled by fixstore_read. */
static void day_count(void *ctx, const struct stored_fix *f)
{
	json_t *days = ctx;
	char at[32];
	clock_format_rfc3339(f->fix.at_ms, at);
	at[10] = '\0';
	json_t *n = json_object_get(days, at);
	json_object_set_new(days, at, json_integer(n ? json_integer_value(n) + 1 : 1));
}

/*
 * A monitoring order of the person as the export shows it (S13): its modes and dates, curfew, zones (an exclusion
 * zone's boundary withheld, counted in *exclusion_r), absences, fittings, device events, device alerts and the
 * number of locations recorded per UTC day. False on a database error.
 */
static bool em_order_export(db *conn, json_t *o, const char *lang, long long *exclusion_r)
{
	const char *oid = json_string_value(json_object_get(o, "id"));
	static const char *const modes[] = {"curfew", "inclusion", "exclusion", "trail", NULL};
	json_t *m = json_array();
	for (const char *const *p = modes; *p; p++) {
		char key[24];
		snprintf(key, sizeof key, "mode_%s", *p);
		if (json_integer_value(json_object_get(o, key)))
			json_array_append_new(m, json_string(*p));
		json_object_del(o, key);
	}
	json_object_set_new(o, "modes", m);
	json_t *curfew = api_select(conn,
		"SELECT days, start_time, end_time FROM em_curfew_window WHERE order_id = ? ORDER BY id", "t", oid);
	json_t *zones = api_select(conn,
		"SELECT kind, name, shape, geojson, center_lat, center_lon, radius_m, buffer_m, status, retire_reason,"
		" created_at FROM em_zone WHERE order_id = ? ORDER BY created_at, id", "t", oid);
	json_t *absences = api_select(conn,
		"SELECT starts_at, ends_at, reason, covers_zones AS is_covers_zones, approved_at, cancelled_at, cancel_reason"
		" FROM em_absence WHERE order_id = ? ORDER BY starts_at, id", "t", oid);
	json_t *fittings = api_select(conn,
		"SELECT d.kind AS device_kind, d.num AS num_, f.fitted_at, f.fitted_at AS fitted_ms_, f.removed_at,"
		" f.removed_at AS removed_ms_, f.removal_reason FROM em_fitting f JOIN em_device d ON d.id = f.device_id"
		" WHERE f.order_id = ? ORDER BY f.fitted_at, f.id", "t", oid);
	json_t *events = api_select(conn,
		"SELECT e.at AS occurred_at, e.event FROM em_fitting f JOIN em_device d ON d.id = f.device_id"
		" JOIN em_device_event e ON e.device_num = d.num WHERE f.order_id = ? AND e.at >= f.fitted_at"
		" AND (f.removed_at IS NULL OR e.at < f.removed_at) ORDER BY e.at, e.id LIMIT 10000", "t", oid);
	char *like = xasprintf("em:%%:%s:%%", oid);
	json_t *alerts = api_select(conn,
		"SELECT al.raised_at, al.rule_code, r.title_ky, r.title_ru, r.title_en, al.severity, al.summary, al.status,"
		" al.outcome, al.closed_at FROM alert al LEFT JOIN compliance_rule r ON r.code = al.rule_code"
		" WHERE al.source = 'device' AND al.dedupe_key LIKE ? ORDER BY al.raised_at, al.id", "t", like);
	free(like);
	bool ok = curfew && zones && absences && fittings && events && alerts;
	size_t i;
	json_t *z;
	json_array_foreach(zones, i, z) {
		bool exclusion = strcmp(json_string_value(json_object_get(z, "kind")), "exclusion") == 0;
		const char *g = json_string_value(json_object_get(z, "geojson"));
		json_t *geometry = g && !exclusion ? json_loads(g, 0, NULL) : NULL;
		json_object_set_new(z, "geometry", geometry ? geometry : json_null());
		json_object_del(z, "geojson");
		if (exclusion) {
			json_object_del(z, "center_lat");
			json_object_del(z, "center_lon");
			json_object_del(z, "radius_m");
			json_object_set_new(z, "boundary_withheld", json_true());
			(*exclusion_r)++;
		}
	}
	json_array_foreach(alerts, i, z) {
		const char *column = strcmp(lang, "ru") == 0 ? "title_ru" : strcmp(lang, "en") == 0 ? "title_en" : "title_ky";
		json_object_set(z, "title", json_object_get(z, column));
		json_object_del(z, "title_ky");
		json_object_del(z, "title_ru");
		json_object_del(z, "title_en");
	}
	/* The locations per UTC day of each fitting, within its period (never another wearer's). */
	json_t *days = json_object();
	int64_t now = clock_now_ms();
	json_array_foreach(fittings, i, z) {
		int64_t from = json_integer_value(json_object_get(z, "fitted_ms_")), to = now;
		if (json_is_integer(json_object_get(z, "removed_ms_")))
			to = json_integer_value(json_object_get(z, "removed_ms_"));
		size_t n = 0;
		if (ok && to > from)
			ok = fixstore_read(conn, json_integer_value(json_object_get(z, "num_")), from, to, 0, day_count, days,
			                   &n) == DB_OK;
		json_object_del(z, "num_");
		json_object_del(z, "fitted_ms_");
		json_object_del(z, "removed_ms_");
	}
	json_t *location_days = json_array();
	const char *day;
	json_t *n;
	json_object_foreach(days, day, n) {
		json_array_append_new(location_days, json_pack("{s:s, s:O}", "day", day, "fixes", n));
	}
	json_decref(days);
	/* Days in order (the object's keys are not). */
	size_t count = json_array_size(location_days);
	for (size_t a = 1; a < count; a++)
		for (size_t b = a; b > 0; b--) {
			json_t *x = json_array_get(location_days, b - 1), *y = json_array_get(location_days, b);
			if (strcmp(json_string_value(json_object_get(x, "day")), json_string_value(json_object_get(y, "day"))) <= 0)
				break;
			json_incref(x);
			json_array_set(location_days, b - 1, y);
			json_array_set_new(location_days, b, x);
		}
	json_object_set_new(o, "curfew", curfew ? curfew : json_array());
	json_object_set_new(o, "zones", zones ? zones : json_array());
	json_object_set_new(o, "absences", absences ? absences : json_array());
	json_object_set_new(o, "fittings", fittings ? fittings : json_array());
	json_object_set_new(o, "device_events", events ? events : json_array());
	json_object_set_new(o, "alerts", alerts ? alerts : json_array());
	json_object_set_new(o, "location_days", location_days);
	json_object_del(o, "id");
	return ok;
}

/* Everything held on a person, with the withheld counts; NULL on a database error. */
static json_t *gather(db *conn, const char *id, const char *lang)
{
	bool failed = false;
	json_t *x = json_object();
	json_t *person = api_select_one(conn, &failed,
		"SELECT id, surname, given_name, patronymic, surname_latin, given_name_latin, patronymic_latin, sex,"
		" birth_date, birth_place, citizenship, languages, preferred_language, created_at, updated_at"
		" FROM person WHERE id = ?", "t", id);
	if (!person) {
		json_decref(x);
		return NULL;
	}
	/* languages is stored comma-separated. */
	json_t *langs = json_array();
	char *list = xstrdup(json_string_value(json_object_get(person, "languages")));
	char *save = NULL;
	for (char *l = strtok_r(list, ",", &save); l; l = strtok_r(NULL, ",", &save))
		json_array_append_new(langs, json_string(l));
	free(list);
	json_object_set_new(person, "languages", langs);
	json_object_set_new(x, "person", person);
	json_object_set_new(x, "photo", photo_json(conn, id));
	json_object_set_new(x, "aliases", api_select(conn,
		"SELECT name, kind, created_at FROM person_alias WHERE person_id = ? ORDER BY created_at, id", "t", id));
	json_object_set_new(x, "documents", api_select(conn,
		"SELECT type, number, country, issued_on, expires_on, created_at FROM person_document"
		" WHERE person_id = ? ORDER BY created_at, id", "t", id));
	json_object_set_new(x, "addresses", api_select(conn,
		"SELECT kind, address, valid_from, valid_to, created_at FROM person_address WHERE person_id = ?"
		" ORDER BY valid_from, created_at, id", "t", id));
	json_object_set_new(x, "phones", api_select(conn,
		"SELECT number, label, created_at FROM person_phone WHERE person_id = ? ORDER BY created_at, id", "t", id));
	json_object_set_new(x, "access_requests", api_select(conn,
		"SELECT received_on, due_on, channel, status, language, outcome_note, closed_at FROM access_request"
		" WHERE person_id = ? ORDER BY received_on, id", "t", id));
	json_t *cases = api_select(conn,
		"SELECT c.id, c.number, c.kind, c.status, u.name AS unit_name, c.opened_on, c.open_reason, c.consent_on,"
		" c.closed_on, c.close_reason FROM case_file c JOIN unit u ON u.id = c.unit_id WHERE c.person_id = ?"
		" ORDER BY c.opened_on, c.id", "t", id);
	json_object_set_new(x, "cases", cases);
	long long restricted = 0, findings = 0, exclusion = 0;
	bool monitored = false, em_ok = true;
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		const char *cid = json_string_value(json_object_get(c, "id"));
		json_t *decisions = api_select(conn,
			"SELECT id, authority, number, decided_on, measure, start_on, term, remand_days, duties, status"
			" FROM decision WHERE case_id = ? ORDER BY decided_on, created_at, id", "t", cid);
		json_t *articles = api_select(conn,
			"SELECT da.decision_id, da.article FROM decision_article da JOIN decision d ON d.id = da.decision_id"
			" WHERE d.case_id = ? ORDER BY da.article", "t", cid);
		size_t j, k;
		json_t *d, *a;
		json_array_foreach(decisions, j, d) {
			json_t *codes = json_array();
			json_array_foreach(articles, k, a) {
				if (json_equal(json_object_get(a, "decision_id"), json_object_get(d, "id")))
					json_array_append(codes, json_object_get(a, "article"));
			}
			json_object_set_new(d, "articles", codes);
			json_object_del(d, "id");
		}
		json_decref(articles);
		json_object_set_new(c, "decisions", decisions);
		json_t *key_dates = api_select(conn,
			"SELECT kind, date, explanation FROM key_date WHERE case_id = ? ORDER BY kind", "t", cid);
		json_array_foreach(key_dates, j, d) {
			/* The explanation is stored as JSON (the steps and a formula in one English line). */
			json_t *why = json_loads(json_string_value(json_object_get(d, "explanation")), 0, NULL);
			if (why)
				json_object_set_new(d, "explanation", why);
		}
		json_object_set_new(c, "key_dates", key_dates);
		/* Restricted notes are withheld and counted; sources are given by kind, never by name. */
		json_object_set_new(c, "notes", api_select(conn,
			"SELECT written_at, nature, source, sensitivity, body FROM note WHERE case_id = ?"
			" AND sensitivity <> 'restricted' ORDER BY written_at, id", "t", cid));
		long long n = count(conn, "SELECT COUNT(*) AS n FROM note WHERE case_id = ? AND sensitivity = 'restricted'",
		                    cid);
		restricted = n < 0 || restricted < 0 ? -1 : restricted + n;
		json_object_set_new(c, "timeline", api_select(conn,
			"SELECT at AS occurred_at, kind, summary FROM case_event WHERE case_id = ? ORDER BY at, id", "t", cid));
		json_t *pretrial = api_select_one(conn, &failed,
			"SELECT id, court, court_reference, received_on, due_on, status, language, report, submitted_at"
			" FROM pretrial_request WHERE case_id = ?", "t", cid);
		if (pretrial) {
			const char *pid = json_string_value(json_object_get(pretrial, "id"));
			json_t *report = json_loads(json_string_value(json_object_get(pretrial, "report")), 0, NULL);
			json_object_set_new(pretrial, "report", json_is_object(report) ? report : json_object());
			if (!json_is_object(report))
				json_decref(report);
			/* What family, neighbours and employers said is theirs as much as the person's: withheld, counted. */
			json_object_set_new(pretrial, "tasks", api_select(conn,
				"SELECT kind, status, done_at FROM pretrial_task WHERE request_id = ? ORDER BY CASE kind"
				" WHEN 'family' THEN 1 WHEN 'neighbours' THEN 2 WHEN 'employer' THEN 3 WHEN 'living_conditions' THEN 4"
				" WHEN 'school' THEN 5 ELSE 6 END, created_at, id", "t",
				pid));
			n = count(conn, "SELECT COUNT(*) AS n FROM pretrial_task WHERE request_id = ? AND findings IS NOT NULL"
			                " AND findings <> ''", pid);
			findings = n < 0 || findings < 0 ? -1 : findings + n;
			json_object_del(pretrial, "id");
		}
		json_object_set_new(c, "pretrial_report", pretrial ? pretrial : json_null());
		/* Programmes and reintegration (issue 9): the person's referrals with what each shared, until when,
		   their attendance, the provider's notes and report; the reintegration needs; the release plan with its
		   actions and the panel's decisions (who attended is theirs: withheld). */
		json_t *referrals = api_select(conn,
			"SELECT r.id, pg.name AS programme, pg.type AS programme_type, ag.name AS provider, r.status, r.reason,"
			" r.shared_fields, r.share_until AS shared_until, r.referred_on, r.outcome, r.report, r.report_on"
			" FROM referral r JOIN programme pg ON pg.id = r.programme_id JOIN agency ag ON ag.id = r.partner_agency_id"
			" WHERE r.case_id = ? ORDER BY r.referred_on, r.id", "t", cid);
		json_t *ref;
		json_array_foreach(referrals, j, ref) {
			const char *rid = json_string_value(json_object_get(ref, "id"));
			json_t *fields = json_loads(json_string_value(json_object_get(ref, "shared_fields")), 0, NULL);
			json_object_set_new(ref, "shared_fields", json_is_array(fields) ? fields : json_array());
			if (!json_is_array(fields))
				json_decref(fields);
			json_object_set_new(ref, "attendance", api_select(conn,
				"SELECT session_on, status, absence_reason FROM referral_attendance WHERE referral_id = ?"
				" ORDER BY session_on", "t", rid));
			json_object_set_new(ref, "progress_notes", api_select(conn,
				"SELECT written_on, text FROM referral_progress_note WHERE referral_id = ? ORDER BY written_on, id",
				"t", rid));
			json_object_del(ref, "id");
		}
		json_object_set_new(c, "referrals", referrals);
		json_object_set_new(c, "reintegration_needs", api_select(conn,
			"SELECT n.area, n.description, ag.name AS owner_agency, n.due_on, n.status, n.outcome_note, n.closed_on"
			" FROM reintegration_need n JOIN agency ag ON ag.id = n.owner_agency_id WHERE n.case_id = ?"
			" ORDER BY n.due_on, n.id", "t", cid));
		json_t *plan = api_select_one(conn, &failed,
			"SELECT rp.id, u.name AS receiving_unit, rp.status, rp.address, rp.transport, rp.documents,"
			" rp.first_appointment_at AS first_appointment, rp.first_appointment_place, rp.notes"
			" FROM release_plan rp JOIN unit u ON u.id = rp.receiving_unit_id WHERE rp.case_id = ?", "t", cid);
		if (plan) {
			const char *plid = json_string_value(json_object_get(plan, "id"));
			json_t *docs = json_loads(json_string_value(json_object_get(plan, "documents")), 0, NULL);
			json_object_set_new(plan, "documents", json_is_array(docs) ? docs : json_array());
			if (!json_is_array(docs))
				json_decref(docs);
			json_object_set_new(plan, "actions", api_select(conn,
				"SELECT a.description, ag.name AS owner_agency, a.due_on, a.status FROM release_action a"
				" JOIN agency ag ON ag.id = a.owner_agency_id WHERE a.plan_id = ? ORDER BY a.due_on, a.id", "t", plid));
			json_object_set_new(plan, "panel_meetings", api_select(conn,
				"SELECT held_on, agenda, decisions FROM panel_meeting WHERE plan_id = ? ORDER BY held_on, id", "t",
				plid));
			json_object_del(plan, "id");
		}
		json_object_set_new(c, "release_plan", plan ? plan : json_null());
		json_t *orders = api_select(conn,
			"SELECT id, status, mode_curfew, mode_inclusion, mode_exclusion, mode_trail, starts_on, ends_on,"
			" home_address, household_effect, curfew_grace_min, created_at, ended_at, end_reason FROM em_order"
			" WHERE case_id = ? ORDER BY created_at, id", "t", cid);
		json_t *o;
		em_ok = em_ok && orders;
		json_array_foreach(orders, j, o) {
			em_ok = em_ok && em_order_export(conn, o, lang, &exclusion);
			monitored = true;
		}
		json_object_set_new(c, "monitoring", orders ? orders : json_array());
		json_object_del(c, "id");
	}
	long long third = count(conn, "SELECT COUNT(*) AS n FROM third_party WHERE person_id = ?", id);
	json_t *withheld = json_pack("{s:I, s:I, s:I, s:I}", "restricted_notes", (json_int_t)restricted, "third_parties",
	                             (json_int_t)third, "inquiry_findings", (json_int_t)findings, "exclusion_zones",
	                             (json_int_t)exclusion);
	bool ok = !failed && em_ok && restricted >= 0 && findings >= 0 && third >= 0 && cases;
	const char *lists[] = {"photo", "aliases", "documents", "addresses", "phones", "access_requests"};
	for (size_t l = 0; l < 6; l++)
		ok = ok && json_object_get(x, lists[l]);
	json_array_foreach(cases, i, c) {
		ok = ok && json_is_array(json_object_get(c, "decisions")) && json_is_array(json_object_get(c, "key_dates")) &&
		     json_is_array(json_object_get(c, "notes")) && json_is_array(json_object_get(c, "timeline"));
		const json_t *pretrial = json_object_get(c, "pretrial_report");
		ok = ok && (json_is_null(pretrial) || json_is_array(json_object_get(pretrial, "tasks")));
		const json_t *refs = json_object_get(c, "referrals");
		ok = ok && json_is_array(refs) && json_is_array(json_object_get(c, "reintegration_needs"));
		size_t r;
		const json_t *ref;
		json_array_foreach(refs, r, ref) {
			ok = ok && json_is_array(json_object_get(ref, "attendance")) &&
			     json_is_array(json_object_get(ref, "progress_notes"));
		}
		const json_t *plan = json_object_get(c, "release_plan");
		ok = ok && (json_is_null(plan) || (json_is_array(json_object_get(plan, "actions")) &&
		                                   json_is_array(json_object_get(plan, "panel_meetings"))));
	}
	json_t *sentences = json_array();
	notices(sentences, withheld, lang);
	if (monitored)
		json_array_append_new(sentences, json_string(text("notice.em_locations", lang)));
	json_object_set_new(x, "withheld", withheld);
	json_object_set_new(x, "notices", sentences);
	if (!ok) {
		json_decref(x);
		return NULL;
	}
	return x;
}

void api_person_export(struct http_request *req, struct http_response *resp)
{
	const char *id = http_request_param(req, "id");
	const char *format = http_request_query(req, "format"), *lang = http_request_query(req, "lang");
	const char *request_id = http_request_query(req, "access_request_id");
	struct field_errors fe = {0};
	if (format && strcmp(format, "json") != 0 && strcmp(format, "html") != 0)
		field_error(&fe, "format", "must be one of: json, html");
	if (lang && !api_language_valid(lang))
		field_error(&fe, "lang", "must be one of: ky, ru, en");
	if (!request_id || !uuid_valid(request_id))
		field_error(&fe, "access_request_id", "is required: the open subject-access request this export answers");
	if (field_errors_respond(&fe, resp, req))
		return;
	bool html = format && strcmp(format, "html") == 0;
	struct record_scope s;
	if (!api_begin(req, resp) || !scope_person(req, resp, id, &s))
		return;
	bool failed = false;
	json_t *request = api_select_one(req->db, &failed,
		"SELECT id, person_id, received_on, due_on, status, language FROM access_request WHERE id = ?", "t",
		request_id);
	if (failed) {
		api_db_failed(req, resp, "reading an access request");
		return;
	}
	if (!request || strcmp(json_string_value(json_object_get(request, "person_id")), id) != 0 ||
	    strcmp(json_string_value(json_object_get(request, "status")), "open") != 0) {
		json_decref(request);
		db_rollback(req->db);
		field_error(&fe, "access_request_id", "must be an open subject-access request of this person");
		field_errors_respond(&fe, resp, req);
		return;
	}
	if (!lang)
		lang = strcmp(json_string_value(json_object_get(request, "language")), "ru") == 0   ? "ru"
		       : strcmp(json_string_value(json_object_get(request, "language")), "en") == 0 ? "en"
		                                                                                     : "ky";
	char today[11];
	json_t *x = api_today(req->db, today) ? gather(req->db, id, lang) : NULL;
	if (!x) {
		json_decref(request);
		api_db_failed(req, resp, "gathering a person's data");
		return;
	}
	json_object_del(request, "person_id");
	json_object_del(request, "status");
	json_object_set_new(x, "format_version", json_integer(1));
	json_object_set_new(x, "language", json_string(lang));
	json_object_set_new(x, "generated_on", json_string(today));
	json_object_set_new(x, "access_request", request);
	const json_t *w = json_object_get(x, "withheld");
	char *recipient = xasprintf("the data subject (person %s)", id);
	char *why = xasprintf("subject-access request %s", request_id);
	char *detail = xasprintf("export format=%s lang=%s; withheld: %lld restricted notes, %lld third parties,"
	                         " %lld inquiry findings, %lld exclusion zone boundaries", html ? "html" : "json", lang,
	                         (long long)json_integer_value(json_object_get(w, "restricted_notes")),
	                         (long long)json_integer_value(json_object_get(w, "third_parties")),
	                         (long long)json_integer_value(json_object_get(w, "inquiry_findings")),
	                         (long long)json_integer_value(json_object_get(w, "exclusion_zones")));
	bool ok = api_audit_disclose(req, "person", id, recipient, why, detail);
	free(recipient);
	free(why);
	free(detail);
	if (!ok) {
		json_decref(x);
		api_db_failed(req, resp, "logging a disclosure");
		return;
	}
	if (!api_commit(req, resp)) {
		json_decref(x);
		return;
	}
	char disposition[96];
	snprintf(disposition, sizeof disposition, "attachment; filename=\"kadam-subject-access-%s.%s\"", today,
	         html ? "html" : "json");
	if (html) {
		struct buf doc = {0};
		render_export(&doc, x, lang);
		json_decref(x);
		http_response_text(resp, 200, "text/html; charset=utf-8", doc.data, doc.len);
		buf_free(&doc);
		http_response_header(resp, "Content-Security-Policy", html_style_csp());
	} else {
		http_response_json(resp, 200, x);
	}
	http_response_header(resp, "Content-Disposition", disposition);
}
