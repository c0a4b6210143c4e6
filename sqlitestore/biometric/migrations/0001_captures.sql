-- 0001: face captures, kept apart from the crossing record.
--
-- IF NOT EXISTS: stores created before migrations were embedded already hold
-- these tables; for them this step only records the version.
CREATE TABLE IF NOT EXISTS captures (
    id            TEXT    NOT NULL PRIMARY KEY,
    crossing_id   TEXT    NOT NULL,
    doc_key       TEXT    NOT NULL,
    png           BLOB    NOT NULL,
    captured_at   INTEGER NOT NULL,
    citizenship   TEXT    NOT NULL CHECK (citizenship IN ('usc', 'non_usc', 'unknown')),
    forwarded_at  INTEGER,
    biometric_ref TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX IF NOT EXISTS captures_due ON captures (citizenship, captured_at);
-- A purge whose audit entry (and OnPurge) is not done yet. It holds no image.
CREATE TABLE IF NOT EXISTS pending_purges (
    id            TEXT    NOT NULL PRIMARY KEY,
    capture_id    TEXT    NOT NULL,
    crossing_id   TEXT    NOT NULL,
    captured_at   INTEGER NOT NULL,
    citizenship   TEXT    NOT NULL,
    forwarded_at  INTEGER,
    biometric_ref TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    purged_at     INTEGER NOT NULL
) STRICT;
