package sqlitestore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

func TestSearchCrossingsWithDateRange(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	ana := traveller{"RUIZ", "ANA", "1980-01-02", "MEX", "G1234567"}
	bo := traveller{"LEE", "BO", "1975-05-06", "USA", "561234567"}
	day := 24 * time.Hour
	ids := map[string]string{}
	for name, evs := range map[string][]records.Event{
		"ana-day0": vehicleCrossing(t, t0, "V01", "US-AZ", "ABC123", "", false, ana),
		"ana-day2": vehicleCrossing(t, t0.Add(2*day), "V01", "US-AZ", "ABC123", "", true, ana),
		"bo-day1":  vehicleCrossing(t, t0.Add(day), "V02", "MX-SON", "XYZ9", "", false, bo),
	} {
		if _, err := s.Append(ctx, evs...); err != nil {
			t.Fatal(err)
		}
		ids[evs[0].CrossingID] = name
	}
	tests := []struct {
		name string
		t    records.SearchTerms
		want string
	}{
		{"document number", records.SearchTerms{Document: "G1234567"}, "ana-day2,ana-day0"},
		{"document with country", records.SearchTerms{Document: "MEX/G1234567"}, "ana-day2,ana-day0"},
		{"document in range", records.SearchTerms{Document: "G1234567", From: t0.Add(day), To: t0.Add(3 * day)}, "ana-day2"},
		{"name and birth date", records.SearchTerms{Surname: "ruiz", BirthDate: "1980-01-02"}, "ana-day2,ana-day0"},
		{"name, range ends at a crossing (exclusive)", records.SearchTerms{Surname: "RUIZ", BirthDate: "1980-01-02", To: t0.Add(2 * day)}, "ana-day0"},
		{"plate", records.SearchTerms{Plate: "abc 123"}, "ana-day2,ana-day0"},
		{"plate, range starts at a crossing (inclusive)", records.SearchTerms{Plate: "ABC123", From: t0.Add(2 * day)}, "ana-day2"},
		{"plate with region", records.SearchTerms{Plate: "XYZ9", Region: "MX-SON"}, "bo-day1"},
		{"range alone", records.SearchTerms{From: t0.Add(time.Hour), To: t0.Add(2 * day)}, "bo-day1"},
		{"nothing matches", records.SearchTerms{Plate: "NOPE"}, ""},
	}
	for _, tt := range tests {
		got, err := s.SearchCrossings(ctx, tt.t, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var names []string
		for _, h := range got {
			names = append(names, ids[h.CrossingID])
		}
		if strings.Join(names, ",") != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, strings.Join(names, ","), tt.want)
		}
	}
	if _, err := s.SearchCrossings(ctx, records.SearchTerms{}, 0); !errors.Is(err, records.ErrInvalidSearch) {
		t.Errorf("empty search: %v", err)
	}
}

func TestDashboardCrossingsAndInput(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	now := t0.Add(10 * time.Hour)
	a := traveller{"RUIZ", "ANA", "1980-01-02", "MEX", "G1234567"}
	old := vehicleCrossing(t, now.Add(-30*time.Hour), "V01", "US-AZ", "OLD1", "", true, a)      // pending, opened yesterday
	oldDone := vehicleCrossing(t, now.Add(-29*time.Hour), "V01", "US-AZ", "OLD2", "", false, a) // admitted yesterday: out
	recent := vehicleCrossing(t, now.Add(-time.Hour), "V02", "US-AZ", "NEW1", "", false, a)
	for _, evs := range [][]records.Event{old, oldDone, recent} {
		if _, err := s.Append(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AppendJournal(ctx, records.JournalEntry{Lane: "V02", Kind: records.JournalRPMFault, Device: "rpm", Code: "GL", At: now.Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendJournal(ctx, records.JournalEntry{Lane: "V02", Kind: records.JournalRPMFault, Device: "rpm", Code: "GL", At: now.Add(-20 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	in, err := s.DashboardInput(ctx, now, now.Add(-9*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range in.Crossings {
		got[c.ID] = true
	}
	if len(in.Crossings) != 2 || !got[old[0].CrossingID] || !got[recent[0].CrossingID] {
		t.Fatalf("dashboard crossings = %v", got)
	}
	if len(in.Journal) != 1 {
		t.Fatalf("today's journal = %+v", in.Journal)
	}
	d := records.BuildDashboard(in)
	if len(d.Pending) != 1 || d.Pending[0].CrossingID != old[0].CrossingID || d.Pending[0].Waiting < 29*time.Hour {
		t.Errorf("pending = %+v", d.Pending)
	}
	for _, l := range d.Lanes {
		if l.Lane == "V02" && (l.RPM.GammaLow != 1 || l.LastHour != 1 || l.Decided != 1) {
			t.Errorf("V02 = %+v", l)
		}
	}
}
