-- 0006 compliance: the scheduler's jobs (run exactly once across servers),
-- the rules that raise alerts (S7: they only raise alerts and tasks), alerts
-- and their lifecycle, tasks, breach allegations by due process (S6-S9, S25),
-- the ladder of responses (sanctions and rewards), and the complaints
-- register (S9).
--
-- Dates are local calendar dates 'YYYY-MM-DD' in the deployment's zone;
-- instants are ms since the epoch, UTC.

-- A scheduled job. A server claims a due job by locking its row (FOR UPDATE
-- SKIP LOCKED on PostgreSQL; the write lock on SQLite), runs it in the same
-- transaction and moves next_run_at on, so each slot runs once.
CREATE TABLE job (
	name TEXT NOT NULL PRIMARY KEY,
	interval_s BIGINT NOT NULL CHECK (interval_s > 0),
	next_run_at BIGINT NOT NULL,
	last_run_at BIGINT,
	last_server TEXT,
	last_status TEXT CHECK (last_status IN ('ok', 'failed')),
	last_detail TEXT
);

-- One row per slot a job ran for; the key makes a second run of a slot impossible.
CREATE TABLE job_run (
	job TEXT NOT NULL REFERENCES job (name),
	slot_at BIGINT NOT NULL,                    -- the next_run_at the run claimed
	server TEXT NOT NULL,                        -- which kadam serve ran it (host/pid/start)
	started_at BIGINT NOT NULL,                 -- the clock's time
	finished_at BIGINT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
	detail TEXT NOT NULL DEFAULT '{}',           -- JSON: what the run did (counts)
	PRIMARY KEY (job, slot_at)
);

-- The rules the engine evaluates, with their thresholds. A rule's threshold
-- means what its description says (hours after, days before); NULL where the
-- rule has none.
CREATE TABLE compliance_rule (
	code TEXT NOT NULL PRIMARY KEY,
	rank BIGINT NOT NULL,
	fires_on TEXT NOT NULL CHECK (fires_on IN ('event', 'time')),
	is_enabled BIGINT NOT NULL DEFAULT 1 CHECK (is_enabled IN (0, 1)),
	severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
	threshold BIGINT CHECK (threshold BETWEEN 0 AND 8784),
	threshold_unit TEXT CHECK (threshold_unit IN ('hours', 'days')),
	escalate_after_hours BIGINT NOT NULL CHECK (escalate_after_hours BETWEEN 1 AND 720),
	title_ky TEXT NOT NULL,
	title_ru TEXT NOT NULL,
	title_en TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	updated_by TEXT REFERENCES account (id),
	version BIGINT NOT NULL DEFAULT 1
);

-- An alert is a signal someone must verify (S6, S25), never a breach by itself.
CREATE TABLE alert (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	unit_id TEXT NOT NULL REFERENCES unit (id),  -- the case's unit when raised
	rule_code TEXT REFERENCES compliance_rule (code), -- NULL: raised by an officer
	source TEXT NOT NULL CHECK (source IN ('rule', 'officer', 'device')),
	severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
	dedupe_key TEXT UNIQUE,                      -- a rule's alert is raised once per key
	summary TEXT NOT NULL,                       -- one line; an officer's own words for theirs
	evidence TEXT NOT NULL DEFAULT '{}',         -- JSON: what raised it (records, dates, figures)
	due_on TEXT,                                 -- the date the missed or coming thing is due
	status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'verified', 'dismissed')),
	outcome TEXT CHECK (outcome IN ('breach', 'task')),
	assigned_to TEXT REFERENCES account (id),
	raised_at BIGINT NOT NULL,
	raised_by TEXT REFERENCES account (id),      -- NULL: a rule or a device
	ack_due_at BIGINT NOT NULL,                 -- escalates when still open after this
	escalation_level BIGINT NOT NULL DEFAULT 0,
	escalated_at BIGINT,
	acknowledged_at BIGINT,
	acknowledged_by TEXT REFERENCES account (id),
	closed_at BIGINT,
	closed_by TEXT REFERENCES account (id),
	close_reason TEXT,                           -- verification or dismissal reasons
	breach_id TEXT,                              -- when verified as a breach allegation
	task_id TEXT,                                -- when verified as a task
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX alert_unit_status ON alert (unit_id, status, raised_at);
CREATE INDEX alert_case ON alert (case_id, raised_at);
CREATE INDEX alert_assignee ON alert (assigned_to, status);
CREATE INDEX alert_ack_due ON alert (status, ack_due_at);

