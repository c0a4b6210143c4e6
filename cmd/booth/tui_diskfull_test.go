package main

import (
	"context"
	"errors"
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

// mountSmallFS mounts a tmpfs of the given size on a new directory and
// unmounts it when the test ends. It skips the test, saying why, only when
// this machine does not let the test mount.
func mountSmallFS(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "small")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
	if err != nil {
		t.Skipf("cannot mount a %s tmpfs here (needs root or CAP_SYS_ADMIN): %v %s", size, err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file until the file system is full and returns its
// path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return path
			}
			t.Fatal(err)
		}
	}
}

// The booth's database on a real, small file system that fills up: card
// reads keep arriving, vehicle after vehicle. At least one crossing's first
// write really fails with the disk full; that crossing is not kept (the
// lane forgets it, the screen says NOT saved, the header DISK FULL). Once
// space returns the booth carries on. Every crossing in the store then
// starts with its crossing.opened, with port, lane and mode, and no card
// whose read failed is in any crossing.
func TestTUIDiskFullNoCrossingWithoutOpening(t *testing.T) {
	dir := mountSmallFS(t, "6m")
	h := newTUIHarness(t, dir, records.ModeVehicle)
	h.login()
	var failed, saved []string
	vehicle := func(i int) string {
		h.now = h.now.Add(10 * time.Second)
		epc := fmt.Sprintf("E2009999%016d", i)
		h.tag(epc)
		return epc
	}
	// Three vehicles before the disk fills, the last one still at the booth.
	for i := range 3 {
		saved = append(saved, vehicle(1000+i))
		if i < 2 {
			h.key("v")
		}
	}
	filler := fillDisk(t, dir)
	start := h.now
	for i := 0; i < 400 && len(failed) < 3; i++ {
		epc := vehicle(i)
		v := h.view()
		if strings.Contains(v, "NOT saved") && strings.Contains(v, "no crossing opened") {
			failed = append(failed, epc)
			if !strings.Contains(v, "DISK FULL") {
				t.Fatalf("a write failed for want of space but the header does not say DISK FULL:\n%s", v)
			}
			if strings.Contains(v, epc) {
				t.Fatalf("the vehicle whose opening failed is shown:\n%s", v)
			}
			continue
		}
		saved = append(saved, epc)
		h.key("v")
	}
	if len(failed) == 0 {
		t.Fatalf("no card read failed on a full disk after %d vehicles", len(saved))
	}
	logged := h.logBuf.String()
	if !strings.Contains(logged, `what="card read NOT saved"`) ||
		!(strings.Contains(logged, "database or disk is full") || strings.Contains(logged, "no space left")) {
		t.Fatalf("the failure logged is not a full disk:\n%s", logged)
	}
	lines := strings.Count(logged, "disk full: readings and decisions are NOT being saved")
	if max := int(h.now.Sub(start)/time.Minute) + 1; lines > max {
		t.Errorf("disk full logged %d times over %s of failures, want at most once a minute (%d)", lines, h.now.Sub(start), max)
	}

	// Space returns: the next vehicle is recorded whole.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(time.Minute)
	h.key("v") // the vehicle saved before the disk filled leaves, undecided
	mustShow(t, h.view(), "Lane idle")
	h.tag(fixtureEPCGarcia)
	h.now = h.now.Add(4 * time.Second)
	h.occupancy(false)
	h.now = h.now.Add(2 * time.Second)
	h.plate("7abc123", "us-ca", 93)
	h.key("a")
	v := h.view()
	mustShow(t, v, "✔ saved: admitted 7ABC123")
	if strings.Contains(v, "DISK FULL") {
		t.Fatalf("header still says DISK FULL after a write succeeded:\n%s", v)
	}

	n := h.checkOpenings(records.ModeVehicle)
	t.Logf("%d vehicles saved, %d card reads failed for want of space, %d crossings checked", len(saved), len(failed), n)
	for _, id := range h.crossingIDs() {
		evs, err := h.store.Events(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			for _, epc := range failed {
				if e.Kind == records.KindRFIDRead && strings.Contains(string(e.Payload), epc) {
					t.Errorf("card %s, whose read failed, is in crossing %s", epc, id)
				}
			}
		}
	}
}
