package main

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The real binary, built in the repository's git work tree, names the
// commit it was built from and whether the tree had uncommitted changes.
func TestBinaryVersionNamesTheCommit(t *testing.T) {
	git := func(args ...string) (string, error) {
		out, err := exec.Command("git", args...).Output()
		return strings.TrimSpace(string(out)), err
	}
	head, err := git("rev-parse", "HEAD")
	if err != nil {
		t.Skipf("not a git work tree (%v): the toolchain stamps no revision", err)
	}
	before, _ := git("status", "--porcelain")
	// -buildvcs=true overrides a GOFLAGS=-buildvcs=false in the environment.
	bin := filepath.Join(t.TempDir(), "devsim")
	if out, err := exec.Command("go", "build", "-buildvcs=true", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	after, _ := git("status", "--porcelain")

	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("devsim --version: %v", err)
	}
	line := strings.TrimSpace(string(out))
	if !strings.HasPrefix(line, "devsim ") || !strings.HasSuffix(line, runtime.Version()) {
		t.Errorf("devsim --version = %q", line)
	}
	if !strings.Contains(line, "("+head[:12]) {
		t.Errorf("devsim --version = %q, want revision %s", line, head[:12])
	}
	// Others may edit the tree while the test builds; judge only a tree that
	// stayed as it was.
	if (before == "") == (after == "") {
		if dirty := before != ""; strings.Contains(line, "+dirty") != dirty {
			t.Errorf("devsim --version = %q, tree modified = %v", line, dirty)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--version"}, &out, &errb); code != 0 {
		t.Fatalf("devsim --version = %d: %s", code, errb.String())
	}
	if line := strings.TrimSpace(out.String()); !strings.HasPrefix(line, "devsim ") || !strings.HasSuffix(line, runtime.Version()) {
		t.Errorf("devsim --version printed %q", out.String())
	}
}
