package records

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

var t0 = time.Date(2026, 11, 25, 10, 49, 35, 0, time.UTC)

// log builds the events of one crossing at one-second steps, stamping each
// with an origin and a gap-free sequence as a store would.
type log struct {
	t      *testing.T
	id     string
	origin string
	seq    int64
	at     time.Time
	events []Event
}

func newLog(t *testing.T, origin string) *log {
	return &log{t: t, id: "C-" + origin, origin: origin, at: t0}
}

func (l *log) add(officer string, p Payload) Event {
	l.t.Helper()
	l.at = l.at.Add(time.Second)
	e, err := NewEvent(l.id, p, l.at, officer)
	if err != nil {
		l.t.Fatalf("NewEvent: %v", err)
	}
	l.seq++
	e.Origin, e.OriginSeq, e.RecordedAt = l.origin, l.seq, l.at
	l.events = append(l.events, e)
	return e
}

var (
	sentriCard = DocumentRef{Type: "SENTRI", Country: "USA", Number: "900123456"}
	passport   = DocumentRef{Type: "P", Country: "USA", Number: "561234567"}
)

func validPassport(expired bool) mrz.Result {
	yes := true
	r := mrz.Result{
		Format: mrz.TD3, Valid: true, DocumentCode: "P", IssuingState: "USA", IssuingStateISO: "USA",
		DocumentNumber: "561234567", Nationality: "USA", NationalityISO: "USA", BirthDate: "1984-03-17",
		Sex: "F", ExpiryDate: "2031-05-01", Surname: "GARCIA", GivenNames: "MARIA ELENA",
		Checks: mrz.Checks{DocumentNumber: &yes, BirthDate: &yes, ExpiryDate: &yes, PersonalNumber: &yes, Composite: &yes},
	}
	if expired {
		r.ExpiryDate = "2020-05-01"
		r.Warnings = []string{mrz.WarnExpired}
	}
	return r
}

// cleanSentri is a SENTRI car: tag read, RPM clean, plate read, passport read,
// reference check clean, face match.
func cleanSentri(t *testing.T, origin string) *log {
	l := newLog(t, origin)
	l.add("", CrossingOpened{Port: "2608", Lane: "V03", Mode: ModeVehicle, Trigger: "rfid"})
	l.add("", RFIDRead{EPC: "E2003411B802011516121234", Antenna: 1, RSSI: -52, Enrollment: &Enrollment{
		Program: "SENTRI", TravelerID: "T0001", Surname: "GARCIA", GivenNames: "MARIA ELENA",
		BirthDate: "1984-03-17", Document: sentriCard, VehiclePlates: []string{"US-CA/7ABC123"},
	}})
	l.add("", RPMOccupancy{Occupancy: 41, Start: t0, End: t0.Add(3 * time.Second), MaxGamma: 420, BackgroundGamma: 400, Speed: 4.5})
	l.add("", PlateRead{Plate: "7ABC123", Region: "US-CA", Confidence: 94.1})
	l.add("", DocumentRead{Raw: []string{"P<USAGARCIA<<MARIA<ELENA", "561234567..."}, MRZ: validPassport(false)})
	l.add("", ReferenceChecked{Subject: passport.Key(), DataVersion: 7, TravelerID: "T0001", Citizenship: "USA", Status: "USC"})
	l.add("", FaceVerified{Document: passport, Result: FaceMatch, Score: 0.93, Threshold: 0.8})
	return l
}

func TestFoldCleanSentri(t *testing.T) {
	l := cleanSentri(t, "booth-1")
	c := Fold(l.events)

	if c.ID != l.id || c.Port != "2608" || c.Lane != "V03" || c.Mode != ModeVehicle || c.Origin != "booth-1" {
		t.Errorf("opening not folded: %+v", c)
	}
	if len(c.Travelers) != 1 {
		t.Fatalf("want the card holder and the passport merged into 1 traveller, got %d: %+v", len(c.Travelers), c.Travelers)
	}
	tr := c.Travelers[0]
	if tr.Document != passport || tr.Program != "SENTRI" || tr.Citizenship != "USA" || tr.Status != "USC" ||
		tr.Face == nil || tr.Face.Result != FaceMatch || !tr.Checked || tr.MRZ == nil {
		t.Errorf("traveller not merged: %+v", tr)
	}
	if c.Traveler(sentriCard.Key()) != tr || c.Traveler(passport.Key()) != tr {
		t.Error("traveller not found by both of their documents")
	}
	if c.Vehicle == nil || c.Vehicle.Key() != "US-CA/7ABC123" || c.RPM == nil || c.RPM.Occupancy != 41 {
		t.Errorf("vehicle or RPM missing: %+v %+v", c.Vehicle, c.RPM)
	}
	if len(c.Alerts) != 0 {
		t.Errorf("clean crossing raised alerts: %+v", c.Alerts[0])
	}
	if ok, why := c.CanAdmit(); !ok {
		t.Errorf("clean SENTRI crossing cannot be admitted: %s", why)
	}
	l.add("A123", Determination{Outcome: OutcomeAdmitted})
	l.add("A123", CrossingClosed{})
	c = Fold(l.events)
	if c.Status != StatusClosed || c.Determination == nil || c.Determination.Officer != "A123" {
		t.Errorf("status %s determination %+v", c.Status, c.Determination)
	}
	if ok, _ := c.CanAdmit(); ok {
		t.Error("a closed crossing can be admitted again")
	}
}

