-- 0003 audit: the processing log (S10, S11, S21).
--
-- audit_log holds one row per logged action, numbered 1, 2, 3 ... without
-- gaps by src/audit/audit.c, each chained to the one before by a hash:
-- hash = BLAKE2b-256(prev_hash || canonical entry), in hex (audit.h documents
-- the canonical form). audit_head is the single row every append locks and
-- advances, so concurrent writers queue on it and the chain stays one line.
-- audit_checkpoint keeps Ed25519 signatures of the head made with a key kept
-- outside the database, so rewriting or cutting the log is caught even by
-- someone who can recompute hashes.
--
-- The triggers make the log append-only for anyone who uses the database
-- normally: an entry must follow the head, entries and checkpoints cannot be
-- changed or deleted, the head only advances to the newest entry. Someone
-- with the file can drop them; `kadam audit verify` is what catches that.
-- Times are milliseconds since the epoch, UTC.

CREATE TABLE audit_log (
	seq INTEGER NOT NULL PRIMARY KEY,  -- 1, 2, 3 ... assigned by audit_append
	id TEXT NOT NULL,                  -- UUIDv7
	at INTEGER NOT NULL,
	actor_id TEXT,                     -- account; NULL for the system or an unknown user
	actor_login TEXT,                  -- as typed or known at the time (kept if the account goes)
	agency_id TEXT,                    -- the actor's organisation
	action TEXT NOT NULL,              -- the vocabulary of audit.h
	record_type TEXT,
	record_id TEXT,
	purpose TEXT,                      -- consultation and disclosure (S10)
	justification TEXT,                -- consultation and disclosure (S10)
	recipient TEXT,                    -- disclosure (S10)
	request_id TEXT,
	remote_addr TEXT,
	outcome TEXT NOT NULL,             -- success, failure, denied
	detail TEXT,                       -- never personal data, never erased content
	prev_hash TEXT NOT NULL,           -- hex; 64 zeros before entry 1
	hash TEXT NOT NULL                 -- hex
) STRICT;
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
	id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	seq INTEGER NOT NULL,              -- the newest entry; 0 for an empty log
	hash TEXT NOT NULL                 -- its hash; 64 zeros for an empty log
) STRICT;
INSERT INTO audit_head (id, seq, hash)
	VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoint (
	seq INTEGER NOT NULL PRIMARY KEY,  -- the entry signed
	hash TEXT NOT NULL,                -- its hash, hex
	at INTEGER NOT NULL,
	public_key TEXT NOT NULL,          -- Ed25519, hex
	signature TEXT NOT NULL            -- Ed25519 over the message of audit.h, hex
) STRICT;

CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log
	WHEN NEW.seq IS NOT (SELECT seq + 1 FROM audit_head WHERE id = 1)
	  OR NEW.prev_hash IS NOT (SELECT hash FROM audit_head WHERE id = 1)
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: a new entry must follow audit_head');
END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: an entry cannot be changed');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only: an entry cannot be deleted');
END;

CREATE TRIGGER audit_head_advance BEFORE UPDATE ON audit_head
	WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1
	  OR NEW.hash IS NOT (SELECT hash FROM audit_log WHERE seq = NEW.seq)
BEGIN
	SELECT RAISE(ABORT, 'audit_head only advances to the newest entry');
END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN
	SELECT RAISE(ABORT, 'audit_head cannot be deleted');
END;

CREATE TRIGGER audit_checkpoint_no_update BEFORE UPDATE ON audit_checkpoint
BEGIN
	SELECT RAISE(ABORT, 'audit_checkpoint is append-only: a checkpoint cannot be changed');
END;
CREATE TRIGGER audit_checkpoint_no_delete BEFORE DELETE ON audit_checkpoint
BEGIN
	SELECT RAISE(ABORT, 'audit_checkpoint is append-only: a checkpoint cannot be deleted');
END;
