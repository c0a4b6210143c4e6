-- 0001: the crossing event log, the outbox and the look-up projections.
--
-- Times are INTEGER unix nanoseconds (UTC); NULL stands for the zero time.

-- The master record: insert-only. seq is the local insertion order.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    crossing_id TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    origin_seq  INTEGER NOT NULL CHECK (origin_seq > 0),
    kind        TEXT    NOT NULL,
    at          INTEGER,
    recorded_at INTEGER,
    officer     TEXT    NOT NULL,
    schema      INTEGER NOT NULL,
    payload     TEXT    NOT NULL,
    UNIQUE (origin, origin_seq)
);
CREATE INDEX events_by_crossing ON events (crossing_id, at, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are insert-only: UPDATE refused');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are insert-only: DELETE refused');
END;

-- Which workstation this database belongs to; its events go to the outbox.
CREATE TABLE workstation (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    origin    TEXT NOT NULL
);

-- Locally originated events not yet acknowledged by the port server, in
-- origin_seq order. Rows point at events; the event itself is never copied.
CREATE TABLE outbox (
    origin_seq INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL REFERENCES events (id)
);
CREATE TRIGGER outbox_no_update BEFORE UPDATE ON outbox
BEGIN
    SELECT RAISE(ABORT, 'outbox rows are immutable: UPDATE refused');
END;

-- The highest origin_seq the port server acknowledged.
CREATE TABLE outbox_ack (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    acked     INTEGER NOT NULL
);
INSERT INTO outbox_ack (singleton, acked) VALUES (1, 0);

-- Projections: derived from events by folding each crossing, rebuilt at will.
CREATE TABLE crossings (
    id          TEXT    PRIMARY KEY,
    port        TEXT    NOT NULL,
    lane        TEXT    NOT NULL,
    mode        TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    opened_at   INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    status      TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,
    plate       TEXT    NOT NULL,
    region      TEXT    NOT NULL,
    names       TEXT    NOT NULL,
    alerts      INTEGER NOT NULL,
    open_alerts INTEGER NOT NULL,
    referred    INTEGER NOT NULL,
    events      INTEGER NOT NULL,
    -- Digest of the crossing's rows in the key tables below: when an event
    -- does not change them (most do not) they are left untouched, which
    -- keeps the pages a commit writes, and so its latency, small.
    keys_hash   TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX crossings_by_opened ON crossings (opened_at DESC);
CREATE INDEX crossings_by_lane ON crossings (lane, opened_at DESC);
CREATE INDEX crossings_by_status ON crossings (status, opened_at);

-- One row per traveller per crossing, in order of first appearance. The
-- name keys are normalised (upper case, letters and digits); birth_date is
-- YYYYMMDD; at is the crossing's opened_at, so look-ups come out newest
-- first straight from the index.
CREATE TABLE crossing_travelers (
    crossing_id TEXT    NOT NULL REFERENCES crossings (id) ON DELETE CASCADE,
    ord         INTEGER NOT NULL,
    doc_key     TEXT    NOT NULL,
    surname     TEXT    NOT NULL,
    given_names TEXT    NOT NULL,
    birth_date  TEXT    NOT NULL,
    surname_key TEXT    NOT NULL,
    given_key   TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (crossing_id, ord)
) WITHOUT ROWID;
CREATE INDEX travelers_by_name ON crossing_travelers (surname_key, birth_date, at DESC);

-- Every document presented or enrolled in the crossing ("COUNTRY/NUMBER",
-- normalised): a passport and a SENTRI card of one traveller both find it.
CREATE TABLE crossing_documents (
    crossing_id TEXT    NOT NULL REFERENCES crossings (id) ON DELETE CASCADE,
    doc_key     TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (crossing_id, doc_key)
) WITHOUT ROWID;
CREATE INDEX documents_by_key ON crossing_documents (doc_key, at DESC);

-- The vehicle's plate (as confirmed or corrected, else as read).
CREATE TABLE crossing_plates (
    crossing_id TEXT    NOT NULL PRIMARY KEY REFERENCES crossings (id) ON DELETE CASCADE,
    plate_key   TEXT    NOT NULL,
    region_key  TEXT    NOT NULL,
    at          INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX plates_by_plate ON crossing_plates (plate_key, at DESC);

-- RFID tags read in the crossing.
CREATE TABLE crossing_epcs (
    crossing_id TEXT    NOT NULL REFERENCES crossings (id) ON DELETE CASCADE,
    epc         TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (crossing_id, epc)
) WITHOUT ROWID;
CREATE INDEX epcs_by_epc ON crossing_epcs (epc, at DESC);
