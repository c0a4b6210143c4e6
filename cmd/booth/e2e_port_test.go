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

	"github.com/portofentry/booth/cmd/internal/testbin"
	"github.com/portofentry/booth/cmd/internal/tmuxtest"
)

// e2ePort is the port of the tmux end-to-end tests, set up as docs/tui.md
// tells a new user: the port's PKI and accounts made and the reference data
// loaded with the portserver commands, `portserver serve` in one window,
// then a primary `booth` (booth-07 on lane V01, its devices under lane) and
// a second workstation, each in its own window with its own config file.
type e2ePort struct {
	t         *testing.T
	dir, bin  string // the working directory; the built binaries
	url, lane string // the port server's address; devsim's link directory
	// server, devsim, primary and station are the windows; station is the
	// second workstation's.
	server, devsim, primary, station *tmuxtest.Session
}

// e2eOfficer is a port account the test adds: badge, name, roles and PIN.
type e2eOfficer struct{ badge, name, role, pin string }

// startE2EPort builds the binaries and starts the port with the primary
// booth and a second workstation of role (secondary, supervisor) named
// workstation; the port accounts are B100 (primary, PIN 481516), B200
// (secondary, PIN 234223) and more. It skips without tmux or with -short.
// sock names the tmux server; its windows live in session "e2e".
func startE2EPort(t *testing.T, sock, role, workstation string, more ...e2eOfficer) *e2ePort {
	t.Helper()
	tmuxtest.Require(t)
	if testing.Short() {
		t.Skip("end-to-end test builds the binaries; skipped with -short")
	}
	p := &e2ePort{t: t, dir: t.TempDir(), bin: testbin.Dir(t, "booth", "portserver", "devsim")}
	refData, err := filepath.Abs("../../testdata/reference")
	if err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, name string, args ...string) {
		t.Helper()
		cmd := exec.Command(filepath.Join(p.bin, name), args...)
		cmd.Dir, cmd.Stdin = p.dir, strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
	}
	// The port's first setup (docs/portserver.md, docs/tui.md).
	run("", "portserver", "pki", "init", "--dir", "pki", "--port", "2604")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "server")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", "primary", "--workstation", "booth-07")
	run("", "portserver", "pki", "issue", "--dir", "pki", "--role", role, "--workstation", workstation)
	run("481516\n", "portserver", "officer", "add", "--badge", "B100", "--name", "Ana Ruiz", "--role", "primary", "--db", "port.db", "--port", "2604")
	run("234223\n", "portserver", "officer", "add", "--badge", "B200", "--name", "Ben Cole", "--role", "secondary", "--db", "port.db")
	for _, o := range more {
		run(o.pin+"\n", "portserver", "officer", "add", "--badge", o.badge, "--name", o.name, "--role", o.role, "--db", "port.db")
	}
	for _, kind := range []string{"travelers", "rfid", "lookouts", "lost-stolen"} {
		run("", "portserver", "import", kind, filepath.Join(refData, kind+".jsonl"), "--db", "port.db")
	}

	win := func(name string) *tmuxtest.Session { return &tmuxtest.Session{T: t, Socket: sock, Name: "e2e:" + name} }
	p.server, p.devsim, p.primary, p.station = win("server"), win("devsim"), win("primary"), win(role)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server window:\n%s", p.server.Screen())
			for _, f := range []string{"booth-07.log", workstation + ".log"} {
				b, _ := os.ReadFile(filepath.Join(p.dir, f))
				if len(b) > 3000 {
					b = b[len(b)-3000:]
				}
				t.Logf("%s (end):\n%s", f, b)
			}
		}
		p.server.KillServer()
	})
	if out, err := p.server.Tmux("new-session", "-d", "-s", "e2e", "-n", "server", "-x", "200", "-y", "50",
		p.shell("portserver serve --db port.db --dir pki --listen 127.0.0.1:0")); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	scr := p.server.WaitFor(10*time.Second, `"listening":`)
	m := regexp.MustCompile(`"listening":"127\.0\.0\.1:(\d+)"`).FindStringSubmatch(scr)
	if m == nil {
		t.Fatalf("no listening address on the server's screen:\n%s", scr)
	}
	p.url = "https://localhost:" + m[1]

	p.lane = filepath.Join(p.dir, "lane1")
	p.writeConfig("primary.toml", fmt.Sprintf(`workstation = "booth-07"
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
`, p.lane, p.url))
	p.writeConfig(role+".toml", fmt.Sprintf(`workstation = "%[1]s"
port = "2604"
role = "%[2]s"
database = "%[1]s.db"
log_file = "%[1]s.log"

[port_server]
url = "%[3]s"
ca = "pki/ca.crt"
cert = "pki/%[1]s.crt"
key = "pki/%[1]s.key"
`, workstation, role, p.url))
	for _, w := range []struct {
		s   *tmuxtest.Session
		cmd string
	}{
		{p.primary, "booth --config primary.toml"},
		{p.station, "booth --config " + role + ".toml"},
	} {
		name := strings.TrimPrefix(w.s.Name, "e2e:")
		if out, err := p.server.Tmux("new-window", "-t", "e2e", "-n", name, p.shell(w.cmd)); err != nil {
			t.Fatalf("tmux: %v %s", err, out)
		}
	}
	return p
}

