package biometric

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// A non-citizen's capture is forwarded to the biometric system (docs/design.md
// §6): it enters the forward queue when it is stored as non_usc or re-filed
// as non_usc, ForwardDue sends what is due and retries failures with
// backoff, and a forwarded capture's reference is audited, recorded in the
// crossing record (OnForward) and the capture is then purged. A capture
// never forwarded is purged by retention at 14 days, audited as not
// forwarded. Only non_usc captures can enter the queue: the schema refuses
// any other (see migrations/0003_forward_queue.sql).

// Default forward retry: 30 s after the first failure, doubling, at most 1 h.
const (
	defaultForwardRetry    = 30 * time.Second
	defaultForwardRetryMax = time.Hour
)

// forwardBatch bounds the captures sent per ForwardDue.
const forwardBatch = 16

// PurgeReasonForwarded is the purge of a capture right after the biometric
// system took it.
const PurgeReasonForwarded = "forwarded_non_usc"

// ActionForward is the audit action of a forward.
const ActionForward = "forward"

// ForwardRequest is what the biometric system receives for one capture.
type ForwardRequest struct {
	CaptureID  string
	CrossingID string
	Document   records.DocumentRef
	PNG        []byte
	CapturedAt time.Time
}

// Forwarder sends one capture to the biometric system and returns its
// reference there. It must be idempotent by CaptureID (a forward whose
// answer was lost is sent again).
type Forwarder interface {
	Forward(ctx context.Context, req ForwardRequest) (ref string, err error)
}

// Forward is the record of one capture the biometric system took: what its
// audit entry and its records.BiometricForwarded event need. No image.
type Forward struct {
	ID           string // the audit entry's and the event's id
	CaptureID    string
	CrossingID   string
	CapturedAt   time.Time
	BiometricRef string
	ForwardedAt  time.Time
}

// Event is the crossing event payload of the forward.
func (f Forward) Event() records.BiometricForwarded {
	return records.BiometricForwarded{CaptureRef: f.CaptureID, BiometricRef: f.BiometricRef, CapturedAt: f.CapturedAt, ForwardedAt: f.ForwardedAt}
}

// ForwardRun is what one ForwardDue did.
type ForwardRun struct {
	Forwarded []Forward // handed over in this run (including earlier forwards whose hand-over was retried)
	Failed    int       // sends that failed and were rescheduled
}

// QueuedForward is one capture waiting in the forward queue.
type QueuedForward struct {
	CaptureID     string
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
}

// enqueueForward puts capture id in the forward queue inside tx, unless it
// is there or was forwarded. The schema refuses a capture that is not
// non_usc.
func enqueueForward(ctx context.Context, tx *sql.Tx, id string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO forward_queue (capture_id, event_id, enqueued_at, next_attempt_at)
		SELECT id, ?, ?, ? FROM captures WHERE id = ? AND forwarded_at IS NULL
		ON CONFLICT (capture_id) DO NOTHING`, records.NewID(), now.UnixNano(), now.UnixNano(), id)
	if err != nil {
		return fmt.Errorf("queue for forwarding: %w", err)
	}
	return nil
}

// ForwardQueue lists the captures waiting to be forwarded, soonest first.
func (b *Store) ForwardQueue(ctx context.Context) ([]QueuedForward, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT capture_id, attempts, next_attempt_at, last_error FROM forward_queue ORDER BY next_attempt_at, capture_id`)
	if err != nil {
		return nil, fmt.Errorf("biometric: forward queue: %w", err)
	}
	defer rows.Close()
	var out []QueuedForward
	for rows.Next() {
		var q QueuedForward
		var next int64
		if err := rows.Scan(&q.CaptureID, &q.Attempts, &next, &q.LastError); err != nil {
			return nil, fmt.Errorf("biometric: forward queue: %w", err)
		}
		q.NextAttemptAt = time.Unix(0, next).UTC()
		out = append(out, q)
	}
	return out, rows.Err()
}

