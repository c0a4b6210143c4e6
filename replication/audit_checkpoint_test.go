package replication

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"database/sql"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// TestAuditUploadReturnsCheckpoint: over real mutual TLS on loopback, every
// audit upload is answered with the server's countersignature of the chain
// head it stored; the booth keeps it, the signature verifies with the key of
// the CA-issued server certificate the booth trusts, and a tail cut from
// the booth's chain afterwards is found.
func TestAuditUploadReturnsCheckpoint(t *testing.T) {
	ctx := context.Background()
	pki := newTestPKI(t)
	srv := startServer(t, pki, ServerConfig{})
	booth := openStore(t, "booth-1")
	audit := func(n int) {
		for i := range n {
			if err := booth.Audit(ctx, records.AuditEntry{Officer: "B100", Action: sqlitestore.ActionView,
				Subject: fmt.Sprintf("crossing-%d", i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	audit(5)
	runLink(t, LinkConfig{Sender: senderCfg(booth, newClient(t, srv.url, pki.client(t, RolePrimary, "booth-1")))})
	cpAt := func(seq int64) func() bool {
		return func() bool {
			cps, err := booth.LatestAuditCheckpoints(ctx)
			return err == nil && cps["booth-1"].Seq == seq
		}
	}
	waitFor(t, 5*time.Second, "checkpoint of seq 5", cpAt(5))
	audit(3)
	waitFor(t, 5*time.Second, "checkpoint of seq 8", cpAt(8))

	caPEM, err := os.ReadFile(filepath.Join(pki.dir, CACertFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	cps, _ := booth.LatestAuditCheckpoints(ctx)
	cp := cps["booth-1"]
	if err := sqlitestore.VerifyAuditCheckpoint(cp, roots); err != nil {
		t.Fatalf("checkpoint does not verify with the server certificate's key: %v", err)
	}
	serverCrt, err := os.ReadFile(filepath.Join(pki.dir, ServerCertFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := pemDER(t, serverCrt); string(cp.Cert) != string(want) {
		t.Error("checkpoint not signed with the server's TLS certificate")
	}
	hash, err := srv.store.AuditHashAt(ctx, "booth-1", 8)
	if err != nil || string(hash) != string(cp.Hash) {
		t.Fatalf("checkpoint hash %x, server holds %x (%v)", cp.Hash, hash, err)
	}
	rep, err := booth.VerifyAuditWith(ctx, sqlitestore.AuditVerifyOptions{Roots: roots})
	if err != nil || !rep.OK || rep.Chains[0].Anchor == nil || rep.Chains[0].Anchor.Seq != 8 {
		t.Fatalf("anchored verify before tampering: %+v, %v", rep, err)
	}

	// Cut the last three entries, as someone with the file would.
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Path: booth.Path(), RawQuery: "_pragma=busy_timeout(5000)"}).String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{`DROP TRIGGER audit_log_no_delete`, `DELETE FROM audit_log WHERE seq > 5`} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	rep, err = booth.VerifyAuditWith(ctx, sqlitestore.AuditVerifyOptions{Roots: roots})
	if err != nil || rep.OK || rep.Fault.Check != sqlitestore.AuditCheckAnchor || rep.Fault.Seq != 6 {
		t.Fatalf("cut tail: %+v, %v", rep, err)
	}
}

func pemDER(t *testing.T, b []byte) []byte {
	t.Helper()
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("no PEM block")
	}
	return blk.Bytes
}
