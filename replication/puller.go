package replication

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/portofentry/booth/records"
)

// PullerConfig configures the feed puller.
type PullerConfig struct {
	Store  PullerStore // the workstation's store, writable
	Client *Client
	Logger *slog.Logger
	// Wait is the long-poll duration; 0 means 25 s.
	Wait time.Duration
	// Limit bounds the events of one feed response; 0 means 1000.
	Limit int
	// MinBackoff and MaxBackoff bound the jittered wait after a failure;
	// 0 means 250 ms and 5 s.
	MinBackoff, MaxBackoff time.Duration
	// MaxReferenceBytes bounds one reference file; 0 means 1 GiB.
	MaxReferenceBytes int64
	// OnApplied, when set, is called after each batch that stored new
	// events, with the batch and the version reached (to refresh a
	// secondary queue on screen). It must not block.
	OnApplied func(batch []records.Event, version int64)
}

// Puller applies the port server's feed to the workstation's store: port
// events with their checkpoint in one transaction, newer reference datasets
// through ImportReference, and a snapshot when the feed no longer reaches
// back to the checkpoint.
type Puller struct {
	cfg   PullerConfig
	log   *slog.Logger
	board *statusBoard
	// refFailed remembers a reference version that failed to load, so it
	// is not fetched again on every poll; a newer version is tried.
	refFailed map[string]refFailure
	// answered is set once the feed has answered in this run. Until then a
	// request does not wait: a workstation that starts on a quiet port
	// gets the reference data and knows its link at once, not after a
	// long poll in which nothing happened.
	answered bool
}

type refFailure struct {
	version int64
	until   time.Time
}

// refRetry is how long a reference version that failed to load is left
// alone before it is tried again.
const refRetry = 5 * time.Minute

// NewPuller checks cfg and returns a puller.
func NewPuller(cfg PullerConfig) (*Puller, error) { return newPuller(cfg, newStatusBoard()) }

func newPuller(cfg PullerConfig, board *statusBoard) (*Puller, error) {
	if cfg.Store == nil || cfg.Client == nil {
		return nil, errors.New("replication: puller needs a store and a client")
	}
	if cfg.Store.ReadOnly() {
		return nil, errors.New("replication: puller: the store is read-only")
	}
	cfg.Wait = min(defaultDur(cfg.Wait, 25*time.Second), MaxFeedWait)
	cfg.Limit = min(defaultInt(cfg.Limit, 1000), MaxFeedLimit)
	cfg.MinBackoff = defaultDur(cfg.MinBackoff, 250*time.Millisecond)
	cfg.MaxBackoff = defaultDur(cfg.MaxBackoff, 5*time.Second)
	if cfg.MaxReferenceBytes <= 0 {
		cfg.MaxReferenceBytes = 1 << 30
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	board.activate(false)
	return &Puller{cfg: cfg, log: log.With("component", "feed puller"), board: board, refFailed: map[string]refFailure{}}, nil
}

// Status returns the link status as the puller sees it.
func (p *Puller) Status() Status { return p.board.Snapshot() }

// Run pulls until ctx is cancelled; it returns nil then.
func (p *Puller) Run(ctx context.Context) error {
	bo := backoff{min: p.cfg.MinBackoff, max: p.cfg.MaxBackoff}
	if cp, err := p.cfg.Store.FeedCheckpoint(ctx); err == nil {
		p.board.update(func(st *Status) { st.FeedVersion = cp.Version })
	}
	for {
		err := p.pullOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if !sleep(ctx, bo.next()) {
				return nil
			}
			continue
		}
		bo.reset()
	}
}

