package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Replication, port server side: batches of a workstation's events arrive in
// origin_seq order and are applied idempotently by event id. The server keeps
// each origin's high-water mark (the highest origin_seq it holds, with every
// lower one present) and refuses to open a gap.

// IngestBatch is one batch a workstation sent (the domain's type: the
// replication link hands it over as it is).
type IngestBatch = records.IngestBatch

// Ingest applies b in one immediate transaction. It stops at the first event
// that cannot be applied — a gap (*records.GapError), a newer schema
// (*records.SchemaError), another origin (records.ErrForeignOrigin), a conflicting sequence
// (records.ErrSequenceConflict) or an invalid event (ErrInvalidEvent) — commits what
// came before and returns the result together with that error. Events at or
// below the high-water mark that are already stored are duplicates and are
// skipped. The workstation's status row is updated in the same transaction.
func (s *Store) Ingest(ctx context.Context, b IngestBatch) (records.IngestResult, error) {
	out, err := s.IngestGroup(ctx, []IngestBatch{b})
	if err != nil {
		return records.IngestResult{}, err
	}
	return out[0].Result, out[0].Err
}

// IngestGroup applies several workstations' batches in one transaction and
// so one durable commit (group commit: the port server gathers the batches
// that arrive while it is committing). Each batch is applied as by Ingest,
// inside its own savepoint, so one batch's failure never touches another's
// outcome. The error is for the transaction as a whole (nothing committed).
func (s *Store) IngestGroup(ctx context.Context, batches []IngestBatch) ([]records.IngestOutcome, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	out := make([]records.IngestOutcome, len(batches))
	now := time.Now().UTC()
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		for i, b := range batches {
			out[i] = records.IngestOutcome{}
			if err := checkField("origin", b.Origin); err != nil || b.Origin == "" {
				out[i].Err = fmt.Errorf("%w: workstation id %q", ErrInvalidEvent, b.Origin)
				continue
			}
			if b.Origin == s.origin {
				out[i].Err = fmt.Errorf("%w: %s is this port server's own origin; no workstation sends under it", records.ErrForeignOrigin, b.Origin)
				continue
			}
			if _, err := tx.ExecContext(ctx, `SAVEPOINT ingest_batch`); err != nil {
				return fmt.Errorf("savepoint: %w", err)
			}
			res, stop, err := s.ingestTx(ctx, tx, b, now)
			if err != nil {
				if _, rbErr := tx.ExecContext(ctx, `ROLLBACK TO ingest_batch`); rbErr != nil {
					return fmt.Errorf("roll back batch of %s: %w (after %w)", b.Origin, rbErr, err)
				}
				out[i].Err = fmt.Errorf("sqlitestore: ingest batch of %s: %w", b.Origin, err)
			} else {
				out[i] = records.IngestOutcome{Result: res, Err: stop}
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
//
// An event the server will not apply (records/quarantine.go: a newer
// schema, an unknown kind, a payload that breaks its kind's schema, an
// envelope rule, a write to another workstation's crossing the rules do not
// allow) does not stop the batch: it is stored in quarantine under its
// number, which moves the high-water mark on, and the events after it are
// applied. Only what makes the batch itself untrustworthy stops it: a gap,
// an event of another origin, a number or id another event holds, an event
// without an id or a number.
func (s *Store) ingestTx(ctx context.Context, tx *sql.Tx, b IngestBatch, now time.Time) (res records.IngestResult, stop error, err error) {
	hwm, err := lastSeq(ctx, tx, b.Origin)
	if err != nil {
		return res, nil, err
	}
	qhwm, err := quarantineHighWater(ctx, tx, b.Origin)
	if err != nil {
		return res, nil, err
	}
	hwm = max(hwm, qhwm)
	var (
		fresh  []records.Event
		newest time.Time
	)
	checker := &ingestChecker{tx: tx, portOrigin: s.origin, role: b.Role}
scan:
	for _, e := range b.Events {
		switch {
		case e.Origin != b.Origin:
			stop = fmt.Errorf("%w: %s sent event %s of %q", records.ErrForeignOrigin, b.Origin, e.ID, e.Origin)
			break scan
		case e.OriginSeq <= 0:
			stop = fmt.Errorf("%w: event %s has origin_seq %d", ErrInvalidEvent, e.ID, e.OriginSeq)
			break scan
		case e.ID == "" || checkField("id", e.ID) != nil:
			stop = fmt.Errorf("%w: event %s #%d has no usable id", ErrInvalidEvent, e.Origin, e.OriginSeq)
			break scan
		case e.OriginSeq <= hwm:
			// Already held: it must be the same event (resend after a
			// lost ack), never another one under the same number.
			id, ok, err := idAtSequence(ctx, tx, e.Origin, e.OriginSeq)
			if err != nil {
				return res, nil, err
			}
			if !ok {
				if id, ok, err = quarantinedAt(ctx, tx, e.Origin, e.OriginSeq); err != nil {
					return res, nil, err
				}
			}
			if !ok || id != e.ID {
				stop = fmt.Errorf("%w: %s #%d is event %s, received %s", records.ErrSequenceConflict, e.Origin, e.OriginSeq, id, e.ID)
				break scan
			}
			res.Duplicates++
			continue
		case e.OriginSeq > hwm+1:
			stop = &records.GapError{Origin: b.Origin, Expected: hwm + 1, Got: e.OriginSeq}
			break scan
		}
		if e.RecordedAt.IsZero() {
			e.RecordedAt = now
		}
		if e.Payload == nil {
			e.Payload = []byte("null")
		}
		refused, err := checker.check(ctx, e)
		if err != nil {
			return res, nil, err
		}
		if refused != nil {
			// The events before it go in first: a released event must find
			// its crossing as the workstation wrote it.
			n, err := insertReplicated(ctx, tx, fresh, now)
			if err != nil {
				return res, nil, err
			}
			res.Applied += n
			fresh = fresh[:0]
			if err := quarantineTx(ctx, tx, e, b.Role, *refused, now); err != nil {
				return res, nil, err
			}
			s.log.Warn("event quarantined", "origin", e.Origin, "origin_seq", e.OriginSeq, "id", e.ID,
				"kind", string(e.Kind), "code", refused.code, "reason", refused.reason)
		} else {
			fresh = append(fresh, e)
			checker.noteApplied(e)
		}
		hwm = e.OriginSeq
		if e.RecordedAt.After(newest) {
			newest = e.RecordedAt
		}
	}
	n, err := insertReplicated(ctx, tx, fresh, now)
	if err != nil {
		return res, nil, err
	}
	res.Applied += n
	res.Acked = hwm
	if err := upsertWorkstation(ctx, tx, b, hwm, now, newest, nil); err != nil {
		return res, nil, err
	}
	return res, stop, nil
}

// upsertWorkstation records what the server knows of a workstation after a
// batch: its high-water mark, when it was seen, its lag and reported backlog.
func upsertWorkstation(ctx context.Context, tx *sql.Tx, b IngestBatch, hwm int64, now, newest time.Time, refused *records.SchemaError) error {
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
