package replication

import (
	"context"
	"io"
	"time"

	"github.com/portofentry/booth/records"
)

// The stores this package replicates between, as the interfaces it needs.
// The SQLite store (sqlitestore) satisfies them as it is: the values they
// exchange and the refusals they return are the domain's (records), so the
// link never depends on one store. The replication rules that must hold
// inside the store's transaction — the high-water mark, duplicates by id,
// gaps, events of another origin, the audit chain's links — are applied by
// the store (IngestGroup, IngestAudit, ApplyFeed); this package carries
// batches, maps the store's refusals to the protocol's answers and acts on
// the answers.
//
// Failures a store reports because its disk is full are recognised by
// behaviour (an error with DiskFull() bool), never by a store's type.

// SenderStore is the booth's store as the outbox sender uses it: its own
// events in origin_seq order, the outbox's acknowledgement mark and its
// audit chain. It must be writable.
type SenderStore interface {
	// ReadOnly reports whether the store refuses writes.
	ReadOnly() bool
	// Origin is the workstation id stamped on its events.
	Origin() string
	// Outbox returns up to limit unacknowledged events after origin_seq
	// after, in origin_seq order.
	Outbox(ctx context.Context, after int64, limit int) ([]records.Event, error)
	// OriginEvents returns up to limit stored events of origin after
	// origin_seq after, acknowledged or not (to refill a server restored
	// from an older backup).
	OriginEvents(ctx context.Context, origin string, after int64, limit int) ([]records.Event, error)
	// AckOutbox records that the server durably holds every event up to
	// upTo; Acked returns that mark.
	AckOutbox(ctx context.Context, upTo int64) error
	Acked(ctx context.Context) (int64, error)
	// Backlog is how many events are unacknowledged and when the oldest
	// of them was recorded.
	Backlog(ctx context.Context) (count int, oldest time.Time, err error)
	// AuditOutbox, AckAudit and AuditAcked are the same for the
	// workstation's audit chain.
	AuditOutbox(ctx context.Context, after int64, limit int) ([]records.AuditEntry, error)
	AckAudit(ctx context.Context, upTo int64) error
	AuditAcked(ctx context.Context) (int64, error)
}

// PullerStore is a workstation's store as the feed puller uses it. It must
// be writable.
type PullerStore interface {
	ReadOnly() bool
	// FeedCheckpoint is how far the feed has been applied.
	FeedCheckpoint(ctx context.Context) (records.FeedCheckpoint, error)
	// ApplyFeed stores the events of f not stored yet and moves the
	// checkpoint to f.Version (when set), in one transaction; it returns
	// how many events were new.
	ApplyFeed(ctx context.Context, f records.FeedApply) (int, error)
	// ReferenceVersions is the loaded version of each reference dataset
	// kind (0 when never loaded).
	ReferenceVersions(ctx context.Context) (map[string]int64, error)
	// ImportReference loads a reference dataset file; a version not newer
	// than the loaded one is records.ErrStaleDataset.
	ImportReference(ctx context.Context, kind string, r io.Reader, version int64, asOf time.Time) (int, error)
}

// ServerStore is the port server's store.
type ServerStore interface {
	ReadOnly() bool
	// IngestGroup applies several workstations' batches in one durable
	// commit, each batch as a unit: its outcome's Err is a *records.GapError,
	// a *records.SchemaError, records.ErrForeignOrigin,
	// records.ErrSequenceConflict, records.ErrInvalidEvent (each after
	// committing the events before the refused one) or a failure. The error
	// is for the group as a whole: nothing was committed.
	IngestGroup(ctx context.Context, batches []records.IngestBatch) ([]records.IngestOutcome, error)
	// IngestAudit appends entries of origin's audit chain, verified; it
	// returns the chain's high-water mark and the refusal that stopped it
	// (*records.GapError, records.ErrForeignOrigin,
	// records.ErrSequenceConflict, records.ErrInvalidAudit) or a failure.
	IngestAudit(ctx context.Context, origin string, entries []records.AuditEntry) (acked int64, err error)
	// FeedSince returns up to limit feed events after version after;
	// records.ErrSnapshotRequired when after is below the compaction floor.
	FeedSince(ctx context.Context, after int64, limit int) ([]records.FeedEvent, error)
	// Snapshot calls fn with every event of the open and referred
	// crossings, from one consistent read, and returns its version.
	Snapshot(ctx context.Context, fn func(records.Event) error) (version int64, err error)
	// CompactFeed raises the feed floor to retain versions below the head.
	CompactFeed(ctx context.Context, retain int64) (floor int64, err error)
	// PublishedReference lists the newest published version of each
	// reference dataset; PublishedReferenceBody returns one file (found is
	// false when that version is not kept).
	PublishedReference(ctx context.Context) ([]records.PublishedDataset, error)
	PublishedReferenceBody(ctx context.Context, kind string, version int64) (d records.PublishedDataset, body []byte, found bool, err error)
	// TouchWorkstations records feed polls.
	TouchWorkstations(ctx context.Context, seen []records.WorkstationSeen) error
	metricsSource
}

// metricsSource is what a metrics scrape reads from the server's store: the
// feed's head and floor, each workstation's replication status and the
// crossings without an opening by workstation.
type metricsSource interface {
	FeedHead(ctx context.Context) (int64, error)
	FeedFloor(ctx context.Context) (int64, error)
	Workstations(ctx context.Context) ([]records.WorkstationStatus, error)
	MissingOpeningsByOrigin(ctx context.Context) (map[string]int, error)
}
