-- A create that was sent, never confirmed, and whose claim was freed
-- because the CRM's search did not show it: a CRM can still make it later
-- (it committed the create after the sender's timeout and the search
-- lag). Kept until the contact has a final outcome in that run, so the run
-- tells its own record, found later, from somebody else's. It is only a
-- memory: it never blocks a claim.
CREATE TABLE freed_creates (
	run_id     INTEGER NOT NULL,
	contact_id INTEGER NOT NULL,
	target     TEXT NOT NULL,
	number     TEXT NOT NULL, -- the E.164 the create carried
	freed_at   INTEGER NOT NULL,
	PRIMARY KEY (run_id, contact_id)
) WITHOUT ROWID;
