package sqlitestore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/portofentry/booth/records"
)

// projection is what one folded crossing contributes to the look-up tables.
type projection struct {
	id, port, lane, mode, origin string
	openedAt, lastAt             int64
	status, outcome              string
	plate, region                string // as shown
	names                        []string
	alerts, openAlerts           int
	referred                     bool
	events                       int
	openingMissing               bool // no crossing.opened folded
	conflict                     bool
	outcomes                     []string // the current determinations' outcomes
	referral                     *referralRow

	travelers []travelerRow
	docs      []string // document keys, each once
	plateKey  string   // "" when no plate
	regionKey string
	epcs      []string
}

type travelerRow struct {
	docKey, surname, given, birth, surnameKey, givenKey string
}

// project derives the projection rows of crossing c, folded from evs.
func project(c *records.Crossing, evs []records.Event) projection {
	p := projection{
		id: c.ID, port: c.Port, lane: c.Lane, mode: string(c.Mode), origin: c.Origin,
		openedAt: nanos(c.OpenedAt), lastAt: nanos(c.LastAt),
		status: string(c.Status), alerts: len(c.Alerts), openAlerts: len(c.Unacknowledged()),
		referred: c.Referral != nil, events: c.Events, openingMissing: c.Integrity.OpeningMissing,
	}
	if p.openedAt == 0 {
		// The opening event has not arrived (replication order): date the
		// crossing by its earliest event so it still sorts sensibly.
		for _, e := range evs {
			if n := nanos(e.At); n != 0 && (p.openedAt == 0 || n < p.openedAt) {
				p.openedAt = n
			}
		}
	}
	p.outcome, p.conflict = string(c.FinalOutcome()), c.InConflict()
	p.referral = projectReferral(c)
	if p.referral != nil {
		p.outcomes = p.referral.outcomes
	} else {
		p.outcomes = currentOutcomes(c)
	}
	if v := c.Vehicle; v != nil && v.Plate != "" {
		p.plate, p.region = v.Plate, v.Region
		p.plateKey, p.regionKey = keyPlate(v.Plate), keyRegion(v.Region)
	}
	seenEPC, seenDoc := map[string]bool{}, map[string]bool{}
	for _, t := range c.Travelers {
		p.names = append(p.names, t.DisplayName())
		p.travelers = append(p.travelers, travelerRow{
			docKey:     keyDocument(t.Document.Country, t.Document.Number),
			surname:    t.Surname,
			given:      t.GivenNames,
			birth:      keyBirthDate(t.BirthDate),
			surnameKey: keyName(t.Surname),
			givenKey:   keyName(t.GivenNames),
		})
		docs := append([]records.DocumentRef{t.Document}, t.Documents...)
		for _, d := range docs {
			if k := keyDocument(d.Country, d.Number); k != "" && !seenDoc[k] {
				seenDoc[k] = true
				p.docs = append(p.docs, k)
			}
		}
		for _, epc := range t.EPCs {
			if k := keyEPC(epc); k != "" && !seenEPC[k] {
				seenEPC[k] = true
				p.epcs = append(p.epcs, k)
			}
		}
	}
	return p
}

