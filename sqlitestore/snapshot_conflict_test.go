package sqlitestore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
)

// TestSnapshotCarriesConflicts: a port server's snapshot holds every open or
// referred crossing and every crossing whose determinations conflict (a
// conflict counts as determined but is open work), and nothing settled; a
// workstation that starts from it shows the same queue and conflicts view as
// the server.
func TestSnapshotCarriesConflicts(t *testing.T) {
	ctx := context.Background()
	server := openTest(t)
	ids := secondaryScenario(t, newReplica(t, server))
	now := t0.Add(20 * time.Minute)

	var got []records.Event
	version, err := server.Snapshot(ctx, func(e records.Event) error { got = append(got, e); return nil })
	if err != nil {
		t.Fatal(err)
	}
	in := map[string]int{}
	for _, e := range got {
		in[e.CrossingID]++
	}
	tests := []struct {
		name string
		want bool
	}{
		{"A", true},  // queued, taken
		{"B", true},  // queued
		{"F", true},  // queued: a free-text LSS answer decides nothing
		{"D", true},  // two determinations in conflict
		{"C", false}, // admitted at primary
		{"E", false}, // corrected: settled
		{"G", false}, // refused
	}
	for _, tt := range tests {
		if has := in[ids[tt.name]] > 0; has != tt.want {
			t.Errorf("crossing %s in the snapshot: %t, want %t", tt.name, has, tt.want)
		}
	}
	// Every event of a crossing in the snapshot is there, not a part of it.
	for id, n := range in {
		evs, err := server.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(evs) {
			t.Errorf("crossing %s: %d of its %d events in the snapshot", id, n, len(evs))
		}
	}

	ws := openTest(t)
	if _, err := ws.ApplyFeed(ctx, FeedApply{Events: got, Version: version, Snapshot: true}); err != nil {
		t.Fatalf("apply the snapshot: %v", err)
	}
	for _, view := range []struct {
		name string
		list func(*Store) ([]records.QueueEntry, error)
	}{
		{"queue", func(s *Store) ([]records.QueueEntry, error) { return s.Queue(ctx, now, 0) }},
		{"conflicts", func(s *Store) ([]records.QueueEntry, error) { return s.Conflicts(ctx, now, 0) }},
	} {
		want, err := view.list(server)
		if err != nil {
			t.Fatal(err)
		}
		have, err := view.list(ws)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(have, want, func(a, b records.QueueEntry) bool { return a.CrossingID == b.CrossingID }) || len(want) == 0 {
			t.Errorf("%s from the snapshot %v, at the server %v", view.name, entryIDs(have), entryIDs(want))
		}
	}
}

func entryIDs(es []records.QueueEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.CrossingID
	}
	return out
}
