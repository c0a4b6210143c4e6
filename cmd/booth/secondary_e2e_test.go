package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestSecondaryEndToEnd runs the built binaries in real terminals, each in
// its own tmux window, set up as docs/tui.md tells a new user: the test
// makes the port's PKI and accounts and loads the reference data with the
// portserver commands, then runs `portserver serve`, a primary `booth` on a
// `devsim` lane (rpm-nuisance: a gamma alarm) and a `booth` secondary
// workstation, each with its own config file. The primary officer signs in
// and refers the car; the referral appears in the secondary queue without a
// key; the secondary officer opens it, reads the timeline and the primary's
// note, takes it, records a finding, the LSS request and LSS's coded answer,
// and admits the car; the primary's history shows the outcome. Every check is
// on what the screens show.
func TestSecondaryEndToEnd(t *testing.T) {
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
	// The port's first setup (docs/portserver.md, docs/tui.md).
	run("", "portserver", "pki", "init", "--dir", "pki", "--port", "2604")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "server")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "primary", "--workstation", "booth-07")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "secondary", "--workstation", "sec-01")
	run("481516\n", "portserver", "officer", "add", "--badge", "B100", "--name", "Ana Ruiz", "--role", "primary", "--db", "port.db", "--port", "2604")
	run("234223\n", "portserver", "officer", "add", "--badge", "B200", "--name", "Ben Cole", "--role", "secondary", "--db", "port.db")
	for _, kind := range []string{"travelers", "rfid", "lookouts", "lost-stolen"} {
		run("", "portserver", "import", kind, filepath.Join(refData, kind+".jsonl"), "--db", "port.db")
	}

	sock := fmt.Sprintf("booth-sec-e2e-%d", os.Getpid())
	win := func(name string) *tmuxSession { return &tmuxSession{t: t, socket: sock, name: "e2e:" + name} }
	server, devsim, primary, sec := win("server"), win("devsim"), win("primary"), win("secondary")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server window:\n%s", server.screen())
			for _, f := range []string{"booth-07.log", "sec-01.log"} {
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
	writeConfig("secondary.toml", fmt.Sprintf(`workstation = "sec-01"
port = "2604"
role = "secondary"
database = "sec-01.db"
log_file = "sec-01.log"

[port_server]
url = "%s"
ca = "pki/ca.crt"
cert = "pki/sec-01.crt"
key = "pki/sec-01.key"
`, url))
	for _, w := range []struct {
		s   *tmuxSession
		cmd string
	}{
		{primary, "booth --config primary.toml"},
		{sec, "booth --config secondary.toml"},
	} {
		name := strings.TrimPrefix(w.s.name, "e2e:")
		if out, err := server.tmux("new-window", "-t", "e2e", "-n", name, shell(w.cmd)); err != nil {
			t.Fatalf("tmux: %v %s", err, out)
		}
	}
	signIn := func(s *tmuxSession, title, badge, pin string) {
		t.Helper()
		s.waitFor(15*time.Second, title)
		s.keys(badge, "Enter")
		s.keys(pin, "Enter")
		s.waitFor(10*time.Second, "signed in as "+badge)
	}
	signIn(primary, "PRIMARY INSPECTION — SIGN IN", "B100", "481516")
	signIn(sec, "SECONDARY INSPECTION — SIGN IN", "B200", "234223")
	// The port accounts and the reference data came down with the feed.
	primary.waitFor(15*time.Second, "LINK online", "REF as of")
	sec.waitFor(10*time.Second, "REFERRAL QUEUE — 0 waiting", "feed online")

	// The lane: the gamma alarm of a load of kitty litter, every few seconds.
	if out, err := server.tmux("new-window", "-t", "e2e", "-n", "devsim",
		shell("devsim --scenario rpm-nuisance --loop --gap 4s --link-dir "+lane)); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	devsim.waitFor(10*time.Second, `"rpm":`)
	primary.waitFor(20*time.Second, "DOC✔ RFID✔ RPM✔ LPR✔", "GAMMA ALARM", "referral to secondary is mandatory", "BZK4471")
	const note = "driver says 40 bags of cat litter"
	primary.keys("r")
	primary.waitFor(5*time.Second, "REFER TO SECONDARY", "(mandatory)")
	primary.keys("Tab")
	primary.keys("-l", note)
	primary.keys("Enter")
	primary.waitFor(5*time.Second, "saved: referred to secondary (RPM)")

	// The referral reaches the secondary queue by itself.
	scr = sec.waitFor(10*time.Second, "REFERRAL QUEUE — 1 waiting", "US-WA/BZK4471", "☢RPM")
	if !strings.Contains(scr, "▸") {
		t.Fatalf("no referral selected in the queue:\n%s", scr)
	}
	sec.keys("Enter")
	sec.waitFor(5*time.Second, "CROSSING", "referred", "by B100@booth-07", "not adjudicated",
		"Primary's note: “"+note+"”", "TIMELINE", "Referred to secondary: RPM — "+note, "RPM GAMMA alarm on occupancy")
	sec.keys("t")
	sec.waitFor(5*time.Second, "TAKEN BY B200@sec-01 (you)", "saved: taken")
	sec.keys("f")
	sec.waitFor(3*time.Second, "SECONDARY FINDING")
	sec.keys("Tab")
	sec.keys("-l", "cargo area: 40 bags of cat litter")
	sec.keys("Enter")
	sec.waitFor(5*time.Second, "saved: finding (Vehicle search)", "Finding (Vehicle search): cargo area")
	// Admission waits for LSS's coded answer: request, then the answer.
	sec.keys("l")
	sec.waitFor(3*time.Second, "LSS REACHBACK — REQUEST")
	sec.keys("-l", "spectrum sent")
	sec.keys("Enter")
	sec.waitFor(5*time.Second, "saved: LSS reachback requested")
	sec.keys("l")
	sec.waitFor(3*time.Second, "LSS REACHBACK — ANSWER")
	sec.keys("Down", "Space", "Tab")          // K-40, on to the codes
	sec.keys("Down", "Down", "Down", "Space") // 04 NORM
	sec.keys("Tab")
	sec.keys("-l", "LSS: K-40, NORM")
	sec.keys("Enter")
	sec.waitFor(5*time.Second, "saved: LSS answer 4 innocent alarm: NORM", "adjudicated")
	sec.keys("d")
	sec.waitFor(3*time.Second, "FINAL DETERMINATION", "(•) Admitted")
	sec.keys("Tab")
	sec.keys("-l", "NORM, admitted")
	sec.keys("Enter")
	sec.waitFor(5*time.Second, "DETERMINED: Admitted by B200@sec-01", "saved: determination: Admitted")
	sec.keys("Escape")
	sec.waitFor(5*time.Second, "REFERRAL QUEUE — 0 waiting")

	// The primary's history shows the outcome on the vehicle's next crossing
	// (the lane loops the same car); cars that arrived before the outcome
	// came down are referred on.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(primary.screen(), "admitted ➜ secondary") {
		if time.Now().After(deadline) {
			t.Fatalf("the primary's history never showed the outcome:\n%s", primary.screen())
		}
		if scr := primary.screen(); strings.Contains(scr, "press r to refer") && !strings.Contains(scr, "REFER TO SECONDARY") {
			primary.keys("r")
			primary.waitFor(5*time.Second, "REFER TO SECONDARY")
			primary.keys("Enter")
		}
		time.Sleep(200 * time.Millisecond)
	}

	for _, s := range []*tmuxSession{primary, sec} {
		s.keys("C-c")
		s.waitFor(10*time.Second, "EXITED 0")
	}
	for _, f := range []string{"booth-07.log", "sec-01.log"} {
		if b, err := os.ReadFile(filepath.Join(dir, f)); err != nil || strings.Contains(string(b), "panic") {
			t.Errorf("%s: %v (or a panic in it)", f, err)
		}
	}
}
