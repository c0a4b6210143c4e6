// Package rpm decodes the radiation portal monitor's serial output: the
// Rapiscan-style CSV lines of docs/design.md §3.4 (GB/NB backgrounds, GH/GL/NH faults,
// GS/NS scan samples, GA/NA alarm samples, GX end of occupancy, SP speed,
// TT/TC tamper). It folds the samples of one vehicle into one occupancy
// result and reports faults and tamper changes as they come.
package rpm

import (
	"fmt"
	"time"

	"github.com/portofentry/booth/hardware"
)

// Defaults for Options.
const (
	DefaultMaxLine      = 256
	DefaultMaxOccupancy = 60 * time.Second
	DefaultSampleGap    = 5 * time.Second
	DefaultSpeedWindow  = 10 * time.Second
	DefaultLineTimeout  = time.Second
)

// Options tune the decoder. Zero values take the defaults above.
type Options struct {
	// MaxLine bounds one line in bytes. A longer line is reported as an error
	// and skipped up to the next line end.
	MaxLine int
	// MaxOccupancy is the longest an occupancy may run without its GX line.
	// Past it the occupancy is reported incomplete and the state is reset.
	MaxOccupancy time.Duration
	// SampleGap is how long an occupancy may go without a scan sample (the
	// monitor sends one every 200 ms) before it is reported incomplete.
	SampleGap time.Duration
	// SpeedWindow is how long before the first sample an SP line still
	// counts as the speed of that occupancy.
	SpeedWindow time.Duration
	// LineTimeout is how long a partial line may wait for its end before it
	// is discarded as incomplete.
	LineTimeout time.Duration
}

func (o Options) withDefaults() Options {
	o.MaxLine = hardware.OrDefault(o.MaxLine, DefaultMaxLine)
	o.MaxOccupancy = hardware.OrDefault(o.MaxOccupancy, DefaultMaxOccupancy)
	o.SampleGap = hardware.OrDefault(o.SampleGap, DefaultSampleGap)
	o.SpeedWindow = hardware.OrDefault(o.SpeedWindow, DefaultSpeedWindow)
	o.LineTimeout = hardware.OrDefault(o.LineTimeout, DefaultLineTimeout)
	return o
}

// Stats counts what the decoder has seen; the port layer may use them for
// device health. A line is any terminated, non-empty line.
type Stats struct {
	Lines    uint64
	Errors   uint64
	LastLine time.Time // arrival time of the last good line
}

// Decoder turns RPM bytes into hardware events. It implements
// hardware.Decoder. A Decoder is not safe for concurrent use: the goroutine
// that reads the port calls Feed, Idle and Stats.
type Decoder struct {
	opts Options

	lines hardware.LineFramer

	state occupancyState
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

// Frames returns the number of good lines decoded (hardware.FrameCounter):
// backgrounds every few seconds keep an idle lane's monitor healthy.
func (d *Decoder) Frames() uint64 { return d.stats.Lines }

// Flush reports and drops a partial line when the connection drops
// (hardware.Flusher), so it is not glued to the next connection's bytes. An
// occupancy in progress is kept: if the monitor comes back within SampleGap
// its samples and GX complete it; otherwise it expires as incomplete.
func (d *Decoder) Flush(now time.Time) []hardware.Event {
	var out []hardware.Event
	d.lines.Flush(func(k hardware.LineKind, line []byte) { out = d.frame(k, line, now, out) })
	return out
}

// Feed consumes one chunk read from the port. Lines end at CR or LF; empty
// lines are skipped.
func (d *Decoder) Feed(p []byte, now time.Time) []hardware.Event {
	var out []hardware.Event
	d.lines.Feed(p, now, func(k hardware.LineKind, line []byte) { out = d.frame(k, line, now, out) })
	return out
}

// Idle is called when a read timed out with no data. It discards a partial
// line that has waited too long and ends an occupancy whose samples stopped.
func (d *Decoder) Idle(now time.Time) []hardware.Event {
	var out []hardware.Event
	d.lines.Idle(now, func(k hardware.LineKind, line []byte) { out = d.frame(k, line, now, out) })
	return d.expireOccupancy(now, out)
}

// frame handles what the line framer hands over. A partial line whose end
// never came is reported, not decoded: parsing it could read a truncated
// count as a valid one.
func (d *Decoder) frame(k hardware.LineKind, line []byte, now time.Time, out []hardware.Event) []hardware.Event {
	switch k {
	case hardware.LineOverlong:
		return d.errorEvent(out, now, fmt.Sprintf("line longer than %d bytes; skipped to the next line end", d.opts.MaxLine), line)
	case hardware.LineExpired:
		return d.errorEvent(out, now, fmt.Sprintf("incomplete line: no line end within %s", d.opts.LineTimeout), line)
	case hardware.LineFlushed:
		return d.errorEvent(out, now, "incomplete line: connection dropped", line)
	default:
		return d.line(line, now, out)
	}
}

// line decodes one complete line.
func (d *Decoder) line(line []byte, now time.Time, out []hardware.Event) []hardware.Event {
	rec, err := parseRecord(line)
	if err != nil {
		return d.errorEvent(out, now, err.Error(), line)
	}
	out, err = d.handle(rec, now, out)
	if err != nil {
		return d.errorEvent(out, now, fmt.Sprintf("%s line: %v", rec.code, err), line)
	}
	d.stats.Lines++
	d.stats.LastLine = now
	return out
}

// errorEvent appends an error event carrying a copy of raw.
func (d *Decoder) errorEvent(out []hardware.Event, now time.Time, msg string, raw []byte) []hardware.Event {
	d.stats.Errors++
	return append(out, hardware.Event{
		Device: hardware.DeviceRPM,
		Kind:   hardware.KindError,
		At:     now,
		Error:  &hardware.Error{Err: "rpm: " + msg, Raw: append([]byte(nil), raw...)},
	})
}
