package replication

import (
	"context"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
)

// groupCommitter gathers the batches that arrive while the server is
// committing and applies them together, in one transaction and one fsync.
// With many booths sending at once this keeps the server's single writer
// from queueing a durable commit per booth.
//
// There is no background goroutine: the first request to find nobody
// committing leads; it commits what is pending, hands each request its
// outcome, and passes the lead to the oldest request still waiting.
type groupCommitter struct {
	store    ServerStore
	maxGroup int

	mu      sync.Mutex
	pending []*pendingBatch
	leading bool
}

type pendingBatch struct {
	batch records.IngestBatch
	// done receives a lead token or the outcome; a request never abandons
	// it, or a passed lead would be lost.
	done chan groupResult
}

type groupResult struct {
	lead    bool
	outcome records.IngestOutcome
}

// maxGroupEvents bounds the events of one group (one batch alone may exceed
// it), so a group's transaction stays short.
const maxGroupEvents = 5000

// groupCommitTimeout bounds one group's transaction.
const groupCommitTimeout = 30 * time.Second

func (g *groupCommitter) ingest(b records.IngestBatch) (records.IngestResult, error) {
	p := &pendingBatch{batch: b, done: make(chan groupResult, 2)}
	g.mu.Lock()
	g.pending = append(g.pending, p)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	for {
		if lead {
			g.lead()
		}
		r := <-p.done
		if !r.lead {
			return r.outcome.Result, r.outcome.Err
		}
		lead = true
	}
}

// lead commits one group and passes the lead on.
func (g *groupCommitter) lead() {
	g.mu.Lock()
	n, events := 0, 0
	for n < len(g.pending) && n < g.maxGroup && (n == 0 || events+len(g.pending[n].batch.Events) <= maxGroupEvents) {
		events += len(g.pending[n].batch.Events)
		n++
	}
	group := make([]*pendingBatch, n)
	copy(group, g.pending)
	g.pending = append(g.pending[:0:0], g.pending[n:]...)
	g.mu.Unlock()

	batches := make([]records.IngestBatch, len(group))
	for i, p := range group {
		batches[i] = p.batch
	}
	// Not a request's context: the group belongs to several requests.
	ctx, cancel := context.WithTimeout(context.Background(), groupCommitTimeout)
	out, err := g.store.IngestGroup(ctx, batches)
	cancel()
	for i, p := range group {
		if err != nil {
			p.done <- groupResult{outcome: records.IngestOutcome{Err: err}}
		} else {
			p.done <- groupResult{outcome: out[i]}
		}
	}

	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.pending) == 0 {
		g.leading = false
		return
	}
	g.pending[0].done <- groupResult{lead: true}
}
