-- 0008 programmes: partner organisations, the programme catalogue, referrals
-- (their status table kept as data, field-level shares with an expiry,
-- attendance, progress notes, end-of-programme reports), reintegration needs,
-- release planning with multi-agency panel meetings, and returnee families.
--
-- Dates are local calendar dates 'YYYY-MM-DD' in the deployment's zone;
-- instants are ms since the epoch, UTC.

-- A partner organisation is an agency of kind 'partner' with this profile.
CREATE TABLE partner_profile (
	agency_id TEXT NOT NULL PRIMARY KEY REFERENCES agency (id),
	partner_kind TEXT NOT NULL CHECK (partner_kind IN ('ngo', 'religious_organisation', 'employer', 'school',
	                                                   'health_service', 'psychologist', 'local_government')),
	contact_name TEXT,
	phone TEXT,
	email TEXT,
	address TEXT,
	note TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;

-- The programme catalogue.
CREATE TABLE programme (
	id TEXT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL,
	type TEXT NOT NULL CHECK (type IN ('disengagement_counselling', 'theological_dialogue', 'psychological_support',
	                                   'vocational_training', 'education', 'employment', 'family_support',
	                                   'mentoring', 'substance_use')),
	provider_agency_id TEXT NOT NULL REFERENCES agency (id),
	description TEXT,
	places INTEGER NOT NULL CHECK (places BETWEEN 1 AND 10000),
	schedule TEXT NOT NULL,                      -- e.g. "Tuesdays and Thursdays 14:00-16:00, 12 weeks"
	languages TEXT NOT NULL,                     -- comma-separated: ky,ru,en,uz
	eligibility TEXT NOT NULL,
	location TEXT,
	starts_on TEXT,
	ends_on TEXT,
	status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	UNIQUE (provider_agency_id, name)
) STRICT;
CREATE INDEX programme_type ON programme (type, status);

-- The referral status table, as data: statuses, the moves between them and
-- which role may make each, and the reasons a move may need.
CREATE TABLE referral_status (
	code TEXT NOT NULL PRIMARY KEY,
	position INTEGER NOT NULL,
	is_terminal INTEGER NOT NULL CHECK (is_terminal IN (0, 1)),
	holds_place INTEGER NOT NULL CHECK (holds_place IN (0, 1)),   -- counts against the programme's places
	label_ky TEXT NOT NULL,
	label_ru TEXT NOT NULL,
	label_en TEXT NOT NULL
) STRICT;

CREATE TABLE referral_transition (
	from_status TEXT NOT NULL REFERENCES referral_status (code),
	to_status TEXT NOT NULL REFERENCES referral_status (code),
	role TEXT NOT NULL REFERENCES role (name),
	needs_reason INTEGER NOT NULL CHECK (needs_reason IN (0, 1)),  -- a reason code from referral_reason
	needs TEXT CHECK (needs IN ('place', 'report')),               -- a free place / an end-of-programme report
	PRIMARY KEY (from_status, to_status, role)
) STRICT;

CREATE TABLE referral_reason (
	code TEXT NOT NULL PRIMARY KEY,
	to_status TEXT NOT NULL REFERENCES referral_status (code),
	position INTEGER NOT NULL,
	label_ky TEXT NOT NULL,
	label_ru TEXT NOT NULL,
	label_en TEXT NOT NULL
) STRICT;

-- A referral of a case to a programme. shared_fields (a JSON array of field
-- names, src/domain/referrals.h) is all the provider's users see of the
-- person, and only until share_until (inclusive, local date).
CREATE TABLE referral (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	programme_id TEXT NOT NULL REFERENCES programme (id),
	partner_agency_id TEXT NOT NULL REFERENCES agency (id),   -- the programme's provider when referred
	status TEXT NOT NULL REFERENCES referral_status (code),
	reason TEXT NOT NULL,                        -- why the person is referred: written for the provider
	shared_fields TEXT NOT NULL,                 -- JSON array
	share_until TEXT NOT NULL,
	referred_on TEXT NOT NULL,
	referred_by TEXT NOT NULL REFERENCES account (id),
	status_at INTEGER NOT NULL,                  -- when the status last changed (the waiting list's order)
	outcome TEXT CHECK (outcome IN ('achieved', 'partly_achieved', 'not_achieved')),
	report TEXT,                                 -- the end-of-programme report
	report_on TEXT,
	report_by TEXT REFERENCES account (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX referral_case ON referral (case_id);
CREATE INDEX referral_programme ON referral (programme_id, status, status_at);
CREATE INDEX referral_partner ON referral (partner_agency_id, status);

CREATE TABLE referral_event (
	id TEXT NOT NULL PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referral (id),
	at INTEGER NOT NULL,
	actor_id TEXT REFERENCES account (id),
	from_status TEXT,                            -- NULL: the referral was made
	to_status TEXT NOT NULL,
	reason_code TEXT REFERENCES referral_reason (code),
	note TEXT
) STRICT;
CREATE INDEX referral_event_referral ON referral_event (referral_id, at);

-- Session attendance, recorded by the provider: one row per referral and session date.
CREATE TABLE referral_attendance (
	id TEXT NOT NULL PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referral (id),
	session_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('present', 'late', 'absent')),
	absence_reason TEXT,                         -- required when absent
	recorded_by TEXT NOT NULL REFERENCES account (id),
	recorded_at INTEGER NOT NULL,
	UNIQUE (referral_id, session_on)
) STRICT;

CREATE TABLE referral_progress_note (
	id TEXT NOT NULL PRIMARY KEY,
	referral_id TEXT NOT NULL REFERENCES referral (id),
	written_on TEXT NOT NULL,
	text TEXT NOT NULL,
	author_id TEXT NOT NULL REFERENCES account (id),
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX referral_progress_note_referral ON referral_progress_note (referral_id, written_on);

-- Reintegration needs, each a task with an owning agency, a due date and a status.
CREATE TABLE reintegration_need (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	area TEXT NOT NULL CHECK (area IN ('identity_documents', 'housing', 'work', 'education', 'health', 'family',
	                                   'finances', 'debts', 'community_religious_support')),
	description TEXT NOT NULL,
	owner_agency_id TEXT NOT NULL REFERENCES agency (id),
	owner_account_id TEXT REFERENCES account (id),
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
	outcome_note TEXT,
	closed_on TEXT,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX reintegration_need_case ON reintegration_need (case_id, status);
CREATE INDEX reintegration_need_due ON reintegration_need (status, due_on);

-- Release planning (penitentiary probation): one plan per case, naming the
-- probation unit that receives the person (that unit reaches the case while
-- the plan is open, src/api/scope.c).
CREATE TABLE release_plan (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL UNIQUE REFERENCES case_file (id),
	receiving_unit_id TEXT NOT NULL REFERENCES unit (id),
	status TEXT NOT NULL CHECK (status IN ('draft', 'agreed', 'handed_over', 'cancelled')),
	address TEXT,
	transport TEXT,
	documents TEXT NOT NULL DEFAULT '[]',        -- JSON [{"kind", "status", "note"}]
	first_appointment_at TEXT,                   -- local 'YYYY-MM-DDTHH:MM'
	first_appointment_place TEXT,
	notes TEXT,
	handed_over_at INTEGER,
	handed_over_by TEXT REFERENCES account (id),
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX release_plan_receiving ON release_plan (receiving_unit_id, status);

-- Referrals the plan counts on (programmes after release).
CREATE TABLE release_plan_referral (
	plan_id TEXT NOT NULL REFERENCES release_plan (id),
	referral_id TEXT NOT NULL REFERENCES referral (id),
	PRIMARY KEY (plan_id, referral_id)
) STRICT;

-- Multi-agency panel meetings on a release plan.
CREATE TABLE panel_meeting (
	id TEXT NOT NULL PRIMARY KEY,
	plan_id TEXT NOT NULL REFERENCES release_plan (id),
	held_on TEXT NOT NULL,
	place TEXT,
	agenda TEXT NOT NULL,
	decisions TEXT NOT NULL,
	chaired_by TEXT REFERENCES account (id),
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX panel_meeting_plan ON panel_meeting (plan_id, held_on);

CREATE TABLE panel_attendee (
	id TEXT NOT NULL PRIMARY KEY,
	meeting_id TEXT NOT NULL REFERENCES panel_meeting (id),
	agency_id TEXT NOT NULL REFERENCES agency (id),
	name TEXT NOT NULL,
	role_title TEXT,
	present INTEGER NOT NULL CHECK (present IN (0, 1)),
	position INTEGER NOT NULL
) STRICT;
CREATE INDEX panel_attendee_meeting ON panel_attendee (meeting_id, position);

-- Actions of a release plan (from a panel meeting or added to the plan), with
-- an owning agency and a deadline; at handover the open ones become actions of
-- the supervision plan (plan_action_id).
CREATE TABLE release_action (
	id TEXT NOT NULL PRIMARY KEY,
	plan_id TEXT NOT NULL REFERENCES release_plan (id),
	meeting_id TEXT REFERENCES panel_meeting (id),
	description TEXT NOT NULL,
	owner_agency_id TEXT NOT NULL REFERENCES agency (id),
	owner_name TEXT,
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
	plan_action_id TEXT REFERENCES plan_action (id),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX release_action_plan ON release_action (plan_id, due_on);

-- Returnee families: a third party may be a family member who returned with
-- the person, be linked to their own person record, be restricted (seen only
-- within the case's own units, each read logged on its own), and carry a
-- child-protection referral.
ALTER TABLE third_party ADD COLUMN linked_person_id TEXT REFERENCES person (id);
ALTER TABLE third_party ADD COLUMN returnee INTEGER NOT NULL DEFAULT 0 CHECK (returnee IN (0, 1));
ALTER TABLE third_party ADD COLUMN returned_from TEXT;          -- ISO 3166-1 alpha-2
ALTER TABLE third_party ADD COLUMN restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1));
ALTER TABLE third_party ADD COLUMN child_protection INTEGER NOT NULL DEFAULT 0 CHECK (child_protection IN (0, 1));
ALTER TABLE third_party ADD COLUMN child_protection_on TEXT;
ALTER TABLE third_party ADD COLUMN child_protection_agency_id TEXT REFERENCES agency (id);
ALTER TABLE third_party ADD COLUMN child_protection_note TEXT;
ALTER TABLE third_party ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE third_party ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

INSERT INTO referral_status (code, position, is_terminal, holds_place, label_ky, label_ru, label_en) VALUES
	('referred', 1, 0, 0, 'Жолдомо жөнөтүлдү', 'Направлен', 'Referred'),
	('accepted', 2, 0, 0, 'Кабыл алынды', 'Принят', 'Accepted'),
	('waitlisted', 3, 0, 0, 'Күтүү тизмесинде', 'В листе ожидания', 'On the waiting list'),
	('enrolled', 4, 0, 1, 'Катышууда', 'Участвует', 'Enrolled'),
	('completed', 5, 1, 0, 'Аяктады', 'Завершил', 'Completed'),
	('declined', 6, 1, 0, 'Четке кагылды', 'Отклонён', 'Declined'),
	('withdrawn', 7, 1, 0, 'Чыгарылды', 'Отозван', 'Withdrawn');

INSERT INTO referral_transition (from_status, to_status, role, needs_reason, needs) VALUES
	('referred', 'accepted', 'partner', 0, NULL),
	('referred', 'declined', 'partner', 1, NULL),
	('referred', 'withdrawn', 'probation_officer', 1, NULL),
	('referred', 'withdrawn', 'unit_head', 1, NULL),
	('referred', 'withdrawn', 'prison_case_worker', 1, NULL),
	('accepted', 'enrolled', 'partner', 0, 'place'),
	('accepted', 'waitlisted', 'partner', 0, NULL),
	('accepted', 'withdrawn', 'partner', 1, NULL),
	('accepted', 'withdrawn', 'probation_officer', 1, NULL),
	('accepted', 'withdrawn', 'unit_head', 1, NULL),
	('accepted', 'withdrawn', 'prison_case_worker', 1, NULL),
	('waitlisted', 'enrolled', 'partner', 0, 'place'),
	('waitlisted', 'withdrawn', 'partner', 1, NULL),
	('waitlisted', 'withdrawn', 'probation_officer', 1, NULL),
	('waitlisted', 'withdrawn', 'unit_head', 1, NULL),
	('waitlisted', 'withdrawn', 'prison_case_worker', 1, NULL),
	('enrolled', 'completed', 'partner', 0, 'report'),
	('enrolled', 'withdrawn', 'partner', 1, NULL),
	('enrolled', 'withdrawn', 'probation_officer', 1, NULL),
	('enrolled', 'withdrawn', 'unit_head', 1, NULL),
	('enrolled', 'withdrawn', 'prison_case_worker', 1, NULL);

INSERT INTO referral_reason (code, to_status, position, label_ky, label_ru, label_en) VALUES
	('not_eligible', 'declined', 1, 'Талаптарга жооп бербейт', 'Не соответствует условиям', 'Not eligible'),
	('language', 'declined', 2, 'Тил боюнча мүмкүн эмес', 'Нет занятий на нужном языке', 'Language not offered'),
	('no_programme', 'declined', 3, 'Программа өткөрүлбөйт', 'Программа не проводится', 'Programme not running'),
	('declined_other', 'declined', 4, 'Башка себеп', 'Другая причина', 'Other reason'),
	('motivation', 'withdrawn', 1, 'Мотивациянын жоктугу', 'Отсутствие мотивации', 'Motivation'),
	('operational', 'withdrawn', 2, 'Уюштуруу себептери', 'Организационные причины', 'Operational reasons'),
	('personal', 'withdrawn', 3, 'Жеке себептер', 'Личные обстоятельства', 'Personal reasons'),
	('withdrawn_other', 'withdrawn', 4, 'Башка себеп', 'Другая причина', 'Other reason');

INSERT INTO setting (key, value, updated_at) VALUES
	('release_planning.months_before', '6', 0),
	('release_plan.first_appointment_days', '3', 0),
	('referrals.share_max_days', '366', 0);

INSERT INTO role_permission (role, permission) VALUES
	('administrator', 'settings.manage'), ('administrator', 'partners.manage'), ('administrator', 'programmes.read'),
	('administrator', 'programmes.manage'),
	('unit_head', 'programmes.read'), ('unit_head', 'programmes.manage'),
	('probation_officer', 'programmes.read'),
	('prison_case_worker', 'programmes.read'),
	('partner', 'programmes.read'), ('partner', 'programmes.manage'),
	('unit_head', 'referrals.read'), ('unit_head', 'referrals.write'), ('unit_head', 'referrals.move'),
	('probation_officer', 'referrals.read'), ('probation_officer', 'referrals.write'),
	('probation_officer', 'referrals.move'),
	('prison_case_worker', 'referrals.read'), ('prison_case_worker', 'referrals.write'),
	('prison_case_worker', 'referrals.move'),
	('partner', 'referrals.read'), ('partner', 'referrals.move'), ('partner', 'referrals.provide'),
	('unit_head', 'reintegration.write'), ('probation_officer', 'reintegration.write'),
	('prison_case_worker', 'reintegration.write'),
	('unit_head', 'release.read'), ('unit_head', 'release.write'), ('unit_head', 'release.handover'),
	('probation_officer', 'release.read'), ('probation_officer', 'release.write'),
	('prison_case_worker', 'release.read'), ('prison_case_worker', 'release.write'),
	('prison_case_worker', 'release.handover');
