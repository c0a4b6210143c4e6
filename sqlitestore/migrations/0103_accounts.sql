-- 0103: accounts and roles per port (docs/security.md).
--
-- Local accounts (`booth officer add`) hold a set of roles instead of one
-- role, may be break-glass accounts, and new hashes are argon2id with the
-- workstation's pepper (pin_iterations is argon2's time cost then, with
-- pin_memory KiB and pin_threads lanes). Existing PBKDF2 rows keep working
-- and are re-hashed at their next successful sign-in.
CREATE TABLE officers_v2 (
    badge           TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    roles           TEXT    NOT NULL CHECK (roles <> ''),  -- "primary,secondary"
    break_glass     INTEGER NOT NULL DEFAULT 0 CHECK (break_glass IN (0, 1)),
    pin_algo        TEXT    NOT NULL,
    pin_iterations  INTEGER NOT NULL,
    pin_memory      INTEGER NOT NULL DEFAULT 0,
    pin_threads     INTEGER NOT NULL DEFAULT 0,
    pin_salt        BLOB    NOT NULL,
    pin_hash        BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    disabled_at     INTEGER,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    last_login_at   INTEGER
) STRICT, WITHOUT ROWID;

INSERT INTO officers_v2 (badge, name, roles, pin_algo, pin_iterations, pin_salt, pin_hash, created_at,
                         disabled_at, failed_attempts, locked_until, last_login_at)
SELECT badge, name, role, pin_algo, pin_iterations, pin_salt, pin_hash, created_at,
       disabled_at, failed_attempts, locked_until, last_login_at FROM officers;
DROP TABLE officers;
ALTER TABLE officers_v2 RENAME TO officers;

-- Port accounts: managed once per port (`portserver officer add`). At the
-- port server this table is the truth; at a workstation it is the cache the
-- feed fills. Verifiers are argon2id with the port's pepper (a 0600 file
-- beside the database, never in it). The columns up to version are the
-- server's and are replaced by the feed; the ones after are this
-- database's own: its count of failed sign-ins (at the server: the port-wide
-- count), its own lock, its last sign-in.
CREATE TABLE port_accounts (
    badge           TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    roles           TEXT    NOT NULL CHECK (roles <> ''),
    pin_algo        TEXT    NOT NULL,
    pin_iterations  INTEGER NOT NULL,
    pin_memory      INTEGER NOT NULL,
    pin_threads     INTEGER NOT NULL,
    pin_salt        BLOB    NOT NULL,
    pin_hash        BLOB    NOT NULL,
    created_at      INTEGER NOT NULL,
    disabled_at     INTEGER,
    locked_until    INTEGER,           -- the port-wide lock
    version         INTEGER NOT NULL CHECK (version > 0),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    local_locked_until INTEGER,
    last_login_at   INTEGER
) STRICT, WITHOUT ROWID;
CREATE INDEX port_accounts_version ON port_accounts (version);
