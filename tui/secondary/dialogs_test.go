package secondary

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// stored is the secondary events the port holds for a crossing, decoded.
func (p *port) stored(t *testing.T, id string, kind records.Kind) []records.Payload {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []records.Payload
	for _, e := range p.events {
		if e.CrossingID == id && e.Kind == kind {
			pl, err := e.Decode()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, pl)
		}
	}
	return out
}

// A seizure needs the item and the quantity; the finding is then stored and
// shown on the record.
func TestFindingDialog(t *testing.T) {
	s, p := openCar(t, 80, 21)
	s.keys("f")
	mustContain(t, s.view(), "SECONDARY FINDING", "Vehicle search", "Document examination")
	s.keys("down", "down", "down") // seizure
	s.keys("tab")
	s.typeText("cash")
	s.keys("enter")
	mustContain(t, s.view(), "✖ a seizure names the quantity seized")
	s.keys("tab")
	s.typeText("12000 USD")
	s.keys("tab")
	s.typeText("undeclared, in the door panel")
	s.keys("enter")
	if s.m.dialog != nil {
		t.Fatalf("dialog still open:\n%s", s.view())
	}
	got := p.stored(t, "car", records.KindSecondaryFinding)
	if len(got) != 1 {
		t.Fatalf("%d findings stored", len(got))
	}
	f := got[0].(*records.SecondaryFinding)
	if f.Category != records.FindingSeizure || f.Item != "cash" || f.Quantity != "12000 USD" || f.Text != "undeclared, in the door panel" {
		t.Fatalf("finding %+v", f)
	}
	mustContain(t, s.allLines(), "B7001@sec-a: Seizure — seized 12000 USD cash", "Finding (Seizure)")
}

// An RPM alarm blocks admission until LSS answered with an adjudication
// code: the determination dialog says why; l requests reachback, then the
// same key records the answer (isotopes and one code among the 5 groups),
// and admission is then possible.
func TestLSSThenAdmit(t *testing.T) {
	for _, sz := range sizes {
		t.Run(itoa(sz.w), func(t *testing.T) {
			s, p := openCar(t, sz.w, sz.h)
			s.keys("d")
			v := s.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "FINAL DETERMINATION", "Admitted — ✖ not available")
			s.keys("enter")
			mustContain(t, strings.Join(strings.Fields(s.view()), " "), "✖ cannot admit: RPM GAMMA alarm on occupancy 4101 has no LSS")
			s.keys("esc")
			if n := len(p.stored(t, "car", records.KindDetermination)); n != 0 {
				t.Fatalf("%d determinations stored", n)
			}

			s.keys("l")
			mustContain(t, s.view(), "LSS REACHBACK — REQUEST", "occupancy #4101")
			s.typeText("spectrum sent")
			s.keys("enter")
			if got := p.stored(t, "car", records.KindLSSRequested); len(got) != 1 || got[0].(*records.LSSRequested).Occupancy != 4101 {
				t.Fatalf("requests %v", got)
			}
			mustContain(t, s.allLines(), "LSS requested", "spectrum sent", "NOT ADJUDICATED")

			s.keys("l")
			v = s.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "LSS REACHBACK — ANSWER", "Cs-137", "Pu-239", "unknown",
				"Real alarm", "Innocent alarm", "False alarm", "Test or maintenance", "Other",
				"03 medical isotope", "07 RIID/ASP shows background only", "10 unauthorised activity (tamper)")
			// No isotope yet: refused with the reason.
			s.keys("tab", "down", "down", "enter")
			mustContain(t, s.view(), "name the isotopes")
			// I-131 and Tc-99m ticked, code 3 chosen with space, enter.
			s.keys("tab", "tab") // back to the isotopes
			s.keys("right", "right", "space", "right", "space")
			s.keys("tab", "space", "enter")
			got := p.stored(t, "car", records.KindLSSAnswered)
			if len(got) != 1 {
				t.Fatalf("%d answers stored:\n%s", len(got), s.view())
			}
			a := got[0].(*records.LSSAnswered)
			if a.Code != records.CodeInnocentMedical || !slices.Equal(a.Isotopes, []records.Isotope{records.IsotopeI131, records.IsotopeTc99m}) {
				t.Fatalf("answer %+v", a)
			}
			mustNotContain(t, s.view(), "not adjudicated")
			mustContain(t, s.allLines(), "✔ #4101 adjudicated", "code 3 innocent alarm: medical isotope", "I-131", "Tc-99m")
			if st := s.status(keyMsg("l")); !strings.Contains(st.Text, "every RPM alarm of this crossing is adjudicated") {
				t.Fatalf("l after the answer: %+v", st)
			}

			s.keys("d")
			mustNotContain(t, s.view(), "not available")
			s.keys("tab")
			s.typeText("medical isotope confirmed")
			s.keys("enter")
			dets := p.stored(t, "car", records.KindDetermination)
			if len(dets) != 1 || dets[0].(*records.Determination).Outcome != records.OutcomeAdmitted {
				t.Fatalf("determinations %v", dets)
			}
			mustContain(t, s.view(), "DETERMINED: Admitted by B7001@sec-a")
			s.keys("esc")
			mustContain(t, s.view(), "0 waiting")
		})
	}
}

