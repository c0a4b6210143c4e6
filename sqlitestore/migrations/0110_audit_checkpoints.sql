-- 0110: checkpoints of the audit chain countersigned by the port server
-- (docs/security.md). Each answer to an audit upload carries one: the
-- server's signature over (workstation, seq, head hash, time) with the key
-- of its TLS certificate. The workstation keeps them to check its own chain
-- against: a chain that no longer ends in the signed hash at the signed seq
-- was cut or rewritten. Rows are never changed.

CREATE TABLE audit_checkpoints (
    origin      TEXT    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    hash        BLOB    NOT NULL,
    at          INTEGER NOT NULL, -- unix nanoseconds, UTC: when the server signed
    signature   BLOB    NOT NULL, -- ECDSA (ASN.1) over SHA-256 of the signed bytes
    cert        BLOB    NOT NULL, -- the signer's certificate, DER
    received_at INTEGER NOT NULL,
    PRIMARY KEY (origin, seq, hash)
) STRICT;

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: UPDATE refused');
END;

CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit_checkpoints is append-only: DELETE refused');
END;
