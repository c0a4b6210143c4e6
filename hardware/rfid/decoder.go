// Package rfid decodes the UHF RFID reader's serial lines (SENTRI, NEXUS,
// FAST, Passport Card and Enhanced Driver's License tags; docs/design.md §3.3) into
// de-duplicated tag events.
package rfid

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/portofentry/booth/hardware"
)

// Decoder is the RFID reader's hardware.Decoder. It is not safe for
// concurrent use; the port loop owns it.
//
// De-duplication: a tag is reported when first read, then suppressed for as
// long as it keeps being read less than Options.Window apart: a card held in
// the field is one event, however long the car waits. Once it has not been
// read for Window it is forgotten and its next read is reported again. Reads
// weaker than Options.RSSIFloor are dropped before de-duplication, so the
// neighbouring lane neither reports nor refreshes a tag. At most
// Options.MaxTracked tags are remembered; beyond that the least recently
// read is forgotten early.
type Decoder struct {
	opts Options

	lines hardware.LineFramer

	seen      map[string]time.Time // EPC -> last read at or above the floor
	lastPurge time.Time
	frames    uint64
	out       []hardware.Event
}

// NewDecoder returns an RFID reader decoder.
func NewDecoder(opts Options) *Decoder {
	opts = opts.withDefaults()
	return &Decoder{
		opts:  opts,
		lines: hardware.NewLineFramer(opts.MaxLineLen, opts.LineTimeout),
		seen:  make(map[string]time.Time),
	}
}

var (
	_ hardware.Decoder      = (*Decoder)(nil)
	_ hardware.Flusher      = (*Decoder)(nil)
	_ hardware.FrameCounter = (*Decoder)(nil)
)

// Frames returns how many good lines were read: tags reported, suppressed
// or below the floor, and heartbeats.
func (d *Decoder) Frames() uint64 { return d.frames }

// Feed decodes a chunk of bytes that arrived at now.
func (d *Decoder) Feed(p []byte, now time.Time) []hardware.Event {
	d.out = nil
	if len(p) == 0 {
		return nil
	}
	d.lines.Feed(p, now, func(k hardware.LineKind, line []byte) { d.frame(k, line, now) })
	d.purge(now)
	return d.out
}

// Idle drops an unterminated line that has waited too long and forgets
// tags whose window has passed.
func (d *Decoder) Idle(now time.Time) []hardware.Event {
	d.out = nil
	d.lines.Idle(now, func(k hardware.LineKind, line []byte) { d.frame(k, line, now) })
	d.purge(now)
	return d.out
}

// Flush reports an unterminated line when the connection drops. The
// de-duplication memory is kept: a tag in the field before a reconnect is
// still the same tag.
func (d *Decoder) Flush(now time.Time) []hardware.Event {
	d.out = nil
	d.lines.Flush(func(k hardware.LineKind, line []byte) { d.frame(k, line, now) })
	return d.out
}

// frame handles what the line framer hands over. A partial line is
// reported, not parsed: a line cut short can still look valid ("-5" for
// "-52").
func (d *Decoder) frame(k hardware.LineKind, line []byte, now time.Time) {
	switch k {
	case hardware.LineOverlong:
		d.errorf(now, line, "line longer than %d bytes", d.opts.MaxLineLen)
	case hardware.LineExpired:
		d.errorf(now, line, "incomplete line: no line end within %v", d.opts.LineTimeout)
	case hardware.LineFlushed:
		d.errorf(now, line, "incomplete line: connection lost")
	default:
		d.endLine(line, now)
	}
}

// endLine decodes one complete line.
func (d *Decoder) endLine(line []byte, now time.Time) {
	if len(bytes.TrimSpace(line)) == 0 {
		return
	}
	r, err := parseLine(string(line))
	if err != nil {
		d.errorf(now, line, "%v", err)
		return
	}
	d.frames++
	if r.heartbeat || r.rssi < d.opts.RSSIFloor {
		return
	}
	prev, ok := d.seen[r.epc]
	d.seen[r.epc] = now
	if ok && now.Sub(prev) < d.opts.Window {
		return
	}
	d.out = append(d.out, hardware.Event{
		Device: hardware.DeviceRFID,
		Kind:   hardware.KindTag,
		At:     now,
		Tag:    &hardware.Tag{EPC: r.epc, Antenna: r.antenna, RSSI: r.rssi},
	})
}

// purge forgets tags not read for a window. It runs at most every half
// window, or when the map is over its bound, so its cost stays amortised.
func (d *Decoder) purge(now time.Time) {
	if len(d.seen) <= d.opts.MaxTracked && now.Sub(d.lastPurge) < d.opts.Window/2 {
		return
	}
	d.lastPurge = now
	for epc, at := range d.seen {
		if now.Sub(at) >= d.opts.Window {
			delete(d.seen, epc)
		}
	}
	if len(d.seen) > d.opts.MaxTracked {
		// A flood of distinct EPCs: forget the least recently read, down
		// to three quarters of the bound so the sort is amortised over
		// many reads instead of repeated on every one.
		excess := len(d.seen) - d.opts.MaxTracked*3/4
		type entry struct {
			epc string
			at  time.Time
		}
		all := make([]entry, 0, len(d.seen))
		for epc, at := range d.seen {
			all = append(all, entry{epc, at})
		}
		slices.SortFunc(all, func(a, b entry) int { return a.at.Compare(b.at) })
		for _, e := range all[:excess] {
			delete(d.seen, e.epc)
		}
	}
}

func (d *Decoder) errorf(now time.Time, raw []byte, format string, a ...any) {
	d.out = append(d.out, hardware.Event{
		Device: hardware.DeviceRFID,
		Kind:   hardware.KindError,
		At:     now,
		Error:  &hardware.Error{Err: fmt.Sprintf(format, a...), Raw: bytes.Clone(raw)},
	})
}
