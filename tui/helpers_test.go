package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/simulator"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
)

// The screens are tested against small in-package implementations of the
// package's own interfaces; the real SQLite store, the face matcher client
// and the biometric store are exercised with the TUI in cmd/booth.

const (
	testBadge = "B7001"
	testPIN   = "135790"
)

// errNotOpened is memLog's refusal of an event for a crossing it has never
// seen that does not follow that crossing's opening, as the booth's store
// refuses it.
var errNotOpened = errors.New("crossing not opened")

// memLog is an append-only crossing log in memory. Like the store it skips
// an event whose id it holds (returning the stored copy) and refuses a
// local event for a crossing it has never seen unless crossing.opened for it
// comes first in the same call. fail, when set, refuses every call.
type memLog struct {
	mu     sync.Mutex
	events []records.Event
	byID   map[string]records.Event
	opened map[string]bool
	fail   error
	calls  int
}

func newMemLog() *memLog {
	return &memLog{byID: map[string]records.Event{}, opened: map[string]bool{}}
}

func (l *memLog) Append(ctx context.Context, evs ...records.Event) ([]records.Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls++
	if l.fail != nil {
		return nil, fmt.Errorf("memlog: append: %w", l.fail)
	}
	opened := map[string]bool{}
	for _, e := range evs {
		if _, dup := l.byID[e.ID]; dup {
			continue
		}
		switch {
		case e.Kind == records.KindCrossingOpened:
			opened[e.CrossingID] = true
		case !l.opened[e.CrossingID] && !opened[e.CrossingID]:
			return nil, fmt.Errorf("memlog: %s for crossing %s: %w", e.Kind, e.CrossingID, errNotOpened)
		}
	}
	out := make([]records.Event, len(evs))
	for i, e := range evs {
		if old, dup := l.byID[e.ID]; dup {
			out[i] = old
			continue
		}
		e.RecordedAt = time.Now()
		l.byID[e.ID] = e
		l.events = append(l.events, e)
		if e.Kind == records.KindCrossingOpened {
			l.opened[e.CrossingID] = true
		}
		out[i] = e
	}
	return out, nil
}

func (l *memLog) setFail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail = err
}

// crossing returns a crossing's stored events in order.
func (l *memLog) crossing(id string) []records.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []records.Event
	for _, e := range l.events {
		if e.CrossingID == id {
			out = append(out, e)
		}
	}
	return out
}

// crossings lists every crossing with stored events.
func (l *memLog) crossings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := map[string]bool{}
	var ids []string
	for _, e := range l.events {
		if !seen[e.CrossingID] {
			seen[e.CrossingID] = true
			ids = append(ids, e.CrossingID)
		}
	}
	return ids
}

func (l *memLog) count(kind records.Kind) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// fakeLookups answers look-ups from tables the test fills.
type fakeLookups struct {
	mu          sync.Mutex
	enrollments map[string]*records.Enrollment
	travelers   map[string]records.ReferenceChecked // by document key
	plates      map[string]records.ReferenceChecked // by REGION/PLATE
	history     map[string][]HistoryEntry           // by document key or plate:REGION/PLATE
	status      RefStatus
}

func (f *fakeLookups) Enrollment(ctx context.Context, epc string) (*records.Enrollment, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.enrollments[epc], nil
}

func (f *fakeLookups) CheckTraveler(ctx context.Context, t records.Traveler) (records.ReferenceChecked, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rc := f.travelers[t.Document.Key()]
	rc.Subject = t.Document.Key()
	return rc, nil
}

func (f *fakeLookups) CheckPlate(ctx context.Context, region, plate string) (records.ReferenceChecked, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	rc := f.plates[region+"/"+plate]
	rc.Subject = "plate:" + region + "/" + plate
	return rc, nil
}

func (f *fakeLookups) TravelerHistory(ctx context.Context, t records.Traveler, limit int) ([]HistoryEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.history[t.Document.Key()], nil
}

func (f *fakeLookups) PlateHistory(ctx context.Context, region, plate string, limit int) ([]HistoryEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.history["plate:"+region+"/"+plate], nil
}

func (f *fakeLookups) Status(ctx context.Context) (RefStatus, error) { return f.status, nil }

// fakeOfficers knows one officer and keeps the audit trail in memory:
// "badge action" per entry, and the entries built by records whole.
type fakeOfficers struct {
	mu      sync.Mutex
	audit   []string
	entries []records.AuditEntry
}

func (o *fakeOfficers) Authenticate(ctx context.Context, badge string, pin []byte, now time.Time) (Officer, error) {
	if badge != testBadge || string(pin) != testPIN {
		return Officer{}, ErrBadCredentials
	}
	return Officer{Badge: testBadge, Name: "TEST OFFICER", Role: "primary"}, nil
}

