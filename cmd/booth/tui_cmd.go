package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/docreader"
	"github.com/portofentry/booth/hardware/facematch"
	"github.com/portofentry/booth/hardware/lpr"
	"github.com/portofentry/booth/hardware/rfid"
	"github.com/portofentry/booth/hardware/rpm"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
	"github.com/portofentry/booth/sqlitestore/biometric"
	"github.com/portofentry/booth/tui"
)

// runTUI starts the workstation: `booth [--config FILE] [--demo] [--role R]
// [--read-only]` (docs/design.md §4.1).
func runTUI(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("booth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "workstation configuration file (TOML)")
	demo := fs.Bool("demo", false, "run with simulated devices, a temporary database and a demo officer")
	role := fs.String("role", "", "primary | secondary | supervisor (overrides the file)")
	readOnly := fs.Bool("read-only", false, "open the store read-only; no action can write")
	printCfg := fs.Bool("print-config", false, "print the configuration with every default and exit")
	fixPerms := fs.Bool("fix-permissions", false, "set the database, WAL, key, pepper and log files that others may read to 0600 instead of refusing to start")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "unknown command %q (commands: mrz, devices, officer, audit, retention)", fs.Arg(0))
	}
	cfg, err := loadConfig(*configPath)
	if err == nil {
		err = cfg.applyFlags(*role, *readOnly)
	}
	if err != nil {
		return usageError(stderr, "%v", err)
	}
	if *printCfg {
		if err := printConfig(stdout, cfg); err != nil {
			fmt.Fprintln(stderr, "booth:", err)
			return 1
		}
		return 0
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()

	var d *demoEnv
	if *demo {
		d, err = startDemo(ctx, &cfg)
		if err != nil {
			fmt.Fprintln(stderr, "booth: demo:", err)
			return 1
		}
		defer d.Close()
	}
	// The workstation's kind must be the one its certificate was issued
	// for, and its private files private, before anything is opened.
	if err := checkCertificateKind(cfg); err != nil {
		fmt.Fprintln(stderr, "booth:", err)
		return 1
	}
	if err := preparePrivateFiles(cfg, *fixPerms, func(s string) { fmt.Fprintln(stderr, "booth:", s) }); err != nil {
		fmt.Fprintln(stderr, "booth:", err)
		return 1
	}
	logFile, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(stderr, "booth: log file:", err)
		return 1
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if d != nil {
		d.startPlaying(ctx, logger)
	}
	if err := workstation(ctx, cfg, d, logger); err != nil {
		logger.Error("workstation stopped", "err", err)
		fmt.Fprintln(stderr, "booth:", err)
		return 1
	}
	return 0
}

