package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// Scenario is a named list of timed device steps: one crossing (or one
// fault) as the booth's devices would report it.
type Scenario struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Mode        string `json:"mode,omitempty"` // vehicle | pedestrian, informative
	Steps       []Step `json:"steps"`
}

// Step is one thing that happens. Exactly one of the action fields is set.
// After is a pause before the step (scaled by Options.Speed like every other
// duration).
type Step struct {
	After Duration `json:"after,omitempty"`

	RFID      *RFIDStep      `json:"rfid,omitempty"`
	Doc       *DocStep       `json:"doc,omitempty"`
	RPM       *RPMStep       `json:"rpm,omitempty"`
	RPMStatus *RPMStatusStep `json:"rpm_status,omitempty"`
	Plate     *PlateStep     `json:"plate,omitempty"`
	Face      *FaceStep      `json:"face,omitempty"`
	Wait      *Duration      `json:"wait,omitempty"`
	Fault     *FaultStep     `json:"fault,omitempty"`
}

// kind names the step's action for messages; "" when none or several are set.
func (s Step) kind() string {
	var kinds []string
	for _, k := range []struct {
		name string
		set  bool
	}{
		{"rfid", s.RFID != nil}, {"doc", s.Doc != nil}, {"rpm", s.RPM != nil},
		{"rpm_status", s.RPMStatus != nil}, {"plate", s.Plate != nil},
		{"face", s.Face != nil}, {"wait", s.Wait != nil}, {"fault", s.Fault != nil},
	} {
		if k.set {
			kinds = append(kinds, k.name)
		}
	}
	if len(kinds) != 1 {
		return ""
	}
	return kinds[0]
}

// RFIDStep is a burst of tag reads: every repetition reports each tag once.
type RFIDStep struct {
	Tags     []TagRead `json:"tags"`
	Format   string    `json:"format,omitempty"`   // csv (default): EPC,ANT,RSSI; tag: the Tag:… Disc:… form
	Repeat   int       `json:"repeat,omitempty"`   // reads of each tag, default 1
	Interval Duration  `json:"interval,omitempty"` // between repetitions, default 100ms
}

// TagRead is one card in the RFID field.
type TagRead struct {
	EPC     string `json:"epc"`
	Antenna int    `json:"antenna,omitempty"` // default 1
	RSSI    int    `json:"rssi"`              // dBm, negative
}

// DocStep is one read of the document reader.
type DocStep struct {
	Lines      []string `json:"lines"`
	Framing    string   `json:"framing,omitempty"`    // plain (default) | stx | stx-bcc
	Terminator string   `json:"terminator,omitempty"` // plain framing: crlf (default) | cr | lf
	Header     string   `json:"header,omitempty"`     // framed: sent as SOH header before STX
	Quirks     []string `json:"quirks,omitempty"`     // lower | underscore | guillemet | spaces | blank-first
	Chunk      int      `json:"chunk,omitempty"`      // write this many bytes at a time, paced at 9600 baud; 0 = all at once
}

// RPMStep is one vehicle passing the radiation portal.
type RPMStep struct {
	Occupancy         int      `json:"occupancy,omitempty"`          // 0: the portal's next number
	Samples           int      `json:"samples,omitempty"`            // 200 ms samples while occupied, default 15
	Interval          Duration `json:"interval,omitempty"`           // default 200ms
	GammaAlarm        bool     `json:"gamma_alarm,omitempty"`        // samples in the middle third are GA
	NeutronAlarm      bool     `json:"neutron_alarm,omitempty"`      // samples in the middle third are NA
	Speed             float64  `json:"speed,omitempty"`              // mph, default 5
	Background        int      `json:"background,omitempty"`         // gamma counts per panel, default 260
	Peak              int      `json:"peak,omitempty"`               // highest gamma panel count in alarm, default 2.4×background
	NeutronBackground float64  `json:"neutron_background,omitempty"` // counts per panel, default 1.2
}

