package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// TestSoak runs the port server (the real binary) and booth writers (this
// test binary as child processes, soak_booth_test.go) behind the fault proxy
// and checks the server against what each booth REPORTED AS COMMITTED, line
// by line, at the moment each Append returned — not against the booth's
// database after the fact, which would hide a loss the booth shares.
//
// Without BOOTH_SOAK it is the short version in `go test ./...`: two booths
// and each fault once, in a fixed order (delay, ack loss after the server's
// commit, partition, cut connections, SIGKILL of the server, SIGKILL of each
// booth). With BOOTH_SOAK=DURATION (scripts/replication-soak.sh) three
// booths run for DURATION under random faults of the same kinds.
//
// Both end the same way: every booth drains, the server stops, and for each
// booth checkOrigin must find every reported event at the server exactly
// once, nothing there the booth's database does not hold, and the server's
// sequence 1..n gap-free; after the drain the server holds all of the
// booth's database. Then the check is shown to fail: one booth commits and
// reports a crossing while the server is down, and checkOrigin must report
// exactly those events lost.
func TestSoak(t *testing.T) {
	var dur time.Duration
	if spec := os.Getenv("BOOTH_SOAK"); spec != "" {
		var err error
		if dur, err = time.ParseDuration(spec); err != nil || dur <= 0 {
			t.Fatalf("BOOTH_SOAK=%q: want a positive Go duration (%v)", spec, err)
		}
	}
	ids := []string{"booth-1", "booth-2"}
	if dur > 0 {
		ids = append(ids, "booth-3")
	}
	s := newSoak(t, ids)
	faults := map[string]int{}
	if dur == 0 {
		s.scriptedFaults(t, faults)
	} else {
		s.randomFaults(t, dur, faults)
	}
	s.drainAll(t)
	s.rig.stopServer(t)

	total, unreported := 0, 0
	for _, id := range ids {
		rep := s.reported(id)
		server, booth := soakOriginEvents(t, s.rig.dir, "server.db", id), soakOriginEvents(t, s.rig.dir, id+".db", id)
		for _, p := range checkOrigin(id, rep, server, booth) {
			t.Error(p)
		}
		if len(server) != len(booth) {
			t.Errorf("%s drained, yet the server holds %d of its %d events", id, len(server), len(booth))
		}
		if len(rep) == 0 {
			t.Errorf("%s reported nothing committed", id)
		}
		total += len(rep)
		unreported += len(booth) - len(rep)
	}
	if t.Failed() {
		return
	}
	t.Logf("soak %s: %d events reported committed by %d booths, each at the server exactly once, gap-free, no phantom "+
		"(%d more committed by booths killed before reporting them, also there); faults %v; proxy dropped %d acks, cut %d connections",
		durName(dur), total, len(ids), unreported, faults, s.rig.proxy.Dropped.Load(), s.rig.proxy.Cut.Load())

	s.proveLossIsCaught(t, ids[0])
}

func durName(d time.Duration) string {
	if d == 0 {
		return "short"
	}
	return d.String()
}

// soak is the rig (server and fault proxy from e2e_test.go) with booth
// writer children and the ledger of what each reported committed.
type soak struct {
	rig    *rig
	ids    []string
	booths map[string]*soakBooth

	mu     sync.Mutex
	ledger map[string][]committed // every report of every run of the booth
}

func newSoak(t *testing.T, ids []string) *soak {
	s := &soak{rig: newRig(t, ids...), ids: ids, booths: map[string]*soakBooth{}, ledger: map[string][]committed{}}
	for _, id := range ids {
		s.start(t, id, s.steady(len(ids)))
	}
	return s
}

// steady is the configuration of a booth appending until it is killed.
func (s *soak) steady(booths int) soakBoothConfig {
	if os.Getenv("BOOTH_SOAK") != "" {
		return soakBoothConfig{Events: 1 << 30, Rate: 150, Batch: 200}
	}
	return soakBoothConfig{Events: 1 << 30, Rate: 1500 / float64(booths), Batch: 100}
}

func (s *soak) reported(id string) []committed {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ledger[id])
}

func (s *soak) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ledger[id])
}

// waitReported waits until booth id has reported n more events than now.
func (s *soak) waitReported(t *testing.T, id string, n int) {
	t.Helper()
	want := s.count(id) + n
	s.waitFor(t, fmt.Sprintf("%s to report %d committed", id, want), func() bool { return s.count(id) >= want })
}

