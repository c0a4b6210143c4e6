package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Replication, booth side (docs/design.md §5.4): the workstation pulls the port
// server's feed and applies each batch of events together with the feed
// version it reached, in one transaction, so a crash never leaves events
// applied without their checkpoint or the other way round.

// FeedApply is one batch of the port server's feed to apply (the domain's
// type: the replication link hands it over as it is).
type FeedApply = records.FeedApply

// ApplyFeed stores the events of f that are not stored yet and, when
// f.Version is set, advances the feed checkpoint to it, all in one
// immediate transaction. It returns how many events were new. A version at
// or below the stored checkpoint never moves it back, except a snapshot's:
// a snapshot replaces the checkpoint (the server may have been restored to
// an older state and numbers its feed from there).
func (s *Store) ApplyFeed(ctx context.Context, f records.FeedApply) (applied int, err error) {
	if s.readOnly {
		return 0, ErrReadOnly
	}
	for i, e := range f.Events {
		if e.Origin == "" || e.OriginSeq <= 0 {
			return 0, fmt.Errorf("sqlitestore: apply feed event %d (%s): %w: replicated events carry origin and origin_seq",
				i, e.ID, ErrInvalidEvent)
		}
	}
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		applied, err = insertReplicated(ctx, tx, f.Events, time.Now().UTC())
		if err != nil {
			return err
		}
		if f.Version <= 0 {
			return nil
		}
		now := time.Now().UnixNano()
		var snap any
		if f.Snapshot {
			snap = now
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO feed_checkpoint (singleton, version, updated_at, snapshot_at)
			VALUES (1, ?, ?, ?)
			ON CONFLICT (singleton) DO UPDATE SET
				version = CASE WHEN excluded.snapshot_at IS NOT NULL THEN excluded.version
				               ELSE max(version, excluded.version) END,
				updated_at = excluded.updated_at,
				snapshot_at = coalesce(excluded.snapshot_at, snapshot_at)`, f.Version, now, snap)
		if err != nil {
			return fmt.Errorf("write feed checkpoint %d: %w", f.Version, err)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: apply feed up to version %d: %w", f.Version, err)
	}
	return applied, nil
}

// insertReplicated inserts the events not stored yet (by id) and refreshes
// the projections of the crossings they touch. An id stored under another
// origin or sequence, or a sequence held by another id, is
// records.ErrSequenceConflict. The statements are prepared once per call: parsing
// SQL per event is most of the cost of a large batch.
func insertReplicated(ctx context.Context, tx *sql.Tx, evs []records.Event, now time.Time) (int, error) {
	if len(evs) == 0 {
		return 0, nil
	}
	byID, err := tx.PrepareContext(ctx, `SELECT origin, origin_seq FROM events WHERE id = ?`)
	if err != nil {
		return 0, fmt.Errorf("prepare event look-up: %w", err)
	}
	defer byID.Close()
	bySeq, err := tx.PrepareContext(ctx, `SELECT id FROM events WHERE origin = ? AND origin_seq = ?`)
	if err != nil {
		return 0, fmt.Errorf("prepare sequence look-up: %w", err)
	}
	defer bySeq.Close()
	insert, err := tx.PrepareContext(ctx, `INSERT INTO events
		(id, crossing_id, origin, origin_seq, kind, at, recorded_at, officer, schema, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return 0, fmt.Errorf("prepare event insert: %w", err)
	}
	defer insert.Close()

	applied := 0
	touched := map[string]bool{}
	var order []string
	for i, e := range evs {
		var (
			origin string
			seq    int64
		)
		switch err := byID.QueryRowContext(ctx, e.ID).Scan(&origin, &seq); {
		case err == nil:
			if origin != e.Origin || seq != e.OriginSeq {
				return 0, fmt.Errorf("event %d (%s): %w: stored as %s #%d, received as %s #%d",
					i, e.ID, records.ErrSequenceConflict, origin, seq, e.Origin, e.OriginSeq)
			}
			continue
		case !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("look up event %s: %w", e.ID, err)
		}
		var holder string
		switch err := bySeq.QueryRowContext(ctx, e.Origin, e.OriginSeq).Scan(&holder); {
		case err == nil:
			return 0, fmt.Errorf("event %d (%s): %w: %s #%d is already event %s",
				i, e.ID, records.ErrSequenceConflict, e.Origin, e.OriginSeq, holder)
		case !errors.Is(err, sql.ErrNoRows):
			return 0, fmt.Errorf("look up %s #%d: %w", e.Origin, e.OriginSeq, err)
		}
		if e.RecordedAt.IsZero() {
			e.RecordedAt = now
		}
		if e.Payload == nil {
			e.Payload = []byte("null")
		}
		if err := validate(&e); err != nil {
			return 0, fmt.Errorf("event %d (%s): %w", i, e.ID, err)
		}
		at, _ := encodeTime(e.At) // validated
		rec, _ := encodeTime(e.RecordedAt)
		if _, err := insert.ExecContext(ctx, e.ID, e.CrossingID, e.Origin, e.OriginSeq, string(e.Kind), at, rec,
			e.Officer, e.Schema, string(e.Payload)); err != nil {
			return 0, fmt.Errorf("insert event %s (%s #%d): %w", e.ID, e.Origin, e.OriginSeq, err)
		}
		applied++
		if !touched[e.CrossingID] {
			touched[e.CrossingID] = true
			order = append(order, e.CrossingID)
		}
	}
	for _, id := range order {
		if err := refresh(ctx, tx, id); err != nil {
			return 0, err
		}
	}
	return applied, nil
}

// idAtSequence returns the id of the event stored as origin #seq.
func idAtSequence(ctx context.Context, x execer, origin string, seq int64) (string, bool, error) {
	rows, err := x.QueryContext(ctx, `SELECT id FROM events WHERE origin = ? AND origin_seq = ?`, origin, seq)
	if err != nil {
		return "", false, fmt.Errorf("look up %s #%d: %w", origin, seq, err)
	}
	defer rows.Close()
	var id string
	if rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return "", false, fmt.Errorf("look up %s #%d: %w", origin, seq, err)
		}
		return id, true, rows.Err()
	}
	return "", false, rows.Err()
}