func (o *fakeOfficers) Audit(ctx context.Context, badge, action, subject string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.audit = append(o.audit, badge+" "+action)
	return nil
}

func (o *fakeOfficers) RecordAudit(ctx context.Context, e records.AuditEntry) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.audit = append(o.audit, e.Officer+" "+e.Action)
	o.entries = append(o.entries, e)
	return nil
}

// fakeFaces is a face matcher answering by document number.
type fakeFaces struct {
	mu     sync.Mutex
	result map[string]records.FaceResult
	down   bool
}

func (f *fakeFaces) set(number string, r records.FaceResult) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.result[number] = r
}

func (f *fakeFaces) Verify(ctx context.Context, lane string, doc records.DocumentRef) FaceVerification {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return FaceVerification{Result: records.FaceUnavailable, Detail: "face matcher unavailable — verify manually: connection refused"}
	}
	res, score := f.result[doc.Number], 0.93
	if res == "" {
		res = records.FaceMatch
	}
	if res == records.FaceNoMatch {
		score = 0.31
	}
	return FaceVerification{Result: res, Score: score, Threshold: 0.8, CaptureID: "cap-" + doc.Number, CapturedAt: time.Now()}
}

func testFace(c color.RGBA) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 48, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 48; x++ {
			img.Set(x, y, c)
		}
	}
	return img
}

func (f *fakeFaces) Capture(ctx context.Context, id string) ([]byte, image.Image, error) {
	img := testFace(color.RGBA{200, 150, 120, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), img, nil
}

func (f *fakeFaces) Gallery(ctx context.Context, doc records.DocumentRef) (image.Image, error) {
	return testFace(color.RGBA{180, 140, 110, 255}), nil
}

// fakeBio is the biometric store in memory.
type fakeBio struct {
	mu       sync.Mutex
	captures map[string]FaceCapture
}

func (b *fakeBio) SaveCapture(ctx context.Context, c FaceCapture) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.captures[c.ID] = c
	return nil
}

func (b *fakeBio) MarkCitizenship(ctx context.Context, id string, class Citizenship) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.captures[id]
	if !ok {
		return fmt.Errorf("capture %s: not found", id)
	}
	c.Citizenship = class
	b.captures[id] = c
	return nil
}

func (b *fakeBio) get(id string) (FaceCapture, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, ok := b.captures[id]
	return c, ok
}

// testEnv is a workstation over the fakes, at a fixed clock.
type testEnv struct {
	t        testing.TB
	log      *memLog
	lookups  *fakeLookups
	officers *fakeOfficers
	faces    *fakeFaces
	bio      *fakeBio
	logBuf   *syncBuffer
	m        *Model
	now      time.Time
}

// syncBuffer is the workstation's log, for tests that read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Fixture people and reference answers.
const (
	epcGarcia      = "E2003411B802011516121234" // T0001, SENTRI, US-CA/7ABC123
	epcGarciaLopez = "E2003411B802011516125678" // T0002
)

var (
	hernandez = simulator.MRZFields{DocumentCode: "P", IssuingState: "MEX", DocumentNumber: "G12345678", Surname: "HERNANDEZ",
		GivenNames: "SOFIA", Nationality: "MEX", BirthDate: "1993-06-14", Sex: "F", ExpiryDate: "2031-01-22"} // lost/stolen LS0001
	thompson = simulator.MRZFields{DocumentCode: "P", IssuingState: "GBR", DocumentNumber: "533401872", Surname: "THOMPSON",
		GivenNames: "OLIVER JAMES", Nationality: "GBR", BirthDate: "1979-12-12", Sex: "M", ExpiryDate: "2024-08-14"} // expired
	kovalenko = simulator.MRZFields{DocumentCode: "P", IssuingState: "UKR", DocumentNumber: "FE1234567", Surname: "KOVALENKO",
		GivenNames: "DMYTRO", Nationality: "UKR", BirthDate: "1985-04-04", Sex: "M", ExpiryDate: "2032-04-04"} // lookout LK0002
)

