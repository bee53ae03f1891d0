-- When each indexed record was last written from a CRM listing (Unix ns).
-- A full rebuild no longer empties the index first, which left other
-- processes planning against a half-listed index: it writes every record
-- it lists, then sweeps those written before it started (deleted in the
-- CRM since).
ALTER TABLE crm_records ADD COLUMN listed_at INTEGER NOT NULL DEFAULT 0;
