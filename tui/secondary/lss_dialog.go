package secondary

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// lssRequestDialog asks LSS reachback about one RPM alarm (an occupancy).
type lssRequestDialog struct {
	*Shared
	id        string
	occupancy int
	alarm     string // the alarm as the crossing shows it
	note      textinput.Model
	width     int
}

func newLSSRequestDialog(sh *Shared, id string, occupancy int, alarm string) *lssRequestDialog {
	d := &lssRequestDialog{Shared: sh, id: id, occupancy: occupancy, alarm: alarm}
	d.note = sh.newInput("note: ", "spectrum file sent, cargo declared as…", 500)
	d.note.Focus()
	return d
}

func (d *lssRequestDialog) Crossing() string { return d.id }
func (d *lssRequestDialog) SetSize(w, _ int) { d.width = w; d.note.SetWidth(dialogWidth(w, 70) - 12) }
func (d *lssRequestDialog) ShortHelp() []key.Binding {
	return []key.Binding{d.Keys.Confirm, d.Keys.Cancel}
}
func (d *lssRequestDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *lssRequestDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, d.Keys.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, d.Keys.Confirm):
			return lssRequestAction{crossing: d.id, req: records.LSSRequested{Occupancy: d.occupancy, Note: strings.TrimSpace(d.note.Value())}}, nil
		}
	}
	var cmd tea.Cmd
	d.note, cmd = d.note.Update(msg)
	return nil, cmd
}

func (d *lssRequestDialog) View() string {
	st := d.Styles
	lines := []string{st.Title.Render("LSS REACHBACK — REQUEST"), "",
		"RPM alarm, occupancy #" + strconv.Itoa(d.occupancy),
		st.Dim.Render(d.alarm), "", d.note.View(), "",
		st.Dim.Render("enter records the request; record LSS's answer with the same key when it comes")}
	return st.Dialog.Width(dialogWidth(d.width, 70)).Render(strings.Join(lines, "\n"))
}

// lssAnswerDialog records LSS's answer to a request: the isotopes it
// identified (several may be ticked) and exactly one adjudication code,
// offered in the five groups of the alarm station.
type lssAnswerDialog struct {
	*Shared
	id        string
	occupancy int
	isotopes  []records.Isotope
	ticked    map[records.Isotope]bool
	codes     []records.AdjudicationCode
	// part is the focused part: 0 isotopes, 1 codes, 2 note.
	part    int
	isoCur  int
	codeCur int
	code    records.AdjudicationCode // chosen, 0 none yet
	note    textinput.Model
	err     string
	width   int
	height  int
	perRow  int
	compact bool
}

func newLSSAnswerDialog(sh *Shared, id string, occupancy int) *lssAnswerDialog {
	d := &lssAnswerDialog{Shared: sh, id: id, occupancy: occupancy, isotopes: records.Isotopes(),
		ticked: map[records.Isotope]bool{}, perRow: 4}
	for _, g := range records.AdjudicationGroups() {
		d.codes = append(d.codes, g.Codes...)
	}
	d.note = sh.newInput("note: ", "LSS scientist, reference, what was said", 500)
	return d
}

func (d *lssAnswerDialog) Crossing() string { return d.id }

func (d *lssAnswerDialog) SetSize(w, h int) {
	d.width, d.height = w, h
	d.note.SetWidth(dialogWidth(w, 76) - 12)
	d.perRow = max((dialogWidth(w, 76)-4)/14, 2)
	// Below ~26 rows the blank separators go.
	d.compact = h < 26
}

func (d *lssAnswerDialog) ShortHelp() []key.Binding {
	k := d.Keys
	return []key.Binding{k.Confirm, k.Toggle, k.NextField, k.Cancel}
}
func (d *lssAnswerDialog) FullHelp() [][]key.Binding {
	k := d.Keys
	return [][]key.Binding{{k.Confirm, k.Cancel}, {k.Up, k.Down, k.Toggle, k.NextField, k.PrevField}}
}

