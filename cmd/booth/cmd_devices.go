package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/hardware/docreader"
	"github.com/portofentry/booth/hardware/lpr"
	"github.com/portofentry/booth/hardware/rfid"
	"github.com/portofentry/booth/hardware/rpm"
)

// devicesUsage is the synopsis of `booth devices`.
const devicesUsage = `usage: booth devices [--json] [--doc P] [--rfid P] [--rpm P] [--lpr P] [--for DURATION]

Opens the given serial devices and prints one line per event (connection
changes, bad frames, documents, tags, occupancies, plates) until interrupted
or until --for has elapsed. With --json each line is one JSON object (a stable format).
At least one device is required.`

// deviceFlags are one device's command-line settings.
type deviceFlags struct {
	dev     hardware.Device
	path    string
	baud    int
	framing string
}

// runDevices implements `booth devices`.
func runDevices(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("booth devices", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, devicesUsage)
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	asJSON := fs.Bool("json", false, "print one JSON object per event")
	runFor := fs.Duration("for", 0, "stop after this long (default: until SIGINT or SIGTERM)")
	verbose := fs.Bool("verbose", false, "log connection details to stderr")
	devs := []*deviceFlags{
		{dev: hardware.DeviceDoc}, {dev: hardware.DeviceRFID}, {dev: hardware.DeviceRPM}, {dev: hardware.DeviceLPR},
	}
	for _, d := range devs {
		name := string(d.dev)
		fs.StringVar(&d.path, name, "", fmt.Sprintf("serial device path of the %s", deviceTitle(d.dev)))
		fs.IntVar(&d.baud, name+"-baud", hardware.DefaultBaud(d.dev), "baud rate of --"+name)
		fs.StringVar(&d.framing, name+"-framing", "8N1", "data bits, parity and stop bits of --"+name)
	}
	docBCC := fs.String("doc-bcc", "auto", "document reader block check character after ETX: auto, on or off")
	docIdle := fs.Duration("doc-idle-gap", docreader.DefaultIdleGap, "silence that ends an incomplete document read")
	rfidWindow := fs.Duration("rfid-window", rfid.DefaultWindow, "RFID de-duplication window")
	rfidFloor := fs.Int("rfid-rssi-floor", rfid.DefaultRSSIFloor, "drop RFID reads weaker than this (dBm)")

	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		return usageError(stderr, "devices: unexpected argument %q", fs.Arg(0))
	}
	if *runFor < 0 {
		return usageError(stderr, "devices: --for %v: must not be negative", *runFor)
	}
	bcc, err := docreader.ParseBCCMode(*docBCC)
	if err != nil {
		return usageError(stderr, "devices: --doc-bcc: %v", err)
	}
	if *docIdle <= 0 || *rfidWindow <= 0 {
		return usageError(stderr, "devices: --doc-idle-gap and --rfid-window must be positive")
	}

	level := slog.LevelError
	if *verbose {
		level = slog.LevelDebug
	}
	m := hardware.NewManager(hardware.ManagerOptions{
		Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	})
	decoders := map[hardware.Device]func() hardware.Decoder{
		hardware.DeviceDoc: func() hardware.Decoder {
			return docreader.NewDecoder(docreader.Options{BCC: bcc, IdleGap: *docIdle})
		},
		hardware.DeviceRFID: func() hardware.Decoder {
			return rfid.NewDecoder(rfid.Options{Window: *rfidWindow, RSSIFloor: *rfidFloor})
		},
		hardware.DeviceRPM: func() hardware.Decoder { return rpm.NewDecoder(rpm.Options{}) },
		hardware.DeviceLPR: func() hardware.Decoder { return lpr.NewDecoder(lpr.Options{}) },
	}
	n := 0
	for _, d := range devs {
		if d.path == "" {
			continue
		}
		cfg := hardware.DefaultPortConfig(d.dev, d.path)
		cfg.Baud = d.baud
		if cfg.Size, cfg.Parity, cfg.StopBits, err = hardware.ParseFraming(d.framing); err != nil {
			return usageError(stderr, "devices: --%s-framing: %v", d.dev, err)
		}
		if err := m.Add(d.dev, cfg, decoders[d.dev]()); err != nil {
			return usageError(stderr, "devices: %v", err)
		}
		n++
	}
	if n == 0 {
		return usageError(stderr, "devices: no device given; use --doc, --rfid, --rpm or --lpr (see --help)")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *runFor)
		defer cancel()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	write := textEventWriter(stdout)
	if *asJSON {
		write = jsonEventWriter(stdout)
	}
	code := 0
	for ev := range m.Events() {
		if err := write(ev); err != nil {
			fmt.Fprintf(stderr, "booth: devices: write output: %v\n", err)
			code = 1
			cancel()
			for range m.Events() { // let the ports stop
			}
			break
		}
	}
	if err := <-done; err != nil {
		fmt.Fprintf(stderr, "booth: devices: %v\n", err)
		return 1
	}
	return code
}

func deviceTitle(dev hardware.Device) string {
	switch dev {
	case hardware.DeviceDoc:
		return "document (MRZ) reader"
	case hardware.DeviceRFID:
		return "RFID reader"
	case hardware.DeviceRPM:
		return "radiation portal monitor"
	case hardware.DeviceLPR:
		return "license plate reader"
	}
	return string(dev)
}

// jsonEventWriter writes each event as one JSON line (docs/design.md §4.7).
func jsonEventWriter(w io.Writer) func(hardware.Event) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return func(ev hardware.Event) error { return enc.Encode(ev) }
}

// textEventWriter writes each event as a short line for a technician
// watching a terminal.
func textEventWriter(w io.Writer) func(hardware.Event) error {
	return func(ev hardware.Event) error {
		_, err := fmt.Fprintf(w, "%s %-4s %-9s %s\n", ev.At.Local().Format("15:04:05.000"), ev.Device, ev.Kind, summarize(ev))
		return err
	}
}

func summarize(ev hardware.Event) string {
	switch {
	case ev.Status != nil:
		return strings.TrimSpace(ev.Status.State + " " + ev.Status.Detail)
	case ev.Error != nil:
		return fmt.Sprintf("%s raw=%q", ev.Error.Err, ev.Error.Raw)
	case ev.Document != nil && ev.Document.MRZ != nil:
		r := ev.Document.MRZ
		s := fmt.Sprintf("%s %s %s %s, %s valid=%v", r.Format, r.IssuingState, r.DocumentNumber, r.Surname, r.GivenNames, r.Valid)
		if len(r.Errors) > 0 {
			s += " errors=" + strings.Join(r.Errors, "; ")
		}
		return s
	case ev.Tag != nil:
		return fmt.Sprintf("epc=%s antenna=%d rssi=%d", ev.Tag.EPC, ev.Tag.Antenna, ev.Tag.RSSI)
	case ev.Occupancy != nil:
		o := ev.Occupancy
		return fmt.Sprintf("occupancy=%d gamma_alarm=%v neutron_alarm=%v max_gamma=%d max_neutron=%d speed=%g",
			o.Occupancy, o.GammaAlarm, o.NeutronAlarm, o.MaxGamma, o.MaxNeutron, o.Speed)
	case ev.Fault != nil:
		return strings.TrimSpace(ev.Fault.Code + " " + ev.Fault.Detail)
	case ev.Tamper != nil:
		return fmt.Sprintf("active=%v", ev.Tamper.Active)
	case ev.Plate != nil:
		return fmt.Sprintf("plate=%s region=%s confidence=%.1f", ev.Plate.Plate, ev.Plate.Region, ev.Plate.Confidence)
	}
	return ""
}
