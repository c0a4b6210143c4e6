package main

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui"
)

// TestOfficerLogRefusesReadOnlySessions: at a primary booth an officer
// signed in with write access stores events, a supervisor's events are
// refused by the write handle whatever the keys, device events (no officer)
// always pass, and --read-only makes everyone read-only.
func TestOfficerLogRefusesReadOnlySessions(t *testing.T) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "booth.db"), sqlitestore.Options{Origin: "WS-1", PINIterations: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, o := range []struct{ badge, roles string }{{"P1", "primary"}, {"S1", "supervisor"}, {"X1", "secondary"}} {
		if err := st.AddOfficer(ctx, o.badge, "Officer "+o.badge, o.roles, []byte("480913")); err != nil {
			t.Fatal(err)
		}
	}
	cfg := defaultConfig()
	policy := newSignInPolicy(cfg)
	b := &storeBackend{Store: st, SignIn: policy}
	log := officerLog{next: crossingLog{store: st}, policy: policy}
	now := time.Now()

	p1, err := b.Authenticate(ctx, "P1", []byte("480913"), now)
	if err != nil || p1.ReadOnly {
		t.Fatalf("primary at a primary booth: %+v %v", p1, err)
	}
	s1, err := b.Authenticate(ctx, "S1", []byte("480913"), now)
	if err != nil || !s1.ReadOnly {
		t.Fatalf("supervisor at a primary booth: %+v %v", s1, err)
	}
	if _, err := b.Authenticate(ctx, "X1", []byte("480913"), now); !errors.Is(err, tui.ErrNoRole) {
		t.Errorf("secondary-only officer at a primary booth: %v", err)
	}

	open := func(officer string) records.Event {
		ev, err := records.NewEvent(records.NewID(), records.CrossingOpened{Port: "2608", Lane: "V01", Mode: records.ModeVehicle, Trigger: "manual"}, now, officer)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	if _, err := log.Append(ctx, open("")); err != nil {
		t.Errorf("device event refused: %v", err)
	}
	if _, err := log.Append(ctx, open("P1")); err != nil {
		t.Errorf("primary officer's event refused: %v", err)
	}
	if _, err := log.Append(ctx, open("S1")); !errors.Is(err, errReadOnlySession) {
		t.Errorf("supervisor's event: %v, want refused", err)
	}
	if _, err := log.Append(ctx, open("NOBODY")); !errors.Is(err, errReadOnlySession) {
		t.Errorf("event of an officer never signed in here: %v, want refused", err)
	}

	cfg.ReadOnly = true
	forced := &storeBackend{Store: st, SignIn: newSignInPolicy(cfg)}
	if p, err := forced.Authenticate(ctx, "P1", []byte("480913"), now); err != nil || !p.ReadOnly {
		t.Errorf("--read-only: primary officer %+v %v, want a read-only session", p, err)
	}
}
