package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// The national history index of a hub node (migration 0300): a projection
// of the hub's CROSSINGS stream. The indexer applies stream messages in
// batches, each batch in one transaction, and acknowledges the stream only
// after the commit; applying a message again is harmless (by stream
// sequence and by event id), so redelivery after a crash changes nothing.

// NationalMessage is one CROSSINGS message as the index applies it.
type NationalMessage struct {
	StreamSeq uint64
	Port      string // from the message's subject port.<code>.events
	Event     records.Event
	// Refusal is why the biometric rule refused the event ("" when it may
	// be indexed): a refused event is counted and recorded, never indexed.
	Refusal string
}

// NationalCrossing is one crossing found by a national history look-up.
type NationalCrossing struct {
	Port       string
	Lane       string
	CrossingID string
	OpenedAt   time.Time // zero when its opening was not indexed
	Outcome    string    // the latest determination, "" while none
}

// NationalQuery selects crossings by one key: a document (Country and
// Number), a name and birth date, or a plate. ExcludePort leaves one port's
// crossings out (a port asks for the others'). Limit 0 means 50.
type NationalQuery struct {
	Country, Number    string
	Surname, BirthDate string
	Plate              string
	ExcludePort        string
	Limit              int
}

// NationalPortCount is what the index holds of one port.
type NationalPortCount struct {
	Port        string
	Messages    int64 // stream messages applied, duplicates included
	DistinctIDs int64 // distinct event ids among them
	Refused     int64 // messages the biometric rule refused
}

// ApplyNational applies msgs in one transaction.
func (s *Store) ApplyNational(ctx context.Context, msgs []NationalMessage) error {
	if len(msgs) == 0 {
		return nil
	}
	err := s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		a, err := newNationalApplier(ctx, tx)
		if err != nil {
			return err
		}
		defer a.close()
		for _, m := range msgs {
			if err := a.apply(ctx, m); err != nil {
				return fmt.Errorf("stream seq %d (event %s): %w", m.StreamSeq, m.Event.ID, err)
			}
		}
		return a.flushCounts(ctx)
	})
	if err != nil {
		return fmt.Errorf("sqlitestore: apply national: %w", err)
	}
	return nil
}

// NationalApplied is the highest stream sequence applied (0 for none): the
// indexer resumes after it.
func (s *Store) NationalApplied(ctx context.Context) (uint64, error) {
	var v int64
	if err := s.read.QueryRowContext(ctx, `SELECT coalesce(max(stream_seq), 0) FROM national_messages`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlitestore: national applied: %w", err)
	}
	return uint64(v), nil
}

