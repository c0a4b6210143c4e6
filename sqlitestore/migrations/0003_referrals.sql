-- 0003: the secondary referral queue and determination conflicts.
--
-- referrals holds one row per crossing that was ever referred to secondary:
-- state 'queue' (no determination yet), 'conflict' (determinations that
-- conflict: see records.Crossing.Conflict) or 'done'. The queue and the
-- conflicts view read straight down referrals_by_state, oldest first.
-- Port, lane, plate and names come from crossings (joined by primary key).
-- Like every projection it is derived from the events and rebuilt at will.
CREATE TABLE referrals (
    crossing_id TEXT    PRIMARY KEY REFERENCES crossings (id) ON DELETE CASCADE,
    state       TEXT    NOT NULL CHECK (state IN ('queue', 'conflict', 'done')),
    referred_at INTEGER NOT NULL,
    referred_by TEXT    NOT NULL,  -- officer@workstation of the primary
    reasons     TEXT    NOT NULL,  -- JSON array of reason codes
    note        TEXT    NOT NULL,
    rpm_alarm   INTEGER NOT NULL,
    lookout     INTEGER NOT NULL,
    taken_by    TEXT    NOT NULL,  -- officer@workstation of the latest take, '' none
    taken_at    INTEGER NOT NULL,
    outcomes    TEXT    NOT NULL   -- JSON array: the current determinations' outcomes
) WITHOUT ROWID;
CREATE INDEX referrals_by_state ON referrals (state, referred_at, crossing_id);

-- The crossing's determinations as the primary's history shows them: outcome
-- is the final outcome ('' while undetermined or in conflict), conflict says
-- the determinations conflict and outcomes lists the ones that stand.
ALTER TABLE crossings ADD COLUMN conflict INTEGER NOT NULL DEFAULT 0;
ALTER TABLE crossings ADD COLUMN outcomes TEXT NOT NULL DEFAULT '[]';

-- backfill (sqlitestore's tests run the statements below again on a store
-- whose projection was written by Go, and compare).
--
-- Before this schema no determination could supersede another, so two or
-- more determinations of a crossing are a conflict and one is its outcome.
-- A crossing with events this SQL does not model (a correction replicated
-- from a newer build) is corrected by its next event or RebuildProjections.
UPDATE crossings SET
    outcomes = coalesce((SELECT json_group_array(o) FROM (
        SELECT json_extract(e.payload, '$.outcome') AS o FROM events e
        WHERE e.crossing_id = crossings.id AND e.kind = 'determination' ORDER BY e.at, e.id)), '[]'),
    conflict = (SELECT count(*) FROM events e WHERE e.crossing_id = crossings.id AND e.kind = 'determination') > 1;
UPDATE crossings SET outcome = '' WHERE conflict;

INSERT INTO referrals (crossing_id, state, referred_at, referred_by, reasons, note, rpm_alarm, lookout, taken_by, taken_at, outcomes)
SELECT c.id,
    CASE WHEN c.outcomes = '[]' THEN 'queue' WHEN c.conflict THEN 'conflict' ELSE 'done' END,
    coalesce(r.at, 0),
    CASE WHEN r.officer = '' THEN r.origin WHEN r.origin = '' THEN r.officer ELSE r.officer || '@' || r.origin END,
    coalesce((SELECT json_group_array(v) FROM (
        SELECT j.value AS v FROM events e, json_each(e.payload, '$.reasons') j
        WHERE e.crossing_id = c.id AND e.kind = 'referral'
        GROUP BY j.value ORDER BY min(printf('%020d|%s|%06d', coalesce(e.at, 0), e.id, j.key)))), '[]'),
    coalesce(json_extract(r.payload, '$.note'), ''),
    EXISTS (SELECT 1 FROM events e WHERE e.crossing_id = c.id AND e.kind = 'rpm.occupancy'
        AND (json_extract(e.payload, '$.gamma_alarm') OR json_extract(e.payload, '$.neutron_alarm'))),
    EXISTS (SELECT 1 FROM events e, json_each(e.payload, '$.hits') h
        WHERE e.crossing_id = c.id AND e.kind = 'reference.checked'
        AND (json_extract(h.value, '$.type') = 'lookout' OR json_extract(e.payload, '$.subject') LIKE 'plate:%')),
    coalesce((SELECT CASE WHEN t.officer = '' THEN t.origin WHEN t.origin = '' THEN t.officer ELSE t.officer || '@' || t.origin END
        FROM events t WHERE t.crossing_id = c.id AND t.kind = 'secondary.taken' ORDER BY t.at DESC, t.id DESC LIMIT 1), ''),
    coalesce((SELECT t.at FROM events t WHERE t.crossing_id = c.id AND t.kind = 'secondary.taken' ORDER BY t.at DESC, t.id DESC LIMIT 1), 0),
    c.outcomes
FROM crossings c
JOIN events r ON r.id = (SELECT e.id FROM events e WHERE e.crossing_id = c.id AND e.kind = 'referral' ORDER BY e.at, e.id LIMIT 1);
