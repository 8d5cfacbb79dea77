-- 0004 case record: people, their documents, addresses, phones, photo and
-- third parties (S15); the name search index; cases of the four kinds with
-- their allocation history; decisions and the reference lists they use;
-- computed key dates; notes (S14); the case timeline; pre-trial reports;
-- subject-access requests (S13); person merges.
--
-- Dates without a time (birth, decision, start of a term) are TEXT
-- YYYY-MM-DD; instants are milliseconds since the epoch, UTC.

-- Reference lists an agency configures. Codes are stable; titles are per language.
CREATE TABLE ref_article (
	code TEXT NOT NULL PRIMARY KEY,         -- e.g. "CC-253"
	title_ky TEXT NOT NULL,
	title_ru TEXT NOT NULL,
	title_en TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('minor', 'medium', 'grave', 'especially_grave')),
	is_extremism BIGINT NOT NULL DEFAULT 0,
	is_terrorism BIGINT NOT NULL DEFAULT 0,
	is_active BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE ref_measure (
	code TEXT NOT NULL PRIMARY KEY,
	title_ky TEXT NOT NULL,
	title_ru TEXT NOT NULL,
	title_en TEXT NOT NULL,
	is_custodial BIGINT NOT NULL DEFAULT 0,
	tokyo_rule TEXT,                        -- "8.2(e)", "9.2(c)"; NULL for custodial terms
	is_active BIGINT NOT NULL DEFAULT 1
);

-- Duties a decision may authorise; conditions (a later issue) are checked against them (S1).
CREATE TABLE ref_duty (
	code TEXT NOT NULL PRIMARY KEY,
	title_ky TEXT NOT NULL,
	title_ru TEXT NOT NULL,
	title_en TEXT NOT NULL,
	is_active BIGINT NOT NULL DEFAULT 1
);

-- The fraction of a custodial term to be served before conditional release, per offence category.
CREATE TABLE ref_release_rule (
	category TEXT NOT NULL PRIMARY KEY CHECK (category IN ('minor', 'medium', 'grave', 'especially_grave')),
	numerator BIGINT NOT NULL CHECK (numerator > 0),
	denominator BIGINT NOT NULL CHECK (denominator >= numerator)
);

CREATE TABLE person (
	id TEXT NOT NULL PRIMARY KEY,
	unit_id TEXT NOT NULL REFERENCES unit (id),  -- the unit that registered the person (scope when no case)
	surname TEXT NOT NULL,                       -- as written in the documents, usually Cyrillic
	given_name TEXT NOT NULL,
	patronymic TEXT,
	surname_latin TEXT,
	given_name_latin TEXT,
	patronymic_latin TEXT,
	sex TEXT CHECK (sex IN ('male', 'female')),
	birth_date TEXT NOT NULL,
	birth_place TEXT,
	citizenship TEXT,                            -- ISO 3166-1 alpha-2
	languages TEXT NOT NULL DEFAULT '',          -- comma-separated codes (ky,ru,uz,...)
	preferred_language TEXT NOT NULL DEFAULT 'ky' CHECK (preferred_language IN ('ky', 'ru', 'en')),
	merged_into TEXT REFERENCES person (id),     -- set when this record was merged into another
	created_at BIGINT NOT NULL,
	created_by TEXT REFERENCES account (id),
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX person_unit ON person (unit_id);
CREATE INDEX person_birth ON person (birth_date);

CREATE TABLE person_alias (
	id TEXT NOT NULL PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('alias', 'former_name', 'spelling', 'merged')),
	created_at BIGINT NOT NULL
);
CREATE INDEX person_alias_person ON person_alias (person_id);

CREATE TABLE person_document (
	id TEXT NOT NULL PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	type TEXT NOT NULL CHECK (type IN ('passport', 'id_card', 'foreign_passport', 'birth_certificate',
	                                   'residence_permit', 'other')),
	number TEXT NOT NULL,
	number_key TEXT NOT NULL,                    -- upper-case letters and digits only, for search
	country TEXT,                                -- issuing country, ISO 3166-1 alpha-2
	issued_on TEXT,
	expires_on TEXT,
	created_at BIGINT NOT NULL
);
CREATE INDEX person_document_person ON person_document (person_id);
CREATE INDEX person_document_key ON person_document (number_key);

