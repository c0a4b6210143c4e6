package replication

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

// syntheticEvents builds n events of origin numbered from first, in
// crossings of 8, as a booth would have committed them.
func syntheticEvents(b testing.TB, origin string, first int64, n int) []records.Event {
	b.Helper()
	evs := make([]records.Event, n)
	crossing := ""
	now := time.Now().UTC()
	for i := range evs {
		var p records.Payload = records.Note{Text: "secondary inspection note, 40 bytes long"}
		if i%8 == 0 {
			crossing = records.NewID()
			p = records.CrossingOpened{Port: "2604", Lane: "L1", Mode: records.ModeVehicle, Trigger: "rfid"}
		}
		e, err := records.NewEvent(crossing, p, now, "B100")
		if err != nil {
			b.Fatal(err)
		}
		e.Origin, e.OriginSeq, e.RecordedAt = origin, first+int64(i), now
		evs[i] = e
	}
	return evs
}

// BenchmarkServerIngest measures the server's ingest rate over HTTPS with
// mutual TLS: batches of 500 events from one booth, each applied and
// durably committed before the ack. Budget: >= 5,000 events/s.
func BenchmarkServerIngest(b *testing.B) {
	pki := newTestPKI(b)
	srv := startServer(b, pki, ServerConfig{})
	c := newClient(b, srv.url, pki.client(b, RolePrimary, "booth-1"))
	const batch = 500
	evs := syntheticEvents(b, "booth-1", 1, batch*b.N)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		resp, err := c.SendBatch(ctx, BatchRequest{Events: evs[i*batch : (i+1)*batch]})
		if err != nil || resp.Acked != int64((i+1)*batch) {
			b.Fatalf("batch %d: %+v, %v", i, resp, err)
		}
	}
	b.ReportMetric(float64(batch*b.N)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkDrainBacklog15000 measures how long a booth that was offline for
// a busy day (15,000 queued events) takes to drain through the sender once
// the link returns. Budget: <= 5 s.
func BenchmarkDrainBacklog15000(b *testing.B) {
	pki := newTestPKI(b)
	ctx := context.Background()
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := startServer(b, pki, ServerConfig{})
		ws := fmt.Sprintf("booth-%d", i)
		booth := openStore(b, ws)
		local := syntheticEvents(b, "", 0, 15000)
		for j := range local {
			local[j].Origin, local[j].OriginSeq = "", 0
		}
		for j := 0; j < len(local); j += 1000 {
			if _, err := booth.Append(ctx, local[j:j+1000]...); err != nil {
				b.Fatal(err)
			}
		}
		l, err := NewLink(LinkConfig{Sender: &SenderConfig{Store: booth, Client: newClient(b, srv.url, pki.client(b, RolePrimary, ws)), Logger: quietLog()}})
		if err != nil {
			b.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		b.StartTimer()
		start := time.Now()
		done := make(chan struct{})
		go func() { _ = l.Run(rctx); close(done) }()
		for {
			n, _, err := booth.Backlog(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if n == 0 {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		total += time.Since(start)
		b.StopTimer()
		cancel()
		<-done
		if head, _ := srv.store.FeedHead(ctx); head != 15000 {
			b.Fatalf("server holds %d events", head)
		}
	}
	b.ReportMetric(total.Seconds()/float64(b.N), "s/drain")
}

// BenchmarkLagBoothToSecondary20Booths measures booth commit -> visible in
// a secondary workstation's store through the port server, with 20 booths
// sending at once (each iteration is one event appended at one booth, 200
// events/s across the port). Reports p50 and p99. Budget: p99 <= 500 ms.
func BenchmarkLagBoothToSecondary20Booths(b *testing.B) {
	const nBooths = 20
	pki := newTestPKI(b)
	srv := startServer(b, pki, ServerConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu   sync.Mutex
		lags []time.Duration
		seen = map[string]bool{}
	)
	sec := openStore(b, "sec-1")
	secLink, err := NewLink(LinkConfig{Puller: &PullerConfig{Store: sec, Client: newClient(b, srv.url, pki.client(b, RoleSecondary, "sec-1")),
		Logger: quietLog(), OnApplied: func(evs []records.Event, _ int64) {
			now := time.Now()
			mu.Lock()
			defer mu.Unlock()
			for _, e := range evs {
				if !seen[e.ID] {
					seen[e.ID] = true
					lags = append(lags, now.Sub(e.RecordedAt))
				}
			}
		}}})
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	wg.Go(func() { _ = secLink.Run(ctx) })
	booths := make([]*sqlitestore.Store, nBooths)
	links := make([]*Link, nBooths)
	crossings := make([]string, nBooths)
	for i := range booths {
		ws := fmt.Sprintf("booth-%02d", i)
		booths[i] = openStore(b, ws)
		links[i], err = NewLink(LinkConfig{Sender: &SenderConfig{Store: booths[i], Client: newClient(b, srv.url, pki.client(b, RolePrimary, ws)), Logger: quietLog()}})
		if err != nil {
			b.Fatal(err)
		}
		l := links[i]
		wg.Go(func() { _ = l.Run(ctx) })
		crossings[i] = records.NewID()
	}
	time.Sleep(200 * time.Millisecond) // the secondary's first long-poll is waiting
	b.ResetTimer()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < b.N; i++ {
		<-tick.C
		k := i % nBooths
		var p records.Payload = records.Note{Text: "note"}
		if i/nBooths%8 == 0 {
			crossings[k] = records.NewID()
			p = records.Referred{Reasons: []string{records.ReasonDocument}}
		}
		e, err := records.NewEvent(crossings[k], p, time.Now(), "B100")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := booths[k].Append(ctx, e); err != nil {
			b.Fatal(err)
		}
		links[k].Notify()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(lags)
		mu.Unlock()
		if n >= b.N {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("secondary saw %d of %d events", n, b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(lags)
	pct := func(q float64) float64 { return float64(lags[int(q*float64(len(lags)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(0, "ns/op")
}
