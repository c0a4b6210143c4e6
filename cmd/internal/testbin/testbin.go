// Package testbin builds the module's commands for tests that run them as
// real processes. Each command is built once per test binary into one
// temporary directory, however many tests ask for it; a package's TestMain
// calls Cleanup after m.Run to remove it.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// module is the import path the commands live under.
const module = "github.com/portofentry/booth/cmd/"

var (
	mu    sync.Mutex
	dir   string            // made on the first build
	built map[string]string // command -> its binary
	fails map[string]error  // command -> why its build failed
)

// Path returns the binary of the module's command name ("booth",
// "portserver", "devsim"), building it on first use. A failed build is
// remembered, so every test that needs the command reports it.
func Path(name string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	if bin, ok := built[name]; ok {
		return bin, nil
	}
	if err, ok := fails[name]; ok {
		return "", err
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "booth-testbin-")
		if err != nil {
			return "", fmt.Errorf("testbin: %w", err)
		}
		dir, built, fails = d, map[string]string{}, map[string]error{}
	}
	bin := filepath.Join(dir, name)
	if out, err := exec.Command("go", "build", "-o", bin, module+name).CombinedOutput(); err != nil {
		fails[name] = fmt.Errorf("go build %s: %v\n%s", name, err, out)
		return "", fails[name]
	}
	built[name] = bin
	return bin, nil
}

// Build is Path for a test: a failed build fails t.
func Build(t testing.TB, name string) string {
	t.Helper()
	bin, err := Path(name)
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Dir builds the named commands and returns the directory that holds them,
// to put on a shell's PATH.
func Dir(t testing.TB, names ...string) string {
	t.Helper()
	var d string
	for _, n := range names {
		d = filepath.Dir(Build(t, n))
	}
	return d
}

// Cleanup removes the built binaries; call it from TestMain after m.Run.
func Cleanup() {
	mu.Lock()
	defer mu.Unlock()
	if dir != "" {
		os.RemoveAll(dir)
		dir, built, fails = "", nil, nil
	}
}
