package sqlitestore

import (
	"context"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// What the supervisor's dashboard is computed from (records.BuildDashboard):
// read from the console's replica through any handle, read-only included.

// maxDashboardCrossings bounds the crossings one dashboard folds: a busy
// port opens a few thousand crossings in 8 hours.
const maxDashboardCrossings = 20000

// dashboardEventsSQL reads every event of the crossings opened since a time
// and of every crossing still waiting in secondary, in one pass, grouped by
// crossing.
const dashboardEventsSQL = `SELECT ` + eventColumns + ` FROM events e
	WHERE e.crossing_id IN (
		SELECT id FROM (SELECT c.id FROM crossings c WHERE c.opened_at >= ? ORDER BY c.opened_at DESC LIMIT ?)
		UNION
		SELECT r.crossing_id FROM referrals r WHERE r.state IN ('queue', 'conflict'))
	ORDER BY e.crossing_id, e.at, e.id`

// DashboardCrossings folds the crossings opened at or after since (at most
// limit of them, the newest; 0 means 20,000) and every crossing waiting in
// secondary or in conflict, whenever opened.
func (s *Store) DashboardCrossings(ctx context.Context, since time.Time, limit int) ([]*records.Crossing, error) {
	if limit <= 0 || limit > maxDashboardCrossings {
		limit = maxDashboardCrossings
	}
	rows, err := s.read.QueryContext(ctx, dashboardEventsSQL, nanos(since), limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: dashboard crossings: %w", err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: dashboard crossings: %w", err)
	}
	var out []*records.Crossing
	for i := 0; i < len(evs); {
		j := i + 1
		for j < len(evs) && evs[j].CrossingID == evs[i].CrossingID {
			j++
		}
		out = append(out, records.Fold(evs[i:j]))
		i = j
	}
	return out, nil
}

// DashboardInput gathers everything records.BuildDashboard needs at now:
// the crossings since the earlier of dayStart and now minus the dashboard
// window (with every pending referral), the console's copy of the port
// status and today's lane journal.
func (s *Store) DashboardInput(ctx context.Context, now, dayStart time.Time) (records.DashboardInput, error) {
	since := now.Add(-records.DashboardWindow)
	if dayStart.Before(since) {
		since = dayStart
	}
	in := records.DashboardInput{Now: now, DayStart: dayStart}
	var err error
	if in.Crossings, err = s.DashboardCrossings(ctx, since, 0); err != nil {
		return in, err
	}
	if in.Port, err = s.WatchedPortStatus(ctx); err != nil {
		return in, err
	}
	if in.Journal, err = s.journalEntries(ctx, records.JournalQuery{Since: dayStart, Until: now.Add(time.Nanosecond)}, maxDashboardCrossings); err != nil {
		return in, err
	}
	return in, nil
}
