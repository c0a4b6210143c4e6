package powerloss

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/portofentry/booth/sqlitestore/internal/lazyfs"
)

// Cut kinds: when a cycle's power cut lands.
const (
	CutAfterAcks = "acks" // after the parent has read K acknowledgements
	CutAtOp      = "ops"  // at the N-th file-system operation of the cycle
	CutAfterTime = "time" // D after the writer started (may be inside Open)
)

// Config describes a run: one database on one lazyfs mount, many cycles.
type Config struct {
	Mode    Mode // WriteBooth or WriteServer
	Cycles  int
	Seed    uint64
	SyncOff bool // run the writer with synchronous=OFF (must lose events)
	Torn    bool // a cut keeps a random, torn subset of unsynced writes
	// Dir is a work directory; the mount point is made inside it.
	Dir string
	// Command returns the command that re-executes this binary as a
	// child; Run adds the environment.
	Command func() *exec.Cmd
	// CutKinds to draw from; nil means all three.
	CutKinds []string
	// MaxAcks and MaxDelay bound the acks and time cut points; zero
	// means 400 and 2 s.
	MaxAcks  int
	MaxDelay time.Duration
	// Logf, if set, receives one line per cycle.
	Logf func(format string, args ...any)
}

// Cycle is the record of one power cut.
type Cycle struct {
	N        int
	Cut      string // kind=value
	Ready    bool   // the writer had opened its store before the cut
	Acked    int    // events acknowledged to the writer in this cycle
	Held     int    // events the database held after the cut
	Lost     int    // acknowledged events missing after the cut
	Ops      int64  // file-system operations of the writer before the cut
	Syncs    int64  // successful fsyncs (files and directories) before the cut
	Cut1     lazyfs.CutStats
	Writer   time.Duration // writer start to kill
	Check    time.Duration // remount to the end of the check
	Problems []string
}

// Report is a whole run.
type Report struct {
	Config   Config
	Cycles   []Cycle
	Acked    int // events acknowledged in all
	Lost     int // acknowledged events lost in all
	Problems int // cycles with a violation
	Elapsed  time.Duration
}

// MountError is returned by Run when the file system could not be
// mounted at all.
type MountError struct{ Err error }

func (e *MountError) Error() string { return e.Err.Error() }
func (e *MountError) Unwrap() error { return e.Err }

