package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware/simulator"
	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/replication"
	"github.com/portofentry/booth/sqlitestore"
)

// The demo officer. The login screen shows these: the demo has nothing to
// protect, and a newcomer must get in without reading docs.
const (
	demoBadge = "D1001"
	demoName  = "DEMO OFFICER"
	demoPIN   = "246810"
	demoRoles = "primary,secondary"
	// The demo supervisor signs in anywhere and is read-only there.
	demoSupervisorBadge = "D9001"
	demoSupervisorName  = "DEMO SUPERVISOR"
	demoSupervisorPIN   = "135790"
)

// demoEnv is `booth --demo` (docs/design.md §4.1): simulated devices in-process, a
// temporary database seeded with the simulator's reference data, a demo
// officer, and scenarios playing in a loop.
type demoEnv struct {
	dir       string
	keepDir   bool
	sim       *simulator.Sim
	bio       *simulator.BiometricService // nil unless the lane is a primary one
	cancel    context.CancelFunc
	scenarios []simulator.Scenario
	gap       time.Duration
	hint      string
	// released is signalled when the officer lets the vehicle at the booth
	// go; the simulated lane sends the next one to the window only then.
	released chan struct{}
}

// release tells the simulated lane the booth is free (tui.Deps.Released).
func (d *demoEnv) release() {
	select {
	case d.released <- struct{}{}:
	default: // already signalled; the lane has not caught up yet
	}
}

// Environment knobs for scripted runs (the end-to-end test): BOOTH_DEMO_DIR
// keeps the database in a known directory, BOOTH_DEMO_SCENARIOS picks the
// scenarios (comma-separated names), BOOTH_DEMO_GAP sets the pause between
// them.
const (
	envDemoDir       = "BOOTH_DEMO_DIR"
	envDemoScenarios = "BOOTH_DEMO_SCENARIOS"
	envDemoGap       = "BOOTH_DEMO_GAP"
)

func startDemo(ctx context.Context, cfg *Config) (*demoEnv, error) {
	d := &demoEnv{gap: 10 * time.Second, released: make(chan struct{}, 1)}
	if dir := os.Getenv(envDemoDir); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("demo directory: %w", err)
		}
		d.dir, d.keepDir = dir, true
	} else {
		dir, err := os.MkdirTemp("", "booth-demo-")
		if err != nil {
			return nil, fmt.Errorf("demo directory: %w", err)
		}
		d.dir = dir
	}
	if v := os.Getenv(envDemoGap); v != "" {
		g, err := time.ParseDuration(v)
		if err != nil || g < 0 {
			d.Close()
			return nil, fmt.Errorf("%s: %q is not a duration", envDemoGap, v)
		}
		d.gap = g
	}
	var err error
	if d.scenarios, err = demoScenarios(cfg.Mode, os.Getenv(envDemoScenarios)); err != nil {
		d.Close()
		return nil, err
	}
	simLog, err := os.OpenFile(filepath.Join(d.dir, "devsim.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("simulator log: %w", err)
	}
	simCtx, cancel := context.WithCancel(ctx)
	d.cancel = cancel
	d.sim, err = simulator.Start(simCtx, simulator.Options{Speed: 1, LinkDir: filepath.Join(d.dir, "dev"),
		Logger: slog.New(slog.NewTextHandler(simLog, nil))})
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("start simulated devices: %w", err)
	}
	paths := d.sim.Paths()
	cfg.Devices.Doc.Path, cfg.Devices.RFID.Path = paths.Doc, paths.RFID
	cfg.Devices.RPM.Path, cfg.Devices.LPR.Path = paths.RPM, paths.LPR
	cfg.Matcher.URL = paths.Matcher
	cfg.PortServer = PortServer{} // the demo runs its own port server in-process
	cfg.Database = filepath.Join(d.dir, "booth.db")
	cfg.LogFile = filepath.Join(d.dir, "booth.log")
	if cfg.Workstation == defaultConfig().Workstation {
		cfg.Workstation = "demo-booth"
	}
	if err := seedDemo(ctx, cfg.Database, cfg.Workstation, cfg.LogFile); err != nil {
		d.Close()
		return nil, err
	}
	if cfg.Role == "primary" {
		// Only a primary lane captures faces: a non-citizen's capture is
		// forwarded to the simulated biometric system, as at a port.
		if err := d.startBiometric(simCtx, cfg, slog.New(slog.NewTextHandler(simLog, nil))); err != nil {
			d.Close()
			return nil, err
		}
	}
	// A secondary or supervisor demo watches four simulated lanes; a
	// primary demo is one simulated lane.
	lanes := "simulated lane"
	if cfg.Role != "primary" {
		lanes = "simulated lanes"
	}
	d.hint = fmt.Sprintf("DEMO — badge %s  PIN %s  · supervisor (read-only) badge %s  PIN %s  · %s and in-process port server · data in %s",
		demoBadge, demoPIN, demoSupervisorBadge, demoSupervisorPIN, lanes, d.dir)
	return d, nil
}

