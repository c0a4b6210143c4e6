package sqlitestore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// crashChildEnv switches the test binary into the appending child of
// TestCrashSafety: its value is the database path.
const crashChildEnv = "BOOTH_SQLITESTORE_CRASH_CHILD"

// TestCrashChild is not a test of its own: run by TestCrashSafety as a
// child process, it appends events in a loop and prints the id of each one
// as soon as Append returns (the commit is then durable), until killed.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("child process of TestCrashSafety")
	}
	ctx := context.Background()
	s, err := Open(ctx, path, Options{Origin: "WS-CRASH", Logger: quiet})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		cid := fmt.Sprintf("C%d-%d", os.Getpid(), i/5)
		evs := []records.Event{mustEvent(t, cid, records.Note{Text: strings.Repeat("n", i%300)}, time.Now(), "B1")}
		if i%7 == 0 {
			evs = append(evs, mustEvent(t, cid, records.Note{Text: "pair"}, time.Now(), "B1"))
		}
		if i%5 == 0 { // a new crossing: its opening first
			evs = append([]records.Event{opening(t, cid, time.Now())}, evs...)
		}
		stored, err := s.Append(ctx, evs...)
		if err != nil {
			fmt.Fprintln(os.Stderr, "child append:", err)
			os.Exit(4)
		}
		for _, e := range stored {
			fmt.Fprintln(out, "committed", e.ID, e.OriginSeq)
		}
		out.Flush()
	}
}

// TestCrashSafety kills a process with SIGKILL while it appends, repeatedly,
// then checks the database: integrity_check ok, every event the child saw
// committed is there, and the local sequence is gap-free.
func TestCrashSafety(t *testing.T) {
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	path := filepath.Join(t.TempDir(), "booth.db")
	committed := map[string]bool{}
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		seen := 0
		target := 40 + 37*round // kill at a different point each round
		for sc.Scan() {
			var id string
			var seq int64
			if _, err := fmt.Sscanf(sc.Text(), "committed %s %d", &id, &seq); err != nil {
				continue
			}
			committed[id] = true
			seen++
			if seen == target {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				break
			}
		}
		// Keep reading whatever the child printed before it died: those
		// events were committed too.
		for sc.Scan() {
			var id string
			var seq int64
			if _, err := fmt.Sscanf(sc.Text(), "committed %s %d", &id, &seq); err == nil {
				committed[id] = true
			}
		}
		_ = cmd.Wait()
		if seen < target {
			t.Fatalf("round %d: child stopped after %d commits: %s", round, seen, stderr.String())
		}
	}

	s := openAt(t, path, Options{Origin: "WS-CRASH"})
	var check string
	if err := s.write.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	for id := range committed {
		if _, found, err := eventByID(context.Background(), s.read, id); err != nil || !found {
			t.Errorf("committed event %s lost after kill -9 (%v)", id, err)
		}
	}
	var n, maxSeq int64
	if err := s.read.QueryRow(`SELECT count(*), coalesce(max(origin_seq), 0) FROM events WHERE origin = 'WS-CRASH'`).Scan(&n, &maxSeq); err != nil {
		t.Fatal(err)
	}
	if n != maxSeq {
		t.Errorf("%d events but max origin_seq %d: the sequence has gaps", n, maxSeq)
	}
	if o := rawCount(t, s.read, `SELECT count(*) FROM outbox`); int64(o) != n {
		t.Errorf("%d outbox rows for %d local events", o, n)
	}
	if int64(len(committed)) > n {
		t.Errorf("child reported %d commits, database has %d", len(committed), n)
	}
}