func TestFoldAlerts(t *testing.T) {
	tests := []struct {
		name      string
		add       func(l *log)
		wantType  AlertType
		wantForce bool
	}{
		{"rpm gamma alarm", func(l *log) {
			l.add("", RPMOccupancy{Occupancy: 42, GammaAlarm: true, MaxGamma: 2400})
		}, AlertRPM, true},
		{"expired passport", func(l *log) {
			l.add("", DocumentRead{MRZ: validPassport(true)})
		}, AlertExpired, false},
		{"bad check digit", func(l *log) {
			r := validPassport(false)
			r.Valid, r.Errors = false, []string{"document number check digit mismatch"}
			l.add("", DocumentRead{MRZ: r})
		}, AlertMRZCheck, false},
		{"face no match", func(l *log) {
			l.add("", DocumentRead{MRZ: validPassport(false)})
			l.add("", FaceVerified{Document: passport, Result: FaceNoMatch, Score: 0.31, Threshold: 0.8})
		}, AlertFaceNoMatch, false},
		{"lookout by document", func(l *log) {
			l.add("", DocumentRead{MRZ: validPassport(false)})
			l.add("", ReferenceChecked{Subject: passport.Key(), Hits: []Hit{{ID: "LK1", Type: HitLookout, Severity: "high", Instruction: "Refer."}}})
		}, AlertLookout, false},
		{"lost or stolen", func(l *log) {
			l.add("", DocumentRead{MRZ: validPassport(false)})
			l.add("", ReferenceChecked{Subject: passport.Key(), Hits: []Hit{{ID: "LS1", Type: HitLostStolen, Severity: "high"}}})
		}, AlertLostStolen, false},
		{"plate lookout", func(l *log) {
			l.add("", DocumentRead{MRZ: validPassport(false)})
			l.add("", PlateRead{Plate: "ABC1234", Region: "US-AZ", Confidence: 90})
			l.add("", ReferenceChecked{Subject: "plate:US-AZ/ABC1234", Hits: []Hit{{ID: "LK2", Type: HitLookout, Severity: "medium"}}})
		}, AlertPlate, false},
		{"keyed expired document", func(l *log) {
			l.add("A1", DocumentKeyed{Fields: &KeyedFields{DocumentCode: "P", IssuingState: "MEX", Number: "G1", Surname: "LOPEZ", ExpiryDate: "2001-01-01"}})
		}, AlertExpired, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLog(t, "b1")
			l.add("", CrossingOpened{Port: "2608", Lane: "V01", Mode: ModeVehicle})
			l.add("", RPMOccupancy{Occupancy: 41}) // clean portal pass
			tt.add(l)
			c := Fold(l.events)
			if len(c.Alerts) != 1 {
				t.Fatalf("want 1 alert, got %d: %+v", len(c.Alerts), c.Alerts)
			}
			a := c.Alerts[0]
			if a.Type != tt.wantType || a.ForcesReferral != tt.wantForce || a.Text == "" {
				t.Errorf("alert %+v", a)
			}
			if ok, _ := c.CanAdmit(); ok {
				t.Error("admissible with an unacknowledged alert")
			}
			l.add("A1", AlertAcknowledged{AlertID: a.ID})
			c = Fold(l.events)
			if !c.Alerts[0].Acknowledged || c.Alerts[0].AckedBy != "A1" {
				t.Errorf("ack not applied: %+v", c.Alerts[0])
			}
			ok, why := c.CanAdmit()
			if tt.wantForce == ok {
				t.Errorf("after ack: CanAdmit=%v (%s), forces referral=%v", ok, why, tt.wantForce)
			}
		})
	}
}

