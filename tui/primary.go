package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// primaryScreen is the primary inspection screen: the vehicle (or, at a
// pedestrian counter, the traveller) at the booth. Its keys become actions
// the root carries out.
type primaryScreen struct {
	*common
	ws            *workspace
	width, height int
}

func newPrimary(c *common, ws *workspace) *primaryScreen {
	return &primaryScreen{common: c, ws: ws}
}

func (s *primaryScreen) SetSize(w, h int) { s.width, s.height = w, h }

func (s *primaryScreen) ShortHelp() []key.Binding {
	k := s.keys
	// The lane's mode left only one of plate and x-ray bound.
	return enabled([]key.Binding{k.Admit, k.Refer, k.Ack, k.Plate, k.Xray, k.Note, k.Manual, k.Next, k.Help})
}

func (s *primaryScreen) FullHelp() [][]key.Binding {
	k := s.keys
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

func (s *primaryScreen) Update(msg tea.Msg) (action, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	k := s.keys
	cs := s.ws.current()
	switch {
	case key.Matches(kp, k.Next):
		return nextAction{}, nil
	case key.Matches(kp, k.Manual):
		return openAction{newManualDialog(s.common)}, nil
	}
	if cs == nil {
		if key.Matches(kp, k.Admit, k.Refer, k.Ack, k.Note, k.Plate, k.Xray) {
			return statusAction{err: true, text: "no vehicle at the booth yet"}, nil
		}
		return nil, nil
	}
	switch {
	case key.Matches(kp, k.Up):
		cs.selAlert = max(cs.selAlert-1, 0)
	case key.Matches(kp, k.Down):
		cs.selAlert = min(cs.selAlert+1, max(len(cs.c.Alerts)-1, 0))
	case key.Matches(kp, k.Admit):
		return admitAction{crossing: cs.id}, nil
	case key.Matches(kp, k.Ack):
		return s.ack(cs), nil
	case key.Matches(kp, k.Refer):
		if why := s.ws.closedWhy(cs); why != "" {
			return statusAction{err: true, text: why}, nil
		}
		return openAction{newReferDialog(s.common, cs)}, nil
	case key.Matches(kp, k.Note):
		return openAction{newNoteDialog(s.common, cs.id)}, nil
	case key.Matches(kp, k.Plate):
		if s.cfg.Mode == records.ModePedestrian {
			return nil, nil
		}
		return openAction{newPlateDialog(s.common, cs)}, nil
	case key.Matches(kp, k.Xray):
		return openAction{newXrayDialog(s.common, cs.id)}, nil
	}
	return nil, nil
}

// closedWhy says why no determination or referral can be made now: the
// crossing already has its outcome or one is being saved ("" when one can).
func (w *workspace) closedWhy(cs *crossingState) string {
	if w.busy[cs.id] {
		return "… still saving the last decision"
	}
	if cs.c.Status != records.StatusOpen {
		return "crossing is already " + string(cs.c.Status)
	}
	return ""
}

// ack acknowledges the highlighted alert; on one already acknowledged it
// moves to the next open one, so repeated presses work down the list.
func (s *primaryScreen) ack(cs *crossingState) action {
	a := cs.selectedAlert()
	if a == nil {
		return statusAction{text: "no alert to acknowledge"}
	}
	if a.Acknowledged {
		for i, x := range cs.c.Alerts {
			if !x.Acknowledged {
				cs.selAlert = i
				return nil
			}
		}
		return statusAction{text: "all alerts acknowledged"}
	}
	return ackAction{crossing: cs.id, alert: a.ID}
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
