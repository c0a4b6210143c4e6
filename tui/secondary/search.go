package secondary

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// searchKey handles a key on the search results.
func (m *Model) searchKey(kp tea.KeyPressMsg) action {
	k := m.sh.Keys
	switch {
	case key.Matches(kp, k.Up):
		m.resultsSel = max(m.resultsSel-1, 0)
	case key.Matches(kp, k.Down):
		m.resultsSel = max(min(m.resultsSel+1, len(m.results)-1), 0)
	case key.Matches(kp, k.Open):
		if m.resultsSel < len(m.results) {
			return openCrossingAction{id: m.results[m.resultsSel].CrossingID}
		}
	case key.Matches(kp, k.Search):
		return openDialogAction{newSearchDialog(m.sh)}
	case key.Matches(kp, k.Back):
		return backAction{}
	}
	return nil
}

func (m *Model) searchView() string {
	st := m.sh.Styles
	lines := []string{cut(st.Title.Render("SEARCH")+" — "+m.query.describe(), m.width), ""}
	switch {
	case m.searching:
		lines = append(lines, st.Dim.Render("  searching…"))
	case len(m.results) == 0:
		lines = append(lines, st.Dim.Render("  no crossing found"))
	}
	rows := max(m.height-len(lines), 1)
	first := 0
	if m.resultsSel >= rows {
		first = m.resultsSel - rows + 1
	}
	for i := first; i < len(m.results) && i < first+rows; i++ {
		lines = append(lines, m.summaryLine(m.results[i], i == m.resultsSel))
	}
	return strings.Join(lines, "\n")
}

// summaryLine is one crossing of a search result or a history list.
func (m *Model) summaryLine(s Summary, sel bool) string {
	st := m.sh.Styles
	plate := s.Plate
	if plate == "" {
		plate = "—"
	}
	line := s.At.Local().Format("2006-01-02 15:04") + "  " + pad(s.Port+" "+s.Lane, 10) + pad(plate, colPlate) +
		pad(names(s.Names), 26) + " " + outcomeText(s)
	if sel {
		return st.Selected.Render(pad("▸ "+line, m.width))
	}
	if s.Conflict {
		return st.Warn.Render(cut("  "+line, m.width))
	}
	return cut("  "+line, m.width)
}

// outcomeText is a crossing's outcome in words, flagging a conflict.
func outcomeText(s Summary) string {
	switch {
	case s.Conflict:
		return "⚠ CONFLICT: " + strings.Join(s.Outcomes, " vs ")
	case s.Outcome != "":
		if s.Referred {
			return s.Outcome + " (after secondary)"
		}
		return s.Outcome
	case s.Referred:
		return "in secondary"
	}
	return "open"
}
