package replication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portofentry/booth/records"
)

// ServerConfig configures the port server's handler.
type ServerConfig struct {
	// Store is the port server's database, opened writable with origin
	// "port-<code>".
	Store  ServerStore
	Logger *slog.Logger
	// FeedRetain is how many feed versions are served as deltas; a
	// workstation further behind takes a snapshot. 0 keeps every version.
	FeedRetain int64
	// CompactEvery is how often the feed floor is raised; 0 means 1 minute.
	CompactEvery time.Duration
	// SeenEvery is how often feed polls are written to the workstation
	// status; 0 means 5 seconds.
	SeenEvery time.Duration
	// Revocations, when set, is the deny-list checked on every request
	// (RefuseRevoked checks it at the handshake; this catches connections
	// opened before a serial was revoked).
	Revocations *Revocations
}

// Server is the port server's HTTP side. Serve its Handler over TLS with
// ServerTLSConfig, and run Run alongside for the background work.
type Server struct {
	cfg     ServerConfig
	log     *slog.Logger
	news    *broadcaster
	metrics serverMetrics

	seenMu sync.Mutex
	seen   map[string]records.WorkstationSeen

	group *groupCommitter

	national atomic.Pointer[NationalHistorian] // national_history.go; nil: no hub
	onCommit atomic.Pointer[func()]            // SetOnCommit; nil: nobody to tell
}

// NewServer checks cfg and returns the server.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("replication: server: no store")
	}
	if cfg.Store.ReadOnly() {
		return nil, errors.New("replication: server: the store is read-only")
	}
	if cfg.FeedRetain < 0 {
		return nil, fmt.Errorf("replication: server: feed retention %d is negative", cfg.FeedRetain)
	}
	if cfg.CompactEvery <= 0 {
		cfg.CompactEvery = time.Minute
	}
	if cfg.SeenEvery <= 0 {
		cfg.SeenEvery = 5 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Server{cfg: cfg, log: log, news: newBroadcaster(), seen: map[string]records.WorkstationSeen{},
		group: &groupCommitter{store: cfg.Store, maxGroup: 64}}, nil
}

// Run does the server's background work until ctx is cancelled: raising
// the feed's compaction floor and recording feed polls.
func (s *Server) Run(ctx context.Context) error {
	compact := time.NewTicker(s.cfg.CompactEvery)
	defer compact.Stop()
	seen := time.NewTicker(s.cfg.SeenEvery)
	defer seen.Stop()
	s.compact(ctx)
	for {
		select {
		case <-ctx.Done():
			// Record the last polls with a fresh context: ctx is gone.
			flushCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			s.flushSeen(flushCtx)
			cancel()
			return nil
		case <-compact.C:
			s.compact(ctx)
		case <-seen.C:
			s.flushSeen(ctx)
		}
	}
}

func (s *Server) compact(ctx context.Context) {
	if s.cfg.FeedRetain == 0 {
		return
	}
	floor, err := s.cfg.Store.CompactFeed(ctx, s.cfg.FeedRetain)
	if err != nil {
		if ctx.Err() == nil && !diskFull(err) {
			s.log.Error("feed compaction failed", "err", err)
		}
		return
	}
	s.log.Debug("feed compacted", "floor", floor)
}

func (s *Server) flushSeen(ctx context.Context) {
	s.seenMu.Lock()
	batch := make([]records.WorkstationSeen, 0, len(s.seen))
	for _, w := range s.seen {
		batch = append(batch, w)
	}
	clear(s.seen)
	s.seenMu.Unlock()
	if err := s.cfg.Store.TouchWorkstations(ctx, batch); err != nil && ctx.Err() == nil && !diskFull(err) {
		s.log.Warn("recording feed polls failed", "err", err)
	}
}

func (s *Server) noteSeen(id identity, feedVersion int64) {
	s.seenMu.Lock()
	s.seen[id.workstation] = records.WorkstationSeen{Origin: id.workstation, Role: id.role, At: time.Now(), FeedVersion: feedVersion}
	s.seenMu.Unlock()
}

