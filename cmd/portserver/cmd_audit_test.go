package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/sqlitestore"
)

// TestAuditVerifyAgainstBoothFile runs `portserver audit verify
// --workstation ID --against FILE` on real files: a booth database holding
// the server's copy passes; the same file with its tail cut, or rewritten
// with every hash recomputed, fails naming the first differing entry.
func TestAuditVerifyAgainstBoothFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	boothDB, serverDB := filepath.Join(dir, "booth.db"), filepath.Join(dir, "s.db")
	booth, err := sqlitestore.Open(ctx, boothDB, sqlitestore.Options{Origin: "booth-7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, subj := range []string{"c1", "c2", "c3", "c4", "c5"} {
		if err := booth.Audit(ctx, sqlitestore.AuditEntry{Officer: "B100", Action: sqlitestore.ActionView, Subject: subj}); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := booth.AuditOutbox(ctx, 0, 4)
	if err != nil {
		t.Fatal(err)
	}
	booth.Close()
	server, err := sqlitestore.Open(ctx, serverDB, sqlitestore.Options{Origin: "port-2604"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.IngestAudit(ctx, "booth-7", entries); err != nil {
		t.Fatal(err)
	}
	server.Close()

	verify := func() (int, string, string) {
		return runBin(t, dir, "audit", "verify", "--db", serverDB, "--workstation", "booth-7", "--against", boothDB)
	}
	if code, out, errs := verify(); code != 0 || !strings.Contains(out, "holds the server's copy 1..4 unchanged, then 1 entries not uploaded yet") {
		t.Fatalf("intact: exit %d, out %q, err %q", code, out, errs)
	}
	raw, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: boothDB}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	exec := func(q string) {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`DROP TRIGGER audit_log_no_update`)
	exec(`DROP TRIGGER audit_log_no_delete`)
	// Edit entry 2 and recompute every hash after it: the file's chain
	// verifies on its own, but no longer holds the server's entries.
	exec(`UPDATE audit_log SET subject = 'c9' WHERE seq = 2`)
	recompute(t, raw)
	ro, err := sqlitestore.Open(ctx, boothDB, sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := ro.VerifyAudit(ctx); err != nil || !rep.OK {
		t.Fatalf("the recomputed chain should verify on its own: %+v, %v", rep, err)
	}
	ro.Close()
	if code, out, _ := verify(); code != 1 || !strings.Contains(out, "MISMATCH") || !strings.Contains(out, "seq 2") || !strings.Contains(out, "failed check: differs") {
		t.Errorf("recomputed chain: exit %d, out %q", code, out)
	}
	exec(`DELETE FROM audit_log WHERE seq >= 2`)
	if code, out, _ := verify(); code != 1 || !strings.Contains(out, "failed check: missing") || !strings.Contains(out, "ends at seq 1") {
		t.Errorf("cut tail: exit %d, out %q", code, out)
	}
	if code, _, errs := runBin(t, dir, "audit", "verify", "--db", serverDB, "--against", boothDB); code != 2 || !strings.Contains(errs, "go together") {
		t.Errorf("--against without --workstation: exit %d, %q", code, errs)
	}
}

// recompute re-hashes booth-7's chain in the raw file from the canonical
// form docs/security.md publishes, as an attacker with the file could.
func recompute(t *testing.T, db *sql.DB) {
	t.Helper()
	type row struct {
		id, origin, officer, action, subject, detail string
		seq, at                                      int64
	}
	rows, err := db.Query(`SELECT id, origin, seq, at, officer, action, subject, detail FROM audit_log WHERE origin = 'booth-7' ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	var all []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.origin, &r.seq, &r.at, &r.officer, &r.action, &r.subject, &r.detail); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	prev := make([]byte, sha256.Size)
	for _, r := range all {
		q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
		canon := "[" + strings.Join([]string{q("booth-audit/1"), q(r.id), q(r.origin), strconv.FormatInt(r.seq, 10),
			q(time.Unix(0, r.at).UTC().Format(time.RFC3339Nano)), q(r.officer), q(r.action), q(r.subject), r.detail}, ",") + "]"
		h := sha256.Sum256(append(append([]byte(nil), prev...), canon...))
		if _, err := db.Exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, prev, h[:], r.id); err != nil {
			t.Fatal(err)
		}
		prev = h[:]
	}
}
