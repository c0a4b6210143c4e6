package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// maxOutboxBatch bounds one Outbox read.
const maxOutboxBatch = 10000

// ErrAckBeyondSent is returned by AckOutbox for a sequence number this
// workstation never assigned: the peer acknowledged something it cannot have.
var ErrAckBeyondSent = errors.New("acknowledgement beyond the last local event")

// Outbox returns up to limit locally originated events not yet acknowledged,
// with origin_seq greater than after, in origin_seq order. limit is capped
// at 10000; 0 or less means 500.
func (s *Store) Outbox(ctx context.Context, after int64, limit int) ([]records.Event, error) {
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, maxOutboxBatch)
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM outbox o
		JOIN events e ON e.id = o.event_id
		WHERE o.origin_seq > ? ORDER BY o.origin_seq LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: outbox: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: outbox: %w", err)
	}
	return evs, nil
}

// AckOutbox records that the port server durably holds every local event up
// to and including origin_seq upTo, and drops them from the outbox. Acks are
// monotonic: an older ack than the last one is a no-op.
func (s *Store) AckOutbox(ctx context.Context, upTo int64) (err error) {
	if s.readOnly {
		return ErrReadOnly
	}
	defer func() { err = s.written("ack outbox", err) }()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: ack outbox: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	last, err := lastSeq(ctx, tx, s.origin)
	if err != nil {
		return fmt.Errorf("sqlitestore: ack outbox: %w", err)
	}
	if upTo > last {
		return fmt.Errorf("sqlitestore: ack outbox up to %d: %w (last is %d)", upTo, ErrAckBeyondSent, last)
	}
	if _, err = tx.ExecContext(ctx, `UPDATE outbox_ack SET acked = max(acked, ?) WHERE singleton = 1`, upTo); err != nil {
		return fmt.Errorf("sqlitestore: ack outbox: %w", err)
	}
	if _, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE origin_seq <= ?`, upTo); err != nil {
		return fmt.Errorf("sqlitestore: ack outbox: %w", err)
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: ack outbox: commit: %w", err)
	}
	return nil
}

// Acked is the highest origin_seq the port server has acknowledged.
func (s *Store) Acked(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, `SELECT acked FROM outbox_ack WHERE singleton = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("sqlitestore: acked: %w", err)
	}
	return n, nil
}

// Backlog is how many local events wait for the port server and when the
// oldest of them was recorded (zero when none wait).
func (s *Store) Backlog(ctx context.Context) (count int, oldest time.Time, err error) {
	var rec sql.NullInt64
	err = s.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM outbox),
		(SELECT e.recorded_at FROM outbox o JOIN events e ON e.id = o.event_id ORDER BY o.origin_seq LIMIT 1)`).
		Scan(&count, &rec)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("sqlitestore: backlog: %w", err)
	}
	return count, decodeTime(rec), nil
}
