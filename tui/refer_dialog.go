package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// referDialog sends the crossing to secondary with reason codes and a note.
// The reasons follow the crossing live: an alarm or a lookout that arrives
// while the dialog is open is ticked at once, and what is sent is computed
// when the officer presses enter.
type referDialog struct {
	*common
	cs *crossingState
	// choice holds the ticks the officer changed; the others follow the
	// crossing's alerts.
	choice map[string]bool
	cursor int
	note   textinput.Model
	inNote bool
	err    string
	width  int
}

type referReason struct{ code, label string }

var referReasons = []referReason{
	{records.ReasonRPMAlarm, "radiation portal alarm"},
	{records.ReasonLookout, "lookout hit"},
	{records.ReasonDocument, "document problem"},
	{records.ReasonIdentity, "identity / face mismatch"},
	{records.ReasonImmigration, "admissibility / status"},
	{records.ReasonCustoms, "customs / contraband"},
	{records.ReasonAgriculture, "agriculture"},
	{records.ReasonRandom, "random compliance exam"},
	{records.ReasonOther, "other (see note)"},
}

// mandatoryReasons are the referral reasons the crossing's state makes
// compulsory, with why: an RPM alarm, and a lookout hit whose instruction is
// to refer. They are always sent and cannot be unticked.
func mandatoryReasons(cs *crossingState) map[string]string {
	out := map[string]string{}
	for _, a := range cs.c.Alerts {
		if a.Type == records.AlertRPM || a.ForcesReferral {
			out[records.ReasonRPMAlarm] = "an RPM alarm must stay among the reasons"
		}
	}
	for _, e := range cs.events {
		if e.Kind != records.KindReferenceChecked {
			continue
		}
		p, err := e.Decode()
		if err != nil {
			continue
		}
		rc, ok := p.(*records.ReferenceChecked)
		if !ok {
			continue
		}
		for _, h := range rc.Hits {
			if h.Type == records.HitLookout && instructsReferral(h.Instruction) {
				out[records.ReasonLookout] = "a lookout that says refer must stay among the reasons"
			}
		}
	}
	return out
}

// instructsReferral reports whether a lookout's instruction tells the
// officer to refer: one of its sentences is an unconditional "Refer …"
// ("Refer to secondary.", "Refer vehicle to secondary for examination."),
// not "no referral required" or "refer if unclear".
func instructsReferral(instruction string) bool {
	for _, s := range strings.FieldsFunc(strings.ToLower(instruction), func(r rune) bool { return r == '.' || r == ';' || r == '!' }) {
		s = strings.TrimSpace(s)
		if (s == "refer" || strings.HasPrefix(s, "refer ")) && !strings.Contains(" "+s+" ", " if ") && !strings.Contains(" "+s+" ", " unless ") {
			return true
		}
	}
	return false
}

// suggestedReasons are the reasons the crossing's alerts point to; they are
// ticked until the officer unticks them.
func suggestedReasons(c *records.Crossing) map[string]bool {
	pre := map[string]bool{}
	for _, a := range c.Alerts {
		switch a.Type {
		case records.AlertRPM:
			pre[records.ReasonRPMAlarm] = true
		case records.AlertLookout, records.AlertPlate:
			pre[records.ReasonLookout] = true
		case records.AlertLostStolen, records.AlertExpired, records.AlertMRZCheck:
			pre[records.ReasonDocument] = true
		case records.AlertFaceNoMatch:
			pre[records.ReasonIdentity] = true
		case records.AlertStatus:
			pre[records.ReasonImmigration] = true
		}
	}
	return pre
}

// referCodes is the union of the chosen and the mandatory reasons, in the
// dialog's order.
func referCodes(chosen []string, mandatory map[string]string) []string {
	var codes []string
	for _, r := range referReasons {
		if _, must := mandatory[r.code]; must || contains(chosen, r.code) {
			codes = append(codes, r.code)
		}
	}
	return codes
}

func newReferDialog(c *common, cs *crossingState) *referDialog {
	d := &referDialog{common: c, cs: cs, choice: map[string]bool{}}
	d.note = c.newInput()
	d.note.Prompt = "note: "
	d.note.Placeholder = "what secondary should know"
	d.note.CharLimit = 500
	return d
}

func (d *referDialog) Crossing() string { return d.cs.id }
func (d *referDialog) SetSize(w, _ int) { d.width = w; d.note.SetWidth(dialogWidth(w, 70) - 12) }
func (d *referDialog) ShortHelp() []key.Binding {
	k := d.keys
	return []key.Binding{k.Confirm, k.Toggle, k.NextField, k.Cancel}
}
func (d *referDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

// ticked is every reason ticked now: mandatory, chosen, or suggested by the
// alerts and not unticked.
func (d *referDialog) ticked() (codes []string, mandatory map[string]string) {
	mandatory = mandatoryReasons(d.cs)
	suggested := suggestedReasons(d.cs.c)
	for _, r := range referReasons {
		on, chosen := d.choice[r.code]
		if !chosen {
			on = suggested[r.code]
		}
		if _, must := mandatory[r.code]; must || on {
			codes = append(codes, r.code)
		}
	}
	return codes, mandatory
}

func (d *referDialog) Update(msg tea.Msg) (action, tea.Cmd) {
	k := d.keys
	kp, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		switch {
		case key.Matches(kp, k.Cancel):
			return closeAction{}, nil
		case key.Matches(kp, k.Confirm):
			return d.submit(), nil
		case key.Matches(kp, k.NextField, k.PrevField):
			d.inNote = !d.inNote
			if d.inNote {
				return nil, d.note.Focus()
			}
			d.note.Blur()
			return nil, nil
		}
		if !d.inNote {
			switch {
			case key.Matches(kp, k.Up):
				d.cursor = max(d.cursor-1, 0)
			case key.Matches(kp, k.Down):
				d.cursor = min(d.cursor+1, len(referReasons)-1)
			case key.Matches(kp, k.Toggle):
				code := referReasons[d.cursor].code
				codes, mandatory := d.ticked()
				if why, must := mandatory[code]; must {
					d.err = why
					return nil, nil
				}
				d.choice[code] = !contains(codes, code)
			}
			return nil, nil
		}
	}
	var cmd tea.Cmd
	d.note, cmd = d.note.Update(msg)
	return nil, cmd
}

// submit computes the referral from the crossing's state now.
func (d *referDialog) submit() action {
	codes, _ := d.ticked()
	note := strings.TrimSpace(d.note.Value())
	switch {
	case len(codes) == 0:
		d.err = "choose at least one reason"
		return nil
	case contains(codes, records.ReasonOther) && note == "":
		d.err = "reason OTHER needs a note"
		return nil
	}
	return referAction{crossing: d.cs.id, reasons: codes, note: note}
}

func (d *referDialog) View() string {
	st := d.styles
	codes, mandatory := d.ticked()
	lines := []string{st.Title.Render("REFER TO SECONDARY"), ""}
	for i, r := range referReasons {
		box := "[ ]"
		if contains(codes, r.code) {
			box = "[x]"
		}
		line := box + " " + padRight(r.code, 6) + r.label
		if _, must := mandatory[r.code]; must {
			line += " (mandatory)"
		}
		if i == d.cursor && !d.inNote {
			line = st.Selected.Render("▸ " + line)
		} else {
			line = "  " + line
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", d.note.View())
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(dialogWidth(d.width, 70)).Render(strings.Join(lines, "\n"))
}
