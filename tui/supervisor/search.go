package supervisor

import (
	"errors"
	"fmt"
	"github.com/portofentry/booth/records"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/tui/secondary"
)

// The search: by document number, name + birth date, plate, and a date
// range (alone or narrowing the others). Every search is audited with its
// terms.

const dateLayout = "2006-01-02"

func newSearchDialog(sh *Shared) *formDialog {
	return newForm(sh, "SEARCH CROSSINGS", "document, name + birth date or plate; dates narrow (or list a range)",
		func(v []string) (action, error) {
			t, err := parseSearch(v[0], v[1], v[2], v[3], v[4], v[5])
			if err != nil {
				return nil, err
			}
			return searchAction{q: t}, nil
		}).
		field("document", "number", "", 20).
		field("surname", "SURNAME", "", 40).
		field("birth date", "YYYY-MM-DD", "", 10).
		field("plate", "REGION/PLATE or PLATE", "", 20).
		field("from", "YYYY-MM-DD", "", 10).
		field("to", "YYYY-MM-DD (inclusive)", "", 10)
}

// parseSearch checks a search's fields and builds its terms: a surname
// needs a birth date and the other way round, dates are YYYY-MM-DD in the
// workstation's zone with "to" inclusive, and something must be asked.
func parseSearch(document, surname, birth, plate, from, to string) (records.SearchTerms, error) {
	var t records.SearchTerms
	t.Document = strings.ToUpper(strings.Join(strings.Fields(document), ""))
	t.Surname = strings.ToUpper(strings.Join(strings.Fields(surname), " "))
	t.BirthDate = strings.TrimSpace(birth)
	if p := strings.ToUpper(strings.Join(strings.Fields(plate), "")); p != "" {
		if region, num, ok := strings.Cut(p, "/"); ok {
			t.Region, t.Plate = region, num
		} else {
			t.Plate = p
		}
		if t.Plate == "" {
			return records.SearchTerms{}, errors.New("plate: give the plate after the region (CA/7ABC123)")
		}
	}
	if (t.Surname == "") != (t.BirthDate == "") {
		return records.SearchTerms{}, errors.New("a name search needs both surname and birth date")
	}
	if t.BirthDate != "" {
		if _, err := time.Parse(dateLayout, t.BirthDate); err != nil {
			return records.SearchTerms{}, fmt.Errorf("birth date %q: use YYYY-MM-DD", t.BirthDate)
		}
	}
	var err error
	if t.From, err = parseDate("from", from, false); err != nil {
		return records.SearchTerms{}, err
	}
	if t.To, err = parseDate("to", to, true); err != nil {
		return records.SearchTerms{}, err
	}
	if !t.From.IsZero() && !t.To.IsZero() && t.To.Before(t.From) {
		return records.SearchTerms{}, errors.New("the range ends before it starts")
	}
	if t.Document == "" && t.Surname == "" && t.Plate == "" && t.From.IsZero() && t.To.IsZero() {
		return records.SearchTerms{}, errors.New("give a document, a name with birth date, a plate or a date range")
	}
	if err := t.Validate(); err != nil {
		return records.SearchTerms{}, err
	}
	return t, nil
}

// parseDate reads a YYYY-MM-DD date at local midnight; end gives the next
// midnight (the range is [From, To): the day typed is included). "" is no
// bound.
func parseDate(name, s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.ParseInLocation(dateLayout, s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: use YYYY-MM-DD", name, s)
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, nil
}

// searchKey handles a key on the search results.
func (m *Model) searchKey(kp tea.KeyPressMsg) action {
	k := m.sh.Keys
	switch {
	case key.Matches(kp, k.Up):
		m.resultsSel = max(m.resultsSel-1, 0)
	case key.Matches(kp, k.Down):
		m.resultsSel = max(min(m.resultsSel+1, len(m.results)-1), 0)
	case key.Matches(kp, k.PageUp):
		m.resultsSel = max(m.resultsSel-m.listRows(), 0)
	case key.Matches(kp, k.PageDown):
		m.resultsSel = max(min(m.resultsSel+m.listRows(), len(m.results)-1), 0)
	case key.Matches(kp, k.Open):
		if m.resultsSel < len(m.results) {
			return openCrossingAction{id: m.results[m.resultsSel].CrossingID}
		}
		return statusAction{text: "nothing to open"}
	case key.Matches(kp, k.Search):
		return openDialogAction{newSearchDialog(m.sh)}
	case key.Matches(kp, k.AuditLog):
		return openDialogAction{newAuditDialog(m.sh, m.filter)}
	case key.Matches(kp, k.Back):
		return backAction{}
	}
	return nil
}

// listRows is how many list lines fit under a list screen's title lines.
func (m *Model) listRows() int { return max(m.height-3, 1) }

func (m *Model) searchView() string {
	st := m.sh.Styles
	lines := []string{cut(st.Title.Render("SEARCH")+" — "+m.query.String(), m.width)}
	switch {
	case m.searching:
		lines = append(lines, "", st.Dim.Render("  searching…"))
	case len(m.results) == 0:
		lines = append(lines, "", st.Dim.Render("  no crossing found"))
	default:
		dw, nw := m.summaryWidths()
		lines = append(lines, st.Dim.Render(fmt.Sprintf("%d found, newest first", len(m.results))),
			st.Label.Render(cut("  "+pad("opened", dw)+pad("port lane", 10)+pad("plate", 15)+pad("travellers", nw+1)+"outcome", m.width)))
	}
	rows := m.listRows()
	first := 0
	if m.resultsSel >= rows {
		first = m.resultsSel - rows + 1
	}
	for i := first; i < len(m.results) && i < first+rows; i++ {
		lines = append(lines, m.summaryLine(m.results[i], i == m.resultsSel))
	}
	return strings.Join(lines, "\n")
}

// summaryLine is one crossing of a search result.
func (m *Model) summaryLine(s secondary.Summary, sel bool) string {
	st := m.sh.Styles
	plate := s.Plate
	if plate == "" {
		plate = "—"
	}
	dw, nw := m.summaryWidths()
	layout := "2006-01-02 15:04"
	if dw < 18 {
		layout = "06-01-02 15:04"
	}
	line := pad(s.At.Local().Format(layout), dw) + pad(s.Port+" "+s.Lane, 10) + pad(plate, 15) +
		pad(names(s.Names), nw) + " " + outcomeText(s)
	if sel {
		return st.Selected.Render(pad("▸ "+line, m.width))
	}
	if s.Conflict {
		return st.Warn.Render(cut("  "+line, m.width))
	}
	return cut("  "+line, m.width)
}

// summaryWidths are the date and names columns: narrower on a narrow
// terminal, so the outcome keeps room.
func (m *Model) summaryWidths() (date, names int) {
	if m.width < 100 {
		return 16, 16
	}
	return 18, 30
}

// outcomeText is a crossing's outcome in words, flagging a conflict.
func outcomeText(s secondary.Summary) string {
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
