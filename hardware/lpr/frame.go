package lpr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// dataTypeResults is the OpenALPR message type carrying plate readings.
const dataTypeResults = "alpr_results"

// Bounds on device strings that end up on screen and in the record.
const (
	maxPlateLen    = 12
	maxCameraIDLen = 64
	maxEpochMillis = 1e14 // year 5138: beyond it the field is garbage
)

// frame is a decoded, validated OpenALPR message.
type frame struct {
	dataType string
	at       time.Time // zero when the frame has no epoch_time
	cameraID string
	results  []wireResult
}

type wireHeader struct {
	DataType *string `json:"data_type"`
}

type wireFrame struct {
	EpochTime *json.Number    `json:"epoch_time"`
	CameraID  json.RawMessage `json:"camera_id"`
	Results   []wireResult    `json:"results"`
}

type wireResult struct {
	Plate           string          `json:"plate"`
	Confidence      *float64        `json:"confidence"`
	Region          string          `json:"region"`
	MatchesTemplate flag            `json:"matches_template"`
	Candidates      []wireCandidate `json:"candidates"`
}

type wireCandidate struct {
	Plate      string   `json:"plate"`
	Confidence *float64 `json:"confidence"`
}

// flag is OpenALPR's matches_template: 0/1 in most versions, a boolean in
// some. Anything else is an error.
type flag bool

// UnmarshalJSON accepts 0, 1, true, false and null.
func (f *flag) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "1", "true":
		*f = true
	case "0", "false", "null":
		*f = false
	default:
		return fmt.Errorf("matches_template %s is not 0, 1 or a boolean", b)
	}
	return nil
}

// parseFrame decodes one line. Messages other than alpr_results are only
// checked for being JSON objects with a data_type.
func parseFrame(line []byte) (frame, error) {
	if len(line) == 0 || line[0] != '{' {
		return frame{}, errors.New("not a JSON object")
	}
	var h wireHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return frame{}, fmt.Errorf("bad JSON: %w", err)
	}
	if h.DataType == nil {
		return frame{}, errors.New("no data_type: not an OpenALPR message")
	}
	f := frame{dataType: *h.DataType}
	if f.dataType != dataTypeResults {
		return f, nil
	}
	var w wireFrame
	if err := json.Unmarshal(line, &w); err != nil {
		return frame{}, fmt.Errorf("bad alpr_results: %w", err)
	}
	if w.EpochTime != nil {
		ms, err := strconv.ParseFloat(w.EpochTime.String(), 64)
		if err != nil || ms <= 0 || ms > maxEpochMillis {
			return frame{}, fmt.Errorf("epoch_time %s is not a time in milliseconds", w.EpochTime.String())
		}
		f.at = time.UnixMilli(int64(ms)).UTC()
	}
	f.cameraID = cameraID(w.CameraID)
	f.results = w.Results
	return f, nil
}

// cameraID renders camera_id (a string or a number in OpenALPR) as printable
// text of bounded length; anything else is dropped.
func cameraID(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var s string
	if raw[0] == '"' {
		if json.Unmarshal(raw, &s) != nil {
			return ""
		}
	} else if _, err := strconv.ParseFloat(string(raw), 64); err == nil {
		s = string(raw)
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > maxCameraIDLen {
		s = string([]rune(s)[:maxCameraIDLen])
	}
	return strings.TrimSpace(s)
}

// normalizePlate upper-cases a plate and removes spaces and dashes. The
// result must be 1 to maxPlateLen ASCII letters and digits.
func normalizePlate(s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		case (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
		default:
			return "", fmt.Errorf("plate %q has character %q", truncate(s, 32), r)
		}
		if b.Len() == maxPlateLen {
			return "", fmt.Errorf("plate %q longer than %d characters", truncate(s, 32), maxPlateLen)
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "", errors.New("empty plate")
	}
	return b.String(), nil
}

// normalizeRegion turns OpenALPR's "us-az" into "US-AZ". Underscores and
// spaces count as dashes. A region that is not a 2-letter country with an
// optional 1-3 character subdivision is unknown and becomes "".
func normalizeRegion(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.NewReplacer("_", "-", " ", "-").Replace(s)
	country, sub, hasSub := strings.Cut(s, "-")
	if len(country) != 2 || !isAlnum(country, false) {
		return ""
	}
	if hasSub && (len(sub) < 1 || len(sub) > 3 || !isAlnum(sub, true)) {
		return ""
	}
	return s
}

func isAlnum(s string, digits bool) bool {
	for _, c := range []byte(s) {
		if !(c >= 'A' && c <= 'Z') && !(digits && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// validConfidence reports whether c is a percentage an officer may see.
func validConfidence(c *float64) error {
	switch {
	case c == nil:
		return errors.New("no confidence")
	case math.IsNaN(*c) || *c < 0 || *c > 100:
		return fmt.Errorf("confidence %g outside 0-100", *c)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