func (s *soak) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited 60s for %s; stderr of the booths:\n%s", what, s.stderrs())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (s *soak) stderrs() string {
	var b strings.Builder
	for id, p := range s.booths {
		fmt.Fprintf(&b, "--- %s\n%s", id, p.stderrText())
	}
	return b.String()
}

// soakBooth is one run of a booth writer child.
type soakBooth struct {
	cmd     *exec.Cmd
	stderr  *os.File
	drained chan int64 // the acked sequence from the drain report
	done    chan struct{}
	err     error // set before done is closed
}

// start runs a booth writer child for id; its reports go to the ledger.
func (s *soak) start(t *testing.T, id string, cfg soakBoothConfig) *soakBooth {
	t.Helper()
	cfg.DB, cfg.Workstation, cfg.PKI, cfg.Server = id+".db", id, "pki", "https://"+s.rig.proxy.Addr()
	spec, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Dir = s.rig.dir
	cmd.Env = append(os.Environ(), soakBoothEnv+"="+string(spec))
	errf, err := os.CreateTemp(s.rig.dir, id+"-stderr-*")
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
	b := &soakBooth{cmd: cmd, stderr: errf, drained: make(chan int64, 1), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		sc := bufio.NewScanner(out)
		var bad error
		for sc.Scan() {
			if err := s.record(id, sc.Text(), b); err != nil && bad == nil {
				bad = err
			}
		}
		b.err = errors.Join(bad, sc.Err(), cmd.Wait())
	}()
	t.Cleanup(func() { b.kill(); <-b.done })
	s.booths[id] = b
	return b
}

// record takes one report line of booth id.
func (s *soak) record(id, line string, b *soakBooth) error {
	f := strings.Fields(line)
	switch {
	case len(f) == 3 && f[0] == "c":
		seq, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return fmt.Errorf("report %q: %w", line, err)
		}
		s.mu.Lock()
		s.ledger[id] = append(s.ledger[id], committed{Seq: seq, ID: f[2]})
		s.mu.Unlock()
	case len(f) == 2 && f[0] == "d":
		acked, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return fmt.Errorf("report %q: %w", line, err)
		}
		b.drained <- acked
	default:
		return fmt.Errorf("report %q: not a report line", line)
	}
	return nil
}

// kill sends SIGKILL: no chance to finish an Append, a report or a batch.
func (b *soakBooth) kill() {
	select {
	case <-b.done:
	default:
		_ = b.cmd.Process.Kill()
	}
}

func (b *soakBooth) stderrText() string {
	data, _ := os.ReadFile(b.stderr.Name())
	return string(data)
}

// restart kills booth id with SIGKILL mid-work and starts it again with cfg.
// A child that had already exited on its own failed.
func (s *soak) restart(t *testing.T, id string, cfg soakBoothConfig) {
	t.Helper()
	b := s.booths[id]
	select {
	case <-b.done:
		t.Fatalf("%s exited on its own: %v\n%s", id, b.err, b.stderrText())
	default:
	}
	b.kill()
	<-b.done
	s.start(t, id, cfg)
}

// scriptedFaults is the short version: each fault once, each step waiting
// for booth-1 to report more commits, so the faults hit a working link.
func (s *soak) scriptedFaults(t *testing.T, faults map[string]int) {
	steady := s.steady(len(s.ids))
	s.waitReported(t, "booth-1", 200)

	s.rig.proxy.SetDelay(20 * time.Millisecond)
	faults["delay"]++
	dropped := s.rig.proxy.Dropped.Load()
	s.rig.proxy.DropResponses(3, 2048)
	s.waitFor(t, "an ack to be dropped after the server's commit", func() bool { return s.rig.proxy.Dropped.Load() > dropped })
	faults["ack-loss"]++
	s.rig.proxy.SetDelay(0)

	s.rig.proxy.Partition(true)
	s.waitReported(t, "booth-1", 300) // committing offline
	s.rig.proxy.Partition(false)
	faults["partition"]++

	s.waitReported(t, "booth-1", 200)
	// Cut until a connection was open to be cut (a sender may be between
	// connections).
	cut := s.rig.proxy.Cut.Load()
	s.waitFor(t, "an open connection to cut", func() bool {
		s.rig.proxy.CutAll()
		return s.rig.proxy.Cut.Load() > cut
	})
	faults["cut"]++

	s.waitReported(t, "booth-1", 200)
	s.rig.restartServer(t)
	faults["kill-server"]++

	for _, id := range s.ids {
		s.waitReported(t, id, 200)
		s.restart(t, id, steady)
		faults["kill-booth"]++
	}
	s.waitReported(t, "booth-1", 200)
}

