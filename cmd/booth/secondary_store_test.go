package main

import (
	"context"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/tui/secondary"
)

// The puller's hook never blocks, and what arrives while a signal waits is
// merged into it; past maxNamed crossings the signal names none (reload
// everything).
func TestReplicaChangesCoalesce(t *testing.T) {
	r := newReplicaChanges()
	r.applied([]records.Event{{CrossingID: "b"}, {CrossingID: "a"}}, 1)
	r.applied([]records.Event{{CrossingID: "a"}, {CrossingID: "c"}}, 2) // must not block
	if len(r.wake) != 1 {
		t.Fatalf("%d wake-ups pending, want 1", len(r.wake))
	}
	<-r.wake
	if got := r.take().Crossings; !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("crossings %v", got)
	}
	if got := r.take().Crossings; got != nil {
		t.Errorf("second take %v, want nothing", got)
	}
	var many []records.Event
	for i := range maxNamed + 5 {
		many = append(many, records.Event{CrossingID: string(rune('A' + i))})
	}
	r.applied(many, 3)
	if msg := r.take(); msg.Crossings != nil {
		t.Errorf("overflow named %d crossings", len(msg.Crossings))
	}
}

type recordSender struct{ got chan tea.Msg }

func (s recordSender) Send(msg tea.Msg) { s.got <- msg }

func TestForwardSecondary(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := newReplicaChanges()
	s := recordSender{got: make(chan tea.Msg, 4)}
	done := make(chan struct{})
	go func() { forwardSecondary(ctx, s, r); close(done) }()
	r.applied([]records.Event{{CrossingID: "x"}}, 1)
	select {
	case msg := <-s.got:
		if m, ok := msg.(secondary.ReplicaChangedMsg); !ok || !slices.Equal(m.Crossings, []string{"x"}) {
			t.Errorf("sent %#v", msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message sent")
	}
	cancel()
	<-done
}

// The adapter's search merges the three look-ups and history leaves the
// crossing itself out; the primary's history line flags a conflict.
func TestSecondaryStoreSearchAndHistory(t *testing.T) {
	ctx := context.Background()
	st, err := sqlitestore.Open(ctx, t.TempDir()+"/s.db", sqlitestore.Options{Origin: "2604-S01"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	seq := int64(0)
	apply := func(origin string, evs ...records.Event) []records.Event {
		for i := range evs {
			seq++
			evs[i].Origin, evs[i].OriginSeq = origin, seq
		}
		if _, err := st.ApplyFeed(ctx, sqlitestore.FeedApply{Events: evs, Version: seq}); err != nil {
			t.Fatal(err)
		}
		return evs
	}
	first := apply("2604-V01", referredVehicle(t, "AZ1", t0)...)
	second := apply("2604-V01", referredVehicle(t, "AZ2", t0.Add(time.Hour))...) // same traveller, other plate
	apply("2604-V01", mustNewEvent(t, first[0].CrossingID, records.Determination{Outcome: records.OutcomeRefused}, t0.Add(time.Minute), "S1"))
	apply("2604-V01", mustNewEvent(t, first[0].CrossingID, records.Determination{Outcome: records.OutcomeReleased}, t0.Add(time.Minute), "S2"))
	s := newSecondaryStore(st, nil, nil)

	tests := []struct {
		q    secondary.Query
		want []string
	}{
		{secondary.Query{Document: "xaz1"}, []string{first[0].CrossingID}},
		{secondary.Query{Surname: "rivera", BirthDate: "19900203"}, []string{second[0].CrossingID, first[0].CrossingID}},
		{secondary.Query{Plate: "az2"}, []string{second[0].CrossingID}},
		{secondary.Query{Plate: "AZ2", Document: "XAZ1"}, []string{second[0].CrossingID, first[0].CrossingID}},
		{secondary.Query{Plate: "NOPE"}, nil},
	}
	for _, tt := range tests {
		got, err := s.Search(ctx, tt.q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, g := range got {
			ids = append(ids, g.CrossingID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("Search(%+v) = %v, want %v", tt.q, ids, tt.want)
		}
	}
	c, err := st.Crossing(ctx, second[0].CrossingID)
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, c, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h[0].CrossingID != first[0].CrossingID || !h[0].Conflict ||
		!slices.Equal(h[0].Outcomes, []string{"refused", "released"}) {
		t.Fatalf("history %+v", h)
	}
	hs, err := st.HistoryByPlate(ctx, "US-AZ", "AZ1", 1)
	if err != nil || len(hs) != 1 {
		t.Fatal(hs, err)
	}
	if got := historyEntry(hs[0]).Outcome; got != "CONFLICT refused / released" {
		t.Errorf("primary history outcome %q", got)
	}
	if q, err := s.Queue(ctx); err != nil || len(q) != 1 || q[0].CrossingID != second[0].CrossingID {
		t.Errorf("queue %+v, %v", q, err)
	}
	if cf, err := s.Conflicts(ctx); err != nil || len(cf) != 1 {
		t.Errorf("conflicts %+v, %v", cf, err)
	}
	if st, err := s.Status(ctx); err != nil || st.Synced.IsZero() || st.Link == "" {
		t.Errorf("status %+v, %v", st, err)
	}
}
