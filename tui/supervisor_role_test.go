package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

// memConsole is a supervisor console's replica over the test's memLog: the
// pending referrals are folded from the logged events; the console's own
// audit entries are kept.
type memConsole struct {
	memReplica
	mu      sync.Mutex
	audited []string
}

func (r *memConsole) Dashboard(ctx context.Context, now, dayStart time.Time) (records.Dashboard, error) {
	q, _ := r.Queue(ctx)
	return records.Dashboard{At: now, Pending: q, Lanes: []records.LaneSummary{{Lane: "V01", Open: true, Contact: true,
		Officer: "B1001", State: records.LaneIdle, Devices: []records.DeviceStatus{{Device: "rpm", State: "disconnected"}}}}}, nil
}

func (r *memConsole) Find(ctx context.Context, t records.SearchTerms, limit int) ([]secondary.Summary, error) {
	return nil, nil
}

func (r *memConsole) AuditLog(ctx context.Context, officer string, q records.AuditQuery) ([]records.AuditEntry, error) {
	return nil, nil
}

func (r *memConsole) Audit(ctx context.Context, e records.AuditEntry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.audited = append(r.audited, e.Officer+" "+e.Action+" "+e.Subject)
	return nil
}

func newSupervisorEnv(t *testing.T, mutate func(*Config)) (*testEnv, *memConsole) {
	t.Helper()
	e := newTestEnv(t, func(c *Config) {
		c.Role, c.Workstation, c.Lane = "supervisor", "2608-SUP1", ""
		if mutate != nil {
			mutate(c)
		}
	})
	st := &memConsole{memReplica: memReplica{log: e.log, now: e.clock}}
	if err := e.m.UseSupervisor(st); err != nil {
		t.Fatal(err)
	}
	return e, st
}

// After sign-in a supervisor console shows the port dashboard with its own
// header; a referral the replica receives appears without a key, even under
// the help screen; no key writes; it fits 80x24 and 200x60.
func TestSupervisorRoleOpensDashboard(t *testing.T) {
	e, st := newSupervisorEnv(t, nil)
	e.referOne("c1", false)
	e.login()
	v := e.view()
	mustContain(t, v, "PORT 2608 · SUPERVISOR 2608-SUP1 · READ-ONLY", "PORT 2608 DASHBOARD", "B1001", "rpm ✖ disconnected",
		"1 waiting", "US-CA/7ABC123", "u audit log")
	e.keys("?")
	mustContain(t, e.view(), "KEYS", "audit log", "next panel", "search")
	mustNotContain(t, e.view(), "take", "determination", "finding", "LSS reachback")
	e.referOne("c2", false)
	e.send(secondary.ReplicaChangedMsg{Crossings: []string{"c2"}})
	e.keys("esc")
	mustContain(t, e.view(), "2 waiting")

	for _, k := range []string{"a", "r", "space", "n", "m", "p", "x", "v", "t", "f", "l", "d"} {
		e.keys(k)
		e.keys("esc")
	}
	e.keys("enter") // opens c1 read-only
	mustContain(t, e.view(), "CROSSING c1")
	for _, k := range []string{"t", "f", "l", "d", "enter", "space"} {
		e.keys(k)
	}
	if n := len(e.log.crossing("c1")) + len(e.log.crossing("c2")); n != 8 {
		t.Fatalf("the console wrote: %d events", n)
	}
	st.mu.Lock()
	audited := strings.Join(st.audited, "\n")
	st.mu.Unlock()
	if !strings.Contains(audited, testBadge+" view c1") {
		t.Fatalf("opening not audited: %q", audited)
	}
	// Lock and unlock keep the supervisor where they were.
	e.send(keyMsg("ctrl+l"))
	mustContain(t, e.view(), "SCREEN LOCKED")
	e.typeText(testPIN)
	e.keys("enter")
	mustContain(t, e.view(), "CROSSING c1")

	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		e.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		e.keys("esc")
		lines := strings.Split(e.view(), "\n")
		if len(lines) != sz[1] {
			t.Fatalf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for i, l := range lines {
			if ansi.StringWidth(l) > sz[0] {
				t.Fatalf("%dx%d: line %d is %d wide", sz[0], sz[1], i, ansi.StringWidth(l))
			}
		}
		mustContain(t, e.view(), "LANES")
	}
}

