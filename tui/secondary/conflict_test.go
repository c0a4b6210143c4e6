package secondary

import (
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// Two workstations determine the same crossing, each before the other's
// determination reached it: both are kept, both screens flag the conflict on
// the crossing and in the conflicts view, the crossing leaves the queue, and
// a correction that supersedes one settles it on both screens.
func TestTwoWorkstationsConflict(t *testing.T) {
	p := &port{synced: t0}
	p.add(referredWalker(t, "walker", 0)...)
	p.add(referredWalker(t, "other", time.Minute)...)
	clock := &testClock{now: t0.Add(30 * time.Minute)}
	a := newStation(t, p, clock, "sec-a", "B7001", 200, 57)
	b := newStation(t, p, clock, "sec-b", "B7002", 80, 21)
	a.keys("enter")
	b.keys("enter")
	// Both dialogs open on a crossing with no determination yet.
	a.keys("d", "down") // refused
	b.keys("d", "down", "down", "down", "down")
	b.send(keyMsg("enter")) // released, written first
	// a has not been told of b's determination when it submits: its
	// screen still shows the crossing undetermined, so it writes too.
	a.keys("enter")
	if n := len(p.stored(t, "walker", records.KindDetermination)); n != 2 {
		t.Fatalf("%d determinations stored, want both", n)
	}
	a.changed()
	b.changed()

	for name, s := range map[string]*station{"a": a, "b": b} {
		v := s.view()
		mustContain(t, v, "⚠ CONFLICT: ", "Refused (inadmissible) (B7001@sec-a)", "Released (B7002@sec-b)")
		mustNotContain(t, v, "DETERMINED")
		all := s.allLines()
		if strings.Count(all, "⚠ CONFLICT") < 2 {
			t.Fatalf("%s: the determinations are not flagged on the record:\n%s", name, all)
		}
		s.keys("esc")
		v = s.view()
		mustContain(t, v, "1 waiting · oldest 28m", "⚠ 1 conflict (c)") // walker left the queue; "other" waits
		s.keys("c")
		v = s.view()
		mustContain(t, v, "CONFLICTS", "released vs refused", "⚠CONF")
		checkSize(t, v, s.m.width, s.m.height)
	}

	// a corrects from the conflicts view: enter, d, supersede b's (released)
	// with refused: the conflict is settled everywhere.
	a.keys("enter", "d")
	mustContain(t, a.view(), "CORRECT THE DETERMINATION", "Released — B7002@sec-b")
	a.keys("down")       // refused
	a.keys("tab", "tab") // note, then the list of determinations
	for _, d := range a.m.open.current() {
		if d.Value.Outcome == records.OutcomeReleased {
			break
		}
		a.keys("down")
	}
	a.keys("enter")
	b.changed() // b is still on the conflicts view
	for _, s := range []*station{a, b} {
		mustNotContain(t, s.view(), "released vs refused")
	}
	mustContain(t, a.view(), "✔ DETERMINED: Refused (inadmissible)")
	mustContain(t, b.view(), "✔ no conflicting determinations")
}
