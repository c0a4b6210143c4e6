package jetstream_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/sqlitestore"
)

// BenchmarkIndexerApply: events/s into the national index through the
// indexer itself (durable consumer on CROSSINGS, fetch, per-message acks,
// SQLite commit), not the store alone. A 3-node hub (replicas 3, so each
// ack goes through the consumer's Raft group) holds
// BOOTH_BENCH_INDEX_EVENTS events (default 50,000) sourced from a port;
// each iteration indexes all of them into fresh SQLite files, with one
// node's indexer alone or all three nodes' at once (as after a catch-up).
func BenchmarkIndexerApply(b *testing.B) {
	if raceEnabled {
		b.Skip("3-node cluster: not under -race")
	}
	events := 50_000
	if s := os.Getenv("BOOTH_BENCH_INDEX_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 4 {
			b.Fatalf("BOOTH_BENCH_INDEX_EVENTS=%q", s)
		}
		events = n
	}
	pki := testPKI(b, 3, "2608")
	hub := startTestHub(b, pki, 3)
	// The helpers' indexers stop: the benchmark runs its own.
	for _, n := range hub.nodes {
		n.cancel()
		n.wg.Wait()
	}
	port := startTestPort(b, "2608", pki, hub.leafURLs())
	commitBulk(b, port, events)
	total := uint64(events+3) / 4 * 4
	waitFor(b, 5*time.Minute, "CROSSINGS holds every event", func() (bool, string) {
		n := crossingsLastSeq(b, hub)
		return n >= total, fmt.Sprintf("%d of %d", n, total)
	})
	for _, nodes := range []int{1, 3} {
		b.Run(fmt.Sprintf("nodes=%d", nodes), func(b *testing.B) {
			var sum time.Duration
			for range b.N {
				b.StopTimer()
				ixs := make([]*jetstream.Indexer, nodes)
				stores := make([]*sqlitestore.Store, nodes)
				for i := range nodes {
					st, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "index.db"),
						sqlitestore.Options{Origin: "hub-bench", Logger: testLog(b)})
					if err != nil {
						b.Fatal(err)
					}
					stores[i] = st
					ixs[i] = jetstream.NewIndexer(hub.nodes[i].node, sqliteIndex{st}, 0)
				}
				ctx, cancel := context.WithCancel(context.Background())
				var wg sync.WaitGroup
				b.StartTimer()
				start := time.Now()
				for _, ix := range ixs {
					wg.Go(func() { _ = ix.Run(ctx) })
				}
				for {
					done := true
					for _, ix := range ixs {
						done = done && ix.Applied() >= total
					}
					if done {
						break
					}
					if time.Since(start) > 5*time.Minute {
						b.Fatal("index not done in 5 min")
					}
					time.Sleep(2 * time.Millisecond)
				}
				sum += time.Since(start)
				b.StopTimer()
				cancel()
				wg.Wait()
				for i, st := range stores {
					got, err := st.NationalEventIDs(context.Background(), "2608")
					if err != nil {
						b.Fatal(err)
					}
					if uint64(len(got)) != total {
						b.Fatalf("index %d holds %d distinct events, want %d", i, len(got), total)
					}
					st.Close()
				}
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(total)*float64(b.N)/sum.Seconds(), "events/s/node")
			b.ReportMetric(sum.Seconds()/float64(b.N), "s/index")
			b.ReportMetric(0, "ns/op")
		})
	}
}
