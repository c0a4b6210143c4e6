package secondary

import (
	"image"

	"github.com/portofentry/booth/records"
)

// crossingState is the open crossing as last read from the replica: its
// events, their fold and timeline, its history and the photos on file of
// its documents. A reload replaces the fields in place, so a dialog holding
// the state sees the crossing as it is now.
type crossingState struct {
	id       string
	events   []records.Event
	c        *records.Crossing
	timeline []records.TimelineEntry
	history  []Summary
	// historyErr says why the history could not be read ("" when it was).
	historyErr string
	// photos are the gallery photos by document key (never a live
	// capture); a key with a nil image has no photo on file.
	photos map[string]image.Image
	loaded bool
	err    string
}

// current is the determinations that stand: the conflicting ones, or the
// final one, or none.
func (cs *crossingState) current() []records.Stamped[records.Determination] {
	if cs.c == nil {
		return nil
	}
	if cs.c.InConflict() {
		return cs.c.Conflict
	}
	if cs.c.Determination != nil {
		return []records.Stamped[records.Determination]{*cs.c.Determination}
	}
	return nil
}

// admitBlocked says why the crossing cannot be admitted now ("" when it
// can).
func (cs *crossingState) admitBlocked() string {
	if cs.c == nil {
		return "the record is still loading"
	}
	if ok, why := cs.c.CanDetermine(records.OutcomeAdmitted); !ok {
		return why
	}
	return ""
}

// pendingLSS is the first RPM alarm occupancy without an adjudication, and
// whether it was already requested (then the next step is the answer). ok is
// false when every alarm is adjudicated or there is none.
func (cs *crossingState) pendingLSS() (occupancy int, alarm string, requested, ok bool) {
	if cs.c == nil {
		return 0, "", false, false
	}
	open := cs.c.UnadjudicatedAlarms()
	if len(open) == 0 {
		return 0, "", false, false
	}
	a := open[0]
	x := cs.c.Exchange(a.Occupancy)
	return a.Occupancy, a.Text, x != nil && len(x.Requests) > 0, true
}

// takenBy is who holds the referral (officer@workstation), "" for nobody.
func (cs *crossingState) takenBy() string {
	if cs.c == nil || cs.c.TakenBy == nil {
		return ""
	}
	return cs.c.TakenBy.By()
}
