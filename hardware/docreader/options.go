package docreader

import (
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
)

// BCCMode says whether framed reads carry a block check character after ETX.
type BCCMode int

// BCC modes. Auto learns it from the reader (see Decoder).
const (
	BCCAuto BCCMode = iota
	BCCOn
	BCCOff
)

// String returns the mode's configuration name: auto, on or off.
func (m BCCMode) String() string {
	switch m {
	case BCCOn:
		return "on"
	case BCCOff:
		return "off"
	default:
		return "auto"
	}
}

// ParseBCCMode parses "auto", "on" or "off".
func ParseBCCMode(s string) (BCCMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "auto", "":
		return BCCAuto, nil
	case "on":
		return BCCOn, nil
	case "off":
		return BCCOff, nil
	}
	return BCCAuto, fmt.Errorf("bcc mode %q: want auto, on or off", s)
}

// Defaults of Options.
const (
	DefaultIdleGap    = 150 * time.Millisecond
	DefaultMaxLineLen = 256
	DefaultMaxLines   = 8
	DefaultMaxHeader  = 64
)

// Options configures a Decoder. Zero fields take the defaults.
type Options struct {
	// BCC says whether a framed read is followed by a block check character.
	BCC BCCMode
	// IdleGap ends a read that has not formed an MRZ shape: what was
	// collected is reported as an unreadable read.
	IdleGap time.Duration
	// MaxLineLen bounds a line in bytes; a longer line is an error and is
	// skipped up to its end.
	MaxLineLen int
	// MaxLines bounds the lines of one read without an MRZ shape.
	MaxLines int
	// MaxHeader bounds the header between SOH and STX.
	MaxHeader int
}

func (o Options) withDefaults() Options {
	o.IdleGap = hardware.OrDefault(o.IdleGap, DefaultIdleGap)
	o.MaxLineLen = hardware.OrDefault(o.MaxLineLen, DefaultMaxLineLen)
	o.MaxLines = hardware.OrDefault(o.MaxLines, DefaultMaxLines)
	o.MaxHeader = hardware.OrDefault(o.MaxHeader, DefaultMaxHeader)
	return o
}
