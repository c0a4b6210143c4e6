package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
)

// ReporterStore is a booth's store as the reporter uses it: its own lane
// journal and the journal's acknowledgement mark. It must be writable.
type ReporterStore interface {
	JournalOutbox(ctx context.Context, after int64, limit int) ([]records.JournalEntry, error)
	JournalAcked(ctx context.Context) (int64, error)
	AckJournal(ctx context.Context, upTo int64) error
}

// ReporterConfig configures a workstation's reporter.
type ReporterConfig struct {
	Store  ReporterStore // nil: heartbeats only
	Client *Client
	// Heartbeat builds the workstation's current heartbeat; nil sends none.
	Heartbeat func(ctx context.Context) records.Heartbeat
	Logger    *slog.Logger
	// Every is the heartbeat period; 0 means 2 s.
	Every time.Duration
	// RequestTimeout bounds one exchange; 0 means 10 s.
	RequestTimeout time.Duration
	// BatchSize bounds the journal entries of one POST; 0 means 500.
	BatchSize int
}

// Reporter sends a workstation's lane journal and heartbeat to the port
// server: the journal after every Notify and on each tick, in seq order,
// acknowledged only up to what the server says it durably holds (resent
// from there after a gap or a lost answer; nothing is dropped); then the
// heartbeat. It runs beside the link's sender and puller.
type Reporter struct {
	cfg  ReporterConfig
	log  *slog.Logger
	wake chan struct{}
	// serverHWM is the server's journal mark for this origin as last
	// learned, -1 before the first answer.
	serverHWM int64

	mu      sync.Mutex
	lastOK  time.Time
	lastErr string
}

// NewReporter checks cfg and returns a reporter.
func NewReporter(cfg ReporterConfig) (*Reporter, error) {
	if cfg.Client == nil || (cfg.Store == nil && cfg.Heartbeat == nil) {
		return nil, errors.New("replication: reporter needs a client and a store or a heartbeat")
	}
	cfg.Every = defaultDur(cfg.Every, 2*time.Second)
	cfg.RequestTimeout = defaultDur(cfg.RequestTimeout, 10*time.Second)
	cfg.BatchSize = min(defaultInt(cfg.BatchSize, 500), MaxBatchEvents)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Reporter{cfg: cfg, log: log.With("component", "lane reporter"), wake: make(chan struct{}, 1), serverHWM: -1}, nil
}

// Notify wakes the reporter: a journal entry was committed or the lane's
// state changed. It never blocks.
func (r *Reporter) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Status is when the server last took a report and the last failure ("" when
// the last exchange succeeded).
func (r *Reporter) Status() (lastOK time.Time, lastErr string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastOK, r.lastErr
}

func (r *Reporter) report(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.lastOK, r.lastErr = time.Now(), ""
		return
	}
	r.lastErr = err.Error()
}

// Run reports until ctx is cancelled; it returns nil then.
func (r *Reporter) Run(ctx context.Context) error {
	tick := time.NewTicker(r.cfg.Every)
	defer tick.Stop()
	for {
		err := r.once(ctx)
		if ctx.Err() != nil {
			return nil
		}
		r.report(err)
		if err != nil {
			r.cfg.Client.CloseIdle()
		}
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		case <-tick.C:
		}
	}
}

// once drains the journal and sends one heartbeat.
func (r *Reporter) once(ctx context.Context) error {
	var errs []error
	if r.cfg.Store != nil {
		if err := r.drainJournal(ctx); err != nil {
			errs = append(errs, fmt.Errorf("lane journal: %w", err))
		}
	}
	if r.cfg.Heartbeat != nil {
		hb := r.cfg.Heartbeat(ctx)
		hb.At = time.Now().UTC()
		rctx, cancel := context.WithTimeout(ctx, r.cfg.RequestTimeout)
		err := r.cfg.Client.SendHeartbeat(rctx, hb)
		cancel()
		if err != nil {
			errs = append(errs, fmt.Errorf("heartbeat: %w", err))
		}
	}
	err := errors.Join(errs...)
	if err != nil && ctx.Err() == nil {
		r.log.Debug("report failed", "err", err)
	}
	return err
}

// drainJournal sends the own journal after what the server holds, in seq
// order, and records the server's acknowledgements.
func (r *Reporter) drainJournal(ctx context.Context) error {
	for {
		acked, err := r.cfg.Store.JournalAcked(ctx)
		if err != nil {
			return err
		}
		after := acked
		if r.serverHWM >= 0 && r.serverHWM < acked {
			after = r.serverHWM // the server lost entries it had acknowledged
		}
		entries, err := r.cfg.Store.JournalOutbox(ctx, after, r.cfg.BatchSize)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		rctx, cancel := context.WithTimeout(ctx, r.cfg.RequestTimeout)
		resp, err := r.cfg.Client.SendJournal(rctx, JournalRequest{Entries: entries})
		cancel()
		if err == nil {
			r.serverHWM = resp.Acked
			if err := r.ack(ctx, acked, resp.Acked); err != nil {
				return err
			}
			continue
		}
		var se *StatusError
		if !errors.As(err, &se) {
			return err // unreachable: resent next time, the server skips what it holds
		}
		if se.Body.Acked != nil {
			r.serverHWM = *se.Body.Acked
			if err := r.ack(ctx, acked, *se.Body.Acked); err != nil {
				return err
			}
		}
		if se.Status == http.StatusConflict && se.Body.Error == CodeGap {
			r.serverHWM = se.Body.Expected - 1
			if err := r.ack(ctx, acked, r.serverHWM); err != nil {
				return err
			}
			continue
		}
		if se.Status < 500 {
			r.log.Error("server refused the lane journal; entries stay queued", "err", err)
		}
		return err
	}
}

func (r *Reporter) ack(ctx context.Context, acked, upTo int64) error {
	if upTo <= acked {
		return nil
	}
	return r.cfg.Store.AckJournal(ctx, upTo)
}
