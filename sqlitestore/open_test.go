package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

func TestOpenConfiguresSQLite(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	for _, c := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	} {
		var got string
		if err := s.write.QueryRowContext(ctx, "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", c.pragma, err)
		}
		if got != c.want {
			t.Errorf("writer PRAGMA %s = %q, want %q", c.pragma, got, c.want)
		}
	}
	var qo int
	if err := s.read.QueryRowContext(ctx, "PRAGMA query_only").Scan(&qo); err != nil || qo != 1 {
		t.Errorf("reader query_only = %d, %v; want 1", qo, err)
	}
	if n := s.write.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool has %d connections, want exactly 1", n)
	}
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "booth.db")
	ctx := context.Background()
	for i := range 3 {
		s, err := Open(ctx, path, Options{Origin: "WS1", Logger: quiet})
		if err != nil {
			t.Fatalf("open #%d: %v", i, err)
		}
		var n, distinct int
		if err := s.read.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT version) FROM schema_version`).Scan(&n, &distinct); err != nil {
			t.Fatal(err)
		}
		ms, _ := loadMigrations()
		if n != len(ms) || distinct != len(ms) {
			t.Errorf("open #%d: schema_version has %d rows (%d distinct), want %d", i, n, distinct, len(ms))
		}
		if _, err := s.Append(ctx, opening(t, "C1", t0), mustEvent(t, "C1", records.Note{Text: "x"}, t0, "B1")); err != nil {
			t.Fatalf("append after open #%d: %v", i, err)
		}
		s.Close()
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "booth.db")
	s := openAt(t, path, Options{Origin: "WS1"})
	future := SchemaVersion() + 1000
	if _, err := s.write.Exec(`INSERT INTO schema_version (version, name, applied_at) VALUES (?, 'future.sql', 0)`, future); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, opts := range []Options{{Origin: "WS1"}, {ReadOnly: true}} {
		opts.Logger = quiet
		_, err := Open(context.Background(), path, opts)
		if !errors.Is(err, ErrSchemaTooNew) {
			t.Fatalf("Open(readOnly=%v) of a newer database: err = %v, want ErrSchemaTooNew", opts.ReadOnly, err)
		}
		if !strings.Contains(err.Error(), "newer booth build") {
			t.Errorf("error does not tell the user what to do: %v", err)
		}
	}
}

func TestOpenRefusesOtherWorkstation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "booth.db")
	openAt(t, path, Options{Origin: "WS1"}).Close()
	_, err := Open(context.Background(), path, Options{Origin: "WS2", Logger: quiet})
	if !errors.Is(err, ErrWrongWorkstation) {
		t.Fatalf("err = %v, want ErrWrongWorkstation", err)
	}
}

func TestOpenNeedsOriginToWrite(t *testing.T) {
	_, err := Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), Options{Logger: quiet})
	if err == nil {
		t.Fatal("Open without Origin succeeded")
	}
}

func TestReadOnlyMissingFileIsNotCreated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.db")
	if _, err := Open(context.Background(), path, Options{ReadOnly: true, Logger: quiet}); err == nil {
		t.Fatal("read-only Open of a missing file succeeded")
	}
}

func TestReadOnlyStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "booth.db")
	w := openAt(t, path, Options{Origin: "WS1"})
	evs := vehicleCrossing(t, t0, "V01", "us-ca", "7ABC123", "", false, traveller{"GARCIA", "MARIA", "1984-03-17", "USA", "561234567"})
	if _, err := w.Append(ctx, evs...); err != nil {
		t.Fatal(err)
	}

	r := openAt(t, path, Options{ReadOnly: true})
	if _, err := r.Append(ctx, mustEvent(t, "C", records.Note{Text: "x"}, t0, "B1")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Append on read-only store: %v, want ErrReadOnly", err)
	}
	if err := r.AckOutbox(ctx, 1); !errors.Is(err, ErrReadOnly) {
		t.Errorf("AckOutbox on read-only store: %v, want ErrReadOnly", err)
	}
	if err := r.RebuildProjections(ctx); !errors.Is(err, ErrReadOnly) {
		t.Errorf("RebuildProjections on read-only store: %v, want ErrReadOnly", err)
	}
	// SQLite itself refuses, even with raw SQL and query_only switched off.
	conn, err := r.read.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA query_only = 0`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO events (id, crossing_id, origin, origin_seq, kind, officer, schema, payload) VALUES ('x', 'c', 'o', 1, 'note', '', 1, '{}')`,
		`INSERT INTO outbox_ack (singleton, acked) VALUES (2, 5)`,
		`DELETE FROM crossings`,
	} {
		if _, err := conn.ExecContext(ctx, q); err == nil {
			t.Errorf("raw write through read-only handle succeeded: %s", q)
		}
	}
	// Reads work, and see the writer's commits.
	got, err := r.Events(ctx, evs[0].CrossingID)
	if err != nil || len(got) != len(evs) {
		t.Fatalf("read-only Events: %d events, %v; want %d", len(got), err, len(evs))
	}
	if h, err := r.HistoryByPlate(ctx, "", "7ABC123", 10); err != nil || len(h) != 1 {
		t.Fatalf("read-only HistoryByPlate: %v, %v", h, err)
	}
	more := vehicleCrossing(t, t0.Add(time.Hour), "V01", "us-ca", "7ABC123", "", false, traveller{"GARCIA", "MARIA", "1984-03-17", "USA", "561234567"})
	if _, err := w.Append(ctx, more...); err != nil {
		t.Fatal(err)
	}
	if h, err := r.HistoryByPlate(ctx, "", "7ABC123", 10); err != nil || len(h) != 2 {
		t.Fatalf("read-only store does not see new commit: %d entries, %v", len(h), err)
	}
}

func TestEventsAreInsertOnly(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if _, err := s.Append(ctx, opening(t, "C1", t0), mustEvent(t, "C1", records.Note{Text: "original"}, t0.Add(time.Second), "B1")); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE events SET payload = '{"text":"forged"}'`,
		`DELETE FROM events`,
		`UPDATE outbox SET event_id = 'other'`,
	} {
		_, err := s.write.ExecContext(ctx, q)
		if err == nil {
			t.Errorf("%s: succeeded, want refusal", q)
			continue
		}
		if !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: %v, want the trigger's refusal", q, err)
		}
	}
	evs, err := s.Events(ctx, "C1")
	if err != nil || len(evs) != 2 || !strings.Contains(string(evs[1].Payload), "original") {
		t.Fatalf("event changed: %+v, %v", evs, err)
	}
}

func TestSchemaVersionMatchesMigrations(t *testing.T) {
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("first migration is %+v, want version 1", ms)
	}
	if SchemaVersion() != ms[len(ms)-1].Version {
		t.Errorf("SchemaVersion() = %d, want %d", SchemaVersion(), ms[len(ms)-1].Version)
	}
}

// rawCount is a test helper counting rows through the writer.
func rawCount(t testing.TB, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
