package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// runBenchBooth is a headless booth for reliability tests, soak scripts and
// benchmarks: it appends synthetic crossings to its own store at a set rate
// and replicates them with the real outbox sender (and, with --pull, applies
// the port's feed). It is not listed in the usage.
func runBenchBooth(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := newFlags("bench-booth", stderr)
	db := fs.String("db", "", "booth database (required)")
	ws := fs.String("workstation", "", "workstation id (required; its certificate is ID.crt in --dir)")
	server := fs.String("server", "", "port server URL, https://host:port (required)")
	dir := fs.String("dir", defaultDir, "PKI directory with ca.crt, ID.crt and ID.key")
	events := fs.Int("events", 0, "events to append (in crossings of --crossing-size)")
	size := fs.Int("crossing-size", 8, "events per crossing")
	rate := fs.Float64("rate", 0, "events per second (0: as fast as the store commits)")
	batch := fs.Int("batch", 500, "events per batch sent")
	pull := fs.Bool("pull", false, "also apply the port's feed")
	exitDrained := fs.Bool("exit-when-drained", false, "exit once every event is appended and acknowledged")
	level := fs.String("log-level", "warn", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *db == "" || *ws == "" || *server == "" {
		return usageError(stderr, "bench-booth: --db, --workstation and --server are required")
	}
	if *size < 1 || *events < 0 || *rate < 0 {
		return usageError(stderr, "bench-booth: --crossing-size must be >= 1, --events and --rate >= 0")
	}
	log, err := logger(stderr, *level)
	if err != nil {
		return usageError(stderr, "bench-booth: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	tlsConf, err := replication.ClientTLSConfig(filepath.Join(*dir, replication.CACertFile),
		filepath.Join(*dir, *ws+".crt"), filepath.Join(*dir, *ws+".key"))
	if err != nil {
		return fail(stderr, err)
	}
	client, err := replication.NewClient(*server, tlsConf)
	if err != nil {
		return fail(stderr, err)
	}
	store, err := sqlitestore.Open(ctx, *db, sqlitestore.Options{Origin: *ws, Logger: log})
	if err != nil {
		return fail(stderr, err)
	}
	defer store.Close()
	cfg := replication.LinkConfig{Sender: &replication.SenderConfig{Store: store, Client: client, Logger: log, BatchSize: *batch,
		MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}}
	if *pull {
		cfg.Puller = &replication.PullerConfig{Store: store, Client: client, Logger: log}
	}
	link, err := replication.NewLink(cfg)
	if err != nil {
		return fail(stderr, err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = link.Run(runCtx) })
	defer func() { cancel(); wg.Wait() }()
	out := json.NewEncoder(stdout)

	var interval time.Duration
	if *rate > 0 {
		interval = time.Duration(float64(time.Second) / *rate)
	}
	next := time.Now()
	crossing := ""
	for i := 0; i < *events && ctx.Err() == nil; i++ {
		var p records.Payload = records.Note{Text: fmt.Sprintf("synthetic event %d", i)}
		if i%*size == 0 {
			crossing = records.NewID()
			p = records.CrossingOpened{Port: "bench", Lane: *ws, Mode: records.ModeVehicle, Trigger: "manual"}
		}
		e, err := records.NewEvent(crossing, p, time.Now(), "BENCH")
		if err != nil {
			return fail(stderr, err)
		}
		stored, err := store.Append(ctx, e)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return fail(stderr, err)
		}
		link.Notify()
		if (i+1)%100 == 0 || i+1 == *events {
			_ = out.Encode(map[string]int64{"appended": int64(i + 1), "origin_seq": stored[0].OriginSeq})
		}
		if interval > 0 {
			next = next.Add(interval)
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
		}
	}
	if !*exitDrained {
		<-ctx.Done()
		return 0
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		n, _, err := store.Backlog(ctx)
		if err == nil && n == 0 {
			acked, _ := store.Acked(ctx)
			_ = out.Encode(map[string]any{"drained": true, "acked": acked})
			return 0
		}
		select {
		case <-ctx.Done():
			return 1
		case <-tick.C:
		}
	}
}
