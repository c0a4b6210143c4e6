package sqlitestore

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestOpenCreatesTheDatabasePrivate: a writer creates a missing database
// 0600 before SQLite opens it, so the database and its -wal and -shm files
// (SQLite gives them the database's mode) are 0600 even under the usual
// umask 022, at a workstation and at the port server (with its port
// pepper). An existing file's mode is left to the programs' start checks,
// and a read-only open creates nothing.
func TestOpenCreatesTheDatabasePrivate(t *testing.T) {
	// SQLite's own default would be 0644 under this umask; the test sets it
	// so it fails without the pre-created file whatever the caller's umask.
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()

	for _, tc := range []struct{ file, origin string }{
		{"booth.db", "WS-1"},
		{"portserver.db", "port-2608"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.file)
			s := openAt(t, path, Options{Origin: tc.origin, PINIterations: 1000})
			if tc.origin == "port-2608" {
				if err := s.AddPortAccount(ctx, NewOfficer{Badge: "P1", Name: "Port One", Roles: RolePrimary, PIN: []byte("480913")}); err != nil {
					t.Fatal(err)
				}
			} else if err := s.AddOfficer(ctx, "B1", "Ana Ruiz", RolePrimary, []byte("480913")); err != nil {
				t.Fatal(err)
			}
			files := []string{path, path + "-wal", path + "-shm"}
			if tc.origin == "port-2608" {
				files = append(files, PortPepperPath(path))
			} else {
				files = append(files, WorkstationPepperPath(path))
			}
			for _, f := range files {
				st, err := os.Stat(f)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if perm := st.Mode().Perm(); perm != 0o600 {
					t.Errorf("%s is mode %04o, want 0600", f, perm)
				}
			}
		})
	}

	t.Run("existing file kept", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "booth.db")
		if err := os.WriteFile(path, nil, 0o640); err != nil {
			t.Fatal(err)
		}
		openAt(t, path, Options{Origin: "WS-1"})
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o640 {
			t.Errorf("Open changed an existing file's mode: %v %v", st, err)
		}
	})

	t.Run("read-only creates nothing", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.db")
		if s, err := Open(ctx, path, Options{ReadOnly: true, Logger: quiet}); err == nil {
			s.Close()
			t.Fatal("a read-only open of a missing database succeeded")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("a read-only open created %s: %v", path, err)
		}
	})

	t.Run("missing directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "no", "such", "booth.db")
		if s, err := Open(ctx, path, Options{Origin: "WS-1", Logger: quiet}); err == nil {
			s.Close()
			t.Fatal("opened a database in a missing directory")
		}
	})
}
