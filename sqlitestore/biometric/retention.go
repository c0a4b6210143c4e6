package biometric

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// Purge reasons.
const (
	PurgeReasonUSC     = "retention_usc_12h"     // US citizen's capture, 12 h after capture
	PurgeReasonUnknown = "retention_unknown_12h" // citizenship not established: treated as a US citizen's
	PurgeReasonNonUSC  = "retention_non_usc_14d" // non-citizen's capture, 14 days after capture (not forwarded by then)
)

// purgeBatch bounds the captures deleted per transaction.
const purgeBatch = 256

// Purge is the record of one capture deleted by retention: what is needed
// for its audit entry and its records.BiometricPurged event. It never holds
// the image.
type Purge struct {
	// ID is unique per purge; it is the audit entry's id, and callers should
	// use it as the BiometricPurged event's id so a retried hand-over cannot
	// record the purge twice.
	ID           string
	CaptureID    string
	CrossingID   string
	CapturedAt   time.Time
	Citizenship  CitizenshipStatus
	ForwardedAt  time.Time // zero when never forwarded
	BiometricRef string
	Reason       string
	PurgedAt     time.Time
}

// Event is the crossing event payload for the purge. A capture that was never
// referenced from the crossing record (a US citizen's, or citizenship not
// established) is purged without naming it: the record only learns that a
// capture was deleted, never gains a reference to it.
func (p Purge) Event() records.BiometricPurged {
	ev := records.BiometricPurged{CapturedAt: p.CapturedAt, Reason: p.Reason}
	if p.Citizenship == CitizenNonUSC {
		ev.CaptureRef = p.CaptureID
	}
	return ev
}

// RunRetention deletes every capture whose retention has run out at now:
// 12 h after capture for a US citizen's or unknown citizenship's, 14 days for
// a non-citizen's, forwarded or not (the boundaries are inclusive: a capture
// exactly 12 h old is deleted). Deleted images are overwritten and the file's
// free pages released. Each purge is then audited (Options.Audit) and handed
// to Options.OnPurge; purges whose hand-over failed in an earlier run are
// retried first. It returns the purges handed over in this run.
func (b *Store) RunRetention(ctx context.Context, now time.Time) (_ []Purge, err error) {
	defer func() { err = b.written("retention", err) }()
	if b.opts.Audit == nil {
		return nil, errors.New("biometric: biometric retention: no auditor configured (Options.Audit)")
	}
	deleted := 0
	for {
		n, err := b.purgeBatch(ctx, now)
		if err != nil {
			return nil, fmt.Errorf("biometric: biometric retention: %w", err)
		}
		deleted += n
		if n < purgeBatch {
			break
		}
	}
	if deleted > 0 {
		if err := b.reclaim(ctx); err != nil {
			return nil, fmt.Errorf("biometric: biometric retention: %w", err)
		}
		b.log.Info("biometric captures purged", "count", deleted)
	}
	return b.handOverPurges(ctx)
}

// purgeBatch moves up to purgeBatch due captures to pending_purges (without
// their images) in one transaction and returns how many.
func (b *Store) purgeBatch(ctx context.Context, now time.Time) (int, error) {
	uscCut := now.Add(-b.opts.USCRetention).UnixNano()
	nonCut := now.Add(-b.opts.NonUSCRetention).UnixNano()
	tx, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	rows, err := tx.QueryContext(ctx, `SELECT id, crossing_id, captured_at, citizenship, forwarded_at, biometric_ref FROM captures
		WHERE (citizenship IN ('usc', 'unknown') AND captured_at <= ?) OR (citizenship = 'non_usc' AND captured_at <= ?)
		ORDER BY captured_at LIMIT ?`, uscCut, nonCut, purgeBatch)
	if err != nil {
		return 0, fmt.Errorf("find due captures: %w", err)
	}
	var due []Purge
	for rows.Next() {
		var p Purge
		var captured int64
		var forwarded sql.NullInt64
		var cit string
		if err := rows.Scan(&p.CaptureID, &p.CrossingID, &captured, &cit, &forwarded, &p.BiometricRef); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read due capture: %w", err)
		}
		p.CapturedAt, p.Citizenship, p.ForwardedAt = time.Unix(0, captured).UTC(), CitizenshipStatus(cit), decodeTime(forwarded)
		due = append(due, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read due captures: %w", err)
	}
	for _, p := range due {
		p.ID = records.NewID()
		p.PurgedAt = now.UTC()
		switch p.Citizenship {
		case CitizenUSC:
			p.Reason = PurgeReasonUSC
		case CitizenNonUSC:
			p.Reason = PurgeReasonNonUSC
		default:
			p.Reason = PurgeReasonUnknown
		}
		fwd, _ := encodeTime(p.ForwardedAt)
		if _, err := tx.ExecContext(ctx, `INSERT INTO pending_purges (id, capture_id, crossing_id, captured_at, citizenship, forwarded_at, biometric_ref, reason, purged_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.CaptureID, p.CrossingID, p.CapturedAt.UnixNano(), string(p.Citizenship), fwd,
			p.BiometricRef, p.Reason, p.PurgedAt.UnixNano()); err != nil {
			return 0, fmt.Errorf("record purge of %s: %w", p.CaptureID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM captures WHERE id = ?`, p.CaptureID); err != nil {
			return 0, fmt.Errorf("delete capture %s: %w", p.CaptureID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("commit purge: %w", err)
	}
	return len(due), nil
}

// reclaim makes deleted images unrecoverable from the files: secure_delete
// already zeroed their pages; the checkpoint copies the zeroed pages into the
// database file and truncates the WAL (which held the old images), and the
// incremental vacuum gives the free pages back to the file system.
func (b *Store) reclaim(ctx context.Context) error {
	if _, err := b.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint after purge: %w", err)
	}
	if _, err := b.db.ExecContext(ctx, `PRAGMA incremental_vacuum`); err != nil {
		return fmt.Errorf("vacuum after purge: %w", err)
	}
	if _, err := b.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return fmt.Errorf("checkpoint after vacuum: %w", err)
	}
	return nil
}

