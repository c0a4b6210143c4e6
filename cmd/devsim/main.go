// Command devsim simulates the booth's devices without hardware: a
// pseudo-terminal per serial device (doc, rfid, rpm, lpr) and the face
// matcher's HTTP API on loopback. It prints the paths as one JSON line on
// stdout, plays the scenarios and faults asked for, and runs until SIGINT or
// SIGTERM. Logs go to stderr. See docs/devsim.md.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/portofentry/booth/hardware/simulator"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// config is the parsed command line.
type config struct {
	scenario string
	fault    string
	speed    float64
	loop     bool
	linkDir  string
	list     bool
	quiet    bool
	seed     uint64
	gap      time.Duration
	verbose  bool
	version  bool
	// The simulated biometric system (HTTPS, mutual TLS): started when a
	// certificate is given.
	bioCert, bioKey, bioCA, bioAddr string
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("devsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: devsim [--scenario NAME|FILE] [--fault KIND] [--speed X] [--loop] [--link-dir DIR] [--list]")
		fs.PrintDefaults()
	}
	fs.StringVar(&c.scenario, "scenario", "", "built-in scenario `name` or JSON scenario file to play")
	fs.StringVar(&c.fault, "fault", "", "fault `kind` to inject after the scenario (see --list)")
	fs.Float64Var(&c.speed, "speed", 1, "timing factor: 2 plays twice as fast")
	fs.BoolVar(&c.loop, "loop", false, "repeat forever; without --scenario or --fault, rotate through every built-in scenario")
	fs.StringVar(&c.linkDir, "link-dir", "", "keep stable symlinks `DIR`/doc, rfid, rpm, lpr to the current ptys")
	fs.BoolVar(&c.list, "list", false, "list built-in scenarios and faults, then exit")
	fs.BoolVar(&c.quiet, "quiet", false, "no idle traffic (RFID heartbeats, RPM background)")
	fs.Uint64Var(&c.seed, "seed", 0, "random seed for garbage and pauses (0: random)")
	fs.DurationVar(&c.gap, "gap", simulator.DemoGap, "pause between looped scenarios")
	fs.BoolVar(&c.verbose, "v", false, "debug logging")
	fs.BoolVar(&c.version, "version", false, "print what this binary was built from, then exit")
	fs.StringVar(&c.bioCert, "biometric-cert", "", "serve the simulated biometric system with this server certificate `FILE` (PEM; needs --biometric-key and --biometric-ca)")
	fs.StringVar(&c.bioKey, "biometric-key", "", "private key `FILE` of --biometric-cert")
	fs.StringVar(&c.bioCA, "biometric-ca", "", "CA `FILE` that booth client certificates must chain to (the port CA)")
	fs.StringVar(&c.bioAddr, "biometric-addr", "127.0.0.1:0", "where the simulated biometric system listens")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.speed <= 0 || c.speed > 1000 {
		return c, fmt.Errorf("--speed %g: want more than 0 and at most 1000", c.speed)
	}
	if (c.bioCert != "" || c.bioKey != "" || c.bioCA != "") && (c.bioCert == "" || c.bioKey == "" || c.bioCA == "") {
		return c, errors.New("--biometric-cert, --biometric-key and --biometric-ca go together")
	}
	if c.fault != "" && !slices.Contains(simulator.Faults(), simulator.FaultKind(c.fault)) {
		return c, fmt.Errorf("--fault %q: want one of %s", c.fault, faultNames())
	}
	return c, nil
}

func faultNames() string {
	var names []string
	for _, k := range simulator.Faults() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// run is main without the process: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "devsim:", err)
		return 2
	}
	if c.version {
		return printVersion(stdout)
	}
	if c.list {
		list(stdout)
		return 0
	}
	level := slog.LevelInfo
	if c.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	plan, err := buildPlan(c)
	if err != nil {
		fmt.Fprintln(stderr, "devsim:", err)
		return 2
	}
	sim, err := simulator.Start(ctx, simulator.Options{
		Speed: c.speed, LinkDir: c.linkDir, Quiet: c.quiet, Seed: c.seed, Logger: log,
	})
	if err != nil {
		fmt.Fprintln(stderr, "devsim:", err)
		return 1
	}
	defer sim.Close()
	paths := struct {
		simulator.Paths
		Biometric string `json:"biometric,omitempty"`
	}{Paths: sim.Paths()}
	if c.bioCert != "" {
		bio, err := startBiometric(ctx, c, log)
		if err != nil {
			fmt.Fprintln(stderr, "devsim:", err)
			return 1
		}
		defer bio.Close()
		paths.Biometric = bio.URL()
	}
	if err := json.NewEncoder(stdout).Encode(paths); err != nil {
		fmt.Fprintln(stderr, "devsim: print paths:", err)
		return 1
	}

	switch {
	case len(plan) == 0:
		// Devices up, nothing to play: serve until stopped.
	case c.loop:
		if err := sim.PlayLoop(ctx, plan, c.gap); err != nil {
			log.Error("loop", "err", err)
			return 1
		}
	default:
		for _, sc := range plan {
			if err := sim.Play(ctx, sc); err != nil {
				if ctx.Err() != nil {
					break
				}
				log.Error("play", "scenario", sc.Name, "err", err)
				return 1
			}
		}
		log.Info("done playing; devices stay up until SIGINT or SIGTERM")
	}
	<-ctx.Done()
	return 0
}

// buildPlan turns --scenario, --fault and --loop into the scenarios to play.
func buildPlan(c config) ([]simulator.Scenario, error) {
	var plan []simulator.Scenario
	if c.scenario != "" {
		sc, ok := simulator.Builtin(c.scenario)
		if !ok {
			if _, err := os.Stat(c.scenario); err != nil {
				return nil, fmt.Errorf("--scenario %q is neither a built-in scenario (see --list) nor a readable file: %w", c.scenario, err)
			}
			var err error
			if sc, err = simulator.LoadScenarioFile(c.scenario); err != nil {
				return nil, err
			}
		}
		plan = append(plan, sc)
	}
	if c.fault != "" {
		plan = append(plan, simulator.FaultScenario(simulator.FaultKind(c.fault)))
	}
	if len(plan) == 0 && c.loop {
		plan = simulator.Scenarios()
	}
	return plan, nil
}

func list(w io.Writer) {
	fmt.Fprintln(w, "Scenarios:")
	for _, sc := range simulator.Scenarios() {
		fmt.Fprintf(w, "  %-22s %-10s %s\n", sc.Name, sc.Mode, sc.Description)
	}
	fmt.Fprintln(w, "Faults:")
	for _, k := range simulator.Faults() {
		fmt.Fprintf(w, "  %-22s %s\n", k, simulator.FaultDescription(k))
	}
}

// startBiometric serves the simulated biometric system over mutual TLS.
func startBiometric(ctx context.Context, c config, log *slog.Logger) (*simulator.BiometricService, error) {
	cert, err := tls.LoadX509KeyPair(c.bioCert, c.bioKey)
	if err != nil {
		return nil, fmt.Errorf("biometric service certificate: %w", err)
	}
	caPEM, err := os.ReadFile(c.bioCA)
	if err != nil {
		return nil, fmt.Errorf("biometric service client CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("biometric service client CA %s holds no PEM certificate", c.bioCA)
	}
	return simulator.StartBiometricService(ctx, simulator.BiometricServiceOptions{Addr: c.bioAddr, Logger: log,
		TLS: &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: pool, MinVersion: tls.VersionTLS13}})
}
