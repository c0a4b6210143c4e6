package jetstream_test

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/sqlitestore"
)

// notifyPort is a port store, a leaf node without a hub and a publisher
// whose idle poll is poll, running until the test ends.
func notifyPort(t testing.TB, poll time.Duration) *testPort {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(dir, "port.db"), sqlitestore.Options{Origin: "port-2608", Logger: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	node, err := jetstream.StartPort(ctx, jetstream.PortConfig{Code: "2608", StoreDir: filepath.Join(dir, "js"), Logger: testLog(t)})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	pub, err := jetstream.NewPublisher(jetstream.PublisherConfig{Node: node, Store: st, Poll: poll, Logger: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	p := &testPort{t: t, code: "2608", store: st, dir: dir, node: node, pub: pub, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(p.done); _ = pub.Run(ctx) }()
	t.Cleanup(func() {
		p.stop()
		st.Close()
	})
	return p
}

// publishedWithin reports whether the publisher has stored want messages
// within d.
func publishedWithin(p *testPort, want int64, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if p.pub.Stats().Published >= want {
			return true
		}
		time.Sleep(time.Millisecond)
	}
	return p.pub.Stats().Published >= want
}

// TestPublisherNotifyWakesAtOnce: with an idle poll of 10 s, an event
// committed without Notify waits for the poll; Notify after the commit
// publishes it at once.
func TestPublisherNotifyWakesAtOnce(t *testing.T) {
	p := notifyPort(t, 10*time.Second)
	// Let the publisher finish its first (empty) round and go idle.
	time.Sleep(300 * time.Millisecond)

	p.addCrossings(t, 1)
	if publishedWithin(p, 4, 500*time.Millisecond) {
		t.Fatal("published without Notify before the 10 s poll: the control does not show the wake-up")
	}
	for i := range 5 {
		if i > 0 {
			p.addCrossings(t, 1)
		}
		start := time.Now()
		p.pub.Notify()
		if !publishedWithin(p, int64(4*(i+1)), 2*time.Second) {
			t.Fatalf("round %d: Notify did not wake the publisher (stats %+v)", i, p.pub.Stats())
		}
		t.Logf("round %d: published %s after Notify", i, time.Since(start).Round(time.Microsecond))
	}
}

// BenchmarkPublishAfterCommit: time from a port commit (one 4-event
// crossing) to its messages stored in the port stream, with the publisher
// woken by Notify after the commit (idle poll 10 s, so only the wake-up
// can publish it) and, for comparison, by its 100 ms poll alone.
func BenchmarkPublishAfterCommit(b *testing.B) {
	for _, c := range []struct {
		name   string
		poll   time.Duration
		notify bool
	}{{"notify", 10 * time.Second, true}, {"poll-100ms", 100 * time.Millisecond, false}} {
		b.Run(c.name, func(b *testing.B) {
			p := notifyPort(b, c.poll)
			time.Sleep(300 * time.Millisecond)
			var lat []time.Duration
			want := p.pub.Stats().Published
			for b.Loop() {
				p.addCrossings(b, 1)
				want += 4
				start := time.Now()
				if c.notify {
					p.pub.Notify()
				}
				for p.pub.Stats().Published < want {
					if time.Since(start) > 30*time.Second {
						b.Fatalf("not published in 30 s (%+v)", p.pub.Stats())
					}
					time.Sleep(50 * time.Microsecond)
				}
				lat = append(lat, time.Since(start))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
		})
	}
}
