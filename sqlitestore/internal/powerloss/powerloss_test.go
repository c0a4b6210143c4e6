//go:build linux && !race

package powerloss

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/portofentry/booth/sqlitestore/internal/lazyfs"
)

// Environment of the long run (scripts/powerloss.sh).
const (
	cyclesEnv = "BOOTH_POWERLOSS_CYCLES" // cycles per run; default the short version's
	seedEnv   = "BOOTH_POWERLOSS_RUNSEED"
)

// requireFUSE skips (with the reason) only where FUSE cannot be tried; a
// refused mount under CI=true fails (see lazyfs.MountForTest).
func requireFUSE(t *testing.T) {
	t.Helper()
	lazyfs.MountForTest(t, lazyfs.New(lazyfs.Options{}), t.TempDir())
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number", name, v)
	}
	return n
}

func run(t *testing.T, cfg Config) *Report {
	t.Helper()
	cfg.Dir = t.TempDir()
	cfg.Command = func() *exec.Cmd {
		return exec.Command(os.Args[0], "-test.run=^$", "-test.count=1")
	}
	cfg.Logf = t.Logf
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("power-loss run: %v", err)
	}
	t.Logf("\n%s", rep.Summary())
	if path := os.Getenv("BOOTH_POWERLOSS_REPORT"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.WriteString(rep.Summary())
			for _, c := range rep.Cycles {
				f.WriteString(c.String() + "\n")
			}
			f.Close()
		}
	}
	return rep
}

// TestPowerLoss cuts the power under the booth's Append and the port
// server's ingest, at random acknowledgement counts, file-system operations
// and times, with all unsynced writes dropped or a torn subset kept; after
// every cut the database must pass integrity_check, hold every event
// acknowledged before the cut (and every event an earlier check found),
// keep its sequences gap-free, its outbox exactly the unacknowledged tail
// and each origin's high-water mark in step with its events.
func TestPowerLoss(t *testing.T) {
	requireFUSE(t)
	seed := uint64(envInt(t, seedEnv, int(time.Now().UnixNano()%1e6)))
	t.Logf("seed %d (set %s to repeat)", seed, seedEnv)
	cases := []struct {
		name   string
		mode   Mode
		torn   bool
		cycles int
	}{
		{"booth", WriteBooth, false, 8},
		{"booth torn", WriteBooth, true, 6},
		{"server", WriteServer, false, 6},
		{"server torn", WriteServer, true, 5},
	}
	long := envInt(t, cyclesEnv, 0)
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cycles := tc.cycles
			if long > 0 {
				cycles = long
			}
			rep := run(t, Config{Mode: tc.mode, Torn: tc.torn, Cycles: cycles, Seed: seed + uint64(i)})
			if rep.Problems > 0 || rep.Lost > 0 {
				t.Errorf("%d of %d cycles violated durability (%d acknowledged events lost); see the VIOLATION lines above",
					rep.Problems, len(rep.Cycles), rep.Lost)
			}
			if rep.Acked == 0 {
				t.Error("no event was acknowledged in the whole run: the cuts tested nothing")
			}
		})
	}
}

// TestPowerLossDetectsSyncOff proves the test can fail: the same booth
// writer with synchronous=OFF (acknowledged before anything is durable)
// must be caught losing acknowledged events.
func TestPowerLossDetectsSyncOff(t *testing.T) {
	requireFUSE(t)
	rep := run(t, Config{Mode: WriteBooth, SyncOff: true, Cycles: 5, Seed: 42,
		CutKinds: []string{CutAfterAcks}, MaxAcks: 200})
	if rep.Lost == 0 || rep.Problems == 0 {
		t.Fatalf("synchronous=OFF: %d acknowledged, %d lost, %d cycles flagged; the checker must report the loss",
			rep.Acked, rep.Lost, rep.Problems)
	}
	for _, c := range rep.Cycles {
		if c.Acked > 0 && c.Lost == 0 {
			t.Errorf("cycle %d: %d events acknowledged with synchronous=OFF and none lost", c.N, c.Acked)
		}
	}
}