func (d *lssAnswerDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	k := d.Keys
	kp, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		switch {
		case key.Matches(kp, k.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, k.Confirm):
			return d.submit(), nil
		case key.Matches(kp, k.NextField):
			return nil, d.setPart((d.part + 1) % 3)
		case key.Matches(kp, k.PrevField):
			return nil, d.setPart((d.part + 2) % 3)
		}
		switch d.part {
		case 0:
			n := len(d.isotopes)
			switch {
			case key.Matches(kp, k.Up):
				d.isoCur = max(d.isoCur-d.perRow, 0)
			case key.Matches(kp, k.Down):
				d.isoCur = min(d.isoCur+d.perRow, n-1)
			case kp.String() == "left":
				d.isoCur = max(d.isoCur-1, 0)
			case kp.String() == "right":
				d.isoCur = min(d.isoCur+1, n-1)
			case key.Matches(kp, k.Toggle):
				iso := d.isotopes[d.isoCur]
				d.ticked[iso] = !d.ticked[iso]
				d.err = ""
			}
			return nil, nil
		case 1:
			switch {
			case key.Matches(kp, k.Up):
				d.codeCur = max(d.codeCur-1, 0)
			case key.Matches(kp, k.Down):
				d.codeCur = min(d.codeCur+1, len(d.codes)-1)
			case key.Matches(kp, k.Toggle):
				d.code = d.codes[d.codeCur]
				d.err = ""
			}
			return nil, nil
		}
	}
	if d.part != 2 {
		return nil, nil
	}
	var cmd tea.Cmd
	d.note, cmd = d.note.Update(msg)
	return nil, cmd
}

func (d *lssAnswerDialog) setPart(p int) tea.Cmd {
	d.part = p
	if p == 2 {
		return d.note.Focus()
	}
	d.note.Blur()
	return nil
}

// chosen is the ticked isotopes in the list's order.
func (d *lssAnswerDialog) chosen() []records.Isotope {
	var out []records.Isotope
	for _, iso := range d.isotopes {
		if d.ticked[iso] {
			out = append(out, iso)
		}
	}
	return out
}

func (d *lssAnswerDialog) submit() action {
	code := d.code
	if code == 0 && d.part == 1 {
		// Enter on a code chooses it: the usual way to finish.
		code = d.codes[d.codeCur]
	}
	a := records.LSSAnswered{Occupancy: d.occupancy, Isotopes: d.chosen(), Code: code, Note: strings.TrimSpace(d.note.Value())}
	if err := a.Validate(); err != nil {
		d.err = strings.TrimPrefix(err.Error(), records.ErrInvalidPayload.Error()+": ")
		return nil
	}
	return lssAnswerAction{crossing: d.id, ans: a}
}

func (d *lssAnswerDialog) View() string {
	st := d.Styles
	w := dialogWidth(d.width, 76)
	gap := func(lines []string) []string {
		if d.compact {
			return lines
		}
		return append(lines, "")
	}
	lines := []string{st.Title.Render("LSS REACHBACK — ANSWER for occupancy #" + strconv.Itoa(d.occupancy))}
	lines = gap(lines)
	head := "Isotopes (space ticks, several allowed)"
	if d.part == 0 {
		head = "▸ " + head
	}
	lines = append(lines, st.Label.Render(head))
	var row []string
	for i, iso := range d.isotopes {
		box := "[ ]"
		if d.ticked[iso] {
			box = "[x]"
		}
		cell := pad(box+" "+string(iso), 13)
		if d.part == 0 && i == d.isoCur {
			cell = st.Selected.Render(cell)
		}
		row = append(row, cell)
		if len(row) == d.perRow || i == len(d.isotopes)-1 {
			lines = append(lines, " "+strings.Join(row, " "))
			row = nil
		}
	}
	lines = gap(lines)
	head = "Adjudication code (one)"
	if d.part == 1 {
		head = "▸ " + head
	}
	lines = append(lines, st.Label.Render(head))
	group := ""
	for i, c := range d.codes {
		g := ""
		if c.Group() != group {
			group = c.Group()
			g = group
		}
		mark := "( )"
		if c == d.code {
			mark = "(•)"
		}
		line := pad(g, 20) + mark + " " + pad2(int(c)) + " " + c.Label()
		if d.part == 1 && i == d.codeCur {
			line = st.Selected.Render(pad(line, w-6))
		}
		lines = append(lines, " "+line)
	}
	lines = gap(lines)
	lines = append(lines, d.note.View())
	if d.err != "" {
		lines = append(lines, st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}
