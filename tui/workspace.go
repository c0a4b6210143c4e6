package tui

import (
	"image"

	"github.com/portofentry/booth/records"
)

// workspace is the booth's domain state the screens show: the lane's
// correlation of device readings with crossings, and what the workstation
// holds about each crossing it is working.
type workspace struct {
	lane      *records.Lane
	crossings map[string]*crossingState
	// busy marks crossings with a determination or referral being saved.
	busy map[string]bool
	// openings are the crossings whose crossing.opened is not yet known to
	// be stored (see writes.go).
	openings map[string]*opening
}

func newWorkspace(lane *records.Lane) *workspace {
	return &workspace{lane: lane, crossings: map[string]*crossingState{}, busy: map[string]bool{},
		openings: map[string]*opening{}}
}

// crossingState is what the workstation holds about one crossing it is
// working: the events stored so far, their fold, and the look-ups and images
// fetched for it. Everything here is derived; the events in the store are the
// record.
type crossingState struct {
	id     string
	events []records.Event
	seen   map[string]bool
	c      *records.Crossing

	history map[string][]HistoryEntry // by traveller key or plate key
	// national is other ports' crossings by the same keys, asked
	// separately and arriving later (national_history.go).
	national map[string]*nationalView
	// asked records which follow-ups were started, so each runs once.
	asked map[string]bool
	faces map[string]*faceView // by document key

	selAlert int
}

// faceView is the matcher's capture for one document and the images fetched
// for display.
type faceView struct {
	captureID string
	// storedAs is the retention class the capture is kept under in the
	// biometric store ("" until it is kept).
	storedAs     Citizenship
	live, onFile image.Image
	err          string
	// art is the rendered half-block images, built once when they arrive.
	art string
}

func newCrossingState(id string) *crossingState {
	return &crossingState{id: id, seen: map[string]bool{}, history: map[string][]HistoryEntry{},
		asked: map[string]bool{}, faces: map[string]*faceView{}, c: empty(id)}
}

func empty(id string) *records.Crossing {
	c := records.Fold(nil)
	c.ID = id
	c.Status = records.StatusOpen
	return c
}

// add folds stored events into the state; events already held are ignored.
func (cs *crossingState) add(evs []records.Event) {
	changed := false
	for _, e := range evs {
		if e.CrossingID != cs.id || cs.seen[e.ID] {
			continue
		}
		cs.seen[e.ID] = true
		cs.events = append(cs.events, e)
		changed = true
	}
	if changed {
		cs.c = records.Fold(cs.events)
		cs.c.ID = cs.id
		if n := len(cs.c.Alerts); cs.selAlert >= n {
			cs.selAlert = max(n-1, 0)
		}
	}
}

// selectedAlert is the alert the ack key acts on: the highlighted one.
func (cs *crossingState) selectedAlert() *records.Alert {
	if cs.selAlert < 0 || cs.selAlert >= len(cs.c.Alerts) {
		return nil
	}
	return cs.c.Alerts[cs.selAlert]
}

// crossing returns the state of id, creating it.
func (w *workspace) crossing(id string) *crossingState {
	cs, ok := w.crossings[id]
	if !ok {
		cs = newCrossingState(id)
		w.crossings[id] = cs
	}
	return cs
}

// current is the crossing at the booth, nil when the booth is idle.
func (w *workspace) current() *crossingState {
	id := w.lane.Current()
	if id == "" {
		return nil
	}
	return w.crossing(id)
}

// forget drops crossings the lane no longer tracks, so a long shift does not
// grow memory.
func (w *workspace) forget() {
	keep := map[string]bool{w.lane.Current(): true}
	for _, id := range w.lane.Queue() {
		keep[id] = true
	}
	for id := range w.crossings {
		if !keep[id] {
			w.drop(id)
		}
	}
}

// drop forgets everything held about a crossing.
func (w *workspace) drop(id string) {
	delete(w.crossings, id)
	delete(w.busy, id)
	delete(w.openings, id)
}
