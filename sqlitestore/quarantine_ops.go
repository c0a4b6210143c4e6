package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/portofentry/booth/records"
)

// ActionQuarantineRelease and ActionQuarantineReject are the audit actions
// of an operator's decision on a quarantined event.
const (
	ActionQuarantineRelease = "quarantine_release"
	ActionQuarantineReject  = "quarantine_reject"
)

const quarantineColumns = `id, crossing_id, origin, origin_seq, kind, at, recorded_at, officer, schema, payload,
	code, reason, received_at, state, decided_at, decided_by, note`

func scanQuarantined(r rowScanner) (records.QuarantinedEvent, error) {
	var (
		q                  records.QuarantinedEvent
		at, rec, decidedAt sql.NullInt64
		received           int64
		kind, payload      string
		state              string
		by, note           sql.NullString
	)
	if err := r.Scan(&q.Event.ID, &q.Event.CrossingID, &q.Event.Origin, &q.Event.OriginSeq, &kind, &at, &rec,
		&q.Event.Officer, &q.Event.Schema, &payload, &q.Code, &q.Reason, &received, &state, &decidedAt, &by, &note); err != nil {
		return q, err
	}
	q.Event.Kind, q.Event.Payload = records.Kind(kind), []byte(payload)
	q.Event.At, q.Event.RecordedAt = decodeTime(at), decodeTime(rec)
	q.ReceivedAt, q.State = time.Unix(0, received).UTC(), records.QuarantineState(state)
	q.DecidedAt, q.DecidedBy, q.Note = decodeTime(decidedAt), by.String, note.String
	return q, nil
}

// QuarantineFilter selects quarantined events; zero values select all.
type QuarantineFilter struct {
	State  records.QuarantineState
	Origin string
	Limit  int // 0: 1000
}

// Quarantined lists quarantined events by origin and sequence.
func (s *Store) Quarantined(ctx context.Context, f QuarantineFilter) ([]records.QuarantinedEvent, error) {
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+quarantineColumns+` FROM repl_quarantine
		WHERE (?1 = '' OR state = ?1) AND (?2 = '' OR origin = ?2)
		ORDER BY origin, origin_seq LIMIT ?3`, string(f.State), f.Origin, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: quarantine: %w", err)
	}
	defer rows.Close()
	var out []records.QuarantinedEvent
	for rows.Next() {
		q, err := scanQuarantined(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: quarantine: %w", err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: quarantine: %w", err)
	}
	return out, nil
}

// HeldQuarantine lists origin's events still held in quarantine ("" for
// every origin's): the port server tells each workstation with every
// acknowledgement, and serves the whole list to supervisors.
func (s *Store) HeldQuarantine(ctx context.Context, origin string) ([]records.QuarantinedEvent, error) {
	return s.Quarantined(ctx, QuarantineFilter{State: records.QuarantineHeld, Origin: origin, Limit: 1000})
}

// QuarantineDecision is an operator's release or rejection.
type QuarantineDecision struct {
	ID       string // the event's id
	Operator string // who decides (badge or name); required
	Note     string // why; optional
}

func (d QuarantineDecision) check() error {
	d.Operator = strings.TrimSpace(d.Operator)
	switch {
	case strings.TrimSpace(d.ID) == "":
		return fmt.Errorf("%w: no event id", ErrInvalidAudit)
	case d.Operator == "":
		return fmt.Errorf("%w: the operator deciding must be named", ErrInvalidAudit)
	case strings.IndexFunc(d.Operator+d.Note, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }) >= 0:
		return fmt.Errorf("%w: control characters in operator or note", ErrInvalidAudit)
	}
	return nil
}

// ReleaseQuarantined applies a held event as if it had just arrived: it is
// inserted into the log, projected and served in the feed from now on. The
// decision and an audit entry are written in the same transaction. An event
// this build cannot read (newer schema, unknown kind) cannot be released
// (ErrCannotRelease); every other refusal is the operator's to overrule.
func (s *Store) ReleaseQuarantined(ctx context.Context, d QuarantineDecision) (records.QuarantinedEvent, error) {
	return s.decideQuarantined(ctx, d, records.QuarantineReleased)
}

// RejectQuarantined marks a held event rejected: it stays stored, never
// applied. The decision is audited in the same transaction.
func (s *Store) RejectQuarantined(ctx context.Context, d QuarantineDecision) (records.QuarantinedEvent, error) {
	return s.decideQuarantined(ctx, d, records.QuarantineRejected)
}

func (s *Store) decideQuarantined(ctx context.Context, d QuarantineDecision, to records.QuarantineState) (records.QuarantinedEvent, error) {
	if s.readOnly {
		return records.QuarantinedEvent{}, ErrReadOnly
	}
	if err := d.check(); err != nil {
		return records.QuarantinedEvent{}, fmt.Errorf("sqlitestore: quarantine %s: %w", to, err)
	}
	d.Operator, d.Note = strings.TrimSpace(d.Operator), strings.TrimSpace(d.Note)
	var q records.QuarantinedEvent
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		q, err = scanQuarantined(tx.QueryRowContext(ctx, `SELECT `+quarantineColumns+` FROM repl_quarantine WHERE id = ?`, strings.TrimSpace(d.ID)))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("%w: %s", ErrNotQuarantined, d.ID)
		case err != nil:
			return err
		case q.State != records.QuarantineHeld:
			return fmt.Errorf("%w: %s was %s by %s at %s", ErrAlreadyDecided, q.Event.ID, q.State, q.DecidedBy,
				q.DecidedAt.Format(time.RFC3339))
		}
		now := time.Now().UTC()
		if to == records.QuarantineReleased {
			if q.Event.Schema > records.SchemaVersion {
				return fmt.Errorf("%w: schema %d, this server reads up to %d", ErrCannotRelease, q.Event.Schema, records.SchemaVersion)
			}
			if _, r := decodeStrict(q.Event); r != nil && r.code == records.QuarantineUnknownKind {
				return fmt.Errorf("%w: %s", ErrCannotRelease, r.reason)
			}
			if err := validate(&q.Event); err != nil {
				return fmt.Errorf("%w: %w", ErrCannotRelease, err)
			}
			if _, err := insertReplicated(ctx, tx, []records.Event{q.Event}, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE repl_quarantine SET state = ?, decided_at = ?, decided_by = ?, note = ? WHERE id = ?`,
			string(to), now.UnixNano(), d.Operator, d.Note, q.Event.ID); err != nil {
			return fmt.Errorf("record the decision: %w", err)
		}
		action := ActionQuarantineRelease
		if to == records.QuarantineRejected {
			action = ActionQuarantineReject
		}
		if _, err := s.auditTx(ctx, tx, AuditEntry{
			Officer: d.Operator, Action: action, Subject: "event:" + q.Event.ID, At: now,
			Detail: AuditDetail(map[string]any{
				"origin": q.Event.Origin, "origin_seq": q.Event.OriginSeq, "crossing_id": q.Event.CrossingID,
				"kind": string(q.Event.Kind), "code": q.Code, "reason": q.Reason, "note": d.Note,
			}),
		}); err != nil {
			return fmt.Errorf("audit the decision: %w", err)
		}
		q.State, q.DecidedAt, q.DecidedBy, q.Note = to, now, d.Operator, d.Note
		return nil
	})
	if err != nil {
		return records.QuarantinedEvent{}, fmt.Errorf("sqlitestore: quarantine %s %s: %w", to, d.ID, err)
	}
	return q, nil
}
