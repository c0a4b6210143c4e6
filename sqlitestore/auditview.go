package sqlitestore

import (
	"context"
	"fmt"

	"github.com/portofentry/booth/records"
)

// QueryAudit lists audit entries by q (officer, action, workstation, time
// range on At: Since inclusive, Until exclusive), newest first. At the port
// server it reads every workstation's chain as received; at a workstation
// its own. Limit is capped at 1000; 0 means 50.
func (s *Store) QueryAudit(ctx context.Context, q records.AuditQuery) ([]records.AuditEntry, error) {
	since, until := int64(-1<<63), int64(1<<63-1)
	if !q.Since.IsZero() {
		since = nanos(q.Since)
	}
	if !q.Until.IsZero() {
		until = nanos(q.Until)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log
		WHERE at >= ? AND at < ? AND (? = '' OR officer = ?) AND (? = '' OR action = ?) AND (? = '' OR origin = ?)
		ORDER BY at DESC, origin, seq DESC LIMIT ?`,
		since, until, q.Officer, q.Officer, q.Action, q.Action, q.Origin, q.Origin, clampLimit(q.Limit))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: query audit: %w", err)
	}
	defer rows.Close()
	out := []records.AuditEntry{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: query audit: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: query audit: %w", err)
	}
	return out, nil
}