// Run mounts a fresh lazyfs, runs the cycles and returns what happened.
// An error is a failure of the harness itself; the store's violations are
// in the report.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Mode != WriteBooth && cfg.Mode != WriteServer {
		return nil, fmt.Errorf("powerloss: mode %q is not a writer", cfg.Mode)
	}
	if cfg.MaxAcks <= 0 {
		cfg.MaxAcks = 400
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = 2 * time.Second
	}
	if len(cfg.CutKinds) == 0 {
		cfg.CutKinds = []string{CutAfterAcks, CutAtOp, CutAfterTime}
	}
	mnt := filepath.Join(cfg.Dir, "mnt")
	if err := os.MkdirAll(mnt, 0o755); err != nil {
		return nil, fmt.Errorf("powerloss: %w", err)
	}
	fsys := lazyfs.New(lazyfs.Options{Torn: cfg.Torn, Seed: cfg.Seed})
	if err := fsys.Mount(mnt); err != nil {
		return nil, &MountError{err}
	}
	r := &runner{
		cfg:    cfg,
		fs:     fsys,
		mnt:    mnt,
		db:     filepath.Join(mnt, "store.db"),
		rng:    rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		ledger: NewLedger(),
		opsEst: 3000,
	}
	defer fsys.Unmount()
	start := time.Now()
	rep := &Report{Config: cfg}
	if cfg.SyncOff {
		// Start from a database created durably (by the checker, with the
		// store's own synchronous=FULL), so what the OFF writer loses is
		// its own acknowledged events, not the whole file.
		snap, errText, err := r.check(ctx)
		if err != nil {
			return nil, fmt.Errorf("powerloss: create the database: %w: %s", err, errText)
		}
		r.ledger.Rebase(snap)
	}
	for n := 1; n <= cfg.Cycles; n++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		c, err := r.cycle(ctx, n)
		if err != nil {
			return rep, fmt.Errorf("powerloss: cycle %d: %w", n, err)
		}
		rep.Cycles = append(rep.Cycles, c)
		rep.Acked += c.Acked
		rep.Lost += c.Lost
		if len(c.Problems) > 0 {
			rep.Problems++
		}
		if cfg.Logf != nil {
			cfg.Logf("%s", c.String())
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

func (c Cycle) String() string {
	s := fmt.Sprintf("cycle %3d: cut %-10s ready=%-5v acked %4d held %6d lost %4d ops %6d syncs %5d; cut dropped %d bytes, %d entries; writer %v, check %v",
		c.N, c.Cut, c.Ready, c.Acked, c.Held, c.Lost, c.Ops, c.Syncs, c.Cut1.LostBytes, c.Cut1.LostEntries,
		c.Writer.Round(time.Millisecond), c.Check.Round(time.Millisecond))
	for _, p := range c.Problems {
		s += "\n    VIOLATION: " + p
	}
	return s
}

type runner struct {
	cfg    Config
	fs     *lazyfs.FS
	mnt    string
	db     string
	rng    *rand.Rand
	ledger *Ledger
	opsEst int64 // operations a writer does before a cut, from earlier cycles
}

func (r *runner) booth() bool { return r.cfg.Mode == WriteBooth }

func (r *runner) cycle(ctx context.Context, n int) (Cycle, error) {
	c := Cycle{N: n}
	kind := r.cfg.CutKinds[r.rng.IntN(len(r.cfg.CutKinds))]
	var (
		ackTarget = 0
		delay     time.Duration
	)
	before := r.fs.Stats()
	frozen := r.fs.Frozen()
	switch kind {
	case CutAfterAcks:
		ackTarget = 1 + r.rng.IntN(r.cfg.MaxAcks)
		c.Cut = fmt.Sprintf("acks=%d", ackTarget)
	case CutAtOp:
		at := 1 + r.rng.Int64N(r.opsEst)
		if r.rng.IntN(4) == 0 {
			at = 1 + r.rng.Int64N(40) // early: inside Open (recovery, migrations) or its first commit
		}
		frozen = r.fs.ArmCut(at)
		c.Cut = fmt.Sprintf("ops=%d", at)
	case CutAfterTime:
		delay = time.Duration(r.rng.Int64N(int64(r.cfg.MaxDelay)))
		c.Cut = fmt.Sprintf("time=%dms", delay.Milliseconds())
	}

	cmd := r.cfg.Command()
	cmd.Env = append(os.Environ(), ChildEnv+"="+string(r.cfg.Mode), DBEnv+"="+r.db,
		fmt.Sprintf("%s=%d", SeedEnv, r.rng.Uint64()))
	if r.cfg.SyncOff {
		cmd.Env = append(cmd.Env, SyncEnv+"=OFF")
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return c, err
	}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return c, fmt.Errorf("start writer: %w", err)
	}
	lines := make(chan string, 1024)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var timer <-chan time.Time
	if kind == CutAfterTime {
		timer = time.After(delay)
	}
	stall := time.NewTimer(15 * time.Second)
	defer stall.Stop()
	sawSyncOff := false
	handle := func(line string) error {
		verb, rest, _ := strings.Cut(line, " ")
		var err error
		switch verb {
		case "ready":
			c.Ready = true
		case "synchronous":
			sawSyncOff = rest == "0"
		case "ack":
			var id string
			st := Stored{Origin: boothOrigin}
			if r.booth() {
				_, err = fmt.Sscan(rest, &id, &st.Seq)
			} else {
				_, err = fmt.Sscan(rest, &id, &st.Origin, &st.Seq)
			}
			if _, again := r.ledger.Acked[id]; !again { // a resent batch acks again
				c.Acked++
			}
			r.ledger.Acked[id] = st
		case "outack":
			var n int64
			_, err = fmt.Sscan(rest, &n)
			r.ledger.OutboxAck = max(r.ledger.OutboxAck, n)
		case "hwm":
			var origin string
			var n int64
			_, err = fmt.Sscan(rest, &origin, &n)
			r.ledger.HWM[origin] = max(r.ledger.HWM[origin], n)
		default:
			err = errors.New("unknown line")
		}
		if err != nil {
			return fmt.Errorf("writer line %q: %w", line, err)
		}
		return nil
	}
	exited := false
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				exited = true
				break wait
			}
			if err := handle(line); err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				return c, err
			}
			if ackTarget > 0 && c.Acked >= ackTarget {
				break wait
			}
		case <-frozen:
			break wait
		case <-timer:
			break wait
		case <-stall.C:
			c.Problems = append(c.Problems, fmt.Sprintf("writer made no progress in 15 s (%d acks)", c.Acked))
			break wait
		}
	}
	// The power cut: nothing more becomes durable, the writer dies without
	// running another instruction, and only then do its blocked syncs fail.
	r.fs.Freeze()
	_ = cmd.Process.Kill()
	r.fs.ReleaseSyncs()
	for line := range lines {
		if err := handle(line); err != nil {
			cmd.Wait()
			return c, err
		}
	}
	_ = cmd.Wait()
	c.Writer = time.Since(started)
	if exited {
		c.Problems = append(c.Problems, fmt.Sprintf("writer exited before the cut: %s", strings.TrimSpace(stderr.String())))
	}
	if r.cfg.SyncOff && !sawSyncOff {
		c.Problems = append(c.Problems, "writer did not confirm synchronous=OFF")
	}
	after := r.fs.Stats()
	c.Ops = after.OpsAtLastFreeze - before.Ops
	c.Syncs = (after.Fsyncs + after.DirFsyncs) - (before.Fsyncs + before.DirFsyncs)
	if kind != CutAtOp && c.Ops > 0 {
		r.opsEst = max(c.Ops, 50)
	}

	// Reboot: unmount (dropping the kernel's caches), lose the unsynced
	// state, mount again.
	if err := r.fs.Unmount(); err != nil {
		return c, err
	}
	if c.Cut1, err = r.fs.Reboot(); err != nil {
		return c, err
	}
	if err := r.fs.Mount(r.mnt); err != nil {
		return c, err
	}
	checkStart := time.Now()
	snap, errText, err := r.check(ctx)
	c.Check = time.Since(checkStart)
	if err != nil {
		c.Problems = append(c.Problems, fmt.Sprintf("after the cut the database cannot be checked: %v: %s", err, errText))
		return c, nil
	}
	c.Held = len(snap.Events)
	c.Lost = LostAcked(r.ledger, snap)
	c.Problems = append(c.Problems, Check(r.ledger, snap)...)
	r.ledger.Rebase(snap)
	return c, nil
}