// The console's keymap has no write action bound at all, whatever the
// config says, and its own actions are rebound by the [keys] table.
func TestSupervisorKeysReadOnlyAndRebound(t *testing.T) {
	e, _ := newSupervisorEnv(t, func(c *Config) { c.Keys = map[string][]string{"audit_log": {"L"}, "admit": {"A"}} })
	for _, a := range KeyActions {
		if b := a.get(&e.m.c.keys); a.Write && (b.Enabled() || len(b.Keys()) > 0) {
			t.Errorf("%s bound on the supervisor console", a.Name)
		}
	}
	e.login()
	e.keys("u")
	mustNotContain(t, e.view(), "AUDIT LOG")
	e.keys("L")
	mustContain(t, e.view(), "AUDIT LOG", "officer")
}

// The drill-down's replay through the whole program: the root routes the
// replay's ticks to the supervisor screens and on to the crossing view, the
// body shows the events played so far at the size the terminal has now
// (resized after the drill-down opened), and esc steps back from the replay
// to the record, then to the dashboard.
func TestSupervisorDrillDownReplay(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			e, _ := newSupervisorEnv(t, nil)
			e.referOne("c1", false)
			e.login()
			e.keys("enter")
			mustContain(t, e.view(), "CROSSING c1", "gamma alarm")
			e.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})

			tick := e.hold(keyMsg("p"))
			v := e.view()
			checkLines(t, v, sz[0], sz[1])
			mustContain(t, v, "REPLAY c1", "1/4 events", "Crossing opened")
			mustNotContain(t, v, "Referred")
			// The replay's next tick, run as the program would, after the
			// record's ten seconds have passed.
			e.advance(time.Minute)
			deliverAll(t, e, tick)
			v = e.view()
			checkLines(t, v, sz[0], sz[1])
			mustContain(t, v, "REPLAY c1", "4/4 events", "finished", "Referred")

			e.keys("esc")
			mustContain(t, e.view(), "CROSSING c1", "gamma alarm")
			mustNotContain(t, e.view(), "REPLAY")
			e.keys("esc")
			mustContain(t, e.view(), "PORT 2608 DASHBOARD")
		})
	}
}

// deliverAll runs cmd as the program would, waiting for timers (the
// replay's ticks are at most a second away), and delivers what it returns,
// and so on; the root's clock tick is left out.
func deliverAll(t *testing.T, e *testEnv, cmd tea.Cmd) {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		ch := make(chan tea.Msg, 1)
		go func() { ch <- c() }()
		var msg tea.Msg
		select {
		case msg = <-ch:
		case <-time.After(3 * time.Second):
			t.Fatal("a command did not return")
		}
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if _, clock := msg.(tickMsg); msg == nil || clock {
			continue
		}
		_, next := e.m.Update(msg)
		queue = append(queue, next)
	}
}

// checkLines fails unless view is exactly h lines, none wider than w.
func checkLines(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if ansi.StringWidth(l) > w {
			t.Fatalf("%dx%d: line %d is %d wide", w, h, i, ansi.StringWidth(l))
		}
	}
}

// The help screen on a supervisor console speaks of the console: its
// symbols and notes, with the keys as this console's keymap binds them,
// and none of the primary booth's rules.
func TestSupervisorHelpByKeymap(t *testing.T) {
	for _, tt := range []struct {
		name  string
		keys  map[string][]string
		wants []string
	}{
		{"default keys", nil, []string{"enter: open a crossing, read-only · p: replay (space 1×/10×) · esc: back"}},
		{"rebound", map[string][]string{"open": {"o"}, "replay": {"R"}}, []string{"o: open a crossing, read-only · R: replay"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newSupervisorEnv(t, func(c *Config) { c.Keys = tt.keys })
			e.send(tea.WindowSizeMsg{Width: 200, Height: 60})
			e.login()
			e.keys("?")
			v := e.view()
			mustContain(t, v, append([]string{"SYMBOLS", "☢ RPM radiation alarm", "⚠ HIT lookout hit", "vehicles per hour",
				"each audit-log view is audited", "READ-ONLY console: no key writes a crossing event"}, tt.wants...)...)
			mustNotContain(t, v, "A vehicle can be admitted", "READ-ONLY: admit, refer", "[ACK?]", "LSS's coded answer")
		})
	}
}
