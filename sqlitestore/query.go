package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Limits for list queries: a caller asking for "everything" still gets a
// bounded answer.
const (
	defaultListLimit = 50
	maxListLimit     = 1000
)

func clampLimit(limit int) int {
	if limit <= 0 {
		return defaultListLimit
	}
	return min(limit, maxListLimit)
}

// CrossingSummary is one line of a crossing list (lane view, secondary queue).
type CrossingSummary struct {
	ID        string
	Port      string
	Lane      string
	Mode      records.Mode
	Origin    string // workstation that opened it
	OpenedAt  time.Time
	LastAt    time.Time
	Status    records.Status
	Outcome   records.Outcome // "" until determined
	Plate     string          // "" for pedestrians or when unread
	Region    string
	Travelers []string // display names, in order of first appearance
	Alerts    int      // alerts raised
	OpenAlert int      // alerts not yet acknowledged
	Referred  bool     // was ever referred to secondary
	Events    int
}

// Events returns every stored event of a crossing in fold order (by At, then
// id), including kinds this build does not know. None is not an error.
func (s *Store) Events(ctx context.Context, crossingID string) ([]records.Event, error) {
	evs, err := crossingEvents(ctx, s.read, crossingID)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	return evs, nil
}

// Crossing folds the events of one crossing into its current state. It
// returns ErrNotFound when the crossing has no events.
func (s *Store) Crossing(ctx context.Context, id string) (*records.Crossing, error) {
	evs, err := s.Events(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("sqlitestore: crossing %s: %w", id, ErrNotFound)
	}
	return records.Fold(evs), nil
}

const summaryColumns = `c.id, c.port, c.lane, c.mode, c.origin, c.opened_at, c.last_at, c.status, c.outcome,
	c.plate, c.region, c.names, c.alerts, c.open_alerts, c.referred, c.events`

func scanSummary(r rowScanner) (CrossingSummary, error) {
	var (
		cs            CrossingSummary
		mode, st, out string
		opened, last  int64
		names         string
	)
	if err := r.Scan(&cs.ID, &cs.Port, &cs.Lane, &mode, &cs.Origin, &opened, &last, &st, &out,
		&cs.Plate, &cs.Region, &names, &cs.Alerts, &cs.OpenAlert, &cs.Referred, &cs.Events); err != nil {
		return CrossingSummary{}, err
	}
	cs.Mode, cs.Status, cs.Outcome = records.Mode(mode), records.Status(st), records.Outcome(out)
	cs.OpenedAt = decodeTime(sql.NullInt64{Int64: opened, Valid: opened != 0})
	cs.LastAt = decodeTime(sql.NullInt64{Int64: last, Valid: last != 0})
	if err := json.Unmarshal([]byte(names), &cs.Travelers); err != nil {
		return CrossingSummary{}, fmt.Errorf("crossing %s: traveller names: %w", cs.ID, err)
	}
	return cs, nil
}

func (s *Store) summaries(ctx context.Context, what, query string, args ...any) ([]CrossingSummary, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	defer rows.Close()
	var out []CrossingSummary
	for rows.Next() {
		cs, err := scanSummary(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
		}
		out = append(out, cs)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return out, nil
}

// RecentCrossings lists the latest crossings opened in a lane, newest first.
// An empty lane means every lane. limit is capped at 1000; 0 means 50.
func (s *Store) RecentCrossings(ctx context.Context, lane string, limit int) ([]CrossingSummary, error) {
	if lane == "" {
		return s.summaries(ctx, "recent crossings", `SELECT `+summaryColumns+` FROM crossings c
			ORDER BY c.opened_at DESC, c.id DESC LIMIT ?`, clampLimit(limit))
	}
	return s.summaries(ctx, "recent crossings", `SELECT `+summaryColumns+` FROM crossings c
		WHERE c.lane = ? ORDER BY c.opened_at DESC LIMIT ?`, lane, clampLimit(limit))
}

// Referred is the secondary queue: crossings whose status is referred,
// oldest first (the order they should be taken).
func (s *Store) Referred(ctx context.Context) ([]CrossingSummary, error) {
	return s.summaries(ctx, "referred crossings", `SELECT `+summaryColumns+` FROM crossings c
		WHERE c.status = ? ORDER BY c.opened_at LIMIT ?`, string(records.StatusReferred), maxListLimit)
}
