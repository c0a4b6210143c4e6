package secondary

import (
	"context"
	"errors"
	"image"
	"image/color"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/portofentry/booth/records"
)

// The screens are tested over an in-memory replica: the port's crossings as
// events, shared by every workstation of a test (as the port server's feed
// shares them), folded with the records package exactly as the store's
// queries are.

// port is the events every workstation's replica holds. Append assigns the
// origin like a workstation's store does.
type port struct {
	mu     sync.Mutex
	events []records.Event
	synced time.Time
	fail   error
}

// replica is one workstation's view of the port: its writes carry its
// origin.
type replica struct {
	p      *port
	origin string
}

func (r *replica) Append(ctx context.Context, evs ...records.Event) ([]records.Event, error) {
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	if r.p.fail != nil {
		return nil, r.p.fail
	}
	out := make([]records.Event, len(evs))
	for i, e := range evs {
		e.Origin = r.origin
		e.RecordedAt = e.At
		r.p.events = append(r.p.events, e)
		out[i] = e
	}
	return out, nil
}

func (p *port) add(evs ...records.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.events = append(p.events, evs...)
}

func (p *port) folded() []*records.Crossing {
	p.mu.Lock()
	defer p.mu.Unlock()
	by := map[string][]records.Event{}
	var ids []string
	for _, e := range p.events {
		if by[e.CrossingID] == nil {
			ids = append(ids, e.CrossingID)
		}
		by[e.CrossingID] = append(by[e.CrossingID], e)
	}
	out := make([]*records.Crossing, 0, len(ids))
	for _, id := range ids {
		out = append(out, records.Fold(by[id]))
	}
	return out
}

func (r *replica) entries(keep func(*records.Crossing) bool) []records.QueueEntry {
	var out []records.QueueEntry
	for _, c := range r.p.folded() {
		if keep(c) {
			out = append(out, c.QueueEntry(time.Time{}))
		}
	}
	slices.SortFunc(out, func(a, b records.QueueEntry) int { return a.ReferredAt.Compare(b.ReferredAt) })
	return out
}

func (r *replica) Queue(ctx context.Context) ([]records.QueueEntry, error) {
	return r.entries((*records.Crossing).InQueue), nil
}

func (r *replica) Conflicts(ctx context.Context) ([]records.QueueEntry, error) {
	return r.entries((*records.Crossing).InConflict), nil
}

func (r *replica) Crossing(ctx context.Context, id string) ([]records.Event, error) {
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	var out []records.Event
	for _, e := range r.p.events {
		if e.CrossingID == id {
			out = append(out, e)
		}
	}
	return out, nil
}

func summaryOf(c *records.Crossing) Summary {
	q := c.QueueEntry(time.Time{})
	s := Summary{CrossingID: c.ID, At: c.OpenedAt, Port: c.Port, Lane: c.Lane, Plate: q.Plate, Names: q.Names,
		Referred: c.Referral != nil, Outcome: string(c.FinalOutcome()), Conflict: c.InConflict()}
	for _, o := range q.Outcomes {
		s.Outcomes = append(s.Outcomes, string(o))
	}
	return s
}

func (r *replica) Search(ctx context.Context, q Query, limit int) ([]Summary, error) {
	var out []Summary
	for _, c := range r.p.folded() {
		hit := false
		for _, t := range c.Travelers {
			for _, d := range t.Documents {
				hit = hit || (q.Document != "" && d.Number == q.Document)
			}
			hit = hit || (q.Surname != "" && t.Surname == q.Surname && t.BirthDate == q.BirthDate)
		}
		hit = hit || (q.Plate != "" && c.Vehicle != nil && c.Vehicle.Plate == q.Plate)
		if hit {
			out = append(out, summaryOf(c))
		}
	}
	return out, nil
}

func (r *replica) History(ctx context.Context, c *records.Crossing, limit int) ([]Summary, error) {
	return []Summary{{CrossingID: "earlier-1", At: time.Date(2026, 10, 2, 8, 15, 0, 0, time.UTC), Port: "2608", Lane: "V03",
		Plate: "US-CA/7ABC123", Names: []string{"GARCIA, MARIA ELENA"}, Outcome: "admitted"}}, nil
}

