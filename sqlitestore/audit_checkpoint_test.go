package sqlitestore

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"math/big"
	"strings"
	"testing"
	"time"
)

// testCA is a port CA with a server certificate (the checkpoint signer)
// and a workstation certificate (whose key a thief of the booth's disk
// holds), made the way the port PKI makes them.
type testCA struct {
	roots      *x509.CertPool
	serverDER  []byte
	serverKey  *ecdsa.PrivateKey
	clientDER  []byte
	clientKey  *ecdsa.PrivateKey
	caCert     *x509.Certificate
	caKey      *ecdsa.PrivateKey
	serverCert *x509.Certificate
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test port CA"},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	ca := &testCA{roots: x509.NewCertPool(), caCert: caCert, caKey: caKey}
	ca.roots.AddCert(caCert)
	ca.serverDER, ca.serverKey = ca.issue(t, "portserver", "server", x509.ExtKeyUsageServerAuth)
	ca.serverCert, _ = x509.ParseCertificate(ca.serverDER)
	ca.clientDER, ca.clientKey = ca.issue(t, "WS-TEST-1", "primary", x509.ExtKeyUsageClientAuth)
	return ca
}

func (ca *testCA) issue(t *testing.T, cn, ou string, usage x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: cn, OrganizationalUnit: []string{ou}},
		NotBefore: now.Add(-48 * time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.caCert, &key.PublicKey, ca.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der, key
}

func signCheckpoint(t *testing.T, der []byte, key *ecdsa.PrivateKey, origin string, seq int64, hash []byte) AuditCheckpoint {
	t.Helper()
	cp := AuditCheckpoint{Workstation: origin, Seq: seq, Hash: hash, At: time.Now().UTC(), Cert: der}
	sum := sha256.Sum256(cp.SignedBytes())
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	cp.Signature = sig
	return cp
}

