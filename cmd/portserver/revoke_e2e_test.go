package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portofentry/booth/replication"
)

// copyCert keeps a workstation's certificate and key under another name, as
// a thief who copied them would.
func copyCert(t *testing.T, pki, ws, as string) {
	t.Helper()
	for _, ext := range []string{".crt", ".key"} {
		b, err := os.ReadFile(filepath.Join(pki, ws+ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pki, as+ext), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func certClient(t *testing.T, addr, pki, name string) *replication.Client {
	t.Helper()
	conf, err := replication.ClientTLSConfig(filepath.Join(pki, replication.CACertFile),
		filepath.Join(pki, name+".crt"), filepath.Join(pki, name+".key"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := replication.NewClient("https://"+addr, conf)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// healthz asks the server with c: nil is a 200.
func healthz(c *replication.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := c.Get(ctx, replication.PathHealth)
	return err
}

// refusedWithin polls with fresh connections until the server refuses c.
func refusedWithin(t *testing.T, c *replication.Client, d time.Duration) error {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		c.CloseIdle()
		err := healthz(c)
		if err != nil {
			return err
		}
		if time.Now().After(deadline) {
			t.Fatalf("certificate still accepted %s after its revocation", d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func parseCertForTest(pemBytes []byte) (*x509.Certificate, error) {
	b, _ := pem.Decode(pemBytes)
	if b == nil {
		return nil, errors.New("no PEM block")
	}
	return x509.ParseCertificate(b.Bytes)
}

// TestRevocation runs the real server: a workstation's certificate gets 200,
// then is refused after its serial is revoked, by each of the three ways a
// serial reaches the deny-list and the server: SIGHUP after an edit the file
// watch cannot see, `pki revoke` picked up by the file watch, and
// `pki issue --force` revoking the certificate it replaces. Each refusal is
// logged at warn with the CN and serial.
func TestRevocation(t *testing.T) {
	dir := t.TempDir()
	pki := filepath.Join(dir, "pki")
	cli(t, "pki", "init", "--dir", pki, "--port", "2604")
	cli(t, "pki", "issue", "--role", "server", "--dir", pki)
	for _, ws := range []string{"booth-1", "booth-2", "booth-3"} {
		cli(t, "pki", "issue", "--role", "primary", "--workstation", ws, "--dir", pki)
	}
	copyCert(t, pki, "booth-1", "stolen-1")
	copyCert(t, pki, "booth-3", "old-3")

	// A deny-list line for booth-1 whose size equals the placeholder the
	// server starts with, written back with the old modification time: the
	// file watch cannot see the change, only SIGHUP can.
	cert1, err := os.ReadFile(filepath.Join(pki, "booth-1.crt"))
	if err != nil {
		t.Fatal(err)
	}
	c1, err := parseCertForTest(cert1)
	if err != nil {
		t.Fatal(err)
	}
	serial1 := replication.SerialText(c1.SerialNumber)
	line := serial1 + " cn=booth-1 reason=sighup-test\n"
	placeholder := "#" + strings.Repeat("x", len(line)-2) + "\n"
	revoked := filepath.Join(pki, replication.RevokedFile)
	if err := os.WriteFile(revoked, []byte(placeholder), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(revoked, old, old); err != nil {
		t.Fatal(err)
	}

	srv := start(t, dir, "serve", "--db", "server.db", "--dir", "pki", "--listen", "127.0.0.1:0", "--port", "2604")
	var hello struct{ Listening string }
	if err := json.Unmarshal([]byte(srv.waitLine(t, "listening", 20*time.Second)), &hello); err != nil {
		t.Fatal(err)
	}
	addr := hello.Listening

	stolen := certClient(t, addr, pki, "stolen-1")
	b2 := certClient(t, addr, pki, "booth-2")
	old3 := certClient(t, addr, pki, "old-3")
	for name, c := range map[string]*replication.Client{"booth-1's certificate": stolen, "booth-2": b2, "booth-3's first certificate": old3} {
		if err := healthz(c); err != nil {
			t.Fatalf("%s before any revocation: %v", name, err)
		}
	}

	// 1. SIGHUP.
	if err := os.WriteFile(revoked, []byte(line), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(revoked, old, old); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond) // two and more watch polls
	if err := healthz(stolen); err != nil {
		t.Fatalf("the watch reloaded a change it cannot see (the SIGHUP test would prove nothing): %v", err)
	}
	if err := srv.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	// The connection opened before the revocation is refused per request.
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := healthz(stolen)
		var se *replication.StatusError
		if errors.As(err, &se) && se.Status == 403 && strings.Contains(se.Body.Message, "revoked") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after SIGHUP, a request on an open connection: %v; want 403 revoked", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A new connection does not get past the handshake.
	if err := refusedWithin(t, stolen, 5*time.Second); err == nil || errors.As(err, new(*replication.StatusError)) {
		t.Fatalf("new connection with a revoked certificate: %v; want the handshake refused", err)
	}
	if err := healthz(b2); err != nil {
		t.Fatalf("booth-2 after booth-1's revocation: %v", err)
	}

	// 2. pki revoke, picked up by the file watch (no signal).
	out := cli(t, "pki", "revoke", "--dir", pki, "--workstation", "booth-2", "--reason", "laptop stolen")
	if !strings.Contains(out, "revoked booth-2") {
		t.Fatalf("pki revoke: %q", out)
	}
	refusedWithin(t, b2, 5*time.Second)

	// 3. pki issue --force revokes the certificate it replaces.
	out = cli(t, "pki", "issue", "--role", "primary", "--workstation", "booth-3", "--dir", pki, "--force")
	if !strings.Contains(out, "revoked") {
		t.Fatalf("pki issue --force does not say it revoked the old certificate: %q", out)
	}
	refusedWithin(t, old3, 5*time.Second)
	if err := healthz(certClient(t, addr, pki, "booth-3")); err != nil {
		t.Fatalf("booth-3's new certificate: %v", err)
	}

	// The deny-list keeps every line; the refusals are logged with CN and serial.
	list, err := os.ReadFile(revoked)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(list), " cn="); n != 3 || !strings.Contains(string(list), "laptop stolen") {
		t.Fatalf("deny-list after three revocations:\n%s", list)
	}
	logs := srv.stderrText()
	for _, want := range []string{
		"level=WARN msg=\"revoked certificate refused\" cn=booth-1 serial=" + serial1,
		"level=WARN msg=\"revoked certificate refused\" cn=booth-2 serial=",
		"level=WARN msg=\"revoked certificate refused\" cn=booth-3 serial=",
		"by=SIGHUP", "by=\"file change\"",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("server log lacks %q:\n%s", want, logs)
		}
	}
}