func (r *replica) Gallery(ctx context.Context, doc records.DocumentRef) (image.Image, error) {
	img := image.NewRGBA(image.Rect(0, 0, 48, 64))
	for y := range 64 {
		for x := range 48 {
			img.Set(x, y, color.RGBA{180, 140, 110, 255})
		}
	}
	return img, nil
}

func (r *replica) Status(ctx context.Context) (ReplicaStatus, error) {
	r.p.mu.Lock()
	defer r.p.mu.Unlock()
	return ReplicaStatus{Synced: r.p.synced, Link: "connected"}, nil
}

// testKeys is the default layout (the root builds the same from its
// keymap).
func testKeys() Keys {
	b := func(k ...string) key.Binding { return key.NewBinding(key.WithKeys(k...), key.WithHelp(k[0], k[0])) }
	return Keys{Up: b("up", "k"), Down: b("down", "j"), PageUp: b("pgup"), PageDown: b("pgdown"),
		Open: b("enter"), Back: b("esc"), Take: b("t"), Search: b("/"), Conflicts: b("c"),
		Finding: b("f"), LSS: b("l"), Determine: b("d"), Replay: b("p"),
		Help: b("?"), Lock: b("ctrl+l"), Logout: b("ctrl+q"), Quit: b("ctrl+c"),
		Confirm: b("enter"), Cancel: b("esc"), Toggle: b("space"), NextField: b("tab"), PrevField: b("shift+tab")}
}

// station is one secondary workstation under test.
type station struct {
	t     testing.TB
	p     *port
	m     *Model
	clock *testClock
	ticks []time.Duration // replay ticks asked for
	audit []string
	last  Status // the last status line any message produced
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newStation(t testing.TB, p *port, clock *testClock, workstation, badge string, w, h int) *station {
	t.Helper()
	s := &station{t: t, p: p, clock: clock}
	r := &replica{p: p, origin: workstation}
	plain := lipgloss.NewStyle()
	sh := &Shared{Keys: testKeys(), Now: clock.Now, Styles: Styles{Selected: plain.Reverse(true), Dialog: plain.Border(lipgloss.NormalBorder()),
		Banner: plain.Reverse(true), Color: true}}
	var mu sync.Mutex
	s.m = New(t.Context(), sh, Config{Workstation: workstation, Port: "2608"}, Deps{Store: r, Log: r,
		Audit: func(ctx context.Context, b, action, subject string) error {
			mu.Lock()
			defer mu.Unlock()
			s.audit = append(s.audit, b+" "+action+" "+subject)
			return nil
		}})
	s.m.after = func(d time.Duration, _ func(time.Time) tea.Msg) tea.Cmd {
		s.ticks = append(s.ticks, d)
		return nil
	}
	s.m.SetSize(w, h)
	s.run(s.m.Start(badge))
	return s
}

// send delivers msg and runs what it starts until nothing is left.
func (s *station) send(msg tea.Msg) {
	s.t.Helper()
	s.run(s.hold(msg))
}

func (s *station) hold(msg tea.Msg) tea.Cmd {
	st, cmd := s.m.Update(msg)
	if st.Text != "" {
		s.last = st
	}
	return cmd
}

func (s *station) run(cmd tea.Cmd) {
	s.t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if msg == nil {
			continue
		}
		queue = append(queue, s.hold(msg))
	}
}

// status runs msg and what it starts, and returns the last status line
// they produced.
func (s *station) status(msg tea.Msg) Status {
	s.last = Status{}
	s.send(msg)
	return s.last
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
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (s *station) keys(ks ...string) {
	s.t.Helper()
	for _, k := range ks {
		s.send(keyMsg(k))
	}
}

func (s *station) typeText(text string) {
	for _, r := range text {
		s.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (s *station) view() string { return ansi.Strip(s.m.View()) }

// changed is the feed puller's notice after it applied a batch.
func (s *station) changed() { s.send(ReplicaChangedMsg{}) }

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

// checkSize asserts the view is exactly w×h cells at most.
func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("line %d is %d cells wide (> %d): %q", i, n, w, l)
		}
	}
}

