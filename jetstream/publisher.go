package jetstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/portofentry/booth/records"
)

// FeedSource is the port store's feed as the publisher reads it: every
// event the port holds, all origins, in its own commit order, numbered by
// a monotonic feed version. *sqlitestore.Store satisfies it.
type FeedSource interface {
	// LogSince returns up to limit events with a feed version above after,
	// in version order (no compaction floor).
	LogSince(ctx context.Context, after int64, limit int) ([]records.FeedEvent, error)
	// FeedHead is the newest feed version.
	FeedHead(ctx context.Context) (int64, error)
}

// PublisherConfig configures a Publisher.
type PublisherConfig struct {
	Node  *PortNode
	Store FeedSource
	// Batch bounds the events published per round (0 means 500).
	Batch int
	// Poll is how often the feed head is read when idle (0 means 100 ms).
	Poll time.Duration
	// Logger (nil: slog.Default()).
	Logger *slog.Logger
}

// Publisher follows the port store's feed and publishes every committed
// event to the port stream with the event id as the message id. It runs
// beside ingest and never blocks it: ingest commits to SQLite, the
// publisher reads what was committed.
//
// It resumes from a cursor, not from JetStream's duplicate window: the
// stream's last message carries the feed version of its event, so after a
// restart, however long, publishing continues right after it, and a stream
// that lost its unsynced tail is refilled from SQLite. Each message expects
// the stream's last sequence to be the one before it, so a failed publish
// can never leave a gap behind a later one that succeeded: the publisher
// re-reads the cursor and goes on from there.
type Publisher struct {
	cfg    PublisherConfig
	log    *slog.Logger
	wake   chan struct{}
	mu     sync.Mutex
	cursor int64
	lastSq uint64
	memo   *USCMemo

	published atomic.Int64
	refused   atomic.Int64
}

// NewPublisher returns a publisher; Run starts it.
func NewPublisher(cfg PublisherConfig) (*Publisher, error) {
	if cfg.Node == nil || cfg.Store == nil {
		return nil, errors.New("jetstream: publisher needs a port node and a feed")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	return &Publisher{
		cfg:  cfg,
		log:  orDefault(cfg.Logger).With("component", "national-publisher", "port", cfg.Node.code),
		wake: make(chan struct{}, 1),
		memo: NewUSCMemo(0),
	}, nil
}

// Notify wakes the publisher at once (after a commit); without it the
// publisher still finds new events within Poll.
func (p *Publisher) Notify() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Stats is what the publisher has done since it started.
type Stats struct {
	Cursor    int64 // feed version of the last event handled
	Published int64 // messages stored by the stream
	Refused   int64 // events the biometric rule kept at the port
}

// Stats returns the publisher's counters.
func (p *Publisher) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return Stats{Cursor: p.cursor, Published: p.published.Load(), Refused: p.refused.Load()}
}