// Handler routes the port server's API. Every route needs a verified client
// certificate; the TLS layer (ServerTLSConfig) already refuses connections
// without one.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST "+PathEvents, s.authed(s.handleEvents))
	mux.Handle("POST "+PathAudit, s.authed(s.handleAudit))
	mux.Handle("GET "+PathFeed, s.authed(s.handleFeed))
	mux.Handle("GET "+PathSnapshot, s.authed(s.handleSnapshot))
	mux.Handle("GET "+PathReference+"{kind}/{version}", s.authed(s.handleReference))
	mux.Handle("GET "+PathMetrics, s.authed(s.handleMetrics))
	mux.Handle("GET "+PathHealth, s.authed(s.handleHealth))
	mux.Handle("GET "+PathAccounts, s.authed(s.handleAccounts))
	mux.Handle("GET "+PathQuarantine, s.authed(s.handleQuarantine)) // server_quarantine.go
	// Other ports' crossings, from the hub (national_history.go).
	mux.Handle("GET "+PathNationalHistory, s.authed(s.handleNationalHistory))
	// The lane journal, heartbeats and the supervisor's reads (journal.go).
	s.registerSupervisor(mux)
	return mux
}

// identity is the caller, from its certificate.
type identity struct{ workstation, role string }

func (s *Server) authed(h func(http.ResponseWriter, *http.Request, identity)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 || len(r.TLS.VerifiedChains[0]) == 0 {
			writeError(w, http.StatusUnauthorized, ErrorResponse{Error: CodeForbidden, Message: "a client certificate signed by the port CA is required"})
			return
		}
		if err := s.cfg.Revocations.Check(r.TLS.VerifiedChains[0][0], r.URL.Path); err != nil {
			w.Header().Set("Connection", "close") // the connection was made before the revocation
			writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForbidden, Message: err.Error()})
			return
		}
		ws, role, err := Identity(r.TLS.VerifiedChains[0][0])
		if err != nil {
			writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForbidden, Message: err.Error()})
			return
		}
		h(w, r, identity{ws, role})
	})
}

func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request, id identity) {
	if id.role == RoleSupervisor {
		s.metrics.batch(CodeForbidden)
		writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForbidden,
			Message: fmt.Sprintf("%s is a supervisor workstation: supervisors are read-only", id.workstation)})
		return
	}
	var req BatchRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBatchBytes))
	if err := dec.Decode(&req); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.metrics.batch(CodeTooLarge)
			writeError(w, http.StatusRequestEntityTooLarge, ErrorResponse{Error: CodeTooLarge,
				Message: fmt.Sprintf("batch body over %d bytes", MaxBatchBytes)})
			return
		}
		s.metrics.batch(CodeBadRequest)
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "batch is not valid JSON: " + err.Error()})
		return
	}
	if len(req.Events) > MaxBatchEvents {
		s.metrics.batch(CodeTooLarge)
		writeError(w, http.StatusRequestEntityTooLarge, ErrorResponse{Error: CodeTooLarge,
			Message: fmt.Sprintf("batch of %d events, at most %d", len(req.Events), MaxBatchEvents)})
		return
	}
	if why, err := s.refuseNonWriters(r.Context(), req.Events); err != nil || why != "" {
		if err != nil {
			s.metrics.batch(CodeInternal)
			s.log.Error("checking the batch's officers failed", "workstation", id.workstation, "err", err)
			writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not check the batch; retry"})
			return
		}
		s.metrics.batch(CodeForbidden)
		s.log.Warn("batch refused: an officer without a writing role", "workstation", id.workstation, "why", why)
		writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForbidden, Message: why})
		return
	}
	start := time.Now()
	res, err := s.group.ingest(records.IngestBatch{
		Origin: id.workstation, Role: id.role, Events: req.Events,
		Backlog: max(0, req.Backlog-len(req.Events)), OldestUnsent: req.OldestUnsent,
	})
	s.metrics.commitNanos.Add(time.Since(start).Nanoseconds())
	s.metrics.commits.Add(1)
	if res.Applied > 0 {
		s.metrics.eventsApplied.Add(int64(res.Applied))
		s.news.Notify()
		if f := s.onCommit.Load(); f != nil {
			(*f)()
		}
	}
	s.metrics.eventsDuplicate.Add(int64(res.Duplicates))
	acked := res.Acked
	var (
		gap    *records.GapError
		schema *records.SchemaError
	)
	switch {
	case err == nil:
		s.metrics.batch("ok")
		writeJSON(w, http.StatusOK, BatchResponse{Acked: res.Acked, Applied: res.Applied, Duplicates: res.Duplicates, Version: res.Version,
			Quarantined: s.heldFor(r.Context(), id.workstation)})
	case errors.As(err, &gap):
		s.metrics.batch(CodeGap)
		writeError(w, http.StatusConflict, ErrorResponse{Error: CodeGap, Message: err.Error(), Acked: &acked, Expected: gap.Expected})
	case errors.As(err, &schema):
		s.metrics.batch(CodeSchemaTooNew)
		s.log.Warn("event held back: newer schema", "workstation", id.workstation, "origin_seq", schema.OriginSeq, "schema", schema.Schema)
		writeError(w, http.StatusUnprocessableEntity, ErrorResponse{Error: CodeSchemaTooNew, Message: err.Error(), Acked: &acked,
			OriginSeq: schema.OriginSeq, Schema: schema.Schema, MaxSchema: schema.Max})
	case errors.Is(err, records.ErrForeignOrigin):
		s.metrics.batch(CodeForeignOrigin)
		s.log.Warn("batch refused: events of another workstation", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForeignOrigin, Message: err.Error(), Acked: &acked})
	case errors.Is(err, records.ErrSequenceConflict):
		s.metrics.batch(CodeSequenceConflict)
		s.log.Error("batch refused: sequence conflict", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusConflict, ErrorResponse{Error: CodeSequenceConflict, Message: err.Error(), Acked: &acked})
	case errors.Is(err, records.ErrInvalidEvent):
		s.metrics.batch(CodeInvalidEvent)
		s.log.Warn("batch refused: invalid event", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusUnprocessableEntity, ErrorResponse{Error: CodeInvalidEvent, Message: err.Error(), Acked: &acked})
	default:
		s.metrics.batch(CodeInternal)
		if !diskFull(err) {
			s.log.Error("batch failed", "workstation", id.workstation, "err", err)
		}
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not store the batch; retry"})
	}
}

