package records

import (
	"fmt"
	"time"
)

// LaneRules are the time windows that decide which vehicle a device
// observation belongs to. docs/correlation.md explains them for officers and
// port IT staff.
type LaneRules struct {
	// TagGroup: a tag read within this long of the latest tag read of a
	// vehicle still approaching belongs to that vehicle (the cards in one car
	// are read in one burst as it passes the antennas).
	TagGroup time.Duration
	// AttachWindow: an RPM occupancy or a plate read belongs to the earliest
	// tracked vehicle that has none yet and was first seen no longer than this
	// before it. Vehicles pass the RFID antennas, the portal and the plate
	// camera in the order they queue, so attachment is first in, first out.
	AttachWindow time.Duration
	// MaxQueue is how many approaching vehicles (not counting the one at the
	// booth) are tracked. Beyond it the oldest is no longer correlated.
	MaxQueue int
	// StaleAfter: a queued vehicle first seen longer ago than this is no
	// longer correlated (it left the lane, or never existed).
	StaleAfter time.Duration
}

// DefaultLaneRules are the rules for a typical primary vehicle lane.
func DefaultLaneRules() LaneRules {
	return LaneRules{
		TagGroup:     4 * time.Second,
		AttachWindow: 90 * time.Second,
		MaxQueue:     4,
		StaleAfter:   15 * time.Minute,
	}
}

// Validate reports rules that cannot work.
func (r LaneRules) Validate() error {
	switch {
	case r.TagGroup <= 0:
		return fmt.Errorf("lane rules: tag group window must be positive, got %s", r.TagGroup)
	case r.AttachWindow <= 0:
		return fmt.Errorf("lane rules: attach window must be positive, got %s", r.AttachWindow)
	case r.MaxQueue < 1:
		return fmt.Errorf("lane rules: queue must hold at least 1 vehicle, got %d", r.MaxQueue)
	case r.StaleAfter < r.AttachWindow:
		return fmt.Errorf("lane rules: stale-after (%s) must not be shorter than the attach window (%s)", r.StaleAfter, r.AttachWindow)
	}
	return nil
}

// ObservationKind is what a device saw.
type ObservationKind string

// Observation kinds, one per device that feeds a crossing.
const (
	ObserveTag       ObservationKind = "rfid"
	ObserveOccupancy ObservationKind = "rpm"
	ObservePlate     ObservationKind = "plate"
	ObserveDocument  ObservationKind = "document"
)

// Observation is one device reading, reduced to what correlation needs.
type Observation struct {
	Kind ObservationKind
	At   time.Time
	EPC  string // tag reads only
}

// Assignment says which crossing an observation belongs to.
type Assignment struct {
	CrossingID string
	// Open: the crossing is new; a crossing.opened event with Trigger must be
	// written before the observation's own event.
	Open    bool
	Trigger string
	// Duplicate: the observation is already on record for this crossing (the
	// same card read again); nothing needs writing.
	Duplicate bool
	// Evicted lists approaching crossings no longer correlated because the
	// queue overflowed or they went stale.
	Evicted []string
}

// laneVehicle is one crossing the lane is correlating.
type laneVehicle struct {
	id        string
	firstSeen time.Time
	lastTag   time.Time // zero when no card was read
	epcs      map[string]bool
	hasRPM    bool
	hasPlate  bool
}

// Lane correlates device observations with crossings: the vehicle at the booth
// and the queue of vehicles approaching it. It is pure state (no I/O, no
// clock); the caller supplies observation times and crossing ids.
type Lane struct {
	mode    Mode
	rules   LaneRules
	newID   func() string
	current *laneVehicle
	queue   []*laneVehicle // approaching, in arrival order
}

// NewLane returns an empty lane. newID mints crossing ids (NewID when nil).
func NewLane(mode Mode, rules LaneRules, newID func() string) (*Lane, error) {
	if mode != ModeVehicle && mode != ModePedestrian {
		return nil, fmt.Errorf("lane: unknown mode %q", mode)
	}
	if err := rules.Validate(); err != nil {
		return nil, err
	}
	if newID == nil {
		newID = NewID
	}
	return &Lane{mode: mode, rules: rules, newID: newID}, nil
}

// Current is the crossing at the booth, "" when the booth is idle.
func (l *Lane) Current() string {
	if l.current == nil {
		return ""
	}
	return l.current.id
}

// Queue lists the approaching crossings in arrival order.
func (l *Lane) Queue() []string {
	ids := make([]string, len(l.queue))
	for i, v := range l.queue {
		ids[i] = v.id
	}
	return ids
}

// Next finishes the crossing at the booth: the first approaching vehicle, if
// any, becomes current. It returns the new current crossing ("" when none).
func (l *Lane) Next() string {
	l.current = nil
	if len(l.queue) > 0 {
		l.current = l.queue[0]
		l.queue = l.queue[1:]
	}
	return l.Current()
}

// Adopt makes id the crossing at the booth (an officer opened it by hand, or
// a restart resumed it). A crossing already tracked keeps what it has.
func (l *Lane) Adopt(id string, at time.Time) {
	for i, v := range l.queue {
		if v.id == id {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			l.current = v
			return
		}
	}
	l.current = &laneVehicle{id: id, firstSeen: at, epcs: map[string]bool{}}
}

