package sqlitestore

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

var (
	maria = traveller{"GARCIA", "MARIA ELENA", "1984-03-17", "USA", "561234567"}
	jose  = traveller{"O'BRIEN-PEREZ", "JOSÉ", "1979-12-01", "MEX", "G12345678"}
	hans  = traveller{"MULLER", "HANS", "1966-06-06", "DEU", "C01X00T47"}
)

// seedHistory stores a small, known history and returns the crossing ids
// oldest first.
func seedHistory(t *testing.T, s *Store) []string {
	t.Helper()
	ctx := context.Background()
	var ids []string
	add := func(evs []records.Event) {
		if _, err := s.Append(ctx, evs...); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, evs[0].CrossingID)
	}
	add(vehicleCrossing(t, t0, "V01", "us-ca", "7ABC123", "E2003411B802011516121234", false, maria, jose))
	add(vehicleCrossing(t, t0.Add(24*time.Hour), "V02", "us-ca", "7ABC123", "E2003411B802011516121234", true, maria))
	add(vehicleCrossing(t, t0.Add(48*time.Hour), "V01", "mx-bcn", "7ABC123", "", false, jose, hans))
	// A pedestrian with the passport, keyed by hand with a spaced number.
	cid := records.NewID()
	add([]records.Event{
		mustEvent(t, cid, records.CrossingOpened{Port: "2504", Lane: "P01", Mode: records.ModePedestrian, Trigger: "manual"}, t0.Add(72*time.Hour), "B7"),
		mustEvent(t, cid, records.DocumentKeyed{Fields: &records.KeyedFields{DocumentCode: "P", IssuingState: "MEX",
			Number: "g1234 5678", Surname: "O'Brien Pérez", GivenNames: "José", BirthDate: "1979-12-01"}}, t0.Add(72*time.Hour+time.Minute), "B7"),
	})
	return ids
}

func historyIDs(h []HistoryEntry) []string {
	var ids []string
	for _, e := range h {
		ids = append(ids, e.CrossingID)
	}
	return ids
}

