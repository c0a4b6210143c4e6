package sqlitestore

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

func openReplStore(t *testing.T, origin string) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), origin+".db"), Options{Origin: origin})
	if err != nil {
		t.Fatalf("open %s: %v", origin, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// localEvents appends n local events to s over a few crossings and returns
// them as stored (with origin and origin_seq).
func localEvents(t *testing.T, s *Store, n int) []records.Event {
	t.Helper()
	ctx := context.Background()
	var out []records.Event
	base := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	crossing := ""
	for i := 0; i < n; i++ {
		var p records.Payload = records.Note{Text: "note"}
		if i%5 == 0 {
			crossing = records.NewID()
			p = records.CrossingOpened{Port: "2604", Lane: "L1", Mode: records.ModeVehicle, Trigger: "manual"}
		}
		e, err := records.NewEvent(crossing, p, base.Add(time.Duration(i)*time.Second), "B100")
		if err != nil {
			t.Fatal(err)
		}
		stored, err := s.Append(ctx, e)
		if err != nil {
			t.Fatalf("append: %v", err)
		}
		out = append(out, stored...)
	}
	return out
}

func TestIngestIdempotentAndGapFree(t *testing.T) {
	ctx := context.Background()
	booth := openReplStore(t, "booth-1")
	server := openReplStore(t, "port-2604")
	evs := localEvents(t, booth, 10)

	res, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: evs[:6], Backlog: 4})
	if err != nil || res.Acked != 6 || res.Applied != 6 {
		t.Fatalf("first batch: %+v, %v", res, err)
	}
	// A resend after a lost ack overlaps what the server holds.
	res, err = server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: evs[3:]})
	if err != nil || res.Acked != 10 || res.Applied != 4 || res.Duplicates != 3 {
		t.Fatalf("overlapping batch: %+v, %v", res, err)
	}
	n, err := server.FeedHead(ctx)
	if err != nil || n != 10 {
		t.Fatalf("feed head = %d, %v; want 10", n, err)
	}

	more := localEvents(t, booth, 3) // #11..#13
	_, err = server.Ingest(ctx, IngestBatch{Origin: "booth-1", Role: "primary", Events: more[1:]})
	var gap *records.GapError
	if !errors.As(err, &gap) || gap.Expected != 11 || gap.Got != 12 {
		t.Fatalf("gap: err = %v, want expected 11 got 12", err)
	}
	ws, err := server.Workstations(ctx)
	if err != nil || len(ws) != 1 || ws[0].HighWater != 10 || ws[0].Role != "primary" {
		t.Fatalf("workstations = %+v, %v", ws, err)
	}
}

func TestIngestRefusals(t *testing.T) {
	ctx := context.Background()
	booth := openReplStore(t, "booth-1")
	evs := localEvents(t, booth, 4)

	newer := evs[2]
	newer.Schema = records.SchemaVersion + 1
	forged := evs[1]
	forged.ID = records.NewID()

	tests := []struct {
		name      string
		origin    string
		events    []records.Event
		wantAcked int64
		check     func(error) bool
	}{
		// Quarantined, not refused: the batch goes on and the mark moves
		// past it (replication_quarantine_test.go has the rest).
		{"newer schema is quarantined and the batch goes on", "booth-1", []records.Event{evs[0], evs[1], newer, evs[3]}, 4,
			func(err error) bool { return err == nil }},
		{"events of another origin", "booth-2", evs[:1], 0,
			func(err error) bool { return errors.Is(err, records.ErrForeignOrigin) }},
		{"another event under a held number", "booth-1", []records.Event{evs[0], forged}, 1,
			func(err error) bool { return errors.Is(err, records.ErrSequenceConflict) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			server := openReplStore(t, "port-2604")
			if tt.name == "another event under a held number" {
				if _, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Events: evs[:2]}); err != nil {
					t.Fatal(err)
				}
			}
			res, err := server.Ingest(ctx, IngestBatch{Origin: tt.origin, Role: "primary", Events: tt.events})
			if !tt.check(err) {
				t.Fatalf("err = %v", err)
			}
			if tt.name != "another event under a held number" && res.Acked != tt.wantAcked {
				t.Fatalf("acked = %d, want %d", res.Acked, tt.wantAcked)
			}
		})
	}
}

