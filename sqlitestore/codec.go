package sqlitestore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// Limits on what an event may carry. They keep a bad replication peer or a
// bug from writing unbounded rows.
const (
	maxFieldLen   = 128     // id, crossing id, origin, kind, officer
	maxPayloadLen = 1 << 20 // 1 MiB of JSON
)

// Representable times: unix nanoseconds cover 1678–2262.
var (
	minTime = time.Unix(0, -1<<63).UTC()
	maxTime = time.Unix(0, 1<<63-1).UTC()
)

// encodeTime maps t to unix nanoseconds; the zero time becomes NULL.
func encodeTime(t time.Time) (sql.NullInt64, error) {
	if t.IsZero() {
		return sql.NullInt64{}, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return sql.NullInt64{}, fmt.Errorf("time %s is outside the storable range", t.Format(time.RFC3339))
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}, nil
}

// decodeTime is the inverse of encodeTime; times come back in UTC.
func decodeTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

func nanos(t time.Time) int64 {
	if t.IsZero() || t.Before(minTime) || t.After(maxTime) {
		return 0
	}
	return t.UnixNano()
}

// checkField validates one short envelope string.
func checkField(name, v string) error {
	if len(v) > maxFieldLen {
		return fmt.Errorf("%s is %d bytes, longer than %d", name, len(v), maxFieldLen)
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r == '\uFFFD' {
			return fmt.Errorf("%s %q contains a control or invalid character", name, v)
		}
	}
	return nil
}

// validate checks the envelope of e as it will be stored (origin and seq
// already assigned).
func validate(e *records.Event) error {
	for _, f := range []struct{ name, v string }{
		{"id", e.ID}, {"crossing_id", e.CrossingID}, {"origin", e.Origin}, {"kind", string(e.Kind)},
	} {
		if f.v == "" {
			return fmt.Errorf("%w: %s is empty", ErrInvalidEvent, f.name)
		}
		if err := checkField(f.name, f.v); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
		}
	}
	if err := checkField("officer", e.Officer); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	if e.OriginSeq <= 0 {
		return fmt.Errorf("%w: origin_seq %d is not positive", ErrInvalidEvent, e.OriginSeq)
	}
	if e.Schema < 0 {
		return fmt.Errorf("%w: schema %d is negative", ErrInvalidEvent, e.Schema)
	}
	if len(e.Payload) > maxPayloadLen {
		return fmt.Errorf("%w: payload is %d bytes, more than %d", ErrInvalidEvent, len(e.Payload), maxPayloadLen)
	}
	if !json.Valid(e.Payload) {
		return fmt.Errorf("%w: payload is not valid JSON", ErrInvalidEvent)
	}
	if _, err := encodeTime(e.At); err != nil {
		return fmt.Errorf("%w: at: %w", ErrInvalidEvent, err)
	}
	if _, err := encodeTime(e.RecordedAt); err != nil {
		return fmt.Errorf("%w: recorded_at: %w", ErrInvalidEvent, err)
	}
	return nil
}

// eventColumns is the select list scanEvent reads, for table alias e.
const eventColumns = `e.id, e.crossing_id, e.origin, e.origin_seq, e.kind, e.at, e.recorded_at, e.officer, e.schema, e.payload`

type rowScanner interface{ Scan(dest ...any) error }

func scanEvent(r rowScanner) (records.Event, error) {
	var (
		e       records.Event
		kind    string
		at, rec sql.NullInt64
		payload string
	)
	if err := r.Scan(&e.ID, &e.CrossingID, &e.Origin, &e.OriginSeq, &kind, &at, &rec, &e.Officer, &e.Schema, &payload); err != nil {
		return records.Event{}, err
	}
	e.Kind = records.Kind(kind)
	e.At = decodeTime(at)
	e.RecordedAt = decodeTime(rec)
	e.Payload = json.RawMessage(payload)
	return e, nil
}

// scanEvents reads every row of rows as an event and closes rows.
func scanEvents(rows *sql.Rows) ([]records.Event, error) {
	defer rows.Close()
	var out []records.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return out, nil
}
