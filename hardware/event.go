// Package hardware reads the booth's serial devices (document reader, RFID
// reader, radiation portal monitor, license plate reader) through
// github.com/tarm/serial and talks to the local face matcher over HTTP. It
// turns bytes into typed events, keeps a health state per device and
// reconnects by itself.
package hardware

import (
	"encoding/json"
	"time"

	"github.com/portofentry/booth/records/mrz"
)

// Device names a serial device. The values are the `device` field of
// `booth devices --json` (docs/design.md §4.7).
type Device string

// The booth's serial devices.
const (
	DeviceDoc  Device = "doc"
	DeviceRFID Device = "rfid"
	DeviceRPM  Device = "rpm"
	DeviceLPR  Device = "lpr"
)

// EventKind is the `kind` field of a device event.
type EventKind string

// Device event kinds (docs/design.md §4.7).
const (
	KindStatus    EventKind = "status"
	KindError     EventKind = "error"
	KindDocument  EventKind = "document"
	KindTag       EventKind = "tag"
	KindOccupancy EventKind = "occupancy"
	KindFault     EventKind = "fault"
	KindTamper    EventKind = "tamper"
	KindPlate     EventKind = "plate"
)

// Connection states carried by status events.
const (
	StateConnected    = "connected"
	StateDisconnected = "disconnected"
)

// Event is one typed event from a device. Exactly one of the pointer fields
// matching Kind is set.
type Event struct {
	Device Device
	Kind   EventKind
	At     time.Time

	Status    *Status
	Error     *Error
	Document  *Document
	Tag       *Tag
	Occupancy *Occupancy
	Fault     *Fault
	Tamper    *Tamper
	Plate     *Plate
}

// Status is a connection state change.
type Status struct {
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"` // why, e.g. the open error
}

// Error is a bad frame or an I/O problem. Raw holds the offending bytes.
type Error struct {
	Err string `json:"error"`
	Raw []byte `json:"-"`
}

// Document is one read of the document reader.
type Document struct {
	MRZ *mrz.Result `json:"mrz"`
	Raw []string    `json:"raw"`
}

// Tag is one de-duplicated RFID tag read.
type Tag struct {
	EPC     string `json:"epc"` // upper-case hex
	Antenna int    `json:"antenna"`
	RSSI    int    `json:"rssi"`
}

// Occupancy is the RPM's result for one vehicle passing the portal.
type Occupancy struct {
	Occupancy       int       `json:"occupancy"`
	Start           time.Time `json:"start"`
	End             time.Time `json:"end"`
	GammaAlarm      bool      `json:"gamma_alarm"`
	NeutronAlarm    bool      `json:"neutron_alarm"`
	MaxGamma        int       `json:"max_gamma"`
	MaxNeutron      int       `json:"max_neutron"`
	BackgroundGamma int       `json:"background_gamma"`
	Speed           float64   `json:"speed"`
	// Incomplete is set when the monitor never closed the occupancy (no GX):
	// Occupancy is then 0 and End is the last sample. An alarm seen during it
	// still stands.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Fault is an RPM background fault (GH, GL, NH).
type Fault struct {
	Code   string `json:"code"`
	Detail string `json:"detail,omitempty"`
}

// Tamper is an RPM tamper state change.
type Tamper struct {
	Active bool `json:"active"`
}

// PlateCandidate is one alternative reading of a plate.
type PlateCandidate struct {
	Plate      string  `json:"plate"`
	Confidence float64 `json:"confidence"`
}

// Plate is the plate reader's best reading.
type Plate struct {
	Plate      string           `json:"plate"`
	Region     string           `json:"region"`
	Confidence float64          `json:"confidence"`
	Candidates []PlateCandidate `json:"candidates"`
	CameraID   string           `json:"camera_id,omitempty"`
}

// MarshalJSON writes the flat object of `booth devices --json`: device, kind
// and at, followed by the fields of the kind's payload.
func (e Event) MarshalJSON() ([]byte, error) {
	m := map[string]any{
		"device": e.Device,
		"kind":   e.Kind,
		"at":     e.At.UTC().Format(time.RFC3339Nano),
	}
	var body any
	switch e.Kind {
	case KindStatus:
		body = e.Status
	case KindError:
		if e.Error != nil {
			m["error"] = e.Error.Err
			m["raw"] = string(e.Error.Raw)
		}
	case KindDocument:
		body = e.Document
	case KindTag:
		body = e.Tag
	case KindOccupancy:
		body = e.Occupancy
	case KindFault:
		body = e.Fault
	case KindTamper:
		body = e.Tamper
	case KindPlate:
		body = e.Plate
	}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		var fields map[string]any
		if err := json.Unmarshal(b, &fields); err != nil {
			return nil, err
		}
		for k, v := range fields {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// Decoder turns a device's byte stream into events. Implementations keep
// bounded buffers, never panic, and resynchronise after garbage.
//
// The port loop calls Feed with every chunk read and Idle when a read timed
// out with no data, so decoders that complete a frame on an idle gap (the
// document reader) or expire state (the RFID de-duplication window) can act.
// Both return the events completed by that call, which may be none. now is the
// time the bytes arrived.
type Decoder interface {
	Feed(p []byte, now time.Time) []Event
	Idle(now time.Time) []Event
}
