package secondary

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// crossingKey handles a key on the open crossing: scrolling its record, and
// the secondary officer's actions on it.
func (m *Model) crossingKey(kp tea.KeyPressMsg) action {
	k := m.sh.Keys
	cs := m.open
	switch {
	case key.Matches(kp, k.Back):
		return backAction{}
	case key.Matches(kp, k.Up):
		m.vp.ScrollUp(1)
		return nil
	case key.Matches(kp, k.Down):
		m.vp.ScrollDown(1)
		return nil
	case key.Matches(kp, k.PageUp):
		m.vp.PageUp()
		return nil
	case key.Matches(kp, k.PageDown):
		m.vp.PageDown()
		return nil
	case key.Matches(kp, k.Search):
		return openDialogAction{newSearchDialog(m.sh)}
	}
	if cs == nil || !cs.loaded {
		if key.Matches(kp, k.Take, k.Finding, k.LSS, k.Determine, k.Replay) {
			return statusAction{err: true, text: "… the record is still loading"}
		}
		return nil
	}
	switch {
	case key.Matches(kp, k.Take):
		return takeAction{crossing: cs.id}
	case key.Matches(kp, k.Finding):
		return openDialogAction{newFindingDialog(m.sh, cs.id)}
	case key.Matches(kp, k.LSS):
		occ, alarm, requested, ok := cs.pendingLSS()
		switch {
		case !ok && len(cs.c.RPMAlarms()) == 0:
			return statusAction{text: "no RPM alarm on this crossing: nothing to ask LSS"}
		case !ok:
			return statusAction{text: "✔ every RPM alarm of this crossing is adjudicated"}
		case requested:
			return openDialogAction{newLSSAnswerDialog(m.sh, cs.id, occ)}
		}
		return openDialogAction{newLSSRequestDialog(m.sh, cs.id, occ, alarm)}
	case key.Matches(kp, k.Determine):
		if cs.c.Referral == nil {
			return statusAction{err: true, text: "this crossing was not referred to secondary"}
		}
		if m.saving[cs.id] {
			return statusAction{err: true, text: "… still saving the last determination"}
		}
		return openDialogAction{newDeterminationDialog(m.sh, cs)}
	case key.Matches(kp, k.Replay):
		return replayAction{}
	}
	return nil
}

// layoutCrossing sizes the record's viewport and fills it (after a resize
// or a reload), keeping the scroll position where it can.
func (m *Model) layoutCrossing() {
	if m.open == nil {
		return
	}
	head := m.crossingHead()
	m.vp.SetWidth(m.width)
	m.vp.SetHeight(max(m.height-len(head), 1))
	y := m.vp.YOffset()
	m.vp.SetContentLines(m.recordLines())
	m.vp.SetYOffset(y)
}