// Turned over to another agency needs the agency; it is stored with it.
func TestDeterminationTurnedOver(t *testing.T) {
	p := &port{synced: t0}
	p.add(referredWalker(t, "walker", 0)...)
	clock := &testClock{now: t0.Add(time.Hour)}
	s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
	s.keys("enter", "d")
	mustContain(t, s.view(), "Admitted", "Refused (inadmissible)", "Application withdrawn", "Turned over to another agency", "Released")
	s.keys("down", "down", "down")
	mustContain(t, s.view(), "agency:")
	s.keys("enter")
	mustContain(t, s.view(), "✖ name the agency the traveller is turned over to")
	s.keys("tab")
	s.typeText("HSI")
	s.keys("tab")
	s.typeText("outstanding warrant")
	s.keys("enter")
	dets := p.stored(t, "walker", records.KindDetermination)
	if len(dets) != 1 {
		t.Fatalf("%d determinations", len(dets))
	}
	d := dets[0].(*records.Determination)
	if d.Outcome != records.OutcomeTurnedOver || d.Agency != "HSI" || d.Note != "outstanding warrant" || d.Supersedes != "" {
		t.Fatalf("determination %+v", d)
	}
	mustContain(t, s.view(), "DETERMINED: Turned over to another agency: HSI")
}

// A second determination on this workstation is a correction naming the
// first; it replaces it without a conflict.
func TestCorrectionSupersedes(t *testing.T) {
	p := &port{synced: t0}
	p.add(referredWalker(t, "walker", 0)...)
	clock := &testClock{now: t0.Add(time.Hour)}
	s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
	s.keys("enter", "d", "down", "enter") // refused
	first := p.stored(t, "walker", records.KindDetermination)
	if len(first) != 1 {
		t.Fatal("no determination")
	}
	s.keys("d")
	mustContain(t, s.view(), "CORRECT THE DETERMINATION", "Supersedes", "Refused (inadmissible) — B7001@sec-a")
	s.keys("down", "down", "down", "down", "enter") // released
	dets := p.stored(t, "walker", records.KindDetermination)
	if len(dets) != 2 || dets[1].(*records.Determination).Supersedes == "" {
		t.Fatalf("determinations %v", dets)
	}
	mustContain(t, s.view(), "DETERMINED: Released")
	mustNotContain(t, s.view(), "CONFLICT")
	mustContain(t, s.allLines(), "superseded", "✔ final")
}

// A write that fails says so, and nothing is shown as saved.
func TestWriteFails(t *testing.T) {
	s, p := openCar(t, 80, 21)
	p.fail = errTestDown
	st := s.status(keyMsg("t"))
	if !st.Err || !strings.Contains(st.Text, "taken NOT saved: replica down") {
		t.Fatalf("status %+v", st)
	}
	mustContain(t, s.view(), "not taken")
}

// Search takes a document number, a plate, or a surname and birth date; the
// results open like the queue, and every search is audited with its terms.
func TestSearch(t *testing.T) {
	p := &port{synced: t0}
	p.add(referredCar(t, "car", 0)...)
	p.add(referredWalker(t, "walker", time.Minute)...)
	clock := &testClock{now: t0.Add(time.Hour)}
	for _, tc := range []struct{ terms, want, not string }{
		{"7abc123", "GARCIA", "THOMPSON"},
		{"533401872", "THOMPSON", "GARCIA"},
		{"thompson 1979-12-12", "THOMPSON", "GARCIA"},
		{"garcia 1999-01-01", "no crossing found", "THOMPSON"},
	} {
		t.Run(tc.terms, func(t *testing.T) {
			s := newStation(t, p, clock, "sec-a", "B7001", 80, 21)
			s.keys("/")
			s.typeText(tc.terms)
			s.keys("enter")
			v := s.view()
			mustContain(t, v, "SEARCH", tc.want)
			mustNotContain(t, v, tc.not)
			if last := s.audit[len(s.audit)-1]; !strings.HasPrefix(last, "B7001 search ") {
				t.Fatalf("search not audited: %v", s.audit)
			}
			if tc.want != "no crossing found" {
				s.keys("enter")
				mustContain(t, s.view(), "CROSSING")
				s.keys("esc")
				mustContain(t, s.view(), "SEARCH")
			}
			s.keys("esc")
			mustContain(t, s.view(), "REFERRAL QUEUE")
		})
	}
}

func TestParseQuery(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Query
		err  string
	}{
		{"G12345678", Query{Document: "G12345678", Plate: "G12345678"}, ""},
		{" 7abc 123 ", Query{Document: "7ABC123", Plate: "7ABC123"}, ""},
		{"garcia lopez 1982-11-02", Query{Surname: "GARCIA LOPEZ", BirthDate: "1982-11-02"}, ""},
		{"1982-11-02 garcia", Query{Surname: "GARCIA", BirthDate: "1982-11-02"}, ""},
		{"GARCIA, 1982-11-02", Query{Surname: "GARCIA", BirthDate: "1982-11-02"}, ""},
		{"1982-11-02", Query{}, "with a surname"},
		{"", Query{}, "type what"},
		{"ab", Query{}, "at least 3"},
		{"garcia, maria", Query{}, "needs a birth date"},
	} {
		got, err := parseQuery(tc.in)
		if got != tc.want || (tc.err == "") != (err == "") || !strings.Contains(err, tc.err) {
			t.Errorf("parseQuery(%q) = %+v, %q; want %+v, %q", tc.in, got, err, tc.want, tc.err)
		}
	}
}

// Whatever an officer types, the search line parses to a query or a
// reason, never both or neither.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"G12345678", "garcia 1984-03-17", "", "1984-03-17", "a,b", "ÄÖÜ 2000-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, why := parseQuery(s)
		if (q == Query{}) == (why == "") {
			t.Fatalf("parseQuery(%q) = %+v, %q", s, q, why)
		}
		if q.Surname != "" && q.BirthDate == "" {
			t.Fatalf("name without birth date: %+v", q)
		}
	})
}
