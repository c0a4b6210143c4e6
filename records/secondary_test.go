package records

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// referredAlarm is a SENTRI car with an RPM gamma alarm on occupancy 43,
// referred by the primary officer A1.
func referredAlarm(t *testing.T) *log {
	l := cleanSentri(t, "booth-1")
	l.add("", RPMOccupancy{Occupancy: 43, GammaAlarm: true, MaxGamma: 900, BackgroundGamma: 400})
	l.add("A1", AlertAcknowledged{AlertID: "rpm:43"})
	l.add("A1", Referred{Reasons: []string{ReasonRPMAlarm}, Note: "gamma alarm, driver mentions hospital"})
	return l
}

// on switches the log to another workstation (same crossing, own sequence).
func (l *log) on(origin string) *log {
	return &log{t: l.t, id: l.id, origin: origin, at: l.at}
}

func TestSecondaryTakes(t *testing.T) {
	l := referredAlarm(t)
	s1, s2 := l.on("sec-1"), l.on("sec-2")
	s1.add("S1", SecondaryTaken{})
	s2.at = s1.at
	s2.add("S2", SecondaryTaken{Note: "I have it"})
	c := Fold(slices.Concat(l.events, s1.events, s2.events))
	if len(c.Takes) != 2 || c.TakenBy == nil || c.TakenBy.By() != "S2@sec-2" {
		t.Fatalf("takes %+v, taken by %+v", c.Takes, c.TakenBy)
	}
	if c.Takes[0].By() != "S1@sec-1" {
		t.Errorf("history lost the first take: %+v", c.Takes)
	}
	q := c.QueueEntry(s2.at.Add(time.Minute))
	if q.TakenBy != "S2@sec-2" || !q.TakenAt.Equal(s2.at) {
		t.Errorf("queue entry taken by %q at %s", q.TakenBy, q.TakenAt)
	}
}

func TestLSSExchangeKeepsEveryAnswer(t *testing.T) {
	l := referredAlarm(t)
	s := l.on("sec-1")
	s.add("S1", LSSRequested{Occupancy: 43, Note: "spectrum sent"})
	s.add("S1", LSSAnswered{Occupancy: 43, Answer: "medical isotope"}) // schema-1 free text
	s.add("S1", LSSAnswered{Occupancy: 43, Isotopes: []Isotope{IsotopeTc99m}, Code: CodeInnocentMedical})
	s.add("S1", LSSRequested{Occupancy: 43, Note: "second opinion"})
	c := Fold(slices.Concat(l.events, s.events))
	if len(c.LSS) != 1 {
		t.Fatalf("want one exchange for occupancy 43, got %+v", c.LSS)
	}
	x := c.LSS[0]
	if len(x.Requests) != 2 || x.Request.Value.Note != "spectrum sent" || len(x.Answers) != 2 {
		t.Fatalf("exchange %+v", x)
	}
	if x.Answer == nil || x.Answer.Value.Code != CodeInnocentMedical || !x.Adjudicated() {
		t.Errorf("latest answer %+v adjudicated %v", x.Answer, x.Adjudicated())
	}
	if x.Answers[0].Value.Answer != "medical isotope" || x.Answers[0].Value.Adjudicates() {
		t.Errorf("v1 answer %+v", x.Answers[0])
	}
	if a := c.Adjudication(43); a == nil || a.Value.Code != CodeInnocentMedical {
		t.Errorf("adjudication %+v", a)
	}
}

