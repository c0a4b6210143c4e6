package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// The soak's booth writer runs as a child process: this test binary started
// again with soakBoothEnv set to its configuration. It appends crossings with
// the real store and replicates them with the real outbox sender, and at the
// moment each Append returns nil it writes one line per stored event to
// stdout ("c SEQ ID"). Those lines are the booth's own word of what it
// committed; the driver keeps them, so a later loss in the booth's database
// cannot hide a loss at the server. The check is made in init, before
// TestMain, so a child neither builds the server binary nor runs tests.
const soakBoothEnv = "PORTSERVER_SOAK_BOOTH"

// soakBoothConfig is the child's configuration, JSON in soakBoothEnv.
type soakBoothConfig struct {
	DB          string  `json:"db"`
	Workstation string  `json:"workstation"`
	PKI         string  `json:"pki"`
	Server      string  `json:"server"`
	Events      int     `json:"events"` // events to append, then idle (or drain)
	Rate        float64 `json:"rate"`   // events per second; 0: as fast as the store commits
	Batch       int     `json:"batch"`
	Drain       bool    `json:"drain"` // exit 0 once everything is acknowledged
}

// soakCrossingSize is the events per synthetic crossing: the opening and the
// first note in one Append (a crossing's first write carries its opening),
// then single notes.
const soakCrossingSize = 8

func init() {
	spec := os.Getenv(soakBoothEnv)
	if spec == "" {
		return
	}
	os.Exit(soakBoothMain(spec, os.Stdout, os.Stderr))
}

func soakBoothMain(spec string, stdout, stderr io.Writer) int {
	var cfg soakBoothConfig
	if err := json.Unmarshal([]byte(spec), &cfg); err != nil {
		fmt.Fprintf(stderr, "soak booth: config: %v\n", err)
		return 2
	}
	if err := runSoakBooth(cfg, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "soak booth %s: %v\n", cfg.Workstation, err)
		return 1
	}
	return 0
}

func runSoakBooth(cfg soakBoothConfig, stdout, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	tlsConf, err := replication.ClientTLSConfig(filepath.Join(cfg.PKI, replication.CACertFile),
		filepath.Join(cfg.PKI, cfg.Workstation+".crt"), filepath.Join(cfg.PKI, cfg.Workstation+".key"))
	if err != nil {
		return err
	}
	client, err := replication.NewClient(cfg.Server, tlsConf)
	if err != nil {
		return err
	}
	store, err := sqlitestore.Open(ctx, cfg.DB, sqlitestore.Options{Origin: cfg.Workstation, Logger: log})
	if err != nil {
		return err
	}
	defer store.Close()
	link, err := replication.NewLink(replication.LinkConfig{Sender: &replication.SenderConfig{Store: store, Client: client,
		Logger: log, BatchSize: cfg.Batch, MinBackoff: 50 * time.Millisecond, MaxBackoff: time.Second}})
	if err != nil {
		return err
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = link.Run(runCtx) })
	defer func() { cancel(); wg.Wait() }()

	var interval time.Duration
	if cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) / cfg.Rate)
	}
	next := time.Now()
	crossing := ""
	for i := 0; i < cfg.Events && ctx.Err() == nil; {
		var evs []records.Event
		if i%soakCrossingSize == 0 {
			crossing = records.NewID()
			e, err := records.NewEvent(crossing, records.CrossingOpened{Port: "soak", Lane: cfg.Workstation,
				Mode: records.ModeVehicle, Trigger: "manual"}, time.Now(), "SOAK")
			if err != nil {
				return err
			}
			evs = append(evs, e)
		}
		e, err := records.NewEvent(crossing, records.Note{Text: fmt.Sprintf("soak note %d", i)}, time.Now(), "SOAK")
		if err != nil {
			return err
		}
		evs = append(evs, e)
		stored, err := store.Append(ctx, evs...)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return fmt.Errorf("append: %w", err)
		}
		// One write per event: a line is far below PIPE_BUF, so a SIGKILL
		// never leaves half a line in the pipe.
		for _, e := range stored {
			if _, err := fmt.Fprintf(stdout, "c %d %s\n", e.OriginSeq, e.ID); err != nil {
				return fmt.Errorf("report: %w", err)
			}
		}
		link.Notify()
		i += len(stored)
		if interval > 0 {
			next = next.Add(time.Duration(len(stored)) * interval)
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
		}
	}
	if !cfg.Drain {
		<-ctx.Done()
		return nil
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		n, _, err := store.Backlog(ctx)
		if err == nil && n == 0 {
			acked, err := store.Acked(ctx)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(stdout, "d %d\n", acked)
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped before draining: %w", ctx.Err())
		case <-tick.C:
		}
	}
}
