package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

func runHub(stdin string, args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestHubOfficerCommands: `hub officer add|list|disable` keep LSS accounts
// in DIR/accounts.db with the PIN from stdin (refused on the command line),
// both the database and the hub pepper 0600; the store signs an LSS account
// in at an lss workstation only, and refuses it once disabled.
func TestHubOfficerCommands(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub-0")
	db := filepath.Join(dir, "accounts.db")
	code, out, errs := runHub("480913\n", "officer", "add", "--badge", "l100", "--name", "Dana Okafor", "--data", dir)
	if code != 0 || !strings.Contains(out, "LSS account L100 (Dana Okafor, lss) added") {
		t.Fatalf("add: exit %d, %q, %q", code, out, errs)
	}
	if code, _, errs := runHub("739102", "officer", "add", "--badge", "L200", "--name", "Ravi Menon", "--data", dir); code != 0 {
		t.Fatalf("second add: %d %s", code, errs)
	}
	for _, f := range []string{db, sqlitestore.PortPepperPath(db)} {
		if st, err := os.Stat(f); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", f, st, err)
		}
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data directory: %v %v, want 0700", st, err)
	}
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		errHas      string
	}{
		{"PIN as an argument", "", []string{"--badge", "B1", "--name", "X", "--data", dir, "480913"}, 2, "never from the command line"},
		{"a stray word", "480913\n", []string{"--badge", "B1", "--name", "X", "--data", dir, "extra"}, 2, `"extra"`},
		{"no --data", "480913\n", []string{"--badge", "B1", "--name", "X"}, 2, "--data DIR is required"},
		{"no name", "480913\n", []string{"--badge", "B1", "--data", dir}, 2, "--badge and --name are required"},
		{"a role flag", "480913\n", []string{"--badge", "B1", "--name", "X", "--role", "primary", "--data", dir}, 2, "-role"},
		{"weak PIN", "111111\n", []string{"--badge", "B1", "--name", "X", "--data", dir}, 1, "repeated"},
		{"no PIN", "", []string{"--badge", "B1", "--name", "X", "--data", dir}, 1, "no PIN"},
		{"bad badge", "480913\n", []string{"--badge", "B 1", "--name", "X", "--data", dir}, 1, "badge must be"},
		{"duplicate", "480914\n", []string{"--badge", "L100", "--name", "X", "--data", dir}, 1, "already registered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := runHub(tc.stdin, append([]string{"officer", "add"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errs, tc.errHas) {
				t.Errorf("exit %d, %q; want %d mentioning %q", code, errs, tc.code, tc.errHas)
			}
			if strings.Contains(out+errs, "480913") {
				t.Errorf("the PIN was echoed: %q %q", out, errs)
			}
		})
	}

	// The store's rules hold for the accounts the command made.
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := sqlitestore.Open(ctx, db, sqlitestore.Options{ReadOnly: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Authenticate(ctx, "L100", []byte("480913"), time.Now())
	if err != nil || !o.Roles.Has(records.RoleLSS) || len(o.Roles) != 1 {
		t.Fatalf("Authenticate L100: %+v, %v", o, err)
	}
	if _, err := s.Authenticate(ctx, "L100", []byte("480914"), time.Now()); !errors.Is(err, sqlitestore.ErrBadCredentials) {
		t.Errorf("wrong PIN: %v, want ErrBadCredentials", err)
	}
	for _, kind := range []records.WorkstationKind{records.WorkstationLSS, records.WorkstationPrimary, records.WorkstationSupervisor} {
		sess, err := s.SignIn(ctx, sqlitestore.SignInRequest{Badge: "L200", PIN: []byte("739102"), Kind: kind})
		switch {
		case kind == records.WorkstationLSS && (err != nil || sess.Access != records.AccessWrite):
			t.Errorf("L200 at lss: %v %v, want write", sess.Access, err)
		case kind != records.WorkstationLSS && !errors.Is(err, sqlitestore.ErrNoRole):
			t.Errorf("L200 at %s: %v, want ErrNoRole", kind, err)
		}
	}
	s.Close()

	if code, out, errs := runHub("", "officer", "disable", "--badge", "l200", "--data", dir); code != 0 || !strings.Contains(out, "L200 disabled") {
		t.Fatalf("disable: %d %q %q", code, out, errs)
	}
	if code, _, errs := runHub("", "officer", "disable", "--badge", "L999", "--data", dir); code != 1 || !strings.Contains(errs, "no officer with that badge") {
		t.Errorf("disable unknown: %d %q", code, errs)
	}
	s, err = sqlitestore.Open(ctx, db, sqlitestore.Options{ReadOnly: true, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, "L200", []byte("739102"), time.Now()); !errors.Is(err, sqlitestore.ErrDisabled) {
		t.Errorf("disabled account: %v, want ErrDisabled", err)
	}
	s.Close()

	code, out, _ = runHub("", "officer", "list", "--data", dir)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "BADGE") ||
		!strings.Contains(lines[1], "L100") || !strings.Contains(lines[1], "lss") || !strings.Contains(lines[1], "active") ||
		!strings.Contains(lines[2], "L200") || !strings.Contains(lines[2], "lss") || !strings.Contains(lines[2], "disabled") {
		t.Errorf("list: %d\n%s", code, out)
	}
	code, out, _ = runHub("", "officer", "list", "--json", "--data", dir)
	var list []sqlitestore.Officer
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 2 || list[0].Source != "hub" ||
		list[0].Disabled || !list[1].Disabled || list[1].Roles.String() != "lss" {
		t.Errorf("list --json: %d %s", code, out)
	}
	if strings.Contains(out, "pin") || strings.Contains(out, "salt") {
		t.Errorf("list --json leaks PIN material: %s", out)
	}

	if code, _, errs := runHub("", "officer", "list", "--data", t.TempDir()); code != 1 || !strings.Contains(errs, "no LSS accounts") {
		t.Errorf("list without accounts: %d %q", code, errs)
	}
	os.Chmod(sqlitestore.PortPepperPath(db), 0o640)
	if code, _, errs := runHub("", "officer", "list", "--data", dir); code != 1 || !strings.Contains(errs, "port-pepper") || !strings.Contains(errs, "0640") {
		t.Errorf("loose pepper: %d %q", code, errs)
	}
	os.Chmod(sqlitestore.PortPepperPath(db), 0o600)
	os.Chmod(db, 0o644)
	if code, _, errs := runHub("739103\n", "officer", "add", "--badge", "L300", "--name", "X", "--data", dir); code != 1 || !strings.Contains(errs, db) || !strings.Contains(errs, "0644") {
		t.Errorf("loose database: %d %q", code, errs)
	}
	for _, args := range [][]string{{"officer"}, {"officer", "remove"}, {"officer", "list"}} {
		if code, _, _ := runHub("", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
