-- 0004: find crossings by document number alone (any issuing country), as
-- a secondary officer searches with only the number in hand.
ALTER TABLE crossing_documents ADD COLUMN number_key TEXT NOT NULL DEFAULT '';
UPDATE crossing_documents SET number_key = substr(doc_key, instr(doc_key, '/') + 1);
CREATE INDEX documents_by_number ON crossing_documents (number_key, at DESC);