// Run publishes until ctx ends. Failures (the node restarting, a full
// disk) are logged and retried with backoff from a freshly read cursor.
func (p *Publisher) Run(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	needCursor := true
	for ctx.Err() == nil {
		if needCursor {
			if err := p.readCursor(ctx); err != nil {
				p.log.Warn("national publisher: read cursor", "err", err)
				if !sleep(ctx, backoff) {
					break
				}
				backoff = min(backoff*2, 5*time.Second)
				continue
			}
			needCursor = false
		}
		n, err := p.round(ctx)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			p.log.Warn("national publisher: publish", "err", err)
			needCursor = true
			if !sleep(ctx, backoff) {
				break
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		if n == 0 {
			select {
			case <-ctx.Done():
			case <-p.wake:
			case <-time.After(p.cfg.Poll):
			}
		}
	}
	return nil
}

// readCursor sets the cursor from the stream's last message.
func (p *Publisher) readCursor(ctx context.Context) error {
	cur, last, err := StreamCursor(ctx, p.cfg.Node.js, p.cfg.Node.code)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.cursor, p.lastSq = cur, last
	p.mu.Unlock()
	p.log.Info("national publisher: resuming", "after_version", cur, "stream_last_seq", last)
	return nil
}

// StreamCursor reads port code's stream: the feed version carried by its
// last message (0 when empty) and its last sequence.
func StreamCursor(ctx context.Context, js jetstream.JetStream, code string) (version int64, lastSeq uint64, err error) {
	st, err := js.Stream(ctx, PortStream(code))
	if err != nil {
		return 0, 0, fmt.Errorf("jetstream: port stream: %w", err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("jetstream: port stream info: %w", err)
	}
	lastSeq = info.State.LastSeq
	if info.State.Msgs == 0 {
		return 0, lastSeq, nil
	}
	m, err := st.GetLastMsgForSubject(ctx, PortSubject(code))
	if err != nil {
		return 0, 0, fmt.Errorf("jetstream: port stream last message: %w", err)
	}
	v, err := strconv.ParseInt(m.Header.Get(FeedVersionHeader), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("jetstream: port stream message %d has no feed version: %w", m.Sequence, err)
	}
	return v, m.Sequence, nil
}

// round publishes one batch after the cursor and returns how many events
// it handled.
func (p *Publisher) round(ctx context.Context) (int, error) {
	p.mu.Lock()
	cursor, lastSq := p.cursor, p.lastSq
	p.mu.Unlock()
	evs, err := p.cfg.Store.LogSince(ctx, cursor, p.cfg.Batch)
	if err != nil {
		return 0, fmt.Errorf("read feed after %d: %w", cursor, err)
	}
	if len(evs) == 0 {
		return 0, nil
	}
	js := p.cfg.Node.js
	subject := PortSubject(p.cfg.Node.code)
	futures := make([]jetstream.PubAckFuture, 0, len(evs))
	expect := lastSq
	refused := 0
	for _, fe := range evs {
		p.memo.Observe(fe.Event)
		if why := Refusal(fe.Event, p.memo); why != "" {
			// Never published; the cursor passes it by.
			refused++
			p.log.Error("national publisher: event kept at the port (biometric rule)", "event", fe.Event.ID, "kind", fe.Event.Kind, "reason", why)
			continue
		}
		msg, err := EventMsg(subject, fe)
		if err != nil {
			return 0, err
		}
		f, err := js.PublishMsgAsync(msg, jetstream.WithMsgID(fe.Event.ID), jetstream.WithExpectLastSequence(expect))
		if err != nil {
			return 0, fmt.Errorf("publish event %s: %w", fe.Event.ID, err)
		}
		futures = append(futures, f)
		expect++
	}
	var stored uint64 = lastSq
	for _, f := range futures {
		select {
		case ack := <-f.Ok():
			if ack.Duplicate {
				// Only after a lost tail: the duplicate window still held
				// it. The expected-sequence chain is broken, so re-read.
				return 0, fmt.Errorf("event %s was a duplicate of stream seq %d", f.Msg().Header.Get(nats.MsgIdHdr), ack.Sequence)
			}
			stored = ack.Sequence
		case err := <-f.Err():
			return 0, fmt.Errorf("event %s: %w", f.Msg().Header.Get(nats.MsgIdHdr), err)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(30 * time.Second):
			return 0, errors.New("no acknowledgement within 30 s")
		}
	}
	p.published.Add(int64(len(futures)))
	p.refused.Add(int64(refused))
	p.mu.Lock()
	p.cursor, p.lastSq = evs[len(evs)-1].Version, stored
	p.mu.Unlock()
	return len(evs), nil
}

// EventMsg is the stream message of one feed event: the event's JSON with
// its id as message id, its feed version and kind in headers.
func EventMsg(subject string, fe records.FeedEvent) (*nats.Msg, error) {
	data, err := jsonMarshal(fe.Event)
	if err != nil {
		return nil, fmt.Errorf("encode event %s: %w", fe.Event.ID, err)
	}
	m := nats.NewMsg(subject)
	m.Data = data
	m.Header.Set(nats.MsgIdHdr, fe.Event.ID)
	m.Header.Set(FeedVersionHeader, strconv.FormatInt(fe.Version, 10))
	m.Header.Set(KindHeader, string(fe.Event.Kind))
	return m, nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
