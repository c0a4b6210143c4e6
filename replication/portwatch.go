package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
)

// PortWatchStore is a supervisor console's store as the port watcher uses
// it: the replica of the lane journal with its checkpoint, and the copy of
// the port status. It must be writable (the system writes it, never the
// screens).
type PortWatchStore interface {
	ReadOnly() bool
	JournalCheckpoint(ctx context.Context) (int64, error)
	ApplyJournal(ctx context.Context, entries []records.JournalEntry, version int64) (int, error)
	ApplyPortStatus(ctx context.Context, st records.PortStatus) error
}

// PortWatcherConfig configures a console's port watcher.
type PortWatcherConfig struct {
	Store  PortWatchStore
	Client *Client
	Logger *slog.Logger
	// Every is how often the journal and the port status are read; 0
	// means 1 s.
	Every time.Duration
	// RequestTimeout bounds one exchange; 0 means 10 s.
	RequestTimeout time.Duration
	// OnChanged, when set, is called after each round that stored
	// something (new journal entries or a fresh port status). It must not
	// block.
	OnChanged func()
}

// PortWatcher keeps a supervisor console's copy of what no crossing
// carries: the port's lane journal (applied with its checkpoint in one
// transaction, so nothing is missed or applied twice) and the port status
// (every workstation's heartbeat and replication status).
type PortWatcher struct {
	cfg PortWatcherConfig
	log *slog.Logger

	mu      sync.Mutex
	lastOK  time.Time
	lastErr string
}

// NewPortWatcher checks cfg and returns a watcher.
func NewPortWatcher(cfg PortWatcherConfig) (*PortWatcher, error) {
	if cfg.Store == nil || cfg.Client == nil {
		return nil, errors.New("replication: port watcher needs a store and a client")
	}
	if cfg.Store.ReadOnly() {
		return nil, errors.New("replication: port watcher: the store is read-only")
	}
	cfg.Every = defaultDur(cfg.Every, time.Second)
	cfg.RequestTimeout = defaultDur(cfg.RequestTimeout, 10*time.Second)
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &PortWatcher{cfg: cfg, log: log.With("component", "port watcher")}, nil
}

// Status is when the watcher last read the port server and the last
// failure ("" when the last round succeeded).
func (p *PortWatcher) Status() (lastOK time.Time, lastErr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastOK, p.lastErr
}

// Run watches until ctx is cancelled; it returns nil then.
func (p *PortWatcher) Run(ctx context.Context) error {
	tick := time.NewTicker(p.cfg.Every)
	defer tick.Stop()
	for {
		err := p.Once(ctx)
		if ctx.Err() != nil {
			return nil
		}
		p.mu.Lock()
		if err == nil {
			p.lastOK, p.lastErr = time.Now(), ""
		} else {
			p.lastErr = err.Error()
		}
		p.mu.Unlock()
		if err != nil {
			p.cfg.Client.CloseIdle()
			p.log.Debug("watching the port failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Once reads the journal up to the server's head and the port status, and
// stores both.
func (p *PortWatcher) Once(ctx context.Context) error {
	changed := false
	defer func() {
		if changed && p.cfg.OnChanged != nil {
			p.cfg.OnChanged()
		}
	}()
	for {
		cp, err := p.cfg.Store.JournalCheckpoint(ctx)
		if err != nil {
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, p.cfg.RequestTimeout)
		resp, err := p.cfg.Client.JournalFeed(rctx, cp, MaxFeedLimit)
		cancel()
		if err != nil {
			return fmt.Errorf("lane journal: %w", err)
		}
		if resp.Version > cp || len(resp.Entries) > 0 {
			n, err := p.cfg.Store.ApplyJournal(ctx, resp.Entries, resp.Version)
			if err != nil {
				return err
			}
			changed = changed || n > 0
		}
		if !resp.More || resp.Version <= cp {
			break
		}
	}
	rctx, cancel := context.WithTimeout(ctx, p.cfg.RequestTimeout)
	st, err := p.cfg.Client.PortStatus(rctx)
	cancel()
	if err != nil {
		return fmt.Errorf("port status: %w", err)
	}
	st.FetchedAt = time.Now().UTC()
	if err := p.cfg.Store.ApplyPortStatus(ctx, st); err != nil {
		return err
	}
	changed = true
	return nil
}
