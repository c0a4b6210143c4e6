package main

import (
	"strings"
	"testing"
)

// TestNoExportAtTheBooth: crossing data leaves the port only through
// `portserver export`; the booth has no such command and names none.
func TestNoExportAtTheBooth(t *testing.T) {
	code, out, errs := runMaint(t, "", "export", "--request", "R-1")
	if code != 2 || out != "" {
		t.Fatalf("booth export: exit %d, stdout %q; want a usage error", code, out)
	}
	if !strings.Contains(errs, "unknown command") || strings.Contains(strings.SplitN(errs, "(commands:", 2)[1], "export") {
		t.Fatalf("booth export: stderr %q; want an unknown command whose list names no export", errs)
	}
}