// handOverPurges audits each pending purge and calls OnPurge, then forgets
// it. It stops at the first failure, leaving the rest pending.
func (b *Store) handOverPurges(ctx context.Context) ([]Purge, error) {
	// A capture's forward is handed over before its purge, so the crossing
	// record learns the reference before it learns the image is gone.
	rows, err := b.db.QueryContext(ctx, `SELECT id, capture_id, crossing_id, captured_at, citizenship, forwarded_at, biometric_ref, reason, purged_at
		FROM pending_purges WHERE capture_id NOT IN (SELECT capture_id FROM pending_forwards) ORDER BY purged_at, id`)
	if err != nil {
		return nil, fmt.Errorf("biometric: biometric retention: read pending purges: %w", err)
	}
	var pending []Purge
	for rows.Next() {
		var p Purge
		var captured, purged int64
		var forwarded sql.NullInt64
		var cit string
		if err := rows.Scan(&p.ID, &p.CaptureID, &p.CrossingID, &captured, &cit, &forwarded, &p.BiometricRef, &p.Reason, &purged); err != nil {
			rows.Close()
			return nil, fmt.Errorf("biometric: biometric retention: read pending purge: %w", err)
		}
		p.CapturedAt, p.PurgedAt = time.Unix(0, captured).UTC(), time.Unix(0, purged).UTC()
		p.Citizenship, p.ForwardedAt = CitizenshipStatus(cit), decodeTime(forwarded)
		pending = append(pending, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("biometric: biometric retention: read pending purges: %w", err)
	}
	var done []Purge
	for _, p := range pending {
		if err := b.opts.Audit.Audit(ctx, purgeAuditEntry(p)); err != nil {
			return done, fmt.Errorf("biometric: biometric retention: audit purge of %s: %w", p.CaptureID, err)
		}
		if b.opts.OnPurge != nil {
			if err := b.opts.OnPurge(ctx, p); err != nil {
				return done, fmt.Errorf("biometric: biometric retention: hand over purge of %s: %w", p.CaptureID, err)
			}
		}
		if _, err := b.db.ExecContext(ctx, `DELETE FROM pending_purges WHERE id = ?`, p.ID); err != nil {
			return done, fmt.Errorf("biometric: biometric retention: forget purge of %s: %w", p.CaptureID, err)
		}
		done = append(done, p)
	}
	return done, nil
}

// purgeAuditEntry is the audit record of a purge: who (the system), what
// (the capture id) and why, never the image or the document.
func purgeAuditEntry(p Purge) sqlitestore.AuditEntry {
	d := map[string]any{
		"crossing_id": p.CrossingID,
		"captured_at": p.CapturedAt.Format(time.RFC3339Nano),
		"citizenship": string(p.Citizenship),
		"reason":      p.Reason,
	}
	if !p.ForwardedAt.IsZero() {
		d["forwarded_at"] = p.ForwardedAt.Format(time.RFC3339Nano)
		d["biometric_ref"] = p.BiometricRef
	}
	if p.Citizenship == CitizenNonUSC {
		// A non-citizen's capture purged at the retention limit says
		// that the biometric system never took it.
		d["forwarded"] = !p.ForwardedAt.IsZero()
	}
	return sqlitestore.AuditEntry{ID: p.ID, At: p.PurgedAt, Action: sqlitestore.ActionPurge, Subject: "capture:" + p.CaptureID, Detail: sqlitestore.AuditDetail(d)}
}

// Appender is what RecordPurges needs of the crossing record;
// *sqlitestore.Store is one.
type Appender interface {
	Append(ctx context.Context, evs ...records.Event) ([]records.Event, error)
}

// RecordPurges returns an Options.OnPurge that appends each purge's
// records.BiometricPurged event to its crossing in rec, with the purge's id
// as the event id so that handing the same purge over twice stores one
// event. A crossing rec does not hold (its opening never committed) has no
// reference to the capture to clear: nothing is appended, the purge's audit
// entry stands.
func RecordPurges(rec Appender) func(context.Context, Purge) error {
	return func(ctx context.Context, p Purge) error {
		ev, err := records.NewEvent(p.CrossingID, p.Event(), p.PurgedAt, "")
		if err != nil {
			return fmt.Errorf("biometric: record purge of %s: %w", p.CaptureID, err)
		}
		ev.ID = p.ID
		if _, err := rec.Append(ctx, ev); err != nil && !errors.Is(err, sqlitestore.ErrNotOpened) {
			return fmt.Errorf("biometric: record purge of %s: %w", p.CaptureID, err)
		}
		return nil
	}
}
