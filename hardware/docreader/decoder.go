// Package docreader decodes the travel-document (MRZ) reader's serial output
// into document events (docs/design.md §3.2). It accepts plain lines ended by CR, LF
// or CRLF and framed reads (optional SOH header, STX lines ETX, optional BCC),
// tolerates the readers' quirks and turns anything else into error events.
package docreader

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
	"github.com/portofentry/booth/records/mrz"
)

// Control bytes of the framed protocol.
const (
	soh = 0x01
	stx = 0x02
	etx = 0x03
	cr  = '\r'
	lf  = '\n'
)

type state int

const (
	stPlain   state = iota // between reads, or collecting plain lines
	stHeader               // after SOH, before STX
	stFrame                // after STX, before ETX
	stBCC                  // after ETX, waiting for the BCC byte
	stDiscard              // skipping the rest of a bad frame
)

// bccLearned is what auto mode has learned about the reader.
type bccLearned int

const (
	bccUnknown bccLearned = iota
	bccPresent
	bccAbsent
)

// bccFailLimit is how many BCC failures in a row make auto mode forget
// that the reader sends a BCC.
const bccFailLimit = 3

// Decoder is the document reader's hardware.Decoder. It is not safe for
// concurrent use; the port loop owns it.
//
// A plain read is complete as soon as its last lines form an MRZ shape
// (3×30, 2×36, 2×44 after cleaning); lines before them become an unreadable
// read. Otherwise the read ends after Options.IdleGap without bytes, and is
// parsed leniently (an unterminated last line counts) or else reported as an
// unreadable read. A framed read is complete at ETX, or at its BCC byte.
//
// BCC auto mode: after the first frame the decoder waits for the next byte
// (or the idle gap). A byte equal to the computed BCC means the reader sends
// one; nothing, CR, LF, SOH or STX means it does not, and later frames are
// delivered at ETX without waiting; any other byte is a bad BCC. A reader
// learned "without BCC" whose byte after ETX later equals the BCC (and is
// not a terminator) is switched to "with BCC"; bccFailLimit BCC failures in a
// row make the decoder learn again.
type Decoder struct {
	opts Options

	st       state
	line     []byte   // current line, bounded by MaxLineLen
	lines    [][]byte // completed non-empty lines of the current read
	skipping bool     // plain: discarding the rest of an overlong line
	afterCR  bool     // the previous byte was CR (CRLF is one line end)
	header   int      // header bytes seen
	bcc      byte     // XOR of the frame's bytes after STX
	frame    [][]byte // frame waiting for its BCC
	skipBCC  bool     // discard the BCC that follows a discarded frame

	learned  bccLearned
	bccFails int
	peek     bool // learned absent: the byte after ETX may yet be a BCC
	lastBCC  byte

	last   time.Time // when the last byte arrived
	frames uint64
	out    []hardware.Event
}

// NewDecoder returns a document reader decoder.
func NewDecoder(opts Options) *Decoder {
	return &Decoder{opts: opts.withDefaults()}
}

var (
	_ hardware.Decoder      = (*Decoder)(nil)
	_ hardware.Flusher      = (*Decoder)(nil)
	_ hardware.FrameCounter = (*Decoder)(nil)
)

// Frames returns how many reads have become document events.
func (d *Decoder) Frames() uint64 { return d.frames }

// Feed decodes a chunk of bytes that arrived at now.
func (d *Decoder) Feed(p []byte, now time.Time) []hardware.Event {
	d.out = nil
	if len(p) == 0 {
		return nil
	}
	if d.pending() && now.Sub(d.last) >= d.opts.IdleGap {
		d.flush(now)
	}
	for _, b := range p {
		d.step(b, now)
	}
	d.last = now
	return d.out
}

// Idle ends a pending read once the idle gap has passed.
func (d *Decoder) Idle(now time.Time) []hardware.Event {
	d.out = nil
	if d.pending() && now.Sub(d.last) >= d.opts.IdleGap {
		d.flush(now)
	}
	return d.out
}

// Flush ends whatever read is pending, as at an idle gap. The port calls it
// when the connection drops.
func (d *Decoder) Flush(now time.Time) []hardware.Event {
	d.out = nil
	d.flush(now)
	return d.out
}

func (d *Decoder) pending() bool {
	return d.st != stPlain || len(d.line) > 0 || len(d.lines) > 0 || d.skipping || d.peek || d.skipBCC
}

