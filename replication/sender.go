package replication

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/portofentry/booth/records"
)

// SenderConfig configures the outbox sender.
type SenderConfig struct {
	Store  SenderStore // the booth's store, writable
	Client *Client
	Logger *slog.Logger
	// BatchSize bounds the events of one batch; 0 means 500.
	BatchSize int
	// BatchBytes bounds the encoded events of one batch; 0 means 4 MiB.
	BatchBytes int
	// Tick is how often the outbox is looked at without a Notify; 0 means 1 s.
	Tick time.Duration
	// MinBackoff and MaxBackoff bound the jittered wait after a failure;
	// 0 means 250 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// HeldRetry is how often a batch the server refuses (an event of a
	// newer schema, a conflict) is tried again; 0 means 30 s.
	HeldRetry time.Duration
	// RequestTimeout bounds one batch exchange; 0 means 15 s.
	RequestTimeout time.Duration
}

// Sender replicates the booth's outbox to the port server. It wakes on
// Notify (call it after each Append) and on its tick, sends bounded batches
// and acknowledges the outbox only up to what the server says it durably
// holds. It never drops an event.
type Sender struct {
	cfg   SenderConfig
	log   *slog.Logger
	wake  chan struct{}
	board *statusBoard

	// serverHWM and auditHWM are the server's high-water marks for this
	// origin's events and audit chain as last learned, -1 before the first
	// answer.
	serverHWM, auditHWM int64
}

// errHeld marks a failure the server will keep refusing until someone acts:
// it is retried at HeldRetry, not at the backoff pace.
var errHeld = errors.New("held by the port server")

// NewSender checks cfg and returns a sender.
func NewSender(cfg SenderConfig) (*Sender, error) {
	return newSender(cfg, newStatusBoard())
}

func newSender(cfg SenderConfig, board *statusBoard) (*Sender, error) {
	if cfg.Store == nil || cfg.Client == nil {
		return nil, errors.New("replication: sender needs a store and a client")
	}
	if cfg.Store.ReadOnly() {
		return nil, errors.New("replication: sender: the store is read-only")
	}
	cfg.BatchSize = defaultInt(cfg.BatchSize, 500)
	cfg.BatchSize = min(cfg.BatchSize, MaxBatchEvents)
	cfg.BatchBytes = defaultInt(cfg.BatchBytes, 4<<20)
	cfg.BatchBytes = min(cfg.BatchBytes, MaxBatchBytes/2)
	cfg.Tick = defaultDur(cfg.Tick, time.Second)
	cfg.MinBackoff = defaultDur(cfg.MinBackoff, 250*time.Millisecond)
	cfg.MaxBackoff = defaultDur(cfg.MaxBackoff, 5*time.Second)
	cfg.HeldRetry = defaultDur(cfg.HeldRetry, 30*time.Second)
	cfg.RequestTimeout = defaultDur(cfg.RequestTimeout, 15*time.Second)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	board.activate(true)
	return &Sender{cfg: cfg, log: log.With("component", "outbox sender"), wake: make(chan struct{}, 1), board: board, serverHWM: -1, auditHWM: -1}, nil
}

// Notify wakes the sender: there is something new in the outbox. It never
// blocks.
func (s *Sender) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Status returns the link status as the sender sees it.
func (s *Sender) Status() Status { return s.board.Snapshot() }

// Run sends until ctx is cancelled; it returns nil then.
func (s *Sender) Run(ctx context.Context) error {
	tick := time.NewTicker(s.cfg.Tick)
	defer tick.Stop()
	bo := backoff{min: s.cfg.MinBackoff, max: s.cfg.MaxBackoff}
	for {
		err := s.drain(ctx)
		if ctx.Err() != nil {
			return nil
		}
		s.refreshBacklog(ctx)
		if err != nil {
			delay := bo.next()
			if errors.Is(err, errHeld) {
				delay = s.cfg.HeldRetry
			}
			if !sleep(ctx, delay) {
				return nil
			}
			continue
		}
		bo.reset()
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-tick.C:
		}
	}
}

