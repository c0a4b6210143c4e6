package secondary

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// queueKey handles a key on the queue or its conflicts view.
func (m *Model) queueKey(kp tea.KeyPressMsg) action {
	k := m.sh.Keys
	es := m.entries()
	switch {
	case key.Matches(kp, k.Up):
		m.queueSel = max(m.queueSel-1, 0)
	case key.Matches(kp, k.Down):
		m.queueSel = max(min(m.queueSel+1, len(es)-1), 0)
	case key.Matches(kp, k.PageUp):
		m.queueSel = max(m.queueSel-m.listRows(), 0)
	case key.Matches(kp, k.PageDown):
		m.queueSel = max(min(m.queueSel+m.listRows(), len(es)-1), 0)
	case key.Matches(kp, k.Open):
		if id := m.selectedEntryID(); id != "" {
			return openCrossingAction{id: id}
		}
		return statusAction{text: "nothing to open"}
	case key.Matches(kp, k.Take):
		if m.screen == screenConflicts {
			return statusAction{err: true, text: "a crossing in conflict is corrected from its record: enter, then d"}
		}
		if id := m.selectedEntryID(); id != "" {
			return takeAction{crossing: id}
		}
		return statusAction{text: "nothing to take"}
	case key.Matches(kp, k.Search):
		return openDialogAction{newSearchDialog(m.sh)}
	case key.Matches(kp, k.Conflicts):
		if m.screen == screenConflicts {
			m.screen = screenQueue
		} else {
			m.screen = screenConflicts
		}
		m.queueSel = 0
	case key.Matches(kp, k.Back):
		if m.screen == screenConflicts {
			return backAction{}
		}
	}
	return nil
}

// listRows is how many entries fit below the queue's title lines.
func (m *Model) listRows() int { return max(m.height-4, 1) }

// Column widths of the queue; names take what is left.
const (
	colWait  = 6
	colLane  = 5
	colPlate = 14
	colMarks = 11
)

// reasonTakenWidths are the reasons and taken-by columns: narrower on a
// narrow terminal, so the names keep room.
func (m *Model) reasonTakenWidths() (reasons, taken int) {
	if m.width < 100 {
		return 10, 13
	}
	return 16, 18
}

func (m *Model) queueView() string {
	st := m.sh.Styles
	w := m.width
	es := m.entries()
	var title string
	if m.screen == screenConflicts {
		title = st.Title.Render("CONFLICTS") + " — " + plural(len(m.conflicts), "crossing") +
			" with determinations that do not supersede each other · " + keyName(m.sh.Keys.Conflicts) + " queue"
	} else {
		title = st.Title.Render("REFERRAL QUEUE") + " — " + strconv.Itoa(len(m.queue)) + " waiting"
		if len(m.queue) > 0 {
			title += " · oldest " + fmtWait(m.clock.Sub(m.queue[0].ReferredAt))
		}
		if n := len(m.conflicts); n > 0 {
			title += " · " + st.Warn.Render("⚠ "+plural(n, "conflict")) + " (" + keyName(m.sh.Keys.Conflicts) + ")"
		}
	}
	lines := []string{cut(title, w), m.replicaLine()}
	if m.queueErr != "" {
		lines = append(lines, st.Bad.Render(cut("✖ "+m.queueErr, w)))
	}
	conflicts := m.screen == screenConflicts
	colReason, colTaken := m.reasonTakenWidths()
	nameW := max(w-2-colWait-colLane-colPlate-colMarks-colReason-colTaken, 10)
	head := "  " + pad("WAIT", colWait) + pad("LANE", colLane) + pad("PLATE", colPlate) + pad("TRAVELLERS", nameW) +
		pad("MARKERS", colMarks) + pad("REASONS", colReason) + "TAKEN BY"
	if conflicts {
		head = "  " + pad("WAIT", colWait) + pad("LANE", colLane) + pad("PLATE", colPlate) + pad("TRAVELLERS", nameW) +
			pad("MARKERS", colMarks) + "DETERMINATIONS"
	}
	lines = append(lines, st.Label.Render(cut(head, w)))
	switch {
	case !m.loaded && m.queueErr == "":
		lines = append(lines, st.Dim.Render("  reading the queue…"))
	case len(es) == 0 && conflicts:
		lines = append(lines, st.Dim.Render("  ✔ no conflicting determinations"))
	case len(es) == 0:
		lines = append(lines, st.Dim.Render("  ✔ no referral waiting — new ones appear here by themselves"))
	}
	rows := max(m.height-len(lines), 1)
	first := 0
	if m.queueSel >= rows {
		first = m.queueSel - rows + 1
	}
	for i := first; i < len(es) && i < first+rows; i++ {
		lines = append(lines, m.queueRow(es[i], i == m.queueSel, nameW, conflicts))
	}
	return strings.Join(lines, "\n")
}

