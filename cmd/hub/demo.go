package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/portofentry/booth/jetstream"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/records/mrz"
	"github.com/portofentry/booth/sqlitestore"
)

// runDemo runs the national tier in one process: three hub nodes, two
// ports (their SQLite stores, leaf nodes and publishers) with simulated
// booths committing crossings, and prints the hub's status every 2 s.
func runDemo(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("demo", stderr)
	dur := fs.Duration("for", 0, "stop after this long (0: until interrupted)")
	rate := fs.Duration("every", 200*time.Millisecond, "each simulated booth commits a crossing this often")
	level := fs.String("log-level", "error", "debug, info, warn or error (the log goes to stderr)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log, err := logger(stderr, *level)
	if err != nil {
		return usageError(stderr, "demo: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if *dur > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *dur)
		defer cancel()
	}
	if err := demo(ctx, stdout, log, *rate); err != nil {
		return fail(stderr, fmt.Errorf("demo: %w", err))
	}
	return 0
}

func demo(ctx context.Context, out io.Writer, log *slog.Logger, every time.Duration) error {
	dir, err := os.MkdirTemp("", "hub-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pki := filepath.Join(dir, "pki")
	ports := []string{"2608", "3104"}
	if err := jetstream.InitCA(pki); err != nil {
		return err
	}
	for i := range 3 {
		if _, err := jetstream.IssueCert(pki, jetstream.CertNode, fmt.Sprintf("hub-%d", i), nil); err != nil {
			return err
		}
	}
	for _, p := range ports {
		if _, err := jetstream.IssueCert(pki, jetstream.CertPort, p, nil); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "demo: national tier in %s: 3 hub nodes, ports %v\n", dir, ports)

	clusters := make([]string, 3)
	for i := range clusters {
		if clusters[i], err = freeLoopback(); err != nil {
			return err
		}
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	nodes := make([]*jetstream.HubNode, 3)
	for i := range nodes {
		var routes []string
		for j, c := range clusters {
			if j != i {
				routes = append(routes, "tls://"+c)
			}
		}
		name := fmt.Sprintf("hub-%d", i)
		data := filepath.Join(dir, name)
		if err := os.MkdirAll(data, 0o700); err != nil {
			return err
		}
		store, err := sqlitestore.Open(ctx, filepath.Join(data, "index.db"), sqlitestore.Options{Origin: "hub-" + name, Logger: log})
		if err != nil {
			return err
		}
		defer store.Close()
		node, err := jetstream.StartHub(jetstream.HubConfig{Name: name, DataDir: data, Client: "127.0.0.1:0",
			Cluster: clusters[i], Routes: routes, Leaf: "127.0.0.1:0", PKIDir: pki, Logger: log})
		if err != nil {
			return err
		}
		defer node.Close()
		nodes[i] = node
		a := node.Addresses()
		fmt.Fprintf(out, "demo: %s client %s leaf %s\n", name, a.Client, a.Leaf)
		wg.Go(func() {
			if err := runNode(runCtx, node, sqliteIndex{store}); err != nil {
				log.Error("hub node", "node", name, "err", err)
			}
		})
	}
	var leafs []string
	for _, n := range nodes {
		leafs = append(leafs, n.Addresses().Leaf)
	}
	for _, code := range ports {
		pdir := filepath.Join(dir, "port-"+code)
		if err := os.MkdirAll(pdir, 0o700); err != nil {
			return err
		}
		store, err := sqlitestore.Open(ctx, filepath.Join(pdir, "port.db"), sqlitestore.Options{Origin: "port-" + code, Logger: log})
		if err != nil {
			return err
		}
		defer store.Close()
		tlsConf, err := jetstream.TLSConfig(pki, jetstream.CertPort, code)
		if err != nil {
			return err
		}
		pn, err := jetstream.StartPort(ctx, jetstream.PortConfig{Code: code, StoreDir: filepath.Join(pdir, "js"), HubURLs: leafs, TLS: tlsConf, Logger: log})
		if err != nil {
			return err
		}
		defer pn.Close()
		pub, err := jetstream.NewPublisher(jetstream.PublisherConfig{Node: pn, Store: store, Logger: log})
		if err != nil {
			return err
		}
		wg.Go(func() { _ = pub.Run(runCtx) })
		wg.Go(func() { simulateBooths(runCtx, store, code, every, log, pub.Notify) })
	}
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			cancelRun()
			return nil
		case <-tick.C:
		}
		sctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		st, err := jetstream.QueryStatus(sctx, nodes[0].Conn())
		cancel()
		fmt.Fprintf(out, "--- %s\n", time.Now().Format(time.TimeOnly))
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				fmt.Fprintf(out, "status: %v (the cluster is still forming)\n", err)
			}
			continue
		}
		printStatus(out, st)
	}
}

// simulateBooths commits a crossing at port code every interval, as the
// port's booths would through replication: opened, document read, plate,
// RPM occupancy and the determination.
func simulateBooths(ctx context.Context, store *sqlitestore.Store, code string, every time.Duration, log *slog.Logger, notify func()) {
	surnames := []string{"GARCIA", "NGUYEN", "SMITH", "ERIKSSON", "MARTINEZ", "KOWALSKI"}
	t := time.NewTicker(every)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := time.Now().UTC()
		cid := records.NewID()
		lane := fmt.Sprintf("V%02d", 1+rand.IntN(4))
		// A small population of travellers, so they cross at both ports.
		who := rand.IntN(200)
		doc := fmt.Sprintf("X%07d", who)
		outcome := records.OutcomeAdmitted
		if rand.IntN(10) == 0 {
			outcome = records.OutcomeReleased
		}
		payloads := []records.Payload{
			records.CrossingOpened{Port: code, Lane: lane, Mode: records.ModeVehicle, Trigger: "plate"},
			records.DocumentRead{MRZ: mrz.Result{IssuingState: "UTO", IssuingStateISO: "UTO", DocumentNumber: doc,
				Surname: surnames[who%len(surnames)], BirthDate: fmt.Sprintf("19%02d-0%d-1%d", 50+who%45, 1+who%9, who%10)}},
			records.PlateRead{Plate: fmt.Sprintf("DEMO%03d", who), Region: "US-AZ", Confidence: 0.95},
			records.RPMOccupancy{Occupancy: n, Start: now, End: now, BackgroundGamma: 300, MaxGamma: 320, Speed: 8},
			records.Determination{Outcome: outcome},
		}
		evs := make([]records.Event, 0, len(payloads))
		for _, p := range payloads {
			e, err := records.NewEvent(cid, p, now, "B"+code)
			if err != nil {
				log.Error("demo booth", "err", err)
				return
			}
			evs = append(evs, e)
		}
		if _, err := store.Append(ctx, evs...); err != nil {
			if ctx.Err() == nil {
				log.Error("demo booth", "port", code, "err", err)
			}
			return
		}
		notify()
	}
}

func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
