package supervisor

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// formDialog is a titled column of text fields: tab and shift+tab move,
// enter submits (the fields are checked first and the dialog stays open
// saying what is wrong), esc cancels. The search and the audit log's filter
// are forms.
type formDialog struct {
	sh     *Shared
	title  string
	hint   string
	labels []string
	fields []textinput.Model
	focus  int
	err    string
	width  int
	// submit turns the fields' values into the action asked for, or says
	// what is wrong.
	submit func(values []string) (action, error)
}

func newForm(sh *Shared, title, hint string, submit func([]string) (action, error)) *formDialog {
	return &formDialog{sh: sh, title: title, hint: hint, submit: submit, width: 80}
}

// field adds a text field.
func (d *formDialog) field(label, placeholder, value string, limit int) *formDialog {
	in := d.sh.newInput("", placeholder, limit)
	in.SetValue(value)
	d.labels = append(d.labels, label)
	d.fields = append(d.fields, in)
	if len(d.fields) == 1 {
		d.fields[0].Focus()
	}
	return d
}

func (d *formDialog) SetSize(w, _ int) {
	d.width = w
	for i := range d.fields {
		d.fields[i].SetWidth(max(dialogWidth(w, 64)-20, 8))
	}
}

func (d *formDialog) ShortHelp() []key.Binding {
	k := d.sh.Keys
	return enabled(k.Confirm, k.NextField, k.Cancel)
}

func (d *formDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *formDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	k := d.sh.Keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, k.Confirm):
			vals := make([]string, len(d.fields))
			for i, f := range d.fields {
				vals[i] = strings.TrimSpace(f.Value())
			}
			a, err := d.submit(vals)
			if err != nil {
				d.err = err.Error()
				return nil, nil
			}
			return a, nil
		case key.Matches(kp, k.NextField):
			return nil, d.move(1)
		case key.Matches(kp, k.PrevField):
			return nil, d.move(-1)
		}
	}
	var cmd tea.Cmd
	d.fields[d.focus], cmd = d.fields[d.focus].Update(msg)
	return nil, cmd
}

func (d *formDialog) move(step int) tea.Cmd {
	d.fields[d.focus].Blur()
	d.focus = (d.focus + step + len(d.fields)) % len(d.fields)
	return d.fields[d.focus].Focus()
}

func (d *formDialog) View() string {
	st := d.sh.Styles
	w := dialogWidth(d.width, 64)
	lines := []string{st.Title.Render(d.title)}
	if d.hint != "" {
		lines = append(lines, st.Dim.Render(cut(d.hint, w-4)))
	}
	lines = append(lines, "")
	for i, f := range d.fields {
		marker := "  "
		if i == d.focus {
			marker = "▸ "
		}
		lines = append(lines, marker+st.Label.Render(pad(d.labels[i], 14))+f.View())
	}
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render(cut("✖ "+d.err, w-4)))
	}
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}