// shell is cmd run in the port's directory with the built binaries first on
// PATH; the window stays a minute after it ends, showing its exit code.
func (p *e2ePort) shell(cmd string) string {
	return fmt.Sprintf("cd %s && env PATH=%s:$PATH TERM=xterm-256color %s; echo EXITED $?; sleep 60", p.dir, p.bin, cmd)
}

func (p *e2ePort) writeConfig(name, body string) {
	p.t.Helper()
	if err := os.WriteFile(filepath.Join(p.dir, name), []byte(body), 0o600); err != nil {
		p.t.Fatal(err)
	}
}

// signIn signs badge in at the workstation in s once its sign-in screen
// shows title.
func (p *e2ePort) signIn(s *tmuxtest.Session, title, badge, pin string) {
	p.t.Helper()
	s.WaitFor(15*time.Second, title)
	s.Keys(badge, "Enter")
	s.Keys(pin, "Enter")
	s.WaitFor(10*time.Second, "signed in as "+badge)
}

// startLane runs devsim on the primary's lane in the devsim window: the
// gamma alarm of a load of kitty litter, every few seconds.
func (p *e2ePort) startLane() {
	p.t.Helper()
	if out, err := p.server.Tmux("new-window", "-t", "e2e", "-n", "devsim",
		p.shell("devsim --scenario rpm-nuisance --loop --gap 4s --link-dir "+p.lane)); err != nil {
		p.t.Fatalf("tmux: %v %s", err, out)
	}
	p.devsim.WaitFor(10*time.Second, `"rpm":`)
}

// startDemoTmux runs `booth --demo` with args in a cols×rows window of its
// own tmux server (sock and this process's id), the simulator playing
// scenario then waiting an hour, the demo's files in dir/demo (returned);
// when booth ends the window shows BOOTH-EXITED and its exit code. It skips
// without tmux or with -short.
func startDemoTmux(t *testing.T, dir, sock, scenario string, cols, rows int, args ...string) (s *tmuxtest.Session, demoDir string) {
	t.Helper()
	tmuxtest.Require(t)
	if testing.Short() {
		t.Skip("end-to-end test builds the binary; skipped with -short")
	}
	bin := testbin.Build(t, "booth")
	demoDir = filepath.Join(dir, "demo")
	s = &tmuxtest.Session{T: t, Socket: fmt.Sprintf("%s-%d", sock, os.Getpid()), Name: "booth"}
	t.Cleanup(s.KillServer)
	booth := strings.Join(append([]string{bin, "--demo"}, args...), " ")
	cmd := fmt.Sprintf("env TERM=xterm-256color %s=%s %s=%s %s=1h %s; echo BOOTH-EXITED $?; sleep 60",
		envDemoDir, demoDir, envDemoScenarios, scenario, envDemoGap, booth)
	if out, err := s.Tmux("new-session", "-d", "-s", s.Name, "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), cmd); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	return s, demoDir
}
