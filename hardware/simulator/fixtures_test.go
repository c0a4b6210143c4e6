package simulator

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// update rewrites the copies under testdata/ instead of comparing them:
// DEVSIM_UPDATE=1 go test ./hardware/simulator/
var update = os.Getenv("DEVSIM_UPDATE") == "1"

var testNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestFixturesAreConsistent(t *testing.T) {
	ref, err := loadReference(Fixtures())
	if err != nil {
		t.Fatal(err)
	}
	if len(ref.travelers) < 30 {
		t.Errorf("%d travelers, want about 30", len(ref.travelers))
	}
	plateKey := regexp.MustCompile(`^[A-Z]{2}-[A-Z]{2}/[A-Z0-9]+$`)
	alpha3 := regexp.MustCompile(`^[A-Z]{3}$`)
	date := func(what, s string) {
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			t.Errorf("%s: date %q is not YYYY-MM-DD", what, s)
		}
	}
	for _, tr := range ref.travelers {
		date(tr.ID+" birth_date", tr.BirthDate)
		date(tr.ID+" expiry_date", tr.ExpiryDate)
		if !alpha3.MatchString(tr.Document.Country) || !alpha3.MatchString(tr.Nationality) {
			t.Errorf("%s: country %q / nationality %q not ISO alpha-3", tr.ID, tr.Document.Country, tr.Nationality)
		}
		// Every traveler's document can be read by the simulated reader.
		lines, err := travelerMRZ(tr)
		if err != nil {
			t.Errorf("%s: build MRZ: %v", tr.ID, err)
			continue
		}
		r, err := mrz.ParseLines(lines, testNow)
		if err != nil || !r.Valid {
			t.Errorf("%s: MRZ %q does not parse valid: %v %+v", tr.ID, lines, err, r)
			continue
		}
		if r.DocumentNumber != tr.Document.Number || r.IssuingStateISO != tr.Document.Country ||
			r.BirthDate != tr.BirthDate || r.ExpiryDate != tr.ExpiryDate {
			t.Errorf("%s: MRZ parses to %s/%s born %s expires %s", tr.ID, r.IssuingStateISO, r.DocumentNumber, r.BirthDate, r.ExpiryDate)
		}
	}
	programs := map[string]bool{"SENTRI": true, "NEXUS": true, "FAST": true, "PASSPORT_CARD": true, "EDL": true}
	for _, e := range ref.enrollment {
		if err := validEPC(e.EPC); err != nil || strings.ToUpper(e.EPC) != e.EPC {
			t.Errorf("rfid %s: %v (or not upper-case)", e.EPC, err)
		}
		if !programs[e.Program] {
			t.Errorf("rfid %s: program %q", e.EPC, e.Program)
		}
		for _, p := range e.VehiclePlates {
			if !plateKey.MatchString(p) {
				t.Errorf("rfid %s: plate %q is not REGION/PLATE", e.EPC, p)
			}
		}
	}
	for _, l := range ref.lookouts {
		switch l.By {
		case "document":
			if l.Document == nil || l.Document.Number == "" {
				t.Errorf("lookout %s: by document without a document", l.ID)
			}
		case "name_dob":
			if l.Surname == "" {
				t.Errorf("lookout %s: by name_dob without a surname", l.ID)
			}
			date(l.ID, l.BirthDate)
		case "plate":
			if !plateKey.MatchString(l.Plate) {
				t.Errorf("lookout %s: plate %q is not REGION/PLATE", l.ID, l.Plate)
			}
		default:
			t.Errorf("lookout %s: by %q", l.ID, l.By)
		}
		if l.Severity != "high" && l.Severity != "medium" && l.Severity != "low" {
			t.Errorf("lookout %s: severity %q", l.ID, l.Severity)
		}
	}
	for _, ls := range ref.lostStolen {
		date(ls.ID, ls.ReportedAt)
		if ls.Reason != "stolen" && ls.Reason != "lost" && ls.Reason != "revoked" {
			t.Errorf("lost-stolen %s: reason %q", ls.ID, ls.Reason)
		}
	}
}

