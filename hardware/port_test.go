package hardware_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/docreader"
	"github.com/portofentry/booth/hardware/internal/ptytest"
	"github.com/portofentry/booth/hardware/rfid"
)

const (
	td3a = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\r\n"
	td3b = "L898902C36UTO7408122F1204159ZE184226B<<<<<10\r\n"
	epc  = "E2003411B802011516121234"
	// wait is a generous deadline for behaviour assertions.
	wait = 5 * time.Second
)

// startManager runs a manager over the given devices until the test ends.
func startManager(t *testing.T, buffer int, add func(m *hardware.Manager)) *hardware.Manager {
	t.Helper()
	m := hardware.NewManager(hardware.ManagerOptions{Buffer: buffer})
	add(m)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(wait):
			t.Error("manager did not stop after cancel")
		}
	})
	return m
}

func docConfig(path string) hardware.PortConfig {
	return hardware.DefaultPortConfig(hardware.DeviceDoc, path)
}

func TestReadUnplugReplug(t *testing.T) {
	dev := ptytest.Plug(t, "usb-doc-reader")
	m := startManager(t, 0, func(m *hardware.Manager) {
		if err := m.Add(hardware.DeviceDoc, docConfig(dev.Link), docreader.NewDecoder(docreader.Options{})); err != nil {
			t.Fatal(err)
		}
	})
	ev, _ := ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	if ev.Device != hardware.DeviceDoc || !strings.Contains(ev.Status.Detail, dev.SlavePath()) {
		t.Errorf("connected event = %+v %+v", ev, ev.Status)
	}

	dev.Write(t, []byte(td3a+td3b))
	ev, skipped := ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindDocument))
	if len(skipped) != 0 || ev.Document.MRZ.DocumentNumber != "L898902C3" {
		t.Errorf("document = %+v, skipped %s", ev.Document.MRZ, ptytest.Describe(skipped))
	}

	// Unplug: the stream says so, with a reason.
	dev.Unplug()
	ev, _ = ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateDisconnected))
	if ev.Status.Detail == "" {
		t.Error("disconnected without detail")
	}
	if h, _ := m.Health(hardware.DeviceDoc); h.State != hardware.HealthDisconnected {
		t.Errorf("health after unplug = %s", h.State)
	}

	// Stay unplugged long enough for the backoff to reach its cap.
	time.Sleep(1500 * time.Millisecond)
	dev.Replug(t)
	replugged := time.Now()
	ev, _ = ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	if took := time.Since(replugged); took > 2*time.Second {
		t.Errorf("reconnected %v after replug, budget 2s", took)
	}
	if !strings.Contains(ev.Status.Detail, dev.SlavePath()) {
		t.Errorf("reconnected to %q, want the new node %s", ev.Status.Detail, dev.SlavePath())
	}

	dev.Write(t, []byte(td3a+td3b))
	ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindDocument))
	h, _ := m.Health(hardware.DeviceDoc)
	if h.State != hardware.HealthConnected || h.Reconnects != 1 || h.Frames != 2 || h.OpenPath != dev.SlavePath() {
		t.Errorf("health = %+v", h)
	}
}