// handleAudit appends entries of the caller's audit chain. Every role may
// send its own chain: a supervisor's views and searches are audited too, and
// the server's copy is what reveals a chain cut short.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request, id identity) {
	var req AuditRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, MaxBatchBytes)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, ErrorResponse{Error: CodeBadRequest, Message: "audit batch is not valid JSON: " + err.Error()})
		return
	}
	if len(req.Entries) > MaxBatchEvents {
		writeError(w, http.StatusRequestEntityTooLarge, ErrorResponse{Error: CodeTooLarge,
			Message: fmt.Sprintf("audit batch of %d entries, at most %d", len(req.Entries), MaxBatchEvents)})
		return
	}
	acked, err := s.cfg.Store.IngestAudit(r.Context(), id.workstation, req.Entries)
	s.countSignIns(r.Context(), id.workstation, req.Entries, acked)
	var gap *records.GapError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, AuditResponse{Acked: acked, Checkpoint: s.auditCheckpoint(r, id.workstation, acked)})
	case errors.As(err, &gap):
		writeError(w, http.StatusConflict, ErrorResponse{Error: CodeGap, Message: err.Error(), Acked: &acked, Expected: gap.Expected})
	case errors.Is(err, records.ErrForeignOrigin):
		writeError(w, http.StatusForbidden, ErrorResponse{Error: CodeForeignOrigin, Message: err.Error(), Acked: &acked})
	case errors.Is(err, records.ErrSequenceConflict):
		s.log.Error("audit refused: sequence conflict", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusConflict, ErrorResponse{Error: CodeSequenceConflict, Message: err.Error(), Acked: &acked})
	case errors.Is(err, records.ErrInvalidAudit):
		s.log.Error("audit refused: entry does not extend the chain", "workstation", id.workstation, "err", err)
		writeError(w, http.StatusUnprocessableEntity, ErrorResponse{Error: CodeInvalidAudit, Message: err.Error(), Acked: &acked})
	default:
		if !diskFull(err) {
			s.log.Error("audit batch failed", "workstation", id.workstation, "err", err)
		}
		writeError(w, http.StatusInternalServerError, ErrorResponse{Error: CodeInternal, Message: "the server could not store the audit entries; retry"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the peer went away: nothing to do
}

func writeError(w http.ResponseWriter, status int, e ErrorResponse) { writeJSON(w, status, e) }

// SetOnCommit has the server call f after each commit that applied new
// events (as it wakes the feed's long polls), so another reader of the
// store, such as the national tier's publisher, need not poll. f must not
// block. nil stops the calls.
func (s *Server) SetOnCommit(f func()) {
	if f == nil {
		s.onCommit.Store(nil)
		return
	}
	s.onCommit.Store(&f)
}
