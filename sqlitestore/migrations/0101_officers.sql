-- Officer accounts (DESIGN §6). The PIN is never stored: only a per-officer
-- random salt and a slow PBKDF2-SHA-256 hash with its iteration count, so the
-- cost can be raised later without invalidating existing accounts.
-- Times are unix nanoseconds (UTC), like the rest of the store.

CREATE TABLE officers (
    badge           TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('primary', 'secondary', 'supervisor')),
    pin_algo        TEXT    NOT NULL,
    pin_iterations  INTEGER NOT NULL,
    pin_salt        BLOB    NOT NULL,
    pin_hash        BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    disabled_at     INTEGER,           -- NULL while the account is active
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,           -- NULL when not locked out
    last_login_at   INTEGER
) STRICT, WITHOUT ROWID;
