package records

import (
	"fmt"
	"time"
)

// ObservationOf reduces a device payload to what lane correlation needs. ok is
// false for payloads that do not come from a lane device.
func ObservationOf(p Payload, at time.Time) (o Observation, ok bool) {
	switch p := p.(type) {
	case RFIDRead:
		return Observation{Kind: ObserveTag, At: at, EPC: p.EPC}, true
	case *RFIDRead:
		return Observation{Kind: ObserveTag, At: at, EPC: p.EPC}, true
	case RPMOccupancy, *RPMOccupancy:
		return Observation{Kind: ObserveOccupancy, At: at}, true
	case PlateRead, *PlateRead:
		return Observation{Kind: ObservePlate, At: at}, true
	case DocumentRead, *DocumentRead:
		return Observation{Kind: ObserveDocument, At: at}, true
	}
	return Observation{}, false
}

// ObservationEvents returns the events that record a device observation the
// lane assigned: crossing.opened (with the assignment's trigger) when the
// assignment opens the crossing, then the observation's own event. A
// duplicate produces nothing. Device events carry no officer.
func ObservationEvents(a Assignment, open CrossingOpened, p Payload, at time.Time) ([]Event, error) {
	if a.Duplicate {
		return nil, nil
	}
	if a.CrossingID == "" {
		return nil, fmt.Errorf("records: observation %s has no crossing", p.Kind())
	}
	var evs []Event
	if a.Open {
		ev, err := OpeningEvent(a, open, at)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	ev, err := NewEvent(a.CrossingID, p, at, "")
	if err != nil {
		return nil, err
	}
	return append(evs, ev), nil
}

// OpeningEvent builds the crossing.opened event of an assignment that opens a
// crossing, with the assignment's trigger. Built once, its id is fixed: the
// caller may send it with several writes until one commits, and the store
// keeps only the first copy.
func OpeningEvent(a Assignment, open CrossingOpened, at time.Time) (Event, error) {
	if !a.Open {
		return Event{}, fmt.Errorf("records: crossing %s is not opened by this assignment", a.CrossingID)
	}
	if a.CrossingID == "" {
		return Event{}, fmt.Errorf("records: opening has no crossing")
	}
	open.Trigger = a.Trigger
	return NewEvent(a.CrossingID, open, at, "")
}
