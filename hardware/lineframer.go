package hardware

import (
	"bytes"
	"time"
)

// LineKind says what a LineFramer hands to its callback.
type LineKind int

// What a LineFramer hands over.
const (
	// LineComplete is a complete, non-empty line without its terminator.
	LineComplete LineKind = iota
	// LineOverlong reports, once, a line longer than the framer's bound. The
	// bytes are its first maxLine bytes; the rest of the line, up to its
	// end, is skipped.
	LineOverlong
	// LineExpired is a partial line whose end did not come within the
	// framer's timeout. It has been dropped from the buffer.
	LineExpired
	// LineFlushed is the partial line held when Flush was called (the
	// connection dropped). It has been dropped from the buffer.
	LineFlushed
)

// LineFramer cuts a device's byte stream into lines for the line-based
// drivers (RFID reader, radiation portal monitor, plate reader). Lines end
// at CR or LF; CRLF is one line end because empty lines are never handed
// over. The buffer never holds more than maxLine bytes: a longer line is
// reported once and skipped up to the next line end, so the framer
// resynchronises on the line after it. A partial line that gets no byte for
// the timeout is handed over as expired, so a line cut short is not glued to
// the next one.
//
// The callbacks receive bytes that alias the framer's buffer: they are valid
// only until the callback returns and must be copied to be kept. A callback
// must not call back into the framer. The zero value is not usable; call
// NewLineFramer. A LineFramer is not safe for concurrent use.
type LineFramer struct {
	maxLine int
	timeout time.Duration

	buf      []byte    // the current partial line, at most maxLine bytes
	skipping bool      // discarding the rest of an overlong line
	last     time.Time // when the last byte arrived
}

// NewLineFramer returns a framer holding at most maxLine bytes of a line
// and expiring a partial line after timeout without bytes.
func NewLineFramer(maxLine int, timeout time.Duration) LineFramer {
	return LineFramer{maxLine: maxLine, timeout: timeout}
}

// Buffered returns how many bytes of a partial line the framer holds; it is
// never more than maxLine.
func (f *LineFramer) Buffered() int { return len(f.buf) }

// Feed frames p, which arrived at now. A partial line that had already
// expired before p is handed over first (LineExpired), then every complete
// line (LineComplete) and overlong line (LineOverlong) in p, in order.
func (f *LineFramer) Feed(p []byte, now time.Time, emit func(LineKind, []byte)) {
	if len(p) == 0 {
		return
	}
	f.Idle(now, emit)
	f.last = now
	for len(p) > 0 {
		i := lineEnd(p)
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if !f.skipping {
			if room := f.maxLine - len(f.buf); len(chunk) > room {
				f.buf = append(f.buf, chunk[:room]...)
				emit(LineOverlong, f.buf)
				f.buf = f.buf[:0]
				f.skipping = true
			} else {
				f.buf = append(f.buf, chunk...)
			}
		}
		if i < 0 {
			return
		}
		p = p[i+1:]
		if f.skipping {
			f.skipping = false
			continue
		}
		if len(f.buf) > 0 {
			emit(LineComplete, f.buf)
			f.buf = f.buf[:0]
		}
	}
}

// Idle is called when no byte has arrived by now. A partial line that has
// waited the timeout for its end is handed over (LineExpired) and dropped;
// the rest of an overlong line being skipped is forgotten silently.
func (f *LineFramer) Idle(now time.Time, emit func(LineKind, []byte)) {
	if (len(f.buf) == 0 && !f.skipping) || now.Sub(f.last) < f.timeout {
		return
	}
	if len(f.buf) > 0 {
		emit(LineExpired, f.buf)
	}
	f.buf = f.buf[:0]
	f.skipping = false
}

// Flush hands over the partial line, if any (LineFlushed), and resets the
// framer. The port calls it through the decoder's Flush when the
// connection drops.
func (f *LineFramer) Flush(emit func(LineKind, []byte)) {
	if len(f.buf) > 0 {
		emit(LineFlushed, f.buf)
	}
	f.buf = f.buf[:0]
	f.skipping = false
}

// lineEnd returns the index of the first CR or LF in p, or -1. Two
// IndexByte scans beat a byte loop on the plate reader's long JSON lines.
func lineEnd(p []byte) int {
	lf := bytes.IndexByte(p, '\n')
	head := p
	if lf >= 0 {
		head = p[:lf]
	}
	if cr := bytes.IndexByte(head, '\r'); cr >= 0 {
		return cr
	}
	return lf
}