func TestCanDetermine(t *testing.T) {
	tests := []struct {
		name    string
		build   func(t *testing.T) *log
		outcome Outcome
		ok      bool
		why     string
	}{
		{"not referred", func(t *testing.T) *log { return cleanSentri(t, "b") }, OutcomeReleased, false, "not referred"},
		{"alarm unadjudicated blocks admit", referredAlarm, OutcomeAdmitted, false, "RPM GAMMA alarm on occupancy 43 has no LSS adjudication"},
		{"alarm unadjudicated allows refuse", referredAlarm, OutcomeRefused, true, ""},
		{"request only blocks admit", func(t *testing.T) *log {
			l := referredAlarm(t)
			l.add("S1", LSSRequested{Occupancy: 43})
			return l
		}, OutcomeAdmitted, false, "no LSS adjudication"},
		{"free-text answer does not adjudicate", func(t *testing.T) *log {
			l := referredAlarm(t)
			l.add("S1", LSSAnswered{Occupancy: 43, Answer: "NORM"})
			return l
		}, OutcomeAdmitted, false, "no LSS adjudication"},
		{"answer for another occupancy does not adjudicate", func(t *testing.T) *log {
			l := referredAlarm(t)
			l.add("S1", LSSAnswered{Occupancy: 44, Isotopes: []Isotope{IsotopeK40}, Code: CodeInnocentNORM})
			return l
		}, OutcomeAdmitted, false, "occupancy 43"},
		{"coded answer allows admit", func(t *testing.T) *log {
			l := referredAlarm(t)
			l.add("S1", LSSAnswered{Occupancy: 43, Isotopes: []Isotope{IsotopeK40}, Code: CodeInnocentNORM})
			return l
		}, OutcomeAdmitted, true, ""},
		{"coded answer before the alarm (clock skew) still counts", func(t *testing.T) *log {
			l := cleanSentri(t, "b")
			l.add("S1", LSSAnswered{Occupancy: 43, Isotopes: []Isotope{IsotopeUnknown}, Code: CodeFalseBackgroundOnly})
			l.add("", RPMOccupancy{Occupancy: 43, NeutronAlarm: true})
			l.add("A1", Referred{Reasons: []string{ReasonRPMAlarm}})
			return l
		}, OutcomeAdmitted, true, ""},
		{"two alarms need two answers", func(t *testing.T) *log {
			l := referredAlarm(t)
			l.add("", RPMOccupancy{Occupancy: 44, GammaAlarm: true})
			l.add("S1", LSSAnswered{Occupancy: 43, Isotopes: []Isotope{IsotopeK40}, Code: CodeInnocentNORM})
			return l
		}, OutcomeAdmitted, false, "occupancy 44"},
		{"no alarm referral admits", func(t *testing.T) *log {
			l := cleanSentri(t, "b")
			l.add("A1", Referred{Reasons: []string{ReasonRandom}})
			return l
		}, OutcomeAdmitted, true, ""},
		{"unknown outcome", referredAlarm, Outcome("paroled"), false, "unknown outcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Fold(tt.build(t).events)
			ok, why := c.CanDetermine(tt.outcome)
			if ok != tt.ok || !strings.Contains(why, tt.why) || (ok && why != "") {
				t.Errorf("CanDetermine(%s) = %v, %q; want %v, containing %q", tt.outcome, ok, why, tt.ok, tt.why)
			}
		})
	}
}

// det adds a determination on workstation l and returns its event id.
func det(l *log, officer string, d Determination) string { return l.add(officer, d).ID }

