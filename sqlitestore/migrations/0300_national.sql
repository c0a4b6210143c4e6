-- 0300: a hub node's national history index (docs/national.md).
--
-- A projection of the hub's CROSSINGS stream, rebuildable from it: delete
-- the database and the node's index consumer starts over from the stream's
-- first message. Only hub nodes write these tables; in a booth's or a port
-- server's database they stay empty.

-- Every stream message applied, duplicates included (a sourcing stream has
-- no duplicate window, so one event can sit in the stream twice).
CREATE TABLE national_messages (
    stream_seq INTEGER PRIMARY KEY,
    event_id   TEXT    NOT NULL,
    port       TEXT    NOT NULL,
    refused    INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1))
);
CREATE INDEX national_messages_by_event ON national_messages (event_id);

-- Per port: messages applied and distinct event ids among them.
CREATE TABLE national_port_counts (
    port         TEXT    PRIMARY KEY,
    messages     INTEGER NOT NULL DEFAULT 0,
    distinct_ids INTEGER NOT NULL DEFAULT 0,
    refused      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Each indexed event once. Insert-only like the crossing log.
CREATE TABLE national_events (
    id          TEXT    PRIMARY KEY,
    port        TEXT    NOT NULL,
    crossing_id TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    origin_seq  INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    stream_seq  INTEGER NOT NULL,
    payload     TEXT    NOT NULL
) WITHOUT ROWID;
CREATE INDEX national_events_by_crossing ON national_events (crossing_id);
CREATE TRIGGER national_events_no_update BEFORE UPDATE ON national_events
BEGIN SELECT RAISE(ABORT, 'national_events is append-only'); END;
CREATE TRIGGER national_events_no_delete BEFORE DELETE ON national_events
BEGIN SELECT RAISE(ABORT, 'national_events is append-only'); END;

-- What the biometric rule refused (an alert each): never indexed.
CREATE TABLE national_refusals (
    stream_seq INTEGER PRIMARY KEY,
    event_id   TEXT    NOT NULL,
    port       TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    refused_at INTEGER NOT NULL
);

-- The crossings, and the look-up keys a history request uses.
CREATE TABLE national_crossings (
    crossing_id TEXT    PRIMARY KEY,
    port        TEXT    NOT NULL,
    lane        TEXT    NOT NULL DEFAULT '',
    opened_at   INTEGER,
    outcome     TEXT    NOT NULL DEFAULT '',
    outcome_at  INTEGER
) WITHOUT ROWID;
CREATE TABLE national_documents (
    doc_key     TEXT NOT NULL,
    crossing_id TEXT NOT NULL,
    PRIMARY KEY (doc_key, crossing_id)
) WITHOUT ROWID;
CREATE TABLE national_names (
    name_key    TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    crossing_id TEXT NOT NULL,
    PRIMARY KEY (name_key, birth_date, crossing_id)
) WITHOUT ROWID;
CREATE TABLE national_plates (
    plate       TEXT NOT NULL,
    crossing_id TEXT NOT NULL,
    PRIMARY KEY (plate, crossing_id)
) WITHOUT ROWID;
