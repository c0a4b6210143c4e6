package lazyfs

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// mounted returns a fresh file system mounted in a temp dir.
func mounted(t *testing.T, opts Options) (*FS, string) {
	t.Helper()
	dir := t.TempDir()
	f := New(opts)
	MountForTest(t, f, dir)
	return f, dir
}

// cut is a whole power cut with nothing running on the mount.
func cut(t *testing.T, f *FS, dir string) CutStats {
	t.Helper()
	f.Freeze()
	if err := f.Unmount(); err != nil {
		t.Fatal(err)
	}
	st, err := f.Reboot()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Mount(dir); err != nil {
		t.Fatal(err)
	}
	return st
}

func syncDir(t *testing.T, dir string) {
	t.Helper()
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		t.Fatalf("fsync %s: %v", dir, err)
	}
}

func writeFile(t *testing.T, path string, data []byte, sync bool) {
	t.Helper()
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if _, err := fh.WriteAt(data, 0); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := fh.Sync(); err != nil {
			t.Fatalf("fsync %s: %v", path, err)
		}
	}
}

func readFile(t *testing.T, path string) ([]byte, bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}

// TestPowerCut walks through what survives a cut, one rule per case.
func TestPowerCut(t *testing.T) {
	cases := []struct {
		name     string
		do       func(t *testing.T, dir string)
		want     map[string]string // file -> contents after the cut; "" absent
		wantLost bool
	}{
		{"unsynced create is undone", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a"), []byte("hello"), true) // file synced, directory not
		}, map[string]string{"a": ""}, true},
		{"synced file in synced directory survives", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a"), []byte("hello"), true)
			syncDir(t, dir)
		}, map[string]string{"a": "hello"}, false},
		{"directory sync alone keeps the name, not the data", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a"), []byte("hello"), false)
			syncDir(t, dir)
		}, map[string]string{"a": "-"}, true},
		{"write after fsync is lost", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "a")
			writeFile(t, p, []byte("hello"), true)
			syncDir(t, dir)
			writeFile(t, p, []byte("HELLO world"), false)
		}, map[string]string{"a": "hello"}, true},
		{"unsynced unlink is undone", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "a")
			writeFile(t, p, []byte("hello"), true)
			syncDir(t, dir)
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"a": "hello"}, true},
		{"unsynced rename is undone, synced one kept", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "a"), []byte("A"), true)
			writeFile(t, filepath.Join(dir, "b"), []byte("B"), true)
			syncDir(t, dir)
			if err := os.Rename(filepath.Join(dir, "a"), filepath.Join(dir, "c")); err != nil {
				t.Fatal(err)
			}
			syncDir(t, dir)
			if err := os.Rename(filepath.Join(dir, "b"), filepath.Join(dir, "d")); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"a": "", "c": "A", "b": "B", "d": ""}, true},
		{"truncate needs fsync", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "a")
			writeFile(t, p, []byte("hello"), true)
			syncDir(t, dir)
			if err := os.Truncate(p, 2); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"a": "hello"}, true},
		{"subdirectory needs the parent's sync", func(t *testing.T, dir string) {
			sub := filepath.Join(dir, "sub")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(sub, "x"), []byte("x"), true)
			syncDir(t, sub)
		}, map[string]string{"sub/x": ""}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, dir := mounted(t, Options{})
			tc.do(t, dir)
			st := cut(t, f, dir)
			for name, want := range tc.want {
				got, ok := readFile(t, filepath.Join(dir, name))
				switch {
				case want == "" && ok:
					t.Errorf("%s exists after the cut (%q), want gone", name, got)
				case want == "-" && (!ok || len(got) != 0):
					t.Errorf("%s = %q (exists %v), want an empty file", name, got, ok)
				case want != "" && want != "-" && string(got) != want:
					t.Errorf("%s = %q (exists %v), want %q", name, got, ok, want)
				}
			}
			if lost := st.LostBytes > 0 || st.LostEntries > 0; lost != tc.wantLost {
				t.Errorf("cut stats %+v: lost = %v, want %v", st, lost, tc.wantLost)
			}
		})
	}
}