// demoScenarios picks the built-in scenarios of the lane's mode, or the ones
// named.
func demoScenarios(mode, names string) ([]simulator.Scenario, error) {
	var out []simulator.Scenario
	if names != "" {
		for _, n := range strings.Split(names, ",") {
			sc, ok := simulator.Builtin(strings.TrimSpace(n))
			if !ok {
				return nil, fmt.Errorf("%s: no built-in scenario %q", envDemoScenarios, n)
			}
			out = append(out, sc)
		}
		return out, nil
	}
	for _, sc := range simulator.Scenarios() {
		if sc.Mode == "" || sc.Mode == mode {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no demo scenario for a %s lane", mode)
	}
	return out, nil
}

// seedDemo loads the simulator's reference data and creates the demo
// officer in a fresh database.
func seedDemo(ctx context.Context, path, workstation, logPath string) error {
	// Seeding logs to the demo's log file like the rest: the terminal
	// belongs to the TUI.
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("demo log: %w", err)
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, nil))
	st, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Origin: workstation, Logger: logger})
	if err != nil {
		return fmt.Errorf("demo database: %w", err)
	}
	defer st.Close()
	fx := simulator.Fixtures()
	asOf := time.Now().Add(-2 * time.Hour).Truncate(time.Minute)
	v := time.Now().Unix()
	for _, kind := range []string{"travelers", "rfid", "lookouts", "lost-stolen"} {
		f, err := fx.Open(kind + ".jsonl")
		if err != nil {
			return fmt.Errorf("demo reference %s: %w", kind, err)
		}
		_, err = st.ImportReference(ctx, kind, f, v, asOf)
		f.Close()
		if err != nil && !errors.Is(err, sqlitestore.ErrStaleDataset) {
			return fmt.Errorf("demo reference %s: %w", kind, err)
		}
	}
	if err := seedDemoHistory(ctx, st, time.Now()); err != nil {
		return err
	}
	// Local copies, so a demo whose port server is not this one's (the
	// secondary demo) signs in too; the demo port server's accounts shadow
	// them as soon as the feed delivered them (a port account wins).
	for _, o := range demoOfficers() {
		if err := st.AddLocalOfficer(ctx, o); err != nil && !errors.Is(err, sqlitestore.ErrOfficerExists) {
			return fmt.Errorf("demo officer %s: %w", o.Badge, err)
		}
	}
	return nil
}

func demoOfficers() []sqlitestore.NewOfficer {
	return []sqlitestore.NewOfficer{
		{Badge: demoBadge, Name: demoName, Roles: demoRoles, PIN: []byte(demoPIN)},
		{Badge: demoSupervisorBadge, Name: demoSupervisorName, Roles: string(records.RoleSupervisor), PIN: []byte(demoSupervisorPIN)},
	}
}

// seedDemoPortAccounts makes the demo officers port accounts at the demo's
// port server: they reach the booth with the account feed, as at a port.
func seedDemoPortAccounts(ctx context.Context, srv *sqlitestore.Store) error {
	for _, o := range demoOfficers() {
		if err := srv.AddPortAccount(ctx, o); err != nil && !errors.Is(err, sqlitestore.ErrOfficerExists) {
			return fmt.Errorf("demo port account %s: %w", o.Badge, err)
		}
	}
	return nil
}

// startPlaying runs the scenarios in a loop in the background, paced by the
// officer: the next vehicle approaches while the current one is at the
// booth, and reaches the window when the officer released the current one.
func (d *demoEnv) startPlaying(ctx context.Context, log *slog.Logger) {
	go func() {
		// Let the workstation open the devices before the first vehicle.
		select {
		case <-ctx.Done():
			return
		case <-time.After(1500 * time.Millisecond):
		}
		if err := d.sim.PlayPaced(ctx, d.scenarios, d.gap, d.released); err != nil {
			log.Error("demo scenarios stopped", "err", err)
		}
	}()
}

// Close stops the simulator and removes the temporary directory.
func (d *demoEnv) Close() {
	if d.cancel != nil {
		d.cancel()
	}
	if d.bio != nil {
		d.bio.Close()
	}
	if d.sim != nil {
		d.sim.Close()
	}
	if !d.keepDir && d.dir != "" {
		os.RemoveAll(d.dir)
	}
}

// startBiometric runs the simulated biometric system on loopback and points
// the workstation's [biometric_service] at it. Both ends take their
// certificates from a demo CA of their own (biometric-pki in the demo
// directory): the in-process port server makes its PKI only once the
// workstation starts, and the forwarder needs its client certificate
// before that (it is checked at start like any port_server.cert). The demo
// has no configured port server, so port_server's certificate keys carry
// this workstation's certificate for the biometric system; the demo's link
// to its own port server uses that server's PKI.
func (d *demoEnv) startBiometric(ctx context.Context, cfg *Config, log *slog.Logger) error {
	pki := filepath.Join(d.dir, "biometric-pki")
	if err := replication.InitCA(pki, "demo biometric system"); err != nil && !errors.Is(err, replication.ErrExists) {
		return fmt.Errorf("demo biometric system CA: %w", err)
	}
	// A kept demo directory (BOOTH_DEMO_DIR) keeps its CA; the certificates
	// are issued afresh each run (the workstation id may have changed).
	srvCert, srvKey, err := replication.Issue(pki, replication.IssueRequest{Role: replication.RoleServer, Overwrite: true})
	if err != nil {
		return fmt.Errorf("demo biometric system certificate: %w", err)
	}
	ca := filepath.Join(pki, replication.CACertFile)
	conf, err := replication.ServerTLSConfig(ca, srvCert, srvKey)
	if err != nil {
		return fmt.Errorf("demo biometric system: %w", err)
	}
	cert, key, err := replication.Issue(pki, replication.IssueRequest{Role: cfg.Role, Workstation: cfg.Workstation, Overwrite: true})
	if err != nil {
		return fmt.Errorf("demo biometric client certificate: %w", err)
	}
	d.bio, err = simulator.StartBiometricService(ctx, simulator.BiometricServiceOptions{TLS: conf, Logger: log})
	if err != nil {
		return fmt.Errorf("demo biometric system: %w", err)
	}
	cfg.PortServer.CA, cfg.PortServer.Cert, cfg.PortServer.Key = ca, cert, key
	cfg.Biometric.URL, cfg.Biometric.CA = d.bio.URL(), ca
	return nil
}
