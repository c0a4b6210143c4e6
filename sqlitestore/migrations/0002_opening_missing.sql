-- 0002: flag crossings whose record has no crossing.opened.
--
-- A crossing's first event is always its opening (the store refuses a
-- workstation's own events for a crossing it has never seen otherwise). A
-- crossing folded without one is either a replica still waiting for it or a
-- record written before that rule; the port server lists them in its status.
ALTER TABLE crossings ADD COLUMN opening_missing INTEGER NOT NULL DEFAULT 0;

UPDATE crossings SET opening_missing = 1
WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.crossing_id = crossings.id AND e.kind = 'crossing.opened');

CREATE INDEX crossings_opening_missing ON crossings (opened_at) WHERE opening_missing = 1;