func TestDeterminationConflicts(t *testing.T) {
	type step struct {
		ws      int // 0 or 1: which secondary workstation
		outcome Outcome
		agency  string
		corrige int // index of an earlier step it supersedes, -1 none
		rawSup  string
	}
	tests := []struct {
		name     string
		steps    []step
		conflict []int // indexes of the steps in conflict
		final    Outcome
		current  int // index of c.Determination, -1 none
	}{
		{"one", []step{{0, OutcomeReleased, "", -1, ""}}, nil, OutcomeReleased, 0},
		{"two independent, different", []step{{0, OutcomeAdmitted, "", -1, ""}, {1, OutcomeRefused, "", -1, ""}}, []int{0, 1}, "", 1},
		{"two independent, equal", []step{{0, OutcomeRefused, "", -1, ""}, {1, OutcomeRefused, "", -1, ""}}, []int{0, 1}, "", 1},
		{"correction", []step{{0, OutcomeAdmitted, "", -1, ""}, {0, OutcomeRefused, "", 0, ""}}, nil, OutcomeRefused, 1},
		{"correction chain", []step{{0, OutcomeAdmitted, "", -1, ""}, {0, OutcomeRefused, "", 0, ""}, {1, OutcomeWithdrawn, "", 1, ""}}, nil, OutcomeWithdrawn, 2},
		{"correction siding with the other resolves", []step{{0, OutcomeAdmitted, "", -1, ""}, {1, OutcomeRefused, "", -1, ""}, {0, OutcomeRefused, "", 0, ""}}, nil, OutcomeRefused, 2},
		{"correction still disagreeing stays a conflict", []step{{0, OutcomeAdmitted, "", -1, ""}, {1, OutcomeRefused, "", -1, ""}, {0, OutcomeWithdrawn, "", 0, ""}}, []int{1, 2}, "", 2},
		{"turned over to different agencies", []step{{0, OutcomeTurnedOver, "HSI", -1, ""}, {1, OutcomeTurnedOver, "DEA", -1, ""}}, []int{0, 1}, "", 1},
		{"correction to the same agency resolves", []step{{0, OutcomeTurnedOver, "HSI", -1, ""}, {1, OutcomeTurnedOver, "DEA", -1, ""}, {1, OutcomeTurnedOver, "hsi", 1, ""}}, nil, OutcomeTurnedOver, 2},
		{"two corrections of the same one conflict", []step{{0, OutcomeAdmitted, "", -1, ""}, {0, OutcomeRefused, "", 0, ""}, {1, OutcomeWithdrawn, "", 0, ""}}, []int{1, 2}, "", 2},
		{"correction naming an unknown id supersedes nothing", []step{{0, OutcomeAdmitted, "", -1, ""}, {1, OutcomeRefused, "", -1, "0190-not-here"}}, []int{0, 1}, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := referredAlarm(t)
			base.add("S1", LSSAnswered{Occupancy: 43, Isotopes: []Isotope{IsotopeTc99m}, Code: CodeInnocentMedical})
			ws := []*log{base.on("sec-1"), base.on("sec-2")}
			var ids []string
			at := base.at
			for _, s := range tt.steps {
				w := ws[s.ws]
				w.at = at
				d := Determination{Outcome: s.outcome, Agency: s.agency, Supersedes: s.rawSup}
				if s.corrige >= 0 {
					d.Supersedes = ids[s.corrige]
				}
				ids = append(ids, det(w, "S"+string(rune('1'+s.ws)), d))
				at = w.at
			}
			all := slices.Concat(base.events, ws[0].events, ws[1].events)
			want := Fold(all)
			var gotConflict []string
			for _, d := range want.Conflict {
				gotConflict = append(gotConflict, d.EventID)
			}
			var wantConflict []string
			for _, i := range tt.conflict {
				wantConflict = append(wantConflict, ids[i])
			}
			if !slices.Equal(gotConflict, wantConflict) {
				t.Errorf("conflict %v, want %v", gotConflict, wantConflict)
			}
			if want.InConflict() != (len(tt.conflict) > 0) || want.FinalOutcome() != tt.final {
				t.Errorf("in conflict %v final %q, want %q", want.InConflict(), want.FinalOutcome(), tt.final)
			}
			if len(want.Determinations) != len(tt.steps) {
				t.Errorf("kept %d determinations, want all %d", len(want.Determinations), len(tt.steps))
			}
			if want.Determination == nil || want.Determination.EventID != ids[tt.current] {
				t.Errorf("determination %+v, want step %d", want.Determination, tt.current)
			}
			if want.Status != StatusDetermined || want.InQueue() {
				t.Errorf("status %s in queue %v", want.Status, want.InQueue())
			}
			q := want.QueueEntry(at)
			if q.Conflict != want.InConflict() || (q.Conflict && len(q.Outcomes) != len(tt.conflict)) {
				t.Errorf("queue entry conflict %v outcomes %v", q.Conflict, q.Outcomes)
			}
			// Any arrival order, with duplicates, folds the same.
			rng := rand.New(rand.NewPCG(uint64(len(tt.name)), 7))
			for i := 0; i < 100; i++ {
				evs := slices.Clone(all)
				rng.Shuffle(len(evs), func(a, b int) { evs[a], evs[b] = evs[b], evs[a] })
				evs = append(evs, evs[rng.IntN(len(evs))])
				if got := Fold(evs); !reflect.DeepEqual(got, want) {
					t.Fatalf("permutation %d folds differently:\n got %+v\nwant %+v", i, got, want)
				}
			}
		})
	}
}

