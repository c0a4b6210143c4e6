-- The audit chain (DESIGN §6). Each origin (workstation) keeps its own
-- gap-free sequence and hash chain: hash = SHA-256(prev_hash || canonical
-- bytes of the entry); the first entry's prev_hash is 32 zero bytes. The
-- canonical encoding is documented in docs/security.md. Rows are never
-- changed: the triggers refuse UPDATE and DELETE.

CREATE TABLE audit_log (
    id        TEXT    NOT NULL PRIMARY KEY, -- UUIDv7, globally unique
    origin    TEXT    NOT NULL,
    seq       INTEGER NOT NULL CHECK (seq >= 1),
    at        INTEGER NOT NULL,             -- unix nanoseconds, UTC
    officer   TEXT    NOT NULL,
    action    TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    detail    TEXT    NOT NULL,             -- canonical JSON object
    prev_hash BLOB    NOT NULL,
    hash      BLOB    NOT NULL,
    UNIQUE (origin, seq)
) STRICT;

CREATE INDEX audit_log_subject ON audit_log (subject, at);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused');
END;