// ForwardDue sends every queued capture whose next attempt is due at now
// (up to a batch) through fw. A success records the forward, purges the
// capture and hands the forward over (audit entry, then OnForward) and the
// purge (as RunRetention does); a failure is rescheduled with backoff and
// the capture stays. Forwards and purges whose hand-over failed earlier are
// retried first.
func (b *Store) ForwardDue(ctx context.Context, now time.Time, fw Forwarder) (_ ForwardRun, err error) {
	defer func() { err = b.written("forward", err) }()
	var run ForwardRun
	if b.opts.Audit == nil {
		return run, errors.New("biometric: forward: no auditor configured (Options.Audit)")
	}
	if fw == nil {
		return run, errors.New("biometric: forward: no forwarder")
	}
	due, err := b.dueForwards(ctx, now)
	if err != nil {
		return run, err
	}
	sent := 0
	for _, q := range due {
		c, err := b.Capture(ctx, q.capture)
		if err != nil {
			b.reschedule(ctx, q, now, err)
			run.Failed++
			continue
		}
		ref, err := fw.Forward(ctx, ForwardRequest{CaptureID: c.ID, CrossingID: c.CrossingID, Document: c.Document, PNG: c.PNG, CapturedAt: c.CapturedAt})
		if err == nil {
			if cerr := checkField("biometric ref", ref); ref == "" || cerr != nil {
				err = fmt.Errorf("biometric system answered an unusable reference %q", ref)
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return run, ctx.Err()
			}
			b.reschedule(ctx, q, now, err)
			run.Failed++
			continue
		}
		if err := b.completeForward(ctx, q, c, ref, now); err != nil {
			return run, fmt.Errorf("biometric: forward %s: %w", c.ID, err)
		}
		sent++
	}
	if sent > 0 {
		if err := b.reclaim(ctx); err != nil {
			return run, fmt.Errorf("biometric: forward: %w", err)
		}
	}
	if run.Forwarded, err = b.handOverForwards(ctx); err != nil {
		return run, err
	}
	if _, err := b.handOverPurges(ctx); err != nil {
		return run, err
	}
	return run, nil
}

type dueForward struct {
	capture, eventID string
	attempts         int
}

