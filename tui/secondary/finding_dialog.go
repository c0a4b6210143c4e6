package secondary

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// findingDialog records a secondary finding: the category (vehicle, person or
// baggage search, seizure, interview, document examination), for a seizure
// the item and quantity, and free text.
type findingDialog struct {
	*Shared
	id     string
	cats   []records.FindingCategory
	cursor int
	// field is the focused part: 0 the category list, then the inputs.
	field    int
	item     textinput.Model
	quantity textinput.Model
	text     textinput.Model
	err      string
	width    int
}

func newFindingDialog(sh *Shared, id string) *findingDialog {
	d := &findingDialog{Shared: sh, id: id, cats: records.FindingCategories()}
	d.item = sh.newInput("item:     ", "what was seized", 200)
	d.quantity = sh.newInput("quantity: ", "with its unit: 2.3 kg, 12000 USD, 3", 60)
	d.text = sh.newInput("text:     ", "what was done and found", 1000)
	return d
}

func (d *findingDialog) Crossing() string { return d.id }

func (d *findingDialog) SetSize(w, _ int) {
	d.width = w
	iw := dialogWidth(w, 72) - 16
	d.item.SetWidth(iw)
	d.quantity.SetWidth(iw)
	d.text.SetWidth(iw)
}

func (d *findingDialog) ShortHelp() []key.Binding {
	k := d.Keys
	return []key.Binding{k.Confirm, k.Up, k.Down, k.NextField, k.Cancel}
}

func (d *findingDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// inputs are the text fields in tab order: item and quantity only for a
// seizure.
func (d *findingDialog) inputs() []*textinput.Model {
	if d.cats[d.cursor] == records.FindingSeizure {
		return []*textinput.Model{&d.item, &d.quantity, &d.text}
	}
	return []*textinput.Model{&d.text}
}

func (d *findingDialog) focus(n int) tea.Cmd {
	ins := d.inputs()
	d.field = ((n % (len(ins) + 1)) + len(ins) + 1) % (len(ins) + 1)
	var cmd tea.Cmd
	for i, in := range ins {
		if i+1 == d.field {
			cmd = in.Focus()
		} else {
			in.Blur()
		}
	}
	return cmd
}

func (d *findingDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	k := d.Keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, k.Confirm):
			return d.submit(), nil
		case key.Matches(kp, k.NextField):
			return nil, d.focus(d.field + 1)
		case key.Matches(kp, k.PrevField):
			return nil, d.focus(d.field - 1)
		}
		if d.field == 0 {
			switch {
			case key.Matches(kp, k.Up):
				d.cursor = max(d.cursor-1, 0)
			case key.Matches(kp, k.Down):
				d.cursor = min(d.cursor+1, len(d.cats)-1)
			}
			return nil, nil
		}
	}
	ins := d.inputs()
	if d.field < 1 || d.field > len(ins) {
		return nil, nil
	}
	var cmd tea.Cmd
	*ins[d.field-1], cmd = ins[d.field-1].Update(msg)
	return nil, cmd
}

func (d *findingDialog) submit() action {
	f := records.SecondaryFinding{Category: d.cats[d.cursor], Text: strings.TrimSpace(d.text.Value())}
	if f.Category == records.FindingSeizure {
		f.Item = strings.TrimSpace(d.item.Value())
		f.Quantity = strings.TrimSpace(d.quantity.Value())
	}
	if err := f.Validate(); err != nil {
		d.err = strings.TrimPrefix(err.Error(), records.ErrInvalidPayload.Error()+": ")
		return nil
	}
	return findingAction{crossing: d.id, finding: f}
}

func (d *findingDialog) View() string {
	st := d.Styles
	lines := []string{st.Title.Render("SECONDARY FINDING"), ""}
	for i, c := range d.cats {
		mark := "( )"
		if i == d.cursor {
			mark = "(•)"
		}
		line := mark + " " + c.Label()
		if i == d.cursor && d.field == 0 {
			lines = append(lines, st.Selected.Render("▸ "+line))
		} else {
			lines = append(lines, "  "+line)
		}
	}
	lines = append(lines, "")
	for _, in := range d.inputs() {
		lines = append(lines, in.View())
	}
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(dialogWidth(d.width, 72)).Render(strings.Join(lines, "\n"))
}