// Determinations at the same instant from two workstations (a controlled
// clock) still fold the same everywhere: ties are broken by event id.
func TestDeterminationSameInstant(t *testing.T) {
	l := referredAlarm(t)
	l.add("S1", LSSAnswered{Occupancy: 43, Isotopes: []Isotope{IsotopeK40}, Code: CodeInnocentNORM})
	a, b := l.on("sec-1"), l.on("sec-2")
	a.add("S1", Determination{Outcome: OutcomeAdmitted})
	b.add("S2", Determination{Outcome: OutcomeRefused})
	ab, ba := Fold(slices.Concat(l.events, a.events, b.events)), Fold(slices.Concat(b.events, l.events, a.events))
	if !reflect.DeepEqual(ab, ba) || len(ab.Conflict) != 2 {
		t.Fatalf("same-instant determinations: %+v vs %+v", ab.Conflict, ba.Conflict)
	}
}

func TestDeterminationCycleIsConflict(t *testing.T) {
	l := referredAlarm(t)
	// Ids are chosen so each names the other: only a bug or a forged
	// record can do this, and it must not hide either outcome.
	e1, _ := NewEvent(l.id, Determination{Outcome: OutcomeAdmitted, Supersedes: "id-2"}, l.at.Add(time.Second), "S1")
	e2, _ := NewEvent(l.id, Determination{Outcome: OutcomeRefused, Supersedes: "id-1"}, l.at.Add(2*time.Second), "S2")
	e1.ID, e2.ID = "id-1", "id-2"
	c := Fold(slices.Concat(l.events, []Event{e1, e2}))
	if len(c.Conflict) != 2 || c.FinalOutcome() != "" {
		t.Fatalf("cycle: conflict %+v final %q", c.Conflict, c.FinalOutcome())
	}
}

func TestQueueEntry(t *testing.T) {
	l := referredAlarm(t)
	l.add("", ReferenceChecked{Subject: "plate:US-CA/7ABC123", Hits: []Hit{{ID: "L9", Type: HitLookout, Severity: "high"}}})
	c := Fold(l.events)
	ref := c.Referral.At
	q := c.QueueEntry(ref.Add(90 * time.Second))
	want := QueueEntry{
		CrossingID: l.id, ReferredAt: ref, Waiting: 90 * time.Second, ReferredBy: "A1@booth-1",
		Port: "2608", Lane: "V03", Plate: "US-CA/7ABC123", Names: []string{"GARCIA, MARIA ELENA"},
		Reasons: []string{ReasonRPMAlarm}, Note: "gamma alarm, driver mentions hospital", RPMAlarm: true, Lookout: true,
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("queue entry\n got %+v\nwant %+v", q, want)
	}
	if !c.InQueue() {
		t.Error("referred crossing with no determination not in queue")
	}
	if q := c.QueueEntry(ref.Add(-time.Second)); q.Waiting != 0 {
		t.Errorf("negative wait %s under clock skew", q.Waiting)
	}
	if Fold(cleanSentri(t, "b").events).InQueue() {
		t.Error("unreferred crossing in queue")
	}
}