func TestFoldSentriVehicleNotEnrolled(t *testing.T) {
	l := cleanSentri(t, "b1")
	l.add("A1", PlateConfirmed{Plate: "9XYZ999", Region: "US-CA", Corrected: true})
	c := Fold(l.events)
	if len(c.Alerts) != 1 || c.Alerts[0].Type != AlertNotEnrolled {
		t.Fatalf("want vehicle-not-enrolled alert, got %+v", c.Alerts)
	}
	if !c.Vehicle.Confirmed || !c.Vehicle.Corrected || c.Vehicle.Plate != "9XYZ999" {
		t.Errorf("correction not folded: %+v", c.Vehicle)
	}
	// A later automatic read must not override the officer's correction.
	l.add("", PlateRead{Plate: "7ABC123", Region: "US-CA", Confidence: 99})
	if c = Fold(l.events); c.Vehicle.Plate != "9XYZ999" {
		t.Errorf("plate read overrode the officer: %+v", c.Vehicle)
	}
}

func TestFoldOrderIndependent(t *testing.T) {
	l := cleanSentri(t, "b1")
	l.add("", RPMOccupancy{Occupancy: 42, NeutronAlarm: true})
	l.add("A1", AlertAcknowledged{AlertID: "rpm:42"})
	l.add("A1", Referred{Reasons: []string{ReasonRPMAlarm}, Note: "neutron"})
	l.add("S9", SecondaryFinding{Category: "radiation", Text: "medical isotope, letter from hospital"})
	l.add("S9", Determination{Outcome: OutcomeReleased})
	want := Fold(l.events)

	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200; i++ {
		evs := slices.Clone(l.events)
		rng.Shuffle(len(evs), func(a, b int) { evs[a], evs[b] = evs[b], evs[a] })
		// Duplicates arrive too with at-least-once delivery.
		evs = append(evs, evs[rng.IntN(len(evs))])
		if got := Fold(evs); !reflect.DeepEqual(got, want) {
			t.Fatalf("permutation %d folds differently:\n got %+v\nwant %+v", i, got, want)
		}
	}
	if want.Status != StatusDetermined || want.Referral == nil || want.Events != len(l.events) {
		t.Errorf("status %s referral %+v events %d", want.Status, want.Referral, want.Events)
	}
}

// Two workstations (primary and secondary) write about the same crossing; the
// union of their logs folds to the same state from either side.
func TestFoldMergeTwoWorkstations(t *testing.T) {
	primary := cleanSentri(t, "booth-1")
	primary.add("", RPMOccupancy{Occupancy: 43, GammaAlarm: true})
	primary.add("A1", Referred{Reasons: []string{ReasonRPMAlarm}})

	secondary := &log{t: t, id: primary.id, origin: "sec-1", at: primary.at}
	secondary.add("S2", AlertAcknowledged{AlertID: "rpm:43"})
	secondary.add("S2", LSSRequested{Occupancy: 43})
	secondary.add("S2", LSSAnswered{Occupancy: 43, Answer: "NORM"})
	// The primary also acknowledges, later; the first acknowledgement stands.
	primary.at = secondary.at
	primary.add("A1", AlertAcknowledged{AlertID: "rpm:43"})
	secondary.add("S2", Determination{Outcome: OutcomeReleased})

	ab := Fold(append(slices.Clone(primary.events), secondary.events...))
	ba := Fold(append(slices.Clone(secondary.events), primary.events...))
	if !reflect.DeepEqual(ab, ba) {
		t.Fatal("merge depends on which log comes first")
	}
	a := ab.Alert("rpm:43")
	if a == nil || !a.Acknowledged || a.AckedBy != "S2" {
		t.Errorf("alert %+v", a)
	}
	if len(ab.LSS) != 1 || ab.LSS[0].Answer == nil || ab.LSS[0].Answer.Value.Answer != "NORM" {
		t.Errorf("LSS exchange %+v", ab.LSS)
	}
	if ab.Status != StatusDetermined || ab.Determination.Value.Outcome != OutcomeReleased || ab.Origin != "booth-1" {
		t.Errorf("status %s determination %+v origin %s", ab.Status, ab.Determination, ab.Origin)
	}
}

func TestFoldAckBeforeAlertCounts(t *testing.T) {
	l := newLog(t, "b1")
	l.add("A1", AlertAcknowledged{AlertID: "rpm:7"}) // skewed clock on another booth
	l.add("", RPMOccupancy{Occupancy: 7, GammaAlarm: true})
	c := Fold(l.events)
	if a := c.Alert("rpm:7"); a == nil || !a.Acknowledged {
		t.Errorf("acknowledgement ordered before its alert lost: %+v", a)
	}
}

func TestFoldSkipsUnknownAndNewer(t *testing.T) {
	l := cleanSentri(t, "b1")
	future := l.events[0]
	future.ID, future.Kind, future.Schema = NewID(), "cargo.manifest", 1
	newer := l.events[0]
	newer.ID, newer.Schema = NewID(), SchemaVersion+1
	newer.Payload = json.RawMessage(`{"port":"X","brand_new_field":1}`)
	c := Fold(append(slices.Clone(l.events), future, newer))
	if len(c.Skipped) != 2 || c.Port != "2608" {
		t.Errorf("skipped %v port %q", c.Skipped, c.Port)
	}
}

