// Package ptytest plugs fake serial devices into tests: a real
// pseudo-terminal whose slave side the driver opens through tarm/serial and
// whose master side the test writes wire bytes to. The device is reached
// through a symlink, like /dev/serial/by-id, so unplug and replug can move it.
package ptytest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/portofentry/booth/hardware"
)

// Device is a pseudo-terminal behind a symlink.
type Device struct {
	// Link is the path the driver is configured with.
	Link string

	mu            sync.Mutex
	master, slave *os.File
}

// Plug creates a pty and points a new symlink named name in a temporary
// directory at its slave side. Cleanup unplugs it.
func Plug(t testing.TB, name string) *Device {
	t.Helper()
	d := &Device{Link: filepath.Join(t.TempDir(), name)}
	if err := d.plug(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Unplug)
	return d
}

// Absent returns a device whose link does not exist yet; call Replug to plug
// it in.
func Absent(t testing.TB, name string) *Device {
	t.Helper()
	d := &Device{Link: filepath.Join(t.TempDir(), name)}
	t.Cleanup(d.Unplug)
	return d
}

func (d *Device) plug() error {
	master, slave, err := pty.Open()
	if err != nil {
		return fmt.Errorf("open pty: %w", err)
	}
	// Re-point the link atomically, as udev does.
	tmp := d.Link + ".new"
	_ = os.Remove(tmp)
	if err := os.Symlink(slave.Name(), tmp); err != nil {
		master.Close()
		slave.Close()
		return fmt.Errorf("symlink: %w", err)
	}
	if err := os.Rename(tmp, d.Link); err != nil {
		master.Close()
		slave.Close()
		return fmt.Errorf("rename symlink: %w", err)
	}
	d.mu.Lock()
	d.master, d.slave = master, slave
	d.mu.Unlock()
	return nil
}

// Replug plugs a new pty in and points the symlink at it.
func (d *Device) Replug(t testing.TB) {
	t.Helper()
	d.Unplug()
	if err := d.plug(); err != nil {
		t.Fatal(err)
	}
}

// Unplug closes the pty: the driver's reads see a hung-up tty and the slave
// node disappears. The symlink is removed, as udev removes a by-id link; a
// dangling link could otherwise come to name another test's pty when the
// kernel reuses the pts number.
func (d *Device) Unplug() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.master != nil {
		_ = os.Remove(d.Link)
		d.master.Close()
		d.slave.Close()
		d.master, d.slave = nil, nil
	}
}

// SlavePath is the pty node the link points to now.
func (d *Device) SlavePath() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.slave == nil {
		return ""
	}
	return d.slave.Name()
}

// Write sends wire bytes as the device would.
func (d *Device) Write(t testing.TB, p []byte) {
	t.Helper()
	d.mu.Lock()
	m := d.master
	d.mu.Unlock()
	if m == nil {
		t.Fatal("write to an unplugged device")
	}
	if _, err := m.Write(p); err != nil {
		t.Fatalf("write to pty: %v", err)
	}
}

// Master returns the master side for writers that need the file itself
// (benchmarks).
func (d *Device) Master() *os.File {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.master
}

// WaitFor reads events until one matches, failing the test after timeout.
// Events that do not match are returned too, in order, for assertions.
func WaitFor(t testing.TB, ch <-chan hardware.Event, timeout time.Duration, match func(hardware.Event) bool) (hardware.Event, []hardware.Event) {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var skipped []hardware.Event
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatalf("event stream closed; skipped %s", Describe(skipped))
			}
			if match(ev) {
				return ev, skipped
			}
			skipped = append(skipped, ev)
		case <-deadline.C:
			t.Fatalf("no matching event within %v; got %s", timeout, Describe(skipped))
		}
	}
}

// Collect reads events until the stream is quiet for quiet.
func Collect(ch <-chan hardware.Event, quiet time.Duration) []hardware.Event {
	var evs []hardware.Event
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				return evs
			}
			evs = append(evs, ev)
		case <-time.After(quiet):
			return evs
		}
	}
}

// Kind matches events of one kind.
func Kind(k hardware.EventKind) func(hardware.Event) bool {
	return func(ev hardware.Event) bool { return ev.Kind == k }
}

// State matches status events of one state.
func State(s string) func(hardware.Event) bool {
	return func(ev hardware.Event) bool {
		return ev.Kind == hardware.KindStatus && ev.Status != nil && ev.Status.State == s
	}
}

// Describe renders events for failure messages.
func Describe(evs []hardware.Event) string {
	s := "["
	for i, ev := range evs {
		if i > 0 {
			s += ", "
		}
		b, err := ev.MarshalJSON()
		if err != nil {
			s += fmt.Sprintf("%s/%s(%v)", ev.Device, ev.Kind, err)
			continue
		}
		s += string(b)
	}
	return s + "]"
}

// ReportLatency reports the median and 99th percentile of samples as the
// benchmark metrics p50-ns and p99-ns.
func ReportLatency(b *testing.B, samples []time.Duration) {
	if len(samples) == 0 {
		return
	}
	s := append([]time.Duration(nil), samples...)
	slices.Sort(s)
	pct := func(p float64) float64 { return float64(s[min(int(p*float64(len(s))), len(s)-1)].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
}
