package replication

import (
	"time"

	"github.com/portofentry/booth/records"
)

// HTTP paths of the port server.
const (
	PathEvents     = "/v1/events"     // POST a batch of the caller's events
	PathAudit      = "/v1/audit"      // POST entries of the caller's audit chain
	PathFeed       = "/v1/feed"       // GET ?after=V&wait=25s&limit=N
	PathSnapshot   = "/v1/snapshot"   // GET, JSON lines
	PathReference  = "/v1/reference/" // GET /v1/reference/{kind}/{version}
	PathMetrics    = "/metrics"
	PathHealth     = "/healthz"
	PathQuarantine = "/v1/quarantine" // GET: events held in quarantine (any role)
)

// Error codes in ErrorResponse.Error.
const (
	CodeGap              = "gap"               // 409: resend from Expected
	CodeSequenceConflict = "sequence_conflict" // 409: another event holds that number
	CodeSchemaTooNew     = "schema_too_new"    // 422: the server must be upgraded first
	CodeInvalidEvent     = "invalid_event"     // 422: the event is malformed
	CodeInvalidAudit     = "invalid_audit"     // 422: the entry does not extend the chain
	CodeForeignOrigin    = "foreign_origin"    // 403: events of another workstation
	CodeForbidden        = "forbidden"         // 403: role may not do this (supervisor writes)
	CodeBadRequest       = "bad_request"       // 400
	CodeTooLarge         = "too_large"         // 413
	CodeSnapshotRequired = "snapshot_required" // 410: the feed no longer reaches back that far
	CodeNotFound         = "not_found"         // 404
	CodeInternal         = "internal"          // 500
)

// Limits of the protocol.
const (
	// MaxBatchEvents bounds the events of one POST.
	MaxBatchEvents = 5000
	// MaxBatchBytes bounds the body of one POST.
	MaxBatchBytes = 32 << 20
	// MaxFeedWait bounds a feed long-poll.
	MaxFeedWait = 60 * time.Second
	// MaxFeedLimit bounds the events of one feed response.
	MaxFeedLimit = 5000
)

// BatchRequest is the body of POST /v1/events.
type BatchRequest struct {
	Events []records.Event `json:"events"`
	// Backlog is how many events the workstation still had queued when it
	// sent the batch (including these), and OldestUnsent when the oldest of
	// them was recorded: the server shows them in its status.
	Backlog      int       `json:"backlog"`
	OldestUnsent time.Time `json:"oldest_unsent,omitzero"`
}

// BatchResponse is the 200 answer to a batch: every event of the caller up
// to Acked is durably committed at the server.
type BatchResponse struct {
	Acked      int64 `json:"acked"`
	Applied    int   `json:"applied"`
	Duplicates int   `json:"duplicates"`
	Version    int64 `json:"version"` // the server's feed version after the commit
	// Quarantined lists the caller's events the server holds in quarantine
	// (acknowledged, stored, neither applied nor served) until an operator
	// decides; empty when none.
	Quarantined []QuarantineNote `json:"quarantined,omitempty"`
}

// QuarantineNote is one event held in quarantine, as the workstation and
// supervisors see it (no payload).
type QuarantineNote struct {
	ID         string    `json:"id"`
	Origin     string    `json:"origin"`
	OriginSeq  int64     `json:"origin_seq"`
	CrossingID string    `json:"crossing_id"`
	Kind       string    `json:"kind"`
	Code       string    `json:"code"`
	Reason     string    `json:"reason"`
	ReceivedAt time.Time `json:"received_at"`
}

// QuarantineResponse is the answer to GET /v1/quarantine: every event held
// at the port, for the supervisor console and status tools.
type QuarantineResponse struct {
	Held []QuarantineNote `json:"held"`
}

// ErrorResponse is the body of every error answer. Acked, when present, is
// the caller's high-water mark after whatever part of the batch was
// committed before the refused event.
type ErrorResponse struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Acked   *int64 `json:"acked,omitempty"`
	// Gap: the sequence number the server expects next.
	Expected int64 `json:"expected,omitempty"`
	// Schema refusal: the held-back event and the newest schema understood.
	OriginSeq int64 `json:"origin_seq,omitempty"`
	Schema    int   `json:"schema,omitempty"`
	MaxSchema int   `json:"max_schema,omitempty"`
	// Snapshot required: versions at or below Floor are no longer served.
	Floor int64 `json:"floor,omitempty"`
}

// FeedResponse is the 200 answer to GET /v1/feed. Version is the feed
// version the batch reaches (the request's after when there is nothing
// new); Head is the newest version the server holds, so More tells whether
// to pull again at once.
type FeedResponse struct {
	Events    []records.Event            `json:"events"`
	Version   int64                      `json:"version"`
	Head      int64                      `json:"head"`
	More      bool                       `json:"more"`
	Reference []records.PublishedDataset `json:"reference"`
	// Quarantined lists the caller's events held in quarantine at the port,
	// like a batch acknowledgement's, so a workstation with nothing to send
	// learns an operator's decision: [] when none; absent when the server
	// could not say (the workstation keeps what it knew).
	Quarantined []QuarantineNote `json:"quarantined,omitzero"`
}

// SnapshotHeader is the first line of GET /v1/snapshot; the event lines
// follow, then a SnapshotTrailer, whose absence means the stream was cut.
type SnapshotHeader struct {
	Version   int64                      `json:"version"`
	Reference []records.PublishedDataset `json:"reference"`
}

// SnapshotTrailer is the last line of a complete snapshot.
type SnapshotTrailer struct {
	End    bool `json:"end"`
	Events int  `json:"events"`
}

// Reference file headers of GET /v1/reference/{kind}/{version}.
const (
	HeaderReferenceVersion = "X-Reference-Version"
	HeaderReferenceAsOf    = "X-Reference-As-Of"
	HeaderReferenceSHA256  = "X-Reference-Sha256"
)

// AuditRequest is the body of POST /v1/audit: entries of the caller's own
// audit chain, in seq order.
type AuditRequest struct {
	Entries []records.AuditEntry `json:"entries"`
}

// AuditResponse is the 200 answer: the server holds the caller's chain,
// verified, up to Acked.
type AuditResponse struct {
	Acked int64 `json:"acked"`
	// Checkpoint is the server's signature over the caller's chain head it
	// holds (seq Acked); absent when the server could not sign.
	Checkpoint *records.AuditCheckpoint `json:"checkpoint,omitempty"`
}
