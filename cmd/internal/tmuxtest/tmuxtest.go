// Package tmuxtest drives real programs in real terminals for end-to-end
// tests: tmux on a private server socket, keys by send-keys, the screen by
// capture-pane.
package tmuxtest

import (
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Require skips t when tmux is not installed.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the end-to-end test needs a real terminal")
	}
}

// Session is one tmux target (a session or "session:window") on the tmux
// server at Socket.
type Session struct {
	T      testing.TB
	Socket string
	Name   string
}

// Tmux runs a tmux command on the session's server.
func (s *Session) Tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", s.Socket}, args...)...).CombinedOutput()
	return string(out), err
}

// KillServer ends every program running in the server's panes, then the
// server. Closing a terminal alone is not enough: tmux sends SIGHUP, and a
// program may handle SIGHUP (the port server reloads its deny-list on it)
// and outlive the test. Each pane's program leads its own process group, so
// the group gets SIGTERM, and SIGKILL if it is still there after 3 s.
func (s *Session) KillServer() {
	out, _ := s.Tmux("list-panes", "-a", "-F", "#{pane_pid}")
	var groups []int
	for _, f := range strings.Fields(out) {
		if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
			groups = append(groups, pid)
			_ = syscall.Kill(-pid, syscall.SIGTERM)
		}
	}
	deadline := time.Now().Add(3 * time.Second)
	for _, pid := range groups {
		for time.Now().Before(deadline) && syscall.Kill(-pid, 0) == nil {
			time.Sleep(20 * time.Millisecond)
		}
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
	_, _ = s.Tmux("kill-server")
}

// Screen is what the target's pane shows now.
func (s *Session) Screen() string {
	out, _ := s.Tmux("capture-pane", "-p", "-t", s.Name)
	return out
}

// Keys types keys into the target (tmux send-keys names: "Enter", "C-c").
func (s *Session) Keys(keys ...string) {
	s.T.Helper()
	if out, err := s.Tmux(append([]string{"send-keys", "-t", s.Name}, keys...)...); err != nil {
		s.T.Fatalf("send-keys %v: %v %s", keys, err, out)
	}
}

// WaitFor waits up to d for the screen to show every one of wants and
// returns it; otherwise it fails the test showing the last screen.
func (s *Session) WaitFor(d time.Duration, wants ...string) string {
	s.T.Helper()
	deadline := time.Now().Add(d)
	for {
		scr := s.Screen()
		ok := true
		for _, w := range wants {
			ok = ok && strings.Contains(scr, w)
		}
		if ok {
			return scr
		}
		if time.Now().After(deadline) {
			s.T.Fatalf("screen never showed %q:\n%s", wants, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