// check runs the checker child on the mounted database.
func (r *runner) check(ctx context.Context) (*Snapshot, string, error) {
	mode := CheckServer
	if r.booth() {
		mode = CheckBooth
	}
	cmd := r.cfg.Command()
	cmd.Env = append(os.Environ(), ChildEnv+"="+string(mode), DBEnv+"="+r.db)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return nil, stderr.String(), fmt.Errorf("checker: %w", err)
		}
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		return nil, stderr.String(), errors.New("checker hung for 60 s")
	case <-ctx.Done():
		_ = cmd.Process.Kill()
		<-done
		return nil, "", ctx.Err()
	}
	snap, err := ParseSnapshot(strings.NewReader(stdout.String()), r.booth())
	return snap, stderr.String(), err
}

// Summary is a few lines on a whole report: cycles per cut kind, acks,
// losses, violations and timings.
func (rep *Report) Summary() string {
	var b strings.Builder
	kinds := map[string]int{}
	var writer, check []time.Duration
	ready, ops := 0, int64(0)
	for _, c := range rep.Cycles {
		k, _, _ := strings.Cut(c.Cut, "=")
		kinds[k]++
		writer = append(writer, c.Writer)
		check = append(check, c.Check)
		if c.Ready {
			ready++
		}
		ops += c.Ops
	}
	cfg := rep.Config
	fmt.Fprintf(&b, "%s, %d cycles (seed %d, torn=%v, synchronous=%s) in %v\n", cfg.Mode, len(rep.Cycles), cfg.Seed, cfg.Torn,
		map[bool]string{true: "OFF", false: "FULL"}[cfg.SyncOff], rep.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(&b, "  cuts: %d after acks, %d at a file-system operation, %d after a delay; %d landed after Open\n",
		kinds[CutAfterAcks], kinds[CutAtOp], kinds[CutAfterTime], ready)
	fmt.Fprintf(&b, "  %d events acknowledged, %d lost; %d cycles with a violation; %d file-system operations\n", rep.Acked, rep.Lost, rep.Problems, ops)
	fmt.Fprintf(&b, "  writer per cycle: median %v, max %v; check: median %v, max %v\n",
		median(writer), slices.Max(append(writer, 0)), median(check), slices.Max(append(check, 0)))
	return b.String()
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2].Round(time.Millisecond)
}
