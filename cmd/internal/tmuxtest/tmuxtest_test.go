package tmuxtest

import (
	"fmt"
	"os"
	"testing"
	"time"
)

func TestSessionTypesAndReads(t *testing.T) {
	Require(t)
	s := &Session{T: t, Socket: fmt.Sprintf("tmuxtest-%d", os.Getpid()), Name: "t"}
	t.Cleanup(func() { s.Tmux("kill-server") })
	if out, err := s.Tmux("new-session", "-d", "-s", s.Name, "-x", "80", "-y", "10", "cat"); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	s.Keys("hello tmuxtest", "Enter")
	s.WaitFor(5*time.Second, "hello tmuxtest")
}