func TestHistoryLookups(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	ids := seedHistory(t, s)
	c0, c1, c2, c3 := ids[0], ids[1], ids[2], ids[3]
	cases := []struct {
		name string
		get  func() ([]HistoryEntry, error)
		want []string
	}{
		{"document", func() ([]HistoryEntry, error) { return s.HistoryByDocument(ctx, "USA", "561234567", 10) }, []string{c1, c0}},
		{"SENTRI card finds the card holder", func() ([]HistoryEntry, error) { return s.HistoryByDocument(ctx, "usa", "9561234567", 10) }, []string{c1, c0}},
		{"document normalised", func() ([]HistoryEntry, error) { return s.HistoryByDocument(ctx, "mex", " g1234-5678 ", 10) }, []string{c3, c2, c0}},
		{"document D is DEU", func() ([]HistoryEntry, error) { return s.HistoryByDocument(ctx, "D", "C01X00T47<", 10) }, []string{c2}},
		{"document limit", func() ([]HistoryEntry, error) { return s.HistoryByDocument(ctx, "MEX", "G12345678", 2) }, []string{c3, c2}},
		{"document unknown", func() ([]HistoryEntry, error) { return s.HistoryByDocument(ctx, "USA", "000", 10) }, nil},
		{"document empty", func() ([]HistoryEntry, error) { return s.HistoryByDocument(ctx, "USA", " ", 10) }, nil},
		{"name+dob", func() ([]HistoryEntry, error) { return s.HistoryByNameDOB(ctx, "garcia", "", "1984-03-17", 10) }, []string{c1, c0}},
		{"name+dob with given", func() ([]HistoryEntry, error) {
			return s.HistoryByNameDOB(ctx, "Garcia", "Maria Elena", "19840317", 10)
		}, []string{c1, c0}},
		{"name+dob wrong given", func() ([]HistoryEntry, error) { return s.HistoryByNameDOB(ctx, "GARCIA", "ANA", "1984-03-17", 10) }, nil},
		{"name punctuation and accents", func() ([]HistoryEntry, error) {
			return s.HistoryByNameDOB(ctx, "OBRIEN PEREZ", "JOSE", "1979-12-01", 10)
		}, []string{c3, c2, c0}},
		{"name wrong dob", func() ([]HistoryEntry, error) { return s.HistoryByNameDOB(ctx, "GARCIA", "", "1984-03-18", 10) }, nil},
		{"plate any region", func() ([]HistoryEntry, error) { return s.HistoryByPlate(ctx, "", "7abc 123", 10) }, []string{c2, c1, c0}},
		{"plate with region", func() ([]HistoryEntry, error) { return s.HistoryByPlate(ctx, "US-CA", "7ABC-123", 10) }, []string{c1, c0}},
		{"plate other region", func() ([]HistoryEntry, error) { return s.HistoryByPlate(ctx, "mx-bcn", "7ABC123", 10) }, []string{c2}},
		{"epc", func() ([]HistoryEntry, error) { return s.HistoryByEPC(ctx, "e200 3411 b802 0115 1612 1234", 10) }, []string{c1, c0}},
		{"epc unknown", func() ([]HistoryEntry, error) { return s.HistoryByEPC(ctx, "E2003411B802011516129999", 10) }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := c.get()
			if err != nil {
				t.Fatal(err)
			}
			if got := historyIDs(h); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	h, err := s.HistoryByDocument(ctx, "USA", "561234567", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := HistoryEntry{CrossingID: c1, At: t0.Add(24 * time.Hour), Port: "2504", Lane: "V02", Mode: records.ModeVehicle,
		Origin: "WS-TEST", Status: records.StatusReferred, Plate: "7ABC123", Region: "us-ca",
		Travelers: []string{"GARCIA, MARIA ELENA"}, Referred: true}
	// Which alerts a crossing raises is the fold's business (records): the
	// entry must carry the count the fold gives.
	folded, err := s.Crossing(ctx, c1)
	if err != nil {
		t.Fatal(err)
	}
	want.Alerts = len(folded.Alerts)
	if !reflect.DeepEqual(h[0], want) {
		t.Errorf("entry\n got %+v\nwant %+v", h[0], want)
	}
	if h[1].Outcome != records.OutcomeAdmitted || h[1].Referred || len(h[1].Travelers) != 2 {
		t.Errorf("older entry %+v", h[1])
	}
}

// allLookups runs every look-up a booth makes for the seeded subjects, so
// two stores can be compared answer by answer.
func allLookups(t *testing.T, s *Store) map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	rec := func(name string, v any, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = v
	}
	for _, tr := range []traveller{maria, jose, hans} {
		h, err := s.HistoryByDocument(ctx, tr.country, tr.number, 100)
		rec("doc "+tr.number, h, err)
		h, err = s.HistoryByNameDOB(ctx, tr.surname, "", tr.birth, 100)
		rec("name "+tr.surname, h, err)
	}
	h, err := s.HistoryByPlate(ctx, "", "7ABC123", 100)
	rec("plate", h, err)
	h, err = s.HistoryByEPC(ctx, "E2003411B802011516121234", 100)
	rec("epc", h, err)
	r, err := s.RecentCrossings(ctx, "", 100)
	rec("recent", r, err)
	r, err = s.RecentCrossings(ctx, "V01", 100)
	rec("recent V01", r, err)
	r, err = s.Referred(ctx)
	rec("referred", r, err)
	return out
}

func TestRebuildProjectionsGivesIdenticalAnswers(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	seedHistory(t, s)
	if _, err := generateCrossings(ctx, s, 300, 7); err != nil {
		t.Fatal(err)
	}
	before := allLookups(t, s)
	snapshot := func() string {
		var b strings.Builder
		for _, table := range []string{"crossings", "crossing_travelers", "crossing_documents", "crossing_plates", "crossing_epcs"} {
			rows, err := s.read.Query(`SELECT * FROM ` + table + ` ORDER BY 1, 2`)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				fmt.Fprintln(&b, table, vals)
			}
			rows.Close()
		}
		return b.String()
	}
	tables := snapshot()
	if _, err := s.write.Exec(`DELETE FROM crossings`); err != nil { // cascades to the key tables
		t.Fatal(err)
	}
	if h, _ := s.HistoryByPlate(ctx, "", "7ABC123", 10); len(h) != 0 {
		t.Fatalf("projections not cleared: %v", h)
	}
	if err := s.RebuildProjections(ctx); err != nil {
		t.Fatal(err)
	}
	if after := allLookups(t, s); !reflect.DeepEqual(before, after) {
		for k := range before {
			if !reflect.DeepEqual(before[k], after[k]) {
				t.Errorf("%s differs after rebuild:\nbefore %+v\nafter  %+v", k, before[k], after[k])
			}
		}
	}
	if got := snapshot(); got != tables {
		t.Error("projection tables differ after rebuild")
	}
	// Rebuilding on top of intact projections changes nothing either.
	if err := s.RebuildProjections(ctx); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(); got != tables {
		t.Error("second rebuild changed the projections")
	}
}

// TestLookupPlansUseIndexes guards the latency budget: every look-up must
// walk an index in order, with no scan and no sort of the whole table.
func TestLookupPlansUseIndexes(t *testing.T) {
	s := openTest(t)
	for _, c := range []struct {
		name, query, index string
		args               []any
	}{
		{"document", historyByDocumentSQL, "documents_by_key", []any{"USA/1", 10}},
		{"name", historyByNameSQL, "travelers_by_name", []any{"A", "19800101", "", "", 10}},
		{"plate", historyByPlateSQL, "plates_by_plate", []any{"ABC", "", "", 10}},
		{"epc", historyByEPCSQL, "epcs_by_epc", []any{"E2", 10}},
		{"recent lane", `SELECT ` + summaryColumns + ` FROM crossings c WHERE c.lane = ? ORDER BY c.opened_at DESC LIMIT ?`, "crossings_by_lane", []any{"V01", 10}},
		{"referred", `SELECT ` + summaryColumns + ` FROM crossings c WHERE c.status = ? ORDER BY c.opened_at LIMIT ?`, "crossings_by_status", []any{"referred", 10}},
		{"events", `SELECT ` + eventColumns + ` FROM events e WHERE e.crossing_id = ? ORDER BY e.at, e.id`, "events_by_crossing", []any{"C"}},
	} {
		rows, err := s.read.Query(`EXPLAIN QUERY PLAN `+c.query, c.args...)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		joined := strings.Join(plan, " | ")
		if !strings.Contains(joined, c.index) || strings.Contains(joined, "TEMP B-TREE") || strings.Contains(joined, "SCAN ") {
			t.Errorf("%s: plan %q, want a search of %s with no scan or sort", c.name, joined, c.index)
		}
	}
}

func TestKeyNormalisation(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"doc", keyDocument(" usa ", "56 123-4567<<"), "USA/561234567"},
		{"doc D", keyDocument("D", "c01x00t47"), "DEU/C01X00T47"},
		{"doc empty", keyDocument("USA", "<<"), ""},
		{"name", keyName("O'Brien-Pérez"), "OBRIENPEREZ"},
		{"name mrz", keyName("OBRIEN<PEREZ"), "OBRIENPEREZ"},
		{"birth", keyBirthDate("1979-12-01"), "19791201"},
		{"plate", keyPlate("abc-12 34"), "ABC1234"},
		{"region", keyRegion(" us-az "), "US-AZ"},
		{"epc", keyEPC("e200 3411 b802"), "E2003411B802"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
