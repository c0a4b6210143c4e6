package tmuxtest

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestSessionTypesAndReads(t *testing.T) {
	Require(t)
	s := &Session{T: t, Socket: fmt.Sprintf("tmuxtest-%d", os.Getpid()), Name: "t"}
	t.Cleanup(s.KillServer)
	if out, err := s.Tmux("new-session", "-d", "-s", s.Name, "-x", "80", "-y", "10", "cat"); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	s.Keys("hello tmuxtest", "Enter")
	s.WaitFor(5*time.Second, "hello tmuxtest")
}

// TestKillServerEndsProgramsThatIgnoreHangup: a program that survives
// SIGHUP (as the port server does) is still ended, with its children.
func TestKillServerEndsProgramsThatIgnoreHangup(t *testing.T) {
	Require(t)
	s := &Session{T: t, Socket: fmt.Sprintf("tmuxtest-hup-%d", os.Getpid()), Name: "t"}
	pidFile := t.TempDir() + "/pid"
	cmd := fmt.Sprintf(`sh -c 'trap "" HUP; sleep 300 & echo $! > %s; wait'`, pidFile)
	if out, err := s.Tmux("new-session", "-d", "-s", s.Name, "-x", "80", "-y", "10", cmd); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	var pid int
	deadline := time.Now().Add(5 * time.Second)
	for pid == 0 && time.Now().Before(deadline) {
		if b, err := os.ReadFile(pidFile); err == nil {
			fmt.Sscan(string(b), &pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if pid == 0 {
		t.Fatal("the program did not start")
	}
	s.KillServer()
	for time.Now().Before(deadline.Add(5 * time.Second)) {
		if syscall.Kill(pid, 0) != nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("process %d outlived KillServer", pid)
}
