package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// The port server's feed: every event it holds, all origins, in its own
// commit order. The feed version of an event is events.seq, the server's
// local insert sequence: there is one writer, so versions grow in commit
// order and a reader that has seen version V has seen everything below it.

// maxFeedBatch bounds one FeedSince read.
const maxFeedBatch = 5000

// FeedSince returns up to limit events with a feed version greater than
// after, in version order (limit 0 or less means 500, at most 5000). It
// returns records.ErrSnapshotRequired when after is below the compaction floor.
func (s *Store) FeedSince(ctx context.Context, after int64, limit int) ([]records.FeedEvent, error) {
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, maxFeedBatch)
	floor, err := s.FeedFloor(ctx)
	if err != nil {
		return nil, err
	}
	if after < floor {
		return nil, fmt.Errorf("sqlitestore: feed after %d (floor %d): %w", after, floor, records.ErrSnapshotRequired)
	}
	return s.LogSince(ctx, after, limit)
}

// LogSince is FeedSince without the compaction floor: every event the
// server holds after version after, for export and audit.
func (s *Store) LogSince(ctx context.Context, after int64, limit int) ([]records.FeedEvent, error) {
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, maxFeedBatch)
	rows, err := s.read.QueryContext(ctx, `SELECT e.seq, `+eventColumns+` FROM events e
		WHERE e.seq > ? ORDER BY e.seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: log after %d: %w", after, err)
	}
	defer rows.Close()
	var out []records.FeedEvent
	for rows.Next() {
		var fe records.FeedEvent
		e, err := scanEvent(seqScanner{rows, &fe.Version})
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: log after %d: %w", after, err)
		}
		fe.Event = e
		out = append(out, fe)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: log after %d: %w", after, err)
	}
	return out, nil
}

// seqScanner scans a leading seq column before the event columns.
type seqScanner struct {
	r   rowScanner
	seq *int64
}

func (s seqScanner) Scan(dest ...any) error {
	return s.r.Scan(append([]any{s.seq}, dest...)...)
}

// FeedHead is the newest feed version (0 for an empty log).
func (s *Store) FeedHead(ctx context.Context) (int64, error) {
	var v int64
	if err := s.read.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlitestore: feed head: %w", err)
	}
	return v, nil
}

// FeedFloor is the compaction floor: FeedSince serves versions after it.
func (s *Store) FeedFloor(ctx context.Context) (int64, error) {
	var v int64
	if err := s.read.QueryRowContext(ctx, `SELECT floor FROM repl_feed_floor WHERE singleton = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlitestore: feed floor: %w", err)
	}
	return v, nil
}

// CompactFeed raises the compaction floor so that the feed keeps serving
// deltas for the newest retain versions only, and returns the floor.
// Events themselves are never deleted (the log is insert-only): a
// workstation further behind takes a snapshot of open work instead of
// replaying the port's whole history. The floor never goes down.
func (s *Store) CompactFeed(ctx context.Context, retain int64) (floor int64, err error) {
	if retain < 0 {
		return 0, fmt.Errorf("sqlitestore: compact feed: retain %d is negative", retain)
	}
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE repl_feed_floor
			SET floor = max(floor, (SELECT coalesce(max(seq), 0) FROM events) - ?), compacted_at = ?
			WHERE singleton = 1`, retain, time.Now().UnixNano()); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT floor FROM repl_feed_floor WHERE singleton = 1`).Scan(&floor)
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: compact feed: %w", err)
	}
	return floor, nil
}

// Snapshot streams, from one consistent read, every event of the crossings
// still open or referred, and of the referrals whose determinations
// conflict, in feed order, to fn, and returns the feed version the snapshot
// stands at: a workstation that applies it continues the feed after that
// version. A crossing in conflict counts as determined, but its conflict is
// open work (the conflicts view of every secondary workstation and the
// correction that settles it), so a workstation that starts from a snapshot
// must hold it too.
func (s *Store) Snapshot(ctx context.Context, fn func(records.Event) error) (version int64, err error) {
	tx, err := s.read.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: snapshot: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&version); err != nil {
		return 0, fmt.Errorf("sqlitestore: snapshot: head: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e
		WHERE e.crossing_id IN (
			SELECT id FROM crossings WHERE status IN (?, ?)
			UNION SELECT crossing_id FROM referrals WHERE state = 'conflict')
		  AND e.seq <= ?
		ORDER BY e.seq`, string(records.StatusOpen), string(records.StatusReferred), version)
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: snapshot: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return 0, fmt.Errorf("sqlitestore: snapshot: %w", err)
		}
		if err := fn(e); err != nil {
			return 0, fmt.Errorf("sqlitestore: snapshot: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlitestore: snapshot: %w", err)
	}
	return version, nil
}
