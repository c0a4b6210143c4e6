package fileperm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   os.FileMode
		dir    bool
		refuse string // "" when accepted
	}{
		{"private", 0o600, false, ""},
		{"owner read only", 0o400, false, ""},
		{"group readable", 0o640, false, "mode 0640"},
		{"world readable", 0o644, false, "mode 0644"},
		{"world writable only", 0o602, false, "mode 0602"},
		{"group executable", 0o610, false, "mode 0610"},
		{"a directory", 0o700, true, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "x.db")
			if tc.dir {
				if err := os.Mkdir(f, tc.mode); err != nil {
					t.Fatal(err)
				}
			} else if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(f, tc.mode); err != nil {
				t.Fatal(err)
			}
			missing := filepath.Join(t.TempDir(), "missing")
			err := Check([]string{f, missing, ""}, false, "--fix-permissions", nil)
			if tc.refuse == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), f) || !strings.Contains(err.Error(), tc.refuse) {
				t.Fatalf("error %v; want it to name %s and say %q", err, f, tc.refuse)
			}
			if tc.dir {
				return
			}
			if !errors.Is(err, ErrLoose) || !strings.Contains(err.Error(), "--fix-permissions") {
				t.Errorf("error %v: want ErrLoose and the flag", err)
			}
			var notes []string
			if err := Check([]string{f, f}, true, "", func(s string) { notes = append(notes, s) }); err != nil {
				t.Fatal(err)
			}
			st, _ := os.Stat(f)
			if st.Mode().Perm() != 0o600 || len(notes) != 1 || !strings.Contains(notes[0], f) {
				t.Errorf("fix: mode %04o, notes %q", st.Mode().Perm(), notes)
			}
		})
	}
}

// TestCreatePrivate: under umask 022 the file and the directories are made
// 0600 and 0700; an existing file is kept as it is.
func TestCreatePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := MkdirPrivate(dir); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if st, err := os.Stat(d); err != nil || st.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v %v, want 0700", d, st, err)
		}
	}
	f := filepath.Join(dir, "booth.db")
	if err := CreatePrivate(f); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v %v, want 0600", f, st, err)
	}
	os.WriteFile(f, []byte("data"), 0o600)
	if err := CreatePrivate(f); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(f); string(b) != "data" {
		t.Errorf("CreatePrivate truncated an existing file: %q", b)
	}
	if err := CreatePrivate(filepath.Join(dir, "no", "x.db")); err == nil {
		t.Error("created a file in a missing directory")
	}
}