// ev builds a stored event of a crossing at t0+off.
func ev(t testing.TB, id string, off time.Duration, officer, origin string, p records.Payload) records.Event {
	t.Helper()
	e, err := records.NewEvent(id, p, t0.Add(off), officer)
	if err != nil {
		t.Fatal(err)
	}
	e.Origin, e.RecordedAt = origin, e.At
	return e
}

// referredCar is a vehicle crossing referred by the primary at lane V02:
// SENTRI card, a plate with candidates, an RPM gamma alarm acknowledged, a
// face match, a lookout on the plate, and the primary's note.
func referredCar(t testing.TB, id string, at time.Duration) []records.Event {
	const booth, officer = "booth-v02", "B1001"
	en := &records.Enrollment{Program: "SENTRI", TravelerID: "T0001", Surname: "GARCIA", GivenNames: "MARIA ELENA",
		BirthDate: "1984-03-17", Document: records.DocumentRef{Type: "SENTRI", Country: "USA", Number: "900123456"}}
	occ := records.RPMOccupancy{Occupancy: 4101, Start: t0.Add(at), End: t0.Add(at + 3*time.Second), GammaAlarm: true,
		MaxGamma: 560, BackgroundGamma: 240, Speed: 4.2}
	return []records.Event{
		ev(t, id, at, "", booth, records.CrossingOpened{Port: "2608", Lane: "V02", Mode: records.ModeVehicle, Trigger: "rfid"}),
		ev(t, id, at+time.Second, "", booth, records.RFIDRead{EPC: "E200", Antenna: 1, RSSI: -50, Enrollment: en}),
		ev(t, id, at+2*time.Second, "", booth, records.PlateRead{Plate: "7ABC123", Region: "US-CA", Confidence: 71,
			Candidates: []records.PlateCandidate{{Plate: "7ABC123", Confidence: 71}, {Plate: "7A8C123", Confidence: 55}}}),
		ev(t, id, at+3*time.Second, "", booth, occ),
		ev(t, id, at+4*time.Second, "", booth, records.ReferenceChecked{Subject: "USA/900123456", TravelerID: "T0001",
			Citizenship: "USA", Status: "USC"}),
		ev(t, id, at+4*time.Second, "", booth, records.ReferenceChecked{Subject: "plate:US-CA/7ABC123", Hits: []records.Hit{
			{ID: "LK0009", Type: records.HitLookout, Severity: "high", Detail: "vehicle of interest", Instruction: "Refer to secondary."}}}),
		ev(t, id, at+5*time.Second, "", booth, records.FaceVerified{Document: en.Document, Result: records.FaceMatch, Score: 0.93, Threshold: 0.8}),
		ev(t, id, at+20*time.Second, officer, booth, records.AlertAcknowledged{AlertID: "rpm:4101"}),
		ev(t, id, at+30*time.Second, officer, booth, records.Referred{Reasons: []string{records.ReasonRPMAlarm, records.ReasonLookout},
			Note: "driver says medical treatment last week"}),
	}
}

// referredWalker is a pedestrian referred at random, nothing else.
func referredWalker(t testing.TB, id string, at time.Duration) []records.Event {
	const booth, officer = "booth-p01", "B1002"
	return []records.Event{
		ev(t, id, at, "", booth, records.CrossingOpened{Port: "2608", Lane: "P01", Mode: records.ModePedestrian, Trigger: "document"}),
		ev(t, id, at+10*time.Second, officer, booth, records.DocumentKeyed{Fields: &records.KeyedFields{DocumentCode: "P",
			IssuingState: "GBR", Number: "533401872", Surname: "THOMPSON", GivenNames: "OLIVER JAMES", BirthDate: "1979-12-12"}}),
		ev(t, id, at+20*time.Second, officer, booth, records.Referred{Reasons: []string{records.ReasonRandom}}),
	}
}

var errTestDown = errors.New("replica down")
