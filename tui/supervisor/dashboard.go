package supervisor

import (
	"slices"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The dashboard is sections of lines (lanes, pending referrals, open RPM
// alarms, today's counts, RPM statistics, workstations). On a wide terminal
// the lanes run across the top and the rest in two columns; on a narrow one
// the sections stack and the body scrolls, the selection kept in view. The
// crossings of the referrals and alarms sections can be selected and
// opened.

// wideAt is the width from which the dashboard uses two columns and one
// line per lane.
const wideAt = 150

// section is one titled block of the dashboard.
type section struct {
	lines []string
	// sel is the line holding the selected crossing, -1 when none.
	sel int
}

// layout is the dashboard as drawn at the current size: every line of the
// scrolling body, the line of the selection (-1: none) and where each
// section starts.
type layout struct {
	lines  []string
	sel    int
	starts []int
}

// targets are the crossings the dashboard lets the supervisor open, in the
// order they are drawn: pending referrals, then open RPM alarms.
func (m *Model) targets() []string {
	var ids []string
	for _, r := range m.dash.Pending {
		ids = append(ids, r.CrossingID)
	}
	for _, a := range m.dash.OpenAlarms {
		ids = append(ids, a.CrossingID)
	}
	return ids
}

func (m *Model) selectedTarget() string {
	ts := m.targets()
	if m.sel >= 0 && m.sel < len(ts) {
		return ts[m.sel]
	}
	return ""
}

// bodyRows is how many lines of sections fit under the title line.
func (m *Model) bodyRows() int { return max(m.height-1, 1) }

// dashboardKey handles a key on the dashboard.
func (m *Model) dashboardKey(kp tea.KeyPressMsg) action {
	k := m.sh.Keys
	n := len(m.targets())
	switch {
	case key.Matches(kp, k.Up):
		if n > 0 {
			m.sel = max(m.sel-1, 0)
			m.follow = true
		} else {
			m.top = max(m.top-1, 0)
		}
	case key.Matches(kp, k.Down):
		if n > 0 {
			m.sel = max(min(m.sel+1, n-1), 0)
			m.follow = true
		} else {
			m.top++
		}
	case key.Matches(kp, k.PageUp):
		m.top = max(m.top-m.bodyRows()+1, 0)
	case key.Matches(kp, k.PageDown):
		m.top += m.bodyRows() - 1
	case key.Matches(kp, k.NextPanel):
		m.nextPanel()
	case key.Matches(kp, k.Open):
		if id := m.selectedTarget(); id != "" {
			return openCrossingAction{id: id}
		}
		return statusAction{text: "nothing to open: no pending referral or open RPM alarm"}
	case key.Matches(kp, k.Search):
		return openDialogAction{newSearchDialog(m.sh)}
	case key.Matches(kp, k.AuditLog):
		return openDialogAction{newAuditDialog(m.sh, m.filter)}
	}
	m.settle()
	return nil
}

// nextPanel scrolls to the next section (back to the first after the
// last).
func (m *Model) nextPanel() {
	l := m.layoutDashboard()
	last := max(len(l.lines)-m.bodyRows(), 0)
	for _, s := range l.starts {
		// The line above a section is blank: the "more above" note
		// covers it, not the section's title.
		if t := max(s-1, 0); t > m.top && m.top < last {
			m.top = min(t, last)
			return
		}
	}
	m.top = 0
}

// settle keeps the scroll position within the body and, after the
// selection moved, the selection in view. It runs in Update, so View only
// draws.
func (m *Model) settle() {
	l := m.layoutDashboard()
	rows := m.bodyRows()
	if m.follow && l.sel >= 0 {
		// The first and last rows say what lies above and below: the
		// selection stays between them.
		lo, hi := m.top, m.top+rows-1
		if m.top > 0 {
			lo++
		}
		if m.top+rows < len(l.lines) {
			hi--
		}
		if l.sel < lo {
			m.top = max(l.sel-1, 0)
		} else if l.sel > hi {
			m.top = l.sel - rows + 2
		}
	}
	m.follow = false
	m.top = max(min(m.top, len(l.lines)-rows), 0)
}

// dashboardView draws the title line and the part of the sections in view,
// saying what lies above or below.
func (m *Model) dashboardView() string {
	st := m.sh.Styles
	title := st.Title.Render("PORT " + m.cfg.Port + " DASHBOARD")
	switch {
	case m.dashErr != "":
		title += "  " + st.Bad.Render("✖ "+m.dashErr)
	case !m.dashLoaded:
		title += "  " + st.Dim.Render("loading…")
	}
	title += "  " + m.replicaNote()
	if !m.dashLoaded {
		return cut(title, m.width)
	}
	l := m.layoutDashboard()
	rows := m.bodyRows()
	top := max(min(m.top, len(l.lines)-rows), 0)
	end := min(top+rows, len(l.lines))
	shown := slices.Clone(l.lines[top:end])
	if top > 0 && len(shown) > 0 {
		shown[0] = st.Dim.Render(pad("▲ "+strconv.Itoa(top)+" more lines above ("+helpKey(m.sh.Keys.PageUp)+")", m.width))
	}
	if below := len(l.lines) - end; below > 0 && len(shown) > 0 {
		shown[len(shown)-1] = st.Dim.Render(pad("▼ "+strconv.Itoa(below+1)+" more lines below ("+helpKey(m.sh.Keys.PageDown)+", "+helpKey(m.sh.Keys.NextPanel)+": next panel)", m.width))
	}
	return cut(title, m.width) + "\n" + strings.Join(shown, "\n")
}

// helpKey is the key a binding shows in help ("" when unbound).
func helpKey(b key.Binding) string {
	if !b.Enabled() {
		return ""
	}
	return b.Help().Key
}

// replicaNote says how current the console's replica is: always when it is
// stale, with its age.
func (m *Model) replicaNote() string {
	st := m.sh.Styles
	if m.replErr != "" {
		return st.Bad.Render("✖ replica: " + m.replErr)
	}
	if m.replica.Synced.IsZero() {
		return st.Warn.Render("⚠ replica never synced with the port server")
	}
	age := m.clock.Sub(m.replica.Synced)
	if age > m.cfg.StaleAfter {
		return st.Warn.Render("⚠ STALE: replica " + fmtAge(age) + " old (" + m.replica.Link + ")")
	}
	return st.Dim.Render("as of " + clock(m.replica.Synced, m.clock))
}

// layoutDashboard lays the sections out for the current width.
func (m *Model) layoutDashboard() layout {
	w := m.width
	sel := m.sel
	nRef := len(m.dash.Pending)
	refSel, alarmSel := -1, -1
	if sel < nRef {
		refSel = sel
	} else {
		alarmSel = sel - nRef
	}
	if w < wideAt {
		secs := []section{m.lanesSection(w, false), m.referralsSection(w, refSel), m.alarmsSection(w, alarmSel),
			m.todaySection(w), m.rpmSection(w), m.workstationsSection(w)}
		return stackSections(secs, 0)
	}
	lanes := m.lanesSection(w, true)
	rightW := min(max(w/3, 60), 80)
	leftW := w - rightW - 2
	lanes.lines = append(lanes.lines, "")
	left := stackSections([]section{m.referralsSection(leftW, refSel), m.alarmsSection(leftW, alarmSel)}, len(lanes.lines))
	right := stackSections([]section{m.todaySection(rightW), m.rpmSection(rightW), m.workstationsSection(rightW)}, len(lanes.lines))
	l := layout{lines: slices.Clone(lanes.lines), sel: left.sel, starts: []int{0}}
	for i := 0; i < max(len(left.lines), len(right.lines)); i++ {
		var a, b string
		if i < len(left.lines) {
			a = left.lines[i]
		}
		if i < len(right.lines) {
			b = right.lines[i]
		}
		l.lines = append(l.lines, pad(a, leftW)+"  "+b)
	}
	l.starts = append(append(l.starts, left.starts...), right.starts...)
	slices.Sort(l.starts)
	l.starts = slices.Compact(l.starts)
	return l
}

// stackSections puts sections under one another with a blank line
// between; offset is the line the first starts on in the whole layout.
func stackSections(secs []section, offset int) layout {
	l := layout{sel: -1}
	for i, s := range secs {
		if i > 0 {
			l.lines = append(l.lines, "")
		}
		l.starts = append(l.starts, offset+len(l.lines))
		if s.sel >= 0 {
			l.sel = offset + len(l.lines) + s.sel
		}
		l.lines = append(l.lines, s.lines...)
	}
	return l
}

// heading is a section's title line across width w.
func (m *Model) heading(title, note string, w int) string {
	st := m.sh.Styles
	h := st.Title.Render(title)
	if note != "" {
		h += " " + st.Dim.Render(note)
	}
	if rest := w - len([]rune(title)) - len([]rune(note)) - 2; rest > 0 {
		h += " " + st.Dim.Render(strings.Repeat("─", rest))
	}
	return cut(h, w)
}
