package sqlitestore

import (
	"context"
	"fmt"
	"strings"

	"github.com/portofentry/booth/records"
)

// Crossing search for the secondary and supervisor screens: by document,
// by name and birth date, or by plate, each within a range of opening
// times, or the range alone. Every query reads down an index on (key, at)
// bounded by the range, so its cost follows the limit, not the database.
const (
	searchByDocumentSQL = `SELECT ` + historyColumns + ` FROM crossing_documents k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.doc_key = ? AND k.at >= ? AND k.at < ? ORDER BY k.at DESC LIMIT ?`
	searchByNumberSQL = `SELECT ` + historyColumns + ` FROM crossing_documents k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.number_key = ? AND k.at >= ? AND k.at < ? ORDER BY k.at DESC LIMIT ?`
	searchByNameSQL = `SELECT ` + historyColumns + ` FROM crossing_travelers k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.surname_key = ? AND k.birth_date = ? AND (? = '' OR k.given_key = ?) AND k.at >= ? AND k.at < ?
		ORDER BY k.at DESC LIMIT ?`
	searchByPlateSQL = `SELECT ` + historyColumns + ` FROM crossing_plates k
		JOIN crossings c ON c.id = k.crossing_id
		WHERE k.plate_key = ? AND (? = '' OR k.region_key = ?) AND k.at >= ? AND k.at < ? ORDER BY k.at DESC LIMIT ?`
	searchByRangeSQL = `SELECT ` + historyColumns + ` FROM crossings c
		WHERE c.opened_at >= ? AND c.opened_at < ? ORDER BY c.opened_at DESC LIMIT ?`
)

// SearchCrossings runs a crossing search (records.SearchTerms, checked
// with Validate), newest first. A document is a number (any issuing
// country) or "COUNTRY/NUMBER"; From is inclusive and To exclusive. limit
// is capped at 1000; 0 means 50.
func (s *Store) SearchCrossings(ctx context.Context, t records.SearchTerms, limit int) ([]HistoryEntry, error) {
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("sqlitestore: search: %w", err)
	}
	from, to := int64(-1<<63), int64(1<<63-1)
	if !t.From.IsZero() {
		from = nanos(t.From)
	}
	if !t.To.IsZero() {
		to = nanos(t.To)
	}
	n := clampLimit(limit)
	switch {
	case strings.TrimSpace(t.Document) != "":
		if country, number, ok := strings.Cut(strings.TrimSpace(t.Document), "/"); ok {
			key := keyDocument(country, number)
			if key == "" {
				return nil, nil
			}
			return s.history(ctx, "search by document", searchByDocumentSQL, key, from, to, n)
		}
		key := keyDocNumber(t.Document)
		if key == "" {
			return nil, nil
		}
		return s.history(ctx, "search by document number", searchByNumberSQL, key, from, to, n)
	case strings.TrimSpace(t.Surname) != "":
		sk, bk, gk := keyName(t.Surname), keyBirthDate(t.BirthDate), keyName(t.Given)
		if sk == "" || bk == "" {
			return nil, nil
		}
		return s.history(ctx, "search by name and birth date", searchByNameSQL, sk, bk, gk, gk, from, to, n)
	case strings.TrimSpace(t.Plate) != "":
		pk, rk := keyPlate(t.Plate), keyRegion(t.Region)
		if pk == "" {
			return nil, nil
		}
		return s.history(ctx, "search by plate", searchByPlateSQL, pk, rk, rk, from, to, n)
	}
	return s.history(ctx, "search by date range", searchByRangeSQL, from, to, n)
}
