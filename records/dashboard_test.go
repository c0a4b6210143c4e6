package records

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// dashNow is the dashboard clock of these tests.
var dashNow = time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)

// xing builds one folded crossing: opened at lane at opened, then the
// payloads at the given offsets from the opening.
type step struct {
	after   time.Duration
	officer string
	p       Payload
}

func xing(t *testing.T, id, lane string, opened time.Time, steps ...step) *Crossing {
	t.Helper()
	var evs []Event
	add := func(at time.Time, officer string, p Payload) {
		e, err := NewEvent(id, p, at, officer)
		if err != nil {
			t.Fatal(err)
		}
		e.Origin = "booth-" + lane
		evs = append(evs, e)
	}
	add(opened, "", CrossingOpened{Port: "2604", Lane: lane, Mode: ModeVehicle, Trigger: "rfid"})
	for _, s := range steps {
		add(opened.Add(s.after), s.officer, s.p)
	}
	return Fold(evs)
}

var (
	admit   = []Payload{Determination{Outcome: OutcomeAdmitted}, CrossingClosed{}}
	checked = ReferenceChecked{Subject: "USA/561234567", Citizenship: "USA"}
)

func admitted(after time.Duration) []step {
	return []step{{after, "B1", admit[0]}, {after, "B1", admit[1]}}
}

func referredAt(after time.Duration, reasons ...string) step {
	return step{after, "B1", Referred{Reasons: reasons}}
}

