-- 0210: replication of the lane journal and the workstation heartbeat.

-- Booth side: the highest seq of its own journal the port server holds.
CREATE TABLE repl_journal_ack (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    acked     INTEGER NOT NULL CHECK (acked >= 0)
);
INSERT INTO repl_journal_ack (singleton, acked) VALUES (1, 0);

-- Supervisor console: how far it has applied the server's journal feed.
-- Written in the same transaction as the entries it covers.
CREATE TABLE journal_checkpoint (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    version    INTEGER NOT NULL CHECK (version >= 0),
    updated_at INTEGER NOT NULL
);
INSERT INTO journal_checkpoint (singleton, version, updated_at) VALUES (1, 0, 0);

-- Port server: the latest heartbeat of each workstation (state, not a
-- record: replaced by the next one). body is the records.Heartbeat JSON.
CREATE TABLE port_heartbeats (
    workstation TEXT    PRIMARY KEY,
    role        TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    body        TEXT    NOT NULL
) WITHOUT ROWID;

-- Supervisor console: its copy of the server's port status (heartbeats and
-- workstation replication status), replaced as a whole at each fetch.
CREATE TABLE port_status_copy (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    fetched_at INTEGER NOT NULL,
    body       TEXT    NOT NULL               -- records.PortStatus JSON
);
