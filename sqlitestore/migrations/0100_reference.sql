-- Reference data pulled down from the port server (DESIGN §2). Each kind is a
-- versioned dataset replaced as a whole by one import; ref_datasets says which
-- version is loaded and "as of" when, for the header's staleness warning.
-- Times are unix nanoseconds (UTC), like the rest of the store; dates are YYYY-MM-DD text.

CREATE TABLE ref_datasets (
    kind        TEXT    PRIMARY KEY CHECK (kind IN ('travelers', 'rfid', 'lookouts', 'lost-stolen')),
    version     INTEGER NOT NULL,
    as_of       INTEGER NOT NULL,
    count       INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
) STRICT;

-- One row per traveller document. A traveller with a passport and a passport
-- card has two rows with the same id.
CREATE TABLE ref_travelers (
    doc_country TEXT NOT NULL,
    doc_number  TEXT NOT NULL,
    doc_type    TEXT NOT NULL,
    id          TEXT NOT NULL,
    surname     TEXT NOT NULL,
    given_names TEXT NOT NULL,
    birth_date  TEXT NOT NULL,
    sex         TEXT NOT NULL,
    nationality TEXT NOT NULL,
    citizenship TEXT NOT NULL,
    status      TEXT NOT NULL,
    expiry_date TEXT NOT NULL,
    PRIMARY KEY (doc_country, doc_number)
) STRICT, WITHOUT ROWID;

CREATE INDEX ref_travelers_id ON ref_travelers (id);

CREATE TABLE ref_rfid (
    epc            TEXT NOT NULL PRIMARY KEY,
    program        TEXT NOT NULL,
    traveler_id    TEXT NOT NULL,
    doc_type       TEXT NOT NULL,
    doc_country    TEXT NOT NULL,
    doc_number     TEXT NOT NULL,
    vehicle_plates TEXT NOT NULL -- JSON array of "REGION/PLATE"
) STRICT, WITHOUT ROWID;

-- Lookouts match by document, by normalised name + birth date, or by plate.
-- The partial indexes serve exactly the three look-ups a booth makes.
CREATE TABLE ref_lookouts (
    id          TEXT NOT NULL PRIMARY KEY,
    by          TEXT NOT NULL CHECK (by IN ('document', 'name_dob', 'plate')),
    doc_type    TEXT NOT NULL,
    doc_country TEXT NOT NULL,
    doc_number  TEXT NOT NULL,
    surname     TEXT NOT NULL, -- normalised (NormalizeName)
    given_names TEXT NOT NULL, -- normalised; '' matches any given names
    birth_date  TEXT NOT NULL,
    plate       TEXT NOT NULL, -- "REGION/PLATE" as given
    plate_number TEXT NOT NULL,
    plate_region TEXT NOT NULL,
    severity    TEXT NOT NULL CHECK (severity IN ('high', 'medium', 'low')),
    instruction TEXT NOT NULL,
    detail      TEXT NOT NULL
) STRICT;

CREATE INDEX ref_lookouts_document ON ref_lookouts (doc_country, doc_number) WHERE by = 'document';
CREATE INDEX ref_lookouts_name_dob ON ref_lookouts (surname, birth_date) WHERE by = 'name_dob';
CREATE INDEX ref_lookouts_plate ON ref_lookouts (plate_number) WHERE by = 'plate';

CREATE TABLE ref_lost_stolen (
    id          TEXT NOT NULL PRIMARY KEY,
    doc_type    TEXT NOT NULL,
    doc_country TEXT NOT NULL,
    doc_number  TEXT NOT NULL,
    reported_at TEXT NOT NULL,
    reason      TEXT NOT NULL CHECK (reason IN ('stolen', 'lost', 'revoked'))
) STRICT;

CREATE INDEX ref_lost_stolen_document ON ref_lost_stolen (doc_country, doc_number);