// NationalCounts returns what the index holds per port, by port.
func (s *Store) NationalCounts(ctx context.Context) ([]NationalPortCount, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT port, messages, distinct_ids, refused FROM national_port_counts ORDER BY port`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: national counts: %w", err)
	}
	defer rows.Close()
	var out []NationalPortCount
	for rows.Next() {
		var c NationalPortCount
		if err := rows.Scan(&c.Port, &c.Messages, &c.DistinctIDs, &c.Refused); err != nil {
			return nil, fmt.Errorf("sqlitestore: national counts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: national counts: %w", err)
	}
	return out, nil
}

// NationalEventIDs returns every distinct event id the index has seen for
// port (refused ones included), for tests and audits that compare sets.
func (s *Store) NationalEventIDs(ctx context.Context, port string) (map[string]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT event_id, count(*) FROM national_messages WHERE port = ? GROUP BY event_id`, port)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: national event ids: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int)
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("sqlitestore: national event ids: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// NationalHistory returns the crossings matching q, newest first.
func (s *Store) NationalHistory(ctx context.Context, q NationalQuery) ([]NationalCrossing, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	var keyed string
	var args []any
	switch {
	case q.Number != "":
		keyed = `SELECT crossing_id FROM national_documents WHERE doc_key = ?`
		args = append(args, keyDocument(q.Country, q.Number))
	case q.Surname != "" && q.BirthDate != "":
		keyed = `SELECT crossing_id FROM national_names WHERE name_key = ? AND birth_date = ?`
		args = append(args, keyName(q.Surname), keyBirthDate(q.BirthDate))
	case q.Plate != "":
		keyed = `SELECT crossing_id FROM national_plates WHERE plate = ?`
		args = append(args, keyPlate(q.Plate))
	default:
		return nil, fmt.Errorf("sqlitestore: national history: no document, name and birth date, or plate")
	}
	args = append(args, q.ExcludePort, limit)
	rows, err := s.read.QueryContext(ctx, `SELECT c.port, c.lane, c.crossing_id, c.opened_at, c.outcome
		FROM national_crossings c WHERE c.crossing_id IN (`+keyed+`) AND c.port != ?
		ORDER BY coalesce(c.opened_at, 0) DESC, c.crossing_id LIMIT ?`, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: national history: %w", err)
	}
	defer rows.Close()
	var out []NationalCrossing
	for rows.Next() {
		var c NationalCrossing
		var opened sql.NullInt64
		if err := rows.Scan(&c.Port, &c.Lane, &c.CrossingID, &opened, &c.Outcome); err != nil {
			return nil, fmt.Errorf("sqlitestore: national history: %w", err)
		}
		if opened.Valid {
			c.OpenedAt = time.Unix(0, opened.Int64).UTC()
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: national history: %w", err)
	}
	return out, nil
}

// nationalApplier holds one transaction's prepared statements and the
// per-port counters it adds at the end.
type nationalApplier struct {
	tx                                  *sql.Tx
	msg, seen, event, refusal, crossing *sql.Stmt
	touch, doc, name, plate, outcome    *sql.Stmt
	counts                              map[string]*NationalPortCount
}

func newNationalApplier(ctx context.Context, tx *sql.Tx) (*nationalApplier, error) {
	a := &nationalApplier{tx: tx, counts: make(map[string]*NationalPortCount)}
	stmts := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&a.seen, `SELECT EXISTS (SELECT 1 FROM national_messages WHERE event_id = ?)`},
		{&a.msg, `INSERT OR IGNORE INTO national_messages (stream_seq, event_id, port, refused) VALUES (?, ?, ?, ?)`},
		{&a.event, `INSERT OR IGNORE INTO national_events (id, port, crossing_id, origin, origin_seq, kind, at, stream_seq, payload)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`},
		{&a.refusal, `INSERT OR IGNORE INTO national_refusals (stream_seq, event_id, port, kind, reason, refused_at) VALUES (?, ?, ?, ?, ?, ?)`},
		{&a.crossing, `INSERT INTO national_crossings (crossing_id, port, lane, opened_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (crossing_id) DO UPDATE SET port = excluded.port, lane = excluded.lane, opened_at = excluded.opened_at`},
		{&a.touch, `INSERT OR IGNORE INTO national_crossings (crossing_id, port) VALUES (?, ?)`},
		{&a.doc, `INSERT OR IGNORE INTO national_documents (doc_key, crossing_id) VALUES (?, ?)`},
		{&a.name, `INSERT OR IGNORE INTO national_names (name_key, birth_date, crossing_id) VALUES (?, ?, ?)`},
		{&a.plate, `INSERT OR IGNORE INTO national_plates (plate, crossing_id) VALUES (?, ?)`},
		{&a.outcome, `UPDATE national_crossings SET outcome = ?, outcome_at = ?
			WHERE crossing_id = ? AND (outcome_at IS NULL OR outcome_at <= ?)`},
	}
	for _, s := range stmts {
		st, err := tx.PrepareContext(ctx, s.sql)
		if err != nil {
			a.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*s.dst = st
	}
	return a, nil
}

func (a *nationalApplier) close() {
	for _, st := range []*sql.Stmt{a.msg, a.seen, a.event, a.refusal, a.crossing, a.touch, a.doc, a.name, a.plate, a.outcome} {
		if st != nil {
			_ = st.Close()
		}
	}
}

func (a *nationalApplier) count(port string) *NationalPortCount {
	c := a.counts[port]
	if c == nil {
		c = &NationalPortCount{Port: port}
		a.counts[port] = c
	}
	return c
}

func (a *nationalApplier) apply(ctx context.Context, m NationalMessage) error {
	e := m.Event
	var seen bool
	if err := a.seen.QueryRowContext(ctx, e.ID).Scan(&seen); err != nil {
		return err
	}
	refused := 0
	if m.Refusal != "" {
		refused = 1
	}
	res, err := a.msg.ExecContext(ctx, int64(m.StreamSeq), e.ID, m.Port, refused)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // this stream message was applied before
	}
	c := a.count(m.Port)
	c.Messages++
	if !seen {
		c.DistinctIDs++
	}
	if m.Refusal != "" {
		c.Refused++
		_, err := a.refusal.ExecContext(ctx, int64(m.StreamSeq), e.ID, m.Port, string(e.Kind), m.Refusal, time.Now().UnixNano())
		return err
	}
	res, err = a.event.ExecContext(ctx, e.ID, m.Port, e.CrossingID, e.Origin, e.OriginSeq, string(e.Kind),
		e.At.UnixNano(), int64(m.StreamSeq), string(e.Payload))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil // a duplicate of an event already indexed
	}
	return a.project(ctx, m.Port, e)
}

