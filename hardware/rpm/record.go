package rpm

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Limits on numeric fields. Real panel counts are a few thousand per 200 ms;
// the bounds only keep sums far from integer overflow and reject nonsense.
const (
	maxCountDigits = 9     // a panel count or occupancy number: at most 999,999,999
	maxSpeed       = 250.0 // a speed above this is a garbled field, not a vehicle
)

// record is one parsed CSV line: an upper-case record type and its fields,
// trimmed, with trailing empty fields removed (some firmware pads lines with
// commas).
type record struct {
	code   string
	fields []string
}

var (
	errEmptyType   = errors.New("line has no record type")
	errBinary      = errors.New("line contains non-printable bytes")
	errPanelCounts = errors.New("want 4 panel counts")
)

// parseRecord splits a line (without its terminator) into a record. It
// accepts spaces around fields, leading zeros and lower-case record types.
func parseRecord(line []byte) (record, error) {
	for _, c := range line {
		if (c < 0x20 && c != '\t') || c > 0x7e {
			return record{}, errBinary
		}
	}
	parts := strings.Split(string(line), ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	for len(parts) > 1 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	code := strings.ToUpper(parts[0])
	if code == "" {
		return record{}, errEmptyType
	}
	return record{code: code, fields: parts[1:]}, nil
}

// parseCount parses a non-negative decimal count: digits only, leading zeros
// allowed, at most maxCountDigits significant digits.
func parseCount(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty number")
	}
	t := strings.TrimLeft(s, "0")
	if len(t) > maxCountDigits {
		return 0, fmt.Errorf("number %q too large", s)
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q is not a count", s)
		}
		if n > (math.MaxInt-9)/10 {
			return 0, fmt.Errorf("number %q too large", s)
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// panelSum parses exactly four panel counts and returns their sum.
func panelSum(fields []string) (int, error) {
	if len(fields) != 4 {
		return 0, fmt.Errorf("%w, got %d fields", errPanelCounts, len(fields))
	}
	sum := 0
	for i, f := range fields {
		n, err := parseCount(f)
		if err != nil {
			return 0, fmt.Errorf("panel %d: %w", i+1, err)
		}
		sum += n
	}
	return sum, nil
}

// parseSpeed reads an SP record. The monitor sends either a single speed
// (`SP,<speed>`) or the Rapiscan layout `SP,<time>,<mph>,<kph>`, from which
// the mph field is taken. The value is reported as sent (mph).
func parseSpeed(fields []string) (float64, error) {
	var s string
	switch {
	case len(fields) == 1:
		s = fields[0]
	case len(fields) >= 3:
		s = fields[1]
	default:
		return 0, fmt.Errorf("want SP,<speed> or SP,<time>,<mph>,<kph>, got %d fields", len(fields))
	}
	if !isDecimal(s) {
		return 0, fmt.Errorf("speed %q is not a number", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v > maxSpeed {
		return 0, fmt.Errorf("speed %q out of range 0-%g", s, maxSpeed)
	}
	return v, nil
}

// parseOccupancyEnd reads `GX,<occupancy number>,<neutron background ×1000>`.
// The neutron background is validated when present but not reported.
func parseOccupancyEnd(fields []string) (int, error) {
	if len(fields) < 1 {
		return 0, errors.New("GX without occupancy number")
	}
	n, err := parseCount(fields[0])
	if err != nil {
		return 0, fmt.Errorf("occupancy number: %w", err)
	}
	if len(fields) >= 2 && fields[1] != "" {
		if _, err := parseCount(fields[1]); err != nil {
			return 0, fmt.Errorf("neutron background: %w", err)
		}
	}
	return n, nil
}

// isDecimal reports whether s is a plain unsigned decimal such as "12",
// "012.50" or ".5" (no sign, exponent, hex or inf/nan spellings).
func isDecimal(s string) bool {
	digits, dots := 0, 0
	for _, c := range []byte(s) {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1 && len(s) <= 16
}
