package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

// Referral states of the referrals projection.
const (
	referralQueue    = "queue"    // referred, no determination yet
	referralConflict = "conflict" // determinations that conflict
	referralDone     = "done"     // determined
)

// referralRow is what a referred crossing contributes to the referrals
// projection: its queue line without what crossings already holds (port,
// lane, plate, names).
type referralRow struct {
	state             string
	referredAt        int64
	referredBy, note  string
	reasons           []string
	rpmAlarm, lookout bool
	takenBy           string
	takenAt           int64
	outcomes          []string
}

// projectReferral derives the referral row of c, nil when c was never
// referred.
func projectReferral(c *records.Crossing) *referralRow {
	if c.Referral == nil {
		return nil
	}
	q := c.QueueEntry(c.Referral.At)
	r := &referralRow{
		state: referralDone, referredAt: nanos(q.ReferredAt), referredBy: q.ReferredBy, note: q.Note,
		reasons: q.Reasons, rpmAlarm: q.RPMAlarm, lookout: q.Lookout, takenBy: q.TakenBy, takenAt: nanos(q.TakenAt),
		outcomes: currentOutcomes(c),
	}
	switch {
	case c.InQueue():
		r.state = referralQueue
	case c.InConflict():
		r.state = referralConflict
	}
	return r
}

// currentOutcomes lists the outcomes of the determinations that stand: the
// conflicting ones, else the final one, else none.
func currentOutcomes(c *records.Crossing) []string {
	var out []string
	if c.InConflict() {
		for _, d := range c.Conflict {
			out = append(out, string(d.Value.Outcome))
		}
	} else if c.Determination != nil {
		out = []string{string(c.Determination.Value.Outcome)}
	}
	return out
}

const upsertReferralSQL = `INSERT INTO referrals
	(crossing_id, state, referred_at, referred_by, reasons, note, rpm_alarm, lookout, taken_by, taken_at, outcomes)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (crossing_id) DO UPDATE SET state = excluded.state, referred_at = excluded.referred_at,
		referred_by = excluded.referred_by, reasons = excluded.reasons, note = excluded.note,
		rpm_alarm = excluded.rpm_alarm, lookout = excluded.lookout, taken_by = excluded.taken_by,
		taken_at = excluded.taken_at, outcomes = excluded.outcomes`

func writeReferral(ctx context.Context, x execer, id string, r *referralRow) error {
	reasons, err := encodeStrings(r.reasons)
	if err != nil {
		return fmt.Errorf("encode referral reasons of %s: %w", id, err)
	}
	outcomes, err := encodeStrings(r.outcomes)
	if err != nil {
		return fmt.Errorf("encode outcomes of %s: %w", id, err)
	}
	if _, err := x.ExecContext(ctx, upsertReferralSQL, id, r.state, r.referredAt, r.referredBy, reasons, r.note,
		r.rpmAlarm, r.lookout, r.takenBy, r.takenAt, outcomes); err != nil {
		return fmt.Errorf("project referral of %s: %w", id, err)
	}
	return nil
}

// encodeStrings is a JSON array, "[]" for none.
func encodeStrings(v []string) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

// numberKey is the number part of a document key ("USA/123" → "123").
func numberKey(docKey string) string {
	_, n, _ := strings.Cut(docKey, "/")
	return n
}

// The queue and the conflicts view read down referrals_by_state and join
// each row to crossings by primary key: their cost grows with the queue,
// not with the database (referrals_test.go checks the plan).
const (
	referralColumns = `r.crossing_id, r.referred_at, r.referred_by, r.reasons, r.note, r.rpm_alarm, r.lookout,
		r.taken_by, r.taken_at, r.outcomes, r.state, c.port, c.lane, c.plate, c.region, c.names`
	referralsByStateSQL = `SELECT ` + referralColumns + ` FROM referrals r
		JOIN crossings c ON c.id = r.crossing_id
		WHERE r.state = ? ORDER BY r.referred_at, r.crossing_id LIMIT ?`
)

// Queue is the secondary referral queue: every crossing with a referral and
// no determination, oldest referral first, as records.QueueEntry computed at
// now (Waiting). limit is capped at 1000; 0 means 1000.
func (s *Store) Queue(ctx context.Context, now time.Time, limit int) ([]records.QueueEntry, error) {
	return s.referrals(ctx, "referral queue", referralQueue, now, limit)
}

// Conflicts lists the crossings whose determinations conflict (two that do
// not supersede each other), oldest referral first. They have left the
// queue; Outcomes holds the conflicting outcomes.
func (s *Store) Conflicts(ctx context.Context, now time.Time, limit int) ([]records.QueueEntry, error) {
	return s.referrals(ctx, "determination conflicts", referralConflict, now, limit)
}

func (s *Store) referrals(ctx context.Context, what, state string, now time.Time, limit int) ([]records.QueueEntry, error) {
	if limit <= 0 {
		limit = maxListLimit
	}
	rows, err := s.read.QueryContext(ctx, referralsByStateSQL, state, clampLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	defer rows.Close()
	var out []records.QueueEntry
	for rows.Next() {
		q, err := scanReferral(rows, now)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return out, nil
}

func scanReferral(r rowScanner, now time.Time) (records.QueueEntry, error) {
	var (
		q                                    records.QueueEntry
		referredAt, takenAt                  int64
		reasons, outcomes, state, plate, reg string
		names                                string
	)
	if err := r.Scan(&q.CrossingID, &referredAt, &q.ReferredBy, &reasons, &q.Note, &q.RPMAlarm, &q.Lookout,
		&q.TakenBy, &takenAt, &outcomes, &state, &q.Port, &q.Lane, &plate, &reg, &names); err != nil {
		return q, err
	}
	q.ReferredAt = decodeTime(sql.NullInt64{Int64: referredAt, Valid: referredAt != 0})
	q.TakenAt = decodeTime(sql.NullInt64{Int64: takenAt, Valid: takenAt != 0})
	if w := now.Sub(q.ReferredAt); w > 0 && !q.ReferredAt.IsZero() {
		q.Waiting = w
	}
	if plate != "" {
		q.Plate = reg + "/" + plate
	}
	q.Conflict = state == referralConflict
	if err := json.Unmarshal([]byte(reasons), &q.Reasons); err != nil {
		return q, fmt.Errorf("crossing %s: reasons: %w", q.CrossingID, err)
	}
	if len(q.Reasons) == 0 {
		q.Reasons = nil
	}
	var outs []string
	if err := json.Unmarshal([]byte(outcomes), &outs); err != nil {
		return q, fmt.Errorf("crossing %s: outcomes: %w", q.CrossingID, err)
	}
	for _, o := range outs {
		q.Outcomes = append(q.Outcomes, records.Outcome(o))
	}
	if err := json.Unmarshal([]byte(names), &q.Names); err != nil {
		return q, fmt.Errorf("crossing %s: names: %w", q.CrossingID, err)
	}
	// The fold lists names of travellers that have one; crossings.names
	// keeps an entry per traveller, "" for one known only by a tag.
	kept := q.Names[:0]
	for _, n := range q.Names {
		if n != "" {
			kept = append(kept, n)
		}
	}
	q.Names = kept
	if len(q.Names) == 0 {
		q.Names = nil
	}
	return q, nil
}
