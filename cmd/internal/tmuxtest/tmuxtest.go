// Package tmuxtest drives real programs in real terminals for end-to-end
// tests: tmux on a private server socket, keys by send-keys, the screen by
// capture-pane.
package tmuxtest

import (
	"os/exec"
	"strings"
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
