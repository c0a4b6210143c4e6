package sqlitestore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// serverCopy makes a port server's database holding s's chain up to upTo,
// ingested as the audit endpoint does.
func serverCopy(t *testing.T, s *Store, upTo int64) *Store {
	t.Helper()
	ctx := context.Background()
	srv, err := Open(ctx, filepath.Join(t.TempDir(), "portserver.db"), Options{Origin: "port-2604", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	entries, err := s.AuditOutbox(ctx, 0, int(upTo))
	if err != nil {
		t.Fatal(err)
	}
	if acked, err := srv.IngestAudit(ctx, s.Origin(), entries); err != nil || acked != upTo {
		t.Fatalf("IngestAudit = %d, %v", acked, err)
	}
	return srv
}

func TestCompareAuditChain(t *testing.T) {
	for _, tc := range []struct {
		name      string
		tamper    func(t *testing.T, db *sql.DB, s *Store)
		wantCheck string
		wantSeq   int64
	}{
		{"same chain, two entries not uploaded yet", nil, "", 0},
		{"cut tail", func(t *testing.T, db *sql.DB, s *Store) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > 3`)
		}, AuditCheckMissing, 4},
		{"cut below the server's head and regrown", func(t *testing.T, db *sql.DB, s *Store) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > 3`)
			mustExec(t, db, `INSERT INTO audit_log (id, origin, seq, at, officer, action, subject, detail, prev_hash, hash)
				SELECT id || '-x', origin, 4, at, officer, action, 'innocent', detail, prev_hash, hash FROM audit_log WHERE seq = 3`)
			recomputeChain(t, db, s.Origin())
		}, AuditCheckDiffers, 4},
		{"recomputed chain", func(t *testing.T, db *sql.DB, s *Store) {
			mustExec(t, db, `UPDATE audit_log SET subject = 'crossing-other' WHERE seq = 2`)
			recomputeChain(t, db, s.Origin())
		}, AuditCheckDiffers, 2},
		{"swapped rows, recomputed", func(t *testing.T, db *sql.DB, s *Store) {
			swapRows(t, db, 2, 3)
			recomputeChain(t, db, s.Origin())
		}, AuditCheckDiffers, 2},
		{"edited in place, hash kept", func(t *testing.T, db *sql.DB, s *Store) {
			mustExec(t, db, `UPDATE audit_log SET officer = 'B999' WHERE seq = 3`)
		}, AuditCheckHash, 3},
		{"entry not yet uploaded edited", func(t *testing.T, db *sql.DB, s *Store) {
			mustExec(t, db, `UPDATE audit_log SET officer = 'B999' WHERE seq = 6`)
		}, AuditCheckHash, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := openOwnStore(t)
			writeAuditEntries(t, s, 6)
			srv := serverCopy(t, s, 4)
			if tc.tamper != nil {
				db := rawDB(t, s)
				dropAuditTriggers(t, db)
				tc.tamper(t, db, s)
			}
			cmp, err := CompareAuditChain(ctx, srv, s, s.Origin())
			if err != nil {
				t.Fatal(err)
			}
			if cmp.ServerLast != 4 {
				t.Errorf("ServerLast = %d, want 4", cmp.ServerLast)
			}
			if tc.wantCheck == "" {
				if !cmp.OK() || cmp.Matched != 4 || cmp.FileLast != 6 {
					t.Fatalf("comparison = %+v (fault %v), want 4 matched, file to 6", cmp, cmp.Fault)
				}
				return
			}
			if cmp.OK() {
				t.Fatalf("tampering not found: %+v", cmp)
			}
			if cmp.Fault.Check != tc.wantCheck || cmp.Fault.Seq != tc.wantSeq {
				t.Errorf("fault = %s; want %s at seq %d", cmp.Fault, tc.wantCheck, tc.wantSeq)
			}
		})
	}
}
