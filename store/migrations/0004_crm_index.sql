-- The local index of each CRM account's phone values: matching is decided
-- against it instead of the vendors' exact-text search. target is the CRM
-- account, as the ledger names it.
CREATE TABLE crm_records (
	target     TEXT NOT NULL,
	id         TEXT NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	first_name TEXT NOT NULL DEFAULT '',
	last_name  TEXT NOT NULL DEFAULT '',
	country    TEXT NOT NULL DEFAULT '',
	updated_at INTEGER NOT NULL DEFAULT 0,
	archived   INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (target, id)
) WITHOUT ROWID;

-- One row per key of each phone value of a live record: e164 is one
-- candidate form of the value (so a lookup is one indexed equality),
-- value_e164 the value's own E.164. An unreadable value has one row with
-- e164 = '' and its reason. Archived records keep no rows.
CREATE TABLE crm_phones (
	target     TEXT NOT NULL,
	record_id  TEXT NOT NULL,
	property   TEXT NOT NULL,
	raw        TEXT NOT NULL,
	e164       TEXT NOT NULL,
	value_e164 TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL DEFAULT '',
	reason     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (target, record_id, property, e164)
) WITHOUT ROWID;

CREATE INDEX crm_phones_e164 ON crm_phones (target, e164);

-- How far the index of a target is built. default_region is the region
-- national values were read in: another region means a rebuild.
CREATE TABLE crm_index_state (
	target         TEXT PRIMARY KEY,
	default_region TEXT NOT NULL DEFAULT '',
	built_at       INTEGER NOT NULL DEFAULT 0,
	watermark      INTEGER NOT NULL DEFAULT 0,
	record_count   INTEGER NOT NULL DEFAULT 0,
	complete       INTEGER NOT NULL DEFAULT 0,
	unreadable     INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