// drain sends batches until the outbox is empty or an exchange fails.
func (s *Sender) drain(ctx context.Context) error {
	for {
		batch, backlog, oldest, err := s.nextBatch(ctx)
		if err != nil {
			s.board.report(true, StateError, err)
			s.log.Error("reading the outbox failed", "err", err)
			return err
		}
		if len(batch) == 0 {
			return s.drainAudit(ctx)
		}
		if err := s.send(ctx, batch, backlog, oldest); err != nil {
			return err
		}
	}
}

// nextBatch reads the next batch to send: from the outbox, or from the log
// when the server holds less than it once acknowledged.
func (s *Sender) nextBatch(ctx context.Context) ([]records.Event, int, time.Time, error) {
	acked, err := s.cfg.Store.Acked(ctx)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	backlog, oldest, err := s.cfg.Store.Backlog(ctx)
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	var evs []records.Event
	if s.serverHWM >= 0 && s.serverHWM < acked {
		// The server lost events it had acknowledged (restored from a
		// backup): resend them from the log; the outbox no longer has them.
		evs, err = s.cfg.Store.OriginEvents(ctx, s.cfg.Store.Origin(), s.serverHWM, s.cfg.BatchSize)
		backlog += int(acked - s.serverHWM)
	} else {
		evs, err = s.cfg.Store.Outbox(ctx, acked, s.cfg.BatchSize)
	}
	if err != nil {
		return nil, 0, time.Time{}, err
	}
	s.board.update(func(st *Status) { st.Backlog, st.OldestUnsent = backlog, oldest })
	return trimBatch(evs, s.cfg.BatchBytes), backlog, oldest, nil
}

// trimBatch keeps the longest prefix of evs that encodes within maxBytes
// (at least one event: an event alone is always within the server's limit).
func trimBatch(evs []records.Event, maxBytes int) []records.Event {
	total := 0
	for i, e := range evs {
		b, err := json.Marshal(e)
		if err != nil {
			return evs[:max(i, 1)]
		}
		total += len(b) + 1
		if total > maxBytes && i > 0 {
			return evs[:i]
		}
	}
	return evs
}