func newLookups() *fakeLookups {
	sentri := func(id, surname, given, dob, number string) *records.Enrollment {
		return &records.Enrollment{Program: "SENTRI", TravelerID: id, Surname: surname, GivenNames: given, BirthDate: dob,
			Document: records.DocumentRef{Type: "SENTRI", Country: "USA", Number: number}, VehiclePlates: []string{"US-CA/7ABC123"}}
	}
	return &fakeLookups{
		enrollments: map[string]*records.Enrollment{
			epcGarcia:      sentri("T0001", "GARCIA", "MARIA ELENA", "1984-03-17", "900123456"),
			epcGarciaLopez: sentri("T0002", "GARCIA LOPEZ", "DIEGO ANDRES", "1982-11-02", "900123457"),
		},
		travelers: map[string]records.ReferenceChecked{
			"USA/900123456": {TravelerID: "T0001", Citizenship: "USA", Status: "USC"},
			"USA/900123457": {TravelerID: "T0002", Citizenship: "MEX", Status: "LPR"},
			"MEX/G12345678": {TravelerID: "T0010", Citizenship: "MEX", Status: "BCC", Hits: []records.Hit{
				{ID: "LS0001", Type: records.HitLostStolen, Severity: "high", Detail: "reported stolen 2026-10-01"}}},
			"GBR/533401872": {TravelerID: "T0008", Citizenship: "GBR", Status: "VWP"},
			"UKR/FE1234567": {Citizenship: "UKR", Hits: []records.Hit{{ID: "LK0002", Type: records.HitLookout, Severity: "high",
				Instruction: "Refer to secondary. Do not alert subject.", Detail: "Possible match to an outstanding warrant"}}},
		},
		plates:  map[string]records.ReferenceChecked{},
		history: map[string][]HistoryEntry{},
		status:  RefStatus{AsOf: time.Now().Add(-time.Hour), Link: "offline"},
	}
}

func newTestEnv(t *testing.T, mutate func(*Config)) *testEnv { return newTestEnvTB(t, mutate) }