CREATE TABLE person_address (
	id TEXT NOT NULL PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	kind TEXT NOT NULL CHECK (kind IN ('registered', 'actual', 'temporary')),
	address TEXT NOT NULL,
	valid_from TEXT NOT NULL,
	valid_to TEXT,                               -- NULL: current
	created_at BIGINT NOT NULL
);
CREATE INDEX person_address_person ON person_address (person_id);

CREATE TABLE person_phone (
	id TEXT NOT NULL PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	number TEXT NOT NULL,
	label TEXT,
	created_at BIGINT NOT NULL
);
CREATE INDEX person_phone_person ON person_phone (person_id);

-- The photo is kept in the database, never under the web root, and is
-- served only through GET /api/v1/people/{id}/photo after the policy.
CREATE TABLE person_photo (
	person_id TEXT NOT NULL PRIMARY KEY REFERENCES person (id),
	content_type TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'image/webp')),
	content BYTEA NOT NULL,
	uploaded_at BIGINT NOT NULL,
	uploaded_by TEXT REFERENCES account (id)
);

-- Family members and other third parties: the minimum, behind their own permission (S15).
CREATE TABLE third_party (
	id TEXT NOT NULL PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	relationship TEXT NOT NULL CHECK (relationship IN ('spouse', 'child', 'parent', 'sibling', 'relative',
	                                                   'associate', 'victim', 'other')),
	full_name TEXT NOT NULL,
	birth_date TEXT,
	contact TEXT,
	note TEXT,
	created_at BIGINT NOT NULL,
	created_by TEXT REFERENCES account (id)
);
CREATE INDEX third_party_person ON third_party (person_id);

-- The name search index: one row per token of every name form of a person
-- (names, Latin names, aliases), as names_key() makes it. On SQLite an FTS5
-- trigram index over it answers LIKE '%abc%' from the index; here pg_trgm's
-- GIN index does. Both are queried through person_token_fts (rowid, token).
CREATE TABLE person_token (
	id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	token TEXT NOT NULL
);
CREATE INDEX person_token_person ON person_token (person_id);
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX person_token_trgm ON person_token USING gin (token gin_trgm_ops);
-- The same name as SQLite's FTS5 table, so that one statement serves both.
CREATE VIEW person_token_fts AS SELECT id AS rowid, token FROM person_token;

CREATE TABLE person_merge (
	id TEXT NOT NULL PRIMARY KEY,
	kept_id TEXT NOT NULL REFERENCES person (id),
	merged_id TEXT NOT NULL REFERENCES person (id),
	reason TEXT NOT NULL,
	merged_at BIGINT NOT NULL,
	merged_by TEXT NOT NULL REFERENCES account (id)
);

