package powerloss

import (
	"os"
	"testing"
)

// TestMain hands the child processes of the power-loss runs (this binary
// re-executed with ChildEnv set) to RunChild.
func TestMain(m *testing.M) {
	if code, ok := RunChild(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
