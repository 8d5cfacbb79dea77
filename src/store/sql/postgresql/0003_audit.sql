-- 0003 audit: the processing log (S10, S11, S21).
--
-- audit_log holds one row per logged action, numbered 1, 2, 3 ... without
-- gaps by src/audit/audit.c, each chained to the one before by a hash:
-- hash = BLAKE2b-256(prev_hash || canonical entry), in hex (audit.h documents
-- the canonical form). audit_head is the single row every append locks
-- (SELECT ... FOR UPDATE) and advances, so concurrent writers queue on it and
-- the chain stays one line. audit_checkpoint keeps Ed25519 signatures of the
-- head made with a key kept outside the database, so rewriting or cutting the
-- log is caught even by someone who can recompute hashes.
--
-- The triggers make the log append-only for anyone who uses the database
-- normally: an entry must follow the head, entries and checkpoints cannot be
-- changed, deleted or truncated, the head only advances to the newest entry.
-- The table owner or a superuser can disable them; `kadam audit verify` is
-- what catches that. Times are milliseconds since the epoch, UTC.

CREATE TABLE audit_log (
	seq BIGINT NOT NULL PRIMARY KEY,   -- 1, 2, 3 ... assigned by audit_append
	id TEXT NOT NULL,                  -- UUIDv7
	at BIGINT NOT NULL,
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
);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_record ON audit_log (record_type, record_id, seq);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TABLE audit_head (
	id BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
	seq BIGINT NOT NULL,               -- the newest entry; 0 for an empty log
	hash TEXT NOT NULL                 -- its hash; 64 zeros for an empty log
);
INSERT INTO audit_head (id, seq, hash)
	VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE audit_checkpoint (
	seq BIGINT NOT NULL PRIMARY KEY,   -- the entry signed
	hash TEXT NOT NULL,                -- its hash, hex
	at BIGINT NOT NULL,
	public_key TEXT NOT NULL,          -- Ed25519, hex
	signature TEXT NOT NULL            -- Ed25519 over the message of audit.h, hex
);

-- integrity_constraint_violation (23000), so both backends report DB_CONSTRAINT.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
		USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE FUNCTION audit_log_check_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	head_seq BIGINT;
	head_hash TEXT;
BEGIN
	SELECT seq, hash INTO head_seq, head_hash FROM audit_head WHERE id = 1;
	IF head_seq IS NULL OR NEW.seq IS DISTINCT FROM head_seq + 1
	   OR NEW.prev_hash IS DISTINCT FROM head_hash THEN
		RAISE EXCEPTION 'audit_log is append-only: a new entry must follow audit_head'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE FUNCTION audit_head_check_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.id IS DISTINCT FROM OLD.id OR NEW.seq IS DISTINCT FROM OLD.seq + 1
	   OR NEW.hash IS DISTINCT FROM (SELECT hash FROM audit_log WHERE seq = NEW.seq) THEN
		RAISE EXCEPTION 'audit_head only advances to the newest entry'
			USING ERRCODE = 'integrity_constraint_violation';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER audit_log_append BEFORE INSERT ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_log_check_append();
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_head_advance BEFORE UPDATE ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_head_check_advance();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_checkpoint
	FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
	FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
