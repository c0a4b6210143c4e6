package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Workstation heartbeats and the port status (records/heartbeat.go): the
// port server keeps each workstation's latest heartbeat and serves them with
// its replication status; a supervisor console keeps a copy of that status.
// Both are state, replaced by the next report, not records.

// maxHeartbeatBytes bounds a stored heartbeat (a few devices and strings).
const maxHeartbeatBytes = 16 << 10

// RecordHeartbeat keeps hb as its workstation's latest heartbeat (port
// server). The caller sets Workstation and Role from the certificate and
// ReceivedAt from its clock.
func (s *Store) RecordHeartbeat(ctx context.Context, hb records.Heartbeat) error {
	if hb.Workstation == "" || hb.ReceivedAt.IsZero() {
		return fmt.Errorf("sqlitestore: heartbeat without workstation or receipt time")
	}
	body, err := json.Marshal(hb)
	if err != nil {
		return fmt.Errorf("sqlitestore: heartbeat of %s: %w", hb.Workstation, err)
	}
	if len(body) > maxHeartbeatBytes {
		return fmt.Errorf("sqlitestore: heartbeat of %s is %d bytes, at most %d", hb.Workstation, len(body), maxHeartbeatBytes)
	}
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO port_heartbeats (workstation, role, received_at, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (workstation) DO UPDATE SET role = excluded.role, received_at = excluded.received_at, body = excluded.body
			WHERE excluded.received_at >= port_heartbeats.received_at`,
			hb.Workstation, hb.Role, nanos(hb.ReceivedAt), string(body))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: heartbeat of %s: %w", hb.Workstation, err)
	}
	return nil
}

// Heartbeats returns the latest heartbeat of every workstation (port
// server), by workstation.
func (s *Store) Heartbeats(ctx context.Context) ([]records.Heartbeat, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT body FROM port_heartbeats ORDER BY workstation`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: heartbeats: %w", err)
	}
	defer rows.Close()
	out := []records.Heartbeat{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("sqlitestore: heartbeats: %w", err)
		}
		var hb records.Heartbeat
		if err := json.Unmarshal([]byte(body), &hb); err != nil {
			return nil, fmt.Errorf("sqlitestore: heartbeats: %w", err)
		}
		out = append(out, hb)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: heartbeats: %w", err)
	}
	return out, nil
}

// PortStatus is what the port server serves supervisors about its
// workstations: every latest heartbeat and every replication status.
func (s *Store) PortStatus(ctx context.Context) (records.PortStatus, error) {
	hbs, err := s.Heartbeats(ctx)
	if err != nil {
		return records.PortStatus{}, err
	}
	ws, err := s.Workstations(ctx)
	if err != nil {
		return records.PortStatus{}, err
	}
	if ws == nil {
		ws = []records.WorkstationStatus{}
	}
	return records.PortStatus{At: time.Now().UTC(), Heartbeats: hbs, Workstations: ws}, nil
}

// ApplyPortStatus replaces the console's copy of the port status with st,
// stamped with the time it was fetched (now when st.FetchedAt is zero).
func (s *Store) ApplyPortStatus(ctx context.Context, st records.PortStatus) error {
	if st.FetchedAt.IsZero() {
		st.FetchedAt = time.Now().UTC()
	}
	body, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("sqlitestore: port status: %w", err)
	}
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO port_status_copy (singleton, fetched_at, body) VALUES (1, ?, ?)
			ON CONFLICT (singleton) DO UPDATE SET fetched_at = excluded.fetched_at, body = excluded.body`,
			nanos(st.FetchedAt), string(body))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: port status: %w", err)
	}
	return nil
}

// WatchedPortStatus is the console's copy of the port status; a zero
// FetchedAt means none was fetched yet.
func (s *Store) WatchedPortStatus(ctx context.Context) (records.PortStatus, error) {
	var body string
	err := s.read.QueryRowContext(ctx, `SELECT body FROM port_status_copy WHERE singleton = 1`).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return records.PortStatus{}, nil
	}
	if err != nil {
		return records.PortStatus{}, fmt.Errorf("sqlitestore: port status copy: %w", err)
	}
	var st records.PortStatus
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		return records.PortStatus{}, fmt.Errorf("sqlitestore: port status copy: %w", err)
	}
	return st, nil
}

// SignedIn reports who is signed in at this workstation, from its own audit
// chain: the latest login, unlock, lock or logout. locked is set while the
// screen is locked with that officer's session; since is that entry's time.
func (s *Store) SignedIn(ctx context.Context) (officer string, locked bool, since time.Time, err error) {
	var (
		action string
		at     int64
	)
	err = s.read.QueryRowContext(ctx, `SELECT officer, action, at FROM audit_log
		WHERE origin = ? AND action IN ('login', 'login_break_glass', 'unlock', 'lock', 'logout')
		ORDER BY seq DESC LIMIT 1`, s.origin).Scan(&officer, &action, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, time.Time{}, nil
	}
	if err != nil {
		return "", false, time.Time{}, fmt.Errorf("sqlitestore: signed in: %w", err)
	}
	since = time.Unix(0, at).UTC()
	switch action {
	case ActionLogout:
		return "", false, since, nil
	case ActionLock:
		return officer, true, since, nil
	}
	return officer, false, since, nil
}
