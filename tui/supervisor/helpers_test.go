package supervisor

import (
	"context"
	"image"
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
	"github.com/portofentry/booth/tui/secondary"
)

// The screens are tested over an in-memory replica: the port's crossings as
// events and a dashboard the test sets, the audit chain the console writes
// and the port's audit log it reads.

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.Local)

type fakeStore struct {
	mu        sync.Mutex
	events    []records.Event
	dash      records.Dashboard
	dashCalls int
	found     []secondary.Summary
	finds     []records.SearchTerms
	log       []records.AuditEntry // the port's audit log
	logReads  []records.AuditQuery
	readers   []string
	audited   []records.AuditEntry // the console's own chain
	fail      error
}

func (f *fakeStore) Queue(context.Context) ([]records.QueueEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dash.Pending, nil
}
func (f *fakeStore) Conflicts(context.Context) ([]records.QueueEntry, error) { return nil, nil }

func (f *fakeStore) Crossing(_ context.Context, id string) ([]records.Event, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []records.Event
	for _, e := range f.events {
		if e.CrossingID == id {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) Search(context.Context, secondary.Query, int) ([]secondary.Summary, error) {
	return nil, nil
}

func (f *fakeStore) History(context.Context, *records.Crossing, int) ([]secondary.Summary, error) {
	return nil, nil
}

func (f *fakeStore) Gallery(context.Context, records.DocumentRef) (image.Image, error) {
	return nil, nil
}

func (f *fakeStore) Status(context.Context) (secondary.ReplicaStatus, error) {
	return secondary.ReplicaStatus{Synced: t0.Add(30 * time.Minute), Link: "online"}, nil
}

func (f *fakeStore) Dashboard(_ context.Context, now, _ time.Time) (records.Dashboard, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dashCalls++
	if f.fail != nil {
		return records.Dashboard{}, f.fail
	}
	// A copy, as a store's read is: the test changes f.dash afterwards.
	d := f.dash
	d.At = now
	d.Lanes = slices.Clone(d.Lanes)
	for i := range d.Lanes {
		d.Lanes[i].Devices = slices.Clone(d.Lanes[i].Devices)
	}
	d.Pending, d.OpenAlarms, d.Workstations = slices.Clone(d.Pending), slices.Clone(d.OpenAlarms), slices.Clone(d.Workstations)
	return d, nil
}

func (f *fakeStore) Find(_ context.Context, t records.SearchTerms, _ int) ([]secondary.Summary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finds = append(f.finds, t)
	return f.found, nil
}

func (f *fakeStore) AuditLog(_ context.Context, officer string, q records.AuditQuery) ([]records.AuditEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logReads = append(f.logReads, q)
	f.readers = append(f.readers, officer)
	var out []records.AuditEntry
	for _, e := range f.log {
		if (q.Officer == "" || e.Officer == q.Officer) && (q.Action == "" || e.Action == q.Action) &&
			(q.Since.IsZero() || !e.At.Before(q.Since)) && (q.Until.IsZero() || !e.At.After(q.Until)) {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeStore) Audit(_ context.Context, e records.AuditEntry) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.audited = append(f.audited, e)
	return nil
}

func (f *fakeStore) auditLines() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, e := range f.audited {
		out = append(out, e.Officer+" "+e.Action+" "+e.Subject)
	}
	return out
}

// testKeys is the default layout (the root builds the same from its
// keymap).
func testKeys() Keys {
	b := func(k ...string) key.Binding { return key.NewBinding(key.WithKeys(k...), key.WithHelp(k[0], k[0])) }
	return Keys{Up: b("up", "k"), Down: b("down", "j"), PageUp: b("pgup"), PageDown: b("pgdown"),
		Open: b("enter"), Back: b("esc"), Search: b("/"), AuditLog: b("u"), NextPanel: b("tab"), Replay: b("p"),
		Help: b("?"), Lock: b("ctrl+l"), Logout: b("ctrl+q"), Quit: b("ctrl+c"),
		Confirm: b("enter"), Cancel: b("esc"), Toggle: b("space"), NextField: b("tab"), PrevField: b("shift+tab")}
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

// console is one supervisor console under test.
type console struct {
	t     testing.TB
	store *fakeStore
	m     *Model
	clock *testClock
	last  Status
}

func newConsole(t testing.TB, store *fakeStore, w, h int) *console {
	t.Helper()
	c := &console{t: t, store: store, clock: &testClock{now: t0.Add(30 * time.Minute)}}
	plain := lipgloss.NewStyle()
	sh := &Shared{Keys: testKeys(), Now: c.clock.Now, Styles: Styles{Selected: plain.Reverse(true),
		Dialog: plain.Border(lipgloss.NormalBorder()), Banner: plain.Reverse(true), Color: true}}
	c.m = New(t.Context(), sh, Config{Workstation: "2608-SUP1", Port: "2608"}, Deps{Store: store})
	c.m.SetSize(w, h)
	c.run(c.m.Start("S9001"))
	return c
}

func (c *console) send(msg tea.Msg) {
	c.t.Helper()
	c.run(c.hold(msg))
}

func (c *console) hold(msg tea.Msg) tea.Cmd {
	st, cmd := c.m.Update(msg)
	if st.Text != "" {
		c.last = st
	}
	return cmd
}

// run runs cmd and what its messages start until nothing is left.
func (c *console) run(cmd tea.Cmd) {
	c.t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		if next == nil {
			continue
		}
		msg := next()
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if msg == nil {
			continue
		}
		queue = append(queue, c.hold(msg))
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
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (c *console) keys(ks ...string) {
	c.t.Helper()
	for _, k := range ks {
		c.send(keyMsg(k))
	}
}

func (c *console) typeText(text string) {
	for _, r := range text {
		c.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

func (c *console) view() string { return ansi.Strip(c.m.View()) }

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

// checkSize asserts the view is exactly h lines of at most w cells.
func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), h, view)
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

// referredCar is a car at lane V02 with an RPM gamma alarm, referred, and
// its determination by secondary.
func referredCar(t testing.TB, id string, determined bool) []records.Event {
	const booth = "2608-V02"
	occ := records.RPMOccupancy{Occupancy: 4101, Start: t0, End: t0.Add(3 * time.Second), GammaAlarm: true,
		MaxGamma: 560, BackgroundGamma: 240, Speed: 4.2}
	evs := []records.Event{
		ev(t, id, 0, "", booth, records.CrossingOpened{Port: "2608", Lane: "V02", Mode: records.ModeVehicle, Trigger: "rpm"}),
		ev(t, id, time.Second, "", booth, records.PlateRead{Plate: "7ABC123", Region: "US-CA", Confidence: 90}),
		ev(t, id, 3*time.Second, "", booth, occ),
		ev(t, id, 20*time.Second, "A2002", booth, records.AlertAcknowledged{AlertID: "rpm:4101"}),
		ev(t, id, 30*time.Second, "A2002", booth, records.Referred{Reasons: []string{records.ReasonRPMAlarm}}),
	}
	if determined {
		evs = append(evs,
			ev(t, id, 5*time.Minute, "B3001", "2608-SEC1", records.LSSAnswered{Occupancy: 4101, Isotopes: []records.Isotope{"K-40"}, Code: 4}),
			ev(t, id, 6*time.Minute, "B3001", "2608-SEC1", records.Determination{Outcome: records.OutcomeAdmitted, Note: "NORM: ceramic tiles"}))
	}
	return evs
}

// busyPort is a dashboard of four lanes, three referrals, two alarms and
// three workstations, one lane with its RPM unplugged.
func busyPort() records.Dashboard {
	dev := func(states ...string) []records.DeviceStatus {
		names := []string{"doc", "rfid", "rpm", "lpr"}
		var out []records.DeviceStatus
		for i, s := range states {
			out = append(out, records.DeviceStatus{Device: names[i], State: s})
		}
		return out
	}
	return records.Dashboard{
		Lanes: []records.LaneSummary{
			{Lane: "V01", Workstation: "2608-V01", Open: true, Contact: true, Officer: "A2001", State: records.LaneIdle,
				LastHour: 12, Sparkline: [8]int{3, 5, 8, 13, 9, 0, 7, 12}, MedianPrimary: 65 * time.Second, Decided: 57, Referred: 4,
				Devices: dev("connected", "connected", "connected", "connected"), RPM: records.RPMStats{GammaHigh: 1, CommFaults: 2}},
			{Lane: "V02", Workstation: "2608-V02", Open: true, Contact: true, Officer: "A2002", State: records.LaneDeciding,
				StateSince: t0.Add(29 * time.Minute), LastHour: 7, Sparkline: [8]int{1, 2, 3, 4, 5, 6, 7, 7}, MedianPrimary: 48 * time.Second,
				Decided: 35, Referred: 3, Devices: dev("connected", "connected", "disconnected", "connected"),
				RPM: records.RPMStats{Tamper: 1, ExtendedOccupancy: 2, Neutron: 1}},
			{Lane: "V03", Workstation: "2608-V03", Open: false, Contact: true, State: records.LaneClosed},
			{Lane: "V04", Workstation: "2608-V04", Open: true, Contact: false, Officer: "A2004", LastHeartbeat: t0.Add(20 * time.Minute)},
		},
		Workstations: []records.WorkstationLink{
			{Workstation: "2608-V01", Role: "primary", Lane: "V01", State: "online"},
			{Workstation: "2608-V04", Role: "primary", Lane: "V04", State: "offline", Backlog: 42, BacklogAge: 10 * time.Minute},
			{Workstation: "2608-SEC1", Role: "secondary", State: "online"},
		},
		OpenAlarms: []records.OpenAlarm{
			{CrossingID: "c-alarm-1", Lane: "V02", Plate: "US-CA/7ABC123", Occupancy: 4101, Text: "gamma alarm", RaisedAt: t0, LSSRequested: true},
			{CrossingID: "c-alarm-2", Lane: "V01", Plate: "US-TX/55KLM", Occupancy: 77, Text: "neutron alarm", RaisedAt: t0.Add(time.Minute), Code: 4},
		},
		Pending: []records.QueueEntry{
			{CrossingID: "c-ref-1", ReferredAt: t0.Add(30 * time.Second), Lane: "V02", Plate: "US-CA/7ABC123",
				Names: []string{"GARCIA, Maria Elena"}, RPMAlarm: true},
			{CrossingID: "c-ref-2", ReferredAt: t0.Add(10 * time.Minute), Lane: "V01", Plate: "US-TX/55KLM",
				Names: []string{"THOMPSON, Oliver", "THOMPSON, Ann"}, Lookout: true, TakenBy: "B3001@2608-SEC1"},
			{CrossingID: "c-ref-3", ReferredAt: t0.Add(25 * time.Minute), Lane: "P01", Names: []string{"NGUYEN, Linh"}},
		},
		Today: records.TodayCounts{FaceMismatches: 3, LookoutHits: 2, RPMAlarms: 5, ByGroup: []records.GroupCount{
			{Group: "Real alarm", Count: 0}, {Group: "Innocent alarm", Count: 3}, {Group: "False alarm", Count: 1}, {Group: "Authorised test", Count: 0}, {Group: "Unauthorised activity", Count: 0},
			{Group: "Not adjudicated", Count: 1}}},
	}
}
