package secondary

import (
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// searchDialog asks what to search the replica for, in one line: a document
// number or a plate ("G12345678", "7ABC123"), or a surname and a birth date
// ("GARCIA 1984-03-17").
type searchDialog struct {
	*Shared
	in    textinput.Model
	err   string
	width int
}

func newSearchDialog(sh *Shared) *searchDialog {
	d := &searchDialog{Shared: sh}
	d.in = sh.newInput("/ ", "document number · plate · SURNAME YYYY-MM-DD", 80)
	d.in.Focus()
	return d
}

func (d *searchDialog) Crossing() string { return "" }
func (d *searchDialog) SetSize(w, _ int) { d.width = w; d.in.SetWidth(dialogWidth(w, 70) - 8) }
func (d *searchDialog) ShortHelp() []key.Binding {
	return []key.Binding{d.Keys.Confirm, d.Keys.Cancel}
}
func (d *searchDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *searchDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, d.Keys.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, d.Keys.Confirm):
			q, err := parseQuery(d.in.Value())
			if err != "" {
				d.err = err
				return nil, nil
			}
			return searchAction{q: q}, nil
		}
	}
	var cmd tea.Cmd
	d.in, cmd = d.in.Update(msg)
	return nil, cmd
}

func (d *searchDialog) View() string {
	st := d.Styles
	lines := []string{st.Title.Render("SEARCH"), "", d.in.View(), "",
		st.Dim.Render("a document number or a plate: G12345678 · 7ABC123"),
		st.Dim.Render("a name and birth date:        GARCIA 1984-03-17")}
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(dialogWidth(d.width, 70)).Render(strings.Join(lines, "\n"))
}

var birthDate = regexp.MustCompile(`\b(\d{4}-\d{2}-\d{2})\b`)

// parseQuery reads one line of search terms: a birth date makes it a name
// search (the rest is the surname); otherwise the term is looked up both as a
// document number and as a plate. The second result is why the line cannot
// be searched ("" when it can).
func parseQuery(s string) (Query, string) {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return Query{}, "type what to search for"
	}
	if m := birthDate.FindStringSubmatchIndex(s); m != nil {
		dob := s[m[2]:m[3]]
		name := strings.TrimSpace(strings.Trim(s[:m[0]]+" "+s[m[1]:], ", "))
		name = strings.Join(strings.Fields(strings.ReplaceAll(name, ",", " ")), " ")
		if name == "" {
			return Query{}, "a birth date searches with a surname: GARCIA 1984-03-17"
		}
		return Query{Surname: name, BirthDate: dob}, ""
	}
	term := strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "-", "")
	if len(term) < 3 {
		return Query{}, "give at least 3 characters of a document number or plate"
	}
	if strings.ContainsAny(term, ",.;") {
		return Query{}, "a name needs a birth date (SURNAME YYYY-MM-DD); a number or plate has no punctuation"
	}
	return Query{Document: term, Plate: term}, ""
}

// describe is the query as the results title shows it.
func (q Query) describe() string {
	switch {
	case q.Surname != "":
		return q.Surname + " born " + q.BirthDate
	case q.Document != "" && q.Plate != "":
		return "document or plate " + q.Document
	case q.Document != "":
		return "document " + q.Document
	}
	return "plate " + q.Plate
}
