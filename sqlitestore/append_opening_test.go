package sqlitestore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// TestAppendRefusesCrossingWithoutOpening: a workstation's own event for a
// crossing the store has never seen is refused unless the crossing's
// opening comes before it in the same call; replicated events are exempt.
func TestAppendRefusesCrossingWithoutOpening(t *testing.T) {
	note := func(t *testing.T, cid string) records.Event {
		return mustEvent(t, cid, records.Note{Text: "n"}, t0.Add(time.Second), "B1")
	}
	replicated := func(e records.Event, seq int64) records.Event {
		e.Origin, e.OriginSeq = "WS-OTHER", seq
		return e
	}
	badOpening := func(t *testing.T, cid string, o records.CrossingOpened) records.Event {
		return mustEvent(t, cid, o, t0, "")
	}
	tests := []struct {
		name    string
		setup   func(t *testing.T, s *Store) // what the store already holds
		call    func(t *testing.T) []records.Event
		wantErr error
		stored  int // events of crossing C after the call
	}{
		{name: "note on a crossing never seen", call: func(t *testing.T) []records.Event {
			return []records.Event{note(t, "C")}
		}, wantErr: ErrNotOpened},
		{name: "opening after the note in the same call", call: func(t *testing.T) []records.Event {
			return []records.Event{note(t, "C"), opening(t, "C", t0)}
		}, wantErr: ErrNotOpened},
		{name: "opening of another crossing does not open this one", call: func(t *testing.T) []records.Event {
			return []records.Event{opening(t, "D", t0), note(t, "C")}
		}, wantErr: ErrNotOpened},
		{name: "opening first in the call", call: func(t *testing.T) []records.Event {
			return []records.Event{opening(t, "C", t0), note(t, "C"), note(t, "C")}
		}, stored: 3},
		{name: "crossing already held", setup: func(t *testing.T, s *Store) { openCrossing(t, s, "C") },
			call: func(t *testing.T) []records.Event { return []records.Event{note(t, "C")} }, stored: 2},
		{name: "crossing held only through a replicated event",
			setup: func(t *testing.T, s *Store) {
				if _, err := s.Append(context.Background(), replicated(note(t, "C"), 7)); err != nil {
					t.Fatal(err)
				}
			},
			call: func(t *testing.T) []records.Event { return []records.Event{note(t, "C")} }, stored: 2},
		{name: "replicated events need no opening", call: func(t *testing.T) []records.Event {
			return []records.Event{replicated(note(t, "C"), 1), replicated(note(t, "C"), 2)}
		}, stored: 2},
		{name: "opening without port", call: func(t *testing.T) []records.Event {
			return []records.Event{badOpening(t, "C", records.CrossingOpened{Lane: "V01", Mode: records.ModeVehicle}), note(t, "C")}
		}, wantErr: ErrInvalidEvent},
		{name: "opening without lane", call: func(t *testing.T) []records.Event {
			return []records.Event{badOpening(t, "C", records.CrossingOpened{Port: "2504", Mode: records.ModeVehicle})}
		}, wantErr: ErrInvalidEvent},
		{name: "opening with an unknown mode", call: func(t *testing.T) []records.Event {
			return []records.Event{badOpening(t, "C", records.CrossingOpened{Port: "2504", Lane: "V01", Mode: "boat"})}
		}, wantErr: ErrInvalidEvent},
		{name: "opening whose payload does not decode", call: func(t *testing.T) []records.Event {
			e := opening(t, "C", t0)
			e.Payload = json.RawMessage(`{"port":7}`)
			return []records.Event{e}
		}, wantErr: ErrInvalidEvent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTest(t)
			ctx := context.Background()
			if tt.setup != nil {
				tt.setup(t, s)
			}
			before := rawCount(t, s.read, `SELECT count(*) FROM events`)
			_, err := s.Append(ctx, tt.call(t)...)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Append: %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if errors.Is(err, ErrNotOpened) && !strings.Contains(err.Error(), "crossing C ") {
					t.Errorf("error %q does not name the crossing", err)
				}
				if n := rawCount(t, s.read, `SELECT count(*) FROM events`); n != before {
					t.Errorf("a refused call stored %d events", n-before)
				}
				// The refusal consumed no sequence number.
				out, err := s.Append(ctx, opening(t, "Z", t0))
				if err != nil || out[0].OriginSeq != int64(rawCount(t, s.read, `SELECT count(*) FROM events WHERE origin = 'WS-TEST'`)) {
					t.Errorf("next local event: %+v, %v: sequence not gap-free", out, err)
				}
				return
			}
			if n := rawCount(t, s.read, `SELECT count(*) FROM events WHERE crossing_id = 'C'`); n != tt.stored {
				t.Errorf("crossing C holds %d events, want %d", n, tt.stored)
			}
		})
	}
}

