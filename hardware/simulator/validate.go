package simulator

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portofentry/booth/hardware"
)

// Limits that keep a scenario file from asking for unbounded work.
const (
	maxSteps      = 10000
	maxTagsStep   = 16
	maxRepeat     = 100000
	maxDocLines   = 6
	maxDocLineLen = 512
	maxSamples    = 10000
	maxCandidates = 20
	maxStepTime   = 24 * time.Hour
)

// Validate checks every step and returns the first problem, naming the
// scenario and the step.
func (sc Scenario) Validate() error {
	name := sc.Name
	if strings.TrimSpace(name) == "" {
		return errors.New("scenario: name is empty")
	}
	if sc.Mode != "" && sc.Mode != "vehicle" && sc.Mode != "pedestrian" {
		return fmt.Errorf("scenario %q: mode %q is not vehicle or pedestrian", name, sc.Mode)
	}
	if len(sc.Steps) == 0 {
		return fmt.Errorf("scenario %q: no steps", name)
	}
	if len(sc.Steps) > maxSteps {
		return fmt.Errorf("scenario %q: %d steps, at most %d", name, len(sc.Steps), maxSteps)
	}
	for i, s := range sc.Steps {
		if err := s.validate(i); err != nil {
			return fmt.Errorf("scenario %q: %w", name, err)
		}
	}
	return nil
}

func (s Step) validate(i int) error {
	fail := func(format string, args ...any) error { return stepError(i, s, format, args...) }
	if s.kind() == "" {
		return fail("needs exactly one of rfid, doc, rpm, rpm_status, plate, face, wait, fault")
	}
	if time.Duration(s.After) > maxStepTime {
		return fail("after %s is more than %s", time.Duration(s.After), maxStepTime)
	}
	switch {
	case s.RFID != nil:
		return s.RFID.validate(fail)
	case s.Doc != nil:
		return s.Doc.validate(fail)
	case s.RPM != nil:
		return s.RPM.validate(fail)
	case s.RPMStatus != nil:
		switch s.RPMStatus.Code {
		case "GH", "GL", "NH", "TT", "TC":
			return nil
		}
		return fail("code %s is not GH, GL, NH, TT or TC", quote(s.RPMStatus.Code))
	case s.Plate != nil:
		return s.Plate.validate(fail)
	case s.Face != nil:
		return s.Face.validate(fail)
	case s.Wait != nil:
		if time.Duration(*s.Wait) > maxStepTime {
			return fail("%s is more than %s", time.Duration(*s.Wait), maxStepTime)
		}
		return nil
	case s.Fault != nil:
		return s.Fault.validate(fail)
	}
	return nil
}

type failFunc func(format string, args ...any) error

func (r *RFIDStep) validate(fail failFunc) error {
	if len(r.Tags) == 0 {
		return fail("no tags")
	}
	if len(r.Tags) > maxTagsStep {
		return fail("%d tags, at most %d", len(r.Tags), maxTagsStep)
	}
	for j, t := range r.Tags {
		if err := validEPC(t.EPC); err != nil {
			return fail("tags[%d]: %v", j, err)
		}
		if t.Antenna < 0 || t.Antenna > 8 {
			return fail("tags[%d]: antenna %d is not 1-8", j, t.Antenna)
		}
		if t.RSSI > 0 || t.RSSI < -120 {
			return fail("tags[%d]: rssi %d is not between -120 and 0 dBm", j, t.RSSI)
		}
	}
	if r.Format != "" && r.Format != "csv" && r.Format != "tag" {
		return fail("format %s is not csv or tag", quote(r.Format))
	}
	if r.Repeat < 0 || r.Repeat > maxRepeat {
		return fail("repeat %d is not 0-%d", r.Repeat, maxRepeat)
	}
	if time.Duration(r.Interval)*time.Duration(max(r.Repeat, 1)) > maxStepTime {
		return fail("repeat × interval is more than %s", maxStepTime)
	}
	return nil
}

// validEPC accepts 96 to 496 bits of hex in whole 16-bit words, the EPC Gen2
// sizes the readers report.
func validEPC(epc string) error {
	if n := len(epc); n < 24 || n > 124 || n%4 != 0 {
		return fmt.Errorf("epc %s is not 96-496 bits of hex (24-124 hex digits, a multiple of 4)", quote(epc))
	}
	if strings.Trim(epc, "0123456789ABCDEFabcdef") != "" {
		return fmt.Errorf("epc %s has a character that is not hex", quote(epc))
	}
	return nil
}

