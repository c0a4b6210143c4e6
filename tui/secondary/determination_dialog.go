package secondary

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// determinationDialog records the final determination: admitted, refused,
// withdrawn, turned over to another agency (which), released; with a note.
// It reads the open crossing live: an RPM alarm still unadjudicated makes
// "admitted" unavailable and says why, and when the crossing already has a
// determination the new one is a correction that names the one it
// supersedes.
type determinationDialog struct {
	*Shared
	cs       *crossingState
	outcomes []records.Outcome
	cursor   int
	part     detPart
	agency   textinput.Model
	note     textinput.Model
	// supCur is the determination (among cs's current ones) the
	// correction supersedes.
	supCur int
	err    string
	width  int
}

type detPart int

const (
	partOutcome detPart = iota
	partAgency
	partNote
	partSupersedes
)

func newDeterminationDialog(sh *Shared, cs *crossingState) *determinationDialog {
	d := &determinationDialog{Shared: sh, cs: cs, outcomes: records.SecondaryOutcomes()}
	d.agency = sh.newInput("agency: ", strings.Join(records.Agencies()[:4], ", ")+"…", 80)
	d.note = sh.newInput("note:   ", "for the record", 1000)
	return d
}

func (d *determinationDialog) Crossing() string { return d.cs.id }

func (d *determinationDialog) SetSize(w, _ int) {
	d.width = w
	d.agency.SetWidth(dialogWidth(w, 74) - 14)
	d.note.SetWidth(dialogWidth(w, 74) - 14)
}

func (d *determinationDialog) ShortHelp() []key.Binding {
	k := d.Keys
	return []key.Binding{k.Confirm, k.Up, k.Down, k.NextField, k.Cancel}
}
func (d *determinationDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// parts are the focusable parts in tab order as things stand.
func (d *determinationDialog) parts() []detPart {
	ps := []detPart{partOutcome}
	if d.outcomes[d.cursor] == records.OutcomeTurnedOver {
		ps = append(ps, partAgency)
	}
	ps = append(ps, partNote)
	if len(d.cs.current()) > 0 {
		ps = append(ps, partSupersedes)
	}
	return ps
}

func (d *determinationDialog) move(step int) tea.Cmd {
	ps := d.parts()
	i := 0
	for j, p := range ps {
		if p == d.part {
			i = j
		}
	}
	d.part = ps[(i+step+len(ps))%len(ps)]
	d.agency.Blur()
	d.note.Blur()
	switch d.part {
	case partAgency:
		return d.agency.Focus()
	case partNote:
		return d.note.Focus()
	}
	return nil
}

func (d *determinationDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	k := d.Keys
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, k.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, k.Confirm):
			return d.submit(), nil
		case key.Matches(kp, k.NextField):
			return nil, d.move(1)
		case key.Matches(kp, k.PrevField):
			return nil, d.move(-1)
		}
		switch d.part {
		case partOutcome:
			switch {
			case key.Matches(kp, k.Up):
				d.cursor = max(d.cursor-1, 0)
			case key.Matches(kp, k.Down):
				d.cursor = min(d.cursor+1, len(d.outcomes)-1)
			}
			d.err = ""
			return nil, nil
		case partSupersedes:
			switch {
			case key.Matches(kp, k.Up):
				d.supCur = max(d.supCur-1, 0)
			case key.Matches(kp, k.Down):
				d.supCur = min(d.supCur+1, len(d.cs.current())-1)
			}
			return nil, nil
		}
	}
	var cmd tea.Cmd
	switch d.part {
	case partAgency:
		d.agency, cmd = d.agency.Update(msg)
	case partNote:
		d.note, cmd = d.note.Update(msg)
	}
	return nil, cmd
}

// submit builds the determination from the crossing as it is now.
func (d *determinationDialog) submit() action {
	o := d.outcomes[d.cursor]
	det := records.Determination{Outcome: o, Note: strings.TrimSpace(d.note.Value())}
	if o == records.OutcomeTurnedOver {
		det.Agency = strings.TrimSpace(d.agency.Value())
	}
	if o == records.OutcomeAdmitted {
		if why := d.cs.admitBlocked(); why != "" {
			d.err = "cannot admit: " + why
			return nil
		}
	}
	if cur := d.cs.current(); len(cur) > 0 {
		det.Supersedes = cur[min(d.supCur, len(cur)-1)].EventID
	}
	if err := det.Validate(); err != nil {
		d.err = strings.TrimPrefix(err.Error(), records.ErrInvalidPayload.Error()+": ")
		return nil
	}
	return determineAction{crossing: d.cs.id, det: det}
}

func (d *determinationDialog) View() string {
	st := d.Styles
	w := dialogWidth(d.width, 74)
	cur := d.cs.current()
	title := "FINAL DETERMINATION"
	if len(cur) > 0 {
		title = "CORRECT THE DETERMINATION"
	}
	lines := []string{st.Title.Render(title), ""}
	blocked := d.cs.admitBlocked()
	for i, o := range d.outcomes {
		mark := "( )"
		if i == d.cursor {
			mark = "(•)"
		}
		line := mark + " " + o.Label()
		if o == records.OutcomeAdmitted && blocked != "" {
			line += " — ✖ not available (why below)"
		}
		switch {
		case i == d.cursor && d.part == partOutcome:
			line = st.Selected.Render(cut("▸ "+line, w-4))
		case o == records.OutcomeAdmitted && blocked != "":
			line = st.Dim.Render(cut("  "+line, w-4))
		default:
			line = "  " + line
		}
		lines = append(lines, line)
	}
	if blocked != "" {
		lines = append(lines, st.Warn.Render("✖ admitted: "+blocked))
	}
	lines = append(lines, "")
	if d.outcomes[d.cursor] == records.OutcomeTurnedOver {
		lines = append(lines, d.agency.View(), st.Dim.Render("  e.g. "+strings.Join(records.Agencies(), ", ")))
	}
	lines = append(lines, d.note.View())
	if len(cur) > 0 {
		lines = append(lines, "", st.Label.Render("Supersedes (the determination this corrects):"))
		for i, s := range cur {
			mark := "( )"
			if i == min(d.supCur, len(cur)-1) {
				mark = "(•)"
			}
			line := mark + " " + detText(s.Value) + " — " + s.By() + " " + clock(s.At, d.Now())
			if d.part == partSupersedes && i == d.supCur {
				line = st.Selected.Render(cut("▸ "+line, w-4))
			} else {
				line = "  " + line
			}
			lines = append(lines, line)
		}
	}
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

// detText is a determination in words: "Turned over to another agency: HSI".
func detText(d records.Determination) string {
	s := d.Outcome.Label()
	if d.Agency != "" {
		s += ": " + d.Agency
	}
	return s
}
