package jetstream_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/sqlitestore"
)

// testLog is quiet unless JETSTREAM_TEST_LOG is set.
func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("JETSTREAM_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testPKI makes a national CA with three hub nodes and the given ports.
func testPKI(t testing.TB, nodes int, ports ...string) string {
	t.Helper()
	dir := t.TempDir()
	if err := jetstream.InitCA(dir); err != nil {
		t.Fatal(err)
	}
	for i := range nodes {
		if _, err := jetstream.IssueCert(dir, jetstream.CertNode, fmt.Sprintf("hub-%d", i), nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range ports {
		if _, err := jetstream.IssueCert(dir, jetstream.CertPort, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// hubNode is one running test hub node with its index and loops.
type hubNode struct {
	cfg    jetstream.HubConfig
	node   *jetstream.HubNode
	store  *sqlitestore.Store
	ix     *jetstream.Indexer
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// testHub is a 3-node hub cluster on loopback.
type testHub struct {
	t     testing.TB
	pki   string
	nodes []*hubNode
}

func startTestHub(t testing.TB, pki string, n int) *testHub {
	t.Helper()
	h := &testHub{t: t, pki: pki}
	clusters := make([]string, n)
	for i := range clusters {
		clusters[i] = freeAddr(t)
	}
	var wg sync.WaitGroup
	h.nodes = make([]*hubNode, n)
	errs := make([]error, n)
	for i := range n {
		var routes []string
		for j, c := range clusters {
			if j != i {
				routes = append(routes, "tls://"+c)
			}
		}
		if n == 1 {
			clusters[i] = "" // a single node runs without a cluster
		}
		cfg := jetstream.HubConfig{Name: fmt.Sprintf("hub-%d", i), DataDir: t.TempDir(), Client: "127.0.0.1:0",
			Cluster: clusters[i], Leaf: "127.0.0.1:0", Routes: routes, PKIDir: pki, Replicas: min(3, n), Logger: testLog(t)}
		h.nodes[i] = &hubNode{cfg: cfg}
		wg.Go(func() { errs[i] = h.start(i) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		for i := range h.nodes {
			h.stop(i)
		}
	})
	return h
}

// start (re)starts node i with its data directory and index.
func (h *testHub) start(i int) error {
	hn := h.nodes[i]
	node, err := jetstream.StartHub(hn.cfg)
	if err != nil {
		return err
	}
	hn.node = node
	if hn.cfg.Leaf == "127.0.0.1:0" {
		// Keep the chosen leaf address across restarts (ports dial it).
		a := node.Addresses()
		hn.cfg.Leaf = a.Leaf[len("tls://"):]
	}
	ctx, cancel := context.WithCancel(context.Background())
	hn.cancel = cancel
	if err := node.EnsureStreams(ctx); err != nil {
		return err
	}
	if hn.store == nil {
		st, err := sqlitestore.Open(ctx, filepath.Join(hn.cfg.DataDir, "index.db"), sqlitestore.Options{Origin: "hub-" + hn.cfg.Name, Logger: testLog(h.t)})
		if err != nil {
			return err
		}
		hn.store = st
	}
	hn.ix = jetstream.NewIndexer(node, sqliteIndex{hn.store}, 0)
	hn.wg.Go(func() { _ = hn.ix.Run(ctx) })
	hn.wg.Go(func() { _ = node.Serve(ctx, sqliteIndex{hn.store}) })
	return nil
}

// stop kills node i (its files stay).
func (h *testHub) stop(i int) {
	hn := h.nodes[i]
	if hn.node == nil {
		return
	}
	hn.cancel()
	hn.node.Close()
	hn.wg.Wait()
	hn.node = nil
	if hn.store != nil {
		hn.store.Close()
		hn.store = nil
	}
}

func (h *testHub) leafURLs() []string {
	var out []string
	for _, n := range h.nodes {
		out = append(out, "tls://"+n.cfg.Leaf)
	}
	return out
}

// testPort is a port server's store, leaf node and publisher.
type testPort struct {
	t      testing.TB
	code   string
	store  *sqlitestore.Store
	dir    string
	hubs   []string
	pki    string
	node   *jetstream.PortNode
	pub    *jetstream.Publisher
	cancel context.CancelFunc
	done   chan struct{}
	seq    int
}

func startTestPort(t testing.TB, code, pki string, hubs []string) *testPort {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlitestore.Open(context.Background(), filepath.Join(dir, "port.db"), sqlitestore.Options{Origin: "port-" + code, Logger: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	p := &testPort{t: t, code: code, store: st, dir: dir, hubs: hubs, pki: pki}
	if err := p.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.stop()
		st.Close()
	})
	return p
}

func (p *testPort) start() error {
	tlsConf, err := jetstream.TLSConfig(p.pki, jetstream.CertPort, p.code)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	node, err := jetstream.StartPort(ctx, jetstream.PortConfig{Code: p.code, StoreDir: filepath.Join(p.dir, "js"),
		HubURLs: p.hubs, TLS: tlsConf, Logger: testLog(p.t)})
	if err != nil {
		cancel()
		return err
	}
	pub, err := jetstream.NewPublisher(jetstream.PublisherConfig{Node: node, Store: p.store, Logger: testLog(p.t)})
	if err != nil {
		cancel()
		node.Close()
		return err
	}
	p.node, p.pub, p.cancel, p.done = node, pub, cancel, make(chan struct{})
	go func() { defer close(p.done); _ = pub.Run(ctx) }()
	return nil
}

func (p *testPort) stop() {
	if p.node == nil {
		return
	}
	p.cancel()
	<-p.done
	p.node.Close()
	p.node = nil
}

// addCrossings commits n crossings (opened, document read, plate read,
// determination: four events each) and returns their event ids.
func (p *testPort) addCrossings(t testing.TB, n int) []string {
	t.Helper()
	var ids []string
	now := time.Now().UTC()
	for range n {
		p.seq++
		cid := records.NewID()
		num := fmt.Sprintf("%s%06d", p.code, p.seq)
		evs := []records.Event{
			mustEvent(t, cid, records.CrossingOpened{Port: p.code, Lane: "V01", Mode: records.ModeVehicle, Trigger: "plate"}, now),
			mustEvent(t, cid, records.DocumentRead{MRZ: mrz.Result{IssuingState: "UTO", IssuingStateISO: "UTO",
				DocumentNumber: num, Surname: "TRAVELER", BirthDate: "1980-01-02"}}, now),
			mustEvent(t, cid, records.PlateRead{Plate: "PL" + num, Region: "US-AZ", Confidence: 0.9}, now),
			mustEvent(t, cid, records.Determination{Outcome: records.OutcomeAdmitted}, now),
		}
		stored, err := p.store.Append(context.Background(), evs...)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range stored {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

func mustEvent(t testing.TB, crossing string, p records.Payload, at time.Time) records.Event {
	t.Helper()
	e, err := records.NewEvent(crossing, p, at, "B1234")
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// waitFor polls cond until it is true or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for time.Now().Before(deadline) {
		ok, s := cond()
		if ok {
			return
		}
		last = s
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s (last: %s)", what, d, last)
}