func TestFoldPedestrianUnresolvedTag(t *testing.T) {
	l := newLog(t, "p1")
	l.add("", CrossingOpened{Port: "2608", Lane: "P01", Mode: ModePedestrian})
	l.add("", RFIDRead{EPC: "E20000000000000000000001", RSSI: -40})
	l.add("", BaggageXray{Outcome: "clear"})
	c := Fold(l.events)
	if len(c.Travelers) != 1 || c.Travelers[0].Key != "epc:E20000000000000000000001" {
		t.Errorf("unresolved tag: %+v", c.Travelers)
	}
	if c.Vehicle != nil || c.Baggage == nil || c.Baggage.Outcome != "clear" {
		t.Errorf("vehicle %+v baggage %+v", c.Vehicle, c.Baggage)
	}
}

func TestDecodeErrors(t *testing.T) {
	e, err := NewEvent("c", Note{Text: "x"}, t0, "A1")
	if err != nil {
		t.Fatal(err)
	}
	bad := e
	bad.Payload = json.RawMessage(`{"text":5}`)
	if _, err := bad.Decode(); err == nil {
		t.Error("bad payload decoded")
	}
	p, err := e.Decode()
	if err != nil || p.(*Note).Text != "x" {
		t.Errorf("decode: %v %+v", err, p)
	}
}

func BenchmarkFold50(b *testing.B) {
	t := &testing.T{}
	l := cleanSentri(t, "b1")
	for len(l.events) < 50 {
		l.add("A1", Note{Text: "checked trunk"})
		l.add("", RFIDRead{EPC: "E2003411B802011516121234", RSSI: -50, Enrollment: l.events[1].mustRFID().Enrollment})
	}
	evs := l.events[:50]
	b.ReportAllocs()
	var samples []time.Duration
	for b.Loop() {
		start := time.Now()
		c := Fold(evs)
		samples = append(samples, time.Since(start))
		if c.Events != 50 {
			b.Fatal("bad fold")
		}
	}
	slices.Sort(samples)
	b.ReportMetric(float64(samples[len(samples)/2].Nanoseconds()), "p50-ns/op")
	b.ReportMetric(float64(samples[len(samples)*99/100].Nanoseconds()), "p99-ns/op")
}

func (e Event) mustRFID() *RFIDRead {
	p, err := e.Decode()
	if err != nil {
		panic(err)
	}
	return p.(*RFIDRead)
}

func TestFoldIncompleteRPMAlarmForcesReferral(t *testing.T) {
	l := cleanSentri(t, "b1")
	l.add("", RPMOccupancy{Start: t0, End: t0.Add(5 * time.Second), GammaAlarm: true, Incomplete: true})
	c := Fold(l.events)
	must, why := c.MustRefer()
	if !must || !strings.Contains(why, "never closed") {
		t.Errorf("incomplete alarmed occupancy: must refer %v (%s)", must, why)
	}
}

func TestFoldVehicleWithoutRPMScan(t *testing.T) {
	l := newLog(t, "b1")
	l.add("", CrossingOpened{Port: "2608", Lane: "V01", Mode: ModeVehicle, Trigger: "rfid"})
	l.add("", DocumentRead{MRZ: validPassport(false)})
	c := Fold(l.events)
	if len(c.Alerts) != 1 || c.Alerts[0].Type != AlertNoRPM {
		t.Fatalf("vehicle without a portal scan: alerts %+v", c.Alerts)
	}
	if ok, _ := c.CanAdmit(); ok {
		t.Error("vehicle admissible with no radiation scan and no acknowledgement")
	}
	// The portal's result arriving clears it without the officer.
	withScan := append(slices.Clone(l.events), l.add("", RPMOccupancy{Occupancy: 9}))
	if c := Fold(withScan); len(c.Alerts) != 0 {
		t.Errorf("alert stays after the scan: %+v", c.Alerts[0])
	}
	// Acknowledging it is the officer's override (handheld scan).
	l.events = l.events[:len(l.events)-1]
	l.add("A1", AlertAcknowledged{AlertID: "rpm:missing", Comment: "handheld RIID clear"})
	if ok, why := Fold(l.events).CanAdmit(); !ok {
		t.Errorf("acknowledged missing scan still blocks: %s", why)
	}

	p := newLog(t, "p1")
	p.add("", CrossingOpened{Port: "2608", Lane: "P01", Mode: ModePedestrian})
	p.add("", DocumentRead{MRZ: validPassport(false)})
	if c := Fold(p.events); len(c.Alerts) != 0 {
		t.Errorf("pedestrian crossing raised %+v", c.Alerts[0])
	}
}
