package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/portofentry/booth/tui"
)

// Config is one workstation's configuration: a TOML file (docs/design.md §4.5).
// `booth --print-config` prints it with every default filled in; a wrong key
// or value is an error naming it, never a silent default.
type Config struct {
	Workstation string   `toml:"workstation" comment:"Workstation id: unique per booth at the port; stamped on every event."`
	Port        string   `toml:"port" comment:"Port of entry code, e.g. 2608 (San Luis, AZ)."`
	Lane        string   `toml:"lane" comment:"Lane name shown on screen and recorded on each crossing."`
	Mode        string   `toml:"mode" comment:"vehicle | pedestrian"`
	Role        string   `toml:"role" comment:"Workstation kind: primary | secondary | supervisor. Must match the OU of port_server.cert."`
	ReadOnly    bool     `toml:"read_only" comment:"Every sign-in is read-only and the store is opened read-only. Forced for supervisor consoles, which keep a replica instead: the system writes it (feed, port status, the console's audit entries) through its own handle, and the screens read through a handle SQLite keeps read-only."`
	Database    string   `toml:"database" comment:"Path of the booth's SQLite database."`
	LogFile     string   `toml:"log_file" comment:"Where the workstation logs (never the terminal)."`
	IdleLock    Duration `toml:"idle_lock" comment:"Lock the screen after this long without a key press."`
	// AccountCacheMaxAge bounds how long cached port accounts are trusted.
	AccountCacheMaxAge Duration `toml:"account_cache_max_age" comment:"Refuse cached port-account sign-ins (all but break-glass accounts) when the port server has not been heard for this long."`
	Theme              string   `toml:"theme" comment:"auto | dark | light (NO_COLOR in the environment turns colour off)."`

	Devices    Devices             `toml:"devices"`
	Matcher    Matcher             `toml:"matcher"`
	PortServer PortServer          `toml:"port_server"`
	Retention  Retention           `toml:"retention"`
	Biometric  BiometricService    `toml:"biometric_service"` // forwarder_config.go
	Keys       map[string][]string `toml:"keys" comment:"Key bindings: action = [\"key\", ...]. See docs/tui.md for the actions."`
}

// Devices configures the four serial devices. An empty path means the device
// is not fitted at this booth.
type Devices struct {
	Doc  DocReader  `toml:"doc" comment:"Document (MRZ) reader."`
	RFID RFIDReader `toml:"rfid" comment:"UHF RFID reader (SENTRI, NEXUS, FAST, Passport Card, EDL)."`
	RPM  SerialPort `toml:"rpm" comment:"Radiation portal monitor (vehicle lanes)."`
	LPR  SerialPort `toml:"lpr" comment:"License plate reader (vehicle lanes)."`
}

// SerialPort is one serial line.
type SerialPort struct {
	Path     string `toml:"path" comment:"Serial device, e.g. /dev/serial/by-id/usb-...; re-resolved on every reconnect. Empty: not fitted."`
	Baud     int    `toml:"baud"`
	DataBits int    `toml:"data_bits"`
	Parity   string `toml:"parity" comment:"N | E | O"`
	StopBits int    `toml:"stop_bits"`
}

// DocReader is the document reader's line and framing options.
type DocReader struct {
	SerialPort
	IdleGap Duration `toml:"idle_gap" comment:"A read ends after this gap without bytes (then it is reported unreadable)."`
	BCC     string   `toml:"bcc" comment:"auto | on | off: block check character after ETX."`
}

