-- 0002 identity: agencies, their units, accounts, roles as data, sessions,
-- API tokens, recovery codes and access grants.
--
-- Ids are UUIDv7 text made by the application; times are milliseconds since
-- the epoch, UTC. `version` counts updates, for ETag / If-Match.

CREATE TABLE agency (
	id TEXT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL CHECK (kind IN ('probation', 'prison', 'court', 'police', 'partner',
	                                    'monitoring_centre', 'administration')),
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);

-- Units form a tree inside one agency (a regional office and its district offices,
-- an institution). A root unit has no parent.
CREATE TABLE unit (
	id TEXT NOT NULL PRIMARY KEY,
	agency_id TEXT NOT NULL REFERENCES agency (id),
	parent_id TEXT REFERENCES unit (id),
	name TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1,
	UNIQUE (agency_id, name)
);
CREATE INDEX unit_parent ON unit (parent_id);

-- Roles are data: a name and a list of permissions. The permission names
-- themselves are the ones src/auth/policy.c knows.
CREATE TABLE role (
	name TEXT NOT NULL PRIMARY KEY,
	description TEXT NOT NULL
);

CREATE TABLE role_permission (
	role TEXT NOT NULL REFERENCES role (name) ON DELETE CASCADE,
	permission TEXT NOT NULL,
	PRIMARY KEY (role, permission)
);

CREATE TABLE account (
	id TEXT NOT NULL PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	display_name TEXT NOT NULL,
	agency_id TEXT NOT NULL REFERENCES agency (id),
	unit_id TEXT REFERENCES unit (id),
	preferred_language TEXT NOT NULL DEFAULT 'ky' CHECK (preferred_language IN ('ky', 'ru', 'en')),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
	password_hash TEXT,                       -- Argon2id (libsodium crypto_pwhash_str); NULL: cannot log in
	password_must_change BIGINT NOT NULL DEFAULT 1,
	totp_secret TEXT,                         -- base32; NULL until enrolment is confirmed
	totp_pending_secret TEXT,                 -- during enrolment
	totp_last_step BIGINT NOT NULL DEFAULT 0, -- the last accepted time step: a code is used once
	failed_logins BIGINT NOT NULL DEFAULT 0,  -- consecutive failures
	locked_until BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX account_unit ON account (unit_id);

CREATE TABLE account_role (
	account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	role TEXT NOT NULL REFERENCES role (name),
	PRIMARY KEY (account_id, role)
);

CREATE TABLE recovery_code (
	account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	code_hash TEXT NOT NULL,                  -- hex BLAKE2b of the code
	used_at BIGINT,
	PRIMARY KEY (account_id, code_hash)
);

-- A login session. Only the hash of its token is stored. stage is how far the
-- login has come: 'password' (password checked, second factor or a password
-- change still due) or 'full'.
CREATE TABLE session (
	id TEXT NOT NULL PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	token_hash TEXT NOT NULL UNIQUE,
	csrf_token TEXT NOT NULL,
	stage TEXT NOT NULL CHECK (stage IN ('password', 'full')),
	created_at BIGINT NOT NULL,
	last_seen_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,              -- absolute end (S20: at most 12 hours)
	ended_at BIGINT,
	ended_reason TEXT,
	remote_addr TEXT NOT NULL,
	user_agent TEXT NOT NULL
);
CREATE INDEX session_account ON session (account_id);

-- Tokens for machine clients: scoped to permissions, expiring, revocable.
CREATE TABLE api_token (
	id TEXT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	agency_id TEXT NOT NULL REFERENCES agency (id),
	unit_id TEXT REFERENCES unit (id),
	created_by TEXT NOT NULL REFERENCES account (id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT,
	last_used_at BIGINT
);

CREATE TABLE api_token_permission (
	token_id TEXT NOT NULL REFERENCES api_token (id) ON DELETE CASCADE,
	permission TEXT NOT NULL,
	PRIMARY KEY (token_id, permission)
);

-- Explicit sharing: an account may read records of a unit outside its own
-- until expires_at. kind 'share' is granted by a unit head of that unit;
-- 'break_glass' is taken by the account itself in an emergency (S17), with a
-- written reason, for at most four hours, and notifies the unit's heads.
CREATE TABLE access_grant (
	id TEXT NOT NULL PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('share', 'break_glass')),
	account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	unit_id TEXT NOT NULL REFERENCES unit (id),
	purpose TEXT NOT NULL,
	justification TEXT NOT NULL,
	granted_by TEXT NOT NULL REFERENCES account (id),
	created_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	revoked_at BIGINT
);
CREATE INDEX access_grant_account ON access_grant (account_id);

-- Messages to one account from the system (e.g. "someone broke the glass on
-- your unit"). They name records, never their content.
CREATE TABLE notification (
	id TEXT NOT NULL PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES account (id) ON DELETE CASCADE,
	kind TEXT NOT NULL,
	subject TEXT NOT NULL,
	record_type TEXT,
	record_id TEXT,
	created_at BIGINT NOT NULL,
	read_at BIGINT
);
CREATE INDEX notification_account ON notification (account_id, read_at);

INSERT INTO role (name, description) VALUES
	('administrator', 'Agencies, units, accounts, roles and tokens; not case content'),
	('unit_head', 'Allocates cases, countersigns, reviews the unit''s work'),
	('probation_officer', 'Supervises a caseload'),
	('monitoring_operator', 'Works the electronic-monitoring alert queue'),
	('prison_case_worker', 'Prepares release in an institution'),
	('partner', 'Delivers programmes; sees only what referrals share'),
	('competent_authority', 'Decides on breaches, variations and revocation'),
	('police_liaison', 'Receives disclosures the law allows'),
	('analyst', 'Aggregate statistics only'),
	('auditor', 'Reads the processing log and its verification');

INSERT INTO role_permission (role, permission) VALUES
	('administrator', 'agencies.read'), ('administrator', 'agencies.manage'),
	('administrator', 'units.read'), ('administrator', 'units.manage'),
	('administrator', 'users.read'), ('administrator', 'users.manage'),
	('administrator', 'roles.read'), ('administrator', 'tokens.manage'),
	('administrator', 'audit.read'), ('administrator', 'metrics.read'),
	('unit_head', 'agencies.read'), ('unit_head', 'units.read'), ('unit_head', 'units.members.read'),
	('unit_head', 'units.members.read.any'), ('unit_head', 'grants.manage'), ('unit_head', 'break_glass'),
	('probation_officer', 'agencies.read'), ('probation_officer', 'units.read'),
	('probation_officer', 'units.members.read'), ('probation_officer', 'break_glass'),
	('prison_case_worker', 'agencies.read'), ('prison_case_worker', 'units.read'),
	('prison_case_worker', 'units.members.read'),
	('competent_authority', 'agencies.read'), ('competent_authority', 'units.read'),
	('analyst', 'agencies.read'), ('analyst', 'units.read'),
	('auditor', 'audit.read'), ('auditor', 'users.read'), ('auditor', 'agencies.read'),
	('auditor', 'units.read');
