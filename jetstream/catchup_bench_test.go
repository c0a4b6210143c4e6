package jetstream_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/replication/faultproxy"
)

// BenchmarkPortCatchUp: a port back after a long time offline. Its leaf
// link to a 3-node hub (replicas 3, every node indexing) is cut, the port
// commits BOOTH_BENCH_CATCHUP_EVENTS events (default 50,000, about one hour
// of a busy port) that its publisher stores in the port stream, and the
// link comes back. Timed from the link's return until every hub node's
// national index (its indexer: durable consumer, per-message acks, SQLite
// commit) holds all of them; the first node and CROSSINGS itself are
// reported beside it. BOOTH_BENCH_CATCHUP_OFFLINE keeps the link cut at
// least that long (a Go duration). Run it with -benchtime 1x: each
// iteration is one more catch-up of as many events.
func BenchmarkPortCatchUp(b *testing.B) {
	if raceEnabled {
		b.Skip("3-node cluster: not under -race")
	}
	events := 50_000
	if s := os.Getenv("BOOTH_BENCH_CATCHUP_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 4 {
			b.Fatalf("BOOTH_BENCH_CATCHUP_EVENTS=%q", s)
		}
		events = n
	}
	var offline time.Duration
	if s := os.Getenv("BOOTH_BENCH_CATCHUP_OFFLINE"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			b.Fatalf("BOOTH_BENCH_CATCHUP_OFFLINE=%q", s)
		}
		offline = d
	}
	ctx := context.Background()
	pki := testPKI(b, 3, "2608")
	hub := startTestHub(b, pki, 3)
	var proxies []*faultproxy.Proxy
	var viaProxy []string
	for _, u := range hub.leafURLs() {
		p, err := faultproxy.Start(u[len("tls://"):], testLog(b))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = p.Close() })
		proxies = append(proxies, p)
		viaProxy = append(viaProxy, "tls://"+p.Addr())
	}
	port := startTestPort(b, "2608", pki, viaProxy)

	// One crossing through the live link first: sourcing works before the cut.
	total := uint64(len(port.addCrossings(b, 1)))
	waitIndexed(b, hub, total, 60*time.Second)

	var sumStream, sumFirst, sumAll, sumCommit time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		for _, p := range proxies {
			p.Partition(true)
		}
		waitFor(b, 10*time.Second, "leaf link down", func() (bool, string) {
			return !port.node.HubConnected(), "still connected"
		})
		cutAt := time.Now()
		commitStart := time.Now()
		commitBulk(b, port, events)
		sumCommit += time.Since(commitStart)
		total += uint64(events)
		// Everything is in the port's own stream before the link returns.
		head, err := port.store.FeedHead(ctx)
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b, 5*time.Minute, "publisher stored every event in the port stream", func() (bool, string) {
			st := port.pub.Stats()
			return st.Cursor >= head, fmt.Sprintf("%+v, feed head %d", st, head)
		})
		if held := crossingsLastSeq(b, hub); held >= total {
			b.Fatalf("CROSSINGS holds %d messages while the link is cut (%d before it)", held, total-uint64(events))
		}
		if rest := offline - time.Since(cutAt); rest > 0 {
			time.Sleep(rest)
		}
		b.StartTimer()
		start := time.Now()
		for _, p := range proxies {
			p.Partition(false)
		}
		var tStream, tFirst time.Duration
		for {
			if tStream == 0 && crossingsLastSeq(b, hub) >= total {
				tStream = time.Since(start)
			}
			done := 0
			for _, n := range hub.nodes {
				if n.ix.Applied() >= total {
					done++
				}
			}
			if done > 0 && tFirst == 0 {
				tFirst = time.Since(start)
			}
			if done == len(hub.nodes) {
				break
			}
			if time.Since(start) > 5*time.Minute {
				b.Fatalf("catch-up not done in 5 min: %d of %d nodes", done, len(hub.nodes))
			}
			time.Sleep(5 * time.Millisecond)
		}
		all := time.Since(start)
		b.StopTimer()
		if tStream == 0 {
			tStream = all
		}
		sumStream += tStream
		sumFirst += tFirst
		sumAll += all
		b.Logf("catch-up of %d events after %s offline: CROSSINGS %s, first index %s, all 3 indexes %s (committing them took %s)",
			events, time.Since(cutAt)-all, tStream.Round(time.Millisecond), tFirst.Round(time.Millisecond), all.Round(time.Millisecond), sumCommit.Round(time.Millisecond))
		// Each node's index holds every event exactly once.
		for _, n := range hub.nodes {
			got, err := n.store.NationalEventIDs(ctx, "2608")
			if err != nil {
				b.Fatal(err)
			}
			if uint64(len(got)) != total {
				b.Fatalf("%s holds %d distinct events of port 2608, want %d", n.cfg.Name, len(got), total)
			}
			for id, c := range got {
				if c != 1 {
					b.Fatalf("%s: event %s is indexed %d times", n.cfg.Name, id, c)
				}
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return d.Seconds() / float64(b.N) }
	b.ReportMetric(per(sumAll), "s/catch-up-all-nodes")
	b.ReportMetric(per(sumFirst), "s/catch-up-first-node")
	b.ReportMetric(per(sumStream), "s/catch-up-stream")
	b.ReportMetric(float64(events)/per(sumAll), "events/s")
	b.ReportMetric(0, "ns/op")
}

