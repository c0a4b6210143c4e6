-- 0201: replication of the audit chain to the port server (DESIGN §6: the
-- chain is "replicated like events"; the server's copy is the anchor that
-- reveals entries removed from the end of a workstation's chain).

-- Booth side: the highest seq of this workstation's own audit chain the
-- port server has acknowledged.
CREATE TABLE repl_audit_ack (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    acked     INTEGER NOT NULL CHECK (acked >= 0)
);
INSERT INTO repl_audit_ack (singleton, acked) VALUES (1, 0);
