package tui

import (
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// plateDialog confirms the plate read, picks a candidate, or corrects it.
// Its options follow the crossing live: a plate read that arrives while it
// is open is offered at once, and what is saved is computed against the
// vehicle as it is when the officer presses enter.
type plateDialog struct {
	*common
	cs *crossingState
	// sel is the plate the cursor is on; "" follows the reader's best.
	sel     string
	onInput bool
	in      textinput.Model
	err     string
	width   int
}

func newPlateDialog(c *common, cs *crossingState) *plateDialog {
	d := &plateDialog{common: c, cs: cs}
	d.in = c.newInput()
	d.in.Prompt = "correct: "
	d.in.Placeholder = "REGION/PLATE e.g. US-CA/7ABC123"
	d.in.CharLimit = 24
	if opts, _ := d.options(); len(opts) == 0 {
		d.onInput = true
		d.in.Focus()
	}
	return d
}

// options are the reader's best read and its candidates now, and the plate
// the officer picked even if a newer read no longer offers it.
func (d *plateDialog) options() (opts []records.PlateCandidate, region string) {
	if v := d.cs.c.Vehicle; v != nil {
		region = v.Region
		if v.Plate != "" {
			opts = append(opts, records.PlateCandidate{Plate: v.Plate, Confidence: v.Confidence})
		}
		for _, c := range v.Candidates {
			if c.Plate != v.Plate {
				opts = append(opts, c)
			}
		}
	}
	if d.sel != "" && d.index(opts) < 0 {
		opts = append(opts, records.PlateCandidate{Plate: d.sel})
	}
	return opts, region
}

func (d *plateDialog) index(opts []records.PlateCandidate) int {
	for i, o := range opts {
		if o.Plate == d.sel {
			return i
		}
	}
	return -1
}

// cursor is the line the officer is on; len(options) is the correction
// field.
func (d *plateDialog) cursor(opts []records.PlateCandidate) int {
	switch {
	case d.onInput:
		return len(opts)
	case d.sel == "":
		return 0
	}
	return max(d.index(opts), 0)
}

func (d *plateDialog) Crossing() string { return d.cs.id }
func (d *plateDialog) SetSize(w, _ int) { d.width = w; d.in.SetWidth(dialogWidth(w, 56) - 14) }
func (d *plateDialog) ShortHelp() []key.Binding {
	k := d.keys
	return []key.Binding{k.Confirm, k.Up, k.Down, k.Cancel}
}
func (d *plateDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *plateDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	k := d.keys
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil, nil
	}
	opts, _ := d.options()
	cur := d.cursor(opts)
	switch {
	case key.Matches(kp, k.Cancel):
		return closeAction{}, nil
	case key.Matches(kp, k.Confirm):
		return d.submit(), nil
	case key.Matches(kp, k.Up, k.PrevField) && !(d.onInput && kp.Text != ""):
		d.move(opts, max(cur-1, 0))
	case key.Matches(kp, k.Down, k.NextField) && !(d.onInput && kp.Text != ""):
		d.move(opts, min(cur+1, len(opts)))
	default:
		if d.onInput {
			var cmd tea.Cmd
			d.in, cmd = d.in.Update(msg)
			return nil, cmd
		}
		return nil, nil
	}
	if d.onInput {
		return nil, d.in.Focus()
	}
	d.in.Blur()
	return nil, nil
}

func (d *plateDialog) move(opts []records.PlateCandidate, to int) {
	d.onInput = to >= len(opts)
	if !d.onInput {
		d.sel = opts[to].Plate
	}
}

var plateRe = regexp.MustCompile(`^[A-Z0-9 -]{1,10}$`)

// submit computes the confirmation against the vehicle as it is now.
func (d *plateDialog) submit() action {
	opts, region := d.options()
	best := ""
	if v := d.cs.c.Vehicle; v != nil {
		best = v.Plate
	}
	var pc records.PlateConfirmed
	if d.onInput || len(opts) == 0 {
		v := strings.ToUpper(strings.TrimSpace(d.in.Value()))
		r, plate, ok := strings.Cut(v, "/")
		if !ok {
			r, plate = region, v
		}
		plate = strings.ReplaceAll(plate, " ", "")
		if r == "" || !plateRe.MatchString(plate) {
			d.err = "type REGION/PLATE, e.g. US-CA/7ABC123"
			return nil
		}
		pc = records.PlateConfirmed{Plate: plate, Region: r, Corrected: true}
	} else {
		o := opts[d.cursor(opts)]
		if region == "" {
			d.err = "no region read: type REGION/PLATE in the correction field"
			return nil
		}
		pc = records.PlateConfirmed{Plate: o.Plate, Region: region, Corrected: o.Plate != best}
	}
	return plateAction{crossing: d.cs.id, pc: pc}
}

func (d *plateDialog) View() string {
	st := d.styles
	opts, region := d.options()
	cur := d.cursor(opts)
	best := ""
	if v := d.cs.c.Vehicle; v != nil {
		best = v.Plate
	}
	lines := []string{st.Title.Render("CONFIRM OR CORRECT PLATE"), ""}
	for i, o := range opts {
		line := o.Plate + "  " + region
		if o.Confidence > 0 {
			line += "  " + itoa(int(o.Confidence+0.5)) + "%"
		}
		switch {
		case o.Plate == best:
			line += "  (reader's best)"
		case i == len(opts)-1 && o.Plate == d.sel && o.Confidence == 0:
			line += "  (no longer read)"
		}
		if i == cur {
			lines = append(lines, st.Selected.Render("▸ "+line))
		} else {
			lines = append(lines, "  "+line)
		}
	}
	marker := "  "
	if d.onInput {
		marker = "▸ "
	}
	lines = append(lines, marker+d.in.View())
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(dialogWidth(d.width, 56)).Render(strings.Join(lines, "\n"))
}
