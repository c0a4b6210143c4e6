package replication

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRevocationList(t *testing.T) {
	p := newTestPKI(t)
	path := filepath.Join(p.dir, RevokedFile)
	r, err := LoadRevocations(path, nil)
	if err != nil {
		t.Fatalf("a missing list is an empty one: %v", err)
	}
	c1 := loadCert(t, p, "booth-1")
	c2 := loadCert(t, p, "booth-2")
	if r.Revoked(c1) || r.Check(c1, "test") != nil {
		t.Fatal("revoked before any revocation")
	}

	serial, err := Revoke(p.dir, "booth-1", "stolen  with\nnewline")
	if err != nil || serial != SerialText(c1.SerialNumber) {
		t.Fatalf("Revoke = %q, %v; want %s", serial, err, SerialText(c1.SerialNumber))
	}
	if _, err := Revoke(p.dir, "booth-1", "again"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if strings.Count(string(data), serial) != 1 || strings.Count(string(data), "\n") != 2 || !strings.Contains(string(data), "reason=stolen with newline") {
		t.Fatalf("list after two revocations of one certificate:\n%s", data)
	}
	if r.Revoked(c1) {
		t.Fatal("the list changed without a reload")
	}
	if n, err := r.Reload(); err != nil || n != 1 || !r.Revoked(c1) || r.Revoked(c2) {
		t.Fatalf("reload: %d, %v; booth-1 revoked %v, booth-2 %v", n, err, r.Revoked(c1), r.Revoked(c2))
	}

	// Colons and upper case are the same serial; a damaged line is an error
	// naming it, and the list in force stays.
	colon := strings.ToUpper(SerialText(c2.SerialNumber))
	if len(colon)%2 == 1 {
		colon = "0" + colon
	}
	var parts []string
	for i := 0; i < len(colon); i += 2 {
		parts = append(parts, colon[i:i+2])
	}
	if err := os.WriteFile(path, append(data, []byte(strings.Join(parts, ":")+"\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(); err != nil || !r.Revoked(c2) || !r.Revoked(c1) {
		t.Fatalf("colon form: %v", err)
	}
	if err := os.WriteFile(path, []byte("not-a-serial booth-9\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("damaged list: %v", err)
	}
	if !r.Revoked(c1) || !r.Revoked(c2) {
		t.Fatal("a damaged list replaced the one in force")
	}
	if _, err := LoadRevocations(path, nil); err == nil {
		t.Fatal("a server starts with a damaged deny-list")
	}
	if _, err := Revoke(p.dir, "booth-1", "x"); err == nil {
		t.Fatal("revoke appended to a damaged list")
	}
	if _, err := Revoke(p.dir, "nobody", "x"); err == nil {
		t.Fatal("revoked a workstation without a certificate")
	}
}

func TestRevocationWatch(t *testing.T) {
	p := newTestPKI(t)
	path := filepath.Join(p.dir, RevokedFile)
	r, err := LoadRevocations(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); r.Watch(ctx, 10*time.Millisecond) }()
	defer func() { cancel(); <-done }()
	c := loadCert(t, p, "booth-1")
	if _, err := Revoke(p.dir, "booth-1", ""); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !r.Revoked(c) {
		if time.Now().After(deadline) {
			t.Fatal("the watch did not pick up the new list")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Removing the file empties the list (nothing is revoked without it).
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	for r.Revoked(c) {
		if time.Now().After(deadline.Add(5 * time.Second)) {
			t.Fatal("the watch did not see the file go")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestIssueForceRevokesAndPortOrigin(t *testing.T) {
	p := newTestPKI(t)
	old := loadCert(t, p, "booth-1")
	if _, _, err := Issue(p.dir, IssueRequest{Role: RolePrimary, Workstation: "booth-1", Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	r, err := LoadRevocations(filepath.Join(p.dir, RevokedFile), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(p.dir, "booth-1.crt"))
	if !r.Revoked(old) || r.Revoked(parsePEMCert(t, raw)) {
		t.Fatal("issue --force: want the replaced certificate revoked and the new one not")
	}
	// A workstation cannot be named like the port server's own origin.
	if _, _, err := Issue(p.dir, IssueRequest{Role: RoleSecondary, Workstation: "port-2604"}); err == nil {
		t.Fatal("issued a workstation certificate named like the port's origin")
	}
	if _, _, err := Identity(old); err != nil {
		t.Fatal(err)
	}
	forged := *old
	forged.Subject.CommonName = "Port-2604"
	if _, _, err := Identity(&forged); err == nil {
		t.Fatal("a certificate with the port's origin as CN was taken as a workstation")
	}
}
