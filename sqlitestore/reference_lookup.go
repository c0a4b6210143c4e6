package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portofentry/booth/records"
)

// The look-ups a booth makes while a vehicle waits. Each is served by an
// index (TestReferenceLookupsUseIndexes checks the query plans).
const (
	sqlTravelerByDocument = `SELECT id, doc_type, doc_country, doc_number, surname, given_names, birth_date, sex,
		nationality, citizenship, status, expiry_date FROM ref_travelers WHERE doc_country = ? AND doc_number = ?`
	sqlTravelerByID = `SELECT id, doc_type, doc_country, doc_number, surname, given_names, birth_date, sex,
		nationality, citizenship, status, expiry_date FROM ref_travelers WHERE id = ?
		ORDER BY doc_country, doc_number LIMIT 1`
	sqlEnrollmentByEPC = `SELECT r.program, r.traveler_id, r.doc_type, r.doc_country, r.doc_number, r.vehicle_plates,
			t.surname, t.given_names, t.birth_date
		FROM ref_rfid r LEFT JOIN ref_travelers t ON t.id = r.traveler_id
		WHERE r.epc = ? ORDER BY t.doc_country, t.doc_number LIMIT 1`
	sqlLookoutColumns     = `SELECT id, by, given_names, plate_region, severity, instruction, detail FROM ref_lookouts `
	sqlLookoutsByDocument = sqlLookoutColumns + `WHERE by = 'document' AND doc_country = ? AND doc_number = ?`
	sqlLookoutsByNameDOB  = sqlLookoutColumns + `WHERE by = 'name_dob' AND surname = ? AND birth_date = ?`
	sqlLookoutsByPlate    = sqlLookoutColumns + `WHERE by = 'plate' AND plate_number = ?`
	sqlLostStolen         = `SELECT id, reported_at, reason FROM ref_lost_stolen
		WHERE doc_country = ? AND doc_number = ? ORDER BY reported_at DESC, id LIMIT 1`
)

// DatasetInfo describes the loaded version of one reference dataset.
type DatasetInfo struct {
	Kind       string
	Version    int64     // 0 when never loaded
	AsOf       time.Time // when the port server's data was current; zero when never loaded
	Count      int
	ImportedAt time.Time
}

// Stale reports whether the dataset is older than maxAge at now (or was
// never loaded).
func (d DatasetInfo) Stale(now time.Time, maxAge time.Duration) bool {
	return d.Version == 0 || now.Sub(d.AsOf) > maxAge
}

