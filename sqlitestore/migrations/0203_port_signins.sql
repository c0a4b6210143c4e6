-- 0203: port-wide sign-in failures (docs/security.md). The port server
-- counts a port account's failed sign-ins from the workstations' replicated
-- audit entries; an entry is counted once, however often it is resent.
CREATE TABLE port_signin_seen (
    audit_id TEXT PRIMARY KEY
) WITHOUT ROWID;
