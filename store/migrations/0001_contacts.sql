-- Numbers seen on the Graph API, the payloads received for them and the
-- Business App contacts those payloads carried.
CREATE TABLE numbers (
	id                   TEXT PRIMARY KEY,
	display_phone_number TEXT NOT NULL DEFAULT '',
	verified_name        TEXT NOT NULL DEFAULT '',
	status               TEXT NOT NULL DEFAULT '',
	quality_rating       TEXT NOT NULL DEFAULT '',
	platform_type        TEXT NOT NULL DEFAULT '',
	on_biz_app           INTEGER NOT NULL DEFAULT 0,
	sync_requested_at    INTEGER NOT NULL DEFAULT 0,
	sync_request_id      TEXT NOT NULL DEFAULT '',
	seen_at              INTEGER NOT NULL DEFAULT 0
);

-- Every body received, verbatim and once: the contact sync can be requested
-- only once, so what arrived must never be lost.
CREATE TABLE payloads (
	id          INTEGER PRIMARY KEY,
	source      TEXT NOT NULL,
	received_at INTEGER NOT NULL,
	sha256      TEXT NOT NULL UNIQUE,
	body        BLOB NOT NULL
);

-- number_id has no foreign key: a saved payload may be imported before the
-- number was ever listed.
CREATE TABLE contacts (
	id         INTEGER PRIMARY KEY,
	number_id  TEXT NOT NULL,
	key        TEXT NOT NULL,
	phone      TEXT NOT NULL DEFAULT '',
	user_id    TEXT NOT NULL DEFAULT '',
	username   TEXT NOT NULL DEFAULT '',
	full_name  TEXT NOT NULL DEFAULT '',
	first_name TEXT NOT NULL DEFAULT '',
	removed    INTEGER NOT NULL DEFAULT 0,
	event_at   INTEGER NOT NULL,
	payload_id INTEGER NOT NULL REFERENCES payloads(id),
	raw        BLOB,
	updated_at INTEGER NOT NULL,
	UNIQUE (number_id, key)
);

CREATE INDEX contacts_current ON contacts (number_id, removed, id);
