package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portofentry/booth/records"
)

// HistoryEntry is one earlier crossing of a traveller, plate or RFID card,
// as shown to an officer while the vehicle waits.
type HistoryEntry struct {
	CrossingID string
	At         time.Time // when the crossing was opened
	Port       string
	Lane       string
	Mode       records.Mode
	Origin     string
	// Outcome is the final determination, "" when none was recorded or
	// the determinations conflict.
	Outcome records.Outcome
	// Conflict: two determinations stand that do not supersede each other;
	// Outcomes lists them. Without a conflict Outcomes is the final one.
	Conflict  bool
	Outcomes  []records.Outcome
	Status    records.Status
	Plate     string // the vehicle's plate, "" for pedestrians
	Region    string
	Travelers []string // display names of everyone in the crossing
	Alerts    int
	Referred  bool // was referred to secondary
}

// The history look-ups read straight down an index on (key, at DESC) and
// join each hit to crossings by primary key, so their cost depends on limit,
// not on the size of the database. query_plan_test.go checks the plans.
const (
	historyByDocumentSQL = `SELECT ` + historyColumns + ` FROM crossing_documents k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.doc_key = ? ORDER BY k.at DESC LIMIT ?`
	historyByNameSQL = `SELECT ` + historyColumns + ` FROM crossing_travelers k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.surname_key = ? AND k.birth_date = ? AND (? = '' OR k.given_key = ?)
		ORDER BY k.at DESC LIMIT ?`
	historyByPlateSQL = `SELECT ` + historyColumns + ` FROM crossing_plates k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.plate_key = ? AND (? = '' OR k.region_key = ?) ORDER BY k.at DESC LIMIT ?`
	historyByEPCSQL = `SELECT ` + historyColumns + ` FROM crossing_epcs k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.epc = ? ORDER BY k.at DESC LIMIT ?`
	historyColumns = `c.id, c.opened_at, c.port, c.lane, c.mode, c.origin, c.outcome, c.status,
		c.plate, c.region, c.names, c.alerts, c.referred, c.conflict, c.outcomes`
)

// HistoryByDocument lists the crossings of the document country/number,
// newest first. country may be an ISO or MRZ code ("D" is DEU); spaces,
// dashes and MRZ filler in number are ignored. limit is capped at 1000; 0
// means 50.
func (s *Store) HistoryByDocument(ctx context.Context, country, number string, limit int) ([]HistoryEntry, error) {
	key := keyDocument(country, number)
	if key == "" {
		return nil, nil
	}
	return s.history(ctx, "history by document", historyByDocumentSQL, key, clampLimit(limit))
}

// HistoryByNameDOB lists the crossings of a traveller by surname and birth
// date (YYYY-MM-DD or YYYYMMDD), newest first. given narrows the match when
// not empty. Case, accents, spaces and punctuation in names are ignored.
func (s *Store) HistoryByNameDOB(ctx context.Context, surname, given, birthDate string, limit int) ([]HistoryEntry, error) {
	sk, bk, gk := keyName(surname), keyBirthDate(birthDate), keyName(given)
	if sk == "" || bk == "" {
		return nil, nil
	}
	return s.history(ctx, "history by name and birth date", historyByNameSQL, sk, bk, gk, gk, clampLimit(limit))
}

// HistoryByPlate lists the crossings of a vehicle by plate, newest first.
// region ("us-az") narrows the match when not empty: plate readers often
// miss it.
func (s *Store) HistoryByPlate(ctx context.Context, region, plate string, limit int) ([]HistoryEntry, error) {
	pk, rk := keyPlate(plate), keyRegion(region)
	if pk == "" {
		return nil, nil
	}
	return s.history(ctx, "history by plate", historyByPlateSQL, pk, rk, rk, clampLimit(limit))
}

// HistoryByEPC lists the crossings in which an RFID card was read, newest
// first.
func (s *Store) HistoryByEPC(ctx context.Context, epc string, limit int) ([]HistoryEntry, error) {
	k := keyEPC(epc)
	if k == "" {
		return nil, nil
	}
	return s.history(ctx, "history by EPC", historyByEPCSQL, k, clampLimit(limit))
}

func (s *Store) history(ctx context.Context, what, query string, args ...any) ([]HistoryEntry, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	defer rows.Close()
	var (
		out  []HistoryEntry
		seen = map[string]bool{}
	)
	for rows.Next() {
		var (
			h                     HistoryEntry
			at                    int64
			mode, outcome, status string
			names, outcomes       string
		)
		if err := rows.Scan(&h.CrossingID, &at, &h.Port, &h.Lane, &mode, &h.Origin, &outcome, &status,
			&h.Plate, &h.Region, &names, &h.Alerts, &h.Referred, &h.Conflict, &outcomes); err != nil {
			return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
		}
		if seen[h.CrossingID] {
			continue // the same person twice in one crossing
		}
		seen[h.CrossingID] = true
		h.At = decodeTime(sql.NullInt64{Int64: at, Valid: at != 0})
		h.Mode, h.Outcome, h.Status = records.Mode(mode), records.Outcome(outcome), records.Status(status)
		if err := json.Unmarshal([]byte(names), &h.Travelers); err != nil {
			return nil, fmt.Errorf("sqlitestore: %s: crossing %s names: %w", what, h.CrossingID, err)
		}
		if err := json.Unmarshal([]byte(outcomes), &h.Outcomes); err != nil {
			return nil, fmt.Errorf("sqlitestore: %s: crossing %s outcomes: %w", what, h.CrossingID, err)
		}
		if len(h.Outcomes) == 0 {
			h.Outcomes = nil
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: %s: %w", what, err)
	}
	return out, nil
}
