-- 0220: quarantine at the port server (docs/replication.md, "Quarantine").
--
-- An event a workstation sent that the server will not apply is stored
-- here, verbatim, instead of in events: its origin_seq counts for the
-- origin's high-water mark (so the workstation's queue moves on) but it is
-- neither projected nor served in the feed. An operator releases it (it is
-- then inserted into events, projected and served) or rejects it. Rows are
-- never deleted and only the decision columns change, once.
CREATE TABLE repl_quarantine (
    id           TEXT    PRIMARY KEY,
    crossing_id  TEXT    NOT NULL,
    origin       TEXT    NOT NULL,
    origin_seq   INTEGER NOT NULL CHECK (origin_seq > 0),
    kind         TEXT    NOT NULL,
    at           INTEGER,             -- NULL when the event's time could not be stored
    recorded_at  INTEGER,
    officer      TEXT    NOT NULL,
    schema       INTEGER NOT NULL,
    payload      TEXT    NOT NULL,    -- as received, even when it is not JSON
    code         TEXT    NOT NULL,    -- schema_too_new | unknown_kind | invalid_payload | invalid_event | not_allowed
    reason       TEXT    NOT NULL,
    role         TEXT    NOT NULL,    -- the sender's certificate role
    received_at  INTEGER NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'released', 'rejected')),
    decided_at   INTEGER,
    decided_by   TEXT,
    note         TEXT,
    UNIQUE (origin, origin_seq)
) WITHOUT ROWID;
CREATE INDEX repl_quarantine_by_state ON repl_quarantine (state, origin, origin_seq);

CREATE TRIGGER repl_quarantine_no_delete BEFORE DELETE ON repl_quarantine
BEGIN
    SELECT RAISE(ABORT, 'quarantined events are never deleted');
END;

CREATE TRIGGER repl_quarantine_decide_once BEFORE UPDATE ON repl_quarantine
WHEN OLD.state <> 'held' OR NEW.state = 'held'
    OR NEW.id IS NOT OLD.id OR NEW.crossing_id IS NOT OLD.crossing_id OR NEW.origin IS NOT OLD.origin
    OR NEW.origin_seq IS NOT OLD.origin_seq OR NEW.kind IS NOT OLD.kind OR NEW.at IS NOT OLD.at
    OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.officer IS NOT OLD.officer
    OR NEW.schema IS NOT OLD.schema OR NEW.payload IS NOT OLD.payload OR NEW.code IS NOT OLD.code
    OR NEW.reason IS NOT OLD.reason OR NEW.role IS NOT OLD.role OR NEW.received_at IS NOT OLD.received_at
    OR NEW.decided_at IS NULL OR NEW.decided_by IS NULL OR trim(NEW.decided_by) = ''
BEGIN
    SELECT RAISE(ABORT, 'a quarantined event is decided once (held -> released or rejected, by a named operator); nothing else changes');
END;