// FeedCheckpoint returns how far this workstation has applied the port
// server's feed (Version 0 before the first pull).
func (s *Store) FeedCheckpoint(ctx context.Context) (records.FeedCheckpoint, error) {
	var (
		cp       records.FeedCheckpoint
		upd      int64
		snapshot sql.NullInt64
	)
	err := s.read.QueryRowContext(ctx, `SELECT version, updated_at, snapshot_at FROM feed_checkpoint WHERE singleton = 1`).
		Scan(&cp.Version, &upd, &snapshot)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return records.FeedCheckpoint{}, nil
	case err != nil:
		return records.FeedCheckpoint{}, fmt.Errorf("sqlitestore: feed checkpoint: %w", err)
	}
	cp.UpdatedAt = time.Unix(0, upd).UTC()
	cp.SnapshotAt = decodeTime(snapshot)
	return cp, nil
}

// OriginEvents returns up to limit events of origin with origin_seq greater
// than after, in origin_seq order. The outbox sender uses it to resend events
// the port server acknowledged once but no longer holds (a server restored
// from an older backup); the outbox itself only keeps unacknowledged rows.
func (s *Store) OriginEvents(ctx context.Context, origin string, after int64, limit int) ([]records.Event, error) {
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, maxOutboxBatch)
	rows, err := s.read.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e
		WHERE e.origin = ? AND e.origin_seq > ? ORDER BY e.origin_seq LIMIT ?`, origin, after, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: events of %s after #%d: %w", origin, after, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: events of %s after #%d: %w", origin, after, err)
	}
	return evs, nil
}