// TestAppendOpeningSentWithEveryWrite is the booth's pattern: until a
// crossing's first write commits, every write of it carries the same
// opening event (same id). A stored opening counts as seen, and is neither
// stored twice nor numbered twice.
func TestAppendOpeningSentWithEveryWrite(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	open := opening(t, "C", t0)
	tag := mustEvent(t, "C", records.RFIDRead{EPC: "E20000000000000000000001", RSSI: -40}, t0, "")
	first, err := s.Append(ctx, open, tag)
	if err != nil {
		t.Fatal(err)
	}
	plate := mustEvent(t, "C", records.PlateRead{Plate: "ABC123", Region: "us-ca", Confidence: 90}, t0.Add(time.Second), "")
	out, err := s.Append(ctx, open, plate)
	if err != nil {
		t.Fatal(err)
	}
	if out[0].OriginSeq != first[0].OriginSeq || out[1].OriginSeq != 3 {
		t.Errorf("opening resent as #%d (stored #%d), plate #%d; want the stored opening and #3", out[0].OriginSeq, first[0].OriginSeq, out[1].OriginSeq)
	}
	if n := rawCount(t, s.read, `SELECT count(*) FROM events WHERE kind = 'crossing.opened'`); n != 1 {
		t.Errorf("%d openings stored, want 1", n)
	}
}

// TestAppendOpeningInGroupCommit runs the booth's two writers concurrently
// in one group: both carry the same opening (same id) with their own
// observation; one group also holds a call for a crossing never opened,
// which fails alone, and one where the opening's first sender fails (its
// other event is invalid), so the second call must store the opening itself.
func TestAppendOpeningInGroupCommit(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	openX := opening(t, "X", t0)
	openY := opening(t, "Y", t0)
	badTag := mustEvent(t, "Y", records.RFIDRead{EPC: "E2", RSSI: -40}, t0, "")
	badTag.Payload = json.RawMessage(`{not json`)
	calls := [][]records.Event{
		{openX, mustEvent(t, "X", records.RFIDRead{EPC: "E20000000000000000000001", RSSI: -40}, t0, "")},
		{openX, mustEvent(t, "X", records.PlateRead{Plate: "ABC123", Region: "us-ca", Confidence: 90}, t0, "")},
		{mustEvent(t, "Z", records.Note{Text: "never opened"}, t0, "B1")},
		{openY, badTag},
		{openY, mustEvent(t, "Y", records.PlateRead{Plate: "XYZ999", Region: "us-ca", Confidence: 90}, t0, "")},
	}
	errs := runInOneGroup(t, s, calls)
	for i, want := range []error{nil, nil, ErrNotOpened, ErrInvalidEvent, nil} {
		if !errors.Is(errs[i], want) || (want == nil) != (errs[i] == nil) {
			t.Errorf("call %d: %v, want %v", i, errs[i], want)
		}
	}
	for cid, want := range map[string]int{"X": 3, "Y": 2, "Z": 0} {
		if n := rawCount(t, s.read, `SELECT count(*) FROM events WHERE crossing_id = ?`, cid); n != want {
			t.Errorf("crossing %s holds %d events, want %d", cid, n, want)
		}
	}
	for _, cid := range []string{"X", "Y"} {
		c, err := s.Crossing(ctx, cid)
		if err != nil {
			t.Fatal(err)
		}
		if !c.Integrity.OpeningFirst() || c.Port != "2504" {
			t.Errorf("crossing %s: integrity %+v port %q", cid, c.Integrity, c.Port)
		}
	}
	seqs := rawCount(t, s.read, `SELECT max(origin_seq) FROM events`)
	if n := rawCount(t, s.read, `SELECT count(*) FROM events`); n != seqs {
		t.Errorf("%d events under sequences up to %d: not gap-free", n, seqs)
	}
}

// runInOneGroup starts one Append per call while the writer's connection is
// held, so all of them queue and commit as one group in the order given,
// and returns their errors.
func runInOneGroup(t *testing.T, s *Store, calls [][]records.Event) []error {
	t.Helper()
	ctx := context.Background()
	conn, err := s.write.Conn(ctx) // the writer's only connection
	if err != nil {
		t.Fatal(err)
	}
	// A first call leads and waits for the connection; the others queue.
	lead := opening(t, "LEAD", t0)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := s.Append(ctx, lead); err != nil {
			t.Error(err)
		}
	})
	waitGroupState(t, s, func() bool { return s.group.leading && len(s.group.pending) == 0 })
	errs := make([]error, len(calls))
	for i, c := range calls { // queued one by one: the group keeps this order
		wg.Go(func() { _, errs[i] = s.Append(ctx, c...) })
		waitGroupState(t, s, func() bool { return len(s.group.pending) == i+1 })
	}
	conn.Close()
	wg.Wait()
	if s.group.largest < len(calls) {
		t.Fatalf("the calls were committed in groups of at most %d, want one group of %d", s.group.largest, len(calls))
	}
	return errs
}

func waitGroupState(t *testing.T, s *Store, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		s.group.mu.Lock()
		ok := cond()
		s.group.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the group commit's queue")
		}
		time.Sleep(time.Millisecond)
	}
}
