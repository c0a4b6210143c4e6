package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/records"
)

// dialogWidth is the width of modal dialogs, bounded by the terminal.
func dialogWidth(screenW, want int) int { return max(min(want, screenW-2), 30) }

// helpScreen is the full help (?), generated from the keymap.
type helpScreen struct {
	m     *Model
	width int
}

func newHelpScreen(m *Model) *helpScreen { return &helpScreen{m: m} }

func (s *helpScreen) SetSize(w, _ int) { s.width = w }
func (s *helpScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.m.keys.Cancel, s.m.keys.Help}
}
func (s *helpScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *helpScreen) Update(msg tea.Msg) tea.Cmd {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.m.keys.Cancel, s.m.keys.Help, s.m.keys.Confirm) {
		return closeDialog
	}
	return nil
}

func (s *helpScreen) View() string {
	m := s.m
	h := m.help
	h.ShowAll = true
	w := dialogWidth(s.width, 76)
	h.SetWidth(w - 4)
	lines := []string{m.styles.Title.Render("KEYS")}
	lines = append(lines, strings.Split(h.FullHelpView(m.primary.FullHelp()), "\n")...)
	lines = append(lines, "",
		m.styles.Title.Render("IN DIALOGS"),
		h.FullHelpView([][]key.Binding{{m.keys.Confirm, m.keys.Cancel}, {m.keys.Toggle, m.keys.NextField, m.keys.PrevField}}),
		"",
		m.styles.Title.Render("SYMBOLS"),
		"✔ good / done   ✖ failed or alarm   ⚠ needs attention   ? unknown   [ACK?] alert to acknowledge",
		"A vehicle can be admitted once every alert is acknowledged; an RPM alarm always goes to secondary.")
	if m.cfg.ReadOnly {
		lines = append(lines, "", m.styles.Warn.Render("READ-ONLY: admit, refer, acknowledge, notes and corrections are not bound."))
	}
	return m.styles.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

// referDialog sends the crossing to secondary with reason codes and a note.
type referDialog struct {
	m      *Model
	id     string
	reason []referReason
	cursor int
	note   textinput.Model
	inNote bool
	forced string
	err    string
	width  int
}

type referReason struct {
	code, label string
	on          bool
}

var referReasons = []referReason{
	{records.ReasonRPMAlarm, "radiation portal alarm", false},
	{records.ReasonLookout, "lookout hit", false},
	{records.ReasonDocument, "document problem", false},
	{records.ReasonIdentity, "identity / face mismatch", false},
	{records.ReasonImmigration, "admissibility / status", false},
	{records.ReasonCustoms, "customs / contraband", false},
	{records.ReasonAgriculture, "agriculture", false},
	{records.ReasonRandom, "random compliance exam", false},
	{records.ReasonOther, "other (see note)", false},
}

func newReferDialog(m *Model, cs *crossingState) *referDialog {
	d := &referDialog{m: m, id: cs.id, reason: append([]referReason(nil), referReasons...)}
	// Pre-select what the alerts point to; the officer can add more.
	pre := map[string]bool{}
	for _, a := range cs.c.Alerts {
		switch a.Type {
		case records.AlertRPM:
			pre[records.ReasonRPMAlarm] = true
			d.forced = records.ReasonRPMAlarm
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
	for i := range d.reason {
		d.reason[i].on = pre[d.reason[i].code]
	}
	d.note = m.newInput()
	d.note.Prompt = "note: "
	d.note.Placeholder = "what secondary should know"
	d.note.CharLimit = 500
	return d
}

func (d *referDialog) SetSize(w, _ int) { d.width = w; d.note.SetWidth(dialogWidth(w, 70) - 12) }
func (d *referDialog) ShortHelp() []key.Binding {
	k := d.m.keys
	return []key.Binding{k.Confirm, k.Toggle, k.NextField, k.Cancel}
}
func (d *referDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *referDialog) Update(msg tea.Msg) tea.Cmd {
	k := d.m.keys
	kp, isKey := msg.(tea.KeyPressMsg)
	if isKey {
		switch {
		case key.Matches(kp, k.Cancel):
			return closeDialog
		case key.Matches(kp, k.Confirm):
			return d.submit()
		case key.Matches(kp, k.NextField, k.PrevField):
			d.inNote = !d.inNote
			if d.inNote {
				return d.note.Focus()
			}
			d.note.Blur()
			return nil
		}
		if !d.inNote {
			switch {
			case key.Matches(kp, k.Up):
				d.cursor = max(d.cursor-1, 0)
			case key.Matches(kp, k.Down):
				d.cursor = min(d.cursor+1, len(d.reason)-1)
			case key.Matches(kp, k.Toggle):
				r := &d.reason[d.cursor]
				if r.code == d.forced && r.on {
					d.err = "an RPM alarm must stay among the reasons"
					return nil
				}
				r.on = !r.on
			}
			return nil
		}
	}
	var cmd tea.Cmd
	d.note, cmd = d.note.Update(msg)
	return cmd
}

func (d *referDialog) submit() tea.Cmd {
	var codes []string
	for _, r := range d.reason {
		if r.on {
			codes = append(codes, r.code)
		}
	}
	note := strings.TrimSpace(d.note.Value())
	switch {
	case len(codes) == 0:
		d.err = "choose at least one reason"
		return nil
	case contains(codes, records.ReasonOther) && note == "":
		d.err = "reason OTHER needs a note"
		return nil
	}
	d.m.primary.busy[d.id] = true
	return tea.Batch(closeDialog,
		d.m.record(d.id, "referred to secondary ("+strings.Join(codes, ", ")+")", true,
			records.Referred{Reasons: codes, Note: note}))
}

func (d *referDialog) View() string {
	st := d.m.styles
	lines := []string{st.Title.Render("REFER TO SECONDARY"), ""}
	for i, r := range d.reason {
		box := "[ ]"
		if r.on {
			box = "[x]"
		}
		line := box + " " + padRight(r.code, 6) + r.label
		if r.code == d.forced {
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

// noteDialog adds a free-text note to the crossing.
type noteDialog struct {
	m     *Model
	id    string
	in    textinput.Model
	err   string
	width int
}

func newNoteDialog(m *Model, id string) *noteDialog {
	d := &noteDialog{m: m, id: id, in: m.newInput()}
	d.in.Prompt = "› "
	d.in.Placeholder = "note for the record"
	d.in.CharLimit = 1000
	d.in.Focus()
	return d
}

func (d *noteDialog) SetSize(w, _ int) { d.width = w; d.in.SetWidth(dialogWidth(w, 70) - 8) }
func (d *noteDialog) ShortHelp() []key.Binding {
	return []key.Binding{d.m.keys.Confirm, d.m.keys.Cancel}
}
func (d *noteDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *noteDialog) Update(msg tea.Msg) tea.Cmd {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(kp, d.m.keys.Cancel):
			return closeDialog
		case key.Matches(kp, d.m.keys.Confirm):
			text := strings.TrimSpace(d.in.Value())
			if text == "" {
				d.err = "the note is empty"
				return nil
			}
			return tea.Batch(closeDialog, d.m.record(d.id, "note", false, records.Note{Text: text}))
		}
	}
	var cmd tea.Cmd
	d.in, cmd = d.in.Update(msg)
	return cmd
}

func (d *noteDialog) View() string {
	st := d.m.styles
	lines := []string{st.Title.Render("ADD NOTE"), "", d.in.View()}
	if d.err != "" {
		lines = append(lines, "", st.Bad.Render("✖ "+d.err))
	}
	return st.Dialog.Width(dialogWidth(d.width, 70)).Render(strings.Join(lines, "\n"))
}

// choiceDialog picks one of a few options (baggage x-ray outcome).
type choiceDialog struct {
	m       *Model
	title   string
	options []string
	cursor  int
	onPick  func(string) tea.Cmd
	width   int
}

func newXrayDialog(m *Model, id string) *choiceDialog {
	return &choiceDialog{m: m, title: "BAGGAGE X-RAY OUTCOME", options: []string{"clear", "inspect", "none"},
		onPick: func(o string) tea.Cmd {
			return m.record(id, "baggage x-ray "+o, false, records.BaggageXray{Outcome: o})
		}}
}

func (d *choiceDialog) SetSize(w, _ int) { d.width = w }
func (d *choiceDialog) ShortHelp() []key.Binding {
	k := d.m.keys
	return []key.Binding{k.Confirm, k.Up, k.Down, k.Cancel}
}
func (d *choiceDialog) FullHelp() [][]key.Binding { return [][]key.Binding{d.ShortHelp()} }

func (d *choiceDialog) Update(msg tea.Msg) tea.Cmd {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	k := d.m.keys
	switch {
	case key.Matches(kp, k.Cancel):
		return closeDialog
	case key.Matches(kp, k.Up):
		d.cursor = max(d.cursor-1, 0)
	case key.Matches(kp, k.Down):
		d.cursor = min(d.cursor+1, len(d.options)-1)
	case key.Matches(kp, k.Confirm):
		return tea.Batch(closeDialog, d.onPick(d.options[d.cursor]))
	}
	return nil
}

func (d *choiceDialog) View() string {
	st := d.m.styles
	lines := []string{st.Title.Render(d.title), ""}
	for i, o := range d.options {
		if i == d.cursor {
			lines = append(lines, st.Selected.Render("▸ "+strings.ToUpper(o)))
		} else {
			lines = append(lines, "  "+strings.ToUpper(o))
		}
	}
	return st.Dialog.Width(dialogWidth(d.width, 40)).Render(strings.Join(lines, "\n"))
}
