-- One invariant against duplicates: a create is sent only after its
-- number (and every candidate form of it) is claimed here, in the same
-- transaction as the intent. A claim row is keyed by one form (e164); all
-- rows of one contact share `number`, the form that was sent.
ALTER TABLE ledger ADD COLUMN number TEXT NOT NULL DEFAULT '';
UPDATE ledger SET number = e164;
-- owner is the process-run that claimed (lease owner); land_by is the
-- latest time a create carrying the claim could still land in the CRM: its
-- last send plus the sender's request timeout (0: never sent).
ALTER TABLE ledger ADD COLUMN owner TEXT NOT NULL DEFAULT '';
ALTER TABLE ledger ADD COLUMN land_by INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ledger_number ON ledger (target, number);

-- The region hint a run read national numbers with, so a resume reads
-- them the same way without the caller knowing it.
ALTER TABLE runs ADD COLUMN region TEXT NOT NULL DEFAULT '';

-- One writer per (CRM account, WhatsApp number): the lease of the run that
-- is writing, kept alive by a heartbeat.
CREATE TABLE leases (
	target       TEXT NOT NULL,
	number_id    TEXT NOT NULL,
	run_id       INTEGER NOT NULL,
	owner        TEXT NOT NULL,
	pid          INTEGER NOT NULL,
	host         TEXT NOT NULL,
	started_at   INTEGER NOT NULL,
	heartbeat_at INTEGER NOT NULL,
	PRIMARY KEY (target, number_id)
) WITHOUT ROWID;

CREATE INDEX leases_owner ON leases (owner);

-- What happened to a run besides its outcomes (a lease taken over, pending
-- creates resolved), for the agent reading its history.
CREATE TABLE run_notes (
	run_id INTEGER NOT NULL REFERENCES runs(id),
	at     INTEGER NOT NULL,
	text   TEXT NOT NULL
);

CREATE INDEX run_notes_run ON run_notes (run_id, at);
