package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is one workstation's configuration: a TOML file (DESIGN §4).
// `booth --print-config` prints it with every default filled in; a wrong key
// or value is an error naming it, never a silent default.
type Config struct {
	Workstation string   `toml:"workstation" comment:"Workstation id: unique per booth at the port; stamped on every event."`
	Port        string   `toml:"port" comment:"Port of entry code, e.g. 2608 (San Luis, AZ)."`
	Lane        string   `toml:"lane" comment:"Lane name shown on screen and recorded on each crossing."`
	Mode        string   `toml:"mode" comment:"vehicle | pedestrian"`
	Role        string   `toml:"role" comment:"primary | secondary | supervisor"`
	ReadOnly    bool     `toml:"read_only" comment:"Open the store read-only (forced for supervisors)."`
	Database    string   `toml:"database" comment:"Path of the booth's SQLite database."`
	LogFile     string   `toml:"log_file" comment:"Where the workstation logs (never the terminal)."`
	IdleLock    Duration `toml:"idle_lock" comment:"Lock the screen after this long without a key press."`
	Theme       string   `toml:"theme" comment:"auto | dark | light (NO_COLOR in the environment turns colour off)."`

	Devices    Devices             `toml:"devices"`
	Matcher    Matcher             `toml:"matcher"`
	PortServer PortServer          `toml:"port_server"`
	Retention  Retention           `toml:"retention"`
	Keys       map[string][]string `toml:"keys" comment:"Key bindings: action = [\"key\", ...]. See docs/tui.md for the actions."`
}

// Devices configures the four serial devices. An empty path means the device
// is not fitted at this booth.
type Devices struct {
	Doc  SerialDevice `toml:"doc"`
	RFID SerialDevice `toml:"rfid"`
	RPM  SerialDevice `toml:"rpm"`
	LPR  SerialDevice `toml:"lpr"`
}

// SerialDevice is one serial port and its framing options.
type SerialDevice struct {
	Path     string `toml:"path" comment:"Serial device, e.g. /dev/serial/by-id/usb-...; re-resolved on every reconnect."`
	Baud     int    `toml:"baud"`
	DataBits int    `toml:"data_bits"`
	Parity   string `toml:"parity" comment:"N | E | O"`
	StopBits int    `toml:"stop_bits"`
	// Document reader only.
	IdleGap Duration `toml:"idle_gap,omitempty" comment:"Document reader: a read ends after this gap (then it is reported unreadable)."`
	BCC     string   `toml:"bcc,omitempty" comment:"Document reader: auto | on | off (block check character after ETX)."`
	// RFID reader only.
	Window    Duration `toml:"window,omitempty" comment:"RFID: report a tag again only after it was absent this long."`
	RSSIFloor int      `toml:"rssi_floor,omitempty" comment:"RFID: ignore reads weaker than this (dBm); the neighbour lane."`
}

// Matcher is the local face matcher service.
type Matcher struct {
	URL     string   `toml:"url" comment:"Face matcher base URL; empty disables face verification."`
	Timeout Duration `toml:"timeout" comment:"Budget for one verification; past it the result is 'unavailable — verify manually'."`
}

// PortServer is the port server the booth replicates with.
type PortServer struct {
	URL  string `toml:"url" comment:"https://host:port of the port server; empty means offline only."`
	CA   string `toml:"ca" comment:"PEM file of the port CA."`
	Cert string `toml:"cert" comment:"PEM file of this workstation's certificate."`
	Key  string `toml:"key" comment:"PEM file of this workstation's private key."`
}

// Retention overrides the biometric retention periods. Only tests and
// training set these; the defaults are the rules.
type Retention struct {
	CitizenCapture    Duration `toml:"citizen_capture" comment:"US citizens and unknown citizenship: delete after (rule: 12h)."`
	NonCitizenCapture Duration `toml:"non_citizen_capture" comment:"Non-citizens: delete after at most (rule: 336h = 14 days)."`
	Interval          Duration `toml:"interval" comment:"How often retention runs in the background."`
}

// Duration is a time.Duration written as "150ms", "5m" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("not a duration (use e.g. 150ms, 10s, 5m): %q", b)
	}
	d.Duration = v
	return nil
}

// MarshalText writes the duration as Go does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func defaultSerial(baud int) SerialDevice {
	return SerialDevice{Baud: baud, DataBits: 8, Parity: "N", StopBits: 1}
}

// defaultConfig is the configuration every file starts from.
func defaultConfig() Config {
	doc := defaultSerial(9600)
	doc.IdleGap, doc.BCC = Duration{150 * time.Millisecond}, "auto"
	rfid := defaultSerial(115200)
	rfid.Window, rfid.RSSIFloor = Duration{10 * time.Second}, -70
	return Config{
		Workstation: "booth-01",
		Port:        "2608",
		Lane:        "V01",
		Mode:        "vehicle",
		Role:        "primary",
		Database:    "booth.db",
		LogFile:     "booth.log",
		IdleLock:    Duration{5 * time.Minute},
		Theme:       "auto",
		Devices:     Devices{Doc: doc, RFID: rfid, RPM: defaultSerial(9600), LPR: defaultSerial(115200)},
		Matcher:     Matcher{Timeout: Duration{1500 * time.Millisecond}},
		Retention: Retention{
			CitizenCapture:    Duration{12 * time.Hour},
			NonCitizenCapture: Duration{14 * 24 * time.Hour},
			Interval:          Duration{time.Minute},
		},
		Keys: map[string][]string{},
	}
}