// countersign keeps the server's checkpoint of s's own chain at its head.
func (ca *testCA) countersign(t *testing.T, s *Store) AuditCheckpoint {
	t.Helper()
	ctx := context.Background()
	var seq int64
	var hash []byte
	if err := s.read.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log WHERE origin = ? ORDER BY seq DESC LIMIT 1`, s.Origin()).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	cp := signCheckpoint(t, ca.serverDER, ca.serverKey, s.Origin(), seq, hash)
	if err := s.AddAuditCheckpoint(ctx, cp); err != nil {
		t.Fatalf("AddAuditCheckpoint: %v", err)
	}
	return cp
}

// recomputeChain re-hashes origin's whole chain from its first entry, as an
// attacker with file access who knows the (unkeyed) hash would after
// editing or reordering rows: the chain then verifies on its own.
func recomputeChain(t *testing.T, db *sql.DB, origin string) {
	t.Helper()
	rows, err := db.Query(`SELECT `+auditColumns+` FROM audit_log WHERE origin = ? ORDER BY seq`, origin)
	if err != nil {
		t.Fatal(err)
	}
	var all []AuditEntry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, e)
	}
	rows.Close()
	prev := make([]byte, sha256.Size)
	for _, e := range all {
		e.PrevHash = prev
		e.Hash = auditHash(prev, e)
		if _, err := db.Exec(`UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?`, e.PrevHash, e.Hash, e.ID); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
	}
}

func dropAuditTriggers(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`,
		`DROP TRIGGER audit_checkpoints_no_update`, `DROP TRIGGER audit_checkpoints_no_delete`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// swapRows exchanges the content (id, time, action, subject, detail…) of
// entries a and b, keeping their seq.
func swapRows(t *testing.T, db *sql.DB, a, b int64) {
	t.Helper()
	exec := func(q string, args ...any) {
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`UPDATE audit_log SET seq = 1000000 WHERE seq = ?`, a)
	exec(`UPDATE audit_log SET seq = ? WHERE seq = ?`, a, b)
	exec(`UPDATE audit_log SET seq = ? WHERE seq = 1000000`, b)
}

func TestVerifyAuditAgainstCheckpoint(t *testing.T) {
	for _, tc := range []struct {
		name       string
		checkpoint bool
		tamper     func(t *testing.T, db *sql.DB, s *Store, ca *testCA)
		wantCheck  string // "" means the chain verifies
		wantSeq    int64
	}{
		{"untouched", true, nil, "", 0},
		{"cut tail without a checkpoint goes unseen (why checkpoints exist)", false, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > 4`)
		}, "", 0},
		{"cut tail", true, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > 4`)
		}, AuditCheckAnchor, 5},
		{"every entry removed", true, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			mustExec(t, db, `DELETE FROM audit_log`)
		}, AuditCheckAnchor, 1},
		{"recomputed chain", true, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			mustExec(t, db, `UPDATE audit_log SET subject = 'crossing-other' WHERE seq = 2`)
			recomputeChain(t, db, s.Origin())
		}, AuditCheckAnchor, 6},
		{"recomputed chain, cut and regrown to the same length", true, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq = 6`)
			mustExec(t, db, `INSERT INTO audit_log (id, origin, seq, at, officer, action, subject, detail, prev_hash, hash)
				SELECT id || '-x', origin, 6, at, officer, action, 'innocent', detail, prev_hash, hash FROM audit_log WHERE seq = 5`)
			recomputeChain(t, db, s.Origin())
		}, AuditCheckAnchor, 6},
		{"swapped rows", true, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			swapRows(t, db, 2, 3)
		}, AuditCheckPrevHash, 2},
		{"swapped rows, recomputed", true, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			swapRows(t, db, 2, 3)
			recomputeChain(t, db, s.Origin())
		}, AuditCheckAnchor, 6},
		{"checkpoint rewritten to the recomputed head", true, func(t *testing.T, db *sql.DB, s *Store, _ *testCA) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > 4`)
			recomputeChain(t, db, s.Origin())
			mustExec(t, db, `UPDATE audit_checkpoints SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)`)
		}, AuditCheckAnchor, 4},
		{"checkpoint forged with the workstation's own key", true, func(t *testing.T, db *sql.DB, s *Store, ca *testCA) {
			mustExec(t, db, `DELETE FROM audit_log WHERE seq > 4`)
			mustExec(t, db, `DELETE FROM audit_checkpoints`)
			var hash []byte
			if err := db.QueryRow(`SELECT hash FROM audit_log WHERE seq = 4`).Scan(&hash); err != nil {
				t.Fatal(err)
			}
			cp := signCheckpoint(t, ca.clientDER, ca.clientKey, s.Origin(), 4, hash)
			mustExec(t, db, `INSERT INTO audit_checkpoints (origin, seq, hash, at, signature, cert, received_at) VALUES (?, ?, ?, ?, ?, ?, 0)`,
				cp.Workstation, cp.Seq, cp.Hash, cp.At.UnixNano(), cp.Signature, cp.Cert)
		}, AuditCheckAnchor, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ca := newTestCA(t)
			s := openOwnStore(t)
			writeAuditEntries(t, s, 6)
			var cp AuditCheckpoint
			if tc.checkpoint {
				cp = ca.countersign(t, s)
			}
			if tc.tamper != nil {
				db := rawDB(t, s)
				dropAuditTriggers(t, db)
				tc.tamper(t, db, s, ca)
			}
			rep, err := s.VerifyAuditWith(ctx, AuditVerifyOptions{Roots: ca.roots})
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantCheck == "" {
				if !rep.OK {
					t.Fatalf("chain refused: %s", rep.Fault)
				}
				if tc.checkpoint {
					a := rep.Chains[0].Anchor
					if a == nil || a.Seq != cp.Seq || !a.Trusted || a.Signer != "portserver" {
						t.Errorf("anchor = %+v, want seq %d signed by portserver, trusted", a, cp.Seq)
					}
				}
				return
			}
			if rep.OK || rep.Fault == nil {
				t.Fatalf("tampering not found: %+v", rep)
			}
			if rep.Fault.Check != tc.wantCheck || rep.Fault.Seq != tc.wantSeq {
				t.Errorf("fault = %s; want check %s at seq %d", rep.Fault, tc.wantCheck, tc.wantSeq)
			}
		})
	}
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestAddAuditCheckpointRefusesForgeries(t *testing.T) {
	ctx := context.Background()
	ca := newTestCA(t)
	other := newTestCA(t)
	s := openOwnStore(t)
	writeAuditEntries(t, s, 3)
	good := ca.countersign(t, s)
	for _, tc := range []struct {
		name string
		cp   func() AuditCheckpoint
	}{
		{"signed by a workstation certificate", func() AuditCheckpoint {
			return signCheckpoint(t, ca.clientDER, ca.clientKey, s.Origin(), 3, good.Hash)
		}},
		{"hash changed after signing", func() AuditCheckpoint {
			cp := good
			cp.Hash = append([]byte(nil), good.Hash...)
			cp.Hash[0] ^= 1
			return cp
		}},
		{"another workstation's", func() AuditCheckpoint {
			return signCheckpoint(t, ca.serverDER, ca.serverKey, "WS-OTHER", 3, good.Hash)
		}},
		{"garbage certificate", func() AuditCheckpoint {
			cp := good
			cp.Cert = []byte("not a certificate")
			return cp
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.AddAuditCheckpoint(ctx, tc.cp()); err == nil {
				t.Fatal("forged checkpoint kept")
			}
		})
	}
	// A server certificate of another CA signs validly, but is not the
	// port's: verification with the port's roots refuses it.
	foreign := signCheckpoint(t, other.serverDER, other.serverKey, s.Origin(), 3, good.Hash)
	if err := VerifyAuditCheckpoint(foreign, nil); err != nil {
		t.Fatalf("foreign checkpoint's own signature: %v", err)
	}
	if err := VerifyAuditCheckpoint(foreign, ca.roots); err == nil || !strings.Contains(err.Error(), "not issued by the trusted CA") {
		t.Errorf("checkpoint of another CA: err = %v", err)
	}
	if err := VerifyAuditCheckpoint(good, ca.roots); err != nil {
		t.Errorf("good checkpoint: %v", err)
	}
	// Kept once, however often it is returned.
	if err := s.AddAuditCheckpoint(ctx, good); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.read.QueryRow(`SELECT count(*) FROM audit_checkpoints`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d checkpoints kept, %v; want 1", n, err)
	}
}
