package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	for _, arg := range []string{"--version", "-version"} {
		var out, errb bytes.Buffer
		if code := run([]string{arg}, strings.NewReader(""), &out, &errb); code != 0 {
			t.Fatalf("booth %s = %d: %s", arg, code, errb.String())
		}
		line := strings.TrimSpace(out.String())
		if !strings.HasPrefix(line, "booth ") || !strings.HasSuffix(line, runtime.Version()) || strings.Contains(line, "\n") {
			t.Errorf("booth %s printed %q, want one line naming booth and %s", arg, out.String(), runtime.Version())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--version", "extra"}, strings.NewReader(""), &out, &errb); code != 2 || out.Len() != 0 {
		t.Errorf("booth --version extra = %d, %q; want a usage error", code, out.String())
	}
}
