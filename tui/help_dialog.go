package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/portofentry/booth/tui/internal/view"
)

// dialogWidth is the width of modal dialogs, bounded by the terminal.
var dialogWidth = view.DialogWidth

// helpScreen is the full help (?), generated from the keymap.
type helpScreen struct {
	*common
	screenKeys [][]key.Binding
	width      int
}

func newHelpScreen(c *common, screenKeys [][]key.Binding) *helpScreen {
	return &helpScreen{common: c, screenKeys: screenKeys}
}

func (s *helpScreen) Crossing() string { return "" }
func (s *helpScreen) SetSize(w, _ int) { s.width = w }
func (s *helpScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.keys.Cancel, s.keys.Help}
}
func (s *helpScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *helpScreen) Update(msg tea.Msg) (action, tea.Cmd) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && key.Matches(kp, s.keys.Cancel, s.keys.Help, s.keys.Confirm) {
		return closeAction{}, nil
	}
	return nil, nil
}

func (s *helpScreen) View() string {
	h := s.help
	h.ShowAll = true
	w := dialogWidth(s.width, 76)
	h.SetWidth(w - 4)
	st, k := s.styles, s.keys
	lines := []string{st.Title.Render("KEYS")}
	lines = append(lines, strings.Split(h.FullHelpView(s.screenKeys), "\n")...)
	lines = append(lines, "",
		st.Title.Render("IN DIALOGS"),
		h.FullHelpView([][]key.Binding{{k.Confirm, k.Cancel}, {k.Toggle, k.NextField, k.PrevField}}),
		"",
		st.Title.Render("SYMBOLS"))
	symbols, readOnly := helpSymbols(s.cfg.Role, s.keys)
	lines = append(lines, symbols...)
	if s.readOnly() {
		lines = append(lines, "", st.Warn.Render(readOnly))
	}
	return st.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

// helpSymbols are the help screen's symbol lines, notes and read-only note
// for this kind of workstation (primary, secondary, supervisor). The keys
// the notes name come from the active keymap, so a rebound key reads as
// bound; a note about an unbound key names none.
func helpSymbols(role string, k KeyMap) (symbols []string, readOnly string) {
	switch role {
	case "secondary":
		return []string{
				"✔ done, adjudicated   ✖ alarm, refused   ⚠ conflict, stale, not acked",
				"☢RPM radiation alarm   ⚠LOOK lookout hit   ▶ you: taken by you",
				"Admitted needs each RPM alarm adjudicated with LSS's coded answer" + keyHint(k.LSS) + ".",
				"Two determinations that do not supersede each other are a conflict" + keyHint(k.Conflicts) + ".",
			},
			"READ-ONLY: take, findings, LSS reachback and determinations are not bound."
	case "supervisor":
		var how []string
		if o := keyHint1(k.Open); o != "" {
			how = append(how, o+": open a crossing, read-only")
		}
		if r := keyHint1(k.Replay); r != "" {
			r += ": replay"
			if t := keyHint1(k.Toggle); t != "" {
				r += " (" + t + " 1×/10×)"
			}
			how = append(how, r)
		}
		if e := keyHint1(k.Back); e != "" {
			how = append(how, e+": back")
		}
		return []string{
				"● open  ○ closed   ✔ device ok   ✖ disconnected, offline",
				"⚠ faulty, stale, no contact; NOT ADJUDICATED: an open RPM alarm",
				"☢ RPM radiation alarm   ⚠ HIT lookout hit   ▸ selected   ▲/▼ more",
				"▁▂▃▄▅▆▇█ vehicles per hour over 8 h (· none)",
				strings.Join(how, " · "),
				"Opening a crossing, each search and each audit-log view is audited.",
			},
			"READ-ONLY console: no key writes a crossing event."
	}
	return []string{
			"✔ good / done   ✖ failed or alarm   ⚠ needs attention   ? unknown   [ACK?] alert to acknowledge",
			"A vehicle can be admitted" + keyHint(k.Admit) + " once every alert is acknowledged" + keyHint(k.Ack) +
				"; an RPM alarm always goes to secondary" + keyHint(k.Refer) + ".",
		},
		"READ-ONLY: admit, refer, acknowledge, notes and corrections are not bound."
}

// keyHint is " (key)" for a bound action, nothing for an unbound one.
func keyHint(b key.Binding) string {
	if k := keyHint1(b); k != "" {
		return " (" + k + ")"
	}
	return ""
}

// keyHint1 is the first key of a bound action ("" when unbound).
func keyHint1(b key.Binding) string {
	if ks := b.Keys(); b.Enabled() && len(ks) > 0 {
		return ks[0]
	}
	return ""
}