func (m *Model) queueRow(e records.QueueEntry, sel bool, nameW int, conflicts bool) string {
	st := m.sh.Styles
	plate := e.Plate
	if plate == "" {
		plate = "—"
	}
	marks := markers(e)
	row := pad(fmtWait(m.clock.Sub(e.ReferredAt)), colWait) + pad(e.Lane, colLane) + pad(plate, colPlate) +
		pad(names(e.Names), nameW) + pad(marks, colMarks)
	if conflicts {
		var outs []string
		for _, o := range e.Outcomes {
			outs = append(outs, string(o))
		}
		row += "⚠ " + strings.Join(outs, " vs ")
	} else {
		taken := e.TakenBy
		switch {
		case taken == "":
			taken = "—"
		case m.isMe(taken):
			taken = "▶ you"
		}
		colReason, _ := m.reasonTakenWidths()
		row += pad(strings.Join(e.Reasons, ","), colReason) + taken
	}
	if sel {
		return st.Selected.Render(pad("▸ "+row, m.width))
	}
	line := "  " + row
	if e.RPMAlarm || e.Lookout || conflicts {
		// The markers are words; colour only repeats them.
		return st.Warn.Render(cut(line, m.width))
	}
	return cut(line, m.width)
}

// markers are the queue's RPM-alarm and lookout markers, in words.
func markers(e records.QueueEntry) string {
	var ms []string
	if e.RPMAlarm {
		ms = append(ms, "☢RPM")
	}
	if e.Lookout {
		ms = append(ms, "⚠LOOK")
	}
	if e.Conflict {
		ms = append(ms, "⚠CONF")
	}
	return strings.Join(ms, " ")
}

func names(ns []string) string {
	switch len(ns) {
	case 0:
		return "—"
	case 1:
		return ns[0]
	}
	return ns[0] + " +" + strconv.Itoa(len(ns)-1)
}

// replicaLine says how current the replica is, and says it loudly when it
// is stale.
func (m *Model) replicaLine() string {
	st := m.sh.Styles
	r := m.replica
	link := r.Link
	if link == "" {
		link = "unknown"
	}
	switch {
	case m.replErr != "":
		return st.Bad.Render(cut("✖ replica status unavailable: "+m.replErr, m.width))
	case r.Synced.IsZero():
		return st.Warn.Render(cut("⚠ replica never synced with the port server · feed "+link, m.width))
	case m.clock.Sub(r.Synced) > m.cfg.StaleAfter:
		return st.Warn.Render(cut("⚠ STALE replica: last synced "+fmtWait(m.clock.Sub(r.Synced))+" ago · feed "+link, m.width))
	}
	return st.Dim.Render(cut("replica synced "+fmtWait(m.clock.Sub(r.Synced))+" ago · feed "+link, m.width))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// keyName is the first key of a binding as help shows it.
func keyName(b key.Binding) string {
	if ks := b.Keys(); len(ks) > 0 {
		return ks[0]
	}
	return "?"
}
