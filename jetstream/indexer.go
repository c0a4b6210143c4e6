package jetstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/portofentry/booth/records"
)

// Indexer feeds one hub node's national index from CROSSINGS through the
// node's own durable consumer (index-<node>), acknowledging a batch only
// after the index has committed it. The index, not the consumer, is the
// truth of how far it got: a consumer ahead of the index (the database was
// deleted to rebuild it, or restored from a backup) is recreated to start
// right after what the index holds.
type Indexer struct {
	node  *HubNode
	index NationalIndex
	batch int
	memo  *USCMemo

	applied atomic.Uint64
	refused atomic.Int64
}

// NewIndexer returns an indexer of node into index; batch 0 means 1,000.
func NewIndexer(node *HubNode, index NationalIndex, batch int) *Indexer {
	if batch <= 0 {
		batch = 1000
	}
	return &Indexer{node: node, index: index, batch: batch, memo: NewUSCMemo(0)}
}

// Applied is the highest stream sequence the index committed.
func (ix *Indexer) Applied() uint64 { return ix.applied.Load() }

// Refused is how many messages this indexer refused since it started.
func (ix *Indexer) Refused() int64 { return ix.refused.Load() }

// Run indexes until ctx ends, retrying failures with backoff.
func (ix *Indexer) Run(ctx context.Context) error {
	log := ix.node.log.With("component", "national-indexer")
	backoff := 200 * time.Millisecond
	for ctx.Err() == nil {
		cons, err := ix.consumer(ctx)
		if err != nil {
			log.Warn("national index: consumer", "err", err)
			if !sleep(ctx, backoff) {
				break
			}
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 200 * time.Millisecond
		for ctx.Err() == nil {
			if err := ix.round(ctx, cons); err != nil {
				if ctx.Err() != nil {
					break
				}
				log.Warn("national index: apply", "err", err)
				if !sleep(ctx, time.Second) {
					break
				}
				if errors.Is(err, jetstream.ErrConsumerNotFound) || errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, errReset) {
					break
				}
			}
		}
	}
	return nil
}

var errReset = errors.New("indexer must re-open its consumer")

// consumer opens the node's index consumer, recreating it to start after
// what the index holds when it is ahead of the index.
func (ix *Indexer) consumer(ctx context.Context) (jetstream.Consumer, error) {
	applied, err := ix.index.NationalApplied(ctx)
	if err != nil {
		return nil, err
	}
	ix.applied.Store(applied)
	js := ix.node.js
	name := IndexConsumer(ix.node.cfg.Name)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if c, err := js.Consumer(cctx, CrossingsStream, name); err == nil {
		info, err := c.Info(cctx)
		if err != nil {
			return nil, err
		}
		if info.AckFloor.Stream <= applied {
			return c, nil
		}
		ix.node.log.Warn("national index: consumer is ahead of the index; rebuilding from the stream",
			"consumer_ack_floor", info.AckFloor.Stream, "index_applied", applied)
		if err := js.DeleteConsumer(cctx, CrossingsStream, name); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, err
	}
	cfg := jetstream.ConsumerConfig{
		Durable:     name,
		Description: "national history index of hub node " + ix.node.cfg.Name,
		// Explicit acks, one per message: with AckAll, acknowledging the
		// last message of a batch would also acknowledge a message the
		// consumer delivered into a fetch that was lost (a consumer leader
		// change), and the index would never see it.
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       10 * time.Second,
		MaxAckPending: 4 * ix.batch,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if applied > 0 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = applied + 1
	}
	return js.CreateOrUpdateConsumer(cctx, CrossingsStream, cfg)
}

// round fetches one batch, applies it and acknowledges it.
func (ix *Indexer) round(ctx context.Context, cons jetstream.Consumer) error {
	// Take what is there at once; when nothing is, wait for the first
	// message only, so an idle index follows the stream within
	// milliseconds instead of waiting out a batch.
	msgs, err := fetch(cons.FetchNoWait(ix.batch))
	if err != nil {
		return err
	}
	if len(msgs) == 0 {
		if msgs, err = fetch(cons.Fetch(1, jetstream.FetchMaxWait(time.Second))); err != nil || len(msgs) == 0 {
			return err
		}
	}
	batch := make([]IndexedMessage, 0, len(msgs))
	var refused []IndexedMessage
	for _, m := range msgs {
		md, err := m.Metadata()
		if err != nil {
			return fmt.Errorf("message metadata: %w", err)
		}
		im := DecodeIndexed(md.Sequence.Stream, m.Subject(), m.Headers().Get(KindHeader), m.Data(), ix.memo)
		if im.Refusal != "" {
			refused = append(refused, im)
		}
		batch = append(batch, im)
	}
	if err := ix.index.ApplyNational(ctx, batch); err != nil {
		return err
	}
	// Acknowledged only now, after the commit. A lost ack means the
	// message comes again and is skipped by the index.
	for _, m := range msgs {
		if err := m.Ack(); err != nil {
			ix.node.log.Warn("national index: ack (the message will be redelivered and skipped)", "err", err)
			break
		}
	}
	if last := batch[len(batch)-1].StreamSeq; last > ix.applied.Load() {
		ix.applied.Store(last)
	}
	for _, r := range refused {
		ix.refused.Add(1)
		ix.node.log.Error("ALERT national index refused an event (biometric rule)", "port", r.Port,
			"event", r.Event.ID, "kind", r.Event.Kind, "stream_seq", r.StreamSeq, "reason", r.Refusal)
	}
	return nil
}

// DecodeIndexed turns one CROSSINGS message into an IndexedMessage,
// applying the biometric rule: a message that is not a crossing event of
// the port its subject names, or that the rule refuses, carries a Refusal.
func DecodeIndexed(seq uint64, subject, kindHeader string, data []byte, memo *USCMemo) IndexedMessage {
	im := IndexedMessage{StreamSeq: seq, Port: portOfSubject(subject)}
	if err := json.Unmarshal(data, &im.Event); err != nil || im.Event.ID == "" {
		im.Event.ID = fmt.Sprintf("undecodable-%d", seq)
		im.Event.Kind = records.Kind(kindHeader)
		im.Refusal = "not a crossing event"
		return im
	}
	if kindHeader != "" && kindHeader != string(im.Event.Kind) {
		im.Refusal = fmt.Sprintf("kind header %q does not match the event's kind %q", kindHeader, im.Event.Kind)
		return im
	}
	memo.Observe(im.Event)
	im.Refusal = Refusal(im.Event, memo)
	return im
}

// portOfSubject is CODE of port.CODE.events ("" for another subject).
func portOfSubject(subject string) string {
	parts := strings.Split(subject, ".")
	if len(parts) == 3 && parts[0] == "port" && parts[2] == "events" {
		return parts[1]
	}
	return ""
}

// fetch drains one fetch; a fetch that timed out with nothing is no error.
func fetch(mb jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
	if err != nil {
		return nil, err
	}
	var msgs []jetstream.Msg
	for m := range mb.Messages() {
		msgs = append(msgs, m)
	}
	if err := mb.Error(); err != nil && len(msgs) == 0 {
		if errors.Is(err, jetstream.ErrNoMessages) || errors.Is(err, context.DeadlineExceeded) ||
			errors.Is(err, nats.ErrTimeout) || errors.Is(err, jetstream.ErrNoHeartbeat) {
			return nil, nil
		}
		return nil, err
	}
	return msgs, nil
}
