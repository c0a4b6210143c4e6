package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portofentry/booth/sqlitestore"
)

func runPS(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestOfficerCommands: `portserver officer add|list|disable` with the PIN on
// stdin; the database and the port pepper are private; the PIN is refused on
// the command line; list shows no PIN material.
func TestOfficerCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "portserver.db")
	code, out, errs := runPS("480913\n", "officer", "add", "--badge", "p100", "--name", "Ana Ruiz", "--role", "secondary,primary", "--db", db, "--port", "2608")
	if code != 0 || !strings.Contains(out, "port account P100 (Ana Ruiz, primary,secondary) added") {
		t.Fatalf("add: exit %d, %q, %q", code, out, errs)
	}
	if code, _, errs := runPS("739102", "officer", "add", "--badge", "S1", "--name", "Sam Lee", "--role", "supervisor", "--db", db); code != 0 {
		t.Fatalf("second add: %d %s", code, errs)
	}
	for _, f := range []string{db, sqlitestore.PortPepperPath(db)} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", f, st, err)
		}
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		errHas      string
	}{
		{"PIN as an argument", "", []string{"--badge", "B1", "--name", "X", "--role", "primary", "--db", db, "480913"}, 2, "never from the command line"},
		{"bad role", "480913\n", []string{"--badge", "B1", "--name", "X", "--role", "admin", "--db", db}, 2, "admin"},
		{"LSS role (a hub account)", "480913\n", []string{"--badge", "B1", "--name", "X", "--role", "lss", "--db", db}, 2, "hub officer add"},
		{"weak PIN", "111111\n", []string{"--badge", "B1", "--name", "X", "--role", "primary", "--db", db}, 1, "repeated"},
		{"no PIN", "", []string{"--badge", "B1", "--name", "X", "--role", "primary", "--db", db}, 1, "no PIN"},
		{"duplicate", "480914\n", []string{"--badge", "P100", "--name", "X", "--role", "primary", "--db", db}, 1, "already registered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runPS(tc.stdin, append([]string{"officer", "add"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.errHas) {
				t.Errorf("exit %d, %q; want %d mentioning %q", code, errs, tc.code, tc.errHas)
			}
		})
	}
	if code, out, errs := runPS("", "officer", "disable", "--badge", "s1", "--db", db); code != 0 || !strings.Contains(out, "S1 disabled") {
		t.Fatalf("disable: %d %q %q", code, out, errs)
	}
	code, out, _ = runPS("", "officer", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "P100") || !strings.Contains(out, "primary,secondary") || !strings.Contains(out, "disabled") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, _ = runPS("", "officer", "list", "--json", "--db", db)
	var list []sqlitestore.Officer
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 || list[0].Source != sqlitestore.SourcePort || !list[1].Disabled {
		t.Errorf("list --json: %d %s", code, out)
	}
	if strings.Contains(out, "pin") || strings.Contains(out, "salt") {
		t.Errorf("list --json leaks PIN material: %s", out)
	}
	os.Chmod(db, 0o644)
	if code, _, errs := runPS("", "officer", "list", "--db", db); code != 1 || !strings.Contains(errs, db) || !strings.Contains(errs, "0644") {
		t.Errorf("loose database: %d %q", code, errs)
	}
	if code, _, _ := runPS("", "officer"); code != 2 {
		t.Errorf("officer without an action: exit %d", code)
	}
}
