package supervisor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/tui/secondary"
)

// sizes are the two terminals the console must fit: the smallest supported
// and a wall screen.
var sizes = []struct{ w, h int }{{80, 24 - 3}, {200, 60 - 3}}

func TestDashboardShowsThePort(t *testing.T) {
	for _, sz := range sizes {
		t.Run(strings.Join([]string{itoa(sz.w), itoa(sz.h)}, "x"), func(t *testing.T) {
			c := newConsole(t, &fakeStore{dash: busyPort()}, sz.w, sz.h)
			v := c.view()
			checkSize(t, v, sz.w, sz.h)
			// The top of the dashboard: the lanes, open/closed and contact in
			// words, the officer, the state, volume with its sparkline, the
			// median, the referral rate and the device health.
			mustContain(t, v, "PORT 2608 DASHBOARD", "LANES", "3 of 4 open",
				"V01", "● open", "A2001", "idle", "12/h", "▂▄▅█▆·▅█", "1m05s", "7% (4/57)",
				"V02", "A2002", "waiting for a decision 1m", "rpm ✖ disconnected",
				"V03", "○ closed", "V04", "⚠ no contact", "last heard 10m ago")
			if sz.w >= wideAt {
				// Everything fits on the wall screen.
				mustContain(t, v, "PENDING REFERRALS", "29m", "GARCIA, Maria Elena", "☢ RPM", "not taken",
					"THOMPSON, Oliver +1", "⚠ HIT", "taken B3001@2608-SEC1",
					"OPEN RPM ALARMS", "gamma alarm", "⚠ NOT ADJUDICATED · LSS asked", "✔ 4 innocent alarm",
					"TODAY", "face mismatches 3 · lookout hits 2 · RPM alarms 5", "Innocent alarm 3", "Not adjudicated 1",
					"RPM BY LANE", "γ high", "ext.occ", "WORKSTATIONS", "✖ offline", "backlog 42 (10m old)")
				mustNotContain(t, v, "more lines below")
				return
			}
			// At 80x24 the rest is below, and the screen says so.
			mustContain(t, v, "more lines below")
			var seen strings.Builder
			for range 8 {
				seen.WriteString(c.view())
				c.keys("pgdown")
			}
			mustContain(t, seen.String(), "PENDING REFERRALS", "OPEN RPM ALARMS", "TODAY", "RPM BY LANE", "WORKSTATIONS",
				"✖ offline", "⚠ NOT ADJUDICATED · LSS asked", "Not adjudicated 1")
		})
	}
}

func itoa(n int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + fmtInt(n)) }

func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// The selection moves over the pending referrals and open alarms and stays
// in view on a small terminal; enter opens the selected crossing.
func TestDashboardSelectionScrollsIntoView(t *testing.T) {
	c := newConsole(t, &fakeStore{dash: busyPort()}, 80, 21)
	for i := range 5 {
		v := c.view()
		checkSize(t, v, 80, 21)
		if !strings.Contains(v, "▸ ") {
			t.Fatalf("after %d downs the selection is out of view:\n%s", i, v)
		}
		c.keys("down")
	}
	if got := c.m.selectedTarget(); got != "c-alarm-2" {
		t.Fatalf("selected %q after 5 downs, want the last alarm", got)
	}
	c.keys("down") // stays on the last
	if got := c.m.selectedTarget(); got != "c-alarm-2" {
		t.Fatalf("selected %q past the end", got)
	}
	for range 6 {
		c.keys("up")
	}
	if got := c.m.selectedTarget(); got != "c-ref-1" {
		t.Fatalf("selected %q after going back up", got)
	}
	mustContain(t, c.view(), "▸ 29m")
}

// tab jumps from section to section and wraps.
func TestDashboardNextPanel(t *testing.T) {
	c := newConsole(t, &fakeStore{dash: busyPort()}, 80, 21)
	c.keys("tab")
	if v := strings.Split(c.view(), "\n"); !strings.HasPrefix(v[2], "PENDING REFERRALS") {
		t.Fatalf("tab did not bring the referrals to the top:\n%s", c.view())
	}
	c.keys("tab")
	if v := strings.Split(c.view(), "\n"); !strings.HasPrefix(v[2], "OPEN RPM ALARMS") {
		t.Fatalf("tab did not bring the alarms to the top:\n%s", c.view())
	}
	// Towards the end the body stops at its last line; tab then wraps.
	wrapped := false
	for range 6 {
		c.keys("tab")
		if v := strings.Split(c.view(), "\n"); strings.HasPrefix(v[1], "LANES") {
			wrapped = true
			break
		}
		if !strings.Contains(c.view(), "more lines below") {
			mustContain(t, c.view(), "WORKSTATIONS")
		}
	}
	if !wrapped {
		t.Fatalf("tab did not wrap back to the lanes:\n%s", c.view())
	}
}

// The dashboard reloads by itself: on the clock and on the feed's notice.
func TestDashboardRefreshesItself(t *testing.T) {
	st := &fakeStore{dash: busyPort()}
	c := newConsole(t, st, 200, 57)
	mustContain(t, c.view(), "rpm ✖ disconnected")

	st.mu.Lock()
	st.dash.Lanes[1].Devices[2].State = "connected"
	st.mu.Unlock()
	c.run(c.m.Tick(c.clock.Now().Add(500 * time.Millisecond))) // before Refresh: no read
	mustContain(t, c.view(), "rpm ✖ disconnected")
	c.clock.advance(2 * time.Second)
	c.run(c.m.Tick(c.clock.Now()))
	mustNotContain(t, c.view(), "disconnected")

	st.mu.Lock()
	st.dash.Pending = st.dash.Pending[:1]
	st.mu.Unlock()
	c.send(secondary.ReplicaChangedMsg{})
	mustContain(t, c.view(), "1 waiting")
}

func TestDashboardSaysWhenItCannotRead(t *testing.T) {
	st := &fakeStore{dash: busyPort()}
	c := newConsole(t, st, 80, 21)
	st.mu.Lock()
	st.fail = errors.New("database is locked")
	st.mu.Unlock()
	c.send(secondary.ReplicaChangedMsg{})
	v := c.view()
	mustContain(t, v, "✖ read the dashboard: database is locked", "LANES") // the last good one stays
}

func TestDashboardEmptyPort(t *testing.T) {
	for _, sz := range sizes {
		c := newConsole(t, &fakeStore{}, sz.w, sz.h)
		v := c.view()
		checkSize(t, v, sz.w, sz.h)
		mustContain(t, v, "no lane has reported")
		c.keys("enter")
		if !strings.Contains(c.last.Text, "nothing to open") {
			t.Errorf("enter on an empty dashboard: %q", c.last.Text)
		}
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		in   []int
		want string
	}{
		{[]int{0, 0, 0, 0, 0, 0, 0, 0}, "········"},
		{[]int{1, 2, 3, 4, 5, 6, 7, 8}, "▁▂▃▄▅▆▇█"},
		{[]int{0, 1, 0, 100, 0, 0, 0, 50}, "·▁·█···▄"},
		{[]int{5, 5}, "██"},
		{[]int{-3, 2}, "·█"},
	}
	for _, tt := range tests {
		if got := sparkline(tt.in); got != tt.want {
			t.Errorf("sparkline(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
