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

// runCmd runs `booth args...` with stdin and returns the exit code and output.
func runMaint(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestOfficerCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "booth.db")

	code, out, errs := runMaint(t, "480913\n", "officer", "add", "--badge", "b100", "--name", "Ana Ruiz", "--role", "primary", "--db", db)
	if code != 0 || !strings.Contains(out, "officer B100 (Ana Ruiz, primary) added") {
		t.Fatalf("add: exit %d, out %q, err %q", code, out, errs)
	}
	if code, _, errs := runMaint(t, "739102", "officer", "add", "--badge", "S7", "--name", "Sam Lee", "--role", "supervisor", "--db", db); code != 0 {
		t.Fatalf("add without trailing newline: exit %d, %s", code, errs)
	}

	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		errHas      string
	}{
		{"PIN on the command line", "", []string{"--badge", "B1", "--name", "X", "--role", "primary", "--db", db, "480913"}, 2, "never from the command line"},
		{"missing role", "480913\n", []string{"--badge", "B1", "--name", "X", "--db", db}, 2, "required"},
		{"weak PIN", "123456\n", []string{"--badge", "B1", "--name", "X", "--role", "primary", "--db", db}, 1, "consecutive"},
		{"no PIN", "", []string{"--badge", "B1", "--name", "X", "--role", "primary", "--db", db}, 1, "no PIN"},
		{"endless stdin", strings.Repeat("4", 100), []string{"--badge", "B1", "--name", "X", "--role", "primary", "--db", db}, 1, "longer than"},
		{"duplicate badge", "480914\n", []string{"--badge", "B100", "--name", "X", "--role", "primary", "--db", db}, 1, "already registered"},
		{"bad role", "480913\n", []string{"--badge", "B1", "--name", "X", "--role", "admin", "--db", db}, 2, "role"},
		{"bad role in a set", "480913\n", []string{"--badge", "B1", "--name", "X", "--role", "primary,boss", "--db", db}, 2, "boss"},
		{"LSS role (a hub account)", "480913\n", []string{"--badge", "B1", "--name", "X", "--role", "lss", "--db", db}, 2, "hub officer add"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := runMaint(t, tc.stdin, append([]string{"officer", "add"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.errHas) {
				t.Errorf("exit %d stderr %q; want exit %d mentioning %q", code, errs, tc.code, tc.errHas)
			}
		})
	}

	code, out, errs = runMaint(t, "552901\n", "officer", "add", "--badge", "BG1", "--name", "Glass", "--role", "secondary,primary", "--break-glass", "--db", db)
	if code != 0 || !strings.Contains(out, "break-glass officer BG1 (Glass, primary,secondary) added") {
		t.Fatalf("add break-glass: exit %d, out %q, err %q", code, out, errs)
	}
	// The database and the workstation pepper were made private.
	for _, f := range []string{db, sqlitestore.WorkstationPepperPath(db)} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", f, st, err)
		}
	}

	code, out, errs = runMaint(t, "", "officer", "disable", "--badge", "s7", "--db", db)
	if code != 0 || !strings.Contains(out, "officer S7 disabled") {
		t.Fatalf("disable: exit %d, out %q, err %q", code, out, errs)
	}
	if code, _, errs := runMaint(t, "", "officer", "disable", "--badge", "NOPE", "--db", db); code != 1 || !strings.Contains(errs, "no officer") {
		t.Errorf("disable unknown: exit %d, %q", code, errs)
	}

	code, out, _ = runMaint(t, "", "officer", "list", "--db", db)
	if code != 0 {
		t.Fatalf("list: exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "BADGE") || !strings.Contains(lines[1], "B100") ||
		!strings.Contains(lines[1], "active") || !strings.Contains(lines[3], "disabled") || !strings.Contains(lines[1], "never") ||
		!strings.Contains(lines[2], "primary,secondary") || !strings.Contains(lines[2], "local (break-glass)") {
		t.Errorf("list output:\n%s", out)
	}

	code, out, _ = runMaint(t, "", "officer", "list", "--json", "--db", db)
	var list []sqlitestore.Officer
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 3 || list[0].Badge != "B100" || !list[2].Disabled ||
		!list[1].BreakGlass || list[1].Roles.String() != "primary,secondary" || list[0].Source != sqlitestore.SourceLocal {
		t.Errorf("list --json: exit %d, %s", code, out)
	}
	if strings.Contains(out, "pin") || strings.Contains(out, "salt") {
		t.Errorf("list --json leaks PIN material: %s", out)
	}

	// Every change was audited, and the chain verifies.
	code, out, _ = runMaint(t, "", "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "audit chain OK: 4 entries") {
		t.Errorf("audit verify: exit %d, %s", code, out)
	}
}

func TestOfficerUsage(t *testing.T) {
	for _, args := range [][]string{{"officer"}, {"officer", "promote"}, {"officer", "list", "--bogus"}} {
		if code, _, errs := runMaint(t, "", args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want usage error", args, code, errs)
		}
	}
	if code, _, errs := runMaint(t, "", "officer", "list", "--db", filepath.Join(t.TempDir(), "missing.db")); code != 1 || !strings.Contains(errs, "missing.db") {
		t.Errorf("list of a missing database: exit %d, %q", code, errs)
	}
}