// RFIDReader is the RFID reader's line and filtering options.
type RFIDReader struct {
	SerialPort
	Window    Duration `toml:"window" comment:"Report a tag again only after it was absent this long."`
	RSSIFloor int      `toml:"rssi_floor" comment:"Ignore reads weaker than this (dBm): the neighbour lane's cards."`
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

func defaultSerial(baud int) SerialPort {
	return SerialPort{Baud: baud, DataBits: 8, Parity: "N", StopBits: 1}
}

// defaultConfig is the configuration every file starts from.
func defaultConfig() Config {
	doc := DocReader{SerialPort: defaultSerial(9600), IdleGap: Duration{150 * time.Millisecond}, BCC: "auto"}
	rfid := RFIDReader{SerialPort: defaultSerial(115200), Window: Duration{10 * time.Second}, RSSIFloor: -70}
	return Config{
		Workstation:        "booth-01",
		Port:               "2608",
		Lane:               "V01",
		Mode:               "vehicle",
		Role:               "primary",
		Database:           "booth.db",
		LogFile:            "booth.log",
		IdleLock:           Duration{5 * time.Minute},
		AccountCacheMaxAge: Duration{72 * time.Hour},
		Theme:              "auto",
		Devices:            Devices{Doc: doc, RFID: rfid, RPM: defaultSerial(9600), LPR: defaultSerial(115200)},
		Matcher:            Matcher{Timeout: Duration{1500 * time.Millisecond}},
		Retention: Retention{
			CitizenCapture:    Duration{12 * time.Hour},
			NonCitizenCapture: Duration{14 * 24 * time.Hour},
			Interval:          Duration{time.Minute},
		},
		Biometric: defaultBiometricService(),
		Keys:      tui.DefaultKeyMap().Bindings(),
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
	if c.AccountCacheMaxAge.Duration <= 0 {
		bad("account_cache_max_age", "must be positive")
	}
	for name, d := range map[string]SerialPort{"doc": c.Devices.Doc.SerialPort, "rfid": c.Devices.RFID.SerialPort, "rpm": c.Devices.RPM, "lpr": c.Devices.LPR} {
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
	errs = append(errs, c.Biometric.validate()...) // forwarder_config.go
	if _, err := tui.DefaultKeyMap().Apply(c.Keys); err != nil {
		errs = append(errs, err) // it names the key already
	}
	if c.Role == "supervisor" {
		c.ReadOnly = true
	}
	return errors.Join(errs...)
}

// printConfig writes cfg as TOML with each key's documentation above it.
func printConfig(w io.Writer, cfg Config) error {
	var buf bytes.Buffer
	enc := toml.NewEncoder(&buf)
	enc.Indent = ""
	if err := enc.Encode(cfg); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	docs := map[string]string{}
	collectComments(reflect.TypeOf(cfg), "", docs)
	out := bufio.NewWriter(w)
	fmt.Fprintln(out, "# Booth workstation configuration (TOML). Every key is shown with its default.")
	fmt.Fprintln(out, "# A key this build does not know, or a bad value, stops the booth with an error naming it.")
	section, prev := "", ""
	for _, line := range strings.Split(strings.TrimRight(buf.String(), "\n"), "\n") {
		key := ""
		switch {
		case line == "" && prev == "":
			continue
		case strings.HasPrefix(line, "["):
			section = strings.Trim(line, "[]")
			key = section
			if prev != "" {
				fmt.Fprintln(out)
			}
		case strings.Contains(line, " = "):
			key, _, _ = strings.Cut(line, " = ")
			if section != "" {
				key = section + "." + key
			}
		}
		if doc := docs[key]; doc != "" {
			fmt.Fprintln(out, "# "+doc)
		}
		fmt.Fprintln(out, line)
		prev = line
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("print config: %w", err)
	}
	return nil
}

// collectComments maps each TOML key path of t ("devices.doc.idle_gap") to
// its comment tag. Embedded structs share their parent's path, as in TOML.
func collectComments(t reflect.Type, prefix string, docs map[string]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			collectComments(f.Type, prefix, docs)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		if name == "" {
			continue
		}
		path := prefix + name
		if c := f.Tag.Get("comment"); c != "" {
			docs[path] = c
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(Duration{}) {
			collectComments(f.Type, path+".", docs)
		}
	}
}

// checkCertificateKind stops a workstation whose certificate was issued for
// another kind than its configuration names (the OU is the kind the port
// server trusts it as). Without a port server there is no certificate.
func checkCertificateKind(cfg Config) error {
	if cfg.PortServer.Cert == "" {
		return nil
	}
	b, err := os.ReadFile(cfg.PortServer.Cert)
	if err != nil {
		return fmt.Errorf("port_server.cert: %w", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return fmt.Errorf("port_server.cert %s: no PEM certificate", cfg.PortServer.Cert)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return fmt.Errorf("port_server.cert %s: %w", cfg.PortServer.Cert, err)
	}
	ous := cert.Subject.OrganizationalUnit
	if len(ous) != 1 {
		return fmt.Errorf("port_server.cert %s names %d workstation kinds (OU), want exactly one", cfg.PortServer.Cert, len(ous))
	}
	if ous[0] != cfg.Role {
		return fmt.Errorf("workstation kind mismatch: the configuration says role = %q but the certificate %s was issued for a %q workstation (OU); "+
			"correct role in the configuration or issue this workstation a %s certificate", cfg.Role, cfg.PortServer.Cert, ous[0], cfg.Role)
	}
	return nil
}
