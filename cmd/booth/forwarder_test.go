package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/hardware/simulator"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/biometric"
)

// TestForwardToSimulatedBiometricSystem: real stores on files, the
// simulator's biometric system over real mutual TLS on loopback. A
// non-citizen's capture is forwarded after the service recovers from
// failures, its reference lands in the crossing record and the image is
// purged; a US citizen's and an unknown-citizenship capture never reach the
// service; a client without a certificate is refused by the service.
func TestForwardToSimulatedBiometricSystem(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := replication.InitCA(dir, "2604"); err != nil {
		t.Fatal(err)
	}
	srvCrt, srvKey, err := replication.Issue(dir, replication.IssueRequest{Role: replication.RoleServer})
	if err != nil {
		t.Fatal(err)
	}
	wsCrt, wsKey, err := replication.Issue(dir, replication.IssueRequest{Role: replication.RolePrimary, Workstation: "booth-01"})
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(dir, replication.CACertFile)
	cert, err := tls.LoadX509KeyPair(srvCrt, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(caFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := simulator.StartBiometricService(ctx, simulator.BiometricServiceOptions{Logger: quiet,
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, MinVersion: tls.VersionTLS13}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()

	cfg := defaultConfig()
	cfg.Biometric.URL = svc.URL()
	cfg.PortServer.CA, cfg.PortServer.Cert, cfg.PortServer.Key = caFile, wsCrt, wsKey
	fw, err := newForwarder(cfg)
	if err != nil {
		t.Fatal(err)
	}

	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "booth.db"), sqlitestore.Options{Origin: "booth-01", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	bio, err := biometric.Open(ctx, biometric.Path(store.Path()), biometric.Options{Audit: store, Logger: quiet,
		OnPurge: biometric.RecordPurges(store), OnForward: biometric.RecordForwards(store), ForwardRetry: time.Millisecond, ForwardRetryMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer bio.Close()
	png := append([]byte("\x89PNG\r\n\x1a\n"), strings.Repeat("face", 1000)...)
	for _, c := range []struct {
		id  string
		cit biometric.CitizenshipStatus
	}{{"non", biometric.CitizenNonUSC}, {"usc", biometric.CitizenUSC}, {"unknown", biometric.CitizenUnknown}} {
		ev, err := records.NewEvent("X-"+c.id, records.CrossingOpened{Port: "2604", Lane: "V01", Mode: records.ModeVehicle, Trigger: "manual"}, time.Now(), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
		if err := bio.SaveCapture(ctx, biometric.Capture{ID: c.id, CrossingID: "X-" + c.id, PNG: png, CapturedAt: time.Now(), Citizenship: c.cit}); err != nil {
			t.Fatal(err)
		}
	}
	svc.FailNext(2)
	var forwarded []biometric.Forward
	failed := 0
	for i := 0; i < 20 && len(forwarded) == 0; i++ {
		run, err := bio.ForwardDue(ctx, time.Now(), fw)
		if err != nil {
			t.Fatal(err)
		}
		forwarded, failed = append(forwarded, run.Forwarded...), failed+run.Failed
		time.Sleep(5 * time.Millisecond)
	}
	if len(forwarded) != 1 || forwarded[0].CaptureID != "non" || failed != 2 {
		t.Fatalf("forwarded %+v after %d failures; want capture non after 2", forwarded, failed)
	}
	ref, ok := svc.Reference("non")
	if !ok || forwarded[0].BiometricRef != ref {
		t.Fatalf("service reference %q (%v), booth recorded %q", ref, ok, forwarded[0].BiometricRef)
	}
	for _, id := range []string{"usc", "unknown"} {
		if _, ok := svc.Reference(id); ok {
			t.Errorf("capture %s reached the biometric system", id)
		}
		if _, err := bio.Capture(ctx, id); err != nil {
			t.Errorf("capture %s: %v (must stay at the booth until its retention)", id, err)
		}
	}
	if _, err := bio.Capture(ctx, "non"); !errors.Is(err, biometric.ErrCaptureNotFound) {
		t.Errorf("forwarded capture still stored: %v", err)
	}
	evs, err := store.Events(ctx, "X-non")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		if e.Kind == records.KindBiometricForwarded {
			p, err := e.Decode()
			f, ok := p.(*records.BiometricForwarded)
			found = err == nil && ok && f.BiometricRef == ref
		}
	}
	if !found {
		t.Errorf("no biometric.forwarded event with reference %s in %v", ref, evs)
	}

	// Without a client certificate the service refuses the connection.
	noCert := newBioClient(svc.URL(), &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}, 5*time.Second)
	if _, err := noCert.Forward(ctx, biometric.ForwardRequest{CaptureID: "x", CrossingID: "X", PNG: png}); err == nil {
		t.Error("a client without a certificate was served")
	}
}

func TestBiometricServiceConfig(t *testing.T) {
	cfg := defaultConfig()
	cfg.Biometric.URL = "http://bio:8443"
	if err := cfg.validate(); err == nil || !strings.Contains(err.Error(), "biometric_service.url") {
		t.Errorf("plain http url: %v", err)
	}
	cfg = defaultConfig()
	cfg.Biometric.URL = "https://bio:8443"
	if _, err := newForwarder(cfg); err == nil || !strings.Contains(err.Error(), "port_server.cert") {
		t.Errorf("url without certificates: %v", err)
	}
	if fw, err := newForwarder(defaultConfig()); fw != nil || err != nil {
		t.Errorf("no url: %v, %v; want no forwarder", fw, err)
	}
}
