package sqlitestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawDB opens the store's file on a plain connection, outside the store: how
// an attacker with file access would tamper with it.
func rawDB(t *testing.T, s *Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: s.Path(), RawQuery: "_pragma=busy_timeout(5000)"}).String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func writeAuditEntries(t *testing.T, s *Store, n int) {
	t.Helper()
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		err := s.Audit(context.Background(), AuditEntry{At: at.Add(time.Duration(i) * time.Second), Officer: "B100",
			Action: ActionView, Subject: fmt.Sprintf("crossing-%d", i), Detail: json.RawMessage(fmt.Sprintf(`{"screen":"primary","n":%d}`, i))})
		if err != nil {
			t.Fatalf("Audit %d: %v", i, err)
		}
	}
}

func TestAuditChainAppendAndVerify(t *testing.T) {
	s := openOwnStore(t)
	ctx := context.Background()
	rep, err := s.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Entries != 0 {
		t.Fatalf("empty chain: %+v, %v", rep, err)
	}
	writeAuditEntries(t, s, 5)
	rep, err = s.VerifyAudit(ctx)
	if err != nil || !rep.OK || rep.Entries != 5 || len(rep.Chains) != 1 || rep.Chains[0].LastSeq != 5 || rep.Chains[0].Origin != "WS-TEST-1" {
		t.Fatalf("VerifyAudit = %+v, %v", rep, err)
	}
	got, err := s.RecentAudit(ctx, 10)
	if err != nil || len(got) != 5 {
		t.Fatalf("RecentAudit = %d entries, %v", len(got), err)
	}
	// Newest first, chained, canonical detail.
	if got[0].Seq != 5 || got[4].Seq != 1 {
		t.Errorf("order: first seq %d last seq %d", got[0].Seq, got[4].Seq)
	}
	if !bytes.Equal(got[4].PrevHash, make([]byte, sha256.Size)) {
		t.Errorf("first entry's prev_hash is not zero: %x", got[4].PrevHash)
	}
	for i := 0; i < 4; i++ {
		if !bytes.Equal(got[i].PrevHash, got[i+1].Hash) {
			t.Errorf("seq %d does not link to seq %d", got[i].Seq, got[i+1].Seq)
		}
	}
	if string(got[0].Detail) != `{"n":5,"screen":"primary"}` {
		t.Errorf("detail not canonical: %s", got[0].Detail)
	}
	// The hash is SHA-256(prev || documented canonical bytes).
	e := got[4]
	canon := fmt.Sprintf(`["booth-audit/1",%q,"WS-TEST-1",1,"2026-11-25T10:00:01Z","B100","view","crossing-1",{"n":1,"screen":"primary"}]`, e.ID)
	want := sha256.Sum256(append(make([]byte, sha256.Size), canon...))
	if !bytes.Equal(e.Hash, want[:]) {
		t.Errorf("hash of seq 1 does not follow the documented encoding")
	}
}