func TestMissingPortAtStart(t *testing.T) {
	dev := ptytest.Absent(t, "usb-rfid")
	m := startManager(t, 0, func(m *hardware.Manager) {
		if err := m.Add(hardware.DeviceRFID, hardware.DefaultPortConfig(hardware.DeviceRFID, dev.Link), rfid.NewDecoder(rfid.Options{})); err != nil {
			t.Fatal(err)
		}
	})
	ev, _ := ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindStatus))
	if ev.Status.State != hardware.StateDisconnected || !strings.Contains(ev.Status.Detail, "no such file") {
		t.Errorf("first status = %+v", ev.Status)
	}
	// Retrying a missing port is quiet: no status flood.
	if evs := ptytest.Collect(m.Events(), 500*time.Millisecond); len(evs) != 0 {
		t.Errorf("events while missing: %s", ptytest.Describe(evs))
	}
	h, _ := m.Health(hardware.DeviceRFID)
	if h.State != hardware.HealthDisconnected || h.LastError == "" {
		t.Errorf("health = %+v", h)
	}

	dev.Replug(t)
	plugged := time.Now()
	ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	if took := time.Since(plugged); took > 2*time.Second {
		t.Errorf("connected %v after plug-in, budget 2s", took)
	}
	dev.Write(t, []byte(epc+",1,-52\r\n"))
	ev, _ = ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindTag))
	if ev.Tag.EPC != epc || ev.Device != hardware.DeviceRFID {
		t.Errorf("tag = %+v", ev.Tag)
	}
	if h, _ := m.Health(hardware.DeviceRFID); h.Reconnects != 0 {
		t.Errorf("first connection counted as a reconnect: %+v", h)
	}
}

// A by-id symlink re-pointed at a new node while the old one still exists
// (the device came back under another name) is followed.
func TestSymlinkRepointed(t *testing.T) {
	dev := ptytest.Plug(t, "usb-rfid")
	m := startManager(t, 0, func(m *hardware.Manager) {
		if err := m.Add(hardware.DeviceRFID, hardware.DefaultPortConfig(hardware.DeviceRFID, dev.Link), rfid.NewDecoder(rfid.Options{})); err != nil {
			t.Fatal(err)
		}
	})
	ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	other := ptytest.Plug(t, "other")
	// Point dev's link at the other pty; dev's pty stays open.
	if err := repoint(dev.Link, other.SlavePath()); err != nil {
		t.Fatal(err)
	}
	ev, _ := ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateDisconnected))
	if !strings.Contains(ev.Status.Detail, "now points to") {
		t.Errorf("detail = %q", ev.Status.Detail)
	}
	ev, _ = ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	if !strings.Contains(ev.Status.Detail, other.SlavePath()) {
		t.Errorf("reconnected to %q, want %s", ev.Status.Detail, other.SlavePath())
	}
	other.Write(t, []byte(epc+",1,-52\r\n"))
	ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindTag))
}

func TestHealthFaulty(t *testing.T) {
	dev := ptytest.Plug(t, "usb-rfid")
	m := startManager(t, 0, func(m *hardware.Manager) {
		cfg := hardware.DefaultPortConfig(hardware.DeviceRFID, dev.Link)
		cfg.FaultyAfter = 3
		if err := m.Add(hardware.DeviceRFID, cfg, rfid.NewDecoder(rfid.Options{})); err != nil {
			t.Fatal(err)
		}
	})
	ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	health := func() hardware.Health { h, _ := m.Health(hardware.DeviceRFID); return h }

	for i := range 3 {
		dev.Write(t, []byte(fmt.Sprintf("garbage %d\r\n", i)))
		ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindError))
		want := hardware.HealthConnected
		if i == 2 {
			want = hardware.HealthFaulty
		}
		if h := health(); h.State != want || h.ConsecutiveErrors != i+1 {
			t.Fatalf("after %d bad lines: %+v", i+1, h)
		}
	}
	// A heartbeat is a good frame: the reader is talking sense again.
	dev.Write(t, []byte("(No Tags)\r\n"))
	deadline := time.Now().Add(wait)
	for health().State != hardware.HealthConnected && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	h := health()
	if h.State != hardware.HealthConnected || h.Frames != 1 || h.Errors != 3 || h.LastFrame.IsZero() || !strings.Contains(h.LastError, "EPC") {
		t.Errorf("after heartbeat: %+v", h)
	}
}