func (b *Store) dueForwards(ctx context.Context, now time.Time) ([]dueForward, error) {
	// The join re-checks citizenship: only non_usc captures are ever sent.
	rows, err := b.db.QueryContext(ctx, `SELECT q.capture_id, q.event_id, q.attempts FROM forward_queue q
		JOIN captures c ON c.id = q.capture_id AND c.citizenship = 'non_usc'
		WHERE q.next_attempt_at <= ? ORDER BY q.next_attempt_at, q.capture_id LIMIT ?`, now.UnixNano(), forwardBatch)
	if err != nil {
		return nil, fmt.Errorf("biometric: forward: find due: %w", err)
	}
	defer rows.Close()
	var out []dueForward
	for rows.Next() {
		var d dueForward
		if err := rows.Scan(&d.capture, &d.eventID, &d.attempts); err != nil {
			return nil, fmt.Errorf("biometric: forward: find due: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// reschedule records a failed attempt; the next waits ForwardRetry doubled
// per earlier failure, at most ForwardRetryMax.
func (b *Store) reschedule(ctx context.Context, q dueForward, now time.Time, cause error) {
	wait := b.opts.ForwardRetry
	for i := 0; i < q.attempts && wait < b.opts.ForwardRetryMax; i++ {
		wait *= 2
	}
	wait = min(wait, b.opts.ForwardRetryMax)
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	msg = strings.ToValidUTF8(msg, "?")
	if _, err := b.db.ExecContext(ctx, `UPDATE forward_queue SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE capture_id = ?`,
		now.Add(wait).UnixNano(), msg, q.capture); err != nil {
		b.log.Error("recording a failed forward", "capture", q.capture, "err", err)
	}
	b.log.Warn("forward to the biometric system failed; will retry", "capture", q.capture, "attempt", q.attempts+1, "retry_in", wait, "err", cause)
}

// completeForward records the forward of c under ref and purges c, in one
// transaction: the image is deleted as soon as the biometric system has it.
func (b *Store) completeForward(ctx context.Context, q dueForward, c Capture, ref string, now time.Time) error {
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var cit string
	if err := tx.QueryRowContext(ctx, `SELECT citizenship FROM captures WHERE id = ?`, c.ID).Scan(&cit); err != nil {
		return fmt.Errorf("re-read capture: %w", err)
	}
	if CitizenshipStatus(cit) != CitizenNonUSC {
		// Re-filed while it was being sent: it stays, and its sending is
		// logged loudly (the trigger already took it out of the queue).
		b.log.Error("capture re-filed as not non_usc while being forwarded", "capture", c.ID, "citizenship", cit)
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pending_forwards (id, capture_id, crossing_id, captured_at, biometric_ref, forwarded_at)
		VALUES (?, ?, ?, ?, ?, ?)`, q.eventID, c.ID, c.CrossingID, c.CapturedAt.UnixNano(), ref, now.UnixNano()); err != nil {
		return fmt.Errorf("record forward: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO pending_purges (id, capture_id, crossing_id, captured_at, citizenship, forwarded_at, biometric_ref, reason, purged_at)
		VALUES (?, ?, ?, ?, 'non_usc', ?, ?, ?, ?)`, records.NewID(), c.ID, c.CrossingID, c.CapturedAt.UnixNano(), now.UnixNano(), ref,
		PurgeReasonForwarded, now.UnixNano()); err != nil {
		return fmt.Errorf("record purge: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM captures WHERE id = ?`, c.ID); err != nil {
		return fmt.Errorf("delete capture: %w", err)
	}
	return tx.Commit()
}

// handOverForwards audits each pending forward and calls OnForward, then
// forgets it; it stops at the first failure, leaving the rest pending.
func (b *Store) handOverForwards(ctx context.Context) ([]Forward, error) {
	rows, err := b.db.QueryContext(ctx, `SELECT id, capture_id, crossing_id, captured_at, biometric_ref, forwarded_at FROM pending_forwards ORDER BY forwarded_at, id`)
	if err != nil {
		return nil, fmt.Errorf("biometric: forward: read pending forwards: %w", err)
	}
	var pending []Forward
	for rows.Next() {
		var f Forward
		var captured, fwd int64
		if err := rows.Scan(&f.ID, &f.CaptureID, &f.CrossingID, &captured, &f.BiometricRef, &fwd); err != nil {
			rows.Close()
			return nil, fmt.Errorf("biometric: forward: read pending forward: %w", err)
		}
		f.CapturedAt, f.ForwardedAt = time.Unix(0, captured).UTC(), time.Unix(0, fwd).UTC()
		pending = append(pending, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("biometric: forward: read pending forwards: %w", err)
	}
	var done []Forward
	for _, f := range pending {
		if err := b.opts.Audit.Audit(ctx, forwardAuditEntry(f)); err != nil {
			return done, fmt.Errorf("biometric: forward: audit forward of %s: %w", f.CaptureID, err)
		}
		if b.opts.OnForward != nil {
			if err := b.opts.OnForward(ctx, f); err != nil {
				return done, fmt.Errorf("biometric: forward: hand over forward of %s: %w", f.CaptureID, err)
			}
		}
		if _, err := b.db.ExecContext(ctx, `DELETE FROM pending_forwards WHERE id = ?`, f.ID); err != nil {
			return done, fmt.Errorf("biometric: forward: forget forward of %s: %w", f.CaptureID, err)
		}
		done = append(done, f)
	}
	return done, nil
}

// forwardAuditEntry: the system sent capture:<id> to the biometric system.
func forwardAuditEntry(f Forward) sqlitestore.AuditEntry {
	return sqlitestore.AuditEntry{ID: f.ID, At: f.ForwardedAt, Action: ActionForward, Subject: "capture:" + f.CaptureID,
		Detail: sqlitestore.AuditDetail(map[string]any{
			"crossing_id":   f.CrossingID,
			"captured_at":   f.CapturedAt.Format(time.RFC3339Nano),
			"biometric_ref": f.BiometricRef,
		})}
}

// RecordForwards returns an Options.OnForward that appends each forward's
// records.BiometricForwarded event to its crossing in rec, with the
// forward's id as the event id (a second hand-over stores nothing new). A
// crossing rec does not hold gets no event; the audit entry stands.
func RecordForwards(rec Appender) func(context.Context, Forward) error {
	return func(ctx context.Context, f Forward) error {
		ev, err := records.NewEvent(f.CrossingID, f.Event(), f.ForwardedAt, "")
		if err != nil {
			return fmt.Errorf("biometric: record forward of %s: %w", f.CaptureID, err)
		}
		ev.ID = f.ID
		if _, err := rec.Append(ctx, ev); err != nil && !errors.Is(err, sqlitestore.ErrNotOpened) {
			return fmt.Errorf("biometric: record forward of %s: %w", f.CaptureID, err)
		}
		return nil
	}
}
