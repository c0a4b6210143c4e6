package rfid

import (
	"time"

	"github.com/portofentry/booth/hardware"
)

// Defaults of Options.
const (
	DefaultWindow      = 10 * time.Second
	DefaultRSSIFloor   = -70 // dBm: weaker reads come from the neighbouring lane
	DefaultMaxLineLen  = 512
	DefaultLineTimeout = 500 * time.Millisecond
	DefaultMaxTracked  = 4096
)

// Options configures a Decoder. Zero fields take the defaults.
type Options struct {
	// Window is the de-duplication window: a tag is reported again only
	// after it has not been read for this long.
	Window time.Duration
	// RSSIFloor drops reads weaker than this many dBm. Zero means
	// DefaultRSSIFloor; use -200 to keep every read.
	RSSIFloor int
	// MaxLineLen bounds a line in bytes.
	MaxLineLen int
	// LineTimeout drops an unterminated line after this long without bytes.
	LineTimeout time.Duration
	// MaxTracked bounds the EPCs remembered for de-duplication.
	MaxTracked int
}

func (o Options) withDefaults() Options {
	o.Window = hardware.OrDefault(o.Window, DefaultWindow)
	if o.RSSIFloor == 0 {
		o.RSSIFloor = DefaultRSSIFloor
	}
	o.MaxLineLen = hardware.OrDefault(o.MaxLineLen, DefaultMaxLineLen)
	o.LineTimeout = hardware.OrDefault(o.LineTimeout, DefaultLineTimeout)
	o.MaxTracked = hardware.OrDefault(o.MaxTracked, DefaultMaxTracked)
	return o
}