// TestFrozenSyncBlocks: after the cut no fsync may return to the writer
// (not even an error, which SQLite ignores for a directory): it blocks
// until ReleaseSyncs, then fails, and the data is not durable.
func TestFrozenSyncBlocks(t *testing.T) {
	f, dir := mounted(t, Options{})
	p := filepath.Join(dir, "a")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := fh.Sync(); err != nil {
		t.Fatal(err)
	}
	syncDir(t, dir)
	f.Freeze()
	if _, err := fh.Write([]byte("after the cut")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- fh.Sync() }()
	select {
	case err := <-done:
		t.Fatalf("fsync after Freeze returned (%v); it must block", err)
	case <-time.After(200 * time.Millisecond):
	}
	f.ReleaseSyncs()
	if err := <-done; !errors.Is(err, syscall.EIO) {
		t.Fatalf("fsync released after Freeze = %v, want EIO", err)
	}
	if s := f.Stats(); s.RefusedSyncs != 1 {
		t.Errorf("RefusedSyncs = %d, want 1", s.RefusedSyncs)
	}
	fh.Close()
	cut(t, f, dir)
	if got, _ := readFile(t, p); len(got) != 0 {
		t.Fatalf("after the cut %q, want the empty synced file", got)
	}
}

// TestArmCut freezes at an exact operation count.
func TestArmCut(t *testing.T) {
	f, dir := mounted(t, Options{})
	fh, err := os.Create(filepath.Join(dir, "a")) // op 1 (create)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	syncDir(t, dir)       // op 2
	frozen := f.ArmCut(4) // the 4th operation from now is cut
	for i := range 2 {    // ops 3, 4 (writes)
		if _, err := fh.Write([]byte{byte('0' + i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fh.Sync(); err != nil { // op 5: the last one before the cut
		t.Fatal(err)
	}
	select {
	case <-frozen:
		t.Fatal("frozen too early")
	default:
	}
	if _, err := fh.Write([]byte("x")); err != nil { // op 6: the cut lands here
		t.Fatal(err)
	}
	<-frozen
	f.ReleaseSyncs()
	if err := fh.Sync(); err == nil {
		t.Fatal("fsync after the armed cut succeeded")
	}
	fh.Close()
	cut(t, f, dir)
	if got, _ := readFile(t, filepath.Join(dir, "a")); string(got) != "01" {
		t.Fatalf("after cut: %q, want %q", got, "01")
	}
}

// TestTornCrash checks the torn model without FUSE: every sector of a
// file after a torn cut holds either its synced bytes or the bytes of an
// unsynced write covering it, never anything else.
func TestTornCrash(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		f := &file{}
		base := bytes.Repeat([]byte{'s'}, 4096)
		f.write(0, base, true)
		f.sync()
		var writes []change
		for i := range 5 {
			off := int64(rng.IntN(6000))
			data := bytes.Repeat([]byte{byte('a' + i)}, 1+rng.IntN(2000))
			f.write(off, data, true)
			writes = append(writes, change{off: off, data: data})
		}
		f.crash(rng)
		for i, b := range f.data {
			allowed := map[byte]bool{}
			if i < len(base) {
				allowed['s'] = true
			} else {
				allowed[0] = true // a hole filled by a later sector's write
			}
			for _, w := range writes {
				if int64(i) >= w.off && int64(i) < w.off+int64(len(w.data)) {
					allowed[w.data[0]] = true
				}
			}
			if !allowed[b] {
				t.Fatalf("round %d: byte %d = %q, allowed %v", round, i, b, allowed)
			}
		}
		if len(f.pending) != 0 || !bytes.Equal(f.data, f.synced) {
			t.Fatalf("round %d: after crash current != synced or pending left", round)
		}
	}
}

// TestNotTornDropsAll: without torn mode nothing unsynced survives.
func TestNotTornDropsAll(t *testing.T) {
	f := &file{}
	f.write(0, []byte("synced"), false)
	f.sync()
	f.write(0, []byte("UNSYNCED and longer"), false)
	if lost := f.crash(nil); lost == 0 {
		t.Error("crash reported no loss")
	}
	if string(f.data) != "synced" {
		t.Fatalf("after crash %q", f.data)
	}
}
