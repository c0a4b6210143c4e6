package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

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
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the end-to-end test needs a real terminal")
	}
	if testing.Short() {
		t.Skip("end-to-end test builds the binaries; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if out, err := exec.Command("go", "build", "-o", bin+"/", ".", "../portserver", "../devsim").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	refData, err := filepath.Abs("../../testdata/reference")
	if err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(bin, name), args...)
		cmd.Dir, cmd.Stdin = dir, strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	run("", "portserver", "pki", "init", "--dir", "pki", "--port", "2604")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "server")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "primary", "--workstation", "booth-07")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "supervisor", "--workstation", "sup-01")
	run("481516\n", "portserver", "officer", "add", "--badge", "B100", "--name", "Ana Ruiz", "--role", "primary", "--db", "port.db", "--port", "2604")
	run("234223\n", "portserver", "officer", "add", "--badge", "B200", "--name", "Ben Cole", "--role", "secondary", "--db", "port.db")
	run("909090\n", "portserver", "officer", "add", "--badge", "S900", "--name", "Sue Park", "--role", "supervisor", "--db", "port.db")
	for _, kind := range []string{"travelers", "rfid", "lookouts", "lost-stolen"} {
		run("", "portserver", "import", kind, filepath.Join(refData, kind+".jsonl"), "--db", "port.db")
	}

	sock := fmt.Sprintf("booth-sup-e2e-%d", os.Getpid())
	win := func(name string) *tmuxSession { return &tmuxSession{t: t, socket: sock, name: "e2e:" + name} }
	server, devsim, primary, sup := win("server"), win("devsim"), win("primary"), win("supervisor")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server window:\n%s", server.screen())
			for _, f := range []string{"booth-07.log", "sup-01.log"} {
				b, _ := os.ReadFile(filepath.Join(dir, f))
				if len(b) > 3000 {
					b = b[len(b)-3000:]
				}
				t.Logf("%s (end):\n%s", f, b)
			}
		}
		server.tmux("kill-server")
	})
	shell := func(cmd string) string {
		return fmt.Sprintf("cd %s && env PATH=%s:$PATH TERM=xterm-256color %s; echo EXITED $?; sleep 60", dir, bin, cmd)
	}
	if out, err := server.tmux("new-session", "-d", "-s", "e2e", "-n", "server", "-x", "200", "-y", "50",
		shell("portserver serve --db port.db --dir pki --listen 127.0.0.1:0")); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	scr := server.waitFor(10*time.Second, `"listening":`)
	m := regexp.MustCompile(`"listening":"127\.0\.0\.1:(\d+)"`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no listening address on the server's screen:\n%s", scr)
	}
	url := "https://localhost:" + m[1]

	lane := filepath.Join(dir, "lane1")
	writeConfig := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig("primary.toml", fmt.Sprintf(`workstation = "booth-07"
port = "2604"
lane = "V01"
database = "booth-07.db"
log_file = "booth-07.log"

[devices.doc]
path = "%[1]s/doc"
[devices.rfid]
path = "%[1]s/rfid"
[devices.rpm]
path = "%[1]s/rpm"
[devices.lpr]
path = "%[1]s/lpr"

[port_server]
url = "%[2]s"
ca = "pki/ca.crt"
cert = "pki/booth-07.crt"
key = "pki/booth-07.key"
`, lane, url))
	writeConfig("supervisor.toml", fmt.Sprintf(`workstation = "sup-01"
port = "2604"
role = "supervisor"
database = "sup-01.db"
log_file = "sup-01.log"

[port_server]
url = "%s"
ca = "pki/ca.crt"
cert = "pki/sup-01.crt"
key = "pki/sup-01.key"
`, url))
	for _, w := range []struct {
		s   *tmuxSession
		cmd string
	}{
		{primary, "booth --config primary.toml"},
		{sup, "booth --config supervisor.toml"},
	} {
		name := strings.TrimPrefix(w.s.name, "e2e:")
		if out, err := server.tmux("new-window", "-t", "e2e", "-n", name, shell(w.cmd)); err != nil {
			t.Fatalf("tmux: %v %s", err, out)
		}
	}
	signIn := func(s *tmuxSession, badge, pin string) {
		t.Helper()
		s.waitFor(15*time.Second, "SIGN IN")
		s.keys(badge, "Enter")
		s.keys(pin, "Enter")
		s.waitFor(10*time.Second, "signed in as "+badge)
	}
	signIn(primary, "B100", "481516")
	primary.waitFor(15*time.Second, "LINK online", "REF as of")
	if out, err := server.tmux("new-window", "-t", "e2e", "-n", "devsim",
		shell("devsim --scenario rpm-nuisance --loop --gap 4s --link-dir "+lane)); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	devsim.waitFor(10*time.Second, `"rpm":`)
	primary.waitFor(20*time.Second, "DOC✔ RFID✔ RPM✔ LPR✔", "GAMMA ALARM", "referral to secondary is mandatory", "BZK4471")
	primary.keys("r")
	primary.waitFor(5*time.Second, "REFER TO SECONDARY")
	primary.keys("Enter")
	primary.waitFor(5*time.Second, "saved: referred to secondary (RPM)")

	// The supervisor signs in at the console: the dashboard first, with
	// the lane, its officer, its devices and the referral.
	signIn(sup, "S900", "909090")
	sup.waitFor(15*time.Second, "PORT 2604 DASHBOARD", "SUPERVISOR sup-01 · READ-ONLY", "V01", "● open", "B100",
		"rpm ✔", "PENDING REFERRALS 1 waiting", "US-WA/BZK4471", "☢ RPM")

	// Every write key on the dashboard does nothing.
	writeKeys := []string{"a", "r", "Space", "n", "m", "p", "x", "v", "t", "f", "l", "d", "c"}
	pressAll := func(keys []string) {
		t.Helper()
		for _, k := range keys {
			sup.keys(k)
			time.Sleep(100 * time.Millisecond)
			if scr := sup.screen(); strings.Contains(scr, "saved") || strings.Contains(scr, "SECONDARY FINDING") ||
				strings.Contains(scr, "FINAL DETERMINATION") || strings.Contains(scr, "LSS REACHBACK —") ||
				strings.Contains(scr, "REFER TO SECONDARY") || strings.Contains(scr, "TAKEN BY") {
				t.Fatalf("after %q the console offers or did a write:\n%s", k, scr)
			}
		}
	}
	pressAll(writeKeys)

	// The supervisor opens the referral; secondary determines it meanwhile.
	sup.keys("Enter")
	sup.waitFor(5*time.Second, "CROSSING", "by B100@booth-07", "not adjudicated", "TIMELINE")
	pressAll(slices.DeleteFunc(slices.Clone(writeKeys), func(k string) bool { return k == "p" })) // p replays here
	sup.waitFor(3*time.Second, "CROSSING", "TIMELINE")
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
	sup.waitFor(10*time.Second, "DETERMINED: Admitted by B200@sec-01", "4 innocent alarm: NORM")
	sup.keys("Escape")
	sup.waitFor(10*time.Second, "PENDING REFERRALS 0 waiting")

	// devsim stops: every device of the lane is gone. Within 5 s the
	// dashboard says so, beside the lane's officer.
	devsim.keys("C-c")
	devsim.waitFor(10*time.Second, "EXITED")
	scr = sup.waitFor(5*time.Second, "rpm ✖ disconnected", "doc ✖ disconnected")
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
	sup.keys("/")
	sup.waitFor(3*time.Second, "SEARCH CROSSINGS")
	sup.keys("Tab", "Tab", "Tab")
	sup.keys("-l", "BZK4471")
	sup.keys("Enter")
	sup.waitFor(5*time.Second, "found, newest first", "admitted (after secondary)")
	sup.keys("Escape")
	time.Sleep(300 * time.Millisecond) // or u arrives as alt+u
	sup.waitFor(3*time.Second, "PORT 2604 DASHBOARD")
	sup.keys("u")
	sup.waitFor(3*time.Second, "AUDIT LOG", "officer")
	sup.keys("-l", "S900")
	sup.keys("Enter")
	sup.waitFor(10*time.Second, "entries, newest first", "sup-01", "login")

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
	for _, s := range []*tmuxSession{primary, sup} {
		s.keys("C-c")
		s.waitFor(10*time.Second, "EXITED 0")
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
