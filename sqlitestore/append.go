package sqlitestore

import (
	"context"
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
// error, and the stored version is returned in its place.
//
// A crossing's first event is always its opening: a local event of a
// crossing this store holds nothing of is refused with ErrNotOpened unless
// a crossing.opened of that crossing comes before it in evs (an opening
// already stored, sent again, counts). A local crossing.opened must name
// the port, the lane and the mode (ErrInvalidEvent). Replicated events are
// exempt: a replica may hold only part of a crossing's history. RecordedAt is set
// when zero. The projections of every touched crossing are re-derived in the
// same transaction. Events of unknown kinds or newer schemas are stored
// verbatim. If any event is invalid nothing of this call is stored.
//
// Concurrent calls are committed together (see groupcommit_booth.go): each
// is all-or-nothing on its own, and a call returns only after the commit
// holding it is durable. Once a call's transaction has begun it runs to the
// end even if ctx is cancelled, since other callers share it.
func (s *Store) Append(ctx context.Context, evs ...records.Event) ([]records.Event, error) {
	if s.readOnly {
		return nil, ErrReadOnly
	}
	if len(evs) == 0 {
		return nil, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: append: %w", err)
	}
	out, err := s.group.append(s, ctx, evs)
	return out, s.written("append", err)
}

// appendState is what the calls of one group transaction share: the next
// local sequence number and the events inserted per crossing, in order.
type appendState struct {
	nextSeq int64 // 0 until first needed
	added   map[string][]records.Event
	order   []string
}

// appendOne inserts the events of one call inside the group transaction and
// returns them as stored. On error the caller rolls the call's writes back
// and discards st (appendOne changes st only on success).
func (s *Store) appendOne(ctx context.Context, x execer, st *appendState, now time.Time, evs []records.Event) ([]records.Event, error) {
	c := &s.appendCache
	nextSeq := st.nextSeq
	out := make([]records.Event, len(evs))
	type ins struct {
		crossing string
		e        records.Event
	}
	var inserted []ins
	// seen holds the crossings this call may append local events to: held
	// by the store, or opened earlier in this call.
	seen := map[string]bool{}
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
			seen[stored.CrossingID] = true
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
		if local {
			if err := s.checkOpened(ctx, x, st, seen, i, e); err != nil {
				return nil, err
			}
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
		inserted = append(inserted, ins{e.CrossingID, asStored(e)})
	}
	st.nextSeq = nextSeq
	for _, in := range inserted {
		if _, ok := st.added[in.crossing]; !ok {
			st.order = append(st.order, in.crossing)
		}
		st.added[in.crossing] = append(st.added[in.crossing], in.e)
	}
	return out, nil
}

// checkOpened enforces, for local event i of a call, that its crossing was
// opened: the event is a well-formed crossing.opened, or the crossing is
// already held (stored, or added by an earlier call of this group), or an
// opening came earlier in the call. seen caches the answer per crossing.
func (s *Store) checkOpened(ctx context.Context, x execer, st *appendState, seen map[string]bool, i int, e records.Event) error {
	if e.Kind == records.KindCrossingOpened {
		if err := checkOpening(e); err != nil {
			return fmt.Errorf("sqlitestore: append event %d (%s): %w", i, e.ID, err)
		}
		seen[e.CrossingID] = true
		return nil
	}
	if seen[e.CrossingID] {
		return nil
	}
	held := len(st.added[e.CrossingID]) > 0
	if !held {
		_, held = s.appendCache.events(e.CrossingID)
	}
	if !held {
		var err error
		if held, err = crossingHeld(ctx, x, e.CrossingID); err != nil {
			return fmt.Errorf("sqlitestore: append: %w", err)
		}
	}
	if !held {
		return fmt.Errorf("sqlitestore: append event %d (%s, %s): %w: crossing %s has no events here and no crossing.opened comes before this one",
			i, e.ID, e.Kind, ErrNotOpened, e.CrossingID)
	}
	seen[e.CrossingID] = true
	return nil
}

// checkOpening checks that a local crossing.opened names its port, lane
// and mode: a crossing without them cannot be shown or found by lane.
func checkOpening(e records.Event) error {
	p, err := e.Decode()
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	o := p.(*records.CrossingOpened)
	switch {
	case o.Port == "" || o.Lane == "":
		return fmt.Errorf("%w: crossing.opened of %s has port %q and lane %q: both are required", ErrInvalidEvent, e.CrossingID, o.Port, o.Lane)
	case o.Mode != records.ModeVehicle && o.Mode != records.ModePedestrian:
		return fmt.Errorf("%w: crossing.opened of %s has mode %q: want %q or %q", ErrInvalidEvent, e.CrossingID, o.Mode, records.ModeVehicle, records.ModePedestrian)
	}
	return nil
}

// crossingHeld reports whether any event of the crossing is stored.
func crossingHeld(ctx context.Context, x execer, crossingID string) (bool, error) {
	rows, err := x.QueryContext(ctx, crossingHeldSQL, crossingID)
	if err != nil {
		return false, fmt.Errorf("look up crossing %s: %w", crossingID, err)
	}
	defer rows.Close()
	held := rows.Next()
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("look up crossing %s: %w", crossingID, err)
	}
	return held, nil
}

// refreshAdded re-folds every crossing st touched, from the cache plus the
// new events when the crossing is cached, else from the database (which
// already holds them). It returns each crossing's events for the cache.
func (s *Store) refreshAdded(ctx context.Context, x execer, st *appendState) ([][]records.Event, error) {
	folded := make([][]records.Event, len(st.order))
	for i, id := range st.order {
		var evs []records.Event
		var err error
		if base, ok := s.appendCache.events(id); ok {
			evs = withEvents(base, st.added[id])
		} else if evs, err = crossingEvents(ctx, x, id); err != nil {
			return nil, fmt.Errorf("sqlitestore: append: %w", err)
		}
		if err := refreshFrom(ctx, x, evs); err != nil {
			return nil, fmt.Errorf("sqlitestore: append: %w", err)
		}
		folded[i] = evs
	}
	return folded, nil
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
	crossingHeldSQL = `SELECT 1 FROM events WHERE crossing_id = ? LIMIT 1`
)