// flush ends the pending read at an idle gap.
func (d *Decoder) flush(now time.Time) {
	switch d.st {
	case stPlain:
		if !d.skipping && len(d.line) > 0 {
			d.lines = append(d.lines, d.line)
		}
		if len(d.lines) > 0 {
			d.document(d.lines, now)
		}
	case stHeader:
		d.errorf(now, []byte("\x01"), "incomplete frame: header without STX")
	case stFrame:
		d.errorf(now, d.partialFrame(), "incomplete frame: no ETX")
	case stBCC:
		if d.opts.BCC == BCCOn || (d.opts.BCC == BCCAuto && d.learned == bccPresent) {
			d.bccFailed(now, d.frame, "frame without BCC")
		} else {
			if d.opts.BCC == BCCAuto {
				d.learned = bccAbsent
			}
			d.document(d.frame, now)
		}
	case stDiscard:
	}
	d.reset()
}

func (d *Decoder) reset() {
	d.st = stPlain
	d.line, d.lines, d.frame = nil, nil, nil
	d.skipping, d.afterCR, d.peek, d.skipBCC = false, false, false, false
	d.header = 0
}

// step consumes one byte.
func (d *Decoder) step(b byte, now time.Time) {
	wasCR := d.afterCR
	d.afterCR = false
	switch d.st {
	case stHeader:
		switch b {
		case stx:
			d.startFrame()
		case soh:
			d.header = 0
		default:
			if d.header++; d.header > d.opts.MaxHeader {
				d.errorf(now, nil, "frame header longer than %d bytes", d.opts.MaxHeader)
				d.st = stDiscard
			}
		}
	case stFrame:
		d.bcc ^= b
		switch b {
		case etx:
			d.endFrameLine(now)
			if d.st == stFrame {
				d.endFrame(now)
			}
		case cr, lf:
			d.endFrameLine(now)
		case stx:
			d.errorf(now, d.partialFrame(), "incomplete frame: STX before ETX")
			d.startFrame()
		case soh:
			d.errorf(now, d.partialFrame(), "incomplete frame: SOH before ETX")
			d.startHeader()
		default:
			if len(d.line) >= d.opts.MaxLineLen {
				d.errorf(now, d.partialFrame(), "frame line longer than %d bytes", d.opts.MaxLineLen)
				d.line, d.lines = nil, nil
				d.st = stDiscard
				return
			}
			d.line = append(d.line, b)
		}
	case stBCC:
		d.checkBCC(b, now)
	case stDiscard:
		switch b {
		case etx:
			d.st = stPlain
			// A BCC may follow; swallowing a CR or LF instead is harmless.
			d.skipBCC = d.opts.BCC == BCCOn || (d.opts.BCC == BCCAuto && d.learned != bccAbsent)
		case stx:
			d.startFrame()
		case soh:
			d.startHeader()
		}
	case stPlain:
		d.plain(b, wasCR, now)
	}
}

// plain consumes a byte outside any frame.
func (d *Decoder) plain(b byte, wasCR bool, now time.Time) {
	if d.peek {
		d.peek = false
		if b == d.lastBCC && b != cr && b != lf && b != soh && b != stx {
			d.learned = bccPresent // the reader does send a BCC after all
			return
		}
	}
	if d.skipBCC {
		d.skipBCC = false
		if b != soh && b != stx {
			return
		}
	}
	switch b {
	case soh, stx:
		if !d.skipping && len(d.line) > 0 {
			d.lines = append(d.lines, d.line)
		}
		if len(d.lines) > 0 {
			d.errorf(now, joinLines(d.lines), "unreadable read: no MRZ before the next frame")
		}
		if b == soh {
			d.startHeader()
		} else {
			d.startFrame()
		}
	case cr:
		d.endPlainLine(now)
		d.afterCR = true
	case lf:
		if !wasCR {
			d.endPlainLine(now)
		}
	default:
		if d.skipping {
			return
		}
		if len(d.line) >= d.opts.MaxLineLen {
			d.errorf(now, d.line, "line longer than %d bytes", d.opts.MaxLineLen)
			d.line = nil
			d.skipping = true
			return
		}
		d.line = append(d.line, b)
	}
}

// endPlainLine completes a plain line and delivers the read once its last
// lines form an MRZ shape.
func (d *Decoder) endPlainLine(now time.Time) {
	if d.skipping {
		d.skipping = false
		d.line = nil
		return
	}
	if len(d.line) == 0 {
		return // empty lines stand for rows the reader could not see
	}
	d.lines = append(d.lines, d.line)
	d.line = nil
	cleaned := make([]string, len(d.lines))
	for i, l := range d.lines {
		cleaned[i] = cleanLine(l)
	}
	if n := shapeSuffix(cleaned); n > 0 {
		k := len(d.lines) - n
		if k > 0 {
			d.errorf(now, joinLines(d.lines[:k]), "unreadable read: no MRZ shape")
		}
		d.deliver(d.lines[k:], cleaned[k:], now)
		d.lines = nil
		return
	}
	if len(d.lines) >= d.opts.MaxLines {
		d.errorf(now, joinLines(d.lines), "unreadable read: no MRZ shape in %d lines", len(d.lines))
		d.lines = nil
	}
}

