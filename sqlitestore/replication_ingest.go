package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Replication, port server side: batches of a workstation's events arrive in
// origin_seq order and are applied idempotently by event id. The server keeps
// each origin's high-water mark (the highest origin_seq it holds, with every
// lower one present) and refuses to open a gap.

// IngestBatch is one batch a workstation sent.
type IngestBatch struct {
	Origin string // the workstation, from its certificate
	Role   string // its role, from its certificate
	Events []records.Event
	// What the workstation reported about itself with the batch.
	Backlog      int
	OldestUnsent time.Time
}

// IngestResult is what a batch did. Acked is the origin's high-water mark
// after the commit: every event of the origin up to it is durably stored.
type IngestResult struct {
	Acked      int64
	Applied    int
	Duplicates int
	// Version is the server's feed version after the commit.
	Version int64
}

// GapError is returned when a batch skips sequence numbers: the server
// holds up to Expected-1 and the workstation must resend from Expected.
type GapError struct {
	Origin   string
	Expected int64
	Got      int64
}

func (e *GapError) Error() string {
	return fmt.Sprintf("sequence gap for %s: expected #%d, got #%d", e.Origin, e.Expected, e.Got)
}

// SchemaError is returned when an event's payload schema is newer than this
// build understands. The server applies the events before it and holds it
// back; the workstation keeps it queued until the server is upgraded.
type SchemaError struct {
	Origin    string
	OriginSeq int64
	ID        string
	Schema    int
	Max       int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("event %s (%s #%d) has schema %d, newer than the %d this server understands",
		e.ID, e.Origin, e.OriginSeq, e.Schema, e.Max)
}

// ErrForeignOrigin is returned when a workstation sends an event of another
// origin: a workstation only replicates its own events.
var ErrForeignOrigin = errors.New("event of another workstation")

// Ingest applies b in one immediate transaction. It stops at the first event
// that cannot be applied — a gap (*GapError), a newer schema
// (*SchemaError), another origin (ErrForeignOrigin), a conflicting sequence
// (ErrSequenceConflict) or an invalid event (ErrInvalidEvent) — commits what
// came before and returns the result together with that error. Events at or
// below the high-water mark that are already stored are duplicates and are
// skipped. The workstation's status row is updated in the same transaction.
func (s *Store) Ingest(ctx context.Context, b IngestBatch) (IngestResult, error) {
	out, err := s.IngestGroup(ctx, []IngestBatch{b})
	if err != nil {
		return IngestResult{}, err
	}
	return out[0].Result, out[0].Err
}

// IngestOutcome is what IngestGroup did with one batch: Err is the batch's
// stopping error as for Ingest (nil when it applied whole).
type IngestOutcome struct {
	Result IngestResult
	Err    error
}