// execer is what projection writes need: a transaction or a single conn.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// keysHash digests the key-table rows of p.
func (p projection) keysHash() string {
	h := sha256.New()
	w := func(parts ...string) {
		for _, s := range parts {
			fmt.Fprintf(h, "%d:%s", len(s), s)
		}
		h.Write([]byte{'\n'})
	}
	w("at", strconv.FormatInt(p.openedAt, 10))
	for _, t := range p.travelers {
		w("t", t.docKey, t.surname, t.given, t.birth, t.surnameKey, t.givenKey)
	}
	for _, d := range p.docs {
		w("d", d)
	}
	w("p", p.plateKey, p.regionKey)
	for _, e := range p.epcs {
		w("e", e)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// writeProjection makes the projection rows of p.id match p. The crossing
// row is upserted, so SQLite rewrites only the indexes whose columns
// changed; the key tables are rewritten only when their digest changed.
func writeProjection(ctx context.Context, x execer, p projection) error {
	names, err := json.Marshal(p.names)
	if err != nil {
		return fmt.Errorf("encode names of %s: %w", p.id, err)
	}
	if p.names == nil {
		names = []byte("[]")
	}
	outcomes, err := encodeStrings(p.outcomes)
	if err != nil {
		return fmt.Errorf("encode outcomes of %s: %w", p.id, err)
	}
	hash := p.keysHash()
	old, err := currentKeysHash(ctx, x, p.id)
	if err != nil {
		return err
	}
	if _, err := x.ExecContext(ctx, upsertCrossingSQL,
		p.id, p.port, p.lane, p.mode, p.origin, p.openedAt, p.lastAt, p.status, p.outcome,
		p.plate, p.region, string(names), p.alerts, p.openAlerts, p.referred, p.events, hash, p.openingMissing,
		p.conflict, outcomes); err != nil {
		return fmt.Errorf("project crossing %s: %w", p.id, err)
	}
	// A crossing never loses its referral (events are only added), so a
	// crossing without one has no row to remove and costs nothing here.
	if p.referral != nil {
		if err := writeReferral(ctx, x, p.id, p.referral); err != nil {
			return err
		}
	}
	if old == hash {
		return nil
	}
	for _, q := range []string{deleteTravelersSQL, deleteDocumentsSQL, deletePlateSQL, deleteEPCsSQL} {
		if _, err := x.ExecContext(ctx, q, p.id); err != nil {
			return fmt.Errorf("clear key rows of %s: %w", p.id, err)
		}
	}
	for i, t := range p.travelers {
		if _, err := x.ExecContext(ctx, insertTravelerSQL,
			p.id, i, t.docKey, t.surname, t.given, t.birth, t.surnameKey, t.givenKey, p.openedAt); err != nil {
			return fmt.Errorf("project traveller of %s: %w", p.id, err)
		}
	}
	for _, d := range p.docs {
		if _, err := x.ExecContext(ctx, insertDocumentSQL, p.id, d, p.openedAt, numberKey(d)); err != nil {
			return fmt.Errorf("project document of %s: %w", p.id, err)
		}
	}
	if p.plateKey != "" {
		if _, err := x.ExecContext(ctx, insertPlateSQL, p.id, p.plateKey, p.regionKey, p.openedAt); err != nil {
			return fmt.Errorf("project plate of %s: %w", p.id, err)
		}
	}
	for _, epc := range p.epcs {
		if _, err := x.ExecContext(ctx, insertEPCSQL, p.id, epc, p.openedAt); err != nil {
			return fmt.Errorf("project RFID tag of %s: %w", p.id, err)
		}
	}
	return nil
}

// currentKeysHash is the stored digest of a crossing's key rows, "" when
// the crossing is not projected yet.
func currentKeysHash(ctx context.Context, x execer, id string) (string, error) {
	rows, err := x.QueryContext(ctx, keysHashSQL, id)
	if err != nil {
		return "", fmt.Errorf("read projection of %s: %w", id, err)
	}
	defer rows.Close()
	var h string
	if rows.Next() {
		if err := rows.Scan(&h); err != nil {
			return "", fmt.Errorf("read projection of %s: %w", id, err)
		}
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read projection of %s: %w", id, err)
	}
	return h, nil
}

// crossingEvents reads every event of one crossing in fold order.
func crossingEvents(ctx context.Context, x execer, crossingID string) ([]records.Event, error) {
	rows, err := x.QueryContext(ctx, crossingEventsSQL, crossingID)
	if err != nil {
		return nil, fmt.Errorf("query events of %s: %w", crossingID, err)
	}
	evs, err := scanEvents(rows)
	if err != nil {
		return nil, fmt.Errorf("events of %s: %w", crossingID, err)
	}
	return evs, nil
}

// refresh re-folds one crossing and rewrites its projection.
func refresh(ctx context.Context, x execer, crossingID string) error {
	evs, err := crossingEvents(ctx, x, crossingID)
	if err != nil {
		return err
	}
	return refreshFrom(ctx, x, evs)
}

// refreshFrom folds evs, every event of one crossing in fold order, and
// rewrites the crossing's projection.
func refreshFrom(ctx context.Context, x execer, evs []records.Event) error {
	if len(evs) == 0 {
		return nil
	}
	return writeProjection(ctx, x, project(records.Fold(evs), evs))
}

// RebuildProjections drops every projection row and derives them again from
// the events, in one transaction: readers see the old projections until the
// new ones are committed.
func (s *Store) RebuildProjections(ctx context.Context) (err error) {
	if s.readOnly {
		return ErrReadOnly
	}
	defer func() { err = s.written("rebuild projections", err) }()
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlitestore: rebuild projections: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for _, table := range []string{"referrals", "crossing_epcs", "crossing_plates", "crossing_documents", "crossing_travelers", "crossings"} {
		if _, err = tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
			return fmt.Errorf("sqlitestore: rebuild projections: clear %s: %w", table, err)
		}
	}
	x := txExec{tx: tx, cache: &s.stmts}
	// Walk the crossings in batches by id so memory stays bounded however
	// large the log is.
	n, after := 0, ""
	for {
		var evs []records.Event
		evs, err = rebuildBatchEvents(ctx, x, after)
		if err != nil {
			return fmt.Errorf("sqlitestore: rebuild projections: %w", err)
		}
		if len(evs) == 0 {
			break
		}
		for start := 0; start < len(evs); {
			end := start + 1
			for end < len(evs) && evs[end].CrossingID == evs[start].CrossingID {
				end++
			}
			one := evs[start:end]
			if err = writeProjection(ctx, x, project(records.Fold(one), one)); err != nil {
				return fmt.Errorf("sqlitestore: rebuild projections: %w", err)
			}
			n++
			start = end
		}
		after = evs[len(evs)-1].CrossingID
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("sqlitestore: rebuild projections: commit: %w", err)
	}
	s.appendCache.invalidate() // its writes moved the writer's mark anyway; be explicit
	s.log.Info("projections rebuilt", "crossings", n)
	return nil
}

// rebuildBatch is how many crossings RebuildProjections folds per query.
const rebuildBatch = 512

// rebuildBatchEvents returns the events of the next rebuildBatch crossings
// whose ids sort after the given one, grouped by crossing.
func rebuildBatchEvents(ctx context.Context, x execer, after string) ([]records.Event, error) {
	rows, err := x.QueryContext(ctx, `SELECT `+eventColumns+` FROM events e
		WHERE e.crossing_id IN (SELECT DISTINCT crossing_id FROM events
			WHERE crossing_id > ? ORDER BY crossing_id LIMIT ?)
		ORDER BY e.crossing_id, e.at, e.id`, after, rebuildBatch)
	if err != nil {
		return nil, fmt.Errorf("read events after crossing %q: %w", after, err)
	}
	return scanEvents(rows)
}

const (
	keysHashSQL       = `SELECT keys_hash FROM crossings WHERE id = ?`
	upsertCrossingSQL = `INSERT INTO crossings
		(id, port, lane, mode, origin, opened_at, last_at, status, outcome, plate, region, names, alerts, open_alerts, referred, events, keys_hash, opening_missing, conflict, outcomes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET port = excluded.port, lane = excluded.lane, mode = excluded.mode,
			origin = excluded.origin, opened_at = excluded.opened_at, last_at = excluded.last_at,
			status = excluded.status, outcome = excluded.outcome, plate = excluded.plate, region = excluded.region,
			names = excluded.names, alerts = excluded.alerts, open_alerts = excluded.open_alerts,
			referred = excluded.referred, events = excluded.events, keys_hash = excluded.keys_hash,
			opening_missing = excluded.opening_missing, conflict = excluded.conflict, outcomes = excluded.outcomes`
	deleteTravelersSQL = `DELETE FROM crossing_travelers WHERE crossing_id = ?`
	deleteDocumentsSQL = `DELETE FROM crossing_documents WHERE crossing_id = ?`
	deletePlateSQL     = `DELETE FROM crossing_plates WHERE crossing_id = ?`
	deleteEPCsSQL      = `DELETE FROM crossing_epcs WHERE crossing_id = ?`
	insertTravelerSQL  = `INSERT INTO crossing_travelers
		(crossing_id, ord, doc_key, surname, given_names, birth_date, surname_key, given_key, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertDocumentSQL = `INSERT INTO crossing_documents (crossing_id, doc_key, at, number_key) VALUES (?, ?, ?, ?)`
	insertPlateSQL    = `INSERT INTO crossing_plates (crossing_id, plate_key, region_key, at) VALUES (?, ?, ?, ?)`
	insertEPCSQL      = `INSERT INTO crossing_epcs (crossing_id, epc, at) VALUES (?, ?, ?)`
	crossingEventsSQL = `SELECT ` + eventColumns + ` FROM events e WHERE e.crossing_id = ? ORDER BY e.at, e.id`
)
