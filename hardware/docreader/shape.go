package docreader

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MRZ line lengths of the ICAO 9303 layouts.
const (
	lenTD1 = 30 // 3 lines
	lenTD2 = 36 // 2 lines (also MRV-B)
	lenTD3 = 44 // 2 lines (also MRV-A)
)

// cleanLine turns one raw reader line into MRZ text with the same rules as
// records/mrz: whitespace and control characters go, letters are upper-cased,
// '«' (UTF-8, or the lone Latin-1 byte 0xAB) and '_' become the filler '<'.
// Other characters are kept, one position each, so the parser can name them.
// A line padded past an MRZ length with '_' is cut back to that length.
func cleanLine(raw []byte) string {
	var sb strings.Builder
	sb.Grow(len(raw))
	n, tailPad := 0, 0 // positions, and how many trailing ones came from '_'
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size == 1 && raw[i] == 0xAB {
			r = '«'
		}
		i += size
		switch {
		case r == '_':
			sb.WriteByte('<')
			n++
			tailPad++
			continue
		case r == '«':
			sb.WriteByte('<')
		case r >= 'a' && r <= 'z':
			sb.WriteByte(byte(r - 'a' + 'A'))
		case r == utf8.RuneError:
			sb.WriteByte('?') // keep the position; the parser rejects it
		case unicode.IsSpace(r), unicode.IsControl(r), unicode.Is(unicode.Cf, r):
			continue
		default:
			sb.WriteRune(r)
		}
		n++
		tailPad = 0
	}
	s := sb.String()
	if n != lenTD1 && n != lenTD2 && n != lenTD3 && tailPad > 0 {
		for _, l := range []int{lenTD3, lenTD2, lenTD1} {
			if n > l && n-l <= tailPad {
				// Only ASCII was written for the trailing '_', so
				// trimming bytes trims positions.
				return s[:len(s)-(n-l)]
			}
		}
	}
	return s
}

// shapeSuffix returns how many of the last cleaned lines form an MRZ shape
// (3×30, 2×36 or 2×44), or 0.
func shapeSuffix(lines []string) int {
	k := len(lines)
	count := func(s string) int { return utf8.RuneCountInString(s) }
	if k >= 2 {
		a, b := count(lines[k-2]), count(lines[k-1])
		if a == b && (a == lenTD2 || a == lenTD3) {
			return 2
		}
	}
	if k >= 3 && count(lines[k-3]) == lenTD1 && count(lines[k-2]) == lenTD1 && count(lines[k-1]) == lenTD1 {
		return 3
	}
	return 0
}
