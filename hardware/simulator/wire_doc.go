package simulator

import (
	"slices"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
)

// Framing bytes of the document reader.
const (
	soh = 0x01
	stx = 0x02
	etx = 0x03
)

// EncodeDocRead returns the bytes of one document read exactly as the reader
// sends them: quirks applied to the lines, then plain lines with their
// terminator, or STX line CR … ETX framing with an optional SOH header before
// and an optional BCC (XOR of the bytes after STX up to and including ETX)
// after.
func EncodeDocRead(d DocStep) []byte {
	lines := applyQuirks(d.Lines, d.Quirks)
	var b []byte
	switch d.Framing {
	case "stx", "stx-bcc":
		if d.Header != "" {
			b = append(b, soh)
			b = append(b, d.Header...)
		}
		b = append(b, stx)
		start := len(b)
		for _, l := range lines {
			b = append(b, l...)
			b = append(b, '\r')
		}
		b = append(b, etx)
		if d.Framing == "stx-bcc" {
			b = append(b, BCC(b[start:]))
		}
	default:
		term := map[string]string{"": "\r\n", "crlf": "\r\n", "cr": "\r", "lf": "\n"}[d.Terminator]
		for _, l := range lines {
			b = append(b, l...)
			b = append(b, term...)
		}
	}
	return b
}

// BCC is the block check character: the XOR of p.
func BCC(p []byte) byte {
	var x byte
	for _, c := range p {
		x ^= c
	}
	return x
}

// applyQuirks imitates what cheap or worn readers do to MRZ lines.
func applyQuirks(lines, quirks []string) []string {
	out := slices.Clone(lines)
	for _, q := range quirks {
		for i, l := range out {
			switch q {
			case "lower":
				out[i] = strings.ToLower(l)
			case "underscore":
				out[i] = strings.ReplaceAll(l, "<", "_")
			case "guillemet":
				out[i] = strings.ReplaceAll(l, "<", "«")
			case "spaces":
				out[i] = " " + l + " "
			}
		}
		if q == "blank-first" {
			out = append([]string{""}, out...)
		}
	}
	return out
}

// emissions writes the read at once, or in chunks paced like a 9600 baud
// line (about 1 ms per byte) when Chunk is set.
func (d *DocStep) emissions() []emission {
	b := EncodeDocRead(*d)
	if d.Chunk <= 0 {
		return []emission{{dev: hardware.DeviceDoc, data: b}}
	}
	const perByte = time.Second * 10 / 9600
	var out []emission
	for off := 0; off < len(b); off += d.Chunk {
		out = append(out, emission{
			dev:  hardware.DeviceDoc,
			at:   time.Duration(off) * perByte,
			data: b[off:min(off+d.Chunk, len(b))],
		})
	}
	return out
}
