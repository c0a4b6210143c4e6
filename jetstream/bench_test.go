package jetstream_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	natsjs "github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/sqlitestore"
)

// BenchmarkNationalIndexApply: events/s a hub node's index applies, in
// batches of 1,000 as the indexer fetches them (real SQLite file, WAL,
// synchronous=FULL).
func BenchmarkNationalIndexApply(b *testing.B) {
	st, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "index.db"), sqlitestore.Options{Origin: "hub-bench", Logger: testLog(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ix := sqliteIndex{st}
	now := time.Now().UTC()
	var seq uint64
	batch := make([]natsjs.IndexedMessage, 0, 1000)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		batch = batch[:0]
		for len(batch) < 1000 {
			cid := records.NewID()
			for _, p := range []records.Payload{
				records.CrossingOpened{Port: "2608", Lane: "V01", Mode: records.ModeVehicle},
				records.DocumentRead{MRZ: mrz.Result{IssuingStateISO: "UTO", DocumentNumber: fmt.Sprintf("D%09d", seq), Surname: "TRAVELER", BirthDate: "1980-01-02"}},
				records.PlateRead{Plate: fmt.Sprintf("P%07d", seq%100000), Region: "US-AZ"},
				records.Determination{Outcome: records.OutcomeAdmitted},
			} {
				seq++
				batch = append(batch, natsjs.IndexedMessage{StreamSeq: seq, Port: "2608", Event: mustEvent(b, cid, p, now)})
			}
		}
		if err := ix.ApplyNational(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(seq)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkStreamIngestR3: 500-byte messages/s into a replicas-3 stream of
// a 3-node hub (all nodes in this process), published asynchronously in
// windows of 4,000.
func BenchmarkStreamIngestR3(b *testing.B) {
	if raceEnabled {
		b.Skip("3-node cluster: not under -race")
	}
	pki := testPKI(b, 3)
	hub := startTestHub(b, pki, 3)
	js := hub.nodes[0].node.JetStream()
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BENCH", Subjects: []string{"bench.>"}, Replicas: 3, Storage: jetstream.FileStorage}); err != nil {
		b.Fatal(err)
	}
	payload := make([]byte, 500)
	n := 0
	b.ResetTimer()
	for b.Loop() {
		for range 4000 {
			if _, err := js.PublishAsync("bench.x", payload); err != nil {
				b.Fatal(err)
			}
			n++
		}
		select {
		case <-js.PublishAsyncComplete():
		case <-time.After(30 * time.Second):
			b.Fatal("acks not complete in 30 s")
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msgs/s")
}