// RPMStatusStep sends one RPM status line: GH, GL, NH (background faults,
// with panel counts) or TT, TC (tamper, tamper cleared).
type RPMStatusStep struct {
	Code string `json:"code"`
}

// PlateStep is one OpenALPR result line.
type PlateStep struct {
	Plate            string      `json:"plate,omitempty"`
	Region           string      `json:"region,omitempty"` // e.g. US-CA or us-ca; sent lower-case; "" for none
	Confidence       float64     `json:"confidence,omitempty"`
	RegionConfidence float64     `json:"region_confidence,omitempty"`
	Candidates       []Candidate `json:"candidates,omitempty"` // default: the plate itself
	CameraID         string      `json:"camera_id,omitempty"`  // default lane1-lpr
	Empty            bool        `json:"empty,omitempty"`      // results: [] (no plate seen)
	Age              Duration    `json:"age,omitempty"`        // epoch_time this far in the past (stale reads)
}

// Candidate is an alternative plate reading.
type Candidate struct {
	Plate      string  `json:"plate"`
	Confidence float64 `json:"confidence"`
}

// FaceStep decides what the matcher answers for a document while this
// scenario is the last one played.
type FaceStep struct {
	Country string  `json:"country"`
	Number  string  `json:"number"`
	Result  string  `json:"result"`          // match | no_match | no_face | not_enrolled
	Score   float64 `json:"score,omitempty"` // default 0.91 match, 0.31 no_match, 0 otherwise
}

// FaultStep injects a fault. Device "" means every device the fault applies
// to.
type FaultStep struct {
	Kind     FaultKind `json:"kind"`
	Device   string    `json:"device,omitempty"`
	Duration Duration  `json:"duration,omitempty"` // flood length (default 10s), unplug time (default 3s)
}

// Duration is a time.Duration written as a Go duration string ("1.5s",
// "200ms") in scenario files.
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(time.Duration(d).String())
}

// UnmarshalJSON reads a duration string; a bare number is refused because its
// unit would be a guess.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string like \"1.5s\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration %q: %w", s, err)
	}
	if v < 0 {
		return fmt.Errorf("duration %q is negative", s)
	}
	*d = Duration(v)
	return nil
}

// maxScenarioFile bounds a scenario file; real ones are a few kilobytes.
const maxScenarioFile = 4 << 20

// ParseScenario decodes and validates a JSON scenario. Unknown keys are
// errors, and a validation error names the step.
func ParseScenario(data []byte) (Scenario, error) {
	var sc Scenario
	if len(data) > maxScenarioFile {
		return sc, fmt.Errorf("scenario: %d bytes is more than the %d allowed", len(data), maxScenarioFile)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return Scenario{}, fmt.Errorf("scenario: %w", describeJSONError(data, err))
	}
	if dec.More() {
		return Scenario{}, errors.New("scenario: data after the scenario object")
	}
	if err := sc.Validate(); err != nil {
		return Scenario{}, err
	}
	return sc, nil
}

// LoadScenarioFile reads and validates a JSON scenario file.
func LoadScenarioFile(path string) (Scenario, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("load scenario: %w", err)
	}
	if st.Size() > maxScenarioFile {
		return Scenario{}, fmt.Errorf("load scenario %s: %d bytes is more than the %d allowed", path, st.Size(), maxScenarioFile)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Scenario{}, fmt.Errorf("load scenario: %w", err)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return Scenario{}, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// describeJSONError adds the line and column to syntax and type errors.
func describeJSONError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(data)) {
		return err
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Errorf("line %d column %d: %w", line, col, err)
}

// stepError names the step (1-based, as people count) in a validation error.
func stepError(i int, s Step, format string, args ...any) error {
	k := s.kind()
	if k == "" {
		k = "step"
	}
	return fmt.Errorf("step %d (%s): %s", i+1, k, fmt.Sprintf(format, args...))
}

// quote is strconv.Quote for messages about user input.
func quote(s string) string { return strconv.Quote(s) }