CREATE TABLE case_file (
	id TEXT NOT NULL PRIMARY KEY,
	number TEXT NOT NULL UNIQUE,                 -- human reference, e.g. "2026-000123"
	person_id TEXT NOT NULL REFERENCES person (id),
	kind TEXT NOT NULL CHECK (kind IN ('pre_trial', 'executive', 'penitentiary', 'post_penitentiary')),
	unit_id TEXT NOT NULL REFERENCES unit (id),
	officer_id TEXT REFERENCES account (id),     -- NULL: not yet allocated
	status TEXT NOT NULL CHECK (status IN ('open', 'suspended', 'closed')),
	opened_on TEXT NOT NULL,
	open_reason TEXT NOT NULL,
	closed_on TEXT,
	close_reason TEXT,
	consent_on TEXT,                             -- post-penitentiary: the person's own request
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX case_person ON case_file (person_id);
CREATE INDEX case_unit ON case_file (unit_id, status);
CREATE INDEX case_officer ON case_file (officer_id, status);

-- Allocation history: who held the case, in which unit, from when to when.
CREATE TABLE case_assignment (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	unit_id TEXT NOT NULL REFERENCES unit (id),
	officer_id TEXT REFERENCES account (id),
	from_at BIGINT NOT NULL,
	to_at BIGINT,
	reason TEXT NOT NULL,
	by_account TEXT REFERENCES account (id)
);
CREATE INDEX case_assignment_case ON case_assignment (case_id, from_at);

CREATE TABLE decision (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	authority TEXT NOT NULL,
	number TEXT,
	decided_on TEXT NOT NULL,
	measure TEXT NOT NULL REFERENCES ref_measure (code),
	start_on TEXT NOT NULL,
	term TEXT NOT NULL,                          -- "5y6m10d"
	remand_days BIGINT NOT NULL DEFAULT 0,
	duties TEXT NOT NULL DEFAULT '',             -- comma-separated ref_duty codes
	status TEXT NOT NULL DEFAULT 'in_force' CHECK (status IN ('in_force', 'superseded', 'annulled')),
	created_at BIGINT NOT NULL,
	created_by TEXT REFERENCES account (id),
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX decision_case ON decision (case_id);

CREATE TABLE decision_article (
	decision_id TEXT NOT NULL REFERENCES decision (id),
	article TEXT NOT NULL REFERENCES ref_article (code),
	PRIMARY KEY (decision_id, article)
);

-- The current computed key dates of each decision, with how each was computed (JSON).
CREATE TABLE key_date (
	decision_id TEXT NOT NULL REFERENCES decision (id),
	kind TEXT NOT NULL,                          -- supervision_end, release, conditional_release_earliest
	case_id TEXT NOT NULL REFERENCES case_file (id),
	date TEXT,                                   -- NULL: not applicable (explanation says why)
	explanation TEXT NOT NULL,
	computed_at BIGINT NOT NULL,
	PRIMARY KEY (decision_id, kind)
);
CREATE INDEX key_date_case ON key_date (case_id);
CREATE INDEX key_date_date ON key_date (kind, date);

-- Notes keep facts and assessments apart and name their source (S14).
CREATE TABLE note (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	author_id TEXT NOT NULL REFERENCES account (id),
	written_at BIGINT NOT NULL,
	sensitivity TEXT NOT NULL CHECK (sensitivity IN ('normal', 'sensitive', 'restricted')),
	nature TEXT NOT NULL CHECK (nature IN ('fact', 'assessment')),
	source TEXT NOT NULL CHECK (source IN ('observation', 'person', 'family', 'employer', 'police', 'court',
	                                       'prison', 'partner', 'document', 'other')),
	source_detail TEXT,
	body TEXT NOT NULL
);
CREATE INDEX note_case ON note (case_id, written_at);

-- The case timeline: everything that happened to the case, in order. Each
-- feature appends its own kinds; `detail` is a small JSON object.
CREATE TABLE case_event (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	at BIGINT NOT NULL,
	kind TEXT NOT NULL,
	actor_id TEXT REFERENCES account (id),
	summary TEXT NOT NULL,
	detail TEXT NOT NULL DEFAULT '{}',
	record_type TEXT,
	record_id TEXT
);
CREATE INDEX case_event_case ON case_event (case_id, at);

-- Pre-trial reports: a court's request, the inquiry tasks, the report itself.
CREATE TABLE pretrial_request (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL UNIQUE REFERENCES case_file (id),
	court TEXT NOT NULL,
	court_reference TEXT,
	received_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('requested', 'in_progress', 'submitted', 'withdrawn')),
	template TEXT NOT NULL,                      -- template id@version
	language TEXT NOT NULL CHECK (language IN ('ky', 'ru', 'en')),
	report TEXT NOT NULL DEFAULT '{}',           -- JSON: section id -> text
	submitted_at BIGINT,
	submitted_by TEXT REFERENCES account (id),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX pretrial_due ON pretrial_request (status, due_on);

CREATE TABLE pretrial_task (
	id TEXT NOT NULL PRIMARY KEY,
	request_id TEXT NOT NULL REFERENCES pretrial_request (id),
	kind TEXT NOT NULL CHECK (kind IN ('family', 'neighbours', 'employer', 'living_conditions', 'school',
	                                   'other')),
	status TEXT NOT NULL CHECK (status IN ('open', 'done', 'not_possible')),
	due_on TEXT,
	findings TEXT,
	done_at BIGINT,
	done_by TEXT REFERENCES account (id),
	created_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX pretrial_task_request ON pretrial_task (request_id);

-- Subject-access requests (S13) and their legal deadline.
CREATE TABLE access_request (
	id TEXT NOT NULL PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	received_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('in_person', 'letter', 'email', 'representative')),
	status TEXT NOT NULL CHECK (status IN ('open', 'fulfilled', 'refused')),
	language TEXT NOT NULL CHECK (language IN ('ky', 'ru', 'en')),
	outcome_note TEXT,
	closed_at BIGINT,
	created_at BIGINT NOT NULL,
	created_by TEXT REFERENCES account (id),
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX access_request_status ON access_request (status, due_on);

-- Case numbers: one counter per year.
CREATE TABLE case_counter (
	year BIGINT NOT NULL PRIMARY KEY,
	last BIGINT NOT NULL
);

-- Starting reference lists. They are examples to be replaced with the
-- criminal code and the measures of the jurisdiction in force; codes are
-- what decisions and imports refer to.
INSERT INTO ref_measure (code, title_ky, title_ru, title_en, is_custodial, tokyo_rule) VALUES
	('verbal_sanction', 'Оозеки эскертүү', 'Устное предупреждение', 'Verbal sanction (admonition, reprimand, warning)', 0, '8.2(a)'),
	('conditional_discharge', 'Шарттуу бошотуу', 'Условное освобождение', 'Conditional discharge', 0, '8.2(b)'),
	('fine', 'Айып пул', 'Штраф', 'Fine', 0, '8.2(d)'),
	('suspended_sentence', 'Шарттуу соттоо', 'Условное осуждение', 'Suspended or deferred sentence', 0, '8.2(f)'),
	('probation_supervision', 'Пробациялык көзөмөл', 'Пробационный надзор', 'Probation and judicial supervision', 0, '8.2(g)'),
	('community_service', 'Коомдук жумуштар', 'Общественные работы', 'Community service order', 0, '8.2(h)'),
	('attendance_centre', 'Катышуу борбору', 'Обязательное посещение центра', 'Referral to an attendance centre', 0, '8.2(i)'),
	('house_arrest', 'Үй камагы', 'Домашний арест', 'House arrest', 0, '8.2(j)'),
	('restriction_of_freedom', 'Эркиндикти чектөө', 'Ограничение свободы', 'Restriction of freedom', 0, '8.2(l)'),
	('conditional_early_release', 'Мөөнөтүнөн мурда шарттуу бошотуу', 'Условно-досрочное освобождение', 'Conditional early release (parole)', 0, '9.2(d)'),
	('remission', 'Жазадан бошотуу', 'Освобождение от наказания', 'Remission', 0, '9.2(e)'),
	('deprivation_of_liberty', 'Эркинен ажыратуу', 'Лишение свободы', 'Deprivation of liberty (custodial term)', 1, NULL);

INSERT INTO ref_article (code, title_ky, title_ru, title_en, category, is_extremism, is_terrorism) VALUES
	('CC-130', 'Кылмыштуу топтун курамында уурдоо (мисал)', 'Кража (пример)', 'Theft (example)', 'medium', 0, 0),
	('CC-138', 'Алдамчылык (мисал)', 'Мошенничество (пример)', 'Fraud (example)', 'medium', 0, 0),
	('CC-122', 'Денсоолукка оор зыян келтирүү (мисал)', 'Причинение тяжкого вреда здоровью (пример)', 'Grievous bodily harm (example)', 'grave', 0, 0),
	('CC-283', 'Баңгизаттарды мыйзамсыз жүгүртүү (мисал)', 'Незаконный оборот наркотиков (пример)', 'Drug trafficking (example)', 'grave', 0, 0),
	('CC-166', 'Бейбаштык (мисал)', 'Хулиганство (пример)', 'Hooliganism (example)', 'minor', 0, 0),
	('CC-252', 'Терроризм (мисал)', 'Терроризм (пример)', 'Terrorism (example)', 'especially_grave', 0, 1),
	('CC-255', 'Террорчулукту каржылоо (мисал)', 'Финансирование терроризма (пример)', 'Financing of terrorism (example)', 'grave', 0, 1),
	('CC-256', 'Чет өлкөдөгү куралдуу кагылышууга катышуу (мисал)', 'Участие в вооружённом конфликте за рубежом (пример)', 'Participation in an armed conflict abroad (example)', 'grave', 0, 1),
	('CC-327', 'Экстремисттик материалдарды таратуу (мисал)', 'Распространение экстремистских материалов (пример)', 'Dissemination of extremist material (example)', 'medium', 1, 0),
	('CC-330', 'Экстремисттик уюмга катышуу (мисал)', 'Участие в экстремистской организации (пример)', 'Participation in an extremist organisation (example)', 'grave', 1, 0);

INSERT INTO ref_duty (code, title_ky, title_ru, title_en) VALUES
	('report', 'Пробация органына катталуу', 'Являться на регистрацию в орган пробации', 'Report to the probation office'),
	('residence', 'Белгиленген даректе жашоо', 'Проживать по определённому адресу', 'Live at a set address'),
	('curfew', 'Белгилүү убакытта үйдөн чыкпоо', 'Не покидать жилище в определённое время', 'Curfew'),
	('exclusion', 'Белгилүү жерлерге барбоо', 'Не посещать определённые места', 'Stay away from set places'),
	('travel', 'Уруксатсыз аймактан чыкпоо', 'Не выезжать за пределы района без разрешения', 'Not leave the district without permission'),
	('no_contact', 'Белгилүү адамдар менен байланышпоо', 'Не общаться с определёнными лицами', 'No contact with named persons'),
	('programme', 'Программага катышуу', 'Пройти программу', 'Attend a programme'),
	('work_study', 'Иштөө же окуу', 'Трудиться или учиться', 'Work or study'),
	('documents', 'Жол жүрүү документтерин тапшыруу', 'Сдать проездные документы', 'Surrender travel documents'),
	('electronic_monitoring', 'Электрондук көзөмөл', 'Электронный мониторинг', 'Electronic monitoring'),
	('internet', 'Интернетти колдонууну чектөө', 'Ограничение использования интернета', 'Device and internet restrictions');

INSERT INTO ref_release_rule (category, numerator, denominator) VALUES
	('minor', 1, 3), ('medium', 1, 2), ('grave', 2, 3), ('especially_grave', 3, 4);

INSERT INTO setting (key, value, updated_at) VALUES
	('release.exclude_extremism', 'true', 0),
	('release.exclude_terrorism', 'true', 0),
	('release.remand_credit', '1/1', 0),
	('pretrial.due_days', '30', 0),
	('access_request.due_days', '7', 0);

INSERT INTO role (name, description) VALUES
	('data_protection_officer', 'Answers subject-access requests; reads the processing log');

INSERT INTO role_permission (role, permission) VALUES
	('probation_officer', 'people.read'), ('probation_officer', 'people.write'),
	('probation_officer', 'people.third_parties'), ('probation_officer', 'cases.write'),
	('probation_officer', 'pretrial.write'),
	('unit_head', 'people.read'), ('unit_head', 'people.read.any'), ('unit_head', 'people.write'),
	('unit_head', 'people.third_parties'), ('unit_head', 'people.merge'), ('unit_head', 'cases.write'),
	('unit_head', 'cases.allocate'), ('unit_head', 'notes.restricted'), ('unit_head', 'pretrial.write'),
	('unit_head', 'import.run'),
	('prison_case_worker', 'people.read'), ('prison_case_worker', 'people.write'),
	('prison_case_worker', 'cases.write'), ('prison_case_worker', 'import.run'),
	('administrator', 'reference.manage'),
	('data_protection_officer', 'people.read'), ('data_protection_officer', 'people.read.any'),
	('data_protection_officer', 'access_requests.manage'), ('data_protection_officer', 'audit.read'),
	('data_protection_officer', 'agencies.read'), ('data_protection_officer', 'units.read');
