// Package replication is the HTTPS link between a workstation's store and
// the port server (docs/design.md §5.2–§5.4): the server's HTTP handler, the
// booth's outbox sender (events up), its feed puller (port events and
// reference data down), the PKI helpers for mutual TLS and an in-process
// server for the demo. It reaches the stores only through the interfaces in
// store.go (SenderStore, PullerStore, ServerStore), whose values and
// refusals are the domain's (records); the SQLite store satisfies them.
//
// Every connection is mutually authenticated: the port CA signs the server's
// certificate and every workstation's, and a workstation's id and role are
// read from its certificate (CN = workstation id, OU = role). Supervisors may
// read but never write.
//
// Up: the sender reads the outbox in origin_seq order and posts bounded
// batches; the server applies them idempotently by event id in one durable
// transaction and only then answers with the origin's high-water mark, which
// the sender records with AckOutbox. A gap is answered with the sequence the
// server expects; an event of a newer schema than the server understands is
// refused and stays queued at the booth. At-least-once delivery plus
// idempotent apply gives no loss and no duplicates.
//
// Down: the server's feed is every event it holds in its commit order, with
// the server's insert sequence as the monotonic version, plus the versions
// of the published reference datasets. Workstations long-poll it and apply
// each batch with its checkpoint in one transaction. A workstation behind
// the feed's compaction floor receives 410 and takes a snapshot: the events
// of every open or referred crossing and the current reference datasets.
package replication