// project adds the event to the crossings and look-up keys. A payload that
// does not decode is kept in national_events and adds no keys.
func (a *nationalApplier) project(ctx context.Context, port string, e records.Event) error {
	if e.Kind == records.KindCrossingOpened {
		var p records.CrossingOpened
		if json.Unmarshal(e.Payload, &p) == nil {
			if p.Port != "" {
				port = p.Port
			}
			_, err := a.crossing.ExecContext(ctx, e.CrossingID, port, p.Lane, e.At.UnixNano())
			return err
		}
	}
	if _, err := a.touch.ExecContext(ctx, e.CrossingID, port); err != nil {
		return err
	}
	addDoc := func(country, number string) error {
		if k := keyDocument(country, number); k != "" {
			_, err := a.doc.ExecContext(ctx, k, e.CrossingID)
			return err
		}
		return nil
	}
	addName := func(surname, dob string) error {
		n, d := keyName(surname), keyBirthDate(dob)
		if n == "" || d == "" {
			return nil
		}
		_, err := a.name.ExecContext(ctx, n, d, e.CrossingID)
		return err
	}
	addPlate := func(plate string) error {
		if p := keyPlate(plate); p != "" {
			_, err := a.plate.ExecContext(ctx, p, e.CrossingID)
			return err
		}
		return nil
	}
	switch e.Kind {
	case records.KindDocumentRead:
		var p records.DocumentRead
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		country := p.MRZ.IssuingStateISO
		if country == "" {
			country = p.MRZ.IssuingState
		}
		if err := addDoc(country, p.MRZ.DocumentNumber); err != nil {
			return err
		}
		return addName(p.MRZ.Surname, p.MRZ.BirthDate)
	case records.KindDocumentKeyed:
		var p records.DocumentKeyed
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		if p.MRZ != nil {
			country := p.MRZ.IssuingStateISO
			if country == "" {
				country = p.MRZ.IssuingState
			}
			if err := addDoc(country, p.MRZ.DocumentNumber); err != nil {
				return err
			}
			return addName(p.MRZ.Surname, p.MRZ.BirthDate)
		}
		if p.Fields != nil {
			if err := addDoc(p.Fields.IssuingState, p.Fields.Number); err != nil {
				return err
			}
			return addName(p.Fields.Surname, p.Fields.BirthDate)
		}
	case records.KindRFIDRead:
		var p records.RFIDRead
		if json.Unmarshal(e.Payload, &p) != nil || p.Enrollment == nil {
			return nil
		}
		if err := addDoc(p.Enrollment.Document.Country, p.Enrollment.Document.Number); err != nil {
			return err
		}
		return addName(p.Enrollment.Surname, p.Enrollment.BirthDate)
	case records.KindFaceVerified:
		var p records.FaceVerified
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		return addDoc(p.Document.Country, p.Document.Number)
	case records.KindPlateRead:
		var p records.PlateRead
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		return addPlate(p.Plate)
	case records.KindPlateConfirmed:
		var p records.PlateConfirmed
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		return addPlate(p.Plate)
	case records.KindDetermination:
		var p records.Determination
		if json.Unmarshal(e.Payload, &p) != nil {
			return nil
		}
		at := e.At.UnixNano()
		_, err := a.outcome.ExecContext(ctx, string(p.Outcome), at, e.CrossingID, at)
		return err
	}
	return nil
}

func (a *nationalApplier) flushCounts(ctx context.Context) error {
	for _, c := range a.counts {
		if _, err := a.tx.ExecContext(ctx, `INSERT INTO national_port_counts (port, messages, distinct_ids, refused)
			VALUES (?, ?, ?, ?) ON CONFLICT (port) DO UPDATE SET messages = messages + excluded.messages,
			distinct_ids = distinct_ids + excluded.distinct_ids, refused = refused + excluded.refused`,
			c.Port, c.Messages, c.DistinctIDs, c.Refused); err != nil {
			return fmt.Errorf("port counts: %w", err)
		}
	}
	return nil
}
