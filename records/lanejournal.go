package records

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// The lane journal: what happens at a lane that belongs to no crossing —
// RPM background faults, tamper, extended occupancies, devices unplugged and
// plugged back. A booth appends an entry when its device loop sees one; the
// entries are numbered per workstation without gaps (like the audit chain),
// replicated to the port server with the same no-loss rules as events and
// served to supervisor consoles, whose dashboard counts them per lane.

// JournalKind names what a journal entry records. Kinds are stored and
// replicated: never rename one.
type JournalKind string

// Lane journal kinds.
const (
	// JournalRPMFault is an RPM background alarm: Code is GH (gamma
	// background high), GL (gamma background low) or NH (neutron
	// background high).
	JournalRPMFault JournalKind = "rpm.fault"
	// JournalRPMTamper is an RPM tamper state change: Active true when
	// tamper is raised, false when it clears.
	JournalRPMTamper JournalKind = "rpm.tamper"
	// JournalExtendedOccupancy is an occupancy the monitor never closed
	// (no end record, or longer than the monitor's limit).
	JournalExtendedOccupancy JournalKind = "rpm.extended_occupancy"
	// JournalDeviceDisconnected is a device lost (unplugged, cable cut).
	JournalDeviceDisconnected JournalKind = "device.disconnected"
	// JournalDeviceConnected is a device back after a disconnection (or
	// faulty spell).
	JournalDeviceConnected JournalKind = "device.connected"
	// JournalDeviceFaulty is a device connected whose frames are all bad.
	JournalDeviceFaulty JournalKind = "device.faulty"
)

// JournalKinds lists every kind.
func JournalKinds() []JournalKind {
	return []JournalKind{JournalRPMFault, JournalRPMTamper, JournalExtendedOccupancy,
		JournalDeviceDisconnected, JournalDeviceConnected, JournalDeviceFaulty}
}

// RPM background fault codes (docs/design.md §3.4).
const (
	FaultGammaHigh   = "GH"
	FaultGammaLow    = "GL"
	FaultNeutronHigh = "NH"
)

// ErrInvalidJournal wraps the reason a journal entry was refused.
var ErrInvalidJournal = errors.New("invalid lane journal entry")

// JournalEntry is one entry of a workstation's lane journal. Callers fill
// the content (Port, Lane, Kind, Device, Code, Active, Detail, Officer, At);
// the store assigns ID (when empty), Origin, Seq and RecordedAt. Version is
// the port server's feed version, set only on entries served down.
type JournalEntry struct {
	ID         string      `json:"id"`
	Origin     string      `json:"origin"`
	Seq        int64       `json:"seq"`
	Version    int64       `json:"version,omitempty"`
	Port       string      `json:"port"`
	Lane       string      `json:"lane"`
	Kind       JournalKind `json:"kind"`
	Device     string      `json:"device,omitempty"`
	Code       string      `json:"code,omitempty"`
	Active     bool        `json:"active,omitempty"`
	Detail     string      `json:"detail,omitempty"`
	Officer    string      `json:"officer,omitempty"` // signed in at the workstation then; "" none
	At         time.Time   `json:"at"`                // when it happened (device time)
	RecordedAt time.Time   `json:"recorded_at"`       // when the workstation stored it
}

// Limits of a journal entry's text fields.
const (
	maxJournalDetail = 1000
	maxJournalField  = 64
)

// Validate checks an entry's content: a known kind, a lane, the fault code
// of a fault, the device of a device entry, bounded text, a time.
func (e JournalEntry) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidJournal, fmt.Sprintf(format, a...))
	}
	known := false
	for _, k := range JournalKinds() {
		if e.Kind == k {
			known = true
		}
	}
	switch {
	case !known:
		return bad("unknown kind %q", e.Kind)
	case strings.TrimSpace(e.Lane) == "":
		return bad("%s without a lane", e.Kind)
	case e.At.IsZero():
		return bad("%s without a time", e.Kind)
	case len(e.Detail) > maxJournalDetail:
		return bad("detail of %d bytes, at most %d", len(e.Detail), maxJournalDetail)
	}
	for name, v := range map[string]string{"port": e.Port, "lane": e.Lane, "device": e.Device, "code": e.Code, "officer": e.Officer} {
		if len(v) > maxJournalField {
			return bad("%s of %d bytes, at most %d", name, len(v), maxJournalField)
		}
	}
	switch e.Kind {
	case JournalRPMFault:
		if e.Code != FaultGammaHigh && e.Code != FaultGammaLow && e.Code != FaultNeutronHigh {
			return bad("RPM fault code %q is not GH, GL or NH", e.Code)
		}
	case JournalDeviceDisconnected, JournalDeviceConnected, JournalDeviceFaulty:
		if e.Device == "" {
			return bad("%s without a device", e.Kind)
		}
	}
	return nil
}

// Text is the entry as one line for a screen.
func (e JournalEntry) Text() string {
	dev := strings.ToUpper(e.Device)
	switch e.Kind {
	case JournalRPMFault:
		s := "RPM " + FaultLabel(e.Code) + " (" + e.Code + ")"
		return withDetail(s, e.Detail)
	case JournalRPMTamper:
		if e.Active {
			return "RPM TAMPER"
		}
		return "RPM tamper cleared"
	case JournalExtendedOccupancy:
		return withDetail("RPM extended occupancy", e.Detail)
	case JournalDeviceDisconnected:
		return withDetail(dev+" disconnected", e.Detail)
	case JournalDeviceConnected:
		return dev + " connected"
	case JournalDeviceFaulty:
		return withDetail(dev+" faulty", e.Detail)
	}
	return withDetail(string(e.Kind), e.Detail)
}

// FaultLabel names an RPM background fault code.
func FaultLabel(code string) string {
	switch code {
	case FaultGammaHigh:
		return "gamma background high"
	case FaultGammaLow:
		return "gamma background low"
	case FaultNeutronHigh:
		return "neutron background high"
	}
	return "fault " + code
}

func withDetail(s, detail string) string {
	if detail == "" {
		return s
	}
	return s + ": " + detail
}

// JournalQuery selects journal entries: a lane ("" every lane) and a time
// range on At (zero bounds are open). Limit 0 means the store's default.
type JournalQuery struct {
	Lane         string
	Since, Until time.Time
	Limit        int
}
