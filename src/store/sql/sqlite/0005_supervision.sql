-- 0005 supervision: the condition catalogue and imposed conditions (S1-S5),
-- their explanation to the person (S4) and variations (S8); supervision
-- levels and their policy table; supervision plans; appointments (iCalendar
-- recurrence, local time of the deployment), contacts and calendar feeds.
--
-- Dates are local calendar dates 'YYYY-MM-DD'; local times 'YYYY-MM-DDTHH:MM'
-- in the deployment's zone (setting `timezone`); instants are ms since the
-- epoch, UTC.

-- A catalogue version is one loaded data file (data/conditions/*.json). The
-- current one is offered for new conditions; older ones stay for the
-- conditions imposed under them.
CREATE TABLE condition_catalogue (
	version INTEGER NOT NULL PRIMARY KEY CHECK (version > 0),
	label TEXT NOT NULL,
	sha256 TEXT NOT NULL,                        -- of the file as loaded
	loaded_at INTEGER NOT NULL,
	loaded_by TEXT REFERENCES account (id),      -- NULL: shipped with the program
	is_current INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX condition_catalogue_current ON condition_catalogue (is_current) WHERE is_current = 1;

CREATE TABLE condition_type (
	version INTEGER NOT NULL REFERENCES condition_catalogue (version),
	code TEXT NOT NULL,
	category TEXT NOT NULL,                      -- reporting, residence, movement, contact, activity, documents, monitoring, digital
	duty TEXT NOT NULL REFERENCES ref_duty (code), -- the duty a decision must authorise (S1)
	is_standard INTEGER NOT NULL CHECK (is_standard IN (0, 1)),
	is_em INTEGER NOT NULL CHECK (is_em IN (0, 1)), -- enforced by electronic monitoring
	title_ky TEXT NOT NULL,
	title_ru TEXT NOT NULL,
	title_en TEXT NOT NULL,
	template_ky TEXT NOT NULL,
	template_ru TEXT NOT NULL,
	template_en TEXT NOT NULL,
	params TEXT NOT NULL,                        -- JSON: [{"name","type","required","label":{"ky","ru","en"}}]
	PRIMARY KEY (version, code)
) STRICT;

-- What a version does with the codes of the one before it.
CREATE TABLE condition_code_map (
	version INTEGER NOT NULL REFERENCES condition_catalogue (version),
	old_code TEXT NOT NULL,
	new_code TEXT NOT NULL,
	PRIMARY KEY (version, old_code)
) STRICT;

-- A proposal to add, change or remove a condition: the officer proposes, the
-- unit head reviews, the competent authority decides (S8).
CREATE TABLE condition_variation (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	action TEXT NOT NULL CHECK (action IN ('add', 'change', 'remove')),
	condition_id TEXT,                           -- change/remove: the condition (case_condition.id)
	proposal TEXT,                               -- add/change: the condition as proposed (JSON)
	reason TEXT NOT NULL,                        -- the officer's facts and reasons
	person_view TEXT,                            -- the person's account (required before a decision)
	status TEXT NOT NULL CHECK (status IN ('proposed', 'returned', 'endorsed', 'approved', 'refused',
	                                       'withdrawn')),
	proposed_by TEXT NOT NULL REFERENCES account (id),
	proposed_at INTEGER NOT NULL,
	reviewed_by TEXT REFERENCES account (id),
	reviewed_at INTEGER,
	review_comment TEXT,
	decided_by TEXT REFERENCES account (id),
	decided_at INTEGER,
	authority_reference TEXT,                    -- the authority's own decision number
	decision_reasons TEXT,
	effective_from TEXT,                         -- approved: when the change takes effect
	result_condition_id TEXT,                    -- add/change: the condition it created
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX condition_variation_case ON condition_variation (case_id);
CREATE INDEX condition_variation_status ON condition_variation (status);

-- A condition imposed on a case. It changes only through a variation: the
-- changed condition ends (status 'ended', effective_to) and a new row
-- replaces it.
CREATE TABLE case_condition (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	decision_id TEXT NOT NULL REFERENCES decision (id), -- the legal basis (S1)
	variation_id TEXT REFERENCES condition_variation (id), -- when a variation created it
	catalogue_version INTEGER,                   -- NULL for a condition written freely
	code TEXT,                                   -- NULL for a condition written freely
	duty TEXT NOT NULL REFERENCES ref_duty (code),
	free_text TEXT,                              -- the exceptional free-text condition
	params TEXT NOT NULL DEFAULT '{}',           -- JSON object: parameter name -> typed value
	answers TEXT NOT NULL CHECK (answers IN ('risk', 'need')), -- S3
	answers_detail TEXT NOT NULL,
	review_on TEXT NOT NULL,                     -- S5
	effective_from TEXT NOT NULL,
	effective_to TEXT,
	status TEXT NOT NULL CHECK (status IN ('active', 'ended')),
	end_reason TEXT CHECK (end_reason IN ('varied', 'removed', 'decision_ended')),
	replaces_id TEXT REFERENCES case_condition (id),
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	FOREIGN KEY (catalogue_version, code) REFERENCES condition_type (version, code),
	CHECK ((code IS NULL) <> (free_text IS NULL))
) STRICT;
CREATE INDEX case_condition_case ON case_condition (case_id, status);
CREATE INDEX case_condition_review ON case_condition (status, review_on);

-- Reviews of a condition (S5): kept as is, or a variation proposed.
CREATE TABLE condition_review (
	id TEXT NOT NULL PRIMARY KEY,
	condition_id TEXT NOT NULL REFERENCES case_condition (id),
	reviewed_on TEXT NOT NULL,
	reviewed_by TEXT NOT NULL REFERENCES account (id),
	outcome TEXT NOT NULL CHECK (outcome IN ('keep', 'vary', 'remove')),
	note TEXT NOT NULL,
	next_review_on TEXT,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX condition_review_condition ON condition_review (condition_id);

-- When, how and in which language the conditions were explained, and whether
-- the person acknowledged them (S4). condition_ids: JSON array of the
-- conditions the sheet carried.
CREATE TABLE condition_explanation (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	explained_on TEXT NOT NULL,
	language TEXT NOT NULL CHECK (language IN ('ky', 'ru', 'en')),
	explained_by TEXT NOT NULL REFERENCES account (id),
	interpreter TEXT,                            -- name of an interpreter, when one was used
	acknowledged INTEGER NOT NULL CHECK (acknowledged IN (0, 1)),
	remarks TEXT,                                -- e.g. why the person did not sign
	condition_ids TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX condition_explanation_case ON condition_explanation (case_id, explained_on);

-- Supervision levels and their policy: minimum contacts and home visits per
-- period, and the reassessment interval.
CREATE TABLE ref_supervision_level (
	code TEXT NOT NULL PRIMARY KEY,
	rank INTEGER NOT NULL UNIQUE,                -- 1 = most intensive
	title_ky TEXT NOT NULL,
	title_ru TEXT NOT NULL,
	title_en TEXT NOT NULL,
	min_contacts INTEGER NOT NULL CHECK (min_contacts >= 0),
	contacts_period_days INTEGER NOT NULL CHECK (contacts_period_days BETWEEN 1 AND 366),
	min_home_visits INTEGER NOT NULL CHECK (min_home_visits >= 0),
	home_visits_period_days INTEGER NOT NULL CHECK (home_visits_period_days BETWEEN 1 AND 366),
	reassessment_days INTEGER NOT NULL CHECK (reassessment_days BETWEEN 1 AND 1096),
	is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
) STRICT;

-- The level history of a case; the latest row is the current level.
CREATE TABLE case_supervision_level (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	level TEXT NOT NULL REFERENCES ref_supervision_level (code),
	reason TEXT NOT NULL,
	effective_from TEXT NOT NULL,
	set_by TEXT NOT NULL REFERENCES account (id),
	set_at INTEGER NOT NULL
) STRICT;
CREATE INDEX case_supervision_level_case ON case_supervision_level (case_id, set_at);

-- One supervision plan per case: objectives linked to needs, actions with an
-- owner and a due date, periodic reviews.
CREATE TABLE supervision_plan (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL UNIQUE REFERENCES case_file (id),
	review_every_days INTEGER NOT NULL CHECK (review_every_days BETWEEN 7 AND 366),
	next_review_on TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE plan_objective (
	id TEXT NOT NULL PRIMARY KEY,
	plan_id TEXT NOT NULL REFERENCES supervision_plan (id),
	need TEXT NOT NULL,                          -- accommodation, employment, education, health, ...
	description TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'achieved', 'partly_achieved', 'not_achieved', 'dropped')),
	position INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX plan_objective_plan ON plan_objective (plan_id, position);

CREATE TABLE plan_action (
	id TEXT NOT NULL PRIMARY KEY,
	objective_id TEXT NOT NULL REFERENCES plan_objective (id),
	description TEXT NOT NULL,
	owner_kind TEXT NOT NULL CHECK (owner_kind IN ('officer', 'person', 'partner')),
	owner_account_id TEXT REFERENCES account (id), -- owner_kind 'officer'
	owner_agency_id TEXT REFERENCES agency (id),   -- owner_kind 'partner'
	due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
	done_on TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX plan_action_objective ON plan_action (objective_id);
CREATE INDEX plan_action_due ON plan_action (status, due_on);

CREATE TABLE plan_review (
	id TEXT NOT NULL PRIMARY KEY,
	plan_id TEXT NOT NULL REFERENCES supervision_plan (id),
	reviewed_on TEXT NOT NULL,
	reviewed_by TEXT NOT NULL REFERENCES account (id),
	summary TEXT NOT NULL,
	next_review_on TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX plan_review_plan ON plan_review (plan_id, reviewed_on);

-- An appointment, single or repeating. starts_local is the first
-- occurrence in the deployment's zone; rrule an RFC 5545 RRULE value
-- (without "RRULE:"), NULL for a single appointment.
CREATE TABLE appointment (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	officer_id TEXT NOT NULL REFERENCES account (id),
	kind TEXT NOT NULL CHECK (kind IN ('office', 'home_visit', 'phone', 'video')),
	location TEXT,
	purpose TEXT NOT NULL,
	condition_id TEXT REFERENCES case_condition (id),
	starts_local TEXT NOT NULL,
	duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 720),
	rrule TEXT,
	status TEXT NOT NULL CHECK (status IN ('active', 'cancelled')),
	cancel_reason TEXT,
	created_at INTEGER NOT NULL,
	created_by TEXT NOT NULL REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX appointment_case ON appointment (case_id);
CREATE INDEX appointment_officer ON appointment (officer_id, status);

-- One occurrence moved or cancelled (an RFC 5545 exception); a reason is required.
CREATE TABLE appointment_exception (
	id TEXT NOT NULL PRIMARY KEY,
	appointment_id TEXT NOT NULL REFERENCES appointment (id),
	occurrence_local TEXT NOT NULL,              -- the occurrence as the rule generates it
	new_starts_local TEXT,                       -- NULL: cancelled
	reason TEXT NOT NULL,
	changed_by TEXT NOT NULL REFERENCES account (id),
	changed_at INTEGER NOT NULL,
	UNIQUE (appointment_id, occurrence_local)
) STRICT;

-- A contact that happened (or was due and did not): at an appointment
-- occurrence or unscheduled.
CREATE TABLE contact (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	appointment_id TEXT REFERENCES appointment (id),
	occurrence_local TEXT,                       -- with appointment_id: which occurrence
	kind TEXT NOT NULL CHECK (kind IN ('office', 'home_visit', 'phone', 'video', 'other')),
	happened_local TEXT NOT NULL,
	duration_min INTEGER CHECK (duration_min BETWEEN 0 AND 720),
	outcome TEXT NOT NULL CHECK (outcome IN ('attended_complied', 'attended_failed_to_comply', 'sent_home',
	                                         'acceptable_absence', 'unacceptable_absence', 'failed_to_attend')),
	absence_reason TEXT CHECK (absence_reason IN ('court', 'employment', 'family', 'medical', 'religious',
	                                              'other')),
	absence_detail TEXT,
	notes TEXT,
	condition_id TEXT REFERENCES case_condition (id),
	recorded_by TEXT NOT NULL REFERENCES account (id),
	recorded_at INTEGER NOT NULL,
	UNIQUE (appointment_id, occurrence_local)
) STRICT;
CREATE INDEX contact_case ON contact (case_id, happened_local);

-- A per-officer calendar feed: the URL carries a random token; only its hash is kept.
CREATE TABLE calendar_feed (
	id TEXT NOT NULL PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES account (id),
	token_hash BLOB NOT NULL UNIQUE,
	created_at INTEGER NOT NULL,
	last_used_at INTEGER,
	revoked_at INTEGER
) STRICT;
CREATE INDEX calendar_feed_account ON calendar_feed (account_id);

INSERT INTO ref_supervision_level (code, rank, title_ky, title_ru, title_en, min_contacts, contacts_period_days,
                                   min_home_visits, home_visits_period_days, reassessment_days) VALUES
	('intensive', 1, 'Күчөтүлгөн', 'Усиленный', 'Intensive', 8, 28, 2, 28, 90),
	('high', 2, 'Жогорку', 'Высокий', 'High', 4, 28, 1, 28, 120),
	('medium', 3, 'Орточо', 'Средний', 'Medium', 2, 28, 1, 90, 180),
	('low', 4, 'Төмөн', 'Низкий', 'Low', 1, 28, 0, 90, 365);

INSERT INTO setting (key, value, updated_at) VALUES
	('conditions.warn_above', '6', 0);

INSERT INTO role_permission (role, permission) VALUES
	('probation_officer', 'conditions.write'), ('probation_officer', 'variations.list'),
	('probation_officer', 'supervision.write'), ('probation_officer', 'diary.read'),
	('unit_head', 'conditions.write'), ('unit_head', 'variations.list'), ('unit_head', 'variations.review'),
	('unit_head', 'supervision.write'), ('unit_head', 'diary.read'),
	('competent_authority', 'variations.list'), ('competent_authority', 'variations.decide');
