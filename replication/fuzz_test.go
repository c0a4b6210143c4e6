package replication

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portofentry/booth/records"
)

func FuzzReadSnapshot(f *testing.F) {
	ev := `{"id":"0190f2a4-0000-7000-8000-000000000001","crossing_id":"c1","origin":"booth-1","origin_seq":1,"kind":"note","at":"2026-11-25T10:00:00Z","recorded_at":"2026-11-25T10:00:00Z","officer":"","schema":1,"payload":{"text":"x"}}`
	f.Add([]byte(`{"version":3,"reference":[]}` + "\n" + ev + "\n" + `{"end":true,"events":1}` + "\n"))
	f.Add([]byte(`{"version":3}` + "\n" + ev + "\n"))                        // cut before the trailer
	f.Add([]byte(`{"version":3}` + "\n" + `{"end":true,"events":2}` + "\n")) // count mismatch
	f.Add([]byte(`{"version":-1}` + "\n"))
	f.Add([]byte("not json\n"))
	f.Add([]byte(strings.Repeat("x", 3<<20)))
	f.Fuzz(func(t *testing.T, data []byte) {
		var got int
		hdr, n, err := readSnapshot(bytes.NewReader(data), 2, func(evs []records.Event, h *SnapshotHeader) error {
			got += len(evs)
			return nil
		})
		if err == nil {
			if got != n || hdr.Version < 0 {
				t.Fatalf("complete snapshot: applied %d of %d events, version %d", got, n, hdr.Version)
			}
		}
	})
}

// FuzzBatchHandler posts arbitrary bodies to the server's batch endpoint as
// a verified primary workstation: every answer must be a JSON status, never
// a panic or a hang, and nothing invalid may be stored.
func FuzzBatchHandler(f *testing.F) {
	pki := newTestPKI(f)
	srv, err := NewServer(ServerConfig{Store: openStore(f, "port-2604"), Logger: quietLog()})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	cert := loadCert(f, pki, "booth-1")
	booth := openStore(f, "booth-1")
	evs := appendCrossing(f, booth, 3, false)
	good, _ := json.Marshal(BatchRequest{Events: evs})
	f.Add(good)
	f.Add([]byte(`{"events":[{"id":"x","origin":"booth-1","origin_seq":5}]}`))
	f.Add([]byte(`{"events":[{"id":"x","origin":"booth-1","origin_seq":1,"crossing_id":"c","kind":"note","schema":9,"payload":{}}]}`))
	f.Add([]byte(`{"events":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, PathEvents, bytes.NewReader(body))
		req.TLS = &tls.ConnectionState{VerifiedChains: [][]*x509.Certificate{{cert}}}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req.WithContext(context.Background()))
		if rec.Code != http.StatusOK {
			var e ErrorResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("status %d with body %q", rec.Code, rec.Body.Bytes())
			}
			if rec.Code >= 500 {
				t.Fatalf("server error for client input: %s", rec.Body.Bytes())
			}
		}
	})
}

func loadCert(t testing.TB, pki testPKI, ws string) *x509.Certificate {
	t.Helper()
	pki.client(t, RolePrimary, ws)
	raw, err := os.ReadFile(filepath.Join(pki.dir, ws+".crt"))
	if err != nil {
		t.Fatal(err)
	}
	return parsePEMCert(t, raw)
}

func parsePEMCert(t testing.TB, raw []byte) *x509.Certificate {
	t.Helper()
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatal("no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
