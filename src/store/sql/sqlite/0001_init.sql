-- 0001 init: deployment settings.
--
-- One row per setting that an administrator may change at run time (the
-- configuration file holds only what is needed to start). updated_at is
-- milliseconds since the epoch, UTC; 0 marks a value installed by this
-- migration and never changed.

CREATE TABLE setting (
	key TEXT NOT NULL PRIMARY KEY,
	value TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

INSERT INTO setting (key, value, updated_at) VALUES
	('default_language', 'ky', 0),
	('timezone', 'Asia/Bishkek', 0),
	('deployment_name', 'Kadam', 0),
	('demo', 'false', 0);
