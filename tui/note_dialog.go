package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// noteDialog adds a free-text note to the crossing.
type noteDialog struct {
	*common
	id    string
	in    textinput.Model
	err   string
	width int
}

func newNoteDialog(c *common, id string) *noteDialog {
	d := &noteDialog{common: c, id: id, in: c.newInput()}
	d.in.Prompt = "› "
	d.in.Placeholder = "note for the record"
	d.in.CharLimit = 1000
	d.in.Focus()
	return d
}

func (d *noteDialog) Crossing() string { return d.id }
func (d *noteDialog) SetSize(w, _ int) { d.width = w; d.in.SetWidth(dialogWidth(w, 70) - 8) }
func (d *noteDialog) ShortHelp() []key.Binding {
	return []key.Binding{d.keys.Confirm, d.keys.Cancel}
}
func (d *noteDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *noteDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, d.keys.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, d.keys.Confirm):
			text := strings.TrimSpace(d.in.Value())
			if text == "" {
				d.err = "the note is empty"
				return nil, nil
			}
			return noteAction{crossing: d.id, text: text}, nil
		}
	}
	var cmd tea.Cmd
	d.in, cmd = d.in.Update(msg)
	return nil, cmd
}

func (d *noteDialog) View() string {
	st := d.styles
	lines := []string{st.Title.Render("ADD NOTE"), "", d.in.View()}
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(dialogWidth(d.width, 70)).Render(strings.Join(lines, "\n"))
}

// xrayDialog records the baggage x-ray outcome (pedestrian counters).
type xrayDialog struct {
	*common
	id      string
	options []string
	cursor  int
	width   int
}

func newXrayDialog(c *common, id string) *xrayDialog {
	return &xrayDialog{common: c, id: id, options: []string{"clear", "inspect", "none"}}
}

func (d *xrayDialog) Crossing() string { return d.id }
func (d *xrayDialog) SetSize(w, _ int) { d.width = w }
func (d *xrayDialog) ShortHelp() []key.Binding {
	k := d.keys
	return []key.Binding{k.Confirm, k.Up, k.Down, k.Cancel}
}
func (d *xrayDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *xrayDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	k := d.keys
	switch {
	case key.Matches(kp, k.Cancel):
		return closeAction{}, nil
	case key.Matches(kp, k.Up):
		d.cursor = max(d.cursor-1, 0)
	case key.Matches(kp, k.Down):
		d.cursor = min(d.cursor+1, len(d.options)-1)
	case key.Matches(kp, k.Confirm):
		return xrayAction{crossing: d.id, outcome: d.options[d.cursor]}, nil
	}
	return nil, nil
}

func (d *xrayDialog) View() string {
	st := d.styles
	lines := []string{st.Title.Render("BAGGAGE X-RAY OUTCOME"), ""}
	for i, o := range d.options {
		if i == d.cursor {
			lines = append(lines, st.Selected.Render("▸ "+strings.ToUpper(o)))
		} else {
			lines = append(lines, "  "+strings.ToUpper(o))
		}
	}
	return st.Dialog.Width(dialogWidth(d.width, 40)).Render(strings.Join(lines, "\n"))
}
