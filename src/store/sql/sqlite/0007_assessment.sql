-- 0007 assessment: risk and needs instruments loaded as data (never
-- hard-coded), assessor certification, assessments (structured professional
-- judgement: a certified assessor chooses the final judgement with a
-- rationale; item ratings are never summed into it, S14), reassessment
-- triggers, and the table that suggests a supervision level from a judgement
-- (the officer still decides, with a reason).
--
-- Dates are local calendar dates 'YYYY-MM-DD' in the deployment's zone;
-- instants are ms since the epoch, UTC.

-- One loaded instrument file (docs/instrument.schema.json). A file's "id" is
-- its code; a new version of the same code becomes the one offered for new
-- assessments, and the older versions stay for the assessments made with them.
CREATE TABLE instrument (
	id TEXT NOT NULL PRIMARY KEY,
	code TEXT NOT NULL,                          -- the file's "id", e.g. "kadam.needs-screening"
	version TEXT NOT NULL,                       -- the file's "version"
	name_ky TEXT NOT NULL,
	name_ru TEXT NOT NULL,
	name_en TEXT NOT NULL,
	publisher TEXT NOT NULL,
	licence TEXT NOT NULL,
	is_validated INTEGER NOT NULL CHECK (is_validated IN (0, 1)), -- the publisher's statement
	certification_required INTEGER NOT NULL CHECK (certification_required IN (0, 1)),
	reassessment_days INTEGER NOT NULL CHECK (reassessment_days BETWEEN 1 AND 1096),
	definition TEXT NOT NULL,                    -- the file as loaded (JSON; 180.0 stored as 180)
	sha256 TEXT NOT NULL,                        -- of the file's bytes (the command line) or of the body as
	                                             -- parsed and re-serialised (the API)
	loaded_at INTEGER NOT NULL,
	loaded_by TEXT REFERENCES account (id),      -- NULL: shipped with the program, or the command line
	is_current INTEGER NOT NULL DEFAULT 1 CHECK (is_current IN (0, 1)),
	UNIQUE (code, version)
) STRICT;
CREATE UNIQUE INDEX instrument_current ON instrument (code) WHERE is_current = 1;

-- A user's certification to complete assessments with an instrument (every
-- version of its code), from a date until an expiry.
CREATE TABLE assessor_certification (
	id TEXT NOT NULL PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES account (id),
	instrument_code TEXT NOT NULL,
	certified_on TEXT NOT NULL,
	expires_on TEXT NOT NULL,
	issuer TEXT NOT NULL,                        -- who trained and certified the assessor
	reference TEXT,                              -- the certificate's number
	recorded_by TEXT NOT NULL REFERENCES account (id),
	recorded_at INTEGER NOT NULL,
	revoked_at INTEGER,
	revoked_by TEXT REFERENCES account (id),
	revoke_reason TEXT,
	CHECK (expires_on > certified_on)
) STRICT;
CREATE INDEX assessor_certification_account ON assessor_certification (account_id, instrument_code);

-- Something that happened which calls for a reassessment: a breach
-- allegation opened from a verified alert, a release, a new address or work,
-- a note marked as new information, or what an officer records. The next
-- assessment submitted on the case resolves it.
CREATE TABLE reassessment_trigger (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	kind TEXT NOT NULL CHECK (kind IN ('breach', 'release', 'address', 'work', 'new_information', 'other')),
	occurred_on TEXT NOT NULL,
	summary TEXT NOT NULL,                       -- one line; names no personal data
	record_type TEXT,                            -- what raised it: breach, decision (release), person_address, note
	record_id TEXT,
	recorded_by TEXT REFERENCES account (id),    -- NULL: the engine
	recorded_at INTEGER NOT NULL,
	resolved_by TEXT,                            -- the assessment (assessment.id) submitted after it
	resolved_at INTEGER,
	UNIQUE (case_id, kind, record_type, record_id)
) STRICT;
CREATE INDEX reassessment_trigger_case ON reassessment_trigger (case_id, resolved_at);

-- An assessment of a case with one instrument version: draft, submitted,
-- countersigned by a unit head, superseded by a later one countersigned
-- with the same instrument; a draft may be withdrawn.
CREATE TABLE assessment (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	instrument_id TEXT NOT NULL REFERENCES instrument (id),
	reason TEXT NOT NULL CHECK (reason IN ('initial', 'interval', 'trigger', 'other')),
	trigger_id TEXT REFERENCES reassessment_trigger (id), -- reason 'trigger'
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'countersigned', 'superseded', 'withdrawn')),
	assessor_id TEXT NOT NULL REFERENCES account (id),
	assessed_on TEXT,                            -- the day the assessment speaks for (required to submit)
	sources TEXT NOT NULL DEFAULT '',            -- sources consulted (required to submit)
	limitations TEXT NOT NULL DEFAULT '',        -- limitations of this assessment (required to submit)
	judgement TEXT,                              -- one of the instrument's judgement ids, chosen by the assessor
	rationale TEXT,                              -- why (required to submit)
	scenarios TEXT NOT NULL DEFAULT '[]',        -- JSON: [{"kind", "description"}]
	submitted_at INTEGER,
	countersigned_at INTEGER,
	countersigned_by TEXT REFERENCES account (id),
	countersign_note TEXT,
	returned_at INTEGER,                         -- the last return to draft
	returned_by TEXT REFERENCES account (id),
	return_note TEXT,
	superseded_at INTEGER,
	superseded_by TEXT,                          -- the assessment (assessment.id) that superseded it
	withdrawn_at INTEGER,
	withdraw_reason TEXT,
	plan_objective_id TEXT REFERENCES plan_objective (id), -- where its actions went in the supervision plan
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX assessment_case ON assessment (case_id, status);
CREATE INDEX assessment_assessor ON assessment (assessor_id, status);
CREATE INDEX assessment_status ON assessment (status, submitted_at);