// workstation opens the store and the devices and runs the TUI until the
// officer quits or ctx ends.
func workstation(ctx context.Context, cfg Config, d *demoEnv, logger *slog.Logger) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	// A supervisor console is read-only on screen (cfg.ReadOnly is forced),
	// but its store is the system's: the feed puller, the port watcher and
	// its audit chain write there; its screens read through a handle
	// SQLite keeps read-only (supervisor_wiring.go).
	storeReadOnly := cfg.ReadOnly && !isSupervisor(cfg)
	store, err := sqlitestore.Open(ctx, cfg.Database, sqlitestore.Options{Origin: cfg.Workstation, ReadOnly: storeReadOnly, Logger: logger})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()

	mgr := hardware.NewManager(hardware.ManagerOptions{Logger: logger})
	secondaryRole := isSecondary(cfg)   // no lane devices; the secondary screens over the replica
	supervisorRole := isSupervisor(cfg) // no lane devices; the dashboard over the replica (supervisor_wiring.go)
	var changes *replicaChanges
	n := 0
	if secondaryRole || supervisorRole {
		changes = newReplicaChanges()
	} else if n, err = addDevices(mgr, cfg); err != nil {
		return err
	}
	// The replication link needs a writable store: a read-only workstation
	// neither sends nor applies the port's feed.
	var link *replication.Link
	var lanes *laneReporter // lane journal and heartbeat (lanejournal.go)
	var watcher *replication.PortWatcher
	var consoleClient *replication.Client  // the supervisor console reads the port's audit log with it
	var nationalClient *replication.Client // a primary booth asks the port server for other ports' history with it
	linkNote := "offline (none configured)"
	if storeReadOnly {
		linkNote = "read-only: not replicating"
	} else {
		client, err := portClient(cfg)
		if err != nil {
			return err
		}
		if d != nil {
			var stopServer func()
			if supervisorRole {
				client, stopServer, err = startDemoSupervisorPort(ctx, d.dir, cfg.Workstation, defaultDemoLaneOptions(), logger)
			} else if secondaryRole {
				client, stopServer, err = startDemoSecondaryPort(ctx, d.dir, cfg.Workstation, defaultDemoLaneOptions(), logger)
			} else {
				client, stopServer, err = startDemoPortServer(ctx, d.dir, cfg.Workstation, cfg.Role, logger)
			}
			if err != nil {
				return err
			}
			defer stopServer()
		}
		if client != nil && (secondaryRole || supervisorRole) {
			if link, err = newSecondaryLink(store, client, logger, changes); err != nil {
				return err
			}
			if supervisorRole {
				consoleClient = client
				if watcher, err = newPortWatcher(store, client, logger, changes); err != nil {
					return err
				}
			}
		} else if client != nil {
			nationalClient = client
			if link, err = newLink(store, client, logger); err != nil {
				return err
			}
			if lanes, err = newLaneReporter(store, client, cfg, logger); err != nil {
				return err
			}
		}
	}
	policy := newSignInPolicy(cfg)
	backend := &storeBackend{Store: store, StaleAfter: 24 * time.Hour, Link: func() string { return linkNote }, SignIn: policy}
	if nationalClient != nil {
		backend.National = nationalClient
	}
	log := crossingLog{store: store}
	if link != nil {
		backend.Link = func() string { return linkText(link.Status()) }
		// Wake the outbox sender after each durable append, so a referral
		// reaches the port server (and secondary) without waiting for the
		// sender's tick.
		log.notify = link.Notify
	}
	// The screens write through officerLog: an officer signed in read-only
	// (a supervisor) stores nothing under their badge.
	deps := tui.Deps{Log: officerLog{next: log, policy: policy}, Lookups: backend, Officers: backend, Logger: logger}
	auditWriter := store // the supervisor console's view entries
	if storeReadOnly {
		// The crossing record stays read-only; signing in still counts
		// failures and writes the audit chain, through a handle used for
		// nothing else.
		accounts, err := sqlitestore.Open(ctx, cfg.Database, sqlitestore.Options{Origin: cfg.Workstation, Logger: logger})
		if err != nil {
			return fmt.Errorf("open officer accounts: %w", err)
		}
		defer accounts.Close()
		deps.Officers = &storeBackend{Store: accounts, SignIn: policy}
		auditWriter = accounts
	}
	var faces *matcher
	if cfg.Matcher.URL != "" {
		faces = &matcher{facematch.New(cfg.Matcher.URL, facematch.Options{Budget: cfg.Matcher.Timeout.Duration, Logger: logger})}
		deps.Faces = *faces
	}
	var bio *biometric.Store
	if !cfg.ReadOnly {
		bio, err = biometric.Open(ctx, biometric.Path(cfg.Database), biometric.Options{
			Logger: logger, USCRetention: cfg.Retention.CitizenCapture.Duration,
			NonUSCRetention: cfg.Retention.NonCitizenCapture.Duration, Audit: store, OnPurge: biometric.RecordPurges(store),
			OnForward: biometric.RecordForwards(store)})
		if err != nil {
			return fmt.Errorf("open biometric store: %w", err)
		}
		defer bio.Close()
		deps.Biometrics = biometrics{bio}
	}
	// Registered after the stores opened, so it runs before they close:
	// background work is stopped and waited for first.
	defer func() {
		cancel()
		wg.Wait()
	}()
	if bio != nil {
		wg.Go(func() { retentionLoop(ctx, bio, cfg.Retention.Interval.Duration, logger) })
		fw, err := newForwarder(cfg) // forwarder.go
		if err != nil {
			return err
		}
		if fw != nil {
			wg.Go(func() { forwardLoop(ctx, bio, fw, cfg.Biometric.Interval.Duration, logger) })
		}
	}
	if link != nil {
		wg.Go(func() { _ = link.Run(ctx) })
	}
	if lanes != nil {
		wg.Go(func() { lanes.Run(ctx) })
	}
	if watcher != nil {
		wg.Go(func() { _ = watcher.Run(ctx) })
	}
	tcfg := tui.Config{
		Workstation: cfg.Workstation, Port: cfg.Port, Lane: cfg.Lane, Mode: records.Mode(cfg.Mode),
		Role: cfg.Role, ReadOnly: cfg.ReadOnly, IdleLock: cfg.IdleLock.Duration, Keys: cfg.Keys,
		Theme: cfg.Theme, NoColor: os.Getenv("NO_COLOR") != "", FaceTimeout: cfg.Matcher.Timeout.Duration,
	}
	if d != nil {
		tcfg.LoginHint = d.hint
		deps.Released = d.release
	}
	model, err := tui.New(ctx, tcfg, deps)
	if err != nil {
		return err
	}
	if secondaryRole {
		if err := model.UseSecondary(newSecondaryStore(store, link, faces)); err != nil {
			return err
		}
	}
	if supervisorRole {
		screens, err := openScreens(ctx, cfg, logger)
		if err != nil {
			return err
		}
		defer screens.Close()
		ss, err := newSupervisorStore(screens, auditWriter, link, consoleClient, faces)
		if err != nil {
			return err
		}
		if err := model.UseSupervisor(ss); err != nil {
			return err
		}
	}
	p := tea.NewProgram(model, tea.WithContext(ctx))
	if n > 0 {
		wg.Go(func() {
			if err := mgr.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				logger.Error("devices stopped", "err", err)
			}
		})
	}
	if secondaryRole || supervisorRole {
		wg.Go(func() { forwardSecondary(ctx, p, changes) })
	} else {
		wg.Go(func() { forward(ctx, p, mgr, n > 0, lanes) })
	}
	_, err = p.Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// retentionLoop applies biometric retention in the background until ctx
