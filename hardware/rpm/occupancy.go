package rpm

import (
	"errors"
	"fmt"
	"time"

	"github.com/portofentry/booth/hardware"
)

// occupancyState is what the decoder remembers between lines: the lane's
// latest background and speed, the tamper state and the occupancy in
// progress. Everything is fixed-size: a stream of samples never grows it.
type occupancyState struct {
	background     int // sum of the 4 panels of the latest GB line
	haveBackground bool

	speed   float64 // latest SP value
	speedAt time.Time
	haveSpd bool

	tamperKnown bool
	tamper      bool

	occ occupancy
}

// occupancy accumulates the samples of one vehicle.
type occupancy struct {
	active       bool
	start, last  time.Time // first and latest sample
	gammaAlarm   bool
	neutronAlarm bool
	maxGamma     int // max over samples of the 4-panel sum
	maxNeutron   int
	background   int // gamma background when the occupancy started
	speed        float64
	samples      int
}

var errGXWithoutOccupancy = errors.New("end of occupancy without scan samples")

// faultNames describes the background fault codes for the event detail.
var faultNames = map[string]string{
	"GH": "gamma background high",
	"GL": "gamma background low",
	"NH": "neutron background high",
}

// setupCodes are configuration records (gamma/neutron setup) some monitors
// print at start-up and on request. They carry nothing the booth shows.
var setupCodes = map[string]bool{"SG1": true, "SG2": true, "SG3": true, "SN1": true, "SN2": true}

// handle applies one record. It returns the events it completed; on error
// the line is bad, but out still holds any events emitted before the error
// was found (e.g. an occupancy expired by the passage of time).
func (d *Decoder) handle(rec record, now time.Time, out []hardware.Event) ([]hardware.Event, error) {
	out = d.expireOccupancy(now, out)
	s := &d.state
	switch rec.code {
	case "GB":
		sum, err := panelSum(rec.fields)
		if err != nil {
			return out, err
		}
		s.background, s.haveBackground = sum, true
	case "NB":
		if _, err := panelSum(rec.fields); err != nil {
			return out, err
		}
	case "GH", "GL", "NH":
		detail := faultNames[rec.code]
		if len(rec.fields) > 0 {
			if _, err := panelSum(rec.fields); err != nil {
				return out, err
			}
		}
		out = append(out, hardware.Event{
			Device: hardware.DeviceRPM, Kind: hardware.KindFault, At: now,
			Fault: &hardware.Fault{Code: rec.code, Detail: detail},
		})
	case "GS", "GA", "NS", "NA":
		sum, err := panelSum(rec.fields)
		if err != nil {
			return out, err
		}
		d.sample(rec.code, sum, now)
	case "GX":
		n, err := parseOccupancyEnd(rec.fields)
		if err != nil {
			return out, err
		}
		if !s.occ.active {
			return out, fmt.Errorf("%w (occupancy %d)", errGXWithoutOccupancy, n)
		}
		o := s.occ
		s.occ = occupancy{}
		out = append(out, hardware.Event{
			Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, At: now,
			Occupancy: &hardware.Occupancy{
				Occupancy:       n,
				Start:           o.start,
				End:             now,
				GammaAlarm:      o.gammaAlarm,
				NeutronAlarm:    o.neutronAlarm,
				MaxGamma:        o.maxGamma,
				MaxNeutron:      o.maxNeutron,
				BackgroundGamma: o.background,
				Speed:           o.speed,
			},
		})
	case "SP":
		v, err := parseSpeed(rec.fields)
		if err != nil {
			return out, err
		}
		s.speed, s.speedAt, s.haveSpd = v, now, true
		if s.occ.active {
			s.occ.speed = v
		}
	case "TT", "TC":
		active := rec.code == "TT"
		if s.tamperKnown && s.tamper == active {
			break // the monitor repeats the state; report changes only
		}
		s.tamperKnown, s.tamper = true, active
		out = append(out, hardware.Event{
			Device: hardware.DeviceRPM, Kind: hardware.KindTamper, At: now,
			Tamper: &hardware.Tamper{Active: active},
		})
	default:
		if !setupCodes[rec.code] {
			return out, fmt.Errorf("unknown record type %q", rec.code)
		}
	}
	return out, nil
}

// sample adds one scan or alarm sample, starting an occupancy if none runs.
func (d *Decoder) sample(code string, sum int, now time.Time) {
	s := &d.state
	o := &s.occ
	if !o.active {
		*o = occupancy{active: true, start: now}
		if s.haveBackground {
			o.background = s.background
		}
		if s.haveSpd && now.Sub(s.speedAt) <= d.opts.SpeedWindow {
			o.speed = s.speed
		}
	}
	o.last = now
	o.samples++
	switch code {
	case "GA":
		o.gammaAlarm = true
		fallthrough
	case "GS":
		o.maxGamma = max(o.maxGamma, sum)
	case "NA":
		o.neutronAlarm = true
		fallthrough
	case "NS":
		o.maxNeutron = max(o.maxNeutron, sum)
	}
}

// expireOccupancy reports and resets an occupancy that will never see its
// GX: samples stopped for SampleGap, or it ran past MaxOccupancy. An alarm
// seen during it is spelled out, because an RPM alarm forces a referral even
// when the monitor never closed the occupancy.
func (d *Decoder) expireOccupancy(now time.Time, out []hardware.Event) []hardware.Event {
	o := d.state.occ
	if !o.active {
		return out
	}
	var why string
	switch {
	case now.Sub(o.last) > d.opts.SampleGap:
		why = fmt.Sprintf("no scan sample for %s", d.opts.SampleGap)
	case now.Sub(o.start) > d.opts.MaxOccupancy:
		why = fmt.Sprintf("longer than %s", d.opts.MaxOccupancy)
	default:
		return out
	}
	d.state.occ = occupancy{}
	msg := fmt.Sprintf("occupancy started %s ended without GX (%s; %d samples, max gamma %d, max neutron %d)",
		o.start.UTC().Format(time.RFC3339Nano), why, o.samples, o.maxGamma, o.maxNeutron)
	switch {
	case o.gammaAlarm && o.neutronAlarm:
		msg += "; GAMMA AND NEUTRON ALARM during it: treat as an RPM alarm"
	case o.gammaAlarm:
		msg += "; GAMMA ALARM during it: treat as an RPM alarm"
	case o.neutronAlarm:
		msg += "; NEUTRON ALARM during it: treat as an RPM alarm"
	}
	out = d.errorEvent(out, now, msg, nil)
	// The result still goes out, marked incomplete, so an alarm seen during
	// it reaches the officer as an alarm and forces the referral.
	return append(out, hardware.Event{
		Device: hardware.DeviceRPM, Kind: hardware.KindOccupancy, At: now,
		Occupancy: &hardware.Occupancy{
			Start: o.start, End: o.last, GammaAlarm: o.gammaAlarm, NeutronAlarm: o.neutronAlarm,
			MaxGamma: o.maxGamma, MaxNeutron: o.maxNeutron, BackgroundGamma: o.background, Speed: o.speed,
			Incomplete: true,
		},
	})
}
