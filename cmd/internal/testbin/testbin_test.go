package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildOnceAndCleanup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := Build(t, "devsim")
	st, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	if again := Build(t, "devsim"); again != bin {
		t.Errorf("second Build = %s, want the same %s", again, bin)
	}
	if st2, err := os.Stat(bin); err != nil || !st2.ModTime().Equal(st.ModTime()) {
		t.Errorf("second Build rebuilt the binary (%v)", err)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "devsim ") {
		t.Errorf("%s --version = %q, %v", bin, out, err)
	}
	if d := Dir(t, "devsim"); d != filepath.Dir(bin) {
		t.Errorf("Dir = %s, want %s", d, filepath.Dir(bin))
	}
	Cleanup()
	if _, err := os.Stat(bin); !os.IsNotExist(err) {
		t.Errorf("after Cleanup %s: %v", bin, err)
	}
}

func TestBuildFailureIsReported(t *testing.T) {
	defer Cleanup()
	for range 2 {
		if _, err := Path("no-such-command"); err == nil || !strings.Contains(err.Error(), "go build no-such-command") {
			t.Errorf("Path(no-such-command) = %v", err)
		}
	}
}
