package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// primaryScreen is the primary inspection screen: the vehicle (or, at a
// pedestrian counter, the traveller) at the booth.
type primaryScreen struct {
	m             *Model
	width, height int
	busy          map[string]bool // crossings with a determination or referral in flight
}

func newPrimary(m *Model) *primaryScreen {
	return &primaryScreen{m: m, busy: map[string]bool{}}
}

func (s *primaryScreen) SetSize(w, h int) { s.width, s.height = w, h }

// onNewVehicle resets per-vehicle selection when the booth moves on.
func (s *primaryScreen) onNewVehicle() {}

func (s *primaryScreen) ShortHelp() []key.Binding {
	k := s.m.keys
	// The lane's mode left only one of plate and x-ray bound.
	return enabled([]key.Binding{k.Admit, k.Refer, k.Ack, k.Plate, k.Xray, k.Note, k.Manual, k.Next, k.Help})
}

func (s *primaryScreen) FullHelp() [][]key.Binding {
	k := s.m.keys
	return [][]key.Binding{
		enabled([]key.Binding{k.Admit, k.Refer, k.Ack, k.Up, k.Down}),
		enabled([]key.Binding{k.Plate, k.Xray, k.Note, k.Manual, k.Next}),
		enabled([]key.Binding{k.Help, k.Lock, k.Logout, k.Quit}),
	}
}

func enabled(bs []key.Binding) []key.Binding {
	out := bs[:0:0]
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, b)
		}
	}
	return out
}

func (s *primaryScreen) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	m, k := s.m, s.m.keys
	cs := m.current()
	switch {
	case key.Matches(kp, k.Next):
		return s.next(cs)
	case key.Matches(kp, k.Manual):
		m.openDialog(newManualDialog(m))
		return nil
	}
	if cs == nil {
		if key.Matches(kp, k.Admit, k.Refer, k.Ack, k.Note, k.Plate, k.Xray) {
			m.setStatus(true, "no vehicle at the booth yet")
		}
		return nil
	}
	switch {
	case key.Matches(kp, k.Up):
		cs.selAlert = max(cs.selAlert-1, 0)
	case key.Matches(kp, k.Down):
		cs.selAlert = min(cs.selAlert+1, max(len(cs.c.Alerts)-1, 0))
	case key.Matches(kp, k.Admit):
		return s.admit(cs)
	case key.Matches(kp, k.Ack):
		return s.ack(cs)
	case key.Matches(kp, k.Refer):
		if s.closed(cs) {
			return nil
		}
		m.openDialog(newReferDialog(m, cs))
	case key.Matches(kp, k.Note):
		m.openDialog(newNoteDialog(m, cs.id))
	case key.Matches(kp, k.Plate):
		if m.cfg.Mode == records.ModePedestrian {
			return nil
		}
		if cs.c.Vehicle == nil || cs.c.Vehicle.Plate == "" {
			m.openDialog(newPlateDialog(m, cs.id, &records.Vehicle{}))
			return nil
		}
		m.openDialog(newPlateDialog(m, cs.id, cs.c.Vehicle))
	case key.Matches(kp, k.Xray):
		m.openDialog(newXrayDialog(m, cs.id))
	}
	return nil
}

// closed reports (and tells the officer) that the crossing already has its
// outcome or one is being saved.
func (s *primaryScreen) closed(cs *crossingState) bool {
	if s.busy[cs.id] {
		s.m.setStatus(true, "… still saving the last decision")
		return true
	}
	if cs.c.Status != records.StatusOpen {
		s.m.setStatus(true, "crossing is already %s", cs.c.Status)
		return true
	}
	return false
}

func (s *primaryScreen) admit(cs *crossingState) tea.Cmd {
	if s.closed(cs) {
		return nil
	}
	if ok, why := cs.c.CanAdmit(); !ok {
		s.m.setStatus(true, "✖ cannot admit: %s", why)
		return nil
	}
	s.busy[cs.id] = true
	return s.m.record(cs.id, "admitted "+describe(cs.c), true,
		records.Determination{Outcome: records.OutcomeAdmitted}, records.CrossingClosed{})
}

func (s *primaryScreen) ack(cs *crossingState) tea.Cmd {
	a := cs.selectedAlert()
	if a == nil {
		s.m.setStatus(false, "no alert to acknowledge")
		return nil
	}
	if a.Acknowledged {
		// Move on to the next open alert so repeated presses work down the list.
		for i, x := range cs.c.Alerts {
			if !x.Acknowledged {
				cs.selAlert = i
				return nil
			}
		}
		s.m.setStatus(false, "all alerts acknowledged")
		return nil
	}
	return s.m.record(cs.id, "acknowledged "+alertLabel(a.Type)+" "+a.Subject, false,
		records.AlertAcknowledged{AlertID: a.ID})
}

func (s *primaryScreen) next(cs *crossingState) tea.Cmd {
	m := s.m
	if cs != nil && cs.c.Status == records.StatusOpen && len(cs.events) > 0 {
		m.setStatus(true, "⚠ %s left open without a decision", describe(cs.c))
	} else {
		m.setStatus(false, "")
	}
	m.lane.Next()
	m.forget()
	if nc := m.current(); nc != nil {
		m.setStatus(false, "next: %s", describe(nc.c))
	}
	return m.releasedCmd()
}

// releasedCmd tells Deps.Released that the booth is free for the next
// vehicle.
func (m *Model) releasedCmd() tea.Cmd {
	if m.deps.Released == nil {
		return nil
	}
	released := m.deps.Released
	return func() tea.Msg {
		released()
		return nil
	}
}

// describe names a crossing for status lines: plate and travellers.
func describe(c *records.Crossing) string {
	var parts []string
	if c.Vehicle != nil && c.Vehicle.Plate != "" {
		parts = append(parts, c.Vehicle.Plate)
	}
	switch n := len(c.Travelers); n {
	case 0:
	case 1:
		parts = append(parts, c.Travelers[0].DisplayName())
	default:
		parts = append(parts, fmt.Sprintf("%d travellers", n))
	}
	if len(parts) == 0 {
		return "crossing " + shortID(c.ID)
	}
	return strings.Join(parts, " · ")
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[len(id)-8:]
	}
	return id
}