// A consumer that stops reading pauses the device; nothing is dropped.
func TestSlowConsumerLosesNothing(t *testing.T) {
	dev := ptytest.Plug(t, "usb-rfid")
	m := startManager(t, 1, func(m *hardware.Manager) {
		if err := m.Add(hardware.DeviceRFID, hardware.DefaultPortConfig(hardware.DeviceRFID, dev.Link), rfid.NewDecoder(rfid.Options{})); err != nil {
			t.Fatal(err)
		}
	})
	ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	const n = 200
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "E2003411B8020115%08X,1,-50\r\n", i)
	}
	go dev.Write(t, []byte(b.String()))
	time.Sleep(300 * time.Millisecond) // nobody reads meanwhile
	seen := map[string]bool{}
	for len(seen) < n {
		ev, _ := ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindTag))
		seen[ev.Tag.EPC] = true
	}
}

func TestManagerStopsOnCancel(t *testing.T) {
	dev := ptytest.Plug(t, "usb-doc")
	m := hardware.NewManager(hardware.ManagerOptions{})
	if err := m.Add(hardware.DeviceDoc, docConfig(dev.Link), docreader.NewDecoder(docreader.Options{})); err != nil {
		t.Fatal(err)
	}
	if err := m.Add(hardware.DeviceDoc, docConfig(dev.Link), docreader.NewDecoder(docreader.Options{})); err == nil {
		t.Error("adding a device twice succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after cancel")
	}
	for range m.Events() {
	}
	if err := m.Run(context.Background()); err == nil {
		t.Error("second Run succeeded")
	}
	if err := m.Add(hardware.DeviceRFID, docConfig(dev.Link), rfid.NewDecoder(rfid.Options{})); err == nil {
		t.Error("Add after Run succeeded")
	}
}

// A consumer that is gone must not keep a port goroutine blocked forever.
func TestCancelWhileBlockedOnSend(t *testing.T) {
	dev := ptytest.Plug(t, "usb-rfid")
	port, err := hardware.NewPort(hardware.DeviceRFID, hardware.DefaultPortConfig(hardware.DeviceRFID, dev.Link), rfid.NewDecoder(rfid.Options{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan hardware.Event) // never read after the first event
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- port.Run(ctx, out) }()
	<-out // connected
	dev.Write(t, []byte(epc+",1,-52\r\n"))
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Run = %v, want context.Canceled", err)
		}
	case <-time.After(wait):
		t.Fatal("Run blocked on send after cancel")
	}
}

func TestManagerWithoutDevices(t *testing.T) {
	m := hardware.NewManager(hardware.ManagerOptions{})
	if err := m.Run(context.Background()); err == nil {
		t.Error("Run with no devices succeeded")
	}
	if _, ok := <-m.Events(); ok {
		t.Error("events open after Run returned")
	}
	if _, ok := m.Health(hardware.DeviceDoc); ok {
		t.Error("health of an unknown device")
	}
}

// repoint atomically moves a symlink to target.
func repoint(link, target string) error {
	tmp := link + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, link)
}

// Bytes the device sent before the booth opened the port belong to a vehicle
// long gone: they are discarded, and what follows is read normally.
func TestStaleInputDiscardedOnOpen(t *testing.T) {
	dev := ptytest.Plug(t, "usb-rfid")
	dev.Write(t, []byte("E2003411B802011516129999,1,-52\r\n"))
	m := startManager(t, 0, func(m *hardware.Manager) {
		if err := m.Add(hardware.DeviceRFID, hardware.DefaultPortConfig(hardware.DeviceRFID, dev.Link), rfid.NewDecoder(rfid.Options{})); err != nil {
			t.Fatal(err)
		}
	})
	ptytest.WaitFor(t, m.Events(), wait, ptytest.State(hardware.StateConnected))
	dev.Write(t, []byte(epc+",1,-52\r\n"))
	ev, skipped := ptytest.WaitFor(t, m.Events(), wait, ptytest.Kind(hardware.KindTag))
	if ev.Tag.EPC != epc {
		t.Errorf("first tag after open = %s (stale input not discarded); skipped %s", ev.Tag.EPC, ptytest.Describe(skipped))
	}
}