func TestApplyFeedAtomicWithCheckpoint(t *testing.T) {
	ctx := context.Background()
	b1 := openReplStore(t, "booth-1")
	server := openReplStore(t, "port-2604")
	sec := openReplStore(t, "booth-2")
	evs := localEvents(t, b1, 7)
	if _, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Events: evs}); err != nil {
		t.Fatal(err)
	}
	feed, err := server.FeedSince(ctx, 0, 4)
	if err != nil || len(feed) != 4 || feed[3].Version != 4 {
		t.Fatalf("feed = %d events, %v", len(feed), err)
	}
	batch := make([]records.Event, len(feed))
	for i, fe := range feed {
		batch[i] = fe.Event
	}
	if n, err := sec.ApplyFeed(ctx, FeedApply{Events: batch, Version: 4}); err != nil || n != 4 {
		t.Fatalf("apply = %d, %v", n, err)
	}
	// Applying again (a repeated response) changes nothing.
	if n, err := sec.ApplyFeed(ctx, FeedApply{Events: batch, Version: 4}); err != nil || n != 0 {
		t.Fatalf("re-apply = %d, %v", n, err)
	}
	cp, err := sec.FeedCheckpoint(ctx)
	if err != nil || cp.Version != 4 {
		t.Fatalf("checkpoint = %+v, %v", cp, err)
	}
	// A batch with a conflicting event applies nothing, not even the
	// checkpoint.
	bad := evs[5]
	bad.ID = records.NewID()
	bad.OriginSeq = 2
	if _, err := sec.ApplyFeed(ctx, FeedApply{Events: []records.Event{evs[4], bad}, Version: 6}); !errors.Is(err, records.ErrSequenceConflict) {
		t.Fatalf("conflict: err = %v", err)
	}
	if cp, _ := sec.FeedCheckpoint(ctx); cp.Version != 4 {
		t.Fatalf("checkpoint moved to %d after a failed apply", cp.Version)
	}
	// The secondary's own outbox holds none of the replicated events.
	if n, _, err := sec.Backlog(ctx); err != nil || n != 0 {
		t.Fatalf("secondary backlog = %d, %v", n, err)
	}
}

func TestFeedCompactionAndSnapshot(t *testing.T) {
	ctx := context.Background()
	b1 := openReplStore(t, "booth-1")
	server := openReplStore(t, "port-2604")
	evs := localEvents(t, b1, 10) // two crossings of five events
	// Close the first crossing.
	first := evs[0].CrossingID
	det, _ := records.NewEvent(first, records.Determination{Outcome: records.OutcomeAdmitted}, evs[4].At.Add(time.Second), "B100")
	cl, _ := records.NewEvent(first, records.CrossingClosed{}, evs[4].At.Add(2*time.Second), "B100")
	more, err := b1.Append(ctx, det, cl)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.Ingest(ctx, IngestBatch{Origin: "booth-1", Events: append(evs, more...)}); err != nil {
		t.Fatal(err)
	}
	floor, err := server.CompactFeed(ctx, 5)
	if err != nil || floor != 7 {
		t.Fatalf("floor = %d, %v; want 7", floor, err)
	}
	if _, err := server.FeedSince(ctx, 3, 100); !errors.Is(err, records.ErrSnapshotRequired) {
		t.Fatalf("feed behind the floor: err = %v", err)
	}
	if fe, err := server.FeedSince(ctx, 7, 100); err != nil || len(fe) != 5 {
		t.Fatalf("feed at the floor: %d events, %v", len(fe), err)
	}
	var got []records.Event
	v, err := server.Snapshot(ctx, func(e records.Event) error { got = append(got, e); return nil })
	if err != nil || v != 12 {
		t.Fatalf("snapshot version = %d, %v", v, err)
	}
	if len(got) != 5 {
		t.Fatalf("snapshot has %d events, want the 5 of the open crossing", len(got))
	}
	for _, e := range got {
		if e.CrossingID == first {
			t.Fatalf("snapshot carries closed crossing %s", first)
		}
	}
}

func TestPublishReferenceKeepsFileAndNamesBadLine(t *testing.T) {
	ctx := context.Background()
	server := openReplStore(t, "port-2604")
	good := "{\"id\":\"LS1\",\"document\":{\"type\":\"P\",\"country\":\"UTO\",\"number\":\"L898902C3\"},\"reported_at\":\"2025-01-02\",\"reason\":\"lost\"}\n"
	_, err := server.PublishReference(ctx, KindLostStolen, []byte(good+"{not json\n"), 1, time.Now())
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("bad file: err = %v, want it to name line 2", err)
	}
	if pub, _ := server.PublishedReference(ctx); len(pub) != 0 {
		t.Fatalf("a refused file was published: %+v", pub)
	}
	if _, err := server.PublishReference(ctx, KindLostStolen, []byte(good), 1, time.Now()); err != nil {
		t.Fatalf("good file: %v", err)
	}
	pub, err := server.PublishedReference(ctx)
	if err != nil || len(pub) != 1 || pub[0].Version != 1 || pub[0].Size != int64(len(good)) {
		t.Fatalf("published = %+v, %v", pub, err)
	}
	_, body, found, err := server.PublishedReferenceBody(ctx, KindLostStolen, 1)
	if err != nil || !found || string(body) != good {
		t.Fatalf("body = %q, %t, %v", body, found, err)
	}
	if _, _, found, err := server.PublishedReferenceBody(ctx, KindLostStolen, 7); err != nil || found {
		t.Fatalf("unpublished version: found %t, %v", found, err)
	}
}
