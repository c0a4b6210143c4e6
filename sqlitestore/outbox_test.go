package sqlitestore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

func TestOutboxAckBacklog(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	if n, oldest, err := s.Backlog(ctx); err != nil || n != 0 || !oldest.IsZero() {
		t.Fatalf("empty backlog = %d, %v, %v", n, oldest, err)
	}
	var local []records.Event
	for i := range 5 {
		e := mustEvent(t, "C1", records.Note{Text: "n"}, t0, "B1")
		if i == 0 {
			e = opening(t, "C1", t0)
		}
		e.RecordedAt = t0.Add(time.Duration(i) * time.Minute)
		out, err := s.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		local = append(local, out...)
	}
	remote := mustEvent(t, "C1", records.Note{Text: "r"}, t0, "B9")
	remote.Origin, remote.OriginSeq = "WS9", 1
	if _, err := s.Append(ctx, remote); err != nil {
		t.Fatal(err)
	}

	n, oldest, err := s.Backlog(ctx)
	if err != nil || n != 5 || !oldest.Equal(t0) {
		t.Fatalf("backlog = %d, %v, %v; want 5, %v", n, oldest, err, t0)
	}
	batch, err := s.Outbox(ctx, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch) != 3 {
		t.Fatalf("Outbox(0, 3) returned %d events", len(batch))
	}
	for i, e := range batch {
		if !eventsEqual(e, local[i]) {
			t.Errorf("outbox[%d] = %+v, want %+v", i, e, local[i])
		}
	}
	if rest, _ := s.Outbox(ctx, 3, 100); len(rest) != 2 || rest[0].OriginSeq != 4 {
		t.Errorf("Outbox(3, 100) = %+v, want seqs 4, 5", rest)
	}

	if err := s.AckOutbox(ctx, 3); err != nil {
		t.Fatal(err)
	}
	n, oldest, _ = s.Backlog(ctx)
	if n != 2 || !oldest.Equal(t0.Add(3*time.Minute)) {
		t.Errorf("after ack 3: backlog %d oldest %v", n, oldest)
	}
	if after, _ := s.Outbox(ctx, 0, 100); len(after) != 2 || after[0].OriginSeq != 4 {
		t.Errorf("after ack 3: outbox %+v", after)
	}
	// An older ack (a late duplicate from the server) changes nothing.
	if err := s.AckOutbox(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Acked(ctx); a != 3 {
		t.Errorf("acked = %d after a stale ack, want 3", a)
	}
	if err := s.AckOutbox(ctx, 6); !errors.Is(err, ErrAckBeyondSent) {
		t.Errorf("ack beyond the last event: %v, want ErrAckBeyondSent", err)
	}
	if err := s.AckOutbox(ctx, 5); err != nil {
		t.Fatal(err)
	}
	if n, oldest, _ := s.Backlog(ctx); n != 0 || !oldest.IsZero() {
		t.Errorf("after full ack: backlog %d, %v", n, oldest)
	}
	// Acked events stay in the log.
	if evs, _ := s.Events(ctx, "C1"); len(evs) != 6 {
		t.Errorf("%d events after ack, want 6", len(evs))
	}
}

// TestOutboxWrittenWithEvents checks atomicity: a batch that fails midway
// leaves neither events nor outbox rows, and a committed batch leaves both.
func TestOutboxWrittenWithEvents(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	a := opening(t, "C1", t0)
	bad := mustEvent(t, "C1", records.Note{Text: "b"}, t0, "B1")
	bad.CrossingID = ""
	if _, err := s.Append(ctx, a, bad); err == nil {
		t.Fatal("batch with an invalid event was accepted")
	}
	if e, o := rawCount(t, s.read, `SELECT count(*) FROM events`), rawCount(t, s.read, `SELECT count(*) FROM outbox`); e != 0 || o != 0 {
		t.Fatalf("after failed batch: %d events, %d outbox rows", e, o)
	}
	// A cancelled context rolls back too.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Append(cctx, a); err == nil {
		t.Fatal("append with a cancelled context succeeded")
	}
	if _, err := s.Append(ctx, a); err != nil {
		t.Fatal(err)
	}
	var id string
	var seq int64
	if err := s.read.QueryRow(`SELECT o.event_id, o.origin_seq FROM outbox o JOIN events e ON e.id = o.event_id AND e.origin_seq = o.origin_seq`).Scan(&id, &seq); err != nil {
		t.Fatal(err)
	}
	if id != a.ID || seq != 1 {
		t.Errorf("outbox row %s #%d, want %s #1", id, seq, a.ID)
	}
}