// pullOnce makes one feed request and applies its answer.
func (p *Puller) pullOnce(ctx context.Context) error {
	cp, err := p.cfg.Store.FeedCheckpoint(ctx)
	if err != nil {
		p.board.report(false, StateError, err)
		return err
	}
	// Accounts first: the long poll may wait, and a disable or a lockout
	// should not.
	p.syncAccounts(ctx)
	rctx, cancel := context.WithTimeout(ctx, p.cfg.Wait+15*time.Second)
	defer cancel()
	wait := p.cfg.Wait
	if !p.answered {
		wait = 0
	}
	resp, err := p.cfg.Client.Feed(rctx, cp.Version, wait, p.cfg.Limit)
	var se *StatusError
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &se) && se.Body.Error == CodeSnapshotRequired:
		p.log.Info("feed compacted past our checkpoint; taking a snapshot", "checkpoint", cp.Version, "floor", se.Body.Floor)
		return p.snapshot(ctx)
	case errors.As(err, &se) && se.Status < 500:
		p.board.report(false, StateError, err)
		p.log.Error("server refused the feed request", "err", err)
		return err
	default:
		p.cfg.Client.CloseIdle()
		p.board.report(false, StateOffline, err)
		p.log.Info("feed unreachable", "err", err)
		return err
	}
	if len(resp.Events) > 0 || resp.Version > cp.Version {
		if err := p.apply(ctx, records.FeedApply{Events: resp.Events, Version: resp.Version}); err != nil {
			return err
		}
	}
	p.answered = true
	if resp.Quarantined != nil {
		logQuarantine(p.log, resp.Quarantined, p.board.quarantined(resp.Quarantined))
	}
	p.board.report(false, StateOnline, nil)
	p.syncReference(ctx, resp.Reference)
	return nil
}

func (p *Puller) apply(ctx context.Context, f records.FeedApply) error {
	n, err := p.cfg.Store.ApplyFeed(ctx, f)
	if err != nil {
		if ctx.Err() == nil {
			p.board.report(false, StateError, err)
			if !diskFull(err) {
				p.log.Error("applying the feed failed", "version", f.Version, "err", err)
			}
		}
		return err
	}
	if f.Version > 0 {
		p.board.update(func(st *Status) { st.FeedVersion = max(st.FeedVersion, f.Version) })
	}
	if n > 0 && p.cfg.OnApplied != nil {
		p.cfg.OnApplied(f.Events, f.Version)
	}
	return nil
}

// snapshotChunk is how many snapshot events go into one transaction.
const snapshotChunk = 500

// snapshot fetches and applies a snapshot. Chunks are applied without the
// checkpoint; only the last chunk, after the trailer proved the stream
// complete, moves it. An interrupted snapshot is simply taken again.
func (p *Puller) snapshot(ctx context.Context) error {
	rctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	req, err := p.cfg.Client.newRequest(rctx, http.MethodGet, PathSnapshot, nil, nil)
	if err != nil {
		return err
	}
	resp, err := p.cfg.Client.http.Do(req)
	if err != nil {
		p.board.report(false, StateOffline, err)
		return fmt.Errorf("snapshot: %w", err)
	}
	defer resp.Body.Close()
	if err := checkStatus(resp); err != nil {
		p.board.report(false, StateError, err)
		return fmt.Errorf("snapshot: %w", err)
	}
	hdr, n, err := readSnapshot(resp.Body, snapshotChunk, func(chunk []records.Event, hdr *SnapshotHeader) error {
		f := records.FeedApply{Events: chunk}
		if hdr != nil { // the last chunk, after a verified trailer
			f.Version, f.Snapshot = hdr.Version, true
		}
		return p.apply(ctx, f)
	})
	if err != nil {
		if errors.Is(err, errApply) {
			return err
		}
		return p.snapshotFailed(err)
	}
	p.log.Info("snapshot applied", "version", hdr.Version, "events", n)
	p.board.report(false, StateOnline, nil)
	p.syncReference(ctx, hdr.Reference)
	return nil
}

// errApply marks a failure of the apply callback (already reported), as
// opposed to a damaged snapshot stream.
var errApply = errors.New("apply failed")

