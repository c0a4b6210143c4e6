package sqlitestore

import (
	"context"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore/internal/synth"
)

// GenerateStats reports what generateCrossings wrote.
type GenerateStats struct {
	Crossings int
	Events    int
}

// generateBatch is how many crossings generateCrossings writes per
// transaction: big transactions make bulk loading fast.
const generateBatch = 2000

// generateCrossings loads n synthetic crossings (see package synth) from
// eight simulated booths, as if replicated through the port server, so they
// never enter this workstation's outbox. Events and projections are written
// by the same code as Append's, 2,000 crossings per transaction, for
// history look-ups and benchmarks on a database of realistic size.
func generateCrossings(ctx context.Context, s *Store, n int, seed uint64) (GenerateStats, error) {
	var st GenerateStats
	if s.readOnly {
		return st, ErrReadOnly
	}
	if n <= 0 {
		return st, nil
	}
	var last [synth.Booths]int64
	for b := range last {
		seq, err := lastSeq(ctx, s.write, synth.Origin(b))
		if err != nil {
			return st, fmt.Errorf("generate: %w", err)
		}
		last[b] = seq
	}
	gen := synth.New(n, seed, time.Now().UTC().Truncate(time.Second), last)
	// Bulk load with a page cache sized to the job; restored afterwards.
	cacheKiB := min(1<<20, max(65536, n/5)) // 64 MiB … 1 GiB
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, cacheKiB)); err != nil {
		return st, fmt.Errorf("generate: %w", err)
	}
	defer func() {
		if _, err := s.write.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`); err != nil {
			s.log.Warn("restore cache size", "err", err)
		}
	}()

	// Building and folding crossings runs on its own goroutine, ahead of
	// the single writer, so two CPUs overlap.
	type item struct {
		evs  []records.Event
		proj projection
		err  error
	}
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	items := make(chan item, 512)
	go func() {
		defer close(items)
		for {
			evs, ok, err := gen.Next()
			if !ok && err == nil {
				return
			}
			var p projection
			if err == nil {
				p = project(records.Fold(evs), evs)
			}
			select {
			case items <- item{evs: evs, proj: p, err: err}:
			case <-gctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	for done := 0; done < n; {
		count := min(generateBatch, n-done)
		tx, err := s.write.BeginTx(ctx, nil)
		if err != nil {
			return st, fmt.Errorf("generate: begin: %w", err)
		}
		x := txExec{tx: tx, cache: &s.stmts}
		for range count {
			it, ok := <-items
			if !ok {
				_ = tx.Rollback()
				return st, fmt.Errorf("generate: %w", ctx.Err())
			}
			if it.err != nil {
				_ = tx.Rollback()
				return st, fmt.Errorf("generate: %w", it.err)
			}
			for _, e := range it.evs {
				if err := insertEvent(ctx, x, e); err != nil {
					_ = tx.Rollback()
					return st, fmt.Errorf("generate: %w", err)
				}
			}
			if err := writeProjection(ctx, x, it.proj); err != nil {
				_ = tx.Rollback()
				return st, fmt.Errorf("generate: %w", err)
			}
			st.Events += len(it.evs)
		}
		if err := tx.Commit(); err != nil {
			return st, fmt.Errorf("generate: commit: %w", err)
		}
		done += count
		st.Crossings = done
	}
	return st, nil
}