func (d *Decoder) startHeader() {
	d.st = stHeader
	d.header = 0
	d.line, d.lines, d.skipping = nil, nil, false
}

func (d *Decoder) startFrame() {
	d.st = stFrame
	d.bcc = 0
	d.line, d.lines, d.skipping = nil, nil, false
}

func (d *Decoder) endFrameLine(now time.Time) {
	if len(d.line) == 0 {
		return
	}
	if len(d.lines) >= d.opts.MaxLines {
		d.errorf(now, d.partialFrame(), "frame with more than %d lines", d.opts.MaxLines)
		d.line, d.lines = nil, nil
		d.st = stDiscard
		return
	}
	d.lines = append(d.lines, d.line)
	d.line = nil
}

// endFrame handles ETX: deliver now, or wait for the BCC.
func (d *Decoder) endFrame(now time.Time) {
	lines := d.lines
	d.line, d.lines = nil, nil
	wait := d.opts.BCC == BCCOn || (d.opts.BCC == BCCAuto && d.learned != bccAbsent)
	if wait {
		d.frame = lines
		d.st = stBCC
		return
	}
	d.st = stPlain
	d.document(lines, now)
	if d.opts.BCC == BCCAuto {
		d.peek, d.lastBCC = true, d.bcc
	}
}

// checkBCC consumes the byte after ETX.
func (d *Decoder) checkBCC(b byte, now time.Time) {
	lines := d.frame
	d.frame = nil
	d.st = stPlain
	start := b == soh || b == stx
	switch {
	case b == d.bcc:
		if d.opts.BCC == BCCAuto {
			d.learned = bccPresent
		}
		d.bccFails = 0
		d.document(lines, now)
		return
	case d.opts.BCC == BCCAuto && d.learned == bccUnknown && (start || b == cr || b == lf):
		d.learned = bccAbsent
		d.document(lines, now)
	default:
		d.bccFailed(now, lines, fmt.Sprintf("bad BCC: got 0x%02X, computed 0x%02X", b, d.bcc))
		if !start {
			return
		}
	}
	d.step(b, now)
}

func (d *Decoder) bccFailed(now time.Time, lines [][]byte, msg string) {
	d.errorf(now, joinLines(lines), "%s", msg)
	if d.opts.BCC != BCCAuto {
		return
	}
	if d.bccFails++; d.bccFails >= bccFailLimit {
		d.learned, d.bccFails = bccUnknown, 0
	}
}

// document parses a complete read and emits a document or an error event.
func (d *Decoder) document(lines [][]byte, now time.Time) {
	if len(lines) == 0 {
		d.errorf(now, nil, "empty read")
		return
	}
	cleaned := make([]string, len(lines))
	for i, l := range lines {
		cleaned[i] = cleanLine(l)
	}
	d.deliver(lines, cleaned, now)
}

func (d *Decoder) deliver(raw [][]byte, cleaned []string, now time.Time) {
	res, err := mrz.ParseLines(cleaned, now)
	if err != nil {
		d.errorf(now, joinLines(raw), "unreadable read: %v", err)
		return
	}
	rs := make([]string, len(raw))
	for i, l := range raw {
		rs[i] = string(l)
	}
	d.frames++
	d.out = append(d.out, hardware.Event{
		Device:   hardware.DeviceDoc,
		Kind:     hardware.KindDocument,
		At:       now,
		Document: &hardware.Document{MRZ: res, Raw: rs},
	})
}

func (d *Decoder) errorf(now time.Time, raw []byte, format string, a ...any) {
	d.out = append(d.out, hardware.Event{
		Device: hardware.DeviceDoc,
		Kind:   hardware.KindError,
		At:     now,
		Error:  &hardware.Error{Err: fmt.Sprintf(format, a...), Raw: bytes.Clone(raw)},
	})
}

// partialFrame is the raw text of the frame collected so far.
func (d *Decoder) partialFrame() []byte {
	lines := d.lines
	if len(d.line) > 0 {
		lines = append(lines[:len(lines):len(lines)], d.line)
	}
	return joinLines(lines)
}

func joinLines(lines [][]byte) []byte {
	var sb strings.Builder
	for i, l := range lines {
		if i > 0 {
			sb.WriteByte('\n')
		}
		sb.Write(l)
	}
	return []byte(sb.String())
}
