package sqlitestore

import "context"

// historyByNumberSQL reads documents_by_number like the other history
// look-ups read their indexes: cost by limit, not by database size.
const historyByNumberSQL = `SELECT ` + historyColumns + ` FROM crossing_documents k
	JOIN crossings c ON c.id = k.crossing_id
	WHERE k.number_key = ? ORDER BY k.at DESC LIMIT ?`

// HistoryByDocumentNumber lists the crossings in which a document with this
// number was presented or enrolled, whatever its issuing country, newest
// first: a secondary officer often has only the number. Spaces, dashes and
// MRZ filler are ignored. limit is capped at 1000; 0 means 50.
func (s *Store) HistoryByDocumentNumber(ctx context.Context, number string, limit int) ([]HistoryEntry, error) {
	n := keyDocNumber(number)
	if n == "" {
		return nil, nil
	}
	return s.history(ctx, "history by document number", historyByNumberSQL, n, clampLimit(limit))
}
