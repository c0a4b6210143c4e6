-- 0010: the lane journal (docs/replication.md, "Lane journal and heartbeat"):
-- lane events that belong to no crossing (RPM background faults, tamper,
-- extended occupancies, devices unplugged and back). Every store has it: a
-- booth holds its own entries, the port server every booth's, a supervisor
-- console its replica of the server's. Each origin numbers its entries
-- without gaps (origin, seq); version is the local insert order, which at
-- the port server is the journal feed's version. Rows are never changed.

CREATE TABLE lane_journal (
    version     INTEGER PRIMARY KEY,          -- local insert order (rowid; rows are never deleted)
    id          TEXT    NOT NULL UNIQUE,      -- UUIDv7
    origin      TEXT    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    port        TEXT    NOT NULL,
    lane        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    device      TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    active      INTEGER NOT NULL CHECK (active IN (0, 1)),
    detail      TEXT    NOT NULL,
    officer     TEXT    NOT NULL,
    at          INTEGER NOT NULL,             -- unix nanoseconds, UTC
    recorded_at INTEGER NOT NULL,
    UNIQUE (origin, seq)
) STRICT;

CREATE INDEX lane_journal_at ON lane_journal (at);
CREATE INDEX lane_journal_lane ON lane_journal (lane, at);

CREATE TRIGGER lane_journal_no_update BEFORE UPDATE ON lane_journal
BEGIN
    SELECT RAISE(ABORT, 'lane_journal is append-only: UPDATE refused');
END;

CREATE TRIGGER lane_journal_no_delete BEFORE DELETE ON lane_journal
BEGIN
    SELECT RAISE(ABORT, 'lane_journal is append-only: DELETE refused');
END;