// commitBulk commits n events (whole 4-event crossings, n rounded up) at
// the port in transactions of 100 crossings: the setup of a benchmark, not
// booth-like ingest.
func commitBulk(t testing.TB, p *testPort, n int) {
	t.Helper()
	now := time.Now().UTC()
	batch := make([]records.Event, 0, 400)
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if _, err := p.store.Append(context.Background(), batch...); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	for made := 0; made < n; made += 4 {
		p.seq++
		cid := records.NewID()
		num := fmt.Sprintf("%s%07d", p.code, p.seq)
		batch = append(batch,
			mustEvent(t, cid, records.CrossingOpened{Port: p.code, Lane: "V01", Mode: records.ModeVehicle, Trigger: "plate"}, now),
			mustEvent(t, cid, records.DocumentRead{MRZ: mrz.Result{IssuingState: "UTO", IssuingStateISO: "UTO",
				DocumentNumber: num, Surname: "TRAVELER", BirthDate: "1980-01-02"}}, now),
			mustEvent(t, cid, records.PlateRead{Plate: "PL" + num, Region: "US-AZ", Confidence: 0.9}, now),
			mustEvent(t, cid, records.Determination{Outcome: records.OutcomeAdmitted}, now),
		)
		if len(batch) >= 400 {
			flush()
		}
	}
	flush()
}

// crossingsLastSeq is CROSSINGS' last sequence as the first live node
// sees it (0 when it cannot tell).
func crossingsLastSeq(t testing.TB, h *testHub) uint64 {
	for _, n := range h.nodes {
		if n.node == nil {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := n.node.JetStream().Stream(ctx, jetstream.CrossingsStream)
		if err == nil {
			info, err := s.Info(ctx)
			cancel()
			if err == nil {
				return info.State.LastSeq
			}
			continue
		}
		cancel()
	}
	return 0
}

// waitIndexed waits until every node's index applied stream sequence seq.
func waitIndexed(t testing.TB, h *testHub, seq uint64, d time.Duration) {
	t.Helper()
	waitFor(t, d, fmt.Sprintf("every index at stream sequence %d", seq), func() (bool, string) {
		var s string
		ok := true
		for _, n := range h.nodes {
			a := n.ix.Applied()
			s += fmt.Sprintf("%s=%d ", n.cfg.Name, a)
			ok = ok && a >= seq
		}
		return ok, s
	})
}
