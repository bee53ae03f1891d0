-- Whether the sync filled the empty name of the CRM record an outcome
-- matched. Counts read this column: the sentence saying so stays in
-- reason_text for people, and may be reworded.
ALTER TABLE outcomes ADD COLUMN name_filled INTEGER NOT NULL DEFAULT 0;

-- Before this column the sentence was the only record of a fill: mark the
-- outcomes it was counted from (skipped ones quoting it, as LIKE matched).
UPDATE outcomes SET name_filled = 1
WHERE status = 'skipped' AND reason_text LIKE '%Its empty name was filled from WhatsApp.%';

-- Fills are few: the per-run counts read them without scanning the runs.
CREATE INDEX outcomes_name_filled ON outcomes (run_id, status) WHERE name_filled = 1;
