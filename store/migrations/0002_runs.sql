-- Sync runs, what happened to each contact in them, and the create ledger.
CREATE TABLE runs (
	id            INTEGER PRIMARY KEY,
	number_id     TEXT NOT NULL,
	crm           TEXT NOT NULL,
	target        TEXT NOT NULL,
	mode          TEXT NOT NULL,
	parent_run_id INTEGER REFERENCES runs(id),
	status        TEXT NOT NULL,
	started_at    INTEGER NOT NULL,
	finished_at   INTEGER NOT NULL DEFAULT 0,
	total         INTEGER NOT NULL DEFAULT 0,
	error         TEXT NOT NULL DEFAULT ''
);

CREATE INDEX runs_status ON runs (status);

CREATE TABLE outcomes (
	run_id      INTEGER NOT NULL REFERENCES runs(id),
	contact_id  INTEGER NOT NULL REFERENCES contacts(id),
	name        TEXT NOT NULL DEFAULT '',
	raw         TEXT NOT NULL DEFAULT '',
	e164        TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	crm_id      TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	reason_text TEXT NOT NULL DEFAULT '',
	attempts    INTEGER NOT NULL DEFAULT 0,
	updated_at  INTEGER NOT NULL,
	PRIMARY KEY (run_id, contact_id)
) WITHOUT ROWID;

-- Serves the per-run counts and the status/reason filters of the browser.
CREATE INDEX outcomes_status_reason ON outcomes (run_id, status, reason);

-- The ledger outlives runs, so run_id/contact_id carry no foreign keys.
CREATE TABLE ledger (
	target     TEXT NOT NULL,
	e164       TEXT NOT NULL,
	state      TEXT NOT NULL CHECK (state IN ('pending', 'created')),
	crm_id     TEXT NOT NULL DEFAULT '',
	run_id     INTEGER NOT NULL DEFAULT 0,
	contact_id INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (target, e164)
) WITHOUT ROWID;

-- Only pending rows are ever listed by state; created rows, the many, stay
-- out of the index.
CREATE INDEX ledger_pending ON ledger (target) WHERE state = 'pending';