func TestSparkBucketEdges(t *testing.T) {
	tests := []struct {
		name   string
		at     time.Time
		bucket int
		ok     bool
	}{
		{"now", dashNow, 7, true},
		{"a second ago", dashNow.Add(-time.Second), 7, true},
		{"exactly an hour ago starts the last bucket", dashNow.Add(-time.Hour), 7, true},
		{"just over an hour ago", dashNow.Add(-time.Hour - time.Nanosecond), 6, true},
		{"exactly 8 h ago is the first bucket's start", dashNow.Add(-8 * time.Hour), 0, true},
		{"just over 8 h ago", dashNow.Add(-8*time.Hour - time.Nanosecond), 0, false},
		{"7h59m ago", dashNow.Add(-7*time.Hour - 59*time.Minute), 0, true},
		{"in the future (clock skew)", dashNow.Add(time.Second), 0, false},
		{"zero time", time.Time{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, ok := sparkBucket(tt.at, dashNow)
			if ok != tt.ok || (ok && k != tt.bucket) {
				t.Errorf("sparkBucket(%s) = %d, %v; want %d, %v", dashNow.Sub(tt.at), k, ok, tt.bucket, tt.ok)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	s := time.Second
	tests := []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{5 * s}, 5 * s},
		{[]time.Duration{9 * s, 1 * s, 5 * s}, 5 * s},
		{[]time.Duration{4 * s, 1 * s, 2 * s, 3 * s}, 2500 * time.Millisecond},
		{[]time.Duration{1 * s, 1 * s, 100 * s, 100 * s}, 50500 * time.Millisecond},
		{[]time.Duration{3 * s, 3 * s, 3 * s}, 3 * s},
	}
	for _, tt := range tests {
		in := append([]time.Duration(nil), tt.in...)
		if got := Median(tt.in); got != tt.want {
			t.Errorf("Median(%v) = %s, want %s", tt.in, got, tt.want)
		}
		for i := range in {
			if in[i] != tt.in[i] {
				t.Fatalf("Median reordered its argument")
			}
		}
	}
}

func TestDashboardLaneCountsMedianAndReferralRate(t *testing.T) {
	h := time.Hour
	cs := []*Crossing{
		// L1: three decided in the window (60 s admitted, 120 s referred,
		// 300 s admitted), one still at primary, one opened 9 h ago.
		xing(t, "a", "L1", dashNow.Add(-10*time.Minute), admitted(60*time.Second)...),
		xing(t, "b", "L1", dashNow.Add(-90*time.Minute), referredAt(120*time.Second, ReasonRandom)),
		xing(t, "c", "L1", dashNow.Add(-7*h-30*time.Minute), admitted(300*time.Second)...),
		xing(t, "d", "L1", dashNow.Add(-time.Minute)),
		xing(t, "e", "L1", dashNow.Add(-9*h), admitted(time.Minute)...),
		// L2: one referred, one admitted: rate 0.5, median of 10 s and 30 s.
		xing(t, "f", "L2", dashNow.Add(-2*h), referredAt(10*time.Second, ReasonLookout)),
		xing(t, "g", "L2", dashNow.Add(-2*h), admitted(30*time.Second)...),
	}
	d := BuildDashboard(DashboardInput{Now: dashNow, DayStart: dashNow.Add(-16 * h), Crossings: cs})
	if len(d.Lanes) != 2 || d.Lanes[0].Lane != "L1" || d.Lanes[1].Lane != "L2" {
		t.Fatalf("lanes = %+v", d.Lanes)
	}
	l1, l2 := d.Lanes[0], d.Lanes[1]
	tests := []struct {
		name      string
		got, want any
	}{
		{"L1 last hour", l1.LastHour, 2},
		{"L1 sparkline", l1.Sparkline, [8]int{1, 0, 0, 0, 0, 0, 1, 2}},
		{"L1 decided", l1.Decided, 3},
		{"L1 referred", l1.Referred, 1},
		{"L1 median", l1.MedianPrimary, 120 * time.Second},
		{"L1 rate", l1.ReferralRate, 1.0 / 3},
		{"L2 sparkline (now-2h starts bucket 6)", l2.Sparkline, [8]int{0, 0, 0, 0, 0, 0, 2, 0}},
		{"L2 last hour", l2.LastHour, 0},
		{"L2 median", l2.MedianPrimary, 20 * time.Second},
		{"L2 rate", l2.ReferralRate, 0.5},
		{"no heartbeat: closed", l1.State, LaneClosed},
		{"no heartbeat: not open", l1.Open, false},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestDashboardEmpty(t *testing.T) {
	d := BuildDashboard(DashboardInput{Now: dashNow, DayStart: dashNow.Add(-16 * time.Hour)})
	if len(d.Lanes) != 0 || len(d.OpenAlarms) != 0 || len(d.Pending) != 0 || len(d.Workstations) != 0 {
		t.Fatalf("empty input gave %+v", d)
	}
	if d.StatusFetched || d.Today.RPMAlarms != 0 || len(d.Today.ByGroup) != 6 || d.Today.ByGroup[5].Group != NotAdjudicated {
		t.Fatalf("today = %+v", d.Today)
	}
	// A lane known only from a heartbeat: no crossing, nothing decided.
	d = BuildDashboard(DashboardInput{Now: dashNow, Port: PortStatus{Heartbeats: []Heartbeat{
		{Workstation: "booth-3", Role: "primary", Lane: "L3", Officer: "B7", ReceivedAt: dashNow.Add(-2 * time.Second)},
	}}})
	if len(d.Lanes) != 1 {
		t.Fatalf("lanes = %+v", d.Lanes)
	}
	l := d.Lanes[0]
	if !l.Open || l.State != LaneIdle || l.Decided != 0 || l.ReferralRate != 0 || l.MedianPrimary != 0 || l.Sparkline != [8]int{} {
		t.Errorf("empty lane = %+v", l)
	}
}

func TestDashboardLaneStateFromHeartbeats(t *testing.T) {
	busy := xing(t, "v", "L1", dashNow.Add(-30*time.Second), step{5 * time.Second, "", checked})
	fresh, old := dashNow.Add(-3*time.Second), dashNow.Add(-HeartbeatStale-time.Second)
	tests := []struct {
		name     string
		hb       Heartbeat
		state    LaneState
		open     bool
		contact  bool
		crossing string
	}{
		{"fresh, signed in, state from the booth", Heartbeat{Officer: "B1", State: LaneVehicle, CrossingID: "x", ReceivedAt: fresh}, LaneVehicle, true, true, "x"},
		{"fresh, signed in, state derived", Heartbeat{Officer: "B1", ReceivedAt: fresh}, LaneDeciding, true, true, "v"},
		{"fresh, nobody signed in", Heartbeat{ReceivedAt: fresh}, LaneClosed, false, true, ""},
		{"stale", Heartbeat{Officer: "B1", State: LaneIdle, ReceivedAt: old}, LaneNoContact, false, false, ""},
		{"exactly at the limit is fresh", Heartbeat{Officer: "B1", State: LaneIdle, ReceivedAt: dashNow.Add(-HeartbeatStale)}, LaneIdle, true, true, ""},
		{"server time missing: the booth's own", Heartbeat{Officer: "B1", State: LaneIdle, At: fresh}, LaneIdle, true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hb := tt.hb
			hb.Workstation, hb.Role, hb.Lane = "booth-1", "primary", "L1"
			d := BuildDashboard(DashboardInput{Now: dashNow, Crossings: []*Crossing{busy}, Port: PortStatus{Heartbeats: []Heartbeat{hb}}})
			l := d.Lanes[0]
			if l.State != tt.state || l.Open != tt.open || l.Contact != tt.contact || l.CrossingID != tt.crossing || l.Workstation != "booth-1" {
				t.Errorf("lane = state %s open %v contact %v crossing %q ws %q", l.State, l.Open, l.Contact, l.CrossingID, l.Workstation)
			}
		})
	}
}

func TestLaneStateOf(t *testing.T) {
	tests := []struct {
		name  string
		cs    []*Crossing
		state LaneState
		id    string
	}{
		{"none", nil, LaneIdle, ""},
		{"readings coming", []*Crossing{xing(t, "a", "L1", dashNow.Add(-time.Minute))}, LaneVehicle, "a"},
		{"checked, waiting", []*Crossing{xing(t, "a", "L1", dashNow.Add(-time.Minute), step{time.Second, "", checked})}, LaneDeciding, "a"},
		{"admitted", []*Crossing{xing(t, "a", "L1", dashNow.Add(-time.Minute), admitted(time.Second)...)}, LaneIdle, ""},
		{"referred", []*Crossing{xing(t, "a", "L1", dashNow.Add(-time.Minute), referredAt(time.Second, ReasonRandom))}, LaneIdle, ""},
		{"another lane", []*Crossing{xing(t, "a", "L2", dashNow.Add(-time.Minute))}, LaneIdle, ""},
		{"abandoned long ago", []*Crossing{xing(t, "a", "L1", dashNow.Add(-VehicleAtBoothWindow-time.Second))}, LaneIdle, ""},
		{"newest wins", []*Crossing{
			xing(t, "old", "L1", dashNow.Add(-5*time.Minute), step{time.Second, "", checked}),
			xing(t, "new", "L1", dashNow.Add(-time.Minute)),
		}, LaneVehicle, "new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, id, _ := LaneStateOf("L1", tt.cs, dashNow)
			if st != tt.state || id != tt.id {
				t.Errorf("LaneStateOf = %s %q, want %s %q", st, id, tt.state, tt.id)
			}
		})
	}
}

func rpmAlarm(occ int) RPMOccupancy {
	return RPMOccupancy{Occupancy: occ, GammaAlarm: true, MaxGamma: 9000, BackgroundGamma: 1000}
}

func TestDashboardAlarmsReferralsAndToday(t *testing.T) {
	day := dashNow.Add(-16 * time.Hour)
	cs := []*Crossing{
		// Open alarm, LSS requested, not adjudicated, referred 20 min ago.
		xing(t, "r1", "L1", dashNow.Add(-21*time.Minute), step{0, "", rpmAlarm(11)},
			referredAt(time.Minute, ReasonRPMAlarm), step{2 * time.Minute, "S1", LSSRequested{Occupancy: 11}}),
		// Adjudicated innocent (medical) but not yet determined: still open, pending.
		xing(t, "r2", "L2", dashNow.Add(-40*time.Minute), step{0, "", rpmAlarm(12)},
			referredAt(time.Minute, ReasonRPMAlarm),
			step{5 * time.Minute, "S1", LSSAnswered{Occupancy: 12, Code: CodeInnocentMedical, Isotopes: []Isotope{IsotopeTc99m}}}),
		// Adjudicated false alarm and determined: not open, counted today.
		xing(t, "r3", "L1", dashNow.Add(-3*time.Hour), step{0, "", rpmAlarm(13)},
			referredAt(time.Minute, ReasonRPMAlarm),
			step{5 * time.Minute, "S1", LSSAnswered{Occupancy: 13, Code: CodeFalseBackgroundOnly, Isotopes: []Isotope{IsotopeUnknown}}},
			step{6 * time.Minute, "S1", Determination{Outcome: OutcomeAdmitted}}),
		// Yesterday's alarm, still unadjudicated and pending: open, not today.
		xing(t, "r4", "L3", day.Add(-time.Hour), step{0, "", rpmAlarm(14)}, referredAt(time.Minute, ReasonRPMAlarm)),
		// Face mismatch and a lookout hit today, one lost/stolen; referred, taken.
		xing(t, "r5", "L2", dashNow.Add(-5*time.Minute),
			step{time.Second, "", FaceVerified{Document: passport, Result: FaceNoMatch, Score: 0.2, Threshold: 0.6}},
			step{2 * time.Second, "", ReferenceChecked{Subject: passport.Key(), Hits: []Hit{{ID: "LK1", Type: HitLookout, Severity: "high"}, {ID: "LS1", Type: HitLostStolen, Severity: "high"}}}},
			referredAt(time.Minute, ReasonIdentity), step{2 * time.Minute, "S2", SecondaryTaken{}}),
	}
	d := BuildDashboard(DashboardInput{Now: dashNow, DayStart: day, Crossings: append(cs, cs[0])})

	var open []string
	for _, a := range d.OpenAlarms {
		open = append(open, a.CrossingID+":"+a.Group)
	}
	if got, want := strings.Join(open, ","), "r4:Not adjudicated,r2:Innocent alarm,r1:Not adjudicated"; got != want {
		t.Errorf("open alarms = %s, want %s", got, want)
	}
	if a := d.OpenAlarms[2]; !a.LSSRequested || a.Age != 21*time.Minute || a.Code != 0 {
		t.Errorf("r1 alarm = %+v", a)
	}
	if a := d.OpenAlarms[1]; a.Code != CodeInnocentMedical || a.LSSRequested {
		t.Errorf("r2 alarm = %+v", a)
	}
	var pending []string
	for _, q := range d.Pending {
		pending = append(pending, q.CrossingID)
	}
	if got, want := strings.Join(pending, ","), "r4,r2,r1,r5"; got != want {
		t.Errorf("pending = %s, want %s", got, want)
	}
	if w := d.Pending[2].Waiting; w != 20*time.Minute {
		t.Errorf("r1 waiting %s", w)
	}
	if d.Pending[3].TakenBy == "" {
		t.Errorf("r5 taken by nobody: %+v", d.Pending[3])
	}
	td := d.Today
	if td.FaceMismatches != 1 || td.LookoutHits != 1 || td.LostStolen != 1 || td.RPMAlarms != 3 {
		t.Errorf("today = %+v", td)
	}
	want := map[string]int{"Real alarm": 0, "Innocent alarm": 1, "False alarm": 1, "Test or maintenance": 0, "Other": 0, NotAdjudicated: 1}
	for _, g := range td.ByGroup {
		if want[g.Group] != g.Count {
			t.Errorf("group %s = %d, want %d", g.Group, g.Count, want[g.Group])
		}
	}
}

func TestDashboardRPMStatsFromJournal(t *testing.T) {
	day := dashNow.Add(-16 * time.Hour)
	j := func(lane string, kind JournalKind, device, code string, active bool, at time.Time) JournalEntry {
		return JournalEntry{Lane: lane, Kind: kind, Device: device, Code: code, Active: active, At: at}
	}
	in := []JournalEntry{
		j("L1", JournalRPMFault, "rpm", FaultGammaHigh, false, dashNow.Add(-time.Hour)),
		j("L1", JournalRPMFault, "rpm", FaultGammaHigh, false, dashNow.Add(-50*time.Minute)),
		j("L1", JournalRPMFault, "rpm", FaultGammaLow, false, dashNow.Add(-40*time.Minute)),
		j("L1", JournalRPMFault, "rpm", FaultNeutronHigh, false, dashNow.Add(-30*time.Minute)),
		j("L1", JournalRPMTamper, "rpm", "", true, dashNow.Add(-20*time.Minute)),
		j("L1", JournalRPMTamper, "rpm", "", false, dashNow.Add(-19*time.Minute)), // cleared: not counted
		j("L1", JournalExtendedOccupancy, "rpm", "", false, dashNow.Add(-10*time.Minute)),
		j("L1", JournalDeviceDisconnected, "rpm", "", false, dashNow.Add(-9*time.Minute)),
		j("L1", JournalDeviceConnected, "rpm", "", false, dashNow.Add(-8*time.Minute)), // replug: not a fault
		j("L1", JournalDeviceFaulty, "rpm", "", false, dashNow.Add(-7*time.Minute)),
		j("L1", JournalDeviceDisconnected, "rfid", "", false, dashNow.Add(-6*time.Minute)), // not the RPM
		j("L1", JournalRPMFault, "rpm", FaultGammaHigh, false, day.Add(-time.Second)),      // yesterday
		j("L1", JournalRPMFault, "rpm", FaultGammaHigh, false, dashNow.Add(time.Minute)),   // future
		j("L2", JournalRPMTamper, "rpm", "", true, dashNow.Add(-time.Minute)),
	}
	cs := []*Crossing{
		xing(t, "a", "L1", dashNow.Add(-time.Hour), step{0, "", rpmAlarm(1)}),
		xing(t, "b", "L1", dashNow.Add(-time.Hour), step{0, "", RPMOccupancy{Occupancy: 2, NeutronAlarm: true}}),
		xing(t, "c", "L1", dashNow.Add(-time.Hour), step{0, "", RPMOccupancy{Occupancy: 3}}),
	}
	d := BuildDashboard(DashboardInput{Now: dashNow, DayStart: day, Journal: in, Crossings: cs})
	want := map[string]RPMStats{
		"L1": {Occupancies: 3, GammaAlarms: 1, NeutronAlarms: 1, GammaHigh: 2, GammaLow: 1, Neutron: 1, Tamper: 1, ExtendedOccupancy: 1, CommFaults: 2},
		"L2": {Tamper: 1},
	}
	if len(d.Lanes) != 2 {
		t.Fatalf("lanes = %+v", d.Lanes)
	}
	for _, l := range d.Lanes {
		if l.RPM != want[l.Lane] {
			t.Errorf("%s RPM = %+v, want %+v", l.Lane, l.RPM, want[l.Lane])
		}
	}
}

func TestDashboardWorkstationLinks(t *testing.T) {
	d := BuildDashboard(DashboardInput{Now: dashNow, Port: PortStatus{
		FetchedAt: dashNow.Add(-3 * time.Second),
		Workstations: []WorkstationStatus{
			{Origin: "booth-1", Role: "primary", LastSeen: dashNow.Add(-10 * time.Second), Backlog: 40, OldestUnsent: dashNow.Add(-time.Minute)},
			{Origin: "booth-2", Role: "primary", LastSeen: dashNow.Add(-LinkStale - time.Second), Backlog: 7, OldestUnsent: dashNow.Add(-time.Hour), RefusedSeq: 9, RefusedReason: "schema 3"},
			{Origin: "sec-1", Role: "secondary", LastSeen: dashNow.Add(-LinkStale)},
		},
		Heartbeats: []Heartbeat{
			// booth-1's heartbeat is fresher than its last batch: its backlog wins.
			{Workstation: "booth-1", Role: "primary", Lane: "L1", Backlog: 0, ReceivedAt: dashNow.Add(-time.Second)},
			{Workstation: "booth-1", Role: "primary", Lane: "L1", Backlog: 99, ReceivedAt: dashNow.Add(-5 * time.Second)},
			// booth-3 only sent heartbeats.
			{Workstation: "booth-3", Role: "primary", Lane: "L3", Backlog: 2, OldestUnsent: dashNow.Add(-30 * time.Second), ReceivedAt: dashNow.Add(-2 * time.Second)},
		},
	}})
	if !d.StatusFetched || d.StatusAge != 3*time.Second {
		t.Errorf("status age = %s fetched %v", d.StatusAge, d.StatusFetched)
	}
	want := []WorkstationLink{
		{Workstation: "booth-1", Role: "primary", Lane: "L1", State: LinkOnline, LastSeen: dashNow.Add(-time.Second)},
		{Workstation: "booth-2", Role: "primary", State: LinkOffline, LastSeen: dashNow.Add(-LinkStale - time.Second), Backlog: 7,
			OldestUnsent: dashNow.Add(-time.Hour), BacklogAge: time.Hour, HeldSeq: 9, HeldReason: "schema 3"},
		{Workstation: "booth-3", Role: "primary", Lane: "L3", State: LinkOnline, LastSeen: dashNow.Add(-2 * time.Second), Backlog: 2,
			OldestUnsent: dashNow.Add(-30 * time.Second), BacklogAge: 30 * time.Second},
		{Workstation: "sec-1", Role: "secondary", State: LinkOnline, LastSeen: dashNow.Add(-LinkStale)},
	}
	if len(d.Workstations) != len(want) {
		t.Fatalf("workstations = %+v", d.Workstations)
	}
	for i := range want {
		if d.Workstations[i] != want[i] {
			t.Errorf("workstation %d = %+v\nwant %+v", i, d.Workstations[i], want[i])
		}
	}
}

func TestJournalEntryValidate(t *testing.T) {
	ok := JournalEntry{Lane: "L1", Kind: JournalRPMFault, Device: "rpm", Code: FaultGammaHigh, At: dashNow}
	tests := []struct {
		name  string
		edit  func(*JournalEntry)
		valid bool
	}{
		{"fault", func(*JournalEntry) {}, true},
		{"unknown kind", func(e *JournalEntry) { e.Kind = "rpm.other" }, false},
		{"no lane", func(e *JournalEntry) { e.Lane = " " }, false},
		{"no time", func(e *JournalEntry) { e.At = time.Time{} }, false},
		{"bad fault code", func(e *JournalEntry) { e.Code = "GX" }, false},
		{"device entry without device", func(e *JournalEntry) { e.Kind, e.Device, e.Code = JournalDeviceDisconnected, "", "" }, false},
		{"device entry", func(e *JournalEntry) { e.Kind, e.Code = JournalDeviceDisconnected, "" }, true},
		{"tamper", func(e *JournalEntry) { e.Kind, e.Code, e.Active = JournalRPMTamper, "", true }, true},
		{"long detail", func(e *JournalEntry) { e.Detail = strings.Repeat("x", 1001) }, false},
		{"long lane", func(e *JournalEntry) { e.Lane = strings.Repeat("L", 65) }, false},
	}
	for _, tt := range tests {
		e := ok
		tt.edit(&e)
		err := e.Validate()
		if (err == nil) != tt.valid || (err != nil && !errors.Is(err, ErrInvalidJournal)) {
			t.Errorf("%s: Validate = %v, want valid %v", tt.name, err, tt.valid)
		}
	}
	if got := (JournalEntry{Kind: JournalDeviceDisconnected, Device: "rpm", Detail: "open /dev/rpm: no such file"}).Text(); got != "RPM disconnected: open /dev/rpm: no such file" {
		t.Errorf("Text = %q", got)
	}
}

func TestSearchTermsValidate(t *testing.T) {
	from := dashNow.Add(-24 * time.Hour)
	tests := []struct {
		name  string
		t     SearchTerms
		valid bool
		str   string
	}{
		{"document", SearchTerms{Document: "L898902C3"}, true, "document=L898902C3"},
		{"name and birth date", SearchTerms{Surname: "Eriksson", BirthDate: "1974-08-12"}, true, "surname=Eriksson birth_date=1974-08-12"},
		{"name without birth date", SearchTerms{Surname: "Eriksson"}, false, ""},
		{"bad birth date", SearchTerms{Surname: "Eriksson", BirthDate: "12/08/1974"}, false, ""},
		{"plate and range", SearchTerms{Plate: "ABC123", From: from, To: dashNow}, true, "plate=ABC123 from=2026-11-24T16:00:00Z to=2026-11-25T16:00:00Z"},
		{"range alone", SearchTerms{From: from}, true, "from=2026-11-24T16:00:00Z"},
		{"nothing", SearchTerms{}, false, ""},
		{"two kinds", SearchTerms{Document: "X1", Plate: "ABC"}, false, ""},
		{"range backwards", SearchTerms{Plate: "ABC", From: dashNow, To: from}, false, ""},
		{"empty range", SearchTerms{Plate: "ABC", From: dashNow, To: dashNow}, false, ""},
		{"region without plate", SearchTerms{Document: "X1", Region: "US-AZ"}, false, ""},
		{"birth date without surname", SearchTerms{BirthDate: "1974-08-12"}, false, ""},
	}
	for _, tt := range tests {
		err := tt.t.Validate()
		if (err == nil) != tt.valid || (err != nil && !errors.Is(err, ErrInvalidSearch)) {
			t.Errorf("%s: Validate = %v, want valid %v", tt.name, err, tt.valid)
		}
		if tt.valid && tt.t.String() != tt.str {
			t.Errorf("%s: String = %q, want %q", tt.name, tt.t.String(), tt.str)
		}
	}
}

func TestViewAuditEntries(t *testing.T) {
	q := AuditQuery{Officer: "B100", Action: "view", Since: from0()}
	tests := []struct {
		e       AuditEntry
		action  string
		subject string
		detail  string
	}{
		{ViewAudit("S1", "C-1", "supervisor"), "view", "C-1", `{"screen":"supervisor"}`},
		{SearchAudit("S1", SearchTerms{Plate: "ABC123"}, 3), "search", "plate=ABC123", `{"results":3,"terms":{"plate":"ABC123"}}`},
		{HistoryLookupAudit("B1", "plate:US-AZ/ABC123", "C-9", 2), "search", "plate:US-AZ/ABC123", `{"crossing":"C-9","results":2,"screen":"primary"}`},
		{AuditLogViewAudit("S1", q, 12), "audit_view", "audit-log officer=B100 action=view since=2026-11-25T00:00:00Z",
			`{"limit":0,"query":"officer=B100 action=view since=2026-11-25T00:00:00Z","results":12}`},
	}
	for _, tt := range tests {
		if tt.e.Action != tt.action || tt.e.Subject != tt.subject || string(tt.e.Detail) != tt.detail {
			t.Errorf("entry = %s %q %s, want %s %q %s", tt.e.Action, tt.e.Subject, tt.e.Detail, tt.action, tt.subject, tt.detail)
		}
	}
	if (AuditQuery{}).String() != "all" {
		t.Errorf("empty query = %q", AuditQuery{}.String())
	}
}

func from0() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
