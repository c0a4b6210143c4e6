package rfid

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EPC length bounds: 96 to 496 bits in 16-bit words.
const (
	minEPCHex = 96 / 4
	maxEPCHex = 496 / 4
)

// read is one parsed reader line.
type read struct {
	heartbeat bool
	epc       string
	antenna   int
	rssi      int
}

// parseLine parses one line in either reader format:
//
//	E2003411B802011516121234,1,-52
//	Tag:E200 3411 B802 0115 1612 1234, Disc:2026/11/25 10:49:35, Last:2026/11/25 10:49:36, Count:3, Ant:1, RSSI:-52
//	(No Tags)
func parseLine(line string) (read, error) {
	s := strings.TrimSpace(line)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7E {
			return read{}, fmt.Errorf("non-printable byte 0x%02X at %d", c, i)
		}
	}
	switch {
	case strings.EqualFold(s, "(No Tags)"):
		return read{heartbeat: true}, nil
	case len(s) >= 4 && strings.EqualFold(s[:4], "tag:"):
		return parseVerbose(s)
	default:
		return parseCSV(s)
	}
}

func parseCSV(s string) (read, error) {
	f := strings.Split(s, ",")
	if len(f) != 3 {
		return read{}, fmt.Errorf("want EPC,ANT,RSSI; got %d field(s)", len(f))
	}
	return build(f[0], f[1], f[2])
}

func parseVerbose(s string) (read, error) {
	var epc, ant, rssi string
	var haveEPC, haveAnt, haveRSSI bool
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			return read{}, fmt.Errorf("field %q is not Key:Value", strings.TrimSpace(part))
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "tag":
			epc, haveEPC = v, true
		case "ant":
			ant, haveAnt = v, true
		case "rssi":
			rssi, haveRSSI = v, true
		}
		// Disc, Last, Count and unknown fields of newer firmware are
		// not needed: the booth timestamps reads itself.
	}
	var missing []string
	for _, m := range []struct {
		ok   bool
		name string
	}{{haveEPC, "Tag"}, {haveAnt, "Ant"}, {haveRSSI, "RSSI"}} {
		if !m.ok {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return read{}, fmt.Errorf("missing %s", strings.Join(missing, ", "))
	}
	return build(epc, ant, rssi)
}

func build(epcField, antField, rssiField string) (read, error) {
	epc, err := normalizeEPC(epcField)
	if err != nil {
		return read{}, err
	}
	ant, err := strconv.Atoi(strings.TrimSpace(antField))
	if err != nil || ant < 0 || ant > 255 {
		return read{}, fmt.Errorf("antenna %q: want 0 to 255", strings.TrimSpace(antField))
	}
	rssi, err := parseRSSI(rssiField)
	if err != nil {
		return read{}, err
	}
	return read{epc: epc, antenna: ant, rssi: rssi}, nil
}

// normalizeEPC removes spaces, upper-cases and checks the length: 96 to
// 496 bits, a whole number of 16-bit words.
func normalizeEPC(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			continue
		case c >= '0' && c <= '9', c >= 'A' && c <= 'F':
		case c >= 'a' && c <= 'f':
			c -= 'a' - 'A'
		default:
			return "", fmt.Errorf("EPC %q: %q is not a hex digit", strings.TrimSpace(s), c)
		}
		if b.Len() == maxEPCHex {
			return "", fmt.Errorf("EPC %q: longer than 496 bits", strings.TrimSpace(s))
		}
		b.WriteByte(c)
	}
	n := b.Len()
	if n < minEPCHex || n%4 != 0 {
		return "", fmt.Errorf("EPC %q: %d bits; want 96 to 496 in steps of 16", strings.TrimSpace(s), n*4)
	}
	return b.String(), nil
}

var errRSSI = errors.New("want dBm between -150 and 20")

func parseRSSI(s string) (int, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(s, "dBm"), "dbm"))
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < -150 || v > 20 {
		return 0, fmt.Errorf("RSSI %q: %w", s, errRSSI)
	}
	return int(math.Round(v)), nil
}