func newTestEnvTB(t testing.TB, mutate func(*Config)) *testEnv {
	t.Helper()
	e := &testEnv{t: t, log: newMemLog(), lookups: newLookups(), officers: &fakeOfficers{},
		faces: &fakeFaces{result: map[string]records.FaceResult{}}, bio: &fakeBio{captures: map[string]FaceCapture{}},
		logBuf: &syncBuffer{}, now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
	cfg := Config{Workstation: "test-booth", Port: "2608", Lane: "V01", Mode: records.ModeVehicle, Role: "primary",
		Theme: "dark", IdleLock: 5 * time.Minute}
	if mutate != nil {
		mutate(&cfg)
	}
	m, err := New(t.Context(), cfg, Deps{Log: e.log, Lookups: e.lookups, Officers: e.officers, Faces: e.faces,
		Biometrics: e.bio, Now: e.clock, Logger: slog.New(slog.NewTextHandler(e.logBuf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e.m = m
	e.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	return e
}

func (e *testEnv) clock() time.Time { return e.now }

// promptCmd is how long a command may take before it is taken for a timer
// (the clock's tick): tests advance time themselves.
const promptCmd = 500 * time.Millisecond

// send delivers msg and runs the commands it returns, and theirs, until
// none is left.
func (e *testEnv) send(msg tea.Msg) {
	e.t.Helper()
	e.run(e.hold(msg))
}

// hold delivers msg and returns its command without running it, so a test
// can choose when a write finishes.
func (e *testEnv) hold(msg tea.Msg) tea.Cmd {
	e.t.Helper()
	_, cmd := e.m.Update(msg)
	return cmd
}

// run runs cmd and delivers what it returns, and so on, until nothing is
// left.
func (e *testEnv) run(cmd tea.Cmd) {
	e.t.Helper()
	queue := runCmds([]tea.Cmd{cmd})
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, runCmds(b)...)
			continue
		}
		_, cmd := e.m.Update(msg)
		queue = append(queue, runCmds([]tea.Cmd{cmd})...)
	}
}

func runCmds(cmds []tea.Cmd) []tea.Msg {
	var out []tea.Msg
	for _, c := range cmds {
		if c == nil {
			continue
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- c() }()
		select {
		case msg := <-ch:
			if _, tick := msg.(tickMsg); msg != nil && !tick {
				out = append(out, msg)
			}
		case <-time.After(promptCmd):
		}
	}
	return out
}

func (e *testEnv) keys(ks ...string) {
	e.t.Helper()
	for _, k := range ks {
		e.send(keyMsg(k))
	}
}

func (e *testEnv) typeText(s string) {
	for _, r := range s {
		e.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "ctrl+l":
		return tea.KeyPressMsg{Code: 'l', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (e *testEnv) login() {
	e.t.Helper()
	e.typeText(testBadge)
	e.keys("enter")
	e.typeText(testPIN)
	e.keys("enter")
	if e.m.officer == nil {
		e.t.Fatalf("login failed: %s", e.view())
	}
}

// view is the screen as text (styles stripped).
func (e *testEnv) view() string { return ansi.Strip(e.m.View().Content) }

// device feeds one device event at the env's clock.
func (e *testEnv) device(ev hardware.Event) {
	e.t.Helper()
	e.send(e.deviceMsg(ev))
}

func (e *testEnv) deviceMsg(ev hardware.Event) DeviceMsg {
	if ev.At.IsZero() {
		ev.At = e.now
	}
	return DeviceMsg{Event: ev}
}

func tagEvent(epc string) hardware.Event {
	return hardware.Event{Device: hardware.DeviceRFID, Kind: hardware.KindTag, Tag: &hardware.Tag{EPC: epc, Antenna: 1, RSSI: -55}}
}

func (e *testEnv) tag(epc string) { e.device(tagEvent(epc)) }

func (e *testEnv) occupancyEvent(alarm bool) hardware.Event {
	return hardware.Event{Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, Occupancy: &hardware.Occupancy{
		Occupancy: 4101, Start: e.now.Add(-3 * time.Second), End: e.now, GammaAlarm: alarm, MaxGamma: 560, BackgroundGamma: 240, Speed: 4.2}}
}

func (e *testEnv) occupancy(alarm bool) { e.device(e.occupancyEvent(alarm)) }

func plateEvent(p, region string, conf float64, cands ...hardware.PlateCandidate) hardware.Event {
	return hardware.Event{Device: hardware.DeviceLPR, Kind: hardware.KindPlate, Plate: &hardware.Plate{
		Plate: p, Region: region, Confidence: conf, Candidates: cands}}
}

func (e *testEnv) plate(p, region string, conf float64, cands ...hardware.PlateCandidate) {
	e.device(plateEvent(p, region, conf, cands...))
}

// passportEvent is the document reader reading a fixture traveller's TD3
// passport.
func (e *testEnv) passportEvent(f simulator.MRZFields) hardware.Event {
	e.t.Helper()
	lines, err := simulator.BuildTD3(f)
	if err != nil {
		e.t.Fatal(err)
	}
	r, err := mrz.ParseLines(lines, e.now)
	if err != nil {
		e.t.Fatal(err)
	}
	return hardware.Event{Device: hardware.DeviceDoc, Kind: hardware.KindDocument, Document: &hardware.Document{MRZ: r, Raw: lines}}
}

// mrzLines are a fixture traveller's passport MRZ lines.
func mrzLines(t testing.TB, f simulator.MRZFields) ([]string, error) {
	t.Helper()
	lines, err := simulator.BuildTD3(f)
	if err != nil {
		t.Fatal(err)
	}
	return lines, nil
}

func (e *testEnv) passport(f simulator.MRZFields) { e.device(e.passportEvent(f)) }

func (e *testEnv) advance(d time.Duration) { e.now = e.now.Add(d) }

// stored returns the kinds of the events stored for a crossing.
func (e *testEnv) stored(crossingID string) []records.Kind {
	evs := e.log.crossing(crossingID)
	kinds := make([]records.Kind, len(evs))
	for i, ev := range evs {
		kinds[i] = ev.Kind
	}
	return kinds
}

// fold is a crossing as the log holds it.
func (e *testEnv) fold(crossingID string) *records.Crossing {
	return records.Fold(e.log.crossing(crossingID))
}

// checkOpenings asserts the record's invariant over every stored crossing:
// its first event is crossing.opened with the workstation's port, lane and
// mode, and it has exactly one.
func (e *testEnv) checkOpenings() {
	e.t.Helper()
	for _, id := range e.log.crossings() {
		evs := e.log.crossing(id)
		if evs[0].Kind != records.KindCrossingOpened {
			e.t.Errorf("crossing %s starts with %s, not crossing.opened: %v", id, evs[0].Kind, e.stored(id))
			continue
		}
		p, err := evs[0].Decode()
		if err != nil {
			e.t.Fatal(err)
		}
		o := p.(*records.CrossingOpened)
		if o.Port != e.m.c.cfg.Port || o.Lane != e.m.c.cfg.Lane || o.Mode != e.m.c.cfg.Mode {
			e.t.Errorf("crossing %s opened with %+v", id, o)
		}
		n := 0
		for _, ev := range evs {
			if ev.Kind == records.KindCrossingOpened {
				n++
			}
		}
		if n != 1 {
			e.t.Errorf("crossing %s has %d openings", id, n)
		}
	}
}

func hasKind(ks []records.Kind, k records.Kind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

func mustContain(t *testing.T, view string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(view, w) {
			t.Fatalf("view lacks %q:\n%s", w, view)
		}
	}
}

func mustNotContain(t *testing.T, view string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(view, w) {
			t.Fatalf("view shows %q:\n%s", w, view)
		}
	}
}

func tea_WindowSize(w, h int) tea.Msg { return tea.WindowSizeMsg{Width: w, Height: h} }

func tea_BackgroundDark() tea.Msg { return tea.BackgroundColorMsg{Color: color.Black} }

func hardwareCandidates(plates ...string) []hardware.PlateCandidate {
	var out []hardware.PlateCandidate
	for i, p := range plates {
		out = append(out, hardware.PlateCandidate{Plate: p, Confidence: 70 - float64(10*i)})
	}
	return out
}
