package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// tmuxSession drives the real binary in a real terminal: tmux on a private
// server socket, keys by send-keys, the screen by capture-pane.
type tmuxSession struct {
	t      *testing.T
	socket string
	name   string
}

func (s *tmuxSession) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

func (s *tmuxSession) screen() string {
	out, _ := s.tmux("capture-pane", "-p", "-t", s.name)
	return out
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := s.tmux(append([]string{"send-keys", "-t", s.name}, keys...)...); err != nil {
		s.t.Fatalf("send-keys %v: %v %s", keys, err, out)
	}
}

func (s *tmuxSession) waitFor(d time.Duration, wants ...string) string {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := s.screen()
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(scr, w)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("screen never showed %q:\n%s", wants, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTUIEndToEnd builds booth, runs `booth --demo` in tmux against the
// in-process device simulator, signs in with the demo officer shown on the
// login screen, admits the SENTRI car the simulator sends, quits, and finds
// the crossing and its events in the SQLite database.
func TestTUIEndToEnd(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the end-to-end test needs a real terminal")
	}
	if testing.Short() {
		t.Skip("end-to-end test builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "booth")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	demoDir := filepath.Join(dir, "demo")
	s := &tmuxSession{t: t, socket: fmt.Sprintf("booth-e2e-%d", os.Getpid()), name: "booth"}
	t.Cleanup(func() { s.tmux("kill-server") })
	cmd := fmt.Sprintf("env TERM=xterm-256color %s=%s %s=clean-sentri %s=1h %s --demo; echo BOOTH-EXITED $?; sleep 60",
		envDemoDir, demoDir, envDemoScenarios, envDemoGap, bin)
	if out, err := s.tmux("new-session", "-d", "-s", s.name, "-x", "120", "-y", "40", cmd); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}

	scr := s.waitFor(15*time.Second, "SIGN IN", "badge "+demoBadge, "PIN "+demoPIN)
	if !strings.Contains(scr, "LINK ") {
		t.Errorf("header lacks the link state:\n%s", scr)
	}
	s.keys(demoBadge, "Enter")
	s.keys(demoPIN, "Enter")
	s.waitFor(10*time.Second, "Lane idle")
	// The simulator's clean-sentri scenario: two SENTRI cards, clean portal,
	// plate US-CA/7ABC123.
	s.waitFor(30*time.Second, "GARCIA, MARIA ELENA", "GARCIA LOPEZ, DIEGO ANDRES", "7ABC123", "✔ CLEAR", "admit with a")
	s.keys("a")
	s.waitFor(10*time.Second, "saved: admitted 7ABC123")
	// The demo's in-process port server has taken the whole outbox.
	s.waitFor(10*time.Second, "LINK online │") // no "· N unsent" backlog
	s.keys("C-c")
	s.waitFor(10*time.Second, "BOOTH-EXITED 0")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := sqlitestore.Open(ctx, filepath.Join(demoDir, "booth.db"), sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all, err := st.HistoryByPlate(ctx, "US-CA", "7ABC123", 10)
	if err != nil {
		t.Fatal(err)
	}
	// The demo seeds past crossings from the port's other booths; this
	// booth's own crossing is the one the officer just admitted.
	var hs []sqlitestore.HistoryEntry
	for _, h := range all {
		if h.Origin == "demo-booth" {
			hs = append(hs, h)
		} else if h.At.After(time.Now().Add(-time.Hour)) {
			t.Errorf("seeded history crossing is recent: %+v", h)
		}
	}
	if len(all) == len(hs) {
		t.Error("the demo SENTRI car has no seeded history at the port's other booths")
	}
	if len(hs) != 1 {
		t.Fatalf("this booth's crossings of US-CA/7ABC123: %+v (all: %+v)", hs, all)
	}
	evs, err := st.Events(ctx, hs[0].CrossingID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[records.Kind]int{}
	for _, e := range evs {
		kinds[e.Kind]++
		if e.Kind == records.KindDetermination && e.Officer != demoBadge {
			t.Errorf("determination by %q, want %q", e.Officer, demoBadge)
		}
	}
	for _, k := range []records.Kind{records.KindCrossingOpened, records.KindRPMOccupancy, records.KindPlateRead,
		records.KindReferenceChecked, records.KindDetermination, records.KindCrossingClosed} {
		if kinds[k] == 0 {
			t.Errorf("no %s event; stored %v", k, kinds)
		}
	}
	if kinds[records.KindRFIDRead] != 2 {
		t.Errorf("%d rfid.read events, want the 2 cards (the neighbour lane's card is below the RSSI floor)", kinds[records.KindRFIDRead])
	}
	srv, err := sqlitestore.Open(ctx, filepath.Join(demoDir, "portserver.db"), sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if up, err := srv.Events(ctx, hs[0].CrossingID); err != nil || len(up) != len(evs) {
		t.Errorf("port server holds %d of the crossing's %d events (%v)", len(up), len(evs), err)
	}
	c, err := st.Crossing(ctx, hs[0].CrossingID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != records.StatusClosed || c.Determination == nil || c.Determination.Value.Outcome != records.OutcomeAdmitted {
		t.Fatalf("crossing status %s determination %+v", c.Status, c.Determination)
	}
}

// TestTUIConfigErrors: a wrong key binding stops the workstation with an
// error naming it, before anything is drawn.
func TestTUIConfigErrors(t *testing.T) {
	tests := []struct{ keys, want string }{
		{`launch = ["l"]`, "keys.launch: unknown action"},
		{`admit = ["ctrl+"]`, "keys.admit"},
		{`admit = ["r"]`, `"r" is bound to both`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		cfgPath := filepath.Join(dir, "booth.toml")
		cfg := fmt.Sprintf("database = %q\nlog_file = %q\n[keys]\n%s\n", filepath.Join(dir, "booth.db"), filepath.Join(dir, "booth.log"), tt.keys)
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr strings.Builder
		code := run([]string{"--config", cfgPath}, strings.NewReader(""), &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), tt.want) {
			t.Errorf("keys %s: exit %d, stderr %q; want an error with %q", tt.keys, code, stderr.String(), tt.want)
		}
	}
}
