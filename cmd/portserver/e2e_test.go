package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portofentry/booth/cmd/internal/testbin"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication/faultproxy"
	"github.com/portofentry/booth/sqlitestore"
)

// These tests run the real binary: the port server and headless booths as
// separate processes on loopback, with a fault-injecting proxy between them.

var binary string

func TestMain(m *testing.M) {
	var err error
	if binary, err = testbin.Path("portserver"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}

// cli runs one short portserver command and returns its stdout.
func cli(t testing.TB, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("portserver %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// proc is a running portserver process.
type proc struct {
	cmd    *exec.Cmd
	lines  chan string // stdout lines
	done   chan error
	stderr *os.File
}

func start(t testing.TB, dir string, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	errf, err := os.CreateTemp(dir, "stderr-*")
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = errf
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, lines: make(chan string, 1024), done: make(chan error, 1), stderr: errf}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			select {
			case p.lines <- sc.Text():
			default: // nobody reads progress: drop it
			}
		}
		close(p.lines)
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// kill sends SIGKILL: no chance to finish a batch or a transaction.
func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
}

func (p *proc) stderrText() string {
	b, _ := os.ReadFile(p.stderr.Name())
	return string(b)
}

// waitLine returns the first stdout line containing want.
func (p *proc) waitLine(t testing.TB, want string, d time.Duration) string {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("process exited before printing %q; stderr:\n%s", want, p.stderrText())
			}
			if strings.Contains(l, want) {
				return l
			}
		case <-timeout:
			t.Fatalf("no %q within %s; stderr:\n%s", want, d, p.stderrText())
		}
	}
}

func (p *proc) wait(t testing.TB, d time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(d):
		t.Fatalf("process still running after %s; stderr:\n%s", d, p.stderrText())
		return nil
	}
}

// rig is a port server behind a fault proxy, with its PKI.
type rig struct {
	dir    string
	server *proc
	proxy  *faultproxy.Proxy
}