// Every built-in scenario's tags, documents and face verdicts resolve to
// people in the fixtures, and every document read parses valid.
func TestScenariosResolveInFixtures(t *testing.T) {
	for _, sc := range Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			if err := sc.Validate(); err != nil {
				t.Fatal(err)
			}
			for i, st := range sc.Steps {
				switch {
				case st.RFID != nil:
					for _, tag := range st.RFID.Tags {
						if _, ok := fixtures.byEPC[tag.EPC]; !ok {
							t.Errorf("step %d: EPC %s not in rfid.jsonl", i+1, tag.EPC)
						}
					}
				case st.Doc != nil:
					r, err := mrz.ParseLines(st.Doc.Lines, testNow)
					if err != nil || !r.Valid {
						t.Errorf("step %d: MRZ %q does not parse valid: %v %+v", i+1, st.Doc.Lines, err, r)
						continue
					}
					if _, ok := fixtures.byDoc[r.IssuingStateISO+"/"+r.DocumentNumber]; !ok {
						t.Errorf("step %d: document %s/%s not in travelers.jsonl", i+1, r.IssuingStateISO, r.DocumentNumber)
					}
				case st.Face != nil:
					if _, ok := fixtures.byDoc[docKey(st.Face.Country, st.Face.Number)]; !ok {
						t.Errorf("step %d: face for %s/%s, not in the gallery", i+1, st.Face.Country, st.Face.Number)
					}
				}
			}
		})
	}
}

// The scenarios that exist to raise a hit really raise it.
func TestScenarioHitsAreInReferenceData(t *testing.T) {
	lookoutPlates := map[string]bool{}
	lookoutNames := map[string]bool{}
	for _, l := range fixtures.lookouts {
		lookoutPlates[l.Plate] = true
		lookoutNames[l.Surname+"|"+l.BirthDate] = true
	}
	lost := map[string]bool{}
	for _, ls := range fixtures.lostStolen {
		lost[ls.Document.Key()] = true
	}
	sc, _ := Builtin("lookout")
	var plateHit, nameHit bool
	for _, st := range sc.Steps {
		if st.Plate != nil && lookoutPlates[strings.ToUpper(st.Plate.Region)+"/"+st.Plate.Plate] {
			plateHit = true
		}
		if st.Doc != nil {
			r, _ := mrz.ParseLines(st.Doc.Lines, testNow)
			nameHit = r != nil && lookoutNames[r.Surname+"|"+r.BirthDate]
		}
	}
	if !plateHit || !nameHit {
		t.Errorf("lookout scenario: plate hit %v, name+dob hit %v", plateHit, nameHit)
	}
	checkDoc := func(name string, want func(*mrz.Result) bool) {
		sc, _ := Builtin(name)
		for _, st := range sc.Steps {
			if st.Doc != nil {
				r, _ := mrz.ParseLines(st.Doc.Lines, testNow)
				if r == nil || !want(r) {
					t.Errorf("%s: document %+v does not raise the hit", name, r)
				}
				return
			}
		}
		t.Errorf("%s: no document read", name)
	}
	checkDoc("lost-stolen", func(r *mrz.Result) bool { return lost[r.IssuingStateISO+"/"+r.DocumentNumber] })
	checkDoc("expired", func(r *mrz.Result) bool { return strings.Contains(strings.Join(r.Warnings, ","), mrz.WarnExpired) })
	sentri, _ := Builtin("clean-sentri")
	var enrolledPlate string
	for _, st := range sentri.Steps {
		if st.RFID != nil && st.RFID.Tags[0].RSSI > -70 {
			enrolledPlate = fixtures.byEPC[st.RFID.Tags[0].EPC].VehiclePlates[0]
		}
		if st.Plate != nil && strings.ToUpper(st.Plate.Region)+"/"+st.Plate.Plate != enrolledPlate {
			t.Errorf("clean-sentri: plate %s/%s is not the enrolled vehicle %s", st.Plate.Region, st.Plate.Plate, enrolledPlate)
		}
	}
}

// testdata/reference holds a copy of the embedded fixtures for IT staff, and
// testdata/scenarios the built-in scenarios as files; both must stay equal
// to the source of truth.
func TestTestdataCopiesAreCurrent(t *testing.T) {
	root := filepath.Join("..", "..", "testdata")
	want := map[string][]byte{}
	for _, name := range FixtureFiles {
		b, err := fs.ReadFile(Fixtures(), name)
		if err != nil {
			t.Fatal(err)
		}
		want[filepath.Join(root, "reference", name)] = b
	}
	for _, sc := range Scenarios() {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // keep MRZ filler '<' readable
		enc.SetIndent("", "  ")
		if err := enc.Encode(sc); err != nil {
			t.Fatal(err)
		}
		want[filepath.Join(root, "scenarios", sc.Name+".json")] = b.Bytes()
	}
	for path, b := range want {
		if update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (regenerate with DEVSIM_UPDATE=1)", err)
			continue
		}
		if !bytes.Equal(got, b) {
			t.Errorf("%s differs from the source (regenerate with DEVSIM_UPDATE=1)", path)
		}
	}
}

// The scenario files under testdata/scenarios load and validate, including
// the hand-written examples.
func TestScenarioFilesLoad(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "scenarios", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenario files: %v", err)
	}
	for _, f := range files {
		if _, err := LoadScenarioFile(f); err != nil {
			t.Errorf("%v", err)
		}
	}
}
