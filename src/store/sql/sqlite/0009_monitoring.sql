-- 0009 monitoring: electronic monitoring (S12, S23-S25). Devices and their
-- assignment to people, monitoring orders tied to a decision and limited to
-- the modes it orders, zones and curfews, the fix store, per-device
-- evaluation state, device events, and police requests for EM data.
--
-- EM data is kept apart from the case record (S24): every table here starts
-- with em_, and only the em.* permissions reach it.
--
-- Dates are local calendar dates 'YYYY-MM-DD' in the deployment's zone;
-- instants are ms since the epoch, UTC.

-- ==== devices and orders (section owner: orders) ====

-- The device inventory. num is a small number for the fix store (a fix row
-- carries it instead of the 36-character id).
CREATE TABLE em_device (
	id TEXT NOT NULL PRIMARY KEY,
	num INTEGER NOT NULL UNIQUE CHECK (num > 0),
	kind TEXT NOT NULL CHECK (kind IN ('ankle_tag', 'home_unit', 'phone')),
	identifier TEXT NOT NULL UNIQUE,             -- what the device sends: IMEI (GT06, Teltonika) or OsmAnd id
	protocol TEXT NOT NULL CHECK (protocol IN ('osmand', 'gt06', 'teltonika', 'gateway')),
	model TEXT,
	phone_number TEXT,                           -- the SIM's number, for operators
	status TEXT NOT NULL DEFAULT 'in_stock' CHECK (status IN ('in_stock', 'assigned', 'faulty', 'retired')),
	note TEXT,
	last_seen_at INTEGER,                        -- any message (fix, heartbeat, event)
	last_fix_at INTEGER,                         -- the newest fix's device time
	battery_pct INTEGER,
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX em_device_status ON em_device (status);

-- A monitoring order: what a decision in force orders (S23). Each mode needs
-- the decision's duty electronic_monitoring, and curfew also curfew,
-- exclusion zones also exclusion, inclusion zones also residence or travel.
CREATE TABLE em_order (
	id TEXT NOT NULL PRIMARY KEY,
	case_id TEXT NOT NULL REFERENCES case_file (id),
	decision_id TEXT NOT NULL REFERENCES decision (id),
	mode_curfew INTEGER NOT NULL CHECK (mode_curfew IN (0, 1)),
	mode_inclusion INTEGER NOT NULL CHECK (mode_inclusion IN (0, 1)),
	mode_exclusion INTEGER NOT NULL CHECK (mode_exclusion IN (0, 1)),
	mode_trail INTEGER NOT NULL CHECK (mode_trail IN (0, 1)),
	starts_on TEXT NOT NULL,
	ends_on TEXT NOT NULL,
	home_address TEXT,                           -- the curfew address, as written
	home_lat REAL,                               -- its position (WGS 84), needed for a curfew
	home_lon REAL,
	home_radius_m INTEGER NOT NULL DEFAULT 50 CHECK (home_radius_m BETWEEN 10 AND 1000),
	household_effect TEXT NOT NULL,              -- S23: the effect on household members, in words
	curfew_grace_min INTEGER NOT NULL DEFAULT 10 CHECK (curfew_grace_min BETWEEN 0 AND 120),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
	ended_at INTEGER,
	ended_by TEXT REFERENCES account (id),
	end_reason TEXT,
	rules_version INTEGER NOT NULL DEFAULT 1,    -- goes up on any change the evaluator must see (zones, curfew)
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX em_order_case ON em_order (case_id, status);
CREATE INDEX em_order_status ON em_order (status);

-- A device fitted to the person of an order, and removed.
CREATE TABLE em_fitting (
	id TEXT NOT NULL PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES em_order (id),
	device_id TEXT NOT NULL REFERENCES em_device (id),
	fitted_at INTEGER NOT NULL,
	fitted_by TEXT NOT NULL REFERENCES account (id),
	fit_note TEXT,
	removed_at INTEGER,
	removed_by TEXT REFERENCES account (id),
	removal_reason TEXT CHECK (removal_reason IN ('order_ended', 'replaced', 'faulty', 'other')),
	removal_note TEXT,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX em_fitting_order ON em_fitting (order_id);
CREATE INDEX em_fitting_device ON em_fitting (device_id, removed_at);

-- Zones of an order: a polygon (GeoJSON, WGS 84) or a circle (centre and
-- radius). buffer_m: the warning band outside an exclusion zone (inside an
-- inclusion zone's edge).
CREATE TABLE em_zone (
	id TEXT NOT NULL PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES em_order (id),
	kind TEXT NOT NULL CHECK (kind IN ('inclusion', 'exclusion')),
	name TEXT NOT NULL,
	shape TEXT NOT NULL CHECK (shape IN ('polygon', 'circle')),
	geojson TEXT,                                -- polygon: a GeoJSON Polygon or MultiPolygon geometry
	center_lat REAL,                             -- circle
	center_lon REAL,
	radius_m REAL CHECK (radius_m IS NULL OR radius_m BETWEEN 10 AND 100000),
	buffer_m INTEGER NOT NULL DEFAULT 0 CHECK (buffer_m BETWEEN 0 AND 5000),
	schedule TEXT,                               -- NULL: always; else weekly windows as for a curfew (JSON)
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
	retire_reason TEXT,
	created_at INTEGER NOT NULL,
	created_by TEXT REFERENCES account (id),
	updated_at INTEGER NOT NULL,
	version INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX em_zone_order ON em_zone (order_id, status);

-- The weekly curfew timetable at the home address: one row per window, local
-- time, a window may cross midnight (end before start).
CREATE TABLE em_curfew_window (
	id TEXT NOT NULL PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES em_order (id),
	days TEXT NOT NULL,                          -- iCalendar BYDAY list: MO,TU,WE,TH,FR,SA,SU
	start_time TEXT NOT NULL,                    -- HH:MM local
	end_time TEXT NOT NULL                       -- HH:MM local; <= start_time: the next day
) STRICT;
CREATE INDEX em_curfew_window_order ON em_curfew_window (order_id);

-- An approved absence from the curfew (and from inclusion zones when
-- covers_zones): a hospital visit, a job interview, a funeral.
CREATE TABLE em_absence (
	id TEXT NOT NULL PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES em_order (id),
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL,
	reason TEXT NOT NULL,
	covers_zones INTEGER NOT NULL DEFAULT 0 CHECK (covers_zones IN (0, 1)),
	approved_by TEXT NOT NULL REFERENCES account (id),
	approved_at INTEGER NOT NULL,
	cancelled_at INTEGER,
	cancelled_by TEXT REFERENCES account (id),
	cancel_reason TEXT,
	CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX em_absence_order ON em_absence (order_id, starts_at);

-- ==== the fix store (section owner: ingest) ====

-- Fixes as they arrive: appended in the writer's batch transaction before the
-- device hears its acknowledgement; no secondary index, so an append costs one
-- page at the table's end. The compaction job moves them into em_fix_chunk.
CREATE TABLE em_fix_inbox (
	seq INTEGER NOT NULL PRIMARY KEY,
	device_num INTEGER NOT NULL,
	at INTEGER NOT NULL,                         -- the device's time of the fix
	received_at INTEGER NOT NULL,
	lat REAL NOT NULL,
	lon REAL NOT NULL,
	accuracy_m REAL,
	speed_kmh REAL,
	course_deg REAL,
	altitude_m REAL,
	satellites INTEGER,
	battery_pct INTEGER,
	events INTEGER NOT NULL DEFAULT 0,           -- EM_EV_* bits (src/em/fix.h)
	flags INTEGER NOT NULL DEFAULT 0             -- EM_FIX_* bits: late (out of order)
) STRICT;

-- Compacted fixes: one row per device per run of fixes within one UTC day,
-- the fixes packed in time order (format in src/em/fixstore.c). A day's trail
-- is a short index range; retention deletes whole chunks.
CREATE TABLE em_fix_chunk (
	device_num INTEGER NOT NULL,
	first_at INTEGER NOT NULL,
	last_at INTEGER NOT NULL,
	n INTEGER NOT NULL CHECK (n > 0),
	fixes BLOB NOT NULL,
	PRIMARY KEY (device_num, first_at)
) STRICT;
CREATE INDEX em_fix_chunk_first ON em_fix_chunk (first_at);

-- Device days kept past the EM retention period because an alert used them
-- as evidence (S12: locations tied to an incident).
CREATE TABLE em_fix_hold (
	device_num INTEGER NOT NULL,
	day_start INTEGER NOT NULL,                  -- UTC midnight, ms
	alert_id TEXT NOT NULL,
	held_at INTEGER NOT NULL,
	PRIMARY KEY (device_num, day_start, alert_id)
) STRICT;

-- Messages from identifiers that are not in the inventory: refused, counted.
CREATE TABLE em_unknown_device (
	identifier TEXT NOT NULL,
	protocol TEXT NOT NULL,
	first_seen_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	messages INTEGER NOT NULL DEFAULT 1,
	last_address TEXT,                           -- the peer's address
	PRIMARY KEY (identifier, protocol)
) STRICT;

-- ==== evaluation (section owner: evaluate) ====

-- What the evaluator knows of each device between fixes, saved so a restart
-- neither forgets an open violation nor raises it again.
CREATE TABLE em_device_state (
	device_num INTEGER NOT NULL PRIMARY KEY,
	state TEXT NOT NULL DEFAULT '{}',            -- JSON: per zone inside/outside since, curfew, silence level
	updated_at INTEGER NOT NULL
) STRICT;

-- Device events (tamper, battery, power, SOS ...) as they were reported.
CREATE TABLE em_device_event (
	id TEXT NOT NULL PRIMARY KEY,
	device_num INTEGER NOT NULL,
	at INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	event TEXT NOT NULL,                         -- strap_tamper, strap_removed, case_tamper, battery_low, ...
	lat REAL,
	lon REAL,
	alert_id TEXT
) STRICT;
CREATE INDEX em_device_event_device ON em_device_event (device_num, at);

-- ==== police requests (section owner: orders) ====

-- S24: a police request for a person's EM data, with its legal basis, decided
-- by a unit head; the approved window is then readable by the requester.
CREATE TABLE em_police_request (
	id TEXT NOT NULL PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES em_order (id),
	requested_by TEXT NOT NULL REFERENCES account (id),
	requested_at INTEGER NOT NULL,
	agency_id TEXT NOT NULL REFERENCES agency (id),
	legal_basis TEXT NOT NULL,                   -- the law and article, and the case or warrant number
	reason TEXT NOT NULL,
	from_at INTEGER NOT NULL,
	to_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused', 'withdrawn')),
	decided_by TEXT REFERENCES account (id),
	decided_at INTEGER,
	decision_note TEXT,
	access_until INTEGER,                        -- approved: the requester reads the window until then
	version INTEGER NOT NULL DEFAULT 1,
	CHECK (to_at > from_at)
) STRICT;
CREATE INDEX em_police_request_status ON em_police_request (status, requested_at);
CREATE INDEX em_police_request_order ON em_police_request (order_id);

-- ==== reference data, jobs, settings, permissions (section owner: lead) ====

INSERT INTO compliance_rule (code, rank, fires_on, severity, threshold, threshold_unit, escalate_after_hours,
                             title_ky, title_ru, title_en, updated_at) VALUES
	('em.inclusion_exit', 20, 'event', 'high', NULL, NULL, 1,
	 'Уруксат берилген аймактан чыгуу', 'Выход из разрешённой зоны', 'Left an inclusion zone', 0),
	('em.exclusion_entry', 21, 'event', 'high', NULL, NULL, 1,
	 'Тыюу салынган аймакка кирүү', 'Вход в запретную зону', 'Entered an exclusion zone', 0),
	('em.buffer', 22, 'event', 'low', NULL, NULL, 4,
	 'Тыюу салынган аймакка жакындоо', 'Приближение к запретной зоне', 'In the buffer of an exclusion zone', 0),
	('em.curfew_absence', 23, 'event', 'high', NULL, NULL, 1,
	 'Комендант саатында үйдө жок', 'Отсутствие дома во время комендантского часа', 'Away from home during curfew', 0),
	('em.strap_tamper', 24, 'event', 'high', NULL, NULL, 1,
	 'Билериктин бузулушу', 'Вмешательство в ремешок', 'Strap tamper', 0),
	('em.strap_removed', 25, 'event', 'high', NULL, NULL, 1,
	 'Билерик алынды же кесилди', 'Ремешок снят или перерезан', 'Strap removed or cut', 0),
	('em.case_tamper', 26, 'event', 'high', NULL, NULL, 1,
	 'Түзмөктүн корпусунун бузулушу', 'Вскрытие корпуса устройства', 'Case tamper', 0),
	('em.battery_low', 27, 'event', 'low', NULL, NULL, 8,
	 'Батарея аз', 'Низкий заряд батареи', 'Battery low', 0),
	('em.battery_critical', 28, 'event', 'medium', NULL, NULL, 2,
	 'Батарея өтө аз', 'Критический заряд батареи', 'Battery critical', 0),
	('em.power_cut', 29, 'event', 'medium', NULL, NULL, 4,
	 'Тышкы кубат өчтү', 'Отключено внешнее питание', 'External power cut', 0),
	('em.sos', 30, 'event', 'high', NULL, NULL, 1,
	 'SOS баскычы басылды', 'Нажата кнопка SOS', 'SOS pressed', 0),
	('em.no_location', 31, 'time', 'medium', NULL, NULL, 2,
	 'Жайгашкан жер келген жок', 'Нет данных о местоположении', 'No location received', 0),
	('em.no_contact', 32, 'time', 'high', NULL, NULL, 1,
	 'Түзмөк менен байланыш жок', 'Нет связи с устройством', 'Communication timeout', 0);

INSERT INTO job (name, interval_s, next_run_at) VALUES
	('em.compact', 60, 0),
	('em.silence', 60, 0),
	('em.retention', 3600, 0);

INSERT INTO setting (key, value, updated_at) VALUES
	('em.retention_days', '90', 0),
	('em.margin_m', '20', 0),
	('em.dwell_s', '60', 0),
	('em.no_location_min', '15', 0),
	('em.no_contact_min', '30', 0),
	('em.police_access_days', '14', 0);

INSERT INTO role_permission (role, permission) VALUES
	('monitoring_operator', 'em.read'), ('monitoring_operator', 'em.operate'), ('monitoring_operator', 'em.devices'),
	('monitoring_operator', 'em.fit'), ('monitoring_operator', 'alerts.read'), ('monitoring_operator', 'alerts.work'),
	('probation_officer', 'em.read'), ('probation_officer', 'em.orders'), ('probation_officer', 'em.fit'),
	('unit_head', 'em.read'), ('unit_head', 'em.orders'), ('unit_head', 'em.devices'), ('unit_head', 'em.fit'),
	('unit_head', 'em.police.decide'), ('unit_head', 'em.police.read'),
	('police_liaison', 'em.police.request'), ('police_liaison', 'em.police.read'),
	('administrator', 'em.ingest');