// randomFaults is the long version: a random fault every 0.5–3 s for dur.
func (s *soak) randomFaults(t *testing.T, dur time.Duration, faults map[string]int) {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	p := s.rig.proxy
	for end := time.Now().Add(dur); time.Now().Before(end); {
		time.Sleep(time.Duration(500+rng.IntN(2500)) * time.Millisecond)
		switch rng.IntN(6) {
		case 0:
			p.SetDelay(time.Duration(rng.IntN(200)) * time.Millisecond)
			faults["delay"]++
		case 1:
			p.DropResponses(1+rng.IntN(3), 2048)
			faults["ack-loss"]++
		case 2:
			p.Partition(true)
			time.Sleep(time.Duration(200+rng.IntN(3000)) * time.Millisecond)
			p.Partition(false)
			faults["partition"]++
		case 3:
			p.CutAll()
			faults["cut"]++
		case 4:
			s.rig.restartServer(t)
			faults["kill-server"]++
		case 5:
			s.restart(t, s.ids[rng.IntN(len(s.ids))], s.steady(len(s.ids)))
			faults["kill-booth"]++
		}
	}
	p.SetDelay(0)
	p.Partition(false)
}

// drainAll kills every booth mid-work, starts each again to append one more
// crossing and exit once the server has acknowledged everything, and waits.
func (s *soak) drainAll(t *testing.T) {
	t.Helper()
	for _, id := range s.ids {
		s.restart(t, id, soakBoothConfig{Events: soakCrossingSize, Batch: 200, Drain: true})
	}
	for _, id := range s.ids {
		b := s.booths[id]
		select {
		case <-b.done:
		case <-time.After(5 * time.Minute):
			t.Fatalf("%s did not drain in 5 minutes:\n%s", id, b.stderrText())
		}
		if b.err != nil {
			t.Fatalf("%s: %v\n%s", id, b.err, b.stderrText())
		}
		select {
		case <-b.drained:
		default:
			t.Fatalf("%s exited without its drain report:\n%s", id, b.stderrText())
		}
	}
}

// proveLossIsCaught shows the check can fail: with the server down, booth id
// commits and reports one crossing the server therefore never gets, and
// checkOrigin must report each of those events lost, and nothing else.
func (s *soak) proveLossIsCaught(t *testing.T, id string) {
	t.Helper()
	before := s.count(id)
	s.rig.proxy.Partition(true)
	s.start(t, id, soakBoothConfig{Events: soakCrossingSize, Batch: 200})
	s.waitReported(t, id, soakCrossingSize)
	b := s.booths[id]
	b.kill()
	<-b.done
	rep := s.reported(id)
	lost := rep[before:]
	server, booth := soakOriginEvents(t, s.rig.dir, "server.db", id), soakOriginEvents(t, s.rig.dir, id+".db", id)
	problems := checkOrigin(id, rep, server, booth)
	if len(problems) != len(lost) {
		t.Errorf("checkOrigin reported %d problems for %d events the server never got:\n%s",
			len(problems), len(lost), strings.Join(problems, "\n"))
	}
	for _, c := range lost {
		want := fmt.Sprintf("loss: %s #%d was reported committed and is not at the server", c.ID, c.Seq)
		found := false
		for _, p := range problems {
			found = found || strings.Contains(p, want)
		}
		if !found {
			t.Errorf("checkOrigin missed the loss of %s #%d; it reported:\n%s", c.ID, c.Seq, strings.Join(problems, "\n"))
		}
	}
	if !t.Failed() {
		t.Logf("fed a report of %d events the server never got, checkOrigin reported each lost", len(lost))
	}
}

// soakOriginEvents reads every event of origin from the database at
// dir/name, in origin_seq order.
func soakOriginEvents(t *testing.T, dir, name, origin string) []records.Event {
	t.Helper()
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(dir, name), sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer st.Close()
	var all []records.Event
	for after := int64(0); ; {
		evs, err := st.OriginEvents(ctx, origin, after, 5000)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(evs) == 0 {
			return all
		}
		all = append(all, evs...)
		after = evs[len(evs)-1].OriginSeq
	}
}
