package main

import (
	"os"
	"testing"

	"github.com/portofentry/booth/cmd/internal/testbin"
)

// TestMain removes the binaries the end-to-end tests built (testbin builds
// each command once per test binary).
func TestMain(m *testing.M) {
	code := m.Run()
	testbin.Cleanup()
	os.Exit(code)
}