// IngestGroup applies several workstations' batches in one transaction and
// so one durable commit (group commit: the port server gathers the batches
// that arrive while it is committing). Each batch is applied as by Ingest,
// inside its own savepoint, so one batch's failure never touches another's
// outcome. The error is for the transaction as a whole (nothing committed).
func (s *Store) IngestGroup(ctx context.Context, batches []IngestBatch) ([]IngestOutcome, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	out := make([]IngestOutcome, len(batches))
	now := time.Now().UTC()
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		for i, b := range batches {
			out[i] = IngestOutcome{}
			if err := checkField("origin", b.Origin); err != nil || b.Origin == "" {
				out[i].Err = fmt.Errorf("%w: workstation id %q", ErrInvalidEvent, b.Origin)
				continue
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT ingest_batch`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			res, stop, err := ingestTx(ctx, tx, b, now)
			if err != nil {
				if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO ingest_batch`); rbErr != nil {
					return fmt.Errorf("roll back batch of %s: %w (after %w)", b.Origin, rbErr, err)
				}
				out[i].Err = fmt.Errorf("sqlitestore: ingest batch of %s: %w", b.Origin, err)
			} else {
				out[i] = IngestOutcome{Result: res, Err: stop}
			}
			if _, err := tx.ExecContext(ctx, `RELEASE ingest_batch`); err != nil {
				return fmt.Errorf("release savepoint: %w", err)
			}
		}
		var version int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM events`).Scan(&version); err != nil {
			return err
		}
		for i := range out {
			out[i].Result.Version = version
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: ingest %d batches: %w", len(batches), err)
	}
	return out, nil
}

// ingestTx applies one batch inside tx; see Ingest. stop is the batch's
// stopping error; err a failure that must undo the batch.
func ingestTx(ctx context.Context, tx *sql.Tx, b IngestBatch, now time.Time) (res IngestResult, stop error, err error) {
	hwm, err := lastSeq(ctx, tx, b.Origin)
	if err != nil {
		return res, nil, err
	}
	var (
		fresh   []records.Event
		newest  time.Time
		refused *SchemaError
	)
scan:
	for _, e := range b.Events {
		switch {
		case e.Origin != b.Origin:
			stop = fmt.Errorf("%w: %s sent event %s of %q", ErrForeignOrigin, b.Origin, e.ID, e.Origin)
			break scan
		case e.OriginSeq <= 0:
			stop = fmt.Errorf("%w: event %s has origin_seq %d", ErrInvalidEvent, e.ID, e.OriginSeq)
			break scan
		case e.OriginSeq <= hwm:
			// Already held: it must be the same event (resend after a
			// lost ack), never another one under the same number.
			id, ok, err := idAtSequence(ctx, tx, e.Origin, e.OriginSeq)
			if err != nil {
				return res, nil, err
			}
			if !ok || id != e.ID {
				stop = fmt.Errorf("%w: %s #%d is event %s, received %s", ErrSequenceConflict, e.Origin, e.OriginSeq, id, e.ID)
				break scan
			}
			res.Duplicates++
			continue
		case e.OriginSeq > hwm+1:
			stop = &GapError{Origin: b.Origin, Expected: hwm + 1, Got: e.OriginSeq}
			break scan
		case e.Schema > records.SchemaVersion:
			refused = &SchemaError{Origin: e.Origin, OriginSeq: e.OriginSeq, ID: e.ID, Schema: e.Schema, Max: records.SchemaVersion}
			stop = refused
			break scan
		}
		if err := validate(&e); err != nil {
			stop = fmt.Errorf("event %s (%s #%d): %w", e.ID, e.Origin, e.OriginSeq, err)
			break scan
		}
		fresh = append(fresh, e)
		hwm = e.OriginSeq
		if e.RecordedAt.After(newest) {
			newest = e.RecordedAt
		}
	}
	n, err := insertReplicated(ctx, tx, fresh, now)
	if err != nil {
		return res, nil, err
	}
	res.Applied, res.Acked = n, hwm
	if err := upsertWorkstation(ctx, tx, b, hwm, now, newest, refused); err != nil {
		return res, nil, err
	}
	return res, stop, nil
}

// upsertWorkstation records what the server knows of a workstation after a
// batch: its high-water mark, when it was seen, its lag and reported backlog.
func upsertWorkstation(ctx context.Context, tx *sql.Tx, b IngestBatch, hwm int64, now, newest time.Time, refused *SchemaError) error {
	var (
		lastRecorded, lag, refusedSeq, refusedReason any
		oldest                                       any
	)
	if !newest.IsZero() {
		lastRecorded = newest.UnixNano()
		lag = now.Sub(newest).Nanoseconds()
	}
	if refused != nil {
		refusedSeq, refusedReason = refused.OriginSeq, refused.Error()
	}
	if !b.OldestUnsent.IsZero() {
		oldest = nanos(b.OldestUnsent)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO repl_workstations
		(origin, role, first_seen, last_seen, hwm, last_batch_at, last_recorded, lag_ns, backlog, oldest_unsent, refused_seq, refused_reason)
		VALUES (?1, ?2, ?3, ?3, ?4, ?3, ?5, ?6, ?7, ?8, ?9, ?10)
		ON CONFLICT (origin) DO UPDATE SET
			role = excluded.role,
			last_seen = excluded.last_seen,
			hwm = excluded.hwm,
			last_batch_at = excluded.last_batch_at,
			last_recorded = coalesce(excluded.last_recorded, last_recorded),
			lag_ns = coalesce(excluded.lag_ns, lag_ns),
			backlog = excluded.backlog,
			oldest_unsent = excluded.oldest_unsent,
			refused_seq = excluded.refused_seq,
			refused_reason = excluded.refused_reason`,
		b.Origin, b.Role, now.UnixNano(), hwm, lastRecorded, lag, b.Backlog, oldest, refusedSeq, refusedReason)
	if err != nil {
		return fmt.Errorf("record workstation %s: %w", b.Origin, err)
	}
	return nil
}
