package simulator

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware"
)

// Unplug makes an open reader fail and the path vanish; replug gives a new
// pty behind the same link, which then carries data.
func TestUnplugReplugBehindLink(t *testing.T) {
	dir := t.TempDir()
	s := startSim(t, Options{Quiet: true, LinkDir: dir})
	link := filepath.Join(dir, "rfid")
	if s.Paths().RFID != link {
		t.Fatalf("Paths().RFID = %q, want the link %q", s.Paths().RFID, link)
	}
	old := s.PTYPaths().RFID
	if target, err := os.Readlink(link); err != nil || target != old {
		t.Fatalf("link -> %q (%v), want %q", target, err, old)
	}
	p := openSerial(t, link)

	if err := s.Unplug(hardware.DeviceRFID); err != nil {
		t.Fatal(err)
	}
	// The reader sees the hang-up: reads return end-of-file at once with no
	// data, and writes fail (EIO), which is how a driver tells it from a
	// read timeout.
	n, err := p.Read(make([]byte, 16))
	if n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("read after unplug = %d, %v; want 0, EOF", n, err)
	}
	if _, err := p.Write(nil); err == nil {
		t.Error("write after unplug succeeded, want EIO")
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old pty %s still exists: %v", old, err)
	}
	if s.PTYPaths().RFID != "" {
		t.Errorf("unplugged device has path %q", s.PTYPaths().RFID)
	}
	if err := s.Unplug(hardware.DeviceRFID); !errors.Is(err, ErrUnplugged) {
		t.Errorf("second unplug = %v, want ErrUnplugged", err)
	}
	// Writes while unplugged are lost, not errors.
	play(t, s, Step{RFID: &RFIDStep{Tags: []TagRead{goodTag}}})

	if err := s.Replug(hardware.DeviceRFID); err != nil {
		t.Fatal(err)
	}
	now := s.PTYPaths().RFID
	if target, err := os.Readlink(link); err != nil || target != now || now == "" {
		t.Fatalf("after replug link -> %q (%v), pty %q", target, err, now)
	}
	p2 := openSerial(t, link)
	play(t, s, Step{RFID: &RFIDStep{Tags: []TagRead{goodTag}}})
	if got := readAll(t, p2, 100, quiet); string(got) != string(RFIDCSVLine(goodTag)) {
		t.Errorf("after replug read %q", got)
	}
}

// The unplug fault unplugs and, after its duration, replugs.
func TestUnplugFault(t *testing.T) {
	s := startSim(t, Options{Quiet: true})
	before := s.PTYPaths().LPR
	play(t, s, Step{Fault: &FaultStep{Kind: FaultUnplug, Device: "lpr", Duration: Duration(time.Second)}})
	after := s.PTYPaths().LPR
	if after == "" {
		t.Fatal("lpr not replugged")
	}
	if _, err := os.Stat(after); err != nil {
		t.Errorf("new path: %v", err)
	}
	t.Logf("lpr %s -> %s", before, after)
}

func TestCloseRemovesLinksAndStopsOnCancel(t *testing.T) {
	dir := t.TempDir()
	s := startSim(t, Options{Quiet: true, LinkDir: dir})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, d := range allDevices {
		if _, err := os.Lstat(filepath.Join(dir, string(d))); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("link %s left behind: %v", d, err)
		}
	}
}
