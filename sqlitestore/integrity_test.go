package sqlitestore

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// replicatedFrom stamps evs as origin's events numbered from seq.
func replicatedFrom(origin string, seq int64, evs ...records.Event) []records.Event {
	for i := range evs {
		evs[i].Origin, evs[i].OriginSeq = origin, seq+int64(i)
	}
	return evs
}

func TestMissingOpenings(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	whole := replicatedFrom("WS-A", 1,
		opening(t, "WHOLE", t0),
		mustEvent(t, "WHOLE", records.Note{Text: "n"}, t0.Add(time.Second), "B1"))
	tagOnly := mustEvent(t, "HEADLESS", records.RFIDRead{EPC: "E20000000000000000000001", RSSI: -40}, t0.Add(time.Minute), "")
	headless := replicatedFrom("WS-B", 1,
		tagOnly,
		mustEvent(t, "HEADLESS", records.Note{Text: "admitted without an opening"}, t0.Add(2*time.Minute), "B2"))
	other := replicatedFrom("WS-B", 3, mustEvent(t, "HEADLESS2", records.Note{Text: "x"}, t0.Add(3*time.Minute), "B2"))
	for _, evs := range [][]records.Event{whole, headless, other} {
		if _, err := s.Append(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := s.MissingOpenings(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 2 || rep.ByOrigin["WS-B"] != 2 || len(rep.ByOrigin) != 1 || len(rep.Crossings) != 1 {
		t.Fatalf("report %+v, want the two WS-B crossings, one listed", rep)
	}
	m := rep.Crossings[0]
	if m.CrossingID != "HEADLESS" || m.Origin != "WS-B" || m.FirstEventID != tagOnly.ID || m.FirstKind != records.KindRFIDRead ||
		m.FirstOriginSeq != 1 || m.Events != 2 || !m.LastAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("listed %+v", m)
	}
	// The opening arriving late clears the flag.
	late := replicatedFrom("WS-B", 4, opening(t, "HEADLESS", t0))
	if _, err := s.Append(ctx, late...); err != nil {
		t.Fatal(err)
	}
	if rep, err = s.MissingOpenings(ctx, 10); err != nil || rep.Total != 1 || rep.Crossings[0].CrossingID != "HEADLESS2" {
		t.Errorf("after the late opening: %+v, %v", rep, err)
	}
	// A rebuild derives the same flag.
	if err := s.RebuildProjections(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err = s.MissingOpenings(ctx, 10); err != nil || rep.Total != 1 {
		t.Errorf("after a rebuild: %+v, %v", rep, err)
	}
}

// TestMigrationFlagsOldCrossingsWithoutOpening: a database written before
// the flag existed gets it for the crossings it already holds.
func TestMigrationFlagsOldCrossingsWithoutOpening(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate(ctx, db, ms[:1]); err != nil { // 0001 only
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO events (id, crossing_id, origin, origin_seq, kind, officer, schema, payload) VALUES
			('e1', 'OLD', 'WS-A', 1, 'note', 'B1', 1, '{"text":"x"}'),
			('e2', 'FINE', 'WS-A', 2, 'crossing.opened', '', 1, '{"port":"2504","lane":"V01","mode":"vehicle"}')`,
		`INSERT INTO crossings (id, port, lane, mode, origin, opened_at, last_at, status, outcome, plate, region, names,
			alerts, open_alerts, referred, events, keys_hash) VALUES
			('OLD', '', '', '', '', 0, 0, 'open', '', '', '', '[]', 0, 0, 0, 1, ''),
			('FINE', '2504', 'V01', 'vehicle', 'WS-A', 0, 0, 'open', '', '', '', '[]', 0, 0, 0, 1, '')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s := openAt(t, path, Options{Origin: "WS-A"})
	rep, err := s.MissingOpenings(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 1 || rep.Crossings[0].CrossingID != "OLD" || rep.Crossings[0].FirstEventID != "e1" {
		t.Errorf("after migrating: %+v, want OLD flagged", rep)
	}
}
