package jetstream_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/records"
)

// A one-node hub (replicas 1) keeps this test fast enough for -race; the
// 3-node cluster is TestNationalScenario's.
func TestHubIndexesHistoryAndRefusesBiometrics(t *testing.T) {
	pki := testPKI(t, 1, "2608")
	hub := startTestHub(t, pki, 1)
	port := startTestPort(t, "2608", pki, hub.leafURLs())
	ids := port.addCrossings(t, 5)
	ctx := context.Background()

	// The publisher keeps a US citizen's referenced capture at the port.
	cid := records.NewID()
	now := time.Now().UTC()
	kept, err := port.store.Append(ctx,
		mustEvent(t, cid, records.CrossingOpened{Port: "2608", Lane: "V02", Mode: records.ModeVehicle, Trigger: "rfid"}, now),
		mustEvent(t, cid, records.FaceVerified{Document: records.DocumentRef{Type: "P", Country: "USA", Number: "123456789"},
			Result: records.FaceMatch, CaptureRef: "cap-1", CapturedAt: now}, now))
	if err != nil {
		t.Fatal(err)
	}
	ids = append(ids, kept[0].ID) // the opening goes up, the face result does not

	// Forbidden events put straight into the port stream, as a faulty or
	// hostile port could: the hub's sourcing stream takes them, its
	// indexer refuses them.
	js := port.node.JetStream()
	// Only the publisher writes the port stream: wait until it is done,
	// and give the foreign messages the feed version it stands at.
	head, err := port.store.FeedHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the publisher handled the feed", func() (bool, string) {
		s := port.pub.Stats()
		return s.Cursor == head, fmt.Sprintf("%+v, head %d", s, head)
	})
	forbidden := []records.Event{
		mustEvent(t, cid, records.FaceVerified{Document: records.DocumentRef{Type: "P", Country: "USA", Number: "987654321"},
			Result: records.FaceMatch, CaptureRef: "cap-2", CapturedAt: now}, now),
		{ID: records.NewID(), CrossingID: cid, Origin: "port-2608", OriginSeq: 99, Kind: records.KindNote, At: now,
			Schema: 1, Payload: []byte(`{"text":"hi","attachment":{"png":"iVBORw0KGgo="}}`)},
		{ID: records.NewID(), CrossingID: cid, Origin: "port-2608", OriginSeq: 100, Kind: "face.image", At: now,
			Schema: 1, Payload: []byte(`{}`)},
	}
	for _, e := range forbidden {
		m, err := jetstream.EventMsg(jetstream.PortSubject("2608"), records.FeedEvent{Version: head, Event: e})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.PublishMsg(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	all := len(ids) + len(forbidden)
	hn := hub.nodes[0]
	waitFor(t, 30*time.Second, "every message applied", func() (bool, string) {
		got, err := hn.store.NationalEventIDs(ctx, "2608")
		if err != nil {
			return false, err.Error()
		}
		return len(got) == all, fmt.Sprintf("%d of %d", len(got), all)
	})
	got, _ := hn.store.NationalEventIDs(ctx, "2608")
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("event %s in the index %d times, want once", id, got[id])
		}
	}
	if _, ok := got[kept[1].ID]; ok {
		t.Errorf("the US citizen's face result %s reached the hub", kept[1].ID)
	}
	if s := port.pub.Stats(); s.Refused != 1 {
		t.Errorf("publisher refused %d events, want 1", s.Refused)
	}
	if n := hn.ix.Refused(); n != int64(len(forbidden)) {
		t.Errorf("indexer refused %d, want %d", n, len(forbidden))
	}

	nc, err := nats.Connect(hn.node.Addresses().Client)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	st, err := jetstream.QueryStatus(ctx, nc)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Ports) != 1 || st.Ports[0].Refused != int64(len(forbidden)) || st.Ports[0].Events != uint64(all) {
		t.Errorf("status %+v: want %d events of which %d refused", st, all, len(forbidden))
	}

	// National history by each key; the refused face result added no key.
	for _, tc := range []struct {
		q    jetstream.HistoryQuery
		want int
	}{
		{jetstream.HistoryQuery{Country: "UTO", Number: "2608000003"}, 1},
		{jetstream.HistoryQuery{Surname: "Traveler", BirthDate: "1980-01-02"}, 5},
		{jetstream.HistoryQuery{Plate: "pl-2608000001"}, 1},
		{jetstream.HistoryQuery{Country: "USA", Number: "987654321"}, 0},
		{jetstream.HistoryQuery{Country: "UTO", Number: "2608000003", ExcludePort: "2608"}, 0},
	} {
		r, err := jetstream.QueryHistory(ctx, nc, tc.q)
		if err != nil {
			t.Fatalf("%+v: %v", tc.q, err)
		}
		if len(r.Crossings) != tc.want {
			t.Errorf("%+v: %d crossings, want %d: %+v", tc.q, len(r.Crossings), tc.want, r.Crossings)
		}
		for _, c := range r.Crossings {
			if c.Port != "2608" || c.Lane != "V01" || c.Outcome != "admitted" || c.OpenedAt == "" {
				t.Errorf("%+v: crossing %+v", tc.q, c)
			}
		}
	}
	if _, err := jetstream.QueryHistory(ctx, nc, jetstream.HistoryQuery{Plate: "X", Surname: "Y", BirthDate: "2000-01-01"}); err == nil {
		t.Error("a request with two keys was answered")
	}
}
