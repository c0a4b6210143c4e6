// Package rpm decodes the radiation portal monitor's serial output: the
// Rapiscan-style CSV lines of DESIGN §3 (GB/NB backgrounds, GH/GL/NH faults,
// GS/NS scan samples, GA/NA alarm samples, GX end of occupancy, SP speed,
// TT/TC tamper). It folds the samples of one vehicle into one occupancy
// result and reports faults and tamper changes as they come.
package rpm

import (
	"bytes"
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
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	if o.MaxOccupancy <= 0 {
		o.MaxOccupancy = DefaultMaxOccupancy
	}
	if o.SampleGap <= 0 {
		o.SampleGap = DefaultSampleGap
	}
	if o.SpeedWindow <= 0 {
		o.SpeedWindow = DefaultSpeedWindow
	}
	if o.LineTimeout <= 0 {
		o.LineTimeout = DefaultLineTimeout
	}
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

	buf        []byte // the current partial line, at most opts.MaxLine bytes
	discarding bool   // skipping the rest of an overlong line
	lastByte   time.Time

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
	return &Decoder{opts: opts, buf: make([]byte, 0, opts.MaxLine)}
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
	if len(d.buf) > 0 {
		out = d.errorEvent(out, now, "incomplete line: connection dropped", d.buf)
	}
	d.buf = d.buf[:0]
	d.discarding = false
	return out
}

// Feed consumes one chunk read from the port. Lines end at CR or LF; empty
// lines are skipped.
func (d *Decoder) Feed(p []byte, now time.Time) []hardware.Event {
	var out []hardware.Event
	if len(p) > 0 {
		out = d.expireLine(now, out)
		d.lastByte = now
	}
	for len(p) > 0 {
		i := bytes.IndexAny(p, "\r\n")
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if !d.discarding {
			if room := d.opts.MaxLine - len(d.buf); len(chunk) > room {
				raw := append(append([]byte(nil), d.buf...), chunk[:room]...)
				out = d.errorEvent(out, now, fmt.Sprintf("line longer than %d bytes; skipped to the next line end", d.opts.MaxLine), raw)
				d.buf = d.buf[:0]
				d.discarding = true
			} else {
				d.buf = append(d.buf, chunk...)
			}
		}
		if i < 0 {
			break
		}
		p = p[i+1:]
		if d.discarding {
			d.discarding = false
			continue
		}
		if len(d.buf) > 0 {
			out = d.line(d.buf, now, out)
			d.buf = d.buf[:0]
		}
	}
	return out
}

// Idle is called when a read timed out with no data. It discards a partial
// line that has waited too long and ends an occupancy whose samples stopped.
func (d *Decoder) Idle(now time.Time) []hardware.Event {
	out := d.expireLine(now, nil)
	return d.expireOccupancy(now, out)
}

// expireLine drops a partial line whose end never came. Parsing it could
// read a truncated count as a valid one, so it is reported, not decoded.
func (d *Decoder) expireLine(now time.Time, out []hardware.Event) []hardware.Event {
	if (len(d.buf) == 0 && !d.discarding) || now.Sub(d.lastByte) < d.opts.LineTimeout {
		return out
	}
	if len(d.buf) > 0 {
		out = d.errorEvent(out, now, fmt.Sprintf("incomplete line: no line end within %s", d.opts.LineTimeout), d.buf)
	}
	d.buf = d.buf[:0]
	d.discarding = false
	return out
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
