package sqlitestore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore/internal/diskfull"
)

// logLines collects the messages a logger was given.
type logLines struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logLines) Enabled(context.Context, slog.Level) bool { return true }
func (l *logLines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *logLines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logLines) WithGroup(string) slog.Handler      { return l }

func (l *logLines) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

// booth appends crossings as a booth does: the opening with the first
// observation, then a note. A crossing whose first write fails is given up
// (as the lane must), but a note is still tried on it, as the workstation
// did before the store refused it.
type booth struct {
	t       *testing.T
	s       *Store
	n       int
	pad     string
	refused int // first writes that failed with the disk full
	failed  []string
}

func (b *booth) crossing() error {
	b.t.Helper()
	b.n++
	cid := fmt.Sprintf("C%04d", b.n)
	at := t0.Add(time.Duration(b.n) * time.Minute)
	first := []records.Event{
		opening(b.t, cid, at),
		mustEvent(b.t, cid, records.RFIDRead{EPC: fmt.Sprintf("E2%022d", b.n), RSSI: -40}, at, ""),
	}
	ctx := context.Background()
	if _, err := b.s.Append(ctx, first...); err != nil {
		if !errors.Is(err, ErrDiskFull) {
			b.t.Fatalf("first write of %s: %v, want ErrDiskFull", cid, err)
		}
		if b.refused == 0 {
			b.t.Logf("first write of %s: %v", cid, err)
		}
		b.refused++
		b.failed = append(b.failed, cid)
		return err
	}
	_, err := b.s.Append(ctx, mustEvent(b.t, cid, records.Note{Text: b.pad}, at.Add(time.Second), "B1"))
	return err
}

// checkEveryCrossingOpened folds every stored crossing: each has its
// opening first, and its projection names port, lane and mode.
func checkEveryCrossingOpened(t *testing.T, s *Store) int {
	t.Helper()
	rows, err := s.read.Query(`SELECT id, port, lane, mode, opening_missing FROM crossings`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, port, lane, mode string
		var missing bool
		if err := rows.Scan(&id, &port, &lane, &mode, &missing); err != nil {
			t.Fatal(err)
		}
		c, err := s.Crossing(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Integrity.OpeningFirst() || missing || port == "" || lane == "" || mode == "" {
			t.Errorf("crossing %s: integrity %+v, projection port %q lane %q mode %q missing %v", id, c.Integrity, port, lane, mode, missing)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != rawCount(t, s.read, `SELECT count(DISTINCT crossing_id) FROM events`) {
		t.Errorf("%d projected crossings for %d crossings with events", n, rawCount(t, s.read, `SELECT count(DISTINCT crossing_id) FROM events`))
	}
	var ok string
	if err := s.read.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q, %v", ok, err)
	}
	return n
}

// TestAppendDiskFullLimit fills the database to SQLite's page limit (the
// same SQLITE_FULL a full disk gives): writes fail with ErrDiskFull, the
// failure is logged once a minute while a writer retries every second, a
// success ends it, and no crossing is left without its opening.
func TestAppendDiskFullLimit(t *testing.T) {
	lines := &logLines{}
	s := openAt(t, filepath.Join(t.TempDir(), "booth.db"), Options{Origin: "WS-TEST", Logger: slog.New(lines)})
	clock := t0
	var clockMu sync.Mutex
	now := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	s.full = diskfull.NewLog(s.log, now)
	ctx := context.Background()
	b := &booth{t: t, s: s, pad: strings.Repeat("x", 1500)}
	for range 5 {
		if err := b.crossing(); err != nil {
			t.Fatal(err)
		}
	}
	var pages int
	if err := s.write.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, pages+2)); err != nil {
		t.Fatal(err)
	}
	// A minute and a half of a booth retrying every second.
	for i := 0; i < 90 || b.refused == 0; i++ {
		if i > 2000 {
			t.Fatal("the database never filled up")
		}
		if err := b.crossing(); err != nil && !errors.Is(err, ErrDiskFull) {
			t.Fatal(err)
		}
		if b.refused > 0 {
			clockMu.Lock()
			clock = clock.Add(time.Second)
			clockMu.Unlock()
		}
	}
	if !s.DiskFull() {
		t.Error("DiskFull() = false while the database is full")
	}
	if got := lines.count("disk full"); got != 2 {
		t.Errorf("%d disk-full log lines in 90 s of failures, want 2 (once a minute)", got)
	}
	// The note a workstation used to add to the crossing it failed to open
	// is refused once space is back.
	if _, err := s.write.ExecContext(ctx, `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	_, err := s.Append(ctx, mustEvent(t, b.failed[0], records.Note{Text: "after"}, t0, "B1"))
	if !errors.Is(err, ErrNotOpened) || !strings.Contains(err.Error(), b.failed[0]) {
		t.Errorf("note on the crossing that never opened: %v, want ErrNotOpened naming %s", err, b.failed[0])
	}
	if err := b.crossing(); err != nil {
		t.Fatalf("a write after space came back: %v", err)
	}
	if s.DiskFull() || lines.count("disk space available again") != 1 {
		t.Errorf("after a successful write: DiskFull() %v, recovery lines %d", s.DiskFull(), lines.count("disk space available again"))
	}
	checkEveryCrossingOpened(t, s)
}

// TestAppendOnFullDisk fills a real (tmpfs) file system under the store:
// the first write of at least one crossing really fails with the disk full,
// the workstation's follow-up note on it is refused, and after space is
// freed every stored crossing has its opening first.
func TestAppendOnFullDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("mounts a file system")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=3m"); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	s := openAt(t, filepath.Join(dir, "booth.db"), Options{Origin: "WS-TEST"})
	b := &booth{t: t, s: s, pad: strings.Repeat("x", 3000)}
	for range 5 {
		if err := b.crossing(); err != nil {
			t.Fatal(err)
		}
	}
	filler := filepath.Join(dir, "filler")
	fillDisk(t, filler)
	ctx := context.Background()
	for i := 0; b.refused < 3; i++ {
		if i > 5000 {
			t.Fatal("no write failed on a full disk")
		}
		if err := b.crossing(); err != nil && !errors.Is(err, ErrDiskFull) {
			t.Fatalf("on a full disk: %v, want ErrDiskFull", err)
		}
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	for _, cid := range b.failed {
		_, err := s.Append(ctx, mustEvent(t, cid, records.Note{Text: "after"}, t0, "B1"))
		if !errors.Is(err, ErrNotOpened) {
			t.Errorf("note on %s, whose first write failed: %v, want ErrNotOpened", cid, err)
		}
	}
	if err := b.crossing(); err != nil {
		t.Fatalf("write after space was freed: %v", err)
	}
	t.Logf("%d crossings stored, %d first writes failed with the disk full", checkEveryCrossingOpened(t, s), b.refused)
}

// fillDisk writes path until the file system has no space left.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				if len(buf) == 1 {
					return
				}
				buf = buf[:len(buf)/2]
				continue
			}
			t.Fatal(err)
		}
	}
}
