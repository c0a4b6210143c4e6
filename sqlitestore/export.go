package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

// ExportScope selects the crossings a recorded request covers (the port
// server's `export`). A crossing is in scope when it matches every filter
// given; an empty scope matches nothing (a whole-port export is asked for
// with All, never by leaving the filters out).
type ExportScope struct {
	// Document is a document number ("L898902C3", any issuing country) or
	// "COUNTRY/NUMBER"; spaces, dashes and MRZ filler are ignored.
	Document string
	// Since and Until bound when the crossing opened: Since <= opened <
	// Until. A zero bound is open.
	Since, Until time.Time
	// All exports every event the server holds; it excludes the filters.
	All bool
}

// ErrExportScope is an export scope that cannot be used as it is.
var ErrExportScope = errors.New("invalid export scope")

// Check reports whether the scope names something to export.
func (sc ExportScope) Check() error {
	filtered := strings.TrimSpace(sc.Document) != "" || !sc.Since.IsZero() || !sc.Until.IsZero()
	switch {
	case sc.All && filtered:
		return fmt.Errorf("%w: a whole-port export takes no document or time filter", ErrExportScope)
	case !sc.All && !filtered:
		return fmt.Errorf("%w: name a document or a time range, or ask for the whole port explicitly", ErrExportScope)
	case sc.Document != "" && sc.documentKeys() == nil:
		return fmt.Errorf("%w: document %q has no letters or digits", ErrExportScope, sc.Document)
	case !sc.Since.IsZero() && !sc.Until.IsZero() && !sc.Since.Before(sc.Until):
		return fmt.Errorf("%w: since %s is not before until %s", ErrExportScope,
			sc.Since.UTC().Format(time.RFC3339), sc.Until.UTC().Format(time.RFC3339))
	}
	return nil
}

// documentKeys is the index column and key the document filter reads, nil
// when there is no document.
func (sc ExportScope) documentKeys() []any {
	d := strings.TrimSpace(sc.Document)
	if d == "" {
		return nil
	}
	if country, number, ok := strings.Cut(d, "/"); ok {
		if k := keyDocument(country, number); k != "" && keyCountry(country) != "" {
			return []any{"doc_key", k}
		}
		return nil
	}
	if n := keyDocNumber(d); n != "" {
		return []any{"number_key", n}
	}
	return nil
}

// ExportLog returns up to limit events after feed version after, in the
// server's commit order, of the crossings in scope (every event when
// scope.All), each with its feed version. Page with the last version
// returned.
func (s *Store) ExportLog(ctx context.Context, scope ExportScope, after int64, limit int) ([]records.FeedEvent, error) {
	if err := scope.Check(); err != nil {
		return nil, fmt.Errorf("sqlitestore: export: %w", err)
	}
	if scope.All {
		return s.LogSince(ctx, after, limit)
	}
	if limit <= 0 {
		limit = 500
	}
	limit = min(limit, maxFeedBatch)
	var (
		conds []string
		args  []any
	)
	if dk := scope.documentKeys(); dk != nil {
		// The column name comes from documentKeys, never from input.
		conds = append(conds, `c.id IN (SELECT crossing_id FROM crossing_documents WHERE `+dk[0].(string)+` = ?)`)
		args = append(args, dk[1])
	}
	if !scope.Since.IsZero() {
		conds = append(conds, `c.opened_at >= ?`)
		args = append(args, scope.Since.UnixNano())
	}
	if !scope.Until.IsZero() {
		conds = append(conds, `c.opened_at < ?`)
		args = append(args, scope.Until.UnixNano())
	}
	args = append(args, after, limit)
	q := `SELECT e.seq, ` + eventColumns + ` FROM events e
		WHERE e.crossing_id IN (SELECT c.id FROM crossings c WHERE ` + strings.Join(conds, " AND ") + `)
		AND e.seq > ? ORDER BY e.seq LIMIT ?`
	rows, err := s.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: export after %d: %w", after, err)
	}
	defer rows.Close()
	var out []records.FeedEvent
	for rows.Next() {
		var fe records.FeedEvent
		e, err := scanEvent(seqScanner{rows, &fe.Version})
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: export after %d: %w", after, err)
		}
		fe.Event = e
		out = append(out, fe)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: export after %d: %w", after, err)
	}
	return out, nil
}