// Abandon forgets a crossing the lane opened but that never made it into the
// record (the write carrying its crossing.opened failed). It is no longer
// current or queued, so nothing more is assigned to it; a vehicle behind it
// keeps its place in the queue. It reports whether id was tracked.
func (l *Lane) Abandon(id string) bool {
	if l.current != nil && l.current.id == id {
		l.current = nil
		return true
	}
	for i, v := range l.queue {
		if v.id == id {
			l.queue = append(l.queue[:i:i], l.queue[i+1:]...)
			return true
		}
	}
	return false
}

// Observe assigns an observation to a crossing, opening one when no tracked
// crossing can take it.
func (l *Lane) Observe(o Observation) Assignment {
	evicted := l.expire(o.At)
	var a Assignment
	if l.mode == ModePedestrian {
		a = l.observePedestrian(o)
	} else {
		a = l.observeVehicle(o)
	}
	a.Evicted = append(evicted, a.Evicted...)
	return a
}

// observePedestrian: one traveller at the counter at a time; everything read
// belongs to them until the officer moves on.
func (l *Lane) observePedestrian(o Observation) Assignment {
	if l.current == nil {
		l.current = l.open(o)
		return Assignment{CrossingID: l.current.id, Open: true, Trigger: string(o.Kind)}
	}
	v := l.current
	if o.Kind == ObserveTag {
		if v.epcs[o.EPC] {
			return Assignment{CrossingID: v.id, Duplicate: true}
		}
		v.epcs[o.EPC] = true
		v.lastTag = o.At
	}
	return Assignment{CrossingID: v.id}
}

func (l *Lane) observeVehicle(o Observation) Assignment {
	switch o.Kind {
	case ObserveTag:
		return l.observeTag(o)
	case ObserveOccupancy, ObservePlate:
		return l.observeFIFO(o)
	default: // documents are read at the booth
		if l.current == nil {
			l.Next()
		}
		if l.current != nil {
			return Assignment{CrossingID: l.current.id}
		}
		l.current = l.open(o)
		return Assignment{CrossingID: l.current.id, Open: true, Trigger: string(o.Kind)}
	}
}

func (l *Lane) observeTag(o Observation) Assignment {
	for _, v := range l.tracked() {
		if v.epcs[o.EPC] {
			return Assignment{CrossingID: v.id, Duplicate: true}
		}
	}
	// The newest vehicle whose card burst is still going on takes the card.
	if v := l.newest(); v != nil && !v.lastTag.IsZero() && within(v.lastTag, o.At, l.rules.TagGroup) {
		v.epcs[o.EPC] = true
		if o.At.After(v.lastTag) {
			v.lastTag = o.At
		}
		return Assignment{CrossingID: v.id}
	}
	return l.enqueue(o)
}

// observeFIFO attaches an occupancy or plate read to the earliest tracked
// vehicle still missing one, seen within the attach window.
func (l *Lane) observeFIFO(o Observation) Assignment {
	for _, v := range l.tracked() {
		has := v.hasRPM
		if o.Kind == ObservePlate {
			has = v.hasPlate
		}
		if has || o.At.Sub(v.firstSeen) > l.rules.AttachWindow || v.firstSeen.Sub(o.At) > l.rules.TagGroup {
			continue
		}
		l.mark(v, o.Kind)
		return Assignment{CrossingID: v.id}
	}
	return l.enqueue(o)
}

// enqueue opens a crossing for a vehicle nothing else accounts for. When the
// booth is idle the new vehicle goes straight to it.
func (l *Lane) enqueue(o Observation) Assignment {
	v := l.open(o)
	a := Assignment{CrossingID: v.id, Open: true, Trigger: string(o.Kind)}
	if l.current == nil {
		l.current = v
		return a
	}
	l.queue = append(l.queue, v)
	for len(l.queue) > l.rules.MaxQueue {
		a.Evicted = append(a.Evicted, l.queue[0].id)
		l.queue = l.queue[1:]
	}
	return a
}

func (l *Lane) open(o Observation) *laneVehicle {
	v := &laneVehicle{id: l.newID(), firstSeen: o.At, epcs: map[string]bool{}}
	switch o.Kind {
	case ObserveTag:
		v.epcs[o.EPC] = true
		v.lastTag = o.At
	default:
		l.mark(v, o.Kind)
	}
	return v
}

func (l *Lane) mark(v *laneVehicle, k ObservationKind) {
	switch k {
	case ObserveOccupancy:
		v.hasRPM = true
	case ObservePlate:
		v.hasPlate = true
	}
}

// tracked is the booth's vehicle followed by the queue: the order in which
// vehicles passed the portal and the camera.
func (l *Lane) tracked() []*laneVehicle {
	vs := make([]*laneVehicle, 0, len(l.queue)+1)
	if l.current != nil {
		vs = append(vs, l.current)
	}
	return append(vs, l.queue...)
}

func (l *Lane) newest() *laneVehicle {
	if n := len(l.queue); n > 0 {
		return l.queue[n-1]
	}
	return l.current
}

// expire drops queued vehicles first seen longer than StaleAfter before now.
func (l *Lane) expire(now time.Time) []string {
	var gone []string
	kept := l.queue[:0]
	for _, v := range l.queue {
		if now.Sub(v.firstSeen) > l.rules.StaleAfter {
			gone = append(gone, v.id)
			continue
		}
		kept = append(kept, v)
	}
	l.queue = kept
	return gone
}

func within(a, b time.Time, d time.Duration) bool {
	diff := b.Sub(a)
	if diff < 0 {
		diff = -diff
	}
	return diff <= d
}