-- Every step of an alert: who, when, why.
CREATE TABLE alert_event (
	id TEXT NOT NULL PRIMARY KEY,
	alert_id TEXT NOT NULL REFERENCES alert (id),
	at BIGINT NOT NULL,
	actor_id TEXT REFERENCES account (id),       -- NULL: the engine
	action TEXT NOT NULL CHECK (action IN ('raised', 'assigned', 'acknowledged', 'escalated', 'verified',
	                                       'dismissed')),
	reason TEXT,
	detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_event_alert ON alert_event (alert_id, at);

-- Work to do on a case: from a verified alert, or an officer's own.
CREATE TABLE task (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	unit_id TEXT NOT NULL REFERENCES unit (id),
	title TEXT NOT NULL,
	detail TEXT,
	due_on TEXT,
	assigned_to TEXT REFERENCES account (id),
	status TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
	source_alert_id TEXT REFERENCES alert (id),
	created_at BIGINT NOT NULL,
	created_by TEXT REFERENCES account (id),
	closed_at BIGINT,
	closed_by TEXT REFERENCES account (id),
	close_note TEXT,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX task_assignee ON task (assigned_to, status, due_on);
CREATE INDEX task_case ON task (case_id, status);
CREATE INDEX task_unit ON task (unit_id, status, due_on);

-- The ladder of responses: to non-compliance (negative) and to progress
-- (positive, Tokyo Rule 11.2). needs_authority: only the competent authority
-- can act on it, so it goes by referral.
CREATE TABLE ref_response (
	code TEXT NOT NULL PRIMARY KEY,
	polarity TEXT NOT NULL CHECK (polarity IN ('negative', 'positive')),
	rank BIGINT NOT NULL,
	needs_authority BIGINT NOT NULL CHECK (needs_authority IN (0, 1)),
	has_letter BIGINT NOT NULL CHECK (has_letter IN (0, 1)),
	title_ky TEXT NOT NULL,
	title_ru TEXT NOT NULL,
	title_en TEXT NOT NULL
);

-- A breach allegation, opened only from a verified alert (S6, S25), moving
-- through fixed states; each step is a breach_event row.
CREATE TABLE breach (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	alert_id TEXT NOT NULL UNIQUE REFERENCES alert (id),
	state TEXT NOT NULL CHECK (state IN ('reported', 'notified', 'account_recorded', 'assessed', 'countersigned',
	                                     'referred', 'decided', 'appealed', 'appeal_decided', 'closed',
	                                     'withdrawn')),
	allegation TEXT NOT NULL,
	occurred_on TEXT NOT NULL,
	reported_at BIGINT NOT NULL,
	reported_by TEXT NOT NULL REFERENCES account (id),
	-- the person is told what is alleged and how to answer
	notified_on TEXT,
	notice_method TEXT CHECK (notice_method IN ('in_person', 'letter', 'phone', 'representative')),
	notice_language TEXT CHECK (notice_language IN ('ky', 'ru', 'en')),
	account_due_on TEXT,
	-- the person's account (S8): given, declined, or none by the deadline
	account_kind TEXT CHECK (account_kind IN ('given', 'declined', 'none_by_deadline')),
	account_text TEXT,
	account_on TEXT,
	-- the officer's assessment
	facts TEXT,
	alternatives TEXT,
	recommended_response TEXT REFERENCES ref_response (code),
	assessed_at BIGINT,
	assessed_by TEXT REFERENCES account (id),
	-- the unit head's countersignature
	countersigned_at BIGINT,
	countersigned_by TEXT REFERENCES account (id),
	countersign_note TEXT,
	-- referral to the competent authority
	referred_at BIGINT,
	referred_by TEXT REFERENCES account (id),
	authority TEXT,
	referral_note TEXT,
	-- the competent authority's decision (S8, S9)
	decision_outcome TEXT CHECK (decision_outcome IN ('no_action', 'warning', 'vary_conditions', 'revoke',
	                                                  'other')),
	decision_reasons TEXT,
	alternatives_considered TEXT,
	authority_reference TEXT,
	decided_on TEXT,
	decided_at BIGINT,
	decided_by TEXT REFERENCES account (id),
	appeal_route TEXT,
	appeal_deadline_on TEXT,
	-- an appeal against the decision
	appealed_on TEXT,
	appeal_by TEXT CHECK (appeal_by IN ('person', 'defender', 'prosecutor', 'service')),
	appeal_grounds TEXT,
	appeal_outcome TEXT CHECK (appeal_outcome IN ('upheld', 'overturned', 'varied')),
	appeal_decided_on TEXT,
	appeal_reasons TEXT,
	-- closed by the service's own response, or withdrawn
	closed_at BIGINT,
	closed_by TEXT REFERENCES account (id),
	close_reason TEXT,
	response_id TEXT,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX breach_case ON breach (case_id, reported_at);
CREATE INDEX breach_state ON breach (state, updated_at);

-- The conditions a breach alleges were not kept.
CREATE TABLE breach_condition (
	breach_id TEXT NOT NULL REFERENCES breach (id),
	condition_id TEXT NOT NULL REFERENCES case_condition (id),
	PRIMARY KEY (breach_id, condition_id)
);

-- Every transition: who, when, from which state to which, and why.
CREATE TABLE breach_event (
	id TEXT NOT NULL PRIMARY KEY,
	breach_id TEXT NOT NULL REFERENCES breach (id),
	at BIGINT NOT NULL,
	actor_id TEXT NOT NULL REFERENCES account (id),
	action TEXT NOT NULL,
	from_state TEXT,
	to_state TEXT NOT NULL,
	reason TEXT,
	detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX breach_event_breach ON breach_event (breach_id, at);

-- A response given: to a breach (negative) or to progress (positive).
CREATE TABLE response (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	code TEXT NOT NULL REFERENCES ref_response (code),
	breach_id TEXT REFERENCES breach (id),
	given_on TEXT NOT NULL,
	given_by TEXT NOT NULL REFERENCES account (id),
	officer_id TEXT REFERENCES account (id),     -- the case's officer then (per-officer ratios)
	unit_id TEXT NOT NULL REFERENCES unit (id),  -- the case's unit then
	reasons TEXT NOT NULL,
	detail TEXT,
	created_at BIGINT NOT NULL
);
CREATE INDEX response_case ON response (case_id, given_on);
CREATE INDEX response_unit ON response (unit_id, given_on);
CREATE INDEX response_officer ON response (officer_id, given_on);

-- The complaints register (S9): every complaint is answered by a deadline.
CREATE TABLE complaint (
	id TEXT NOT NULL PRIMARY KEY,
	person_id TEXT NOT NULL REFERENCES person (id),
	case_id TEXT REFERENCES case_file (id),
	unit_id TEXT NOT NULL REFERENCES unit (id),
	received_on TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('in_person', 'letter', 'email', 'phone', 'representative')),
	about TEXT NOT NULL CHECK (about IN ('breach', 'decision', 'conditions', 'officer_conduct', 'data', 'other')),
	breach_id TEXT REFERENCES breach (id),
	summary TEXT NOT NULL,
	language TEXT NOT NULL CHECK (language IN ('ky', 'ru', 'en')),
	answer_due_on TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'withdrawn')),
	answer TEXT,
	withdraw_reason TEXT,                        -- when the person withdrew it
	answered_on TEXT,                            -- the day it was answered or withdrawn
	answered_by TEXT REFERENCES account (id),    -- who recorded that
	created_at BIGINT NOT NULL,
	created_by TEXT NOT NULL REFERENCES account (id),
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX complaint_unit ON complaint (unit_id, status, answer_due_on);
CREATE INDEX complaint_person ON complaint (person_id);

INSERT INTO job (name, interval_s, next_run_at) VALUES
	('compliance.rules', 300, 0),
	('alerts.escalate', 60, 0);

INSERT INTO compliance_rule (code, rank, fires_on, severity, threshold, threshold_unit, escalate_after_hours,
                             title_ky, title_ru, title_en, updated_at) VALUES
	('appointment.no_outcome', 1, 'time', 'medium', 24, 'hours', 48,
	 'Жолугушуунун жыйынтыгы жазылган жок', 'Не записан итог встречи', 'Appointment passed without an outcome', 0),
	('contact.failed', 2, 'event', 'high', NULL, NULL, 24,
	 'Келген жок же жүйөсүз себеп менен келген жок', 'Неявка или неявка без уважительной причины',
	 'Failed to attend or unacceptable absence', 0),
	('level.min_contacts', 3, 'time', 'medium', NULL, NULL, 72,
	 'Деңгээлдин минималдуу байланыштары аткарылган жок', 'Не выполнен минимум контактов уровня',
	 'Minimum contacts of the supervision level not met', 0),
	('condition.review_due', 4, 'time', 'low', 14, 'days', 168,
	 'Шартты кайра кароо мөөнөтү жакындады', 'Приближается пересмотр условия', 'Condition review due', 0),
	('condition.review_overdue', 5, 'time', 'medium', 0, 'days', 72,
	 'Шартты кайра кароо мөөнөтү өттү', 'Пересмотр условия просрочен', 'Condition review overdue', 0),
	('reassessment.due', 6, 'time', 'low', 14, 'days', 168,
	 'Кайра баалоо мөөнөтү жакындады', 'Приближается переоценка', 'Reassessment due', 0),
	('reassessment.overdue', 7, 'time', 'medium', 0, 'days', 72,
	 'Кайра баалоо мөөнөтү өттү', 'Переоценка просрочена', 'Reassessment overdue', 0),
	('plan.review_due', 8, 'time', 'low', 14, 'days', 168,
	 'Планды кайра кароо мөөнөтү жакындады', 'Приближается пересмотр плана', 'Plan review due', 0),
	('plan.review_overdue', 9, 'time', 'medium', 0, 'days', 72,
	 'Планды кайра кароо мөөнөтү өттү', 'Пересмотр плана просрочен', 'Plan review overdue', 0),
	('supervision.end_approaching', 10, 'time', 'low', 30, 'days', 168,
	 'Көзөмөлдүн аягы жакындады', 'Приближается окончание надзора', 'End of supervision approaching', 0),
	('release.approaching', 11, 'time', 'medium', 90, 'days', 168,
	 'Бошотулуу күнү жакындады', 'Приближается дата освобождения', 'Release date approaching', 0),
	('pretrial.report_due', 12, 'time', 'medium', 5, 'days', 48,
	 'Сотко чейинки баяндаманын мөөнөтү жакындады', 'Приближается срок досудебного доклада',
	 'Pre-trial report due', 0),
	('pretrial.report_overdue', 13, 'time', 'high', 0, 'days', 24,
	 'Сотко чейинки баяндаманын мөөнөтү өттү', 'Срок досудебного доклада пропущен', 'Pre-trial report overdue', 0),
	('complaint.answer_due', 14, 'time', 'medium', 3, 'days', 48,
	 'Арызга жооп берүү мөөнөтү жакындады', 'Приближается срок ответа на жалобу', 'Complaint answer due', 0),
	('complaint.answer_overdue', 15, 'time', 'high', 0, 'days', 24,
	 'Арызга жооп берүү мөөнөтү өттү', 'Срок ответа на жалобу пропущен', 'Complaint answer overdue', 0);

INSERT INTO ref_response (code, polarity, rank, needs_authority, has_letter, title_ky, title_ru, title_en) VALUES
	('warning', 'negative', 1, 0, 1, 'Эскертүү', 'Предупреждение', 'Warning'),
	('formal_warning', 'negative', 2, 0, 1, 'Расмий эскертүү', 'Официальное предупреждение', 'Formal warning'),
	('increased_contact', 'negative', 3, 0, 1, 'Байланыштарды көбөйтүү', 'Более частые контакты',
	 'More frequent contact'),
	('added_support', 'negative', 4, 0, 0, 'Кошумча колдоо', 'Дополнительная поддержка', 'Added support'),
	('variation_request', 'negative', 5, 1, 0, 'Шарттарды өзгөртүү өтүнүчү', 'Ходатайство об изменении условий',
	 'Variation request'),
	('referral', 'negative', 6, 1, 0, 'Компетенттүү органга жолдомо', 'Направление в компетентный орган',
	 'Referral to the competent authority'),
	('positive_progress', 'positive', 1, 0, 1, 'Оң жылыш', 'Положительная динамика', 'Positive progress'),
	('reduced_reporting', 'positive', 2, 0, 1, 'Келүүнү азайтуу', 'Сокращение явок', 'Reduced reporting'),
	('early_termination', 'positive', 3, 1, 0, 'Көзөмөлдү мөөнөтүнөн мурда токтотуу сунушу',
	 'Предложение о досрочном прекращении надзора', 'Proposal to end supervision early');

INSERT INTO setting (key, value, updated_at) VALUES
	('breaches.account_days', '10', 0),
	('breaches.appeal_days', '10', 0),
	('complaints.answer_days', '14', 0);

INSERT INTO role_permission (role, permission) VALUES
	('probation_officer', 'alerts.read'), ('probation_officer', 'alerts.work'),
	('probation_officer', 'breaches.list'), ('probation_officer', 'breaches.write'),
	('probation_officer', 'responses.write'),
	('probation_officer', 'complaints.read'), ('probation_officer', 'complaints.write'),
	('unit_head', 'alerts.read'), ('unit_head', 'alerts.work'),
	('unit_head', 'breaches.list'), ('unit_head', 'breaches.write'), ('unit_head', 'breaches.countersign'),
	('unit_head', 'responses.write'), ('unit_head', 'complaints.read'), ('unit_head', 'complaints.write'),
	('competent_authority', 'breaches.list'), ('competent_authority', 'breaches.decide'),
	('administrator', 'system.jobs'), ('administrator', 'system.clock');
