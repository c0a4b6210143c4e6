package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/biometric"
)

// TestDemoStartsBiometricSystem: a primary demo runs the simulated
// biometric system and points [biometric_service] at it with a client
// certificate the workstation's start checks accept; the forwarder built
// from that configuration gets a reference over mutual TLS. Secondary and
// supervisor demos capture no faces and run none.
func TestDemoStartsBiometricSystem(t *testing.T) {
	for _, role := range []string{"primary", "secondary", "supervisor"} {
		t.Run(role, func(t *testing.T) {
			t.Setenv(envDemoDir, t.TempDir())
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cfg := defaultConfig()
			cfg.Mode = "pedestrian"
			if err := cfg.applyFlags(role, false); err != nil {
				t.Fatal(err)
			}
			d, err := startDemo(ctx, &cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if role != "primary" {
				if d.bio != nil || cfg.Biometric.URL != "" {
					t.Fatalf("a %s demo runs a biometric system at %q", role, cfg.Biometric.URL)
				}
				return
			}
			if d.bio == nil || cfg.Biometric.URL != d.bio.URL() {
				t.Fatalf("biometric_service.url = %q, service %v", cfg.Biometric.URL, d.bio)
			}
			if err := cfg.validate(); err != nil {
				t.Fatalf("the demo's configuration: %v", err)
			}
			if err := checkCertificateKind(cfg); err != nil {
				t.Fatal(err)
			}
			if err := checkPrivateFiles(privateFiles(cfg), false, nil); err != nil {
				t.Fatal(err)
			}
			fw, err := newForwarder(cfg)
			if err != nil || fw == nil {
				t.Fatalf("forwarder: %v, %v", fw, err)
			}
			png := append([]byte("\x89PNG\r\n\x1a\n"), "demo face"...)
			ref, err := fw.Forward(ctx, biometric.ForwardRequest{CaptureID: "cap-demo", CrossingID: "X", PNG: png, CapturedAt: time.Now()})
			if want, ok := d.bio.Reference("cap-demo"); err != nil || !ok || ref != want {
				t.Fatalf("forward = %q, %v; the service holds %q (%v)", ref, err, want, ok)
			}
		})
	}
}

// TestDemoForwardsNonCitizenCapture runs `booth --demo` at a pedestrian
// counter in tmux with the lost-stolen scenario (a Mexican passport holder
// whose face matches): the capture is forwarded to the demo's biometric
// system, the crossing gets its biometric.forwarded event, and the demo's
// port server accepts and holds it (not quarantined).
func TestDemoForwardsNonCitizenCapture(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "ped.toml")
	if err := os.WriteFile(conf, []byte("mode = \"pedestrian\"\nlane = \"P01\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, demoDir := startDemoTmux(t, dir, "booth-fwd", "lost-stolen", 120, 40, "--config", conf)
	s.WaitFor(15*time.Second, "SIGN IN", "badge "+demoBadge)
	s.Keys(demoBadge, "Enter")
	s.Keys(demoPIN, "Enter")
	s.WaitFor(30*time.Second, "HERNANDEZ, SOFIA", "MATCH")

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := sqlitestore.Open(ctx, filepath.Join(demoDir, "booth.db"), sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := sqlitestore.Open(ctx, filepath.Join(demoDir, "portserver.db"), sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The forward loop looks every 5 s; the sender sends at once.
	var fw *records.Event
	var crossing string
	for fw == nil || !heldAt(ctx, srv, crossing, fw.ID) {
		if ctx.Err() != nil {
			t.Fatalf("forward %+v never reached the demo's port server", fw)
		}
		time.Sleep(200 * time.Millisecond)
		if fw != nil {
			continue
		}
		hs, err := st.HistoryByDocument(ctx, "MEX", "G12345678", 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if h.Origin != "demo-booth" {
				continue
			}
			evs, err := st.Events(ctx, h.CrossingID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Kind == records.KindBiometricForwarded {
					fw, crossing = &e, h.CrossingID
				}
			}
		}
	}
	c, err := st.Crossing(ctx, crossing)
	if err != nil || len(c.Forwards) != 1 || !strings.HasPrefix(c.Forwards[0].Value.BiometricRef, "BIO-") {
		t.Fatalf("crossing forwards %+v (%v)", c, err)
	}
	if held, err := srv.Quarantined(ctx, sqlitestore.QuarantineFilter{}); err != nil || len(held) != 0 {
		t.Fatalf("the port server quarantined %+v (%v)", held, err)
	}
	s.Keys("C-c")
	s.WaitFor(10*time.Second, "BOOTH-EXITED 0")
}

// heldAt reports whether the store holds event id of crossing.
func heldAt(ctx context.Context, st *sqlitestore.Store, crossing, id string) bool {
	evs, err := st.Events(ctx, crossing)
	if err != nil {
		return false
	}
	for _, e := range evs {
		if e.ID == id {
			return true
		}
	}
	return false
}
