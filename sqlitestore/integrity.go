package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// MissingOpening is a crossing whose record holds no crossing.opened. A
// workstation's store refuses its own events for a crossing it has never
// seen unless the opening comes first, so at the port server, which holds
// every workstation's events in order, such a crossing means its opening
// never arrived from the workstation that started it (written by a build
// without that rule, or a lost write).
type MissingOpening struct {
	CrossingID string
	// Origin, FirstEventID, FirstKind and FirstOriginSeq describe the
	// crossing's first event this database received.
	Origin         string
	FirstEventID   string
	FirstKind      records.Kind
	FirstOriginSeq int64
	Events         int
	LastAt         time.Time
}

// OpeningReport is what MissingOpenings found.
type OpeningReport struct {
	Total     int            // crossings without an opening
	ByOrigin  map[string]int // of Total, by the origin of their first event
	Crossings []MissingOpening
}

// MissingOpenings reports the crossings whose record holds no
// crossing.opened: how many, how many per workstation, and up to limit of
// them, oldest first (limit 0 or less lists none).
func (s *Store) MissingOpenings(ctx context.Context, limit int) (OpeningReport, error) {
	rep := OpeningReport{ByOrigin: map[string]int{}}
	rows, err := s.read.QueryContext(ctx, `SELECT `+missingOpeningColumns+`
		FROM crossings c JOIN events e ON e.seq = (SELECT min(seq) FROM events WHERE crossing_id = c.id)
		WHERE c.opening_missing = 1 ORDER BY c.opened_at, c.id`)
	if err != nil {
		return OpeningReport{}, fmt.Errorf("sqlitestore: crossings without an opening: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			m    MissingOpening
			kind string
			last sql.NullInt64
		)
		if err := rows.Scan(&m.CrossingID, &m.Events, &last, &m.FirstEventID, &m.Origin, &m.FirstOriginSeq, &kind); err != nil {
			return OpeningReport{}, fmt.Errorf("sqlitestore: crossings without an opening: %w", err)
		}
		m.FirstKind, m.LastAt = records.Kind(kind), decodeTime(last)
		rep.Total++
		rep.ByOrigin[m.Origin]++
		if len(rep.Crossings) < limit {
			rep.Crossings = append(rep.Crossings, m)
		}
	}
	if err := rows.Err(); err != nil {
		return OpeningReport{}, fmt.Errorf("sqlitestore: crossings without an opening: %w", err)
	}
	return rep, nil
}

const missingOpeningColumns = `c.id, c.events, c.last_at, e.id, e.origin, e.origin_seq, e.kind`
