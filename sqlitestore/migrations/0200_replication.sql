-- 0200: replication between booths and the port server (DESIGN §5).
--
-- Times are INTEGER unix nanoseconds (UTC); NULL stands for the zero time.
-- The port server's feed version is events.seq, the server's local insert
-- order, so the feed needs no table of its own.

-- Booth side: how far this workstation has applied the port server's feed.
-- Written in the same transaction as the events it covers.
CREATE TABLE feed_checkpoint (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    version     INTEGER NOT NULL CHECK (version >= 0),
    updated_at  INTEGER NOT NULL,
    snapshot_at INTEGER            -- last time a snapshot was applied
);

-- Server side: one row per workstation that has talked to the server.
-- hwm mirrors max(events.origin_seq) of the origin and is written in the
-- same transaction as the events, so status never scans the log.
CREATE TABLE repl_workstations (
    origin          TEXT    PRIMARY KEY,
    role            TEXT    NOT NULL,
    first_seen      INTEGER NOT NULL,
    last_seen       INTEGER NOT NULL,
    hwm             INTEGER NOT NULL DEFAULT 0 CHECK (hwm >= 0),
    last_batch_at   INTEGER,           -- last committed batch
    last_recorded   INTEGER,           -- recorded_at of the newest event received
    lag_ns          INTEGER,           -- commit time minus recorded_at of that event
    backlog         INTEGER,           -- as reported by the booth with its last batch
    oldest_unsent   INTEGER,           -- as reported by the booth
    feed_version    INTEGER,           -- last feed version the workstation asked after
    refused_seq     INTEGER,           -- event held back by the server, if any
    refused_reason  TEXT
) WITHOUT ROWID;

-- Server side: the reference datasets as published (the exact JSONL that
-- was validated and loaded), so workstations can fetch and load them.
CREATE TABLE repl_reference (
    kind         TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version > 0),
    as_of        INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (kind, version)
);

-- Server side: the feed's compaction floor. Versions at or below floor are
-- no longer served as deltas; a workstation behind it takes a snapshot.
CREATE TABLE repl_feed_floor (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    floor        INTEGER NOT NULL CHECK (floor >= 0),
    compacted_at INTEGER NOT NULL
);
INSERT INTO repl_feed_floor (singleton, floor, compacted_at) VALUES (1, 0, 0);
