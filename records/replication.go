package records

import (
	"errors"
	"fmt"
	"time"
)

// How a crossing record moves between a workstation's log and the port
// server's (docs/design.md §5.2–§5.4). These are the values and the refusals
// that the store, which applies the rules inside its transactions, and the
// replication link, which carries them over the network, agree on.
//
// Up: a workstation sends its own events in origin_seq order; the server
// applies them idempotently by event id, keeps each origin's high-water mark
// and refuses a gap, an event of another origin and a number held by another
// event. Down: the server's feed is every event it holds in commit order,
// numbered by a monotonic version, with the published reference datasets.

// Refusals of the replication rules.
var (
	// ErrForeignOrigin: a workstation sent an event (or audit entry) of
	// another origin; a workstation only replicates its own.
	ErrForeignOrigin = errors.New("event of another workstation")
	// ErrSequenceConflict: an event claims an origin and origin_seq that
	// another stored event holds, or an id stored under another origin and
	// sequence: the two logs disagree and nothing is applied.
	ErrSequenceConflict = errors.New("event conflicts with a stored event")
	// ErrInvalidEvent wraps the reason an event was refused: it breaks the
	// envelope's rules (ids, times, kind, payload).
	ErrInvalidEvent = errors.New("invalid event")
	// ErrSnapshotRequired: the feed was compacted past the version asked
	// for; the workstation must take a snapshot.
	ErrSnapshotRequired = errors.New("feed compacted past the requested version: snapshot required")
	// ErrStaleDataset: a reference dataset's version is not newer than the
	// one already loaded for its kind.
	ErrStaleDataset = errors.New("reference dataset version is not newer than the loaded one")
)

// GapError is a batch that skips sequence numbers: the receiver holds up to
// Expected-1 and the sender must resend from Expected.
type GapError struct {
	Origin   string
	Expected int64
	Got      int64
}

func (e *GapError) Error() string {
	return fmt.Sprintf("sequence gap for %s: expected #%d, got #%d", e.Origin, e.Expected, e.Got)
}

// SchemaError is an event whose payload schema is newer than the receiving
// build understands. The events before it are applied and it is held back;
// the workstation keeps it queued until the server is upgraded.
type SchemaError struct {
	Origin    string
	OriginSeq int64
	ID        string
	Schema    int
	Max       int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("event %s (%s #%d) has schema %d, newer than the %d this server understands",
		e.ID, e.Origin, e.OriginSeq, e.Schema, e.Max)
}

// IngestBatch is one batch of a workstation's events as the port server
// received it.
type IngestBatch struct {
	Origin string // the workstation, from its certificate
	Role   string // its role, from its certificate
	Events []Event
	// What the workstation reported about itself with the batch.
	Backlog      int
	OldestUnsent time.Time
}

// IngestResult is what a batch did. Acked is the origin's high-water mark
// after the commit: every event of the origin up to it is durably stored.
type IngestResult struct {
	Acked      int64
	Applied    int
	Duplicates int
	// Version is the server's feed version after the commit.
	Version int64
}

// IngestOutcome is what a group commit did with one batch: Err is the
// batch's stopping error (nil when it applied whole): a *GapError, a
// *SchemaError, ErrForeignOrigin, ErrSequenceConflict, ErrInvalidEvent, or a
// failure of the store.
type IngestOutcome struct {
	Result IngestResult
	Err    error
}

// FeedEvent is an event of the port server's feed with its feed version.
type FeedEvent struct {
	Version int64
	Event   Event
}

// FeedApply is one batch of the port server's feed for a workstation to
// apply.
type FeedApply struct {
	// Events replicated from the port server, each with its origin and
	// origin_seq. Events already stored (by id) are skipped.
	Events []Event
	// Version is the feed version the batch reaches. 0 applies the events
	// without moving the checkpoint (a chunk of a snapshot that is not the
	// last one): a crash then simply repeats the pull.
	Version int64
	// Snapshot marks the last chunk of a snapshot.
	Snapshot bool
}

// FeedCheckpoint is how far a workstation has applied the port server's feed.
type FeedCheckpoint struct {
	Version    int64     // last applied feed version; 0 before the first pull
	UpdatedAt  time.Time // zero before the first pull
	SnapshotAt time.Time // last time a snapshot was applied; zero if never
}

// PublishedDataset is a reference dataset version the port server serves
// in its feed: workstations fetch the file and check its digest.
type PublishedDataset struct {
	Kind        string    `json:"kind"`
	Version     int64     `json:"version"`
	AsOf        time.Time `json:"as_of"`
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	PublishedAt time.Time `json:"published_at"`
}

// WorkstationStatus is what the port server knows of one workstation.
type WorkstationStatus struct {
	Origin    string
	Role      string
	FirstSeen time.Time
	LastSeen  time.Time // last batch or feed poll
	// HighWater is the highest origin_seq held, with every lower one present.
	HighWater   int64
	LastBatchAt time.Time
	// LastRecorded is when the newest event received was recorded at the
	// booth, and Lag how long it took from there to the server's commit.
	LastRecorded time.Time
	Lag          time.Duration
	// Backlog and OldestUnsent are as the booth reported them with its last
	// batch (events still queued after it).
	Backlog      int
	OldestUnsent time.Time
	FeedVersion  int64 // last feed version the workstation pulled after
	// RefusedSeq is the first of the workstation's events the server holds
	// in quarantine (or, recorded before quarantine, refused); 0 if none.
	RefusedSeq    int64
	RefusedReason string
	// Quarantined is how many of its events are held in quarantine.
	Quarantined int
}

// WorkstationSeen is a feed poll to record in the workstation's status.
type WorkstationSeen struct {
	Origin      string
	Role        string
	At          time.Time
	FeedVersion int64
}