func newRig(t testing.TB, booths ...string) *rig {
	t.Helper()
	dir := t.TempDir()
	pki := filepath.Join(dir, "pki")
	cli(t, "pki", "init", "--dir", pki, "--port", "2604")
	cli(t, "pki", "issue", "--role", "server", "--dir", pki)
	for _, b := range booths {
		cli(t, "pki", "issue", "--role", "primary", "--workstation", b, "--dir", pki)
	}
	r := &rig{dir: dir}
	addr := r.startServer(t)
	proxy, err := faultproxy.Start(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	r.proxy = proxy
	return r
}

func (r *rig) startServer(t testing.TB) string {
	t.Helper()
	r.server = start(t, r.dir, "serve", "--db", "server.db", "--dir", "pki", "--listen", "127.0.0.1:0", "--port", "2604")
	var hello struct{ Listening string }
	if err := json.Unmarshal([]byte(r.server.waitLine(t, "listening", 20*time.Second)), &hello); err != nil {
		t.Fatal(err)
	}
	return hello.Listening
}

// restartServer kills the server with SIGKILL and starts it again on the
// same database; the proxy follows it to its new port.
func (r *rig) restartServer(t testing.TB) {
	t.Helper()
	r.server.kill()
	_ = r.server.wait(t, 10*time.Second)
	r.proxy.SetTarget(r.startServer(t))
}

func (r *rig) booth(t testing.TB, id string, extra ...string) *proc {
	t.Helper()
	args := append([]string{"bench-booth", "--db", id + ".db", "--workstation", id, "--dir", "pki",
		"--server", "https://" + r.proxy.Addr()}, extra...)
	return start(t, r.dir, args...)
}

// stopServer ends the server cleanly so its database can be read.
func (r *rig) stopServer(t testing.TB) {
	t.Helper()
	_ = r.server.cmd.Process.Signal(syscall.SIGTERM)
	if err := r.server.wait(t, 15*time.Second); err != nil {
		t.Fatalf("server exit: %v\n%s", err, r.server.stderrText())
	}
}

// assertExactlyOnce checks that the server holds exactly the events booth
// committed: the same ids under the same numbers 1..n, none twice.
func assertExactlyOnce(t testing.TB, dir, booth string) int {
	t.Helper()
	ctx := context.Background()
	read := func(path string) []records.Event {
		s, err := sqlitestore.Open(ctx, path, sqlitestore.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		defer s.Close()
		var all []records.Event
		for after := int64(0); ; {
			evs, err := s.OriginEvents(ctx, booth, after, 5000)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) == 0 {
				return all
			}
			all = append(all, evs...)
			after = evs[len(evs)-1].OriginSeq
		}
	}
	want, got := read(filepath.Join(dir, booth+".db")), read(filepath.Join(dir, "server.db"))
	if len(want) == 0 {
		t.Fatalf("booth %s committed nothing", booth)
	}
	if len(got) != len(want) {
		t.Fatalf("server holds %d events of %s, the booth committed %d", len(got), booth, len(want))
	}
	for i := range want {
		if got[i].OriginSeq != int64(i+1) || got[i].ID != want[i].ID {
			t.Fatalf("%s event %d: server has %s #%d, booth %s #%d", booth, i, got[i].ID, got[i].OriginSeq, want[i].ID, want[i].OriginSeq)
		}
	}
	return len(want)
}

func TestReplicationSurvivesFaultsAndKills(t *testing.T) {
	r := newRig(t, "booth-1", "booth-2")
	b1 := r.booth(t, "booth-1", "--events", "3000", "--rate", "1500", "--batch", "100")
	b2 := r.booth(t, "booth-2", "--events", "1200", "--rate", "600", "--batch", "100", "--exit-when-drained")
	b1.waitLine(t, `"appended":200`, 20*time.Second)

	// Delay, then lose acks: the server commits, the booth never hears.
	r.proxy.SetDelay(20 * time.Millisecond)
	r.proxy.DropResponses(4, 2048)
	b1.waitLine(t, `"appended":900`, 20*time.Second)
	r.proxy.SetDelay(0)
	if r.proxy.Dropped.Load() == 0 {
		t.Errorf("no ack was dropped: the fault did not happen")
	}

	// Partition: both booths keep committing offline.
	r.proxy.Partition(true)
	b1.waitLine(t, `"appended":1300`, 20*time.Second)
	r.proxy.Partition(false)

	// The server dies mid-batch and comes back on the same database.
	b1.waitLine(t, `"appended":1600`, 20*time.Second)
	r.restartServer(t)

	// The booth dies mid-write and mid-batch and comes back.
	b1.waitLine(t, `"appended":2000`, 20*time.Second)
	b1.kill()
	_ = b1.wait(t, 10*time.Second)
	b1 = r.booth(t, "booth-1", "--events", "300", "--batch", "100", "--exit-when-drained")

	for _, b := range []*proc{b1, b2} {
		if err := b.wait(t, 60*time.Second); err != nil {
			t.Fatalf("booth: %v\n%s", err, b.stderrText())
		}
	}
	r.stopServer(t)
	n1 := assertExactlyOnce(t, r.dir, "booth-1")
	n2 := assertExactlyOnce(t, r.dir, "booth-2")
	if n1 < 2000 || n2 != 1200 {
		t.Errorf("booth-1 committed %d (want >= 2000), booth-2 %d (want 1200)", n1, n2)
	}
	st := cli(t, "status", "--db", filepath.Join(r.dir, "server.db"), "--json")
	var rep statusReport
	if err := json.Unmarshal([]byte(st), &rep); err != nil || len(rep.Workstations) != 2 {
		t.Fatalf("status: %v\n%s", err, st)
	}
	for _, w := range rep.Workstations {
		if w.Backlog != 0 {
			t.Errorf("%s reported backlog %d after draining", w.Workstation, w.Backlog)
		}
	}
}