// ends (docs/design.md §6.4; `booth retention run` does the same once).
func retentionLoop(ctx context.Context, bio *biometric.Store, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		purged, err := bio.RunRetention(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			logger.Error("biometric retention", "err", err)
		}
		if len(purged) > 0 {
			logger.Info("biometric retention", "purged", len(purged))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// forward is the one goroutine that feeds device events and device health
// into the program.
func forward(ctx context.Context, p *tea.Program, mgr *hardware.Manager, devices bool, lanes *laneReporter) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var events <-chan hardware.Event
	if devices {
		events = mgr.Events()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			lanes.observe(ctx, ev) // the lane journal (lanejournal.go)
			p.Send(tui.DeviceMsg{Event: ev})
		case <-t.C:
			var hs []tui.DeviceHealth
			all := mgr.HealthAll()
			lanes.health(ctx, all)
			for _, h := range all {
				hs = append(hs, tui.DeviceHealth{Device: h.Device, State: string(h.State), LastFrame: h.LastFrame,
					Errors: h.Errors, LastError: h.LastError})
			}
			p.Send(tui.HealthMsg{Devices: hs})
		}
	}
}

// addDevices adds every configured device to the manager.
func addDevices(mgr *hardware.Manager, cfg Config) (int, error) {
	bcc, err := docreader.ParseBCCMode(cfg.Devices.Doc.BCC)
	if err != nil {
		return 0, fmt.Errorf("devices.doc.bcc: %w", err)
	}
	devs := []struct {
		dev hardware.Device
		sd  SerialPort
		dec hardware.Decoder
	}{
		{hardware.DeviceDoc, cfg.Devices.Doc.SerialPort, docreader.NewDecoder(docreader.Options{BCC: bcc, IdleGap: cfg.Devices.Doc.IdleGap.Duration})},
		{hardware.DeviceRFID, cfg.Devices.RFID.SerialPort, rfid.NewDecoder(rfid.Options{Window: cfg.Devices.RFID.Window.Duration, RSSIFloor: cfg.Devices.RFID.RSSIFloor})},
		{hardware.DeviceRPM, cfg.Devices.RPM, rpm.NewDecoder(rpm.Options{})},
		{hardware.DeviceLPR, cfg.Devices.LPR, lpr.NewDecoder(lpr.Options{})},
	}
	n := 0
	for _, d := range devs {
		if d.sd.Path == "" {
			continue
		}
		if cfg.Mode == "pedestrian" && (d.dev == hardware.DeviceLPR || d.dev == hardware.DeviceRPM) {
			continue
		}
		pc := hardware.DefaultPortConfig(d.dev, d.sd.Path)
		pc.Baud, pc.Size, pc.Parity, pc.StopBits = d.sd.Baud, d.sd.DataBits, hardware.Parity(d.sd.Parity[0]), d.sd.StopBits
		if err := mgr.Add(d.dev, pc, d.dec); err != nil {
			return 0, fmt.Errorf("devices.%s: %w", d.dev, err)
		}
		n++
	}
	return n, nil
}
