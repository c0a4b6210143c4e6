package simulator

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"

	"github.com/portofentry/booth/records"
)

//go:embed fixtures/*.jsonl
var fixtureFiles embed.FS

// Fixtures returns the reference data the built-in scenarios resolve
// against: travelers.jsonl, rfid.jsonl, lookouts.jsonl and lost-stolen.jsonl,
// one JSON object per line in the shapes of `portserver import KIND FILE`.
// A copy lives in testdata/reference/ for people who look there.
func Fixtures() fs.FS {
	sub, err := fs.Sub(fixtureFiles, "fixtures")
	if err != nil {
		// fs.Sub only fails on an invalid path; "fixtures" is a constant.
		panic(err)
	}
	return sub
}

// FixtureFiles names the fixture files, one per reference data kind.
var FixtureFiles = []string{"travelers.jsonl", "rfid.jsonl", "lookouts.jsonl", "lost-stolen.jsonl"}

// reference is the parsed fixtures, indexed the way scenarios and the
// matcher need them.
type reference struct {
	travelers  []records.TravelerRecord
	enrollment []records.RFIDRecord
	lookouts   []records.LookoutRecord
	lostStolen []records.LostStolenRecord

	byID   map[string]records.TravelerRecord
	byDoc  map[string]records.TravelerRecord // document key (traveler or RFID document) -> traveler
	byEPC  map[string]records.RFIDRecord
	byName map[string]records.TravelerRecord // surname + "|" + birth date
}

// loadReference parses the embedded fixtures. Every line must be a known
// shape; unknown fields are errors so a typo cannot hide.
func loadReference(fsys fs.FS) (*reference, error) {
	r := &reference{
		byID:   map[string]records.TravelerRecord{},
		byDoc:  map[string]records.TravelerRecord{},
		byEPC:  map[string]records.RFIDRecord{},
		byName: map[string]records.TravelerRecord{},
	}
	if err := readJSONL(fsys, "travelers.jsonl", &r.travelers); err != nil {
		return nil, err
	}
	if err := readJSONL(fsys, "rfid.jsonl", &r.enrollment); err != nil {
		return nil, err
	}
	if err := readJSONL(fsys, "lookouts.jsonl", &r.lookouts); err != nil {
		return nil, err
	}
	if err := readJSONL(fsys, "lost-stolen.jsonl", &r.lostStolen); err != nil {
		return nil, err
	}
	for _, t := range r.travelers {
		if _, dup := r.byID[t.ID]; dup {
			return nil, fmt.Errorf("travelers.jsonl: duplicate id %s", t.ID)
		}
		r.byID[t.ID] = t
		r.byDoc[t.Document.Key()] = t
		r.byName[t.Surname+"|"+t.BirthDate] = t
	}
	for _, e := range r.enrollment {
		t, ok := r.byID[e.TravelerID]
		if !ok {
			return nil, fmt.Errorf("rfid.jsonl: EPC %s names unknown traveler %s", e.EPC, e.TravelerID)
		}
		r.byEPC[e.EPC] = e
		r.byDoc[e.Document.Key()] = t
	}
	return r, nil
}

// readJSONL decodes every non-empty line of name into a new element of *out.
func readJSONL[T any](fsys fs.FS, name string, out *[]T) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("read fixture: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var v T
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("%s:%d: %w", name, n, err)
		}
		*out = append(*out, v)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// fixtures is the embedded reference data, parsed once. The fixtures are part
// of the binary, so failing to parse them is a programming error caught by
// the package tests.
var fixtures = func() *reference {
	r, err := loadReference(Fixtures())
	if err != nil {
		panic(fmt.Sprintf("simulator: embedded fixtures: %v", err))
	}
	return r
}()
