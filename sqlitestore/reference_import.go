package sqlitestore

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portofentry/booth/records"
)

// MaxReferenceLine bounds one reference data line. A longer line is an error,
// never an unbounded buffer.
const MaxReferenceLine = 64 << 10

// ErrStaleDataset is returned when an import's version is not newer than the
// version already loaded for that kind.
var ErrStaleDataset = records.ErrStaleDataset

// ErrUnknownReferenceKind is returned for a kind other than travelers, rfid,
// lookouts or lost-stolen.
var ErrUnknownReferenceKind = errors.New("unknown reference data kind")

// ImportError names the line and field of a reference data file that failed
// validation. Nothing of the file was applied.
type ImportError struct {
	Kind  string
	Line  int
	Field string // "" when the line as a whole is wrong
	Msg   string
}

func (e *ImportError) Error() string {
	if e.Field == "" || e.Field == "(line)" {
		return fmt.Sprintf("reference %s line %d: %s", e.Kind, e.Line, e.Msg)
	}
	return fmt.Sprintf("reference %s line %d: field %s: %s", e.Kind, e.Line, e.Field, e.Msg)
}

// referenceTables maps each kind to the table holding its dataset.
var referenceTables = map[string]string{
	KindTravelers:  "ref_travelers",
	KindRFID:       "ref_rfid",
	KindLookouts:   "ref_lookouts",
	KindLostStolen: "ref_lost_stolen",
}

// importReferenceTx replaces the dataset of kind with the JSONL read from r,
// inside tx. Every line is validated; the first bad line aborts the import
// with an *ImportError and the caller must roll tx back, so a bad file never
// leaves a half-replaced dataset. now is when the import happened.
func importReferenceTx(ctx context.Context, tx *sql.Tx, kind string, r io.Reader, version int64, asOf, now time.Time) (int, error) {
	table, ok := referenceTables[kind]
	if !ok {
		return 0, fmt.Errorf("import reference: %w %q (want one of %s)", ErrUnknownReferenceKind, kind, strings.Join(ReferenceKinds, ", "))
	}
	if version <= 0 {
		return 0, fmt.Errorf("import reference %s: version must be positive, got %d", kind, version)
	}
	if asOf.IsZero() {
		return 0, fmt.Errorf("import reference %s: as-of time required", kind)
	}
	var current int64
	err := tx.QueryRowContext(ctx, `SELECT version FROM ref_datasets WHERE kind = ?`, kind).Scan(&current)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return 0, fmt.Errorf("import reference %s: read loaded version: %w", kind, err)
	case version <= current:
		return 0, fmt.Errorf("import reference %s: version %d, loaded %d: %w", kind, version, current, ErrStaleDataset)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+table); err != nil {
		return 0, fmt.Errorf("import reference %s: clear previous dataset: %w", kind, err)
	}
	ins, err := tx.PrepareContext(ctx, referenceInsertSQL[kind])
	if err != nil {
		return 0, fmt.Errorf("import reference %s: prepare insert: %w", kind, err)
	}
	defer ins.Close()

	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), MaxReferenceLine)
	line, n := 0, 0
	for sc.Scan() {
		line++
		if line%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, fmt.Errorf("import reference %s: %w", kind, err)
			}
		}
		raw := sc.Bytes()
		if len(strings.TrimSpace(string(raw))) == 0 {
			continue
		}
		args, keyField, err := parseReferenceLine(kind, raw)
		if err != nil {
			return 0, lineError(kind, line, err)
		}
		if _, err := ins.ExecContext(ctx, args...); err != nil {
			if isSQLiteUniqueViolation(err) {
				return 0, &ImportError{Kind: kind, Line: line, Field: keyField, Msg: "duplicate: an earlier line has the same " + keyField}
			}
			return 0, fmt.Errorf("import reference %s line %d: insert: %w", kind, line, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return 0, &ImportError{Kind: kind, Line: line + 1, Msg: fmt.Sprintf("line longer than %d bytes", MaxReferenceLine)}
		}
		return 0, fmt.Errorf("import reference %s: read line %d: %w", kind, line+1, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO ref_datasets (kind, version, as_of, count, imported_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind) DO UPDATE SET version = excluded.version, as_of = excluded.as_of, count = excluded.count, imported_at = excluded.imported_at`,
		kind, version, asOf.UnixNano(), n, now.UnixNano()); err != nil {
		return 0, fmt.Errorf("import reference %s: record dataset version: %w", kind, err)
	}
	return n, nil
}

func lineError(kind string, line int, err error) error {
	var fe *FieldError
	if errors.As(err, &fe) {
		return &ImportError{Kind: kind, Line: line, Field: fe.Field, Msg: fe.Msg}
	}
	return &ImportError{Kind: kind, Line: line, Msg: err.Error()}
}

var referenceInsertSQL = map[string]string{
	KindTravelers: `INSERT INTO ref_travelers (doc_country, doc_number, doc_type, id, surname, given_names, birth_date, sex, nationality, citizenship, status, expiry_date)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	KindRFID: `INSERT INTO ref_rfid (epc, program, traveler_id, doc_type, doc_country, doc_number, vehicle_plates)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
	KindLookouts: `INSERT INTO ref_lookouts (id, by, doc_type, doc_country, doc_number, surname, given_names, birth_date, plate, plate_number, plate_region, severity, instruction, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	KindLostStolen: `INSERT INTO ref_lost_stolen (id, doc_type, doc_country, doc_number, reported_at, reason)
		VALUES (?, ?, ?, ?, ?, ?)`,
}

// parseReferenceLine validates one line of kind and returns the insert
// arguments and the name of the field that must be unique in the dataset.
func parseReferenceLine(kind string, raw []byte) ([]any, string, error) {
	switch kind {
	case KindTravelers:
		t, err := ParseTravelerLine(raw)
		if err != nil {
			return nil, "", err
		}
		return []any{t.Document.Country, t.Document.Number, t.Document.Type, t.ID, t.Surname, t.GivenNames,
			t.BirthDate, t.Sex, t.Nationality, t.Citizenship, t.Status, t.ExpiryDate}, "document", nil
	case KindRFID:
		e, err := ParseRFIDLine(raw)
		if err != nil {
			return nil, "", err
		}
		plates := e.VehiclePlates
		if plates == nil {
			plates = []string{}
		}
		pj, err := json.Marshal(plates)
		if err != nil {
			return nil, "", fmt.Errorf("encode vehicle_plates: %w", err)
		}
		return []any{e.EPC, e.Program, e.TravelerID, e.Document.Type, e.Document.Country, e.Document.Number, string(pj)}, "epc", nil
	case KindLookouts:
		l, err := ParseLookoutLine(raw)
		if err != nil {
			return nil, "", err
		}
		var d records.DocumentRef
		if l.Document != nil {
			d = *l.Document
		}
		region, number, _ := strings.Cut(l.Plate, "/")
		return []any{l.ID, l.By, d.Type, d.Country, d.Number, keyName(l.Surname), l.GivenNames,
			l.BirthDate, l.Plate, number, region, l.Severity, l.Instruction, l.Detail}, "id", nil
	case KindLostStolen:
		s, err := ParseLostStolenLine(raw)
		if err != nil {
			return nil, "", err
		}
		return []any{s.ID, s.Document.Type, s.Document.Country, s.Document.Number, s.ReportedAt, s.Reason}, "id", nil
	}
	return nil, "", fmt.Errorf("%w %q", ErrUnknownReferenceKind, kind)
}

// isSQLiteUniqueViolation reports whether err is SQLite refusing a duplicate key.
func isSQLiteUniqueViolation(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