func TestSchemaFor(t *testing.T) {
	tests := []struct {
		p    Payload
		want int
	}{
		{Note{Text: "x"}, 1},
		{Referred{Reasons: []string{ReasonRandom}}, 1},
		{Determination{Outcome: OutcomeAdmitted}, 1},
		{Determination{Outcome: OutcomeTurnedOver, Agency: "HSI"}, 2},
		{Determination{Outcome: OutcomeRefused, Supersedes: "x"}, 2},
		{SecondaryTaken{}, 2},
		{SecondaryFinding{Category: "customs", Text: "nothing"}, 1},
		{SecondaryFinding{Category: FindingSeizure, Item: "cocaine", Quantity: "2 kg"}, 2},
		{LSSAnswered{Occupancy: 1, Answer: "NORM"}, 1},
		{LSSAnswered{Occupancy: 1, Isotopes: []Isotope{IsotopeK40}, Code: CodeInnocentNORM}, 2},
	}
	for _, tt := range tests {
		e, err := NewEvent("c", tt.p, t0, "S1")
		if err != nil {
			t.Fatal(err)
		}
		if e.Schema != tt.want {
			t.Errorf("%T %+v written with schema %d, want %d", tt.p, tt.p, e.Schema, tt.want)
		}
		if _, err := e.Decode(); err != nil {
			t.Errorf("decode: %v", err)
		}
	}
	// A schema-1 event written by an older build decodes and folds.
	old := Event{ID: "old", CrossingID: "c", Kind: KindLSSAnswered, Schema: 1, At: t0,
		Payload: json.RawMessage(`{"occupancy":7,"answer":"NORM","note":"by phone"}`)}
	p, err := old.Decode()
	if a, ok := p.(*LSSAnswered); err != nil || !ok || a.Answer != "NORM" || a.Code != 0 {
		t.Errorf("v1 answer decoded as %+v, %v", p, err)
	}
	newer := old
	newer.Schema = SchemaVersion + 1
	if _, err := newer.Decode(); !errors.Is(err, ErrNewerSchema) {
		t.Errorf("newer schema: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		v    interface{ Validate() error }
		ok   bool
	}{
		{"finding", SecondaryFinding{Category: FindingVehicleSearch, Text: "spare tyre opened"}, true},
		{"finding without text", SecondaryFinding{Category: FindingInterview, Text: "  "}, false},
		{"finding unknown category", SecondaryFinding{Category: "customs", Text: "x"}, false},
		{"seizure", SecondaryFinding{Category: FindingSeizure, Item: "cash", Quantity: "12,000 USD"}, true},
		{"seizure without quantity", SecondaryFinding{Category: FindingSeizure, Item: "cash"}, false},
		{"seizure without item", SecondaryFinding{Category: FindingSeizure, Quantity: "3"}, false},
		{"answer", LSSAnswered{Code: CodeInnocentMedical, Isotopes: []Isotope{IsotopeI131, IsotopeTc99m}}, true},
		{"answer code 0", LSSAnswered{Isotopes: []Isotope{IsotopeK40}}, false},
		{"answer code 12", LSSAnswered{Code: 12, Isotopes: []Isotope{IsotopeK40}}, false},
		{"answer no isotope", LSSAnswered{Code: CodeOther}, false},
		{"answer bad isotope", LSSAnswered{Code: CodeOther, Isotopes: []Isotope{"Xx-1"}}, false},
		{"answer isotope twice", LSSAnswered{Code: CodeOther, Isotopes: []Isotope{IsotopeK40, IsotopeK40}}, false},
		{"determination", Determination{Outcome: OutcomeReleased, Note: "ok"}, true},
		{"turned over", Determination{Outcome: OutcomeTurnedOver, Agency: "HSI"}, true},
		{"turned over to nobody", Determination{Outcome: OutcomeTurnedOver}, false},
		{"agency without turn-over", Determination{Outcome: OutcomeRefused, Agency: "HSI"}, false},
		{"unknown outcome", Determination{Outcome: "paroled"}, false},
	}
	for _, tt := range tests {
		err := tt.v.Validate()
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrInvalidPayload)) {
			t.Errorf("%s: Validate() = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestAdjudicationGroups(t *testing.T) {
	var codes []AdjudicationCode
	groups := AdjudicationGroups()
	if len(groups) != 5 {
		t.Fatalf("%d groups, want 5", len(groups))
	}
	for _, g := range groups {
		codes = append(codes, g.Codes...)
	}
	for i, c := range codes {
		if int(c) != i+1 || !c.Valid() || c.Group() == "" || strings.HasPrefix(c.Label(), "code ") {
			t.Errorf("code at %d: %d %q %q", i, c, c.Group(), c.Label())
		}
	}
	if len(codes) != 11 || AdjudicationCode(0).Valid() || AdjudicationCode(12).Group() != "" {
		t.Errorf("codes %v", codes)
	}
	if s := CodeInnocentMedical.String(); s != "3 innocent alarm: medical isotope" {
		t.Errorf("String() = %q", s)
	}
}

func TestTimeline(t *testing.T) {
	l := referredAlarm(t)
	s := l.on("sec-1")
	s.add("S1", SecondaryTaken{})
	s.add("S1", SecondaryFinding{Category: FindingSeizure, Item: "cash", Quantity: "12,000 USD", Text: "under the seat"})
	s.add("S1", LSSAnswered{Occupancy: 43, Isotopes: []Isotope{IsotopeTc99m}, Code: CodeInnocentMedical})
	s.add("S1", Determination{Outcome: OutcomeTurnedOver, Agency: "HSI", Note: "currency"})
	unknown := Event{ID: "zzz", CrossingID: l.id, Kind: "future.kind", Schema: 1, At: s.at.Add(time.Second), Origin: "x"}
	evs := slices.Concat(s.events, l.events, []Event{unknown, s.events[0]})
	tl := Timeline(evs)
	if len(tl) != len(l.events)+len(s.events)+1 {
		t.Fatalf("%d entries", len(tl))
	}
	for i := 1; i < len(tl); i++ {
		if tl[i].At.Before(tl[i-1].At) {
			t.Fatalf("timeline out of order at %d", i)
		}
	}
	wantLines := map[Kind]struct{ source, text string }{
		KindCrossingOpened:   {"booth-1", "Crossing opened at port 2608 lane V03"},
		KindRFIDRead:         {"RFID reader", "SENTRI card 900123456: GARCIA, MARIA ELENA"},
		KindReferred:         {"A1@booth-1", "Referred to secondary: RPM — gamma alarm, driver mentions hospital"},
		KindSecondaryTaken:   {"S1@sec-1", "Referral taken"},
		KindSecondaryFinding: {"S1@sec-1", "Finding (Seizure): seized 12,000 USD cash — under the seat"},
		KindLSSAnswered:      {"S1@sec-1", "LSS answer for occupancy 43: 3 innocent alarm: medical isotope [Tc-99m]"},
		KindDetermination:    {"S1@sec-1", "Determination: Turned over to another agency (HSI) — currency"},
	}
	seen := map[Kind]bool{}
	for _, e := range tl {
		w, ok := wantLines[e.Kind]
		if !ok || seen[e.Kind] {
			continue
		}
		seen[e.Kind] = true
		if e.Source != w.source || !strings.HasPrefix(e.Text, w.text) {
			t.Errorf("%s: %q %q, want %q %q", e.Kind, e.Source, e.Text, w.source, w.text)
		}
	}
	if len(seen) != len(wantLines) {
		t.Errorf("kinds seen %v", seen)
	}
	last := tl[len(tl)-1]
	if !last.Unreadable || !strings.Contains(last.Text, "future.kind") {
		t.Errorf("unknown kind entry %+v", last)
	}
	for _, e := range tl {
		if strings.Contains(e.Text, "\n") {
			t.Errorf("multi-line timeline text %q", e.Text)
		}
	}
}