// loadConfig reads the TOML file at path over the defaults. An empty path
// returns the defaults. Unknown keys and bad values are errors naming them.
func loadConfig(path string) (Config, error) {
	cfg := defaultConfig()
	if path == "" {
		return cfg, cfg.validate()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if err := decodeConfig(b, &cfg); err != nil {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

func decodeConfig(b []byte, cfg *Config) error {
	md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(cfg)
	if err != nil {
		var perr toml.ParseError
		if errors.As(err, &perr) {
			return fmt.Errorf("%s", perr.ErrorWithPosition())
		}
		return err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return fmt.Errorf("unknown key(s): %s (see `booth --print-config`)", strings.Join(keys, ", "))
	}
	return cfg.validate()
}

// applyFlags lets command-line flags override the file. Empty values leave
// the file's setting.
func (c *Config) applyFlags(role string, readOnly bool) error {
	if role != "" {
		c.Role = role
	}
	if readOnly {
		c.ReadOnly = true
	}
	return c.validate()
}

// validate checks every value and forces read-only for supervisors: the
// supervisor role may never write, whatever the file says.
func (c *Config) validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{key}, a...)...))
	}
	oneOf := func(key, v string, allowed ...string) {
		if !slices.Contains(allowed, v) {
			bad(key, "%q is not one of %s", v, strings.Join(allowed, " | "))
		}
	}
	if strings.TrimSpace(c.Workstation) == "" {
		bad("workstation", "must not be empty")
	}
	if strings.TrimSpace(c.Lane) == "" {
		bad("lane", "must not be empty")
	}
	oneOf("mode", c.Mode, "vehicle", "pedestrian")
	oneOf("role", c.Role, "primary", "secondary", "supervisor")
	oneOf("theme", c.Theme, "auto", "dark", "light")
	if c.Database == "" {
		bad("database", "must not be empty")
	}
	if c.IdleLock.Duration < 0 {
		bad("idle_lock", "must not be negative")
	}
	for name, d := range map[string]SerialDevice{"doc": c.Devices.Doc, "rfid": c.Devices.RFID, "rpm": c.Devices.RPM, "lpr": c.Devices.LPR} {
		key := "devices." + name
		if !slices.Contains([]int{1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400}, d.Baud) {
			bad(key+".baud", "%d is not a standard baud rate", d.Baud)
		}
		if d.DataBits < 5 || d.DataBits > 8 {
			bad(key+".data_bits", "%d is not 5–8", d.DataBits)
		}
		oneOf(key+".parity", d.Parity, "N", "E", "O")
		if d.StopBits != 1 && d.StopBits != 2 {
			bad(key+".stop_bits", "%d is not 1 or 2", d.StopBits)
		}
	}
	oneOf("devices.doc.bcc", c.Devices.Doc.BCC, "auto", "on", "off")
	if c.Devices.Doc.IdleGap.Duration <= 0 {
		bad("devices.doc.idle_gap", "must be positive")
	}
	if c.Devices.RFID.Window.Duration <= 0 {
		bad("devices.rfid.window", "must be positive")
	}
	if f := c.Devices.RFID.RSSIFloor; f >= 0 || f < -120 {
		bad("devices.rfid.rssi_floor", "%d dBm is outside -120..-1", f)
	}
	if c.Matcher.Timeout.Duration <= 0 {
		bad("matcher.timeout", "must be positive")
	}
	if u := c.PortServer.URL; u != "" && !strings.HasPrefix(u, "https://") {
		bad("port_server.url", "%q must be https:// (mutual TLS only)", u)
	}
	if c.PortServer.URL != "" && (c.PortServer.CA == "" || c.PortServer.Cert == "" || c.PortServer.Key == "") {
		bad("port_server", "url is set, so ca, cert and key are required")
	}
	r := c.Retention
	if r.CitizenCapture.Duration <= 0 || r.CitizenCapture.Duration > 12*time.Hour {
		bad("retention.citizen_capture", "%s is outside (0, 12h]: the rule is 12 hours at most", r.CitizenCapture)
	}
	if r.NonCitizenCapture.Duration <= 0 || r.NonCitizenCapture.Duration > 14*24*time.Hour {
		bad("retention.non_citizen_capture", "%s is outside (0, 336h]: the rule is 14 days at most", r.NonCitizenCapture)
	}
	if r.Interval.Duration <= 0 {
		bad("retention.interval", "must be positive")
	}
	if c.Role == "supervisor" {
		c.ReadOnly = true
	}
	return errors.Join(errs...)
}

// printConfig writes cfg as a commented TOML file.
func printConfig(w io.Writer, cfg Config) error {
	fmt.Fprintln(w, "# booth workstation configuration. Every key is shown with its default.")
	enc := toml.NewEncoder(w)
	enc.Indent = ""
	if err := enc.Encode(cfg); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	return nil
}
