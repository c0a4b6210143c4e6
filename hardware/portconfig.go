package hardware

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tarm/serial"
)

// Parity is a serial parity setting.
type Parity byte

// Supported parity settings.
const (
	ParityNone Parity = 'N'
	ParityOdd  Parity = 'O'
	ParityEven Parity = 'E'
)

// Port defaults. The read timeout is what lets the port loop see idle gaps:
// tarm/serial returns io.EOF when it expires with no data. The kernel's
// granularity (termios VTIME) is 100 ms, so anything shorter becomes 100 ms.
const (
	DefaultReadTimeout = 50 * time.Millisecond
	DefaultMinBackoff  = 100 * time.Millisecond
	DefaultMaxBackoff  = time.Second
	DefaultFaultyAfter = 5
	maxReadTimeout     = 2 * time.Second
)

// PortConfig says how to open one serial device. Zero fields take the
// defaults: 8 data bits, no parity, 1 stop bit (8N1), DefaultReadTimeout,
// DefaultMinBackoff, DefaultMaxBackoff and DefaultFaultyAfter. Baud has no
// generic default; use DefaultPortConfig for the per-device one.
type PortConfig struct {
	// Path is the device path. It may be a symlink such as
	// /dev/serial/by-id/...; it is resolved again on every (re)open.
	Path string
	// Baud is the line speed in bits per second.
	Baud int
	// Size is the number of data bits (5 to 8).
	Size int
	// Parity is ParityNone, ParityOdd or ParityEven.
	Parity Parity
	// StopBits is 1 or 2.
	StopBits int
	// ReadTimeout bounds one read; an expired read is an idle tick for the
	// decoder. It also bounds how long a stop request waits for a read.
	ReadTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait between reopen attempts. The
	// wait doubles from MinBackoff up to MaxBackoff, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// FaultyAfter is how many consecutive bad frames turn a connected
	// device's health to faulty.
	FaultyAfter int
}

// DefaultBaud returns the usual line speed of a booth device (docs/design.md §3.1):
// 9600 for the document reader and the RPM, 115200 for the RFID reader and
// the plate reader.
func DefaultBaud(dev Device) int {
	switch dev {
	case DeviceRFID, DeviceLPR:
		return 115200
	default:
		return 9600
	}
}

// DefaultPortConfig returns the 8N1 configuration of dev at path with the
// device's default baud rate.
func DefaultPortConfig(dev Device, path string) PortConfig {
	return PortConfig{Path: path, Baud: DefaultBaud(dev)}.withDefaults()
}

// ParseFraming parses a framing string such as "8N1" or "7E2" into data
// bits, parity and stop bits.
func ParseFraming(s string) (size int, parity Parity, stopBits int, err error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 3 {
		return 0, 0, 0, fmt.Errorf("framing %q: want data bits, parity and stop bits like 8N1", s)
	}
	size, err = strconv.Atoi(s[:1])
	if err != nil {
		return 0, 0, 0, fmt.Errorf("framing %q: data bits: %w", s, err)
	}
	parity = Parity(s[1])
	stopBits, err = strconv.Atoi(s[2:])
	if err != nil {
		return 0, 0, 0, fmt.Errorf("framing %q: stop bits: %w", s, err)
	}
	c := PortConfig{Path: "x", Baud: 9600, Size: size, Parity: parity, StopBits: stopBits}
	if err := c.Validate(); err != nil {
		return 0, 0, 0, fmt.Errorf("framing %q: %w", s, err)
	}
	return size, parity, stopBits, nil
}

// Framing returns the configuration's framing, e.g. "8N1".
func (c PortConfig) Framing() string {
	c = c.withDefaults()
	return fmt.Sprintf("%d%c%d", c.Size, c.Parity, c.StopBits)
}

func (c PortConfig) withDefaults() PortConfig {
	if c.Size == 0 {
		c.Size = 8
	}
	if c.Parity == 0 {
		c.Parity = ParityNone
	}
	if c.StopBits == 0 {
		c.StopBits = 1
	}
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.MinBackoff == 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.FaultyAfter == 0 {
		c.FaultyAfter = DefaultFaultyAfter
	}
	return c
}

// standardBauds are the rates tarm/serial can set on Linux.
var standardBauds = map[int]bool{
	50: true, 75: true, 110: true, 134: true, 150: true, 200: true, 300: true,
	600: true, 1200: true, 1800: true, 2400: true, 4800: true, 9600: true,
	19200: true, 38400: true, 57600: true, 115200: true, 230400: true,
	460800: true, 500000: true, 576000: true, 921600: true, 1000000: true,
	1152000: true, 1500000: true, 2000000: true, 2500000: true, 3000000: true,
	3500000: true, 4000000: true,
}

// Validate reports the first setting that cannot work, after defaults are
// applied. A bad setting must fail here rather than in the reconnect loop,
// where it would look like an unplugged device forever.
func (c PortConfig) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path is empty"))
	}
	if !standardBauds[c.Baud] {
		errs = append(errs, fmt.Errorf("baud %d is not a standard rate (e.g. 9600, 115200)", c.Baud))
	}
	if c.Size < 5 || c.Size > 8 {
		errs = append(errs, fmt.Errorf("data bits %d: want 5 to 8", c.Size))
	}
	switch c.Parity {
	case ParityNone, ParityOdd, ParityEven:
	default:
		errs = append(errs, fmt.Errorf("parity %q: want N, O or E", rune(c.Parity)))
	}
	if c.StopBits != 1 && c.StopBits != 2 {
		errs = append(errs, fmt.Errorf("stop bits %d: want 1 or 2", c.StopBits))
	}
	if c.ReadTimeout < 0 || c.ReadTimeout > maxReadTimeout {
		errs = append(errs, fmt.Errorf("read timeout %v: want up to %v", c.ReadTimeout, maxReadTimeout))
	}
	if c.MinBackoff < 0 || c.MaxBackoff < c.MinBackoff {
		errs = append(errs, fmt.Errorf("backoff %v..%v: want 0 < min <= max", c.MinBackoff, c.MaxBackoff))
	}
	if c.FaultyAfter < 0 {
		errs = append(errs, fmt.Errorf("faulty-after %d: want a positive count", c.FaultyAfter))
	}
	return errors.Join(errs...)
}

// serialConfig is the tarm/serial configuration for the resolved device path.
func (c PortConfig) serialConfig(resolved string) *serial.Config {
	stop := serial.Stop1
	if c.StopBits == 2 {
		stop = serial.Stop2
	}
	return &serial.Config{
		Name:        resolved,
		Baud:        c.Baud,
		ReadTimeout: c.ReadTimeout,
		Size:        byte(c.Size),
		Parity:      serial.Parity(c.Parity),
		StopBits:    stop,
	}
}