// ImportReference replaces the reference dataset of kind (travelers, rfid,
// lookouts, lost-stolen) with the JSONL read from r, atomically: every line is
// validated inside one transaction and the first bad line (an *ImportError
// naming the line and field) rolls everything back. version must be newer
// than the loaded one (ErrStaleDataset otherwise); asOf is the time the data
// was current at the port server. The import is audited in the same
// transaction.
func (s *Store) ImportReference(ctx context.Context, kind string, r io.Reader, version int64, asOf time.Time) (n int, err error) {
	now := time.Now()
	err = s.ownWriteTx(ctx, func(tx *sql.Tx) error {
		var err error
		if n, err = importReferenceTx(ctx, tx, kind, r, version, asOf, now); err != nil {
			return err
		}
		_, err = s.auditTx(ctx, tx, AuditEntry{At: now, Action: ActionReferenceImport, Subject: "reference:" + kind,
			Detail: AuditDetail(map[string]any{"version": version, "as_of": asOf.UTC().Format(time.RFC3339), "count": n})})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlitestore: %w", err)
	}
	s.log.Info("reference data imported", "kind", kind, "version", version, "as_of", asOf, "count", n)
	return n, nil
}

// ReferenceStatus lists every reference dataset kind with its loaded version,
// in ReferenceKinds order; a kind never loaded has Version 0.
func (s *Store) ReferenceStatus(ctx context.Context) ([]DatasetInfo, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT kind, version, as_of, count, imported_at FROM ref_datasets`)
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: reference status: %w", err)
	}
	defer rows.Close()
	got := map[string]DatasetInfo{}
	for rows.Next() {
		var d DatasetInfo
		var asOf, imported int64
		if err := rows.Scan(&d.Kind, &d.Version, &asOf, &d.Count, &imported); err != nil {
			return nil, fmt.Errorf("sqlitestore: reference status: %w", err)
		}
		d.AsOf, d.ImportedAt = time.Unix(0, asOf).UTC(), time.Unix(0, imported).UTC()
		got[d.Kind] = d
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitestore: reference status: %w", err)
	}
	out := make([]DatasetInfo, 0, len(ReferenceKinds))
	for _, k := range ReferenceKinds {
		d, ok := got[k]
		if !ok {
			d = DatasetInfo{Kind: k}
		}
		out = append(out, d)
	}
	return out, nil
}

// ReferenceTraveler is a traveller record from partner agencies.
type ReferenceTraveler struct {
	ID          string
	Document    records.DocumentRef
	Surname     string
	GivenNames  string
	BirthDate   string
	Sex         string
	Nationality string
	Citizenship string // "" when unknown
	Status      string // USC, LPR, B1/B2…
	ExpiryDate  string // of the status or visa; "" when none
}

// travelerByDocument returns the traveller record for doc, matched by issuing
// country and number (the document type is not part of the key: readers and
// officers disagree on it). found is false when there is none.
func (s *Store) travelerByDocument(ctx context.Context, doc records.DocumentRef) (t ReferenceTraveler, found bool, err error) {
	doc = NormalizeDocumentRef(doc)
	err = s.read.QueryRowContext(ctx, sqlTravelerByDocument,
		doc.Country, doc.Number).Scan(&t.ID, &t.Document.Type, &t.Document.Country, &t.Document.Number, &t.Surname,
		&t.GivenNames, &t.BirthDate, &t.Sex, &t.Nationality, &t.Citizenship, &t.Status, &t.ExpiryDate)
	if errors.Is(err, sql.ErrNoRows) {
		return ReferenceTraveler{}, false, nil
	}
	if err != nil {
		return ReferenceTraveler{}, false, fmt.Errorf("sqlitestore: traveler by document %s: %w", doc.Key(), err)
	}
	return t, true, nil
}

// travelerByID returns the traveller record with the partner agencies' id,
// the one an RFID enrollment names. found is false when there is none.
func (s *Store) travelerByID(ctx context.Context, id string) (t ReferenceTraveler, found bool, err error) {
	err = s.read.QueryRowContext(ctx, sqlTravelerByID, id).Scan(&t.ID, &t.Document.Type, &t.Document.Country,
		&t.Document.Number, &t.Surname, &t.GivenNames, &t.BirthDate, &t.Sex, &t.Nationality, &t.Citizenship, &t.Status, &t.ExpiryDate)
	if errors.Is(err, sql.ErrNoRows) {
		return ReferenceTraveler{}, false, nil
	}
	if err != nil {
		return ReferenceTraveler{}, false, fmt.Errorf("sqlitestore: traveler %s: %w", id, err)
	}
	return t, true, nil
}

// EnrollmentByEPC resolves an RFID tag to its enrollment, with the
// traveller's name and birth date filled in from the travelers dataset when
// it has the traveller. found is false for an EPC not enrolled.
func (s *Store) EnrollmentByEPC(ctx context.Context, epc string) (e records.Enrollment, found bool, err error) {
	norm, err := checkEPC(epc)
	if err != nil {
		return records.Enrollment{}, false, nil // a malformed EPC is simply not enrolled
	}
	var plates string
	var surname, given, birth sql.NullString
	err = s.read.QueryRowContext(ctx, sqlEnrollmentByEPC, norm).Scan(&e.Program, &e.TravelerID, &e.Document.Type, &e.Document.Country,
		&e.Document.Number, &plates, &surname, &given, &birth)
	if errors.Is(err, sql.ErrNoRows) {
		return records.Enrollment{}, false, nil
	}
	if err != nil {
		return records.Enrollment{}, false, fmt.Errorf("sqlitestore: enrollment by EPC %s: %w", norm, err)
	}
	e.Surname, e.GivenNames, e.BirthDate = surname.String, given.String, birth.String
	if err := json.Unmarshal([]byte(plates), &e.VehiclePlates); err != nil {
		return records.Enrollment{}, false, fmt.Errorf("sqlitestore: enrollment by EPC %s: vehicle plates: %w", norm, err)
	}
	if len(e.VehiclePlates) == 0 {
		e.VehiclePlates = nil
	}
	return e, true, nil
}

// lookoutsFor returns the lookout hits for a traveller and vehicle: by
// document (country + number), by name + birth date, and by plate. Any
// argument may be empty to skip that look-up. A name lookout matches when
// surname (after keyName) and birth date are equal and either side has no
// given names or the lookout's first given name is among the traveller's. A plate
// lookout matches on the plate number, and on the region too when both sides
// know it. Hits come back high severity first, then by id.
func (s *Store) lookoutsFor(ctx context.Context, doc records.DocumentRef, surname, given, birthDate, plateKey string) ([]records.Hit, error) {
	var hits []records.Hit
	seen := map[string]bool{}
	add := func(rows *sql.Rows, keep func(lookoutRow) bool) error {
		defer rows.Close()
		for rows.Next() {
			var l lookoutRow
			if err := rows.Scan(&l.id, &l.by, &l.givenNames, &l.plateRegion, &l.severity, &l.instruction, &l.detail); err != nil {
				return err
			}
			if seen[l.id] || !keep(l) {
				continue
			}
			seen[l.id] = true
			hits = append(hits, records.Hit{ID: l.id, Type: records.HitLookout, Severity: l.severity,
				Instruction: l.instruction, Detail: l.detail})
		}
		return rows.Err()
	}
	all := func(lookoutRow) bool { return true }

	doc = NormalizeDocumentRef(doc)
	if doc.Country != "" && doc.Number != "" {
		rows, err := s.read.QueryContext(ctx, sqlLookoutsByDocument, doc.Country, doc.Number)
		if err == nil {
			err = add(rows, all)
		}
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: lookouts by document %s: %w", doc.Key(), err)
		}
	}
	if sn, dob := keyName(surname), isoBirthDate(birthDate); sn != "" && dob != "" {
		givenTokens := strings.Fields(cleanName(given))
		rows, err := s.read.QueryContext(ctx, sqlLookoutsByNameDOB, sn, dob)
		if err == nil {
			err = add(rows, func(l lookoutRow) bool { return givenNamesMatch(l.givenNames, givenTokens) })
		}
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: lookouts by name and birth date: %w", err)
		}
	}
	if plateKey != "" {
		key, err := NormalizePlateKey(plateKey)
		if err == nil { // an unreadable plate cannot match any lookout
			region, number, _ := strings.Cut(key, "/")
			rows, err := s.read.QueryContext(ctx, sqlLookoutsByPlate, number)
			if err == nil {
				err = add(rows, func(l lookoutRow) bool { return region == "" || l.plateRegion == "" || l.plateRegion == region })
			}
			if err != nil {
				return nil, fmt.Errorf("sqlitestore: lookouts by plate %s: %w", key, err)
			}
		}
	}
	sortHits(hits)
	return hits, nil
}

// isoBirthDate accepts YYYY-MM-DD or YYYYMMDD and returns YYYY-MM-DD, or ""
// for anything else.
func isoBirthDate(s string) string {
	d := keyBirthDate(s)
	if len(d) != 8 {
		return ""
	}
	return d[:4] + "-" + d[4:6] + "-" + d[6:]
}

type lookoutRow struct {
	id, by, givenNames, plateRegion, severity, instruction, detail string
}

// givenNamesMatch: a lookout without given names matches any, and a
// traveller whose given names are not known matches any lookout (a missed
// lookout is worse than one the officer dismisses); otherwise the lookout's
// first given name must be one of the traveller's (MRZ names are often
// truncated, so later names are not required).
func givenNamesMatch(lookoutGiven string, travelerTokens []string) bool {
	lt := strings.Fields(lookoutGiven)
	if len(lt) == 0 || len(travelerTokens) == 0 {
		return true
	}
	for _, t := range travelerTokens {
		if keyName(t) == keyName(lt[0]) {
			return true
		}
	}
	return false
}

// lostStolen returns the lost/stolen/revoked report for doc, if any.
func (s *Store) lostStolen(ctx context.Context, doc records.DocumentRef) (*records.Hit, bool, error) {
	doc = NormalizeDocumentRef(doc)
	var id, reported, reason string
	err := s.read.QueryRowContext(ctx, sqlLostStolen, doc.Country, doc.Number).Scan(&id, &reported, &reason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlitestore: lost/stolen %s: %w", doc.Key(), err)
	}
	return &records.Hit{
		ID:          id,
		Type:        records.HitLostStolen,
		Severity:    "high",
		Instruction: "Document reported " + reason + ": retain the document and refer to secondary.",
		Detail:      fmt.Sprintf("%s %s reported %s on %s", doc.Country, doc.Number, reason, reported),
	}, true, nil
}
