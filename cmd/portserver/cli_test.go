package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runBin runs the binary and returns exit code, stdout and stderr.
func runBin(t *testing.T, dir string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

func TestCommandLineErrors(t *testing.T) {
	dir := t.TempDir()
	lost := `{"id":"LS1","document":{"type":"P","country":"UTO","number":"L898902C3"},"reported_at":"2025-01-02","reason":"lost"}`
	if err := os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte(lost+"\n{\"id\":\"LS2\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "good.jsonl"), []byte(lost+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"no command", nil, 2, "usage"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"issue without a CA", []string{"pki", "issue", "--role", "primary", "--workstation", "b1", "--dir", "nope"}, 1, "pki init"},
		{"issue without a role", []string{"pki", "issue", "--workstation", "b1"}, 2, "--role is required"},
		{"workstation role without an id", []string{"pki", "issue", "--role", "secondary"}, 2, "--workstation is required"},
		{"pki init", []string{"pki", "init", "--dir", "p"}, 0, ""},
		{"bad role", []string{"pki", "issue", "--role", "admin", "--workstation", "b1", "--dir", "p"}, 1, "want primary, secondary, supervisor or server"},
		{"bad workstation id", []string{"pki", "issue", "--role", "primary", "--workstation", "../etc", "--dir", "p"}, 1, "workstation id"},
		{"serve without server certificate", []string{"serve", "--dir", "p", "--db", "s.db", "--port", "2604"}, 1, "pki issue --role server"},
		{"new database needs a port", []string{"import", "lost-stolen", "good.jsonl", "--db", "new.db"}, 1, "--port"},
		{"import names the bad line", []string{"import", "lost-stolen", "bad.jsonl", "--db", "s.db", "--port", "2604"}, 1, "line 2"},
		{"import unknown kind", []string{"import", "visas", "good.jsonl", "--db", "s.db", "--port", "2604"}, 1, "unknown reference data kind"},
		{"import good file", []string{"import", "lost-stolen", "good.jsonl", "--db", "s.db"}, 0, ""},
		{"import same version again", []string{"import", "lost-stolen", "good.jsonl", "--db", "s.db", "--version", "1"}, 1, "not newer"},
		{"export needs a recorded request", []string{"export", "--db", "s.db"}, 2, "--request"},
		{"audit verify", []string{"audit", "verify", "--db", "s.db"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runBin(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
	_, out, _ := runBin(t, dir, "status", "--db", "s.db", "--json")
	var rep statusReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	if len(rep.Reference) != 1 || rep.Reference[0].Kind != "lost-stolen" || rep.Reference[0].Version != 1 {
		t.Fatalf("status reference = %+v", rep.Reference)
	}
}
