package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Append stores events in one immediate transaction and returns them as
// stored, after the commit is durable.
//
// An event with neither Origin nor OriginSeq is local: it gets this store's
// Origin, the next number of its gap-free sequence and an outbox row. An
// event that already carries both (replicated from elsewhere) is stored as
// it is. Either way an event whose id is already stored is skipped, not an
// error, and the stored version is returned in its place. RecordedAt is set
// when zero. The projections of every touched crossing are re-derived in the
// same transaction. Events of unknown kinds or newer schemas are stored
// verbatim. If any event is invalid nothing is stored.
func (s *Store) Append(ctx context.Context, evs ...records.Event) (out []records.Event, err error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	if len(evs) == 0 {
		return nil, nil
	}
	c := &s.appendCache
	c.mu.Lock()
	defer c.mu.Unlock()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: append: begin: %w", err)
	}
	committed := false
	defer func() {
		if committed {
			return
		}
		// Nothing of this call is cached yet, but a failed commit may or may
		// not have reached the disk: start over from the database.
		c.reset()
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			s.log.Warn("append rollback failed", "err", rbErr)
		}
	}()

	x := txExec{tx: tx, cache: &s.stmts}
	mark, err := s.readWriterMark(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: append: %w", err)
	}
	c.check(mark)
	now := time.Now().UTC()
	var nextSeq int64 // 0 until first needed
	out = make([]records.Event, len(evs))
	added := map[string][]records.Event{} // crossing id -> events inserted by this call
	var order []string
	for i, e := range evs {
		local := e.Origin == "" && e.OriginSeq == 0
		if !local && (e.Origin == "" || e.OriginSeq <= 0) {
			return nil, fmt.Errorf("sqlitestore: append event %d (%s): %w: origin %q with origin_seq %d (give both or neither)",
				i, e.ID, ErrInvalidEvent, e.Origin, e.OriginSeq)
		}
		if e.ID == "" {
			return nil, fmt.Errorf("sqlitestore: append event %d: %w: id is empty", i, ErrInvalidEvent)
		}
		stored, found, err := eventByID(ctx, x, e.ID)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: append: %w", err)
		}
		if found {
			out[i] = stored
			continue
		}
		if local {
			if nextSeq == 0 {
				last := c.seq
				if !c.seqKnown {
					if last, err = lastSeq(ctx, x, s.origin); err != nil {
						return nil, fmt.Errorf("sqlitestore: append: %w", err)
					}
				}
				nextSeq = last + 1
			}
			e.Origin, e.OriginSeq = s.origin, nextSeq
			nextSeq++
		}
		if e.RecordedAt.IsZero() {
			e.RecordedAt = now
		}
		if e.Payload == nil {
			e.Payload = []byte("null")
		}
		if err := validate(&e); err != nil {
			return nil, fmt.Errorf("sqlitestore: append event %d (%s): %w", i, e.ID, err)
		}
		if err := insertEvent(ctx, x, e); err != nil {
			return nil, fmt.Errorf("sqlitestore: append: %w", err)
		}
		if local {
			if _, err := x.ExecContext(ctx, insertOutboxSQL,
				e.OriginSeq, e.ID); err != nil {
				return nil, fmt.Errorf("sqlitestore: append: outbox row for %s: %w", e.ID, err)
			}
		}
		out[i] = e
		if _, ok := added[e.CrossingID]; !ok {
			order = append(order, e.CrossingID)
		}
		added[e.CrossingID] = append(added[e.CrossingID], asStored(e))
	}
	folded := make([][]records.Event, len(order))
	for i, id := range order {
		var evs []records.Event
		if base, ok := c.events(id); ok {
			evs = withEvents(base, added[id])
		} else if evs, err = crossingEvents(ctx, x, id); err != nil { // includes this call's events
			return nil, fmt.Errorf("sqlitestore: append: %w", err)
		}
		if err := refreshFrom(ctx, x, evs); err != nil {
			return nil, fmt.Errorf("sqlitestore: append: %w", err)
		}
		folded[i] = evs
	}
	// The mark after this call's writes: the next Append trusts the cache
	// only if nothing else has written since.
	if mark, err = s.readWriterMark(ctx, tx); err != nil {
		return nil, fmt.Errorf("sqlitestore: append: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("sqlitestore: append: commit: %w", err)
	}
	committed = true
	c.mark, c.valid = mark, true
	if nextSeq != 0 {
		c.seq, c.seqKnown = nextSeq-1, true
	}
	for i, id := range order {
		c.put(id, folded[i])
	}
	return out, nil
}

// insertEvent writes one validated event.
func insertEvent(ctx context.Context, x execer, e records.Event) error {
	at, _ := encodeTime(e.At) // validated
	rec, _ := encodeTime(e.RecordedAt)
	if _, err := x.ExecContext(ctx, insertEventSQL,
		e.ID, e.CrossingID, e.Origin, e.OriginSeq, string(e.Kind), at, rec, e.Officer, e.Schema,
		string(e.Payload)); err != nil {
		return fmt.Errorf("insert event %s (%s #%d): %w", e.ID, e.Origin, e.OriginSeq, err)
	}
	return nil
}

// eventByID reads one stored event.
func eventByID(ctx context.Context, x execer, id string) (records.Event, bool, error) {
	rows, err := x.QueryContext(ctx, eventByIDSQL, id)
	if err != nil {
		return records.Event{}, false, fmt.Errorf("look up event %s: %w", id, err)
	}
	evs, err := scanEvents(rows)
	if err != nil || len(evs) == 0 {
		return records.Event{}, false, err
	}
	return evs[0], true, nil
}

// lastSeq is the highest origin_seq stored for origin, 0 when none.
func lastSeq(ctx context.Context, x execer, origin string) (int64, error) {
	rows, err := x.QueryContext(ctx, lastSeqSQL, origin)
	if err != nil {
		return 0, fmt.Errorf("read sequence of %s: %w", origin, err)
	}
	defer rows.Close()
	var n int64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("read sequence of %s: %w", origin, err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read sequence of %s: %w", origin, err)
	}
	return n, nil
}

const (
	insertEventSQL = `INSERT INTO events
		(id, crossing_id, origin, origin_seq, kind, at, recorded_at, officer, schema, payload)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertOutboxSQL = `INSERT INTO outbox (origin_seq, event_id) VALUES (?, ?)`
	eventByIDSQL    = `SELECT ` + eventColumns + ` FROM events e WHERE e.id = ?`
	lastSeqSQL      = `SELECT coalesce(max(origin_seq), 0) FROM events WHERE origin = ?`
)
