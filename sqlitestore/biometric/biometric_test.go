package biometric

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

var capT0 = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)

var quiet = slog.New(slog.DiscardHandler)

// openOwnStore opens a crossing record (the audit chain and the purge
// events go there).
func openOwnStore(t *testing.T) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "booth.db"), sqlitestore.Options{Origin: "WS-TEST-1", Logger: quiet})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openCrossing appends the opening of crossing cid to s.
func openCrossing(t *testing.T, s *sqlitestore.Store, cid string) {
	t.Helper()
	e, err := records.NewEvent(cid, records.CrossingOpened{Port: "2504", Lane: "V01", Mode: records.ModeVehicle, Trigger: "manual"}, capT0, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(context.Background(), e); err != nil {
		t.Fatalf("open crossing %s: %v", cid, err)
	}
}

// fakePNG is a PNG signature followed by a recognisable pattern, so a test
// can look for leftovers of the image in the raw files.
func fakePNG(marker string, size int) []byte {
	b := append([]byte(nil), pngSignature...)
	for len(b) < size {
		b = append(b, marker...)
	}
	return b
}

func openBiometric(t *testing.T, main *sqlitestore.Store, opts Options) *Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quiet
	}
	if main != nil && opts.Audit == nil {
		opts.Audit = main
	}
	b, err := Open(context.Background(), filepath.Join(t.TempDir(), "booth.biometric.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func saveCapture(t *testing.T, b *Store, id string, cit CitizenshipStatus, at time.Time) {
	t.Helper()
	err := b.SaveCapture(context.Background(), Capture{ID: id, CrossingID: "X-" + id, Document: records.DocumentRef{Type: "P", Country: "MEX", Number: "G1"},
		PNG: fakePNG("FACE-"+id+"-", 2048), CapturedAt: at, Citizenship: cit})
	if err != nil {
		t.Fatalf("SaveCapture %s: %v", id, err)
	}
}

func TestBiometricCaptures(t *testing.T) {
	b := openBiometric(t, nil, Options{})
	ctx := context.Background()
	png := fakePNG("FACE", 5000)
	if err := b.SaveCapture(ctx, Capture{ID: "cap-1", CrossingID: "X1", Document: records.DocumentRef{Country: "D", Number: "c01x00t47"},
		PNG: png, CapturedAt: capT0}); err != nil {
		t.Fatal(err)
	}
	c, err := b.Capture(ctx, "cap-1")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(c.PNG, png) || c.CrossingID != "X1" || !c.CapturedAt.Equal(capT0) || c.Citizenship != CitizenUnknown ||
		c.Document.Key() != "DEU/C01X00T47" || !c.ForwardedAt.IsZero() {
		t.Errorf("capture = %+v", c)
	}
	if _, err := b.Capture(ctx, "nope"); !errors.Is(err, ErrCaptureNotFound) {
		t.Errorf("missing capture: %v", err)
	}

	for _, tc := range []struct {
		name string
		c    Capture
	}{
		{"duplicate id", Capture{ID: "cap-1", CrossingID: "X1", PNG: png, CapturedAt: capT0}},
		{"not a PNG", Capture{ID: "cap-2", CrossingID: "X1", PNG: []byte("GIF89a"), CapturedAt: capT0}},
		{"too big", Capture{ID: "cap-2", CrossingID: "X1", PNG: fakePNG("x", MaxCaptureBytes+1), CapturedAt: capT0}},
		{"no crossing", Capture{ID: "cap-2", PNG: png, CapturedAt: capT0}},
		{"no time", Capture{ID: "cap-2", CrossingID: "X1", PNG: png}},
		{"bad citizenship", Capture{ID: "cap-2", CrossingID: "X1", PNG: png, CapturedAt: capT0, Citizenship: "usa"}},
	} {
		if err := b.SaveCapture(ctx, tc.c); !errors.Is(err, ErrInvalidCapture) {
			t.Errorf("%s: SaveCapture = %v, want ErrInvalidCapture", tc.name, err)
		}
	}

	// Unknown citizenship is treated as a citizen's: never forwarded.
	if err := b.MarkForwarded(ctx, "cap-1", "IDENT-1", capT0); !errors.Is(err, ErrNotForwardable) {
		t.Errorf("forwarding an unknown-citizenship capture = %v", err)
	}
	if err := b.MarkCitizenship(ctx, "cap-1", CitizenUSC); err != nil {
		t.Fatal(err)
	}
	if err := b.MarkForwarded(ctx, "cap-1", "IDENT-1", capT0); !errors.Is(err, ErrNotForwardable) {
		t.Errorf("forwarding a citizen's capture = %v", err)
	}
	if err := b.MarkCitizenship(ctx, "cap-1", CitizenNonUSC); err != nil {
		t.Fatal(err)
	}
	if err := b.MarkForwarded(ctx, "cap-1", "IDENT-1", capT0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	c, _ = b.Capture(ctx, "cap-1")
	if c.Citizenship != CitizenNonUSC || c.BiometricRef != "IDENT-1" || !c.ForwardedAt.Equal(capT0.Add(time.Minute)) {
		t.Errorf("after forwarding: %+v", c)
	}
	if err := b.MarkCitizenship(ctx, "nope", CitizenUSC); !errors.Is(err, ErrCaptureNotFound) {
		t.Errorf("mark missing: %v", err)
	}
	if err := b.MarkCitizenship(ctx, "cap-1", "citizen"); !errors.Is(err, ErrInvalidCapture) {
		t.Errorf("mark bad status: %v", err)
	}
	if err := b.MarkForwarded(ctx, "nope", "IDENT-2", capT0); !errors.Is(err, ErrCaptureNotFound) {
		t.Errorf("forward missing: %v", err)
	}

	if runtimeFileMode(t, b.Path()) != 0o600 {
		t.Errorf("biometric store file mode %o, want 600", runtimeFileMode(t, b.Path()))
	}
}

func runtimeFileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestRetentionBoundaries(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name       string
		cit        CitizenshipStatus
		forwarded  bool
		age        time.Duration
		wantPurged bool
		reason     string
	}{
		{"citizen at 11h59m", CitizenUSC, false, 11*time.Hour + 59*time.Minute, false, ""},
		{"citizen 1ns before 12h", CitizenUSC, false, 12*time.Hour - time.Nanosecond, false, ""},
		{"citizen at 12h", CitizenUSC, false, 12 * time.Hour, true, PurgeReasonUSC},
		{"unknown at 11h59m", CitizenUnknown, false, 11*time.Hour + 59*time.Minute, false, ""},
		{"unknown at 12h", CitizenUnknown, false, 12 * time.Hour, true, PurgeReasonUnknown},
		{"non-citizen at 12h", CitizenNonUSC, false, 12 * time.Hour, false, ""},
		{"non-citizen at 13d23h59m", CitizenNonUSC, false, 14*day - time.Minute, false, ""},
		{"forwarded non-citizen at 13d23h59m", CitizenNonUSC, true, 14*day - time.Minute, false, ""},
		{"non-citizen at 14d", CitizenNonUSC, false, 14 * day, true, PurgeReasonNonUSC},
		{"forwarded non-citizen at 14d", CitizenNonUSC, true, 14 * day, true, PurgeReasonNonUSC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			main := openOwnStore(t)
			b := openBiometric(t, main, Options{})
			ctx := context.Background()
			saveCapture(t, b, "c1", tc.cit, capT0)
			if tc.forwarded {
				if err := b.MarkForwarded(ctx, "c1", "IDENT-77", capT0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			purged, err := b.RunRetention(ctx, capT0.Add(tc.age))
			if err != nil {
				t.Fatal(err)
			}
			_, errGet := b.Capture(ctx, "c1")
			if !tc.wantPurged {
				if len(purged) != 0 || errGet != nil {
					t.Errorf("purged %v (capture err %v), want kept", purged, errGet)
				}
				return
			}
			if len(purged) != 1 || !errors.Is(errGet, ErrCaptureNotFound) {
				t.Fatalf("purged %v (capture err %v), want c1 deleted", purged, errGet)
			}
			p := purged[0]
			if p.CaptureID != "c1" || p.CrossingID != "X-c1" || !p.CapturedAt.Equal(capT0) || p.Reason != tc.reason || !p.PurgedAt.Equal(capT0.Add(tc.age)) {
				t.Errorf("purge = %+v", p)
			}
			if tc.forwarded && (p.BiometricRef != "IDENT-77" || p.ForwardedAt.IsZero()) {
				t.Errorf("forwarded purge lost its reference: %+v", p)
			}
			ev := p.Event()
			if ev.Reason != tc.reason || !ev.CapturedAt.Equal(capT0) {
				t.Errorf("event = %+v", ev)
			}
			if (tc.cit == CitizenNonUSC) != (ev.CaptureRef == "c1") {
				t.Errorf("event capture ref %q for a %s capture", ev.CaptureRef, tc.cit)
			}
			audit, _ := main.RecentAudit(ctx, 10)
			if len(audit) != 1 || audit[0].Action != sqlitestore.ActionPurge || audit[0].Subject != "capture:c1" || audit[0].ID != p.ID ||
				!strings.Contains(string(audit[0].Detail), tc.reason) || strings.Contains(string(audit[0].Detail), "FACE") {
				t.Errorf("audit = %+v", audit)
			}
			// A second run finds nothing more.
			if again, err := b.RunRetention(ctx, capT0.Add(tc.age+time.Hour)); err != nil || len(again) != 0 {
				t.Errorf("second run = %v, %v", again, err)
			}
		})
	}
}

func TestRetentionOverridesAndMixedBatch(t *testing.T) {
	main := openOwnStore(t)
	b := openBiometric(t, main, Options{USCRetention: time.Minute, NonUSCRetention: time.Hour})
	ctx := context.Background()
	for i, cit := range []CitizenshipStatus{CitizenUSC, CitizenUnknown, CitizenNonUSC, CitizenNonUSC} {
		saveCapture(t, b, string(rune('a'+i)), cit, capT0.Add(time.Duration(i)*time.Minute))
	}
	purged, err := b.RunRetention(ctx, capT0.Add(90*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range purged {
		ids = append(ids, p.CaptureID)
	}
	sort.Strings(ids)
	if strings.Join(ids, ",") != "a" {
		t.Errorf("purged %v at +90s, want [a]", ids)
	}
	purged, _ = b.RunRetention(ctx, capT0.Add(62*time.Minute))
	if len(purged) != 2 { // b (1 min) and c (non-citizen, captured +2m, due +62m)
		t.Errorf("purged %d at +62m, want 2: %+v", len(purged), purged)
	}
	if rep, err := main.VerifyAudit(ctx); err != nil || !rep.OK || rep.Entries != 3 {
		t.Errorf("audit after purges: %+v, %v", rep, err)
	}
}

func TestRetentionHandOverIsRetried(t *testing.T) {
	main := openOwnStore(t)
	var handed []string
	fail := true
	b := openBiometric(t, main, Options{OnPurge: func(ctx context.Context, p Purge) error {
		if fail {
			return errors.New("event log unavailable")
		}
		handed = append(handed, p.ID)
		return nil
	}})
	ctx := context.Background()
	saveCapture(t, b, "c1", CitizenUSC, capT0)
	purged, err := b.RunRetention(ctx, capT0.Add(13*time.Hour))
	if err == nil || len(purged) != 0 {
		t.Fatalf("failing hand-over: purged %v, err %v", purged, err)
	}
	// The image is gone even though the hand-over failed.
	if _, err := b.Capture(ctx, "c1"); !errors.Is(err, ErrCaptureNotFound) {
		t.Errorf("capture still there: %v", err)
	}
	fail = false
	purged, err = b.RunRetention(ctx, capT0.Add(14*time.Hour))
	if err != nil || len(purged) != 1 || len(handed) != 1 || handed[0] != purged[0].ID {
		t.Fatalf("retry: purged %v handed %v err %v", purged, handed, err)
	}
	// Audited once although it was audited in both runs.
	if rep, _ := main.VerifyAudit(ctx); rep.Entries != 1 {
		t.Errorf("%d audit entries, want 1", rep.Entries)
	}
	if purged, err := b.RunRetention(ctx, capT0.Add(15*time.Hour)); err != nil || len(purged) != 0 {
		t.Errorf("third run: %v, %v", purged, err)
	}
}

func TestRetentionRecordsPurgeEvents(t *testing.T) {
	main := openOwnStore(t)
	b := openBiometric(t, main, Options{OnPurge: RecordPurges(main)})
	ctx := context.Background()
	saveCapture(t, b, "c1", CitizenNonUSC, capT0)
	saveCapture(t, b, "c2", CitizenUSC, capT0)
	// c3's crossing never committed here (its opening failed): the purge
	// goes through, with its audit entry and no event.
	saveCapture(t, b, "c3", CitizenUSC, capT0)
	openCrossing(t, main, "X-c1")
	openCrossing(t, main, "X-c2")
	purged, err := b.RunRetention(ctx, capT0.Add(15*24*time.Hour))
	if err != nil || len(purged) != 3 {
		t.Fatalf("RunRetention = %v, %v", purged, err)
	}
	for _, p := range purged {
		evs, err := main.Events(ctx, p.CrossingID)
		if p.CrossingID == "X-c3" {
			if err != nil || len(evs) != 0 {
				t.Errorf("events of the crossing never opened: %+v, %v", evs, err)
			}
			continue
		}
		if err != nil || len(evs) != 2 || evs[1].ID != p.ID || evs[1].Kind != records.KindBiometricPurged {
			t.Fatalf("events of %s = %+v, %v", p.CrossingID, evs, err)
		}
		d, err := evs[1].Decode()
		if err != nil {
			t.Fatal(err)
		}
		if got := d.(*records.BiometricPurged); *got != p.Event() {
			t.Errorf("event payload %+v, want %+v", got, p.Event())
		}
		// Handing the same purge over again stores nothing new.
		if err := RecordPurges(main)(ctx, p); err != nil {
			t.Fatal(err)
		}
		if evs, _ := main.Events(ctx, p.CrossingID); len(evs) != 2 {
			t.Errorf("retried hand-over stored %d events", len(evs)-1)
		}
	}
}

func TestRetentionNeedsAuditor(t *testing.T) {
	b := openBiometric(t, nil, Options{})
	if _, err := b.RunRetention(context.Background(), capT0); err == nil {
		t.Error("RunRetention without an auditor succeeded")
	}
}

// TestPurgedImagesDoNotLinger reads the raw files after a purge: no byte of
// a deleted image may remain in the database or its WAL, and the file
// shrinks.
func TestPurgedImagesDoNotLinger(t *testing.T) {
	main := openOwnStore(t)
	b := openBiometric(t, main, Options{})
	ctx := context.Background()
	const marker = "SECRET-FACE-PIXELS-"
	for i := 0; i < 8; i++ {
		if err := b.SaveCapture(ctx, Capture{ID: "gone-" + string(rune('0'+i)), CrossingID: "X", PNG: fakePNG(marker, 200<<10),
			CapturedAt: capT0, Citizenship: CitizenUSC}); err != nil {
			t.Fatal(err)
		}
	}
	saveCapture(t, b, "kept", CitizenNonUSC, capT0)
	if _, err := b.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	before := fileBytes(t, b.Path())
	// Images are encrypted at rest: look for what is stored, the sealed
	// bytes, and for the plain marker too.
	var sealed []byte
	if err := b.db.QueryRowContext(ctx, `SELECT png FROM captures WHERE id = 'gone-3'`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	stored := sealed[100:164]
	if !bytes.Contains(before, stored) {
		t.Fatal("the stored image bytes are not in the file before the purge: the test cannot see leftovers")
	}
	purged, err := b.RunRetention(ctx, capT0.Add(12*time.Hour))
	if err != nil || len(purged) != 8 {
		t.Fatalf("RunRetention = %d purges, %v", len(purged), err)
	}
	path := b.Path()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	after := fileBytes(t, path)
	for _, f := range [][]byte{after, fileBytes(t, path+"-wal")} {
		if bytes.Contains(f, []byte(marker)) || bytes.Contains(f, stored) || bytes.Contains(f, []byte("gone-")) {
			t.Error("a purged image or its id is still in the biometric store's files")
		}
	}
	if len(after) >= len(before)/4 {
		t.Errorf("file is %d bytes after purging, %d before: free pages not released", len(after), len(before))
	}
	b2, err := Open(ctx, path, Options{Audit: main})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if c, err := b2.Capture(ctx, "kept"); err != nil || !bytes.HasPrefix(c.PNG, pngSignature) {
		t.Errorf("kept capture damaged: %v", err)
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPath(t *testing.T) {
	for in, want := range map[string]string{
		"/var/lib/booth/booth.db": "/var/lib/booth/booth.biometric.db",
		"booth.sqlite":            "booth.biometric.db",
		"data/booth":              "data/booth.biometric.db",
	} {
		if got := Path(in); got != want {
			t.Errorf("Path(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOpenStoreMadeBeforeMigrations: a biometric store created when its
// schema was inline (the 0001 tables, no schema_version, plain images) opens,
// is recorded at version 1 and migrated on, and keeps its captures readable
// (re-encrypted).
func TestOpenStoreMadeBeforeMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "booth.biometric.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ddl, err := migrationFS.ReadFile("migrations/0001_captures.sql")
	if err != nil {
		t.Fatal(err)
	}
	png := fakePNG("OLD-FACE-", 4096)
	for _, q := range []string{string(ddl)} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(`INSERT INTO captures (id, crossing_id, doc_key, png, captured_at, citizenship) VALUES ('old', 'X', 'MEX/G1', ?, ?, 'usc')`,
		png, capT0.UnixNano()); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	again, err := Open(ctx, path, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if c, err := again.Capture(ctx, "old"); err != nil || !bytes.Equal(c.PNG, png) {
		t.Errorf("capture made before migrations: %v", err)
	}
	var v, min int
	if err := again.db.QueryRowContext(ctx, `SELECT min(version), max(version) FROM schema_version`).Scan(&min, &v); err != nil || min != 1 || v != 3 {
		t.Errorf("schema versions %d..%d, %v; want 1..3", min, v, err)
	}
}
