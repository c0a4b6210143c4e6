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
			t.Fatalf("portserver %s = %d: %s", arg, code, errb.String())
		}
		line := strings.TrimSpace(out.String())
		if !strings.HasPrefix(line, "portserver ") || !strings.HasSuffix(line, runtime.Version()) {
			t.Errorf("portserver %s printed %q", arg, out.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--version", "extra"}, strings.NewReader(""), &out, &errb); code != 2 || out.Len() != 0 {
		t.Errorf("portserver --version extra = %d, %q; want a usage error", code, out.String())
	}
	// The usage lists it.
	errb.Reset()
	run([]string{"-h"}, strings.NewReader(""), &out, &errb)
	if !strings.Contains(errb.String(), "--version") {
		t.Errorf("usage does not mention --version:\n%s", errb.String())
	}
}