// readSnapshot parses a snapshot stream: a SnapshotHeader line, event lines,
// a SnapshotTrailer line. It hands events to apply in chunks of chunk; the
// last chunk comes with the header, only once the trailer has proved the
// stream complete. A stream without a valid header, with a bad line, or cut
// before its trailer is an error. Lines are bounded (an event is at most
// 1 MiB of payload), so a hostile stream cannot grow a buffer without end.
func readSnapshot(r io.Reader, chunk int, apply func([]records.Event, *SnapshotHeader) error) (SnapshotHeader, int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 2<<20)
	var hdr SnapshotHeader
	if !sc.Scan() {
		return hdr, 0, fmt.Errorf("snapshot: no header: %w", scanErr(sc))
	}
	if err := json.Unmarshal(sc.Bytes(), &hdr); err != nil {
		return hdr, 0, fmt.Errorf("snapshot: header: %w", err)
	}
	if hdr.Version < 0 {
		return hdr, 0, fmt.Errorf("snapshot: header: negative version %d", hdr.Version)
	}
	var (
		buf []records.Event
		n   int
	)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte(`{"end":`)) {
			var tr SnapshotTrailer
			if err := json.Unmarshal(line, &tr); err != nil || !tr.End || tr.Events != n {
				return hdr, n, fmt.Errorf("snapshot: trailer %.100q does not match the %d events received", line, n)
			}
			if err := apply(buf, &hdr); err != nil {
				return hdr, n, fmt.Errorf("%w: %w", errApply, err)
			}
			return hdr, n, nil
		}
		var e records.Event
		if err := json.Unmarshal(line, &e); err != nil {
			return hdr, n, fmt.Errorf("snapshot: line %d: %w", n+2, err)
		}
		buf = append(buf, e)
		n++
		if len(buf) == chunk {
			if err := apply(buf, nil); err != nil {
				return hdr, n, fmt.Errorf("%w: %w", errApply, err)
			}
			buf = nil
		}
	}
	return hdr, n, fmt.Errorf("snapshot: cut after %d events: %w", n, scanErr(sc))
}

func scanErr(sc *bufio.Scanner) error {
	if err := sc.Err(); err != nil {
		return err
	}
	return io.ErrUnexpectedEOF
}

func (p *Puller) snapshotFailed(err error) error {
	p.board.report(false, StateOffline, err)
	p.log.Warn("snapshot incomplete; will retry", "err", err)
	return err
}

// syncReference loads every published dataset newer than the loaded one.
// A failure is logged and shown, and the version is left alone for a while;
// the events keep flowing either way.
func (p *Puller) syncReference(ctx context.Context, published []records.PublishedDataset) {
	if len(published) == 0 {
		return
	}
	have, err := p.cfg.Store.ReferenceVersions(ctx)
	if err != nil {
		p.log.Warn("reading reference status failed", "err", err)
		return
	}
	for _, d := range published {
		if d.Version <= have[d.Kind] {
			continue
		}
		if f, ok := p.refFailed[d.Kind]; ok && f.version == d.Version && time.Now().Before(f.until) {
			continue
		}
		body, err := p.cfg.Client.Reference(ctx, d.Kind, d.Version, d.SHA256, p.cfg.MaxReferenceBytes)
		if err == nil {
			_, err = p.cfg.Store.ImportReference(ctx, d.Kind, bytes.NewReader(body), d.Version, d.AsOf)
		}
		if errors.Is(err, records.ErrStaleDataset) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.refFailed[d.Kind] = refFailure{version: d.Version, until: time.Now().Add(refRetry)}
			p.board.report(false, StateError, fmt.Errorf("reference %s version %d: %w", d.Kind, d.Version, err))
			if !diskFull(err) {
				p.log.Error("loading reference data failed", "kind", d.Kind, "version", d.Version, "err", err)
			}
			continue
		}
		delete(p.refFailed, d.Kind)
		p.log.Info("reference data loaded", "kind", d.Kind, "version", d.Version, "as_of", d.AsOf)
	}
}
