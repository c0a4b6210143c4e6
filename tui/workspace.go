package tui

import (
	"image"

	"github.com/portofentry/booth/records"
	"github.com/portofentry/booth/sqlitestore"
)

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
	// asked records which follow-ups were started, so each runs once.
	asked map[string]bool
	faces map[string]*faceView // by document key

	selAlert int
	done     bool // determination saved
}

// faceView is the matcher's capture for one document and the images fetched
// for display.
type faceView struct {
	captureID string
	// storedAs is the retention class the capture is kept under in the
	// biometric store ("" until it is kept).
	storedAs     sqlitestore.CitizenshipStatus
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
func (m *Model) crossing(id string) *crossingState {
	cs, ok := m.crossings[id]
	if !ok {
		cs = newCrossingState(id)
		m.crossings[id] = cs
	}
	return cs
}

// current is the crossing at the booth, nil when the booth is idle.
func (m *Model) current() *crossingState {
	id := m.lane.Current()
	if id == "" {
		return nil
	}
	return m.crossing(id)
}

// forget drops crossings the lane no longer tracks, so a long shift does not
// grow memory.
func (m *Model) forget() {
	keep := map[string]bool{m.lane.Current(): true}
	for _, id := range m.lane.Queue() {
		keep[id] = true
	}
	for id := range m.crossings {
		if !keep[id] {
			delete(m.crossings, id)
		}
	}
}
