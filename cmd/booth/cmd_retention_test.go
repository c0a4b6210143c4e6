package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/biometric"
)

func TestRetentionRunCommand(t *testing.T) {
	db := filepath.Join(t.TempDir(), "booth.db")
	ctx := context.Background()

	code, out, _ := runMaint(t, "", "retention", "run", "--db", db)
	if code != 0 || !strings.Contains(out, "nothing to purge") {
		t.Fatalf("without a biometric store: exit %d, %q", code, out)
	}

	captured := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	// A capture belongs to a crossing the booth opened (the face result is
	// recorded before the capture is kept): open both crossings first.
	st, err := sqlitestore.Open(ctx, db, sqlitestore.Options{Origin: "booth-01"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"X-cap-usc", "X-cap-visitor"} {
		ev, err := records.NewEvent(id, records.CrossingOpened{Port: "2608", Lane: "V01", Mode: records.ModeVehicle, Trigger: "rfid"}, captured, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Append(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	bio, err := biometric.Open(ctx, biometric.Path(db), biometric.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id  string
		cit biometric.CitizenshipStatus
	}{{"cap-usc", biometric.CitizenUSC}, {"cap-visitor", biometric.CitizenNonUSC}} {
		if err := bio.SaveCapture(ctx, biometric.Capture{ID: c.id, CrossingID: "X-" + c.id, PNG: []byte("\x89PNG\r\n\x1a\nimage"),
			CapturedAt: captured, Citizenship: c.cit}); err != nil {
			t.Fatal(err)
		}
	}
	bio.Close()

	for _, tc := range []struct {
		now    time.Time
		purged []string
	}{
		{captured.Add(11*time.Hour + 59*time.Minute), nil},
		{captured.Add(12 * time.Hour), []string{"cap-usc"}},
		{captured.Add(14*24*time.Hour - time.Second), nil},
		{captured.Add(14 * 24 * time.Hour), []string{"cap-visitor"}},
	} {
		// These times lie ahead of the real clock: the test says its clock is a test's.
		code, out, errs := runMaint(t, "", "retention", "run", "--db", db, "--now", tc.now.Format(time.RFC3339), "--test-clock")
		if code != 0 {
			t.Fatalf("--now %s: exit %d, %s", tc.now, code, errs)
		}
		if !strings.Contains(out, "capture(s) purged") || strings.Count(out, "purged capture ") != len(tc.purged) {
			t.Errorf("--now %s: output %q, want %v purged", tc.now, out, tc.purged)
		}
		for _, id := range tc.purged {
			if !strings.Contains(out, "purged capture "+id) {
				t.Errorf("--now %s: %s not reported purged: %q", tc.now, id, out)
			}
		}
	}

	// Each purge left an audit entry and a biometric.purged event.
	s, err := sqlitestore.Open(ctx, db, sqlitestore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, id := range []string{"cap-usc", "cap-visitor"} {
		evs, err := s.Events(ctx, "X-"+id)
		if err != nil || len(evs) != 2 || evs[0].Kind != records.KindCrossingOpened || evs[1].Kind != records.KindBiometricPurged {
			t.Errorf("events of X-%s: %+v, %v", id, evs, err)
		}
	}
	if code, out, _ := runMaint(t, "", "audit", "verify", "--db", db); code != 0 || !strings.Contains(out, "2 entries") {
		t.Errorf("audit after retention: exit %d, %q", code, out)
	}

	if code, _, errs := runMaint(t, "", "retention", "run", "--db", db, "--now", "yesterday"); code != 2 || !strings.Contains(errs, "RFC 3339") {
		t.Errorf("bad --now: exit %d, %q", code, errs)
	}
}

// TestRetentionNowInFuture: --now is for tests; a time more than a minute
// ahead of the clock would date purge audit entries in the future, so it is
// refused (and nothing is purged) unless --test-clock is given.
func TestRetentionNowInFuture(t *testing.T) {
	db := filepath.Join(t.TempDir(), "booth.db")
	ctx := context.Background()
	captured := time.Now().UTC().Add(-time.Hour)
	st, err := sqlitestore.Open(ctx, db, sqlitestore.Options{Origin: "booth-01"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := records.NewEvent("X-future", records.CrossingOpened{Port: "2608", Lane: "V01", Mode: records.ModeVehicle, Trigger: "rfid"}, captured, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, ev); err != nil {
		t.Fatal(err)
	}
	st.Close()
	bio, err := biometric.Open(ctx, biometric.Path(db), biometric.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := bio.SaveCapture(ctx, biometric.Capture{ID: "cap-future", CrossingID: "X-future", PNG: []byte("\x89PNG\r\n\x1a\nimage"),
		CapturedAt: captured, Citizenship: biometric.CitizenUSC}); err != nil {
		t.Fatal(err)
	}
	bio.Close()

	now := time.Now().UTC()
	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		purged bool
	}{
		{"a day ahead", []string{"--now", now.Add(24 * time.Hour).Format(time.RFC3339)}, 2, false},
		{"two minutes ahead", []string{"--now", now.Add(2 * time.Minute).Format(time.RFC3339)}, 2, false},
		{"test clock without --now", []string{"--test-clock"}, 2, false},
		{"30 s ahead (skew)", []string{"--now", now.Add(30 * time.Second).Format(time.RFC3339)}, 0, false},
		{"in the past", []string{"--now", now.Add(-24 * time.Hour).Format(time.RFC3339)}, 0, false},
		{"a day ahead with --test-clock", []string{"--now", now.Add(24 * time.Hour).Format(time.RFC3339), "--test-clock"}, 0, true},
	} {
		code, out, errs := runMaint(t, "", append([]string{"retention", "run", "--db", db}, tc.args...)...)
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d (%s%s)", tc.name, code, tc.code, out, errs)
		}
		if tc.code == 2 && !strings.Contains(errs, "--test-clock") {
			t.Errorf("%s: the refusal does not name --test-clock: %q", tc.name, errs)
		}
		if got := strings.Contains(out, "purged capture cap-future"); got != tc.purged {
			t.Errorf("%s: purged %v, want %v (%q)", tc.name, got, tc.purged, out)
		}
	}
	// Only the --test-clock run audited a purge.
	if code, out, _ := runMaint(t, "", "audit", "verify", "--db", db); code != 0 || !strings.Contains(out, "1 entries") {
		t.Errorf("audit after the runs: exit %d, %q", code, out)
	}
}
