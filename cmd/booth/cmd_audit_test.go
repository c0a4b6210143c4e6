package main

import (
	"context"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portofentry/booth/sqlitestore"
)

func TestAuditVerifyCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "booth.db")
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, db, sqlitestore.Options{Origin: "booth-01"})
	if err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{"c1", "c2", "c3", "c4"} {
		if err := s.Audit(ctx, sqlitestore.AuditEntry{Officer: "B100", Action: sqlitestore.ActionView, Subject: subject}); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()

	code, out, errs := runMaint(t, "", "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "audit chain OK: 4 entries from 1 workstation(s)") || !strings.Contains(out, "booth-01: seq 1..4") {
		t.Fatalf("verify intact chain: exit %d, out %q, err %q", code, out, errs)
	}

	// Tamper with the file directly, as someone with access to it could.
	raw, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: db}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, q := range []string{
		`DROP TRIGGER audit_log_no_update`,
		`UPDATE audit_log SET subject = 'c9' WHERE seq = 2`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	code, out, _ = runMaint(t, "", "audit", "verify", "--db", db)
	if code != 1 || !strings.Contains(out, "BROKEN") || !strings.Contains(out, "origin booth-01 seq 2") || !strings.Contains(out, "failed check: hash") {
		t.Errorf("verify tampered chain: exit %d, out %q", code, out)
	}

	for _, args := range [][]string{{"audit"}, {"audit", "repair"}, {"audit", "verify", "extra"}} {
		if code, _, _ := runMaint(t, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestAuditVerifyCommandUsesCA: --ca must hold a certificate; without a
// checkpoint the chain is reported as not anchored.
func TestAuditVerifyCommandUsesCA(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "booth.db")
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, db, sqlitestore.Options{Origin: "booth-01"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, sqlitestore.AuditEntry{Officer: "B100", Action: sqlitestore.ActionView, Subject: "c1"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, out, errs := runMaint(t, "", "audit", "verify", "--db", db)
	if code != 0 || !strings.Contains(out, "not anchored") {
		t.Errorf("no checkpoint: exit %d, out %q, err %q", code, out, errs)
	}
	bad := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runMaint(t, "", "audit", "verify", "--db", db, "--ca", bad); code != 1 || !strings.Contains(errs, "holds no PEM certificate") {
		t.Errorf("bad CA file: exit %d, err %q", code, errs)
	}
}
