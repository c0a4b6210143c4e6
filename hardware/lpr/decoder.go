// Package lpr decodes the license plate reader's serial output: one JSON
// object per line in the OpenALPR shape (docs/design.md §3.5). Each alpr_results frame
// with a usable plate becomes one plate event carrying the best reading;
// heartbeats and other message types are counted and ignored.
package lpr

import (
	"bytes"
	"fmt"
	"time"

	"github.com/portofentry/booth/hardware"
)

// Defaults for Options.
const (
	DefaultMaxLine       = 64 << 10
	DefaultMaxSkew       = 60 * time.Second
	DefaultLineTimeout   = time.Second
	DefaultMaxCandidates = 10
)

// maxRaw bounds the offending bytes an error event carries.
const maxRaw = 4 << 10

// Options tune the decoder. Zero values take the defaults above.
type Options struct {
	// MaxLine bounds one JSON line in bytes; a longer line is reported and
	// skipped up to the next line end.
	MaxLine int
	// MaxSkew is how far epoch_time may be from the workstation clock. A
	// frame outside it is rejected as stale (see docs/devices-rpm-lpr-face.md).
	MaxSkew time.Duration
	// LineTimeout is how long a line may wait for its end. After it, the
	// buffered bytes are decoded as a frame if they are a complete object
	// and reported as incomplete otherwise.
	LineTimeout time.Duration
	// MaxCandidates bounds the alternative readings kept per plate.
	MaxCandidates int
}

func (o Options) withDefaults() Options {
	o.MaxLine = hardware.OrDefault(o.MaxLine, DefaultMaxLine)
	o.MaxSkew = hardware.OrDefault(o.MaxSkew, DefaultMaxSkew)
	o.LineTimeout = hardware.OrDefault(o.LineTimeout, DefaultLineTimeout)
	o.MaxCandidates = hardware.OrDefault(o.MaxCandidates, DefaultMaxCandidates)
	return o
}

// Stats counts frames for device health. Frames are well-formed JSON
// messages of any type; Empty are alpr_results with no usable plate's worth
// of results; Ignored are other message types (heartbeats, groups).
type Stats struct {
	Frames    uint64
	Plates    uint64
	Empty     uint64
	Ignored   uint64
	Errors    uint64
	LastFrame time.Time
}

// Decoder turns plate reader bytes into hardware events. It implements
// hardware.Decoder. A Decoder is not safe for concurrent use: the goroutine
// that reads the port calls Feed, Idle and Stats.
type Decoder struct {
	opts Options

	lines hardware.LineFramer
	stats Stats
}

var (
	_ hardware.Decoder      = (*Decoder)(nil)
	_ hardware.FrameCounter = (*Decoder)(nil)
	_ hardware.Flusher      = (*Decoder)(nil)
)

// NewDecoder returns a decoder with opts (zero fields take defaults).
func NewDecoder(opts Options) *Decoder {
	opts = opts.withDefaults()
	return &Decoder{opts: opts, lines: hardware.NewLineFramer(opts.MaxLine, opts.LineTimeout)}
}

// Stats returns the decoder's counters.
func (d *Decoder) Stats() Stats { return d.stats }

// Frames returns the number of well-formed messages (hardware.FrameCounter),
// heartbeats and empty frames included: a camera that sees no car is alive.
func (d *Decoder) Frames() uint64 { return d.stats.Frames }

// Flush is called when the connection drops (hardware.Flusher). Buffered
// bytes are decoded as they stand, as after an idle gap: a complete object
// still counts, a truncated one is an error and is not glued to the next
// connection's bytes.
func (d *Decoder) Flush(now time.Time) []hardware.Event {
	var out []hardware.Event
	d.lines.Flush(func(k hardware.LineKind, line []byte) { out = d.frame(k, line, now, out) })
	return out
}

// Feed consumes one chunk read from the port. Lines end at LF or CR (compact
// JSON never contains either); blank lines are skipped.
func (d *Decoder) Feed(p []byte, now time.Time) []hardware.Event {
	var out []hardware.Event
	d.lines.Feed(p, now, func(k hardware.LineKind, line []byte) { out = d.frame(k, line, now, out) })
	return out
}

// Idle is called when a read timed out with no data. A line that has waited
// LineTimeout for its end is decoded as it stands: a reader that omits the
// final newline still works, and a truncated object becomes an error.
func (d *Decoder) Idle(now time.Time) []hardware.Event {
	var out []hardware.Event
	d.lines.Idle(now, func(k hardware.LineKind, line []byte) { out = d.frame(k, line, now, out) })
	return out
}

// frame handles what the line framer hands over. A line that ended without
// its terminator (idle gap, connection dropped) is decoded as it stands.
func (d *Decoder) frame(k hardware.LineKind, line []byte, now time.Time, out []hardware.Event) []hardware.Event {
	if k == hardware.LineOverlong {
		return d.errorEvent(out, now, fmt.Sprintf("line longer than %d bytes; skipped to the next line end", d.opts.MaxLine), line)
	}
	return d.line(line, now, out)
}

// line decodes one line.
func (d *Decoder) line(raw []byte, now time.Time, out []hardware.Event) []hardware.Event {
	line := bytes.TrimSpace(raw)
	if len(line) == 0 {
		return out
	}
	f, err := parseFrame(line)
	if err != nil {
		return d.errorEvent(out, now, err.Error(), line)
	}
	d.stats.Frames++
	d.stats.LastFrame = now
	if f.dataType != dataTypeResults {
		d.stats.Ignored++
		return out
	}
	if len(f.results) == 0 {
		d.stats.Empty++
		return out
	}
	at := now
	if !f.at.IsZero() {
		skew, dir := now.Sub(f.at), "behind"
		if skew < 0 {
			skew, dir = -skew, "ahead of"
		}
		if skew > d.opts.MaxSkew {
			return d.errorEvent(out, now, fmt.Sprintf("stale frame: epoch_time %s is %s %s the workstation clock (limit %s); plate not used, check the camera clock",
				f.at.UTC().Format(time.RFC3339Nano), skew.Round(time.Millisecond), dir, d.opts.MaxSkew), line)
		}
		at = f.at
	}
	plate, err := best(f.results, d.opts.MaxCandidates)
	if err != nil {
		return d.errorEvent(out, now, err.Error(), line)
	}
	plate.CameraID = f.cameraID
	d.stats.Plates++
	return append(out, hardware.Event{Device: hardware.DeviceLPR, Kind: hardware.KindPlate, At: at, Plate: plate})
}

// errorEvent appends an error event carrying a copy of raw, cut to maxRaw.
func (d *Decoder) errorEvent(out []hardware.Event, now time.Time, msg string, raw []byte) []hardware.Event {
	d.stats.Errors++
	return append(out, hardware.Event{
		Device: hardware.DeviceLPR,
		Kind:   hardware.KindError,
		At:     now,
		Error:  &hardware.Error{Err: "lpr: " + msg, Raw: append([]byte(nil), raw[:min(len(raw), maxRaw)]...)},
	})
}
