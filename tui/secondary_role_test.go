package tui

import (
	"context"
	"image"
	"reflect"
	"slices"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

// memReplica is a secondary workstation's replica over the test's memLog:
// the queue and the conflicts are folded from the logged events.
type memReplica struct {
	log *memLog
	now func() time.Time
}

func (r memReplica) entries(keep func(*records.Crossing) bool) []records.QueueEntry {
	var out []records.QueueEntry
	for _, id := range r.log.crossings() {
		if c := records.Fold(r.log.crossing(id)); keep(c) {
			out = append(out, c.QueueEntry(r.now()))
		}
	}
	slices.SortFunc(out, func(a, b records.QueueEntry) int { return a.ReferredAt.Compare(b.ReferredAt) })
	return out
}

func (r memReplica) Queue(ctx context.Context) ([]records.QueueEntry, error) {
	return r.entries((*records.Crossing).InQueue), nil
}

func (r memReplica) Conflicts(ctx context.Context) ([]records.QueueEntry, error) {
	return r.entries((*records.Crossing).InConflict), nil
}

func (r memReplica) Crossing(ctx context.Context, id string) ([]records.Event, error) {
	return r.log.crossing(id), nil
}

func (r memReplica) Search(ctx context.Context, q secondary.Query, limit int) ([]secondary.Summary, error) {
	return nil, nil
}

func (r memReplica) History(ctx context.Context, c *records.Crossing, limit int) ([]secondary.Summary, error) {
	return nil, nil
}

func (r memReplica) Gallery(ctx context.Context, doc records.DocumentRef) (image.Image, error) {
	return nil, nil
}

func (r memReplica) Status(ctx context.Context) (secondary.ReplicaStatus, error) {
	return secondary.ReplicaStatus{Synced: r.now(), Link: "connected"}, nil
}

// newSecondaryEnv is a secondary workstation over the fakes.
func newSecondaryEnv(t *testing.T, mutate func(*Config)) *testEnv {
	t.Helper()
	e := newTestEnv(t, func(c *Config) {
		c.Role, c.Workstation = "secondary", "sec-1"
		if mutate != nil {
			mutate(c)
		}
	})
	if err := e.m.UseSecondary(memReplica{log: e.log, now: e.clock}); err != nil {
		t.Fatal(err)
	}
	return e
}

// referOne logs a vehicle crossing referred by a booth with an RPM gamma
// alarm; requested adds the LSS request.
func (e *testEnv) referOne(id string, requested bool) {
	e.t.Helper()
	mk := func(off time.Duration, officer string, p records.Payload) records.Event {
		ev, err := records.NewEvent(id, p, e.now.Add(off), officer)
		if err != nil {
			e.t.Fatal(err)
		}
		ev.Origin = "booth-v01"
		return ev
	}
	evs := []records.Event{
		mk(0, "", records.CrossingOpened{Port: "2608", Lane: "V01", Mode: records.ModeVehicle, Trigger: "plate"}),
		mk(time.Second, "", records.PlateRead{Plate: "7ABC123", Region: "US-CA", Confidence: 90}),
		mk(2*time.Second, "", records.RPMOccupancy{Occupancy: 77, GammaAlarm: true, MaxGamma: 500, BackgroundGamma: 200}),
		mk(10*time.Second, "B1001", records.Referred{Reasons: []string{records.ReasonRPMAlarm}, Note: "gamma alarm"}),
	}
	if requested {
		evs = append(evs, mk(20*time.Second, "B7001", records.LSSRequested{Occupancy: 77}))
	}
	if _, err := e.log.Append(e.t.Context(), evs...); err != nil {
		e.t.Fatal(err)
	}
}

// secDialog names the dialog open on the secondary screens ("" for none).
func (e *testEnv) secDialog() string {
	d := reflect.ValueOf(e.m.sec).Elem().FieldByName("dialog")
	if d.IsNil() {
		return ""
	}
	return d.Elem().Type().Elem().Name()
}

// After sign-in a secondary workstation shows the referral queue, with its
// own header (no lane devices); a referral the replica receives appears
// without a key, even while the help screen is on top.
func TestSecondaryRoleOpensQueue(t *testing.T) {
	e := newSecondaryEnv(t, nil)
	e.referOne("c1", false)
	e.login()
	v := e.view()
	mustContain(t, v, "PORT 2608 · SECONDARY sec-1", "REFERRAL QUEUE — 1 waiting", "US-CA/7ABC123", "☢RPM", "enter open")
	mustNotContain(t, v, "DOC", "RFID")
	e.keys("?")
	mustContain(t, e.view(), "KEYS", "LSS reachback", "determination", "replay", "conflicts")
	e.advance(time.Minute)
	e.referOne("c2", false)
	e.send(secondary.ReplicaChangedMsg{Crossings: []string{"c2"}})
	e.keys("esc")
	mustContain(t, e.view(), "REFERRAL QUEUE — 2 waiting")
	// Lock and unlock keep the officer where they were.
	e.keys("enter")
	mustContain(t, e.view(), "CROSSING c1")
	e.send(keyMsg("ctrl+l"))
	mustContain(t, e.view(), "SCREEN LOCKED")
	e.typeText(testPIN)
	e.keys("enter")
	mustContain(t, e.view(), "CROSSING c1")
}

// The secondary keys are rebound by the config's [keys] table, and the
// write keys are unbound on a read-only workstation.
func TestSecondaryKeysRebindAndReadOnly(t *testing.T) {
	e := newSecondaryEnv(t, func(c *Config) { c.Keys = map[string][]string{"take": {"T"}} })
	e.referOne("c1", false)
	e.login()
	e.keys("t")
	if n := e.log.count(records.KindSecondaryTaken); n != 0 {
		t.Fatalf("t still takes after rebinding: %d", n)
	}
	e.keys("T")
	if n := e.log.count(records.KindSecondaryTaken); n != 1 {
		t.Fatalf("T took %d times", n)
	}
	mustContain(t, e.view(), "▶ you", "✔ saved: taken")

	ro := newSecondaryEnv(t, func(c *Config) { c.ReadOnly = true })
	ro.referOne("c1", false)
	ro.login()
	ro.keys("t", "enter", "f", "d", "l")
	if n := officerEvents(ro.log); n != 1 { // the referral of the fixture
		t.Fatalf("a read-only workstation wrote %d officer events", n-1)
	}
	if ro.secDialog() != "" {
		t.Fatalf("read-only workstation opened %s", ro.secDialog())
	}
	mustContain(t, ro.view(), "READ-ONLY")
	mustNotContain(t, ro.view(), "to take it", "for LSS reachback")
	for _, row := range ro.m.sec.FullHelp() {
		for _, b := range row {
			if d := b.Help().Desc; d == "take" || d == "finding" || d == "LSS reachback" || d == "determination" {
				t.Errorf("read-only help lists %s", d)
			}
		}
	}
}

// Every dialog of the secondary screens (found by scanning its source)
// submits once on two enters delivered before anything they started has
// finished: the first closes it in the same Update.
func TestEverySecondaryDialogSubmitsOnce(t *testing.T) {
	want := dialogTypes(t, "secondary")
	if len(want) < 5 {
		t.Fatalf("found only %v in tui/secondary: the scan is broken", want)
	}
	fill := map[string]func(e *testEnv){
		"findingDialog":       func(e *testEnv) { e.keys("tab"); e.typeText("nothing found") },
		"lssAnswerDialog":     func(e *testEnv) { e.keys("space", "tab") }, // Cs-137, then enter picks code 1
		"determinationDialog": func(e *testEnv) { e.keys("down") },         // refused
		"searchDialog":        func(e *testEnv) { e.typeText("7ABC123") },
	}
	saveNothing := map[string]bool{"searchDialog": true}
	tested := map[string]bool{}
	for _, requested := range []bool{false, true} {
		probe := newSecondaryEnv(t, nil)
		k := probe.m.c.keys
		direct := []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Open, k.Back, k.Take, k.Conflicts, k.Replay,
			k.Help, k.Lock, k.Logout, k.Quit}
		var bindings []key.Binding
		for _, row := range probe.m.sec.FullHelp() {
			bindings = append(bindings, row...)
		}
		for _, b := range bindings {
			if containsBinding(direct, b) {
				continue
			}
			e := newSecondaryEnv(t, nil)
			e.referOne("c1", requested)
			e.login()
			e.keys("enter")
			e.send(tea.KeyPressMsg{Code: []rune(b.Keys()[0])[0], Text: b.Keys()[0]})
			name := e.secDialog()
			if name == "" {
				t.Errorf("key %q opened no dialog on the open crossing: %s", b.Keys()[0], e.view())
				continue
			}
			if f := fill[name]; f != nil {
				f(e)
			}
			before := officerEvents(e.log)
			first := e.hold(keyMsg("enter"))
			second := e.hold(keyMsg("enter"))
			e.run(tea.Batch(first, second))
			if e.secDialog() != "" {
				t.Errorf("%s: still open after enter: %s", name, e.view())
				continue
			}
			wrote, wantWrites := officerEvents(e.log)-before, 1
			if saveNothing[name] {
				wantWrites = 0
			}
			if wrote != wantWrites {
				t.Errorf("%s: two enters wrote %d officer events, want %d", name, wrote, wantWrites)
			}
			tested[name] = true
		}
	}
	for _, name := range want {
		if !tested[name] {
			t.Errorf("secondary dialog %s was not reached from any key of the open crossing, so its double enter is untested", name)
		}
	}
}
