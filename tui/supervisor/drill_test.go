package supervisor

import (
	"slices"
	"strings"
	"testing"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/tui/secondary"
)

// Enter on a pending referral opens its full record in the secondary's
// crossing view; the opening is audited; no key writes anything; esc comes
// back to the dashboard.
func TestDrillDownIsReadOnlyAndAudited(t *testing.T) {
	for _, sz := range sizes {
		t.Run(itoa(sz.w), func(t *testing.T) {
			st := &fakeStore{dash: busyPort(), events: referredCar(t, "c-ref-1", true)}
			c := newConsole(t, st, sz.w, sz.h)
			c.keys("enter")
			v := c.view()
			checkSize(t, v, sz.w, sz.h)
			mustContain(t, v, "7ABC123", "DETERMINED: Admitted by B3001")
			if got := st.auditLines(); !slices.Contains(got, "S9001 view c-ref-1") {
				t.Fatalf("opening not audited: %q", got)
			}
			// Every key a secondary officer writes with does nothing here.
			for _, k := range []string{"t", "f", "l", "d", "a", "r", "n", "space", "c", "/"} {
				c.last = Status{}
				c.keys(k)
				if c.m.Modal() {
					t.Fatalf("%q opened a dialog on the supervisor console:\n%s", k, c.view())
				}
				if strings.Contains(c.last.Text, "saved") {
					t.Fatalf("%q: %q", k, c.last.Text)
				}
			}
			for _, b := range c.m.ShortHelp() {
				for _, w := range []string{"take", "finding", "LSS", "determination"} {
					if strings.Contains(b.Help().Desc, w) {
						t.Errorf("help offers %q on the supervisor console", b.Help().Desc)
					}
				}
			}
			// Replay is a view: it starts (its ticks are not run here);
			// esc steps back to the record, and esc again to the
			// dashboard.
			_ = c.hold(keyMsg("p"))
			mustContain(t, c.view(), "REPLAY")
			c.keys("esc")
			mustContain(t, c.view(), "CROSSING c-ref-1")
			mustNotContain(t, c.view(), "REPLAY")
			c.keys("esc")
			mustContain(t, c.view(), "PORT 2608 DASHBOARD")
			// The feed's notice while the crossing is open reloads it.
			c.keys("enter")
			st.mu.Lock()
			st.events = append(st.events, ev(t, "c-ref-1", 600e9, "B3001", "2608-SEC1", records.Note{Text: "keys found in glovebox"}))
			st.mu.Unlock()
			c.send(secondary.ReplicaChangedMsg{Crossings: []string{"c-ref-1"}})
			if sz.w >= wideAt {
				mustContain(t, c.view(), "keys found in glovebox")
			}
		})
	}
}

// The drill-down's event log refuses every write, whatever reaches it.
func TestDrillLogRefuses(t *testing.T) {
	if _, err := (noLog{}).Append(t.Context(), records.Event{}); err != ErrReadOnly {
		t.Fatalf("append: %v", err)
	}
	k := drillKeys(testKeys())
	for name, b := range map[string]bool{"take": k.Take.Enabled(), "finding": k.Finding.Enabled(), "lss": k.LSS.Enabled(),
		"determine": k.Determine.Enabled(), "search": k.Search.Enabled(), "conflicts": k.Conflicts.Enabled()} {
		if b {
			t.Errorf("%s bound in the drill-down", name)
		}
	}
}

// A crossing the replica does not hold says so.
func TestDrillDownUnknownCrossing(t *testing.T) {
	st := &fakeStore{dash: busyPort()}
	c := newConsole(t, st, 80, 21)
	c.keys("enter")
	if !strings.Contains(c.last.Text, "not in this workstation's replica") {
		t.Fatalf("status %q\n%s", c.last.Text, c.view())
	}
	c.keys("esc")
	mustContain(t, c.view(), "LANES")
}
