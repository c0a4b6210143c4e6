package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Workstations lists every workstation that has talked to this server, by id.
func (s *Store) Workstations(ctx context.Context) ([]records.WorkstationStatus, error) {
	// RefusedSeq/RefusedReason: the first event held in quarantine and how
	// many are (replication_quarantine.go); the old columns are what a
	// server before quarantine recorded.
	rows, err := s.read.QueryContext(ctx, `SELECT origin, role, first_seen, last_seen, hwm, last_batch_at,
		last_recorded, lag_ns, backlog, oldest_unsent, feed_version,
		coalesce(q.origin_seq, refused_seq),
		coalesce(q.code || ': ' || q.reason || CASE WHEN q.n > 1 THEN ' (' || q.n || ' events held)' ELSE '' END, refused_reason),
		coalesce(q.n, 0)
		FROM repl_workstations w LEFT JOIN (
			SELECT origin AS qo, min(origin_seq) AS origin_seq, count(*) AS n,
				(SELECT code FROM repl_quarantine x WHERE x.origin = h.origin AND x.state = 'held' ORDER BY origin_seq LIMIT 1) AS code,
				(SELECT reason FROM repl_quarantine x WHERE x.origin = h.origin AND x.state = 'held' ORDER BY origin_seq LIMIT 1) AS reason
			FROM repl_quarantine h WHERE state = 'held' GROUP BY origin) q ON q.qo = w.origin
		ORDER BY w.origin`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: workstations: %w", err)
	}
	defer rows.Close()
	var out []records.WorkstationStatus
	for rows.Next() {
		var (
			w                                          records.WorkstationStatus
			first, last                                int64
			batch, rec, lag, backlog, oldest, feed, rs sql.NullInt64
			reason                                     sql.NullString
		)
		if err := rows.Scan(&w.Origin, &w.Role, &first, &last, &w.HighWater, &batch, &rec, &lag,
			&backlog, &oldest, &feed, &rs, &reason, &w.Quarantined); err != nil {
			return nil, fmt.Errorf("sqlitestore: workstations: %w", err)
		}
		w.FirstSeen, w.LastSeen = time.Unix(0, first).UTC(), time.Unix(0, last).UTC()
		w.LastBatchAt, w.LastRecorded, w.OldestUnsent = decodeTime(batch), decodeTime(rec), decodeTime(oldest)
		w.Lag = time.Duration(lag.Int64)
		w.Backlog, w.FeedVersion, w.RefusedSeq, w.RefusedReason = int(backlog.Int64), feed.Int64, rs.Int64, reason.String
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: workstations: %w", err)
	}
	return out, nil
}

// TouchWorkstations records feed polls, all in one transaction (the server
// collects them and writes them every few seconds rather than once per poll).
func (s *Store) TouchWorkstations(ctx context.Context, seen []records.WorkstationSeen) error {
	if len(seen) == 0 {
		return nil
	}
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		for _, w := range seen {
			at := w.At.UnixNano()
			if _, err := tx.ExecContext(ctx, `INSERT INTO repl_workstations (origin, role, first_seen, last_seen, feed_version)
				VALUES (?1, ?2, ?3, ?3, ?4)
				ON CONFLICT (origin) DO UPDATE SET
					role = excluded.role,
					last_seen = max(last_seen, excluded.last_seen),
					feed_version = excluded.feed_version`, w.Origin, w.Role, at, w.FeedVersion); err != nil {
				return fmt.Errorf("record poll of %s: %w", w.Origin, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: touch workstations: %w", err)
	}
	return nil
}

// MissingOpeningsByOrigin counts the crossings whose record holds no
// crossing.opened by the workstation of their first event (the port
// server's metrics gauge); see MissingOpenings.
func (s *Store) MissingOpeningsByOrigin(ctx context.Context) (map[string]int, error) {
	rep, err := s.MissingOpenings(ctx, 0)
	if err != nil {
		return nil, err
	}
	return rep.ByOrigin, nil
}

// Owner is the workstation id the database belongs to ("" for a database
// that no writer has opened yet). It lets a tool opened read-only, or about
// to open for writing, find the origin the database was created with.
func (s *Store) Owner(ctx context.Context) (string, error) {
	var origin string
	err := s.read.QueryRowContext(ctx, `SELECT origin FROM workstation WHERE singleton = 1`).Scan(&origin)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("sqlitestore: owner: %w", err)
	}
	return origin, nil
}
