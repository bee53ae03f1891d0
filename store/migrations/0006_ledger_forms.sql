-- The candidate forms claimed with a number (rows whose e164 is not the
-- number sent) are few: marking a number created looks its forms up here
-- instead of in ledger_number, which holds every row.
CREATE INDEX ledger_forms ON ledger (target, number) WHERE e164 <> number;
