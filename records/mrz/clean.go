package mrz

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrNotMRZ reports input that has no MRZ shape (3×30, 2×36 or 2×44
// characters after cleaning). Parse wraps it with the reason.
var ErrNotMRZ = errors.New("not an MRZ")

const (
	maxLines   = 3
	maxLineLen = 44

	stx = '\x02'
	etx = '\x03'

	// badChar replaces, in a cleaned line, a character outside the MRZ
	// alphabet. It keeps the character's position so the shape still counts
	// it, and CheckDigit rejects it.
	badChar = '?'

	// maxBadReported bounds the per-character errors of one read: a line of
	// garbage is one problem for the officer, not forty-four.
	maxBadReported = 3
)

// invalidChar is a character outside the MRZ alphabet found while cleaning.
type invalidChar struct {
	line, pos int // 1-based, in the cleaned lines
	r         rune
	b         byte // the byte, when it is not UTF-8 (r is utf8.RuneError)
}

// cleaned holds the MRZ lines of one read after the reader's noise is gone.
// Fixed arrays keep the hot serial path free of per-line allocations.
type cleaned struct {
	buf   [maxLines][maxLineLen]byte
	lens  [maxLines]int
	n     int // non-empty lines seen
	bad   [maxBadReported]invalidChar
	nBad  int // all invalid characters, including those not kept in bad
	cur   int // line being filled (index into buf), -1 before the first
	inRow bool
}

// line returns cleaned line i as a string.
func (c *cleaned) line(i int) string { return string(c.buf[i][:c.lens[i]]) }

// clean turns raw reader output into MRZ lines: it drops framing (anything
// up to STX and from ETX on, which is where SOH headers and the BCC byte
// sit), splits on CR, LF or CRLF, removes whitespace and control
// characters, upper-cases letters, maps '«' and '_' to the filler '<' and
// drops empty lines. Past the framing search it stops as soon as the input
// cannot be an MRZ, and it never holds more than one MRZ's worth of bytes.
func clean(raw string) (*cleaned, error) {
	if i := strings.IndexByte(raw, stx); i >= 0 {
		raw = raw[i+1:]
	}
	if i := strings.LastIndexByte(raw, etx); i >= 0 {
		raw = raw[:i]
	}
	c := &cleaned{cur: -1}
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRuneInString(raw[i:])
		if r == utf8.RuneError && size == 1 && raw[i] == 0xAB {
			r = '«' // the Latin-1 byte of a reader that does not speak UTF-8
		}
		i += size
		if r == '\r' || r == '\n' {
			c.inRow = false
			continue
		}
		b, keep, ok := mrzByte(r)
		if !keep {
			continue
		}
		if !c.inRow {
			// First character of a new non-empty line.
			if c.n == maxLines {
				return nil, fmt.Errorf("%w: more than %d lines", ErrNotMRZ, maxLines)
			}
			c.cur = c.n
			c.n++
			c.inRow = true
		}
		if c.lens[c.cur] == maxLineLen {
			return nil, fmt.Errorf("%w: line %d is longer than %d characters", ErrNotMRZ, c.cur+1, maxLineLen)
		}
		if !ok {
			if c.nBad < maxBadReported {
				c.bad[c.nBad] = invalidChar{line: c.cur + 1, pos: c.lens[c.cur] + 1, r: r}
				if r == utf8.RuneError && size == 1 {
					c.bad[c.nBad].b = raw[i-1]
				}
			}
			c.nBad++
		}
		c.buf[c.cur][c.lens[c.cur]] = b
		c.lens[c.cur]++
	}
	if _, err := c.format(); err != nil {
		return nil, err
	}
	return c, nil
}

// mrzByte maps one input rune to its MRZ byte. keep is false for runes the
// reader adds as noise (whitespace, control and format characters); ok is
// false for runes outside the MRZ alphabet, which map to badChar.
func mrzByte(r rune) (b byte, keep, ok bool) {
	switch {
	case r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '<':
		return byte(r), true, true
	case r >= 'a' && r <= 'z':
		return byte(r - 'a' + 'A'), true, true
	case r == '«', r == '_':
		return '<', true, true
	case r == utf8.RuneError:
		return badChar, true, false
	case unicode.IsSpace(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r):
		return 0, false, false
	}
	return badChar, true, false
}

// format recognises the layout family from the shape alone; the document
// code later tells TD2 from MRV-B and TD3 from MRV-A.
func (c *cleaned) format() (Format, error) {
	switch {
	case c.n == 3 && c.lens[0] == 30 && c.lens[1] == 30 && c.lens[2] == 30:
		return TD1, nil
	case c.n == 2 && c.lens[0] == 36 && c.lens[1] == 36:
		return TD2, nil
	case c.n == 2 && c.lens[0] == 44 && c.lens[1] == 44:
		return TD3, nil
	case c.n == 0:
		return "", fmt.Errorf("%w: no MRZ characters in the input", ErrNotMRZ)
	}
	lens := make([]string, c.n)
	for i := range c.n {
		lens[i] = fmt.Sprint(c.lens[i])
	}
	noun := "lines"
	if c.n == 1 {
		noun = "line"
	}
	return "", fmt.Errorf("%w: %d %s of %s characters; want 3×30, 2×36 or 2×44",
		ErrNotMRZ, c.n, noun, strings.Join(lens, ", "))
}

// invalidCharErrors describes the characters outside the MRZ alphabet.
func (c *cleaned) invalidCharErrors() []string {
	var errs []string
	for i := range min(c.nBad, maxBadReported) {
		b := c.bad[i]
		what := fmt.Sprintf("%q", b.r)
		if b.b != 0 {
			what = fmt.Sprintf("byte 0x%02X", b.b)
		}
		errs = append(errs, fmt.Sprintf("line %d position %d: %s is not an MRZ character", b.line, b.pos, what))
	}
	if c.nBad > maxBadReported {
		errs = append(errs, fmt.Sprintf("%d more characters are not MRZ characters", c.nBad-maxBadReported))
	}
	return errs
}