func (d *DocStep) validate(fail failFunc) error {
	if len(d.Lines) == 0 || len(d.Lines) > maxDocLines {
		return fail("%d lines, need 1-%d", len(d.Lines), maxDocLines)
	}
	for j, l := range d.Lines {
		if len(l) > maxDocLineLen {
			return fail("lines[%d] is %d bytes, at most %d", j, len(l), maxDocLineLen)
		}
		if strings.ContainsAny(l, "\r\n\x01\x02\x03") {
			return fail("lines[%d] contains a line break or framing byte; framing is added by the simulator", j)
		}
	}
	switch d.Framing {
	case "", "plain", "stx", "stx-bcc":
	default:
		return fail("framing %s is not plain, stx or stx-bcc", quote(d.Framing))
	}
	switch d.Terminator {
	case "", "crlf", "cr", "lf":
	default:
		return fail("terminator %s is not crlf, cr or lf", quote(d.Terminator))
	}
	if d.Header != "" && (d.Framing == "" || d.Framing == "plain") {
		return fail("header needs stx or stx-bcc framing")
	}
	if strings.ContainsAny(d.Header, "\x01\x02\x03") || len(d.Header) > maxDocLineLen {
		return fail("header must be under %d bytes without SOH, STX or ETX", maxDocLineLen)
	}
	for _, q := range d.Quirks {
		if !slices.Contains(docQuirks, q) {
			return fail("quirk %s is not one of %s", quote(q), strings.Join(docQuirks, ", "))
		}
	}
	if d.Chunk < 0 || d.Chunk > 4096 {
		return fail("chunk %d is not 0-4096", d.Chunk)
	}
	return nil
}

// docQuirks are the reader quirks a doc step can imitate (docs/design.md §3.2).
var docQuirks = []string{"lower", "underscore", "guillemet", "spaces", "blank-first"}

func (r *RPMStep) validate(fail failFunc) error {
	switch {
	case r.Occupancy < 0 || r.Occupancy > 999999:
		return fail("occupancy %d is not 0-999999", r.Occupancy)
	case r.Samples < 0 || r.Samples > maxSamples:
		return fail("samples %d is not 0-%d", r.Samples, maxSamples)
	case r.Speed < 0 || r.Speed > 99:
		return fail("speed %g is not 0-99 mph", r.Speed)
	case r.Background < 0 || r.Background > 100000:
		return fail("background %d is not 0-100000", r.Background)
	case r.Peak < 0 || r.Peak > 1000000:
		return fail("peak %d is not 0-1000000", r.Peak)
	case r.Peak != 0 && r.Peak < r.Background:
		return fail("peak %d is below background %d", r.Peak, r.Background)
	case r.NeutronBackground < 0 || r.NeutronBackground > 1000:
		return fail("neutron_background %g is not 0-1000", r.NeutronBackground)
	case time.Duration(r.Interval)*time.Duration(max(r.Samples, 1)) > maxStepTime:
		return fail("samples × interval is more than %s", maxStepTime)
	}
	return nil
}

func (p *PlateStep) validate(fail failFunc) error {
	if p.Empty {
		if p.Plate != "" {
			return fail("empty and plate are exclusive")
		}
		return nil
	}
	if p.Plate == "" {
		return fail("plate is empty (use \"empty\": true for a read with no plate)")
	}
	if len(p.Plate) > 16 || len(p.Region) > 16 || len(p.CameraID) > 64 {
		return fail("plate, region or camera_id too long")
	}
	if len(p.Candidates) > maxCandidates {
		return fail("%d candidates, at most %d", len(p.Candidates), maxCandidates)
	}
	for j, c := range p.Candidates {
		if c.Plate == "" || len(c.Plate) > 16 {
			return fail("candidates[%d]: plate %s is empty or too long", j, quote(c.Plate))
		}
	}
	return nil
}

// faceResults are the matcher's verdicts.
var faceResults = []string{"match", "no_match", "no_face", "not_enrolled"}

func (f *FaceStep) validate(fail failFunc) error {
	if f.Country == "" || f.Number == "" {
		return fail("country and number are required")
	}
	if !slices.Contains(faceResults, f.Result) {
		return fail("result %s is not one of %s", quote(f.Result), strings.Join(faceResults, ", "))
	}
	if f.Score < 0 || f.Score > 1 {
		return fail("score %g is not 0-1", f.Score)
	}
	return nil
}

func (f *FaultStep) validate(fail failFunc) error {
	if !slices.Contains(Faults(), f.Kind) {
		return fail("kind %s is not one of %s", quote(string(f.Kind)), faultList())
	}
	if f.Device != "" {
		d := hardware.Device(f.Device)
		if !slices.Contains(allDevices, d) {
			return fail("device %s is not doc, rfid, rpm or lpr", quote(f.Device))
		}
		if !slices.Contains(f.Kind.devices(), d) {
			return fail("fault %s does not apply to device %s", f.Kind, f.Device)
		}
	}
	if time.Duration(f.Duration) > time.Hour {
		return fail("duration %s is more than 1h", time.Duration(f.Duration))
	}
	return nil
}
