-- 0202: port accounts down the feed (docs/security.md).
-- Workstation side: the highest account version applied and when the port
-- server last answered with accounts. A workstation that has not heard from
-- the server for account_cache_max_age refuses cached sign-ins.
CREATE TABLE account_sync (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    version    INTEGER NOT NULL CHECK (version >= 0),
    heard_at   INTEGER NOT NULL
);
