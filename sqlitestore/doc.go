// Package sqlitestore is the booth's embedded SQLite store: the append-only
// crossing event log, the outbox that replicates it to the port server, and
// the projections (crossings, travellers, plates, RFID tags) that answer the
// look-ups an officer makes while a vehicle waits.
//
// The store uses modernc.org/sqlite in WAL mode with synchronous=FULL: one
// writer connection whose transactions begin IMMEDIATE, and a separate pool
// of query-only readers; a background connection checkpoints the WAL so
// commits do not. Append returns only after its commit is durable. A store
// opened ReadOnly (supervisors) opens SQLite with mode=ro, so the database
// itself refuses writes, and its write methods return ErrReadOnly.
// Projections are derived from the events with records.Fold and can be
// dropped and rebuilt at any time (RebuildProjections).
//
// Migrations are embedded numbered .sql files applied once each, in one
// transaction, and recorded in schema_version; a database carrying a
// migration this build does not know is refused (ErrSchemaTooNew).
//
// Times are stored as INTEGER unix nanoseconds in UTC; NULL stands for the
// zero time. Event payloads are stored verbatim as JSON text, including those
// of kinds or schema versions this build does not know.
package sqlitestore
