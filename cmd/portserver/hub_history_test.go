package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// nationalRig is a port server (real HTTPS with mutual TLS on loopback)
// whose embedded leaf node links to a one-node hub answering national
// history from a real SQLite index: the path a booth's national look-up
// takes.
type nationalRig struct {
	hub     *jetstream.HubNode
	index   *sqlitestore.Store
	port    *jetstream.PortNode
	local   *replication.Local
	client  *replication.Client
	stopHub func()
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func startNationalRig(t testing.TB) *nationalRig {
	t.Helper()
	ctx := context.Background()
	pki := t.TempDir()
	if err := jetstream.InitCA(pki); err != nil {
		t.Fatal(err)
	}
	if _, err := jetstream.IssueCert(pki, jetstream.CertNode, "hub-0", nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"2608", "3104"} {
		if _, err := jetstream.IssueCert(pki, jetstream.CertPort, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	r := &nationalRig{}
	hub, err := jetstream.StartHub(jetstream.HubConfig{Name: "hub-0", DataDir: t.TempDir(), Client: "127.0.0.1:0",
		Leaf: "127.0.0.1:0", PKIDir: pki, Replicas: 1, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	r.hub = hub
	r.index, err = sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "index.db"), sqlitestore.Options{Origin: "hub-hub-0", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = hub.Serve(sctx, historyIndex{r.index}) })
	var once sync.Once
	r.stopHub = func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			hub.Close()
		})
	}
	t.Cleanup(func() { r.stopHub(); r.index.Close() })

	tlsConf, err := jetstream.TLSConfig(pki, jetstream.CertPort, "2608")
	if err != nil {
		t.Fatal(err)
	}
	r.port, err = jetstream.StartPort(ctx, jetstream.PortConfig{Code: "2608", StoreDir: filepath.Join(t.TempDir(), "js"),
		HubURLs: []string{hub.Addresses().Leaf}, TLS: tlsConf, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.port.Close)
	deadline := time.Now().Add(20 * time.Second)
	for !r.port.HubConnected() {
		if time.Now().After(deadline) {
			t.Fatal("the port's leaf link did not come up")
		}
		time.Sleep(20 * time.Millisecond)
	}

	store, err := sqlitestore.Open(ctx, filepath.Join(t.TempDir(), "server.db"), sqlitestore.Options{Origin: "port-2608", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	r.local, err = replication.StartLocal(ctx, store, filepath.Join(t.TempDir(), "pki"), quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.local.Close() })
	r.local.Server.SetNational(hubHistory{node: r.port, limit: 50})
	if r.client, err = r.local.Client(replication.RolePrimary, "booth-1"); err != nil {
		t.Fatal(err)
	}
	return r
}

// seed puts n crossings of port (opening, document, plate, determination)
// into the hub's index as its indexer would; document numbers are
// port+index, every traveller is TRAVELER born 1980-01-02.
func (r *nationalRig) seed(t testing.TB, port string, first, n int, seq *uint64) {
	t.Helper()
	at := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	batch := make([]sqlitestore.NationalMessage, 0, 4000)
	flush := func() {
		if err := r.index.ApplyNational(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := first; i < first+n; i++ {
		cid := records.NewID()
		num := port + strconv.Itoa(100000+i)
		when := at.Add(time.Duration(i) * time.Minute)
		for _, p := range []records.Payload{
			records.CrossingOpened{Port: port, Lane: "V01", Mode: records.ModeVehicle, Trigger: "plate"},
			records.DocumentRead{MRZ: mrz.Result{IssuingState: "UTO", IssuingStateISO: "UTO", DocumentNumber: num,
				Surname: "TRAVELER", BirthDate: "1980-01-02"}},
			records.PlateRead{Plate: "PL" + num, Region: "US-AZ", Confidence: 0.9},
			records.Determination{Outcome: records.OutcomeAdmitted},
		} {
			e, err := records.NewEvent(cid, p, when, "B1234")
			if err != nil {
				t.Fatal(err)
			}
			e.Origin, e.OriginSeq = "port-"+port, int64(*seq+1)
			*seq++
			batch = append(batch, sqlitestore.NationalMessage{StreamSeq: *seq, Port: port, Event: e})
		}
		if len(batch) >= 4000 {
			flush()
		}
	}
	if len(batch) > 0 {
		flush()
	}
}

func TestNationalHistoryThroughThePortServer(t *testing.T) {
	r := startNationalRig(t)
	var seq uint64
	r.seed(t, "3104", 0, 3, &seq)
	r.seed(t, "2608", 0, 3, &seq) // this port's own: the hub leaves them out
	ctx := context.Background()

	tests := []struct {
		q     replication.NationalQuery
		ports []string
	}{
		{replication.NationalQuery{Country: "UTO", Number: "3104100001"}, []string{"3104"}},
		{replication.NationalQuery{Country: "UTO", Number: "2608100001"}, nil}, // only here
		{replication.NationalQuery{Surname: "TRAVELER", BirthDate: "1980-01-02"}, []string{"3104", "3104", "3104"}},
		{replication.NationalQuery{Plate: "PL3104100002", Region: "US-AZ"}, []string{"3104"}},
		{replication.NationalQuery{Country: "UTO", Number: "NOSUCH"}, nil},
	}
	for _, tt := range tests {
		got, err := r.client.NationalHistory(ctx, tt.q, "B100")
		if err != nil {
			t.Fatalf("%+v: %v", tt.q, err)
		}
		var ports []string
		for _, c := range got.Crossings {
			ports = append(ports, c.Port)
			if c.OpenedAt.IsZero() || c.Outcome != string(records.OutcomeAdmitted) || c.Lane != "V01" {
				t.Errorf("%+v: crossing %+v lacks its opening or outcome", tt.q, c)
			}
		}
		if !slices.Equal(ports, tt.ports) {
			t.Errorf("%+v: ports %v, want %v", tt.q, ports, tt.ports)
		}
		if got.Node != "hub-0" {
			t.Errorf("%+v: answered by %q", tt.q, got.Node)
		}
	}

	// The hub goes away: the booth hears "unavailable" well within the
	// budget, never a wait.
	r.stopHub()
	start := time.Now()
	_, err := r.client.NationalHistory(ctx, replication.NationalQuery{Country: "UTO", Number: "3104100001"}, "B100")
	if !errors.Is(err, replication.ErrNationalUnavailable) {
		t.Fatalf("hub down: err = %v, want ErrNationalUnavailable", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("hub down: the answer took %s", d)
	}
}

// BenchmarkNationalHistoryThroughPort measures a booth's national history
// look-up end to end on loopback: HTTPS with mutual TLS to the port server,
// its audit entry, NATS request/reply across the leaf link to a hub node and
// its SQLite index. The index holds BOOTH_BENCH_NATIONAL_CROSSINGS crossings
// of another port (default 10,000). Reports p50 and p99 (budget p99 ≤ 300 ms).
func BenchmarkNationalHistoryThroughPort(b *testing.B) {
	n := 10_000
	if s := os.Getenv("BOOTH_BENCH_NATIONAL_CROSSINGS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("BOOTH_BENCH_NATIONAL_CROSSINGS=%q", s)
		}
		n = v
	}
	r := startNationalRig(b)
	var seq uint64
	r.seed(b, "3104", 0, n, &seq)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		q := replication.NationalQuery{Country: "UTO", Number: "3104" + strconv.Itoa(100000+i%n)}
		start := time.Now()
		got, err := r.client.NationalHistory(ctx, q, "B100")
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if len(got.Crossings) != 1 {
			b.Fatalf("%+v: %d crossings, want 1", q, len(got.Crossings))
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(n), "crossings")
}

// historyIndex is the hub's history look-up over the SQLite index, as
// cmd/hub adapts it (only what Serve's history and status answers need).
type historyIndex struct{ s *sqlitestore.Store }

func (x historyIndex) ApplyNational(ctx context.Context, msgs []jetstream.IndexedMessage) error {
	return errors.New("not used: the test seeds the index directly")
}

func (x historyIndex) NationalApplied(ctx context.Context) (uint64, error) {
	return x.s.NationalApplied(ctx)
}

func (x historyIndex) NationalHistory(ctx context.Context, q jetstream.HistoryQuery) ([]jetstream.HistoryCrossing, error) {
	cs, err := x.s.NationalHistory(ctx, sqlitestore.NationalQuery{Country: q.Country, Number: q.Number,
		Surname: q.Surname, BirthDate: q.BirthDate, Plate: q.Plate, ExcludePort: q.ExcludePort, Limit: q.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]jetstream.HistoryCrossing, len(cs))
	for i, c := range cs {
		out[i] = jetstream.HistoryCrossing{Port: c.Port, Lane: c.Lane, CrossingID: c.CrossingID, Outcome: c.Outcome}
		if !c.OpenedAt.IsZero() {
			out[i].OpenedAt = c.OpenedAt.Format(time.RFC3339)
		}
	}
	return out, nil
}

func (x historyIndex) NationalCounts(ctx context.Context) ([]jetstream.PortCount, error) {
	return nil, nil
}