// send posts one batch and acts on the answer.
func (s *Sender) send(ctx context.Context, batch []records.Event, backlog int, oldest time.Time) error {
	rctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	first, last := batch[0].OriginSeq, batch[len(batch)-1].OriginSeq
	resp, err := s.cfg.Client.SendBatch(rctx, BatchRequest{Events: batch, Backlog: backlog, OldestUnsent: oldest})
	if err == nil {
		s.serverHWM = resp.Acked
		if err := s.ack(ctx, resp.Acked); err != nil {
			return err
		}
		s.refreshBacklog(ctx)
		// Acknowledged and stored: the queue moves on. Events held in
		// quarantine at the port until an operator decides put the link
		// in error with the first of them in the header (statusBoard).
		s.board.hold(0, "")
		logQuarantine(s.log, resp.Quarantined, s.board.quarantined(resp.Quarantined))
		s.board.report(true, StateOnline, nil)
		s.log.Debug("batch acknowledged", "first", first, "last", last, "acked", resp.Acked, "applied", resp.Applied)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var se *StatusError
	if !errors.As(err, &se) {
		// Unreachable, timed out or cut: whether or not the server
		// committed, the next attempt resends and the server skips what it
		// already holds.
		s.cfg.Client.CloseIdle()
		s.board.report(true, StateOffline, err)
		s.log.Info("server unreachable; events stay queued", "err", err, "backlog", backlog)
		return err
	}
	if se.Body.Acked != nil {
		s.serverHWM = *se.Body.Acked
		if err := s.ack(ctx, *se.Body.Acked); err != nil {
			return err
		}
	}
	switch {
	case se.Status == http.StatusConflict && se.Body.Error == CodeGap:
		// The server holds up to Expected-1: continue from there, at once.
		s.serverHWM = se.Body.Expected - 1
		if err := s.ack(ctx, s.serverHWM); err != nil {
			return err
		}
		s.log.Info("server expects another sequence; resending from it", "expected", se.Body.Expected, "sent_from", first)
		s.board.report(true, StateOnline, nil)
		return nil
	case se.Body.Error == CodeSchemaTooNew:
		reason := fmt.Sprintf("event #%d has schema %d; the port server understands up to %d: it stays queued until the server is upgraded",
			se.Body.OriginSeq, se.Body.Schema, se.Body.MaxSchema)
		s.board.hold(se.Body.OriginSeq, reason)
		s.board.report(true, StateError, errors.New(reason))
		s.log.Warn("event held back by the port server", "origin_seq", se.Body.OriginSeq, "schema", se.Body.Schema)
		return fmt.Errorf("%w: %s", errHeld, reason)
	case se.Status >= 500 || se.Status == http.StatusTooManyRequests:
		s.board.report(true, StateOffline, err)
		s.log.Warn("server failed the batch; retrying", "err", err)
		return err
	default:
		// Refused for a reason that will not go away by itself (conflict,
		// invalid event, certificate role): keep everything, say so.
		if se.Body.OriginSeq > 0 {
			s.board.hold(se.Body.OriginSeq, se.Error())
		}
		s.board.report(true, StateError, err)
		s.log.Error("server refused the batch; events stay queued", "err", err, "first", first, "last", last)
		return fmt.Errorf("%w: %w", errHeld, err)
	}
}

// ack records the server's high-water mark in the outbox. A mark beyond
// the last local event means the server holds events of this workstation
// that this database does not: it is reported and nothing is acknowledged.
func (s *Sender) ack(ctx context.Context, upTo int64) error {
	acked, err := s.cfg.Store.Acked(ctx)
	if err != nil {
		return err
	}
	if upTo <= acked {
		return nil
	}
	if err := s.cfg.Store.AckOutbox(ctx, upTo); err != nil {
		s.board.report(true, StateError, err)
		if !diskFull(err) {
			s.log.Error("cannot record the server's acknowledgement", "acked", upTo, "err", err)
		}
		return fmt.Errorf("%w: %w", errHeld, err)
	}
	return nil
}

func (s *Sender) refreshBacklog(ctx context.Context) {
	n, oldest, err := s.cfg.Store.Backlog(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("reading the backlog failed", "err", err)
		}
		return
	}
	s.board.update(func(st *Status) { st.Backlog, st.OldestUnsent = n, oldest })
}

func defaultInt(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func defaultDur(v, d time.Duration) time.Duration {
	if v <= 0 {
		return d
	}
	return v
}

// quarantineHeld words the port's quarantine of this workstation's events
// for the header: the first one held and how many.
func quarantineHeld(q []QuarantineNote) (int64, string) {
	if len(q) == 0 {
		return 0, ""
	}
	// Short: the header shows it beside the devices. The server's reason is
	// logged (logQuarantine) and listed by portserver status.
	reason := fmt.Sprintf("event #%d (%s) quarantined at the port server: %s", q[0].OriginSeq, q[0].Kind, q[0].Code)
	if len(q) > 1 {
		reason += fmt.Sprintf(" (+%d more)", len(q)-1)
	}
	return q[0].OriginSeq, reason
}

// logQuarantine logs the port's quarantine of this workstation's events
// when it changed (changed is what statusBoard.quarantined returned).
func logQuarantine(log *slog.Logger, q []QuarantineNote, changed bool) {
	switch {
	case !changed:
	case len(q) == 0:
		log.Info("no event of this workstation is held in quarantine at the port server any more")
	default:
		log.Warn("events of this workstation held in quarantine at the port server; an operator must release or reject them",
			"held", len(q), "first_seq", q[0].OriginSeq, "id", q[0].ID, "kind", q[0].Kind, "code", q[0].Code, "reason", q[0].Reason)
	}
}
