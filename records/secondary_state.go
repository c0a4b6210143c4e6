package records

import (
	"slices"
	"strings"
	"time"
)

// finishSecondary derives the secondary state that depends on the whole
// record: who holds the referral, each reachback's latest answer, and which
// determinations stand.
func (f *folder) finishSecondary() {
	c := f.c
	if n := len(c.Takes); n > 0 {
		t := c.Takes[n-1]
		c.TakenBy = &t
	}
	for i := range c.LSS {
		x := &c.LSS[i]
		if len(x.Requests) > 0 {
			x.Request = x.Requests[0]
		}
		if n := len(x.Answers); n > 0 {
			a := x.Answers[n-1]
			x.Answer = &a
		}
	}
	current := currentDeterminations(c.Determinations)
	if n := len(current); n > 0 {
		d := current[n-1]
		c.Determination = &d
	}
	if determinationsConflict(current) {
		c.Conflict = current
	}
}

// currentDeterminations returns the determinations no other determination
// supersedes, in fold order. A correction that names an id which is not a
// determination of this crossing supersedes nothing. If every determination
// is superseded (corrections naming each other in a cycle) none can be
// trusted over another, so all of them stand and the conflict shows.
func currentDeterminations(all []Stamped[Determination]) []Stamped[Determination] {
	if len(all) == 0 {
		return nil
	}
	superseded := map[string]bool{}
	for _, d := range all {
		if s := d.Value.Supersedes; s != "" && s != d.EventID {
			superseded[s] = true
		}
	}
	var out []Stamped[Determination]
	for _, d := range all {
		if !superseded[d.EventID] {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return slices.Clone(all)
	}
	return out
}

// determinationsConflict reports whether the current determinations of a
// crossing conflict. Two current determinations conflict unless one of them
// is a correction that agrees with the other (same outcome, same agency):
// two workstations deciding independently are always a conflict, even when
// they agree, and a correction that settles the conflict by siding with the
// other determination resolves it. Never last-writer-wins.
func determinationsConflict(current []Stamped[Determination]) bool {
	for i := range current {
		for j := i + 1; j < len(current); j++ {
			a, b := current[i].Value, current[j].Value
			correction := a.Supersedes != "" || b.Supersedes != ""
			if !correction || !sameDecision(a, b) {
				return true
			}
		}
	}
	return false
}

func sameDecision(a, b Determination) bool {
	return a.Outcome == b.Outcome && strings.EqualFold(strings.TrimSpace(a.Agency), strings.TrimSpace(b.Agency))
}

// InConflict reports whether the crossing has determinations that conflict
// (see Crossing.Conflict): its outcome is undecided until a correction
// supersedes one of them.
func (c *Crossing) InConflict() bool { return len(c.Conflict) > 0 }

// FinalOutcome is the crossing's outcome: the final determination's, or ""
// when there is none or the determinations conflict.
func (c *Crossing) FinalOutcome() Outcome {
	if c.Determination == nil || c.InConflict() {
		return ""
	}
	return c.Determination.Value.Outcome
}

// InQueue reports whether the crossing waits in the secondary queue: it was
// referred and has no determination yet. A crossing whose determinations
// conflict has left the queue (it is in the conflicts view).
func (c *Crossing) InQueue() bool { return c.Referral != nil && len(c.Determinations) == 0 }

// RPMAlarms returns the crossing's RPM alarm alerts in order of appearance.
func (c *Crossing) RPMAlarms() []*Alert {
	var out []*Alert
	for _, a := range c.Alerts {
		if a.Type == AlertRPM {
			out = append(out, a)
		}
	}
	return out
}

// Exchange returns the reachback exchange about an occupancy, or nil.
func (c *Crossing) Exchange(occupancy int) *LSSExchange {
	for i := range c.LSS {
		if c.LSS[i].Occupancy == occupancy {
			return &c.LSS[i]
		}
	}
	return nil
}

// UnadjudicatedAlarms returns the RPM alarms no LSS answer with an
// adjudication code settles.
func (c *Crossing) UnadjudicatedAlarms() []*Alert {
	var out []*Alert
	for _, a := range c.RPMAlarms() {
		if x := c.Exchange(a.Occupancy); x == nil || !x.Adjudicated() {
			out = append(out, a)
		}
	}
	return out
}

// Adjudication returns the latest coded answer about an occupancy, or nil.
func (c *Crossing) Adjudication(occupancy int) *Stamped[LSSAnswered] {
	x := c.Exchange(occupancy)
	if x == nil {
		return nil
	}
	for i := len(x.Answers) - 1; i >= 0; i-- {
		if x.Answers[i].Value.Adjudicates() {
			a := x.Answers[i]
			return &a
		}
	}
	return nil
}

// CanDetermine reports whether a secondary officer may record a final
// determination with this outcome now and, when not, why. It needs a
// referral; admitting needs every RPM alarm adjudicated by LSS. A crossing
// that already has a determination may be determined again only as a
// correction (Determination.Supersedes), which the caller names; this rule
// does not refuse it.
func (c *Crossing) CanDetermine(o Outcome) (bool, string) {
	if c.Referral == nil {
		return false, "crossing was not referred to secondary"
	}
	if !slices.Contains(SecondaryOutcomes(), o) && o != OutcomeArrested {
		return false, "unknown outcome " + string(o)
	}
	if o == OutcomeAdmitted {
		if open := c.UnadjudicatedAlarms(); len(open) > 0 {
			return false, open[0].Text + " has no LSS adjudication: request reachback (LSS) and record its answer with an adjudication code before admitting"
		}
	}
	return true, ""
}

// QueueEntry is one line of the secondary referral queue (or its conflicts
// view), derived from a folded crossing.
type QueueEntry struct {
	CrossingID string
	ReferredAt time.Time
	// Waiting is how long the referral has waited at the time the entry
	// was made (zero when ReferredAt is in the future: clock skew).
	Waiting    time.Duration
	ReferredBy string // officer@workstation of the primary
	Port, Lane string
	Plate      string // "REGION/PLATE", "" when no plate
	Names      []string
	Reasons    []string
	Note       string // the primary's referral note
	RPMAlarm   bool   // an RPM alarm is on record
	Lookout    bool   // a lookout hit (traveller or plate) is on record
	// TakenBy is the officer@workstation of the latest take, "" when none.
	TakenBy  string
	TakenAt  time.Time
	Conflict bool
	// Outcomes are the current determinations' outcomes (the conflicting
	// ones in the conflicts view), in fold order.
	Outcomes []Outcome
}

// QueueEntry derives the crossing's queue line at time now. It is meaningful
// for referred crossings; others give an entry with a zero ReferredAt.
func (c *Crossing) QueueEntry(now time.Time) QueueEntry {
	q := QueueEntry{CrossingID: c.ID, Port: c.Port, Lane: c.Lane, Conflict: c.InConflict()}
	if r := c.Referral; r != nil {
		q.ReferredAt, q.ReferredBy = r.At, source(r.By, r.Origin)
		q.Reasons, q.Note = slices.Clone(r.Reasons), r.Note
		if w := now.Sub(r.At); w > 0 {
			q.Waiting = w
		}
	}
	if v := c.Vehicle; v != nil && v.Plate != "" {
		q.Plate = v.Key()
	}
	for _, t := range c.Travelers {
		if n := t.DisplayName(); n != "" {
			q.Names = append(q.Names, n)
		}
	}
	for _, a := range c.Alerts {
		switch a.Type {
		case AlertRPM:
			q.RPMAlarm = true
		case AlertLookout, AlertPlate:
			q.Lookout = true
		}
	}
	if t := c.TakenBy; t != nil {
		q.TakenBy, q.TakenAt = t.By(), t.At
	}
	if c.InConflict() {
		for _, d := range c.Conflict {
			q.Outcomes = append(q.Outcomes, d.Value.Outcome)
		}
	} else if c.Determination != nil {
		q.Outcomes = []Outcome{c.Determination.Value.Outcome}
	}
	return q
}
