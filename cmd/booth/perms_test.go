package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// writeConfig writes a workstation configuration whose files are in dir.
func writeConfig(t *testing.T, dir, extra string) string {
	t.Helper()
	path := filepath.Join(dir, "booth.toml")
	body := fmt.Sprintf("database = %q\nlog_file = %q\n%s", filepath.Join(dir, "booth.db"), filepath.Join(dir, "booth.log"), extra)
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNewFilesArePrivate: a first start makes the database, its WAL and
// shared-memory files, the workstation pepper and the log 0600.
func TestNewFilesArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	cfg := defaultConfig()
	cfg.Database, cfg.LogFile = filepath.Join(dir, "booth.db"), filepath.Join(dir, "booth.log")
	if err := preparePrivateFiles(cfg, false, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("directory %s: %v %v, want 0700", dir, st, err)
	}
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, cfg.Database, sqlitestore.Options{Origin: "WS-1", PINIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddOfficer(ctx, "B1", "Ana Ruiz", "primary", []byte("480913")); err != nil {
		t.Fatal(err)
	}
	logf, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	logf.Close()
	for _, f := range []string{cfg.Database, cfg.Database + "-wal", cfg.Database + "-shm", cfg.LogFile,
		sqlitestore.WorkstationPepperPath(cfg.Database)} {
		fi, err := os.Stat(f)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want mode 0600", f, fi, err)
		}
	}
	st.Close()
	if err := checkPrivateFiles(privateFiles(cfg), false, nil); err != nil {
		t.Errorf("fresh files refused: %v", err)
	}
}

// TestLooseFilesStopTheBooth: each private file made readable by others
// stops the booth at start with an error naming it; --fix-permissions sets
// it to 0600 and says so.
func TestLooseFilesStopTheBooth(t *testing.T) {
	for _, name := range []string{"booth.db", "booth.db-wal", "booth.pepper", "booth.port-pepper", "booth.biometric.db", "booth.biometric.key", "booth.log", "tls.key"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath := writeConfig(t, dir, "")
			f := filepath.Join(dir, name)
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(f, 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := loadConfig(cfgPath)
			if err != nil {
				t.Fatal(err)
			}
			cfg.PortServer.Key = filepath.Join(dir, "tls.key")
			err = checkPrivateFiles(privateFiles(cfg), false, nil)
			if err == nil || !strings.Contains(err.Error(), f) || !strings.Contains(err.Error(), "0644") {
				t.Fatalf("loose %s: %v", name, err)
			}
			if name == "tls.key" {
				return // the key is checked only with a port server configured
			}
			code, _, errs := runMaint(t, "", "--config", cfgPath)
			if code != 1 || !strings.Contains(errs, f) || !strings.Contains(errs, "--fix-permissions") {
				t.Errorf("booth with a loose %s: exit %d, %q", name, code, errs)
			}
			var notes []string
			if err := checkPrivateFiles(privateFiles(cfg), true, func(s string) { notes = append(notes, s) }); err != nil {
				t.Fatal(err)
			}
			if fi, _ := os.Stat(f); fi.Mode().Perm() != 0o600 || len(notes) != 1 || !strings.Contains(notes[0], f) {
				t.Errorf("--fix-permissions: mode %v, notes %q", fi.Mode().Perm(), notes)
			}
		})
	}
	// A maintenance command refuses a loose database too.
	dir := t.TempDir()
	db := filepath.Join(dir, "booth.db")
	if code, _, errs := runMaint(t, "480913\n", "officer", "add", "--badge", "B1", "--name", "X", "--role", "primary", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	os.Chmod(db, 0o640)
	if code, _, errs := runMaint(t, "", "officer", "list", "--db", db); code != 1 || !strings.Contains(errs, db) || !strings.Contains(errs, "0640") {
		t.Errorf("officer list on a loose database: exit %d, %q", code, errs)
	}
}

// issueTestCert writes a self-signed certificate with the OU kind and its
// key, as a workstation's port-server credentials.
func issueTestCert(t *testing.T, dir, kind string) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "booth-01", OrganizationalUnit: []string{kind}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, kind+".crt"), filepath.Join(dir, kind+".key")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certPath, keyPath
}

// TestCertificateKindMustMatchConfig: a workstation configured as one kind
// with a certificate issued for another stops at start, naming both.
func TestCertificateKindMustMatchConfig(t *testing.T) {
	for _, kind := range records.AllWorkstationKinds {
		for _, certKind := range records.AllWorkstationKinds {
			t.Run(string(kind)+"/"+string(certKind), func(t *testing.T) {
				dir := t.TempDir()
				cert, key := issueTestCert(t, dir, string(certKind))
				cfgPath := writeConfig(t, dir, fmt.Sprintf("role = %q\n[port_server]\nurl = \"https://127.0.0.1:1\"\nca = %q\ncert = %q\nkey = %q\n",
					kind, cert, cert, key))
				cfg, err := loadConfig(cfgPath)
				if err != nil {
					t.Fatal(err)
				}
				err = checkCertificateKind(cfg)
				if kind == certKind {
					if err != nil {
						t.Errorf("matching kinds refused: %v", err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), "mismatch") || !strings.Contains(err.Error(), string(certKind)) {
					t.Fatalf("mismatch not caught: %v", err)
				}
				code, _, errs := runMaint(t, "", "--config", cfgPath)
				if code != 1 || !strings.Contains(errs, "workstation kind mismatch") || !strings.Contains(errs, cert) {
					t.Errorf("booth with a %s certificate configured as %s: exit %d, %q", certKind, kind, code, errs)
				}
				if _, err := os.Stat(filepath.Join(dir, "booth.db")); err == nil {
					t.Error("the database was created although the booth refused to start")
				}
			})
		}
	}
}