func TestAuditIdempotentByID(t *testing.T) {
	s := openOwnStore(t)
	ctx := context.Background()
	e := AuditEntry{ID: "0190f5c4-0000-7000-8000-000000000001", Action: ActionPurge, Subject: "capture:c1"}
	for i := 0; i < 2; i++ {
		if err := s.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.VerifyAudit(ctx)
	if err != nil || rep.Entries != 1 {
		t.Errorf("retried audit wrote %d entries (%v)", rep.Entries, err)
	}
}

func TestAuditRefusesBadEntries(t *testing.T) {
	s := openOwnStore(t)
	ctx := context.Background()
	for _, e := range []AuditEntry{
		{Action: ""},
		{Action: "Login"},
		{Action: "view; DROP TABLE"},
		{Action: ActionView, Detail: json.RawMessage(`[1,2]`)},
		{Action: ActionView, Detail: json.RawMessage(`{"a":1} {}`)},
		{Action: ActionView, Detail: json.RawMessage(`{"a":`)},
		{Action: ActionView, Officer: "B1\n"},
		{Action: ActionView, Detail: json.RawMessage(`{"a":"` + strings.Repeat("x", maxAuditDetail) + `"}`)},
	} {
		if err := s.Audit(ctx, e); !errors.Is(err, ErrInvalidAudit) {
			t.Errorf("Audit(%+v) = %v, want ErrInvalidAudit", e.Action, err)
		}
	}
}

func TestAuditTableIsAppendOnly(t *testing.T) {
	s := openOwnStore(t)
	writeAuditEntries(t, s, 2)
	db := rawDB(t, s)
	for _, q := range []string{
		`UPDATE audit_log SET detail = '{}' WHERE seq = 1`,
		`DELETE FROM audit_log WHERE seq = 2`,
	} {
		if _, err := db.Exec(q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the trigger to refuse it", q, err)
		}
	}
}

func TestVerifyAuditFindsTampering(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tamper    []string
		wantSeq   int64
		wantCheck string
	}{
		{"edited detail", []string{`UPDATE audit_log SET detail = '{"n":3,"screen":"secondary"}' WHERE seq = 3`}, 3, AuditCheckHash},
		{"edited officer", []string{`UPDATE audit_log SET officer = 'B999' WHERE seq = 4`}, 4, AuditCheckHash},
		{"non-canonical detail", []string{`UPDATE audit_log SET detail = '{ "n":2, "screen":"primary"}' WHERE seq = 2`}, 2, AuditCheckDetail},
		{"deleted middle row", []string{`DELETE FROM audit_log WHERE seq = 3`}, 4, AuditCheckSeq},
		{"deleted first row", []string{`DELETE FROM audit_log WHERE seq = 1`}, 2, AuditCheckSeq},
		{"renumbered after delete", []string{`DELETE FROM audit_log WHERE seq = 3`, `UPDATE audit_log SET seq = seq - 1 WHERE seq > 3`}, 3, AuditCheckPrevHash},
		{"edited time", []string{`UPDATE audit_log SET at = at + 1 WHERE seq = 5`}, 5, AuditCheckHash},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openOwnStore(t)
			writeAuditEntries(t, s, 6)
			db := rawDB(t, s)
			for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range tc.tamper {
				if _, err := db.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep, err := s.VerifyAudit(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK || rep.Fault == nil {
				t.Fatalf("tampering not found: %+v", rep)
			}
			if rep.Fault.Seq != tc.wantSeq || rep.Fault.Check != tc.wantCheck {
				t.Errorf("fault = %s; want seq %d check %s", rep.Fault, tc.wantSeq, tc.wantCheck)
			}
			if rep.Entries != tc.wantSeq-1 && tc.wantCheck != AuditCheckSeq {
				t.Errorf("verified %d entries before the fault, want %d", rep.Entries, tc.wantSeq-1)
			}
		})
	}
}

func TestAuditChainsPerOrigin(t *testing.T) {
	s := openOwnStore(t)
	ctx := context.Background()
	writeAuditEntries(t, s, 2)
	// An entry replicated from another workstation starts its own chain.
	if err := s.Audit(ctx, AuditEntry{Origin: "WS-OTHER", Action: ActionLogin, Subject: "B7"}); err != nil {
		t.Fatal(err)
	}
	writeAuditEntries(t, s, 1)
	rep, err := s.VerifyAudit(ctx)
	if err != nil || !rep.OK || len(rep.Chains) != 2 {
		t.Fatalf("VerifyAudit = %+v, %v", rep, err)
	}
	for _, c := range rep.Chains {
		want := map[string]int64{"WS-OTHER": 1, "WS-TEST-1": 3}[c.Origin]
		if c.LastSeq != want {
			t.Errorf("chain %s last seq %d, want %d", c.Origin, c.LastSeq, want)
		}
	}
}

// FuzzCanonicalDetail: any input either is refused or yields a canonical
// object that is a fixed point (canonicalising it again changes nothing).
func FuzzCanonicalDetail(f *testing.F) {
	for _, s := range []string{`{}`, `{"b":1,"a":[1,2,{"z":null,"y":"<&>"}]}`, ` {"n": 1.50e3} `, `[]`, `{"a":1}{`, `"x"`, ``, `{"a":"\u00e9\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := canonicalDetail(raw)
		if err != nil {
			return
		}
		again, err := canonicalDetail(c)
		if err != nil || !bytes.Equal(again, c) {
			t.Errorf("canonical form %s is not a fixed point: %s, %v", c, again, err)
		}
		if !json.Valid(c) || c[0] != '{' {
			t.Errorf("canonical form %s is not a JSON object", c)
		}
	})
}
