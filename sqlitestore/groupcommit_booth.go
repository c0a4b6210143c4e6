package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/portofentry/booth/records"
)

// groupCommit merges concurrent Append calls into one transaction and one
// fsync. The booth's devices and officer commands append from different
// goroutines; each commit costs a disk flush, so calls that arrive while a
// commit is in flight are committed together by the next one.
//
// There is no committer goroutine and no timer: the first caller to find
// nobody committing becomes the leader and commits whatever is queued
// (its own call included) at once, so a lone caller pays nothing. Calls that
// arrive meanwhile queue; when the leader's commit is durable it wakes them
// with their results and hands leadership to the first of any newer calls.
type groupCommit struct {
	mu      sync.Mutex
	pending []*appendCall
	leading bool // a leader is committing; new calls queue

	largest int // most calls one transaction has committed (for tests)
}

// appendCall is one Append waiting for its group's commit.
type appendCall struct {
	ctx  context.Context
	evs  []records.Event
	out  []records.Event
	err  error
	wake chan bool // true: lead the next group; false: out/err are final
}

// maxGroupCalls bounds how many calls one transaction commits, so one
// group's latency stays bounded however many callers pile up.
const maxGroupCalls = 64

func (g *groupCommit) append(s *Store, ctx context.Context, evs []records.Event) ([]records.Event, error) {
	call := &appendCall{ctx: ctx, evs: evs, wake: make(chan bool, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, call)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	if !lead && !<-call.wake {
		return call.out, call.err
	}
	// Lead: commit the queue (our call is in it), then pass the lead on.
	g.mu.Lock()
	n := min(len(g.pending), maxGroupCalls)
	batch := g.pending[:n:n]
	g.pending = g.pending[n:]
	g.largest = max(g.largest, n)
	g.mu.Unlock()

	defer func() {
		// A panic while committing must not leave the queued callers
		// waiting forever: they get an error and the lead is passed on.
		if r := recover(); r != nil {
			for _, c := range batch {
				c.out, c.err = nil, fmt.Errorf("sqlitestore: append: commit of a group aborted: %v", r)
			}
			g.finish(batch, call)
			panic(r)
		}
	}()
	s.commitGroup(batch)
	g.finish(batch, call)
	return call.out, call.err
}

// finish wakes the calls of a committed batch (other than the leader's own)
// and hands the lead to the first queued call, if any.
func (g *groupCommit) finish(batch []*appendCall, leader *appendCall) {
	g.mu.Lock()
	var next *appendCall
	if len(g.pending) > 0 {
		next = g.pending[0]
	} else {
		g.leading = false
		g.pending = nil
	}
	g.mu.Unlock()
	for _, c := range batch {
		if c != leader {
			c.wake <- false
		}
	}
	if next != nil {
		next.wake <- true
	}
}

// commitGroup stores the calls of batch in one immediate transaction, each
// under its own savepoint so an invalid call is rolled back alone, and sets
// every call's result after the commit.
func (s *Store) commitGroup(batch []*appendCall) {
	fail := func(calls []*appendCall, err error) {
		for _, c := range calls {
			if c.err == nil {
				c.out, c.err = nil, err
			}
		}
	}
	// The transaction is shared: one caller's cancellation must not abort
	// the others' writes. Each call's context is checked before its turn.
	ctx := context.WithoutCancel(batch[0].ctx)
	c := &s.appendCache
	c.mu.Lock()
	defer c.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		fail(batch, fmt.Errorf("sqlitestore: append: begin: %w", err))
		return
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// A failed commit may or may not have reached the disk: start
		// the cache over from the database.
		c.reset()
		if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
			s.log.Warn("append rollback failed", "err", err)
		}
	}()
	x := txExec{tx: tx, cache: &s.stmts}
	mark, err := s.readWriterMark(ctx, tx)
	if err != nil {
		fail(batch, fmt.Errorf("sqlitestore: append: %w", err))
		return
	}
	c.check(mark)
	now := time.Now().UTC()
	st := &appendState{added: map[string][]records.Event{}}
	lone := len(batch) == 1
	var ok []*appendCall
	for _, call := range batch {
		if err := call.ctx.Err(); err != nil {
			call.err = fmt.Errorf("sqlitestore: append: %w", err)
			continue
		}
		if lone { // no savepoint needed: the transaction is the call's
			if call.out, call.err = s.appendOne(ctx, x, st, now, call.evs); call.err != nil {
				return
			}
			ok = append(ok, call)
			continue
		}
		if _, err := tx.ExecContext(ctx, `SAVEPOINT append_call`); err != nil {
			fail(batch, fmt.Errorf("sqlitestore: append: savepoint: %w", err))
			return
		}
		out, err := s.appendOne(ctx, x, st, now, call.evs)
		if err != nil {
			call.err = err
			if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO append_call`); rbErr != nil {
				fail(batch, fmt.Errorf("sqlitestore: append: roll back a failed call (%v): %w", err, rbErr))
				return
			}
		} else {
			call.out = out
			ok = append(ok, call)
		}
		if _, err := tx.ExecContext(ctx, `RELEASE append_call`); err != nil {
			fail(batch, fmt.Errorf("sqlitestore: append: release savepoint: %w", err))
			return
		}
	}
	if len(ok) == 0 {
		return // nothing to commit; the deferred rollback ends the transaction
	}
	folded, err := s.refreshAdded(ctx, x, st)
	if err != nil {
		fail(batch, err)
		return
	}
	// The mark after this group's writes: the next group trusts the cache
	// only if nothing else has written since.
	if mark, err = s.readWriterMark(ctx, tx); err != nil {
		fail(batch, fmt.Errorf("sqlitestore: append: %w", err))
		return
	}
	if err := tx.Commit(); err != nil {
		fail(batch, fmt.Errorf("sqlitestore: append: commit: %w", err))
		return
	}
	committed = true
	c.mark, c.valid = mark, true
	if st.nextSeq != 0 {
		c.seq, c.seqKnown = st.nextSeq-1, true
	}
	for i, id := range st.order {
		c.put(id, folded[i])
	}
}
