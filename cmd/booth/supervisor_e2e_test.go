package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/cmd/internal/tmuxtest"
	"github.com/portofentry/booth/records"
)

// TestSupervisorEndToEnd runs the built binaries in real terminals, each in
// its own tmux window: `portserver serve`, a primary `booth` on a `devsim`
// lane (rpm-nuisance: a gamma alarm the officer must refer) and a `booth`
// supervisor console, set up with the portserver commands as docs/tui.md
// tells. A secondary workstation (the store and link cmd/booth wires, in
// this process) adjudicates and admits the car. The supervisor sees the
// lane, its officer and the referral on the dashboard, opens the crossing
// and sees the determination arrive; devsim stops (every device
// unplugged) and within 5 s the dashboard names the lane's devices
// disconnected beside the lane's officer; every write key does nothing:
// neither the console's database nor the port server holds a crossing event
// from the console or under the supervisor's badge, while its views went up
// to the port server as audit entries.
func TestSupervisorEndToEnd(t *testing.T) {
	p := startE2EPort(t, fmt.Sprintf("booth-sup-e2e-%d", os.Getpid()), "supervisor", "sup-01",
		e2eOfficer{badge: "S900", name: "Sue Park", role: "supervisor", pin: "909090"})
	dir, url, devsim, primary, sup := p.dir, p.url, p.devsim, p.primary, p.station
	signIn := func(s *tmuxtest.Session, badge, pin string) {
		t.Helper()
		p.signIn(s, "SIGN IN", badge, pin)
	}
	signIn(primary, "B100", "481516")
	primary.WaitFor(15*time.Second, "LINK online", "REF as of")
	p.startLane()
	primary.WaitFor(20*time.Second, "DOC✔ RFID✔ RPM✔ LPR✔", "GAMMA ALARM", "referral to secondary is mandatory", "BZK4471")
	primary.Keys("r")
	primary.WaitFor(5*time.Second, "REFER TO SECONDARY")
	primary.Keys("Enter")
	primary.WaitFor(5*time.Second, "saved: referred to secondary (RPM)")

	// The supervisor signs in at the console: the dashboard first, with
	// the lane, its officer, its devices and the referral.
	signIn(sup, "S900", "909090")
	sup.WaitFor(15*time.Second, "PORT 2604 DASHBOARD", "SUPERVISOR sup-01 · READ-ONLY", "V01", "● open", "B100",
		"rpm ✔", "PENDING REFERRALS 1 waiting", "US-WA/BZK4471", "☢ RPM")

	// Every write key on the dashboard does nothing.
	writeKeys := []string{"a", "r", "Space", "n", "m", "p", "x", "v", "t", "f", "l", "d", "c"}
	pressAll := func(keys []string) {
		t.Helper()
		for _, k := range keys {
			sup.Keys(k)
			time.Sleep(100 * time.Millisecond)
			if scr := sup.Screen(); strings.Contains(scr, "saved") || strings.Contains(scr, "SECONDARY FINDING") ||
				strings.Contains(scr, "FINAL DETERMINATION") || strings.Contains(scr, "LSS REACHBACK —") ||
				strings.Contains(scr, "REFER TO SECONDARY") || strings.Contains(scr, "TAKEN BY") {
				t.Fatalf("after %q the console offers or did a write:\n%s", k, scr)
			}
		}
	}
	pressAll(writeKeys)

	// The supervisor opens the referral; secondary determines it meanwhile.
	sup.Keys("Enter")
	sup.WaitFor(5*time.Second, "CROSSING", "by B100@booth-07", "not adjudicated", "TIMELINE")
	pressAll(slices.DeleteFunc(slices.Clone(writeKeys), func(k string) bool { return k == "p" })) // p replays here
	sup.WaitFor(3*time.Second, "CROSSING", "TIMELINE")
	sec := (&portRig{dir: dir, pki: filepath.Join(dir, "pki"), url: url}).station(t, t.Context(), "secondary", "sec-01")
	id := waitQueued(t, sec)
	c, err := sec.store.Crossing(t.Context(), id)
	if err != nil || c == nil || len(c.UnadjudicatedAlarms()) == 0 {
		t.Fatalf("the referral at secondary: %v %+v", err, c)
	}
	occ := c.UnadjudicatedAlarms()[0].Occupancy
	now := time.Now().UTC()
	sec.append(t, mkEvent(t, id, records.LSSAnswered{Occupancy: occ, Isotopes: []records.Isotope{"K-40"}, Code: 4}, now, "B200"),
		mkEvent(t, id, records.Determination{Outcome: records.OutcomeAdmitted, Note: "NORM: cat litter"}, now.Add(time.Second), "B200"))
	sup.WaitFor(10*time.Second, "DETERMINED: Admitted by B200@sec-01", "4 innocent alarm: NORM")
	sup.Keys("Escape")
	sup.WaitFor(10*time.Second, "PENDING REFERRALS 0 waiting")

	// devsim stops: every device of the lane is gone. Within 5 s the
	// dashboard says so, beside the lane's officer.
	devsim.Keys("C-c")
	devsim.WaitFor(10*time.Second, "EXITED")
	scr := sup.WaitFor(5*time.Second, "rpm ✖ disconnected", "doc ✖ disconnected")
	var laneLine string
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, "V01") && strings.Contains(l, "disconnected") {
			laneLine = l
		}
	}
	if !strings.Contains(laneLine, "B100") {
		t.Fatalf("the unplugged lane's line does not name its officer:\n%s", scr)
	}

	// A search and a look at the audit log, both audited.
	sup.Keys("/")
	sup.WaitFor(3*time.Second, "SEARCH CROSSINGS")
	sup.Keys("Tab", "Tab", "Tab")
	sup.Keys("-l", "BZK4471")
	sup.Keys("Enter")
	sup.WaitFor(5*time.Second, "found, newest first", "admitted (after secondary)")
	sup.Keys("Escape")
	time.Sleep(300 * time.Millisecond) // or u arrives as alt+u
	sup.WaitFor(3*time.Second, "PORT 2604 DASHBOARD")
	sup.Keys("u")
	sup.WaitFor(3*time.Second, "AUDIT LOG", "officer")
	sup.Keys("-l", "S900")
	sup.Keys("Enter")
	sup.WaitFor(10*time.Second, "entries, newest first", "sup-01", "login")

	count := func(db, query string, args ...any) int {
		t.Helper()
		h, err := sql.Open("sqlite", "file:"+filepath.Join(dir, db)+"?mode=ro")
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		var n int
		if err := h.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %s: %v", db, query, err)
		}
		return n
	}
	// The console's views go up to the port server as audit entries.
	deadline := time.Now().Add(10 * time.Second)
	for _, action := range []string{"view", "search", "audit_view"} {
		for count("port.db", `SELECT count(*) FROM audit_log WHERE origin = 'sup-01' AND officer = 'S900' AND action = ?`, action) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("port server: no %q audit entry from the console", action)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for _, s := range []*tmuxtest.Session{primary, sup} {
		s.Keys("C-c")
		s.WaitFor(10*time.Second, "EXITED 0")
	}
	for _, db := range []string{"sup-01.db", "port.db"} {
		if n := count(db, `SELECT count(*) FROM events WHERE origin = 'sup-01' OR officer = 'S900'`); n != 0 {
			t.Errorf("%s: %d crossing events from the supervisor console", db, n)
		}
		if n := count(db, `SELECT count(*) FROM events WHERE crossing_id = ? AND kind = 'determination'`, id); n != 1 {
			t.Errorf("%s: %d determinations of the referral, want 1 (the replica holds secondary's)", db, n)
		}
	}
	for _, f := range []string{"booth-07.log", "sup-01.log"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err != nil || strings.Contains(string(b), "panic") {
			t.Errorf("%s: %v (or a panic in it)", f, err)
		}
	}
}

// waitQueued waits until a crossing is in the station's referral queue and
// returns it.
func waitQueued(t *testing.T, s *station) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		q, err := s.store.Queue(t.Context(), time.Now(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) > 0 {
			return q[0].CrossingID
		}
		if time.Now().After(deadline) {
			t.Fatal("the referral never reached the secondary workstation")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func mkEvent(t *testing.T, id string, p records.Payload, at time.Time, officer string) records.Event {
	t.Helper()
	e, err := records.NewEvent(id, p, at, officer)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
