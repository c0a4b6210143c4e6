package jetstream_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/replication/faultproxy"
)

// TestNationalScenario: a 3-node hub and two ports under ingest; the
// CROSSINGS leader is killed, one port's leaf link is cut and restored, the
// other port server restarts. At the end every hub node's index holds
// exactly the union of both ports' event ids, each once, and hub status
// agrees. NATIONAL_SOAK_CROSSINGS sets the crossings per port (four events
// each; scripts/national-soak.sh runs tens of thousands).
func TestNationalScenario(t *testing.T) {
	if raceEnabled {
		t.Skip("multi-node scenario: not under -race")
	}
	if testing.Short() {
		t.Skip("multi-node scenario: not with -short")
	}
	perPort := 250 // 2 ports × 250 crossings × 4 events = 2,000 events
	if s := os.Getenv("NATIONAL_SOAK_CROSSINGS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("NATIONAL_SOAK_CROSSINGS=%q", s)
		}
		perPort = n
	}
	start := time.Now()
	pki := testPKI(t, 3, "2608", "3104")
	hub := startTestHub(t, pki, 3)
	t.Logf("hub up in %s", time.Since(start).Round(time.Millisecond))

	// Port 2608 reaches every hub node through a proxy that can cut it.
	var proxies []*faultproxy.Proxy
	var viaProxy []string
	for _, u := range hub.leafURLs() {
		p, err := faultproxy.Start(u[len("tls://"):], testLog(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = p.Close() })
		proxies = append(proxies, p)
		viaProxy = append(viaProxy, "tls://"+p.Addr())
	}
	portA := startTestPort(t, "2608", pki, viaProxy)
	portB := startTestPort(t, "3104", pki, hub.leafURLs())

	var mu sync.Mutex
	want := map[string]map[string]bool{"2608": {}, "3104": {}}
	var wg sync.WaitGroup
	type step struct {
		port string
		done int
	}
	progress := make(chan step, 1024)
	var portBMu sync.Mutex // the writer of port B pauses while it restarts
	for _, p := range []*testPort{portA, portB} {
		wg.Go(func() {
			for done := 0; done < perPort; {
				n := min(10, perPort-done)
				if p == portB {
					portBMu.Lock()
				}
				ids := p.addCrossings(t, n)
				if p == portB {
					portBMu.Unlock()
				}
				mu.Lock()
				for _, id := range ids {
					want[p.code][id] = true
				}
				mu.Unlock()
				done += n
				progress <- step{p.code, done}
				// Booth-like pacing: the faults land in the middle of ingest.
				time.Sleep(40 * time.Millisecond)
			}
		})
	}
	go func() { wg.Wait(); close(progress) }()
	killed := -1
	var stopped sync.WaitGroup
	cut, restarted := false, false
	restored := make(chan struct{})
	for st := range progress {
		switch {
		case killed < 0 && st.done >= perPort/5:
			killed = hub.leaderIndex(t)
			t.Logf("kill CROSSINGS leader %s (port %s at %d crossings)", hub.nodes[killed].cfg.Name, st.port, st.done)
			// Stopping a node takes a while: not in this loop, so the
			// other faults still land during ingest.
			k := killed
			stopped.Go(func() { hub.stop(k) })
		case !cut && st.port == "2608" && st.done >= 2*perPort/5:
			t.Logf("cut port 2608's leaf link at %d crossings", st.done)
			for _, p := range proxies {
				p.Partition(true)
			}
			cut = true
			mu.Lock()
			atCut := len(want["2608"]) + 4*10 // and the chunk being written
			mu.Unlock()
			go func() {
				defer close(restored)
				time.Sleep(3 * time.Second)
				// The cut was real: nothing port 2608 committed after it
				// reached the hub while it lasted.
				mu.Lock()
				committed := len(want["2608"])
				mu.Unlock()
				t.Logf("port 2608 committed %d events before the cut, %d by its end", atCut, committed)
				stopped.Wait()
				for _, n := range hub.nodes {
					if n.node == nil {
						continue
					}
					got, err := n.store.NationalEventIDs(context.Background(), "2608")
					if err == nil && len(got) > atCut {
						t.Errorf("%s holds %d of port 2608's events while its link is cut (%d committed before the cut)", n.cfg.Name, len(got), atCut)
					}
				}
				t.Logf("restore port 2608's leaf link")
				for _, p := range proxies {
					p.Partition(false)
				}
			}()
		case !restarted && st.port == "3104" && st.done >= 3*perPort/5:
			t.Logf("restart port server 3104 at %d crossings", st.done)
			portBMu.Lock()
			portB.stop()
			if err := portB.start(); err != nil {
				portBMu.Unlock()
				t.Fatal(err)
			}
			portBMu.Unlock()
			restarted = true
		}
	}
	total := 2 * perPort
	stopped.Wait()
	t.Logf("ingest done at %s; restarting %s", time.Since(start).Round(time.Millisecond), hub.nodes[killed].cfg.Name)
	if err := hub.start(killed); err != nil {
		t.Fatal(err)
	}
	<-restored
	ctx := context.Background()
	waitFor(t, 60*time.Second, "every node's index holds both ports' events", func() (bool, string) {
		var behind string
		for _, n := range hub.nodes {
			for code, ids := range want {
				got, err := n.store.NationalEventIDs(ctx, code)
				if err != nil {
					return false, err.Error()
				}
				if len(got) != len(ids) {
					behind += fmt.Sprintf("%s: port %s: %d of %d ids; ", n.cfg.Name, code, len(got), len(ids))
				}
			}
		}
		if behind != "" {
			// Say whether the stream or only an index is short.
			sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			st, err := jetstream.QueryStatus(sctx, hub.nodes[0].node.Conn())
			cancel()
			return false, fmt.Sprintf("%s status %+v %v", behind, st, err)
		}
		return true, ""
	})
	for _, n := range hub.nodes {
		for code, ids := range want {
			got, err := n.store.NationalEventIDs(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			for id, count := range got {
				if !ids[id] {
					t.Errorf("%s: port %s: event %s was never committed there", n.cfg.Name, code, id)
				}
				if count != 1 {
					t.Errorf("%s: port %s: event %s is in CROSSINGS %d times", n.cfg.Name, code, id, count)
				}
			}
			for id := range ids {
				if _, ok := got[id]; !ok {
					t.Errorf("%s: port %s: event %s is missing", n.cfg.Name, code, id)
				}
			}
		}
	}
	// hub status, from any node, tells the same.
	var st jetstream.Status
	waitFor(t, 15*time.Second, "hub status shows no lag", func() (bool, string) {
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var err error
		st, err = jetstream.QueryStatus(sctx, hub.nodes[2].node.Conn())
		if err != nil {
			return false, err.Error()
		}
		for _, p := range st.Ports {
			n := uint64(len(want[p.Port]))
			if p.Events != n || p.DistinctEventIDs != int64(n) || p.Lag != 0 || p.PortLastSeq != int64(n) {
				return false, fmt.Sprintf("%+v (want %d)", p, n)
			}
		}
		return len(st.Ports) == 2, fmt.Sprintf("%+v", st)
	})
	if st.Stream.Replicas != 3 || st.Stream.Messages != uint64(4*total) {
		t.Errorf("stream %+v, want replicas 3 and %d messages", st.Stream, 4*total)
	}
	t.Logf("%d events held once each on 3 nodes in %s; status %+v", 4*total, time.Since(start).Round(time.Millisecond), st)
}

// leaderIndex is the index of the node leading CROSSINGS.
func (h *testHub) leaderIndex(t testing.TB) int {
	t.Helper()
	for _, n := range h.nodes {
		if n.node == nil {
			continue
		}
		s, err := n.node.JetStream().Stream(context.Background(), jetstream.CrossingsStream)
		if err != nil {
			continue
		}
		info, err := s.Info(context.Background())
		if err != nil || info.Cluster == nil {
			continue
		}
		for i, m := range h.nodes {
			if m.cfg.Name == info.Cluster.Leader {
				return i
			}
		}
	}
	t.Fatal("no CROSSINGS leader")
	return -1
}
