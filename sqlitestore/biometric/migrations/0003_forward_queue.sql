-- 0003: the biometric-forward queue. A non-citizen's capture waits here
-- until the biometric system has taken it; then its reference goes into the
-- crossing record (pending_forwards until that is done) and the capture is
-- purged. A US citizen's or unknown-citizenship capture can never enter the
-- queue: the triggers refuse it whoever inserts, and take a capture out
-- when its citizenship stops being non_usc.
CREATE TABLE forward_queue (
    capture_id      TEXT    NOT NULL PRIMARY KEY,
    event_id        TEXT    NOT NULL UNIQUE, -- id of its biometric.forwarded event and audit entry
    enqueued_at     INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX forward_queue_due ON forward_queue (next_attempt_at);

CREATE TRIGGER forward_queue_non_usc_only BEFORE INSERT ON forward_queue
WHEN (SELECT citizenship FROM captures WHERE id = NEW.capture_id) IS NOT 'non_usc'
BEGIN
    SELECT RAISE(ABORT, 'forward_queue: only a non-citizen''s capture may be forwarded');
END;

CREATE TRIGGER forward_queue_no_retarget BEFORE UPDATE OF capture_id ON forward_queue
BEGIN
    SELECT RAISE(ABORT, 'forward_queue: capture_id cannot change');
END;

CREATE TRIGGER forward_queue_leaves_on_citizenship AFTER UPDATE OF citizenship ON captures
WHEN NEW.citizenship IS NOT 'non_usc'
BEGIN
    DELETE FROM forward_queue WHERE capture_id = NEW.id;
END;

CREATE TRIGGER forward_queue_leaves_on_delete AFTER DELETE ON captures
BEGIN
    DELETE FROM forward_queue WHERE capture_id = OLD.id;
END;

-- A forward done whose audit entry and biometric.forwarded event are not
-- written yet. No image.
CREATE TABLE pending_forwards (
    id            TEXT    NOT NULL PRIMARY KEY, -- the event id
    capture_id    TEXT    NOT NULL,
    crossing_id   TEXT    NOT NULL,
    captured_at   INTEGER NOT NULL,
    biometric_ref TEXT    NOT NULL,
    forwarded_at  INTEGER NOT NULL
) STRICT;