-- The assessor's rating of one item, with its evidence and source (S14).
CREATE TABLE assessment_rating (
	assessment_id TEXT NOT NULL REFERENCES assessment (id),
	item TEXT NOT NULL,                          -- the item's id in the instrument
	value TEXT NOT NULL,                         -- a value id of the item's scale
	evidence TEXT NOT NULL,
	source TEXT CHECK (source IN ('observation', 'person', 'family', 'employer', 'police', 'court', -- NULL in a draft
	                              'prison', 'partner', 'document', 'other')),
	source_detail TEXT,
	PRIMARY KEY (assessment_id, item)
) STRICT;

-- The assessor's rating of one domain as a whole (on the domain's scale).
CREATE TABLE assessment_domain (
	assessment_id TEXT NOT NULL REFERENCES assessment (id),
	domain TEXT NOT NULL,                        -- the domain's id in the instrument
	value TEXT NOT NULL,                         -- a value id of the domain's rating scale
	comment TEXT,
	PRIMARY KEY (assessment_id, domain)
) STRICT;

-- Risk-management actions; on countersignature they go into the supervision plan.
CREATE TABLE assessment_action (
	id TEXT NOT NULL PRIMARY KEY,
	assessment_id TEXT NOT NULL REFERENCES assessment (id),
	kind TEXT NOT NULL CHECK (kind IN ('monitoring', 'supervision', 'intervention', 'victim_safety')),
	description TEXT NOT NULL,
	due_on TEXT NOT NULL,
	position INTEGER NOT NULL,
	plan_action_id TEXT REFERENCES plan_action (id)
) STRICT;
CREATE INDEX assessment_action_assessment ON assessment_action (assessment_id, position);

-- Which supervision level a final judgement suggests, per instrument code
-- (NULL: none). A row exists for every judgement of every loaded instrument.
CREATE TABLE level_suggestion (
	instrument_code TEXT NOT NULL,
	judgement TEXT NOT NULL,
	level TEXT REFERENCES ref_supervision_level (code),
	updated_at INTEGER NOT NULL,
	updated_by TEXT REFERENCES account (id),
	version INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (instrument_code, judgement)
) STRICT;

-- The level chosen after an assessment keeps what was suggested, so a departure is visible.
ALTER TABLE case_supervision_level ADD COLUMN assessment_id TEXT REFERENCES assessment (id);
ALTER TABLE case_supervision_level ADD COLUMN suggested_level TEXT;

-- A note may be marked as new information that calls for a reassessment.
ALTER TABLE note ADD COLUMN is_new_information INTEGER NOT NULL DEFAULT 0 CHECK (is_new_information IN (0, 1));

INSERT INTO compliance_rule (code, rank, fires_on, severity, threshold, threshold_unit, escalate_after_hours,
                             title_ky, title_ru, title_en, updated_at) VALUES
	('reassessment.triggered', 16, 'event', 'medium', 30, 'days', 72,
	 'Окуядан кийин кайра баалоо керек', 'Требуется переоценка после события', 'Reassessment after an event', 0);

INSERT INTO role_permission (role, permission) VALUES
	('probation_officer', 'assessments.read'), ('probation_officer', 'assessments.write'),
	('prison_case_worker', 'assessments.read'), ('prison_case_worker', 'assessments.write'),
	('unit_head', 'assessments.read'), ('unit_head', 'assessments.write'),
	('unit_head', 'assessments.countersign'), ('unit_head', 'certifications.manage'),
	('administrator', 'certifications.manage');

-- The service's starting policy for the two instruments Kadam ships; an
-- administrator changes it (Administration -> Instruments). Judgements of
-- instruments loaded later get rows with no suggestion.
INSERT INTO level_suggestion (instrument_code, judgement, level, updated_at) VALUES
	('kadam.needs-screening', 'low', 'low', 0),
	('kadam.needs-screening', 'medium', 'medium', 0),
	('kadam.needs-screening', 'high', 'high', 0),
	('kadam.needs-screening', 'very_high', 'intensive', 0),
	('kadam.disengagement-review', 'low_concern', 'medium', 0),
	('kadam.disengagement-review', 'moderate_concern', 'high', 0),
	('kadam.disengagement-review', 'high_concern', 'intensive', 0);
